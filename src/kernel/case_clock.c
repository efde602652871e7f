/*
 * case_clock.c - the clocks of cases: what a transition's clock effects do
 * to the stored clocks, the cached light columns of cases, recomputation
 * when the calendar changes, and the reminder sweep.
 *
 * A stored clock (case_clocks row, with case_clock_pauses and
 * case_clock_extensions) is a struct clock of clock.h; everything derived
 * is computed by clock_eval().  Life of a clock and the function doing
 * each step:
 *
 *     (none) --START--> running        case_clock_start: start = now, the
 *                                      length from the clock_def (length
 *                                      field's choice, settings override)
 *                                      or the deadline field; a length of
 *                                      0 without deadline does not run
 *     running --PAUSE--> paused        case_clock_effects: open pause row
 *     paused --RESUME--> running       ... the pause gets its end
 *     running --EXTEND--> running      ... an extension row: NUMBER field
 *                                      = more length; DATE field = the new
 *                                      last day (the clock's deadline; the
 *                                      earlier pauses and extensions are
 *                                      absorbed: kept, no longer counted)
 *     running|paused --STOP--> stopped ... stop = now; also every clock
 *                                      when the case enters a CLOSED state
 *                                      (case_clock_stop_all)
 *     any --START--> running           restarts from now, pauses and
 *                                      extensions dropped
 *
 * After any change case_clock_refresh() evaluates the clocks at the
 * change's own instant (c->now; the sweep: now_ms()) and caches on the
 * case (schema.c, migration 3): due_ms of the main clock; light_due_ms /
 * light_yellow_ms, the earliest instants a running clock of the case or of
 * an open child turns red / yellow (a warn_only clock only ever makes
 * yellow); light_floor, the worst light frozen by a pause (or, once
 * closed, the main clock's end light).  The same is then done for the
 * parent, up the chain.  Lists compute the light from these
 * with CASE_LIGHT_SQL at the instant they run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/now.h"
#include "kernel/calendar_store.h"
#include "kernel/case_int.h"

struct case_clock_rec {
    int64_t id;
    const char *code;
    int main, warn_only;
    int granted; /* extensions granted, absorbed ones included */
    /* while loading: c.pauses and c.extensions, and the room in each */
    struct clock_pause *pv;
    struct clock_extension *xv;
    int pcap, xcap;
    struct clock c;
};

static const char CASE_SQL_CLOCKS[] =
    "SELECT id, clock, main, warn_only, start_ms, unit, length, deadline,"
    " warn, warn_value, stop_ms FROM case_clocks WHERE case_id = $1"
    " ORDER BY id";
/* The pauses and extensions of all the case's clocks at once (two
 * statements, not three per clock: a 催办's reply and refresh each load
 * the clocks).  An extension counts in granted absorbed or not, and in the
 * clock's extensions only with a length and not absorbed. */
static const char CASE_SQL_PAUSES[] =
    "SELECT p.clock_id, p.from_ms, p.to_ms FROM case_clock_pauses p"
    " JOIN case_clocks k ON k.id = p.clock_id WHERE k.case_id = $1"
    " AND p.absorbed = 0 ORDER BY p.clock_id, p.from_ms, p.id";
static const char CASE_SQL_EXTENSIONS[] =
    "SELECT e.clock_id, e.length, e.at_ms, e.by_login, e.why, e.absorbed"
    " FROM case_clock_extensions e JOIN case_clocks k ON k.id = e.clock_id"
    " WHERE k.case_id = $1 ORDER BY e.clock_id, e.id";

/* The record, among v[0..n), of the clock of st's next row (its first
 * column a clock id; rows of other clocks skipped); NULL after the last,
 * with *s the last step's result. */
static struct case_clock_rec *
case_clock_row(struct stmt *st, struct case_clock_rec *v, int n, int *s)
{
    while ((*s = store_step(st)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        for (int i = 0; i < n; i++)
            if (v[i].id == id)
                return &v[i];
    }
    return NULL;
}

/* Loads the clocks of a case with their pauses and extensions. */
static int case_clock_load(struct store *db, struct arena *a, int64_t id,
                           struct case_clock_rec **out, int *n)
{
    int cap = 8, count = 0, s, rc = -1;
    struct case_clock_rec *v = arena_alloc(a, sizeof(*v) * (size_t)cap), *r;
    struct stmt *st = store_prepare(db, CASE_SQL_CLOCKS);

    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        v = arena_grow(a, v, count, &cap, sizeof(*v));
        r = &v[count++];
        r->id = store_col_int(st, 0);
        r->code = arena_strdup(a, store_col_text(st, 1));
        r->main = (int)store_col_int(st, 2);
        r->warn_only = (int)store_col_int(st, 3);
        r->c.start_ms = store_col_int(st, 4);
        r->c.unit = (enum clock_unit)store_col_int(st, 5);
        r->c.length = (int)store_col_int(st, 6);
        r->c.has_deadline =
            ymd_parse(store_col_text(st, 7), &r->c.deadline) == 0;
        r->c.warn = (enum clock_warn)store_col_int(st, 8);
        r->c.warn_value = (int)store_col_int(st, 9);
        r->c.stop_ms = store_col_int(st, 10);
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
    for (int i = 0; i < count; i++) {
        v[i].granted = 0;
        v[i].c.npauses = v[i].c.nextensions = 0;
        v[i].pv = NULL;
        v[i].xv = NULL;
        v[i].pcap = v[i].xcap = 0;
    }
    if (count == 0)
        goto done;
    st = store_prepare(db, CASE_SQL_PAUSES);
    store_bind_int(st, 1, id);
    while ((r = case_clock_row(st, v, count, &s)) != NULL) {
        r->pv = arena_grow(a, r->pv, r->c.npauses, &r->pcap, sizeof(*r->pv));
        r->pv[r->c.npauses].from_ms = store_col_int(st, 1);
        r->pv[r->c.npauses].to_ms = store_col_int(st, 2);
        r->c.npauses++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
    st = store_prepare(db, CASE_SQL_EXTENSIONS);
    store_bind_int(st, 1, id);
    while ((r = case_clock_row(st, v, count, &s)) != NULL) {
        r->granted++;
        if (store_col_int(st, 1) <= 0 || store_col_int(st, 5) != 0)
            continue;
        r->xv =
            arena_grow(a, r->xv, r->c.nextensions, &r->xcap, sizeof(*r->xv));
        struct clock_extension *x = &r->xv[r->c.nextensions++];
        x->length = (int)store_col_int(st, 1);
        x->at_ms = store_col_int(st, 2);
        x->by = arena_strdup(a, store_col_text(st, 3));
        x->why = arena_strdup(a, store_col_text(st, 4));
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
done:
    for (int i = 0; i < count; i++) {
        v[i].c.pauses = v[i].pv;
        v[i].c.extensions = v[i].xv;
    }
    *out = v;
    *n = count;
    rc = 0;
out:
    if (rc != 0)
        log_error("cannot load the clocks of case %" PRId64 ": %s", id,
                  store_errmsg(db));
    return rc;
}

/* The case's main clock: the one marked main, else the first. */
static const struct clock_def *case_clock_main(const struct module_def *m)
{
    if (m == NULL || m->clocks == NULL || m->clocks[0].code == NULL)
        return NULL;
    for (int i = 0; m->clocks[i].code != NULL; i++)
        if (m->clocks[i].main)
            return &m->clocks[i];
    return &m->clocks[0];
}

static const char CASE_SQL_SETTING[] =
    "SELECT value FROM settings WHERE key = $1";

/* A positive integer setting, or def. */
static int case_setting_int(struct store *db, const char *key, int def)
{
    struct stmt *st;
    int v = def;
    if (key == NULL)
        return def;
    st = store_prepare(db, CASE_SQL_SETTING);
    store_bind_text(st, 1, key);
    if (store_step(st) == STORE_ROW) {
        char *end = NULL;
        long n = strtol(store_col_text(st, 0), &end, 10);
        if (end != NULL && *end == '\0' && n > 0 && n <= CALENDAR_MAX_N)
            v = (int)n;
    }
    store_finalize(st);
    return v;
}

/* The length and deadline a clock gets when it starts now. */
static void case_clock_resolve(struct case_ctx *c, const struct clock_def *d,
                               int *length, char deadline[11])
{
    const char *setting = d->setting, *v;
    int len = d->length;
    const struct field_def *df = NULL;

    deadline[0] = '\0';
    if (d->length_field != NULL &&
        (v = case_val_text(c, d->length_field)) != NULL) {
        for (int i = 0; d->lengths != NULL && d->lengths[i].choice; i++)
            if (strcmp(d->lengths[i].choice, v) == 0) {
                len = d->lengths[i].length;
                setting = d->lengths[i].setting;
                break;
            }
    }
    if (len > 0 || setting != NULL)
        len = case_setting_int(c->db, setting, len);
    if (d->deadline_field != NULL)
        df = module_field(c->m, d->deadline_field);
    else if (d == case_clock_main(c->m))
        case_field_by_role(c->m, c->fields, FIELD_IS_DEADLINE, &df);
    if (df != NULL && (v = case_val_text(c, df->code)) != NULL) {
        struct ymd y;
        if (ymd_parse(v, &y) == 0)
            ymd_fmt(y, deadline);
    }
    *length = len;
}

static const char CASE_SQL_CLOCK_ID[] =
    "SELECT id FROM case_clocks WHERE case_id = $1 AND clock = $2";
static const char CASE_SQL_CLOCK_INSERT[] =
    "INSERT INTO case_clocks (case_id, clock, main, warn_only, start_ms,"
    " unit, length, deadline, warn, warn_value, stop_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)";
static const char CASE_SQL_CLOCK_RESTART[] =
    "UPDATE case_clocks SET start_ms = $2, length = $3, deadline = $4,"
    " stop_ms = 0 WHERE id = $1";
static const char CASE_SQL_CLOCK_DROP_PAUSES[] =
    "DELETE FROM case_clock_pauses WHERE clock_id = $1";
static const char CASE_SQL_CLOCK_DROP_EXT[] =
    "DELETE FROM case_clock_extensions WHERE clock_id = $1";
static const char CASE_SQL_CLOCK_STOP[] =
    "UPDATE case_clocks SET stop_ms = $2 WHERE id = $1 AND stop_ms = 0";
static const char CASE_SQL_PAUSE_OPEN[] =
    "INSERT INTO case_clock_pauses (clock_id, from_ms, to_ms)"
    " SELECT $1, $2, 0 WHERE NOT EXISTS (SELECT 1 FROM case_clock_pauses"
    " WHERE clock_id = $1 AND to_ms = 0)";
static const char CASE_SQL_PAUSE_CLOSE[] =
    "UPDATE case_clock_pauses SET to_ms = $2 WHERE clock_id = $1"
    " AND to_ms = 0";
static const char CASE_SQL_CLOCK_RUNNING[] =
    "SELECT id FROM case_clocks WHERE case_id = $1 AND clock = $2"
    " AND stop_ms = 0";
static const char CASE_SQL_EXT_INSERT[] =
    "INSERT INTO case_clock_extensions (clock_id, length, deadline, at_ms,"
    " by_login, why) VALUES ($1, $2, $3, $4, $5, $6)";
static const char CASE_SQL_CLOCK_DEADLINE[] =
    "UPDATE case_clocks SET deadline = $2 WHERE id = $1";
static const char CASE_SQL_ABSORB_PAUSES[] =
    "UPDATE case_clock_pauses SET absorbed = 1 WHERE clock_id = $1"
    " AND to_ms > 0";
static const char CASE_SQL_ABSORB_EXT[] =
    "UPDATE case_clock_extensions SET absorbed = 1 WHERE clock_id = $1";
static const char CASE_SQL_CLOCK_LENGTH[] =
    "UPDATE case_clocks SET length = $2, deadline = $3 WHERE id = $1";

static int case_clock_start(struct case_ctx *c, const struct clock_def *d)
{
    int64_t cid = 0;
    int length;
    char deadline[11];
    const struct clock_def *main = case_clock_main(c->m);

    case_clock_resolve(c, d, &length, deadline);
    if (store_query_int(c->db, CASE_SQL_CLOCK_ID, &cid, "it", c->id, d->code) ==
        STORE_ERR)
        return -1;
    if (length <= 0 && deadline[0] == '\0') {
        /* a clock without a limit does not run */
        if (cid > 0 && store_run(c->db, CASE_SQL_CLOCK_STOP, "ii", cid,
                                 c->now) != STORE_OK)
            return -1;
        return 0;
    }
    if (cid == 0) {
        struct stmt *st = store_prepare(c->db, CASE_SQL_CLOCK_INSERT);
        int ok;
        store_bind_int(st, 1, c->id);
        store_bind_text(st, 2, d->code);
        store_bind_int(st, 3, d == main);
        store_bind_int(st, 4, d->warn_only != 0);
        store_bind_int(st, 5, c->now);
        store_bind_int(st, 6, d->unit);
        store_bind_int(st, 7, length);
        store_bind_text(st, 8, deadline);
        store_bind_int(st, 9, d->warn);
        store_bind_int(st, 10, d->warn_value);
        ok = store_step(st) == STORE_DONE;
        if (store_finalize(st) != STORE_OK || !ok)
            return -1;
        return 0;
    }
    if (store_run(c->db, CASE_SQL_CLOCK_DROP_PAUSES, "i", cid) != STORE_OK ||
        store_run(c->db, CASE_SQL_CLOCK_DROP_EXT, "i", cid) != STORE_OK ||
        store_run(c->db, CASE_SQL_CLOCK_RESTART, "iiit", cid, c->now,
                  (int64_t)length, deadline) != STORE_OK)
        return -1;
    return 0;
}

/* The extension of clock cid by the value of extend_field. */
static int case_clock_extend(struct case_ctx *c, int64_t cid,
                             const char *extend_field, struct err *e)
{
    const struct field_def *f = module_field(c->m, extend_field);
    const char *v = f != NULL ? case_val_text(c, f->code) : NULL;
    const char *why = c->comment != NULL ? c->comment : "";

    if (f == NULL)
        return err_set(e, 500, "internal", case_msg_internal);
    if (v == NULL)
        return err_field(e, f->code, arena_printf(c->a, "请填写%s", f->label));
    if (f->type == FIELD_DATE) {
        struct ymd y;
        if (ymd_parse(v, &y) != 0)
            return err_field(e, f->code, "日期格式应为 YYYY-MM-DD");
        /* the new last day is the last day: what moved the old one no
         * longer counts */
        if (store_run(c->db, CASE_SQL_ABSORB_PAUSES, "i", cid) != STORE_OK ||
            store_run(c->db, CASE_SQL_ABSORB_EXT, "i", cid) != STORE_OK ||
            store_run(c->db, CASE_SQL_EXT_INSERT, "iititt", cid, (int64_t)0, v,
                      c->now, c->who->login, why) != STORE_OK ||
            store_run(c->db, CASE_SQL_CLOCK_DEADLINE, "it", cid, v) != STORE_OK)
            return err_set(e, 500, "internal", case_msg_internal);
        return 0;
    }
    int64_t n = case_val_int(c, f->code, 0);
    if (n <= 0 || n > CALENDAR_MAX_N)
        return err_field(e, f->code,
                         arena_printf(c->a, "%s须为正整数", f->label));
    if (store_run(c->db, CASE_SQL_EXT_INSERT, "iititt", cid, n, "", c->now,
                  c->who->login, why) != STORE_OK)
        return err_set(e, 500, "internal", case_msg_internal);
    return 0;
}

int case_clock_effects(struct case_ctx *c, const struct clock_effect *fx,
                       const char *extend_field, struct err *e)
{
    for (int i = 0; i < 4; i++) {
        const struct clock_def *d;
        int64_t cid = 0;
        if (fx[i].clock == NULL || fx[i].op == CLOCK_OP_NONE)
            continue;
        d = module_clock(c->m, fx[i].clock);
        if (d == NULL)
            return err_set(e, 500, "internal", case_msg_internal);
        if (fx[i].op == CLOCK_OP_START) {
            if (case_clock_start(c, d) != 0)
                return err_set(e, 500, "internal", case_msg_internal);
            continue;
        }
        if (store_query_int(c->db, CASE_SQL_CLOCK_RUNNING, &cid, "it", c->id,
                            d->code) == STORE_ERR)
            return err_set(e, 500, "internal", case_msg_internal);
        if (cid == 0)
            continue; /* never started, or stopped: nothing to do */
        switch (fx[i].op) {
        case CLOCK_OP_PAUSE:
            if (store_run(c->db, CASE_SQL_PAUSE_OPEN, "ii", cid, c->now) !=
                STORE_OK)
                return err_set(e, 500, "internal", case_msg_internal);
            break;
        case CLOCK_OP_RESUME:
            if (store_run(c->db, CASE_SQL_PAUSE_CLOSE, "ii", cid, c->now) !=
                STORE_OK)
                return err_set(e, 500, "internal", case_msg_internal);
            break;
        case CLOCK_OP_EXTEND:
            if (case_clock_extend(c, cid, extend_field, e) != 0)
                return -1;
            break;
        case CLOCK_OP_STOP:
            if (store_run(c->db, CASE_SQL_PAUSE_CLOSE, "ii", cid, c->now) !=
                    STORE_OK ||
                store_run(c->db, CASE_SQL_CLOCK_STOP, "ii", cid, c->now) !=
                    STORE_OK)
                return err_set(e, 500, "internal", case_msg_internal);
            break;
        default:
            break;
        }
    }
    return 0;
}

int case_clock_follow_fields(struct case_ctx *c)
{
    if (c->m->clocks == NULL)
        return 0;
    for (int i = 0; c->m->clocks[i].code != NULL; i++) {
        const struct clock_def *d = &c->m->clocks[i];
        const struct field_def *df = NULL;
        int64_t cid = 0;
        int length;
        char deadline[11];
        if (d->deadline_field != NULL)
            df = module_field(c->m, d->deadline_field);
        else if (d == case_clock_main(c->m))
            case_field_by_role(c->m, c->fields, FIELD_IS_DEADLINE, &df);
        if (!(df != NULL && case_val_changed(c, df->code)) &&
            !(d->length_field != NULL && case_val_changed(c, d->length_field)))
            continue;
        if (store_query_int(c->db, CASE_SQL_CLOCK_RUNNING, &cid, "it", c->id,
                            d->code) == STORE_ERR)
            return -1;
        if (cid == 0)
            continue;
        case_clock_resolve(c, d, &length, deadline);
        if (store_run(c->db, CASE_SQL_CLOCK_LENGTH, "iit", cid, (int64_t)length,
                      deadline) != STORE_OK)
            return -1;
    }
    return 0;
}

static const char CASE_SQL_CLOSE_PAUSES[] =
    "UPDATE case_clock_pauses SET to_ms = $2 WHERE to_ms = 0 AND clock_id IN"
    " (SELECT id FROM case_clocks WHERE case_id = $1 AND stop_ms = 0)";
static const char CASE_SQL_STOP_ALL[] =
    "UPDATE case_clocks SET stop_ms = $2 WHERE case_id = $1 AND stop_ms = 0";

int case_clock_stop_all(struct store *db, int64_t id, int64_t now)
{
    if (store_run(db, CASE_SQL_CLOSE_PAUSES, "ii", id, now) != STORE_OK ||
        store_run(db, CASE_SQL_STOP_ALL, "ii", id, now) != STORE_OK)
        return -1;
    return 0;
}

/* ---- the cached columns ---- */

static const char CASE_SQL_REFRESH_ROW[] =
    "SELECT module, closed_ms, COALESCE(parent_id, 0) FROM cases"
    " WHERE id = $1";
static const char CASE_SQL_CHILD_LIGHTS[] =
    "SELECT MIN(light_due_ms), MIN(light_yellow_ms), MAX(light_floor)"
    " FROM cases WHERE parent_id = $1 AND closed_ms = 0";
/* Both write only a change: most refreshes (a 催办, a comment) find the
 * clocks as they were, and an UPDATE that sets an indexed column rewrites
 * its index entries, changed or not (five indexes hold these columns). */
static const char CASE_SQL_CLOCK_DUE[] =
    "UPDATE case_clocks SET due_ms = $2 WHERE id = $1 AND due_ms <> $2";
static const char CASE_SQL_CACHE[] =
    "UPDATE cases SET due_ms = $2, light_due_ms = $3, light_yellow_ms = $4,"
    " light_floor = $5 WHERE id = $1 AND (due_ms <> $2"
    " OR light_due_ms IS DISTINCT FROM $3"
    " OR light_yellow_ms IS DISTINCT FROM $4 OR light_floor <> $5)";

static void case_min(int64_t *acc, int *has, int64_t v)
{
    if (!*has || v < *acc)
        *acc = v;
    *has = 1;
}

/* Recomputes one case's cached columns; *parent its parent (0: none). */
static int case_clock_refresh_one(struct store *db, struct arena *a,
                                  const struct calendar *cal, int64_t id,
                                  int64_t now, int64_t *parent)
{
    struct stmt *st = store_prepare(db, CASE_SQL_REFRESH_ROW);
    const struct module_def *m = NULL;
    const struct clock_def *main;
    struct case_clock_rec *v = NULL;
    int n = 0, rc = -1, has_due = 0, has_yellow = 0, floor = -1;
    int64_t closed = 0, due = 0, ldue = 0, lyellow = 0;

    *parent = 0;
    store_bind_int(st, 1, id);
    if (store_step(st) == STORE_ROW) {
        m = module_find(store_col_text(st, 0));
        closed = store_col_int(st, 1);
        *parent = store_col_int(st, 2);
    }
    if (store_finalize(st) != STORE_OK)
        goto out;
    main = case_clock_main(m);
    if (case_clock_load(db, a, id, &v, &n) != 0)
        goto out;
    for (int i = 0; i < n; i++) {
        struct clock_state cs;
        int is_main = main != NULL && strcmp(v[i].code, main->code) == 0;
        if (clock_eval(&v[i].c, cal, now, &cs) != 0) {
            log_warn("case %" PRId64 ": clock %s is malformed", id, v[i].code);
            continue;
        }
        if (store_run(db, CASE_SQL_CLOCK_DUE, "ii", v[i].id, cs.due_ms) !=
            STORE_OK)
            goto out;
        if (is_main)
            due = cs.due_ms;
        if (closed != 0) {
            if (is_main && cs.stopped)
                floor = (int)cs.light > floor ? (int)cs.light : floor;
            continue;
        }
        if (cs.stopped)
            continue;
        if (cs.paused) {
            int l = (int)cs.light;
            if (v[i].warn_only && l > CLOCK_YELLOW)
                l = CLOCK_YELLOW;
            floor = l > floor ? l : floor;
        } else if (v[i].warn_only) {
            case_min(&lyellow, &has_yellow, cs.yellow_ms);
            case_min(&lyellow, &has_yellow, cs.due_ms);
        } else {
            case_min(&ldue, &has_due, cs.due_ms);
            case_min(&lyellow, &has_yellow, cs.yellow_ms);
        }
    }
    if (closed == 0) {
        st = store_prepare(db, CASE_SQL_CHILD_LIGHTS);
        store_bind_int(st, 1, id);
        if (store_step(st) == STORE_ROW) {
            if (!store_col_isnull(st, 0))
                case_min(&ldue, &has_due, store_col_int(st, 0));
            if (!store_col_isnull(st, 1))
                case_min(&lyellow, &has_yellow, store_col_int(st, 1));
            if (!store_col_isnull(st, 2) && store_col_int(st, 2) > floor)
                floor = (int)store_col_int(st, 2);
        }
        if (store_finalize(st) != STORE_OK)
            goto out;
    }
    st = store_prepare(db, CASE_SQL_CACHE);
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, due);
    if (has_due)
        store_bind_int(st, 3, ldue);
    else
        store_bind_null(st, 3);
    if (has_yellow)
        store_bind_int(st, 4, lyellow);
    else
        store_bind_null(st, 4);
    store_bind_int(st, 5, floor);
    store_step(st);
    if (store_finalize(st) != STORE_OK)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        log_error("cannot refresh the clocks of case %" PRId64 ": %s", id,
                  store_errmsg(db));
    return rc;
}

int case_clock_refresh(struct store *db, int64_t id, int64_t now)
{
    struct calendar *cal = NULL;
    struct arena *a = arena_new();
    int rc = -1;

    if (calendar_load(db, &cal) != 0)
        goto out;
    for (int depth = 0; id > 0 && depth < CASE_MAX_DEPTH; depth++) {
        int64_t parent = 0;
        if (case_clock_refresh_one(db, a, cal, id, now, &parent) != 0)
            goto out;
        id = parent;
    }
    rc = 0;
out:
    calendar_free(cal);
    arena_free(a);
    return rc;
}

int case_clock_views(struct store *db, struct arena *a,
                     const struct module_def *m, int64_t id,
                     struct case_clock_view **out, int *n, int *unpublished)
{
    struct calendar *cal = NULL;
    struct case_clock_rec *v = NULL;
    int nv = 0, count = 0, rc = -1;
    int64_t now = now_ms();

    *out = NULL;
    *n = 0;
    *unpublished = 0;
    if (calendar_load(db, &cal) != 0 || case_clock_load(db, a, id, &v, &nv))
        goto out;
    *out = arena_alloc(a, sizeof(**out) * (size_t)(nv + 1));
    for (int i = 0; i < nv; i++) {
        struct case_clock_view *cv = &(*out)[count];
        cv->def = module_clock(m, v[i].code);
        if (cv->def == NULL || clock_eval(&v[i].c, cal, now, &cv->st) != 0)
            continue;
        cv->start_ms = v[i].c.start_ms;
        cv->nextensions = v[i].granted;
        *unpublished |= cv->st.unpublished;
        count++;
    }
    *n = count;
    rc = 0;
out:
    calendar_free(cal);
    return rc;
}

/* The clock `code` of case c evaluated now: 1 with *st when it has
 * started and not stopped, 0 when not, -1 on failure. */
static int case_clock_now(struct case_ctx *c, const char *code,
                          struct clock_state *st)
{
    struct case_clock_view *v = NULL;
    int n = 0, unpublished = 0;
    if (case_clock_views(c->db, c->a, c->m, c->id, &v, &n, &unpublished) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].def->code, code) == 0 && !v[i].st.stopped) {
            *st = v[i].st;
            return 1;
        }
    return 0;
}

int case_clock_within(struct case_ctx *c, const struct transition_def *t,
                      struct err *e)
{
    const struct clock_def *d;
    struct clock_state st;
    int q;
    if (t->within == NULL)
        return 0;
    d = module_clock(c->m, t->within);
    q = d != NULL ? case_clock_now(c, d->code, &st) : 0;
    if (q < 0)
        return err_set(e, 500, "internal", case_msg_internal);
    if (q == 0 || c->now >= st.due_ms)
        return err_set(e, 409, "conflict",
                       arena_printf(c->a, "已超过%s，不能%s",
                                    d != NULL ? d->label : "时限", t->label));
    return 0;
}

int case_clock_within_view(const struct case_view *v,
                           const struct transition_def *t, int64_t now)
{
    if (t->within == NULL)
        return 1;
    for (int i = 0; i < v->nclocks; i++)
        if (strcmp(v->clocks[i].def->code, t->within) == 0)
            return !v->clocks[i].st.stopped && now < v->clocks[i].st.due_ms;
    return 0;
}

int case_clock_extend_check(struct case_ctx *c, const struct transition_def *t,
                            struct err *e)
{
    const struct field_def *f = module_field(c->m, t->extend_field);
    const struct clock_def *d = NULL;
    const char *v;
    struct clock_state st;
    struct ymd want;
    char day[11];
    int q;

    if (f == NULL || f->type != FIELD_DATE)
        return 0;
    v = case_val_text(c, f->code);
    if (v == NULL || ymd_parse(v, &want) != 0)
        return 0; /* required or not: the field checks say so */
    for (int i = 0; i < 4 && d == NULL; i++)
        if (t->clocks[i].op == CLOCK_OP_EXTEND)
            d = module_clock(c->m, t->clocks[i].clock);
    if (d == NULL)
        d = case_clock_main(c->m);
    if (d == NULL)
        return 0;
    q = case_clock_now(c, d->code, &st);
    if (q < 0)
        return err_set(e, 500, "internal", case_msg_internal);
    if (q == 0 || ymd_to_days(want) > ymd_to_days(st.due_date))
        return 0;
    ymd_fmt(st.due_date, day);
    return err_field(
        e, f->code,
        arena_printf(c->a, "%s须晚于目前的%s（%s）", f->label, d->label, day));
}

static const char CASE_SQL_RUNNING_CASES[] =
    "SELECT DISTINCT case_id FROM case_clocks WHERE stop_ms = 0"
    " ORDER BY case_id";

int case_recompute_all(struct store *db)
{
    struct arena *a = arena_new();
    int64_t *ids = NULL;
    int cap = 64, n = 0, s, rc = -1;
    struct stmt *st = store_prepare(db, CASE_SQL_RUNNING_CASES);

    ids = arena_alloc(a, sizeof(*ids) * (size_t)cap);
    while ((s = store_step(st)) == STORE_ROW) {
        ids = arena_grow(a, ids, n, &cap, sizeof(*ids));
        ids[n++] = store_col_int(st, 0);
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
    for (int i = 0; i < n; i++)
        if (case_clock_refresh(db, ids[i], now_ms()) != 0)
            goto out;
    rc = 0;
out:
    if (rc != 0)
        log_error("cannot recompute the clocks of cases: %s", store_errmsg(db));
    arena_free(a);
    return rc;
}

/* ---- the reminder sweep ---- */

#define CASE_SWEEP_MAX 1000

/* The open cases whose light at $1 differs from last_light, first 1000 by
 * id.  A light only rises with time, and red (2) is the most, so a case
 * last seen red differs only when its due instant went away or moved to
 * the future (a restart, an extension, a stopped clock): those two
 * branches are ranges of the index cases_sweep (schema.c, migration 9)
 * that skip the cases still overdue, often most of the open ones.  The
 * none, green and yellow ones are tested from that index alone; only the
 * rows that differ are read whole, at most 1000 of them (the LIMIT inside:
 * PostgreSQL would otherwise walk the primary key to find the first 1000).
 * The work is proportional to the open cases not yet red, not to every
 * open case's wide row. */
#define CASE_SWEEP_OPEN " FROM cases c WHERE c.closed_ms = 0 AND c.last_light "
/* clang-format off */
static const char CASE_SQL_SWEEP[] =
    "SELECT c.id, " CASE_LIGHT_SQL("$1") ", c.last_light,"
    " COALESCE(c.handler_id, 0), c.module, c.title, c.secrecy FROM cases c"
    " WHERE c.id IN (SELECT s.id FROM (SELECT c.id" CASE_SWEEP_OPEN "< 2"
    " AND " CASE_LIGHT_SQL("$1") " <> c.last_light"
    " UNION ALL SELECT c.id" CASE_SWEEP_OPEN "= 2"
    " AND c.light_due_ms IS NULL AND " CASE_LIGHT_SQL("$1") " <> 2"
    " UNION ALL SELECT c.id" CASE_SWEEP_OPEN "= 2"
    " AND c.light_due_ms > $1 AND " CASE_LIGHT_SQL("$1") " <> 2"
    " UNION ALL SELECT c.id" CASE_SWEEP_OPEN "> 2) s"
    " ORDER BY s.id LIMIT 1000) ORDER BY c.id";
/* clang-format on */
/* PostgreSQL plans the sweep's index-only scans in parallel when the
 * generic plan expects many rows; starting the workers cost ~200 ms of a
 * ~50 ms query on a busy machine.  For the sweep's transaction only. */
static const char CASE_SQL_SWEEP_SERIAL_PG[] =
    "SET LOCAL max_parallel_workers_per_gather = 0";
static const char CASE_SQL_SWEEP_MARK[] =
    "UPDATE cases SET last_light = $2 WHERE id = $1";

struct case_sweep_item {
    int64_t id, handler;
    int light, last, secrecy;
    const char *module, *title;
};

int case_sweep(struct store *db, int64_t now)
{
    struct arena *a = arena_new();
    struct case_sweep_item *v =
        arena_alloc(a, sizeof(*v) * (size_t)CASE_SWEEP_MAX);
    struct actor sys;
    struct stmt *st = NULL;
    int n = 0, s, rc = -1, notified = 0;

    actor_system(&sys);
    if (store_begin(db) != STORE_OK)
        goto out;
    if (store_kind(db) == STORE_PG &&
        store_run(db, CASE_SQL_SWEEP_SERIAL_PG, "") != STORE_OK)
        goto out;
    st = store_prepare(db, CASE_SQL_SWEEP);
    store_bind_int(st, 1, now);
    while ((s = store_step(st)) == STORE_ROW && n < CASE_SWEEP_MAX) {
        v[n].id = store_col_int(st, 0);
        v[n].light = (int)store_col_int(st, 1);
        v[n].last = (int)store_col_int(st, 2);
        v[n].handler = store_col_int(st, 3);
        v[n].module = arena_strdup(a, store_col_text(st, 4));
        v[n].title = arena_strdup(a, store_col_text(st, 5));
        v[n].secrecy = (int)store_col_int(st, 6);
        n++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
    for (int i = 0; i < n; i++) {
        int64_t *ids = NULL, *sup = NULL;
        int nids = 0, nsup = 0;
        const char *what = case_notify_subject(a, module_find(v[i].module),
                                               v[i].title, v[i].secrecy);
        if (store_run(db, CASE_SQL_SWEEP_MARK, "ii", v[i].id,
                      (int64_t)v[i].light) != STORE_OK)
            goto out;
        if (v[i].light <= v[i].last || v[i].light < CLOCK_YELLOW)
            continue;
        if (v[i].handler > 0) {
            ids = &v[i].handler;
            nids = 1;
        } else if (case_people_waiting(db, a, v[i].id, &ids, &nids) != 0)
            goto out;
        if (v[i].light == CLOCK_RED &&
            case_people_rel(db, a, v[i].id, REL_SUPERVISOR, NULL, &sup,
                            &nsup) != 0)
            goto out;
        const char *text =
            v[i].light == CLOCK_RED
                ? arena_printf(a, "%s已超过办理时限（红灯），请抓紧办理", what)
                : arena_printf(a, "%s临近办理时限（黄灯），请及时办理", what);
        const char *kind =
            v[i].light == CLOCK_RED ? "clock.red" : "clock.yellow";
        if (case_notify_people(db, &sys, v[i].id, ids, nids, kind, text) != 0 ||
            case_notify_people(db, &sys, v[i].id, sup, nsup, kind, text) != 0)
            goto out;
        notified++;
    }
    if (store_commit(db) != STORE_OK)
        goto out;
    rc = notified;
out:
    if (rc < 0) {
        log_error("case sweep failed: %s", store_errmsg(db));
        store_rollback(db);
    }
    arena_free(a);
    return rc;
}
