/*
 * test_hostile.c - the hostile input sweep (issue 6): every API route of
 * the real route table (routes_table, so a new route is swept without
 * anyone touching this file) gets malformed JSON, wrong types, missing and
 * unknown fields, 1 MB strings, invalid UTF-8, NUL bytes, SQL
 * metacharacters, HTML and script payloads, hostile path parameters and
 * query strings, and multipart bodies with hostile file names and broken
 * boundaries.  Then: payloads that were accepted are stored byte for byte
 * and rendered escaped in every page that shows them; bodies past the
 * caps get 413; slow clients (slowloris) do not starve others; protocol
 * junk does not hurt the server.
 *
 * The rule every answer is judged by (hs_judge): never a 5xx, never a
 * dropped connection, and every 4xx of an API route is a JSON error whose
 * message is Chinese.  Inputs that are wrong beyond doubt (a number where
 * text goes, a body that is not a JSON object, invalid UTF-8) must be a
 * 4xx; inputs that are merely nasty (a title with <script>) may be taken.
 * Failures are collected and printed all together, then asserted, so one
 * run shows every problem; the figures (routes, requests, answers by
 * class, slow-client latencies) are printed.
 *
 * Who calls what: the route table's roles pick the caller (sysadmin for
 * org writes, the clerk for cases), the plans below name a caller and a
 * body the route would take for routes that read one, and path
 * parameters are filled with real ids of a small world built first
 * (hs_world_build).  Throwaway people and units are the targets of routes
 * that disable, rename or reset, so the callers keep working.
 *
 * The server runs with max_upload_mb = 2 (SHUNIU_MAX_UPLOAD_MB, set in
 * main before the server starts) so that "a part past the cap" is a few
 * MiB rather than 50.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "kernel/module.h"
/* lib_server.h and web/http.h both name an http_form (the client's form
 * POST, the server's form lookup); this file uses neither */
#define http_form hs_client_http_form
#include "lib_server.h"
#undef http_form
#include "web/routes.h"

#define PW "Hostile-Test-2026!pw"
#define UPLOAD_MB 2 /* the server's max_upload_mb in this test */
#define MIB (1024L * 1024L)
#define BIG_STRING (1024L * 1024L) /* "a 1 MB string" */
#define DEEP_NESTING 10000
#define LONG_NAME 5000            /* a 5000-character file name or segment */
#define MAX_BODY_BYTES (8L * MIB) /* the server's default max_body */
#define FILES_NAME_MAX 200        /* kernel/files.h: stored names */
#define SLOW_CONNS 200            /* slowloris connections */
#define SLOW_ROUNDS 3             /* normal requests measured under them */
#define RAW_TIMEOUT_MS 30000      /* as the harness's client timeout */
#define MAX_PRINTED_FAILURES 60
#define MAX_CALLERS 16
#define SLOW_GET_VARIANTS 2 /* query variants for ROUTE_SLOW reads */

#define HS_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a growable byte buffer ------------------------------------------- */

struct hb {
    char *p;
    size_t len, cap;
};

static void hb_add(struct hb *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void hb_str(struct hb *b, const char *s)
{
    hb_add(b, s, strlen(s));
}

static void hb_fill(struct hb *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hb_add(b, &c, 1);
}

static void hb_free(struct hb *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static double hs_ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- the tally and the judge ------------------------------------------ */

struct hs_tally {
    long sent, c2xx, c3xx, c4xx, c5xx, dropped, failures;
    int routes;
};

static struct hs_tally tally;

/* 1 when s holds a CJK ideograph (U+4E00..U+9FFF) in UTF-8. */
static int has_cjk(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (p[0] < 0xe4 || p[0] > 0xe9 || (p[1] & 0xc0) != 0x80 ||
            (p[2] & 0xc0) != 0x80)
            continue;
        unsigned cp =
            ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        if (cp >= 0x4e00 && cp <= 0x9fff)
            return 1;
    }
    return 0;
}

enum hs_expect { HS_ANY, HS_4XX };

static void hs_fail(const char *what, long status, const char *why,
                    const char *body)
{
    tally.failures++;
    if (tally.failures <= MAX_PRINTED_FAILURES)
        fprintf(stderr, "HOSTILE FAIL %s: %ld (%s) %.300s\n", what, status, why,
                body ? body : "");
}

static void hs_count(long status)
{
    tally.sent++;
    if (status == 0)
        tally.dropped++;
    else if (status >= 500)
        tally.c5xx++;
    else if (status >= 400)
        tally.c4xx++;
    else if (status >= 300)
        tally.c3xx++;
    else
        tally.c2xx++;
}

/* Judges one API answer: counted, and a failure recorded (not asserted)
 * when it broke the rule of this file. */
static void hs_judge(struct resp *r, const char *what, enum hs_expect want)
{
    long st = r->status;
    hs_count(st);
    if (st == 0) {
        hs_fail(what, st, "connection dropped", NULL);
    } else if (st >= 500) {
        hs_fail(what, st, "5xx", r->body);
    } else if (want == HS_4XX && (st < 400 || st > 499)) {
        hs_fail(what, st, "want a 4xx", r->body);
    } else if (st >= 400) {
        json_error_t e;
        json_t *j = json_loadb(r->body, r->len, 0, &e);
        const char *msg = json_string_value(json_at(j, "error.message"));
        if (msg == NULL)
            hs_fail(what, st, "4xx without a JSON error", r->body);
        else if (!has_cjk(msg))
            hs_fail(what, st, "error message is not Chinese", r->body);
        json_decref(j);
    }
}

/* ---- callers ----------------------------------------------------------- */

struct hs_caller {
    const char *login; /* NULL: anonymous */
    struct client *c;
};

static struct hs_caller callers[MAX_CALLERS];

/* The client of login (NULL: anonymous), signed in once and kept. */
static struct client *hs_client(struct srv *s, const char *login)
{
    for (int i = 0; i < MAX_CALLERS && callers[i].c; i++)
        if ((login == NULL && callers[i].login == NULL) ||
            (login && callers[i].login && !strcmp(callers[i].login, login)))
            return callers[i].c;
    for (int i = 0; i < MAX_CALLERS; i++) {
        if (callers[i].c)
            continue;
        callers[i].login = login;
        callers[i].c = login ? client_as(s, login, PW) : client_new(s);
        return callers[i].c;
    }
    fail_msg("too many callers");
    return NULL;
}

/* The account that holds role (the first of a route's role list). */
static const char *hs_login_for_roles(const char *roles)
{
    static const struct {
        const char *role, *login;
    } by_role[] = {{"sysadmin", "admin"},
                   {"secadmin", "secadmin"},
                   {"auditor", "auditor"},
                   {"clerk", "clerk"},
                   {"staff", "staff"}};
    size_t n = roles ? strcspn(roles, ",") : 0;
    for (size_t i = 0; i < sizeof(by_role) / sizeof(by_role[0]); i++)
        if (strlen(by_role[i].role) == n && !strncmp(roles, by_role[i].role, n))
            return by_role[i].login;
    return "clerk";
}

/* ---- the world: units, people, cases, a file, a token ----------------- */

struct hs_world {
    int ready;
    long long sup_id;     /* a supervision item the clerk edits */
    long long fire_id;    /* an item whose first transition is fired */
    long long other_id;   /* a second item, to link to */
    long long doc_out_id; /* an outgoing document (pdf, receipts) */
    long long file_id;
    long long token_id; /* the clerk's token, revoked by the sweep */
    const char *fire_code;
};

static struct hs_world world;

static const struct srv_unit hs_units[] = {
    {"jtj", "市交通运输局", NULL, "department", "gov"},
    {"hsu", "待停用测试单位", NULL, "department", "gov"},
    {0},
};

/* hs_cb: staff of the lead unit; hs_target: renamed, reset, disabled;
 * hs_pw: me.password with a wrong old one; hs_out: session.delete. */
static const struct srv_account hs_people[] = {
    {"hs_cb", "蒋承办", "jtj", "staff", 0, PW},
    {"hs_target", "靶用户", "office", "staff", 0, PW},
    {"hs_pw", "改密用户", "office", "staff", 0, PW},
    {"hs_out", "退出用户", "office", "staff", 0, PW},
    {0},
};

/* A value of field f that the engine takes, for baselines. */
static json_t *hs_good_value(const struct field_def *f)
{
    switch (f->type) {
    case FIELD_TEXT:
    case FIELD_LONGTEXT:
        return json_string("基线文本");
    case FIELD_NUMBER:
        return json_integer(f->min);
    case FIELD_DATE:
        return json_string("2026-12-31");
    case FIELD_DATETIME:
        return json_string("2026-12-31T09:00:00+08:00");
    case FIELD_CHOICE:
        return json_string(f->default_value ? f->default_value
                                            : f->choices[0].code);
    case FIELD_MULTI:
        return json_pack("[s]", f->choices[0].code);
    case FIELD_UNIT:
        return json_string("jtj");
    case FIELD_UNITS:
        return json_pack("[s]", "jtj");
    case FIELD_PERSON:
        return json_string("clerk");
    case FIELD_PERSONS:
        return json_pack("[s]", "clerk");
    }
    return json_string("基线");
}

/* {"module": m, "fields": {every field required at creation}}: a body
 * cases.create takes.  Caller owns it. */
static json_t *hs_create_body(const struct module_def *m)
{
    const struct state_def *init = module_initial(m);
    json_t *fields = json_object();
    for (const struct field_def *f = m->fields; f->code; f++)
        if (f->required_in && module_in_list(f->required_in, init->code) &&
            !(f->flags & FIELD_READONLY))
            json_object_set_new(fields, f->code, hs_good_value(f));
    return json_pack("{s:s, s:o}", "module", m->code, "fields", fields);
}

/* The first transition from the initial state that the clerk may fire. */
static const struct transition_def *
hs_first_transition(const struct module_def *m)
{
    const struct state_def *init = module_initial(m);
    for (const struct transition_def *t = m->transitions; t->code; t++)
        if (module_in_list(t->from, init->code) &&
            (t->roles == NULL || module_in_list(t->roles, "clerk")))
            return t;
    return NULL;
}

/* {"comment": ..., "fields": {the transition's required fields}}. */
static json_t *hs_fire_body(const struct module_def *m,
                            const struct transition_def *t)
{
    json_t *fields = json_object();
    for (const struct field_def *f = m->fields; f->code; f++)
        if (t->required && module_in_list(t->required, f->code))
            json_object_set_new(fields, f->code, hs_good_value(f));
    return json_pack("{s:s, s:o}", "comment", "基线意见", "fields", fields);
}

/* Creates a case of module code as the clerk; its id. */
static long long hs_create_case(struct srv *s, const char *code)
{
    struct resp r = {0};
    json_t *body = hs_create_body(module_find(code));
    char *text = json_dumps(body, JSON_COMPACT);
    int st = http_do(hs_client(s, "clerk"), "POST", "/api/v1/cases", text, &r);
    if (st != 201)
        fail_msg("create %s: %d %s (body %s)", code, st, r.body, text);
    long long id = resp_int(&r, "id", 0);
    resp_free(&r);
    free(text);
    json_decref(body);
    return id;
}

static void hs_world_build(struct srv *s)
{
    struct resp r = {0};
    char path[128];
    if (world.ready)
        return;
    srv_add_org(s, hs_units, hs_people);
    struct client *clerk = hs_client(s, "clerk");
    world.sup_id = hs_create_case(s, "supervision");
    world.fire_id = hs_create_case(s, "supervision");
    world.other_id = hs_create_case(s, "supervision");
    world.doc_out_id = hs_create_case(s, "doc_out");
    hs_create_case(s, "doc_in");
    world.fire_code = hs_first_transition(module_find("supervision"))->code;

    snprintf(path, sizeof(path), "/api/v1/cases/%lld/files", world.sup_id);
    const char *mp = "--HsB\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"基线.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                     "基线附件\r\n--HsB--\r\n";
    assert_int_equal(http_raw(clerk, "POST", path,
                              "multipart/form-data; boundary=HsB", mp,
                              strlen(mp), NULL, 1, &r),
                     201);
    world.file_id = resp_int(&r, "items.0.id", 0);
    assert_int_equal(
        http_do(clerk, "POST", "/api/v1/tokens", "{\"name\":\"待撤销\"}", &r),
        201);
    world.token_id = resp_int(&r, "id", 0);
    assert_true(world.file_id > 0 && world.token_id > 0);
    resp_free(&r);
    world.ready = 1;
}

/* ---- plans: who calls a route, and a body it would take ---------------- */

struct hs_plan {
    const char *name;   /* route name in routes_table */
    const char *caller; /* login; NULL: anonymous */
    /* a body the route takes (or refuses for a reason of its own, such as
     * a wrong old password), whose keys the sweep mutates one by one;
     * NULL: the route reads no JSON body (or it is built, see hs_baseline) */
    const char *baseline;
    int required; /* 1: some key is required, so {} must be a 4xx */
};

static const struct hs_plan hs_plans[] = {
    {"session.create", NULL,
     "{\"login\":\"hs_nobody\",\"password\":\"Not-The-Pass-2026!\"}", 1},
    {"session.delete", "hs_out", NULL, 0}, /* signed out for good */
    {"me.password", "hs_pw",
     "{\"old_password\":\"Wrong-Old-2026!x\","
     "\"new_password\":\"New-Pass-2026!xy\"}",
     1},
    {"tokens.create", "clerk", "{\"name\":\"基线令牌\"}", 1},
    {"tokens.revoke", "clerk", NULL, 0},
    {"units.create", "admin",
     "{\"code\":\"hsnew\",\"name\":\"新设单位\",\"short_name\":\"新设\","
     "\"kind\":\"department\",\"parent\":\"gov\",\"sort\":5,"
     "\"active\":true}",
     1},
    {"units.update", "admin",
     "{\"name\":\"改名单位\",\"short_name\":\"改名\",\"sort\":6,"
     "\"active\":true}",
     0},
    {"users.create", "admin",
     "{\"login\":\"hs_new\",\"name\":\"新用户\",\"unit\":\"office\","
     "\"roles\":[\"staff\"],\"clearance\":0,\"phone\":\"12345\","
     "\"active\":true,\"password\":\"Init-Pass-2026!x\"}",
     1},
    {"users.update", "admin",
     "{\"name\":\"改名用户\",\"phone\":\"54321\",\"clearance\":1,"
     "\"active\":true}",
     0},
    {"users.grant", "secadmin", "{\"roles\":[\"staff\"],\"clearance\":1}", 1},
    {"users.password", "admin", "{\"password\":\"Reset-Pass-2026!x\"}", 1},
    {"cases.create", "clerk", NULL, 1},
    {"cases.update", "clerk", "{\"fields\":{\"requirement\":\"基线要求\"}}", 1},
    {"cases.fire", "clerk", NULL, 0},
    {"cases.comment", "clerk", "{\"text\":\"基线意见\"}", 1},
    {"cases.link", "clerk", NULL, 1},
    {"notifications.read", "clerk", "{\"ids\":[1],\"all\":false}", 0},
    {"test.clock.set", NULL, "{\"now\":\"not-a-time\"}", 1},
};

static const struct hs_plan *hs_plan_of(const struct route *rt)
{
    for (size_t i = 0; i < sizeof(hs_plans) / sizeof(hs_plans[0]); i++)
        if (rt->name && !strcmp(hs_plans[i].name, rt->name))
            return &hs_plans[i];
    return NULL;
}

static const char *hs_caller_of(const struct route *rt)
{
    const struct hs_plan *p = hs_plan_of(rt);
    if (p)
        return p->caller;
    if (rt->perm == PERM_PUBLIC)
        return NULL;
    if (rt->perm == PERM_ROLES)
        return hs_login_for_roles(rt->roles);
    return "clerk";
}

/* The route's baseline body (a new JSON value), or NULL: cases.create
 * and cases.fire are built from the module table. */
static json_t *hs_baseline(const struct route *rt)
{
    const struct hs_plan *p = hs_plan_of(rt);
    if (p == NULL)
        return NULL;
    if (!strcmp(p->name, "cases.create"))
        return hs_create_body(module_find("supervision"));
    if (!strcmp(p->name, "cases.fire")) {
        const struct module_def *m = module_find("supervision");
        return hs_fire_body(m, module_transition(m, world.fire_code));
    }
    if (!strcmp(p->name, "cases.link"))
        return json_pack("{s:I}", "case", (json_int_t)world.other_id);
    return p->baseline ? json_loads(p->baseline, 0, NULL) : NULL;
}

/* ---- paths ------------------------------------------------------------- */

/* The real value of path parameter name of route rt. */
static void hs_param_value(const struct route *rt, const char *name, char *out,
                           size_t n)
{
    long long id = world.sup_id;
    const char *p = rt->pattern;
    if (!strcmp(name, "id")) {
        if (strstr(p, "/tokens/"))
            id = world.token_id;
        else if (strstr(p, "/files/"))
            id = world.file_id;
        else if (strstr(p, "/doc_out/") || strstr(p, "/pdf"))
            id = world.doc_out_id;
        else if (strstr(p, "/transitions/"))
            id = world.fire_id;
        snprintf(out, n, "%lld", id);
    } else if (!strcmp(name, "code")) {
        snprintf(out, n, "%s",
                 strstr(p, "/transitions/") ? world.fire_code : "hsu");
    } else if (!strcmp(name, "login")) {
        snprintf(out, n, "hs_target");
    } else if (!strcmp(name, "module")) {
        snprintf(out, n, "supervision");
    } else {
        snprintf(out, n, "1");
    }
}

/* The path of rt with real parameters, except parameter number `hostile`
 * (0-based; -1: none) which gets the already-encoded text bad. */
static void hs_path(const struct route *rt, int hostile, const char *bad,
                    struct hb *out)
{
    int k = 0;
    out->len = 0;
    hb_add(out, "", 0);
    for (const char *p = rt->pattern; *p;) {
        if (*p == ':') {
            char name[64], value[64];
            size_t n = strcspn(p + 1, "/");
            snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
            hs_param_value(rt, name, value, sizeof(value));
            hb_str(out, k == hostile ? bad : value);
            k++;
            p += n + 1;
        } else if (*p == '*') {
            hb_str(out, "x");
            p++;
        } else {
            hb_add(out, p, 1);
            p++;
        }
    }
}

static int hs_nparams(const struct route *rt)
{
    int n = 0;
    for (const char *p = rt->pattern; *p; p++)
        n += *p == ':';
    return n;
}

/* ---- sending ----------------------------------------------------------- */

static const char *hs_method_name(int bit)
{
    switch (bit) {
    case HTTP_GET:
        return "GET";
    case HTTP_POST:
        return "POST";
    case HTTP_PUT:
        return "PUT";
    case HTTP_PATCH:
        return "PATCH";
    case HTTP_DELETE:
        return "DELETE";
    default:
        return "HEAD";
    }
}

/* One route and method being swept. */
struct hs_target {
    struct srv *s;
    const struct route *rt;
    const char *method;
    const char *login; /* the caller */
    int upload;        /* ROUTE_UPLOAD */
    int planned;       /* has a plan that reads a body */
};

/* Sends one request of the sweep and judges it.  A transition that was
 * fired gets a fresh item to fire on, so that later requests meet the
 * field checks rather than a 409. */
static void hs_send(struct hs_target *t, const char *path, const char *ctype,
                    const char *body, size_t len, const char *label,
                    enum hs_expect want, struct resp *r)
{
    static const char *const accept[] = {"Accept: application/json", NULL};
    char what[256];
    struct client *c = hs_client(t->s, t->login);
    snprintf(what, sizeof(what), "%s %.80s [%s]", t->method, path, label);
    http_raw(c, t->method, path, ctype, body, len, accept, 1, r);
    hs_judge(r, what, want);
    if (r->status < 200 || r->status > 299)
        return;
    if (t->rt->name && !strcmp(t->rt->name, "cases.fire"))
        world.fire_id = hs_create_case(t->s, "supervision");
}

static void hs_send_json(struct hs_target *t, const char *body, size_t len,
                         const char *label, enum hs_expect want)
{
    struct resp r = {0};
    struct hb path = {0};
    hs_path(t->rt, -1, NULL, &path);
    hs_send(t, path.p, "application/json", body, len, label, want, &r);
    resp_free(&r);
    hb_free(&path);
}

/* ---- body-level hostility: for every write route ----------------------- */

struct hs_raw_body {
    const char *label;
    const char *ctype;
    const char *data;
    size_t len; /* 0: strlen(data) */
    enum hs_expect want;
};

static const struct hs_raw_body hs_bad_bodies[] = {
    {"open brace", "application/json", "{", 0, HS_4XX},
    {"array", "application/json", "[]", 0, HS_4XX},
    {"string", "application/json", "\"str\"", 0, HS_4XX},
    {"number", "application/json", "123", 0, HS_4XX},
    {"null", "application/json", "null", 0, HS_4XX},
    {"duplicate keys", "application/json", "{\"a\":1,\"a\":2}", 0, HS_4XX},
    {"trailing garbage", "application/json", "{} x", 0, HS_4XX},
    {"single quotes", "application/json", "{'a':'b'}", 0, HS_4XX},
    {"utf8 ff fe", "application/json", "{\"k\":\"\xff\xfe\"}", 0, HS_4XX},
    {"utf8 in key", "application/json", "{\"\xff\":1}", 0, HS_4XX},
    {"utf8 overlong", "application/json", "{\"k\":\"\xc0\xaf\"}", 0, HS_4XX},
    {"utf8 overlong 3", "application/json", "{\"k\":\"\xe0\x80\xaf\"}", 0,
     HS_4XX},
    {"utf8 surrogate", "application/json", "{\"k\":\"\xed\xa0\x80\"}", 0,
     HS_4XX},
    {"escaped lone surrogate", "application/json", "{\"k\":\"\\ud800\"}", 0,
     HS_4XX},
    {"escaped NUL", "application/json", "{\"k\":\"a\\u0000b\"}", 0, HS_4XX},
    {"raw NUL", "application/json", "{\"k\":\"a\0b\"}", 11, HS_4XX},
    {"raw NUL outside", "application/json", "{}\0", 3, HS_4XX},
    {"BOM", "application/json", "\xef\xbb\xbf{}", 0, HS_ANY},
    {"form bad utf8", "application/x-www-form-urlencoded", "a=%ff%fe", 0,
     HS_4XX},
    {"form NUL", "application/x-www-form-urlencoded", "a=x%00y", 0, HS_ANY},
    {"form bad escape", "application/x-www-form-urlencoded", "a=%zz&%=1", 0,
     HS_ANY},
    {"text/plain json", "text/plain", "{\"a\":1}", 0, HS_ANY},
    {"no content type", NULL, "{\"a\":1}", 0, HS_ANY},
    {"multipart no boundary", "multipart/form-data",
     "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--B--\r\n",
     0, HS_4XX},
    {"multipart garbled boundary", "multipart/form-data; boundary=B",
     "--Q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--Q--\r\n",
     0, HS_ANY},
    {"multipart unterminated", "multipart/form-data; boundary=B",
     "--B\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.txt\"\r\n\r\nxxxx",
     0, HS_ANY},
    {"multipart no headers end", "multipart/form-data; boundary=B",
     "--B\r\nContent-Disposition: form-data; name=\"file\"", 0, HS_ANY},
    {"multipart empty boundary", "multipart/form-data; boundary=", "--\r\n", 0,
     HS_ANY},
};

/* Bodies made at run time: nesting, 1 MB, truncated baseline. */
static void hs_sweep_generated_bodies(struct hs_target *t, const char *base)
{
    struct hb b = {0};
    hb_fill(&b, '[', DEEP_NESTING);
    hb_fill(&b, ']', DEEP_NESTING);
    hs_send_json(t, b.p, b.len, "nesting 10000 array", HS_4XX);
    b.len = 0;
    hb_str(&b, "{\"x\":");
    hb_fill(&b, '[', DEEP_NESTING);
    hb_fill(&b, ']', DEEP_NESTING);
    hb_str(&b, "}");
    hs_send_json(t, b.p, b.len, "nesting 10000 in object", HS_4XX);
    b.len = 0;
    hb_str(&b, "{\"zz_unknown\":\"");
    hb_fill(&b, 'a', BIG_STRING);
    hb_str(&b, "\"}");
    hs_send_json(t, b.p, b.len, "1MB unknown key",
                 t->planned ? HS_4XX : HS_ANY);
    b.len = 0;
    const char *trunc = base ? base : "{\"a\":\"b\",\"c\":[1,2";
    hb_add(&b, trunc, strlen(trunc) / 2);
    hs_send_json(t, b.p, b.len, "truncated", HS_4XX);
    hb_free(&b);
}

static void hs_sweep_bad_bodies(struct hs_target *t)
{
    struct resp r = {0};
    struct hb path = {0};
    hs_path(t->rt, -1, NULL, &path);
    for (size_t i = 0; i < sizeof(hs_bad_bodies) / sizeof(hs_bad_bodies[0]);
         i++) {
        const struct hs_raw_body *b = &hs_bad_bodies[i];
        size_t len = b->len ? b->len : strlen(b->data);
        /* a route that reads a body must refuse what it cannot read */
        enum hs_expect want =
            (t->planned || t->upload) && strncmp(b->label, "multipart", 9) == 0
                ? HS_4XX
                : b->want;
        hs_send(t, path.p, b->ctype, b->data, len, b->label, want, &r);
    }
    resp_free(&r);
    hb_free(&path);
}

/* ---- multipart with hostile file names --------------------------------- */

static void hs_multipart(struct hb *b, const char *disposition_name,
                         size_t name_len, const char *data, size_t len)
{
    b->len = 0;
    hb_str(b,
           "--HsBoundary\r\nContent-Disposition: form-data; name=\"file\"; ");
    hb_add(b, disposition_name, name_len);
    hb_str(b, "\r\nContent-Type: text/plain\r\n\r\n");
    hb_add(b, data, len);
    hb_str(b, "\r\n--HsBoundary--\r\n");
}

/* An accepted upload's stored name carries no directory part. */
static void hs_check_stored_name(struct resp *r, const char *label)
{
    const char *name = resp_str(r, "items.0.name");
    if (name == NULL || strchr(name, '/') || strchr(name, '\\') ||
        strlen(name) > FILES_NAME_MAX || !strcmp(name, "..") ||
        !strcmp(name, ".") || name[0] == '\0')
        hs_fail(label, r->status, "stored file name not sanitised", r->body);
}

static void hs_sweep_file_names(struct hs_target *t)
{
    static const struct {
        const char *label, *disp;
        size_t len;
        enum hs_expect want;
    } names[] = {
        {"name ../../etc/passwd", "filename=\"../../etc/passwd\"", 0, HS_ANY},
        {"name ..\\..\\x", "filename=\"..\\\\..\\\\x.txt\"", 0, HS_ANY},
        {"name absolute", "filename=\"/etc/passwd\"", 0, HS_ANY},
        {"name windows absolute", "filename=\"C:\\\\Windows\\\\win.ini\"", 0,
         HS_ANY},
        {"name dot dot", "filename=\"..\"", 0, HS_ANY},
        {"name raw NUL", "filename=\"a\0b.txt\"", 18, HS_ANY},
        {"name bad utf8", "filename=\"\xff\xfe.txt\"", 0, HS_4XX},
        {"name script", "filename=\"<script>alert(1)</script>.txt\"", 0,
         HS_ANY},
        {"name* traversal", "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", 0,
         HS_ANY},
        {"name* NUL", "filename*=UTF-8''a%00b.txt", 0, HS_ANY},
        {"name* bad utf8", "filename*=UTF-8''%ff%fe.txt", 0, HS_ANY},
    };
    struct resp r = {0};
    struct hb path = {0}, b = {0}, disp = {0};
    hs_path(t->rt, -1, NULL, &path);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = names[i].len ? names[i].len : strlen(names[i].disp);
        hs_multipart(&b, names[i].disp, n, "内容", strlen("内容"));
        hs_send(t, path.p, "multipart/form-data; boundary=HsBoundary", b.p,
                b.len, names[i].label, names[i].want, &r);
        if (t->upload && r.status == 201)
            hs_check_stored_name(&r, names[i].label);
    }
    hb_str(&disp, "filename=\"");
    hb_fill(&disp, 'n', LONG_NAME);
    hb_str(&disp, ".txt\"");
    hs_multipart(&b, disp.p, disp.len, "x", 1);
    hs_send(t, path.p, "multipart/form-data; boundary=HsBoundary", b.p, b.len,
            "name 5000 chars", HS_ANY, &r);
    if (t->upload && r.status == 201)
        hs_check_stored_name(&r, "name 5000 chars");
    resp_free(&r);
    hb_free(&path);
    hb_free(&b);
    hb_free(&disp);
}

/* ---- field-level hostility: one key of the baseline at a time ---------- */

/* A JSON text fragment put where one value of a baseline was. */
struct hs_value {
    const char *label;
    const char *json;
    size_t len; /* 0: strlen(json) */
    enum hs_expect want;
};

/* Strings that are valid JSON but nasty; for every text-taking key and
 * every module field.  (Invalid UTF-8 and NULs fail the JSON parse, the
 * same code for every key: hs_bad_bodies sends them once per route, and
 * hs_invalid_strings once per top-level key.) */
static const struct hs_value hs_hostile_strings[] = {
    {"control", "\"a\\u0001b\"", 0, HS_ANY},
    {"sql", "\"'; DROP TABLE cases; --\"", 0, HS_ANY},
    {"sql like", "\"100%_完成_\"", 0, HS_ANY},
    {"script", "\"<script>alert(1)</script>\"", 0, HS_ANY},
    {"img", "\"\\\"><img src=x onerror=alert(1)>\"", 0, HS_ANY},
};

static const struct hs_value hs_invalid_strings[] = {
    {"ff fe", "\"\xff\xfe\"", 0, HS_4XX},
    {"overlong", "\"\xc0\xaf\"", 0, HS_4XX},
    {"surrogate", "\"\xed\xa0\x80\"", 0, HS_4XX},
    {"escaped surrogate", "\"\\ud800\"", 0, HS_4XX},
    {"escaped NUL", "\"a\\u0000b\"", 0, HS_4XX},
    {"raw NUL", "\"a\0b\"", 5, HS_4XX},
    {"traversal", "\"../../etc/passwd\"", 0, HS_ANY},
    {"empty", "\"\"", 0, HS_ANY},
};

/* Wrong JSON types for a value whose right type is that of `good`. */
static const struct hs_value hs_wrong_for_string[] = {
    {"int for text", "12345", 0, HS_4XX},
    {"bool for text", "true", 0, HS_4XX},
    {"real for text", "1.5", 0, HS_4XX},
    {"array for text", "[\"x\"]", 0, HS_4XX},
    {"object for text", "{\"a\":\"b\"}", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_int[] = {
    {"text for int", "\"abc\"", 0, HS_4XX},
    {"bool for int", "true", 0, HS_4XX},
    {"real for int", "1.5", 0, HS_4XX},
    {"array for int", "[1]", 0, HS_4XX},
    {"object for int", "{}", 0, HS_4XX},
    {"huge int", "99999999999999999999999", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_bool[] = {
    {"text for bool", "\"true\"", 0, HS_4XX},
    {"int for bool", "1", 0, HS_4XX},
    {"array for bool", "[true]", 0, HS_4XX},
    {"object for bool", "{}", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_array[] = {
    {"text for array", "\"x\"", 0, HS_4XX},
    {"int for array", "1", 0, HS_4XX},
    {"bool for array", "true", 0, HS_4XX},
    {"object for array", "{\"a\":1}", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_object[] = {
    {"text for object", "\"x\"", 0, HS_4XX},
    {"int for object", "1", 0, HS_4XX},
    {"array for object", "[]", 0, HS_4XX},
    {"bool for object", "true", 0, HS_4XX},
};

/* Serialises base with the value at key (or fields.key when in_fields)
 * replaced by the fragment v; into out. */
static void hs_mutated(json_t *base, int in_fields, const char *key,
                       const char *frag, size_t frag_len, struct hb *out)
{
    static const char marker[] = "\"\\u0001HSMARK\\u0001\"";
    json_t *copy = json_deep_copy(base);
    json_t *obj = in_fields ? json_object_get(copy, "fields") : copy;
    json_object_set_new(obj, key, json_string("\001HSMARK\001"));
    char *text = json_dumps(copy, JSON_COMPACT);
    char *at = strstr(text, marker);
    if (at == NULL)
        fail_msg("no %s in %s", key, text);
    out->len = 0;
    hb_add(out, text, (size_t)(at - text));
    hb_add(out, frag, frag_len);
    hb_str(out, at + strlen(marker));
    free(text);
    json_decref(copy);
}

static void hs_send_values(struct hs_target *t, json_t *base, int in_fields,
                           const char *key, const struct hs_value *vals,
                           size_t n)
{
    struct hb body = {0};
    char label[160];
    for (size_t i = 0; i < n; i++) {
        size_t len = vals[i].len ? vals[i].len : strlen(vals[i].json);
        hs_mutated(base, in_fields, key, vals[i].json, len, &body);
        snprintf(label, sizeof(label), "%s%s=%s", in_fields ? "fields." : "",
                 key, vals[i].label);
        hs_send_json(t, body.p, body.len, label, vals[i].want);
    }
    hb_free(&body);
}

/* The 1 MB string in key: too long for every field there is. */
static void hs_send_big(struct hs_target *t, json_t *base, int in_fields,
                        const char *key)
{
    struct hb frag = {0}, body = {0};
    char label[160];
    hb_str(&frag, "\"");
    hb_fill(&frag, 'a', BIG_STRING);
    hb_str(&frag, "\"");
    hs_mutated(base, in_fields, key, frag.p, frag.len, &body);
    snprintf(label, sizeof(label), "%s%s=1MB", in_fields ? "fields." : "", key);
    hs_send_json(t, body.p, body.len, label, HS_4XX);
    hb_free(&frag);
    hb_free(&body);
}

/* Every mutation of one top-level key, by the type of its good value.
 * ROUTE_SLOW routes hash a password for every string that passes the
 * checks (about a second each under the sanitizers): they get the SQL,
 * LIKE and script payloads only, and the invalid strings that stop early. */
static void hs_sweep_key(struct hs_target *t, json_t *base, const char *key,
                         json_t *good)
{
    int slow = (t->rt->flags & ROUTE_SLOW) != 0;
    if (json_is_string(good)) {
        hs_send_values(t, base, 0, key, hs_wrong_for_string,
                       HS_N(hs_wrong_for_string));
        hs_send_values(t, base, 0, key, hs_hostile_strings + slow,
                       slow ? 3 : HS_N(hs_hostile_strings));
        hs_send_values(t, base, 0, key, hs_invalid_strings,
                       HS_N(hs_invalid_strings) - (slow ? 2 : 0));
        hs_send_big(t, base, 0, key);
    } else if (json_is_integer(good)) {
        hs_send_values(t, base, 0, key, hs_wrong_for_int,
                       HS_N(hs_wrong_for_int));
    } else if (json_is_boolean(good)) {
        hs_send_values(t, base, 0, key, hs_wrong_for_bool,
                       HS_N(hs_wrong_for_bool));
    } else if (json_is_array(good)) {
        hs_send_values(t, base, 0, key, hs_wrong_for_array,
                       HS_N(hs_wrong_for_array));
    } else if (json_is_object(good)) {
        hs_send_values(t, base, 0, key, hs_wrong_for_object,
                       HS_N(hs_wrong_for_object));
    }
}

/* Wrong types of a module field, by its declared type: 1 for lists. */
static int hs_is_list(enum field_type type)
{
    return type == FIELD_MULTI || type == FIELD_UNITS || type == FIELD_PERSONS;
}

static const struct hs_value hs_wrong_for_scalar_field[] = {
    {"bool", "true", 0, HS_4XX},
    {"array", "[\"x\",\"y\"]", 0, HS_4XX},
    {"object", "{\"a\":1}", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_text_field[] = {
    {"int", "12345", 0, HS_4XX},
};
static const struct hs_value hs_wrong_for_list_field[] = {
    {"bool", "true", 0, HS_4XX},
    {"int items", "[1,2]", 0, HS_4XX},
    {"object", "{\"a\":1}", 0, HS_4XX},
    {"nested", "[[\"x\"]]", 0, HS_4XX},
};

/* Every mutation of every field of module m inside "fields". */
static void hs_sweep_module_fields(struct hs_target *t, json_t *base,
                                   const struct module_def *m)
{
    for (const struct field_def *f = m->fields; f->code; f++) {
        if (hs_is_list(f->type)) {
            hs_send_values(t, base, 1, f->code, hs_wrong_for_list_field,
                           HS_N(hs_wrong_for_list_field));
        } else {
            hs_send_values(t, base, 1, f->code, hs_wrong_for_scalar_field,
                           HS_N(hs_wrong_for_scalar_field));
            if (f->type != FIELD_NUMBER && f->type != FIELD_CHOICE)
                hs_send_values(t, base, 1, f->code, hs_wrong_for_text_field,
                               HS_N(hs_wrong_for_text_field));
        }
        hs_send_values(t, base, 1, f->code, hs_hostile_strings,
                       HS_N(hs_hostile_strings));
        if (f->type == FIELD_TEXT || f->type == FIELD_LONGTEXT)
            hs_send_big(t, base, 1, f->code);
    }
}

/* The module whose fields this route's "fields" object takes, or NULL. */
static const struct module_def *hs_fields_module(const struct route *rt)
{
    if (rt->name &&
        (!strcmp(rt->name, "cases.update") || !strcmp(rt->name, "cases.fire")))
        return module_find("supervision");
    return NULL;
}

static void hs_sweep_planned(struct hs_target *t, json_t *base)
{
    const char *key;
    json_t *good;
    char *text = json_dumps(base, JSON_COMPACT);
    struct hb b = {0};

    hs_send_json(t, "{}", 2, "missing every field",
                 hs_plan_of(t->rt)->required ? HS_4XX : HS_ANY);
    hs_mutated(base, 0, "zz_unknown", "\"x\"", 3, &b);
    hs_send_json(t, b.p, b.len, "unknown field", HS_4XX);
    hs_sweep_generated_bodies(t, text);
    json_object_foreach(base, key, good)
    {
        hs_sweep_key(t, base, key, good);
    }
    if (!strcmp(t->rt->name, "cases.create")) {
        for (const struct module_def *const *m = module_list(); *m; m++) {
            json_t *mb = hs_create_body(*m);
            hs_sweep_module_fields(t, mb, *m);
            json_decref(mb);
        }
    } else if (hs_fields_module(t->rt) && json_object_get(base, "fields")) {
        hs_sweep_module_fields(t, base, hs_fields_module(t->rt));
    }
    free(text);
    hb_free(&b);
}

/* ---- path parameters and query strings --------------------------------- */

static void hs_sweep_params(struct hs_target *t, const char *body)
{
    static const char *const bad[] = {
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "1%27%20OR%20%271%27%3D%271",
        "%00",
        "1%00",
        "%ff%fe",
        "-1",
        "0",
        "99999999999999999999",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "1.5",
        "%25",
        "%zz",
    };
    struct resp r = {0};
    struct hb path = {0}, longseg = {0};
    char label[96];
    hb_fill(&longseg, 'a', LONG_NAME);
    int n = hs_nparams(t->rt);
    for (int k = 0; k < n; k++) {
        /* the bad values, then a 5000-character segment */
        for (size_t i = 0; i <= HS_N(bad); i++) {
            const char *v = i < HS_N(bad) ? bad[i] : longseg.p;
            hs_path(t->rt, k, v, &path);
            snprintf(label, sizeof(label), "param %d=%.40s", k, v);
            hs_send(t, path.p, body ? "application/json" : NULL, body,
                    body ? strlen(body) : 0, label, HS_4XX, &r);
        }
    }
    resp_free(&r);
    hb_free(&path);
    hb_free(&longseg);
}

static void hs_sweep_query(struct hs_target *t)
{
    static const char *const queries[] = {
        "q=%ff%fe",
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=%27%3B%20DROP%20TABLE%20cases%3B%20--",
        "q=%25_%25&module=%25&state=_",
        "q=a%00b&module=supervision%00",
        "page=-1&per_page=99999999999999999999&sort=%27&module=..%2F..&"
        "state=%3Cx%3E&unit=%27&light=x&created_from=2026-13-45&"
        "created_to=abc&due_from=9999-99-99&from=x&to=y&year=-1&month=13&"
        "parent=abc&top=1&mine=%ff",
        "module=doc_out&year=99999999999&period=%3Cscript%3E&format=..%2F",
        "%=%&&&=&a=%zz",
        "q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    };
    struct resp r = {0};
    struct hb path = {0}, full = {0};
    hs_path(t->rt, -1, NULL, &path);
    size_t n = (t->rt->flags & ROUTE_SLOW) ? SLOW_GET_VARIANTS : HS_N(queries);
    for (size_t i = 0; i < n && i < HS_N(queries); i++) {
        full.len = 0;
        hb_str(&full, path.p);
        hb_str(&full, "?");
        hb_str(&full, queries[i]);
        hs_send(t, full.p, NULL, NULL, 0, queries[i],
                strstr(queries[i], "%ff") ? HS_4XX : HS_ANY, &r);
    }
    if (!(t->rt->flags & ROUTE_SLOW)) {
        full.len = 0;
        hb_str(&full, path.p);
        hb_str(&full, "?q=");
        hb_fill(&full, 'a', LONG_NAME);
        hs_send(t, full.p, NULL, NULL, 0, "q 5000 chars", HS_ANY, &r);
    }
    resp_free(&r);
    hb_free(&path);
    hb_free(&full);
}

/* ---- the sweep --------------------------------------------------------- */

static int hs_is_api(const struct route *rt)
{
    return strncmp(rt->pattern, "/api/", 5) == 0;
}

static void hs_sweep_method(struct srv *s, const struct route *rt, int bit)
{
    struct hs_target t = {s,
                          rt,
                          hs_method_name(bit),
                          hs_caller_of(rt),
                          (rt->flags & ROUTE_UPLOAD) != 0,
                          0};
    if (bit == HTTP_GET) {
        hs_sweep_query(&t);
        hs_sweep_params(&t, NULL);
        return;
    }
    json_t *base = hs_baseline(rt);
    t.planned = base != NULL;
    hs_sweep_bad_bodies(&t);
    hs_sweep_file_names(&t);
    if (base) {
        hs_sweep_planned(&t, base);
    } else {
        hs_sweep_generated_bodies(&t, NULL);
    }
    char *text = base ? json_dumps(base, JSON_COMPACT) : NULL;
    hs_sweep_params(&t, text);
    free(text);
    json_decref(base);
}

static void hs_assert_healthy(struct srv *s)
{
    struct client *c = client_new(s);
    struct resp r = {0};
    assert_int_equal(http_do(c, "GET", "/healthz", NULL, &r), 200);
    resp_free(&r);
    client_free(c);
}

static void hs_print_tally(const char *what)
{
    printf("hostile %s (%s): %d routes swept, %ld requests: 2xx %ld, "
           "3xx %ld, 4xx %ld, 5xx %ld, dropped %ld; %ld failures\n",
           what,
           getenv("SHUNIU_TEST_BACKEND") ? getenv("SHUNIU_TEST_BACKEND")
                                         : "sqlite",
           tally.routes, tally.sent, tally.c2xx, tally.c3xx, tally.c4xx,
           tally.c5xx, tally.dropped, tally.failures);
    fflush(stdout);
}

static void test_sweep_every_api_route(void **state)
{
    struct srv *s = *state;
    struct timespec t0, t1;
    hs_world_build(s);
    memset(&tally, 0, sizeof(tally));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (const struct route *rt = routes_table; rt->pattern; rt++) {
        if (!hs_is_api(rt))
            continue;
        tally.routes++;
        for (int bit = HTTP_GET; bit <= HTTP_DELETE; bit <<= 1)
            if (rt->methods & bit)
                hs_sweep_method(s, rt, bit);
        hs_assert_healthy(s);
    }
    srv_clock(s, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    hs_print_tally("sweep");
    printf("hostile sweep took %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_true(tally.routes >= 30); /* the table was read */
    assert_int_equal(tally.failures, 0);
}

/* ---- accepted payloads: stored verbatim, rendered escaped -------------- */

static const char *const hs_payloads[] = {
    "<script>alert(1)</script>",        "\"><img src=x onerror=alert(1)>",
    "'; DROP TABLE cases; --",          "100%_完成_\\",
    "</textarea><svg onload=alert(1)>",
};

/* Raw markup that must never reach a page unescaped. */
static const char *const hs_raw_markup[] = {
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
};

static void hs_check_page(struct client *c, const char *path,
                          const char *must_contain)
{
    struct resp r = {0};
    static const char *const accept[] = {"Accept: text/html", NULL};
    http_raw(c, "GET", path, NULL, NULL, 0, accept, 1, &r);
    hs_count(r.status);
    if (r.status != 200)
        hs_fail(path, r.status, "page did not answer 200", r.body);
    for (size_t i = 0; i < HS_N(hs_raw_markup); i++)
        if (strstr(r.body, hs_raw_markup[i]))
            hs_fail(path, r.status, "raw payload in the page",
                    hs_raw_markup[i]);
    if (must_contain && !strstr(r.body, must_contain))
        hs_fail(path, r.status, "escaped payload missing", must_contain);
    resp_free(&r);
}

/* 1 when some string inside v (at any depth) is exactly s. */
static int json_has_string(json_t *v, const char *s)
{
    const char *key;
    json_t *item;
    size_t i;
    if (json_is_string(v))
        return strcmp(json_string_value(v), s) == 0;
    if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            if (json_has_string(item, s))
                return 1;
        }
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
        {
            if (json_has_string(item, s))
                return 1;
        }
    }
    return 0;
}

/* Creates an item titled payload with a comment of it; checks the API
 * gives both back byte for byte; returns its id. */
static long long hs_payload_case(struct srv *s, const char *payload)
{
    struct client *clerk = hs_client(s, "clerk");
    struct resp r = {0};
    char path[128];
    json_t *body = hs_create_body(module_find("supervision"));
    json_object_set_new(json_object_get(body, "fields"), "title",
                        json_string(payload));
    char *text = json_dumps(body, JSON_COMPACT);
    assert_int_equal(http_do(clerk, "POST", "/api/v1/cases", text, &r), 201);
    long long id = resp_int(&r, "id", 0);
    snprintf(path, sizeof(path), "/api/v1/cases/%lld/comments", id);
    json_t *comment = json_pack("{s:s}", "text", payload);
    char *ctext = json_dumps(comment, JSON_COMPACT);
    assert_int_equal(http_do(clerk, "POST", path, ctext, &r), 201);
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", id);
    assert_int_equal(http_do(clerk, "GET", path, NULL, &r), 200);
    assert_str_equal(resp_str(&r, "fields.title"), payload);
    assert_true(json_has_string(resp_get(&r, "timeline"), payload));
    free(ctext);
    json_decref(comment);
    free(text);
    json_decref(body);
    resp_free(&r);
    return id;
}

/* A unit and a token named payload (admin pages, the tokens page). */
static void hs_payload_org(struct srv *s, int i, const char *payload)
{
    struct resp r = {0};
    char path[64];
    json_t *unit = json_pack("{s:s, s:s, s:s, s:s}", "code", "", "name",
                             payload, "kind", "department", "parent", "gov");
    snprintf(path, sizeof(path), "hsp%d", i);
    json_object_set_new(unit, "code", json_string(path));
    char *text = json_dumps(unit, JSON_COMPACT);
    assert_int_equal(
        http_do(hs_client(s, "admin"), "POST", "/api/v1/units", text, &r), 201);
    snprintf(path, sizeof(path), "/api/v1/units/hsp%d", i);
    assert_int_equal(http_do(hs_client(s, "admin"), "GET", path, NULL, &r),
                     200);
    json_t *back = resp_get(&r, "unit.name");
    if (back == NULL)
        back = resp_get(&r, "name");
    assert_str_equal(json_string_value(back), payload);
    free(text);
    json_decref(unit);
    json_t *tok = json_pack("{s:s}", "name", payload);
    text = json_dumps(tok, JSON_COMPACT);
    assert_int_equal(
        http_do(hs_client(s, "clerk"), "POST", "/api/v1/tokens", text, &r),
        201);
    assert_int_equal(
        http_do(hs_client(s, "clerk"), "GET", "/api/v1/tokens", NULL, &r), 200);
    assert_true(json_has_string(resp_json(&r), payload));
    free(text);
    json_decref(tok);
    resp_free(&r);
}

static void test_payloads_stored_verbatim_rendered_escaped(void **state)
{
    struct srv *s = *state;
    char path[128];
    long long ids[HS_N(hs_payloads)];
    hs_world_build(s);
    memset(&tally, 0, sizeof(tally));
    for (size_t i = 0; i < HS_N(hs_payloads); i++) {
        ids[i] = hs_payload_case(s, hs_payloads[i]);
        hs_payload_org(s, (int)i, hs_payloads[i]);
    }
    struct client *clerk = hs_client(s, "clerk");
    for (size_t i = 0; i < HS_N(hs_payloads); i++) {
        snprintf(path, sizeof(path), "/cases/%lld", ids[i]);
        hs_check_page(clerk, path, i == 0 ? "&lt;script&gt;alert(1)" : NULL);
        snprintf(path, sizeof(path), "/cases/%lld/print", ids[i]);
        hs_check_page(clerk, path, NULL);
    }
    /* the list, search (highlighted segments), to-do, home, tokens, and
     * every page that shows what the sweep left behind */
    hs_check_page(clerk, "/m/supervision?per_page=500",
                  "&lt;script&gt;alert(1)&lt;/script&gt;");
    hs_check_page(clerk, "/m/doc_out?per_page=500", NULL);
    hs_check_page(clerk, "/m/doc_in?per_page=500", NULL);
    hs_check_page(clerk, "/search?q=alert", "alert");
    hs_check_page(clerk, "/search?q=DROP%20TABLE", NULL);
    hs_check_page(clerk, "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", NULL);
    hs_check_page(clerk, "/", NULL);
    hs_check_page(clerk, "/notifications", NULL);
    hs_check_page(clerk, "/account/tokens", "&lt;script&gt;alert(1)");
    hs_check_page(hs_client(s, "admin"), "/admin/units",
                  "&lt;script&gt;alert(1)");
    hs_check_page(hs_client(s, "admin"), "/admin/users", NULL);
    hs_check_page(hs_client(s, "auditor"), "/audit", NULL);
    /* SQL metacharacters did nothing to the tables */
    struct resp r = {0};
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/cases?per_page=5&q=%25", NULL, &r), 200);
    assert_int_equal(
        http_do(clerk, "GET", "/api/v1/cases?module=supervision", NULL, &r),
        200);
    assert_true(resp_int(&r, "total", 0) >= (json_int_t)HS_N(hs_payloads));
    resp_free(&r);
    hs_print_tally("pages");
    assert_int_equal(tally.failures, 0);
}

/* ---- bodies past the caps (raw sockets) -------------------------------- */

static int hs_connect(int port)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        fail_msg("connect: %s", strerror(errno));
    }
    return fd;
}

/* Writes everything it can; stops quietly when the peer closed. */
static void hs_write(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Reads an answer until the peer closes, the headers' Content-Length is
 * complete, or RAW_TIMEOUT_MS passes; its status (0: none). */
static int hs_read_answer(int fd, struct hb *out)
{
    char chunk[16384];
    out->len = 0;
    hb_add(out, "", 0);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, RAW_TIMEOUT_MS) <= 0)
            break;
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0)
            break;
        hb_add(out, chunk, (size_t)n);
        const char *end = strstr(out->p, "\r\n\r\n");
        const char *cl = strcasestr(out->p, "\r\nContent-Length:");
        if (end && cl && cl < end &&
            (size_t)(end + 4 - out->p) + strtoul(cl + 17, NULL, 10) <= out->len)
            break;
    }
    int status = 0;
    if (out->len > 12 && strncmp(out->p, "HTTP/1.", 7) == 0)
        status = atoi(out->p + 9);
    return status;
}

/* One raw exchange: head, then (unless the server already answered, as
 * it does at once for a Content-Length past the cap) the body. */
static int hs_raw(struct srv *s, const char *head, const char *body,
                  size_t blen, int answer_first, struct hb *out)
{
    int fd = hs_connect(s->port);
    hs_write(fd, head, strlen(head));
    if (!answer_first)
        hs_write(fd, body, blen);
    int status = hs_read_answer(fd, out);
    close(fd);
    return status;
}

/* A raw answer judged like hs_judge (status, Chinese message). */
static void hs_judge_raw(int status, struct hb *ans, const char *what, int want)
{
    hs_count(status);
    const char *body = strstr(ans->p, "\r\n\r\n");
    printf("hostile %s: %d\n", what, status);
    if (status != want)
        hs_fail(what, status, "unexpected status", ans->p);
    else if (body == NULL || !has_cjk(body))
        hs_fail(what, status, "no Chinese message", ans->p);
}

/* "POST path" with a body of len bytes: its head (sid cookie, csrf). */
static void hs_head(struct hb *h, const char *path, const char *ctype, long len,
                    struct client *c)
{
    char line[512];
    const char *sid = client_cookie(c, "sid");
    h->len = 0;
    snprintf(line, sizeof(line),
             "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
             "Accept: application/json\r\nX-CSRF-Token: %s\r\n"
             "Cookie: sid=%s\r\n",
             path, ctype, client_csrf(c), sid ? sid : "");
    hb_str(h, line);
    if (len >= 0)
        snprintf(line, sizeof(line), "Content-Length: %ld\r\n\r\n", len);
    else
        snprintf(line, sizeof(line), "Transfer-Encoding: chunked\r\n\r\n");
    hb_str(h, line);
}

/* data as chunks of 64 KiB, then the last chunk. */
static void hs_chunked(struct hb *out, const char *data, size_t len)
{
    char size[32];
    out->len = 0;
    for (size_t off = 0; off < len; off += 65536) {
        size_t n = len - off < 65536 ? len - off : 65536;
        snprintf(size, sizeof(size), "%zx\r\n", n);
        hb_str(out, size);
        hb_add(out, data + off, n);
        hb_str(out, "\r\n");
    }
    hb_str(out, "0\r\n\r\n");
}

static void test_bodies_past_the_caps(void **state)
{
    struct srv *s = *state;
    struct hb head = {0}, body = {0}, wire = {0}, ans = {0}, part = {0};
    char upload[128];
    hs_world_build(s);
    memset(&tally, 0, sizeof(tally));
    struct client *clerk = hs_client(s, "clerk");
    snprintf(upload, sizeof(upload), "/api/v1/cases/%lld/files", world.sup_id);

    /* a body past the cap of uploads (the larger of max_body and
     * max_upload_mb + framing), said by Content-Length: 413 at once */
    hb_fill(&part, 'x', (size_t)MAX_BODY_BYTES + (size_t)MIB);
    hs_multipart(&body, "filename=\"big.bin\"", 18, part.p, part.len);
    hs_head(&head, upload, "multipart/form-data; boundary=HsBoundary",
            (long)body.len, clerk);
    hs_judge_raw(hs_raw(s, head.p, body.p, body.len, 1, &ans), &ans,
                 "upload past the cap (Content-Length)", 413);
    /* the same chunked: found out while reading, still 413 */
    hs_chunked(&wire, body.p, body.len);
    hs_head(&head, upload, "multipart/form-data; boundary=HsBoundary", -1,
            clerk);
    hs_judge_raw(hs_raw(s, head.p, wire.p, wire.len, 0, &ans), &ans,
                 "upload past the cap (chunked)", 413);
    /* a part past the attachment limit in a body within the body cap: the
     * handler's 413 */
    part.len = 0;
    hb_fill(&part, 'x', (size_t)UPLOAD_MB * MIB + 1000);
    hs_multipart(&body, "filename=\"big.bin\"", 18, part.p, part.len);
    struct resp r = {0};
    http_raw(clerk, "POST", upload, "multipart/form-data; boundary=HsBoundary",
             body.p, body.len, NULL, 1, &r);
    hs_judge(&r, "attachment past max_upload_mb", HS_4XX);
    if (r.status != 413)
        hs_fail("attachment past max_upload_mb", r.status, "want 413", r.body);
    resp_free(&r);
    /* a JSON body past max_body, both ways */
    part.len = 0;
    hb_str(&part, "{\"text\":\"");
    hb_fill(&part, 'a', (size_t)MAX_BODY_BYTES);
    hb_str(&part, "\"}");
    hs_head(&head, "/api/v1/cases", "application/json", (long)part.len, clerk);
    hs_judge_raw(hs_raw(s, head.p, part.p, part.len, 1, &ans), &ans,
                 "JSON past max_body (Content-Length)", 413);
    hs_chunked(&wire, part.p, part.len);
    hs_head(&head, "/api/v1/cases", "application/json", -1, clerk);
    hs_judge_raw(hs_raw(s, head.p, wire.p, wire.len, 0, &ans), &ans,
                 "JSON past max_body (chunked)", 413);
    hs_assert_healthy(s);
    hb_free(&head);
    hb_free(&body);
    hb_free(&wire);
    hb_free(&ans);
    hb_free(&part);
    hs_print_tally("caps");
    assert_int_equal(tally.failures, 0);
}

/* ---- protocol junk ----------------------------------------------------- */

static void test_protocol_junk(void **state)
{
    static const struct {
        const char *label, *data;
        size_t len;
    } junk[] = {
        {"NUL in request line", "GET /healthz\0 HTTP/1.1\r\n\r\n", 26},
        {"bad method bytes", "G\xff\xfeT / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
        {"bad utf8 path", "GET /%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n", 0},
        {"NUL in path", "GET /api/v1/units/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 0},
        {"traversal path",
         "GET /static/../../../../etc/passwd HTTP/1.1\r\n"
         "Host: x\r\n\r\n",
         0},
        {"encoded traversal",
         "GET /static/..%2F..%2F..%2Fetc%2Fpasswd "
         "HTTP/1.1\r\nHost: x\r\n\r\n",
         0},
        {"bad cookie",
         "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: "
         "sid=\xff'--;;==; sid=\r\n\r\n",
         0},
        {"bad bearer",
         "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"
         "Authorization: Bearer ' OR 1=1 --\r\n\r\n",
         0},
        {"negative length",
         "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n"
         "Content-Length: -5\r\n\r\n",
         0},
        {"huge length",
         "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n"
         "Content-Length: 99999999999999999999999\r\n\r\n",
         0},
        {"length and chunked",
         "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n"
         "Content-Length: 5\r\nTransfer-Encoding: "
         "chunked\r\n\r\nzz\r\n",
         0},
        {"bad chunk",
         "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n"
         "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
         0},
        {"garbage", "\r\n\r\n\x01\x02\x03 junk junk\r\n\r\n", 0},
    };
    struct srv *s = *state;
    struct hb ans = {0}, big = {0};
    memset(&tally, 0, sizeof(tally));
    for (size_t i = 0; i < HS_N(junk); i++) {
        int fd = hs_connect(s->port);
        hs_write(fd, junk[i].data,
                 junk[i].len ? junk[i].len : strlen(junk[i].data));
        shutdown(fd, SHUT_WR);
        int st = hs_read_answer(fd, &ans);
        close(fd);
        tally.sent++;
        printf("hostile junk %s: %d\n", junk[i].label, st);
        if (st >= 500)
            hs_fail(junk[i].label, st, "5xx", ans.p);
        if (strstr(ans.p, "root:"))
            hs_fail(junk[i].label, st, "served /etc/passwd", ans.p);
    }
    /* a 100 KiB header line and 2000 headers */
    hb_str(&big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    hb_fill(&big, 'b', 100 * 1024);
    hb_str(&big, "\r\n\r\n");
    int st = hs_raw(s, big.p, NULL, 0, 0, &ans);
    printf("hostile junk 100 KiB header: %d\n", st);
    if (st >= 500)
        hs_fail("100 KiB header", st, "5xx", ans.p);
    big.len = 0;
    hb_str(&big, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 2000; i++)
        hb_str(&big, "X-Many: y\r\n");
    hb_str(&big, "\r\n");
    st = hs_raw(s, big.p, NULL, 0, 0, &ans);
    printf("hostile junk 2000 headers: %d\n", st);
    if (st >= 500)
        hs_fail("2000 headers", st, "5xx", ans.p);
    hs_assert_healthy(s);
    hb_free(&ans);
    hb_free(&big);
    assert_int_equal(tally.failures, 0);
}

/* ---- slowloris --------------------------------------------------------- */

struct hs_slow {
    int port;
    int fds[SLOW_CONNS];
    const char *script[SLOW_CONNS]; /* what each trickles, then 'a' forever */
    size_t pos[SLOW_CONNS];
    atomic_int stop;
    atomic_long bytes;
};

static const char slow_header[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "X-Slow: ";
static const char slow_body[] = "POST /api/v1/cases HTTP/1.1\r\n"
                                "Host: 127.0.0.1\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: 100000\r\n\r\n{\"a\":\"";

/* The trickler: one byte per connection per second until told to stop;
 * the body-trickling half gets its headers at once, then one byte a second
 * of a body that never ends. */
static void *hs_trickle(void *arg)
{
    struct hs_slow *sl = arg;
    while (!atomic_load(&sl->stop)) {
        for (int i = 0; i < SLOW_CONNS; i++) {
            const char *sc = sl->script[i];
            char byte = sl->pos[i] < strlen(sc) ? sc[sl->pos[i]] : 'a';
            if (send(sl->fds[i], &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
                sl->pos[i]++;
                atomic_fetch_add(&sl->bytes, 1);
            }
        }
        for (int t = 0; t < 10 && !atomic_load(&sl->stop); t++) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

/* How many of the slow connections the server still holds open. */
static int hs_still_open(const struct hs_slow *sl)
{
    int open = 0;
    for (int i = 0; i < SLOW_CONNS; i++) {
        struct pollfd p = {sl->fds[i], POLLIN, 0};
        char c;
        if (poll(&p, 1, 0) == 0 ||
            (recv(sl->fds[i], &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
             errno == EAGAIN))
            open++;
    }
    return open;
}

static void test_slowloris_does_not_starve(void **state)
{
    struct srv *s = *state;
    struct hs_slow *sl = calloc(1, sizeof(*sl));
    pthread_t th;
    assert_non_null(sl);
    hs_world_build(s);
    struct client *anon = client_new(s);
    struct client *clerk = hs_client(s, "clerk");
    struct resp r = {0};
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", world.sup_id);
    sl->port = s->port;
    for (int i = 0; i < SLOW_CONNS; i++) {
        sl->fds[i] = hs_connect(s->port);
        sl->script[i] = i % 2 ? slow_header : slow_body;
        if (i % 2 == 0) { /* the body-trickling half: headers at once */
            size_t head = strlen(slow_body) - strlen("{\"a\":\"");
            hs_write(sl->fds[i], slow_body, head);
            sl->pos[i] = head;
        }
    }
    assert_int_equal(pthread_create(&th, NULL, hs_trickle, sl), 0);
    sleep(2); /* let every connection get a few bytes in */
    for (int round = 0; round < SLOW_ROUNDS; round++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int h = http_do(anon, "GET", "/healthz", NULL, &r);
        double healthz_ms = hs_ms_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int me = http_do(clerk, "GET", path, NULL, &r);
        double api_ms = hs_ms_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int post = http_do(clerk, "POST", "/api/v1/notifications/read",
                           "{\"all\":true}", &r);
        double post_ms = hs_ms_since(&t0);
        printf("hostile slowloris round %d (%d slow connections): /healthz "
               "%d in %.1f ms, case %d in %.1f ms, write %d in %.1f ms\n",
               round + 1, SLOW_CONNS, h, healthz_ms, me, api_ms, post, post_ms);
        assert_int_equal(h, 200);
        assert_int_equal(me, 200);
        assert_int_equal(post, 200);
        sleep(1);
    }
    atomic_store(&sl->stop, 1);
    pthread_join(th, NULL);
    printf("hostile slowloris: %ld bytes trickled, %d of %d slow "
           "connections still open\n",
           atomic_load(&sl->bytes), hs_still_open(sl), SLOW_CONNS);
    for (int i = 0; i < SLOW_CONNS; i++)
        close(sl->fds[i]);
    free(sl);
    hs_assert_healthy(s);
    resp_free(&r);
    client_free(anon);
}

static int hs_free_callers(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_CALLERS; i++) {
        client_free(callers[i].c);
        callers[i].c = NULL;
    }
    return 0;
}

int main(void)
{
    char mb[16];
    snprintf(mb, sizeof(mb), "%d", UPLOAD_MB);
    setenv("SHUNIU_MAX_UPLOAD_MB", mb, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_every_api_route),
        cmocka_unit_test(test_payloads_stored_verbatim_rendered_escaped),
        cmocka_unit_test(test_bodies_past_the_caps),
        cmocka_unit_test(test_protocol_junk),
        cmocka_unit_test_teardown(test_slowloris_does_not_starve,
                                  hs_free_callers),
    };
    return srv_run_group_tests(tests);
}
