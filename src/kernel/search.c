/*
 * search.c - the search index of cases (see search.h for the contract and
 * src/base/tokenize.h for the scheme).
 *
 * Life of a document:
 *     search_index_case   upsert into search_docs (body, tokens); SQLite's
 *                         triggers / PostgreSQL's generated column update
 *                         the full-text index in the same transaction
 *     search_remove_case  delete the row (the same way)
 * Life of a query:
 *     tokenize_query          words -> phrases of tokens (+ prefix flag)
 *     search_match_arg        phrases -> FTS5 MATCH text or to_tsquery text
 *         FTS5:      "信访 访办" AND "xf2026000001" AND "信"*
 *         tsquery:   ('信访' <-> '访办') & ('xf2026000001') & ('信':*)
 *     SEARCH_IDS_*            the backend's subquery matching that text
 * Tokens only ever hold ASCII letters and digits and Chinese characters,
 * so they need no quoting inside either syntax.
 *
 * Snippets run the same phrase matching in C over the tokens of the body
 * (with their byte spans), so a highlight is exactly what the index
 * matched, mapped back to the original characters.
 */
#include "kernel/search.h"

#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tokenize.h"

static const char search_upsert_sql[] =
    "INSERT INTO search_docs (case_id, module, body, tokens)"
    " VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (case_id) DO UPDATE SET module = excluded.module,"
    " body = excluded.body, tokens = excluded.tokens";

/* The document as it is indexed now: a transition that changes no searched
 * field (催办, 反馈) leaves it as it was, and rewriting it anyway cost the
 * full-text index dozens of pages per write. */
static const char search_same_sql[] =
    "SELECT 1 FROM search_docs WHERE case_id = $1 AND module = $2"
    " AND body = $3";

static const char search_delete_sql[] =
    "DELETE FROM search_docs WHERE case_id = $1";

#define SEARCH_MODULE_FILTER " AND (CAST($2 AS TEXT) IS NULL OR module = $2)"

/* PostgreSQL's list orders by "case_id + 0", not by the key itself:
 * otherwise, guessing 0.5% for a word it has no statistics on, it walks
 * the primary key backwards testing every row for the LIMIT (measured: 1.1
 * s for a case number matching 1 of 100k documents; 0.6 ms sorted).
 * SQLite's planner reads the FTS5 matches first by itself. */
static const char search_count_sqlite[] =
    "SELECT count(*) FROM search_docs WHERE case_id IN "
    "(" SEARCH_IDS_SQLITE("$1") ")" SEARCH_MODULE_FILTER;
static const char search_count_pg[] =
    "SELECT count(*) FROM search_docs"
    " WHERE tsv @@ to_tsquery('simple', $1)" SEARCH_MODULE_FILTER;

static const char search_list_sqlite[] =
    "SELECT case_id, module, body FROM search_docs WHERE case_id IN "
    "(" SEARCH_IDS_SQLITE("$1") ")" SEARCH_MODULE_FILTER
                                " ORDER BY case_id DESC LIMIT $3 OFFSET $4";
static const char search_list_pg[] =
    "SELECT case_id, module, body FROM search_docs"
    " WHERE tsv @@ to_tsquery('simple', $1)" SEARCH_MODULE_FILTER
    " ORDER BY case_id + 0 DESC LIMIT $3 OFFSET $4";

/* Room for the token string of one document: TOKENIZE_DOC_MAX tokens of
 * at most TOKENIZE_WORD_MAX bytes and a space each. */
#define SEARCH_TOKENS_MAX ((size_t)TOKENIZE_DOC_MAX * (TOKENIZE_WORD_MAX + 1))

/* Widest snippet, in characters. */
#define SEARCH_SNIPPET_MAX 1000

int search_index_case(struct store *db, int64_t case_id, const char *module,
                      const char *text)
{
    int rc = STORE_ERR;
    struct buf tokens;
    int64_t same = 0;
    if (text == NULL)
        text = "";
    if (module == NULL)
        module = "";
    switch (store_query_int(db, search_same_sql, &same, "itt", case_id,
                            module, text)) {
    case STORE_ROW:
        return STORE_OK; /* indexed as it is */
    case STORE_ERR:
        return STORE_ERR;
    default:
        break;
    }
    buf_init(&tokens, SEARCH_TOKENS_MAX + 1);
    if (tokenize_document(&tokens, text) < 0) {
        log_error("search index of case %lld: tokens too long",
                  (long long)case_id);
        goto out;
    }
    rc = store_run(db, search_upsert_sql, "ittt", case_id, module, text,
                   tokens.ptr);
out:
    buf_free(&tokens);
    return rc;
}

int search_remove_case(struct store *db, int64_t case_id)
{
    return store_run(db, search_delete_sql, "i", case_id);
}

/* Appends one word of the query in the backend's syntax. */
static void search_word_sql(struct buf *b, int pg,
                            const struct tokenize_word *w)
{
    buf_puts(b, pg ? "(" : "\"");
    for (int k = 0; k < w->ntok; k++) {
        if (k > 0)
            buf_puts(b, pg ? " <-> " : " ");
        if (pg)
            buf_putc(b, '\'');
        buf_append(b, w->tok[k].text, w->tok[k].len);
        if (pg)
            buf_puts(b, w->prefix && k == w->ntok - 1 ? "':*" : "'");
    }
    buf_puts(b, pg ? ")" : (w->prefix ? "\"*" : "\""));
}

int search_match_arg(const struct store *db, struct arena *a, const char *q,
                     const char **out)
{
    struct tokenize_query tq;
    struct buf b;
    int pg = store_kind(db) == STORE_PG;
    *out = NULL;
    if (q == NULL)
        return 0;
    tokenize_query(a, q, SEARCH_QUERY_MAX, &tq);
    if (tq.nword == 0)
        return 0;
    buf_init(&b, 0);
    for (int i = 0; i < tq.nword; i++) {
        if (i > 0)
            buf_puts(&b, pg ? " & " : " AND ");
        search_word_sql(&b, pg, &tq.word[i]);
    }
    *out = arena_strndup(a, b.ptr, b.len);
    buf_free(&b);
    return 1;
}

static const char search_after_sqlite[] =
    "SELECT count(*) FROM search_fts WHERE search_fts MATCH $1"
    " AND rowid > $2";
static const char search_after_pg[] =
    "SELECT count(*) FROM search_docs"
    " WHERE tsv @@ to_tsquery('simple', $1) AND case_id > $2";

int search_count_after(struct store *db, const char *arg, int64_t after_id,
                       int64_t *n)
{
    int rc;
    *n = 0;
    rc = store_query_int(
        db, store_kind(db) == STORE_PG ? search_after_pg : search_after_sqlite,
        n, "ti", arg, after_id);
    return rc == STORE_ERR ? STORE_ERR : STORE_OK;
}

int search_query(struct store *db, struct arena *a, const char *q,
                 const char *module, int limit, int offset,
                 struct search_hit **out, int *n, int *total, struct err *e)
{
    int rc = -1, pg = store_kind(db) == STORE_PG;
    int64_t count = 0;
    const char *arg = NULL;
    struct stmt *st = NULL;
    *out = NULL;
    *n = 0;
    *total = 0;
    if (limit < 0)
        limit = 0;
    if (offset < 0)
        offset = 0;
    if (search_match_arg(db, a, q, &arg) == 0) {
        rc = 0; /* nothing searchable: no case matches */
        goto out;
    }
    if (store_query_int(db, pg ? search_count_pg : search_count_sqlite, &count,
                        "tt", arg, module) == STORE_ERR)
        goto fail;
    *total = (int)count;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(**out));
    st = store_prepare(db, pg ? search_list_pg : search_list_sqlite);
    store_bind_text(st, 1, arg);
    store_bind_text(st, 2, module);
    store_bind_int(st, 3, limit);
    store_bind_int(st, 4, offset);
    while (*n < limit && store_step(st) == STORE_ROW) {
        struct search_hit *h = &(*out)[(*n)++];
        h->case_id = store_col_int(st, 0);
        h->module = arena_strdup(a, store_col_text(st, 1));
        h->body = arena_strdup(a, store_col_text(st, 2));
    }
    if (store_finalize(st) != STORE_OK) {
        st = NULL;
        goto fail;
    }
    st = NULL;
    rc = 0;
    goto out;
fail:
    log_error("search query failed: %s", store_errmsg(db));
    err_set(e, 500, "internal", "搜索暂时无法使用，请稍后再试");
    *n = 0;
    *total = 0;
out:
    store_finalize(st);
    return rc;
}

/* ---- snippets -------------------------------------------------------- */

struct search_doc_tokens {
    struct tokenize_token *tok;
    int n, cap;
};

static int search_keep_token(void *arg, const struct tokenize_token *t)
{
    struct search_doc_tokens *d = arg;
    if (d->n < d->cap)
        d->tok[d->n++] = *t;
    return d->n >= d->cap;
}

static int search_count_token(void *arg, const struct tokenize_token *t)
{
    (void)t;
    (*(int *)arg)++;
    return 0;
}

/* 1 when the word's phrase matches the document's tokens from p on. */
static int search_phrase_at(const struct search_doc_tokens *d, int p,
                            const struct tokenize_word *w)
{
    if (p + w->ntok > d->n)
        return 0;
    for (int k = 0; k < w->ntok; k++) {
        const struct tokenize_token *dt = &d->tok[p + k], *qt = &w->tok[k];
        int prefix = w->prefix && k == w->ntok - 1;
        if (dt->len < qt->len || (!prefix && dt->len != qt->len))
            return 0;
        if (memcmp(dt->text, qt->text, qt->len) != 0)
            return 0;
    }
    return 1;
}

/* Marks in hl (one flag per byte of the text) what the query matches. */
static void search_mark(const struct search_doc_tokens *d,
                        const struct tokenize_query *tq, char *hl)
{
    for (int i = 0; i < tq->nword; i++) {
        const struct tokenize_word *w = &tq->word[i];
        for (int p = 0; p < d->n; p++) {
            if (!search_phrase_at(d, p, w))
                continue;
            for (int k = 0; k < w->ntok; k++) {
                const struct tokenize_token *dt = &d->tok[p + k];
                size_t end =
                    w->prefix && k == w->ntok - 1 ? dt->first_end : dt->end;
                memset(hl + dt->start, 1, end - dt->start);
            }
        }
    }
}

/* Ends the segment being built in b, if any. */
static void search_seg_close(struct arena *a, struct search_snippet *out,
                             struct buf *b, int match)
{
    if (b->len == 0)
        return;
    struct search_segment *s = &out->seg[out->nseg++];
    s->text = arena_strndup(a, b->ptr, b->len);
    s->len = b->len;
    s->match = match;
    buf_reset(b);
}

void search_snippet(struct arena *a, const char *text, const char *q, int width,
                    struct search_snippet *out)
{
    struct tokenize_query tq;
    struct search_doc_tokens d = {NULL, 0, 0};
    struct buf b;
    size_t len = text != NULL ? strlen(text) : 0, pos = 0, first = len;
    char *hl;
    int chars = 0, cur = 0, pending_space = 0;
    uint32_t cp;
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return;
    if (width < 1)
        width = 1;
    if (width > SEARCH_SNIPPET_MAX)
        width = SEARCH_SNIPPET_MAX;
    buf_init(&b, 0);

    /* what matches, byte by byte */
    hl = arena_alloc(a, len);
    tokenize_query(a, q != NULL ? q : "", SEARCH_QUERY_MAX, &tq);
    if (tq.nword > 0) {
        tokenize_each(text, len, TOKENIZE_DOC_MAX, search_count_token, &d.cap);
        d.tok =
            arena_alloc(a, (size_t)(d.cap > 0 ? d.cap : 1) * sizeof(*d.tok));
        tokenize_each(text, len, d.cap, search_keep_token, &d);
        search_mark(&d, &tq, hl);
    }
    for (size_t i = 0; i < len; i++) {
        if (hl[i]) {
            first = i;
            break;
        }
    }

    /* start a fifth of the width before the first match, or earlier when
     * the text ends within the width */
    if (first < len) {
        size_t nchars = 0, at = 0, skip;
        for (size_t i = 0; i < len;
             i += tokenize_utf8_next(text + i, len - i, &cp)) {
            if (i == first)
                at = nchars;
            nchars++;
        }
        skip = at > (size_t)width / 5 ? at - (size_t)width / 5 : 0;
        if (nchars < skip + (size_t)width)
            skip = nchars > (size_t)width ? nchars - (size_t)width : 0;
        while (skip-- > 0)
            pos += tokenize_utf8_next(text + pos, len - pos, &cp);
    }
    while (pos < len) { /* no white space at the start */
        size_t n = tokenize_utf8_next(text + pos, len - pos, &cp);
        if (!tokenize_is_space(cp))
            break;
        pos += n;
    }
    out->cut_before = pos > 0;

    out->seg = arena_alloc(a, (size_t)(width + 1) * sizeof(*out->seg));
    while (pos < len && chars < width) {
        size_t n = tokenize_utf8_next(text + pos, len - pos, &cp);
        if (tokenize_is_space(cp)) {
            pending_space = 1;
            pos += n;
            continue;
        }
        if (pending_space) { /* a run of white space: one plain space */
            if (chars + 1 >= width)
                break;
            if (cur != 0)
                search_seg_close(a, out, &b, cur);
            cur = 0;
            buf_putc(&b, ' ');
            pending_space = 0;
            chars++;
        }
        if (hl[pos] != cur) {
            search_seg_close(a, out, &b, cur);
            cur = hl[pos];
        }
        if (cp == 0xFFFD && n == 1)
            buf_append(&b, "\xEF\xBF\xBD", 3); /* invalid byte */
        else
            buf_append(&b, text + pos, n);
        pos += n;
        chars++;
    }
    search_seg_close(a, out, &b, cur);
    while (pos < len) { /* only white space left is no cut */
        size_t n = tokenize_utf8_next(text + pos, len - pos, &cp);
        if (!tokenize_is_space(cp)) {
            out->cut_after = 1;
            break;
        }
        pos += n;
    }
    buf_free(&b);
}
