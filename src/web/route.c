/*
 * route.c - matching a request to the route table, and the permission rule.
 *
 * Patterns are '/'-separated segments: a literal ("units") matches itself,
 * ":name" matches one non-empty segment and becomes a param, a final "*"
 * matches the non-empty rest of the path (param "*").  The first matching
 * route of the table wins, so list literal routes before ":param" ones.
 * Paths are compared after percent-decoding; a trailing slash matters.
 */
#include "web/web.h"

#include <string.h>

int route_match(struct arena *a, const char *pattern, const char *path,
                struct http_param *params, int max, int *nparams)
{
    /* where each param lies in pattern and path; copied on success only */
    const char *pn[8], *pv[8];
    size_t pnl[8], pvl[8];
    const char *p = pattern, *s = path;
    int n = 0;
    *nparams = 0;
    if (max > 8)
        max = 8;
    while (*p && *s) {
        if (p[0] == '*' && p[1] == '\0') {
            if (n >= max)
                return 0;
            pn[n] = p;
            pnl[n] = 1;
            pv[n] = s;
            pvl[n] = strlen(s);
            n++;
            p++;
            s += strlen(s);
            break;
        }
        if (*p == ':') {
            const char *pe = strchr(p, '/');
            size_t plen = pe ? (size_t)(pe - p) : strlen(p);
            const char *se = strchr(s, '/');
            size_t slen = se ? (size_t)(se - s) : strlen(s);
            if (slen == 0 || n >= max)
                return 0;
            pn[n] = p;
            pnl[n] = plen;
            pv[n] = s;
            pvl[n] = slen;
            n++;
            p += plen;
            s += slen;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p != '\0' || *s != '\0')
        return 0;
    for (int i = 0; i < n; i++) {
        params[i].name =
            pn[i][0] == '*' ? "*" : arena_strndup(a, pn[i] + 1, pnl[i] - 1);
        params[i].value = arena_strndup(a, pv[i], pvl[i]);
    }
    *nparams = n;
    return 1;
}

static int method_ok(int methods, int m)
{
    return (methods & m) || (m == HTTP_HEAD && (methods & HTTP_GET));
}

const struct route *route_find(struct http_req *r, const struct route *table,
                               int *allowed)
{
    struct http_param params[8];
    int n = 0;
    int max = (int)(sizeof(params) / sizeof(params[0]));
    for (const struct route *rt = table; rt && rt->pattern; rt++) {
        if (!route_match(r->arena, rt->pattern, r->path, params, max, &n))
            continue;
        if (!method_ok(rt->methods, (int)r->method)) {
            *allowed |= rt->methods;
            if (rt->methods & HTTP_GET)
                *allowed |= HTTP_HEAD;
            continue;
        }
        r->route = rt;
        r->nparams = n;
        memcpy(r->params, params, sizeof(params[0]) * (size_t)n);
        return rt;
    }
    return NULL;
}

/* 1 when the comma-separated list holds one of the actor's roles. */
static int holds_role(const struct actor *who, const char *list)
{
    for (int i = 0; list && i < who->nroles && i < ACTOR_MAX_ROLES; i++) {
        const char *role = who->roles[i];
        size_t rlen = role ? strlen(role) : 0;
        if (rlen == 0)
            continue;
        for (const char *p = list; *p;) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            while (len > 0 && *p == ' ') {
                p++;
                len--;
            }
            while (len > 0 && p[len - 1] == ' ')
                len--;
            if (len == rlen && strncmp(p, role, len) == 0)
                return 1;
            if (c == NULL)
                break;
            p = c + 1;
        }
    }
    return 0;
}

int route_permits(const struct http_req *r, const struct route *rt)
{
    if (rt->perm == PERM_PUBLIC)
        return 0;
    if (!r->signed_in)
        return 401;
    if (rt->perm == PERM_LOGIN)
        return 0;
    return holds_role(&r->who, rt->roles) ? 0 : 403;
}

void route_methods_str(int methods, char *out, size_t outlen)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {
        {HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"},   {HTTP_POST, "POST"},
        {HTTP_PUT, "PUT"}, {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"},
    };
    size_t o = 0;
    if (outlen == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(methods & names[i].bit))
            continue;
        size_t sep = o ? 2 : 0, n = strlen(names[i].name);
        if (o + sep + n >= outlen)
            return; /* whole names only */
        memcpy(out + o, ", ", sep);
        memcpy(out + o + sep, names[i].name, n);
        o += sep + n;
        out[o] = '\0';
    }
}
