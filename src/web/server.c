/*
 * server.c - libmicrohttpd glue: cfg.threads event threads (one
 * libmicrohttpd daemon each, epoll), a thread that accepts connections
 * and hands each to the event thread holding the fewest; a small worker
 * pool for ROUTE_SLOW handlers; clean stop on SIGINT/SIGTERM.
 *
 * Why the server accepts, not libmicrohttpd.  A connection stays on the
 * event thread that took it, and that thread runs its requests one at a
 * time.  With libmicrohttpd's own thread pool every thread watches the
 * listening socket and the first awake takes the connection: the 16
 * connections of a benchmark came out 2/6/4/5 over 4 threads (strace).
 * When every request waits its turn at the write gate (16 writers, issue
 * 7), each thread gets about the same share of the commits, so the six
 * connections of one thread waited three times as long as the two of
 * another: 催办 p50 7-15 ms and p99 21-43 ms from one run to the next.
 * Handed out by count they are 4/4/4/4, and every connection waits alike.
 *
 * A request's state lives in one struct conn_req, allocated from the
 * request's own arena in the URI-log callback (MHD calls it once per
 * request, before anything else) and freed with the arena in the
 * request-completed callback.  The access handler moves it along:
 *
 *     NEW      first call (request_begin): method, path, headers,
 *              cookies, client address; the route is looked up for the
 *              body cap (body_limits): max_body, or for ROUTE_UPLOAD
 *              routes max_upload_mb + 64 KiB, and those bodies go to disk;
 *              Content-Length over the cap: 413 queued at once (the body
 *              is never read; MHD then closes the connection)
 *     BODY     calls with upload data, kept as they come:
 *                  in memory (body_append): a struct buf up to the cap
 *                  to disk (spool_write, ROUTE_UPLOAD): written to an
 *                  unlinked temporary file (spool_open: O_TMPFILE or
 *                  mkstemp + unlink, mode 0600, in DATA/files/tmp, else
 *                  $TMPDIR or /tmp); nothing of it stays in memory
 *              past the cap the rest is discarded (the spool file is
 *              closed) and the answer is 413; a spool write failure is
 *              a 500, the rest likewise discarded
 *              the call without data: a spooled body is mapped read-only
 *              (spool_map, with a NUL after it) and becomes r->body, so
 *              the multipart parser's file parts point into the mapping;
 *              then dispatch_begin() (see web.h) ->
 *                  REPLY / INLINE (dispatch_run() here) -> READY
 *                  SLOW -> MHD_suspend_connection, job to a worker
 *     RUNNING  a worker runs dispatch_run(), sets READY, then
 *              MHD_resume_connection; MHD calls the handler again
 *     READY    the response is queued
 *
 * Whatever holds the body (the buf; the spool's fd and mapping) is
 * released with the arena (arena_defer), in the request-completed
 * callback.  The response is never queued on the first call of a request
 * without a body: MHD then closes keep-alive connections (measured: 17k
 * instead of 100k+ req/s).  Every response carries the security headers;
 * dynamic ones also "Cache-Control: no-store".
 */
#include "web/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "web/web.h"

#define SERVER_MAX_WORKERS 8
#define SERVER_MAX_CONNS 4000 /* connections open at once, all threads */
#define SERVER_BACKLOG 1024
#define SERVER_STOP_WAIT_MS 5000

enum conn_state { CS_NEW, CS_BODY, CS_RUNNING, CS_READY };

/* A body on its way to disk (ROUTE_UPLOAD routes): an unlinked temporary
 * file while it arrives, then a read-only mapping of it.  Released with
 * the request's arena (spool_release). */
struct spool {
    int fd;     /* -1: not open (not yet, closed after mapping, failed) */
    size_t len; /* body bytes written */
    char *map;  /* len + 1 bytes (the body and a NUL), or NULL */
    size_t maplen;
};

struct conn_req {
    struct http_req r;
    struct server *srv;
    struct MHD_Connection *conn;
    enum conn_state state;
    struct buf body; /* the body in memory (not ROUTE_UPLOAD) */
    int has_body;
    int to_disk;      /* ROUTE_UPLOAD: the body goes to spool */
    int has_spool;    /* spool_release is registered */
    int spool_failed; /* a spool could not be created or written */
    struct spool spool;
    int too_big;
    long cap;              /* body size cap: max_body, or uploads' cap */
    struct conn_req *next; /* in the worker queue */
    struct timespec start;
};

/* An event thread: a daemon of its own, and the connections it holds.
 * The daemon takes a connection in on its own thread, some time after
 * MHD_add_connection: until its notice (STARTED) the connection counts as
 * pending, so that a burst accepted meanwhile is not all sent to the
 * thread that looks empty.  (A connection the daemon fails to set up
 * before that notice, out of memory, stays pending: it only tilts the
 * spread.) */
struct loop {
    struct MHD_Daemon *daemon;
    atomic_int conns;   /* started and not yet closed */
    atomic_int pending; /* handed over, not yet started */
};

struct server {
    struct app *app;
    struct loop *loops;
    int nloops;
    int next_loop; /* where the accepting thread looks first */
    int lsock;     /* the listening socket, -1: none */
    atomic_int accepting;
    int has_acceptor;
    pthread_t acceptor;
    int port;
    atomic_int inflight;
    atomic_size_t body_peak; /* most bytes a body held in memory */
    atomic_size_t spooled;   /* body bytes written to spool files */
    /* the worker pool for ROUTE_SLOW */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct conn_req *head, *tail;
    int stopping;
    int nworkers;
    pthread_t workers[SERVER_MAX_WORKERS];
};

static const char *const security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; "
     "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
     "base-uri 'none'"},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
};

/* ---- the worker pool ---- */

static void *worker_main(void *arg)
{
    struct server *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->cv, &s->mu);
        struct conn_req *c = s->head;
        if (c == NULL)
            break; /* stopping and drained */
        s->head = c->next;
        if (s->head == NULL)
            s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        dispatch_run(&c->r);
        c->state = CS_READY;
        MHD_resume_connection(c->conn);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void worker_submit(struct server *s, struct conn_req *c)
{
    pthread_mutex_lock(&s->mu);
    c->next = NULL;
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- accepting ---- */

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    struct loop *l = cls;
    (void)conn;
    (void)socket_ctx;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&l->conns, 1);
        int p = atomic_load(&l->pending);
        while (p > 0 && !atomic_compare_exchange_weak(&l->pending, &p, p - 1))
            ;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        atomic_fetch_sub(&l->conns, 1);
    }
}

static int loop_load(struct loop *l)
{
    return atomic_load(&l->conns) + atomic_load(&l->pending);
}

/* The event thread holding the fewest connections; among equals the
 * first from next_loop on, which moves past it, so that a burst accepted
 * before any of its connections is counted still goes round. */
static struct loop *pick_loop(struct server *s, int *total)
{
    int best = -1, fewest = 0;
    *total = 0;
    for (int k = 0; k < s->nloops; k++) {
        int i = (s->next_loop + k) % s->nloops;
        int n = loop_load(&s->loops[i]);
        *total += n;
        if (best < 0 || n < fewest) {
            best = i;
            fewest = n;
        }
    }
    s->next_loop = (best + 1) % s->nloops;
    return &s->loops[best];
}

static void *accept_main(void *arg)
{
    struct server *s = arg;
    int warned = 0;
    while (atomic_load(&s->accepting)) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof(sa);
        int fd = accept4(s->lsock, (struct sockaddr *)&sa, &len,
                         SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (!atomic_load(&s->accepting))
                break;
            if (errno != EINTR && errno != ECONNABORTED) {
                /* out of descriptors or memory: the waiting connections
                 * stay in the backlog until some close (and no other
                 * error makes this loop spin) */
                if (!warned++)
                    log_warn("cannot accept a connection: %s", strerror(errno));
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            continue; /* EINTR, ECONNABORTED: the next one */
        }
        warned = 0;
        int total;
        struct loop *l = pick_loop(s, &total);
        if (total >= SERVER_MAX_CONNS) {
            close(fd);
            continue;
        }
        /* the daemon owns fd now, and closes it on failure */
        atomic_fetch_add(&l->pending, 1);
        if (MHD_add_connection(l->daemon, fd, (struct sockaddr *)&sa, len) !=
            MHD_YES)
            atomic_fetch_sub(&l->pending, 1);
    }
    return NULL;
}

/* Stops taking connections: the listening socket is shut, the accepting
 * thread ends.  Connections already handed out go on. */
static void accept_stop(struct server *s)
{
    if (!s->has_acceptor)
        return;
    atomic_store(&s->accepting, 0);
    shutdown(s->lsock, SHUT_RDWR); /* accept() returns */
    pthread_join(s->acceptor, NULL);
    s->has_acceptor = 0;
}

/* A socket listening on sin, or -1 (logged). */
static int listen_on(const char *addr, const struct sockaddr_in *sin)
{
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* SO_REUSEADDR lets a restart bind at once over connections in
     * TIME_WAIT.  Not SO_REUSEPORT: then a second server on the same port
     * (another database, an old one not yet stopped) starts without a
     * word and the kernel hands it every other connection. */
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0 ||
        listen(fd, SERVER_BACKLOG) < 0) {
        log_error("cannot listen on %s (is the port taken, by another "
                  "server perhaps?): %s",
                  addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* ---- building the request ---- */

struct header_list {
    struct http_req *r;
    int cap;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    (*(int *)cls)++;
    return MHD_YES;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    struct header_list *l = cls;
    (void)kind;
    if (l->r->nheaders >= l->cap)
        return MHD_NO;
    /* MHD keeps these until the request completes */
    l->r->headers[l->r->nheaders].name = key;
    l->r->headers[l->r->nheaders].value = value ? value : "";
    l->r->nheaders++;
    return MHD_YES;
}

static void client_ip(struct conn_req *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char ip[INET6_ADDRSTRLEN] = "";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip,
                      sizeof(ip));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                      ip, sizeof(ip));
    }
    c->r.ip = arena_strdup(c->r.arena, ip);
}

static void buf_release(void *b)
{
    buf_free(b);
}

/* Sets c->cap, the largest body this request may carry: max_body, or for
 * routes that take attachments (ROUTE_UPLOAD) the attachment cap plus room
 * for the multipart framing; those bodies also go to disk (c->to_disk).
 * The route is looked up here, before the body arrives, so that an
 * oversized upload is refused without reading it. */
static void body_limits(struct conn_req *c)
{
    struct http_req *r = &c->r;
    int allowed = 0;
    const struct route *rt = route_find(r, r->app->routes, &allowed);
    c->cap = r->app->cfg.max_body;
    if (rt && (rt->flags & ROUTE_UPLOAD)) {
        long up = (long)r->app->cfg.max_upload_mb * 1024 * 1024 + 65536;
        if (up > c->cap)
            c->cap = up;
        c->to_disk = 1;
    }
    r->route = NULL;
    r->nparams = 0;
}

/* The first call: everything but the body.  May set a reply (400, 405,
 * 413) that dispatch_begin() will then leave alone. */
static void request_begin(struct conn_req *c, const char *method)
{
    struct http_req *r = &c->r;
    struct arena *a = r->arena;

    c->cap = r->app->cfg.max_body;
    int uri_ok = request_set_uri(r, r->uri) == 0;

    int nh = 0;
    MHD_get_connection_values(c->conn, MHD_HEADER_KIND, count_header, &nh);
    r->headers = arena_alloc(a, sizeof(*r->headers) * (size_t)(nh + 1));
    struct header_list hl = {r, nh};
    MHD_get_connection_values(c->conn, MHD_HEADER_KIND, add_header, &hl);
    request_parse_cookies(a, http_header(r, "Cookie"), &r->cookies,
                          &r->ncookies);
    client_ip(c);

    r->method = (enum http_method)request_method(method);
    if (!uri_ok) {
        http_reply_status(r, 400, "网址格式不正确。");
        return;
    }
    if (r->method == 0) {
        http_add_header(r, "Allow", "GET, HEAD, POST, PUT, PATCH, DELETE");
        http_reply_status(r, 405, NULL);
        return;
    }
    const char *cl = http_header(r, "Content-Length");
    body_limits(c);
    long max = c->cap;
    if (cl) {
        char *end;
        errno = 0;
        long long n = strtoll(cl, &end, 10);
        if (errno || end == cl || *end != '\0' || n < 0) {
            http_reply_status(r, 400, NULL);
        } else if (n > max) {
            c->too_big = 1;
            http_reply_status(r, 413, NULL);
        }
    }
}

static void body_append(struct conn_req *c, const char *data, size_t n)
{
    if (c->too_big)
        return;
    if (!c->has_body) {
        buf_init(&c->body, (size_t)c->cap);
        arena_defer(c->r.arena, buf_release, &c->body);
        c->has_body = 1;
    }
    if (buf_append(&c->body, data, n) < 0)
        c->too_big = 1;
}

/* Raises *peak to at least v. */
static void peak_raise(atomic_size_t *peak, size_t v)
{
    size_t old = atomic_load(peak);
    while (old < v && !atomic_compare_exchange_weak(peak, &old, v))
        ;
}

/* ---- spooling a body to disk (ROUTE_UPLOAD) ---- */

static void spool_close(struct spool *sp)
{
    if (sp->fd >= 0 && close(sp->fd) != 0)
        log_warn("cannot close spool file: %s", strerror(errno));
    sp->fd = -1;
}

static void spool_release(void *arg)
{
    struct spool *sp = arg;
    if (sp->map && munmap(sp->map, sp->maplen) != 0)
        log_warn("cannot unmap spool file: %s", strerror(errno));
    sp->map = NULL;
    spool_close(sp);
}

/* mkdir that accepts an existing directory.  0 / -1. */
static int mkdir_ok(const char *path)
{
    return (mkdir(path, 0750) == 0 || errno == EEXIST) ? 0 : -1;
}

/* An unlinked temporary file in dir, open for reading and writing, mode
 * 0600: O_TMPFILE where the file system has it, else mkstemp + unlink.
 * The fd, or -1 with errno set. */
static int tmpfile_in(const char *dir)
{
    int fd = -1;
    char path[PATH_MAX];
    int n;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        goto out;
#endif
    n = snprintf(path, sizeof(path), "%s/upload-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        goto out;
    }
    fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
    if (fd >= 0 && unlink(path) != 0) {
        int saved = errno;
        close(fd);
        fd = -1;
        errno = saved;
    }
out:
    return fd;
}

/* The spool file of a body: in DATA/files/tmp (the attachments' own file
 * system; made when missing, but never the data directory itself), else
 * in $TMPDIR or /tmp (which may be memory: logged).  The fd, or -1
 * (logged). */
static int spool_open(const struct config *cfg)
{
    char dir[PATH_MAX];
    int fd = -1;
    if (cfg->data[0]) {
        int n = snprintf(dir, sizeof(dir), "%s/files", cfg->data);
        if (n > 0 && (size_t)n + 4 < sizeof(dir) && mkdir_ok(dir) == 0) {
            memcpy(dir + n, "/tmp", 5);
            if (mkdir_ok(dir) == 0)
                fd = tmpfile_in(dir);
        }
        if (fd >= 0)
            goto out;
        log_warn("cannot make a spool file under %s/files/tmp: %s", cfg->data,
                 strerror(errno));
    }
    const char *t = getenv("TMPDIR");
    fd = tmpfile_in(t && t[0] ? t : "/tmp");
    if (fd < 0)
        log_error("cannot make a spool file in %s: %s", t && t[0] ? t : "/tmp",
                  strerror(errno));
out:
    return fd;
}

/* Writes all of data[0..n) to fd.  0 / -1 with errno set. */
static int write_all(int fd, const char *data, size_t n)
{
    int rc = -1;
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            goto out;
        }
        data += w;
        n -= (size_t)w;
    }
    rc = 0;
out:
    return rc;
}

/* A piece of a ROUTE_UPLOAD body, written to the spool file as it comes.
 * Past the cap: too_big, the file is closed and the rest discarded; a
 * failure to write: spool_failed, likewise. */
static void spool_write(struct conn_req *c, const char *data, size_t n)
{
    struct spool *sp = &c->spool;
    if (c->too_big || c->spool_failed)
        goto out;
    if (n > (size_t)c->cap - sp->len) {
        c->too_big = 1;
        spool_close(sp);
        goto out;
    }
    if (!c->has_spool) {
        sp->fd = spool_open(&c->r.app->cfg);
        arena_defer(c->r.arena, spool_release, sp);
        c->has_spool = 1;
        if (sp->fd < 0) {
            c->spool_failed = 1;
            goto out;
        }
    }
    if (write_all(sp->fd, data, n) < 0) {
        log_error("cannot write spool file of %s: %s", c->r.path,
                  strerror(errno));
        c->spool_failed = 1;
        spool_close(sp);
        goto out;
    }
    sp->len += n;
    atomic_fetch_add(&c->srv->spooled, n);
out:
    return;
}

/* The last call: appends a NUL (so the body ends like a struct buf's) and
 * maps the body read-only; the fd is closed, the mapping stays until the
 * arena goes.  0 / -1 (logged). */
static int spool_map(struct conn_req *c)
{
    struct spool *sp = &c->spool;
    int rc = -1;
    if (write_all(sp->fd, "", 1) < 0) {
        log_error("cannot write spool file of %s: %s", c->r.path,
                  strerror(errno));
        goto out;
    }
    void *m = mmap(NULL, sp->len + 1, PROT_READ, MAP_SHARED, sp->fd, 0);
    if (m == MAP_FAILED) {
        log_error("cannot map spool file of %s: %s", c->r.path,
                  strerror(errno));
        goto out;
    }
    sp->map = m;
    sp->maplen = sp->len + 1;
    rc = 0;
out:
    spool_close(sp);
    return rc;
}

/* ---- the response ---- */

static void add_resp_header(struct MHD_Response *resp, const char *name,
                            const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        log_warn("cannot add response header %s", name);
}

static enum MHD_Result queue_reply(struct conn_req *c)
{
    struct http_req *r = &c->r;
    struct MHD_Response *resp;
    if (r->reply_fd >= 0) {
        resp = MHD_create_response_from_fd64((uint64_t)r->reply_fd_len,
                                             r->reply_fd);
        if (resp)
            r->reply_fd = -1; /* MHD closes it */
    } else {
        resp = MHD_create_response_from_buffer(
            r->reply_len, (void *)r->reply_body,
            r->reply_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    }
    if (resp == NULL) {
        log_error("cannot create response for %s", r->path);
        return MHD_NO;
    }
    int has_cache = 0;
    for (int i = 0; i < r->nextra; i++) {
        add_resp_header(resp, r->extra_headers[i][0], r->extra_headers[i][1]);
        if (strcasecmp(r->extra_headers[i][0], "Cache-Control") == 0)
            has_cache = 1;
    }
    if (r->content_type)
        add_resp_header(resp, "Content-Type", r->content_type);
    if (r->location)
        add_resp_header(resp, "Location", r->location);
    for (int i = 0; i < r->nset_cookie; i++)
        add_resp_header(resp, "Set-Cookie", r->set_cookie[i]);
    for (size_t i = 0;
         i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
        add_resp_header(resp, security_headers[i][0], security_headers[i][1]);
    if (!has_cache)
        add_resp_header(resp, "Cache-Control", "no-store");
    int status = r->status ? r->status : 500;
    enum MHD_Result ret = MHD_queue_response(c->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- MHD callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server *s = cls;
    struct arena *a = arena_new();
    struct conn_req *c = arena_alloc(a, sizeof(*c));
    request_init(&c->r, s->app, a);
    c->srv = s;
    c->conn = conn;
    c->state = CS_NEW;
    c->spool.fd = -1;
    c->r.uri = arena_strdup(a, uri && uri[0] ? uri : "/");
    clock_gettime(CLOCK_MONOTONIC, &c->start);
    atomic_fetch_add(&s->inflight, 1);
    return c;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    struct server *s = cls;
    struct conn_req *c = *req_cls;
    (void)version;
    if (c == NULL) { /* no URI-log call (should not happen) */
        c = on_uri(s, url, conn);
        *req_cls = c;
    }
    switch (c->state) {
    case CS_NEW:
        request_begin(c, method);
        if (c->too_big) { /* do not read the body at all */
            c->state = CS_READY;
            return queue_reply(c);
        }
        c->state = CS_BODY;
        return MHD_YES;
    case CS_BODY:
        if (*upload_data_size > 0) {
            if (c->to_disk)
                spool_write(c, upload_data, *upload_data_size);
            else
                body_append(c, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        c->r.body = "";
        if (c->has_body)
            peak_raise(&s->body_peak, c->body.len);
        if (c->too_big) {
            http_reply_status(&c->r, 413, NULL);
        } else if (c->spool_failed) {
            http_reply_status(&c->r, 500, "上传未能完成，请稍后重试。");
        } else if (c->has_spool) {
            if (spool_map(c) == 0) {
                c->r.body = c->spool.map;
                c->r.body_len = c->spool.len;
            } else {
                http_reply_status(&c->r, 500, "上传未能完成，请稍后重试。");
            }
        } else if (c->has_body) {
            c->r.body = c->body.ptr;
            c->r.body_len = c->body.len;
        }
        switch (dispatch_begin(&c->r)) {
        case DISPATCH_REPLY:
            break;
        case DISPATCH_INLINE:
            dispatch_run(&c->r);
            break;
        case DISPATCH_SLOW:
            c->state = CS_RUNNING;
            MHD_suspend_connection(conn);
            worker_submit(s, c);
            return MHD_YES;
        }
        c->state = CS_READY;
        return queue_reply(c);
    case CS_RUNNING:
        return MHD_YES;
    case CS_READY:
        return queue_reply(c);
    }
    return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct conn_req *c = *req_cls;
    (void)conn;
    if (c == NULL)
        return;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long us = (long)(end.tv_sec - c->start.tv_sec) * 1000000L +
              (end.tv_nsec - c->start.tv_nsec) / 1000;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_debug("request %s ended early (%d)", c->r.path, (int)toe);
    else
        log_debug("%s %s %d %ld us", c->r.ip, c->r.path, c->r.status, us);
    dispatch_end(&c->r);
    if (c->r.reply_fd >= 0)
        close(c->r.reply_fd);
    *req_cls = NULL;
    arena_free(c->r.arena);
    atomic_fetch_sub(&s->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_warn("http: %s", line);
}

/* ---- start and stop ---- */

/* "HOST:PORT" -> sin.  0 ok, -1 bad. */
static int parse_listen(const char *listen, struct sockaddr_in *sin)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL)
        return -1;
    char host[256];
    size_t hlen = (size_t)(colon - listen);
    if (hlen >= sizeof(host))
        return -1;
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
        return -1;
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (host[0] == '\0' || strcmp(host, "*") == 0)
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
        return -1;
    return 0;
}

static void server_free(struct server *s)
{
    accept_stop(s);
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    for (int i = 0; i < s->nloops; i++)
        if (s->loops[i].daemon)
            MHD_stop_daemon(s->loops[i].daemon);
    free(s->loops);
    if (s->lsock >= 0)
        close(s->lsock);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

struct server *server_start(struct app *app)
{
    struct server *s = calloc(1, sizeof(*s));
    struct sockaddr_in sin;
    if (s == NULL)
        abort();
    s->app = app;
    s->lsock = -1;
    atomic_init(&s->accepting, 0);
    atomic_init(&s->inflight, 0);
    atomic_init(&s->body_peak, 0);
    atomic_init(&s->spooled, 0);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (parse_listen(app->cfg.listen, &sin) < 0) {
        log_error("cannot parse listen address %s (want HOST:PORT)",
                  app->cfg.listen);
        goto fail;
    }
    int nworkers = app->cfg.hash_parallel * 2;
    if (nworkers < 2)
        nworkers = 2;
    if (nworkers > SERVER_MAX_WORKERS)
        nworkers = SERVER_MAX_WORKERS;
    for (; s->nworkers < nworkers; s->nworkers++) {
        if (pthread_create(&s->workers[s->nworkers], NULL, worker_main, s)) {
            log_error("cannot start worker thread");
            goto fail;
        }
    }
    if ((s->lsock = listen_on(app->cfg.listen, &sin)) < 0)
        goto fail;
    s->nloops = app->cfg.threads > 0 ? app->cfg.threads : 1;
    s->loops = calloc((size_t)s->nloops, sizeof(*s->loops));
    if (s->loops == NULL)
        abort();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    for (int i = 0; i < s->nloops; i++) {
        struct loop *l = &s->loops[i];
        atomic_init(&l->conns, 0);
        atomic_init(&l->pending, 0);
        /* the logger option goes first, or MHD complains on its own */
        l->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER,
            on_mhd_log, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNS,
            MHD_OPTION_END);
        if (l->daemon == NULL) {
            log_error("cannot start event thread %d of %d", i + 1, s->nloops);
            goto fail;
        }
    }
    struct sockaddr_in bound;
    socklen_t blen = sizeof(bound);
    s->port = getsockname(s->lsock, (struct sockaddr *)&bound, &blen) == 0
                  ? ntohs(bound.sin_port)
                  : ntohs(sin.sin_port);
    atomic_store(&s->accepting, 1);
    if (pthread_create(&s->acceptor, NULL, accept_main, s)) {
        log_error("cannot start the accepting thread");
        goto fail;
    }
    s->has_acceptor = 1;
    return s;
fail:
    server_free(s);
    return NULL;
}

int server_port(const struct server *s)
{
    return s ? s->port : 0;
}

int server_loads(const struct server *s, int *conns, int max)
{
    int n = s->nloops < max ? s->nloops : max;
    for (int i = 0; i < n; i++)
        conns[i] = loop_load(&s->loops[i]);
    return s->nloops;
}

size_t server_body_peak(const struct server *s)
{
    return atomic_load(&s->body_peak);
}

size_t server_spooled_bytes(const struct server *s)
{
    return atomic_load(&s->spooled);
}

void server_stop(struct server *s)
{
    if (s == NULL)
        return;
    accept_stop(s);
    for (int waited = 0;
         atomic_load(&s->inflight) > 0 && waited < SERVER_STOP_WAIT_MS;
         waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->inflight) > 0)
        log_warn("stopping with %d requests in flight",
                 atomic_load(&s->inflight));
    server_free(s); /* drains the slow jobs, then stops MHD */
}

int server_run(struct app *app)
{
    sigset_t stop, old;
    int sig = 0;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    /* block before any thread starts, so that only sigwait() sees them */
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    struct server *s = server_start(app);
    if (s == NULL) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    log_info("listening on %s (port %d, %d threads)", app->cfg.listen, s->port,
             app->cfg.threads);
    sigwait(&stop, &sig);
    log_info("stopping on signal %d", sig);
    server_stop(s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    log_info("stopped");
    return 0;
}
