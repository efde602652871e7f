/*
 * test_base.c - unit tests for src/base: arena, buf, err, now (dates and the
 * movable clock), digest (SM3 / SHA-256 test vectors), config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/now.h"

static int cleaned;
static void cleanup(void *arg)
{
    cleaned += *(int *)arg;
}

static void test_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    static int one = 1, ten = 10;
    char *s = arena_strdup(a, "督查督办");
    assert_string_equal(s, "督查督办");
    char *f = arena_printf(a, "%s-%d", "件", 42);
    assert_string_equal(f, "件-42");
    /* big allocations and many small ones stay usable and aligned */
    unsigned char *big = arena_alloc(a, 100000);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(big[i], 0);
    memset(big, 7, 100000);
    for (int i = 0; i < 1000; i++) {
        void *p = arena_alloc(a, (size_t)i % 37 + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    assert_string_equal(s, "督查督办");
    assert_true(arena_used(a) >= 100000);
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    /* arena_int: as printf writes it, up to the extremes */
    {
        static const long long xs[] = {
            0, 7, -7, 10, -10, 1234567890123LL, LLONG_MAX, LLONG_MIN};
        char want[64];
        for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
            snprintf(want, sizeof(want), "/cases/%lld", xs[i]);
            assert_string_equal(arena_int(a, "/cases/", xs[i]), want);
            assert_string_equal(arena_int(a, "", xs[i]), want + 7);
        }
    }
    /* arena_grow: the same array while there is room, then a copy with
     * twice the room, zeroed past the elements kept */
    {
        int cap = 0, n = 0;
        int *v = arena_grow(a, NULL, 0, &cap, sizeof(*v));
        assert_int_equal(cap, 4);
        for (; n < 4; n++) {
            assert_ptr_equal(arena_grow(a, v, n, &cap, sizeof(*v)), v);
            v[n] = n * 10;
        }
        int *w = arena_grow(a, v, n, &cap, sizeof(*v));
        assert_ptr_not_equal(w, v);
        assert_int_equal(cap, 8);
        for (int i = 0; i < 4; i++)
            assert_int_equal(w[i], i * 10);
        for (int i = 4; i < 8; i++)
            assert_int_equal(w[i], 0);
    }
    cleaned = 0;
    arena_defer(a, cleanup, &one);
    arena_defer(a, cleanup, &ten);
    arena_free(a);
    assert_int_equal(cleaned, 11);
    arena_free(NULL);
}

static void test_buf(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, "");
    assert_int_equal(buf_puts(&b, "0123456789"), 0);
    assert_int_equal(buf_printf(&b, "%d", 12345), 0);
    assert_string_equal(b.ptr, "012345678912345");
    /* the cap: a failed append leaves the buffer as it was */
    assert_int_equal(buf_puts(&b, "ab"), -1);
    assert_int_equal(b.len, 15);
    assert_int_equal(buf_printf(&b, "%s", "xy"), -1);
    assert_string_equal(b.ptr, "012345678912345");
    assert_int_equal(buf_putc(&b, 'z'), 0);
    assert_int_equal(b.len, 16);
    size_t n;
    char *p = buf_detach(&b, &n);
    assert_int_equal(n, 16);
    assert_string_equal(p, "012345678912345z");
    free(p);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    buf_reset(&b);
    buf_free(&b);
}

static void test_err(void **state)
{
    (void)state;
    struct err e;
    err_clear(&e);
    assert_false(err_isset(&e));
    assert_int_equal(err_field(&e, "name", "请填写名称"), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.code, "invalid");
    assert_int_equal(e.nfields, 1);
    for (int i = 0; i < 100; i++)
        err_field(&e, "x", "y");
    assert_int_equal(e.nfields, ERR_MAX_FIELDS);
    assert_int_equal(err_set(&e, 409, "conflict", "已存在"), -1);
    assert_int_equal(e.status, 409);
}

static void test_dates(void **state)
{
    (void)state;
    static const struct {
        struct ymd d;
        int weekday; /* 0 Monday */
    } rows[] = {
        {{1970, 1, 1}, 3},  {{2026, 11, 26}, 3}, {{2024, 2, 29}, 3},
        {{2026, 2, 14}, 5}, {{2000, 3, 1}, 2},   {{2025, 12, 31}, 2},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(ymd_weekday(rows[i].d), rows[i].weekday);
        struct ymd back = days_to_ymd(ymd_to_days(rows[i].d));
        assert_memory_equal(&back, &rows[i].d, sizeof(back));
    }
    assert_false(ymd_valid((struct ymd){2026, 2, 29}));
    assert_true(ymd_valid((struct ymd){2024, 2, 29}));
    assert_false(ymd_valid((struct ymd){1900, 2, 29}));
    assert_false(ymd_valid((struct ymd){2026, 13, 1}));

    char s[32];
    ymd_fmt((struct ymd){2026, 3, 2}, s);
    assert_string_equal(s, "2026-03-02");
    ymd_fmt_cn((struct ymd){2026, 11, 26}, s);
    assert_string_equal(s, "2026年11月26日");

    struct ymd d;
    assert_int_equal(ymd_parse("2026-11-26", &d), 0);
    assert_int_equal(d.d, 26);
    static const char *bad[] = {"2026-11-31", "2026-1-05", "2026/11/26",
                                "2026-11-26x", "", "20261126", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(ymd_parse(bad[i], &d), -1);
}

static void test_instants(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *iso; /* Beijing */
    } rows[] = {
        {"2026-03-02T09:00:00+08:00", "2026-03-02T09:00:00+08:00"},
        {"2026-03-02T01:00:00Z", "2026-03-02T09:00:00+08:00"},
        {"2026-03-01T20:30:00-05:00", "2026-03-02T09:30:00+08:00"},
        {"2026-03-02T09:00", "2026-03-02T09:00:00+08:00"},
        {"2026-03-02", "2026-03-02T00:00:00+08:00"},
        {"2026-03-02 23:59:59.999+08:00", "2026-03-02T23:59:59+08:00"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t ms;
        char out[26];
        assert_int_equal(iso_parse_ms(rows[i].in, &ms), 0);
        ms_fmt_iso(ms, out);
        assert_string_equal(out, rows[i].iso);
    }
    static const char *bad[] = {"2026-03-02T25:00", "2026-03-02T09",
                                "2026-03-02T09:00+8", "tomorrow",
                                "2026-02-30T09:00Z", NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t ms;
        assert_int_equal(iso_parse_ms(bad[i], &ms), -1);
    }
    /* Beijing midnight is 16:00 UTC the day before */
    int64_t m = beijing_midnight_ms((struct ymd){2026, 1, 1});
    char out[17];
    ms_fmt_minute(m, out);
    assert_string_equal(out, "2026-01-01 00:00");
    struct ymd d = ms_to_beijing(m - 1);
    assert_int_equal(d.y, 2025);
    assert_int_equal(d.d, 31);
}

static void test_clock_moves(void **state)
{
    (void)state;
    int64_t target;
    assert_int_equal(iso_parse_ms("2026-03-02T09:00:00+08:00", &target), 0);
    assert_false(now_is_moved());
    now_set(target);
    assert_true(now_is_moved());
    int64_t t = now_ms();
    assert_true(t >= target && t < target + 5000);
    now_reset();
    assert_false(now_is_moved());
    assert_true(now_ms() > target + 100LL * NOW_DAY_MS);
}

static void test_digest(void **state)
{
    (void)state;
    char hex[DIGEST_HEX_LEN];
    /* GB/T 32905-2016 example 1 */
    digest_sm3_hex("abc", 3, hex);
    assert_string_equal(
        hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    digest_sha256_hex("abc", 3, hex);
    assert_string_equal(
        hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char r1[65], r2[65];
    digest_random_hex(r1, 32);
    digest_random_hex(r2, 32);
    assert_int_equal(strlen(r1), 64);
    assert_string_not_equal(r1, r2);
}

static void test_config(void **state)
{
    (void)state;
    struct config c;
    char err[256], path[] = "/tmp/shuniu-test-conf-XXXXXX";
    config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(c.idle_minutes, 30);
    assert_int_equal(c.lock_failures, 5);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\nlisten = 0.0.0.0:9000\n\nidle_minutes=10 "
                       "# trailing\ndb = sqlite:/tmp/x.db\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(c.idle_minutes, 10);
    char url[1100];
    config_db_url(&c, url, sizeof(url));
    assert_string_equal(url, "sqlite:/tmp/x.db");
    /* a bad line names its line number */
    FILE *f = fopen(path, "w");
    fputs("listen = a:1\nbogus = 3\n", f);
    fclose(f);
    assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":2:"));
    unlink(path);
    /* environment beats the file */
    setenv("SHUNIU_LOCK_MINUTES", "20", 1);
    assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_int_equal(c.lock_minutes, 20);
    setenv("SHUNIU_LOCK_MINUTES", "abc", 1);
    assert_int_equal(config_load_env(&c, err, sizeof(err)), -1);
    unsetenv("SHUNIU_LOCK_MINUTES");
    /* test_clock cannot come from the environment */
    setenv("SHUNIU_TEST_CLOCK", "1", 1);
    config_defaults(&c);
    assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
    assert_int_equal(c.test_clock, 0);
    unsetenv("SHUNIU_TEST_CLOCK");
    config_defaults(&c);
    config_db_url(&c, url, sizeof(url));
    assert_string_equal(url, "sqlite:./data/shuniu.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena),   cmocka_unit_test(test_buf),
        cmocka_unit_test(test_err),     cmocka_unit_test(test_dates),
        cmocka_unit_test(test_instants), cmocka_unit_test(test_clock_moves),
        cmocka_unit_test(test_digest),  cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
