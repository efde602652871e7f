/*
 * test_cli.c - the command line against a live database: --help on every
 * subcommand, `import org` (all rows checked first; one bad row imports
 * nothing and is named by its line), `user passwd`, `backup` and `check` on
 * the copy, and the errors a mistyped command gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib_server.h"

static void test_help_everywhere(void **state)
{
    struct srv *s = *state;
    static const char *cmds[][2] = {
        {"init", NULL},       {"serve", NULL},  {"demo", NULL},
        {"unit", "add"},      {"user", "add"},  {"user", "passwd"},
        {"import", "org"},    {"backup", NULL}, {"check", NULL},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        struct cli_result res = {0};
        const char *full[4] = {cmds[i][0], cmds[i][1] ? cmds[i][1] : "--help",
                               cmds[i][1] ? "--help" : NULL, NULL};
        int rc = srv_run_cliv(s, NULL, &res, full);
        if (rc != 0 || strstr(res.out, "用法") == NULL)
            fail_msg("%s %s --help: rc %d, out %s", cmds[i][0],
                     cmds[i][1] ? cmds[i][1] : "", rc, res.out);
        cli_result_free(&res);
    }
    struct cli_result res = {0};
    assert_int_not_equal(srv_run_cli(s, NULL, &res, "frobnicate"), 0);
    assert_contains(res.err, "frobnicate");
    cli_result_free(&res);
    assert_int_not_equal(
        srv_run_cli(s, NULL, &res, "unit", "add", "--code", "x", "--bogus"),
        0);
    assert_contains(res.err, "--bogus");
    cli_result_free(&res);
}

static char *write_file(struct srv *s, const char *name, const char *text)
{
    char *path = malloc(700);
    snprintf(path, 700, "%s/%s", s->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_import_org(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct resp r = {0};
    struct cli_result res = {0};
    /* line 3: unknown kind; line 5: unit does not exist; line 6: two
     * administrator roles */
    char *bad = write_file(
        s, "bad.csv",
        "type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,"
        "short_name\n"
        "unit,swj,市商务局,gov,department,,商务局\n"
        "unit,wlj,市文旅局,gov,ministry,,\n"
        "user,swj_cb,戴军,swj,staff,0,\n"
        "user,ghost,某人,nowhere,staff,0,\n"
        "user,two,两个管理员,gov,sysadmin|auditor,0,\n");
    assert_int_not_equal(srv_run_cli(s, NULL, &res, "import", "org", bad), 0);
    assert_contains(res.err, ":3:");
    assert_contains(res.err, ":5:");
    assert_contains(res.err, ":6:");
    assert_null(strstr(res.err, ":2:"));
    cli_result_free(&res);
    /* nothing was imported, not even the good rows */
    assert_int_equal(client_login_as(c, SRV_SYSADMIN), 200);
    assert_int_equal(http_do(c, "GET", "/api/v1/units/swj", NULL, &r), 404);

    char *good = write_file(
        s, "good.csv",
        "type,code_or_login,name,unit_or_parent,kind_or_roles,clearance,"
        "short_name,password\n"
        "unit,swj,市商务局,gov,department,,商务局,\n"
        "unit,\"wlj\",\"市文化广电和旅游局\",gov,department,,\"文旅局\",\n"
        "user,swj_cb,戴军,swj,staff,1,,Dai-Jun-2026!\n");
    assert_int_equal(srv_run_cli(s, NULL, &res, "import", "org", good), 0);
    cli_result_free(&res);
    assert_int_equal(http_do(c, "GET", "/api/v1/units/wlj", NULL, &r), 200);
    assert_str_equal(resp_str(&r, "name"), "市文化广电和旅游局");
    assert_int_equal(http_do(c, "GET", "/api/v1/users/swj_cb", NULL, &r),
                     200);
    assert_int_equal(resp_int(&r, "clearance", -1), 1);
    struct client *p = client_new(s);
    assert_int_equal(client_login(p, "swj_cb", "Dai-Jun-2026!"), 200);
    client_free(p);
    free(good);
    free(bad);
    resp_free(&r);
    client_free(c);
}

static void test_user_passwd(void **state)
{
    struct srv *s = *state;
    struct client *c = client_new(s);
    struct cli_result res = {0};
    /* too weak: refused, with the reason */
    assert_int_not_equal(srv_run_cli(s, "abc\n", &res, "user", "passwd",
                                     "--login", "staff", "--password-stdin"),
                         0);
    assert_contains(res.err, "密码");
    cli_result_free(&res);
    assert_int_equal(srv_run_cli(s, "Brand-New-2026!\n", &res, "user",
                                 "passwd", "--login", "staff",
                                 "--password-stdin"),
                     0);
    cli_result_free(&res);
    assert_int_equal(client_login(c, "staff", "Brand-New-2026!"), 200);
    assert_int_equal(srv_run_cli(s, "Sta-Ff-2026!pass\n", &res, "user",
                                 "passwd", "--login", "staff",
                                 "--password-stdin"),
                     0);
    cli_result_free(&res);
    assert_int_not_equal(srv_run_cli(s, "Whatever-2026!\n", &res, "user",
                                     "passwd", "--login", "nobody",
                                     "--password-stdin"),
                         0);
    cli_result_free(&res);
    client_free(c);
}

static void test_backup_and_check(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    char file[700], url[800];
    snprintf(file, sizeof(file), "%s/backup.%s", s->dir,
             s->pg ? "dump" : "db");
    assert_int_equal(srv_run_cli(s, NULL, &res, "backup", file), 0);
    cli_result_free(&res);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_true(st.st_size > 1000);
    if (!s->pg) {
        /* the copy is a whole database: check passes on it */
        snprintf(url, sizeof(url), "sqlite:%s", file);
        assert_int_equal(
            srv_run_cli(s, NULL, &res, "check", "--db", url), 0);
        assert_contains(res.out, "完整");
        cli_result_free(&res);
    }
    assert_int_equal(srv_run_cli(s, NULL, &res, "check"), 0);
    cli_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test(test_import_org),
        cmocka_unit_test(test_user_passwd),
        cmocka_unit_test(test_backup_and_check),
    };
    return srv_run_group_tests(tests);
}
