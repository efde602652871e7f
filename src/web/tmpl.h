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
 * Values from C sources (struct tmpl_src below) follow the same rules: a
 * list is an array, an item an object.
 *
 * Templates are parsed once: the embedded templates/ files at first use
 * (thread-safe), then shared read-only by all threads.
 */
#ifndef SHUNIU_TMPL_H
#define SHUNIU_TMPL_H

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "base/buf.h"

struct tmpl;

/* Values read from C structs rather than a jansson tree, for pages whose
 * rows are many: a list page's fifty rows built as jansson objects, then
 * looked up by hash, were a third of its time.  A source answers a name for
 * one item of its own; it is bound under a name with tmpl_render_with(),
 * and its lists may hold other sources' items.  Names a source does not
 * know are looked up outwards, as with objects. */
enum tmpl_kind {
    TMPL_NONE,
    TMPL_JSON, /* json */
    TMPL_STR,  /* s, len bytes */
    TMPL_INT,  /* i */
    TMPL_BOOL, /* i: 0 or 1 */
    TMPL_LIST, /* n items of src, from base */
    TMPL_ITEM  /* item n of src, from base */
};

struct tmpl_src;

struct tmpl_val {
    enum tmpl_kind kind;
    json_t *json;
    const char *s;
    size_t len;
    long long i;
    const struct tmpl_src *src;
    const void *base;
    int n;
};

struct tmpl_src {
    /* Sets *v to the value named name (len bytes, no dot) in item i of
     * base: 1; 0 when the item has no such name. */
    int (*get)(const struct tmpl_src *src, const void *base, int i,
               const char *name, size_t len, struct tmpl_val *v);
};

/* A named value beside the context (tmpl_render_with); a NULL name ends
 * the array. */
struct tmpl_bind {
    const char *name;
    struct tmpl_val val;
};

/* Setters for a source's get: text (NULL: ""), n bytes of text, a
 * number, a yes/no, a list of n items. */
void tmpl_val_str(struct tmpl_val *v, const char *s);
void tmpl_val_strn(struct tmpl_val *v, const char *s, size_t n);
void tmpl_val_int(struct tmpl_val *v, long long i);
void tmpl_val_bool(struct tmpl_val *v, int yes);
void tmpl_val_list(struct tmpl_val *v, const struct tmpl_src *src,
                   const void *base, int n);

/* 1 when name (len bytes) is the literal lit: for a source's get (inline,
 * so that a literal's length is known when compiling). */
static inline int tmpl_name_is(const char *name, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

/* Parses src[0..len).  Returns a template the caller frees with
 * tmpl_free(), or NULL with "line N: what is wrong" in err. */
struct tmpl *tmpl_parse(const char *name, const char *src, size_t len,
                        char *err, size_t errlen);
void tmpl_free(struct tmpl *t);

/* Renders t with ctx (borrowed) appended to out.  0 ok; -1 when out's cap
 * is reached, a partial is missing or broken, or nesting is too deep (a
 * message is logged; out then holds a partial result). */
int tmpl_render(const struct tmpl *t, json_t *ctx, struct buf *out);

/* tmpl_render() with binds (NULL: none), looked up before ctx: a bind
 * cannot be shadowed by a key of the context. */
int tmpl_render_with(const struct tmpl *t, json_t *ctx,
                     const struct tmpl_bind *binds, struct buf *out);

/* The embedded template of that name ("templates/login.html"), parsed
 * once; NULL (logged) when missing or broken. */
const struct tmpl *tmpl_get(const char *name);

/* tmpl_get() then tmpl_render() / tmpl_render_with(); -1 if either
 * fails. */
int tmpl_render_name(const char *name, json_t *ctx, struct buf *out);
int tmpl_render_name_with(const char *name, json_t *ctx,
                          const struct tmpl_bind *binds, struct buf *out);

/* Escaping on its own, for code that writes HTML by hand: appends s[0..n)
 * escaped for HTML text/attributes, or percent-encoded.  0 / -1 (cap). */
int tmpl_escape_html(struct buf *out, const char *s, size_t n);
int tmpl_escape_url(struct buf *out, const char *s, size_t n);

#endif
