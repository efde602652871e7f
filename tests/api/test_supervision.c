/*
 * test_supervision.c - 督查督办 through the generic case API (issue 3 item
 * 9) and its own endpoints: every transition of the lifecycle with its
 * refusals (wrong person 403, wrong state 409, missing reasons 400), the
 * sign-for limit of 退回交办, the extension decided by the supervising
 * leader, the figures of GET /api/v1/supervision/stats on a fixture worked
 * out by hand, and the work-report import (all or nothing).
 *
 * People: the bootstrap clerk (unit office) is 督查科; units jtj and jyj
 * with their 承办人 jtj_cb, jyj_cb and leader jtj_ld; fsz, a vice mayor in
 * gov, is the supervising leader.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

#define PW "Sup-Test-2026!pass"

static int sup_ready;

static const struct srv_unit sup_units[] = {
    {"jtj", "市交通运输局", "市交通局", "department", "gov"},
    {"jyj", "市教育局", "市教育局", "department", "gov"},
    {0},
};

static const struct srv_account sup_people[] = {
    {"jtj_cb", "蒋丽", "jtj", "staff", 0, PW},
    {"jtj_ld", "苏永刚", "jtj", "leader", 0, PW},
    {"jyj_cb", "于洋", "jyj", "staff", 0, PW},
    {"fsz", "张志强", "gov", "leader", 0, PW},
    {0},
};

/* Units and people the tests need, once per server. */
static void sup_setup(struct srv *s)
{
    if (sup_ready)
        return;
    srv_add_org(s, sup_units, sup_people);
    sup_ready = 1;
}

/* Registers an item as the clerk; returns its id. */
static long long sup_create(struct client *clerk, const char *fields_json)
{
    struct resp r = {0};
    char body[2048];
    snprintf(body, sizeof(body), "{\"module\":\"supervision\",\"fields\":%s}",
             fields_json);
    int st = http_do(clerk, "POST", "/api/v1/cases", body, &r);
    if (st != 201)
        fail_msg("create: %d %s", st, r.body);
    assert_str_equal(resp_str(&r, "state"), "registered");
    assert_non_null(resp_str(&r, "number"));
    long long id = resp_int(&r, "id", 0);
    resp_free(&r);
    return id;
}

/* Fires code on id as c with body (NULL: {}); returns the status; *r
 * keeps the answer. */
static int sup_fire(struct client *c, long long id, const char *code,
                    const char *body, struct resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/%s", id, code);
    return http_do(c, "POST", path, body ? body : "{}", r);
}

#define FIRE_OK(c, id, code, json, r)                                          \
    do {                                                                       \
        int st_ = sup_fire((c), (id), (code), (json), (r));                    \
        if (st_ != 200)                                                        \
            fail_msg("%s: %d %s", (code), st_, (r)->body);                     \
    } while (0)

static void test_lifecycle(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    sup_setup(s);
    /* Monday 2 March 2026, 09:00 Beijing */
    srv_clock(s, "2026-03-02T09:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *staff = client_new(s); /* office staff: not 督查科's role */
    assert_int_equal(client_login_as(staff, SRV_STAFF), 200);
    struct client *jtj = client_as(s, "jtj_cb", PW);
    struct client *jyj = client_as(s, "jyj_cb", PW);
    struct client *fsz = client_as(s, "fsz", PW);

    /* 立项: only a clerk registers */
    assert_int_equal(
        http_do(jtj, "POST", "/api/v1/cases",
                "{\"module\":\"supervision\",\"fields\":{\"title\":\"x\","
                "\"source\":\"instruction\"}}",
                &r),
        403);
    long long id = sup_create(
        clerk, "{\"title\":\"关于城区学校周边交通拥堵问题的批示\","
               "\"source\":\"instruction\",\"source_ref\":\"市长批示\","
               "\"requirement\":\"一周内拿出整治方案\"}");

    /* 交办: wrong person 403, missing lead unit 400, wrong state 409 */
    assert_int_equal(sup_fire(staff, id, "assign",
                              "{\"fields\":{\"lead_unit\":\"jtj\"}}", &r),
                     403);
    assert_int_equal(sup_fire(clerk, id, "assign", "{}", &r), 400);
    assert_int_equal(sup_fire(clerk, id, "accept", NULL, &r), 403);
    assert_int_equal(sup_fire(clerk, id, "complete", NULL, &r), 409);
    FIRE_OK(clerk, id, "assign",
            "{\"fields\":{\"lead_unit\":\"jtj\",\"co_units\":[\"jyj\"],"
            "\"supervising_leader\":\"fsz\",\"responsible_leader\":\"fsz\","
            "\"limit_class\":\"urgent\"}}",
            &r);
    assert_str_equal(resp_str(&r, "state"), "assigned");
    /* urgent: 5 working days after 3-2 is Monday 3-9 */
    assert_str_equal(resp_str(&r, "due"), "2026-03-09");

    /* 签收: only the lead unit */
    assert_int_equal(sup_fire(jyj, id, "accept", NULL, &r), 403);
    assert_int_equal(sup_fire(clerk, id, "accept", NULL, &r), 403);
    FIRE_OK(jtj, id, "accept", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "in_progress");
    assert_int_equal(sup_fire(jtj, id, "accept", NULL, &r), 409);
    assert_int_equal(
        sup_fire(jtj, id, "decline", "{\"comment\":\"不属于本单位职责\"}", &r),
        409);

    /* 报送进展: percent 0-100 and text */
    assert_int_equal(sup_fire(jtj, id, "report",
                              "{\"fields\":{\"progress\":150,"
                              "\"progress_note\":\"x\"}}",
                              &r),
                     400);
    assert_int_equal(
        sup_fire(jtj, id, "report", "{\"fields\":{\"progress\":40}}", &r), 400);
    FIRE_OK(jtj, id, "report",
            "{\"fields\":{\"progress\":40,\"progress_note\":"
            "\"已制定整治方案\"}}",
            &r);
    assert_int_equal(resp_int(&r, "progress", -1), 40);

    /* 催办: 督查科 only, with its text, counted */
    assert_int_equal(sup_fire(jtj, id, "urge", "{\"comment\":\"快\"}", &r),
                     403);
    assert_int_equal(sup_fire(clerk, id, "urge", NULL, &r), 400);
    FIRE_OK(clerk, id, "urge", "{\"comment\":\"请抓紧办理\"}", &r);
    FIRE_OK(clerk, id, "urge", "{\"comment\":\"再次催办\"}", &r);
    assert_int_equal(resp_int(&r, "fields.urge_count", -1), 2);

    /* 申请延期: a later date, reasons; decided by the supervising leader */
    assert_int_equal(sup_fire(jtj, id, "request_extension",
                              "{\"fields\":{\"extension_to\":\"2026-03-20\"}}",
                              &r),
                     400); /* no reasons */
    assert_int_equal(sup_fire(fsz, id, "approve_extension", NULL, &r),
                     409); /* nothing asked yet */
    FIRE_OK(jtj, id, "request_extension",
            "{\"fields\":{\"extension_to\":\"2026-03-20\"},"
            "\"comment\":\"涉及多个部门，需延长时限\"}",
            &r);
    assert_non_null(resp_str(&r, "pending"));
    assert_int_equal(sup_fire(jtj, id, "approve_extension", NULL, &r), 403);
    assert_int_equal(sup_fire(clerk, id, "approve_extension", NULL, &r), 403);
    FIRE_OK(fsz, id, "approve_extension", "{\"comment\":\"同意\"}", &r);
    assert_str_equal(resp_str(&r, "due"), "2026-03-20");
    assert_int_equal(
        sup_fire(fsz, id, "reject_extension", "{\"comment\":\"不同意\"}", &r),
        409); /* decided already */
    /* another request, rejected with reasons */
    FIRE_OK(jtj, id, "request_extension",
            "{\"fields\":{\"extension_to\":\"2026-03-31\"},"
            "\"comment\":\"再延期\"}",
            &r);
    assert_int_equal(sup_fire(fsz, id, "reject_extension", NULL, &r), 400);
    FIRE_OK(fsz, id, "reject_extension", "{\"comment\":\"请按时完成\"}", &r);
    assert_str_equal(resp_str(&r, "due"), "2026-03-20");

    /* 申请办结 -> 退回重办 -> 申请办结 -> 办结 */
    assert_int_equal(sup_fire(jtj, id, "request_completion", "{}", &r), 400);
    assert_int_equal(sup_fire(jyj, id, "request_completion",
                              "{\"fields\":{\"result\":\"完成\"}}", &r),
                     403);
    FIRE_OK(jtj, id, "request_completion",
            "{\"fields\":{\"result\":\"整治方案已实施\"}}", &r);
    assert_str_equal(resp_str(&r, "state"), "completion_requested");
    assert_int_equal(
        sup_fire(jtj, id, "return", "{\"comment\":\"材料不全\"}", &r), 403);
    assert_int_equal(sup_fire(clerk, id, "return", "{}", &r), 400);
    FIRE_OK(clerk, id, "return", "{\"comment\":\"请补充佐证材料\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "in_progress");
    FIRE_OK(jtj, id, "request_completion",
            "{\"fields\":{\"result\":\"整治方案已实施，材料已补充\"}}", &r);
    assert_int_equal(sup_fire(jtj, id, "complete", NULL, &r), 403);
    FIRE_OK(clerk, id, "complete", "{\"comment\":\"同意办结\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "done");
    assert_int_equal(resp_int(&r, "progress", -1), 100);

    /* 考核 0-100, 归档, then read-only */
    assert_int_equal(
        sup_fire(clerk, id, "evaluate", "{\"fields\":{\"score\":101}}", &r),
        400);
    assert_int_equal(
        sup_fire(jtj, id, "evaluate", "{\"fields\":{\"score\":90}}", &r), 403);
    FIRE_OK(clerk, id, "evaluate",
            "{\"fields\":{\"score\":92},\"comment\":\"按期完成\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "evaluated");
    assert_int_equal(
        sup_fire(clerk, id, "evaluate", "{\"fields\":{\"score\":90}}", &r),
        409);
    FIRE_OK(clerk, id, "archive", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "archived");
    assert_int_equal(sup_fire(clerk, id, "urge", "{\"comment\":\"x\"}", &r),
                     409);

    resp_free(&r);
    client_free(clerk);
    client_free(staff);
    client_free(jtj);
    client_free(jyj);
    client_free(fsz);
}

/* 退回交办 within the sign-for working day, with reasons, back to 立项. */
static void test_decline(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    sup_setup(s);
    /* Thursday 2 April 2026; 4-4..4-6 are the 清明 holidays */
    srv_clock(s, "2026-04-02T10:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *ld = client_as(s, "jtj_ld", PW);
    long long id = sup_create(clerk, "{\"title\":\"会议议定事项\","
                                     "\"source\":\"meeting\"}");
    FIRE_OK(clerk, id, "assign",
            "{\"fields\":{\"lead_unit\":\"jtj\",\"deadline\":\"2026-04-30\"}}",
            &r);
    assert_int_equal(sup_fire(ld, id, "decline", "{}", &r), 400);
    FIRE_OK(ld, id, "decline", "{\"comment\":\"属市住建局职责\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "registered");
    /* assigned again; the sign-for day (Friday 4-3) passes */
    FIRE_OK(clerk, id, "assign", "{\"fields\":{\"lead_unit\":\"jtj\"}}", &r);
    client_free(ld);
    srv_clock(s, "2026-04-07T09:00:00+08:00");
    ld = client_as(s, "jtj_ld", PW);
    assert_int_equal(
        sup_fire(ld, id, "decline", "{\"comment\":\"不是我们\"}", &r), 409);
    FIRE_OK(ld, id, "accept", NULL, &r);
    resp_free(&r);
    client_free(clerk);
    client_free(ld);
}

/* 申请延期 must ask for a last day after the current one (module.h,
 * extend_field: checked by the engine). */
static void test_extension_date(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    sup_setup(s);
    srv_clock(s, "2026-03-02T09:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *jtj = client_as(s, "jtj_cb", PW);
    long long id = sup_create(clerk, "{\"title\":\"延期日期\","
                                     "\"source\":\"instruction\"}");
    FIRE_OK(clerk, id, "assign",
            "{\"fields\":{\"lead_unit\":\"jtj\",\"deadline\":\"2026-03-09\"}}",
            &r);
    FIRE_OK(jtj, id, "accept", NULL, &r);
    assert_int_equal(sup_fire(jtj, id, "request_extension",
                              "{\"fields\":{\"extension_to\":\"2026-03-05\"},"
                              "\"comment\":\"需协调\"}",
                              &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.extension_to"));
    resp_free(&r);
    client_free(clerk);
    client_free(jtj);
}

/* Walks a new item: assigned at `start` with last day `due`, urged,
 * completion requested at `asked` and approved (asked NULL: left open). */
static void sup_item(struct srv *s, const char *lead, const char *start,
                     const char *due, const char *asked, int urges)
{
    struct resp r = {0};
    char body[512], unit_login[64];
    snprintf(unit_login, sizeof(unit_login), "%s_cb", lead);
    srv_clock(s, start);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *unit = client_as(s, unit_login, PW);
    long long id = sup_create(clerk, "{\"title\":\"统计用事项\","
                                     "\"source\":\"work_report\"}");
    snprintf(body, sizeof(body),
             "{\"fields\":{\"lead_unit\":\"%s\",\"deadline\":\"%s\"}}", lead,
             due);
    FIRE_OK(clerk, id, "assign", body, &r);
    FIRE_OK(unit, id, "accept", NULL, &r);
    for (int i = 0; i < urges; i++)
        FIRE_OK(clerk, id, "urge", "{\"comment\":\"请抓紧\"}", &r);
    client_free(clerk);
    client_free(unit);
    if (asked) {
        srv_clock(s, asked);
        clerk = client_as(s, "clerk", PW);
        unit = client_as(s, unit_login, PW);
        FIRE_OK(unit, id, "request_completion",
                "{\"fields\":{\"result\":\"完成\"}}", &r);
        FIRE_OK(clerk, id, "complete", NULL, &r);
        client_free(clerk);
        client_free(unit);
    }
    resp_free(&r);
}

/* The fixture, judged at 2026-05-08 10:00, period 2026-05-01..2026-05-31
 * (5-1..5-5 劳动节 off; the earlier tests' items end before May):
 *   jyj  due 05-12  asked 05-11 10:00           on time
 *   jyj  due 05-06  asked 05-07 10:00 (Thu)     late, 1 working day
 *   jyj  due 05-06  open, 2 urges               overdue: 5-7, 5-8 = 2
 *   jyj  due 05-20  open                        not yet due (left out)
 * jyj: due 3, on time 1, late 1, overdue 1, rate 1/3 = 0.3333,
 *      avg (1 + 2) / 2 = 1.5, urges 2.  The item asked on 05-11 counts as
 *      done though it was asked after "now": the clock is moved forward to
 *      ask, then back. */
static void test_stats(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    sup_setup(s);
    sup_item(s, "jyj", "2026-04-20T09:00:00+08:00", "2026-05-06",
             "2026-05-07T10:00:00+08:00", 0);
    sup_item(s, "jyj", "2026-04-20T09:00:00+08:00", "2026-05-06", NULL, 2);
    sup_item(s, "jyj", "2026-04-20T09:00:00+08:00", "2026-05-20", NULL, 0);
    sup_item(s, "jyj", "2026-04-20T09:00:00+08:00", "2026-05-12",
             "2026-05-11T10:00:00+08:00", 0);
    srv_clock(s, "2026-05-08T10:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/supervision/stats?from=2026-05-01"
                             "&to=2026-05-31",
                             NULL, &r),
                     200);
    json_t *units = resp_get(&r, "units");
    assert_true(json_is_array(units));
    json_t *u = NULL;
    for (size_t i = 0; i < json_array_size(units); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(units, i), "unit")),
                   "jyj") == 0)
            u = json_array_get(units, i);
    assert_non_null(u);
    assert_int_equal(json_integer_value(json_object_get(u, "due")), 3);
    assert_int_equal(json_integer_value(json_object_get(u, "on_time")), 1);
    assert_int_equal(json_integer_value(json_object_get(u, "late")), 1);
    assert_int_equal(json_integer_value(json_object_get(u, "overdue_open")), 1);
    assert_int_equal(json_integer_value(json_object_get(u, "urge_count")), 2);
    assert_true(json_real_value(json_object_get(u, "avg_days_late")) == 1.5);
    assert_true(fabs(json_real_value(json_object_get(u, "on_time_rate")) -
                     0.3333) < 1e-9);
    assert_int_equal(resp_int(&r, "total.due", -1), 3);
    /* bad periods */
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/supervision/stats?from=2026-05-31"
                             "&to=2026-05-01",
                             NULL, &r),
                     400);
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/supervision/stats?from=五月", NULL, &r),
        400);
    resp_free(&r);
    client_free(clerk);
}

static void test_import(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    sup_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *jtj = client_as(s, "jtj_cb", PW);
    static const char good[] =
        "序号,任务内容,牵头单位,责任领导,协办单位,完成时限\r\n"
        "1,新改建农村公路200公里,市交通局,张志强,市教育局,2026-12-31\r\n"
        "2,新增学位5000个,jyj,fsz,,2026年9月1日\r\n";
    static const char bad[] =
        "序号,任务内容,牵头单位,责任领导,协办单位,完成时限\n"
        "1,好的一行,jtj,,,2026-12-31\n"
        "2,单位不存在,市宇宙局,,,2026-12-31\n";
    /* only a clerk */
    assert_int_equal(http_raw(jtj, "POST", "/api/v1/supervision/import",
                              "text/csv", good, strlen(good), NULL, 1, &r),
                     403);
    /* a bad row: nothing imported, its line and reason */
    assert_int_equal(http_raw(clerk, "POST", "/api/v1/supervision/import",
                              "text/csv", bad, strlen(bad), NULL, 1, &r),
                     400);
    assert_int_equal(resp_int(&r, "error.rows.0.line", 0), 3);
    assert_contains(resp_str(&r, "error.rows.0.reason"), "市宇宙局");
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&q="
                             "%E5%A5%BD%E7%9A%84%E4%B8%80%E8%A1%8C",
                             NULL, &r),
                     200);
    assert_int_equal(resp_int(&r, "total", -1), 0);
    /* good: one parent, two children */
    assert_int_equal(
        http_raw(clerk, "POST",
                 "/api/v1/supervision/import?title=2026%E5%B9%B4%E6%94%BF%E5"
                 "%BA%9C%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A",
                 "text/csv", good, strlen(good), NULL, 1, &r),
        201);
    assert_int_equal(resp_int(&r, "tasks", 0), 2);
    long long parent = resp_int(&r, "parent_id", 0);
    assert_true(parent > 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", parent);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_str_equal(resp_str(&r, "title"), "2026年政府工作报告");
    assert_int_equal(json_array_size(resp_get(&r, "children")), 2);
    resp_free(&r);
    client_free(clerk);
    client_free(jtj);
}

/* The CLI: a bad file names its line; a good one imports. */
static void test_import_cli(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    sup_setup(s);
    char path[700];
    snprintf(path, sizeof(path), "%s/wr.csv", s->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("序号,任务内容,牵头单位,责任领导,协办单位,完成时限\n"
          "1,推进城市更新,jtj,,,2026/6/30\n"
          "2,没有时限,jtj,,,\n",
          f);
    fclose(f);
    assert_int_not_equal(
        srv_run_cli(s, NULL, &res, "import", "work-report", path), 0);
    assert_contains(res.err, ":3:");
    cli_result_free(&res);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("序号,任务内容,牵头单位,责任领导,协办单位,完成时限\n"
          "1,推进城市更新,jtj,,,2026/6/30\n",
          f);
    fclose(f);
    assert_int_equal(srv_run_cli(s, NULL, &res, "import", "work-report", path,
                                 "--as", "clerk"),
                     0);
    assert_contains(res.out, "1 项");
    cli_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_lifecycle, srv_clock_teardown),
        cmocka_unit_test_teardown(test_decline, srv_clock_teardown),
        cmocka_unit_test_teardown(test_extension_date, srv_clock_teardown),
        cmocka_unit_test_teardown(test_stats, srv_clock_teardown),
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_import_cli),
    };
    return srv_run_group_tests(tests);
}
