/*
 * reply.c - setting the one reply of a request (http_reply_* in http.h).
 *
 * A reply is only recorded in the request (status, type, body, headers);
 * server.c turns it into an HTTP response once the handler has returned.
 * Bodies are copied into the request's arena, so handlers may pass
 * buffers of their own.  Errors are JSON for the API
 * ({"error":{"code","message","fields"}}) and the calm error page for
 * pages; the messages are Chinese sentences for people, never internals.
 */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json_arena.h"
#include "base/log.h"
#include "web/tmpl.h"

#define REPLY_PAGE_MAX ((size_t)8 << 20)

/* Served when even the error page cannot be rendered. */
static const char fallback_500[] =
    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
    "<title>系统错误 - 枢纽</title></head><body><h1>系统出了点问题</h1>"
    "<p>请稍后重试；如果问题一直存在，请联系系统管理员。</p>"
    "<p><a href=\"/\">返回首页</a></p></body></html>";

static const char json_500[] =
    "{\"error\":{\"code\":\"internal\",\"message\":"
    "\"系统出了点问题，请稍后重试。\",\"fields\":{}}}";

struct status_text {
    int status;
    const char *code;
    const char *heading; /* the error page's title */
    const char *message;
};

static const struct status_text status_texts[] = {
    {400, "bad_request", "请求有误", "提交的内容格式不正确，请检查后重试。"},
    {401, "unauthorized", "请先登录", "请先登录。"},
    {403, "forbidden", "没有权限", "您没有权限进行此操作。"},
    {404, "not_found", "页面不存在",
     "您要找的页面不存在，可能已被移动或删除。"},
    {405, "method_not_allowed", "请求方式不支持", "此地址不支持这种请求方式。"},
    {409, "conflict", "内容已变化", "内容已被他人修改，请刷新后重试。"},
    {413, "too_large", "内容过大", "提交的内容过大，请减小附件或分批提交。"},
    {423, "locked", "账号已锁定", "账号已被临时锁定，请稍后再试。"},
    {429, "too_many", "操作过于频繁", "操作过于频繁，请稍后再试。"},
    {500, "internal", "系统出了点问题",
     "系统出了点问题，请稍后重试；"
     "如果问题一直存在，请联系系统管理员。"},
    {503, "unavailable", "系统繁忙", "系统繁忙，请稍后重试。"},
    {0, "error", "出错了", "操作未能完成，请稍后重试。"},
};

static const struct status_text *text_for(int status)
{
    const struct status_text *t = status_texts;
    while (t->status && t->status != status)
        t++;
    return t;
}

/* Header names are tokens; values carry no CR, LF or NUL. */
static int header_safe(const char *name, const char *value)
{
    for (const char *p = name; p && *p; p++)
        if (*p <= ' ' || *p == ':' || (unsigned char)*p >= 0x7f)
            return 0;
    for (const char *p = value; p && *p; p++)
        if (*p == '\r' || *p == '\n')
            return 0;
    return name && name[0] && value;
}

void http_reply(struct http_req *r, int status, const char *content_type,
                const char *body, size_t len)
{
    char *copy = arena_alloc(r->arena, len + 1);
    if (len)
        memcpy(copy, body, len);
    if (r->reply_fd >= 0) {
        close(r->reply_fd);
        r->reply_fd = -1;
    }
    r->status = status;
    r->content_type = arena_strdup(
        r->arena, content_type ? content_type : "text/plain; charset=utf-8");
    r->reply_body = copy;
    r->reply_len = len;
    r->reply_static = 0;
}

void http_reply_fd(struct http_req *r, int status, const char *content_type,
                   int fd, int64_t len)
{
    http_reply(r, status, content_type, "", 0);
    r->reply_fd = fd;
    r->reply_fd_len = len;
}

void http_reply_json(struct http_req *r, int status, json_t *j)
{
    char *s = j ? json_text(j, JSON_COMPACT) : NULL;
    if (s == NULL) {
        log_error("cannot serialise json reply for %s", r->path);
        http_reply(r, 500, "application/json; charset=utf-8", json_500,
                   sizeof(json_500) - 1);
    } else {
        http_reply(r, status, "application/json; charset=utf-8", s, strlen(s));
    }
    free(s);
    json_decref(j);
}

/* A string for JSON, "" when NULL or not UTF-8. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

void http_reply_err(struct http_req *r, const struct err *e)
{
    int status = e->status >= 400 && e->status <= 599 ? e->status : 400;
    const struct status_text *t = text_for(status);
    const char *code = e->code && e->code[0] ? e->code : t->code;
    const char *message = e->message && e->message[0] ? e->message : t->message;
    if (status == 404 && message == t->message && http_is_api(r))
        message = "请求的资源不存在。";
    if (status == 423 && e->retry_after > 0) {
        char secs[32];
        snprintf(secs, sizeof(secs), "%ld", e->retry_after);
        http_add_header(r, "Retry-After", secs);
    }
    json_t *fields = json_object();
    for (int i = 0; i < e->nfields && i < ERR_MAX_FIELDS; i++) {
        const char *f = e->fields[i].field;
        if (f && json_object_get(fields, f) == NULL)
            json_object_set_new(fields, f, jstr(e->fields[i].message));
    }
    if (http_is_api(r)) {
        json_t *body =
            json_pack("{s:{s:o,s:o,s:o}}", "error", "code", jstr(code),
                      "message", jstr(message), "fields", fields);
        if (status == 423 && e->retry_after > 0 && body)
            json_object_set_new(json_object_get(body, "error"), "retry_after",
                                json_integer(e->retry_after));
        http_reply_json(r, status, body);
        return;
    }
    json_t *list = json_array();
    const char *key;
    json_t *msg;
    json_object_foreach(fields, key, msg) json_array_append(list, msg);
    json_decref(fields);
    const char *heading = strcmp(code, "csrf") == 0 ? "页面已过期" : t->heading;
    json_t *ctx = web_page_ctx(r, heading);
    json_object_set_new(ctx, "status", json_integer(status));
    json_object_set_new(ctx, "heading", jstr(heading));
    json_object_set_new(ctx, "message", jstr(message));
    json_object_set_new(ctx, "fields", list);
    http_reply_page(r, status, "error.html", ctx);
}

void http_reply_status(struct http_req *r, int status, const char *message)
{
    struct err e;
    err_clear(&e);
    e.status = status;
    e.code = text_for(status)->code;
    e.message = message;
    http_reply_err(r, &e);
}

void http_redirect(struct http_req *r, const char *location)
{
    if (!header_safe("Location", location)) {
        log_error("refusing redirect with a bad location on %s", r->path);
        http_reply_status(r, 500, NULL);
        return;
    }
    http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
    r->location = arena_strdup(r->arena, location);
}

void http_reply_page(struct http_req *r, int status, const char *name,
                     json_t *ctx)
{
    http_reply_page_with(r, status, name, ctx, NULL);
}

void http_reply_page_with(struct http_req *r, int status, const char *name,
                          json_t *ctx, const struct tmpl_bind *binds)
{
    struct buf content, page;
    struct tmpl_bind around[2];
    int rc = -1;
    buf_init(&content, REPLY_PAGE_MAX);
    buf_init(&page, REPLY_PAGE_MAX);
    if (ctx == NULL)
        ctx = json_object();
    char *tname = arena_printf(r->arena, "templates/%s", name);
    if (tmpl_render_name_with(tname, ctx, binds, &content) < 0)
        goto out;
    if (json_object_get(ctx, "asset_version") == NULL) {
        /* not begun with web_page_ctx (page_ctx does): its keys now */
        json_t *base = web_page_ctx(r, NULL);
        json_object_update_missing(ctx, base);
        json_decref(base);
    }
    /* our own rendering of escaped values: the one raw insertion, bound
     * (not copied into ctx) and looked up before ctx */
    memset(around, 0, sizeof(around));
    around[0].name = "content";
    tmpl_val_strn(&around[0].val, content.ptr, content.len);
    if (tmpl_render_name_with("templates/layout.html", ctx, around, &page) < 0)
        goto out;
    http_reply(r, status, "text/html; charset=utf-8", page.ptr, page.len);
    rc = 0;
out:
    if (rc < 0) {
        log_error("cannot render page %s for %s", name, r->path);
        http_reply(r, 500, "text/html; charset=utf-8", fallback_500,
                   sizeof(fallback_500) - 1);
    }
    buf_free(&content);
    buf_free(&page);
    json_decref(ctx);
}

void http_add_cookie(struct http_req *r, const char *cookie)
{
    int max = (int)(sizeof(r->set_cookie) / sizeof(r->set_cookie[0]));
    if (!header_safe("Set-Cookie", cookie) || r->nset_cookie >= max) {
        log_error("dropping a cookie on %s", r->path);
        return;
    }
    r->set_cookie[r->nset_cookie++] = arena_strdup(r->arena, cookie);
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    int max = (int)(sizeof(r->extra_headers) / sizeof(r->extra_headers[0]));
    if (!header_safe(name, value) || r->nextra >= max) {
        log_error("dropping header %s on %s", name ? name : "(null)", r->path);
        return;
    }
    r->extra_headers[r->nextra][0] = arena_strdup(r->arena, name);
    r->extra_headers[r->nextra][1] = arena_strdup(r->arena, value);
    r->nextra++;
}
