/*
 * page_grants.c - roles and clearance (角色与密级) for the security
 * administrator.  The kernel (org_user_grant) enforces 三员分立 — no one
 * holds two administrator roles, no administrator holds a business role —
 * and its refusal is shown beside the roles.
 *
 *     GET  /admin/grants          secadmin   people with roles and 密级
 *                                            ?q=&unit=&active=&offset=
 *     GET  /admin/grants/:login   secadmin   role checkboxes, 密级 select
 *     POST /admin/grants/:login   secadmin   save, 303 /admin/grants
 */
#include <string.h>

#include "web/common.h"
#include "web/pages.h"

#define GRANTS_PAGE 50

int page_grants(struct http_req *r)
{
    struct user_filter f;
    struct user *u;
    struct page_roles pr;
    int n, total;
    struct err e;
    err_clear(&e);
    json_t *ctx = page_ctx(r, "角色与密级", NULL);
    page_users_filter(r, &f, GRANTS_PAGE, ctx);
    page_roles_load(r, &pr);
    if (org_user_list(r->db, r->arena, &f, &u, &n, &total, &e)) {
        json_decref(ctx);
        page_fail(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "login", u[i].login,
                      "name", u[i].name, "unit",
                      u[i].unit_name ? u[i].unit_name : u[i].unit_code, "roles",
                      page_role_join(r->arena, &pr, u[i].roles, u[i].nroles),
                      "clearance", org_clearance_label(u[i].clearance),
                      "active", u[i].active));
    json_object_set_new(ctx, "users", items);
    page_paging(ctx, f.offset, f.limit, n, total);
    json_object_set_new(ctx, "filter_units",
                        page_unit_options(r, f.unit_code, "全部单位"));
    http_reply_page(r, 200, "grants.html", ctx);
    return 0;
}

/* 1 when code is one of the n codes. */
static int grant_has(const char *const *codes, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(codes[i], code) == 0)
            return 1;
    return 0;
}

/* The grant form of u, with the roles and clearance given (what u has, or
 * what was submitted); extra (may be NULL, decref'd): errors, alert. */
static void grant_page(struct http_req *r, int status, const struct user *u,
                       const char *const *roles, int nroles, int clearance,
                       json_t *extra)
{
    struct page_roles pr;
    page_roles_load(r, &pr);
    json_t *ctx = page_ctx(r, u->name, "角色与密级", "/admin/grants", NULL);
    json_object_set_new(
        ctx, "user",
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "login", u->login, "name",
                  u->name, "unit", u->unit_name ? u->unit_name : u->unit_code,
                  "roles", page_role_join(r->arena, &pr, u->roles, u->nroles),
                  "clearance", org_clearance_label(u->clearance), "active",
                  u->active));
    json_t *admin = json_array(), *business = json_array();
    for (int i = 0; i < pr.n; i++)
        json_array_append_new(
            pr.roles[i].admin ? admin : business,
            json_pack("{s:s, s:s, s:b}", "code", pr.roles[i].code, "name",
                      pr.roles[i].name, "checked",
                      grant_has(roles, nroles, pr.roles[i].code)));
    json_object_set_new(ctx, "admin_roles", admin);
    json_object_set_new(ctx, "business_roles", business);
    json_t *levels = json_array();
    for (int i = 0; i <= 3; i++)
        json_array_append_new(levels, json_pack("{s:i, s:s, s:b}", "value", i,
                                                "label", org_clearance_label(i),
                                                "selected", i == clearance));
    json_object_set_new(ctx, "levels", levels);
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "grant.html", ctx);
}

int page_grant(struct http_req *r)
{
    struct user u;
    struct err e;
    err_clear(&e);
    if (org_user_get(r->db, r->arena, http_param(r, "login"), &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    grant_page(r, 200, &u, u.roles, u.nroles, u.clearance, NULL);
    return 0;
}

static const struct input_field grant_in[] = {
    {"roles", IN_LIST, 0, 16, "角色", 0},
    {"clearance", IN_INT, 1, 3, "涉密等级", 0},
    {0},
};

int page_grant_update(struct http_req *r)
{
    struct input_value v[2];
    struct user u, after;
    struct page_roles pr;
    struct err e;
    const char *login = http_param(r, "login");
    err_clear(&e);
    if (org_user_get(r->db, r->arena, login, &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    if (input_read(r, grant_in, v, &e) == 0)
        org_user_grant(r->db, &r->who, login, v[0].list, v[0].nlist,
                       (int)v[1].num, &e);
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, grant_in, &e, extra));
        grant_page(r,
                   e.status == 409   ? 409
                   : e.status == 403 ? 403
                                     : 400,
                   &u, v[0].list, v[0].nlist,
                   v[1].present ? (int)v[1].num : u.clearance, extra);
        return 0;
    }
    page_roles_load(r, &pr);
    if (org_user_get(r->db, r->arena, login, &after, &e)) {
        page_fail(r, &e);
        return 0;
    }
    const char *roles =
        page_role_join(r->arena, &pr, after.roles, after.nroles);
    page_done(r, "/admin/grants",
              arena_printf(r->arena, "已更新 %s 的授权：角色 %s，涉密等级 %s",
                           after.name, *roles ? roles : "无",
                           org_clearance_label(after.clearance)));
    return 0;
}
