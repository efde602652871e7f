/*
 * page_auth.c - signing in and out, and the home page.
 *
 *     GET  /login     anyone      the sign-in form (signed in: go on)
 *     POST /login     anyone      sign in (slow: argon2id), 303 to next
 *     POST /logout    signed in   sign out, 303 /login
 *     GET  /          signed in   我的待办, and the administrators' entries
 *     GET  /todo      signed in   303 / (the top bar's 待办 link)
 *
 * The sign-in POST has no session yet, so no CSRF token: it refuses a
 * request a browser marks as coming from another site (Sec-Fetch-Site,
 * Origin), and the session cookie it sets is SameSite=Strict.
 */
#include <string.h>

#include "kernel/auth.h"
#include "web/common.h"
#include "web/pages.h"

static const struct input_field login_in[] = {
    {"login", IN_TEXT, 1, 64, "用户名", 0},
    {"password", IN_TEXT, 1, 256, "密码", 0},
    {"next", IN_TEXT, 0, 1000, "登录后前往", 0},
    {0},
};

/* The sign-in page (the core's login.html), with what was typed and what
 * went wrong. */
static void login_page(struct http_req *r, int status, const char *login,
                       const char *error)
{
    json_t *ctx = page_ctx(r, "登录", NULL);
    json_t *v = json_string(login ? login : "");
    json_object_set_new(ctx, "login", v ? v : json_string(""));
    json_object_set_new(ctx, "next", json_string(http_next_url(r)));
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    json_object_set_new(ctx, "breadcrumbs", json_array());
    http_reply_page(r, status, "login.html", ctx);
}

int page_login_form(struct http_req *r)
{
    if (r->signed_in) {
        http_redirect(r, http_next_url(r));
        return 0;
    }
    login_page(r, 200, "", NULL);
    return 0;
}

/* 1 when the browser says the form came from another site.  Browsers
 * send Sec-Fetch-Site (not changed by proxies); older ones only Origin,
 * compared with the host the browser asked for. */
static int login_cross_site(const struct http_req *r)
{
    const char *site = http_header(r, "Sec-Fetch-Site");
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, "X-Forwarded-Host");
    if (site)
        return strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0;
    if (origin == NULL)
        return 0;
    if (host == NULL)
        host = http_header(r, "Host");
    const char *p = strstr(origin, "://");
    return p == NULL || host == NULL || strcmp(p + 3, host) != 0;
}

int page_login(struct http_req *r)
{
    struct input_value v[3];
    struct err e;
    const char *sid, *csrf;
    struct actor who;
    err_clear(&e);
    if (login_cross_site(r)) {
        http_reply_status(r, 403, "请从本系统的登录页登录");
        return 0;
    }
    if (input_read(r, login_in, v, &e)) {
        login_page(r, 400, http_form(r, "login"), "请填写用户名和密码");
        return 0;
    }
    if (auth_login(r->db, r->arena, v[0].text, v[1].text, r->ip, &sid, &csrf,
                   &who, &e)) {
        const char *msg;
        if (e.status == 401) {
            msg = "用户名或密码错误";
        } else if (e.status == 423) {
            long min = e.retry_after > 0 ? (e.retry_after + 59) / 60 : 0;
            msg = min > 0 ? arena_printf(r->arena,
                                         "账号已锁定，请%ld分钟后再试", min)
                          : "账号已锁定，请稍后再试";
        } else if (e.status == 403) {
            msg = e.message ? e.message : "账号已停用，请联系系统管理员";
        } else {
            msg = "系统暂时无法登录，请稍后再试";
        }
        login_page(r, e.status >= 400 ? e.status : 500, v[0].text, msg);
        return 0;
    }
    common_set_session_cookie(r, sid);
    http_redirect(r, http_next_url(r));
    return 0;
}

int page_logout(struct http_req *r)
{
    auth_logout(r->db, &r->who);
    common_clear_session_cookie(r);
    page_done(r, "/login", "您已退出登录");
    return 0;
}

/* The administrators' entries on the home page. */
static const struct {
    const char *role;
    const char *label;
    const char *href;
    const char *about;
} home_entries[] = {
    {"sysadmin", "单位管理", "/admin/units", "新增、修改、停用单位"},
    {"sysadmin", "人员管理", "/admin/users", "新增人员、修改信息、导出名单"},
    {"sysadmin", "批量导入", "/admin/import", "从 CSV 文件导入单位和人员"},
    {"secadmin", "角色与密级", "/admin/grants", "为人员授予角色和涉密等级"},
    {"auditor", "审计记录", "/audit", "查看和导出安全审计记录"},
};

int page_home(struct http_req *r)
{
    json_t *ctx = page_ctx(r, "我的待办", NULL);
    json_t *entries = json_array();
    for (size_t i = 0; i < sizeof(home_entries) / sizeof(home_entries[0]); i++)
        if (actor_has_role(&r->who, home_entries[i].role))
            json_array_append_new(entries,
                                  json_pack("{s:s, s:s, s:s}", "label",
                                            home_entries[i].label, "href",
                                            home_entries[i].href, "about",
                                            home_entries[i].about));
    json_object_set_new(ctx, "entries", entries);
    struct tmpl_bind binds[2];
    memset(binds, 0, sizeof(binds));
    page_cases_todo(r, &binds[0], "todos");
    json_object_set_new(ctx, "breadcrumbs", json_array());
    http_reply_page_with(r, 200, "home.html", ctx, binds);
    return 0;
}

int page_todo(struct http_req *r)
{
    http_redirect(r, "/");
    return 0;
}
