/*
 * fuzz_request.c - libFuzzer target for the request parsers of
 * src/web/request.c and route.c: urlencoded forms and query strings,
 * cookies, Content-Type parameters, multipart/form-data (with a fixed
 * boundary, and with the first bytes of the input as the boundary), the
 * request target, and route matching.  Built by hand, not by CMake:
 *
 *     clang -g -O1 -std=c17 -D_GNU_SOURCE -Isrc \
 *         -fsanitize=fuzzer,address,undefined \
 *         tests/fuzz/fuzz_request.c src/web/request.c src/web/route.c \
 *         src/base/arena.c src/base/buf.c src/base/log.c \
 *         $(pkg-config --cflags --libs jansson) -o fuzz_request
 *     ./fuzz_request -max_total_time=60 -max_len=4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    request_parse_urlencoded(a, raw, size, &p, &n);
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
    free(raw);
    arena_free(a);
    return 0;
}
