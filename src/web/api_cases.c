/*
 * api_cases.c - the generic JSON API of cases (件), for every module alike:
 * it reads the module tables (module.h) and calls the case engine
 * (case.h), which checks who may see and do what.  A case the caller may
 * not see answers 404, as if it did not exist.
 *
 *     GET   /api/v1/modules                       signed in
 *     GET   /api/v1/cases                         signed in  ?module=&state=
 *           &unit=&light=&q=&page=&per_page=&sort=&created_from=&created_to=
 *           &due_from=&due_to=&parent=&mine=&open=
 *     POST  /api/v1/cases                         signed in  {module, fields,
 *                                                            parent, comment}
 *     GET   /api/v1/cases/export.xlsx             signed in  the list's
 *                                                            filters (see
 *                                                            Exports below)
 *     GET   /api/v1/cases/:id                     signed in
 *     PATCH /api/v1/cases/:id                     signed in  {fields}
 *     POST  /api/v1/cases/:id/transitions/:code   signed in  {fields, comment}
 *     POST  /api/v1/cases/:id/comments            signed in  {text}
 *     POST  /api/v1/cases/:id/files               signed in  multipart "file"
 *                                                            (several; slow)
 *     POST  /api/v1/cases/:id/links               signed in  {case, kind}
 *     GET   /api/v1/files/:id                     signed in  the download
 *     GET   /api/v1/todo                          signed in  ?limit=
 *     GET   /api/v1/notifications                 signed in  ?unread=&limit=
 *                                                            &offset=
 *     POST  /api/v1/notifications/read            signed in  {ids} | {all}
 *     GET   /api/v1/search                        signed in  ?q=&module=
 *                                                            &page=&per_page=
 *                                                            &sort= (newest
 *                                                            registered first)
 *     GET   /api/v1/openapi.json                  signed in
 *
 * Values: unit fields take unit codes, person fields logins, dates
 * YYYY-MM-DD, times ISO 8601 (+08:00).  Refusals: 400 with per-field
 * messages, 403 not allowed, 404 unseen, 409 not from this state.
 * The helpers marked "shared" in api.h are used by page_cases.c too.
 *
 * Exports (api_case_export_reply, also behind /m/:module/export) run on a
 * worker thread (ROUTE_SLOW) and read the list in keyset chunks of
 * API_CASE_EXPORT_CHUNK rows (case_list_chunk, each chunk in its own arena),
 * so memory stays flat however long the list, up to API_CASE_EXPORT_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json_arena.h"
#include "base/now.h"
#include "kernel/case.h"
#include "kernel/export.h"
#include "kernel/files.h"
#include "kernel/notify.h"
#include "kernel/org.h"
#include "kernel/search.h"
#include "web/api.h"
#include "web/common.h"
#include "web/tmpl.h"

#define API_CASE_EXPORT_MAX 1000000
#define API_CASE_EXPORT_CHUNK 500
#define API_CASE_FILES_MAX 20

/* ---- small helpers ---- */

static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

static json_t *jiso(int64_t ms)
{
    char out[26];
    if (ms <= 0)
        return json_null();
    ms_fmt_iso(ms, out);
    return json_string(out);
}

int64_t api_case_param_id(const struct http_req *r, const char *name)
{
    const char *s = http_param(r, name);
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

/* 404 for a malformed id, as for one that does not exist. */
static int64_t api_case_id_or_reply(struct http_req *r)
{
    int64_t id = api_case_param_id(r, "id");
    if (id <= 0)
        http_reply_status(r, 404, NULL);
    return id;
}

/* The keys a JSON body may hold, with their JSON type. */
struct api_case_key {
    const char *name;
    json_type type; /* JSON_OBJECT, JSON_STRING, JSON_INTEGER, JSON_ARRAY,
                       JSON_TRUE (a boolean) */
    int required;
    const char *label;
};

/* Checks the JSON body against spec (NULL entry ends it): an object, no
 * unknown keys, the right types, required keys present.  A request
 * without a body is the empty object.  0 / -1 with e. */
static int api_case_body(struct http_req *r, const struct api_case_key *spec,
                         struct err *e)
{
    const char *key;
    json_t *val;
    if (r->json == NULL) {
        if (r->body_len > 0)
            return err_set(e, 400, "invalid",
                           "请求内容应为 JSON（Content-Type: "
                           "application/json）");
    } else if (!json_is_object(r->json)) {
        return err_set(e, 400, "invalid", "请求内容应为 JSON 对象");
    } else {
        json_object_foreach(r->json, key, val)
        {
            const struct api_case_key *k = spec;
            while (k->name && strcmp(k->name, key) != 0)
                k++;
            if (k->name == NULL) {
                err_field(e, arena_strdup(r->arena, key),
                          "不认识的字段，请删除");
                continue;
            }
            if (json_is_null(val) && !k->required)
                continue;
            int ok = k->type == JSON_TRUE ? json_is_boolean(val)
                                          : json_typeof(val) == k->type;
            if (!ok)
                err_field(e, k->name,
                          arena_printf(r->arena, "%s的格式不正确", k->label));
        }
    }
    for (const struct api_case_key *k = spec; k->name; k++)
        if (k->required &&
            (r->json == NULL || json_object_get(r->json, k->name) == NULL))
            err_field(e, k->name, arena_printf(r->arena, "请填写%s", k->label));
    return err_isset(e) ? -1 : 0;
}

/* A key of the checked body, or NULL. */
static json_t *api_case_arg(const struct http_req *r, const char *name)
{
    json_t *v = r->json ? json_object_get(r->json, name) : NULL;
    return v && !json_is_null(v) ? v : NULL;
}

/* ---- shared with page_cases.c ---- */

const char *api_case_light_word(int light)
{
    switch (light) {
    case CASE_LIGHT_GREEN:
        return "正常";
    case CASE_LIGHT_YELLOW:
        return "临期";
    case CASE_LIGHT_RED:
        return "超期";
    default:
        return "";
    }
}

const char *api_case_light_color(int light)
{
    switch (light) {
    case CASE_LIGHT_GREEN:
        return "绿灯";
    case CASE_LIGHT_YELLOW:
        return "黄灯";
    case CASE_LIGHT_RED:
        return "红灯";
    default:
        return "";
    }
}

struct ymd api_case_due_date(int64_t due_ms)
{
    /* a day clock ends at 24:00 of its last day: the instant before */
    return ms_to_beijing(due_ms - 1);
}

/* A date query parameter into *ms (Beijing midnight; the next one when
 * end is 1, for an inclusive "to").  0 when absent or good, -1 with a
 * field message. */
static int api_case_date_param(struct http_req *r, const char *name, int end,
                               int64_t *ms, struct err *e)
{
    const char *s = http_query(r, name);
    struct ymd d;
    *ms = 0;
    if (s == NULL || *s == '\0')
        return 0;
    if (ymd_parse(s, &d))
        return err_field(e, name, "日期格式应为 2026-11-26");
    if (end)
        d = days_to_ymd(ymd_to_days(d) + 1);
    *ms = beijing_midnight_ms(d);
    return 0;
}

static const char *api_case_q(const struct http_req *r, const char *name)
{
    const char *s = http_query(r, name);
    return s && *s ? s : NULL;
}

int api_case_filter(struct http_req *r, struct case_filter *f, struct err *e)
{
    memset(f, 0, sizeof(*f));
    f->module = api_case_q(r, "module");
    f->state = api_case_q(r, "state");
    f->unit = api_case_q(r, "unit");
    f->light = api_case_q(r, "light");
    f->q = api_case_q(r, "q");
    f->sort = api_case_q(r, "sort");
    if (f->q && strlen(f->q) > SEARCH_QUERY_MAX)
        err_field(e, "q", "搜索内容太长，请缩短");
    long page = common_query_long(r, "page", 1);
    long per = common_query_long(r, "per_page", 20);
    f->page = page < 1 ? 1 : page > 1000000 ? 1000000 : (int)page;
    f->per_page = per < 1 ? 20 : per > 500 ? 500 : (int)per;
    long parent = common_query_long(r, "parent", 0);
    f->parent_id = parent > 0 ? parent : 0;
    if (common_query_long(r, "top", 0) == 1)
        f->parent_id = -1;
    f->mine = common_query_long(r, "mine", 0) == 1;
    f->open_only = common_query_long(r, "open", 0) == 1;
    api_case_date_param(r, "created_from", 0, &f->created_from, e);
    api_case_date_param(r, "created_to", 1, &f->created_to, e);
    api_case_date_param(r, "due_from", 0, &f->due_from, e);
    api_case_date_param(r, "due_to", 1, &f->due_to, e);
    return err_isset(e) ? -1 : 0;
}

/* ---- display values (export, list pages) ---- */

struct api_case_names {
    struct http_req *r;
    struct arena *a; /* where display values go: the request's, or an
                        export chunk's so that memory stays flat */
    json_t *units;   /* code -> name, read on first need */
    json_t *people; /* login -> name */
};

void api_case_names_init(struct api_case_names **out, struct http_req *r)
{
    struct api_case_names *nm = arena_alloc(r->arena, sizeof(*nm));
    memset(nm, 0, sizeof(*nm));
    nm->r = r;
    nm->a = r->arena;
    nm->people = json_object();
    *out = nm;
}

void api_case_names_free(struct api_case_names *nm)
{
    if (nm) {
        json_decref(nm->units);
        json_decref(nm->people);
    }
}

/* By a hash of the units, not a scan: a list page names a unit in every
 * row, and comparing with each unit's code was 2% of it. */
static const char *api_case_unit_name(struct api_case_names *nm,
                                      const char *code)
{
    if (nm->units == NULL) {
        struct err e;
        struct unit *u;
        int n;
        err_clear(&e);
        nm->units = json_object();
        if (org_unit_list(nm->r->db, nm->r->arena, &u, &n, &e) == 0)
            for (int i = 0; i < n; i++)
                json_object_set_new(nm->units, u[i].code, jstr(u[i].name));
    }
    json_t *name = json_object_get(nm->units, code);
    return name ? json_string_value(name) : code;
}

static const char *api_case_person_name(struct api_case_names *nm,
                                        const char *login)
{
    json_t *v = json_object_get(nm->people, login);
    if (v)
        return json_string_value(v);
    struct user u;
    struct err e;
    err_clear(&e);
    const char *name = login;
    if (json_object_size(nm->people) < 2000 &&
        org_user_get(nm->r->db, nm->r->arena, login, &u, &e) == 0 && u.name)
        name = u.name;
    json_object_set_new(nm->people, login, jstr(name));
    return name;
}

/* The label of a choice code, or the code. */
static const char *api_case_choice(const struct field_def *f, const char *code)
{
    for (const struct choice_def *c = f->choices; c && c->code; c++)
        if (strcmp(c->code, code) == 0)
            return c->label;
    return code;
}

/* One scalar value as people read it. */
static const char *api_case_scalar(struct api_case_names *nm,
                                   const struct field_def *f, json_t *v)
{
    struct arena *a = nm->a;
    if (json_is_integer(v))
        return arena_int(a, "", (long long)json_integer_value(v));
    if (!json_is_string(v))
        return "";
    const char *s = json_string_value(v);
    switch (f->type) {
    case FIELD_CHOICE:
    case FIELD_MULTI:
        return api_case_choice(f, s);
    case FIELD_UNIT:
    case FIELD_UNITS:
        return api_case_unit_name(nm, s);
    case FIELD_PERSON:
    case FIELD_PERSONS:
        return api_case_person_name(nm, s);
    case FIELD_DATETIME: {
        int64_t ms;
        char out[17];
        if (iso_parse_ms(s, &ms))
            return s;
        ms_fmt_minute(ms, out);
        return arena_strdup(a, out);
    }
    default:
        return s;
    }
}

const char *api_case_display(struct api_case_names *nm,
                             const struct field_def *f, json_t *v)
{
    if (v == NULL || json_is_null(v))
        return "";
    if (!json_is_array(v))
        return api_case_scalar(nm, f, v);
    struct buf b;
    size_t i;
    json_t *item;
    buf_init(&b, 65536);
    json_array_foreach(v, i, item)
    {
        if (i > 0)
            buf_puts(&b, "、");
        buf_puts(&b, api_case_scalar(nm, f, item));
    }
    const char *s = arena_strdup(nm->a, b.ptr ? b.ptr : "");
    buf_free(&b);
    return s;
}

const char *api_case_done_message(struct arena *a,
                                  const struct transition_def *t,
                                  const struct case_view *v)
{
    const char *tpl = t->done_message;
    struct buf b;
    if (tpl == NULL || *tpl == '\0')
        return arena_printf(a, "已%s", t->label);
    buf_init(&b, 4096);
    for (const char *p = tpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close == NULL) {
            buf_putc(&b, *p++);
            continue;
        }
        char *code = arena_strndup(a, p + 1, (size_t)(close - p - 1));
        json_t *d = v && v->display ? json_object_get(v->display, code) : NULL;
        buf_puts(&b, json_is_string(d) ? json_string_value(d) : "");
        p = close + 1;
    }
    const char *s = arena_strdup(a, b.ptr ? b.ptr : "");
    buf_free(&b);
    return s;
}

/* ---- GET /api/v1/modules ---- */

static const char *const api_case_type_names[] = {
    [FIELD_TEXT] = "text",         [FIELD_LONGTEXT] = "longtext",
    [FIELD_NUMBER] = "number",     [FIELD_DATE] = "date",
    [FIELD_DATETIME] = "datetime", [FIELD_CHOICE] = "choice",
    [FIELD_MULTI] = "multi",       [FIELD_UNIT] = "unit",
    [FIELD_UNITS] = "units",       [FIELD_PERSON] = "person",
    [FIELD_PERSONS] = "persons",
};

const char *api_case_type_name(enum field_type t)
{
    if ((int)t <= 0 || (size_t)t >= sizeof(api_case_type_names) /
                                        sizeof(api_case_type_names[0]))
        return "text";
    return api_case_type_names[t];
}

/* A comma-separated list as a JSON array ("*" stays "*"; NULL: []). */
static json_t *api_case_list_json(const char *list)
{
    json_t *a = json_array();
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p = c ? c + 1 : NULL;
    }
    return a;
}

static json_t *api_case_field_json(const struct field_def *f)
{
    json_t *flags = json_array();
    static const struct {
        int bit;
        const char *name;
    } names[] = {{FIELD_SEARCH, "search"},     {FIELD_LIST, "list"},
                 {FIELD_EXPORT, "export"},     {FIELD_FILTER, "filter"},
                 {FIELD_READONLY, "readonly"}, {FIELD_HIDDEN, "hidden"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (f->flags & names[i].bit)
            json_array_append_new(flags, json_string(names[i].name));
    json_t *o =
        json_pack("{s:o, s:o, s:s, s:o, s:o, s:o}", "code", jstr(f->code),
                  "label", jstr(f->label), "type", api_case_type_name(f->type),
                  "required_in", api_case_list_json(f->required_in), "flags",
                  flags, "edit_roles", api_case_list_json(f->edit_roles));
    if (f->choices) {
        json_t *ch = json_array();
        for (const struct choice_def *c = f->choices; c->code; c++)
            json_array_append_new(ch,
                                  json_pack("{s:o, s:o}", "code", jstr(c->code),
                                            "label", jstr(c->label)));
        json_object_set_new(o, "choices", ch);
    }
    if (f->default_value)
        json_object_set_new(o, "default", jstr(f->default_value));
    if (f->help)
        json_object_set_new(o, "help", jstr(f->help));
    if (f->type == FIELD_NUMBER) {
        json_object_set_new(o, "min", json_integer(f->min));
        if (f->max)
            json_object_set_new(o, "max", json_integer(f->max));
    } else if ((f->type == FIELD_TEXT || f->type == FIELD_LONGTEXT) && f->max) {
        json_object_set_new(o, "max_length", json_integer(f->max));
    }
    return o;
}

static json_t *api_case_transition_json(const struct transition_def *t)
{
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:b, s:b}", "code",
        jstr(t->code), "label", jstr(t->label), "from",
        api_case_list_json(t->from), "to", t->to ? jstr(t->to) : json_null(),
        "roles", api_case_list_json(t->roles), "fields",
        api_case_list_json(t->fields), "required",
        api_case_list_json(t->required), "comment", t->comment, "primary",
        (t->flags & TR_PRIMARY) != 0, "confirm", (t->flags & TR_CONFIRM) != 0,
        "danger", (t->flags & TR_DANGER) != 0);
    if (t->opinion)
        json_object_set_new(o, "opinion", jstr(t->opinion));
    return o;
}

json_t *api_case_module_json(const struct module_def *m)
{
    json_t *fields = json_array(), *states = json_array(), *trs = json_array();
    for (const struct field_def *f = m->fields; f && f->code; f++)
        json_array_append_new(fields, api_case_field_json(f));
    for (const struct state_def *s = m->states; s && s->code; s++)
        json_array_append_new(
            states, json_pack("{s:o, s:o, s:b, s:b, s:b}", "code",
                              jstr(s->code), "label", jstr(s->label), "initial",
                              (s->flags & STATE_INITIAL) != 0, "closed",
                              (s->flags & STATE_CLOSED) != 0, "archived",
                              (s->flags & STATE_ARCHIVED) != 0));
    for (const struct transition_def *t = m->transitions; t && t->code; t++)
        json_array_append_new(trs, api_case_transition_json(t));
    json_t *o = json_pack("{s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "code",
                          jstr(m->code), "label", jstr(m->label), "case_label",
                          jstr(m->case_label), "sort", m->sort, "create_roles",
                          api_case_list_json(m->create_roles), "fields", fields,
                          "states", states, "transitions", trs);
    json_t *clocks = json_array();
    for (const struct clock_def *c = m->clocks; c && c->code; c++)
        json_array_append_new(
            clocks, json_pack("{s:o, s:o, s:s, s:i, s:b}", "code",
                              jstr(c->code), "label", jstr(c->label), "unit",
                              clock_unit_label(c->unit), "length", c->length,
                              "main", c->main != 0));
    json_object_set_new(o, "clocks", clocks);
    if (m->child_module)
        json_object_set_new(o, "child_module", jstr(m->child_module));
    return o;
}

int api_modules_list(struct http_req *r)
{
    json_t *items = json_array();
    for (const struct module_def *const *m = module_list(); *m; m++)
        json_array_append_new(items, api_case_module_json(*m));
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/* ---- the list ---- */

static json_t *api_case_counts_json(const struct case_page *pg)
{
    json_t *o = json_object();
    for (int i = 0; i < pg->ncounts; i++)
        json_object_set_new(o, pg->counts[i].state,
                            json_integer(pg->counts[i].n));
    return o;
}

int api_cases_list(struct http_req *r)
{
    struct case_filter f;
    struct case_page pg;
    struct err e;
    err_clear(&e);
    if (api_case_filter(r, &f, &e) ||
        case_list(r->db, r->arena, &r->who, &f, &pg, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < pg.n; i++)
        json_array_append_new(items, case_item_json(&pg.items[i]));
    http_reply_json(r, 200,
                    json_pack("{s:o, s:I, s:b, s:i, s:i, s:o}", "items", items,
                              "total", (json_int_t)pg.total, "total_capped",
                              pg.total_capped, "page", f.page, "per_page",
                              f.per_page, "counts", api_case_counts_json(&pg)));
    return 0;
}

/* ---- one case ---- */

json_t *api_case_file_json(const struct file_rec *f)
{
    char url[48];
    snprintf(url, sizeof(url), "/api/v1/files/%lld", (long long)f->id);
    return json_pack("{s:I, s:o, s:I, s:o, s:o, s:I, s:s}", "id",
                     (json_int_t)f->id, "name", jstr(f->name), "size",
                     (json_int_t)f->size, "content_type", jstr(f->content_type),
                     "uploaded", jiso(f->uploaded_ms), "case_id",
                     (json_int_t)f->case_id, "url", url);
}

/* The case as GET /cases/:id answers it, with its files, from its view
 * (case_get); NULL (e set) on failure. */
static json_t *api_case_view_json(struct http_req *r, const struct case_view *v,
                                  struct err *e)
{
    struct file_rec *files = NULL;
    int nfiles = 0;
    int64_t id = v->c.id;
    json_t *o = case_view_json(v);
    if (o == NULL) {
        err_set(e, 500, "internal", "系统出了点问题，请稍后重试。");
        return NULL;
    }
    if (json_object_get(o, "files") == NULL) {
        json_t *list = json_array();
        struct err fe;
        err_clear(&fe);
        if (files_list(r->db, r->arena, id, &files, &nfiles, &fe) == 0)
            for (int i = 0; i < nfiles; i++)
                json_array_append_new(list, api_case_file_json(&files[i]));
        json_object_set_new(o, "files", list);
    }
    return o;
}

/* The case as GET /cases/:id answers it; NULL (e set) when the viewer
 * does not see it. */
static json_t *api_case_view(struct http_req *r, int64_t id, struct err *e)
{
    struct case_view v;
    if (case_get(r->db, r->arena, &r->who, id, &v, e))
        return NULL;
    return api_case_view_json(r, &v, e);
}

/* Answers the case after a write: status and the view, with message, or
 * with transition code's message (its done_message, which may name the
 * case's fields) when message is NULL and code is not.  The case is read
 * once, in one snapshot (its dozen reads). */
static void api_case_reply_after(struct http_req *r, int status, int64_t id,
                                 const char *code, const char *message)
{
    struct err e;
    struct case_view v;
    json_t *o = NULL;
    err_clear(&e);
    store_read_begin(r->db);
    if (case_get(r->db, r->arena, &r->who, id, &v, &e) == 0) {
        const struct transition_def *t =
            code != NULL ? module_transition(v.c.m, code) : NULL;
        if (message == NULL && t != NULL)
            message = api_case_done_message(r->arena, t, &v);
        o = api_case_view_json(r, &v, &e);
    }
    if (o == NULL) /* done, but no longer visible to the actor */
        o = json_pack("{s:I}", "id", (json_int_t)id);
    if (message)
        json_object_set_new(o, "message", jstr(message));
    http_reply_json(r, status, o);
}

int api_cases_get(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    json_t *o = api_case_view(r, id, &e);
    if (o == NULL) {
        http_reply_err(r, &e);
        return 0;
    }
    http_reply_json(r, 200, o);
    return 0;
}

static const struct api_case_key api_case_create_in[] = {
    {"module", JSON_STRING, 1, "模块"},
    {"fields", JSON_OBJECT, 1, "字段"},
    {"parent", JSON_INTEGER, 0, "上级事项"},
    {"comment", JSON_STRING, 0, "备注"},
    {0},
};

int api_cases_create(struct http_req *r)
{
    struct case_new n = {0};
    int64_t id = 0;
    struct err e;
    err_clear(&e);
    if (api_case_body(r, api_case_create_in, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *parent = api_case_arg(r, "parent");
    json_t *comment = api_case_arg(r, "comment");
    n.module = json_string_value(api_case_arg(r, "module"));
    n.fields = api_case_arg(r, "fields");
    n.parent_id = parent ? (int64_t)json_integer_value(parent) : 0;
    n.comment = comment ? json_string_value(comment) : NULL;
    if (case_create(r->db, r->arena, &r->who, &n, &id, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_reply_after(r, 201, id, NULL, NULL);
    return 0;
}

static const struct api_case_key api_case_edit_in[] = {
    {"fields", JSON_OBJECT, 1, "字段"},
    {0},
};

int api_cases_update(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    if (api_case_body(r, api_case_edit_in, &e) ||
        case_edit(r->db, r->arena, &r->who, id, api_case_arg(r, "fields"),
                  &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_reply_after(r, 200, id, NULL, "已保存");
    return 0;
}

static const struct api_case_key api_case_fire_in[] = {
    {"fields", JSON_OBJECT, 0, "字段"},
    {"comment", JSON_STRING, 0, "意见"},
    {0},
};

int api_cases_fire(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    const char *code = http_param(r, "code");
    json_t *comment = api_case_arg(r, "comment");
    if (api_case_body(r, api_case_fire_in, &e) ||
        case_fire(r->db, r->arena, &r->who, id, code, api_case_arg(r, "fields"),
                  comment ? json_string_value(comment) : NULL, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_reply_after(r, 200, id, code, NULL);
    return 0;
}

static const struct api_case_key api_case_comment_in[] = {
    {"text", JSON_STRING, 1, "意见内容"},
    {0},
};

int api_cases_comment(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    if (api_case_body(r, api_case_comment_in, &e) ||
        case_comment(r->db, r->arena, &r->who, id,
                     json_string_value(api_case_arg(r, "text")), &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_reply_after(r, 201, id, NULL, "已添加意见");
    return 0;
}

static const struct api_case_key api_case_link_in[] = {
    {"case", JSON_INTEGER, 1, "关联事项"},
    {"kind", JSON_STRING, 0, "关联类型"},
    {0},
};

int api_cases_link(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    if (api_case_body(r, api_case_link_in, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *kind = api_case_arg(r, "kind");
    int64_t other = (int64_t)json_integer_value(api_case_arg(r, "case"));
    if (case_link(r->db, r->arena, &r->who, id, other,
                  kind ? json_string_value(kind) : "related", &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_reply_after(r, 201, id, NULL, "已关联");
    return 0;
}

/* ---- attachments ---- */

int api_case_may_attach(struct http_req *r, int64_t id, struct err *e)
{
    struct case_view v;
    if (case_get(r->db, r->arena, &r->who, id, &v, e))
        return -1;
    if (v.c.state && (v.c.state->flags & STATE_ARCHIVED))
        return err_set(e, 409, "conflict", "已归档的事项不能再上传附件");
    if (v.ncan == 0 && !v.can_edit)
        return err_set(e, 403, "forbidden",
                       "只有正在办理此事项的人员可以上传附件");
    return 0;
}

int api_case_attach(struct http_req *r, int64_t id, int64_t *ids, int max,
                    int *n, struct err *e)
{
    int rc = -1;
    *n = 0;
    for (int i = 0; i < r->nfiles; i++) {
        const struct http_file *f = &r->files[i];
        /* a form sent without a file chosen has an empty, nameless part */
        if (strcmp(f->field, "file") != 0 ||
            (f->len == 0 && (f->filename == NULL || *f->filename == '\0')))
            continue;
        if (*n >= max) {
            err_set(e, 400, "invalid",
                    arena_printf(r->arena, "一次最多上传%d个文件", max));
            goto out;
        }
        if (f->len == 0) {
            err_field(e, "file", "不能上传空文件");
            goto out;
        }
        if ((int64_t)f->len > files_max_bytes()) {
            err_set(e, 413, "too_large",
                    arena_printf(r->arena, "附件不能超过%lld MB",
                                 (long long)(files_max_bytes() >> 20)));
            goto out;
        }
        (*n)++;
    }
    if (*n == 0) {
        err_field(e, "file", "请选择要上传的文件");
        goto out;
    }
    if (store_begin(r->db)) {
        err_set(e, 500, "internal", "系统出了点问题，请稍后重试。");
        goto out;
    }
    *n = 0;
    for (int i = 0; i < r->nfiles; i++) {
        const struct http_file *f = &r->files[i];
        if (strcmp(f->field, "file") != 0 || f->len == 0)
            continue;
        char name[FILES_NAME_MAX + 1];
        files_sanitize_name(f->filename ? f->filename : "", name, sizeof(name));
        json_t *data = json_pack("{s:s}", "name", name);
        char *dtext = data ? json_text(data, JSON_COMPACT) : NULL;
        json_decref(data);
        const char *dcopy = dtext ? arena_strdup(r->arena, dtext) : NULL;
        free(dtext);
        if (files_put(r->db, r->app->cfg.data, &r->who, id, name,
                      f->content_type, f->data, f->len, &ids[*n], e) ||
            case_timeline_add(r->db, &r->who, id, "file",
                              arena_printf(r->arena, "上传附件：%s", name),
                              dcopy)) {
            store_rollback(r->db);
            if (!err_isset(e))
                err_set(e, 500, "internal", "附件未能保存，请稍后重试。");
            goto out;
        }
        (*n)++;
    }
    if (store_commit(r->db)) {
        store_rollback(r->db);
        err_set(e, 500, "internal", "附件未能保存，请稍后重试。");
        goto out;
    }
    rc = 0;
out:
    if (rc)
        *n = 0;
    return rc;
}

int api_cases_upload(struct http_req *r)
{
    int64_t ids[API_CASE_FILES_MAX];
    int n = 0;
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    if (api_case_may_attach(r, id, &e) ||
        api_case_attach(r, id, ids, API_CASE_FILES_MAX, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        struct file_rec f;
        if (files_get(r->db, r->arena, ids[i], &f, &e) == 0)
            json_array_append_new(items, api_case_file_json(&f));
    }
    http_reply_json(r, 201, json_pack("{s:o}", "items", items));
    return 0;
}

/* The Content-Disposition of a download: an ASCII fallback and the real
 * name as filename*=UTF-8''... (RFC 6266, 5987). */
static const char *api_case_disposition(struct http_req *r, const char *name)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "attachment; filename=\"");
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        buf_putc(&b, c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
                             c == ';' || c == '%'
                         ? '_'
                         : (char)c);
    }
    buf_puts(&b, "\"; filename*=UTF-8''");
    tmpl_escape_url(&b, name, strlen(name));
    const char *s = arena_strdup(r->arena, b.ptr ? b.ptr : "attachment");
    buf_free(&b);
    return s;
}

int api_files_get(struct http_req *r)
{
    struct file_rec f;
    struct err e;
    err_clear(&e);
    int64_t id = api_case_id_or_reply(r);
    if (id <= 0)
        return 0;
    if (files_get(r->db, r->arena, id, &f, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    /* a file follows its case: unseen case, unseen file (404) */
    int seen = f.case_id > 0 ? case_visible(r->db, &r->who, f.case_id)
                             : f.uploaded_by == r->who.user_id;
    if (seen < 0) {
        http_reply_status(r, 500, NULL);
        return 0;
    }
    if (seen == 0) {
        http_reply_status(r, 404, NULL);
        return 0;
    }
    int fd = files_open(r->app->cfg.data, &f);
    if (fd < 0) {
        http_reply_status(r, 500, "附件文件缺失，请联系系统管理员");
        return 0;
    }
    if (files_audit_download(r->db, &r->who, &f)) {
        close(fd);
        http_reply_status(r, 500, NULL);
        return 0;
    }
    http_reply_fd(r, 200,
                  f.content_type && *f.content_type
                      ? f.content_type
                      : "application/octet-stream",
                  fd, f.size);
    http_add_header(r, "Content-Disposition",
                    api_case_disposition(r, f.name ? f.name : "附件"));
    http_add_header(r, "X-Content-Type-Options", "nosniff");
    return 0;
}

/* ---- to-do, notifications ---- */

int api_todo(struct http_req *r)
{
    struct case_item *items;
    int n;
    struct err e;
    err_clear(&e);
    long limit = common_query_long(r, "limit", 100);
    if (case_todo(r->db, r->arena, &r->who, (int)(limit > 1000 ? 1000 : limit),
                  NULL, &items, &n, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, case_item_json(&items[i]));
    /* total: every case waiting, as in the lists (not the items of this
     * ?limit= page) */
    int64_t total = n < limit ? n : case_todo_count(r->db, &r->who);
    http_reply_json(r, 200,
                    json_pack("{s:o, s:I}", "items", list, "total",
                              (json_int_t)(total < n ? n : total)));
    return 0;
}

int64_t api_case_todo_count(struct http_req *r)
{
    if (r->db == NULL || !r->signed_in)
        return 0;
    int64_t n = case_todo_count(r->db, &r->who);
    return n < 0 ? 0 : n;
}

json_t *api_case_notification_json(const struct notify_rec *n)
{
    json_t *o =
        json_pack("{s:I, s:o, s:o, s:o, s:b}", "id", (json_int_t)n->id, "kind",
                  jstr(n->kind), "text", jstr(n->text), "created",
                  jiso(n->created_ms), "read", n->read_ms > 0);
    if (n->case_id > 0) {
        char url[40];
        snprintf(url, sizeof(url), "/cases/%lld", (long long)n->case_id);
        json_object_set_new(o, "case_id", json_integer(n->case_id));
        json_object_set_new(o, "url", json_string(url));
    } else {
        json_object_set_new(o, "case_id", json_null());
    }
    return o;
}

int api_notifications_list(struct http_req *r)
{
    struct notify_rec *recs;
    int n, limit, offset;
    int64_t total = 0;
    struct err e;
    err_clear(&e);
    common_paging(r, 20, 200, &limit, &offset);
    int unread = common_query_long(r, "unread", 0) == 1;
    if (notify_list(r->db, r->arena, r->who.user_id, unread, limit, offset,
                    &recs, &n, &total, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, api_case_notification_json(&recs[i]));
    int64_t nunread = notify_unread_count(r->db, r->who.user_id);
    http_reply_json(r, 200,
                    json_pack("{s:o, s:I, s:I, s:i, s:i}", "items", items,
                              "total", (json_int_t)total, "unread",
                              (json_int_t)(nunread < 0 ? 0 : nunread), "limit",
                              limit, "offset", offset));
    return 0;
}

static const struct api_case_key api_case_read_in[] = {
    {"ids", JSON_ARRAY, 0, "通知"},
    {"all", JSON_TRUE, 0, "全部"},
    {0},
};

int api_notifications_read(struct http_req *r)
{
    struct err e;
    int64_t changed = 0;
    err_clear(&e);
    if (api_case_body(r, api_case_read_in, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *ids = api_case_arg(r, "ids");
    json_t *all = api_case_arg(r, "all");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i,
                       v) if (!json_is_integer(v) || json_integer_value(v) <= 0)
        err_field(&e, "ids", "通知编号应为正整数");
    if (ids == NULL && !json_is_true(all))
        err_field(&e, "ids", "请指明要标为已读的通知，或 {\"all\":true}");
    if (ids && json_array_size(ids) > 1000)
        err_field(&e, "ids", "一次最多1000条");
    if (err_isset(&e)) {
        http_reply_err(r, &e);
        return 0;
    }
    if (json_is_true(all)) {
        changed = notify_mark_read(r->db, r->who.user_id, 0);
    } else {
        json_array_foreach(ids, i, v)
        {
            int64_t c = notify_mark_read(r->db, r->who.user_id,
                                         (int64_t)json_integer_value(v));
            if (c < 0) {
                changed = -1;
                break;
            }
            changed += c;
        }
    }
    if (changed < 0) {
        http_reply_status(r, 500, NULL);
        return 0;
    }
    int64_t nunread = notify_unread_count(r->db, r->who.user_id);
    http_reply_json(r, 200,
                    json_pack("{s:I, s:I}", "changed", (json_int_t)changed,
                              "unread",
                              (json_int_t)(nunread < 0 ? 0 : nunread)));
    return 0;
}

/* ---- search ---- */

const char *api_case_search_text(struct arena *a, const struct case_item *it)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (const struct field_def *f = it->m ? it->m->fields : NULL; f && f->code;
         f++) {
        if (!(f->flags & FIELD_SEARCH) || f->role == FIELD_IS_TITLE)
            continue;
        json_t *v = it->fields ? json_object_get(it->fields, f->code) : NULL;
        if (json_is_string(v) && json_string_length(v) > 0) {
            if (b.len)
                buf_puts(&b, "　");
            buf_puts(&b, json_string_value(v));
        }
    }
    const char *s = arena_strdup(a, b.ptr ? b.ptr : "");
    buf_free(&b);
    return s;
}

json_t *api_case_segments_json(const struct search_snippet *sn)
{
    json_t *a = json_array();
    for (int i = 0; i < sn->nseg; i++) {
        json_t *t = json_stringn(sn->seg[i].text, sn->seg[i].len);
        json_array_append_new(a, json_pack("{s:o, s:b}", "text",
                                           t ? t : json_string(""), "match",
                                           sn->seg[i].match != 0));
    }
    return a;
}

int api_search(struct http_req *r)
{
    struct case_filter f;
    struct case_page pg;
    struct err e;
    err_clear(&e);
    if (api_case_filter(r, &f, &e) == 0 && f.q == NULL)
        err_field(&e, "q", "请输入要搜索的内容");
    f.no_counts = 1;
    if (f.sort == NULL)
        f.sort = CASE_SEARCH_SORT;
    if (err_isset(&e) || case_list(r->db, r->arena, &r->who, &f, &pg, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < pg.n; i++) {
        struct case_item *it = &pg.items[i];
        struct search_snippet sn, tn;
        json_t *o = case_item_json(it);
        search_snippet(r->arena, api_case_search_text(r->arena, it), f.q, 60,
                       &sn);
        search_snippet(r->arena, it->title ? it->title : "", f.q, 200, &tn);
        json_object_set_new(o, "module_label", jstr(it->m ? it->m->label : ""));
        json_object_set_new(o, "title_segments", api_case_segments_json(&tn));
        json_object_set_new(o, "snippet", api_case_segments_json(&sn));
        json_object_set_new(o, "cut_before", json_boolean(sn.cut_before));
        json_object_set_new(o, "cut_after", json_boolean(sn.cut_after));
        json_array_append_new(items, o);
    }
    http_reply_json(r, 200,
                    json_pack("{s:o, s:I, s:b, s:i, s:i, s:o}", "items", items,
                              "total", (json_int_t)pg.total, "total_capped",
                              pg.total_capped, "page", f.page, "per_page",
                              f.per_page, "q", jstr(f.q)));
    return 0;
}

/* ---- Excel ---- */

/* Width and cell type of a field's column. */
static void api_case_column(const struct field_def *f, double *width,
                            enum export_cell *type)
{
    *type = EXPORT_TEXT;
    switch (f->type) {
    case FIELD_TEXT:
        *width = f->role == FIELD_IS_TITLE ? 40 : 24;
        break;
    case FIELD_LONGTEXT:
        *width = 40;
        break;
    case FIELD_NUMBER:
        *width = 10;
        *type = EXPORT_AUTO;
        break;
    case FIELD_DATE:
        *width = 12;
        *type = EXPORT_DATE;
        break;
    case FIELD_DATETIME:
        *width = 17;
        break;
    case FIELD_UNIT:
    case FIELD_PERSONS:
        *width = 20;
        break;
    case FIELD_UNITS:
        *width = 28;
        break;
    default:
        *width = 12;
        break;
    }
}

/* The columns of an export: fields of m with FIELD_EXPORT (m NULL: the
 * generic columns); at most max. */
static int api_case_export_fields(const struct module_def *m,
                                  const struct field_def **out, int max)
{
    int n = 0;
    for (const struct field_def *f = m ? m->fields : NULL; f && f->code; f++)
        if ((f->flags & FIELD_EXPORT) && !(f->flags & FIELD_HIDDEN) && n < max)
            out[n++] = f;
    return n;
}

#define API_CASE_EXPORT_COLS 64

void api_case_export_reply(struct http_req *r, struct case_filter *f)
{
    const struct field_def *fields[API_CASE_EXPORT_COLS];
    const char *headers[API_CASE_EXPORT_COLS + 8];
    double width[API_CASE_EXPORT_COLS + 8];
    enum export_cell type[API_CASE_EXPORT_COLS + 8];
    struct api_case_names *nm = NULL;
    struct arena *chunk = NULL;
    struct export_sheet *x = NULL;
    struct case_cursor cur;
    struct err e;
    int fd = -1, rc = -1, ncols = 0;
    int64_t len = 0;
    err_clear(&e);
    memset(&cur, 0, sizeof(cur));
    const struct module_def *m = f->module ? module_find(f->module) : NULL;
    if (f->module && m == NULL) {
        err_field(&e, "module", "没有这个模块");
        goto out;
    }
    int nf = api_case_export_fields(m, fields, API_CASE_EXPORT_COLS);
    headers[ncols] = "编号";
    width[ncols] = 22;
    type[ncols++] = EXPORT_TEXT;
    if (m == NULL) {
        headers[ncols] = "类别";
        width[ncols] = 12;
        type[ncols++] = EXPORT_TEXT;
        headers[ncols] = "标题";
        width[ncols] = 40;
        type[ncols++] = EXPORT_TEXT;
        headers[ncols] = "牵头单位";
        width[ncols] = 20;
        type[ncols++] = EXPORT_TEXT;
    }
    for (int i = 0; i < nf; i++) {
        headers[ncols] = fields[i]->label;
        api_case_column(fields[i], &width[ncols], &type[ncols]);
        ncols++;
    }
    static const char *const tail[] = {"状态", "灯号", "办理时限", "登记日期"};
    static const double tail_w[] = {12, 8, 12, 12};
    static const enum export_cell tail_t[] = {EXPORT_TEXT, EXPORT_TEXT,
                                              EXPORT_DATE, EXPORT_DATE};
    for (int i = 0; i < 4; i++) {
        headers[ncols] = tail[i];
        width[ncols] = tail_w[i];
        type[ncols++] = tail_t[i];
    }
    x = export_begin(NULL, m ? m->label : "事项清单", headers, ncols, &e);
    if (x == NULL)
        goto out;
    for (int c = 0; c < ncols; c++)
        export_column(x, c, width[c], type[c]);
    api_case_names_init(&nm, r);
    while (!cur.done && export_rows(x) < API_CASE_EXPORT_MAX) {
        struct case_item *items;
        int n;
        chunk = arena_new();
        nm->a = chunk;
        /* the rows' values go with the chunk (not the names kept in nm,
         * which live as long as the export) */
        struct arena *json_was = json_arena_use(chunk);
        rc = case_list_chunk(r->db, chunk, &r->who, f, nf > 0, &cur,
                             API_CASE_EXPORT_CHUNK, &items, &n, &e);
        json_arena_use(json_was);
        if (rc)
            goto out;
        for (int i = 0; i < n && export_rows(x) < API_CASE_EXPORT_MAX; i++) {
            const struct case_item *it = &items[i];
            const char *cells[API_CASE_EXPORT_COLS + 8];
            char due[11] = "", created[11] = "";
            int k = 0;
            if (it->due_ms > 0)
                ymd_fmt(api_case_due_date(it->due_ms), due);
            if (it->created_ms > 0)
                ymd_fmt(ms_to_beijing(it->created_ms), created);
            cells[k++] = it->number;
            if (m == NULL) {
                cells[k++] = it->m ? it->m->label : "";
                cells[k++] = it->title;
                cells[k++] = it->lead_unit_name;
            }
            for (int j = 0; j < nf; j++)
                cells[k++] = api_case_display(
                    nm, fields[j],
                    it->fields ? json_object_get(it->fields, fields[j]->code)
                               : NULL);
            cells[k++] = it->state ? it->state->label : "";
            cells[k++] = api_case_light_word(it->light);
            cells[k++] = due;
            cells[k++] = created;
            export_row(x, cells);
        }
        nm->a = r->arena;
        arena_free(chunk);
        chunk = NULL;
    }
    rc = export_finish(x, &fd, &len, &e);
    x = NULL;
out:
    if (nm != NULL)
        nm->a = r->arena;
    arena_free(chunk);
    case_cursor_done(&cur);
    api_case_names_free(nm);
    if (x != NULL && export_finish(x, &fd, &len, &e) == 0)
        close(fd);
    if (rc) {
        http_reply_err(r, &e);
        return;
    }
    http_reply_fd(r, 200,
                  "application/vnd.openxmlformats-officedocument."
                  "spreadsheetml.sheet",
                  fd, len);
    const char *name =
        arena_printf(r->arena, "%s.xlsx", m ? m->label : "事项清单");
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "attachment; filename=\"%s.xlsx\"; filename*=UTF-8''",
               m ? m->code : "cases");
    tmpl_escape_url(&b, name, strlen(name));
    http_add_header(r, "Content-Disposition", b.ptr ? b.ptr : "attachment");
    buf_free(&b);
}

int api_cases_export(struct http_req *r)
{
    struct case_filter f;
    struct err e;
    err_clear(&e);
    if (api_case_filter(r, &f, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    api_case_export_reply(r, &f);
    return 0;
}

/* ---- OpenAPI ---- */

/* The JSON Schema of a field's value in the API. */
static json_t *api_case_field_schema(const struct field_def *f)
{
    json_t *s;
    json_t *item = NULL;
    switch (f->type) {
    case FIELD_NUMBER:
        s = json_pack("{s:s}", "type", "integer");
        if (f->max)
            json_object_set_new(s, "maximum", json_integer(f->max));
        json_object_set_new(s, "minimum", json_integer(f->min));
        break;
    case FIELD_DATE:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date");
        break;
    case FIELD_DATETIME:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date-time");
        break;
    case FIELD_CHOICE:
    case FIELD_MULTI: {
        json_t *en = json_array();
        for (const struct choice_def *c = f->choices; c && c->code; c++)
            json_array_append_new(en, jstr(c->code));
        item = json_pack("{s:s, s:o}", "type", "string", "enum", en);
        s = f->type == FIELD_MULTI
                ? json_pack("{s:s, s:o}", "type", "array", "items", item)
                : item;
        break;
    }
    case FIELD_UNITS:
    case FIELD_PERSONS:
        s = json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type",
                      "string");
        break;
    default:
        s = json_pack("{s:s}", "type", "string");
        if (f->max && (f->type == FIELD_TEXT || f->type == FIELD_LONGTEXT))
            json_object_set_new(s, "maxLength", json_integer(f->max));
        break;
    }
    json_object_set_new(s, "description", jstr(f->label));
    json_object_set_new(s, "nullable", json_true());
    return s;
}

static json_t *api_case_module_schema(const struct module_def *m)
{
    json_t *props = json_object();
    for (const struct field_def *f = m->fields; f && f->code; f++)
        json_object_set_new(props, f->code, api_case_field_schema(f));
    return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "description",
                     jstr(m->label), "properties", props,
                     "additionalProperties", 0);
}

/* "/api/v1/cases/:id" -> "/api/v1/cases/{id}", and the names in params. */
static const char *api_case_oa_path(struct arena *a, const char *pattern,
                                    json_t *params)
{
    struct buf b;
    buf_init(&b, 1024);
    for (const char *p = pattern; *p;) {
        if (*p == ':') {
            const char *end = strchr(p, '/');
            size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
            buf_putc(&b, '{');
            buf_append(&b, p + 1, n);
            buf_putc(&b, '}');
            json_array_append_new(
                params, json_pack("{s:o, s:s, s:b, s:{s:s}}", "name",
                                  json_stringn(p + 1, n), "in", "path",
                                  "required", 1, "schema", "type", "string"));
            p += n + 1;
        } else {
            buf_putc(&b, *p++);
        }
    }
    const char *s = arena_strdup(a, b.ptr ? b.ptr : "/");
    buf_free(&b);
    return s;
}

int api_openapi(struct http_req *r)
{
    static const struct {
        int bit;
        const char *name;
    } methods[] = {{HTTP_GET, "get"},
                   {HTTP_POST, "post"},
                   {HTTP_PUT, "put"},
                   {HTTP_PATCH, "patch"},
                   {HTTP_DELETE, "delete"}};
    json_t *paths = json_object(), *schemas = json_object();
    for (const struct route *rt = r->app ? r->app->routes : NULL;
         rt && rt->pattern; rt++) {
        if (strncmp(rt->pattern, "/api/", 5) != 0 ||
            (rt->flags & ROUTE_TESTCLOCK))
            continue;
        json_t *params = json_array();
        const char *path = api_case_oa_path(r->arena, rt->pattern, params);
        json_t *item = json_object_get(paths, path);
        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, path, item);
        }
        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
            if (!(rt->methods & methods[i].bit))
                continue;
            int creates = methods[i].bit == HTTP_POST &&
                          (strcmp(rt->pattern, "/api/v1/cases") == 0 ||
                           strstr(rt->pattern, "/comments") ||
                           strstr(rt->pattern, "/files") ||
                           strstr(rt->pattern, "/links"));
            json_t *op = json_pack(
                "{s:o, s:o, s:{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}}",
                "operationId", jstr(rt->name), "summary", jstr(rt->name),
                "responses", "default", "description", "错误",
                creates ? "201" : "200", "description", "成功", "content",
                "application/json", "schema", "type", "object");
            if (json_array_size(params) > 0)
                json_object_set(op, "parameters", params);
            if (rt->perm == PERM_PUBLIC)
                json_object_set_new(op, "security", json_array());
            json_object_set_new(item, methods[i].name, op);
        }
        json_decref(params);
    }
    json_object_set_new(
        schemas, "Error",
        json_pack("{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}", "type",
                  "object", "properties", "error", "type", "object",
                  "properties", "code", "type", "string", "message", "type",
                  "string", "fields", "type", "object"));
    for (const struct module_def *const *m = module_list(); *m; m++)
        json_object_set_new(schemas,
                            arena_printf(r->arena, "%s_fields", (*m)->code),
                            api_case_module_schema(*m));
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:{s:{s:s, s:s},"
        " s:{s:s, s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
        "openapi", "3.0.3", "info", "title", "枢纽 政务协同办公平台 API",
        "version", "1", "description",
        "单位字段填单位代码，人员字段填登录名；日期 YYYY-MM-DD，"
        "时间 ISO 8601（+08:00）。",
        "servers", "url", "/", "paths", paths, "components", "schemas", schemas,
        "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
        "cookie", "type", "apiKey", "in", "cookie", "name", "sid", "security",
        "bearer", "cookie");
    if (doc == NULL) {
        http_reply_status(r, 500, NULL);
        return 0;
    }
    http_reply_json(r, 200, doc);
    return 0;
}
