/*
 * test_doc_in.c - 收文办理 through the generic case API (issue 5 item 2):
 * the whole flow 签收 → 登记 (收文编号) → 初审 → 拟办 → 批办 → 承办 (with a
 * linked supervision item opened in one step) → 传阅 (each reader once,
 * the unread list) → 答复 → 归档; 退文 with reasons; an urgent document's
 * deadline, chaser and light; delivery to another unit (recv_unit); and
 * clearance: a person below 机密 sees no trace of a 机密 document (list,
 * counts, search, to-do, by id).
 *
 * People: the bootstrap clerk (office, clearance 2) is 秘书科; staff
 * (office, clearance 1) is a reader and, for the 机密 document, the one
 * without clearance; jtj with its 承办人 di_cb; fsz, a vice mayor, gives
 * the 批示 and reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

#define PW "DocIn-Test-2026!pass"

static int di_ready;

static const struct srv_unit di_units[] = {
    {"jtj", "市交通运输局", "市交通局", "department", "gov"},
    {0},
};

static const struct srv_account di_people[] = {
    {"di_cb", "蒋丽", "jtj", "staff", 0, PW},
    {"fsz", "张志强", "gov", "leader", 2, PW},
    {0},
};

static void di_setup(struct srv *s)
{
    if (di_ready)
        return;
    srv_add_org(s, di_units, di_people);
    di_ready = 1;
}

static long long di_create(struct client *c, const char *fields_json)
{
    struct resp r = {0};
    char body[2048];
    snprintf(body, sizeof(body), "{\"module\":\"doc_in\",\"fields\":%s}",
             fields_json);
    int st = http_do(c, "POST", "/api/v1/cases", body, &r);
    if (st != 201)
        fail_msg("create: %d %s", st, r.body);
    assert_str_equal(resp_str(&r, "state"), "to_sign");
    /* the 收文编号 is taken at 登记, not before */
    assert_str_equal(resp_str(&r, "number"), "");
    long long id = resp_int(&r, "id", 0);
    resp_free(&r);
    return id;
}

static int di_fire(struct client *c, long long id, const char *code,
                   const char *body, struct resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/%s", id, code);
    return http_do(c, "POST", path, body ? body : "{}", r);
}

#define FIRE_OK(c, id, code, json, r)                                          \
    do {                                                                       \
        int st_ = di_fire((c), (id), (code), (json), (r));                     \
        if (st_ != 200)                                                        \
            fail_msg("%s: %d %s", (code), st_, (r)->body);                     \
    } while (0)

static int di_get(struct client *c, long long id, struct resp *r)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    return http_do(c, "GET", path, NULL, r);
}

static int di_has_id(struct resp *r, const char *path, long long id)
{
    json_t *a = resp_get(r, path), *it;
    size_t i;
    json_array_foreach(a, i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id)
            return 1;
    }
    return 0;
}

/* The vote of member in the case's "votes": 1 done, 0 not, -1 absent. */
static int di_read_mark(struct resp *r, const char *member)
{
    json_t *a = resp_get(r, "votes"), *it;
    size_t i;
    json_array_foreach(a, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "member")), member) ==
            0)
            return json_is_true(json_object_get(it, "done"));
    }
    return -1;
}

static void test_flow(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    di_setup(s);
    srv_clock(s, "2026-03-02T09:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *staff = client_as(s, "staff", PW);
    struct client *cb = client_as(s, "di_cb", PW);
    struct client *fsz = client_as(s, "fsz", PW);

    long long id = di_create(
        clerk, "{\"title\":\"关于做好2026年春季农业生产工作的通知\","
               "\"issuer\":\"省人民政府办公厅\",\"doc_number\":"
               "\"省政办发〔2026〕9号\",\"doc_type\":\"通知\"}");
    /* 签收 */
    FIRE_OK(clerk, id, "sign", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "to_register");
    assert_non_null(resp_str(&r, "fields.received_at"));
    /* 登记: the 收文编号 */
    FIRE_OK(clerk, id, "register", "{\"fields\":{\"summary\":\"部署春耕\"}}",
            &r);
    assert_str_equal(resp_str(&r, "state"), "to_check");
    const char *no = resp_str(&r, "number");
    assert_non_null(no);
    assert_true(strncmp(no, "收文〔2026〕", strlen("收文〔2026〕")) == 0);
    assert_str_equal(resp_str(&r, "fields.received_no"), no);
    /* 初审 */
    FIRE_OK(clerk, id, "accept", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "to_propose");
    /* 拟办: an opinion is required */
    assert_int_equal(di_fire(clerk, id, "propose",
                             "{\"fields\":{\"handling_unit\":\"jtj\","
                             "\"leader\":\"fsz\"}}",
                             &r),
                     400);
    FIRE_OK(clerk, id, "propose",
            "{\"fields\":{\"handling_unit\":\"jtj\",\"leader\":\"fsz\"},"
            "\"comment\":\"拟请市交通局牵头办理，报张副市长阅示\"}",
            &r);
    assert_str_equal(resp_str(&r, "state"), "to_instruct");
    assert_str_equal(resp_str(&r, "fields.proposal"),
                     "拟请市交通局牵头办理，报张副市长阅示");
    /* 批办: only the leader named */
    assert_int_equal(
        di_fire(cb, id, "instruct", "{\"comment\":\"同意\"}", &r), 403);
    FIRE_OK(fsz, id, "instruct",
            "{\"comment\":\"请交通局抓紧落实，按时报告\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "handling");
    assert_str_equal(resp_str(&r, "fields.instruction"),
                     "请交通局抓紧落实，按时报告");
    /* 承办: a supervision item linked to the document, in one step */
    FIRE_OK(clerk, id, "open_supervision", NULL, &r);
    assert_int_equal(di_get(clerk, id, &r), 200);
    json_t *links = resp_get(&r, "links");
    assert_int_equal(json_array_size(links), 1);
    assert_str_equal(json_string_value(json_at(links, "0.module")),
                     "supervision");
    long long sup = json_integer_value(json_at(links, "0.id"));
    assert_int_equal(di_get(clerk, sup, &r), 200);
    assert_str_equal(resp_str(&r, "title"),
                     "关于做好2026年春季农业生产工作的通知");
    assert_str_equal(resp_str(&r, "fields.lead_unit"), "jtj");
    assert_str_equal(resp_str(&r, "fields.source"), "document");
    /* 传阅: two readers */
    FIRE_OK(cb, id, "circulate",
            "{\"fields\":{\"readers\":[\"staff\",\"fsz\"]}}", &r);
    assert_str_equal(resp_str(&r, "state"), "circulating");
    assert_int_equal(di_get(clerk, id, &r), 200);
    assert_int_equal(di_read_mark(&r, "staff"), 0);
    assert_int_equal(di_read_mark(&r, "fsz"), 0);
    assert_int_equal(http_do(staff, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_true(di_has_id(&r, "items", id));
    /* only readers read */
    assert_int_equal(di_fire(cb, id, "read", NULL, &r), 403);
    FIRE_OK(staff, id, "read", "{\"comment\":\"已阅，请按批示办理\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "circulating");
    assert_int_equal(di_fire(staff, id, "read", NULL, &r), 409);
    assert_int_equal(di_get(clerk, id, &r), 200);
    assert_int_equal(di_read_mark(&r, "staff"), 1);
    assert_int_equal(di_read_mark(&r, "fsz"), 0); /* not read yet */
    assert_int_equal(http_do(staff, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_false(di_has_id(&r, "items", id));
    /* the page lists who has not read it */
    char path[64];
    snprintf(path, sizeof(path), "/cases/%lld", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "尚未办理");
    assert_contains(r.body, "张志强");
    FIRE_OK(fsz, id, "read", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "circulated");
    /* 答复, 归档 */
    assert_int_equal(di_fire(cb, id, "reply", NULL, &r), 400);
    FIRE_OK(cb, id, "reply", "{\"comment\":\"已按要求完成春耕物资调运\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "done");
    assert_str_equal(resp_str(&r, "fields.result"),
                     "已按要求完成春耕物资调运");
    FIRE_OK(clerk, id, "archive", NULL, &r);
    assert_str_equal(resp_str(&r, "state"), "archived");
    resp_free(&r);
    client_free(clerk);
    client_free(staff);
    client_free(cb);
    client_free(fsz);
}

static void test_return_to_sender(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    di_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    long long id = di_create(clerk, "{\"title\":\"关于请求解决办公用房的请示\","
                                    "\"issuer\":\"某县人民政府\"}");
    FIRE_OK(clerk, id, "sign", NULL, &r);
    FIRE_OK(clerk, id, "register", NULL, &r);
    /* 退文 needs reasons */
    assert_int_equal(di_fire(clerk, id, "reject", NULL, &r), 400);
    FIRE_OK(clerk, id, "reject",
            "{\"comment\":\"请示应一文一事，且未按规定由主要负责人签发\"}", &r);
    assert_str_equal(resp_str(&r, "state"), "returned");
    assert_true(json_is_true(resp_get(&r, "closed")));
    assert_int_equal(di_fire(clerk, id, "propose", NULL, &r), 409);
    FIRE_OK(clerk, id, "archive", NULL, &r);
    resp_free(&r);
    client_free(clerk);
}

static void test_urgent(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    di_setup(s);
    srv_clock(s, "2026-03-02T09:00:00+08:00");
    struct client *clerk = client_as(s, "clerk", PW);
    long long id = di_create(clerk, "{\"title\":\"关于立即开展安全生产大检查的"
                                    "紧急通知\",\"issuer\":\"省安委会办公室\","
                                    "\"urgency\":\"very_urgent\"}");
    FIRE_OK(clerk, id, "sign", NULL, &r);
    /* an urgent document needs a deadline and a chaser from 登记 on */
    assert_int_equal(di_fire(clerk, id, "register", NULL, &r), 400);
    assert_non_null(resp_get(&r, "error.fields.deadline"));
    assert_non_null(resp_get(&r, "error.fields.chaser"));
    FIRE_OK(clerk, id, "register",
            "{\"fields\":{\"deadline\":\"2026-03-04\",\"chaser\":\"clerk\"}}",
            &r);
    assert_str_equal(resp_str(&r, "due"), "2026-03-04");
    assert_str_equal(resp_str(&r, "light"), "green");
    client_free(clerk);
    srv_clock(s, "2026-03-05T09:00:00+08:00");
    clerk = client_as(s, "clerk", PW);
    assert_int_equal(di_get(clerk, id, &r), 200);
    assert_str_equal(resp_str(&r, "light"), "red");
    resp_free(&r);
    client_free(clerk);
}

/* Delivered to another unit: that unit signs for it. */
static void test_delivered(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    di_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *cb = client_as(s, "di_cb", PW);
    long long id = di_create(clerk, "{\"title\":\"关于报送道路运输统计数据的"
                                    "通知\",\"issuer\":\"市人民政府办公室\","
                                    "\"recv_unit\":\"jtj\",\"from_unit\":"
                                    "\"office\",\"source_case\":7}");
    assert_int_equal(di_get(cb, id, &r), 200);
    assert_str_equal(resp_str(&r, "owner_unit"), "jtj");
    assert_int_equal(http_do(cb, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_true(di_has_id(&r, "items", id));
    FIRE_OK(cb, id, "sign", NULL, &r);
    FIRE_OK(cb, id, "register", NULL, &r);
    resp_free(&r);
    client_free(clerk);
    client_free(cb);
}

static void test_clearance(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    di_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *staff = client_as(s, "staff", PW); /* clearance 1 */
    long long open = di_create(clerk, "{\"title\":\"公开来文测试鸮\","
                                      "\"issuer\":\"省人民政府\"}");
    long long secret =
        di_create(clerk, "{\"title\":\"机密来文测试鸮\",\"issuer\":"
                         "\"省人民政府\",\"secrecy\":\"2\","
                         "\"secrecy_term\":\"20年\"}");
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=doc_in&per_page=500", NULL,
                             &r),
                     200);
    assert_true(di_has_id(&r, "items", secret));
    long long clerk_n = resp_int(&r, "counts.to_sign", 0);
    assert_int_equal(http_do(staff, "GET",
                             "/api/v1/cases?module=doc_in&per_page=500", NULL,
                             &r),
                     200);
    assert_true(di_has_id(&r, "items", open));
    assert_false(di_has_id(&r, "items", secret));
    assert_int_equal(resp_int(&r, "counts.to_sign", 0), clerk_n - 1);
    assert_int_equal(di_get(staff, secret, &r), 404);
    assert_int_equal(di_fire(staff, secret, "sign", NULL, &r), 404);
    assert_int_equal(
        http_do(staff, "GET", "/api/v1/search?q=%E9%B8%AE", NULL, &r), 200);
    assert_true(di_has_id(&r, "items", open));
    assert_false(di_has_id(&r, "items", secret));
    assert_int_equal(http_do(staff, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_true(di_has_id(&r, "items", open));
    assert_false(di_has_id(&r, "items", secret));
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/search?q=%E9%B8%AE", NULL, &r), 200);
    assert_true(di_has_id(&r, "items", secret));
    char path[64];
    snprintf(path, sizeof(path), "/cases/%lld", secret);
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    resp_free(&r);
    client_free(clerk);
    client_free(staff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_flow, srv_clock_teardown),
        cmocka_unit_test(test_return_to_sender),
        cmocka_unit_test_teardown(test_urgent, srv_clock_teardown),
        cmocka_unit_test(test_delivered),
        cmocka_unit_test(test_clearance),
    };
    return srv_run_group_tests(tests);
}
