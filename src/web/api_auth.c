/*
 * api_auth.c - the JSON API for being someone: health, sign-in and
 * sign-out, who am I, my password, my API tokens, and the test clock.
 *
 *     GET    /healthz                  anyone        {"status","db"}
 *     POST   /api/v1/session           anyone        sign in (slow: argon2id)
 *     DELETE /api/v1/session           signed in     sign out
 *     GET    /api/v1/me                signed in
 *     PUT    /api/v1/me/password       signed in     (slow)
 *     GET    /api/v1/tokens            signed in     my tokens
 *     POST   /api/v1/tokens            signed in     {"name"} -> secret once
 *     DELETE /api/v1/tokens/:id        signed in     revoke my token
 *     PUT    /api/v1/test/clock        --test-clock  {"now": ISO 8601}
 *     DELETE /api/v1/test/clock        --test-clock  back to real time
 */
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "web/api.h"
#include "web/common.h"
#include "web/input.h"

static const char SQL_PING[] = "SELECT 1";

int api_healthz(struct http_req *r)
{
    int64_t one = 0;
    if (store_query_int(r->db, SQL_PING, &one, "") != STORE_ROW || one != 1) {
        http_reply_json(r, 503,
                        json_pack("{s:s, s:s}", "status", "unavailable", "db",
                                  r->app->db_kind));
        return 0;
    }
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s}", "status", "ok", "db",
                              r->app->db_kind));
    return 0;
}

static const struct input_field login_in[] = {
    {"login", IN_TEXT, 1, 64, "登录名", 0},
    {"password", IN_TEXT, 1, 256, "密码", 0},
    {0},
};

int api_session_create(struct http_req *r)
{
    struct input_value v[2];
    struct err e;
    const char *sid, *csrf;
    struct actor who;
    err_clear(&e);
    if (input_read(r, login_in, v, &e) ||
        auth_login(r->db, r->arena, v[0].text, v[1].text, r->ip, &sid, &csrf,
                   &who, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    common_set_session_cookie(r, sid);
    http_reply_json(r, 200,
                    json_pack("{s:o, s:s}", "user", common_json_actor(&who),
                              "csrf", csrf));
    return 0;
}

int api_session_delete(struct http_req *r)
{
    auth_logout(r->db, &r->who);
    common_clear_session_cookie(r);
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    return 0;
}

int api_me(struct http_req *r)
{
    json_t *j = common_json_actor(&r->who);
    if (r->who.csrf && *r->who.csrf)
        json_object_set_new(j, "csrf", json_string(r->who.csrf));
    http_reply_json(r, 200, j);
    return 0;
}

static const struct input_field password_in[] = {
    {"old_password", IN_TEXT, 1, 256, "原密码", 0},
    {"new_password", IN_TEXT, 1, 256, "新密码", 0},
    {0},
};

int api_me_password(struct http_req *r)
{
    struct input_value v[2];
    struct err e;
    err_clear(&e);
    if (input_read(r, password_in, v, &e) ||
        auth_password_change(r->db, &r->who, v[0].text, v[1].text, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    return 0;
}

int api_tokens_list(struct http_req *r)
{
    struct api_token *t;
    int n;
    struct err e;
    err_clear(&e);
    if (auth_token_list(r->db, r->arena, &r->who, &t, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, common_json_token(&t[i]));
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
    return 0;
}

static const struct input_field token_in[] = {
    {"name", IN_TEXT, 1, 100, "令牌名称", 0},
    {0},
};

int api_tokens_create(struct http_req *r)
{
    struct input_value v[1];
    struct err e;
    struct api_token t;
    const char *secret;
    err_clear(&e);
    if (input_read(r, token_in, v, &e) ||
        auth_token_create(r->db, r->arena, &r->who, v[0].text, &secret, &t,
                          &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *j = common_json_token(&t);
    json_object_set_new(j, "token", json_string(secret));
    http_reply_json(r, 201, j);
    return 0;
}

int api_tokens_revoke(struct http_req *r)
{
    struct err e;
    char *end;
    const char *s = http_param(r, "id");
    long long id = strtoll(s, &end, 10);
    err_clear(&e);
    if (*s == '\0' || *end != '\0' || id <= 0) {
        err_set(&e, 404, "not_found", "没有这个令牌");
        http_reply_err(r, &e);
        return 0;
    }
    if (auth_token_revoke(r->db, &r->who, id, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    return 0;
}

static const struct input_field clock_in[] = {
    {"now", IN_TEXT, 1, 64, "时间", 0},
    {0},
};

int api_test_clock_set(struct http_req *r)
{
    struct input_value v[1];
    struct err e;
    int64_t ms;
    char iso[26];
    err_clear(&e);
    if (input_read(r, clock_in, v, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    if (iso_parse_ms(v[0].text, &ms)) {
        err_field(&e, "now", "时间格式应为 2026-03-02T09:00:00+08:00");
        http_reply_err(r, &e);
        return 0;
    }
    now_set(ms);
    ms_fmt_iso(now_ms(), iso);
    http_reply_json(r, 200, json_pack("{s:s, s:b}", "now", iso, "moved", 1));
    return 0;
}

int api_test_clock_reset(struct http_req *r)
{
    char iso[26];
    now_reset();
    ms_fmt_iso(now_ms(), iso);
    http_reply_json(r, 200, json_pack("{s:s, s:b}", "now", iso, "moved", 0));
    return 0;
}
