/*
 * fuzz_tmpl.c - libFuzzer target for the template engine (src/web/tmpl.c):
 * parses the input as a template and renders it with a small context, with
 * the embedded templates available as partials and an output cap.  Built
 * by hand after a CMake build has written build/embedded.c:
 *
 *     clang -g -O1 -std=c17 -D_GNU_SOURCE -Isrc \
 *         -fsanitize=fuzzer,address,undefined \
 *         tests/fuzz/fuzz_tmpl.c src/web/tmpl.c src/web/embed.c \
 *         build/embedded.c src/base/buf.c src/base/log.c \
 *         $(pkg-config --cflags --libs jansson) -lpthread -o fuzz_tmpl
 *     ./fuzz_tmpl -max_total_time=60 -max_len=2048
 */
#include <stdint.h>
#include <string.h>

#include "web/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ctx_json[] =
    "{\"a\":[1,{\"b\":\"<x>\"},[]],\"s\":\"q&\",\"o\":{\"a\":{\"a\":1}},"
    "\"t\":true,\"csrf\":\"c\",\"nav\":[{\"label\":\"l\",\"href\":\"/\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *ctx;
    char err[128];
    if (ctx == NULL)
        ctx = json_loads(ctx_json, 0, NULL);
    struct tmpl *t =
        tmpl_parse("fuzz", (const char *)data, size, err, sizeof(err));
    if (t) {
        struct buf b;
        buf_init(&b, (size_t)1 << 16);
        tmpl_render(t, ctx, &b);
        buf_free(&b);
        tmpl_free(t);
    }
    return 0;
}
