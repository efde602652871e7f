/*
 * serve.c - `serve` runs the web server; `demo` builds the demo office and
 * then serves it.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/tokenize.h"
#include "cli/cli.h"
#include "kernel/auth.h"
#include "kernel/case.h"
#include "kernel/demo.h"
#include "kernel/files.h"
#include "kernel/jobs.h"
#include "kernel/schema.h"
#include "kernel/webhook.h"
#include "modules/doc_in.h"
#include "modules/doc_out.h"
#include "modules/supervision.h"
#include "web/pages.h"
#include "web/routes.h"
#include "web/server.h"

/* Builds the search normaliser's table (OpenCC t2s: every Chinese
 * character converted, ~75 ms, a third of the start) beside the server
 * rather than before it listens: the first search or index write waits
 * for it (pthread_once in tokenize.c), a health check or a page does not. */
static void *serve_load_tokenizer(void *unused)
{
    char err[256];
    (void)unused;
    if (tokenize_init(err, sizeof(err)) != 0)
        log_warn("search without traditional-to-simplified: %s", err);
    return NULL;
}

/* 1 when the listen address is this machine only. */
static int listen_is_loopback(const char *listen)
{
    return strncmp(listen, "127.", 4) == 0 ||
           strncmp(listen, "localhost:", 10) == 0 ||
           strncmp(listen, "[::1]:", 6) == 0;
}

/* glibc gives each thread that contends for malloc an arena of its own, up
 * to 8 per core; under a steady load the MHD and worker threads each hold
 * a partly used one, and the server's RSS crept 15% over ten minutes of
 * soak (bench/soak.sh) without any leak.  Two arenas kept it flat (+3%),
 * but the four request threads then fought over them: a list page at 16
 * connections swung between 255 and 1,460 pages/s from one start to the
 * next (100k cases), against a steady 1,445-1,530 with four arenas and
 * 1,524-1,777 with eight, whose RSS crept again (+21% in two minutes of
 * soak).  So one arena per request thread (cfg.threads, 4 by default).
 * MALLOC_ARENA_MAX in the environment still wins. */
static int serve(struct cli_args *args)
{
    struct config *cfg = &args->cfg;
    char err[512];
    if (getenv("MALLOC_ARENA_MAX") == NULL)
        mallopt(M_ARENA_MAX, cfg->threads > 1 ? cfg->threads : 1);
    if (cfg->test_clock && !listen_is_loopback(cfg->listen)) {
        fprintf(stderr, "shuniu serve: --test-clock 只能用于本机地址"
                        "（127.0.0.1 或 localhost），拒绝在 %s 上启用\n",
                cfg->listen);
        return 2;
    }
    /* migrate once before the pool opens */
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    store_close(db);

    static struct app app;
    memset(&app, 0, sizeof(app));
    app.cfg = *cfg;
    config_db_url(cfg, app.db_url, sizeof(app.db_url));
    /* the pool's connections and the file's writer (sqlite_file.h) share
     * the page-cache budget */
    store_sqlite_cache(cfg->db_cache_mb * 1024 /
                       ((cfg->db_pool > 0 ? cfg->db_pool : 1) + 1));
    app.pool = store_pool_open(app.db_url, cfg->db_pool, err, sizeof(err));
    if (app.pool == NULL) {
        fprintf(stderr, "shuniu serve: 无法打开数据库：%s\n", err);
        return 1;
    }
    app.db_kind = store_pool_kind(app.pool) == STORE_PG ? "postgresql"
                                                        : "sqlite";
    app.routes = routes_table;
    app.nav = page_cases_nav();
    app.todo_count = page_cases_todo_count;
    auth_configure(cfg);
    pthread_t loader;
    int loading =
        pthread_create(&loader, NULL, serve_load_tokenizer, NULL) == 0;
    if (!loading)
        serve_load_tokenizer(NULL);
    if (cfg->test_clock)
        log_warn("test clock enabled: PUT /api/v1/test/clock moves time");
    files_configure(cfg);
    /* periodic jobs: register them all before jobs_start */
    if (webhook_setup(cfg) ||
        jobs_register("case_sweep", cfg->sweep_seconds, case_sweep_job) ||
        jobs_start(app.db_url)) {
        fputs("shuniu serve: 无法启动定时任务（见上方日志）\n", stderr);
        if (loading)
            pthread_join(loader, NULL);
        store_pool_close(app.pool);
        return 1;
    }
    int rc = server_run(&app);
    if (loading)
        pthread_join(loader, NULL);
    jobs_stop();
    store_pool_close(app.pool);
    return rc ? 1 : 0;
}

int cmd_serve(const struct cli_cmd *cmd, struct cli_args *args)
{
    (void)cmd;
    return serve(args);
}

int cmd_demo(const struct cli_cmd *cmd, struct cli_args *args)
{
    if (!args->cfg.db[0]) {
        char url[sizeof(args->cfg.data) + 16];
        snprintf(url, sizeof(url), "sqlite:%s/demo.db", args->cfg.data);
        if (config_set(&args->cfg, "db", url)) {
            fputs("shuniu demo: 数据目录路径太长\n", stderr);
            return 2;
        }
    }
    struct store *db = cli_open_db(args);
    if (db == NULL)
        return 1;
    struct arena *a = arena_new();
    struct err e;
    int built = 0;
    err_clear(&e);
    int rc = demo_build(db, a, &built, &e);
    if (rc == 0) /* the demo's 督办事项 (modules sit above the kernel) */
        rc = supervision_demo(db, a, &e);
    if (rc == 0) /* its 公文: outgoing first, they deliver incoming ones */
        rc = doc_out_demo(db, a, &e);
    if (rc == 0)
        rc = doc_in_demo(db, a, &e);
    store_close(db);
    arena_free(a);
    if (rc) {
        fprintf(stderr, "shuniu demo: 建立演示数据失败：%s\n",
                e.message ? e.message : "");
        return 1;
    }
    printf("%s演示单位：某市人民政府（数据库 %s）\n\n",
           built ? "已建立" : "已存在", args->cfg.db);
    printf("%-12s %-8s %-24s %s\n", "登录名", "姓名", "单位", "角色");
    for (const struct demo_login *l = demo_logins; l->login; l++)
        printf("%-12s %-8s %-24s %s\n", l->login, l->name, l->unit, l->roles);
    printf("\n演示密码：%s\n", DEMO_PASSWORD);
    if (cli_opt(cmd, args, "no-serve"))
        return 0;
    printf("打开 http://%s 登录\n", args->cfg.listen);
    fflush(stdout);
    return serve(args);
}
