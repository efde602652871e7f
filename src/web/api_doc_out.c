/*
 * api_doc_out.c - the JSON API of 发文办理 beyond the generic case API
 * (GET/POST /api/v1/cases..., which serves the documents themselves):
 *
 *     GET /api/v1/doc_out/stats?from=YYYY-MM-DD&to=YYYY-MM-DD
 *                              signed in   the figures of a period
 *     GET /api/v1/doc_out/:id/receipts
 *                              signed in   the 回执 of one document (404
 *                                          when the viewer may not see it)
 *
 * Receipts: {"items":[{"unit","unit_name","case_id","state","state_label",
 * "signed_at","signed_by"}]}: one per unit the document was delivered to
 * by 核发; case_id is that unit's incoming document (null when the viewer
 * may not see it), signed_at null until it is signed for (签收).
 *
 * Figures: {"from","to","steps":[{"state","label","now","passes",
 * "avg_hours","p90_hours"}],"overdue","types":[{"key","label","n"}],
 * "units":[{"key","label","n"}]}; the rules are in modules/doc_out.h.
 * The caller's view: documents they may not see do not count.
 */
#include <math.h>
#include <string.h>

#include "base/now.h"
#include "modules/doc_out.h"
#include "web/api.h"

/* v to one decimal. */
static double api_doc_out_round(double v)
{
    return round(v * 10) / 10;
}

static json_t *api_doc_out_counts(const struct doc_out_count *c, int n)
{
    json_t *l = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(l, json_pack("{s:s, s:s, s:I}", "key", c[i].key,
                                           "label", c[i].label, "n",
                                           (json_int_t)c[i].n));
    return l;
}

int api_doc_out_period_or_reply(struct http_req *r, int64_t *from_ms,
                                int64_t *to_ms, struct ymd *from,
                                struct ymd *to)
{
    if (api_supervision_period_or_reply(r, from, to))
        return -1;
    *from_ms = beijing_midnight_ms(*from);
    *to_ms = beijing_midnight_ms(days_to_ymd(ymd_to_days(*to) + 1));
    return 0;
}

int api_doc_out_stats(struct http_req *r)
{
    struct ymd from, to;
    int64_t from_ms, to_ms;
    struct doc_out_figures f;
    struct err e;
    char fs[11], ts[11];
    err_clear(&e);
    if (api_doc_out_period_or_reply(r, &from_ms, &to_ms, &from, &to))
        return 0;
    if (doc_out_stats(r->db, r->arena, &r->who, from_ms, to_ms, &f, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *steps = json_array();
    for (int i = 0; i < f.nsteps; i++)
        json_array_append_new(
            steps,
            json_pack("{s:s, s:s, s:I, s:I, s:f, s:f}", "state",
                      f.steps[i].state, "label", f.steps[i].label, "now",
                      (json_int_t)f.steps[i].now, "passes",
                      (json_int_t)f.steps[i].passes, "avg_hours",
                      api_doc_out_round(f.steps[i].avg_hours), "p90_hours",
                      api_doc_out_round(f.steps[i].p90_hours)));
    ymd_fmt(from, fs);
    ymd_fmt(to, ts);
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s, s:o, s:I, s:o, s:o}", "from", fs,
                              "to", ts, "steps", steps, "overdue",
                              (json_int_t)f.overdue, "types",
                              api_doc_out_counts(f.types, f.ntypes), "units",
                              api_doc_out_counts(f.units, f.nunits)));
    return 0;
}

int api_doc_out_receipts_load(struct http_req *r, struct case_view *v,
                              struct doc_out_receipt **out, int *n,
                              struct err *e)
{
    int64_t id = api_case_param_id(r, "id");
    if (id <= 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    if (case_get(r->db, r->arena, &r->who, id, v, e))
        return -1;
    if (v->c.m == NULL || strcmp(v->c.m->code, "doc_out") != 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    return doc_out_receipts(r->db, r->arena, &r->who, id, out, n, e);
}

int api_doc_out_receipts(struct http_req *r)
{
    struct case_view v;
    struct doc_out_receipt *rc;
    int n;
    struct err e;
    err_clear(&e);
    if (api_doc_out_receipts_load(r, &v, &rc, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    const struct module_def *in = module_find("doc_in");
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        const struct state_def *st =
            in && rc[i].state ? module_state(in, rc[i].state) : NULL;
        char at[26];
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s}", "unit", rc[i].unit, "unit_name",
            rc[i].unit_name, "state", rc[i].state ? rc[i].state : "",
            "state_label", st ? st->label : "");
        json_object_set_new(o, "case_id",
                            rc[i].case_id ? json_integer(rc[i].case_id)
                                          : json_null());
        if (rc[i].signed_for) {
            ms_fmt_iso(rc[i].at_ms, at);
            json_object_set_new(o, "signed_at", json_string(at));
            json_object_set_new(o, "signed_by", json_string(rc[i].by_name));
        } else {
            json_object_set_new(o, "signed_at", json_null());
            json_object_set_new(o, "signed_by", json_null());
        }
        json_array_append_new(items, o);
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
    return 0;
}
