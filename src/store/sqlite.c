/*
 * sqlite.c - the SQLite backend of the store (see store.h, backend.h).
 *
 * A connection is one sqlite3 handle on one file, opened with journal_mode
 * WAL (readers run beside the one writer), busy_timeout 10 s, foreign_keys
 * ON and synchronous NORMAL (durable at checkpoints; WAL keeps the file
 * consistent after a crash).
 *
 * Statements are written with $N placeholders.  SQLite reads "$1" as a
 * *named* parameter numbered by first appearance, so "$2 ... $1" would bind
 * the wrong way round; store_sql_params() rewrites each $N to ?N (outside
 * string literals, identifiers and comments) before sqlite3_prepare_v2.
 *
 * Transactions: BEGIN IMMEDIATE takes the write lock up front, so a
 * transaction never fails half-way for a busy lock; it waits at BEGIN
 * instead: for another connection of this process on the file's write
 * gate, woken as soon as that one ends, and for another process in the
 * busy handler (sqlite_file.h, which also moves checkpoints off the
 * committing thread).  The gate's holder writes on the file's one writer
 * connection, lent for the transaction (cur), whose page cache stays warm
 * from one transaction to the next: a pooled connection's would have been
 * emptied by every other connection's commit.  Anything a transaction
 * prepares it finalizes before it ends (sqlite_write_end logs it if not).
 * The single write lock is also why store_tx_lock() has nothing to do and
 * session locks are always granted.
 *
 * Error classes: SQLITE_CONSTRAINT -> STORE_E_CONSTRAINT, SQLITE_BUSY and
 * SQLITE_LOCKED -> STORE_E_BUSY, anything else -> STORE_E_OTHER.
 *
 * Statement cache: compiling SQL costs more than running it for the short
 * queries of a page (the case engine's visibility predicate: ~2 million
 * instructions to prepare, a few thousand to run).  Each connection keeps
 * up to SQLITE_CACHE_MAX prepared statements keyed by their text (the
 * engine builds its queries from fixed fragments, so the same shape gives
 * the same text); store_finalize() resets and unbinds a cached statement
 * instead of finalizing it.  An entry in use is never handed out twice: a
 * second prepare of the same text while the first is open compiles its
 * own.  SQLite recompiles a cached statement by itself after a schema
 * change.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "store/backend.h"
#include "store/sqlite_file.h"

#define SQLITE_BUSY_MS 10000
#define SQLITE_CACHE_MAX 64

struct sqlite_cached {
    char *sql;         /* the caller's text, NULL for a free slot */
    uint64_t hash;
    sqlite3_stmt *st;
    int in_use;
};

/* One SQLite handle and the statements prepared on it. */
struct sqlite_conn {
    sqlite3 *db;
    struct sqlite_cached cache[SQLITE_CACHE_MAX];
    int evict; /* where the next eviction looks first */
};

struct sqlite_store {
    struct store base;
    struct sqlite_conn own;
    struct sqlite_conn *cur;  /* own, or the file's writer lent for a
                                 transaction (sqlite_file_writer) */
    struct sqlite_file *file; /* shared with the process's other connections
                                 to the file (NULL: in memory) */
    int writing;              /* holds the file's write gate */
    int reading;              /* own is in a read snapshot */
};

struct sqlite_stmt {
    struct stmt base;
    sqlite3_stmt *st; /* NULL for empty SQL or a failed prepare */
    int done;         /* stepped to SQLITE_DONE */
    struct sqlite_cached *cached; /* the cache entry it borrows, or NULL */
};

static sqlite3 *conn_of(const struct store *db)
{
    return ((const struct sqlite_store *)db)->cur->db;
}

static sqlite3_stmt *stmt_of(struct stmt *st)
{
    return ((struct sqlite_stmt *)st)->st;
}

static enum store_errc errc_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return STORE_E_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_E_BUSY;
    default:
        return STORE_E_OTHER;
    }
}

/* mkdir -p of the directory part of path. */
static int make_parent_dir(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    int rc = -1;
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return 0;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir)) {
        snprintf(err, errlen, "path too long: %s", path);
        goto out;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    for (size_t i = 1; i <= n; i++) {
        if (dir[i] != '/' && dir[i] != '\0')
            continue;
        char saved = dir[i];
        dir[i] = '\0';
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create directory %s: %s", dir,
                     strerror(errno));
            goto out;
        }
        dir[i] = saved;
    }
    rc = 0;
out:
    return rc;
}

/* Finalizes c's statements and closes its handle. */
static void sqlite_conn_close(struct sqlite_conn *c)
{
    for (int i = 0; i < SQLITE_CACHE_MAX; i++)
        if (c->cache[i].sql != NULL) {
            sqlite3_finalize(c->cache[i].st);
            free(c->cache[i].sql);
        }
    sqlite3_close_v2(c->db);
}

static void sqlite_writer_release(void *w)
{
    sqlite_conn_close(w);
    free(w);
}

/* Lets the next writer of this process in, if this connection holds the
 * gate; the writer it was lent goes back to the file, rolled back if its
 * transaction is still open, so that the next holder finds it idle.  A
 * statement prepared in the transaction and still open would be used by
 * two threads: the writer's handle is opened FULLMUTEX so that this
 * cannot corrupt it, and it is logged as the bug it is. */
static void sqlite_write_end(struct sqlite_store *ss)
{
    if (ss->cur != &ss->own) {
        struct sqlite_conn *w = ss->cur;
        int open = 0;
        if (!sqlite3_get_autocommit(w->db))
            sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        for (int i = 0; i < SQLITE_CACHE_MAX; i++)
            open += w->cache[i].in_use;
        if (open > 0)
            log_error("%d statements outlived their transaction", open);
        ss->cur = &ss->own;
    }
    if (ss->writing) {
        ss->writing = 0;
        sqlite_file_write_end(ss->file);
    }
}

/* Joins the connection to its file's gate and checkpointer (sqlite_file.h)
 * and turns SQLite's own checkpoints in the committing thread off.  An
 * in-memory database has no file: it keeps SQLite's defaults. */
static void sqlite_file_attach(struct sqlite_store *ss)
{
    const char *path = sqlite3_db_filename(ss->own.db, "main");
    if (path == NULL || path[0] == '\0')
        return;
    ss->file = sqlite_file_get(path);
    if (ss->file == NULL)
        return;
    sqlite3_wal_hook(ss->own.db, sqlite_file_wal_hook, ss->file);
}

static void sqlite_close(struct store *db)
{
    struct sqlite_store *ss = (struct sqlite_store *)db;
    sqlite_write_end(ss);
    sqlite_conn_close(&ss->own);
    sqlite_file_put(ss->file);
    free(db);
}

static uint64_t cache_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 1099511628211ULL;
    return h;
}

/* A cached statement of that text not in use, marked in use; or NULL. */
static struct sqlite_cached *cache_take(struct sqlite_conn *cn,
                                        const char *sql, uint64_t h)
{
    for (int i = 0; i < SQLITE_CACHE_MAX; i++) {
        struct sqlite_cached *c = &cn->cache[i];
        if (c->sql != NULL && !c->in_use && c->hash == h &&
            strcmp(c->sql, sql) == 0) {
            c->in_use = 1;
            return c;
        }
    }
    return NULL;
}

/* Keeps a freshly prepared statement (in use); NULL when every slot is
 * busy, and the statement then stays uncached. */
static struct sqlite_cached *cache_put(struct sqlite_conn *cn,
                                       const char *sql, uint64_t h,
                                       sqlite3_stmt *st)
{
    for (int k = 0; k < SQLITE_CACHE_MAX; k++) {
        int i = (cn->evict + k) % SQLITE_CACHE_MAX;
        struct sqlite_cached *c = &cn->cache[i];
        if (c->in_use)
            continue;
        if (c->sql != NULL) {
            sqlite3_finalize(c->st);
            free(c->sql);
        }
        c->sql = strdup(sql);
        if (c->sql == NULL)
            abort();
        c->hash = h;
        c->st = st;
        c->in_use = 1;
        cn->evict = (i + 1) % SQLITE_CACHE_MAX;
        return c;
    }
    return NULL;
}

static const char SQL_PRAGMAS[] = "PRAGMA journal_mode = WAL;"
                                  "PRAGMA foreign_keys = ON;"
                                  "PRAGMA synchronous = NORMAL;";

/* The page cache of each connection opened from now on, KiB (SQLite's
 * default is 2 MiB).  At 100k cases 2 MiB made a list page read most of
 * its index pages from the OS again (pread: 39% of a detail page's time).
 * Each connection keeps its own cache, filled as far as it is used, so
 * `serve` divides a budget among its pool (config db_cache_mb): 32 MiB
 * each, unbounded by a budget, grew a ten-minute soak's RSS to 112 MiB
 * and could reach 300 MiB at a million cases. */
static atomic_int sqlite_cache_kib = 8192;

void store_sqlite_cache(int kib)
{
    atomic_store(&sqlite_cache_kib, kib >= 256 ? kib : 256);
}

/* Before the first connection: SQLite's memory statistics off.  With them
 * on, every allocation SQLite makes takes one process-wide mutex, which
 * the request threads then queue on. */
static pthread_once_t sqlite_config_once = PTHREAD_ONCE_INIT;

static void sqlite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* MISUSE if too late: ok */
    sqlite3_initialize();
}

/* Opens a handle on path with flags (besides read-write, create) and the
 * settings every connection has; 0, or -1 with a message in err. */
static int sqlite_conn_open(struct sqlite_conn *c, const char *path,
                            int flags, char *err, size_t errlen)
{
    char *msg = NULL;
    char cache[64];
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    snprintf(cache, sizeof(cache), "PRAGMA cache_size = -%d;",
             atomic_load(&sqlite_cache_kib));
    if (sqlite3_exec(c->db, SQL_PRAGMAS, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->db, cache, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", path,
                 msg != NULL ? msg : "unknown error");
        sqlite3_free(msg);
        goto fail;
    }
    return 0;
fail:
    sqlite3_close_v2(c->db);
    c->db = NULL;
    return -1;
}

struct store *store_sqlite_open(const char *path, char *err, size_t errlen)
{
    pthread_once(&sqlite_config_once, sqlite_config);
    struct sqlite_store *s = NULL;
    if (strcmp(path, ":memory:") != 0 &&
        make_parent_dir(path, err, errlen) != 0)
        return NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    s->base.ops = &store_sqlite_ops;
    s->cur = &s->own;
    /* one thread at a time: store.h */
    if (sqlite_conn_open(&s->own, path, SQLITE_OPEN_NOMUTEX, err, errlen) !=
        0) {
        free(s);
        return NULL;
    }
    sqlite_file_attach(s);
    return &s->base;
}

/* The file's writer for a transaction of ss, which holds the gate: opened
 * on first need (FULLMUTEX: it moves between threads), with the file's
 * checkpointer hook; ss's own connection when it cannot be opened. */
static struct sqlite_conn *sqlite_writer(struct sqlite_store *ss)
{
    struct sqlite_conn *w = sqlite_file_writer(ss->file);
    char err[256];
    if (w != NULL)
        return w;
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        abort();
    if (sqlite_conn_open(w, sqlite3_db_filename(ss->own.db, "main"),
                         SQLITE_OPEN_FULLMUTEX, err, sizeof(err)) != 0) {
        log_warn("writing on the pool's connection: %s", err);
        free(w);
        return &ss->own;
    }
    sqlite3_wal_hook(w->db, sqlite_file_wal_hook, ss->file);
    sqlite_file_writer_set(ss->file, w, sqlite_writer_release);
    return w;
}

static int sqlite_exec(struct store *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn_of(db), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        store_fail(db, errc_of(rc), "%s", msg != NULL ? msg : "exec failed");
        sqlite3_free(msg);
        return STORE_ERR;
    }
    return STORE_OK;
}

/* A deferred BEGIN: the read transaction starts at the first read. */
static void sqlite_read_begin(struct store *db)
{
    struct sqlite_store *ss = (struct sqlite_store *)db;
    if (ss->reading || ss->cur != &ss->own ||
        !sqlite3_get_autocommit(ss->own.db))
        return;
    if (sqlite3_exec(ss->own.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        ss->reading = 1;
}

static void sqlite_read_end(struct store *db)
{
    struct sqlite_store *ss = (struct sqlite_store *)db;
    if (!ss->reading)
        return;
    ss->reading = 0;
    if (sqlite3_get_autocommit(ss->own.db))
        return; /* SQLite ended it (an error) */
    if (sqlite3_exec(ss->own.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        log_warn("ending a read snapshot: %s", sqlite3_errmsg(ss->own.db));
        sqlite3_exec(ss->own.db, "ROLLBACK", NULL, NULL, NULL);
    }
}

static int sqlite_begin(struct store *db)
{
    struct sqlite_store *ss = (struct sqlite_store *)db;
    int rc;
    sqlite_read_end(db);
    if (ss->file != NULL) {
        sqlite_file_write_begin(ss->file);
        ss->writing = 1;
        ss->cur = sqlite_writer(ss);
    }
    rc = sqlite_exec(db, "BEGIN IMMEDIATE");
    if (rc != STORE_OK)
        sqlite_write_end(ss);
    return rc;
}

static int sqlite_commit(struct store *db)
{
    int rc = sqlite_exec(db, "COMMIT");
    /* a failed COMMIT may leave the transaction open: the caller's
     * rollback ends it, and the gate with it */
    if (sqlite3_get_autocommit(conn_of(db)))
        sqlite_write_end((struct sqlite_store *)db);
    return rc;
}

static int sqlite_rollback(struct store *db)
{
    int rc = sqlite_exec(db, "ROLLBACK");
    sqlite_write_end((struct sqlite_store *)db);
    return rc;
}

static int sqlite_in_tx(const struct store *db)
{
    struct sqlite_store *ss = (struct sqlite_store *)(uintptr_t)db;
    int in = !sqlite3_get_autocommit(ss->cur->db);
    /* SQLite ends a transaction by itself on some errors (SQLITE_FULL,
     * an I/O error); store_rollback then asks this and calls no rollback,
     * so the gate is let go here.  The store is the caller's own, not a
     * const object (store.h's functions take it const only to read). */
    if (!in) {
        sqlite_write_end(ss);
        ss->reading = 0;
    }
    return in && !ss->reading; /* a read snapshot is no transaction */
}

static struct stmt *sqlite_prepare(struct store *db, const char *sql)
{
    struct sqlite_store *ss = (struct sqlite_store *)db;
    struct sqlite_stmt *s = calloc(1, sizeof(*s));
    uint64_t h = cache_hash(sql);
    if (s == NULL)
        abort();
    s->base.db = db;
    s->cached = cache_take(ss->cur, sql, h);
    if (s->cached != NULL) {
        s->st = s->cached->st;
        return &s->base;
    }
    size_t n = strlen(sql);
    char *q = malloc(n + 1);
    if (q == NULL)
        abort();
    if (store_sql_params(sql, q) < 0) {
        store_stmt_fail(&s->base, STORE_E_OTHER, "bad placeholder in: %s", sql);
        goto out;
    }
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(conn_of(db), q, (int)n + 1, &s->st, &tail);
    if (rc != SQLITE_OK) {
        store_stmt_fail(&s->base, errc_of(rc), "%s in: %s",
                        sqlite3_errmsg(conn_of(db)), sql);
        s->st = NULL;
        goto out;
    }
    /* PostgreSQL refuses several statements in one prepare: so do we,
     * rather than silently ignore all but the first. */
    if (tail != NULL && tail[strspn(tail, " \t\r\n;")] != '\0') {
        sqlite3_stmt *more = NULL;
        sqlite3_prepare_v2(conn_of(db), tail, -1, &more, NULL);
        if (more != NULL) {
            sqlite3_finalize(more);
            store_stmt_fail(&s->base, STORE_E_OTHER,
                            "several statements in one prepare "
                            "(use store_exec): %s",
                            sql);
            goto out;
        }
    }
    if (s->st != NULL)
        s->cached = cache_put(ss->cur, sql, h, s->st);
out:
    free(q);
    return &s->base;
}

static void bind_check(struct stmt *st, int rc, int idx)
{
    if (rc != SQLITE_OK)
        store_stmt_fail(st, errc_of(rc), "cannot bind parameter %d: %s", idx,
                        sqlite3_errstr(rc));
}

static void sqlite_bind_int(struct stmt *st, int idx, int64_t v)
{
    if (stmt_of(st) == NULL)
        return;
    bind_check(st, sqlite3_bind_int64(stmt_of(st), idx, v), idx);
}

static void sqlite_bind_text(struct stmt *st, int idx, const char *s, size_t n)
{
    if (stmt_of(st) == NULL)
        return;
    bind_check(st,
               sqlite3_bind_text64(stmt_of(st), idx, s, n, SQLITE_TRANSIENT,
                                   SQLITE_UTF8),
               idx);
}

static void sqlite_bind_null(struct stmt *st, int idx)
{
    if (stmt_of(st) == NULL)
        return;
    bind_check(st, sqlite3_bind_null(stmt_of(st), idx), idx);
}

static int sqlite_step(struct stmt *st)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)st;
    if (s->st == NULL || s->done)
        return STORE_DONE;
    if (((struct sqlite_store *)st->db)->reading && !sqlite3_stmt_busy(s->st) &&
        !sqlite3_stmt_readonly(s->st))
        sqlite_read_end(st->db); /* a write sees and takes the latest */
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE) {
        s->done = 1;
        return STORE_DONE;
    }
    st->failed = 1;
    return store_fail(st->db, errc_of(rc), "%s",
                      sqlite3_errmsg(sqlite3_db_handle(s->st)));
}

static int sqlite_col_count(struct stmt *st)
{
    return stmt_of(st) != NULL ? sqlite3_data_count(stmt_of(st)) : 0;
}

static int sqlite_col_isnull(struct stmt *st, int idx)
{
    return sqlite3_column_type(stmt_of(st), idx) == SQLITE_NULL;
}

static int64_t sqlite_col_int(struct stmt *st, int idx)
{
    return sqlite3_column_int64(stmt_of(st), idx);
}

static const char *sqlite_col_text(struct stmt *st, int idx)
{
    return (const char *)sqlite3_column_text(stmt_of(st), idx);
}

static int64_t sqlite_changes(struct stmt *st)
{
    return sqlite3_changes64(stmt_of(st) != NULL
                                 ? sqlite3_db_handle(stmt_of(st))
                                 : conn_of(st->db));
}

static void sqlite_reset(struct stmt *st)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)st;
    if (s->st == NULL)
        return;
    sqlite3_reset(s->st);
    s->done = 0;
    st->failed = 0;
}

static void sqlite_finalize(struct stmt *st)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)st;
    if (s->cached != NULL) {
        sqlite3_reset(s->st);
        sqlite3_clear_bindings(s->st);
        s->cached->in_use = 0;
    } else {
        sqlite3_finalize(s->st);
    }
    free(st);
}

static int sqlite_tx_lock(struct store *db, int64_t key)
{
    (void)db;
    (void)key;
    return STORE_OK; /* BEGIN IMMEDIATE already holds the one write lock */
}

static int sqlite_try_session_lock(struct store *db, int64_t key)
{
    (void)db;
    (void)key;
    return 1; /* one process owns the file */
}

static void sqlite_session_unlock(struct store *db, int64_t key)
{
    (void)db;
    (void)key;
}

/* Copies the live database into file through a temporary file beside it,
 * renamed into place only when complete. */
static int sqlite_backup(struct store *db, const char *url, const char *file,
                         char *err, size_t errlen)
{
    int rc = STORE_ERR, src;
    char tmp[4096];
    sqlite3 *dst = NULL;
    sqlite3_backup *bk = NULL;
    (void)url;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", file, (long)getpid()) >=
        (int)sizeof(tmp)) {
        snprintf(err, errlen, "backup path too long");
        goto out;
    }
    unlink(tmp);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", tmp,
                 dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    bk = sqlite3_backup_init(dst, "main", conn_of(db), "main");
    if (bk == NULL) {
        snprintf(err, errlen, "cannot start backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* Copy in slices so writers are held up only briefly. */
    do {
        src = sqlite3_backup_step(bk, 256);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
    sqlite3_backup_finish(bk);
    bk = NULL;
    if (src != SQLITE_DONE) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(src));
        goto out;
    }
    /* The copy keeps WAL mode from the source; make it one plain file. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot finish backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    if (sqlite3_close(dst) != SQLITE_OK) {
        snprintf(err, errlen, "cannot close backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    dst = NULL;
    if (rename(tmp, file) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, file,
                 strerror(errno));
        goto out;
    }
    rc = STORE_OK;
out:
    if (bk != NULL)
        sqlite3_backup_finish(bk);
    if (dst != NULL)
        sqlite3_close_v2(dst);
    if (rc != STORE_OK)
        unlink(tmp);
    return rc;
}

const struct store_ops store_sqlite_ops = {
    .kind = STORE_SQLITE,
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .close = sqlite_close,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_tx = sqlite_in_tx,
    .read_begin = sqlite_read_begin,
    .read_end = sqlite_read_end,
    .prepare = sqlite_prepare,
    .bind_int = sqlite_bind_int,
    .bind_text = sqlite_bind_text,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .col_count = sqlite_col_count,
    .col_isnull = sqlite_col_isnull,
    .col_int = sqlite_col_int,
    .col_text = sqlite_col_text,
    .changes = sqlite_changes,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .tx_lock = sqlite_tx_lock,
    .try_session_lock = sqlite_try_session_lock,
    .session_unlock = sqlite_session_unlock,
    .backup = sqlite_backup,
};
