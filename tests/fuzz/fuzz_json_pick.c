/*
 * fuzz_json_pick.c - json_pick (base/json_pick.h) on any text: it must not
 * crash or leak, and whenever jansson parses the text as an object the
 * members it picks must be exactly those of the full parse (an abort is a
 * finding).  The first byte chooses which names are asked for.
 * json_pick_all must give exactly what jansson gives: the object, or NULL
 * when the text is anything else.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_pick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_names[] = {"title", "due", "a", "", "题目",
                                         "secrecy_term", "x"};
#define FUZZ_NNAMES (sizeof(fuzz_names) / sizeof(fuzz_names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *keys[FUZZ_NNAMES + 1];
    size_t nk = 0;
    char *text;
    json_t *full, *got;

    if (size < 1)
        return 0;
    for (size_t i = 0; i < FUZZ_NNAMES; i++)
        if (data[0] & (1u << i))
            keys[nk++] = fuzz_names[i];
    keys[nk] = NULL;
    /* json_pick reads a C string: the text ends at the first NUL */
    text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    got = json_pick(text, keys);
    full = json_loads(text, JSON_DECODE_ANY, NULL);
    if (json_is_object(full)) {
        json_t *want = json_object();
        for (size_t i = 0; i < nk; i++) {
            json_t *v = json_object_get(full, keys[i]);
            if (v != NULL)
                json_object_set(want, keys[i], v);
        }
        if (!json_equal(want, got))
            abort();
        json_decref(want);
    }
    json_t *all = json_pick_all(text);
    json_t *obj = json_is_object(full) ? full : NULL;
    if (!(obj == NULL && all == NULL) && !json_equal(obj, all))
        abort();
    json_decref(all);
    json_decref(full);
    json_decref(got);
    free(text);
    return 0;
}
