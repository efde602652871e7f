/*
 * arena.h - one region of memory per request (or per command).
 *
 * Everything allocated from an arena is released together by arena_free().
 * Callers never free() arena memory.  Things that are not memory (statements,
 * files, connections) register a cleanup with arena_defer(); cleanups run in
 * reverse order of registration before the memory goes.
 *
 * Out of memory aborts the process (as h2o and Kore do): there is no
 * half-allocated state to unwind.
 */
#ifndef SHUNIU_ARENA_H
#define SHUNIU_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new, empty arena.  Never returns NULL. */
struct arena *arena_new(void);

/* Runs the cleanups, releases every block and the arena itself. NULL ok. */
void arena_free(struct arena *a);

/* n bytes, aligned for any type, zeroed. */
void *arena_alloc(struct arena *a, size_t n);
/* The same, not zeroed (for memory the caller fills at once). */
void *arena_alloc_raw(struct arena *a, size_t n);

/* Copies of strings; the result is NUL-terminated and owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* A formatted string owned by the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* prefix followed by x in decimal, owned by the arena: for the numbers
 * of a list page's cells and links, where printf was over a quarter of
 * the cells' cost. */
char *arena_int(struct arena *a, const char *prefix, long long x);

/* Room for one more element in an array of n elements of size bytes,
 * with room for *cap: arr itself while n < *cap, else a copy of its n
 * elements with twice the room, the rest zeroed (4 when *cap is 0; arr
 * may then be NULL), *cap updated.  The old array stays in the arena. */
void *arena_grow(struct arena *a, void *arr, int n, int *cap, size_t size);

/* Calls fn(arg) when the arena is freed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out so far (for tests and statistics). */
size_t arena_used(const struct arena *a);

#endif
