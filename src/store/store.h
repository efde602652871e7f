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
 *     st = store_prepare(db, SQL);          (never NULL; errors surface at step)
 *     store_bind_int(st, 1, id); ...        (1-based, like sqlite3_bind_*)
 *     while ((rc = store_step(st)) == STORE_ROW)
 *         store_col_text(st, 0) ...         (0-based; text valid until next step)
 *     store_finalize(st);                   (always; rc is STORE_DONE or STORE_ERR)
 *
 * Transactions: store_begin() (SQLite: BEGIN IMMEDIATE, so the writer lock
 * is taken up front and a transition never fails half-way on a busy lock),
 * store_commit(), store_rollback().  They do not nest.
 *
 * A struct store is one connection and is used by one thread at a time.
 * struct store_pool hands connections to request threads.
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

enum store_kind store_kind(const struct store *db);
/* "sqlite" or "postgresql". */
const char *store_kind_name(const struct store *db);

/* The message and class of the last failure on this connection. */
const char *store_errmsg(const struct store *db);
enum store_errc store_errcode(const struct store *db);

int store_begin(struct store *db);
int store_commit(struct store *db);
int store_rollback(struct store *db);
/* 1 while a transaction is open. */
int store_in_tx(const struct store *db);

/* Runs SQL without parameters or results; may hold several statements
 * separated by ';' (used by migrations).  STORE_OK or STORE_ERR. */
int store_exec(struct store *db, const char *sql);

struct stmt *store_prepare(struct store *db, const char *sql);
/* Binding; idx is 1-based.  Text is copied. */
void store_bind_int(struct stmt *st, int idx, int64_t v);
void store_bind_text(struct stmt *st, int idx, const char *s); /* NULL binds NULL */
void store_bind_textn(struct stmt *st, int idx, const char *s, size_t n);
void store_bind_null(struct stmt *st, int idx);
/* STORE_ROW, STORE_DONE or STORE_ERR. */
int store_step(struct stmt *st);
/* Columns of the current row; idx is 0-based. */
int store_col_count(struct stmt *st);
int store_col_isnull(struct stmt *st, int idx);
int64_t store_col_int(struct stmt *st, int idx);
/* "" for NULL; valid until the next step or finalize. */
const char *store_col_text(struct stmt *st, int idx);
/* Rows changed by the last INSERT/UPDATE/DELETE statement. */
int64_t store_changes(struct stmt *st);
/* Releases the statement; returns STORE_OK, or STORE_ERR if it failed. */
int store_finalize(struct stmt *st);
/* Rewinds a statement so that it can be bound and stepped again. */
void store_reset(struct stmt *st);

/* Convenience: runs sql with n bound text/int params given as a format
 * string ("iti": int64, text, int64 ...) and returns the first column of the
 * first row as an integer in *out (0 rows: returns STORE_DONE). */
int store_query_int(struct store *db, const char *sql, int64_t *out,
                    const char *types, ...);
/* Same, for statements without a result: STORE_OK or STORE_ERR. */
int store_run(struct store *db, const char *sql, const char *types, ...);

/* Serialises writers on a named resource until the transaction ends
 * (numbering, the audit chain).  SQLite: nothing to do, BEGIN IMMEDIATE
 * already holds the one write lock.  PostgreSQL: pg_advisory_xact_lock(key).
 * Call inside store_begin()/commit. */
int store_tx_lock(struct store *db, int64_t key);
/* Tries a lock held by this connection until released or closed (jobs that
 * must run on one node only); 1 taken, 0 held elsewhere, STORE_ERR.
 * SQLite: always 1 (one process owns the file). */
int store_try_session_lock(struct store *db, int64_t key);
void store_session_unlock(struct store *db, int64_t key);

/* One schema change.  The SQL may hold several statements separated by ';'
 * and these words, replaced per backend:
 *     {{ID}}    an auto-numbered primary key column type
 *               (SQLite "INTEGER PRIMARY KEY", PostgreSQL "BIGSERIAL PRIMARY KEY")
 * Lists end with an entry whose version is 0. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

/* Applies the migrations of list not yet applied, in order, each in its own
 * transaction, recording them in table schema_migrations; STORE_OK or
 * STORE_ERR with a message in err. */
int store_migrate(struct store *db, const struct store_migration *list,
                  char *err, size_t errlen);
/* The highest migration applied (0 for an empty database). */
int store_schema_version(struct store *db);

/* A pool of connections, all to the same URL, for request threads.
 * store_pool_get() blocks until one is free. */
struct store_pool *store_pool_open(const char *url, int size, char *err,
                                   size_t errlen);
struct store *store_pool_get(struct store_pool *p);
void store_pool_put(struct store_pool *p, struct store *db);
void store_pool_close(struct store_pool *p);
enum store_kind store_pool_kind(const struct store_pool *p);

/* Copies the database to a file.  SQLite: online backup API into a new
 * SQLite file.  PostgreSQL: runs pg_dump (custom format).  STORE_OK/ERR. */
int store_backup(struct store *db, const char *url, const char *file,
                 char *err, size_t errlen);

#endif
