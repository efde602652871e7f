/*
 * test_jobs.c - unit tests of the periodic job runner (src/kernel/jobs.c).
 *
 * On SQLite (one runner): a job runs when its interval has elapsed on the
 * moved clock and not before, once after a long gap, failures are recorded,
 * jobs_run_now forces a run, and the runner's thread notices a moved clock.
 * On PostgreSQL (SHUNIU_TEST_PG_ADMIN or SHUNIU_TEST_PG_URL set), also two
 * runners on one database, as two server nodes: ticking together, the job
 * runs exactly once per interval; a node that holds a job's lock and dies
 * releases it to the other; two runner threads on the real clock never run
 * the job twice within one interval.
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
#include <time.h>
#include <unistd.h>

#include "base/now.h"
#include "kernel/jobs.h"
#include "kernel/schema.h"
#include "store/store.h"

#define T0 1767225600000LL
#define MAX_RUNS 256

struct fx {
    char dir[64];
    char pgname[64];
    char url[256];
    struct store *db;
};

static const char *pg_admin;

/* What the counting job saw: the now of each run. */
static struct {
    pthread_mutex_t mu;
    int n;
    int64_t at[MAX_RUNS];
    int fail;     /* 1: the job reports failure */
    int sleep_ms; /* how long a run takes */
} seen = {PTHREAD_MUTEX_INITIALIZER, 0, {0}, 0, 0};

static int count_job(struct store *db, int64_t now)
{
    (void)db;
    pthread_mutex_lock(&seen.mu);
    if (seen.n < MAX_RUNS)
        seen.at[seen.n] = now;
    seen.n++;
    int fail = seen.fail, ms = seen.sleep_ms;
    pthread_mutex_unlock(&seen.mu);
    if (ms > 0)
        usleep((useconds_t)ms * 1000);
    return fail ? -1 : 0;
}

static int runs(void)
{
    pthread_mutex_lock(&seen.mu);
    int n = seen.n;
    pthread_mutex_unlock(&seen.mu);
    return n;
}

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-jobs-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    if (pg_admin == NULL) {
        snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_jobs_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) ||
            store_url_with_db(pg_admin, f->pgname, f->url, sizeof(f->url))) {
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
    jobs_reset();
    pthread_mutex_lock(&seen.mu);
    seen.n = 0;
    seen.fail = 0;
    seen.sleep_ms = 0;
    pthread_mutex_unlock(&seen.mu);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];
    store_close(f->db);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: cannot remove %s\n", f->dir);
    free(f);
    jobs_reset();
    now_reset();
    return 0;
}

static struct jobs_runner *runner(struct fx *f, const char *node)
{
    char err[256];
    struct jobs_runner *r = jobs_runner_new(f->url, node, err, sizeof(err));
    if (r == NULL)
        fprintf(stderr, "runner: %s\n", err);
    assert_non_null(r);
    return r;
}

static int64_t job_runs_int(struct fx *f, const char *col_sql)
{
    int64_t v = -1;
    assert_int_equal(store_query_int(f->db, col_sql, &v, "t", "count"),
                     STORE_ROW);
    return v;
}

/* Names, intervals, duplicates. */
static void test_register(void **state)
{
    (void)state;
    jobs_reset();
    assert_int_equal(jobs_register("count", 60, count_job), 0);
    assert_int_equal(jobs_register("count", 60, count_job), -1);
    assert_int_equal(jobs_register("Bad-Name", 60, count_job), -1);
    assert_int_equal(jobs_register("", 60, count_job), -1);
    assert_int_equal(jobs_register(NULL, 60, count_job), -1);
    assert_int_equal(jobs_register("zero", 0, count_job), -1);
    assert_int_equal(jobs_register("nofn", 60, NULL), -1);
    assert_int_equal(jobs_register("case_sweep", 60, count_job), 0);
    assert_true(jobs_lock_key("count") != jobs_lock_key("case_sweep"));
    assert_int_equal(jobs_lock_key("count"), jobs_lock_key("count"));
    jobs_reset();
}

/* One runner: due on the moved clock, once after a gap, recorded. */
static void test_single_runner(void **state)
{
    struct fx *f = *state;
    assert_int_equal(jobs_register("count", 60, count_job), 0);
    struct jobs_runner *r = runner(f, "n1");

    now_set(T0);
    assert_int_equal(jobs_runner_tick(r), 1); /* never ran: due */
    assert_int_equal(jobs_runner_tick(r), 0);
    now_set(T0 + 59 * 1000);
    assert_int_equal(jobs_runner_tick(r), 0);
    now_set(T0 + 61 * 1000);
    assert_int_equal(jobs_runner_tick(r), 1);
    /* ten hours later: once, not six hundred times */
    now_set(T0 + 10 * 3600 * 1000LL);
    assert_int_equal(jobs_runner_tick(r), 1);
    assert_int_equal(jobs_runner_tick(r), 0);
    assert_int_equal(runs(), 3);
    assert_true(seen.at[0] >= T0 && seen.at[0] < T0 + 1000);

    assert_int_equal(job_runs_int(f, "SELECT runs FROM job_runs"
                                     " WHERE name = $1"),
                     3);
    assert_int_equal(job_runs_int(f, "SELECT last_result FROM job_runs"
                                     " WHERE name = $1"),
                     0);
    int64_t last = job_runs_int(f, "SELECT last_run_ms FROM job_runs"
                                   " WHERE name = $1");
    assert_true(last >= T0 + 10 * 3600 * 1000LL);

    /* a failing job is recorded and waits for its next interval */
    seen.fail = 1;
    now_set(last + 60 * 1000 + 500);
    assert_int_equal(jobs_runner_tick(r), 1);
    assert_int_equal(job_runs_int(f, "SELECT last_result FROM job_runs"
                                     " WHERE name = $1"),
                     1);
    assert_int_equal(jobs_runner_tick(r), 0);
    assert_int_equal(runs(), 4);

    /* a new runner (a restarted node) knows the last run from the table */
    jobs_runner_free(r);
    r = runner(f, "n2");
    assert_int_equal(jobs_runner_tick(r), 0);
    jobs_runner_free(r);
}

/* jobs_run_now: forced; unknown job; busy elsewhere (PostgreSQL). */
static void test_run_now(void **state)
{
    struct fx *f = *state;
    char err[256];
    assert_int_equal(jobs_register("count", 3600, count_job), 0);
    now_set(T0);
    assert_int_equal(jobs_run_now(f->db, "count"), 0);
    assert_int_equal(jobs_run_now(f->db, "count"), 0);
    assert_int_equal(runs(), 2);
    assert_int_equal(jobs_run_now(f->db, "nosuch"), -1);
    seen.fail = 1;
    assert_int_equal(jobs_run_now(f->db, "count"), -1);
    seen.fail = 0;
    if (pg_admin == NULL)
        return;
    struct store *other = store_open(f->url, err, sizeof(err));
    assert_non_null(other);
    assert_int_equal(store_try_session_lock(other, jobs_lock_key("count")), 1);
    assert_int_equal(jobs_run_now(f->db, "count"), 1);
    assert_int_equal(runs(), 3);
    store_close(other);
    /* the server releases the lock when its backend has seen the close */
    int rc = 1;
    for (int i = 0; i < 100 && rc == 1; i++) {
        rc = jobs_run_now(f->db, "count");
        if (rc == 1)
            usleep(20 * 1000);
    }
    assert_int_equal(rc, 0);
}

/* The thread ticks every second and sees the moved clock; stop is prompt. */
static void test_thread_moved_clock(void **state)
{
    struct fx *f = *state;
    struct timespec a, b;
    assert_int_equal(jobs_register("count", 3600, count_job), 0);
    struct jobs_runner *r = runner(f, "t");
    now_set(T0);
    assert_int_equal(jobs_runner_start(r), 0);
    for (int i = 0; i < 50 && runs() < 1; i++)
        usleep(100 * 1000);
    assert_int_equal(runs(), 1);
    usleep(1500 * 1000);
    assert_int_equal(runs(), 1); /* an hour has not passed */
    now_set(T0 + 3601 * 1000LL);
    for (int i = 0; i < 50 && runs() < 2; i++)
        usleep(100 * 1000);
    assert_int_equal(runs(), 2);
    clock_gettime(CLOCK_MONOTONIC, &a);
    jobs_runner_stop(r);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 2);
    jobs_runner_free(r);
}

/* ---- two nodes on one PostgreSQL --------------------------------------- */

struct ticker {
    struct jobs_runner *r;
    pthread_barrier_t *go;
    int ran;
};

static void *tick_once(void *arg)
{
    struct ticker *t = arg;
    pthread_barrier_wait(t->go);
    t->ran = jobs_runner_tick(t->r);
    return NULL;
}

/* Both nodes tick at the same moment, interval after interval: the job
 * runs exactly once in each. */
static void test_two_runners_once_per_interval(void **state)
{
    struct fx *f = *state;
    const int steps = 20;
    const int64_t iv = 60 * 1000, slack = 1000;
    if (pg_admin == NULL)
        skip();
    assert_int_equal(jobs_register("count", 60, count_job), 0);
    seen.sleep_ms = 20; /* so the two ticks overlap */
    struct jobs_runner *a = runner(f, "a"), *b = runner(f, "b");
    pthread_barrier_t go;
    int ran_a = 0, ran_b = 0;

    for (int s = 0; s < steps; s++) {
        pthread_t ta, tb;
        struct ticker xa = {a, &go, 0}, xb = {b, &go, 0};
        pthread_barrier_init(&go, NULL, 2);
        now_set(T0 + s * (iv + slack));
        pthread_create(&ta, NULL, tick_once, &xa);
        pthread_create(&tb, NULL, tick_once, &xb);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&go);
        assert_true(xa.ran >= 0 && xb.ran >= 0);
        assert_int_equal(xa.ran + xb.ran, 1);
        ran_a += xa.ran;
        ran_b += xb.ran;
        assert_int_equal(runs(), s + 1);
        /* a second round within the same interval runs nothing */
        assert_int_equal(jobs_runner_tick(b), 0);
        assert_int_equal(jobs_runner_tick(a), 0);
    }
    assert_int_equal(runs(), steps);
    for (int i = 1; i < steps; i++)
        assert_true(seen.at[i] - seen.at[i - 1] >= iv);
    fprintf(stderr, "runs: node a %d, node b %d\n", ran_a, ran_b);
    assert_int_equal(job_runs_int(f, "SELECT runs FROM job_runs"
                                     " WHERE name = $1"),
                     steps);
    jobs_runner_free(a);
    jobs_runner_free(b);
}

/* A node that holds the lock blocks the job; when it dies (its connection
 * closes) the other takes over at its next tick.  A node that stops for
 * good leaves the job to the other. */
static void test_takeover(void **state)
{
    struct fx *f = *state;
    char err[256];
    if (pg_admin == NULL)
        skip();
    assert_int_equal(jobs_register("count", 60, count_job), 0);
    struct jobs_runner *a = runner(f, "a"), *b = runner(f, "b");

    now_set(T0);
    assert_int_equal(jobs_runner_tick(a), 1);
    assert_int_equal(jobs_runner_tick(b), 0);

    /* a third node is in the middle of a run: it holds the lock */
    struct store *dying = store_open(f->url, err, sizeof(err));
    assert_non_null(dying);
    assert_int_equal(store_try_session_lock(dying, jobs_lock_key("count")), 1);
    now_set(T0 + 61 * 1000);
    assert_int_equal(jobs_runner_tick(a), 0);
    assert_int_equal(jobs_runner_tick(b), 0);
    store_close(dying); /* the node dies: the server releases its lock */
    int ran = 0;
    for (int i = 0; i < 100 && ran == 0; i++) {
        ran = jobs_runner_tick(b);
        if (ran == 0)
            usleep(20 * 1000); /* the next tick, sooner than a second */
    }
    assert_int_equal(ran, 1);
    assert_int_equal(jobs_runner_tick(a), 0);

    /* node b stops for good; a carries on alone */
    jobs_runner_free(b);
    for (int s = 2; s < 6; s++) {
        now_set(T0 + s * 61 * 1000);
        assert_int_equal(jobs_runner_tick(a), 1);
    }
    assert_int_equal(runs(), 6);
    jobs_runner_free(a);
}

/* Two runner threads on the real clock: never two runs within one
 * interval. */
static void test_two_threads_real_clock(void **state)
{
    struct fx *f = *state;
    if (pg_admin == NULL)
        skip();
    now_reset();
    assert_int_equal(jobs_register("count", 1, count_job), 0);
    seen.sleep_ms = 50;
    struct jobs_runner *a = runner(f, "a"), *b = runner(f, "b");
    assert_int_equal(jobs_runner_start(a), 0);
    assert_int_equal(jobs_runner_start(b), 0);
    usleep(4500 * 1000);
    jobs_runner_stop(a);
    jobs_runner_stop(b);
    int n = runs();
    fprintf(stderr, "runs in 4.5 s with a 1 s interval: %d\n", n);
    assert_true(n >= 3 && n <= 5);
    for (int i = 1; i < n; i++)
        assert_true(seen.at[i] - seen.at[i - 1] >= 1000);
    jobs_runner_free(a);
    jobs_runner_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register),
        cmocka_unit_test_setup_teardown(test_single_runner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_moved_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_runners_once_per_interval,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_takeover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_threads_real_clock, setup,
                                        teardown),
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
