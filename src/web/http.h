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
    ROUTE_NODB = 16,   /* no r->db and no caller: PERM_PUBLIC only */
    ROUTE_UPLOAD = 32, /* takes attachments: the body may reach
                          max_upload_mb instead of max_body */
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
    /* Left navigation of the page layout, filtered by role; ends with a
     * zeroed entry.  NULL: no navigation. */
    const struct nav_item *nav;
    /* The signed-in person's 待办 count for the top bar; NULL: 0.  Called
     * while a page renders; r->db may be NULL (ROUTE_NODB routes). */
    int64_t (*todo_count)(struct http_req *r);
};

/* One entry of the left navigation (see web_page_ctx). */
struct nav_item {
    const char *group;           /* heading shown before this item, or NULL */
    const char *label;           /* "收文登记" */
    const char *href;            /* "/docs/in"; active on it and below it */
    const char *roles;           /* "clerk,leader"; NULL: any signed-in */
};

struct http_param {
    const char *name;
    const char *value;
};

/* One file part of a multipart/form-data body.  data points into the
 * request body (arena-owned); the bytes are not NUL-terminated. */
struct http_file {
    const char *field;           /* the form field name */
    const char *filename;        /* as sent, without any directory part */
    const char *content_type;    /* "application/octet-stream" if absent */
    const char *data;
    size_t len;
};

struct http_req {
    struct app *app;
    struct arena *arena;
    struct store *db;
    enum http_method method;
    const char *path;            /* decoded path, no query */
    const char *uri;             /* path and query as received (encoded) */
    const char *query_string;    /* raw, after '?'; "" when none */
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
    int nfiles;
    struct http_file *files;
    /* request headers (names as sent) and cookies */
    int nheaders;
    struct http_param *headers;
    int ncookies;
    struct http_param *cookies;
    /* the body: raw, and parsed when Content-Type is application/json */
    const char *body;
    size_t body_len;
    json_t *json;                /* owned by the request; NULL if not JSON */

    /* the reply (set through http_reply_*) */
    int status;
    const char *content_type;
    const char *reply_body;
    size_t reply_len;
    int reply_static;            /* 1: reply_body is static (not copied) */
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
/* The first file part of that field name, or NULL. */
const struct http_file *http_file(const struct http_req *r, const char *name);
/* 1 for /api/ paths (and routes flagged ROUTE_API). */
int http_is_api(const struct http_req *r);
/* The "next" query or form field when it is a local path ("/x", not "//x"
 * nor "/\\x"), else "/".  For the sign-in page's redirect after success. */
const char *http_next_url(const struct http_req *r);

/* Replies. */
void http_reply(struct http_req *r, int status, const char *content_type,
                const char *body, size_t len);
/* Sends len bytes of the open file fd; the request owns fd from now on
 * (closed after sending, or when a later reply replaces this one). */
void http_reply_fd(struct http_req *r, int status, const char *content_type,
                   int fd, int64_t len);
/* Serialises and frees (decref) j. */
void http_reply_json(struct http_req *r, int status, json_t *j);
/* {"error":{"code","message","fields"}} for API routes, the error page
 * (or the form again, see web pages) for HTML routes. */
void http_reply_err(struct http_req *r, const struct err *e);
void http_reply_status(struct http_req *r, int status, const char *message);
void http_redirect(struct http_req *r, const char *location);
/* Renders templates/<name> with ctx (decref'd) into an HTML reply: the
 * named content template first, then templates/layout.html around it.
 * Keys web_page_ctx() provides are added to ctx when ctx lacks them (a ctx
 * begun with web_page_ctx, as page_ctx does, has them all already); the
 * handler may set "title", "breadcrumbs" ([{label, href}], the last without
 * href), "notice" (what just happened) and "alert" (what went wrong).
 * ctx NULL is an empty object.  A template error answers 500. */
void http_reply_page(struct http_req *r, int status, const char *name,
                     json_t *ctx);
/* http_reply_page() with values from C sources beside ctx (tmpl.h; NULL:
 * none), seen by the content template. */
struct tmpl_bind;
void http_reply_page_with(struct http_req *r, int status, const char *name,
                          json_t *ctx, const struct tmpl_bind *binds);
/* The layout's context for this request (a new object, caller owns it):
 * title, signed_in, user {name, login, unit}, csrf, nav [{group, label,
 * href, active}], todo_count, path, asset_version.  Start a page's context
 * with it, or let http_reply_page add it. */
json_t *web_page_ctx(struct http_req *r, const char *title);
void http_add_cookie(struct http_req *r, const char *cookie);
void http_add_header(struct http_req *r, const char *name, const char *value);

#endif
