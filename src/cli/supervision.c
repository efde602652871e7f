/*
 * supervision.c - `shuniu import work-report FILE`: a government work
 * report's task list (CSV, UTF-8 or GB18030; columns in
 * modules/supervision.h) into one supervised item per task under one item
 * for the report.  Every row is checked first; one bad row and nothing is
 * imported, each bad row printed as FILE:LINE: reason.
 *
 * The items belong to the unit of the person who registers them: --as
 * LOGIN (a clerk of 督查科) registers in their name, so that 督查科 can
 * assign and chase them; without it the CLI operator registers them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "cli/cli.h"
#include "kernel/actor.h"
#include "kernel/auth.h"
#include "kernel/org.h"
#include "modules/supervision.h"

#define SUPERVISION_FILE_MAX ((size_t)16 << 20)

static int supervision_read_file(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = 0;
    if (f == NULL) {
        fprintf(stderr, "shuniu import work-report: 无法打开 %s：%s\n", path,
                strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(b, chunk, n)) {
            fprintf(stderr, "shuniu import work-report: 文件太大：%s\n", path);
            rc = -1;
            break;
        }
    fclose(f);
    return rc;
}

int cmd_import_work_report(const struct cli_cmd *cmd, struct cli_args *args)
{
    int rc = 1;
    const char *path = args->pos[0];
    const char *as = cli_opt(cmd, args, "as");
    struct store *db = NULL;
    struct arena *a = arena_new();
    struct actor who;
    struct err e;
    struct buf b;
    struct supervision_import_report *rep = arena_alloc(a, sizeof(*rep));
    buf_init(&b, SUPERVISION_FILE_MAX);
    err_clear(&e);
    actor_cli(&who);
    if (supervision_read_file(path, &b))
        goto out;
    db = cli_open_db(args);
    if (db == NULL)
        goto out;
    if (as) {
        struct user u;
        if (org_user_get(db, a, as, &u, &e) ||
            auth_actor_load(db, a, u.id, &who)) {
            fprintf(stderr,
                    "shuniu import work-report: 没有登录名为 %s 的人员\n", as);
            goto out;
        }
        who.ip = "cli";
    }
    if (supervision_import_work_report(db, &who, a, b.ptr, b.len,
                                       cli_opt(cmd, args, "title"), rep,
                                       &e) == 0) {
        printf("已导入工作报告任务 %d 项（上级事项编号 %lld）\n", rep->tasks,
               (long long)rep->parent_id);
        rc = 0;
        goto out;
    }
    if (rep->nbad_total > 0) {
        fprintf(stderr, "%s：有 %d 处不符合要求，未导入任何任务：\n", path,
                rep->nbad_total);
        for (int i = 0; i < rep->nbad; i++)
            fprintf(stderr, "%s:%d: %s\n", path, rep->bad[i].line,
                    rep->bad[i].reason);
    } else {
        fprintf(stderr, "shuniu import work-report: %s\n",
                e.message ? e.message : "导入失败");
        for (int i = 0; i < e.nfields; i++)
            fprintf(stderr, "  %s: %s\n", e.fields[i].field,
                    e.fields[i].message);
    }
out:
    if (db)
        store_close(db);
    buf_free(&b);
    arena_free(a);
    return rc;
}
