/*
 * supervision_import.c - a government work report's task list into
 * supervised items: one parent item for the report, one child per task
 * ("政府工作报告确定的所有任务，都要一项不漏地分解到部门、县区，明确责任、
 * 标准和时限", seed 003).  The file format is at the import section of
 * supervision.h.
 *
 * Steps, each finishing before the next starts:
 *     supervision_text_utf8      UTF-8 as is (BOM dropped); otherwise
 *                                GB18030 -> UTF-8 with iconv(3)
 *     supervision_import_parse   CSV records -> header -> one task per row,
 *                                each checked (units and people resolved);
 *                                every bad row gets its line and reason
 *     supervision_import_work_report
 *                                nothing bad: the parent and its children
 *                                registered through the engine
 */
#include "modules/supervision.h"

#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "kernel/case.h"

#define SUPERVISION_CELL_MAX 4000
#define SUPERVISION_MAX_COLS 32
#define SUPERVISION_TITLE_MAX 200 /* characters of an item's name */

/* ---- encoding ---- */

int supervision_text_utf8(struct arena *a, const char *data, size_t len,
                          const char **out, size_t *outlen, int *line,
                          const char **why)
{
    return csv_to_utf8(a, data, len, out, outlen, line, why);
}

/* Spaces (ASCII and the ideographic space) trimmed at both ends. */
static const char *supervision_trim(struct arena *a, const char *s, size_t n)
{
    for (;;) {
        if (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        } else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
            s += 3;
            n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        } else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
            n -= 3;
        } else {
            break;
        }
    }
    return arena_strndup(a, s, n);
}

/* ---- the columns ---- */

enum {
    SUP_COL_SEQ,
    SUP_COL_CONTENT,
    SUP_COL_LEAD,
    SUP_COL_LEADER,
    SUP_COL_CO,
    SUP_COL_DEADLINE,
    SUP_NCOLS
};

static const struct {
    const char *name;
    int required;
} supervision_cols[SUP_NCOLS] = {
    {"序号", 0},     {"任务内容", 1}, {"牵头单位", 1},
    {"责任领导", 0}, {"协办单位", 0}, {"完成时限", 1},
};

/* ---- checking one row ---- */

static void supervision_bad(struct supervision_import_report *rep, int line,
                            const char *reason)
{
    if (rep->nbad < SUPERVISION_IMPORT_MAX_BAD) {
        rep->bad[rep->nbad].line = line;
        rep->bad[rep->nbad].reason = reason;
        rep->nbad++;
    }
    rep->nbad_total++;
}

/* The code of the unit named s (code, name or short name), or NULL. */
static const char *supervision_unit_code(const struct unit *units, int n,
                                         const char *s)
{
    for (int i = 0; i < n; i++)
        if (units[i].active && strcmp(units[i].code, s) == 0)
            return units[i].code;
    for (int i = 0; i < n; i++)
        if (units[i].active &&
            ((units[i].name && strcmp(units[i].name, s) == 0) ||
             (units[i].short_name && strcmp(units[i].short_name, s) == 0)))
            return units[i].code;
    return NULL;
}

/* The login of the person s (login or name): NULL with *why when none or
 * several have that name. */
static const char *supervision_person(struct arena *a, const struct user *u,
                                      int n, const char *s, const char **why)
{
    const char *found = NULL;
    int nfound = 0;
    *why = NULL;
    for (int i = 0; i < n; i++)
        if (u[i].active && strcmp(u[i].login, s) == 0)
            return u[i].login;
    for (int i = 0; i < n; i++)
        if (u[i].active && u[i].name && strcmp(u[i].name, s) == 0) {
            found = u[i].login;
            nfound++;
        }
    if (nfound == 1)
        return found;
    *why = nfound == 0
               ? arena_printf(a, "责任领导“%s”不在系统人员中", s)
               : arena_printf(a, "有%d人名叫“%s”，请改填登录名", nfound, s);
    return NULL;
}

/* Reads an unsigned decimal of 1..maxdigits digits at *p. */
static int supervision_digits(const char **p, int maxdigits, int *out)
{
    int v = 0, k = 0;
    while (**p >= '0' && **p <= '9' && k < maxdigits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    *out = v;
    return k > 0 ? 0 : -1;
}

/* 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日 (month and day may
 * have one digit).  0 / -1. */
static int supervision_date(const char *s, struct ymd *out)
{
    struct ymd d;
    const char *p = s;
    if (supervision_digits(&p, 4, &d.y) || p - s != 4)
        return -1;
    int cn = strncmp(p, "年", 3) == 0;
    char sep = *p;
    if (cn)
        p += 3;
    else if (sep == '-' || sep == '/' || sep == '.')
        p++;
    else
        return -1;
    if (supervision_digits(&p, 2, &d.m))
        return -1;
    if (cn) {
        if (strncmp(p, "月", 3) != 0)
            return -1;
        p += 3;
    } else if (*p++ != sep) {
        return -1;
    }
    if (supervision_digits(&p, 2, &d.d))
        return -1;
    if (cn && strncmp(p, "日", 3) == 0)
        p += 3;
    if (*p != '\0' || !ymd_valid(d))
        return -1;
    *out = d;
    return 0;
}

/* Splits s at 、 , ， ； ; into trimmed, non-empty parts. */
static int supervision_split(struct arena *a, const char *s, const char **parts,
                             int max)
{
    static const char *const seps[] = {"、", ",", "，", "；", ";", NULL};
    int n = 0;
    const char *start = s;
    for (const char *p = s;;) {
        size_t w = 0;
        if (*p != '\0')
            for (int i = 0; seps[i]; i++)
                if (strncmp(p, seps[i], strlen(seps[i])) == 0)
                    w = strlen(seps[i]);
        if (*p == '\0' || w > 0) {
            const char *part = supervision_trim(a, start, (size_t)(p - start));
            if (*part && n < max)
                parts[n++] = part;
            if (*p == '\0')
                break;
            p += w;
            start = p;
        } else {
            p++;
        }
    }
    return n;
}

/* Characters (code points) of UTF-8 s. */
static size_t supervision_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Checks one row into t; every fault goes to rep.  0 good, -1 bad. */
static int supervision_task_check(struct arena *a, const char *const *cells,
                                  int nc, const int *col, int line,
                                  const struct unit *units, int nunits,
                                  const struct user *users, int nusers,
                                  struct supervision_task *t,
                                  struct supervision_import_report *rep)
{
    const char *v[SUP_NCOLS];
    int bad = 0;
    for (int k = 0; k < SUP_NCOLS; k++)
        v[k] = col[k] >= 0 && col[k] < nc ? cells[col[k]] : "";
    memset(t, 0, sizeof(*t));
    t->line = line;
    t->seq = v[SUP_COL_SEQ];
    t->content = v[SUP_COL_CONTENT];
    if (*t->content == '\0') {
        supervision_bad(rep, line, "任务内容为空");
        bad = 1;
    } else if (supervision_chars(t->content) > 20000) {
        supervision_bad(rep, line, "任务内容过长（不超过20000字）");
        bad = 1;
    }
    const char *lead = v[SUP_COL_LEAD];
    const char *parts[SUPERVISION_MAX_COLS];
    if (*lead == '\0') {
        supervision_bad(rep, line, "请填写牵头单位");
        bad = 1;
    } else if (supervision_split(a, lead, parts, 2) > 1) {
        supervision_bad(rep, line,
                        arena_printf(a,
                                     "牵头单位只能填一个（“%s”），"
                                     "其余单位请填入协办单位",
                                     lead));
        bad = 1;
    } else if ((t->lead_unit = supervision_unit_code(units, nunits, lead)) ==
               NULL) {
        supervision_bad(rep, line,
                        arena_printf(a,
                                     "牵头单位“%s”不存在，请填写单位全称、"
                                     "简称或代码",
                                     lead));
        bad = 1;
    }
    if (*v[SUP_COL_LEADER]) {
        const char *why;
        t->leader =
            supervision_person(a, users, nusers, v[SUP_COL_LEADER], &why);
        if (t->leader == NULL) {
            supervision_bad(rep, line, why);
            bad = 1;
        }
    }
    int np = supervision_split(a, v[SUP_COL_CO], parts, SUPERVISION_MAX_COLS);
    t->co_units = arena_alloc(a, sizeof(*t->co_units) * (size_t)(np + 1));
    for (int i = 0; i < np; i++) {
        const char *code = supervision_unit_code(units, nunits, parts[i]);
        int dup = 0;
        if (code == NULL) {
            supervision_bad(rep, line,
                            arena_printf(a, "协办单位“%s”不存在", parts[i]));
            bad = 1;
            continue;
        }
        for (int j = 0; j < t->nco; j++)
            dup |= strcmp(t->co_units[j], code) == 0;
        if (!dup && !(t->lead_unit && strcmp(t->lead_unit, code) == 0))
            t->co_units[t->nco++] = code;
    }
    if (*v[SUP_COL_DEADLINE] == '\0') {
        supervision_bad(rep, line, "请填写完成时限");
        bad = 1;
    } else if (supervision_date(v[SUP_COL_DEADLINE], &t->deadline)) {
        supervision_bad(rep, line,
                        arena_printf(a,
                                     "完成时限“%s”不是日期，请写成 "
                                     "2026-12-31、2026/12/31 或 "
                                     "2026年12月31日",
                                     v[SUP_COL_DEADLINE]));
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* 1 when every cell is empty. */
static int supervision_blank(const char *const *cells, int nc)
{
    for (int i = 0; i < nc; i++)
        if (*cells[i])
            return 0;
    return 1;
}

int supervision_import_parse(struct arena *a, const char *data, size_t len,
                             const struct unit *units, int nunits,
                             const struct user *users, int nusers,
                             struct supervision_task **tasks, int *ntasks,
                             struct supervision_import_report *rep)
{
    int rc = -1, line = 0, nc = 0, header = 0;
    int col[SUP_NCOLS];
    const char *cells[SUPERVISION_MAX_COLS], *why, *text;
    size_t tlen;
    struct csv c;
    *tasks = arena_alloc(a, sizeof(**tasks) * SUPERVISION_IMPORT_MAX_ROWS);
    *ntasks = 0;
    if (supervision_text_utf8(a, data, len, &text, &tlen, &line, &why)) {
        supervision_bad(rep, line, why);
        return -1;
    }
    csv_init(&c, text, tlen, SUPERVISION_CELL_MAX);
    while (csv_record(&c, a, cells, SUPERVISION_MAX_COLS, &nc, &line, &why)) {
        if (why) {
            supervision_bad(rep, line, why);
            continue;
        }
        if (supervision_blank(cells, nc))
            continue;
        if (!header) {
            /* title lines above the header are skipped */
            int named = 0;
            for (int k = 0; k < SUP_NCOLS; k++) {
                col[k] = -1;
                for (int i = 0; i < nc; i++)
                    if (strcmp(cells[i], supervision_cols[k].name) == 0)
                        col[k] = i;
            }
            named = col[SUP_COL_CONTENT] >= 0;
            if (!named)
                continue;
            header = 1;
            for (int k = 0; k < SUP_NCOLS; k++)
                if (supervision_cols[k].required && col[k] < 0)
                    supervision_bad(rep, line,
                                    arena_printf(a, "表头缺少“%s”列",
                                                 supervision_cols[k].name));
            if (rep->nbad_total)
                goto out;
            continue;
        }
        if (*ntasks >= SUPERVISION_IMPORT_MAX_ROWS) {
            supervision_bad(rep, line,
                            arena_printf(a, "任务超过%d项，请分批导入",
                                         SUPERVISION_IMPORT_MAX_ROWS));
            break;
        }
        if (supervision_task_check(a, cells, nc, col, line, units, nunits,
                                   users, nusers, &(*tasks)[*ntasks], rep) == 0)
            (*ntasks)++;
    }
    if (!header) {
        supervision_bad(rep, 0,
                        "找不到表头：应有“序号、任务内容、牵头单位、责任领导、"
                        "协办单位、完成时限”一行");
        goto out;
    }
    if (*ntasks == 0 && rep->nbad_total == 0) {
        supervision_bad(rep, 0, "表头下没有任务");
        goto out;
    }
    rc = rep->nbad_total;
out:
    csv_free(&c);
    return rc;
}

/* ---- writing ---- */

/* s cut to at most max characters, "…" marking a cut. */
static const char *supervision_cut(struct arena *a, const char *s, size_t max)
{
    size_t chars = 0, i = 0;
    if (supervision_chars(s) <= max)
        return s;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == max)
            break;
    }
    return arena_printf(a, "%.*s…", (int)i, s);
}

static json_t *supervision_task_fields(struct arena *a,
                                       const struct supervision_task *t,
                                       const char *report)
{
    char dl[11];
    json_t *co = json_array();
    for (int i = 0; i < t->nco; i++)
        json_array_append_new(co, json_string(t->co_units[i]));
    ymd_fmt(t->deadline, dl);
    json_t *f = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "title",
        supervision_cut(a, t->content, SUPERVISION_TITLE_MAX), "requirement",
        t->content, "source", "work_report", "source_ref",
        *t->seq ? arena_printf(a, "%s 第%s项", report, t->seq) : report,
        "lead_unit", t->lead_unit, "co_units", co, "deadline", dl);
    if (t->leader)
        json_object_set_new(f, "responsible_leader", json_string(t->leader));
    return f;
}

/* The year of the latest deadline (the report's year). */
static int supervision_report_year(const struct supervision_task *t, int n)
{
    int y = 0;
    for (int i = 0; i < n; i++)
        if (t[i].deadline.y > y)
            y = t[i].deadline.y;
    return y;
}

int supervision_import_work_report(struct store *db, const struct actor *who,
                                   struct arena *a, const char *data,
                                   size_t len, const char *title,
                                   struct supervision_import_report *rep,
                                   struct err *e)
{
    int rc = -1, ntasks, nunits, nusers, total;
    struct unit *units;
    struct user *users;
    struct supervision_task *tasks;
    struct user_filter uf = {.active = 1, .limit = 10000};
    json_t *fields = NULL;
    memset(rep, 0, sizeof(*rep));
    if (!actor_is_cli(who) && !actor_has_role(who, "clerk")) {
        err_set(e, 403, "forbidden", "只有督查科工作人员可以导入工作报告任务");
        goto out;
    }
    if (org_unit_list(db, a, &units, &nunits, e) ||
        org_user_list(db, a, &uf, &users, &nusers, &total, e))
        goto out;
    if (supervision_import_parse(a, data, len, units, nunits, users, nusers,
                                 &tasks, &ntasks, rep) != 0) {
        err_set(e, 400, "invalid",
                arena_printf(a, "有%d处不符合要求，未导入任何任务",
                             rep->nbad_total));
        goto out;
    }
    if (title == NULL || *title == '\0')
        title = arena_printf(a, "%d年政府工作报告重点任务",
                             supervision_report_year(tasks, ntasks));
    title = supervision_cut(a, title, SUPERVISION_TITLE_MAX);
    /* Every row has been checked, so only a database failure can stop
     * the writing half-way.  case_create() commits each item in its own
     * transaction today; once the engine joins a transaction its caller
     * opened, this loop goes inside one and such a failure leaves
     * nothing either. */
    fields = json_pack("{s:s, s:s, s:s, s:s}", "title", title, "source",
                       "work_report", "source_ref", title, "requirement",
                       arena_printf(a,
                                    "共%d项任务，逐项分解到牵头单位，"
                                    "明确责任、标准和时限，实行台账管理",
                                    ntasks));
    struct case_new parent = {supervision_module.code, 0, fields,
                              "导入政府工作报告任务分解表"};
    if (case_create(db, a, who, &parent, &rep->parent_id, e))
        goto out;
    for (int i = 0; i < ntasks; i++) {
        int64_t id;
        json_decref(fields);
        fields = supervision_task_fields(a, &tasks[i], title);
        struct case_new child = {supervision_module.code, rep->parent_id,
                                 fields, NULL};
        if (case_create(db, a, who, &child, &id, e)) {
            /* name the row in the reason */
            supervision_bad(rep, tasks[i].line,
                            e->message ? e->message : "无法登记");
            goto out;
        }
        rep->tasks++;
    }
    rc = 0;
out:
    json_decref(fields);
    return rc;
}
