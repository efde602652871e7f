/*
 * test_server.c - unit tests for src/web/server.c over real sockets on a
 * free loopback port: keep-alive (several requests on one connection),
 * security and cache headers, HEAD, the body cap (413 by Content-Length
 * and by a chunked body), bad paths and methods, slow routes on the worker
 * pool (suspend/resume), and a clean stop with a slow request in flight.
 * Connections are spread evenly over the event threads, a burst of them
 * too, and counted off again when they close.
 * Uploads (ROUTE_UPLOAD) are spooled to disk: a 20 MiB multipart body
 * arrives intact (hashed in the handler) while the process's anonymous
 * memory barely grows and no body buffer ever holds it; over the upload
 * cap is a 413; a spool that cannot be made is a 500.
 * No database: app.pool is NULL and the routes are public.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/digest.h"
#include "web/server.h"
#include "web/web.h"

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Slow handlers that have started (test_stop_with_request_in_flight waits
 * for one before stopping the server). */
static atomic_int slow_started;

static int h_slow(struct http_req *r)
{
    atomic_fetch_add(&slow_started, 1);
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

/* RssAnon (or another "Name:" line) of /proc/self/status, in KiB; -1
 * when absent. */
static long status_kb(const char *name)
{
    char line[256];
    long kb = -1;
    size_t n = strlen(name);
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = atol(line + n + 1);
    fclose(f);
    return kb;
}

/* RssAnon when the upload handler last ran: the whole body has arrived
 * and been parsed, the moment a buffered body would weigh most. */
static atomic_long upload_anon_kb;

/* Answers "<bytes> <sha256> <filename> <note>" for the part "file". */
static int h_upload(struct http_req *r)
{
    atomic_store(&upload_anon_kb, status_kb("RssAnon"));
    const struct http_file *f = http_file(r, "file");
    const char *note = http_form(r, "note");
    if (f == NULL) {
        http_reply_status(r, 400, NULL);
        return 0;
    }
    char hex[DIGEST_HEX_LEN];
    digest_sha256_hex(f->data, f->len, hex);
    char *out = arena_printf(r->arena, "%zu %s %s %s", f->len, hex, f->filename,
                             note ? note : "");
    http_reply(r, 200, "text/plain; charset=utf-8", out, strlen(out));
    return 0;
}

static const struct route routes[] = {
    {HTTP_GET | HTTP_POST, "/slow", h_slow, PERM_PUBLIC, NULL,
     ROUTE_SLOW | ROUTE_NODB, "slow"},
    {HTTP_POST, "/size", h_size, PERM_PUBLIC, NULL, ROUTE_NODB, "size"},
    /* as the real upload routes: slow (hashing) */
    {HTTP_POST, "/upload", h_upload, PERM_PUBLIC, NULL,
     ROUTE_SLOW | ROUTE_NODB | ROUTE_UPLOAD, "upload"},
    {HTTP_POST, "/upload-inline", h_upload, PERM_PUBLIC, NULL,
     ROUTE_NODB | ROUTE_UPLOAD, "upload_inline"},
    {0},
};

#define UPLOAD_MB 21 /* the test's max_upload_mb */
static char data_dir[64];

static struct app app;

/* ---- a tiny HTTP/1.1 client ---- */

struct resp {
    int status;
    char head[4096];
    struct buf body;
};

/* Seconds to wait for an answer: 5, times SHUNIU_TEST_SLOW when set (the
 * valgrind run sets it: a 20 MiB upload through memcheck takes longer). */
static long answer_timeout_s(void)
{
    const char *slow = getenv("SHUNIU_TEST_SLOW");
    long k = slow != NULL ? strtol(slow, NULL, 10) : 1;
    return 5 * (k > 0 && k <= 100 ? k : 1);
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {answer_timeout_s(), 0};
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

/* A hello-world on connection fd, answered 200. */
static void hello_on(int fd)
{
    struct resp r;
    assert_int_equal(roundtrip(fd,
                               "GET /bench/hello HTTP/1.1\r\n"
                               "Host: x\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 200);
    buf_free(&r.body);
}

/* ---- tests ---- */

static int setup(void **state)
{
    config_defaults(&app.cfg);
    snprintf(app.cfg.listen, sizeof(app.cfg.listen), "127.0.0.1:0");
    app.cfg.threads = 2;
    app.cfg.max_body = 1024;
    app.cfg.max_upload_mb = UPLOAD_MB;
    const char *tmp = getenv("TMPDIR");
    snprintf(data_dir, sizeof(data_dir), "%s/shuniu-srv-XXXXXX",
             tmp && tmp[0] && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(data_dir) == NULL)
        return -1;
    snprintf(app.cfg.data, sizeof(app.cfg.data), "%s", data_dir);
    app.routes = routes;
    struct server *s = server_start(&app);
    if (s == NULL)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    char p[128];
    server_stop(*state);
    snprintf(p, sizeof(p), "%s/files/tmp", data_dir);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/files", data_dir);
    rmdir(p);
    rmdir(data_dir);
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

/* ---- uploads: spooled to disk ---- */

#define BOUNDARY "----shuniu-test-7f3a9c2e51"

/* The multipart framing around one file part named "file". */
static void upload_frame(struct buf *pre, struct buf *post,
                         const char *filename)
{
    buf_init(pre, 0);
    buf_init(post, 0);
    buf_printf(pre,
               "--" BOUNDARY "\r\n"
               "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
               "督办附件\r\n"
               "--" BOUNDARY "\r\n"
               "Content-Disposition: form-data; name=\"file\"; "
               "filename=\"%s\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n",
               filename);
    buf_puts(post, "\r\n--" BOUNDARY "--\r\n");
}

/* n pseudo-random bytes (xorshift from *seed) into p. */
static void fill(unsigned char *p, size_t n, uint64_t *seed)
{
    for (size_t i = 0; i < n; i++) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        p[i] = (unsigned char)(*seed >> 24);
    }
}

/* Sends a multipart upload of size pseudo-random bytes to path, 64 KiB
 * at a time (the client never holds the file either), with a
 * Content-Length or chunked; hex gets the file's SHA-256. */
static void send_upload(int fd, const char *path, size_t size, int chunked,
                        char hex[DIGEST_HEX_LEN])
{
    struct buf pre, post, head;
    static unsigned char piece[65536];
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    upload_frame(&pre, &post, "大文件.bin");
    buf_init(&head, 0);
    buf_printf(&head,
               "POST %s HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: multipart/form-data; boundary=" BOUNDARY "\r\n",
               path);
    if (chunked)
        buf_puts(&head, "Transfer-Encoding: chunked\r\n\r\n");
    else
        buf_printf(&head, "Content-Length: %zu\r\n\r\n",
                   pre.len + size + post.len);
    send_all(fd, head.ptr, head.len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    char line[32];
    if (chunked) {
        snprintf(line, sizeof(line), "%zx\r\n", pre.len);
        send_all(fd, line, strlen(line));
    }
    send_all(fd, pre.ptr, pre.len);
    if (chunked)
        send_all(fd, "\r\n", 2);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof(piece) ? size - done : sizeof(piece);
        fill(piece, n, &seed);
        EVP_DigestUpdate(md, piece, n);
        if (chunked) {
            snprintf(line, sizeof(line), "%zx\r\n", n);
            send_all(fd, line, strlen(line));
        }
        send_all(fd, (const char *)piece, n);
        if (chunked)
            send_all(fd, "\r\n", 2);
        done += n;
    }
    if (chunked) {
        snprintf(line, sizeof(line), "%zx\r\n", post.len);
        send_all(fd, line, strlen(line));
    }
    send_all(fd, post.ptr, post.len);
    if (chunked)
        send_all(fd, "\r\n0\r\n\r\n", 7);
    unsigned char dig[32];
    unsigned dlen = 0;
    EVP_DigestFinal_ex(md, dig, &dlen);
    EVP_MD_CTX_free(md);
    for (unsigned i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    buf_free(&pre);
    buf_free(&post);
    buf_free(&head);
}

/* How many entries DATA/files/tmp holds (spool files are unlinked). */
static int tmp_entries(void)
{
    char p[128];
    int n = 0;
    snprintf(p, sizeof(p), "%s/files/tmp", data_dir);
    DIR *d = opendir(p);
    if (d == NULL)
        return -1;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* 20 MiB arrive intact without being held in memory. */
static void test_upload_streamed(void **state)
{
    struct server *s = *state;
    const size_t size = (size_t)20 << 20;
    struct resp r;
    char hex[DIGEST_HEX_LEN], want[256];
    size_t spooled0 = server_spooled_bytes(s);
    long anon0 = status_kb("RssAnon"), hwm0 = status_kb("VmHWM");
    long rss0 = status_kb("VmRSS"), file0 = status_kb("RssFile");
    int fd = dial(server_port(s));
    send_upload(fd, "/upload", size, 0, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    long anon1 = status_kb("RssAnon"), hwm1 = status_kb("VmHWM");
    long rss1 = status_kb("VmRSS");
    long at_handler = atomic_load(&upload_anon_kb);
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof(want), "%zu %s 大文件.bin 督办附件", size, hex);
    assert_string_equal(r.body.ptr, want);
    buf_free(&r.body);
    print_message("20 MiB upload: RssAnon %ld -> %ld KiB (%ld in the "
                  "handler), VmRSS %ld -> %ld KiB (RssFile %ld -> %ld), "
                  "VmHWM %ld -> %ld KiB\n",
                  anon0, anon1, at_handler, rss0, rss1, file0,
                  status_kb("RssFile"), hwm0, hwm1);
    /* the body went to disk, none of it into a body buffer */
    assert_true(server_spooled_bytes(s) - spooled0 > size);
    assert_true(server_body_peak(s) <= (size_t)app.cfg.max_body);
    /* anonymous memory (what a buffered body costs) stayed flat; VmRSS
     * also counts the mapped spool file's page-cache pages */
    assert_true(anon0 > 0 && at_handler > 0);
    assert_true(at_handler - anon0 < 8 * 1024);
    assert_true(anon1 - anon0 < 8 * 1024);
    assert_int_equal(tmp_entries(), 0);

    /* the same connection goes on: chunked, then a small inline upload */
    send_upload(fd, "/upload", 300000, 1, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof(want), "300000 %s 大文件.bin 督办附件", hex);
    assert_string_equal(r.body.ptr, want);
    buf_free(&r.body);
    send_upload(fd, "/upload-inline", 1, 0, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof(want), "1 %s 大文件.bin 督办附件", hex);
    assert_string_equal(r.body.ptr, want);
    buf_free(&r.body);
    hello_on(fd);
    close(fd);
}

/* Bodies of sizes around a page: the mapping ends right after them. */
static void test_upload_edges(void **state)
{
    struct server *s = *state;
    struct resp r;
    struct buf pre, post;
    char hex[DIGEST_HEX_LEN], want[256];
    upload_frame(&pre, &post, "大文件.bin");
    size_t frame = pre.len + post.len;
    buf_free(&pre);
    buf_free(&post);
    const size_t sizes[] = {4096 - frame, 8192 - frame, 4095 - frame,
                            4097 - frame, 65536 - frame};
    int fd = dial(server_port(s));
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        send_upload(fd, i % 2 ? "/upload" : "/upload-inline", sizes[i], 0, hex);
        assert_int_equal(read_resp(fd, &r, 0), 0);
        assert_int_equal(r.status, 200);
        snprintf(want, sizeof(want), "%zu %s 大文件.bin 督办附件", sizes[i],
                 hex);
        assert_string_equal(r.body.ptr, want);
        buf_free(&r.body);
    }
    /* no body at all: no spool, the handler finds no file */
    assert_int_equal(roundtrip(fd,
                               "POST /upload HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 0\r\n\r\n",
                               &r),
                     0);
    assert_int_equal(r.status, 400);
    buf_free(&r.body);
    /* a malformed multipart body from the mapping: 400 */
    assert_int_equal(
        roundtrip(fd,
                  "POST /upload HTTP/1.1\r\nHost: x\r\n"
                  "Content-Type: multipart/form-data; boundary=" BOUNDARY
                  "\r\nContent-Length: 9\r\n\r\nnot a one",
                  &r),
        0);
    assert_int_equal(r.status, 400);
    buf_free(&r.body);
    close(fd);
    assert_int_equal(tmp_entries(), 0);
}

/* The upload cap (max_upload_mb + 64 KiB) and, elsewhere, max_body. */
static void test_upload_cap(void **state)
{
    struct server *s = *state;
    struct resp r;
    char hex[DIGEST_HEX_LEN];
    char head[512];
    const size_t over = ((size_t)UPLOAD_MB << 20) + 65536;

    /* Content-Length over the cap: 413 at once, nothing read */
    int fd = dial(server_port(s));
    snprintf(head, sizeof(head),
             "POST /upload HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: multipart/form-data; boundary=" BOUNDARY "\r\n"
             "Content-Length: %zu\r\n\r\n",
             over + 1);
    send_all(fd, head, strlen(head));
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    buf_free(&r.body);
    close(fd);

    /* chunked past the cap: the rest is discarded, then 413 */
    size_t spooled0 = server_spooled_bytes(s);
    fd = dial(server_port(s));
    send_upload(fd, "/upload", over, 1, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    buf_free(&r.body);
    close(fd);
    assert_true(server_spooled_bytes(s) - spooled0 <= over);
    assert_int_equal(tmp_entries(), 0);

    /* a multipart body to a route without ROUTE_UPLOAD: in memory, up to
     * max_body (1024) */
    struct buf pre, post;
    char want[32];
    upload_frame(&pre, &post, "大文件.bin");
    snprintf(want, sizeof(want), "%zu", pre.len + 500 + post.len);
    buf_free(&pre);
    buf_free(&post);
    fd = dial(server_port(s));
    send_upload(fd, "/size", 500, 0, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.ptr, want);
    buf_free(&r.body);
    send_upload(fd, "/size", 2000, 1, hex); /* chunked: read, then 413 */
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    buf_free(&r.body);
    close(fd);
    assert_true(server_body_peak(s) <= (size_t)app.cfg.max_body);
}

/* No place for a spool file: 500, and the server goes on. */
static void test_upload_no_spool(void **state)
{
    (void)state;
    static struct app app3;
    char hex[DIGEST_HEX_LEN];
    struct resp r;
    const char *old = getenv("TMPDIR");
    char saved[256] = "";
    if (old)
        snprintf(saved, sizeof(saved), "%s", old);
    app3 = app;
    snprintf(app3.cfg.data, sizeof(app3.cfg.data), "/dev/null");
    setenv("TMPDIR", "/nonexistent-shuniu-dir", 1);
    struct server *s = server_start(&app3);
    assert_non_null(s);
    int fd = dial(server_port(s));
    send_upload(fd, "/upload", 100000, 0, hex);
    assert_int_equal(read_resp(fd, &r, 0), 0);
    assert_int_equal(r.status, 500);
    buf_free(&r.body);
    close(fd);
    server_stop(s);
    if (old)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
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
    hello_on(fd);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms < 90); /* not stuck behind the 100 ms handlers */
    close(fd);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(calls[i].status, 200);
        assert_string_equal(calls[i].body, "slow done");
    }
    /* a slow call on a kept-alive connection, twice */
    fd = dial(port);
    for (int i = 0; i < 2; i++) {
        struct resp r;
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
    int before = atomic_load(&slow_started);
    pthread_create(&th, NULL, slow_client, &c);
    /* stop only once the request is in the handler: waiting a fixed time
     * raced with a slow start on a loaded machine */
    for (int i = 0; i < 2000 && atomic_load(&slow_started) == before; i++)
        nap_ms(5);
    assert_int_not_equal(atomic_load(&slow_started), before);
    server_stop(s);
    pthread_join(th, NULL);
    assert_int_equal(c.status, 200);
    assert_string_equal(c.body, "slow done");
}

/* Sixteen connections opened at once go four to each of four event
 * threads (libmicrohttpd's own accepting gave 2/6/4/5), and each thread's
 * count falls back to zero when they close. */
static void test_connections_spread(void **state)
{
    (void)state;
    enum { NT = 4, NC = 16 };
    static struct app app4;
    app4 = app;
    app4.cfg.threads = NT;
    struct server *s = server_start(&app4);
    assert_non_null(s);
    int port = server_port(s), fds[NC], loads[NT + 1];
    for (int i = 0; i < NC; i++) /* all connect before any asks */
        fds[i] = dial(port);
    for (int i = 0; i < NC; i++)
        hello_on(fds[i]);
    assert_int_equal(server_loads(s, loads, NT + 1), NT);
    for (int t = 0; t < NT; t++)
        assert_int_equal(loads[t], NC / NT);
    for (int i = 0; i < NC; i++)
        close(fds[i]);
    int open = NC;
    for (int waited = 0; open > 0 && waited < 5000; waited += 10) {
        nap_ms(10);
        server_loads(s, loads, NT);
        open = 0;
        for (int t = 0; t < NT; t++)
            open += loads[t];
    }
    assert_int_equal(open, 0);
    /* and the next ones are spread again */
    for (int i = 0; i < NT; i++)
        hello_on(fds[i] = dial(port));
    server_loads(s, loads, NT);
    for (int t = 0; t < NT; t++)
        assert_int_equal(loads[t], 1);
    for (int i = 0; i < NT; i++)
        close(fds[i]);
    server_stop(s);
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
    /* a port in use is refused: a second server (another database, an old
     * one still running) must not share it, taking every other request */
    snprintf(bad.cfg.listen, sizeof(bad.cfg.listen), "127.0.0.1:%d",
             server_port(s));
    assert_null(server_start(&bad));
    server_stop(s);
    server_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_and_headers),
        cmocka_unit_test(test_connections_spread),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_upload_streamed),
        cmocka_unit_test(test_upload_edges),
        cmocka_unit_test(test_upload_cap),
        cmocka_unit_test(test_upload_no_spool),
        cmocka_unit_test(test_slow_routes),
        cmocka_unit_test(test_stop_with_request_in_flight),
        cmocka_unit_test(test_bad_listen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
