/*
 * memo.h - answers that cost a scan, kept and reused while nothing changed.
 *
 * Every page shows the viewer's 待办 count; a list shows its total and a
 * count per state; 我的待办 orders every case waiting for the viewer.  At
 * a million cases these are scans of thousands of index entries, asked
 * again and again with nothing changed in between.  A memo keeps such an
 * answer (a few integers) under a key naming the question and the viewer.
 *
 * "Nothing changed" is the audit chain's last seq (audit.h): every
 * change is audited in the transaction that makes it, so the data behind
 * an answer can differ only under a later seq.  The chain is in the
 * database, so a change made by another node or by the CLI is seen as
 * well as one made here.  A memo also ages out after the time it is kept
 * for: MEMO_CLOCK_MS for an answer the clock changes alone (a light turns
 * red, and no record marks that: the to-do's order, a count by light),
 * MEMO_KEEP_MS for the rest (a bound on any change that is not audited).
 * When a memo ages out (the database unchanged), the first caller to
 * miss computes it again and the others are given the old answer for up
 * to MEMO_REFRESH_MS meanwhile: under load, when the to-do order aged out
 * every request in flight computed it at once (我的待办 at 1M cases and 16
 * connections: p99 31-33 ms; 12-14 ms when nothing aged out).
 *
 * The database is named too (its db.id setting, random, made by migration
 * 10): one process may hold several (the tests), and a new one starts its
 * seqs again from 1.  A restored copy keeps its id, and its seqs name the
 * same states.
 *
 * Reading the seq first and the answer second is what makes it safe: an
 * answer computed after a later commit is stored under the older seq and
 * is never read again once that commit's seq is seen.  Inside an open
 * transaction memo_seq gives -1 (no memo): the transaction's own
 * uncommitted record could be rolled back and its seq reused.
 *
 * A fixed table of MEMO_SLOTS, one mutex; a key lands in one slot (by its
 * hash) and replaces what was there.  Process-wide, thread-safe.
 */
#ifndef SHUNIU_MEMO_H
#define SHUNIU_MEMO_H

#include <stdint.h>

#include "store/store.h"

#define MEMO_SLOTS 1024
#define MEMO_CLOCK_MS 5000
#define MEMO_KEEP_MS 600000
#define MEMO_REFRESH_MS 1000
#define MEMO_MAX_VALS 1024
#define MEMO_DB_ID_MAX 64

/* Which state of which database an answer is for. */
struct memo_at {
    char db[MEMO_DB_ID_MAX]; /* the db.id setting */
    int64_t seq;             /* the audit chain's last seq */
};

/* Where db is now: its id and the audit chain's last seq.  0, or -1 when
 * no memo may be used (inside a transaction, no db.id, a failed read):
 * at->seq is then -1, and memo_get and memo_put with it do nothing. */
int memo_at(struct store *db, struct memo_at *at);

/* Copies the answer kept under key at `at` into vals (at most cap) and
 * returns how many it has; -1 when there is none (never kept, replaced,
 * kept at another state, or older than it was to be kept for). */
int memo_get(const struct memo_at *at, const char *key, int64_t *vals,
             int cap);

/* Keeps n values (at most MEMO_MAX_VALS) under key at `at`, for keep_ms
 * (MEMO_CLOCK_MS or MEMO_KEEP_MS). */
void memo_put(const struct memo_at *at, const char *key, const int64_t *vals,
              int n, int64_t keep_ms);

/* Forgets everything (tests; after a restore). */
void memo_clear(void);

/* Hits and misses since the start (for the bench and tests). */
void memo_stats(int64_t *hits, int64_t *misses);

#endif
