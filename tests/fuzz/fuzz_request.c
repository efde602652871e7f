/*
 * fuzz_request.c - libFuzzer target for the request parsers of
 * src/web/request.c, route.c and input.c: urlencoded forms and query
 * strings, cookies, Content-Type parameters, multipart/form-data (with a
 * fixed boundary, and with the first bytes of the input as the boundary),
 * the request target, route matching (one pattern, and the server's whole
 * route table for every method), and the declared inputs of a form
 * (input_read over the parsed fields).
 *
 * Checked besides sanitizer reports: a route found matches the method
 * asked and the path, and a form refused by input_read is refused with 400.
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_request -max_total_time=60 -max_len=4096 \
 *         tests/fuzz/corpus/request
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/input.h"
#include "web/routes.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, __VA_ARGS__);                                          \
        abort();                                                               \
    } while (0)

/* A form of every input type, as a handler declares it. */
static const struct input_field fuzz_form_spec[] = {
    {"title", IN_TEXT, 1, 200, "标题", 0}, {"a", IN_TEXT, 0, 0, NULL, 0},
    {"n", IN_INT, 0, 100, "数量", 1},      {"on", IN_BOOL, 0, 0, "启用", 0},
    {"b", IN_LIST, 0, 4, "选项", 0},       {0},
};
#define FUZZ_NSPEC (sizeof(fuzz_form_spec) / sizeof(fuzz_form_spec[0]))

static const int fuzz_methods[] = {HTTP_GET,   HTTP_POST,   HTTP_PUT,
                                   HTTP_PATCH, HTTP_DELETE, HTTP_HEAD};
#define FUZZ_NMETHODS (sizeof(fuzz_methods) / sizeof(fuzz_methods[0]))

/* The server's route table, for every method, as dispatch.c asks it. */
static void fuzz_routes(struct arena *a, const char *uri)
{
    for (size_t i = 0; i < FUZZ_NMETHODS; i++) {
        struct http_req r;
        const struct route *rt;
        int allowed = 0;
        request_init(&r, NULL, a);
        if (request_set_uri(&r, uri) != 0)
            return;
        r.method = fuzz_methods[i];
        rt = route_find(&r, routes_table, &allowed);
        if (rt == NULL)
            continue;
        if ((rt->methods & r.method) == 0 &&
            !(r.method == HTTP_HEAD && (rt->methods & HTTP_GET) != 0))
            FUZZ_FAIL("route %s found for method %d\n", rt->pattern, r.method);
        if (r.route != rt)
            FUZZ_FAIL("route_find did not set r->route\n");
    }
}

/* input_read over the fields of an urlencoded body. */
static void fuzz_form(struct arena *a, struct http_param *fields, int n,
                      const char *body, size_t len)
{
    struct http_req r;
    struct input_value vals[FUZZ_NSPEC];
    struct err e;
    request_init(&r, NULL, a);
    r.method = HTTP_POST;
    r.form = fields;
    r.nform = n;
    r.body = body;
    r.body_len = len;
    err_clear(&e);
    if (input_read(&r, fuzz_form_spec, vals, &e) != 0 && e.status != 400)
        FUZZ_FAIL("input_read refused a form with %d, not 400\n", e.status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    /* an exact-size copy, so that ASan sees any read past the end */
    char *raw = malloc(size ? size : 1);
    char *str = arena_strndup(a, (const char *)data, size);
    struct http_param *p, params[8];
    struct http_file *f;
    int n, nf;
    struct http_req r;

    memcpy(raw, data, size);
    if (request_parse_urlencoded(a, raw, size, &p, &n) == 0)
        fuzz_form(a, p, n, raw, size);
    request_parse_cookies(a, str, &p, &n);
    request_boundary(a, str);
    request_parse_multipart(a, raw, size, "XyZ", &p, &n, &f, &nf);
    if (size > 4) {
        char b[5];
        memcpy(b, data, 4);
        b[4] = '\0';
        request_parse_multipart(a, raw + 4, size - 4, b, &p, &n, &f, &nf);
    }
    request_init(&r, NULL, a);
    request_set_uri(&r, str);
    route_match(a, "/a/:b/c/*", str, params, 8, &n);
    fuzz_routes(a, str);
    free(raw);
    arena_free(a);
    return 0;
}
