/*
 * test_auth.c - sign-in and the security rules around it, each tested so
 * that the test fails if the rule breaks: the session cookie's attributes,
 * one message for unknown login and wrong password, lock-out after five
 * failures (also against the right password), idle timeout, a new session
 * id at each sign-in, CSRF on cookie writes, API tokens, the password
 * policy, hostile bodies (400/413, never 500), the test clock's loopback
 * rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

static void test_login_sets_strict_cookie(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    assert_int_equal(http_dof(c, "POST", "/api/v1/session", &r,
                              "{\"login\":\"%s\",\"password\":\"%s\"}",
                              srv_accounts[SRV_CLERK].login,
                              srv_accounts[SRV_CLERK].password),
                     200);
    assert_str_equal(resp_str(&r, "user.login"), "clerk");
    assert_int_equal(strlen(resp_str(&r, "csrf")), 64);
    const char *cookie = resp_header(&r, "Set-Cookie");
    assert_contains(cookie, "sid=");
    assert_contains(cookie, "HttpOnly");
    assert_contains(cookie, "SameSite=Strict");
    assert_null(strstr(cookie, "Secure"));
    /* 32 random bytes, hex */
    const char *sid = client_cookie(c, "sid");
    assert_non_null(sid);
    assert_int_equal(strlen(sid), 64);
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 200);
    assert_str_equal(resp_str(&r, "name"), srv_accounts[SRV_CLERK].name);
    assert_str_equal(resp_str(&r, "unit"), "office");
    assert_int_equal(resp_int(&r, "clearance", -1), 2);
    resp_free(&r);
    client_free(c);
}

static void test_bad_credentials_same_answer(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    char msg1[256];
    assert_int_equal(http_do(c, "POST", "/api/v1/session",
                             "{\"login\":\"staff\",\"password\":\"nope\"}",
                             &r),
                     401);
    assert_non_null(resp_str(&r, "error.message"));
    snprintf(msg1, sizeof(msg1), "%s", resp_str(&r, "error.message"));
    assert_int_equal(http_do(c, "POST", "/api/v1/session",
                             "{\"login\":\"nobody-here\",\"password\":\"x\"}",
                             &r),
                     401);
    assert_str_equal(resp_str(&r, "error.message"), msg1);
    assert_null(client_cookie(c, "sid"));
    /* not signed in: the API answers 401 */
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 401);
    /* a failure counts once: the right password still works */
    assert_int_equal(client_login_as(c, SRV_STAFF), 200);
    resp_free(&r);
    client_free(c);
}

/* A staff member of the office, for the tests that change its account. */
static void add_staff(struct srv *s, const char *login, const char *pw)
{
    const struct srv_account who = {login,   "测试人员", "office",
                                    "staff", 0,          pw};
    assert_int_equal(srv_user_add(s, &who), 0);
}

static void test_lockout(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    add_staff(s, "locktest", "Lock-Test-2026!");
    assert_int_equal(client_set_clock(c, "2026-03-02T09:00:00+08:00"), 200);
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            http_do(c, "POST", "/api/v1/session",
                    "{\"login\":\"locktest\",\"password\":\"wrong\"}", &r),
            401);
    /* the fifth failure locks */
    int st = http_do(c, "POST", "/api/v1/session",
                     "{\"login\":\"locktest\",\"password\":\"wrong\"}", &r);
    assert_true(st == 401 || st == 423);
    /* locked: even the right password is refused, with the time left */
    assert_int_equal(
        http_do(c, "POST", "/api/v1/session",
                "{\"login\":\"locktest\",\"password\":\"Lock-Test-2026!\"}",
                &r),
        423);
    assert_non_null(resp_str(&r, "error.message"));
    const char *ra = resp_header(&r, "Retry-After");
    assert_non_null(ra);
    long left = atol(ra);
    assert_true(left > 14 * 60 && left <= 15 * 60);
    /* 14 minutes later still locked */
    assert_int_equal(client_set_clock(c, "2026-03-02T09:14:00+08:00"), 200);
    assert_int_equal(
        http_do(c, "POST", "/api/v1/session",
                "{\"login\":\"locktest\",\"password\":\"Lock-Test-2026!\"}",
                &r),
        423);
    /* after 15 minutes the right password works again */
    assert_int_equal(client_set_clock(c, "2026-03-02T09:16:00+08:00"), 200);
    assert_int_equal(client_login(c, "locktest", "Lock-Test-2026!"), 200);
    assert_int_equal(client_reset_clock(c), 200);
    resp_free(&r);
    client_free(c);
}

static void test_idle_timeout(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    assert_int_equal(client_set_clock(c, "2026-03-03T09:00:00+08:00"), 200);
    assert_int_equal(client_login_as(c, SRV_STAFF), 200);
    /* activity within 30 minutes keeps the session */
    assert_int_equal(client_set_clock(c, "2026-03-03T09:29:00+08:00"), 200);
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 200);
    assert_int_equal(client_set_clock(c, "2026-03-03T09:58:00+08:00"), 200);
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 200);
    /* 31 idle minutes end it */
    assert_int_equal(client_set_clock(c, "2026-03-03T10:29:30+08:00"), 200);
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 401);
    assert_int_equal(client_reset_clock(c), 200);
    resp_free(&r);
    client_free(c);
}

static void test_new_session_id_each_login(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    char first[80];
    assert_int_equal(client_login_as(c, SRV_STAFF), 200);
    snprintf(first, sizeof(first), "%s", client_cookie(c, "sid"));
    assert_int_equal(client_login_as(c, SRV_STAFF), 200);
    assert_string_not_equal(client_cookie(c, "sid"), first);
    /* sign-out ends the session: the old cookie no longer works */
    assert_int_equal(client_logout(c), 200);
    assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 401);
    /* a made-up session id is nobody */
    const char *hdr[] = {
        "Cookie: sid=0000000000000000000000000000000000000000000000000000"
        "000000000000",
        NULL};
    assert_int_equal(http_raw(c, "GET", "/api/v1/me", NULL, NULL, 0, hdr, 0,
                              &r),
                     401);
    resp_free(&r);
    client_free(c);
}

static void test_csrf_on_cookie_writes(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    const char *body = "{\"name\":\"集成令牌\"}";
    assert_int_equal(client_login_as(c, SRV_STAFF), 200);
    /* no token */
    assert_int_equal(http_raw(c, "POST", "/api/v1/tokens", "application/json",
                              body, strlen(body), NULL, 0, &r),
                     403);
    assert_non_null(resp_str(&r, "error.message"));
    /* a wrong token */
    const char *bad[] = {"X-CSRF-Token: deadbeef", NULL};
    assert_int_equal(http_raw(c, "POST", "/api/v1/tokens", "application/json",
                              body, strlen(body), bad, 0, &r),
                     403);
    /* the session's token */
    assert_int_equal(http_raw(c, "POST", "/api/v1/tokens", "application/json",
                              body, strlen(body), NULL, 1, &r),
                     201);
    /* reads need none */
    assert_int_equal(http_raw(c, "GET", "/api/v1/tokens", NULL, NULL, 0, NULL,
                              0, &r),
                     200);
    resp_free(&r);
    client_free(c);
}

static void test_api_tokens(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct client *bot = client_new(s);
    struct resp r = {0};
    char auth[200], id[32];
    assert_int_equal(client_login_as(c, SRV_CLERK), 200);
    assert_int_equal(http_do(c, "POST", "/api/v1/tokens",
                             "{\"name\":\"数据交换\"}", &r),
                     201);
    char secret[128];
    assert_non_null(resp_str(&r, "token"));
    snprintf(secret, sizeof(secret), "%s", resp_str(&r, "token"));
    assert_int_equal(strncmp(secret, "snu_", 4), 0);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", secret);
    snprintf(id, sizeof(id), "%lld", (long long)resp_int(&r, "id", 0));
    /* the list never shows the secret again */
    assert_int_equal(http_do(c, "GET", "/api/v1/tokens", NULL, &r), 200);
    assert_null(strstr(r.body, secret + 12));
    /* a bearer token works without a cookie and without CSRF */
    const char *hdr[] = {auth, NULL};
    assert_int_equal(http_raw(bot, "GET", "/api/v1/me", NULL, NULL, 0, hdr, 0,
                              &r),
                     200);
    assert_str_equal(resp_str(&r, "login"), "clerk");
    const char *body = "{\"name\":\"第二个\"}";
    assert_int_equal(http_raw(bot, "POST", "/api/v1/tokens",
                              "application/json", body, strlen(body), hdr, 0,
                              &r),
                     201);
    /* another person cannot revoke it */
    struct client *other = client_new(s);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/tokens/%s", id);
    assert_int_equal(client_login_as(other, SRV_STAFF), 200);
    assert_int_equal(http_do(other, "DELETE", path, NULL, &r), 404);
    assert_int_equal(http_raw(bot, "GET", "/api/v1/me", NULL, NULL, 0, hdr, 0,
                              &r),
                     200);
    /* its owner can; then it is dead */
    assert_int_equal(http_do(c, "DELETE", path, NULL, &r), 200);
    assert_int_equal(http_raw(bot, "GET", "/api/v1/me", NULL, NULL, 0, hdr, 0,
                              &r),
                     401);
    const char *junk[] = {"Authorization: Bearer snu_0000", NULL};
    assert_int_equal(http_raw(bot, "GET", "/api/v1/me", NULL, NULL, 0, junk,
                              0, &r),
                     401);
    resp_free(&r);
    client_free(other);
    client_free(bot);
    client_free(c);
}

static void test_password_policy_and_change(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    add_staff(s, "pwtest", "Pw-Test-2026!");
    assert_int_equal(client_login(c, "pwtest", "Pw-Test-2026!"), 200);
    static const char *weak[] = {"short1A", "alllowercase", "lowerand123",
                                 NULL};
    for (int i = 0; weak[i]; i++) {
        assert_int_equal(
            http_dof(c, "PUT", "/api/v1/me/password", &r,
                     "{\"old_password\":\"Pw-Test-2026!\","
                     "\"new_password\":\"%s\"}",
                     weak[i]),
            400);
        assert_non_null(resp_str(&r, "error.fields.new_password") ?
                            resp_str(&r, "error.fields.new_password") :
                            resp_str(&r, "error.fields.password"));
    }
    /* the wrong old password is refused */
    int st = http_do(c, "PUT", "/api/v1/me/password",
                     "{\"old_password\":\"nope\","
                     "\"new_password\":\"New-Pass-2026!\"}",
                     &r);
    assert_true(st == 400 || st == 403);
    assert_int_equal(http_do(c, "PUT", "/api/v1/me/password",
                             "{\"old_password\":\"Pw-Test-2026!\","
                             "\"new_password\":\"New-Pass-2026!\"}",
                             &r),
                     200);
    struct client *c2 = client_new(s);
    assert_int_equal(client_login(c2, "pwtest", "Pw-Test-2026!"), 401);
    assert_int_equal(client_login(c2, "pwtest", "New-Pass-2026!"), 200);
    resp_free(&r);
    client_free(c2);
    client_free(c);
}

/* Bodies that must get a 4xx with a JSON error, never a 500. */
static void test_hostile_bodies(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    static const char *bodies[] = {
        "{\"login\":",                                /* malformed */
        "[1,2,3]",                                    /* not an object */
        "{\"login\":123,\"password\":\"x\"}",         /* wrong type */
        "{\"login\":\"a\",\"password\":\"b\",\"x\":1}", /* unknown field */
        "{\"password\":\"b\"}",                       /* missing field */
        "{\"login\":\"a\",\"login\":\"b\",\"password\":\"c\"}", /* dup key */
        "{\"login\":\"\\u0000\",\"password\":\"c\"}", /* NUL */
        "{\"login\":\"a' OR '1'='1\",\"password\":\"' OR 1=1 --\"}",
        NULL};
    for (int i = 0; bodies[i]; i++) {
        int st = http_do(c, "POST", "/api/v1/session", bodies[i], &r);
        if (st != 400 && st != 401)
            fail_msg("body %d (%s): status %d", i, bodies[i], st);
        assert_non_null(resp_str(&r, "error.message"));
    }
    /* invalid UTF-8 */
    const char bad_utf8[] = "{\"login\":\"\xff\xfe\",\"password\":\"x\"}";
    assert_int_equal(http_raw(c, "POST", "/api/v1/session",
                              "application/json", bad_utf8,
                              sizeof(bad_utf8) - 1, NULL, 0, &r),
                     400);
    /* an oversized body: 9 MiB against the 8 MiB cap */
    size_t big = 9u << 20;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    int st = http_raw(c, "POST", "/api/v1/session", "application/json", huge,
                      big, NULL, 0, &r);
    free(huge);
    assert_true(st == 413 || st == 400);
    /* a 1 MB string in a field */
    assert_int_equal(client_login_as(c, SRV_SYSADMIN), 200);
    size_t n = 1u << 20;
    char *name = malloc(n + 64);
    static const char head[] =
        "{\"code\":\"big\",\"kind\":\"department\",\"name\":\"";
    size_t h = sizeof(head) - 1;
    memcpy(name, head, h);
    memset(name + h, 'x', n);
    memcpy(name + h + n, "\"}", 3);
    assert_int_equal(http_do(c, "POST", "/api/v1/units", name, &r), 400);
    free(name);
    assert_non_null(resp_str(&r, "error.fields.name"));
    resp_free(&r);
    client_free(c);
}

static void test_test_clock_needs_loopback(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    int rc = srv_run_cli(s, NULL, &res, "serve", "--test-clock", "--listen",
                         "0.0.0.0:1");
    assert_int_not_equal(rc, 0);
    assert_contains(res.err, "--test-clock");
    cli_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_sets_strict_cookie),
        cmocka_unit_test(test_bad_credentials_same_answer),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_new_session_id_each_login),
        cmocka_unit_test(test_csrf_on_cookie_writes),
        cmocka_unit_test(test_api_tokens),
        cmocka_unit_test(test_password_policy_and_change),
        cmocka_unit_test(test_hostile_bodies),
        cmocka_unit_test(test_test_clock_needs_loopback),
    };
    return srv_run_group_tests(tests);
}
