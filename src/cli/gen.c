/*
 * gen.c - `shuniu gen`: fills a database with a realistic office and N
 * cases, fast enough for a million; and `shuniu sweep`: the reminder sweep
 * once, timed (the benchmark of every open clock).
 *
 * Why not case_create()/case_fire(): one case through the engine costs
 * dozens of statements and a round trip each; a million would take hours.
 * The generator writes the same rows the engine would, in multi-row
 * INSERTs inside large transactions (--batch cases per commit), through
 * the store interface so that it runs on SQLite and PostgreSQL alike.
 * What it reproduces of the engine, and where the engine does it:
 *     the path of states        module tables (transitions from/to)
 *     field values              rules below; transition hooks (t->apply,
 *                               t->check, m->validate) run on an in-memory
 *                               case_ctx exactly as case_fire() runs them
 *     clocks, pauses, extensions   case_clock.c effects, replayed in memory;
 *                               cached light columns as case_clock_refresh
 *                               computes them (clock_eval, the calendar)
 *     parties, waits            case.c case_parties_write/case_waits_write
 *     numbers                   number.c (numbers.last moves on, number_log)
 *     timeline, opinions        case.c case_timeline_write
 *     children, roll-up         case.c case_rollup (parent progress, lights)
 *     links                     doc_out's 核发 delivers doc_in cases
 *                               ("exchange" links, as doc_out_deliver)
 *     search                    search.c documents, tokenize_document()
 *     attachments               files.c (a few blobs put once, then rows
 *                               that share them: content addressing)
 *     audit                     one record "case.generate" for the run
 *
 * Life of one generated case (gen_case_make):
 *     plan     gen_plan: the transitions from the initial state to a target
 *              state (forward by shortest path, sometimes a 退回 or a
 *              detour, stays such as 报送进展/催办, comments), 5-10 timeline
 *              entries in all
 *     times    gen_times: instants from creation to the end of its window
 *     replay   gen_replay: fields, hooks, numbers, clocks, timeline rows
 *     finish   gen_finish: parties, waits, clocks, search, cached lights,
 *              the cases row (a parent after its children are known)
 *
 * Ids of cases and clocks are given explicitly (rows reference them before
 * they are flushed), from MAX(id) + 1: run it while no server writes to the
 * database.  PostgreSQL's sequences are moved past them at every commit.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "base/tokenize.h"
#include "cli/cli.h"
#include "cli/gen.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/calendar_store.h"
#include "kernel/case.h"
#include "kernel/demo.h"
#include "kernel/files.h"
#include "kernel/module.h"
#include "kernel/number.h"

#define GEN_DAY_MS (24LL * 3600 * 1000)
#define GEN_HOUR_MS (3600LL * 1000)
#define GEN_MIN_MS (60LL * 1000)
#define GEN_CASES_MAX 100000000LL
#define GEN_BATCH_DEFAULT 10000
#define GEN_BATCH_MIN 100
#define GEN_BATCH_MAX 200000
#define GEN_DAYS_DEFAULT 365
#define GEN_DAYS_MAX 3650
#define GEN_ATTACH_DEFAULT 3 /* percent of cases with an attachment */
/* parameters of one INSERT.  PostgreSQL: many rows per round trip (below
 * its 65535).  SQLite has no round trip; its cost was preparing the
 * statement, now prepared once per table and reused (gen_ins_statement):
 * at 2048 a run takes ~20% less CPU than at 256, and more gains nothing. */
#define GEN_PARAMS_MAX_PG 30000
#define GEN_PARAMS_MAX_SQLITE 2048
#define GEN_ROWS_MAX 400
#define GEN_USERS_MAX 4096
#define GEN_UNITS_MAX 4096
#define GEN_ROLES_MAX 64
#define GEN_USER_ROLES_MAX 8
#define GEN_POOLS_MAX 64 /* role lists x secrecy levels */
#define GEN_CLOCKS_MAX 8
#define GEN_PAUSES_MAX 8
#define GEN_EXTS_MAX 8
#define GEN_PARTIES_MAX 48
#define GEN_STEPS_MAX 48
#define GEN_STATES_MAX 32
#define GEN_CHILDREN_MAX 6
#define GEN_RECIPIENTS_MAX 3
#define GEN_NUMBERS_MAX 256
#define GEN_SETTINGS_MAX 256
#define GEN_BLOBS 6
#define GEN_TIMELINE_MIN 5
#define GEN_TIMELINE_MAX 10
#define GEN_BODY_MIN 200
#define GEN_BODY_MAX 800
#define GEN_PARA_MIN 40
#define GEN_PARA_MAX 150
#define GEN_UNREACHABLE 1000
#define GEN_PROGRESS_NS 1000000000LL
/* 密级: the share of classified cases, and of 秘密/机密 among them (the
 * rest 绝密), lowered to the highest level the office can staff */
#define GEN_SECRET_PCT 3
#define GEN_SECRET_1_PCT 70
#define GEN_SECRET_2_PCT 25
#define GEN_SECRECY_MAX 3
#define GEN_COPY_NO_MAX 999999
/* 我的待办 of the demo people (demo_logins): a quota of open cases waiting
 * for each, one per GEN_FOCUS_CASES cases generated within the bounds; an
 * open case prefers them by this chance while under quota, and avoids them
 * when at it (a real clerk has tens to a few hundred, not thousands) */
#define GEN_FOCUS_MAX 16
#define GEN_FOCUS_CASES 250
#define GEN_FOCUS_MIN 10
#define GEN_FOCUS_QUOTA_MAX 300
#define GEN_FOCUS_PREFER_PCT 25
#define GEN_AVOID_TRIES 8

/* ---- the office: units and people as they are in the database ---- */

struct gen_user {
    int64_t id, unit_id;
    const char *login, *name;
    int clearance;
    int64_t backup_id; /* whose work they see (users.backup_id) */
    int nroles;
    const char *roles[GEN_USER_ROLES_MAX];
};

struct gen_unit {
    int64_t id;
    const char *code, *name, *short_name;
};

/* Units having someone who holds one of `roles` (cached per role list). */
struct gen_pool {
    const char *roles;
    int level;  /* everyone counted holds this clearance */
    int *units; /* indexes into gen.units */
    int n;
};

struct gen_role {
    const char *code, *name;
};

/* ---- the bulk writer: multi-row INSERTs ---- */

struct gen_val {
    int kind; /* 'i' int, 't' text, 'n' null */
    int64_t i;
    const char *t;
};

struct gen_ins {
    const char *head; /* "INSERT INTO t (a, b)" */
    int ncols;
    struct gen_val *v;
    size_t n, cap; /* values */
    int64_t rows;  /* written in the whole run */
    /* the statement of a full chunk (rows_per rows), prepared once and
     * reused: a prepare of hundreds of parameters costs more than its step */
    struct stmt *full;
    size_t full_rows;
};

/* ---- a case in memory ---- */

struct gen_pause {
    int64_t from, to;
    int absorbed;
};

struct gen_ext {
    int length;
    char deadline[11];
    int64_t at;
    const char *by, *why;
    int absorbed;
};

struct gen_clock {
    const struct clock_def *d;
    int64_t id, start, stop;
    int main, length;
    char deadline[11];
    struct gen_pause p[GEN_PAUSES_MAX];
    int np;
    struct gen_ext x[GEN_EXTS_MAX];
    int nx;
};

struct gen_party {
    const char *rel;
    int64_t unit_id, user_id;
};

/* One planned step: a transition (t), or a comment (t NULL). */
struct gen_step {
    const struct transition_def *t;
    int64_t at;
};

struct gen_case {
    const struct module_def *m;
    int64_t id, parent_id;
    json_t *fields;
    const struct state_def *state;
    const char *pending;
    const struct gen_user *creator; /* NULL: the system (a delivery) */
    int64_t owner_unit_id;
    int64_t created, updated, closed;
    const char *number;
    int number_year;
    int64_t number_n;
    struct gen_clock ck[GEN_CLOCKS_MAX];
    int nck;
    struct gen_party pt[GEN_PARTIES_MAX];
    int npt;
    /* the cached columns (gen_lights) */
    int64_t due, ldue, lyellow;
    int has_due, has_yellow, floor, light;
    int progress;     /* of the row: children's average for a parent */
    int topic;        /* gen_text_context: children and deliveries keep it */
    int level;        /* 密级 (0-3): children and deliveries keep it */
    const char *note; /* the comment of its registration (deliveries) */
};

/* A numbering sequence touched by this run. */
struct gen_number {
    const char *pattern;
    int year;
    int64_t last;
};

struct gen_setting {
    const char *key, *value;
};

struct gen_blob {
    char sha[DIGEST_HEX_LEN];
    int64_t size;
    const char *name;
    int stored;
};

/* Per-module counts for the report. */
struct gen_tally {
    const struct module_def *m;
    int64_t cases, open;
};

struct gen {
    struct store *db;
    struct arena *run;   /* lives for the whole run (org, names) */
    struct arena *batch; /* values waiting for the next flush */
    struct gen_rng r;
    struct calendar *cal;
    struct actor cli;
    const char *data_dir;
    int64_t now, span_ms, target, made, batch_size;
    int open_pct, attach_pct;
    uint64_t seed;

    struct gen_unit units[GEN_UNITS_MAX];
    int nunits;
    struct gen_user users[GEN_USERS_MAX];
    int nusers;
    struct gen_role roles[GEN_ROLES_MAX];
    int nroles;
    struct gen_pool pools[GEN_POOLS_MAX];
    int npools;
    struct gen_setting settings[GEN_SETTINGS_MAX];
    int nsettings;
    struct gen_number numbers[GEN_NUMBERS_MAX];
    int nnumbers;
    struct gen_blob blobs[GEN_BLOBS];

    struct gen_ins cases, parties, waits, clocks, pauses, exts, timeline, links,
        numlog, search, files;
    int64_t next_case, next_clock, first_case;
    int64_t violations, timeline_rows;
    struct gen_tally tally[16];
    int ntally;
    struct timespec t0, last_print;
    char violation[256];
    /* the case being made: its 密级 (people and units picked for it hold
     * that clearance) and whether it stays open (steer: to-dos) */
    int level, steer;
    struct gen_focus {
        const struct gen_user *u;
        int64_t todo;
    } focus[GEN_FOCUS_MAX];
    int nfocus;
    int64_t quota;
};

/* ---- what the generator knows of each module's fields ---- */

enum gen_kind {
    GK_AUTO = 0,     /* by type: a choice, a unit, a person, text ... */
    GK_SKIP,         /* never set by the generator (hooks set it) */
    GK_CONST,        /* value */
    GK_TITLE_TASK,   /* 督办 title */
    GK_TITLE_DOC,    /* 公文 title, also sets doc_type */
    GK_DOC_TYPE,     /* a 文种 (unless the title set it) */
    GK_BODY,         /* 200-800 characters */
    GK_PARA,         /* a paragraph */
    GK_SOURCE_REF,   /* "市长批示（2026年3月2日）" */
    GK_UNIT_WORK,    /* a unit with staff or leaders */
    GK_UNITS_WORK,   /* 1-2 such units */
    GK_UNITS_RECV,   /* 1-2 units with clerks or staff (they sign for it) */
    GK_UNITS_LEADER, /* 1-2 units with leaders, not the case's own */
    GK_UNIT_ISSUER,  /* the general office mostly, else a unit with clerks */
    GK_ISSUER_NAME,  /* the issuer unit's name as text */
    GK_PREFIX,       /* 机关代字 of the issuer */
    GK_LEADER,       /* a person holding leader */
    GK_LEADERS,      /* 2-3 of them */
    GK_CLERK_OWNER,  /* a clerk or staff of the owning unit */
    GK_DEADLINE,     /* 10-60 days after the step */
    GK_DAY,          /* the day of the step */
    GK_PROGRESS,     /* grows at each report */
    GK_SCORE,        /* 70-100 */
    GK_COPIES,       /* 1-200 */
    GK_ALL_CHOICES,  /* every choice (审核 checklist) */
    GK_URGENCY,      /* the first choice mostly */
    GK_EXT_ISSUER,   /* an issuing body outside the platform */
    GK_EXT_NUMBER,   /* its 文号 */
    GK_EXTEND_DATE,  /* a new last day after the clock's current one */
    GK_SECRECY,      /* the case's 密级 (gen_secrecy_pick) */
    GK_SECRECY_TERM, /* 保密期限 of a classified case */
    GK_COPY_NO,      /* 份号 of a classified document */
};

struct gen_rule {
    const char *module, *field;
    enum gen_kind kind;
    int pct; /* chance to fill when not required */
    const char *value;
};

static const struct gen_rule gen_rules[] = {
    {"supervision", "title", GK_TITLE_TASK, 100, NULL},
    {"supervision", "requirement", GK_BODY, 100, NULL},
    {"supervision", "source_ref", GK_SOURCE_REF, 80, NULL},
    {"supervision", "lead_unit", GK_UNIT_WORK, 100, NULL},
    {"supervision", "co_units", GK_UNITS_WORK, 50, NULL},
    {"supervision", "responsible_leader", GK_LEADER, 80, NULL},
    {"supervision", "supervising_leader", GK_LEADER, 100, NULL},
    {"supervision", "deadline", GK_DEADLINE, 40, NULL},
    {"supervision", "public_commitment", GK_PARA, 30, NULL},
    {"supervision", "progress", GK_PROGRESS, 100, NULL},
    {"supervision", "progress_note", GK_PARA, 100, NULL},
    {"supervision", "result", GK_PARA, 100, NULL},
    {"supervision", "score", GK_SCORE, 100, NULL},
    {"supervision", "secrecy", GK_SECRECY, 100, NULL},
    {"supervision", "extension_to", GK_EXTEND_DATE, 100, NULL},
    {"supervision", "requested_at", GK_SKIP, 0, NULL},
    {"supervision", "urge_count", GK_SKIP, 0, NULL},
    {"doc_out", "title", GK_TITLE_DOC, 100, NULL},
    {"doc_out", "doc_type", GK_DOC_TYPE, 100, NULL},
    {"doc_out", "doc_number", GK_SKIP, 0, NULL},
    {"doc_out", "issuer", GK_UNIT_ISSUER, 100, NULL},
    {"doc_out", "prefix", GK_PREFIX, 100, NULL},
    {"doc_out", "secrecy", GK_SECRECY, 100, NULL},
    {"doc_out", "secrecy_term", GK_SECRECY_TERM, 100, NULL},
    {"doc_out", "urgency", GK_URGENCY, 100, NULL},
    {"doc_out", "copy_no", GK_COPY_NO, 100, NULL},
    {"doc_out", "signer", GK_LEADER, 100, NULL},
    {"doc_out", "main_to", GK_UNITS_RECV, 100, NULL},
    {"doc_out", "body", GK_BODY, 100, NULL},
    {"doc_out", "attachment_note", GK_PARA, 20, NULL},
    {"doc_out", "issuer_sign", GK_ISSUER_NAME, 100, NULL},
    {"doc_out", "date", GK_SKIP, 0, NULL},
    {"doc_out", "notes", GK_CONST, 30, "此件公开发布"},
    {"doc_out", "copy_to", GK_UNITS_RECV, 30, NULL},
    {"doc_out", "print_unit", GK_ISSUER_NAME, 100, NULL},
    {"doc_out", "print_date", GK_DAY, 100, NULL},
    {"doc_out", "copies", GK_COPIES, 100, NULL},
    {"doc_out", "co_units", GK_UNITS_LEADER, 30, NULL},
    {"doc_out", "checklist", GK_ALL_CHOICES, 100, NULL},
    {"doc_out", "signed_at", GK_SKIP, 0, NULL},
    {"doc_out", "delivered", GK_SKIP, 0, NULL},
    {"doc_in", "title", GK_TITLE_DOC, 100, NULL},
    {"doc_in", "issuer", GK_EXT_ISSUER, 100, NULL},
    {"doc_in", "doc_number", GK_EXT_NUMBER, 100, NULL},
    {"doc_in", "from_unit", GK_SKIP, 0, NULL},
    {"doc_in", "recv_unit", GK_SKIP, 0, NULL},
    {"doc_in", "doc_type", GK_DOC_TYPE, 100, NULL},
    {"doc_in", "secrecy", GK_SECRECY, 100, NULL},
    {"doc_in", "secrecy_term", GK_SECRECY_TERM, 100, NULL},
    {"doc_in", "urgency", GK_URGENCY, 100, NULL},
    {"doc_in", "copies", GK_COPIES, 60, NULL},
    {"doc_in", "summary", GK_BODY, 100, NULL},
    {"doc_in", "handling_unit", GK_UNIT_WORK, 100, NULL},
    {"doc_in", "leader", GK_LEADER, 100, NULL},
    {"doc_in", "deadline", GK_DEADLINE, 30, NULL},
    {"doc_in", "chaser", GK_CLERK_OWNER, 50, NULL},
    {"doc_in", "readers", GK_LEADERS, 100, NULL},
    {"doc_in", "source_case", GK_SKIP, 0, NULL},
    {0},
};

/* Who registers a module's cases: a unit preferred (the code, when it
 * exists: 督查科 registers 督办事项), and whether the registering unit must
 * have a leader (a draft is checked by the drafting unit's leader). */
struct gen_module_rule {
    const char *module;
    int weight; /* share of root cases */
    const char *creator_unit;
    int creator_unit_needs_leader;
};

static const struct gen_module_rule gen_module_rules[] = {
    {"supervision", 40, "dck", 0},
    {"doc_out", 25, NULL, 1},
    {"doc_in", 35, "msk", 0},
    {0},
};

/* Transitions the generator never fires (their hooks write other cases
 * through the engine) and the one it replaces by its own emulation. */
static const struct {
    const char *module, *transition;
    int emulated; /* 1: gen_deliver does what the hook does */
} gen_hooks_not_run[] = {
    {"doc_in", "open_supervision", 0},
    {"doc_out", "issue", 1},
    {0},
};

/* The relation codes of case_parties (case.c) and their bits, in the
 * engine's order. */
static const struct {
    const char *code;
    int bit;
} gen_rels[] = {
    {"creator", REL_CREATOR},       {"handler", REL_HANDLER},
    {"lead", REL_LEAD_UNIT},        {"co", REL_CO_UNIT},
    {"signer", REL_SIGNER},         {"owner", REL_SAME_UNIT},
    {"supervisor", REL_SUPERVISOR}, {"reader", REL_READER},
};
#define GEN_NRELS ((int)(sizeof(gen_rels) / sizeof(gen_rels[0])))

static int gen_case_make(struct gen *g, const struct module_def *m,
                         int64_t created, int64_t end, int open,
                         struct gen_case *parent, struct gen_case *out,
                         const struct gen_case *from_doc);

/* ---- small helpers ---- */

static double gen_elapsed(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / (double)GEN_PROGRESS_NS;
}

static const char *gen_rel_of_role(enum field_role role)
{
    switch (role) {
    case FIELD_IS_LEAD_UNIT:
        return "lead";
    case FIELD_IS_CO_UNITS:
        return "co";
    case FIELD_IS_HANDLER:
        return "handler";
    case FIELD_IS_SIGNER:
        return "signer";
    case FIELD_IS_SUPERVISOR:
        return "supervisor";
    case FIELD_IS_READERS:
        return "reader";
    default:
        return NULL;
    }
}

static int gen_rel_bit(const char *code)
{
    for (int i = 0; i < GEN_NRELS; i++)
        if (strcmp(gen_rels[i].code, code) == 0)
            return gen_rels[i].bit;
    return 0;
}

static const struct gen_rule *gen_rule_of(const struct module_def *m,
                                          const char *field)
{
    for (const struct gen_rule *r = gen_rules; r->module; r++)
        if (strcmp(r->module, m->code) == 0 && strcmp(r->field, field) == 0)
            return r;
    return NULL;
}

static const struct gen_module_rule *gen_module_rule(const struct module_def *m)
{
    for (const struct gen_module_rule *r = gen_module_rules; r->module; r++)
        if (strcmp(r->module, m->code) == 0)
            return r;
    return NULL;
}

/* -1 never fired, 0 hook run, 1 emulated by the generator. */
static int gen_hook_mode(const struct module_def *m,
                         const struct transition_def *t)
{
    for (int i = 0; gen_hooks_not_run[i].module; i++)
        if (strcmp(gen_hooks_not_run[i].module, m->code) == 0 &&
            strcmp(gen_hooks_not_run[i].transition, t->code) == 0)
            return gen_hooks_not_run[i].emulated ? 1 : -1;
    return 0;
}

static const char *gen_text_of(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *gen_field_text(const struct gen_case *c, const char *code)
{
    return gen_text_of(json_object_get(c->fields, code));
}

/* ---- the bulk writer ---- */

static void gen_ins_init(struct gen_ins *in, const char *head, int ncols)
{
    memset(in, 0, sizeof(*in));
    in->head = head;
    in->ncols = ncols;
}

static struct gen_val *gen_ins_slot(struct gen_ins *in)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 4096;
        in->v = realloc(in->v, in->cap * sizeof(*in->v));
        if (in->v == NULL)
            abort();
    }
    return &in->v[in->n++];
}

static void gen_int(struct gen_ins *in, int64_t v)
{
    struct gen_val *s = gen_ins_slot(in);
    s->kind = 'i';
    s->i = v;
}

/* t must live until the flush (the batch arena, or static text). */
static void gen_text(struct gen_ins *in, const char *t)
{
    struct gen_val *s = gen_ins_slot(in);
    s->kind = t != NULL ? 't' : 'n';
    s->t = t;
}

static void gen_id(struct gen_ins *in, int64_t id)
{
    struct gen_val *s = gen_ins_slot(in);
    s->kind = id > 0 ? 'i' : 'n';
    s->i = id;
}

/* The INSERT of `rows` rows of in. */
static struct stmt *gen_ins_prepare(struct store *db, const struct gen_ins *in,
                                    size_t rows)
{
    struct buf sql;
    struct stmt *st;
    int p = 1;
    buf_init(&sql, 0);
    buf_puts(&sql, in->head);
    buf_puts(&sql, " VALUES ");
    for (size_t r = 0; r < rows; r++) {
        buf_puts(&sql, r ? ",(" : "(");
        for (int c = 0; c < in->ncols; c++)
            buf_printf(&sql, c ? ",$%d" : "$%d", p++);
        buf_putc(&sql, ')');
    }
    st = store_prepare(db, sql.ptr);
    buf_free(&sql);
    return st;
}

/* Writes rows [from, from + rows) of in as one INSERT; a full chunk
 * (per rows) reuses in->full. */
static int gen_ins_statement(struct store *db, struct gen_ins *in, size_t from,
                             size_t rows, size_t per)
{
    struct stmt *st;
    int ok, reuse = rows == per;
    if (reuse && in->full != NULL && in->full_rows == rows) {
        st = in->full;
        store_reset(st);
    } else {
        st = gen_ins_prepare(db, in, rows);
    }
    for (size_t k = 0; k < rows * (size_t)in->ncols; k++) {
        const struct gen_val *v = &in->v[from * (size_t)in->ncols + k];
        if (v->kind == 'i')
            store_bind_int(st, (int)k + 1, v->i);
        else if (v->kind == 't')
            store_bind_text(st, (int)k + 1, v->t);
        else
            store_bind_null(st, (int)k + 1);
    }
    ok = store_step(st) == STORE_DONE;
    if (reuse && ok) {
        in->full = st;
        in->full_rows = rows;
        return 0;
    }
    if (reuse && in->full == st)
        in->full = NULL;
    if (store_finalize(st) != STORE_OK || !ok) {
        fprintf(stderr, "shuniu gen: 写入失败（%s）：%s\n", in->head,
                store_errmsg(db));
        return -1;
    }
    return 0;
}

static int gen_ins_flush(struct store *db, struct gen_ins *in)
{
    size_t rows = in->n / (size_t)in->ncols, done = 0;
    int cap =
        store_kind(db) == STORE_PG ? GEN_PARAMS_MAX_PG : GEN_PARAMS_MAX_SQLITE;
    size_t per = (size_t)(cap / in->ncols);
    if (per > GEN_ROWS_MAX)
        per = GEN_ROWS_MAX;
    while (done < rows) {
        size_t k = rows - done < per ? rows - done : per;
        if (gen_ins_statement(db, in, done, k, per) != 0)
            return -1;
        done += k;
    }
    in->rows += (int64_t)rows;
    in->n = 0;
    return 0;
}

/* ---- loading the office ---- */

static const char GEN_SQL_UNITS[] =
    "SELECT id, code, name, short_name FROM units WHERE active = 1"
    " ORDER BY id";
static const char GEN_SQL_USERS[] =
    "SELECT u.id, u.login, u.name, u.unit_id, u.clearance,"
    " COALESCE(u.backup_id, 0) FROM users u"
    " WHERE u.active = 1 AND NOT EXISTS (SELECT 1 FROM user_roles r JOIN"
    " roles o ON o.code = r.role WHERE r.user_id = u.id AND o.admin = 1)"
    " ORDER BY u.id";
static const char GEN_SQL_USER_ROLES[] =
    "SELECT user_id, role FROM user_roles ORDER BY user_id, role";
static const char GEN_SQL_ROLES[] = "SELECT code, name FROM roles";
static const char GEN_SQL_SETTINGS[] = "SELECT key, value FROM settings";
static const char GEN_SQL_UNIT_COUNT[] = "SELECT COUNT(*) FROM units";

static struct gen_user *gen_user_by_id(struct gen *g, int64_t id)
{
    for (int i = 0; i < g->nusers; i++)
        if (g->users[i].id == id)
            return &g->users[i];
    return NULL;
}

static int gen_load_units(struct gen *g)
{
    struct stmt *st = store_prepare(g->db, GEN_SQL_UNITS);
    while (store_step(st) == STORE_ROW && g->nunits < GEN_UNITS_MAX) {
        struct gen_unit *u = &g->units[g->nunits++];
        u->id = store_col_int(st, 0);
        u->code = arena_strdup(g->run, store_col_text(st, 1));
        u->name = arena_strdup(g->run, store_col_text(st, 2));
        u->short_name = arena_strdup(g->run, store_col_text(st, 3));
    }
    return store_finalize(st) == STORE_OK ? 0 : -1;
}

static int gen_load_users(struct gen *g)
{
    struct stmt *st = store_prepare(g->db, GEN_SQL_USERS);
    while (store_step(st) == STORE_ROW && g->nusers < GEN_USERS_MAX) {
        struct gen_user *u = &g->users[g->nusers++];
        memset(u, 0, sizeof(*u));
        u->id = store_col_int(st, 0);
        u->login = arena_strdup(g->run, store_col_text(st, 1));
        u->name = arena_strdup(g->run, store_col_text(st, 2));
        u->unit_id = store_col_int(st, 3);
        u->clearance = (int)store_col_int(st, 4);
        u->backup_id = store_col_int(st, 5);
    }
    if (store_finalize(st) != STORE_OK)
        return -1;
    st = store_prepare(g->db, GEN_SQL_USER_ROLES);
    while (store_step(st) == STORE_ROW) {
        struct gen_user *u = gen_user_by_id(g, store_col_int(st, 0));
        if (u != NULL && u->nroles < GEN_USER_ROLES_MAX)
            u->roles[u->nroles++] = arena_strdup(g->run, store_col_text(st, 1));
    }
    if (store_finalize(st) != STORE_OK)
        return -1;
    st = store_prepare(g->db, GEN_SQL_ROLES);
    while (store_step(st) == STORE_ROW && g->nroles < GEN_ROLES_MAX) {
        g->roles[g->nroles].code = arena_strdup(g->run, store_col_text(st, 0));
        g->roles[g->nroles++].name =
            arena_strdup(g->run, store_col_text(st, 1));
    }
    return store_finalize(st) == STORE_OK ? 0 : -1;
}

static int gen_load_settings(struct gen *g)
{
    struct stmt *st = store_prepare(g->db, GEN_SQL_SETTINGS);
    while (store_step(st) == STORE_ROW && g->nsettings < GEN_SETTINGS_MAX) {
        g->settings[g->nsettings].key =
            arena_strdup(g->run, store_col_text(st, 0));
        g->settings[g->nsettings++].value =
            arena_strdup(g->run, store_col_text(st, 1));
    }
    return store_finalize(st) == STORE_OK ? 0 : -1;
}

static struct gen_user *gen_user_by_login(struct gen *g, const char *login);

/* The office: the demo's when the database has no units, else what is
 * there. */
static int gen_load_office(struct gen *g)
{
    int64_t nunits = 0;
    if (store_query_int(g->db, GEN_SQL_UNIT_COUNT, &nunits, "") == STORE_ERR)
        return -1;
    if (nunits == 0) {
        struct err e;
        int built = 0;
        err_clear(&e);
        if (demo_build(g->db, g->run, &built, &e) != 0) {
            fprintf(stderr, "shuniu gen: 无法建立演示单位和人员：%s\n",
                    e.message ? e.message : "");
            return -1;
        }
        fputs("已建立演示单位和人员（演示密码 " DEMO_PASSWORD "）\n", stderr);
    }
    if (gen_load_units(g) != 0 || gen_load_users(g) != 0 ||
        gen_load_settings(g) != 0) {
        fprintf(stderr, "shuniu gen: 无法读取单位和人员：%s\n",
                store_errmsg(g->db));
        return -1;
    }
    for (const struct demo_login *d = demo_logins; d->login; d++) {
        const struct gen_user *u = gen_user_by_login(g, d->login);
        if (u != NULL && g->nfocus < GEN_FOCUS_MAX)
            g->focus[g->nfocus++].u = u;
    }
    if (g->nusers == 0) {
        fputs("shuniu gen: 数据库中没有可以办理业务的人员（三员以外），"
              "请先导入人员\n",
              stderr);
        return -1;
    }
    return 0;
}

/* ---- people and units ---- */

static int gen_user_holds(const struct gen_user *u, const char *list)
{
    if (list == NULL || strcmp(list, "*") == 0)
        return 1;
    for (int i = 0; i < u->nroles; i++)
        if (module_in_list(list, u->roles[i]))
            return 1;
    return 0;
}

static struct gen_unit *gen_unit_by_id(struct gen *g, int64_t id)
{
    for (int i = 0; i < g->nunits; i++)
        if (g->units[i].id == id)
            return &g->units[i];
    return NULL;
}

static struct gen_unit *gen_unit_by_code(struct gen *g, const char *code)
{
    for (int i = 0; code != NULL && i < g->nunits; i++)
        if (strcmp(g->units[i].code, code) == 0)
            return &g->units[i];
    return NULL;
}

static struct gen_user *gen_user_by_login(struct gen *g, const char *login)
{
    for (int i = 0; login != NULL && i < g->nusers; i++)
        if (strcmp(g->users[i].login, login) == 0)
            return &g->users[i];
    return NULL;
}

/* 1 when u may work on the case being made: of unit (0: any), holding a
 * role of roles, cleared for its 密级. */
static int gen_user_fits(const struct gen *g, const struct gen_user *u,
                         int64_t unit, const char *roles)
{
    return (unit == 0 || u->unit_id == unit) && u->clearance >= g->level &&
           gen_user_holds(u, roles);
}

/* A random person of unit (0: any) holding a role of roles (NULL: any),
 * cleared for the case's 密级. */
static struct gen_user *gen_pick_user(struct gen *g, int64_t unit,
                                      const char *roles)
{
    int n = 0, k;
    for (int i = 0; i < g->nusers; i++)
        n += gen_user_fits(g, &g->users[i], unit, roles);
    if (n == 0)
        return NULL;
    k = gen_rng_below(&g->r, n);
    for (int i = 0; i < g->nusers; i++)
        if (gen_user_fits(g, &g->users[i], unit, roles) && k-- == 0)
            return &g->users[i];
    return NULL;
}

static const struct gen_pool *gen_pool(struct gen *g, const char *roles)
{
    struct gen_pool *p;
    for (int i = 0; i < g->npools; i++)
        if (g->pools[i].level == g->level &&
            strcmp(g->pools[i].roles, roles) == 0)
            return &g->pools[i];
    if (g->npools == GEN_POOLS_MAX)
        return &g->pools[0];
    p = &g->pools[g->npools++];
    p->roles = roles;
    p->level = g->level;
    p->units = arena_alloc(g->run, sizeof(int) * (size_t)(g->nunits + 1));
    p->n = 0;
    for (int u = 0; u < g->nunits; u++)
        for (int i = 0; i < g->nusers; i++)
            if (gen_user_fits(g, &g->users[i], g->units[u].id, roles)) {
                p->units[p->n++] = u;
                break;
            }
    return p;
}

/* ---- 我的待办 of the demo people ---- */

/* The quota so far: it grows with the run, so that the to-dos are spread
 * over the year like the cases. */
static int64_t gen_focus_quota(const struct gen *g)
{
    int64_t q = g->quota * (g->made + 1) / (g->target > 0 ? g->target : 1);
    return q > 0 ? q : 1;
}

/* 1 when a demo person of unit (0: any) holding roles, cleared for the
 * case, already has the quota; only while an open case is made. */
static int gen_focus_full(const struct gen *g, int64_t unit, int64_t user,
                          const char *roles)
{
    int64_t q = gen_focus_quota(g);
    for (int i = 0; g->steer && i < g->nfocus; i++) {
        const struct gen_user *u = g->focus[i].u;
        if ((user == 0 || u->id == user) && gen_user_fits(g, u, unit, roles) &&
            g->focus[i].todo >= q)
            return 1;
    }
    return 0;
}

/* Now and then (while an open case is made) a demo person holding roles
 * and under quota, not of unit except; NULL otherwise. */
static const struct gen_user *gen_focus_pick(struct gen *g, const char *roles,
                                             int64_t except)
{
    const struct gen_user *cand[GEN_FOCUS_MAX];
    int n = 0;
    int64_t q = gen_focus_quota(g);
    if (!g->steer || g->nfocus == 0 ||
        !gen_rng_pct(&g->r, GEN_FOCUS_PREFER_PCT))
        return NULL;
    for (int i = 0; i < g->nfocus; i++) {
        const struct gen_user *u = g->focus[i].u;
        if (g->focus[i].todo < q && u->unit_id != except &&
            gen_user_fits(g, u, 0, roles))
            cand[n++] = u;
    }
    return n ? cand[gen_rng_below(&g->r, n)] : NULL;
}

/* A random unit with someone holding roles, not `except` (0: none); for
 * an open case, now and then a demo person's, and not one whose demo
 * person has the quota. */
static struct gen_unit *gen_pick_unit(struct gen *g, const char *roles,
                                      int64_t except)
{
    const struct gen_pool *p = gen_pool(g, roles);
    const struct gen_user *f = gen_focus_pick(g, roles, except);
    if (f != NULL)
        return gen_unit_by_id(g, f->unit_id);
    for (int tries = 0; p->n > 0 && tries < GEN_AVOID_TRIES; tries++) {
        struct gen_unit *u = &g->units[p->units[gen_rng_below(&g->r, p->n)]];
        if (u->id != except && (tries == GEN_AVOID_TRIES - 1 ||
                                !gen_focus_full(g, u->id, 0, roles)))
            return u;
    }
    return NULL;
}

/* A person holding roles to name in a field (a signer, a reader): as
 * gen_pick_unit steers units. */
static struct gen_user *gen_pick_person(struct gen *g, const char *roles)
{
    const struct gen_user *f = gen_focus_pick(g, roles, 0);
    struct gen_user *u = NULL;
    if (f != NULL)
        return gen_user_by_id(g, f->id);
    for (int tries = 0; tries < GEN_AVOID_TRIES; tries++) {
        u = gen_pick_user(g, 0, roles);
        if (u == NULL || !gen_focus_full(g, 0, u->id, roles))
            break;
    }
    return u;
}

/* The name of the first role of who in list (NULL: their first role). */
static const char *gen_role_label(struct gen *g, const struct gen_user *who,
                                  const char *list)
{
    for (int i = 0; who != NULL && i < who->nroles; i++) {
        if (list != NULL && !module_in_list(list, who->roles[i]))
            continue;
        for (int k = 0; k < g->nroles; k++)
            if (strcmp(g->roles[k].code, who->roles[i]) == 0)
                return g->roles[k].name;
        return "";
    }
    return "";
}

static void gen_actor_of(struct gen *g, const struct gen_user *u,
                         struct actor *a)
{
    if (u == NULL) {
        *a = g->cli;
        return;
    }
    memset(a, 0, sizeof(*a));
    a->user_id = u->id;
    a->login = u->login;
    a->name = u->name;
    a->unit_id = u->unit_id;
    a->clearance = u->clearance;
    a->nroles = u->nroles;
    for (int i = 0; i < u->nroles; i++)
        a->roles[i] = u->roles[i];
    a->ip = "gen";
    a->session_hash = "";
    a->csrf = "";
}

/* ---- numbering (number.c's tables, one read and one write per run) ---- */

static const char GEN_SQL_NUMBER_LAST[] =
    "SELECT last FROM numbers WHERE pattern = $1 AND year = $2";
static const char GEN_SQL_NUMBER_SAVE[] =
    "INSERT INTO numbers (pattern, year, last) VALUES ($1, $2, $3)"
    " ON CONFLICT (pattern, year) DO UPDATE SET last = excluded.last";

static int gen_number_take(struct gen *g, const char *pattern, int year,
                           int64_t *n)
{
    struct gen_number *s = NULL;
    for (int i = 0; i < g->nnumbers && s == NULL; i++)
        if (g->numbers[i].year == year &&
            strcmp(g->numbers[i].pattern, pattern) == 0)
            s = &g->numbers[i];
    if (s == NULL) {
        if (g->nnumbers == GEN_NUMBERS_MAX)
            return -1;
        s = &g->numbers[g->nnumbers++];
        s->pattern = arena_strdup(g->run, pattern);
        s->year = year;
        if (store_query_int(g->db, GEN_SQL_NUMBER_LAST, &s->last, "ti", pattern,
                            (int64_t)year) == STORE_ERR)
            return -1;
    }
    *n = ++s->last;
    return 0;
}

static int gen_numbers_save(struct gen *g)
{
    for (int i = 0; i < g->nnumbers; i++)
        if (store_run(g->db, GEN_SQL_NUMBER_SAVE, "tii", g->numbers[i].pattern,
                      (int64_t)g->numbers[i].year,
                      g->numbers[i].last) != STORE_OK)
            return -1;
    return 0;
}

/* Numbers case c with its module's pattern at instant at. */
static int gen_number_case(struct gen *g, struct gen_case *c, struct actor *who,
                           int64_t at)
{
    const char *pattern = c->m->number_pattern;
    int year = ms_to_beijing(at).y;
    int64_t n = 0;

    if (c->m->number_pattern_of != NULL) {
        struct case_ctx ctx;
        struct err e;
        memset(&ctx, 0, sizeof(ctx));
        err_clear(&e);
        ctx.db = g->db;
        ctx.a = g->batch;
        ctx.who = who;
        ctx.m = c->m;
        ctx.id = c->id;
        ctx.fields = c->fields;
        ctx.now = at;
        ctx.number = "";
        pattern = c->m->number_pattern_of(&ctx, &e);
    }
    if (pattern == NULL || !number_pattern_ok(pattern))
        return 0;
    if (gen_number_take(g, pattern, year, &n) != 0)
        return -1;
    c->number = number_format(g->batch, pattern, year, n);
    c->number_year = year;
    c->number_n = n;
    gen_text(&g->numlog, arena_strdup(g->batch, pattern));
    gen_int(&g->numlog, year);
    gen_int(&g->numlog, n);
    gen_int(&g->numlog, c->id);
    gen_int(&g->numlog, at);
    return 0;
}

/* ---- field values ---- */

static const char *gen_setting(struct gen *g, const char *key)
{
    for (int i = 0; key != NULL && i < g->nsettings; i++)
        if (strcmp(g->settings[i].key, key) == 0)
            return g->settings[i].value;
    return NULL;
}

static void gen_day_text(int64_t at, int plus_days, char out[11])
{
    struct ymd d = ms_to_beijing(at);
    ymd_fmt(days_to_ymd(ymd_to_days(d) + plus_days), out);
}

/* Sets a string value. */
static void gen_set(struct gen_case *c, const char *code, const char *v)
{
    json_object_set_new(c->fields, code, json_string(v));
}

/* A list of 1..max unit codes with roles, distinct, not `except`. */
static json_t *gen_unit_list(struct gen *g, const char *roles, int max,
                             int64_t except)
{
    json_t *a = json_array();
    int want = gen_rng_range(&g->r, 1, max);
    for (int i = 0; i < want; i++) {
        struct gen_unit *u = gen_pick_unit(g, roles, except);
        int dup = 0;
        size_t k;
        json_t *x;
        if (u == NULL)
            break;
        json_array_foreach(a, k, x) dup |=
            strcmp(json_string_value(x), u->code) == 0;
        if (!dup)
            json_array_append_new(a, json_string(u->code));
    }
    if (json_array_size(a) == 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *gen_user_list(struct gen *g, const char *roles, int max)
{
    json_t *a = json_array();
    int want = gen_rng_range(&g->r, 2, max);
    for (int i = 0; i < want; i++) {
        struct gen_user *u = gen_pick_person(g, roles);
        int dup = 0;
        size_t k;
        json_t *x;
        if (u == NULL)
            break;
        json_array_foreach(a, k, x) dup |=
            strcmp(json_string_value(x), u->login) == 0;
        if (!dup)
            json_array_append_new(a, json_string(u->login));
    }
    if (json_array_size(a) == 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static const char *gen_issuer_prefix(struct gen *g, struct gen_case *c)
{
    struct gen_unit *u = gen_unit_by_code(g, gen_field_text(c, "issuer"));
    const char *type = gen_field_text(c, "doc_type");
    const char *end = type != NULL && strcmp(type, "函") == 0 ? "函" : "发";
    if (u == NULL)
        return arena_printf(g->batch, "市政办%s", end);
    if (strcmp(u->code, "office") == 0)
        return arena_printf(g->batch, "市政办%s", end);
    return arena_printf(g->batch, "%s%s",
                        u->short_name[0] ? u->short_name : u->name, end);
}

/* The last day of the case's main clock now (for an extension). */
static int64_t gen_main_due_days(struct gen *g, struct gen_case *c, int64_t at);

/* A value of kind k for field f of c at instant at into c->fields; 0 when
 * nothing could be made (no such people). */
static int gen_value(struct gen *g, struct gen_case *c,
                     const struct field_def *f, enum gen_kind k, int64_t at,
                     const char *value)
{
    struct buf b;
    json_t *v = NULL;
    char day[11];
    struct gen_unit *u;
    struct gen_user *p;

    buf_init(&b, 0);
    switch (k) {
    case GK_SKIP:
        break;
    case GK_CONST:
        v = f->type == FIELD_NUMBER ? json_integer(atoll(value))
                                    : json_string(value);
        break;
    case GK_TITLE_TASK:
        gen_text_title(&g->r, GEN_TITLE_TASK, NULL, &b);
        v = json_string(b.ptr);
        break;
    case GK_TITLE_DOC: {
        const char *type = gen_field_text(c, "doc_type");
        if (type == NULL) {
            type = gen_text_doc_type(&g->r);
            if (module_field(c->m, "doc_type") != NULL)
                gen_set(c, "doc_type", type);
        }
        gen_text_title(&g->r, GEN_TITLE_DOC, type, &b);
        v = json_string(b.ptr);
        break;
    }
    case GK_DOC_TYPE:
        if (gen_field_text(c, f->code) == NULL)
            v = json_string(gen_text_doc_type(&g->r));
        break;
    case GK_BODY:
        gen_text_body(&g->r, GEN_BODY_MIN, GEN_BODY_MAX, &b);
        v = json_string(b.ptr);
        break;
    case GK_PARA:
        gen_text_body(&g->r, GEN_PARA_MIN, GEN_PARA_MAX, &b);
        v = json_string(b.ptr);
        break;
    case GK_SOURCE_REF: {
        struct ymd d =
            ms_to_beijing(at - GEN_DAY_MS * gen_rng_range(&g->r, 1, 20));
        buf_printf(&b, "%s（%d年%d月%d日）",
                   gen_rng_pct(&g->r, 50) ? "市长批示" : "市政府常务会议纪要",
                   d.y, d.m, d.d);
        v = json_string(b.ptr);
        break;
    }
    case GK_UNIT_WORK:
        u = gen_pick_unit(g, "staff,leader", 0);
        v = u ? json_string(u->code) : NULL;
        break;
    case GK_UNITS_WORK:
        u = gen_unit_by_code(g, gen_field_text(c, "lead_unit"));
        v = gen_unit_list(g, "staff,leader", 2, u ? u->id : 0);
        break;
    case GK_UNITS_RECV:
        v = gen_unit_list(g, "clerk,staff", f->code[0] == 'c' ? 1 : 2, 0);
        break;
    case GK_UNITS_LEADER:
        v = gen_unit_list(g, "leader", 2, c->owner_unit_id);
        break;
    case GK_UNIT_ISSUER:
        u = gen_rng_pct(&g->r, 70) ? gen_unit_by_code(g, "office") : NULL;
        if (u != NULL && gen_focus_full(g, u->id, 0, "clerk"))
            u = NULL; /* its demo clerk has the quota */
        if (u == NULL || gen_pool(g, "clerk")->n == 0 ||
            gen_pick_user(g, u->id, "clerk") == NULL)
            u = gen_pick_unit(g, "clerk", 0);
        if (u == NULL)
            u = gen_unit_by_id(g, c->owner_unit_id);
        v = u ? json_string(u->code) : NULL;
        break;
    case GK_ISSUER_NAME:
        u = gen_unit_by_code(g, gen_field_text(c, "issuer"));
        v = u ? json_string(u->name) : NULL;
        break;
    case GK_PREFIX:
        v = json_string(gen_issuer_prefix(g, c));
        break;
    case GK_LEADER:
        p = gen_pick_person(g, "leader");
        if (p == NULL)
            p = gen_pick_user(g, 0, NULL);
        v = p ? json_string(p->login) : NULL;
        break;
    case GK_LEADERS:
        v = gen_user_list(g, "leader", 3);
        break;
    case GK_CLERK_OWNER:
        p = gen_pick_user(g, c->owner_unit_id, "clerk,staff");
        if (p == NULL)
            p = gen_pick_user(g, 0, "clerk,staff");
        v = p ? json_string(p->login) : NULL;
        break;
    case GK_DEADLINE:
        gen_day_text(at, gen_rng_range(&g->r, 10, 60), day);
        v = json_string(day);
        break;
    case GK_DAY:
        gen_day_text(at, 0, day);
        v = json_string(day);
        break;
    case GK_PROGRESS: {
        json_t *old = json_object_get(c->fields, f->code);
        int64_t now = json_is_integer(old) ? json_integer_value(old) : 0;
        now += gen_rng_range(&g->r, 5, 30);
        v = json_integer(now > 95 ? 95 : now);
        break;
    }
    case GK_SCORE:
        v = json_integer(gen_rng_range(&g->r, 70, 100));
        break;
    case GK_COPIES:
        v = json_integer(gen_rng_range(&g->r, 1, 200));
        break;
    case GK_ALL_CHOICES:
        v = json_array();
        for (int i = 0; f->choices != NULL && f->choices[i].code; i++)
            json_array_append_new(v, json_string(f->choices[i].code));
        break;
    case GK_URGENCY:
        v = json_string(
            f->choices[gen_rng_pct(&g->r, 85) ? 0 : gen_rng_range(&g->r, 1, 2)]
                .code);
        break;
    case GK_EXT_ISSUER:
        v = json_string(gen_text_issuer(gen_rng_below(&g->r, 100), NULL));
        break;
    case GK_EXT_NUMBER: {
        const char *prefix = NULL;
        gen_text_issuer(gen_rng_below(&g->r, 100), &prefix);
        buf_printf(&b, "%s〔%d〕%d号", prefix, ms_to_beijing(at).y,
                   gen_rng_range(&g->r, 1, 300));
        v = json_string(b.ptr);
        break;
    }
    case GK_EXTEND_DATE: {
        int64_t due = gen_main_due_days(g, c, at);
        ymd_fmt(days_to_ymd(due + gen_rng_range(&g->r, 5, 30)), day);
        v = json_string(day);
        break;
    }
    case GK_SECRECY:
        v = json_sprintf("%d", g->level);
        break;
    case GK_SECRECY_TERM:
        /* the longest terms of the 保密法 by level: 10, 20, 30 years */
        if (g->level > 0)
            v = json_sprintf("%d年", g->level * 10);
        break;
    case GK_COPY_NO:
        if (g->level > 0)
            v = json_sprintf("%06d", gen_rng_range(&g->r, 1, GEN_COPY_NO_MAX));
        break;
    case GK_AUTO:
    default:
        switch (f->type) {
        case FIELD_TEXT:
            gen_text_title(&g->r, GEN_TITLE_TASK, NULL, &b);
            v = json_string(b.ptr);
            break;
        case FIELD_LONGTEXT:
            gen_text_body(&g->r, GEN_PARA_MIN, GEN_PARA_MAX, &b);
            v = json_string(b.ptr);
            break;
        case FIELD_NUMBER:
            v = json_integer(
                gen_rng_range(&g->r, f->min, f->max > f->min ? f->max : 100));
            break;
        case FIELD_DATE:
            gen_day_text(at, gen_rng_range(&g->r, 5, 40), day);
            v = json_string(day);
            break;
        case FIELD_DATETIME: {
            char iso[26];
            ms_fmt_iso(at, iso);
            v = json_string(iso);
            break;
        }
        case FIELD_CHOICE:
        case FIELD_MULTI: {
            int n = 0;
            while (f->choices != NULL && f->choices[n].code)
                n++;
            if (n > 0) {
                const char *code = f->choices[gen_rng_below(&g->r, n)].code;
                v = f->type == FIELD_MULTI ? json_pack("[s]", code)
                                           : json_string(code);
            }
            break;
        }
        case FIELD_UNIT:
            u = gen_pick_unit(g, "staff,leader,clerk", 0);
            v = u ? json_string(u->code) : NULL;
            break;
        case FIELD_UNITS:
            v = gen_unit_list(g, "staff,leader,clerk", 2, 0);
            break;
        case FIELD_PERSON:
            p = gen_pick_user(g, 0, NULL);
            v = p ? json_string(p->login) : NULL;
            break;
        case FIELD_PERSONS:
            v = gen_user_list(g, NULL, 3);
            break;
        }
    }
    buf_free(&b);
    if (v == NULL)
        return 0;
    json_object_set_new(c->fields, f->code, v);
    return 1;
}

/* Fills field f when the rule says so: required (force) or by chance. */
static void gen_fill(struct gen *g, struct gen_case *c,
                     const struct field_def *f, int force, int64_t at)
{
    const struct gen_rule *rule = gen_rule_of(c->m, f->code);
    enum gen_kind k = rule ? rule->kind : GK_AUTO;
    int pct = rule ? rule->pct : 50;
    if (k == GK_SKIP && !force)
        return;
    if (!force && !gen_rng_pct(&g->r, pct))
        return;
    gen_value(g, c, f, k == GK_SKIP ? GK_AUTO : k, at,
              rule ? rule->value : NULL);
}

static int gen_field_empty(const struct gen_case *c, const char *code)
{
    json_t *v = json_object_get(c->fields, code);
    return v == NULL || json_is_null(v) ||
           (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* 1 when a transition of m sets the field (it is filled then). */
static int gen_set_later(const struct module_def *m, const char *code)
{
    for (int i = 0; m->transitions[i].code; i++)
        if (m->transitions[i].fields &&
            module_in_list(m->transitions[i].fields, code))
            return 1;
    return 0;
}

static void gen_fill_required(struct gen *g, struct gen_case *c,
                              const struct state_def *s, int64_t at)
{
    for (int i = 0; c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        if (f->required_in && module_in_list(f->required_in, s->code) &&
            gen_field_empty(c, f->code))
            gen_fill(g, c, f, 1, at);
    }
}

/* The values given at registration. */
static void gen_fill_create(struct gen *g, struct gen_case *c, int64_t at)
{
    const struct state_def *init = module_initial(c->m);
    for (int i = 0; c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        int required =
            f->required_in && module_in_list(f->required_in, init->code);
        if (!gen_field_empty(c, f->code))
            continue;
        if (required)
            gen_fill(g, c, f, 1, at);
        else if (!(f->flags & (FIELD_READONLY | FIELD_HIDDEN)) &&
                 !gen_set_later(c->m, f->code))
            gen_fill(g, c, f, 0, at);
        else if (f->default_value != NULL) {
            /* the engine's defaults (case_defaults) */
            if (f->type == FIELD_NUMBER)
                json_object_set_new(c->fields, f->code,
                                    json_integer(atoll(f->default_value)));
            else
                gen_set(c, f->code, f->default_value);
        }
    }
    /* the 密级 is known at registration (a field a later step may also
     * edit, so the loop above left it at its default) */
    for (int i = 0; c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        if (f->role == FIELD_IS_SECRECY ||
            (g->level > 0 && strcmp(f->code, "secrecy_term") == 0 &&
             gen_field_empty(c, f->code)))
            gen_fill(g, c, f, 1, at);
    }
    /* doc_in (doc_in_validate): an urgent document carries a deadline and
     * a chaser from 登记 on */
    if (strcmp(c->m->code, "doc_in") == 0) {
        const char *u = gen_field_text(c, "urgency");
        if (u != NULL && strcmp(u, "none") != 0) {
            const struct field_def *fd = module_field(c->m, "deadline");
            const struct field_def *fc = module_field(c->m, "chaser");
            if (fd && gen_field_empty(c, "deadline"))
                gen_value(g, c, fd, GK_DEADLINE, at, NULL);
            if (fc && gen_field_empty(c, "chaser"))
                gen_value(g, c, fc, GK_CLERK_OWNER, at, NULL);
        }
    }
}

/* The values a transition sets: its required fields always, the others by
 * chance; fields only transitions write (READONLY) are written anew. */
static void gen_fill_transition(struct gen *g, struct gen_case *c,
                                const struct transition_def *t, int64_t at)
{
    for (int i = 0; t->fields != NULL && c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        int required = t->required && module_in_list(t->required, f->code);
        if (!module_in_list(t->fields, f->code))
            continue;
        if (t->extend_field && strcmp(f->code, t->extend_field) == 0) {
            gen_value(g, c, f, GK_EXTEND_DATE, at, NULL);
            continue;
        }
        if (!gen_field_empty(c, f->code) && !(f->flags & FIELD_READONLY))
            continue;
        gen_fill(g, c, f, required, at);
    }
}

/* ---- clocks (case_clock.c, in memory) ---- */

static const struct clock_def *gen_main_def(const struct module_def *m)
{
    if (m->clocks == NULL || m->clocks[0].code == NULL)
        return NULL;
    for (int i = 0; m->clocks[i].code; i++)
        if (m->clocks[i].main)
            return &m->clocks[i];
    return &m->clocks[0];
}

static struct gen_clock *gen_clock_find(struct gen_case *c, const char *code)
{
    for (int i = 0; i < c->nck; i++)
        if (strcmp(c->ck[i].d->code, code) == 0)
            return &c->ck[i];
    return NULL;
}

/* case_clock_resolve: the length and deadline a clock gets now. */
static void gen_clock_resolve(struct gen *g, struct gen_case *c,
                              const struct clock_def *d, int *length,
                              char deadline[11])
{
    const char *setting = d->setting, *v, *sv;
    const struct field_def *df = NULL;
    int len = d->length;

    deadline[0] = '\0';
    if (d->length_field && (v = gen_field_text(c, d->length_field)) != NULL)
        for (int i = 0; d->lengths && d->lengths[i].choice; i++)
            if (strcmp(d->lengths[i].choice, v) == 0) {
                len = d->lengths[i].length;
                setting = d->lengths[i].setting;
                break;
            }
    if ((len > 0 || setting != NULL) && (sv = gen_setting(g, setting))) {
        char *end = NULL;
        long n = strtol(sv, &end, 10);
        if (end && *end == '\0' && n > 0 && n <= CALENDAR_MAX_N)
            len = (int)n;
    }
    if (d->deadline_field)
        df = module_field(c->m, d->deadline_field);
    else if (d == gen_main_def(c->m))
        for (int i = 0; c->m->fields[i].code && df == NULL; i++)
            if (c->m->fields[i].role == FIELD_IS_DEADLINE)
                df = &c->m->fields[i];
    if (df && (v = gen_field_text(c, df->code)) != NULL) {
        struct ymd y;
        if (ymd_parse(v, &y) == 0)
            ymd_fmt(y, deadline);
    }
    *length = len;
}

static void gen_clock_start(struct gen *g, struct gen_case *c,
                            const struct clock_def *d, int64_t at)
{
    struct gen_clock *k = gen_clock_find(c, d->code);
    int length;
    char deadline[11];

    gen_clock_resolve(g, c, d, &length, deadline);
    if (length <= 0 && deadline[0] == '\0') {
        if (k && k->stop == 0)
            k->stop = at;
        return;
    }
    if (k == NULL) {
        if (c->nck == GEN_CLOCKS_MAX)
            return;
        k = &c->ck[c->nck++];
        memset(k, 0, sizeof(*k));
        k->d = d;
        k->id = g->next_clock++;
        k->main = d == gen_main_def(c->m);
    }
    k->np = k->nx = 0;
    k->start = at;
    k->stop = 0;
    k->length = length;
    memcpy(k->deadline, deadline, sizeof(k->deadline));
}

static void gen_pause_close(struct gen_clock *k, int64_t at)
{
    for (int i = 0; i < k->np; i++)
        if (k->p[i].to == 0)
            k->p[i].to = at;
}

static void gen_clock_extend(struct gen *g, struct gen_case *c,
                             struct gen_clock *k, const char *field,
                             const char *by, const char *why, int64_t at)
{
    const struct field_def *f = module_field(c->m, field);
    const char *v = f ? gen_field_text(c, f->code) : NULL;
    struct gen_ext *x;
    if (k->nx == GEN_EXTS_MAX || f == NULL)
        return;
    x = &k->x[k->nx];
    memset(x, 0, sizeof(*x));
    x->at = at;
    x->by = by;
    x->why = why ? why : "";
    if (f->type == FIELD_DATE) {
        struct ymd y;
        if (v == NULL || ymd_parse(v, &y) != 0)
            return;
        /* the new last day absorbs what moved the old one */
        for (int i = 0; i < k->np; i++)
            k->p[i].absorbed |= k->p[i].to > 0;
        for (int i = 0; i < k->nx; i++)
            k->x[i].absorbed = 1;
        ymd_fmt(y, x->deadline);
        memcpy(k->deadline, x->deadline, sizeof(k->deadline));
    } else {
        json_t *n = json_object_get(c->fields, field);
        if (!json_is_integer(n) || json_integer_value(n) <= 0)
            return;
        x->length = (int)json_integer_value(n);
    }
    (void)g;
    k->nx++;
}

/* case_clock_effects. */
static void gen_clock_effects(struct gen *g, struct gen_case *c,
                              const struct clock_effect *fx,
                              const char *extend_field, const char *by,
                              const char *why, int64_t at)
{
    for (int i = 0; i < 4; i++) {
        const struct clock_def *d;
        struct gen_clock *k;
        if (fx[i].clock == NULL || fx[i].op == CLOCK_OP_NONE)
            continue;
        d = module_clock(c->m, fx[i].clock);
        if (d == NULL)
            continue;
        if (fx[i].op == CLOCK_OP_START) {
            gen_clock_start(g, c, d, at);
            continue;
        }
        k = gen_clock_find(c, d->code);
        if (k == NULL || k->stop != 0)
            continue; /* never started, or stopped */
        switch (fx[i].op) {
        case CLOCK_OP_PAUSE:
            if ((k->np == 0 || k->p[k->np - 1].to != 0) &&
                k->np < GEN_PAUSES_MAX) {
                k->p[k->np].from = at;
                k->p[k->np].to = 0;
                k->p[k->np++].absorbed = 0;
            }
            break;
        case CLOCK_OP_RESUME:
            gen_pause_close(k, at);
            break;
        case CLOCK_OP_EXTEND:
            if (extend_field)
                gen_clock_extend(g, c, k, extend_field, by, why, at);
            break;
        case CLOCK_OP_STOP:
            gen_pause_close(k, at);
            k->stop = at;
            break;
        default:
            break;
        }
    }
}

/* case_clock_follow_fields: running clocks follow a changed deadline or
 * length field. */
static void gen_clock_follow(struct gen *g, struct gen_case *c, json_t *before)
{
    for (int i = 0; i < c->nck; i++) {
        struct gen_clock *k = &c->ck[i];
        const struct clock_def *d = k->d;
        const char *df = d->deadline_field;
        int changed = 0;
        if (df == NULL && d == gen_main_def(c->m))
            for (int f = 0; c->m->fields[f].code; f++)
                if (c->m->fields[f].role == FIELD_IS_DEADLINE)
                    df = c->m->fields[f].code;
        if (df)
            changed |= !json_equal(json_object_get(c->fields, df),
                                   json_object_get(before, df)) &&
                       json_object_get(c->fields, df) != NULL;
        if (d->length_field)
            changed |= !json_equal(json_object_get(c->fields, d->length_field),
                                   json_object_get(before, d->length_field)) &&
                       json_object_get(c->fields, d->length_field) != NULL;
        if (changed && k->stop == 0)
            gen_clock_resolve(g, c, d, &k->length, k->deadline);
    }
}

/* The clock as clock.h sees it (not absorbed pauses, counted extensions). */
static void gen_clock_view(const struct gen_clock *k, struct clock *out,
                           struct clock_pause *p, struct clock_extension *x)
{
    int np = 0, nx = 0;
    memset(out, 0, sizeof(*out));
    out->start_ms = k->start;
    out->unit = k->d->unit;
    out->length = k->length;
    out->has_deadline = ymd_parse(k->deadline, &out->deadline) == 0;
    out->warn = k->d->warn;
    out->warn_value = k->d->warn_value;
    out->stop_ms = k->stop;
    for (int i = 0; i < k->np; i++)
        if (!k->p[i].absorbed) {
            p[np].from_ms = k->p[i].from;
            p[np++].to_ms = k->p[i].to;
        }
    for (int i = 0; i < k->nx; i++)
        if (!k->x[i].absorbed && k->x[i].length > 0) {
            x[nx].length = k->x[i].length;
            x[nx].at_ms = k->x[i].at;
            x[nx].by = k->x[i].by;
            x[nx++].why = k->x[i].why;
        }
    out->pauses = p;
    out->npauses = np;
    out->extensions = x;
    out->nextensions = nx;
}

static int gen_clock_eval(struct gen *g, const struct gen_clock *k, int64_t at,
                          struct clock_state *cs)
{
    struct clock cl;
    struct clock_pause p[GEN_PAUSES_MAX];
    struct clock_extension x[GEN_EXTS_MAX];
    gen_clock_view(k, &cl, p, x);
    return clock_eval(&cl, g->cal, at, cs);
}

static int64_t gen_main_due_days(struct gen *g, struct gen_case *c, int64_t at)
{
    const struct clock_def *d = gen_main_def(c->m);
    struct gen_clock *k = d ? gen_clock_find(c, d->code) : NULL;
    struct clock_state cs;
    if (k != NULL && gen_clock_eval(g, k, at, &cs) == 0)
        return ymd_to_days(cs.due_date);
    return ymd_to_days(ms_to_beijing(at));
}

static void gen_min(int64_t *acc, int *has, int64_t v)
{
    if (!*has || v < *acc)
        *acc = v;
    *has = 1;
}

/* case_clock_refresh_one at g->now: the cached columns of c (its open
 * children folded in by the caller). */
static void gen_lights(struct gen *g, struct gen_case *c)
{
    const struct clock_def *main = gen_main_def(c->m);
    c->due = c->ldue = c->lyellow = 0;
    c->has_due = c->has_yellow = 0;
    c->floor = -1;
    for (int i = 0; i < c->nck; i++) {
        struct gen_clock *k = &c->ck[i];
        struct clock_state cs;
        int is_main = main != NULL && k->d == main;
        if (gen_clock_eval(g, k, g->now, &cs) != 0) {
            g->violations++;
            continue;
        }
        if (is_main)
            c->due = cs.due_ms;
        if (c->closed != 0) {
            if (is_main && cs.stopped && (int)cs.light > c->floor)
                c->floor = (int)cs.light;
            continue;
        }
        if (cs.stopped)
            continue;
        if (cs.paused) {
            int l = (int)cs.light;
            if (k->d->warn_only && l > CLOCK_YELLOW)
                l = CLOCK_YELLOW;
            if (l > c->floor)
                c->floor = l;
        } else if (k->d->warn_only) {
            gen_min(&c->lyellow, &c->has_yellow, cs.yellow_ms);
            gen_min(&c->lyellow, &c->has_yellow, cs.due_ms);
        } else {
            gen_min(&c->ldue, &c->has_due, cs.due_ms);
            gen_min(&c->lyellow, &c->has_yellow, cs.yellow_ms);
        }
    }
}

/* The light at g->now from the cached columns (CASE_LIGHT_SQL). */
static int gen_light_now(const struct gen *g, const struct gen_case *c)
{
    if (c->has_due && c->ldue <= g->now)
        return CLOCK_RED;
    if (c->floor >= CLOCK_RED)
        return CLOCK_RED;
    if (c->has_yellow && c->lyellow <= g->now)
        return CLOCK_YELLOW;
    if (c->floor >= CLOCK_YELLOW)
        return CLOCK_YELLOW;
    if (c->has_due || c->has_yellow || c->floor >= 0)
        return CLOCK_GREEN;
    return -1;
}

/* ---- parties and actors ---- */

static void gen_party_add(struct gen_case *c, const char *rel, int64_t unit,
                          int64_t user)
{
    if (c->npt == GEN_PARTIES_MAX)
        return;
    c->pt[c->npt].rel = rel;
    c->pt[c->npt].unit_id = unit;
    c->pt[c->npt++].user_id = user;
}

/* case_parties_write: creator, owner, then the fields with a role. */
static void gen_parties(struct gen *g, struct gen_case *c)
{
    c->npt = 0;
    if (c->creator != NULL)
        gen_party_add(c, "creator", 0, c->creator->id);
    if (c->owner_unit_id > 0)
        gen_party_add(c, "owner", c->owner_unit_id, 0);
    for (int i = 0; c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        const char *rel = gen_rel_of_role(f->role);
        json_t *v = json_object_get(c->fields, f->code), *x;
        int unit = f->type == FIELD_UNIT || f->type == FIELD_UNITS;
        size_t k;
        if (rel == NULL || v == NULL)
            continue;
        if (json_is_string(v)) {
            struct gen_unit *u =
                unit ? gen_unit_by_code(g, json_string_value(v)) : NULL;
            struct gen_user *p =
                unit ? NULL : gen_user_by_login(g, json_string_value(v));
            if (u || p)
                gen_party_add(c, rel, u ? u->id : 0, p ? p->id : 0);
            continue;
        }
        json_array_foreach(v, k, x)
        {
            struct gen_unit *u =
                unit ? gen_unit_by_code(g, json_string_value(x)) : NULL;
            struct gen_user *p =
                unit ? NULL : gen_user_by_login(g, json_string_value(x));
            if (u || p)
                gen_party_add(c, rel, u ? u->id : 0, p ? p->id : 0);
        }
    }
}

/* Who fires t on c: someone standing in t's relation and holding its
 * roles; NULL when nobody does (the CLI operator acts then). */
static struct gen_user *gen_actor_for(struct gen *g, struct gen_case *c,
                                      const struct transition_def *t)
{
    static const int order[] = {REL_HANDLER,   REL_SIGNER,  REL_SUPERVISOR,
                                REL_READER,    REL_CREATOR, REL_LEAD_UNIT,
                                REL_SAME_UNIT, REL_CO_UNIT};
    for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
        if (!(t->rel & order[o]))
            continue;
        for (int i = 0; i < c->npt; i++) {
            struct gen_user *u;
            if (gen_rel_bit(c->pt[i].rel) != order[o])
                continue;
            u = c->pt[i].user_id ? gen_user_by_id(g, c->pt[i].user_id)
                                 : gen_pick_user(g, c->pt[i].unit_id, t->roles);
            if (u != NULL && gen_user_holds(u, t->roles))
                return u;
        }
    }
    if (t->rel == 0) {
        struct gen_user *u = gen_pick_user(g, c->owner_unit_id, t->roles);
        return u ? u : gen_pick_user(g, 0, t->roles);
    }
    return NULL;
}

/* ---- timeline ---- */

static void gen_timeline(struct gen *g, const struct gen_case *c, int64_t at,
                         const struct actor *who, const char *role,
                         const char *kind, const char *tcode, const char *from,
                         const char *to, const char *text, const char *data)
{
    struct gen_ins *in = &g->timeline;
    gen_int(in, c->id);
    gen_int(in, at);
    gen_int(in, who->user_id);
    gen_text(in, who->login);
    gen_text(in, who->name);
    gen_text(in, role ? role : "");
    gen_text(in, kind);
    gen_text(in, tcode ? tcode : "");
    gen_text(in, from ? from : "");
    gen_text(in, to ? to : "");
    gen_text(in, text ? arena_strdup(g->batch, text) : "");
    gen_text(in, data ? arena_strdup(g->batch, data) : "");
    g->timeline_rows++;
}

/* ---- the plan: which transitions, in which order ---- */

static int gen_state_index(const struct module_def *m, const char *code)
{
    for (int i = 0; m->states[i].code; i++)
        if (strcmp(m->states[i].code, code) == 0)
            return i;
    return -1;
}

/* dist[s]: the fewest state changes from s to target. */
static void gen_dist(const struct module_def *m, int target, int *dist)
{
    int n = 0, changed = 1;
    while (m->states[n].code)
        n++;
    for (int i = 0; i < n; i++)
        dist[i] = GEN_UNREACHABLE;
    dist[target] = 0;
    for (int round = 0; changed && round <= n; round++) {
        changed = 0;
        for (int k = 0; m->transitions[k].code; k++) {
            const struct transition_def *t = &m->transitions[k];
            int to = t->to ? gen_state_index(m, t->to) : -1;
            if (to < 0 || dist[to] >= GEN_UNREACHABLE ||
                gen_hook_mode(m, t) < 0)
                continue;
            for (int s = 0; s < n; s++)
                if (s != to && module_in_list(t->from, m->states[s].code) &&
                    dist[to] + 1 < dist[s]) {
                    dist[s] = dist[to] + 1;
                    changed = 1;
                }
        }
    }
}

static int gen_stay_ok(const struct module_def *m,
                       const struct transition_def *t, const char *state,
                       const char *pending)
{
    return module_in_list(t->from, state) &&
           (t->to == NULL || strcmp(t->to, state) == 0) && !t->all_rel &&
           t->within == NULL && gen_hook_mode(m, t) >= 0 &&
           (t->needs == NULL || (pending && strcmp(pending, t->needs) == 0)) &&
           (t->opens == NULL || pending == NULL) &&
           !(module_state(m, state)->flags & STATE_ARCHIVED);
}

/* A random stay transition of state; need: 1 one that closes pending. */
static const struct transition_def *gen_pick_stay(struct gen *g,
                                                  const struct module_def *m,
                                                  const char *state,
                                                  const char *pending, int need)
{
    const struct transition_def *cand[GEN_STEPS_MAX];
    int n = 0;
    for (int k = 0; m->transitions[k].code && n < GEN_STEPS_MAX; k++) {
        const struct transition_def *t = &m->transitions[k];
        if (gen_stay_ok(m, t, state, pending) && (!need || t->needs != NULL))
            cand[n++] = t;
    }
    return n ? cand[gen_rng_below(&g->r, n)] : NULL;
}

/* The next state change from s: forward (0), a detour (1), a step back
 * (2); NULL when there is none of that kind. */
static const struct transition_def *gen_pick_move(struct gen *g,
                                                  const struct module_def *m,
                                                  int s, const int *dist,
                                                  int kind)
{
    const struct transition_def *cand[GEN_STEPS_MAX];
    int n = 0;
    for (int k = 0; m->transitions[k].code && n < GEN_STEPS_MAX; k++) {
        const struct transition_def *t = &m->transitions[k];
        int to = t->to ? gen_state_index(m, t->to) : -1;
        int ok;
        if (to < 0 || to == s || t->needs != NULL || gen_hook_mode(m, t) < 0 ||
            !module_in_list(t->from, m->states[s].code) ||
            dist[to] >= GEN_UNREACHABLE)
            continue;
        ok = kind == 0   ? dist[to] == dist[s] - 1
             : kind == 1 ? dist[to] == dist[s]
                         : dist[to] > dist[s];
        if (ok)
            cand[n++] = t;
    }
    return n ? cand[gen_rng_below(&g->r, n)] : NULL;
}

/* Plans the steps from the initial state to target; the number of steps,
 * or -1 when target cannot be reached. */
static int gen_plan(struct gen *g, const struct module_def *m, int target,
                    struct gen_step *steps)
{
    int dist[GEN_STATES_MAX], s = gen_state_index(m, module_initial(m)->code);
    int n = 0, backs = gen_rng_pct(&g->r, 15), detours = gen_rng_pct(&g->r, 30);
    int want = gen_rng_range(&g->r, GEN_TIMELINE_MIN, GEN_TIMELINE_MAX) - 1;
    const char *pending = NULL;
    const char *after[GEN_STEPS_MAX + 1]; /* the state after each step */

    gen_dist(m, target, dist);
    if (dist[s] >= GEN_UNREACHABLE)
        return -1;
    after[0] = m->states[s].code;
    for (int guard = 0; s != target && guard < 40 && n < GEN_STEPS_MAX / 2;
         guard++) {
        const struct transition_def *t = NULL;
        if (pending != NULL)
            t = gen_pick_stay(g, m, m->states[s].code, pending, 1);
        else if (gen_rng_pct(&g->r, 20))
            t = gen_pick_stay(g, m, m->states[s].code, NULL, 0);
        if (t != NULL) {
            pending = t->needs ? NULL : t->opens ? t->opens : pending;
            steps[n++].t = t;
            after[n] = m->states[s].code;
            continue;
        }
        if (pending != NULL)
            return -1; /* a request nobody can answer: give up this plan */
        if (backs && gen_rng_pct(&g->r, 25) &&
            (t = gen_pick_move(g, m, s, dist, 2)) != NULL)
            backs = 0;
        else if (detours && gen_rng_pct(&g->r, 50) &&
                 (t = gen_pick_move(g, m, s, dist, 1)) != NULL)
            detours = 0;
        else
            t = gen_pick_move(g, m, s, dist, 0);
        if (t == NULL)
            return -1;
        steps[n++].t = t;
        s = gen_state_index(m, t->to);
        after[n] = m->states[s].code;
    }
    if (s != target)
        return -1;
    /* stays in the final state and comments, up to the timeline's length */
    while (n + 1 < want && n < GEN_STEPS_MAX - 1) {
        const struct transition_def *t =
            gen_rng_pct(&g->r, 50)
                ? gen_pick_stay(g, m, m->states[s].code, pending, 0)
                : NULL;
        if (t != NULL && !(t->opens && gen_rng_pct(&g->r, 50))) {
            pending = t->needs ? NULL : t->opens ? t->opens : pending;
            steps[n++].t = t;
            after[n] = m->states[s].code;
            continue;
        }
        /* a comment somewhere the case was not archived */
        int at = gen_rng_below(&g->r, n + 1);
        if (module_state(m, after[at])->flags & STATE_ARCHIVED)
            at = 0;
        memmove(&steps[at + 1], &steps[at], sizeof(*steps) * (size_t)(n - at));
        memmove(&after[at + 1], &after[at],
                sizeof(*after) * (size_t)(n - at + 1));
        steps[at].t = NULL;
        n++;
    }
    return n;
}

/* Instants for the steps, increasing, between created and end. */
static void gen_times(struct gen *g, struct gen_step *steps, int n,
                      int64_t created, int64_t end)
{
    int64_t w[GEN_STEPS_MAX], total = 0, span = end - created, at = created;
    int64_t quick = 0;
    for (int i = 0; i < n; i++) {
        /* a transition bound to a running clock (退回交办 within the
         * sign-for day) comes soon after the one before */
        w[i] =
            steps[i].t && steps[i].t->within ? 0 : gen_rng_range(&g->r, 1, 100);
        quick += w[i] == 0 ? GEN_HOUR_MS : 0;
        total += w[i];
    }
    span -= quick;
    if (span < n)
        span = n;
    for (int i = 0; i < n; i++) {
        int64_t gap = w[i] == 0 ? gen_rng_range(&g->r, 10, 50) * GEN_MIN_MS
                                : (total > 0 ? span * w[i] / total : 1);
        at += gap > 0 ? gap : 1;
        steps[i].at = at;
    }
}

/* ---- replay ---- */

static void gen_display(struct gen *g, const struct field_def *f,
                        const json_t *v, struct buf *out);

/* Runs the module's own rules (run_apply 0: check and validate; a refusal
 * is counted, the generator made something the engine would refuse) or
 * its effect (run_apply 1: t->apply) on the case, as case_fire does. */
static void gen_hooks(struct gen *g, struct gen_case *c,
                      const struct transition_def *t,
                      const struct state_def *to, const struct actor *who,
                      const char *comment, json_t *before, int64_t at,
                      int run_apply)
{
    struct case_ctx ctx;
    struct err e;
    memset(&ctx, 0, sizeof(ctx));
    err_clear(&e);
    ctx.db = g->db;
    ctx.a = g->batch;
    ctx.who = who;
    ctx.m = c->m;
    ctx.t = t;
    ctx.id = c->id;
    ctx.parent_id = c->parent_id;
    ctx.from = c->state;
    ctx.to = to;
    ctx.number = c->number ? c->number : "";
    ctx.comment = comment;
    ctx.now = at;
    ctx.fields = c->fields;
    ctx.before = before;
    if (!run_apply && ((t && t->check && t->check(&ctx, &e) != 0) ||
                       (c->m->validate && c->m->validate(&ctx, &e) != 0))) {
        if (g->violations++ == 0)
            snprintf(g->violation, sizeof(g->violation), "%s %s: %s",
                     c->m->code, t ? t->code : "create",
                     e.message ? e.message : "");
        err_clear(&e);
    }
    if (run_apply && t && t->apply && t->apply(&ctx, &e) != 0) {
        if (g->violations++ == 0)
            snprintf(g->violation, sizeof(g->violation), "%s %s apply: %s",
                     c->m->code, t->code, e.message ? e.message : "");
    }
}

/* The age-driven choice of a target state: open (1) or closed (0). */
static int gen_pick_target(struct gen *g, const struct module_def *m, int open)
{
    int cand[GEN_STATES_MAX],
        n = 0, init = gen_state_index(m, module_initial(m)->code);
    for (int i = 0; m->states[i].code && n < GEN_STATES_MAX; i++) {
        int closed =
            (m->states[i].flags & (STATE_CLOSED | STATE_ARCHIVED)) != 0;
        int dist[GEN_STATES_MAX];
        if (closed == open)
            continue;
        gen_dist(m, i, dist);
        if (dist[init] < GEN_UNREACHABLE)
            cand[n++] = i;
    }
    return n ? cand[gen_rng_below(&g->r, n)] : init;
}

static int gen_deliver(struct gen *g, struct gen_case *c, int64_t at,
                       const char *by_name);

/* Fires one step on c (see case_fire); returns cases made on the way
 * (deliveries) or -1. */
static int gen_fire(struct gen *g, struct gen_case *c,
                    const struct gen_step *sp)
{
    const struct transition_def *t = sp->t;
    const struct state_def *to;
    json_t *before;
    struct actor who;
    struct buf comment;
    const char *kind;
    int64_t at = sp->at;
    int made = 0, mode = gen_hook_mode(c->m, t);

    buf_init(&comment, 0);
    before = json_deep_copy(c->fields);
    gen_fill_transition(g, c, t, at);
    if (t->comment == 2 ||
        (t->comment == 1 && gen_rng_pct(&g->r, t->opinion ? 80 : 40)))
        gen_text_opinion(&g->r, t->opinion ? t->opinion : t->label,
                         (t->flags & TR_DANGER) != 0, &comment);
    to = t->to ? module_state(c->m, t->to) : c->state;
    gen_fill_required(g, c, to, at);
    gen_parties(g, c);
    kind = t->opinion != NULL || (t->flags & TR_OPINION) ? "opinion"
                                                         : "transition";

    if (t->all_rel) {
        /* every member fires once; only the last moves the case */
        int members = 0;
        for (int i = 0; i < c->npt; i++)
            members += gen_rel_bit(c->pt[i].rel) == t->all_rel;
        for (int i = 0, k = 0; i < c->npt; i++) {
            struct gen_user *u;
            if (gen_rel_bit(c->pt[i].rel) != t->all_rel || ++k == members)
                continue;
            u = c->pt[i].user_id ? gen_user_by_id(g, c->pt[i].user_id)
                                 : gen_pick_user(g, c->pt[i].unit_id, t->roles);
            gen_actor_of(g, u, &who);
            gen_timeline(g, c, at - (members - k) * GEN_MIN_MS, &who,
                         gen_role_label(g, u, t->roles), kind, t->code,
                         c->state->code, c->state->code,
                         comment.len ? comment.ptr : NULL, NULL);
        }
    }
    struct gen_user *actor = gen_actor_for(g, c, t);
    gen_actor_of(g, actor, &who);
    gen_hooks(g, c, t, to, &who, comment.len ? comment.ptr : NULL, before, at,
              0);

    if (t->needs)
        c->pending = NULL;
    if (t->opens)
        c->pending = t->opens;
    gen_clock_follow(g, c, before);
    if ((t->flags & TR_NUMBER) && (c->number == NULL || !c->number[0]) &&
        gen_number_case(g, c, &who, at) != 0)
        goto fail;
    gen_clock_effects(g, c, t->clocks, t->extend_field, who.login,
                      comment.len ? arena_strdup(g->batch, comment.ptr) : "",
                      at);
    if ((to->flags & STATE_CLOSED) && c->closed == 0) {
        c->closed = at;
        for (int i = 0; i < c->nck; i++)
            if (c->ck[i].stop == 0) {
                gen_pause_close(&c->ck[i], at);
                c->ck[i].stop = at;
            }
    }
    if (!(to->flags & (STATE_CLOSED | STATE_ARCHIVED)))
        c->closed = 0;
    if (mode == 0)
        gen_hooks(g, c, t, to, &who, comment.len ? comment.ptr : NULL, before,
                  at, 1);
    else if (mode == 1 && (made = gen_deliver(g, c, at, who.name)) < 0)
        goto fail;
    gen_timeline(g, c, at, &who, gen_role_label(g, actor, t->roles), kind,
                 t->code, c->state->code, to->code,
                 comment.len ? comment.ptr : NULL, NULL);
    c->state = to;
    c->updated = at;
    json_decref(before);
    buf_free(&comment);
    return made;
fail:
    json_decref(before);
    buf_free(&comment);
    return -1;
}

/* A comment (case_comment) by someone of the case. */
static void gen_comment(struct gen *g, struct gen_case *c, int64_t at)
{
    const struct gen_user *u = NULL;
    struct actor who;
    struct buf b;
    if (c->npt > 0) {
        const struct gen_party *p = &c->pt[gen_rng_below(&g->r, c->npt)];
        u = p->user_id ? gen_user_by_id(g, p->user_id)
                       : gen_pick_user(g, p->unit_id, NULL);
    }
    if (u == NULL)
        u = c->creator;
    gen_actor_of(g, u, &who);
    buf_init(&b, 0);
    gen_text_opinion(&g->r, NULL, 0, &b);
    gen_timeline(g, c, at, &who, gen_role_label(g, u, NULL), "comment", NULL,
                 NULL, NULL, b.ptr, NULL);
    buf_free(&b);
    c->updated = at;
}

/* ---- finishing: the rows of one case ---- */

static void gen_display(struct gen *g, const struct field_def *f,
                        const json_t *v, struct buf *out)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (i > 0)
                buf_puts(out, "、");
            gen_display(g, f, x, out);
        }
        return;
    }
    if (json_is_integer(v)) {
        buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return;
    }
    const char *s = gen_text_of(v);
    if (s == NULL)
        return;
    switch (f->type) {
    case FIELD_CHOICE:
    case FIELD_MULTI:
        for (int i = 0; f->choices && f->choices[i].code; i++)
            if (strcmp(f->choices[i].code, s) == 0) {
                s = f->choices[i].label;
                break;
            }
        break;
    case FIELD_UNIT:
    case FIELD_UNITS: {
        struct gen_unit *u = gen_unit_by_code(g, s);
        s = u ? u->name : s;
        break;
    }
    case FIELD_PERSON:
    case FIELD_PERSONS: {
        struct gen_user *u = gen_user_by_login(g, s);
        s = u ? u->name : s;
        break;
    }
    case FIELD_DATETIME: {
        int64_t ms;
        char minute[17];
        if (iso_parse_ms(s, &ms) == 0) {
            ms_fmt_minute(ms, minute);
            buf_puts(out, minute);
            return;
        }
        break;
    }
    default:
        break;
    }
    buf_puts(out, s);
}

/* search.c's document: the number, then title and searchable fields. */
static void gen_search_row(struct gen *g, struct gen_case *c)
{
    struct buf text, tokens;
    buf_init(&text, 0);
    buf_init(&tokens, 0);
    if (c->number && c->number[0]) {
        buf_puts(&text, c->number);
        buf_putc(&text, '\n');
    }
    for (int i = 0; c->m->fields[i].code; i++) {
        const struct field_def *f = &c->m->fields[i];
        json_t *v = json_object_get(c->fields, f->code);
        if ((f->role != FIELD_IS_TITLE && !(f->flags & FIELD_SEARCH)) ||
            gen_field_empty(c, f->code))
            continue;
        gen_display(g, f, v, &text);
        buf_putc(&text, '\n');
    }
    tokenize_document(&tokens, text.ptr);
    gen_int(&g->search, c->id);
    gen_text(&g->search, c->m->code);
    gen_text(&g->search, arena_strndup(g->batch, text.ptr, text.len));
    gen_text(&g->search, arena_strndup(g->batch, tokens.ptr, tokens.len));
    buf_free(&text);
    buf_free(&tokens);
}

/* case_waits_add for (rel, roles, pending). */
static void gen_waits_add(struct gen *g, struct gen_case *c, int rel,
                          const char *roles, const char *pending)
{
    const char *list = roles ? roles : "*";
    if (rel == 0 && roles == NULL)
        return;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *role = arena_strndup(g->batch, p, len);
        if (rel == 0) {
            gen_int(&g->waits, c->id);
            gen_int(&g->waits, 0);
            gen_int(&g->waits, 0);
            gen_text(&g->waits, role);
            gen_text(&g->waits, pending);
        }
        for (int r = 0; rel != 0 && r < GEN_NRELS; r++) {
            if (!(rel & gen_rels[r].bit))
                continue;
            for (int i = 0; i < c->npt; i++)
                if (strcmp(c->pt[i].rel, gen_rels[r].code) == 0) {
                    gen_int(&g->waits, c->id);
                    gen_int(&g->waits, c->pt[i].unit_id);
                    gen_int(&g->waits, c->pt[i].user_id);
                    gen_text(&g->waits, role);
                    gen_text(&g->waits, pending);
                }
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
}

static void gen_clock_rows(struct gen *g, struct gen_case *c)
{
    for (int i = 0; i < c->nck; i++) {
        struct gen_clock *k = &c->ck[i];
        struct clock_state cs;
        int64_t due = gen_clock_eval(g, k, g->now, &cs) == 0 ? cs.due_ms : 0;
        gen_int(&g->clocks, k->id);
        gen_int(&g->clocks, c->id);
        gen_text(&g->clocks, k->d->code);
        gen_int(&g->clocks, k->main);
        gen_int(&g->clocks, k->d->warn_only != 0);
        gen_int(&g->clocks, k->start);
        gen_int(&g->clocks, k->d->unit);
        gen_int(&g->clocks, k->length);
        gen_text(&g->clocks, arena_strdup(g->batch, k->deadline));
        gen_int(&g->clocks, k->d->warn);
        gen_int(&g->clocks, k->d->warn_value);
        gen_int(&g->clocks, k->stop);
        gen_int(&g->clocks, due);
        for (int p = 0; p < k->np; p++) {
            gen_int(&g->pauses, k->id);
            gen_int(&g->pauses, k->p[p].from);
            gen_int(&g->pauses, k->p[p].to);
            gen_int(&g->pauses, k->p[p].absorbed);
        }
        for (int x = 0; x < k->nx; x++) {
            gen_int(&g->exts, k->id);
            gen_int(&g->exts, k->x[x].length);
            gen_text(&g->exts, arena_strdup(g->batch, k->x[x].deadline));
            gen_int(&g->exts, k->x[x].at);
            gen_text(&g->exts,
                     arena_strdup(g->batch, k->x[x].by ? k->x[x].by : ""));
            gen_text(&g->exts, arena_strdup(g->batch, k->x[x].why));
            gen_int(&g->exts, k->x[x].absorbed);
        }
    }
}

static int64_t gen_field_unit_id(struct gen *g, struct gen_case *c,
                                 enum field_role role)
{
    for (int i = 0; c->m->fields[i].code; i++)
        if (c->m->fields[i].role == role) {
            const char *code = gen_field_text(c, c->m->fields[i].code);
            if (code == NULL)
                return 0;
            if (c->m->fields[i].type == FIELD_PERSON) {
                struct gen_user *u = gen_user_by_login(g, code);
                return u ? u->id : 0;
            }
            struct gen_unit *u = gen_unit_by_code(g, code);
            return u ? u->id : 0;
        }
    return 0;
}

/* An attachment now and then: the first use of each blob goes through
 * files_put (bytes on disk, row, audit), later ones share the blob. */
static int gen_attach(struct gen *g, struct gen_case *c)
{
    struct gen_blob *b;
    if (!gen_rng_pct(&g->r, g->attach_pct))
        return 0;
    b = &g->blobs[gen_rng_below(&g->r, GEN_BLOBS)];
    if (!b->stored) {
        struct gen_rng r;
        struct buf text;
        struct err e;
        int64_t id = 0;
        int rc;
        gen_rng_seed(&r, g->seed + (uint64_t)(b - g->blobs) + 1);
        buf_init(&text, 0);
        gen_text_body(&r, GEN_BODY_MIN, GEN_BODY_MAX, &text);
        err_clear(&e);
        digest_sha256_hex(text.ptr, text.len, b->sha);
        b->size = (int64_t)text.len;
        rc = files_put(g->db, g->data_dir, &g->cli, c->id, b->name,
                       "text/plain", text.ptr, text.len, &id, &e);
        buf_free(&text);
        if (rc != 0) {
            fprintf(stderr, "shuniu gen: 无法保存附件：%s\n",
                    e.message ? e.message : "");
            return -1;
        }
        b->stored = 1;
        return 0;
    }
    gen_text(&g->files, b->sha);
    gen_int(&g->files, b->size);
    gen_text(&g->files, b->name);
    gen_text(&g->files, "text/plain");
    gen_int(&g->files, c->id);
    gen_int(&g->files, c->creator ? c->creator->id : 0);
    gen_int(&g->files, c->created + GEN_HOUR_MS);
    return 0;
}

/* 1 when person u sees case c of 密级 level (CASE_VISIBLE_Q). */
static int gen_focus_sees(const struct gen *g, const struct gen_case *c,
                          const struct gen_user *u, int level)
{
    if (level > u->clearance)
        return 0;
    for (int i = 0; level > 0 && i < c->npt; i++) {
        const struct gen_party *p = &c->pt[i];
        const struct gen_user *b = NULL;
        for (int k = 0; p->user_id != 0 && k < g->nusers && b == NULL; k++)
            if (g->users[k].id == p->user_id)
                b = &g->users[k];
        if ((p->unit_id != 0 && p->unit_id == u->unit_id) ||
            (b != NULL && (b->id == u->id || b->backup_id == u->id)))
            return 1;
    }
    return level == 0;
}

/* Counts the to-dos of the demo people that the wait rows of c written
 * from value `from` of g->waits give (CASE_WAITING_Q). */
static void gen_focus_count(struct gen *g, const struct gen_case *c,
                            size_t from, int level)
{
    const struct gen_val *v = g->waits.v;
    for (int i = 0; i < g->nfocus; i++) {
        const struct gen_user *u = g->focus[i].u;
        int waits = 0;
        for (size_t k = from; k + 5 <= g->waits.n && !waits; k += 5) {
            int64_t unit = v[k + 1].i, user = v[k + 2].i;
            const char *role = v[k + 3].t;
            const struct gen_user *w = NULL;
            for (int n = 0; user != 0 && n < g->nusers && w == NULL; n++)
                if (g->users[n].id == user)
                    w = &g->users[n];
            if (strcmp(role, "*") != 0 && !gen_user_holds(u, role))
                continue;
            waits = (user == 0 && (unit == 0 || unit == u->unit_id)) ||
                    (w != NULL && (w->id == u->id || w->backup_id == u->id));
        }
        if (waits && gen_focus_sees(g, c, u, level))
            g->focus[i].todo++;
    }
}

/* The cases row and everything hanging off it. */
static int gen_push(struct gen *g, struct gen_case *c)
{
    const struct state_def *s = c->state;
    json_t *sec = NULL, *prog = NULL;
    char *data;
    struct gen_tally *tl = NULL;

    for (int i = 0; c->m->fields[i].code; i++) {
        if (c->m->fields[i].role == FIELD_IS_SECRECY)
            sec = json_object_get(c->fields, c->m->fields[i].code);
        if (c->m->fields[i].role == FIELD_IS_PROGRESS)
            prog = json_object_get(c->fields, c->m->fields[i].code);
    }
    c->progress = json_is_integer(prog) ? (int)json_integer_value(prog) : 0;
    gen_parties(g, c);
    data = json_text(c->fields, JSON_COMPACT | JSON_SORT_KEYS);
    gen_int(&g->cases, c->id);
    gen_text(&g->cases, c->m->code);
    gen_text(&g->cases, c->number ? c->number : "");
    gen_int(&g->cases, c->number_year);
    gen_int(&g->cases, c->number_n);
    gen_text(&g->cases, arena_strdup(g->batch, gen_field_text(c, "title")
                                                   ? gen_field_text(c, "title")
                                                   : ""));
    gen_text(&g->cases, s->code);
    gen_int(&g->cases, gen_text_of(sec)       ? atoi(gen_text_of(sec))
                       : json_is_integer(sec) ? json_integer_value(sec)
                                              : 0);
    gen_id(&g->cases, c->owner_unit_id);
    gen_id(&g->cases, c->creator ? c->creator->id : 0);
    gen_id(&g->cases, gen_field_unit_id(g, c, FIELD_IS_LEAD_UNIT));
    gen_id(&g->cases, gen_field_unit_id(g, c, FIELD_IS_HANDLER));
    gen_id(&g->cases, c->parent_id);
    gen_int(&g->cases, c->progress);
    gen_text(&g->cases, c->pending);
    gen_int(&g->cases, c->due);
    if (c->has_due)
        gen_int(&g->cases, c->ldue);
    else
        gen_text(&g->cases, NULL);
    if (c->has_yellow)
        gen_int(&g->cases, c->lyellow);
    else
        gen_text(&g->cases, NULL);
    gen_int(&g->cases, c->floor);
    gen_int(&g->cases, c->light);
    gen_int(&g->cases, c->created);
    gen_int(&g->cases, c->updated);
    gen_int(&g->cases, c->closed);
    gen_text(&g->cases, arena_strdup(g->batch, data ? data : "{}"));
    free(data);

    for (int i = 0; i < c->npt; i++) {
        gen_int(&g->parties, c->id);
        gen_text(&g->parties, c->pt[i].rel);
        gen_int(&g->parties, c->pt[i].unit_id);
        gen_int(&g->parties, c->pt[i].user_id);
    }
    size_t waits_from = g->waits.n;
    if (!(s->flags & (STATE_CLOSED | STATE_ARCHIVED))) {
        gen_waits_add(g, c, s->wait_rel, s->wait_roles, "");
        for (int i = 0; c->pending && c->m->pendings && c->m->pendings[i].code;
             i++)
            if (strcmp(c->m->pendings[i].code, c->pending) == 0)
                gen_waits_add(g, c, c->m->pendings[i].wait_rel,
                              c->m->pendings[i].wait_roles, c->pending);
    }
    if (c->closed == 0)
        gen_focus_count(g, c, waits_from,
                        gen_text_of(sec) ? atoi(gen_text_of(sec)) : 0);
    gen_clock_rows(g, c);
    gen_search_row(g, c);
    for (int i = 0; i < g->ntally && tl == NULL; i++)
        if (g->tally[i].m == c->m)
            tl = &g->tally[i];
    if (tl == NULL &&
        g->ntally < (int)(sizeof(g->tally) / sizeof(g->tally[0]))) {
        tl = &g->tally[g->ntally++];
        tl->m = c->m;
    }
    if (tl) {
        tl->cases++;
        tl->open += c->closed == 0;
    }
    json_decref(c->fields);
    c->fields = NULL;
    return gen_attach(g, c);
}

/* ---- one case (and what it brings: children, deliveries) ---- */

/* The instant of the first step entering a closed state, 0 for none. */
static int64_t gen_close_time(const struct module_def *m,
                              const struct gen_step *steps, int n)
{
    for (int i = 0; i < n; i++)
        if (steps[i].t && steps[i].t->to &&
            (module_state(m, steps[i].t->to)->flags & STATE_CLOSED))
            return steps[i].at;
    return 0;
}

/* 1 when a transition of m is emulated (核发 creates more cases). */
static int gen_delivers(const struct module_def *m)
{
    for (int i = 0; m->transitions[i].code; i++)
        if (gen_hook_mode(m, &m->transitions[i]) == 1)
            return 1;
    return 0;
}

/* Open or done, by age: most recent cases are open, most old ones done
 * (--open fixes the share instead). */
static int gen_open_by_age(struct gen *g, int64_t created)
{
    int64_t age = g->now - created;
    if (g->open_pct >= 0)
        return gen_rng_pct(&g->r, g->open_pct);
    if (age < 30 * GEN_DAY_MS)
        return gen_rng_pct(&g->r, 70);
    if (age < 90 * GEN_DAY_MS)
        return gen_rng_pct(&g->r, 30);
    return gen_rng_pct(&g->r, 8);
}

/* The last instant of a case's history: a closed one was done within two
 * months, an open one was last touched in the last fortnight. */
static int64_t gen_window_end(struct gen *g, int64_t created, int open)
{
    int64_t end = open ? g->now - GEN_HOUR_MS * gen_rng_range(&g->r, 1, 14 * 24)
                       : created + GEN_DAY_MS * gen_rng_range(&g->r, 3, 60);
    if (end > g->now - GEN_MIN_MS)
        end = g->now - GEN_MIN_MS;
    if (end < created + GEN_HOUR_MS)
        end = created + GEN_HOUR_MS < g->now ? created + GEN_HOUR_MS : g->now;
    return end;
}

static struct gen_user *gen_pick_creator(struct gen *g,
                                         const struct module_def *m)
{
    const struct gen_module_rule *mr = gen_module_rule(m);
    struct gen_unit *pref = mr ? gen_unit_by_code(g, mr->creator_unit) : NULL;
    const struct gen_user *f = gen_focus_pick(g, m->create_roles, 0);
    struct gen_user *u = f ? gen_user_by_id(g, f->id) : NULL;
    if (u && mr && mr->creator_unit_needs_leader &&
        gen_pick_user(g, u->unit_id, "leader") == NULL)
        u = NULL;
    /* an open case of a unit whose demo clerk has the quota goes to
     * another unit (the office has more than two clerks) */
    if (u == NULL && pref && gen_rng_pct(&g->r, 70) &&
        !gen_focus_full(g, pref->id, 0, m->create_roles))
        u = gen_pick_user(g, pref->id, m->create_roles);
    for (int tries = 0; u == NULL && tries < 16; tries++) {
        u = gen_pick_user(g, 0, m->create_roles);
        if (u && tries < GEN_AVOID_TRIES &&
            gen_focus_full(g, u->unit_id, 0, m->create_roles))
            u = NULL;
        else if (u && mr && mr->creator_unit_needs_leader &&
                 gen_pick_user(g, u->unit_id, "leader") == NULL && tries < 15)
            u = NULL;
    }
    return u;
}

/* 1 when module m has a field of role. */
static int gen_has_role(const struct module_def *m, enum field_role role)
{
    for (int i = 0; m->fields[i].code; i++)
        if (m->fields[i].role == role)
            return 1;
    return 0;
}

/* 1 when the office has people of every kind the modules wait for
 * (clerks, leaders, staff) cleared for level. */
static int gen_level_staffed(struct gen *g, int level)
{
    static const char *const kinds[] = {"clerk", "leader", "staff,leader"};
    int saved = g->level, ok = 1;
    g->level = level;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        ok &= gen_pool(g, kinds[i])->n > 0;
    g->level = saved;
    return ok;
}

/* The 密级 of a new root case of m: GEN_SECRET_PCT of them classified. */
static int gen_secrecy_pick(struct gen *g, const struct module_def *m)
{
    int k, level;
    if (!gen_has_role(m, FIELD_IS_SECRECY) ||
        !gen_rng_pct(&g->r, GEN_SECRET_PCT))
        return 0;
    k = gen_rng_below(&g->r, 100);
    level = k < GEN_SECRET_1_PCT                      ? 1
            : k < GEN_SECRET_1_PCT + GEN_SECRET_2_PCT ? 2
                                                      : GEN_SECRECY_MAX;
    while (level > 0 && !gen_level_staffed(g, level))
        level--;
    return level;
}

/* 1 when state s of c would wait for a demo person who has the quota
 * through the case's own unit or its creator (known before the plan). */
static int gen_target_full(struct gen *g, const struct gen_case *c,
                           const struct state_def *s)
{
    return ((s->wait_rel & REL_SAME_UNIT) && c->owner_unit_id > 0 &&
            gen_focus_full(g, c->owner_unit_id, 0, s->wait_roles)) ||
           ((s->wait_rel & REL_CREATOR) && c->creator != NULL &&
            gen_focus_full(g, 0, c->creator->id, s->wait_roles));
}

static int gen_case_make_one(struct gen *g, const struct module_def *m,
                             int64_t created, int64_t end, int open,
                             struct gen_case *parent, struct gen_case *c,
                             const struct gen_case *from_doc)
{
    struct gen_step steps[GEN_STEPS_MAX];
    struct gen_case kids[GEN_CHILDREN_MAX];
    struct actor who;
    int n = -1, made = 1, nkids = 0, target = 0;
    int64_t budget = g->target - g->made - 1;

    memset(c, 0, sizeof(*c));
    /* one matter and one 密级 for a case, its children and deliveries */
    c->topic = parent     ? parent->topic
               : from_doc ? from_doc->topic
                          : gen_rng_below(&g->r, gen_text_topics());
    c->level = parent     ? parent->level
               : from_doc ? from_doc->level
                          : gen_secrecy_pick(g, m);
    g->level = c->level;
    g->steer = open;
    gen_text_context(&g->r, c->topic,
                     strcmp(m->code, "supervision") == 0
                         ? GEN_DOMAIN_SUPERVISION
                     : strncmp(m->code, "doc_", 4) == 0 ? GEN_DOMAIN_DOCUMENT
                                                        : GEN_DOMAIN_NONE);
    c->m = m;
    c->id = g->next_case++;

    c->parent_id = parent ? parent->id : 0;
    c->fields = json_object();
    c->state = module_initial(m);
    c->created = c->updated = created;
    c->creator = from_doc ? NULL : gen_pick_creator(g, m);
    c->owner_unit_id = c->creator ? c->creator->unit_id : 0;
    if (from_doc != NULL)
        c->owner_unit_id = from_doc->owner_unit_id; /* set by gen_deliver */
    for (int tries = 0; n < 0 && tries < 8; tries++) {
        target = gen_pick_target(g, m, tries < 4 ? open : 1);
        if (open && tries < 3 && gen_target_full(g, c, &m->states[target]))
            continue;
        /* 核发 brings up to GEN_RECIPIENTS_MAX more cases */
        if (budget < GEN_RECIPIENTS_MAX && gen_delivers(m) &&
            (m->states[target].flags & STATE_CLOSED))
            continue;
        n = gen_plan(g, m, target, steps);
    }
    if (n < 0)
        n = 0; /* stays in its initial state */
    gen_times(g, steps, n, created, end);

    /* registration (case_create): a delivery starts from what 核发 gave */
    if (from_doc)
        json_object_update(c->fields, from_doc->fields);
    gen_fill_create(g, c, created);
    gen_parties(g, c);
    gen_actor_of(g, c->creator, &who);
    if (c->creator == NULL)
        actor_system(&who);
    gen_hooks(g, c, NULL, c->state, &who, NULL, NULL, created, 0);
    int late = 0;
    for (int i = 0; m->transitions[i].code; i++)
        late |= (m->transitions[i].flags & TR_NUMBER) != 0;
    if (!late && gen_number_case(g, c, &who, created) != 0)
        return -1;
    gen_clock_effects(g, c, m->create_clocks, NULL, who.login, "", created);
    gen_timeline(g, c, created, &who,
                 gen_role_label(g, c->creator, m->create_roles), "create", "",
                 "", c->state->code, from_doc ? from_doc->note : NULL, NULL);

    /* a parent item split to units: its children, while it is open */
    if (parent == NULL && m->child_module &&
        strcmp(m->child_module, m->code) == 0 && budget >= 2 &&
        gen_rng_pct(&g->r, 5)) {
        int64_t close = gen_close_time(m, steps, n),
                kid_end = close ? close - GEN_HOUR_MS : end;
        int want = gen_rng_range(&g->r, 2, GEN_CHILDREN_MAX);
        if (want > budget)
            want = (int)budget;
        for (int i = 0; i < want && kid_end > created + 2 * GEN_HOUR_MS; i++) {
            int64_t at = created + GEN_HOUR_MS * gen_rng_range(&g->r, 1, 48);
            int k;
            if (at >= kid_end)
                at = created + GEN_HOUR_MS;
            k = gen_case_make(g, m, at, kid_end, close ? 0 : open, c,
                              &kids[nkids], NULL);
            if (k < 0)
                return -1;
            nkids++;
            made += k;
        }
    }
    for (int i = 0; i < n; i++) {
        int k;
        if (steps[i].t == NULL) {
            gen_comment(g, c, steps[i].at);
            continue;
        }
        k = gen_fire(g, c, &steps[i]);
        if (k < 0)
            return -1;
        made += k;
    }
    gen_lights(g, c);
    if (nkids > 0) {
        int64_t sum = 0;
        const struct field_def *pf = NULL;
        for (int i = 0; i < nkids; i++) {
            sum += kids[i].closed ? 100 : kids[i].progress;
            if (c->closed == 0 && kids[i].closed == 0) {
                if (kids[i].has_due)
                    gen_min(&c->ldue, &c->has_due, kids[i].ldue);
                if (kids[i].has_yellow)
                    gen_min(&c->lyellow, &c->has_yellow, kids[i].lyellow);
                if (kids[i].floor > c->floor)
                    c->floor = kids[i].floor;
            }
        }
        for (int i = 0; m->fields[i].code && pf == NULL; i++)
            if (m->fields[i].role == FIELD_IS_PROGRESS)
                pf = &m->fields[i];
        if (pf)
            json_object_set_new(c->fields, pf->code, json_integer(sum / nkids));
    }
    c->light = gen_light_now(g, c);
    if (parent == NULL) {
        if (gen_push(g, c) != 0)
            return -1;
        for (int i = 0; i < nkids; i++)
            if (gen_push(g, &kids[i]) != 0)
                return -1;
    } else {
        /* the parent pushes it after itself (parent_id references it) */
        json_t *prog = NULL;
        for (int i = 0; m->fields[i].code; i++)
            if (m->fields[i].role == FIELD_IS_PROGRESS)
                prog = json_object_get(c->fields, m->fields[i].code);
        c->progress = json_is_integer(prog) ? (int)json_integer_value(prog) : 0;
    }
    return made;
}

/* gen_case_make_one, keeping the context (text, 密级, steering) of the
 * case that called it (a parent, a document delivering). */
static int gen_case_make(struct gen *g, const struct module_def *m,
                         int64_t created, int64_t end, int open,
                         struct gen_case *parent, struct gen_case *c,
                         const struct gen_case *from_doc)
{
    int topic = g->r.topic, domain = g->r.domain;
    int level = g->level, steer = g->steer;
    int rc = gen_case_make_one(g, m, created, end, open, parent, c, from_doc);
    gen_text_context(&g->r, topic, (enum gen_domain)domain);
    g->level = level;
    g->steer = steer;
    return rc;
}

/* doc_out's 核发 (doc_out_deliver): one incoming document per 主送 and 抄送
 * unit, registered by the system in that unit's name and linked
 * "exchange" to the document.  Returns the cases made. */
static int gen_deliver(struct gen *g, struct gen_case *c, int64_t at,
                       const char *by_name)
{
    const struct module_def *in = module_find("doc_in");
    const char *lists[2] = {"main_to", "copy_to"};
    const char *done[GEN_RECIPIENTS_MAX * 2];
    struct gen_unit *issuer = gen_unit_by_code(g, gen_field_text(c, "issuer"));
    int ndone = 0, made = 0;
    struct actor sys;

    (void)by_name;
    if (in == NULL || issuer == NULL)
        return 0;
    actor_system(&sys);
    for (int l = 0; l < 2; l++) {
        json_t *v = json_object_get(c->fields, lists[l]), *x;
        size_t k;
        json_array_foreach(v, k, x)
        {
            const char *code = json_string_value(x);
            struct gen_unit *to = gen_unit_by_code(g, code);
            struct gen_case d, src;
            int dup = 0, rc;
            char detail[128];
            const char *urg = gen_field_text(c, "urgency");
            const char *d_title =
                arena_strdup(g->batch, gen_field_text(c, "title"));
            int open_d = gen_open_by_age(g, at), steer = g->steer;
            for (int i = 0; i < ndone; i++)
                dup |= strcmp(done[i], code) == 0;
            if (dup || to == NULL || ndone == GEN_RECIPIENTS_MAX * 2 ||
                g->made + made + 1 >= g->target)
                continue;
            done[ndone++] = code;
            /* the receiving unit's demo clerk has the quota: signed for */
            g->steer = 1;
            if (open_d && gen_focus_full(g, to->id, 0, "clerk,staff"))
                open_d = 0;
            g->steer = steer;
            /* what doc_out_deliver_one hands to case_create */
            memset(&src, 0, sizeof(src));
            src.fields = json_object();
            src.owner_unit_id = to->id;
            src.topic = c->topic;
            src.level = c->level;
            src.note = arena_printf(g->batch, "%s核发，待签收", issuer->name);
            json_object_set_new(src.fields, "title",
                                json_string(gen_field_text(c, "title")));
            json_object_set_new(src.fields, "doc_number",
                                json_string(c->number));
            json_object_set_new(src.fields, "issuer",
                                json_string(issuer->name));
            json_object_set_new(src.fields, "from_unit",
                                json_string(issuer->code));
            json_object_set_new(src.fields, "secrecy",
                                json_string(gen_field_text(c, "secrecy")
                                                ? gen_field_text(c, "secrecy")
                                                : "0"));
            if (gen_field_text(c, "secrecy_term") != NULL)
                json_object_set_new(
                    src.fields, "secrecy_term",
                    json_string(gen_field_text(c, "secrecy_term")));
            json_object_set_new(
                src.fields, "urgency",
                json_string(urg && strcmp(urg, "most_urgent") == 0
                                ? "very_urgent"
                            : urg ? urg
                                  : "none"));
            json_object_set_new(src.fields, "source_case", json_integer(c->id));
            rc = gen_case_make(g, in, at, gen_window_end(g, at, open_d), open_d,
                               NULL, &d, &src);
            json_decref(src.fields);
            if (rc < 0)
                return -1;
            made += rc;
            /* case_link: the link row and an entry on each side */
            gen_int(&g->links, c->id);
            gen_int(&g->links, d.id);
            gen_text(&g->links, "exchange");
            gen_int(&g->links, 0);
            gen_text(&g->links, sys.login);
            gen_int(&g->links, at);
            snprintf(detail, sizeof(detail),
                     "{\"a\":%" PRId64 ",\"b\":%" PRId64
                     ",\"kind\":\"exchange\"}",
                     c->id, d.id);
            gen_timeline(g, c, at, &sys, "", "link", NULL, NULL, NULL,
                         arena_printf(g->batch, "关联了“%s”", d_title), detail);
            gen_timeline(g, &d, at, &sys, "", "link", NULL, NULL, NULL,
                         arena_printf(g->batch, "被“%s”关联", d_title), detail);
        }
    }
    json_object_set_new(c->fields, "delivered", json_integer(ndone));
    return made;
}

/* ---- the run ---- */

static const char GEN_SQL_MAX_CASE[] = "SELECT COALESCE(MAX(id), 0) FROM cases";
static const char GEN_SQL_MAX_CLOCK[] =
    "SELECT COALESCE(MAX(id), 0) FROM case_clocks";
/* PostgreSQL only: explicit ids do not move a BIGSERIAL's sequence */
static const char GEN_SQL_PG_SEQ_CASES[] =
    "SELECT setval(pg_get_serial_sequence('cases', 'id'), $1)";
static const char GEN_SQL_PG_SEQ_CLOCKS[] =
    "SELECT setval(pg_get_serial_sequence('case_clocks', 'id'), $1)";

static void gen_writers_init(struct gen *g)
{
    gen_ins_init(&g->cases,
                 "INSERT INTO cases (id, module, number, number_year,"
                 " number_n, title, state, secrecy, owner_unit_id, creator_id,"
                 " lead_unit_id, handler_id, parent_id, progress, pending,"
                 " due_ms, light_due_ms, light_yellow_ms, light_floor,"
                 " last_light, created_ms, updated_ms, closed_ms, data)",
                 24);
    gen_ins_init(&g->clocks,
                 "INSERT INTO case_clocks (id, case_id, clock, main, warn_only,"
                 " start_ms, unit, length, deadline, warn, warn_value,"
                 " stop_ms, due_ms)",
                 13);
    gen_ins_init(&g->pauses,
                 "INSERT INTO case_clock_pauses (clock_id, from_ms, to_ms,"
                 " absorbed)",
                 4);
    gen_ins_init(&g->exts,
                 "INSERT INTO case_clock_extensions (clock_id, length,"
                 " deadline, at_ms, by_login, why, absorbed)",
                 7);
    gen_ins_init(&g->parties,
                 "INSERT INTO case_parties (case_id, rel, unit_id, user_id)",
                 4);
    gen_ins_init(&g->waits,
                 "INSERT INTO case_waits (case_id, unit_id, user_id, role,"
                 " pending)",
                 5);
    gen_ins_init(&g->timeline,
                 "INSERT INTO case_timeline (case_id, at_ms, actor_id,"
                 " actor_login, actor_name, actor_role, kind, transition,"
                 " from_state, to_state, text, data)",
                 12);
    gen_ins_init(&g->links,
                 "INSERT INTO case_links (a_id, b_id, kind, by_id, by_login,"
                 " at_ms)",
                 6);
    gen_ins_init(&g->numlog,
                 "INSERT INTO number_log (pattern, year, n, case_id,"
                 " taken_ms)",
                 5);
    gen_ins_init(&g->search,
                 "INSERT INTO search_docs (case_id, module, body, tokens)", 4);
    gen_ins_init(&g->files,
                 "INSERT INTO files (sha256, size, name, content_type,"
                 " case_id, uploaded_by, uploaded_ms)",
                 7);
}

static void gen_writers_free(struct gen *g)
{
    struct gen_ins *all[] = {&g->cases,   &g->clocks, &g->pauses,   &g->exts,
                             &g->parties, &g->waits,  &g->timeline, &g->links,
                             &g->numlog,  &g->search, &g->files};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        store_finalize(all[i]->full);
        free(all[i]->v);
    }
}

/* Writes what waits, in the order the foreign keys need (cases first),
 * moves the numbering tables and the sequences on, and commits. */
static int gen_commit(struct gen *g)
{
    struct gen_ins *order[] = {&g->cases,   &g->clocks, &g->pauses,   &g->exts,
                               &g->parties, &g->waits,  &g->timeline, &g->links,
                               &g->numlog,  &g->search, &g->files};
    int64_t dummy = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (gen_ins_flush(g->db, order[i]) != 0)
            return -1;
    if (gen_numbers_save(g) != 0)
        return -1;
    if (store_kind(g->db) == STORE_PG &&
        (store_query_int(g->db, GEN_SQL_PG_SEQ_CASES, &dummy, "i",
                         g->next_case - 1) == STORE_ERR ||
         store_query_int(g->db, GEN_SQL_PG_SEQ_CLOCKS, &dummy, "i",
                         g->next_clock - 1) == STORE_ERR))
        return -1;
    if (store_commit(g->db) != STORE_OK)
        return -1;
    arena_free(g->batch);
    g->batch = arena_new();
    return 0;
}

static void gen_progress(struct gen *g, int last)
{
    struct timespec now;
    double run, rate;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!last && gen_elapsed(&g->last_print, &now) < 1.0)
        return;
    g->last_print = now;
    run = gen_elapsed(&g->t0, &now);
    rate = run > 0 ? (double)g->made / run : 0;
    fprintf(stderr,
            "已生成 %" PRId64 "/%" PRId64
            " 件（%.0f 件/秒，已用 %.0f 秒，预计还需 %.0f 秒）\n",
            g->made, g->target, rate, run,
            rate > 0 ? (double)(g->target - g->made) / rate : 0.0);
}

/* A root module by the weights of gen_module_rules (others weigh 10). */
static const struct module_def *gen_pick_module(struct gen *g)
{
    const struct module_def *const *l = module_list();
    int total = 0, k;
    for (int i = 0; l[i]; i++) {
        const struct gen_module_rule *r = gen_module_rule(l[i]);
        total += r ? r->weight : 10;
    }
    k = gen_rng_below(&g->r, total);
    for (int i = 0; l[i]; i++) {
        const struct gen_module_rule *r = gen_module_rule(l[i]);
        k -= r ? r->weight : 10;
        if (k < 0)
            return l[i];
    }
    return l[0];
}

/* The audit record of the whole run, in its last transaction. */
static int gen_audit(struct gen *g, const char *result)
{
    json_t *d = json_object(), *mods = json_object();
    char target[64], *s;
    int rc;
    for (int i = 0; i < g->ntally; i++)
        json_object_set_new(mods, g->tally[i].m->code,
                            json_integer(g->tally[i].cases));
    json_object_set_new(d, "cases", json_integer(g->made));
    json_object_set_new(d, "seed", json_integer((json_int_t)g->seed));
    json_object_set_new(d, "first_id", json_integer(g->first_case));
    json_object_set_new(d, "last_id", json_integer(g->next_case - 1));
    json_object_set_new(d, "modules", mods);
    s = json_text(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    snprintf(target, sizeof(target), "%" PRId64 "-%" PRId64, g->first_case,
             g->next_case - 1);
    rc = audit_append(g->db, &g->cli, "case.generate", "case", target, result,
                      s);
    free(s);
    return rc;
}

static int gen_run(struct gen *g)
{
    int64_t in_batch = 0;
    if (store_query_int(g->db, GEN_SQL_MAX_CASE, &g->next_case, "") ==
            STORE_ERR ||
        store_query_int(g->db, GEN_SQL_MAX_CLOCK, &g->next_clock, "") ==
            STORE_ERR)
        return -1;
    g->next_case++;
    g->next_clock++;
    g->first_case = g->next_case;
    if (store_begin(g->db) != STORE_OK)
        return -1;
    while (g->made < g->target) {
        struct gen_case c;
        int64_t slot = g->span_ms / g->target;
        int64_t created =
            g->now - g->span_ms + g->made * slot +
            (slot > 1 ? (int64_t)(gen_rng_next(&g->r) % (uint64_t)slot) : 0);
        int open = gen_open_by_age(g, created);
        int k = gen_case_make(g, gen_pick_module(g), created,
                              gen_window_end(g, created, open), open, NULL, &c,
                              NULL);
        if (k < 0)
            goto fail;
        g->made += k;
        in_batch += k;
        if (in_batch >= g->batch_size && g->made < g->target) {
            if (gen_commit(g) != 0 || store_begin(g->db) != STORE_OK)
                goto fail;
            in_batch = 0;
        }
        gen_progress(g, 0);
    }
    if (gen_audit(g, "ok") != 0 || gen_commit(g) != 0)
        goto fail;
    /* many large commits leave SQLite's full-text index in many segments,
     * each searched on every query: merge them once, as migration 7 does */
    if (store_kind(g->db) == STORE_SQLITE &&
        store_exec(g->db, "INSERT INTO search_fts (search_fts) VALUES "
                          "('optimize')") != STORE_OK)
        goto fail;
    gen_progress(g, 1);
    return 0;
fail:
    fprintf(stderr, "shuniu gen: 生成失败：%s\n", store_errmsg(g->db));
    store_rollback(g->db);
    return -1;
}

/* ---- the commands ---- */

/* Reads option name as an integer in [lo, hi] into *out (unchanged when
 * absent); -1 with a message. */
static int gen_opt_int(const struct cli_cmd *cmd, const struct cli_args *args,
                       const char *name, int64_t lo, int64_t hi, int64_t *out)
{
    const char *v = cli_opt(cmd, args, name);
    char *end = NULL;
    long long n;
    if (v == NULL)
        return 0;
    n = strtoll(v, &end, 10);
    if (*v == '\0' || end == NULL || *end != '\0' || n < lo || n > hi) {
        fprintf(stderr, "shuniu %s: --%s 应为 %lld 到 %lld 之间的整数\n",
                cmd->words, name, (long long)lo, (long long)hi);
        return -1;
    }
    *out = n;
    return 0;
}

static void gen_report(struct gen *g)
{
    struct timespec end;
    double run;
    int64_t open = 0;
    clock_gettime(CLOCK_MONOTONIC, &end);
    run = gen_elapsed(&g->t0, &end);
    printf("已生成 %" PRId64 " 件（编号 %" PRId64 "-%" PRId64 "）：", g->made,
           g->first_case, g->next_case - 1);
    for (int i = 0; i < g->ntally; i++) {
        printf("%s%s %" PRId64 " 件（未办结 %" PRId64 "）", i ? "，" : "",
               g->tally[i].m->label, g->tally[i].cases, g->tally[i].open);
        open += g->tally[i].open;
    }
    printf("\n未办结 %" PRId64 " 件；时间线 %" PRId64 " 条，时限 %" PRId64
           " 个，关联 %" PRId64 " 个，附件 %" PRId64 " 个\n",
           open, g->timeline.rows, g->clocks.rows, g->links.rows,
           g->files.rows);
    printf("用时 %.1f 秒，%.0f 件/秒\n", run,
           run > 0 ? (double)g->made / run : 0);
    for (int i = 0; i < g->nfocus; i++)
        printf("%s%s %" PRId64 " 件%s", i ? "，" : "演示人员待办：",
               g->focus[i].u->login, g->focus[i].todo,
               i + 1 == g->nfocus ? "\n" : "");
    printf("模块规则检查：%" PRId64 " 处不符%s%s\n", g->violations,
           g->violations ? "，第一处：" : "",
           g->violations ? g->violation : "");
}

int cmd_gen(const struct cli_cmd *cmd, struct cli_args *args)
{
    struct gen *g = calloc(1, sizeof(*g));
    int64_t cases = 0, seed = 1, batch = GEN_BATCH_DEFAULT,
            days = GEN_DAYS_DEFAULT, open = -1, attach = GEN_ATTACH_DEFAULT;
    int rc = 1;

    if (g == NULL)
        return 1;
    if (cli_opt(cmd, args, "cases") == NULL) {
        fputs("shuniu gen: 请用 --cases N 指定要生成的件数\n", stderr);
        free(g);
        return 2;
    }
    if (gen_opt_int(cmd, args, "cases", 1, GEN_CASES_MAX, &cases) ||
        gen_opt_int(cmd, args, "seed", 0, INT64_MAX, &seed) ||
        gen_opt_int(cmd, args, "batch", GEN_BATCH_MIN, GEN_BATCH_MAX, &batch) ||
        gen_opt_int(cmd, args, "days", 1, GEN_DAYS_MAX, &days) ||
        gen_opt_int(cmd, args, "open", 0, 100, &open) ||
        gen_opt_int(cmd, args, "attach", 0, 100, &attach)) {
        free(g);
        return 2;
    }
    g->db = cli_open_db(args);
    if (g->db == NULL) {
        free(g);
        return 1;
    }
    g->run = arena_new();
    g->batch = arena_new();
    g->seed = (uint64_t)seed;
    gen_rng_seed(&g->r, g->seed);
    g->target = cases;
    g->quota = cases / GEN_FOCUS_CASES;
    if (g->quota < GEN_FOCUS_MIN)
        g->quota = GEN_FOCUS_MIN;
    if (g->quota > GEN_FOCUS_QUOTA_MAX)
        g->quota = GEN_FOCUS_QUOTA_MAX;
    g->batch_size = batch;
    g->span_ms = days * GEN_DAY_MS;
    g->open_pct = (int)open;
    g->attach_pct = (int)attach;
    g->now = now_ms();
    g->data_dir = args->cfg.data;
    actor_cli(&g->cli);
    for (int i = 0; i < GEN_BLOBS; i++)
        g->blobs[i].name = arena_printf(g->run, "附件%d：工作方案.txt", i + 1);
    gen_writers_init(g);
    clock_gettime(CLOCK_MONOTONIC, &g->t0);
    g->last_print = g->t0;
    if (calendar_load(g->db, &g->cal) != 0) {
        fputs("shuniu gen: 无法读取节假日安排\n", stderr);
        goto out;
    }
    if (gen_load_office(g) != 0 || gen_run(g) != 0)
        goto out;
    gen_report(g);
    rc = 0;
out:
    calendar_free(g->cal);
    gen_writers_free(g);
    arena_free(g->batch);
    arena_free(g->run);
    store_close(g->db);
    free(g);
    return rc;
}

static const char GEN_SQL_OPEN_CASES[] =
    "SELECT COUNT(*) FROM cases WHERE closed_ms = 0";
static const char GEN_SQL_RUNNING_CLOCKS[] =
    "SELECT COUNT(*) FROM case_clocks WHERE stop_ms = 0";

int cmd_sweep(const struct cli_cmd *cmd, struct cli_args *args)
{
    struct store *db;
    struct timespec t0, t1;
    int64_t open = 0, clocks = 0;
    int n;
    (void)cmd;
    db = cli_open_db(args);
    if (db == NULL)
        return 1;
    if (store_query_int(db, GEN_SQL_OPEN_CASES, &open, "") == STORE_ERR ||
        store_query_int(db, GEN_SQL_RUNNING_CLOCKS, &clocks, "") == STORE_ERR) {
        fprintf(stderr, "shuniu sweep: 无法读取事项：%s\n", store_errmsg(db));
        store_close(db);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = case_sweep(db, now_ms());
    clock_gettime(CLOCK_MONOTONIC, &t1);
    store_close(db);
    if (n < 0) {
        fputs("shuniu sweep: 提醒扫描失败（见上方日志）\n", stderr);
        return 1;
    }
    printf("提醒扫描：查看未办结事项 %" PRId64 " 件（运行中的时限 %" PRId64
           " 个），发出提醒 %d 件，用时 %.1f 毫秒\n",
           open, clocks, n, gen_elapsed(&t0, &t1) * 1000.0);
    return 0;
}
