/*
 * test_gen.c - `shuniu gen` and `shuniu sweep` against a live server: the
 * generated cases pass `shuniu check`, the server lists and opens them,
 * search finds their words, a transition fires on one of them, numbering
 * continues after them without a duplicate; a fresh database gets the demo
 * office; bad options are refused with a Chinese message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"
#include "store/store.h"

#define GEN_CASES "1500"

/* Opens the server's database (for the numbering check). */
static struct store *gen_db(struct srv *s)
{
    char err[256];
    struct store *db = store_open(s->db_url, err, sizeof(err));
    if (db == NULL)
        fail_msg("open %s: %s", s->db_url, err);
    return db;
}

static void test_gen_and_use(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    struct resp r = {0};
    struct client *clerk;
    char path[256];
    long long id = 0;

    assert_int_equal(srv_run_cli(s, NULL, &res, "gen", "--cases", GEN_CASES,
                                 "--seed", "7", "--batch", "400"),
                     0);
    assert_contains(res.out, "已生成 " GEN_CASES " 件");
    assert_contains(res.out, "模块规则检查：0 处不符");
    printf("# %s", res.out);
    cli_result_free(&res);

    /* integrity, the audit chain (one record for the run), attachments */
    assert_int_equal(srv_run_cli(s, NULL, &res, "check"), 0);
    assert_contains(res.out, "完整");
    assert_contains(res.out, "与散列值一致");
    cli_result_free(&res);

    clerk = client_as(s, "clerk", NULL);
    /* the list: supervision cases of every kind of state */
    assert_int_equal(http_do(clerk, "GET",
                             "/api/v1/cases?module=supervision&per_page=5",
                             NULL, &r),
                     200);
    assert_true(resp_int(&r, "total", 0) > 100);
    cli_result_free(&res);

    /* a registered item the clerk may assign */
    assert_int_equal(
        http_do(clerk, "GET",
                "/api/v1/cases?module=supervision&state=registered&per_page=1",
                NULL, &r),
        200);
    assert_true(resp_int(&r, "total", 0) > 0);
    id = resp_int(&r, "items.0.id", 0);
    assert_true(id > 0);

    /* its page: fields, timeline */
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_str_equal(resp_str(&r, "state"), "registered");
    assert_non_null(resp_str(&r, "number"));
    assert_true(json_array_size(resp_get(&r, "timeline")) >= 1);

    /* a transition on the generated case */
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/assign", id);
    int st = http_do(clerk, "POST", path,
                     "{\"fields\":{\"lead_unit\":\"office\"},"
                     "\"comment\":\"请抓紧办理\"}",
                     &r);
    if (st != 200)
        fail_msg("assign: %d %s", st, r.body);
    assert_str_equal(resp_str(&r, "state"), "assigned");

    /* search finds the generated words (the grammar repeats 推进) */
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/search?q=%E6%8E%A8%E8%BF%9B", NULL, &r),
        200);
    assert_true(resp_int(&r, "total", 0) > 10);

    /* numbering continues: a new item's number belongs to no other case */
    assert_int_equal(http_do(clerk, "POST", "/api/v1/cases",
                             "{\"module\":\"supervision\",\"fields\":"
                             "{\"title\":\"生成数据之后新登记的事项\"}}",
                             &r),
                     201);
    const char *number = resp_str(&r, "number");
    assert_non_null(number);
    struct store *db = gen_db(s);
    int64_t same = 0;
    assert_int_equal(store_query_int(db,
                                     "SELECT COUNT(*) FROM cases WHERE"
                                     " number = $1",
                                     &same, "t", number),
                     STORE_ROW);
    assert_int_equal(same, 1);
    store_close(db);

    /* the reminder sweep over the open clocks */
    assert_int_equal(srv_run_cli(s, NULL, &res, "sweep"), 0);
    assert_contains(res.out, "提醒扫描");
    const char *n = strstr(res.out, "查看未办结事项 ");
    assert_non_null(n);
    assert_true(atoll(n + strlen("查看未办结事项 ")) > 0);
    printf("# %s", res.out);
    cli_result_free(&res);

    resp_free(&r);
    client_free(clerk);
}

/* A fresh database gets the demo office, and the same seed the same data. */
static void test_gen_fresh(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    char url[700], data[700];
    snprintf(url, sizeof(url), "sqlite:%s/fresh.db", s->dir);
    snprintf(data, sizeof(data), "%s/fresh-data", s->dir);
    assert_int_equal(srv_run_cli(s, NULL, &res, "gen", "--db", url, "--data",
                                 data, "--cases", "300", "--open", "100"),
                     0);
    assert_contains(res.err, "已建立演示单位和人员");
    assert_contains(res.out, "已生成 300 件");
    assert_contains(res.out, "模块规则检查：0 处不符");
    cli_result_free(&res);
    assert_int_equal(
        srv_run_cli(s, NULL, &res, "check", "--db", url, "--data", data), 0);
    cli_result_free(&res);
    assert_int_equal(srv_run_cli(s, NULL, &res, "sweep", "--db", url), 0);
    assert_contains(res.out, "查看未办结事项 ");
    cli_result_free(&res);
}

static void test_gen_bad_options(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    assert_int_equal(srv_run_cli(s, NULL, &res, "gen"), 2);
    assert_contains(res.err, "--cases");
    cli_result_free(&res);
    assert_int_equal(srv_run_cli(s, NULL, &res, "gen", "--cases", "0"), 2);
    assert_contains(res.err, "--cases");
    cli_result_free(&res);
    assert_int_equal(srv_run_cli(s, NULL, &res, "gen", "--cases", "10x"), 2);
    assert_contains(res.err, "整数");
    cli_result_free(&res);
    assert_int_equal(
        srv_run_cli(s, NULL, &res, "gen", "--cases", "5", "--open", "101"), 2);
    assert_contains(res.err, "--open");
    cli_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_bad_options),
        cmocka_unit_test(test_gen_and_use),
        cmocka_unit_test(test_gen_fresh),
    };
    return srv_run_group_tests(tests);
}
