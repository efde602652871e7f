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
 * A sysadmin creating a person may give business roles (leader, clerk,
 * staff, module roles) but neither an administrator role nor a clearance;
 * those are granted by the secadmin (org_user_grant).  No one changes their
 * own roles or clearance, and no one disables themselves.  The CLI operator
 * (actor_cli) may do everything.
 * All writes are audited with before/after (detail {"before":…,"after":…}),
 * each in one transaction with its audit record.
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
/* Creates a unit (active); fills u->id.  Validates code (ASCII letters,
 * digits, _-, 1-32), name (1-100 characters), kind, parent (must exist).
 * 403 unless sysadmin, 409 when the code exists.  Own transaction. */
int org_unit_create(struct store *db, const struct actor *who, struct unit *u,
                    struct err *e);
/* Updates name, short name, kind, parent, sort, active of unit `code`.
 * NULL strings keep the current value; parent_code "" makes a root; sort is
 * always taken; active is taken when 0 or 1.  A parent that is the unit or
 * one of its descendants is refused (field "parent"). */
int org_unit_update(struct store *db, const struct actor *who,
                    const char *code, const struct unit *u, struct err *e);

/* Users.  Lists are ordered by unit (sort, code), then login; limit <= 0
 * means 100, at most 10000; *total (may be NULL) counts all matches. */
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
/* Creates a user (active) with a password (checked against the policy,
 * hashed).  NULL or "" password: the account has no usable password until
 * one is set (sign-in answers 401).  Needs the unit; the backup, when
 * given, must exist.  Administrator roles and a clearance other than 0 need
 * secadmin (the CLI operator may do both); 403 otherwise.  Fills u->id.
 * 409 (field "login") when the login exists.  Own transaction. */
int org_user_create(struct store *db, const struct actor *who,
                    struct user *u, const char *password, struct err *e);
/* The same with a ready argon2id hash (the demo office gives everyone one
 * password: hashing it once saves a second per sixteen people). */
int org_user_create_hashed(struct store *db, const struct actor *who,
                           struct user *u, const char *hash, struct err *e);
/* Edits name, unit, backup, phone, active (sysadmin).  NULL strings keep
 * the current value (unit_code "" too); backup_login "" clears the backup;
 * active is taken when 0 or 1.  Disabling ends the person's sessions.
 * Roles and clearance in u are ignored (org_user_grant). */
int org_user_update(struct store *db, const struct actor *who,
                    const char *login, const struct user *u, struct err *e);
/* Replaces roles and sets clearance (secadmin).  Enforces 三员分立. */
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
/* Built-in roles first (administrators first), then by code. */
int org_role_list(struct store *db, struct arena *a, struct role **out,
                  int *n, struct err *e);
/* Adds a business role if missing (modules call this at start); audited as
 * "system" when added.  Joins the caller's transaction if one is open.
 * 0 / -1. */
int org_role_ensure(struct store *db, const char *code, const char *name);

/* Bulk import of units and users from CSV (`shuniu import org FILE`).
 *
 * The file: UTF-8 (a BOM is skipped), RFC 4180 (fields separated by ',';
 * a field holding ',', '"' or a line break is quoted with '"' and a '"'
 * inside it is written '""'; lines end in CRLF or LF); blank lines are
 * skipped; spaces around unquoted fields are trimmed.  The first line is
 * the header naming the columns, in any order:
 *
 *   column          unit row                      user row
 *   type            "unit" (or 单位)               "user" (or 人员)
 *   code_or_login   unit code [A-Za-z0-9_-]{1,32}  login [A-Za-z0-9._@-]{1,64}
 *   name            unit name, 1-100 chars        person's name, 1-64 chars
 *   unit_or_parent  parent unit code, "" = root   unit code (required)
 *   kind_or_roles   kind: government office        role codes separated by
 *                   section department county      '|', e.g. "leader|staff";
 *                   (or 政府 办公室 科室 部门 县区)   may be empty
 *   clearance*      empty                          0-3 or 无 秘密 机密 绝密
 *                                                  (empty = 0)
 *   short_name*     short name, <= 50 chars        ignored
 *   sort*           integer, empty = 0             ignored
 *   password*       empty                          initial password (must
 *                                                  pass the policy); empty =
 *                                                  no usable password yet
 *   phone*          empty                          <= 32 chars
 *   backup*         empty                          AB角: a login in the
 *                                                  system or on an earlier
 *                                                  row
 * (* optional columns.)  Example:
 *     type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,short_name
 *     unit,jtj,市交通运输局,gov,department,,市交通局
 *     user,jtj_li,李明,jtj,leader|staff,1,
 *
 * A parent or unit must already exist or be defined on an earlier row;
 * codes and logins must be new (in the system and in the file); the roles
 * must exist and respect 三员分立; a sysadmin may give business roles but
 * not administrator roles or a clearance (the CLI operator may).
 * Every row is validated first; if any is bad nothing is imported, 400
 * (409 if the database changed meanwhile) with every bad row reported by
 * the line it starts on and a Chinese reason.  Otherwise everything is
 * imported in one transaction, each unit and person audited as created
 * plus one "org.import" record.  Passwords are hashed before the
 * transaction (~80 ms each).  progress (may be NULL) is called every 100
 * rows written with (done, total), and once at the end. */
struct import_report {
    int units, users;  /* imported (0 when nothing was) */
    int nbad;          /* entries in bad[] (at most 200) */
    int nbad_total;    /* all bad rows, when there were more than 200 */
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
