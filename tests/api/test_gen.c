/*
 * test_gen.c - `shuniu gen` and `shuniu sweep` against a live server: the
 * generated cases pass `shuniu check`, the server lists and opens them,
 * search finds their words (a domain word in a realistic share of the
 * cases), a transition fires on one of them, numbering continues after
 * them without a duplicate; demo people get to-dos (as many as gen counts);
 * a classified case is seen by a cleared person of its unit and 404 to an
 * uncleared one; a fresh database gets the demo office; bad options are
 * refused with a Chinese message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"
#include "store/store.h"

#define GEN_CASES "1500"
#define GEN_CASES_N 1500
/* a realistic share of the cases for an office word: at most 10% */
#define GEN_WORD_MAX_PCT 10
#define GEN_DEMO_PASSWORD "Shuniu@2026"

static struct store *gen_db(struct srv *s);

/* Units and people of the demo with the names gen knows (demo_logins):
 * 督查科 with dck1, 交通局 with a leader (秘密) and a handler (no
 * clearance). */
static const struct srv_unit gen_units[] = {
    {"dck", "督查科", NULL, "section", "office"},
    {"jtj", "市交通运输局", NULL, "department", "gov"},
    {0},
};
static const struct srv_account gen_people[] = {
    {"dck1", "胡志刚", "dck", "clerk", 1, GEN_DEMO_PASSWORD},
    {"jtj_ld", "苏永刚", "jtj", "leader", 1, GEN_DEMO_PASSWORD},
    {"jtj_cb", "蒋丽", "jtj", "staff", 0, GEN_DEMO_PASSWORD},
    {0},
};

/* The count gen reported for login ("演示人员待办：... dck1 12 件"). */
static long long gen_reported_todo(const char *out, const char *login)
{
    char key[64];
    const char *line = strstr(out, "演示人员待办：");
    const char *p;
    assert_non_null(line);
    snprintf(key, sizeof(key), "%s ", login);
    p = strstr(line, key);
    assert_non_null(p);
    return atoll(p + strlen(key));
}

/* Hits of a search for word (URL-encoded) by c. */
static long long gen_hits(struct client *c, const char *word)
{
    struct resp r = {0};
    char path[256];
    long long n;
    snprintf(path, sizeof(path), "/api/v1/search?q=%s", word);
    assert_int_equal(http_do(c, "GET", path, NULL, &r), 200);
    n = resp_int(&r, "total", -1);
    resp_free(&r);
    return n;
}

static const char GEN_SQL_SECRET_PAIR[] =
    "SELECT c.id, a.login, b.login FROM cases c"
    " JOIN case_parties p ON p.case_id = c.id AND p.unit_id <> 0"
    " JOIN users a ON a.unit_id = p.unit_id AND a.clearance >= c.secrecy"
    " JOIN users b ON b.unit_id = p.unit_id AND b.clearance < c.secrecy"
    " WHERE c.secrecy > 0 AND a.login IN ('jtj_ld', 'dck1', 'clerk', 'staff')"
    " AND b.login IN ('jtj_cb', 'dck1', 'staff') ORDER BY c.id LIMIT 1";

/* A classified generated case: a person of one of its units cleared for it
 * opens it, one of the same unit without the clearance gets 404. */
static void gen_check_secrecy(struct srv *s)
{
    struct store *db = gen_db(s);
    struct stmt *st;
    struct client *c;
    struct resp r = {0};
    char path[64], seen[32], unseen[32];
    long long id;
    int64_t secret = 0, no_term = 0;

    assert_int_equal(store_query_int(db,
                                     "SELECT COUNT(*) FROM cases"
                                     " WHERE secrecy > 0",
                                     &secret, ""),
                     STORE_ROW);
    printf("# classified cases: %lld of %d\n", (long long)secret, GEN_CASES_N);
    assert_true(secret > 0);
    assert_true(secret * 100 < GEN_CASES_N * GEN_WORD_MAX_PCT);
    /* a classified 公文 carries its 保密期限 (the mark 秘密★10年) */
    assert_int_equal(store_query_int(db,
                                     "SELECT COUNT(*) FROM cases WHERE"
                                     " secrecy > 0 AND module <> 'supervision'"
                                     " AND data NOT LIKE '%secrecy_term%'",
                                     &no_term, ""),
                     STORE_ROW);
    assert_int_equal(no_term, 0);
    st = store_prepare(db, GEN_SQL_SECRET_PAIR);
    assert_int_equal(store_step(st), STORE_ROW);
    id = store_col_int(st, 0);
    snprintf(seen, sizeof(seen), "%s", store_col_text(st, 1));
    snprintf(unseen, sizeof(unseen), "%s", store_col_text(st, 2));
    store_finalize(st);
    store_close(db);

    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    c = client_as(s, seen, GEN_DEMO_PASSWORD);
    assert_int_equal(http_do(c, "GET", path, NULL, &r), 200);
    assert_true(atoi(resp_str(&r, "fields.secrecy")) > 0);
    client_free(c);
    c = client_as(s, unseen, GEN_DEMO_PASSWORD);
    assert_int_equal(http_do(c, "GET", path, NULL, &r), 404);
    client_free(c);
    resp_free(&r);
}

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
    long long id = 0, todo;

    srv_add_org(s, gen_units, gen_people);
    assert_int_equal(srv_run_cli(s, NULL, &res, "gen", "--cases", GEN_CASES,
                                 "--seed", "7", "--batch", "400"),
                     0);
    assert_contains(res.out, "已生成 " GEN_CASES " 件");
    assert_contains(res.out, "模块规则检查：0 处不符");
    printf("# %s", res.out);
    todo = gen_reported_todo(res.out, "dck1");
    cli_result_free(&res);

    /* 我的待办 of a demo clerk: what gen counted, several */
    struct client *dck1 = client_as(s, "dck1", GEN_DEMO_PASSWORD);
    assert_int_equal(http_do(dck1, "GET", "/api/v1/todo?limit=1", NULL, &r),
                     200);
    assert_int_equal(json_array_size(resp_get(&r, "items")), 1);
    assert_true(resp_int(&r, "total", 0) >= 3);
    assert_int_equal(resp_int(&r, "total", 0), todo);
    client_free(dck1);

    gen_check_secrecy(s);

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
    /* office words: 督办 (supervision), 安全生产 (a topic) in some cases,
     * not in all */
    long long h2 = gen_hits(clerk, "%E7%9D%A3%E5%8A%9E");
    long long h4 = gen_hits(clerk, "%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7");
    printf("# hits: 督办 %lld, 安全生产 %lld of %d\n", h2, h4, GEN_CASES_N);
    assert_true(h2 > 0 && h2 * 100 < GEN_CASES_N * GEN_WORD_MAX_PCT);
    assert_true(h4 > 0 && h4 * 100 < GEN_CASES_N * GEN_WORD_MAX_PCT);

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
    assert_true(gen_reported_todo(res.out, "dck1") > 0);
    assert_true(gen_reported_todo(res.out, "jtj_cb") > 0);
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
