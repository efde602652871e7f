/*
 * tmpl.c - see tmpl.h.
 *
 * A template is parsed into a flat array of nodes: text, variable,
 * section, inverted section, partial.  A section node records in `end`
 * the index just past its body, so rendering is a loop over index ranges
 * that recurses into section bodies.  The parsed embedded templates live
 * in one table built on first use under pthread_once and never change
 * afterwards, so renders need no lock.
 *
 * Limits keep hostile or broken templates from hurting the process:
 * sections nest at most TMPL_MAX_NEST deep, partials at most
 * TMPL_MAX_PARTIALS, and the context stack at most TMPL_MAX_STACK.
 */
#include "web/tmpl.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "web/embed.h"

#define TMPL_MAX_NEST 32
#define TMPL_MAX_PARTIALS 8
#define TMPL_MAX_STACK 64
#define TMPL_MAX_NAME 128

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };
enum esc_kind { ESC_HTML, ESC_ATTR, ESC_URL, ESC_RAW };

struct node {
    enum node_kind kind;
    enum esc_kind esc;
    const char *s; /* text, or the name (NUL-terminated) */
    size_t len;
    size_t first; /* names: the length of the part before the first dot */
    int end; /* sections: index after the body */
    /* partials: the template, found once the embedded ones are parsed
     * (cache_build); NULL: looked up by name at each render */
    const struct tmpl *partial;
};

struct tmpl {
    char *name;
    char *src; /* a copy; names are cut out of it */
    struct node *nodes;
    int n;
};

void tmpl_free(struct tmpl *t)
{
    if (t == NULL)
        return;
    free(t->name);
    free(t->src);
    free(t->nodes);
    free(t);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fputs("out of memory\n", stderr);
        abort();
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int line_of(const char *src, const char *at)
{
    int line = 1;
    for (const char *p = src; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

static int name_ok(const char *s, size_t n, int partial)
{
    if (n == 0 || n > TMPL_MAX_NAME)
        return 0;
    if (n == 1 && s[0] == '.')
        return 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                 (c == '.' && i > 0 && i + 1 < n && s[i - 1] != '.') ||
                 (partial && c == '/');
        if (!ok)
            return 0;
    }
    return 1;
}

static struct node *push_node(struct tmpl *t, int *cap)
{
    if (t->n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        t->nodes = xrealloc(t->nodes, sizeof(*t->nodes) * (size_t)*cap);
    }
    struct node *nd = &t->nodes[t->n++];
    memset(nd, 0, sizeof(*nd));
    return nd;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct tmpl *tmpl_parse(const char *name, const char *src, size_t len,
                        char *err, size_t errlen)
{
    struct tmpl *t = xrealloc(NULL, sizeof(*t));
    memset(t, 0, sizeof(*t));
    t->name = xstrndup(name ? name : "", name ? strlen(name) : 0);
    t->src = xstrndup(src, len);
    int cap = 0;
    int stack[TMPL_MAX_NEST];
    int depth = 0;
    char *s = t->src, *end = t->src + len;
    char *p = s;
    const char *why = NULL;
    const char *where = s;

    if (err && errlen)
        err[0] = '\0';
    while (p < end) {
        char *open = memmem(p, (size_t)(end - p), "{{", 2);
        if (open == NULL) {
            struct node *nd = push_node(t, &cap);
            nd->kind = N_TEXT;
            nd->s = p;
            nd->len = (size_t)(end - p);
            break;
        }
        if (open > p) {
            struct node *nd = push_node(t, &cap);
            nd->kind = N_TEXT;
            nd->s = p;
            nd->len = (size_t)(open - p);
        }
        where = open;
        char *close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
        if (close == NULL) {
            why = "unclosed {{";
            goto fail;
        }
        char *b = open + 2, *e = close;
        while (b < e && is_space(*b))
            b++;
        while (e > b && is_space(e[-1]))
            e--;
        p = close + 2;
        if (b == e) {
            why = "empty tag";
            goto fail;
        }
        char sigil = *b;
        if (sigil == '!')
            continue;
        if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') {
            b++;
            while (b < e && is_space(*b))
                b++;
        }
        enum esc_kind esc = ESC_HTML;
        if (sigil != '#' && sigil != '^' && sigil != '/' && sigil != '>') {
            char *colon = memchr(b, ':', (size_t)(e - b));
            if (colon) {
                size_t plen = (size_t)(colon - b);
                if (plen == 4 && memcmp(b, "attr", 4) == 0) {
                    esc = ESC_ATTR;
                } else if (plen == 3 && memcmp(b, "url", 3) == 0) {
                    esc = ESC_URL;
                } else if (plen == 16 &&
                           memcmp(b, "raw_trusted_html", 16) == 0) {
                    esc = ESC_RAW;
                } else {
                    why = "unknown context before ':'";
                    goto fail;
                }
                b = colon + 1;
                while (b < e && is_space(*b))
                    b++;
            }
        }
        size_t nlen = (size_t)(e - b);
        if (!name_ok(b, nlen, sigil == '>')) {
            why = "bad name in tag";
            goto fail;
        }
        *e = '\0'; /* the source copy is ours: names end in place */
        if (sigil == '/') {
            if (depth == 0) {
                why = "{{/...}} without an open section";
                goto fail;
            }
            struct node *op = &t->nodes[stack[depth - 1]];
            if (op->len != nlen || memcmp(op->s, b, nlen) != 0) {
                why = "{{/...}} does not match the open section";
                goto fail;
            }
            op->end = t->n;
            depth--;
            continue;
        }
        struct node *nd = push_node(t, &cap);
        const char *dot = memchr(b, '.', nlen);
        nd->s = b;
        nd->len = nlen;
        nd->first = dot ? (size_t)(dot - b) : nlen;
        nd->esc = esc;
        if (sigil == '#' || sigil == '^') {
            nd->kind = sigil == '#' ? N_SECTION : N_INVERTED;
            if (depth == TMPL_MAX_NEST) {
                why = "sections nested too deep";
                goto fail;
            }
            stack[depth++] = t->n - 1;
        } else if (sigil == '>') {
            nd->kind = N_PARTIAL;
        } else {
            nd->kind = N_VAR;
        }
    }
    if (depth > 0) {
        where = t->nodes[stack[depth - 1]].s;
        why = "section not closed";
        goto fail;
    }
    return t;
fail:
    if (err && errlen)
        snprintf(err, errlen, "line %d: %s", line_of(t->src, where), why);
    tmpl_free(t);
    return NULL;
}

/* ---- rendering ---- */

/* The context stack holds values: JSON, or items of C sources (tmpl.h). */
struct render {
    struct buf *out;
    struct tmpl_val stack[TMPL_MAX_STACK];
    int depth;
    int partials;
    int logged; /* a failure was already logged */
    const char *tname;
};

void tmpl_val_str(struct tmpl_val *v, const char *s)
{
    memset(v, 0, sizeof(*v));
    v->kind = TMPL_STR;
    v->s = s ? s : "";
    v->len = strlen(v->s);
}

void tmpl_val_strn(struct tmpl_val *v, const char *s, size_t n)
{
    memset(v, 0, sizeof(*v));
    v->kind = TMPL_STR;
    v->s = s ? s : "";
    v->len = s ? n : 0;
}

void tmpl_val_int(struct tmpl_val *v, long long i)
{
    memset(v, 0, sizeof(*v));
    v->kind = TMPL_INT;
    v->i = i;
}

void tmpl_val_bool(struct tmpl_val *v, int yes)
{
    memset(v, 0, sizeof(*v));
    v->kind = TMPL_BOOL;
    v->i = yes != 0;
}

void tmpl_val_list(struct tmpl_val *v, const struct tmpl_src *src,
                   const void *base, int n)
{
    memset(v, 0, sizeof(*v));
    v->kind = TMPL_LIST;
    v->src = src;
    v->base = base;
    v->n = n > 0 ? n : 0;
}

static void val_json(struct tmpl_val *v, json_t *j)
{
    memset(v, 0, sizeof(*v));
    v->kind = j ? TMPL_JSON : TMPL_NONE;
    v->json = j;
}

/* The binds of tmpl_render_with() as a source: base is their array. */
static int bind_get(const struct tmpl_src *src, const void *base, int i,
                    const char *name, size_t len, struct tmpl_val *v)
{
    (void)src;
    (void)i;
    for (const struct tmpl_bind *b = base; b->name; b++)
        if (tmpl_name_is(name, len, b->name)) {
            *v = b->val;
            return 1;
        }
    return 0;
}

static const struct tmpl_src bind_src = {bind_get};

int tmpl_escape_html(struct buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '`':
            rep = "&#96;";
            break;
        default:
            rep = NULL;
            break;
        }
        if (rep == NULL)
            continue;
        if (buf_append(out, s + run, i - run) < 0 || buf_puts(out, rep) < 0)
            return -1;
        run = i + 1;
    }
    return buf_append(out, s + run, n - run);
}

int tmpl_escape_url(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_' || c == '~';
        char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
        if (plain ? buf_putc(out, (char)c) < 0 : buf_append(out, enc, 3) < 0)
            return -1;
    }
    return 0;
}

/* A key of ten digits or fewer as an index, or -1. */
static long index_of(const char *key, size_t klen)
{
    long idx = 0;
    if (klen == 0 || klen >= 10)
        return -1;
    for (size_t i = 0; i < klen; i++) {
        if (key[i] < '0' || key[i] > '9')
            return -1;
        idx = idx * 10 + (key[i] - '0');
    }
    return idx;
}

/* One step down from v: an object key or an array index; 0 when there is
 * nothing there. */
static int child(const struct tmpl_val *v, const char *key, size_t klen,
                 struct tmpl_val *out)
{
    long idx;
    switch (v->kind) {
    case TMPL_JSON:
        if (json_is_object(v->json)) {
            val_json(out, json_object_getn(v->json, key, klen));
        } else if (json_is_array(v->json)) {
            idx = index_of(key, klen);
            val_json(out,
                     idx < 0 ? NULL : json_array_get(v->json, (size_t)idx));
        } else {
            return 0;
        }
        return out->kind != TMPL_NONE;
    case TMPL_ITEM:
        return v->src->get(v->src, v->base, v->n, key, klen, out);
    case TMPL_LIST:
        idx = index_of(key, klen);
        if (idx < 0 || idx >= v->n)
            return 0;
        *out = *v;
        out->kind = TMPL_ITEM;
        out->n = (int)idx;
        return 1;
    default:
        return 0;
    }
}

/* The value of the name of node nd: the first part from the innermost
 * context that has it, the rest from there down. */
static void lookup(const struct render *c, const struct node *nd,
                   struct tmpl_val *v)
{
    const char *name = nd->s;
    size_t len = nd->len, first = nd->first;
    if (len == 1 && name[0] == '.') {
        if (c->depth)
            *v = c->stack[c->depth - 1];
        else
            val_json(v, NULL);
        return;
    }
    const char *dot = first < len ? name + first : NULL;
    int found = 0;
    for (int i = c->depth - 1; i >= 0 && !found; i--)
        found = child(&c->stack[i], name, first, v);
    while (found && dot) {
        const char *seg = dot + 1;
        struct tmpl_val up = *v;
        dot = memchr(seg, '.', (size_t)(name + len - seg));
        size_t slen = dot ? (size_t)(dot - seg) : (size_t)(name + len - seg);
        found = child(&up, seg, slen, v);
    }
    if (!found)
        val_json(v, NULL);
}

static int truthy(const struct tmpl_val *v)
{
    json_t *j = v->json;
    switch (v->kind) {
    case TMPL_STR:
        return v->len > 0;
    case TMPL_INT:
    case TMPL_BOOL:
        return v->i != 0;
    case TMPL_LIST:
        return v->n > 0;
    case TMPL_ITEM:
        return 1;
    case TMPL_JSON:
        break;
    default:
        return 0;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return json_object_size(j) > 0;
    case JSON_ARRAY:
        return json_array_size(j) > 0;
    case JSON_STRING:
        return json_string_length(j) > 0;
    case JSON_INTEGER:
        return json_integer_value(j) != 0;
    case JSON_REAL:
        return json_real_value(j) != 0.0;
    case JSON_TRUE:
        return 1;
    default:
        return 0;
    }
}

static int emit(struct buf *out, const struct tmpl_val *v, enum esc_kind esc)
{
    char num[64];
    const char *s = NULL;
    size_t n = 0;
    json_t *j = v->json;
    switch (v->kind) {
    case TMPL_STR:
        s = v->s;
        n = v->len;
        break;
    case TMPL_INT:
        n = (size_t)snprintf(num, sizeof(num), "%lld", v->i);
        s = num;
        break;
    case TMPL_BOOL:
        s = v->i ? "true" : "false";
        n = strlen(s);
        break;
    case TMPL_JSON:
        switch (json_typeof(j)) {
        case JSON_STRING:
            s = json_string_value(j);
            n = json_string_length(j);
            break;
        case JSON_INTEGER:
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(j));
            s = num;
            n = strlen(num);
            break;
        case JSON_REAL:
            snprintf(num, sizeof(num), "%.15g", json_real_value(j));
            s = num;
            n = strlen(num);
            break;
        case JSON_TRUE:
            s = "true";
            n = 4;
            break;
        case JSON_FALSE:
            s = "false";
            n = 5;
            break;
        default:
            return 0;
        }
        break;
    default:
        return 0;
    }
    switch (esc) {
    case ESC_URL:
        return tmpl_escape_url(out, s, n);
    case ESC_RAW:
        return buf_append(out, s, n);
    default:
        return tmpl_escape_html(out, s, n);
    }
}

static int render_range(const struct tmpl *t, int from, int to,
                        struct render *c);

static int push_render(const struct tmpl *t, int from, int to, struct render *c,
                       const struct tmpl_val *item)
{
    if (c->depth == TMPL_MAX_STACK) {
        log_error("cannot render template %s: contexts nested too deep",
                  c->tname);
        c->logged = 1;
        return -1;
    }
    c->stack[c->depth++] = *item;
    int rc = render_range(t, from, to, c);
    c->depth--;
    return rc;
}

/* The embedded file a partial names: templates/NAME, .html added when
 * NAME has no extension. */
static void partial_file(const struct node *nd, char *out, size_t size)
{
    const char *ext = memchr(nd->s, '.', nd->len) ? "" : ".html";
    snprintf(out, size, "templates/%s%s", nd->s, ext);
}

static int render_partial(const struct node *nd, struct render *c)
{
    const struct tmpl *p = nd->partial;
    if (p == NULL) {
        char name[TMPL_MAX_NAME + 32];
        partial_file(nd, name, sizeof(name));
        p = tmpl_get(name);
    }
    if (p == NULL) {
        c->logged = 1;
        return -1;
    }
    if (c->partials == TMPL_MAX_PARTIALS) {
        log_error("cannot render template %s: partials nested too deep",
                  c->tname);
        c->logged = 1;
        return -1;
    }
    c->partials++;
    const char *outer = c->tname;
    c->tname = p->name;
    int rc = render_range(p, 0, p->n, c);
    c->tname = outer;
    c->partials--;
    return rc;
}

/* A section: once per element of a list, else once inside a truthy value. */
static int render_section(const struct tmpl *t, int i, struct render *c,
                          const struct tmpl_val *v)
{
    const struct node *nd = &t->nodes[i];
    struct tmpl_val item;
    int rc = 0;
    if (v->kind == TMPL_JSON && json_is_array(v->json)) {
        for (size_t k = 0; k < json_array_size(v->json) && rc == 0; k++) {
            val_json(&item, json_array_get(v->json, k));
            rc = push_render(t, i + 1, nd->end, c, &item);
        }
    } else if (v->kind == TMPL_LIST) {
        item = *v;
        item.kind = TMPL_ITEM;
        for (int k = 0; k < v->n && rc == 0; k++) {
            item.n = k;
            rc = push_render(t, i + 1, nd->end, c, &item);
        }
    } else if (truthy(v)) {
        rc = push_render(t, i + 1, nd->end, c, v);
    }
    return rc;
}

static int render_range(const struct tmpl *t, int from, int to,
                        struct render *c)
{
    for (int i = from; i < to; i++) {
        const struct node *nd = &t->nodes[i];
        struct tmpl_val v;
        int rc = 0;
        switch (nd->kind) {
        case N_TEXT:
            rc = buf_append(c->out, nd->s, nd->len);
            break;
        case N_VAR:
            lookup(c, nd, &v);
            rc = emit(c->out, &v, nd->esc);
            break;
        case N_SECTION:
            lookup(c, nd, &v);
            rc = render_section(t, i, c, &v);
            i = nd->end - 1;
            break;
        case N_INVERTED:
            lookup(c, nd, &v);
            if (!truthy(&v))
                rc = render_range(t, i + 1, nd->end, c);
            i = nd->end - 1;
            break;
        case N_PARTIAL:
            rc = render_partial(nd, c);
            break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int tmpl_render_with(const struct tmpl *t, json_t *ctx,
                     const struct tmpl_bind *binds, struct buf *out)
{
    struct render c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.tname = t->name;
    val_json(&c.stack[c.depth++], ctx);
    if (binds) {
        struct tmpl_val *b = &c.stack[c.depth++];
        b->kind = TMPL_ITEM;
        b->src = &bind_src;
        b->base = binds;
    }
    int rc = render_range(t, 0, t->n, &c);
    if (rc < 0 && !c.logged)
        log_error("cannot render template %s: output larger than %zu bytes",
                  t->name, out->max);
    return rc;
}

int tmpl_render(const struct tmpl *t, json_t *ctx, struct buf *out)
{
    return tmpl_render_with(t, ctx, NULL, out);
}

/* ---- the embedded templates, parsed once ---- */

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static struct tmpl **cache; /* parallel to embed_files */
static size_t cache_n;

static void cache_build(void)
{
    size_t n = 0;
    while (embed_files[n].name)
        n++;
    cache = xrealloc(NULL, sizeof(*cache) * (n ? n : 1));
    cache_n = n;
    for (size_t i = 0; i < n; i++) {
        const struct embed_file *f = &embed_files[i];
        char err[256];
        cache[i] = NULL;
        if (strncmp(f->name, "templates/", 10) != 0)
            continue;
        cache[i] = tmpl_parse(f->name, (const char *)f->data, (size_t)f->len,
                              err, sizeof(err));
        if (cache[i] == NULL)
            log_error("template %s is broken: %s", f->name, err);
    }
    /* each partial's template once, not by name at every render (a list's
     * traffic light: fifty lookups a page) */
    for (size_t i = 0; i < n; i++)
        for (int k = 0; cache[i] && k < cache[i]->n; k++) {
            struct node *nd = &cache[i]->nodes[k];
            char name[TMPL_MAX_NAME + 32];
            if (nd->kind != N_PARTIAL)
                continue;
            partial_file(nd, name, sizeof(name));
            for (size_t j = 0; j < n; j++)
                if (cache[j] && strcmp(embed_files[j].name, name) == 0)
                    nd->partial = cache[j];
        }
}

const struct tmpl *tmpl_get(const char *name)
{
    pthread_once(&cache_once, cache_build);
    for (size_t i = 0; i < cache_n; i++) {
        if (strcmp(embed_files[i].name, name) != 0)
            continue;
        if (cache[i] == NULL)
            log_error("cannot render template %s: it failed to parse", name);
        return cache[i];
    }
    log_error("cannot render template %s: no such template", name);
    return NULL;
}

int tmpl_render_name(const char *name, json_t *ctx, struct buf *out)
{
    return tmpl_render_name_with(name, ctx, NULL, out);
}

int tmpl_render_name_with(const char *name, json_t *ctx,
                          const struct tmpl_bind *binds, struct buf *out)
{
    const struct tmpl *t = tmpl_get(name);
    return t ? tmpl_render_with(t, ctx, binds, out) : -1;
}
