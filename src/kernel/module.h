/*
 * module.h - what a module declares: the case engine's table.
 *
 * Every kind of work (a supervised task, an incoming document, a petition)
 * is a case (件).  A module is a `struct module_def` of static tables: its
 * fields, states, transitions, clocks, numbering and the few functions that
 * are truly its own.  The engine (case.c) is the only reader: it turns the
 * table into storage, validation, pages, the JSON API, Excel export, search,
 * audit, to-dos and reminders, for every module alike.  A module file reads
 * like the rulebook of its domain; it never includes another module, and
 * it holds no SQL of the generic tables and no HTTP.
 *
 * Conventions of the strings in these tables:
 *     lists        comma-separated codes, no spaces: "registered,assigned";
 *                  "*" means every state (from) or every role (roles)
 *     codes        ASCII [a-z0-9_], stable: they are API identifiers
 *     labels       Simplified Chinese, as the office writes them
 *
 * Who may fire a transition: the actor holds one of `roles` (NULL or "*":
 * any role) AND, when `rel` is not 0, stands in at least one of the
 * relations in `rel` to the case (a bit set of enum case_rel).  A person
 * also stands in a relation through AB角: the backup of a handler may act
 * for them.  Clearance is checked before all of this: a person below the
 * case's 密级 does not see the case at all (404).
 */
#ifndef SHUNIU_MODULE_H
#define SHUNIU_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "kernel/clock.h"

struct arena;     /* base/arena.h */
struct case_ctx;  /* case.h */
struct case_item; /* case.h */

/* ---- fields ---- */

enum field_type {
    FIELD_TEXT = 1,  /* one line */
    FIELD_LONGTEXT,  /* paragraphs */
    FIELD_NUMBER,    /* integer */
    FIELD_DATE,      /* YYYY-MM-DD (a Beijing date) */
    FIELD_DATETIME,  /* an instant; ISO 8601 in the API */
    FIELD_CHOICE,    /* one of choices[] by code */
    FIELD_MULTI,     /* several of choices[] */
    FIELD_UNIT,      /* a unit, by code in the API */
    FIELD_UNITS,     /* several units */
    FIELD_PERSON,    /* a person, by login in the API */
    FIELD_PERSONS,   /* several people */
};

/* What a field means to the engine beyond its value (case_rel below says
 * who stands where).  A field may carry one of these. */
enum field_role {
    FIELD_PLAIN = 0,
    FIELD_IS_TITLE,     /* the case's title (required, searchable, listed) */
    FIELD_IS_SECRECY,   /* the case's 密级 0-3 (a NUMBER or CHOICE "0".."3") */
    FIELD_IS_LEAD_UNIT, /* REL_LEAD_UNIT (one unit) */
    FIELD_IS_CO_UNITS,  /* REL_CO_UNIT (units) */
    FIELD_IS_HANDLER,   /* REL_HANDLER (a person) */
    FIELD_IS_SIGNER,    /* REL_SIGNER (a person) */
    FIELD_IS_SUPERVISOR,/* REL_SUPERVISOR (a person: supervising leader) */
    FIELD_IS_READERS,   /* REL_READER (people: circulation, 传阅) */
    FIELD_IS_PROGRESS,  /* 0-100, rolled up to the parent */
    FIELD_IS_DEADLINE,  /* a DATE that sets the main clock's last day */
    /* a UNIT that owns the case (REL_SAME_UNIT) instead of its creator's
     * unit, when given at creation: an incoming document delivered by the
     * exchange belongs to the receiving unit, not to the sender */
    FIELD_IS_OWNER_UNIT,
};

/* Flags of a field. */
enum {
    FIELD_SEARCH = 1,   /* indexed for the search box */
    FIELD_LIST = 2,     /* a column of list pages */
    FIELD_EXPORT = 4,   /* a column of the Excel export */
    FIELD_FILTER = 8,   /* a filter of list pages (choice, unit, date) */
    FIELD_READONLY = 16,/* set by transitions or the engine only */
    FIELD_HIDDEN = 32,  /* never shown on pages (engine use) */
};

struct choice_def {
    const char *code;
    const char *label;
};

struct field_def {
    const char *code;     /* "lead_unit" */
    const char *label;    /* "牵头单位" */
    enum field_type type;
    enum field_role role;
    int flags;
    /* states in which the field must have a value ("*" always; NULL never) */
    const char *required_in;
    /* roles that may edit it outside a transition (NULL: only at creation
     * and through transitions that list it) */
    const char *edit_roles;
    /* minimum clearance to see the value (0: whoever sees the case) */
    int min_clearance;
    const struct choice_def *choices; /* CHOICE, MULTI; ends with {0} */
    const char *default_value;        /* text form, e.g. "normal", "0" */
    int max;  /* TEXT/LONGTEXT: characters (0: 200 / 20000); NUMBER: max */
    int min;  /* NUMBER: min */
    const char *help; /* a hint under the input */
};

/* ---- relations of a person to a case ---- */

enum case_rel {
    REL_CREATOR = 1 << 0,    /* registered it */
    REL_HANDLER = 1 << 1,    /* the person handling it now */
    REL_LEAD_UNIT = 1 << 2,  /* works in the lead unit (牵头/主办) */
    REL_CO_UNIT = 1 << 3,    /* works in a co-unit (协办/会办/会签) */
    REL_SIGNER = 1 << 4,     /* the signing leader (签发人) */
    REL_SAME_UNIT = 1 << 5,  /* works in the unit that owns the case */
    REL_SUPERVISOR = 1 << 6, /* the supervising leader (督办领导) */
    REL_READER = 1 << 7,     /* on the reading list (传阅) */
};

/* ---- states ---- */

enum {
    STATE_INITIAL = 1, /* where a new case starts (exactly one) */
    STATE_CLOSED = 2,  /* done: clocks stopped, out of to-do lists */
    STATE_ARCHIVED = 4,/* read-only */
};

struct state_def {
    const char *code;
    const char *label;
    int flags;
    /* whom the case waits for in this state (to-do lists): people holding
     * one of wait_roles and standing in wait_rel to the case */
    int wait_rel;
    const char *wait_roles;
};

/* ---- clocks ---- */

enum clock_op {
    CLOCK_OP_NONE = 0,
    CLOCK_OP_START,   /* start (or restart from now) */
    CLOCK_OP_PAUSE,
    CLOCK_OP_RESUME,
    CLOCK_OP_EXTEND,  /* by the transition's extend_field, see below */
    CLOCK_OP_STOP,
};

struct clock_effect {
    const char *clock; /* a clock_def code */
    enum clock_op op;
};

/* A length picked by a choice field's value (limit_class "urgent" -> 5). */
struct clock_length {
    const char *choice;
    int length;
    /* the setting key that may override this length
     * ("supervision.limit.urgent"); NULL: none */
    const char *setting;
};

struct clock_def {
    const char *code;  /* "handle" */
    const char *label; /* "办理时限" */
    enum clock_unit unit;
    int length;        /* default length in unit */
    /* a CHOICE field whose value picks the length (e.g. limit_class:
     * urgent 5 / normal 15 / difficult 30), and the lengths by choice code;
     * overrides length when the field is set */
    const char *length_field;
    const struct clock_length *lengths; /* ends with {0} */
    /* a DATE field that, when set, is the last day instead of a length */
    const char *deadline_field;
    enum clock_warn warn;
    int warn_value;
    /* 1: the case's main clock (its light in lists, to-dos, roll-up) */
    int main;
    /* the setting key that may override length ("supervision.limit.normal") */
    const char *setting;
    /* 1: being overdue on this clock makes the case yellow, never red (a
     * cyclic progress report that is late, beside the main limit).  A clock
     * whose length comes out 0 (no choice matched, length 0) and that has no
     * deadline does not run: START leaves it stopped. */
    int warn_only;
};

/* ---- transitions ---- */

enum {
    TR_PRIMARY = 1,   /* the emphasised button */
    TR_CONFIRM = 2,   /* asks "确定…吗" before firing (pages) */
    TR_OPINION = 4,   /* the comment is an opinion (意见) shown as such */
    TR_DANGER = 8,    /* a destructive action (退回, 撤回) */
    /* takes the case's number (the module's pattern, number_pattern_of or
     * number_pattern) when the transition fires and the case has none yet:
     * a module with a TR_NUMBER transition is not numbered at creation
     * (公文: the 发文字号 is taken at 登记, not at 拟稿).  A case keeps its
     * number when it comes back through the transition again. */
    TR_NUMBER = 16,
};

struct transition_def {
    const char *code;  /* "assign" */
    const char *label; /* "交办" */
    const char *from;  /* states it may fire from: "registered" or "*" */
    const char *to;    /* the state after; NULL: stays (report, urge) */
    const char *roles; /* "clerk"; NULL or "*": any signed-in role */
    int rel;           /* bit set of enum case_rel; 0: no relation needed */
    /* fields the transition may set, and those it requires (lists) */
    const char *fields;
    const char *required;
    /* 0 no comment box; 1 optional; 2 required (reasons for 退回) */
    int comment;
    /* the kind of opinion the comment is, for the timeline: "批示",
     * "拟办意见", "审核意见" (NULL: a plain remark) */
    const char *opinion;
    struct clock_effect clocks[4];
    /* a pending request this transition opens (request_extension opens
     * "extension") or needs open (approve_extension needs "extension"); a
     * transition that needs one closes it */
    const char *opens;
    const char *needs;
    int flags;
    /* the module's own rule, run inside the transaction before anything is
     * written: return -1 with e set to refuse (409 for "not now") */
    int (*check)(struct case_ctx *c, struct err *e);
    /* the module's own effect, run inside the transaction after the state
     * and fields are written */
    int (*apply)(struct case_ctx *c, struct err *e);
    /* the notice after firing, for pages: "已交办{lead_unit}" (field codes
     * in braces are replaced by their display values) */
    const char *done_message;
    /* CLOCK_OP_EXTEND: the field holding the extension, set by this
     * transition or by the one that opened the pending request (a DATE: the
     * new last day; a NUMBER: more length in the clock's unit).  NULL: the
     * clock is not extended.  A DATE not after the clock's current last day
     * is refused (400 on that field), both by the transition that opens the
     * pending request and by the one that grants it. */
    const char *extend_field;
    /* whom the engine notifies after firing, besides those the case waits
     * for in its new state (urge: the lead unit): people standing in
     * notify_rel to the case and holding one of notify_roles (NULL: any) */
    int notify_rel;
    const char *notify_roles;
    /* a clock code: the transition may fire only while that clock runs and
     * is not overdue (退回交办 within the sign-for limit); otherwise 409
     * "已超过<clock label>".  NULL: no such limit. */
    const char *within;
    /* Parallel work (会签): one bit of enum case_rel.  Every member of that
     * relation to the case (a unit of the co-units, a person of the
     * readers ...) fires the transition once; the case stays where it is
     * (no state change, no clocks, no apply; a timeline entry and an audit
     * record each) until the last member fires it, and only that firing
     * moves the case to `to` with the full effect.  The members who have
     * fired are kept in case_votes and leave the case's waits; they are
     * forgotten whenever the case changes state (a 退回 starts a new round).
     * A member firing twice is 409.  0: an ordinary transition. */
    int all_rel;
};

/* A pending request between two transitions (延期申请 awaiting a decision).
 * While open, the case also waits for wait_rel/wait_roles. */
struct pending_def {
    const char *code;  /* "extension" */
    const char *label; /* "延期申请待审批" */
    int wait_rel;
    const char *wait_roles;
};

/* A page of the module's own beyond the generic list (its figures,
 * bulletins, ledgers): listed under the module in the navigation. */
struct module_page {
    const char *label; /* "督办统计" */
    const char *href;  /* "/supervision/stats" */
};

/* ---- the module ---- */

struct module_def {
    const char *code;        /* "supervision": the API identifier */
    const char *label;       /* "督查督办" */
    const char *case_label;  /* what one case is called: "督办事项" */
    const char *icon;        /* a short word for the navigation: "督" */
    int sort;                /* navigation order */
    const struct field_def *fields;           /* ends with {0} */
    const struct state_def *states;           /* ends with {0} */
    const struct transition_def *transitions; /* ends with {0} */
    const struct clock_def *clocks;           /* ends with {0}; may be NULL */
    const struct pending_def *pendings;       /* ends with {0}; may be NULL */
    /* numbering pattern (number.h), e.g. "督〔{year}〕{n}号"; NULL: none */
    const char *number_pattern;
    /* the pattern of one case, when it depends on the case (公文: the
     * issuing body's 代字): returns a pattern allocated from c->a, or NULL
     * with e set (400 on the field that is missing).  NULL: number_pattern
     * for every case. */
    const char *(*number_pattern_of)(struct case_ctx *c, struct err *e);
    /* who may register a new case: roles, and 1 when they must work in
     * the office the module belongs to (NULL roles: nobody by hand) */
    const char *create_roles;
    /* roles this module adds (org_role_ensure at start): "code:名称,..." */
    const char *roles;
    /* children: the module of child cases (NULL: none), and whether the
     * parent may close while a child is open */
    const char *child_module;
    int children_block_close;
    /* its own pages (reports), for the navigation; ends with {0} */
    const struct module_page *pages;
    /* pages about one case (公文: its 回执), linked from the case's page;
     * "{id}" in href is the case id.  Ends with {0}; may be NULL. */
    const struct module_page *case_pages;
    /* the mark shown beside the title in every list row and on the case's
     * page (公文: "机密★20年"), allocated from a; "" or NULL for none.
     * it->fields may be NULL.  NULL hook: no mark. */
    const char *(*mark)(struct arena *a, const struct case_item *it);
    /* the fields mark reads (NULL-terminated; NULL: none): a list that
     * reads only the fields it shows reads these too */
    const char *const *mark_fields;
    /* the module's own hooks (any may be NULL) */
    int (*on_create)(struct case_ctx *c, struct err *e);
    int (*validate)(struct case_ctx *c, struct err *e);
    /* clock effects of registering a case, as a transition's clocks (a
     * clock that runs from registration: 信访 15 days to forward) */
    struct clock_effect create_clocks[4];
};

/* ---- the registry ---- */

/* Every module compiled in, in navigation order; ends with NULL.  Defined
 * in modules/registry.c, the one file that names them all. */
extern const struct module_def *const module_registry[];

/* Tests only: makes the lookups below read list (ends with NULL) instead
 * of module_registry; NULL returns to module_registry.  Call before any
 * other thread runs. */
void module_registry_use(const struct module_def *const *list);
/* The modules compiled in (module_registry unless a test replaced it),
 * ending with NULL. */
const struct module_def *const *module_list(void);

/* The module of that code, or NULL. */
const struct module_def *module_find(const char *code);
const struct field_def *module_field(const struct module_def *m,
                                     const char *code);
const struct state_def *module_state(const struct module_def *m,
                                     const char *code);
const struct transition_def *module_transition(const struct module_def *m,
                                               const char *code);
const struct clock_def *module_clock(const struct module_def *m,
                                     const char *code);
/* The state with STATE_INITIAL. */
const struct state_def *module_initial(const struct module_def *m);
/* 1 when code is in the comma-separated list (or the list is "*"). */
int module_in_list(const char *list, const char *code);
/* Checks a module table for mistakes (unknown states in transitions, a
 * missing initial state, duplicate codes, a clock effect on an unknown
 * clock ...): 0, or -1 with a message naming the module and the entry.
 * Run at start and by the unit tests for every module. */
int module_check(const struct module_def *m, char *msg, size_t msglen);

#endif
