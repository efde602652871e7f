/*
 * api_org.c - the JSON API for units, people and roles.  Units are named by
 * code and people by login; the kernel (org.c) checks who may change what
 * (三员分立) and audits every change.
 *
 *     GET    /api/v1/units                 signed in
 *     GET    /api/v1/units/:code           signed in
 *     POST   /api/v1/units                 sysadmin   {code,name,kind,parent,...}
 *     PATCH  /api/v1/units/:code           sysadmin
 *     DELETE /api/v1/units/:code           sysadmin   (disables; history stays)
 *     GET    /api/v1/users                 signed in  ?q=&unit=&active=&limit=&offset=
 *     GET    /api/v1/users/:login          signed in
 *     POST   /api/v1/users                 sysadmin, secadmin
 *     PATCH  /api/v1/users/:login          sysadmin   {name,unit,backup,phone,active}
 *     PUT    /api/v1/users/:login/grants   secadmin   {roles,clearance}
 *     PUT    /api/v1/users/:login/password sysadmin   {password} (reset)
 *     DELETE /api/v1/users/:login          sysadmin   (disables)
 *     GET    /api/v1/roles                 signed in
 */
#include <string.h>

#include "web/api.h"
#include "web/common.h"
#include "web/input.h"

static void reply_or_err(struct http_req *r, int rc, struct err *e,
                         int status, json_t *ok)
{
    if (rc) {
        json_decref(ok);
        http_reply_err(r, e);
    } else {
        http_reply_json(r, status, ok);
    }
}

int api_units_list(struct http_req *r)
{
    struct unit *u;
    int n;
    struct err e;
    err_clear(&e);
    if (org_unit_list(r->db, r->arena, &u, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, common_json_unit(&u[i]));
    http_reply_json(r, 200,
                    json_pack("{s:o, s:i}", "items", items, "total", n));
    return 0;
}

int api_units_get(struct http_req *r)
{
    struct unit u;
    struct err e;
    err_clear(&e);
    int rc = org_unit_get(r->db, r->arena, http_param(r, "code"), &u, &e);
    reply_or_err(r, rc, &e, 200, rc ? NULL : common_json_unit(&u));
    return 0;
}

int api_units_create(struct http_req *r)
{
    struct input_value v[UNIT_IN_N];
    struct unit u = {0};
    struct err e;
    err_clear(&e);
    if (input_read(r, common_unit_create_in, v, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    u.code = v[UNIT_IN_CODE].text;
    u.name = v[UNIT_IN_NAME].text;
    u.short_name = v[UNIT_IN_SHORT].text;
    u.kind = v[UNIT_IN_KIND].text;
    u.parent_code = v[UNIT_IN_PARENT].text;
    u.sort = (int)v[UNIT_IN_SORT].num;
    u.active = v[UNIT_IN_ACTIVE].present ? (int)v[UNIT_IN_ACTIVE].num : 1;
    int rc = org_unit_create(r->db, &r->who, &u, &e);
    reply_or_err(r, rc, &e, 201, rc ? NULL : common_json_unit(&u));
    return 0;
}

int api_units_update(struct http_req *r)
{
    struct input_value v[UNIT_IN_N];
    struct unit u;
    struct err e;
    const char *code = http_param(r, "code");
    err_clear(&e);
    if (input_read(r, common_unit_update_in, v, &e) ||
        org_unit_get(r->db, r->arena, code, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    if (v[UNIT_IN_CODE].present && strcmp(v[UNIT_IN_CODE].text, code) != 0) {
        err_field(&e, "code", "单位代码不能修改");
        http_reply_err(r, &e);
        return 0;
    }
    if (v[UNIT_IN_NAME].present)
        u.name = v[UNIT_IN_NAME].text;
    if (v[UNIT_IN_SHORT].present)
        u.short_name = v[UNIT_IN_SHORT].text;
    if (v[UNIT_IN_KIND].present)
        u.kind = v[UNIT_IN_KIND].text;
    if (v[UNIT_IN_PARENT].present)
        u.parent_code = v[UNIT_IN_PARENT].text;
    if (v[UNIT_IN_SORT].present)
        u.sort = (int)v[UNIT_IN_SORT].num;
    if (v[UNIT_IN_ACTIVE].present)
        u.active = (int)v[UNIT_IN_ACTIVE].num;
    if (org_unit_update(r->db, &r->who, code, &u, &e) ||
        org_unit_get(r->db, r->arena, code, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, common_json_unit(&u));
    return 0;
}

int api_units_disable(struct http_req *r)
{
    struct unit u;
    struct err e;
    const char *code = http_param(r, "code");
    err_clear(&e);
    if (org_unit_get(r->db, r->arena, code, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    u.active = 0;
    int rc = org_unit_update(r->db, &r->who, code, &u, &e);
    reply_or_err(r, rc, &e, 200, rc ? NULL : common_json_unit(&u));
    return 0;
}

int api_users_list(struct http_req *r)
{
    struct user_filter f = {0};
    struct user *u;
    int n, total;
    struct err e;
    err_clear(&e);
    f.unit_code = http_query(r, "unit");
    f.q = http_query(r, "q");
    f.active = (int)common_query_long(r, "active", -1);
    if (f.active < -1 || f.active > 1)
        f.active = -1;
    common_paging(r, 50, 500, &f.limit, &f.offset);
    if (org_user_list(r->db, r->arena, &f, &u, &n, &total, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, common_json_user(&u[i]));
    http_reply_json(r, 200,
                    json_pack("{s:o, s:i, s:i, s:i}", "items", items, "total",
                              total, "limit", f.limit, "offset", f.offset));
    return 0;
}

int api_users_get(struct http_req *r)
{
    struct user u;
    struct err e;
    err_clear(&e);
    int rc = org_user_get(r->db, r->arena, http_param(r, "login"), &u, &e);
    reply_or_err(r, rc, &e, 200, rc ? NULL : common_json_user(&u));
    return 0;
}

enum { P_LOGIN, P_NAME, P_UNIT, P_ROLES, P_CLEAR, P_BACKUP, P_PHONE,
       P_ACTIVE, P_PASSWORD };
static const struct input_field user_create_in[] = {
    {"login", IN_TEXT, 1, 64, "登录名", 0},
    {"name", IN_TEXT, 1, 100, "姓名", 0},
    {"unit", IN_TEXT, 1, 32, "所在单位", 0},
    {"roles", IN_LIST, 0, 16, "角色", 0},
    {"clearance", IN_INT, 0, 3, "涉密等级", 0},
    {"backup", IN_TEXT, 0, 64, "AB角", 0},
    {"phone", IN_TEXT, 0, 40, "电话", 0},
    {"active", IN_BOOL, 0, 0, "启用", 0},
    {"password", IN_TEXT, 0, 256, "初始密码", 0},
    {0},
};
static const struct input_field user_update_in[] = {
    {"login", IN_TEXT, 0, 64, "登录名", 0},
    {"name", IN_TEXT, 0, 100, "姓名", 0},
    {"unit", IN_TEXT, 0, 32, "所在单位", 0},
    {"roles", IN_LIST, 0, 16, "角色", 0},
    {"clearance", IN_INT, 0, 3, "涉密等级", 0},
    {"backup", IN_TEXT, 0, 64, "AB角", 0},
    {"phone", IN_TEXT, 0, 40, "电话", 0},
    {"active", IN_BOOL, 0, 0, "启用", 0},
    {0},
};

int api_users_create(struct http_req *r)
{
    struct input_value v[9];
    struct user u = {0};
    struct err e;
    err_clear(&e);
    if (input_read(r, user_create_in, v, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    u.login = v[P_LOGIN].text;
    u.name = v[P_NAME].text;
    u.unit_code = v[P_UNIT].text;
    for (int i = 0; i < v[P_ROLES].nlist && i < ACTOR_MAX_ROLES; i++)
        u.roles[u.nroles++] = v[P_ROLES].list[i];
    u.clearance = (int)v[P_CLEAR].num;
    u.backup_login = v[P_BACKUP].text;
    u.phone = v[P_PHONE].text;
    u.active = v[P_ACTIVE].present ? (int)v[P_ACTIVE].num : 1;
    if (org_user_create(r->db, &r->who, &u, v[P_PASSWORD].text, &e) ||
        org_user_get(r->db, r->arena, u.login, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 201, common_json_user(&u));
    return 0;
}

int api_users_update(struct http_req *r)
{
    struct input_value v[8];
    struct user u;
    struct err e;
    const char *login = http_param(r, "login");
    err_clear(&e);
    if (input_read(r, user_update_in, v, &e) ||
        org_user_get(r->db, r->arena, login, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    if (v[P_LOGIN].present && strcmp(v[P_LOGIN].text, login) != 0)
        err_field(&e, "login", "登录名不能修改");
    if (v[P_ROLES].present || v[P_CLEAR].present)
        err_set(&e, 403, "forbidden",
                "角色和涉密等级由安全保密管理员在“授权”中设置");
    if (err_isset(&e)) {
        http_reply_err(r, &e);
        return 0;
    }
    if (v[P_NAME].present)
        u.name = v[P_NAME].text;
    if (v[P_UNIT].present)
        u.unit_code = v[P_UNIT].text;
    if (v[P_BACKUP].present)
        u.backup_login = v[P_BACKUP].text;
    if (v[P_PHONE].present)
        u.phone = v[P_PHONE].text;
    if (v[P_ACTIVE].present)
        u.active = (int)v[P_ACTIVE].num;
    if (org_user_update(r->db, &r->who, login, &u, &e) ||
        org_user_get(r->db, r->arena, login, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, common_json_user(&u));
    return 0;
}

static const struct input_field grant_in[] = {
    {"roles", IN_LIST, 1, 16, "角色", 0},
    {"clearance", IN_INT, 1, 3, "涉密等级", 0},
    {0},
};

int api_users_grant(struct http_req *r)
{
    struct input_value v[2];
    struct user u;
    struct err e;
    const char *login = http_param(r, "login");
    err_clear(&e);
    if (input_read(r, grant_in, v, &e) ||
        org_user_grant(r->db, &r->who, login, v[0].list, v[0].nlist,
                       (int)v[1].num, &e) ||
        org_user_get(r->db, r->arena, login, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, common_json_user(&u));
    return 0;
}

static const struct input_field reset_in[] = {
    {"password", IN_TEXT, 1, 256, "新密码", 0},
    {0},
};

int api_users_password(struct http_req *r)
{
    struct input_value v[1];
    struct err e;
    err_clear(&e);
    if (input_read(r, reset_in, v, &e) ||
        auth_password_set(r->db, &r->who, http_param(r, "login"), v[0].text,
                          &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    return 0;
}

int api_users_disable(struct http_req *r)
{
    struct user u;
    struct err e;
    const char *login = http_param(r, "login");
    err_clear(&e);
    if (org_user_get(r->db, r->arena, login, &u, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    u.active = 0;
    int rc = org_user_update(r->db, &r->who, login, &u, &e);
    reply_or_err(r, rc, &e, 200, rc ? NULL : common_json_user(&u));
    return 0;
}

int api_roles_list(struct http_req *r)
{
    struct role *roles;
    int n;
    struct err e;
    err_clear(&e);
    if (org_role_list(r->db, r->arena, &roles, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:b}", "code",
                                        roles[i].code, "name", roles[i].name,
                                        "admin", roles[i].admin));
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
    return 0;
}
