/*
 * test_health.c - the server answers at all: /healthz names the backend in
 * use, unknown paths get a 404 (JSON under /api), /bench/hello says hello,
 * and every response carries the security headers.
 *
 * The example to copy for a new API test: one server per file (started by
 * srv_run_group_tests), one client per test, `struct resp r = {0}` reused
 * across requests and freed at the end.
 */
#include <string.h>
#include <strings.h>

#include "lib_server.h"

static void test_healthz_names_backend(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    assert_int_equal(http_do(c, "GET", "/healthz", NULL, &r), 200);
    assert_non_null(resp_json(&r));
    assert_str_equal(resp_str(&r, "status"), "ok");
    assert_str_equal(resp_str(&r, "db"), s->backend);
    assert_contains(resp_header(&r, "Content-Type"), "application/json");

    resp_free(&r);
    client_free(c);
}

static void test_unknown_api_path_is_json_404(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    assert_int_equal(http_do(c, "GET", "/api/v1/no-such-thing", NULL, &r), 404);
    assert_non_null(resp_json(&r));
    assert_non_null(resp_str(&r, "error.code"));
    assert_non_null(resp_str(&r, "error.message"));

    /* a page path that does not exist is a 404 too (HTML or JSON) */
    assert_int_equal(http_do(c, "GET", "/no/such/page", NULL, &r), 404);

    resp_free(&r);
    client_free(c);
}

static void test_bench_hello(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    assert_int_equal(http_do(c, "GET", "/bench/hello", NULL, &r), 200);
    assert_contains(r.body, "hello");
    assert_true(r.len <= strlen("hello\n"));

    resp_free(&r);
    client_free(c);
}

/* The headers every response must carry, whatever its status. */
static void check_security_headers(const struct resp *r, const char *what)
{
    static const char *const names[] = {
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = resp_header(r, names[i]);
        if (v == NULL || v[0] == '\0')
            fail_msg("%s: no %s header", what, names[i]);
    }
    assert_str_equal(resp_header(r, "X-Content-Type-Options"), "nosniff");
}

static void test_security_headers(void **state)
{
    static const char *const paths[] = {
        "/healthz", "/login", "/api/v1/no-such-thing", "/no/such/page"};
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        assert_int_not_equal(http_do(c, "GET", paths[i], NULL, &r), 0);
        check_security_headers(&r, paths[i]);
    }
    /* the login page may not be framed by anyone */
    http_do(c, "GET", "/login", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *xfo = resp_header(&r, "X-Frame-Options");
    assert_non_null(xfo);
    assert_true(strcasecmp(xfo, "DENY") == 0 ||
                strcasecmp(xfo, "SAMEORIGIN") == 0);

    resp_free(&r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_names_backend),
        cmocka_unit_test(test_unknown_api_path_is_json_404),
        cmocka_unit_test(test_bench_hello),
        cmocka_unit_test(test_security_headers),
    };
    return srv_run_group_tests(tests);
}
