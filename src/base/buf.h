/*
 * buf.h - a growable byte buffer with a size cap (after curl's dynbuf and
 * git's strbuf).
 *
 * Invariants: b->ptr is never NULL after buf_init(); b->ptr[b->len] is always
 * '\0'; b->len never exceeds b->max.  An append that would pass the cap fails
 * with -1 and leaves the buffer as it was, so input cannot make us grow
 * without bound.  Out of memory aborts.
 */
#ifndef SHUNIU_BUF_H
#define SHUNIU_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max;
};

#define BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

/* An empty buffer that may grow to max bytes (0 means BUF_DEFAULT_MAX). */
void buf_init(struct buf *b, size_t max);
/* Releases the memory; the buffer is then empty and usable again. */
void buf_free(struct buf *b);
/* Empties the buffer but keeps its memory. */
void buf_reset(struct buf *b);

/* Appends; 0 on success, -1 when the cap would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Hands the memory to the caller (free() it); the buffer is then empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
