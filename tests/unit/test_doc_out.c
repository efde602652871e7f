/*
 * test_doc_out.c - unit tests of the 发文 module (src/modules/doc_out*.c):
 * its table passes module_check and carries the field codes of the API
 * contract (issue 5 item 1); the 发文字号 of a 代字 (six-sided brackets,
 * full year, no leading zeros, no 第); the 上行文 rule; the classification
 * mark; the nearest-rank percentile of the figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "kernel/module.h"
#include "kernel/number.h"
#include "modules/doc_out.h"

static void test_table_checks(void **state)
{
    char msg[512];
    (void)state;
    if (module_check(&doc_out_module, msg, sizeof(msg)) != 0)
        fail_msg("module_check: %s", msg);
}

static void test_table_contract(void **state)
{
    static const char *const codes[] = {
        "copy_no", "secrecy",   "secrecy_term",    "urgency", "issuer",
        "doc_number", "signer", "title",           "main_to", "body",
        "attachment_note", "issuer_sign", "date",  "notes",   "copy_to",
        "print_unit", "print_date", "copies",      "doc_type",
    };
    static const char *const types[] = {
        "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知",
        "通报", "报告", "请示", "批复", "议案", "函", "纪要",
    };
    const struct field_def *f;
    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (module_field(&doc_out_module, codes[i]) == NULL)
            fail_msg("no field %s", codes[i]);
    f = module_field(&doc_out_module, "doc_type");
    assert_string_equal(f->required_in, "*");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        int found = 0;
        for (int j = 0; f->choices[j].code != NULL; j++)
            found |= strcmp(f->choices[j].code, types[i]) == 0;
        if (!found)
            fail_msg("no type %s", types[i]);
    }
    assert_int_equal(module_field(&doc_out_module, "secrecy")->role,
                     FIELD_IS_SECRECY);
    assert_string_equal(module_field(&doc_out_module, "title")->required_in,
                        "*");
    assert_string_equal(module_field(&doc_out_module, "body")->required_in,
                        "*");
    /* the number is taken at 登记, and only there */
    assert_true(module_transition(&doc_out_module, "register")->flags &
                TR_NUMBER);
    assert_null(doc_out_module.number_pattern);
    /* 会签 waits for every co-unit */
    assert_int_equal(module_transition(&doc_out_module, "countersign")->all_rel,
                     REL_CO_UNIT);
    assert_non_null(module_state(&doc_out_module, "archived"));
}

static void test_number_format(void **state)
{
    struct arena *a = arena_new();
    const char *p = doc_out_pattern(a, "市政办发");
    (void)state;
    assert_non_null(p);
    assert_string_equal(p, "市政办发〔{year}〕{n}号");
    assert_true(number_pattern_ok(p));
    assert_string_equal(number_format(a, p, 2026, 1), "市政办发〔2026〕1号");
    assert_string_equal(number_format(a, p, 2026, 86), "市政办发〔2026〕86号");
    assert_string_equal(number_format(a, p, 2027, 100),
                        "市政办发〔2027〕100号");
    assert_null(doc_out_pattern(a, ""));
    assert_null(doc_out_pattern(a, NULL));
    assert_null(doc_out_pattern(a, "市政{办}发"));
    assert_null(doc_out_pattern(a, "市政办发〔"));
    assert_null(doc_out_pattern(a, "一二三四五六七八九十一二三四五六七八九十一"));
    assert_non_null(doc_out_pattern(a, "一二三四五六七八九十一二三四五六七八九十"));
    arena_free(a);
}

static void test_upward(void **state)
{
    static const struct {
        const char *type;
        int above;
        int upward;
    } rows[] = {
        {"请示", 0, 1}, {"报告", 0, 1}, {"通知", 0, 0}, {"函", 0, 0},
        {"通知", 1, 1}, {"意见", 1, 1}, {NULL, 0, 0},   {"批复", 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (doc_out_is_upward(rows[i].type, rows[i].above) != rows[i].upward)
            fail_msg("row %zu: %s above=%d", i,
                     rows[i].type ? rows[i].type : "(null)", rows[i].above);
}

static void test_mark(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    assert_string_equal(doc_out_mark(a, 0, "20年"), "");
    assert_string_equal(doc_out_mark(a, 2, "20年"), "机密★20年");
    assert_string_equal(doc_out_mark(a, 2, "20"), "机密★20年");
    assert_string_equal(doc_out_mark(a, 1, NULL), "秘密");
    assert_string_equal(doc_out_mark(a, 3, "长期"), "绝密★长期");
    arena_free(a);
}

static void test_percentile(void **state)
{
    double v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    double one[] = {7};
    (void)state;
    assert_true(doc_out_percentile(v, 10, 90) == 9);
    assert_true(doc_out_percentile(v, 10, 50) == 5);
    assert_true(doc_out_percentile(one, 1, 90) == 7);
    assert_true(doc_out_percentile(NULL, 0, 90) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_checks),
        cmocka_unit_test(test_table_contract),
        cmocka_unit_test(test_number_format),
        cmocka_unit_test(test_upward),
        cmocka_unit_test(test_mark),
        cmocka_unit_test(test_percentile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
