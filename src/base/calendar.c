/*
 * calendar.c - China's working-day calendar (see calendar.h for the rules
 * and the import format).
 *
 * Dates are handled as day numbers (ymd_to_days: days since 1970-01-01, a
 * Thursday).  A date's override is found by binary search in cal->days.
 *
 * Counting:
 *     calendar_add_workdays    walks day by day, counting working days
 *     calendar_add_days        adds, then walks to a working day
 *     calendar_workdays_between  closed formula for Monday-Friday, then
 *                              corrects for the overrides in the span
 * Every walk ends: overrides are finite and each week outside them holds
 * five working days; |n| is capped at CALENDAR_MAX_N.
 *
 * Parsing runs line by line, collecting the days of every line with their
 * line numbers; then the days are sorted, dates given twice are reported
 * at the later line, the errors are sorted by line and printed, and the
 * days enter the calendar in ascending order (an append each).
 */
#include "base/calendar.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"

#define CALENDAR_TEXT_MAX ((size_t)1 << 20) /* bytes of an import text */

static void *calendar_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        abort();
    return q;
}

static char *calendar_xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *p = calendar_xrealloc(NULL, n + 1);
    memcpy(p, s ? s : "", n);
    p[n] = '\0';
    return p;
}

/* 0 Monday .. 6 Sunday for a day number. */
static int calendar_weekday(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int64_t calendar_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

struct calendar *calendar_new(void)
{
    struct calendar *cal = calendar_xrealloc(NULL, sizeof(*cal));
    memset(cal, 0, sizeof(*cal));
    atomic_init(&cal->refs, 1);
    return cal;
}

struct calendar *calendar_ref(struct calendar *cal)
{
    atomic_fetch_add(&cal->refs, 1);
    return cal;
}

void calendar_free(struct calendar *cal)
{
    if (cal == NULL || atomic_fetch_sub(&cal->refs, 1) != 1)
        return;
    for (int i = 0; i < cal->nyears; i++)
        free(cal->years[i].notice);
    for (int i = 0; i < cal->ndays; i++)
        free(cal->days[i].note);
    free(cal->years);
    free(cal->days);
    free(cal);
}

/* Index of the first year >= y. */
static int calendar_year_index(const struct calendar *cal, int y)
{
    int lo = 0, hi = cal->nyears;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->years[mid].year < y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the first override on or after day. */
static int calendar_day_index(const struct calendar *cal, int64_t day)
{
    int lo = 0, hi = cal->ndays;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int calendar_add_year(struct calendar *cal, int y, const char *notice)
{
    if (y < 1900 || y > 9999)
        return -1;
    int i = calendar_year_index(cal, y);
    if (i < cal->nyears && cal->years[i].year == y) {
        free(cal->years[i].notice);
        cal->years[i].notice = calendar_xstrdup(notice);
        cal->years[i].published = 1;
        return 0;
    }
    if (cal->nyears >= CALENDAR_MAX_YEARS)
        return -1;
    if (cal->nyears == cal->capyears) {
        cal->capyears = cal->capyears ? cal->capyears * 2 : 8;
        cal->years = calendar_xrealloc(cal->years, (size_t)cal->capyears *
                                                       sizeof(*cal->years));
    }
    memmove(cal->years + i + 1, cal->years + i,
            (size_t)(cal->nyears - i) * sizeof(*cal->years));
    cal->years[i].year = y;
    cal->years[i].published = 1;
    cal->years[i].notice = calendar_xstrdup(notice);
    cal->nyears++;
    return 0;
}

int calendar_set_day(struct calendar *cal, struct ymd d,
                     enum calendar_kind kind, const char *note)
{
    if (!ymd_valid(d) || (kind != CALENDAR_OFF && kind != CALENDAR_WORK))
        return -1;
    int64_t day = ymd_to_days(d);
    /* input arrives sorted: appending is the usual case */
    int i = cal->ndays > 0 && cal->days[cal->ndays - 1].day < day
                ? cal->ndays
                : calendar_day_index(cal, day);
    if (i < cal->ndays && cal->days[i].day == day) {
        free(cal->days[i].note);
        cal->days[i].kind = kind;
        cal->days[i].note = calendar_xstrdup(note);
        return 0;
    }
    if (cal->ndays == cal->capdays) {
        cal->capdays = cal->capdays ? cal->capdays * 2 : 64;
        cal->days = calendar_xrealloc(cal->days, (size_t)cal->capdays *
                                                     sizeof(*cal->days));
    }
    memmove(cal->days + i + 1, cal->days + i,
            (size_t)(cal->ndays - i) * sizeof(*cal->days));
    cal->days[i].day = day;
    cal->days[i].kind = kind;
    cal->days[i].note = calendar_xstrdup(note);
    cal->ndays++;
    return 0;
}

static const struct calendar_day *calendar_find(const struct calendar *cal,
                                                int64_t day)
{
    int i = calendar_day_index(cal, day);
    return i < cal->ndays && cal->days[i].day == day ? &cal->days[i] : NULL;
}

const struct calendar_day *calendar_day_find(const struct calendar *cal,
                                             struct ymd d)
{
    return calendar_find(cal, ymd_to_days(d));
}

const struct calendar_year *calendar_year_find(const struct calendar *cal,
                                               int y)
{
    int i = calendar_year_index(cal, y);
    return i < cal->nyears && cal->years[i].year == y ? &cal->years[i] : NULL;
}

static int calendar_day_is_workday(const struct calendar *cal, int64_t day)
{
    const struct calendar_day *o = calendar_find(cal, day);
    if (o != NULL)
        return o->kind == CALENDAR_WORK;
    return calendar_weekday(day) < 5;
}

int calendar_is_workday(const struct calendar *cal, struct ymd d)
{
    return calendar_day_is_workday(cal, ymd_to_days(d));
}

int calendar_year_published(const struct calendar *cal, int y)
{
    const struct calendar_year *e = calendar_year_find(cal, y);
    return e != NULL && e->published;
}

/* 1 when a year from the date of day a to that of day b (either order) is
 * not published. */
static int calendar_span_unpublished(const struct calendar *cal, int64_t a,
                                     int64_t b)
{
    int ya = days_to_ymd(a < b ? a : b).y, yb = days_to_ymd(a < b ? b : a).y;
    for (int y = ya; y <= yb; y++)
        if (!calendar_year_published(cal, y))
            return 1;
    return 0;
}

static void calendar_flag(int *flag, int v)
{
    if (flag != NULL)
        *flag = v;
}

int calendar_add_workdays(const struct calendar *cal, struct ymd from, int n,
                          struct ymd *out, int *unpublished)
{
    if (!ymd_valid(from) || n > CALENDAR_MAX_N || n < -CALENDAR_MAX_N)
        return -1;
    int64_t start = ymd_to_days(from), day = start;
    int step = n < 0 ? -1 : 1, left = n < 0 ? -n : n;
    while (left > 0) {
        day += step;
        if (calendar_day_is_workday(cal, day))
            left--;
    }
    if (!ymd_valid(days_to_ymd(day)))
        return -1;
    *out = days_to_ymd(day);
    calendar_flag(unpublished, calendar_span_unpublished(cal, start, day));
    return 0;
}

int calendar_add_days(const struct calendar *cal, struct ymd from, int n,
                      struct ymd *out, int *unpublished)
{
    if (!ymd_valid(from) || n > CALENDAR_MAX_N || n < -CALENDAR_MAX_N)
        return -1;
    int64_t start = ymd_to_days(from), day = start + n;
    int step = n < 0 ? -1 : 1;
    while (!calendar_day_is_workday(cal, day))
        day += step;
    if (!ymd_valid(days_to_ymd(day)))
        return -1;
    *out = days_to_ymd(day);
    calendar_flag(unpublished, calendar_span_unpublished(cal, start, day));
    return 0;
}

/* Monday-Friday days with day number <= x, counted from Monday 1969-12-29
 * (negative before it); only differences of two values mean anything. */
static int64_t calendar_weekdays_upto(int64_t x)
{
    int64_t y = x + 3 + 1; /* days from Monday 1969-12-29 through x */
    int64_t weeks = calendar_floor_div(y, 7), rest = y - weeks * 7;
    return weeks * 5 + (rest < 5 ? rest : 5);
}

int64_t calendar_workdays_between(const struct calendar *cal, struct ymd a,
                                  struct ymd b, int *unpublished)
{
    int64_t da = ymd_to_days(a), db = ymd_to_days(b), sign = 1;
    calendar_flag(unpublished, calendar_span_unpublished(cal, da, db));
    if (db < da) {
        int64_t t = da;
        da = db;
        db = t;
        sign = -1;
    }
    int64_t count = calendar_weekdays_upto(db) - calendar_weekdays_upto(da);
    for (int i = calendar_day_index(cal, da + 1);
         i < cal->ndays && cal->days[i].day <= db; i++) {
        int weekday = calendar_weekday(cal->days[i].day) < 5;
        if (cal->days[i].kind == CALENDAR_OFF && weekday)
            count--;
        else if (cal->days[i].kind == CALENDAR_WORK && !weekday)
            count++;
    }
    return sign * count;
}

/* ---- parsing ------------------------------------------------------------ */

struct calendar_perr {
    int line;
    int seq; /* order of discovery, to keep a line's errors in order */
    char msg[320];
};

struct calendar_pday {
    int64_t day;
    int line;
    enum calendar_kind kind;
    const char *note; /* points into the text copy */
    size_t note_len;
};

struct calendar_parser {
    struct calendar *cal;
    struct calendar_perr *errs;
    int nerrs, caperrs;
    struct calendar_pday *days;
    int ndays, capdays;
    int line;
    int year; /* of the last `year` line; 0 none yet, -1 a bad one */
    int nyear_lines;
};

static void calendar_perror(struct calendar_parser *p, int line,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void calendar_perror(struct calendar_parser *p, int line,
                            const char *fmt, ...)
{
    if (p->nerrs == p->caperrs) {
        p->caperrs = p->caperrs ? p->caperrs * 2 : 16;
        p->errs =
            calendar_xrealloc(p->errs, (size_t)p->caperrs * sizeof(*p->errs));
    }
    struct calendar_perr *e = &p->errs[p->nerrs++];
    va_list ap;
    va_start(ap, fmt);
    e->line = line;
    e->seq = p->nerrs - 1;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

static void calendar_padd(struct calendar_parser *p, int64_t day,
                          enum calendar_kind kind, const char *note,
                          size_t note_len)
{
    if (p->ndays == p->capdays) {
        p->capdays = p->capdays ? p->capdays * 2 : 64;
        p->days =
            calendar_xrealloc(p->days, (size_t)p->capdays * sizeof(*p->days));
    }
    struct calendar_pday *d = &p->days[p->ndays++];
    d->day = day;
    d->line = p->line;
    d->kind = kind;
    d->note = note;
    d->note_len = note_len;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int calendar_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* A word of a line: [p, p+len). */
struct calendar_word {
    const char *p;
    size_t len;
};

static int calendar_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next word at *s (before end), advancing *s past it; len 0 at the
 * end of the line. */
static struct calendar_word calendar_next_word(const char **s, const char *end)
{
    struct calendar_word w;
    while (*s < end && calendar_blank(**s))
        (*s)++;
    w.p = *s;
    while (*s < end && !calendar_blank(**s))
        (*s)++;
    w.len = (size_t)(*s - w.p);
    return w;
}

/* The rest of the line, trimmed. */
static struct calendar_word calendar_rest(const char *s, const char *end)
{
    struct calendar_word w;
    while (s < end && calendar_blank(*s))
        s++;
    while (end > s && calendar_blank(end[-1]))
        end--;
    w.p = s;
    w.len = (size_t)(end - s);
    return w;
}

/* The length of w to quote in a message: at most 40 bytes, cut at a
 * character boundary (w is valid UTF-8). */
static int calendar_clip(struct calendar_word w)
{
    size_t n = w.len;
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)w.p[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

static int calendar_word_is(struct calendar_word w, const char *s)
{
    return w.len == strlen(s) && memcmp(w.p, s, w.len) == 0;
}

/* 1 when w has the shape of a date (a digit first), whether valid or not:
 * the optional TO of an `off` line is told from a note this way. */
static int calendar_word_datelike(struct calendar_word w)
{
    return w.len > 0 && w.p[0] >= '0' && w.p[0] <= '9';
}

/* Parses a date word checked against the current year; 0 or -1 (error
 * reported). */
static int calendar_pdate(struct calendar_parser *p, struct calendar_word w,
                          const char *what, int64_t *day)
{
    char tmp[16];
    struct ymd d;
    if (w.len == 0) {
        calendar_perror(p, p->line, "缺少%s（应为 YYYY-MM-DD）", what);
        return -1;
    }
    if (w.len >= sizeof(tmp)) {
        calendar_perror(p, p->line, "%s“%.*s”不对，应为 YYYY-MM-DD", what,
                        calendar_clip(w), w.p);
        return -1;
    }
    memcpy(tmp, w.p, w.len);
    tmp[w.len] = '\0';
    if (ymd_parse(tmp, &d)) {
        calendar_perror(p, p->line, "%s“%s”不是有效日期，应为 YYYY-MM-DD", what,
                        tmp);
        return -1;
    }
    if (p->year > 0 && d.y != p->year) {
        calendar_perror(p, p->line, "日期 %s 不在 %d 年内（见上面的 year 行）",
                        tmp, p->year);
        return -1;
    }
    *day = ymd_to_days(d);
    return 0;
}

static int calendar_pnote(struct calendar_parser *p, struct calendar_word w)
{
    if (w.len > CALENDAR_NOTE_MAX) {
        calendar_perror(p, p->line, "说明太长（最多 %d 字节）",
                        CALENDAR_NOTE_MAX);
        return -1;
    }
    return 0;
}

/* Without a usable `year` line above, off/work lines are an error (unless
 * the year line itself was bad and already reported). */
static int calendar_pneed_year(struct calendar_parser *p)
{
    if (p->year == 0) {
        calendar_perror(p, p->line,
                        "前面没有 year 行（先写 year 年份 通知文号）");
        return -1;
    }
    return 0;
}

static void calendar_pyear(struct calendar_parser *p, const char *s,
                           const char *end)
{
    struct calendar_word w = calendar_next_word(&s, end);
    struct calendar_word notice = calendar_rest(s, end);
    int y = 0;
    p->nyear_lines++;
    p->year = -1;
    for (size_t i = 0; i < w.len && i < 4; i++)
        y = w.p[i] >= '0' && w.p[i] <= '9' && y >= 0 ? y * 10 + (w.p[i] - '0')
                                                     : -1;
    if (w.len != 4 || y < 1900 || y > 9999) {
        calendar_perror(p, p->line, "年份“%.*s”不对，应为四位数字，如 2026",
                        calendar_clip(w), w.p);
        return;
    }
    if (notice.len == 0) {
        calendar_perror(p, p->line,
                        "%d 年缺少通知文号，如 国办发明电〔2025〕7号", y);
        return;
    }
    if (notice.len > CALENDAR_NOTICE_MAX) {
        calendar_perror(p, p->line, "通知文号太长（最多 %d 字节）",
                        CALENDAR_NOTICE_MAX);
        return;
    }
    if (calendar_year_find(p->cal, y) != NULL) {
        calendar_perror(p, p->line, "%d 年重复出现（一个年份只写一个 year 行）",
                        y);
        return;
    }
    char *copy = calendar_xrealloc(NULL, notice.len + 1);
    memcpy(copy, notice.p, notice.len);
    copy[notice.len] = '\0';
    if (calendar_add_year(p->cal, y, copy))
        calendar_perror(p, p->line, "年份太多（最多 %d 个）",
                        CALENDAR_MAX_YEARS);
    else
        p->year = y;
    free(copy);
}

static void calendar_poff(struct calendar_parser *p, const char *s,
                          const char *end)
{
    int64_t from, to;
    struct calendar_word w = calendar_next_word(&s, end);
    if (calendar_pneed_year(p) || calendar_pdate(p, w, "起始日期", &from))
        return;
    const char *after_from = s;
    w = calendar_next_word(&s, end);
    if (calendar_word_datelike(w)) {
        if (calendar_pdate(p, w, "截止日期", &to))
            return;
        if (to < from) {
            calendar_perror(p, p->line, "截止日期早于起始日期");
            return;
        }
    } else {
        to = from;
        s = after_from;
    }
    struct calendar_word note = calendar_rest(s, end);
    if (calendar_pnote(p, note) || p->year < 0)
        return;
    for (int64_t d = from; d <= to; d++)
        calendar_padd(p, d, CALENDAR_OFF, note.p, note.len);
}

static void calendar_pwork(struct calendar_parser *p, const char *s,
                           const char *end)
{
    int64_t day;
    struct calendar_word w = calendar_next_word(&s, end);
    if (calendar_pneed_year(p) || calendar_pdate(p, w, "日期", &day))
        return;
    if (calendar_weekday(day) < 5) {
        static const char *const names[] = {"一", "二", "三", "四", "五"};
        char ds[11];
        ymd_fmt(days_to_ymd(day), ds);
        calendar_perror(p, p->line,
                        "%s 是星期%s，本来就是工作日；work 只用于调休上班的"
                        "周六、周日",
                        ds, names[calendar_weekday(day)]);
        return;
    }
    struct calendar_word note = calendar_rest(s, end);
    if (calendar_pnote(p, note) || p->year < 0)
        return;
    calendar_padd(p, day, CALENDAR_WORK, note.p, note.len);
}

static void calendar_pline(struct calendar_parser *p, const char *s,
                           const char *end)
{
    if ((size_t)(end - s) > CALENDAR_LINE_MAX) {
        calendar_perror(p, p->line, "这一行太长（最多 %d 字节）",
                        CALENDAR_LINE_MAX);
        return;
    }
    if (!calendar_utf8_ok((const unsigned char *)s, (size_t)(end - s))) {
        calendar_perror(p, p->line, "不是有效的 UTF-8 文本");
        return;
    }
    struct calendar_word w = calendar_next_word(&s, end);
    if (w.len == 0 || w.p[0] == '#')
        return;
    if (calendar_word_is(w, "year"))
        calendar_pyear(p, s, end);
    else if (calendar_word_is(w, "off"))
        calendar_poff(p, s, end);
    else if (calendar_word_is(w, "work"))
        calendar_pwork(p, s, end);
    else
        calendar_perror(p, p->line,
                        "不认识“%.*s”，每行应以 year、off 或 work 开头",
                        calendar_clip(w), w.p);
}

static int calendar_pday_cmp(const void *a, const void *b)
{
    const struct calendar_pday *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int calendar_perr_cmp(const void *a, const void *b)
{
    const struct calendar_perr *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

int calendar_parse(const char *text, size_t len, struct calendar *cal,
                   struct buf *errors)
{
    struct calendar_parser p = {0};
    const char *s = text, *end = text + len;
    p.cal = cal;
    if (len > CALENDAR_TEXT_MAX) {
        calendar_perror(&p, 0, "太大（最多 %zu 字节）", CALENDAR_TEXT_MAX);
        goto out;
    }
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *eol = nl ? nl : end;
        p.line++;
        calendar_pline(&p, s, eol > s && eol[-1] == '\r' ? eol - 1 : eol);
        s = nl ? nl + 1 : end;
    }
    if (p.nyear_lines == 0 && p.nerrs == 0)
        calendar_perror(&p, 0,
                        "没有 year 行，不知道是哪一年的安排（应写 year 年份 "
                        "通知文号）");
    if (p.ndays > 1)
        qsort(p.days, (size_t)p.ndays, sizeof(*p.days), calendar_pday_cmp);
    int last_line = 0;
    for (int i = 1; i < p.ndays; i++) {
        if (p.days[i].day != p.days[i - 1].day || p.days[i].line == last_line)
            continue;
        char ds[11];
        ymd_fmt(days_to_ymd(p.days[i].day), ds);
        last_line = p.days[i].line;
        calendar_perror(&p, p.days[i].line, "日期 %s 在第 %d 行已经出现", ds,
                        p.days[i - 1].line);
    }
    if (p.nerrs == 0) {
        char note[CALENDAR_NOTE_MAX + 1];
        for (int i = 0; i < p.ndays; i++) {
            memcpy(note, p.days[i].note, p.days[i].note_len);
            note[p.days[i].note_len] = '\0';
            calendar_set_day(cal, days_to_ymd(p.days[i].day), p.days[i].kind,
                             note);
        }
    }
out:
    if (p.nerrs > 1)
        qsort(p.errs, (size_t)p.nerrs, sizeof(*p.errs), calendar_perr_cmp);
    for (int i = 0; errors != NULL && i < p.nerrs; i++) {
        if (i == CALENDAR_MAX_ERRORS) {
            buf_printf(errors, "……另有 %d 处错误未列出\n",
                       p.nerrs - CALENDAR_MAX_ERRORS);
            break;
        }
        if (p.errs[i].line > 0)
            buf_printf(errors, "第 %d 行：%s\n", p.errs[i].line, p.errs[i].msg);
        else
            buf_printf(errors, "文件：%s\n", p.errs[i].msg);
    }
    int n = p.nerrs;
    free(p.errs);
    free(p.days);
    return n;
}

/* ---- printing ----------------------------------------------------------- */

/* Appends line without its trailing spaces, and a newline. */
static int calendar_put_line(struct buf *out, struct buf *line)
{
    while (line->len > 0 && line->ptr[line->len - 1] == ' ')
        line->len--;
    int rc = buf_append(out, line->ptr, line->len) || buf_putc(out, '\n');
    buf_reset(line);
    return rc ? -1 : 0;
}

static int calendar_format_month(const struct calendar *cal, int y, int m,
                                 struct buf *out, struct buf *line)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const char *const names[] = {"一", "二", "三", "四",
                                        "五", "六", "日"};
    int n = mdays[m - 1];
    struct ymd first = {y, m, 1};
    int rc = 0;
    if (m == 2 && ymd_valid((struct ymd){y, 2, 29}))
        n = 29;
    rc |= buf_printf(out, "\n%d年%d月\n", y, m);
    for (int i = 0; i < 7; i++)
        rc |= buf_printf(line, " %s   ", names[i]);
    rc |= calendar_put_line(out, line);
    int col = ymd_weekday(first);
    for (int i = 0; i < col; i++)
        rc |= buf_puts(line, "      ");
    for (int d = 1; d <= n; d++) {
        const struct calendar_day *o =
            calendar_day_find(cal, (struct ymd){y, m, d});
        const char *mark = "  ";
        if (o != NULL && o->kind == CALENDAR_OFF)
            mark = "休";
        else if (o != NULL && o->kind == CALENDAR_WORK && col >= 5)
            mark = "班";
        rc |= buf_printf(line, "%3d%s ", d, mark);
        if (++col == 7 || d == n) {
            rc |= calendar_put_line(out, line);
            col = 0;
        }
    }
    return rc ? -1 : 0;
}

int calendar_format_year(const struct calendar *cal, int y, struct buf *out)
{
    struct buf line;
    const struct calendar_year *e = calendar_year_find(cal, y);
    int rc = 0;
    buf_init(&line, 4096);
    if (e != NULL && e->published)
        rc |= buf_printf(out, "%d年节假日安排：%s\n", y, e->notice);
    else
        rc |=
            buf_printf(out, "%d年节假日安排：未公布（按周一至周五计算）\n", y);
    rc |= buf_puts(out, "休 = 放假，班 = 调休上班；未标注的周六、周日休息\n");
    for (int m = 1; m <= 12; m++)
        rc |= calendar_format_month(cal, y, m, out, &line);
    int64_t lo = ymd_to_days((struct ymd){y, 1, 1});
    int64_t hi = ymd_to_days((struct ymd){y, 12, 31});
    int i = calendar_day_index(cal, lo);
    if (i < cal->ndays && cal->days[i].day <= hi)
        rc |= buf_puts(out, "\n放假和调休：\n");
    while (i < cal->ndays && cal->days[i].day <= hi) {
        /* a run of consecutive dates of one kind and one note */
        int j = i;
        while (j + 1 < cal->ndays &&
               cal->days[j + 1].day == cal->days[j].day + 1 &&
               cal->days[j + 1].kind == cal->days[i].kind &&
               cal->days[j + 1].day <= hi &&
               strcmp(cal->days[j + 1].note, cal->days[i].note) == 0)
            j++;
        struct ymd a = days_to_ymd(cal->days[i].day);
        struct ymd b = days_to_ymd(cal->days[j].day);
        rc |= buf_printf(&line, "  %02d-%02d", a.m, a.d);
        if (j > i)
            rc |= buf_printf(&line, " 至 %02d-%02d", b.m, b.d);
        else
            rc |= buf_puts(&line, "         ");
        rc |= buf_printf(&line, "  %s  %s",
                         cal->days[i].kind == CALENDAR_OFF ? "休" : "班",
                         cal->days[i].note);
        rc |= calendar_put_line(out, &line);
        i = j + 1;
    }
    buf_free(&line);
    return rc ? -1 : 0;
}

int64_t calendar_work_ms(const struct calendar *cal, int64_t from_ms,
                         int64_t to_ms)
{
    const int64_t day_ms = 86400000;
    int64_t total = 0;
    if (to_ms <= from_ms)
        return 0;
    struct ymd d = ms_to_beijing(from_ms);
    int64_t day = ymd_to_days(d);
    int64_t start = beijing_midnight_ms(d);
    for (int n = 0; start < to_ms && n < CALENDAR_MAX_N; n++) {
        int64_t end = start + day_ms;
        if (calendar_is_workday(cal, days_to_ymd(day))) {
            int64_t a = from_ms > start ? from_ms : start;
            int64_t b = to_ms < end ? to_ms : end;
            if (b > a)
                total += b - a;
        }
        day++;
        start = end;
    }
    return total;
}
