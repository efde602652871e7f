/*
 * page_calendar.c - the working-day calendar (工作日历) for the system
 * administrator: the years known with their notices, one year's twelve
 * month grids (休 a rest day the calendar gives, 班 a weekend day worked,
 * weekends grey, today outlined; prints as A4), the list of that year's
 * arrangements, and the form that imports a year or an amendment in the
 * text format of base/calendar.h.  The kernel (calendar_store.c) checks the
 * permission, validates, writes in one transaction, audits and recomputes
 * the open clocks; this file only shows and forwards.
 *
 *     GET  /admin/calendar?year=YYYY   sysadmin   years, grids (default:
 *                                                 this year), import form
 *     POST /admin/calendar/import      sysadmin   text field "text" or file
 *                                                 "file" (the file wins);
 *                                                 303 /admin/calendar?year=
 *                                                 the first year imported,
 *                                                 or the form again with
 *                                                 each "第 N 行：…" listed
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/calendar.h"
#include "base/now.h"
#include "kernel/calendar_store.h"
#include "web/common.h"
#include "web/pages.h"

#define PAGE_CALENDAR_TEXT_MAX (256 * 1024) /* bytes of an imported text */
#define PAGE_CALENDAR_FLASH_MAX 540         /* bytes of the notice */
#define PAGE_CALENDAR_YEAR_MIN 1900
#define PAGE_CALENDAR_YEAR_MAX 9999

static const char page_calendar_unpublished[] = "未公布（按周一至周五计算）";
static const char *const page_calendar_weekdays[] = {"一", "二", "三", "四",
                                                     "五", "六", "日"};

enum { CI_TEXT, CI_YEAR };
static const struct input_field page_calendar_import_in[] = {
    {"text", IN_TEXT, 0, PAGE_CALENDAR_TEXT_MAX, "节假日安排", 0},
    {"year", IN_INT, 0, PAGE_CALENDAR_YEAR_MAX, "年份", PAGE_CALENDAR_YEAR_MIN},
    {0},
};

static void page_calendar_release(void *cal)
{
    calendar_free(cal);
}

static void page_calendar_buf_release(void *b)
{
    buf_free(b);
}

static int page_calendar_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int page_calendar_month_len(int y, int m)
{
    struct ymd next =
        m == 12 ? (struct ymd){y + 1, 1, 1} : (struct ymd){y, m + 1, 1};
    return (int)(ymd_to_days(next) - ymd_to_days((struct ymd){y, m, 1}));
}

/* The years to list: those of the calendar, this year and the next, and
 * the year shown, each once, in order; [{year, notice, published,
 * selected}]. */
static json_t *page_calendar_years(struct http_req *r,
                                   const struct calendar *cal, int shown,
                                   int this_year)
{
    int n = 0;
    int *ys = arena_alloc(r->arena, sizeof(int) * (size_t)(cal->nyears + 3));
    for (int i = 0; i < cal->nyears; i++)
        ys[n++] = cal->years[i].year;
    ys[n++] = this_year;
    ys[n++] = this_year + 1;
    ys[n++] = shown;
    qsort(ys, (size_t)n, sizeof(int), page_calendar_cmp_int);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        if (i > 0 && ys[i] == ys[i - 1])
            continue;
        const struct calendar_year *cy = calendar_year_find(cal, ys[i]);
        int published = calendar_year_published(cal, ys[i]);
        const char *notice = published && cy && cy->notice[0]
                                 ? cy->notice
                                 : page_calendar_unpublished;
        json_array_append_new(list,
                              json_pack("{s:i, s:s, s:b, s:b}", "year", ys[i],
                                        "notice", notice, "published",
                                        published, "selected", ys[i] == shown));
    }
    return list;
}

/* One month as weeks of seven cells, Monday first: {name, weeks [{days
 * [{day, date, cls, mark, tip, today}]}]}; day 0 for the blanks. */
static json_t *page_calendar_month(struct http_req *r,
                                   const struct calendar *cal, int y, int m,
                                   struct ymd today)
{
    int len = page_calendar_month_len(y, m);
    int lead = ymd_weekday((struct ymd){y, m, 1});
    json_t *weeks = json_array(), *days = NULL;
    for (int cell = 0; cell < lead + len || cell % 7 != 0; cell++) {
        if (cell % 7 == 0) {
            days = json_array();
            json_array_append_new(weeks, json_pack("{s:o}", "days", days));
        }
        int d = cell - lead + 1;
        if (d < 1 || d > len) {
            json_array_append_new(days, json_pack("{s:i}", "day", 0));
            continue;
        }
        struct ymd ymd = {y, m, d};
        int wd = ymd_weekday(ymd);
        int weekend = wd >= 5;
        const struct calendar_day *o = calendar_day_find(cal, ymd);
        int off = o && o->kind == CALENDAR_OFF;
        int work = o && o->kind == CALENDAR_WORK;
        int is_today = y == today.y && m == today.m && d == today.d;
        char date[11];
        ymd_fmt(ymd, date);
        const char *cls = arena_printf(
            r->arena, "%s%s%s%s", weekend && !work ? " we" : "",
            off ? " off" : "", work ? " wk" : "", is_today ? " today" : "");
        const char *tip = "";
        if (off || work)
            tip =
                arena_printf(r->arena, "%d月%d日 星期%s %s%s%s", m, d,
                             page_calendar_weekdays[wd], o->note,
                             o->note[0] ? " " : "", off ? "放假" : "调休上班");
        const char *mark = off ? "休" : "";
        if (work)
            mark = "班";
        json_array_append_new(days, json_pack("{s:i, s:s, s:s, s:s, s:s, s:b}",
                                              "day", d, "date", date, "cls",
                                              *cls ? cls + 1 : "", "mark", mark,
                                              "tip", tip, "today", is_today));
    }
    return json_pack("{s:s, s:o}", "name", arena_printf(r->arena, "%d月", m),
                     "weeks", weeks);
}

/* The year's overrides as runs of consecutive days of one kind and note:
 * [{from, to, single, weekday, kind, note, days}]; counts in *noff and
 * *nwork. */
static json_t *page_calendar_runs(const struct calendar *cal, int y, int *noff,
                                  int *nwork)
{
    json_t *list = json_array();
    int64_t first = ymd_to_days((struct ymd){y, 1, 1});
    int64_t last = ymd_to_days((struct ymd){y, 12, 31});
    *noff = *nwork = 0;
    for (int64_t day = first; day <= last; day++) {
        const struct calendar_day *o = calendar_day_find(cal, days_to_ymd(day));
        if (o == NULL)
            continue;
        int64_t end = day;
        for (;;) {
            const struct calendar_day *n =
                end < last ? calendar_day_find(cal, days_to_ymd(end + 1))
                           : NULL;
            if (n == NULL || n->kind != o->kind || strcmp(n->note, o->note))
                break;
            end++;
        }
        int count = (int)(end - day + 1);
        if (o->kind == CALENDAR_OFF)
            *noff += count;
        else
            *nwork += count;
        char from[11], to[11];
        ymd_fmt(days_to_ymd(day), from);
        ymd_fmt(days_to_ymd(end), to);
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:i}", "from", from, "to",
                      to, "single", count == 1, "weekday",
                      page_calendar_weekdays[ymd_weekday(days_to_ymd(day))],
                      "kind", o->kind == CALENDAR_OFF ? "放假" : "调休上班",
                      "note", o->note, "days", count));
        day = end;
    }
    return list;
}

/* The page of year y; extra (may be NULL, decref'd) carries the typed
 * form, its errors, the error lines and an alert. */
static void page_calendar_page(struct http_req *r, int status, int y,
                               json_t *extra)
{
    struct calendar *cal = NULL;
    struct err e;
    err_clear(&e);
    if (calendar_load(r->db, &cal) != 0) {
        json_decref(extra);
        err_set(&e, 500, "db", "读取工作日历失败，请稍后重试");
        page_fail(r, &e);
        return;
    }
    arena_defer(r->arena, page_calendar_release, cal);
    struct ymd today = ms_to_beijing(now_ms());
    if (y == 0)
        y = today.y;

    json_t *ctx = page_ctx(r, "工作日历", NULL);
    json_t *months = json_array();
    for (int m = 1; m <= 12; m++)
        json_array_append_new(months, page_calendar_month(r, cal, y, m, today));
    int noff, nwork, workdays = 0;
    json_t *runs = page_calendar_runs(cal, y, &noff, &nwork);
    int64_t first = ymd_to_days((struct ymd){y, 1, 1});
    int64_t last = ymd_to_days((struct ymd){y, 12, 31});
    for (int64_t day = first; day <= last; day++)
        workdays += calendar_is_workday(cal, days_to_ymd(day));

    const struct calendar_year *cy = calendar_year_find(cal, y);
    int published = calendar_year_published(cal, y);
    json_t *shown = json_pack(
        "{s:i, s:s, s:b, s:o, s:o, s:i, s:i, s:i}", "year", y, "notice",
        published && cy && cy->notice[0] ? cy->notice
                                         : page_calendar_unpublished,
        "published", published, "months", months, "runs", runs, "off", noff,
        "work", nwork, "workdays", workdays);
    if (y > PAGE_CALENDAR_YEAR_MIN)
        json_object_set_new(shown, "prev", json_integer(y - 1));
    if (y < PAGE_CALENDAR_YEAR_MAX)
        json_object_set_new(shown, "next", json_integer(y + 1));
    json_object_set_new(ctx, "cal", shown);
    json_object_set_new(ctx, "years", page_calendar_years(r, cal, y, today.y));
    json_object_set_new(ctx, "form", json_object());
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "calendar.html", ctx);
}

int page_calendar(struct http_req *r)
{
    const char *q = http_query(r, "year");
    long y = 0;
    if (q != NULL && *q != '\0') {
        char *end;
        y = strtol(q, &end, 10);
        if (*end != '\0' || y < PAGE_CALENDAR_YEAR_MIN ||
            y > PAGE_CALENDAR_YEAR_MAX) {
            struct err e;
            err_clear(&e);
            err_set(&e, 400, "invalid", "年份应为 1900 至 9999 之间的数字");
            page_fail(r, &e);
            return 0;
        }
    }
    page_calendar_page(r, 200, (int)y, NULL);
    return 0;
}

/* The notice after an import: "已导入节假日安排：" and the report's lines
 * joined with "；", whole lines only, within the flash cookie's size. */
static const char *page_calendar_done_msg(struct http_req *r, const char *rep,
                                          size_t len)
{
    struct buf b;
    const char *msg;
    int left = 0;
    buf_init(&b, PAGE_CALENDAR_FLASH_MAX + 64);
    buf_puts(&b, "已导入节假日安排：");
    size_t head = b.len;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(rep + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - rep) - i : len - i;
        if (n > 0) {
            if (left > 0 || b.len + n + 3 > PAGE_CALENDAR_FLASH_MAX)
                left++;
            else if ((b.len > head && buf_puts(&b, "；")) ||
                     buf_append(&b, rep + i, n))
                left++;
        }
        i += n + 1;
    }
    if (left > 0)
        msg = arena_printf(r->arena, "%s；另有 %d 年，请在年份列表中查看",
                           b.ptr, left);
    else
        msg = arena_strdup(r->arena, b.ptr);
    buf_free(&b);
    return msg;
}

int page_calendar_import(struct http_req *r)
{
    struct input_value v[2];
    struct buf *report = arena_alloc(r->arena, sizeof(*report));
    struct err e;
    err_clear(&e);
    buf_init(report, 1 << 20);
    arena_defer(r->arena, page_calendar_buf_release, report);

    const struct http_file *file = http_file(r, "file");
    const char *typed = http_form(r, "text"); /* untrimmed: line numbers */
    const char *text = NULL;
    size_t len = 0;
    int year = 0;
    if (input_read(r, page_calendar_import_in, v, &e) == 0) {
        if (v[CI_YEAR].present)
            year = (int)v[CI_YEAR].num;
        if (file != NULL && file->len > 0) {
            text = file->data;
            len = file->len;
            if (len > PAGE_CALENDAR_TEXT_MAX)
                err_field(&e, "file", "文件太大：节假日安排文件不超过 256 KB");
        } else if (typed != NULL && strspn(typed, " \t\r\n") < strlen(typed)) {
            text = typed;
            len = strlen(typed);
        } else {
            err_field(&e, "text", "请填写节假日安排，或选择要导入的文件");
        }
    }
    if (!err_isset(&e))
        calendar_import(r->db, &r->who, text, len, report, &e);
    if (err_isset(&e)) {
        if (e.status == 403) {
            page_fail(r, &e);
            return 0;
        }
        json_t *extra = json_object();
        json_object_set_new(
            extra, "errors",
            page_form_errors(r, page_calendar_import_in, &e, extra));
        json_t *form = page_form_values(r);
        /* a file with mistakes: its text goes to the box, to mend there */
        if ((typed == NULL || *typed == '\0') && file != NULL &&
            file->len > 0 && file->len <= PAGE_CALENDAR_TEXT_MAX &&
            input_utf8_ok(file->data, file->len)) {
            json_t *s = json_stringn(file->data, file->len);
            if (s != NULL) {
                json_object_set_new(form, "text", s);
                json_object_set_new(
                    extra, "from_file",
                    json_string(file->filename ? file->filename : ""));
            }
        }
        json_object_set_new(extra, "form", form);
        json_t *lines = json_array();
        for (size_t i = 0; e.status == 400 && i < report->len;) {
            const char *nl = memchr(report->ptr + i, '\n', report->len - i);
            size_t n = nl ? (size_t)(nl - report->ptr) - i : report->len - i;
            json_t *s = n > 0 ? json_stringn(report->ptr + i, n) : NULL;
            if (s != NULL)
                json_array_append_new(lines, s);
            i += n + 1;
        }
        json_object_set_new(extra, "lines", lines);
        json_object_set_new(extra, "open_form", json_true());
        page_calendar_page(r, e.status == 400 ? 400 : 500, year, extra);
        return 0;
    }
    long first = report->len > 0 ? strtol(report->ptr, NULL, 10) : 0;
    const char *to =
        first >= PAGE_CALENDAR_YEAR_MIN && first <= PAGE_CALENDAR_YEAR_MAX
            ? arena_printf(r->arena, "/admin/calendar?year=%ld", first)
            : "/admin/calendar";
    page_done(r, to, page_calendar_done_msg(r, report->ptr, report->len));
    return 0;
}
