/*
 * test_memo.c - the memos of counts (kernel/memo.h): an answer is reused
 * only for the same database at the same audit seq, for as long as it was
 * kept for (MEMO_CLOCK_MS or MEMO_KEEP_MS),
 * never inside a transaction; a change made through another connection (a
 * second node) is seen; two databases in one process never share one.
 * The unit list that org_unit_list keeps follows the same rule.
 * On SQLite and, when SHUNIU_TEST_PG_ADMIN is set, PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/arena.h"
#include "kernel/actor.h"
#include "kernel/audit.h"
#include "kernel/memo.h"
#include "kernel/org.h"
#include "lib_store.h"

#define T0 1772413200000LL /* Monday 2026-03-02T09:00:00+08:00 */

static const char *pg_admin;

struct fx {
    struct unit_db u, other;
    struct store *db, *db2, *odb; /* two connections; another database */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    memo_clear();
    now_set(T0);
    f->db = unit_db_new(&f->u, pg_admin);
    f->db2 = f->db != NULL ? unit_db_connect(&f->u) : NULL;
    f->odb = unit_db_new(&f->other, pg_admin);
    if (f->db2 == NULL || f->odb == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->db);
    store_close(f->db2);
    store_close(f->odb);
    unit_db_remove(&f->u);
    unit_db_remove(&f->other);
    free(f);
    memo_clear();
    now_reset();
    return 0;
}

/* One audited change, in its own transaction, through db. */
static void change(struct store *db)
{
    assert_int_equal(
        audit_log(db, NULL, "test.change", "test", "1", "ok", NULL), 0);
}

static void test_same_state_hits(void **state)
{
    struct fx *f = *state;
    struct memo_at at, at2;
    int64_t v[4] = {7, 8, 9, 10}, got[4] = {0};

    assert_int_equal(memo_at(f->db, &at), 0);
    assert_int_equal(strlen(at.db), 32); /* migration 10's random id */
    assert_int_equal(memo_get(&at, "k", got, 4), -1);
    memo_put(&at, "k", v, 4, MEMO_KEEP_MS);
    assert_int_equal(memo_get(&at, "k", got, 4), 4);
    assert_memory_equal(got, v, sizeof(v));
    /* the other connection sees the same state and the same answer */
    assert_int_equal(memo_at(f->db2, &at2), 0);
    assert_string_equal(at2.db, at.db);
    assert_int_equal(at2.seq, at.seq);
    assert_int_equal(memo_get(&at2, "k", got, 4), 4);
    /* another key, or too little room, is a miss */
    assert_int_equal(memo_get(&at, "k2", got, 4), -1);
    assert_int_equal(memo_get(&at, "k", got, 3), -1);
    /* an empty answer is an answer */
    memo_put(&at, "empty", v, 0, MEMO_KEEP_MS);
    assert_int_equal(memo_get(&at, "empty", got, 4), 0);
}

static void test_change_elsewhere_misses(void **state)
{
    struct fx *f = *state;
    struct memo_at at, later;
    int64_t v = 42, got = 0;

    assert_int_equal(memo_at(f->db, &at), 0);
    memo_put(&at, "count", &v, 1, MEMO_KEEP_MS);
    change(f->db2); /* another node's write */
    assert_int_equal(memo_at(f->db, &later), 0);
    assert_int_equal(later.seq, at.seq + 1);
    assert_int_equal(memo_get(&later, "count", &got, 1), -1);
    /* the old state's answer is still the old state's */
    assert_int_equal(memo_get(&at, "count", &got, 1), 1);
}

static void test_other_database_misses(void **state)
{
    struct fx *f = *state;
    struct memo_at at, oat;
    int64_t v = 5, got = 0;

    assert_int_equal(memo_at(f->db, &at), 0);
    assert_int_equal(memo_at(f->odb, &oat), 0);
    /* both fresh: the same seq, but not the same database */
    assert_int_equal(oat.seq, at.seq);
    assert_string_not_equal(oat.db, at.db);
    memo_put(&at, "count", &v, 1, MEMO_KEEP_MS);
    assert_int_equal(memo_get(&oat, "count", &got, 1), -1);
}

static void test_ages_out(void **state)
{
    struct fx *f = *state;
    struct memo_at at;
    int64_t v = 1, got = 0;

    assert_int_equal(memo_at(f->db, &at), 0);
    now_set(T0);
    memo_put(&at, "light", &v, 1, MEMO_CLOCK_MS);
    /* now_set moves with the real clock: a second of margin either side */
    now_set(T0 + MEMO_CLOCK_MS - 1000);
    assert_int_equal(memo_get(&at, "light", &got, 1), 1);
    now_set(T0 + MEMO_CLOCK_MS + 1000);
    assert_int_equal(memo_get(&at, "light", &got, 1), -1);
    /* a clock moved back ages it out as well */
    memo_put(&at, "light", &v, 1, MEMO_CLOCK_MS);
    now_set(T0 - 1);
    assert_int_equal(memo_get(&at, "light", &got, 1), -1);
    /* an answer the clock does not change is kept longer */
    now_set(T0);
    memo_put(&at, "count", &v, 1, MEMO_KEEP_MS);
    now_set(T0 + MEMO_CLOCK_MS + 1000);
    assert_int_equal(memo_get(&at, "count", &got, 1), 1);
    now_set(T0 + MEMO_KEEP_MS + 1000);
    assert_int_equal(memo_get(&at, "count", &got, 1), -1);
}

/* An aged-out answer (same state): the first caller to miss computes it
 * again, the others meanwhile get the old one, for MEMO_REFRESH_MS at
 * most; a change of state is never answered from the old one. */
static void test_refresh_once(void **state)
{
    struct fx *f = *state;
    struct memo_at at, later;
    int64_t v = 11, v2 = 12, got = 0;

    assert_int_equal(memo_at(f->db, &at), 0);
    now_set(T0);
    memo_put(&at, "order", &v, 1, MEMO_CLOCK_MS);
    now_set(T0 + MEMO_CLOCK_MS + 1000);
    assert_int_equal(memo_get(&at, "order", &got, 1), -1); /* computes */
    got = 0;
    assert_int_equal(memo_get(&at, "order", &got, 1), 1); /* the others */
    assert_int_equal(got, 11);
    /* the refresh never came: after MEMO_REFRESH_MS another caller tries */
    now_set(T0 + MEMO_CLOCK_MS + 1000 + MEMO_REFRESH_MS + 500);
    assert_int_equal(memo_get(&at, "order", &got, 1), -1);
    memo_put(&at, "order", &v2, 1, MEMO_CLOCK_MS);
    assert_int_equal(memo_get(&at, "order", &got, 1), 1);
    assert_int_equal(got, 12);
    /* far past its time (twice as long): nobody gets the old answer */
    now_set(T0 + MEMO_CLOCK_MS + 1000 + 3 * MEMO_CLOCK_MS);
    assert_int_equal(memo_get(&at, "order", &got, 1), -1);
    assert_int_equal(memo_get(&at, "order", &got, 1), -1);
    /* a change: the old state's answer is not given for the new one */
    memo_put(&at, "order", &v, 1, MEMO_CLOCK_MS);
    change(f->db2);
    assert_int_equal(memo_at(f->db, &later), 0);
    assert_int_equal(memo_get(&later, "order", &got, 1), -1);
    assert_int_equal(memo_get(&later, "order", &got, 1), -1);
}

static void test_none_inside_a_transaction(void **state)
{
    struct fx *f = *state;
    struct memo_at at;
    int64_t v = 3, got = 0;

    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(memo_at(f->db, &at), -1);
    assert_int_equal(at.seq, -1);
    memo_put(&at, "k", &v, 1, MEMO_KEEP_MS); /* does nothing */
    assert_int_equal(memo_get(&at, "k", &got, 1), -1);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_int_equal(memo_at(f->db, &at), 0);
    assert_int_equal(memo_get(&at, "k", &got, 1), -1);
}

/* The unit list (org_unit_list) is kept under the same rule: a unit added
 * or renamed through another connection is seen at once, a transaction
 * sees its own changes, another database never gets this one's list. */
static const char *unit_name_in(struct store *db, struct arena *a,
                                const char *code)
{
    struct unit *u;
    int n;
    struct err e;
    err_clear(&e);
    assert_int_equal(org_unit_list(db, a, &u, &n, &e), 0);
    for (int i = 0; i < n; i++)
        if (strcmp(u[i].code, code) == 0)
            return u[i].name;
    return NULL;
}

static void test_unit_list_kept(void **state)
{
    struct fx *f = *state;
    struct arena *a = arena_new();
    struct actor cli;
    struct err e;
    struct unit u = {0}, rename = {0};

    actor_cli(&cli);
    err_clear(&e);
    u.code = "jtj";
    u.name = "交通局";
    u.kind = "department";
    assert_int_equal(org_unit_create(f->db, &cli, &u, &e), 0);
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "交通局");
    /* a change that is not audited is not seen: the list was kept */
    assert_int_equal(store_run(f->db, "UPDATE units SET name = $1 WHERE code = $2",
                               "tt", "未审计的名称", "jtj"),
                     STORE_OK);
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "交通局");
    /* renamed through the other connection: seen through the first */
    rename.name = "交通运输局";
    rename.sort = 0;
    rename.active = -1;
    assert_int_equal(org_unit_update(f->db2, &cli, "jtj", &rename, &e), 0);
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "交通运输局");
    /* inside a transaction, the transaction's own change */
    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(store_run(f->db, "UPDATE units SET name = $1 WHERE code = $2",
                               "tt", "临时名称", "jtj"),
                     STORE_OK);
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "临时名称");
    assert_int_equal(store_rollback(f->db), STORE_OK);
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "交通运输局");
    /* the other database has neither */
    assert_null(unit_name_in(f->odb, a, "jtj"));
    assert_string_equal(unit_name_in(f->db, a, "jtj"), "交通运输局");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_state_hits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_elsewhere_misses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_other_database_misses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ages_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_none_inside_a_transaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unit_list_kept, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = unit_pg_admin();
    if (pg_admin != NULL)
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    return failed;
}
