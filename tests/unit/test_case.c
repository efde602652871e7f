/*
 * test_case.c - unit tests of the case engine (src/kernel/case*.c) with a
 * module defined here ("tst": fields of every type, four states, roles and
 * relations, a main clock, a pending request, children), on SQLite and,
 * when SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set, PostgreSQL:
 *     the lifecycle walked through (numbers, timeline, audit, clocks,
 *     extension, AB角), refusals 400/403/404/409, field validation rows,
 *     atomicity with a failure injected into the hooks, clearance in
 *     get/list/todo/counts, children and roll-up, lights and the reminder
 *     sweep, the calendar hook, lists with filters, links, comments, edits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/auth.h"
#include "kernel/calendar_store.h"
#include "kernel/case.h"
#include "kernel/org.h"
#include "kernel/schema.h"
#include "kernel/search.h"
#include "store/store.h"

#define T0 1772413200000LL /* Monday 2026-03-02T09:00:00+08:00 */
#define DAY 86400000LL

/* ---- the test module ---- */

static int fail_apply;    /* 1: the finish transition's apply fails */
static int fail_create;   /* 1: on_create fails */
static int check_refuses; /* 1: the finish transition's check says no */

static int tst_apply(struct case_ctx *c, struct err *e)
{
    if (fail_apply)
        return err_set(e, 500, "internal", "injected");
    /* the module's own effect: finishing sets progress to 100 */
    return case_val_set_int(c, "progress", 100, e);
}

static int tst_check(struct case_ctx *c, struct err *e)
{
    (void)c;
    if (check_refuses)
        return err_set(e, 409, "conflict", "模块规则不允许");
    return 0;
}

static int tst_on_create(struct case_ctx *c, struct err *e)
{
    (void)c;
    if (fail_create)
        return err_set(e, 500, "internal", "injected");
    return 0;
}

static const struct choice_def secrecy_choices[] = {
    {"0", "无"}, {"1", "秘密"}, {"2", "机密"}, {"3", "绝密"}, {NULL, NULL}};
static const struct choice_def class_choices[] = {
    {"urgent", "紧急"}, {"normal", "一般"}, {NULL, NULL}};
static const struct choice_def tag_choices[] = {
    {"a", "甲"}, {"b", "乙"}, {"c", "丙"}, {NULL, NULL}};
static const struct clock_length class_lengths[] = {
    {"urgent", 5, NULL}, {"normal", 15, NULL}, {NULL, 0, NULL}};

static const struct field_def tst_fields[] = {
    {.code = "title",
     .label = "事项名称",
     .type = FIELD_TEXT,
     .role = FIELD_IS_TITLE,
     .flags = FIELD_SEARCH | FIELD_LIST,
     .required_in = "*"},
    {.code = "secrecy",
     .label = "密级",
     .type = FIELD_CHOICE,
     .role = FIELD_IS_SECRECY,
     .choices = secrecy_choices,
     .default_value = "0"},
    {.code = "lead_unit",
     .label = "牵头单位",
     .type = FIELD_UNIT,
     .role = FIELD_IS_LEAD_UNIT,
     .required_in = "working"},
    {.code = "co_units",
     .label = "协办单位",
     .type = FIELD_UNITS,
     .role = FIELD_IS_CO_UNITS},
    {.code = "handler",
     .label = "承办人",
     .type = FIELD_PERSON,
     .role = FIELD_IS_HANDLER},
    {.code = "supervisor",
     .label = "督办领导",
     .type = FIELD_PERSON,
     .role = FIELD_IS_SUPERVISOR},
    {.code = "readers",
     .label = "传阅人",
     .type = FIELD_PERSONS,
     .role = FIELD_IS_READERS},
    {.code = "limit_class",
     .label = "时限类别",
     .type = FIELD_CHOICE,
     .choices = class_choices,
     .default_value = "normal"},
    {.code = "deadline", .label = "完成时限", .type = FIELD_DATE},
    {.code = "progress",
     .label = "进度",
     .type = FIELD_NUMBER,
     .role = FIELD_IS_PROGRESS},
    {.code = "note",
     .label = "说明",
     .type = FIELD_LONGTEXT,
     .flags = FIELD_SEARCH},
    {.code = "amount",
     .label = "金额",
     .type = FIELD_NUMBER,
     .min = 0,
     .max = 1000},
    {.code = "met_at", .label = "会议时间", .type = FIELD_DATETIME},
    {.code = "tags",
     .label = "标签",
     .type = FIELD_MULTI,
     .choices = tag_choices},
    {.code = "extension_days",
     .label = "延期天数",
     .type = FIELD_NUMBER,
     .min = 1,
     .max = 30},
    {.code = "extend_to", .label = "延期至", .type = FIELD_DATE},
    {.code = "result",
     .label = "办理结果",
     .type = FIELD_TEXT,
     .required_in = "done"},
    {.code = "score",
     .label = "评分",
     .type = FIELD_NUMBER,
     .min = 0,
     .max = 100,
     .edit_roles = "clerk"},
    {.code = "secret_note",
     .label = "内部备注",
     .type = FIELD_TEXT,
     .min_clearance = 2},
    {0},
};

static const struct state_def tst_states[] = {
    {.code = "registered",
     .label = "已登记",
     .flags = STATE_INITIAL,
     .wait_rel = REL_SAME_UNIT,
     .wait_roles = "clerk"},
    {.code = "working",
     .label = "办理中",
     .wait_rel = REL_LEAD_UNIT,
     .wait_roles = "staff,leader"},
    {.code = "done", .label = "已办结", .flags = STATE_CLOSED},
    {.code = "archived",
     .label = "已归档",
     .flags = STATE_CLOSED | STATE_ARCHIVED},
    {0},
};

static const struct transition_def tst_transitions[] = {
    {.code = "assign",
     .label = "交办",
     .from = "registered",
     .to = "working",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .fields = "lead_unit,co_units,handler,supervisor,limit_class,deadline",
     .required = "lead_unit",
     .comment = 1,
     .clocks = {{"handle", CLOCK_OP_START}}},
    {.code = "report",
     .label = "报告进展",
     .from = "working",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT | REL_HANDLER,
     .fields = "progress,note",
     .required = "progress",
     .comment = 1},
    {.code = "request_ext",
     .label = "申请延期",
     .from = "working",
     .roles = "staff",
     .rel = REL_LEAD_UNIT,
     .fields = "extension_days",
     .required = "extension_days",
     .comment = 2,
     .opens = "extension"},
    {.code = "approve_ext",
     .label = "批准延期",
     .from = "working",
     .roles = "leader",
     .rel = REL_SUPERVISOR,
     .needs = "extension",
     .comment = 1,
     .opinion = "批示",
     .clocks = {{"handle", CLOCK_OP_EXTEND}},
     .extend_field = "extension_days"},
    {.code = "move_deadline",
     .label = "调整时限",
     .from = "working",
     .roles = "leader",
     .rel = REL_SUPERVISOR,
     .fields = "extend_to",
     .required = "extend_to",
     .clocks = {{"handle", CLOCK_OP_EXTEND}},
     .extend_field = "extend_to"},
    {.code = "decline",
     .label = "退回",
     .from = "working",
     .to = "registered",
     .roles = "staff",
     .rel = REL_LEAD_UNIT,
     .comment = 2,
     .within = "handle",
     .clocks = {{"handle", CLOCK_OP_STOP}}},
    {.code = "pause",
     .label = "中止",
     .from = "working",
     .roles = "clerk",
     .clocks = {{"handle", CLOCK_OP_PAUSE}}},
    {.code = "resume",
     .label = "恢复",
     .from = "working",
     .roles = "clerk",
     .clocks = {{"handle", CLOCK_OP_RESUME}}},
    {.code = "urge",
     .label = "催办",
     .from = "working",
     .roles = "clerk",
     .comment = 1,
     .notify_rel = REL_HANDLER},
    /* tells only the leaders of the owning office */
    {.code = "remind",
     .label = "提醒",
     .from = "working",
     .roles = "clerk",
     .notify_rel = REL_SAME_UNIT,
     .notify_roles = "leader"},
    {.code = "finish",
     .label = "办结",
     .from = "working",
     .to = "done",
     .roles = "staff",
     .rel = REL_LEAD_UNIT | REL_HANDLER,
     .fields = "result",
     .required = "result",
     .check = tst_check,
     .apply = tst_apply},
    {.code = "archive",
     .label = "归档",
     .from = "done",
     .to = "archived",
     .roles = "clerk"},
    {0},
};

static const struct clock_def tst_clocks[] = {
    {.code = "handle",
     .label = "办理时限",
     .unit = CLOCK_WORKDAYS,
     .length = 15,
     .length_field = "limit_class",
     .lengths = class_lengths,
     .deadline_field = "deadline",
     .main = 1},
    {0},
};

static const struct pending_def tst_pendings[] = {
    {.code = "extension",
     .label = "延期申请待审批",
     .wait_rel = REL_SUPERVISOR,
     .wait_roles = "leader"},
    {0},
};

static const struct module_def tst_module = {
    .code = "tst",
    .label = "测试",
    .case_label = "测试事项",
    .fields = tst_fields,
    .states = tst_states,
    .transitions = tst_transitions,
    .clocks = tst_clocks,
    .pendings = tst_pendings,
    .number_pattern = "测〔{year}〕{n}号",
    .create_roles = "clerk",
    .child_module = "tst",
    .children_block_close = 1,
    .on_create = tst_on_create,
};

/* A second module for the two engine features of 公文: the number taken
 * at a transition (TR_NUMBER, 登记) and a transition every member of a
 * relation must fire before the case moves (all_rel, 会签). */
static const struct field_def par_fields[] = {
    {.code = "title",
     .label = "事项名称",
     .type = FIELD_TEXT,
     .role = FIELD_IS_TITLE,
     .flags = FIELD_LIST,
     .required_in = "*"},
    {.code = "co_units",
     .label = "会签单位",
     .type = FIELD_UNITS,
     .role = FIELD_IS_CO_UNITS},
    {0},
};

static const struct state_def par_states[] = {
    {.code = "draft",
     .label = "拟稿",
     .flags = STATE_INITIAL,
     .wait_rel = REL_SAME_UNIT,
     .wait_roles = "clerk"},
    {.code = "vote",
     .label = "会签",
     .wait_rel = REL_CO_UNIT,
     .wait_roles = "staff"},
    {.code = "passed", .label = "会签完毕", .flags = STATE_CLOSED},
    {0},
};

static const struct transition_def par_transitions[] = {
    {.code = "submit",
     .label = "登记并送会签",
     .from = "draft",
     .to = "vote",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .flags = TR_NUMBER},
    {.code = "agree",
     .label = "会签同意",
     .from = "vote",
     .to = "passed",
     .roles = "staff",
     .rel = REL_CO_UNIT,
     .all_rel = REL_CO_UNIT,
     .comment = 1},
    {.code = "back",
     .label = "退回",
     .from = "vote",
     .to = "draft",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .comment = 2},
    {0},
};

static const struct module_def par_module = {
    .code = "par",
    .label = "会签测试",
    .case_label = "会签事项",
    .fields = par_fields,
    .states = par_states,
    .transitions = par_transitions,
    .number_pattern = "议〔{year}〕{n}号",
    .create_roles = "clerk",
};

static const struct module_def *const tst_list[] = {&tst_module, &par_module,
                                                    NULL};

/* ---- notifications captured ---- */

struct note {
    int64_t user, case_id;
    char kind[32];
};
static struct note notes[256];
static int nnotes;
static int leaked; /* a notification named a classified case's title */

static int64_t capture_notify(struct store *db, int64_t user_id,
                              int64_t case_id, const char *kind,
                              const char *text)
{
    (void)db;
    if (strstr(text, "秘密事项") != NULL)
        leaked = 1;
    if (nnotes < 256) {
        notes[nnotes].user = user_id;
        notes[nnotes].case_id = case_id;
        snprintf(notes[nnotes].kind, sizeof(notes[nnotes].kind), "%s", kind);
        nnotes++;
    }
    return nnotes;
}

/* ---- the fixture ---- */

static const char *pg_admin;

struct fx {
    char dir[64];
    char path[128];
    char pgname[64];
    char url[192];
    struct store *db;
    struct arena *a;
    struct actor clerk1, clerk0, staff1, staffb, staff2, staff3, leader1, admin,
        aud, cli;
};

static const struct {
    const char *login, *unit, *role;
    int clearance;
    const char *backup;
} people[] = {
    {"leader1", "office", "leader", 3, NULL},
    {"clerk1", "office", "clerk", 1, NULL},
    {"clerk0", "office", "clerk", 0, NULL},
    {"staffb", "jyj", "staff", 1, NULL},
    {"staff1", "jtj", "staff", 1, "staffb"}, /* staffb is staff1's AB角 */
    {"staff2", "jyj", "staff", 0, NULL},
    {"staff3", "jyj", "staff", 1, NULL},
    {"admin", "office", "sysadmin", 0, NULL},
    {"aud", "office", "auditor", 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static int load_actor(struct fx *f, const char *login, struct actor *who)
{
    struct user u;
    struct err e;
    err_clear(&e);
    if (org_user_get(f->db, f->a, login, &u, &e) != 0)
        return -1;
    return auth_actor_load(f->db, f->a, u.id, who);
}

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];
    struct actor cli;
    struct err e;
    static const struct {
        const char *code, *name, *kind;
    } units[] = {{"office", "市政府办公室", "office"},
                 {"jtj", "市交通局", "department"},
                 {"jyj", "市教育局", "department"}};

    module_registry_use(tst_list);
    case_on_notify(capture_notify);
    case_on_index(search_index_case);
    case_on_search(search_match_arg);
    nnotes = 0;
    leaked = 0;
    fail_apply = fail_create = check_refuses = 0;
    now_set(T0);
    if (pg_admin == NULL) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-case-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_case_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) !=
                STORE_OK ||
            store_url_with_db(pg_admin, f->pgname, f->url, sizeof(f->url)) !=
                STORE_OK) {
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
    f->a = arena_new();
    actor_cli(&cli);
    f->cli = cli;
    err_clear(&e);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        struct unit u = {0};
        u.code = units[i].code;
        u.name = units[i].name;
        u.kind = units[i].kind;
        if (org_unit_create(f->db, &cli, &u, &e) != 0)
            return -1;
    }
    for (int i = 0; people[i].login != NULL; i++) {
        struct user u = {0};
        u.login = people[i].login;
        u.name = people[i].login;
        u.unit_code = people[i].unit;
        u.nroles = 1;
        u.roles[0] = people[i].role;
        u.clearance = people[i].clearance;
        u.backup_login = people[i].backup;
        if (org_user_create_hashed(f->db, &cli, &u, "", &e) != 0) {
            fprintf(stderr, "setup: %s %s\n", u.login, e.message);
            return -1;
        }
    }
    if (load_actor(f, "clerk1", &f->clerk1) ||
        load_actor(f, "clerk0", &f->clerk0) ||
        load_actor(f, "staff1", &f->staff1) ||
        load_actor(f, "staffb", &f->staffb) ||
        load_actor(f, "staff2", &f->staff2) ||
        load_actor(f, "staff3", &f->staff3) ||
        load_actor(f, "leader1", &f->leader1) ||
        load_actor(f, "admin", &f->admin) || load_actor(f, "aud", &f->aud))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[192], err[256];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    } else {
        unlink(f->path);
        snprintf(p, sizeof(p), "%s-wal", f->path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", f->path);
        unlink(p);
        rmdir(f->dir);
    }
    free(f);
    now_reset();
    module_registry_use(NULL);
    case_on_notify(NULL);
    case_on_index(NULL);
    case_on_search(NULL);
    return 0;
}

/* ---- helpers ---- */

static int64_t count(struct fx *f, const char *sql, int64_t id)
{
    int64_t n = -1;
    int rc = id != 0 ? store_query_int(f->db, sql, &n, "i", id)
                     : store_query_int(f->db, sql, &n, "");
    assert_int_not_equal(rc, STORE_ERR);
    return n;
}

/* Creates a case from a JSON text of fields; returns the status (0 ok). */
static int create(struct fx *f, const struct actor *who, const char *json,
                  int64_t parent, int64_t *id, struct err *e)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    struct case_new n = {"tst", parent, j, NULL};
    int rc;
    if (j == NULL)
        fail_msg("bad json in test: %s", je.text);
    err_clear(e);
    rc = case_create(f->db, f->a, who, &n, id, e);
    json_decref(j);
    return rc == 0 ? 0 : e->status;
}

/* Fires; returns the status (0 ok). */
static int fire(struct fx *f, const struct actor *who, int64_t id,
                const char *code, const char *json, const char *comment,
                struct err *e)
{
    json_t *j = json != NULL ? json_loads(json, 0, NULL) : NULL;
    int rc;
    err_clear(e);
    rc = case_fire(f->db, f->a, who, id, code, j, comment, e);
    json_decref(j);
    return rc == 0 ? 0 : e->status;
}

static const char *field_msg(const struct err *e, const char *field)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].field, field) == 0)
            return e->fields[i].message;
    return NULL;
}

static int can_fire(const struct case_view *v, const char *code)
{
    for (int i = 0; i < v->ncan; i++)
        if (strcmp(v->can[i]->code, code) == 0)
            return 1;
    return 0;
}

/* The to-do's order holds between every two neighbours: red before
 * yellow before green, then the nearer due instant (none last), then
 * the lower id. */
static void assert_todo_order(const struct case_item *items, int n)
{
    for (int i = 1; i < n; i++) {
        const struct case_item *x = &items[i - 1], *y = &items[i];
        int ok = x->light != y->light                   ? x->light > y->light
                 : (x->due_ms == 0) != (y->due_ms == 0) ? y->due_ms == 0
                 : x->due_ms != y->due_ms               ? x->due_ms < y->due_ms
                                                        : x->id < y->id;
        if (!ok)
            fail_msg("to-do out of order at %d: case %lld (light %d, due "
                     "%lld) before case %lld (light %d, due %lld)",
                     i, (long long)x->id, x->light, (long long)x->due_ms,
                     (long long)y->id, y->light, (long long)y->due_ms);
    }
}

static int in_todo(struct fx *f, const struct actor *who, int64_t id)
{
    struct case_item *items;
    int n, hit = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(case_todo(f->db, f->a, who, 0, NULL, &items, &n, &e), 0);
    assert_todo_order(items, n);
    /* the top bar's counter agrees with the list, whatever the clearance */
    assert_int_equal(case_todo_count(f->db, who), n);
    for (int i = 0; i < n; i++)
        hit |= items[i].id == id;
    return hit;
}

static int64_t list_total(struct fx *f, const struct actor *who,
                          const struct case_filter *flt)
{
    struct case_page p;
    struct err e;
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, who, flt, &p, &e), 0);
    return p.total;
}

/* Registers and assigns a case to jtj with handler staff1 and supervisor
 * leader1 (urgent: 5 working days). */
static int64_t assigned_case(struct fx *f, const char *title, int secrecy)
{
    int64_t id = 0;
    struct err e;
    char json[512];
    snprintf(json, sizeof(json), "{\"title\":\"%s\",\"secrecy\":\"%d\"}", title,
             secrecy);
    assert_int_equal(create(f, &f->clerk1, json, 0, &id, &e), 0);
    assert_int_equal(fire(f, &f->clerk1, id, "assign",
                          "{\"lead_unit\":\"jtj\",\"handler\":\"staff1\","
                          "\"supervisor\":\"leader1\","
                          "\"limit_class\":\"urgent\"}",
                          NULL, &e),
                     0);
    return id;
}

/* ---- tests ---- */

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    int64_t id = 0, id2 = 0;

    /* registration: number, initial state, timeline, audit */
    assert_int_equal(create(f, &f->clerk1,
                            "{\"title\":\"修复道路\",\"note\":\"东环路坑洼\","
                            "\"amount\":12,\"tags\":\"a,b,a\","
                            "\"met_at\":\"2026-03-01T10:00\","
                            "\"readers\":[\"leader1\"]}",
                            0, &id, &e),
                     0);
    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"第二件\"}", 0, &id2, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.number, "测〔2026〕1号");
    assert_string_equal(v.c.state->code, "registered");
    assert_string_equal(v.c.owner_unit, "office");
    assert_string_equal(
        json_string_value(json_object_get(v.c.fields, "met_at")),
        "2026-03-01T10:00:00+08:00");
    assert_int_equal(json_array_size(json_object_get(v.c.fields, "tags")), 2);
    assert_string_equal(json_string_value(json_object_get(v.display, "tags")),
                        "甲、乙");
    assert_string_equal(
        json_string_value(json_object_get(v.c.fields, "limit_class")),
        "normal"); /* the default */
    assert_int_equal(v.nevents, 1);
    assert_string_equal(v.events[0].kind, "create");
    assert_string_equal(v.events[0].actor_login, "clerk1");
    assert_string_equal(v.events[0].actor_role, "办公室工作人员");
    assert_true(can_fire(&v, "assign"));
    assert_false(can_fire(&v, "finish"));
    assert_int_equal(v.nclocks, 0);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM audit WHERE"
                           " action = 'case.tst.create'",
                           0),
                     2);
    assert_true(in_todo(f, &f->clerk0, id)); /* same unit, clerk */
    assert_false(in_todo(f, &f->staff1, id));

    /* who may not register */
    assert_int_equal(create(f, &f->staff1, "{\"title\":\"x\"}", 0, &id2, &e),
                     403);
    assert_int_equal(create(f, &f->admin, "{\"title\":\"x\"}", 0, &id2, &e),
                     403);

    /* refusals: role 403, relation 403, state 409, unknown 404 */
    assert_int_equal(
        fire(f, &f->staff1, id, "assign", "{\"lead_unit\":\"jtj\"}", NULL, &e),
        403);
    assert_int_equal(fire(f, &f->clerk1, id, "archive", NULL, NULL, &e), 409);
    assert_int_equal(fire(f, &f->clerk1, id, "nope", NULL, NULL, &e), 404);
    assert_int_equal(fire(f, &f->clerk1, 999999, "assign", NULL, NULL, &e),
                     404);
    assert_int_equal(fire(f, &f->clerk1, id, "assign", "{}", NULL, &e), 400);
    assert_string_equal(field_msg(&e, "lead_unit"), "请填写牵头单位");
    assert_int_equal(fire(f, &f->clerk1, id, "assign",
                          "{\"lead_unit\":\"jtj\",\"result\":\"x\"}", NULL, &e),
                     400); /* a field the transition does not list */
    assert_non_null(field_msg(&e, "result"));

    /* assign: the clock starts, 5 working days from Monday 03-02 */
    assert_int_equal(fire(f, &f->clerk1, id, "assign",
                          "{\"lead_unit\":\"jtj\",\"handler\":\"staff1\","
                          "\"supervisor\":\"leader1\","
                          "\"limit_class\":\"urgent\"}",
                          "请抓紧办理", &e),
                     0);
    assert_int_equal(case_get(f->db, f->a, &f->staff1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "working");
    assert_string_equal(v.c.lead_unit, "jtj");
    assert_string_equal(v.c.handler, "staff1");
    assert_int_equal(v.nclocks, 1);
    {
        char day[11];
        ymd_fmt(v.clocks[0].st.due_date, day);
        assert_string_equal(day, "2026-03-09");
    }
    assert_string_equal(case_light_name(v.c.light), "green");
    assert_true(can_fire(&v, "report"));
    assert_true(can_fire(&v, "finish"));
    assert_true(can_fire(&v, "decline"));
    assert_false(can_fire(&v, "assign"));
    assert_false(can_fire(&v, "approve_ext"));
    assert_true(in_todo(f, &f->staff1, id));
    assert_false(in_todo(f, &f->clerk0, id));
    /* the handler was told */
    {
        int told = 0;
        for (int i = 0; i < nnotes; i++)
            told |=
                notes[i].case_id == id && notes[i].user == f->staff1.user_id;
        assert_true(told);
    }

    /* report: relation needed; AB角 stands for the handler */
    assert_int_equal(
        fire(f, &f->staff2, id, "report", "{\"progress\":10}", NULL, &e), 403);
    assert_int_equal(fire(f, &f->staff1, id, "report", "{}", NULL, &e), 400);
    assert_string_equal(field_msg(&e, "progress"), "请填写进度");
    assert_int_equal(
        fire(f, &f->staff1, id, "report", "{\"progress\":101}", NULL, &e), 400);
    assert_int_equal(
        fire(f, &f->staff1, id, "report", "{\"progress\":40}", "完成设计", &e),
        0);
    assert_int_equal(
        fire(f, &f->staffb, id, "report", "{\"progress\":50}", "代为报告", &e),
        0);

    /* the pending request: needs, opens, comment required, waits */
    assert_int_equal(fire(f, &f->leader1, id, "approve_ext", NULL, NULL, &e),
                     409);
    assert_int_equal(fire(f, &f->staff1, id, "request_ext",
                          "{\"extension_days\":3}", NULL, &e),
                     400);
    assert_non_null(field_msg(&e, "comment"));
    assert_int_equal(fire(f, &f->staff1, id, "request_ext",
                          "{\"extension_days\":3}", "需要协调", &e),
                     0);
    assert_int_equal(fire(f, &f->staff1, id, "request_ext",
                          "{\"extension_days\":3}", "再来一次", &e),
                     409);
    assert_true(in_todo(f, &f->leader1, id));
    assert_int_equal(fire(f, &f->clerk1, id, "approve_ext", NULL, NULL, &e),
                     403);
    assert_int_equal(fire(f, &f->leader1, id, "approve_ext", NULL, "同意", &e),
                     0);
    assert_false(in_todo(f, &f->leader1, id));
    assert_int_equal(case_get(f->db, f->a, &f->staff1, id, &v, &e), 0);
    assert_null(v.c.pending);
    {
        char day[11];
        ymd_fmt(v.clocks[0].st.due_date, day);
        assert_string_equal(day, "2026-03-12"); /* 5 + 3 working days */
        assert_int_equal(v.clocks[0].nextensions, 1);
    }
    assert_string_equal(v.events[v.nevents - 1].kind, "opinion");
    assert_string_equal(v.events[v.nevents - 1].text, "同意");
    assert_string_equal(v.events[v.nevents - 1].actor_role, "领导");

    /* finish: the module's check and apply, required result */
    assert_int_equal(fire(f, &f->staff1, id, "finish", "{}", NULL, &e), 400);
    assert_string_equal(field_msg(&e, "result"), "请填写办理结果");
    check_refuses = 1;
    assert_int_equal(
        fire(f, &f->staff1, id, "finish", "{\"result\":\"已修复\"}", NULL, &e),
        409);
    check_refuses = 0;
    now_set(T0 + 2 * DAY);
    assert_int_equal(
        fire(f, &f->staff1, id, "finish", "{\"result\":\"已修复\"}", NULL, &e),
        0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "done");
    assert_int_equal(v.c.progress, 100); /* set by apply */
    assert_in_range(v.c.closed_ms, T0 + 2 * DAY, T0 + 2 * DAY + 60000);
    assert_true(v.clocks[0].st.stopped);
    assert_string_equal(case_light_name(v.c.light), "green"); /* on time */
    assert_false(in_todo(f, &f->staff1, id));
    assert_int_equal(fire(f, &f->clerk1, id, "archive", NULL, NULL, &e), 0);
    err_clear(&e);
    assert_int_equal(case_comment(f->db, f->a, &f->clerk1, id, "补充", &e), -1);
    assert_int_equal(e.status, 409);

    /* the trail */
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM case_timeline WHERE"
                           " case_id = $1",
                           id),
                     8);
    assert_int_equal(count(f,
                           "SELECT COUNT(*) FROM audit WHERE"
                           " action LIKE 'case.tst.%' AND target = '1'",
                           0),
                     8);
    {
        int64_t seq = 0;
        struct stmt *st =
            store_prepare(f->db, "SELECT detail FROM audit WHERE action ="
                                 " 'case.tst.assign'");
        assert_int_equal(store_step(st), STORE_ROW);
        json_t *d = json_loads(store_col_text(st, 0), 0, NULL);
        assert_non_null(d);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(d, "before"), "state")),
                            "registered");
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(d, "after"), "lead_unit")),
                            "jtj");
        json_decref(d);
        store_finalize(st);
        (void)seq;
    }
}

static void test_validation(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *json;
        const char *field;
        const char *msg; /* NULL: any message */
    } rows[] = {
        {"{}", "title", "请填写事项名称"},
        {"{\"title\":\"  \"}", "title", "请填写事项名称"},
        {"{\"title\":\"x\",\"lead_unit\":\"nounit\"}", "lead_unit",
         "牵头单位不存在"},
        {"{\"title\":\"x\",\"handler\":\"nobody\"}", "handler", "承办人不存在"},
        {"{\"title\":\"x\",\"co_units\":[\"jtj\",\"zzz\"]}", "co_units",
         "协办单位不存在"},
        {"{\"title\":\"x\",\"deadline\":\"2026-02-30\"}", "deadline",
         "完成时限格式应为 YYYY-MM-DD"},
        {"{\"title\":\"x\",\"met_at\":\"yesterday\"}", "met_at", NULL},
        {"{\"title\":\"x\",\"amount\":1001}", "amount", "金额须在0至1000之间"},
        {"{\"title\":\"x\",\"amount\":\"12a\"}", "amount", "金额须为整数"},
        {"{\"title\":\"x\",\"limit_class\":\"slow\"}", "limit_class",
         "时限类别的取值无效"},
        {"{\"title\":\"x\",\"tags\":[\"a\",\"z\"]}", "tags", NULL},
        {"{\"title\":\"x\",\"ghost\":1}", "ghost", "没有这个字段"},
        {"{\"title\":\"x\",\"secrecy\":\"2\"}", "secrecy", NULL},
        {"{\"title\":\"x\",\"title2\":1}", "title2", NULL},
        {"{\"title\":[1]}", "title", NULL},
        {"{\"title\":\"x\",\"note\":\"a\\u0001b\"}", "note", NULL},
    };
    struct err e;
    int64_t id;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int st = create(f, &f->clerk1, rows[i].json, 0, &id, &e);
        const char *m = field_msg(&e, rows[i].field);
        if (st != 400 || m == NULL)
            fail_msg("row %zu (%s): status %d, message %s", i, rows[i].json, st,
                     m != NULL ? m : "(none)");
        if (rows[i].msg != NULL && strcmp(m, rows[i].msg) != 0)
            fail_msg("row %zu: \"%s\" instead of \"%s\"", i, m, rows[i].msg);
    }
    /* a long text counts characters, not bytes */
    {
        char json[1024];
        size_t len = (size_t)snprintf(json, sizeof(json), "{\"title\":\"");
        for (int i = 0; i < 200; i++)
            len += (size_t)snprintf(json + len, sizeof(json) - len, "字");
        snprintf(json + len, sizeof(json) - len, "\"}");
        assert_int_equal(create(f, &f->clerk1, json, 0, &id, &e), 0);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM cases", 0), 1);
    assert_int_equal(count(f, "SELECT last FROM numbers", 0), 1);
}

static void test_atomicity(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t id = assigned_case(f, "原子性", 0), other = 0;
    int64_t tl, au, nums, stops, cases;
    struct case_view v;

    tl = count(f, "SELECT COUNT(*) FROM case_timeline", 0);
    au = count(f, "SELECT COUNT(*) FROM audit", 0);
    stops = count(f, "SELECT COUNT(*) FROM case_clocks WHERE stop_ms > 0", 0);

    /* a failure in the apply hook: nothing of the transition remains */
    fail_apply = 1;
    assert_int_equal(
        fire(f, &f->staff1, id, "finish", "{\"result\":\"完成\"}", NULL, &e),
        500);
    fail_apply = 0;
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "working");
    assert_true(json_is_null(json_object_get(v.c.fields, "result")));
    assert_int_equal(v.c.closed_ms, 0);
    assert_false(v.clocks[0].st.stopped);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM case_timeline", 0), tl);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit", 0), au);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM case_clocks WHERE stop_ms > 0", 0),
        stops);
    assert_true(in_todo(f, &f->staff1, id));

    /* a failure at creation: no row, and the number is given back */
    nums = count(f, "SELECT last FROM numbers", 0);
    cases = count(f, "SELECT COUNT(*) FROM cases", 0);
    fail_create = 1;
    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"失败\"}", 0, &other, &e), 500);
    fail_create = 0;
    assert_int_equal(count(f, "SELECT COUNT(*) FROM cases", 0), cases);
    assert_int_equal(count(f, "SELECT last FROM numbers", 0), nums);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM number_log", 0), nums);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit", 0), au);
    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"成功\"}", 0, &other, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, other, &v, &e), 0);
    assert_string_equal(v.c.number, "测〔2026〕2号"); /* no gap */
}

static void test_clearance(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    struct case_filter all = {0};
    struct case_page p;
    int64_t open_id = assigned_case(f, "公开事项", 0);
    int64_t secret_id = assigned_case(f, "秘密事项", 1);
    int64_t id = 0;

    all.module = "tst";
    /* the handler was told of the classified case without its title */
    {
        int told = 0;
        for (int i = 0; i < nnotes; i++)
            told |= notes[i].case_id == secret_id &&
                    notes[i].user == f->staff1.user_id;
        assert_true(told);
        assert_false(leaked);
    }
    /* above one's own clearance: refused at registration */
    assert_int_equal(
        create(f, &f->clerk0, "{\"title\":\"x\",\"secrecy\":1}", 0, &id, &e),
        400);
    assert_string_equal(field_msg(&e, "secrecy"),
                        "密级不能高于您本人的涉密等级");

    /* staff1 (jtj, 秘密, lead unit) sees both */
    assert_int_equal(case_get(f->db, f->a, &f->staff1, secret_id, &v, &e), 0);
    assert_int_equal(list_total(f, &f->staff1, &all), 2);
    assert_true(in_todo(f, &f->staff1, secret_id));
    /* staff2 (clearance 0) and staff3 (秘密, but not on the chain) see
     * only the open one: not in lists, counts, to-do or by id */
    const struct actor *blind[] = {&f->staff2, &f->staff3, &f->clerk0};
    for (size_t i = 0; i < sizeof(blind) / sizeof(blind[0]); i++) {
        err_clear(&e);
        assert_int_equal(case_get(f->db, f->a, blind[i], secret_id, &v, &e),
                         -1);
        assert_int_equal(e.status, 404);
        assert_int_equal(case_get(f->db, f->a, blind[i], open_id, &v, &e), 0);
        assert_int_equal(list_total(f, blind[i], &all), 1);
        err_clear(&e);
        assert_int_equal(case_list(f->db, f->a, blind[i], &all, &p, &e), 0);
        for (int k = 0; k < p.ncounts; k++)
            if (strcmp(p.counts[k].state, "working") == 0)
                assert_int_equal(p.counts[k].n, 1);
        assert_false(in_todo(f, blind[i], secret_id));
        assert_int_equal(fire(f, blind[i], secret_id, "report",
                              "{\"progress\":1}", NULL, &e),
                         404);
        assert_int_equal(case_visible(f->db, blind[i], secret_id), 0);
    }
    /* the administrators see no business case at all (三员分立) */
    const struct actor *admins[] = {&f->admin, &f->aud};
    for (size_t i = 0; i < 2; i++) {
        err_clear(&e);
        assert_int_equal(case_get(f->db, f->a, admins[i], open_id, &v, &e), -1);
        assert_int_equal(e.status, 404);
        assert_int_equal(list_total(f, admins[i], &all), 0);
        assert_false(in_todo(f, admins[i], open_id));
    }
    /* the CLI operator sees everything */
    assert_int_equal(list_total(f, &f->cli, &all), 2);
    /* a field above the viewer's clearance is left out */
    assert_int_equal(case_get(f->db, f->a, &f->leader1, open_id, &v, &e), 0);
    assert_non_null(json_object_get(v.c.fields, "secret_note"));
    assert_int_equal(case_get(f->db, f->a, &f->staff1, open_id, &v, &e), 0);
    assert_null(json_object_get(v.c.fields, "secret_note"));
    assert_null(json_object_get(v.display, "secret_note"));
    /* ... and from the fields a list picks (filtered in place): unset
     * ones are null, those above the viewer's clearance absent */
    {
        static const char *const want[] = {"secret_note", "note", NULL};
        struct case_filter picked = all;
        const struct actor *viewers[] = {&f->leader1, &f->staff1};
        picked.fields = want;
        for (int w = 0; w < 2; w++) {
            json_t *fields = NULL;
            err_clear(&e);
            assert_int_equal(
                case_list(f->db, f->a, viewers[w], &picked, &p, &e), 0);
            for (int i = 0; i < p.n; i++)
                if (p.items[i].id == open_id)
                    fields = p.items[i].fields;
            assert_non_null(fields);
            assert_true(json_is_null(json_object_get(fields, "note")));
            assert_true((json_object_get(fields, "secret_note") != NULL) ==
                        (w == 0));
            assert_null(json_object_get(fields, "title")); /* not picked */
        }
    }
    /* search answers follow clearance too */
    {
        struct case_filter q = {0};
        q.q = "秘密";
        /* with every plan of a search (case_query.c): collecting the
         * matches, walking the order testing ids against the set of them
         * or each row against the index, and the one chosen by cost */
        static const char *const plans[] = {NULL, "in", "set", "probe"};
        for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
            assert_int_equal(case_search_force(plans[i]), 0);
            assert_int_equal(list_total(f, &f->staff1, &q), 1);
            assert_int_equal(list_total(f, &f->staff2, &q), 0);
        }
        case_search_force(NULL);
    }
}

/* The two plans of a search (walk the order testing each row, or collect
 * the matches and sort them) give the same pages in every order, and the
 * total stops at the cap with total_capped set. */
static const char *search_page_ids(struct fx *f, struct case_filter *flt,
                                   int64_t *total, int *capped)
{
    struct case_page p;
    struct err e;
    struct buf b;
    const char *s;
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, flt, &p, &e), 0);
    buf_init(&b, 0);
    for (int i = 0; i < p.n; i++)
        buf_printf(&b, "%lld ", (long long)p.items[i].id);
    s = arena_strdup(f->a, b.ptr ? b.ptr : "");
    buf_free(&b);
    *total = p.total;
    *capped = p.total_capped;
    return s;
}

static void test_search_plans(void **state)
{
    struct fx *f = *state;
    struct case_filter flt = {0};
    static const char *const sorts[] = {NULL,      "created",       "-created",
                                        "updated", "-title",        "due",
                                        "id",      CASE_SEARCH_SORT};
    static const char *const plans[] = {"in", "set", "probe", NULL};
    int64_t total, ids[7];
    int capped;
    struct err e;

    for (int i = 0; i < 7; i++) {
        char title[64];
        snprintf(title, sizeof(title), "%s事项%d", i == 3 ? "罕见" : "共同",
                 i + 1);
        now_set(T0 + (7 - i) * 60000); /* created newest first */
        ids[i] = assigned_case(f, title, 0);
    }
    now_set(T0 + 10 * 60000); /* updated: ids[5] last */
    assert_int_equal(
        fire(f, &f->staff1, ids[5], "report", "{\"progress\":10}", NULL, &e),
        0);
    flt.q = "共同";
    flt.per_page = 4;
    for (size_t s = 0; s < sizeof(sorts) / sizeof(sorts[0]); s++) {
        flt.sort = sorts[s];
        for (int page = 1; page <= 2; page++) {
            const char *want = NULL;
            flt.page = page;
            for (size_t c = 0; c < sizeof(plans) / sizeof(plans[0]); c++) {
                assert_int_equal(case_search_force(plans[c]), 0);
                const char *got = search_page_ids(f, &flt, &total, &capped);
                assert_int_equal(total, 6);
                assert_false(capped);
                if (want == NULL)
                    want = got;
                assert_string_equal(got, want);
            }
        }
    }
    /* the default order is the last update first */
    flt.sort = NULL;
    flt.page = 1;
    case_search_force("probe");
    assert_int_equal(
        strtoll(search_page_ids(f, &flt, &total, &capped), NULL, 10), ids[5]);
    /* a search's own order: the newest registered first, streamed from
     * the index on SQLite (the plan by cost), pages following on */
    case_search_force(NULL);
    flt.sort = CASE_SEARCH_SORT;
    assert_string_equal(search_page_ids(f, &flt, &total, &capped),
                        arena_printf(f->a, "%lld %lld %lld %lld ",
                                     (long long)ids[6], (long long)ids[5],
                                     (long long)ids[4], (long long)ids[2]));
    assert_int_equal(total, 6);
    flt.page = 2;
    assert_string_equal(
        search_page_ids(f, &flt, &total, &capped),
        arena_printf(f->a, "%lld %lld ", (long long)ids[1], (long long)ids[0]));
    flt.sort = "id";
    flt.page = 1;
    assert_int_equal(
        strtoll(search_page_ids(f, &flt, &total, &capped), NULL, 10), ids[0]);
    flt.sort = NULL;
    /* the cap */
    case_search_force(NULL);
    case_search_tune(4, -1);
    search_page_ids(f, &flt, &total, &capped);
    assert_int_equal(total, 4);
    assert_true(capped);
    flt.q = "罕见";
    assert_string_equal(search_page_ids(f, &flt, &total, &capped),
                        arena_printf(f->a, "%lld ", (long long)ids[3]));
    assert_int_equal(total, 1);
    assert_false(capped);
    flt.q = "没有的词";
    assert_string_equal(search_page_ids(f, &flt, &total, &capped), "");
    assert_int_equal(total, 0);
    case_search_tune(0, -1);
}

static void test_children(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    int64_t parent = assigned_case(f, "年度任务", 0), c1 = 0, c2 = 0, c3 = 0;
    struct case_filter red = {0};

    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"子任务一\"}", parent, &c1, &e), 0);
    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"子任务二\"}", parent, &c2, &e), 0);
    assert_int_equal(
        create(f, &f->clerk1, "{\"title\":\"x\"}", 424242, &c3, &e), 404);
    assert_int_equal(fire(f, &f->clerk1, c1, "assign",
                          "{\"lead_unit\":\"jtj\",\"handler\":\"staff1\","
                          "\"deadline\":\"2026-03-03\"}",
                          NULL, &e),
                     0);
    assert_int_equal(
        fire(f, &f->staff1, c1, "report", "{\"progress\":60}", NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, parent, &v, &e), 0);
    assert_int_equal(v.nchildren, 2);
    assert_int_equal(v.c.progress, 30); /* (60 + 0) / 2 */
    assert_int_equal(
        json_integer_value(json_object_get(v.c.fields, "progress")), 30);
    /* the parent cannot close while a child is open */
    assert_int_equal(fire(f, &f->staff1, parent, "finish",
                          "{\"result\":\"完成\"}", NULL, &e),
                     409);
    assert_non_null(strstr(e.message, "子事项"));
    /* the child's red shows on the parent */
    now_set(T0 + 3 * DAY); /* Thursday: past the child's 03-03 deadline */
    red.light = "red";
    red.module = "tst";
    assert_int_equal(list_total(f, &f->clerk1, &red), 2); /* child, parent */
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, parent, &v, &e), 0);
    assert_string_equal(case_light_name(v.c.light), "red");
    assert_string_equal(case_light_name(v.children[0].light), "red");
    /* children done: the parent may close, progress 100 */
    assert_int_equal(
        fire(f, &f->staff1, c1, "finish", "{\"result\":\"完成\"}", NULL, &e),
        0);
    assert_int_equal(
        fire(f, &f->clerk1, c2, "assign", "{\"lead_unit\":\"jtj\"}", NULL, &e),
        0);
    assert_int_equal(
        fire(f, &f->staff1, c2, "finish", "{\"result\":\"完成\"}", NULL, &e),
        0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, parent, &v, &e), 0);
    assert_int_equal(v.c.progress, 100);
    assert_int_equal(fire(f, &f->staff1, parent, "finish",
                          "{\"result\":\"完成\"}", NULL, &e),
                     0);
}

static void test_lights_and_sweep(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    struct case_filter flt = {0};
    int64_t id = assigned_case(f, "催办测试", 0); /* due 2026-03-09 */
    int told_staff = 0, told_leader = 0;

    flt.module = "tst";
    assert_int_equal(case_sweep(f->db, now_ms()), 0);
    /* Thursday 03-05 is the 3rd working day back from Monday 03-09 */
    now_set(T0 + 3 * DAY);
    flt.light = "yellow";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    nnotes = 0;
    assert_int_equal(case_sweep(f->db, now_ms()), 1);
    for (int i = 0; i < nnotes; i++) {
        assert_string_equal(notes[i].kind, "clock.yellow");
        told_staff |= notes[i].user == f->staff1.user_id;
        told_leader |= notes[i].user == f->leader1.user_id;
    }
    assert_true(told_staff);
    assert_false(told_leader);
    assert_int_equal(case_sweep(f->db, now_ms()), 0); /* told once */

    /* a pause freezes the light; resuming moves the due date */
    assert_int_equal(fire(f, &f->clerk1, id, "pause", NULL, NULL, &e), 0);
    now_set(T0 + 14 * DAY);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_true(v.clocks[0].st.paused);
    assert_string_equal(case_light_name(v.c.light), "yellow");
    assert_int_equal(fire(f, &f->clerk1, id, "resume", NULL, NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    {
        char day[11];
        ymd_fmt(v.clocks[0].st.due_date, day);
        /* paused Thu 03-05 .. Mon 03-16: 7 working days later, 03-18 */
        assert_string_equal(day, "2026-03-18");
    }
    /* a DATE extension must be after the current last day */
    assert_int_equal(fire(f, &f->leader1, id, "move_deadline",
                          "{\"extend_to\":\"2026-03-18\"}", NULL, &e),
                     400);
    assert_string_equal(field_msg(&e, "extend_to"),
                        "延期至须晚于目前的办理时限（2026-03-18）");
    assert_int_equal(fire(f, &f->leader1, id, "move_deadline",
                          "{\"extend_to\":\"2026-03-19\"}", NULL, &e),
                     0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    {
        char day[11];
        ymd_fmt(v.clocks[0].st.due_date, day);
        assert_string_equal(day, "2026-03-19");
    }
    assert_false(can_fire(&v, "move_deadline")); /* clerk1 may not */
    /* red: the handler and the supervising leader are told */
    now_set(T0 + 18 * DAY);
    flt.light = "red";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    nnotes = 0;
    told_staff = told_leader = 0;
    assert_int_equal(case_sweep(f->db, now_ms()), 1);
    for (int i = 0; i < nnotes; i++) {
        assert_string_equal(notes[i].kind, "clock.red");
        told_staff |= notes[i].user == f->staff1.user_id;
        told_leader |= notes[i].user == f->leader1.user_id;
    }
    assert_true(told_staff);
    assert_true(told_leader);
    /* `within`: declining is only possible before the limit runs out */
    assert_int_equal(case_get(f->db, f->a, &f->staff1, id, &v, &e), 0);
    assert_false(can_fire(&v, "decline"));
    assert_int_equal(fire(f, &f->staff1, id, "decline", NULL, "不是我们的", &e),
                     409);
    assert_string_equal(e.message, "已超过办理时限，不能退回");
    /* the to-do puts red first */
    {
        int64_t later = assigned_case(f, "新事项", 0);
        struct case_item *items;
        int n;
        assert_int_equal(case_todo(f->db, f->a, &f->staff1, 0, NULL, &items, &n, &e),
                         0);
        assert_int_equal(n, 2);
        assert_int_equal(items[0].id, id);
        assert_int_equal(items[1].id, later);
        assert_int_equal(items[0].light, CASE_LIGHT_RED);
        assert_todo_order(items, n);
    }
    /* urge notifies notify_rel (the handler) */
    nnotes = 0;
    assert_int_equal(fire(f, &f->clerk1, id, "urge", NULL, "请加快", &e), 0);
    told_staff = 0;
    for (int i = 0; i < nnotes; i++)
        told_staff |= notes[i].user == f->staff1.user_id &&
                      strcmp(notes[i].kind, "case.urge") == 0;
    assert_true(told_staff);
    /* notify_roles: of the owning office (leader1, clerk0; clerk1 fired
     * it; admin and aud never), only those holding one of the roles */
    nnotes = 0;
    assert_int_equal(fire(f, &f->clerk1, id, "remind", NULL, NULL, &e), 0);
    int told_clerk0 = 0, told_admin = 0;
    told_leader = 0;
    for (int i = 0; i < nnotes; i++) {
        told_leader |= notes[i].user == f->leader1.user_id;
        told_clerk0 |= notes[i].user == f->clerk0.user_id;
        told_admin |= notes[i].user == f->admin.user_id ||
                      notes[i].user == f->aud.user_id;
    }
    assert_true(told_leader);
    assert_false(told_clerk0);
    assert_false(told_admin);
}

static void test_calendar_change(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    struct buf report;
    char msg[256];
    int64_t id = assigned_case(f, "日历变化", 0); /* due 2026-03-09 */
    static const char amended[] =
        "year 2026 国办发明电〔2025〕7号（测试修订）\n"
        "off 2026-03-05 2026-03-06 测试假日\n";

    assert_int_equal(case_init(msg, sizeof(msg)), 0);
    buf_init(&report, 4096);
    err_clear(&e);
    assert_int_equal(calendar_import(f->db, &f->cli, amended,
                                     sizeof(amended) - 1, &report, &e),
                     0);
    buf_free(&report);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    {
        char day[11];
        ymd_fmt(v.clocks[0].st.due_date, day);
        assert_string_equal(day, "2026-03-11");
    }
    /* the cached due date followed */
    assert_int_equal(v.c.due_ms, v.clocks[0].st.due_ms);
}

static void test_lists(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_page p;
    struct case_filter flt = {0};
    int64_t ids[5];

    for (int i = 0; i < 5; i++) {
        char title[64];
        snprintf(title, sizeof(title), "列表事项%d", i + 1);
        now_set(T0 + i * 60000);
        ids[i] = assigned_case(f, title, 0);
    }
    assert_int_equal(
        fire(f, &f->staff1, ids[0], "finish", "{\"result\":\"好\"}", NULL, &e),
        0);
    flt.module = "tst";
    flt.sort = "number";
    flt.per_page = 2;
    flt.page = 2;
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, &flt, &p, &e), 0);
    assert_int_equal(p.total, 5);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.items[0].id, ids[2]);
    assert_string_equal(p.items[0].number, "测〔2026〕3号");
    assert_int_equal(p.ncounts, 4);
    assert_int_equal(p.counts[1].n, 4); /* working */
    assert_int_equal(p.counts[2].n, 1); /* done */
    flt.sort = "-created";
    flt.page = 1;
    flt.per_page = 0;
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, &flt, &p, &e), 0);
    assert_int_equal(p.items[0].id, ids[4]);
    flt.sort = NULL;
    flt.state = "done";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    flt.state = NULL;
    flt.unit = "jtj";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 5);
    flt.unit = "jyj";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 0);
    flt.unit = NULL;
    flt.q = "列表事项3";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    /* without the search hook: LIKE on title and number */
    case_on_search(NULL);
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    flt.q = "测〔2026〕2";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 1);
    flt.q = "%";
    assert_int_equal(list_total(f, &f->clerk1, &flt), 0);
    case_on_search(search_match_arg);
    flt.q = NULL;
    flt.mine = 1;
    assert_int_equal(list_total(f, &f->staff1, &flt), 4);
    assert_int_equal(list_total(f, &f->clerk1, &flt), 0);
    flt.mine = 0;
    flt.created_from = T0 + 60000;
    flt.created_to = T0 + 3 * 60000;
    assert_int_equal(list_total(f, &f->clerk1, &flt), 2);
    /* refusals */
    struct case_filter bad = {0};
    bad.sort = "id; DROP TABLE cases";
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, &bad, &p, &e), -1);
    assert_int_equal(e.status, 400);
    bad.sort = NULL;
    bad.light = "blue";
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, &bad, &p, &e), -1);
    bad.light = NULL;
    bad.module = "nope";
    err_clear(&e);
    assert_int_equal(case_list(f->db, f->a, &f->clerk1, &bad, &p, &e), -1);
    /* JSON of a list item and a view */
    {
        struct case_view v;
        json_t *j;
        assert_int_equal(case_get(f->db, f->a, &f->staff1, ids[1], &v, &e), 0);
        j = case_view_json(&v);
        assert_string_equal(json_string_value(json_object_get(j, "due")),
                            "2026-03-09");
        assert_string_equal(json_string_value(json_object_get(j, "light")),
                            "green");
        assert_true(json_array_size(json_object_get(j, "transitions")) > 0);
        assert_int_equal(json_array_size(json_object_get(j, "timeline")), 2);
        json_decref(j);
    }
}

/* TR_NUMBER and all_rel (see par_module). */
static void test_number_at_transition_and_votes(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    int64_t id = 0, id2 = 0;
    json_t *j = json_loads("{\"title\":\"会签件\","
                           "\"co_units\":[\"jtj\",\"jyj\"]}",
                           0, NULL);
    struct case_new n = {"par", 0, j, NULL};

    /* no number at creation: it is taken when submitted */
    err_clear(&e);
    assert_int_equal(case_create(f->db, f->a, &f->clerk1, &n, &id, &e), 0);
    assert_int_equal(case_create(f->db, f->a, &f->clerk1, &n, &id2, &e), 0);
    json_decref(j);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.number, "");
    /* a rolled-back submit gives its number back: none is taken while the
     * case is refused (a wrong person), and the next submit gets 1 */
    assert_int_equal(fire(f, &f->staff1, id, "submit", NULL, NULL, &e), 403);
    assert_int_equal(fire(f, &f->clerk1, id2, "submit", NULL, NULL, &e), 0);
    assert_int_equal(fire(f, &f->clerk1, id, "submit", NULL, NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id2, &v, &e), 0);
    assert_non_null(strstr(v.c.number, "〕1号"));
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_non_null(strstr(v.c.number, "〕2号"));

    /* 会签: jtj (staff1) agrees; the case waits for jyj */
    assert_int_equal(fire(f, &f->staff1, id, "agree", NULL, "同意", &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "vote");
    /* a second vote of the same unit is refused */
    assert_int_equal(fire(f, &f->staff1, id, "agree", NULL, NULL, &e), 409);
    assert_false(in_todo(f, &f->staff1, id));
    assert_true(in_todo(f, &f->staff3, id));
    /* a return starts a new round: jtj's vote is forgotten */
    assert_int_equal(fire(f, &f->clerk1, id, "back", NULL, "请修改", &e), 0);
    assert_int_equal(fire(f, &f->clerk1, id, "submit", NULL, NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_non_null(strstr(v.c.number, "〕2号")); /* numbered once */
    assert_int_equal(fire(f, &f->staff3, id, "agree", NULL, NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "vote");
    assert_int_equal(fire(f, &f->staff1, id, "agree", NULL, NULL, &e), 0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_string_equal(v.c.state->code, "passed");
}

static void test_links_comments_edit(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    int64_t a = assigned_case(f, "会议议定事项", 0);
    int64_t b = assigned_case(f, "督办事项", 0);
    int64_t s = assigned_case(f, "秘密", 1);

    err_clear(&e);
    assert_int_equal(case_link(f->db, f->a, &f->clerk0, a, b, "source", &e), 0);
    err_clear(&e);
    assert_int_equal(case_link(f->db, f->a, &f->clerk0, b, a, "source", &e),
                     -1);
    assert_int_equal(e.status, 409);
    err_clear(&e);
    assert_int_equal(case_link(f->db, f->a, &f->clerk0, a, a, "source", &e),
                     -1);
    assert_int_equal(e.status, 400);
    err_clear(&e);
    assert_int_equal(case_link(f->db, f->a, &f->clerk0, a, s, "related", &e),
                     -1);
    assert_int_equal(e.status, 404); /* clerk0 does not see the secret one */
    assert_int_equal(case_get(f->db, f->a, &f->staff1, b, &v, &e), 0);
    assert_int_equal(v.nlinks, 1);
    assert_int_equal(v.links[0].id, a);
    assert_false(v.links[0].outgoing);
    /* a link to a case the viewer cannot see is not shown */
    err_clear(&e);
    assert_int_equal(case_link(f->db, f->a, &f->clerk1, a, s, "related", &e),
                     0);
    assert_int_equal(case_get(f->db, f->a, &f->clerk0, a, &v, &e), 0);
    assert_int_equal(v.nlinks, 1);

    err_clear(&e);
    assert_int_equal(case_comment(f->db, f->a, &f->staff1, b, "已联系", &e), 0);
    err_clear(&e);
    assert_int_equal(case_comment(f->db, f->a, &f->staff1, b, "", &e), -1);
    assert_int_equal(e.status, 400);

    /* edits: only fields whose edit_roles the actor holds */
    json_t *j = json_pack("{s:i}", "score", 90);
    err_clear(&e);
    assert_int_equal(case_edit(f->db, f->a, &f->clerk1, b, j, &e), 0);
    err_clear(&e);
    assert_int_equal(case_edit(f->db, f->a, &f->staff1, b, j, &e), -1);
    assert_int_equal(e.status, 403);
    json_decref(j);
    j = json_pack("{s:s}", "title", "改名");
    err_clear(&e);
    assert_int_equal(case_edit(f->db, f->a, &f->clerk1, b, j, &e), -1);
    assert_int_equal(e.status, 403);
    json_decref(j);
    assert_int_equal(case_get(f->db, f->a, &f->staff1, b, &v, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(v.c.fields, "score")),
                     90);
    assert_true(v.nevents >= 4);
}

/* A transition writes only what changed: triggers record each UPDATE
 * that sets one of the indexed columns of cases (SQLite and PostgreSQL
 * fire "UPDATE OF" when the column is set, changed or not), each
 * rewrite of case_parties and case_waits, and each write of the clocks
 * and their cached lights.  A 催办 does none of them; a reassignment sets
 * the handler, rewrites parties and waits, and a shorter limit the clocks. */
static int64_t writes_of(struct fx *f, const char *what)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(f->db,
                                     "SELECT COUNT(*) FROM wrote WHERE what = $1",
                                     &n, "t", what),
                     STORE_ROW);
    return n;
}

static void test_writes_only_what_changed(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct case_view v;
    int64_t id = assigned_case(f, "只写变化的部分", 0);
    static const char cols[] = "lead_unit_id, handler_id, state, title, secrecy,"
                               " progress, pending, closed_ms";
    char sql[1024];

    if (store_kind(f->db) == STORE_PG) {
        assert_int_equal(
            store_exec(f->db,
                       "CREATE TABLE wrote (what TEXT);"
                       "CREATE FUNCTION wrote_fn() RETURNS trigger LANGUAGE"
                       " plpgsql AS 'BEGIN INSERT INTO wrote VALUES"
                       " (TG_ARGV[0]); RETURN NULL; END';"
                       "CREATE TRIGGER w_parties AFTER DELETE ON case_parties"
                       " FOR EACH ROW EXECUTE FUNCTION wrote_fn('parties');"
                       "CREATE TRIGGER w_waits AFTER DELETE ON case_waits"
                       " FOR EACH ROW EXECUTE FUNCTION wrote_fn('waits');"
                       "CREATE TRIGGER w_clocks AFTER UPDATE ON case_clocks"
                       " FOR EACH ROW EXECUTE FUNCTION wrote_fn('clocks');"
                       "CREATE TRIGGER w_lights AFTER UPDATE OF due_ms,"
                       " light_due_ms, light_yellow_ms, light_floor ON cases"
                       " FOR EACH ROW EXECUTE FUNCTION wrote_fn('clocks');"
                       "CREATE TRIGGER w_updated AFTER UPDATE OF updated_ms"
                       " ON cases FOR EACH ROW EXECUTE FUNCTION"
                       " wrote_fn('updated');"),
            STORE_OK);
        snprintf(sql, sizeof(sql),
                 "CREATE TRIGGER w_cols AFTER UPDATE OF %s ON cases FOR EACH"
                 " ROW EXECUTE FUNCTION wrote_fn('cols')",
                 cols);
    } else {
        /* not TEMP: a temporary trigger lives on one connection, and
         * transactions write on the file's writer (sqlite_file.h) */
        assert_int_equal(
            store_exec(f->db,
                       "CREATE TABLE wrote (what TEXT);"
                       "CREATE TRIGGER w_parties AFTER DELETE ON"
                       " case_parties BEGIN INSERT INTO wrote VALUES"
                       " ('parties'); END;"
                       "CREATE TRIGGER w_waits AFTER DELETE ON case_waits"
                       " BEGIN INSERT INTO wrote VALUES ('waits'); END;"
                       "CREATE TRIGGER w_clocks AFTER UPDATE ON"
                       " case_clocks BEGIN INSERT INTO wrote VALUES"
                       " ('clocks'); END;"
                       "CREATE TRIGGER w_lights AFTER UPDATE OF due_ms,"
                       " light_due_ms, light_yellow_ms, light_floor ON cases"
                       " BEGIN INSERT INTO wrote VALUES ('clocks'); END;"
                       "CREATE TRIGGER w_updated AFTER UPDATE OF updated_ms"
                       " ON cases BEGIN INSERT INTO wrote VALUES ('updated');"
                       " END;"),
            STORE_OK);
        snprintf(sql, sizeof(sql),
                 "CREATE TRIGGER w_cols AFTER UPDATE OF %s ON cases"
                 " BEGIN INSERT INTO wrote VALUES ('cols'); END",
                 cols);
    }
    assert_int_equal(store_exec(f->db, sql), STORE_OK);

    /* 催办: a timeline entry and updated_ms, nothing of these */
    assert_int_equal(fire(f, &f->clerk1, id, "urge", NULL, "请加快", &e), 0);
    assert_int_equal(writes_of(f, "cols"), 0);
    assert_int_equal(writes_of(f, "parties"), 0);
    assert_int_equal(writes_of(f, "waits"), 0);
    assert_int_equal(writes_of(f, "clocks"), 0); /* nor the clocks */
    assert_int_equal(writes_of(f, "updated"), 1);
    /* 退回: the state and the waits change, the parties do not */
    assert_int_equal(fire(f, &f->staff1, id, "decline", NULL, "不是我们的", &e),
                     0);
    assert_true(writes_of(f, "cols") >= 1);
    assert_int_equal(writes_of(f, "parties"), 0);
    assert_true(writes_of(f, "waits") >= 1);
    /* assigned again to another handler: the parties too */
    assert_int_equal(fire(f, &f->clerk1, id, "assign",
                          "{\"lead_unit\":\"jtj\",\"handler\":\"staff2\","
                          "\"supervisor\":\"leader1\","
                          "\"limit_class\":\"urgent\"}",
                          NULL, &e),
                     0);
    assert_true(writes_of(f, "parties") >= 1);
    assert_true(writes_of(f, "clocks") >= 1); /* a shorter limit */
    /* 办结, whose hook sets progress after the row was written: the row is
     * written twice, updated_ms (three indexes) only once */
    int64_t updated = writes_of(f, "updated");
    assert_int_equal(
        fire(f, &f->staff2, id, "finish", "{\"result\":\"已办结\"}", NULL, &e),
        0);
    assert_int_equal(writes_of(f, "updated"), updated + 1);
    assert_int_equal(case_get(f->db, f->a, &f->clerk1, id, &v, &e), 0);
    assert_int_equal(v.c.progress, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_only_what_changed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomicity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clearance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_children, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lights_and_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_comments_edit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_number_at_transition_and_votes,
                                        setup, teardown),
    };
    char msg[256];
    module_registry_use(tst_list);
    if (module_check(&tst_module, msg, sizeof(msg)) != 0 ||
        module_check(&par_module, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    module_registry_use(NULL);
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    return failed;
}
