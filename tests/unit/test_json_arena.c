/*
 * test_json_arena.c - jansson values in per-request arenas
 * (base/json_arena.h): values built while an arena is in use come from it
 * and cost nothing to free; values built without one come from the heap;
 * either may hold the other and be released anywhere, on any thread,
 * before the arena goes; json_text gives text for free().  Run under
 * AddressSanitizer, a piece freed twice, freed into the wrong allocator
 * or read after its arena went fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/json_arena.h"

static void test_values_come_from_the_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    size_t before = arena_used(a);
    assert_null(json_arena_use(a));
    json_t *o = json_object();
    for (int i = 0; i < 1000; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        json_object_set_new(o, k, json_sprintf("第%d项", i));
    }
    assert_ptr_equal(json_arena_use(NULL), a);
    size_t used = arena_used(a);
    assert_true(used > before + 1000 * 16);
    assert_string_equal(json_string_value(json_object_get(o, "k999")),
                        "第999项");
    /* freeing returns nothing to the arena and touches no other memory */
    json_decref(o);
    assert_int_equal(arena_used(a), used);
    arena_free(a);
}

static void test_heap_without_an_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    size_t before = arena_used(a);
    json_t *o = json_pack("{s:s, s:i}", "title", "督办事项", "n", 7);
    assert_int_equal(arena_used(a), before); /* none in use: not from a */
    json_decref(o);
    arena_free(a);
}

static void test_mixed_and_released_later(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    json_t *heap = json_object(); /* lives past the arena */
    json_arena_use(a);
    json_t *in = json_object();
    json_object_set_new(in, "x", json_string("在内存区"));
    json_arena_use(NULL);
    /* an arena value holding a heap value, released after the scope */
    json_object_set_new(in, "h", json_string("在堆上"));
    json_decref(in);
    /* a heap value holding an arena value (released before arena_free) */
    json_arena_use(a);
    json_object_set_new(heap, "tmp", json_string("临时"));
    json_arena_use(NULL);
    json_object_del(heap, "tmp");
    json_object_set_new(heap, "kept", json_string("保留"));
    arena_free(a);
    assert_string_equal(json_string_value(json_object_get(heap, "kept")),
                        "保留");
    json_decref(heap);
}

static void *release(void *arg)
{
    json_decref(arg);
    return NULL;
}

static void test_released_on_another_thread(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    pthread_t t;
    json_arena_use(a);
    json_t *o = json_pack("{s:[s,s]}", "units", "交通局", "审计局");
    json_arena_use(NULL);
    /* the other thread has no arena in use: still a no-op for these */
    assert_int_equal(pthread_create(&t, NULL, release, o), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    arena_free(a);
}

static void test_nested_use_gives_back(void **state)
{
    (void)state;
    struct arena *req = arena_new(), *chunk = arena_new();
    assert_null(json_arena_use(req));
    struct arena *was = json_arena_use(chunk);
    assert_ptr_equal(was, req);
    size_t r0 = arena_used(req), c0 = arena_used(chunk);
    json_t *row = json_string("一行");
    assert_int_equal(arena_used(req), r0);
    assert_true(arena_used(chunk) > c0);
    assert_ptr_equal(json_arena_use(was), chunk);
    json_t *kept = json_string("整个请求");
    assert_true(arena_used(req) > r0);
    json_decref(row);
    arena_free(chunk);
    assert_string_equal(json_string_value(kept), "整个请求");
    json_decref(kept);
    assert_ptr_equal(json_arena_use(NULL), req);
    arena_free(req);
}

static void test_text_is_for_free(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    json_arena_use(a);
    json_t *o = json_pack("{s:s, s:i, s:[]}", "b", "乙", "a", 1, "c");
    char *s = json_text(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_arena_use(NULL);
    assert_non_null(s);
    assert_string_equal(s, "{\"a\":1,\"b\":\"乙\",\"c\":[]}");
    free(s); /* plain malloc memory, whatever arena was in use */
    json_t *x = json_string("x");
    char *any = json_text(x, JSON_ENCODE_ANY);
    assert_string_equal(any, "\"x\"");
    free(any);
    assert_null(json_text(NULL, 0));
    assert_null(json_text(x, 0)); /* a bare string needs ENCODE_ANY, as json_dumps */
    json_decref(x);
    json_decref(o);
    arena_free(a);
}

static void test_arena_blocks_grow(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    unsigned char *prev = NULL;
    /* raw pieces are aligned, distinct and writable across many blocks */
    for (int i = 0; i < 20000; i++) {
        unsigned char *p = arena_alloc_raw(a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_ptr_not_equal(p, prev);
        memset(p, 0xab, (size_t)(i % 97) + 1);
        prev = p;
    }
    unsigned char *big = arena_alloc_raw(a, 1 << 20);
    memset(big, 1, 1 << 20);
    unsigned char *z = arena_alloc(a, 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    arena_free(a);
}

int main(void)
{
    json_arena_install(); /* before any jansson value */
    json_arena_install(); /* twice is harmless */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_come_from_the_arena),
        cmocka_unit_test(test_heap_without_an_arena),
        cmocka_unit_test(test_mixed_and_released_later),
        cmocka_unit_test(test_released_on_another_thread),
        cmocka_unit_test(test_nested_use_gives_back),
        cmocka_unit_test(test_text_is_for_free),
        cmocka_unit_test(test_arena_blocks_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
