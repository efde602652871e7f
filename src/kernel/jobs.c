/*
 * jobs.c - the periodic job runner (see jobs.h for the per-job lease).
 *
 * Runner thread:
 *     jobs_runner_start -> loop { jobs_runner_tick; wait 1 s or stop }
 *     jobs_runner_stop  -> stop = 1, signal, join
 * A tick skips a job without touching the database while the last run it
 * knows of is less than an interval ago (it only ever knows a run that
 * happened, so this never hides a due job); otherwise it takes the job's
 * session lock and decides from job_runs.  After a database failure the
 * runner closes its connection and opens a new one at the next tick, so a
 * restarted PostgreSQL does not stop the jobs for good.
 */
#include "kernel/jobs.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/now.h"

static const char JOBS_SQL_LAST[] =
    "SELECT last_run_ms FROM job_runs WHERE name = $1";

static const char JOBS_SQL_RECORD[] =
    "INSERT INTO job_runs (name, last_run_ms, node, last_result, runs)"
    " VALUES ($1, $2, $3, $4, 1)"
    " ON CONFLICT (name) DO UPDATE SET last_run_ms = excluded.last_run_ms,"
    " node = excluded.node, last_result = excluded.last_result,"
    " runs = job_runs.runs + 1";

struct jobs_def {
    char name[JOBS_NAME_MAX];
    int interval_s;
    jobs_fn fn;
    int64_t key;
};

/* The process's jobs: written at start, read-only once a runner runs. */
static struct {
    pthread_mutex_t mu;
    int n;
    struct jobs_def defs[JOBS_MAX];
} jobs_table = {PTHREAD_MUTEX_INITIALIZER, 0, {{{0}}}};

struct jobs_runner {
    char url[4096];
    char node[128];
    struct store *db; /* NULL after a failure, until reopened */
    int64_t known_last[JOBS_MAX];
    pthread_t thread;
    int started;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* The process's one runner (jobs_start). */
static struct jobs_runner *jobs_main;

int64_t jobs_lock_key(const char *name)
{
    static const char prefix[] = "shuniu.job.";
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *p;
    for (p = prefix; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return (int64_t)h;
}

static int jobs_name_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n >= JOBS_NAME_MAX)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int jobs_register(const char *name, int interval_seconds, jobs_fn fn)
{
    int rc = -1, i;
    pthread_mutex_lock(&jobs_table.mu);
    if (!jobs_name_ok(name) || interval_seconds < 1 || fn == NULL) {
        log_error("cannot register job: bad name or interval");
        goto out;
    }
    for (i = 0; i < jobs_table.n; i++) {
        if (strcmp(jobs_table.defs[i].name, name) == 0) {
            log_error("cannot register job %s: already registered", name);
            goto out;
        }
    }
    if (jobs_table.n == JOBS_MAX) {
        log_error("cannot register job %s: too many jobs", name);
        goto out;
    }
    struct jobs_def *d = &jobs_table.defs[jobs_table.n];
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->interval_s = interval_seconds;
    d->fn = fn;
    d->key = jobs_lock_key(name);
    jobs_table.n++;
    rc = 0;
out:
    pthread_mutex_unlock(&jobs_table.mu);
    return rc;
}

void jobs_reset(void)
{
    pthread_mutex_lock(&jobs_table.mu);
    jobs_table.n = 0;
    pthread_mutex_unlock(&jobs_table.mu);
}

/* A copy of the table, so a tick never holds the mutex while jobs run. */
static int jobs_snapshot(struct jobs_def *out)
{
    int n;
    pthread_mutex_lock(&jobs_table.mu);
    n = jobs_table.n;
    memcpy(out, jobs_table.defs, sizeof(*out) * (size_t)n);
    pthread_mutex_unlock(&jobs_table.mu);
    return n;
}

/* ---- one run under the lock -------------------------------------------- */

/* Takes the lock of d on db and, when due (or force), runs it and records
 * the run.  *last is the last run known afterwards.  Returns 1 ran, 0 not
 * due or held elsewhere, -1 database failure (the job failing is not one:
 * it is recorded in job_runs.last_result). */
static int jobs_run_locked(struct store *db, const struct jobs_def *d,
                           const char *node, int64_t now, int force,
                           int64_t *last, int *job_rc)
{
    int rc = -1, got, s;
    int64_t prev = 0;
    struct stmt *st = NULL;

    got = store_try_session_lock(db, d->key);
    if (got == 0)
        return 0;
    if (got != 1) {
        log_error("cannot lock job %s: %s", d->name, store_errmsg(db));
        return -1;
    }
    st = store_prepare(db, JOBS_SQL_LAST);
    store_bind_text(st, 1, d->name);
    s = store_step(st);
    if (s == STORE_ROW) {
        prev = store_col_int(st, 0);
    } else if (s != STORE_DONE) {
        log_error("cannot read job_runs: %s", store_errmsg(db));
        goto out;
    }
    store_finalize(st);
    st = NULL;
    *last = prev;
    if (!force && s == STORE_ROW &&
        now - prev < (int64_t)d->interval_s * 1000) {
        rc = 0;
        goto out;
    }

    *job_rc = d->fn(db, now);
    if (store_in_tx(db)) {
        log_error("job %s left a transaction open: rolled back", d->name);
        store_rollback(db);
        *job_rc = -1;
    }
    if (*job_rc != 0)
        log_warn("job %s failed", d->name);
    if (store_run(db, JOBS_SQL_RECORD, "titi", d->name, now, node,
                  (int64_t)(*job_rc != 0 ? 1 : 0)) != STORE_OK) {
        log_error("cannot record job %s: %s", d->name, store_errmsg(db));
        goto out;
    }
    *last = now;
    rc = 1;
out:
    store_finalize(st);
    store_session_unlock(db, d->key);
    return rc;
}

/* ---- runner ------------------------------------------------------------ */

struct jobs_runner *jobs_runner_new(const char *db_url, const char *node,
                                    char *err, size_t errlen)
{
    struct jobs_runner *r = calloc(1, sizeof(*r));
    if (r == NULL)
        abort();
    if (snprintf(r->url, sizeof(r->url), "%s", db_url) >= (int)sizeof(r->url)) {
        snprintf(err, errlen, "database url too long");
        free(r);
        return NULL;
    }
    if (node != NULL && *node) {
        snprintf(r->node, sizeof(r->node), "%s", node);
    } else {
        char host[64] = "";
        if (gethostname(host, sizeof(host) - 1) != 0)
            snprintf(host, sizeof(host), "localhost");
        snprintf(r->node, sizeof(r->node), "%s:%ld", host, (long)getpid());
    }
    r->db = store_open(r->url, err, errlen);
    if (r->db == NULL) {
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    return r;
}

int jobs_runner_tick(struct jobs_runner *r)
{
    struct jobs_def defs[JOBS_MAX];
    int n = jobs_snapshot(defs), ran = 0, i;
    int64_t now = now_ms();

    if (r->db == NULL) {
        char err[256];
        r->db = store_open(r->url, err, sizeof(err));
        if (r->db == NULL) {
            log_error("job runner cannot reopen database: %s", err);
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        int job_rc = 0, got;
        if (r->known_last[i] != 0 &&
            now - r->known_last[i] < (int64_t)defs[i].interval_s * 1000)
            continue;
        got = jobs_run_locked(r->db, &defs[i], r->node, now, 0,
                              &r->known_last[i], &job_rc);
        if (got < 0) {
            store_close(r->db);
            r->db = NULL;
            return -1;
        }
        ran += got;
    }
    return ran;
}

static void *jobs_thread(void *arg)
{
    struct jobs_runner *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        struct timespec ts;
        pthread_mutex_unlock(&r->mu);
        jobs_runner_tick(r);
        pthread_mutex_lock(&r->mu);
        if (r->stop)
            break;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;
        while (!r->stop &&
               pthread_cond_timedwait(&r->cv, &r->mu, &ts) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int jobs_runner_start(struct jobs_runner *r)
{
    if (r->started)
        return 0;
    r->stop = 0;
    if (pthread_create(&r->thread, NULL, jobs_thread, r) != 0) {
        log_error("cannot start job runner thread");
        return -1;
    }
    r->started = 1;
    return 0;
}

void jobs_runner_stop(struct jobs_runner *r)
{
    if (r == NULL || !r->started)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    r->started = 0;
}

void jobs_runner_free(struct jobs_runner *r)
{
    if (r == NULL)
        return;
    jobs_runner_stop(r);
    store_close(r->db);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

int jobs_start(const char *db_url)
{
    char err[256];
    if (jobs_main != NULL)
        return 0;
    jobs_main = jobs_runner_new(db_url, NULL, err, sizeof(err));
    if (jobs_main == NULL) {
        log_error("cannot start job runner: %s", err);
        return -1;
    }
    if (jobs_runner_start(jobs_main)) {
        jobs_runner_free(jobs_main);
        jobs_main = NULL;
        return -1;
    }
    log_info("job runner started as %s", jobs_main->node);
    return 0;
}

void jobs_stop(void)
{
    jobs_runner_free(jobs_main);
    jobs_main = NULL;
}

int jobs_run_now(struct store *db, const char *name)
{
    struct jobs_def defs[JOBS_MAX];
    int n = jobs_snapshot(defs), i, got, job_rc = 0;
    int64_t last = 0;
    char node[128], host[64] = "";

    for (i = 0; i < n; i++)
        if (strcmp(defs[i].name, name) == 0)
            break;
    if (i == n) {
        log_warn("cannot run job %s: no such job", name);
        return -1;
    }
    if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "localhost");
    snprintf(node, sizeof(node), "%s:%ld", host, (long)getpid());
    got = jobs_run_locked(db, &defs[i], node, now_ms(), 1, &last, &job_rc);
    if (got < 0)
        return -1;
    if (got == 0)
        return 1;
    return job_rc == 0 ? 0 : -1;
}
