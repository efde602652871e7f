/*
 * page_doc_out.c - the pages of 发文办理 beyond the generic case pages:
 *
 *     GET /doc_out/stats?from=&to=     signed in  figures of a period:
 *                                                 documents per step now,
 *                                                 average and 90th
 *                                                 percentile time per step,
 *                                                 overdue, by 文种 and unit
 *     GET /doc_out/stats/export        signed in  the same as Excel
 *     GET /doc_out/:id/receipts        signed in  the 回执 of one document
 *                                                 (linked from its page)
 *
 * The viewer's view throughout: documents they may not see do not count
 * and a document they may not see is 404.  The rules live in
 * modules/doc_out_stats.c; this file only shows them.
 */
#include <stdio.h>
#include <string.h>

#include "base/now.h"
#include "kernel/export.h"
#include "modules/doc_out.h"
#include "web/api.h"
#include "web/pages.h"

#define DOC_OUT_XLSX                                                           \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The period of ?from=&to= for a page: like the API's, but a mistake is
 * shown beside the field (errors) and the default period used.  */
static void page_doc_out_period(struct http_req *r, struct ymd *from,
                                struct ymd *to, json_t *errors)
{
    const char *qf = page_query(r, "from"), *qt = page_query(r, "to");
    struct ymd today = ms_to_beijing(now_ms());
    *from = (struct ymd){today.y, 1, 1};
    *to = (struct ymd){today.y, 12, 31};
    if (*qf && ymd_parse(qf, from)) {
        json_object_set_new(errors, "from", json_string("请写成 YYYY-MM-DD"));
        *from = (struct ymd){today.y, 1, 1};
    }
    if (*qt && ymd_parse(qt, to)) {
        json_object_set_new(errors, "to", json_string("请写成 YYYY-MM-DD"));
        *to = (struct ymd){today.y, 12, 31};
    }
    if (ymd_to_days(*from) > ymd_to_days(*to)) {
        json_object_set_new(errors, "to",
                            json_string("结束日期不能早于开始日期"));
        *to = *from;
    }
    if (ymd_to_days(*to) - ymd_to_days(*from) > 3660) {
        json_object_set_new(errors, "to", json_string("统计期间不能超过十年"));
        *to = days_to_ymd(ymd_to_days(*from) + 3660);
    }
}

static int page_doc_out_figures(struct http_req *r, struct ymd from,
                                struct ymd to, struct doc_out_figures *f,
                                struct err *e)
{
    return doc_out_stats(
        r->db, r->arena, &r->who, beijing_midnight_ms(from),
        beijing_midnight_ms(days_to_ymd(ymd_to_days(to) + 1)), f, e);
}

static const char *page_doc_out_hours(struct http_req *r, int64_t passes,
                                      double h)
{
    return passes > 0 ? arena_printf(r->arena, "%.1f", h) : "—";
}

static json_t *page_doc_out_counts(const struct doc_out_count *c, int n)
{
    json_t *l = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(l, json_pack("{s:s, s:I}", "label", c[i].label,
                                           "n", (json_int_t)c[i].n));
    return l;
}

int page_doc_out_stats(struct http_req *r)
{
    struct ymd from, to;
    struct doc_out_figures f;
    struct err e;
    char fs[11], ts[11];
    err_clear(&e);
    json_t *errors = json_object();
    page_doc_out_period(r, &from, &to, errors);
    if (page_doc_out_figures(r, from, to, &f, &e)) {
        json_decref(errors);
        page_fail(r, &e);
        return 0;
    }
    json_t *ctx = page_ctx(r, "发文统计", "发文办理", "/m/doc_out", NULL);
    json_t *steps = json_array();
    int64_t open = 0;
    for (int i = 0; i < f.nsteps; i++) {
        json_array_append_new(
            steps,
            json_pack("{s:s, s:I, s:I, s:s, s:s}", "label", f.steps[i].label,
                      "now", (json_int_t)f.steps[i].now, "passes",
                      (json_int_t)f.steps[i].passes, "avg",
                      page_doc_out_hours(r, f.steps[i].passes,
                                         f.steps[i].avg_hours),
                      "p90",
                      page_doc_out_hours(r, f.steps[i].passes,
                                         f.steps[i].p90_hours)));
        open += f.steps[i].now;
    }
    ymd_fmt(from, fs);
    ymd_fmt(to, ts);
    json_object_set_new(ctx, "f",
                        json_pack("{s:s, s:s}", "from", fs, "to", ts));
    json_object_set_new(ctx, "qs",
                        json_string(arena_printf(r->arena, "from=%s&to=%s",
                                                 fs, ts)));
    json_object_set_new(ctx, "errors", errors);
    json_object_set_new(ctx, "steps", steps);
    json_object_set_new(ctx, "total_now", json_integer(open));
    json_object_set_new(ctx, "overdue", json_integer(f.overdue));
    json_object_set_new(ctx, "types", page_doc_out_counts(f.types, f.ntypes));
    json_object_set_new(ctx, "units", page_doc_out_counts(f.units, f.nunits));
    http_reply_page(r, 200, "doc_out_stats.html", ctx);
    return 0;
}

int page_doc_out_stats_export(struct http_req *r)
{
    static const char *const headers[] = {"类别", "项目", "件数",
                                          "期间内办结次数", "平均用时（工作小时）",
                                          "90%用时（工作小时）"};
    struct ymd from, to;
    struct doc_out_figures f;
    struct err e;
    int fd;
    int64_t len;
    err_clear(&e);
    json_t *errors = json_object();
    page_doc_out_period(r, &from, &to, errors);
    json_decref(errors);
    if (page_doc_out_figures(r, from, to, &f, &e)) {
        page_fail(r, &e);
        return 0;
    }
    struct export_sheet *x = export_begin(NULL, "发文统计", headers, 6, &e);
    if (x == NULL) {
        page_fail(r, &e);
        return 0;
    }
    for (int i = 0; i < f.nsteps; i++) {
        const char *cells[] = {
            "环节",
            f.steps[i].label,
            arena_printf(r->arena, "%lld", (long long)f.steps[i].now),
            arena_printf(r->arena, "%lld", (long long)f.steps[i].passes),
            page_doc_out_hours(r, f.steps[i].passes, f.steps[i].avg_hours),
            page_doc_out_hours(r, f.steps[i].passes, f.steps[i].p90_hours)};
        export_row(x, cells);
    }
    {
        const char *cells[] = {
            "超期", "超过环节时限未办结",
            arena_printf(r->arena, "%lld", (long long)f.overdue), "", "", ""};
        export_row(x, cells);
    }
    for (int i = 0; i < f.ntypes; i++) {
        const char *cells[] = {
            "文种", f.types[i].label,
            arena_printf(r->arena, "%lld", (long long)f.types[i].n), "", "",
            ""};
        export_row(x, cells);
    }
    for (int i = 0; i < f.nunits; i++) {
        const char *cells[] = {
            "拟稿单位", f.units[i].label,
            arena_printf(r->arena, "%lld", (long long)f.units[i].n), "", "",
            ""};
        export_row(x, cells);
    }
    if (export_finish(x, &fd, &len, &e)) {
        page_fail(r, &e);
        return 0;
    }
    http_reply_fd(r, 200, DOC_OUT_XLSX, fd, len);
    /* 发文统计.xlsx */
    http_add_header(r, "Content-Disposition",
                    "attachment; filename=\"doc_out_stats.xlsx\"; "
                    "filename*=UTF-8''%E5%8F%91%E6%96%87%E7%BB%9F%E8%AE%A1"
                    ".xlsx");
    return 0;
}

int page_doc_out_receipts(struct http_req *r)
{
    struct case_view v;
    struct doc_out_receipt *rc;
    int n, signed_n = 0;
    struct err e;
    err_clear(&e);
    if (api_doc_out_receipts_load(r, &v, &rc, &n, &e)) {
        page_fail(r, &e);
        return 0;
    }
    const struct module_def *in = module_find("doc_in");
    json_t *rows = json_array();
    for (int i = 0; i < n; i++) {
        const struct state_def *st =
            in && rc[i].state ? module_state(in, rc[i].state) : NULL;
        json_t *o = json_pack(
            "{s:i, s:s, s:s, s:b, s:s, s:s}", "seq", i + 1, "unit",
            rc[i].unit_name[0] ? rc[i].unit_name : rc[i].unit, "state",
            st ? st->label : "", "signed", rc[i].signed_for, "by",
            rc[i].by_name ? rc[i].by_name : "", "when",
            rc[i].signed_for ? page_minute(r, rc[i].at_ms) : "");
        if (rc[i].case_id)
            json_object_set_new(
                o, "href",
                json_string(arena_printf(r->arena, "/cases/%lld",
                                         (long long)rc[i].case_id)));
        signed_n += rc[i].signed_for;
        json_array_append_new(rows, o);
    }
    const char *href =
        arena_printf(r->arena, "/cases/%lld", (long long)v.c.id);
    json_t *ctx = page_ctx(r, "回执", "发文办理", "/m/doc_out", v.c.title,
                           href, NULL);
    const char *mark =
        v.c.m->mark ? v.c.m->mark(r->arena, &v.c) : NULL;
    json_object_set_new(
        ctx, "doc",
        json_pack("{s:s, s:s, s:s, s:s}", "title", v.c.title, "number",
                  v.c.number ? v.c.number : "", "href", href, "mark",
                  mark ? mark : ""));
    json_object_set_new(ctx, "rows", rows);
    json_object_set_new(ctx, "count", json_integer(n));
    json_object_set_new(ctx, "signed_count", json_integer(signed_n));
    json_object_set_new(ctx, "waiting", json_integer(n - signed_n));
    http_reply_page(r, 200, "doc_out_receipts.html", ctx);
    return 0;
}
