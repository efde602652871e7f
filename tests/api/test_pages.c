/*
 * test_pages.c - the HTML pages as a browser without JavaScript uses them:
 * signing in through the form, 我的待办, the Chinese messages, 403 for
 * business roles on administration pages, CSRF on every form POST, forms
 * shown again with what was typed, the users' Excel export, a unit added
 * through the form appearing in the list with its name escaped, 三员分立
 * refused in Chinese, and the audit page for the auditor only.
 *
 * Every client here signs in through POST /login (not the JSON API), so it
 * holds no X-CSRF-Token: each write carries the _csrf field read from a
 * page, as a browser's form would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

/* Signs c in through the sign-in form; returns the status (303 on
 * success). */
static int form_login(struct client *c, const char *login, const char *password,
                      const char *next, struct resp *r)
{
    char *l = url_encode(login), *p = url_encode(password);
    char *n = url_encode(next ? next : "");
    char body[1024];
    snprintf(body, sizeof(body), "login=%s&password=%s&next=%s", l, p, n);
    free(l);
    free(p);
    free(n);
    return http_form(c, "/login", body, r);
}

static void form_login_as(struct client *c, enum srv_account_id who)
{
    struct resp r = {0};
    assert_int_equal(form_login(c, srv_accounts[who].login,
                                srv_accounts[who].password, NULL, &r),
                     303);
    resp_free(&r);
}

/* The _csrf value of the forms on page path (malloc'd), as a browser would
 * submit it; fails the test when the page has none. */
static char *page_csrf(struct client *c, const char *path)
{
    static const char mark[] = "name=\"_csrf\" value=\"";
    struct resp r = {0};
    assert_int_equal(http_do(c, "GET", path, NULL, &r), 200);
    const char *p = strstr(r.body, mark);
    if (p == NULL)
        fail_msg("no _csrf field on %s", path);
    p += strlen(mark);
    const char *q = strchr(p, '"');
    assert_non_null(q);
    char *token = strndup(p, (size_t)(q - p));
    resp_free(&r);
    return token;
}

/* POSTs form (already encoded, without _csrf) with the page's token. */
static int form_post(struct client *c, const char *path, const char *form,
                     struct resp *r)
{
    char *token = page_csrf(c, "/account");
    size_t n = strlen(form) + strlen(token) + 16;
    char *body = malloc(n);
    snprintf(body, n, "_csrf=%s%s%s", token, *form ? "&" : "", form);
    int status = http_form(c, path, body, r);
    free(body);
    free(token);
    return status;
}

static void test_sign_in_shows_todo(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    /* not signed in: the home page sends to the sign-in form */
    assert_int_equal(http_do(c, "GET", "/", NULL, &r), 303);
    assert_contains(resp_header(&r, "Location"), "/login");
    assert_int_equal(http_do(c, "GET", "/login", NULL, &r), 200);
    assert_contains(r.body, "name=\"password\"");

    assert_int_equal(
        form_login(c, "clerk", srv_accounts[SRV_CLERK].password, NULL, &r),
        303);
    assert_str_equal(resp_header(&r, "Location"), "/");
    assert_non_null(client_cookie(c, "sid"));

    assert_int_equal(http_do(c, "GET", "/", NULL, &r), 200);
    assert_contains(resp_header(&r, "Content-Type"), "text/html");
    assert_contains(r.body, "<h1>我的待办</h1>");
    assert_contains(r.body, "暂无待办事项");
    assert_contains(r.body, srv_accounts[SRV_CLERK].name);
    /* a business user sees no administration */
    assert_null(strstr(r.body, "/admin/units"));

    /* signed in, the sign-in page goes on */
    assert_int_equal(http_do(c, "GET", "/login", NULL, &r), 303);

    /* sign out through the form */
    assert_int_equal(form_post(c, "/logout", "", &r), 303);
    assert_str_equal(resp_header(&r, "Location"), "/login");
    assert_int_equal(http_do(c, "GET", "/login", NULL, &r), 200);
    assert_contains(r.body, "您已退出登录");
    assert_int_equal(http_do(c, "GET", "/account", NULL, &r), 303);

    resp_free(&r);
    client_free(c);
}

static void test_next_stays_local(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    assert_int_equal(form_login(c, "admin", srv_accounts[SRV_SYSADMIN].password,
                                "/admin/units", &r),
                     303);
    assert_str_equal(resp_header(&r, "Location"), "/admin/units");
    client_free(c);

    c = client_new(s);
    assert_int_equal(form_login(c, "admin", srv_accounts[SRV_SYSADMIN].password,
                                "//evil.example/x", &r),
                     303);
    assert_str_equal(resp_header(&r, "Location"), "/");
    /* the administrator's home has the shortcuts */
    assert_int_equal(http_do(c, "GET", "/", NULL, &r), 200);
    assert_contains(r.body, "href=\"/admin/units\"");
    assert_contains(r.body, "href=\"/admin/users\"");

    resp_free(&r);
    client_free(c);
}

static void test_wrong_password_in_chinese(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    assert_int_equal(form_login(c, "staff", "not-the-password", NULL, &r), 401);
    assert_contains(r.body, "用户名或密码错误");
    /* what was typed is kept, the password is not */
    assert_contains(r.body, "value=\"staff\"");
    assert_null(strstr(r.body, "not-the-password"));
    assert_null(client_cookie(c, "sid"));
    /* an unknown login says the same */
    assert_int_equal(form_login(c, "nobody", "x", NULL, &r), 401);
    assert_contains(r.body, "用户名或密码错误");
    /* nothing typed */
    assert_int_equal(form_login(c, "", "", NULL, &r), 400);
    assert_contains(r.body, "请填写用户名和密码");
    /* a sign-in form posted from another site is refused */
    static const char *const cross[] = {"Sec-Fetch-Site: cross-site", NULL};
    char *pw = url_encode(srv_accounts[SRV_STAFF].password);
    char body[512];
    snprintf(body, sizeof(body), "login=staff&password=%s", pw);
    free(pw);
    assert_int_equal(http_raw(c, "POST", "/login",
                              "application/x-www-form-urlencoded", body,
                              strlen(body), cross, 0, &r),
                     403);
    assert_null(client_cookie(c, "sid"));

    resp_free(&r);
    client_free(c);
}

static void test_business_role_gets_403(void **state)
{
    static const char *const paths[] = {
        "/admin/users",  "/admin/units", "/admin/users/export", "/admin/import",
        "/admin/grants", "/audit",       "/audit/export"};
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    form_login_as(c, SRV_STAFF);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (http_do(c, "GET", paths[i], NULL, &r) != 403)
            fail_msg("staff on %s: %ld", paths[i], r.status);
        assert_contains(r.body, "没有权限");
    }
    /* and the pages a signed-in person has */
    assert_int_equal(http_do(c, "GET", "/account", NULL, &r), 200);
    assert_contains(r.body, "承办人");

    /* the system administrator does not reach grants nor the audit */
    client_free(c);
    c = client_new(s);
    form_login_as(c, SRV_SYSADMIN);
    assert_int_equal(http_do(c, "GET", "/admin/grants", NULL, &r), 403);
    assert_int_equal(http_do(c, "GET", "/audit", NULL, &r), 403);

    resp_free(&r);
    client_free(c);
}

static void test_post_without_csrf_is_403(void **state)
{
    static const char form[] =
        "code=nocsrf&name=%E6%97%A0%E4%BB%A4%E7%89%8C&kind=department"
        "&parent=gov";
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    form_login_as(c, SRV_SYSADMIN);
    assert_int_equal(http_form(c, "/admin/units", form, &r), 403);
    /* a wrong token is refused too */
    assert_int_equal(http_form(c, "/admin/units",
                               "_csrf=0000&code=nocsrf&name=x"
                               "&kind=department",
                               &r),
                     403);
    assert_int_equal(http_do(c, "GET", "/admin/units/nocsrf", NULL, &r), 404);
    /* with the token it goes through */
    assert_int_equal(form_post(c, "/admin/units", form, &r), 303);
    assert_int_equal(http_do(c, "GET", "/admin/units/nocsrf", NULL, &r), 200);

    resp_free(&r);
    client_free(c);
}

static void test_unit_form(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    char *name = url_encode("市交通运输局");
    char form[512];

    form_login_as(c, SRV_SYSADMIN);
    /* a mistake: the form again, with what was typed and the message */
    assert_int_equal(form_post(c, "/admin/units",
                               "code=jtj&name=&kind=department&parent=gov", &r),
                     400);
    assert_contains(r.body, "请填写单位名称");
    assert_contains(r.body, "value=\"jtj\"");
    assert_contains(r.body, "<option value=\"gov\" selected>");

    snprintf(
        form, sizeof(form),
        "code=jtj&name=%s&short_name=&kind=department&parent=gov&sort=", name);
    assert_int_equal(form_post(c, "/admin/units", form, &r), 303);
    assert_str_equal(resp_header(&r, "Location"), "/admin/units");
    assert_int_equal(http_do(c, "GET", "/admin/units", NULL, &r), 200);
    assert_contains(r.body, "已新增单位 市交通运输局");
    assert_contains(r.body, "<a href=\"/admin/units/jtj\">市交通运输局</a>");
    /* the notice is shown once */
    assert_int_equal(http_do(c, "GET", "/admin/units", NULL, &r), 200);
    assert_null(strstr(r.body, "已新增单位"));
    /* filtered by text */
    assert_int_equal(
        http_do(c, "GET", "/admin/units?q=%E4%BA%A4%E9%80%9A", NULL, &r), 200);
    assert_contains(r.body, "/admin/units/jtj");
    assert_null(strstr(r.body, "/admin/units/office\""));

    /* the same code again: 409 beside the code */
    assert_int_equal(form_post(c, "/admin/units", form, &r), 409);
    assert_contains(r.body, "单位代码已存在");

    /* disable it from its page */
    assert_int_equal(http_do(c, "GET", "/admin/units/jtj", NULL, &r), 200);
    assert_contains(r.body, "停用此单位");
    assert_int_equal(form_post(c, "/admin/units/jtj", "active=0", &r), 303);
    assert_int_equal(http_do(c, "GET", "/admin/units", NULL, &r), 200);
    assert_contains(r.body, "已停用单位 市交通运输局");
    assert_int_equal(form_post(c, "/admin/units/jtj", "active=1", &r), 303);

    free(name);
    resp_free(&r);
    client_free(c);
}

static void test_unit_name_escaped(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    char *name = url_encode("<script>alert(\"x\")</script>&局");
    char form[512];

    form_login_as(c, SRV_SYSADMIN);
    snprintf(form, sizeof(form), "code=xss&name=%s&kind=department", name);
    assert_int_equal(form_post(c, "/admin/units", form, &r), 303);
    assert_int_equal(http_do(c, "GET", "/admin/units", NULL, &r), 200);
    assert_contains(r.body, "&lt;script&gt;alert(&quot;x&quot;)"
                            "&lt;/script&gt;&amp;局");
    assert_null(strstr(r.body, "<script>alert"));
    assert_int_equal(http_do(c, "GET", "/admin/units/xss", NULL, &r), 200);
    assert_null(strstr(r.body, "<script>alert"));
    assert_contains(r.body, "&lt;script&gt;");

    free(name);
    resp_free(&r);
    client_free(c);
}

static void test_users_page_and_export(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    char *name = url_encode("新同事");
    char *pw = url_encode("New-Person-2026!");
    char form[512];

    form_login_as(c, SRV_SYSADMIN);
    assert_int_equal(http_do(c, "GET", "/admin/users", NULL, &r), 200);
    assert_contains(r.body, "<h1>人员管理</h1>");
    assert_contains(r.body, "/admin/users/clerk");
    assert_contains(r.body, "办公室工作人员"); /* roles in Chinese */
    assert_contains(r.body, "导出Excel");

    snprintf(form, sizeof(form),
             "login=newbie&name=%s&unit=office&backup=&phone=&password=%s",
             name, pw);
    assert_int_equal(form_post(c, "/admin/users", form, &r), 303);
    assert_int_equal(http_do(c, "GET", "/admin/users?q=newbie", NULL, &r), 200);
    assert_contains(r.body, "已新增人员 新同事");
    assert_contains(r.body, "/admin/users/newbie");
    assert_null(strstr(r.body, "/admin/users/clerk\""));
    /* the export link keeps the filter */
    assert_contains(r.body, "/admin/users/export?q=newbie&amp;");

    assert_int_equal(
        http_do(c, "GET", "/admin/users/export?q=newbie", NULL, &r), 200);
    assert_contains(resp_header(&r, "Content-Type"), "spreadsheetml");
    assert_true(r.len > 4);
    assert_memory_equal(r.body, "PK\x03\x04", 4);

    /* the new person signs in with the initial password */
    struct client *n = client_new(s);
    assert_int_equal(form_login(n, "newbie", "New-Person-2026!", NULL, &r),
                     303);
    client_free(n);

    /* wrong passwords lock the account, and the page says for how long */
    n = client_new(s);
    int status = 0;
    for (int i = 0; i < 12 && status != 423; i++)
        status = form_login(n, "newbie", "wrong-password", NULL, &r);
    assert_int_equal(status, 423);
    assert_contains(r.body, "账号已锁定，请");
    assert_contains(r.body, "分钟后再试");
    /* even the right password, while locked */
    assert_int_equal(form_login(n, "newbie", "New-Person-2026!", NULL, &r),
                     423);
    client_free(n);
    assert_int_equal(http_do(c, "GET", "/admin/users?q=newbie", NULL, &r), 200);
    assert_contains(r.body, "已锁定");

    free(name);
    free(pw);
    resp_free(&r);
    client_free(c);
}

static void test_grants_refuse_in_chinese(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    form_login_as(c, SRV_SECADMIN);
    assert_int_equal(http_do(c, "GET", "/admin/grants/staff", NULL, &r), 200);
    assert_contains(r.body, "value=\"staff\" checked");
    /* a business role with an administrator role */
    assert_int_equal(form_post(c, "/admin/grants/staff",
                               "roles=staff&roles=auditor&clearance=1", &r),
                     400);
    assert_contains(r.body, "三员分立");
    assert_contains(r.body, "value=\"auditor\" checked");
    /* a proper grant */
    assert_int_equal(form_post(c, "/admin/grants/staff",
                               "roles=staff&roles=clerk&clearance=2", &r),
                     303);
    assert_int_equal(http_do(c, "GET", "/admin/grants", NULL, &r), 200);
    assert_contains(r.body, "已更新");
    assert_contains(r.body, "机密");

    resp_free(&r);
    client_free(c);
}

static void test_audit_page(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    form_login_as(c, SRV_AUDITOR);
    assert_int_equal(http_do(c, "GET", "/audit?action=auth.", NULL, &r), 200);
    assert_contains(r.body, "<h1>审计记录</h1>");
    assert_contains(r.body, "auth.login");
    assert_contains(r.body, "/audit/export?action=auth.&amp;");
    assert_int_equal(http_do(c, "GET", "/audit?from=2026-13-45", NULL, &r),
                     400);
    assert_contains(r.body, "开始日期格式应为");
    assert_int_equal(http_do(c, "GET", "/audit/export?action=org.", NULL, &r),
                     200);
    assert_memory_equal(r.body, "PK", 2);

    resp_free(&r);
    client_free(c);
}

static void test_account_and_tokens(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    form_login_as(c, SRV_CLERK);
    assert_int_equal(http_do(c, "GET", "/account", NULL, &r), 200);
    assert_contains(r.body, "机密");
    assert_int_equal(form_post(c, "/account/password",
                               "old_password=x&new_password=Abc-12345678"
                               "&new_password2=Abc-1234567",
                               &r),
                     400);
    assert_contains(r.body, "两次输入的新密码不一致");

    assert_int_equal(form_post(c, "/account/tokens", "name=report", &r), 200);
    assert_contains(r.body, "value=\"snu_");
    const char *p = strstr(r.body, "/account/tokens/");
    assert_non_null(p);
    char path[64];
    size_t n = strcspn(p, "\"");
    assert_true(n < sizeof(path));
    memcpy(path, p, n);
    path[n] = '\0';
    assert_int_equal(form_post(c, path, "", &r), 303);
    assert_int_equal(http_do(c, "GET", "/account/tokens", NULL, &r), 200);
    assert_contains(r.body, "已撤销令牌");
    assert_null(strstr(r.body, "value=\"snu_"));

    resp_free(&r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_in_shows_todo),
        cmocka_unit_test(test_next_stays_local),
        cmocka_unit_test(test_wrong_password_in_chinese),
        cmocka_unit_test(test_business_role_gets_403),
        cmocka_unit_test(test_post_without_csrf_is_403),
        cmocka_unit_test(test_unit_form),
        cmocka_unit_test(test_unit_name_escaped),
        cmocka_unit_test(test_users_page_and_export),
        cmocka_unit_test(test_grants_refuse_in_chinese),
        cmocka_unit_test(test_audit_page),
        cmocka_unit_test(test_account_and_tokens),
    };
    return srv_run_group_tests(tests);
}
