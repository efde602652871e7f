/*
 * page_common.c - what the page handlers share: the navigation table, the
 * page context (title, breadcrumbs, the notice of the last action), the
 * flash cookie, form errors and values, paging, dates and role names.
 * No routes of its own.
 *
 * The flash: page_done() sets the cookie "flash" (the message,
 * percent-encoded; HttpOnly, SameSite=Strict, one minute) and answers
 * 303; the next page_ctx() shows it as "notice" and clears it.  The text
 * is only ever shown escaped, so a forged cookie can at worst show its
 * owner a sentence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/now.h"
#include "web/pages.h"
#include "web/tmpl.h"

#define PAGE_FLASH_MAX 600

const struct nav_item pages_nav[] = {
    {NULL, "我的待办", "/", NULL},
    {"系统管理", "单位管理", "/admin/units", "sysadmin"},
    {"系统管理", "人员管理", "/admin/users", "sysadmin"},
    {"系统管理", "批量导入", "/admin/import", "sysadmin"},
    {"系统管理", "工作日历", "/admin/calendar", "sysadmin"},
    {"安全保密", "角色与密级", "/admin/grants", "secadmin"},
    {"安全审计", "审计记录", "/audit", "auditor"},
    {"个人设置", "我的账号", "/account", NULL},
    {"个人设置", "API令牌", "/account/tokens", NULL},
    {0},
};

static json_t *page_str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

/* 1 when the actor holds one of the comma-separated roles (NULL: any). */
static int page_has_any(const struct actor *who, const char *roles)
{
    if (roles == NULL)
        return 1;
    for (int i = 0; i < who->nroles; i++) {
        size_t n = strlen(who->roles[i]);
        for (const char *p = roles; p;) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            if (len == n && strncmp(p, who->roles[i], n) == 0)
                return 1;
            p = c ? c + 1 : NULL;
        }
    }
    return 0;
}

/* The navigation from pages_nav, for a core that was not given one. */
static json_t *page_nav(struct http_req *r)
{
    json_t *list = json_array(), *active = NULL;
    const char *group = NULL;
    size_t best = 0;
    for (const struct nav_item *it = pages_nav; it->label; it++) {
        if (!page_has_any(&r->who, it->roles))
            continue;
        json_t *o = json_object();
        if (it->group && (group == NULL || strcmp(group, it->group) != 0))
            json_object_set_new(o, "group", page_str(it->group));
        group = it->group;
        json_object_set_new(o, "label", page_str(it->label));
        json_object_set_new(o, "href", page_str(it->href));
        json_object_set_new(o, "active", json_false());
        size_t n = strlen(it->href);
        if (strncmp(r->path, it->href, n) == 0 &&
            (r->path[n] == '\0' || (n > 1 && r->path[n] == '/')) && n > best) {
            best = n;
            active = o;
        }
        json_array_append_new(list, o);
    }
    if (active)
        json_object_set_new(active, "active", json_true());
    return list;
}

static int page_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The flash message of the request, decoded, or NULL. */
static const char *page_flash(struct http_req *r)
{
    const char *v = http_cookie(r, "flash");
    if (v == NULL || *v == '\0')
        return NULL;
    size_t n = strlen(v);
    if (n > PAGE_FLASH_MAX * 3)
        return NULL;
    char *out = arena_alloc(r->arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (v[i] == '%' && i + 2 < n && (hi = page_hex(v[i + 1])) >= 0 &&
            (lo = page_hex(v[i + 2])) >= 0) {
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[k++] = v[i];
        }
    }
    out[k] = '\0';
    return input_utf8_ok(out, k) ? out : NULL;
}

json_t *page_ctx(struct http_req *r, const char *title, ...)
{
    json_t *c = web_page_ctx(r, title);
    if (r->signed_in && r->app->nav == NULL)
        json_object_set_new(c, "nav", page_nav(r));

    json_t *crumbs = json_array();
    va_list ap;
    va_start(ap, title);
    for (;;) {
        const char *label = va_arg(ap, const char *);
        if (label == NULL)
            break;
        const char *href = va_arg(ap, const char *);
        json_array_append_new(crumbs,
                              json_pack("{s:o, s:o}", "label", page_str(label),
                                        "href", page_str(href)));
    }
    va_end(ap);
    if (strcmp(r->path, "/") != 0 && title)
        json_array_append_new(crumbs,
                              json_pack("{s:o}", "label", page_str(title)));
    json_object_set_new(c, "breadcrumbs", crumbs);

    const char *flash = page_flash(r);
    if (flash) {
        json_object_set_new(c, "notice", page_str(flash));
        http_add_cookie(r, "flash=; Path=/; Max-Age=0; HttpOnly; "
                           "SameSite=Strict");
    }
    return c;
}

void page_done(struct http_req *r, const char *location, const char *msg)
{
    struct buf b;
    buf_init(&b, PAGE_FLASH_MAX * 3 + 200);
    if (buf_puts(&b, "flash=") == 0 &&
        tmpl_escape_url(&b, msg, strnlen(msg, PAGE_FLASH_MAX)) == 0 &&
        buf_puts(&b, "; Path=/; Max-Age=60; HttpOnly; SameSite=Strict") == 0)
        http_add_cookie(r, b.ptr);
    buf_free(&b);
    http_redirect(r, location);
}

void page_fail(struct http_req *r, const struct err *e)
{
    http_reply_err(r, e);
}

/* The label of a field in spec, or NULL. */
static const struct input_field *page_spec_field(const struct input_field *spec,
                                                 const char *name)
{
    for (int i = 0; spec && spec[i].name; i++)
        if (strcmp(spec[i].name, name) == 0)
            return &spec[i];
    return NULL;
}

json_t *page_form_errors(struct http_req *r, const struct input_field *spec,
                         const struct err *e, json_t *ctx)
{
    json_t *errs = json_object();
    for (int i = 0; i < e->nfields && i < ERR_MAX_FIELDS; i++) {
        const char *name = e->fields[i].field;
        const char *msg = e->fields[i].message;
        if (name == NULL || json_object_get(errs, name))
            continue;
        const struct input_field *f = page_spec_field(spec, name);
        const char *typed = http_form(r, name);
        if (f && f->required && f->type == IN_TEXT &&
            (typed == NULL || strspn(typed, " \t\r\n") == strlen(typed)))
            msg = arena_printf(r->arena, "请填写%s", f->label);
        json_object_set_new(errs, name, page_str(msg));
    }
    if (ctx) {
        const char *alert = NULL;
        if (e->nfields == 0)
            alert = e->message ? e->message : "操作未能完成，请稍后重试";
        else if (e->status != 400 && e->message)
            alert = e->message;
        else
            alert = "请按提示修改后再提交";
        json_object_set_new(ctx, "alert", page_str(alert));
    }
    return errs;
}

json_t *page_form_values(const struct http_req *r)
{
    json_t *o = json_object();
    for (int i = 0; i < r->nform; i++) {
        const char *name = r->form[i].name;
        if (strcmp(name, "_csrf") == 0 || json_object_get(o, name))
            continue;
        if (strcmp(name, "password") == 0 || strstr(name, "_password"))
            continue; /* never echo a password back */
        json_t *v = json_string(r->form[i].value);
        if (v)
            json_object_set_new(o, name, v);
    }
    return o;
}

const char *page_query(const struct http_req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v ? v : "";
}

void page_qs(struct http_req *r, json_t *ctx, const char *key,
             const char *const *names)
{
    struct buf b;
    buf_init(&b, 16384);
    for (int i = 0; names[i]; i++) {
        const char *v = http_query(r, names[i]);
        if (v == NULL || *v == '\0')
            continue;
        if (buf_puts(&b, names[i]) || buf_putc(&b, '=') ||
            tmpl_escape_url(&b, v, strlen(v)) || buf_putc(&b, '&'))
            break;
    }
    json_object_set_new(ctx, key, page_str(b.ptr));
    buf_free(&b);
}

void page_paging(json_t *ctx, int offset, int limit, int n, int total)
{
    json_t *p =
        json_pack("{s:i, s:i, s:i, s:i}", "from", n > 0 ? offset + 1 : 0, "to",
                  offset + n, "total", total, "limit", limit);
    if (offset > 0) {
        json_object_set_new(p, "has_prev", json_true());
        json_object_set_new(p, "prev",
                            json_integer(offset > limit ? offset - limit : 0));
    }
    if (offset + n < total) {
        json_object_set_new(p, "has_next", json_true());
        json_object_set_new(p, "next", json_integer(offset + n));
    }
    if (offset > 0 || offset + n < total)
        json_object_set_new(p, "pages", json_true());
    json_object_set_new(ctx, "paging", p);
}

const char *page_date(struct http_req *r, int64_t ms)
{
    char out[11];
    if (ms <= 0)
        return "";
    ymd_fmt(ms_to_beijing(ms), out);
    return arena_strdup(r->arena, out);
}

const char *page_date_cn(struct http_req *r, int64_t ms)
{
    char out[32];
    if (ms <= 0)
        return "";
    ymd_fmt_cn(ms_to_beijing(ms), out);
    return arena_strdup(r->arena, out);
}

const char *page_minute(struct http_req *r, int64_t ms)
{
    char out[17];
    if (ms <= 0)
        return "";
    ms_fmt_minute(ms, out);
    return arena_strdup(r->arena, out);
}

int page_roles_load(struct http_req *r, struct page_roles *pr)
{
    struct err e;
    err_clear(&e);
    pr->roles = NULL;
    pr->n = 0;
    return org_role_list(r->db, r->arena, &pr->roles, &pr->n, &e);
}

const char *page_role_name(const struct page_roles *pr, const char *code)
{
    for (int i = 0; i < pr->n; i++)
        if (strcmp(pr->roles[i].code, code) == 0)
            return pr->roles[i].name;
    return code;
}

const char *page_role_join(struct arena *a, const struct page_roles *pr,
                           const char *const *codes, int n)
{
    const char *s = "";
    for (int i = 0; i < n; i++)
        s = arena_printf(a, "%s%s%s", s, i ? "、" : "",
                         page_role_name(pr, codes[i]));
    return s;
}

json_t *page_role_names(const struct page_roles *pr, const char *const *codes,
                        int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, page_str(page_role_name(pr, codes[i])));
    return a;
}

int *page_unit_depths(struct http_req *r, const struct unit *u, int n)
{
    int *depth = arena_alloc(r->arena, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (u[i].parent_id != 0 && u[i].parent_id == u[j].id)
                depth[i] = depth[j] < 8 ? depth[j] + 1 : 8;
    return depth;
}

int page_unit_option_list(struct http_req *r, const char *selected,
                          const char *none, struct page_option **out)
{
    struct unit *u;
    int n = 0, k = 0;
    struct err e;
    err_clear(&e);
    if (org_unit_list(r->db, r->arena, &u, &n, &e))
        n = 0;
    struct page_option *o = arena_alloc(r->arena, sizeof(*o) * (size_t)(n + 1));
    if (none) {
        o[k].value = "";
        o[k].label = none;
        o[k++].selected = selected == NULL || *selected == '\0';
    }
    int *depth = page_unit_depths(r, u, n);
    for (int i = 0; i < n; i++) {
        struct buf b;
        buf_init(&b, 4096);
        for (int d = 0; d < depth[i]; d++)
            buf_puts(&b, "　");
        buf_puts(&b, u[i].name);
        if (!u[i].active)
            buf_puts(&b, "（已停用）");
        o[k].value = u[i].code;
        o[k].label = arena_strdup(r->arena, b.ptr ? b.ptr : "");
        o[k++].selected = selected && strcmp(selected, u[i].code) == 0;
        buf_free(&b);
    }
    *out = o;
    return k;
}

json_t *page_unit_options(struct http_req *r, const char *selected,
                          const char *none)
{
    struct page_option *o;
    int n = page_unit_option_list(r, selected, none, &o);
    json_t *opts = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(opts, json_pack("{s:o, s:o, s:b}", "value",
                                              page_str(o[i].value), "label",
                                              page_str(o[i].label), "selected",
                                              o[i].selected));
    return opts;
}

/* The options as a template source: item i of base (struct page_option). */
static int page_option_get(const struct tmpl_src *src, const void *base, int i,
                           const char *name, size_t len, struct tmpl_val *v)
{
    const struct page_option *o = (const struct page_option *)base + i;
    (void)src;
    if (tmpl_name_is(name, len, "value"))
        tmpl_val_str(v, o->value);
    else if (tmpl_name_is(name, len, "label"))
        tmpl_val_str(v, o->label);
    else if (tmpl_name_is(name, len, "selected"))
        tmpl_val_bool(v, o->selected);
    else
        return 0;
    return 1;
}

static const struct tmpl_src page_option_src = {page_option_get};

void page_options_bind(struct tmpl_bind *b, const char *name,
                       const struct page_option *opts, int n)
{
    tmpl_val_list(&b->val, &page_option_src, opts, n);
    b->name = name;
}
