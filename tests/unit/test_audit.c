/*
 * test_audit.c - unit tests of the audit chain (src/kernel/audit.c) against
 * a fresh SQLite file per test, migrated with schema_migrations: the
 * documented hash input, the chain links, appends that roll back with their
 * transaction, verification that names the first altered, unlinked or
 * missing record, the list filters, and who may read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/schema.h"
#include "store/store.h"

#define ZERO64                                                                 \
    "0000000000000000000000000000000000000000000000000000000000000000"

struct fx {
    char dir[64];
    char path[128];
    char pgname[64]; /* PostgreSQL: the database of this test */
    struct store *db;
    struct arena *a;
};

/* The backend of this pass: NULL for SQLite, else the admin url of a
 * PostgreSQL server (SHUNIU_TEST_PG_ADMIN or SHUNIU_TEST_PG_URL, as
 * scripts/test.sh sets it) on which each test gets a database of its own. */
static const char *pg_admin;

/* A new empty database for one test; its url goes into url. */
static int fresh_db(struct fx *f, char *url, size_t len)
{
    static int serial;
    char err[256];
    if (pg_admin == NULL) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-audit-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(url, len, "sqlite:%s", f->path);
        return 0;
    }
    snprintf(f->pgname, sizeof(f->pgname), "shuniu_audit_%ld_%d",
             (long)getpid(), ++serial);
    if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) !=
            STORE_OK ||
        store_url_with_db(pg_admin, f->pgname, url, len) != STORE_OK) {
        fprintf(stderr, "fresh_db: %s\n", err);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256], url[160];
    if (fresh_db(f, url, sizeof(url)) != 0)
        return -1;
    f->db = store_open(url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[160];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    } else {
        unlink(f->path);
        snprintf(p, sizeof(p), "%s-wal", f->path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", f->path);
        unlink(p);
        rmdir(f->dir);
    }
    free(f);
    now_reset();
    return 0;
}

/* Appends n records "test.N" as the CLI, each in its own transaction. */
static void append_n(struct store *db, int n)
{
    struct actor who;
    actor_cli(&who);
    for (int i = 0; i < n; i++) {
        char target[16];
        snprintf(target, sizeof(target), "t%d", i + 1);
        assert_int_equal(store_begin(db), STORE_OK);
        assert_int_equal(audit_append(db, &who, "test.write", "thing", target,
                                      "ok", "{\"n\":1}"),
                         0);
        assert_int_equal(store_commit(db), STORE_OK);
    }
}

/* The hash input is the documented length-prefixed serialisation. */
static void test_hash_input_is_documented(void **state)
{
    (void)state;
    struct audit_rec r = {0};
    char got[65], want[65];
    static const char input[] =
        "64:" ZERO64 ";1:7;13:1767225600000;2:42;5:clerk;9:127.0.0.1;"
        "10:auth.login;4:user;5:clerk;2:ok;2:{};";
    r.prev_hash = ZERO64;
    r.seq = 7;
    r.at_ms = 1767225600000LL;
    r.actor_id = 42;
    r.actor_login = "clerk";
    r.ip = "127.0.0.1";
    r.action = "auth.login";
    r.target_type = "user";
    r.target = "clerk";
    r.result = "ok";
    r.detail = "{}";
    audit_hash(&r, got);
    digest_sm3_hex(input, sizeof(input) - 1, want);
    assert_string_equal(got, want);
}

/* Moving a byte from one field to the next changes the hash: the
 * serialisation is unambiguous. */
static void test_hash_unambiguous(void **state)
{
    (void)state;
    static const struct {
        const char *login1, *ip1, *login2, *ip2;
    } rows[] = {
        {"ab", "c", "a", "bc"},
        {"a;1:b", "", "a", "b"},
        {"", "x", "x", ""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct audit_rec x = {0}, y = {0};
        char hx[65], hy[65];
        x.prev_hash = y.prev_hash = ZERO64;
        x.seq = y.seq = 1;
        x.actor_login = rows[i].login1;
        x.ip = rows[i].ip1;
        y.actor_login = rows[i].login2;
        y.ip = rows[i].ip2;
        audit_hash(&x, hx);
        audit_hash(&y, hy);
        assert_string_not_equal(hx, hy);
    }
}

static void test_chain_links(void **state)
{
    struct fx *f = *state;
    struct audit_rec *recs;
    int n, total;
    struct err e;
    int64_t count, bad;
    char msg[256];

    append_n(f->db, 4);
    err_clear(&e);
    assert_int_equal(audit_list(f->db, f->a, NULL, &recs, &n, &total, &e), 0);
    assert_int_equal(n, 4);
    assert_int_equal(total, 4);
    /* newest first */
    for (int i = 0; i < n; i++)
        assert_int_equal(recs[i].seq, 4 - i);
    assert_string_equal(recs[3].prev_hash, ZERO64);
    for (int i = 0; i < 3; i++)
        assert_string_equal(recs[i].prev_hash, recs[i + 1].hash);
    for (int i = 0; i < n; i++) {
        char h[65];
        audit_hash(&recs[i], h);
        assert_string_equal(h, recs[i].hash);
        assert_string_equal(recs[i].actor_login, "cli");
        assert_string_equal(recs[i].ip, "cli");
    }
    assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)), 0);
    assert_int_equal(count, 4);
    assert_int_equal(bad, 0);
}

/* An append rolls back with its transaction; the chain stays whole and
 * continues at the next number. */
static void test_append_rolls_back(void **state)
{
    struct fx *f = *state;
    struct actor who;
    int64_t count, bad, n;
    char msg[256];

    actor_cli(&who);
    append_n(f->db, 2);
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(
        audit_append(f->db, &who, "test.lost", "thing", "x", "ok", NULL), 0);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_int_equal(
        store_query_int(f->db, "SELECT COUNT(*) FROM audit", &n, ""),
        STORE_ROW);
    assert_int_equal(n, 2);
    /* outside a transaction audit_append refuses; audit_log opens one */
    assert_int_equal(
        audit_append(f->db, &who, "test.x", "thing", "x", "ok", NULL), -1);
    assert_int_equal(
        audit_log(f->db, &who, "test.own", "thing", "y", "failed", NULL), 0);
    assert_int_equal(
        store_query_int(f->db, "SELECT MAX(seq) FROM audit", &n, ""),
        STORE_ROW);
    assert_int_equal(n, 3);
    assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)), 0);
    assert_int_equal(count, 3);
}

/* Each way of tampering is found, at the record it touched. */
static void test_verify_finds_tampering(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *sql;
        int64_t seq;
        int64_t want_bad;
        const char *word; /* in the message */
    } rows[] = {
        {"UPDATE audit SET actor_login = 'mallory' WHERE seq = $1", 2, 2,
         "改动"},
        {"UPDATE audit SET detail = '{\"n\":2}' WHERE seq = $1", 3, 3, "改动"},
        {"UPDATE audit SET at_ms = at_ms + 1 WHERE seq = $1", 1, 1, "改动"},
        {"UPDATE audit SET result = 'failed' WHERE seq = $1", 5, 5, "改动"},
        {"UPDATE audit SET prev_hash = hash WHERE seq = $1", 4, 4, "链接"},
        {"DELETE FROM audit WHERE seq = $1", 3, 3, "删除"},
        {"DELETE FROM audit WHERE seq = $1", 1, 1, "删除"},
        {"UPDATE audit SET seq = 9 WHERE seq = $1", 5, 5, "删除"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t count, bad;
        char msg[256];
        assert_int_equal(store_exec(f->db, "DELETE FROM audit"), STORE_OK);
        append_n(f->db, 5);
        assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)),
                         0);
        assert_int_equal(store_run(f->db, rows[i].sql, "i", rows[i].seq),
                         STORE_OK);
        assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)),
                         -1);
        if (bad != rows[i].want_bad)
            fail_msg("row %zu: bad seq %lld, want %lld (%s)", i, (long long)bad,
                     (long long)rows[i].want_bad, msg);
        if (strstr(msg, rows[i].word) == NULL)
            fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, msg,
                     rows[i].word);
    }
}

/* A record rewritten with a correct hash of its new content still breaks
 * the link of the next one. */
static void test_verify_rehashed_record_breaks_link(void **state)
{
    struct fx *f = *state;
    struct audit_rec *recs;
    int n, total;
    struct err e;
    int64_t count, bad;
    char msg[256], h[65];
    struct audit_filter flt = {0};

    append_n(f->db, 3);
    err_clear(&e);
    flt.limit = 10;
    assert_int_equal(audit_list(f->db, f->a, &flt, &recs, &n, &total, &e), 0);
    struct audit_rec r = recs[1]; /* seq 2 */
    assert_int_equal(r.seq, 2);
    r.actor_login = "mallory";
    audit_hash(&r, h);
    assert_int_equal(store_run(f->db,
                               "UPDATE audit SET actor_login = 'mallory',"
                               " hash = $2 WHERE seq = $1",
                               "it", (int64_t)2, h),
                     STORE_OK);
    assert_int_equal(audit_verify(f->db, &count, &bad, msg, sizeof(msg)), -1);
    assert_int_equal(bad, 3);
    assert_int_equal(count, 2);
}

static void test_list_filters(void **state)
{
    struct fx *f = *state;
    struct actor clerk = {0}, cli;
    struct audit_rec *recs;
    int n, total;
    struct err e;

    actor_cli(&cli);
    clerk.user_id = 5;
    clerk.login = "clerk";
    clerk.ip = "10.0.0.9";
    now_set(1767225600000LL); /* 2026-01-01T08:00+08:00 */
    assert_int_equal(
        audit_log(f->db, &clerk, "auth.login", "user", "clerk", "failed", NULL),
        0);
    assert_int_equal(
        audit_log(f->db, &clerk, "auth.login", "user", "clerk", "ok", NULL), 0);
    now_set(1767225600000LL + NOW_DAY_MS);
    assert_int_equal(
        audit_log(f->db, &clerk, "authx.other", "user", "clerk", "ok", NULL),
        0);
    assert_int_equal(audit_log(f->db, &cli, "org.unit.create", "unit", "gov",
                               "ok", "{\"after\":{}}"),
                     0);

    static const struct {
        struct audit_filter f;
        int want_total;
        int64_t want_first_seq;
    } rows[] = {
        {{NULL, NULL, NULL, 0, 0, 0, 0}, 4, 4},
        {{"clerk", NULL, NULL, 0, 0, 0, 0}, 3, 3},
        {{"cler", NULL, NULL, 0, 0, 0, 0}, 0, 0},
        {{NULL, "auth.", NULL, 0, 0, 0, 0}, 2, 2},
        {{NULL, "auth", NULL, 0, 0, 0, 0}, 3, 3},
        {{NULL, "org.", NULL, 0, 0, 0, 0}, 1, 4},
        {{NULL, NULL, "failed", 0, 0, 0, 0}, 1, 1},
        {{"clerk", "auth.", "ok", 0, 0, 0, 0}, 1, 2},
        {{NULL, NULL, NULL, 1767225600000LL + NOW_DAY_MS, 0, 0, 0}, 2, 4},
        {{NULL, NULL, NULL, 0, 1767225600000LL + 60000, 0, 0}, 2, 2},
        {{NULL, NULL, NULL, 0, 0, 1, 1}, 4, 3}, /* limit 1 offset 1 */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err_clear(&e);
        assert_int_equal(
            audit_list(f->db, f->a, &rows[i].f, &recs, &n, &total, &e), 0);
        if (total != rows[i].want_total)
            fail_msg("row %zu: total %d, want %d", i, total,
                     rows[i].want_total);
        if (rows[i].want_first_seq != 0) {
            assert_true(n >= 1);
            assert_int_equal(recs[0].seq, rows[i].want_first_seq);
        } else {
            assert_int_equal(n, 0);
        }
        if (rows[i].f.limit == 1)
            assert_int_equal(n, 1);
    }
    /* the fields come back as written */
    struct audit_filter one = {"clerk", "auth.login", "failed", 0, 0, 0, 0};
    err_clear(&e);
    assert_int_equal(audit_list(f->db, f->a, &one, &recs, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].actor_id, 5);
    assert_string_equal(recs[0].ip, "10.0.0.9");
    assert_string_equal(recs[0].target_type, "user");
    assert_string_equal(recs[0].target, "clerk");
    assert_string_equal(recs[0].detail, "");
    assert_int_equal(recs[0].at_ms / 1000, 1767225600LL);
}

static void test_who_reads(void **state)
{
    (void)state;
    struct actor a;
    static const struct {
        const char *role;
        int want;
    } rows[] = {
        {"auditor", 1}, {"sysadmin", 0}, {"secadmin", 0},
        {"leader", 0},  {"clerk", 0},    {"staff", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        memset(&a, 0, sizeof(a));
        a.user_id = 9;
        a.login = "someone";
        a.nroles = 1;
        a.roles[0] = rows[i].role;
        assert_int_equal(audit_can_read(&a), rows[i].want);
    }
    actor_cli(&a);
    assert_int_equal(audit_can_read(&a), 1);
    actor_system(&a);
    assert_int_equal(audit_can_read(&a), 0);
    /* a person whose login is "cli" is not the operator */
    memset(&a, 0, sizeof(a));
    a.user_id = 3;
    a.login = "cli";
    assert_int_equal(audit_can_read(&a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_input_is_documented),
        cmocka_unit_test(test_hash_unambiguous),
        cmocka_unit_test_setup_teardown(test_chain_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_finds_tampering, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify_rehashed_record_breaks_link,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test(test_who_reads),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    else
        pg_admin = NULL;
    return failed;
}
