/*
 * test_case_chunk.c - the Excel export reads a list in keyset chunks
 * (case_list_chunk); the pages show it with case_list (LIMIT/OFFSET).  Both
 * must give the same cases in the same order, for every sort, filter and
 * viewer, or an export would miss or repeat rows.
 *
 * The office: two modules defined here ("chk": numbered when assigned, a
 * main clock on a deadline; "chm": numbered at creation), a few hundred
 * cases with many equal sort keys (titles from a short list, several
 * created or updated in the same minute, equal deadlines, unnumbered and
 * undue cases), every state and light, and classified cases.  For each
 * viewer, filter and sort (both directions, and the default) the ids of
 * all chunks of CHUNK are compared with the ids of the concatenated pages.
 * On SQLite and, when SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set,
 * PostgreSQL.
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
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/auth.h"
#include "kernel/case.h"
#include "kernel/org.h"
#include "kernel/schema.h"
#include "kernel/search.h"
#include "store/store.h"

#define T0 1772413200000LL /* Monday 2026-03-02T09:00:00+08:00 */
#define MINUTE 60000LL
/* When the lists are read: Monday 2026-03-09T10:00:00+08:00, a week on, so
 * the deadlines below are past (red), near (yellow) or far (green). */
#define T_READ (T0 + 7 * 86400000LL + 60 * MINUTE)

/* The office's cases: NCASES of "chk", NOTES of "chm". */
#define NCASES 300
#define NNOTES 40
/* Every STATE_EVERY-th chk case stays registered (no number, no due date);
 * of the others, one in STATE_EVERY is finished. */
#define STATE_EVERY 5
/* One chk case in SECRET_EVERY is classified (秘密 or 机密). */
#define SECRET_EVERY 37
/* Cases created in one minute, and assigned in one minute: equal keys. */
#define SAME_CREATED 3
#define SAME_UPDATED 2
/* The assignment order walks the cases with this stride (prime to NCASES),
 * so numbers and updates do not follow the ids. */
#define ASSIGN_STRIDE 7
/* The chunk size, and the page size of the lists compared with it. */
#define CHUNK 7
#define PER_PAGE 50

/* ---- the modules ---- */

static const struct choice_def chk_secrecy[] = {
    {"0", "无"}, {"1", "秘密"}, {"2", "机密"}, {NULL, NULL}};

static const struct field_def chk_fields[] = {
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
     .choices = chk_secrecy,
     .default_value = "0"},
    {.code = "lead_unit",
     .label = "牵头单位",
     .type = FIELD_UNIT,
     .role = FIELD_IS_LEAD_UNIT},
    {.code = "deadline", .label = "完成时限", .type = FIELD_DATE},
    {0},
};

static const struct state_def chk_states[] = {
    {.code = "registered",
     .label = "已登记",
     .flags = STATE_INITIAL,
     .wait_rel = REL_SAME_UNIT,
     .wait_roles = "clerk"},
    {.code = "working",
     .label = "办理中",
     .wait_rel = REL_LEAD_UNIT,
     .wait_roles = "staff"},
    {.code = "done", .label = "已办结", .flags = STATE_CLOSED},
    {0},
};

static const struct transition_def chk_transitions[] = {
    {.code = "assign",
     .label = "交办",
     .from = "registered",
     .to = "working",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .fields = "lead_unit,deadline",
     .required = "lead_unit",
     .flags = TR_NUMBER,
     .clocks = {{"handle", CLOCK_OP_START}}},
    {.code = "finish",
     .label = "办结",
     .from = "working",
     .to = "done",
     .roles = "clerk"},
    {0},
};

static const struct clock_def chk_clocks[] = {
    {.code = "handle",
     .label = "办理时限",
     .unit = CLOCK_CALENDAR_DAYS,
     .length = 30,
     .deadline_field = "deadline",
     .main = 1},
    {0},
};

static const struct module_def chk_module = {
    .code = "chk",
    .label = "分块测试",
    .case_label = "分块事项",
    .fields = chk_fields,
    .states = chk_states,
    .transitions = chk_transitions,
    .clocks = chk_clocks,
    .number_pattern = "核〔{year}〕{n}号",
    .create_roles = "clerk",
};

static const struct field_def chm_fields[] = {
    {.code = "title",
     .label = "事项名称",
     .type = FIELD_TEXT,
     .role = FIELD_IS_TITLE,
     .flags = FIELD_SEARCH | FIELD_LIST,
     .required_in = "*"},
    {0},
};

static const struct state_def chm_states[] = {
    {.code = "open",
     .label = "待办",
     .flags = STATE_INITIAL,
     .wait_rel = REL_SAME_UNIT,
     .wait_roles = "clerk"},
    {.code = "closed", .label = "已办结", .flags = STATE_CLOSED},
    {0},
};

static const struct transition_def chm_transitions[] = {
    {.code = "close",
     .label = "办结",
     .from = "open",
     .to = "closed",
     .roles = "clerk"},
    {0},
};

static const struct module_def chm_module = {
    .code = "chm",
    .label = "记事测试",
    .case_label = "记事",
    .fields = chm_fields,
    .states = chm_states,
    .transitions = chm_transitions,
    .number_pattern = "记〔{year}〕{n}号",
    .create_roles = "clerk",
};

static const struct module_def *const chk_list[] = {&chk_module, &chm_module,
                                                    NULL};

/* Titles repeat (equal title keys); ASCII and Chinese, searchable words. */
static const char *const chk_titles[] = {
    "关于道路养护的通知", "学校安全检查报告", "道路交通整治方案",
    "春耕生产工作安排",   "Alpha 项目推进",   "关于防汛准备的通知",
    "学校食堂检查",
};
#define NTITLES (sizeof(chk_titles) / sizeof(chk_titles[0]))

/* Deadlines (with T_READ: red, yellow, green, green); "" for none, the
 * clock's own length. */
static const char *const chk_deadlines[] = {"2026-03-05", "2026-03-10",
                                            "2026-03-20", "2026-04-30", ""};
#define NDEADLINES (sizeof(chk_deadlines) / sizeof(chk_deadlines[0]))

/* ---- the office ---- */

static const char *pg_admin;

struct office {
    char dir[64], path[128], pgname[64], url[192];
    struct store *db;
    struct arena *a;
    struct actor clerk2; /* 办公室, 机密: sees every case */
    struct actor clerk0; /* 办公室, no clearance */
    struct actor staff;  /* 交通局, what waits for it */
    struct actor admin;  /* 系统管理员: no business data */
    int64_t secret_id;   /* a classified chk case */
};

static const struct {
    const char *code, *name, *kind;
} office_units[] = {
    {"office", "市政府办公室", "office"},
    {"jtj", "市交通局", "department"},
    {"jyj", "市教育局", "department"},
    {NULL, NULL, NULL},
};

static const struct {
    const char *login, *unit, *role;
    int clearance;
} office_people[] = {
    {"clerk2", "office", "clerk", 2},
    {"clerk0", "office", "clerk", 0},
    {"jtj_cb", "jtj", "staff", 0},
    {"admin", "office", "sysadmin", 0},
    {NULL, NULL, NULL, 0},
};

static void office_actor(struct office *o, const char *login, struct actor *who)
{
    struct user u;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_user_get(o->db, o->a, login, &u, &e), 0);
    assert_int_equal(auth_actor_load(o->db, o->a, u.id, who), 0);
}

static void office_people_add(struct office *o)
{
    struct actor cli;
    struct err e;
    actor_cli(&cli);
    err_clear(&e);
    for (int i = 0; office_units[i].code != NULL; i++) {
        struct unit u = {0};
        u.code = office_units[i].code;
        u.name = office_units[i].name;
        u.kind = office_units[i].kind;
        u.active = 1;
        if (org_unit_create(o->db, &cli, &u, &e) != 0)
            fail_msg("unit %s: %s", u.code, e.message);
    }
    for (int i = 0; office_people[i].login != NULL; i++) {
        struct user u = {0};
        u.login = office_people[i].login;
        u.name = office_people[i].login;
        u.unit_code = office_people[i].unit;
        u.nroles = 1;
        u.roles[0] = office_people[i].role;
        u.clearance = office_people[i].clearance;
        u.active = 1;
        if (org_user_create_hashed(o->db, &cli, &u, "", &e) != 0)
            fail_msg("user %s: %s", u.login, e.message);
    }
    office_actor(o, "clerk2", &o->clerk2);
    office_actor(o, "clerk0", &o->clerk0);
    office_actor(o, "jtj_cb", &o->staff);
    office_actor(o, "admin", &o->admin);
}

static int64_t office_case_new(struct office *o, const char *module,
                               json_t *fields)
{
    struct case_new n = {module, 0, fields, NULL};
    struct err e;
    int64_t id = 0;
    err_clear(&e);
    if (case_create(o->db, o->a, &o->clerk2, &n, &id, &e) != 0)
        fail_msg("create %s: %d %s", module, e.status, e.message);
    json_decref(fields);
    return id;
}

static void office_fire(struct office *o, int64_t id, const char *code,
                        json_t *fields)
{
    struct err e;
    err_clear(&e);
    if (case_fire(o->db, o->a, &o->clerk2, id, code, fields, NULL, &e) != 0)
        fail_msg("%s %" PRId64 ": %d %s", code, id, e.status, e.message);
    json_decref(fields);
}

/* The chk case i's assignment: lead unit, deadline (or the clock's);
 * the deadlines go round per group of STATE_EVERY cases, so that each
 * state has each. */
static json_t *office_assignment(int i)
{
    json_t *f = json_pack("{s:s}", "lead_unit", i % 2 ? "jtj" : "jyj");
    const char *deadline =
        chk_deadlines[(size_t)(i / STATE_EVERY) % NDEADLINES];
    if (deadline[0] != '\0')
        json_object_set_new(f, "deadline", json_string(deadline));
    return f;
}

/* Registers every case, then assigns and finishes them in another order
 * than they were made, a clock step every few cases. */
static void office_cases_add(struct office *o)
{
    int64_t ids[NCASES];
    int step = 0;

    for (int i = 0; i < NCASES; i++) {
        int secrecy = i % SECRET_EVERY == SECRET_EVERY - 1 ? 1 + i % 2 : 0;
        now_set(T0 + (i / SAME_CREATED) * MINUTE);
        ids[i] = office_case_new(o, "chk",
                                 json_pack("{s:s, s:s}", "title",
                                           chk_titles[(size_t)i % NTITLES],
                                           "secrecy",
                                           secrecy == 2 ? "2"
                                           : secrecy    ? "1"
                                                        : "0"));
        if (secrecy)
            o->secret_id = ids[i];
    }
    for (int i = 0; i < NNOTES; i++)
        office_case_new(
            o, "chm",
            json_pack("{s:s}", "title", chk_titles[(size_t)(i * 3) % NTITLES]));
    for (int k = 0; k < NCASES; k++) {
        int i = (k * ASSIGN_STRIDE) % NCASES;
        if (i % STATE_EVERY == 0)
            continue;
        now_set(T0 + (NCASES + step++ / SAME_UPDATED) * MINUTE);
        office_fire(o, ids[i], "assign", office_assignment(i));
        if (i % STATE_EVERY == STATE_EVERY - 1)
            office_fire(o, ids[i], "finish", NULL);
    }
    /* some are classified: the viewers without clearance miss them */
    assert_int_not_equal(o->secret_id, 0);
}

static int office_open(void **state)
{
    static int serial;
    struct office *o = calloc(1, sizeof(*o));
    char err[256];

    module_registry_use(chk_list);
    case_on_index(search_index_case);
    case_on_search(search_match_arg);
    if (pg_admin == NULL) {
        snprintf(o->dir, sizeof(o->dir), "/tmp/shuniu-chunk-XXXXXX");
        if (mkdtemp(o->dir) == NULL)
            return -1;
        snprintf(o->path, sizeof(o->path), "%s/t.db", o->dir);
        snprintf(o->url, sizeof(o->url), "sqlite:%s", o->path);
    } else {
        snprintf(o->pgname, sizeof(o->pgname), "shuniu_chunk_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, o->pgname, err, sizeof(err)) !=
                STORE_OK ||
            store_url_with_db(pg_admin, o->pgname, o->url, sizeof(o->url)) !=
                STORE_OK) {
            fprintf(stderr, "office: %s\n", err);
            return -1;
        }
    }
    o->db = store_open(o->url, err, sizeof(err));
    if (o->db == NULL ||
        store_migrate(o->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "office: %s\n", err);
        return -1;
    }
    o->a = arena_new();
    *state = o;
    return 0;
}

static int office_close(void **state)
{
    struct office *o = *state;
    char p[192], err[256];
    store_close(o->db);
    arena_free(o->a);
    if (pg_admin != NULL) {
        store_drop_database(pg_admin, o->pgname, err, sizeof(err));
    } else {
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(p, sizeof(p), "%s%s", o->path, suffixes[i]);
            unlink(p);
        }
        rmdir(o->dir);
    }
    free(o);
    now_reset();
    module_registry_use(NULL);
    case_on_index(NULL);
    case_on_search(NULL);
    case_search_tune(0, -1);
    case_search_force(NULL);
    return 0;
}

/* ---- the comparison ---- */

/* Ids read from a list, in order. */
struct idlist {
    int64_t ids[NCASES + NNOTES + 1];
    int n;
};

static void idlist_add(struct idlist *l, int64_t id)
{
    if (l->n >= (int)(sizeof(l->ids) / sizeof(l->ids[0])))
        fail_msg("more rows than cases: a list repeats some");
    l->ids[l->n++] = id;
}

static int idlist_has(const struct idlist *l, int64_t id)
{
    for (int i = 0; i < l->n; i++)
        if (l->ids[i] == id)
            return 1;
    return 0;
}

/* Every page of f's list for who, PER_PAGE a page; the total in *total. */
static void read_pages(struct office *o, const struct actor *who,
                       const struct case_filter *f, struct idlist *out,
                       int64_t *total)
{
    struct case_filter pf = *f;
    struct case_page p;
    struct err e;
    out->n = 0;
    pf.per_page = PER_PAGE;
    for (pf.page = 1;; pf.page++) {
        struct arena *a = arena_new();
        err_clear(&e);
        if (case_list(o->db, a, who, &pf, &p, &e) != 0)
            fail_msg("case_list: %d %s", e.status, e.message);
        *total = p.total;
        for (int i = 0; i < p.n; i++)
            idlist_add(out, p.items[i].id);
        arena_free(a);
        if (p.n < PER_PAGE)
            return;
    }
}

/* Every chunk of f's list for who, CHUNK a chunk, with or without the
 * fields; counts the chunks in *nchunks. */
static void read_chunks(struct office *o, const struct actor *who,
                        const struct case_filter *f, int with_fields,
                        struct idlist *out, int *nchunks)
{
    struct case_cursor cur;
    struct case_item *items;
    struct err e;
    int n;
    memset(&cur, 0, sizeof(cur));
    out->n = 0;
    *nchunks = 0;
    while (!cur.done) {
        struct arena *a = arena_new();
        err_clear(&e);
        if (case_list_chunk(o->db, a, who, f, with_fields, &cur, CHUNK, &items,
                            &n, &e) != 0)
            fail_msg("case_list_chunk: %d %s", e.status, e.message);
        assert_true(n <= CHUNK);
        for (int i = 0; i < n; i++) {
            idlist_add(out, items[i].id);
            if (with_fields)
                assert_non_null(items[i].fields);
        }
        arena_free(a);
        (*nchunks)++;
    }
    case_cursor_done(&cur);
}

/* The sorts case_filter allows, each way, and the default (NULL). */
static const char *const sorts[] = {
    NULL,       "due",    "-due",    "created", "-created", "updated",
    "-updated", "number", "-number", "title",   "-title", "id", "-id",
};
#define NSORTS (sizeof(sorts) / sizeof(sorts[0]))

/* Figures of one engine's run, printed at the end. */
struct tally {
    int lists, rows, chunks;
};

/* Compares the chunks with the pages of f for who under every sort; the
 * number of rows (the same for every sort) in *rows. */
static void compare_sorts(struct office *o, const struct actor *who,
                          const char *what, struct case_filter f,
                          struct tally *t, int *rows)
{
    static struct idlist pages, chunks;
    int64_t total;
    int nchunks;
    *rows = -1;
    for (size_t s = 0; s < NSORTS; s++) {
        f.sort = sorts[s];
        read_pages(o, who, &f, &pages, &total);
        read_chunks(o, who, &f, (int)(s % 2), &chunks, &nchunks);
        if (f.q == NULL || f.q[0] == '\0')
            assert_int_equal(total, pages.n);
        if (chunks.n != pages.n)
            fail_msg("%s, sort %s: %d rows in chunks, %d in pages", what,
                     f.sort ? f.sort : "(default)", chunks.n, pages.n);
        for (int i = 0; i < pages.n; i++)
            if (chunks.ids[i] != pages.ids[i])
                fail_msg("%s, sort %s: row %d is case %" PRId64
                         " in chunks, %" PRId64 " in pages",
                         what, f.sort ? f.sort : "(default)", i, chunks.ids[i],
                         pages.ids[i]);
        /* the last chunk is short (or empty when the rows fill them) */
        assert_int_equal(nchunks, pages.n / CHUNK + 1);
        assert_true(*rows < 0 || *rows == pages.n);
        *rows = pages.n;
        t->lists++;
        t->rows += pages.n;
        t->chunks += nchunks;
    }
}

/* The filters, with the viewer of each and whether its list must hold the
 * classified case (1), must not (0), or either (-1). */
struct filter_case {
    const char *what;
    struct case_filter f;
    int viewer; /* 0 clerk2, 1 clerk0, 2 staff, 3 admin */
    int secret; /* 1 listed, 0 missing, -1 either */
};

static const struct filter_case filter_cases[] = {
    {"all, cleared", {0}, 0, 1},
    {"all, no clearance", {0}, 1, 0},
    {"all, staff", {0}, 2, 0},
    {"all, sysadmin", {0}, 3, 0},
    {"module chk", {.module = "chk"}, 0, 1},
    {"module chk, no clearance", {.module = "chk"}, 1, 0},
    {"module chm", {.module = "chm"}, 0, 0},
    {"state registered", {.module = "chk", .state = "registered"}, 0, -1},
    {"state working", {.module = "chk", .state = "working"}, 0, -1},
    {"state done", {.module = "chk", .state = "done"}, 1, 0},
    {"unit jtj", {.unit = "jtj"}, 0, -1},
    {"unit jyj, no clearance", {.unit = "jyj"}, 1, 0},
    {"unit office", {.unit = "office"}, 0, 1},
    {"light red", {.light = "red"}, 0, -1},
    {"light yellow", {.light = "yellow"}, 0, -1},
    {"light green", {.light = "green"}, 1, 0},
    {"light none", {.light = "none"}, 0, -1},
    {"open only, module chk", {.module = "chk", .open_only = 1}, 0, -1},
    {"mine, staff", {.mine = 1}, 2, 0},
    {"top level, no clearance", {.parent_id = -1}, 1, 0},
    {"due before 2026-03-11", {.due_to = T0 + 9 * 86400000LL}, 0, -1},
    {"search 道路", {.q = "道路"}, 0, -1},
    {"search 检查, no clearance", {.q = "检查"}, 1, 0},
};
#define NFILTERS (sizeof(filter_cases) / sizeof(filter_cases[0]))

static const struct actor *viewer_of(struct office *o, int v)
{
    const struct actor *const viewers[] = {&o->clerk2, &o->clerk0, &o->staff,
                                           &o->admin};
    return viewers[v];
}

/* The classified case is in the list of every sort or in none, as the
 * filter case says; checked on the default sort's pages and chunks. */
static void check_secret(struct office *o, const struct filter_case *fc)
{
    static struct idlist pages, chunks;
    int64_t total;
    int nchunks;
    const struct actor *who = viewer_of(o, fc->viewer);
    if (fc->secret < 0)
        return;
    read_pages(o, who, &fc->f, &pages, &total);
    read_chunks(o, who, &fc->f, 1, &chunks, &nchunks);
    if (idlist_has(&pages, o->secret_id) != fc->secret ||
        idlist_has(&chunks, o->secret_id) != fc->secret)
        fail_msg("%s: the classified case should be %s", fc->what,
                 fc->secret ? "listed" : "missing");
}

static void test_chunks_match_pages(void **state)
{
    struct office *o = *state;
    struct tally t = {0};
    int rows;

    office_people_add(o);
    office_cases_add(o);
    now_set(T_READ);
    for (size_t i = 0; i < NFILTERS; i++) {
        const struct filter_case *fc = &filter_cases[i];
        compare_sorts(o, viewer_of(o, fc->viewer), fc->what, fc->f, &t, &rows);
        check_secret(o, fc);
        print_message("    %-28s %4d rows\n", fc->what, rows);
        /* a filter that lists nothing compares nothing (but for the
         * administrator, who sees no business data) */
        if (fc->viewer == 3)
            assert_int_equal(rows, 0);
        else
            assert_true(rows > 0);
    }
    /* searches walking the list's order (the plans for common words) */
    case_search_force("set");
    compare_sorts(o, &o->clerk2, "search 道路, walking, set of matches",
                  (struct case_filter){.q = "道路"}, &t, &rows);
    assert_true(rows > 0);
    case_search_force("probe");
    compare_sorts(o, &o->clerk2, "search 道路, walking, probing",
                  (struct case_filter){.q = "道路"}, &t, &rows);
    assert_true(rows > 0);
    case_search_force(NULL);
    print_message("    %d lists compared: %d rows, read in %d chunks of at "
                  "most %d\n",
                  t.lists, t.rows, t.chunks, CHUNK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chunks_match_pages, office_open,
                                        office_close),
    };
    char msg[256];
    int failed;
    if (module_check(&chk_module, msg, sizeof(msg)) != 0 ||
        module_check(&chm_module, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    return failed;
}
