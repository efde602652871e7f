/*
 * fake_store.h - a database backend for fuzz targets that touches no
 * database: a struct store_ops (store/backend.h) answering from a fixed
 * table in memory, so that parsers which look names up (unit codes,
 * logins, role flags) run as in the server without SQLite or PostgreSQL.
 *
 * A statement is answered by the rows whose `table` ("units", "users",
 * "roles") follows "FROM " in its SQL.  When the statement has a text bound
 * to $1 (a lookup by code or login) only the row with that key answers,
 * else every row of the table does (a listing such as "SELECT code, id FROM
 * units").  Each row is a key and a number: column 0 as text is the key
 * (code, login, or a name looked up by code), every column as an integer is
 * the number (id, or the admin flag of a role).  Other SQL answers no rows;
 * transactions cannot be begun, so no write runs to its end.
 *
 * Include it from one fuzz_*.c only (everything here is static); single
 * threaded, as libFuzzer calls the target.
 */
#ifndef SHUNIU_FUZZ_FAKE_STORE_H
#define SHUNIU_FUZZ_FAKE_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

/* Longest key a lookup is compared on; a longer bound text matches
 * nothing (no row key is that long). */
#define FAKE_KEY_MAX 256

struct fake_row {
    const char *table;
    const char *key;
    int64_t num;
};

/* What the demo office would hold, enough for every lookup to be both
 * found and not found. */
static const struct fake_row fake_rows[] = {
    {"units", "gov", 1},        {"units", "office", 2},
    {"units", "msk", 3},        {"units", "dck", 4},
    {"units", "jtj", 5},        {"units", "qsq", 6},
    {"users", "admin", 1},      {"users", "shizhang", 2},
    {"users", "msk1", 3},       {"users", "dck1", 4},
    {"users", "jtj_ld", 5},     {"users", "jtj_cb", 6},
    {"roles", "sysadmin", 1},   {"roles", "secadmin", 1},
    {"roles", "auditor", 1},    {"roles", "leader", 0},
    {"roles", "clerk", 0},      {"roles", "staff", 0},
    {"roles", "supervisor", 0}, {NULL, NULL, 0},
};

struct fake_store {
    struct store base; /* first, as backend.h requires */
};

struct fake_stmt {
    struct stmt base; /* first, as backend.h requires */
    char table[16];   /* "" when the SQL reads none of fake_rows' tables */
    char key[FAKE_KEY_MAX + 1];
    int keyed; /* a text is bound to $1 */
    int next;  /* the fake_rows index to look at next */
    int row;   /* the row answered by the last step, -1 none */
};

static void fake_close(struct store *db)
{
    free(db);
}

static int fake_exec(struct store *db, const char *sql)
{
    return store_fail(db, STORE_E_OTHER, "fake store runs no SQL: %.40s", sql);
}

static int fake_begin(struct store *db)
{
    return store_fail(db, STORE_E_OTHER, "fake store has no transactions");
}

static int fake_no_tx(const struct store *db)
{
    (void)db;
    return 0;
}

static int fake_rollback(struct store *db)
{
    (void)db;
    return STORE_OK;
}

/* The table the SQL reads ("FROM units ..."), "" when another. */
static void fake_table_of(const char *sql, char *out, size_t outlen)
{
    const char *from = strstr(sql, "FROM ");
    size_t n = 0;
    out[0] = '\0';
    if (from == NULL)
        return;
    from += strlen("FROM ");
    while (from[n] >= 'a' && from[n] <= 'z' && n + 1 < outlen)
        n++;
    memcpy(out, from, n);
    out[n] = '\0';
}

static struct stmt *fake_prepare(struct store *db, const char *sql)
{
    struct fake_stmt *st = calloc(1, sizeof(*st));
    if (st == NULL)
        abort();
    st->base.db = db;
    st->row = -1;
    fake_table_of(sql, st->table, sizeof(st->table));
    return &st->base;
}

static void fake_bind_int(struct stmt *st, int idx, int64_t v)
{
    (void)st;
    (void)idx;
    (void)v;
}

static void fake_bind_text(struct stmt *st, int idx, const char *s, size_t n)
{
    struct fake_stmt *f = (struct fake_stmt *)st;
    if (idx != 1)
        return;
    f->keyed = 1;
    /* a key too long for the buffer, or holding a NUL, equals no row key:
     * "\x01" stands for it (no row key holds that byte) */
    if (n > FAKE_KEY_MAX || memchr(s, '\0', n) != NULL) {
        memcpy(f->key, "\x01", 2);
        return;
    }
    memcpy(f->key, s, n);
    f->key[n] = '\0';
}

static void fake_bind_null(struct stmt *st, int idx)
{
    (void)st;
    (void)idx;
}

static int fake_step(struct stmt *st)
{
    struct fake_stmt *f = (struct fake_stmt *)st;
    for (; fake_rows[f->next].table != NULL; f->next++) {
        const struct fake_row *r = &fake_rows[f->next];
        if (strcmp(r->table, f->table) != 0)
            continue;
        if (f->keyed && strcmp(r->key, f->key) != 0)
            continue;
        f->row = f->next++;
        return STORE_ROW;
    }
    f->row = -1;
    return STORE_DONE;
}

static int fake_col_count(struct stmt *st)
{
    return ((struct fake_stmt *)st)->row >= 0 ? 2 : 0;
}

static int fake_col_isnull(struct stmt *st, int idx)
{
    (void)idx;
    return ((struct fake_stmt *)st)->row < 0;
}

static int64_t fake_col_int(struct stmt *st, int idx)
{
    (void)idx;
    return fake_rows[((struct fake_stmt *)st)->row].num;
}

static const char *fake_col_text(struct stmt *st, int idx)
{
    (void)idx;
    return fake_rows[((struct fake_stmt *)st)->row].key;
}

static int64_t fake_changes(struct stmt *st)
{
    (void)st;
    return 0;
}

static void fake_reset(struct stmt *st)
{
    struct fake_stmt *f = (struct fake_stmt *)st;
    f->next = 0;
    f->row = -1;
}

static void fake_finalize(struct stmt *st)
{
    free(st);
}

static int fake_tx_lock(struct store *db, int64_t key)
{
    (void)key;
    return store_fail(db, STORE_E_OTHER, "fake store has no locks");
}

static int fake_try_session_lock(struct store *db, int64_t key)
{
    (void)db;
    (void)key;
    return 0;
}

static void fake_session_unlock(struct store *db, int64_t key)
{
    (void)db;
    (void)key;
}

static int fake_backup(struct store *db, const char *url, const char *file,
                       char *err, size_t errlen)
{
    (void)db;
    (void)url;
    (void)file;
    snprintf(err, errlen, "fake store has no backup");
    return -1;
}

#define FAKE_OPS(KIND, NAME)                                                   \
    {                                                                          \
        .kind = KIND, .name = NAME, .id_type = "INTEGER", .close = fake_close, \
        .exec = fake_exec, .begin = fake_begin, .commit = fake_begin,          \
        .rollback = fake_rollback, .in_tx = fake_no_tx,                        \
        .prepare = fake_prepare, .bind_int = fake_bind_int,                    \
        .bind_text = fake_bind_text, .bind_null = fake_bind_null,              \
        .step = fake_step, .col_count = fake_col_count,                        \
        .col_isnull = fake_col_isnull, .col_int = fake_col_int,                \
        .col_text = fake_col_text, .changes = fake_changes,                    \
        .reset = fake_reset, .finalize = fake_finalize,                        \
        .tx_lock = fake_tx_lock, .try_session_lock = fake_try_session_lock,    \
        .session_unlock = fake_session_unlock, .backup = fake_backup,          \
    }

static const struct store_ops fake_ops_sqlite =
    FAKE_OPS(STORE_SQLITE, "sqlite");
static const struct store_ops fake_ops_pg = FAKE_OPS(STORE_PG, "postgresql");

/* A fake connection that says it is SQLite (pg 0) or PostgreSQL (pg 1),
 * which changes the SQL some callers build.  Close with store_close(). */
static struct store *fake_store_open(int pg)
{
    struct fake_store *db = calloc(1, sizeof(*db));
    if (db == NULL)
        abort();
    db->base.ops = pg ? &fake_ops_pg : &fake_ops_sqlite;
    return &db->base;
}

#endif
