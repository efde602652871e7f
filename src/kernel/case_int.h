/*
 * case_int.h - what the files of the case engine share, and nobody else
 * includes:
 *     case.c        writes: create, fire, edit, comment, link; parties,
 *                   waits, roll-up, timeline, audit, hooks
 *     case_field.c  field values: parse and check input, text and display
 *                   forms, the case_val_* accessors of module hooks
 *     case_clock.c  clocks: effects of transitions, the cached light
 *                   columns, recomputation, the reminder sweep
 *     case_query.c  reads: visibility, get, list, to-do
 */
#ifndef SHUNIU_CASE_INT_H
#define SHUNIU_CASE_INT_H

#include "kernel/case.h"

#define CASE_MAX_DEPTH 8    /* parent chains followed for roll-ups */
#define CASE_NOTIFY_MAX 200 /* people notified by one write */

extern const char case_msg_internal[];

/* A row of cases as loaded. */
struct case_row {
    int64_t id;
    const struct module_def *m;
    const char *number;
    const char *title;
    const char *state;
    int secrecy;
    int64_t owner_unit_id, creator_id, lead_unit_id, handler_id, parent_id;
    int progress;
    const char *pending; /* NULL when none */
    int64_t created_ms, updated_ms, closed_ms;
    json_t *data; /* released with the arena */
};

/* Loads case id: 0 found, 1 no such case (or its module is not compiled
 * in), -1 database failure. */
int case_row_load(struct store *db, struct arena *a, int64_t id,
                  struct case_row *r);

/* Keeps j (a reference) until the arena is freed; returns j. */
json_t *case_json_keep(struct arena *a, json_t *j);
/* The enum case_rel bit of a case_parties.rel code, 0 when unknown. */
int case_rel_bit(const char *rel);
/* The case_parties.rel code of an engine field role, NULL for none. */
const char *case_rel_of_role(enum field_role role);

/* 1 for sysadmin, secadmin, auditor (they see no business case). */
int case_actor_is_admin(const struct actor *who);
/* 1 when who may see the row (clearance, need to know).  -1 on failure. */
int case_row_visible(struct store *db, const struct actor *who,
                     const struct case_row *r);
/* The relations (enum case_rel bits) of who to the case, AB角 included;
 * -1 on failure. */
int case_relations(struct store *db, const struct actor *who, int64_t id);
/* 1 when who holds a role of list (NULL or "*": any). */
int case_roles_match(const struct actor *who, const char *list);
/* 0 when who may fire t on r now (rel: case_relations), else -1 with e
 * (403 or 409). */
int case_may_fire(const struct actor *who, const struct case_row *r, int rel,
                  const struct transition_def *t, struct err *e);

/* ---- case_field.c ---- */

/* Parses input value `in` of field f into its API form: *out is a new
 * reference, json_null() for "no value".  0, or -1 with a field message
 * added to e (strings from a). */
int case_field_parse(struct store *db, struct arena *a,
                     const struct field_def *f, json_t *in, json_t **out,
                     struct err *e);
/* 1 when v (may be NULL) holds no value. */
int case_field_empty(const json_t *v);
/* The text form of a value (comma-separated lists), NULL when empty. */
const char *case_field_text(struct arena *a, const json_t *v);
/* What people read: choice labels, unit and person names; "" when empty. */
const char *case_field_display(struct store *db, struct arena *a,
                               const struct field_def *f, const json_t *v);
/* Active unit / user ids by code / login; 0 when unknown, -1 failure. */
int64_t case_unit_id(struct store *db, const char *code);
int64_t case_user_id(struct store *db, const char *login);
/* Applies the values of input to c->fields: every key must be a field the
 * write may set (allowed: a list; NULL: every field but READONLY ones).
 * Field messages into e; -1 when any. */
int case_fields_apply(struct case_ctx *c, json_t *input, const char *allowed,
                      struct err *e);
/* Checks that the fields required in `state` and those listed in also
 * (may be NULL) have values; -1 with field messages otherwise. */
int case_fields_required(struct case_ctx *c, const struct state_def *state,
                         const char *also, struct err *e);
/* The value of the field with that engine role (NULL when none/unset). */
json_t *case_field_by_role(const struct module_def *m, json_t *fields,
                           enum field_role role, const struct field_def **def);
/* The fields the viewer may see (min_clearance), a new object: every field
 * of m (null when unset), or only those named in `only` (NULL-terminated;
 * a list's columns: setting a dozen others to null for every row was a
 * tenth of a list page). */
json_t *case_fields_visible(const struct module_def *m, json_t *fields,
                            int clearance, const char *const *only);

/* ---- case_clock.c ---- */

/* Applies clock effects (4 entries, as in a transition) to case c->id at
 * c->now; extend_field names the field of an EXTEND.  0 / -1 with e. */
int case_clock_effects(struct case_ctx *c, const struct clock_effect *fx,
                       const char *extend_field, struct err *e);
/* Follows changed length/deadline fields in running clocks; 0 / -1. */
int case_clock_follow_fields(struct case_ctx *c);
/* Stops every running clock of the case (closing it).  0 / -1. */
int case_clock_stop_all(struct store *db, int64_t id, int64_t now);
/* Recomputes the cached clock columns of the case and of its parents, as
 * they are at now: a transition's own instant (c->now), the instant its
 * pauses and stops are recorded at, so that the wall clock stepping back
 * cannot make them not yet begun.  0 / -1. */
int case_clock_refresh(struct store *db, int64_t id, int64_t now);
/* The clocks of the case evaluated now (arena-owned array).  0 / -1. */
int case_clock_views(struct store *db, struct arena *a,
                     const struct module_def *m, int64_t id,
                     struct case_clock_view **out, int *n, int *unpublished);
/* 0 when t's `within` clock (if any) runs and is not overdue, else 409
 * "已超过<clock label>". */
int case_clock_within(struct case_ctx *c, const struct transition_def *t,
                      struct err *e);
/* The same on a case_get view's clocks: 1 may fire, 0 not. */
int case_clock_within_view(const struct case_view *v,
                           const struct transition_def *t, int64_t now);
/* 400 on t's extend_field when it is a DATE not after the last day of the
 * clock it extends (the EXTEND effect's clock, else the main clock). */
int case_clock_extend_check(struct case_ctx *c, const struct transition_def *t,
                            struct err *e);
/* The SQL expression of a case's light at $N (c = cases). */
#define CASE_LIGHT_SQL(N)                                                      \
    "(CASE WHEN c.light_due_ms IS NOT NULL AND c.light_due_ms <= " N           \
    " THEN 2 WHEN c.light_floor >= 2 THEN 2"                                   \
    " WHEN c.light_yellow_ms IS NOT NULL AND c.light_yellow_ms <= " N          \
    " THEN 1 WHEN c.light_floor >= 1 THEN 1"                                   \
    " WHEN c.light_due_ms IS NOT NULL OR c.light_yellow_ms IS NOT NULL"        \
    " OR c.light_floor >= 0 THEN 0 ELSE -1 END)"

/* Sets the search hook when none is set (case_init). */
void case_search_default(int (*fn)(const struct store *db, struct arena *a,
                                   const char *q, const char **out));

/* ---- case.c ---- */

/* How a notification names the case: "督办事项“…”", or for a classified
 * case only "一件涉密事项". */
const char *case_notify_subject(struct arena *a, const struct module_def *m,
                                const char *title, int secrecy);
/* Calls the notify hook for each person in ids (except the actor). */
int case_notify_people(struct store *db, const struct actor *who,
                       int64_t case_id, const int64_t *ids, int n,
                       const char *kind, const char *text);
/* The active people who stand in rel (bits) to the case and hold a role
 * of roles (NULL/"*": any), clearance at least the case's; at most
 * CASE_NOTIFY_MAX.  0 / -1. */
int case_people_rel(struct store *db, struct arena *a, int64_t case_id, int rel,
                    const char *roles, int64_t **ids, int *n);
/* The active people the case waits for now.  0 / -1. */
int case_people_waiting(struct store *db, struct arena *a, int64_t case_id,
                        int64_t **ids, int *n);

#endif
