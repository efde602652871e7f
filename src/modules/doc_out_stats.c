/*
 * doc_out_stats.c - 发文 receipts (回执) and figures (see doc_out.h).
 *
 * Both read the engine's tables (cases, case_links, case_timeline) and
 * never write.  What the viewer may see is decided by the engine: the
 * documents come from case_list() (clearance and need to know), so a
 * person below a document's 密级 finds no trace of it in any figure.
 *
 * A stay at a step: from the timeline entry that moved the document into
 * a state to the next entry that moved it out (entries that leave the
 * state unchanged -- comments, a co-unit's agreement while others are
 * still to agree -- do not end it).  Lengths are working time: hours that
 * fall on working days of the calendar (calendar_work_ms), so a document
 * left over a weekend or the National Day holiday is not counted as
 * waiting those days.
 */
#include "modules/doc_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "kernel/calendar_store.h"
#include "kernel/case.h"

static const char DOC_OUT_SQL_RECEIPTS[] =
    "SELECT c.id, COALESCE(u.code, ''), COALESCE(u.name, ''), c.module,"
    " c.state"
    " FROM case_links l JOIN cases c ON c.id = l.b_id LEFT JOIN units u"
    " ON u.id = c.owner_unit_id WHERE l.a_id = $1 AND l.kind = 'exchange'"
    " ORDER BY c.id";
static const char DOC_OUT_SQL_SIGNED_FOR[] =
    "SELECT actor_name, at_ms FROM case_timeline WHERE case_id = $1 AND"
    " from_state = $2 AND to_state <> '' AND to_state <> $2 ORDER BY id"
    " LIMIT 1";
static const char DOC_OUT_SQL_STAYS[] =
    "SELECT at_ms, from_state, to_state FROM case_timeline WHERE case_id = $1"
    " AND to_state <> '' ORDER BY id";

int doc_out_receipts(struct store *db, struct arena *a, const struct actor *who,
                     int64_t id, struct doc_out_receipt **out, int *n,
                     struct err *e)
{
    struct stmt *st;
    int cap = 16, s, vis;

    *out = NULL;
    *n = 0;
    vis = case_visible(db, who, id);
    if (vis < 0)
        return err_set(e, 500, "internal", "系统繁忙，请稍后再试");
    if (vis == 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    *out = arena_alloc(a, sizeof(**out) * (size_t)cap);
    st = store_prepare(db, DOC_OUT_SQL_RECEIPTS);
    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        struct doc_out_receipt *r;
        if (*n == cap) {
            struct doc_out_receipt *w =
                arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, *out, sizeof(*w) * (size_t)cap);
            *out = w;
            cap *= 2;
        }
        r = &(*out)[(*n)++];
        memset(r, 0, sizeof(*r));
        r->case_id = store_col_int(st, 0);
        r->unit = arena_strdup(a, store_col_text(st, 1));
        r->unit_name = arena_strdup(a, store_col_text(st, 2));
        r->by_name = arena_strdup(a, store_col_text(st, 3)); /* module */
        r->state = arena_strdup(a, store_col_text(st, 4));
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return err_set(e, 500, "internal", "系统繁忙，请稍后再试");
    for (int i = 0; i < *n; i++) {
        struct doc_out_receipt *r = &(*out)[i];
        const struct module_def *m = module_find(r->by_name);
        const struct state_def *init = m != NULL ? module_initial(m) : NULL;
        r->by_name = "";
        if (init == NULL)
            continue;
        st = store_prepare(db, DOC_OUT_SQL_SIGNED_FOR);
        store_bind_int(st, 1, r->case_id);
        store_bind_text(st, 2, init->code);
        if (store_step(st) == STORE_ROW) {
            r->signed_for = 1;
            r->by_name = arena_strdup(a, store_col_text(st, 0));
            r->at_ms = store_col_int(st, 1);
        }
        if (store_finalize(st) != STORE_OK)
            return err_set(e, 500, "internal", "系统繁忙，请稍后再试");
        vis = case_visible(db, who, r->case_id);
        if (vis != 1)
            r->case_id = 0;
    }
    return 0;
}

double doc_out_percentile(double *v, int n, int p)
{
    int rank;
    if (n <= 0 || p <= 0)
        return 0;
    for (int i = 1; i < n; i++) { /* insertion sort: stays are few */
        double x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    rank = (int)ceil((double)p / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* Counts key in l (grows it), label shown. */
static void doc_out_count_add(struct arena *a, struct doc_out_count **l,
                              int *n, int *cap, const char *key,
                              const char *label)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*l)[i].key, key) == 0) {
            (*l)[i].n++;
            return;
        }
    if (*n == *cap) {
        struct doc_out_count *w = arena_alloc(a, sizeof(*w) * (size_t)*cap * 2);
        memcpy(w, *l, sizeof(*w) * (size_t)*cap);
        *l = w;
        *cap *= 2;
    }
    (*l)[*n].key = arena_strdup(a, key);
    (*l)[*n].label = arena_strdup(a, label);
    (*l)[*n].n = 1;
    (*n)++;
}

/* Adds the stays of case id ending in [from, to) to durs (per state). */
static int doc_out_stays(struct store *db, const struct calendar *cal,
                         int64_t id, int64_t from, int64_t to,
                         const struct module_def *m, double **durs, int *nd,
                         int *cap)
{
    struct stmt *st = store_prepare(db, DOC_OUT_SQL_STAYS);
    int64_t entered = 0;
    int cur = -1, s;

    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        int64_t at = store_col_int(st, 0);
        const char *fs = store_col_text(st, 1), *ts = store_col_text(st, 2);
        int next = -1;
        if (fs != NULL && ts != NULL && strcmp(fs, ts) == 0)
            continue;
        for (int i = 0; m->states[i].code != NULL; i++)
            if (ts != NULL && strcmp(m->states[i].code, ts) == 0)
                next = i;
        if (cur >= 0 && at >= from && at < to && nd[cur] < cap[cur])
            durs[cur][nd[cur]++] =
                (double)calendar_work_ms(cal, entered, at) / 3600000.0;
        cur = next;
        entered = at;
    }
    return store_finalize(st) == STORE_OK && s != STORE_ERR ? 0 : -1;
}

#define DOC_OUT_STAYS_MAX 20000 /* per step, for the percentile */

int doc_out_stats(struct store *db, struct arena *a, const struct actor *who,
                  int64_t from_ms, int64_t to_ms, struct doc_out_figures *out,
                  struct err *e)
{
    const struct module_def *m = module_find("doc_out");
    struct case_filter f = {0};
    struct case_page p;
    double **durs;
    int *nd, *cap, ns = 0, tcap = 16, ucap = 16;
    struct calendar *cal = NULL;

    memset(out, 0, sizeof(*out));
    if (m == NULL)
        return err_set(e, 404, "not_found", "没有这个业务模块");
    if (from_ms >= to_ms)
        return err_field(e, "from", "开始日期须早于结束日期");
    if (calendar_load(db, &cal) != 0)
        return err_set(e, 500, "internal", "系统繁忙，请稍后再试");
    while (m->states[ns].code != NULL)
        ns++;
    out->nsteps = ns;
    out->steps = arena_alloc(a, sizeof(*out->steps) * (size_t)ns);
    durs = arena_alloc(a, sizeof(*durs) * (size_t)ns);
    nd = arena_alloc(a, sizeof(*nd) * (size_t)ns);
    cap = arena_alloc(a, sizeof(*cap) * (size_t)ns);
    for (int i = 0; i < ns; i++) {
        memset(&out->steps[i], 0, sizeof(out->steps[i]));
        out->steps[i].state = m->states[i].code;
        out->steps[i].label = m->states[i].label;
        nd[i] = 0;
        cap[i] = 256;
        durs[i] = arena_alloc(a, sizeof(double) * 256);
    }
    out->types = arena_alloc(a, sizeof(*out->types) * (size_t)tcap);
    out->units = arena_alloc(a, sizeof(*out->units) * (size_t)ucap);

    f.module = "doc_out";
    f.per_page = 500;
    for (f.page = 1;; f.page++) {
        if (case_list(db, a, who, &f, &p, e) != 0) {
            calendar_free(cal);
            return -1;
        }
        if (f.page == 1)
            for (int i = 0; i < p.ncounts; i++)
                for (int j = 0; j < ns; j++)
                    if (strcmp(p.counts[i].state, out->steps[j].state) == 0)
                        out->steps[j].now = p.counts[i].n;
        for (int i = 0; i < p.n; i++) {
            const struct case_item *it = &p.items[i];
            json_t *t = json_object_get(it->fields, "doc_type");
            for (int j = 0; j < ns; j++)
                if (nd[j] == cap[j] && cap[j] < DOC_OUT_STAYS_MAX) {
                    double *w = arena_alloc(a, sizeof(*w) * (size_t)cap[j] * 2);
                    memcpy(w, durs[j], sizeof(*w) * (size_t)cap[j]);
                    durs[j] = w;
                    cap[j] *= 2;
                }
            if (doc_out_stays(db, cal, it->id, from_ms, to_ms, m, durs, nd,
                              cap) != 0) {
                calendar_free(cal);
                return err_set(e, 500, "internal", "系统繁忙，请稍后再试");
            }
            if (it->closed_ms == 0 && it->light == CASE_LIGHT_RED)
                out->overdue++;
            if (it->created_ms < from_ms || it->created_ms >= to_ms)
                continue;
            if (json_is_string(t))
                doc_out_count_add(a, &out->types, &out->ntypes, &tcap,
                                  json_string_value(t), json_string_value(t));
            doc_out_count_add(a, &out->units, &out->nunits, &ucap,
                              it->owner_unit[0] ? it->owner_unit : "-",
                              it->owner_unit_name[0] ? it->owner_unit_name
                                                     : "（无）");
        }
        if ((int64_t)f.page * f.per_page >= p.total || p.n == 0)
            break;
    }
    for (int i = 0; i < ns; i++) {
        double sum = 0;
        for (int j = 0; j < nd[i]; j++)
            sum += durs[i][j];
        out->steps[i].passes = nd[i];
        out->steps[i].avg_hours = nd[i] > 0 ? sum / nd[i] : 0;
        out->steps[i].p90_hours = doc_out_percentile(durs[i], nd[i], 90);
    }
    calendar_free(cal);
    return 0;
}
