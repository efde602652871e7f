/*
 * test_number.c - unit tests of case numbering (src/kernel/number.c):
 * patterns and their formatting (table-driven), gapless sequences under
 * concurrency (8 threads x 500 numbers, each thread its own connection),
 * a rolled-back number handed out again, voiding that records who and why
 * and never reuses the number.  Runs on SQLite and, when
 * SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set, on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "kernel/number.h"
#include "kernel/schema.h"
#include "store/store.h"

#define THREADS 8
#define PER_THREAD 500

static const char *pg_admin;

struct fx {
    char dir[64];
    char path[128];
    char pgname[64];
    char url[192];
    struct store *db;
    struct arena *a;
};

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    if (pg_admin == NULL) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-number-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_number_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) !=
                STORE_OK ||
            store_url_with_db(pg_admin, f->pgname, f->url, sizeof(f->url)) !=
                STORE_OK) {
            fprintf(stderr, "setup: %s\n", err);
            return -1;
        }
    }
    f->db = store_open(f->url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[192], err[256];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    } else {
        unlink(f->path);
        snprintf(p, sizeof(p), "%s-wal", f->path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", f->path);
        unlink(p);
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        int year;
        int64_t n;
        const char *want; /* NULL: refused */
    } rows[] = {
        {"市政办发〔{year}〕{n}号", 2026, 1, "市政办发〔2026〕1号"},
        {"市政办发〔{year}〕{n}号", 2006, 86, "市政办发〔2006〕86号"},
        {"XF{year}{n:06}", 2026, 1, "XF2026000001"},
        {"XF{year}{n:06}", 2026, 1234567, "XF20261234567"},
        {"督〔{year}〕{n}号", 2027, 12, "督〔2027〕12号"},
        {"{n}", 2026, 7, "7"},
        {"{n:012}", 2026, 42, "000000000042"},
        {"D-{n:03}-{year}", 2025, 5, "D-005-2025"},
        {"{year}", 2026, 1, NULL},          /* no {n} */
        {"{n}{n}", 2026, 1, NULL},          /* {n} twice */
        {"{year}{year}{n}", 2026, 1, NULL}, /* {year} twice */
        {"{n:6}", 2026, 1, NULL},           /* width without 0 */
        {"{n:013}", 2026, 1, NULL},         /* width above 12 */
        {"{n:00}", 2026, 1, NULL},          /* width 0 */
        {"{num}", 2026, 1, NULL},           /* unknown word */
        {"A}{n}", 2026, 1, NULL},           /* stray brace */
        {"A{n", 2026, 1, NULL},
        {"", 2026, 1, NULL},
        {"{n}", 2026, 0, NULL}, /* numbers start at 1 */
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *got = number_format(a, rows[i].pattern, rows[i].year, rows[i].n);
        if (rows[i].want == NULL) {
            if (got != NULL)
                fail_msg("row %zu: %s accepted as %s", i, rows[i].pattern, got);
        } else {
            assert_non_null(got);
            assert_string_equal(got, rows[i].want);
            assert_true(number_pattern_ok(rows[i].pattern));
        }
    }
    assert_false(number_pattern_ok(NULL));
    arena_free(a);
}

struct worker {
    const char *url;
    int64_t got[PER_THREAD];
    int n;
    int failed;
};

static void *take_many(void *arg)
{
    struct worker *w = arg;
    char err[256];
    struct store *db = store_open(w->url, err, sizeof(err));
    if (db == NULL) {
        w->failed = 1;
        return NULL;
    }
    while (w->n < PER_THREAD && !w->failed) {
        int64_t n = 0;
        int tries = 0;
        for (;;) {
            if (store_begin(db) == STORE_OK &&
                number_take(db, "XF{year}{n:06}", 2026, 0, &n) == 0 &&
                store_commit(db) == STORE_OK)
                break;
            store_rollback(db);
            if (store_errcode(db) != STORE_E_BUSY || ++tries > 50) {
                fprintf(stderr, "take_many: %s\n", store_errmsg(db));
                w->failed = 1;
                break;
            }
        }
        if (!w->failed)
            w->got[w->n++] = n;
    }
    store_close(db);
    return NULL;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void test_concurrent_gapless(void **state)
{
    struct fx *f = *state;
    static struct worker w[THREADS];
    pthread_t t[THREADS];
    int64_t *all = calloc(THREADS * PER_THREAD, sizeof(*all));
    int64_t logged = 0, last = 0;
    int k = 0;

    memset(w, 0, sizeof(w));
    for (int i = 0; i < THREADS; i++) {
        w[i].url = f->url;
        assert_int_equal(pthread_create(&t[i], NULL, take_many, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        assert_false(w[i].failed);
        assert_int_equal(w[i].n, PER_THREAD);
        /* each thread sees its own numbers rise */
        for (int j = 1; j < w[i].n; j++)
            assert_true(w[i].got[j] > w[i].got[j - 1]);
        for (int j = 0; j < w[i].n; j++)
            all[k++] = w[i].got[j];
    }
    qsort(all, (size_t)k, sizeof(*all), cmp_i64);
    for (int i = 0; i < k; i++)
        assert_int_equal(all[i], i + 1); /* distinct, no gap */
    free(all);
    assert_int_equal(store_query_int(f->db,
                                     "SELECT COUNT(*) FROM number_log WHERE"
                                     " pattern = $1 AND year = 2026",
                                     &logged, "t", "XF{year}{n:06}"),
                     STORE_ROW);
    assert_int_equal(logged, THREADS * PER_THREAD);
    assert_int_equal(store_query_int(f->db,
                                     "SELECT last FROM numbers WHERE"
                                     " pattern = $1 AND year = 2026",
                                     &last, "t", "XF{year}{n:06}"),
                     STORE_ROW);
    assert_int_equal(last, THREADS * PER_THREAD);
}

static void test_rollback_and_void(void **state)
{
    struct fx *f = *state;
    const char *p = "市政办发〔{year}〕{n}号";
    struct actor cli;
    struct err e;
    int64_t n = 0;

    actor_cli(&cli);
    /* outside a transaction: refused */
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), -1);

    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_commit(f->db), STORE_OK);

    /* a rolled-back number is handed out again: no gap */
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), 0);
    assert_int_equal(n, 3);
    /* another year has its own sequence */
    assert_int_equal(number_take(f->db, p, 2027, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_commit(f->db), STORE_OK);

    /* voiding records who and why, once */
    err_clear(&e);
    assert_int_equal(number_void(f->db, &cli, p, 2026, 2, "", &e), -1);
    assert_int_equal(e.status, 400);
    err_clear(&e);
    assert_int_equal(number_void(f->db, &cli, p, 2026, 99, "错号", &e), -1);
    assert_int_equal(e.status, 404);
    err_clear(&e);
    assert_int_equal(number_void(f->db, &cli, p, 2026, 2, "文件撤回", &e), 0);
    assert_int_equal(number_is_void(f->db, p, 2026, 2), 1);
    assert_int_equal(number_is_void(f->db, p, 2026, 1), 0);
    err_clear(&e);
    assert_int_equal(number_void(f->db, &cli, p, 2026, 2, "再次", &e), -1);
    assert_int_equal(e.status, 409);
    {
        struct stmt *st = store_prepare(
            f->db, "SELECT voided_by, voided_why FROM number_log WHERE"
                   " pattern = $1 AND year = 2026 AND n = 2");
        store_bind_text(st, 1, p);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_string_equal(store_col_text(st, 0), "cli");
        assert_string_equal(store_col_text(st, 1), "文件撤回");
        store_finalize(st);
    }
    /* never reused: the next number is 4 */
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(number_take(f->db, p, 2026, 0, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(store_commit(f->db), STORE_OK);
    /* the void is audited */
    int64_t audited = 0;
    assert_int_equal(store_query_int(f->db,
                                     "SELECT COUNT(*) FROM audit WHERE"
                                     " action = 'number.void'",
                                     &audited, ""),
                     STORE_ROW);
    assert_int_equal(audited, 1);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_format),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concurrent_gapless, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_void, setup,
                                        teardown),
    };
    int failed = cmocka_run_group_tests_name("number", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    return failed;
}
