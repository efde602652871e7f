/*
 * test_module.c - unit tests of the module tables (src/kernel/module.c):
 * list membership, lookups, the registry (every compiled-in module passes
 * module_check), and module_check refusing each kind of broken table
 * (table-driven: one mutation of a good module per row).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kernel/module.h"

static const struct choice_def kinds[] = {
    {"a", "甲"}, {"b", "乙"}, {NULL, NULL}};
static const struct clock_length lens[] = {
    {"a", 5, NULL}, {"b", 10, NULL}, {NULL, 0, NULL}};

static struct field_def good_fields[] = {
    {.code = "title",
     .label = "名称",
     .type = FIELD_TEXT,
     .role = FIELD_IS_TITLE,
     .required_in = "*"},
    {.code = "kind",
     .label = "类别",
     .type = FIELD_CHOICE,
     .choices = kinds,
     .default_value = "a"},
    {.code = "lead",
     .label = "牵头单位",
     .type = FIELD_UNIT,
     .role = FIELD_IS_LEAD_UNIT,
     .required_in = "open"},
    {.code = "days",
     .label = "延期天数",
     .type = FIELD_NUMBER,
     .min = 1,
     .max = 30},
    {.code = "due", .label = "完成时限", .type = FIELD_DATE},
    {0},
};
static struct state_def good_states[] = {
    {.code = "new", .label = "新建", .flags = STATE_INITIAL},
    {.code = "open", .label = "办理中"},
    {.code = "done", .label = "办结", .flags = STATE_CLOSED},
    {0},
};
static struct transition_def good_trs[] = {
    {.code = "start",
     .label = "开始",
     .from = "new",
     .to = "open",
     .roles = "clerk",
     .fields = "lead,kind,due",
     .required = "lead",
     .clocks = {{"main", CLOCK_OP_START}}},
    {.code = "ask",
     .label = "申请延期",
     .from = "open",
     .fields = "days",
     .opens = "ext"},
    {.code = "grant",
     .label = "批准延期",
     .from = "open",
     .needs = "ext",
     .clocks = {{"main", CLOCK_OP_EXTEND}},
     .extend_field = "days"},
    {.code = "close",
     .label = "办结",
     .from = "open,new",
     .to = "done",
     .clocks = {{"main", CLOCK_OP_STOP}}},
    {0},
};
static struct clock_def good_clocks[] = {
    {.code = "main",
     .label = "办理时限",
     .unit = CLOCK_WORKDAYS,
     .length = 15,
     .length_field = "kind",
     .lengths = lens,
     .deadline_field = "due",
     .main = 1},
    {0},
};
static struct pending_def good_pendings[] = {
    {.code = "ext", .label = "延期待批"},
    {0},
};
static struct module_def good = {
    .code = "good",
    .label = "好模块",
    .case_label = "事项",
    .fields = good_fields,
    .states = good_states,
    .transitions = good_trs,
    .clocks = good_clocks,
    .pendings = good_pendings,
    .number_pattern = "好〔{year}〕{n}号",
    .create_roles = "clerk",
};

static const struct module_def *const test_list[] = {&good, NULL};

static void test_in_list(void **state)
{
    (void)state;
    static const struct {
        const char *list, *code;
        int want;
    } rows[] = {
        {"a,b,c", "a", 1},
        {"a,b,c", "b", 1},
        {"a,b,c", "c", 1},
        {"a,b,c", "d", 0},
        {"ab,c", "a", 0},
        {"a,bc", "b", 0},
        {"*", "anything", 1},
        {"", "a", 0},
        {NULL, "a", 0},
        {"a", NULL, 0},
        {"registered", "registered", 1},
        {"registered,assigned", "assigned", 1},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (module_in_list(rows[i].list, rows[i].code) != rows[i].want)
            fail_msg("row %zu: %s in %s", i, rows[i].code ? rows[i].code : "",
                     rows[i].list ? rows[i].list : "(null)");
}

static void test_lookups(void **state)
{
    (void)state;
    char msg[256];
    module_registry_use(test_list);
    assert_ptr_equal(module_find("good"), &good);
    assert_null(module_find("nope"));
    assert_null(module_find(NULL));
    assert_ptr_equal(module_field(&good, "lead"), &good_fields[2]);
    assert_null(module_field(&good, "nope"));
    assert_ptr_equal(module_state(&good, "open"), &good_states[1]);
    assert_ptr_equal(module_transition(&good, "grant"), &good_trs[2]);
    assert_ptr_equal(module_clock(&good, "main"), &good_clocks[0]);
    assert_ptr_equal(module_initial(&good), &good_states[0]);
    assert_int_equal(module_check(&good, msg, sizeof(msg)), 0);
    assert_string_equal(msg, "");
    module_registry_use(NULL);
}

/* Every module compiled in passes the check. */
static void test_registry(void **state)
{
    (void)state;
    char msg[512];
    const struct module_def *const *l = module_list();
    for (int i = 0; l[i] != NULL; i++)
        if (module_check(l[i], msg, sizeof(msg)) != 0)
            fail_msg("%s", msg);
}

/* A mutation of a copy of the good module, and a word of the expected
 * message. */
struct breakage {
    const char *name;
    void (*mutate)(struct module_def *m, struct field_def *f,
                   struct state_def *s, struct transition_def *t,
                   struct clock_def *c);
    const char *want;
};

#define MUT(fn)                                                                \
    static void fn(struct module_def *m, struct field_def *f,                  \
                   struct state_def *s, struct transition_def *t,              \
                   struct clock_def *c)

MUT(no_initial)
{
    (void)m;
    (void)f;
    (void)t;
    (void)c;
    s[0].flags = 0;
}
MUT(two_initial)
{
    (void)m;
    (void)f;
    (void)t;
    (void)c;
    s[1].flags = STATE_INITIAL;
}
MUT(bad_from)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].from = "nowhere";
}
MUT(bad_to)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].to = "nowhere";
}
MUT(dup_state)
{
    (void)m;
    (void)f;
    (void)t;
    (void)c;
    s[2].code = "open";
}
MUT(dup_field)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[1].code = "title";
}
MUT(dup_transition)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[1].code = "start";
}
MUT(bad_field_in_tr)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].fields = "lead,ghost";
}
MUT(bad_required)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].required = "ghost";
}
MUT(bad_clock_effect)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].clocks[0].clock = "ghost";
}
MUT(extend_without_field)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[2].extend_field = NULL;
}
MUT(bad_pending)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[1].opens = "ghost";
}
MUT(no_title)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[0].role = FIELD_PLAIN;
}
MUT(role_type)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[2].type = FIELD_TEXT; /* a lead unit that is text */
}
MUT(choice_without_choices)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[1].choices = NULL;
}
MUT(bad_default)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[1].default_value = "z";
}
MUT(bad_required_in)
{
    (void)m;
    (void)s;
    (void)t;
    (void)c;
    f[2].required_in = "open,ghost";
}
MUT(bad_length_choice)
{
    (void)m;
    (void)f;
    (void)s;
    (void)t;
    static const struct clock_length bad[] = {{"zz", 1, NULL}, {0}};
    c[0].lengths = bad;
}
MUT(bad_deadline_field)
{
    (void)m;
    (void)f;
    (void)s;
    (void)t;
    c[0].deadline_field = "kind";
}
MUT(bad_unit)
{
    (void)m;
    (void)f;
    (void)s;
    (void)t;
    c[0].unit = 9;
}
MUT(bad_pattern)
{
    (void)f;
    (void)s;
    (void)t;
    (void)c;
    m->number_pattern = "好{year}";
}
MUT(bad_code)
{
    (void)f;
    (void)s;
    (void)t;
    (void)c;
    m->code = "Bad Code";
}
MUT(bad_child)
{
    (void)f;
    (void)s;
    (void)t;
    (void)c;
    m->child_module = "ghost";
}
MUT(bad_list)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].from = "new,,open";
}
MUT(bad_within)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[3].within = "ghost";
}
MUT(reserved_code)
{
    (void)m;
    (void)f;
    (void)s;
    (void)c;
    t[0].code = "create";
}

static void test_broken(void **state)
{
    (void)state;
    static const struct breakage rows[] = {
        {"no initial", no_initial, "STATE_INITIAL"},
        {"two initial", two_initial, "STATE_INITIAL"},
        {"bad from", bad_from, "transition start"},
        {"bad to", bad_to, "nowhere"},
        {"dup state", dup_state, "defined twice"},
        {"dup field", dup_field, "defined twice"},
        {"dup transition", dup_transition, "defined twice"},
        {"bad field in transition", bad_field_in_tr, "ghost"},
        {"bad required", bad_required, "ghost"},
        {"bad clock effect", bad_clock_effect, "ghost"},
        {"extend without field", extend_without_field, "extend_field"},
        {"bad pending", bad_pending, "ghost"},
        {"no title", no_title, "FIELD_IS_TITLE"},
        {"role type", role_type, "role"},
        {"choice without choices", choice_without_choices, "choices"},
        {"bad default", bad_default, "default"},
        {"bad required_in", bad_required_in, "ghost"},
        {"bad length choice", bad_length_choice, "zz"},
        {"bad deadline field", bad_deadline_field, "DATE"},
        {"bad unit", bad_unit, "unit"},
        {"bad pattern", bad_pattern, "number_pattern"},
        {"bad code", bad_code, "bad code"},
        {"bad child", bad_child, "child_module"},
        {"bad list", bad_list, "from"},
        {"reserved code", reserved_code, "reserved"},
        {"bad within", bad_within, "within"},
    };
    module_registry_use(test_list);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct field_def f[8];
        struct state_def s[4];
        struct transition_def t[5];
        struct clock_def c[2];
        struct module_def m = good;
        char msg[256];
        memcpy(f, good_fields, sizeof(good_fields));
        memcpy(s, good_states, sizeof(good_states));
        memcpy(t, good_trs, sizeof(good_trs));
        memcpy(c, good_clocks, sizeof(good_clocks));
        m.fields = f;
        m.states = s;
        m.transitions = t;
        m.clocks = c;
        rows[i].mutate(&m, f, s, t, c);
        if (module_check(&m, msg, sizeof(msg)) == 0)
            fail_msg("%s: accepted", rows[i].name);
        if (strstr(msg, rows[i].want) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", rows[i].name, msg,
                     rows[i].want);
        if (strncmp(msg, "module ", 7) != 0)
            fail_msg("%s: message \"%s\" does not name the module",
                     rows[i].name, msg);
    }
    module_registry_use(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_list),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_broken),
    };
    return cmocka_run_group_tests_name("module", tests, NULL, NULL);
}
