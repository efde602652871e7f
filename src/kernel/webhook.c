/*
 * webhook.c - the outgoing webhook: outbox table and its sender job (see
 * webhook.h for the states of an event and the body sent).
 *
 * A run (webhook_run) reads the due events first, then POSTs them one by
 * one, outside any transaction, recording each answer as it comes.  It
 * stops at the first failed delivery: the receiver is probably down, and
 * trying the rest would only hold the job thread for one timeout each; the
 * others stay due and are tried at the next run.
 */
#include "kernel/webhook.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/jobs.h"

#define WEBHOOK_BACKOFF_FIRST_MS (60LL * 1000)
#define WEBHOOK_BACKOFF_MAX_MS (3600LL * 1000)
#define WEBHOOK_CONNECT_SECONDS 5

static const char WEBHOOK_SQL_ENQUEUE[] =
    "INSERT INTO webhook_outbox (event, created_ms, next_ms)"
    " VALUES ($1, $2, $2)";

static const char WEBHOOK_SQL_DUE[] =
    "SELECT id, event, attempts FROM webhook_outbox"
    " WHERE sent_ms = 0 AND failed_ms = 0 AND next_ms <= $1"
    " ORDER BY id LIMIT $2";

static const char WEBHOOK_SQL_SENT[] =
    "UPDATE webhook_outbox SET sent_ms = $2, attempts = attempts + 1,"
    " last_error = '' WHERE id = $1";

static const char WEBHOOK_SQL_RETRY[] =
    "UPDATE webhook_outbox SET attempts = attempts + 1, next_ms = $2,"
    " last_error = $3 WHERE id = $1";

static const char WEBHOOK_SQL_FAILED[] =
    "UPDATE webhook_outbox SET attempts = attempts + 1, failed_ms = $2,"
    " last_error = $3 WHERE id = $1";

/* Set once at start (webhook_setup); tests change it between runs. */
static struct {
    char url[1024];
} webhook_cfg;

struct webhook_event {
    int64_t id;
    char *event; /* malloc'd */
    int attempts;
};

static int webhook_url_ok(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

void webhook_set_url(const char *url)
{
    snprintf(webhook_cfg.url, sizeof(webhook_cfg.url), "%s",
             url != NULL ? url : "");
}

int webhook_enabled(void)
{
    return webhook_cfg.url[0] != '\0';
}

int webhook_setup(const struct config *c)
{
    webhook_set_url(c->webhook_url);
    if (!webhook_enabled())
        return 0;
    if (!webhook_url_ok(webhook_cfg.url)) {
        log_error("webhook_url must start with http:// or https://");
        webhook_set_url(NULL);
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("cannot initialise libcurl");
        return -1;
    }
    return jobs_register(WEBHOOK_JOB_NAME, WEBHOOK_JOB_SECONDS, webhook_run);
}

int64_t webhook_backoff_ms(int attempts)
{
    int64_t ms = WEBHOOK_BACKOFF_FIRST_MS;
    int i;
    for (i = 1; i < attempts && ms < WEBHOOK_BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms < WEBHOOK_BACKOFF_MAX_MS ? ms : WEBHOOK_BACKOFF_MAX_MS;
}

int webhook_enqueue(struct store *db, const char *event_json)
{
    if (!webhook_enabled())
        return 0;
    if (store_run(db, WEBHOOK_SQL_ENQUEUE, "ti", event_json, now_ms()) !=
        STORE_OK) {
        log_error("cannot enqueue webhook event: %s", store_errmsg(db));
        return -1;
    }
    return 0;
}

/* The answer's body is not needed. */
static size_t webhook_discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* The body sent for an event: its JSON with "event_id" added (malloc'd). */
static char *webhook_body(const struct webhook_event *ev)
{
    json_error_t jerr;
    json_t *o = json_loads(ev->event, 0, &jerr);
    char *s = NULL;
    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        o = json_pack("{s:s}", "raw", ev->event);
    }
    if (o != NULL) {
        json_object_set_new(o, "event_id", json_integer(ev->id));
        s = json_text(o, JSON_COMPACT | JSON_SORT_KEYS);
    }
    json_decref(o);
    return s;
}

/* POSTs one event; 0 when the receiver answered 2xx, else -1 with the
 * reason in err. */
static int webhook_post(CURL *c, const struct webhook_event *ev, char *err,
                        size_t errlen)
{
    struct curl_slist *hdr = NULL;
    char idhdr[64];
    char *body = webhook_body(ev);
    long status = 0;
    int rc = -1;
    CURLcode cc;

    if (body == NULL) {
        snprintf(err, errlen, "cannot build body");
        goto out;
    }
    snprintf(idhdr, sizeof(idhdr), "X-Shuniu-Event: %" PRId64, ev->id);
    hdr = curl_slist_append(hdr, "Content-Type: application/json; "
                                 "charset=utf-8");
    hdr = curl_slist_append(hdr, idhdr);
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, webhook_cfg.url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "HTTP %ld", status);
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(hdr);
    free(body);
    return rc;
}

static CURL *webhook_curl(void)
{
    CURL *c = curl_easy_init();
    if (c == NULL)
        return NULL;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_SECONDS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)WEBHOOK_CONNECT_SECONDS);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(c, CURLOPT_USERAGENT, "shuniu-webhook");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_discard);
    return c;
}

/* Reads the due events into *evs (malloc'd, with their strings). */
static int webhook_due(struct store *db, int64_t now,
                       struct webhook_event **evs, int *n)
{
    struct stmt *st = store_prepare(db, WEBHOOK_SQL_DUE);
    struct webhook_event *v = calloc(WEBHOOK_BATCH, sizeof(*v));
    int cnt = 0, s, rc = -1;

    if (v == NULL)
        abort();
    store_bind_int(st, 1, now);
    store_bind_int(st, 2, WEBHOOK_BATCH);
    while ((s = store_step(st)) == STORE_ROW && cnt < WEBHOOK_BATCH) {
        v[cnt].id = store_col_int(st, 0);
        v[cnt].event = strdup(store_col_text(st, 1));
        if (v[cnt].event == NULL)
            abort();
        v[cnt].attempts = (int)store_col_int(st, 2);
        cnt++;
    }
    if (s != STORE_DONE && s != STORE_ROW) {
        log_error("cannot read webhook outbox: %s", store_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    store_finalize(st);
    *evs = v;
    *n = cnt;
    return rc;
}

int webhook_run(struct store *db, int64_t now)
{
    struct webhook_event *evs = NULL;
    CURL *c = NULL;
    int n = 0, i, rc = -1;
    char err[CURL_ERROR_SIZE + 64];

    if (!webhook_enabled())
        return 0;
    if (webhook_due(db, now, &evs, &n))
        goto out;
    if (n == 0) {
        rc = 0;
        goto out;
    }
    c = webhook_curl();
    if (c == NULL) {
        log_error("cannot create a curl handle");
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct webhook_event *ev = &evs[i];
        int tries = ev->attempts + 1, s;
        err[0] = '\0';
        if (webhook_post(c, ev, err, sizeof(err)) == 0) {
            s = store_run(db, WEBHOOK_SQL_SENT, "ii", ev->id, now);
        } else if (tries >= WEBHOOK_MAX_ATTEMPTS) {
            log_warn("webhook event %" PRId64 " failed for good after %d "
                     "attempts: %s",
                     ev->id, tries, err);
            s = store_run(db, WEBHOOK_SQL_FAILED, "iit", ev->id, now, err);
        } else {
            log_info("webhook event %" PRId64 " failed (attempt %d): %s",
                     ev->id, tries, err);
            s = store_run(db, WEBHOOK_SQL_RETRY, "iit", ev->id,
                          now + webhook_backoff_ms(tries), err);
        }
        if (s != STORE_OK) {
            log_error("cannot update webhook outbox: %s", store_errmsg(db));
            goto out;
        }
        if (err[0])
            break;
    }
    rc = 0;
out:
    if (c != NULL)
        curl_easy_cleanup(c);
    for (i = 0; i < n; i++)
        free(evs[i].event);
    free(evs);
    return rc;
}
