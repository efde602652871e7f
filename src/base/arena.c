/*
 * arena.c - bump allocator in chained blocks, with deferred cleanups.
 *
 * Invariant: a->head is the block being filled; older blocks follow through
 * ->next.  Each new block is twice the size of the last (up to
 * ARENA_BLOCK_MAX).  Requests larger than a quarter of the next block get a
 * block of their own so that a large body does not waste the rest of the
 * current block.
 */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192
#define ARENA_BLOCK_MAX (64 * 1024) /* under malloc's mmap threshold (128 KiB):
                                      bigger blocks were new mappings, and
                                      every request page-faulted them in */
#define ARENA_ALIGN 16

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct arena_block *head;
    struct arena_cleanup *cleanups;
    size_t total;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fputs("out of memory\n", stderr);
        abort();
    }
    return p;
}

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = xmalloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct arena *arena_new(void)
{
    struct arena *a = xmalloc(sizeof(*a));
    a->head = block_new(ARENA_BLOCK);
    a->cleanups = NULL;
    a->total = 0;
    return a;
}

void arena_free(struct arena *a)
{
    if (a == NULL)
        return;
    while (a->cleanups) {
        struct arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n) {
        fputs("arena: size overflow\n", stderr);
        abort();
    }
    if (need == 0)
        need = ARENA_ALIGN;
    struct arena_block *b = a->head;
    if (b->size - b->used < need) {
        /* each new block twice the last, up to ARENA_BLOCK_MAX: a page
         * that builds half a megabyte takes a few blocks, not sixty */
        size_t size = b->size < ARENA_BLOCK_MAX ? b->size * 2 : b->size;
        if (need > size / 4) {
            /* a big piece: its own block, behind the current one */
            struct arena_block *big = block_new(need);
            big->next = b->next;
            b->next = big;
            big->used = need;
            a->total += need;
            return big->data;
        }
        b = block_new(size);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}
char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_int(struct arena *a, const char *prefix, long long x)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long u =
        x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    size_t np = strlen(prefix);
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (x < 0)
        *--p = '-';
    size_t nd = (size_t)(digits + sizeof(digits) - p);
    char *out = arena_alloc_raw(a, np + nd + 1);
    memcpy(out, prefix, np);
    memcpy(out + np, p, nd);
    out[np + nd] = '\0';
    return out;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

void *arena_grow(struct arena *a, void *arr, int n, int *cap, size_t size)
{
    if (n < *cap)
        return arr;
    *cap = *cap > 0 ? *cap * 2 : 4;
    void *w = arena_alloc(a, size * (size_t)*cap);
    if (n > 0)
        memcpy(w, arr, size * (size_t)n);
    return w;
}

size_t arena_used(const struct arena *a)
{
    return a->total;
}
