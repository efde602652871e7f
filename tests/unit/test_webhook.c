/*
 * test_webhook.c - unit tests of the outgoing webhook (src/kernel/webhook.c)
 * on SQLite and, when SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set,
 * on PostgreSQL.  A tiny HTTP listener runs in a thread of this test and
 * answers 500 a given number of times, then 200; the clock is moved with
 * now_set() to check the back-off: an event that fails twice arrives once,
 * with its attempts recorded and no try before its time; an event that
 * never gets through is marked failed after WEBHOOK_MAX_ATTEMPTS; a run
 * stops at the first failure; the job registered by webhook_setup delivers
 * through the job runner.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "base/config.h"
#include "base/now.h"
#include "kernel/jobs.h"
#include "kernel/schema.h"
#include "kernel/webhook.h"
#include "store/store.h"

#define T0 1767225600000LL /* 2026-01-01 08:00 Beijing */
#define MIN_MS (60LL * 1000)

/* The listener: answers `fail` requests with 500, then 200. */
struct hook {
    int fd;
    int port;
    pthread_t thread;
    pthread_mutex_t mu;
    int stop;
    int fail;           /* 500s still to give */
    int requests;       /* all requests seen */
    int accepted;       /* answered 200 */
    char body[4096];    /* the last accepted body */
    char event_hdr[64]; /* its X-Shuniu-Event value */
};

struct fx {
    char dir[64];
    char pgname[64];
    char url[256];
    struct store *db;
    struct hook hook;
};

static const char *pg_admin;

/* Reads one request (headers and Content-Length body) from c into req. */
static int hook_read(int c, char *req, size_t cap, char **body, size_t *blen)
{
    size_t n = 0;
    char *end = NULL;
    while (end == NULL) {
        ssize_t r = read(c, req + n, cap - 1 - n);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
        if (end == NULL && n >= cap - 1)
            return -1;
    }
    const char *cl = strcasestr(req, "\r\ncontent-length:");
    size_t want = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
    size_t have = n - (size_t)(end + 4 - req);
    while (have < want && n < cap - 1) {
        ssize_t r = read(c, req + n, cap - 1 - n);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        have += (size_t)r;
        req[n] = '\0';
    }
    *body = end + 4;
    *blen = have;
    return 0;
}

static void *hook_main(void *arg)
{
    struct hook *h = arg;
    static char req[65536];
    for (;;) {
        struct pollfd p = {h->fd, POLLIN, 0};
        pthread_mutex_lock(&h->mu);
        int stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop)
            break;
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(h->fd, NULL, NULL);
        if (c < 0)
            continue;
        char *body;
        size_t blen;
        if (hook_read(c, req, sizeof(req), &body, &blen) == 0) {
            const char *answer;
            pthread_mutex_lock(&h->mu);
            h->requests++;
            if (h->fail > 0) {
                h->fail--;
                answer = "HTTP/1.1 500 Internal Server Error\r\n"
                         "Content-Length: 4\r\nConnection: close\r\n\r\nfail";
            } else {
                h->accepted++;
                snprintf(h->body, sizeof(h->body), "%.*s", (int)blen, body);
                const char *x = strcasestr(req, "\r\nX-Shuniu-Event: ");
                h->event_hdr[0] = '\0';
                if (x != NULL)
                    snprintf(h->event_hdr, sizeof(h->event_hdr), "%.*s",
                             (int)strcspn(x + 18, "\r"), x + 18);
                answer = "HTTP/1.1 200 OK\r\n"
                         "Content-Length: 2\r\nConnection: close\r\n\r\nok";
            }
            pthread_mutex_unlock(&h->mu);
            if (write(c, answer, strlen(answer)) < 0)
                perror("hook write");
        }
        close(c);
    }
    return NULL;
}

static int hook_start(struct hook *h, int fail)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    memset(h, 0, sizeof(*h));
    pthread_mutex_init(&h->mu, NULL);
    h->fail = fail;
    h->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(h->fd, 8) != 0 ||
        getsockname(h->fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    h->port = ntohs(sa.sin_port);
    return pthread_create(&h->thread, NULL, hook_main, h);
}

static void hook_stop(struct hook *h)
{
    if (h->fd <= 0)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    close(h->fd);
    h->fd = 0;
    pthread_mutex_destroy(&h->mu);
}

static int hook_requests(struct hook *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->requests;
    pthread_mutex_unlock(&h->mu);
    return n;
}

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-webhook-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    if (pg_admin == NULL) {
        snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_webhook_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) ||
            store_url_with_db(pg_admin, f->pgname, f->url, sizeof(f->url))) {
            fprintf(stderr, "setup: %s\n", err);
            return -1;
        }
    }
    f->db = store_open(f->url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    jobs_reset();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];
    hook_stop(&f->hook);
    store_close(f->db);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: cannot remove %s\n", f->dir);
    free(f);
    webhook_set_url(NULL);
    jobs_reset();
    now_reset();
    return 0;
}

/* Points the webhook at the listener. */
static void use_hook(struct fx *f, int fail)
{
    char url[64];
    assert_int_equal(hook_start(&f->hook, fail), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", f->hook.port);
    webhook_set_url(url);
}

struct row {
    int64_t attempts, next_ms, sent_ms, failed_ms;
    char last_error[128];
};

static void outbox_row(struct fx *f, int64_t id, struct row *r)
{
    struct stmt *st = store_prepare(f->db, "SELECT attempts, next_ms, sent_ms,"
                                           " failed_ms, last_error FROM"
                                           " webhook_outbox WHERE id = $1");
    store_bind_int(st, 1, id);
    assert_int_equal(store_step(st), STORE_ROW);
    r->attempts = store_col_int(st, 0);
    r->next_ms = store_col_int(st, 1);
    r->sent_ms = store_col_int(st, 2);
    r->failed_ms = store_col_int(st, 3);
    snprintf(r->last_error, sizeof(r->last_error), "%s", store_col_text(st, 4));
    store_finalize(st);
}

/* The wait after n failures: 1, 2, 4 ... minutes, at most an hour. */
static void test_backoff(void **state)
{
    (void)state;
    static const struct {
        int attempts;
        int64_t ms;
    } rows[] = {
        {1, 1 * MIN_MS},  {2, 2 * MIN_MS},  {3, 4 * MIN_MS},
        {4, 8 * MIN_MS},  {5, 16 * MIN_MS}, {6, 32 * MIN_MS},
        {7, 60 * MIN_MS}, {8, 60 * MIN_MS}, {100, 60 * MIN_MS},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(webhook_backoff_ms(rows[i].attempts), rows[i].ms);
}

/* Fails twice, then accepted: arrives once, 3 attempts, and never tried
 * before its back-off has passed. */
static void test_retry_then_deliver(void **state)
{
    struct fx *f = *state;
    struct row r;
    json_error_t jerr;

    use_hook(f, 2);
    now_set(T0);
    assert_int_equal(webhook_enqueue(f->db, "{\"type\":\"notification\","
                                            "\"text\":\"超期提醒\"}"),
                     0);
    int64_t id = 0;
    store_query_int(f->db, "SELECT MAX(id) FROM webhook_outbox", &id, "");
    assert_true(id > 0);
    /* the clock runs on from T0 (now_set): the event is due from when it
     * was queued, a few ms later on a busy machine */
    outbox_row(f, id, &r);
    const int64_t t0 = r.next_ms;
    assert_true(t0 >= T0);

    assert_int_equal(webhook_run(f->db, t0), 0);
    assert_int_equal(hook_requests(&f->hook), 1);
    outbox_row(f, id, &r);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.next_ms, t0 + 1 * MIN_MS);
    assert_int_equal(r.sent_ms, 0);
    assert_string_equal(r.last_error, "HTTP 500");

    /* not before a minute */
    assert_int_equal(webhook_run(f->db, t0 + MIN_MS - 1), 0);
    assert_int_equal(hook_requests(&f->hook), 1);
    assert_int_equal(webhook_run(f->db, t0 + MIN_MS), 0);
    assert_int_equal(hook_requests(&f->hook), 2);
    outbox_row(f, id, &r);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.next_ms, t0 + 3 * MIN_MS);

    /* then two minutes */
    assert_int_equal(webhook_run(f->db, t0 + 3 * MIN_MS - 1), 0);
    assert_int_equal(hook_requests(&f->hook), 2);
    assert_int_equal(webhook_run(f->db, t0 + 3 * MIN_MS), 0);
    assert_int_equal(hook_requests(&f->hook), 3);
    outbox_row(f, id, &r);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(r.sent_ms, t0 + 3 * MIN_MS);
    assert_string_equal(r.last_error, "");

    /* sent once, never again */
    assert_int_equal(webhook_run(f->db, t0 + 1000 * MIN_MS), 0);
    assert_int_equal(hook_requests(&f->hook), 3);
    assert_int_equal(f->hook.accepted, 1);
    json_t *body = json_loads(f->hook.body, 0, &jerr);
    assert_non_null(body);
    assert_int_equal(json_integer_value(json_object_get(body, "event_id")), id);
    assert_string_equal(json_string_value(json_object_get(body, "text")),
                        "超期提醒");
    json_decref(body);
    char want[32];
    snprintf(want, sizeof(want), "%lld", (long long)id);
    assert_string_equal(f->hook.event_hdr, want);
}

/* Nobody listens: failed for good after WEBHOOK_MAX_ATTEMPTS, kept. */
static void test_gives_up(void **state)
{
    struct fx *f = *state;
    struct row r;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    char url[64];
    int64_t t = T0, id = 0;

    /* a port nothing listens on */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    getsockname(s, (struct sockaddr *)&sa, &len);
    close(s);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
    webhook_set_url(url);

    now_set(T0);
    assert_int_equal(webhook_enqueue(f->db, "{\"n\":1}"), 0);
    store_query_int(f->db, "SELECT MAX(id) FROM webhook_outbox", &id, "");
    t = now_ms(); /* now_set runs on with the real clock: the event is due
                   * from when it was queued, a few ms past T0 on a busy
                   * machine (CI failed once at the first attempt) */
    for (int i = 1; i <= WEBHOOK_MAX_ATTEMPTS; i++) {
        assert_int_equal(webhook_run(f->db, t), 0);
        outbox_row(f, id, &r);
        assert_int_equal(r.attempts, i);
        assert_true(r.last_error[0] != '\0');
        if (i < WEBHOOK_MAX_ATTEMPTS) {
            assert_int_equal(r.failed_ms, 0);
            assert_int_equal(r.next_ms, t + webhook_backoff_ms(i));
            t = r.next_ms;
        }
    }
    assert_int_equal(r.failed_ms, t);
    assert_int_equal(r.sent_ms, 0);
    assert_int_equal(webhook_run(f->db, t + 1000 * MIN_MS), 0);
    outbox_row(f, id, &r);
    assert_int_equal(r.attempts, WEBHOOK_MAX_ATTEMPTS);
}

/* A failure stops the run; the rest are tried at the next one, in order. */
static void test_stops_at_first_failure(void **state)
{
    struct fx *f = *state;
    struct row r1, r2, r3;

    use_hook(f, 1);
    now_set(T0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(webhook_enqueue(f->db, "{\"n\":1}"), 0);
    outbox_row(f, 3, &r3); /* due from when it was queued (see above) */
    const int64_t t0 = r3.next_ms;
    assert_int_equal(webhook_run(f->db, t0), 0);
    assert_int_equal(hook_requests(&f->hook), 1);
    outbox_row(f, 1, &r1);
    outbox_row(f, 2, &r2);
    assert_int_equal(r1.attempts, 1);
    assert_int_equal(r2.attempts, 0);
    /* the next run: 1 waits for its back-off, 2 and 3 go */
    assert_int_equal(webhook_run(f->db, t0 + 1000), 0);
    assert_int_equal(hook_requests(&f->hook), 3);
    outbox_row(f, 1, &r1);
    outbox_row(f, 2, &r2);
    outbox_row(f, 3, &r3);
    assert_int_equal(r1.sent_ms, 0);
    assert_int_equal(r2.sent_ms, t0 + 1000);
    assert_int_equal(r3.sent_ms, t0 + 1000);
}

/* Off: nothing enqueued, nothing sent; a bad URL is refused at setup. */
static void test_off_and_setup(void **state)
{
    struct fx *f = *state;
    struct config c;
    int64_t n = -1;

    webhook_set_url(NULL);
    assert_int_equal(webhook_enabled(), 0);
    assert_int_equal(webhook_enqueue(f->db, "{}"), 0);
    store_query_int(f->db, "SELECT COUNT(*) FROM webhook_outbox", &n, "");
    assert_int_equal(n, 0);
    assert_int_equal(webhook_run(f->db, T0), 0);

    config_defaults(&c);
    assert_int_equal(c.webhook_url[0], '\0');
    assert_int_equal(webhook_setup(&c), 0);
    assert_int_equal(jobs_run_now(f->db, WEBHOOK_JOB_NAME), -1); /* none */
    assert_int_equal(config_set(&c, "webhook_url", "file:///etc/passwd"), 0);
    assert_int_equal(webhook_setup(&c), -1);
    assert_int_equal(webhook_enabled(), 0);
}

/* webhook_setup registers the job; the runner delivers. */
static void test_job(void **state)
{
    struct fx *f = *state;
    struct config c;
    struct row r;
    char url[64];

    assert_int_equal(hook_start(&f->hook, 0), 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", f->hook.port);
    config_defaults(&c);
    assert_int_equal(config_set(&c, "webhook_url", url), 0);
    assert_int_equal(webhook_setup(&c), 0);
    now_set(T0);
    assert_int_equal(webhook_enqueue(f->db, "{\"n\":1}"), 0);
    assert_int_equal(jobs_run_now(f->db, WEBHOOK_JOB_NAME), 0);
    assert_int_equal(hook_requests(&f->hook), 1);
    outbox_row(f, 1, &r);
    assert_true(r.sent_ms >= T0);

    /* and through a runner's tick */
    char err[256];
    struct jobs_runner *jr = jobs_runner_new(f->url, "t", err, sizeof(err));
    assert_non_null(jr);
    assert_int_equal(webhook_enqueue(f->db, "{\"n\":2}"), 0);
    now_set(T0 + WEBHOOK_JOB_SECONDS * 1000 + 1000);
    assert_int_equal(jobs_runner_tick(jr), 1);
    assert_int_equal(hook_requests(&f->hook), 2);
    jobs_runner_free(jr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test_setup_teardown(test_retry_then_deliver, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stops_at_first_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_off_and_setup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    else
        pg_admin = NULL;
    return failed;
}
