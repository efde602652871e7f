/*
 * webhook.h - the outgoing webhook: every notification, as JSON, POSTed to
 * one configured URL so that an SMS or mail gateway can be attached.
 *
 * Events are written to table webhook_outbox in the transaction that
 * produced them (webhook_enqueue), so only committed events are sent.  The
 * job "webhook" (registered by webhook_setup, run by the job runner on one
 * node, never in a request thread) POSTs each pending event:
 *
 *     pending (next_ms <= now) --2xx--> sent (sent_ms)
 *        |  other answer, timeout, refused
 *        v
 *     attempts + 1, last_error; next_ms = now + 1 min * 2^(attempts-1),
 *     at most 1 h; after WEBHOOK_MAX_ATTEMPTS -> failed (failed_ms; kept)
 *
 * Delivery is at least once: a node that dies between the POST and the
 * update sends the event again.  Each body carries "event_id" (also sent
 * as header X-Shuniu-Event) so the receiver can drop duplicates.
 *
 * Body: {"event_id":N,"type":"notification","created":"ISO 8601",
 *        "notification":{"id","user_id","login","name","phone","case_id",
 *        "kind","text"}}
 * Only http:// and https:// URLs are used; redirects are not followed.
 */
#ifndef SHUNIU_WEBHOOK_H
#define SHUNIU_WEBHOOK_H

#include <stdint.h>

#include "base/config.h"
#include "store/store.h"

#define WEBHOOK_MAX_ATTEMPTS 10
#define WEBHOOK_TIMEOUT_SECONDS 10
#define WEBHOOK_JOB_NAME "webhook"
#define WEBHOOK_JOB_SECONDS 10
/* Events sent per run at most (the rest wait for the next run). */
#define WEBHOOK_BATCH 50

/* Takes webhook_url from c (empty: off) and registers the job (only when a
 * URL is set).  Call once at start, before the job runner starts.  0 / -1. */
int webhook_setup(const struct config *c);
/* Sets the URL alone (NULL or "" turns the webhook off); tests. */
void webhook_set_url(const char *url);
/* 1 when a URL is configured. */
int webhook_enabled(void);

/* Adds an event (a JSON object text) to the outbox, in the caller's
 * transaction when one is open.  Does nothing and returns 0 when the
 * webhook is off.  Returns 0 / -1. */
int webhook_enqueue(struct store *db, const char *event_json);

/* The job: sends the events due at now_ms (at most WEBHOOK_BATCH).  0 when
 * the database could be read and written (failed deliveries are recorded,
 * not errors), -1 otherwise. */
int webhook_run(struct store *db, int64_t now_ms);

/* The wait before the next try after `attempts` failed ones (>= 1):
 * 60 s, 120 s, 240 s ... at most 3600 s; in milliseconds. */
int64_t webhook_backoff_ms(int attempts);

#endif
