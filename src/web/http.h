/*
 * http.h - what a handler sees: the request, the route table, the reply.
 *
 * The route table (routes.c) is the only way in.  Each route names a method,
 * a path pattern ("/api/v1/units/:code"), a handler and a permission.  The
 * server (server.c) resolves the caller (session cookie or Bearer token)
 * and checks, before the handler runs:
 *     - the permission (PERM_PUBLIC, PERM_LOGIN, or a role list),
 *     - CSRF on every method other than GET/HEAD for cookie sessions,
 *     - the body: size cap, and for JSON bodies that it parses to an object.
 * A failed check answers 401/403/400 itself; the handler is not called.
 *
 * Handlers run with a per-request arena (r->arena: everything is freed when
 * the reply has been sent) and a database connection from the pool (r->db).
 * Routes marked ROUTE_SLOW (password hashing, exports) run on a worker
 * thread while the connection is suspended, so event threads never block.
 *
 * A handler returns after setting exactly one reply with the http_reply_*
 * functions below.  If it sets none, the server answers 500.
 */
#ifndef SHUNIU_HTTP_H
#define SHUNIU_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

struct http_req;
struct app;

enum http_method {
    HTTP_GET = 1,
    HTTP_POST = 2,
    HTTP_PUT = 4,
    HTTP_PATCH = 8,
    HTTP_DELETE = 16,
    HTTP_HEAD = 32,
};

/* Who may call a route. */
enum perm_kind {
    PERM_PUBLIC,  /* anyone, signed in or not */
    PERM_LOGIN,   /* any signed-in person */
    PERM_ROLES,   /* signed in and holding one of route->roles */
};

enum route_flags {
    ROUTE_SLOW = 1,    /* run on a worker thread (hashing, exports) */
    ROUTE_NOCSRF = 2,  /* writes allowed without CSRF (sign-in itself) */
    ROUTE_API = 4,     /* JSON errors (set for every /api/ path) */
    ROUTE_TESTCLOCK = 8, /* only when serve --test-clock */
};

struct route {
    int methods;                 /* HTTP_* bits */
    const char *pattern;         /* "/api/v1/users/:login" ; "*" tail allowed */
    int (*handler)(struct http_req *r);
    enum perm_kind perm;
    const char *roles;           /* "sysadmin,secadmin" for PERM_ROLES */
    int flags;
    const char *name;            /* for logs and the authorization matrix */
};

/* The process-wide context, built by `serve` (one per process). */
struct app {
    struct config cfg;
    struct store_pool *pool;
    const char *db_kind;         /* "sqlite" / "postgresql" */
    char db_url[1024];
    const struct route *routes;  /* ends with a zeroed entry */
};

struct http_param {
    const char *name;
    const char *value;
};

struct http_req {
    struct app *app;
    struct arena *arena;
    struct store *db;
    enum http_method method;
    const char *path;            /* decoded path, no query */
    const char *ip;
    const struct route *route;
    int signed_in;               /* 1 when who is a real person */
    struct actor who;

    /* :name segments of the route pattern */
    int nparams;
    struct http_param params[8];
    /* query string, and urlencoded or multipart form fields */
    int nquery;
    struct http_param *query;
    int nform;
    struct http_param *form;
    /* the body: raw, and parsed when Content-Type is application/json */
    const char *body;
    size_t body_len;
    json_t *json;                /* owned by the request; NULL if not JSON */

    /* the reply (set through http_reply_*) */
    int status;
    const char *content_type;
    const char *reply_body;
    size_t reply_len;
    int reply_fd;                /* >= 0: send this file (exports) */
    int64_t reply_fd_len;
    const char *location;        /* redirects */
    const char *set_cookie[4];
    int nset_cookie;
    const char *extra_headers[8][2];
    int nextra;
};

/* Lookups; NULL when absent. */
const char *http_param(const struct http_req *r, const char *name);
const char *http_query(const struct http_req *r, const char *name);
const char *http_form(const struct http_req *r, const char *name);
/* All values of a repeated form field (checkboxes); returns the count. */
int http_form_all(const struct http_req *r, const char *name,
                  const char **out, int max);
const char *http_header(const struct http_req *r, const char *name);
const char *http_cookie(const struct http_req *r, const char *name);
/* 1 for /api/ paths. */
int http_is_api(const struct http_req *r);

/* Replies. */
void http_reply(struct http_req *r, int status, const char *content_type,
                const char *body, size_t len);
/* Serialises and frees (decref) j. */
void http_reply_json(struct http_req *r, int status, json_t *j);
/* {"error":{"code","message","fields"}} for API routes, the error page
 * (or the form again, see web pages) for HTML routes. */
void http_reply_err(struct http_req *r, const struct err *e);
void http_reply_status(struct http_req *r, int status, const char *message);
void http_redirect(struct http_req *r, const char *location);
/* Renders templates/<name> with ctx (decref'd) into an HTML reply. */
void http_reply_page(struct http_req *r, int status, const char *name,
                     json_t *ctx);
void http_add_cookie(struct http_req *r, const char *cookie);
void http_add_header(struct http_req *r, const char *name, const char *value);

#endif
