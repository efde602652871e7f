/*
 * fuzz_calendar.c - libFuzzer target for the holiday calendar's import
 * format (calendar_parse in src/base/calendar.c; the format is documented
 * in calendar.h), as `shuniu calendar import FILE` and the calendar page
 * read it: into an empty calendar, and into one holding the shipped years
 * (so that "year already in the calendar" runs too).
 *
 * A text parsed without errors is then used: each of its years is printed
 * (calendar_format_year), and working days are counted from its first
 * day, checking that calendar_add_workdays and calendar_workdays_between
 * agree (n working days after a date are n working days between them).
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_calendar -max_total_time=60 \
 *         tests/fuzz/corpus/calendar
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cap of the error text and of one printed year (a year's grid and notes
 * are a few KiB). */
#define FUZZ_OUT_MAX ((size_t)1 << 20)
/* Working-day counts tried from a parsed year's first override. */
static const int fuzz_counts[] = {0, 1, 2, 7, 30, 250};
#define FUZZ_NCOUNTS (sizeof(fuzz_counts) / sizeof(fuzz_counts[0]))

/* add_workdays and workdays_between must agree from day `from`. */
static void fuzz_counting(const struct calendar *cal, struct ymd from)
{
    for (size_t i = 0; i < FUZZ_NCOUNTS; i++) {
        struct ymd to;
        int n = fuzz_counts[i], unpub;
        if (calendar_add_workdays(cal, from, n, &to, &unpub) != 0) {
            fprintf(stderr, "add_workdays refused n=%d\n", n);
            abort();
        }
        int64_t between = calendar_workdays_between(cal, from, to, &unpub);
        if (between != n) {
            fprintf(stderr,
                    "%04d-%02d-%02d + %d working days = %04d-%02d-%02d, "
                    "but %" PRId64 " working days between them\n",
                    from.y, from.m, from.d, n, to.y, to.m, to.d, between);
            abort();
        }
    }
}

/* Uses a calendar read without errors. */
static void fuzz_use(const struct calendar *cal)
{
    struct buf out;
    for (int i = 0; i < cal->nyears; i++) {
        buf_init(&out, FUZZ_OUT_MAX);
        calendar_format_year(cal, cal->years[i].year, &out);
        buf_free(&out);
    }
    if (cal->ndays > 0) {
        fuzz_counting(cal, days_to_ymd(cal->days[0].day));
        fuzz_counting(cal, days_to_ymd(cal->days[cal->ndays - 1].day));
    }
}

/* Parses text into cal; returns the number of errors. */
static int fuzz_parse(const char *text, size_t len, struct calendar *cal)
{
    struct buf errors;
    int n;
    buf_init(&errors, FUZZ_OUT_MAX);
    n = calendar_parse(text, len, cal, &errors);
    if (n < 0 || (n > 0) != (errors.len > 0)) {
        fprintf(stderr, "calendar_parse: %d errors, %zu bytes of messages\n", n,
                errors.len);
        abort();
    }
    buf_free(&errors);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so that ASan sees any read past the end */
    char *text = malloc(size ? size : 1);
    struct calendar *cal = calendar_new();

    memcpy(text, data, size);
    if (fuzz_parse(text, size, cal) == 0)
        fuzz_use(cal);
    calendar_free(cal);

    cal = calendar_new();
    if (fuzz_parse(calendar_builtin_text, calendar_builtin_len, cal) != 0) {
        fprintf(stderr, "the shipped calendar does not parse\n");
        abort();
    }
    if (fuzz_parse(text, size, cal) == 0)
        fuzz_use(cal);
    calendar_free(cal);
    free(text);
    return 0;
}
