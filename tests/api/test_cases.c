/*
 * test_cases.c - the generic case API and pages (api_cases.c,
 * page_cases.c) driven through the supervision module: the module table
 * and OpenAPI, a lifecycle with its refusals (403 / 409 / 400 by field),
 * the list's filters, counts and paging, to-do and notifications, search
 * with highlighted segments, attachments (upload, download, 404 for those
 * who may not see the case), the Excel export, clearance in every read
 * path (list, counts, to-do, search, export, by id), and the pages:
 * buttons only for what the viewer may fire, filters, forms that keep
 * what was typed.
 *
 * People: the bootstrap clerk (unit office, clearance 2) is 督查科; staff
 * (office, clearance 1); the lead unit jtj with its 承办人 ct_cb; ct_jy in
 * jyj, a unit with nothing to do with the items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib_server.h"

#define PW "Cases-Test-2026!pw"

static int ct_ready;

static const struct srv_unit ct_units[] = {
    {"jtj", "市交通运输局", NULL, "department", "gov"},
    {"jyj", "市教育局", NULL, "department", "gov"},
    {0},
};

static const struct srv_account ct_people[] = {
    {"ct_cb", "蒋丽", "jtj", "staff", 0, PW},
    {"ct_jy", "于洋", "jyj", "staff", 0, PW},
    {0},
};

static void ct_setup(struct srv *s)
{
    if (ct_ready)
        return;
    srv_add_org(s, ct_units, ct_people);
    ct_ready = 1;
}

/* Registers an item as c; returns its id. */
static long long ct_create(struct client *c, const char *fields)
{
    struct resp r = {0};
    char body[4096];
    snprintf(body, sizeof(body), "{\"module\":\"supervision\",\"fields\":%s}",
             fields);
    int st = http_do(c, "POST", "/api/v1/cases", body, &r);
    if (st != 201)
        fail_msg("create: %d %s", st, r.body);
    long long id = resp_int(&r, "id", 0);
    assert_true(id > 0);
    resp_free(&r);
    return id;
}

static int ct_fire(struct client *c, long long id, const char *code,
                   const char *body, struct resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/%s", id, code);
    return http_do(c, "POST", path, body ? body : "{}", r);
}

static int ct_get(struct client *c, const char *fmt, long long id,
                  struct resp *r)
{
    char path[256];
    snprintf(path, sizeof(path), fmt, id);
    return http_do(c, "GET", path, NULL, r);
}

/* 1 when the JSON array at path of r holds an item whose "id" is id. */
static int ct_has_id(struct resp *r, const char *path, long long id)
{
    json_t *a = resp_get(r, path);
    size_t i;
    json_t *it;
    json_array_foreach(a, i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id)
            return 1;
    }
    return 0;
}

static void test_modules_and_openapi(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    struct client *c = client_as(s, "clerk", PW);
    assert_int_equal(http_do(c, "GET", "/api/v1/modules", NULL, &r), 200);
    json_t *items = resp_get(&r, "items");
    assert_true(json_array_size(items) >= 1);
    json_t *sup = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(items, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "code")),
                   "supervision") == 0)
            sup = m;
    }
    assert_non_null(sup);
    assert_str_equal(json_string_value(json_object_get(sup, "label")),
                     "督查督办");
    assert_str_equal(json_string_value(json_at(sup, "fields.0.code")), "title");
    assert_str_equal(json_string_value(json_at(sup, "fields.0.type")), "text");
    assert_non_null(json_at(sup, "fields.0.required_in"));
    assert_non_null(json_at(sup, "fields.0.flags"));
    assert_str_equal(json_string_value(json_at(sup, "states.0.code")),
                     "registered");
    assert_str_equal(json_string_value(json_at(sup, "transitions.0.code")),
                     "assign");
    assert_str_equal(json_string_value(json_at(sup, "transitions.0.from.0")),
                     "registered");
    assert_str_equal(json_string_value(json_at(sup, "transitions.0.to")),
                     "assigned");
    assert_true(json_is_array(json_at(sup, "transitions.0.roles")));
    assert_true(json_is_integer(json_at(sup, "transitions.0.comment")));

    assert_int_equal(http_do(c, "GET", "/api/v1/openapi.json", NULL, &r), 200);
    assert_str_equal(resp_str(&r, "openapi"), "3.0.3");
    assert_non_null(resp_get(&r, "info.title"));
    json_t *paths = resp_get(&r, "paths");
    assert_non_null(json_object_get(paths, "/api/v1/cases"));
    assert_non_null(
        json_at(json_object_get(paths, "/api/v1/cases/{id}"), "get.responses"));
    assert_non_null(
        json_object_get(paths, "/api/v1/cases/{id}/transitions/{code}"));
    assert_null(json_object_get(paths, "/api/v1/test/clock"));
    assert_non_null(resp_get(&r, "components.schemas.supervision_fields"));
    resp_free(&r);
    client_free(c);
}

static void test_lifecycle_and_refusals(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    ct_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *cb = client_as(s, "ct_cb", PW);
    struct client *jy = client_as(s, "ct_jy", PW);

    /* bad bodies: unknown key, wrong type, missing module */
    assert_int_equal(http_do(clerk, "POST", "/api/v1/cases",
                             "{\"module\":\"supervision\",\"fields\":{},"
                             "\"color\":1}",
                             &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.color"));
    assert_int_equal(http_do(clerk, "POST", "/api/v1/cases",
                             "{\"module\":\"supervision\",\"fields\":[]}", &r),
                     400);
    assert_int_equal(
        http_do(clerk, "POST", "/api/v1/cases", "{\"fields\":{}}", &r), 400);
    assert_non_null(resp_str(&r, "error.fields.module"));
    /* a required field, in Chinese, by the field */
    assert_int_equal(http_do(clerk, "POST", "/api/v1/cases",
                             "{\"module\":\"supervision\",\"fields\":"
                             "{\"source\":\"meeting\"}}",
                             &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.title"));
    /* only 督查科 registers */
    assert_int_equal(http_do(cb, "POST", "/api/v1/cases",
                             "{\"module\":\"supervision\",\"fields\":"
                             "{\"title\":\"越权登记\"}}",
                             &r),
                     403);

    long long id = ct_create(clerk, "{\"title\":\"推进公交站台无障碍改造\","
                                    "\"source\":\"meeting\","
                                    "\"requirement\":\"年底前完成\"}");
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", id, &r), 200);
    assert_str_equal(resp_str(&r, "state"), "registered");
    assert_non_null(resp_str(&r, "number"));
    assert_str_equal(resp_str(&r, "fields.title"), "推进公交站台无障碍改造");
    assert_true(json_is_array(resp_get(&r, "timeline")));
    assert_true(json_is_array(resp_get(&r, "files")));
    assert_str_equal(resp_str(&r, "transitions.0.code"), "assign");

    /* the lead unit sees nothing to fire yet; wrong person 403, wrong
     * state 409, invalid field 400 */
    assert_int_equal(ct_get(cb, "/api/v1/cases/%lld", id, &r), 200);
    assert_int_equal(json_array_size(resp_get(&r, "transitions")), 0);
    assert_int_equal(
        ct_fire(cb, id, "assign", "{\"fields\":{\"lead_unit\":\"jtj\"}}", &r),
        403);
    assert_int_equal(ct_fire(clerk, id, "complete", NULL, &r), 409);
    assert_int_equal(ct_fire(clerk, id, "assign",
                             "{\"fields\":{\"lead_unit\":\"nowhere\"}}", &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.lead_unit"));
    assert_int_equal(ct_fire(clerk, id, "nosuch", NULL, &r), 404);
    assert_int_equal(ct_fire(clerk, id, "assign", "{\"comment\":5}", &r), 400);

    assert_int_equal(ct_fire(clerk, id, "assign",
                             "{\"fields\":{\"lead_unit\":\"jtj\","
                             "\"limit_class\":\"urgent\"},"
                             "\"comment\":\"请抓紧落实\"}",
                             &r),
                     200);
    assert_str_equal(resp_str(&r, "state"), "assigned");
    assert_contains(resp_str(&r, "message"), "市交通运输局");
    assert_non_null(resp_str(&r, "clocks.0.light"));

    /* to-do and notifications of the lead unit */
    assert_int_equal(http_do(cb, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_true(ct_has_id(&r, "items", id));
    assert_int_equal(http_do(jy, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_false(ct_has_id(&r, "items", id));
    assert_int_equal(http_do(cb, "GET", "/api/v1/notifications", NULL, &r),
                     200);
    assert_true(resp_int(&r, "unread", 0) >= 1);
    long long nid = resp_int(&r, "items.0.id", 0);
    assert_true(nid > 0);
    char body[128];
    snprintf(body, sizeof(body), "{\"ids\":[%lld]}", nid);
    assert_int_equal(
        http_do(cb, "POST", "/api/v1/notifications/read", body, &r), 200);
    assert_int_equal(resp_int(&r, "changed", -1), 1);
    assert_int_equal(http_do(cb, "POST", "/api/v1/notifications/read",
                             "{\"ids\":[\"x\"]}", &r),
                     400);
    assert_int_equal(
        http_do(cb, "POST", "/api/v1/notifications/read", "{\"all\":true}", &r),
        200);
    assert_int_equal(resp_int(&r, "unread", -1), 0);

    /* 签收, 申请办结 (result required), 办结 */
    assert_int_equal(ct_fire(jy, id, "accept", NULL, &r), 403);
    assert_int_equal(ct_fire(cb, id, "accept", NULL, &r), 200);
    assert_str_equal(resp_str(&r, "state"), "in_progress");
    assert_int_equal(ct_fire(cb, id, "accept", NULL, &r), 409);
    assert_int_equal(ct_fire(cb, id, "request_completion", "{}", &r), 400);
    assert_non_null(resp_str(&r, "error.fields.result"));
    assert_int_equal(ct_fire(cb, id, "request_completion",
                             "{\"fields\":{\"result\":\"已完成改造\"}}", &r),
                     200);
    assert_str_equal(resp_str(&r, "state"), "completion_requested");

    /* comments and edits outside transitions */
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", id, &r), 200);
    size_t before = json_array_size(resp_get(&r, "timeline"));
    snprintf(body, sizeof(body), "/api/v1/cases/%lld/comments", id);
    assert_int_equal(
        http_do(clerk, "POST", body, "{\"text\":\"材料齐全\"}", &r), 201);
    assert_true(json_array_size(resp_get(&r, "timeline")) == before + 1);
    assert_int_equal(http_do(clerk, "POST", body, "{}", &r), 400);
    assert_non_null(resp_str(&r, "error.fields.text"));
    snprintf(body, sizeof(body), "/api/v1/cases/%lld", id);
    assert_int_equal(
        http_do(clerk, "PATCH", body,
                "{\"fields\":{\"requirement\":\"年底前完成并验收\"}}", &r),
        200);
    assert_str_equal(resp_str(&r, "fields.requirement"), "年底前完成并验收");
    assert_int_equal(
        http_do(cb, "PATCH", body, "{\"fields\":{\"requirement\":\"改\"}}", &r),
        403);

    assert_int_equal(
        ct_fire(clerk, id, "complete", "{\"comment\":\"同意办结\"}", &r), 200);
    assert_str_equal(resp_str(&r, "state"), "done");
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", 999999999LL, &r), 404);
    assert_int_equal(http_do(clerk, "GET", "/api/v1/cases/abc", NULL, &r), 404);
    resp_free(&r);
    client_free(clerk);
    client_free(cb);
    client_free(jy);
}

static void test_list_filters_counts(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    ct_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    long long a = ct_create(clerk, "{\"title\":\"筛选甲：河道清淤\"}");
    long long b = ct_create(clerk, "{\"title\":\"筛选乙：路灯维修\"}");
    assert_int_equal(
        ct_fire(clerk, b, "assign", "{\"fields\":{\"lead_unit\":\"jtj\"}}", &r),
        200);
    assert_int_equal(
        http_do(clerk, "GET",
                "/api/v1/cases?module=supervision&q=%E7%AD%9B%E9%80%89", NULL,
                &r),
        200);
    assert_true(resp_int(&r, "total", 0) >= 2);
    assert_true(resp_int(&r, "counts.registered", 0) >= 1);
    assert_true(resp_int(&r, "counts.assigned", 0) >= 1);
    assert_int_equal(resp_int(&r, "page", 0), 1);
    /* state filter */
    assert_int_equal(
        http_do(clerk, "GET",
                "/api/v1/cases?module=supervision&state=assigned&per_page=500",
                NULL, &r),
        200);
    assert_true(ct_has_id(&r, "items", b));
    assert_false(ct_has_id(&r, "items", a));
    /* unit filter, sort, paging */
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&unit=jtj&"
                             "sort=-created&per_page=1",
                             NULL, &r),
                     200);
    assert_int_equal(json_array_size(resp_get(&r, "items")), 1);
    assert_int_equal(resp_int(&r, "per_page", 0), 1);
    /* dates: registered today, nothing due in 2001 */
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&"
                             "due_from=2001-01-01&due_to=2001-12-31",
                             NULL, &r),
                     200);
    assert_int_equal(resp_int(&r, "total", -1), 0);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&created_from=x",
                             NULL, &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.created_from"));
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/cases?module=nosuch", NULL, &r), 400);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&light=green",
                             NULL, &r),
                     200);
    resp_free(&r);
    client_free(clerk);
}

static void test_search(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    struct client *clerk = client_as(s, "clerk", PW);
    long long id = ct_create(clerk, "{\"title\":\"整治農貿市場周边环境\","
                                    "\"requirement\":\"结合创建文明城市，"
                                    "开展农贸市场专项整治\"}");
    /* simplified query finds traditional text, and the reverse */
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/search?q=%E5%86%9C%E8%B4%B8", NULL, &r),
        200); /* 农贸 */
    assert_true(ct_has_id(&r, "items", id));
    json_t *items = resp_get(&r, "items");
    size_t i;
    json_t *it;
    int matched = 0;
    json_array_foreach(items, i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) != id)
            continue;
        json_t *seg;
        size_t k;
        json_array_foreach(json_object_get(it, "snippet"), k, seg)
        {
            assert_true(json_is_string(json_object_get(seg, "text")));
            if (json_is_true(json_object_get(seg, "match")))
                matched++;
        }
    }
    assert_true(matched >= 1);
    assert_int_equal(http_do(clerk, "GET", "/api/v1/search?q=", NULL, &r), 400);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/search?q=%E8%BE%B2%E8%B2%BF&module="
                             "supervision",
                             NULL, &r),
                     200); /* 農貿 */
    assert_true(ct_has_id(&r, "items", id));

    /* the newest registered first; sort=-updated: the last handled first */
    long long newer = ct_create(clerk, "{\"title\":\"农贸市场消防检查\","
                                       "\"requirement\":\"逐户排查\"}");
    char path[128];
    usleep(5000); /* a later millisecond than newer's registration */
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    assert_int_equal(http_do(clerk, "PATCH", path,
                             "{\"fields\":{\"requirement\":\"月底前完成\"}}",
                             &r),
                     200);
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/search?q=%E5%86%9C%E8%B4%B8", NULL, &r),
        200);
    assert_int_equal(resp_int(&r, "items.0.id", 0), newer);
    assert_int_equal(
        http_do(clerk, "GET",
                "/api/v1/search?q=%E5%86%9C%E8%B4%B8&sort=-updated", NULL, &r),
        200);
    assert_int_equal(resp_int(&r, "items.0.id", 0), id);
    assert_int_equal(http_do(clerk, "GET",
                             "/search?q=%E5%86%9C%E8%B4%B8&sort=-updated", NULL,
                             &r),
                     200);
    assert_contains(r.body, "value=\"-updated\" selected");
    resp_free(&r);
    client_free(clerk);
}

/* A multipart/form-data body with one file part named "file". */
static char *ct_multipart(const char *name, const char *data, size_t *len)
{
    const char *head = "--XyZb0undary\r\nContent-Disposition: form-data; "
                       "name=\"file\"; filename=\"";
    const char *mid = "\"\r\nContent-Type: text/plain\r\n\r\n";
    const char *tail = "\r\n--XyZb0undary--\r\n";
    size_t n =
        strlen(head) + strlen(name) + strlen(mid) + strlen(data) + strlen(tail);
    char *b = malloc(n + 1);
    assert_non_null(b);
    snprintf(b, n + 1, "%s%s%s%s%s", head, name, mid, data, tail);
    *len = n;
    return b;
}

static void test_files(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    ct_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *staff = client_as(s, "staff", PW);
    struct client *cb = client_as(s, "ct_cb", PW);
    long long id = ct_create(clerk, "{\"title\":\"附件测试事项\"}");
    long long secret =
        ct_create(clerk, "{\"title\":\"附件测试机密事项\",\"secrecy\":\"2\"}");
    char path[128];
    size_t len;
    char *body = ct_multipart("整治方案.txt", "第一条：立即整改。", &len);
    const char *hdr[] = {NULL};
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/files", id);
    assert_int_equal(http_raw(clerk, "POST", path,
                              "multipart/form-data; boundary=XyZb0undary", body,
                              len, hdr, 1, &r),
                     201);
    long long fid = resp_int(&r, "items.0.id", 0);
    assert_true(fid > 0);
    assert_str_equal(resp_str(&r, "items.0.name"), "整治方案.txt");
    /* the lead unit has nothing to do on a registered item: no upload */
    assert_int_equal(http_raw(cb, "POST", path,
                              "multipart/form-data; boundary=XyZb0undary", body,
                              len, hdr, 1, &r),
                     403);
    /* no file part */
    assert_int_equal(http_do(clerk, "POST", path, "{}", &r), 400);

    snprintf(path, sizeof(path), "/api/v1/cases/%lld/files", secret);
    assert_int_equal(http_raw(clerk, "POST", path,
                              "multipart/form-data; boundary=XyZb0undary", body,
                              len, hdr, 1, &r),
                     201);
    long long sfid = resp_int(&r, "items.0.id", 0);
    free(body);

    snprintf(path, sizeof(path), "/api/v1/files/%lld", fid);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_string_equal(r.body, "第一条：立即整改。");
    assert_contains(resp_header(&r, "Content-Disposition"), "attachment");
    assert_contains(resp_header(&r, "Content-Disposition"),
                    "filename*=UTF-8''%E6%95%B4%E6%B2%BB");
    assert_str_equal(resp_header(&r, "X-Content-Type-Options"), "nosniff");
    /* the page route serves the same */
    snprintf(path, sizeof(path), "/files/%lld", fid);
    assert_int_equal(http_do(cb, "GET", path, NULL, &r), 200);
    /* a classified case's file: 404 below its clearance */
    snprintf(path, sizeof(path), "/api/v1/files/%lld", sfid);
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_int_equal(http_do(clerk, "GET", "/api/v1/files/999999", NULL, &r),
                     404);
    /* the detail lists the file */
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", id, &r), 200);
    assert_int_equal(resp_int(&r, "files.0.id", 0), fid);
    resp_free(&r);
    client_free(clerk);
    client_free(staff);
    client_free(cb);
}

static void test_clearance_everywhere(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *staff = client_as(s, "staff", PW); /* clearance 1 */
    struct client *admin = client_as(s, "admin", PW);
    long long open = ct_create(clerk, "{\"title\":\"密级测试公开事项鹭\"}");
    long long secret = ct_create(
        clerk, "{\"title\":\"密级测试机密事项鹭\",\"secrecy\":\"2\"}");
    /* the clerk (clearance 2) sees both */
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&per_page=500",
                             NULL, &r),
                     200);
    assert_true(ct_has_id(&r, "items", secret));
    long long clerk_reg = resp_int(&r, "counts.registered", 0);
    /* staff: not in the list, not counted, not by id, not in search */
    assert_int_equal(http_do(staff, "GET",
                             "/api/v1/cases?module=supervision&per_page=500",
                             NULL, &r),
                     200);
    assert_true(ct_has_id(&r, "items", open));
    assert_false(ct_has_id(&r, "items", secret));
    assert_true(resp_int(&r, "counts.registered", 0) < clerk_reg);
    assert_int_equal(ct_get(staff, "/api/v1/cases/%lld", secret, &r), 404);
    assert_int_equal(ct_fire(staff, secret, "assign",
                             "{\"fields\":{\"lead_unit\":\"jtj\"}}", &r),
                     404);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/comments", secret);
    assert_int_equal(http_do(staff, "POST", path, "{\"text\":\"看看\"}", &r),
                     404);
    assert_int_equal(
        http_do(staff, "GET", "/api/v1/search?q=%E9%B9%AD", NULL, &r), 200);
    assert_true(ct_has_id(&r, "items", open));
    assert_false(ct_has_id(&r, "items", secret));
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/search?q=%E9%B9%AD", NULL, &r), 200);
    assert_true(ct_has_id(&r, "items", secret));
    assert_int_equal(http_do(staff, "GET", "/api/v1/todo", NULL, &r), 200);
    assert_false(ct_has_id(&r, "items", secret));
    /* the detail page is 404 as well */
    snprintf(path, sizeof(path), "/cases/%lld", secret);
    assert_int_equal(http_do(staff, "GET", path, NULL, &r), 404);
    /* the export counts what the list counts: the staff's sheet is
     * smaller than the clerk's (same filter, one row fewer) */
    assert_int_equal(http_do(staff, "GET",
                             "/api/v1/cases/export.xlsx?module=supervision&"
                             "q=%E9%B9%AD",
                             NULL, &r),
                     200);
    size_t staff_len = r.len;
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases/export.xlsx?module=supervision&"
                             "q=%E9%B9%AD",
                             NULL, &r),
                     200);
    assert_true(r.len > staff_len);
    /* 三员分立: the system administrator reads no business case */
    assert_int_equal(ct_get(admin, "/api/v1/cases/%lld", open, &r), 404);
    assert_int_equal(
        http_do(admin, "GET", "/api/v1/cases?module=supervision", NULL, &r),
        200);
    assert_int_equal(resp_int(&r, "total", -1), 0);
    resp_free(&r);
    client_free(clerk);
    client_free(staff);
    client_free(admin);
}

static void test_export(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    struct client *clerk = client_as(s, "clerk", PW);
    ct_create(clerk,
              "{\"title\":\"导出测试事项\",\"deadline\":\"2026-12-31\"}");
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases/export.xlsx?module=supervision",
                             NULL, &r),
                     200);
    assert_true(r.len > 4);
    assert_memory_equal(r.body, "PK", 2);
    assert_contains(resp_header(&r, "Content-Type"), "spreadsheetml");
    assert_contains(resp_header(&r, "Content-Disposition"),
                    "filename*=UTF-8''");
    /* all modules, and the page's route */
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/cases/export.xlsx", NULL, &r), 200);
    assert_memory_equal(r.body, "PK", 2);
    assert_int_equal(http_do(clerk, "GET",
                             "/m/supervision/export?state=registered", NULL,
                             &r),
                     200);
    assert_memory_equal(r.body, "PK", 2);
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases/export.xlsx?module=nosuch", NULL,
                             &r),
                     400);
    resp_free(&r);
    client_free(clerk);
}

static void test_pages(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    ct_setup(s);
    struct client *clerk = client_as(s, "clerk", PW);
    struct client *cb = client_as(s, "ct_cb", PW);
    struct client *admin = client_as(s, "admin", PW);
    long long id = ct_create(clerk, "{\"title\":\"页面测试：修缮人行道\"}");
    char path[128];
    snprintf(path, sizeof(path), "/cases/%lld", id);

    /* the clerk may assign: the button is there, 签收 is not */
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "页面测试：修缮人行道");
    char want[160];
    snprintf(want, sizeof(want), "/cases/%lld/do/assign", id);
    assert_contains(r.body, want);
    snprintf(want, sizeof(want), "/cases/%lld/do/accept", id);
    assert_null(strstr(r.body, want));
    assert_contains(r.body, "立项");
    /* the lead unit sees no button before it is assigned */
    assert_int_equal(http_do(cb, "GET", path, NULL, &r), 200);
    assert_null(strstr(r.body, "/do/"));

    /* the transition's form, then firing it from the page */
    snprintf(path, sizeof(path), "/cases/%lld/do/assign", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "name=\"lead_unit\"");
    assert_contains(r.body, "交办意见");
    assert_int_equal(http_do(cb, "GET", path, NULL, &r), 403);
    /* missing lead unit: 400, the message beside the field, typed kept */
    assert_int_equal(
        http_form(clerk, path, "lead_unit=&comment=%E5%B0%BD%E5%BF%AB", &r),
        400);
    assert_contains(r.body, "field-error");
    assert_contains(r.body, "尽快");
    assert_int_equal(
        http_form(clerk, path, "lead_unit=jtj&limit_class=normal&comment=", &r),
        303);
    assert_contains(resp_header(&r, "Location"), "/cases/");
    snprintf(path, sizeof(path), "/cases/%lld", id);
    assert_int_equal(http_do(cb, "GET", path, NULL, &r), 200);
    snprintf(want, sizeof(want), "/cases/%lld/do/accept", id);
    assert_contains(r.body, want);
    snprintf(want, sizeof(want), "/cases/%lld/do/assign", id);
    assert_null(strstr(r.body, want));
    assert_contains(r.body, "light-");
    /* the lead unit's home page lists it */
    assert_int_equal(http_do(cb, "GET", "/", NULL, &r), 200);
    assert_contains(r.body, "页面测试：修缮人行道");

    /* the list: tabs with counts, filters, sorting links, export, 登记 */
    assert_int_equal(http_do(clerk, "GET", "/m/supervision", NULL, &r), 200);
    assert_contains(r.body, "导出Excel");
    assert_contains(r.body, "/m/supervision/new");
    assert_contains(r.body, "sort=");
    assert_contains(r.body, "页面测试：修缮人行道");
    assert_int_equal(
        http_do(clerk, "GET", "/m/supervision?state=registered", NULL, &r),
        200);
    assert_null(strstr(r.body, "页面测试：修缮人行道"));
    assert_int_equal(http_do(clerk, "GET",
                             "/m/supervision?state=assigned&unit=jtj", NULL,
                             &r),
                     200);
    assert_contains(r.body, "页面测试：修缮人行道");
    assert_int_equal(http_do(cb, "GET", "/m/supervision", NULL, &r), 200);
    assert_null(strstr(r.body, "/m/supervision/new"));
    assert_int_equal(http_do(clerk, "GET", "/m/nosuch", NULL, &r), 404);
    /* the navigation: the module for business roles, not administrators */
    assert_contains(r.body, "href=\"/m/supervision\"");
    assert_int_equal(http_do(admin, "GET", "/", NULL, &r), 200);
    assert_null(strstr(r.body, "href=\"/m/supervision\""));

    /* registration form: errors by the field, what was typed kept */
    assert_int_equal(http_do(clerk, "GET", "/m/supervision/new", NULL, &r),
                     200);
    assert_contains(r.body, "name=\"title\"");
    assert_int_equal(http_do(cb, "GET", "/m/supervision/new", NULL, &r), 403);
    assert_int_equal(http_form(clerk, "/m/supervision/new",
                               "title=&source_ref=%E6%89%B9%E7%A4%BA%E5%8E%9F"
                               "%E6%96%87",
                               &r),
                     400);
    assert_contains(r.body, "请填写事项名称");
    assert_contains(r.body, "批示原文");
    assert_int_equal(http_form(clerk, "/m/supervision/new",
                               "title=%E9%A1%B5%E9%9D%A2%E7%99%BB%E8%AE%B0"
                               "&source=meeting",
                               &r),
                     303);
    assert_contains(resp_header(&r, "Location"), "/cases/");

    /* print view, search page, notifications page */
    snprintf(path, sizeof(path), "/cases/%lld/print", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "处理笺");
    assert_null(strstr(r.body, "sidenav"));
    assert_int_equal(http_do(clerk, "GET",
                             "/search?q=%E4%BA%BA%E8%A1%8C%E9%81%93", NULL, &r),
                     200);
    assert_contains(r.body, "<mark>人行道</mark>");
    assert_int_equal(http_do(cb, "GET", "/notifications", NULL, &r), 200);
    assert_contains(r.body, "通知");
    /* a comment from the page */
    snprintf(path, sizeof(path), "/cases/%lld/comments", id);
    assert_int_equal(http_form(cb, path, "text=%E5%B7%B2%E9%98%85", &r),
                     303); /* 已阅 */
    snprintf(path, sizeof(path), "/cases/%lld", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "已阅");
    resp_free(&r);
    client_free(clerk);
    client_free(cb);
    client_free(admin);
}

static void test_links(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    struct client *clerk = client_as(s, "clerk", PW);
    long long a = ct_create(clerk, "{\"title\":\"关联测试：会议议定事项\"}");
    long long b = ct_create(clerk, "{\"title\":\"关联测试：督办事项\"}");
    char path[128], body[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/links", b);
    snprintf(body, sizeof(body), "{\"case\":%lld,\"kind\":\"source\"}", a);
    assert_int_equal(http_do(clerk, "POST", path, body, &r), 201);
    assert_int_equal(resp_int(&r, "links.0.id", 0), a);
    assert_int_equal(http_do(clerk, "POST", path, body, &r), 409);
    snprintf(body, sizeof(body), "{\"case\":%lld}", b);
    assert_int_equal(http_do(clerk, "POST", path, body, &r), 400);
    assert_int_equal(http_do(clerk, "POST", path, "{\"kind\":\"x\"}", &r), 400);
    assert_non_null(resp_str(&r, "error.fields.case"));
    /* from the page, by the other case's number */
    long long c = ct_create(clerk, "{\"title\":\"关联测试：第三件\"}");
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", c, &r), 200);
    char *enc = url_encode(resp_str(&r, "number"));
    char form[256];
    snprintf(form, sizeof(form), "case=%s&kind=related", enc);
    free(enc);
    snprintf(path, sizeof(path), "/cases/%lld/links", a);
    assert_int_equal(http_form(clerk, path, form, &r), 303);
    assert_int_equal(ct_get(clerk, "/api/v1/cases/%lld", a, &r), 200);
    assert_int_equal(json_array_size(resp_get(&r, "links")), 2);
    snprintf(path, sizeof(path), "/cases/%lld", a);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_contains(r.body, "关联测试：第三件");
    resp_free(&r);
    client_free(clerk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modules_and_openapi),
        cmocka_unit_test(test_lifecycle_and_refusals),
        cmocka_unit_test(test_list_filters_counts),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_clearance_everywhere),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_links),
    };
    return srv_run_group_tests(tests);
}
