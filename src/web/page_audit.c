/*
 * page_audit.c - the audit trail for the security auditor (only the
 * auditor reads it: 三员分立).  Newest first, with filters, paging and the
 * Excel export of exactly what is filtered.
 *
 *     GET /audit          auditor   ?actor=&action=&result=&from=&to=&offset=
 *     GET /audit/export   auditor   the same filters, as .xlsx (slow)
 *
 * from/to are dates (2026-11-26); to includes its whole day.  The filter
 * itself is api_audit_filter(), shared with the JSON API.
 */
#include <string.h>

#include "web/api.h"
#include "web/common.h"
#include "web/pages.h"

/* Chinese names of the actions; prefixes end with '.' */
static const struct {
    const char *code;
    const char *label;
    int choice; /* offered in the filter */
} audit_actions[] = {
    {"auth.", "登录与账号安全（全部）", 1},
    {"auth.login", "登录", 1},
    {"auth.lock", "账号锁定", 1},
    {"auth.logout", "退出登录", 1},
    {"auth.password.change", "修改密码", 1},
    {"auth.password.set", "重置密码", 1},
    {"auth.token.create", "创建API令牌", 1},
    {"auth.token.revoke", "撤销API令牌", 1},
    {"org.", "组织机构与人员（全部）", 1},
    {"org.unit.create", "新增单位", 1},
    {"org.unit.update", "修改单位", 1},
    {"org.user.create", "新增人员", 1},
    {"org.user.update", "修改人员", 1},
    {"org.user.grant", "授予角色和密级", 1},
    {"org.role.create", "新增角色", 0},
};

static const struct {
    const char *code;
    const char *label;
} audit_results[] = {
    {"ok", "成功"},
    {"denied", "拒绝"},
    {"failed", "失败"},
};

/* Chinese names of the target types */
static const struct {
    const char *code;
    const char *label;
} audit_targets[] = {
    {"user", "人员"},  {"unit", "单位"},    {"role", "角色"},
    {"token", "令牌"}, {"session", "会话"},
};

static const char *audit_target_label(const char *code)
{
    for (size_t i = 0; i < sizeof(audit_targets) / sizeof(audit_targets[0]);
         i++)
        if (strcmp(audit_targets[i].code, code) == 0)
            return audit_targets[i].label;
    return code;
}

static const char *audit_action_label(const char *code)
{
    for (size_t i = 0; i < sizeof(audit_actions) / sizeof(audit_actions[0]);
         i++)
        if (strcmp(audit_actions[i].code, code) == 0)
            return audit_actions[i].label;
    return "";
}

static const char *audit_result_label(const char *code)
{
    for (size_t i = 0; i < sizeof(audit_results) / sizeof(audit_results[0]);
         i++)
        if (code && strcmp(audit_results[i].code, code) == 0)
            return audit_results[i].label;
    return code ? code : "";
}

static json_t *audit_options(const char *action, const char *result,
                             json_t **results)
{
    json_t *a = json_array();
    int found = *action == '\0';
    json_array_append_new(a,
                          json_pack("{s:s, s:s, s:b}", "value", "", "label",
                                    "全部操作", "selected", *action == '\0'));
    for (size_t i = 0; i < sizeof(audit_actions) / sizeof(audit_actions[0]);
         i++) {
        if (!audit_actions[i].choice)
            continue;
        int sel = strcmp(action, audit_actions[i].code) == 0;
        found |= sel;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:b}", "value", audit_actions[i].code,
                         "label", audit_actions[i].label, "selected", sel));
    }
    if (!found) /* a prefix typed into the address: keep it */
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", action,
                                           "label", action, "selected", 1));
    *results = json_array();
    json_array_append_new(*results,
                          json_pack("{s:s, s:s, s:b}", "value", "", "label",
                                    "全部结果", "selected", *result == '\0'));
    for (size_t i = 0; i < sizeof(audit_results) / sizeof(audit_results[0]);
         i++)
        json_array_append_new(
            *results,
            json_pack("{s:s, s:s, s:b}", "value", audit_results[i].code,
                      "label", audit_results[i].label, "selected",
                      strcmp(result, audit_results[i].code) == 0));
    return a;
}

int page_audit(struct http_req *r)
{
    struct audit_filter f;
    struct audit_rec *recs = NULL;
    int n = 0, total = 0;
    struct err e;
    err_clear(&e);
    json_t *ctx = page_ctx(r, "审计记录", NULL);
    const char *action = page_query(r, "action");
    const char *result = page_query(r, "result");
    json_t *results;
    json_object_set_new(ctx, "actions",
                        audit_options(action, result, &results));
    json_object_set_new(ctx, "results", results);
    json_object_set_new(
        ctx, "f",
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "actor", page_query(r, "actor"),
                  "action", action, "result", result, "from",
                  page_query(r, "from"), "to", page_query(r, "to")));
    static const char *const names[] = {"actor", "action", "result", "from",
                                        "to",    "limit",  NULL};
    page_qs(r, ctx, "qs", names);
    int status = 200;
    if (api_audit_filter(r, &f, &e)) {
        /* a malformed date: say so beside it, list nothing */
        json_object_set_new(ctx, "errors", page_form_errors(r, NULL, &e, ctx));
        status = 400;
    } else if (audit_list(r->db, r->arena, &f, &recs, &n, &total, &e)) {
        json_decref(ctx);
        page_fail(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        const struct audit_rec *a = &recs[i];
        const char *target = a->target ? a->target : "";
        if (a->target_type && *a->target_type && *target)
            target = arena_printf(r->arena, "%s %s",
                                  audit_target_label(a->target_type), target);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
                      (json_int_t)a->seq, "at", page_minute(r, a->at_ms),
                      "actor", a->actor_login ? a->actor_login : "", "ip",
                      a->ip ? a->ip : "", "action", a->action, "action_label",
                      audit_action_label(a->action), "target", target, "result",
                      a->result ? a->result : "", "result_label",
                      audit_result_label(a->result)));
    }
    json_object_set_new(ctx, "records", items);
    page_paging(ctx, f.offset, f.limit, n, total);
    if (json_object_get(ctx, "errors") == NULL)
        json_object_set_new(ctx, "errors", json_object());
    http_reply_page(r, status, "audit.html", ctx);
    return 0;
}

int page_audit_export(struct http_req *r)
{
    return api_audit_export(r);
}
