/*
 * supervision.h - 督查督办 beyond its table: the figures (按期办结率), the
 * import of a government work report, and the demo items.
 *
 * Files:
 *     supervision.c         the module table and its own rules
 *     supervision_stats.c   the figures of a period, per lead unit
 *     supervision_import.c  a work report's task list (CSV) -> items
 *     supervision_demo.c    the demo office's items
 *
 * The faces (cli/supervision.c, web/api_supervision.c,
 * web/page_supervision.c) call these; nothing here knows HTTP.
 */
#ifndef SHUNIU_MODULES_SUPERVISION_H
#define SHUNIU_MODULES_SUPERVISION_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/calendar.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/module.h"
#include "kernel/org.h"
#include "store/store.h"

extern const struct module_def supervision_module;

/* ---- figures (supervision_stats.c) ----
 *
 * An item counts in a period when the last day of its time limit
 * (extensions included) lies in [from, to].  Then, judged at `now`:
 *     on_time        closed, and the completion request that was finally
 *                    approved was made by 24:00 Beijing time of the last
 *                    day (an item closed without a request: on time);
 *     late           closed, the approved request made after that;
 *     overdue_open   not closed and the last day has passed (a completion
 *                    request still waiting is not approved, so the item is
 *                    open; the engine pauses the limit while it waits, so a
 *                    request made in time does not fall overdue);
 *     not yet due    not closed and the last day not passed: left out of
 *                    every figure but urge_count.
 *     due            on_time + late + overdue_open;
 *     on_time_rate   on_time / due (按期办结率); -1 when due is 0;
 *     avg_days_late  over late and overdue_open items, the working days
 *                    after the last day up to the request day (late) or
 *                    today (overdue_open); 0 when there are none;
 *     urge_count     催办 of every item of the period, due or not.
 * Per lead unit and in total; items without a lead unit count only in the
 * total.  Parents of decomposed items are left out by the caller (their
 * children count). */
struct supervision_fact {
    const char *unit;     /* lead unit code; NULL or "" none */
    struct ymd due;       /* last day of the limit */
    int64_t requested_ms; /* the approved completion request; 0 none */
    int done;             /* 1 when closed (办结, 已考核, 归档) */
    int urges;            /* 催办 count */
};

struct supervision_figures {
    const char *unit; /* code; NULL for the total */
    int due, on_time, late, overdue_open, urge_count;
    int64_t days_late; /* sum over late and overdue_open */
    double avg_days_late;
    double on_time_rate; /* -1: nothing due */
};

/* Computes the figures of facts[0..n) for [from, to] at now_ms: *units (in
 * a, ordered by unit code; *nunits of them) and *total.  Pure: reads
 * nothing but its arguments.  0, or -1 when from is after to. */
int supervision_figures(const struct supervision_fact *facts, int n,
                        struct ymd from, struct ymd to, int64_t now_ms,
                        const struct calendar *cal, struct arena *a,
                        struct supervision_figures **units, int *nunits,
                        struct supervision_figures *total);

/* Reads the facts of the items the actor may see whose limit ends in
 * [from, to] from the engine's tables and computes their figures as
 * above, at now_ms().  0, or -1 with e. */
int supervision_stats(struct store *db, const struct actor *who,
                      struct arena *a, struct ymd from, struct ymd to,
                      struct supervision_figures **units, int *nunits,
                      struct supervision_figures *total, struct err *e);

/* One late or overdue item of a period, for the bulletin (通报). */
struct supervision_late_item {
    int64_t id;
    const char *number; /* 督〔2026〕12号 */
    const char *title;
    const char *unit; /* lead unit code */
    const char *unit_name;
    struct ymd due;
    int overdue_open;  /* 1 still open, 0 closed late */
    int64_t days_late; /* working days */
};

/* The late and overdue items of [from, to] (the actor's view), worst
 * first (most working days late).  0 / -1 with e. */
int supervision_late_items(struct store *db, const struct actor *who,
                           struct arena *a, struct ymd from, struct ymd to,
                           struct supervision_late_item **out, int *n,
                           struct err *e);

/* One line of a ledger (台账): the conventional columns 序号, 任务内容,
 * 牵头单位, 责任领导, 协办单位, 完成时限, 进展情况, 状态. */
struct supervision_ledger_row {
    int64_t id;
    const char *number;
    const char *title;
    const char *lead_unit; /* names, "、" between co-units */
    const char *leader;
    const char *co_units;
    const char *deadline; /* 2026年12月31日 */
    const char *progress; /* "60%：进展情况" */
    const char *state;    /* 状态 label */
    const char *light;    /* green / yellow / red / "" */
};

/* The ledger of one source (work_report, instruction ...; NULL or "" all)
 * as the actor may see it, in registration order; decomposed parents are
 * left out (their children are the lines).  0 / -1 with e. */
int supervision_ledger(struct store *db, const struct actor *who,
                       struct arena *a, const char *source,
                       struct supervision_ledger_row **out, int *n,
                       struct err *e);

/* ---- work report import (supervision_import.c) ----
 *
 * The file: the task list of a government work report as Excel saves it
 * as CSV, in UTF-8 (with or without BOM) or GB18030 (Excel on Chinese
 * Windows); fields separated by ',', quoted with '"' as in RFC 4180.
 * Lines before the header (a title line such as "2026年政府工作报告重点任务
 * 分解表") are skipped; the header is the first line naming 任务内容.
 * Columns, in any order:
 *     序号       optional; kept in the item's 来源依据
 *     任务内容   required; the item's name and 督办要求
 *     牵头单位   required; one unit, by name, short name or code
 *     责任领导   optional; a person by name or login
 *     协办单位   optional; units separated by 、 , ， or ；
 *     完成时限   required; 2026-12-31, 2026/12/31 or 2026年12月31日
 * Blank lines are skipped.  Every row is checked before anything is
 * written; one bad row and nothing is imported. */
#define SUPERVISION_IMPORT_MAX_ROWS 2000
#define SUPERVISION_IMPORT_MAX_BAD 200

struct supervision_task {
    int line;              /* where the row starts in the file */
    const char *seq;       /* 序号 as written ("" none) */
    const char *content;   /* 任务内容 */
    const char *lead_unit; /* unit code */
    const char *leader;    /* login, NULL none */
    const char **co_units; /* unit codes */
    int nco;
    struct ymd deadline;
};

struct supervision_import_report {
    int64_t parent_id; /* the report's item, 0 when nothing imported */
    int tasks;         /* child items created */
    int nbad;          /* entries of bad[] */
    int nbad_total;    /* all bad rows */
    struct {
        int line;
        const char *reason;
    } bad[SUPERVISION_IMPORT_MAX_BAD];
};

/* Turns data[0..len) (UTF-8 or GB18030) into UTF-8 in a (base/csv.h
 * csv_to_utf8).  0, or -1 when it is neither (*why set; *line the line of
 * the first bad byte, 0 for the whole file). */
int supervision_text_utf8(struct arena *a, const char *data, size_t len,
                          const char **out, size_t *outlen, int *line,
                          const char **why);

/* Parses and checks the file against the units and people given (pure:
 * no database).  Fills *tasks and *ntasks and rep->bad; returns the number of
 * bad rows (0: all good; -1 when the file as a whole is unusable, with its
 * reason in rep->bad[0] at line 0). */
int supervision_import_parse(struct arena *a, const char *data, size_t len,
                             const struct unit *units, int nunits,
                             const struct user *users, int nusers,
                             struct supervision_task **tasks, int *ntasks,
                             struct supervision_import_report *rep);

/* Imports a work report: checks every row (400 with rep->bad when any is
 * bad), then registers one parent item `title` (NULL:
 * "YYYY年政府工作报告重点任务", the year of the latest deadline) from
 * source work_report and one child per task, in the name of who (a clerk;
 * the CLI operator may too).  0, or -1 with e (and rep). */
int supervision_import_work_report(struct store *db, const struct actor *who,
                                   struct arena *a, const char *data,
                                   size_t len, const char *title,
                                   struct supervision_import_report *rep,
                                   struct err *e);

/* ---- demo (supervision_demo.c) ---- */

/* Adds the demo office's items (a 2026 work report of 40 tasks and 30
 * instructions and meeting decisions in every state and light) unless
 * there are supervision items already.  0 / -1 with e. */
int supervision_demo(struct store *db, struct arena *a, struct err *e);

#endif
