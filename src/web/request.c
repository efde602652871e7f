/*
 * request.c - reading what the client sent: percent-decoding, query strings
 * and urlencoded forms, cookies, multipart/form-data, and the lookups
 * handlers use (http_query, http_form, http_header ...).
 *
 * Every parser here reads outside input: it works on (pointer, length),
 * never reads past the end, caps the number of fields and allocates only
 * from the request's arena.  Decoded text must be valid UTF-8 without NUL
 * bytes, or the request is refused (400); nothing here can fail in a way
 * that becomes a 500.
 */
#include "web/web.h"

#include <string.h>
#include <strings.h>

int request_utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned min, cp;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            unsigned cc = p[i + k];
            if ((cc & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += need + 1;
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *request_decode(struct arena *a, const char *s, size_t n, int plus_space,
                     size_t *outlen)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && n - i > 2 && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_space) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    if (outlen)
        *outlen = o;
    return out;
}

/* Decodes one piece of a form and checks it is text. */
static const char *decode_text(struct arena *a, const char *s, size_t n)
{
    size_t len;
    char *d = request_decode(a, s, n, 1, &len);
    return request_utf8_ok(d, len) ? d : NULL;
}

int request_parse_urlencoded(struct arena *a, const char *s, size_t n,
                             struct http_param **out, int *count)
{
    int rc = -1;
    size_t pieces = 1;
    for (size_t i = 0; i < n && pieces < REQUEST_MAX_PARAMS; i++)
        if (s[i] == '&')
            pieces++;
    struct http_param *p = arena_alloc(a, sizeof(*p) * pieces);
    int np = 0;
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (s + i)) : end - i;
            const char *vs = eq ? eq + 1 : s + end;
            size_t vlen = (size_t)(s + end - vs);
            if ((size_t)np >= pieces)
                goto out; /* more than REQUEST_MAX_PARAMS */
            p[np].name = decode_text(a, s + i, nlen);
            p[np].value = decode_text(a, vs, vlen);
            if (p[np].name == NULL || p[np].value == NULL)
                goto out;
            if (p[np].name[0] != '\0')
                np++;
        }
        i = end + 1;
    }
    rc = 0;
out:
    *out = p;
    *count = rc == 0 ? np : 0;
    return rc;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int request_parse_cookies(struct arena *a, const char *header,
                          struct http_param **out, int *count)
{
    size_t n = header ? strlen(header) : 0;
    size_t pieces = 1;
    for (size_t i = 0; i < n; i++)
        if (header[i] == ';')
            pieces++;
    if (pieces > 100)
        pieces = 100;
    struct http_param *p = arena_alloc(a, sizeof(*p) * pieces);
    int np = 0;
    size_t i = 0;
    while (i < n && (size_t)np < pieces) {
        const char *semi = memchr(header + i, ';', n - i);
        size_t end = semi ? (size_t)(semi - header) : n;
        size_t b = i, e = end;
        while (b < e && is_ows(header[b]))
            b++;
        while (e > b && is_ows(header[e - 1]))
            e--;
        const char *eq = memchr(header + b, '=', e - b);
        if (eq && eq > header + b) {
            size_t ne = (size_t)(eq - header);
            while (ne > b && is_ows(header[ne - 1]))
                ne--;
            size_t vb = (size_t)(eq - header) + 1;
            while (vb < e && is_ows(header[vb]))
                vb++;
            if (e - vb >= 2 && header[vb] == '"' && header[e - 1] == '"') {
                vb++;
                e--;
            }
            p[np].name = arena_strndup(a, header + b, ne - b);
            p[np].value = arena_strndup(a, header + vb, e - vb);
            np++;
        }
        i = end + 1;
    }
    *out = p;
    *count = np;
    return 0;
}

/* The value of parameter `key` in a header value like
 * `form-data; name="a"; filename="b.txt"` or `text/plain; boundary=x`:
 * quoted strings may hold ';' and backslash escapes.  NULL when absent. */
static const char *header_param(struct arena *a, const char *s, size_t n,
                                const char *key)
{
    size_t klen = strlen(key);
    size_t i = 0;
    /* skip the first token (the type or "form-data") */
    while (i < n && s[i] != ';')
        i++;
    while (i < n) {
        i++; /* the ';' */
        while (i < n && is_ows(s[i]))
            i++;
        size_t nb = i;
        while (i < n && s[i] != '=' && s[i] != ';')
            i++;
        size_t ne = i;
        while (ne > nb && is_ows(s[ne - 1]))
            ne--;
        if (i >= n || s[i] == ';')
            continue; /* a parameter without a value */
        i++;          /* the '=' */
        while (i < n && is_ows(s[i]))
            i++;
        char *val;
        if (i < n && s[i] == '"') {
            val = arena_alloc(a, n - i + 1);
            size_t o = 0;
            i++;
            while (i < n && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < n)
                    i++;
                val[o++] = s[i++];
            }
            if (i >= n)
                return NULL; /* unterminated quote */
            i++;
            val[o] = '\0';
        } else {
            size_t vb = i;
            while (i < n && s[i] != ';')
                i++;
            size_t ve = i;
            while (ve > vb && is_ows(s[ve - 1]))
                ve--;
            val = arena_strndup(a, s + vb, ve - vb);
        }
        while (i < n && s[i] != ';')
            i++;
        if (ne - nb == klen && strncasecmp(s + nb, key, klen) == 0)
            return val;
    }
    return NULL;
}

const char *request_boundary(struct arena *a, const char *content_type)
{
    if (content_type == NULL)
        return NULL;
    const char *b =
        header_param(a, content_type, strlen(content_type), "boundary");
    if (b == NULL || b[0] == '\0' || strlen(b) > 70)
        return NULL;
    return b;
}

/* One part's headers, s[0..n) without the final empty line. */
struct part_head {
    const char *name;
    const char *filename;
    const char *content_type;
    int form_data;
};

static int parse_part_headers(struct arena *a, const char *s, size_t n,
                              struct part_head *h)
{
    memset(h, 0, sizeof(*h));
    size_t i = 0;
    while (i < n) {
        const char *crlf = memmem(s + i, n - i, "\r\n", 2);
        size_t end = crlf ? (size_t)(crlf - s) : n;
        const char *line = s + i;
        size_t len = end - i;
        const char *colon = memchr(line, ':', len);
        if (colon == NULL)
            return -1;
        size_t nlen = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vlen = len - nlen - 1;
        while (vlen > 0 && is_ows(*v)) {
            v++;
            vlen--;
        }
        if (nlen == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            if (vlen < 9 || strncasecmp(v, "form-data", 9) != 0)
                return -1;
            h->form_data = 1;
            h->name = header_param(a, v, vlen, "name");
            h->filename = header_param(a, v, vlen, "filename");
            const char *star = header_param(a, v, vlen, "filename*");
            if (star && strncasecmp(star, "UTF-8''", 7) == 0)
                h->filename =
                    request_decode(a, star + 7, strlen(star + 7), 0, NULL);
        } else if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            h->content_type = arena_strndup(a, v, vlen);
        }
        i = end + 2;
    }
    return 0;
}

/* "C:\\dir\\a.txt" -> "a.txt": browsers may send a path. */
static const char *base_name(const char *f)
{
    const char *b = f;
    for (const char *p = f; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

int request_parse_multipart(struct arena *a, const char *body, size_t len,
                            const char *boundary, struct http_param **fields,
                            int *nfields, struct http_file **files, int *nfiles)
{
    int rc = -1;
    int nf = 0, nfi = 0;
    struct http_param *f = NULL;
    struct http_file *fi = NULL;
    size_t blen = boundary ? strlen(boundary) : 0;
    if (blen == 0 || blen > 70)
        goto out;
    /* "\r\n--boundary": the delimiter before every part but the first */
    char *delim = arena_alloc(a, blen + 5);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    size_t dlen = blen + 4;

    /* at most one part per delimiter */
    size_t parts = 0;
    for (const char *q = body; q && (size_t)(q - body) < len;) {
        q = memmem(q, len - (size_t)(q - body), delim + 2, dlen - 2);
        if (q) {
            parts++;
            q += dlen - 2;
        }
    }
    if (parts == 0 || parts > REQUEST_MAX_PARAMS + 1)
        goto out;
    f = arena_alloc(a, sizeof(*f) * parts);
    fi = arena_alloc(a, sizeof(*fi) * parts);

    const char *end = body + len;
    const char *p;
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        p = body + dlen - 2;
    } else {
        const char *q = memmem(body, len, delim, dlen);
        if (q == NULL)
            goto out;
        p = q + dlen;
    }
    for (;;) {
        /* after a delimiter: "--" ends the body, else padding and CRLF */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break;
        while (p < end && is_ows(*p))
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            goto out;
        p += 2;
        const char *content;
        size_t hlen;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hlen = 0;
            content = p + 2;
        } else {
            const char *he = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
            if (he == NULL || he - p > 8192)
                goto out;
            hlen = (size_t)(he - p);
            content = he + 4;
        }
        struct part_head h;
        if (parse_part_headers(a, p, hlen, &h) < 0)
            goto out;
        const char *next =
            memmem(content, (size_t)(end - content), delim, dlen);
        if (next == NULL)
            goto out; /* truncated */
        size_t clen = (size_t)(next - content);
        if (!h.form_data || h.name == NULL ||
            !request_utf8_ok(h.name, strlen(h.name)))
            goto out;
        if (h.filename) {
            if (!request_utf8_ok(h.filename, strlen(h.filename)))
                goto out;
            if (h.filename[0] != '\0' || clen > 0) {
                fi[nfi].field = h.name;
                fi[nfi].filename = base_name(h.filename);
                fi[nfi].content_type = h.content_type && h.content_type[0]
                                           ? h.content_type
                                           : "application/octet-stream";
                fi[nfi].data = content;
                fi[nfi].len = clen;
                nfi++;
            }
        } else {
            if (!request_utf8_ok(content, clen))
                goto out;
            f[nf].name = h.name;
            f[nf].value = arena_strndup(a, content, clen);
            nf++;
        }
        p = next + dlen;
    }
    rc = 0;
out:
    *fields = f;
    *nfields = rc == 0 ? nf : 0;
    *files = fi;
    *nfiles = rc == 0 ? nfi : 0;
    return rc;
}

int request_method(const char *name)
{
    static const struct {
        const char *name;
        int bit;
    } methods[] = {
        {"GET", HTTP_GET},     {"POST", HTTP_POST},     {"PUT", HTTP_PUT},
        {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}, {"HEAD", HTTP_HEAD},
    };
    for (size_t i = 0; name && i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(name, methods[i].name) == 0)
            return methods[i].bit;
    return 0;
}

/* ---- lookups for handlers ---- */

static const char *find(const struct http_param *p, int n, const char *name,
                        int nocase)
{
    for (int i = 0; i < n; i++)
        if (nocase ? strcasecmp(p[i].name, name) == 0
                   : strcmp(p[i].name, name) == 0)
            return p[i].value;
    return NULL;
}

const char *http_param(const struct http_req *r, const char *name)
{
    return find(r->params, r->nparams, name, 0);
}

const char *http_query(const struct http_req *r, const char *name)
{
    return find(r->query, r->nquery, name, 0);
}

const char *http_form(const struct http_req *r, const char *name)
{
    return find(r->form, r->nform, name, 0);
}

int http_form_all(const struct http_req *r, const char *name, const char **out,
                  int max)
{
    int n = 0;
    for (int i = 0; i < r->nform && n < max; i++)
        if (strcmp(r->form[i].name, name) == 0)
            out[n++] = r->form[i].value;
    return n;
}

const char *http_header(const struct http_req *r, const char *name)
{
    return find(r->headers, r->nheaders, name, 1);
}

const char *http_cookie(const struct http_req *r, const char *name)
{
    return find(r->cookies, r->ncookies, name, 0);
}

const struct http_file *http_file(const struct http_req *r, const char *name)
{
    for (int i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].field, name) == 0)
            return &r->files[i];
    return NULL;
}

int http_is_api(const struct http_req *r)
{
    if (r->route && (r->route->flags & ROUTE_API))
        return 1;
    return r->path &&
           (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0);
}

const char *http_next_url(const struct http_req *r)
{
    const char *n = http_form(r, "next");
    if (n == NULL)
        n = http_query(r, "next");
    if (n == NULL || n[0] != '/' || n[1] == '/' || n[1] == '\\')
        return "/";
    for (const char *p = n; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "/";
    return n;
}

void request_init(struct http_req *r, struct app *app, struct arena *a)
{
    memset(r, 0, sizeof(*r));
    r->app = app;
    r->arena = a;
    r->reply_fd = -1;
    r->path = "/";
    r->uri = "/";
    r->query_string = "";
    r->ip = "";
}

int request_set_uri(struct http_req *r, const char *uri)
{
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    size_t dlen;
    char *path = request_decode(r->arena, uri, plen, 0, &dlen);
    r->uri = uri;
    r->query_string = q ? q + 1 : "";
    if (path[0] != '/' || !request_utf8_ok(path, dlen)) {
        r->path = arena_strndup(r->arena, uri, plen);
        return -1;
    }
    r->path = path;
    return 0;
}
