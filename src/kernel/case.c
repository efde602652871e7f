/*
 * case.c - the writes of the case engine (see case.h): registering a case,
 * firing a transition, editing fields, comments and links.
 *
 * The lifecycle of a transition, case_fire(), and the function performing
 * each step; all of it is one transaction (store_begin .. store_commit)
 * and any failure rolls all of it back, the number and the audit record
 * included:
 *
 *     lock        store_tx_lock(case)          writers of one case queue
 *     load        case_row_load                404 unknown case
 *     see         case_row_visible             404 not visible (clearance,
 *                                              need to know, 三员分立)
 *     may         case_relations, case_may_fire  403 role or relation,
 *                 case_clock_within            409 state, pending, or the
 *                                              `within` clock ran out
 *     fields      case_fields_apply            400 only listed fields,
 *                 case_fields_required         each checked by type;
 *                 case_clock_extend_check      required of the transition
 *                                              and of the target state; a
 *                                              DATE extension after the
 *                                              current last day
 *     rules       t->check, m->validate        the module's own (409/400)
 *                 case_open_children           409 children_block_close
 *     row         case_row_update              state, fields, pending,
 *                                              closed_ms, derived columns
 *     parties     case_parties_write           relations from the fields
 *     clocks      case_clock_effects,          START/PAUSE/RESUME/EXTEND/
 *                 case_clock_follow_fields,    STOP; a changed deadline
 *                 case_clock_stop_all          field; closing stops all
 *     apply       t->apply                     the module's own effect;
 *                                              fields it sets are written
 *     waits       case_waits_write             whom the case waits for
 *     lights      case_clock_refresh           cached columns, up the
 *                                              parent chain
 *     roll-up     case_rollup                  parents' progress
 *     timeline    case_timeline_write          opinion or transition
 *     audit       case_audit                   "case.<module>.<code>"
 *     index       case_index (hook)            search document
 *     notify      case_notify_after (hook)     those it waits for now and
 *                                              the transition's notify_rel
 *     commit
 *
 * A transition with TR_NUMBER takes the case's number right after the
 * row is written (case_number_take), before apply.  A parallel transition
 * (all_rel, 会签) records the member's vote in case_votes; until the last
 * member has voted the firing changes no state and skips clocks, apply and
 * notifications (case_vote_member, case_vote_remaining).  Votes are
 * forgotten when the state changes.
 *
 * case_create() runs the same steps from "fields" on, with the initial
 * state, the number (number_take; not for a module that numbers at a
 * TR_NUMBER transition) and the module's create_clocks, and on_create in
 * place of apply.  case_edit() runs fields .. index without a state change.
 *
 * case_create() and case_link() join the caller's transaction when one is
 * open (a module hook delivering a document as a new case of another
 * module): they neither commit nor roll back then, and a failure makes
 * the caller's write fail as a whole.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"
#include "kernel/calendar_store.h"
#include "kernel/case_int.h"
#include "kernel/notify.h"
#include "kernel/number.h"
#include "kernel/org.h"
#include "kernel/search.h"

#define CASE_LOCK_KEY 0x4341534500000000LL /* "CASE" + the case id */
#define CASE_COMMENT_MAX 5000

static int (*case_index_fn)(struct store *, int64_t, const char *,
                            const char *);
static int64_t (*case_notify_fn)(struct store *, int64_t, int64_t, const char *,
                                 const char *);

void case_on_index(int (*fn)(struct store *db, int64_t case_id,
                             const char *module, const char *text))
{
    case_index_fn = fn;
}

void case_on_notify(int64_t (*fn)(struct store *db, int64_t user_id,
                                  int64_t case_id, const char *kind,
                                  const char *text))
{
    case_notify_fn = fn;
}

static int case_fail(struct store *db, struct err *e, const char *what)
{
    log_error("%s: %s", what, store_errmsg(db));
    if (!err_isset(e) || e->status < 500)
        err_clear(e);
    return err_set(e, store_errcode(db) == STORE_E_BUSY ? 503 : 500, "internal",
                   case_msg_internal);
}

static void case_bind_id(struct stmt *st, int idx, int64_t id)
{
    if (id > 0)
        store_bind_int(st, idx, id);
    else
        store_bind_null(st, idx);
}

/* ---- columns derived from the fields ---- */

struct case_cols {
    const char *title;
    int secrecy;
    int64_t lead_unit_id, handler_id;
    int progress;
};

static int case_cols_of(struct case_ctx *c, struct case_cols *k)
{
    json_t *v;
    memset(k, 0, sizeof(*k));
    v = case_field_by_role(c->m, c->fields, FIELD_IS_TITLE, NULL);
    k->title = v != NULL ? case_field_text(c->a, v) : "";
    v = case_field_by_role(c->m, c->fields, FIELD_IS_SECRECY, NULL);
    if (v != NULL)
        k->secrecy = json_is_integer(v) ? (int)json_integer_value(v)
                                        : atoi(json_string_value(v));
    v = case_field_by_role(c->m, c->fields, FIELD_IS_PROGRESS, NULL);
    if (v != NULL && json_is_integer(v))
        k->progress = (int)json_integer_value(v);
    v = case_field_by_role(c->m, c->fields, FIELD_IS_LEAD_UNIT, NULL);
    if (v != NULL &&
        (k->lead_unit_id = case_unit_id(c->db, json_string_value(v))) < 0)
        return -1;
    v = case_field_by_role(c->m, c->fields, FIELD_IS_HANDLER, NULL);
    if (v != NULL &&
        (k->handler_id = case_user_id(c->db, json_string_value(v))) < 0)
        return -1;
    return 0;
}

static char *case_data_text(json_t *fields)
{
    return json_text(fields, JSON_COMPACT | JSON_SORT_KEYS);
}

/* The row's columns as stored (case_ctx.written): an UPDATE sets only the
 * ones that changed.  SQLite rewrites the entries of every index on a
 * column an UPDATE sets, whether or not its value changed, and cases has
 * a dozen such indexes: a 催办 changes none of these columns but rewrote
 * all of them.  Also updated_ms (three indexes): a transition whose hook
 * changes a field (催办 counts itself) writes the row twice at one instant. */
struct case_written {
    struct case_cols k;
    const char *state, *pending;
    int64_t closed_ms, updated_ms;
};

static int case_same_text(const char *x, const char *y)
{
    return (x == NULL && y == NULL) ||
           (x != NULL && y != NULL && strcmp(x, y) == 0);
}

/* Writes the row of c from c->fields with the given state, pending and
 * closed instant: data and updated_ms always, the other columns when they
 * differ from what c->written says is stored (all when it is NULL). */
static int case_row_update(struct case_ctx *c, const char *state,
                           const char *pending, int64_t closed_ms,
                           struct err *e)
{
    struct case_cols k;
    const struct case_written *w = c->written;
    struct buf sql;
    int np = 2, ok;

    if (case_cols_of(c, &k) != 0)
        return case_fail(c->db, e, "cannot resolve case columns");
    int set_updated = !w || w->updated_ms != c->now,
        set_title = !w || !case_same_text(w->k.title, k.title),
        set_state = !w || !case_same_text(w->state, state),
        set_secrecy = !w || w->k.secrecy != k.secrecy,
        set_lead = !w || w->k.lead_unit_id != k.lead_unit_id,
        set_handler = !w || w->k.handler_id != k.handler_id,
        set_progress = !w || w->k.progress != k.progress,
        set_pending = !w || !case_same_text(w->pending, pending),
        set_closed = !w || w->closed_ms != closed_ms;
    /* the placeholders numbered in order: PostgreSQL wants every $N used */
    buf_init(&sql, 1024);
    buf_puts(&sql, "UPDATE cases SET data = $2");
    static const char *const col[] = {
        "updated_ms", "title",    "state",   "secrecy",  "lead_unit_id",
        "handler_id", "progress", "pending", "closed_ms"};
    const int set[] = {set_updated,  set_title,   set_state,
                       set_secrecy,  set_lead,    set_handler,
                       set_progress, set_pending, set_closed};
    for (int j = 0; j < 9; j++)
        if (set[j])
            buf_printf(&sql, ", %s = $%d", col[j], ++np);
    buf_puts(&sql, " WHERE id = $1");
    char *data = case_data_text(c->fields);
    struct stmt *st = store_prepare(c->db, sql.ptr);
    int i = 1;
    store_bind_int(st, i++, c->id);
    store_bind_text(st, i++, data != NULL ? data : "{}");
    if (set_updated)
        store_bind_int(st, i++, c->now);
    if (set_title)
        store_bind_text(st, i++, k.title);
    if (set_state)
        store_bind_text(st, i++, state);
    if (set_secrecy)
        store_bind_int(st, i++, k.secrecy);
    if (set_lead)
        case_bind_id(st, i++, k.lead_unit_id);
    if (set_handler)
        case_bind_id(st, i++, k.handler_id);
    if (set_progress)
        store_bind_int(st, i++, k.progress);
    if (set_pending)
        store_bind_text(st, i++, pending);
    if (set_closed)
        store_bind_int(st, i++, closed_ms);
    ok = store_step(st) == STORE_DONE;
    free(data);
    ok = store_finalize(st) == STORE_OK && ok;
    buf_free(&sql);
    if (!ok)
        return case_fail(c->db, e, "cannot update case");
    struct case_written *now = arena_alloc(c->a, sizeof(*now));
    now->k = k;
    now->state = state;
    now->pending = pending;
    now->closed_ms = closed_ms;
    now->updated_ms = c->now;
    c->written = now;
    c->dirty = 0;
    return 0;
}

/* ---- parties and waits ---- */

static const char CASE_SQL_PARTIES_DROP[] =
    "DELETE FROM case_parties WHERE case_id = $1";
static const char CASE_SQL_PARTY_ADD[] =
    "INSERT INTO case_parties (case_id, rel, unit_id, user_id)"
    " VALUES ($1, $2, $3, $4)";

static int case_party_add(struct store *db, int64_t id, const char *rel,
                          int64_t unit_id, int64_t user_id)
{
    return store_run(db, CASE_SQL_PARTY_ADD, "itii", id, rel, unit_id,
                     user_id) == STORE_OK
               ? 0
               : -1;
}

/* The values of m's fields that make parties (a role with a relation),
 * copied: what case_parties is written from, besides creator and owner. */
static json_t *case_parties_key(const struct module_def *m, json_t *fields)
{
    json_t *k = json_object();
    for (int i = 0; m->fields[i].code != NULL; i++) {
        const struct field_def *f = &m->fields[i];
        json_t *v = json_object_get(fields, f->code);
        if (case_rel_of_role(f->role) != NULL && !case_field_empty(v))
            json_object_set_new(k, f->code, json_deep_copy(v));
    }
    return k;
}

/* Rewrites case_parties from the fields, unless they hold what it was
 * written from (c->parties_at): a 催办 or an opinion changes no party, and
 * rewriting a dozen rows and their index entries was a third of its
 * pages.  The creator and the owning unit never change after creation. */
static int case_parties_write(struct case_ctx *c, int64_t creator_id,
                              int64_t owner_unit_id)
{
    json_t *key = case_json_keep(c->a, case_parties_key(c->m, c->fields));
    if (c->parties_at != NULL && json_equal(key, c->parties_at))
        return 0;
    c->parties_at = key;
    c->parties_new = 1;
    if (store_run(c->db, CASE_SQL_PARTIES_DROP, "i", c->id) != STORE_OK)
        return -1;
    if (creator_id > 0 &&
        case_party_add(c->db, c->id, "creator", 0, creator_id) != 0)
        return -1;
    if (owner_unit_id > 0 &&
        case_party_add(c->db, c->id, "owner", owner_unit_id, 0) != 0)
        return -1;
    for (int i = 0; c->m->fields[i].code != NULL; i++) {
        const struct field_def *f = &c->m->fields[i];
        const char *rel = case_rel_of_role(f->role);
        json_t *v = json_object_get(c->fields, f->code), *x;
        json_t *one = NULL;
        size_t j;
        int unit = f->type == FIELD_UNIT || f->type == FIELD_UNITS;
        if (rel == NULL || case_field_empty(v))
            continue;
        if (!json_is_array(v)) {
            one = json_array();
            json_array_append(one, v);
            v = one;
        }
        json_array_foreach(v, j, x)
        {
            const char *code = json_string_value(x);
            int64_t id = code == NULL ? 0
                         : unit       ? case_unit_id(c->db, code)
                                      : case_user_id(c->db, code);
            if (id < 0 ||
                (id > 0 && case_party_add(c->db, c->id, rel, unit ? id : 0,
                                          unit ? 0 : id) != 0)) {
                json_decref(one);
                return -1;
            }
        }
        json_decref(one);
    }
    return 0;
}

static const char CASE_SQL_WAITS_DROP[] =
    "DELETE FROM case_waits WHERE case_id = $1";
static const char CASE_SQL_WAIT_REL[] =
    "INSERT INTO case_waits (case_id, unit_id, user_id, role, pending)"
    " SELECT case_id, unit_id, user_id, $2, $3 FROM case_parties"
    " WHERE case_id = $1 AND rel = $4";
static const char CASE_SQL_WAIT_ANY[] =
    "INSERT INTO case_waits (case_id, unit_id, user_id, role, pending)"
    " VALUES ($1, 0, 0, $2, $3)";

/* Adds the waits of (rel, roles) for pending ("" for the state's). */
static const char *const case_rels[] = {"creator",    "handler", "lead",
                                        "co",         "signer",  "owner",
                                        "supervisor", "reader"};

/* The case_parties.rel code of one enum case_rel bit, NULL when none. */
static const char *case_rel_code(int bit)
{
    for (size_t i = 0; i < sizeof(case_rels) / sizeof(case_rels[0]); i++)
        if (case_rel_bit(case_rels[i]) == bit)
            return case_rels[i];
    return NULL;
}

static int case_waits_add(struct store *db, int64_t id, int rel,
                          const char *roles, const char *pending)
{
    const char *const *rels = case_rels;
    const char *list = roles != NULL ? roles : "*";
    if (rel == 0 && roles == NULL)
        return 0;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char role[65];
        if (len == 0 || len >= sizeof(role))
            return -1;
        memcpy(role, p, len);
        role[len] = '\0';
        if (rel == 0) {
            if (store_run(db, CASE_SQL_WAIT_ANY, "itt", id, role, pending) !=
                STORE_OK)
                return -1;
        } else {
            for (size_t i = 0; i < sizeof(case_rels) / sizeof(case_rels[0]);
                 i++)
                if ((rel & case_rel_bit(rels[i])) &&
                    store_run(db, CASE_SQL_WAIT_REL, "ittt", id, role, pending,
                              rels[i]) != STORE_OK)
                    return -1;
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

static const char CASE_SQL_WAITS_VOTED[] =
    "DELETE FROM case_waits WHERE case_id = $1 AND EXISTS (SELECT 1 FROM"
    " case_votes v WHERE v.case_id = case_waits.case_id AND"
    " ((v.unit_id <> 0 AND v.unit_id = case_waits.unit_id) OR"
    " (v.user_id <> 0 AND v.user_id = case_waits.user_id)))";

/* Rewrites whom the case waits for in state s (and its pending request);
 * members who have cast their vote in a parallel transition (all_rel) are
 * not waited for any more. */
static int case_waits_write(struct store *db, const struct module_def *m,
                            int64_t id, const struct state_def *s,
                            const char *pending)
{
    if (store_run(db, CASE_SQL_WAITS_DROP, "i", id) != STORE_OK)
        return -1;
    if (s->flags & (STATE_CLOSED | STATE_ARCHIVED))
        return 0;
    if (case_waits_add(db, id, s->wait_rel, s->wait_roles, "") != 0)
        return -1;
    for (int i = 0;
         pending != NULL && m->pendings != NULL && m->pendings[i].code != NULL;
         i++)
        if (strcmp(m->pendings[i].code, pending) == 0 &&
            case_waits_add(db, id, m->pendings[i].wait_rel,
                           m->pendings[i].wait_roles, pending) != 0)
            return -1;
    if (store_run(db, CASE_SQL_WAITS_VOTED, "i", id) != STORE_OK)
        return -1;
    return 0;
}

/* ---- people to notify ---- */

/* Who may act on a case: active, cleared for it, not an administrator
 * (u the user, c the case). */
#define CASE_PEOPLE_MAY                                                        \
    " u.active = 1 AND u.clearance >= c.secrecy AND NOT EXISTS (SELECT 1"      \
    " FROM user_roles r JOIN roles o ON o.code = r.role WHERE"                 \
    " r.user_id = u.id AND o.admin = 1)"

/* A wait names a person, a unit's people, or (neither, an open case)
 * everyone; each kind is its own branch, found through its own index: one
 * join with the three as an OR read every user for every transition (2 ms
 * inside the write lock with 3,000 users).  "+w.user_id" keeps the planner
 * on the case's waits rather than on every wait of user 0. */
#define CASE_PEOPLE_WAIT_ROLE                                                  \
    " AND (w.role = '*' OR EXISTS (SELECT 1 FROM user_roles r WHERE"           \
    " r.user_id = u.id AND r.role = w.role)) AND" CASE_PEOPLE_MAY
static const char CASE_SQL_PEOPLE_WAITING[] =
    "SELECT u.id FROM case_waits w JOIN cases c ON c.id = w.case_id"
    " JOIN users u ON u.id = w.user_id WHERE w.case_id = $1 AND"
    " +w.user_id <> 0" CASE_PEOPLE_WAIT_ROLE
    " UNION SELECT u.id FROM case_waits w JOIN cases c ON c.id = w.case_id"
    " JOIN users u ON u.unit_id = w.unit_id WHERE w.case_id = $1 AND"
    " +w.user_id = 0 AND +w.unit_id <> 0" CASE_PEOPLE_WAIT_ROLE
    " UNION SELECT u.id FROM case_waits w JOIN cases c ON c.id = w.case_id"
    " CROSS JOIN users u WHERE w.case_id = $1 AND +w.user_id = 0 AND"
    " +w.unit_id = 0 AND c.secrecy = 0" CASE_PEOPLE_WAIT_ROLE
    " ORDER BY 1 LIMIT 200";

/* The parties: a person or a unit's people, a branch each as above.
 * CASE_SQL_PEOPLE_REL_ROLES gives each of them once per role they hold
 * (none: ''), for a transition that tells only some roles: one query,
 * where asking each person's roles apart took one more per person. */
#define CASE_PEOPLE_REL(cols, join)                                            \
    "SELECT u.id, p.rel" cols " FROM case_parties p JOIN cases c"              \
    " ON c.id = p.case_id JOIN users u ON u.id = p.user_id" join               \
    " WHERE p.case_id = $1 AND +p.user_id <> 0 AND" CASE_PEOPLE_MAY            \
    " UNION SELECT u.id, p.rel" cols " FROM case_parties p JOIN cases c"       \
    " ON c.id = p.case_id JOIN users u ON u.unit_id = p.unit_id" join          \
    " WHERE p.case_id = $1 AND +p.user_id = 0 AND +p.unit_id <> 0 "            \
    "AND" CASE_PEOPLE_MAY " ORDER BY 1"
static const char CASE_SQL_PEOPLE_REL[] = CASE_PEOPLE_REL("", "");
static const char CASE_SQL_PEOPLE_REL_ROLES[] = CASE_PEOPLE_REL(
    ", COALESCE(ur.role, '')", " LEFT JOIN user_roles ur ON ur.user_id = u.id");

static int case_ids_add(struct arena *a, int64_t **ids, int *n, int *cap,
                        int64_t id)
{
    for (int i = 0; i < *n; i++)
        if ((*ids)[i] == id)
            return 0;
    if (*n >= CASE_NOTIFY_MAX)
        return 0;
    if (*n == *cap) {
        int64_t *w = arena_alloc(a, sizeof(*w) * (size_t)(*cap * 2));
        memcpy(w, *ids, sizeof(*w) * (size_t)*cap);
        *ids = w;
        *cap *= 2;
    }
    (*ids)[(*n)++] = id;
    return 0;
}

int case_people_waiting(struct store *db, struct arena *a, int64_t case_id,
                        int64_t **ids, int *n)
{
    int cap = 16, s;
    struct stmt *st = store_prepare(db, CASE_SQL_PEOPLE_WAITING);
    *ids = arena_alloc(a, sizeof(**ids) * (size_t)cap);
    *n = 0;
    store_bind_int(st, 1, case_id);
    while ((s = store_step(st)) == STORE_ROW)
        case_ids_add(a, ids, n, &cap, store_col_int(st, 0));
    return store_finalize(st) == STORE_OK && s != STORE_ERR ? 0 : -1;
}

int case_people_rel(struct store *db, struct arena *a, int64_t case_id, int rel,
                    const char *roles, int64_t **ids, int *n)
{
    int cap = 16, s;
    int any_role = roles == NULL || strcmp(roles, "*") == 0;
    struct stmt *st = store_prepare(db, any_role ? CASE_SQL_PEOPLE_REL
                                                 : CASE_SQL_PEOPLE_REL_ROLES);

    *ids = arena_alloc(a, sizeof(**ids) * (size_t)cap);
    *n = 0;
    store_bind_int(st, 1, case_id);
    while ((s = store_step(st)) == STORE_ROW)
        if ((case_rel_bit(store_col_text(st, 1)) & rel) &&
            (any_role || module_in_list(roles, store_col_text(st, 2))))
            case_ids_add(a, ids, n, &cap, store_col_int(st, 0));
    return store_finalize(st) == STORE_OK && s != STORE_ERR ? 0 : -1;
}

int case_notify_people(struct store *db, const struct actor *who,
                       int64_t case_id, const int64_t *ids, int n,
                       const char *kind, const char *text)
{
    if (case_notify_fn == NULL)
        return 0;
    for (int i = 0; i < n; i++) {
        if (ids[i] == who->user_id)
            continue;
        if (case_notify_fn(db, ids[i], case_id, kind, text) < 0)
            return -1;
    }
    return 0;
}

const char *case_notify_subject(struct arena *a, const struct module_def *m,
                                const char *title, int secrecy)
{
    if (secrecy > 0)
        return "一件涉密事项";
    return arena_printf(a, "%s“%s”", m != NULL ? m->case_label : "事项", title);
}

/* Notifies those the case waits for now, and the transition's notify_rel
 * people.  The text of a classified case names no title (notifications
 * may leave the system by the webhook). */
static int case_notify_after(struct case_ctx *c, const struct case_cols *k)
{
    const char *subject = case_notify_subject(c->a, c->m, k->title, k->secrecy);
    int64_t *ids = NULL;
    int n = 0;
    const char *code = c->t != NULL ? c->t->code : "create";
    const char *label = c->t != NULL ? c->t->label : "登记";
    const char *kind = arena_printf(c->a, "case.%s", code);
    const char *text;

    if (case_notify_fn == NULL)
        return 0;
    if (case_people_waiting(c->db, c->a, c->id, &ids, &n) != 0)
        return -1;
    text = arena_printf(c->a, "%s已%s，待您办理", subject, label);
    if (case_notify_people(c->db, c->who, c->id, ids, n, kind, text) != 0)
        return -1;
    if (c->t != NULL && c->t->notify_rel != 0) {
        int64_t *more = NULL;
        int nmore = 0, k = 0;
        if (case_people_rel(c->db, c->a, c->id, c->t->notify_rel,
                            c->t->notify_roles, &more, &nmore) != 0)
            return -1;
        /* those told already above are not told twice */
        for (int i = 0; i < nmore; i++) {
            int dup = 0;
            for (int j = 0; j < n && !dup; j++)
                dup = more[i] == ids[j];
            if (!dup)
                more[k++] = more[i];
        }
        text = arena_printf(c->a, "%s：%s%s", subject,
                            c->who->name != NULL ? c->who->name : "", label);
        if (case_notify_people(c->db, c->who, c->id, more, k, kind, text) != 0)
            return -1;
    }
    return 0;
}

/* ---- timeline, audit, index ---- */

static const char CASE_SQL_TIMELINE[] =
    "INSERT INTO case_timeline (case_id, at_ms, actor_id, actor_login,"
    " actor_name, actor_role, kind, transition, from_state, to_state, text,"
    " data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

static int case_timeline_write(struct store *db, const struct actor *who,
                               int64_t case_id, int64_t at, const char *role,
                               const char *kind, const char *transition,
                               const char *from, const char *to,
                               const char *text, const char *data)
{
    struct stmt *st = store_prepare(db, CASE_SQL_TIMELINE);
    int ok;
    store_bind_int(st, 1, case_id);
    store_bind_int(st, 2, at);
    store_bind_int(st, 3, who->user_id);
    store_bind_text(st, 4, who->login != NULL ? who->login : "");
    store_bind_text(st, 5, who->name != NULL ? who->name : "");
    store_bind_text(st, 6, role != NULL ? role : "");
    store_bind_text(st, 7, kind);
    store_bind_text(st, 8, transition != NULL ? transition : "");
    store_bind_text(st, 9, from != NULL ? from : "");
    store_bind_text(st, 10, to != NULL ? to : "");
    store_bind_text(st, 11, text != NULL ? text : "");
    store_bind_text(st, 12, data != NULL ? data : "");
    ok = store_step(st) == STORE_DONE;
    return store_finalize(st) == STORE_OK && ok ? 0 : -1;
}

int case_timeline_add(struct store *db, const struct actor *who,
                      int64_t case_id, const char *kind, const char *text,
                      const char *data)
{
    return case_timeline_write(db, who, case_id, now_ms(), NULL, kind, NULL,
                               NULL, NULL, text, data);
}

static const char CASE_SQL_ROLE_NAME[] =
    "SELECT name FROM roles WHERE code = $1";

/* The name of the actor's role that the write used (the first of list the
 * actor holds; NULL/"*": their first role). */
static const char *case_role_label(struct store *db, struct arena *a,
                                   const struct actor *who, const char *list)
{
    const char *code = NULL, *name = "";
    struct stmt *st;
    for (int i = 0; i < who->nroles && i < ACTOR_MAX_ROLES && !code; i++)
        if (who->roles[i] != NULL &&
            (list == NULL || module_in_list(list, who->roles[i])))
            code = who->roles[i];
    if (code == NULL)
        return "";
    st = store_prepare(db, CASE_SQL_ROLE_NAME);
    store_bind_text(st, 1, code);
    if (store_step(st) == STORE_ROW)
        name = arena_strdup(a, store_col_text(st, 0));
    store_finalize(st);
    return name;
}

/* Appends the audit record of a write: detail {"before": {state, changed
 * fields}, "after": {...}, "comment": ...}. */
static int case_audit(struct case_ctx *c, const char *action, const char *from,
                      const char *to)
{
    json_t *d = json_object(), *b = json_object(), *af = json_object();
    char target[24];
    char *s;
    int rc;

    if (from != NULL)
        json_object_set_new(b, "state", json_string(from));
    if (to != NULL)
        json_object_set_new(af, "state", json_string(to));
    for (int i = 0; c->m->fields[i].code != NULL; i++) {
        const char *code = c->m->fields[i].code;
        json_t *x = json_object_get(c->fields, code);
        json_t *y = c->before != NULL ? json_object_get(c->before, code) : NULL;
        if (!case_val_changed(c, code))
            continue;
        json_object_set(b, code, y != NULL ? y : json_null());
        json_object_set(af, code, x != NULL ? x : json_null());
    }
    json_object_set_new(d, "module", json_string(c->m->code));
    json_object_set_new(d, "before", b);
    json_object_set_new(d, "after", af);
    if (c->comment != NULL && c->comment[0] != '\0')
        json_object_set_new(d, "comment", json_string(c->comment));
    s = json_text(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    snprintf(target, sizeof(target), "%" PRId64, c->id);
    rc = s != NULL
             ? audit_append(c->db, c->who, action, "case", target, "ok", s)
             : -1;
    free(s);
    return rc;
}

/* Hands the searchable text of the case to the search hook. */
static int case_index(struct case_ctx *c)
{
    struct buf b;
    int rc;
    if (case_index_fn == NULL)
        return 0;
    buf_init(&b, 1 << 22);
    if (c->number != NULL && c->number[0] != '\0') {
        buf_puts(&b, c->number);
        buf_putc(&b, '\n');
    }
    for (int i = 0; c->m->fields[i].code != NULL; i++) {
        const struct field_def *f = &c->m->fields[i];
        json_t *v = json_object_get(c->fields, f->code);
        if ((f->role != FIELD_IS_TITLE && !(f->flags & FIELD_SEARCH)) ||
            case_field_empty(v))
            continue;
        buf_puts(&b, case_field_display(c->db, c->a, f, v));
        buf_putc(&b, '\n');
    }
    rc = case_index_fn(c->db, c->id, c->m->code, b.ptr) == STORE_OK ? 0 : -1;
    buf_free(&b);
    return rc;
}

/* ---- parents ---- */

static const char CASE_SQL_OPEN_CHILDREN[] =
    "SELECT COUNT(*) FROM cases WHERE parent_id = $1 AND closed_ms = 0";
static const char CASE_SQL_CHILD_PROGRESS[] =
    "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN closed_ms > 0 THEN 100"
    " ELSE progress END), 0) AS BIGINT) FROM cases WHERE parent_id = $1";
static const char CASE_SQL_PROGRESS[] =
    "UPDATE cases SET progress = $2, data = $3 WHERE id = $1";

/* Sets the progress of the parents of a case to the average of their
 * children's (a closed child counts 100), up the chain. */
static int case_rollup(struct store *db, struct arena *a, int64_t parent)
{
    for (int depth = 0; parent > 0 && depth < CASE_MAX_DEPTH; depth++) {
        struct case_row r;
        struct stmt *st = store_prepare(db, CASE_SQL_CHILD_PROGRESS);
        int64_t count = 0, sum = 0;
        int avg;
        const struct field_def *pf = NULL;
        char *data;
        int ok;

        store_bind_int(st, 1, parent);
        if (store_step(st) == STORE_ROW) {
            count = store_col_int(st, 0);
            sum = store_col_int(st, 1);
        }
        if (store_finalize(st) != STORE_OK)
            return -1;
        if (count == 0)
            return 0;
        avg = (int)(sum / count);
        if (case_row_load(db, a, parent, &r) != 0)
            return -1;
        case_field_by_role(r.m, r.data, FIELD_IS_PROGRESS, &pf);
        if (pf != NULL)
            json_object_set_new(r.data, pf->code, json_integer(avg));
        data = case_data_text(r.data);
        ok = data != NULL && store_run(db, CASE_SQL_PROGRESS, "iit", parent,
                                       (int64_t)avg, data) == STORE_OK;
        free(data);
        if (!ok)
            return -1;
        parent = r.parent_id;
    }
    return 0;
}

/* ---- create ---- */

static const char CASE_SQL_INSERT[] =
    "INSERT INTO cases (module, title, state, secrecy, owner_unit_id,"
    " creator_id, lead_unit_id, handler_id, parent_id, progress, created_ms,"
    " updated_ms, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11, $11, $12) RETURNING id";
static const char CASE_SQL_NUMBER[] =
    "UPDATE cases SET number = $2, number_year = $3, number_n = $4"
    " WHERE id = $1";

/* 1 when the module takes its numbers at a TR_NUMBER transition. */
static int case_numbers_late(const struct module_def *m)
{
    for (int i = 0; m->transitions[i].code != NULL; i++)
        if (m->transitions[i].flags & TR_NUMBER)
            return 1;
    return 0;
}

/* Takes the next number of the case's pattern (the Beijing year of c->now)
 * and writes it on the row; c->number is set.  0, or -1 with e. */
static int case_number_take(struct case_ctx *c, struct err *e)
{
    const char *pattern = c->m->number_pattern;
    int year = ms_to_beijing(c->now).y;
    int64_t num = 0;
    const char *number;

    if (c->m->number_pattern_of != NULL) {
        pattern = c->m->number_pattern_of(c, e);
        if (pattern == NULL) {
            if (!err_isset(e))
                err_set(e, 409, "conflict", "无法编号");
            return -1;
        }
    }
    if (pattern == NULL)
        return 0;
    if (!number_pattern_ok(pattern))
        return err_set(e, 400, "invalid", "编号格式有误");
    if (number_take(c->db, pattern, year, c->id, &num) != 0 ||
        (number = number_format(c->a, pattern, year, num)) == NULL ||
        store_run(c->db, CASE_SQL_NUMBER, "itii", c->id, number, (int64_t)year,
                  num) != STORE_OK)
        return case_fail(c->db, e, "cannot number case");
    c->number = number;
    return 0;
}

/* Applies the defaults of fields not given. */
static int case_defaults(struct case_ctx *c, json_t *input, struct err *e)
{
    for (int i = 0; c->m->fields[i].code != NULL; i++) {
        const struct field_def *f = &c->m->fields[i];
        json_t *in, *val = NULL;
        if (f->default_value == NULL ||
            (input != NULL && json_object_get(input, f->code) != NULL))
            continue;
        in = json_string(f->default_value);
        if (case_field_parse(c->db, c->a, f, in, &val, e) != 0) {
            json_decref(in);
            return -1;
        }
        json_decref(in);
        json_object_set_new(c->fields, f->code, val);
    }
    return 0;
}

/* 400 when the case's secrecy is above the actor's clearance. */
static int case_secrecy_check(struct case_ctx *c, struct err *e)
{
    const struct field_def *sf = NULL;
    json_t *v = case_field_by_role(c->m, c->fields, FIELD_IS_SECRECY, &sf);
    int level = 0;
    if (v != NULL)
        level = json_is_integer(v) ? (int)json_integer_value(v)
                                   : atoi(json_string_value(v));
    if (sf != NULL && level > c->who->clearance)
        return err_field(e, sf->code, "密级不能高于您本人的涉密等级");
    return 0;
}

int case_create(struct store *db, struct arena *a, const struct actor *who,
                const struct case_new *n, int64_t *id, struct err *e)
{
    struct case_ctx c;
    struct case_row parent;
    struct case_cols k;
    const struct state_def *init;
    struct stmt *st;
    int rc = -1, q, own = 0;
    int64_t owner = who->unit_id > 0 ? who->unit_id : 0;
    int64_t creator = who->user_id > 0 ? who->user_id : 0;
    char *data = NULL;

    *id = 0;
    memset(&c, 0, sizeof(c));
    c.m = module_find(n->module);
    if (c.m == NULL)
        return err_set(e, 404, "not_found", "没有这个业务模块");
    if (case_actor_is_admin(who))
        return err_set(e, 403, "forbidden", "管理员不能办理业务");
    /* the machine actors (CLI operator, system: user_id 0) register any
     * module's cases, e.g. a document delivered by the exchange */
    if (who->user_id != 0 && (c.m->create_roles == NULL ||
                               !case_roles_match(who, c.m->create_roles)))
        return err_set(e, 403, "forbidden",
                       arena_printf(a, "您无权登记%s", c.m->case_label));
    init = module_initial(c.m);
    c.db = db;
    c.a = a;
    c.who = who;
    c.to = init;
    c.now = now_ms();
    c.number = "";
    c.comment = n->comment;
    c.parent_id = n->parent_id > 0 ? n->parent_id : 0;
    c.input = n->fields;
    c.fields = case_json_keep(a, json_object());
    c.before = case_json_keep(a, json_object());

    own = !store_in_tx(db);
    if (own && store_begin(db) != STORE_OK) {
        case_fail(db, e, "cannot begin case creation");
        own = 0;
        goto out;
    }
    if (c.parent_id > 0) {
        q = case_row_load(db, a, c.parent_id, &parent);
        if (q < 0) {
            case_fail(db, e, "cannot load parent");
            goto out;
        }
        if (q > 0 || case_row_visible(db, who, &parent) != 1) {
            err_set(e, 404, "not_found", "没有找到上级事项");
            goto out;
        }
        if (parent.m->child_module == NULL ||
            strcmp(parent.m->child_module, c.m->code) != 0) {
            err_set(e, 409, "conflict", "该事项不能这样分解");
            goto out;
        }
        if (parent.closed_ms != 0) {
            err_set(e, 409, "conflict", "上级事项已办结，不能再分解");
            goto out;
        }
    }
    if (case_defaults(&c, n->fields, e) != 0 ||
        case_fields_apply(&c, n->fields, NULL, e) != 0)
        goto out;
    if (c.parent_id > 0) {
        /* a child is at least as secret as its parent unless it says */
        const struct field_def *sf = NULL;
        case_field_by_role(c.m, c.fields, FIELD_IS_SECRECY, &sf);
        if (sf != NULL && (n->fields == NULL ||
                           json_object_get(n->fields, sf->code) == NULL)) {
            json_t *pv = case_field_by_role(parent.m, parent.data,
                                            FIELD_IS_SECRECY, NULL);
            if (pv != NULL)
                json_object_set(c.fields, sf->code, pv);
        }
    }
    if (case_fields_required(&c, init, NULL, e) != 0 ||
        case_secrecy_check(&c, e) != 0)
        goto out;
    if (c.m->validate != NULL && c.m->validate(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 400, "invalid", "填写的内容有误");
        goto out;
    }

    if (case_cols_of(&c, &k) != 0) {
        case_fail(db, e, "cannot resolve case columns");
        goto out;
    }
    {
        /* FIELD_IS_OWNER_UNIT: the case belongs to that unit */
        json_t *ov =
            case_field_by_role(c.m, c.fields, FIELD_IS_OWNER_UNIT, NULL);
        int64_t oid = ov != NULL && json_is_string(ov)
                          ? case_unit_id(db, json_string_value(ov))
                          : 0;
        if (oid < 0) {
            case_fail(db, e, "cannot resolve owner unit");
            goto out;
        }
        if (oid > 0)
            owner = oid;
    }
    data = case_data_text(c.fields);
    st = store_prepare(db, CASE_SQL_INSERT);
    store_bind_text(st, 1, c.m->code);
    store_bind_text(st, 2, k.title);
    store_bind_text(st, 3, init->code);
    store_bind_int(st, 4, k.secrecy);
    case_bind_id(st, 5, owner);
    case_bind_id(st, 6, creator);
    case_bind_id(st, 7, k.lead_unit_id);
    case_bind_id(st, 8, k.handler_id);
    case_bind_id(st, 9, c.parent_id);
    store_bind_int(st, 10, k.progress);
    store_bind_int(st, 11, c.now);
    store_bind_text(st, 12, data != NULL ? data : "{}");
    if (store_step(st) == STORE_ROW)
        c.id = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK || c.id <= 0) {
        case_fail(db, e, "cannot insert case");
        goto out;
    }

    if (!case_numbers_late(c.m) && case_number_take(&c, e) != 0)
        goto out;
    if (case_parties_write(&c, creator, owner) != 0) {
        case_fail(db, e, "cannot write case parties");
        goto out;
    }
    if (case_clock_effects(&c, c.m->create_clocks, NULL, e) != 0)
        goto out;
    if (c.m->on_create != NULL && c.m->on_create(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 409, "conflict", "不能登记");
        goto out;
    }
    if (c.dirty && (case_row_update(&c, init->code, NULL, 0, e) != 0 ||
                    case_parties_write(&c, creator, owner) != 0)) {
        if (!err_isset(e))
            case_fail(db, e, "cannot write case after on_create");
        goto out;
    }
    if (case_waits_write(db, c.m, c.id, init, NULL) != 0 ||
        case_clock_refresh(db, c.id, c.now) != 0 ||
        (c.parent_id > 0 && case_rollup(db, a, c.parent_id) != 0)) {
        case_fail(db, e, "cannot write case waits or clocks");
        goto out;
    }
    if (case_timeline_write(db, who, c.id, c.now,
                            case_role_label(db, a, who, c.m->create_roles),
                            "create", "", "", init->code, n->comment,
                            NULL) != 0 ||
        case_audit(&c, arena_printf(a, "case.%s.create", c.m->code), NULL,
                   init->code) != 0 ||
        case_index(&c) != 0 || case_notify_after(&c, &k) != 0) {
        case_fail(db, e, "cannot record case creation");
        goto out;
    }
    if (own && store_commit(db) != STORE_OK) {
        case_fail(db, e, "cannot commit case creation");
        goto out;
    }
    *id = c.id;
    rc = 0;
out:
    if (rc != 0 && own)
        store_rollback(db);
    free(data);
    return rc;
}

/* ---- fire ---- */

static int case_lock(struct store *db, int64_t id)
{
    return store_tx_lock(db, CASE_LOCK_KEY | (id & 0xffffffffLL));
}

/* Loads and checks the case for a write: 404 unless visible. */
static int case_load_for_write(struct store *db, struct arena *a,
                               const struct actor *who, int64_t id,
                               struct case_row *r, struct err *e)
{
    int q;
    if (case_actor_is_admin(who))
        return err_set(e, 404, "not_found", "没有找到该事项");
    if (case_lock(db, id) != STORE_OK)
        return case_fail(db, e, "cannot lock case");
    q = case_row_load(db, a, id, r);
    if (q < 0)
        return case_fail(db, e, "cannot load case");
    if (q > 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    q = case_row_visible(db, who, r);
    if (q < 0)
        return case_fail(db, e, "cannot check visibility");
    if (q == 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    return 0;
}

static void case_ctx_of_row(struct case_ctx *c, struct store *db,
                            struct arena *a, const struct actor *who,
                            const struct case_row *r)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    c->a = a;
    c->who = who;
    c->m = r->m;
    c->id = r->id;
    c->parent_id = r->parent_id;
    c->from = module_state(r->m, r->state);
    c->to = c->from;
    c->number = r->number;
    c->now = now_ms();
    c->before = r->data;
    c->fields = case_json_keep(a, json_deep_copy(r->data));
    c->parties_at = case_json_keep(a, case_parties_key(r->m, r->data));
    struct case_written *w = arena_alloc(a, sizeof(*w));
    w->k.title = r->title != NULL ? r->title : "";
    w->k.secrecy = r->secrecy;
    w->k.lead_unit_id = r->lead_unit_id;
    w->k.handler_id = r->handler_id;
    w->k.progress = r->progress;
    w->state = r->state;
    w->pending = r->pending;
    w->closed_ms = r->closed_ms;
    w->updated_ms = r->updated_ms;
    c->written = w;
}

/* ---- parallel transitions (all_rel) ---- */

static const char CASE_SQL_VOTE_MEMBER[] =
    "SELECT unit_id, user_id FROM case_parties WHERE case_id = $1 AND"
    " rel = $2 AND ((unit_id <> 0 AND unit_id = $3) OR"
    " (user_id <> 0 AND user_id = $4)) ORDER BY user_id DESC, unit_id"
    " LIMIT 1";
static const char CASE_SQL_VOTE_CAST[] =
    "SELECT COUNT(*) FROM case_votes WHERE case_id = $1 AND transition = $2"
    " AND unit_id = $3 AND user_id = $4";
static const char CASE_SQL_VOTE_REMAINING[] =
    "SELECT COUNT(*) FROM case_parties p WHERE p.case_id = $1 AND p.rel = $2"
    " AND NOT (p.unit_id = $4 AND p.user_id = $5) AND NOT EXISTS (SELECT 1"
    " FROM case_votes v WHERE v.case_id = p.case_id AND v.transition = $3"
    " AND v.unit_id = p.unit_id AND v.user_id = p.user_id)";
static const char CASE_SQL_VOTE_ADD[] =
    "INSERT INTO case_votes (case_id, transition, unit_id, user_id, actor_id,"
    " at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
static const char CASE_SQL_VOTES_DROP[] =
    "DELETE FROM case_votes WHERE case_id = $1";

/* The member of t->all_rel the actor fires for (a unit of theirs, or
 * themselves): 0 with *unit_id and *user_id, or -1 with e (403 not a member,
 * 409 voted already, 500). */
static int case_vote_member(struct store *db, const struct actor *who,
                            int64_t id, const struct transition_def *t,
                            int64_t *unit_id, int64_t *user_id, struct err *e)
{
    const char *rel = case_rel_code(t->all_rel);
    struct stmt *st = store_prepare(db, CASE_SQL_VOTE_MEMBER);
    int found = 0, s;
    int64_t cast = 0;

    store_bind_int(st, 1, id);
    store_bind_text(st, 2, rel != NULL ? rel : "");
    store_bind_int(st, 3, who->unit_id);
    store_bind_int(st, 4, who->user_id);
    s = store_step(st);
    if (s == STORE_ROW) {
        *unit_id = store_col_int(st, 0);
        *user_id = store_col_int(st, 1);
        found = 1;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return case_fail(db, e, "cannot read vote member");
    if (!found)
        return err_set(e, 403, "forbidden", "您不在此项工作之列");
    if (store_query_int(db, CASE_SQL_VOTE_CAST, &cast, "itii", id, t->code,
                        *unit_id, *user_id) == STORE_ERR)
        return case_fail(db, e, "cannot read votes");
    if (cast > 0)
        return err_set(e, 409, "conflict", "您已办理过，正等待其他各方");
    return 0;
}

int case_fire(struct store *db, struct arena *a, const struct actor *who,
              int64_t id, const char *code, json_t *fields, const char *comment,
              struct err *e)
{
    struct case_ctx c;
    struct case_row r;
    const struct transition_def *t;
    const char *pending, *kind, *text;
    int64_t closed_ms, vote_unit = 0, vote_user = 0, remaining = 0;
    int rc = -1, rel, closing, voting = 0;
    struct case_cols k;

    if (store_begin(db) != STORE_OK)
        return case_fail(db, e, "cannot begin transition");
    if (case_load_for_write(db, a, who, id, &r, e) != 0)
        goto out;
    t = module_transition(r.m, code);
    if (t == NULL) {
        err_set(e, 404, "not_found", "没有这个操作");
        goto out;
    }
    rel = case_relations(db, who, id);
    if (rel < 0) {
        case_fail(db, e, "cannot read relations");
        goto out;
    }
    if (case_may_fire(who, &r, rel, t, e) != 0)
        goto out;

    case_ctx_of_row(&c, db, a, who, &r);
    c.t = t;
    c.input = fields;
    if (case_clock_within(&c, t, e) != 0)
        goto out;
    if (comment != NULL && t->comment > 0) {
        long chars = 0;
        for (const unsigned char *p = (const unsigned char *)comment; *p; p++)
            chars += (*p & 0xC0) != 0x80;
        if (chars > CASE_COMMENT_MAX) {
            err_field(e, "comment", "意见不能超过5000个字");
            goto out;
        }
        c.comment = comment[0] != '\0' ? comment : NULL;
    }
    if (t->all_rel != 0) {
        if (case_vote_member(db, who, id, t, &vote_unit, &vote_user, e) != 0)
            goto out;
        if (store_query_int(db, CASE_SQL_VOTE_REMAINING, &remaining, "ittii",
                            id, case_rel_code(t->all_rel), t->code, vote_unit,
                            vote_user) == STORE_ERR) {
            case_fail(db, e, "cannot count votes");
            goto out;
        }
        voting = remaining > 0; /* others still to fire: the case stays */
    }
    if (t->to != NULL && !voting)
        c.to = module_state(r.m, t->to);
    if (case_fields_apply(&c, fields, t->fields != NULL ? t->fields : "", e) !=
        0)
        goto out;
    (void)case_fields_required(&c, c.to, t->required, e);
    if (t->comment == 2 && c.comment == NULL)
        err_field(e, "comment",
                  t->opinion != NULL ? arena_printf(a, "请填写%s", t->opinion)
                                     : "请填写理由");
    if (err_isset(e) || case_secrecy_check(&c, e) != 0 ||
        case_clock_extend_check(&c, t, e) != 0)
        goto out;
    if (t->check != NULL && t->check(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 409, "conflict", "当前不能执行此操作");
        goto out;
    }
    if (c.m->validate != NULL && c.m->validate(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 400, "invalid", "填写的内容有误");
        goto out;
    }
    closing = (c.to->flags & (STATE_CLOSED | STATE_ARCHIVED)) != 0;
    if (closing && c.m->children_block_close) {
        int64_t open = 0;
        if (store_query_int(db, CASE_SQL_OPEN_CHILDREN, &open, "i", id) ==
            STORE_ERR) {
            case_fail(db, e, "cannot count children");
            goto out;
        }
        if (open > 0) {
            err_set(e, 409, "conflict",
                    arena_printf(a, "尚有%" PRId64 "项子事项未办结，不能%s",
                                 open, t->label));
            goto out;
        }
    }

    pending = r.pending;
    if (t->needs != NULL && !voting)
        pending = NULL;
    if (t->opens != NULL && !voting)
        pending = t->opens;
    closed_ms = r.closed_ms;
    if ((c.to->flags & STATE_CLOSED) && closed_ms == 0)
        closed_ms = c.now;
    if (!(c.to->flags & (STATE_CLOSED | STATE_ARCHIVED)))
        closed_ms = 0;

    if (case_row_update(&c, c.to->code, pending, closed_ms, e) != 0)
        goto out;
    if (case_parties_write(&c, r.creator_id, r.owner_unit_id) != 0) {
        case_fail(db, e, "cannot write case parties");
        goto out;
    }
    if (case_clock_follow_fields(&c) != 0) {
        case_fail(db, e, "cannot follow clock fields");
        goto out;
    }
    if (voting) {
        if (store_run(db, CASE_SQL_VOTE_ADD, "itiiii", id, t->code, vote_unit,
                      vote_user, who->user_id, c.now) != STORE_OK) {
            case_fail(db, e, "cannot record vote");
            goto out;
        }
    } else if (strcmp(c.to->code, r.state) != 0 &&
               store_run(db, CASE_SQL_VOTES_DROP, "i", id) != STORE_OK) {
        case_fail(db, e, "cannot forget votes");
        goto out;
    }
    if ((t->flags & TR_NUMBER) && !voting &&
        (r.number == NULL || r.number[0] == '\0') &&
        case_number_take(&c, e) != 0)
        goto out;
    if (!voting && case_clock_effects(&c, t->clocks, t->extend_field, e) != 0)
        goto out;
    if (closed_ms != 0 && r.closed_ms == 0 &&
        case_clock_stop_all(db, id, c.now) != 0) {
        case_fail(db, e, "cannot stop clocks");
        goto out;
    }
    if (!voting && t->apply != NULL && t->apply(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 409, "conflict", "当前不能执行此操作");
        goto out;
    }
    if (c.dirty &&
        (case_row_update(&c, c.to->code, pending, closed_ms, e) != 0 ||
         case_parties_write(&c, r.creator_id, r.owner_unit_id) != 0)) {
        if (!err_isset(e))
            case_fail(db, e, "cannot write case after apply");
        goto out;
    }
    /* whom it waits for changes with the state, the pending request, the
     * parties or a vote; when none changed (催办) there is nothing to write */
    int waits_same = c.to == c.from && t->all_rel == 0 && !c.parties_new &&
                     strcmp(pending != NULL ? pending : "",
                            r.pending != NULL ? r.pending : "") == 0;
    if ((!waits_same && case_waits_write(db, c.m, id, c.to, pending) != 0) ||
        case_clock_refresh(db, id, c.now) != 0 ||
        (r.parent_id > 0 && case_rollup(db, a, r.parent_id) != 0)) {
        case_fail(db, e, "cannot write waits or clocks");
        goto out;
    }
    kind = t->opinion != NULL || (t->flags & TR_OPINION) ? "opinion"
                                                         : "transition";
    text = c.comment;
    if (case_cols_of(&c, &k) != 0 ||
        case_timeline_write(db, who, id, c.now,
                            case_role_label(db, a, who, t->roles), kind,
                            t->code, r.state, c.to->code, text, NULL) != 0 ||
        case_audit(&c, arena_printf(a, "case.%s.%s", c.m->code, t->code),
                   r.state, c.to->code) != 0 ||
        case_index(&c) != 0 || (!voting && case_notify_after(&c, &k) != 0)) {
        case_fail(db, e, "cannot record transition");
        goto out;
    }
    if (store_commit(db) != STORE_OK) {
        case_fail(db, e, "cannot commit transition");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        store_rollback(db);
    return rc;
}

/* ---- edit, comment, link ---- */

int case_edit(struct store *db, struct arena *a, const struct actor *who,
              int64_t id, json_t *fields, struct err *e)
{
    struct case_ctx c;
    struct case_row r;
    struct buf allowed;
    const char *key;
    json_t *v;
    int rc = -1;

    buf_init(&allowed, 1 << 16);
    if (store_begin(db) != STORE_OK) {
        case_fail(db, e, "cannot begin edit");
        goto out;
    }
    if (case_load_for_write(db, a, who, id, &r, e) != 0)
        goto out;
    if (module_state(r.m, r.state)->flags & STATE_ARCHIVED) {
        err_set(e, 409, "conflict", "已归档的事项不能修改");
        goto out;
    }
    if (fields == NULL || !json_is_object(fields) ||
        json_object_size(fields) == 0) {
        err_set(e, 400, "invalid", "没有要修改的内容");
        goto out;
    }
    json_object_foreach(fields, key, v)
    {
        const struct field_def *f = module_field(r.m, key);
        if (f != NULL && f->edit_roles != NULL &&
            (actor_is_cli(who) || case_roles_match(who, f->edit_roles))) {
            if (allowed.len > 0)
                buf_putc(&allowed, ',');
            buf_puts(&allowed, key);
        } else if (f != NULL) {
            err_set(e, 403, "forbidden",
                    arena_printf(a, "您无权修改%s", f->label));
            goto out;
        }
    }
    case_ctx_of_row(&c, db, a, who, &r);
    c.input = fields;
    if (case_fields_apply(&c, fields, allowed.ptr, e) != 0 ||
        case_fields_required(&c, c.to, NULL, e) != 0 ||
        case_secrecy_check(&c, e) != 0)
        goto out;
    if (c.m->validate != NULL && c.m->validate(&c, e) != 0) {
        if (!err_isset(e))
            err_set(e, 400, "invalid", "填写的内容有误");
        goto out;
    }
    if (case_row_update(&c, r.state, r.pending, r.closed_ms, e) != 0)
        goto out;
    if (case_parties_write(&c, r.creator_id, r.owner_unit_id) != 0 ||
        case_clock_follow_fields(&c) != 0 ||
        case_waits_write(db, c.m, id, c.to, r.pending) != 0 ||
        case_clock_refresh(db, id, c.now) != 0 ||
        (r.parent_id > 0 && case_rollup(db, a, r.parent_id) != 0) ||
        case_timeline_write(db, who, id, c.now, NULL, "edit", NULL, NULL, NULL,
                            "修改了登记内容", NULL) != 0 ||
        case_audit(&c, arena_printf(a, "case.%s.edit", c.m->code), NULL,
                   NULL) != 0 ||
        case_index(&c) != 0) {
        case_fail(db, e, "cannot edit case");
        goto out;
    }
    if (store_commit(db) != STORE_OK) {
        case_fail(db, e, "cannot commit edit");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        store_rollback(db);
    buf_free(&allowed);
    return rc;
}

static const char CASE_SQL_TOUCH[] =
    "UPDATE cases SET updated_ms = $2 WHERE id = $1";

int case_comment(struct store *db, struct arena *a, const struct actor *who,
                 int64_t id, const char *text, struct err *e)
{
    struct case_row r;
    struct case_ctx c;
    long chars = 0;
    int rc = -1;

    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p;
         p++)
        chars += (*p & 0xC0) != 0x80;
    if (text == NULL || chars == 0)
        return err_field(e, "text", "请填写内容");
    if (chars > CASE_COMMENT_MAX)
        return err_field(e, "text", "内容不能超过5000个字");
    if (store_begin(db) != STORE_OK)
        return case_fail(db, e, "cannot begin comment");
    if (case_load_for_write(db, a, who, id, &r, e) != 0)
        goto out;
    if (module_state(r.m, r.state)->flags & STATE_ARCHIVED) {
        err_set(e, 409, "conflict", "已归档的事项不能再添加意见");
        goto out;
    }
    case_ctx_of_row(&c, db, a, who, &r);
    c.comment = text;
    if (case_timeline_write(db, who, id, c.now,
                            case_role_label(db, a, who, NULL), "comment", NULL,
                            NULL, NULL, text, NULL) != 0 ||
        store_run(db, CASE_SQL_TOUCH, "ii", id, c.now) != STORE_OK ||
        case_audit(&c, arena_printf(a, "case.%s.comment", r.m->code), NULL,
                   NULL) != 0 ||
        store_commit(db) != STORE_OK) {
        case_fail(db, e, "cannot add comment");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        store_rollback(db);
    return rc;
}

static const char CASE_SQL_LINK_EXISTS[] =
    "SELECT COUNT(*) FROM case_links WHERE kind = $3 AND"
    " ((a_id = $1 AND b_id = $2) OR (a_id = $2 AND b_id = $1))";
static const char CASE_SQL_LINK_ADD[] =
    "INSERT INTO case_links (a_id, b_id, kind, by_id, by_login, at_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

int case_link(struct store *db, struct arena *a, const struct actor *who,
              int64_t a_id, int64_t b_id, const char *kind, struct err *e)
{
    struct case_row ra, rb;
    int64_t exists = 0, now = now_ms();
    int rc = -1, own;
    size_t klen = kind != NULL ? strlen(kind) : 0;
    char target[48];
    char *detail = NULL;

    if (klen == 0 || klen > 32 ||
        strspn(kind, "abcdefghijklmnopqrstuvwxyz"
                     "0123456789_") != klen)
        return err_field(e, "kind", "关联类型只能由小写字母、数字和下划线组成");
    if (a_id == b_id)
        return err_field(e, "target", "不能关联事项本身");
    own = !store_in_tx(db);
    if (own && store_begin(db) != STORE_OK)
        return case_fail(db, e, "cannot begin link");
    if (case_load_for_write(db, a, who, a_id, &ra, e) != 0 ||
        case_load_for_write(db, a, who, b_id, &rb, e) != 0)
        goto out;
    if (store_query_int(db, CASE_SQL_LINK_EXISTS, &exists, "iit", a_id, b_id,
                        kind) == STORE_ERR) {
        case_fail(db, e, "cannot check link");
        goto out;
    }
    if (exists > 0) {
        err_set(e, 409, "conflict", "这两个事项已经关联");
        goto out;
    }
    snprintf(target, sizeof(target), "%" PRId64 "-%" PRId64, a_id, b_id);
    detail = NULL;
    {
        json_t *d = json_pack("{s:I,s:I,s:s}", "a", (json_int_t)a_id, "b",
                              (json_int_t)b_id, "kind", kind);
        detail = d != NULL ? json_text(d, JSON_COMPACT) : NULL;
        json_decref(d);
    }
    if (store_run(db, CASE_SQL_LINK_ADD, "iititi", a_id, b_id, kind,
                  who->user_id, who->login != NULL ? who->login : "",
                  now) != STORE_OK ||
        case_timeline_write(db, who, a_id, now, NULL, "link", NULL, NULL, NULL,
                            arena_printf(a, "关联了“%s”", rb.title),
                            detail) != 0 ||
        case_timeline_write(db, who, b_id, now, NULL, "link", NULL, NULL, NULL,
                            arena_printf(a, "被“%s”关联", ra.title),
                            detail) != 0 ||
        audit_append(db, who, arena_printf(a, "case.%s.link", ra.m->code),
                     "case_link", target, "ok", detail) != 0 ||
        (own && store_commit(db) != STORE_OK)) {
        case_fail(db, e, "cannot link cases");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0 && own)
        store_rollback(db);
    free(detail);
    return rc;
}

/* ---- start-up ---- */

int case_init(char *msg, size_t msglen)
{
    const struct module_def *const *l = module_list();
    for (int i = 0; l[i] != NULL; i++)
        if (module_check(l[i], msg, msglen) != 0)
            return -1;
    if (case_index_fn == NULL)
        case_index_fn = search_index_case;
    if (case_notify_fn == NULL)
        case_notify_fn = notify_user;
    case_search_default(search_match_arg);
    if (calendar_on_change(case_recompute_all) != 0) {
        snprintf(msg, msglen, "cannot register the calendar hook");
        return -1;
    }
    return 0;
}

int case_sweep_job(struct store *db, int64_t now)
{
    return case_sweep(db, now) < 0 ? -1 : 0;
}

int case_init_db(struct store *db)
{
    const struct module_def *const *l = module_list();
    for (int i = 0; l[i] != NULL; i++) {
        const char *p = l[i]->roles;
        while (p != NULL && *p) {
            const char *comma = strchr(p, ',');
            size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
            const char *colon = memchr(p, ':', len);
            char code[65], name[256];
            if (colon == NULL || (size_t)(colon - p) >= sizeof(code) ||
                len - (size_t)(colon - p) - 1 >= sizeof(name)) {
                log_error("module %s: malformed roles", l[i]->code);
                return -1;
            }
            memcpy(code, p, (size_t)(colon - p));
            code[colon - p] = '\0';
            memcpy(name, colon + 1, len - (size_t)(colon - p) - 1);
            name[len - (size_t)(colon - p) - 1] = '\0';
            if (org_role_ensure(db, code, name) != 0)
                return -1;
            p = comma != NULL ? comma + 1 : NULL;
        }
    }
    return 0;
}
