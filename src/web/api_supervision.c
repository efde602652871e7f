/*
 * api_supervision.c - the JSON API of 督查督办 beyond the generic case API
 * (GET/POST /api/v1/cases..., which serves the items themselves):
 *
 *     GET  /api/v1/supervision/stats?from=YYYY-MM-DD&to=YYYY-MM-DD
 *                                  signed in   the figures of a period
 *     POST /api/v1/supervision/import[?title=T]
 *                                  clerk       a work report's task list:
 *                                              multipart (field "file",
 *                                              optional "title") or a
 *                                              text/csv body
 *
 * Figures: {"units":[{"unit","unit_name","due","on_time","late",
 * "overdue_open","avg_days_late","urge_count","on_time_rate"}],
 * "total":{the same without unit}} with on_time_rate a fraction (null
 * when nothing came due) and avg_days_late in working days; the rules are
 * in modules/supervision.h.  The caller's view: items they may not see do
 * not count.
 */
#include <math.h>
#include <string.h>

#include "modules/supervision.h"
#include "web/api.h"

/* The period of ?from=&to= (default: this Beijing year).  0, or -1 with
 * the reply set. */
int api_supervision_period_or_reply(struct http_req *r, struct ymd *from,
                                    struct ymd *to)
{
    struct err e;
    const char *f = http_query(r, "from"), *t = http_query(r, "to");
    struct ymd today = ms_to_beijing(now_ms());
    err_clear(&e);
    *from = (struct ymd){today.y, 1, 1};
    *to = (struct ymd){today.y, 12, 31};
    if (f && *f && ymd_parse(f, from))
        err_field(&e, "from", "开始日期应写成 YYYY-MM-DD");
    if (t && *t && ymd_parse(t, to))
        err_field(&e, "to", "结束日期应写成 YYYY-MM-DD");
    if (!err_isset(&e) && ymd_to_days(*from) > ymd_to_days(*to))
        err_field(&e, "to", "结束日期不能早于开始日期");
    if (!err_isset(&e) && ymd_to_days(*to) - ymd_to_days(*from) > 3660)
        err_field(&e, "to", "统计期间不能超过十年");
    if (err_isset(&e)) {
        http_reply_err(r, &e);
        return -1;
    }
    return 0;
}

/* v rounded to `places` decimals (the double nearest that decimal). */
static double api_supervision_round(double v, int places)
{
    double k = places == 2 ? 100 : 10000;
    return round(v * k) / k;
}

/* One entry of the figures as JSON. */
json_t *api_supervision_figures_json(const struct supervision_figures *f,
                                     const char *unit_name)
{
    json_t *o = json_object();
    if (f->unit) {
        json_object_set_new(o, "unit", json_string(f->unit));
        json_object_set_new(o, "unit_name",
                            json_string(unit_name ? unit_name : f->unit));
    }
    json_object_set_new(o, "due", json_integer(f->due));
    json_object_set_new(o, "on_time", json_integer(f->on_time));
    json_object_set_new(o, "late", json_integer(f->late));
    json_object_set_new(o, "overdue_open", json_integer(f->overdue_open));
    json_object_set_new(o, "avg_days_late",
                        json_real(api_supervision_round(f->avg_days_late, 2)));
    json_object_set_new(o, "urge_count", json_integer(f->urge_count));
    json_object_set_new(o, "on_time_rate",
                        f->on_time_rate < 0 ? json_null()
                                            : json_real(api_supervision_round(
                                                  f->on_time_rate, 4)));
    return o;
}

int api_supervision_stats(struct http_req *r)
{
    struct ymd from, to;
    struct supervision_figures *units, total;
    struct unit *all;
    int n, nall;
    struct err e;
    err_clear(&e);
    if (api_supervision_period_or_reply(r, &from, &to))
        return 0;
    if (supervision_stats(r->db, &r->who, r->arena, from, to, &units, &n,
                          &total, &e) ||
        org_unit_list(r->db, r->arena, &all, &nall, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        const char *name = NULL;
        for (int j = 0; j < nall && name == NULL; j++)
            if (strcmp(all[j].code, units[i].unit) == 0)
                name = all[j].name;
        json_array_append_new(list,
                              api_supervision_figures_json(&units[i], name));
    }
    char f[11], t[11];
    ymd_fmt(from, f);
    ymd_fmt(to, t);
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s, s:o, s:o}", "from", f, "to", t,
                              "units", list, "total",
                              api_supervision_figures_json(&total, NULL)));
    return 0;
}

int api_supervision_import(struct http_req *r)
{
    struct err e;
    const char *data, *title = http_form(r, "title");
    size_t len;
    const struct http_file *file = http_file(r, "file");
    struct supervision_import_report *rep = arena_alloc(r->arena, sizeof(*rep));
    err_clear(&e);
    if (title == NULL)
        title = http_query(r, "title");
    if (file) {
        data = file->data;
        len = file->len;
    } else if (r->nform == 0 && r->body_len > 0) {
        data = r->body;
        len = r->body_len;
    } else {
        err_field(&e, "file", "请选择任务分解表（CSV 文件）");
        http_reply_err(r, &e);
        return 0;
    }
    if (supervision_import_work_report(r->db, &r->who, r->arena, data, len,
                                       title, rep, &e) == 0) {
        http_reply_json(r, 201,
                        json_pack("{s:I, s:i}", "parent_id",
                                  (json_int_t)rep->parent_id, "tasks",
                                  rep->tasks));
        return 0;
    }
    if (rep->nbad_total == 0) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *rows = json_array();
    for (int i = 0; i < rep->nbad; i++)
        json_array_append_new(rows,
                              json_pack("{s:i, s:s}", "line", rep->bad[i].line,
                                        "reason", rep->bad[i].reason));
    http_reply_json(
        r, e.status ? e.status : 400,
        json_pack("{s:{s:s, s:s, s:{}, s:o, s:i}}", "error", "code", "invalid",
                  "message",
                  e.message ? e.message : "任务分解表有误，未导入任何任务",
                  "fields", "rows", rows, "bad_rows", rep->nbad_total));
    return 0;
}
