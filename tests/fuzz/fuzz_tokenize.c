/*
 * fuzz_tokenize.c - libFuzzer target for the text half of Chinese search
 * (src/base/tokenize.c): UTF-8 decoding, folding (OpenCC t2s, full-width,
 * case), document tokens, normalisation and query parsing, on the input as
 * a document and as a query.
 *
 * Checked besides sanitizer reports, from tokenize.h: every token lies
 * within the text (start < end <= len, first_end between them), holds at
 * most TOKENIZE_WORD_MAX bytes of lower-case ASCII letters and digits or
 * of Chinese characters, and a query has at most TOKENIZE_QUERY_WORDS words
 * of 1..TOKENIZE_QUERY_TOKENS tokens each.  These are what search.c puts
 * between quotes in SQL: a stray quote or space would break the query.
 *
 * tokenize_init() loads OpenCC's t2s table once (LLVMFuzzerInitialize), so
 * that the first input is not charged for it.
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_tokenize -max_total_time=60 \
 *         tests/fuzz/corpus/tokenize
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tokenize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cap of the document and normalised forms (TOKENIZE_DOC_MAX tokens of at
 * most TOKENIZE_WORD_MAX + 1 bytes). */
#define FUZZ_OUT_MAX ((size_t)4 << 20)

#define FUZZ_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, __VA_ARGS__);                                          \
        abort();                                                               \
    } while (0)

/* 1 when t->text is what a token may hold. */
static int fuzz_token_text_ok(const struct tokenize_token *t)
{
    size_t i = 0;
    if (t->len == 0 || t->len > TOKENIZE_WORD_MAX || t->text[t->len] != '\0')
        return 0;
    while (i < t->len) {
        uint32_t cp;
        size_t n = tokenize_utf8_next(t->text + i, t->len - i, &cp);
        int ascii = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
        if (t->kind == TOKENIZE_WORD ? !ascii : !tokenize_is_han(cp))
            return 0;
        i += n;
    }
    return 1;
}

struct fuzz_doc {
    size_t len;
    int count;
};

static int fuzz_check_token(void *arg, const struct tokenize_token *t)
{
    struct fuzz_doc *d = arg;
    if (t->start >= t->end || t->end > d->len || t->first_end <= t->start ||
        t->first_end > t->end)
        FUZZ_FAIL("token %d at %zu..%zu (first %zu) of %zu bytes\n", d->count,
                  t->start, t->end, t->first_end, d->len);
    if (!fuzz_token_text_ok(t))
        FUZZ_FAIL("token %d holds \"%.*s\" (kind %d)\n", d->count, (int)t->len,
                  t->text, (int)t->kind);
    d->count++;
    return 0;
}

static void fuzz_query(struct arena *a, const char *q, size_t maxlen)
{
    struct tokenize_query tq;
    tokenize_query(a, q, maxlen, &tq);
    if (tq.nword < 0 || tq.nword > TOKENIZE_QUERY_WORDS)
        FUZZ_FAIL("query of %d words\n", tq.nword);
    for (int i = 0; i < tq.nword; i++) {
        const struct tokenize_word *w = &tq.word[i];
        if (w->ntok < 1 || w->ntok > TOKENIZE_QUERY_TOKENS)
            FUZZ_FAIL("query word %d of %d tokens\n", i, w->ntok);
        for (int k = 0; k < w->ntok; k++)
            if (!fuzz_token_text_ok(&w->tok[k]))
                FUZZ_FAIL("query word %d token %d holds \"%.*s\"\n", i, k,
                          (int)w->tok[k].len, w->tok[k].text);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    (void)argc;
    (void)argv;
    if (tokenize_init(err, sizeof(err)) != 0) {
        /* without t2s the target would fuzz a different normalisation */
        fprintf(stderr, "fuzz_tokenize: %s\n", err);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    char *text = arena_strndup(a, (const char *)data, size);
    struct fuzz_doc d = {size, 0};
    struct buf out;

    /* the raw bytes (NUL and all) as tokenize_each sees them */
    tokenize_each(text, size, TOKENIZE_DOC_MAX, fuzz_check_token, &d);

    buf_init(&out, FUZZ_OUT_MAX);
    tokenize_document(&out, text);
    buf_free(&out);
    buf_init(&out, FUZZ_OUT_MAX);
    tokenize_normalize(&out, text);
    buf_free(&out);

    fuzz_query(a, text, strlen(text));
    /* a query cut short in the middle of a character */
    fuzz_query(a, text, size / 2);
    arena_free(a);
    return 0;
}
