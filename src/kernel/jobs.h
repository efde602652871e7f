/*
 * jobs.h - the periodic job runner: deadline sweeps, reminders, the webhook
 * sender, run once per installation even with several server nodes.
 *
 * Jobs are registered at start (jobs_register, before jobs_start) into one
 * process-wide table that is read-only afterwards.  A runner is a thread
 * with a database connection of its own.  Every second it reads now_ms()
 * (so a moved test clock is noticed at the next tick) and for each job
 * whose interval may have elapsed:
 *
 *     store_try_session_lock(job key)     0: another node is running it,
 *         |                               skip until the next tick
 *         v 1
 *     SELECT last_run_ms FROM job_runs    (read under the lock)
 *         |  now - last_run_ms < interval: not due -> unlock
 *         v  due
 *     fn(db, now)                         the job, on the runner's
 *         |                               connection (it may begin and
 *         v                               commit transactions of its own)
 *     upsert job_runs(last_run_ms = now, node, result, runs + 1)
 *     store_session_unlock(job key)
 *
 * The lock is a PostgreSQL session advisory lock, released by the server
 * when the node dies, so another node takes the job over at its next tick;
 * job_runs, read and written under the lock, keeps two nodes from both
 * running a job in the same interval.  On SQLite one process owns the file
 * and the lock always succeeds.  A job that was not run for several
 * intervals (node down, clock moved far) runs once, not once per interval
 * missed.
 *
 * Lifecycle of a runner: jobs_runner_new -> [jobs_runner_start ->
 * jobs_runner_stop] -> jobs_runner_free; jobs_runner_tick runs one pass in
 * the caller's thread (tests).  jobs_start/jobs_stop drive the process's
 * one runner (serve).
 */
#ifndef SHUNIU_JOBS_H
#define SHUNIU_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define JOBS_MAX 32
#define JOBS_NAME_MAX 48

/* A job: does its work on db as of now_ms; 0 ok, -1 failed (logged by the
 * job; the runner records the result and tries again next interval). */
typedef int (*jobs_fn)(struct store *db, int64_t now_ms);

/* Adds a job to the process table; name is [a-z0-9_] (1-47 chars) and
 * unique, interval_seconds >= 1.  Call before any runner starts.  0 / -1
 * (bad name, duplicate, table full: logged). */
int jobs_register(const char *name, int interval_seconds, jobs_fn fn);
/* Empties the table (tests only; no runner may be running). */
void jobs_reset(void);

struct jobs_runner;

/* A runner for the registered jobs on its own connection to db_url; node
 * names this process in job_runs (NULL: "host:pid").  NULL with a message
 * in err when the database cannot be opened. */
struct jobs_runner *jobs_runner_new(const char *db_url, const char *node,
                                    char *err, size_t errlen);
/* One pass over the jobs as of now_ms(): returns how many ran, or -1 when
 * the database failed. */
int jobs_runner_tick(struct jobs_runner *r);
/* Starts the runner's thread (a tick per second).  0 / -1. */
int jobs_runner_start(struct jobs_runner *r);
/* Asks the thread to stop and waits for it (a running job finishes
 * first).  Safe when not started. */
void jobs_runner_stop(struct jobs_runner *r);
/* Stops it if needed and closes its connection; NULL ok. */
void jobs_runner_free(struct jobs_runner *r);

/* The process's runner, for serve: opens a dedicated connection (the pool's
 * connections go back after each request, a session lock must not) and
 * starts the thread.  0 / -1 (logged). */
int jobs_start(const char *db_url);
/* Stops and frees the process's runner; safe when none runs. */
void jobs_stop(void);

/* Runs the registered job name now on db as of now_ms(), due or not, under
 * its lock (tests, the administrators' "run now" button).  0 ran; 1 it is
 * running on another node right now; -1 unknown job, database failure or
 * the job failed.  Not inside a transaction. */
int jobs_run_now(struct store *db, const char *name);

/* The lock key of a job (stable: FNV-1a of "shuniu.job." + name). */
int64_t jobs_lock_key(const char *name);

#endif
