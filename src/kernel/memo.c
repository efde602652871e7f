/*
 * memo.c - answers that cost a scan, kept while nothing changed (memo.h).
 */
#include "kernel/memo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/now.h"

struct memo_slot {
    char *key; /* malloc'd; NULL: empty */
    struct memo_at at;
    int64_t at_ms;   /* when it was kept */
    int64_t keep_ms; /* for how long */
    int64_t refresh_ms; /* aged out: when a caller set out to compute it
                         * again (0: no one has) */
    int n;
    int64_t *vals; /* malloc'd, n of them */
};

static struct memo_slot memo_table[MEMO_SLOTS];
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t memo_hits, memo_misses;

static const char MEMO_SQL_AT[] =
    "SELECT (SELECT value FROM settings WHERE key = 'db.id'),"
    " (SELECT MAX(seq) FROM audit)";

/* FNV-1a: keys are short and chosen by the program, not by users */
static size_t memo_slot_of(const char *key)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (size_t)(h % MEMO_SLOTS);
}

static void memo_slot_free(struct memo_slot *s)
{
    free(s->key);
    free(s->vals);
    memset(s, 0, sizeof(*s));
}

int memo_at(struct store *db, struct memo_at *at)
{
    struct stmt *st;
    const char *id;
    int ok = 0;

    memset(at, 0, sizeof(*at));
    at->seq = -1;
    if (store_in_tx(db))
        return -1;
    st = store_prepare(db, MEMO_SQL_AT);
    if (store_step(st) == STORE_ROW) {
        id = store_col_text(st, 0);
        size_t n = id != NULL ? strlen(id) : 0;
        if (n > 0 && n < sizeof(at->db)) {
            memcpy(at->db, id, n + 1);
            at->seq = store_col_int(st, 1);
            ok = 1;
        }
    }
    if (store_finalize(st) != STORE_OK || !ok) {
        at->seq = -1;
        return -1;
    }
    return 0;
}

static int memo_same(const struct memo_at *x, const struct memo_at *y)
{
    return x->seq == y->seq && strcmp(x->db, y->db) == 0;
}

int memo_get(const struct memo_at *at, const char *key, int64_t *vals,
             int cap)
{
    int n = -1;
    int64_t now = now_ms();
    struct memo_slot *s;

    if (at->seq < 0)
        return -1;
    pthread_mutex_lock(&memo_mu);
    s = &memo_table[memo_slot_of(key)];
    /* a clock moved backwards (tests) ages a memo out too */
    if (s->key != NULL && memo_same(&s->at, at) && strcmp(s->key, key) == 0 &&
        now >= s->at_ms && s->n <= cap) {
        int64_t age = now - s->at_ms;
        int fresh = age < s->keep_ms;
        /* aged out: the first caller computes it again; the others get
         * the old answer meanwhile (MEMO_REFRESH_MS at most) */
        if (!fresh && age < 2 * s->keep_ms) {
            if (s->refresh_ms != 0 && now >= s->refresh_ms &&
                now - s->refresh_ms < MEMO_REFRESH_MS)
                fresh = 1;
            else
                s->refresh_ms = now;
        }
        if (fresh) {
            n = s->n;
            memcpy(vals, s->vals, sizeof(*vals) * (size_t)n);
        }
    }
    if (n >= 0)
        memo_hits++;
    else
        memo_misses++;
    pthread_mutex_unlock(&memo_mu);
    return n;
}

void memo_put(const struct memo_at *at, const char *key, const int64_t *vals,
              int n, int64_t keep_ms)
{
    struct memo_slot fresh = {0};
    struct memo_slot old;
    struct memo_slot *s;

    if (at->seq < 0 || n < 0 || n > MEMO_MAX_VALS)
        return;
    /* allocate outside the lock; a failed malloc keeps nothing */
    fresh.key = strdup(key);
    fresh.vals = malloc(sizeof(*vals) * (size_t)(n > 0 ? n : 1));
    if (fresh.key == NULL || fresh.vals == NULL) {
        memo_slot_free(&fresh);
        return;
    }
    if (n > 0)
        memcpy(fresh.vals, vals, sizeof(*vals) * (size_t)n);
    fresh.at = *at;
    fresh.at_ms = now_ms();
    fresh.keep_ms = keep_ms;
    fresh.n = n;
    pthread_mutex_lock(&memo_mu);
    s = &memo_table[memo_slot_of(key)];
    old = *s;
    *s = fresh;
    pthread_mutex_unlock(&memo_mu);
    memo_slot_free(&old);
}

void memo_clear(void)
{
    pthread_mutex_lock(&memo_mu);
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        memo_slot_free(&memo_table[i]);
    memo_hits = memo_misses = 0;
    pthread_mutex_unlock(&memo_mu);
}

void memo_stats(int64_t *hits, int64_t *misses)
{
    pthread_mutex_lock(&memo_mu);
    *hits = memo_hits;
    *misses = memo_misses;
    pthread_mutex_unlock(&memo_mu);
}
