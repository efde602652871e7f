/*
 * backend.h - what store.c expects of a database backend (private to
 * src/store/; kernel and modules include store.h only).
 *
 * A backend is one table of function pointers, struct store_ops, the way
 * SQLite's VFS hides Unix and Windows.  Each backend embeds struct store as
 * the first member of its connection struct and struct stmt as the first
 * member of its statement struct, and casts back.  store.c does everything
 * that does not depend on the engine: argument checks, error bookkeeping,
 * the varargs helpers, migrations and the pool.
 *
 * Errors: a backend records every failure with store_fail(); the message and
 * class stay until the next failure (store_errmsg() is "the last failure",
 * so a rollback after a failed step does not hide why the step failed).
 * A statement that failed once stays failed (st->failed) until reset, and
 * store_finalize() reports it.
 */
#ifndef SHUNIU_STORE_BACKEND_H
#define SHUNIU_STORE_BACKEND_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_ERRMSG_MAX 512

struct store_ops {
    enum store_kind kind;
    const char *name;    /* "sqlite", "postgresql" */
    const char *id_type; /* what {{ID}} becomes in migrations */

    void (*close)(struct store *db);
    int (*exec)(struct store *db, const char *sql);
    int (*begin)(struct store *db);
    int (*commit)(struct store *db);
    int (*rollback)(struct store *db);
    int (*in_tx)(const struct store *db);
    void (*read_begin)(struct store *db); /* NULL: no read snapshots */
    void (*read_end)(struct store *db);

    /* Never NULL: a statement that failed to prepare has st->failed set. */
    struct stmt *(*prepare)(struct store *db, const char *sql);
    void (*bind_int)(struct stmt *st, int idx, int64_t v);
    void (*bind_text)(struct stmt *st, int idx, const char *s, size_t n);
    void (*bind_null)(struct stmt *st, int idx);
    int (*step)(struct stmt *st);
    int (*col_count)(struct stmt *st);
    int (*col_isnull)(struct stmt *st, int idx);
    int64_t (*col_int)(struct stmt *st, int idx);
    const char *(*col_text)(struct stmt *st, int idx);
    int64_t (*changes)(struct stmt *st);
    void (*reset)(struct stmt *st);
    void (*finalize)(struct stmt *st); /* frees st */

    int (*tx_lock)(struct store *db, int64_t key);
    int (*try_session_lock)(struct store *db, int64_t key);
    void (*session_unlock)(struct store *db, int64_t key);
    int (*backup)(struct store *db, const char *url, const char *file,
                  char *err, size_t errlen);
};

struct store {
    const struct store_ops *ops;
    enum store_errc errc;
    char errmsg[STORE_ERRMSG_MAX];
};

struct stmt {
    struct store *db;
    int failed; /* a prepare, bind or step failed */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Backend constructors; NULL with a message in err on failure. */
struct store *store_sqlite_open(const char *path, char *err, size_t errlen);
struct store *store_pg_open(const char *url, char *err, size_t errlen);

/* Records a failure on db (and logs unexpected ones); returns STORE_ERR. */
int store_fail(struct store *db, enum store_errc c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Marks st failed and records the failure on its connection. */
int store_stmt_fail(struct stmt *st, enum store_errc c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Scans SQL written with $N placeholders, skipping string literals ('...'
 * with '' escapes, E'...' with backslash escapes), quoted identifiers,
 * dollar-quoted strings ($tag$...$tag$) and comments.  Returns the highest
 * N found (0 when none), or -1 for N beyond 32766.  When rewrite is not
 * NULL it must have room for strlen(sql) + 1 bytes and receives the SQL with
 * each placeholder's '$' replaced by '?' (same length). */
int store_sql_params(const char *sql, char *rewrite);

/* 1 when url names a PostgreSQL database (postgres:// or postgresql://). */
int store_url_is_pg(const char *url);

#endif
