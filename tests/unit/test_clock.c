/*
 * test_clock.c - unit tests of clock arithmetic (src/kernel/clock.c) over
 * the built-in 2024-2026 calendar: working-day, calendar-day and hour
 * clocks; the end at 24:00 Beijing time; yellow and red at their exact
 * instants; pauses across a holiday, open pauses that keep the light, a
 * pause that cannot rescue an overdue clock; extensions; stopped on time
 * and late; explicit deadline dates; other yellow thresholds; years
 * without a notice; malformed clocks.  The worked example of clock.c's
 * top comment is test_worked_example.
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
#include "kernel/clock.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct calendar *cal;

static int setup(void **state)
{
    (void)state;
    cal = calendar_new();
    return calendar_parse(calendar_builtin_text, calendar_builtin_len, cal,
                          NULL) == 0
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    return 0;
}

/* An instant in Beijing time: "2026-09-17T10:00" or a date (midnight). */
static int64_t T(const char *s)
{
    int64_t ms = 0;
    if (iso_parse_ms(s, &ms) != 0)
        fail_msg("bad instant in test: %s", s);
    return ms;
}

static struct ymd D(const char *s) {
    struct ymd d = {0, 0, 0};
    if (ymd_parse(s, &d) != 0)
        fail_msg("bad date in test: %s", s);
    return d;
}

static struct clock_state
eval(const struct clock *c, int64_t at)
{
    struct clock_state st;
    if (clock_eval(c, cal, at, &st) != 0)
        fail_msg("clock_eval failed");
    return st;
}

static void assert_instant(int64_t got, const char *want, const char *what)
{
    if (got != T(want)) {
        char iso[26];
        ms_fmt_iso(got, iso);
        fail_msg("%s: got %s, want %s", what, iso, want);
    }
}

static void assert_date(struct ymd got, const char *want)
{
    char s[11];
    ymd_fmt(got, s);
    assert_string_equal(s, want);
}

/* Light at instants: {instant, light}. */
struct light_row {
    const char *at;
    enum clock_light light;
};

static void check_lights(const struct clock *c, const struct light_row *rows,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct clock_state st = eval(c, T(rows[i].at));
        if (st.light != rows[i].light)
            fail_msg("at %s: light %s, want %s", rows[i].at,
                     clock_light_name(st.light),
                     clock_light_name(rows[i].light));
    }
}

/* ---- the worked example of clock.c ------------------------------------- */

static void test_worked_example(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-09-17T10:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 20;
    struct clock_state st = eval(&c, T("2026-09-17T12:00"));
    assert_date(st.due_date, "2026-10-21");
    assert_instant(st.due_ms, "2026-10-22T00:00", "due");
    assert_instant(st.yellow_ms, "2026-10-19T00:00", "yellow");
    assert_int_equal(st.used, 0);
    assert_int_equal(st.left, 20);
    assert_int_equal(st.length, 20);
    assert_int_equal(st.unpublished, 0);
    assert_int_equal(st.paused, 0);
    assert_int_equal(st.stopped, 0);
    static const struct light_row lights[] = {
        {"2026-09-17T10:00", CLOCK_GREEN},
        {"2026-10-18T23:59:59.999", CLOCK_GREEN},
        {"2026-10-19T00:00", CLOCK_YELLOW},
        {"2026-10-21T23:59:59.999", CLOCK_YELLOW},
        {"2026-10-22T00:00", CLOCK_RED},
        {"2026-12-01T00:00", CLOCK_RED},
    };
    check_lights(&c, lights, N_ELEMS(lights));
    /* used and left on the due date and after it */
    st = eval(&c, T("2026-10-21T09:00"));
    assert_int_equal(st.used, 20);
    assert_int_equal(st.left, 0);
    assert_int_equal(st.left_ms, T("2026-10-22T00:00") - T("2026-10-21T09:00"));
    st = eval(&c, T("2026-10-23T09:00"));
    assert_int_equal(st.used, 22);
    assert_int_equal(st.left, -2);
    assert_true(st.left_ms < 0);

    /* paused for 补正 from 9-22 09:00 to 10-09 15:00: 7 working days */
    struct clock_pause pauses[] = {
        {T("2026-09-22T09:00"), T("2026-10-09T15:00")}};
    c.pauses = pauses;
    c.npauses = 1;
    st = eval(&c, T("2026-10-12T09:00"));
    assert_date(st.due_date, "2026-10-30");
    assert_instant(st.due_ms, "2026-10-31T00:00", "due after the pause");
    assert_instant(st.yellow_ms, "2026-10-28T00:00", "yellow after pause");
    assert_int_equal(st.paused_ms,
                     T("2026-10-09T15:00") - T("2026-09-22T09:00"));
    assert_int_equal(st.used + st.left, 20);

    /* 20 more working days (延期) */
    struct clock_extension ext[] = {
        {20, T("2026-10-20T10:00"), "leader", "情况复杂，经批准延期"}};
    c.extensions = ext;
    c.nextensions = 1;
    st = eval(&c, T("2026-10-29T09:00"));
    assert_date(st.due_date, "2026-11-27");
    assert_int_equal(st.length, 40);
    assert_int_equal(st.light, CLOCK_GREEN);

    /* answered on the last day: on time; the next working day: late */
    c.stop_ms = T("2026-11-27T17:00");
    st = eval(&c, T("2027-03-01T00:00"));
    assert_int_equal(st.stopped, 1);
    assert_int_equal(st.light, CLOCK_GREEN);
    c.stop_ms = T("2026-11-30T10:00");
    st = eval(&c, T("2026-12-01T00:00"));
    assert_int_equal(st.light, CLOCK_RED);
    assert_int_equal(st.left, -1);
}

/* The same example's pause seen while it is open. */
static void test_open_pause(void **state)
{
    (void)state;
    struct clock c = {0};
    struct clock_pause open[] = {{T("2026-09-22T09:00"), 0}};
    c.start_ms = T("2026-09-17T10:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 20;
    c.pauses = open;
    c.npauses = 1;
    /* 10-01: 5 working days paused so far -> due moved to the 25th */
    struct clock_state st = eval(&c, T("2026-10-01T12:00"));
    assert_int_equal(st.paused, 1);
    assert_date(st.due_date, "2026-10-28");
    assert_int_equal(st.light, CLOCK_GREEN);
    /* 9-18, 9-20, 9-21, 9-22 (the pause's first day counts as used: a
     * pause moves the due date by the working days after its first day) */
    assert_int_equal(st.used, 4);
    assert_int_equal(st.paused_ms,
                     T("2026-10-01T12:00") - T("2026-09-22T09:00"));
    /* used does not grow while paused */
    st = eval(&c, T("2026-10-09T12:00"));
    assert_int_equal(st.used, 4);
    /* evaluated before the pause: the pause is not there yet */
    st = eval(&c, T("2026-09-21T12:00"));
    assert_int_equal(st.paused, 0);
    assert_date(st.due_date, "2026-10-21");
    /* used: working days after the start day up to today */
    st = eval(&c, T("2026-09-22T08:00"));
    assert_int_equal(st.used, 4);
}

/* A clock yellow when paused stays yellow however long the pause; after
 * the pause it runs on from where it was. */
static void test_pause_keeps_yellow(void **state)
{
    (void)state;
    struct clock c = {0};
    struct clock_pause p[] = {{T("2026-03-05T10:00"), 0}};
    c.start_ms = T("2026-03-02T09:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 5;
    struct clock_state st = eval(&c, T("2026-03-04T09:00"));
    assert_date(st.due_date, "2026-03-09");
    assert_instant(st.yellow_ms, "2026-03-05T00:00", "yellow");
    c.pauses = p;
    c.npauses = 1;
    st = eval(&c, T("2026-03-20T09:00"));
    assert_int_equal(st.paused, 1);
    assert_int_equal(st.light, CLOCK_YELLOW);
    /* resumed 03-20 10:00: 11 working days later */
    struct clock_pause closed[] = {
        {T("2026-03-05T10:00"), T("2026-03-20T10:00")}};
    c.pauses = closed;
    st = eval(&c, T("2026-03-20T11:00"));
    assert_int_equal(st.paused, 0);
    assert_date(st.due_date, "2026-03-24");
    assert_instant(st.yellow_ms, "2026-03-20T00:00", "yellow after");
    assert_int_equal(st.light, CLOCK_YELLOW);
    /* a green clock paused stays green */
    struct clock_pause early[] = {{T("2026-03-03T10:00"), 0}};
    c.pauses = early;
    st = eval(&c, T("2026-04-30T10:00"));
    assert_int_equal(st.light, CLOCK_GREEN);
    /* paused at the very instant it is read: paused already (a transition
     * that pauses refreshes the case's lights in the same millisecond) */
    c.pauses = p;
    st = eval(&c, T("2026-03-05T10:00"));
    assert_int_equal(st.paused, 1);
    assert_int_equal(st.light, CLOCK_YELLOW);
    assert_date(st.due_date, "2026-03-09");
}

/* A pause that starts after the due instant moves nothing: the clock
 * stays red, during the pause and after it. */
static void test_pause_after_due(void **state)
{
    (void)state;
    struct clock c = {0};
    struct clock_pause p[] = {{T("2026-03-05T10:00"), 0}};
    c.start_ms = T("2026-03-02T09:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 1;
    c.pauses = p;
    c.npauses = 1;
    struct clock_state st = eval(&c, T("2026-03-06T10:00"));
    assert_date(st.due_date, "2026-03-03");
    assert_int_equal(st.paused, 1);
    assert_int_equal(st.light, CLOCK_RED);
    struct clock_pause closed[] = {
        {T("2026-03-05T10:00"), T("2026-03-10T10:00")}};
    c.pauses = closed;
    st = eval(&c, T("2026-03-10T11:00"));
    assert_date(st.due_date, "2026-03-03");
    assert_int_equal(st.light, CLOCK_RED);
}

/* A pause across the Spring Festival 2026 counts only working days. */
static void test_pause_across_holiday(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-02-10T09:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 10;
    struct clock_state st = eval(&c, T("2026-02-10T10:00"));
    assert_date(st.due_date, "2026-03-02");
    /* 02-13 15:00 .. 02-25 10:00: 02-14 (Sat worked), 02-24, 02-25 */
    struct clock_pause p[] = {{T("2026-02-13T15:00"), T("2026-02-25T10:00")}};
    c.pauses = p;
    c.npauses = 1;
    st = eval(&c, T("2026-02-26T10:00"));
    assert_date(st.due_date, "2026-03-05");
    assert_instant(st.due_ms, "2026-03-06T00:00", "due");
    /* two pauses: the second adds 03-03 */
    struct clock_pause two[] = {{T("2026-02-13T15:00"), T("2026-02-25T10:00")},
                                {T("2026-03-02T16:00"), T("2026-03-03T09:00")}};
    c.pauses = two;
    c.npauses = 2;
    st = eval(&c, T("2026-03-04T10:00"));
    assert_date(st.due_date, "2026-03-06");
    /* a pause within one day moves no date */
    struct clock_pause same_day[] = {
        {T("2026-02-11T09:00"), T("2026-02-11T17:00")}};
    c.pauses = same_day;
    c.npauses = 1;
    st = eval(&c, T("2026-02-12T10:00"));
    assert_date(st.due_date, "2026-03-02");
    assert_int_equal(st.paused_ms, 8 * CLOCK_HOUR_MS);
}

/* Calendar-day clocks: 信访 60 days, extended by 30; the rest-day rule. */
static void test_calendar_days(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-08-04T15:00");
    c.unit = CLOCK_CALENDAR_DAYS;
    c.length = 60;
    struct clock_state st = eval(&c, T("2026-08-05T09:00"));
    assert_date(st.due_date, "2026-10-08"); /* 10-03 holiday -> 10-08 */
    assert_instant(st.due_ms, "2026-10-09T00:00", "due");
    assert_instant(st.yellow_ms, "2026-09-29T00:00", "yellow");
    assert_int_equal(st.used, 1);
    assert_int_equal(st.left, 64);
    static const struct light_row lights[] = {
        {"2026-09-28T23:59:59.999", CLOCK_GREEN},
        {"2026-09-29T00:00", CLOCK_YELLOW},
        {"2026-10-05T12:00", CLOCK_YELLOW},
        {"2026-10-08T23:59:59.999", CLOCK_YELLOW},
        {"2026-10-09T00:00", CLOCK_RED},
    };
    check_lights(&c, lights, N_ELEMS(lights));
    struct clock_extension ext[] = {{30, T("2026-09-20T10:00"), "l", "延期"}};
    c.extensions = ext;
    c.nextensions = 1;
    st = eval(&c, T("2026-10-09T00:00"));
    assert_date(st.due_date, "2026-11-02");
    assert_instant(st.yellow_ms, "2026-10-29T00:00", "yellow extended");
    assert_int_equal(st.light, CLOCK_GREEN);

    /* a 3-day pause moves a calendar clock 3 days, then the rest rule */
    struct clock d = {0};
    struct clock_pause p[] = {{T("2026-03-05T10:00"), T("2026-03-08T10:00")}};
    d.start_ms = T("2026-03-02T09:00");
    d.unit = CLOCK_CALENDAR_DAYS;
    d.length = 10;
    st = eval(&d, T("2026-03-03T09:00"));
    assert_date(st.due_date, "2026-03-12");
    d.pauses = p;
    d.npauses = 1;
    st = eval(&d, T("2026-03-09T09:00"));
    assert_date(st.due_date, "2026-03-16"); /* 03-15 Sunday -> Monday */
    assert_int_equal(st.used, 4);
    assert_int_equal(st.left, 7); /* one more day from the rest-day rule */
}

/* Hour clocks: start + N hours + the time paused; 80% default yellow. */
static void test_hours(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-10-03T09:00"); /* a holiday: hours run anyway */
    c.unit = CLOCK_HOURS;
    c.length = 2;
    struct clock_state st = eval(&c, T("2026-10-03T09:30"));
    assert_instant(st.due_ms, "2026-10-03T11:00", "due");
    assert_instant(st.yellow_ms, "2026-10-03T10:36", "yellow");
    assert_date(st.due_date, "2026-10-03");
    assert_int_equal(st.used, 0);
    assert_int_equal(st.left, 1);
    static const struct light_row lights[] = {
        {"2026-10-03T10:35:59.999", CLOCK_GREEN},
        {"2026-10-03T10:36", CLOCK_YELLOW},
        {"2026-10-03T10:59:59.999", CLOCK_YELLOW},
        {"2026-10-03T11:00", CLOCK_RED},
    };
    check_lights(&c, lights, N_ELEMS(lights));
    struct clock_pause p[] = {{T("2026-10-03T09:30"), T("2026-10-03T10:00")}};
    c.pauses = p;
    c.npauses = 1;
    st = eval(&c, T("2026-10-03T11:00"));
    assert_instant(st.due_ms, "2026-10-03T11:30", "due paused");
    assert_instant(st.yellow_ms, "2026-10-03T11:00", "yellow paused");
    assert_int_equal(st.light, CLOCK_YELLOW);
    assert_int_equal(st.used_ms, 90 * 60 * 1000);
    assert_int_equal(st.used, 1);
    assert_int_equal(st.left, 0);
    /* an extension of 1 hour */
    struct clock_extension ext[] = {{1, T("2026-10-03T10:30"), "l", "续报"}};
    c.extensions = ext;
    c.nextensions = 1;
    st = eval(&c, T("2026-10-03T11:00"));
    assert_instant(st.due_ms, "2026-10-03T12:30", "due extended");
    assert_int_equal(st.length, 3);
    /* overdue by 90 minutes: left truncates toward zero */
    st = eval(&c, T("2026-10-03T14:00"));
    assert_int_equal(st.light, CLOCK_RED);
    assert_int_equal(st.left, -1);
    assert_int_equal(st.left_ms, -90 * 60 * 1000);
}

/* 24:00 exactly: stopping one millisecond before is on time. */
static void test_stop_boundary(void **state)
{
    (void)state;
    static const struct {
        const char *stop;
        enum clock_light light;
    } rows[] = {
        {"2026-02-14T09:00", CLOCK_GREEN},
        {"2026-02-24T23:59:59.999", CLOCK_GREEN},
        {"2026-02-25T00:00", CLOCK_RED},
        {"2026-02-27T10:00", CLOCK_RED},
    };
    struct clock c = {0};
    c.start_ms = T("2026-02-13T10:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 2; /* 02-14 Sat worked, 02-24 */
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        c.stop_ms = T(rows[i].stop);
        /* a stopped clock is judged at its stop, whenever it is read */
        struct clock_state st = eval(&c, T("2026-06-01T00:00"));
        assert_int_equal(st.stopped, 1);
        assert_instant(st.due_ms, "2026-02-25T00:00", "due");
        if (st.light != rows[i].light)
            fail_msg("stopped %s: %s", rows[i].stop,
                     clock_light_name(st.light));
    }
    /* stopped while paused: the pause ends at the stop */
    struct clock_pause p[] = {{T("2026-02-24T10:00"), 0}};
    c.pauses = p;
    c.npauses = 1;
    c.stop_ms = T("2026-03-10T10:00");
    struct clock_state st = eval(&c, T("2026-06-01T00:00"));
    assert_int_equal(st.light, CLOCK_GREEN);
    assert_int_equal(st.paused_ms,
                     T("2026-03-10T10:00") - T("2026-02-24T10:00"));
}

/* Supervision by a date: the clock ends at 24:00 of that date. */
static void test_deadline_date(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-09-01T10:00");
    c.unit = CLOCK_WORKDAYS;
    c.has_deadline = 1;
    c.deadline = D("2026-10-09");
    struct clock_state st = eval(&c, T("2026-09-02T10:00"));
    assert_date(st.due_date, "2026-10-09");
    assert_instant(st.due_ms, "2026-10-10T00:00", "due");
    assert_instant(st.yellow_ms, "2026-09-30T00:00", "yellow");
    assert_int_equal(st.length, st.used + st.left);
    struct clock_extension ext[] = {{5, T("2026-10-08T10:00"), "l", "延期"}};
    c.extensions = ext;
    c.nextensions = 1;
    st = eval(&c, T("2026-10-12T10:00"));
    assert_date(st.due_date, "2026-10-15");
    assert_int_equal(st.light, CLOCK_GREEN); /* yellow from 10-13 */
    assert_instant(st.yellow_ms, "2026-10-13T00:00", "yellow extended");
    /* a deadline on a holiday is kept as given */
    c.nextensions = 0;
    c.deadline = D("2026-10-03");
    st = eval(&c, T("2026-09-02T10:00"));
    assert_date(st.due_date, "2026-10-03");
    assert_instant(st.due_ms, "2026-10-04T00:00", "due on holiday");
    assert_instant(st.yellow_ms, "2026-09-28T00:00", "yellow on holiday");
    /* a pause moves a deadline by the working days paused */
    c.deadline = D("2026-10-09");
    struct clock_pause p[] = {{T("2026-09-07T10:00"), T("2026-09-09T10:00")}};
    c.pauses = p;
    c.npauses = 1;
    st = eval(&c, T("2026-09-10T10:00"));
    assert_date(st.due_date, "2026-10-12"); /* 10-10 Sat worked, 10-12 */
}

/* Zero length (即办件): due at 24:00 of the start day. */
static void test_zero_length(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-10-03T10:00");
    c.unit = CLOCK_WORKDAYS;
    struct clock_state st = eval(&c, T("2026-10-03T11:00"));
    assert_date(st.due_date, "2026-10-03");
    assert_instant(st.due_ms, "2026-10-04T00:00", "due");
    assert_int_equal(st.light, CLOCK_YELLOW);
    /* before the start counts as the start */
    st = eval(&c, T("2026-10-01T11:00"));
    assert_int_equal(st.used_ms, 0);
}

/* Other yellow thresholds. */
static void test_warn_kinds(void **state)
{
    (void)state;
    static const struct {
        enum clock_warn warn;
        int value;
        const char *yellow;
    } rows[] = {
        {CLOCK_WARN_DEFAULT, 0, "2026-03-10T00:00"},
        {CLOCK_WARN_WORKDAYS, 3, "2026-03-10T00:00"},
        {CLOCK_WARN_WORKDAYS, 1, "2026-03-12T00:00"},
        {CLOCK_WARN_WORKDAYS, 5, "2026-03-06T00:00"},
        {CLOCK_WARN_WORKDAYS, 0, "2026-03-13T00:00"},
        {CLOCK_WARN_NONE, 0, "2026-03-13T00:00"},
        {CLOCK_WARN_PERCENT, 50, "2026-03-07T12:00"},
        {CLOCK_WARN_PERCENT, 100, "2026-03-13T00:00"},
        {CLOCK_WARN_PERCENT, 0, "2026-03-02T00:00"},
    };
    struct clock c = {0};
    c.start_ms = T("2026-03-02T00:00");
    c.unit = CLOCK_CALENDAR_DAYS;
    c.length = 10; /* due Thursday 03-12 */
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        c.warn = rows[i].warn;
        c.warn_value = rows[i].value;
        struct clock_state st = eval(&c, T("2026-03-03T00:00"));
        assert_instant(st.due_ms, "2026-03-13T00:00", "due");
        assert_instant(st.yellow_ms, rows[i].yellow, "yellow");
        assert_instant(clock_yellow_ms(&c, cal, T("2026-03-03T00:00")),
                       rows[i].yellow, "clock_yellow_ms");
    }
    /* a short clock is yellow from its start */
    c.warn = CLOCK_WARN_DEFAULT;
    c.length = 1;
    c.unit = CLOCK_WORKDAYS;
    assert_int_equal(clock_light(&c, cal, T("2026-03-02T08:00")), CLOCK_YELLOW);
}

/* Crossing into a year without a notice sets the warning flag. */
static void test_unpublished(void **state)
{
    (void)state;
    struct clock c = {0};
    c.start_ms = T("2026-12-21T10:00");
    c.unit = CLOCK_WORKDAYS;
    c.length = 20;
    struct clock_state st = eval(&c, T("2026-12-22T10:00"));
    assert_date(st.due_date, "2027-01-18");
    assert_int_equal(st.unpublished, 1);
    c.length = 5;
    st = eval(&c, T("2026-12-22T10:00"));
    assert_date(st.due_date, "2026-12-28");
    assert_int_equal(st.unpublished, 0);
    /* hours never look at the calendar for the due date */
    c.unit = CLOCK_HOURS;
    c.start_ms = T("2027-03-01T10:00");
    st = eval(&c, T("2027-03-01T11:00"));
    assert_int_equal(st.unpublished, 0);
    c.unit = CLOCK_CALENDAR_DAYS;
    c.length = 3;
    st = eval(&c, T("2027-03-01T11:00"));
    assert_int_equal(st.unpublished, 1);
}

static void test_malformed(void **state)
{
    (void)state;
    struct clock_pause overlap[] = {
        {T("2026-03-03T10:00"), T("2026-03-05T10:00")},
        {T("2026-03-04T10:00"), T("2026-03-06T10:00")}};
    struct clock_pause open_first[] = {
        {T("2026-03-03T10:00"), 0},
        {T("2026-03-04T10:00"), T("2026-03-06T10:00")}};
    struct clock_pause before[] = {
        {T("2026-03-01T10:00"), T("2026-03-03T10:00")}};
    struct clock_pause backwards[] = {
        {T("2026-03-04T10:00"), T("2026-03-03T10:00")}};
    struct clock_extension negative[] = {{-1, 0, "", ""}};
    struct clock base = {0};
    base.start_ms = T("2026-03-02T10:00");
    base.unit = CLOCK_WORKDAYS;
    base.length = 5;
    struct clock rows[12];
    int n = 0;
    rows[n] = base, rows[n++].unit = 0;
    rows[n] = base, rows[n++].unit = 9;
    rows[n] = base, rows[n++].length = -1;
    rows[n] = base, rows[n++].length = CALENDAR_MAX_N + 1;
    rows[n] = base, rows[n].pauses = overlap, rows[n++].npauses = 2;
    rows[n] = base, rows[n].pauses = open_first, rows[n++].npauses = 2;
    rows[n] = base, rows[n].pauses = before, rows[n++].npauses = 1;
    rows[n] = base, rows[n].pauses = backwards, rows[n++].npauses = 1;
    rows[n] = base, rows[n].extensions = negative, rows[n++].nextensions = 1;
    rows[n] = base, rows[n].has_deadline = 1,
    rows[n++].deadline = (struct ymd){2026, 2, 30};
    rows[n] = base, rows[n].warn = CLOCK_WARN_PERCENT,
    rows[n++].warn_value = 101;
    rows[n] = base, rows[n++].stop_ms = T("2026-03-01T10:00");
    for (int i = 0; i < n; i++) {
        struct clock_state st;
        if (clock_eval(&rows[i], cal, T("2026-03-10T10:00"), &st) != -1)
            fail_msg("row %d accepted", i);
    }
    assert_int_equal(clock_due_ms(&rows[0], cal, 0), 0);
    assert_int_equal(clock_light(&rows[0], cal, 0), CLOCK_GREEN);
    struct clock_state st;
    assert_int_equal(clock_eval(&base, cal, T("2026-03-10T10:00"), &st), 0);
    assert_int_equal(clock_due_ms(&base, cal, T("2026-03-03T10:00")),
                     T("2026-03-10T00:00"));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(clock_light_name(CLOCK_GREEN), "green");
    assert_string_equal(clock_light_name(CLOCK_YELLOW), "yellow");
    assert_string_equal(clock_light_name(CLOCK_RED), "red");
    assert_string_equal(clock_unit_label(CLOCK_WORKDAYS), "工作日");
    assert_string_equal(clock_unit_label(CLOCK_CALENDAR_DAYS), "日");
    assert_string_equal(clock_unit_label(CLOCK_HOURS), "小时");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_open_pause),
        cmocka_unit_test(test_pause_keeps_yellow),
        cmocka_unit_test(test_pause_after_due),
        cmocka_unit_test(test_pause_across_holiday),
        cmocka_unit_test(test_calendar_days),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_stop_boundary),
        cmocka_unit_test(test_deadline_date),
        cmocka_unit_test(test_zero_length),
        cmocka_unit_test(test_warn_kinds),
        cmocka_unit_test(test_unpublished),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
