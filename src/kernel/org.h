/*
 * org.h - units (单位), people (人员) and roles (角色).
 *
 * Units form a tree by parent; codes are short ASCII identifiers ("jtj") used
 * by the API, imports and links.  Kinds: government 政府, office 办公室,
 * section 科室, department 部门, county 县区.
 *
 * People have a login, a name, a unit, roles, a clearance 0-3, an optional
 * backup person (AB角) and are active or disabled.  Roles are data (table
 * roles); the built-in ones are
 *     sysadmin 系统管理员   secadmin 安全保密管理员   auditor 安全审计员
 *     leader 领导           clerk 办公室工作人员       staff 承办人
 * The first three are the administrators of 三员分立: no one holds two of
 * them, and none of them holds a business role.  Modules add roles of their
 * own (role_ensure()).
 *
 * Who may do what (checked here, for every face):
 *     units, users (create, edit, disable)  sysadmin
 *     roles and clearance of a user        secadmin
 * All writes are audited with before/after.
 */
#ifndef SHUNIU_ORG_H
#define SHUNIU_ORG_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

struct unit {
    int64_t id;
    const char *code;
    const char *name;
    const char *short_name;
    const char *kind;        /* government / office / section / department / county */
    const char *parent_code; /* NULL or "" for a root */
    int64_t parent_id;
    int sort;
    int active;
};

struct user {
    int64_t id;
    const char *login;
    const char *name;
    const char *unit_code;
    const char *unit_name;
    int64_t unit_id;
    int nroles;
    const char *roles[ACTOR_MAX_ROLES];
    int clearance;
    const char *backup_login; /* AB角, NULL or "" for none */
    const char *phone;
    int active;
    int64_t locked_until_ms;
    int64_t created_ms;
};

/* Chinese label of a kind ("department" -> "部门"), NULL when unknown. */
const char *org_kind_label(const char *kind);
/* Chinese name of a clearance level (0 -> "无", 1 -> "秘密" ...). */
const char *org_clearance_label(int level);

/* Units. Lists are ordered by tree (parent before child), then sort, code.
 * Results and their strings live in the arena. */
int org_unit_list(struct store *db, struct arena *a, struct unit **out,
                  int *n, struct err *e);
int org_unit_get(struct store *db, struct arena *a, const char *code,
                 struct unit *out, struct err *e);
/* Creates a unit; fills u->id.  Validates code (ASCII letters, digits, _-,
 * 1-32), name, kind, parent (must exist; no cycle).  Own transaction. */
int org_unit_create(struct store *db, const struct actor *who, struct unit *u,
                    struct err *e);
/* Updates name, short name, kind, parent, sort, active of unit `code`. */
int org_unit_update(struct store *db, const struct actor *who,
                    const char *code, const struct unit *u, struct err *e);

/* Users. */
struct user_filter {
    const char *unit_code; /* NULL: all */
    const char *q;         /* substring of login or name */
    int active;            /* -1 all, 0 disabled, 1 active */
    int limit, offset;
};
int org_user_list(struct store *db, struct arena *a,
                  const struct user_filter *f, struct user **out, int *n,
                  int *total, struct err *e);
int org_user_get(struct store *db, struct arena *a, const char *login,
                 struct user *out, struct err *e);
int org_user_get_id(struct store *db, struct arena *a, int64_t id,
                    struct user *out, struct err *e);
/* Creates a user with a password (checked against the policy, hashed).
 * Roles and clearance other than the defaults need secadmin (the CLI
 * operator may do both).  Own transaction. */
int org_user_create(struct store *db, const struct actor *who,
                    struct user *u, const char *password, struct err *e);
/* The same with a ready argon2id hash (the demo office gives everyone one
 * password: hashing it once saves a second per sixteen people). */
int org_user_create_hashed(struct store *db, const struct actor *who,
                           struct user *u, const char *hash, struct err *e);
/* Edits name, unit, backup, phone, active (sysadmin). */
int org_user_update(struct store *db, const struct actor *who,
                    const char *login, const struct user *u, struct err *e);
/* Sets roles and clearance (secadmin).  Enforces 三员分立. */
int org_user_grant(struct store *db, const struct actor *who,
                   const char *login, const char *const *roles, int nroles,
                   int clearance, struct err *e);
/* Checks 三员分立 and that every role exists; -1 with a field error "roles". */
int org_roles_check(struct store *db, const char *const *roles, int nroles,
                    struct err *e);

/* Roles. */
struct role {
    const char *code;
    const char *name;
    int admin;   /* 1 for sysadmin, secadmin, auditor */
};
int org_role_list(struct store *db, struct arena *a, struct role **out,
                  int *n, struct err *e);
/* Adds a role if missing (modules call this at start). */
int org_role_ensure(struct store *db, const char *code, const char *name);

/* Bulk import of units and users from CSV (import org).  Format, UTF-8,
 * first line a header:
 *     type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,short_name
 * where type is "unit" or "user" (users: roles separated by '|', a password
 * column "password" may follow).  Every row is validated first; if any is
 * bad nothing is imported and each bad row is reported with its line number.
 * progress (may be NULL) is called every so often with (done, total). */
struct import_report {
    int units, users;
    int nbad;
    struct {
        int line;
        const char *reason;
    } bad[200];
};
int org_import_csv(struct store *db, const struct actor *who, struct arena *a,
                   const char *data, size_t len, struct import_report *rep,
                   void (*progress)(void *arg, int done, int total),
                   void *arg, struct err *e);

#endif
