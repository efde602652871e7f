/*
 * test_calendar_store.c - unit tests of the calendar in the database
 * (src/kernel/calendar_store.c) against a fresh SQLite file per test,
 * migrated with schema_migrations: seeding of the built-in years (and
 * never over an imported year), the per-process cache and its version
 * token (also across two databases), import (validate first, replace the
 * year, audit with the changed dates, new token), who may import, and the
 * change hooks (run inside the transaction; a failing hook rolls back).
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

#include "base/buf.h"
#include "base/calendar.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/calendar_store.h"
#include "kernel/schema.h"
#include "store/store.h"

struct fx {
    char dir[64];
    char path[128];
    struct store *db;
};

static struct store *open_db(struct fx *f)
{
    char err[256], url[160];
    snprintf(url, sizeof(url), "sqlite:%s", f->path);
    struct store *db = store_open(url, err, sizeof(err));
    if (db == NULL ||
        store_migrate(db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "open: %s\n", err);
        return NULL;
    }
    return db;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-calstore-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    f->db = open_db(f);
    *state = f;
    return f->db ? 0 : -1;
}

static void remove_db(const char *path)
{
    char p[200];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->db);
    remove_db(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static struct ymd D(const char *s) {
    struct ymd d = {0, 0, 0};
    if (ymd_parse(s, &d) != 0)
        fail_msg("bad date in test: %s", s);
    return d;
}

static int64_t
query_int(struct store *db, const char *sql)
{
    int64_t v = -1;
    assert_int_not_equal(store_query_int(db, sql, &v, ""), STORE_ERR);
    return v;
}

static void token(struct store *db, char out[64])
{
    struct stmt *st = store_prepare(
        db, "SELECT value FROM settings WHERE key = 'calendar.version'");
    out[0] = '\0';
    if (store_step(st) == STORE_ROW)
        snprintf(out, 64, "%s", store_col_text(st, 0));
    store_finalize(st);
}

/* National Day 2026 amended: 10-08 off as well, 10-10 and 10-11 worked. */
static const char amended_2026[] =
    "# 修订\n"
    "year 2026 国办发明电〔2025〕7号；国办发明电〔2026〕3号（修订）\n"
    "off 2026-01-01 2026-01-03 元旦\n"
    "work 2026-01-04 元旦调休上班\n"
    "off 2026-02-15 2026-02-23 春节\n"
    "work 2026-02-14\n"
    "work 2026-02-28\n"
    "off 2026-04-04 2026-04-06\n"
    "off 2026-05-01 2026-05-05\n"
    "work 2026-05-09\n"
    "off 2026-06-19 2026-06-21\n"
    "off 2026-09-25 2026-09-27\n"
    "work 2026-09-20\n"
    "off 2026-10-01 2026-10-08 国庆节（修订）\n"
    "work 2026-10-10\n"
    "work 2026-10-11\n";

static void test_seed_and_cache(void **state)
{
    struct fx *f = *state;
    struct calendar *a = NULL, *b = NULL;
    char t1[64], t2[64];
    token(f->db, t1);
    assert_string_equal(t1, "");
    assert_int_equal(calendar_load(f->db, &a), 0);
    assert_non_null(a);
    assert_true(calendar_year_published(a, 2024));
    assert_true(calendar_year_published(a, 2025));
    assert_true(calendar_year_published(a, 2026));
    assert_false(calendar_year_published(a, 2027));
    assert_true(calendar_is_workday(a, D("2026-10-08")));
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_years "
                                      "WHERE imported_by = 'system'"),
                     3);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_days"),
                     28 + 8 + 28 + 5 + 33 + 6);
    token(f->db, t1);
    assert_int_equal(strlen(t1), 32);
    /* the second load is the cache, token unchanged */
    assert_int_equal(calendar_load(f->db, &b), 0);
    assert_ptr_equal(a, b);
    token(f->db, t2);
    assert_string_equal(t1, t2);
    calendar_free(a);
    calendar_free(b);
}

static void test_import_amendment(void **state)
{
    struct fx *f = *state;
    struct calendar *before = NULL, *after = NULL;
    struct actor who;
    struct err e;
    struct buf report;
    char t1[64], t2[64];
    actor_cli(&who);
    err_clear(&e);
    buf_init(&report, 0);
    assert_int_equal(calendar_load(f->db, &before), 0);
    token(f->db, t1);
    assert_int_equal(calendar_import(f->db, &who, amended_2026,
                                     strlen(amended_2026), &report, &e),
                     0);
    assert_non_null(strstr(report.ptr, "2026年：国办发明电〔2025〕7号；国办发明"
                                       "电〔2026〕3号（修订），放假 34 天，调"
                                       "休上班 7 天，变动 2 天\n"));
    token(f->db, t2);
    assert_string_not_equal(t1, t2);
    assert_int_equal(calendar_load(f->db, &after), 0);
    assert_ptr_not_equal(before, after);
    /* the old reference still answers as before */
    assert_true(calendar_is_workday(before, D("2026-10-08")));
    assert_false(calendar_is_workday(after, D("2026-10-08")));
    assert_true(calendar_is_workday(after, D("2026-10-11")));
    assert_string_equal(calendar_day_find(after, D("2026-10-08"))->note,
                        "国庆节（修订）");
    /* other years untouched */
    assert_false(calendar_is_workday(after, D("2025-10-08")));
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_days "
                                      "WHERE day LIKE '2026-%'"),
                     34 + 7);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_years "
                                      "WHERE imported_by = 'cli'"),
                     1);
    /* audited, with the dates that changed */
    struct stmt *st = store_prepare(
        f->db, "SELECT actor_login, target_type, target, result, detail "
               "FROM audit WHERE action = 'calendar.import'");
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "cli");
    assert_string_equal(store_col_text(st, 1), "calendar_year");
    assert_string_equal(store_col_text(st, 2), "2026");
    assert_string_equal(store_col_text(st, 3), "ok");
    const char *detail = store_col_text(st, 4);
    assert_non_null(strstr(detail, "{\"day\":\"2026-10-08\",\"before\":\"\","
                                   "\"after\":\"off\"}"));
    assert_non_null(strstr(detail, "{\"day\":\"2026-10-11\",\"before\":\"\","
                                   "\"after\":\"work\"}"));
    assert_non_null(strstr(detail, "\"before\":{\"notice\":\"国办发明电〔2025"
                                   "〕7号\"}"));
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
    int64_t count = 0, bad = 0;
    char msg[256];
    assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)), 0);
    /* a reload never brings the built-in 2026 back */
    struct calendar *again = NULL;
    assert_int_equal(calendar_load(f->db, &again), 0);
    assert_false(calendar_is_workday(again, D("2026-10-08")));
    calendar_free(again);
    calendar_free(before);
    calendar_free(after);
    buf_free(&report);
}

static void test_import_invalid(void **state)
{
    struct fx *f = *state;
    struct calendar *cal = NULL;
    struct actor who;
    struct err e;
    struct buf report;
    char t1[64], t2[64];
    static const char bad[] = "year 2026 X\n"
                              "off 2026-10-01 2026-10-08\n"
                              "work 2026-10-12\n" /* a Monday */
                              "off 2027-01-01\n"; /* not 2026 */
    actor_cli(&who);
    err_clear(&e);
    buf_init(&report, 0);
    assert_int_equal(calendar_load(f->db, &cal), 0);
    calendar_free(cal);
    token(f->db, t1);
    assert_int_equal(
        calendar_import(f->db, &who, bad, strlen(bad), &report, &e), -1);
    assert_int_equal(e.status, 400);
    assert_non_null(strstr(report.ptr, "第 3 行："));
    assert_non_null(strstr(report.ptr, "第 4 行："));
    token(f->db, t2);
    assert_string_equal(t1, t2);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_days "
                                      "WHERE day = '2026-10-08'"),
                     0);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM audit "
                                      "WHERE action = 'calendar.import'"),
                     0);
    buf_free(&report);
}

static void test_import_permission(void **state)
{
    struct fx *f = *state;
    struct actor clerk = {0}, admin = {0}, secadmin = {0};
    struct err e;
    static const char y2027[] = "year 2027 国办发明电〔2026〕1号\n"
                                "off 2027-01-01\n";
    clerk.user_id = 7;
    clerk.login = "clerk";
    clerk.ip = "127.0.0.1";
    clerk.nroles = 1;
    clerk.roles[0] = "clerk";
    secadmin = clerk;
    secadmin.login = "secadmin";
    secadmin.roles[0] = "secadmin";
    admin = clerk;
    admin.login = "admin";
    admin.roles[0] = "sysadmin";
    err_clear(&e);
    assert_int_equal(
        calendar_import(f->db, &clerk, y2027, strlen(y2027), NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(
        calendar_import(f->db, &secadmin, y2027, strlen(y2027), NULL, &e), -1);
    assert_int_equal(e.status, 403);
    err_clear(&e);
    assert_int_equal(
        calendar_import(f->db, &admin, y2027, strlen(y2027), NULL, &e), 0);
    struct calendar *cal = NULL;
    assert_int_equal(calendar_load(f->db, &cal), 0);
    assert_true(calendar_year_published(cal, 2027));
    assert_true(calendar_year_published(cal, 2026)); /* seeded as well */
    struct ymd out;
    int unpub = -1;
    assert_int_equal(
        calendar_add_workdays(cal, D("2026-12-31"), 1, &out, &unpub), 0);
    assert_int_equal(unpub, 0);
    assert_int_equal(ymd_to_days(out), ymd_to_days(D("2027-01-04")));
    calendar_free(cal);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_years "
                                      "WHERE year = 2027 AND "
                                      "imported_by = 'admin'"),
                     1);
}

/* The hook: counts its calls, sees the new calendar, fails on demand. */
static int hook_calls;
static int hook_fail;
static int hook_saw_new;

static int hook(struct store *db)
{
    struct calendar *cal = NULL;
    hook_calls++;
    assert_true(store_in_tx(db));
    if (calendar_load(db, &cal) == 0) {
        hook_saw_new = !calendar_is_workday(cal, D("2026-10-08"));
        calendar_free(cal);
    }
    return hook_fail ? -1 : 0;
}

static void test_hooks(void **state)
{
    struct fx *f = *state;
    struct actor who;
    struct err e;
    struct calendar *cal = NULL;
    actor_cli(&who);
    assert_int_equal(calendar_on_change(hook), 0);
    assert_int_equal(calendar_on_change(hook), 0); /* once only */
    hook_calls = hook_fail = hook_saw_new = 0;
    /* a failing hook rolls the whole import back */
    hook_fail = 1;
    err_clear(&e);
    assert_int_equal(calendar_import(f->db, &who, amended_2026,
                                     strlen(amended_2026), NULL, &e),
                     -1);
    assert_int_equal(e.status, 500);
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_saw_new, 1);
    assert_int_equal(calendar_load(f->db, &cal), 0);
    assert_true(calendar_is_workday(cal, D("2026-10-08")));
    calendar_free(cal);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM audit "
                                      "WHERE action = 'calendar.import'"),
                     0);
    /* and a good one commits with it */
    hook_fail = 0;
    hook_saw_new = 0;
    err_clear(&e);
    assert_int_equal(calendar_import(f->db, &who, amended_2026,
                                     strlen(amended_2026), NULL, &e),
                     0);
    assert_int_equal(hook_calls, 2);
    assert_int_equal(hook_saw_new, 1);
    assert_int_equal(calendar_load(f->db, &cal), 0);
    assert_false(calendar_is_workday(cal, D("2026-10-08")));
    calendar_free(cal);
    hook_fail = 0;
}

/* A built-in year that went missing comes back; an imported one stays. */
static void test_reseed_missing_year(void **state)
{
    struct fx *f = *state;
    struct actor who;
    struct err e;
    struct calendar *cal = NULL;
    actor_cli(&who);
    err_clear(&e);
    assert_int_equal(calendar_import(f->db, &who, amended_2026,
                                     strlen(amended_2026), NULL, &e),
                     0);
    assert_int_equal(
        store_exec(f->db,
                   "DELETE FROM calendar_years WHERE year = 2025;"
                   "DELETE FROM calendar_days WHERE day LIKE '2025-%';"
                   "DELETE FROM settings WHERE key = 'calendar.version'"),
        STORE_OK);
    assert_int_equal(calendar_load(f->db, &cal), 0);
    assert_true(calendar_year_published(cal, 2025));
    assert_false(calendar_is_workday(cal, D("2025-10-08")));
    assert_false(calendar_is_workday(cal, D("2026-10-08"))); /* amended */
    calendar_free(cal);
}

/* Two databases in one process never share the cached calendar. */
static void test_two_databases(void **state)
{
    struct fx *f = *state;
    struct fx g = {0};
    struct actor who;
    struct err e;
    struct calendar *a = NULL, *b = NULL;
    actor_cli(&who);
    err_clear(&e);
    snprintf(g.dir, sizeof(g.dir), "%s", f->dir);
    snprintf(g.path, sizeof(g.path), "%s/other.db", f->dir);
    g.db = open_db(&g);
    assert_non_null(g.db);
    assert_int_equal(calendar_import(f->db, &who, amended_2026,
                                     strlen(amended_2026), NULL, &e),
                     0);
    assert_int_equal(calendar_load(f->db, &a), 0);
    assert_int_equal(calendar_load(g.db, &b), 0);
    assert_false(calendar_is_workday(a, D("2026-10-08")));
    assert_true(calendar_is_workday(b, D("2026-10-08")));
    calendar_free(a);
    calendar_free(b);
    assert_int_equal(calendar_load(f->db, &a), 0);
    assert_false(calendar_is_workday(a, D("2026-10-08")));
    calendar_free(a);
    store_close(g.db);
    remove_db(g.path);
}

/* A first load inside a transaction seeds within it. */
static void test_load_in_transaction(void **state)
{
    struct fx *f = *state;
    struct calendar *cal = NULL;
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(calendar_load(f->db, &cal), 0);
    assert_true(store_in_tx(f->db));
    assert_true(calendar_year_published(cal, 2026));
    assert_int_equal(store_commit(f->db), STORE_OK);
    calendar_free(cal);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM calendar_years"),
                     3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_and_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_amendment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_permission, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reseed_missing_year, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_in_transaction, setup,
                                        teardown),
        /* last: the hook stays registered for the rest of the process */
        cmocka_unit_test_setup_teardown(test_hooks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
