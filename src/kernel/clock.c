/*
 * clock.c - time limits of cases (see clock.h): the rules.
 *
 * Dates are Beijing dates; "D" is the date of the start instant, "at" the
 * instant evaluated (now, or the stop instant of a stopped clock), "today"
 * the date of `at`.  The calendar is base/calendar.c.
 *
 * 1. Due date and due instant.
 *    L is the length plus every extension (延期).
 *        working days     due date = calendar_add_workdays(D, L): the L-th
 *                         working day after D, D itself not counted
 *        calendar days    due date = calendar_add_days(D, L): D + L, and
 *                         when that is a rest day the next working day
 *                         (民法典 第二百零三条)
 *        explicit date    due date = the deadline; extensions move it by
 *                         their length in the clock's unit, counted as above
 *        hours            due instant = start + L hours + the time paused
 *    A day clock runs out at 24:00 Beijing time of its due date, i.e. at
 *    beijing_midnight_ms(due date + 1 day).
 *
 * 2. Pauses (中止, 补正 ...).  A pause from instant F to instant T moves the
 *    due date forward by
 *        working days     calendar_workdays_between(date(F), date(T)): the
 *                         working days d with date(F) < d <= date(T)
 *        calendar days    date(T) - date(F) days, the rest-day rule applied
 *                         once to the final date
 *        hours            T - F exactly
 *    An open pause (T not yet known) counts up to `at`, so the due date
 *    keeps moving while the case waits.  A pause that starts when the clock
 *    has already run out does not move it: a pause never rescues an
 *    overdue case.  Paused time is not "used".
 *
 * 3. Yellow.  By default (day clocks) from 00:00 of the 3rd working day
 *    counting back from the due date, the due date included when it is a
 *    working day: yellow date = calendar_add_workdays(due + 1 day, -3).
 *    CLOCK_WARN_WORKDAYS sets another count (0: never yellow).
 *    CLOCK_WARN_PERCENT p: yellow once p% of the span start..due has passed
 *    (yellow = start + (due - start) * p / 100); the default of hour
 *    clocks, with p = 80.  CLOCK_WARN_NONE: never yellow.
 *
 * 4. The light at `at`:
 *        stopped          RED when it stopped at or after the due instant
 *                         (done late), else GREEN (done on time)
 *        inside a pause   the light it had when the pause began (a clock
 *                         already red stays red; one that was yellow stays
 *                         yellow however long the pause)
 *        otherwise        RED from the due instant, YELLOW from the yellow
 *                         instant, else GREEN
 *
 * 5. Used and left, in the clock's unit (clock.h, struct clock_state): for
 *    working days, used = workdays_between(D, today) minus the working days
 *    paused, left = workdays_between(today, due date); so used + left = L,
 *    left is 0 on the due date and negative once overdue.  Calendar days
 *    likewise with plain days; hours from the milliseconds.
 *
 * Worked example (2026 calendar: 国庆 10-01..10-07 off, 9-20 Sun and
 * 10-10 Sat worked; 中秋 9-25..9-27 off).  A disclosure request
 * (政府信息公开, 20 working days) is received Thursday 2026-09-17 at 10:00.
 *    Working days after 9-17: 9-18 (1), 9-20 Sun worked (2), 9-21..9-24
 *    (3-6), 9-28..9-30 (7-9), 10-08, 10-09 (10, 11), 10-10 Sat worked (12),
 *    10-12..10-16 (13-17), 10-19..10-21 (18-20).
 *    -> due date Wednesday 2026-10-21, due instant 2026-10-22 00:00 +08:00.
 *    Yellow: the 3rd working day back from 10-21 inclusive is 10-19 ->
 *    yellow from Monday 2026-10-19 00:00.
 *    The request lacks material: paused (补正) from Tuesday 9-22 09:00 to
 *    Friday 10-09 15:00.  Working days in (9-22, 10-09]: 9-23, 9-24,
 *    9-28..9-30, 10-08, 10-09 = 7 -> due date = the 27th working day after
 *    9-17 = Friday 2026-10-30; yellow from Wednesday 10-28 00:00.
 *    Granted 20 more working days (延期): due = the 47th working day after
 *    9-17 = Friday 2026-11-27.
 *    Answered on 2026-11-27 at 17:00: stopped before 11-28 00:00 -> GREEN
 *    (on time); answered 2026-11-30 -> RED (late).
 * The same dates as a 60-day petition clock (信访, calendar days) received
 * 2026-08-04: 08-04 + 60 days = 2026-10-03, a holiday -> the next working
 * day, Thursday 2026-10-08, due 2026-10-09 00:00.
 */
#include "kernel/clock.h"

#include <string.h>

/* What one evaluation needs besides the clock. */
struct clock_eval_ctx {
    const struct clock *c;
    const struct calendar *cal;
    int64_t at;
    int unpublished;
};

static int64_t clock_end_of_day(struct ymd d)
{
    return beijing_midnight_ms(days_to_ymd(ymd_to_days(d) + 1));
}

/* The due date of a day clock whose length (or deadline) moved by `more`
 * units of its kind (extensions plus pauses).  0 or -1. */
static int clock_due_date(struct clock_eval_ctx *x, int64_t more,
                          struct ymd *out)
{
    const struct clock *c = x->c;
    struct ymd from =
        c->has_deadline ? c->deadline : ms_to_beijing(c->start_ms);
    int64_t n = (c->has_deadline ? 0 : c->length) + more;
    int unpub = 0, rc;
    if (n > CALENDAR_MAX_N)
        return -1;
    if (c->has_deadline && n == 0) {
        *out = from;
        unpub = !calendar_year_published(x->cal, from.y);
        rc = 0;
    } else if (c->unit == CLOCK_WORKDAYS) {
        rc = calendar_add_workdays(x->cal, from, (int)n, out, &unpub);
    } else {
        rc = calendar_add_days(x->cal, from, (int)n, out, &unpub);
    }
    x->unpublished |= unpub;
    return rc;
}

static int clock_check(const struct clock *c)
{
    int64_t last_to = c->start_ms, ext = 0;
    if (c->unit != CLOCK_CALENDAR_DAYS && c->unit != CLOCK_WORKDAYS &&
        c->unit != CLOCK_HOURS)
        return -1;
    if (!c->has_deadline && (c->length < 0 || c->length > CALENDAR_MAX_N))
        return -1;
    if (c->has_deadline && !ymd_valid(c->deadline))
        return -1;
    if (c->warn < CLOCK_WARN_DEFAULT || c->warn > CLOCK_WARN_NONE ||
        (c->warn == CLOCK_WARN_PERCENT &&
         (c->warn_value < 0 || c->warn_value > 100)) ||
        (c->warn == CLOCK_WARN_WORKDAYS &&
         (c->warn_value < 0 || c->warn_value > CALENDAR_MAX_N)))
        return -1;
    if (c->npauses < 0 || c->nextensions < 0 ||
        (c->npauses > 0 && c->pauses == NULL) ||
        (c->nextensions > 0 && c->extensions == NULL))
        return -1;
    for (int i = 0; i < c->npauses; i++) {
        const struct clock_pause *p = &c->pauses[i];
        if (p->from_ms < last_to)
            return -1;
        if (p->to_ms == 0 && i != c->npauses - 1)
            return -1;
        if (p->to_ms != 0 && p->to_ms < p->from_ms)
            return -1;
        last_to = p->to_ms;
    }
    for (int i = 0; i < c->nextensions; i++) {
        if (c->extensions[i].length < 0)
            return -1;
        ext += c->extensions[i].length;
    }
    if (ext > CALENDAR_MAX_N)
        return -1;
    if (c->stop_ms != 0 && c->stop_ms < c->start_ms)
        return -1;
    return 0;
}

/* The due instant (and date) after `shift` units of pauses; hours clocks
 * take paused_ms instead. */
static int clock_due(struct clock_eval_ctx *x, int64_t ext, int64_t shift,
                     int64_t paused_ms, int64_t *due_ms, struct ymd *due_date)
{
    const struct clock *c = x->c;
    if (c->unit == CLOCK_HOURS) {
        int64_t base = c->has_deadline
                           ? clock_end_of_day(c->deadline)
                           : c->start_ms + c->length * CLOCK_HOUR_MS;
        *due_ms = base + ext * CLOCK_HOUR_MS + paused_ms;
        *due_date = ms_to_beijing(*due_ms);
        return 0;
    }
    if (clock_due_date(x, ext + shift, due_date))
        return -1;
    *due_ms = clock_end_of_day(*due_date);
    return 0;
}

/* The instant it turns yellow, for a clock due at due_ms on due_date. */
static int clock_yellow(struct clock_eval_ctx *x, int64_t due_ms,
                        struct ymd due_date, int64_t *yellow_ms)
{
    const struct clock *c = x->c;
    enum clock_warn warn = c->warn;
    int value = c->warn_value;
    if (warn == CLOCK_WARN_DEFAULT) {
        warn =
            c->unit == CLOCK_HOURS ? CLOCK_WARN_PERCENT : CLOCK_WARN_WORKDAYS;
        value = c->unit == CLOCK_HOURS ? CLOCK_DEFAULT_YELLOW_PERCENT
                                       : CLOCK_DEFAULT_YELLOW_WORKDAYS;
    }
    *yellow_ms = due_ms;
    if (warn == CLOCK_WARN_PERCENT) {
        if (due_ms > c->start_ms)
            *yellow_ms = c->start_ms + (due_ms - c->start_ms) / 100 * value +
                         (due_ms - c->start_ms) % 100 * value / 100;
    } else if (warn == CLOCK_WARN_WORKDAYS && value > 0) {
        struct ymd after = days_to_ymd(ymd_to_days(due_date) + 1), y;
        int unpub = 0;
        if (calendar_add_workdays(x->cal, after, -value, &y, &unpub))
            return -1;
        x->unpublished |= unpub;
        *yellow_ms = beijing_midnight_ms(y);
    }
    if (*yellow_ms > due_ms)
        *yellow_ms = due_ms;
    return 0;
}

/* The clock as it is at x->at; see the rules at the top.  open_from is set
 * to the start of a pause open at x->at (0 if none). */
static int clock_eval_at(struct clock_eval_ctx *x, struct clock_state *st,
                         int64_t *open_from)
{
    const struct clock *c = x->c;
    int64_t ext = 0, shift = 0, paused_all = 0, paused_eff = 0;
    int64_t at = x->at;
    memset(st, 0, sizeof(*st));
    *open_from = 0;
    for (int i = 0; i < c->nextensions; i++)
        ext += c->extensions[i].length;
    for (int i = 0; i < c->npauses; i++) {
        const struct clock_pause *p = &c->pauses[i];
        /* a pause that begins at `at` has begun: a transition that pauses
         * and refreshes the case's lights in the same millisecond (a fast
         * one does) must see it paused */
        if (p->from_ms > at)
            break;
        int64_t to = p->to_ms == 0 || p->to_ms > at ? at : p->to_ms;
        if (to == at && (p->to_ms == 0 || p->to_ms > at))
            *open_from = p->from_ms;
        paused_all += to - p->from_ms;
        int64_t due_ms;
        struct ymd due_date;
        if (clock_due(x, ext, shift, paused_eff, &due_ms, &due_date))
            return -1;
        if (p->from_ms >= due_ms)
            continue; /* already overdue: the pause moves nothing */
        paused_eff += to - p->from_ms;
        if (c->unit == CLOCK_WORKDAYS)
            shift += calendar_workdays_between(
                x->cal, ms_to_beijing(p->from_ms), ms_to_beijing(to), NULL);
        else if (c->unit == CLOCK_CALENDAR_DAYS)
            shift += ymd_to_days(ms_to_beijing(to)) -
                     ymd_to_days(ms_to_beijing(p->from_ms));
    }
    if (clock_due(x, ext, shift, paused_eff, &st->due_ms, &st->due_date) ||
        clock_yellow(x, st->due_ms, st->due_date, &st->yellow_ms))
        return -1;
    st->paused_ms = paused_all;
    st->used_ms = at - c->start_ms - paused_all;
    st->left_ms = st->due_ms - at;
    struct ymd d = ms_to_beijing(c->start_ms), today = ms_to_beijing(at);
    if (c->unit == CLOCK_WORKDAYS) {
        st->used = calendar_workdays_between(x->cal, d, today, NULL) - shift;
        st->left = calendar_workdays_between(x->cal, today, st->due_date, NULL);
    } else if (c->unit == CLOCK_CALENDAR_DAYS) {
        st->used = ymd_to_days(today) - ymd_to_days(d) - shift;
        st->left = ymd_to_days(st->due_date) - ymd_to_days(today);
    } else {
        st->used = st->used_ms / CLOCK_HOUR_MS;
        st->left = st->left_ms / CLOCK_HOUR_MS;
    }
    if (st->used < 0)
        st->used = 0;
    st->length = c->unit == CLOCK_HOURS && !c->has_deadline
                     ? c->length + ext
                     : st->used + st->left;
    if (at >= st->due_ms)
        st->light = CLOCK_RED;
    else if (at >= st->yellow_ms)
        st->light = CLOCK_YELLOW;
    else
        st->light = CLOCK_GREEN;
    return 0;
}

int clock_eval(const struct clock *c, const struct calendar *cal,
               int64_t now_ms, struct clock_state *out)
{
    struct clock_eval_ctx x = {c, cal, now_ms, 0};
    int64_t open_from;
    if (clock_check(c))
        return -1;
    if (c->stop_ms != 0)
        x.at = c->stop_ms;
    if (x.at < c->start_ms)
        x.at = c->start_ms;
    if (clock_eval_at(&x, out, &open_from))
        return -1;
    out->stopped = c->stop_ms != 0;
    if (out->stopped) {
        out->light = c->stop_ms >= out->due_ms ? CLOCK_RED : CLOCK_GREEN;
    } else if (open_from != 0) {
        /* the light it had when the pause began */
        struct clock_eval_ctx y = {c, cal, open_from, 0};
        struct clock_state then;
        int64_t ignored;
        if (clock_eval_at(&y, &then, &ignored))
            return -1;
        out->paused = 1;
        out->light = then.light;
    }
    out->unpublished = x.unpublished;
    return 0;
}

int64_t clock_due_ms(const struct clock *c, const struct calendar *cal,
                     int64_t now_ms)
{
    struct clock_state st;
    return clock_eval(c, cal, now_ms, &st) ? 0 : st.due_ms;
}

int64_t clock_yellow_ms(const struct clock *c, const struct calendar *cal,
                        int64_t now_ms)
{
    struct clock_state st;
    return clock_eval(c, cal, now_ms, &st) ? 0 : st.yellow_ms;
}

enum clock_light clock_light(const struct clock *c, const struct calendar *cal,
                             int64_t now_ms)
{
    struct clock_state st;
    return clock_eval(c, cal, now_ms, &st) ? CLOCK_GREEN : st.light;
}

const char *clock_light_name(enum clock_light light)
{
    switch (light) {
    case CLOCK_YELLOW:
        return "yellow";
    case CLOCK_RED:
        return "red";
    default:
        return "green";
    }
}

const char *clock_unit_label(enum clock_unit unit)
{
    switch (unit) {
    case CLOCK_WORKDAYS:
        return "工作日";
    case CLOCK_HOURS:
        return "小时";
    default:
        return "日";
    }
}
