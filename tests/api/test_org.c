/*
 * test_org.c - units and people through the API, and 三员分立: the system
 * administrator manages units and people but grants nothing and reads no
 * audit; the security administrator grants roles and clearance; no one
 * holds two administrator roles or an administrator role with a business
 * role; business roles reach no administration.
 */
#include <stdio.h>
#include <string.h>

#include "lib_server.h"

static void test_units_crud(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    assert_int_equal(client_login_as(c, SRV_SYSADMIN), 200);
    assert_int_equal(http_do(c, "POST", "/api/v1/units",
                             "{\"code\":\"jtj\",\"name\":\"市交通局\","
                             "\"kind\":\"department\",\"parent\":\"gov\"}",
                             &r),
                     201);
    assert_str_equal(resp_str(&r, "code"), "jtj");
    assert_str_equal(resp_str(&r, "parent"), "gov");
    /* the same code twice */
    assert_int_equal(http_do(c, "POST", "/api/v1/units",
                             "{\"code\":\"jtj\",\"name\":\"重复\","
                             "\"kind\":\"department\"}",
                             &r),
                     409);
    assert_non_null(resp_str(&r, "error.message"));
    /* a bad kind and an unknown parent name their fields */
    assert_int_equal(http_do(c, "POST", "/api/v1/units",
                             "{\"code\":\"x1\",\"name\":\"某局\","
                             "\"kind\":\"ministry\",\"parent\":\"nowhere\"}",
                             &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.kind"));
    assert_non_null(resp_str(&r, "error.fields.parent"));
    /* a bad code */
    assert_int_equal(http_do(c, "POST", "/api/v1/units",
                             "{\"code\":\"交通\",\"name\":\"某局\","
                             "\"kind\":\"department\"}",
                             &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.code"));
    /* edit, then read back */
    assert_int_equal(http_do(c, "PATCH", "/api/v1/units/jtj",
                             "{\"name\":\"市交通运输局\",\"short_name\":"
                             "\"市交通局\"}",
                             &r),
                     200);
    assert_int_equal(http_do(c, "GET", "/api/v1/units/jtj", NULL, &r), 200);
    assert_str_equal(resp_str(&r, "name"), "市交通运输局");
    assert_int_equal(http_do(c, "GET", "/api/v1/units/none", NULL, &r), 404);
    assert_int_equal(http_do(c, "GET", "/api/v1/units", NULL, &r), 200);
    assert_true(resp_int(&r, "total", 0) >= 3);
    /* a unit cannot become its own ancestor */
    assert_int_equal(http_do(c, "PATCH", "/api/v1/units/gov",
                             "{\"parent\":\"jtj\"}", &r),
                     400);
    resp_free(&r);
    client_free(c);
}

static void test_only_sysadmin_manages_units(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    static const enum srv_account_id others[] = {SRV_SECADMIN, SRV_AUDITOR,
                                                 SRV_CLERK, SRV_STAFF};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        struct client *c = client_new(s);
        assert_int_equal(client_login_as(c, others[i]), 200);
        assert_int_equal(http_do(c, "POST", "/api/v1/units",
                                 "{\"code\":\"zz\",\"name\":\"某局\","
                                 "\"kind\":\"department\"}",
                                 &r),
                         403);
        assert_int_equal(http_do(c, "PATCH", "/api/v1/units/gov",
                                 "{\"name\":\"改名\"}", &r),
                         403);
        client_free(c);
    }
    resp_free(&r);
}

static void test_users_and_grants(void **state)
{
    struct srv *s = *state;
    struct client *admin = client_new(s), *sec = client_new(s);
    struct resp r = {0};
    assert_int_equal(client_login_as(admin, SRV_SYSADMIN), 200);
    assert_int_equal(client_login_as(sec, SRV_SECADMIN), 200);
    http_do(admin, "POST", "/api/v1/units",
            "{\"code\":\"jyj\",\"name\":\"市教育局\",\"kind\":\"department\","
            "\"parent\":\"gov\"}",
            &r);
    /* the system administrator creates a person (business role, no
     * clearance) */
    assert_int_equal(http_do(admin, "POST", "/api/v1/users",
                             "{\"login\":\"jyj_cb\",\"name\":\"于洋\","
                             "\"unit\":\"jyj\",\"roles\":[\"staff\"],"
                             "\"clearance\":0,\"password\":\"Yu-Yang-2026!\"}",
                             &r),
                     201);
    assert_str_equal(resp_str(&r, "unit"), "jyj");
    assert_str_equal(resp_str(&r, "roles.0"), "staff");
    /* but cannot hand out clearance or administrator roles */
    assert_int_equal(http_do(admin, "POST", "/api/v1/users",
                             "{\"login\":\"x2\",\"name\":\"某人\","
                             "\"unit\":\"jyj\",\"clearance\":2}",
                             &r),
                     403);
    assert_int_equal(http_do(admin, "PUT", "/api/v1/users/jyj_cb/grants",
                             "{\"roles\":[\"leader\"],\"clearance\":1}", &r),
                     403);
    /* the security administrator grants */
    assert_int_equal(http_do(sec, "PUT", "/api/v1/users/jyj_cb/grants",
                             "{\"roles\":[\"leader\",\"staff\"],"
                             "\"clearance\":2}",
                             &r),
                     200);
    assert_int_equal(resp_int(&r, "clearance", -1), 2);
    /* 三员分立: two administrator roles, or one with a business role */
    assert_int_equal(http_do(sec, "PUT", "/api/v1/users/jyj_cb/grants",
                             "{\"roles\":[\"sysadmin\",\"auditor\"],"
                             "\"clearance\":0}",
                             &r),
                     400);
    assert_non_null(resp_str(&r, "error.fields.roles"));
    assert_int_equal(http_do(sec, "PUT", "/api/v1/users/jyj_cb/grants",
                             "{\"roles\":[\"secadmin\",\"clerk\"],"
                             "\"clearance\":0}",
                             &r),
                     400);
    assert_int_equal(http_do(sec, "PUT", "/api/v1/users/jyj_cb/grants",
                             "{\"roles\":[\"nosuchrole\"],\"clearance\":0}",
                             &r),
                     400);
    /* the security administrator does not create people */
    assert_int_equal(http_do(sec, "POST", "/api/v1/users",
                             "{\"login\":\"x3\",\"name\":\"某人\","
                             "\"unit\":\"jyj\"}",
                             &r),
                     403);
    /* the person signs in with the new roles */
    struct client *p = client_new(s);
    assert_int_equal(client_login(p, "jyj_cb", "Yu-Yang-2026!"), 200);
    assert_int_equal(http_do(p, "GET", "/api/v1/me", NULL, &r), 200);
    assert_int_equal(json_array_size(resp_get(&r, "roles")), 2);
    /* disabling ends sign-in (and the open session) */
    assert_int_equal(http_do(admin, "DELETE", "/api/v1/users/jyj_cb", NULL,
                             &r),
                     200);
    assert_int_equal(http_do(p, "GET", "/api/v1/me", NULL, &r), 401);
    struct client *p2 = client_new(s);
    assert_int_equal(client_login(p2, "jyj_cb", "Yu-Yang-2026!"), 403);
    /* lists filter */
    assert_int_equal(http_do(admin, "GET", "/api/v1/users?unit=jyj", NULL,
                             &r),
                     200);
    assert_int_equal(resp_int(&r, "total", -1), 1);
    assert_int_equal(http_do(admin, "GET", "/api/v1/users?q=clerk&limit=1",
                             NULL, &r),
                     200);
    assert_int_equal(json_array_size(resp_get(&r, "items")), 1);
    resp_free(&r);
    client_free(p2);
    client_free(p);
    client_free(sec);
    client_free(admin);
}

static void test_business_roles_reach_no_admin(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    static const char *writes[][2] = {
        {"PUT", "/api/v1/users/staff/grants"},
        {"PATCH", "/api/v1/users/staff"},
        {"PUT", "/api/v1/users/staff/password"},
        {"DELETE", "/api/v1/users/clerk"},
        {"DELETE", "/api/v1/units/office"},
    };
    static const enum srv_account_id business[] = {SRV_CLERK, SRV_STAFF};
    for (size_t b = 0; b < 2; b++) {
        struct client *c = client_new(s);
        assert_int_equal(client_login_as(c, business[b]), 200);
        for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
            int st = http_do(c, writes[i][0], writes[i][1], "{}", &r);
            if (st != 403)
                fail_msg("%s %s as %d: %d", writes[i][0], writes[i][1],
                         (int)business[b], st);
        }
        assert_int_equal(http_do(c, "GET", "/api/v1/audit", NULL, &r), 403);
        client_free(c);
    }
    resp_free(&r);
}

static void test_sysadmin_reads_no_audit(void **state)
{
    struct srv *s = *state;
    struct resp r = {0};
    static const enum srv_account_id not_auditor[] = {SRV_SYSADMIN,
                                                      SRV_SECADMIN};
    for (size_t i = 0; i < 2; i++) {
        struct client *c = client_new(s);
        assert_int_equal(client_login_as(c, not_auditor[i]), 200);
        assert_int_equal(http_do(c, "GET", "/api/v1/audit", NULL, &r), 403);
        assert_int_equal(
            http_do(c, "GET", "/api/v1/audit/export", NULL, &r), 403);
        client_free(c);
    }
    /* and the auditor changes nothing */
    struct client *a = client_new(s);
    assert_int_equal(client_login_as(a, SRV_AUDITOR), 200);
    assert_int_equal(http_do(a, "POST", "/api/v1/units",
                             "{\"code\":\"aud\",\"name\":\"某局\","
                             "\"kind\":\"department\"}",
                             &r),
                     403);
    assert_int_equal(http_do(a, "PUT", "/api/v1/users/clerk/grants",
                             "{\"roles\":[\"leader\"],\"clearance\":3}", &r),
                     403);
    resp_free(&r);
    client_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_crud),
        cmocka_unit_test(test_only_sysadmin_manages_units),
        cmocka_unit_test(test_users_and_grants),
        cmocka_unit_test(test_business_roles_reach_no_admin),
        cmocka_unit_test(test_sysadmin_reads_no_audit),
    };
    return srv_run_group_tests(tests);
}
