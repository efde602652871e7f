/*
 * case_query.c - who sees a case and what they read: visibility, the
 * relations of a person to a case, the detail (case_get), lists with
 * filters, sorting, paging and per-state counts (case_list), and the
 * to-do list (case_todo).
 *
 * Every read path goes through one visibility predicate (CASE_VISIBLE_Q,
 * the rules at the top of case.h), so lists, counts, totals, the to-do and
 * the detail never disagree about who sees what; the administrators of
 * 三员分立 are refused before any SQL runs.
 *
 * Dynamic WHERE clauses are assembled by struct case_q from the fixed
 * fragments below, chosen by code; each '?' of a fragment becomes the next
 * $N and its value is bound, never written into the SQL text.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_pick.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/case_int.h"
#include "kernel/memo.h"
#include "kernel/search.h"

const char case_msg_internal[] = "系统内部错误，请稍后再试";

/* The memo key of a viewer's answer (memo.h): what the answer is, then
 * whose: person, unit and clearance decide what they see and wait on (a
 * change of roles or backups is audited, so it moves the seq). */
#define CASE_MEMO_WHO_FMT "|%" PRId64 "|%" PRId64 "|%d"
#define CASE_MEMO_WHO(w) (w)->user_id, (w)->unit_id, (w)->clearance

/* The most states a module may have for its tabs' counts to be kept in a
 * memo (a module with more is counted every time). */
#define CASE_LIST_MAX_TABS 32

static void case_json_release(void *p)
{
    json_decref(p);
}

json_t *case_json_keep(struct arena *a, json_t *j)
{
    if (j != NULL)
        arena_defer(a, case_json_release, j);
    return j;
}

/* ---- relations ---- */

static const struct {
    const char *rel;
    int bit;
    enum field_role role;
} case_rels[] = {
    {"creator", REL_CREATOR, FIELD_PLAIN},
    {"owner", REL_SAME_UNIT, FIELD_PLAIN},
    {"lead", REL_LEAD_UNIT, FIELD_IS_LEAD_UNIT},
    {"co", REL_CO_UNIT, FIELD_IS_CO_UNITS},
    {"handler", REL_HANDLER, FIELD_IS_HANDLER},
    {"signer", REL_SIGNER, FIELD_IS_SIGNER},
    {"supervisor", REL_SUPERVISOR, FIELD_IS_SUPERVISOR},
    {"reader", REL_READER, FIELD_IS_READERS},
};

int case_rel_bit(const char *rel)
{
    for (size_t i = 0; i < sizeof(case_rels) / sizeof(case_rels[0]); i++)
        if (strcmp(case_rels[i].rel, rel) == 0)
            return case_rels[i].bit;
    return 0;
}

const char *case_rel_of_role(enum field_role role)
{
    if (role == FIELD_PLAIN)
        return NULL;
    for (size_t i = 0; i < sizeof(case_rels) / sizeof(case_rels[0]); i++)
        if (case_rels[i].role == role)
            return case_rels[i].rel;
    return NULL;
}

int case_actor_is_admin(const struct actor *who)
{
    return actor_has_role(who, "sysadmin") || actor_has_role(who, "secadmin") ||
           actor_has_role(who, "auditor");
}

int case_roles_match(const struct actor *who, const char *list)
{
    if (list == NULL || strcmp(list, "*") == 0)
        return 1;
    for (int i = 0; i < who->nroles && i < ACTOR_MAX_ROLES; i++)
        if (who->roles[i] != NULL && module_in_list(list, who->roles[i]))
            return 1;
    return 0;
}

static const char CASE_SQL_ROW[] =
    "SELECT id, module, number, title, state, secrecy,"
    " COALESCE(owner_unit_id, 0), COALESCE(creator_id, 0),"
    " COALESCE(lead_unit_id, 0), COALESCE(handler_id, 0),"
    " COALESCE(parent_id, 0), progress, pending, created_ms, updated_ms,"
    " closed_ms, data FROM cases WHERE id = $1";

int case_row_load(struct store *db, struct arena *a, int64_t id,
                  struct case_row *r)
{
    struct stmt *st = store_prepare(db, CASE_SQL_ROW);
    int s, rc = 1;

    memset(r, 0, sizeof(*r));
    store_bind_int(st, 1, id);
    s = store_step(st);
    if (s == STORE_ROW) {
        r->id = store_col_int(st, 0);
        r->m = module_find(store_col_text(st, 1));
        r->number = arena_strdup(a, store_col_text(st, 2));
        r->title = arena_strdup(a, store_col_text(st, 3));
        r->state = arena_strdup(a, store_col_text(st, 4));
        r->secrecy = (int)store_col_int(st, 5);
        r->owner_unit_id = store_col_int(st, 6);
        r->creator_id = store_col_int(st, 7);
        r->lead_unit_id = store_col_int(st, 8);
        r->handler_id = store_col_int(st, 9);
        r->parent_id = store_col_int(st, 10);
        r->progress = (int)store_col_int(st, 11);
        r->pending = store_col_isnull(st, 12)
                         ? NULL
                         : arena_strdup(a, store_col_text(st, 12));
        r->created_ms = store_col_int(st, 13);
        r->updated_ms = store_col_int(st, 14);
        r->closed_ms = store_col_int(st, 15);
        r->data = case_json_keep(a, json_pick_all(store_col_text(st, 16)));
        if (r->data == NULL || !json_is_object(r->data))
            r->data = case_json_keep(a, json_object());
        rc = r->m != NULL && module_state(r->m, r->state) != NULL ? 0 : 1;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR) {
        log_error("cannot load case %" PRId64 ": %s", id, store_errmsg(db));
        rc = -1;
    }
    return rc;
}

/* Who sees a case (case.h), with '?' for: clearance, user id, user id,
 * user id, unit id.  The unary plus keeps secrecy out of index lookups:
 * it is a column of cases_module_state_secrecy for the counts to read
 * from the index alone, and a list must walk the index of its order
 * (cases_module_state_due) rather than that one and sort. */
#define CASE_VISIBLE_Q                                                         \
    "+c.secrecy <= ? AND (c.secrecy = 0 OR ? = 0 OR EXISTS (SELECT 1"          \
    " FROM case_parties p WHERE p.case_id = c.id AND ((p.user_id <> 0 AND"     \
    " (p.user_id = ? OR p.user_id IN (SELECT b.id FROM users b"                \
    " WHERE b.backup_id = ?))) OR (p.unit_id <> 0 AND p.unit_id = ?))))"

/* The case waits for the viewer, with '?' for: unit id, user id, user id,
 * user id, user id, user id.  Written as the set of the viewer's waiting
 * case ids, one branch per kind of wait, each on case_waits_who (user_id,
 * unit_id): an EXISTS per open case read every open case's row for a
 * to-do of a few dozen (94% of a page's time at 10k cases). */
#define CASE_WAIT_ROLE_Q                                                       \
    " AND (w.role = '*' OR w.role IN (SELECT r.role FROM user_roles r"         \
    " WHERE r.user_id = ?))"
#define CASE_WAITING_Q                                                         \
    "c.id IN (SELECT w.case_id FROM case_waits w WHERE w.user_id = 0 AND"      \
    " w.unit_id IN (0, ?)" CASE_WAIT_ROLE_Q                                    \
    " UNION ALL SELECT w.case_id FROM case_waits w WHERE w.user_id = ? AND"    \
    " w.user_id <> 0" CASE_WAIT_ROLE_Q                                         \
    " UNION ALL SELECT w.case_id FROM case_waits w WHERE w.user_id IN"         \
    " (SELECT b.id FROM users b WHERE b.backup_id = ?)"                        \
    " AND w.user_id <> 0" CASE_WAIT_ROLE_Q ")"

static const char CASE_SQL_VISIBLE[] =
    "SELECT 1 FROM cases c WHERE c.id = $1 AND c.secrecy <= $2 AND"
    " (c.secrecy = 0 OR $3 = 0 OR EXISTS (SELECT 1 FROM case_parties p"
    " WHERE p.case_id = c.id AND ((p.user_id <> 0 AND (p.user_id = $3 OR"
    " p.user_id IN (SELECT b.id FROM users b WHERE b.backup_id = $3))) OR"
    " (p.unit_id <> 0 AND p.unit_id = $4))))";

int case_visible(struct store *db, const struct actor *who, int64_t id)
{
    int64_t one = 0;
    int rc;
    if (who == NULL || case_actor_is_admin(who))
        return 0;
    rc = store_query_int(db, CASE_SQL_VISIBLE, &one, "iiii", id,
                         (int64_t)who->clearance, who->user_id, who->unit_id);
    if (rc == STORE_ERR)
        return -1;
    return rc == STORE_ROW;
}

int case_row_visible(struct store *db, const struct actor *who,
                     const struct case_row *r)
{
    /* a case of no secrecy is seen by everyone but the administrators:
     * CASE_SQL_VISIBLE without the query (a 催办 asks twice) */
    if (r->secrecy == 0 && who != NULL && who->clearance >= 0 &&
        !case_actor_is_admin(who))
        return 1;
    return case_visible(db, who, r->id);
}

static const char CASE_SQL_PARTIES[] =
    "SELECT rel, unit_id, user_id FROM case_parties WHERE case_id = $1";
static const char CASE_SQL_BACKED[] =
    "SELECT id FROM users WHERE backup_id = $1";

int case_relations(struct store *db, const struct actor *who, int64_t id)
{
    int64_t backed[64];
    int nb = 0, rel = 0, s, rc = -1;
    struct stmt *st;

    if (who->user_id > 0) {
        st = store_prepare(db, CASE_SQL_BACKED);
        store_bind_int(st, 1, who->user_id);
        while ((s = store_step(st)) == STORE_ROW)
            if (nb < 64)
                backed[nb++] = store_col_int(st, 0);
        if (store_finalize(st) != STORE_OK || s == STORE_ERR)
            goto out;
    }
    st = store_prepare(db, CASE_SQL_PARTIES);
    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        int bit = case_rel_bit(store_col_text(st, 0));
        int64_t unit = store_col_int(st, 1), user = store_col_int(st, 2);
        int hit = 0;
        if (user != 0) {
            hit = who->user_id > 0 && user == who->user_id;
            for (int i = 0; i < nb && !hit; i++)
                hit = user == backed[i];
        } else if (unit != 0) {
            hit = who->unit_id > 0 && unit == who->unit_id;
        }
        if (hit)
            rel |= bit;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        goto out;
    rc = rel;
out:
    if (rc < 0)
        log_error("cannot read the relations to case %" PRId64 ": %s", id,
                  store_errmsg(db));
    return rc;
}

static const char *case_pending_label(const struct module_def *m,
                                      const char *code)
{
    for (int i = 0;
         code != NULL && m->pendings != NULL && m->pendings[i].code != NULL;
         i++)
        if (strcmp(m->pendings[i].code, code) == 0)
            return m->pendings[i].label;
    return code;
}

int case_may_fire(const struct actor *who, const struct case_row *r, int rel,
                  const struct transition_def *t, struct err *e)
{
    if (case_actor_is_admin(who))
        return err_set(e, 403, "forbidden", "管理员不能办理业务");
    if (!actor_is_cli(who)) {
        if (!case_roles_match(who, t->roles) ||
            (t->rel != 0 && !(rel & t->rel)))
            return err_set(e, 403, "forbidden", "您无权执行此操作");
    }
    if (!module_in_list(t->from, r->state))
        return err_set(e, 409, "conflict", "当前状态下不能执行此操作");
    if (t->needs != NULL &&
        (r->pending == NULL || strcmp(r->pending, t->needs) != 0))
        return err_set(e, 409, "conflict", "没有待处理的申请，不能执行此操作");
    if (t->opens != NULL && r->pending != NULL)
        return err_set(e, 409, "conflict", "已有待处理的申请，请先处理");
    return 0;
}

/* ---- the query builder ---- */

#define CASE_Q_MAX 48

/* How a query of a list with a search word meets the search index (see
 * case_search_plan). */
enum case_search_how {
    CASE_SEARCH_IN,     /* c.id IN (all the matches): few matches */
    CASE_SEARCH_SET,    /* the order walked, each row looked up in the set
                           of matches: some matches */
    CASE_SEARCH_PROBE,  /* each row walked tests its own match: most match */
    CASE_SEARCH_JOINED, /* the FROM already joins the matches: no clause */
};

struct case_q {
    struct buf sql;
    int n;
    enum case_search_how search;
    const char *const *fields; /* the items' fields to read (case_filter) */
    struct {
        char type; /* 'i' or 't' */
        int64_t i;
        const char *t;
    } v[CASE_Q_MAX];
};

static void case_q_init(struct case_q *q)
{
    buf_init(&q->sql, 1 << 16);
    q->n = 0;
    q->fields = NULL;
    q->search = CASE_SEARCH_IN;
}

/* Appends frag, each '?' becoming the next $N bound to the next value of
 * types ('i' int64_t, 't' text). */
static void case_q_add(struct case_q *q, const char *frag, const char *types,
                       ...)
{
    va_list ap;
    va_start(ap, types);
    for (const char *p = frag; *p; p++) {
        if (*p != '?') {
            /* the text up to the next '?' at once: the columns of an
             * item are a kilobyte, and a case page builds three queries */
            size_t run = strcspn(p, "?");
            buf_append(&q->sql, p, run);
            p += run - 1;
            continue;
        }
        if (q->n >= CASE_Q_MAX || *types == '\0') {
            log_error("case query: parameters do not match");
            break;
        }
        q->v[q->n].type = *types;
        if (*types == 'i')
            q->v[q->n].i = va_arg(ap, int64_t);
        else
            q->v[q->n].t = va_arg(ap, const char *);
        types++;
        q->n++;
        buf_printf(&q->sql, "$%d", q->n);
    }
    va_end(ap);
}

static struct stmt *case_q_prepare(struct store *db, struct case_q *q)
{
    struct stmt *st = store_prepare(db, q->sql.ptr);
    for (int i = 0; i < q->n; i++) {
        if (q->v[i].type == 'i')
            store_bind_int(st, i + 1, q->v[i].i);
        else
            store_bind_text(st, i + 1, q->v[i].t);
    }
    return st;
}

static void case_q_visible(struct case_q *q, const struct actor *who)
{
    case_q_add(q, CASE_VISIBLE_Q, "iiiii", (int64_t)who->clearance,
               who->user_id, who->user_id, who->user_id, who->unit_id);
}

static void case_q_waiting(struct case_q *q, const struct actor *who)
{
    case_q_add(q, CASE_WAITING_Q, "iiiiii", who->unit_id, who->user_id,
               who->user_id, who->user_id, who->user_id, who->user_id);
}

/* The columns of a list item (two '?': now, for the light) and its names;
 * CASE_ITEM_COLS reads them from cases c, CASE_ITEM_STREAM from the
 * full-text matches joined to cases (a search in the index's own order:
 * its third '?' is the match text).  Both end in "WHERE ". */
#define CASE_ITEM_SELECT                                                       \
    "SELECT c.id, c.module, c.number, c.title, c.state, c.secrecy,"            \
    " COALESCE(c.parent_id, 0), COALESCE(ou.code, ''), COALESCE(ou.name, '')," \
    " COALESCE(lu.code, ''), COALESCE(lu.name, ''), COALESCE(h.login, ''),"    \
    " COALESCE(h.name, ''), c.progress, c.pending, c.due_ms, " CASE_LIGHT_SQL( \
        "?") ", c.created_ms, c.updated_ms, c.closed_ms, c.data"
#define CASE_ITEM_NAMES                                                        \
    " LEFT JOIN units ou ON ou.id = c.owner_unit_id"                           \
    " LEFT JOIN units lu ON lu.id = c.lead_unit_id"                            \
    " LEFT JOIN users h ON h.id = c.handler_id"
#define CASE_ITEM_COLS                                                         \
    CASE_ITEM_SELECT " FROM cases c" CASE_ITEM_NAMES " WHERE "
#define CASE_ITEM_STREAM                                                       \
    CASE_ITEM_SELECT " FROM search_fts CROSS JOIN cases c"                     \
                     " ON c.id = search_fts.rowid" CASE_ITEM_NAMES             \
                     " WHERE search_fts MATCH ? AND "

/* Reads a row of CASE_ITEM_COLS but its fields (it->fields NULL); 0, or 1
 * when its module is unknown. */
static int case_item_read_cols(struct stmt *st, struct arena *a,
                               struct case_item *it)
{
    memset(it, 0, sizeof(*it));
    it->m = module_find(store_col_text(st, 1));
    if (it->m == NULL)
        return 1;
    it->id = store_col_int(st, 0);
    it->number = arena_strdup(a, store_col_text(st, 2));
    it->title = arena_strdup(a, store_col_text(st, 3));
    it->state = module_state(it->m, store_col_text(st, 4));
    if (it->state == NULL)
        return 1;
    it->secrecy = (int)store_col_int(st, 5);
    it->parent_id = store_col_int(st, 6);
    it->owner_unit = arena_strdup(a, store_col_text(st, 7));
    it->owner_unit_name = arena_strdup(a, store_col_text(st, 8));
    it->lead_unit = arena_strdup(a, store_col_text(st, 9));
    it->lead_unit_name = arena_strdup(a, store_col_text(st, 10));
    it->handler = arena_strdup(a, store_col_text(st, 11));
    it->handler_name = arena_strdup(a, store_col_text(st, 12));
    it->progress = (int)store_col_int(st, 13);
    it->pending = store_col_isnull(st, 14)
                      ? NULL
                      : arena_strdup(a, store_col_text(st, 14));
    it->due_ms = store_col_int(st, 15);
    it->light = (int)store_col_int(st, 16);
    it->created_ms = store_col_int(st, 17);
    it->updated_ms = store_col_int(st, 18);
    it->closed_ms = store_col_int(st, 19);
    return 0;
}

/* The most fields a list may ask for (with those its marks read). */
#define CASE_PICK_MAX 64

/* Parses the fields of it's data: all of them (want NULL), or only those
 * in want and those its module's mark reads, named then in keys (room for
 * CASE_PICK_MAX + 1).  json_pick: a list shows three of a dozen, and
 * parsing the long texts it does not show was 40% of a list page. */
static json_t *case_item_data(const struct case_item *it, const char *data,
                              const char *const *want, const char **keys)
{
    int n = 0;
    if (want == NULL)
        return json_pick_all(data);
    for (; *want != NULL && n < CASE_PICK_MAX; want++)
        keys[n++] = *want;
    for (const char *const *k = it->m->mark_fields; k && *k && n < CASE_PICK_MAX;
         k++)
        keys[n++] = *k;
    keys[n] = NULL;
    return json_pick(data, keys);
}

/* Which of the picked keys a viewer sees, for the module of the rows
 * last read (lists of one module resolve them once, not per row). */
struct case_pick_vis {
    const struct module_def *m;
    int n;
    unsigned char keep[CASE_PICK_MAX];
};

/* The picked fields in place, as case_fields_visible gives them: those
 * the viewer may not see removed, the unset ones null. */
static void case_picked_visible(json_t *data, const struct module_def *m,
                                int clearance, const char *const *keys,
                                struct case_pick_vis *vis)
{
    if (vis->m != m) {
        vis->m = m;
        for (vis->n = 0; keys[vis->n] != NULL; vis->n++) {
            const struct field_def *f = module_field(m, keys[vis->n]);
            vis->keep[vis->n] = f != NULL && f->min_clearance <= clearance;
        }
    }
    for (int i = 0; i < vis->n; i++) {
        if (!vis->keep[i])
            json_object_del(data, keys[i]);
        else if (json_object_get(data, keys[i]) == NULL)
            json_object_set_new(data, keys[i], json_null());
    }
}

/* Reads a row of CASE_ITEM_COLS (with the fields in want, NULL: all); 0,
 * or 1 when its module is unknown.  vis: zeroed before a query's first
 * row, then kept from row to row (one query, one viewer). */
static int case_item_read(struct stmt *st, struct arena *a,
                          const struct actor *who, const char *const *want,
                          struct case_pick_vis *vis, struct case_item *it)
{
    const char *keys[CASE_PICK_MAX + 1];
    json_t *data;
    if (case_item_read_cols(st, a, it))
        return 1;
    data = case_item_data(it, store_col_text(st, 20), want, keys);
    if (want != NULL && data != NULL) {
        case_picked_visible(data, it->m, who->clearance, keys, vis);
        it->fields = case_json_keep(a, data);
        return 0;
    }
    it->fields = case_json_keep(
        a, case_fields_visible(it->m, data, who->clearance,
                               want != NULL ? keys : NULL));
    json_decref(data);
    return 0;
}

/* Runs q (CASE_ITEM_COLS ...) into an arena array. */
static int case_q_items(struct store *db, struct arena *a,
                        const struct actor *who, struct case_q *q,
                        struct case_item **out, int *n)
{
    struct stmt *st = case_q_prepare(db, q);
    int cap = 16, count = 0, s;
    struct case_item *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
    struct case_pick_vis vis = {0};

    while ((s = store_step(st)) == STORE_ROW) {
        v = arena_grow(a, v, count, &cap, sizeof(*v));
        if (case_item_read(st, a, who, q->fields, &vis, &v[count]) == 0)
            count++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR) {
        log_error("cannot list cases: %s", store_errmsg(db));
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}

/* ---- lists ---- */

static int (*case_search_fn)(const struct store *, struct arena *, const char *,
                             const char **);

void case_on_search(int (*fn)(const struct store *db, struct arena *a,
                              const char *q, const char **out))
{
    case_search_fn = fn;
}

void case_search_default(int (*fn)(const struct store *db, struct arena *a,
                                   const char *q, const char **out))
{
    if (case_search_fn == NULL)
        case_search_fn = fn;
}

static const struct {
    const char *code;
    const char *asc, *desc;
} case_sorts[] = {
    {"due", "CASE WHEN c.due_ms = 0 THEN 1 ELSE 0 END, c.due_ms, c.id",
     "CASE WHEN c.due_ms = 0 THEN 1 ELSE 0 END, c.due_ms DESC, c.id DESC"},
    {"created", "c.created_ms, c.id", "c.created_ms DESC, c.id DESC"},
    {"updated", "c.updated_ms, c.id", "c.updated_ms DESC, c.id DESC"},
    {"number", "c.number_year, c.number_n, c.id",
     "c.number_year DESC, c.number_n DESC, c.id DESC"},
    {"title", "c.title, c.id", "c.title DESC, c.id DESC"},
    {"id", "c.id", "c.id DESC"}, /* registration order (a search's own) */
};

static int case_light_code(const char *s)
{
    if (strcmp(s, "green") == 0)
        return CLOCK_GREEN;
    if (strcmp(s, "yellow") == 0)
        return CLOCK_YELLOW;
    if (strcmp(s, "red") == 0)
        return CLOCK_RED;
    if (strcmp(s, "none") == 0)
        return CASE_LIGHT_NONE;
    return -2;
}

const char *case_light_name(int light)
{
    switch (light) {
    case CLOCK_GREEN:
        return "green";
    case CLOCK_YELLOW:
        return "yellow";
    case CLOCK_RED:
        return "red";
    default:
        return "none";
    }
}

/* A LIKE pattern matching s anywhere, with \ escaping % and _. */
static const char *case_like(struct arena *a, const char *s)
{
    struct buf b;
    const char *out;
    buf_init(&b, 4096);
    buf_putc(&b, '%');
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '%');
    out = arena_strndup(a, b.ptr, b.len);
    buf_free(&b);
    return out;
}

/* The search condition of a list, as q->search says. */
static void case_q_search(const struct store *db, struct case_q *q,
                          const char *arg)
{
    int pg = store_kind(db) == STORE_PG;
    switch (q->search) {
    case CASE_SEARCH_JOINED:
        break;
    case CASE_SEARCH_SET:
        /* "+": the matches must not drive the rows (a look-up each, and
         * a sort); SQLite then walks the order's index and tests each
         * row's id against the set it built once.  PostgreSQL plans this
         * by its own costs from the plain IN. */
        case_q_add(q,
                   pg ? " AND c.id IN (" SEARCH_IDS_PG("?") ")"
                      : " AND +c.id IN (" SEARCH_IDS_SQLITE("?") ")",
                   "t", arg);
        break;
    case CASE_SEARCH_PROBE:
        case_q_add(q,
                   pg ? " AND " SEARCH_HAS_PG("?", "c.id")
                      : " AND " SEARCH_HAS_SQLITE("?", "c.id"),
                   "t", arg);
        break;
    default:
        case_q_add(q,
                   pg ? " AND c.id IN (" SEARCH_IDS_PG("?") ")"
                      : " AND c.id IN (" SEARCH_IDS_SQLITE("?") ")",
                   "t", arg);
    }
}

/* The WHERE of a list (after "WHERE "); with_state 0 leaves the state
 * filter out (for the per-state counts).  0, 1 when nothing can match (an
 * empty search), -1 with e. */
static int case_q_where(struct store *db, struct arena *a,
                        const struct actor *who, const struct case_filter *f,
                        int with_state, int64_t now, int64_t unit_id,
                        struct case_q *q, struct err *e)
{
    (void)e;
    case_q_visible(q, who);
    if (f->module != NULL)
        case_q_add(q, " AND c.module = ?", "t", f->module);
    if (with_state && f->state != NULL)
        case_q_add(q, " AND c.state = ?", "t", f->state);
    if (unit_id > 0)
        case_q_add(q, " AND (c.lead_unit_id = ? OR c.owner_unit_id = ?)", "ii",
                   unit_id, unit_id);
    if (f->light != NULL)
        case_q_add(q, " AND " CASE_LIGHT_SQL("?") " = ?", "iii", now, now,
                   (int64_t)case_light_code(f->light));
    if (f->created_from > 0)
        case_q_add(q, " AND c.created_ms >= ?", "i", f->created_from);
    if (f->created_to > 0)
        case_q_add(q, " AND c.created_ms < ?", "i", f->created_to);
    if (f->due_from > 0)
        case_q_add(q, " AND c.due_ms >= ?", "i", f->due_from);
    if (f->due_to > 0)
        case_q_add(q, " AND c.due_ms > 0 AND c.due_ms < ?", "i", f->due_to);
    if (f->parent_id > 0)
        case_q_add(q, " AND c.parent_id = ?", "i", f->parent_id);
    else if (f->parent_id < 0)
        case_q_add(q, " AND c.parent_id IS NULL", "");
    if (f->open_only)
        case_q_add(q, " AND c.closed_ms = 0", "");
    if (f->mine) {
        case_q_add(q, " AND ", "");
        case_q_waiting(q, who);
    }
    if (f->q != NULL && f->q[0] != '\0') {
        const char *arg = NULL;
        if (case_search_fn != NULL) {
            if (case_search_fn(db, a, f->q, &arg) != 1 || arg == NULL)
                return 1;
            case_q_search(db, q, arg);
        } else {
            const char *like = case_like(a, f->q);
            case_q_add(q,
                       " AND (c.title LIKE ? ESCAPE '\\' OR c.number LIKE ?"
                       " ESCAPE '\\')",
                       "tt", like, like);
        }
    }
    return 0;
}

/* ---- search at scale ----
 * A search list's page (rows up to the page's end) has three plans; the
 * cheapest is chosen from an estimate of the matches (N of the cases):
 *   IN     collect the matches and sort them: a row look-up each, N;
 *   SET    walk the index of the list's order, testing each row's id
 *          against the set of matches built once: N / CASE_SEARCH_SET_RATIO
 *          (building the set) plus W = page end * cases / N rows walked;
 *   PROBE  walk the order testing each row's own match on the full-text
 *          index: W * (1 + CASE_SEARCH_PROBE_COST).
 * In row look-ups, so a rare word takes IN, a word in a few percent of
 * the cases SET (督办 in 3% of 1M cases: 30,000 look-ups and 140 ms by IN,
 * 700 rows walked by SET), one in most of them PROBE (推进 in 80%: SET
 * would build a set of 800,000).  N is estimated from the newest
 * CASE_SEARCH_SAMPLE cases, a bounded cost and the part of the cases a
 * list by recency reaches first.  Whatever the plan, the total counts no
 * further than CASE_SEARCH_CAP ("1000+"), the matches read first and
 * streamed: counting every match took 0.5-3.7 s at 100k.
 * In registration order (sort id, a search's default) SQLite needs no
 * plan: the full-text index yields its matches in that order, and the
 * page reads them as they come, joined to their cases (CASE_ITEM_STREAM),
 * stopping at the page's end: 0.2 ms where building the set of the 31,000
 * matches of a phrase (安全生产, whose bigram 安全 is in 60% of the 1M
 * cases) took 16 ms.  PostgreSQL sorts the matches (c.id + 0) when the
 * estimate says they are few, as search_query does, and otherwise plans
 * by its own costs. */
#define CASE_SEARCH_CAP 1000
#define CASE_SEARCH_PROBE_COST 50
#define CASE_SEARCH_SET_RATIO 30
#define CASE_SEARCH_SAMPLE 5000

static int64_t case_search_cap = CASE_SEARCH_CAP;
static int64_t case_search_probe_cost = CASE_SEARCH_PROBE_COST;
static int case_search_forced = -1; /* a case_search_how, or -1: by cost */

void case_search_tune(int64_t cap, int64_t probe_cost)
{
    case_search_cap = cap > 0 ? cap : CASE_SEARCH_CAP;
    case_search_probe_cost =
        probe_cost >= 0 ? probe_cost : CASE_SEARCH_PROBE_COST;
    memo_clear(); /* totals kept under the old cap */
}

int case_search_force(const char *plan)
{
    static const char *const names[] = {"in", "set", "probe"};
    case_search_forced = -1;
    if (plan == NULL)
        return 0;
    for (int i = 0; i < 3; i++)
        if (strcmp(plan, names[i]) == 0) {
            case_search_forced = i == 0   ? CASE_SEARCH_IN
                                 : i == 1 ? CASE_SEARCH_SET
                                          : CASE_SEARCH_PROBE;
            return 0;
        }
    return -1;
}

static const char CASE_SQL_MAX_ID[] = "SELECT COALESCE(MAX(id), 0) FROM cases";

/* How the page (rows up to page_end) of a search for arg in order runs
 * (see above); -1 on failure. */
static int case_search_plan(struct store *db, const char *arg,
                            const char *order, int64_t page_end)
{
    int64_t ncases = 0, sample, found = 0, n, walk;
    double in, set, probe;
    if (case_search_forced >= 0)
        return case_search_forced; /* (tests: any order, any plan) */
    if (strcmp(order, "c.updated_ms DESC, c.id DESC") != 0 &&
        strcmp(order, "c.id DESC") != 0 && strcmp(order, "c.id") != 0 &&
        strcmp(order, "c.updated_ms, c.id") != 0 &&
        strcmp(order, "c.created_ms DESC, c.id DESC") != 0 &&
        strcmp(order, "c.created_ms, c.id") != 0)
        return CASE_SEARCH_IN; /* no index to walk: sort the matches */
    if (store_query_int(db, CASE_SQL_MAX_ID, &ncases, "") == STORE_ERR)
        return -1;
    sample = ncases < CASE_SEARCH_SAMPLE ? ncases : CASE_SEARCH_SAMPLE;
    if (search_count_after(db, arg, ncases - sample, &found) != STORE_OK)
        return -1;
    if (sample == 0 || found == 0)
        return CASE_SEARCH_IN; /* none seen: probably few */
    if (page_end > ncases)
        page_end = ncases;
    n = found * (ncases / sample) + found * (ncases % sample) / sample;
    walk = n > 0 ? page_end * (ncases / n) : ncases;
    in = (double)n;
    set = (double)n / CASE_SEARCH_SET_RATIO + (double)walk;
    probe = (double)walk * (1.0 + (double)case_search_probe_cost);
    if (probe <= set && probe <= in)
        return CASE_SEARCH_PROBE;
    return set < in ? CASE_SEARCH_SET : CASE_SEARCH_IN;
}

/* The total of a search list, counted no further than case_search_cap + 1
 * matches (in *capped when there were more: out->total is then the cap);
 * 0, or -1 on failure. */
static int case_search_total(struct store *db, struct arena *a,
                             const struct actor *who,
                             const struct case_filter *f, const char *arg,
                             int64_t now, int64_t unit_id,
                             struct case_page *out, struct err *e)
{
    struct case_q q;
    struct stmt *st;
    int64_t n = 0;
    int rc;
    case_q_init(&q);
    q.search = CASE_SEARCH_JOINED;
    case_q_add(
        &q,
        store_kind(db) == STORE_PG
            ? "SELECT COUNT(*) FROM (SELECT 1 FROM " SEARCH_JOIN_PG("?") " AND "
            : "SELECT COUNT(*) FROM (SELECT 1 FROM " SEARCH_JOIN_SQLITE(
                  "?") " AND ",
        "t", arg);
    case_q_where(db, a, who, f, 1, now, unit_id, &q, e);
    case_q_add(&q, " LIMIT ?) s", "i", case_search_cap + 1);
    st = case_q_prepare(db, &q);
    if (store_step(st) == STORE_ROW)
        n = store_col_int(st, 0);
    rc = store_finalize(st) == STORE_OK ? 0 : -1;
    buf_free(&q.sql);
    out->total_capped = n > case_search_cap;
    out->total = out->total_capped ? case_search_cap : n;
    return rc;
}

/* Checks a filter for case_list and case_list_chunk: module, state, light,
 * unit (its id in *unit_id, 0 for none) and sort (its index in case_sorts
 * and its direction in *s, *desc; default -updated).  0, or -1 with a
 * field message (500 when the unit cannot be looked up). */
static int case_filter_check(struct store *db, const struct case_filter *f,
                            int64_t *unit_id, size_t *s, int *desc,
                            struct err *e)
{
    const struct module_def *m = NULL;
    const size_t nsorts = sizeof(case_sorts) / sizeof(case_sorts[0]);
    const char *sort = f->sort && f->sort[0] ? f->sort : "-updated";

    if (f->module != NULL && (m = module_find(f->module)) == NULL)
        return err_field(e, "module", "没有这个业务模块");
    if (f->state != NULL && m != NULL && module_state(m, f->state) == NULL)
        return err_field(e, "state", "没有这个状态");
    if (f->light != NULL && case_light_code(f->light) == -2)
        return err_field(e, "light", "灯色只能是 green、yellow、red 或 none");
    *unit_id = 0;
    if (f->unit != NULL && f->unit[0] != '\0') {
        *unit_id = case_unit_id(db, f->unit);
        if (*unit_id < 0)
            return err_set(e, 500, "internal", case_msg_internal);
        if (*unit_id == 0)
            return err_field(e, "unit", "单位不存在");
    }
    *desc = sort[0] == '-';
    for (*s = 0; *s < nsorts; (*s)++)
        if (strcmp(case_sorts[*s].code, sort + *desc) == 0)
            return 0;
    return err_field(e, "sort", "不能按此排序");
}

/* ---- a list's total and per-state counts ---- */

/* The memo key of a list's total and counts: the viewer and every part of
 * the filter they depend on (not the sort or the page); the free text
 * last, so that no value can run into the next. */
static const char *case_list_memo_key(struct arena *a, const struct actor *who,
                                      const struct case_filter *f)
{
#define S(x) ((x) != NULL ? (x) : "")
    return arena_printf(
        a,
        "list" CASE_MEMO_WHO_FMT "|%s|%s|%s|%s|%" PRId64 "|%" PRId64
        "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%d|%d|%d|%s",
        CASE_MEMO_WHO(who), S(f->module), S(f->state), S(f->unit),
        S(f->light), f->created_from, f->created_to, f->due_from, f->due_to,
        f->parent_id, f->mine, f->open_only, f->no_counts, S(f->q));
#undef S
}

/* The tabs of module m (each state, count 0), unless f asks for none. */
static void case_list_counts_init(struct arena *a, const struct module_def *m,
                                  const struct case_filter *f,
                                  struct case_page *out)
{
    int ns = 0;
    if (m == NULL || f->no_counts)
        return;
    while (m->states[ns].code != NULL)
        ns++;
    out->counts = arena_alloc(a, sizeof(*out->counts) * (size_t)ns);
    out->ncounts = ns;
    for (int i = 0; i < ns; i++) {
        out->counts[i].state = m->states[i].code;
        out->counts[i].label = m->states[i].label;
    }
}

/* The memo's values: total, total_capped, then each tab's count. */
static int case_list_memo_get(const struct memo_at *at, const char *key,
                              struct case_page *out)
{
    int64_t v[2 + CASE_LIST_MAX_TABS];
    if (out->ncounts > CASE_LIST_MAX_TABS ||
        memo_get(at, key, v, 2 + out->ncounts) != 2 + out->ncounts)
        return 0;
    out->total = v[0];
    out->total_capped = (int)v[1];
    for (int i = 0; i < out->ncounts; i++)
        out->counts[i].n = v[2 + i];
    return 1;
}

static void case_list_memo_put(const struct memo_at *at, const char *key,
                               int light, const struct case_page *out)
{
    int64_t v[2 + CASE_LIST_MAX_TABS];
    if (out->ncounts > CASE_LIST_MAX_TABS)
        return;
    v[0] = out->total;
    v[1] = out->total_capped;
    for (int i = 0; i < out->ncounts; i++)
        v[2 + i] = out->counts[i].n;
    /* a count by light changes with the clock alone */
    memo_put(at, key, v, 2 + out->ncounts,
             light ? MEMO_CLOCK_MS : MEMO_KEEP_MS);
}

/* Counts what matches f: the total (capped with a search word) and, when
 * out has tabs, the count of each state ignoring f->state.  0 / -1 with
 * e. */
static int case_list_counts(struct store *db, struct arena *a,
                            const struct actor *who,
                            const struct case_filter *f, const char *arg,
                            int64_t now, int64_t unit_id,
                            struct case_page *out, struct err *e)
{
    struct case_q q;
    struct stmt *st;
    int rc, s;

    if (arg != NULL) {
        if (case_search_total(db, a, who, f, arg, now, unit_id, out, e))
            return err_set(e, 500, "internal", case_msg_internal);
    } else {
        case_q_init(&q);
        case_q_add(&q, "SELECT COUNT(*) FROM cases c WHERE ", "");
        case_q_where(db, a, who, f, 1, now, unit_id, &q, e);
        st = case_q_prepare(db, &q);
        if (store_step(st) == STORE_ROW)
            out->total = store_col_int(st, 0);
        rc = store_finalize(st) == STORE_OK ? 0 : -1;
        buf_free(&q.sql);
        if (rc != 0)
            return err_set(e, 500, "internal", case_msg_internal);
    }
    if (out->ncounts == 0)
        return 0;
    case_q_init(&q);
    case_q_add(&q, "SELECT c.state, COUNT(*) FROM cases c WHERE ", "");
    case_q_where(db, a, who, f, 0, now, unit_id, &q, e);
    case_q_add(&q, " GROUP BY c.state", "");
    st = case_q_prepare(db, &q);
    while ((s = store_step(st)) == STORE_ROW)
        for (int i = 0; i < out->ncounts; i++)
            if (strcmp(out->counts[i].state, store_col_text(st, 0)) == 0)
                out->counts[i].n = store_col_int(st, 1);
    rc = store_finalize(st) == STORE_OK && s != STORE_ERR ? 0 : -1;
    buf_free(&q.sql);
    if (rc != 0)
        return err_set(e, 500, "internal", case_msg_internal);
    return 0;
}

int case_list(struct store *db, struct arena *a, const struct actor *who,
              const struct case_filter *f, struct case_page *out, struct err *e)
{
    const struct module_def *m = NULL;
    const char *order;
    int64_t now = now_ms(), unit_id = 0;
    int per = f->per_page <= 0 ? 20 : f->per_page, page = f->page;
    int rc = -1, w, desc, by_id;
    size_t sort_i;
    enum case_search_how how = CASE_SEARCH_IN;
    const char *arg = NULL;
    struct case_q q;
    struct memo_at at;
    const char *key;

    memset(out, 0, sizeof(*out));
    out->items = arena_alloc(a, sizeof(struct case_item));
    if (per > 500)
        per = 500;
    if (page < 1)
        page = 1;
    if (case_filter_check(db, f, &unit_id, &sort_i, &desc, e))
        return -1;
    if (f->module != NULL)
        m = module_find(f->module);
    order = desc ? case_sorts[sort_i].desc : case_sorts[sort_i].asc;
    if (case_actor_is_admin(who))
        return 0; /* 三员分立: no business data */
    if (f->q != NULL && f->q[0] != '\0' && case_search_fn != NULL) {
        if (case_search_fn(db, a, f->q, &arg) != 1 || arg == NULL)
            return 0; /* nothing searchable: nothing matches */
        by_id = strcmp(case_sorts[sort_i].code, "id") == 0;
        if (by_id && store_kind(db) == STORE_SQLITE && case_search_forced < 0)
            w = CASE_SEARCH_JOINED; /* streamed in the index's order */
        else
            w = case_search_plan(db, arg, order, (int64_t)page * per);
        if (w < 0) {
            log_error("cannot plan a search: %s", store_errmsg(db));
            return err_set(e, 500, "internal", case_msg_internal);
        }
        how = (enum case_search_how)w;
        if (how == CASE_SEARCH_JOINED)
            order = desc ? "search_fts.rowid DESC" : "search_fts.rowid";
        else if (by_id && how == CASE_SEARCH_IN && store_kind(db) == STORE_PG)
            order = desc ? "c.id + 0 DESC" : "c.id + 0";
    }

    /* the page */
    case_q_init(&q);
    q.search = how;
    q.fields = f->fields;
    if (how == CASE_SEARCH_JOINED)
        case_q_add(&q, CASE_ITEM_STREAM, "iit", now, now, arg);
    else
        case_q_add(&q, CASE_ITEM_COLS, "ii", now, now);
    w = case_q_where(db, a, who, f, 1, now, unit_id, &q, e);
    if (w != 0) {
        buf_free(&q.sql);
        return w > 0 ? 0 : -1;
    }
    case_q_add(&q, " ORDER BY ", "");
    case_q_add(&q, order, "");
    case_q_add(&q, " LIMIT ? OFFSET ?", "ii", (int64_t)per,
               (int64_t)(page - 1) * per);
    rc = case_q_items(db, a, who, &q, &out->items, &out->n);
    buf_free(&q.sql);
    if (rc != 0)
        return err_set(e, 500, "internal", case_msg_internal);

    /* the total and the tabs' counts: scans, kept in a memo while nothing
     * changes (the page itself is always read afresh) */
    memo_at(db, &at);
    key = case_list_memo_key(a, who, f);
    case_list_counts_init(a, m, f, out);
    if (case_list_memo_get(&at, key, out))
        return 0;
    if (case_list_counts(db, a, who, f, arg, now, unit_id, out, e) != 0)
        return -1;
    case_list_memo_put(&at, key, f->light != NULL, out);
    return 0;
}

/* ---- long lists in chunks (the Excel export) ---- */

/* The keyset condition continuing sort s (an index of case_sorts) after
 * the cursor, with '?' for its values in the order case_chunk_after binds
 * them.  The sorts end in c.id, so the order is total and each chunk
 * starts exactly where the last ended; "due" puts cases without a due
 * date last in both directions. */
static void case_chunk_after(struct case_q *q, size_t s, int desc,
                             const struct case_cursor *cur)
{
    const char *op = desc ? "<" : ">";
    const char *code = case_sorts[s].code;
    char frag[160];

    if (strcmp(code, "due") == 0) {
        if (cur->due_ms == 0) {
            snprintf(frag, sizeof(frag), " AND c.due_ms = 0 AND c.id %s ?", op);
            case_q_add(q, frag, "i", cur->id);
            return;
        }
        snprintf(frag, sizeof(frag), " AND (%s(c.due_ms, c.id) %s (?, ?))",
                 desc ? "" : "c.due_ms = 0 OR ", op);
        case_q_add(q, frag, "ii", cur->due_ms, cur->id);
    } else if (strcmp(code, "title") == 0) {
        snprintf(frag, sizeof(frag), " AND (c.title, c.id) %s (?, ?)", op);
        case_q_add(q, frag, "ti", cur->title, cur->id);
    } else if (strcmp(code, "number") == 0) {
        snprintf(frag, sizeof(frag),
                 " AND (c.number_year, c.number_n, c.id) %s (?, ?, ?)", op);
        case_q_add(q, frag, "iii", cur->number_year, cur->number_n, cur->id);
    } else if (strcmp(code, "id") == 0) {
        snprintf(frag, sizeof(frag), " AND c.id %s ?", op);
        case_q_add(q, frag, "i", cur->id);
    } else {
        snprintf(frag, sizeof(frag), " AND (c.%s_ms, c.id) %s (?, ?)", code,
                 op);
        case_q_add(q, frag, "ii",
                   strcmp(code, "created") == 0 ? cur->created_ms
                                                : cur->updated_ms,
                   cur->id);
    }
}

/* Remembers the sort key of the row st is on (CASE_ITEM_COLS) in cur. */
static void case_cursor_take(struct stmt *st, struct case_cursor *cur)
{
    cur->id = store_col_int(st, 0);
    free(cur->title);
    cur->title = strdup(store_col_text(st, 3));
    if (cur->title == NULL)
        abort();
    cur->due_ms = store_col_int(st, 15);
    cur->created_ms = store_col_int(st, 17);
    cur->updated_ms = store_col_int(st, 18);
}

/* The number key of the cursor's row (the number sort only): one lookup
 * a chunk rather than two more columns in every list query. */
static int case_cursor_number(struct store *db, struct case_cursor *cur)
{
    struct stmt *st = store_prepare(
        db, "SELECT number_year, number_n FROM cases WHERE id = $1");
    int s;
    store_bind_int(st, 1, cur->id);
    s = store_step(st);
    if (s == STORE_ROW) {
        cur->number_year = store_col_int(st, 0);
        cur->number_n = store_col_int(st, 1);
    }
    return store_finalize(st) == STORE_OK && s == STORE_ROW ? 0 : -1;
}

void case_cursor_done(struct case_cursor *cur)
{
    free(cur->title);
    memset(cur, 0, sizeof(*cur));
}

int case_list_chunk(struct store *db, struct arena *a, const struct actor *who,
                    const struct case_filter *f, int with_fields,
                    struct case_cursor *cur, int limit, struct case_item **out,
                    int *n, struct err *e)
{
    int64_t now = now_ms(), unit_id = 0;
    size_t s = 0;
    int desc = 0, w, rows = 0, cap = limit > 0 ? limit : 1, step;
    struct case_q q;
    struct stmt *st;
    struct case_pick_vis vis = {0};

    *n = 0;
    *out = arena_alloc(a, sizeof(**out) * (size_t)cap);
    if (cur->done)
        return 0;
    if (case_filter_check(db, f, &unit_id, &s, &desc, e))
        return -1;
    if (case_actor_is_admin(who) || limit <= 0) {
        cur->done = 1;
        return 0; /* 三员分立: no business data */
    }
    case_q_init(&q);
    case_q_add(&q, CASE_ITEM_COLS, "ii", now, now);
    w = case_q_where(db, a, who, f, 1, now, unit_id, &q, e);
    if (w != 0) {
        buf_free(&q.sql);
        cur->done = 1;
        return w > 0 ? 0 : -1;
    }
    if (cur->id > 0)
        case_chunk_after(&q, s, desc, cur);
    case_q_add(&q, " ORDER BY ", "");
    case_q_add(&q, desc ? case_sorts[s].desc : case_sorts[s].asc, "");
    case_q_add(&q, " LIMIT ?", "i", (int64_t)limit);
    st = case_q_prepare(db, &q);
    while ((step = store_step(st)) == STORE_ROW) {
        rows++;
        case_cursor_take(st, cur);
        /* parsing the JSON of the fields is most of a row's cost */
        if ((with_fields
                 ? case_item_read(st, a, who, f->fields, &vis, &(*out)[*n])
                 : case_item_read_cols(st, a, &(*out)[*n])) == 0)
            (*n)++;
    }
    buf_free(&q.sql);
    if (store_finalize(st) != STORE_OK || step == STORE_ERR ||
        (rows > 0 && strcmp(case_sorts[s].code, "number") == 0 &&
         case_cursor_number(db, cur) != 0)) {
        log_error("cannot list cases: %s", store_errmsg(db));
        return err_set(e, 500, "internal", case_msg_internal);
    }
    cur->done = rows < limit;
    return 0;
}

/* Open, for the to-do: the unary plus keeps the planner off cases_open
 * (every open case) so the waiting set (a few dozen ids, CASE_WAITING_Q)
 * drives the query by primary key; without statistics SQLite guesses an
 * index equality to be the smaller side. */
#define CASE_TODO_OPEN_Q " AND +c.closed_ms = 0 AND "

/* The order of the to-do (reddest first, then by due date) and the
 * subquery of its page's ids, which SQLite reads from cases_todo alone
 * (named: its planner would take the primary key and the wide rows). */
#define CASE_TODO_ORDER                                                        \
    " ORDER BY " CASE_LIGHT_SQL(                                               \
        "?") " DESC,"                                                          \
             " CASE WHEN c.due_ms = 0 THEN 1 ELSE 0 END, c.due_ms, c.id"
#define CASE_TODO_IDS                                                          \
    "SELECT c.id FROM cases c INDEXED BY cases_todo WHERE "
#define CASE_TODO_IDS_PG "SELECT c.id FROM cases c WHERE "
/* The rows of a list of ids bound as one JSON array (a to-do page holds up
 * to 1000, more than a statement's parameters) */
#define CASE_IN_IDS "c.id IN (SELECT value FROM json_each(?))"
#define CASE_IN_IDS_PG                                                         \
    "c.id IN (SELECT value::bigint FROM json_array_elements_text(?::json))"

/* The ids of the first limit cases waiting for the viewer, in the to-do's
 * order, kept in a memo while nothing changes: finding them orders every
 * case the viewer's unit waits on, thousands in an office.  *n of them in
 * ids (room for limit); 0 / -1. */
static int case_todo_ids(struct store *db, const struct actor *who,
                         int64_t now, int limit, int64_t *ids, int *n)
{
    struct case_q q;
    struct stmt *st;
    char key[96];
    struct memo_at at;
    int s, k = 0;

    snprintf(key, sizeof(key), "todo-ids|%d" CASE_MEMO_WHO_FMT, limit,
             CASE_MEMO_WHO(who));
    memo_at(db, &at);
    if ((k = memo_get(&at, key, ids, limit)) >= 0) {
        *n = k;
        return 0;
    }
    k = 0;
    case_q_init(&q);
    case_q_add(
        &q, store_kind(db) == STORE_PG ? CASE_TODO_IDS_PG : CASE_TODO_IDS, "");
    case_q_visible(&q, who);
    case_q_add(&q, CASE_TODO_OPEN_Q, "");
    case_q_waiting(&q, who);
    case_q_add(&q, CASE_TODO_ORDER " LIMIT ?", "iii", now, now,
               (int64_t)limit);
    st = case_q_prepare(db, &q);
    while ((s = store_step(st)) == STORE_ROW && k < limit)
        ids[k++] = store_col_int(st, 0);
    buf_free(&q.sql);
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return -1;
    memo_put(&at, key, ids, k, MEMO_CLOCK_MS); /* ordered by light */
    *n = k;
    return 0;
}

/* The to-do order (CASE_TODO_ORDER) of items read at the same instant:
 * red first, then by due instant (none last), then by id. */
static int case_todo_cmp(const void *pa, const void *pb)
{
    const struct case_item *x = pa, *y = pb;
    if (x->light != y->light)
        return x->light > y->light ? -1 : 1;
    if ((x->due_ms == 0) != (y->due_ms == 0))
        return x->due_ms == 0 ? 1 : -1;
    if (x->due_ms != y->due_ms)
        return x->due_ms < y->due_ms ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int case_todo(struct store *db, struct arena *a, const struct actor *who,
              int limit, const char *const *fields, struct case_item **out,
              int *n, struct err *e)
{
    int64_t now = now_ms();
    struct case_q q;
    struct buf list;
    int64_t *ids;
    int rc, nids = 0;

    *out = arena_alloc(a, sizeof(struct case_item));
    *n = 0;
    if (limit <= 0)
        limit = 100;
    if (limit > 1000)
        limit = 1000;
    if (case_actor_is_admin(who))
        return 0;
    /* the page's ids first (from the narrow cases_todo), then only their
     * wide rows, read afresh */
    ids = arena_alloc(a, sizeof(*ids) * (size_t)limit);
    if (case_todo_ids(db, who, now, limit, ids, &nids) != 0)
        return err_set(e, 500, "internal", case_msg_internal);
    if (nids == 0)
        return 0;
    buf_init(&list, 1 << 16);
    buf_putc(&list, '[');
    for (int i = 0; i < nids; i++)
        buf_printf(&list, i > 0 ? ",%" PRId64 : "%" PRId64, ids[i]);
    buf_putc(&list, ']');
    case_q_init(&q);
    q.fields = fields;
    case_q_add(&q, CASE_ITEM_COLS, "ii", now, now);
    case_q_add(&q, store_kind(db) == STORE_PG ? CASE_IN_IDS_PG : CASE_IN_IDS,
               "t", list.ptr);
    rc = case_q_items(db, a, who, &q, out, n);
    buf_free(&q.sql);
    buf_free(&list);
    if (rc != 0)
        return err_set(e, 500, "internal", case_msg_internal);
    /* ordered here, by the lights the rows were read with: ORDER BY made
     * SQLite copy the fifty wide rows, fields and all, into a sorter (a
     * fifth of the page's reading) */
    qsort(*out, (size_t)*n, sizeof(**out), case_todo_cmp);
    return 0;
}

/* How many open cases wait for the actor: the to-do query's predicate
 * with COUNT(*) (the counter in every page's top bar, so no rows, no
 * joins, no ordering), read from the narrow index cases_todo (schema.c
 * migration 8) rather than the wide rows, and kept in a memo while
 * nothing changes: an office unit waits on thousands of cases. */
int64_t case_todo_count(struct store *db, const struct actor *who)
{
    struct case_q q;
    int64_t count = 0;
    struct memo_at at;
    char key[96];

    if (case_actor_is_admin(who))
        return 0;
    snprintf(key, sizeof(key), "todo-count" CASE_MEMO_WHO_FMT,
             CASE_MEMO_WHO(who));
    memo_at(db, &at);
    if (memo_get(&at, key, &count, 1) == 1)
        return count;
    case_q_init(&q);
    case_q_add(
        &q,
        store_kind(db) == STORE_PG
            ? "SELECT COUNT(*) FROM cases c WHERE "
            : "SELECT COUNT(*) FROM cases c INDEXED BY cases_todo WHERE ",
        "");
    case_q_visible(&q, who);
    case_q_add(&q, CASE_TODO_OPEN_Q, "");
    case_q_waiting(&q, who);
    struct stmt *st = case_q_prepare(db, &q);
    if (store_step(st) == STORE_ROW)
        count = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK)
        count = -1;
    buf_free(&q.sql);
    if (count >= 0)
        memo_put(&at, key, &count, 1, MEMO_KEEP_MS);
    return count;
}

/* ---- the detail ---- */

static const char CASE_SQL_EVENTS[] =
    "SELECT id, at_ms, actor_login, actor_name, actor_role, kind, transition,"
    " from_state, to_state, text, data FROM case_timeline WHERE case_id = $1"
    " ORDER BY id";

static const char CASE_SQL_LINKS[] =
    "SELECT l.kind, l.a_id, o.id, o.module, o.number, o.title, o.state"
    " FROM case_links l JOIN cases o ON o.id = CASE WHEN l.a_id = $1"
    " THEN l.b_id ELSE l.a_id END WHERE l.a_id = $1 OR l.b_id = $1"
    " ORDER BY l.id";

static int case_get_events(struct store *db, struct arena *a,
                           const struct module_def *m, int64_t id,
                           struct case_view *v)
{
    struct stmt *st = store_prepare(db, CASE_SQL_EVENTS);
    int cap = 16, s;
    v->events = arena_alloc(a, sizeof(*v->events) * (size_t)cap);
    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        struct case_event *ev;
        const struct transition_def *t;
        const struct state_def *sd;
        v->events =
            arena_grow(a, v->events, v->nevents, &cap, sizeof(*v->events));
        ev = &v->events[v->nevents++];
        ev->id = store_col_int(st, 0);
        ev->at_ms = store_col_int(st, 1);
        ev->actor_login = arena_strdup(a, store_col_text(st, 2));
        ev->actor_name = arena_strdup(a, store_col_text(st, 3));
        ev->actor_role = arena_strdup(a, store_col_text(st, 4));
        ev->kind = arena_strdup(a, store_col_text(st, 5));
        ev->transition = arena_strdup(a, store_col_text(st, 6));
        t = module_transition(m, ev->transition);
        ev->transition_label = t != NULL                         ? t->label
                               : strcmp(ev->kind, "create") == 0 ? "登记"
                                                                 : "";
        sd = module_state(m, store_col_text(st, 7));
        ev->from_state = sd != NULL ? sd->label : "";
        sd = module_state(m, store_col_text(st, 8));
        ev->to_state = sd != NULL ? sd->label : "";
        ev->text = arena_strdup(a, store_col_text(st, 9));
        ev->data = arena_strdup(a, store_col_text(st, 10));
    }
    return store_finalize(st) == STORE_OK && s != STORE_ERR ? 0 : -1;
}

static int case_get_links(struct store *db, struct arena *a,
                          const struct actor *who, int64_t id,
                          struct case_view *v)
{
    struct stmt *st = store_prepare(db, CASE_SQL_LINKS);
    int cap = 8, s, n = 0;
    struct case_link_view *l = arena_alloc(a, sizeof(*l) * (size_t)cap);
    store_bind_int(st, 1, id);
    while ((s = store_step(st)) == STORE_ROW) {
        const struct module_def *om = module_find(store_col_text(st, 3));
        const struct state_def *os =
            om != NULL ? module_state(om, store_col_text(st, 6)) : NULL;
        if (om == NULL || os == NULL)
            continue;
        l = arena_grow(a, l, n, &cap, sizeof(*l));
        l[n].kind = arena_strdup(a, store_col_text(st, 0));
        l[n].outgoing = store_col_int(st, 1) == id;
        l[n].id = store_col_int(st, 2);
        l[n].module = om->code;
        l[n].number = arena_strdup(a, store_col_text(st, 4));
        l[n].title = arena_strdup(a, store_col_text(st, 5));
        l[n].state_label = os->label;
        n++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return -1;
    /* only the cases the viewer sees */
    v->links = arena_alloc(a, sizeof(*v->links) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        int vis = case_visible(db, who, l[i].id);
        if (vis < 0)
            return -1;
        if (vis)
            v->links[v->nlinks++] = l[i];
    }
    return 0;
}

static const char CASE_SQL_VOTE_VIEW[] =
    "SELECT p.unit_id, COALESCE(u.login, n.code, ''),"
    " COALESCE(u.name, n.name, ''), COALESCE(v.at_ms, 0)"
    " FROM case_parties p LEFT JOIN users u ON p.user_id <> 0 AND"
    " u.id = p.user_id LEFT JOIN units n ON p.user_id = 0 AND"
    " n.id = p.unit_id LEFT JOIN case_votes v ON v.case_id = p.case_id AND"
    " v.transition = $2 AND v.unit_id = p.unit_id AND v.user_id = p.user_id"
    " WHERE p.case_id = $1 AND p.rel = $3"
    " ORDER BY COALESCE(v.at_ms, 0) = 0, v.at_ms, p.unit_id, p.user_id";

/* The members of the parallel transitions (all_rel) that may fire from
 * the case's state, with their votes. */
static int case_get_votes(struct store *db, struct arena *a,
                          const struct module_def *m, const char *state,
                          int64_t id, struct case_view *v)
{
    int cap = 8, s = STORE_DONE;
    v->votes = arena_alloc(a, sizeof(*v->votes) * (size_t)cap);
    for (int i = 0; m->transitions != NULL && m->transitions[i].code; i++) {
        const struct transition_def *t = &m->transitions[i];
        const char *rel = NULL;
        struct stmt *st;
        if (t->all_rel == 0 || !module_in_list(t->from, state))
            continue;
        for (size_t k = 0; k < sizeof(case_rels) / sizeof(case_rels[0]); k++)
            if (case_rels[k].bit == t->all_rel)
                rel = case_rels[k].rel;
        if (rel == NULL)
            continue;
        st = store_prepare(db, CASE_SQL_VOTE_VIEW);
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, t->code);
        store_bind_text(st, 3, rel);
        while ((s = store_step(st)) == STORE_ROW) {
            struct case_vote_view *x;
            v->votes =
                arena_grow(a, v->votes, v->nvotes, &cap, sizeof(*v->votes));
            x = &v->votes[v->nvotes++];
            x->transition = t->code;
            x->label = t->label;
            x->unit = store_col_int(st, 0) != 0;
            x->member = arena_strdup(a, store_col_text(st, 1));
            x->name = arena_strdup(a, store_col_text(st, 2));
            x->at_ms = store_col_int(st, 3);
        }
        if (store_finalize(st) != STORE_OK || s == STORE_ERR)
            return -1;
    }
    return 0;
}

/* A list of no fields (case_q.fields): only those the module's mark reads. */
static const char *const case_no_fields[] = {NULL};

int case_get(struct store *db, struct arena *a, const struct actor *who,
             int64_t id, struct case_view *out, struct err *e)
{
    struct case_row r;
    struct case_q q;
    struct case_item *items = NULL;
    int n = 0, rc, rel;
    int64_t now = now_ms();
    const struct module_def *m;

    memset(out, 0, sizeof(*out));
    if (case_actor_is_admin(who))
        return err_set(e, 404, "not_found", "没有找到该事项");
    rc = case_row_load(db, a, id, &r);
    if (rc < 0)
        return err_set(e, 500, "internal", case_msg_internal);
    if (rc > 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    rc = case_row_visible(db, who, &r);
    if (rc < 0)
        return err_set(e, 500, "internal", case_msg_internal);
    if (rc == 0)
        return err_set(e, 404, "not_found", "没有找到该事项");
    m = r.m;

    /* the item's columns and names; its fields are r's, parsed once */
    case_q_init(&q);
    case_q_add(&q, CASE_ITEM_COLS "c.id = ?", "iii", now, now, id);
    q.fields = case_no_fields;
    rc = case_q_items(db, a, who, &q, &items, &n);
    buf_free(&q.sql);
    if (rc != 0 || n != 1)
        return err_set(e, 500, "internal", case_msg_internal);
    out->c = items[0];
    out->c.fields =
        case_json_keep(a, case_fields_visible(m, r.data, who->clearance, NULL));

    out->display = case_json_keep(a, json_object());
    for (int i = 0; m->fields[i].code != NULL; i++) {
        const struct field_def *f = &m->fields[i];
        if (f->min_clearance > who->clearance)
            continue;
        json_object_set_new(out->display, f->code,
                            json_string(case_field_display(
                                db, a, f, json_object_get(r.data, f->code))));
    }
    out->pending_label =
        r.pending != NULL ? case_pending_label(m, r.pending) : NULL;
    if (case_clock_views(db, a, m, id, &out->clocks, &out->nclocks,
                         &out->unpublished) != 0 ||
        case_get_events(db, a, m, id, out) != 0 ||
        case_get_links(db, a, who, id, out) != 0 ||
        case_get_votes(db, a, m, r.state, id, out) != 0)
        return err_set(e, 500, "internal", case_msg_internal);

    case_q_init(&q);
    case_q_add(&q, CASE_ITEM_COLS, "ii", now, now);
    case_q_visible(&q, who);
    case_q_add(&q, " AND c.parent_id = ? ORDER BY c.id", "i", id);
    rc = case_q_items(db, a, who, &q, &out->children, &out->nchildren);
    buf_free(&q.sql);
    if (rc != 0)
        return err_set(e, 500, "internal", case_msg_internal);

    rel = case_relations(db, who, id);
    if (rel < 0)
        return err_set(e, 500, "internal", case_msg_internal);
    n = 0;
    while (m->transitions != NULL && m->transitions[n].code != NULL)
        n++;
    out->can = arena_alloc(a, sizeof(*out->can) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        struct err tmp;
        err_clear(&tmp);
        if (case_may_fire(who, &r, rel, &m->transitions[i], &tmp) == 0 &&
            case_clock_within_view(out, &m->transitions[i], now))
            out->can[out->ncan++] = &m->transitions[i];
    }
    for (int i = 0; m->fields[i].code != NULL && !out->can_edit; i++)
        out->can_edit = m->fields[i].edit_roles != NULL &&
                        !(module_state(m, r.state)->flags & STATE_ARCHIVED) &&
                        (actor_is_cli(who) ||
                         case_roles_match(who, m->fields[i].edit_roles));
    return 0;
}

/* ---- JSON ---- */

static json_t *case_ms_json(int64_t ms)
{
    char buf[26];
    if (ms <= 0)
        return json_null();
    ms_fmt_iso(ms, buf);
    return json_string(buf);
}

/* The last day of a day clock due at ms (24:00 of that day). */
static json_t *case_due_date_json(int64_t ms)
{
    char buf[11];
    if (ms <= 0)
        return json_null();
    ymd_fmt(ms_to_beijing(ms - 1), buf);
    return json_string(buf);
}

json_t *case_item_json(const struct case_item *it)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(it->id));
    json_object_set_new(j, "module", json_string(it->m->code));
    json_object_set_new(j, "number", json_string(it->number));
    json_object_set_new(j, "title", json_string(it->title));
    json_object_set_new(j, "state", json_string(it->state->code));
    json_object_set_new(j, "state_label", json_string(it->state->label));
    json_object_set_new(j, "closed",
                        json_boolean((it->state->flags & STATE_CLOSED) != 0));
    json_object_set_new(j, "secrecy", json_integer(it->secrecy));
    json_object_set_new(j, "parent_id",
                        it->parent_id > 0 ? json_integer(it->parent_id)
                                          : json_null());
    json_object_set_new(j, "owner_unit", json_string(it->owner_unit));
    json_object_set_new(j, "owner_unit_name", json_string(it->owner_unit_name));
    json_object_set_new(j, "lead_unit", json_string(it->lead_unit));
    json_object_set_new(j, "lead_unit_name", json_string(it->lead_unit_name));
    json_object_set_new(j, "handler", json_string(it->handler));
    json_object_set_new(j, "handler_name", json_string(it->handler_name));
    json_object_set_new(j, "progress", json_integer(it->progress));
    json_object_set_new(j, "pending",
                        it->pending != NULL ? json_string(it->pending)
                                            : json_null());
    json_object_set_new(j, "due", case_due_date_json(it->due_ms));
    json_object_set_new(j, "due_at", case_ms_json(it->due_ms));
    json_object_set_new(j, "light", json_string(case_light_name(it->light)));
    json_object_set_new(j, "created", case_ms_json(it->created_ms));
    json_object_set_new(j, "updated", case_ms_json(it->updated_ms));
    json_object_set_new(j, "closed_at", case_ms_json(it->closed_ms));
    json_object_set(j, "fields", it->fields != NULL ? it->fields : json_null());
    return j;
}

static json_t *case_list_json(const char *list)
{
    json_t *arr = json_array();
    if (list == NULL)
        return arr;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, len));
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return arr;
}

json_t *case_view_json(const struct case_view *v)
{
    json_t *j = case_item_json(&v->c), *arr;
    char day[11];

    json_object_set(j, "display", v->display);
    json_object_set_new(j, "pending_label",
                        v->pending_label != NULL ? json_string(v->pending_label)
                                                 : json_null());
    json_object_set_new(j, "unpublished", json_boolean(v->unpublished));
    json_object_set_new(j, "can_edit", json_boolean(v->can_edit));
    arr = json_array();
    for (int i = 0; i < v->nclocks; i++) {
        const struct case_clock_view *c = &v->clocks[i];
        ymd_fmt(c->st.due_date, day);
        json_array_append_new(
            arr,
            json_pack(
                "{s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:I,s:I,s:s,s:b,s:b,s:b,"
                "s:i,s:b}",
                "code", c->def->code, "label", c->def->label, "unit",
                clock_unit_label(c->def->unit), "start",
                case_ms_json(c->start_ms), "due_at", case_ms_json(c->st.due_ms),
                "due", day, "length", (json_int_t)c->st.length, "used",
                (json_int_t)c->st.used, "left", (json_int_t)c->st.left, "light",
                clock_light_name(c->st.light), "paused", c->st.paused,
                "stopped", c->st.stopped, "unpublished", c->st.unpublished,
                "extensions", c->nextensions, "main", c->def->main));
    }
    json_object_set_new(j, "clocks", arr);
    arr = json_array();
    for (int i = 0; i < v->nevents; i++) {
        const struct case_event *ev = &v->events[i];
        json_t *data =
            ev->data[0] != '\0' ? json_loads(ev->data, 0, NULL) : NULL;
        json_array_append_new(
            arr,
            json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id",
                      (json_int_t)ev->id, "at", case_ms_json(ev->at_ms),
                      "actor", ev->actor_login, "actor_name", ev->actor_name,
                      "actor_role", ev->actor_role, "kind", ev->kind,
                      "transition", ev->transition, "transition_label",
                      ev->transition_label, "from_state", ev->from_state,
                      "to_state", ev->to_state, "text", ev->text, "data",
                      data != NULL ? data : json_null()));
    }
    json_object_set_new(j, "timeline", arr);
    arr = json_array();
    for (int i = 0; i < v->nchildren; i++)
        json_array_append_new(arr, case_item_json(&v->children[i]));
    json_object_set_new(j, "children", arr);
    arr = json_array();
    for (int i = 0; i < v->nlinks; i++) {
        const struct case_link_view *l = &v->links[i];
        json_array_append_new(
            arr,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)l->id,
                      "kind", l->kind, "direction", l->outgoing ? "out" : "in",
                      "module", l->module, "number", l->number, "title",
                      l->title, "state_label", l->state_label));
    }
    json_object_set_new(j, "links", arr);
    arr = json_array();
    for (int i = 0; i < v->nvotes; i++) {
        const struct case_vote_view *x = &v->votes[i];
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "transition",
                           x->transition, "label", x->label, "kind",
                           x->unit ? "unit" : "person", "member", x->member,
                           "name", x->name, "done", x->at_ms != 0, "at",
                           case_ms_json(x->at_ms)));
    }
    json_object_set_new(j, "votes", arr);
    arr = json_array();
    for (int i = 0; i < v->ncan; i++) {
        const struct transition_def *t = v->can[i];
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o,s:i,s:o,s:o,s:o,s:i}", "code", t->code,
                           "label", t->label, "to",
                           t->to != NULL ? json_string(t->to) : json_null(),
                           "comment", t->comment, "opinion",
                           t->opinion != NULL ? json_string(t->opinion)
                                              : json_null(),
                           "fields", case_list_json(t->fields), "required",
                           case_list_json(t->required), "flags", t->flags));
    }
    json_object_set_new(j, "transitions", arr);
    return j;
}
