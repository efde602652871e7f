/*
 * number.c - case numbers (see number.h).
 *
 * Life of a number:
 *     taken     number_take(): INSERT the (pattern, year) row if missing,
 *               UPDATE numbers SET last = last + 1 ... RETURNING last, and
 *               a number_log row -- all in the caller's transaction, so a
 *               rollback returns the number and the sequence stays
 *               gapless
 *     void      number_void(): voided_by / voided_why / voided_ms set on its
 *               number_log row, with an audit record; the sequence does
 *               not move back, so the number is never reused
 *
 * Concurrency: on SQLite BEGIN IMMEDIATE already serialises writers; on
 * PostgreSQL the UPDATE's row lock does, and store_tx_lock on a key derived
 * from the pattern also covers the first INSERT of a new year.
 */
#include "kernel/number.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"

#define NUMBER_WIDTH_MAX 12
#define NUMBER_WHY_MAX 500

/* One word of a pattern at p: 'y' {year}, 'n' {n} / {n:0W} (width in *w),
 * 0 for a plain byte, -1 for a malformed word; *len is its length. */
static int number_word(const char *p, size_t *len, int *w)
{
    *w = 0;
    if (*p == '}')
        return -1;
    if (*p != '{') {
        *len = 1;
        return 0;
    }
    if (strncmp(p, "{year}", 6) == 0) {
        *len = 6;
        return 'y';
    }
    if (strncmp(p, "{n}", 3) == 0) {
        *len = 3;
        return 'n';
    }
    if (strncmp(p, "{n:0", 4) == 0) {
        const char *q = p + 4;
        int width = 0, digits = 0;
        while (*q >= '0' && *q <= '9' && digits < 3) {
            width = width * 10 + (*q - '0');
            q++;
            digits++;
        }
        if (digits == 0 || *q != '}' || width < 1 || width > NUMBER_WIDTH_MAX)
            return -1;
        *w = width;
        *len = (size_t)(q + 1 - p);
        return 'n';
    }
    return -1;
}

int number_pattern_ok(const char *pattern)
{
    int ns = 0, years = 0;
    if (pattern == NULL || *pattern == '\0' || strlen(pattern) > 200)
        return 0;
    for (const char *p = pattern; *p;) {
        size_t len;
        int w, k = number_word(p, &len, &w);
        if (k < 0)
            return 0;
        ns += k == 'n';
        years += k == 'y';
        p += len;
    }
    return ns == 1 && years <= 1;
}

char *number_format(struct arena *a, const char *pattern, int year, int64_t n)
{
    struct buf b;
    char *out = NULL;
    int bad = 0;

    if (!number_pattern_ok(pattern) || n < 1)
        return NULL;
    buf_init(&b, 1024);
    for (const char *p = pattern; *p && !bad;) {
        size_t len = 0;
        int w, k = number_word(p, &len, &w);
        if (k == 'y')
            bad = buf_printf(&b, "%04d", year);
        else if (k == 'n')
            bad = buf_printf(&b, "%0*" PRId64, w, n);
        else
            bad = buf_append(&b, p, len);
        p += len;
    }
    if (!bad)
        out = arena_strndup(a, b.ptr, b.len);
    buf_free(&b);
    return out;
}

/* FNV-1a of the pattern: the key of store_tx_lock, apart from the audit's
 * key by its top bits. */
static int64_t number_lock_key(const char *pattern)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)pattern; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (int64_t)((h & 0x0000ffffffffffffULL) | 0x4e55000000000000ULL);
}

static const char NUMBER_SQL_SEED[] =
    "INSERT INTO numbers (pattern, year, last) VALUES ($1, $2, 0)"
    " ON CONFLICT (pattern, year) DO NOTHING";

static const char NUMBER_SQL_NEXT[] =
    "UPDATE numbers SET last = last + 1 WHERE pattern = $1 AND year = $2"
    " RETURNING last";

static const char NUMBER_SQL_LOG[] =
    "INSERT INTO number_log (pattern, year, n, case_id, taken_ms)"
    " VALUES ($1, $2, $3, $4, $5)";

int number_take(struct store *db, const char *pattern, int year,
                int64_t case_id, int64_t *n)
{
    int rc = -1;
    struct stmt *st = NULL;

    *n = 0;
    if (!store_in_tx(db) || !number_pattern_ok(pattern)) {
        log_error("number_take: %s",
                  !store_in_tx(db) ? "no transaction" : "malformed pattern");
        goto out;
    }
    if (store_tx_lock(db, number_lock_key(pattern)) != STORE_OK ||
        store_run(db, NUMBER_SQL_SEED, "ti", pattern, (int64_t)year) !=
            STORE_OK ||
        store_query_int(db, NUMBER_SQL_NEXT, n, "ti", pattern, (int64_t)year) !=
            STORE_ROW)
        goto out;
    st = store_prepare(db, NUMBER_SQL_LOG);
    store_bind_text(st, 1, pattern);
    store_bind_int(st, 2, year);
    store_bind_int(st, 3, *n);
    if (case_id > 0)
        store_bind_int(st, 4, case_id);
    else
        store_bind_null(st, 4);
    store_bind_int(st, 5, now_ms());
    if (store_step(st) != STORE_DONE)
        goto out;
    rc = 0;
out:
    if (store_finalize(st) != STORE_OK)
        rc = -1;
    if (rc != 0) {
        log_error("cannot take a number of %s: %s", pattern ? pattern : "",
                  store_errmsg(db));
        *n = 0;
    }
    return rc;
}

static const char NUMBER_SQL_STATE[] =
    "SELECT CASE WHEN voided_ms > 0 THEN 1 ELSE 0 END FROM number_log"
    " WHERE pattern = $1 AND year = $2 AND n = $3";

static const char NUMBER_SQL_VOID[] =
    "UPDATE number_log SET voided_by = $4, voided_why = $5, voided_ms = $6"
    " WHERE pattern = $1 AND year = $2 AND n = $3 AND voided_ms = 0";

int number_is_void(struct store *db, const char *pattern, int year, int64_t n)
{
    int64_t v = 0;
    int rc = store_query_int(db, NUMBER_SQL_STATE, &v, "tii", pattern,
                             (int64_t)year, n);
    if (rc == STORE_ERR)
        return -1;
    return rc == STORE_ROW && v == 1;
}

int number_void(struct store *db, const struct actor *who, const char *pattern,
                int year, int64_t n, const char *why, struct err *e)
{
    int rc = -1, own = !store_in_tx(db);
    int64_t state = 0;
    int q;
    char target[64];
    char *detail = NULL;
    json_t *d = NULL;

    if (why == NULL || *why == '\0' || strlen(why) > NUMBER_WHY_MAX * 4)
        return err_field(e, "why", "请填写作废原因");
    if (own && store_begin(db) != STORE_OK) {
        err_set(e, 500, "internal", "系统内部错误，请稍后再试");
        goto out;
    }
    q = store_query_int(db, NUMBER_SQL_STATE, &state, "tii", pattern,
                        (int64_t)year, n);
    if (q == STORE_ERR) {
        err_set(e, 500, "internal", "系统内部错误，请稍后再试");
        goto out;
    }
    if (q == STORE_DONE) {
        err_set(e, 404, "not_found", "该编号尚未使用，无需作废");
        goto out;
    }
    if (state == 1) {
        err_set(e, 409, "conflict", "该编号已作废");
        goto out;
    }
    if (store_run(db, NUMBER_SQL_VOID, "tiitti", pattern, (int64_t)year, n,
                  who->login, why, now_ms()) != STORE_OK) {
        err_set(e, 500, "internal", "系统内部错误，请稍后再试");
        goto out;
    }
    snprintf(target, sizeof(target), "%d/%" PRId64, year, n);
    d = json_pack("{s:s,s:i,s:I,s:s}", "pattern", pattern, "year", year, "n",
                  (json_int_t)n, "why", why);
    detail = d != NULL ? json_text(d, JSON_COMPACT) : NULL;
    if (audit_append(db, who, "number.void", "number", target, "ok", detail) !=
        0) {
        err_set(e, 500, "internal", "系统内部错误，请稍后再试");
        goto out;
    }
    if (own && store_commit(db) != STORE_OK) {
        err_set(e, 500, "internal", "系统内部错误，请稍后再试");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0 && own)
        store_rollback(db);
    json_decref(d);
    free(detail);
    return rc;
}
