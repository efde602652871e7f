/*
 * page_account.c - my account: who I am, my password, my API tokens.
 *
 *     GET  /account                     signed in   name, unit, roles, 密级
 *     POST /account/password            signed in   change (slow: argon2id)
 *     GET  /account/tokens              signed in   my tokens
 *     POST /account/tokens              signed in   create; the secret is
 *                                                   shown once, on this reply
 *     POST /account/tokens/:id/revoke   signed in   revoke one of mine
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/auth.h"
#include "web/common.h"
#include "web/pages.h"

static const struct input_field password_in[] = {
    {"old_password", IN_TEXT, 1, 256, "原密码", 0},
    {"new_password", IN_TEXT, 1, 256, "新密码", 0},
    {"new_password2", IN_TEXT, 1, 256, "确认新密码", 0},
    {0},
};

/* The account page; extra (may be NULL, decref'd) is merged into the
 * context: errors, alert. */
static void account_page(struct http_req *r, int status, json_t *extra)
{
    struct page_roles pr;
    json_t *ctx = page_ctx(r, "我的账号", NULL);
    page_roles_load(r, &pr);
    json_object_set_new(
        ctx, "me",
        json_pack("{s:s, s:s, s:s, s:o, s:s}", "login", r->who.login, "name",
                  r->who.name ? r->who.name : "", "unit",
                  r->who.unit_name ? r->who.unit_name : "", "roles",
                  page_role_names(&pr, r->who.roles, r->who.nroles),
                  "clearance", org_clearance_label(r->who.clearance)));
    json_object_set_new(ctx, "errors", json_object());
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    json_object_set_new(ctx, "via_token", json_boolean(r->who.via_token));
    http_reply_page(r, status, "account.html", ctx);
}

int page_account(struct http_req *r)
{
    account_page(r, 200, NULL);
    return 0;
}

int page_account_password(struct http_req *r)
{
    struct input_value v[3];
    struct err e;
    err_clear(&e);
    if (input_read(r, password_in, v, &e) == 0 &&
        strcmp(v[1].text, v[2].text) != 0)
        err_field(&e, "new_password2", "两次输入的新密码不一致");
    if (!err_isset(&e))
        auth_password_change(r->db, &r->who, v[0].text, v[1].text, &e);
    if (err_isset(&e)) {
        json_t *extra = json_object();
        json_object_set_new(extra, "errors",
                            page_form_errors(r, password_in, &e, extra));
        account_page(r, e.status >= 400 ? e.status : 400, extra);
        return 0;
    }
    page_done(r, "/account",
              "密码已修改；在其他设备上的登录已退出，请用新密码重新登录");
    return 0;
}

static const struct input_field token_in[] = {
    {"name", IN_TEXT, 1, 64, "令牌名称", 0},
    {0},
};

static void tokens_page(struct http_req *r, int status, json_t *extra)
{
    struct api_token *t = NULL;
    int n = 0;
    struct err e;
    err_clear(&e);
    if (auth_token_list(r->db, r->arena, &r->who, &t, &n, &e)) {
        json_decref(extra);
        page_fail(r, &e);
        return;
    }
    json_t *ctx = page_ctx(r, "API令牌", "我的账号", "/account", NULL);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id",
                      (json_int_t)t[i].id, "name", t[i].name ? t[i].name : "",
                      "prefix", t[i].prefix ? t[i].prefix : "", "created",
                      page_minute(r, t[i].created_ms), "last_used",
                      page_minute(r, t[i].last_used_ms), "revoked",
                      page_date(r, t[i].revoked_ms), "active",
                      t[i].revoked_ms <= 0));
    json_object_set_new(ctx, "tokens", items);
    if (extra)
        json_object_update(ctx, extra);
    json_decref(extra);
    if (json_object_get(ctx, "errors") == NULL)
        json_object_set_new(ctx, "errors", json_object());
    http_reply_page(r, status, "tokens.html", ctx);
}

int page_tokens(struct http_req *r)
{
    tokens_page(r, 200, NULL);
    return 0;
}

int page_tokens_create(struct http_req *r)
{
    struct input_value v[1];
    struct err e;
    struct api_token t;
    const char *secret = NULL;
    err_clear(&e);
    if (input_read(r, token_in, v, &e) == 0)
        auth_token_create(r->db, r->arena, &r->who, v[0].text, &secret, &t, &e);
    json_t *extra = json_object();
    if (err_isset(&e)) {
        json_object_set_new(extra, "errors",
                            page_form_errors(r, token_in, &e, extra));
        json_object_set_new(extra, "form", page_form_values(r));
        tokens_page(r, e.status >= 400 ? e.status : 400, extra);
        return 0;
    }
    /* shown on this reply only: it is never stored */
    json_object_set_new(
        extra, "created",
        json_pack("{s:s, s:s}", "name", v[0].text, "secret", secret));
    json_object_set_new(
        extra, "notice",
        json_string(arena_printf(r->arena,
                                 "已创建令牌“%s”。请立即复制保存，离开本页后"
                                 "将无法再次查看",
                                 v[0].text)));
    http_add_header(r, "Cache-Control", "no-store");
    tokens_page(r, 200, extra);
    return 0;
}

int page_tokens_revoke(struct http_req *r)
{
    struct err e;
    char *end;
    const char *s = http_param(r, "id");
    long long id = strtoll(s, &end, 10);
    err_clear(&e);
    if (*s == '\0' || *end != '\0' || id <= 0)
        err_set(&e, 404, "not_found", "没有这个令牌");
    else
        auth_token_revoke(r->db, &r->who, id, &e);
    if (err_isset(&e)) {
        page_fail(r, &e);
        return 0;
    }
    page_done(r, "/account/tokens", "已撤销令牌，使用它的程序将无法再访问");
    return 0;
}
