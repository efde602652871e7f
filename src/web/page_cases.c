/*
 * page_cases.c - the pages of cases (件), generated from the module tables
 * (module.h) for every module alike; the case engine (case.h) decides who
 * sees and may do what, these pages only ask it and render.
 *
 *     GET  /m/:module              list: state tabs with counts, filters
 *                                  (unit, light, dates, text), sortable
 *                                  headers, paging, 导出Excel, 登记
 *     GET  /m/:module/export       the filtered list as .xlsx, on a worker
 *                                  thread, read in keyset chunks
 *                                  (api_case_export_reply, case_list_chunk)
 *     GET  /m/:module/new          the registration form
 *     POST /m/:module/new          register; 303 to the new case
 *     GET  /cases/:id              detail: status line, fields, actions,
 *                                  处理笺 timeline, files, children, links
 *     GET  /cases/:id/print        print view (A4, no navigation); audited
 *                                  for a classified item
 *     GET  /cases/:id/edit         edit form (fields the viewer may edit)
 *     POST /cases/:id/edit         save; 303 back
 *     GET  /cases/:id/do/:code     the small form of a transition
 *     POST /cases/:id/do/:code     fire it; 303 back with its done_message
 *     POST /cases/:id/comments     add an opinion to the timeline
 *     POST /cases/:id/files        upload attachments (multipart; slow)
 *     POST /cases/:id/links        link another case
 *     GET  /files/:id              download (api_files_get; slow)
 *     GET  /notifications          my notifications
 *     POST /notifications/read     mark one (id) or all read
 *     GET  /search                 search over every module (?q=&module=)
 * Every route is PERM_LOGIN; the engine answers 404 for a case the viewer
 * may not see and 403/409 for what they may not do.  Forms keep what was
 * typed and show the engine's messages beside their fields.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/now.h"
#include "kernel/audit.h"
#include "kernel/case.h"
#include "kernel/files.h"
#include "kernel/notify.h"
#include "kernel/search.h"
#include "web/api.h"
#include "web/common.h"
#include "web/pages.h"
#include "web/tmpl.h"

#define PC_MAX_FIELDS 64
#define PC_FORM_LIST_MAX 200
#define PC_PEOPLE_MAX 500
#define PC_TODO_HOME 50
#define PC_FILES_MAX 20
#define PC_PRINT_MAX ((size_t)4 << 20)

static json_t *pc_str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

/* Sets o's key, an ASCII literal, to text s as pc_str makes it (NULL and
 * text that is not UTF-8: "").  Rows are built with these, not json_pack:
 * parsing its format and checking its keys again for each of fifty rows
 * was a tenth of a list page. */
static void pc_set(json_t *o, const char *key, const char *s)
{
    json_object_set_new_nocheck(o, key, pc_str(s));
}

static void pc_set_int(json_t *o, const char *key, int64_t v)
{
    json_object_set_new_nocheck(o, key, json_integer(v));
}

/* A positive decimal id, or 0. */
static int64_t pc_id_text(const char *s)
{
    int64_t v = 0;
    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* ---- lights, dates, clocks ---- */

/* Adds light, light_word, light_color of a light to o. */
static void pc_light(json_t *o, int light)
{
    const char *name = light >= 0 ? case_light_name(light) : "";
    pc_set(o, "light", light >= 0 ? name : "");
    pc_set(o, "light_word", api_case_light_word(light));
    pc_set(o, "light_color", api_case_light_color(light));
}

/* "2026-12-01" of a due instant ("" for none). */
static const char *pc_due(struct http_req *r, int64_t due_ms)
{
    char out[11];
    if (due_ms <= 0)
        return "";
    ymd_fmt(api_case_due_date(due_ms), out);
    return arena_strdup(r->arena, out);
}

/* What is left of a clock in words: "还剩3个工作日", "今日到期",
 * "超期2个工作日", "按期办结", "逾期办结". */
static const char *pc_left(struct http_req *r, const struct case_clock_view *c)
{
    const struct clock_state *st = &c->st;
    const char *unit = c->def->unit == CLOCK_WORKDAYS ? "个工作日"
                       : c->def->unit == CLOCK_HOURS  ? "小时"
                                                      : "天";
    if (st->stopped && c->def->main)
        return st->light == CLOCK_RED ? "逾期办结" : "按期办结";
    if (st->stopped)
        return st->light == CLOCK_RED ? "逾期完成" : "按时完成";
    if (st->left > 0)
        return arena_printf(r->arena, "还剩%lld%s%s", (long long)st->left, unit,
                            st->paused ? "，暂停计时中" : "");
    if (st->left == 0 && st->left_ms >= 0)
        return st->paused ? "今日到期，暂停计时中" : "今日到期";
    long long over = st->left < 0 ? -st->left : 1;
    return arena_printf(r->arena, "超期%lld%s%s", over, unit,
                        st->paused ? "，暂停计时中" : "");
}

static json_t *pc_clock_json(struct http_req *r,
                             const struct case_clock_view *c)
{
    char cn[32], d[11];
    ymd_fmt_cn(c->st.due_date, cn);
    ymd_fmt(c->st.due_date, d);
    json_t *o = json_pack("{s:o, s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:i}",
                          "label", pc_str(c->def->label), "due_cn", cn, "due",
                          d, "left", pc_str(pc_left(r, c)), "stopped",
                          c->st.stopped != 0, "paused", c->st.paused != 0,
                          "unpublished", c->st.unpublished != 0, "main",
                          c->def->main != 0, "extensions", c->nextensions);
    pc_light(o, (int)c->st.light);
    return o;
}

/* The clock that stands for the case: the main one, else the first. */
static const struct case_clock_view *pc_main_clock(const struct case_view *v)
{
    for (int i = 0; i < v->nclocks; i++)
        if (v->clocks[i].def && v->clocks[i].def->main)
            return &v->clocks[i];
    return v->nclocks > 0 && v->clocks[0].def ? &v->clocks[0] : NULL;
}

/* ---- rows of case items for the templates, read from the items ---- */

/* The rows of a list, 我的待办, children and search (pc_item_json), and
 * for a module's list one cell per listed field ({value, is_title, num}),
 * answered from the items
 * themselves as a template source (tmpl.h): fifty rows built as jansson
 * objects, then looked up by hash and freed, were a third of a list page. */
struct pc_row {
    const struct case_item *it;
    const char *href, *due, *created, *mark;
};

struct pc_rows {
    struct tmpl_src src;      /* first: a row is item i of rows */
    struct tmpl_src cell_src; /* a cell is column i of the row at base */
    struct pc_row *rows;
    int n;
    const struct field_def *const *cols; /* NULL: rows without cells */
    int ncols;
    struct api_case_names *nm;
};

enum pc_row_name {
    PR_ID,
    PR_HREF,
    PR_NUMBER,
    PR_TITLE,
    PR_MODULE_LABEL,
    PR_STATE_LABEL,
    PR_STATE,
    PR_DUE,
    PR_CREATED,
    PR_PROGRESS,
    PR_LEAD_UNIT,
    PR_PENDING,
    PR_MARK,
    PR_LIGHT,
    PR_LIGHT_WORD,
    PR_LIGHT_COLOR,
    PR_CELLS,
    PR_NONE
};

#define PR_NAME(s)                                                             \
    {                                                                          \
        s, sizeof(s) - 1                                                       \
    }
static const struct {
    const char *s;
    size_t len;
} pc_row_names[] = {
    PR_NAME("id"),          PR_NAME("href"),         PR_NAME("number"),
    PR_NAME("title"),       PR_NAME("module_label"), PR_NAME("state_label"),
    PR_NAME("state"),       PR_NAME("due"),          PR_NAME("created"),
    PR_NAME("progress"),    PR_NAME("lead_unit"),    PR_NAME("pending"),
    PR_NAME("mark"),        PR_NAME("light"),        PR_NAME("light_word"),
    PR_NAME("light_color"), PR_NAME("cells")};
#undef PR_NAME
_Static_assert(sizeof(pc_row_names) / sizeof(pc_row_names[0]) == PR_NONE,
               "a name for each enum pc_row_name");

static int pc_row_get(const struct tmpl_src *src, const void *base, int i,
                      const char *name, size_t len, struct tmpl_val *v)
{
    const struct pc_rows *rs = (const struct pc_rows *)src;
    const struct pc_row *row = (const struct pc_row *)base + i;
    const struct case_item *it = row->it;
    int k = 0;
    while (k < PR_NONE && (pc_row_names[k].len != len ||
                           memcmp(name, pc_row_names[k].s, len) != 0))
        k++;
    switch ((enum pc_row_name)k) {
    case PR_ID:
        tmpl_val_int(v, it->id);
        break;
    case PR_HREF:
        tmpl_val_str(v, row->href);
        break;
    case PR_NUMBER:
        tmpl_val_str(v, it->number);
        break;
    case PR_TITLE:
        tmpl_val_str(v, it->title);
        break;
    case PR_MODULE_LABEL:
        tmpl_val_str(v, it->m ? it->m->label : "");
        break;
    case PR_STATE_LABEL:
        tmpl_val_str(v, it->state ? it->state->label : "");
        break;
    case PR_STATE:
        tmpl_val_str(v, it->state ? it->state->code : "");
        break;
    case PR_DUE:
        tmpl_val_str(v, row->due);
        break;
    case PR_CREATED:
        tmpl_val_str(v, row->created);
        break;
    case PR_PROGRESS:
        tmpl_val_int(v, it->progress);
        break;
    case PR_LEAD_UNIT:
        tmpl_val_str(v, it->lead_unit_name);
        break;
    case PR_PENDING:
        tmpl_val_str(v, it->pending ? "有待审批的申请" : "");
        break;
    case PR_MARK: /* no mark, no key */
        if (row->mark == NULL || *row->mark == '\0')
            return 0;
        tmpl_val_str(v, row->mark);
        break;
    case PR_LIGHT:
        tmpl_val_str(v, it->light >= 0 ? case_light_name(it->light) : "");
        break;
    case PR_LIGHT_WORD:
        tmpl_val_str(v, api_case_light_word(it->light));
        break;
    case PR_LIGHT_COLOR:
        tmpl_val_str(v, api_case_light_color(it->light));
        break;
    case PR_CELLS:
        if (rs->cols == NULL)
            return 0;
        tmpl_val_list(v, &rs->cell_src, row, rs->ncols);
        break;
    default:
        return 0;
    }
    return 1;
}

static int pc_cell_get(const struct tmpl_src *src, const void *base, int i,
                       const char *name, size_t len, struct tmpl_val *v)
{
    const struct pc_rows *rs =
        (const struct pc_rows *)((const char *)src -
                                 offsetof(struct pc_rows, cell_src));
    const struct case_item *it = ((const struct pc_row *)base)->it;
    const struct field_def *col = rs->cols[i];
    if (tmpl_name_is(name, len, "value")) {
        if (col->role == FIELD_IS_TITLE) {
            tmpl_val_str(v, it->title);
        } else {
            json_t *x =
                it->fields ? json_object_get(it->fields, col->code) : NULL;
            tmpl_val_str(v, api_case_display(rs->nm, col, x));
        }
    } else if (tmpl_name_is(name, len, "is_title")) {
        tmpl_val_bool(v, col->role == FIELD_IS_TITLE);
    } else if (tmpl_name_is(name, len, "num")) {
        tmpl_val_bool(v, col->type == FIELD_NUMBER);
    } else {
        return 0;
    }
    return 1;
}

/* The rows of n items (in r's arena), with cells of the ncols fields in
 * cols when cols is not NULL; pc_rows_done() after rendering. */
static struct pc_rows *pc_rows_new(struct http_req *r,
                                   const struct case_item *items, int n,
                                   const struct field_def *const *cols,
                                   int ncols)
{
    struct pc_rows *rs = arena_alloc(r->arena, sizeof(*rs));
    memset(rs, 0, sizeof(*rs));
    rs->src.get = pc_row_get;
    rs->cell_src.get = pc_cell_get;
    rs->n = n > 0 ? n : 0;
    rs->rows = arena_alloc(r->arena, sizeof(*rs->rows) * (size_t)(rs->n + 1));
    rs->cols = cols;
    rs->ncols = ncols;
    if (cols)
        api_case_names_init(&rs->nm, r);
    for (int i = 0; i < rs->n; i++) {
        const struct case_item *it = &items[i];
        struct pc_row *row = &rs->rows[i];
        row->it = it;
        row->href = arena_int(r->arena, "/cases/", (long long)it->id);
        row->due = pc_due(r, it->due_ms);
        row->created = page_date(r, it->created_ms);
        row->mark = it->m && it->m->mark ? it->m->mark(r->arena, it) : NULL;
    }
    return rs;
}

static void pc_rows_done(struct pc_rows *rs)
{
    if (rs && rs->nm)
        api_case_names_free(rs->nm);
}

/* A bind of the rows under name, for http_reply_page_with(). */
static void pc_rows_bind(struct tmpl_bind *b, const char *name,
                         const struct pc_rows *rs)
{
    tmpl_val_list(&b->val, &rs->src, rs->rows, rs->n);
    b->name = name;
}

/* A list item as a JSON object (the case page's own case, search
 * results): the row's names and values above, but the cells. */
static json_t *pc_item_json(struct http_req *r, const struct case_item *it)
{
    struct pc_rows *rs = pc_rows_new(r, it, 1, NULL, 0);
    json_t *o = json_object();
    for (int k = 0; k < PR_CELLS; k++) {
        struct tmpl_val v;
        if (!pc_row_get(&rs->src, rs->rows, 0, pc_row_names[k].s,
                        pc_row_names[k].len, &v))
            continue;
        if (v.kind == TMPL_INT)
            pc_set_int(o, pc_row_names[k].s, v.i);
        else
            pc_set(o, pc_row_names[k].s, v.s);
    }
    return o;
}

/* For lists whose rows show no field (case_filter.fields). */
static const char *const pc_no_fields[] = {NULL};

/* 1 when the viewer holds a role of the comma-separated list. */
static int pc_has_role(const struct actor *who, const char *list)
{
    if (list == NULL)
        return 0;
    for (int i = 0; i < who->nroles; i++)
        if (module_in_list(list, who->roles[i]))
            return 1;
    return 0;
}

/* The module of path parameter :module, or NULL after a 404 page. */
static const struct module_def *pc_module_or_reply(struct http_req *r)
{
    const struct module_def *m = module_find(http_param(r, "module"));
    if (m == NULL)
        http_reply_status(r, 404, "没有这个业务模块");
    return m;
}

/* ---- forms generated from the field table ---- */

/* One field of a form. */
struct pc_field {
    const struct field_def *f;
    int required;
};

static int pc_is_list(enum field_type t)
{
    return t == FIELD_MULTI || t == FIELD_UNITS || t == FIELD_PERSONS;
}

/* A value in API form as the text an input holds. */
static const char *pc_value_text(struct http_req *r, const struct field_def *f,
                                 json_t *v)
{
    if (v == NULL || json_is_null(v))
        return "";
    if (json_is_integer(v))
        return arena_printf(r->arena, "%lld", (long long)json_integer_value(v));
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (f->type == FIELD_DATETIME && strlen(s) >= 16)
            return arena_strndup(r->arena, s, 16); /* datetime-local */
        return s;
    }
    if (json_is_array(v)) {
        struct buf b;
        size_t i;
        json_t *x;
        buf_init(&b, 65536);
        json_array_foreach(v, i, x)
        {
            if (i)
                buf_putc(&b, ',');
            buf_puts(&b, json_is_string(x) ? json_string_value(x) : "");
        }
        const char *s = arena_strdup(r->arena, b.ptr ? b.ptr : "");
        buf_free(&b);
        return s;
    }
    return "";
}

/* 1 when code is among the comma-separated values of list. */
static int pc_in_values(const char *list, const char *code)
{
    return list && *list && module_in_list(list, code);
}

/* The submitted value of a field as one text (lists comma-separated);
 * NULL when the form did not carry it. */
static const char *pc_form_text(struct http_req *r, const struct field_def *f)
{
    if (f->type == FIELD_MULTI || f->type == FIELD_UNITS) {
        const char *vals[PC_FORM_LIST_MAX];
        int n = http_form_all(r, f->code, vals, PC_FORM_LIST_MAX);
        struct buf b;
        buf_init(&b, 65536);
        for (int i = 0; i < n; i++) {
            if (*vals[i] == '\0')
                continue;
            if (b.len)
                buf_putc(&b, ',');
            buf_puts(&b, vals[i]);
        }
        const char *s = arena_strdup(r->arena, b.ptr ? b.ptr : "");
        buf_free(&b);
        return s;
    }
    return http_form(r, f->code);
}

/* <option>s of the units, with the selected ones from a list. */
static json_t *pc_unit_options(struct http_req *r, const char *selected,
                               int with_none)
{
    json_t *opts = page_unit_options(r, NULL, with_none ? "请选择" : NULL);
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o)
    {
        const char *v = json_string_value(json_object_get(o, "value"));
        json_object_set_new(o, "selected",
                            json_boolean(v && *v && pc_in_values(selected, v)));
    }
    return opts;
}

static json_t *pc_choice_options(const struct field_def *f,
                                 const char *selected, int with_none)
{
    json_t *opts = json_array();
    if (with_none)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", "",
                                              "label", "请选择", "selected",
                                              selected == NULL || !*selected));
    for (const struct choice_def *c = f->choices; c && c->code; c++)
        json_array_append_new(opts, json_pack("{s:o, s:o, s:b}", "value",
                                              pc_str(c->code), "label",
                                              pc_str(c->label), "selected",
                                              pc_in_values(selected, c->code)));
    return opts;
}

/* The people for the person inputs' <datalist>. */
static json_t *pc_people(struct http_req *r)
{
    struct user_filter uf = {0};
    struct user *u;
    int n = 0, total = 0;
    struct err e;
    err_clear(&e);
    json_t *list = json_array();
    uf.active = 1;
    uf.limit = PC_PEOPLE_MAX;
    if (org_user_list(r->db, r->arena, &uf, &u, &n, &total, &e))
        return list;
    for (int i = 0; i < n; i++)
        json_array_append_new(
            list,
            json_pack("{s:o, s:o}", "value", pc_str(u[i].login), "label",
                      pc_str(arena_printf(
                          r->arena, "%s（%s）", u[i].name ? u[i].name : "",
                          u[i].unit_name ? u[i].unit_name : ""))));
    return list;
}

/* The form's fields as the template shows them: current holds the values
 * in API form (NULL: the defaults), posted 1 when the request carries the
 * submitted form, errors the messages by field code. */
static json_t *pc_form_fields(struct http_req *r, const struct pc_field *fs,
                              int n, json_t *current, int posted,
                              json_t *errors, int *need_people)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        const struct field_def *f = fs[i].f;
        const char *val;
        if (posted) {
            val = pc_form_text(r, f);
            if (val == NULL)
                val = "";
        } else if (current) {
            val = pc_value_text(r, f, json_object_get(current, f->code));
        } else {
            val = f->default_value ? f->default_value : "";
        }
        json_t *o =
            json_pack("{s:o, s:o, s:o, s:b, s:o, s:o}", "code", pc_str(f->code),
                      "id", pc_str(arena_printf(r->arena, "f-%s", f->code)),
                      "label", pc_str(f->label), "required", fs[i].required,
                      "help", pc_str(f->help), "value", pc_str(val));
        json_t *err = errors ? json_object_get(errors, f->code) : NULL;
        if (json_is_string(err))
            json_object_set(o, "error", err);
        if (f->max > 0 && (f->type == FIELD_TEXT || f->type == FIELD_LONGTEXT))
            json_object_set_new(o, "maxlength", json_integer(f->max));
        const char *kind;
        switch (f->type) {
        case FIELD_LONGTEXT:
            kind = "is_longtext";
            break;
        case FIELD_NUMBER:
            kind = "is_number";
            json_object_set_new(o, "min", json_integer(f->min));
            if (f->max)
                json_object_set_new(o, "max", json_integer(f->max));
            break;
        case FIELD_DATE:
            kind = "is_date";
            break;
        case FIELD_DATETIME:
            kind = "is_datetime";
            break;
        case FIELD_CHOICE:
            kind = "is_select";
            json_object_set_new(
                o, "options",
                pc_choice_options(f, val, !fs[i].required || !*val));
            break;
        case FIELD_MULTI:
            kind = "is_checks";
            json_object_set_new(o, "options", pc_choice_options(f, val, 0));
            break;
        case FIELD_UNIT:
            kind = "is_select";
            json_object_set_new(o, "options", pc_unit_options(r, val, 1));
            break;
        case FIELD_UNITS:
            kind = "is_multiselect";
            json_object_set_new(o, "options", pc_unit_options(r, val, 0));
            break;
        case FIELD_PERSON:
        case FIELD_PERSONS:
            kind = "is_person";
            *need_people = 1;
            if (f->type == FIELD_PERSONS)
                json_object_set_new(o, "several", json_true());
            break;
        default:
            kind = "is_text";
            break;
        }
        json_object_set_new(o, kind, json_true());
        json_array_append_new(list, o);
    }
    return list;
}

/* The submitted form as the engine's input object: lists comma-separated,
 * a datetime-local value with its +08:00; skip_empty leaves out fields
 * left empty (registration: the defaults apply). */
static json_t *pc_form_input(struct http_req *r, const struct pc_field *fs,
                             int n, int skip_empty)
{
    json_t *in = json_object();
    for (int i = 0; i < n; i++) {
        const struct field_def *f = fs[i].f;
        const char *v = pc_form_text(r, f);
        if (v == NULL && !pc_is_list(f->type))
            continue;
        if (v == NULL)
            v = "";
        size_t len = strspn(v, " \t\r\n") == strlen(v) ? 0 : strlen(v);
        if (len == 0 && skip_empty)
            continue;
        if (f->type == FIELD_DATETIME && strlen(v) == 16 && v[10] == 'T')
            v = arena_printf(r->arena, "%s:00+08:00", v);
        json_object_set_new(in, f->code, pc_str(len ? v : ""));
    }
    return in;
}

/* The fields of registration: every field but READONLY and HIDDEN ones;
 * required those required in the initial state. */
static int pc_create_fields(const struct module_def *m, struct pc_field *fs)
{
    const struct state_def *init = module_initial(m);
    int n = 0;
    for (const struct field_def *f = m->fields; f && f->code; f++) {
        if (f->flags & (FIELD_READONLY | FIELD_HIDDEN) || n >= PC_MAX_FIELDS)
            continue;
        fs[n].f = f;
        fs[n].required = f->role == FIELD_IS_TITLE ||
                         (init && module_in_list(f->required_in, init->code));
        n++;
    }
    return n;
}

/* The fields a transition sets; required: its own list and what its
 * target state requires. */
static int pc_transition_fields(const struct module_def *m,
                                const struct transition_def *t,
                                struct pc_field *fs)
{
    int n = 0;
    for (const struct field_def *f = m->fields; f && f->code; f++) {
        if (!module_in_list(t->fields, f->code) || n >= PC_MAX_FIELDS)
            continue;
        fs[n].f = f;
        fs[n].required = module_in_list(t->required, f->code) ||
                         (t->to && module_in_list(f->required_in, t->to));
        n++;
    }
    return n;
}

/* The fields the viewer may edit outside transitions. */
static int pc_edit_fields(const struct module_def *m, const struct actor *who,
                          const char *state, struct pc_field *fs)
{
    int n = 0;
    for (const struct field_def *f = m->fields; f && f->code; f++) {
        if (f->flags & (FIELD_READONLY | FIELD_HIDDEN) ||
            !pc_has_role(who, f->edit_roles) || n >= PC_MAX_FIELDS)
            continue;
        fs[n].f = f;
        fs[n].required = state && module_in_list(f->required_in, state);
        n++;
    }
    return n;
}

/* ---- GET /m/:module ---- */

/* The list's query-string names kept by links (sort and page apart). */
static const char *const pc_filter_names[] = {
    "state",      "unit",     "light",  "q",        "created_from",
    "created_to", "due_from", "due_to", "per_page", NULL};
static const char *const pc_tab_names[] = {
    "unit",   "light",    "q", "created_from", "created_to", "due_from",
    "due_to", "per_page", NULL};

/* A header of the list: sortable ones link to themselves with the sort
 * turned (ascending first, then descending). */
static json_t *pc_header(struct http_req *r, const char *label, const char *key,
                         const char *qs, const char *sort)
{
    json_t *h = json_pack("{s:o}", "label", pc_str(label));
    if (key == NULL)
        return h;
    int asc = sort && strcmp(sort, key) == 0;
    int desc = sort && sort[0] == '-' && strcmp(sort + 1, key) == 0;
    const char *next = asc ? arena_printf(r->arena, "-%s", key) : key;
    json_object_set_new(h, "href",
                        pc_str(arena_printf(r->arena, "?%ssort=%s", qs, next)));
    if (asc || desc) {
        json_object_set_new(h, "sorted", json_true());
        json_object_set_new(h, "aria_sort",
                            pc_str(asc ? "ascending" : "descending"));
        json_object_set_new(h, "arrow", pc_str(asc ? "▲" : "▼"));
    }
    return h;
}

int page_case_list(struct http_req *r)
{
    const struct module_def *m = pc_module_or_reply(r);
    struct case_filter f;
    struct case_page pg;
    const struct field_def *cols[PC_MAX_FIELDS];
    int ncols = 0;
    const char *codes[PC_MAX_FIELDS + 1];
    struct err e;
    err_clear(&e);
    if (m == NULL)
        return 0;
    /* the columns: only their fields are read from the rows */
    for (const struct field_def *d = m->fields; d && d->code; d++)
        if ((d->flags & FIELD_LIST) && !(d->flags & FIELD_HIDDEN) &&
            ncols < PC_MAX_FIELDS) {
            codes[ncols] = d->code;
            cols[ncols++] = d;
        }
    codes[ncols] = NULL;
    json_t *ctx = page_ctx(r, m->label, NULL);
    api_case_filter(r, &f, &e);
    f.module = m->code;
    f.fields = codes;
    if (err_isset(&e) || case_list(r->db, r->arena, &r->who, &f, &pg, &e)) {
        /* a bad filter: show the list unfiltered with the message */
        json_t *errs = page_form_errors(r, NULL, &e, ctx);
        json_decref(errs);
        struct case_filter g = {.module = m->code, .page = 1, .per_page = 20,
                                 .fields = codes};
        f = g;
        err_clear(&e);
        if (case_list(r->db, r->arena, &r->who, &f, &pg, &e)) {
            json_decref(ctx);
            page_fail(r, &e);
            return 0;
        }
    }
    page_qs(r, ctx, "qs", pc_filter_names);
    page_qs(r, ctx, "qs_tabs", pc_tab_names);
    const char *qs = json_string_value(json_object_get(ctx, "qs"));
    const char *sort = page_query(r, "sort");
    const char *qs_sort =
        *sort ? arena_printf(r->arena, "%ssort=%s&", qs, sort) : qs;

    /* tabs: 全部 and each state, counted without the state filter */
    json_t *tabs = json_array();
    int64_t all = 0;
    for (int i = 0; i < pg.ncounts; i++)
        all += pg.counts[i].n;
    json_array_append_new(
        tabs, json_pack("{s:s, s:s, s:I, s:b}", "value", "", "label", "全部",
                        "count", (json_int_t)all, "current", f.state == NULL));
    for (int i = 0; i < pg.ncounts; i++)
        json_array_append_new(
            tabs,
            json_pack("{s:o, s:o, s:I, s:b}", "value",
                      pc_str(pg.counts[i].state), "label",
                      pc_str(pg.counts[i].label), "count",
                      (json_int_t)pg.counts[i].n, "current",
                      f.state && strcmp(f.state, pg.counts[i].state) == 0));

    /* headers and rows */
    json_t *heads = json_array();
    json_array_append_new(heads, pc_header(r, "编号", "number", qs, sort));
    for (int c = 0; c < ncols; c++)
        json_array_append_new(
            heads, pc_header(r, cols[c]->label,
                             cols[c]->role == FIELD_IS_TITLE ? "title" : NULL,
                             qs, sort));
    json_array_append_new(heads, pc_header(r, "状态", NULL, qs, sort));
    json_array_append_new(heads, pc_header(r, "灯号", NULL, qs, sort));
    json_array_append_new(heads, pc_header(r, "办理时限", "due", qs, sort));
    json_array_append_new(heads, pc_header(r, "登记日期", "created", qs, sort));
    struct pc_rows *rs = pc_rows_new(r, pg.items, pg.n, cols, ncols);
    struct page_option *units;
    int nunits =
        page_unit_option_list(r, page_query(r, "unit"), "全部单位", &units);
    struct tmpl_bind binds[3];
    memset(binds, 0, sizeof(binds));
    pc_rows_bind(&binds[0], "rows", rs);
    page_options_bind(&binds[1], "units", units, nunits);

    /* paging by page number */
    int64_t pages = (pg.total + f.per_page - 1) / f.per_page;
    json_t *paging = json_pack(
        "{s:I, s:i, s:I, s:I, s:I}", "total", (json_int_t)pg.total, "page",
        f.page, "pages", (json_int_t)(pages < 1 ? 1 : pages), "from",
        (json_int_t)(pg.n ? (int64_t)(f.page - 1) * f.per_page + 1 : 0), "to",
        (json_int_t)((int64_t)(f.page - 1) * f.per_page + pg.n));
    if (f.page > 1)
        json_object_set_new(
            paging, "prev",
            pc_str(arena_printf(r->arena, "?%spage=%d", qs_sort, f.page - 1)));
    if ((int64_t)f.page < pages)
        json_object_set_new(
            paging, "next",
            pc_str(arena_printf(r->arena, "?%spage=%d", qs_sort, f.page + 1)));
    if (pages > 1)
        json_object_set_new(paging, "several", json_true());

    static const char *const lights[][2] = {{"", "全部"},
                                            {"green", "绿灯 正常"},
                                            {"yellow", "黄灯 临期"},
                                            {"red", "红灯 超期"}};
    json_t *light_opts = json_array();
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(
            light_opts,
            json_pack("{s:s, s:s, s:b}", "value", lights[i][0], "label",
                      lights[i][1], "selected",
                      strcmp(page_query(r, "light"), lights[i][0]) == 0));
    json_object_set_new(ctx, "module",
                        json_pack("{s:o, s:o, s:o}", "code", pc_str(m->code),
                                  "label", pc_str(m->label), "case_label",
                                  pc_str(m->case_label)));
    json_object_set_new(ctx, "can_create",
                        json_boolean(pc_has_role(&r->who, m->create_roles)));
    json_object_set_new(ctx, "qs_sort", pc_str(qs_sort));
    json_object_set_new(ctx, "tabs", tabs);
    json_object_set_new(ctx, "heads", heads);
    json_object_set_new(ctx, "ncols", json_integer(ncols + 5));
    json_object_set_new(ctx, "paging", paging);
    json_object_set_new(ctx, "lights", light_opts);
    json_object_set_new(
        ctx, "f",
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "q",
                  pc_str(page_query(r, "q")), "state",
                  pc_str(page_query(r, "state")), "created_from",
                  pc_str(page_query(r, "created_from")), "created_to",
                  pc_str(page_query(r, "created_to")), "due_from",
                  pc_str(page_query(r, "due_from")), "due_to",
                  pc_str(page_query(r, "due_to")), "sort", pc_str(sort)));
    http_reply_page_with(r, 200, "case_list.html", ctx, binds);
    pc_rows_done(rs);
    return 0;
}

int page_case_export(struct http_req *r)
{
    const struct module_def *m = pc_module_or_reply(r);
    struct case_filter f;
    struct err e;
    err_clear(&e);
    if (m == NULL)
        return 0;
    if (api_case_filter(r, &f, &e)) {
        page_fail(r, &e);
        return 0;
    }
    f.module = m->code;
    api_case_export_reply(r, &f);
    return 0;
}

/* ---- GET/POST /m/:module/new ---- */

/* Renders a form page (case_form.html): title, crumbs to the module (and
 * the case), the fields, and what the form is for in extra keys of ctx. */
static void pc_form_page(struct http_req *r, int status, json_t *ctx,
                         const struct pc_field *fs, int n, json_t *current,
                         int posted, json_t *errors)
{
    int need_people = 0;
    json_object_set_new(
        ctx, "fields",
        pc_form_fields(r, fs, n, current, posted, errors, &need_people));
    if (need_people)
        json_object_set_new(ctx, "people", pc_people(r));
    if (errors)
        json_object_set(ctx, "errors", errors);
    http_reply_page(r, status, "case_form.html", ctx);
}

static void pc_new_page(struct http_req *r, const struct module_def *m,
                        int status, int posted, json_t *errors, json_t *alert)
{
    struct pc_field fs[PC_MAX_FIELDS];
    int n = pc_create_fields(m, fs);
    const char *title = arena_printf(r->arena, "登记%s", m->case_label);
    json_t *ctx = page_ctx(r, title, m->label,
                           arena_printf(r->arena, "/m/%s", m->code), NULL);
    json_object_set_new(ctx, "heading", pc_str(title));
    json_object_set_new(ctx, "action",
                        pc_str(arena_printf(r->arena, "/m/%s/new", m->code)));
    json_object_set_new(ctx, "cancel",
                        pc_str(arena_printf(r->arena, "/m/%s", m->code)));
    json_object_set_new(ctx, "submit", pc_str("登记"));
    json_object_set_new(ctx, "primary", json_true());
    const char *parent = http_form(r, "parent");
    if (parent == NULL)
        parent = http_query(r, "parent");
    if (parent && pc_id_text(parent) > 0)
        json_object_set_new(ctx, "parent", pc_str(parent));
    if (alert)
        json_object_set(ctx, "alert", alert);
    pc_form_page(r, status, ctx, fs, n, NULL, posted, errors);
}

int page_case_new(struct http_req *r)
{
    const struct module_def *m = pc_module_or_reply(r);
    if (m == NULL)
        return 0;
    if (!pc_has_role(&r->who, m->create_roles)) {
        http_reply_status(
            r, 403,
            arena_printf(r->arena, "您没有登记%s的权限", m->case_label));
        return 0;
    }
    pc_new_page(r, m, 200, 0, NULL, NULL);
    return 0;
}

/* The messages of a refusal by field, and the sentence for the page. */
static json_t *pc_errors(struct http_req *r, const struct err *e,
                         json_t **alert)
{
    json_t *holder = json_object();
    json_t *errs = page_form_errors(r, NULL, e, holder);
    *alert = json_incref(json_object_get(holder, "alert"));
    json_decref(holder);
    return errs;
}

int page_case_create(struct http_req *r)
{
    const struct module_def *m = pc_module_or_reply(r);
    struct pc_field fs[PC_MAX_FIELDS];
    struct case_new cn = {0};
    int64_t id = 0;
    struct err e;
    err_clear(&e);
    if (m == NULL)
        return 0;
    int n = pc_create_fields(m, fs);
    json_t *in = pc_form_input(r, fs, n, 1);
    cn.module = m->code;
    cn.fields = in;
    const char *parent = http_form(r, "parent");
    cn.parent_id = parent ? pc_id_text(parent) : 0;
    int rc = case_create(r->db, r->arena, &r->who, &cn, &id, &e);
    json_decref(in);
    if (rc) {
        if (e.status == 404 || (e.status == 403 && e.nfields == 0)) {
            page_fail(r, &e);
            return 0;
        }
        json_t *alert = NULL;
        json_t *errs = pc_errors(r, &e, &alert);
        pc_new_page(r, m, e.status >= 400 ? e.status : 400, 1, errs, alert);
        json_decref(errs);
        json_decref(alert);
        return 0;
    }
    struct case_view v;
    const char *msg = arena_printf(r->arena, "已登记%s", m->case_label);
    struct err ge;
    err_clear(&ge);
    if (case_get(r->db, r->arena, &r->who, id, &v, &ge) == 0 && v.c.number &&
        *v.c.number)
        msg = arena_printf(r->arena, "已登记%s，编号 %s", m->case_label,
                           v.c.number);
    page_done(r, arena_printf(r->arena, "/cases/%lld", (long long)id), msg);
    return 0;
}

/* ---- GET /cases/:id ---- */

/* The case of path parameter :id for the viewer, or -1 after an error
 * page (404 for an unseen one). */
static int pc_case_or_reply(struct http_req *r, struct case_view *v)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_param_id(r, "id");
    if (id <= 0) {
        http_reply_status(r, 404, NULL);
        return -1;
    }
    if (case_get(r->db, r->arena, &r->who, id, v, &e)) {
        page_fail(r, &e);
        return -1;
    }
    return 0;
}

static const char *pc_href(struct http_req *r, const struct case_view *v,
                           const char *tail)
{
    return arena_printf(r->arena, "/cases/%lld%s", (long long)v->c.id, tail);
}

static const char *pc_state_label(const struct module_def *m, const char *code)
{
    const struct state_def *s = code && *code ? module_state(m, code) : NULL;
    return s ? s->label : code ? code : "";
}

/* What a timeline entry is, as the 处理笺 names it. */
/* An entry of the timeline as the pages show it: who did what, when. */
struct pc_event {
    const char *who, *role, *what, *text, *when, *opinion;
    const char *move; /* "立项 → 待签收"; NULL when the state stayed */
};

static void pc_event_make(struct http_req *r, const struct module_def *m,
                          const struct page_roles *pr,
                          const struct case_event *ev, struct pc_event *o)
{
    static const struct {
        const char *kind, *label;
    } kinds[] = {{"create", "登记"}, {"comment", "意见"}, {"link", "关联"},
                 {"file", "附件"},   {"edit", "修改"},    {"urge", "催办"}};
    const char *what = ev->transition_label && *ev->transition_label
                           ? ev->transition_label
                           : NULL;
    for (size_t i = 0; what == NULL && i < sizeof(kinds) / sizeof(kinds[0]);
         i++)
        if (ev->kind && strcmp(ev->kind, kinds[i].kind) == 0)
            what = kinds[i].label;
    const struct transition_def *t = ev->transition && *ev->transition
                                         ? module_transition(m, ev->transition)
                                         : NULL;
    const char *opinion = t && t->opinion ? t->opinion
                          : ev->kind && strcmp(ev->kind, "comment") == 0
                              ? "意见"
                              : NULL;
    o->who =
        ev->actor_name && *ev->actor_name ? ev->actor_name : ev->actor_login;
    o->role = ev->actor_role && *ev->actor_role
                  ? page_role_name(pr, ev->actor_role)
                  : "";
    o->what = what ? what : ev->kind;
    o->text = ev->text;
    o->when = page_minute(r, ev->at_ms);
    o->opinion = opinion;
    o->move = NULL;
    if (ev->from_state && *ev->from_state && ev->to_state && *ev->to_state &&
        strcmp(ev->from_state, ev->to_state) != 0)
        o->move =
            arena_printf(r->arena, "%s → %s", pc_state_label(m, ev->from_state),
                         pc_state_label(m, ev->to_state));
}

#define PE_NAME(s, f)                                                          \
    {                                                                          \
        s, sizeof(s) - 1, offsetof(struct pc_event, f)                         \
    }
static const struct {
    const char *s;
    size_t len, off;
} pc_event_names[] = {PE_NAME("who", who),   PE_NAME("role", role),
                      PE_NAME("what", what), PE_NAME("text", text),
                      PE_NAME("when", when), PE_NAME("opinion", opinion),
                      PE_NAME("move", move)};
#undef PE_NAME

/* The timeline as a template source: {who, role, what, text, when,
 * opinion, move (only when the state moved)}. */
static int pc_event_get(const struct tmpl_src *src, const void *base, int i,
                        const char *name, size_t len, struct tmpl_val *v)
{
    const struct pc_event *ev = (const struct pc_event *)base + i;
    (void)src;
    for (size_t k = 0; k < sizeof(pc_event_names) / sizeof(pc_event_names[0]);
         k++) {
        if (pc_event_names[k].len != len ||
            memcmp(name, pc_event_names[k].s, len) != 0)
            continue;
        const char *t =
            *(const char *const *)((const char *)ev + pc_event_names[k].off);
        if (t == NULL && strcmp(pc_event_names[k].s, "move") == 0)
            return 0;
        tmpl_val_str(v, t);
        return 1;
    }
    return 0;
}

static const struct tmpl_src pc_event_src = {pc_event_get};

static const char *pc_size(struct http_req *r, int64_t size)
{
    if (size < 1024)
        return arena_printf(r->arena, "%lld 字节", (long long)size);
    if (size < 1024 * 1024)
        return arena_printf(r->arena, "%.1f KB", (double)size / 1024);
    return arena_printf(r->arena, "%.1f MB", (double)size / (1024 * 1024));
}

/* What the detail page and the print view share: the context, and in
 * binds (PC_CASE_BINDS, the last ending them) the timeline as "events" and
 * the children as "children", template sources. */
#define PC_CASE_BINDS 3
static json_t *pc_case_ctx(struct http_req *r, const struct case_view *v,
                           struct tmpl_bind *binds)
{
    const struct module_def *m = v->c.m;
    struct page_roles pr;
    page_roles_load(r, &pr);
    json_t *c = pc_item_json(r, &v->c);
    json_object_set_new(c, "case_label", pc_str(m->case_label));
    json_object_set_new(c, "module_code", pc_str(m->code));
    json_object_set_new(c, "module_href",
                        pc_str(arena_printf(r->arena, "/m/%s", m->code)));
    json_object_set_new(c, "pending_label", pc_str(v->pending_label));
    json_object_set_new(c, "created_cn",
                        pc_str(page_date_cn(r, v->c.created_ms)));
    if (v->c.secrecy > 0)
        json_object_set_new(c, "secrecy_label",
                            pc_str(org_clearance_label(v->c.secrecy)));
    json_object_set_new(c, "unpublished", json_boolean(v->unpublished));
    const struct case_clock_view *mc = pc_main_clock(v);
    if (mc) {
        char cn[32];
        ymd_fmt_cn(mc->st.due_date, cn);
        json_object_set_new(c, "due_label", pc_str(mc->def->label));
        json_object_set_new(
            c, "due_text",
            pc_str(arena_printf(r->arena, "%s（%s）", cn, pc_left(r, mc))));
    }

    json_t *clocks = json_array();
    for (int i = 0; i < v->nclocks; i++)
        if (v->clocks[i].def)
            json_array_append_new(clocks, pc_clock_json(r, &v->clocks[i]));

    json_t *fields = json_array();
    for (const struct field_def *f = m->fields; f && f->code; f++) {
        if ((f->flags & FIELD_HIDDEN) || f->role == FIELD_IS_TITLE ||
            f->role == FIELD_IS_SECRECY)
            continue;
        json_t *d = v->display ? json_object_get(v->display, f->code) : NULL;
        const char *text = json_is_string(d) ? json_string_value(d) : NULL;
        if (text == NULL || *text == '\0')
            continue;
        struct ymd day;
        if (f->role == FIELD_IS_PROGRESS) {
            text = arena_printf(r->arena, "%s%%", text);
        } else if (f->type == FIELD_DATE && ymd_parse(text, &day) == 0) {
            char cn[32]; /* prose: 2026年11月26日 */
            ymd_fmt_cn(day, cn);
            text = arena_strdup(r->arena, cn);
        }
        json_array_append_new(fields,
                              json_pack("{s:o, s:o, s:b}", "label",
                                        pc_str(f->label), "value", pc_str(text),
                                        "wide", f->type == FIELD_LONGTEXT));
    }

    int nev = v->nevents > 0 ? v->nevents : 0;
    struct pc_event *events =
        arena_alloc(r->arena, sizeof(*events) * (size_t)(nev + 1));
    for (int i = 0; i < nev; i++)
        pc_event_make(r, m, &pr, &v->events[i], &events[i]);
    memset(binds, 0, sizeof(*binds) * PC_CASE_BINDS);
    tmpl_val_list(&binds[0].val, &pc_event_src, events, nev);
    binds[0].name = "events";
    pc_rows_bind(&binds[1], "children",
                 pc_rows_new(r, v->children, v->nchildren, NULL, 0));

    json_t *links = json_array();
    for (int i = 0; i < v->nlinks; i++) {
        const struct case_link_view *l = &v->links[i];
        const struct module_def *lm = l->module ? module_find(l->module) : NULL;
        const char *kind = l->kind && strcmp(l->kind, "source") == 0
                               ? (l->outgoing ? "来源" : "派生")
                               : "相关";
        json_array_append_new(
            links,
            json_pack(
                "{s:o, s:o, s:o, s:o, s:o, s:o}", "href",
                pc_str(arena_printf(r->arena, "/cases/%lld", (long long)l->id)),
                "number", pc_str(l->number), "title", pc_str(l->title),
                "state_label", pc_str(l->state_label), "kind", pc_str(kind),
                "module_label", pc_str(lm ? lm->label : "")));
    }

    /* members of a parallel transition (传阅, 会签): who has, who has not */
    json_t *votes = json_array();
    int nvotes_open = 0;
    for (int i = 0; i < v->nvotes; i++) {
        const struct case_vote_view *x = &v->votes[i];
        nvotes_open += x->at_ms == 0;
        json_array_append_new(
            votes, json_pack("{s:o, s:o, s:b, s:s}", "label", pc_str(x->label),
                             "name", pc_str(x->name), "done", x->at_ms != 0,
                             "when",
                             x->at_ms != 0 ? page_minute(r, x->at_ms) : ""));
    }

    struct file_rec *files = NULL;
    int nfiles = 0;
    struct err e;
    err_clear(&e);
    json_t *flist = json_array();
    if (files_list(r->db, r->arena, v->c.id, &files, &nfiles, &e) == 0)
        for (int i = 0; i < nfiles; i++)
            json_array_append_new(
                flist, json_pack("{s:o, s:o, s:o, s:s}", "href",
                                 pc_str(arena_printf(r->arena, "/files/%lld",
                                                     (long long)files[i].id)),
                                 "name", pc_str(files[i].name), "size",
                                 pc_str(pc_size(r, files[i].size)), "when",
                                 page_minute(r, files[i].uploaded_ms)));

    /* the module's pages about this case ("/doc_out/{id}/receipts") */
    json_t *cpages = json_array();
    for (const struct module_page *pg = m->case_pages; pg && pg->label; pg++) {
        const char *at = strstr(pg->href, "{id}");
        const char *href =
            at ? arena_printf(r->arena, "%.*s%lld%s", (int)(at - pg->href),
                              pg->href, (long long)v->c.id, at + 4)
               : pg->href;
        json_array_append_new(cpages, json_pack("{s:o, s:o}", "label",
                                                pc_str(pg->label), "href",
                                                pc_str(href)));
    }

    json_t *ctx = page_ctx(r, v->c.title, m->label,
                           arena_printf(r->arena, "/m/%s", m->code), NULL);
    json_object_set_new(ctx, "case", c);
    json_object_set_new(ctx, "case_pages", cpages);
    json_object_set_new(ctx, "clocks", clocks);
    json_object_set_new(ctx, "fields", fields);
    json_object_set_new(ctx, "links", links);
    json_object_set_new(ctx, "votes", votes);
    json_object_set_new(ctx, "votes_open", json_integer(nvotes_open));
    json_object_set_new(ctx, "files", flist);
    return ctx;
}

int page_case(struct http_req *r)
{
    struct case_view v;
    if (pc_case_or_reply(r, &v))
        return 0;
    const struct module_def *m = v.c.m;
    struct tmpl_bind binds[PC_CASE_BINDS];
    json_t *ctx = pc_case_ctx(r, &v, binds);
    json_t *actions = json_array();
    for (int i = 0; i < v.ncan; i++) {
        const struct transition_def *t = v.can[i];
        int direct =
            (t->fields == NULL || *t->fields == '\0') && t->comment == 0;
        json_t *a = json_pack(
            "{s:o, s:o, s:b, s:b, s:b}", "label", pc_str(t->label), "href",
            pc_str(pc_href(r, &v, arena_printf(r->arena, "/do/%s", t->code))),
            "primary", (t->flags & TR_PRIMARY) != 0, "danger",
            (t->flags & TR_DANGER) != 0, "direct", direct);
        if (t->flags & TR_CONFIRM)
            json_object_set_new(
                a, "confirm",
                pc_str(arena_printf(r->arena, "确定%s吗？", t->label)));
        json_array_append_new(actions, a);
    }
    int archived = v.c.state && (v.c.state->flags & STATE_ARCHIVED);
    int closed = v.c.state && (v.c.state->flags & STATE_CLOSED);
    json_object_set_new(ctx, "actions", actions);
    json_object_set_new(ctx, "can_edit", json_boolean(v.can_edit && !archived));
    json_object_set_new(ctx, "can_upload",
                        json_boolean(!archived && (v.ncan > 0 || v.can_edit)));
    json_object_set_new(ctx, "can_comment", json_boolean(!archived));
    json_object_set_new(ctx, "can_link", json_boolean(!archived));
    const struct module_def *cm =
        m->child_module ? module_find(m->child_module) : NULL;
    if (cm && !closed && pc_has_role(&r->who, cm->create_roles))
        json_object_set_new(
            ctx, "child_new",
            json_pack(
                "{s:o, s:o}", "href",
                pc_str(arena_printf(r->arena, "/m/%s/new?parent=%lld", cm->code,
                                    (long long)v.c.id)),
                "label",
                pc_str(arena_printf(r->arena, "分解%s", cm->case_label))));
    json_object_set_new(ctx, "href", pc_str(pc_href(r, &v, "")));
    json_object_set_new(ctx, "max_mb", json_integer(files_max_bytes() >> 20));
    http_reply_page_with(r, 200, "case_detail.html", ctx, binds);
    return 0;
}

/* ---- GET /cases/:id/print ---- */

int page_case_print(struct http_req *r)
{
    struct case_view v;
    struct buf out;
    if (pc_case_or_reply(r, &v))
        return 0;
    /* printing a classified item is audited (as the PDF of a document and
     * every attachment download are) */
    if (v.c.secrecy > 0) {
        char target[24];
        snprintf(target, sizeof(target), "%lld", (long long)v.c.id);
        if (audit_log(r->db, &r->who, "case.print", "case", target, "ok",
                      arena_printf(r->arena, "{\"secrecy\":%d}",
                                   v.c.secrecy))) {
            http_reply_status(r, 500, NULL);
            return 0;
        }
    }
    struct tmpl_bind binds[PC_CASE_BINDS];
    json_t *ctx = pc_case_ctx(r, &v, binds);
    json_object_set_new(ctx, "printed_cn", pc_str(page_date_cn(r, now_ms())));
    buf_init(&out, PC_PRINT_MAX);
    if (tmpl_render_name_with("templates/case_print.html", ctx, binds, &out) <
        0)
        http_reply_status(r, 500, NULL);
    else
        http_reply(r, 200, "text/html; charset=utf-8", out.ptr, out.len);
    buf_free(&out);
    json_decref(ctx);
    return 0;
}

/* ---- GET/POST /cases/:id/do/:code ---- */

/* The transition of :code among those the viewer may fire now; NULL after
 * an error page (404 unknown, 403 or 409 from the engine's reasons). */
static const struct transition_def *pc_can_or_reply(struct http_req *r,
                                                    const struct case_view *v)
{
    const char *code = http_param(r, "code");
    const struct transition_def *t = module_transition(v->c.m, code);
    if (t == NULL) {
        http_reply_status(r, 404, NULL);
        return NULL;
    }
    for (int i = 0; i < v->ncan; i++)
        if (v->can[i] == t)
            return t;
    http_reply_status(
        r,
        module_in_list(t->from, v->c.state ? v->c.state->code : "") ? 403 : 409,
        arena_printf(r->arena, "此事项当前不能由您%s", t->label));
    return NULL;
}

static void pc_do_page(struct http_req *r, const struct case_view *v,
                       const struct transition_def *t, int status, int posted,
                       json_t *errors, json_t *alert)
{
    struct pc_field fs[PC_MAX_FIELDS];
    int n = pc_transition_fields(v->c.m, t, fs);
    const char *title = arena_printf(r->arena, "%s：%s", t->label, v->c.title);
    json_t *ctx = page_ctx(r, t->label, v->c.m->label,
                           arena_printf(r->arena, "/m/%s", v->c.m->code),
                           v->c.title, pc_href(r, v, ""), NULL);
    json_object_set_new(ctx, "heading", pc_str(title));
    json_object_set_new(ctx, "number", pc_str(v->c.number));
    json_object_set_new(
        ctx, "action",
        pc_str(pc_href(r, v, arena_printf(r->arena, "/do/%s", t->code))));
    json_object_set_new(ctx, "cancel", pc_str(pc_href(r, v, "")));
    json_object_set_new(ctx, "submit", pc_str(t->label));
    json_object_set_new(ctx, "primary", json_boolean(!(t->flags & TR_DANGER)));
    json_object_set_new(ctx, "danger", json_boolean(t->flags & TR_DANGER));
    if (t->flags & TR_CONFIRM)
        json_object_set_new(
            ctx, "confirm",
            pc_str(arena_printf(r->arena, "确定%s吗？", t->label)));
    if (t->comment > 0) {
        const char *typed = posted ? http_form(r, "comment") : NULL;
        json_t *ce = errors ? json_object_get(errors, "comment") : NULL;
        json_t *cm =
            json_pack("{s:o, s:b, s:o}", "label",
                      pc_str(t->opinion        ? t->opinion
                             : t->comment == 2 ? "理由"
                                               : "意见"),
                      "required", t->comment == 2, "value", pc_str(typed));
        if (json_is_string(ce))
            json_object_set(cm, "error", ce);
        json_object_set_new(ctx, "comment", cm);
    }
    if (alert)
        json_object_set(ctx, "alert", alert);
    pc_form_page(r, status, ctx, fs, n, v->c.fields, posted, errors);
}

int page_case_do_form(struct http_req *r)
{
    struct case_view v;
    if (pc_case_or_reply(r, &v))
        return 0;
    const struct transition_def *t = pc_can_or_reply(r, &v);
    if (t)
        pc_do_page(r, &v, t, 200, 0, NULL, NULL);
    return 0;
}

int page_case_do(struct http_req *r)
{
    struct case_view v, after;
    struct pc_field fs[PC_MAX_FIELDS];
    struct err e;
    err_clear(&e);
    if (pc_case_or_reply(r, &v))
        return 0;
    const struct transition_def *t =
        module_transition(v.c.m, http_param(r, "code"));
    if (t == NULL) {
        http_reply_status(r, 404, NULL);
        return 0;
    }
    int n = pc_transition_fields(v.c.m, t, fs);
    json_t *in = pc_form_input(r, fs, n, 0);
    const char *comment = t->comment > 0 ? http_form(r, "comment") : NULL;
    if (comment && strspn(comment, " \t\r\n") == strlen(comment))
        comment = NULL;
    int rc = case_fire(r->db, r->arena, &r->who, v.c.id, t->code,
                       json_object_size(in) ? in : NULL, comment, &e);
    json_decref(in);
    if (rc) {
        if (e.nfields == 0 && (e.status == 403 || e.status == 404 ||
                               e.status == 409 || e.status >= 500)) {
            page_fail(r, &e);
            return 0;
        }
        json_t *alert = NULL;
        json_t *errs = pc_errors(r, &e, &alert);
        pc_do_page(r, &v, t, e.status >= 400 ? e.status : 400, 1, errs, alert);
        json_decref(errs);
        json_decref(alert);
        return 0;
    }
    struct err ge;
    err_clear(&ge);
    int seen = case_get(r->db, r->arena, &r->who, v.c.id, &after, &ge) == 0;
    const char *msg = api_case_done_message(r->arena, t, seen ? &after : NULL);
    page_done(r, seen ? pc_href(r, &v, "") : "/", msg);
    return 0;
}

/* ---- GET/POST /cases/:id/edit ---- */

static void pc_edit_page(struct http_req *r, const struct case_view *v,
                         int status, int posted, json_t *errors, json_t *alert)
{
    struct pc_field fs[PC_MAX_FIELDS];
    int n = pc_edit_fields(v->c.m, &r->who,
                           v->c.state ? v->c.state->code : NULL, fs);
    json_t *ctx = page_ctx(r, "修改", v->c.m->label,
                           arena_printf(r->arena, "/m/%s", v->c.m->code),
                           v->c.title, pc_href(r, v, ""), NULL);
    json_object_set_new(ctx, "heading",
                        pc_str(arena_printf(r->arena, "修改：%s", v->c.title)));
    json_object_set_new(ctx, "number", pc_str(v->c.number));
    json_object_set_new(ctx, "action", pc_str(pc_href(r, v, "/edit")));
    json_object_set_new(ctx, "cancel", pc_str(pc_href(r, v, "")));
    json_object_set_new(ctx, "submit", pc_str("保存"));
    json_object_set_new(ctx, "primary", json_true());
    if (alert)
        json_object_set(ctx, "alert", alert);
    pc_form_page(r, status, ctx, fs, n, v->c.fields, posted, errors);
}

int page_case_edit_form(struct http_req *r)
{
    struct case_view v;
    if (pc_case_or_reply(r, &v))
        return 0;
    if (!v.can_edit) {
        http_reply_status(r, 403, "您不能修改此事项");
        return 0;
    }
    pc_edit_page(r, &v, 200, 0, NULL, NULL);
    return 0;
}

int page_case_edit(struct http_req *r)
{
    struct case_view v;
    struct pc_field fs[PC_MAX_FIELDS];
    struct err e;
    err_clear(&e);
    if (pc_case_or_reply(r, &v))
        return 0;
    int n =
        pc_edit_fields(v.c.m, &r->who, v.c.state ? v.c.state->code : NULL, fs);
    json_t *in = pc_form_input(r, fs, n, 0);
    int rc = case_edit(r->db, r->arena, &r->who, v.c.id, in, &e);
    json_decref(in);
    if (rc) {
        if (e.nfields == 0) {
            page_fail(r, &e);
            return 0;
        }
        json_t *alert = NULL;
        json_t *errs = pc_errors(r, &e, &alert);
        pc_edit_page(r, &v, e.status >= 400 ? e.status : 400, 1, errs, alert);
        json_decref(errs);
        json_decref(alert);
        return 0;
    }
    page_done(r, pc_href(r, &v, ""), "已保存修改");
    return 0;
}

/* ---- POST /cases/:id/comments, /files, /links ---- */

/* Answers a refused small form of the detail page: the page again would
 * lose nothing typed but one line, so the message goes to the flash. */
static void pc_back(struct http_req *r, int64_t id, const struct err *e,
                    const char *ok)
{
    const char *back = arena_printf(r->arena, "/cases/%lld", (long long)id);
    if (e == NULL) {
        page_done(r, back, ok);
        return;
    }
    if (e->status == 404 || e->status >= 500) {
        page_fail(r, e);
        return;
    }
    const char *msg = e->nfields > 0 && e->fields[0].message
                          ? e->fields[0].message
                      : e->message ? e->message
                                   : "操作未能完成";
    page_done(r, back, arena_printf(r->arena, "未能完成：%s", msg));
}

int page_case_comment(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_param_id(r, "id");
    const char *text = http_form(r, "text");
    if (text == NULL || strspn(text, " \t\r\n") == strlen(text))
        err_field(&e, "text", "请填写意见内容");
    else
        case_comment(r->db, r->arena, &r->who, id, text, &e);
    pc_back(r, id, err_isset(&e) ? &e : NULL, "已添加意见");
    return 0;
}

int page_case_upload(struct http_req *r)
{
    int64_t ids[PC_FILES_MAX];
    int n = 0;
    struct err e;
    err_clear(&e);
    int64_t id = api_case_param_id(r, "id");
    if (api_case_may_attach(r, id, &e) == 0)
        api_case_attach(r, id, ids, PC_FILES_MAX, &n, &e);
    pc_back(r, id, err_isset(&e) ? &e : NULL,
            arena_printf(r->arena, "已上传%d个附件", n));
    return 0;
}

/* The id of the case numbered `number` (督〔2026〕12号) that the viewer
 * sees, or 0. */
static int64_t pc_case_by_number(struct http_req *r, const char *number)
{
    struct case_filter f = {0};
    struct case_page pg;
    struct err e;
    err_clear(&e);
    f.q = number;
    f.page = 1;
    f.per_page = 50;
    if (case_list(r->db, r->arena, &r->who, &f, &pg, &e))
        return 0;
    for (int i = 0; i < pg.n; i++)
        if (pg.items[i].number && strcmp(pg.items[i].number, number) == 0)
            return pg.items[i].id;
    return 0;
}

int page_case_link(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_param_id(r, "id");
    const char *other = http_form(r, "case");
    const char *kind = http_form(r, "kind");
    if (other == NULL)
        other = "";
    other += strspn(other, " \t");
    int64_t oid = pc_id_text(other);
    if (oid <= 0 && *other)
        oid = pc_case_by_number(r, other);
    if (kind == NULL || strcmp(kind, "source") != 0)
        kind = "related";
    if (*other == '\0')
        err_field(&e, "case", "请填写要关联事项的编号");
    else if (oid <= 0)
        err_field(&e, "case",
                  arena_printf(r->arena, "没有找到编号为 %s 的事项", other));
    else
        case_link(r->db, r->arena, &r->who, id, oid, kind, &e);
    pc_back(r, id, err_isset(&e) ? &e : NULL, "已关联");
    return 0;
}

/* ---- GET /notifications, POST /notifications/read ---- */

int page_notifications(struct http_req *r)
{
    struct notify_rec *recs;
    int n = 0, limit, offset;
    int64_t total = 0;
    struct err e;
    err_clear(&e);
    common_paging(r, 30, 200, &limit, &offset);
    int unread = common_query_long(r, "unread", 0) == 1;
    if (notify_list(r->db, r->arena, r->who.user_id, unread, limit, offset,
                    &recs, &n, &total, &e)) {
        page_fail(r, &e);
        return 0;
    }
    json_t *ctx = page_ctx(r, "通知", NULL);
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack(
            "{s:I, s:o, s:s, s:b}", "id", (json_int_t)recs[i].id, "text",
            pc_str(recs[i].text), "when", page_minute(r, recs[i].created_ms),
            "unread", recs[i].read_ms == 0);
        if (recs[i].case_id > 0)
            json_object_set_new(
                o, "href",
                pc_str(arena_printf(r->arena, "/cases/%lld",
                                    (long long)recs[i].case_id)));
        json_array_append_new(items, o);
    }
    int64_t nunread = notify_unread_count(r->db, r->who.user_id);
    static const char *const names[] = {"unread", NULL};
    page_qs(r, ctx, "qs", names);
    page_paging(ctx, offset, limit, n,
                (int)(total > 1000000 ? 1000000 : total));
    json_object_set_new(ctx, "items", items);
    json_object_set_new(ctx, "unread_only", json_boolean(unread));
    json_object_set_new(ctx, "unread", json_integer(nunread < 0 ? 0 : nunread));
    http_reply_page(r, 200, "notifications.html", ctx);
    return 0;
}

int page_notifications_read(struct http_req *r)
{
    const char *id = http_form(r, "id");
    int64_t nid = pc_id_text(id ? id : "");
    int64_t changed = notify_mark_read(r->db, r->who.user_id, nid);
    if (changed < 0) {
        http_reply_status(r, 500, NULL);
        return 0;
    }
    page_done(r, "/notifications",
              nid ? "已标为已读"
                  : arena_printf(r->arena, "已将%lld条通知标为已读",
                                 (long long)changed));
    return 0;
}

/* ---- GET /search ---- */

int page_search(struct http_req *r)
{
    struct case_filter f;
    struct case_page pg = {0};
    struct err e;
    err_clear(&e);
    json_t *ctx = page_ctx(r, "搜索", NULL);
    api_case_filter(r, &f, &e);
    if (f.module && module_find(f.module) == NULL)
        f.module = NULL;
    if (f.sort == NULL || strcmp(f.sort, "-updated") != 0)
        f.sort = CASE_SEARCH_SORT; /* the two orders the form offers */
    f.no_counts = 1;
    json_t *items = json_array();
    if (!err_isset(&e) && f.q &&
        case_list(r->db, r->arena, &r->who, &f, &pg, &e) == 0) {
        for (int i = 0; i < pg.n; i++) {
            struct case_item *it = &pg.items[i];
            struct search_snippet sn, tn;
            json_t *o = pc_item_json(r, it);
            search_snippet(r->arena, api_case_search_text(r->arena, it), f.q,
                           60, &sn);
            search_snippet(r->arena, it->title ? it->title : "", f.q, 200, &tn);
            json_object_set_new(o, "title_segments",
                                api_case_segments_json(&tn));
            json_object_set_new(o, "snippet", api_case_segments_json(&sn));
            json_object_set_new(o, "cut_before", json_boolean(sn.cut_before));
            json_object_set_new(o, "cut_after", json_boolean(sn.cut_after));
            json_array_append_new(items, o);
        }
    }
    if (err_isset(&e)) {
        json_t *errs = page_form_errors(r, NULL, &e, ctx);
        json_decref(errs);
    }
    json_t *mods = json_array();
    json_array_append_new(mods,
                          json_pack("{s:s, s:s, s:b}", "value", "", "label",
                                    "全部", "selected", f.module == NULL));
    for (const struct module_def *const *m = module_list(); *m; m++)
        json_array_append_new(
            mods, json_pack("{s:o, s:o, s:b}", "value", pc_str((*m)->code),
                            "label", pc_str((*m)->label), "selected",
                            f.module && strcmp(f.module, (*m)->code) == 0));
    static const char *const names[] = {"q", "module", "sort", NULL};
    page_qs(r, ctx, "qs", names);
    const char *qs = json_string_value(json_object_get(ctx, "qs"));
    json_t *paging = json_pack("{s:I, s:b, s:i}", "total", (json_int_t)pg.total,
                               "capped", pg.total_capped, "page", f.page);
    if (f.page > 1)
        json_object_set_new(
            paging, "prev",
            pc_str(arena_printf(r->arena, "?%spage=%d", qs, f.page - 1)));
    if ((int64_t)f.page * f.per_page < pg.total)
        json_object_set_new(
            paging, "next",
            pc_str(arena_printf(r->arena, "?%spage=%d", qs, f.page + 1)));
    json_object_set_new(ctx, "searched", json_boolean(f.q != NULL));
    json_object_set_new(ctx, "by_update",
                        json_boolean(strcmp(f.sort, "-updated") == 0));
    json_object_set_new(ctx, "modules", mods);
    json_object_set_new(ctx, "items", items);
    json_object_set_new(ctx, "paging", paging);
    http_reply_page(r, 200, "search.html", ctx);
    return 0;
}

/* ---- the home page's 我的待办, the top bar's count, the navigation ---- */

void page_cases_todo(struct http_req *r, struct tmpl_bind *b, const char *name)
{
    struct case_item *items = NULL;
    int n = 0;
    struct err e;
    err_clear(&e);
    if (r->db == NULL ||
        case_todo(r->db, r->arena, &r->who, PC_TODO_HOME, pc_no_fields, &items,
                  &n, &e))
        n = 0;
    pc_rows_bind(b, name, pc_rows_new(r, items, n, NULL, 0));
}

int64_t page_cases_todo_count(struct http_req *r)
{
    return api_case_todo_count(r);
}

/* The roles that see business modules: every role a module names, never
 * the three administrators (三员分立). */
#define PC_NAV_ROLES_MAX 1024
#define PC_NAV_MAX 64

static void pc_roles_add(char *out, size_t cap, const char *list)
{
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        const char *colon = memchr(p, ':', n); /* "code:名称" */
        if (colon)
            n = (size_t)(colon - p);
        char code[64];
        if (n > 0 && n < sizeof(code)) {
            memcpy(code, p, n);
            code[n] = '\0';
            if (strcmp(code, "*") != 0 && strcmp(code, "sysadmin") != 0 &&
                strcmp(code, "secadmin") != 0 && strcmp(code, "auditor") != 0 &&
                !module_in_list(out, code) && strlen(out) + n + 2 < cap) {
                size_t len = strlen(out);
                if (len)
                    out[len++] = ',';
                memcpy(out + len, code, n + 1);
            }
        }
        p = c ? c + 1 : NULL;
    }
}

const struct nav_item *page_cases_nav(void)
{
    static struct nav_item nav[PC_NAV_MAX];
    static char roles[PC_NAV_ROLES_MAX];
    static char hrefs[PC_NAV_MAX][80];
    int n = 0;
    const struct module_def *const *mods = module_list();
    roles[0] = '\0';
    pc_roles_add(roles, sizeof(roles), "clerk,staff,leader");
    for (const struct module_def *const *m = mods; *m; m++) {
        pc_roles_add(roles, sizeof(roles), (*m)->create_roles);
        pc_roles_add(roles, sizeof(roles), (*m)->roles);
        for (const struct state_def *s = (*m)->states; s && s->code; s++)
            pc_roles_add(roles, sizeof(roles), s->wait_roles);
        for (const struct transition_def *t = (*m)->transitions; t && t->code;
             t++)
            pc_roles_add(roles, sizeof(roles), t->roles);
    }
    /* 我的待办 first, then the modules by sort, then the rest */
    nav[n++] = pages_nav[0];
    const struct module_def *sorted[PC_NAV_MAX];
    int nm = 0;
    for (const struct module_def *const *m = mods; *m && nm < PC_NAV_MAX / 2;
         m++) {
        int k = nm++;
        while (k > 0 && sorted[k - 1]->sort > (*m)->sort) {
            sorted[k] = sorted[k - 1];
            k--;
        }
        sorted[k] = *m;
    }
    for (int i = 0; i < nm && n < PC_NAV_MAX - 8; i++) {
        snprintf(hrefs[n], sizeof(hrefs[n]), "/m/%s", sorted[i]->code);
        nav[n].group = "业务";
        nav[n].label = sorted[i]->label;
        nav[n].href = hrefs[n];
        nav[n].roles = roles;
        n++;
        /* the module's own pages (figures, bulletins, ledgers) */
        for (const struct module_page *pg = sorted[i]->pages;
             pg && pg->label && n < PC_NAV_MAX - 8; pg++) {
            nav[n].group = "业务";
            nav[n].label = pg->label;
            nav[n].href = pg->href;
            nav[n].roles = roles;
            n++;
        }
    }
    nav[n].group = "业务";
    nav[n].label = "通知";
    nav[n].href = "/notifications";
    nav[n].roles = roles;
    n++;
    for (const struct nav_item *it = pages_nav + 1;
         it->label && n < PC_NAV_MAX - 1; it++)
        nav[n++] = *it;
    memset(&nav[n], 0, sizeof(nav[n]));
    return nav;
}
