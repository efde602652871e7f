/*
 * test_store.c - unit tests of the store (src/store/): the same table of
 * tests runs against SQLite (a temporary directory, one file per test) and,
 * when SHUNIU_TEST_PG_URL (or SHUNIU_TEST_PG_ADMIN, as scripts/test.sh
 * sets it) holds an admin url (scripts/pg-test.sh start),
 * against PostgreSQL (one fresh database per test, dropped afterwards).
 * Without that variable the PostgreSQL group is skipped here; the API suite
 * covers it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "store/backend.h"
#include "store/store.h"

#define MAX_DBS 64

struct fixture {
    enum store_kind kind;
    char dir[256];       /* SQLite: temporary directory */
    char admin_url[512]; /* PostgreSQL: server to create databases on */
    int ndbs;
    char dbs[MAX_DBS][64];
};

static const struct store_migration test_schema[] = {
    {1, "items",
     "CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, n BIGINT, "
     "note TEXT)"},
    {2, "children",
     "CREATE TABLE children (id {{ID}}, "
     "item_id BIGINT NOT NULL REFERENCES items(id), label TEXT);"
     "CREATE INDEX children_item ON children (item_id)"},
    {0, NULL, NULL},
};

/* A new empty database for one test; its url is written into url. */
static void fresh_url(struct fixture *fx, const char *tag, char *url,
                      size_t len)
{
    char err[512];
    if (fx->kind == STORE_SQLITE) {
        snprintf(url, len, "sqlite:%s/%s/test.db", fx->dir, tag);
        return;
    }
    assert_true(fx->ndbs < MAX_DBS);
    char *name = fx->dbs[fx->ndbs++];
    snprintf(name, 64, "shuniu_t%ld_%s", (long)getpid(), tag);
    store_drop_database(fx->admin_url, name, err, sizeof(err));
    if (store_create_database(fx->admin_url, name, err, sizeof(err)) !=
        STORE_OK)
        fail_msg("create database %s: %s", name, err);
    assert_int_equal(store_url_with_db(fx->admin_url, name, url, len),
                     STORE_OK);
}

/* A fresh database with test_schema applied. */
static struct store *fresh_db(void **state, const char *tag)
{
    char url[600], err[512];
    fresh_url(*state, tag, url, sizeof(url));
    struct store *db = store_open(url, err, sizeof(err));
    if (db == NULL)
        fail_msg("open %s: %s", url, err);
    if (store_migrate(db, test_schema, err, sizeof(err)) != STORE_OK)
        fail_msg("migrate: %s", err);
    return db;
}

static int64_t count_rows(struct store *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(db, sql, &n, ""), STORE_ROW);
    return n;
}

static int64_t add_item(struct store *db, const char *name, int64_t n)
{
    int64_t id = 0;
    static const char sql[] =
        "INSERT INTO items (name, n) VALUES ($1, $2) RETURNING id";
    assert_int_equal(store_query_int(db, sql, &id, "ti", name, n), STORE_ROW);
    return id;
}

/* ---- tests ----------------------------------------------------------- */

static void test_migrate(void **state)
{
    char url[600], err[512];
    static const struct store_migration bad[] = {
        {1, "items", "CREATE TABLE items (id {{ID}}, name TEXT)"},
        {2, "half", "CREATE TABLE half (id {{ID}}); SELECT * FROM nosuch"},
        {0, NULL, NULL},
    };
    static const struct store_migration unordered[] = {
        {2, "b", "SELECT 1"}, {1, "a", "SELECT 1"}, {0, NULL, NULL}};
    fresh_url(*state, "migrate", url, sizeof(url));
    struct store *db = store_open(url, err, sizeof(err));
    assert_non_null(db);
    assert_int_equal(store_schema_version(db), 0);
    assert_int_equal(store_migrate(db, test_schema, err, sizeof(err)),
                     STORE_OK);
    assert_int_equal(store_schema_version(db), 2);
    /* Again: nothing to do. */
    assert_int_equal(store_migrate(db, test_schema, err, sizeof(err)),
                     STORE_OK);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM schema_migrations"),
                     2);
    /* {{ID}} numbers rows by itself. */
    int64_t a = add_item(db, "a", 1), b = add_item(db, "b", 2);
    assert_true(a > 0 && b > a);
    store_close(db);

    /* A failing migration leaves nothing of itself behind. */
    fresh_url(*state, "migratebad", url, sizeof(url));
    db = store_open(url, err, sizeof(err));
    assert_non_null(db);
    assert_int_equal(store_migrate(db, bad, err, sizeof(err)), STORE_ERR);
    assert_non_null(strstr(err, "migration 2"));
    assert_int_equal(store_schema_version(db), 1);
    assert_false(store_in_tx(db));
    struct stmt *st = store_prepare(db, "SELECT count(*) FROM half");
    assert_int_equal(store_step(st), STORE_ERR);
    assert_int_equal(store_finalize(st), STORE_ERR);
    assert_int_equal(store_migrate(db, unordered, err, sizeof(err)), STORE_ERR);
    store_close(db);
}

struct item_row {
    const char *name;
    int64_t n;
    const char *note; /* NULL stays NULL */
};

static void test_bind_step(void **state)
{
    static const struct item_row rows[] = {
        {"plain", 1, "a note"},
        {"negative", -42, NULL},
        {"big", INT64_C(9007199254740993), ""},
        {"min", INT64_MIN, "x"},
        {"quote's \"both\"", 0, "it's $1 and ?1"},
    };
    static const char ins[] =
        "INSERT INTO items (name, n, note) VALUES ($1, $2, $3) RETURNING id";
    static const char sel[] =
        "SELECT id, name, n, note FROM items WHERE name = $1";
    struct store *db = fresh_db(state, "bind");
    size_t nrows = sizeof(rows) / sizeof(rows[0]);
    for (size_t i = 0; i < nrows; i++) {
        struct stmt *st = store_prepare(db, ins);
        store_bind_text(st, 1, rows[i].name);
        store_bind_int(st, 2, rows[i].n);
        store_bind_text(st, 3, rows[i].note);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_true(store_col_int(st, 0) > 0);
        assert_int_equal(store_step(st), STORE_DONE);
        assert_int_equal(store_finalize(st), STORE_OK);
    }
    for (size_t i = 0; i < nrows; i++) {
        struct stmt *st = store_prepare(db, sel);
        store_bind_text(st, 1, rows[i].name);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_int_equal(store_col_count(st), 4);
        assert_string_equal(store_col_text(st, 1), rows[i].name);
        assert_true(store_col_int(st, 2) == rows[i].n);
        assert_int_equal(store_col_isnull(st, 3), rows[i].note == NULL);
        assert_string_equal(store_col_text(st, 3),
                            rows[i].note != NULL ? rows[i].note : "");
        assert_false(store_col_isnull(st, 0));
        /* Out of range columns are harmless. */
        assert_string_equal(store_col_text(st, 9), "");
        assert_int_equal(store_col_int(st, -1), 0);
        assert_int_equal(store_step(st), STORE_DONE);
        assert_int_equal(store_finalize(st), STORE_OK);
    }
    /* Iterating several rows, and an empty result. */
    struct stmt *st = store_prepare(db, "SELECT name FROM items ORDER BY id");
    size_t seen = 0;
    while (store_step(st) == STORE_ROW) {
        assert_string_equal(store_col_text(st, 0), rows[seen].name);
        seen++;
    }
    assert_int_equal(seen, nrows);
    assert_int_equal(store_finalize(st), STORE_OK);
    st = store_prepare(db, "SELECT name FROM items WHERE n = $1");
    store_bind_int(st, 1, 12345);
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_col_count(st), 0);
    assert_int_equal(store_finalize(st), STORE_OK);
    /* NULL through every path. */
    st = store_prepare(db, "SELECT $1, $2, $3");
    store_bind_null(st, 1);
    store_bind_text(st, 2, NULL);
    store_bind_textn(st, 3, NULL, 0);
    assert_int_equal(store_step(st), STORE_ROW);
    for (int i = 0; i < 3; i++) {
        assert_true(store_col_isnull(st, i));
        assert_string_equal(store_col_text(st, i), "");
    }
    assert_int_equal(store_finalize(st), STORE_OK);
    store_close(db);
}

static void test_chinese(void **state)
{
    static const struct {
        const char *text;
        int64_t chars;
    } rows[] = {
        {"办公室督查", 5},
        {"辦公室督查", 5},
        {"信访件：关于某街道噪音扰民问题的反映（第2号）", 23},
        {"督", 1},
        {"𠀀 CJK 扩展B", 9},
        {"mixed 中文 and 日本語", 16},
    };
    struct store *db = fresh_db(state, "chinese");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t id = add_item(db, rows[i].text, (int64_t)i);
        struct stmt *st = store_prepare(
            db, "SELECT name, length(name) FROM items WHERE id = $1");
        store_bind_int(st, 1, id);
        assert_int_equal(store_step(st), STORE_ROW);
        assert_string_equal(store_col_text(st, 0), rows[i].text);
        assert_int_equal(store_col_int(st, 1), rows[i].chars);
        assert_int_equal(store_finalize(st), STORE_OK);
    }
    /* textn binds a prefix: the first two characters, 6 bytes. */
    struct stmt *st = store_prepare(db, "SELECT $1");
    store_bind_textn(st, 1, "督查工作", 6);
    assert_int_equal(store_step(st), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "督查");
    assert_int_equal(store_finalize(st), STORE_OK);
    /* LIKE on Chinese text. */
    int64_t n = 0;
    assert_int_equal(store_query_int(db,
                                     "SELECT count(*) FROM items "
                                     "WHERE name LIKE $1",
                                     &n, "t", "%督查%"),
                     STORE_ROW);
    assert_int_equal(n, 2);
    store_close(db);
}

static void test_transactions(void **state)
{
    struct store *db = fresh_db(state, "tx");
    static const char count[] = "SELECT count(*) FROM items";
    assert_false(store_in_tx(db));
    assert_int_equal(store_begin(db), STORE_OK);
    assert_true(store_in_tx(db));
    assert_int_equal(store_begin(db), STORE_ERR); /* no nesting */
    add_item(db, "rolled back", 1);
    assert_int_equal(count_rows(db, count), 1);
    assert_int_equal(store_rollback(db), STORE_OK);
    assert_false(store_in_tx(db));
    assert_int_equal(count_rows(db, count), 0);

    assert_int_equal(store_begin(db), STORE_OK);
    add_item(db, "kept", 1);
    assert_int_equal(store_tx_lock(db, 42), STORE_OK);
    assert_int_equal(store_commit(db), STORE_OK);
    assert_false(store_in_tx(db));
    assert_int_equal(count_rows(db, count), 1);

    /* Nothing open: commit refuses, rollback is a harmless no-op. */
    assert_int_equal(store_commit(db), STORE_ERR);
    assert_int_equal(store_rollback(db), STORE_OK);
    assert_int_equal(store_tx_lock(db, 42), STORE_ERR);

    /* A failed statement inside a transaction; the rollback keeps why. */
    assert_int_equal(store_begin(db), STORE_OK);
    assert_int_equal(
        store_run(db, "INSERT INTO items (name) VALUES ($1)", "t", "kept"),
        STORE_ERR);
    assert_int_equal(store_rollback(db), STORE_OK);
    assert_int_equal(store_errcode(db), STORE_E_CONSTRAINT);
    assert_int_equal(count_rows(db, count), 1);

    /* Closing with a transaction open releases it. */
    assert_int_equal(store_begin(db), STORE_OK);
    add_item(db, "pending", 2);
    store_close(db);
    store_close(NULL);
}

struct error_case {
    const char *sql;
    const char *types;
    enum store_errc expect;
};

static void test_errors(void **state)
{
    static const struct error_case cases[] = {
        {"INSERT INTO items (name) VALUES ($1)", "t",
         STORE_E_CONSTRAINT}, /* unique */
        {"INSERT INTO items (name) VALUES ($1)", "n",
         STORE_E_CONSTRAINT}, /* not null */
        {"INSERT INTO children (item_id) VALUES ($1)", "i",
         STORE_E_CONSTRAINT}, /* foreign key */
        {"SELEKT 1", "", STORE_E_OTHER},
        {"SELECT nosuch FROM items", "", STORE_E_OTHER},
        {"SELECT $1", "x", STORE_E_OTHER}, /* bad type letter */
        {"SELECT 1; SELECT 2", "", STORE_E_OTHER},
        {"SELECT $0", "", STORE_E_OTHER},
    };
    struct store *db = fresh_db(state, "errors");
    add_item(db, "dup", 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        if (strcmp(cases[i].types, "t") == 0)
            rc = store_run(db, cases[i].sql, "t", "dup");
        else if (strcmp(cases[i].types, "i") == 0)
            rc = store_run(db, cases[i].sql, "i", (int64_t)999);
        else
            rc = store_run(db, cases[i].sql, cases[i].types);
        assert_int_equal(rc, STORE_ERR);
        assert_int_equal(store_errcode(db), cases[i].expect);
        assert_true(store_errmsg(db)[0] != '\0');
    }
    /* Trailing semicolons and comments are fine. */
    assert_int_equal(count_rows(db, "SELECT count(*) FROM items; -- x\n"), 1);
    /* A statement that did not prepare fails at step and at finalize. */
    struct stmt *st = store_prepare(db, "SELEKT 1");
    store_bind_int(st, 1, 1);
    assert_int_equal(store_step(st), STORE_ERR);
    assert_int_equal(store_step(st), STORE_ERR);
    assert_int_equal(store_finalize(st), STORE_ERR);
    /* Binding past the placeholders is an error. */
    st = store_prepare(db, "SELECT $1");
    store_bind_int(st, 1, 1);
    store_bind_int(st, 2, 2);
    assert_int_equal(store_step(st), STORE_ERR);
    assert_int_equal(store_finalize(st), STORE_ERR);
    /* The connection still works. */
    assert_int_equal(count_rows(db, "SELECT count(*) FROM items"), 1);
    store_close(db);
}

struct param_case {
    const char *sql;
    const char *a, *b; /* $1 and $2 as text (NULL: unbound) */
    const char *expect;
};

static void test_placeholders(void **state)
{
    static const struct param_case cases[] = {
        {"SELECT CAST($1 AS BIGINT) + CAST($1 AS BIGINT)", "21", NULL, "42"},
        {"SELECT CAST($2 AS BIGINT) - CAST($1 AS BIGINT)", "1", "10", "9"},
        {"SELECT CAST($2 AS TEXT) || CAST($1 AS TEXT)", "一", "二", "二一"},
        {"SELECT '$1' || CAST($1 AS TEXT)", "x", NULL, "$1x"},
        {"SELECT 'it''s $2' || CAST($1 AS TEXT)", "!", NULL, "it's $2!"},
        {"SELECT CAST($1 AS TEXT) -- and $2\n", "a", NULL, "a"},
        {"SELECT /* $2 */ CAST($1 AS TEXT)", "b", NULL, "b"},
        {"SELECT \"x$1\" FROM (SELECT CAST($1 AS TEXT) AS \"x$1\") t", "c",
         NULL, "c"},
    };
    struct store *db = fresh_db(state, "params");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct stmt *st = store_prepare(db, cases[i].sql);
        if (cases[i].a != NULL)
            store_bind_text(st, 1, cases[i].a);
        if (cases[i].b != NULL)
            store_bind_text(st, 2, cases[i].b);
        if (store_step(st) != STORE_ROW)
            fail_msg("case %zu: %s: %s", i, cases[i].sql, store_errmsg(db));
        assert_string_equal(store_col_text(st, 0), cases[i].expect);
        assert_int_equal(store_finalize(st), STORE_OK);
    }
    /* Integers bound once and used twice, out of order. */
    add_item(db, "p1", 5);
    add_item(db, "p2", 7);
    int64_t n = 0;
    assert_int_equal(store_query_int(db,
                                     "SELECT count(*) FROM items "
                                     "WHERE n = $2 OR n = $1 OR n = $2",
                                     &n, "ii", (int64_t)5, (int64_t)7),
                     STORE_ROW);
    assert_int_equal(n, 2);
    assert_int_equal(store_query_int(db,
                                     "SELECT n FROM items WHERE name = $2 "
                                     "AND n > $1",
                                     &n, "it", (int64_t)6, "p2"),
                     STORE_ROW);
    assert_int_equal(n, 7);
    assert_int_equal(
        store_query_int(db, "SELECT $1 + 1", &n, "i", INT64_C(1700000000000)),
        STORE_ROW);
    assert_true(n == INT64_C(1700000000001));
    store_close(db);
}

static void test_scanner(void **state)
{
    static const struct {
        const char *sql, *rewritten;
        int max;
    } cases[] = {
        {"SELECT 1", "SELECT 1", 0},
        {"SELECT $1, $12", "SELECT ?1, ?12", 12},
        {"SELECT $2 + $1 + $2", "SELECT ?2 + ?1 + ?2", 2},
        {"SELECT '$1', $1", "SELECT '$1', ?1", 1},
        {"SELECT 'a''$3', $1", "SELECT 'a''$3', ?1", 1},
        {"SELECT E'\\'$3', $1", "SELECT E'\\'$3', ?1", 1},
        {"SELECT \"$3\", $1", "SELECT \"$3\", ?1", 1},
        {"SELECT 1 -- $3\n, $1", "SELECT 1 -- $3\n, ?1", 1},
        {"SELECT /* $3 */ $1", "SELECT /* $3 */ ?1", 1},
        {"SELECT $$ $3 $$, $1", "SELECT $$ $3 $$, ?1", 1},
        {"SELECT $x$ $3 $x$, $1", "SELECT $x$ $3 $x$, ?1", 1},
        {"SELECT a$1 FROM t", "SELECT a$1 FROM t", 0},
        {"SELECT '督查$1', $1", "SELECT '督查$1', ?1", 1},
        {"SELECT 'unterminated $1", "SELECT 'unterminated $1", 0},
        {"SELECT $0", NULL, -1},
        {"SELECT $99999", NULL, -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[256];
        int max = store_sql_params(cases[i].sql, out);
        assert_int_equal(max, cases[i].max);
        if (cases[i].rewritten != NULL)
            assert_string_equal(out, cases[i].rewritten);
    }
}

static void test_url_with_db(void **state)
{
    static const struct {
        const char *url, *name, *expect;
    } cases[] = {
        {"postgresql://postgres@127.0.0.1:5433/postgres", "t1",
         "postgresql://postgres@127.0.0.1:5433/t1"},
        {"postgres://u:p@h/db?sslmode=disable", "x_2",
         "postgres://u:p@h/x_2?sslmode=disable"},
        {"postgresql://h:1", "d", "postgresql://h:1/d"},
        {"postgresql://h:1?connect_timeout=5", "d",
         "postgresql://h:1/d?connect_timeout=5"},
        {"postgresql://h/db", "Bad", NULL},
        {"postgresql://h/db", "a;b", NULL},
        {"sqlite:/tmp/x.db", "d", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[256];
        int rc =
            store_url_with_db(cases[i].url, cases[i].name, out, sizeof(out));
        if (cases[i].expect == NULL) {
            assert_int_equal(rc, STORE_ERR);
        } else {
            assert_int_equal(rc, STORE_OK);
            assert_string_equal(out, cases[i].expect);
        }
    }
    char err[128];
    assert_int_equal(
        store_create_database("postgresql://h/x", "a\"b", err, sizeof(err)),
        STORE_ERR);
    assert_int_equal(store_create_database("sqlite:x", "ab", err, sizeof(err)),
                     STORE_ERR);
}

static void test_open_errors(void **state)
{
    static const char *const urls[] = {
        "",
        "sqlite:",
        "sqlite:/proc/no-such-dir/x.db",
        "postgresql://postgres@127.0.0.1:1/x?connect_timeout=2",
        "postgres://nobody@127.0.0.1:1/x?connect_timeout=2",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        char err[512] = "";
        assert_null(store_open(urls[i], err, sizeof(err)));
        assert_true(err[0] != '\0');
        err[0] = '\0';
        assert_null(store_pool_open(urls[i], 3, err, sizeof(err)));
        assert_true(err[0] != '\0');
    }
}

static void test_changes_reset(void **state)
{
    struct store *db = fresh_db(state, "changes");
    static const char ins[] = "INSERT INTO items (name, n) VALUES ($1, $2)";
    struct stmt *st = store_prepare(db, ins);
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        store_bind_text(st, 1, name);
        store_bind_int(st, 2, i % 3);
        assert_int_equal(store_step(st), STORE_DONE);
        assert_int_equal(store_changes(st), 1);
        store_reset(st);
    }
    /* A failure, then reset: the statement is usable again. */
    store_bind_text(st, 1, "r0");
    assert_int_equal(store_step(st), STORE_ERR);
    store_reset(st);
    store_bind_text(st, 1, "r10");
    assert_int_equal(store_step(st), STORE_DONE);
    assert_int_equal(store_finalize(st), STORE_OK);

    st = store_prepare(db, "UPDATE items SET note = $1 WHERE n = $2");
    store_bind_text(st, 1, "zero");
    store_bind_int(st, 2, 0);
    assert_int_equal(store_step(st), STORE_DONE);
    /* n = 0: r0, r3, r6, r9, and r10, which kept r9's $2 over reset. */
    assert_int_equal(store_changes(st), 5);
    assert_int_equal(store_finalize(st), STORE_OK);

    /* Query helpers: no row is STORE_DONE with *out = 0. */
    int64_t v = 77;
    assert_int_equal(store_query_int(db, "SELECT n FROM items WHERE name = $1",
                                     &v, "t", "nobody"),
                     STORE_DONE);
    assert_int_equal(v, 0);
    assert_int_equal(
        store_run(db, "DELETE FROM items WHERE n = $1", "i", (int64_t)1),
        STORE_OK);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM items"), 8);
    /* A statement read row by row while others run on the connection. */
    st = store_prepare(db, "SELECT id FROM items ORDER BY id");
    int rows = 0;
    while (store_step(st) == STORE_ROW) {
        assert_int_equal(store_run(db,
                                   "INSERT INTO children (item_id, label) "
                                   "VALUES ($1, $2)",
                                   "it", store_col_int(st, 0), "子"),
                         STORE_OK);
        rows++;
    }
    assert_int_equal(store_finalize(st), STORE_OK);
    assert_int_equal(rows, 8);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM children"), 8);
    store_close(db);
}

/* The same text prepared again, after a finalize or while the first is
 * still open, behaves as a fresh statement: no values or rows carried over
 * (the SQLite backend caches statements by their text). */
static void test_prepare_again(void **state)
{
    struct store *db = fresh_db(state, "again");
    static const char q[] = "SELECT name FROM items WHERE n = $1 ORDER BY id";
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_run(db,
                                   "INSERT INTO items (name, n) VALUES ($1, $2)",
                                   "ti", i == 2 ? "c" : i ? "b" : "a",
                                   (int64_t)(i == 2)),
                         STORE_OK);
    for (int round = 0; round < 3; round++) {
        struct stmt *a = store_prepare(db, q);
        store_bind_int(a, 1, 0);
        assert_int_equal(store_step(a), STORE_ROW);
        assert_string_equal(store_col_text(a, 0), "a");
        /* the same text while `a` is mid-way */
        struct stmt *b = store_prepare(db, q);
        store_bind_int(b, 1, 1);
        assert_int_equal(store_step(b), STORE_ROW);
        assert_string_equal(store_col_text(b, 0), "c");
        assert_int_equal(store_step(b), STORE_DONE);
        assert_int_equal(store_finalize(b), STORE_OK);
        assert_int_equal(store_step(a), STORE_ROW);
        assert_string_equal(store_col_text(a, 0), "b");
        assert_int_equal(store_finalize(a), STORE_OK);
    }
    /* a value bound before finalize does not survive it */
    struct stmt *c = store_prepare(db, q);
    assert_int_equal(store_step(c), STORE_DONE); /* n = NULL: no rows */
    assert_int_equal(store_finalize(c), STORE_OK);
    /* more distinct texts than the cache holds */
    for (int i = 0; i < 200; i++) {
        char sql[64];
        int64_t v = 0;
        snprintf(sql, sizeof(sql), "SELECT %d + $1", i);
        assert_int_equal(store_query_int(db, sql, &v, "i", (int64_t)1),
                         STORE_ROW);
        assert_int_equal(v, i + 1);
    }
    store_close(db);
}

static void test_locks(void **state)
{
    char url[600], err[512];
    struct fixture *fx = *state;
    fresh_url(fx, "locks", url, sizeof(url));
    struct store *a = store_open(url, err, sizeof(err));
    struct store *b = store_open(url, err, sizeof(err));
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(store_try_session_lock(a, 7), 1);
    if (fx->kind == STORE_PG) {
        assert_int_equal(store_try_session_lock(b, 7), 0);
        assert_int_equal(store_try_session_lock(b, 8), 1);
        store_session_unlock(b, 8);
    }
    store_session_unlock(a, 7);
    assert_int_equal(store_try_session_lock(b, 7), 1);
    store_session_unlock(b, 7);
    store_close(a);
    store_close(b);
}

/* A read snapshot: reads see one state of the database until its end; a
 * write inside ends it first (and so succeeds though another connection
 * wrote meanwhile: SQLite would refuse to write from the old state); it
 * is no transaction for store_in_tx; store_begin ends it; the pool ends
 * it.  PostgreSQL has none: the same calls do nothing there. */
static void test_read_snapshot(void **state)
{
    struct fixture *fx = *state;
    char url[600], err[512];
    static const char count[] = "SELECT count(*) FROM items";
    fresh_url(fx, "snap", url, sizeof(url));
    struct store *a = store_open(url, err, sizeof(err));
    assert_non_null(a);
    assert_int_equal(store_migrate(a, test_schema, err, sizeof(err)),
                     STORE_OK);
    struct store *b = store_open(url, err, sizeof(err));
    assert_non_null(b);
    add_item(a, "one", 1);

    store_read_begin(a);
    assert_false(store_in_tx(a));
    assert_int_equal(count_rows(a, count), 1);
    add_item(b, "two", 2);
    assert_int_equal(count_rows(a, count), fx->kind == STORE_SQLITE ? 1 : 2);
    assert_int_equal(store_run(a, "UPDATE items SET n = n + 10", ""),
                     STORE_OK);
    assert_int_equal(count_rows(a, count), 2);
    assert_int_equal(count_rows(b, "SELECT sum(n) FROM items"), 23);

    store_read_begin(a);
    assert_int_equal(count_rows(a, count), 2);
    add_item(b, "three", 3);
    assert_int_equal(store_begin(a), STORE_OK);
    assert_true(store_in_tx(a));
    assert_int_equal(count_rows(a, count), 3);
    store_read_begin(a); /* nothing inside a transaction */
    add_item(a, "four", 4);
    assert_int_equal(store_commit(a), STORE_OK);
    assert_false(store_in_tx(a));
    assert_int_equal(count_rows(b, count), 4);

    store_read_begin(a);
    assert_int_equal(count_rows(a, count), 4);
    store_read_end(a);
    store_read_end(a); /* none open: nothing */
    add_item(b, "five", 5);
    assert_int_equal(count_rows(a, count), 5);
    store_read_begin(a);
    assert_int_equal(store_exec(a, "DELETE FROM items WHERE name = 'five'"),
                     STORE_OK);
    assert_int_equal(count_rows(b, count), 4);
    store_close(a);

    struct store_pool *p = store_pool_open(url, 1, err, sizeof(err));
    assert_non_null(p);
    struct store *c = store_pool_get(p);
    store_read_begin(c);
    assert_int_equal(count_rows(c, count), 4);
    store_pool_put(p, c);
    add_item(b, "six", 6);
    c = store_pool_get(p);
    assert_int_equal(count_rows(c, count), 5);
    store_pool_put(p, c);
    store_pool_close(p);
    store_close(b);
}

#define POOL_THREADS 4
#define POOL_ROUNDS 25

static void *pool_worker(void *arg)
{
    struct store_pool *p = arg;
    for (int i = 0; i < POOL_ROUNDS; i++) {
        struct store *db = store_pool_get(p);
        int ok = store_begin(db) == STORE_OK &&
                 store_tx_lock(db, 1) == STORE_OK &&
                 store_run(db, "UPDATE items SET n = n + 1 WHERE name = $1",
                           "t", "counter") == STORE_OK &&
                 store_commit(db) == STORE_OK;
        if (!ok) {
            fprintf(stderr, "pool worker: %s\n", store_errmsg(db));
            store_rollback(db);
            store_pool_put(p, db);
            return (void *)1;
        }
        store_pool_put(p, db);
    }
    return NULL;
}

static void test_pool(void **state)
{
    char url[600], err[512];
    fresh_url(*state, "pool", url, sizeof(url));
    struct store *db = store_open(url, err, sizeof(err));
    assert_non_null(db);
    assert_int_equal(store_migrate(db, test_schema, err, sizeof(err)),
                     STORE_OK);
    add_item(db, "counter", 0);
    struct store_pool *p = store_pool_open(url, 2, err, sizeof(err));
    if (p == NULL)
        fail_msg("pool: %s", err);
    assert_int_equal(store_pool_kind(p), store_kind(db));
    pthread_t t[POOL_THREADS];
    for (int i = 0; i < POOL_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, pool_worker, p), 0);
    for (int i = 0; i < POOL_THREADS; i++) {
        void *res = NULL;
        pthread_join(t[i], &res);
        assert_null(res);
    }
    int64_t n = 0;
    assert_int_equal(store_query_int(db, "SELECT n FROM items WHERE name = $1",
                                     &n, "t", "counter"),
                     STORE_ROW);
    assert_int_equal(n, POOL_THREADS * POOL_ROUNDS);
    /* A connection handed back inside a transaction is rolled back. */
    struct store *c = store_pool_get(p);
    assert_int_equal(store_begin(c), STORE_OK);
    store_pool_put(p, c);
    c = store_pool_get(p);
    assert_false(store_in_tx(c));
    store_pool_put(p, c);
    store_pool_close(p);
    store_close(db);
}

static void test_backup(void **state)
{
    struct fixture *fx = *state;
    char file[600], err[512];
    struct store *db = fresh_db(state, "backup");
    add_item(db, "备份", 1);
    add_item(db, "second", 2);
    if (fx->kind == STORE_SQLITE)
        snprintf(file, sizeof(file), "%s/backup-copy/copy.db", fx->dir);
    else
        snprintf(file, sizeof(file), "/tmp/shuniu-test-store-%ld.dump",
                 (long)getpid());
    if (fx->kind == STORE_SQLITE) {
        snprintf(err, sizeof(err), "%s/backup-copy", fx->dir);
        mkdir(err, 0700);
    }
    if (store_backup(db, NULL, file, err, sizeof(err)) != STORE_OK)
        fail_msg("backup: %s", err);
    store_close(db);
    if (fx->kind == STORE_SQLITE) {
        char url[700];
        snprintf(url, sizeof(url), "sqlite:%s", file);
        struct store *copy = store_open(url, err, sizeof(err));
        assert_non_null(copy);
        assert_int_equal(count_rows(copy, "SELECT count(*) FROM items"), 2);
        assert_int_equal(store_schema_version(copy), 2);
        int64_t n = 0;
        assert_int_equal(store_query_int(copy,
                                         "SELECT n FROM items "
                                         "WHERE name = $1",
                                         &n, "t", "备份"),
                         STORE_ROW);
        assert_int_equal(n, 1);
        store_close(copy);
    } else {
        char magic[6] = "";
        FILE *f = fopen(file, "rb");
        assert_non_null(f);
        assert_int_equal(fread(magic, 1, 5, f), 5);
        fclose(f);
        assert_string_equal(magic, "PGDMP");
        unlink(file);
    }
    /* A place that cannot be written is an error, not a crash. */
    db = fresh_db(state, "backup2");
    assert_int_equal(
        store_backup(db, NULL, "/nonexistent-dir/x/y", err, sizeof(err)),
        STORE_ERR);
    store_close(db);
}

/* ---- groups ---------------------------------------------------------- */

static int sqlite_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->kind = STORE_SQLITE;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/shuniu-test-store-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int sqlite_teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[400];
    /* The directory holds only what these tests made. */
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", fx->dir);
    free(fx);
    return 0;
}

/* SHUNIU_TEST_PG_URL, else SHUNIU_TEST_PG_ADMIN (what scripts/test.sh
 * exports), else NULL. */
static const char *pg_admin_url(void)
{
    static const char *const vars[] = {"SHUNIU_TEST_PG_URL",
                                       "SHUNIU_TEST_PG_ADMIN"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            return v;
    }
    return NULL;
}

static int pg_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->kind = STORE_PG;
    snprintf(fx->admin_url, sizeof(fx->admin_url), "%s", pg_admin_url());
    *state = fx;
    return 0;
}

static int pg_teardown(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    for (int i = 0; i < fx->ndbs; i++)
        if (store_drop_database(fx->admin_url, fx->dbs[i], err, sizeof(err)) !=
            STORE_OK)
            fprintf(stderr, "drop %s: %s\n", fx->dbs[i], err);
    free(fx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_bind_step),
        cmocka_unit_test(test_chinese),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_changes_reset),
        cmocka_unit_test(test_prepare_again),
        cmocka_unit_test(test_locks),
        cmocka_unit_test(test_read_snapshot),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_backup),
    };
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_scanner),
        cmocka_unit_test(test_url_with_db),
        cmocka_unit_test(test_open_errors),
    };
    int failed = 0;
    log_set_level(LOG_ERROR);
    failed += cmocka_run_group_tests_name("store", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("store_sqlite", tests, sqlite_setup,
                                          sqlite_teardown);
    const char *pg = pg_admin_url();
    if (pg != NULL)
        failed += cmocka_run_group_tests_name("store_pg", tests, pg_setup,
                                              pg_teardown);
    else
        printf("[  SKIPPED ] store_pg: SHUNIU_TEST_PG_URL is not set "
               "(the API suite covers PostgreSQL)\n");
    return failed != 0;
}
