/*
 * test_authz.c - the authorization matrix (issue 6, item 4): every route
 * and every transition, tried by people of every role, relation to the
 * case and clearance, against cases of every 密级.  The expected answer
 * of each cell is computed here from the declarations -- the route table
 * (routes_table, web/http.h), the module tables (module.h: transitions'
 * roles and rel, states' waits, fields' roles) and the visibility rule
 * written in case.h -- never by calling the engine's own decisions.
 * Every cell is asserted; each layer prints one summary line and lists
 * its mismatches (route or transition, user, relation, clearance, 密级).
 *
 * The population (made once, in-process through the kernel as the CLI
 * operator, all with one password hash):
 *     units   az_own (registers the cases), az_lead (lead unit), az_co
 *             (co-unit), az_none (no relation), az_named (the people
 *             named in person fields: signer, supervisor, readers)
 *     people  az_<unit>_<role>_<clearance> for every unit, role (clerk,
 *             staff, leader) and clearance 0-3: 60 people; and the
 *             administrators (admin, secadmin, auditor, and az_sys3, a
 *             sysadmin of clearance 3)
 * The cases: for every module, every state some transition fires from,
 * and every 密级 0-3, one case registered (through the kernel) by
 * az_own_<creator role>_3 with the relation fields filled from the field
 * roles (lead unit az_lead, co-units az_co, signer and supervisor the
 * named person A, readers the named people who may see it), and driven to
 * its state by the shortest path of transitions (the kernel, as the CLI
 * operator; parallel transitions by each member).  Each title holds the
 * word 鸮鹗 and a tag of its own ("azk17z"), so that a leak shows.
 *
 * Layers (one cmocka test each):
 *   1 routes       anonymous, each administrator, a clerk, staff and
 *                  leader on every route of routes_table with path
 *                  parameters filled: PERM_PUBLIC never 401/403;
 *                  PERM_LOGIN 401 (API) or a redirect to /login (pages)
 *                  when anonymous and never the dispatcher's 403 when
 *                  signed in; PERM_ROLES 403 without one of the roles;
 *                  writes without X-CSRF-Token 403 "csrf" unless
 *                  ROUTE_NOCSRF; never a 5xx
 *   2 transitions  each (transition, from-state, 密级) case, each person:
 *                  POST the transition with a probe field no module has.
 *                  Expected: 404 when the person may not see the case;
 *                  403 unless the person holds one of t->roles and
 *                  stands in t->rel; else the permission passed and the
 *                  engine refuses the probe (400) or the state's rules
 *                  (409) -- the case never moves, so cases are reused
 *   3 clearance    for each person: every case by id (404 = no trace),
 *                  its page, its attachment, lists and counts per state,
 *                  search with snippets, to-do (exactly what the states'
 *                  waits declare), notifications and the Excel export
 *                  (inflated with zlib) hold exactly the cases the rule
 *                  lets them see and no tag of another
 *   4 IDOR         ids around real ones, huge, negative and not numbers
 *                  for cases, files, tokens, notifications, users, pages:
 *                  400/404, never a 5xx, never a tag
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "lib_server.h"

#include "kernel/actor.h"
#include "kernel/auth.h"
#include "kernel/case.h"
#include "kernel/module.h"
#include "kernel/org.h"
#include "store/store.h"
/* web/http.h declares the server's http_form(), lib_server.h the test
 * client's: the server's is renamed here, it is not used */
#define http_form az_server_http_form
#include "web/http.h"
#include "web/routes.h"
#undef http_form

#define PW "Authz-Matrix-2026!pw"
#define AZ_WORD "鸮鹗"
#define AZ_WORD_URL "%E9%B8%AE%E9%B9%97"
#define AZ_WORD_FMT "%%E9%%B8%%AE%%E9%%B9%%97" /* for printf */
#define AZ_MAX_CASES 160
#define AZ_MAX_PEOPLE 72
#define AZ_NCLEAR 4    /* clearance and 密级 levels 0..3 */
#define AZ_SHOW_MAX 40 /* mismatches printed per layer */
#define AZ_DISPATCH_403 "您没有权限进行此操作"

enum az_unit { AZ_OWN, AZ_LEAD, AZ_CO, AZ_NONE, AZ_NAMED, AZ_NUNITS };

static const char *const az_unit_codes[AZ_NUNITS] = {
    "az_own", "az_lead", "az_co", "az_none", "az_named"};
static const char *const az_unit_names[AZ_NUNITS] = {
    "授权测试登记单位", "授权测试牵头单位", "授权测试协办单位",
    "授权测试无关单位", "授权测试具名人员单位"};
/* "own" of "az_own": the unit's part of a login */
#define AZ_UNIT_SHORT(u) (az_unit_codes[u] + strlen("az_"))
static const char *const az_roles[] = {"clerk", "staff", "leader"};
#define AZ_NROLES 3

/* The named people of a case of 密级 s: A (signer, supervisor, reader)
 * and B (reader): roles and clearances vary with s so that each person
 * relation is held by different roles, and by someone below the 密级. */
static const int az_a_role[AZ_NCLEAR] = {2, 0, 1, 2};
static const int az_a_clear[AZ_NCLEAR] = {0, 1, 1, 3};
static const int az_b_role[AZ_NCLEAR] = {1, 2, 2, 0};
static const int az_b_clear[AZ_NCLEAR] = {3, 3, 2, 2};

struct az_person {
    char login[40];
    int unit;         /* enum az_unit, -1 for the administrators */
    const char *role; /* the one role held */
    int clearance;
    int admin; /* 1: sysadmin, secadmin or auditor */
    const char *password;
    struct client *c;
};

struct az_case {
    int64_t id;
    const struct module_def *m;
    const char *state;
    int secrecy;
    char tag[16];
    const char *creator; /* login */
    int owner, lead, co; /* enum az_unit, -1: none */
    const char *signer;  /* logins, NULL: none */
    const char *supervisor;
    const char *readers[2];
    int nreaders;
    int64_t file_id; /* an attachment (initial states only), 0: none */
};

static struct az_person az_people[AZ_MAX_PEOPLE];
static int az_npeople;
static struct az_case az_cases[AZ_MAX_CASES];
static int az_ncases;
static int az_ready;

/* ---- the oracle: written from case.h and module.h ---- */

static int az_in_list(const char *list, const char *code)
{
    size_t n = strlen(code);
    if (list == NULL || strcmp(list, "*") == 0)
        return 1;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, code, n) == 0)
            return 1;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

/* The relations (enum case_rel) of p to k, from the fields the fixture
 * gave the case. */
static int az_rels(const struct az_person *p, const struct az_case *k)
{
    int rel = 0;
    if (p->admin)
        return 0;
    if (strcmp(p->login, k->creator) == 0)
        rel |= REL_CREATOR;
    if (k->owner >= 0 && p->unit == k->owner)
        rel |= REL_SAME_UNIT;
    if (k->lead >= 0 && p->unit == k->lead)
        rel |= REL_LEAD_UNIT;
    if (k->co >= 0 && p->unit == k->co)
        rel |= REL_CO_UNIT;
    if (k->signer && strcmp(p->login, k->signer) == 0)
        rel |= REL_SIGNER;
    if (k->supervisor && strcmp(p->login, k->supervisor) == 0)
        rel |= REL_SUPERVISOR;
    for (int i = 0; i < k->nreaders; i++)
        if (strcmp(p->login, k->readers[i]) == 0)
            rel |= REL_READER;
    return rel;
}

/* case.h: no administrator sees business data; clearance at least the
 * 密级; a classified case only for those on its chain. */
static int az_sees(const struct az_person *p, const struct az_case *k)
{
    if (p->admin || p->clearance < k->secrecy)
        return 0;
    return k->secrecy == 0 || az_rels(p, k) != 0;
}

/* module.h: one of t->roles (NULL or "*": any) and, when t->rel is set,
 * one of its relations. */
static int az_may_fire(const struct az_person *p, const struct az_case *k,
                       const struct transition_def *t)
{
    if (!az_in_list(t->roles, p->role))
        return 0;
    return t->rel == 0 || (az_rels(p, k) & t->rel) != 0;
}

/* module.h state_def: an open case waits for the holders of wait_roles
 * standing in wait_rel (rel 0: every holder of the roles). */
static int az_waits_for(const struct az_person *p, const struct az_case *k)
{
    const struct state_def *st = module_state(k->m, k->state);
    if (!az_sees(p, k) || st == NULL || (st->flags & STATE_CLOSED))
        return 0;
    if (st->wait_rel == 0 && st->wait_roles == NULL)
        return 0;
    if (!az_in_list(st->wait_roles, p->role))
        return 0;
    return st->wait_rel == 0 || (az_rels(p, k) & st->wait_rel) != 0;
}

/* The people a case is tried with one request each (transitions, by id):
 * the administrators, the named people (every person relation, at
 * clearances above and below), and the people of every unit and role at
 * the clearance of the 密级 and just below it -- the boundary; a higher
 * clearance decides nothing more.  The lists, search, to-do and export
 * try every person on every case. */
static int az_sampled(const struct az_person *p, const struct az_case *k)
{
    return p->admin || p->unit == AZ_NAMED || p->clearance == k->secrecy ||
           p->clearance == k->secrecy - 1;
}

static const char *az_rel_names(int rel, char *buf, size_t n)
{
    static const char *const names[] = {"creator",    "handler", "lead",
                                        "co",         "signer",  "same_unit",
                                        "supervisor", "reader"};
    buf[0] = '\0';
    for (int i = 0; i < 8; i++)
        if (rel & (1 << i)) {
            size_t len = strlen(buf);
            snprintf(buf + len, n - len, "%s%s", len ? "+" : "", names[i]);
        }
    if (buf[0] == '\0')
        snprintf(buf, n, "none");
    return buf;
}

/* ---- mismatches ---- */

struct az_tally {
    const char *layer;
    long cells, allow, deny, bad;
    double t0; /* start, for the figure printed (never a check) */
};

static void az_bad(struct az_tally *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void az_bad(struct az_tally *t, const char *fmt, ...)
{
    va_list ap;
    if (t->bad++ >= AZ_SHOW_MAX)
        return;
    va_start(ap, fmt);
    fprintf(stderr, "authz %s MISMATCH: ", t->layer);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double az_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void az_report(const struct az_tally *t)
{
    printf("authz %s: %ld cells, %ld expected allowed, %ld expected refused, "
           "%ld mismatches (%.1f s)\n",
           t->layer, t->cells, t->allow, t->deny, t->bad, az_now() - t->t0);
    fflush(stdout);
    if (t->bad)
        fail_msg("authz %s: %ld mismatches (listed above)", t->layer, t->bad);
}

/* ---- the fixture, through the kernel ---- */

struct az_kernel {
    struct store *db;
    struct arena *a;
    struct actor cli;
};

static void az_kfail(const char *what, const struct err *e)
{
    fail_msg("fixture %s: %d %s", what, e->status,
             e->message ? e->message : "");
}

static void az_person_add(struct az_kernel *k, const char *hash,
                          const char *login, int unit, const char *role,
                          int clearance, int admin)
{
    struct az_person *p = &az_people[az_npeople++];
    struct user u;
    struct err e;
    assert_true(az_npeople <= AZ_MAX_PEOPLE);
    snprintf(p->login, sizeof(p->login), "%s", login);
    p->unit = unit;
    p->role = role;
    p->clearance = clearance;
    p->admin = admin;
    p->password = PW;
    memset(&u, 0, sizeof(u));
    err_clear(&e);
    u.login = login;
    u.name = login;
    u.unit_code = unit >= 0 ? az_unit_codes[unit] : "gov";
    u.nroles = 1;
    u.roles[0] = role;
    u.clearance = clearance;
    if (org_user_create_hashed(k->db, &k->cli, &u, hash, &e) != 0)
        az_kfail(login, &e);
}

static struct az_person *az_find(const char *login)
{
    for (int i = 0; i < az_npeople; i++)
        if (strcmp(az_people[i].login, login) == 0)
            return &az_people[i];
    return NULL;
}

/* The login of the person of that unit, role (index in az_roles) and
 * clearance; owned by az_people. */
static const char *az_login_of(int unit, int role, int clearance)
{
    char login[40];
    snprintf(login, sizeof(login), "az_%s_%s_%d", AZ_UNIT_SHORT(unit),
             az_roles[role], clearance);
    assert_non_null(az_find(login));
    return az_find(login)->login;
}

static void az_population(struct az_kernel *k)
{
    char hash[128];
    struct err e;
    assert_int_equal(auth_password_hash(PW, hash), 0);
    for (int u = 0; u < AZ_NUNITS; u++) {
        struct unit un;
        memset(&un, 0, sizeof(un));
        err_clear(&e);
        un.code = az_unit_codes[u];
        un.name = az_unit_names[u];
        un.kind = "department";
        un.parent_code = "gov";
        if (org_unit_create(k->db, &k->cli, &un, &e) != 0)
            az_kfail(un.code, &e);
    }
    for (int u = 0; u < AZ_NUNITS; u++)
        for (int r = 0; r < AZ_NROLES; r++)
            for (int c = 0; c < AZ_NCLEAR; c++) {
                char login[40];
                snprintf(login, sizeof(login), "az_%s_%s_%d", AZ_UNIT_SHORT(u),
                         az_roles[r], c);
                az_person_add(k, hash, login, u, az_roles[r], c, 0);
            }
    az_person_add(k, hash, "az_sys3", -1, "sysadmin", 3, 1);
    az_person_add(k, hash, "az_victim", AZ_NONE, "staff", 0, 0);
    az_npeople--; /* the victim of the route layer is nobody's persona */
    {
        struct unit un;
        memset(&un, 0, sizeof(un));
        err_clear(&e);
        un.code = "az_victim_unit";
        un.name = "授权测试待停用单位";
        un.kind = "department";
        un.parent_code = "gov";
        if (org_unit_create(k->db, &k->cli, &un, &e) != 0)
            az_kfail(un.code, &e);
    }
    const char *boot[] = {"admin", "secadmin", "auditor"};
    const char *brole[] = {"sysadmin", "secadmin", "auditor"};
    for (int i = 0; i < 3; i++) {
        struct az_person *p = &az_people[az_npeople++];
        snprintf(p->login, sizeof(p->login), "%s", boot[i]);
        p->unit = -1;
        p->role = brole[i];
        p->clearance = 0;
        p->admin = 1;
        p->password = PW; /* client_as knows the bootstrap passwords */
    }
}

/* A value of field f for the fixture, by its role and type: the relations
 * the oracle expects come from here. */
static json_t *az_value(const struct field_def *f, const struct az_case *k)
{
    switch (f->role) {
    case FIELD_IS_LEAD_UNIT:
        return json_string(az_unit_codes[AZ_LEAD]);
    case FIELD_IS_OWNER_UNIT:
        return json_string(az_unit_codes[AZ_OWN]);
    case FIELD_IS_CO_UNITS:
        return json_pack("[s]", az_unit_codes[AZ_CO]);
    case FIELD_IS_SIGNER:
        return json_string(k->signer);
    case FIELD_IS_SUPERVISOR:
        return json_string(k->supervisor);
    case FIELD_IS_SECRECY:
        return json_sprintf("%d", k->secrecy);
    default:
        break;
    }
    switch (f->type) {
    case FIELD_TEXT:
        return json_string("AZ");
    case FIELD_LONGTEXT:
        return json_string("授权矩阵测试内容");
    case FIELD_NUMBER:
        return json_integer(f->min > 0 ? f->min : 1);
    case FIELD_DATE:
        return json_string("2026-12-31");
    case FIELD_DATETIME:
        return json_string("2026-12-31T09:00:00+08:00");
    case FIELD_CHOICE:
        return json_string(f->choices[0].code);
    case FIELD_MULTI: {
        json_t *all = json_array();
        for (int i = 0; f->choices[i].code; i++)
            json_array_append_new(all, json_string(f->choices[i].code));
        return all;
    }
    case FIELD_UNIT:
        return json_string(az_unit_codes[AZ_LEAD]);
    case FIELD_UNITS:
        return json_pack("[s]", az_unit_codes[AZ_LEAD]);
    case FIELD_PERSON:
        return k->signer ? json_string(k->signer) : json_null();
    case FIELD_PERSONS: {
        json_t *all = json_array();
        for (int i = 0; i < k->nreaders; i++)
            json_array_append_new(all, json_string(k->readers[i]));
        return all;
    }
    }
    return json_null();
}

/* The fields a transition needs to go through: its required ones and
 * those it lists that its target state requires. */
static json_t *az_fields_for(const struct az_case *k,
                             const struct transition_def *t)
{
    json_t *o = json_object();
    for (int i = 0; k->m->fields[i].code; i++) {
        const struct field_def *f = &k->m->fields[i];
        int need = t->required != NULL && az_in_list(t->required, f->code);
        if (t->fields != NULL && t->to != NULL && f->required_in != NULL &&
            az_in_list(t->fields, f->code) && az_in_list(f->required_in, t->to))
            need = 1;
        if (need && f->role != FIELD_IS_TITLE)
            json_object_set_new(o, f->code, az_value(f, k));
    }
    return o;
}

/* The shortest path of state-changing transitions from the initial state
 * to `to` (breadth first over the table; transitions that need a pending
 * request are left out).  Returns the number of steps, -1 unreachable. */
static int az_path(const struct module_def *m, const char *to,
                   const struct transition_def **path, int max)
{
    const char *states[32];
    int prev[32], via[32], n = 0, head = 0;
    const struct transition_def *tr = m->transitions;
    states[n] = module_initial(m)->code;
    prev[n] = -1;
    via[n++] = -1;
    while (head < n) {
        int cur = head++;
        if (strcmp(states[cur], to) == 0) {
            int len = 0, at = cur;
            while (prev[at] >= 0 && len < max) {
                path[len++] = &tr[via[at]];
                at = prev[at];
            }
            for (int i = 0; i < len / 2; i++) {
                const struct transition_def *x = path[i];
                path[i] = path[len - 1 - i];
                path[len - 1 - i] = x;
            }
            return len;
        }
        for (int i = 0; tr[i].code; i++) {
            int seen = 0;
            if (tr[i].to == NULL || tr[i].needs != NULL ||
                !az_in_list(tr[i].from, states[cur]))
                continue;
            for (int j = 0; j < n; j++)
                seen |= strcmp(states[j], tr[i].to) == 0;
            if (!seen && n < 32) {
                states[n] = tr[i].to;
                prev[n] = cur;
                via[n++] = i;
            }
        }
    }
    return -1;
}

/* Fires a parallel transition (all_rel) as each member of the relation
 * who sees the case, until the case moves. */
static void az_fire_members(struct az_kernel *kn, struct az_case *k,
                            const struct transition_def *t, json_t *f)
{
    int fired = 0;
    for (int i = 0; i < az_npeople; i++) {
        struct az_person *p = &az_people[i];
        struct user u;
        struct actor who;
        struct err e;
        err_clear(&e);
        if (!(az_rels(p, k) & t->all_rel) || !az_sees(p, k))
            continue;
        if (org_user_get(kn->db, kn->a, p->login, &u, &e) != 0 ||
            auth_actor_load(kn->db, kn->a, u.id, &who) != 0)
            az_kfail(p->login, &e);
        if (case_fire(kn->db, kn->a, &who, k->id, t->code, f, "已阅", &e) == 0)
            fired++;
        else if (e.status != 409 && e.status != 403)
            az_kfail(t->code, &e);
    }
    if (fired == 0)
        fail_msg("fixture: nobody could fire %s on %s", t->code, k->tag);
}

/* 1 when the module has a field of that role. */
static int az_has_role(const struct module_def *m, enum field_role role)
{
    for (int i = 0; m->fields[i].code; i++)
        if (m->fields[i].role == role)
            return 1;
    return 0;
}

static void az_case_make(struct az_kernel *kn, const struct module_def *m,
                         const char *state, int secrecy)
{
    struct az_case *k = &az_cases[az_ncases];
    const struct transition_def *path[24];
    const char *creator_role = NULL;
    struct case_new n = {0};
    struct err e;
    json_t *f = json_object();
    char title[160];
    struct user u;
    struct actor who;

    assert_true(az_ncases < AZ_MAX_CASES);
    memset(k, 0, sizeof(*k));
    k->m = m;
    k->state = state;
    k->secrecy = secrecy;
    snprintf(k->tag, sizeof(k->tag), "azk%dz", az_ncases);
    k->owner = AZ_OWN;
    k->lead = k->co = -1;
    k->signer = az_login_of(AZ_NAMED, az_a_role[secrecy], az_a_clear[secrecy]);
    k->supervisor = k->signer;
    if (az_a_clear[secrecy] >= secrecy)
        k->readers[k->nreaders++] = k->signer;
    if (az_b_clear[secrecy] >= secrecy)
        k->readers[k->nreaders++] =
            az_login_of(AZ_NAMED, az_b_role[secrecy], az_b_clear[secrecy]);
    for (int r = 0; r < AZ_NROLES && creator_role == NULL; r++)
        if (az_in_list(m->create_roles, az_roles[r]))
            creator_role = az_roles[r];
    assert_non_null(creator_role);
    k->creator = az_find(creator_role[0] == 'c'   ? "az_own_clerk_3"
                         : creator_role[0] == 's' ? "az_own_staff_3"
                                                  : "az_own_leader_3")
                     ->login;

    /* the fields at registration: title, 密级, the relation fields (but
     * readers: those come with the transition that circulates), and what
     * the initial state requires */
    snprintf(title, sizeof(title), "授权矩阵" AZ_WORD "%s %s %d %s", m->code,
             state, secrecy, k->tag);
    for (int i = 0; m->fields[i].code; i++) {
        const struct field_def *fd = &m->fields[i];
        int set = 0;
        switch (fd->role) {
        case FIELD_IS_TITLE:
            json_object_set_new(f, fd->code, json_string(title));
            continue;
        case FIELD_IS_LEAD_UNIT:
            k->lead = AZ_LEAD;
            set = 1;
            break;
        case FIELD_IS_CO_UNITS:
            k->co = AZ_CO;
            set = 1;
            break;
        case FIELD_IS_OWNER_UNIT:
        case FIELD_IS_SIGNER:
        case FIELD_IS_SUPERVISOR:
        case FIELD_IS_SECRECY:
            set = 1;
            break;
        default:
            set = fd->required_in != NULL &&
                  az_in_list(fd->required_in, module_initial(m)->code) &&
                  !(fd->flags & FIELD_READONLY);
        }
        if (set)
            json_object_set_new(f, fd->code, az_value(fd, k));
    }
    if (!az_has_role(m, FIELD_IS_SIGNER))
        k->signer = NULL;
    if (!az_has_role(m, FIELD_IS_SUPERVISOR))
        k->supervisor = NULL;

    err_clear(&e);
    if (org_user_get(kn->db, kn->a, k->creator, &u, &e) != 0 ||
        auth_actor_load(kn->db, kn->a, u.id, &who) != 0)
        az_kfail(k->creator, &e);
    n.module = m->code;
    n.fields = f;
    if (case_create(kn->db, kn->a, &who, &n, &k->id, &e) != 0)
        az_kfail(title, &e);
    json_decref(f);

    int len = az_path(m, state, path, 24);
    if (len < 0)
        fail_msg("fixture: %s.%s unreachable", m->code, state);
    int readers_given = 0;
    for (int i = 0; i < len; i++) {
        const struct transition_def *t = path[i];
        json_t *tf = az_fields_for(k, t);
        const char *comment = t->comment ? "授权矩阵" : NULL;
        for (int j = 0; m->fields[j].code; j++)
            if (m->fields[j].role == FIELD_IS_READERS &&
                json_object_get(tf, m->fields[j].code))
                readers_given = 1;
        err_clear(&e);
        if (t->all_rel)
            az_fire_members(kn, k, t, tf);
        else if (case_fire(kn->db, kn->a, &kn->cli, k->id, t->code, tf, comment,
                           &e) != 0)
            az_kfail(t->code, &e);
        json_decref(tf);
    }
    if (!readers_given)
        k->nreaders = 0;
    az_ncases++;
}

/* A case for the route layer to write on, outside the matrix. */
static int64_t az_victim_case;

/* ---- HTTP ---- */

static struct srv *az_srv;

static struct client *az_client(struct az_person *p)
{
    if (p->c == NULL)
        p->c = client_as(az_srv, p->login, p->password);
    return p->c;
}

/* A request as p (NULL: anonymous, a client of its own), JSON body when
 * given; csrf 0 leaves X-CSRF-Token out.  Returns the status.  method NULL
 * frees the anonymous client. */
static int az_req(struct az_person *p, const char *method, const char *path,
                  const char *body, int csrf, struct resp *r)
{
    static struct client *anon;
    struct client *c;
    const char *hdr[] = {NULL};
    if (method == NULL) { /* the end: free the anonymous client */
        client_free(anon);
        anon = NULL;
        return 0;
    }
    if (p == NULL) {
        if (anon == NULL)
            anon = client_new(az_srv);
        c = anon;
    } else {
        c = az_client(p);
    }
    return http_raw(c, method, path, body ? "application/json" : NULL, body,
                    body ? strlen(body) : 0, hdr, csrf, r);
}

/* Signs p in again when a route ended the session (sign-out, a password
 * change); returns 1 when it had to. */
static int az_relogin_if_needed(struct az_person *p)
{
    struct resp r = {0};
    int st = az_req(p, "GET", "/api/v1/me", NULL, 1, &r);
    resp_free(&r);
    if (st == 200)
        return 0;
    client_free(p->c);
    p->c = NULL;
    az_client(p);
    return 1;
}

/* The tag of a case p may not see that appears in body, or NULL. */
static const char *az_leak(const struct az_person *p, const char *body)
{
    for (int i = 0; i < az_ncases && body != NULL; i++)
        if (!az_sees(p, &az_cases[i]) && strstr(body, az_cases[i].tag))
            return az_cases[i].tag;
    return NULL;
}

static int64_t az_upload(struct az_person *p, int64_t case_id)
{
    static const char body[] =
        "--AzB0undary\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"az.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        "授权矩阵附件\r\n--AzB0undary--\r\n";
    const char *hdr[] = {NULL};
    char path[96];
    struct resp r = {0};
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/files",
             (long long)case_id);
    int st = http_raw(az_client(p), "POST", path,
                      "multipart/form-data; boundary=AzB0undary", body,
                      sizeof(body) - 1, hdr, 1, &r);
    if (st != 201)
        fail_msg("upload to %lld as %s: %d %s", (long long)case_id, p->login,
                 st, r.body);
    int64_t id = resp_int(&r, "items.0.id", 0);
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

static void az_setup(struct srv *s)
{
    struct az_kernel kn;
    char msg[256];
    struct err e;

    double t0 = az_now();
    az_srv = s;
    if (az_ready)
        return;
    kn.db = store_open(s->db_url, msg, sizeof(msg));
    if (kn.db == NULL)
        fail_msg("store_open: %s", msg);
    kn.a = arena_new();
    actor_cli(&kn.cli);
    if (case_init(msg, sizeof(msg)) != 0)
        fail_msg("case_init: %s", msg);
    az_population(&kn);
    for (const struct module_def *const *m = module_list(); *m; m++)
        for (int st = 0; (*m)->states[st].code; st++) {
            int from = 0;
            for (int t = 0; (*m)->transitions[t].code; t++)
                from |= az_in_list((*m)->transitions[t].from,
                                   (*m)->states[st].code);
            for (int sec = 0; from && sec < AZ_NCLEAR; sec++)
                az_case_make(&kn, *m, (*m)->states[st].code, sec);
        }
    /* the route layer's own case: doc_out, registered by the creator */
    {
        struct case_new n = {0};
        struct user u;
        struct actor who;
        json_t *f =
            json_pack("{s:s, s:s, s:s, s:s}", "title", "授权路由测试稿",
                      "doc_type", "通知", "issuer", "az_lead", "body", "正文");
        err_clear(&e);
        n.module = "doc_out";
        n.fields = f;
        if (org_user_get(kn.db, kn.a, "az_own_clerk_3", &u, &e) != 0 ||
            auth_actor_load(kn.db, kn.a, u.id, &who) != 0 ||
            case_create(kn.db, kn.a, &who, &n, &az_victim_case, &e) != 0)
            az_kfail("victim case", &e);
        json_decref(f);
    }
    arena_free(kn.a);
    store_close(kn.db);
    /* one attachment on each case in its initial state */
    for (int i = 0; i < az_ncases; i++) {
        struct az_case *k = &az_cases[i];
        if (strcmp(k->state, module_initial(k->m)->code) == 0)
            k->file_id = az_upload(az_find(k->creator), k->id);
    }
    printf("authz fixture: %d people, %d cases, attachments (%.1f s)\n",
           az_npeople, az_ncases, az_now() - t0);
    az_ready = 1;
}

/* ---- layer 1: routes ---- */

static void az_fill(const char *pattern, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 32 < n;) {
        if (*p != ':') {
            out[o++] = *p++;
            continue;
        }
        const char *end = p + 1;
        while (*end && *end != '/')
            end++;
        size_t len = (size_t)(end - p - 1);
        const char *v = "authz_probe";
        char num[24];
        if (strncmp(p + 1, "id", len) == 0 && len == 2) {
            long long id = (long long)az_victim_case;
            if (strstr(pattern, "tokens"))
                id = 999999;
            else if (strstr(pattern, "files/"))
                id = (long long)az_cases[0].file_id;
            snprintf(num, sizeof(num), "%lld", id);
            v = num;
        } else if (strncmp(p + 1, "login", len) == 0) {
            v = "az_victim";
        } else if (strncmp(p + 1, "module", len) == 0) {
            v = "doc_out";
        } else if (strstr(pattern, "units/:code")) {
            v = "az_victim_unit";
        }
        o += (size_t)snprintf(out + o, n - o, "%s", v);
        p = end;
    }
    out[o] = '\0';
}

static const char *az_method_name(int m)
{
    switch (m) {
    case HTTP_GET:
        return "GET";
    case HTTP_POST:
        return "POST";
    case HTTP_PUT:
        return "PUT";
    case HTTP_PATCH:
        return "PATCH";
    case HTTP_DELETE:
        return "DELETE";
    default:
        return NULL;
    }
}

static int az_holds(const struct az_person *p, const char *roles)
{
    return p != NULL && az_in_list(roles, p->role) && roles != NULL;
}

static int az_is_api(const struct route *rt)
{
    return (rt->flags & ROUTE_API) || strncmp(rt->pattern, "/api/", 5) == 0;
}

static void az_route_cell(struct az_tally *t, const struct route *rt,
                          const char *method, const char *path,
                          struct az_person *p)
{
    struct resp r = {0};
    const char *who = p ? p->login : "anonymous";
    int write = strcmp(method, "GET") != 0;
    const char *body = write ? "{}" : NULL;
    int permitted =
        rt->perm == PERM_PUBLIC ||
        (p != NULL && (rt->perm == PERM_LOGIN || az_holds(p, rt->roles)));

    /* a write without X-CSRF-Token, before the real one */
    if (write && p != NULL && permitted) {
        int st = az_req(p, method, path, body, 0, &r);
        int csrf403 = st == 403 && strstr(r.body, "csrf") != NULL;
        if (!csrf403 && r.body && strstr(r.body, "页面已过期"))
            csrf403 = 1;
        t->cells++;
        if (rt->flags & ROUTE_NOCSRF) {
            t->allow++;
            if (csrf403 || st >= 500 || st == 0)
                az_bad(t,
                       "%s %s (%s) as %s without csrf: %d, want no "
                       "csrf refusal",
                       method, path, rt->name, who, st);
        } else {
            t->deny++;
            if (!csrf403)
                az_bad(t, "%s %s (%s) as %s without csrf: %d, want 403 csrf",
                       method, path, rt->name, who, st);
        }
        az_relogin_if_needed(p);
    }

    int st = az_req(p, method, path, body, 1, &r);
    int dispatch403 = st == 403 && strstr(r.body, AZ_DISPATCH_403) != NULL;
    t->cells++;
    if (st == 0 || st >= 500) {
        az_bad(t, "%s %s (%s) as %s: %d %.200s", method, path, rt->name, who,
               st, r.body);
    } else if (permitted) {
        t->allow++;
        if (st == 401 || dispatch403)
            az_bad(t, "%s %s (%s) as %s: %d, want the handler to run", method,
                   path, rt->name, who, st);
    } else {
        t->deny++;
        if (p == NULL) {
            int ok =
                az_is_api(rt)
                    ? st == 401
                    : (st == 303 && resp_header(&r, "Location") &&
                       strncmp(resp_header(&r, "Location"), "/login", 6) == 0);
            if (!ok)
                az_bad(t, "%s %s (%s) anonymous: %d, want %s", method, path,
                       rt->name, st, az_is_api(rt) ? "401" : "303 to /login");
        } else if (!dispatch403) {
            az_bad(t, "%s %s (%s) as %s (%s): %d, want 403 (roles %s)", method,
                   path, rt->name, who, p->role, st,
                   rt->roles ? rt->roles : "-");
        }
    }
    resp_free(&r);
    if (p != NULL && write)
        az_relogin_if_needed(p);
}

static void test_routes(void **state)
{
    struct srv *s = *state;
    struct az_tally t = {.layer = "routes"};
    const char *logins[] = {
        "admin",          "secadmin",        "auditor", "az_own_clerk_3",
        "az_own_staff_3", "az_own_leader_3", "az_sys3"};
    struct az_person *who[8];
    int npers = 0, nroutes = 0;
    az_setup(s);
    t.t0 = az_now();
    who[npers++] = NULL;
    for (size_t i = 0; i < sizeof(logins) / sizeof(logins[0]); i++) {
        who[npers] = az_find(logins[i]);
        assert_non_null(who[npers]);
        npers++;
    }
    for (const struct route *rt = routes_table; rt->pattern; rt++) {
        char path[256];
        az_fill(rt->pattern, path, sizeof(path));
        nroutes++;
        for (int bit = 1; bit <= HTTP_DELETE; bit <<= 1) {
            const char *method = az_method_name(bit);
            if (!(rt->methods & bit) || method == NULL)
                continue;
            for (int i = 0; i < npers; i++)
                az_route_cell(&t, rt, method, path, who[i]);
        }
    }
    printf("authz routes: %d routes of routes_table, %d personas "
           "(anonymous, 4 administrators, clerk, staff, leader)\n",
           nroutes, npers);
    az_report(&t);
}

/* ---- layer 2: transitions ---- */

static void test_transitions(void **state)
{
    struct srv *s = *state;
    struct az_tally t = {.layer = "transitions"};
    struct resp r = {0};
    int pairs = 0;
    az_setup(s);
    t.t0 = az_now();
    for (int i = 0; i < az_ncases; i++) {
        struct az_case *k = &az_cases[i];
        for (int j = 0; k->m->transitions[j].code; j++) {
            const struct transition_def *tr = &k->m->transitions[j];
            char path[128];
            if (!az_in_list(tr->from, k->state))
                continue;
            pairs++;
            snprintf(path, sizeof(path), "/api/v1/cases/%lld/transitions/%s",
                     (long long)k->id, tr->code);
            for (int pi = 0; pi < az_npeople; pi++) {
                struct az_person *p = &az_people[pi];
                if (!az_sampled(p, k))
                    continue;
                int sees = az_sees(p, k), may = sees && az_may_fire(p, k, tr);
                int st = az_req(p, "POST", path,
                                "{\"fields\":{\"authz_probe\":1}}", 1, &r);
                int ok = !sees  ? st == 404
                         : !may ? st == 403
                                : (st == 400 || st == 409);
                char rels[96];
                t.cells++;
                if (may)
                    t.allow++;
                else
                    t.deny++;
                if (!ok)
                    az_bad(&t,
                           "%s.%s@%s as %s (role %s, rel %s, clearance %d), "
                           "密级 %d: %d, want %s %.160s",
                           k->m->code, tr->code, k->state, p->login, p->role,
                           az_rel_names(az_rels(p, k), rels, sizeof(rels)),
                           p->clearance, k->secrecy, st,
                           !sees  ? "404"
                           : !may ? "403"
                                  : "400/409",
                           r.body);
                if (st != 404 && !sees && az_leak(p, r.body))
                    az_bad(&t, "%s leaks into a refusal", k->tag);
            }
        }
    }
    /* the probes moved nothing */
    for (int i = 0; i < az_ncases; i++) {
        struct az_case *k = &az_cases[i];
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/cases/%lld", (long long)k->id);
        assert_int_equal(az_req(az_find(k->creator), "GET", path, NULL, 1, &r),
                         200);
        if (strcmp(resp_str(&r, "state"), k->state) != 0)
            az_bad(&t, "%s moved from %s to %s", k->tag, k->state,
                   resp_str(&r, "state"));
    }
    resp_free(&r);
    printf("authz transitions: %d (transition, from-state) pairs x %d 密级, "
           "%d cases, %d people\n",
           pairs / AZ_NCLEAR, AZ_NCLEAR, az_ncases, az_npeople);
    az_report(&t);
}

/* ---- layer 3: clearance and need-to-know in every read ---- */

/* All members of an .xlsx (a zip) inflated and joined, malloc'd; NULL
 * when it is not a zip we can read. */
static char *az_unzip(const unsigned char *z, size_t n)
{
    size_t eocd = 0, cd, count, out_len = 0;
    char *out = NULL;
#define AZ_U16(p) ((size_t)(p)[0] | (size_t)(p)[1] << 8)
#define AZ_U32(p) (AZ_U16(p) | AZ_U16((p) + 2) << 16)
    for (size_t i = n >= 22 ? n - 22 : 0; i > 0; i--)
        if (AZ_U32(z + i) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd == 0)
        return NULL;
    count = AZ_U16(z + eocd + 10);
    cd = AZ_U32(z + eocd + 16);
    for (size_t e = 0; e < count && cd + 46 <= n; e++) {
        const unsigned char *c = z + cd;
        size_t method = AZ_U16(c + 10), csize = AZ_U32(c + 20);
        size_t usize = AZ_U32(c + 24), lho = AZ_U32(c + 42);
        size_t data;
        if (AZ_U32(c) != 0x02014b50 || lho + 30 > n)
            break;
        data = lho + 30 + AZ_U16(z + lho + 26) + AZ_U16(z + lho + 28);
        cd += 46 + AZ_U16(c + 28) + AZ_U16(c + 30) + AZ_U16(c + 32);
        if (data + csize > n)
            break;
        out = realloc(out, out_len + usize + 1);
        assert_non_null(out);
        if (method == 0) {
            memcpy(out + out_len, z + data, usize);
        } else {
            z_stream zs;
            memset(&zs, 0, sizeof(zs));
            assert_int_equal(inflateInit2(&zs, -MAX_WBITS), Z_OK);
            zs.next_in = (unsigned char *)(z + data);
            zs.avail_in = (uInt)csize;
            zs.next_out = (unsigned char *)out + out_len;
            zs.avail_out = (uInt)usize;
            int rc = inflate(&zs, Z_FINISH);
            inflateEnd(&zs);
            if (rc != Z_STREAM_END) {
                free(out);
                return NULL;
            }
        }
        out_len += usize;
        out[out_len] = '\0';
    }
#undef AZ_U16
#undef AZ_U32
    return out;
}

/* 1 when the array at path of r has an item with that id. */
static int az_listed(struct resp *r, const char *path, int64_t id)
{
    size_t i;
    json_t *it;
    json_array_foreach(resp_get(r, path), i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id)
            return 1;
    }
    return 0;
}

static void az_clear_cell(struct az_tally *t, const struct az_person *p,
                          const struct az_case *k, const char *where, int want,
                          int got)
{
    char rels[96];
    t->cells++;
    if (want)
        t->allow++;
    else
        t->deny++;
    if (want != got)
        az_bad(t,
               "%s: %s.%s %s 密级 %d, %s (role %s, rel %s, clearance %d) "
               "%s it",
               where, k->m->code, k->state, k->tag, k->secrecy, p->login,
               p->role, az_rel_names(az_rels(p, k), rels, sizeof(rels)),
               p->clearance, got ? "finds" : "misses");
}

static void az_clear_person(struct az_tally *t, struct az_person *p)
{
    struct resp r = {0};
    char path[160];
    const char *leak;

    for (int i = 0; i < az_ncases; i++) {
        struct az_case *k = &az_cases[i];
        int sees = az_sees(p, k);
        if (!az_sampled(p, k))
            continue;
        snprintf(path, sizeof(path), "/api/v1/cases/%lld", (long long)k->id);
        int st = az_req(p, "GET", path, NULL, 1, &r);
        if (st != 200 && st != 404)
            az_bad(t, "GET %s as %s: %d", path, p->login, st);
        az_clear_cell(t, p, k, "by id", sees, st == 200);
        if (st == 404 && strstr(r.body, k->tag))
            az_bad(t, "the 404 of %s names it", k->tag);
        if (k->file_id == 0)
            continue;
        snprintf(path, sizeof(path), "/cases/%lld", (long long)k->id);
        st = az_req(p, "GET", path, NULL, 1, &r);
        az_clear_cell(t, p, k, "page", sees, st == 200);
        snprintf(path, sizeof(path), "/api/v1/files/%lld",
                 (long long)k->file_id);
        st = az_req(p, "GET", path, NULL, 1, &r);
        if (st != 200 && st != 404)
            az_bad(t, "GET %s as %s: %d", path, p->login, st);
        az_clear_cell(t, p, k, "attachment", sees, st == 200);
    }

    /* lists and their counts per state, module by module */
    for (const struct module_def *const *m = module_list(); *m; m++) {
        snprintf(path, sizeof(path),
                 "/api/v1/cases?module=%s&q=" AZ_WORD_FMT "&per_page=500",
                 (*m)->code);
        assert_int_equal(az_req(p, "GET", path, NULL, 1, &r), 200);
        long long total = 0;
        for (int i = 0; i < az_ncases; i++) {
            struct az_case *k = &az_cases[i];
            if (k->m != *m)
                continue;
            total += az_sees(p, k);
            az_clear_cell(t, p, k, "list", az_sees(p, k),
                          az_listed(&r, "items", k->id));
        }
        if (resp_int(&r, "total", -1) != total)
            az_bad(t, "list %s as %s: total %lld, want %lld", (*m)->code,
                   p->login, (long long)resp_int(&r, "total", -1), total);
        for (int st = 0; !p->admin && (*m)->states[st].code; st++) {
            char key[80];
            long long want = 0;
            for (int i = 0; i < az_ncases; i++)
                want += az_cases[i].m == *m &&
                        strcmp(az_cases[i].state, (*m)->states[st].code) == 0 &&
                        az_sees(p, &az_cases[i]);
            snprintf(key, sizeof(key), "counts.%s", (*m)->states[st].code);
            if (resp_int(&r, key, 0) != want)
                az_bad(t, "count %s.%s as %s: %lld, want %lld", (*m)->code,
                       (*m)->states[st].code, p->login,
                       (long long)resp_int(&r, key, 0), want);
        }
        if ((leak = az_leak(p, r.body)) != NULL)
            az_bad(t, "list %s as %s shows %s", (*m)->code, p->login, leak);
    }

    /* search, with its snippets */
    assert_int_equal(az_req(p, "GET",
                            "/api/v1/search?q=" AZ_WORD_URL "&per_page=500",
                            NULL, 1, &r),
                     200);
    for (int i = 0; i < az_ncases; i++)
        az_clear_cell(t, p, &az_cases[i], "search", az_sees(p, &az_cases[i]),
                      az_listed(&r, "items", az_cases[i].id));
    if ((leak = az_leak(p, r.body)) != NULL)
        az_bad(t, "search as %s shows %s", p->login, leak);

    /* to-do: exactly what the states' waits declare */
    assert_int_equal(az_req(p, "GET", "/api/v1/todo?limit=1000", NULL, 1, &r),
                     200);
    for (int i = 0; i < az_ncases; i++)
        az_clear_cell(t, p, &az_cases[i], "to-do",
                      az_waits_for(p, &az_cases[i]),
                      az_listed(&r, "items", az_cases[i].id));
    if ((leak = az_leak(p, r.body)) != NULL)
        az_bad(t, "to-do of %s shows %s", p->login, leak);

    assert_int_equal(
        az_req(p, "GET", "/api/v1/notifications?limit=200", NULL, 1, &r), 200);
    if ((leak = az_leak(p, r.body)) != NULL)
        az_bad(t, "notifications of %s show %s", p->login, leak);

    /* the Excel export of every module */
    assert_int_equal(az_req(p, "GET",
                            "/api/v1/cases/export.xlsx?q=" AZ_WORD_URL, NULL, 1,
                            &r),
                     200);
    char *xml = az_unzip((const unsigned char *)r.body, r.len);
    if (xml == NULL) {
        az_bad(t, "export as %s: not a readable xlsx", p->login);
    } else {
        for (int i = 0; i < az_ncases; i++)
            az_clear_cell(t, p, &az_cases[i], "export",
                          az_sees(p, &az_cases[i]),
                          strstr(xml, az_cases[i].tag) != NULL);
        free(xml);
    }
    resp_free(&r);
}

static void test_clearance(void **state)
{
    struct srv *s = *state;
    struct az_tally t = {.layer = "clearance"};
    az_setup(s);
    t.t0 = az_now();
    for (int i = 0; i < az_npeople; i++)
        az_clear_person(&t, &az_people[i]);
    printf("authz clearance: %d people x %d cases (密级 0-3): by id, page, "
           "attachment, list, counts, search, to-do, notifications, export\n",
           az_npeople, az_ncases);
    az_report(&t);
}

/* ---- layer 4: guessed ids ---- */

static void az_idor_cell(struct az_tally *t, struct az_person *p,
                         const char *method, const char *path, const char *body)
{
    struct resp r = {0};
    const char *leak;
    int st = az_req(p, method, path, body, 1, &r);
    t->cells++;
    t->deny++;
    if (st != 400 && st != 404)
        az_bad(t, "%s %s as %s: %d, want 400/404 %.160s", method, path,
               p->login, st, r.body);
    if ((leak = az_leak(p, r.body)) != NULL)
        az_bad(t, "%s %s as %s shows %s", method, path, p->login, leak);
    resp_free(&r);
}

static void test_idor(void **state)
{
    struct srv *s = *state;
    struct az_tally t = {.layer = "idor"};
    struct resp r = {0};
    char ids[16][48];
    int nids = 0;
    int64_t top = 0;
    static const char *const shapes[] = {
        "/api/v1/cases/%s",
        "/api/v1/cases/%s/pdf",
        "/cases/%s",
        "/cases/%s/print",
        "/api/v1/files/%s",
        "/files/%s",
        "/api/v1/doc_out/%s/receipts",
        "/doc_out/%s/receipts",
    };
    static const char *const writes[][2] = {
        {"/api/v1/cases/%s/transitions/submit", "{}"},
        {"/api/v1/cases/%s/comments", "{\"text\":\"看看\"}"},
        {"/api/v1/cases/%s/links", "{\"to\":1,\"kind\":\"related\"}"},
    };
    az_setup(s);
    t.t0 = az_now();
    struct az_person *low = az_find("az_none_staff_0");
    struct az_person *mid = az_find("az_lead_leader_1");
    /* not a persona of the route layer, whose sign-outs and "mark all
     * read" touched theirs */
    struct az_person *owner = az_find("az_own_staff_2");

    for (int i = 0; i < az_ncases; i++)
        top = az_cases[i].id > top ? az_cases[i].id : top;
    if (az_victim_case > top)
        top = az_victim_case;
    snprintf(ids[nids++], 48, "%lld", (long long)top + 1);
    snprintf(ids[nids++], 48, "%lld", (long long)top + 1000);
    snprintf(ids[nids++], 48, "0");
    snprintf(ids[nids++], 48, "-1");
    snprintf(ids[nids++], 48, "-%lld", (long long)az_cases[0].id);
    snprintf(ids[nids++], 48, "9223372036854775807");
    snprintf(ids[nids++], 48, "99999999999999999999999");
    snprintf(ids[nids++], 48, "abc");
    snprintf(ids[nids++], 48, "%lld.0", (long long)az_cases[0].id);
    snprintf(ids[nids++], 48, "0x%llx", (long long)az_cases[0].id);
    snprintf(ids[nids++], 48, "%%20%lld", (long long)az_cases[0].id);
    snprintf(ids[nids++], 48, "%lld%%00", (long long)az_cases[0].id);
    snprintf(ids[nids++], 48, "1e3");

    struct az_person *who[] = {low, mid, owner};
    for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++)
        for (int i = 0; i < nids; i++) {
            char path[1024];
            for (size_t sh = 0; sh < sizeof(shapes) / sizeof(shapes[0]); sh++) {
                snprintf(path, sizeof(path), shapes[sh], ids[i]);
                az_idor_cell(&t, who[w], "GET", path, NULL);
            }
            for (size_t sh = 0; sh < sizeof(writes) / sizeof(writes[0]); sh++) {
                snprintf(path, sizeof(path), writes[sh][0], ids[i]);
                az_idor_cell(&t, who[w], "POST", path, writes[sh][1]);
            }
            snprintf(path, sizeof(path), "/api/v1/tokens/%s", ids[i]);
            az_idor_cell(&t, who[w], "DELETE", path, NULL);
            snprintf(path, sizeof(path), "/api/v1/users/%s", ids[i]);
            az_idor_cell(&t, who[w], "GET", path, NULL);
        }

    /* real ids of cases the low person may not see, by every door */
    for (int i = 0; i < az_ncases; i++) {
        char id[24], path[160];
        if (az_sees(low, &az_cases[i]))
            continue;
        snprintf(id, sizeof(id), "%lld", (long long)az_cases[i].id);
        for (size_t sh = 0; sh < sizeof(shapes) / sizeof(shapes[0]); sh++) {
            if (strstr(shapes[sh], "files") != NULL)
                continue; /* file ids are not case ids */
            snprintf(path, sizeof(path), shapes[sh], id);
            if (strstr(path, "receipts") == NULL ||
                strcmp(az_cases[i].m->code, "doc_out") == 0) {
                az_idor_cell(&t, low, "GET", path, NULL);
            }
        }
        snprintf(path, sizeof(path), "/api/v1/cases/%s/comments", id);
        az_idor_cell(&t, low, "POST", path, "{\"text\":\"看看\"}");
        if (az_cases[i].file_id) {
            snprintf(path, sizeof(path), "/api/v1/files/%lld",
                     (long long)az_cases[i].file_id);
            az_idor_cell(&t, low, "GET", path, NULL);
        }
    }

    /* someone else's token: not revoked by a stranger */
    assert_int_equal(az_req(owner, "POST", "/api/v1/tokens",
                            "{\"name\":\"授权矩阵\"}", 1, &r),
                     201);
    long long tok = resp_int(&r, "id", resp_int(&r, "token.id", 0));
    assert_true(tok > 0);
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/tokens/%lld", tok);
        az_idor_cell(&t, low, "DELETE", path, NULL);
        assert_int_equal(az_req(owner, "GET", "/api/v1/tokens", NULL, 1, &r),
                         200);
        size_t i;
        json_t *it;
        int alive = 0;
        json_array_foreach(resp_get(&r, "items"), i, it)
        {
            if (json_integer_value(json_object_get(it, "id")) == tok &&
                json_is_null(json_object_get(it, "revoked_at")))
                alive = 1;
        }
        t.cells++;
        t.deny++;
        if (!alive)
            az_bad(&t, "token %lld of %s revoked by %s", tok, owner->login,
                   low->login);
    }

    /* someone else's notification: not marked read by a stranger */
    assert_int_equal(
        az_req(owner, "GET", "/api/v1/notifications?unread=1", NULL, 1, &r),
        200);
    long long note = resp_int(&r, "items.0.id", 0);
    assert_true(note > 0);
    {
        char body[64];
        snprintf(body, sizeof(body), "{\"ids\":[%lld]}", note);
        int st = az_req(low, "POST", "/api/v1/notifications/read", body, 1, &r);
        assert_true(st == 200 || st == 404);
        assert_int_equal(az_req(owner, "GET",
                                "/api/v1/notifications?unread=1&limit=200",
                                NULL, 1, &r),
                         200);
        t.cells++;
        t.deny++;
        if (!az_listed(&r, "items", note))
            az_bad(&t, "notification %lld of %s marked read by %s", note,
                   owner->login, low->login);
    }
    resp_free(&r);
    printf("authz idor: %d guessed ids x %d doors x 3 people, and the real "
           "ids of %s's unseen cases\n",
           nids, (int)(sizeof(shapes) / sizeof(shapes[0]) + 5), low->login);
    az_report(&t);
}

/* The people's clients, after the last layer. */
static void test_sign_out(void **state)
{
    (void)state;
    for (int i = 0; i < az_npeople; i++) {
        client_free(az_people[i].c);
        az_people[i].c = NULL;
    }
    az_req(NULL, NULL, NULL, NULL, 0, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),    cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_clearance), cmocka_unit_test(test_idor),
        cmocka_unit_test(test_sign_out),
    };
    return srv_run_group_tests(tests);
}
