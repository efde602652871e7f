/*
 * org.c - units, people and roles (see org.h).
 *
 * Who may write what (checked here, whatever the face):
 *     org_unit_create / org_unit_update      sysadmin (or the CLI operator)
 *     org_user_create / org_user_update      sysadmin (or the CLI operator)
 *     org_user_grant (roles, clearance)      secadmin (or the CLI operator)
 *     org_import_csv                         sysadmin; roles and clearance
 *                                            in the file need the CLI
 * Each write is one transaction holding the change and its audit record
 * (detail {"before":…,"after":…}); nothing is half-written.
 *
 * 三员分立 is checked by org_roles_problem(), the one place that knows the
 * rule: at most one administrator role (roles.admin = 1), and an
 * administrator role never together with a business role.
 *
 * The CSV import runs in three steps:
 *     parse     every record, with its first line number
 *     validate  every row against the rules, the database and the rows
 *               above it; any bad row -> report them all, import nothing
 *     write     hash the given passwords (outside any transaction), then one
 *               transaction: re-check against the database, insert in file
 *               order, audit each record and the import as a whole
 */
#include "kernel/org.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"
#include "kernel/auth.h"
#include "kernel/memo.h"

#define ORG_CODE_MAX 32
#define ORG_LOGIN_MAX 64
#define ORG_UNIT_NAME_MAX 100
#define ORG_SHORT_MAX 50
#define ORG_USER_NAME_MAX 64
#define ORG_PHONE_MAX 32
#define ORG_IMPORT_MAX_ROWS 100000
#define ORG_IMPORT_MAX_FIELD 4096
#define ORG_IMPORT_MAX_COLS 32
#define ORG_UNIT_DEPTH_MAX 64

static const char org_msg_internal[] = "系统内部错误，请稍后再试";

static const struct {
    const char *code;
    const char *label;
} org_kinds[] = {
    {"government", "政府"}, {"office", "办公室"}, {"section", "科室"},
    {"department", "部门"}, {"county", "县区"},
};

static const char *const org_clearances[] = {"无", "秘密", "机密", "绝密"};

const char *org_kind_label(const char *kind)
{
    if (kind == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(org_kinds) / sizeof(org_kinds[0]); i++)
        if (strcmp(kind, org_kinds[i].code) == 0)
            return org_kinds[i].label;
    return NULL;
}

/* The kind code of a code or a Chinese label, NULL when neither. */
static const char *org_kind_code(const char *s)
{
    for (size_t i = 0; i < sizeof(org_kinds) / sizeof(org_kinds[0]); i++)
        if (strcmp(s, org_kinds[i].code) == 0 ||
            strcmp(s, org_kinds[i].label) == 0)
            return org_kinds[i].code;
    return NULL;
}

const char *org_clearance_label(int level)
{
    if (level < 0 || level > 3)
        return NULL;
    return org_clearances[level];
}

/* ---- checks of single values ---- */

static const char *org_str(const char *s)
{
    return s != NULL ? s : "";
}

static int org_ascii_ok(const char *s, size_t max, const char *extra)
{
    size_t n = 0;
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++, n++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
            return 0;
    }
    return n <= max;
}

static int org_code_ok(const char *s)
{
    return org_ascii_ok(s, ORG_CODE_MAX, "_-");
}

static int org_login_ok(const char *s)
{
    return org_ascii_ok(s, ORG_LOGIN_MAX, "._-@");
}

/* Characters in valid UTF-8 without control codes; -1 when invalid. */
static long org_utf8_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long chars = 0;
    while (*p) {
        int n;
        if (*p < 0x20 || *p == 0x7f)
            return -1;
        if (*p < 0x80)
            n = 0;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            n = 1;
        else if ((*p & 0xF0) == 0xE0)
            n = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            n = 3;
        else
            return -1;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return -1;
        chars++;
    }
    return chars;
}

/* 1 when s is text of min..max characters. */
static int org_text_ok(const char *s, long min, long max)
{
    long n;
    if (s == NULL)
        return min == 0;
    n = org_utf8_chars(s);
    return n >= min && n <= max;
}

static int org_may_manage(const struct actor *who)
{
    return actor_is_cli(who) || actor_has_role(who, "sysadmin");
}

static int org_may_grant(const struct actor *who)
{
    return actor_is_cli(who) || actor_has_role(who, "secadmin");
}

static int org_store_fail(struct store *db, struct err *e, const char *what)
{
    enum store_errc c = store_errcode(db);
    log_error("%s: %s", what, store_errmsg(db));
    if (c == STORE_E_CONSTRAINT)
        return err_set(e, 409, "conflict",
                       "与已有数据冲突（可能已被他人修改），请刷新后重试");
    return err_set(e, c == STORE_E_BUSY ? 503 : 500, "internal",
                   org_msg_internal);
}

/* Appends an audit record with detail {"before": b, "after": a}; consumes
 * b, a and extra (each may be NULL). */
static int org_audit(struct store *db, const struct actor *who,
                     const char *action, const char *type, const char *target,
                     json_t *before, json_t *after, json_t *extra)
{
    json_t *d = extra != NULL ? extra : json_object();
    char *s;
    int rc;
    if (before != NULL)
        json_object_set_new(d, "before", before);
    if (after != NULL)
        json_object_set_new(d, "after", after);
    s = json_text(d, JSON_COMPACT);
    json_decref(d);
    rc = s != NULL ? audit_append(db, who, action, type, target, "ok", s) : -1;
    free(s);
    return rc;
}

/* ---- roles and 三员分立 ---- */

/* How a role is known: -1 unknown, 0 business role, 1 administrator. */
typedef int (*org_role_kind_fn)(void *ctx, const char *code);

/* The reason why this set of roles may not be held together, NULL if it
 * may. */
static const char *org_roles_problem(const char *const *roles, int n,
                                     org_role_kind_fn kind, void *ctx)
{
    int admin = 0, business = 0;
    if (n < 0 || n > ACTOR_MAX_ROLES)
        return "角色过多";
    for (int i = 0; i < n; i++) {
        if (roles[i] == NULL || roles[i][0] == '\0')
            return "角色不能为空";
        for (int j = 0; j < i; j++)
            if (strcmp(roles[i], roles[j]) == 0)
                return "角色重复";
        int k = kind(ctx, roles[i]);
        if (k < 0)
            return "包含不存在的角色";
        if (k > 0)
            admin++;
        else
            business++;
    }
    if (admin > 1)
        return "系统管理员、安全保密管理员、安全审计员须由不同人员担任（三员分"
               "立）";
    if (admin == 1 && business > 0)
        return "管理员角色不能与业务角色同时授予（三员分立）";
    return NULL;
}

static const char ORG_SQL_ROLE_ADMIN[] =
    "SELECT admin FROM roles WHERE code = $1";

static int org_role_kind_db(void *ctx, const char *code)
{
    struct store *db = ctx;
    int64_t admin = 0;
    int rc = store_query_int(db, ORG_SQL_ROLE_ADMIN, &admin, "t", code);
    if (rc == STORE_DONE || rc == STORE_ERR)
        return -1;
    return admin != 0;
}

int org_roles_check(struct store *db, const char *const *roles, int nroles,
                    struct err *e)
{
    const char *why = org_roles_problem(roles, nroles, org_role_kind_db, db);
    if (why != NULL)
        return err_field(e, "roles", why);
    return 0;
}

static const char ORG_SQL_ROLE_LIST[] =
    "SELECT code, name, admin FROM roles ORDER BY builtin DESC, admin DESC,"
    " code";

int org_role_list(struct store *db, struct arena *a, struct role **out, int *n,
                  struct err *e)
{
    int s, cap = 16, count = 0;
    struct role *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
    struct stmt *st = store_prepare(db, ORG_SQL_ROLE_LIST);

    *out = NULL;
    *n = 0;
    while ((s = store_step(st)) == STORE_ROW) {
        if (count == cap) {
            struct role *w = arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, v, sizeof(*v) * (size_t)cap);
            v = w;
            cap *= 2;
        }
        v[count].code = arena_strdup(a, store_col_text(st, 0));
        v[count].name = arena_strdup(a, store_col_text(st, 1));
        v[count].admin = (int)store_col_int(st, 2);
        count++;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return org_store_fail(db, e, "cannot list roles");
    *out = v;
    *n = count;
    return 0;
}

static const char ORG_SQL_ROLE_ENSURE[] =
    "INSERT INTO roles (code, name, admin, builtin) VALUES ($1, $2, 0, 0)"
    " ON CONFLICT (code) DO NOTHING";

int org_role_ensure(struct store *db, const char *code, const char *name)
{
    int rc = -1, own = !store_in_tx(db);
    int64_t changed = 0;
    struct stmt *st;
    struct actor sys;

    if (!org_code_ok(code) || !org_text_ok(name, 1, ORG_USER_NAME_MAX)) {
        log_error("bad role: %s", org_str(code));
        return -1;
    }
    if (own && store_begin(db) != STORE_OK)
        goto fail;
    st = store_prepare(db, ORG_SQL_ROLE_ENSURE);
    store_bind_text(st, 1, code);
    store_bind_text(st, 2, name);
    if (store_step(st) == STORE_DONE)
        changed = store_changes(st);
    else
        changed = -1;
    if (store_finalize(st) != STORE_OK || changed < 0)
        goto fail;
    actor_system(&sys);
    if (changed > 0 &&
        org_audit(db, &sys, "org.role.create", "role", code, NULL,
                  json_pack("{s:s,s:s}", "code", code, "name", name),
                  NULL) != 0)
        goto fail;
    if (own && store_commit(db) != STORE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    log_error("cannot ensure role %s: %s", code, store_errmsg(db));
    if (own)
        store_rollback(db);
out:
    return rc;
}

/* ---- units ---- */

#define ORG_UNIT_SELECT                                                        \
    "SELECT u.id, u.code, u.name, u.short_name, u.kind,"                       \
    " COALESCE(p.code, ''), COALESCE(u.parent_id, 0), u.sort, u.active"        \
    " FROM units u LEFT JOIN units p ON p.id = u.parent_id"

static const char ORG_SQL_UNIT_ALL[] =
    ORG_UNIT_SELECT " ORDER BY u.sort, u.code";

static const char ORG_SQL_UNIT_BY_CODE[] = ORG_UNIT_SELECT " WHERE u.code = $1";

static const char ORG_SQL_UNIT_ID[] = "SELECT id FROM units WHERE code = $1";

static const char ORG_SQL_UNIT_PARENT[] =
    "SELECT COALESCE(parent_id, 0) FROM units WHERE id = $1";

static const char ORG_SQL_UNIT_INSERT[] =
    "INSERT INTO units (code, name, short_name, kind, parent_id, sort, active,"
    " created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    " RETURNING id";

static const char ORG_SQL_UNIT_UPDATE[] =
    "UPDATE units SET name = $2, short_name = $3, kind = $4, parent_id = $5,"
    " sort = $6, active = $7, updated_ms = $8 WHERE id = $1";

static void org_unit_read(struct stmt *st, struct arena *a, struct unit *u)
{
    u->id = store_col_int(st, 0);
    u->code = arena_strdup(a, store_col_text(st, 1));
    u->name = arena_strdup(a, store_col_text(st, 2));
    u->short_name = arena_strdup(a, store_col_text(st, 3));
    u->kind = arena_strdup(a, store_col_text(st, 4));
    u->parent_code = arena_strdup(a, store_col_text(st, 5));
    u->parent_id = store_col_int(st, 6);
    u->sort = (int)store_col_int(st, 7);
    u->active = (int)store_col_int(st, 8);
}

static json_t *org_unit_json(const struct unit *u)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:b}", "code", org_str(u->code),
                     "name", org_str(u->name), "short_name",
                     org_str(u->short_name), "kind", org_str(u->kind), "parent",
                     org_str(u->parent_code), "sort", u->sort, "active",
                     u->active);
}

struct org_id_index {
    int64_t id;
    int idx;
};

static int org_id_index_cmp(const void *x, const void *y)
{
    const struct org_id_index *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

/* Reorders v (sorted by sort, code) so that each parent precedes its
 * children, depth first; units in a cycle or under a missing parent are
 * appended at the end. */
static struct unit *org_unit_tree_order(struct arena *a, struct unit *v, int n)
{
    struct org_id_index *ix = arena_alloc(a, sizeof(*ix) * (size_t)(n + 1));
    int *parent = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    int *first = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    int *next = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    int *stack = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    char *done = arena_alloc(a, (size_t)(n + 1));
    struct unit *out = arena_alloc(a, sizeof(*out) * (size_t)(n + 1));
    int roots = -1, count = 0, top = 0;

    for (int i = 0; i < n; i++) {
        ix[i].id = v[i].id;
        ix[i].idx = i;
        first[i] = -1;
        next[i] = -1;
    }
    qsort(ix, (size_t)n, sizeof(*ix), org_id_index_cmp);
    for (int i = 0; i < n; i++) {
        struct org_id_index key = {v[i].parent_id, 0}, *hit = NULL;
        if (v[i].parent_id != 0)
            hit = bsearch(&key, ix, (size_t)n, sizeof(*ix), org_id_index_cmp);
        parent[i] = hit != NULL ? hit->idx : -1;
    }
    /* prepend in reverse so that each list keeps the (sort, code) order */
    for (int i = n - 1; i >= 0; i--) {
        if (parent[i] >= 0) {
            next[i] = first[parent[i]];
            first[parent[i]] = i;
        } else {
            next[i] = roots;
            roots = i;
        }
    }
    for (int r = roots; r >= 0; r = next[r]) {
        stack[top++] = r;
        while (top > 0) {
            int i = stack[--top];
            if (done[i])
                continue;
            done[i] = 1;
            out[count++] = v[i];
            /* push children in reverse so the first is visited first */
            int kids = 0;
            for (int c = first[i]; c >= 0; c = next[c])
                kids++;
            int base = top;
            top += kids;
            int k = top - 1;
            for (int c = first[i]; c >= 0 && k >= base; c = next[c])
                stack[k--] = c;
        }
    }
    for (int i = 0; i < n; i++)
        if (!done[i])
            out[count++] = v[i];
    return out;
}

/*
 * The unit list is read by every page (the unit dropdown, unit names in
 * lists) and changes a few times a year.  The last list read is kept, for
 * the database state it was read at (memo.h: db.id and the audit chain's
 * last seq; every change to a unit is audited), and each caller gets its
 * own copy in its arena.  One slot: a process serves one database (the
 * tests, which hold several, only miss more often).
 */
static pthread_mutex_t units_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    struct memo_at at;
    int64_t read_ms;
    struct arena *a; /* owns u and its strings; NULL: nothing kept */
    struct unit *u;
    int n;
} units_kept;

static const char *units_str(char **pool, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t len = strlen(s) + 1;
    char *p = memcpy(*pool, s, len);
    *pool += len;
    return p;
}

/* A copy of u[0..n) in a: one block for the array, one for the strings. */
static struct unit *units_copy(struct arena *a, const struct unit *u, int n)
{
    size_t strs = 0;
    for (int i = 0; i < n; i++) {
        const char *s[] = {u[i].code, u[i].name, u[i].short_name, u[i].kind,
                           u[i].parent_code};
        for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
            strs += s[k] ? strlen(s[k]) + 1 : 0;
    }
    struct unit *v = arena_alloc_raw(a, sizeof(*v) * (size_t)(n ? n : 1));
    char *pool = arena_alloc_raw(a, strs ? strs : 1);
    for (int i = 0; i < n; i++) {
        v[i] = u[i];
        v[i].code = units_str(&pool, u[i].code);
        v[i].name = units_str(&pool, u[i].name);
        v[i].short_name = units_str(&pool, u[i].short_name);
        v[i].kind = units_str(&pool, u[i].kind);
        v[i].parent_code = units_str(&pool, u[i].parent_code);
    }
    return v;
}

/* The kept list for `at`, copied into a; -1 when none is kept for it. */
static int units_get(const struct memo_at *at, struct arena *a,
                     struct unit **out, int *n)
{
    int rc = -1;
    if (at->seq < 0)
        return -1;
    pthread_mutex_lock(&units_mu);
    if (units_kept.a != NULL && units_kept.at.seq == at->seq &&
        strcmp(units_kept.at.db, at->db) == 0 &&
        now_ms() - units_kept.read_ms < MEMO_KEEP_MS) {
        *out = units_copy(a, units_kept.u, units_kept.n);
        *n = units_kept.n;
        rc = 0;
    }
    pthread_mutex_unlock(&units_mu);
    return rc;
}

static void units_put(const struct memo_at *at, const struct unit *u, int n)
{
    if (at->seq < 0)
        return;
    struct arena *a = arena_new(), *old;
    struct unit *v = units_copy(a, u, n);
    pthread_mutex_lock(&units_mu);
    old = units_kept.a;
    units_kept.at = *at;
    units_kept.read_ms = now_ms();
    units_kept.a = a;
    units_kept.u = v;
    units_kept.n = n;
    pthread_mutex_unlock(&units_mu);
    arena_free(old);
}

int org_unit_list(struct store *db, struct arena *a, struct unit **out, int *n,
                  struct err *e)
{
    int s, cap = 32, count = 0;
    struct memo_at at;

    *out = NULL;
    *n = 0;
    memo_at(db, &at);
    if (units_get(&at, a, out, n) == 0)
        return 0;
    struct unit *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
    struct stmt *st = store_prepare(db, ORG_SQL_UNIT_ALL);
    while ((s = store_step(st)) == STORE_ROW) {
        if (count == cap) {
            struct unit *w = arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, v, sizeof(*v) * (size_t)cap);
            v = w;
            cap *= 2;
        }
        org_unit_read(st, a, &v[count++]);
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return org_store_fail(db, e, "cannot list units");
    *out = org_unit_tree_order(a, v, count);
    *n = count;
    units_put(&at, *out, count);
    return 0;
}

int org_unit_get(struct store *db, struct arena *a, const char *code,
                 struct unit *out, struct err *e)
{
    int rc = -1, s;
    struct stmt *st = store_prepare(db, ORG_SQL_UNIT_BY_CODE);

    memset(out, 0, sizeof(*out));
    store_bind_text(st, 1, org_str(code));
    s = store_step(st);
    if (s == STORE_ROW) {
        org_unit_read(st, a, out);
        rc = 0;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return org_store_fail(db, e, "cannot read unit");
    if (rc != 0)
        err_set(e, 404, "not_found", "单位不存在");
    return rc;
}

/* The id of unit `code`: >0 found, 0 none, -1 store error. */
static int64_t org_unit_id(struct store *db, const char *code)
{
    int64_t id = 0;
    int rc = store_query_int(db, ORG_SQL_UNIT_ID, &id, "t", code);
    if (rc == STORE_ERR)
        return -1;
    return rc == STORE_DONE ? 0 : id;
}

/* Checks the fields shared by create and update; adds field errors. */
static void org_unit_validate(const struct unit *u, struct err *e)
{
    if (u->name != NULL && !org_text_ok(u->name, 1, ORG_UNIT_NAME_MAX))
        err_field(e, "name", "请填写单位名称（不超过100个字符）");
    if (u->short_name != NULL && !org_text_ok(u->short_name, 0, ORG_SHORT_MAX))
        err_field(e, "short_name", "简称不能超过50个字符");
    if (u->kind != NULL && org_kind_label(u->kind) == NULL)
        err_field(e, "kind", "单位类别不正确");
    if (u->parent_code != NULL && u->parent_code[0] != '\0' &&
        !org_code_ok(u->parent_code))
        err_field(e, "parent", "上级单位不存在");
}

static void org_bind_parent(struct stmt *st, int idx, int64_t pid)
{
    if (pid > 0)
        store_bind_int(st, idx, pid);
    else
        store_bind_null(st, idx);
}

int org_unit_create(struct store *db, const struct actor *who, struct unit *u,
                    struct err *e)
{
    int rc = -1;
    int64_t pid = 0, id = 0, exists, now;
    struct stmt *st;
    struct unit after;

    if (!org_may_manage(who))
        return err_set(e, 403, "forbidden", "只有系统管理员可以管理单位");
    if (!org_code_ok(u->code))
        err_field(e, "code",
                  "单位代码只能由字母、数字、下划线、短横线组成，最长32位");
    if (u->name == NULL)
        err_field(e, "name", "请填写单位名称（不超过100个字符）");
    if (u->kind == NULL)
        err_field(e, "kind", "单位类别不正确");
    org_unit_validate(u, e);
    /* name every bad field at once; checked again in the transaction */
    if (org_code_ok(u->parent_code) && org_unit_id(db, u->parent_code) == 0)
        err_field(e, "parent", "上级单位不存在");
    if (err_isset(e))
        return -1;

    if (store_begin(db) != STORE_OK)
        return org_store_fail(db, e, "cannot begin unit create");
    exists = org_unit_id(db, u->code);
    if (exists < 0)
        goto fail;
    if (exists > 0) {
        err_set(e, 409, "conflict", "单位代码已存在");
        err_field(e, "code", "单位代码已存在");
        goto rollback;
    }
    if (u->parent_code != NULL && u->parent_code[0] != '\0') {
        pid = org_unit_id(db, u->parent_code);
        if (pid < 0)
            goto fail;
        if (pid == 0) {
            err_field(e, "parent", "上级单位不存在");
            goto rollback;
        }
    }
    now = now_ms();
    st = store_prepare(db, ORG_SQL_UNIT_INSERT);
    store_bind_text(st, 1, u->code);
    store_bind_text(st, 2, u->name);
    store_bind_text(st, 3, org_str(u->short_name));
    store_bind_text(st, 4, u->kind);
    org_bind_parent(st, 5, pid);
    store_bind_int(st, 6, u->sort);
    store_bind_int(st, 7, 1);
    store_bind_int(st, 8, now);
    if (store_step(st) == STORE_ROW)
        id = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK || id <= 0)
        goto fail;
    after = *u;
    after.active = 1;
    if (org_audit(db, who, "org.unit.create", "unit", u->code, NULL,
                  org_unit_json(&after), NULL) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    u->id = id;
    u->parent_id = pid;
    u->active = 1;
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot create unit");
rollback:
    store_rollback(db);
out:
    return rc;
}

/* 0 when making `pid` the parent of `id` keeps the tree a tree, 1 when it
 * would make a cycle, -1 on a store error. */
static int org_unit_would_cycle(struct store *db, int64_t id, int64_t pid)
{
    for (int depth = 0; pid != 0; depth++) {
        int rc;
        if (pid == id || depth > 10000)
            return 1;
        rc = store_query_int(db, ORG_SQL_UNIT_PARENT, &pid, "i", pid);
        if (rc == STORE_ERR)
            return -1;
        if (rc == STORE_DONE)
            return 0;
    }
    return 0;
}

int org_unit_update(struct store *db, const struct actor *who, const char *code,
                    const struct unit *u, struct err *e)
{
    int rc = -1, cyc;
    int64_t pid;
    struct arena *a = arena_new();
    struct unit before, after;
    struct stmt *st;

    if (!org_may_manage(who)) {
        err_set(e, 403, "forbidden", "只有系统管理员可以管理单位");
        goto out;
    }
    org_unit_validate(u, e);
    if (err_isset(e))
        goto out;

    if (store_begin(db) != STORE_OK) {
        org_store_fail(db, e, "cannot begin unit update");
        goto out;
    }
    if (org_unit_get(db, a, code, &before, e) != 0)
        goto rollback;
    after = before;
    if (u->name != NULL)
        after.name = u->name;
    if (u->short_name != NULL)
        after.short_name = u->short_name;
    if (u->kind != NULL)
        after.kind = u->kind;
    if (u->parent_code != NULL)
        after.parent_code = u->parent_code;
    after.sort = u->sort;
    if (u->active == 0 || u->active == 1)
        after.active = u->active;

    pid = 0;
    if (after.parent_code[0] != '\0') {
        pid = org_unit_id(db, after.parent_code);
        if (pid < 0)
            goto fail;
        if (pid == 0) {
            err_field(e, "parent", "上级单位不存在");
            goto rollback;
        }
        cyc = org_unit_would_cycle(db, before.id, pid);
        if (cyc < 0)
            goto fail;
        if (cyc > 0) {
            err_field(e, "parent", "上级单位不能是本单位或其下级单位");
            goto rollback;
        }
    }
    after.parent_id = pid;

    st = store_prepare(db, ORG_SQL_UNIT_UPDATE);
    store_bind_int(st, 1, before.id);
    store_bind_text(st, 2, after.name);
    store_bind_text(st, 3, after.short_name);
    store_bind_text(st, 4, after.kind);
    org_bind_parent(st, 5, pid);
    store_bind_int(st, 6, after.sort);
    store_bind_int(st, 7, after.active);
    store_bind_int(st, 8, now_ms());
    if (store_step(st) != STORE_DONE) {
        store_finalize(st);
        goto fail;
    }
    if (store_finalize(st) != STORE_OK ||
        org_audit(db, who, "org.unit.update", "unit", before.code,
                  org_unit_json(&before), org_unit_json(&after), NULL) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot update unit");
rollback:
    store_rollback(db);
out:
    arena_free(a);
    return rc;
}

/* ---- users ---- */

#define ORG_USER_SELECT                                                        \
    "SELECT u.id, u.login, u.name, n.code, n.name, u.unit_id, u.clearance,"    \
    " COALESCE(b.login, ''), u.phone, u.active, u.locked_until_ms,"            \
    " u.created_ms"                                                            \
    " FROM users u JOIN units n ON n.id = u.unit_id"                           \
    " LEFT JOIN users b ON b.id = u.backup_id"

#define ORG_USER_WHERE                                                         \
    " WHERE (CAST($1 AS TEXT) = '' OR n.code = $1)"                            \
    " AND (CAST($2 AS TEXT) = '' OR u.login LIKE $2 ESCAPE '\\'"               \
    "      OR u.name LIKE $2 ESCAPE '\\')"                                     \
    " AND ($3 < 0 OR u.active = $3)"

static const char ORG_SQL_USER_LIST[] = ORG_USER_SELECT ORG_USER_WHERE
    " ORDER BY n.sort, n.code, u.login LIMIT $4 OFFSET $5";

static const char ORG_SQL_USER_COUNT[] =
    "SELECT COUNT(*) FROM users u JOIN units n ON n.id = "
    "u.unit_id" ORG_USER_WHERE;

static const char ORG_SQL_USER_BY_LOGIN[] =
    ORG_USER_SELECT " WHERE u.login = $1";

static const char ORG_SQL_USER_BY_ID[] = ORG_USER_SELECT " WHERE u.id = $1";

static const char ORG_SQL_USER_ROLES[] =
    "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role";

static const char ORG_SQL_USER_ID[] = "SELECT id FROM users WHERE login = $1";

static const char ORG_SQL_USER_INSERT[] =
    "INSERT INTO users (login, name, unit_id, clearance, backup_id, phone,"
    " active, password_hash, password_changed_ms, created_ms, updated_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $9) RETURNING id";

static const char ORG_SQL_USER_UPDATE[] =
    "UPDATE users SET name = $2, unit_id = $3, backup_id = $4, phone = $5,"
    " active = $6, updated_ms = $7 WHERE id = $1";

static const char ORG_SQL_USER_SESSIONS_END[] =
    "DELETE FROM sessions WHERE user_id = $1";

static const char ORG_SQL_ROLE_GRANT[] =
    "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)";

static const char ORG_SQL_ROLES_CLEAR[] =
    "DELETE FROM user_roles WHERE user_id = $1";

static const char ORG_SQL_USER_CLEARANCE[] =
    "UPDATE users SET clearance = $2, updated_ms = $3 WHERE id = $1";

static void org_user_read(struct stmt *st, struct arena *a, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = store_col_int(st, 0);
    u->login = arena_strdup(a, store_col_text(st, 1));
    u->name = arena_strdup(a, store_col_text(st, 2));
    u->unit_code = arena_strdup(a, store_col_text(st, 3));
    u->unit_name = arena_strdup(a, store_col_text(st, 4));
    u->unit_id = store_col_int(st, 5);
    u->clearance = (int)store_col_int(st, 6);
    u->backup_login = arena_strdup(a, store_col_text(st, 7));
    u->phone = arena_strdup(a, store_col_text(st, 8));
    u->active = (int)store_col_int(st, 9);
    u->locked_until_ms = store_col_int(st, 10);
    u->created_ms = store_col_int(st, 11);
}

/* Fills u->roles from user_roles; 0 / -1. */
static int org_user_roles_load(struct store *db, struct arena *a,
                               struct user *u)
{
    int s;
    struct stmt *st = store_prepare(db, ORG_SQL_USER_ROLES);
    store_bind_int(st, 1, u->id);
    u->nroles = 0;
    while ((s = store_step(st)) == STORE_ROW && u->nroles < ACTOR_MAX_ROLES)
        u->roles[u->nroles++] = arena_strdup(a, store_col_text(st, 0));
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return -1;
    return 0;
}

static json_t *org_roles_json(const char *const *roles, int n)
{
    json_t *r = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(r, json_string(roles[i]));
    return r;
}

static json_t *org_user_json(const struct user *u)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:i}", "login",
                     org_str(u->login), "name", org_str(u->name), "unit",
                     org_str(u->unit_code), "backup", org_str(u->backup_login),
                     "phone", org_str(u->phone), "active", u->active, "roles",
                     org_roles_json(u->roles, u->nroles), "clearance",
                     u->clearance);
}

static char *org_like_pattern(struct arena *a, const char *q)
{
    size_t n = strlen(q);
    char *p = arena_alloc(a, 2 * n + 3), *w = p;
    *w++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            *w++ = '\\';
        *w++ = q[i];
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

static void org_user_bind_filter(struct stmt *st, const char *unit,
                                 const char *like, int active)
{
    store_bind_text(st, 1, unit);
    store_bind_text(st, 2, like);
    store_bind_int(st, 3, active);
}

int org_user_list(struct store *db, struct arena *a,
                  const struct user_filter *f, struct user **out, int *n,
                  int *total, struct err *e)
{
    int s, count = 0;
    int limit = f != NULL && f->limit > 0 ? f->limit : 100;
    int offset = f != NULL && f->offset > 0 ? f->offset : 0;
    int active =
        f != NULL && (f->active == 0 || f->active == 1) ? f->active : -1;
    const char *unit = f != NULL ? org_str(f->unit_code) : "";
    const char *like = f != NULL && f->q != NULL && f->q[0] != '\0'
                           ? org_like_pattern(a, f->q)
                           : "";
    struct user *v;
    struct stmt *st;
    int64_t t = 0;

    *out = NULL;
    *n = 0;
    if (limit > 10000)
        limit = 10000;
    if (total != NULL) {
        st = store_prepare(db, ORG_SQL_USER_COUNT);
        org_user_bind_filter(st, unit, like, active);
        if (store_step(st) == STORE_ROW)
            t = store_col_int(st, 0);
        if (store_finalize(st) != STORE_OK)
            return org_store_fail(db, e, "cannot count users");
        *total = t > INT32_MAX ? INT32_MAX : (int)t;
    }
    v = arena_alloc(a, sizeof(*v) * (size_t)(limit < 256 ? limit : 256));
    int cap = limit < 256 ? limit : 256;
    st = store_prepare(db, ORG_SQL_USER_LIST);
    org_user_bind_filter(st, unit, like, active);
    store_bind_int(st, 4, limit);
    store_bind_int(st, 5, offset);
    while ((s = store_step(st)) == STORE_ROW && count < limit) {
        if (count == cap) {
            struct user *w = arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, v, sizeof(*v) * (size_t)cap);
            v = w;
            cap *= 2;
        }
        org_user_read(st, a, &v[count++]);
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return org_store_fail(db, e, "cannot list users");
    for (int i = 0; i < count; i++)
        if (org_user_roles_load(db, a, &v[i]) != 0)
            return org_store_fail(db, e, "cannot read roles");
    *out = v;
    *n = count;
    return 0;
}

static int org_user_fetch(struct store *db, struct arena *a, const char *sql,
                          const char *login, int64_t id, struct user *out,
                          struct err *e)
{
    int found = 0, s;
    struct stmt *st = store_prepare(db, sql);

    memset(out, 0, sizeof(*out));
    if (login != NULL)
        store_bind_text(st, 1, login);
    else
        store_bind_int(st, 1, id);
    s = store_step(st);
    if (s == STORE_ROW) {
        org_user_read(st, a, out);
        found = 1;
    }
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return org_store_fail(db, e, "cannot read user");
    if (!found)
        return err_set(e, 404, "not_found", "用户不存在");
    if (org_user_roles_load(db, a, out) != 0)
        return org_store_fail(db, e, "cannot read roles");
    return 0;
}

int org_user_get(struct store *db, struct arena *a, const char *login,
                 struct user *out, struct err *e)
{
    return org_user_fetch(db, a, ORG_SQL_USER_BY_LOGIN, org_str(login), 0, out,
                          e);
}

int org_user_get_id(struct store *db, struct arena *a, int64_t id,
                    struct user *out, struct err *e)
{
    return org_user_fetch(db, a, ORG_SQL_USER_BY_ID, NULL, id, out, e);
}

/* The id of user `login`: >0 found, 0 none, -1 store error. */
static int64_t org_user_id(struct store *db, const char *login)
{
    int64_t id = 0;
    int rc = store_query_int(db, ORG_SQL_USER_ID, &id, "t", login);
    if (rc == STORE_ERR)
        return -1;
    return rc == STORE_DONE ? 0 : id;
}

static int org_roles_write(struct store *db, int64_t uid,
                           const char *const *roles, int n)
{
    if (store_run(db, ORG_SQL_ROLES_CLEAR, "i", uid) != STORE_OK)
        return -1;
    for (int i = 0; i < n; i++)
        if (store_run(db, ORG_SQL_ROLE_GRANT, "it", uid, roles[i]) != STORE_OK)
            return -1;
    return 0;
}

/* Inserts a user row and its roles (inside the caller's transaction);
 * returns the new id, or -1. */
static int64_t org_user_insert(struct store *db, const struct user *u,
                               int64_t unit_id, int64_t backup_id,
                               const char *hash, int64_t now)
{
    int64_t id = -1;
    struct stmt *st = store_prepare(db, ORG_SQL_USER_INSERT);
    store_bind_text(st, 1, u->login);
    store_bind_text(st, 2, u->name);
    store_bind_int(st, 3, unit_id);
    store_bind_int(st, 4, u->clearance);
    if (backup_id > 0)
        store_bind_int(st, 5, backup_id);
    else
        store_bind_null(st, 5);
    store_bind_text(st, 6, org_str(u->phone));
    store_bind_text(st, 7, hash);
    store_bind_int(st, 8, hash[0] != '\0' ? now : 0);
    store_bind_int(st, 9, now);
    if (store_step(st) == STORE_ROW)
        id = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK || id <= 0)
        return -1;
    if (org_roles_write(db, id, u->roles, u->nroles) != 0)
        return -1;
    return id;
}

static void org_user_validate(const struct user *u, struct err *e)
{
    if (u->name != NULL && !org_text_ok(u->name, 1, ORG_USER_NAME_MAX))
        err_field(e, "name", "请填写姓名（不超过64个字符）");
    if (u->phone != NULL && !org_text_ok(u->phone, 0, ORG_PHONE_MAX))
        err_field(e, "phone", "电话不能超过32个字符");
    if (u->unit_code != NULL && !org_code_ok(u->unit_code))
        err_field(e, "unit", "请选择所在单位");
    if (u->backup_login != NULL && u->backup_login[0] != '\0' &&
        !org_login_ok(u->backup_login))
        err_field(e, "backup", "AB角人员不存在");
}

/* 1 when one of the roles is an administrator role (or unknown: the
 * roles check reports those). */
static int org_roles_have_admin(struct store *db, const char *const *roles,
                                int n)
{
    for (int i = 0; i < n && i < ACTOR_MAX_ROLES; i++)
        if (roles[i] != NULL && org_role_kind_db(db, roles[i]) > 0)
            return 1;
    return 0;
}

/* org_user_create with the password already checked and hashed ("" for
 * none). */
static int org_user_create_with(struct store *db, const struct actor *who,
                                struct user *u, const char *password,
                                const char *hash, struct err *e)
{
    int rc = -1;
    int64_t unit_id, backup_id = 0, id, exists;
    char hashbuf[128] = "";
    struct user after;

    if (!org_may_manage(who))
        return err_set(e, 403, "forbidden", "只有系统管理员可以新增用户");
    if (!org_may_grant(who) &&
        (u->clearance != 0 || (u->nroles > 0 && u->nroles <= ACTOR_MAX_ROLES &&
                               org_roles_have_admin(db, u->roles, u->nroles))))
        return err_set(e, 403, "forbidden",
                       "管理员角色和密级须由安全保密管理员授予，"
                       "新增用户时请不要填写");
    if (!org_login_ok(u->login))
        err_field(e, "login",
                  "登录名只能由字母、数字和 . _ - @ 组成，最长64位");
    if (u->name == NULL)
        err_field(e, "name", "请填写姓名（不超过64个字符）");
    if (u->unit_code == NULL || u->unit_code[0] == '\0')
        err_field(e, "unit", "请选择所在单位");
    org_user_validate(u, e);
    if (u->clearance < 0 || u->clearance > 3)
        err_field(e, "clearance", "密级只能是 无、秘密、机密、绝密");
    if (u->nroles < 0 || u->nroles > ACTOR_MAX_ROLES)
        err_field(e, "roles", "角色过多");
    else
        org_roles_check(db, u->roles, u->nroles, e);
    if (password != NULL && password[0] != '\0')
        auth_password_check(password, e);
    /* name every bad field at once; checked again in the transaction */
    if (org_code_ok(u->unit_code) && org_unit_id(db, u->unit_code) == 0)
        err_field(e, "unit", "所在单位不存在");
    if (org_login_ok(u->backup_login) && org_user_id(db, u->backup_login) == 0)
        err_field(e, "backup", "AB角人员不存在");
    if (err_isset(e))
        return -1;
    if (password != NULL && password[0] != '\0') {
        if (auth_password_hash(password, hashbuf) != 0)
            return err_set(e, 500, "internal", org_msg_internal);
        hash = hashbuf;
    }
    if (hash == NULL)
        hash = "";

    if (store_begin(db) != STORE_OK)
        return org_store_fail(db, e, "cannot begin user create");
    exists = org_user_id(db, u->login);
    if (exists < 0)
        goto fail;
    if (exists > 0) {
        err_set(e, 409, "conflict", "登录名已存在");
        err_field(e, "login", "登录名已存在");
        goto rollback;
    }
    unit_id = org_unit_id(db, u->unit_code);
    if (unit_id < 0)
        goto fail;
    if (unit_id == 0) {
        err_field(e, "unit", "所在单位不存在");
        goto rollback;
    }
    if (u->backup_login != NULL && u->backup_login[0] != '\0') {
        backup_id = org_user_id(db, u->backup_login);
        if (backup_id < 0)
            goto fail;
        if (backup_id == 0) {
            err_field(e, "backup", "AB角人员不存在");
            goto rollback;
        }
    }
    id = org_user_insert(db, u, unit_id, backup_id, hash, now_ms());
    if (id < 0)
        goto fail;
    after = *u;
    after.active = 1;
    if (org_audit(db, who, "org.user.create", "user", u->login, NULL,
                  org_user_json(&after),
                  json_pack("{s:b}", "password", hash[0] != '\0')) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    u->id = id;
    u->unit_id = unit_id;
    u->active = 1;
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot create user");
rollback:
    store_rollback(db);
out:
    return rc;
}

int org_user_create(struct store *db, const struct actor *who, struct user *u,
                    const char *password, struct err *e)
{
    return org_user_create_with(db, who, u, password, "", e);
}

int org_user_create_hashed(struct store *db, const struct actor *who,
                           struct user *u, const char *hash, struct err *e)
{
    if (hash != NULL && hash[0] != '\0' && strncmp(hash, "$argon2id$", 10) != 0)
        return err_set(e, 400, "invalid", "密码散列格式不正确");
    return org_user_create_with(db, who, u, NULL, hash, e);
}

int org_user_update(struct store *db, const struct actor *who,
                    const char *login, const struct user *u, struct err *e)
{
    int rc = -1;
    int64_t unit_id, backup_id = 0;
    struct arena *a = arena_new();
    struct user before, after;
    struct stmt *st;

    if (!org_may_manage(who)) {
        err_set(e, 403, "forbidden", "只有系统管理员可以修改用户");
        goto out;
    }
    org_user_validate(u, e);
    if (err_isset(e))
        goto out;
    if (store_begin(db) != STORE_OK) {
        org_store_fail(db, e, "cannot begin user update");
        goto out;
    }
    if (org_user_get(db, a, login, &before, e) != 0)
        goto rollback;
    after = before;
    if (u->name != NULL)
        after.name = u->name;
    if (u->unit_code != NULL && u->unit_code[0] != '\0')
        after.unit_code = u->unit_code;
    if (u->backup_login != NULL)
        after.backup_login = u->backup_login;
    if (u->phone != NULL)
        after.phone = u->phone;
    if (u->active == 0 || u->active == 1)
        after.active = u->active;
    if (!after.active && before.active && who->user_id == before.id) {
        err_field(e, "active", "不能停用自己的账号");
        goto rollback;
    }
    unit_id = org_unit_id(db, after.unit_code);
    if (unit_id < 0)
        goto fail;
    if (unit_id == 0) {
        err_field(e, "unit", "所在单位不存在");
        goto rollback;
    }
    if (after.backup_login[0] != '\0') {
        if (strcmp(after.backup_login, before.login) == 0) {
            err_field(e, "backup", "AB角不能是本人");
            goto rollback;
        }
        backup_id = org_user_id(db, after.backup_login);
        if (backup_id < 0)
            goto fail;
        if (backup_id == 0) {
            err_field(e, "backup", "AB角人员不存在");
            goto rollback;
        }
    }
    st = store_prepare(db, ORG_SQL_USER_UPDATE);
    store_bind_int(st, 1, before.id);
    store_bind_text(st, 2, after.name);
    store_bind_int(st, 3, unit_id);
    if (backup_id > 0)
        store_bind_int(st, 4, backup_id);
    else
        store_bind_null(st, 4);
    store_bind_text(st, 5, after.phone);
    store_bind_int(st, 6, after.active);
    store_bind_int(st, 7, now_ms());
    if (store_step(st) != STORE_DONE) {
        store_finalize(st);
        goto fail;
    }
    if (store_finalize(st) != STORE_OK)
        goto fail;
    /* a disabled person is signed out everywhere */
    if (!after.active && before.active &&
        store_run(db, ORG_SQL_USER_SESSIONS_END, "i", before.id) != STORE_OK)
        goto fail;
    if (org_audit(db, who, "org.user.update", "user", before.login,
                  org_user_json(&before), org_user_json(&after), NULL) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot update user");
rollback:
    store_rollback(db);
out:
    arena_free(a);
    return rc;
}

int org_user_grant(struct store *db, const struct actor *who, const char *login,
                   const char *const *roles, int nroles, int clearance,
                   struct err *e)
{
    int rc = -1;
    struct arena *a = arena_new();
    struct user before;
    json_t *jb, *ja;

    if (!org_may_grant(who)) {
        err_set(e, 403, "forbidden", "只有安全保密管理员可以授予角色和密级");
        goto out;
    }
    if (clearance < 0 || clearance > 3)
        err_field(e, "clearance", "密级只能是 无、秘密、机密、绝密");
    if (org_roles_check(db, roles, nroles, e) != 0 || err_isset(e))
        goto out;
    if (store_begin(db) != STORE_OK) {
        org_store_fail(db, e, "cannot begin grant");
        goto out;
    }
    if (org_user_get(db, a, login, &before, e) != 0)
        goto rollback;
    if (who->user_id != 0 && who->user_id == before.id) {
        err_set(e, 403, "forbidden", "不能修改自己的角色和密级");
        goto rollback;
    }
    if (org_roles_write(db, before.id, roles, nroles) != 0 ||
        store_run(db, ORG_SQL_USER_CLEARANCE, "iii", before.id,
                  (int64_t)clearance, now_ms()) != STORE_OK)
        goto fail;
    jb = json_pack("{s:o,s:i}", "roles",
                   org_roles_json(before.roles, before.nroles), "clearance",
                   before.clearance);
    ja = json_pack("{s:o,s:i}", "roles", org_roles_json(roles, nroles),
                   "clearance", clearance);
    if (org_audit(db, who, "org.user.grant", "user", before.login, jb, ja,
                  NULL) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot grant roles");
rollback:
    store_rollback(db);
out:
    arena_free(a);
    return rc;
}

/* ---- CSV import ---- */

enum org_col {
    ORG_COL_TYPE,
    ORG_COL_CODE,
    ORG_COL_NAME,
    ORG_COL_PARENT,
    ORG_COL_KIND,
    ORG_COL_CLEARANCE,
    ORG_COL_SHORT,
    ORG_COL_PASSWORD,
    ORG_COL_PHONE,
    ORG_COL_BACKUP,
    ORG_COL_SORT,
    ORG_NCOLS
};

static const struct {
    const char *name;
    int required;
} org_cols[ORG_NCOLS] = {
    {"type", 1},           {"code_or_login", 1}, {"name", 1},
    {"unit_or_parent", 1}, {"kind_or_roles", 1}, {"clearance", 0},
    {"short_name", 0},     {"password", 0},      {"phone", 0},
    {"backup", 0},         {"sort", 0},
};

static const char *org_trim(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* A string -> int64 map in the arena (open addressing, FNV-1a). */
struct org_map {
    struct arena *a;
    size_t cap, n;
    const char **key;
    int64_t *val;
};

static uint64_t org_map_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void org_map_init(struct org_map *m, struct arena *a, size_t cap)
{
    m->a = a;
    m->cap = 64;
    while (m->cap < cap * 2)
        m->cap *= 2;
    m->n = 0;
    m->key = arena_alloc(a, sizeof(*m->key) * m->cap);
    m->val = arena_alloc(a, sizeof(*m->val) * m->cap);
}

static int64_t *org_map_get(const struct org_map *m, const char *k)
{
    size_t i = (size_t)org_map_hash(k) & (m->cap - 1);
    while (m->key[i] != NULL) {
        if (strcmp(m->key[i], k) == 0)
            return &m->val[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static void org_map_put(struct org_map *m, const char *k, int64_t v)
{
    int64_t *old = org_map_get(m, k);
    size_t i;
    if (old != NULL) {
        *old = v;
        return;
    }
    if ((m->n + 1) * 2 > m->cap) {
        struct org_map bigger;
        org_map_init(&bigger, m->a, m->cap);
        for (size_t j = 0; j < m->cap; j++)
            if (m->key[j] != NULL)
                org_map_put(&bigger, m->key[j], m->val[j]);
        *m = bigger;
    }
    i = (size_t)org_map_hash(k) & (m->cap - 1);
    while (m->key[i] != NULL)
        i = (i + 1) & (m->cap - 1);
    m->key[i] = k;
    m->val[i] = v;
    m->n++;
}

static const char ORG_SQL_UNIT_CODES[] = "SELECT code, id FROM units";
static const char ORG_SQL_USER_LOGINS[] = "SELECT login, id FROM users";
static const char ORG_SQL_ROLE_FLAGS[] = "SELECT code, admin FROM roles";

static int org_map_load(struct store *db, struct arena *a, const char *sql,
                        struct org_map *m)
{
    int s;
    struct stmt *st = store_prepare(db, sql);
    org_map_init(m, a, 64);
    while ((s = store_step(st)) == STORE_ROW)
        org_map_put(m, arena_strdup(a, store_col_text(st, 0)),
                    store_col_int(st, 1));
    if (store_finalize(st) != STORE_OK || s == STORE_ERR)
        return -1;
    return 0;
}

/* One data row of the file. */
struct org_irow {
    int line;
    int typed; /* the type column was understood */
    int is_user;
    const char *col[ORG_NCOLS];
    const char *kind; /* units: the kind code */
    int clearance;
    int sort;
    int nroles;
    const char *roles[ACTOR_MAX_ROLES];
    const char *bad; /* reasons joined by "；", NULL when the row is good */
    char *hash;      /* users given a password, once hashed */
    int64_t id;      /* once inserted */
};

/* What the database already holds, for validation. */
struct org_import_db {
    struct org_map units, users, roles;
};

static int org_import_db_load(struct store *db, struct arena *a,
                              struct org_import_db *d)
{
    if (org_map_load(db, a, ORG_SQL_UNIT_CODES, &d->units) != 0 ||
        org_map_load(db, a, ORG_SQL_USER_LOGINS, &d->users) != 0 ||
        org_map_load(db, a, ORG_SQL_ROLE_FLAGS, &d->roles) != 0)
        return -1;
    return 0;
}

static int org_role_kind_map(void *ctx, const char *code)
{
    int64_t *v = org_map_get(ctx, code);
    return v == NULL ? -1 : *v != 0;
}

static void org_row_bad(struct arena *a, struct org_irow *r, const char *why)
{
    r->bad = r->bad == NULL ? why : arena_printf(a, "%s；%s", r->bad, why);
}

/* Parses a clearance: "" 0, "0".."3" or a label; -1 when neither. */
static int org_clearance_parse(const char *s)
{
    if (s[0] == '\0')
        return 0;
    if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
        return s[0] - '0';
    for (int i = 0; i < 4; i++)
        if (strcmp(s, org_clearances[i]) == 0)
            return i;
    return -1;
}

static void org_import_check_unit(struct arena *a, struct org_irow *r,
                                  const struct org_import_db *d,
                                  const struct org_map *file_units)
{
    const char *code = r->col[ORG_COL_CODE];
    const char *parent = r->col[ORG_COL_PARENT];
    int64_t *seen;

    if (!org_code_ok(code))
        org_row_bad(a, r,
                    "单位代码只能由字母、数字、下划线、短横线组成，最长32位");
    if (!org_text_ok(r->col[ORG_COL_NAME], 1, ORG_UNIT_NAME_MAX))
        org_row_bad(a, r, "单位名称不能为空，且不超过100个字符");
    if (!org_text_ok(r->col[ORG_COL_SHORT], 0, ORG_SHORT_MAX))
        org_row_bad(a, r, "简称不能超过50个字符");
    r->kind = org_kind_code(r->col[ORG_COL_KIND]);
    if (r->kind == NULL)
        org_row_bad(a, r,
                    "单位类别不正确（可填 government、office、section、"
                    "department、county 或 政府、办公室、科室、部门、县区）");
    if (r->col[ORG_COL_CLEARANCE][0] != '\0' ||
        r->col[ORG_COL_PASSWORD][0] != '\0' ||
        r->col[ORG_COL_PHONE][0] != '\0' || r->col[ORG_COL_BACKUP][0] != '\0')
        org_row_bad(a, r, "单位行不填密级、密码、电话和AB角");
    if (org_code_ok(code)) {
        seen = org_map_get(file_units, code);
        if (seen != NULL)
            org_row_bad(a, r,
                        arena_printf(a, "单位代码 %s 在第 %d 行已出现", code,
                                     (int)*seen));
        else if (org_map_get(&d->units, code) != NULL)
            org_row_bad(a, r, arena_printf(a, "单位代码 %s 已存在", code));
    }
    if (parent[0] != '\0' && org_map_get(file_units, parent) == NULL &&
        org_map_get(&d->units, parent) == NULL)
        org_row_bad(a, r,
                    org_text_ok(parent, 1, ORG_CODE_MAX)
                        ? arena_printf(a,
                                       "上级单位 %s 不存在（须已在系统中，"
                                       "或在本文件前面的行中）",
                                       parent)
                        : "上级单位不存在");
}

static void org_import_check_user(struct arena *a, struct org_irow *r,
                                  const struct actor *who,
                                  const struct org_import_db *d,
                                  const struct org_map *file_units,
                                  const struct org_map *file_users)
{
    const char *login = r->col[ORG_COL_CODE];
    const char *unit = r->col[ORG_COL_PARENT];
    const char *backup = r->col[ORG_COL_BACKUP];
    const char *pw = r->col[ORG_COL_PASSWORD];
    const char *why;
    int64_t *seen;
    struct err e;

    if (!org_login_ok(login))
        org_row_bad(a, r, "登录名只能由字母、数字和 . _ - @ 组成，最长64位");
    if (!org_text_ok(r->col[ORG_COL_NAME], 1, ORG_USER_NAME_MAX))
        org_row_bad(a, r, "姓名不能为空，且不超过64个字符");
    if (!org_text_ok(r->col[ORG_COL_PHONE], 0, ORG_PHONE_MAX))
        org_row_bad(a, r, "电话不能超过32个字符");
    if (unit[0] == '\0')
        org_row_bad(a, r, "请填写所在单位代码");
    else if (org_map_get(file_units, unit) == NULL &&
             org_map_get(&d->units, unit) == NULL)
        org_row_bad(a, r,
                    org_text_ok(unit, 1, ORG_CODE_MAX)
                        ? arena_printf(a,
                                       "所在单位 %s 不存在（须已在系统中，"
                                       "或在本文件前面的行中）",
                                       unit)
                        : "所在单位不存在");

    /* roles: codes separated by '|' */
    r->nroles = 0;
    why = NULL;
    for (const char *p = r->col[ORG_COL_KIND]; *p && why == NULL;) {
        const char *bar = strchr(p, '|');
        size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
        const char *role = org_trim(a, p, n);
        if (role[0] != '\0') {
            if (r->nroles >= ACTOR_MAX_ROLES)
                why = "角色过多";
            else if (org_map_get(&d->roles, role) == NULL)
                why = org_text_ok(role, 1, ORG_CODE_MAX)
                          ? arena_printf(a, "角色 %s 不存在", role)
                          : "包含不存在的角色";
            else
                r->roles[r->nroles++] = role;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    if (why == NULL)
        why = org_roles_problem(r->roles, r->nroles, org_role_kind_map,
                                (void *)&d->roles);
    if (why != NULL)
        org_row_bad(a, r, why);

    r->clearance = org_clearance_parse(r->col[ORG_COL_CLEARANCE]);
    if (r->clearance < 0)
        org_row_bad(a, r, "密级只能填 0-3 或 无、秘密、机密、绝密");
    if (!org_may_grant(who)) {
        int admin = 0;
        for (int i = 0; i < r->nroles; i++)
            admin |= org_role_kind_map((void *)&d->roles, r->roles[i]) > 0;
        if (admin || r->clearance > 0)
            org_row_bad(a, r,
                        "系统管理员不能授予管理员角色和密级，请留空，"
                        "由安全保密管理员另行授予");
    }
    if (pw[0] != '\0') {
        err_clear(&e);
        if (auth_password_check(pw, &e) != 0)
            org_row_bad(a, r,
                        e.nfields > 0 ? e.fields[0].message : "密码不符合要求");
    }
    if (backup[0] != '\0') {
        if (strcmp(backup, login) == 0)
            org_row_bad(a, r, "AB角不能是本人");
        else if (org_map_get(file_users, backup) == NULL &&
                 org_map_get(&d->users, backup) == NULL)
            org_row_bad(a, r,
                        org_text_ok(backup, 1, ORG_LOGIN_MAX)
                            ? arena_printf(a,
                                           "AB角 %s 不存在（须已在系统中，"
                                           "或在本文件前面的行中）",
                                           backup)
                            : "AB角人员不存在");
    }
    if (org_login_ok(login)) {
        seen = org_map_get(file_users, login);
        if (seen != NULL)
            org_row_bad(a, r,
                        arena_printf(a, "登录名 %s 在第 %d 行已出现", login,
                                     (int)*seen));
        else if (org_map_get(&d->users, login) != NULL)
            org_row_bad(a, r, arena_printf(a, "登录名 %s 已存在", login));
    }
}

/* Validates every row against d and the rows above it; returns the number
 * of bad rows. */
static int org_import_check(struct arena *a, struct org_irow *rows, int n,
                            const struct actor *who,
                            const struct org_import_db *d)
{
    struct org_map file_units, file_users;
    int nbad = 0;

    org_map_init(&file_units, a, (size_t)n);
    org_map_init(&file_users, a, (size_t)n);
    for (int i = 0; i < n; i++) {
        struct org_irow *r = &rows[i];
        const char *type = r->col[ORG_COL_TYPE];
        if (r->bad != NULL) {
            /* malformed record: nothing more to say about it */
        } else if (strcmp(type, "unit") == 0 || strcmp(type, "单位") == 0) {
            r->typed = 1;
            r->is_user = 0;
            org_import_check_unit(a, r, d, &file_units);
        } else if (strcmp(type, "user") == 0 || strcmp(type, "人员") == 0) {
            r->typed = 1;
            r->is_user = 1;
            org_import_check_user(a, r, who, d, &file_units, &file_users);
        } else {
            org_row_bad(a, r, "类型只能是 unit（单位）或 user（人员）");
        }
        if (r->bad == NULL && !r->is_user) {
            const char *s = r->col[ORG_COL_SORT];
            char *end = NULL;
            long v = s[0] != '\0' ? strtol(s, &end, 10) : 0;
            if (s[0] != '\0' && (*end != '\0' || v < -1000000 || v > 1000000))
                org_row_bad(a, r, "排序号须为整数");
            else
                r->sort = (int)v;
        }
        /* later rows may refer to this one even when it is bad, so that
         * one mistake is reported once */
        if (r->typed && r->col[ORG_COL_CODE][0] != '\0') {
            struct org_map *m = r->is_user ? &file_users : &file_units;
            if (org_map_get(m, r->col[ORG_COL_CODE]) == NULL)
                org_map_put(m, r->col[ORG_COL_CODE], r->line);
        }
        if (r->bad != NULL)
            nbad++;
    }
    return nbad;
}

/* Reads the header and the rows; 0, or -1 with e and rep set. */
static int org_import_parse(struct arena *a, const char *data, size_t len,
                            struct org_irow **out, int *nout,
                            struct import_report *rep, struct err *e)
{
    struct csv c;
    const char *fields[ORG_IMPORT_MAX_COLS];
    int map[ORG_IMPORT_MAX_COLS];
    int nf, line, ncols, n = 0, cap = 64, rc = -1;
    const char *why;
    struct org_irow *rows = arena_alloc(a, sizeof(*rows) * (size_t)cap);

    const char *text;
    size_t tlen;

    rep->nbad = 1;
    rep->nbad_total = 1;
    rep->bad[0].line = 1;
    /* Excel on Chinese Windows saves GB18030: accept it as well as UTF-8 */
    if (csv_to_utf8(a, data, len, &text, &tlen, &line, &why)) {
        rep->bad[0].line = line > 0 ? line : 1;
        rep->bad[0].reason = why;
        return err_set(e, 400, "invalid", "导入文件有误，未导入任何数据");
    }
    csv_init(&c, text, tlen, ORG_IMPORT_MAX_FIELD);
    if (!csv_record(&c, a, fields, ORG_IMPORT_MAX_COLS, &nf, &line, &why)) {
        rep->bad[0].reason = "文件为空";
        err_set(e, 400, "invalid", "导入文件为空");
        goto out;
    }
    if (why != NULL) {
        rep->bad[0].reason = why;
        err_set(e, 400, "invalid", "导入文件的表头有误");
        goto out;
    }
    ncols = nf;
    for (int i = 0; i < nf; i++) {
        map[i] = -1;
        for (int k = 0; k < ORG_NCOLS; k++)
            if (strcmp(fields[i], org_cols[k].name) == 0)
                map[i] = k;
        for (int j = 0; j < i && map[i] >= 0; j++)
            if (map[j] == map[i]) {
                rep->bad[0].reason = arena_printf(a, "表头中的列 %s 重复",
                                                  org_cols[map[i]].name);
                err_set(e, 400, "invalid", "导入文件的表头有误");
                goto out;
            }
        if (map[i] < 0) {
            rep->bad[0].reason =
                org_text_ok(fields[i], 0, 64)
                    ? arena_printf(a, "表头中有未知的列：%s", fields[i])
                    : "表头中有未知的列";
            err_set(e, 400, "invalid", "导入文件的表头有误");
            goto out;
        }
    }
    for (int k = 0; k < ORG_NCOLS; k++) {
        int found = 0;
        for (int i = 0; i < nf; i++)
            found |= map[i] == k;
        if (org_cols[k].required && !found) {
            rep->bad[0].reason =
                arena_printf(a,
                             "表头缺少列 %s（表头须为 type,code_or_login,"
                             "name,unit_or_parent,kind_or_roles,…）",
                             org_cols[k].name);
            err_set(e, 400, "invalid", "导入文件的表头有误");
            goto out;
        }
    }

    while (csv_record(&c, a, fields, ORG_IMPORT_MAX_COLS, &nf, &line, &why)) {
        struct org_irow *r;
        if (why == NULL && nf == 1 && fields[0][0] == '\0')
            continue; /* blank line */
        if (n == ORG_IMPORT_MAX_ROWS) {
            rep->bad[0].line = line;
            rep->bad[0].reason = "文件过大：每次最多导入100000行";
            err_set(e, 413, "too_large", "导入文件过大，每次最多导入100000行");
            goto out;
        }
        if (n == cap) {
            struct org_irow *w = arena_alloc(a, sizeof(*w) * (size_t)cap * 2);
            memcpy(w, rows, sizeof(*rows) * (size_t)cap);
            rows = w;
            cap *= 2;
        }
        r = &rows[n++];
        r->line = line;
        for (int k = 0; k < ORG_NCOLS; k++)
            r->col[k] = "";
        if (why != NULL) {
            r->bad = why;
            continue;
        }
        if (nf > ncols) {
            r->bad = "列数多于表头";
            continue;
        }
        for (int i = 0; i < nf; i++)
            r->col[map[i]] = fields[i];
        for (int k = 0; k < ORG_NCOLS && r->bad == NULL; k++)
            if (org_utf8_chars(r->col[k]) < 0)
                r->bad = k == ORG_COL_PASSWORD
                             ? "密码中含有换行或控制字符"
                             : "含有无效字符：文件须为UTF-8编码"
                               "（Excel 请另存为“CSV UTF-8”），"
                               "单元格内不能换行";
    }
    if (n == 0) {
        rep->bad[0].line = 2;
        rep->bad[0].reason = "文件中没有数据行";
        err_set(e, 400, "invalid", "导入文件中没有数据行");
        goto out;
    }
    rep->nbad = 0;
    rep->nbad_total = 0;
    rep->bad[0].line = 0;
    *out = rows;
    *nout = n;
    rc = 0;
out:
    if (rc != 0 && rep->bad[0].reason == NULL)
        rep->bad[0].reason = "文件有误";
    csv_free(&c);
    return rc;
}

static void org_import_report_bad(struct arena *a, struct org_irow *rows, int n,
                                  struct import_report *rep, struct err *e)
{
    int max = (int)(sizeof(rep->bad) / sizeof(rep->bad[0]));
    rep->nbad = 0;
    rep->nbad_total = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].bad == NULL)
            continue;
        if (rep->nbad < max) {
            rep->bad[rep->nbad].line = rows[i].line;
            rep->bad[rep->nbad].reason = rows[i].bad;
            rep->nbad++;
        }
        rep->nbad_total++;
    }
    err_set(e, 400, "invalid",
            arena_printf(a,
                         "导入文件中有 %d 行有误，未导入任何数据，"
                         "请修改后重新导入",
                         rep->nbad_total));
}

/* Inserts row r (the rows before it are in); audits it. */
static int org_import_row(struct store *db, const struct actor *who,
                          struct org_irow *rows, int i,
                          const struct org_import_db *d,
                          struct org_map *file_ids, int64_t now)
{
    struct org_irow *r = &rows[i];
    int64_t *v;
    json_t *src = json_pack("{s:s,s:i}", "source", "import", "line", r->line);

    if (!r->is_user) {
        struct unit u = {0};
        struct stmt *st;
        const char *parent = r->col[ORG_COL_PARENT];
        int64_t pid = 0;
        if (parent[0] != '\0') {
            v = org_map_get(file_ids, parent);
            pid = v != NULL ? *v : *org_map_get(&d->units, parent);
        }
        u.code = r->col[ORG_COL_CODE];
        u.name = r->col[ORG_COL_NAME];
        u.short_name = r->col[ORG_COL_SHORT];
        u.kind = r->kind;
        u.parent_code = parent;
        u.sort = r->sort;
        u.active = 1;
        st = store_prepare(db, ORG_SQL_UNIT_INSERT);
        store_bind_text(st, 1, u.code);
        store_bind_text(st, 2, u.name);
        store_bind_text(st, 3, u.short_name);
        store_bind_text(st, 4, u.kind);
        org_bind_parent(st, 5, pid);
        store_bind_int(st, 6, u.sort);
        store_bind_int(st, 7, 1);
        store_bind_int(st, 8, now);
        r->id = 0;
        if (store_step(st) == STORE_ROW)
            r->id = store_col_int(st, 0);
        if (store_finalize(st) != STORE_OK || r->id <= 0) {
            json_decref(src);
            return -1;
        }
        org_map_put(file_ids, u.code, r->id);
        return org_audit(db, who, "org.unit.create", "unit", u.code, NULL,
                         org_unit_json(&u), src);
    } else {
        struct user u;
        const char *backup = r->col[ORG_COL_BACKUP];
        int64_t unit_id, backup_id = 0;
        char key[ORG_LOGIN_MAX + 8];
        memset(&u, 0, sizeof(u));
        v = org_map_get(file_ids, r->col[ORG_COL_PARENT]);
        unit_id =
            v != NULL ? *v : *org_map_get(&d->units, r->col[ORG_COL_PARENT]);
        if (backup[0] != '\0') {
            snprintf(key, sizeof(key), "@user:%s", backup);
            v = org_map_get(file_ids, key);
            backup_id = v != NULL ? *v : *org_map_get(&d->users, backup);
        }
        u.login = r->col[ORG_COL_CODE];
        u.name = r->col[ORG_COL_NAME];
        u.unit_code = r->col[ORG_COL_PARENT];
        u.clearance = r->clearance;
        u.backup_login = backup;
        u.phone = r->col[ORG_COL_PHONE];
        u.nroles = r->nroles;
        memcpy(u.roles, r->roles, sizeof(u.roles));
        u.active = 1;
        r->id = org_user_insert(db, &u, unit_id, backup_id,
                                r->hash != NULL ? r->hash : "", now);
        if (r->id < 0) {
            json_decref(src);
            return -1;
        }
        snprintf(key, sizeof(key), "@user:%s", u.login);
        org_map_put(file_ids, arena_strdup(file_ids->a, key), r->id);
        json_object_set_new(src, "password", json_boolean(r->hash != NULL));
        return org_audit(db, who, "org.user.create", "user", u.login, NULL,
                         org_user_json(&u), src);
    }
}

int org_import_csv(struct store *db, const struct actor *who, struct arena *a,
                   const char *data, size_t len, struct import_report *rep,
                   void (*progress)(void *arg, int done, int total), void *arg,
                   struct err *e)
{
    int rc = -1, n = 0;
    struct org_irow *rows = NULL;
    struct org_import_db d;
    struct org_map file_ids;
    int64_t now;

    memset(rep, 0, sizeof(*rep));
    if (!org_may_manage(who))
        return err_set(e, 403, "forbidden", "只有系统管理员可以导入单位和人员");
    if (org_import_parse(a, data, len, &rows, &n, rep, e) != 0)
        return -1;
    if (org_import_db_load(db, a, &d) != 0)
        return org_store_fail(db, e, "cannot read organisation");
    if (org_import_check(a, rows, n, who, &d) > 0) {
        org_import_report_bad(a, rows, n, rep, e);
        return -1;
    }

    /* slow hashing before the transaction */
    for (int i = 0; i < n; i++) {
        const char *pw = rows[i].col[ORG_COL_PASSWORD];
        if (!rows[i].is_user || pw[0] == '\0')
            continue;
        rows[i].hash = arena_alloc(a, 128);
        if (auth_password_hash(pw, rows[i].hash) != 0)
            return err_set(e, 500, "internal", org_msg_internal);
    }

    if (store_begin(db) != STORE_OK)
        return org_store_fail(db, e, "cannot begin import");
    /* the database may have changed while we hashed: check again */
    if (org_import_db_load(db, a, &d) != 0)
        goto fail;
    for (int i = 0; i < n; i++)
        rows[i].bad = NULL;
    if (org_import_check(a, rows, n, who, &d) > 0) {
        org_import_report_bad(a, rows, n, rep, e);
        e->status = 409;
        e->code = "conflict";
        goto rollback;
    }
    org_map_init(&file_ids, a, (size_t)n);
    now = now_ms();
    for (int i = 0; i < n; i++) {
        if (org_import_row(db, who, rows, i, &d, &file_ids, now) != 0)
            goto fail;
        if (rows[i].is_user)
            rep->users++;
        else
            rep->units++;
        if (progress != NULL && (i + 1) % 100 == 0)
            progress(arg, i + 1, n);
    }
    if (org_audit(db, who, "org.import", "import", "csv", NULL, NULL,
                  json_pack("{s:i,s:i,s:i}", "rows", n, "units", rep->units,
                            "users", rep->users)) != 0 ||
        store_commit(db) != STORE_OK)
        goto fail;
    if (progress != NULL && n % 100 != 0)
        progress(arg, n, n);
    rc = 0;
    goto out;
fail:
    org_store_fail(db, e, "cannot import organisation");
rollback:
    store_rollback(db);
    rep->units = 0;
    rep->users = 0;
out:
    return rc;
}
