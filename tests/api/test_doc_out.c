/*
 * test_doc_out.c - 发文办理 through the generic case API (issue 5 items 1,
 * 3, 4): the flow end to end with 撤回, a 会签 returned by one co-unit and
 * then agreed by all, 核发 to three units (回执 before and after one signs;
 * each copy carries the issued original as a PDF attachment), the
 * checklist of 审核, the 发文字号 taken at 登记 (市政办发〔2026〕1号), substantive edits after 签发 refused, 上行文
 * without 签发人 refused, numbering under concurrent 登记 (threads, one
 * client each: numbers 1..N, no gap, no duplicate), and clearance (a
 * person below 机密 finds no trace of a 机密 document: by id, lists,
 * counts, search, to-dos).  On SQLite and PostgreSQL (the harness).
 *
 * People: ms_ng drafts and ms_ld checks in 秘书科 (mszk, under office);
 * the leaders jtj_ld and jyj_ld countersign for 市交通局 and 市教育局; fsz
 * signs; the bootstrap clerk (office) reviews, registers, prints, issues.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

#define PW "Doc-Out-2026!pass"
#define NCONC 4

static int dout_ready;

/* The units and people of the tests (each person named by its login). */
static const struct srv_unit dout_units[] = {
    {"mszk", "秘书科", NULL, "section", "office"},
    {"jtj", "市交通运输局", NULL, "department", "gov"},
    {"jyj", "市教育局", NULL, "department", "gov"},
    {"wsj", "市卫生健康委员会", NULL, "department", "gov"},
    {0},
};

static const struct srv_account dout_people[] = {
    {"ms_ng", "ms_ng", "mszk", "staff", 2, PW},
    {"ms_ld", "ms_ld", "mszk", "leader", 2, PW},
    {"jtj_ld", "jtj_ld", "jtj", "leader", 0, PW},
    {"jyj_ld", "jyj_ld", "jyj", "leader", 0, PW},
    {"fsz", "fsz", "gov", "leader", 2, PW},
    {"jtj_sw", "jtj_sw", "jtj", "clerk", 0, PW},
    {0},
};

static void dout_setup(struct srv *s)
{
    if (dout_ready)
        return;
    srv_add_org(s, dout_units, dout_people);
    dout_ready = 1;
}

static long long dout_create(struct client *c, const char *fields)
{
    struct resp r = {0};
    char body[4096];
    snprintf(body, sizeof(body), "{\"module\":\"doc_out\",\"fields\":%s}",
             fields);
    int st = http_do(c, "POST", "/api/v1/cases", body, &r);
    if (st != 201)
        fail_msg("create: %d %s", st, r.body);
    assert_string_equal(resp_str(&r, "state"), "draft");
    long long id = resp_int(&r, "id", 0);
    resp_free(&r);
    return id;
}

static int dout_fire(struct client *c, long long id, const char *code,
                     const char *body, struct resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/%s", id, code);
    return http_do(c, "POST", path, body ? body : "{}", r);
}

#define FIRE(c, id, code, bd, want)                                            \
    do {                                                                       \
        int st_ = dout_fire((c), (id), (code), (bd), &r);                      \
        if (st_ != (want))                                                     \
            fail_msg("%s: %d (want %d) %s", (code), st_, (want), r.body);      \
    } while (0)

static const char *dout_state(struct client *c, long long id, struct resp *r)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    if (http_do(c, "GET", path, NULL, r) != 200)
        fail_msg("get %lld: %s", id, r->body);
    return resp_str(r, "state");
}

#define CHECKLIST                                                              \
    "\"checklist\":[\"type\",\"relation\",\"format\",\"legal\",\"wording\","   \
    "\"marks\",\"countersign\"]"

static const char NOTICE[] =
    "{\"title\":\"关于做好2026年汛期安全工作的通知\",\"doc_type\":\"通知\","
    "\"issuer\":\"office\",\"main_to\":\"jtj,jyj\",\"copy_to\":\"wsj\","
    "\"body\":\"各有关单位：\\n一、提高认识，压实责任。\\n二、加强巡查，消除隐患。\","
    "\"urgency\":\"urgent\"}";

/* The incoming copy `in` carries the issued original: one attachment, a
 * PDF named after the 发文字号, that the receiving unit can download. */
static void dout_original(struct client *c, long long in)
{
    struct resp r = {0};
    char path[64], url[64];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", in);
    assert_int_equal(http_do(c, "GET", path, NULL, &r), 200);
    json_t *files = resp_get(&r, "files");
    assert_int_equal(json_array_size(files), 1);
    json_t *f = json_array_get(files, 0);
    assert_str_equal(json_string_value(json_object_get(f, "content_type")),
                     "application/pdf");
    assert_contains(json_string_value(json_object_get(f, "name")),
                    "市政办发〔2026〕");
    assert_true(json_integer_value(json_object_get(f, "size")) > 4096);
    snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(f, "url")));
    assert_int_equal(http_do(c, "GET", url, NULL, &r), 200);
    assert_true(r.len > 4 && memcmp(r.body, "%PDF", 4) == 0);
    resp_free(&r);
}

/* The 回执 of id, issued to jtj, jyj (主送) and wsj (抄送): all three
 * listed unsigned; after 市交通运输局 signs for its copy, its signed_at is
 * set. */
static void dout_receipts(struct srv *s, struct client *ng, long long id)
{
    struct resp r = {0};
    char path[128];
    struct client *sw = client_as(s, "jtj_sw", PW);
    snprintf(path, sizeof(path), "/api/v1/doc_out/%lld/receipts", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    json_t *items = json_copy(resp_get(&r, "items"));
    assert_int_equal(json_array_size(items), 3);
    const char *want[] = {"jtj", "jyj", "wsj"};
    for (int k = 0; k < 3; k++) {
        int found = 0;
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "unit")),
                       want[k]) != 0)
                continue;
            found = 1;
            assert_true(json_is_null(json_object_get(it, "signed_at")));
            assert_string_equal(
                json_string_value(json_object_get(it, "state")), "to_sign");
            assert_non_null(json_object_get(it, "case_id"));
            assert_true(json_string_length(json_object_get(it, "unit_name")) >
                        0);
        }
        assert_true(found);
    }
    json_decref(items);
    /* 市交通运输局 signs for its copy */
    assert_int_equal(http_do(sw, "GET",
                             "/api/v1/cases?module=doc_in&state=to_sign", NULL,
                             &r),
                     200);
    long long in = 0;
    {
        size_t i;
        json_t *it;
        json_array_foreach(resp_get(&r, "items"), i, it)
        {
            json_t *ou = json_object_get(it, "owner_unit");
            if (json_is_string(ou) && strcmp(json_string_value(ou), "jtj") == 0)
                in = json_integer_value(json_object_get(it, "id"));
        }
    }
    assert_true(in > 0);
    dout_original(sw, in);
    {
        char p2[128];
        snprintf(p2, sizeof(p2), "/api/v1/cases/%lld/transitions/sign", in);
        int st = http_do(sw, "POST", p2, "{}", &r);
        if (st != 200)
            fail_msg("sign for %lld: %d %s", in, st, r.body);
    }
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    items = json_copy(resp_get(&r, "items"));
    {
        size_t i;
        json_t *it;
        int nsigned = 0;
        json_array_foreach(items, i, it)
        {
            const char *u = json_string_value(json_object_get(it, "unit"));
            json_t *at = json_object_get(it, "signed_at");
            if (strcmp(u, "jtj") == 0) {
                assert_true(json_is_string(at));
                assert_string_equal(
                    json_string_value(json_object_get(it, "signed_by")),
                    "jtj_sw");
            }
            nsigned += json_is_string(at);
        }
        assert_int_equal(nsigned, 1);
    }
    json_decref(items);
    /* the page of the 回执, linked from the document's page */
    snprintf(path, sizeof(path), "/doc_out/%lld/receipts", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    assert_non_null(strstr(r.body, "已签收"));
    assert_non_null(strstr(r.body, "市教育局"));
    snprintf(path, sizeof(path), "/cases/%lld", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    snprintf(path, sizeof(path), "/doc_out/%lld/receipts\"", id);
    assert_non_null(strstr(r.body, path));
    resp_free(&r);
    client_free(sw);
}

static void test_flow(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    dout_setup(s);
    srv_clock(s, "2026-03-02T09:00:00+08:00");
    struct client *ng = client_as(s, "ms_ng", PW), *ld = client_as(s, "ms_ld", PW);
    struct client *jt = client_as(s, "jtj_ld", PW), *jy = client_as(s, "jyj_ld", PW);
    struct client *fsz = client_as(s, "fsz", PW), *clerk = client_as(s, "clerk", PW);

    long long id = dout_create(ng, NOTICE);
    /* no number while drafting */
    dout_state(ng, id, &r);
    assert_true(resp_str(&r, "number") == NULL ||
                resp_str(&r, "number")[0] == '\0');
    /* 撤回 while the leader has not acted */
    FIRE(ng, id, "submit", NULL, 200);
    FIRE(ld, id, "submit", NULL, 403);
    FIRE(ng, id, "withdraw", NULL, 200);
    assert_string_equal(dout_state(ng, id, &r), "draft");
    FIRE(ng, id, "submit", NULL, 200);
    /* 会签: one co-unit agrees, the other returns with reasons */
    FIRE(ld, id, "send_countersign", "{\"fields\":{\"co_units\":\"jtj,jyj\"}}",
         200);
    FIRE(jt, id, "countersign", "{\"comment\":\"同意\"}", 200);
    assert_string_equal(dout_state(ng, id, &r), "countersign");
    FIRE(jt, id, "countersign", NULL, 409);
    FIRE(jy, id, "countersign_return", "{}", 400);
    FIRE(jy, id, "countersign_return",
         "{\"comment\":\"第二条请补充校车安全内容\"}", 200);
    assert_string_equal(dout_state(ng, id, &r), "draft");
    /* a new round: both must agree again */
    FIRE(ng, id, "submit", NULL, 200);
    FIRE(ld, id, "send_countersign", NULL, 200);
    FIRE(jy, id, "countersign", "{\"comment\":\"同意\"}", 200);
    assert_string_equal(dout_state(ng, id, &r), "countersign");
    FIRE(jt, id, "countersign", "{\"comment\":\"同意\"}", 200);
    assert_string_equal(dout_state(ng, id, &r), "review");
    /* 审核: every checklist item, and a signer */
    FIRE(clerk, id, "review_pass",
         "{\"fields\":{\"checklist\":[\"type\"],\"signer\":\"fsz\"}}", 400);
    FIRE(clerk, id, "review_pass",
         "{\"fields\":{" CHECKLIST ",\"signer\":\"fsz\"}}", 200);
    FIRE(clerk, id, "sign", "{\"comment\":\"同意\"}", 403);
    FIRE(fsz, id, "sign", "{\"comment\":\"同意印发\"}", 200);
    assert_string_equal(dout_state(ng, id, &r), "recheck");
    /* substance after 签发 goes back to the signer */
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
        int st = http_do(clerk, "PATCH", path,
                         "{\"fields\":{\"body\":\"改过的正文\"}}", &r);
        assert_int_equal(st, 409);
    }
    FIRE(clerk, id, "revise",
         "{\"fields\":{\"title\":\"关于切实做好2026年汛期安全工作的通知\"},"
         "\"comment\":\"标题按领导意见修改\"}",
         200);
    assert_string_equal(dout_state(ng, id, &r), "sign");
    FIRE(fsz, id, "sign", "{\"comment\":\"同意\"}", 200);
    FIRE(clerk, id, "recheck_pass", NULL, 200);
    /* 登记 takes the number of the 代字 */
    FIRE(clerk, id, "register", NULL, 400);
    FIRE(clerk, id, "register", "{\"fields\":{\"prefix\":\"市政办发\"}}", 200);
    dout_state(ng, id, &r);
    assert_string_equal(resp_str(&r, "state"), "print");
    assert_string_equal(resp_str(&r, "number"), "市政办发〔2026〕1号");
    assert_string_equal(resp_str(&r, "fields.doc_number"),
                        "市政办发〔2026〕1号");
    FIRE(clerk, id, "print", "{\"fields\":{\"copies\":60}}", 200);
    FIRE(clerk, id, "issue", NULL, 200);
    assert_string_equal(dout_state(ng, id, &r), "issued");
    dout_receipts(s, ng, id);
    FIRE(clerk, id, "archive", NULL, 200);
    assert_string_equal(dout_state(ng, id, &r), "archived");

    /* 上行文 name their signer */
    long long up = dout_create(
        ng, "{\"title\":\"关于申请防汛专项资金的请示\",\"doc_type\":\"请示\","
            "\"issuer\":\"office\",\"main_to\":\"gov\",\"body\":\"市政府：……\"}");
    FIRE(ng, up, "submit", NULL, 400);
    assert_non_null(strstr(r.body, "signer"));
    FIRE(ng, up, "submit", "{\"fields\":{\"signer\":\"fsz\"}}", 200);

    resp_free(&r);
    client_free(ng);
    client_free(ld);
    client_free(jt);
    client_free(jy);
    client_free(fsz);
    client_free(clerk);
}

/* Moves a fresh document to 登记 with the given 文种 and secrecy. */
static long long dout_to_register(struct srv *s, const char *title)
{
    struct resp r = {0};
    struct client *ng = client_as(s, "ms_ng", PW), *ld = client_as(s, "ms_ld", PW);
    struct client *fsz = client_as(s, "fsz", PW), *clerk = client_as(s, "clerk", PW);
    char f[512];
    snprintf(f, sizeof(f),
             "{\"title\":\"%s\",\"doc_type\":\"函\",\"issuer\":\"office\","
             "\"body\":\"函文正文。\",\"signer\":\"fsz\"}",
             title);
    long long id = dout_create(ng, f);
    FIRE(ng, id, "submit", NULL, 200);
    FIRE(ld, id, "check_pass", NULL, 200);
    FIRE(clerk, id, "review_pass", "{\"fields\":{" CHECKLIST "}}", 200);
    FIRE(fsz, id, "sign", "{\"comment\":\"同意\"}", 200);
    FIRE(clerk, id, "recheck_pass", NULL, 200);
    resp_free(&r);
    client_free(ng);
    client_free(ld);
    client_free(fsz);
    client_free(clerk);
    return id;
}

struct dout_job {
    struct client *c;
    long long id;
    int status;
};

static void *dout_register_job(void *arg)
{
    struct dout_job *j = arg;
    struct resp r = {0};
    j->status = dout_fire(j->c, j->id, "register",
                          "{\"fields\":{\"prefix\":\"市政函\"}}", &r);
    resp_free(&r);
    return NULL;
}

static void test_concurrent_numbers(void **state)
{
    struct srv *s = *state;
    struct dout_job jobs[NCONC];
    pthread_t th[NCONC];
    struct resp r = {0};
    int seen[NCONC + 1] = {0};
    dout_setup(s);
    srv_clock(s, "2026-03-03T09:00:00+08:00");
    for (int i = 0; i < NCONC; i++) {
        char t[64];
        snprintf(t, sizeof(t), "关于商请支持第%d项工作的函", i + 1);
        jobs[i].id = dout_to_register(s, t);
        jobs[i].c = client_as(s, "clerk", PW);
    }
    for (int i = 0; i < NCONC; i++)
        pthread_create(&th[i], NULL, dout_register_job, &jobs[i]);
    for (int i = 0; i < NCONC; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NCONC; i++) {
        int n = 0;
        assert_int_equal(jobs[i].status, 200);
        dout_state(jobs[i].c, jobs[i].id, &r);
        const char *num = resp_str(&r, "number");
        assert_non_null(num);
        assert_int_equal(sscanf(num, "市政函〔2026〕%d号", &n), 1);
        assert_true(n >= 1 && n <= NCONC);
        assert_int_equal(seen[n], 0);
        seen[n] = 1;
        client_free(jobs[i].c);
    }
    resp_free(&r);
}

static void test_clearance(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    char path[128];
    dout_setup(s);
    struct client *ng = client_as(s, "ms_ng", PW), *staff = client_as(s, "staff", PW);
    struct client *clerk = client_as(s, "clerk", PW);
    long long id = dout_create(
        ng, "{\"title\":\"关于绝无仅有事项甲乙丙的通知\",\"doc_type\":\"通知\","
            "\"issuer\":\"office\",\"secrecy\":\"2\",\"secrecy_term\":\"20年\","
            "\"body\":\"涉密正文。\"}");
    FIRE(ng, id, "submit", NULL, 200);
    /* its mark in the list row and on its page, for a cleared viewer */
    assert_int_equal(http_do(ng, "GET", "/m/doc_out", NULL, &r), 200);
    {
        const char *row = strstr(r.body, "甲乙丙");
        const char *mark = strstr(r.body, "机密★20年");
        assert_non_null(row);
        assert_non_null(mark);
        assert_true(mark < row && row - mark < 300);
    }
    snprintf(path, sizeof(path), "/cases/%lld", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    assert_non_null(strstr(r.body, "机密★20年"));
    /* printing it and downloading its PDF are audited, with the 密级 */
    snprintf(path, sizeof(path), "/cases/%lld/print", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    assert_non_null(strstr(r.body, "机密★20年"));
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/pdf", id);
    assert_int_equal(http_do(ng, "GET", path, NULL, &r), 200);
    {
        struct client *au = client_as(s, "auditor", NULL);
        const char *want[] = {"case.print", "case.doc_out.pdf"};
        char target[32];
        snprintf(target, sizeof(target), "%lld", id);
        for (int k = 0; k < 2; k++) {
            snprintf(path, sizeof(path),
                     "/api/v1/audit?actor=ms_ng&action=%s", want[k]);
            assert_int_equal(http_do(au, "GET", path, NULL, &r), 200);
            json_t *it = json_array_get(resp_get(&r, "items"), 0);
            assert_non_null(it);
            assert_str_equal(json_string_value(json_object_get(it, "target")),
                             target);
            assert_int_equal(json_integer_value(
                                 json_at(json_object_get(it, "detail"), "secrecy")),
                             2);
        }
        client_free(au);
    }
    /* and in search results */
    assert_int_equal(
        http_do(ng, "GET", "/search?q=%E7%94%B2%E4%B9%99%E4%B8%99", NULL, &r),
        200);
    {
        const char *mark = strstr(r.body, "机密★20年");
        assert_non_null(mark);
        assert_non_null(strstr(mark, "甲乙丙"));
    }
    /* the clerk of the issuing body (clearance 2) sees it */
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    /* office staff with clearance 1: no trace */
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    assert_int_equal(
        http_do(staff, "GET", "/api/v1/cases?module=doc_out&per_page=500",
                NULL, &r),
        200);
    assert_null(strstr(r.body, "甲乙丙"));
    {
        json_t *counts = resp_get(&r, "counts");
        size_t i;
        json_t *c;
        json_int_t check = 0;
        json_array_foreach(counts, i, c)
        {
            json_t *st = json_object_get(c, "state");
            if (st != NULL && strcmp(json_string_value(st), "check") == 0)
                check = json_integer_value(json_object_get(c, "n"));
        }
        assert_int_equal(check, 0);
    }
    assert_int_equal(
        http_do(staff, "GET", "/api/v1/search?q=%E7%94%B2%E4%B9%99%E4%B8%99",
                NULL, &r),
        200);
    assert_int_equal(resp_int(&r, "total", -1), 0); /* the body echoes q */
    assert_int_equal(http_do(staff, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_null(strstr(r.body, "甲乙丙"));
    snprintf(path, sizeof(path), "/api/v1/doc_out/%lld/receipts", id);
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    snprintf(path, sizeof(path), "/doc_out/%lld/receipts", id);
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/withdraw", id);
    assert_int_equal(http_do(staff, "POST", path, "{}", &r), 404);
    resp_free(&r);
    client_free(ng);
    client_free(staff);
    client_free(clerk);
}

/* The figures: their shape, a bad period refused, the page and the
 * Excel export. */
static void test_stats(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    dout_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/doc_out/stats?from=2026-01-01&to="
                             "2026-12-31",
                             NULL, &r),
                     200);
    assert_string_equal(resp_str(&r, "from"), "2026-01-01");
    assert_string_equal(resp_str(&r, "steps.0.state"), "draft");
    assert_string_equal(resp_str(&r, "steps.0.label"), "拟稿");
    assert_true(json_is_integer(resp_get(&r, "steps.0.now")));
    assert_true(json_is_integer(resp_get(&r, "steps.0.passes")));
    assert_true(json_is_number(resp_get(&r, "steps.0.avg_hours")));
    assert_true(json_is_number(resp_get(&r, "steps.0.p90_hours")));
    assert_true(json_is_integer(resp_get(&r, "overdue")));
    assert_true(json_is_array(resp_get(&r, "types")));
    assert_true(json_is_array(resp_get(&r, "units")));
    assert_int_equal(json_array_size(resp_get(&r, "steps")), 11);
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/doc_out/stats?from=2026-13-01", NULL,
                &r),
        400);
    assert_int_equal(http_do(clerk, "GET",
                             "/doc_out/stats?from=2026-01-01&to=2026-12-31",
                             NULL, &r),
                     200);
    assert_non_null(strstr(r.body, "各环节办理情况"));
    assert_int_equal(http_do(clerk, "GET", "/doc_out/stats/export", NULL, &r),
                     200);
    assert_true(r.len > 4 && memcmp(r.body, "PK", 2) == 0);
    resp_free(&r);
    client_free(clerk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_flow, srv_clock_teardown),
        cmocka_unit_test_teardown(test_concurrent_numbers, srv_clock_teardown),
        cmocka_unit_test_teardown(test_clearance, srv_clock_teardown),
        cmocka_unit_test_teardown(test_stats, srv_clock_teardown),
    };
    return srv_run_group_tests(tests);
}
