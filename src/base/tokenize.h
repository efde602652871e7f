/*
 * tokenize.h - the text half of Chinese search: normalisation and tokens,
 * the same for the index and for queries (kernel/search.c stores them).
 *
 * Normalisation works one code point at a time (tokenize_fold), so that a
 * piece of text normalises the same alone and inside a longer one, and a
 * match found in the normalised text maps back to the original bytes:
 *     traditional -> simplified  OpenCC t2s, character by character
 *                                (辦 -> 办, 訪 -> 访; no phrase rules)
 *     full-width -> half-width   ＡＢＣ１２３ -> ABC123, U+3000 -> space
 *     ASCII upper -> lower case
 *     anything else that is not an ASCII letter or digit or a Chinese
 *     character (tokenize_is_han) is a separator.
 *
 * Tokens, in text order (the order is what makes phrases work):
 *     an ASCII word or number      one token, its first TOKENIZE_WORD_MAX
 *                                  bytes (xf2026000001, 2026)
 *     a run of Chinese characters  every overlapping bigram, then the last
 *                                  character: 信访办 -> 信访 访办 办
 * A query is split at white space into words that must all match (AND);
 * each word is the phrase of its own tokens, except that a Chinese run
 * at the end of the word gives its bigrams only (the text may go on after
 * it), and a word ending in a single Chinese character makes that
 * character a prefix (信 -> 信*, matching 信访 and a final 信).
 *
 * The t2s table is built once per process from OpenCC's t2s.json (package
 * libopencc-data) and then only read; every function is thread-safe.
 */
#ifndef SHUNIU_TOKENIZE_H
#define SHUNIU_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

/* Bytes of an ASCII word kept in its token (the rest is not indexed). */
#define TOKENIZE_WORD_MAX 64
/* Tokens indexed per document: PostgreSQL keeps word positions only up to
 * 16383, so text after about 16000 characters is not searchable. */
#define TOKENIZE_DOC_MAX 16000
/* Limits of one query: words, and tokens per word (a longer phrase is
 * searched by its first TOKENIZE_QUERY_TOKENS tokens). */
#define TOKENIZE_QUERY_WORDS 8
#define TOKENIZE_QUERY_TOKENS 32

enum tokenize_kind {
    TOKENIZE_WORD,    /* ASCII letters and digits */
    TOKENIZE_BIGRAM,  /* two Chinese characters */
    TOKENIZE_UNIGRAM, /* the last character of a Chinese run */
};

struct tokenize_token {
    enum tokenize_kind kind;
    char text[TOKENIZE_WORD_MAX + 1]; /* normalised, NUL-terminated */
    size_t len;
    size_t start, end; /* the source bytes it stands for */
    size_t first_end;  /* end of its first source character */
};

/* Loads the t2s table (once per process; later calls return the first
 * answer).  0, or -1 with a message in err when OpenCC or t2s.json is
 * missing: Chinese characters are then left as they are, so traditional
 * text does not find simplified.  Other functions call it on first use;
 * call it at start to fail early. */
int tokenize_init(char *err, size_t errlen);

/* Decodes the UTF-8 character at s (n > 0 bytes available) into *cp and
 * returns its length; an invalid or truncated sequence gives U+FFFD and
 * length 1. */
size_t tokenize_utf8_next(const char *s, size_t n, uint32_t *cp);

/* 1 for the Chinese characters that are indexed: 〇 and the CJK unified
 * ideographs (BMP, extensions A-F, compatibility) that both SQLite's
 * unicode61 and PostgreSQL's parser take as letters. */
int tokenize_is_han(uint32_t cp);

/* 1 for white space, which separates query words: ASCII blanks, U+00A0
 * and the full-width space U+3000. */
int tokenize_is_space(uint32_t cp);

/* The normalised code point: an ASCII lower-case letter or digit, a
 * (simplified) Chinese character, or 0 for a separator. */
uint32_t tokenize_fold(uint32_t cp);

/* Calls fn for each token of text[0..len) in order until fn returns
 * non-zero or max tokens were given; returns the number given to fn. */
int tokenize_each(const char *text, size_t len, int max,
                  int (*fn)(void *arg, const struct tokenize_token *t),
                  void *arg);

/* Appends the index form of text: its tokens (at most TOKENIZE_DOC_MAX)
 * separated by single spaces.  Returns the number of tokens, or -1 when out
 * reached its cap (out then holds a prefix of the tokens). */
int tokenize_document(struct buf *out, const char *text);

/* Appends text normalised: each character folded, each run of separators
 * one space, no space at either end (for tests and diagnostics). */
int tokenize_normalize(struct buf *out, const char *text);

struct tokenize_word {
    struct tokenize_token *tok; /* arena-owned; the phrase, in order */
    int ntok;                   /* >= 1 */
    int prefix;                 /* the last token matches as a prefix */
};

struct tokenize_query {
    struct tokenize_word *word; /* arena-owned */
    int nword;                  /* 0: nothing searchable */
};

/* Parses the user's query q (its first maxlen bytes, cut at a character)
 * into words by the rules above; words without tokens are dropped. */
void tokenize_query(struct arena *a, const char *q, size_t maxlen,
                    struct tokenize_query *out);

#endif
