/*
 * fuzz_search.c - libFuzzer target for the search box (src/kernel/search.c):
 * a user's query turned into the text bound to SQLite's FTS5 MATCH and to
 * PostgreSQL's to_tsquery (search_match_arg), and the snippet of a text
 * around a query (search_snippet), as lists and result pages do.
 *
 * Input: the query, then optionally a NUL byte and the document text for
 * the snippet (without one the query is its own text).  The engines are
 * fake_store.h connections that only say which engine they are; nothing is
 * queried.
 *
 * Checked besides sanitizer reports: the match text is well formed for its
 * engine -- on SQLite only whole "phrases" (a '*' right after the closing
 * quote of a prefix) joined by " AND ", on PostgreSQL only ('token' <->
 * 'token') groups (':*' after the last quote of a prefix) joined by " & ",
 * tokens holding no quote, backslash, colon or space -- since a malformed
 * one is an SQL error, a 500 for a user's typing.  Snippet segments are
 * valid UTF-8 (JSON and HTML carry them) of the length they say, at most
 * the width asked for in all.
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_search -max_total_time=60 \
 *         tests/fuzz/corpus/search
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tokenize.h"
#include "fake_store.h"
#include "kernel/search.h"
#include "web/web.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Characters a snippet is asked for, as the result list asks. */
#define FUZZ_SNIPPET_WIDTH 60

#define FUZZ_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, __VA_ARGS__);                                          \
        abort();                                                               \
    } while (0)

/* 1 for a byte that may stand inside a token (its UTF-8 and ASCII
 * letters and digits). */
static int fuzz_token_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Skips the token at *p; -1 when there is none. */
static int fuzz_token(const char **p)
{
    const char *s = *p;
    while (fuzz_token_byte((unsigned char)*s))
        s++;
    if (s == *p)
        return -1;
    *p = s;
    return 0;
}

/* "tok tok"[*] joined by " AND ". */
static int fuzz_fts5_ok(const char *s)
{
    for (;;) {
        if (*s++ != '"')
            return 0;
        for (;;) {
            if (fuzz_token(&s) != 0)
                return 0;
            if (*s == '"')
                break;
            if (*s++ != ' ')
                return 0;
        }
        s++;
        if (*s == '*')
            s++;
        if (*s == '\0')
            return 1;
        if (strncmp(s, " AND ", 5) != 0)
            return 0;
        s += 5;
    }
}

/* ('tok' <-> 'tok'[:*]) joined by " & ". */
static int fuzz_tsquery_ok(const char *s)
{
    for (;;) {
        if (*s++ != '(')
            return 0;
        for (;;) {
            if (*s++ != '\'' || fuzz_token(&s) != 0 || *s++ != '\'')
                return 0;
            if (strncmp(s, ":*", 2) == 0) {
                s += 2;
                if (*s != ')')
                    return 0;
            }
            if (*s == ')')
                break;
            if (strncmp(s, " <-> ", 5) != 0)
                return 0;
            s += 5;
        }
        s++;
        if (*s == '\0')
            return 1;
        if (strncmp(s, " & ", 3) != 0)
            return 0;
        s += 3;
    }
}

static void fuzz_match(struct store *db, struct arena *a, const char *q)
{
    const char *arg = NULL;
    int pg = store_kind(db) == STORE_PG;
    if (search_match_arg(db, a, q, &arg) == 0) {
        if (arg != NULL)
            FUZZ_FAIL("nothing searchable, yet a match text\n");
        return;
    }
    if (arg == NULL || !(pg ? fuzz_tsquery_ok(arg) : fuzz_fts5_ok(arg)))
        FUZZ_FAIL("%s match text is malformed: %s\n", pg ? "pg" : "sqlite",
                  arg ? arg : "(null)");
}

static void fuzz_snippet(struct arena *a, const char *text, const char *q)
{
    struct search_snippet sn;
    long chars = 0;
    search_snippet(a, text, q, FUZZ_SNIPPET_WIDTH, &sn);
    if (sn.nseg < 0 || (sn.nseg > 0 && sn.seg == NULL))
        FUZZ_FAIL("snippet of %d segments\n", sn.nseg);
    for (int i = 0; i < sn.nseg; i++) {
        const struct search_segment *g = &sn.seg[i];
        if (g->text == NULL || strlen(g->text) != g->len ||
            !request_utf8_ok(g->text, g->len))
            FUZZ_FAIL("snippet segment %d is not UTF-8 of its length\n", i);
        for (size_t k = 0; k < g->len; k++)
            chars += ((unsigned char)g->text[k] & 0xC0) != 0x80;
    }
    if (chars > FUZZ_SNIPPET_WIDTH)
        FUZZ_FAIL("snippet of %ld characters, %d asked\n", chars,
                  FUZZ_SNIPPET_WIDTH);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    (void)argc;
    (void)argv;
    if (tokenize_init(err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_search: %s\n", err);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store *sqlite, *pg;
    struct arena *a = arena_new();
    const char *q = arena_strndup(a, (const char *)data, size);
    const uint8_t *nul = memchr(data, '\0', size);
    const char *text = q;

    if (sqlite == NULL) {
        sqlite = fake_store_open(0);
        pg = fake_store_open(1);
    }
    if (nul != NULL)
        text = arena_strndup(a, (const char *)nul + 1,
                             size - (size_t)(nul + 1 - data));
    fuzz_match(sqlite, a, q);
    fuzz_match(pg, a, q);
    fuzz_snippet(a, text, q);
    arena_free(a);
    return 0;
}
