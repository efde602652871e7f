/*
 * lib_server.c - the API-test harness: starts a real `shuniu serve` against
 * a fresh database and talks HTTP to it (libcurl), see lib_server.h.
 *
 * Server states and the functions that move between them:
 *     (none) --srv_start--> prepared (temp dir, database, init, accounts)
 *            --spawn_server--> starting --wait_healthy--> running
 *     running --srv_stop--> stopped (exit status checked, log scanned,
 *            database dropped, temp dir removed)
 * A failure anywhere in srv_start unwinds through srv_stop's cleanup with
 * the log printed.  Child processes run in the temp dir (so no stray
 * ./shuniu.conf or ./data of the caller is read) with PR_SET_PDEATHSIG.
 */
#include "lib_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEALTH_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 10000
#define CLI_TIMEOUT_MS 120000
#define HTTP_TIMEOUT_S 30L
#define CLI_MAX_ARGS 64

const struct srv_account srv_accounts[SRV_NACCOUNTS] = {
    [SRV_SYSADMIN] = {"admin", "系统管理员甲", "gov", "sysadmin", 0,
                      "Sys-Admin-2026!pass"},
    [SRV_SECADMIN] = {"secadmin", "安全保密管理员乙", "gov", "secadmin", 0,
                      "Sec-Admin-2026!pass"},
    [SRV_AUDITOR] = {"auditor", "安全审计员丙", "gov", "auditor", 0,
                     "Aud-Itor-2026!pass"},
    [SRV_CLERK] = {"clerk", "办公室文员丁", "office", "clerk", 2,
                   "Cle-Rk-2026!pass"},
    [SRV_STAFF] = {"staff", "承办人戊", "office", "staff", 1,
                   "Sta-Ff-2026!pass"},
};

static const struct srv_unit boot_units[] = {
    {"gov", "示例市人民政府", NULL, "government", NULL},
    {"office", "示例市人民政府办公室", NULL, "office", "gov"},
    {0},
};

/* ---- small helpers ---------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static int env_is(const char *name, const char *value)
{
    const char *v = getenv(name);
    return v && strcmp(v, value) == 0;
}

/* A growable byte string, always NUL-terminated once something was added. */
struct gbuf {
    char *p;
    size_t len, cap;
};

static void gbuf_add(struct gbuf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            abort();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* The whole file as a malloc'd NUL-terminated string ("" if unreadable). */
static char *slurp(const char *path)
{
    struct gbuf b = {0};
    char chunk[4096];
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            gbuf_add(&b, chunk, n);
        fclose(f);
    }
    gbuf_add(&b, "", 0);
    return b.p;
}

static int write_file(const char *path, const char *text)
{
    int rc = -1;
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        goto out;
    size_t n = text ? strlen(text) : 0;
    if (n && fwrite(text, 1, n, f) != n) {
        fclose(f);
        goto out;
    }
    if (fclose(f) != 0)
        goto out;
    rc = 0;
out:
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A port that was free a moment ago (bind to 0, read it, close). */
static int free_port(void)
{
    int port = -1;
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        goto out;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        goto out;
    port = ntohs(sa.sin_port);
out:
    if (fd >= 0)
        close(fd);
    return port;
}

/* Waits for pid up to timeout_ms; 1 and *status when it exited, 0 if not. */
static int wait_for(pid_t pid, int *status, long timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR) {
            *status = 0;
            return 1; /* not our child any more: nothing to wait for */
        }
        if (now_ms() >= deadline)
            return 0;
        sleep_ms(20);
    }
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* In the child: fd 0/1/2 from the named files, cwd = dir, die with the
 * parent, exec.  Never returns. */
static void child_exec(const char *dir, const char *in, const char *out,
                       const char *err, char *const *argv)
{
#ifdef PR_SET_PDEATHSIG
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    int fi = open(in ? in : "/dev/null", O_RDONLY);
    int fo = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);
    int fe = err ? open(err, O_WRONLY | O_CREAT | O_APPEND, 0600) : fo;
    if (fi < 0 || fo < 0 || fe < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
        dup2(fe, 2) < 0 || chdir(dir) != 0)
        _exit(126);
    execv(argv[0], argv);
    dprintf(2, "lib_server: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* ---- PostgreSQL: one fresh database per server -------------------------- */

/* admin URL with its database replaced by name (query string kept). */
static int pg_url_with_db(const char *admin, const char *name, char *out,
                          size_t outlen)
{
    const char *scheme = strstr(admin, "://");
    if (scheme == NULL)
        return -1;
    const char *host = scheme + 3;
    size_t hostlen = strcspn(host, "/?");
    const char *rest = host + hostlen;
    const char *query = strchr(rest, '?');
    int n = snprintf(out, outlen, "%.*s/%s%s", (int)(host + hostlen - admin),
                     admin, name, query ? query : "");
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs one statement on the admin database; 0 / -1 (message printed).
 * Notices ("does not exist, skipping") are not printed. */
static int pg_admin_exec(const char *admin, const char *sql)
{
    int rc = -1;
    PGresult *res = NULL;
    PGconn *conn = PQconnectdb(admin);
    PQsetNoticeProcessor(conn, pg_quiet, NULL);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "lib_server: cannot connect to %s: %s", admin,
                PQerrorMessage(conn));
        goto out;
    }
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "lib_server: %s: %s", sql, PQerrorMessage(conn));
        goto out;
    }
    rc = 0;
out:
    PQclear(res);
    PQfinish(conn);
    return rc;
}

/* ---- the environment ------------------------------------------------------
 */

int srv_check_env(void)
{
    const char *bin = getenv("SHUNIU_BIN");
    if (bin == NULL || access(bin, X_OK) != 0) {
        fprintf(stderr,
                "lib_server: SHUNIU_BIN=%s is not an executable "
                "(ctest sets it; by hand: SHUNIU_BIN=build/shuniu)\n",
                bin ? bin : "(unset)");
        return -1;
    }
    const char *backend = getenv("SHUNIU_TEST_BACKEND");
    if (backend == NULL || strcmp(backend, "sqlite") == 0)
        return 0;
    if (strcmp(backend, "pg") != 0) {
        fprintf(stderr,
                "lib_server: SHUNIU_TEST_BACKEND=%s (want sqlite or "
                "pg)\n",
                backend);
        return -1;
    }
    const char *admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (admin && admin[0])
        return 0;
    printf("skipped: no PostgreSQL (SHUNIU_TEST_PG_ADMIN is not set)\n");
    fflush(stdout);
    if (env_is("SHUNIU_ALLOW_PG_SKIP", "1"))
        return 1;
    fprintf(stderr, "lib_server: the PostgreSQL variant may not be skipped: "
                    "run scripts/pg-test.sh start and export "
                    "SHUNIU_TEST_PG_ADMIN, or set SHUNIU_ALLOW_PG_SKIP=1\n");
    return -1;
}

/* ---- running the binary ---------------------------------------------------
 */

void cli_result_free(struct cli_result *res)
{
    if (res == NULL)
        return;
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
    res->status = -1;
}

int srv_run_cliv(struct srv *s, const char *stdin_text, struct cli_result *res,
                 const char *const *argv)
{
    int status = -1, has_db = 0, n = 0, words = 0;
    const char *args[CLI_MAX_ARGS + 4];
    char in[600], out[600], err[600];
    pid_t pid;

    if (res) {
        res->status = -1;
        res->out = res->err = NULL;
    }
    snprintf(in, sizeof(in), "%s/cli.in", s->dir);
    snprintf(out, sizeof(out), "%s/cli.out", s->dir);
    snprintf(err, sizeof(err), "%s/cli.err", s->dir);
    for (int i = 0; argv[i]; i++) {
        if (strcmp(argv[i], "--db") == 0 || strncmp(argv[i], "--db=", 5) == 0)
            has_db = 1;
        if (i == words && argv[i][0] != '-')
            words++;
    }
    args[n++] = s->bin;
    for (int i = 0; argv[i]; i++) {
        if (n >= CLI_MAX_ARGS) {
            fprintf(stderr, "lib_server: too many arguments\n");
            goto out;
        }
        if (i == words && !has_db) {
            args[n++] = "--db";
            args[n++] = s->db_url;
        }
        args[n++] = argv[i];
    }
    if (!has_db && words == n - 1) { /* only command words */
        args[n++] = "--db";
        args[n++] = s->db_url;
    }
    args[n] = NULL;

    unlink(out);
    unlink(err);
    if (write_file(in, stdin_text) != 0) {
        fprintf(stderr, "lib_server: cannot write %s\n", in);
        goto out;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "lib_server: fork: %s\n", strerror(errno));
        goto out;
    }
    if (pid == 0)
        child_exec(s->dir, in, out, err, (char *const *)args);
    int ws = 0;
    if (!wait_for(pid, &ws, CLI_TIMEOUT_MS)) {
        fprintf(stderr, "lib_server: shuniu %s did not finish in %d s\n",
                argv[0], CLI_TIMEOUT_MS / 1000);
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
    }
    status = exit_code(ws);
    if (res) {
        res->status = status;
        res->out = slurp(out);
        res->err = slurp(err);
    }
out:
    return status;
}

/* Runs a setup command; prints everything and returns -1 unless it exits 0. */
static int setup_cli(struct srv *s, const char *stdin_text,
                     const char *const *argv)
{
    struct cli_result res;
    int rc = srv_run_cliv(s, stdin_text, &res, argv);
    if (rc != 0) {
        fprintf(stderr, "lib_server: setup command failed (exit %d):", rc);
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, "\n--- stdout\n%s--- stderr\n%s---\n",
                res.out ? res.out : "", res.err ? res.err : "");
    }
    cli_result_free(&res);
    return rc == 0 ? 0 : -1;
}

int srv_unit_add(struct srv *s, const struct srv_unit *u)
{
    const char *argv[CLI_MAX_ARGS] = {"unit",   "add",   "--code", u->code,
                                      "--name", u->name, "--kind", u->kind};
    int n = 0;
    while (argv[n] != NULL) /* after the options every unit has */
        n++;
    if (u->short_name) {
        argv[n++] = "--short";
        argv[n++] = u->short_name;
    }
    if (u->parent) {
        argv[n++] = "--parent";
        argv[n++] = u->parent;
    }
    argv[n] = NULL;
    return setup_cli(s, NULL, argv);
}

int srv_user_add(struct srv *s, const struct srv_account *who)
{
    char clearance[8], password[128];
    snprintf(clearance, sizeof(clearance), "%d", who->clearance);
    snprintf(password, sizeof(password), "%s\n", who->password);
    const char *argv[] = {
        "user",        "add",     "--login",          who->login, "--name",
        who->name,     "--unit",  who->unit,          "--role",   who->roles,
        "--clearance", clearance, "--password-stdin", NULL};
    return setup_cli(s, password, argv);
}

void srv_add_org(struct srv *s, const struct srv_unit *units,
                 const struct srv_account *people)
{
    for (const struct srv_unit *u = units; u && u->code; u++)
        if (srv_unit_add(s, u))
            fail_msg("unit add %s refused", u->code);
    for (const struct srv_account *p = people; p && p->login; p++)
        if (srv_user_add(s, p))
            fail_msg("user add %s refused", p->login);
}

/* ---- the server -----------------------------------------------------------
 */

void srv_print_log(const struct srv *s)
{
    char *log = slurp(s->log);
    fprintf(stderr, "---- server log (%s)\n%s%s---- end of server log\n",
            s->log, log, log[0] && log[strlen(log) - 1] != '\n' ? "\n" : "");
    free(log);
}

static int spawn_server(struct srv *s)
{
    char listen[64], data[600];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
    snprintf(data, sizeof(data), "%s/data", s->dir);
    char *const argv[] = {s->bin, "serve",  "--db", s->db_url,      "--listen",
                          listen, "--data", data,   "--test-clock", NULL};
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "lib_server: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0)
        child_exec(s->dir, NULL, s->log, NULL, argv);
    s->pid = pid;
    return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* Polls /healthz until 200; -1 when the server died or time ran out. */
static int wait_healthy(struct srv *s)
{
    int rc = -1;
    char url[128];
    long code = 0;
    CURL *h = curl_easy_init();
    if (h == NULL)
        goto out;
    snprintf(url, sizeof(url), "%s/healthz", s->base_url);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    long long deadline = now_ms() + HEALTH_TIMEOUT_MS;
    for (;;) {
        int ws;
        if (waitpid(s->pid, &ws, WNOHANG) == s->pid) {
            fprintf(stderr,
                    "lib_server: the server exited (status %d) "
                    "before answering /healthz\n",
                    exit_code(ws));
            s->pid = 0;
            goto out;
        }
        if (curl_easy_perform(h) == CURLE_OK &&
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
            code == 200)
            break;
        if (now_ms() >= deadline) {
            fprintf(stderr,
                    "lib_server: /healthz did not answer 200 within "
                    "%d s (last status %ld)\n",
                    HEALTH_TIMEOUT_MS / 1000, code);
            goto out;
        }
        sleep_ms(50);
    }
    rc = 0;
out:
    if (h)
        curl_easy_cleanup(h);
    return rc;
}

/* Everything srv_start prepares before the server runs; -1 on failure. */
static int prepare(struct srv *s)
{
    static int counter;
    const char *tmp = getenv("TMPDIR");

    snprintf(s->bin, sizeof(s->bin), "%s", getenv("SHUNIU_BIN"));
    snprintf(s->dir, sizeof(s->dir), "%s/shuniu-t-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(s->dir) == NULL) {
        fprintf(stderr, "lib_server: mkdtemp %s: %s\n", s->dir,
                strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }
    snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
    s->port = free_port();
    if (s->port <= 0) {
        fprintf(stderr, "lib_server: no free port\n");
        return -1;
    }
    snprintf(s->base_url, sizeof(s->base_url), "http://127.0.0.1:%d", s->port);

    if (env_is("SHUNIU_TEST_BACKEND", "pg")) {
        char sql[128];
        s->pg = 1;
        s->backend = "postgresql";
        snprintf(s->pg_admin, sizeof(s->pg_admin), "%s",
                 getenv("SHUNIU_TEST_PG_ADMIN"));
        snprintf(s->pg_name, sizeof(s->pg_name), "shuniu_t_%ld_%d",
                 (long)getpid(), ++counter);
        if (pg_url_with_db(s->pg_admin, s->pg_name, s->db_url,
                           sizeof(s->db_url)) != 0) {
            fprintf(stderr, "lib_server: cannot use admin URL %s\n",
                    s->pg_admin);
            s->pg_name[0] = '\0';
            return -1;
        }
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 s->pg_name);
        pg_admin_exec(s->pg_admin, sql);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", s->pg_name);
        if (pg_admin_exec(s->pg_admin, sql) != 0) {
            s->pg_name[0] = '\0';
            return -1;
        }
    } else {
        s->backend = "sqlite";
        snprintf(s->db_url, sizeof(s->db_url), "sqlite:%s/t.db", s->dir);
    }

    if (setup_cli(s, NULL, (const char *const[]){"init", NULL}))
        return -1;
    for (const struct srv_unit *u = boot_units; u->code; u++)
        if (srv_unit_add(s, u))
            return -1;
    for (int i = 0; i < SRV_NACCOUNTS; i++)
        if (srv_user_add(s, &srv_accounts[i]))
            return -1;
    return 0;
}

/* Stops the child and cleans up; 0 when everything was clean. */
static int teardown(struct srv *s, int quiet_log)
{
    int rc = 0, ws = 0;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (!wait_for(s->pid, &ws, STOP_TIMEOUT_MS)) {
            fprintf(stderr,
                    "lib_server: the server did not stop within "
                    "%d s of SIGTERM; killing it\n",
                    STOP_TIMEOUT_MS / 1000);
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &ws, 0);
            rc = -1;
        } else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            fprintf(stderr,
                    "lib_server: the server ended with status %d "
                    "after SIGTERM (want a clean exit 0)\n",
                    exit_code(ws));
            rc = -1;
        }
        s->pid = 0;
    }
    if (s->dir[0]) {
        char *log = slurp(s->log);
        if (strstr(log, "AddressSanitizer") || strstr(log, "LeakSanitizer") ||
            strstr(log, "runtime error:") ||
            strstr(log, "UndefinedBehaviorSanitizer")) {
            fprintf(stderr, "lib_server: sanitizer report in the server "
                            "log\n");
            rc = -1;
        }
        free(log);
        if (rc != 0 && !quiet_log)
            srv_print_log(s);
    }
    if (s->pg && s->pg_name[0]) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 s->pg_name);
        if (pg_admin_exec(s->pg_admin, sql) != 0)
            rc = -1;
    }
    if (env_is("SHUNIU_TEST_KEEP", "1"))
        fprintf(stderr, "lib_server: kept %s\n", s->dir);
    else
        rm_tree(s->dir);
    return rc;
}

struct srv *srv_start(void)
{
    struct srv *s = NULL;
    if (srv_check_env() != 0)
        goto out;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    if (prepare(s) != 0 || spawn_server(s) != 0)
        goto fail;
    if (wait_healthy(s) != 0) {
        srv_print_log(s);
        goto fail;
    }
    goto out;
fail:
    teardown(s, 1);
    free(s);
    s = NULL;
out:
    return s;
}

int srv_stop(struct srv *s)
{
    if (s == NULL)
        return 0;
    int rc = teardown(s, 0);
    free(s);
    return rc;
}

int srv_group_setup(void **state)
{
    *state = srv_start();
    return *state ? 0 : -1;
}

int srv_group_teardown(void **state)
{
    int rc = srv_stop(*state);
    *state = NULL;
    return rc;
}

int srv_run_tests_(const char *name, const struct CMUnitTest *tests, size_t n)
{
    int rc = srv_check_env();
    if (rc != 0)
        return rc > 0 ? 0 : 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = _cmocka_run_group_tests(name, tests, n, srv_group_setup,
                                 srv_group_teardown);
    curl_global_cleanup();
    if (rc != 0) {
        /* A failed assertion jumps out of its test and leaves that test's
         * client and responses behind; skip the exit handlers so that
         * LeakSanitizer does not bury the failure under their report. */
        fflush(stdout);
        fflush(stderr);
        _exit(1);
    }
    return 0;
}

/* ---- responses -------------------------------------------------------- */

void resp_free(struct resp *r)
{
    if (r == NULL)
        return;
    free(r->body);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    if (r->json)
        json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

const char *resp_header_n(const struct resp *r, const char *name, size_t i)
{
    for (size_t k = 0; k < r->nheaders; k++)
        if (strcasecmp(r->headers[k].name, name) == 0 && i-- == 0)
            return r->headers[k].value;
    return NULL;
}

const char *resp_header(const struct resp *r, const char *name)
{
    return resp_header_n(r, name, 0);
}

json_t *resp_json(struct resp *r)
{
    json_error_t e;
    if (r->json == NULL && r->body) {
        r->json = json_loadb(r->body, r->len, 0, &e);
        if (r->json == NULL)
            fprintf(stderr, "lib_server: body is not JSON (%s): %.300s\n",
                    e.text, r->body);
    }
    return r->json;
}

json_t *json_at(json_t *root, const char *path)
{
    char key[256];
    json_t *v = root;
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        path += n + (path[n] == '.');
        if (json_is_array(v)) {
            char *end;
            unsigned long idx = strtoul(key, &end, 10);
            v = *key && *end == '\0' ? json_array_get(v, idx) : NULL;
        } else {
            v = json_object_get(v, key);
        }
    }
    return v;
}

json_t *resp_get(struct resp *r, const char *path)
{
    json_t *root = resp_json(r);
    return root ? json_at(root, path) : NULL;
}

const char *resp_str(struct resp *r, const char *path)
{
    return json_string_value(resp_get(r, path));
}

json_int_t resp_int(struct resp *r, const char *path, json_int_t dflt)
{
    json_t *v = resp_get(r, path);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Headers "Name: value\r\n" from the last response block into r. */
static void parse_headers(struct resp *r, const char *raw)
{
    size_t cap = 0;
    while (raw && *raw) {
        size_t n = strcspn(raw, "\r\n");
        const char *colon = memchr(raw, ':', n);
        if (colon) {
            const char *v = colon + 1, *end = raw + n;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            if (r->nheaders == cap) {
                cap = cap ? cap * 2 : 16;
                r->headers = realloc(r->headers, cap * sizeof(*r->headers));
                if (r->headers == NULL)
                    abort();
            }
            r->headers[r->nheaders].name = strndup(raw, (size_t)(colon - raw));
            r->headers[r->nheaders].value = strndup(v, (size_t)(end - v));
            if (!r->headers[r->nheaders].name || !r->headers[r->nheaders].value)
                abort();
            r->nheaders++;
        }
        raw += n;
        raw += strspn(raw, "\r\n");
    }
}

/* ---- the client -------------------------------------------------------- */

struct client {
    struct srv *s;
    CURL *h;
    char csrf[256];
    char cookie[1024]; /* client_cookie's answer */
};

static size_t on_body(char *p, size_t size, size_t n, void *u)
{
    gbuf_add(u, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *u)
{
    struct gbuf *b = u;
    if (size * n >= 5 && strncmp(p, "HTTP/", 5) == 0)
        b->len = 0; /* a new block (after 100 Continue): keep the last */
    gbuf_add(b, p, size * n);
    return size * n;
}

struct client *client_new(struct srv *s)
{
    struct client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    c->s = s;
    c->h = curl_easy_init();
    if (c->h == NULL)
        abort();
    curl_easy_setopt(c->h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
    /* Large bodies go with "Expect: 100-continue": wait for the server's
     * answer before sending them, as a browser's proxy would, so that a
     * 413 sent at once is read rather than lost to a reset while the body
     * is still on its way (curl gives up waiting after 1 s by default,
     * too short on a loaded machine under the sanitizers). */
    curl_easy_setopt(c->h, CURLOPT_EXPECT_100_TIMEOUT_MS, 20000L);
    return c;
}

void client_free(struct client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->h);
    free(c);
}

const char *client_csrf(const struct client *c)
{
    return c->csrf;
}

static int is_read(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

int http_raw(struct client *c, const char *method, const char *path,
             const char *content_type, const char *body, size_t len,
             const char *const *extra_headers, int csrf, struct resp *out)
{
    struct gbuf hb = {0}, bb = {0};
    struct curl_slist *hdrs = NULL;
    char url[2048], line[512];
    long status = 0;
    CURLcode cc;
    CURL *h = c->h;

    if (out)
        resp_free(out);
    snprintf(url, sizeof(url), "%s%s", c->s->base_url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body ? len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    /* a body past 1 MiB goes with "Expect: 100-continue" (client_new says
     * why: a 413 sent at once must not be lost to a broken pipe); smaller
     * ones go at once */
    hdrs = curl_slist_append(hdrs, body && len > ((size_t)1 << 20)
                                       ? "Expect: 100-continue"
                                       : "Expect:");
    if (content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", content_type);
        hdrs = curl_slist_append(hdrs, line);
    } else if (body) {
        hdrs = curl_slist_append(hdrs, "Content-Type:");
    }
    if (csrf && !is_read(method) && c->csrf[0]) {
        snprintf(line, sizeof(line), "X-CSRF-Token: %s", c->csrf);
        hdrs = curl_slist_append(hdrs, line);
    }
    for (size_t i = 0; extra_headers && extra_headers[i]; i++)
        hdrs = curl_slist_append(hdrs, extra_headers[i]);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hb);

    cc = curl_easy_perform(h);
    if (cc != CURLE_OK)
        fprintf(stderr, "lib_server: %s %s: %s\n", method, path,
                curl_easy_strerror(cc));
    else
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    gbuf_add(&bb, "", 0);
    if (out) {
        out->status = status;
        out->body = bb.p;
        out->len = bb.len;
        parse_headers(out, hb.p);
    } else {
        free(bb.p);
    }
    free(hb.p);
    return (int)status;
}

int http_do(struct client *c, const char *method, const char *path,
            const char *json_body, struct resp *out)
{
    static const char *const accept[] = {"Accept: application/json", NULL};
    return http_raw(c, method, path, json_body ? "application/json" : NULL,
                    json_body, json_body ? strlen(json_body) : 0, accept, 1,
                    out);
}

int http_dof(struct client *c, const char *method, const char *path,
             struct resp *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    char *body = malloc((size_t)n + 1);
    if (body == NULL)
        abort();
    va_start(ap, fmt);
    vsnprintf(body, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int status = http_do(c, method, path, body, out);
    free(body);
    return status;
}

int http_form(struct client *c, const char *path, const char *form,
              struct resp *out)
{
    static const char *const accept[] = {"Accept: text/html", NULL};
    return http_raw(c, "POST", path, "application/x-www-form-urlencoded", form,
                    strlen(form), accept, 1, out);
}

int client_login(struct client *c, const char *login, const char *password)
{
    struct resp r = {0};
    json_t *body =
        json_pack("{s:s, s:s}", "login", login, "password", password);
    char *text = json_dumps(body, JSON_COMPACT);
    int status = http_do(c, "POST", "/api/v1/session", text, &r);
    if (status == 200) {
        const char *csrf = resp_str(&r, "csrf");
        snprintf(c->csrf, sizeof(c->csrf), "%s", csrf ? csrf : "");
        if (csrf == NULL)
            fprintf(stderr,
                    "lib_server: sign-in answered 200 without "
                    "\"csrf\": %s\n",
                    r.body);
    }
    resp_free(&r);
    free(text);
    json_decref(body);
    return status;
}

int client_login_as(struct client *c, enum srv_account_id who)
{
    return client_login(c, srv_accounts[who].login, srv_accounts[who].password);
}

struct client *client_as(struct srv *s, const char *login,
                         const char *password)
{
    struct client *c = client_new(s);
    int st = -1;
    for (int i = 0; i < SRV_NACCOUNTS; i++)
        if (strcmp(srv_accounts[i].login, login) == 0)
            st = client_login_as(c, (enum srv_account_id)i);
    if (st < 0)
        st = client_login(c, login, password);
    if (st != 200)
        fail_msg("sign-in of %s: %d", login, st);
    return c;
}

void srv_clock(struct srv *s, const char *iso)
{
    struct client *c = client_new(s);
    int st = iso ? client_set_clock(c, iso) : client_reset_clock(c);
    if (st != 200)
        fail_msg("test clock %s: %d", iso ? iso : "reset", st);
    client_free(c);
}

int srv_clock_teardown(void **state)
{
    srv_clock(*state, NULL);
    return 0;
}

int client_logout(struct client *c)
{
    int status = http_do(c, "DELETE", "/api/v1/session", NULL, NULL);
    c->csrf[0] = '\0';
    return status;
}

const char *client_cookie(struct client *c, const char *name)
{
    struct curl_slist *list = NULL;
    const char *found = NULL;
    if (curl_easy_getinfo(c->h, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return NULL;
    for (struct curl_slist *l = list; l && !found; l = l->next) {
        /* domain \t tailmatch \t path \t secure \t expires \t name \t value */
        const char *f = l->data;
        for (int tab = 0; tab < 5 && f; tab++) {
            f = strchr(f, '\t');
            if (f)
                f++;
        }
        if (f == NULL)
            continue;
        size_t n = strcspn(f, "\t");
        if (strlen(name) == n && strncmp(f, name, n) == 0 && f[n] == '\t') {
            snprintf(c->cookie, sizeof(c->cookie), "%s", f + n + 1);
            found = c->cookie;
        }
    }
    curl_slist_free_all(list);
    return found;
}

int client_set_clock(struct client *c, const char *iso)
{
    json_t *body = json_pack("{s:s}", "now", iso);
    char *text = json_dumps(body, JSON_COMPACT);
    int status = http_do(c, "PUT", "/api/v1/test/clock", text, NULL);
    free(text);
    json_decref(body);
    return status;
}

int client_reset_clock(struct client *c)
{
    return http_do(c, "DELETE", "/api/v1/test/clock", NULL, NULL);
}

char *url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct gbuf b = {0};
    gbuf_add(&b, "", 0);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            gbuf_add(&b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            gbuf_add(&b, e, 3);
        }
    }
    return b.p;
}

void srv_assert_str_equal_(const char *got, const char *want, const char *expr,
                           const char *file, int line)
{
    if (got && want && strcmp(got, want) == 0)
        return;
    if (got == NULL && want == NULL)
        return;
    print_error("%s is %s%s%s, want \"%s\"\n", expr, got ? "\"" : "",
                got ? got : "NULL", got ? "\"" : "", want ? want : "NULL");
    _fail(file, line);
}

void srv_assert_contains_(const char *got, const char *want, const char *expr,
                          const char *file, int line)
{
    if (got && strstr(got, want))
        return;
    print_error("%s is %s%.500s%s, which does not contain \"%s\"\n", expr,
                got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want);
    _fail(file, line);
}
