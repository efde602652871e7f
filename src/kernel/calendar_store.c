/*
 * calendar_store.c - the holiday calendar in the database (see
 * calendar_store.h for the tables, seeding, caching and permissions).
 *
 * calendar_load():
 *     read the token -> same as the cached one: hand out the cache
 *     otherwise read both tables -> built-in years missing, or no token:
 *     seed them (and a token) and read again -> cache it with the token
 * The token is read before the tables: an import committed in between
 * leaves newer data under the older token, which the next load replaces;
 * never older data under the newer token.
 *
 * calendar_import():
 *     permission -> parse and validate everything (nothing written on any
 *     error) -> one transaction: per year, read the old overrides, delete,
 *     write the year and its days, audit with the differences; new token;
 *     hooks -> commit.
 */
#include "kernel/calendar_store.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"

#define CALENDAR_TOKEN_BYTES 16

static const char SQL_TOKEN_GET[] =
    "SELECT value FROM settings WHERE key = 'calendar.version'";
static const char SQL_TOKEN_SET[] =
    "INSERT INTO settings (key, value) VALUES ('calendar.version', $1) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_YEARS[] =
    "SELECT year, notice FROM calendar_years ORDER BY year";
static const char SQL_DAYS[] =
    "SELECT day, kind, note FROM calendar_days ORDER BY day";
static const char SQL_YEAR_SEED[] =
    "INSERT INTO calendar_years (year, notice, imported_ms, imported_by) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO NOTHING";
static const char SQL_DAY_SEED[] =
    "INSERT INTO calendar_days (day, kind, note) VALUES ($1, $2, $3) "
    "ON CONFLICT (day) DO NOTHING";
static const char SQL_YEAR_GET[] =
    "SELECT notice FROM calendar_years WHERE year = $1";
static const char SQL_YEAR_DAYS[] =
    "SELECT day, kind FROM calendar_days WHERE day >= $1 AND day <= $2 "
    "ORDER BY day";
static const char SQL_YEAR_DAYS_DELETE[] =
    "DELETE FROM calendar_days WHERE day >= $1 AND day <= $2";
static const char SQL_YEAR_PUT[] =
    "INSERT INTO calendar_years (year, notice, imported_ms, imported_by) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET "
    "notice = excluded.notice, imported_ms = excluded.imported_ms, "
    "imported_by = excluded.imported_by";
static const char SQL_DAY_PUT[] =
    "INSERT INTO calendar_days (day, kind, note) VALUES ($1, $2, $3)";

/* The per-process cache and the hooks (start-up registrations). */
static pthread_mutex_t calendar_store_mu = PTHREAD_MUTEX_INITIALIZER;
static struct calendar *calendar_store_cache;
static char calendar_store_cache_token[64];
static int (*calendar_store_hooks[CALENDAR_STORE_MAX_HOOKS])(struct store *);
static int calendar_store_nhooks;

static const char *calendar_kind_word(enum calendar_kind k)
{
    return k == CALENDAR_WORK ? "work" : "off";
}

/* The token into out ("" when there is none).  0 or -1. */
static int calendar_read_token(struct store *db, char out[64])
{
    struct stmt *st = store_prepare(db, SQL_TOKEN_GET);
    int rc = store_step(st);
    out[0] = '\0';
    if (rc == STORE_ROW)
        snprintf(out, 64, "%s", store_col_text(st, 0));
    store_finalize(st);
    return rc == STORE_ERR ? -1 : 0;
}

static int calendar_write_token(struct store *db)
{
    char token[2 * CALENDAR_TOKEN_BYTES + 1];
    digest_random_hex(token, CALENDAR_TOKEN_BYTES);
    return store_run(db, SQL_TOKEN_SET, "t", token) == STORE_OK ? 0 : -1;
}

/* Both tables into a new calendar.  0 or -1. */
static int calendar_read(struct store *db, struct calendar **out)
{
    struct calendar *cal = calendar_new();
    struct stmt *st = store_prepare(db, SQL_YEARS);
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        calendar_add_year(cal, (int)store_col_int(st, 0),
                          store_col_text(st, 1));
    store_finalize(st);
    if (rc == STORE_ERR)
        goto out;
    st = store_prepare(db, SQL_DAYS);
    while ((rc = store_step(st)) == STORE_ROW) {
        struct ymd d;
        const char *kind = store_col_text(st, 1);
        if (ymd_parse(store_col_text(st, 0), &d) == 0)
            calendar_set_day(cal, d,
                             strcmp(kind, "work") == 0 ? CALENDAR_WORK
                                                       : CALENDAR_OFF,
                             store_col_text(st, 2));
        else
            log_warn("calendar: bad date in calendar_days: %s",
                     store_col_text(st, 0));
    }
    store_finalize(st);
out:
    if (rc == STORE_ERR) {
        calendar_free(cal);
        cal = NULL;
    }
    *out = cal;
    return cal ? 0 : -1;
}

/* Inserts the days of year y of cal, with sql (seed or put).  0 or -1. */
static int calendar_write_days(struct store *db, const struct calendar *cal,
                               int y, const char *sql)
{
    int rc = 0;
    struct stmt *st = store_prepare(db, sql);
    for (int i = 0; i < cal->ndays && rc == 0; i++) {
        struct ymd d = days_to_ymd(cal->days[i].day);
        char ds[11];
        if (d.y != y)
            continue;
        ymd_fmt(d, ds);
        store_reset(st);
        store_bind_text(st, 1, ds);
        store_bind_text(st, 2, calendar_kind_word(cal->days[i].kind));
        store_bind_text(st, 3, cal->days[i].note);
        if (store_step(st) != STORE_DONE)
            rc = -1;
    }
    if (store_finalize(st) != STORE_OK)
        rc = -1;
    return rc;
}

/* Writes the built-in years the database lacks and a new token, inside the
 * caller's transaction or one of its own.  0 or -1. */
static int calendar_seed(struct store *db)
{
    struct calendar *builtin = calendar_new();
    struct buf errors;
    int rc = -1, own = !store_in_tx(db);
    int64_t at = now_ms();
    buf_init(&errors, 1 << 16);
    if (calendar_parse(calendar_builtin_text, calendar_builtin_len, builtin,
                       &errors) != 0) {
        log_error("calendar: the built-in calendar does not parse: %s",
                  errors.ptr);
        goto out;
    }
    if (own && store_begin(db) != STORE_OK)
        goto out;
    for (int i = 0; i < builtin->nyears; i++) {
        const struct calendar_year *y = &builtin->years[i];
        struct stmt *st = store_prepare(db, SQL_YEAR_SEED);
        store_bind_int(st, 1, y->year);
        store_bind_text(st, 2, y->notice);
        store_bind_int(st, 3, at);
        store_bind_text(st, 4, "system");
        int step = store_step(st);
        int64_t added = store_changes(st);
        store_finalize(st);
        if (step != STORE_DONE)
            goto out;
        if (added == 1) {
            if (calendar_write_days(db, builtin, y->year, SQL_DAY_SEED))
                goto out;
            log_info("calendar: seeded %d (%s)", y->year, y->notice);
        }
    }
    if (calendar_write_token(db))
        goto out;
    if (own && store_commit(db) != STORE_OK)
        goto out;
    rc = 0;
out:
    if (rc && own)
        store_rollback(db);
    if (rc)
        log_error("calendar: cannot seed the built-in years: %s",
                  store_errmsg(db));
    buf_free(&errors);
    calendar_free(builtin);
    return rc;
}

/* 1 when a built-in year is missing from cal. */
static int calendar_lacks_builtin(const struct calendar *cal)
{
    struct calendar *builtin = calendar_new();
    int lacks = 0;
    calendar_parse(calendar_builtin_text, calendar_builtin_len, builtin, NULL);
    for (int i = 0; i < builtin->nyears && !lacks; i++)
        lacks = !calendar_year_published(cal, builtin->years[i].year);
    calendar_free(builtin);
    return lacks;
}

int calendar_load(struct store *db, struct calendar **out)
{
    char token[64];
    struct calendar *cal = NULL;
    int rc = -1;
    *out = NULL;
    if (calendar_read_token(db, token))
        goto out;
    pthread_mutex_lock(&calendar_store_mu);
    if (token[0] != '\0' && calendar_store_cache != NULL &&
        strcmp(token, calendar_store_cache_token) == 0)
        cal = calendar_ref(calendar_store_cache);
    pthread_mutex_unlock(&calendar_store_mu);
    if (cal != NULL) {
        rc = 0;
        goto out;
    }
    if (calendar_read(db, &cal))
        goto out;
    if (token[0] == '\0' || calendar_lacks_builtin(cal)) {
        calendar_free(cal);
        cal = NULL;
        if (calendar_seed(db) || calendar_read_token(db, token) ||
            calendar_read(db, &cal))
            goto out;
    }
    pthread_mutex_lock(&calendar_store_mu);
    calendar_free(calendar_store_cache);
    calendar_store_cache = calendar_ref(cal);
    snprintf(calendar_store_cache_token, sizeof(calendar_store_cache_token),
             "%s", token);
    pthread_mutex_unlock(&calendar_store_mu);
    rc = 0;
out:
    if (rc) {
        log_error("calendar: cannot load: %s", store_errmsg(db));
        calendar_free(cal);
        cal = NULL;
    }
    *out = cal;
    return rc;
}

int calendar_on_change(int (*fn)(struct store *db))
{
    int rc = 0;
    pthread_mutex_lock(&calendar_store_mu);
    for (int i = 0; i < calendar_store_nhooks; i++)
        if (calendar_store_hooks[i] == fn)
            goto out;
    if (calendar_store_nhooks == CALENDAR_STORE_MAX_HOOKS)
        rc = -1;
    else
        calendar_store_hooks[calendar_store_nhooks++] = fn;
out:
    pthread_mutex_unlock(&calendar_store_mu);
    return rc;
}

static int calendar_run_hooks(struct store *db)
{
    int (*hooks[CALENDAR_STORE_MAX_HOOKS])(struct store *);
    int n;
    pthread_mutex_lock(&calendar_store_mu);
    n = calendar_store_nhooks;
    memcpy(hooks, calendar_store_hooks, sizeof(hooks));
    pthread_mutex_unlock(&calendar_store_mu);
    for (int i = 0; i < n; i++)
        if (hooks[i](db) != 0)
            return -1;
    return 0;
}

/* Replaces year y with what cal holds and audits it; appends the summary
 * line to report.  0 or -1. */
static int calendar_import_year(struct store *db, const struct actor *who,
                                const struct calendar *cal,
                                const struct calendar_year *y,
                                struct buf *report)
{
    char lo[11], hi[11], target[16];
    struct calendar *old = calendar_new();
    json_t *changed = json_array(), *before = json_null();
    char *detail = NULL;
    int rc = -1, noff = 0, nwork = 0;
    ymd_fmt((struct ymd){y->year, 1, 1}, lo);
    ymd_fmt((struct ymd){y->year, 12, 31}, hi);
    snprintf(target, sizeof(target), "%d", y->year);

    /* the year as it was */
    struct stmt *st = store_prepare(db, SQL_YEAR_GET);
    store_bind_int(st, 1, y->year);
    int step = store_step(st);
    if (step == STORE_ROW) {
        json_decref(before);
        before = json_pack("{s:s}", "notice", store_col_text(st, 0));
    }
    store_finalize(st);
    if (step == STORE_ERR)
        goto out;
    st = store_prepare(db, SQL_YEAR_DAYS);
    store_bind_text(st, 1, lo);
    store_bind_text(st, 2, hi);
    while ((step = store_step(st)) == STORE_ROW) {
        struct ymd d;
        if (ymd_parse(store_col_text(st, 0), &d) == 0)
            calendar_set_day(old, d,
                             strcmp(store_col_text(st, 1), "work") == 0
                                 ? CALENDAR_WORK
                                 : CALENDAR_OFF,
                             NULL);
    }
    store_finalize(st);
    if (step == STORE_ERR)
        goto out;

    /* the year as it is now */
    if (store_run(db, SQL_YEAR_DAYS_DELETE, "tt", lo, hi) != STORE_OK ||
        store_run(db, SQL_YEAR_PUT, "itit", (int64_t)y->year, y->notice,
                  now_ms(), who->login ? who->login : "") != STORE_OK ||
        calendar_write_days(db, cal, y->year, SQL_DAY_PUT))
        goto out;

    /* every date whose kind changed, in date order */
    int64_t first = ymd_to_days((struct ymd){y->year, 1, 1});
    int64_t last = ymd_to_days((struct ymd){y->year, 12, 31});
    for (int64_t day = first; day <= last; day++) {
        struct ymd d = days_to_ymd(day);
        const struct calendar_day *a = calendar_day_find(old, d);
        const struct calendar_day *b = calendar_day_find(cal, d);
        if (b != NULL && b->kind == CALENDAR_OFF)
            noff++;
        else if (b != NULL)
            nwork++;
        if ((a == NULL) == (b == NULL) && (a == NULL || a->kind == b->kind))
            continue;
        char ds[11];
        ymd_fmt(d, ds);
        json_array_append_new(
            changed, json_pack("{s:s,s:s,s:s}", "day", ds, "before",
                               a ? calendar_kind_word(a->kind) : "", "after",
                               b ? calendar_kind_word(b->kind) : ""));
    }
    json_t *d = json_pack("{s:i,s:o,s:{s:s,s:i,s:i},s:O}", "year", y->year,
                          "before", before, "after", "notice", y->notice, "off",
                          noff, "work", nwork, "changed", changed);
    before = NULL; /* owned by d now */
    if (d == NULL)
        goto out;
    detail = json_text(d, JSON_COMPACT);
    json_decref(d);
    if (detail == NULL ||
        audit_append(db, who, "calendar.import", "calendar_year", target, "ok",
                     detail) != 0)
        goto out;
    if (report != NULL)
        buf_printf(report,
                   "%d年：%s，放假 %d 天，调休上班 %d 天，变动 %zu 天\n",
                   y->year, y->notice, noff, nwork, json_array_size(changed));
    rc = 0;
out:
    free(detail);
    json_decref(before);
    json_decref(changed);
    calendar_free(old);
    return rc;
}

int calendar_import(struct store *db, const struct actor *who, const char *text,
                    size_t len, struct buf *report, struct err *e)
{
    struct calendar *cal = calendar_new();
    struct buf errors, summary;
    int rc = -1;
    buf_init(&errors, 1 << 16);
    buf_init(&summary, 1 << 16);
    if (!actor_is_cli(who) && !actor_has_role(who, "sysadmin")) {
        err_set(e, 403, "forbidden", "只有系统管理员可以导入节假日安排");
        goto out;
    }
    int nerr = calendar_parse(text, len, cal, &errors);
    if (nerr > 0) {
        if (report != NULL)
            buf_append(report, errors.ptr, errors.len);
        err_set(e, 400, "invalid",
                "节假日安排文件有错误，没有导入任何内容；请按提示的行号改正后"
                "重新导入");
        goto out;
    }
    if (store_begin(db) != STORE_OK) {
        err_set(e, 500, "db", "保存节假日安排失败，请稍后重试");
        goto out;
    }
    for (int i = 0; i < cal->nyears; i++)
        if (calendar_import_year(db, who, cal, &cal->years[i], &summary)) {
            err_set(e, 500, "db", "保存节假日安排失败，请稍后重试");
            goto out;
        }
    if (calendar_write_token(db)) {
        err_set(e, 500, "db", "保存节假日安排失败，请稍后重试");
        goto out;
    }
    if (calendar_run_hooks(db)) {
        log_error("calendar: import rolled back: a change hook failed");
        err_set(e, 500, "recompute",
                "按新的节假日安排重新计算办理期限失败，没有导入任何内容");
        goto out;
    }
    if (store_commit(db) != STORE_OK) {
        err_set(e, 500, "db", "保存节假日安排失败，请稍后重试");
        goto out;
    }
    if (report != NULL)
        buf_append(report, summary.ptr, summary.len);
    rc = 0;
out:
    if (rc && e->code != NULL && strcmp(e->code, "db") == 0)
        log_error("calendar: import failed: %s", store_errmsg(db));
    if (rc)
        store_rollback(db);
    buf_free(&summary);
    buf_free(&errors);
    calendar_free(cal);
    return rc;
}
