/*
 * sqlite_file.c - the write gate and the checkpointer of one SQLite file,
 * shared by this process's connections to it (sqlite_file.h).
 */
#include "store/sqlite_file.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

struct sqlite_file {
    char *path;
    int refs; /* connections using it; under files_mu */
    struct sqlite_file *next;

    /* the write gate */
    pthread_mutex_t mu;
    pthread_cond_t free_cv; /* the gate opened */
    /* a ticket queue: writers go in the order they came (a plain mutex
     * lets a newcomer overtake a woken waiter again and again) */
    unsigned long next_ticket, serving;

    /* the checkpointer, under mu */
    pthread_cond_t work_cv; /* a checkpoint is wanted, or stop */
    pthread_t thread;
    int started, wanted, stop;
    long checkpoints;
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
            pthread_cond_init(&f->free_cv, NULL);
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
    pthread_cond_destroy(&f->work_cv);
    pthread_cond_destroy(&f->free_cv);
    pthread_mutex_destroy(&f->mu);
    free(f->path);
    free(f);
}

void sqlite_file_write_begin(struct sqlite_file *f)
{
    unsigned long mine;
    pthread_mutex_lock(&f->mu);
    mine = f->next_ticket++;
    while (f->serving != mine)
        pthread_cond_wait(&f->free_cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
}

void sqlite_file_write_end(struct sqlite_file *f)
{
    pthread_mutex_lock(&f->mu);
    f->serving++;
    pthread_cond_broadcast(&f->free_cv);
    pthread_mutex_unlock(&f->mu);
}

/* The checkpointer: a connection of its own, a PASSIVE checkpoint each
 * time it is woken, until the file's last connection closes. */
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
    }
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->wanted && !f->stop)
            pthread_cond_wait(&f->work_cv, &f->mu);
        if (f->stop)
            break;
        f->wanted = 0;
        pthread_mutex_unlock(&f->mu);
        rc = conn != NULL ? sqlite3_wal_checkpoint_v2(
                                conn, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                NULL)
                          : SQLITE_CANTOPEN;
        /* BUSY: another checkpoint (the CLI's) is running; the next
         * commit past the mark wakes this one again */
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("checkpoint of %s: %s", f->path, sqlite3_errstr(rc));
        pthread_mutex_lock(&f->mu);
        f->checkpoints++;
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

unsigned long sqlite_file_writers(struct sqlite_file *f)
{
    unsigned long n;
    pthread_mutex_lock(&f->mu);
    n = f->next_ticket - f->serving;
    pthread_mutex_unlock(&f->mu);
    return n;
}
