/*
 * db.c - commands about the database itself: init, backup, check (the
 * SQLite file's integrity, the audit chain, every attachment against its
 * hash); and the helpers every command uses to open it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "cli/cli.h"
#include "kernel/audit.h"
#include "kernel/case.h"
#include "kernel/files.h"
#include "kernel/schema.h"

/* The case engine, once per process: every module table checked, the
 * kernel hooks set, the calendar hook registered. */
static int cli_engine_init(void)
{
    static int done;
    char msg[512];
    if (done)
        return 0;
    if (case_init(msg, sizeof(msg)) != 0) {
        fprintf(stderr, "shuniu: 业务模块定义有误：%s\n", msg);
        return -1;
    }
    done = 1;
    return 0;
}

struct store *cli_open_db(const struct cli_args *args)
{
    char url[1100], err[512];
    config_db_url(&args->cfg, url, sizeof(url));
    if (cli_engine_init() != 0)
        return NULL;
    struct store *db = store_open(url, err, sizeof(err));
    if (db == NULL) {
        fprintf(stderr, "shuniu: 无法打开数据库 %s：%s\n", url, err);
        return NULL;
    }
    if (store_migrate(db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "shuniu: 数据库升级失败：%s\n", err);
        store_close(db);
        return NULL;
    }
    if (case_init_db(db) != 0) {
        fputs("shuniu: 无法登记业务模块的角色（见上方日志）\n", stderr);
        store_close(db);
        return NULL;
    }
    files_configure(&args->cfg); /* hooks may store files (核发's original) */
    return db;
}

int cli_read_password(char *out, size_t cap)
{
    if (fgets(out, (int)cap, stdin) == NULL) {
        fputs("shuniu: 标准输入中没有读到密码\n", stderr);
        return -1;
    }
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (n == 0) {
        fputs("shuniu: 密码为空\n", stderr);
        return -1;
    }
    return 0;
}

int cmd_init(const struct cli_cmd *cmd, struct cli_args *args)
{
    (void)cmd;
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    printf("数据库已就绪：%s，结构版本 %d\n", store_kind_name(db),
           store_schema_version(db));
    store_close(db);
    return 0;
}

int cmd_backup(const struct cli_cmd *cmd, struct cli_args *args)
{
    (void)cmd;
    char url[1100], err[512];
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    config_db_url(&args->cfg, url, sizeof(url));
    int rc = store_backup(db, url, args->pos[0], err, sizeof(err));
    store_close(db);
    if (rc != STORE_OK) {
        fprintf(stderr, "shuniu backup: 备份失败：%s\n", err);
        return 1;
    }
    printf("已备份到 %s\n", args->pos[0]);
    return 0;
}

static const char SQL_INTEGRITY[] = "PRAGMA integrity_check";

int cmd_check(const struct cli_cmd *cmd, struct cli_args *args)
{
    (void)cmd;
    int rc = 0;
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    if (store_kind(db) == STORE_SQLITE) {
        struct stmt *st = store_prepare(db, SQL_INTEGRITY);
        int ok = store_step(st) == STORE_ROW &&
                 strcmp(store_col_text(st, 0), "ok") == 0;
        if (!ok) {
            fprintf(stderr, "数据库文件完整性检查失败：%s\n",
                    store_col_text(st, 0));
            rc = 1;
        }
        store_finalize(st);
        if (ok)
            puts("数据库文件完整性：正常");
    }
    int64_t count = 0, bad = 0;
    char msg[512] = "";
    if (audit_verify(db, &count, &bad, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "审计链校验失败：第 %lld 条记录%s\n", (long long)bad,
                msg);
        rc = 1;
    } else {
        printf("审计链：%lld 条记录，完整\n", (long long)count);
    }
    struct files_report fr;
    memset(&fr, 0, sizeof(fr));
    int frc = files_verify(db, args->cfg.data, &fr);
    if (frc < 0) {
        fputs("附件检查失败：无法读取附件记录\n", stderr);
        rc = 1;
    } else if (frc > 0) {
        fprintf(stderr, "附件检查失败：缺失 %lld 个，损坏 %lld 个；%s\n",
                (long long)fr.missing, (long long)fr.corrupt, fr.msg);
        rc = 1;
    } else {
        printf("附件：%lld 个，与散列值一致\n", (long long)fr.checked);
    }
    store_close(db);
    return rc;
}
