/*
 * test_org.c - unit tests of units, people and roles (src/kernel/org.c)
 * against a fresh SQLite file per test, migrated with schema_migrations:
 * 三员分立, who may write what, validation, the tree order, before/after in
 * the audit detail, a write and its audit record committing together, and
 * the CSV import (format, validation of every row, nothing imported when
 * one row is bad, progress).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/auth.h"
#include "kernel/org.h"
#include "kernel/schema.h"
#include "store/store.h"

enum { A_CLI, A_SYS, A_SEC, A_AUD, A_CLERK, A_STAFF, A_LEADER, A_N };

static const struct {
    const char *login, *role;
} people[A_N] = {
    {NULL, NULL},       {"admin", "sysadmin"}, {"sec", "secadmin"},
    {"aud", "auditor"}, {"clerk", "clerk"},    {"staff", "staff"},
    {"boss", "leader"},
};

struct fx {
    char dir[64];
    char path[128];
    char pgname[64]; /* PostgreSQL: the database of this test */
    struct store *db;
    struct arena *a;
    struct actor who[A_N];
};

static int64_t count_rows(struct store *db, const char *sql)
{
    int64_t n = -1;
    assert_int_not_equal(store_query_int(db, sql, &n, ""), STORE_ERR);
    return n;
}

/* The backend of this pass: NULL for SQLite, else the admin url of a
 * PostgreSQL server (SHUNIU_TEST_PG_ADMIN or SHUNIU_TEST_PG_URL, as
 * scripts/test.sh sets it) on which each test gets a database of its own. */
static const char *pg_admin;

/* A new empty database for one test; its url goes into url. */
static int fresh_db(struct fx *f, char *url, size_t len)
{
    static int serial;
    char err[256];
    if (pg_admin == NULL) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-org-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(url, len, "sqlite:%s", f->path);
        return 0;
    }
    snprintf(f->pgname, sizeof(f->pgname), "shuniu_org_%ld_%d", (long)getpid(),
             ++serial);
    if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) !=
            STORE_OK ||
        store_url_with_db(pg_admin, f->pgname, url, len) != STORE_OK) {
        fprintf(stderr, "fresh_db: %s\n", err);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256], url[160];
    struct config c;
    struct err e;

    config_defaults(&c);
    auth_configure(&c);
    if (fresh_db(f, url, sizeof(url)) != 0)
        return -1;
    f->db = store_open(url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    f->a = arena_new();
    actor_cli(&f->who[A_CLI]);

    struct unit gov = {0}, office = {0};
    gov.code = "gov";
    gov.name = "市人民政府";
    gov.kind = "government";
    office.code = "office";
    office.name = "市人民政府办公室";
    office.kind = "office";
    office.parent_code = "gov";
    err_clear(&e);
    if (org_unit_create(f->db, &f->who[A_CLI], &gov, &e) ||
        org_unit_create(f->db, &f->who[A_CLI], &office, &e))
        return -1;
    for (int i = 1; i < A_N; i++) {
        struct user u = {0};
        u.login = people[i].login;
        u.name = people[i].login;
        u.unit_code = "office";
        u.nroles = 1;
        u.roles[0] = people[i].role;
        err_clear(&e);
        if (org_user_create(f->db, &f->who[A_CLI], &u, NULL, &e)) {
            fprintf(stderr, "setup: %s\n", e.message);
            return -1;
        }
        if (auth_actor_load(f->db, f->a, u.id, &f->who[i]))
            return -1;
        f->who[i].ip = "127.0.0.1";
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[160];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    } else {
        unlink(f->path);
        snprintf(p, sizeof(p), "%s-wal", f->path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", f->path);
        unlink(p);
        rmdir(f->dir);
    }
    free(f);
    now_reset();
    return 0;
}

/* The newest audit record, parsed detail in *detail (caller decrefs). */
static struct audit_rec last_audit(struct fx *f, json_t **detail)
{
    struct audit_rec *r;
    int n, total;
    struct err e;
    struct audit_filter flt = {0};
    flt.limit = 1;
    err_clear(&e);
    assert_int_equal(audit_list(f->db, f->a, &flt, &r, &n, &total, &e), 0);
    assert_int_equal(n, 1);
    if (detail != NULL) {
        *detail = json_loads(r[0].detail, 0, NULL);
        assert_non_null(*detail);
    }
    return r[0];
}

static void test_labels(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *label;
    } kinds[] = {
        {"government", "政府"},
        {"office", "办公室"},
        {"section", "科室"},
        {"department", "部门"},
        {"county", "县区"},
        {"ministry", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *got = org_kind_label(kinds[i].kind);
        if (kinds[i].label == NULL)
            assert_null(got);
        else
            assert_string_equal(got, kinds[i].label);
    }
    static const char *const cl[] = {"无", "秘密", "机密", "绝密"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(org_clearance_label(i), cl[i]);
    assert_null(org_clearance_label(-1));
    assert_null(org_clearance_label(4));
}

/* 三员分立: at most one administrator role, never with a business role. */
static void test_separation_of_three(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *roles[4];
        int n;
        int ok;
    } rows[] = {
        {{NULL}, 0, 1},
        {{"sysadmin"}, 1, 1},
        {{"secadmin"}, 1, 1},
        {{"auditor"}, 1, 1},
        {{"leader", "staff"}, 2, 1},
        {{"clerk", "staff", "leader"}, 3, 1},
        {{"petition_clerk", "staff"}, 2, 1},
        {{"sysadmin", "secadmin"}, 2, 0},
        {{"secadmin", "auditor"}, 2, 0},
        {{"sysadmin", "auditor"}, 2, 0},
        {{"sysadmin", "secadmin", "auditor"}, 3, 0},
        {{"sysadmin", "leader"}, 2, 0},
        {{"staff", "auditor"}, 2, 0},
        {{"secadmin", "clerk"}, 2, 0},
        {{"auditor", "petition_clerk"}, 2, 0},
        {{"nosuchrole"}, 1, 0},
        {{"staff", "staff"}, 2, 0},
        {{""}, 1, 0},
    };
    assert_int_equal(org_role_ensure(f->db, "petition_clerk", "信访登记员"), 0);
    /* ensuring twice is harmless */
    assert_int_equal(org_role_ensure(f->db, "petition_clerk", "信访登记员"), 0);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct err e;
        err_clear(&e);
        int rc = org_roles_check(f->db, rows[i].roles, rows[i].n, &e);
        if ((rc == 0) != rows[i].ok)
            fail_msg("row %zu: roles check gave %d", i, rc);
        if (!rows[i].ok) {
            assert_int_equal(e.status, 400);
            assert_int_equal(e.nfields, 1);
            assert_string_equal(e.fields[0].field, "roles");
        }
        /* the same through a grant: refused grants change nothing */
        err_clear(&e);
        rc = org_user_grant(f->db, &f->who[A_SEC], "staff", rows[i].roles,
                            rows[i].n, 0, &e);
        assert_int_equal(rc == 0, rows[i].ok);
        struct user u;
        err_clear(&e);
        assert_int_equal(org_user_get(f->db, f->a, "staff", &u, &e), 0);
        if (rows[i].ok) {
            assert_int_equal(u.nroles, rows[i].n);
            /* back to staff for the next row */
            const char *staff[] = {"staff"};
            assert_int_equal(
                org_user_grant(f->db, &f->who[A_SEC], "staff", staff, 1, 0, &e),
                0);
        } else {
            assert_int_equal(u.nroles, 1);
            assert_string_equal(u.roles[0], "staff");
        }
    }
    /* roles are data: the built-in six are there, administrators flagged */
    struct role *roles;
    int n, admins = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_role_list(f->db, f->a, &roles, &n, &e), 0);
    assert_int_equal(n, 7);
    for (int i = 0; i < n; i++)
        admins += roles[i].admin;
    assert_int_equal(admins, 3);
    assert_string_equal(roles[0].code, "auditor");
}

enum op {
    OP_UNIT_CREATE,
    OP_UNIT_UPDATE,
    OP_USER_CREATE,
    OP_USER_CREATE_CLEARANCE,
    OP_USER_CREATE_ADMIN,
    OP_USER_UPDATE,
    OP_GRANT,
    OP_IMPORT,
};

static int run_op(struct fx *f, enum op op, const struct actor *who, int i,
                  struct err *e)
{
    char code[32];
    snprintf(code, sizeof(code), "u%d", i);
    switch (op) {
    case OP_UNIT_CREATE: {
        struct unit u = {0};
        u.code = code;
        u.name = "某局";
        u.kind = "department";
        u.parent_code = "gov";
        return org_unit_create(f->db, who, &u, e);
    }
    case OP_UNIT_UPDATE: {
        struct unit u = {0};
        u.name = "改名";
        u.active = -1;
        return org_unit_update(f->db, who, "office", &u, e);
    }
    case OP_USER_CREATE:
    case OP_USER_CREATE_CLEARANCE:
    case OP_USER_CREATE_ADMIN: {
        struct user u = {0};
        u.login = code;
        u.name = "某人";
        u.unit_code = "office";
        u.nroles = 1;
        u.roles[0] = op == OP_USER_CREATE_ADMIN ? "auditor" : "staff";
        u.clearance = op == OP_USER_CREATE_CLEARANCE ? 2 : 0;
        return org_user_create(f->db, who, &u, NULL, e);
    }
    case OP_USER_UPDATE: {
        struct user u = {0};
        u.phone = "0871-1234567";
        u.active = -1;
        return org_user_update(f->db, who, "staff", &u, e);
    }
    case OP_GRANT: {
        const char *roles[] = {"leader", "staff"};
        return org_user_grant(f->db, who, "staff", roles, 2, 1, e);
    }
    case OP_IMPORT: {
        struct import_report rep;
        char csv[200];
        snprintf(csv, sizeof(csv),
                 "type,code_or_login,name,unit_or_parent,kind_or_roles\n"
                 "unit,%s,某局,gov,department\n",
                 code);
        return org_import_csv(f->db, who, f->a, csv, strlen(csv), &rep, NULL,
                              NULL, e);
    }
    }
    return -1;
}

/* Who may do what: sysadmin manages units and people, secadmin grants,
 * auditor and business roles write nothing; the CLI operator does all.
 * A refusal writes nothing, not even an audit record. */
static void test_who_may_write(void **state)
{
    struct fx *f = *state;
    static const struct {
        enum op op;
        int ok[A_N]; /* cli sys sec aud clerk staff leader */
    } rows[] = {
        {OP_UNIT_CREATE, {1, 1, 0, 0, 0, 0, 0}},
        {OP_UNIT_UPDATE, {1, 1, 0, 0, 0, 0, 0}},
        {OP_USER_CREATE, {1, 1, 0, 0, 0, 0, 0}},
        {OP_USER_CREATE_CLEARANCE, {1, 0, 0, 0, 0, 0, 0}},
        {OP_USER_CREATE_ADMIN, {1, 0, 0, 0, 0, 0, 0}},
        {OP_USER_UPDATE, {1, 1, 0, 0, 0, 0, 0}},
        {OP_GRANT, {1, 0, 1, 0, 0, 0, 0}},
        {OP_IMPORT, {1, 1, 0, 0, 0, 0, 0}},
    };
    int i = 0;
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        for (int w = 0; w < A_N; w++, i++) {
            struct err e;
            int64_t before = count_rows(f->db, "SELECT COUNT(*) FROM audit");
            err_clear(&e);
            int rc = run_op(f, rows[r].op, &f->who[w], i, &e);
            int64_t after = count_rows(f->db, "SELECT COUNT(*) FROM audit");
            if ((rc == 0) != rows[r].ok[w])
                fail_msg("op %d as %s: rc %d (%s)", (int)rows[r].op,
                         f->who[w].login, rc, e.message ? e.message : "");
            if (rc != 0) {
                assert_int_equal(e.status, 403);
                assert_non_null(e.message);
                assert_int_equal(after, before);
            } else {
                assert_true(after > before);
            }
        }
    }
    /* no one changes their own grants */
    const char *roles[] = {"secadmin"};
    struct err e;
    err_clear(&e);
    assert_int_equal(
        org_user_grant(f->db, &f->who[A_SEC], "sec", roles, 1, 3, &e), -1);
    assert_int_equal(e.status, 403);
    /* no one disables themselves */
    struct user u = {0};
    u.active = 0;
    err_clear(&e);
    assert_int_equal(org_user_update(f->db, &f->who[A_SYS], "admin", &u, &e),
                     -1);
    assert_string_equal(e.fields[0].field, "active");
}

static void test_unit_validation(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *code, *name, *kind, *parent;
        int status;
        const char *field;
    } rows[] = {
        {"jtj", "市交通局", "department", "gov", 0, NULL},
        {"jtj", "重复", "department", NULL, 409, "code"},
        {"交通", "某局", "department", NULL, 400, "code"},
        {"a b", "某局", "department", NULL, 400, "code"},
        {"", "某局", "department", NULL, 400, "code"},
        {"x123456789012345678901234567890123", "某局", "department", NULL, 400,
         "code"},
        {"x1", "", "department", NULL, 400, "name"},
        {"x1", NULL, "department", NULL, 400, "name"},
        {"x1", "某局", "ministry", NULL, 400, "kind"},
        {"x1", "某局", NULL, NULL, 400, "kind"},
        {"x1", "某局", "department", "nowhere", 400, "parent"},
        /* every bad field is named at once */
        {"x1", "某局", "ministry", "nowhere", 400, "parent"},
        {"x1", "某局", "ministry", "nowhere", 400, "kind"},
        {"x1", "某\x01局", "department", NULL, 400, "name"},
        {"x1", "\xff\xfe", "department", NULL, 400, "name"},
        {"x_1-b", "某县", "county", "", 0, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct unit u = {0};
        struct err e;
        u.code = rows[i].code;
        u.name = rows[i].name;
        u.kind = rows[i].kind;
        u.parent_code = rows[i].parent;
        err_clear(&e);
        int rc = org_unit_create(f->db, &f->who[A_SYS], &u, &e);
        if (rows[i].status == 0) {
            if (rc != 0)
                fail_msg("row %zu: %s", i, e.message);
            assert_true(u.id > 0);
            continue;
        }
        assert_int_equal(rc, -1);
        if (e.status != rows[i].status)
            fail_msg("row %zu: status %d, want %d", i, e.status,
                     rows[i].status);
        int found = 0;
        for (int k = 0; k < e.nfields; k++)
            found |= strcmp(e.fields[k].field, rows[i].field) == 0;
        if (!found)
            fail_msg("row %zu: no field %s", i, rows[i].field);
    }
}

/* The tree stays a tree; lists put parents before children. */
static void test_unit_tree(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *code, *parent;
        int sort;
    } units[] = {
        {"b_dept", "gov", 2}, {"a_dept", "gov", 1}, {"sec1", "office", 0},
        {"sub", "a_dept", 0}, {"county", NULL, 0},
    };
    struct err e;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        struct unit u = {0};
        u.code = units[i].code;
        u.name = units[i].code;
        u.kind = "department";
        u.parent_code = units[i].parent;
        u.sort = units[i].sort;
        err_clear(&e);
        assert_int_equal(org_unit_create(f->db, &f->who[A_SYS], &u, &e), 0);
    }
    struct unit *v;
    int n;
    err_clear(&e);
    assert_int_equal(org_unit_list(f->db, f->a, &v, &n, &e), 0);
    assert_int_equal(n, 7);
    static const char *const want[] = {"county", "gov", "office", "sec1",
                                       "a_dept", "sub", "b_dept"};
    for (int i = 0; i < n; i++)
        assert_string_equal(v[i].code, want[i]);
    assert_string_equal(v[5].parent_code, "a_dept");

    /* cycles refused: itself, a child, a grandchild */
    static const struct {
        const char *code, *parent;
        int ok;
    } moves[] = {
        {"gov", "gov", 0},    {"gov", "a_dept", 0}, {"gov", "sub", 0},
        {"a_dept", "sub", 0}, {"sub", "office", 1}, {"a_dept", "", 1},
        {"gov", "county", 1},
    };
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        struct unit u;
        err_clear(&e);
        assert_int_equal(org_unit_get(f->db, f->a, moves[i].code, &u, &e), 0);
        u.parent_code = moves[i].parent;
        err_clear(&e);
        int rc = org_unit_update(f->db, &f->who[A_SYS], moves[i].code, &u, &e);
        if ((rc == 0) != moves[i].ok)
            fail_msg("move %zu: rc %d", i, rc);
        if (!moves[i].ok)
            assert_string_equal(e.fields[0].field, "parent");
    }
    err_clear(&e);
    struct unit u;
    assert_int_equal(org_unit_get(f->db, f->a, "nowhere", &u, &e), -1);
    assert_int_equal(e.status, 404);
}

/* Every write records before and after. */
static void test_audit_before_after(void **state)
{
    struct fx *f = *state;
    struct unit u;
    struct err e;
    json_t *d;

    err_clear(&e);
    assert_int_equal(org_unit_get(f->db, f->a, "office", &u, &e), 0);
    u.name = "市政府办";
    assert_int_equal(org_unit_update(f->db, &f->who[A_SYS], "office", &u, &e),
                     0);
    struct audit_rec r = last_audit(f, &d);
    assert_string_equal(r.action, "org.unit.update");
    assert_string_equal(r.actor_login, "admin");
    assert_string_equal(r.ip, "127.0.0.1");
    assert_string_equal(r.target_type, "unit");
    assert_string_equal(r.target, "office");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(d, "before"), "name")),
                        "市人民政府办公室");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(d, "after"), "name")),
        "市政府办");
    json_decref(d);

    const char *roles[] = {"leader"};
    assert_int_equal(
        org_user_grant(f->db, &f->who[A_SEC], "clerk", roles, 1, 2, &e), 0);
    r = last_audit(f, &d);
    assert_string_equal(r.action, "org.user.grant");
    assert_string_equal(r.target, "clerk");
    json_t *b = json_object_get(d, "before"), *a = json_object_get(d, "after");
    assert_int_equal(json_integer_value(json_object_get(b, "clearance")), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "clearance")), 2);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(b, "roles"), 0)),
        "clerk");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(a, "roles"), 0)),
        "leader");
    json_decref(d);

    struct user p;
    assert_int_equal(org_user_get(f->db, f->a, "staff", &p, &e), 0);
    p.backup_login = "clerk";
    p.phone = "13800000000";
    assert_int_equal(org_user_update(f->db, &f->who[A_SYS], "staff", &p, &e),
                     0);
    r = last_audit(f, &d);
    assert_string_equal(r.action, "org.user.update");
    b = json_object_get(d, "before");
    a = json_object_get(d, "after");
    assert_string_equal(json_string_value(json_object_get(b, "backup")), "");
    assert_string_equal(json_string_value(json_object_get(a, "backup")),
                        "clerk");
    assert_string_equal(json_string_value(json_object_get(a, "phone")),
                        "13800000000");
    json_decref(d);
    assert_int_equal(org_user_get(f->db, f->a, "staff", &p, &e), 0);
    assert_string_equal(p.backup_login, "clerk");

    /* creation: after only, and never the password */
    struct user n = {0};
    n.login = "newbie";
    n.name = "新人";
    n.unit_code = "office";
    assert_int_equal(
        org_user_create(f->db, &f->who[A_SYS], &n, "Good-Pass-2026", &e), 0);
    r = last_audit(f, &d);
    assert_string_equal(r.action, "org.user.create");
    assert_null(json_object_get(d, "before"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(d, "after"), "login")),
                        "newbie");
    assert_null(strstr(r.detail, "Good-Pass"));
    assert_null(strstr(r.detail, "argon2"));
    json_decref(d);
}

/* A write and its audit record commit together: when the record cannot be
 * written, the write is not there either. */
static void test_write_and_audit_together(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t units = count_rows(f->db, "SELECT COUNT(*) FROM units");
    int64_t users = count_rows(f->db, "SELECT COUNT(*) FROM users");

    assert_int_equal(store_exec(f->db, "ALTER TABLE audit RENAME TO audit_x"),
                     STORE_OK);
    struct unit u = {0};
    u.code = "lost";
    u.name = "丢失局";
    u.kind = "department";
    err_clear(&e);
    assert_int_equal(org_unit_create(f->db, &f->who[A_SYS], &u, &e), -1);
    assert_int_equal(e.status, 500);
    struct user p = {0};
    p.login = "lost";
    p.name = "丢失";
    p.unit_code = "office";
    err_clear(&e);
    assert_int_equal(org_user_create(f->db, &f->who[A_SYS], &p, NULL, &e), -1);
    const char *roles[] = {"leader"};
    err_clear(&e);
    assert_int_equal(
        org_user_grant(f->db, &f->who[A_SEC], "clerk", roles, 1, 3, &e), -1);
    struct import_report rep;
    static const char csv[] =
        "type,code_or_login,name,unit_or_parent,kind_or_roles\n"
        "unit,lost2,某局,gov,department\n";
    err_clear(&e);
    assert_int_equal(org_import_csv(f->db, &f->who[A_SYS], f->a, csv,
                                    strlen(csv), &rep, NULL, NULL, &e),
                     -1);
    assert_int_equal(store_exec(f->db, "ALTER TABLE audit_x RENAME TO audit"),
                     STORE_OK);

    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM units"), units);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM users"), users);
    struct user c;
    err_clear(&e);
    assert_int_equal(org_user_get(f->db, f->a, "clerk", &c, &e), 0);
    assert_int_equal(c.clearance, 0);
    assert_string_equal(c.roles[0], "clerk");
    assert_int_equal(store_in_tx(f->db), 0);
}

static void test_user_list(void **state)
{
    struct fx *f = *state;
    static const struct {
        struct user_filter flt;
        int total, n;
        const char *first;
    } rows[] = {
        {{NULL, NULL, -1, 0, 0}, 6, 6, "admin"},
        {{"office", NULL, -1, 0, 0}, 6, 6, "admin"},
        {{"gov", NULL, -1, 0, 0}, 0, 0, NULL},
        {{NULL, "cle", -1, 0, 0}, 1, 1, "clerk"},
        {{NULL, "%", -1, 0, 0}, 0, 0, NULL},
        {{NULL, "_", -1, 0, 0}, 0, 0, NULL},
        {{NULL, NULL, -1, 2, 1}, 6, 2, "aud"},
        {{NULL, NULL, 0, 0, 0}, 1, 1, "staff"},
        {{NULL, NULL, 1, 0, 0}, 5, 5, "admin"},
    };
    struct user u;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_user_get(f->db, f->a, "staff", &u, &e), 0);
    u.active = 0;
    assert_int_equal(org_user_update(f->db, &f->who[A_SYS], "staff", &u, &e),
                     0);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct user *v;
        int n, total;
        err_clear(&e);
        assert_int_equal(
            org_user_list(f->db, f->a, &rows[i].flt, &v, &n, &total, &e), 0);
        if (total != rows[i].total || n != rows[i].n)
            fail_msg("row %zu: total %d n %d", i, total, n);
        if (rows[i].first != NULL)
            assert_string_equal(v[0].login, rows[i].first);
    }
    struct user *v;
    int n, total;
    struct user_filter all = {NULL, "boss", -1, 0, 0};
    assert_int_equal(org_user_list(f->db, f->a, &all, &v, &n, &total, &e), 0);
    assert_int_equal(v[0].nroles, 1);
    assert_string_equal(v[0].roles[0], "leader");
    assert_string_equal(v[0].unit_code, "office");
    assert_string_equal(v[0].unit_name, "市人民政府办公室");
    err_clear(&e);
    assert_int_equal(org_user_get_id(f->db, f->a, v[0].id, &u, &e), 0);
    assert_string_equal(u.login, "boss");
    err_clear(&e);
    assert_int_equal(org_user_get(f->db, f->a, "ghost", &u, &e), -1);
    assert_int_equal(e.status, 404);
}

static void test_user_validation(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *login, *name, *unit, *backup, *password;
        int clearance;
        int status;
        const char *field;
    } rows[] = {
        {"zhang", "张三", "office", "clerk", NULL, 0, 0, NULL},
        {"zhang", "张三", "office", NULL, NULL, 0, 409, "login"},
        {"张", "张三", "office", NULL, NULL, 0, 400, "login"},
        {"li si", "李四", "office", NULL, NULL, 0, 400, "login"},
        {"lisi", "", "office", NULL, NULL, 0, 400, "name"},
        {"lisi", "李四", NULL, NULL, NULL, 0, 400, "unit"},
        {"lisi", "李四", "nowhere", NULL, NULL, 0, 400, "unit"},
        {"lisi", "李四", "office", "ghost", NULL, 0, 400, "backup"},
        {"lisi", "", "nowhere", NULL, NULL, 0, 400, "unit"},
        {"lisi", "李四", "office", NULL, "short1A", 0, 400, "password"},
        {"lisi", "李四", "office", NULL, "alllowercase", 0, 400, "password"},
        {"lisi", "李四", "office", NULL, NULL, 4, 400, "clearance"},
        {"lisi", "李四", "office", NULL, "Li-Si-2026", 3, 0, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct user u = {0};
        struct err e;
        u.login = rows[i].login;
        u.name = rows[i].name;
        u.unit_code = rows[i].unit;
        u.backup_login = rows[i].backup;
        u.clearance = rows[i].clearance;
        err_clear(&e);
        int rc =
            org_user_create(f->db, &f->who[A_CLI], &u, rows[i].password, &e);
        if (rows[i].status == 0) {
            if (rc != 0)
                fail_msg("row %zu: %s", i, e.message);
            continue;
        }
        assert_int_equal(rc, -1);
        if (e.status != rows[i].status)
            fail_msg("row %zu: status %d", i, e.status);
        int found = 0;
        for (int k = 0; k < e.nfields; k++)
            found |= strcmp(e.fields[k].field, rows[i].field) == 0;
        if (!found)
            fail_msg("row %zu: no field %s", i, rows[i].field);
    }
    struct user u;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_user_get(f->db, f->a, "lisi", &u, &e), 0);
    assert_int_equal(u.clearance, 3);
    /* AB角 is not oneself */
    u.backup_login = "lisi";
    err_clear(&e);
    assert_int_equal(org_user_update(f->db, &f->who[A_SYS], "lisi", &u, &e),
                     -1);
    assert_string_equal(e.fields[0].field, "backup");
}

/* ---- CSV import ---- */

static const char csv_header[] =
    "type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,"
    "short_name\n";

static void test_import_good_file(void **state)
{
    struct fx *f = *state;
    /* BOM, CRLF, quotes with a comma and doubled quotes, Chinese kind and
     * clearance labels, spaces trimmed, a blank line, no final newline */
    static const char csv[] =
        "\xEF\xBB\xBF"
        "type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,"
        "short_name,password,phone,backup\r\n"
        "unit,jtj,\"市交通运输局（\"\"交通\"\"，港航）\",gov,department,,"
        "市交通局,,,\r\n"
        "\r\n"
        "unit,jtj_bgs,办公室,jtj,科室,,,,,\r\n"
        "user,jtj_li,李明,jtj,leader|staff,机密,,Li-Ming-2026,,\r\n"
        "user,jtj_wang, 王芳 ,jtj_bgs,staff,1,\"多,行\",,0871-1,jtj_li\r\n"
        "unit,xq,西区,,县区,,,,,";
    struct import_report rep;
    struct err e;
    int64_t audit_before = count_rows(f->db, "SELECT COUNT(*) FROM audit");
    err_clear(&e);
    int rc = org_import_csv(f->db, &f->who[A_CLI], f->a, csv, sizeof(csv) - 1,
                            &rep, NULL, NULL, &e);
    if (rc != 0)
        fail_msg("import: %s (%d bad, line %d: %s)", e.message, rep.nbad,
                 rep.bad[0].line, rep.bad[0].reason);
    assert_int_equal(rep.units, 3);
    assert_int_equal(rep.users, 2);
    assert_int_equal(rep.nbad, 0);
    /* one record per row and one for the import */
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM audit"),
                     audit_before + 6);

    struct unit u;
    assert_int_equal(org_unit_get(f->db, f->a, "jtj", &u, &e), 0);
    assert_string_equal(u.name, "市交通运输局（\"交通\"，港航）");
    assert_string_equal(u.short_name, "市交通局");
    assert_string_equal(u.parent_code, "gov");
    assert_int_equal(org_unit_get(f->db, f->a, "jtj_bgs", &u, &e), 0);
    assert_string_equal(u.kind, "section");
    assert_string_equal(u.parent_code, "jtj");
    assert_int_equal(org_unit_get(f->db, f->a, "xq", &u, &e), 0);
    assert_string_equal(u.kind, "county");
    assert_string_equal(u.parent_code, "");

    struct user p;
    assert_int_equal(org_user_get(f->db, f->a, "jtj_li", &p, &e), 0);
    assert_int_equal(p.clearance, 2);
    assert_int_equal(p.nroles, 2);
    assert_int_equal(org_user_get(f->db, f->a, "jtj_wang", &p, &e), 0);
    assert_string_equal(p.name, "王芳");
    assert_string_equal(p.unit_code, "jtj_bgs");
    assert_string_equal(p.backup_login, "jtj_li");
    assert_string_equal(p.phone, "0871-1");
    assert_int_equal(p.clearance, 1);

    /* the password given works; without one, sign-in is refused (401) */
    const char *sid, *csrf;
    struct actor who;
    err_clear(&e);
    assert_int_equal(auth_login(f->db, f->a, "jtj_li", "Li-Ming-2026",
                                "127.0.0.1", &sid, &csrf, &who, &e),
                     0);
    assert_string_equal(who.unit_code, "jtj");
    err_clear(&e);
    assert_int_equal(auth_login(f->db, f->a, "jtj_wang", "", "127.0.0.1", &sid,
                                &csrf, &who, &e),
                     -1);
    assert_int_equal(e.status, 401);
}

/* Each kind of bad row is found, with its line; nothing is imported. */
static void test_import_bad_rows(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *rows;  /* after the header (line 1) */
        int line;          /* the bad row's line */
        const char *words; /* in its reason */
    } cases[] = {
        {"thing,x1,某,gov,department,,\n", 2, "类型"},
        {"unit,交通,某局,gov,department,,\n", 2, "单位代码"},
        {"unit,x1,某局,gov,department,,\nunit,x1,又一局,gov,department,,\n", 3,
         "第 3 行已出现"},
        {"unit,office,某局,gov,department,,\n", 2, "已存在"},
        {"unit,x1,某局,nowhere,department,,\n", 2, "上级单位 nowhere"},
        {"unit,x2,某科,x1,section,,\nunit,x1,某局,gov,department,,\n", 2,
         "上级单位 x1"},
        {"unit,x1,某局,gov,ministry,,\n", 2, "单位类别"},
        {"unit,x1,,gov,department,,\n", 2, "单位名称"},
        {"user,u1,某人,nowhere,staff,,\n", 2, "所在单位 nowhere"},
        {"user,u1,某人,office,staff|wizard,,\n", 2, "角色 wizard"},
        {"user,u1,某人,office,sysadmin|staff,,\n", 2, "三员分立"},
        {"user,u1,某人,office,secadmin|auditor,,\n", 2, "三员分立"},
        {"user,u1,某人,office,staff,5,\n", 2, "密级"},
        {"user,u1,某人,office,staff,高,\n", 2, "密级"},
        {"user,clerk,某人,office,staff,,\n", 2, "登录名 clerk 已存在"},
        {"user,u1,某人,office,staff,,\nuser,u1,某人,office,staff,,\n", 3,
         "第 3 行已出现"},
        {"user,u 1,某人,office,staff,,\n", 2, "登录名"},
        {"user,u1,,office,staff,,\n", 2, "姓名"},
        {"user,u1,某人,,staff,,\n", 2, "所在单位"},
        {"unit,x1,\"某\"局,gov,department,,\n", 2, "引号"},
        {"unit,x1,某\"局,gov,department,,\n", 2, "引号"},
        {"unit,x1,某局,gov,department,,,extra\n", 2, "列数"},
        {"unit,x1,\xC4\xE3\xBA\xC3,gov,department,,\n", 2, "UTF-8"},
        {"unit,x1,\"某局,gov,department,,\n", 2, "引号"},
    };
    int64_t units = count_rows(f->db, "SELECT COUNT(*) FROM units");
    int64_t audit = count_rows(f->db, "SELECT COUNT(*) FROM audit");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b;
        struct import_report rep;
        struct err e;
        buf_init(&b, 0);
        buf_puts(&b, csv_header);
        /* a good row first: it must not be imported either */
        buf_puts(&b, "unit,good1,好局,gov,department,,\n");
        buf_puts(&b, cases[i].rows);
        err_clear(&e);
        int rc = org_import_csv(f->db, &f->who[A_CLI], f->a, b.ptr, b.len, &rep,
                                NULL, NULL, &e);
        if (rc != -1)
            fail_msg("case %zu: imported", i);
        assert_int_equal(e.status, 400);
        if (rep.nbad != 1)
            fail_msg("case %zu: %d bad rows (first line %d: %s)", i, rep.nbad,
                     rep.bad[0].line, rep.bad[0].reason);
        /* +1: the good row shifted every line (the words were written
         * with the shift) */
        if (rep.bad[0].line != cases[i].line + 1 ||
            strstr(rep.bad[0].reason, cases[i].words) == NULL)
            fail_msg("case %zu: line %d \"%s\", want line %d with \"%s\"", i,
                     rep.bad[0].line, rep.bad[0].reason, cases[i].line + 1,
                     cases[i].words);
        assert_int_equal(rep.units, 0);
        assert_int_equal(rep.users, 0);
        buf_free(&b);
    }
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM units"), units);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM audit"), audit);
}

/* Several bad rows are all reported, in order; a bad password too. */
static void test_import_reports_every_bad_row(void **state)
{
    struct fx *f = *state;
    static const char csv[] =
        "type,code_or_login,name,unit_or_parent,kind_or_roles,password\n"
        "unit,a1,甲局,gov,department,\n"         /* 2 ok */
        "unit,a2,乙局,gov,planet,\n"             /* 3 bad kind */
        "user,p1,某人,a1,staff,Good-Pass-2026\n" /* 4 ok */
        "user,p2,某人,a1,staff,weakpass\n"       /* 5 bad password */
        "user,p3,某人,a9,staff,\n"               /* 6 unknown unit */
        "unit,a1,甲局,gov,department,secret\n";  /* 7 dup + password */
    struct import_report rep;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_import_csv(f->db, &f->who[A_CLI], f->a, csv,
                                    sizeof(csv) - 1, &rep, NULL, NULL, &e),
                     -1);
    assert_int_equal(rep.nbad, 4);
    assert_int_equal(rep.nbad_total, 4);
    static const int lines[] = {3, 5, 6, 7};
    for (int i = 0; i < 4; i++)
        assert_int_equal(rep.bad[i].line, lines[i]);
    assert_non_null(strstr(rep.bad[1].reason, "密码需包含"));
    assert_non_null(strstr(rep.bad[3].reason, "已出现"));
    assert_non_null(strstr(rep.bad[3].reason, "密码"));
    assert_non_null(strstr(e.message, "4"));
    struct unit u;
    err_clear(&e);
    assert_int_equal(org_unit_get(f->db, f->a, "a1", &u, &e), -1);

    /* a quoted field spanning lines: rows after it keep their numbers */
    static const char multi[] =
        "type,code_or_login,name,unit_or_parent,kind_or_roles,short_name\n"
        "unit,m1,某局,gov,department,\"a\r\nb\nc\"\n"
        "unit,m2,某局,nowhere,department,\n";
    err_clear(&e);
    assert_int_equal(org_import_csv(f->db, &f->who[A_CLI], f->a, multi,
                                    sizeof(multi) - 1, &rep, NULL, NULL, &e),
                     -1);
    assert_int_equal(rep.nbad, 2);
    assert_int_equal(rep.bad[0].line, 2);
    assert_non_null(strstr(rep.bad[0].reason, "换行"));
    assert_int_equal(rep.bad[1].line, 5);
}

/* A sysadmin imports units and people with business roles, but not
 * administrator roles or clearance; others may not import at all. */
static void test_import_separation(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *row;
        int ok;
    } rows[] = {
        {"user,i1,某人,office,staff|leader,,\n", 1},
        {"user,i2,某人,office,,0,\n", 1},
        {"user,i3,某人,office,auditor,,\n", 0},
        {"user,i4,某人,office,staff,2,\n", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct buf b;
        struct import_report rep;
        struct err e;
        buf_init(&b, 0);
        buf_puts(&b, csv_header);
        buf_puts(&b, rows[i].row);
        err_clear(&e);
        int rc = org_import_csv(f->db, &f->who[A_SYS], f->a, b.ptr, b.len, &rep,
                                NULL, NULL, &e);
        if ((rc == 0) != rows[i].ok)
            fail_msg("row %zu: rc %d", i, rc);
        if (!rows[i].ok)
            assert_non_null(strstr(rep.bad[0].reason, "安全保密管理员"));
        buf_free(&b);
    }
}

static void test_import_header_and_empty(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *csv;
        int status;
        const char *words;
    } rows[] = {
        {"", 400, "文件为空"},
        {"\xEF\xBB\xBF", 400, "文件为空"},
        {"type,code_or_login,name,unit_or_parent\nunit,a,b,c\n", 400,
         "kind_or_roles"},
        {"type,code_or_login,name,unit_or_parent,kind_or_roles,color\n", 400,
         "color"},
        {"type,code_or_login,name,name,unit_or_parent,kind_or_roles\n", 400,
         "重复"},
        {"type,code_or_login,name,unit_or_parent,kind_or_roles\n\n\n", 400,
         "没有数据"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct import_report rep;
        struct err e;
        err_clear(&e);
        assert_int_equal(org_import_csv(f->db, &f->who[A_CLI], f->a,
                                        rows[i].csv, strlen(rows[i].csv), &rep,
                                        NULL, NULL, &e),
                         -1);
        assert_int_equal(e.status, rows[i].status);
        assert_int_equal(rep.nbad, 1);
        if (strstr(rep.bad[0].reason, rows[i].words) == NULL)
            fail_msg("row %zu: \"%s\"", i, rep.bad[0].reason);
    }
}

struct progress_log {
    int calls;
    int done[8];
    int total;
};

static void on_progress(void *arg, int done, int total)
{
    struct progress_log *p = arg;
    if (p->calls < 8)
        p->done[p->calls] = done;
    p->calls++;
    p->total = total;
}

/* 250 rows: progress at 100, 200 and 250, everything in. */
static void test_import_progress(void **state)
{
    struct fx *f = *state;
    struct buf b;
    struct import_report rep;
    struct err e;
    struct progress_log p = {0};
    buf_init(&b, 0);
    buf_puts(&b, csv_header);
    buf_puts(&b, "unit,bulk,批量局,gov,department,,\n");
    for (int i = 1; i < 250; i++)
        buf_printf(&b, "user,bulk%03d,人员%d,bulk,staff,,\n", i, i);
    err_clear(&e);
    assert_int_equal(org_import_csv(f->db, &f->who[A_SYS], f->a, b.ptr, b.len,
                                    &rep, on_progress, &p, &e),
                     0);
    buf_free(&b);
    assert_int_equal(rep.units, 1);
    assert_int_equal(rep.users, 249);
    assert_int_equal(p.calls, 3);
    assert_int_equal(p.done[0], 100);
    assert_int_equal(p.done[1], 200);
    assert_int_equal(p.done[2], 250);
    assert_int_equal(p.total, 250);
    struct user_filter flt = {"bulk", NULL, -1, 0, 0};
    struct user *v;
    int n, total;
    assert_int_equal(org_user_list(f->db, f->a, &flt, &v, &n, &total, &e), 0);
    assert_int_equal(total, 249);
}

/* More than 200 bad rows: 200 listed, all counted. */
static void test_import_many_bad(void **state)
{
    struct fx *f = *state;
    struct buf b;
    struct import_report rep;
    struct err e;
    buf_init(&b, 0);
    buf_puts(&b, csv_header);
    for (int i = 0; i < 300; i++)
        buf_printf(&b, "user,m%d,某人,nowhere,staff,,\n", i);
    err_clear(&e);
    assert_int_equal(org_import_csv(f->db, &f->who[A_CLI], f->a, b.ptr, b.len,
                                    &rep, NULL, NULL, &e),
                     -1);
    buf_free(&b);
    assert_int_equal(rep.nbad, 200);
    assert_int_equal(rep.nbad_total, 300);
    assert_int_equal(rep.bad[199].line, 201);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        T(test_separation_of_three),
        T(test_who_may_write),
        T(test_unit_validation),
        T(test_unit_tree),
        T(test_audit_before_after),
        T(test_write_and_audit_together),
        T(test_user_list),
        T(test_user_validation),
        T(test_import_good_file),
        T(test_import_bad_rows),
        T(test_import_reports_every_bad_row),
        T(test_import_separation),
        T(test_import_header_and_empty),
        T(test_import_progress),
        T(test_import_many_bad),
    };
#undef T
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    else
        pg_admin = NULL;
    return failed;
}
