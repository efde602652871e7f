/*
 * test_server.c - unit tests for src/web/server.c over real sockets on a
 * free loopback port: keep-alive (several requests on one connection),
 * security and cache headers, HEAD, the body cap (413 by Content-Length
 * and by a chunked body), bad paths and methods, slow routes on the worker
 * pool (suspend/resume), and a clean stop with a slow request in flight.
 * No database: app.pool is NULL and the routes are public.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "web/server.h"
#include "web/web.h"

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int h_slow(struct http_req *r)
{
    nap_ms(100);
    http_reply(r, 200, "text/plain; charset=utf-8", "slow done", 9);
    return 0;
}

static int h_size(struct http_req *r)
{
    char n[32];
    snprintf(n, sizeof(n), "%zu", r->body_len);
    http_reply(r, 200, "text/plain; charset=utf-8", n, strlen(n));
    return 0;
}

static const struct route routes[] = {
    {HTTP_GET | HTTP_POST, "/slow", h_slow, PERM_PUBLIC, NULL,
     ROUTE_SLOW | ROUTE_NODB, "slow"},
    {HTTP_POST, "/size", h_size, PERM_PUBLIC, NULL, ROUTE_NODB, "size"},
    {0},
};

static struct app app;

/* ---- a tiny HTTP/1.1 client ---- */

struct resp {
    int status;
    char head[4096];
    struct buf body;
};

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        fail_msg("cannot connect to port %d", port);
    return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may close early (413) */
        s += w;
        n -= (size_t)w;
    }
}

/* The value of a response header, or NULL (copied into out). */
static const char *header(const struct resp *r, const char *name, char *out,
                          size_t outlen)
{
    size_t n = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p, "\r\n")) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            if (len >= outlen)
                len = outlen - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return out;
        }
    }
    return NULL;
}

/* Reads one response (Content-Length bodies; none for HEAD).  0 ok, -1
 * when the connection closed or timed out first. */
static int read_resp(int fd, struct resp *r, int head_only)
{
    char buf[8192];
    size_t have = 0;
    char *end = NULL;
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, 0);
    while (end == NULL) {
        /* one byte at a time: never read into the next response */
        ssize_t n = recv(fd, buf + have, 1, 0);
        if (n <= 0)
            return -1;
        have++;
        buf[have] = '\0';
        if (have >= 4 && memcmp(buf + have - 4, "\r\n\r\n", 4) == 0)
            end = buf + have;
        if (have + 2 >= sizeof(buf))
            return -1;
    }
    size_t hlen = (size_t)(end - buf);
    memcpy(r->head, buf, hlen < sizeof(r->head) ? hlen : sizeof(r->head) - 1);
    r->status = atoi(buf + 9);
    char cl[32];
    long len = header(r, "Content-Length", cl, sizeof(cl)) ? atol(cl) : 0;
    if (head_only || r->status == 304)
        len = 0;
    while ((long)r->body.len < len) {
        ssize_t n = recv(fd, buf,
                         (size_t)(len - (long)r->body.len) < sizeof(buf)
                             ? (size_t)(len - (long)r->body.len)
                             : sizeof(buf),
                         0);
        if (n <= 0)
            return -1;
        buf_append(&r->body, buf, (size_t)n);
    }
    return 0;
}

static int roundtrip(int fd, const char *req, struct resp *r)
{
    send_all(fd, req, strlen(req));
    return read_resp(fd, r, strncmp(req, "HEAD ", 5) == 0);
}

/* ---- tests ---- */

static int setup(void **state)
{
    config_defaults(&app.cfg);
    snprintf(app.cfg.listen, sizeof(app.cfg.listen), "127.0.0.1:0");
    app.cfg.threads = 2;
    app.cfg.max_body = 1024;
    app.routes = routes;
    struct server *s = server_start(&app);
    if (s == NULL)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    server_stop(*state);
    return 0;
}

static void test_keepalive_and_headers(void **state)
{
    int port = server_port(*state);
    assert_true(port > 0);
    int fd = dial(port);
    struct resp r;
    char v[256];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(roundtrip(fd,
                                   "GET /bench/hello HTTP/1.1\r\n"
                                   "Host: x\r\n\r\n",
                                   &r),
                         0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body.len, 5);
        assert_memory_equal(r.body.ptr, "hello", 5);
        assert_non_null(header(&r, "Content-Security-Policy", v, sizeof(v)));
        assert_non_null(strstr(v, "frame-ancestors 'none'"));
        assert_non_null(strstr(v, "script-src 'self'"));
        assert_string_equal(header(&r, "X-Frame-Options", v, sizeof(v)),
                            "DENY");
        assert_string_equal(header(&r, "X-Content-Type-Options", v, sizeof(v)),
                            "nosniff");
        assert_string_equal(header(&r, "Referrer-Policy", v, sizeof(v)),
                            "same-origin");
        assert_string_equal(header(&r, "Cache-Control", v, sizeof(v)),
                            "no-store");
        if (header(&r, "Connection", v, sizeof(v)))
            assert_string_not_equal(v, "close");
        buf_free(&r.body);
    }
    /* HEAD: the headers of GET, no body */
    assert_int_equal(roundtrip(fd,
                               "HEAD /bench/hello HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Length", v, sizeof(v)), "5");
    buf_free(&r.body);

    /* static files: long max-age, ETag, 304 */
    assert_int_equal(roundtrip(fd,
                               "GET /static/app.js HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(header(&r, "Cache-Control", v, sizeof(v)), "max-age=31536000"));
    assert_non_null(
        strstr(header(&r, "Content-Type", v, sizeof(v)), "text/javascript"));
    char etag[64];
    assert_non_null(header(&r, "ETag", etag, sizeof(etag)));
    buf_free(&r.body);
    char req[256];
    snprintf(req, sizeof(req),
             "GET /static/app.js HTTP/1.1\r\nHost: x\r\n"
             "If-None-Match: %s\r\n\r\n",
             etag);
    assert_int_equal(roundtrip(fd, req, &r), 0);
    assert_int_equal(r.status, 304);
    buf_free(&r.body);

    /* 404 JSON and page; still the same connection */
    assert_int_equal(roundtrip(fd,
                               "GET /api/v1/nothing HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 404);
    assert_non_null(
        strstr(header(&r, "Content-Type", v, sizeof(v)), "application/json"));
    buf_free(&r.body);
    assert_int_equal(roundtrip(fd,
                               "GET /nothing HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body.ptr, "页面不存在"));
    assert_non_null(
        strstr(header(&r, "Content-Type", v, sizeof(v)), "text/html"));
    buf_free(&r.body);
    close(fd);
}

static void test_bad_requests(void **state)
{
    int port = server_port(*state);
    struct resp r;
    static const struct {
        const char *req;
        int status;
    } rows[] = {
        {"GET /%FF HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"OPTIONS /bench/hello HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"DELETE /bench/hello HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"GET /api/v1/x?q=%FF HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 200},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int fd = dial(port);
        if (roundtrip(fd, rows[i].req, &r) != 0 || r.status != rows[i].status)
            fail_msg("row %zu: status %d, want %d", i, r.status,
                     rows[i].status);
        buf_free(&r.body);
        close(fd);
    }
}

static void test_body_cap(void **state)
{
    int port = server_port(*state);
    struct resp r;
    char big[3000];
    memset(big, 'a', sizeof(big));

    /* Content-Length over the cap: 413 before the body is read */
    int fd = dial(port);
    const char *head = "POST /size HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/octet-stream\r\n"
                       "Content-Length: 3000\r\n\r\n";
    send_all(fd, head, strlen(head));
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    buf_free(&r.body);
    close(fd);

    /* exactly the cap is fine */
    fd = dial(port);
    head = "POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n";
    send_all(fd, head, strlen(head));
    send_all(fd, big, 1024);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.ptr, "1024");
    buf_free(&r.body);
    close(fd);

    /* a chunked body that grows past the cap */
    fd = dial(port);
    head = "POST /api/v1/size HTTP/1.1\r\nHost: x\r\n"
           "Transfer-Encoding: chunked\r\n\r\n";
    send_all(fd, head, strlen(head));
    for (int i = 0; i < 3; i++) {
        send_all(fd, "3E8\r\n", 5); /* 1000 bytes */
        send_all(fd, big, 1000);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body.ptr, "too_large"));
    buf_free(&r.body);
    close(fd);
}

struct slow_call {
    int port;
    int status;
    char body[32];
};

static void *slow_client(void *arg)
{
    struct slow_call *c = arg;
    struct resp r;
    int fd = dial(c->port);
    if (roundtrip(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0) {
        c->status = r.status;
        snprintf(c->body, sizeof(c->body), "%s", r.body.ptr);
    }
    buf_free(&r.body);
    close(fd);
    return NULL;
}

static void test_slow_routes(void **state)
{
    int port = server_port(*state);
    /* four slow calls at once; the event threads stay free meanwhile */
    pthread_t th[4];
    struct slow_call calls[4];
    for (int i = 0; i < 4; i++) {
        memset(&calls[i], 0, sizeof(calls[i]));
        calls[i].port = port;
        pthread_create(&th[i], NULL, slow_client, &calls[i]);
    }
    nap_ms(20);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int fd = dial(port);
    struct resp r;
    assert_int_equal(roundtrip(fd,
                               "GET /bench/hello HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(r.status, 200);
    long ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms < 90); /* not stuck behind the 100 ms handlers */
    buf_free(&r.body);
    close(fd);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(calls[i].status, 200);
        assert_string_equal(calls[i].body, "slow done");
    }
    /* a slow call on a kept-alive connection, twice */
    fd = dial(port);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(roundtrip(fd,
                                   "POST /slow HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 2\r\n\r\nab",
                                   &r),
                         0);
        assert_int_equal(r.status, 200);
        buf_free(&r.body);
    }
    close(fd);
}

/* server_stop() lets a slow request in flight finish. */
static void test_stop_with_request_in_flight(void **state)
{
    (void)state;
    static struct app app2;
    app2 = app;
    struct server *s = server_start(&app2);
    assert_non_null(s);
    struct slow_call c;
    memset(&c, 0, sizeof(c));
    c.port = server_port(s);
    pthread_t th;
    pthread_create(&th, NULL, slow_client, &c);
    nap_ms(30);
    server_stop(s);
    pthread_join(th, NULL);
    assert_int_equal(c.status, 200);
    assert_string_equal(c.body, "slow done");
}

static void test_bad_listen(void **state)
{
    (void)state;
    static struct app bad;
    static const char *addrs[] = {"nonsense", "1.2.3:80", "127.0.0.1:99999",
                                  "127.0.0.1:", "example.org:80"};
    config_defaults(&bad.cfg);
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        snprintf(bad.cfg.listen, sizeof(bad.cfg.listen), "%s", addrs[i]);
        assert_null(server_start(&bad));
    }
    /* localhost works */
    snprintf(bad.cfg.listen, sizeof(bad.cfg.listen), "localhost:0");
    struct server *s = server_start(&bad);
    assert_non_null(s);
    server_stop(s);
    server_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_and_headers),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_slow_routes),
        cmocka_unit_test(test_stop_with_request_in_flight),
        cmocka_unit_test(test_bad_listen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
