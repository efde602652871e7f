/*
 * main.c - `shuniu`: finds the subcommand in the table, parses its options
 * (--name VALUE or --name=VALUE), loads the settings and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_arena.h"
#include "cli/cli.h"

#define COMMON_OPTS                                                            \
    {"db", "URL", "数据库：sqlite:PATH、PATH 或 postgresql://…"},               \
    {"data", "DIR", "数据目录（默认 ./data）"},                                \
    {"config", "FILE", "配置文件（默认 ./shuniu.conf）"}

static const struct cli_opt opts_common[] = {COMMON_OPTS, {0}};

static const struct cli_opt opts_serve[] = {
    COMMON_OPTS,
    {"listen", "HOST:PORT", "监听地址（默认 127.0.0.1:8080）"},
    {"threads", "N", "HTTP 工作线程数"},
    {"test-clock", NULL, "允许测试调整服务器时间（仅限本机地址）"},
    {"sweep-seconds", "N", "催办提醒（红黄灯）扫描间隔秒数（默认 300）"},
    {0}};

static const struct cli_opt opts_demo[] = {
    COMMON_OPTS,
    {"listen", "HOST:PORT", "监听地址（默认 127.0.0.1:8080）"},
    {"no-serve", NULL, "只建立演示数据，不启动服务"},
    {0}};

static const struct cli_opt opts_unit_add[] = {
    COMMON_OPTS,
    {"code", "C", "单位代码（字母、数字）"},
    {"name", "N", "单位名称"},
    {"short", "S", "简称"},
    {"kind", "K", "类别：government|office|section|department|county"},
    {"parent", "CODE", "上级单位代码"},
    {0}};

static const struct cli_opt opts_user_add[] = {
    COMMON_OPTS,
    {"login", "L", "登录名"},
    {"name", "N", "姓名"},
    {"unit", "CODE", "所在单位代码"},
    {"role", "R[,R…]", "角色，逗号分隔"},
    {"clearance", "0-3", "涉密等级：0 无 1 秘密 2 机密 3 绝密"},
    {"password-stdin", NULL, "从标准输入读取密码"},
    {0}};

static const struct cli_opt opts_user_passwd[] = {
    COMMON_OPTS,
    {"login", "L", "登录名"},
    {"password-stdin", NULL, "从标准输入读取密码"},
    {0}};

static const struct cli_opt opts_import_work_report[] = {
    COMMON_OPTS,
    {"title", "T", "上级事项名称（默认“YYYY年政府工作报告重点任务”）"},
    {"as", "LOGIN", "以该人员（督查科工作人员）的名义登记"},
    {0}};

static const struct cli_opt opts_gen[] = {
    COMMON_OPTS,
    {"cases", "N", "生成的事项件数（必填）"},
    {"seed", "S", "随机种子（默认 1，相同种子生成相同数据）"},
    {"batch", "B", "每次提交的件数（默认 10000）"},
    {"days", "D", "事项登记时间分布在最近 D 天内（默认 365）"},
    {"open", "PCT", "未办结事项所占百分比（默认按登记时间远近）"},
    {"attach", "PCT", "带附件事项的百分比（默认 3）"},
    {0}};

static const struct cli_cmd commands[] = {
    {"init", "建立或升级数据库", NULL, 0, 0, opts_common, cmd_init},
    {"serve", "启动 Web 服务", NULL, 0, 0, opts_serve, cmd_serve},
    {"demo", "建立演示用的市政府并启动服务", NULL, 0, 0, opts_demo, cmd_demo},
    {"unit add", "新增单位", NULL, 0, 0, opts_unit_add, cmd_unit_add},
    {"user add", "新增人员", NULL, 0, 0, opts_user_add, cmd_user_add},
    {"user passwd", "重设人员密码", NULL, 0, 0, opts_user_passwd,
     cmd_user_passwd},
    {"import org", "从 CSV 批量导入单位和人员", "FILE.csv", 1, 1, opts_common,
     cmd_import_org},
    {"import work-report", "从 CSV 导入政府工作报告任务分解表（督查督办）",
     "FILE.csv", 1, 1, opts_import_work_report, cmd_import_work_report},
    {"backup", "备份数据库到文件", "FILE", 1, 1, opts_common, cmd_backup},
    {"check", "检查数据库完整性和审计链", NULL, 0, 0, opts_common, cmd_check},
    {"gen", "生成测试数据：演示单位和人员及 N 件事项", NULL, 0, 0, opts_gen,
     cmd_gen},
    {"sweep", "执行一次时限提醒扫描并计时", NULL, 0, 0, opts_common,
     cmd_sweep},
    {"calendar workdays", "FROM 之后第 N 个工作日（N 为负则往前数）", "FROM N",
     2, 2, opts_common, cmd_calendar_workdays},
    {"calendar days", "FROM 加 N 日（期限末日遇休息日顺延）", "FROM N", 2, 2,
     opts_common, cmd_calendar_days},
    {"calendar is-workday", "某日是工作日（workday）还是休息日（restday）",
     "DATE", 1, 1, opts_common, cmd_calendar_is_workday},
    {"calendar show", "显示某年的节假日安排", "YEAR", 1, 1, opts_common,
     cmd_calendar_show},
    {"calendar import", "导入节假日安排文件（国务院办公厅通知）", "FILE", 1, 1,
     opts_common, cmd_calendar_import},
    {0}};

static void usage_all(FILE *f)
{
    fputs("用法: shuniu 命令 [选项]\n\n命令:\n", f);
    for (const struct cli_cmd *c = commands; c->words; c++)
        fprintf(f, "  %-20s %s\n", c->words, c->summary);
    fputs("\n每个命令都可用 --help 查看选项，例如 shuniu serve --help\n", f);
}

static void usage_cmd(FILE *f, const struct cli_cmd *c)
{
    fprintf(f, "用法: shuniu %s [选项]%s%s\n%s\n\n选项:\n", c->words,
            c->positional ? " " : "", c->positional ? c->positional : "",
            c->summary);
    for (const struct cli_opt *o = c->opts; o->name; o++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        fprintf(f, "  %-26s %s\n", left, o->help);
    }
    fprintf(f, "  %-26s %s\n", "--help", "显示本帮助");
}

static int opt_index(const struct cli_cmd *c, const char *name, size_t len)
{
    for (int i = 0; c->opts[i].name; i++)
        if (strlen(c->opts[i].name) == len &&
            strncmp(c->opts[i].name, name, len) == 0)
            return i;
    return -1;
}

const char *cli_opt(const struct cli_cmd *cmd, const struct cli_args *args,
                    const char *name)
{
    int i = opt_index(cmd, name, strlen(name));
    return i < 0 ? NULL : args->val[i];
}

/* Parses argv after the command words into args; -1 with a message. */
static int parse(const struct cli_cmd *c, int argc, char **argv,
                 struct cli_args *args)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (args->npos >= c->npos_max || args->npos >= CLI_MAX_POS) {
                fprintf(stderr, "shuniu %s: 多余的参数 %s\n", c->words, a);
                return -1;
            }
            args->pos[args->npos++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = opt_index(c, name, len);
        if (k < 0) {
            fprintf(stderr, "shuniu %s: 不认识的选项 %s（见 --help）\n",
                    c->words, a);
            return -1;
        }
        if (c->opts[k].arg == NULL) {
            if (eq) {
                fprintf(stderr, "shuniu %s: 选项 --%s 不带值\n", c->words,
                        c->opts[k].name);
                return -1;
            }
            args->val[k] = "1";
        } else if (eq) {
            args->val[k] = eq + 1;
        } else if (i + 1 < argc) {
            args->val[k] = argv[++i];
        } else {
            fprintf(stderr, "shuniu %s: 选项 --%s 需要一个值\n", c->words,
                    c->opts[k].name);
            return -1;
        }
    }
    if (args->npos < c->npos_min) {
        fprintf(stderr, "shuniu %s: 缺少参数 %s\n", c->words,
                c->positional ? c->positional : "");
        return -1;
    }
    return 0;
}

/* defaults < file < environment < flags */
static int load_settings(const struct cli_cmd *c, struct cli_args *args)
{
    char err[512];
    config_defaults(&args->cfg);
    if (config_load_file(&args->cfg, cli_opt(c, args, "config"), err,
                         sizeof(err)) ||
        config_load_env(&args->cfg, err, sizeof(err))) {
        fprintf(stderr, "shuniu: %s\n", err);
        return -1;
    }
    static const char *direct[] = {"db", "data", "listen", "threads", NULL};
    for (int i = 0; direct[i]; i++) {
        const char *v = cli_opt(c, args, direct[i]);
        if (v && config_set(&args->cfg, direct[i], v)) {
            fprintf(stderr, "shuniu %s: 选项 --%s 的值不对：%s\n", c->words,
                    direct[i], v);
            return -1;
        }
    }
    const char *sweep = cli_opt(c, args, "sweep-seconds");
    if (sweep && config_set(&args->cfg, "sweep_seconds", sweep)) {
        fprintf(stderr, "shuniu %s: 选项 --sweep-seconds 的值不对：%s\n",
                c->words, sweep);
        return -1;
    }
    if (cli_opt(c, args, "test-clock"))
        args->cfg.test_clock = 1;
    return 0;
}

int main(int argc, char **argv)
{
    json_arena_install(); /* before the first jansson value */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage_all(stdout);
        return argc < 2 ? 2 : 0;
    }
    const struct cli_cmd *found = NULL;
    int used = 0;
    for (const struct cli_cmd *c = commands; c->words; c++) {
        /* match the command's words against argv[1], argv[2] ... */
        char words[64];
        snprintf(words, sizeof(words), "%s", c->words);
        int n = 0, ok = 1;
        for (char *save = NULL, *w = strtok_r(words, " ", &save); w;
             w = strtok_r(NULL, " ", &save)) {
            if (1 + n >= argc || strcmp(argv[1 + n], w) != 0) {
                ok = 0;
                break;
            }
            n++;
        }
        if (ok && n > used) {
            found = c;
            used = n;
        }
    }
    if (found == NULL) {
        fprintf(stderr, "shuniu: 没有这个命令：%s\n\n", argv[1]);
        usage_all(stderr);
        return 2;
    }
    for (int i = 1 + used; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_cmd(stdout, found);
            return 0;
        }
    struct cli_args *args = calloc(1, sizeof(*args));
    if (args == NULL)
        return 1;
    int rc = 2;
    if (parse(found, argc - 1 - used, argv + 1 + used, args) == 0 &&
        load_settings(found, args) == 0)
        rc = found->run(found, args);
    free(args);
    return rc;
}
