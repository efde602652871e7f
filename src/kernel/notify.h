/*
 * notify.h - in-app notifications: what the reminder sweep and the case
 * engine tell a person (a task turned yellow, a case was assigned to you),
 * with unread counts for the page header and GET /api/v1/notifications.
 *
 * A notification is written once (notify_user) and later marked read
 * (notify_mark_read); it is never edited otherwise.  Each one is also
 * handed to the outgoing webhook (webhook_enqueue, a no-op when no
 * webhook_url is configured) in the same transaction, so an SMS or mail
 * gateway sees exactly the notifications that committed.
 *
 * Who is notified, and whether the text may mention a classified case, is
 * the caller's decision (the engine only notifies people who may see the
 * case).  Reading is per user: every function takes the user id and never
 * shows or changes another person's notifications.
 */
#ifndef SHUNIU_NOTIFY_H
#define SHUNIU_NOTIFY_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

/* Longest kind and text kept, in bytes (text is cut at a UTF-8 boundary). */
#define NOTIFY_KIND_MAX 64
#define NOTIFY_TEXT_MAX 2000

struct notify_rec {
    int64_t id;
    int64_t user_id;
    int64_t case_id;  /* 0: not about a case */
    const char *kind; /* e.g. "clock.yellow", "clock.red", "case.assigned" */
    const char *text; /* a Chinese sentence shown as is (escaped) */
    int64_t created_ms;
    int64_t read_ms; /* 0 while unread */
};

/* Adds a notification for user_id (case_id 0 for none) and enqueues its
 * webhook event.  Runs in the caller's transaction when one is open, else
 * in its own.  kind must be non-empty [a-z0-9_.-]; text non-empty.
 * Returns the new id (> 0), or -1 (bad arguments or database failure,
 * logged). */
int64_t notify_user(struct store *db, int64_t user_id, int64_t case_id,
                    const char *kind, const char *text);

/* The notifications of user_id, newest first; unread_only 1 for the unread
 * ones; limit <= 0 means 20, at most 200.  *total counts all that match
 * without paging (total may be NULL).  Records in a.  0 / -1. */
int notify_list(struct store *db, struct arena *a, int64_t user_id,
                int unread_only, int limit, int offset, struct notify_rec **out,
                int *n, int64_t *total, struct err *e);

/* The number of unread notifications of user_id, or -1. */
int64_t notify_unread_count(struct store *db, int64_t user_id);

/* Marks notification id of user_id read, or all of them when id is 0.
 * Returns how many changed (0 when id is not the user's or already read),
 * or -1. */
int64_t notify_mark_read(struct store *db, int64_t user_id, int64_t id);

#endif
