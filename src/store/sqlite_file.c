/*
 * sqlite_file.c - the write gate and the checkpointer of one SQLite file,
 * shared by this process's connections to it (sqlite_file.h).
 */
#include "store/sqlite_file.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

/* A writer waiting at the gate (on its own stack). */
struct gate_waiter {
    unsigned long ticket;
    pthread_cond_t cv;
    struct gate_waiter *next;
};

struct sqlite_file {
    char *path;
    int refs; /* connections using it; under files_mu */
    struct sqlite_file *next;

    /* the write gate */
    pthread_mutex_t mu;
    /* a ticket queue: writers go in the order they came (a plain mutex
     * lets a newcomer overtake a woken waiter again and again).  Each
     * waiter sleeps on a condition of its own and the gate wakes only the
     * next: one condition for all woke every waiter at every commit, and
     * all but one went back to sleep (a context switch each, on the cores
     * the holder needs). */
    unsigned long next_ticket, serving;
    struct gate_waiter *waiting, *waiting_last; /* in ticket order */

    /* the checkpointer, under mu */
    pthread_cond_t work_cv; /* a checkpoint is wanted, or stop */
    pthread_t thread;
    int started, wanted, stop;
    int marked; /* the log's pages when the checkpointer was last woken */
    long checkpoints; /* PASSIVE ones that found the log */
    long restarts;    /* logs started again from the top */

    /* the writer (sqlite_file_writer), touched by the gate's holder only */
    void *writer;
    void (*writer_release)(void *w);
};

static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite_file *files;

struct sqlite_file *sqlite_file_get(const char *path)
{
    struct sqlite_file *f;

    pthread_mutex_lock(&files_mu);
    for (f = files; f != NULL; f = f->next)
        if (strcmp(f->path, path) == 0)
            break;
    if (f == NULL && (f = calloc(1, sizeof(*f))) != NULL) {
        f->path = strdup(path);
        if (f->path == NULL) {
            free(f);
            f = NULL;
        } else {
            pthread_mutex_init(&f->mu, NULL);
            pthread_cond_init(&f->work_cv, NULL);
            f->next = files;
            files = f;
        }
    }
    if (f != NULL)
        f->refs++;
    pthread_mutex_unlock(&files_mu);
    return f;
}

void sqlite_file_put(struct sqlite_file *f)
{
    struct sqlite_file **p;
    int last;

    if (f == NULL)
        return;
    pthread_mutex_lock(&files_mu);
    last = --f->refs == 0;
    if (last)
        for (p = &files; *p != NULL; p = &(*p)->next)
            if (*p == f) {
                *p = f->next;
                break;
            }
    pthread_mutex_unlock(&files_mu);
    if (!last)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_signal(&f->work_cv);
    pthread_mutex_unlock(&f->mu);
    if (f->started)
        pthread_join(f->thread, NULL);
    if (f->writer != NULL)
        f->writer_release(f->writer);
    pthread_cond_destroy(&f->work_cv);
    pthread_mutex_destroy(&f->mu);
    free(f->path);
    free(f);
}

void sqlite_file_write_begin(struct sqlite_file *f)
{
    unsigned long mine;
    pthread_mutex_lock(&f->mu);
    mine = f->next_ticket++;
    if (f->serving != mine) {
        struct gate_waiter w = {mine, PTHREAD_COND_INITIALIZER, NULL};
        if (f->waiting_last)
            f->waiting_last->next = &w;
        else
            f->waiting = &w;
        f->waiting_last = &w;
        while (f->serving != mine)
            pthread_cond_wait(&w.cv, &f->mu);
        /* the oldest ticket is served first: w is at the head */
        f->waiting = w.next;
        if (f->waiting == NULL)
            f->waiting_last = NULL;
        pthread_cond_destroy(&w.cv);
    }
    pthread_mutex_unlock(&f->mu);
}

void *sqlite_file_writer(struct sqlite_file *f)
{
    return f->writer;
}

void sqlite_file_writer_set(struct sqlite_file *f, void *w,
                            void (*release)(void *w))
{
    f->writer = w;
    f->writer_release = release;
}

void sqlite_file_write_end(struct sqlite_file *f)
{
    pthread_mutex_lock(&f->mu);
    f->serving++;
    if (f->waiting && f->waiting->ticket == f->serving)
        pthread_cond_signal(&f->waiting->cv);
    pthread_mutex_unlock(&f->mu);
}

/* Milliseconds on a clock that only goes forward. */
static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes the database file's pages that checkpoints copied but did not
 * sync (a PASSIVE checkpoint syncs only when it copied the whole log,
 * which under steady writing it never does) to disk, so that the sync of
 * the RESTART below, under the write gate, finds little left to write: at
 * 1M cases a gated RESTART that synced hundreds of MiB stalled writers up
 * to 0.8 s.
 *
 * Through the checkpointer's own connection's file, never a descriptor of
 * our own: closing any descriptor of a file drops every POSIX lock the
 * process holds on it, the shared locks of all its SQLite connections
 * among them.  With them gone, the next other process (a `shuniu` command,
 * the sqlite3 shell) to close its connection took the file for its own
 * and deleted the log and its index under the running server: the
 * server's later commits went to a log no one else could see (found with
 * the sqlite3 shell at 1M cases after a restart; most likely how "database
 * disk image is malformed" came about in an earlier session's
 * measurements). */
static void sqlite_file_sync(const struct sqlite_file *f, sqlite3 *conn)
{
    sqlite3_file *file = NULL;
    if (sqlite3_file_control(conn, "main", SQLITE_FCNTL_FILE_POINTER, &file) !=
            SQLITE_OK ||
        file == NULL || file->pMethods == NULL)
        return;
    if (file->pMethods->xSync(file, SQLITE_SYNC_NORMAL) != SQLITE_OK)
        log_warn("cannot sync %s", f->path);
}

/* One PASSIVE checkpoint, which waits for no one and copies most of the
 * log; then, if the log is past SQLITE_FILE_RESTART_PAGES, one that copies
 * the rest and starts the log again from the top.  Readers that use the
 * log keep a writer from starting it again by itself, and under steady
 * reading and writing they always do: the log grew past a gigabyte at 1M
 * cases, and every page a reader looked for was searched in every 4096
 * pages of it.  RESTART (TRUNCATE past SQLITE_FILE_TRUNCATE_PAGES, giving
 * the disk back) waits for the readers of the log to finish, at most
 * SQLITE_FILE_TRUNCATE_WAIT_MS, and keeps writers out meanwhile (after
 * sqlite_file_sync, so that its own sync is short): it holds
 * the write gate, so this process's writers queue there and are woken
 * when it is done, instead of sleeping in SQLite's busy handler. */
static int sqlite_file_checkpoint(struct sqlite_file *f, sqlite3 *conn)
{
    int log = 0, done = 0, rc, truncate;
    long t0, held;
    rc = sqlite3_wal_checkpoint_v2(conn, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                   &done);
    if (rc != SQLITE_OK)
        return rc;
    pthread_mutex_lock(&f->mu);
    f->checkpoints += log >= 0; /* -1: the connection saw no log */
    pthread_mutex_unlock(&f->mu);
    if (log < SQLITE_FILE_RESTART_PAGES)
        return SQLITE_OK;
    sqlite_file_sync(f, conn);
    sqlite_file_write_begin(f);
    t0 = mono_ms();
    truncate = log >= SQLITE_FILE_TRUNCATE_PAGES;
    rc = sqlite3_wal_checkpoint_v2(conn, NULL,
                                   truncate ? SQLITE_CHECKPOINT_TRUNCATE
                                            : SQLITE_CHECKPOINT_RESTART,
                                   NULL, NULL);
    sqlite_file_write_end(f);
    /* every writer waited this long: a slow disk shows here first (a
     * 催办 at 1M cases once waited 0.44 s, cause not yet known) */
    held = mono_ms() - t0;
    if (held >= SQLITE_FILE_SLOW_RESTART_MS)
        log_warn("%s the log of %s (%d pages) held writers %ld ms",
                 truncate ? "truncating" : "restarting", f->path, log, held);
    pthread_mutex_lock(&f->mu);
    f->restarts += rc == SQLITE_OK;
    pthread_mutex_unlock(&f->mu);
    return rc == SQLITE_BUSY ? SQLITE_OK : rc; /* next time, then */
}

/* The checkpointer: a connection of its own, a checkpoint
 * (sqlite_file_checkpoint) each time it is woken, until the file's last
 * connection closes. */
static void *sqlite_file_checkpointer(void *arg)
{
    struct sqlite_file *f = arg;
    sqlite3 *conn = NULL;
    int rc;

    rc = sqlite3_open_v2(f->path, &conn,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("checkpointer: cannot open %s: %s", f->path,
                  conn != NULL ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close_v2(conn);
        conn = NULL;
    } else {
        sqlite3_busy_timeout(conn, SQLITE_FILE_TRUNCATE_WAIT_MS);
        /* a connection finds the log when it first reads: until then a
         * checkpoint on it does nothing (log -1, "not in WAL mode") */
        if (sqlite3_exec(conn, "SELECT COUNT(*) FROM sqlite_master", NULL,
                         NULL, NULL) != SQLITE_OK)
            log_warn("checkpointer: cannot read %s: %s", f->path,
                     sqlite3_errmsg(conn));
    }
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->wanted && !f->stop)
            pthread_cond_wait(&f->work_cv, &f->mu);
        if (f->stop)
            break;
        f->wanted = 0;
        pthread_mutex_unlock(&f->mu);
        rc = conn != NULL ? sqlite_file_checkpoint(f, conn) : SQLITE_CANTOPEN;
        /* BUSY: another checkpoint (the CLI's) is running; the next
         * commit past the mark wakes this one again */
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("checkpoint of %s: %s", f->path, sqlite3_errstr(rc));
        pthread_mutex_lock(&f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    sqlite3_close_v2(conn);
    return NULL;
}

int sqlite_file_wal_hook(void *arg, sqlite3 *conn, const char *db, int pages)
{
    struct sqlite_file *f = arg;
    if (pages < SQLITE_FILE_CHECKPOINT_PAGES)
        return SQLITE_OK;
    pthread_mutex_lock(&f->mu);
    /* once per SQLITE_FILE_CHECKPOINT_PAGES new pages: a checkpoint reads
     * the whole log, and under steady reading the log may not restart for
     * a while (every commit woke it once, and it took a core) */
    if (pages < f->marked)
        f->marked = 0; /* the log restarted */
    if (pages - f->marked < SQLITE_FILE_CHECKPOINT_PAGES) {
        pthread_mutex_unlock(&f->mu);
        return SQLITE_OK;
    }
    f->marked = pages;
    if (!f->started && !f->stop) {
        if (pthread_create(&f->thread, NULL, sqlite_file_checkpointer, f) ==
            0)
            f->started = 1;
        else
            log_warn("cannot start the checkpointer of %s", f->path);
    }
    f->wanted = 1;
    pthread_cond_signal(&f->work_cv);
    int started = f->started;
    pthread_mutex_unlock(&f->mu);
    /* no thread: checkpoint here, as SQLite itself would have */
    if (!started)
        sqlite3_wal_checkpoint(conn, db);
    return SQLITE_OK;
}

long sqlite_file_checkpoints(struct sqlite_file *f)
{
    long n;
    pthread_mutex_lock(&f->mu);
    n = f->checkpoints;
    pthread_mutex_unlock(&f->mu);
    return n;
}

long sqlite_file_restarts(struct sqlite_file *f)
{
    long n;
    pthread_mutex_lock(&f->mu);
    n = f->restarts;
    pthread_mutex_unlock(&f->mu);
    return n;
}

unsigned long sqlite_file_writers(struct sqlite_file *f)
{
    unsigned long n;
    pthread_mutex_lock(&f->mu);
    n = f->next_ticket - f->serving;
    pthread_mutex_unlock(&f->mu);
    return n;
}
