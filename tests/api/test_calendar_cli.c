/*
 * test_calendar_cli.c - `shuniu calendar ...` against a live test database:
 * workdays, days, is-workday and show print exactly their answer on stdout
 * (a year without a notice adds a warning on stderr); bad input exits 2
 * with a Chinese sentence naming what is wrong; import of an amendment
 * changes the answers, and a bad file is refused by line number with
 * nothing imported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

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

/* Runs argv, expects exit status rc, stdout exactly out (NULL: any) and
 * stderr containing err (NULL: no 警告 at all). */
static void expect(struct srv *s, const char *const *argv, int rc,
                   const char *out, const char *err)
{
    struct cli_result res = {0};
    int got = srv_run_cliv(s, NULL, &res, argv);
    int ok =
        got == rc && (out == NULL || strcmp(res.out, out) == 0) &&
        (err ? strstr(res.err, err) != NULL : strstr(res.err, "警告") == NULL);
    if (!ok) {
        fprintf(stderr, "shuniu");
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fail_msg("\nexit %d (want %d)\n--- stdout\n%s--- want\n%s--- stderr\n"
                 "%s--- want containing\n%s\n",
                 got, rc, res.out, out ? out : "(any)", res.err,
                 err ? err : "(no 警告)");
    }
    cli_result_free(&res);
}

#define EXPECT(s, rc, out, err, ...)                                           \
    expect((s), (const char *const[]){__VA_ARGS__, NULL}, (rc), (out), (err))

static void test_answers(void **state)
{
    struct srv *s = *state;
    static const struct {
        const char *cmd, *a, *b, *out;
    } rows[] = {
        {"workdays", "2026-02-13", "1", "2026-02-14\n"},
        {"workdays", "2026-02-14", "1", "2026-02-24\n"},
        {"workdays", "2026-02-24", "-2", "2026-02-13\n"},
        {"workdays", "2026-09-30", "1", "2026-10-08\n"},
        {"workdays", "2026-09-17", "20", "2026-10-21\n"},
        {"workdays", "2026-02-15", "0", "2026-02-15\n"},
        {"workdays", "2025-12-31", "1", "2026-01-04\n"},
        {"days", "2026-08-04", "60", "2026-10-08\n"},
        {"days", "2026-10-09", "1", "2026-10-10\n"},
        {"days", "2026-10-10", "1", "2026-10-12\n"},
        {"days", "2026-10-10", "-3", "2026-09-30\n"},
        {"is-workday", "2026-10-10", NULL, "workday\n"},
        {"is-workday", "2026-10-03", NULL, "restday\n"},
        {"is-workday", "2026-02-14", NULL, "workday\n"},
        {"is-workday", "2026-03-07", NULL, "restday\n"},
        {"is-workday", "2024-06-10", NULL, "restday\n"},
        {"is-workday", "2025-10-08", NULL, "restday\n"},
    };
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        if (rows[i].b)
            EXPECT(s, 0, rows[i].out, NULL, "calendar", rows[i].cmd, rows[i].a,
                   rows[i].b);
        else
            EXPECT(s, 0, rows[i].out, NULL, "calendar", rows[i].cmd, rows[i].a);
    }
}

static void test_unpublished_warning(void **state)
{
    struct srv *s = *state;
    static const char warn[] =
        "警告：2027年的节假日安排尚未公布，按周一至周五计算";
    EXPECT(s, 0, "2027-01-01\n", warn, "calendar", "workdays", "2026-12-31",
           "1");
    EXPECT(s, 0, "2027-01-04\n", warn, "calendar", "days", "2026-12-26", "7");
    EXPECT(s, 0, "workday\n", warn, "calendar", "is-workday", "2027-02-10");
    EXPECT(s, 0, NULL, warn, "calendar", "show", "2027");
    EXPECT(s, 0, "2023-12-29\n",
           "警告：2023年的节假日安排尚未公布，按周一至周五计算", "calendar",
           "workdays", "2024-01-02", "-1");
}

static void test_show(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    assert_int_equal(srv_run_cli(s, NULL, &res, "calendar", "show", "2026"), 0);
    assert_contains(res.out, "2026年节假日安排：国办发明电〔2025〕7号\n");
    assert_contains(res.out, "2026年10月\n");
    assert_contains(res.out, "  5休   6休   7休   8     9    10班  11\n");
    assert_contains(res.out, "  10-01 至 10-07  休  国庆节\n");
    cli_result_free(&res);
    assert_int_equal(srv_run_cli(s, NULL, &res, "calendar", "show", "2027"), 0);
    assert_contains(res.out, "2027年节假日安排：未公布（按周一至周五计算）");
    cli_result_free(&res);
}

static void test_bad_input(void **state)
{
    struct srv *s = *state;
    EXPECT(s, 2, "", "日期“2026-02-30”不对", "calendar", "workdays",
           "2026-02-30", "1");
    EXPECT(s, 2, "", "日期“26-1-1”不对", "calendar", "days", "26-1-1", "3");
    EXPECT(s, 2, "", "天数“abc”不对", "calendar", "days", "2026-01-05", "abc");
    EXPECT(s, 2, "", "天数“100001”不对", "calendar", "workdays", "2026-01-05",
           "100001");
    EXPECT(s, 2, "", "日期“tomorrow”不对", "calendar", "is-workday",
           "tomorrow");
    EXPECT(s, 2, "", "年份“20x6”不对", "calendar", "show", "20x6");
    EXPECT(s, 2, "", "缺少参数", "calendar", "workdays", "2026-01-05");
    EXPECT(s, 2, "", "多余的参数", "calendar", "is-workday", "2026-01-05",
           "2026-01-06");
    EXPECT(s, 2, "", "无法读取文件", "calendar", "import",
           "/nonexistent/2027.txt");
}

static void test_help(void **state)
{
    struct srv *s = *state;
    static const char *const cmds[] = {"workdays", "days", "is-workday", "show",
                                       "import"};
    for (size_t i = 0; i < N_ELEMS(cmds); i++) {
        struct cli_result res = {0};
        assert_int_equal(
            srv_run_cli(s, NULL, &res, "calendar", cmds[i], "--help"), 0);
        assert_contains(res.out, "用法: shuniu calendar");
        cli_result_free(&res);
    }
}

/* National Day 2026 amended: 10-08 off too, Sunday 10-11 worked. */
static const char amendment[] =
    "# 国务院办公厅关于调整2026年国庆节放假安排的通知（示例）\n"
    "year 2026 国办发明电〔2025〕7号；国办发明电〔2026〕3号\n"
    "off  2026-01-01 2026-01-03  元旦\n"
    "work 2026-01-04             元旦调休上班\n"
    "off  2026-02-15 2026-02-23  春节\n"
    "work 2026-02-14             春节调休上班\n"
    "work 2026-02-28             春节调休上班\n"
    "off  2026-04-04 2026-04-06  清明节\n"
    "off  2026-05-01 2026-05-05  劳动节\n"
    "work 2026-05-09             劳动节调休上班\n"
    "off  2026-06-19 2026-06-21  端午节\n"
    "off  2026-09-25 2026-09-27  中秋节\n"
    "work 2026-09-20             国庆节调休上班\n"
    "off  2026-10-01 2026-10-08  国庆节\n"
    "work 2026-10-10             国庆节调休上班\n"
    "work 2026-10-11             国庆节调休上班\n";

static void test_import(void **state)
{
    struct srv *s = *state;
    struct cli_result res = {0};
    /* a bad file: refused by line number, nothing imported */
    char *bad = write_file(s, "bad.txt",
                           "year 2026 国办发明电〔2026〕3号\n"
                           "off 2026-10-01 2026-10-08\n"
                           "work 2026-10-12\n"
                           "off 2027-01-01\n");
    assert_int_equal(srv_run_cli(s, NULL, &res, "calendar", "import", bad), 2);
    assert_contains(res.err, "没有导入任何内容");
    assert_contains(res.err, "第 3 行：2026-10-12 是星期一");
    assert_contains(res.err, "第 4 行：日期 2027-01-01 不在 2026 年内");
    cli_result_free(&res);
    EXPECT(s, 0, "workday\n", NULL, "calendar", "is-workday", "2026-10-08");
    EXPECT(s, 0, "2026-10-08\n", NULL, "calendar", "workdays", "2026-09-30",
           "1");
    EXPECT(s, 0, "2026-10-12\n", NULL, "calendar", "workdays", "2026-10-10",
           "1");

    /* the amendment changes the answers */
    char *good = write_file(s, "2026.txt", amendment);
    assert_int_equal(srv_run_cli(s, NULL, &res, "calendar", "import", good), 0);
    assert_contains(res.out, "已导入节假日安排");
    assert_contains(res.out, "2026年：国办发明电〔2025〕7号；国办发明电〔2026〕"
                             "3号，放假 34 天，调休上班 7 天，变动 2 天");
    cli_result_free(&res);
    EXPECT(s, 0, "restday\n", NULL, "calendar", "is-workday", "2026-10-08");
    EXPECT(s, 0, "workday\n", NULL, "calendar", "is-workday", "2026-10-11");
    EXPECT(s, 0, "2026-10-09\n", NULL, "calendar", "workdays", "2026-09-30",
           "1");
    EXPECT(s, 0, "2026-10-09\n", NULL, "calendar", "days", "2026-08-04", "60");
    EXPECT(s, 0, "2026-10-11\n", NULL, "calendar", "workdays", "2026-10-10",
           "1");

    /* a new year: the warning goes */
    char *y2027 = write_file(s, "2027.txt",
                             "year 2027 国办发明电〔2026〕9号\n"
                             "off 2027-01-01 元旦\n");
    assert_int_equal(srv_run_cli(s, NULL, &res, "calendar", "import", y2027),
                     0);
    cli_result_free(&res);
    EXPECT(s, 0, "2027-01-04\n", NULL, "calendar", "workdays", "2026-12-31",
           "1");

    /* both imports are in the audit trail, and the chain holds */
    assert_int_equal(srv_run_cli(s, NULL, &res, "check"), 0);
    cli_result_free(&res);
    free(bad);
    free(good);
    free(y2027);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_unpublished_warning),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_import), /* last: it changes the calendar */
    };
    return srv_run_group_tests(tests);
}
