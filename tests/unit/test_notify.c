/*
 * test_notify.c - unit tests of in-app notifications (src/kernel/notify.c)
 * on SQLite and, when SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set,
 * on PostgreSQL: writing, listing newest first with paging and the unread
 * filter, unread counts, marking one or all read (only one's own), the
 * caller's transaction, bad arguments, long texts, and the webhook event
 * enqueued with each notification when a URL is configured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/notify.h"
#include "kernel/schema.h"
#include "kernel/webhook.h"
#include "store/store.h"

struct fx {
    char dir[64];
    char pgname[64];
    struct store *db;
    struct arena *a;
    int64_t u1, u2; /* two users */
};

static const char *pg_admin;

static const char SQL_UNIT[] =
    "INSERT INTO units (code, name, kind, created_ms, updated_ms)"
    " VALUES ('u', '市政府办公室', 'office', 0, 0) RETURNING id";
static const char SQL_USER[] =
    "INSERT INTO users (login, name, unit_id, phone, created_ms, updated_ms)"
    " VALUES ($1, $2, $3, $4, 0, 0) RETURNING id";

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256], url[256];
    int64_t unit = 0;

    snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-notify-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    if (pg_admin == NULL) {
        snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_notify_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) ||
            store_url_with_db(pg_admin, f->pgname, url, sizeof(url))) {
            fprintf(stderr, "setup: %s\n", err);
            return -1;
        }
    }
    f->db = store_open(url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    if (store_query_int(f->db, SQL_UNIT, &unit, "") != STORE_ROW ||
        store_query_int(f->db, SQL_USER, &f->u1, "ttit", "zhangsan", "张三",
                        unit, "13800000001") != STORE_ROW ||
        store_query_int(f->db, SQL_USER, &f->u2, "ttit", "lisi", "李四", unit,
                        "") != STORE_ROW)
        return -1;
    f->a = arena_new();
    webhook_set_url(NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: cannot remove %s\n", f->dir);
    free(f);
    webhook_set_url(NULL);
    now_reset();
    return 0;
}

static int64_t count(struct fx *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(f->db, sql, &n, ""), STORE_ROW);
    return n;
}

/* Write, list newest first, count, mark read. */
static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    struct notify_rec *v;
    struct err e;
    int n = 0;
    int64_t total = 0;

    now_set(1767225600000LL);
    int64_t a = notify_user(f->db, f->u1, 10, "clock.yellow",
                            "督办事项即将到期，请抓紧办理");
    int64_t b = notify_user(f->db, f->u1, 11, "clock.red", "督办事项已超期");
    int64_t c = notify_user(f->db, f->u2, 0, "case.assigned", "新的来文");
    assert_true(a > 0 && b > a && c > b);
    assert_int_equal(notify_unread_count(f->db, f->u1), 2);
    assert_int_equal(notify_unread_count(f->db, f->u2), 1);

    err_clear(&e);
    assert_int_equal(
        notify_list(f->db, f->a, f->u1, 0, 0, 0, &v, &n, &total, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(v[0].id, b);
    assert_int_equal(v[0].case_id, 11);
    assert_string_equal(v[0].kind, "clock.red");
    assert_string_equal(v[0].text, "督办事项已超期");
    assert_true(v[0].created_ms >= 1767225600000LL);
    assert_int_equal(v[0].read_ms, 0);
    assert_int_equal(v[1].id, a);

    /* another user's notification cannot be marked */
    assert_int_equal(notify_mark_read(f->db, f->u1, c), 0);
    assert_int_equal(notify_unread_count(f->db, f->u2), 1);
    assert_int_equal(notify_mark_read(f->db, f->u1, a), 1);
    assert_int_equal(notify_mark_read(f->db, f->u1, a), 0);
    assert_int_equal(notify_unread_count(f->db, f->u1), 1);

    assert_int_equal(
        notify_list(f->db, f->a, f->u1, 1, 0, 0, &v, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_int_equal(v[0].id, b);
    assert_int_equal(notify_list(f->db, f->a, f->u1, 0, 0, 0, &v, &n, NULL, &e),
                     0);
    assert_int_equal(n, 2);
    assert_true(v[1].read_ms >= 1767225600000LL);

    assert_int_equal(notify_mark_read(f->db, f->u1, 0), 1);
    assert_int_equal(notify_unread_count(f->db, f->u1), 0);
    assert_int_equal(notify_unread_count(f->db, f->u2), 1);
}

/* Paging: limit and offset over newest-first, total without paging. */
static void test_paging(void **state)
{
    struct fx *f = *state;
    struct notify_rec *v;
    struct err e;
    int n = 0;
    int64_t total = 0, ids[25];

    for (int i = 0; i < 25; i++) {
        char text[32];
        snprintf(text, sizeof(text), "第%d条", i + 1);
        ids[i] = notify_user(f->db, f->u1, 0, "test", text);
        assert_true(ids[i] > 0);
    }
    err_clear(&e);
    assert_int_equal(
        notify_list(f->db, f->a, f->u1, 0, 0, 0, &v, &n, &total, &e), 0);
    assert_int_equal(n, 20); /* default limit */
    assert_int_equal(total, 25);
    assert_int_equal(
        notify_list(f->db, f->a, f->u1, 0, 10, 20, &v, &n, &total, &e), 0);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].id, ids[4]);
    assert_int_equal(v[4].id, ids[0]);
    assert_string_equal(v[4].text, "第1条");
    assert_int_equal(
        notify_list(f->db, f->a, f->u1, 0, 1000, -5, &v, &n, &total, &e), 0);
    assert_int_equal(n, 25);
}

/* Inside the caller's transaction: gone with its rollback. */
static void test_callers_transaction(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_true(notify_user(f->db, f->u1, 0, "test", "回滚") > 0);
    assert_int_equal(store_in_tx(f->db), 1);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_int_equal(notify_unread_count(f->db, f->u1), 0);

    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_true(notify_user(f->db, f->u1, 0, "test", "提交") > 0);
    assert_int_equal(store_commit(f->db), STORE_OK);
    assert_int_equal(notify_unread_count(f->db, f->u1), 1);
}

/* Bad arguments are refused; a long text is cut at a character. */
static void test_arguments(void **state)
{
    struct fx *f = *state;
    struct notify_rec *v;
    struct err e;
    int n = 0;

    assert_int_equal(notify_user(f->db, 0, 0, "test", "x"), -1);
    assert_int_equal(notify_user(f->db, f->u1, 0, "", "x"), -1);
    assert_int_equal(notify_user(f->db, f->u1, 0, NULL, "x"), -1);
    assert_int_equal(notify_user(f->db, f->u1, 0, "Bad Kind", "x"), -1);
    assert_int_equal(notify_user(f->db, f->u1, 0, "test", ""), -1);
    assert_int_equal(notify_user(f->db, f->u1, 0, "test", NULL), -1);
    assert_int_equal(notify_unread_count(f->db, f->u1), 0);

    char *text = malloc(3 * 1000 + 1);
    for (int i = 0; i < 1000; i++)
        memcpy(text + 3 * i, "督", 3);
    text[3000] = '\0';
    assert_true(notify_user(f->db, f->u1, 0, "test", text) > 0);
    free(text);
    err_clear(&e);
    assert_int_equal(notify_list(f->db, f->a, f->u1, 0, 0, 0, &v, &n, NULL, &e),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(strlen(v[0].text), (NOTIFY_TEXT_MAX / 3) * 3);
}

/* With a webhook URL each notification enqueues one event carrying the
 * person and the text; without one, nothing is enqueued. */
static void test_webhook_event(void **state)
{
    struct fx *f = *state;
    struct stmt *st;
    json_error_t jerr;

    assert_true(notify_user(f->db, f->u1, 3, "test", "无网关") > 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM webhook_outbox"), 0);

    webhook_set_url("http://127.0.0.1:9/hook");
    now_set(1767225600000LL);
    int64_t id = notify_user(f->db, f->u1, 3, "clock.red", "已超期，请办理");
    assert_true(id > 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM webhook_outbox"), 1);
    st = store_prepare(f->db, "SELECT event, attempts, next_ms, sent_ms"
                              " FROM webhook_outbox");
    assert_int_equal(store_step(st), STORE_ROW);
    json_t *ev = json_loads(store_col_text(st, 0), 0, &jerr);
    assert_non_null(ev);
    assert_int_equal(store_col_int(st, 1), 0);
    assert_true(store_col_int(st, 2) >= 1767225600000LL);
    assert_int_equal(store_col_int(st, 3), 0);
    store_finalize(st);
    assert_string_equal(json_string_value(json_object_get(ev, "type")),
                        "notification");
    assert_non_null(
        strstr(json_string_value(json_object_get(ev, "created")), "+08:00"));
    json_t *nt = json_object_get(ev, "notification");
    assert_int_equal(json_integer_value(json_object_get(nt, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(nt, "case_id")), 3);
    assert_string_equal(json_string_value(json_object_get(nt, "login")),
                        "zhangsan");
    assert_string_equal(json_string_value(json_object_get(nt, "name")), "张三");
    assert_string_equal(json_string_value(json_object_get(nt, "phone")),
                        "13800000001");
    assert_string_equal(json_string_value(json_object_get(nt, "text")),
                        "已超期，请办理");
    json_decref(ev);

    /* the event rolls back with the notification */
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_true(notify_user(f->db, f->u2, 0, "test", "回滚") > 0);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM webhook_outbox"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callers_transaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_event, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    else
        pg_admin = NULL;
    return failed;
}
