/*
 * module.c - lookups in the module tables and the check of a table (see
 * module.h).
 *
 * module_check() is the compiler of a module: it runs at start for every
 * module and in the unit tests, and refuses a table the engine would
 * misread -- an unknown state, field, clock or pending named anywhere, a
 * duplicate code, a field whose engine role does not fit its type, a
 * malformed list or numbering pattern.  The engine then trusts the table.
 */
#include "kernel/module.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/number.h"

static const struct module_def *const *module_override;

void module_registry_use(const struct module_def *const *list)
{
    module_override = list;
}

const struct module_def *const *module_list(void)
{
    return module_override != NULL ? module_override : module_registry;
}

const struct module_def *module_find(const char *code)
{
    const struct module_def *const *l = module_list();
    if (code == NULL)
        return NULL;
    for (int i = 0; l[i] != NULL; i++)
        if (strcmp(l[i]->code, code) == 0)
            return l[i];
    return NULL;
}

const struct field_def *module_field(const struct module_def *m,
                                     const char *code)
{
    if (m == NULL || m->fields == NULL || code == NULL)
        return NULL;
    for (int i = 0; m->fields[i].code != NULL; i++)
        if (strcmp(m->fields[i].code, code) == 0)
            return &m->fields[i];
    return NULL;
}

const struct state_def *module_state(const struct module_def *m,
                                     const char *code)
{
    if (m == NULL || m->states == NULL || code == NULL)
        return NULL;
    for (int i = 0; m->states[i].code != NULL; i++)
        if (strcmp(m->states[i].code, code) == 0)
            return &m->states[i];
    return NULL;
}

const struct transition_def *module_transition(const struct module_def *m,
                                               const char *code)
{
    if (m == NULL || m->transitions == NULL || code == NULL)
        return NULL;
    for (int i = 0; m->transitions[i].code != NULL; i++)
        if (strcmp(m->transitions[i].code, code) == 0)
            return &m->transitions[i];
    return NULL;
}

const struct clock_def *module_clock(const struct module_def *m,
                                     const char *code)
{
    if (m == NULL || m->clocks == NULL || code == NULL)
        return NULL;
    for (int i = 0; m->clocks[i].code != NULL; i++)
        if (strcmp(m->clocks[i].code, code) == 0)
            return &m->clocks[i];
    return NULL;
}

const struct state_def *module_initial(const struct module_def *m)
{
    if (m == NULL || m->states == NULL)
        return NULL;
    for (int i = 0; m->states[i].code != NULL; i++)
        if (m->states[i].flags & STATE_INITIAL)
            return &m->states[i];
    return NULL;
}

int module_in_list(const char *list, const char *code)
{
    size_t n;
    if (list == NULL || code == NULL)
        return 0;
    if (strcmp(list, "*") == 0)
        return 1;
    n = strlen(code);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, code, n) == 0)
            return 1;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

/* ---- the check ---- */

struct module_checker {
    const struct module_def *m;
    char *msg;
    size_t len;
    int bad;
};

static int module_fail(struct module_checker *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first problem: "module CODE: ...". */
static int module_fail(struct module_checker *k, const char *fmt, ...)
{
    va_list ap;
    int used;
    if (k->bad++ > 0 || k->len == 0)
        return -1;
    used =
        snprintf(k->msg, k->len,
                 "module %s: ", k->m->code != NULL ? k->m->code : "(no code)");
    if (used < 0 || (size_t)used >= k->len)
        return -1;
    va_start(ap, fmt);
    vsnprintf(k->msg + used, k->len - (size_t)used, fmt, ap);
    va_end(ap);
    return -1;
}

static int module_code_ok(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* Checks that every code of list is a known one (ok(m, code) != 0) or, if
 * star, that the list is "*".  An empty list or an empty item is bad. */
static int module_list_ok(const struct module_def *m, const char *list,
                          int star,
                          int (*ok)(const struct module_def *, const char *),
                          const char **bad)
{
    char item[65];
    *bad = list;
    if (list == NULL || *list == '\0')
        return 0;
    if (strcmp(list, "*") == 0)
        return star;
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof(item))
            return 0;
        memcpy(item, p, len);
        item[len] = '\0';
        if (!module_code_ok(item) || (ok != NULL && !ok(m, item))) {
            *bad = p;
            return 0;
        }
        if (comma == NULL)
            return 1;
        p = comma + 1;
    }
}

static int module_is_state(const struct module_def *m, const char *c)
{
    return module_state(m, c) != NULL;
}

static int module_is_field(const struct module_def *m, const char *c)
{
    return module_field(m, c) != NULL;
}

static int module_is_pending(const struct module_def *m, const char *c)
{
    if (m->pendings == NULL)
        return 0;
    for (int i = 0; m->pendings[i].code != NULL; i++)
        if (strcmp(m->pendings[i].code, c) == 0)
            return 1;
    return 0;
}

/* The types a field with that engine role may have. */
static int module_role_fits(enum field_role r, enum field_type t)
{
    switch (r) {
    case FIELD_PLAIN:
        return 1;
    case FIELD_IS_TITLE:
        return t == FIELD_TEXT;
    case FIELD_IS_SECRECY:
        return t == FIELD_NUMBER || t == FIELD_CHOICE;
    case FIELD_IS_LEAD_UNIT:
        return t == FIELD_UNIT;
    case FIELD_IS_CO_UNITS:
        return t == FIELD_UNITS;
    case FIELD_IS_HANDLER:
    case FIELD_IS_SIGNER:
    case FIELD_IS_SUPERVISOR:
        return t == FIELD_PERSON;
    case FIELD_IS_READERS:
        return t == FIELD_PERSONS;
    case FIELD_IS_PROGRESS:
        return t == FIELD_NUMBER;
    case FIELD_IS_DEADLINE:
        return t == FIELD_DATE;
    case FIELD_IS_OWNER_UNIT:
        return t == FIELD_UNIT;
    }
    return 0;
}

static int module_has_choice(const struct field_def *f, const char *code)
{
    if (f->choices == NULL || code == NULL)
        return 0;
    for (int i = 0; f->choices[i].code != NULL; i++)
        if (strcmp(f->choices[i].code, code) == 0)
            return 1;
    return 0;
}

static void module_check_fields(struct module_checker *k)
{
    const struct module_def *m = k->m;
    int roles[FIELD_IS_OWNER_UNIT + 1] = {0};
    const char *bad;

    if (m->fields == NULL || m->fields[0].code == NULL) {
        module_fail(k, "no fields");
        return;
    }
    for (int i = 0; m->fields[i].code != NULL; i++) {
        const struct field_def *f = &m->fields[i];
        if (!module_code_ok(f->code))
            module_fail(k, "field %d: bad code \"%s\"", i, f->code);
        if (f->label == NULL || *f->label == '\0')
            module_fail(k, "field %s: no label", f->code);
        for (int j = 0; j < i; j++)
            if (strcmp(m->fields[j].code, f->code) == 0)
                module_fail(k, "field %s: defined twice", f->code);
        if (f->type < FIELD_TEXT || f->type > FIELD_PERSONS)
            module_fail(k, "field %s: unknown type", f->code);
        if ((int)f->role < 0 || f->role > FIELD_IS_OWNER_UNIT)
            module_fail(k, "field %s: unknown role", f->code);
        else if (!module_role_fits(f->role, f->type))
            module_fail(k, "field %s: its role does not fit its type", f->code);
        else if (f->role != FIELD_PLAIN && roles[f->role]++ > 0)
            module_fail(k, "field %s: a second field with the same role",
                        f->code);
        if ((f->type == FIELD_CHOICE || f->type == FIELD_MULTI) &&
            (f->choices == NULL || f->choices[0].code == NULL))
            module_fail(k, "field %s: a choice without choices", f->code);
        if (f->role == FIELD_IS_SECRECY && f->type == FIELD_CHOICE)
            for (int j = 0; f->choices != NULL && f->choices[j].code; j++)
                if (strlen(f->choices[j].code) != 1 ||
                    f->choices[j].code[0] < '0' || f->choices[j].code[0] > '3')
                    module_fail(k, "field %s: secrecy choices are 0..3",
                                f->code);
        if (f->type == FIELD_CHOICE && f->default_value != NULL &&
            !module_has_choice(f, f->default_value))
            module_fail(k, "field %s: default is not a choice", f->code);
        if (f->type == FIELD_NUMBER && f->max < f->min)
            module_fail(k, "field %s: max below min", f->code);
        if (f->required_in != NULL &&
            !module_list_ok(m, f->required_in, 1, module_is_state, &bad))
            module_fail(k,
                        "field %s: required_in names an unknown state at "
                        "\"%s\"",
                        f->code, bad);
        if (f->edit_roles != NULL &&
            !module_list_ok(m, f->edit_roles, 1, NULL, &bad))
            module_fail(k, "field %s: malformed edit_roles", f->code);
        if (f->min_clearance < 0 || f->min_clearance > 3)
            module_fail(k, "field %s: min_clearance is 0..3", f->code);
    }
    if (roles[FIELD_IS_TITLE] == 0)
        module_fail(k, "no field has the role FIELD_IS_TITLE");
}

static void module_check_states(struct module_checker *k)
{
    const struct module_def *m = k->m;
    int initial = 0;
    const char *bad;

    if (m->states == NULL || m->states[0].code == NULL) {
        module_fail(k, "no states");
        return;
    }
    for (int i = 0; m->states[i].code != NULL; i++) {
        const struct state_def *s = &m->states[i];
        if (!module_code_ok(s->code))
            module_fail(k, "state %d: bad code \"%s\"", i, s->code);
        if (s->label == NULL || *s->label == '\0')
            module_fail(k, "state %s: no label", s->code);
        for (int j = 0; j < i; j++)
            if (strcmp(m->states[j].code, s->code) == 0)
                module_fail(k, "state %s: defined twice", s->code);
        initial += (s->flags & STATE_INITIAL) != 0;
        if (s->wait_roles != NULL &&
            !module_list_ok(m, s->wait_roles, 1, NULL, &bad))
            module_fail(k, "state %s: malformed wait_roles", s->code);
    }
    if (initial != 1)
        module_fail(k, "%d states are STATE_INITIAL, one must be", initial);
}

static void module_check_effects(struct module_checker *k, const char *where,
                                 const struct clock_effect *fx,
                                 const char *extend_field)
{
    for (int j = 0; j < 4; j++) {
        if (fx[j].clock == NULL && fx[j].op == CLOCK_OP_NONE)
            continue;
        if (module_clock(k->m, fx[j].clock) == NULL)
            module_fail(k, "%s: clock effect on unknown clock \"%s\"", where,
                        fx[j].clock != NULL ? fx[j].clock : "");
        if (fx[j].op < CLOCK_OP_START || fx[j].op > CLOCK_OP_STOP)
            module_fail(k, "%s: unknown clock operation", where);
        if (fx[j].op == CLOCK_OP_EXTEND) {
            const struct field_def *f = module_field(k->m, extend_field);
            if (f == NULL || (f->type != FIELD_NUMBER && f->type != FIELD_DATE))
                module_fail(k,
                            "%s: EXTEND needs extend_field, a NUMBER or "
                            "DATE field",
                            where);
        }
    }
}

static void module_check_transitions(struct module_checker *k)
{
    const struct module_def *m = k->m;
    const char *bad;

    if (m->transitions == NULL)
        return;
    for (int i = 0; m->transitions[i].code != NULL; i++) {
        const struct transition_def *t = &m->transitions[i];
        char where[96];
        snprintf(where, sizeof(where), "transition %s", t->code);
        if (!module_code_ok(t->code))
            module_fail(k, "transition %d: bad code \"%s\"", i, t->code);
        if (strcmp(t->code, "create") == 0)
            module_fail(k, "transition create: the code is reserved");
        if (t->label == NULL || *t->label == '\0')
            module_fail(k, "%s: no label", where);
        for (int j = 0; j < i; j++)
            if (strcmp(m->transitions[j].code, t->code) == 0)
                module_fail(k, "%s: defined twice", where);
        if (!module_list_ok(m, t->from, 1, module_is_state, &bad))
            module_fail(k, "%s: from names an unknown state at \"%s\"", where,
                        bad != NULL ? bad : "");
        if (t->to != NULL && module_state(m, t->to) == NULL)
            module_fail(k, "%s: to is an unknown state \"%s\"", where, t->to);
        if (t->roles != NULL && !module_list_ok(m, t->roles, 1, NULL, &bad))
            module_fail(k, "%s: malformed roles", where);
        if (t->fields != NULL &&
            !module_list_ok(m, t->fields, 0, module_is_field, &bad))
            module_fail(k, "%s: fields names an unknown field at \"%s\"", where,
                        bad);
        if (t->required != NULL &&
            !module_list_ok(m, t->required, 0, module_is_field, &bad))
            module_fail(k, "%s: required names an unknown field at \"%s\"",
                        where, bad);
        if (t->comment < 0 || t->comment > 2)
            module_fail(k, "%s: comment is 0, 1 or 2", where);
        if (t->opens != NULL && !module_is_pending(m, t->opens))
            module_fail(k, "%s: opens an unknown pending \"%s\"", where,
                        t->opens);
        if (t->needs != NULL && !module_is_pending(m, t->needs))
            module_fail(k, "%s: needs an unknown pending \"%s\"", where,
                        t->needs);
        if (t->extend_field != NULL && module_field(m, t->extend_field) == NULL)
            module_fail(k, "%s: unknown extend_field \"%s\"", where,
                        t->extend_field);
        if (t->notify_roles != NULL &&
            !module_list_ok(m, t->notify_roles, 1, NULL, &bad))
            module_fail(k, "%s: malformed notify_roles", where);
        if ((t->flags & TR_NUMBER) && m->number_pattern == NULL &&
            m->number_pattern_of == NULL)
            module_fail(k, "%s: TR_NUMBER without a numbering pattern", where);
        if (t->all_rel != 0 &&
            ((t->all_rel & (t->all_rel - 1)) != 0 || t->all_rel > REL_READER ||
             t->to == NULL))
            module_fail(k, "%s: all_rel is one relation and needs a to state",
                        where);
        if (t->within != NULL && module_clock(m, t->within) == NULL)
            module_fail(k, "%s: within names an unknown clock \"%s\"", where,
                        t->within);
        module_check_effects(k, where, t->clocks, t->extend_field);
    }
}

static void module_check_clocks(struct module_checker *k)
{
    const struct module_def *m = k->m;
    int mains = 0;

    if (m->clocks == NULL)
        return;
    for (int i = 0; m->clocks[i].code != NULL; i++) {
        const struct clock_def *c = &m->clocks[i];
        if (!module_code_ok(c->code))
            module_fail(k, "clock %d: bad code \"%s\"", i, c->code);
        if (c->label == NULL || *c->label == '\0')
            module_fail(k, "clock %s: no label", c->code);
        for (int j = 0; j < i; j++)
            if (strcmp(m->clocks[j].code, c->code) == 0)
                module_fail(k, "clock %s: defined twice", c->code);
        if (c->unit < CLOCK_CALENDAR_DAYS || c->unit > CLOCK_HOURS)
            module_fail(k, "clock %s: unknown unit", c->code);
        if (c->length < 0 || c->length > CALENDAR_MAX_N)
            module_fail(k, "clock %s: length out of range", c->code);
        if (c->warn < CLOCK_WARN_DEFAULT || c->warn > CLOCK_WARN_NONE)
            module_fail(k, "clock %s: unknown warn", c->code);
        if (c->length_field != NULL) {
            const struct field_def *f = module_field(m, c->length_field);
            if (f == NULL || f->type != FIELD_CHOICE)
                module_fail(k, "clock %s: length_field is not a CHOICE field",
                            c->code);
            else
                for (int j = 0; c->lengths != NULL && c->lengths[j].choice; j++)
                    if (!module_has_choice(f, c->lengths[j].choice))
                        module_fail(k,
                                    "clock %s: length for unknown choice "
                                    "\"%s\"",
                                    c->code, c->lengths[j].choice);
        }
        if (c->deadline_field != NULL) {
            const struct field_def *f = module_field(m, c->deadline_field);
            if (f == NULL || f->type != FIELD_DATE)
                module_fail(k, "clock %s: deadline_field is not a DATE field",
                            c->code);
        }
        mains += c->main != 0;
    }
    if (mains > 1)
        module_fail(k, "%d clocks are main, at most one may be", mains);
}

int module_check(const struct module_def *m, char *msg, size_t msglen)
{
    struct module_checker k = {m, msg, msglen, 0};
    const char *bad;

    if (msglen > 0)
        msg[0] = '\0';
    if (m == NULL) {
        if (msglen > 0)
            snprintf(msg, msglen, "module: NULL");
        return -1;
    }
    if (!module_code_ok(m->code))
        module_fail(&k, "bad code");
    if (m->label == NULL || m->case_label == NULL)
        module_fail(&k, "no label or case_label");
    module_check_fields(&k);
    module_check_states(&k);
    module_check_transitions(&k);
    module_check_clocks(&k);
    module_check_effects(&k, "create_clocks", m->create_clocks, NULL);
    if (m->pendings != NULL)
        for (int i = 0; m->pendings[i].code != NULL; i++) {
            if (!module_code_ok(m->pendings[i].code) ||
                m->pendings[i].label == NULL)
                module_fail(&k, "pending %d: bad code or no label", i);
            for (int j = 0; j < i; j++)
                if (strcmp(m->pendings[j].code, m->pendings[i].code) == 0)
                    module_fail(&k, "pending %s: defined twice",
                                m->pendings[i].code);
        }
    if (m->number_pattern != NULL && !number_pattern_ok(m->number_pattern))
        module_fail(&k, "malformed number_pattern \"%s\"", m->number_pattern);
    if (m->create_roles != NULL &&
        !module_list_ok(m, m->create_roles, 1, NULL, &bad))
        module_fail(&k, "malformed create_roles");
    if (m->child_module != NULL && module_find(m->child_module) == NULL &&
        strcmp(m->child_module, m->code) != 0)
        module_fail(&k, "unknown child_module \"%s\"", m->child_module);
    return k.bad > 0 ? -1 : 0;
}
