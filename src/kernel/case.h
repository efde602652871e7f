/*
 * case.h - the case engine: every module's cases (件), read from the module
 * tables of module.h.
 *
 * Field values travel in API form as JSON (jansson): TEXT/LONGTEXT a
 * string, NUMBER an integer, DATE "YYYY-MM-DD", DATETIME ISO 8601
 * ("2026-03-02T09:00:00+08:00"), CHOICE a choice code, UNIT a unit code,
 * PERSON a login; MULTI/UNITS/PERSONS arrays of those.  On input a NUMBER
 * may also be a string of digits and a list a comma-separated string (what
 * an HTML form sends); "" or null clears a value.
 *
 * Who sees a case (every read and write checks it first; a case one may not
 * see answers 404, as if it did not exist):
 *     - nobody holding sysadmin, secadmin or auditor (三员分立: the
 *       administrators read no business data);
 *     - a person whose clearance is at least the case's 密级 (secrecy), and,
 *       for a classified case (secrecy > 0), who is on its chain: the
 *       creator, the handler, signer, supervisor or a reader (or the AB角
 *       backup of one of them), or a person of its owner, lead or co-unit;
 *     - the CLI operator and the system (user_id 0) see every case.
 * Fields with min_clearance above the viewer's clearance are left out of
 * every read.
 *
 * Who may fire a transition (module.h): the actor sees the case, holds one
 * of its roles and stands in one of its relations (AB角: the backup of the
 * creator, handler, signer, supervisor or a reader stands where they do).
 * Refusals: 404 unseen or unknown case or transition, 403 not allowed,
 * 409 not from this state / the pending request it needs is not open / a
 * child is open, 400 invalid fields (per field, in Chinese).
 *
 * Hooks run inside the write's transaction: the module's (check, validate,
 * apply, on_create) and the kernel's (case_on_index for search,
 * case_on_notify for notifications).  A hook failing rolls back the whole
 * write.  Results are allocated from the caller's arena; json_t values in
 * results are released with the arena.
 */
#ifndef SHUNIU_CASE_H
#define SHUNIU_CASE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "kernel/clock.h"
#include "kernel/module.h"
#include "store/store.h"

/* ---- what module hooks see ---- */

/* The write in progress, handed to the module's hooks.  Hooks read and
 * change field values through case_val_* below (never by editing `fields`
 * behind the engine's back), and may run their own SQL on db: it is part
 * of the transaction. */
struct case_written;

struct case_ctx {
    struct store *db;
    struct arena *a;
    const struct actor *who;
    const struct module_def *m;
    const struct transition_def *t; /* NULL at creation and for edits */
    int64_t id;                     /* 0 in validate at creation */
    int64_t parent_id;              /* 0: none */
    const struct state_def *from;   /* NULL at creation */
    const struct state_def *to;     /* the state after the write */
    const char *number;             /* "" until numbered */
    const char *comment;            /* NULL or the comment given */
    int64_t now;                    /* now_ms() of the write */
    json_t *fields;                 /* values after the write (API form) */
    json_t *before;                 /* values before ({} at creation) */
    json_t *input;                  /* the values the caller gave */
    int dirty;                      /* engine: fields changed by a hook */
    json_t *parties_at; /* engine: the party fields case_parties holds
                         * (NULL at creation: none yet) */
    int parties_new;    /* engine: case_parties rewritten by this write */
    struct case_written *written; /* engine: the row as stored (NULL at
                                   * creation: write every column) */
};

/* A field's value as text (a NUMBER as decimal, a list comma-separated),
 * from c->fields; NULL when unset.  Arena-owned. */
const char *case_val_text(const struct case_ctx *c, const char *code);
/* What people read of field `code` in `fields` (API form, e.g. a
 * case_view's or a case_ctx's): choice labels, unit and person names joined
 * with "、"; NULL when the module has no such field or it is unset.  For
 * faces outside the web pages (the PDF of a document). */
const char *case_fields_display(struct store *db, struct arena *a,
                                const struct module_def *m, json_t *fields,
                                const char *code);
/* A NUMBER field's value, or def when unset. */
int64_t case_val_int(const struct case_ctx *c, const char *code, int64_t def);
/* 1 when the write changes the field. */
int case_val_changed(const struct case_ctx *c, const char *code);
/* Sets a field in API form (the value is checked like input: -1 with e
 * set when invalid); NULL or "" clears it.  Also for READONLY fields. */
int case_val_set(struct case_ctx *c, const char *code, const char *text,
                 struct err *e);
int case_val_set_int(struct case_ctx *c, const char *code, int64_t v,
                     struct err *e);

/* ---- writes ---- */

struct case_new {
    const char *module;  /* module code */
    int64_t parent_id;   /* 0, or the parent (its module's child_module) */
    json_t *fields;      /* object of values in API form (borrowed) */
    const char *comment; /* NULL, or a remark for the first timeline entry */
};

/* Registers a case: checks that the actor may (create_roles; for a child:
 * the parent is seen, open, and this module is its child_module), checks
 * the fields (defaults applied, required_in the initial state, clearance
 * at least the secrecy given), then in one transaction: the row in its
 * initial state, the number (module's pattern, the Beijing year of now),
 * parties, waits, the create_clocks effects, on_create, the timeline entry
 * "登记", the audit record "case.<module>.create", the search index and
 * notifications to those the case waits for.  0 with *id, or -1 with e
 * (400 fields, 403, 404 unknown module or parent, 409, 500). */
int case_create(struct store *db, struct arena *a, const struct actor *who,
                const struct case_new *n, int64_t *id, struct err *e);

/* Fires transition `code` on case id with the given field values (object,
 * may be NULL) and comment (may be NULL).  One transaction, in order: the
 * permission and state checks, the fields (only those the transition
 * lists), required fields of the transition and of the target state, the
 * transition's check and the module's validate hooks, the children rule,
 * the row (state, fields, pending), clocks, the apply hook, parties and
 * waits, roll-up to the parent, timeline, audit
 * "case.<module>.<transition>" with before/after of state and changed
 * fields, search index, notifications.  Anything failing rolls all back.
 * 0, or -1 with e. */
int case_fire(struct store *db, struct arena *a, const struct actor *who,
              int64_t id, const char *code, json_t *fields, const char *comment,
              struct err *e);

/* Edits fields outside a transition: every field given must list one of
 * the actor's roles in edit_roles (403 otherwise); archived cases are
 * read-only (409).  Audited as "case.<module>.edit" with a timeline
 * entry. */
int case_edit(struct store *db, struct arena *a, const struct actor *who,
              int64_t id, json_t *fields, struct err *e);

/* Adds a comment (1-5000 characters) to the timeline of a case the actor
 * sees (kind "comment"); audited.  Archived cases: 409. */
int case_comment(struct store *db, struct arena *a, const struct actor *who,
                 int64_t id, const char *text, struct err *e);

/* Links two cases the actor sees (kind: a code such as "related",
 * "source" -- a meeting decision that became a supervision item); a link
 * to itself is 400, a link that exists 409.  Timeline entries on both,
 * audited. */
int case_link(struct store *db, struct arena *a, const struct actor *who,
              int64_t a_id, int64_t b_id, const char *kind, struct err *e);

/* Appends a timeline entry inside the caller's transaction (files.c: kind
 * "file"); data may be NULL (a JSON text otherwise).  0 / -1. */
int case_timeline_add(struct store *db, const struct actor *who,
                      int64_t case_id, const char *kind, const char *text,
                      const char *data);

/* ---- reads ---- */

/* The light of a case (-1: no clock). */
enum case_light {
    CASE_LIGHT_NONE = -1,
    CASE_LIGHT_GREEN = CLOCK_GREEN,
    CASE_LIGHT_YELLOW = CLOCK_YELLOW,
    CASE_LIGHT_RED = CLOCK_RED,
};

/* "green" / "yellow" / "red" / "none". */
const char *case_light_name(int light);

/* A case in a list. */
struct case_item {
    int64_t id;
    const struct module_def *m;
    const char *number; /* "" when none */
    const char *title;
    const struct state_def *state;
    int secrecy;
    int64_t parent_id;
    const char *owner_unit; /* codes and names; "" when none */
    const char *owner_unit_name;
    const char *lead_unit;
    const char *lead_unit_name;
    const char *handler; /* login */
    const char *handler_name;
    int progress;
    const char *pending; /* NULL when none */
    int64_t due_ms;      /* the main clock's due instant, 0: none */
    int light;           /* enum case_light, now: own and children */
    int64_t created_ms, updated_ms, closed_ms;
    json_t *fields; /* values the viewer may see (API form) */
};

struct case_clock_view {
    const struct clock_def *def;
    struct clock_state st; /* clock_eval() at now (or its stop) */
    int64_t start_ms;
    int nextensions; /* granted extensions */
};

struct case_event {
    int64_t id;
    int64_t at_ms;
    const char *actor_login, *actor_name, *actor_role;
    const char *kind;       /* create transition opinion comment link
                               file edit urge ... */
    const char *transition; /* "" when none */
    const char *transition_label;
    const char *from_state, *to_state;
    const char *text;
    const char *data; /* JSON text or "" */
};

struct case_link_view {
    int64_t id; /* the other case */
    const char *kind;
    int outgoing; /* 1: this case -> other */
    const char *module, *number, *title, *state_label;
};

/* One member of a parallel transition (module.h all_rel) that may fire
 * from the case's state: a reader of the reading list (传阅) or a unit of a
 * 会签, and whether and when they have fired it (at_ms 0: not yet). */
struct case_vote_view {
    const char *transition; /* its code */
    const char *label;      /* its label: "已阅" */
    int unit;               /* 1: a unit, 0: a person */
    const char *member;     /* unit code or login */
    const char *name;       /* unit or person name */
    int64_t at_ms;          /* when they fired it; 0: not yet */
};

/* A case as its detail page and GET /cases/{id} show it. */
struct case_view {
    struct case_item c;
    json_t *display;           /* field code -> display text (labels, names) */
    const char *pending_label; /* NULL when none */
    struct case_clock_view *clocks;
    int nclocks;
    int unpublished;           /* a due date lies in an unpublished year */
    struct case_event *events; /* oldest first */
    int nevents;
    struct case_item *children;
    int nchildren;
    struct case_link_view *links;
    int nlinks;
    const struct transition_def **can; /* what the viewer may fire now */
    int ncan;
    int can_edit; /* some field is editable by the viewer */
    struct case_vote_view *votes; /* members of parallel transitions open
                                     in the current state, by name */
    int nvotes;
};

/* The case, checked for the viewer (404 otherwise).  0 / -1 with e. */
int case_get(struct store *db, struct arena *a, const struct actor *who,
             int64_t id, struct case_view *out, struct err *e);

/* The view as the API's JSON (a new reference). */
json_t *case_view_json(const struct case_view *v);
/* One list item as JSON (a new reference). */
json_t *case_item_json(const struct case_item *it);

struct case_filter {
    const char *module;               /* NULL: all modules */
    const char *state;                /* state code */
    const char *unit;                 /* unit code: lead or owner unit */
    const char *light;                /* "green" / "yellow" / "red" */
    int64_t created_from, created_to; /* ms, [from, to); 0: open */
    int64_t due_from, due_to;
    int64_t parent_id;  /* >0: children of; -1: top level only */
    const char *q;      /* free text (search, else title/number) */
    int mine;           /* 1: what waits for the viewer */
    int open_only;      /* 1: not closed */
    const char *sort;   /* due created updated number title id; "-"
                           in front: descending; NULL: -updated (lists;
                           searches ask for CASE_SEARCH_SORT) */
    int page, per_page; /* page from 1; per_page <= 0: 20, max 500 */
    int no_counts;      /* 1: no per-state counts (search needs none) */
    /* the items' fields to read: NULL all; else only these (NULL-
     * terminated; { NULL } for none) and those the module's mark reads */
    const char *const *fields;
};

/* The order of search results unless asked otherwise: the newest
 * registered first, the order the full-text index gives its matches in
 * (case_list streams them: a page of a common word without collecting
 * its matches). */
#define CASE_SEARCH_SORT "-id"

struct case_count {
    const char *state; /* code */
    const char *label;
    int64_t n;
};

struct case_page {
    struct case_item *items;
    int n;
    int64_t total;             /* all that match the filter; with a search
                                  word (q) at most 1000 (total_capped) */
    int total_capped;          /* 1: more match than total */
    struct case_count *counts; /* per state of the module, ignoring
                                  filter->state (for tabs); module only */
    int ncounts;
};

/* Tests only: the cap of a search total (0: 1000) and the cost of testing
 * one row against the full-text index in row look-ups (-1: 50). */
void case_search_tune(int64_t cap, int64_t probe_cost);

/* Tests only: the plan of every search list page, whatever its order:
 * "in", "set" or "probe" (case_query.c); NULL: chosen by cost again.  0,
 * or -1 for an unknown name. */
int case_search_force(const char *plan);

/* Cases the viewer may see that match f.  0 / -1 with e (400 for an
 * unknown module, state, unit, light or sort). */
int case_list(struct store *db, struct arena *a, const struct actor *who,
              const struct case_filter *f, struct case_page *out,
              struct err *e);

/* Where a list read in chunks has got to (case_list_chunk); zero it
 * before the first chunk, case_cursor_done() after the last. */
struct case_cursor {
    int64_t id; /* the last row read; 0: none yet */
    int64_t due_ms, created_ms, updated_ms, number_year, number_n;
    char *title; /* malloc'd */
    int done;    /* the last chunk has been read */
};

/* The next at most limit cases of the list case_list would show for f
 * (same filter, visibility and order; f->page and f->per_page ignored),
 * after cur, which moves on; with_fields 0 leaves the items' fields NULL
 * (not read).  Keyset pagination: each chunk costs the same however far
 * the list has got, and no counts are taken.  0 / -1 with e as
 * case_list. */
int case_list_chunk(struct store *db, struct arena *a, const struct actor *who,
                    const struct case_filter *f, int with_fields,
                    struct case_cursor *cur, int limit, struct case_item **out,
                    int *n, struct err *e);
void case_cursor_done(struct case_cursor *cur);

/* The number of open cases waiting for the actor (what case_todo lists,
 * without a limit): one COUNT query.  -1 on a database failure. */
int64_t case_todo_count(struct store *db, const struct actor *who);

/* What waits for the viewer across modules (to-do, 我的待办): open cases
 * whose waits name the viewer, their unit, or a person they back up (AB
 * 角), in a role the viewer holds; worst light first, then due.  At most
 * limit (<= 0: 100, max 1000).  fields as case_filter.fields. */
int case_todo(struct store *db, struct arena *a, const struct actor *who,
              int limit, const char *const *fields, struct case_item **out,
              int *n, struct err *e);

/* 1 when the actor sees the case, 0 when not (or no such case), -1 on a
 * database failure.  For other kernel files (files, search). */
int case_visible(struct store *db, const struct actor *who, int64_t id);

/* ---- clocks, reminders, start-up ---- */

/* Recomputes the cached clock columns of every case with a running clock
 * (calendar_on_change hook; also for `shuniu check`).  0 / -1. */
int case_recompute_all(struct store *db);

/* The reminder sweep: open cases whose light got worse since the last
 * sweep are notified (yellow: the handler, or if none those the case
 * waits for; red: the same and the supervisor) and their last light is
 * remembered; a light that got better is remembered silently.  Own
 * transaction.  Returns the number of cases notified, or -1. */
int case_sweep(struct store *db, int64_t now);

/* case_sweep as a jobs_fn (jobs.h): 0 ok, -1 failed.  Register it with
 * jobs_register("case_sweep", 300, case_sweep_job). */
int case_sweep_job(struct store *db, int64_t now);

/* Kernel hooks: search indexing, notification, search matching.
 * case_init() sets the kernel's own (search_index_case, notify_user,
 * search_match_arg) where none was set; tests set their own first.  NULL
 * unsets. */
void case_on_index(int (*fn)(struct store *db, int64_t case_id,
                             const char *module, const char *text));
void case_on_notify(int64_t (*fn)(struct store *db, int64_t user_id,
                                  int64_t case_id, const char *kind,
                                  const char *text));
void case_on_search(int (*fn)(const struct store *db, struct arena *a,
                              const char *q, const char **out));

/* Start-up (serve and every CLI command that writes cases): checks every
 * module table (the first problem in msg), sets the default hooks above
 * and registers the calendar hook (open clocks are recomputed when the
 * calendar changes).  0 / -1. */
int case_init(char *msg, size_t msglen);
/* Start-up with a database: adds the roles the modules declare
 * (org_role_ensure).  0 / -1. */
int case_init_db(struct store *db);

#endif
