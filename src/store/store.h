/*
 * store.h - the one small interface between shuniu and its database.
 *
 * Two backends hide behind it: SQLite (sqlite.c; WAL, busy timeout, one file)
 * and PostgreSQL (pg.c; libpq).  Kernel and module code never knows which one
 * runs.  SQL is written once, in the PostgreSQL placeholder style ($1, $2 ...),
 * as `static const char` constants beside the code that owns it; values are
 * always bound, never formatted into the text.  The SQLite backend rewrites
 * $N to ?N.  Write SQL both engines accept: INTEGER/BIGINT/TEXT columns,
 * times as BIGINT milliseconds UTC, booleans as 0/1 integers,
 * INSERT ... RETURNING, ON CONFLICT ... DO ..., LIMIT/OFFSET.
 *
 * Life of a statement:
 *     st = store_prepare(db, SQL);          (never NULL; errors surface at
 * step) store_bind_int(st, 1, id); ...        (1-based, like sqlite3_bind_*)
 *     while ((rc = store_step(st)) == STORE_ROW)
 *         store_col_text(st, 0) ...         (0-based; text valid until next
 * step) store_finalize(st);                   (always; rc is STORE_DONE or
 * STORE_ERR)
 *
 * Transactions: store_begin() (SQLite: BEGIN IMMEDIATE, so the writer lock
 * is taken up front and a transition never fails half-way on a busy lock),
 * store_commit(), store_rollback().  They do not nest.
 *
 * A struct store is one connection and is used by one thread at a time.
 * struct store_pool hands connections to request threads.
 *
 * Types on PostgreSQL: integers are bound as int8 (BIGINT); text and NULL
 * are left for the server to infer from context.  So a function taking
 * INTEGER needs CAST($1 AS INTEGER) (substr, left, repeat ...), and a
 * parameter with no context at all (SELECT $1 IS NULL) needs a CAST too;
 * SQLite accepts the same casts.  Booleans read with store_col_int give 0/1.
 *
 * Errors: store_errmsg()/store_errcode() describe the last *failure* and
 * are not cleared by later successes, so they can be read after the
 * rollback that follows a failed step.  Every failure that is not a
 * constraint or busy answer is also logged as a warning.
 */
#ifndef SHUNIU_STORE_H
#define SHUNIU_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct stmt;
struct store_pool;

enum store_kind { STORE_SQLITE, STORE_PG };

enum {
    STORE_OK = 0,
    STORE_ROW = 100,
    STORE_DONE = 101,
    STORE_ERR = -1,
};

/* Why the last call failed (store_errcode). */
enum store_errc {
    STORE_E_NONE = 0,
    STORE_E_CONSTRAINT, /* unique / foreign key / check violated */
    STORE_E_BUSY,       /* lock or serialization failure: retry may help */
    STORE_E_OTHER,
};

/* Opens a connection.  url: "sqlite:PATH", a bare PATH, or
 * "postgresql://..." / "postgres://...".  For SQLite the parent directory
 * is created.  On failure returns NULL and writes a message into err. */
struct store *store_open(const char *url, char *err, size_t errlen);
void store_close(struct store *db);
/* SQLite: the page cache of each connection opened after this, KiB (at
 * least 256; 8 MiB until set).  `serve` divides its budget among the pool. */
void store_sqlite_cache(int kib);

enum store_kind store_kind(const struct store *db);
/* "sqlite" or "postgresql". */
const char *store_kind_name(const struct store *db);

/* The message and class of the last failure on this connection. */
const char *store_errmsg(const struct store *db);
enum store_errc store_errcode(const struct store *db);

/* STORE_OK or STORE_ERR.  store_begin fails when a transaction is already
 * open; store_commit fails when none is, and on PostgreSQL also when a
 * statement inside it failed (the server then rolled it back).
 * store_rollback with nothing open does nothing and returns STORE_OK, so it
 * is safe on every `out:` path.  Closing a connection rolls back. */
int store_begin(struct store *db);
int store_commit(struct store *db);
int store_rollback(struct store *db);
/* 1 while a transaction is open. */
int store_in_tx(const struct store *db);

/* A read snapshot over the statements that follow, until store_read_end:
 * on SQLite one read transaction, so every read sees the same state of
 * the database and the locks on the write-ahead log's index are taken
 * once instead of once per statement (a list page ran nine statements:
 * eighteen fcntl calls, each a costly system call on these machines).
 * The dispatcher opens one for every request.  A write ends it first,
 * by itself: store_begin, store_exec, a statement that writes outside a
 * transaction; what follows the write reads the database as it is now.
 * It is not a transaction: store_in_tx stays 0 (so memos keep working)
 * and there is nothing to roll back.  Begin does nothing inside a
 * transaction or snapshot, and on PostgreSQL; end does nothing when none
 * is open. */
void store_read_begin(struct store *db);
void store_read_end(struct store *db);

/* Runs SQL without parameters or results; may hold several statements
 * separated by ';' (used by migrations).  STORE_OK or STORE_ERR. */
int store_exec(struct store *db, const char *sql);

/* Never NULL (out of memory aborts); a statement that does not prepare
 * fails at store_step.  The SQL is copied.  On PostgreSQL the whole result
 * is fetched at the first step, so other statements may run on the same
 * connection while rows are read (as on SQLite); page big reads with
 * LIMIT. */
struct stmt *store_prepare(struct store *db, const char *sql);
/* Binding; idx is 1-based.  Text is copied.  A bad idx makes the step
 * fail. */
void store_bind_int(struct stmt *st, int idx, int64_t v);
/* s NULL binds NULL (also for store_bind_textn). */
void store_bind_text(struct stmt *st, int idx, const char *s);
void store_bind_textn(struct stmt *st, int idx, const char *s, size_t n);
void store_bind_null(struct stmt *st, int idx);
/* STORE_ROW, STORE_DONE or STORE_ERR.  After DONE or ERR, further steps
 * return the same until store_reset. */
int store_step(struct stmt *st);
/* Columns of the current row; idx is 0-based.  Without a current row, or
 * with idx out of range: count 0, isnull 1, int 0, text "". */
int store_col_count(struct stmt *st);
int store_col_isnull(struct stmt *st, int idx);
int64_t store_col_int(struct stmt *st, int idx);
/* "" for NULL; valid until the next step or finalize. */
const char *store_col_text(struct stmt *st, int idx);
/* Rows changed by the last INSERT/UPDATE/DELETE statement. */
int64_t store_changes(struct stmt *st);
/* Releases the statement (NULL ok); returns STORE_OK, or STORE_ERR if its
 * prepare, a bind or a step since the last reset failed. */
int store_finalize(struct stmt *st);
/* Rewinds a statement so that it can be bound and stepped again; bound
 * values stay until bound anew.  Clears a step failure, not a failure to
 * prepare. */
void store_reset(struct stmt *st);

/* Convenience: runs sql with n bound text/int params given as a format
 * string ("iti": int64, text, int64 ...) and returns the first column of the
 * first row as an integer in *out (0 rows: returns STORE_DONE). */
/* Details: 'i' reads an int64_t -- cast literals, (int64_t)5, since a plain
 * int passed through "..." is undefined behaviour; 't' reads a const char *
 * (NULL binds NULL); 'n' binds NULL and reads nothing.  store_query_int
 * returns STORE_ROW when a row was read, STORE_DONE for none (*out = 0),
 * STORE_ERR on failure (*out = 0). */
int store_query_int(struct store *db, const char *sql, int64_t *out,
                    const char *types, ...);
/* Same, for statements without a result: STORE_OK or STORE_ERR. */
int store_run(struct store *db, const char *sql, const char *types, ...);

/* Serialises writers on a named resource until the transaction ends
 * (numbering, the audit chain).  SQLite: nothing to do, BEGIN IMMEDIATE
 * already holds the one write lock.  PostgreSQL: pg_advisory_xact_lock(key).
 * Call inside store_begin()/commit; STORE_OK, or STORE_ERR (also when no
 * transaction is open). */
int store_tx_lock(struct store *db, int64_t key);
/* Tries a lock held by this connection until released or closed (jobs that
 * must run on one node only); 1 taken, 0 held elsewhere, STORE_ERR.
 * SQLite: always 1 (one process owns the file). */
int store_try_session_lock(struct store *db, int64_t key);
void store_session_unlock(struct store *db, int64_t key);

/* One schema change.  The SQL may hold several statements separated by ';'
 * and these words, replaced per backend:
 *     {{ID}}    an auto-numbered primary key column type
 *               (SQLite "INTEGER PRIMARY KEY AUTOINCREMENT",
 *               PostgreSQL "BIGSERIAL PRIMARY KEY"): ids are never reused
 * sql runs on both engines unless sql_pg is set: then sql runs on SQLite
 * only and sql_pg on PostgreSQL (for what exists on one engine alone, such
 * as FTS5 tables; {{ID}} works in both).  Entries written {v, name, sql}
 * leave sql_pg NULL.
 * Lists end with an entry whose version is 0. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
    const char *sql_pg; /* NULL: sql on both engines */
};

/* Applies the migrations of list not yet applied, in order, each in its own
 * transaction, recording them in table schema_migrations; STORE_OK or
 * STORE_ERR with a message in err. */
int store_migrate(struct store *db, const struct store_migration *list,
                  char *err, size_t errlen);
/* The highest migration applied (0 for an empty database). */
int store_schema_version(struct store *db);

/* A pool of connections, all to the same URL, for request threads; all
 * are opened by store_pool_open (NULL with a message in err if any fails).
 * store_pool_get() blocks until one is free; store_pool_put() hands it
 * back (rolling back a transaction left open).  store_pool_close() closes
 * them all: every connection must have been put back. */
struct store_pool *store_pool_open(const char *url, int size, char *err,
                                   size_t errlen);
struct store *store_pool_get(struct store_pool *p);
void store_pool_put(struct store_pool *p, struct store *db);
void store_pool_close(struct store_pool *p);
enum store_kind store_pool_kind(const struct store_pool *p);

/* Copies the database to a file.  SQLite: online backup API into a
 * temporary file beside it, renamed over file when complete (journal mode
 * DELETE, openable alone).  PostgreSQL: runs pg_dump -Fc -w (the server's
 * major version from /usr/lib/postgresql/N/bin, else the one on PATH) on
 * url, or on the connection's own url when url is NULL; pg_dump's messages
 * go to stderr.  STORE_OK/ERR with a message in err. */
int store_backup(struct store *db, const char *url, const char *file, char *err,
                 size_t errlen);

/* Test support, PostgreSQL only: creates (UTF8, from template0) or drops
 * (WITH (FORCE), IF EXISTS) the database name on the server of admin_url,
 * so that each test run gets a fresh database.  name must be 1-63 of
 * [a-z0-9_].  STORE_OK, or STORE_ERR with a message in err. */
int store_create_database(const char *admin_url, const char *name, char *err,
                          size_t errlen);
int store_drop_database(const char *admin_url, const char *name, char *err,
                        size_t errlen);
/* Writes into out the PostgreSQL url with its database replaced by name
 * (user, host, port and ?options kept).  STORE_OK, or STORE_ERR when url is
 * not postgres(ql)://, name is not [a-z0-9_], or out is too small. */
int store_url_with_db(const char *url, const char *name, char *out,
                      size_t outlen);

#endif
