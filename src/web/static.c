/*
 * static.c - serves /static/<name> from the files compiled in from
 * src/web/static (see embed.h): the content type by extension, an ETag
 * from the bytes, a long max-age (pages link assets as
 * /static/app.css?v=<static_version()>, so a new build means new URLs),
 * and 304 when the browser already holds the same bytes.
 *
 * The ETags and the version are computed once, at first use, under
 * pthread_once; afterwards they are read-only.
 */
#include "web/web.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/embed.h"

#define STATIC_ETAG_LEN 20 /* "\"" + 16 hex + "\"" + NUL, rounded */

static pthread_once_t etag_once = PTHREAD_ONCE_INIT;
static char (*etags)[STATIC_ETAG_LEN]; /* parallel to embed_files */
static char version[17];

static uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void etags_build(void)
{
    size_t n = 0;
    while (embed_files[n].name)
        n++;
    etags = calloc(n ? n : 1, sizeof(*etags));
    if (etags == NULL)
        abort();
    uint64_t all = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        const struct embed_file *f = &embed_files[i];
        if (strncmp(f->name, "static/", 7) != 0)
            continue;
        uint64_t h = fnv1a(f->data, (size_t)f->len, 14695981039346656037ULL);
        snprintf(etags[i], sizeof(etags[i]), "\"%016llx\"",
                 (unsigned long long)h);
        all = fnv1a((const unsigned char *)f->name, strlen(f->name), all);
        all = fnv1a((const unsigned char *)&h, sizeof(h), all);
    }
    snprintf(version, sizeof(version), "%016llx", (unsigned long long)all);
}

const char *static_version(void)
{
    pthread_once(&etag_once, etags_build);
    return version;
}

static const char *content_type_of(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".json", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* 1 when an If-None-Match header lists etag (or is "*"). */
static int etag_matches(const char *header, const char *etag)
{
    size_t elen = strlen(etag);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p == '*' || strncmp(p, etag, elen) == 0)
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

int static_serve(struct http_req *r)
{
    pthread_once(&etag_once, etags_build);
    const char *rest = http_param(r, "*");
    char *name = arena_printf(r->arena, "static/%s", rest ? rest : "");
    size_t i = 0;
    while (embed_files[i].name && strcmp(embed_files[i].name, name) != 0)
        i++;
    if (embed_files[i].name == NULL) {
        http_reply_status(r, 404, NULL);
        return 0;
    }
    const struct embed_file *f = &embed_files[i];
    http_add_header(r, "ETag", etags[i]);
    http_add_header(r, "Cache-Control", "public, max-age=31536000");
    if (etag_matches(http_header(r, "If-None-Match"), etags[i])) {
        r->status = 304;
        r->content_type = NULL;
        r->reply_body = "";
        r->reply_len = 0;
        r->reply_static = 1;
        return 0;
    }
    r->status = 200;
    r->content_type = content_type_of(name);
    r->reply_body = (const char *)f->data;
    r->reply_len = (size_t)f->len;
    r->reply_static = 1;
    return 0;
}
