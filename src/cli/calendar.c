/*
 * calendar.c - the holiday calendar at the command line:
 *
 *     shuniu calendar workdays FROM N   the N-th working day after FROM
 *     shuniu calendar days FROM N       FROM + N days, a rest day moved to
 *                                       the next working day
 *     shuniu calendar is-workday DATE   "workday" or "restday"
 *     shuniu calendar show YEAR         month grids, notice, holidays
 *     shuniu calendar import FILE       a year's schedule (base/calendar.h)
 *
 * Answers go to stdout alone (a date as YYYY-MM-DD), so scripts can use
 * them; a year without a published schedule adds a warning on stderr.
 * Bad input exits 2 with a Chinese sentence naming what is wrong; a
 * database failure exits 1.  The operator imports as "cli" (actor_cli).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/calendar.h"
#include "cli/cli.h"
#include "kernel/calendar_store.h"

#define CALENDAR_FILE_MAX ((size_t)1 << 20)

static int calendar_arg_date(const struct cli_cmd *cmd, const char *s,
                             struct ymd *out)
{
    if (ymd_parse(s, out) == 0)
        return 0;
    fprintf(stderr,
            "shuniu %s: 日期“%s”不对，应为 YYYY-MM-DD 格式的有效日期，"
            "如 2026-02-13\n",
            cmd->words, s);
    return -1;
}

static int calendar_arg_int(const struct cli_cmd *cmd, const char *s,
                            const char *what, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] != '\0' && *end == '\0' && errno == 0 && v >= lo && v <= hi) {
        *out = (int)v;
        return 0;
    }
    fprintf(stderr, "shuniu %s: %s“%s”不对，应为 %ld 到 %ld 之间的整数\n",
            cmd->words, what, s, lo, hi);
    return -1;
}

/* Warns on stderr for every year from a to b without a published
 * schedule. */
static void calendar_warn(const struct calendar *cal, struct ymd a,
                          struct ymd b)
{
    int lo = a.y < b.y ? a.y : b.y, hi = a.y < b.y ? b.y : a.y;
    for (int y = lo; y <= hi; y++)
        if (!calendar_year_published(cal, y))
            fprintf(stderr,
                    "警告：%d年的节假日安排尚未公布，按周一至周五计算\n", y);
}

/* Opens the database and loads its calendar; prints why not. */
static struct store *calendar_open(const struct cli_cmd *cmd,
                                   const struct cli_args *args,
                                   struct calendar **cal)
{
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return NULL;
    if (calendar_load(db, cal) != 0) {
        fprintf(stderr, "shuniu %s: 无法读取节假日安排：%s\n", cmd->words,
                store_errmsg(db));
        store_close(db);
        return NULL;
    }
    return db;
}

/* workdays and days: FROM N -> a date. */
static int calendar_count(const struct cli_cmd *cmd, struct cli_args *args,
                          int workdays)
{
    struct ymd from, to;
    struct calendar *cal = NULL;
    char out[11];
    int n, unpublished = 0;
    if (calendar_arg_date(cmd, args->pos[0], &from) ||
        calendar_arg_int(cmd, args->pos[1], "天数", -CALENDAR_MAX_N,
                         CALENDAR_MAX_N, &n))
        return 2;
    struct store *db = calendar_open(cmd, args, &cal);
    if (db == NULL)
        return 1;
    int rc = workdays ? calendar_add_workdays(cal, from, n, &to, &unpublished)
                      : calendar_add_days(cal, from, n, &to, &unpublished);
    if (rc == 0) {
        ymd_fmt(to, out);
        puts(out);
        if (unpublished)
            calendar_warn(cal, from, to);
    } else {
        fprintf(stderr, "shuniu %s: 结果超出了可以计算的日期范围\n",
                cmd->words);
    }
    calendar_free(cal);
    store_close(db);
    return rc ? 2 : 0;
}

int cmd_calendar_workdays(const struct cli_cmd *cmd, struct cli_args *args)
{
    return calendar_count(cmd, args, 1);
}

int cmd_calendar_days(const struct cli_cmd *cmd, struct cli_args *args)
{
    return calendar_count(cmd, args, 0);
}

int cmd_calendar_is_workday(const struct cli_cmd *cmd, struct cli_args *args)
{
    struct ymd d;
    struct calendar *cal = NULL;
    if (calendar_arg_date(cmd, args->pos[0], &d))
        return 2;
    struct store *db = calendar_open(cmd, args, &cal);
    if (db == NULL)
        return 1;
    puts(calendar_is_workday(cal, d) ? "workday" : "restday");
    calendar_warn(cal, d, d);
    calendar_free(cal);
    store_close(db);
    return 0;
}

int cmd_calendar_show(const struct cli_cmd *cmd, struct cli_args *args)
{
    struct calendar *cal = NULL;
    struct buf out;
    int y;
    if (calendar_arg_int(cmd, args->pos[0], "年份", 1900, 9999, &y))
        return 2;
    struct store *db = calendar_open(cmd, args, &cal);
    if (db == NULL)
        return 1;
    buf_init(&out, 1 << 20);
    int rc = calendar_format_year(cal, y, &out);
    fwrite(out.ptr, 1, out.len, stdout);
    calendar_warn(cal, (struct ymd){y, 1, 1}, (struct ymd){y, 1, 1});
    buf_free(&out);
    calendar_free(cal);
    store_close(db);
    return rc ? 1 : 0;
}

/* The whole file into b; prints why not. */
static int calendar_read_file(const struct cli_cmd *cmd, const char *path,
                              struct buf *b)
{
    char chunk[8192];
    size_t n;
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "shuniu %s: 无法读取文件 %s：%s\n", cmd->words, path,
                strerror(errno));
        return -1;
    }
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(b, chunk, n)) {
            fprintf(stderr, "shuniu %s: 文件 %s 太大（最多 %zu 字节）\n",
                    cmd->words, path, CALENDAR_FILE_MAX);
            rc = -1;
        }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "shuniu %s: 读取文件 %s 出错\n", cmd->words, path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

int cmd_calendar_import(const struct cli_cmd *cmd, struct cli_args *args)
{
    struct buf text, report;
    struct store *db = NULL;
    struct actor who;
    struct err e;
    int rc = 2;
    buf_init(&text, CALENDAR_FILE_MAX);
    buf_init(&report, 1 << 20);
    actor_cli(&who);
    err_clear(&e);
    if (calendar_read_file(cmd, args->pos[0], &text))
        goto out;
    db = cli_open_db(args);
    if (db == NULL) {
        rc = 1;
        goto out;
    }
    if (calendar_import(db, &who, text.ptr, text.len, &report, &e) != 0) {
        fprintf(stderr, "shuniu %s: %s：%s\n", cmd->words, args->pos[0],
                e.message ? e.message : "导入失败");
        fwrite(report.ptr, 1, report.len, stderr);
        rc = e.status == 400 ? 2 : 1;
        goto out;
    }
    fputs("已导入节假日安排：\n", stdout);
    fwrite(report.ptr, 1, report.len, stdout);
    rc = 0;
out:
    if (db != NULL)
        store_close(db);
    buf_free(&report);
    buf_free(&text);
    return rc;
}
