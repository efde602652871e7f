/*
 * test_calendar.c - unit tests of the working-day calendar
 * (src/base/calendar.c), table-driven: the built-in 2024-2026 data checked
 * date by date against the State Council notices as DOMAIN.md §14 lists
 * them (written out again here, independently of src/base/calendar/YYYY.txt);
 * working-day and calendar-day counting across the Spring Festival and
 * National Day, counting back, the working time of a stay
 * (calendar_work_ms), the rest-day rule, the unpublished-year
 * flag; the import format's errors with their line numbers; the printed
 * year.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/calendar.h"
#include "base/now.h"

static struct ymd D(const char *s) {
    struct ymd d = {0, 0, 0};
    if (ymd_parse(s, &d) != 0)
        fail_msg("bad date in test table: %s", s);
    return d;
}

static void
fmt(struct ymd d, char out[11])
{
    ymd_fmt(d, out);
}

static struct calendar *builtin(void)
{
    struct calendar *cal = calendar_new();
    struct buf errors;
    buf_init(&errors, 0);
    int n = calendar_parse(calendar_builtin_text, calendar_builtin_len, cal,
                           &errors);
    if (n != 0)
        fail_msg("built-in calendar: %d errors:\n%s", n, errors.ptr);
    buf_free(&errors);
    return cal;
}

/* ---- the data of DOMAIN.md §14 ----------------------------------------- */

struct range {
    const char *from, *to; /* to NULL: one day */
};

static const struct range off_days[] = {
    /* 2024 国办发明电〔2023〕7号 */
    {"2024-01-01", NULL},
    {"2024-02-10", "2024-02-17"},
    {"2024-04-04", "2024-04-06"},
    {"2024-05-01", "2024-05-05"},
    {"2024-06-10", NULL},
    {"2024-09-15", "2024-09-17"},
    {"2024-10-01", "2024-10-07"},
    /* 2025 国办发明电〔2024〕12号 */
    {"2025-01-01", NULL},
    {"2025-01-28", "2025-02-04"},
    {"2025-04-04", "2025-04-06"},
    {"2025-05-01", "2025-05-05"},
    {"2025-05-31", "2025-06-02"},
    {"2025-10-01", "2025-10-08"},
    /* 2026 国办发明电〔2025〕7号 */
    {"2026-01-01", "2026-01-03"},
    {"2026-02-15", "2026-02-23"},
    {"2026-04-04", "2026-04-06"},
    {"2026-05-01", "2026-05-05"},
    {"2026-06-19", "2026-06-21"},
    {"2026-09-25", "2026-09-27"},
    {"2026-10-01", "2026-10-07"},
};

static const char *const work_days[] = {
    "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
    "2024-09-14", "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08",
    "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04", "2026-02-14",
    "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The kind DOMAIN.md gives a date: CALENDAR_OFF, CALENDAR_WORK or 0. */
static int expected_kind(int64_t day)
{
    for (size_t i = 0; i < N_ELEMS(off_days); i++) {
        int64_t a = ymd_to_days(D(off_days[i].from));
        int64_t b = off_days[i].to ? ymd_to_days(D(off_days[i].to)) : a;
        if (day >= a && day <= b)
            return CALENDAR_OFF;
    }
    for (size_t i = 0; i < N_ELEMS(work_days); i++)
        if (day == ymd_to_days(D(work_days[i])))
            return CALENDAR_WORK;
    return 0;
}

static void test_builtin_years(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    static const struct {
        int year;
        const char *notice;
    } rows[] = {
        {2024, "国办发明电〔2023〕7号"},
        {2025, "国办发明电〔2024〕12号"},
        {2026, "国办发明电〔2025〕7号"},
    };
    assert_int_equal(cal->nyears, 3);
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        const struct calendar_year *y = calendar_year_find(cal, rows[i].year);
        assert_non_null(y);
        assert_true(calendar_year_published(cal, rows[i].year));
        assert_string_equal(y->notice, rows[i].notice);
    }
    assert_false(calendar_year_published(cal, 2023));
    assert_false(calendar_year_published(cal, 2027));
    calendar_free(cal);
}

/* Every date of 2023-12-01 .. 2027-01-31: the override is exactly the one
 * of the notice, and the working-day answer follows. */
static void test_builtin_every_date(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    int64_t first = ymd_to_days(D("2023-12-01"));
    int64_t last = ymd_to_days(D("2027-01-31"));
    int noverrides = 0;
    for (int64_t day = first; day <= last; day++) {
        struct ymd d = days_to_ymd(day);
        char ds[11];
        int want = expected_kind(day);
        const struct calendar_day *o = calendar_day_find(cal, d);
        fmt(d, ds);
        if ((o ? (int)o->kind : 0) != want)
            fail_msg("%s: override %d, want %d", ds, o ? (int)o->kind : 0,
                     want);
        int workday = want == CALENDAR_OFF    ? 0
                      : want == CALENDAR_WORK ? 1
                                              : ymd_weekday(d) < 5;
        if (calendar_is_workday(cal, d) != workday)
            fail_msg("%s: is_workday %d, want %d", ds,
                     calendar_is_workday(cal, d), workday);
        noverrides += o != NULL;
        /* every makeup day is a weekend day */
        if (want == CALENDAR_WORK)
            assert_true(ymd_weekday(d) >= 5);
    }
    assert_int_equal(noverrides, cal->ndays);
    calendar_free(cal);
}

/* Working days per year (from the data; 2024: 251, 2025 and 2026: 248). */
static void test_workdays_per_year(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    static const struct {
        int year;
        int64_t workdays, off, work;
    } rows[] = {
        {2024, 251, 28, 8},
        {2025, 248, 28, 5},
        {2026, 248, 33, 6},
    };
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        struct ymd a = {rows[i].year - 1, 12, 31}, b = {rows[i].year, 12, 31};
        int unpub = -1;
        assert_int_equal(calendar_workdays_between(cal, a, b, &unpub),
                         rows[i].workdays);
        assert_int_equal(unpub, rows[i].year == 2024); /* 2023 unpublished */
        int64_t noff = 0, nwork = 0;
        for (int j = 0; j < cal->ndays; j++) {
            if (days_to_ymd(cal->days[j].day).y != rows[i].year)
                continue;
            if (cal->days[j].kind == CALENDAR_OFF)
                noff++;
            else
                nwork++;
        }
        assert_int_equal(noff, rows[i].off);
        assert_int_equal(nwork, rows[i].work);
    }
    calendar_free(cal);
}

/* ---- counting ----------------------------------------------------------- */

struct count_row {
    const char *from;
    int n;
    const char *want;
    int unpublished;
};

static void test_add_workdays(void **state)
{
    (void)state;
    static const struct count_row rows[] = {
        /* Spring Festival 2026: 02-14 Sat worked, 02-15..02-23 off */
        {"2026-02-13", 1, "2026-02-14", 0},
        {"2026-02-14", 1, "2026-02-24", 0},
        {"2026-02-13", 2, "2026-02-24", 0},
        {"2026-02-12", 5, "2026-02-26", 0},
        {"2026-02-15", 1, "2026-02-24", 0},
        {"2026-02-24", -1, "2026-02-14", 0},
        {"2026-02-24", -2, "2026-02-13", 0},
        {"2026-02-20", -1, "2026-02-14", 0},
        {"2026-02-27", 1, "2026-02-28", 0}, /* Sat worked */
        {"2026-02-28", 1, "2026-03-02", 0},
        /* n = 0 is `from` itself, even on a rest day */
        {"2026-02-15", 0, "2026-02-15", 0},
        {"2026-02-13", 0, "2026-02-13", 0},
        /* National Day 2026: 09-20 Sun worked, 10-01..10-07 off, 10-10 Sat
         * worked; 中秋 09-25..09-27 */
        {"2026-09-18", 1, "2026-09-20", 0},
        {"2026-09-24", 1, "2026-09-28", 0},
        {"2026-09-30", 1, "2026-10-08", 0},
        {"2026-09-30", 3, "2026-10-10", 0},
        {"2026-09-30", 4, "2026-10-12", 0},
        {"2026-10-12", -2, "2026-10-09", 0},
        {"2026-10-08", -1, "2026-09-30", 0},
        /* the worked example of clock.c */
        {"2026-09-17", 20, "2026-10-21", 0},
        {"2026-09-17", 27, "2026-10-30", 0},
        {"2026-09-17", 47, "2026-11-27", 0},
        /* 2025: 10-01..10-08 off, 10-11 Sat worked */
        {"2025-09-30", 1, "2025-10-09", 0},
        {"2025-09-30", 3, "2025-10-11", 0},
        {"2025-09-26", 1, "2025-09-28", 0},
        {"2025-01-24", 1, "2025-01-26", 0},
        {"2025-01-27", 1, "2025-02-05", 0},
        /* 2024 */
        {"2024-02-09", 1, "2024-02-18", 0},
        {"2024-02-02", 1, "2024-02-04", 0},
        {"2024-05-10", 1, "2024-05-11", 0},
        {"2024-09-13", 1, "2024-09-14", 0},
        {"2024-09-14", 1, "2024-09-18", 0},
        /* across years */
        {"2024-12-31", 1, "2025-01-02", 0},
        {"2025-12-31", 1, "2026-01-04", 0}, /* Sun worked */
        {"2026-01-05", -1, "2026-01-04", 0},
        {"2026-01-04", -1, "2025-12-31", 0},
        /* into years without a notice: weekdays only, flagged */
        {"2026-12-31", 1, "2027-01-01", 1},
        {"2026-12-30", 5, "2027-01-06", 1},
        {"2027-03-01", 5, "2027-03-08", 1},
        {"2024-01-02", -1, "2023-12-29", 1},
        {"2023-06-01", 0, "2023-06-01", 1},
        {"2026-12-30", 1, "2026-12-31", 0},
        /* a longer span: 60 working days */
        {"2026-01-05", 60, "2026-04-03", 0},
    };
    struct calendar *cal = builtin();
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        struct ymd out;
        char got[11];
        int unpub = -1;
        assert_int_equal(calendar_add_workdays(cal, D(rows[i].from), rows[i].n,
                                               &out, &unpub),
                         0);
        fmt(out, got);
        if (strcmp(got, rows[i].want) != 0 || unpub != rows[i].unpublished)
            fail_msg("workdays %s %+d: got %s (unpublished %d), want %s (%d)",
                     rows[i].from, rows[i].n, got, unpub, rows[i].want,
                     rows[i].unpublished);
    }
    calendar_free(cal);
}

static void test_add_days(void **state)
{
    (void)state;
    static const struct count_row rows[] = {
        /* 民法典 第二百零三条: the last day on a rest day moves on */
        {"2026-08-04", 60, "2026-10-08", 0}, /* 10-03 holiday -> Thu 10-08 */
        {"2026-09-30", 1, "2026-10-08", 0},
        {"2026-09-30", 3, "2026-10-08", 0},
        {"2026-10-03", 0, "2026-10-08", 0},
        {"2026-10-09", 1, "2026-10-10", 0}, /* Sat worked: no move */
        {"2026-10-10", 1, "2026-10-12", 0}, /* Sun -> Mon */
        {"2026-02-13", 1, "2026-02-14", 0},
        {"2026-02-13", 2, "2026-02-24", 0},
        {"2026-01-20", 30, "2026-02-24", 0}, /* 02-19 in 春节 */
        {"2026-03-02", 5, "2026-03-09", 0},  /* Sat 03-07 -> Mon */
        {"2026-03-02", 4, "2026-03-06", 0},
        {"2026-03-06", 0, "2026-03-06", 0},
        {"2025-08-03", 60, "2025-10-09", 0}, /* 10-02 -> 10-09 */
        {"2024-12-01", 31, "2025-01-02", 0}, /* 01-01 -> 01-02 */
        {"2025-12-03", 30, "2026-01-04", 0}, /* 01-02 off, 01-04 worked */
        /* counting back: a rest day moves back, the time never shrinks */
        {"2026-10-10", -3, "2026-09-30", 0},
        {"2026-03-16", -8, "2026-03-06", 0},
        {"2026-02-24", -7, "2026-02-14", 0},
        /* unpublished years */
        {"2026-12-26", 7, "2027-01-04", 1},
        {"2026-12-01", 30, "2026-12-31", 0},
        {"2027-06-01", 4, "2027-06-07", 1},
        /* petitions: 60 days, then 30 more */
        {"2026-03-02", 60, "2026-05-06", 0}, /* 05-01 off .. 05-05 */
        {"2026-03-02", 90, "2026-06-01", 0}, /* 05-31 Sun -> Mon */
    };
    struct calendar *cal = builtin();
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        struct ymd out;
        char got[11];
        int unpub = -1;
        assert_int_equal(
            calendar_add_days(cal, D(rows[i].from), rows[i].n, &out, &unpub),
            0);
        fmt(out, got);
        if (strcmp(got, rows[i].want) != 0 || unpub != rows[i].unpublished)
            fail_msg("days %s %+d: got %s (unpublished %d), want %s (%d)",
                     rows[i].from, rows[i].n, got, unpub, rows[i].want,
                     rows[i].unpublished);
    }
    calendar_free(cal);
}

static void test_workdays_between(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int64_t want;
        int unpublished;
    } rows[] = {
        {"2026-02-13", "2026-02-24", 2, 0}, /* 02-14, 02-24 */
        {"2026-02-24", "2026-02-13", -2, 0},
        {"2026-02-14", "2026-02-23", 0, 0},
        {"2026-09-30", "2026-10-10", 3, 0},
        {"2026-09-22", "2026-10-09", 7, 0}, /* the pause of clock.c */
        {"2026-03-02", "2026-03-02", 0, 0},
        {"2026-03-01", "2026-03-02", 1, 0},
        {"2026-03-02", "2026-03-09", 5, 0},
        {"2026-12-31", "2027-01-08", 6, 1},
        {"2023-12-29", "2024-01-02", 1, 1},
        /* 01-26 Sun worked, 01-27, 02-05..02-07, 02-08 Sat worked */
        {"2025-01-25", "2025-02-09", 6, 0},
    };
    struct calendar *cal = builtin();
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        int unpub = -1;
        int64_t got =
            calendar_workdays_between(cal, D(rows[i].a), D(rows[i].b), &unpub);
        if (got != rows[i].want || unpub != rows[i].unpublished)
            fail_msg("between %s %s: got %lld (%d), want %lld (%d)", rows[i].a,
                     rows[i].b, (long long)got, unpub, (long long)rows[i].want,
                     rows[i].unpublished);
    }
    calendar_free(cal);
}

/* The three counting functions agree with a day-by-day count over every
 * start date of 2023-12-15 .. 2027-01-15 and several n. */
/* Working time of a stay: only the hours on working days count.  Beijing
 * times (UTC+8) written out. */
static void test_work_ms(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    const int64_t h = 3600000;
    static const struct {
        const char *from, *to;
        int64_t hours;
    } rows[] = {
        /* Thursday 09:00 to 17:00, one working day */
        {"2026-11-26T09:00:00+08:00", "2026-11-26T17:00:00+08:00", 8},
        /* Friday 18:00 over the weekend to Monday 10:00: 6 + 10 */
        {"2026-11-27T18:00:00+08:00", "2026-11-30T10:00:00+08:00", 16},
        /* Saturday to Sunday: none */
        {"2026-11-28T08:00:00+08:00", "2026-11-29T20:00:00+08:00", 0},
        /* 9-30 noon over National Day (10-1..10-7) to 10-8 noon: 12 + 12 */
        {"2026-09-30T12:00:00+08:00", "2026-10-08T12:00:00+08:00", 24},
        /* Sunday 2026-09-20 is a working day (调休上班) */
        {"2026-09-20T00:00:00+08:00", "2026-09-21T00:00:00+08:00", 24},
        /* backwards or empty: 0 */
        {"2026-11-26T10:00:00+08:00", "2026-11-26T09:00:00+08:00", 0},
        {"2026-11-26T10:00:00+08:00", "2026-11-26T10:00:00+08:00", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t a, b;
        assert_int_equal(iso_parse_ms(rows[i].from, &a), 0);
        assert_int_equal(iso_parse_ms(rows[i].to, &b), 0);
        int64_t got = calendar_work_ms(cal, a, b);
        if (got != rows[i].hours * h)
            fail_msg("%s .. %s: %lld ms, want %lld h", rows[i].from,
                     rows[i].to, (long long)got, (long long)rows[i].hours);
    }
    calendar_free(cal);
}

static void test_counting_agrees(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    int64_t first = ymd_to_days(D("2023-12-15"));
    int64_t last = ymd_to_days(D("2027-01-15"));
    static const int ns[] = {0, 1, 2, 3, 5, 7, 15, 20, 30, 60, -1, -3, -20};
    for (int64_t day = first; day <= last; day++) {
        struct ymd from = days_to_ymd(day);
        for (size_t k = 0; k < N_ELEMS(ns); k++) {
            int n = ns[k];
            struct ymd w, c;
            assert_int_equal(calendar_add_workdays(cal, from, n, &w, NULL), 0);
            assert_int_equal(calendar_add_days(cal, from, n, &c, NULL), 0);
            /* brute force working days */
            int64_t x = day;
            for (int left = n < 0 ? -n : n; left > 0;) {
                x += n < 0 ? -1 : 1;
                if (calendar_is_workday(cal, days_to_ymd(x)))
                    left--;
            }
            assert_int_equal(ymd_to_days(w), x);
            if (n != 0)
                assert_true(calendar_is_workday(cal, w));
            if (n > 0) /* n working days in (from, w] */
                assert_int_equal(calendar_workdays_between(cal, from, w, NULL),
                                 n);
            if (n < 0) /* -n working days in [w, from) */
                assert_int_equal(calendar_workdays_between(
                                     cal, days_to_ymd(day - 1),
                                     days_to_ymd(ymd_to_days(w) - 1), NULL),
                                 n);
            /* calendar days: the first working day from day + n on */
            int64_t y = day + n;
            while (!calendar_is_workday(cal, days_to_ymd(y)))
                y += n < 0 ? -1 : 1;
            assert_int_equal(ymd_to_days(c), y);
        }
        /* between against a count */
        int64_t count = 0;
        for (int64_t x = day + 1; x <= day + 40; x++) {
            count += calendar_is_workday(cal, days_to_ymd(x));
            if (x % 7 == 0 || x == day + 40)
                assert_int_equal(
                    calendar_workdays_between(cal, from, days_to_ymd(x), NULL),
                    count);
        }
    }
    calendar_free(cal);
}

static void test_limits(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    struct ymd out;
    struct ymd bad = {2026, 2, 30};
    assert_int_equal(calendar_add_workdays(cal, D("2026-01-05"),
                                           CALENDAR_MAX_N + 1, &out, NULL),
                     -1);
    assert_int_equal(calendar_add_days(cal, D("2026-01-05"),
                                       -CALENDAR_MAX_N - 1, &out, NULL),
                     -1);
    assert_int_equal(calendar_add_workdays(cal, bad, 1, &out, NULL), -1);
    assert_int_equal(calendar_add_days(cal, bad, 1, &out, NULL), -1);
    assert_int_equal(
        calendar_add_workdays(cal, D("2026-01-05"), CALENDAR_MAX_N, &out, NULL),
        0);
    assert_int_equal(
        calendar_add_workdays(cal, D("9999-12-30"), 5, &out, NULL), -1);
    assert_int_equal(calendar_add_days(cal, D("1900-01-02"), -5, &out, NULL),
                     -1);
    assert_int_equal(calendar_add_year(cal, 1899, "x"), -1);
    assert_int_equal(calendar_add_year(cal, 10000, "x"), -1);
    assert_int_equal(calendar_set_day(cal, bad, CALENDAR_OFF, NULL), -1);
    assert_int_equal(calendar_set_day(cal, D("2026-01-05"), 7, NULL), -1);
    calendar_free(cal);
}

/* An empty calendar: Monday to Friday, everything unpublished. */
static void test_empty_calendar(void **state)
{
    (void)state;
    struct calendar *cal = calendar_new();
    struct ymd out;
    char got[11];
    int unpub = 0;
    assert_true(calendar_is_workday(cal, D("2026-10-01")));
    assert_false(calendar_is_workday(cal, D("2026-10-03")));
    assert_int_equal(
        calendar_add_workdays(cal, D("2026-10-02"), 1, &out, &unpub), 0);
    fmt(out, got);
    assert_string_equal(got, "2026-10-05");
    assert_int_equal(unpub, 1);
    calendar_free(cal);
}

/* add_year and set_day replace; references. */
static void test_edit_and_refs(void **state)
{
    (void)state;
    struct calendar *cal = calendar_new();
    assert_int_equal(calendar_add_year(cal, 2027, "旧"), 0);
    assert_int_equal(calendar_add_year(cal, 2027, "国办发明电〔2026〕1号"), 0);
    assert_int_equal(calendar_add_year(cal, 2025, NULL), 0);
    assert_int_equal(cal->nyears, 2);
    assert_int_equal(cal->years[0].year, 2025);
    assert_string_equal(cal->years[0].notice, "");
    assert_string_equal(calendar_year_find(cal, 2027)->notice,
                        "国办发明电〔2026〕1号");
    assert_int_equal(calendar_set_day(cal, D("2027-02-06"), CALENDAR_OFF, "a"),
                     0);
    assert_int_equal(calendar_set_day(cal, D("2027-01-02"), CALENDAR_WORK, "b"),
                     0);
    assert_int_equal(calendar_set_day(cal, D("2027-02-06"), CALENDAR_WORK, "c"),
                     0);
    assert_int_equal(cal->ndays, 2);
    assert_true(cal->days[0].day < cal->days[1].day);
    assert_int_equal(calendar_day_find(cal, D("2027-02-06"))->kind,
                     CALENDAR_WORK);
    assert_string_equal(calendar_day_find(cal, D("2027-02-06"))->note, "c");
    assert_true(calendar_is_workday(cal, D("2027-02-06")));
    assert_ptr_equal(calendar_ref(cal), cal);
    calendar_free(cal); /* one reference left */
    assert_int_equal(cal->ndays, 2);
    calendar_free(cal);
}

/* ---- the import format -------------------------------------------------- */

static void test_parse_good(void **state)
{
    (void)state;
    static const char text[] =
        "\xEF\xBB\xBF# 一个修订的通知\r\n"
        "\r\n"
        "   # indented comment\r\n"
        "year 2027\t国办发明电〔2026〕9号\r\n"
        "off\t2027-02-06 2027-02-13\t春节\r\n"
        "off 2027-01-01\r\n"
        "work 2027-01-31   春节调休上班 (周日)  \r\n"
        "year 2028 国办发明电〔2027〕1号\n"
        "off 2028-01-01 元旦 2028-01-02\n"; /* a note, not a TO date */
    struct calendar *cal = calendar_new();
    struct buf errors;
    buf_init(&errors, 0);
    int n = calendar_parse(text, sizeof(text) - 1, cal, &errors);
    if (n != 0)
        fail_msg("%d errors:\n%s", n, errors.ptr);
    assert_int_equal(cal->nyears, 2);
    assert_string_equal(calendar_year_find(cal, 2027)->notice,
                        "国办发明电〔2026〕9号");
    assert_int_equal(cal->ndays, 8 + 1 + 1 + 1);
    assert_string_equal(calendar_day_find(cal, D("2027-02-10"))->note, "春节");
    assert_string_equal(calendar_day_find(cal, D("2027-01-01"))->note, "");
    assert_string_equal(calendar_day_find(cal, D("2027-01-31"))->note,
                        "春节调休上班 (周日)");
    assert_int_equal(calendar_day_find(cal, D("2027-01-31"))->kind,
                     CALENDAR_WORK);
    assert_string_equal(calendar_day_find(cal, D("2028-01-01"))->note,
                        "元旦 2028-01-02");
    assert_null(calendar_day_find(cal, D("2028-01-02")));
    buf_free(&errors);
    calendar_free(cal);
}

struct parse_row {
    const char *text;
    int nerrors;
    const char *want[3]; /* substrings of the error text, in order */
};

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct parse_row rows[] = {
        {"off 2026-01-01\n", 1, {"第 1 行：前面没有 year 行"}},
        {"year 2026 X\noff 2026-02-30\n",
         1,
         {"第 2 行：", "“2026-02-30”不是有效日期"}},
        {"year 2026 X\noff 2026-1-1 元旦\n", 1, {"第 2 行：", "2026-1-1"}},
        {"year 2026 X\noff 2027-01-01\n",
         1,
         {"第 2 行：日期 2027-01-01 不在 2026 年内"}},
        {"year 2026 X\n\n\nwork 2027-01-02\n",
         1,
         {"第 4 行：日期 2027-01-02 不在 2026 年内"}},
        {"year 2026 X\noff 2026-01-05 2026-01-01\n",
         1,
         {"第 2 行：截止日期早于起始日期"}},
        {"year 2026 X\noff 2026-01-05 2026-13-01\n",
         1,
         {"第 2 行：截止日期“2026-13-01”"}},
        {"year 2026 X\nwork 2026-01-05 调休\n",
         1,
         {"第 2 行：2026-01-05 是星期一，本来就是工作日"}},
        {"year 2026 X\noff 2026-01-01\noff 2026-01-01 2026-01-02\n",
         1,
         {"第 3 行：日期 2026-01-01 在第 2 行已经出现"}},
        {"year 2026 X\noff 2026-10-01 2026-10-07\nwork 2026-10-03\n",
         1,
         {"第 3 行：日期 2026-10-03 在第 2 行已经出现"}},
        {"year 2026\n", 1, {"第 1 行：2026 年缺少通知文号"}},
        {"year 26 X\n", 1, {"第 1 行：年份“26”不对"}},
        {"year 2O26 X\noff 2026-01-01\n", 1, {"第 1 行：年份“2O26”不对"}},
        {"year 2026 X\nyear 2026 Y\n", 1, {"第 2 行：2026 年重复出现"}},
        {"year 2026 X\nholiday 2026-01-01\n",
         1,
         {"第 2 行：不认识“holiday”，每行应以 year、off 或 work 开头"}},
        {"# nothing\n\n", 1, {"文件：没有 year 行"}},
        {"", 1, {"文件：没有 year 行"}},
        {"year 2026 \xff\xfe\n", 1, {"第 1 行：不是有效的 UTF-8 文本"}},
        {"year 2026 X\noff\n", 1, {"第 2 行：缺少起始日期"}},
        {"year 2026 X\nwork\n", 1, {"第 2 行：缺少日期"}},
        /* a long word is quoted cut at a character boundary (40 bytes
         * would split the 14th character) */
        {"year 2026 X\n假假假假假假假假假假假假假假假假 2026-01-01\n", 1,
         {"第 2 行：不认识“假假假假假假假假假假假假假”，"}},
        /* several errors: all reported, in line order */
        {"year 2026 X\noff 2026-01-01\nfoo\noff 2026-01-01\n"
         "work 2026-13-01\n",
         3,
         {"第 3 行：不认识“foo”", "第 4 行：日期 2026-01-01 在第 2 行",
          "第 5 行：日期“2026-13-01”"}},
        /* an off/work line under a bad year line: only the year reported */
        {"year 2026\noff 2026-01-01\nwork 2026-01-04\n",
         1,
         {"第 1 行：2026 年缺少通知文号"}},
        /* the second year's lines are checked against the second year */
        {"year 2026 X\noff 2026-01-01\nyear 2027 Y\noff 2026-01-02\n",
         1,
         {"第 4 行：日期 2026-01-02 不在 2027 年内"}},
    };
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        struct calendar *cal = calendar_new();
        struct buf errors;
        buf_init(&errors, 0);
        int n =
            calendar_parse(rows[i].text, strlen(rows[i].text), cal, &errors);
        if (n != rows[i].nerrors)
            fail_msg("row %zu: %d errors, want %d:\n%s", i, n, rows[i].nerrors,
                     errors.ptr);
        const char *at = errors.ptr;
        for (int k = 0; k < 3 && rows[i].want[k]; k++) {
            const char *hit = strstr(at, rows[i].want[k]);
            if (hit == NULL)
                fail_msg("row %zu: no \"%s\" (in order) in:\n%s", i,
                         rows[i].want[k], errors.ptr);
            at = hit + strlen(rows[i].want[k]);
        }
        buf_free(&errors);
        calendar_free(cal);
    }
}

/* A year already in the calendar is refused; long lines and notes. */
static void test_parse_limits(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    struct buf errors, text;
    buf_init(&errors, 0);
    buf_init(&text, 0);
    assert_int_equal(calendar_parse("year 2026 X\n", 12, cal, &errors), 1);
    assert_non_null(strstr(errors.ptr, "2026 年重复出现"));
    calendar_free(cal);

    cal = calendar_new();
    buf_reset(&errors);
    buf_puts(&text, "year 2027 X\noff 2027-01-01 ");
    for (int i = 0; i < CALENDAR_NOTE_MAX + 1; i++)
        buf_putc(&text, 'a');
    buf_puts(&text, "\noff 2027-01-02 ");
    for (int i = 0; i < CALENDAR_LINE_MAX; i++)
        buf_putc(&text, 'b');
    buf_puts(&text, "\n");
    assert_int_equal(calendar_parse(text.ptr, text.len, cal, &errors), 2);
    assert_non_null(strstr(errors.ptr, "第 2 行：说明太长"));
    assert_non_null(strstr(errors.ptr, "第 3 行：这一行太长"));
    calendar_free(cal);

    /* many errors: the first CALENDAR_MAX_ERRORS, then a count */
    cal = calendar_new();
    buf_reset(&errors);
    buf_reset(&text);
    buf_puts(&text, "year 2027 X\n");
    for (int i = 0; i < CALENDAR_MAX_ERRORS + 5; i++)
        buf_puts(&text, "bad\n");
    assert_int_equal(calendar_parse(text.ptr, text.len, cal, &errors),
                     CALENDAR_MAX_ERRORS + 5);
    assert_non_null(strstr(errors.ptr, "另有 5 处错误未列出"));
    calendar_free(cal);
    buf_free(&text);
    buf_free(&errors);
}

/* The shipped files parse one by one as well as joined. */
static void test_builtin_text_shape(void **state)
{
    (void)state;
    assert_int_equal(strlen(calendar_builtin_text), calendar_builtin_len);
    assert_non_null(
        strstr(calendar_builtin_text, "year 2026 国办发明电〔2025〕7号\n"));
    assert_non_null(
        strstr(calendar_builtin_text, "year 2025 国办发明电〔2024〕12号\n"));
    assert_non_null(
        strstr(calendar_builtin_text, "year 2024 国办发明电〔2023〕7号\n"));
}

/* ---- printing ----------------------------------------------------------- */

static void test_format_year(void **state)
{
    (void)state;
    struct calendar *cal = builtin();
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(calendar_format_year(cal, 2026, &out), 0);
    static const char *const want[] = {
        "2026年节假日安排：国办发明电〔2025〕7号\n",
        "2026年1月\n 一    二    三    四    五    六    日\n"
        "                    1休   2休   3休   4班\n"
        "  5     6     7     8     9    10    11\n",
        "  9    10    11    12    13    14班  15休\n"
        " 16休  17休  18休  19休  20休  21休  22休\n"
        " 23休  24    25    26    27    28班\n",
        "2026年12月\n",
        "  01-01 至 01-03  休  元旦\n  01-04           班  元旦调休上班\n",
        "  10-10           班  国庆节调休上班\n",
    };
    for (size_t i = 0; i < N_ELEMS(want); i++)
        if (strstr(out.ptr, want[i]) == NULL)
            fail_msg("no \"%s\" in:\n%s", want[i], out.ptr);
    buf_reset(&out);
    assert_int_equal(calendar_format_year(cal, 2027, &out), 0);
    assert_non_null(
        strstr(out.ptr, "2027年节假日安排：未公布（按周一至周五计算）\n"));
    assert_null(strstr(out.ptr, "休  "));
    assert_null(strstr(out.ptr, "放假和调休"));
    /* 2027-01-01 is a Friday */
    assert_non_null(strstr(out.ptr,
                           "2027年1月\n 一    二    三    四    五"
                           "    六    日\n"
                           "                          1     2     3\n"));
    buf_free(&out);
    calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_years),
        cmocka_unit_test(test_builtin_every_date),
        cmocka_unit_test(test_workdays_per_year),
        cmocka_unit_test(test_add_workdays),
        cmocka_unit_test(test_work_ms),
        cmocka_unit_test(test_add_days),
        cmocka_unit_test(test_workdays_between),
        cmocka_unit_test(test_counting_agrees),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_empty_calendar),
        cmocka_unit_test(test_edit_and_refs),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_builtin_text_shape),
        cmocka_unit_test(test_format_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
