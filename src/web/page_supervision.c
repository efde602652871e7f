/*
 * page_supervision.c - the pages of 督查督办 beyond the generic case pages:
 * the figures with a bar chart, the monthly bulletin (通报) and the ledger
 * (台账), each printable (the print stylesheet) and exportable to Excel.
 * The figures and rows come from modules/supervision.h; this file only
 * renders them.
 *
 *     GET /supervision/stats?from=&to=        signed in  figures + chart
 *     GET /supervision/bulletin?month=YYYY-MM signed in  通报: units ranked
 *                                                        by 按期办结率, the
 *                                                        late and overdue
 *     GET /supervision/bulletin/export?month=&part=ranking|late
 *     GET /supervision/ledger?source=         signed in  台账 of a source
 *     GET /supervision/ledger/export?source=
 *
 * The chart is SVG drawn here: its geometry is computed below and its
 * labels go through the template engine's escaping like any text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/export.h"
#include "modules/supervision.h"
#include "web/api.h"
#include "web/pages.h"

#define SUP_XLSX                                                               \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---- shared ---- */

/* "66.7%" of a rate, "—" when nothing was due. */
static const char *page_sup_rate(struct arena *a, double rate)
{
    return rate < 0 ? "—" : arena_printf(a, "%.1f%%", rate * 100);
}

static const char *page_sup_unit_name(const struct unit *u, int n,
                                      const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(u[i].code, code) == 0)
            return u[i].short_name && *u[i].short_name ? u[i].short_name
                                                       : u[i].name;
    return code;
}

static json_t *page_sup_row(struct arena *a,
                            const struct supervision_figures *f,
                            const char *name)
{
    return json_pack(
        "{s:s, s:i, s:i, s:i, s:i, s:s, s:s, s:i}", "unit", name, "due", f->due,
        "on_time", f->on_time, "late", f->late, "overdue_open", f->overdue_open,
        "rate", page_sup_rate(a, f->on_time_rate), "avg_days_late",
        arena_printf(a, "%.1f", f->avg_days_late), "urge_count", f->urge_count);
}

/* Sends the finished workbook of x as filename (ASCII) / cn (UTF-8,
 * percent-encoded by the caller). */
static void page_sup_send_xlsx(struct http_req *r, struct export_sheet *x,
                               const char *filename, const char *cn_encoded)
{
    int fd;
    int64_t len;
    struct err e;
    err_clear(&e);
    if (export_finish(x, &fd, &len, &e)) {
        page_fail(r, &e);
        return;
    }
    http_reply_fd(r, 200, SUP_XLSX, fd, len);
    http_add_header(r, "Content-Disposition",
                    arena_printf(r->arena,
                                 "attachment; filename=\"%s\"; "
                                 "filename*=UTF-8''%s",
                                 filename, cn_encoded));
}

static int page_sup_rank_cmp(const void *x, const void *y)
{
    const struct supervision_figures *a = x, *b = y;
    if (a->on_time_rate != b->on_time_rate)
        return a->on_time_rate < b->on_time_rate ? 1 : -1;
    if (a->due != b->due)
        return b->due - a->due;
    return strcmp(a->unit, b->unit);
}

/* ---- the figures and their chart ---- */

#define CHART_LABEL_W 150
#define CHART_BAR_W 400
#define CHART_ROW_H 26

/* Bars of the on-time rate per unit: [{label, y, ty, w, value, cls}]. */
static json_t *page_sup_chart(struct arena *a,
                              const struct supervision_figures *f, int n,
                              const struct unit *units, int nunits, int *h)
{
    json_t *bars = json_array();
    int row = 0;
    for (int i = 0; i < n; i++) {
        if (f[i].due == 0)
            continue;
        int w = (int)(f[i].on_time_rate * CHART_BAR_W + 0.5);
        const char *cls = f[i].on_time_rate >= 0.9   ? "bar-good"
                          : f[i].on_time_rate >= 0.6 ? "bar-fair"
                                                     : "bar-poor";
        json_array_append_new(
            bars, json_pack("{s:s, s:i, s:i, s:i, s:i, s:s, s:s}", "label",
                            page_sup_unit_name(units, nunits, f[i].unit), "y",
                            row * CHART_ROW_H + 4, "ty", row * CHART_ROW_H + 19,
                            "w", w, "vx", CHART_LABEL_W + CHART_BAR_W + 6, "value",
                            page_sup_rate(a, f[i].on_time_rate), "cls", cls));
        row++;
    }
    *h = row * CHART_ROW_H + 8;
    return bars;
}

int page_supervision_stats(struct http_req *r)
{
    struct ymd from, to;
    struct supervision_figures *f, total;
    struct unit *units;
    int n, nunits, h;
    struct err e;
    err_clear(&e);
    const char *qf = page_query(r, "from"), *qt = page_query(r, "to");
    struct ymd today = ms_to_beijing(now_ms());
    from = (struct ymd){today.y, 1, 1};
    to = (struct ymd){today.y, 12, 31};
    json_t *errors = json_object();
    if (*qf && ymd_parse(qf, &from))
        json_object_set_new(errors, "from", json_string("请写成 YYYY-MM-DD"));
    if (*qt && ymd_parse(qt, &to))
        json_object_set_new(errors, "to", json_string("请写成 YYYY-MM-DD"));
    if (ymd_to_days(from) > ymd_to_days(to)) {
        json_object_set_new(errors, "to",
                            json_string("结束日期不能早于开始日期"));
        to = from;
    }
    if (supervision_stats(r->db, &r->who, r->arena, from, to, &f, &n, &total,
                          &e) ||
        org_unit_list(r->db, r->arena, &units, &nunits, &e)) {
        json_decref(errors);
        page_fail(r, &e);
        return 0;
    }
    json_t *ctx = page_ctx(r, "督办统计", NULL);
    json_t *rows = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            rows, page_sup_row(r->arena, &f[i],
                               page_sup_unit_name(units, nunits, f[i].unit)));
    char fs[11], ts[11];
    ymd_fmt(from, fs);
    ymd_fmt(to, ts);
    json_object_set_new(ctx, "f",
                        json_pack("{s:s, s:s}", "from", fs, "to", ts));
    json_object_set_new(ctx, "errors", errors);
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "total", page_sup_row(r->arena, &total, "合计"));
    json_object_set_new(ctx, "bars",
                        page_sup_chart(r->arena, f, n, units, nunits, &h));
    json_object_set_new(ctx, "chart",
                        json_pack("{s:i, s:i, s:i, s:i, s:i}", "w",
                                  CHART_LABEL_W + CHART_BAR_W + 70, "h", h,
                                  "lx", CHART_LABEL_W - 6, "bx", CHART_LABEL_W,
                                  "full", CHART_BAR_W));
    http_reply_page(r, 200, "supervision_stats.html", ctx);
    return 0;
}

/* ---- the bulletin (通报) ---- */

/* The month of ?month=YYYY-MM (default: last month), as [from, to]. */
static int page_sup_month(struct http_req *r, struct ymd *from, struct ymd *to,
                          char label[32])
{
    const char *m = page_query(r, "month");
    struct ymd today = ms_to_beijing(now_ms());
    int y = today.m == 1 ? today.y - 1 : today.y;
    int mo = today.m == 1 ? 12 : today.m - 1;
    if (*m) {
        char *end;
        long yy = strtol(m, &end, 10), mm;
        if (end != m + 4 || *end != '-')
            return -1;
        mm = strtol(end + 1, &end, 10);
        if (*end || yy < 1900 || yy > 9999 || mm < 1 || mm > 12)
            return -1;
        y = (int)yy;
        mo = (int)mm;
    }
    *from = (struct ymd){y, mo, 1};
    struct ymd next =
        mo == 12 ? (struct ymd){y + 1, 1, 1} : (struct ymd){y, mo + 1, 1};
    *to = days_to_ymd(ymd_to_days(next) - 1);
    snprintf(label, 32, "%d年%d月", y, mo);
    return 0;
}

/* The bulletin's figures: units ranked (in a) and the late items. */
static int page_sup_bulletin_data(struct http_req *r, struct ymd from,
                                  struct ymd to, struct supervision_figures **f,
                                  int *n, struct supervision_figures *total,
                                  struct supervision_late_item **late,
                                  int *nlate, struct err *e)
{
    if (supervision_stats(r->db, &r->who, r->arena, from, to, f, n, total, e) ||
        supervision_late_items(r->db, &r->who, r->arena, from, to, late, nlate,
                               e))
        return -1;
    qsort(*f, (size_t)*n, sizeof(**f), page_sup_rank_cmp);
    return 0;
}

int page_supervision_bulletin(struct http_req *r)
{
    struct ymd from, to;
    struct supervision_figures *f, total;
    struct supervision_late_item *late;
    struct unit *units;
    int n, nlate, nunits;
    char label[32], month[16];
    struct err e;
    err_clear(&e);
    if (page_sup_month(r, &from, &to, label)) {
        err_field(&e, "month", "月份应写成 YYYY-MM");
        page_fail(r, &e);
        return 0;
    }
    if (page_sup_bulletin_data(r, from, to, &f, &n, &total, &late, &nlate,
                               &e) ||
        org_unit_list(r->db, r->arena, &units, &nunits, &e)) {
        page_fail(r, &e);
        return 0;
    }
    const char *title = arena_printf(r->arena, "%s督办事项办理情况通报", label);
    json_t *ctx = page_ctx(r, title, "督办统计", "/supervision/stats", NULL);
    json_t *rows = json_array();
    int rank = 0;
    for (int i = 0; i < n; i++) {
        if (f[i].due == 0)
            continue;
        json_t *row = page_sup_row(
            r->arena, &f[i], page_sup_unit_name(units, nunits, f[i].unit));
        json_object_set_new(row, "rank", json_integer(++rank));
        json_array_append_new(rows, row);
    }
    json_t *items = json_array();
    for (int i = 0; i < nlate; i++) {
        char due[32];
        ymd_fmt_cn(late[i].due, due);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                             (json_int_t)late[i].id, "number", late[i].number,
                             "title", late[i].title, "unit",
                             page_sup_unit_name(units, nunits, late[i].unit),
                             "due", due, "kind",
                             late[i].overdue_open ? "超期未办结" : "逾期办结",
                             "days", (json_int_t)late[i].days_late));
    }
    snprintf(month, sizeof(month), "%04d-%02d", from.y % 10000, from.m);
    json_object_set_new(ctx, "heading", json_string(title));
    json_object_set_new(ctx, "month", json_string(month));
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "total", page_sup_row(r->arena, &total, "合计"));
    json_object_set_new(ctx, "items", items);
    http_reply_page(r, 200, "supervision_bulletin.html", ctx);
    return 0;
}

int page_supervision_bulletin_export(struct http_req *r)
{
    static const char *const rank_headers[] = {
        "排名",       "单位",       "到期事项",       "按期办结", "逾期办结",
        "超期未办结", "按期办结率", "平均逾期工作日", "催办次数"};
    static const char *const late_headers[] = {
        "序号",     "编号", "事项名称",  "牵头单位",
        "办结时限", "类别", "逾期工作日"};
    struct ymd from, to;
    struct supervision_figures *f, total;
    struct supervision_late_item *late;
    struct unit *units;
    int n, nlate, nunits;
    char label[32];
    struct err e;
    err_clear(&e);
    int want_late = strcmp(page_query(r, "part"), "late") == 0;
    if (page_sup_month(r, &from, &to, label)) {
        err_field(&e, "month", "月份应写成 YYYY-MM");
        page_fail(r, &e);
        return 0;
    }
    if (page_sup_bulletin_data(r, from, to, &f, &n, &total, &late, &nlate,
                               &e) ||
        org_unit_list(r->db, r->arena, &units, &nunits, &e)) {
        page_fail(r, &e);
        return 0;
    }
    struct export_sheet *x =
        want_late ? export_begin(NULL, "逾期事项", late_headers, 7, &e)
                  : export_begin(NULL, "按期办结率排名", rank_headers, 9, &e);
    if (x == NULL) {
        page_fail(r, &e);
        return 0;
    }
    int rank = 0;
    for (int i = 0; !want_late && i < n; i++) {
        if (f[i].due == 0)
            continue;
        const char *cells[] = {
            arena_printf(r->arena, "%d", ++rank),
            page_sup_unit_name(units, nunits, f[i].unit),
            arena_printf(r->arena, "%d", f[i].due),
            arena_printf(r->arena, "%d", f[i].on_time),
            arena_printf(r->arena, "%d", f[i].late),
            arena_printf(r->arena, "%d", f[i].overdue_open),
            page_sup_rate(r->arena, f[i].on_time_rate),
            arena_printf(r->arena, "%.1f", f[i].avg_days_late),
            arena_printf(r->arena, "%d", f[i].urge_count)};
        export_row(x, cells);
    }
    for (int i = 0; want_late && i < nlate; i++) {
        char due[32];
        ymd_fmt_cn(late[i].due, due);
        const char *cells[] = {
            arena_printf(r->arena, "%d", i + 1),
            late[i].number,
            late[i].title,
            page_sup_unit_name(units, nunits, late[i].unit),
            due,
            late[i].overdue_open ? "超期未办结" : "逾期办结",
            arena_printf(r->arena, "%lld", (long long)late[i].days_late)};
        export_row(x, cells);
    }
    /* 督办通报.xlsx */
    page_sup_send_xlsx(r, x, "bulletin.xlsx",
                       "%E7%9D%A3%E5%8A%9E%E9%80%9A%E6%8A%A5.xlsx");
    return 0;
}

/* ---- the ledger (台账) ---- */

static const struct choice_def *page_sup_source(const char *code)
{
    const struct field_def *fd = module_field(&supervision_module, "source");
    for (const struct choice_def *c = fd ? fd->choices : NULL; c && c->code;
         c++)
        if (strcmp(c->code, code) == 0)
            return c;
    return NULL;
}

int page_supervision_ledger(struct http_req *r)
{
    struct supervision_ledger_row *rows;
    int n;
    struct err e;
    err_clear(&e);
    const char *source = page_query(r, "source");
    const struct choice_def *src = *source ? page_sup_source(source) : NULL;
    if (*source && src == NULL) {
        err_field(&e, "source", "没有这种来源");
        page_fail(r, &e);
        return 0;
    }
    if (supervision_ledger(r->db, &r->who, r->arena, source, &rows, &n, &e)) {
        page_fail(r, &e);
        return 0;
    }
    const char *title =
        src ? arena_printf(r->arena, "%s督办事项台账", src->label)
            : "督办事项台账";
    json_t *ctx = page_ctx(r, title, "督办统计", "/supervision/stats", NULL);
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            list,
            json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                      "s:s}",
                      "seq", i + 1, "id", (json_int_t)rows[i].id, "number",
                      rows[i].number, "title", rows[i].title, "lead_unit",
                      rows[i].lead_unit, "leader", rows[i].leader, "co_units",
                      rows[i].co_units, "deadline", rows[i].deadline,
                      "progress", rows[i].progress, "state", rows[i].state,
                      "light", rows[i].light));
    json_t *sources = json_array();
    const struct field_def *fd = module_field(&supervision_module, "source");
    json_array_append_new(sources,
                          json_pack("{s:s, s:s, s:b}", "value", "", "label",
                                    "全部来源", "selected", *source == '\0'));
    for (const struct choice_def *c = fd->choices; c->code; c++)
        json_array_append_new(sources,
                              json_pack("{s:s, s:s, s:b}", "value", c->code,
                                        "label", c->label, "selected",
                                        strcmp(c->code, source) == 0));
    json_object_set_new(ctx, "heading", json_string(title));
    json_object_set_new(ctx, "source", json_string(source));
    json_object_set_new(ctx, "sources", sources);
    json_object_set_new(ctx, "rows", list);
    json_object_set_new(ctx, "count", json_integer(n));
    http_reply_page(r, 200, "supervision_ledger.html", ctx);
    return 0;
}

int page_supervision_ledger_export(struct http_req *r)
{
    static const char *const headers[] = {"序号",     "任务内容", "牵头单位",
                                          "责任领导", "协办单位", "完成时限",
                                          "进展情况", "状态"};
    struct supervision_ledger_row *rows;
    int n;
    struct err e;
    err_clear(&e);
    const char *source = page_query(r, "source");
    if (*source && page_sup_source(source) == NULL) {
        err_field(&e, "source", "没有这种来源");
        page_fail(r, &e);
        return 0;
    }
    if (supervision_ledger(r->db, &r->who, r->arena, source, &rows, &n, &e)) {
        page_fail(r, &e);
        return 0;
    }
    struct export_sheet *x = export_begin(NULL, "督办事项台账", headers, 8, &e);
    if (x == NULL) {
        page_fail(r, &e);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *cells[] = {arena_printf(r->arena, "%d", i + 1),
                               rows[i].title,
                               rows[i].lead_unit,
                               rows[i].leader,
                               rows[i].co_units,
                               rows[i].deadline,
                               rows[i].progress,
                               rows[i].state};
        export_row(x, cells);
    }
    /* 督办事项台账.xlsx */
    page_sup_send_xlsx(r, x, "ledger.xlsx",
                       "%E7%9D%A3%E5%8A%9E%E4%BA%8B%E9%A1%B9%E5%8F%B0%E8%B4%A6"
                       ".xlsx");
    return 0;
}
