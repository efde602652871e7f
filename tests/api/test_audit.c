/*
 * test_audit.c - the audit trail: sign-ins, failures, locks, sign-outs and
 * every admin write are recorded with who, when, from where, what and
 * before/after; only the auditor reads and exports them; `shuniu check`
 * proves the SM3 chain and names the first record altered or removed.
 */
#include <stdio.h>
#include <string.h>

#include "lib_server.h"
#include "store/store.h"

static void test_events_are_recorded(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s), *a = client_new(s);
    struct resp r = {0};
    client_login(c, "staff", "wrong-password");
    assert_int_equal(client_login_as(c, SRV_SYSADMIN), 200);
    assert_int_equal(http_do(c, "POST", "/api/v1/units",
                             "{\"code\":\"audu\",\"name\":\"审计测试局\","
                             "\"kind\":\"department\",\"parent\":\"gov\"}",
                             &r),
                     201);
    assert_int_equal(http_do(c, "PATCH", "/api/v1/units/audu",
                             "{\"name\":\"审计测试局（改）\"}", &r),
                     200);
    assert_int_equal(client_logout(c), 200);

    assert_int_equal(client_login_as(a, SRV_AUDITOR), 200);
    /* the failed sign-in, with where it came from */
    assert_int_equal(http_do(a, "GET",
                             "/api/v1/audit?actor=staff&result=failed", NULL,
                             &r),
                     200);
    assert_true(resp_int(&r, "total", 0) >= 1);
    assert_str_equal(resp_str(&r, "items.0.ip"), "127.0.0.1");
    assert_contains(resp_str(&r, "items.0.action"), "auth.login");
    /* the unit's change with before and after */
    assert_int_equal(http_do(a, "GET", "/api/v1/audit?actor=admin&limit=100",
                             NULL, &r),
                     200);
    json_t *items = resp_get(&r, "items");
    size_t i;
    json_t *it;
    int saw_login = 0, saw_update = 0, saw_logout = 0;
    json_array_foreach(items, i, it)
    {
        const char *action = json_string_value(json_object_get(it, "action"));
        const char *target = json_string_value(json_object_get(it, "target"));
        if (action && strstr(action, "login"))
            saw_login = 1;
        if (action && strstr(action, "logout"))
            saw_logout = 1;
        if (action && strstr(action, "unit.update") && target &&
            strcmp(target, "audu") == 0) {
            json_t *before = json_at(it, "detail.before.name");
            json_t *after = json_at(it, "detail.after.name");
            assert_non_null(before);
            assert_non_null(after);
            assert_string_equal(json_string_value(before), "审计测试局");
            assert_string_equal(json_string_value(after), "审计测试局（改）");
            saw_update = 1;
        }
    }
    assert_true(saw_login);
    assert_true(saw_update);
    assert_true(saw_logout);
    /* newest first, every record chained */
    assert_true(resp_int(&r, "items.0.seq", 0) >
                resp_int(&r, "items.1.seq", 0));
    assert_int_equal(strlen(resp_str(&r, "items.0.hash")), 64);
    /* filters by action prefix and by date */
    assert_int_equal(http_do(a, "GET", "/api/v1/audit?action=auth.", NULL,
                             &r),
                     200);
    json_array_foreach(resp_get(&r, "items"), i, it)
        assert_int_equal(
            strncmp(json_string_value(json_object_get(it, "action")), "auth.",
                    5),
            0);
    assert_int_equal(
        http_do(a, "GET", "/api/v1/audit?from=2001-01-01&to=2001-01-02", NULL,
                &r),
        200);
    assert_int_equal(resp_int(&r, "total", -1), 0);
    assert_int_equal(http_do(a, "GET", "/api/v1/audit?from=yesterday", NULL,
                             &r),
                     400);
    /* export */
    assert_int_equal(http_do(a, "GET", "/api/v1/audit/export?action=auth.",
                             NULL, &r),
                     200);
    assert_true(r.len > 100);
    assert_memory_equal(r.body, "PK", 2);
    assert_contains(resp_header(&r, "Content-Disposition"), ".xlsx");
    resp_free(&r);
    client_free(a);
    client_free(c);
}

/* Runs `shuniu check`; returns its exit status and keeps stderr. */
static int run_check(struct srv *s, char *err, size_t cap)
{
    struct cli_result res = {0};
    int rc = srv_run_cli(s, NULL, &res, "check");
    snprintf(err, cap, "%s%s", res.out, res.err);
    cli_result_free(&res);
    return rc;
}

static void tamper(struct srv *s, const char *sql, int64_t seq)
{
    char msg[512];
    struct store *db = store_open(s->db_url, msg, sizeof(msg));
    if (db == NULL)
        fail_msg("open %s: %s", s->db_url, msg);
    if (store_run(db, sql, "i", seq) != STORE_OK)
        fail_msg("tamper: %s", store_errmsg(db));
    store_close(db);
}

static void test_check_finds_tampering(void **state)
{
    /* a server of its own: tampering must not disturb the other tests */
    (void)state;
    struct srv *s = srv_start();
    assert_non_null(s);
    struct client *c = client_new(s);
    char out[4096];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(client_login_as(c, SRV_CLERK), 200);
        assert_int_equal(client_logout(c), 200);
    }
    assert_int_equal(run_check(s, out, sizeof(out)), 0);
    assert_contains(out, "完整");

    /* alter record 4: check fails and names it */
    tamper(s, "UPDATE audit SET actor_login = 'mallory' WHERE seq = $1", 4);
    assert_int_not_equal(run_check(s, out, sizeof(out)), 0);
    assert_contains(out, "4");
    /* a further intact server: remove a record instead */
    client_free(c);
    assert_int_equal(srv_stop(s), 0);

    s = srv_start();
    assert_non_null(s);
    c = client_new(s);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(client_login_as(c, SRV_CLERK), 200);
        assert_int_equal(client_logout(c), 200);
    }
    tamper(s, "DELETE FROM audit WHERE seq = $1", 5);
    assert_int_not_equal(run_check(s, out, sizeof(out)), 0);
    assert_contains(out, "5");
    client_free(c);
    assert_int_equal(srv_stop(s), 0);

    /* removing the newest records leaves a shorter, intact-looking chain:
     * the recorded head still finds it */
    s = srv_start();
    assert_non_null(s);
    c = client_new(s);
    assert_int_equal(client_login_as(c, SRV_CLERK), 200);
    assert_int_equal(client_logout(c), 200);
    assert_int_equal(run_check(s, out, sizeof(out)), 0);
    {
        char msg[512];
        int64_t last = 0;
        struct store *db = store_open(s->db_url, msg, sizeof(msg));
        assert_non_null(db);
        assert_int_equal(store_query_int(db, "SELECT MAX(seq) FROM audit",
                                         &last, ""),
                         STORE_ROW);
        store_close(db);
        tamper(s, "DELETE FROM audit WHERE seq >= $1", last - 1);
        char want[32];
        snprintf(want, sizeof(want), "第 %lld 条", (long long)(last - 1));
        assert_int_not_equal(run_check(s, out, sizeof(out)), 0);
        assert_contains(out, want);
    }
    client_free(c);
    assert_int_equal(srv_stop(s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_are_recorded),
        cmocka_unit_test(test_check_finds_tampering),
    };
    return srv_run_group_tests(tests);
}
