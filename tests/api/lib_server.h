/*
 * lib_server.h - the harness of the API tests: a real shuniu server on a free
 * port against a fresh database, and an HTTP client that speaks to it.
 *
 * Environment (set by CMakeLists.txt / scripts/test.sh):
 *     SHUNIU_BIN             path of the shuniu binary under test (required)
 *     SHUNIU_TEST_BACKEND    "sqlite" (default) or "pg"
 *     SHUNIU_TEST_PG_ADMIN   admin URL of a PostgreSQL (scripts/pg-test.sh)
 *     SHUNIU_ALLOW_PG_SKIP   "1": a pg run without SHUNIU_TEST_PG_ADMIN passes
 *                            as skipped; otherwise it fails (no silent skip)
 *     SHUNIU_TEST_KEEP       "1": keep the temp dir (database, server log)
 *
 * Life of a server (one per test program is the usual pattern):
 *     srv_start()   free port -> temp dir -> fresh database (pg: CREATE
 *                   DATABASE shuniu_t_<pid>_<n>) -> `shuniu init` -> units
 *                   gov, office -> the bootstrap accounts (srv_accounts) ->
 *                   `shuniu serve --test-clock` as a child -> /healthz is 200
 *     srv_stop()    SIGTERM -> wait (10 s, then SIGKILL) -> exit status must
 *                   be 0 with no sanitizer report in the log -> drop the pg
 *                   database -> remove the temp dir
 * The server's stdout and stderr go to TMP/server.log, printed whenever
 * something goes wrong.  The child gets PR_SET_PDEATHSIG, so a test program
 * that dies does not leave a server behind.
 *
 * The usual test file (see test_health.c):
 *     static void test_x(void **state) {
 *         struct srv *s = *state;
 *         struct client *c = client_new(s);
 *         struct resp r = {0};
 *         assert_int_equal(client_login_as(c, SRV_CLERK), 200);
 *         assert_int_equal(http_do(c, "GET", "/api/v1/me", NULL, &r), 200);
 *         assert_string_equal(resp_str(&r, "user.login"), "clerk");
 *         resp_free(&r);
 *         client_free(c);
 *     }
 *     int main(void) {
 *         const struct CMUnitTest tests[] = {cmocka_unit_test(test_x)};
 *         return srv_run_group_tests(tests);
 *     }
 * srv_run_group_tests() handles the backend checks and starts one server for
 * the group (cmocka group setup/teardown), so a failing test never leaks the
 * server.  Tests that need a server of their own call srv_start()/srv_stop().
 */
#ifndef SHUNIU_TEST_LIB_SERVER_H
#define SHUNIU_TEST_LIB_SERVER_H

#include <setjmp.h> /* cmocka needs these three before its header */
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

/* The bootstrap accounts every server starts with.  Units: "gov"
 * (government, 示例市人民政府) and "office" (office under gov, 市政府办公室).
 */
enum srv_account_id {
    SRV_SYSADMIN, /* admin,    sysadmin,  unit gov                  */
    SRV_SECADMIN, /* secadmin, secadmin,  unit gov                  */
    SRV_AUDITOR,  /* auditor,  auditor,   unit gov                  */
    SRV_CLERK,    /* clerk,    clerk,     unit office, clearance 2  */
    SRV_STAFF,    /* staff,    staff,     unit office, clearance 1  */
    SRV_NACCOUNTS
};

struct srv_account {
    const char *login;
    const char *name;
    const char *unit;
    const char *roles; /* comma-separated, as for --role */
    int clearance;
    const char *password;
};

extern const struct srv_account srv_accounts[SRV_NACCOUNTS];

/* A running server.  Read the fields; do not change them. */
struct srv {
    pid_t pid; /* the `shuniu serve` child; 0 once stopped */
    int port;
    int pg;              /* 1 on the PostgreSQL backend */
    const char *backend; /* "sqlite" or "postgresql" (as /healthz says) */
    char bin[1024];      /* SHUNIU_BIN */
    char dir[512];       /* the temp dir */
    char log[600];       /* dir/server.log */
    char db_url[1024];   /* what --db gets */
    char pg_admin[1024]; /* admin URL (pg only) */
    char pg_name[64];    /* shuniu_t_<pid>_<n> (pg only) */
    char base_url[64];   /* http://127.0.0.1:PORT */
};

/* Checks the environment for the chosen backend.  Returns 0 when tests may
 * run, 1 when they are to be skipped (pg without SHUNIU_TEST_PG_ADMIN and
 * SHUNIU_ALLOW_PG_SKIP=1; "skipped: no PostgreSQL" printed) and -1 when the
 * run must fail (message printed). */
int srv_check_env(void);

/* Starts a server as described above.  Returns NULL after printing why
 * (and the server log, when there is one).  Free with srv_stop(). */
struct srv *srv_start(void);

/* Stops the server, checks that it exited cleanly, drops its database,
 * removes its temp dir and frees s.  Returns 0, or -1 after printing the
 * reason and the log (crash, sanitizer report, non-zero exit, hang). */
int srv_stop(struct srv *s);

/* Prints the server log to stderr (for a failing test's diagnosis). */
void srv_print_log(const struct srv *s);

/* cmocka group setup/teardown: *state is the struct srv. */
int srv_group_setup(void **state);
int srv_group_teardown(void **state);

/* srv_check_env(), then the group with srv_group_setup/teardown.  Returns
 * the process exit code (0 also for an allowed skip).  When a test failed it
 * exits at once with 1, skipping LeakSanitizer's report of what the failed
 * test could not free (passing runs are still leak-checked). */
int srv_run_tests_(const char *name, const struct CMUnitTest *tests, size_t n);
#define srv_run_group_tests(tests)                                             \
    srv_run_tests_(#tests, tests, sizeof(tests) / sizeof((tests)[0]))

/* The output of a command run by srv_run_cli(). */
struct cli_result {
    int status; /* exit code; 128 + signal when killed; -1 not run */
    char *out;  /* stdout, NUL-terminated (never NULL after a run) */
    char *err;  /* stderr, NUL-terminated (never NULL after a run) */
};

/* Runs `shuniu ARGV...` against the test database, stdin_text (may be NULL)
 * on its stdin, in the temp dir.  "--db URL" is inserted after the leading
 * command words ("user", "add") unless argv already has --db.  Fills *res
 * (may be NULL: output discarded; otherwise free with cli_result_free) and
 * returns the exit status as in struct cli_result.
 *     srv_run_cli(s, "Pw-1234567890\n", &res, "user", "passwd",
 *                 "--login", "clerk", "--password-stdin");  */
int srv_run_cliv(struct srv *s, const char *stdin_text, struct cli_result *res,
                 const char *const *argv);
#define srv_run_cli(s, stdin_text, res, ...)                                   \
    srv_run_cliv((s), (stdin_text), (res),                                     \
                 (const char *const[]){__VA_ARGS__, NULL})
void cli_result_free(struct cli_result *res);

/* A unit for srv_unit_add(); short_name and parent may be NULL (left out). */
struct srv_unit {
    const char *code;
    const char *name;
    const char *short_name;
    const char *kind;
    const char *parent;
};

/* `shuniu unit add` for u.  Returns 0, or -1 after printing the command
 * and its output. */
int srv_unit_add(struct srv *s, const struct srv_unit *u);
/* `shuniu user add` for who (one role or several, comma-separated; its
 * clearance; its password on stdin).  Returns 0, or -1 after printing. */
int srv_user_add(struct srv *s, const struct srv_account *who);
/* The units, then the people a test needs: each array ends with a zeroed
 * entry, either may be NULL.  Fails the test at the first one refused. */
void srv_add_org(struct srv *s, const struct srv_unit *units,
                 const struct srv_account *people);

/* One HTTP response.  Start from `struct resp r = {0};`; every http_* call
 * frees what r held before, so one resp can be reused; resp_free() at the
 * end.  Beware: strings and JSON values got from r (resp_str, resp_header,
 * resp_get, r.body) die with the next request made into r: copy what you
 * still need (a token, an id) before reusing r. */
struct resp_header {
    char *name;  /* as sent */
    char *value; /* trimmed */
};

struct resp {
    long status; /* 0 when the request failed at the transport */
    char *body;  /* NUL-terminated; "" when empty */
    size_t len;  /* body length without the NUL */
    struct resp_header *headers;
    size_t nheaders;
    json_t *json; /* parsed on demand by resp_json(); owned by resp */
};

void resp_free(struct resp *r);
/* The first header of that name (case-insensitive), or NULL.  Owned by r. */
const char *resp_header(const struct resp *r, const char *name);
/* The i-th header of that name (0-based), or NULL (e.g. several Set-Cookie). */
const char *resp_header_n(const struct resp *r, const char *name, size_t i);
/* The body parsed as JSON, or NULL (message printed) if it is not JSON.
 * Owned by r. */
json_t *resp_json(struct resp *r);
/* The value at a dotted path in the JSON body ("error.code", "user.roles.0"
 * for array items), or NULL.  Owned by r. */
json_t *resp_get(struct resp *r, const char *path);
/* The string at that path, or NULL when absent or not a string. */
const char *resp_str(struct resp *r, const char *path);
/* The integer at that path, or dflt when absent or not an integer. */
json_int_t resp_int(struct resp *r, const char *path, json_int_t dflt);
/* The value at a dotted path of any JSON value (NULL when absent). */
json_t *json_at(json_t *root, const char *path);

/* A browser-like client: its own cookie jar, no redirects followed, a 30 s
 * timeout.  Once signed in, it sends X-CSRF-Token on every write. */
struct client;

struct client *client_new(struct srv *s);
void client_free(struct client *c);

/* JSON request: body (may be NULL) is sent as application/json.  Returns the
 * status (0 on a transport failure, message printed); fills *out (may be
 * NULL). */
int http_do(struct client *c, const char *method, const char *path,
            const char *json_body, struct resp *out);
/* printf-style body for http_do. */
int http_dof(struct client *c, const char *method, const char *path,
             struct resp *out, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Form POST (application/x-www-form-urlencoded body, already encoded).
 * Its link name is lib_server_http_form: the server's web layer has an
 * http_form() of its own (request.c), and tests that read routes_table
 * link both. */
int http_form(struct client *c, const char *path, const char *form,
              struct resp *out) __asm__("lib_server_http_form");
/* Everything: content_type and body may be NULL; extra_headers is a
 * NULL-terminated array of "Name: value" (may be NULL).  Set csrf to 0 to
 * leave out X-CSRF-Token (to test that writes without it are refused). */
int http_raw(struct client *c, const char *method, const char *path,
             const char *content_type, const char *body, size_t len,
             const char *const *extra_headers, int csrf, struct resp *out);

/* POST /api/v1/session; on 200 keeps the csrf token.  Returns the status. */
int client_login(struct client *c, const char *login, const char *password);
int client_login_as(struct client *c, enum srv_account_id who);
/* DELETE /api/v1/session; forgets the csrf token.  Returns the status. */
int client_logout(struct client *c);
/* The csrf token of the session ("" when signed out). */
const char *client_csrf(const struct client *c);
/* The value of a cookie in the jar, or NULL.  Owned by c until next call. */
const char *client_cookie(struct client *c, const char *name);

/* A new client signed in as login: a bootstrap account (srv_accounts) with
 * its own password, anyone else with `password`.  Fails the test when the
 * sign-in does not answer 200.  Free with client_free(). */
struct client *client_as(struct srv *s, const char *login,
                         const char *password);

/* Moves the server's clock to iso, or back to real time when iso is NULL;
 * fails the test when refused. */
void srv_clock(struct srv *s, const char *iso);
/* A cmocka per-test teardown (*state is the struct srv): the real clock
 * again, whatever the test did or failed. */
int srv_clock_teardown(void **state);

/* PUT /api/v1/test/clock {"now": iso} / DELETE; returns the status. */
int client_set_clock(struct client *c, const char *iso);
int client_reset_clock(struct client *c);

/* Like assert_string_equal, but NULL is a failure with a message rather
 * than a crash (resp_str and resp_header return NULL when absent). */
void srv_assert_str_equal_(const char *got, const char *want, const char *expr,
                           const char *file, int line);
#define assert_str_equal(got, want)                                            \
    srv_assert_str_equal_((got), (want), #got, __FILE__, __LINE__)
/* Fails unless got contains want (NULL got fails). */
void srv_assert_contains_(const char *got, const char *want, const char *expr,
                          const char *file, int line);
#define assert_contains(got, want)                                             \
    srv_assert_contains_((got), (want), #got, __FILE__, __LINE__)

/* Percent-encodes s for a URL or form value into a malloc'd string. */
char *url_encode(const char *s);

#endif
