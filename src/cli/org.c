/*
 * org.c - commands for units and people: unit add, user add, user passwd,
 * import org.  The operator at the command line acts as "cli" (actor_cli):
 * the owner of the machine, audited under that name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "cli/cli.h"
#include "kernel/auth.h"
#include "kernel/org.h"

/* Prints a kernel refusal: the message, then each field's message. */
static void print_err(const char *what, const struct err *e)
{
    fprintf(stderr, "shuniu %s: %s\n", what,
            e->message ? e->message : "操作失败");
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "  --%s: %s\n", e->fields[i].field,
                e->fields[i].message);
}

static int need(const struct cli_cmd *cmd, const struct cli_args *args,
                const char *name)
{
    if (cli_opt(cmd, args, name))
        return 0;
    fprintf(stderr, "shuniu %s: 请提供 --%s\n", cmd->words, name);
    return -1;
}

int cmd_unit_add(const struct cli_cmd *cmd, struct cli_args *args)
{
    if (need(cmd, args, "code") || need(cmd, args, "name") ||
        need(cmd, args, "kind"))
        return 2;
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    struct actor who;
    struct err e;
    struct unit u = {0};
    actor_cli(&who);
    err_clear(&e);
    u.code = cli_opt(cmd, args, "code");
    u.name = cli_opt(cmd, args, "name");
    u.short_name = cli_opt(cmd, args, "short");
    u.kind = cli_opt(cmd, args, "kind");
    u.parent_code = cli_opt(cmd, args, "parent");
    u.active = 1;
    int rc = org_unit_create(db, &who, &u, &e);
    if (rc)
        print_err(cmd->words, &e);
    else
        printf("已新增单位 %s %s\n", u.code, u.name);
    store_close(db);
    return rc ? 1 : 0;
}

/* Splits "a,b,c" into roles (pointers into a copy owned by the arena). */
static int split_roles(struct arena *a, const char *s, const char **roles)
{
    int n = 0;
    char *copy = arena_strdup(a, s), *save = NULL;
    for (char *r = strtok_r(copy, ",", &save); r && n < ACTOR_MAX_ROLES;
         r = strtok_r(NULL, ",", &save))
        if (*r)
            roles[n++] = r;
    return n;
}

int cmd_user_add(const struct cli_cmd *cmd, struct cli_args *args)
{
    if (need(cmd, args, "login") || need(cmd, args, "name") ||
        need(cmd, args, "unit") || need(cmd, args, "role"))
        return 2;
    if (!cli_opt(cmd, args, "password-stdin")) {
        fputs("shuniu user add: 请用 --password-stdin 从标准输入提供密码"
              "（密码不出现在命令行里）\n",
              stderr);
        return 2;
    }
    char password[512];
    if (cli_read_password(password, sizeof(password)))
        return 2;
    int clearance = 0;
    const char *cl = cli_opt(cmd, args, "clearance");
    if (cl) {
        if (strlen(cl) != 1 || cl[0] < '0' || cl[0] > '3') {
            fputs("shuniu user add: --clearance 只能是 0、1、2、3\n", stderr);
            return 2;
        }
        clearance = cl[0] - '0';
    }
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    struct arena *a = arena_new();
    struct actor who;
    struct err e;
    struct user u = {0};
    actor_cli(&who);
    err_clear(&e);
    u.login = cli_opt(cmd, args, "login");
    u.name = cli_opt(cmd, args, "name");
    u.unit_code = cli_opt(cmd, args, "unit");
    u.nroles = split_roles(a, cli_opt(cmd, args, "role"), u.roles);
    u.clearance = clearance;
    u.active = 1;
    int rc = org_user_create(db, &who, &u, password, &e);
    if (rc)
        print_err(cmd->words, &e);
    else
        printf("已新增人员 %s %s\n", u.login, u.name);
    memset(password, 0, sizeof(password));
    arena_free(a);
    store_close(db);
    return rc ? 1 : 0;
}

int cmd_user_passwd(const struct cli_cmd *cmd, struct cli_args *args)
{
    if (need(cmd, args, "login"))
        return 2;
    if (!cli_opt(cmd, args, "password-stdin")) {
        fputs("shuniu user passwd: 请用 --password-stdin 从标准输入提供密码\n",
              stderr);
        return 2;
    }
    char password[512];
    if (cli_read_password(password, sizeof(password)))
        return 2;
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    struct actor who;
    struct err e;
    actor_cli(&who);
    err_clear(&e);
    int rc = auth_password_set(db, &who, cli_opt(cmd, args, "login"),
                               password, &e);
    if (rc)
        print_err(cmd->words, &e);
    else
        printf("已重设 %s 的密码\n", cli_opt(cmd, args, "login"));
    memset(password, 0, sizeof(password));
    store_close(db);
    return rc ? 1 : 0;
}

static void show_progress(void *arg, int done, int total)
{
    (void)arg;
    fprintf(stderr, "\r导入进度 %d/%d", done, total);
    if (done == total)
        fputc('\n', stderr);
}

/* Reads a whole file into b (capped at 64 MiB). */
static int read_file(const char *path, struct buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "shuniu import org: 无法打开 %s：%s\n", path,
                strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_append(b, chunk, n)) {
            fprintf(stderr, "shuniu import org: 文件太大：%s\n", path);
            rc = -1;
            break;
        }
    fclose(f);
    return rc;
}

int cmd_import_org(const struct cli_cmd *cmd, struct cli_args *args)
{
    (void)cmd;
    struct buf b;
    buf_init(&b, 0);
    if (read_file(args->pos[0], &b)) {
        buf_free(&b);
        return 1;
    }
    struct store *db = cli_open_db(args);
    if (db == NULL) {
        buf_free(&b);
        return 1;
    }
    struct arena *a = arena_new();
    struct actor who;
    struct err e;
    struct import_report *rep = arena_alloc(a, sizeof(*rep));
    actor_cli(&who);
    err_clear(&e);
    int rc = org_import_csv(db, &who, a, b.ptr, b.len, rep, show_progress,
                            NULL, &e);
    int bad = rep->nbad_total;
    if (bad > 0) {
        fprintf(stderr, "%s：有 %d 行不符合要求，未导入任何数据：\n",
                args->pos[0], bad);
        for (int i = 0; i < rep->nbad; i++)
            fprintf(stderr, "%s:%d: %s\n", args->pos[0], rep->bad[i].line,
                    rep->bad[i].reason);
    } else if (rc) {
        print_err("import org", &e);
    } else {
        printf("已导入单位 %d 个，人员 %d 名\n", rep->units, rep->users);
    }
    arena_free(a);
    store_close(db);
    buf_free(&b);
    return rc || bad ? 1 : 0;
}
