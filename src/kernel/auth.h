/*
 * auth.h - sign-in, sessions, API tokens, CSRF, password policy.
 *
 * Passwords: argon2id (libsodium crypto_pwhash_str, INTERACTIVE limits).
 * Hashing takes ~80 ms and 64 MiB, so at most `hash_parallel` hashes run at
 * once (a counting semaphore); callers on event threads must not call the
 * hashing functions directly (web/ runs them on its worker pool).
 *
 * Lock-out: after `lock_failures` wrong passwords in a row the account is
 * locked for `lock_minutes`; during the lock even the right password is
 * refused (423 with the seconds left).  A success resets the count.
 *
 * Sessions: 32 random bytes (64 hex digits) in the cookie; only the SHA-256
 * of the id is stored.  Idle timeout `idle_minutes`; a new id at every
 * sign-in.  Each session carries a CSRF token (32 random bytes, hex) that
 * every state-changing request must echo (form field `_csrf` or header
 * X-CSRF-Token).
 *
 * API tokens: "snu_" + 64 hex digits, shown once at creation; only the hash
 * is stored; created and revoked by their owner; not subject to CSRF.
 *
 * Every sign-in, failure, lock, sign-out, token creation and revocation is
 * audited.  Times come from now_ms().
 */
#ifndef SHUNIU_AUTH_H
#define SHUNIU_AUTH_H

#include <stdint.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

/* Reads the policy numbers from the config; call once at start. */
void auth_configure(const struct config *c);

/* Password policy: 0 ok, -1 with a Chinese reason in e (field "password"). */
int auth_password_check(const char *password, struct err *e);
/* argon2id hash string into out (crypto_pwhash_STRBYTES = 128).  0 / -1. */
int auth_password_hash(const char *password, char out[128]);
/* 1 match, 0 no match (also for an empty hash: an account without a
 * password, after spending the time of a verification). */
int auth_password_verify(const char *hash, const char *password);
/* The most hashes seen running at once since the last reset (tests and
 * statistics: never above hash_parallel). */
int auth_hash_peak(void);
void auth_hash_peak_reset(void);

/* Signs in.  On success fills *sid (64 hex digits, arena-owned: the cookie
 * value), *csrf and the actor; returns 0.  On failure returns -1 with
 * e->status 401 (bad credentials, same message "用户名或密码错误" for an
 * unknown login, a wrong password and an account without a password), 423
 * (locked; e->retry_after seconds; the failure that reaches lock_failures
 * already answers 423) or 403 (disabled; only told after the right
 * password).  Every outcome is audited ("auth.login" ok/failed,
 * "auth.lock"). */
int auth_login(struct store *db, struct arena *a, const char *login,
               const char *password, const char *ip, const char **sid,
               const char **csrf, struct actor *who, struct err *e);
/* Resolves a session cookie into an actor and touches its last-seen time.
 * 0 ok; -1 when unknown, expired (idle) or the user is disabled; -2 when
 * the database could not be read (the caller answers 503, not 401). */
int auth_session(struct store *db, struct arena *a, const char *sid,
                 const char *ip, struct actor *who);
/* Ends the session (audited). */
int auth_logout(struct store *db, const struct actor *who);
/* Changes one's own password (checks the old one and the policy); ends the
 * person's other sessions.  Errors name the field "old_password" (wrong,
 * audited as failed) or "new_password" (policy, or same as the old one);
 * 403 through an API token. */
int auth_password_change(struct store *db, const struct actor *who,
                         const char *old_pw, const char *new_pw,
                         struct err *e);
/* Sets a password without the old one (CLI `user passwd`, sysadmin reset);
 * clears the lock and ends the person's sessions.  Audited.  A sysadmin
 * may not reset the password of an administrator (三员分立: only the CLI
 * operator can), 403. */
int auth_password_set(struct store *db, const struct actor *who,
                      const char *login, const char *new_pw, struct err *e);

/* 1 when the token matches the actor's session CSRF token (constant time);
 * 1 for an actor authenticated by an API token (not subject to CSRF). */
int auth_csrf_ok(const struct actor *who, const char *token);

/* API tokens. */
struct api_token {
    int64_t id;
    const char *name;
    const char *prefix;   /* first 8 characters, to recognise it */
    int64_t created_ms, last_used_ms, revoked_ms;
};
/* Creates a token for the actor; *secret is the full token, shown once. */
int auth_token_create(struct store *db, struct arena *a,
                      const struct actor *who, const char *name,
                      const char **secret, struct api_token *out,
                      struct err *e);
int auth_token_list(struct store *db, struct arena *a,
                    const struct actor *who, struct api_token **out, int *n,
                    struct err *e);
/* Revokes one of the actor's own tokens. */
int auth_token_revoke(struct store *db, const struct actor *who, int64_t id,
                      struct err *e);
/* Resolves "Authorization: Bearer <secret>"; 0 ok, -1 unknown/revoked. */
int auth_token_resolve(struct store *db, struct arena *a, const char *secret,
                       const char *ip, struct actor *who);

/* Fills the actor of a user id (roles, unit, clearance); ip, session_hash
 * and csrf are "".  Does not look at active.  0 / -1. */
int auth_actor_load(struct store *db, struct arena *a, int64_t user_id,
                    struct actor *who);

#endif
