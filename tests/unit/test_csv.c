/*
 * test_csv.c - the shared CSV reader (base/csv.c): cells, quotes, line
 * ends, lines of malformed records, and the GB18030 fallback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/csv.h"

/* Reads every record of text; returns them joined as "a|b;c|d;" with bad
 * records as "!LINE:" and the line of each record start as "@LINE". */
static const char *read_all(struct arena *a, const char *text)
{
    struct csv c;
    struct buf out;
    const char *cells[8], *why;
    int n, line;
    buf_init(&out, 0);
    csv_init(&c, text, strlen(text), 16);
    while (csv_record(&c, a, cells, 8, &n, &line, &why)) {
        if (why) {
            buf_printf(&out, "!%d;", line);
            continue;
        }
        buf_printf(&out, "@%d:", line);
        for (int i = 0; i < n; i++)
            buf_printf(&out, "%s%s", i ? "|" : "", cells[i]);
        buf_puts(&out, ";");
    }
    csv_free(&c);
    const char *r = arena_strdup(a, out.ptr);
    buf_free(&out);
    return r;
}

static void test_records(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"a,b\nc,d\n", "@1:a|b;@2:c|d;"},
        {"a,b\r\nc,d", "@1:a|b;@2:c|d;"},
        {"\xEF\xBB\xBFx,y\n", "@1:x|y;"},
        {" a , b\t\n", "@1:a|b;"},
        {"\xE3\x80\x80甲\xE3\x80\x80,乙\n", "@1:甲|乙;"},
        {"\" kept \",\"say \"\"hi\"\"\"\n", "@1: kept |say \"hi\";"},
        {"\"two\nlines\",x\nnext,y\n", "@1:two\nlines|x;@3:next|y;"},
        {"a,,c\n", "@1:a||c;"},
        {"a\"b,c\nok,1\n", "!1;@2:ok|1;"},
        {"\"open,c\n", "!1;"},
        {"\"q\"x,c\nok\n", "!1;@2:ok;"},
        {"0123456789abcdefXYZ,c\nok\n", "!1;@2:ok;"},
        {"1,2,3,4,5,6,7,8,9\nok\n", "!1;@2:ok;"},
        {"", ""},
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = read_all(a, rows[i].in);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu: got \"%s\", want \"%s\"", i, got, rows[i].want);
    }
    arena_free(a);
}

static void test_encodings(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *out, *why;
    size_t n;
    int line;
    /* UTF-8 as is, BOM dropped */
    assert_int_equal(csv_to_utf8(a, "\xEF\xBB\xBF督办", 9, &out, &n, &line,
                                 &why),
                     0);
    assert_string_equal(out, "督办");
    /* GB18030 (GBK) "督办,你好" converted */
    const char gbk[] = "\xB6\xBD\xB0\xEC,\xC4\xE3\xBA\xC3";
    assert_int_equal(csv_to_utf8(a, gbk, sizeof(gbk) - 1, &out, &n, &line,
                                 &why),
                     0);
    assert_string_equal(out, "督办,你好");
    /* mostly UTF-8 with a stray GBK row: refused, naming its line */
    const char mixed[] = "好,1\n\xC4\xE3\xBA\xC3,2\n";
    assert_int_equal(csv_to_utf8(a, mixed, sizeof(mixed) - 1, &out, &n, &line,
                                 &why),
                     -1);
    assert_int_equal(line, 2);
    assert_non_null(strstr(why, "UTF-8"));
    /* neither */
    assert_int_equal(csv_to_utf8(a, "\xFF\xFF", 2, &out, &n, &line, &why),
                     -1);
    assert_non_null(why);
    arena_free(a);
}

/* Bytes shaped like UTF-8 that UTF-8 forbids (surrogates, overlong forms,
 * beyond U+10FFFF) are not UTF-8: they must not pass through as text, or
 * they reach json_string() (which refuses them) and the database.  Found
 * by tests/fuzz/fuzz_csv.c ("\xED\xBF\xBB\x19" was answered as is). */
static void test_invalid_utf8_shapes(void **state)
{
    (void)state;
    static const char *const shapes[] = {
        "\xED\xBF\xBB\x19",    /* U+DFFB, a low surrogate (the fuzz find) */
        "\xED\xA0\x80",        /* U+D800 */
        "\xE0\x80\xAF",        /* '/' in three bytes */
        "\xF0\x80\x80\xAF",    /* '/' in four bytes */
        "\xF4\x90\x80\x80",    /* U+110000 */
    };
    struct arena *a = arena_new();
    const char *out, *why;
    size_t n;
    int line;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        int rc = csv_to_utf8(a, shapes[i], strlen(shapes[i]), &out, &n, &line,
                             &why);
        /* refused, or read as GB18030 (then it is other text) */
        if (rc == 0 && strcmp(out, shapes[i]) == 0)
            fail_msg("shape %zu passed through as UTF-8", i);
    }
    /* with real UTF-8 before it, the file is refused at its line */
    const char mixed[] = "好,1\n\xED\xA0\x80,2\n";
    assert_int_equal(csv_to_utf8(a, mixed, sizeof(mixed) - 1, &out, &n, &line,
                                 &why),
                     -1);
    assert_int_equal(line, 2);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_invalid_utf8_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
