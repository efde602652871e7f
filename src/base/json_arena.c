/*
 * json_arena.c - jansson's allocation functions over per-request arenas.
 * See json_arena.h.
 *
 * Each piece is preceded by a 16-byte tag (16 keeps the alignment that
 * malloc gives).  A tag that is neither of the two marks means memory that
 * did not come from here: the process stops rather than free it.
 */
#include "json_arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

#define TAG_SIZE 16
#define TAG_HEAP UINT64_C(0x6a68656170216a68)  /* "jheap!jh" */
#define TAG_ARENA UINT64_C(0x6a6172656e616a61) /* "jarenaja" */

static _Thread_local struct arena *cur;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void *ja_malloc(size_t n)
{
    if (n > SIZE_MAX - TAG_SIZE)
        return NULL;
    unsigned char *p;
    uint64_t tag;
    if (cur != NULL) {
        p = arena_alloc_raw(cur, n + TAG_SIZE);
        tag = TAG_ARENA;
    } else {
        p = malloc(n + TAG_SIZE);
        if (p == NULL)
            return NULL;
        tag = TAG_HEAP;
    }
    memcpy(p, &tag, sizeof(tag));
    return p + TAG_SIZE;
}

static void ja_free(void *ptr)
{
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - TAG_SIZE;
    uint64_t tag;
    memcpy(&tag, p, sizeof(tag));
    if (tag == TAG_ARENA)
        return; /* released with its arena */
    if (tag != TAG_HEAP) {
        fputs("json_arena: free of memory jansson did not allocate\n", stderr);
        abort();
    }
    free(p);
}

static void install(void)
{
    json_set_alloc_funcs(ja_malloc, ja_free);
}

void json_arena_install(void)
{
    pthread_once(&install_once, install);
}

struct arena *json_arena_use(struct arena *a)
{
    struct arena *was = cur;
    cur = a;
    return was;
}

static int text_put(const char *s, size_t n, void *data)
{
    return buf_append(data, s, n);
}

char *json_text(const json_t *j, size_t flags)
{
    if (j == NULL)
        return NULL;
    struct buf b;
    buf_init(&b, SIZE_MAX / 2); /* json_dumps has no cap either */
    if (json_dump_callback(j, text_put, &b, flags) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL); /* from malloc, NUL-terminated */
}
