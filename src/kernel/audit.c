/*
 * audit.c - the audit trail, a hash chain over the audit table (see audit.h).
 *
 * Appending (audit_append, inside the caller's transaction):
 *     store_tx_lock(AUDIT_LOCK_KEY)  -> no other writer appends meanwhile
 *     read the last seq and hash     -> seq + 1, prev_hash (64 zeros if none)
 *     hash = SM3(canonical fields)   -> INSERT
 * The record commits or rolls back with the write it describes.
 *
 * Verifying (audit_verify) walks the table in seq order and stops at the
 * first record that does not follow: a seq that is not the previous one plus
 * one (a removed record), a prev_hash that is not the previous record's hash
 * (a removed or reordered record), or a hash that does not match the fields
 * (an altered record).
 */
#include "kernel/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/log.h"
#include "base/now.h"

#define AUDIT_ZERO_HASH                                                        \
    "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_MAX_DETAIL ((size_t)1 << 20)

static const char AUDIT_SQL_LAST[] =
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";

/* The chain's head (its last seq and hash), kept beside the chain so that
 * removing records from its end is found too: the walk alone cannot tell
 * a chain cut short from a shorter chain. */
static const char AUDIT_SQL_HEAD_SET[] =
    "INSERT INTO settings (key, value) VALUES ('audit.head', $1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char AUDIT_SQL_HEAD_GET[] =
    "SELECT value FROM settings WHERE key = 'audit.head'";

static const char AUDIT_SQL_INSERT[] =
    "INSERT INTO audit (seq, at_ms, actor_id, actor_login, ip, action,"
    " target_type, target, result, detail, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

static const char *audit_str(const char *s)
{
    return s != NULL ? s : "";
}

static void audit_put_field(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (buf_printf(b, "%zu:", n) != 0 || buf_append(b, s, n) != 0 ||
        buf_putc(b, ';') != 0) {
        /* the cap is far above any record we accept */
        log_error("audit record too large to hash");
    }
}

static void audit_put_int(struct buf *b, int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    audit_put_field(b, tmp);
}

void audit_hash(const struct audit_rec *r, char out[65])
{
    struct buf b;
    buf_init(&b, 0);
    audit_put_field(&b, audit_str(r->prev_hash));
    audit_put_int(&b, r->seq);
    audit_put_int(&b, r->at_ms);
    audit_put_int(&b, r->actor_id);
    audit_put_field(&b, audit_str(r->actor_login));
    audit_put_field(&b, audit_str(r->ip));
    audit_put_field(&b, audit_str(r->action));
    audit_put_field(&b, audit_str(r->target_type));
    audit_put_field(&b, audit_str(r->target));
    audit_put_field(&b, audit_str(r->result));
    audit_put_field(&b, audit_str(r->detail));
    digest_sm3_hex(b.ptr, b.len, out);
    buf_free(&b);
}

int audit_append(struct store *db, const struct actor *who, const char *action,
                 const char *target_type, const char *target,
                 const char *result, const char *detail)
{
    int rc = -1;
    struct stmt *st = NULL;
    struct actor sys;
    struct audit_rec r;
    char prev[DIGEST_HEX_LEN] = AUDIT_ZERO_HASH;
    char hash[DIGEST_HEX_LEN];
    int64_t last = 0;

    if (who == NULL) {
        actor_system(&sys);
        who = &sys;
    }
    if (!store_in_tx(db)) {
        log_error("audit append outside a transaction: %s", audit_str(action));
        goto out;
    }
    if (detail != NULL && strlen(detail) > AUDIT_MAX_DETAIL) {
        log_error("audit detail too large: %s", audit_str(action));
        goto out;
    }
    if (store_tx_lock(db, AUDIT_LOCK_KEY) != STORE_OK) {
        log_error("cannot lock audit chain: %s", store_errmsg(db));
        goto out;
    }

    st = store_prepare(db, AUDIT_SQL_LAST);
    int s = store_step(st);
    if (s == STORE_ROW) {
        last = store_col_int(st, 0);
        snprintf(prev, sizeof(prev), "%s", store_col_text(st, 1));
    } else if (s != STORE_DONE) {
        log_error("cannot read audit chain: %s", store_errmsg(db));
        goto out;
    }
    store_finalize(st);
    st = NULL;

    memset(&r, 0, sizeof(r));
    r.seq = last + 1;
    r.at_ms = now_ms();
    r.actor_id = who->user_id;
    r.actor_login = audit_str(who->login);
    r.ip = audit_str(who->ip);
    r.action = audit_str(action);
    r.target_type = audit_str(target_type);
    r.target = audit_str(target);
    r.result = result != NULL ? result : "ok";
    r.detail = audit_str(detail);
    r.prev_hash = prev;
    audit_hash(&r, hash);

    st = store_prepare(db, AUDIT_SQL_INSERT);
    store_bind_int(st, 1, r.seq);
    store_bind_int(st, 2, r.at_ms);
    store_bind_int(st, 3, r.actor_id);
    store_bind_text(st, 4, r.actor_login);
    store_bind_text(st, 5, r.ip);
    store_bind_text(st, 6, r.action);
    store_bind_text(st, 7, r.target_type);
    store_bind_text(st, 8, r.target);
    store_bind_text(st, 9, r.result);
    store_bind_text(st, 10, r.detail);
    store_bind_text(st, 11, r.prev_hash);
    store_bind_text(st, 12, hash);
    if (store_step(st) != STORE_DONE) {
        log_error("cannot append audit record: %s", store_errmsg(db));
        goto out;
    }
    store_finalize(st);
    st = NULL;
    char head[32 + DIGEST_HEX_LEN];
    snprintf(head, sizeof(head), "%" PRId64 ":%s", r.seq, hash);
    if (store_run(db, AUDIT_SQL_HEAD_SET, "t", head) != STORE_OK) {
        log_error("cannot record audit head: %s", store_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    if (st != NULL && store_finalize(st) != STORE_OK)
        rc = -1;
    return rc;
}

int audit_log(struct store *db, const struct actor *who, const char *action,
              const char *target_type, const char *target, const char *result,
              const char *detail)
{
    if (store_in_tx(db))
        return audit_append(db, who, action, target_type, target, result,
                            detail);
    if (store_begin(db) != STORE_OK) {
        log_error("cannot begin audit transaction: %s", store_errmsg(db));
        return -1;
    }
    if (audit_append(db, who, action, target_type, target, result, detail) !=
            0 ||
        store_commit(db) != STORE_OK) {
        store_rollback(db);
        return -1;
    }
    return 0;
}

int audit_can_read(const struct actor *who)
{
    return actor_is_cli(who) || actor_has_role(who, "auditor");
}

/* One WHERE for the list and its count; empty text filters match all. */
#define AUDIT_WHERE                                                            \
    " WHERE (CAST($1 AS TEXT) = '' OR actor_login = $1)"                       \
    " AND (CAST($2 AS TEXT) = ''"                                              \
    "      OR substr(action, 1, length(CAST($2 AS TEXT))) = $2)"               \
    " AND (CAST($3 AS TEXT) = '' OR result = $3)"                              \
    " AND at_ms >= $4 AND at_ms < $5"

static const char AUDIT_SQL_LIST[] =
    "SELECT seq, at_ms, actor_id, actor_login, ip, action, target_type,"
    " target, result, detail, prev_hash, hash FROM audit" AUDIT_WHERE
    " ORDER BY seq DESC LIMIT $6 OFFSET $7";

static const char AUDIT_SQL_COUNT[] = "SELECT COUNT(*) FROM audit" AUDIT_WHERE;

static void audit_bind_filter(struct stmt *st, const struct audit_filter *f)
{
    store_bind_text(st, 1, f != NULL ? audit_str(f->actor) : "");
    store_bind_text(st, 2, f != NULL ? audit_str(f->action) : "");
    store_bind_text(st, 3, f != NULL ? audit_str(f->result) : "");
    store_bind_int(st, 4, f != NULL && f->from_ms > 0 ? f->from_ms : 0);
    store_bind_int(st, 5, f != NULL && f->to_ms > 0 ? f->to_ms : INT64_MAX);
}

static void audit_read_row(struct stmt *st, struct arena *a,
                           struct audit_rec *r)
{
    r->seq = store_col_int(st, 0);
    r->at_ms = store_col_int(st, 1);
    r->actor_id = store_col_int(st, 2);
    r->actor_login = arena_strdup(a, store_col_text(st, 3));
    r->ip = arena_strdup(a, store_col_text(st, 4));
    r->action = arena_strdup(a, store_col_text(st, 5));
    r->target_type = arena_strdup(a, store_col_text(st, 6));
    r->target = arena_strdup(a, store_col_text(st, 7));
    r->result = arena_strdup(a, store_col_text(st, 8));
    r->detail = arena_strdup(a, store_col_text(st, 9));
    r->prev_hash = arena_strdup(a, store_col_text(st, 10));
    r->hash = arena_strdup(a, store_col_text(st, 11));
}

int audit_list(struct store *db, struct arena *a, const struct audit_filter *f,
               struct audit_rec **out, int *n, int *total, struct err *e)
{
    int rc = -1, s;
    struct stmt *st = NULL;
    int limit = f != NULL ? f->limit : 0;
    int offset = f != NULL && f->offset > 0 ? f->offset : 0;
    int count = 0;
    struct audit_rec *recs;

    if (limit <= 0)
        limit = 50;
    if (limit > 1000)
        limit = 1000;
    *out = NULL;
    *n = 0;
    if (total != NULL) {
        int64_t t = 0;
        st = store_prepare(db, AUDIT_SQL_COUNT);
        audit_bind_filter(st, f);
        if (store_step(st) != STORE_ROW)
            goto fail;
        t = store_col_int(st, 0);
        *total = t > INT32_MAX ? INT32_MAX : (int)t;
        store_finalize(st);
        st = NULL;
    }
    recs = arena_alloc(a, sizeof(*recs) * (size_t)limit);
    st = store_prepare(db, AUDIT_SQL_LIST);
    audit_bind_filter(st, f);
    store_bind_int(st, 6, limit);
    store_bind_int(st, 7, offset);
    while ((s = store_step(st)) == STORE_ROW && count < limit)
        audit_read_row(st, a, &recs[count++]);
    if (s == STORE_ERR)
        goto fail;
    *out = recs;
    *n = count;
    rc = 0;
    goto out;
fail:
    log_error("cannot list audit records: %s", store_errmsg(db));
    err_set(e, 500, "internal", "系统内部错误，请稍后再试");
out:
    if (st != NULL)
        store_finalize(st);
    return rc;
}

static const char AUDIT_SQL_ALL[] =
    "SELECT seq, at_ms, actor_id, actor_login, ip, action, target_type,"
    " target, result, detail, prev_hash, hash FROM audit ORDER BY seq";

/* Compares the end of the walked chain (last seq `count`, hash `last`)
 * with the recorded head; 0 when they agree or no head was ever recorded
 * (a database from before the head existed). */
static int audit_check_head(struct store *db, int64_t count, const char *last,
                            int64_t *bad_seq, char *msg, size_t msglen)
{
    int rc = 0;
    struct stmt *st = store_prepare(db, AUDIT_SQL_HEAD_GET);
    int s = store_step(st);
    if (s == STORE_ROW) {
        const char *v = store_col_text(st, 0), *colon = strchr(v, ':');
        int64_t seq = strtoll(v, NULL, 10);
        if (colon == NULL || seq < count) {
            *bad_seq = count;
            snprintf(msg, msglen, "之后的链尾记录无法核对（链尾标记已损坏）");
            rc = -1;
        } else if (seq > count) {
            *bad_seq = count + 1;
            snprintf(msg, msglen,
                     "及之后的记录缺失（链尾应为第 %" PRId64 " 条），记录已被删除",
                     seq);
            rc = -1;
        } else if (strcmp(colon + 1, last) != 0) {
            *bad_seq = count;
            snprintf(msg, msglen, "与链尾标记的哈希不符，记录已被改动");
            rc = -1;
        }
    } else if (s != STORE_DONE) {
        snprintf(msg, msglen, "无法读取链尾标记：%s", store_errmsg(db));
        rc = -1;
    }
    store_finalize(st);
    return rc;
}

int audit_verify(struct store *db, int64_t *count, int64_t *bad_seq, char *msg,
                 size_t msglen)
{
    int rc = -1, s;
    struct stmt *st = NULL;
    char prev[DIGEST_HEX_LEN] = AUDIT_ZERO_HASH;
    char hash[DIGEST_HEX_LEN];
    int64_t expect = 1;
    struct audit_rec r;

    *count = 0;
    *bad_seq = 0;
    if (msglen > 0)
        msg[0] = '\0';
    st = store_prepare(db, AUDIT_SQL_ALL);
    while ((s = store_step(st)) == STORE_ROW) {
        memset(&r, 0, sizeof(r));
        r.seq = store_col_int(st, 0);
        r.at_ms = store_col_int(st, 1);
        r.actor_id = store_col_int(st, 2);
        r.actor_login = store_col_text(st, 3);
        r.ip = store_col_text(st, 4);
        r.action = store_col_text(st, 5);
        r.target_type = store_col_text(st, 6);
        r.target = store_col_text(st, 7);
        r.result = store_col_text(st, 8);
        r.detail = store_col_text(st, 9);
        r.prev_hash = store_col_text(st, 10);
        r.hash = store_col_text(st, 11);
        if (r.seq != expect) {
            *bad_seq = expect;
            snprintf(msg, msglen,
                     "缺失（其后为第 %" PRId64 " 条），记录已被删除", r.seq);
            goto out;
        }
        if (strcmp(r.prev_hash, prev) != 0) {
            *bad_seq = r.seq;
            snprintf(msg, msglen, "与前一条记录的哈希链接不符");
            goto out;
        }
        audit_hash(&r, hash);
        if (strcmp(hash, r.hash) != 0) {
            *bad_seq = r.seq;
            snprintf(msg, msglen, "的内容与哈希不符，记录已被改动");
            goto out;
        }
        snprintf(prev, sizeof(prev), "%s", r.hash);
        expect++;
        (*count)++;
    }
    if (s != STORE_DONE) {
        snprintf(msg, msglen, "无法读取：%s", store_errmsg(db));
        goto out;
    }
    store_finalize(st);
    st = NULL;
    if (audit_check_head(db, *count, prev, bad_seq, msg, msglen) != 0)
        goto out;
    rc = 0;
out:
    store_finalize(st);
    return rc;
}
