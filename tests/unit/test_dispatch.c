/*
 * test_dispatch.c - unit tests for src/web/route.c and dispatch.c: pattern
 * matching and params, route lookup with 404/405, the permission rule, and
 * the whole check pipeline before a handler (401/403/redirect to sign-in,
 * CSRF, query and body parsing, test-clock routes, a handler that sets no
 * reply, slow routes), on a built-in route table of its own.
 *
 * No database: app.pool is NULL, so dispatch_begin() resolves no caller
 * and a test states the caller itself (signed_in and who set beforehand,
 * as auth_session() would have).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "web/web.h"

/* ---- match ---- */

static void test_match(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *path;
        int match;
        const char *params; /* "name=value|..." */
    } rows[] = {
        {"/", "/", 1, ""},
        {"/", "/x", 0, ""},
        {"/api/v1/units", "/api/v1/units", 1, ""},
        {"/api/v1/units", "/api/v1/units/", 0, ""},
        {"/api/v1/units", "/api/v1/unit", 0, ""},
        {"/api/v1/units", "/api/v1/unitsx", 0, ""},
        {"/api/v1/units/:code", "/api/v1/units/jtj", 1, "code=jtj"},
        {"/api/v1/units/:code", "/api/v1/units/交通局", 1, "code=交通局"},
        {"/api/v1/units/:code", "/api/v1/units/", 0, ""},
        {"/api/v1/units/:code", "/api/v1/units", 0, ""},
        {"/api/v1/units/:code", "/api/v1/units/a/b", 0, ""},
        {"/u/:code/m/:login", "/u/a/m/b", 1, "code=a|login=b"},
        {"/u/:code/m/:login", "/u/a/m/", 0, ""},
        {"/u/:code/edit", "/u/a/edit", 1, "code=a"},
        {"/u/:code/edit", "/u/a/editx", 0, ""},
        {"/static/*", "/static/app.css", 1, "*=app.css"},
        {"/static/*", "/static/img/logo.svg", 1, "*=img/logo.svg"},
        {"/static/*", "/static/", 0, ""},
        {"/static/*", "/static", 0, ""},
        {"/a/:x/*", "/a/1/2/3", 1, "x=1|*=2/3"},
        {"/a", "", 0, ""},
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_param p[8];
        int n = -1;
        int m = route_match(a, rows[i].pattern, rows[i].path, p, 8, &n);
        if (m != rows[i].match)
            fail_msg("match row %zu: %s vs %s gave %d", i, rows[i].pattern,
                     rows[i].path, m);
        struct buf b;
        buf_init(&b, 0);
        for (int k = 0; m && k < n; k++)
            buf_printf(&b, "%s%s=%s", k ? "|" : "", p[k].name, p[k].value);
        if (m && strcmp(b.ptr, rows[i].params) != 0)
            fail_msg("match row %zu: params %s", i, b.ptr);
        if (!m)
            assert_int_equal(n, 0);
        buf_free(&b);
    }
    /* more params than room */
    struct http_param p[8];
    int n;
    assert_int_equal(route_match(a, "/:a/:b/:c", "/1/2/3", p, 2, &n), 0);
    arena_free(a);
}

/* ---- the test route table ---- */

static int h_ok(struct http_req *r)
{
    http_reply(r, 200, "text/plain; charset=utf-8", "ok", 2);
    return 0;
}

/* Answers "name=value|..." of params, then "?" query, then "#" form. */
static int h_echo(struct http_req *r)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < r->nparams; i++)
        buf_printf(&b, "%s%s=%s", i ? "|" : "", r->params[i].name,
                   r->params[i].value);
    buf_putc(&b, '?');
    for (int i = 0; i < r->nquery; i++)
        buf_printf(&b, "%s%s=%s", i ? "|" : "", r->query[i].name,
                   r->query[i].value);
    buf_putc(&b, '#');
    for (int i = 0; i < r->nform; i++)
        buf_printf(&b, "%s%s=%s", i ? "|" : "", r->form[i].name,
                   r->form[i].value);
    for (int i = 0; i < r->nfiles; i++)
        buf_printf(&b, "|file:%s:%s:%zu", r->files[i].field,
                   r->files[i].filename, r->files[i].len);
    if (r->json)
        buf_printf(&b, "|json:%zu", json_object_size(r->json));
    http_reply(r, 200, "text/plain; charset=utf-8", b.ptr, b.len);
    buf_free(&b);
    return 0;
}

static int h_silent(struct http_req *r)
{
    (void)r;
    return -1; /* forgets to reply */
}

static const struct route routes[] = {
    {HTTP_GET, "/api/v1/units", h_echo, PERM_PUBLIC, NULL, 0, "units"},
    {HTTP_POST, "/api/v1/units", h_echo, PERM_LOGIN, NULL, 0, "units.create"},
    {HTTP_GET, "/api/v1/units/new", h_ok, PERM_PUBLIC, NULL, 0, "literal"},
    {HTTP_GET | HTTP_PUT, "/api/v1/units/:code", h_echo, PERM_PUBLIC, NULL, 0,
     "unit"},
    {HTTP_DELETE, "/api/v1/units/:code", h_echo, PERM_ROLES,
     "sysadmin, secadmin", 0, "unit.delete"},
    {HTTP_GET, "/admin", h_ok, PERM_ROLES, "sysadmin", 0, "admin"},
    {HTTP_GET, "/docs", h_ok, PERM_LOGIN, NULL, 0, "docs"},
    {HTTP_POST, "/form", h_echo, PERM_PUBLIC, NULL, 0, "form"},
    {HTTP_POST, "/signin", h_ok, PERM_PUBLIC, NULL, ROUTE_NOCSRF, "signin"},
    {HTTP_PUT, "/api/v1/test/clock", h_ok, PERM_PUBLIC, NULL, ROUTE_TESTCLOCK,
     "clock"},
    {HTTP_POST, "/slow", h_ok, PERM_PUBLIC, NULL, ROUTE_SLOW, "slow"},
    {HTTP_GET, "/silent", h_silent, PERM_PUBLIC, NULL, 0, "silent"},
    {HTTP_GET, "/files/*", h_echo, PERM_PUBLIC, NULL, 0, "files"},
    {0},
};

static void test_find(void **state)
{
    (void)state;
    static const struct {
        int method;
        const char *path;
        const char *name; /* NULL: none */
        int allowed;
    } rows[] = {
        {HTTP_GET, "/api/v1/units", "units", 0},
        {HTTP_HEAD, "/api/v1/units", "units", 0},
        {HTTP_POST, "/api/v1/units", "units.create", 0},
        {HTTP_DELETE, "/api/v1/units", NULL, HTTP_GET | HTTP_HEAD | HTTP_POST},
        {HTTP_GET, "/api/v1/units/new", "literal", 0}, /* first wins */
        {HTTP_PUT, "/api/v1/units/new", "unit", 0},
        {HTTP_DELETE, "/api/v1/units/x", "unit.delete", 0},
        {HTTP_PATCH, "/api/v1/units/x", NULL,
         HTTP_GET | HTTP_HEAD | HTTP_PUT | HTTP_DELETE},
        {HTTP_GET, "/api/v1/nothing", NULL, 0},
        {HTTP_GET, "/files/a/b", "files", 0},
        {HTTP_GET, "/static/app.css", NULL, 0}, /* built-ins: elsewhere */
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_req r;
        request_init(&r, NULL, a);
        r.method = (enum http_method)rows[i].method;
        r.path = rows[i].path;
        int allowed = 0;
        const struct route *rt = route_find(&r, routes, &allowed);
        const char *name = rt ? rt->name : NULL;
        if ((name == NULL) != (rows[i].name == NULL) ||
            (name && strcmp(name, rows[i].name) != 0))
            fail_msg("find row %zu: got %s", i, name ? name : "(none)");
        if (rt == NULL && allowed != rows[i].allowed)
            fail_msg("find row %zu: allowed %d", i, allowed);
        if (rt)
            assert_ptr_equal(r.route, rt);
    }
    char allow[64];
    route_methods_str(HTTP_GET | HTTP_HEAD | HTTP_DELETE, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, DELETE");
    route_methods_str(HTTP_GET | HTTP_POST, allow, 8);
    assert_string_equal(allow, "GET");
    arena_free(a);
}

static void test_permits(void **state)
{
    (void)state;
    static const struct route pub = {HTTP_GET, "/", h_ok, PERM_PUBLIC};
    static const struct route login = {HTTP_GET, "/", h_ok, PERM_LOGIN};
    static const struct route roles = {HTTP_GET, "/", h_ok, PERM_ROLES,
                                       "sysadmin, secadmin"};
    static const struct route none = {HTTP_GET, "/", h_ok, PERM_ROLES, NULL};
    struct http_req r;
    request_init(&r, NULL, NULL);
    assert_int_equal(route_permits(&r, &pub), 0);
    assert_int_equal(route_permits(&r, &login), 401);
    assert_int_equal(route_permits(&r, &roles), 401);
    r.signed_in = 1;
    assert_int_equal(route_permits(&r, &login), 0);
    assert_int_equal(route_permits(&r, &roles), 403);
    r.who.nroles = 2;
    r.who.roles[0] = "clerk";
    r.who.roles[1] = "secadmin";
    assert_int_equal(route_permits(&r, &roles), 0);
    r.who.roles[1] = "secadmi";
    assert_int_equal(route_permits(&r, &roles), 403);
    r.who.roles[1] = "sysadmin";
    assert_int_equal(route_permits(&r, &roles), 0);
    assert_int_equal(route_permits(&r, &none), 403);
}

/* ---- the pipeline ---- */

#define TOKEN                                                                  \
    "0123456789abcdef0123456789abcdef"                                         \
    "0123456789abcdef0123456789abcdef"

enum who { ANON, CLERK, SYSADMIN, API_TOKEN };

struct call {
    const char *method;
    const char *uri;
    const char *ctype; /* Content-Type, or NULL */
    const char *body;
    enum who who;
    const char *csrf; /* X-CSRF-Token header, or NULL */
    int status;
    const char *has; /* the reply body contains this (or Location) */
};

static const struct call calls[] = {
    /* routing */
    {"GET", "/api/v1/units?page=2&q=%E5%B1%80", NULL, NULL, ANON, NULL, 200,
     "?page=2|q=局#"},
    {"GET", "/api/v1/units/jtj", NULL, NULL, ANON, NULL, 200, "code=jtj?"},
    {"GET", "/api/v1/none", NULL, NULL, ANON, NULL, 404,
     "\"code\":\"not_found\""},
    {"GET", "/no/page", NULL, NULL, ANON, NULL, 404, "页面不存在"},
    {"PATCH", "/api/v1/units/x", NULL, NULL, ANON, NULL, 405,
     "method_not_allowed"},
    {"GET", "/files/a/b.txt", NULL, NULL, ANON, NULL, 200, "*=a/b.txt"},
    {"GET", "/bench/hello", NULL, NULL, ANON, NULL, 200, "hello"},
    {"GET", "/static/app.css", NULL, NULL, ANON, NULL, 200, "app.css"},
    {"GET", "/static/nope.css", NULL, NULL, ANON, NULL, 404, "页面不存在"},
    {"POST", "/static/app.css", NULL, NULL, ANON, NULL, 405, "请求方式"},
    /* test clock routes exist only with --test-clock */
    {"PUT", "/api/v1/test/clock", NULL, NULL, ANON, NULL, 404, "not_found"},
    /* permission */
    {"POST", "/api/v1/units", NULL, NULL, ANON, NULL, 401,
     "\"code\":\"unauthorized\""},
    {"GET", "/docs?x=1", NULL, NULL, ANON, NULL, 303,
     "/login?next=%2Fdocs%3Fx%3D1"},
    {"GET", "/docs", NULL, NULL, CLERK, NULL, 200, "ok"},
    {"GET", "/admin", NULL, NULL, CLERK, NULL, 403, "没有权限"},
    {"GET", "/admin", NULL, NULL, SYSADMIN, NULL, 200, "ok"},
    {"DELETE", "/api/v1/units/x", NULL, NULL, CLERK, TOKEN, 403, "forbidden"},
    {"DELETE", "/api/v1/units/x", NULL, NULL, SYSADMIN, TOKEN, 200, "code=x"},
    /* CSRF on cookie sessions */
    {"POST", "/api/v1/units", "application/json", "{\"a\":1}", CLERK, NULL, 403,
     "页面已过期，请刷新后重试"},
    {"POST", "/api/v1/units", "application/json", "{\"a\":1}", CLERK, "wrong",
     403, "\"code\":\"csrf\""},
    {"POST", "/api/v1/units", "application/json", "{\"a\":1}", CLERK, TOKEN,
     200, "json:1"},
    {"POST", "/api/v1/units", "application/json", "{\"a\":1}", API_TOKEN, NULL,
     200, "json:1"},
    {"POST", "/form", "application/x-www-form-urlencoded",
     "_csrf=" TOKEN "&t=%E9%80%9A%E7%9F%A5", CLERK, NULL, 200, "t=通知"},
    {"POST", "/form", "application/x-www-form-urlencoded", "t=x", CLERK, NULL,
     403, "页面已过期"},
    {"POST", "/form", "application/x-www-form-urlencoded", "t=x", ANON, NULL,
     200, "#t=x"}, /* no session, nothing to forge */
    {"POST", "/signin", NULL, NULL, CLERK, NULL, 200, "ok"}, /* NOCSRF */
    {"GET", "/docs", NULL, NULL, CLERK, NULL, 200, "ok"},    /* GET: none */
    /* input */
    {"GET", "/api/v1/units?q=%FF", NULL, NULL, ANON, NULL, 400, "bad_request"},
    {"POST", "/form", "application/x-www-form-urlencoded", "t=%C0%AF", ANON,
     NULL, 400, "请求有误"},
    {"POST", "/form", "application/json", "[1,2]", ANON, NULL, 400,
     "JSON 对象"},
    {"POST", "/form", "application/json", "{\"a\":1,\"a\":2}", ANON, NULL, 400,
     "JSON 对象"},
    {"POST", "/form", "application/json", "{\"a\":\"\xff\"}", ANON, NULL, 400,
     "JSON 对象"},
    {"POST", "/form", "application/json; charset=utf-8", "{}", ANON, NULL, 200,
     "json:0"},
    {"POST", "/form", "Application/JSON", "{\"b\":true}", ANON, NULL, 200,
     "json:1"},
    {"POST", "/form", "text/plain", "whatever \xff", ANON, NULL, 200, "#"},
    {"POST", "/form", "multipart/form-data; boundary=B",
     "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n甲\r\n"
     "--B\r\nContent-Disposition: form-data; name=\"f\"; "
     "filename=\"a.txt\"\r\n\r\nabc\r\n--B--\r\n",
     ANON, NULL, 200, "#t=甲|file:f:a.txt:3"},
    {"POST", "/form", "multipart/form-data; boundary=B",
     "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n甲", ANON, NULL,
     400, "请求有误"},
    {"POST", "/form", "multipart/form-data", "--B--", ANON, NULL, 400,
     "请求有误"},
    /* a handler that forgets to reply */
    {"GET", "/silent", NULL, NULL, ANON, NULL, 500, "系统出了点问题"},
    {"GET", "/api/v1/units/%FF", NULL, NULL, ANON, NULL, 400, "bad_request"},
    {"GET", "/api/v1/units/a%00b", NULL, NULL, ANON, NULL, 400, "bad_request"},
    {"GET", "/api/v1/units/%E4%BA%A4", NULL, NULL, ANON, NULL, 200, "code=交"},
    {"GET", "*", NULL, NULL, ANON, NULL, 400, "请求有误"},
};

/* Runs one call through dispatch_begin/dispatch_run like server.c does. */
static int run_call(struct arena *a, struct app *app, const struct call *c,
                    struct http_req *r, enum dispatch_next *next)
{
    static struct http_param headers[3];
    int nh = 0;
    request_init(r, app, a);
    r->method = (enum http_method)request_method(c->method);
    if (request_set_uri(r, c->uri) < 0)
        http_reply_status(r, 400, NULL); /* as server.c does */
    r->ip = "127.0.0.1";
    if (c->ctype)
        headers[nh++] = (struct http_param){"Content-Type", c->ctype};
    if (c->csrf)
        headers[nh++] = (struct http_param){"X-CSRF-Token", c->csrf};
    r->headers = headers;
    r->nheaders = nh;
    r->body = c->body ? c->body : "";
    r->body_len = c->body ? strlen(c->body) : 0;
    if (c->who != ANON) {
        r->signed_in = 1;
        r->who.user_id = 7;
        r->who.name = "周晓梅";
        r->who.unit_name = "秘书科";
        r->who.nroles = 1;
        r->who.roles[0] = c->who == SYSADMIN ? "sysadmin" : "clerk";
        r->who.csrf = c->who == API_TOKEN ? "" : TOKEN;
        r->who.via_token = c->who == API_TOKEN;
    }
    *next = dispatch_begin(r);
    if (*next != DISPATCH_REPLY)
        dispatch_run(r);
    return r->status;
}

static void test_pipeline(void **state)
{
    (void)state;
    static struct app app;
    config_defaults(&app.cfg);
    app.routes = routes;
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        const struct call *c = &calls[i];
        struct arena *a = arena_new();
        struct http_req r;
        enum dispatch_next next;
        int status = run_call(a, &app, c, &r, &next);
        if (status != c->status)
            fail_msg("call %zu: %s %s: status %d, want %d", i, c->method,
                     c->uri, status, c->status);
        const char *where = r.location ? r.location : r.reply_body;
        if (strstr(where ? where : "", c->has) == NULL)
            fail_msg("call %zu: %s %s: reply lacks %s:\n%s", i, c->method,
                     c->uri, c->has, where ? where : "(null)");
        assert_null(r.db);
        arena_free(a);
    }
}

static void test_pipeline_details(void **state)
{
    (void)state;
    static struct app app;
    config_defaults(&app.cfg);
    app.routes = routes;
    struct arena *a = arena_new();
    struct http_req r;
    enum dispatch_next next;

    /* 405 says what is allowed */
    static const struct call patch = {
        "PATCH", "/api/v1/units/x", NULL, NULL, ANON, NULL, 405, ""};
    run_call(a, &app, &patch, &r, &next);
    assert_int_equal(next, DISPATCH_REPLY);
    assert_int_equal(r.nextra, 1);
    assert_string_equal(r.extra_headers[0][0], "Allow");
    assert_string_equal(r.extra_headers[0][1], "GET, HEAD, PUT, DELETE");

    /* slow routes are handed to a worker */
    static const struct call slow = {"POST", "/slow", NULL, NULL,
                                     ANON,   NULL,    200,  ""};
    run_call(a, &app, &slow, &r, &next);
    assert_int_equal(next, DISPATCH_SLOW);

    /* the test clock route with --test-clock, from loopback only */
    static const struct call clock = {
        "PUT", "/api/v1/test/clock", NULL, NULL, ANON, NULL, 200, ""};
    app.cfg.test_clock = 1;
    assert_int_equal(run_call(a, &app, &clock, &r, &next), 200);
    assert_int_equal(next, DISPATCH_INLINE);
    request_init(&r, &app, a);
    r.method = HTTP_PUT;
    r.path = r.uri = "/api/v1/test/clock";
    r.ip = "10.0.0.8";
    assert_int_equal(dispatch_begin(&r), DISPATCH_REPLY);
    assert_int_equal(r.status, 404);
    app.cfg.test_clock = 0;

    /* a reply already set by the server (e.g. 413) is left alone */
    request_init(&r, &app, a);
    r.method = HTTP_GET;
    r.path = "/api/v1/units";
    http_reply_status(&r, 413, NULL);
    assert_int_equal(dispatch_begin(&r), DISPATCH_REPLY);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.reply_body, "too_large"));

    /* pages are HTML with no-store left to the server; JSON errors carry
     * fields and Retry-After for 423 */
    request_init(&r, &app, a);
    r.path = "/api/v1/session";
    struct err e;
    err_clear(&e);
    err_set(&e, 423, "locked", "账号已锁定，请 15 分钟后再试");
    e.retry_after = 900;
    err_field(&e, "password", "密码错误");
    http_reply_err(&r, &e);
    assert_int_equal(r.status, 423);
    assert_string_equal(r.extra_headers[0][0], "Retry-After");
    assert_string_equal(r.extra_headers[0][1], "900");
    assert_non_null(strstr(r.reply_body, "\"fields\":{\"password\":"
                                         "\"密码错误\"}"));
    assert_non_null(strstr(r.reply_body, "\"retry_after\":900"));
    assert_non_null(strstr(r.content_type, "application/json"));

    /* header injection is refused */
    request_init(&r, &app, a);
    http_add_header(&r, "X-A", "1\r\nSet-Cookie: x=1");
    http_add_header(&r, "Bad Name", "1");
    assert_int_equal(r.nextra, 0);
    http_redirect(&r, "/x\r\nSet-Cookie: a=b");
    assert_int_equal(r.status, 500);
    assert_null(r.location);
    http_redirect(&r, "/ok");
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/ok");
    arena_free(a);
}

/* The signed-in page context: user, csrf, nav filtered by role and the
 * current entry marked. */
static void test_page_ctx(void **state)
{
    (void)state;
    static const struct nav_item nav[] = {
        {"公文", "收文", "/docs/in", NULL},
        {"公文", "发文", "/docs/out", NULL},
        {"系统", "单位", "/admin/units", "sysadmin"},
        {"系统", "审计", "/audit", "auditor,secadmin"},
        {NULL, "首页", "/", NULL},
        {0},
    };
    static struct app app;
    config_defaults(&app.cfg);
    app.nav = nav;
    struct arena *a = arena_new();
    struct http_req r;
    request_init(&r, &app, a);
    r.path = "/docs/in/12";
    r.signed_in = 1;
    r.who.name = "周晓梅";
    r.who.unit_name = "秘书科";
    r.who.csrf = TOKEN;
    r.who.nroles = 1;
    r.who.roles[0] = "secadmin";
    json_t *c = web_page_ctx(&r, "收文登记");
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(strstr(s, "\"csrf\":\"" TOKEN "\""));
    assert_non_null(strstr(s, "\"title\":\"收文登记\""));
    assert_non_null(strstr(s, "\"user\":{\"login\":\"\",\"name\":\"周晓梅\","
                              "\"unit\":\"秘书科\"}"));
    json_t *items = json_object_get(c, "nav");
    assert_int_equal(json_array_size(items), 4); /* no 单位 */
    json_t *in = json_array_get(items, 0);
    assert_true(json_is_true(json_object_get(in, "active")));
    assert_string_equal(json_string_value(json_object_get(in, "group")),
                        "公文");
    json_t *out = json_array_get(items, 1);
    assert_true(json_is_false(json_object_get(out, "active")));
    assert_null(json_object_get(out, "group")); /* same group: no heading */
    json_t *audit = json_array_get(items, 2);
    assert_string_equal(json_string_value(json_object_get(audit, "group")),
                        "系统");
    json_t *home = json_array_get(items, 3);
    assert_true(json_is_false(json_object_get(home, "active")));
    free(s);
    json_decref(c);

    /* a page renders inside the layout */
    request_init(&r, &app, a);
    r.path = "/x";
    r.signed_in = 1;
    r.who.name = "<王>";
    r.who.csrf = TOKEN;
    json_t *ctx = json_pack("{s:s,s:s,s:[{s:s,s:s},{s:s}]}", "title", "标题",
                            "notice", "已保存", "breadcrumbs", "label", "上级",
                            "href", "/up", "label", "本页");
    http_reply_page(&r, 200, "error.html", ctx);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.reply_body, "<title>标题 - 枢纽</title>"));
    assert_non_null(strstr(r.reply_body, "&lt;王&gt;"));
    assert_non_null(strstr(r.reply_body, "value=\"" TOKEN "\""));
    assert_non_null(strstr(r.reply_body, "<a href=\"/up\">上级</a>"));
    assert_non_null(strstr(r.reply_body, "已保存"));
    assert_null(strstr(r.reply_body, "<script>"));

    /* a missing content template is a clean 500 */
    request_init(&r, &app, a);
    http_reply_page(&r, 200, "no_such_page.html", NULL);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.reply_body, "系统出了点问题"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_permits),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_pipeline_details),
        cmocka_unit_test(test_page_ctx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
