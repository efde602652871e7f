/*
 * page_units.c - the units (单位) for the system administrator: the tree,
 * a text filter, the form to add one, and each unit's edit form with
 * disable/enable.  The kernel (org.c) checks and audits every change.
 *
 *     GET  /admin/units          sysadmin   tree (?q= filters), add form
 *     POST /admin/units          sysadmin   add, 303 /admin/units
 *     GET  /admin/units/:code    sysadmin   edit form
 *     POST /admin/units/:code    sysadmin   save (also 停用/启用 alone),
 *                                           303 /admin/units
 */
#include <string.h>

#include "web/common.h"
#include "web/pages.h"

static const char *const unit_kinds[] = {"government", "office", "section",
                                         "department", "county"};

static json_t *kind_options(const char *selected)
{
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", "", "label",
                                       "请选择", "selected",
                                       selected == NULL || !*selected));
    for (size_t i = 0; i < sizeof(unit_kinds) / sizeof(unit_kinds[0]); i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:b}", "value", unit_kinds[i], "label",
                         org_kind_label(unit_kinds[i]), "selected",
                         selected && strcmp(selected, unit_kinds[i]) == 0));
    return a;
}

/* 1 when the unit's code, name or short name contains q. */
static int unit_matches(const struct unit *u, const char *q)
{
    return *q == '\0' || strstr(u->code, q) ||
           (u->name && strstr(u->name, q)) ||
           (u->short_name && strstr(u->short_name, q));
}

/* The list page with the add form; extra (may be NULL, decref'd) carries
 * the typed form, its errors and an alert. */
static void units_page(struct http_req *r, int status, json_t *extra)
{
    struct unit *u;
    int n;
    struct err e;
    const char *q = page_query(r, "q");
    err_clear(&e);
    if (org_unit_list(r->db, r->arena, &u, &n, &e)) {
        json_decref(extra);
        page_fail(r, &e);
        return;
    }
    int *depth = page_unit_depths(r, u, n);
    json_t *ctx = page_ctx(r, "单位管理", NULL);
    json_t *items = json_array();
    int shown = 0, active = 0;
    for (int i = 0; i < n; i++) {
        active += u[i].active;
        if (!unit_matches(&u[i], q))
            continue;
        const char *parent = "";
        for (int j = 0; j < n; j++)
            if (u[i].parent_id != 0 && u[j].id == u[i].parent_id)
                parent = u[j].name;
        /* the tree as indentation, only when the whole tree is shown */
        const char *indent = "";
        if (*q == '\0' && depth[i] > 0) {
            char *s = arena_alloc(r->arena, (size_t)depth[i] * 3 + 4);
            for (int d = 0; d < depth[i] - 1; d++)
                memcpy(s + d * 3, "　", 3);
            memcpy(s + (depth[i] - 1) * 3, "└", 3);
            indent = s;
        }
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "code",
                      u[i].code, "name", u[i].name, "short_name",
                      u[i].short_name ? u[i].short_name : "", "kind",
                      org_kind_label(u[i].kind) ? org_kind_label(u[i].kind)
                                                : u[i].kind,
                      "parent", parent, "indent", indent, "sort", u[i].sort,
                      "active", u[i].active));
        shown++;
    }
    json_object_set_new(ctx, "units", items);
    json_object_set_new(ctx, "f", json_pack("{s:s}", "q", q));
    json_object_set_new(ctx, "counts",
                        json_pack("{s:i, s:i, s:i}", "shown", shown, "total", n,
                                  "active", active));
    json_t *form = extra ? json_object_get(extra, "form") : NULL;
    const char *kind = json_string_value(json_object_get(form, "kind"));
    const char *parent = json_string_value(json_object_get(form, "parent"));
    json_object_set_new(ctx, "kinds", kind_options(kind));
    json_object_set_new(ctx, "parents",
                        page_unit_options(r, parent, "（无，作为顶级单位）"));
    json_object_set_new(ctx, "form", json_object());
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "units.html", ctx);
}

int page_units(struct http_req *r)
{
    units_page(r, 200, NULL);
    return 0;
}

int page_units_create(struct http_req *r)
{
    struct input_value v[UNIT_IN_N];
    struct unit u = {0};
    struct err e;
    err_clear(&e);
    if (input_read(r, common_unit_create_in, v, &e) == 0) {
        u.code = v[UNIT_IN_CODE].text;
        u.name = v[UNIT_IN_NAME].text;
        u.short_name = v[UNIT_IN_SHORT].text;
        u.kind = v[UNIT_IN_KIND].text;
        u.parent_code = v[UNIT_IN_PARENT].text;
        u.sort = (int)v[UNIT_IN_SORT].num;
        u.active = v[UNIT_IN_ACTIVE].present ? (int)v[UNIT_IN_ACTIVE].num : 1;
        org_unit_create(r->db, &r->who, &u, &e);
    }
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, common_unit_create_in, &e, extra));
        json_object_set_new(extra, "form", page_form_values(r));
        json_object_set_new(extra, "open_form", json_true());
        units_page(r, e.status == 409 ? 409 : 400, extra);
        return 0;
    }
    page_done(
        r, "/admin/units",
        arena_printf(r->arena, "已新增单位 %s（代码 %s）", u.name, u.code));
    return 0;
}

/* The edit page of unit u; extra as for units_page. */
static void unit_page(struct http_req *r, int status, const struct unit *u,
                      json_t *extra)
{
    json_t *ctx = page_ctx(r, u->name, "单位管理", "/admin/units", NULL);
    json_t *form = extra ? json_object_get(extra, "form") : NULL;
    const char *kind = json_string_value(json_object_get(form, "kind"));
    const char *parent = json_string_value(json_object_get(form, "parent"));
    json_object_set_new(
        ctx, "unit",
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "code", u->code, "name",
                  u->name, "kind",
                  org_kind_label(u->kind) ? org_kind_label(u->kind) : u->kind,
                  "short_name", u->short_name ? u->short_name : "", "sort",
                  u->sort, "active", u->active));
    json_t *defaults =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", u->name, "short_name",
                  u->short_name ? u->short_name : "", "sort",
                  arena_printf(r->arena, "%d", u->sort), "kind", u->kind,
                  "parent", u->parent_code ? u->parent_code : "");
    if (form) /* what was typed, the rest as it is */
        json_object_update_missing(form, defaults);
    else
        json_object_set(ctx, "form", defaults);
    json_decref(defaults);
    const char *act = json_string_value(json_object_get(form, "active"));
    int on = act ? strcmp(act, "0") != 0 : u->active;
    json_object_set_new(ctx, "active_options",
                        json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "value",
                                  "1", "label", "启用", "selected", on, "value",
                                  "0", "label", "停用", "selected", !on));
    json_object_set_new(ctx, "kinds", kind_options(kind ? kind : u->kind));
    json_object_set_new(ctx, "parents",
                        page_unit_options(r, parent ? parent : u->parent_code,
                                          "（无，作为顶级单位）"));
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "unit.html", ctx);
}

int page_unit(struct http_req *r)
{
    struct unit u;
    struct err e;
    err_clear(&e);
    if (org_unit_get(r->db, r->arena, http_param(r, "code"), &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    unit_page(r, 200, &u, NULL);
    return 0;
}

int page_unit_update(struct http_req *r)
{
    struct input_value v[UNIT_IN_N];
    struct unit u, before;
    struct err e;
    const char *code = http_param(r, "code");
    err_clear(&e);
    if (org_unit_get(r->db, r->arena, code, &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    before = u;
    if (input_read(r, common_unit_update_in, v, &e) == 0) {
        if (v[UNIT_IN_CODE].present)
            err_field(&e, "code", "单位代码不能修改");
        if (v[UNIT_IN_NAME].present)
            u.name = v[UNIT_IN_NAME].text;
        if (v[UNIT_IN_NAME].present && *u.name == '\0')
            err_field(&e, "name", "请填写单位名称");
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
    }
    if (!err_isset(&e))
        org_unit_update(r->db, &r->who, code, &u, &e);
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, common_unit_update_in, &e, extra));
        json_t *form = page_form_values(r);
        json_object_set_new(extra, "form", form);
        unit_page(r, e.status == 409 ? 409 : 400, &before, extra);
        return 0;
    }
    const char *msg;
    if (before.active && !u.active)
        msg = arena_printf(r->arena, "已停用单位 %s；其历史记录仍保留", u.name);
    else if (!before.active && u.active)
        msg = arena_printf(r->arena, "已启用单位 %s", u.name);
    else
        msg = arena_printf(r->arena, "已保存单位 %s 的修改", u.name);
    page_done(r, "/admin/units", msg);
    return 0;
}
