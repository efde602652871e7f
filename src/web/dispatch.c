/*
 * dispatch.c - from a parsed request to a reply: the checks that run before
 * any handler, in this order, each answering by itself when it fails:
 *
 *     1. route      built-in routes, then app->routes; no path: 404, path
 *                   but not method: 405 with Allow; ROUTE_TESTCLOCK routes
 *                   are 404 unless serve --test-clock and from loopback
 *     2. caller     r->db from the pool (not for ROUTE_NODB routes), then
 *                   "Authorization: Bearer" (auth_token_resolve; a bad
 *                   token is 401) or the "sid" cookie (auth_session; a bad
 *                   one is simply anonymous; a database that cannot be
 *                   read is 503, so an outage never looks like a sign-out)
 *     3. permission not signed in: 401 JSON for the API, a redirect to
 *                   /login?next=... for pages; wrong role: 403
 *     4. input      query string and body (urlencoded, multipart, JSON
 *                   object); malformed or not UTF-8: 400
 *     5. CSRF       methods other than GET/HEAD on a cookie session need
 *                   X-CSRF-Token or form field _csrf (auth_csrf_ok) unless
 *                   the route says ROUTE_NOCSRF; token callers skip it
 *
 * Then dispatch_run() calls the handler (on a worker thread for ROUTE_SLOW,
 * see server.c; such a request gives its database connection back while
 * it waits for a worker and takes one again there), answers 500 when the
 * handler set no reply, rolls back a transaction it left open and gives
 * the connection back to the pool.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "kernel/auth.h"
#include "web/tmpl.h"

/*
 * GET /bench/hello: the hello-world ceiling for the benchmarks in bench/.
 * No database, no session, no template: only the core's own per-request
 * work (arena, headers, routing, security headers), so that bench/ can
 * compare real pages against it in the same run.
 */
static int bench_hello(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; charset=utf-8";
    r->reply_body = "hello";
    r->reply_len = 5;
    r->reply_static = 1;
    return 0;
}

const struct route dispatch_builtin_routes[] = {
    {HTTP_GET, "/static/*", static_serve, PERM_PUBLIC, NULL, ROUTE_NODB,
     "static"},
    {HTTP_GET, "/bench/hello", bench_hello, PERM_PUBLIC, NULL, ROUTE_NODB,
     "bench_hello"},
    {0},
};

/* A request reads in one snapshot of the database (store_read_begin)
 * until it writes: a page sees one state throughout, and SQLite locks
 * once; the pool ends it. */
static void take_db(struct http_req *r)
{
    if (r->db == NULL && r->app && r->app->pool) {
        r->db = store_pool_get(r->app->pool);
        store_read_begin(r->db);
    }
}

void dispatch_end(struct http_req *r)
{
    if (r->db && r->app && r->app->pool)
        store_pool_put(r->app->pool, r->db);
    r->db = NULL;
}

/* The secret of "Authorization: Bearer <secret>", or NULL. */
static const char *bearer(const struct http_req *r)
{
    const char *h = http_header(r, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

/* Fills r->who.  0 ok (signed in or anonymous); -1 when a Bearer token is
 * bad and quiet is 0 (then a 401 is set). */
static int resolve_caller(struct http_req *r, int quiet)
{
    int rc = 0;
    if (r->db == NULL)
        goto out;
    const char *token = bearer(r);
    const char *sid = http_cookie(r, "sid");
    if (token) {
        if (auth_token_resolve(r->db, r->arena, token, r->ip, &r->who) == 0) {
            r->signed_in = 1;
            r->who.via_token = 1;
        } else if (!quiet) {
            http_reply_status(r, 401, "访问令牌无效或已撤销。");
            rc = -1;
        }
    } else if (sid && sid[0]) {
        int got = auth_session(r->db, r->arena, sid, r->ip, &r->who);
        if (got == 0) {
            r->signed_in = 1;
        } else if (got == -2 && !quiet) {
            /* a database outage must not look like a sign-out */
            http_reply_status(r, 503, "系统暂时无法访问数据库，请稍后重试。");
            rc = -1;
        }
    }
out:
    if (!r->signed_in)
        memset(&r->who, 0, sizeof(r->who));
    return rc;
}

/* Not signed in: 401 for the API, the sign-in page for pages. */
static void need_login(struct http_req *r)
{
    if (http_is_api(r)) {
        http_reply_status(r, 401, "请先登录。");
        return;
    }
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "/login?next=");
    if (tmpl_escape_url(&b, r->uri, strlen(r->uri)) < 0) {
        buf_reset(&b);
        buf_puts(&b, "/login");
    }
    http_redirect(r, b.ptr);
    buf_free(&b);
}

/* 1 when the media type of a Content-Type value is `type`. */
static int type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (ct == NULL || strncasecmp(ct, type, n) != 0)
        return 0;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

static void json_release(void *j)
{
    json_decref(j);
}

/* Parses the body by its Content-Type.  0 ok; -1 with a 400 set. */
static int parse_body(struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    if (r->body_len == 0 || r->method == HTTP_GET || r->method == HTTP_HEAD)
        return 0;
    if (type_is(ct, "application/x-www-form-urlencoded")) {
        if (request_parse_urlencoded(r->arena, r->body, r->body_len, &r->form,
                                     &r->nform) < 0)
            goto bad_text;
    } else if (type_is(ct, "multipart/form-data")) {
        const char *b = request_boundary(r->arena, ct);
        if (b == NULL ||
            request_parse_multipart(r->arena, r->body, r->body_len, b, &r->form,
                                    &r->nform, &r->files, &r->nfiles) < 0)
            goto bad_text;
    } else if (type_is(ct, "application/json")) {
        json_error_t jerr;
        r->json =
            json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (r->json)
            arena_defer(r->arena, json_release, r->json);
        if (!json_is_object(r->json)) {
            http_reply_status(r, 400, "请求内容不是有效的 JSON 对象。");
            return -1;
        }
    }
    return 0;
bad_text:
    http_reply_status(r, 400,
                      "提交的内容格式不正确或含有无效字符，"
                      "请检查后重试。");
    return -1;
}

static int csrf_ok(const struct http_req *r)
{
    if (r->method == HTTP_GET || r->method == HTTP_HEAD)
        return 1;
    if (!r->signed_in || r->who.via_token || (r->route->flags & ROUTE_NOCSRF))
        return 1;
    const char *t = http_header(r, "X-CSRF-Token");
    if (t == NULL)
        t = http_form(r, "_csrf");
    return t != NULL && auth_csrf_ok(&r->who, t);
}

static int is_loopback(const char *ip)
{
    return ip && (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0);
}

enum dispatch_next dispatch_begin(struct http_req *r)
{
    enum dispatch_next next = DISPATCH_REPLY;
    int allowed = 0;
    if (r->status)
        goto out;
    const struct route *rt = route_find(r, dispatch_builtin_routes, &allowed);
    if (rt == NULL && r->app)
        rt = route_find(r, r->app->routes, &allowed);
    if (rt && (rt->flags & ROUTE_TESTCLOCK) &&
        !(r->app && r->app->cfg.test_clock && is_loopback(r->ip))) {
        rt = NULL;
        r->route = NULL;
        r->nparams = 0;
        allowed = 0;
    }
    if (rt == NULL) {
        if (!http_is_api(r)) {
            take_db(r); /* the page shows who is signed in */
            resolve_caller(r, 1);
        }
        if (allowed) {
            char allow[64];
            route_methods_str(allowed, allow, sizeof(allow));
            http_add_header(r, "Allow", allow);
            http_reply_status(r, 405, NULL);
        } else {
            http_reply_status(r, 404, NULL);
        }
        goto out;
    }
    if (!(rt->flags & ROUTE_NODB)) {
        take_db(r);
        if (resolve_caller(r, 0) < 0)
            goto out;
    }
    switch (route_permits(r, rt)) {
    case 0:
        break;
    case 401:
        need_login(r);
        goto out;
    default:
        http_reply_status(r, 403, NULL);
        goto out;
    }
    if (request_parse_urlencoded(r->arena, r->query_string,
                                 strlen(r->query_string), &r->query,
                                 &r->nquery) < 0) {
        http_reply_status(r, 400, "网址中的参数格式不正确或含有无效字符。");
        goto out;
    }
    if (parse_body(r) < 0)
        goto out;
    if (!csrf_ok(r)) {
        struct err e;
        err_clear(&e);
        err_set(&e, 403, "csrf", "页面已过期，请刷新后重试");
        http_reply_err(r, &e);
        goto out;
    }
    next = (rt->flags & ROUTE_SLOW) ? DISPATCH_SLOW : DISPATCH_INLINE;
out:
    /* a slow job may wait in the worker queue: it must not hold a
     * connection meanwhile, or a burst of sign-ins could empty the pool
     * and block the event threads; dispatch_run() takes one again */
    if (next != DISPATCH_INLINE)
        dispatch_end(r);
    return next;
}

void dispatch_run(struct http_req *r)
{
    if (!(r->route->flags & ROUTE_NODB))
        take_db(r);
    /* the handler's jansson values live in the request's arena */
    struct arena *json_was = json_arena_use(r->arena);
    int rc = r->route->handler(r);
    json_arena_use(json_was);
    if (r->status == 0) {
        log_error("handler %s set no reply (returned %d) on %s",
                  r->route->name ? r->route->name : r->route->pattern, rc,
                  r->path);
        http_reply_status(r, 500, NULL);
    }
    if (r->db && store_in_tx(r->db)) {
        log_error("handler %s left a transaction open on %s; rolled back",
                  r->route->name ? r->route->name : r->route->pattern, r->path);
        store_rollback(r->db);
    }
    dispatch_end(r);
}
