/*
 * web.c - the page shell's context: what templates/layout.html needs
 * besides the page itself (the signed-in person, the CSRF token for forms,
 * the navigation filtered by role with the current entry marked, the 待办
 * count, the asset version).  See web_page_ctx() in http.h.
 */
#include "web/web.h"

#include <string.h>

#define WEB_SYSTEM_NAME "枢纽"
#define WEB_SYSTEM_FULL "政务协同办公平台"

/* Sets key to s ("" for NULL or text that is not UTF-8). */
static void set_text(json_t *o, const char *key, const char *s)
{
    json_t *v = json_string(s ? s : "");
    json_object_set_new(o, key, v ? v : json_string(""));
}

/* 1 when the actor holds one of the comma-separated roles. */
static int has_any_role(const struct actor *who, const char *roles)
{
    if (roles == NULL || roles[0] == '\0')
        return 1;
    for (int i = 0; i < who->nroles && i < ACTOR_MAX_ROLES; i++) {
        const char *role = who->roles[i];
        size_t n = role ? strlen(role) : 0;
        for (const char *p = roles; n && p && *p;) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            if (len == n && strncmp(p, role, n) == 0)
                return 1;
            p = c ? c + 1 : NULL;
        }
    }
    return 0;
}

/* strlen(href) when path is href or below it ("/docs" covers "/docs/12"),
 * else 0: the longest covering entry is the current one. */
static size_t nav_covers(const char *href, const char *path)
{
    size_t n = strlen(href);
    if (path == NULL || n == 0 || strncmp(path, href, n) != 0)
        return 0;
    if (path[n] == '\0' || (n > 1 && path[n] == '/'))
        return n;
    return 0;
}

static json_t *nav_json(struct http_req *r)
{
    json_t *list = json_array();
    const struct nav_item *nav = r->app ? r->app->nav : NULL;
    size_t best = 0;
    json_t *active = NULL;
    const char *group = NULL;
    for (const struct nav_item *it = nav; it && it->label; it++) {
        if (!has_any_role(&r->who, it->roles))
            continue;
        json_t *o = json_object();
        /* a heading once, before the first visible item of its group */
        if (it->group && (group == NULL || strcmp(group, it->group) != 0))
            set_text(o, "group", it->group);
        if (it->group)
            group = it->group;
        set_text(o, "label", it->label);
        set_text(o, "href", it->href);
        json_object_set_new(o, "active", json_false());
        size_t cover = it->href ? nav_covers(it->href, r->path) : 0;
        if (cover > best) {
            best = cover;
            active = o;
        }
        json_array_append_new(list, o);
    }
    if (active)
        json_object_set_new(active, "active", json_true());
    return list;
}

json_t *web_page_ctx(struct http_req *r, const char *title)
{
    json_t *c = json_object();
    set_text(c, "title", title ? title : WEB_SYSTEM_NAME);
    set_text(c, "system", WEB_SYSTEM_NAME);
    set_text(c, "system_full", WEB_SYSTEM_FULL);
    set_text(c, "path", r->path);
    set_text(c, "asset_version", static_version());
    json_object_set_new(c, "signed_in", json_boolean(r->signed_in));
    if (r->signed_in) {
        json_t *u = json_object();
        set_text(u, "name", r->who.name);
        set_text(u, "login", r->who.login);
        set_text(u, "unit", r->who.unit_name);
        json_object_set_new(c, "user", u);
        set_text(c, "csrf", r->who.csrf);
        json_object_set_new(c, "nav", nav_json(r));
        int64_t todo = r->app && r->app->todo_count ? r->app->todo_count(r) : 0;
        json_object_set_new(c, "todo_count", json_integer(todo));
    }
    const char *q = http_query(r, "q");
    if (q)
        set_text(c, "q", q);
    return c;
}
