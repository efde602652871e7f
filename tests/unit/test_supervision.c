/*
 * test_supervision.c - unit tests of the 督查督办 module (src/modules/
 * supervision*.c): its table passes module_check and carries the codes of
 * the API contract; the figures (按期办结率) on a fixture worked out by hand
 * over the 2026 holiday calendar; the work-report import parser on good
 * rows, bad rows (line and reason) and a GB18030 file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/calendar.h"
#include "base/now.h"
#include "kernel/module.h"
#include "modules/supervision.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct calendar *cal;

static int setup(void **state)
{
    (void)state;
    cal = calendar_new();
    return calendar_parse(calendar_builtin_text, calendar_builtin_len, cal,
                          NULL) == 0
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    return 0;
}

/* An instant in Beijing time: "2026-04-10T15:00" or a date (midnight). */
static int64_t T(const char *s)
{
    int64_t ms = 0;
    if (iso_parse_ms(s, &ms) != 0)
        fail_msg("bad instant in test: %s", s);
    return ms;
}

static struct ymd D(const char *s) {
    struct ymd d = {0, 0, 0};
    if (ymd_parse(s, &d) != 0)
        fail_msg("bad date in test: %s", s);
    return d;
}

/* ---- the table ---- */

static void
test_table_checks(void **state)
{
    (void)state;
    char msg[300] = "";
    int rc = module_check(&supervision_module, msg, sizeof(msg));
    if (rc != 0)
        fail_msg("module_check: %s", msg);
    assert_string_equal(supervision_module.code, "supervision");
    assert_string_equal(supervision_module.child_module, "supervision");
    assert_int_equal(supervision_module.children_block_close, 1);
}

/* The codes are API identifiers: they must be exactly these. */
static void test_table_contract(void **state)
{
    (void)state;
    static const char *const fields[] = {"title",
                                         "requirement",
                                         "source",
                                         "source_ref",
                                         "lead_unit",
                                         "co_units",
                                         "responsible_leader",
                                         "supervising_leader",
                                         "limit_class",
                                         "deadline",
                                         "report_cycle",
                                         "public_commitment",
                                         "progress",
                                         "result"};
    static const struct {
        const char *code, *label;
    } states[] = {
        {"registered", "立项"},    {"assigned", "待签收"},
        {"in_progress", "办理中"}, {"completion_requested", "申请办结"},
        {"done", "办结"},          {"evaluated", "已考核"},
        {"archived", "归档"}};
    static const struct {
        const char *code, *from, *to;
    } trs[] = {
        {"assign", "registered", "assigned"},
        {"accept", "assigned", "in_progress"},
        {"decline", "assigned", "registered"},
        {"report", "in_progress", NULL},
        {"request_extension", "in_progress", NULL},
        {"approve_extension", "in_progress", NULL},
        {"reject_extension", "in_progress", NULL},
        {"urge", "in_progress", NULL},
        {"request_completion", "in_progress", "completion_requested"},
        {"return", "completion_requested", "in_progress"},
        {"complete", "completion_requested", "done"},
        {"evaluate", "done", "evaluated"},
        {"archive", "evaluated", "archived"},
    };
    const struct module_def *m = &supervision_module;
    for (size_t i = 0; i < N_ELEMS(fields); i++)
        if (module_field(m, fields[i]) == NULL)
            fail_msg("field %s missing", fields[i]);
    for (size_t i = 0; i < N_ELEMS(states); i++) {
        const struct state_def *s = module_state(m, states[i].code);
        if (s == NULL)
            fail_msg("state %s missing", states[i].code);
        assert_string_equal(s->label, states[i].label);
    }
    assert_string_equal(module_initial(m)->code, "registered");
    for (size_t i = 0; i < N_ELEMS(trs); i++) {
        const struct transition_def *t = module_transition(m, trs[i].code);
        if (t == NULL)
            fail_msg("transition %s missing", trs[i].code);
        assert_true(module_in_list(t->from, trs[i].from));
        if (trs[i].to)
            assert_string_equal(t->to, trs[i].to);
        else
            assert_null(t->to);
    }
    /* the source choices and the limits of the three classes */
    const struct field_def *src = module_field(m, "source");
    static const char *const sources[] = {
        "instruction", "meeting",  "work_report", "document",
        "proposal",    "petition", "other"};
    for (size_t i = 0; i < N_ELEMS(sources); i++)
        assert_string_equal(src->choices[i].code, sources[i]);
    const struct clock_def *h = module_clock(m, "handle");
    assert_non_null(h);
    assert_true(h->main);
    assert_string_equal(h->deadline_field, "deadline");
    assert_int_equal(h->lengths[0].length, 5);
    assert_int_equal(h->lengths[1].length, 15);
    assert_int_equal(h->lengths[2].length, 30);
    const struct clock_def *sign = module_clock(m, "sign");
    assert_non_null(sign);
    assert_int_equal(sign->length, 1);
    assert_int_equal(sign->unit, CLOCK_WORKDAYS);
    /* who: the lead unit signs, the supervising leader decides */
    assert_true(module_transition(m, "accept")->rel & REL_LEAD_UNIT);
    assert_true(module_transition(m, "approve_extension")->rel &
                REL_SUPERVISOR);
    assert_string_equal(module_transition(m, "urge")->roles, "clerk");
}

/* ---- the figures ----
 *
 * Period 2026-04-01 .. 2026-05-31, judged at 2026-05-08 10:00 Beijing.
 * 2026 calendar: 4-4..4-6 清明 off; 5-1..5-5 劳动节 off; 5-9 (Sat) worked.
 *
 *  #  unit due    state / approved request        class       wd late urges
 *  1  jtj  04-10  done, req 04-10 15:00           on time        -      0
 *  2  jtj  04-10  done, req 04-13 09:00 (Mon)     late           1      0
 *                 (4-11 Sat, 4-12 Sun, 4-13 Mon: one working day)
 *  3  jtj  04-03  open                            overdue       21      3
 *                 (4-7..10: 4, 4-13..17: 5, 4-20..24: 5, 4-27..30: 4,
 *                  5-1..5-5 off, 5-6..8: 3; 4+5+5+4+3 = 21)
 *  4  jyj  04-30  done, req 04-30 23:59:59        on time        -      0
 *                 (a limit ends at 24:00 of its last day)
 *  5  jyj  04-30  done, req 05-01 00:00:00        late           0      0
 *                 (5-1 is a holiday: late by no working day)
 *  6  jyj  04-20  open (a request waits: not      overdue       11      1
 *                 approved, so still open)
 *                 (4-21..24: 4, 4-27..30: 4, 5-6..8: 3; = 11)
 *  7  jtj  05-15  open                            not yet due    -      2
 *  8  jyj  04-28  done, req 04-01 (early)         on time        -      0
 *  9  wjw  05-08  open (ends today at 24:00)      not yet due    -      0
 * 10  -    04-15  done, req 04-14                 on time        -      0
 * 11  jtj  03-31  done late                       outside the period
 * 12  jtj  06-01  open                            outside the period 5
 *
 * jtj: on time 1 (#1), late 1 (#2), overdue 1 (#3); due 3;
 *      rate 1/3 = 0.3333; days late 1 + 21 = 22, avg 22/2 = 11;
 *      urges 3 + 2 = 5.
 * jyj: on time 2 (#4, #8), late 1 (#5), overdue 1 (#6); due 4;
 *      rate 2/4 = 0.5; days late 0 + 11 = 11, avg 11/2 = 5.5; urges 1.
 * wjw: nothing due; rate none (-1); urges 0.
 * total: on time 1+2+1 (#10) = 4, late 2, overdue 2, due 8;
 *      rate 4/8 = 0.5; days late 22 + 11 = 33, avg 33/4 = 8.25; urges 6.
 */
static void test_figures_worked_by_hand(void **state)
{
    (void)state;
    const struct supervision_fact facts[] = {
        {"jtj", D("2026-04-10"), T("2026-04-10T15:00"), 1, 0},
        {"jtj", D("2026-04-10"), T("2026-04-13T09:00"), 1, 0},
        {"jtj", D("2026-04-03"), 0, 0, 3},
        {"jyj", D("2026-04-30"), T("2026-04-30T23:59:59"), 1, 0},
        {"jyj", D("2026-04-30"), T("2026-05-01T00:00:00"), 1, 0},
        {"jyj", D("2026-04-20"), 0, 0, 1},
        {"jtj", D("2026-05-15"), 0, 0, 2},
        {"jyj", D("2026-04-28"), T("2026-04-01T09:00"), 1, 0},
        {"wjw", D("2026-05-08"), 0, 0, 0},
        {NULL, D("2026-04-15"), T("2026-04-14T09:00"), 1, 0},
        {"jtj", D("2026-03-31"), T("2026-04-02T09:00"), 1, 4},
        {"jtj", D("2026-06-01"), 0, 0, 5},
    };
    struct arena *a = arena_new();
    struct supervision_figures *u, total;
    int n = 0;
    assert_int_equal(supervision_figures(facts, (int)N_ELEMS(facts),
                                         D("2026-04-01"), D("2026-05-31"),
                                         T("2026-05-08T10:00"), cal, a, &u, &n,
                                         &total),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(u[0].unit, "jtj");
    assert_int_equal(u[0].on_time, 1);
    assert_int_equal(u[0].late, 1);
    assert_int_equal(u[0].overdue_open, 1);
    assert_int_equal(u[0].due, 3);
    assert_int_equal(u[0].days_late, 22);
    assert_true(fabs(u[0].avg_days_late - 11.0) < 1e-9);
    assert_true(fabs(u[0].on_time_rate - 1.0 / 3) < 1e-9);
    assert_int_equal(u[0].urge_count, 5);

    assert_string_equal(u[1].unit, "jyj");
    assert_int_equal(u[1].on_time, 2);
    assert_int_equal(u[1].late, 1);
    assert_int_equal(u[1].overdue_open, 1);
    assert_int_equal(u[1].due, 4);
    assert_int_equal(u[1].days_late, 11);
    assert_true(fabs(u[1].avg_days_late - 5.5) < 1e-9);
    assert_true(fabs(u[1].on_time_rate - 0.5) < 1e-9);
    assert_int_equal(u[1].urge_count, 1);

    assert_string_equal(u[2].unit, "wjw");
    assert_int_equal(u[2].due, 0);
    assert_true(u[2].on_time_rate < 0);
    assert_true(u[2].avg_days_late == 0);

    assert_null(total.unit);
    assert_int_equal(total.on_time, 4);
    assert_int_equal(total.late, 2);
    assert_int_equal(total.overdue_open, 2);
    assert_int_equal(total.due, 8);
    assert_int_equal(total.days_late, 33);
    assert_true(fabs(total.avg_days_late - 8.25) < 1e-9);
    assert_true(fabs(total.on_time_rate - 0.5) < 1e-9);
    assert_int_equal(total.urge_count, 6);

    /* a period turned round is refused; an empty list gives zeros */
    assert_int_equal(supervision_figures(facts, 3, D("2026-05-01"),
                                         D("2026-04-01"), T("2026-05-08"), cal,
                                         a, &u, &n, &total),
                     -1);
    assert_int_equal(supervision_figures(NULL, 0, D("2026-01-01"),
                                         D("2026-12-31"), T("2026-05-08"), cal,
                                         a, &u, &n, &total),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(total.due, 0);
    assert_true(total.on_time_rate < 0);
    arena_free(a);
}

/* ---- the import parser ---- */

static const struct unit units[] = {
    {1, "jtj", "市交通运输局", "市交通局", "department", "gov", 0, 0, 1},
    {2, "jyj", "市教育局", "市教育局", "department", "gov", 0, 0, 1},
    {3, "fgw", "市发展和改革委员会", "市发改委", "department", "gov", 0, 0, 1},
    {4, "czj", "市财政局", "市财政局", "department", "gov", 0, 0, 1},
    {5, "old", "市撤销局", "撤销局", "department", "gov", 0, 0, 0},
};

static const struct user users[] = {
    {.id = 1, .login = "fushizhang1", .name = "张志强", .active = 1},
    {.id = 2, .login = "fushizhang2", .name = "刘秀英", .active = 1},
    {.id = 3, .login = "wf1", .name = "王芳", .active = 1},
    {.id = 4, .login = "wf2", .name = "王芳", .active = 1},
};

static int parse(struct arena *a, const char *csv, struct supervision_task **t,
                 int *n, struct supervision_import_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    return supervision_import_parse(a, csv, strlen(csv), units,
                                    (int)N_ELEMS(units), users,
                                    (int)N_ELEMS(users), t, n, rep);
}

static const char good_csv[] =
    "\xEF\xBB\xBF"
    "2026年政府工作报告重点任务分解表,,,,,\r\n"
    "序号,任务内容,牵头单位,责任领导,协办单位,完成时限\r\n"
    "1,新改建农村公路200公里,市交通局,张志强,市财政局、fgw,2026-12-31\r\n"
    "2,\"新增学位5000个，完成\"\"双减\"\"任务\",jyj,fushizhang2,,"
    "2026年9月1日\r\n"
    "\r\n"
    "3,推进城市更新,市发展和改革委员会,,\"市财政局,市交通局，市发改委\","
    "2026/6/30\r\n";

static void test_import_good(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct supervision_task *t;
    int n;
    struct supervision_import_report *rep = arena_alloc(a, sizeof(*rep));
    assert_int_equal(parse(a, good_csv, &t, &n, rep), 0);
    assert_int_equal(n, 3);
    assert_int_equal(t[0].line, 3);
    assert_string_equal(t[0].seq, "1");
    assert_string_equal(t[0].content, "新改建农村公路200公里");
    assert_string_equal(t[0].lead_unit, "jtj");
    assert_string_equal(t[0].leader, "fushizhang1");
    assert_int_equal(t[0].nco, 2);
    assert_string_equal(t[0].co_units[0], "czj");
    assert_string_equal(t[0].co_units[1], "fgw");
    assert_int_equal(t[0].deadline.y, 2026);
    assert_int_equal(t[0].deadline.m, 12);
    assert_int_equal(t[0].deadline.d, 31);
    assert_string_equal(t[1].content, "新增学位5000个，完成\"双减\"任务");
    assert_string_equal(t[1].leader, "fushizhang2");
    assert_int_equal(t[1].nco, 0);
    assert_int_equal(t[1].deadline.m, 9);
    assert_int_equal(t[1].deadline.d, 1);
    /* the lead unit is not repeated among the co-units */
    assert_int_equal(t[2].line, 6);
    assert_string_equal(t[2].lead_unit, "fgw");
    assert_null(t[2].leader);
    assert_int_equal(t[2].nco, 2);
    assert_int_equal(t[2].deadline.m, 6);
    assert_int_equal(t[2].deadline.d, 30);
    arena_free(a);
}

static void test_import_bad_rows(void **state)
{
    (void)state;
    static const char csv[] =
        "序号,任务内容,牵头单位,责任领导,协办单位,完成时限\n"
        "1,好的一行,jtj,,,2026-12-31\n"
        "2,,jtj,,,2026-12-31\n"
        "3,单位不存在,市宇宙局,,,2026-12-31\n"
        "4,两个牵头,市交通局、市教育局,,,2026-12-31\n"
        "5,重名领导,jtj,王芳,,2026-12-31\n"
        "6,日期不对,jtj,,,2026年13月1日\n"
        "7,没有时限,jtj,,,\n"
        "8,协办不存在,jtj,,市火星局,2026-12-31\n"
        "9,停用的单位,old,,,2026-12-31\n";
    struct arena *a = arena_new();
    struct supervision_task *t;
    int n;
    struct supervision_import_report *rep = arena_alloc(a, sizeof(*rep));
    assert_int_equal(parse(a, csv, &t, &n, rep), 8);
    static const struct {
        int line;
        const char *part;
    } want[] = {{3, "任务内容为空"}, {4, "市宇宙局"}, {5, "只能填一个"},
                {6, "王芳"},         {7, "13月"},     {8, "请填写完成时限"},
                {9, "市火星局"},     {10, "old"}};
    assert_int_equal(rep->nbad, 8);
    for (size_t i = 0; i < N_ELEMS(want); i++) {
        assert_int_equal(rep->bad[i].line, want[i].line);
        if (strstr(rep->bad[i].reason, want[i].part) == NULL)
            fail_msg("line %d: \"%s\" lacks \"%s\"", want[i].line,
                     rep->bad[i].reason, want[i].part);
    }
    /* a header without 完成时限; a file without any header */
    assert_true(parse(a, "序号,任务内容,牵头单位\n1,x,jtj\n", &t, &n, rep) < 0);
    assert_non_null(strstr(rep->bad[0].reason, "完成时限"));
    assert_true(parse(a, "a,b,c\n1,2,3\n", &t, &n, rep) < 0);
    assert_non_null(strstr(rep->bad[0].reason, "表头"));
    assert_true(parse(a, "序号,任务内容,牵头单位,完成时限\n", &t, &n, rep) < 0);
    /* an unclosed quote */
    assert_int_equal(parse(a,
                           "任务内容,牵头单位,完成时限\n\"没有闭合,jtj,"
                           "2026-12-31\n",
                           &t, &n, rep),
                     1);
    assert_int_equal(rep->bad[0].line, 2);
    arena_free(a);
}

static void test_import_gb18030(void **state)
{
    (void)state;
    /* what Excel on Chinese Windows saves: GB18030, no BOM */
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char out[2048];
    char *in = (char *)good_csv + 3, *o = out;
    size_t inleft = strlen(in), left = sizeof(out);
    assert_true(iconv(cd, &in, &inleft, &o, &left) != (size_t)-1);
    iconv_close(cd);
    size_t len = (size_t)(o - out);
    /* it really is not UTF-8 any more */
    assert_null(memmem(out, len, "市交通局", strlen("市交通局")));
    struct arena *a = arena_new();
    struct supervision_task *t;
    int n;
    struct supervision_import_report *rep = arena_alloc(a, sizeof(*rep));
    memset(rep, 0, sizeof(*rep));
    assert_int_equal(supervision_import_parse(a, out, len, units,
                                              (int)N_ELEMS(units), users,
                                              (int)N_ELEMS(users), &t, &n, rep),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].content, "新改建农村公路200公里");
    assert_string_equal(t[0].lead_unit, "jtj");
    assert_string_equal(t[1].content, "新增学位5000个，完成\"双减\"任务");
    /* bytes that are neither UTF-8 nor GB18030 */
    const char *txt;
    size_t tl;
    const char *why;
    assert_int_equal(
        supervision_text_utf8(a, "\x81\x20\xff\xff", 4, &txt, &tl, NULL, &why), -1);
    assert_non_null(why);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_checks),
        cmocka_unit_test(test_table_contract),
        cmocka_unit_test(test_figures_worked_by_hand),
        cmocka_unit_test(test_import_good),
        cmocka_unit_test(test_import_bad_rows),
        cmocka_unit_test(test_import_gb18030),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
