/*
 * calendar.h - China's working-day calendar (工作日与节假日安排), pure: no
 * database, no clock, no global state.
 *
 * A date is a working day when it is Monday to Friday, unless the calendar
 * marks it OFF (放假), or when it is a Saturday or Sunday the calendar marks
 * WORK (调休上班).  The State Council publishes each year's overrides in a
 * notice (国务院办公厅关于XXXX年部分节假日安排的通知); a year is "published"
 * once it has been added with its notice.  A year that is not published
 * counts Monday to Friday only, and every function that crosses one says so
 * through its `unpublished` flag, so the faces can warn ("2027年的节假日安排
 * 尚未公布，按周一至周五计算").  A year is never invented.
 *
 * Counting rules (期间的计算):
 *     working days   calendar_add_workdays(from, n) is the n-th working day
 *                    after `from`; the day of `from` is not counted
 *                    (期间开始的当日不计入).  n = 0 gives `from` itself.
 *     calendar days  calendar_add_days(from, n) is from + n; when that is a
 *                    rest day the period ends on the next working day
 *                    (民法典 第二百零三条: 期间的最后一日是法定休假日的，以
 *                    法定休假日结束的次日为期间的最后一日).
 *
 * Import format (calendar_parse), one statement per line, UTF-8:
 *
 *     # 2026年部分节假日安排                    comment (first non-blank '#')
 *     year 2026 国办发明电〔2025〕7号          the year and its notice
 *     off  2026-01-01 2026-01-03  元旦         rest days FROM..TO inclusive
 *     off  2026-06-19             端午节       or a single rest day
 *     work 2026-01-04             元旦调休上班  a weekend day worked
 *
 * Words are separated by spaces or tabs; what follows the dates is the note
 * (optional, at most CALENDAR_NOTE_MAX bytes; a word after FROM that starts
 * with a digit is read as TO, so a note starts with something else).  '#'
 * starts a comment only as a line's first word.  `off` and `work` lines
 * belong to the `year` line above them and their dates must lie in that
 * year.  A text may declare several years; importing a year replaces all
 * of that year's overrides, so an amended notice (as in 2019 and 2020) is
 * imported as the whole year again, with both notice numbers on its
 * `year` line.  Errors, each reported with its
 * line number ("第 3 行：…"): an unknown word, a missing or malformed date,
 * TO before FROM, a date outside the declared year, a date given twice, a
 * `work` day that is not a Saturday or Sunday, an `off`/`work` line before
 * any `year` line, a year declared twice or already in the calendar, a
 * missing notice, invalid UTF-8, a line longer than CALENDAR_LINE_MAX.
 * Blank lines, CRLF line ends and a leading UTF-8 BOM are accepted.
 *
 * The data of the years shipped with the binary lives in
 * src/base/calendar/YYYY.txt in this format; the build compiles those files
 * into calendar_builtin_text (tools/embed_calendar.cmake).
 *
 * Memory: a struct calendar is reference-counted (so one loaded calendar can
 * be shared between request threads while a newer one replaces it):
 * calendar_new() gives one reference, calendar_ref() adds one,
 * calendar_free() drops one and frees at zero.  Out of memory aborts.
 */
#ifndef SHUNIU_CALENDAR_H
#define SHUNIU_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/now.h"

#define CALENDAR_NOTICE_MAX 200 /* bytes of a notice number */
#define CALENDAR_NOTE_MAX 200   /* bytes of a day's note */
#define CALENDAR_LINE_MAX 1000  /* bytes of one line of the import format */
#define CALENDAR_MAX_YEARS 200
#define CALENDAR_MAX_N 100000  /* largest |n| the counting functions take */
#define CALENDAR_MAX_ERRORS 50 /* calendar_parse stops reporting after this */

enum calendar_kind {
    CALENDAR_OFF = 1,  /* 放假: a rest day, whatever the weekday */
    CALENDAR_WORK = 2, /* 调休上班: a Saturday or Sunday worked */
};

struct calendar_year {
    int year;
    int published; /* 1 when the year's notice is known */
    char *notice; /* "国办发明电〔2025〕7号"; never NULL ("" unknown) */
};

struct calendar_day {
    int64_t day; /* ymd_to_days() of the date */
    enum calendar_kind kind;
    char *note; /* "春节"; never NULL */
};

/* Invariants: years sorted by year, one entry per year; days sorted by day,
 * one entry per date.  Read the arrays freely; change them only through the
 * functions below. */
struct calendar {
    int nyears, capyears;
    struct calendar_year *years;
    int ndays, capdays;
    struct calendar_day *days;
    _Atomic int refs; /* see calendar_ref() */
};

/* The years shipped with this binary, in the import format (the files of
 * src/base/calendar/ one after the other), NUL-terminated. */
extern const char calendar_builtin_text[];
extern const size_t calendar_builtin_len;

/* An empty calendar (no year published) holding one reference.  Never
 * NULL. */
struct calendar *calendar_new(void);
/* Adds a reference and returns cal. */
struct calendar *calendar_ref(struct calendar *cal);
/* Drops a reference; frees the calendar when it was the last.  NULL ok. */
void calendar_free(struct calendar *cal);

/* Marks year y published under notice (copied; NULL is ""), replacing an
 * earlier notice of that year.  0, or -1 when y is outside 1900..9999 or
 * the calendar already holds CALENDAR_MAX_YEARS years. */
int calendar_add_year(struct calendar *cal, int y, const char *notice);
/* Sets (or replaces) the override of one date; note is copied (NULL is
 * "").  0, or -1 for an invalid date or kind. */
int calendar_set_day(struct calendar *cal, struct ymd d,
                     enum calendar_kind kind, const char *note);
/* The override of a date, or NULL. */
const struct calendar_day *calendar_day_find(const struct calendar *cal,
                                             struct ymd d);
/* The entry of year y, or NULL. */
const struct calendar_year *calendar_year_find(const struct calendar *cal,
                                               int y);

/* 1 when d is a working day (see the top of this file). */
int calendar_is_workday(const struct calendar *cal, struct ymd d);
/* 1 when year y has been published (added with calendar_add_year). */
int calendar_year_published(const struct calendar *cal, int y);

/* The n-th working day after `from` (from itself not counted); n = 0 gives
 * from; a negative n counts back (-1: the last working day before from).
 * *unpublished (may be NULL) is set to 1 when any year from `from` to the
 * result lies unpublished, else 0.  0, or -1 when |n| > CALENDAR_MAX_N. */
int calendar_add_workdays(const struct calendar *cal, struct ymd from, int n,
                          struct ymd *out, int *unpublished);
/* from + n calendar days; when that day is a rest day, the next working day
 * (for a negative n: the working day before it, so that a time counted back
 * never shrinks).  *unpublished as above.  0, or -1 when |n| >
 * CALENDAR_MAX_N. */
int calendar_add_days(const struct calendar *cal, struct ymd from, int n,
                      struct ymd *out, int *unpublished);
/* The number of working days d with a < d <= b; when b is before a, minus
 * the number with b < d <= a.  *unpublished as above, for the years from a
 * to b. */
int64_t calendar_workdays_between(const struct calendar *cal, struct ymd a,
                                  struct ymd b, int *unpublished);

/* The part of [from_ms, to_ms) that falls on working days (Beijing dates),
 * in ms: what "working time spent" means for a stay at a step.  0 when
 * to_ms <= from_ms; spans longer than CALENDAR_MAX_N days count only their
 * first CALENDAR_MAX_N days. */
int64_t calendar_work_ms(const struct calendar *cal, int64_t from_ms,
                         int64_t to_ms);

/* Reads the import format (above) from text[0..len) into cal, which gets
 * the years and days of the text.  Each error is appended to errors (may be
 * NULL) as one line "第 N 行：…" (or "文件：…" for the text as a whole), at
 * most CALENDAR_MAX_ERRORS of them.  Returns the number of errors, 0 when
 * the whole text is good.  On errors cal holds whatever was read and should
 * be thrown away. */
int calendar_parse(const char *text, size_t len, struct calendar *cal,
                   struct buf *errors);

/* Prints year y for a terminal: the notice line (or "未公布（按周一至周五
 * 计算）"), twelve month grids headed 一 二 三 四 五 六 日 in which a date
 * marked OFF carries 休 and a weekend day marked WORK carries 班 (a plain
 * Saturday or Sunday is a rest day and carries no mark), then the list of
 * marked dates with their notes.  0, or -1 when out reached its cap. */
int calendar_format_year(const struct calendar *cal, int y, struct buf *out);

#endif
