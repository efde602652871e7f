/*
 * tokenize.c - normalisation and tokens for Chinese search (see
 * tokenize.h for the scheme).
 *
 * The t2s table: OpenCC converts whole texts with phrase rules, so a word
 * could convert differently alone (a query) and inside a sentence (a
 * document).  Search needs the same answer both ways, so the table is
 * built once from t2s.json by converting every indexed Chinese character
 * on a line of its own (no phrase spans a line break) and keeping the
 * characters that change into one other indexed character: a sorted array
 * searched by bisection.  It is built under pthread_once and never written
 * again.
 *
 * Tokens come from one scanner (tokenize_each) that walks the text
 * character by character, holding back the previous Chinese character of
 * the current run so that it can emit the bigram ending at each new one
 * and the run's last character when the run ends.
 */
#include "base/tokenize.h"

#include <opencc/opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* Indexed Chinese characters: assigned in Unicode and taken as letters by
 * both SQLite 3.40's unicode61 tokenizer and PostgreSQL 15's default parser
 * (glibc 2.36 ctype), measured; sorted, inclusive.  Extension G and later
 * are left out: older C libraries do not know them. */
static const uint32_t tokenize_han_ranges[][2] = {
    {0x3007, 0x3007},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xF900, 0xFA6D},   {0xFA70, 0xFAD9},   {0x20000, 0x2A6DF},
    {0x2A700, 0x2B738}, {0x2B740, 0x2B81D}, {0x2B820, 0x2CEA1},
    {0x2CEB0, 0x2EBE0}, {0x2F800, 0x2FA1D},
};
#define TOKENIZE_NRANGES                                                       \
    (sizeof(tokenize_han_ranges) / sizeof(tokenize_han_ranges[0]))

/* The t2s table, written once under tokenize_once. */
static struct {
    uint32_t *from; /* sorted */
    uint32_t *to;
    size_t n;
    int rc;
    char err[256];
} tokenize_t2s;
static pthread_once_t tokenize_once = PTHREAD_ONCE_INIT;

size_t tokenize_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c = p[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    if (len > n)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

/* Appends cp as UTF-8 to p (room for 4 bytes); returns the length. */
static size_t tokenize_utf8_put(char *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (char)(0xC0 | (cp >> 6));
        p[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (char)(0xE0 | (cp >> 12));
        p[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | (cp >> 18));
    p[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    p[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int tokenize_is_han(uint32_t cp)
{
    size_t lo = 0, hi = TOKENIZE_NRANGES;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < tokenize_han_ranges[mid][0])
            hi = mid;
        else if (cp > tokenize_han_ranges[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Reads the converted lines: line i is what the i-th character became. */
static void tokenize_t2s_collect(const char *conv, const uint32_t *in,
                                 size_t nin)
{
    const char *p = conv;
    size_t i = 0;
    tokenize_t2s.from = calloc(nin, sizeof(uint32_t));
    tokenize_t2s.to = calloc(nin, sizeof(uint32_t));
    if (tokenize_t2s.from == NULL || tokenize_t2s.to == NULL)
        abort();
    while (i < nin && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        uint32_t cp = 0;
        if (len > 0 && tokenize_utf8_next(p, len, &cp) == len && cp != in[i] &&
            tokenize_is_han(cp)) {
            tokenize_t2s.from[tokenize_t2s.n] = in[i];
            tokenize_t2s.to[tokenize_t2s.n] = cp;
            tokenize_t2s.n++;
        }
        i++;
        p += len;
        if (*p == '\n')
            p++;
    }
}

static void tokenize_load(void)
{
    opencc_t cc = (opencc_t)-1;
    char *conv = NULL;
    uint32_t *in = NULL;
    size_t nin = 0, cap = 0;
    struct buf text;
    buf_init(&text, 0);
    tokenize_t2s.rc = -1;
    for (size_t r = 0; r < TOKENIZE_NRANGES; r++)
        cap += tokenize_han_ranges[r][1] - tokenize_han_ranges[r][0] + 1;
    in = calloc(cap, sizeof(uint32_t));
    if (in == NULL)
        abort();
    for (size_t r = 0; r < TOKENIZE_NRANGES; r++) {
        for (uint32_t cp = tokenize_han_ranges[r][0];
             cp <= tokenize_han_ranges[r][1]; cp++) {
            char u[5];
            size_t len = tokenize_utf8_put(u, cp);
            u[len++] = '\n';
            buf_append(&text, u, len);
            in[nin++] = cp;
        }
    }
    cc = opencc_open("t2s.json");
    if (cc == (opencc_t)-1) {
        snprintf(tokenize_t2s.err, sizeof(tokenize_t2s.err),
                 "cannot load opencc t2s.json: %s", opencc_error());
        goto out;
    }
    conv = opencc_convert_utf8(cc, text.ptr, text.len);
    if (conv == NULL) {
        snprintf(tokenize_t2s.err, sizeof(tokenize_t2s.err),
                 "opencc t2s conversion failed: %s", opencc_error());
        goto out;
    }
    tokenize_t2s_collect(conv, in, nin);
    tokenize_t2s.rc = 0;
out:
    if (tokenize_t2s.rc != 0)
        log_error("search normalisation without t2s: %s", tokenize_t2s.err);
    if (conv != NULL)
        opencc_convert_utf8_free(conv);
    if (cc != (opencc_t)-1)
        opencc_close(cc);
    free(in);
    buf_free(&text);
}

int tokenize_init(char *err, size_t errlen)
{
    pthread_once(&tokenize_once, tokenize_load);
    if (tokenize_t2s.rc != 0 && err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", tokenize_t2s.err);
    return tokenize_t2s.rc;
}

/* The simplified form of Chinese character cp (cp itself if none). */
static uint32_t tokenize_t2s_char(uint32_t cp)
{
    size_t lo = 0, hi = tokenize_t2s.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < tokenize_t2s.from[mid])
            hi = mid;
        else if (cp > tokenize_t2s.from[mid])
            lo = mid + 1;
        else
            return tokenize_t2s.to[mid];
    }
    return cp;
}

uint32_t tokenize_fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0; /* full-width ASCII */
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return cp + ('a' - 'A');
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            return cp;
        return 0;
    }
    if (!tokenize_is_han(cp))
        return 0;
    pthread_once(&tokenize_once, tokenize_load);
    return tokenize_t2s_char(cp);
}

/* One folded character of the text being scanned. */
struct tokenize_char {
    uint32_t cp; /* folded; 0 separator */
    size_t start, end;
};

static size_t tokenize_read(const char *text, size_t len, size_t pos,
                            struct tokenize_char *c)
{
    uint32_t raw;
    size_t n = tokenize_utf8_next(text + pos, len - pos, &raw);
    c->cp = tokenize_fold(raw);
    c->start = pos;
    c->end = pos + n;
    return c->end;
}

static void tokenize_han_token(struct tokenize_token *t,
                               const struct tokenize_char *a,
                               const struct tokenize_char *b)
{
    t->len = tokenize_utf8_put(t->text, a->cp);
    t->start = a->start;
    t->first_end = a->end;
    t->end = a->end;
    t->kind = TOKENIZE_UNIGRAM;
    if (b != NULL) {
        t->len += tokenize_utf8_put(t->text + t->len, b->cp);
        t->end = b->end;
        t->kind = TOKENIZE_BIGRAM;
    }
    t->text[t->len] = '\0';
}

int tokenize_each(const char *text, size_t len, int max,
                  int (*fn)(void *arg, const struct tokenize_token *t),
                  void *arg)
{
    struct tokenize_token t;
    struct tokenize_char prev = {0}, c;
    int have_prev = 0, n = 0;
    size_t pos = 0;
    while (n < max && (pos < len || have_prev)) {
        if (pos >= len) { /* the text ends a Chinese run */
            tokenize_han_token(&t, &prev, NULL);
            have_prev = 0;
            goto give;
        }
        size_t next = tokenize_read(text, len, pos, &c);
        int han = c.cp >= 0x80;
        if (have_prev && han) {
            tokenize_han_token(&t, &prev, &c);
            prev = c;
            pos = next;
            goto give;
        }
        if (have_prev) { /* the run ends before c: read c again */
            tokenize_han_token(&t, &prev, NULL);
            have_prev = 0;
            goto give;
        }
        pos = next;
        if (han) {
            prev = c;
            have_prev = 1;
            continue;
        }
        if (c.cp == 0)
            continue;
        /* an ASCII word: c and the letters and digits after it */
        t.kind = TOKENIZE_WORD;
        t.start = c.start;
        t.first_end = c.end;
        t.text[0] = (char)c.cp;
        t.len = 1;
        while (pos < len) {
            next = tokenize_read(text, len, pos, &c);
            if (c.cp == 0 || c.cp >= 0x80)
                break;
            if (t.len < TOKENIZE_WORD_MAX)
                t.text[t.len++] = (char)c.cp;
            pos = next;
        }
        t.text[t.len] = '\0';
        t.end = pos;
    give:
        n++;
        if (fn(arg, &t) != 0)
            break;
    }
    return n;
}

struct tokenize_joiner {
    struct buf *out;
    int full;
};

static int tokenize_join(void *arg, const struct tokenize_token *t)
{
    struct tokenize_joiner *j = arg;
    size_t undo = j->out->len;
    if ((j->out->len > 0 && buf_putc(j->out, ' ') != 0) ||
        buf_append(j->out, t->text, t->len) != 0) {
        j->out->len = undo;
        j->out->ptr[undo] = '\0';
        j->full = 1;
        return 1;
    }
    return 0;
}

int tokenize_document(struct buf *out, const char *text)
{
    struct tokenize_joiner j = {out, 0};
    int n =
        tokenize_each(text, strlen(text), TOKENIZE_DOC_MAX, tokenize_join, &j);
    return j.full ? -1 : n;
}

int tokenize_normalize(struct buf *out, const char *text)
{
    size_t len = strlen(text), pos = 0;
    int gap = 0, rc = 0;
    struct tokenize_char c;
    while (pos < len && rc == 0) {
        pos = tokenize_read(text, len, pos, &c);
        if (c.cp == 0) {
            gap = out->len > 0;
            continue;
        }
        char u[4];
        if (gap)
            rc = buf_putc(out, ' ');
        gap = 0;
        if (rc == 0)
            rc = buf_append(out, u, tokenize_utf8_put(u, c.cp));
    }
    return rc;
}

/* Collects a query word's tokens (one more than kept, to see the end). */
struct tokenize_collect {
    struct tokenize_token tok[TOKENIZE_QUERY_TOKENS + 1];
    int n;
};

static int tokenize_collect_one(void *arg, const struct tokenize_token *t)
{
    struct tokenize_collect *c = arg;
    c->tok[c->n++] = *t;
    return 0;
}

int tokenize_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
           cp == '\v' || cp == 0x3000 || cp == 0xA0;
}

/* Turns the tokens of one query word into its phrase (see tokenize.h). */
static void tokenize_word_add(struct arena *a, struct tokenize_query *q,
                              const char *w, size_t len)
{
    struct tokenize_collect c;
    int prefix = 0;
    c.n = 0;
    tokenize_each(w, len, TOKENIZE_QUERY_TOKENS + 1, tokenize_collect_one, &c);
    if (c.n > TOKENIZE_QUERY_TOKENS) {
        c.n = TOKENIZE_QUERY_TOKENS; /* a cut phrase: no end rules */
    } else if (c.n > 0 && c.tok[c.n - 1].kind == TOKENIZE_UNIGRAM) {
        const struct tokenize_token *last = &c.tok[c.n - 1];
        if (c.n > 1 && c.tok[c.n - 2].kind == TOKENIZE_BIGRAM &&
            c.tok[c.n - 2].end == last->end)
            c.n--; /* a run of two or more ends the word: bigrams only */
        else
            prefix = 1; /* one character ends the word */
    }
    if (c.n == 0)
        return;
    struct tokenize_word *wd = &q->word[q->nword++];
    wd->tok = arena_alloc(a, (size_t)c.n * sizeof(*wd->tok));
    memcpy(wd->tok, c.tok, (size_t)c.n * sizeof(*wd->tok));
    wd->ntok = c.n;
    wd->prefix = prefix;
}

void tokenize_query(struct arena *a, const char *q, size_t maxlen,
                    struct tokenize_query *out)
{
    size_t full = strlen(q), len = full < maxlen ? full : maxlen;
    size_t pos = 0, word = 0;
    uint32_t cp = 0;
    out->word = arena_alloc(a, TOKENIZE_QUERY_WORDS * sizeof(*out->word));
    out->nword = 0;
    /* cut at a character boundary */
    while (len > 0 && len < full && ((unsigned char)q[len] & 0xC0) == 0x80)
        len--;
    while (pos <= len && out->nword < TOKENIZE_QUERY_WORDS) {
        size_t n = pos < len ? tokenize_utf8_next(q + pos, len - pos, &cp) : 0;
        if (pos == len || tokenize_is_space(cp)) {
            if (pos > word)
                tokenize_word_add(a, out, q + word, pos - word);
            word = pos + n;
        }
        if (pos == len)
            break;
        pos += n;
    }
}
