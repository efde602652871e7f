/*
 * test_json_pick.c - json_pick (base/json_pick.h) gives what a full parse
 * filtered to the named members gives: for hand-written texts with every
 * trap (braces and quotes inside strings, escaped names, nesting, white
 * space, duplicates), for random objects dumped compact and indented, and
 * NULL for texts that are not an object or are cut short.  json_pick_all
 * gives what json_loads gives for the same texts, NULL for anything after
 * the object, and both refuse nesting where jansson does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_pick.h"

/* The members of the object text named in keys, by a full parse; NULL
 * when text is not an object. */
static json_t *pick_by_parsing(const char *text, const char *const *keys)
{
    json_t *all = json_loads(text, JSON_DECODE_ANY, NULL), *out;
    if (!json_is_object(all)) {
        json_decref(all);
        return NULL;
    }
    out = json_object();
    for (const char *const *k = keys; *k != NULL; k++) {
        json_t *v = json_object_get(all, *k);
        if (v != NULL)
            json_object_set(out, *k, v);
    }
    json_decref(all);
    return out;
}

/* Fails unless got is want (both NULL counts); drops both. */
static void expect_same(const char *fn, const char *text, json_t *want,
                        json_t *got)
{
    if (!json_equal(want, got) && !(want == NULL && got == NULL)) {
        char *w = want ? json_dumps(want, 0) : NULL;
        char *g = got ? json_dumps(got, 0) : NULL;
        fail_msg("%s(%s) gave %s, parsing gives %s", fn, text, g ? g : "NULL",
                 w ? w : "NULL");
    }
    json_decref(want);
    json_decref(got);
}

static void check_same(const char *text, const char *const *keys)
{
    expect_same("json_pick", text, pick_by_parsing(text, keys),
                json_pick(text, keys));
}

/* json_pick_all gives what json_loads gives: the object, or NULL. */
static void check_all(const char *text)
{
    json_t *want = json_loads(text, 0, NULL);
    if (!json_is_object(want)) {
        json_decref(want);
        want = NULL;
    }
    expect_same("json_pick_all", text, want, json_pick_all(text));
}

static const char *const some[] = {"title", "due", "list", "x", NULL};

static void test_written_by_hand(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{}",
        " { } ",
        "{\"title\":\"关于做好安全生产工作的通知\",\"body\":\"很长的正文\"}",
        "{\"body\":\"a } ] , { [ \\\" \\\\\",\"title\":\"t\"}",
        "{\"obj\":{\"title\":\"inner\",\"a\":[1,{\"b\":\"}\"}]},\"title\":1}",
        "{\"list\":[1,2,[3,[4]],{\"k\":\"v\"}],\"due\":null}",
        "{\"\\u0074itle\":\"escaped name\",\"du\\u0065\":true}",
        "{\"title\":\"first\",\"title\":\"second\"}",
        "{ \"x\" : -12.5e3 , \"due\" : false ,\n\t\"title\" : \"t\" }",
        "{\"titles\":\"not title\",\"tit\":\"nor this\"}",
        "{\"x\":\"\\ud83d\\ude00 emoji\",\"y\":0}",
        "{\"x\":{}, \"title\":[]}",
        /* values pick_simple makes itself, and the ones it leaves to
         * jansson (\\u escapes, reals, long integers) */
        "{\"title\":\"\",\"due\":0}",
        "{\"title\":\"plain 办理\" ,\"due\": -0 }",
        "{\"title\":\"tab\\tand\\u00e9\",\"due\":123456789012345678}",
        "{\"due\":1234567890123456789,\"x\":-9223372036854775807}",
        "{\"due\":-1234567890,\"title\":\"x\"}",
        "{\"due\":1e2,\"list\":2.50}",
        "{\"due\":  7\n}",
        /* escapes of one character, arrays of plain values, the three
         * words: made without jansson; \\u and nesting: left to it */
        "{\"title\":\"a\\nb\\t\\\"c\\\\d\\/e\\r\\b\\f\",\"x\":\"\\u4e2d\"}",
        "{\"list\":[\"wjw\",\"zrj\"],\"x\":[ 1 , -2 ,true,false,null ]}",
        "{\"list\":[],\"x\":[ ],\"due\":[[1],{\"a\":[2]}]}",
        "{\"list\":[\"a]\",\"b,\\\"]\"],\"title\":true,\"due\":null}",
        "{\"x\":false , \"list\" : [ \"\\n\" ] }",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        check_same(texts[i], some);
        check_all(texts[i]);
        json_t *all = json_pick_all(texts[i]);
        assert_non_null(all); /* each is an object */
        json_decref(all);
    }
    /* what jansson refuses, pick_simple refuses too: a raw control
     * character, bytes that are not UTF-8, a leading zero, a lone minus */
    static const char *const bad[] = {
        "{\"title\":\"a\001b\"}", "{\"title\":\"\xff\xfe\"}",
        "{\"due\":012}",          "{\"due\":-}",
        "{\"due\":-01}",          "{\"due\":1-2}",
        "{\"list\":[1,]}",        "{\"list\":[,1]}",
        "{\"list\":[1 2]}",       "{\"list\":[\"a\"\"b\"]}",
        "{\"due\":tru}",          "{\"due\":nulll}",
        "{\"title\":\"\\x\"}",    "{\"title\":\"a\\\"}",
        "{\"list\":[\"\\q\"]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        check_same(bad[i], some);
        json_t *got = json_pick(bad[i], some);
        if (got != NULL)
            fail_msg("json_pick(%s) should be NULL", bad[i]);
        assert_null(json_pick_all(bad[i]));
    }
    /* names: escaped, empty, not UTF-8 */
    check_all("{\"\\u9898\\u76ee\":\"题目\",\"\":1,\"a\\\"b\":2}");
    assert_null(json_pick_all("{\"\xff\":1}"));
    assert_null(json_pick_all("{\"a\\u0000b\":1}"));
    assert_null(json_pick_all("{\"a\tb\":1}"));
}

static void test_not_an_object(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",       "[]",       "1",           "\"s\"",        "null",
        "{",      "{\"title\"", "{\"title\":", "{\"title\":\"x",
        "{\"a\":1", "{\"a\":1,", "{\"a\" 1}",   "{a:1}",        "{\"a\":[1}",
        "{\"a\":}", "{,}",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_t *got = json_pick(texts[i], some);
        if (got != NULL)
            fail_msg("json_pick(%s) should be NULL", texts[i]);
    }
    /* a wanted value that is itself malformed refuses the whole text */
    assert_null(json_pick("{\"title\":tru}", some));
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_null(json_pick_all(texts[i]));
        check_all(texts[i]);
    }
    /* every value is parsed, and nothing may follow the object */
    static const char *const tails[] = {"{\"body\":tru}", "{} x", "{\"a\":1}}",
                                        "{\"a\":1} 2", "{}{}"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        assert_null(json_pick_all(tails[i]));
        check_all(tails[i]);
    }
    json_t *o = json_pick_all(" {} \n");
    assert_non_null(o);
    json_decref(o);
}

/* A member nested as deep as jansson allows counting the object itself,
 * and one level deeper, which it refuses: so do both picks. */
static void test_depth(void **state)
{
    (void)state;
    for (int k = 2046; k <= 2049; k++) {
        size_t n = 16 + 2 * (size_t)k;
        char *text = malloc(n);
        char *p = text;
        p += sprintf(p, "{\"x\":");
        for (int i = 0; i < k; i++)
            *p++ = '[';
        for (int i = 0; i < k; i++)
            *p++ = ']';
        strcpy(p, "}");
        check_same(text, some);
        check_all(text);
        json_t *all = json_pick_all(text);
        if ((all != NULL) != (k < 2048))
            fail_msg("json_pick_all of a member %d deep gave %s", k,
                     all ? "an object" : "NULL");
        json_decref(all);
        free(text);
    }
}

/* ---- random objects ---- */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}

static json_t *random_value(int depth);

static json_t *random_string(void)
{
    static const char *const bits[] = {"a", "{", "}", "[", "]", "\"", "\\",
                                       ",", ":", " ", "办", "\n", "/", "😀"};
    char s[64] = "";
    int n = (int)rnd(8);
    for (int i = 0; i < n; i++)
        strcat(s, bits[rnd(sizeof(bits) / sizeof(bits[0]))]);
    return json_string(s);
}

static json_t *random_value(int depth)
{
    switch (depth > 3 ? rnd(5) : rnd(7)) {
    case 0:
        return json_integer((json_int_t)rnd(100000) - 50000);
    case 1:
        return json_real((double)rnd(1000) / 7.0);
    case 2:
        return rnd(2) ? json_true() : json_null();
    case 3:
    case 4:
        return random_string();
    case 5: {
        json_t *a = json_array();
        for (unsigned i = rnd(4); i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned i = rnd(4); i > 0; i--)
            json_object_set_new(o, some[rnd(4)], random_value(depth + 1));
        return o;
    }
    }
}

static void test_random_objects(void **state)
{
    (void)state;
    static const char *const names[] = {"title", "due", "list", "x",
                                        "body",  "k",   "题目"};
    static const size_t flags[] = {JSON_COMPACT, JSON_INDENT(2), 0,
                                   JSON_ENSURE_ASCII | JSON_COMPACT};
    for (int round = 0; round < 3000; round++) {
        json_t *o = json_object();
        for (unsigned i = rnd(8); i > 0; i--)
            json_object_set_new(o, names[rnd(7)], random_value(0));
        char *text = json_dumps(o, flags[rnd(4)]);
        const char *keys[4] = {names[rnd(7)], names[rnd(7)], names[rnd(7)],
                               NULL};
        check_same(text, keys);
        check_all(text);
        /* cut short anywhere inside, it is never an object */
        size_t cut = strlen(text) > 1 ? rnd((unsigned)strlen(text) - 1) : 0;
        text[cut] = '\0';
        json_t *got = json_pick(text, keys);
        if (got != NULL)
            fail_msg("json_pick of a text cut at %zu gave an object: %s", cut,
                     text);
        if ((got = json_pick_all(text)) != NULL)
            fail_msg("json_pick_all of a text cut at %zu gave an object: %s",
                     cut, text);
        free(text);
        json_decref(o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_by_hand),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_random_objects),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests_name("json_pick", tests, NULL, NULL);
}
