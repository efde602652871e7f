/*
 * cli.h - the command line face.
 *
 * Every subcommand is a row of the table in main.c: its words ("user add"),
 * a one-line summary, its options (struct cli_opt) and the function that runs
 * it.  `shuniu CMD --help` prints the usage generated from the table.  A
 * command parses, calls the kernel and prints; it holds no business rules.
 *
 * Settings come from defaults < config file < SHUNIU_* environment < flags
 * (see base/config.h); every command takes --db, --data and --config.
 */
#ifndef SHUNIU_CLI_H
#define SHUNIU_CLI_H

#include "base/config.h"
#include "store/store.h"

#define CLI_MAX_OPTS 24
#define CLI_MAX_POS 8

struct cli_opt {
    const char *name;  /* "login" for --login */
    const char *arg;   /* "L" when it takes a value, NULL for a switch */
    const char *help;
};

struct cli_args {
    struct config cfg;
    const char *val[CLI_MAX_OPTS]; /* by index into the command's options */
    int npos;
    const char *pos[CLI_MAX_POS];
};


struct cli_cmd {
    const char *words;        /* "user add" */
    const char *summary;      /* one line, shown in `shuniu --help` */
    const char *positional;   /* e.g. "FILE.csv", NULL for none */
    int npos_min, npos_max;
    const struct cli_opt *opts; /* ends with a zeroed entry */
    int (*run)(const struct cli_cmd *cmd, struct cli_args *args);
};

/* The value of option `name` (NULL when not given); a switch gives "1". */
const char *cli_opt(const struct cli_cmd *cmd, const struct cli_args *args,
                    const char *name);
/* Opens the database named by the settings and applies migrations.
 * Prints the reason and returns NULL on failure. */
struct store *cli_open_db(const struct cli_args *args);
/* Reads a password from stdin (first line, without the newline). */
int cli_read_password(char *out, size_t cap);

/* The commands: db.c (init, backup, check), org.c (unit, user, import),
 * serve.c (serve, demo). */
int cmd_init(const struct cli_cmd *, struct cli_args *);
int cmd_serve(const struct cli_cmd *, struct cli_args *);
int cmd_demo(const struct cli_cmd *, struct cli_args *);
int cmd_unit_add(const struct cli_cmd *, struct cli_args *);
int cmd_user_add(const struct cli_cmd *, struct cli_args *);
int cmd_user_passwd(const struct cli_cmd *, struct cli_args *);
int cmd_import_org(const struct cli_cmd *, struct cli_args *);
int cmd_backup(const struct cli_cmd *, struct cli_args *);
int cmd_check(const struct cli_cmd *, struct cli_args *);
/* calendar.c: calendar workdays | days | is-workday | show | import */
int cmd_calendar_workdays(const struct cli_cmd *, struct cli_args *);
int cmd_calendar_days(const struct cli_cmd *, struct cli_args *);
int cmd_calendar_is_workday(const struct cli_cmd *, struct cli_args *);
int cmd_calendar_show(const struct cli_cmd *, struct cli_args *);
int cmd_calendar_import(const struct cli_cmd *, struct cli_args *);
/* supervision.c: import work-report */
int cmd_import_work_report(const struct cli_cmd *, struct cli_args *);
/* gen.c: gen (test data), sweep (the reminder sweep once, timed) */
int cmd_gen(const struct cli_cmd *, struct cli_args *);
int cmd_sweep(const struct cli_cmd *, struct cli_args *);

#endif
