/*
 * audit.h - the append-only audit trail, chained with SM3.
 *
 * Every sign-in, failure, lock, sign-out, admin action and every write
 * appends one record: when, who (id and login), from where, the action
 * ("auth.login", "org.unit.create", ...), the target (type and id or code),
 * the outcome ("ok" / "denied" / "failed") and a detail JSON with before and
 * after.  Each record stores prev_hash (the hash of the record before it,
 * 64 zeros for the first) and hash = SM3(prev_hash | seq | fields...), so a
 * record altered or removed breaks the chain at that point.
 *
 * audit_append() must run inside the caller's transaction (the write and its
 * record commit together); it takes the store's "audit" lock so appends are
 * serialised and the chain has no forks.  audit_log() opens its own
 * transaction, for events that are not part of a write (a failed sign-in).
 *
 * The hash input is the canonical serialisation of the fields, each written
 * as its length in bytes, ':', the bytes, ';' (integers as decimal text):
 *     prev_hash seq at_ms actor_id actor_login ip action target_type target
 *     result detail
 * so no choice of field values can make two different records hash alike.
 * A missing detail is stored (and hashed) as "".
 *
 * Only the auditor reads the trail (audit_list); no code updates or deletes it.
 */
#ifndef SHUNIU_AUDIT_H
#define SHUNIU_AUDIT_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

/* The key of store_tx_lock() that serialises appends to the chain. */
#define AUDIT_LOCK_KEY 0x7368756e69754155LL /* "shuniuAU" */

struct audit_rec {
    int64_t seq;
    int64_t at_ms;
    int64_t actor_id;
    const char *actor_login;
    const char *ip;
    const char *action;
    const char *target_type;
    const char *target;
    const char *result;
    const char *detail;     /* JSON text, e.g. {"before":{...},"after":{...}} */
    const char *prev_hash;
    const char *hash;
};

/* Appends inside the open transaction.  detail may be NULL.  0 / -1. */
int audit_append(struct store *db, const struct actor *who,
                 const char *action, const char *target_type,
                 const char *target, const char *result, const char *detail);
/* Appends in a transaction of its own. */
int audit_log(struct store *db, const struct actor *who, const char *action,
              const char *target_type, const char *target, const char *result,
              const char *detail);

struct audit_filter {
    const char *actor;   /* login, exact */
    const char *action;  /* prefix, e.g. "auth." */
    const char *result;
    int64_t from_ms, to_ms; /* 0: open */
    int limit, offset;   /* newest first */
};
/* Records matching f (NULL: all), newest first; limit <= 0 means 50, at most
 * 1000.  *total is the number matching without paging.  Records and their
 * strings live in the arena.  Callers check audit_can_read() first. */
int audit_list(struct store *db, struct arena *a, const struct audit_filter *f,
               struct audit_rec **out, int *n, int *total, struct err *e);

/* 1 when the actor may read the trail: the auditor, or the CLI operator. */
int audit_can_read(const struct actor *who);
/* The hash of a record as audit_append() computes it (rec->hash ignored). */
void audit_hash(const struct audit_rec *rec, char out[65]);

/* Verifies the whole chain.  0 when intact (*count = records checked);
 * -1 with *bad_seq = the first record whose hash or link is wrong (or the
 * first missing sequence number) and in msg a Chinese phrase that reads on
 * from "第 N 条记录" ("的内容与哈希不符，记录已被改动"). */
int audit_verify(struct store *db, int64_t *count, int64_t *bad_seq,
                 char *msg, size_t msglen);

#endif
