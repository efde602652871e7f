/*
 * test_sqlite_file.c - what this process's connections to one SQLite file
 * share (store/sqlite_file.h): writers queue at the write gate in order
 * and each is let in when the one before ends (commit or rollback); the
 * checkpointer runs when the log grows past its mark, off the committing
 * thread; transactions write on the file's one writer.  SQLite only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib_store.h"
#include "store/sqlite_file.h"

/* How long to wait for another thread to reach a point before failing:
 * generous, it is a deadline for a hang, never a measure of speed. */
#define WAIT_MS 20000

struct fx {
    struct unit_db u;
    struct store *a, *b;
    struct sqlite_file *file; /* the entry a and b share */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->a = unit_db_new(&f->u, NULL);
    f->b = f->a != NULL ? unit_db_connect(&f->u) : NULL;
    if (f->b == NULL)
        return -1;
    /* the same entry the connections hold (SQLite's absolute name) */
    f->file = sqlite_file_get(f->u.path);
    if (f->file == NULL ||
        store_exec(f->a, "CREATE TABLE t (k INTEGER, v BLOB)") != STORE_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sqlite_file_put(f->file);
    store_close(f->a);
    store_close(f->b);
    unit_db_remove(&f->u);
    free(f);
    return 0;
}

/* Polls until the gate has n writers (holding or queued). */
static void wait_writers(struct fx *f, unsigned long n)
{
    for (int ms = 0; sqlite_file_writers(f->file) != n; ms++) {
        if (ms > WAIT_MS)
            fail_msg("the gate never had %lu writers", n);
        usleep(1000);
    }
}

struct writer {
    struct store *db;
    int in; /* got past store_begin */
    int rc;
};

static void *second_writer(void *arg)
{
    struct writer *w = arg;
    w->rc = store_begin(w->db);
    __atomic_store_n(&w->in, 1, __ATOMIC_SEQ_CST);
    if (w->rc == STORE_OK)
        w->rc = store_run(w->db, "INSERT INTO t (k) VALUES (2)", "");
    if (w->rc == STORE_OK)
        w->rc = store_commit(w->db);
    return NULL;
}

static void test_writers_queue(void **state)
{
    struct fx *f = *state;
    struct writer w = {.db = f->b};
    pthread_t t;
    int64_t n = 0;

    assert_int_equal(sqlite_file_writers(f->file), 0);
    assert_int_equal(store_begin(f->a), STORE_OK);
    assert_int_equal(sqlite_file_writers(f->file), 1);
    assert_int_equal(store_run(f->a, "INSERT INTO t (k) VALUES (1)", ""),
                     STORE_OK);
    assert_int_equal(pthread_create(&t, NULL, second_writer, &w), 0);
    wait_writers(f, 2); /* b waits at the gate, not in SQLite's busy loop */
    assert_int_equal(__atomic_load_n(&w.in, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(store_commit(f->a), STORE_OK);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.rc, STORE_OK);
    assert_int_equal(sqlite_file_writers(f->file), 0);
    assert_int_equal(store_query_int(f->a, "SELECT COUNT(*) FROM t", &n, ""),
                     STORE_ROW);
    assert_int_equal(n, 2);
}

/* Writers queued at the gate go in the order they came, each woken when
 * the one before lets go (a waiter woken for another's turn would go
 * back to sleep; one never woken hangs the test). */
#define QUEUED 5
static struct sqlite_file *queue_file;
static atomic_int queue_next;
static int queue_order[QUEUED];

static void *queued_writer(void *arg)
{
    int me = (int)(intptr_t)arg;
    sqlite_file_write_begin(queue_file);
    queue_order[atomic_fetch_add(&queue_next, 1)] = me;
    sqlite_file_write_end(queue_file);
    return NULL;
}

static void test_gate_order(void **state)
{
    struct fx *f = *state;
    pthread_t t[QUEUED];
    queue_file = f->file;
    atomic_store(&queue_next, 0);
    sqlite_file_write_begin(f->file);
    for (int i = 0; i < QUEUED; i++) {
        assert_int_equal(
            pthread_create(&t[i], NULL, queued_writer, (void *)(intptr_t)i), 0);
        wait_writers(f, (unsigned long)i + 2); /* i is in line */
    }
    sqlite_file_write_end(f->file);
    for (int i = 0; i < QUEUED; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < QUEUED; i++)
        assert_int_equal(queue_order[i], i);
    assert_int_equal(sqlite_file_writers(f->file), 0);
}

static void test_rollback_opens_the_gate(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_begin(f->a), STORE_OK);
    assert_int_equal(store_rollback(f->a), STORE_OK);
    assert_int_equal(sqlite_file_writers(f->file), 0);
    /* a failed statement inside, then rollback: the same */
    assert_int_equal(store_begin(f->b), STORE_OK);
    assert_int_equal(store_run(f->b, "INSERT INTO nowhere VALUES (1)", ""),
                     STORE_ERR);
    assert_int_equal(store_rollback(f->b), STORE_OK);
    assert_int_equal(sqlite_file_writers(f->file), 0);
    /* a write outside a transaction does not use the gate */
    assert_int_equal(store_run(f->a, "INSERT INTO t (k) VALUES (3)", ""),
                     STORE_OK);
    assert_int_equal(sqlite_file_writers(f->file), 0);
}

static int64_t data_version(struct store *db)
{
    int64_t v = -1;
    assert_int_equal(store_query_int(db, "PRAGMA data_version", &v, ""),
                     STORE_ROW);
    return v;
}

/* Transactions of every connection write on the file's one writer, whose
 * page cache stays warm: SQLite's data_version, which changes when
 * another connection has committed, reads the same in a transaction of a
 * before and after one of b.  a's own connection outside a transaction
 * sees the writes.  A connection closed inside a transaction leaves the
 * writer rolled back and free. */
static void test_one_writer(void **state)
{
    struct fx *f = *state;
    struct store *c;
    int64_t v1, v2, own, n = -1;

    own = data_version(f->a);
    assert_int_equal(store_begin(f->a), STORE_OK);
    v1 = data_version(f->a);
    assert_int_equal(store_run(f->a, "INSERT INTO t (k) VALUES (1)", ""),
                     STORE_OK);
    assert_int_equal(store_commit(f->a), STORE_OK);
    assert_int_equal(store_begin(f->b), STORE_OK);
    assert_int_equal(store_run(f->b, "INSERT INTO t (k) VALUES (2)", ""),
                     STORE_OK);
    assert_int_equal(store_commit(f->b), STORE_OK);
    assert_int_equal(store_begin(f->a), STORE_OK);
    v2 = data_version(f->a);
    assert_int_equal(store_commit(f->a), STORE_OK);
    assert_int_equal(v1, v2);
    assert_true(data_version(f->a) != own);
    assert_int_equal(store_query_int(f->a, "SELECT COUNT(*) FROM t", &n, ""),
                     STORE_ROW);
    assert_int_equal(n, 2);

    c = unit_db_connect(&f->u);
    assert_non_null(c);
    assert_int_equal(store_begin(c), STORE_OK);
    assert_int_equal(store_run(c, "INSERT INTO t (k) VALUES (3)", ""),
                     STORE_OK);
    store_close(c);
    assert_int_equal(sqlite_file_writers(f->file), 0);
    assert_int_equal(store_begin(f->b), STORE_OK);
    assert_int_equal(store_query_int(f->b, "SELECT COUNT(*) FROM t", &n, ""),
                     STORE_ROW);
    assert_int_equal(n, 2);
    assert_int_equal(store_run(f->b, "INSERT INTO t (k) VALUES (4)", ""),
                     STORE_OK);
    assert_int_equal(store_commit(f->b), STORE_OK);
    assert_int_equal(store_query_int(f->a, "SELECT COUNT(*) FROM t", &n, ""),
                     STORE_ROW);
    assert_int_equal(n, 3);
}

static void test_checkpointer_runs(void **state)
{
    struct fx *f = *state;
    long before = sqlite_file_checkpoints(f->file);
    long restarts = sqlite_file_restarts(f->file);
    int log = 0, done = 0;
    /* two pages a row: well past the mark where the log is started again
     * (SQLITE_FILE_RESTART_PAGES) */
    for (int i = 0; i < 2 * SQLITE_FILE_RESTART_PAGES; i += 50) {
        assert_int_equal(store_begin(f->a), STORE_OK);
        for (int k = 0; k < 50; k++)
            assert_int_equal(store_run(f->a,
                                       "INSERT INTO t (k, v) VALUES ($1,"
                                       " randomblob(6000))",
                                       "i", (int64_t)(i + k)),
                             STORE_OK);
        assert_int_equal(store_commit(f->a), STORE_OK);
    }
    for (int ms = 0; sqlite_file_restarts(f->file) == restarts; ms++) {
        if (ms > WAIT_MS)
            fail_msg("the log was never started again (%ld checkpoints)",
                     sqlite_file_checkpoints(f->file) - before);
        usleep(1000);
    }
    /* real checkpoints, not calls on a connection that saw no log */
    assert_true(sqlite_file_checkpoints(f->file) > before);
    /* started again: the log holds far fewer pages than were written
     * (about two a row) */
    assert_int_equal(store_run(f->a, "INSERT INTO t (k) VALUES (0)", ""),
                     STORE_OK);
    sqlite3 *probe;
    assert_int_equal(sqlite3_open(f->u.path, &probe), SQLITE_OK);
    assert_int_equal(sqlite3_exec(probe, "SELECT COUNT(*) FROM t", NULL, NULL, NULL),
                     SQLITE_OK);
    /* BUSY while the checkpointer's own checkpoint runs: try again */
    int rc, tries = 0;
    while ((rc = sqlite3_wal_checkpoint_v2(probe, NULL,
                                           SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &done)) == SQLITE_BUSY &&
           ++tries < 1000)
        usleep(1000);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(probe);
    assert_true(log >= 0 && log < 2 * SQLITE_FILE_RESTART_PAGES);

    /* after a restart this process still holds its connections' locks on
     * the file: another process (here a child, as the sqlite3 shell or a
     * shuniu command would) that opens, reads and closes it must leave
     * the log and its index alone.  The restart's sync once closed a
     * descriptor of its own, which dropped them all, and the child's
     * close then deleted the log under the connections still using it. */
    char wal[600];
    struct stat sb;
    snprintf(wal, sizeof(wal), "%s-wal", f->u.path);
    assert_int_equal(stat(wal, &sb), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* SQLite's shared range (os_unix.c: past the pending byte) is
         * read-locked by the parent's connections */
        struct flock fl = {.l_type = F_WRLCK,
                           .l_whence = SEEK_SET,
                           .l_start = 0x40000000 + 2,
                           .l_len = 510};
        int fd = open(f->u.path, O_RDONLY);
        if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_RDLCK ||
            fl.l_pid != getppid())
            _exit(2);
        sqlite3 *other = NULL;
        int ok = sqlite3_open(f->u.path, &other) == SQLITE_OK &&
                 sqlite3_exec(other, "SELECT COUNT(*) FROM t", NULL, NULL,
                              NULL) == SQLITE_OK;
        ok = sqlite3_close(other) == SQLITE_OK && ok;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 2)
        fail_msg("this process no longer holds its shared lock on %s",
                 f->u.path);
    assert_true(WEXITSTATUS(status) == 0);
    if (stat(wal, &sb) != 0)
        fail_msg("another process's close deleted the log %s", wal);
    /* and what is written now is seen by a new connection */
    assert_int_equal(store_run(f->a, "INSERT INTO t (k) VALUES (-1)", ""),
                     STORE_OK);
    assert_int_equal(sqlite3_open(f->u.path, &probe), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(probe,
                                        "SELECT COUNT(*) FROM t WHERE k = -1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(probe);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writers_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_opens_the_gate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpointer_runs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("sqlite_file", tests, NULL, NULL);
}
