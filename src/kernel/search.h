/*
 * search.h - Chinese full-text search over cases, the same answers on
 * SQLite and PostgreSQL.
 *
 * The scheme (tokenize.h does the text work, this file the storage):
 *   - text and queries are normalised character by character: traditional
 *     to simplified (OpenCC t2s, one character at a time), full-width to
 *     half-width, ASCII lower-cased, everything that is neither a Chinese
 *     character nor an ASCII letter or digit is a separator;
 *   - a run of Chinese characters is indexed as its overlapping bigrams plus
 *     its last character (信访办 -> 信访 访办 办); an ASCII word or number is
 *     one token (xf2026000001, 2026);
 *   - the tokens, joined by spaces, are what both engines index: an FTS5
 *     table (tokenize='unicode61', prefix='1') on SQLite, a tsvector
 *     (to_tsvector('simple', tokens)) with a GIN index on PostgreSQL;
 *   - a query word of one Chinese character is a prefix query (信 -> 信*),
 *     longer ones the phrase of their bigrams (督查督办 -> "督查 查督 督办"),
 *     so non-adjacent characters never match; words separated by spaces are
 *     ANDed.
 *
 * Storage (kernel migration 4):
 *     search_docs (case_id BIGINT PRIMARY KEY, module TEXT, body TEXT,
 *                  tokens TEXT [, tsv tsvector on PostgreSQL])
 *     search_fts  SQLite only: FTS5 over search_docs.tokens (external
 *                 content, kept in step by triggers), rowid = case_id
 * body is the text as given (for snippets); tokens its token string.
 *
 * Permission and clearance are not search's business: the case engine
 * joins the matching ids with its own visibility predicate, so that lists,
 * counts and totals only ever count what the viewer may see.  For that it
 * embeds SEARCH_IDS_SQLITE / SEARCH_IDS_PG in its SQL and binds the string
 * from search_match_arg() as that parameter:
 *
 *     static const char list_sqlite[] = "SELECT ... FROM cases c WHERE "
 *         "c.id IN (" SEARCH_IDS_SQLITE("$4") ") AND <visibility> ...";
 *     static const char list_pg[] = "SELECT ... FROM cases c WHERE "
 *         "c.id IN (" SEARCH_IDS_PG("$4") ") AND <visibility> ...";
 *     if (search_match_arg(db, a, q, &arg) == 0) -> empty answer, no query
 *     st = store_prepare(db, store_kind(db) == STORE_PG ? list_pg
 *                                                       : list_sqlite);
 *     store_bind_text(st, 4, arg);
 *
 * On PostgreSQL such a list with ORDER BY <indexed column> LIMIT may be
 * planned as a walk down that index testing each row (the planner guesses
 * 0.5% for a rare word): measured 1.1 s for one match in 100k documents.
 * Ordering by an expression (ORDER BY c.id + 0) makes it sort the matches
 * instead (0.6 ms); search_query does that.
 *
 * Thread safety: every function may run on several threads at once, each
 * with its own connection and arena.
 */
#ifndef SHUNIU_SEARCH_H
#define SHUNIU_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

/* The ids of matching cases as a subquery, with the parameter P (a string
 * literal such as "$3") bound to the text from search_match_arg(). */
#define SEARCH_IDS_SQLITE(P)                                                   \
    "SELECT rowid FROM search_fts WHERE search_fts MATCH " P
#define SEARCH_IDS_PG(P)                                                       \
    "SELECT case_id FROM search_docs WHERE tsv @@ to_tsquery('simple', " P ")"

/* A test that the case ID (an SQL expression such as "c.id") matches, for
 * walking an ordered index of cases when most documents match (a common
 * word): each row costs one look-up instead of collecting every match.
 * P as for SEARCH_IDS_*. */
#define SEARCH_HAS_SQLITE(P, ID)                                               \
    "EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH " P               \
    " AND search_fts.rowid = " ID ")"
#define SEARCH_HAS_PG(P, ID)                                                   \
    "EXISTS (SELECT 1 FROM search_docs sd WHERE sd.case_id = " ID              \
    " AND sd.tsv @@ to_tsquery('simple', " P "))"

/* The matches joined to "cases c", the index read first and streamed in
 * its own order (no sort, no collecting), so that a count under a LIMIT
 * stops early; what follows is "AND <more conditions>".  P as above.
 * SQLite reads cases through the narrow index of (id, secrecy) (kernel
 * migration 7), which covers the visibility test of a case that is not
 * secret; its planner would take the wide rows by their key. */
#define SEARCH_JOIN_SQLITE(P)                                                  \
    "search_fts CROSS JOIN cases c INDEXED BY cases_id_secrecy"                \
    " ON c.id = search_fts.rowid"                                              \
    " WHERE search_fts MATCH " P
#define SEARCH_JOIN_PG(P)                                                      \
    "search_docs sd JOIN cases c ON c.id = sd.case_id"                         \
    " WHERE sd.tsv @@ to_tsquery('simple', " P ")"

/* Longest query looked at, in bytes; the rest is ignored. */
#define SEARCH_QUERY_MAX 512

/* (Re)places the document of case_id: text is everything searchable of the
 * case (title, number, searchable fields), module its module code.  Runs
 * inside the caller's transaction (does not begin or commit).  Empty text
 * keeps an empty document.  STORE_OK or STORE_ERR (see store_errmsg). */
int search_index_case(struct store *db, int64_t case_id, const char *module,
                      const char *text);

/* Drops the document of case_id (none is fine).  STORE_OK or STORE_ERR. */
int search_remove_case(struct store *db, int64_t case_id);

/* The backend's match expression for the user's query q (an FTS5 MATCH
 * string on SQLite, a to_tsquery text on PostgreSQL), allocated from a.
 * Returns 1 with *out set; 0 with *out = NULL when q holds nothing
 * searchable (empty, only punctuation): the answer is then "no case", and
 * the caller must not run its query (an empty MATCH is an error). */
int search_match_arg(const struct store *db, struct arena *a, const char *q,
                     const char **out);

/* How many documents of cases after after_id match arg (from
 * search_match_arg), from the index alone (a range of its keys): over the
 * newest few thousand cases, the share of a word among those a list shows
 * first, to decide how to run it.  STORE_OK or STORE_ERR. */
int search_count_after(struct store *db, const char *arg, int64_t after_id,
                       int64_t *n);

struct search_hit {
    int64_t case_id;
    const char *module; /* arena-owned */
    const char *body;   /* the indexed text, arena-owned */
};

/* Matching cases of module (NULL: all), newest (highest id) first, rows
 * offset .. offset+limit-1 in *out (arena-owned, *n of them) and the number
 * of all matches in *total.  NOT filtered by permission or clearance: for
 * tools, tests and administrators; pages and the API use SEARCH_IDS_*
 * inside the engine's visibility-checked query.  A query with nothing
 * searchable answers 0 hits.  Returns 0, or -1 with e set (500). */
int search_query(struct store *db, struct arena *a, const char *q,
                 const char *module, int limit, int offset,
                 struct search_hit **out, int *n, int *total, struct err *e);

/* One piece of a snippet: text (arena-owned, NUL-terminated, len bytes) and
 * whether it is a match to highlight.  Templates escape text as any value:
 * a snippet is never HTML. */
struct search_segment {
    const char *text;
    size_t len;
    int match;
};

struct search_snippet {
    struct search_segment *seg; /* arena-owned */
    int nseg;
    int cut_before; /* text was cut at the start: show "…" */
    int cut_after;  /* text was cut at the end */
};

/* About width characters of text around the first match of q (from the
 * start when nothing matches), whitespace runs shown as one space, split
 * into plain and matching segments by the same rules as the index.  Never
 * fails; empty text gives no segments. */
void search_snippet(struct arena *a, const char *text, const char *q, int width,
                    struct search_snippet *out);

#endif
