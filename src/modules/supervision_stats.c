/*
 * supervision_stats.c - the figures of 督查督办 (see supervision.h): per
 * lead unit and in total, for items whose limit ends in a period, done on
 * time, done late, overdue and still open, working days late, 催办, and
 * 按期办结率 = on time / (on time + late + overdue open).
 *
 * supervision_figures() is pure arithmetic over a list of facts, so the
 * unit test checks it on a table worked out by hand.  The readers below it
 * gather the facts, the late items of a bulletin and the lines of a ledger
 * through the case engine's read functions (kernel/case.h), which apply
 * the viewer's clearance and visibility.
 */
#include "modules/supervision.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "kernel/calendar_store.h"
#include "kernel/case.h"

/* ---- the arithmetic ---- */

static void supervision_fig_zero(struct supervision_figures *f,
                                 const char *unit)
{
    memset(f, 0, sizeof(*f));
    f->unit = unit;
    f->on_time_rate = -1;
}

static void supervision_fig_finish(struct supervision_figures *f)
{
    f->due = f->on_time + f->late + f->overdue_open;
    f->on_time_rate = f->due ? (double)f->on_time / f->due : -1;
    int nlate = f->late + f->overdue_open;
    f->avg_days_late = nlate ? (double)f->days_late / nlate : 0;
}

static int supervision_fig_cmp(const void *x, const void *y)
{
    const struct supervision_figures *a = x, *b = y;
    return strcmp(a->unit, b->unit);
}

/* The figures entry of unit in list (added when missing). */
static struct supervision_figures *
supervision_fig_of(struct supervision_figures *list, int *n, const char *unit)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i].unit, unit) == 0)
            return &list[i];
    supervision_fig_zero(&list[*n], unit);
    return &list[(*n)++];
}

/* Counts one fact into f: its class and working days late. */
static void supervision_fig_add(struct supervision_figures *f,
                                const struct supervision_fact *x,
                                int64_t due_end_ms, int64_t now_ms,
                                const struct calendar *cal)
{
    f->urge_count += x->urges;
    if (x->done) {
        if (x->requested_ms == 0 || x->requested_ms < due_end_ms) {
            f->on_time++;
            return;
        }
        f->late++;
        f->days_late += calendar_workdays_between(
            cal, x->due, ms_to_beijing(x->requested_ms), NULL);
        return;
    }
    if (now_ms < due_end_ms)
        return; /* not yet due */
    f->overdue_open++;
    f->days_late +=
        calendar_workdays_between(cal, x->due, ms_to_beijing(now_ms), NULL);
}

int supervision_figures(const struct supervision_fact *facts, int n,
                        struct ymd from, struct ymd to, int64_t now_ms,
                        const struct calendar *cal, struct arena *a,
                        struct supervision_figures **units, int *nunits,
                        struct supervision_figures *total)
{
    int64_t lo = ymd_to_days(from), hi = ymd_to_days(to);
    struct supervision_figures *list =
        arena_alloc(a, sizeof(*list) * (size_t)(n > 0 ? n : 1));
    int nlist = 0;
    supervision_fig_zero(total, NULL);
    *units = list;
    *nunits = 0;
    if (lo > hi)
        return -1;
    for (int i = 0; i < n; i++) {
        const struct supervision_fact *x = &facts[i];
        int64_t day = ymd_to_days(x->due);
        if (day < lo || day > hi)
            continue;
        /* a limit ends at 24:00 Beijing time of its last day */
        int64_t due_end = beijing_midnight_ms(days_to_ymd(day + 1));
        supervision_fig_add(total, x, due_end, now_ms, cal);
        if (x->unit && *x->unit)
            supervision_fig_add(supervision_fig_of(list, &nlist, x->unit), x,
                                due_end, now_ms, cal);
    }
    for (int i = 0; i < nlist; i++)
        supervision_fig_finish(&list[i]);
    supervision_fig_finish(total);
    qsort(list, (size_t)nlist, sizeof(*list), supervision_fig_cmp);
    *nunits = nlist;
    return 0;
}

/* ---- reading the items ---- */

#define SUPERVISION_PAGE 500
#define SUPERVISION_MAX_ITEMS 100000

/* Every supervision item the actor may see, in registration order, with
 * *isparent[i] 1 for those that have children among them.  0 / -1. */
static int supervision_items(struct store *db, const struct actor *who,
                             struct arena *a, struct case_item **out, int *n,
                             int **isparent, struct err *e)
{
    struct case_filter f = {0};
    struct case_item *all = NULL;
    int nall = 0, cap = 0;
    f.module = supervision_module.code;
    f.sort = "created";
    f.per_page = SUPERVISION_PAGE;
    for (f.page = 1;; f.page++) {
        struct case_page pg;
        if (case_list(db, a, who, &f, &pg, e))
            return -1;
        if (nall + pg.n > cap) {
            int ncap = cap ? cap * 2 : SUPERVISION_PAGE;
            while (ncap < nall + pg.n)
                ncap *= 2;
            struct case_item *grown =
                arena_alloc(a, sizeof(*grown) * (size_t)ncap);
            if (nall)
                memcpy(grown, all, sizeof(*all) * (size_t)nall);
            all = grown;
            cap = ncap;
        }
        if (pg.n)
            memcpy(all + nall, pg.items, sizeof(*all) * (size_t)pg.n);
        nall += pg.n;
        if (pg.n < SUPERVISION_PAGE || nall >= SUPERVISION_MAX_ITEMS)
            break;
    }
    *isparent = arena_alloc(a, sizeof(int) * (size_t)(nall ? nall : 1));
    for (int i = 0; i < nall; i++)
        for (int j = 0; all[i].parent_id && j < nall; j++)
            if (all[j].id == all[i].parent_id)
                (*isparent)[j] = 1;
    *out = all;
    *n = nall;
    return 0;
}

static const char *supervision_field_text(const struct case_item *it,
                                          const char *code)
{
    const char *s = json_string_value(json_object_get(it->fields, code));
    return s ? s : "";
}

/* The fact of an item: 0, or -1 when it has no limit yet (立项). */
static int supervision_fact_of(const struct case_item *it,
                               struct supervision_fact *x)
{
    if (it->due_ms <= 0)
        return -1;
    memset(x, 0, sizeof(*x));
    x->unit = it->lead_unit;
    /* a day clock is due at 24:00 of its last day */
    x->due = ms_to_beijing(it->due_ms - 1);
    x->done = it->state && (it->state->flags & STATE_CLOSED) != 0;
    x->urges =
        (int)json_integer_value(json_object_get(it->fields, "urge_count"));
    const char *at = supervision_field_text(it, "requested_at");
    if (x->done && *at && iso_parse_ms(at, &x->requested_ms) != 0)
        x->requested_ms = 0;
    return 0;
}

/* The Beijing calendar and the facts of the leaf items the actor sees. */
static int supervision_facts(struct store *db, const struct actor *who,
                             struct arena *a, struct case_item **items,
                             struct supervision_fact **facts, int **index,
                             int *n, struct err *e)
{
    struct case_item *it;
    int nit, *isparent;
    if (supervision_items(db, who, a, &it, &nit, &isparent, e))
        return -1;
    *facts = arena_alloc(a, sizeof(**facts) * (size_t)(nit ? nit : 1));
    *index = arena_alloc(a, sizeof(int) * (size_t)(nit ? nit : 1));
    *n = 0;
    for (int i = 0; i < nit; i++) {
        if (isparent[i] || supervision_fact_of(&it[i], &(*facts)[*n]))
            continue;
        (*index)[(*n)++] = i;
    }
    *items = it;
    return 0;
}

int supervision_stats(struct store *db, const struct actor *who,
                      struct arena *a, struct ymd from, struct ymd to,
                      struct supervision_figures **units, int *nunits,
                      struct supervision_figures *total, struct err *e)
{
    int rc = -1, n;
    struct calendar *cal = NULL;
    struct case_item *items;
    struct supervision_fact *facts;
    int *index;
    if (ymd_to_days(from) > ymd_to_days(to)) {
        err_field(e, "to", "结束日期不能早于开始日期");
        goto out;
    }
    if (supervision_facts(db, who, a, &items, &facts, &index, &n, e))
        goto out;
    if (calendar_load(db, &cal)) {
        err_set(e, 500, "internal", "读取节假日安排失败");
        goto out;
    }
    rc = supervision_figures(facts, n, from, to, now_ms(), cal, a, units,
                             nunits, total);
out:
    calendar_free(cal);
    return rc;
}

static int supervision_late_cmp(const void *x, const void *y)
{
    const struct supervision_late_item *a = x, *b = y;
    if (a->days_late != b->days_late)
        return a->days_late < b->days_late ? 1 : -1;
    return strcmp(a->unit, b->unit);
}

int supervision_late_items(struct store *db, const struct actor *who,
                           struct arena *a, struct ymd from, struct ymd to,
                           struct supervision_late_item **out, int *nout,
                           struct err *e)
{
    int rc = -1, n;
    struct calendar *cal = NULL;
    struct case_item *items;
    struct supervision_fact *facts;
    int *index;
    int64_t lo = ymd_to_days(from), hi = ymd_to_days(to), now = now_ms();
    *nout = 0;
    if (supervision_facts(db, who, a, &items, &facts, &index, &n, e))
        goto out;
    if (calendar_load(db, &cal)) {
        err_set(e, 500, "internal", "读取节假日安排失败");
        goto out;
    }
    *out = arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        const struct supervision_fact *x = &facts[i];
        const struct case_item *it = &items[index[i]];
        int64_t day = ymd_to_days(x->due);
        int64_t end = beijing_midnight_ms(days_to_ymd(day + 1));
        int64_t until;
        if (day < lo || day > hi)
            continue;
        if (x->done && x->requested_ms >= end)
            until = x->requested_ms;
        else if (!x->done && now >= end)
            until = now;
        else
            continue;
        struct supervision_late_item *l = &(*out)[(*nout)++];
        l->id = it->id;
        l->number = it->number;
        l->title = it->title;
        l->unit = x->unit && *x->unit ? x->unit : "";
        l->unit_name = it->lead_unit_name ? it->lead_unit_name : "";
        l->due = x->due;
        l->overdue_open = !x->done;
        l->days_late =
            calendar_workdays_between(cal, x->due, ms_to_beijing(until), NULL);
    }
    qsort(*out, (size_t)*nout, sizeof(**out), supervision_late_cmp);
    rc = 0;
out:
    calendar_free(cal);
    return rc;
}

/* ---- the ledger (台账) ---- */

/* Names of units and people for the ledger's columns. */
struct supervision_names {
    struct unit *units;
    int nunits;
};

static const char *supervision_unit_name(const struct supervision_names *nm,
                                         const char *code)
{
    for (int i = 0; i < nm->nunits; i++)
        if (strcmp(nm->units[i].code, code) == 0)
            return nm->units[i].short_name && *nm->units[i].short_name
                       ? nm->units[i].short_name
                       : nm->units[i].name;
    return code;
}

/* The co-units (an array of codes) as "市财政局、市发改委". */
static const char *supervision_unit_names(struct arena *a,
                                          const struct supervision_names *nm,
                                          json_t *codes)
{
    struct buf b;
    size_t i;
    json_t *v;
    buf_init(&b, 1 << 16);
    json_array_foreach(codes, i, v)
    {
        if (i > 0)
            buf_puts(&b, "、");
        buf_puts(&b, supervision_unit_name(
                         nm, json_string_value(v) ? json_string_value(v) : ""));
    }
    const char *s = arena_strndup(a, b.ptr, b.len);
    buf_free(&b);
    return s;
}

static const char *supervision_person_name(struct store *db, struct arena *a,
                                           const char *login)
{
    struct user u;
    struct err e;
    err_clear(&e);
    if (*login == '\0')
        return "";
    return org_user_get(db, a, login, &u, &e) == 0 ? u.name : login;
}

int supervision_ledger(struct store *db, const struct actor *who,
                       struct arena *a, const char *source,
                       struct supervision_ledger_row **out, int *nout,
                       struct err *e)
{
    struct case_item *it;
    int nit, *isparent;
    struct supervision_names nm = {0};
    *nout = 0;
    if (supervision_items(db, who, a, &it, &nit, &isparent, e))
        return -1;
    if (org_unit_list(db, a, &nm.units, &nm.nunits, e))
        return -1;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(nit ? nit : 1));
    for (int i = 0; i < nit; i++) {
        const char *src = supervision_field_text(&it[i], "source");
        if (isparent[i] || (source && *source && strcmp(src, source) != 0))
            continue;
        struct supervision_ledger_row *l = &(*out)[(*nout)++];
        const char *dl = supervision_field_text(&it[i], "deadline");
        const char *note = supervision_field_text(&it[i], "progress_note");
        const char *result = supervision_field_text(&it[i], "result");
        if (it[i].state && (it[i].state->flags & STATE_CLOSED) && *result)
            note = result; /* 办结: the result is the last word */
        struct ymd d;
        char cn[32];
        l->id = it[i].id;
        l->number = it[i].number;
        l->title = it[i].title;
        l->lead_unit =
            *it[i].lead_unit ? supervision_unit_name(&nm, it[i].lead_unit) : "";
        l->leader = supervision_person_name(
            db, a, supervision_field_text(&it[i], "responsible_leader"));
        l->co_units = supervision_unit_names(
            a, &nm, json_object_get(it[i].fields, "co_units"));
        if (*dl == '\0' && it[i].due_ms > 0) {
            ymd_fmt_cn(ms_to_beijing(it[i].due_ms - 1), cn);
            l->deadline = arena_strdup(a, cn);
        } else if (*dl && ymd_parse(dl, &d) == 0) {
            ymd_fmt_cn(d, cn);
            l->deadline = arena_strdup(a, cn);
        } else {
            l->deadline = "";
        }
        l->progress = *note ? arena_printf(a, "%d%%：%s", it[i].progress, note)
                            : arena_printf(a, "%d%%", it[i].progress);
        l->state = it[i].state ? it[i].state->label : "";
        l->light = it[i].light >= 0 ? case_light_name(it[i].light) : "";
    }
    return 0;
}
