/*
 * test_auth.c - unit tests of sign-in (src/kernel/auth.c) against a fresh
 * SQLite file per test, migrated with schema_migrations: the password
 * policy, argon2id hashing under the concurrency cap, rehash on sign-in,
 * one answer for unknown login and wrong password, lock-out and its audit,
 * disabled accounts, sessions (only the hash stored, idle timeout, a new id
 * each time, sign-out), CSRF, API tokens, password change and reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/auth.h"
#include "kernel/org.h"
#include "kernel/schema.h"
#include "store/store.h"

#define PW "Good-Pass-2026"
#define T0 1772413200000LL /* 2026-03-02T09:00:00+08:00 */
#define MINUTE 60000LL

static char pw_hash[128]; /* PW, hashed once for every fixture */

struct fx {
    char dir[64];
    char path[128];
    char pgname[64]; /* PostgreSQL: the database of this test */
    struct store *db;
    struct arena *a;
};

static const struct {
    const char *login, *role;
} people[] = {
    {"admin", "sysadmin"}, {"sec", "secadmin"}, {"aud", "auditor"},
    {"clerk", "clerk"},    {"staff", "staff"},  {NULL, NULL},
};

static int64_t count_rows(struct store *db, const char *sql, const char *arg)
{
    int64_t n = -1;
    int rc = arg != NULL ? store_query_int(db, sql, &n, "t", arg)
                         : store_query_int(db, sql, &n, "");
    assert_int_not_equal(rc, STORE_ERR);
    return n;
}

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
        snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-auth-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(url, len, "sqlite:%s", f->path);
        return 0;
    }
    snprintf(f->pgname, sizeof(f->pgname), "shuniu_auth_%ld_%d", (long)getpid(),
             ++serial);
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
    struct config c;
    struct actor cli;
    struct err e;

    config_defaults(&c);
    auth_configure(&c);
    if (pw_hash[0] == '\0' && auth_password_hash(PW, pw_hash) != 0)
        return -1;
    if (fresh_db(f, url, sizeof(url)) != 0)
        return -1;
    f->db = store_open(url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    f->a = arena_new();
    actor_cli(&cli);
    struct unit office = {0};
    office.code = "office";
    office.name = "市政府办公室";
    office.kind = "office";
    err_clear(&e);
    if (org_unit_create(f->db, &cli, &office, &e))
        return -1;
    for (int i = 0; people[i].login; i++) {
        struct user u = {0};
        u.login = people[i].login;
        u.name = people[i].login;
        u.unit_code = "office";
        u.nroles = 1;
        u.roles[0] = people[i].role;
        u.clearance = i == 3 ? 2 : 0;
        if (org_user_create_hashed(f->db, &cli, &u, pw_hash, &e))
            return -1;
    }
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

/* Signs in; returns the status (0 on success). */
static int login(struct fx *f, const char *who, const char *pw,
                 const char **sid, struct actor *a, struct err *e)
{
    const char *s = NULL, *csrf = NULL;
    struct actor tmp;
    err_clear(e);
    int rc = auth_login(f->db, f->a, who, pw, "10.1.2.3", &s, &csrf,
                        a != NULL ? a : &tmp, e);
    if (sid != NULL)
        *sid = s;
    return rc == 0 ? 0 : e->status;
}

static void test_password_policy(void **state)
{
    (void)state;
    static const char min_msg[] = "密码至少需要8个字符";
    static const char cls_msg[] =
        "密码需包含大写字母、小写字母、数字、符号中的至少3类";
    static const struct {
        const char *pw;
        const char *msg; /* NULL: accepted */
    } rows[] = {
        {"", min_msg},
        {"short1A", min_msg},
        {"密码密码密1A", min_msg}, /* 7 characters, 17 bytes */
        {"alllowercase", cls_msg},
        {"lowerand123", cls_msg},
        {"UPPER-CASE", cls_msg},
        {"12345678!!", cls_msg},
        {"Lower123", NULL},
        {"lower12!", NULL},
        {"UPPER12$", NULL},
        {"Ab!Ab!Ab", NULL},
        {"密码密码密码Ab", NULL}, /* 中文 counts as "other" */
        {"Good-Pass-2026", NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct err e;
        err_clear(&e);
        int rc = auth_password_check(rows[i].pw, &e);
        if (rows[i].msg == NULL) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", i, rows[i].pw,
                         e.fields[0].message);
            continue;
        }
        if (rc != -1)
            fail_msg("row %zu (%s) accepted", i, rows[i].pw);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.fields[0].field, "password");
        assert_string_equal(e.fields[0].message, rows[i].msg);
    }
    /* the numbers come from the configuration */
    struct config c;
    struct err e;
    config_defaults(&c);
    c.password_min = 10;
    c.password_classes = 4;
    auth_configure(&c);
    err_clear(&e);
    assert_int_equal(auth_password_check("Lower123!", &e), -1);
    assert_string_equal(e.fields[0].message, "密码至少需要10个字符");
    err_clear(&e);
    assert_int_equal(auth_password_check("Lower12345", &e), -1);
    assert_string_equal(e.fields[0].message,
                        "密码需包含大写字母、小写字母、数字、符号中的至少4类");
    config_defaults(&c);
    auth_configure(&c);
}

static void test_hash_and_verify(void **state)
{
    (void)state;
    char h[128];
    assert_int_equal(auth_password_hash("Other-Pass-1", h), 0);
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_int_equal(
        crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE),
        0);
    assert_int_equal(auth_password_verify(h, "Other-Pass-1"), 1);
    assert_int_equal(auth_password_verify(h, "Other-Pass-2"), 0);
    assert_int_equal(auth_password_verify(h, ""), 0);
    assert_int_equal(auth_password_verify("", ""), 0);
    assert_int_equal(auth_password_verify(NULL, "x"), 0);
}

static void *hash_one(void *arg)
{
    char h[128];
    (void)arg;
    return auth_password_hash("Thread-Pass-1", h) == 0 ? arg : NULL;
}

/* No more than hash_parallel hashes ever run at once. */
static void test_hash_concurrency_cap(void **state)
{
    (void)state;
    static const int caps[] = {1, 2};
    for (size_t c = 0; c < 2; c++) {
        struct config cfg;
        pthread_t t[4];
        config_defaults(&cfg);
        cfg.hash_parallel = caps[c];
        auth_configure(&cfg);
        auth_hash_peak_reset();
        for (int i = 0; i < 4; i++)
            assert_int_equal(pthread_create(&t[i], NULL, hash_one, NULL), 0);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        if (auth_hash_peak() > caps[c])
            fail_msg("cap %d: %d hashes at once", caps[c], auth_hash_peak());
        assert_true(auth_hash_peak() >= 1);
    }
    struct config cfg;
    config_defaults(&cfg);
    auth_configure(&cfg);
}

/* Unknown login, wrong password and no password: one 401 and message. */
static void test_bad_credentials(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor cli;
    struct user u = {0};

    actor_cli(&cli);
    u.login = "nopw";
    u.name = "无密码";
    u.unit_code = "office";
    err_clear(&e);
    assert_int_equal(org_user_create(f->db, &cli, &u, NULL, &e), 0);

    static const struct {
        const char *login, *pw;
    } rows[] = {
        {"staff", "Wrong-Pass-1"},
        {"nobody", "Good-Pass-2026"},
        {"nopw", ""},
        {"nopw", "Good-Pass-2026"},
        {"a' OR '1'='1", "x"},
        {"", ""},
        {"STAFF", PW},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *sid = "unset";
        assert_int_equal(login(f, rows[i].login, rows[i].pw, &sid, NULL, &e),
                         401);
        assert_string_equal(e.message, "用户名或密码错误");
        assert_null(sid);
    }
    /* each attempt is audited as failed, with the address */
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM audit WHERE action ="
                                " 'auth.login' AND result = 'failed' AND ip ="
                                " $1",
                                "10.1.2.3"),
                     7);
    /* and the right password still works: one failure is not a lock */
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 0);
}

static int64_t lock_records(struct fx *f)
{
    return count_rows(f->db,
                      "SELECT COUNT(*) FROM audit WHERE action = 'auth.lock'"
                      " AND target = $1",
                      "staff");
}

/* Five wrong passwords lock for 15 minutes, also against the right one. */
static void test_lockout(void **state)
{
    struct fx *f = *state;
    struct err e;

    struct timespec t_start, t_end;
    clock_gettime(CLOCK_MONOTONIC, &t_start);
    now_set(T0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e),
                         401);
    assert_int_equal(lock_records(f), 0);
    /* the fifth failure locks */
    assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e), 423);
    assert_true(e.retry_after > 14 * 60 && e.retry_after <= 15 * 60);
    assert_int_equal(lock_records(f), 1);
    /* locked: the right password is refused with the time left */
    now_set(T0 + 14 * MINUTE);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 423);
    /* the lock runs 15 minutes from the fifth failure, which came some
     * seconds after T0 while the hashes ran (longer on a loaded machine):
     * one minute left plus at most the real time elapsed */
    clock_gettime(CLOCK_MONOTONIC, &t_end);
    long elapsed = (long)(t_end.tv_sec - t_start.tv_sec) + 1;
    assert_true(e.retry_after >= 59 && e.retry_after <= 60 + elapsed);
    assert_non_null(e.message);
    /* an unlocked colleague is not affected */
    assert_int_equal(login(f, "clerk", PW, NULL, NULL, &e), 0);
    /* after the lock the right password works, and the count restarts */
    now_set(T0 + 16 * MINUTE); /* the hashes took a few seconds */
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e),
                         401);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e),
                         401);
    assert_int_equal(lock_records(f), 1);
    /* failures: 5 + 1 refused while locked + 8 */
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM audit WHERE action ="
                                " 'auth.login' AND result = 'failed' AND"
                                " actor_login = $1",
                                "staff"),
                     14);
}

/* The limits come from the configuration. */
static void test_lockout_configured(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct config c;
    config_defaults(&c);
    c.lock_failures = 2;
    c.lock_minutes = 1;
    auth_configure(&c);
    now_set(T0);
    assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e), 401);
    assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e), 423);
    assert_true(e.retry_after > 0 && e.retry_after <= 60);
    /* the lock runs from the second failure, which argon2id under the
     * sanitizers may push seconds past T0: step well beyond the minute */
    now_set(T0 + 2 * MINUTE);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 0);
    config_defaults(&c);
    auth_configure(&c);
}

static void test_disabled(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor cli, a;
    struct user u;
    const char *sid;

    assert_int_equal(login(f, "staff", PW, &sid, &a, &e), 0);
    actor_cli(&cli);
    err_clear(&e);
    assert_int_equal(org_user_get(f->db, f->a, "staff", &u, &e), 0);
    u.active = 0;
    assert_int_equal(org_user_update(f->db, &cli, "staff", &u, &e), 0);
    /* the open session ends */
    assert_int_equal(auth_session(f->db, f->a, sid, "10.1.2.3", &a), -1);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 403);
    assert_string_equal(e.message, "账号已停用，请联系系统管理员");
    /* a wrong password is still just wrong */
    assert_int_equal(login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e), 401);
}

static void test_sessions(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, b;
    const char *sid, *sid2;
    char h[65];

    now_set(T0);
    assert_int_equal(login(f, "clerk", PW, &sid, &a, &e), 0);
    assert_int_equal(strlen(sid), 64);
    assert_int_equal(strlen(a.csrf), 64);
    assert_string_equal(a.login, "clerk");
    assert_string_equal(a.unit_code, "office");
    assert_int_equal(a.clearance, 2);
    assert_true(actor_has_role(&a, "clerk"));
    assert_false(actor_has_role(&a, "staff"));
    /* only the SHA-256 of the id is stored */
    digest_sha256_hex(sid, 64, h);
    assert_string_equal(a.session_hash, h);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM sessions WHERE"
                                " id_hash = $1",
                                h),
                     1);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM sessions WHERE"
                                " id_hash = $1 OR csrf = $1",
                                sid),
                     0);
    /* a new id at each sign-in */
    assert_int_equal(login(f, "clerk", PW, &sid2, NULL, &e), 0);
    assert_string_not_equal(sid, sid2);

    /* idle timeout: activity within 30 minutes keeps it */
    now_set(T0 + 29 * MINUTE);
    assert_int_equal(auth_session(f->db, f->a, sid, "10.9.9.9", &b), 0);
    assert_string_equal(b.login, "clerk");
    assert_string_equal(b.csrf, a.csrf);
    assert_string_equal(b.ip, "10.9.9.9");
    now_set(T0 + 58 * MINUTE);
    assert_int_equal(auth_session(f->db, f->a, sid, "10.9.9.9", &b), 0);
    now_set(T0 + 88 * MINUTE + 30000);
    assert_int_equal(auth_session(f->db, f->a, sid, "10.9.9.9", &b), -1);
    assert_int_equal(b.user_id, 0);
    /* an expired session is gone for good */
    now_set(T0 + 58 * MINUTE);
    assert_int_equal(auth_session(f->db, f->a, sid, "10.9.9.9", &b), -1);

    /* junk ids are nobody */
    static const char *junk[] = {
        NULL,
        "",
        "abc",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(auth_session(f->db, f->a, junk[i], "x", &b), -1);

    /* sign-out ends the session, audited */
    now_set(T0 + 59 * MINUTE);
    assert_int_equal(login(f, "clerk", PW, &sid, &a, &e), 0);
    assert_int_equal(auth_logout(f->db, &a), 0);
    assert_int_equal(auth_session(f->db, f->a, sid, "x", &b), -1);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM audit WHERE action ="
                                " 'auth.logout' AND actor_login = $1",
                                "clerk"),
                     1);
}

static void test_csrf(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, b;

    assert_int_equal(login(f, "clerk", PW, NULL, &a, &e), 0);
    assert_int_equal(login(f, "staff", PW, NULL, &b, &e), 0);
    char upper[65];
    snprintf(upper, sizeof(upper), "%s", a.csrf);
    upper[0] = upper[0] == 'a' ? 'b' : 'a';
    static const struct {
        int which; /* 0 own, 1 other session's, 2 literal */
        const char *token;
        int want;
    } rows[] = {
        {0, NULL, 1}, {1, NULL, 0},       {2, NULL, 0},
        {2, "", 0},   {2, "deadbeef", 0}, {3, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *t = rows[i].which == 0   ? a.csrf
                        : rows[i].which == 1 ? b.csrf
                        : rows[i].which == 3 ? upper
                                             : rows[i].token;
        assert_int_equal(auth_csrf_ok(&a, t), rows[i].want);
    }
    /* an actor without a session has no token to match */
    struct actor cli;
    actor_cli(&cli);
    assert_int_equal(auth_csrf_ok(&cli, ""), 0);
    assert_int_equal(auth_csrf_ok(&cli, a.csrf), 0);
}

static void test_tokens(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, b, bot;
    const char *secret;
    struct api_token t, *list;
    int n;
    char h[65];

    assert_int_equal(login(f, "clerk", PW, NULL, &a, &e), 0);
    assert_int_equal(login(f, "staff", PW, NULL, &b, &e), 0);
    err_clear(&e);
    assert_int_equal(
        auth_token_create(f->db, f->a, &a, "数据交换", &secret, &t, &e), 0);
    assert_int_equal(strlen(secret), 68);
    assert_int_equal(strncmp(secret, "snu_", 4), 0);
    assert_int_equal(strspn(secret + 4, "0123456789abcdef"), 64);
    assert_int_equal(strncmp(t.prefix, secret, 8), 0);
    assert_int_equal(strlen(t.prefix), 8);
    /* only the hash is stored */
    digest_sha256_hex(secret, 68, h);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM api_tokens WHERE"
                                " token_hash = $1",
                                h),
                     1);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM api_tokens WHERE"
                                " token_hash = $1 OR prefix = $1",
                                secret),
                     0);
    /* the list shows the prefix, never the secret */
    err_clear(&e);
    assert_int_equal(auth_token_list(f->db, f->a, &a, &list, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "数据交换");
    assert_string_equal(list[0].prefix, t.prefix);
    assert_int_equal(list[0].revoked_ms, 0);
    assert_int_equal(auth_token_list(f->db, f->a, &b, &list, &n, &e), 0);
    assert_int_equal(n, 0);
    /* it resolves to its owner */
    assert_int_equal(auth_token_resolve(f->db, f->a, secret, "10.0.0.5", &bot),
                     0);
    assert_string_equal(bot.login, "clerk");
    assert_int_equal(bot.via_token, 1);
    assert_string_equal(bot.ip, "10.0.0.5");
    assert_int_equal(auth_csrf_ok(&bot, NULL), 1);
    /* someone else cannot revoke it */
    err_clear(&e);
    assert_int_equal(auth_token_revoke(f->db, &b, t.id, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(auth_token_resolve(f->db, f->a, secret, "x", &bot), 0);
    /* its owner can; then it is dead */
    err_clear(&e);
    assert_int_equal(auth_token_revoke(f->db, &a, t.id, &e), 0);
    assert_int_equal(auth_token_resolve(f->db, f->a, secret, "x", &bot), -1);
    err_clear(&e);
    assert_int_equal(auth_token_revoke(f->db, &a, t.id, &e), -1);
    assert_int_equal(auth_token_list(f->db, f->a, &a, &list, &n, &e), 0);
    assert_true(list[0].revoked_ms > 0);
    static const char *junk[] = {NULL, "", "snu_0000", "bearer",
                                 "snu_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                                 "zzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(auth_token_resolve(f->db, f->a, junk[i], "x", &bot),
                         -1);
    /* a token of a disabled person is dead too */
    err_clear(&e);
    assert_int_equal(
        auth_token_create(f->db, f->a, &b, "机器人", &secret, &t, &e), 0);
    struct actor cli;
    struct user u;
    actor_cli(&cli);
    assert_int_equal(org_user_get(f->db, f->a, "staff", &u, &e), 0);
    u.active = 0;
    assert_int_equal(org_user_update(f->db, &cli, "staff", &u, &e), 0);
    assert_int_equal(auth_token_resolve(f->db, f->a, secret, "x", &bot), -1);
    /* names are required; the CLI operator owns no tokens */
    err_clear(&e);
    assert_int_equal(auth_token_create(f->db, f->a, &a, "", &secret, &t, &e),
                     -1);
    assert_string_equal(e.fields[0].field, "name");
    err_clear(&e);
    assert_int_equal(auth_token_create(f->db, f->a, &cli, "x", &secret, &t, &e),
                     -1);
    /* creation and revocation are audited */
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM audit WHERE action"
                                " LIKE $1",
                                "auth.token.%"),
                     3);
}

static void test_password_change(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, other;
    const char *sid, *sid_other;

    assert_int_equal(login(f, "staff", PW, &sid_other, &other, &e), 0);
    assert_int_equal(login(f, "staff", PW, &sid, &a, &e), 0);
    static const struct {
        const char *old_pw, *new_pw;
        const char *field;
    } bad[] = {
        {"Wrong-Pass-1", "New-Pass-2026", "old_password"},
        {PW, "short1A", "new_password"},
        {PW, "alllowercase", "new_password"},
        {PW, PW, "new_password"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err_clear(&e);
        assert_int_equal(
            auth_password_change(f->db, &a, bad[i].old_pw, bad[i].new_pw, &e),
            -1);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.fields[0].field, bad[i].field);
    }
    err_clear(&e);
    assert_int_equal(auth_password_change(f->db, &a, PW, "New-Pass-2026", &e),
                     0);
    /* this session stays, the others end */
    struct actor x;
    assert_int_equal(auth_session(f->db, f->a, sid, "x", &x), 0);
    assert_int_equal(auth_session(f->db, f->a, sid_other, "x", &x), -1);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 401);
    assert_int_equal(login(f, "staff", "New-Pass-2026", NULL, NULL, &e), 0);
}

/* Reset: the CLI and the sysadmin (not for administrators); clears the
 * lock and ends the sessions. */
static void test_password_set(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor cli, admin, clerk, secadm;
    const char *sid;

    actor_cli(&cli);
    assert_int_equal(login(f, "admin", PW, NULL, &admin, &e), 0);
    assert_int_equal(login(f, "clerk", PW, NULL, &clerk, &e), 0);
    assert_int_equal(login(f, "sec", PW, NULL, &secadm, &e), 0);
    const struct {
        const struct actor *who;
        const char *target;
        int status;
    } rows[] = {
        {&clerk, "staff", 403}, {&secadm, "staff", 403}, {&admin, "aud", 403},
        {&admin, "sec", 403},   {&admin, "ghost", 404},  {&cli, "aud", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err_clear(&e);
        int rc = auth_password_set(f->db, rows[i].who, rows[i].target, PW, &e);
        assert_int_equal(rc == 0 ? 0 : e.status, rows[i].status);
    }
    err_clear(&e);
    assert_int_equal(auth_password_set(f->db, &admin, "staff", "weak", &e), -1);
    assert_string_equal(e.fields[0].field, "password");

    now_set(T0);
    assert_int_equal(login(f, "staff", PW, &sid, NULL, &e), 0);
    for (int i = 0; i < 5; i++)
        login(f, "staff", "Wrong-Pass-1", NULL, NULL, &e);
    assert_int_equal(login(f, "staff", PW, NULL, NULL, &e), 423);
    err_clear(&e);
    assert_int_equal(
        auth_password_set(f->db, &admin, "staff", "Reset-Pass-2026", &e), 0);
    struct actor x;
    assert_int_equal(auth_session(f->db, f->a, sid, "x", &x), -1);
    assert_int_equal(login(f, "staff", "Reset-Pass-2026", NULL, NULL, &e), 0);
    assert_int_equal(count_rows(f->db,
                                "SELECT COUNT(*) FROM audit WHERE action ="
                                " 'auth.password.set' AND target = $1",
                                "staff"),
                     1);
}

/* A hash made with weaker limits is replaced at the next sign-in. */
static void test_rehash_on_login(void **state)
{
    struct fx *f = *state;
    struct err e;
    char weak[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str(weak, PW, strlen(PW),
                                       crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN),
                     0);
    assert_int_equal(store_run(f->db,
                               "UPDATE users SET password_hash = $1"
                               " WHERE login = 'clerk'",
                               "t", weak),
                     STORE_OK);
    assert_int_equal(login(f, "clerk", PW, NULL, NULL, &e), 0);
    struct stmt *st = store_prepare(
        f->db, "SELECT password_hash FROM users WHERE login = 'clerk'");
    assert_int_equal(store_step(st), STORE_ROW);
    const char *now_hash = store_col_text(st, 0);
    assert_string_not_equal(now_hash, weak);
    assert_int_equal(crypto_pwhash_str_needs_rehash(
                         now_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    store_finalize(st);
    assert_int_equal(login(f, "clerk", PW, NULL, NULL, &e), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_hash_concurrency_cap),
        T(test_bad_credentials),
        T(test_lockout),
        T(test_lockout_configured),
        T(test_disabled),
        T(test_sessions),
        T(test_csrf),
        T(test_tokens),
        T(test_password_change),
        T(test_password_set),
        T(test_rehash_on_login),
    };
#undef T
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
