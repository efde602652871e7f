/*
 * page_users.c - the people (人员) for the system administrator: the list
 * with filters, paging and Excel export of exactly what is filtered, the
 * form to add someone with an initial password, each person's edit form,
 * and the CSV import of units and people.  Roles and 密级 are not here:
 * they belong to the security administrator (page_grants.c, 三员分立).
 *
 *     GET  /admin/users          sysadmin   ?q=&unit=&active=&offset=
 *     POST /admin/users          sysadmin   add (slow: hashes the password)
 *     GET  /admin/users/export   sysadmin   the filtered list as .xlsx
 *     GET  /admin/users/:login   sysadmin   edit form
 *     POST /admin/users/:login   sysadmin   save name, unit, AB角, phone,
 *                                           启用/停用
 *     GET  /admin/import         sysadmin   upload form
 *     POST /admin/import         sysadmin   import a CSV (multipart; slow):
 *                                           every bad row with its line, or
 *                                           303 with the counts
 */
#include <string.h>
#include <unistd.h>

#include "base/now.h"
#include "kernel/export.h"
#include "web/common.h"
#include "web/pages.h"

#define USERS_PAGE 50

void page_users_filter(struct http_req *r, struct user_filter *f, int limit,
                       json_t *ctx)
{
    const char *q = page_query(r, "q"), *unit = page_query(r, "unit");
    const char *active = page_query(r, "active");
    long off = common_query_long(r, "offset", 0);
    memset(f, 0, sizeof(*f));
    f->q = *q ? q : NULL;
    f->unit_code = *unit ? unit : NULL;
    f->active = strcmp(active, "1") == 0   ? 1
                : strcmp(active, "0") == 0 ? 0
                                           : -1;
    f->limit = limit;
    f->offset = off < 0 ? 0 : off > 100000000 ? 100000000 : (int)off;
    if (ctx) {
        static const char *const names[] = {"q", "unit", "active", NULL};
        static const char *const tabs[] = {"q", "unit", NULL};
        json_object_set_new(ctx, "f",
                            json_pack("{s:s, s:s, s:s}", "q", q, "unit", unit,
                                      "active",
                                      f->active < 0 ? ""
                                      : f->active   ? "1"
                                                    : "0"));
        page_qs(r, ctx, "qs", names);
        page_qs(r, ctx, "qs_tabs", tabs);
    }
}

/* One row of the people table. */
static json_t *user_row(struct http_req *r, const struct page_roles *pr,
                        const struct user *u)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:s, s:s}", "login", u->login,
        "name", u->name, "unit", u->unit_name ? u->unit_name : u->unit_code,
        "roles", page_role_join(r->arena, pr, u->roles, u->nroles), "clearance",
        org_clearance_label(u->clearance), "clearance_level", u->clearance,
        "active", u->active, "locked", u->locked_until_ms > now_ms(), "phone",
        u->phone ? u->phone : "", "backup",
        u->backup_login ? u->backup_login : "");
}

/* The counts behind the 全部 / 启用 / 停用 tabs, for the other filters. */
static json_t *user_tabs(struct http_req *r, const struct user_filter *f)
{
    static const struct {
        int active;
        const char *value, *label;
    } tabs[] = {{-1, "", "全部"}, {1, "1", "启用"}, {0, "0", "停用"}};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
        struct user_filter g = *f;
        struct user *u;
        int n, total = 0;
        struct err e;
        err_clear(&e);
        g.active = tabs[i].active;
        g.limit = 1;
        g.offset = 0;
        org_user_list(r->db, r->arena, &g, &u, &n, &total, &e);
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:i, s:b}", "value", tabs[i].value,
                         "label", tabs[i].label, "count", total, "current",
                         f->active == tabs[i].active));
    }
    return a;
}

static void users_page(struct http_req *r, int status, json_t *extra)
{
    struct user_filter f;
    struct user *u;
    struct page_roles pr;
    int n, total;
    struct err e;
    err_clear(&e);
    json_t *ctx = page_ctx(r, "人员管理", NULL);
    page_users_filter(r, &f, USERS_PAGE, ctx);
    page_roles_load(r, &pr);
    if (org_user_list(r->db, r->arena, &f, &u, &n, &total, &e)) {
        json_decref(ctx);
        json_decref(extra);
        page_fail(r, &e);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, user_row(r, &pr, &u[i]));
    json_object_set_new(ctx, "users", items);
    json_object_set_new(ctx, "tabs", user_tabs(r, &f));
    page_paging(ctx, f.offset, f.limit, n, total);
    json_object_set_new(ctx, "filter_units",
                        page_unit_options(r, f.unit_code, "全部单位"));
    json_t *form = extra ? json_object_get(extra, "form") : NULL;
    const char *unit = json_string_value(json_object_get(form, "unit"));
    json_object_set_new(ctx, "form_units",
                        page_unit_options(r, unit, "请选择"));
    json_object_set_new(ctx, "form", json_object());
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "users.html", ctx);
}

int page_users(struct http_req *r)
{
    users_page(r, 200, NULL);
    return 0;
}

enum { P_LOGIN, P_NAME, P_UNIT, P_BACKUP, P_PHONE, P_PASSWORD };
static const struct input_field user_create_in[] = {
    {"login", IN_TEXT, 1, 64, "登录名", 0},
    {"name", IN_TEXT, 1, 100, "姓名", 0},
    {"unit", IN_TEXT, 1, 32, "所在单位", 0},
    {"backup", IN_TEXT, 0, 64, "AB角", 0},
    {"phone", IN_TEXT, 0, 40, "电话", 0},
    {"password", IN_TEXT, 1, 256, "初始密码", 0},
    {0},
};

int page_users_create(struct http_req *r)
{
    struct input_value v[6];
    struct user u = {0};
    struct err e;
    err_clear(&e);
    if (input_read(r, user_create_in, v, &e) == 0) {
        u.login = v[P_LOGIN].text;
        u.name = v[P_NAME].text;
        u.unit_code = v[P_UNIT].text;
        u.backup_login = v[P_BACKUP].text;
        u.phone = v[P_PHONE].text;
        u.active = 1;
        org_user_create(r->db, &r->who, &u, v[P_PASSWORD].text, &e);
    }
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, user_create_in, &e, extra));
        json_object_set_new(extra, "form", page_form_values(r));
        json_object_set_new(extra, "open_form", json_true());
        users_page(r, e.status == 409 ? 409 : 400, extra);
        return 0;
    }
    page_done(r, "/admin/users",
              arena_printf(r->arena,
                           "已新增人员 %s（登录名 %s）；角色和密级请安全保密"
                           "管理员授予",
                           u.name, u.login));
    return 0;
}

int page_users_export(struct http_req *r)
{
    static const char *const headers[] = {"登录名", "姓名",     "单位",
                                          "角色",   "涉密等级", "状态",
                                          "锁定",   "电话",     "AB角"};
    struct user_filter f;
    struct page_roles pr;
    struct err e;
    int fd = -1, rc = -1;
    int64_t len = 0;
    struct arena *chunk = NULL;
    err_clear(&e);
    page_users_filter(r, &f, 500, NULL);
    f.offset = 0;
    page_roles_load(r, &pr);
    struct export_sheet *x = export_begin(NULL, "人员名单", headers, 9, &e);
    if (x == NULL)
        goto out;
    /* page through the filtered list, one arena per chunk */
    for (;;) {
        struct user *u;
        int n, total;
        chunk = arena_new();
        if (org_user_list(r->db, chunk, &f, &u, &n, &total, &e))
            goto out;
        for (int i = 0; i < n; i++) {
            const char *cells[] = {
                u[i].login,
                u[i].name,
                u[i].unit_name ? u[i].unit_name : u[i].unit_code,
                page_role_join(chunk, &pr, u[i].roles, u[i].nroles),
                org_clearance_label(u[i].clearance),
                u[i].active ? "启用" : "停用",
                u[i].locked_until_ms > now_ms() ? "已锁定" : "",
                u[i].phone,
                u[i].backup_login};
            export_row(x, cells);
        }
        arena_free(chunk);
        chunk = NULL;
        if (n < f.limit || export_rows(x) >= 1000000)
            break;
        f.offset += n;
    }
    rc = export_finish(x, &fd, &len, &e);
    x = NULL;
out:
    arena_free(chunk);
    if (x != NULL && export_finish(x, &fd, &len, &e) == 0)
        close(fd);
    if (rc) {
        page_fail(r, &e);
        return 0;
    }
    http_reply_fd(r, 200,
                  "application/vnd.openxmlformats-officedocument."
                  "spreadsheetml.sheet",
                  fd, len);
    http_add_header(r, "Content-Disposition",
                    "attachment; filename=\"users.xlsx\"; filename*=UTF-8''"
                    "%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95.xlsx");
    return 0;
}

/* The edit page of person u; extra as for users_page. */
static void user_page(struct http_req *r, int status, const struct user *u,
                      json_t *extra)
{
    struct page_roles pr;
    page_roles_load(r, &pr);
    json_t *ctx = page_ctx(r, u->name, "人员管理", "/admin/users", NULL);
    json_object_set_new(ctx, "user", user_row(r, &pr, u));
    json_t *form = extra ? json_object_get(extra, "form") : NULL;
    json_t *defaults =
        json_pack("{s:s, s:s, s:s, s:s}", "name", u->name, "unit", u->unit_code,
                  "backup", u->backup_login ? u->backup_login : "", "phone",
                  u->phone ? u->phone : "");
    if (form)
        json_object_update_missing(form, defaults);
    else
        json_object_set(ctx, "form", defaults);
    json_decref(defaults);
    const char *unit = json_string_value(json_object_get(form, "unit"));
    const char *act = json_string_value(json_object_get(form, "active"));
    int on = act ? strcmp(act, "0") != 0 : u->active;
    json_object_set_new(ctx, "form_units",
                        page_unit_options(r, unit ? unit : u->unit_code, NULL));
    json_object_set_new(ctx, "active_options",
                        json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "value",
                                  "1", "label", "启用", "selected", on, "value",
                                  "0", "label", "停用", "selected", !on));
    json_object_set_new(ctx, "created",
                        json_string(page_date_cn(r, u->created_ms)));
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "user.html", ctx);
}

int page_user(struct http_req *r)
{
    struct user u;
    struct err e;
    err_clear(&e);
    if (org_user_get(r->db, r->arena, http_param(r, "login"), &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    user_page(r, 200, &u, NULL);
    return 0;
}

enum { E_NAME, E_UNIT, E_BACKUP, E_PHONE, E_ACTIVE };
static const struct input_field user_update_in[] = {
    {"name", IN_TEXT, 0, 100, "姓名", 0},
    {"unit", IN_TEXT, 0, 32, "所在单位", 0},
    {"backup", IN_TEXT, 0, 64, "AB角", 0},
    {"phone", IN_TEXT, 0, 40, "电话", 0},
    {"active", IN_BOOL, 0, 0, "状态", 0},
    {0},
};

int page_user_update(struct http_req *r)
{
    struct input_value v[5];
    struct user u, before;
    struct err e;
    const char *login = http_param(r, "login");
    err_clear(&e);
    if (org_user_get(r->db, r->arena, login, &u, &e)) {
        page_fail(r, &e);
        return 0;
    }
    before = u;
    if (input_read(r, user_update_in, v, &e) == 0) {
        if (v[E_NAME].present)
            u.name = v[E_NAME].text;
        if (v[E_NAME].present && *u.name == '\0')
            err_field(&e, "name", "请填写姓名");
        if (v[E_UNIT].present)
            u.unit_code = v[E_UNIT].text;
        if (v[E_BACKUP].present)
            u.backup_login = v[E_BACKUP].text;
        if (v[E_PHONE].present)
            u.phone = v[E_PHONE].text;
        if (v[E_ACTIVE].present)
            u.active = (int)v[E_ACTIVE].num;
    }
    if (!err_isset(&e))
        org_user_update(r->db, &r->who, login, &u, &e);
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, user_update_in, &e, extra));
        json_object_set_new(extra, "form", page_form_values(r));
        user_page(r, e.status == 409 ? 409 : 400, &before, extra);
        return 0;
    }
    const char *msg;
    if (before.active && !u.active)
        msg = arena_printf(r->arena, "已停用 %s 的账号，其登录已失效", u.name);
    else if (!before.active && u.active)
        msg = arena_printf(r->arena, "已启用 %s 的账号", u.name);
    else
        msg = arena_printf(r->arena, "已保存 %s 的信息", u.name);
    page_done(r, "/admin/users", msg);
    return 0;
}

static void import_page(struct http_req *r, int status, json_t *extra)
{
    json_t *ctx = page_ctx(r, "批量导入", NULL);
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    http_reply_page(r, status, "import.html", ctx);
}

int page_import_form(struct http_req *r)
{
    import_page(r, 200, NULL);
    return 0;
}

static const struct input_field import_in[] = {
    {0},
};

int page_import(struct http_req *r)
{
    struct input_value v[1];
    struct import_report *rep = arena_alloc(r->arena, sizeof(*rep));
    struct err e;
    err_clear(&e);
    const struct http_file *file = http_file(r, "file");
    if (input_read(r, import_in, v, &e) == 0) {
        if (file == NULL || file->len == 0)
            err_field(&e, "file", "请选择要导入的 CSV 文件");
        else
            org_import_csv(r->db, &r->who, r->arena, file->data, file->len, rep,
                           NULL, NULL, &e);
    }
    if (err_isset(&e) || rep->nbad > 0) {
        json_t *extra = json_object();
        json_t *bad = json_array();
        for (int i = 0; i < rep->nbad && i < 200; i++)
            json_array_append_new(
                bad, json_pack("{s:i, s:s}", "line", rep->bad[i].line, "reason",
                               rep->bad[i].reason ? rep->bad[i].reason
                                                  : "此行有误"));
        json_object_set_new(extra, "bad", bad);
        int nbad = rep->nbad_total > rep->nbad ? rep->nbad_total : rep->nbad;
        json_object_set_new(extra, "nbad", json_integer(nbad));
        json_object_set_new(extra, "more", json_boolean(nbad > rep->nbad));
        if (file)
            json_object_set_new(
                extra, "filename",
                json_string(file->filename ? file->filename : ""));
        if (rep->nbad > 0)
            json_object_set_new(
                extra, "alert",
                json_string(arena_printf(
                    r->arena,
                    "文件中有 %d 行有误，没有导入任何内容；请改正后重新上传",
                    nbad)));
        else
            json_object_set_new(extra, "errors",
                                page_form_errors(r, import_in, &e, extra));
        import_page(r, 400, extra);
        return 0;
    }
    page_done(r, "/admin/import",
              arena_printf(r->arena, "已导入 %d 个单位、%d 名人员", rep->units,
                           rep->users));
    return 0;
}
