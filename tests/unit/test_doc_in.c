/*
 * test_doc_in.c - unit tests of the 收文办理 module (src/modules/doc_in.c):
 * its table passes module_check, carries the field codes the exchange
 * (doc_out) relies on with their engine roles, and the 收文编号 pattern
 * gives 收文〔2026〕1号: six-sided brackets, full year, no leading zeros.
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
#include "modules/doc_in.h"

static void test_doc_in_table_checks(void **state)
{
    char msg[256] = "";
    (void)state;
    if (module_check(&doc_in_module, msg, sizeof(msg)) != 0)
        fail_msg("module_check: %s", msg);
    assert_string_equal(module_initial(&doc_in_module)->code, "to_sign");
}

/* The fields the exchange fills, with their types and engine roles. */
static void test_doc_in_contract(void **state)
{
    static const struct {
        const char *code;
        enum field_type type;
        enum field_role role;
    } want[] = {
        {"title", FIELD_TEXT, FIELD_IS_TITLE},
        {"doc_number", FIELD_TEXT, FIELD_PLAIN},
        {"issuer", FIELD_TEXT, FIELD_PLAIN},
        {"from_unit", FIELD_UNIT, FIELD_PLAIN},
        {"recv_unit", FIELD_UNIT, FIELD_IS_OWNER_UNIT},
        {"secrecy", FIELD_CHOICE, FIELD_IS_SECRECY},
        {"secrecy_term", FIELD_TEXT, FIELD_PLAIN},
        {"urgency", FIELD_CHOICE, FIELD_PLAIN},
        {"doc_type", FIELD_TEXT, FIELD_PLAIN},
        {"received_no", FIELD_TEXT, FIELD_PLAIN},
        {"handling_unit", FIELD_UNIT, FIELD_IS_LEAD_UNIT},
        {"proposal", FIELD_LONGTEXT, FIELD_PLAIN},
        {"instruction", FIELD_LONGTEXT, FIELD_PLAIN},
        {"deadline", FIELD_DATE, FIELD_IS_DEADLINE},
        {"chaser", FIELD_PERSON, FIELD_PLAIN},
        {"readers", FIELD_PERSONS, FIELD_IS_READERS},
        {"result", FIELD_LONGTEXT, FIELD_PLAIN},
        {"source_case", FIELD_NUMBER, FIELD_PLAIN},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct field_def *f = module_field(&doc_in_module, want[i].code);
        if (f == NULL)
            fail_msg("no field %s", want[i].code);
        assert_int_equal(f->type, want[i].type);
        assert_int_equal(f->role, want[i].role);
    }
    /* urgency: none / 加急 / 特急 */
    const struct field_def *u = module_field(&doc_in_module, "urgency");
    assert_string_equal(u->choices[0].code, "none");
    assert_string_equal(u->choices[1].label, "加急");
    assert_string_equal(u->choices[2].label, "特急");
    /* the steps of the regulations, in order */
    static const char *const steps[] = {"sign",     "register", "accept",
                                        "reject",   "propose",  "instruct",
                                        "circulate", "read",    "complete",
                                        "reply",    "archive"};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (module_transition(&doc_in_module, steps[i]) == NULL)
            fail_msg("no transition %s", steps[i]);
    /* 登记 takes the number; 已阅 is one per reader */
    assert_true(module_transition(&doc_in_module, "register")->flags &
                TR_NUMBER);
    assert_int_equal(module_transition(&doc_in_module, "read")->all_rel,
                     REL_READER);
    /* the handling limit by urgency, each a setting */
    const struct clock_def *h = module_clock(&doc_in_module, "handle");
    assert_true(h->main);
    assert_string_equal(h->deadline_field, "deadline");
    for (int i = 0; h->lengths[i].choice != NULL; i++)
        assert_non_null(h->lengths[i].setting);
}

static void test_doc_in_number_format(void **state)
{
    static const struct {
        int year;
        int64_t n;
        const char *want;
    } rows[] = {
        {2026, 1, "收文〔2026〕1号"},
        {2026, 86, "收文〔2026〕86号"},
        {2027, 1024, "收文〔2027〕1024号"},
    };
    struct arena *a = arena_new();
    (void)state;
    assert_true(number_pattern_ok(DOC_IN_NUMBER_PATTERN));
    assert_string_equal(doc_in_module.number_pattern, DOC_IN_NUMBER_PATTERN);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_string_equal(
            number_format(a, DOC_IN_NUMBER_PATTERN, rows[i].year, rows[i].n),
            rows[i].want);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_in_table_checks),
        cmocka_unit_test(test_doc_in_contract),
        cmocka_unit_test(test_doc_in_number_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
