/*
 * notify.c - in-app notifications (see notify.h).
 *
 * A notification: unread (read_ms 0) --notify_mark_read--> read.
 * notify_user inserts the row and, when the webhook is on, the outbox event
 * built from the row and the person's login, name and phone, both in one
 * transaction (the caller's, or one of our own).
 */
#include "kernel/notify.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/webhook.h"

#define NOTIFY_LIST_DEFAULT 20
#define NOTIFY_LIST_MAX 200

static const char NOTIFY_SQL_INSERT[] =
    "INSERT INTO notifications (user_id, case_id, kind, text, created_ms)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";

static const char NOTIFY_SQL_USER[] =
    "SELECT login, name, phone FROM users WHERE id = $1";

static const char NOTIFY_SQL_COUNT[] =
    "SELECT COUNT(*) FROM notifications WHERE user_id = $1"
    " AND ($2 = 0 OR read_ms = 0)";

static const char NOTIFY_SQL_LIST[] =
    "SELECT id, user_id, case_id, kind, text, created_ms, read_ms"
    " FROM notifications WHERE user_id = $1 AND ($2 = 0 OR read_ms = 0)"
    " ORDER BY id DESC LIMIT $3 OFFSET $4";

static const char NOTIFY_SQL_UNREAD[] =
    "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_ms = 0";

static const char NOTIFY_SQL_READ_ONE[] =
    "UPDATE notifications SET read_ms = $3"
    " WHERE user_id = $1 AND id = $2 AND read_ms = 0";

static const char NOTIFY_SQL_READ_ALL[] =
    "UPDATE notifications SET read_ms = $2 WHERE user_id = $1 AND read_ms = 0";

static const char NOTIFY_MSG_DB[] = "读取通知失败，请稍后再试";

static int notify_kind_ok(const char *kind)
{
    size_t n = kind != NULL ? strlen(kind) : 0;
    if (n == 0 || n > NOTIFY_KIND_MAX)
        return 0;
    return strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* The length of text cut to NOTIFY_TEXT_MAX bytes at a UTF-8 boundary. */
static size_t notify_text_len(const char *text)
{
    size_t n = strlen(text);
    if (n <= NOTIFY_TEXT_MAX)
        return n;
    n = NOTIFY_TEXT_MAX;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* The webhook event of a notification just inserted. */
static int notify_enqueue(struct store *db, int64_t id, int64_t user_id,
                          int64_t case_id, const char *kind, const char *text,
                          size_t textlen, int64_t created)
{
    struct stmt *st = store_prepare(db, NOTIFY_SQL_USER);
    json_t *ev = NULL, *n = NULL;
    char *s = NULL, iso[26];
    int rc = -1, step;

    store_bind_int(st, 1, user_id);
    step = store_step(st);
    if (step != STORE_ROW) {
        log_error("cannot read user %" PRId64 " for webhook: %s", user_id,
                  step == STORE_DONE ? "no such user" : store_errmsg(db));
        goto out;
    }
    ms_fmt_iso(created, iso);
    n = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:s%}", "id", (json_int_t)id,
                  "user_id", (json_int_t)user_id, "login",
                  store_col_text(st, 0), "name", store_col_text(st, 1), "phone",
                  store_col_text(st, 2), "case_id", (json_int_t)case_id, "kind",
                  kind, "text", text, textlen);
    if (n == NULL) {
        log_error("cannot build webhook event of notification %" PRId64, id);
        goto out;
    }
    ev = json_pack("{s:s,s:s,s:O}", "type", "notification", "created", iso,
                   "notification", n);
    s = ev != NULL ? json_text(ev, JSON_COMPACT) : NULL;
    if (s == NULL)
        goto out;
    rc = webhook_enqueue(db, s);
out:
    free(s);
    json_decref(ev);
    json_decref(n);
    store_finalize(st);
    return rc;
}

int64_t notify_user(struct store *db, int64_t user_id, int64_t case_id,
                    const char *kind, const char *text)
{
    struct stmt *st = NULL;
    int64_t id = -1, created = now_ms();
    int own = 0, ok = 0;
    size_t textlen;

    if (user_id <= 0 || !notify_kind_ok(kind) || text == NULL || !*text) {
        log_error("cannot notify: bad user, kind or text");
        return -1;
    }
    textlen = notify_text_len(text);
    own = !store_in_tx(db);
    if (own && store_begin(db) != STORE_OK) {
        log_error("cannot notify: %s", store_errmsg(db));
        return -1;
    }
    st = store_prepare(db, NOTIFY_SQL_INSERT);
    store_bind_int(st, 1, user_id);
    store_bind_int(st, 2, case_id);
    store_bind_text(st, 3, kind);
    store_bind_textn(st, 4, text, textlen);
    store_bind_int(st, 5, created);
    if (store_step(st) != STORE_ROW) {
        log_error("cannot insert notification: %s", store_errmsg(db));
        goto out;
    }
    id = store_col_int(st, 0);
    store_finalize(st);
    st = NULL;
    if (webhook_enabled() &&
        notify_enqueue(db, id, user_id, case_id, kind, text, textlen, created))
        goto out;
    if (own && store_commit(db) != STORE_OK) {
        log_error("cannot commit notification: %s", store_errmsg(db));
        goto out;
    }
    ok = 1;
out:
    store_finalize(st);
    if (!ok) {
        if (own)
            store_rollback(db);
        return -1;
    }
    return id;
}

int notify_list(struct store *db, struct arena *a, int64_t user_id,
                int unread_only, int limit, int offset, struct notify_rec **out,
                int *n, int64_t *total, struct err *e)
{
    struct stmt *st = NULL;
    struct notify_rec *v;
    int rc = -1, cnt = 0, s;
    int64_t all = 0;

    if (limit <= 0)
        limit = NOTIFY_LIST_DEFAULT;
    if (limit > NOTIFY_LIST_MAX)
        limit = NOTIFY_LIST_MAX;
    if (offset < 0)
        offset = 0;
    if (total != NULL) {
        if (store_query_int(db, NOTIFY_SQL_COUNT, &all, "ii", user_id,
                            (int64_t)(unread_only ? 1 : 0)) == STORE_ERR) {
            log_error("cannot count notifications: %s", store_errmsg(db));
            err_set(e, 500, "db", NOTIFY_MSG_DB);
            goto out;
        }
        *total = all;
    }
    v = arena_alloc(a, sizeof(*v) * (size_t)limit);
    st = store_prepare(db, NOTIFY_SQL_LIST);
    store_bind_int(st, 1, user_id);
    store_bind_int(st, 2, unread_only ? 1 : 0);
    store_bind_int(st, 3, limit);
    store_bind_int(st, 4, offset);
    while ((s = store_step(st)) == STORE_ROW && cnt < limit) {
        struct notify_rec *r = &v[cnt++];
        r->id = store_col_int(st, 0);
        r->user_id = store_col_int(st, 1);
        r->case_id = store_col_int(st, 2);
        r->kind = arena_strdup(a, store_col_text(st, 3));
        r->text = arena_strdup(a, store_col_text(st, 4));
        r->created_ms = store_col_int(st, 5);
        r->read_ms = store_col_int(st, 6);
    }
    if (s != STORE_DONE && s != STORE_ROW) {
        log_error("cannot list notifications: %s", store_errmsg(db));
        err_set(e, 500, "db", NOTIFY_MSG_DB);
        goto out;
    }
    *out = v;
    *n = cnt;
    rc = 0;
out:
    store_finalize(st);
    return rc;
}

int64_t notify_unread_count(struct store *db, int64_t user_id)
{
    int64_t n = 0;
    if (store_query_int(db, NOTIFY_SQL_UNREAD, &n, "i", user_id) == STORE_ERR) {
        log_error("cannot count notifications: %s", store_errmsg(db));
        return -1;
    }
    return n;
}

int64_t notify_mark_read(struct store *db, int64_t user_id, int64_t id)
{
    struct stmt *st;
    int64_t changed = -1;

    if (id == 0) {
        st = store_prepare(db, NOTIFY_SQL_READ_ALL);
        store_bind_int(st, 1, user_id);
        store_bind_int(st, 2, now_ms());
    } else {
        st = store_prepare(db, NOTIFY_SQL_READ_ONE);
        store_bind_int(st, 1, user_id);
        store_bind_int(st, 2, id);
        store_bind_int(st, 3, now_ms());
    }
    if (store_step(st) == STORE_DONE)
        changed = store_changes(st);
    else
        log_error("cannot mark notifications read: %s", store_errmsg(db));
    store_finalize(st);
    return changed;
}
