/*
 * clock.h - time limits (时限) of cases: pure arithmetic over a calendar.
 *
 * A clock is what a module's table declares and a case's history fills in:
 * a start instant, a length in a unit (calendar days 日, working days 工作日,
 * hours) or an explicit deadline date, the pauses (中止/补正: the clock does
 * not run), the extensions (延期: more length, granted by someone for a
 * reason) and, once the case is done, the stop instant.  Everything else --
 * the due instant, the yellow instant, the light, the time used and left --
 * is derived by clock_eval() and never stored by hand, so a changed calendar
 * (an amended holiday notice) is picked up by evaluating again.
 *
 * The rules, with worked examples, are at the top of clock.c.  In short:
 *     day clocks end at 24:00 Beijing time of their due date;
 *     working days: the due date is calendar_add_workdays(start date, N);
 *     calendar days: calendar_add_days(start date, N) (a rest day moves the
 *                    end to the next working day);
 *     hours: start + N hours + the time paused;
 *     yellow: by default from 00:00 of the 3rd working day counting back
 *             from the due date (due Friday -> yellow from Wednesday), or
 *             once a percentage of the span is used (hour clocks: 80%);
 *     red: past the due instant; a stopped clock is red when it stopped
 *          late ("逾期办结") and green when on time.
 *
 * Nothing here allocates: a struct clock points at the caller's pauses and
 * extensions (an arena's, a module table's), clock_eval() fills a struct the
 * caller owns.
 */
#ifndef SHUNIU_CLOCK_H
#define SHUNIU_CLOCK_H

#include <stdint.h>

#include "base/calendar.h"
#include "base/now.h"

#define CLOCK_HOUR_MS (3600LL * 1000)
#define CLOCK_DEFAULT_YELLOW_WORKDAYS 3
#define CLOCK_DEFAULT_YELLOW_PERCENT 80 /* hour clocks */

enum clock_unit {
    CLOCK_CALENDAR_DAYS = 1, /* 日 */
    CLOCK_WORKDAYS = 2,      /* 工作日 */
    CLOCK_HOURS = 3,         /* 小时 */
};

enum clock_light {
    CLOCK_GREEN = 0,  /* on track, or done on time */
    CLOCK_YELLOW = 1, /* near the due date */
    CLOCK_RED = 2,    /* overdue, or done late */
};

/* How a clock turns yellow. */
enum clock_warn {
    CLOCK_WARN_DEFAULT = 0,  /* day clocks: 3 working days; hours: 80% */
    CLOCK_WARN_WORKDAYS = 1, /* warn_value working days before the due date */
    CLOCK_WARN_PERCENT = 2,  /* once warn_value % of start..due has passed */
    CLOCK_WARN_NONE = 3,     /* straight from green to red */
};

/* An interval in which the clock does not run (中止, 补正, 听证、检测、专家
 * 评审 ...).  to_ms is 0 while the pause is still open. */
struct clock_pause {
    int64_t from_ms;
    int64_t to_ms;
};

/* More length (延期), in the clock's unit; by and why are for the record
 * (the timeline) and not used by the arithmetic. */
struct clock_extension {
    int length;
    int64_t at_ms;
    const char *by;
    const char *why;
};

struct clock {
    /* when the clock started (受理) */
    int64_t start_ms;
    enum clock_unit unit;
    /* in unit; ignored when has_deadline */
    int length;
    /* 1: the limit is the date `deadline`, the last day (ends at 24:00) */
    int has_deadline;
    struct ymd deadline;
    /* in time order, not overlapping; only the last may be open */
    const struct clock_pause *pauses;
    int npauses;
    const struct clock_extension *extensions;
    int nextensions;
    /* when the clock stopped (办结); 0 while it runs */
    int64_t stop_ms;
    /* how it turns yellow; warn_value is working days or percent */
    enum clock_warn warn;
    int warn_value;
};

/* What a clock is at an instant. */
struct clock_state {
    /* the instant the limit runs out */
    int64_t due_ms;
    /* day clocks: the last day; hour clocks: the date of due_ms */
    struct ymd due_date;
    /* the instant it turns yellow (<= due_ms) */
    int64_t yellow_ms;
    enum clock_light light;
    /* 1 when stop_ms is set */
    int stopped;
    /* 1 inside an open pause */
    int paused;
    /* 1 when the due or yellow date was counted across a year with no
     * holiday notice: the faces show a warning */
    int unpublished;
    /* the limit in unit, extensions included (day clocks: used + left) */
    int64_t length;
    /* in unit.  Working days: those after the start day up to today
     * (today counted, the days a pause moved the due date by not);
     * calendar days likewise; hours: whole hours run */
    int64_t used;
    /* in unit.  Working days after today up to the due date: 0 on the due
     * date, negative when overdue; calendar days likewise; hours: whole
     * hours to the due instant, truncated toward zero */
    int64_t left;
    /* running time since the start, pauses excluded */
    int64_t used_ms;
    /* due_ms minus the instant; negative when overdue */
    int64_t left_ms;
    /* time spent in pauses */
    int64_t paused_ms;
};

/* Evaluates c at now_ms (a stopped clock at its stop instant; an instant
 * before the start counts as the start).  Pauses starting at or after the
 * instant are ignored and a pause running past it counts as open, so
 * evaluating at an earlier instant gives the clock as it was then.
 * 0 and *out filled, or -1 when the clock is malformed: unknown unit or
 * warn, negative or too long a length (more than CALENDAR_MAX_N), pauses
 * out of order, overlapping, before the start or open before the last, a
 * negative extension, an invalid deadline date. */
int clock_eval(const struct clock *c, const struct calendar *cal,
               int64_t now_ms, struct clock_state *out);

/* Shorthands of clock_eval; on a malformed clock they return 0 (due and
 * yellow) and CLOCK_GREEN. */
int64_t clock_due_ms(const struct clock *c, const struct calendar *cal,
                     int64_t now_ms);
int64_t clock_yellow_ms(const struct clock *c, const struct calendar *cal,
                        int64_t now_ms);
enum clock_light clock_light(const struct clock *c, const struct calendar *cal,
                             int64_t now_ms);

/* "green" / "yellow" / "red" (for the API and CSS classes). */
const char *clock_light_name(enum clock_light light);
/* "日" / "工作日" / "小时". */
const char *clock_unit_label(enum clock_unit unit);

#endif
