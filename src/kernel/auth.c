/*
 * auth.c - sign-in, sessions, API tokens, CSRF and the password policy
 * (see auth.h).
 *
 * The state of an account as auth_login() sees it:
 *
 *     open --wrong password--> open (failed_count + 1)
 *     open --wrong password, failed_count + 1 == lock_failures--> locked
 *          (locked_until_ms = now + lock_minutes, failed_count = 0;
 *           audited "auth.login" failed and "auth.lock")
 *     locked --any password, now < locked_until_ms--> locked (423)
 *     locked --now >= locked_until_ms--> open
 *     open --right password--> open (failed_count = 0), new session
 *     any --auth_password_set()--> open (lock cleared)
 *
 * Slow work (argon2id) never runs inside a transaction: the hash is checked
 * or computed first, then one short transaction writes the outcome and its
 * audit record together.
 *
 * Session lifecycle: created by auth_login() (a new random id each time),
 * touched by auth_session() (last_seen_ms), ended by auth_logout(), by idle
 * expiry (deleted when found expired, and at the owner's next sign-in), by
 * a password change (the person's other sessions) or set (all of them), and
 * when a user is disabled (org.c).
 */
#include "kernel/auth.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"

#define AUTH_PASSWORD_MAX_CHARS 128
#define AUTH_PASSWORD_MAX_BYTES 512
#define AUTH_LOGIN_MAX 64
#define AUTH_TOKEN_NAME_MAX 64
#define AUTH_SID_HEX 64
#define AUTH_TOKEN_LEN (4 + 64)

static const char auth_msg_bad_login[] = "用户名或密码错误";
static const char auth_msg_locked[] =
    "登录失败次数过多，账号已被锁定，请稍后再试";
static const char auth_msg_disabled[] = "账号已停用，请联系系统管理员";
static const char auth_msg_internal[] = "系统内部错误，请稍后再试";

/* The policy, set once at start by auth_configure(). */
static struct {
    int idle_minutes, lock_failures, lock_minutes;
    int password_min, password_classes, hash_parallel;
    char msg_min[128];
    char msg_classes[160];
} auth_cfg = {
    30,
    5,
    15,
    8,
    3,
    2,
    "密码至少需要8个字符",
    "密码需包含大写字母、小写字母、数字、符号中的至少3类",
};

/* The counting semaphore around argon2id. */
static pthread_mutex_t auth_hash_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t auth_hash_cv = PTHREAD_COND_INITIALIZER;
static int auth_hash_running;
static int auth_hash_peak_seen;

static pthread_once_t auth_sodium_once = PTHREAD_ONCE_INIT;
static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;
static char auth_dummy_hash[crypto_pwhash_STRBYTES];

void auth_configure(const struct config *c)
{
    auth_cfg.idle_minutes = c->idle_minutes > 0 ? c->idle_minutes : 30;
    auth_cfg.lock_failures = c->lock_failures > 0 ? c->lock_failures : 5;
    auth_cfg.lock_minutes = c->lock_minutes > 0 ? c->lock_minutes : 15;
    auth_cfg.password_min = c->password_min > 0 ? c->password_min : 8;
    auth_cfg.password_classes =
        c->password_classes >= 1 && c->password_classes <= 4
            ? c->password_classes
            : 3;
    pthread_mutex_lock(&auth_hash_mu);
    auth_cfg.hash_parallel = c->hash_parallel > 0 ? c->hash_parallel : 2;
    pthread_cond_broadcast(&auth_hash_cv);
    pthread_mutex_unlock(&auth_hash_mu);
    snprintf(auth_cfg.msg_min, sizeof(auth_cfg.msg_min), "密码至少需要%d个字符",
             auth_cfg.password_min);
    snprintf(auth_cfg.msg_classes, sizeof(auth_cfg.msg_classes),
             "密码需包含大写字母、小写字母、数字、符号中的至少%d类",
             auth_cfg.password_classes);
}

static void auth_sodium_init(void)
{
    if (sodium_init() < 0) {
        log_error("cannot initialise libsodium");
        abort();
    }
}

static void auth_hash_acquire(void)
{
    pthread_once(&auth_sodium_once, auth_sodium_init);
    pthread_mutex_lock(&auth_hash_mu);
    while (auth_hash_running >= auth_cfg.hash_parallel)
        pthread_cond_wait(&auth_hash_cv, &auth_hash_mu);
    auth_hash_running++;
    if (auth_hash_running > auth_hash_peak_seen)
        auth_hash_peak_seen = auth_hash_running;
    pthread_mutex_unlock(&auth_hash_mu);
}

int auth_hash_peak(void)
{
    int v;
    pthread_mutex_lock(&auth_hash_mu);
    v = auth_hash_peak_seen;
    pthread_mutex_unlock(&auth_hash_mu);
    return v;
}

void auth_hash_peak_reset(void)
{
    pthread_mutex_lock(&auth_hash_mu);
    auth_hash_peak_seen = auth_hash_running;
    pthread_mutex_unlock(&auth_hash_mu);
}

static void auth_hash_release(void)
{
    pthread_mutex_lock(&auth_hash_mu);
    auth_hash_running--;
    pthread_cond_signal(&auth_hash_cv);
    pthread_mutex_unlock(&auth_hash_mu);
}

/* ---- password policy and hashing ---- */

static int auth_password_check_field(const char *pw, const char *field,
                                     struct err *e)
{
    size_t chars = 0, bytes = 0;
    int lower = 0, upper = 0, digit = 0, other = 0;

    if (pw == NULL)
        pw = "";
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        bytes++;
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p >= 'a' && *p <= 'z')
            lower = 1;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 1;
        else if (*p >= '0' && *p <= '9')
            digit = 1;
        else
            other = 1;
    }
    if (chars < (size_t)auth_cfg.password_min)
        return err_field(e, field, auth_cfg.msg_min);
    if (chars > AUTH_PASSWORD_MAX_CHARS || bytes > AUTH_PASSWORD_MAX_BYTES)
        return err_field(e, field, "密码不能超过128个字符");
    if (lower + upper + digit + other < auth_cfg.password_classes)
        return err_field(e, field, auth_cfg.msg_classes);
    return 0;
}

int auth_password_check(const char *password, struct err *e)
{
    return auth_password_check_field(password, "password", e);
}

int auth_password_hash(const char *password, char out[128])
{
    int rc;
    auth_hash_acquire();
    rc = crypto_pwhash_str(out, password, strlen(password),
                           crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    auth_hash_release();
    if (rc != 0)
        log_error("cannot hash password: out of memory");
    return rc == 0 ? 0 : -1;
}

static void auth_dummy_init(void)
{
    char pw[33];
    digest_random_hex(pw, 16);
    if (auth_password_hash(pw, auth_dummy_hash) != 0)
        auth_dummy_hash[0] = '\0';
}

/* Spends the time of one verification, so that an unknown login or an
 * account without a password answers as slowly as a wrong password. */
static void auth_verify_dummy(const char *password)
{
    pthread_once(&auth_dummy_once, auth_dummy_init);
    if (auth_dummy_hash[0] == '\0')
        return;
    auth_hash_acquire();
    if (crypto_pwhash_str_verify(auth_dummy_hash, password, strlen(password)) ==
        0)
        log_debug("dummy password verified");
    auth_hash_release();
}

int auth_password_verify(const char *hash, const char *password)
{
    int rc;
    if (password == NULL)
        password = "";
    if (hash == NULL || hash[0] == '\0') {
        auth_verify_dummy(password);
        return 0;
    }
    auth_hash_acquire();
    rc = crypto_pwhash_str_verify(hash, password, strlen(password));
    auth_hash_release();
    return rc == 0;
}

/* ---- helpers ---- */

static int auth_store_fail(struct store *db, struct err *e, const char *what)
{
    log_error("%s: %s", what, store_errmsg(db));
    if (e != NULL)
        err_set(e, store_errcode(db) == STORE_E_BUSY ? 503 : 500, "internal",
                auth_msg_internal);
    return -1;
}

/* Appends an audit record whose detail is j (consumed; may be NULL). */
static int auth_audit(struct store *db, const struct actor *who,
                      const char *action, const char *target,
                      const char *result, json_t *j)
{
    char *detail = NULL;
    int rc;
    if (j != NULL) {
        detail = json_text(j, JSON_COMPACT);
        json_decref(j);
    }
    rc = audit_append(db, who, action, "user", target, result, detail);
    free(detail);
    return rc;
}

/* Same, in a transaction of its own. */
static int auth_audit_own(struct store *db, const struct actor *who,
                          const char *action, const char *target,
                          const char *result, json_t *j)
{
    char *detail = NULL;
    int rc;
    if (j != NULL) {
        detail = json_text(j, JSON_COMPACT);
        json_decref(j);
    }
    rc = audit_log(db, who, action, "user", target, result, detail);
    free(detail);
    return rc;
}

/* A login as we accept them: ASCII letters, digits and . _ - @, 1-64. */
static int auth_login_ok(const char *s)
{
    size_t n = 0;
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++, n++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == '@'))
            return 0;
    }
    return n <= AUTH_LOGIN_MAX;
}

static int auth_is_hex(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == n && s[i] == '\0';
}

static int64_t auth_idle_ms(void)
{
    return (int64_t)auth_cfg.idle_minutes * 60000;
}

/* An actor to audit in the name of a user who is not signed in yet. */
static void auth_pseudo_actor(struct actor *a, int64_t id, const char *login,
                              const char *ip)
{
    memset(a, 0, sizeof(*a));
    a->user_id = id;
    a->login = login;
    a->ip = ip != NULL ? ip : "";
    a->session_hash = "";
    a->csrf = "";
}

/* ---- actors ---- */

static const char AUTH_SQL_ACTOR[] =
    "SELECT u.login, u.name, u.unit_id, n.code, n.name, u.clearance"
    " FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1";

static const char AUTH_SQL_ACTOR_ROLES[] =
    "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role";

int auth_actor_load(struct store *db, struct arena *a, int64_t user_id,
                    struct actor *who)
{
    int rc = -1, s;
    struct stmt *st;

    memset(who, 0, sizeof(*who));
    st = store_prepare(db, AUTH_SQL_ACTOR);
    store_bind_int(st, 1, user_id);
    if (store_step(st) != STORE_ROW)
        goto out;
    who->user_id = user_id;
    who->login = arena_strdup(a, store_col_text(st, 0));
    who->name = arena_strdup(a, store_col_text(st, 1));
    who->unit_id = store_col_int(st, 2);
    who->unit_code = arena_strdup(a, store_col_text(st, 3));
    who->unit_name = arena_strdup(a, store_col_text(st, 4));
    who->clearance = (int)store_col_int(st, 5);
    who->ip = "";
    who->session_hash = "";
    who->csrf = "";
    store_finalize(st);

    st = store_prepare(db, AUTH_SQL_ACTOR_ROLES);
    store_bind_int(st, 1, user_id);
    while ((s = store_step(st)) == STORE_ROW && who->nroles < ACTOR_MAX_ROLES)
        who->roles[who->nroles++] = arena_strdup(a, store_col_text(st, 0));
    if (s == STORE_ERR)
        goto out;
    rc = 0;
out:
    if (store_finalize(st) != STORE_OK)
        rc = -1;
    return rc;
}

/* ---- sign-in ---- */

static const char AUTH_SQL_USER_BY_LOGIN[] =
    "SELECT id, active, password_hash, locked_until_ms FROM users"
    " WHERE login = $1";

/* One statement, so that concurrent failures (PostgreSQL, READ COMMITTED)
 * each count: the row stays locked until the transaction ends. */
static const char AUTH_SQL_COUNT_FAILURE[] =
    "UPDATE users SET failed_count = failed_count + 1 WHERE id = $1"
    " RETURNING failed_count, locked_until_ms";

static const char AUTH_SQL_LOCKED_NOW[] =
    "SELECT locked_until_ms FROM users WHERE id = $1 AND locked_until_ms > $2";

static const char AUTH_SQL_FAILED[] =
    "UPDATE users SET failed_count = $2 WHERE id = $1";

static const char AUTH_SQL_LOCK[] =
    "UPDATE users SET failed_count = 0, locked_until_ms = $2 WHERE id = $1";

static const char AUTH_SQL_LOGIN_OK[] =
    "UPDATE users SET failed_count = 0, locked_until_ms = 0 WHERE id = $1";

static const char AUTH_SQL_REHASH[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1";

static const char AUTH_SQL_SESSION_PRUNE[] =
    "DELETE FROM sessions WHERE user_id = $1 AND last_seen_ms < $2";

static const char AUTH_SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (id_hash, user_id, csrf, created_ms, last_seen_ms,"
    " ip) VALUES ($1, $2, $3, $4, $4, $5)";

static long auth_seconds_left(int64_t until, int64_t now)
{
    return (long)((until - now + 999) / 1000);
}

/* Records a wrong password in its own transaction; returns the status to
 * answer: 401, or 423 when this failure locked the account. */
static int auth_login_failed(struct store *db, const struct actor *pseudo,
                             int64_t id, const char *login, int64_t *until,
                             struct err *e)
{
    int status = 401;
    int64_t failed = 0, locked = 0, now = now_ms();
    struct stmt *st = NULL;

    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, e, "cannot begin sign-in failure");
    st = store_prepare(db, AUTH_SQL_COUNT_FAILURE);
    store_bind_int(st, 1, id);
    if (store_step(st) != STORE_ROW)
        goto fail;
    failed = store_col_int(st, 0);
    locked = store_col_int(st, 1);
    if (store_step(st) == STORE_ERR || store_finalize(st) != STORE_OK) {
        st = NULL;
        goto fail;
    }
    st = NULL;

    if (locked > now) {
        /* locked meanwhile by a concurrent attempt: the lock counts, not
         * this failure */
        *until = locked;
        status = 423;
        if (store_run(db, AUTH_SQL_FAILED, "ii", id, (int64_t)0) != STORE_OK ||
            auth_audit(db, pseudo, "auth.login", login, "failed",
                       json_pack("{s:s}", "reason", "locked")) != 0)
            goto fail;
    } else if (failed >= auth_cfg.lock_failures) {
        *until = now + (int64_t)auth_cfg.lock_minutes * 60000;
        status = 423;
        if (store_run(db, AUTH_SQL_LOCK, "ii", id, *until) != STORE_OK ||
            auth_audit(db, pseudo, "auth.login", login, "failed",
                       json_pack("{s:s,s:I}", "reason", "bad_password",
                                 "failures", (json_int_t)failed)) != 0 ||
            auth_audit(db, pseudo, "auth.lock", login, "ok",
                       json_pack("{s:I,s:I,s:i}", "failures",
                                 (json_int_t)failed, "locked_until_ms",
                                 (json_int_t)*until, "minutes",
                                 auth_cfg.lock_minutes)) != 0)
            goto fail;
    } else {
        if (auth_audit(db, pseudo, "auth.login", login, "failed",
                       json_pack("{s:s,s:I}", "reason", "bad_password",
                                 "failures", (json_int_t)failed)) != 0)
            goto fail;
    }
    if (store_commit(db) != STORE_OK)
        goto fail;
    return status;
fail:
    if (st != NULL)
        store_finalize(st);
    store_rollback(db);
    auth_store_fail(db, e, "cannot record sign-in failure");
    return 500;
}

int auth_login(struct store *db, struct arena *a, const char *login,
               const char *password, const char *ip, const char **sid,
               const char **csrf, struct actor *who, struct err *e)
{
    int rc = -1, found = 0, active = 0, needs_rehash = 0;
    int64_t id = 0, locked = 0, now;
    char hash[crypto_pwhash_STRBYTES] = "";
    char newhash[crypto_pwhash_STRBYTES] = "";
    char sidbuf[AUTH_SID_HEX + 1], csrfbuf[AUTH_SID_HEX + 1];
    char sidhash[DIGEST_HEX_LEN];
    struct actor pseudo;
    struct stmt *st = NULL;

    if (ip == NULL)
        ip = "";
    if (password == NULL)
        password = "";
    *sid = NULL;
    *csrf = NULL;
    memset(who, 0, sizeof(*who));

    if (!auth_login_ok(login)) {
        auth_verify_dummy(password);
        auth_pseudo_actor(&pseudo, 0, "", ip);
        auth_audit_own(db, &pseudo, "auth.login", "", "failed",
                       json_pack("{s:s}", "reason", "bad_login"));
        err_set(e, 401, "unauthorized", auth_msg_bad_login);
        goto out;
    }

    st = store_prepare(db, AUTH_SQL_USER_BY_LOGIN);
    store_bind_text(st, 1, login);
    int s = store_step(st);
    if (s == STORE_ROW) {
        found = 1;
        id = store_col_int(st, 0);
        active = (int)store_col_int(st, 1);
        snprintf(hash, sizeof(hash), "%s", store_col_text(st, 2));
        locked = store_col_int(st, 3);
    } else if (s != STORE_DONE) {
        auth_store_fail(db, e, "cannot read user");
        goto out;
    }
    store_finalize(st);
    st = NULL;
    auth_pseudo_actor(&pseudo, id, login, ip);

    if (!found) {
        auth_verify_dummy(password);
        auth_audit_own(db, &pseudo, "auth.login", login, "failed",
                       json_pack("{s:s}", "reason", "unknown_login"));
        err_set(e, 401, "unauthorized", auth_msg_bad_login);
        goto out;
    }
    now = now_ms();
    if (locked > now) {
        auth_audit_own(db, &pseudo, "auth.login", login, "failed",
                       json_pack("{s:s}", "reason", "locked"));
        err_set(e, 423, "locked", auth_msg_locked);
        e->retry_after = auth_seconds_left(locked, now);
        goto out;
    }
    if (!auth_password_verify(hash, password)) {
        int64_t until = 0;
        int status = auth_login_failed(db, &pseudo, id, login, &until, e);
        if (status == 423) {
            err_set(e, 423, "locked", auth_msg_locked);
            e->retry_after = auth_seconds_left(until, now_ms());
        } else if (status == 401) {
            err_set(e, 401, "unauthorized", auth_msg_bad_login);
        }
        goto out;
    }
    if (!active) {
        auth_audit_own(db, &pseudo, "auth.login", login, "failed",
                       json_pack("{s:s}", "reason", "disabled"));
        err_set(e, 403, "disabled", auth_msg_disabled);
        goto out;
    }
    if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) !=
        0) {
        if (auth_password_hash(password, newhash) == 0)
            needs_rehash = 1;
    }

    digest_random_hex(sidbuf, 32);
    digest_random_hex(csrfbuf, 32);
    digest_sha256_hex(sidbuf, AUTH_SID_HEX, sidhash);

    if (store_begin(db) != STORE_OK) {
        auth_store_fail(db, e, "cannot begin sign-in");
        goto out;
    }
    now = now_ms();
    int lq = store_query_int(db, AUTH_SQL_LOCKED_NOW, &locked, "ii", id, now);
    if (lq == STORE_ERR) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot read lock state");
        goto out;
    }
    if (lq != STORE_DONE) {
        /* locked by a concurrent attempt after we read the row */
        store_rollback(db);
        err_set(e, 423, "locked", auth_msg_locked);
        e->retry_after = 1;
        goto out;
    }
    if (store_run(db, AUTH_SQL_LOGIN_OK, "i", id) != STORE_OK ||
        (needs_rehash &&
         store_run(db, AUTH_SQL_REHASH, "it", id, newhash) != STORE_OK) ||
        store_run(db, AUTH_SQL_SESSION_PRUNE, "ii", id, now - auth_idle_ms()) !=
            STORE_OK ||
        store_run(db, AUTH_SQL_SESSION_INSERT, "titit", sidhash, id, csrfbuf,
                  now, ip) != STORE_OK ||
        auth_audit(db, &pseudo, "auth.login", login, "ok",
                   needs_rehash ? json_pack("{s:b}", "rehash", 1) : NULL) !=
            0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot record sign-in");
        goto out;
    }
    if (auth_actor_load(db, a, id, who) != 0) {
        auth_store_fail(db, e, "cannot load actor");
        goto out;
    }
    who->ip = arena_strdup(a, ip);
    who->session_hash = arena_strdup(a, sidhash);
    who->csrf = arena_strdup(a, csrfbuf);
    *sid = arena_strdup(a, sidbuf);
    *csrf = who->csrf;
    rc = 0;
out:
    if (st != NULL)
        store_finalize(st);
    sodium_memzero(sidbuf, sizeof(sidbuf));
    return rc;
}

/* ---- sessions ---- */

static const char AUTH_SQL_SESSION_GET[] =
    "SELECT s.user_id, s.csrf, s.last_seen_ms, s.ip, u.active"
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";

static const char AUTH_SQL_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE id_hash = $1";

static const char AUTH_SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_ms = $2, ip = $3 WHERE id_hash = $1";

int auth_session(struct store *db, struct arena *a, const char *sid,
                 const char *ip, struct actor *who)
{
    int rc = -1, s, active, touch;
    int64_t uid, last, now = now_ms();
    char sidhash[DIGEST_HEX_LEN];
    const char *csrf;
    struct stmt *st = NULL;

    memset(who, 0, sizeof(*who));
    if (ip == NULL)
        ip = "";
    if (sid == NULL || !auth_is_hex(sid, AUTH_SID_HEX))
        goto out;
    digest_sha256_hex(sid, AUTH_SID_HEX, sidhash);

    st = store_prepare(db, AUTH_SQL_SESSION_GET);
    store_bind_text(st, 1, sidhash);
    s = store_step(st);
    if (s != STORE_ROW) {
        if (s == STORE_ERR) {
            log_error("cannot read session: %s", store_errmsg(db));
            rc = -2; /* not "signed out": the session may well be there */
        }
        goto out;
    }
    uid = store_col_int(st, 0);
    csrf = arena_strdup(a, store_col_text(st, 1));
    last = store_col_int(st, 2);
    touch = now - last >= 1000 || strcmp(store_col_text(st, 3), ip) != 0;
    active = (int)store_col_int(st, 4);
    store_finalize(st);
    st = NULL;

    if (now - last > auth_idle_ms()) {
        store_run(db, AUTH_SQL_SESSION_DELETE, "t", sidhash);
        goto out;
    }
    if (!active)
        goto out;
    if (touch && store_run(db, AUTH_SQL_SESSION_TOUCH, "tit", sidhash, now,
                           ip) != STORE_OK)
        log_warn("cannot touch session: %s", store_errmsg(db));
    if (auth_actor_load(db, a, uid, who) != 0)
        goto out;
    who->ip = arena_strdup(a, ip);
    who->session_hash = arena_strdup(a, sidhash);
    who->csrf = csrf;
    rc = 0;
out:
    if (st != NULL)
        store_finalize(st);
    if (rc != 0)
        memset(who, 0, sizeof(*who));
    return rc;
}

int auth_logout(struct store *db, const struct actor *who)
{
    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, NULL, "cannot begin sign-out");
    if ((who->session_hash != NULL && who->session_hash[0] != '\0' &&
         store_run(db, AUTH_SQL_SESSION_DELETE, "t", who->session_hash) !=
             STORE_OK) ||
        auth_audit(db, who, "auth.logout", who->login, "ok", NULL) != 0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        return auth_store_fail(db, NULL, "cannot sign out");
    }
    return 0;
}

int auth_csrf_ok(const struct actor *who, const char *token)
{
    if (who == NULL)
        return 0;
    if (who->via_token)
        return 1;
    if (who->csrf == NULL || token == NULL ||
        strlen(who->csrf) != AUTH_SID_HEX || strlen(token) != AUTH_SID_HEX)
        return 0;
    return sodium_memcmp(who->csrf, token, AUTH_SID_HEX) == 0;
}

/* ---- passwords ---- */

static const char AUTH_SQL_HASH_BY_ID[] =
    "SELECT password_hash FROM users WHERE id = $1";

static const char AUTH_SQL_SET_PASSWORD[] =
    "UPDATE users SET password_hash = $2, password_changed_ms = $3,"
    " updated_ms = $3, failed_count = 0, locked_until_ms = 0 WHERE id = $1";

static const char AUTH_SQL_SESSIONS_END_OTHERS[] =
    "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";

static const char AUTH_SQL_SESSIONS_END_ALL[] =
    "DELETE FROM sessions WHERE user_id = $1";

int auth_password_change(struct store *db, const struct actor *who,
                         const char *old_pw, const char *new_pw, struct err *e)
{
    int rc = -1;
    char hash[crypto_pwhash_STRBYTES] = "";
    char newhash[crypto_pwhash_STRBYTES];
    struct stmt *st;
    int64_t now;

    if (who == NULL || who->user_id == 0)
        return err_set(e, 400, "invalid", "只有登录的用户才能修改自己的密码");
    if (who->via_token)
        return err_set(e, 403, "forbidden", "请登录后修改密码");
    if (old_pw == NULL)
        old_pw = "";
    if (new_pw == NULL)
        new_pw = "";

    st = store_prepare(db, AUTH_SQL_HASH_BY_ID);
    store_bind_int(st, 1, who->user_id);
    if (store_step(st) == STORE_ROW)
        snprintf(hash, sizeof(hash), "%s", store_col_text(st, 0));
    if (store_finalize(st) != STORE_OK)
        return auth_store_fail(db, e, "cannot read password");
    if (!auth_password_verify(hash, old_pw)) {
        auth_audit_own(db, who, "auth.password.change", who->login, "failed",
                       json_pack("{s:s}", "reason", "bad_old_password"));
        return err_field(e, "old_password", "原密码不正确");
    }
    if (auth_password_check_field(new_pw, "new_password", e) != 0)
        return -1;
    if (strcmp(old_pw, new_pw) == 0)
        return err_field(e, "new_password", "新密码不能与原密码相同");
    if (auth_password_hash(new_pw, newhash) != 0)
        return err_set(e, 500, "internal", auth_msg_internal);

    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, e, "cannot begin password change");
    now = now_ms();
    if (store_run(db, AUTH_SQL_SET_PASSWORD, "iti", who->user_id, newhash,
                  now) != STORE_OK ||
        store_run(db, AUTH_SQL_SESSIONS_END_OTHERS, "it", who->user_id,
                  who->session_hash != NULL ? who->session_hash : "") !=
            STORE_OK ||
        auth_audit(db, who, "auth.password.change", who->login, "ok", NULL) !=
            0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot change password");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

static const char AUTH_SQL_USER_FOR_SET[] =
    "SELECT u.id, (SELECT COUNT(*) FROM user_roles r JOIN roles o"
    " ON o.code = r.role WHERE r.user_id = u.id AND o.admin = 1)"
    " FROM users u WHERE u.login = $1";

int auth_password_set(struct store *db, const struct actor *who,
                      const char *login, const char *new_pw, struct err *e)
{
    int rc = -1, s;
    int64_t id = 0, admin = 0, now;
    char newhash[crypto_pwhash_STRBYTES];
    struct stmt *st;
    json_t *detail;

    if (!actor_is_cli(who) && !actor_has_role(who, "sysadmin"))
        return err_set(e, 403, "forbidden", "只有系统管理员可以重置密码");
    if (login == NULL)
        login = "";
    st = store_prepare(db, AUTH_SQL_USER_FOR_SET);
    store_bind_text(st, 1, login);
    s = store_step(st);
    if (s == STORE_ROW) {
        id = store_col_int(st, 0);
        admin = store_col_int(st, 1);
    }
    if (store_finalize(st) != STORE_OK)
        return auth_store_fail(db, e, "cannot read user");
    if (id == 0)
        return err_set(e, 404, "not_found", "用户不存在");
    if (admin > 0 && !actor_is_cli(who))
        /* 三员分立: a sysadmin must not take over another administrator */
        return err_set(e, 403, "forbidden",
                       "管理员账号的密码只能在服务器上用命令行重置");
    if (auth_password_check(new_pw, e) != 0)
        return -1;
    if (auth_password_hash(new_pw, newhash) != 0)
        return err_set(e, 500, "internal", auth_msg_internal);

    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, e, "cannot begin password reset");
    now = now_ms();
    detail = json_pack("{s:b}", "sessions_ended", 1);
    if (store_run(db, AUTH_SQL_SET_PASSWORD, "iti", id, newhash, now) !=
            STORE_OK ||
        store_run(db, AUTH_SQL_SESSIONS_END_ALL, "i", id) != STORE_OK ||
        auth_audit(db, who, "auth.password.set", login, "ok", detail) != 0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot set password");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* ---- API tokens ---- */

static const char AUTH_SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_ms)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

static const char AUTH_SQL_TOKEN_LIST[] =
    "SELECT id, name, prefix, created_ms, last_used_ms, revoked_ms"
    " FROM api_tokens WHERE user_id = $1 ORDER BY id DESC";

static const char AUTH_SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_ms = $3"
    " WHERE id = $1 AND user_id = $2 AND revoked_ms = 0";

static const char AUTH_SQL_TOKEN_GET[] =
    "SELECT t.id, t.user_id, t.revoked_ms, t.last_used_ms, u.active"
    " FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = $1";

static const char AUTH_SQL_TOKEN_TOUCH[] =
    "UPDATE api_tokens SET last_used_ms = $2 WHERE id = $1";

/* 1 when s is valid UTF-8 of 1..max characters without control codes. */
static int auth_name_ok(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    if (s == NULL)
        return 0;
    while (*p) {
        int n;
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        if (*p < 0x80)
            n = 0;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            n = 1;
        else if ((*p & 0xF0) == 0xE0)
            n = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            n = 3;
        else
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
        chars++;
    }
    return chars >= 1 && chars <= max;
}

int auth_token_create(struct store *db, struct arena *a,
                      const struct actor *who, const char *name,
                      const char **secret, struct api_token *out, struct err *e)
{
    int rc = -1;
    char tok[AUTH_TOKEN_LEN + 1], hash[DIGEST_HEX_LEN], prefix[9];
    struct stmt *st = NULL;
    int64_t now, id = 0;

    *secret = NULL;
    memset(out, 0, sizeof(*out));
    if (who == NULL || who->user_id == 0)
        return err_set(e, 400, "invalid", "只有登录的用户才能创建令牌");
    if (!auth_name_ok(name, AUTH_TOKEN_NAME_MAX))
        return err_field(e, "name", "请填写令牌名称（不超过64个字符）");

    memcpy(tok, "snu_", 4);
    digest_random_hex(tok + 4, 32);
    digest_sha256_hex(tok, AUTH_TOKEN_LEN, hash);
    memcpy(prefix, tok, 8);
    prefix[8] = '\0';

    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, e, "cannot begin token creation");
    now = now_ms();
    st = store_prepare(db, AUTH_SQL_TOKEN_INSERT);
    store_bind_int(st, 1, who->user_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, prefix);
    store_bind_text(st, 4, hash);
    store_bind_int(st, 5, now);
    if (store_step(st) == STORE_ROW)
        id = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK || id == 0 ||
        auth_audit(db, who, "auth.token.create", who->login, "ok",
                   json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name",
                             name, "prefix", prefix)) != 0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot create token");
        goto out;
    }
    out->id = id;
    out->name = arena_strdup(a, name);
    out->prefix = arena_strdup(a, prefix);
    out->created_ms = now;
    *secret = arena_strdup(a, tok);
    rc = 0;
out:
    sodium_memzero(tok, sizeof(tok));
    return rc;
}

int auth_token_list(struct store *db, struct arena *a, const struct actor *who,
                    struct api_token **out, int *n, struct err *e)
{
    int s, cap = 16, count = 0;
    struct api_token *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
    struct stmt *st;

    *out = NULL;
    *n = 0;
    st = store_prepare(db, AUTH_SQL_TOKEN_LIST);
    store_bind_int(st, 1, who != NULL ? who->user_id : 0);
    while ((s = store_step(st)) == STORE_ROW) {
        if (count == cap) {
            struct api_token *w = arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, v, sizeof(*v) * (size_t)cap);
            v = w;
            cap *= 2;
        }
        v[count].id = store_col_int(st, 0);
        v[count].name = arena_strdup(a, store_col_text(st, 1));
        v[count].prefix = arena_strdup(a, store_col_text(st, 2));
        v[count].created_ms = store_col_int(st, 3);
        v[count].last_used_ms = store_col_int(st, 4);
        v[count].revoked_ms = store_col_int(st, 5);
        count++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return auth_store_fail(db, e, "cannot list tokens");
    *out = v;
    *n = count;
    return 0;
}

int auth_token_revoke(struct store *db, const struct actor *who, int64_t id,
                      struct err *e)
{
    int rc = -1;
    int64_t changed = 0;
    char target[32];
    struct stmt *st;

    if (who == NULL || who->user_id == 0)
        return err_set(e, 404, "not_found", "令牌不存在");
    if (store_begin(db) != STORE_OK)
        return auth_store_fail(db, e, "cannot begin token revocation");
    st = store_prepare(db, AUTH_SQL_TOKEN_REVOKE);
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, who->user_id);
    store_bind_int(st, 3, now_ms());
    if (store_step(st) == STORE_DONE)
        changed = store_changes(st);
    else
        changed = -1;
    if (store_finalize(st) != STORE_OK || changed < 0) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot revoke token");
        goto out;
    }
    if (changed == 0) {
        store_rollback(db);
        err_set(e, 404, "not_found", "令牌不存在或已撤销");
        goto out;
    }
    snprintf(target, sizeof(target), "%lld", (long long)id);
    if (auth_audit(db, who, "auth.token.revoke", who->login, "ok",
                   json_pack("{s:I}", "id", (json_int_t)id)) != 0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        auth_store_fail(db, e, "cannot revoke token");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int auth_token_resolve(struct store *db, struct arena *a, const char *secret,
                       const char *ip, struct actor *who)
{
    int rc = -1;
    int64_t id, uid, revoked, last, active, now = now_ms();
    char hash[DIGEST_HEX_LEN];
    struct stmt *st = NULL;

    memset(who, 0, sizeof(*who));
    if (secret == NULL || strncmp(secret, "snu_", 4) != 0 ||
        !auth_is_hex(secret + 4, AUTH_TOKEN_LEN - 4))
        goto out;
    digest_sha256_hex(secret, AUTH_TOKEN_LEN, hash);
    st = store_prepare(db, AUTH_SQL_TOKEN_GET);
    store_bind_text(st, 1, hash);
    if (store_step(st) != STORE_ROW)
        goto out;
    id = store_col_int(st, 0);
    uid = store_col_int(st, 1);
    revoked = store_col_int(st, 2);
    last = store_col_int(st, 3);
    active = store_col_int(st, 4);
    store_finalize(st);
    st = NULL;
    if (revoked != 0 || !active)
        goto out;
    if (now - last >= 60000 &&
        store_run(db, AUTH_SQL_TOKEN_TOUCH, "ii", id, now) != STORE_OK)
        log_warn("cannot touch token: %s", store_errmsg(db));
    if (auth_actor_load(db, a, uid, who) != 0)
        goto out;
    who->ip = arena_strdup(a, ip != NULL ? ip : "");
    who->via_token = 1;
    rc = 0;
out:
    if (st != NULL)
        store_finalize(st);
    if (rc != 0)
        memset(who, 0, sizeof(*who));
    return rc;
}
