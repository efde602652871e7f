/*
 * web.h - the web core's inner interfaces, between server.c (the
 * libmicrohttpd glue), request.c (parsing), route.c (matching and
 * permissions), dispatch.c (the checks before a handler), static.c and the
 * tests.  Handlers include http.h only.
 *
 * Life of a request (server.c drives it, dispatch.c decides):
 *
 *     NEW      first access call: method, path, headers, cookies, size cap
 *       |      (server.c on_access; a body larger than max_body, or for
 *       |      ROUTE_UPLOAD routes max_upload_mb + 64 KiB: 413)
 *     BODY     later calls keep the body as it comes (server.c): in
 *       |      memory, or for ROUTE_UPLOAD routes in an unlinked spool
 *       |      file, mapped read-only at the last call (r->body then
 *       |      points into the mapping)
 *       |      last call: dispatch_begin() -> route, caller, permission,
 *       |      query, body, CSRF
 *       +--> REPLY   a check answered (404/405/401/403/400/413)
 *       +--> INLINE  dispatch_run() on the event thread
 *       +--> SLOW    connection suspended, dispatch_run() on a worker,
 *       |            then resumed
 *     READY    the reply is queued (server.c), then the request-completed
 *              callback releases the connection and frees the arena.
 */
#ifndef SHUNIU_WEB_H
#define SHUNIU_WEB_H

#include <stddef.h>

#include "web/http.h"

/* Most fields (query, form, files, headers, cookies) a request may carry;
 * more is a 400. */
#define REQUEST_MAX_PARAMS 1000

/* ---- request.c: parsers of outside input (fuzzed) ---- */

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, at most
 * U+10FFFF) and holds no NUL byte; else 0. */
int request_utf8_ok(const char *s, size_t n);

/* Percent-decodes s[0..n) into a new arena string; plus_space turns '+'
 * into ' ' (query strings and forms, not paths).  A '%' not followed by two
 * hex digits is kept as it is.  *outlen (may be NULL) gets the length. */
char *request_decode(struct arena *a, const char *s, size_t n, int plus_space,
                     size_t *outlen);

/* Parses "a=1&b=%E4%B8%AD" (a query string or an urlencoded body) into an
 * arena array.  Empty pieces are skipped; "a" alone is a = "".  0 ok; -1
 * when a decoded name or value is not valid UTF-8 or holds a NUL, or when
 * there are more than REQUEST_MAX_PARAMS fields. */
int request_parse_urlencoded(struct arena *a, const char *s, size_t n,
                             struct http_param **out, int *count);

/* Parses a Cookie header ("a=b; c=\"d\"").  Malformed pieces are skipped
 * (other sites' cookies are not our input errors).  Always 0. */
int request_parse_cookies(struct arena *a, const char *header,
                          struct http_param **out, int *count);

/* The boundary parameter of a multipart/form-data Content-Type (quotes
 * removed), or NULL when absent or longer than 70 characters. */
const char *request_boundary(struct arena *a, const char *content_type);

/* Parses a multipart/form-data body.  Text parts become fields (must be
 * valid UTF-8); parts with a filename become files (empty filename and no
 * bytes, the browser's "no file chosen", is skipped).  File data points
 * into body, which must outlive the request (for ROUTE_UPLOAD routes it is
 * a read-only mapping of the spooled body, unmapped with the arena).
 * Never reads body past len.  0 ok; -1 on anything malformed or
 * truncated. */
int request_parse_multipart(struct arena *a, const char *body, size_t len,
                            const char *boundary, struct http_param **fields,
                            int *nfields, struct http_file **files,
                            int *nfiles);

/* Zeroes r and sets what must not be zero (reply_fd -1, path "/", ...). */
void request_init(struct http_req *r, struct app *app, struct arena *a);

/* Sets r->uri (kept, not copied), r->query_string (the part after '?')
 * and r->path (the part before, percent-decoded).  0 ok; -1 when the path
 * does not start with '/' or is not UTF-8 without NUL bytes: r->path is
 * then the raw path, so that the error can still be JSON for /api/. */
int request_set_uri(struct http_req *r, const char *uri);

/* The HTTP_* bit for a method name, or 0 for one we do not serve. */
int request_method(const char *name);

/* ---- server.c: figures for tests and statistics ---- */

struct server;

/* The most bytes one request body has held in memory since s started.
 * Bodies of ROUTE_UPLOAD routes are spooled to disk and never count. */
size_t server_body_peak(const struct server *s);

/* Body bytes written to spool files (ROUTE_UPLOAD) since s started. */
size_t server_spooled_bytes(const struct server *s);

/* ---- route.c: the route table ---- */

/* Matches a decoded path against a pattern: literal segments, ":name"
 * (one non-empty segment) and a final "*" (the non-empty rest, as param
 * "*").  Params are arena copies; at most max of them.  1 match, 0 not. */
int route_match(struct arena *a, const char *pattern, const char *path,
                struct http_param *params, int max, int *nparams);

/* The first route of table (ended by a zeroed entry) whose pattern matches
 * path and whose methods include method (HEAD is served by GET routes).
 * On a match fills r->route and r->params.  Otherwise NULL, and *allowed
 * gets the methods of the routes that match the path (0: none, a 404;
 * otherwise a 405). */
const struct route *route_find(struct http_req *r, const struct route *table,
                               int *allowed);

/* Whether the caller in r may call rt: 0 yes, 401 not signed in, 403 wrong
 * role.  Pure: reads r->signed_in and r->who.roles. */
int route_permits(const struct http_req *r, const struct route *rt);

/* Writes "GET, HEAD, POST" for HTTP_* bits into out. */
void route_methods_str(int methods, char *out, size_t outlen);

/* ---- dispatch.c: from a parsed request to a reply ---- */

enum dispatch_next {
    DISPATCH_REPLY,  /* a reply is set; send it */
    DISPATCH_INLINE, /* call dispatch_run() now */
    DISPATCH_SLOW,   /* call dispatch_run() on a worker thread */
};

/* Routes built into the core (static files, /bench/hello); searched before
 * app->routes. */
extern const struct route dispatch_builtin_routes[];

/* Everything before the handler.  r must carry app, arena, method, path,
 * uri, query_string, headers, cookies, body and ip.  Takes r->db from the
 * pool when the route needs it. */
enum dispatch_next dispatch_begin(struct http_req *r);
/* Calls the route's handler, makes sure a reply is set (500 otherwise) and
 * gives r->db back.  Any thread. */
void dispatch_run(struct http_req *r);
/* Gives r->db back if still held.  Idempotent. */
void dispatch_end(struct http_req *r);

/* ---- static.c: /static/<name> from the embedded static/ files ---- */

/* The handler of GET /static/ *: content type, ETag, long max-age, 304 on
 * a matching If-None-Match. */
int static_serve(struct http_req *r);
/* A short hash over all static files, for "?v=" in asset URLs. */
const char *static_version(void);

#endif
