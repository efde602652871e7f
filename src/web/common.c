/* common.c - see common.h. */
#include "web/common.h"

#include <stdlib.h>
#include <string.h>

#include "base/now.h"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t ms)
{
    char iso[26];
    if (ms <= 0)
        return json_null();
    ms_fmt_iso(ms, iso);
    return json_string(iso);
}

const struct input_field common_unit_create_in[] = {
    {"code", IN_TEXT, 1, 32, "单位代码", 0},
    {"name", IN_TEXT, 1, 200, "单位名称", 0},
    {"short_name", IN_TEXT, 0, 100, "简称", 0},
    {"kind", IN_TEXT, 1, 32, "单位类别", 0},
    {"parent", IN_TEXT, 0, 32, "上级单位", 0},
    {"sort", IN_INT, 0, 1000000, "排序号", 0},
    {"active", IN_BOOL, 0, 0, "启用", 0},
    {0},
};

const struct input_field common_unit_update_in[] = {
    {"code", IN_TEXT, 0, 32, "单位代码", 0},
    {"name", IN_TEXT, 0, 200, "单位名称", 0},
    {"short_name", IN_TEXT, 0, 100, "简称", 0},
    {"kind", IN_TEXT, 0, 32, "单位类别", 0},
    {"parent", IN_TEXT, 0, 32, "上级单位", 0},
    {"sort", IN_INT, 0, 1000000, "排序号", 0},
    {"active", IN_BOOL, 0, 0, "启用", 0},
    {0},
};

json_t *common_json_unit(const struct unit *u)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:i, s:b}", "code",
                     u->code, "name", u->name, "short_name",
                     str_or_null(u->short_name), "kind", u->kind,
                     "kind_label",
                     org_kind_label(u->kind) ? org_kind_label(u->kind) : "",
                     "parent", str_or_null(u->parent_code), "sort", u->sort,
                     "active", u->active);
}

json_t *common_json_user(const struct user *u)
{
    json_t *roles = json_array();
    for (int i = 0; i < u->nroles; i++)
        json_array_append_new(roles, json_string(u->roles[i]));
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:i, s:s, s:o, s:o, s:b, s:b, s:o}",
        "login", u->login, "name", u->name, "unit", u->unit_code,
        "unit_name", str_or_null(u->unit_name), "roles", roles, "clearance",
        u->clearance, "clearance_label", org_clearance_label(u->clearance),
        "backup", str_or_null(u->backup_login), "phone",
        str_or_null(u->phone), "active", u->active, "locked",
        u->locked_until_ms > now_ms(), "created_at",
        time_or_null(u->created_ms));
}

json_t *common_json_actor(const struct actor *a)
{
    json_t *roles = json_array();
    for (int i = 0; i < a->nroles; i++)
        json_array_append_new(roles, json_string(a->roles[i]));
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:s}", "login",
                     a->login, "name", a->name ? a->name : "", "unit",
                     a->unit_code ? a->unit_code : "", "unit_name",
                     str_or_null(a->unit_name), "roles", roles, "clearance",
                     a->clearance, "clearance_label",
                     org_clearance_label(a->clearance));
}

json_t *common_json_audit(const struct audit_rec *r)
{
    json_t *detail = NULL;
    if (r->detail && *r->detail)
        detail = json_loads(r->detail, 0, NULL);
    return json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:s, s:o, s:s}",
                     "seq", (json_int_t)r->seq, "at", time_or_null(r->at_ms),
                     "actor", str_or_null(r->actor_login), "ip",
                     str_or_null(r->ip), "action", r->action, "target_type",
                     str_or_null(r->target_type), "target",
                     str_or_null(r->target), "result",
                     r->result ? r->result : "", "detail",
                     detail ? detail : json_null(), "hash",
                     r->hash ? r->hash : "");
}

json_t *common_json_token(const struct api_token *t)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id",
                     (json_int_t)t->id, "name", t->name ? t->name : "",
                     "prefix", t->prefix ? t->prefix : "", "created_at",
                     time_or_null(t->created_ms), "last_used_at",
                     time_or_null(t->last_used_ms), "revoked_at",
                     time_or_null(t->revoked_ms));
}

void common_set_session_cookie(struct http_req *r, const char *sid)
{
    http_add_cookie(
        r, arena_printf(r->arena, "sid=%s; Path=/; HttpOnly; SameSite=Strict%s",
                        sid, r->app->cfg.secure_cookies ? "; Secure" : ""));
}

void common_clear_session_cookie(struct http_req *r)
{
    http_add_cookie(
        r, arena_printf(r->arena,
                        "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
                        r->app->cfg.secure_cookies ? "; Secure" : ""));
}

long common_query_long(const struct http_req *r, const char *name, long def)
{
    const char *s = http_query(r, name);
    char *end;
    if (s == NULL || *s == '\0')
        return def;
    long v = strtol(s, &end, 10);
    return *end == '\0' ? v : def;
}

void common_paging(const struct http_req *r, int def, int max, int *limit,
                   int *offset)
{
    long l = common_query_long(r, "limit", def);
    long o = common_query_long(r, "offset", 0);
    *limit = l < 1 ? def : l > max ? max : (int)l;
    *offset = o < 0 ? 0 : o > 100000000 ? 100000000 : (int)o;
}
