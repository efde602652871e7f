/*
 * tmpl.h - the HTML template engine: a small mustache over a jansson
 * context, escaping every value for where it lands.
 *
 * Syntax (whitespace inside the braces is ignored):
 *     {{name}}  {{a.b.c}}  {{list.0.x}}    text, HTML-escaped (& < > " ')
 *     {{.}}                                the current item
 *     {{attr:name}}                        an attribute value, escaped as
 *                                          text and also for ` (always
 *                                          quote the attribute)
 *     {{url:name}}                         one URL part (query value, path
 *                                          segment): all but A-Z a-z 0-9
 *                                          - . _ ~ percent-encoded
 *     {{raw_trusted_html:name}}            inserted as is: only for markup
 *                                          we rendered ourselves
 *     {{#name}} ... {{/name}}              array: once per element, with
 *                                          the element as current item;
 *                                          object: once, inside it; other
 *                                          truthy value: once
 *     {{^name}} ... {{/name}}              once when name is falsy
 *     {{> name}}                           templates/name.html (or
 *                                          templates/name when it has a
 *                                          dot), rendered in the current
 *                                          context
 *     {{! comment}}                        nothing
 * Falsy: missing, null, false, "", 0, 0.0, an empty array or object.
 * Names are looked up from the current item outwards (mustache rules); the
 * parts after the first dot descend from what the first part found.
 * Values: strings as they are, integers and reals as numbers, true/false
 * as words, null/arrays/objects as nothing.  A missing name renders empty.
 *
 * Templates are parsed once: the embedded templates/ files at first use
 * (thread-safe), then shared read-only by all threads.
 */
#ifndef SHUNIU_TMPL_H
#define SHUNIU_TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "base/buf.h"

struct tmpl;

/* Parses src[0..len).  Returns a template the caller frees with
 * tmpl_free(), or NULL with "line N: what is wrong" in err. */
struct tmpl *tmpl_parse(const char *name, const char *src, size_t len,
                        char *err, size_t errlen);
void tmpl_free(struct tmpl *t);

/* Renders t with ctx (borrowed) appended to out.  0 ok; -1 when out's cap
 * is reached, a partial is missing or broken, or nesting is too deep (a
 * message is logged; out then holds a partial result). */
int tmpl_render(const struct tmpl *t, json_t *ctx, struct buf *out);

/* The embedded template of that name ("templates/login.html"), parsed
 * once; NULL (logged) when missing or broken. */
const struct tmpl *tmpl_get(const char *name);

/* tmpl_get() then tmpl_render(); -1 if either fails. */
int tmpl_render_name(const char *name, json_t *ctx, struct buf *out);

/* Escaping on its own, for code that writes HTML by hand: appends s[0..n)
 * escaped for HTML text/attributes, or percent-encoded.  0 / -1 (cap). */
int tmpl_escape_html(struct buf *out, const char *s, size_t n);
int tmpl_escape_url(struct buf *out, const char *s, size_t n);

#endif
