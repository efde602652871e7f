/*
 * case_field.c - field values of cases against the module's field table
 * (see case.h for the API form of each type, case_int.h for the callers).
 *
 * Input goes through case_field_parse(), which either answers the value in
 * its one normal form (a date "2026-03-02", a datetime
 * "2026-03-02T09:00:00+08:00", a deduplicated list, a checked code) or adds
 * a Chinese message for that field: "请填写完成时限" (required, by
 * case_fields_required), "牵头单位不存在", "完成时限格式应为 YYYY-MM-DD".
 * case_fields_apply() runs it for every key of an input object and refuses
 * keys the write may not set.  Nothing here writes to the database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/now.h"
#include "kernel/case_int.h"

#define CASE_TEXT_MAX 200
#define CASE_LONGTEXT_MAX 20000
#define CASE_LIST_MAX 200

/* Characters of valid UTF-8 text; -1 when invalid or holding control
 * characters (LONGTEXT: tab and line breaks allowed). */
static long case_utf8_chars(const char *s, int multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    long chars = 0;
    while (*p) {
        int n;
        if (*p < 0x20 || *p == 0x7f) {
            if (!multiline || (*p != '\n' && *p != '\r' && *p != '\t'))
                return -1;
        }
        if (*p < 0x80)
            n = 0;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            n = 1;
        else if ((*p & 0xF0) == 0xE0)
            n = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            n = 3;
        else
            return -1;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return -1;
        chars++;
    }
    return chars;
}

static int case_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

int case_field_empty(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return 1;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    return 0;
}

static const char CASE_SQL_UNIT_ID[] =
    "SELECT id FROM units WHERE code = $1 AND active = 1";
static const char CASE_SQL_USER_ID[] =
    "SELECT id FROM users WHERE login = $1 AND active = 1";

int64_t case_unit_id(struct store *db, const char *code)
{
    int64_t id = 0;
    int rc = store_query_int(db, CASE_SQL_UNIT_ID, &id, "t", code);
    return rc == STORE_ERR ? -1 : id;
}

int64_t case_user_id(struct store *db, const char *login)
{
    int64_t id = 0;
    int rc = store_query_int(db, CASE_SQL_USER_ID, &id, "t", login);
    return rc == STORE_ERR ? -1 : id;
}

static int case_choice_ok(const struct field_def *f, const char *code)
{
    for (int i = 0; f->choices != NULL && f->choices[i].code != NULL; i++)
        if (strcmp(f->choices[i].code, code) == 0)
            return 1;
    return 0;
}

static const char *case_choice_label(const struct field_def *f,
                                     const char *code)
{
    for (int i = 0; f->choices != NULL && f->choices[i].code != NULL; i++)
        if (strcmp(f->choices[i].code, code) == 0)
            return f->choices[i].label;
    return code;
}

static int case_bad(struct err *e, struct arena *a, const struct field_def *f,
                    const char *what)
{
    return err_field(e, f->code, arena_printf(a, "%s%s", f->label, what));
}

/* One scalar (not a list) of field f from text s into *out. */
static int case_scalar_parse(struct store *db, struct arena *a,
                             const struct field_def *f, enum field_type type,
                             const char *s, json_t **out, struct err *e)
{
    *out = NULL;
    switch (type) {
    case FIELD_TEXT:
    case FIELD_LONGTEXT: {
        long max = f->max > 0 ? f->max
                              : (type == FIELD_TEXT ? CASE_TEXT_MAX
                                                    : CASE_LONGTEXT_MAX);
        long n = case_utf8_chars(s, type == FIELD_LONGTEXT);
        if (n < 0)
            return case_bad(e, a, f, "含有不能使用的字符");
        if (n > max)
            return err_field(
                e, f->code,
                arena_printf(a, "%s不能超过%ld个字", f->label, max));
        *out = json_string(s);
        return 0;
    }
    case FIELD_NUMBER: {
        char *end = NULL;
        long long v;
        int64_t lo = f->min, hi = f->max;
        if (f->role == FIELD_IS_PROGRESS && lo == 0 && hi == 0)
            hi = 100;
        if (f->role == FIELD_IS_SECRECY)
            lo = 0, hi = 3;
        if (*s == '\0' || strlen(s) > 18)
            return case_bad(e, a, f, "须为整数");
        v = strtoll(s, &end, 10);
        if (end == NULL || *end != '\0')
            return case_bad(e, a, f, "须为整数");
        if ((lo != 0 || hi != 0) && (v < lo || v > hi))
            return err_field(e, f->code,
                             arena_printf(a,
                                          "%s须在%" PRId64 "至%" PRId64 "之间",
                                          f->label, lo, hi));
        *out = json_integer(v);
        return 0;
    }
    case FIELD_DATE: {
        struct ymd d;
        char buf[11];
        if (ymd_parse(s, &d) != 0)
            return case_bad(e, a, f, "格式应为 YYYY-MM-DD");
        ymd_fmt(d, buf);
        *out = json_string(buf);
        return 0;
    }
    case FIELD_DATETIME: {
        int64_t ms;
        char buf[26];
        if (iso_parse_ms(s, &ms) != 0)
            return case_bad(e, a, f, "格式应为 YYYY-MM-DDTHH:MM");
        ms_fmt_iso(ms, buf);
        *out = json_string(buf);
        return 0;
    }
    case FIELD_CHOICE:
    case FIELD_MULTI:
        if (!case_choice_ok(f, s))
            return case_bad(e, a, f, "的取值无效");
        *out = json_string(s);
        return 0;
    case FIELD_UNIT:
    case FIELD_UNITS: {
        int64_t id = case_unit_id(db, s);
        if (id < 0)
            return err_set(e, 500, "internal", case_msg_internal);
        if (id == 0)
            return case_bad(e, a, f, "不存在");
        *out = json_string(s);
        return 0;
    }
    case FIELD_PERSON:
    case FIELD_PERSONS: {
        int64_t id = case_user_id(db, s);
        if (id < 0)
            return err_set(e, 500, "internal", case_msg_internal);
        if (id == 0)
            return case_bad(e, a, f, "不存在");
        *out = json_string(s);
        return 0;
    }
    }
    return case_bad(e, a, f, "的类型未知");
}

static int case_is_list(enum field_type t)
{
    return t == FIELD_MULTI || t == FIELD_UNITS || t == FIELD_PERSONS;
}

/* The text of a scalar JSON input (numbers as decimal), NULL if it is not
 * a scalar. */
static const char *case_scalar_text(struct arena *a, json_t *in)
{
    if (json_is_string(in))
        return json_string_value(in);
    if (json_is_integer(in))
        return arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(in));
    return NULL;
}

int case_field_parse(struct store *db, struct arena *a,
                     const struct field_def *f, json_t *in, json_t **out,
                     struct err *e)
{
    *out = NULL;
    if (in == NULL || json_is_null(in) ||
        (json_is_string(in) && case_blank(json_string_value(in))) ||
        (json_is_array(in) && json_array_size(in) == 0)) {
        *out = json_null();
        return 0;
    }
    if (!case_is_list(f->type)) {
        const char *s = case_scalar_text(a, in);
        if (s == NULL || (json_is_integer(in) && f->type != FIELD_NUMBER &&
                          f->type != FIELD_CHOICE))
            return case_bad(e, a, f, "的格式不对");
        return case_scalar_parse(db, a, f, f->type, s, out, e);
    }
    /* a list: an array of strings, or one comma-separated string */
    json_t *items = json_array(), *res = json_array();
    int rc = -1;
    if (json_is_string(in)) {
        const char *p = json_string_value(in);
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
            char *item = arena_strndup(a, p, len);
            char *s = item, *end = item + len;
            while (*s == ' ')
                s++;
            while (end > s && end[-1] == ' ')
                *--end = '\0';
            if (*s != '\0')
                json_array_append_new(items, json_string(s));
            if (comma == NULL)
                break;
            p = comma + 1;
        }
    } else if (json_is_array(in)) {
        size_t i;
        json_t *v;
        json_array_foreach(in, i, v)
        {
            if (!json_is_string(v)) {
                case_bad(e, a, f, "的格式不对");
                goto out;
            }
            json_array_append(items, v);
        }
    } else {
        case_bad(e, a, f, "的格式不对");
        goto out;
    }
    if (json_array_size(items) > CASE_LIST_MAX) {
        case_bad(e, a, f, "选得太多");
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_t *one = NULL, *w;
        size_t j;
        int dup = 0;
        if (case_scalar_parse(db, a, f, f->type, json_string_value(v), &one,
                              e) != 0)
            goto out;
        json_array_foreach(res, j, w) dup |= json_equal(w, one);
        if (!dup)
            json_array_append(res, one);
        json_decref(one);
    }
    *out = json_array_size(res) > 0 ? json_incref(res) : json_null();
    rc = 0;
out:
    json_decref(items);
    json_decref(res);
    return rc;
}

const char *case_field_text(struct arena *a, const json_t *v)
{
    if (case_field_empty(v))
        return NULL;
    if (json_is_string(v))
        return arena_strdup(a, json_string_value(v));
    if (json_is_integer(v))
        return arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_array(v)) {
        struct buf b;
        size_t i;
        json_t *x;
        const char *s;
        buf_init(&b, 1 << 20);
        json_array_foreach(v, i, x)
        {
            if (i > 0)
                buf_putc(&b, ',');
            buf_puts(&b, json_is_string(x) ? json_string_value(x) : "");
        }
        s = arena_strndup(a, b.ptr, b.len);
        buf_free(&b);
        return s;
    }
    return NULL;
}

static const char CASE_SQL_UNIT_NAME[] =
    "SELECT name FROM units WHERE code = $1";
static const char CASE_SQL_USER_NAME[] =
    "SELECT name FROM users WHERE login = $1";

/* The name of a unit or person, or the code itself when unknown. */
static const char *case_name_of(struct store *db, struct arena *a,
                                const char *sql, const char *code)
{
    struct stmt *st = store_prepare(db, sql);
    const char *name = code;
    store_bind_text(st, 1, code);
    if (store_step(st) == STORE_ROW)
        name = arena_strdup(a, store_col_text(st, 0));
    store_finalize(st);
    return name;
}

static const char *case_scalar_display(struct store *db, struct arena *a,
                                       const struct field_def *f,
                                       const json_t *v)
{
    const char *s = case_field_text(a, v);
    if (s == NULL)
        return "";
    switch (f->type) {
    case FIELD_CHOICE:
    case FIELD_MULTI:
        return case_choice_label(f, s);
    case FIELD_UNIT:
    case FIELD_UNITS:
        return case_name_of(db, a, CASE_SQL_UNIT_NAME, s);
    case FIELD_PERSON:
    case FIELD_PERSONS:
        return case_name_of(db, a, CASE_SQL_USER_NAME, s);
    case FIELD_DATETIME: {
        int64_t ms;
        char buf[17];
        if (iso_parse_ms(s, &ms) != 0)
            return s;
        ms_fmt_minute(ms, buf);
        return arena_strdup(a, buf);
    }
    default:
        return s;
    }
}

const char *case_field_display(struct store *db, struct arena *a,
                               const struct field_def *f, const json_t *v)
{
    if (case_field_empty(v))
        return "";
    if (json_is_array(v)) {
        struct buf b;
        size_t i;
        json_t *x;
        const char *s;
        buf_init(&b, 1 << 20);
        json_array_foreach(v, i, x)
        {
            if (i > 0)
                buf_puts(&b, "、");
            buf_puts(&b, case_scalar_display(db, a, f, x));
        }
        s = arena_strndup(a, b.ptr, b.len);
        buf_free(&b);
        return s;
    }
    return case_scalar_display(db, a, f, v);
}

const char *case_fields_display(struct store *db, struct arena *a,
                                const struct module_def *m, json_t *fields,
                                const char *code)
{
    const struct field_def *f = module_field(m, code);
    json_t *v = fields != NULL ? json_object_get(fields, code) : NULL;
    if (f == NULL || case_field_empty(v))
        return NULL;
    return case_field_display(db, a, f, v);
}

int case_fields_apply(struct case_ctx *c, json_t *input, const char *allowed,
                      struct err *e)
{
    const char *key;
    json_t *v;
    int bad = 0;

    if (input == NULL)
        return 0;
    if (!json_is_object(input))
        return err_set(e, 400, "invalid", "提交的内容格式不对");
    json_object_foreach(input, key, v)
    {
        const struct field_def *f = module_field(c->m, key);
        json_t *val = NULL;
        if (f == NULL) {
            bad |= err_field(e, arena_strdup(c->a, key), "没有这个字段");
            continue;
        }
        if (allowed != NULL ? !module_in_list(allowed, key)
                            : (f->flags & FIELD_READONLY) != 0) {
            bad |= err_field(e, f->code,
                             arena_printf(c->a, "此处不能修改%s", f->label));
            continue;
        }
        if (case_field_parse(c->db, c->a, f, v, &val, e) != 0) {
            bad = -1;
            if (e->status == 500)
                return -1;
            continue;
        }
        json_object_set_new(c->fields, f->code, val);
    }
    return bad ? -1 : 0;
}

int case_fields_required(struct case_ctx *c, const struct state_def *state,
                         const char *also, struct err *e)
{
    int bad = 0;
    for (int i = 0; c->m->fields[i].code != NULL; i++) {
        const struct field_def *f = &c->m->fields[i];
        int need = f->role == FIELD_IS_TITLE ||
                   (f->required_in != NULL && state != NULL &&
                    module_in_list(f->required_in, state->code)) ||
                   (also != NULL && module_in_list(also, f->code));
        if (need && case_field_empty(json_object_get(c->fields, f->code)))
            bad |=
                err_field(e, f->code, arena_printf(c->a, "请填写%s", f->label));
    }
    return bad ? -1 : 0;
}

json_t *case_field_by_role(const struct module_def *m, json_t *fields,
                           enum field_role role, const struct field_def **def)
{
    if (def != NULL)
        *def = NULL;
    for (int i = 0; m->fields[i].code != NULL; i++)
        if (m->fields[i].role == role) {
            json_t *v = json_object_get(fields, m->fields[i].code);
            if (def != NULL)
                *def = &m->fields[i];
            return case_field_empty(v) ? NULL : v;
        }
    return NULL;
}

json_t *case_fields_visible(const struct module_def *m, json_t *fields,
                            int clearance, const char *const *only)
{
    json_t *out = json_object();
    for (int i = 0; only != NULL ? only[i] != NULL : m->fields[i].code != NULL;
         i++) {
        const struct field_def *f =
            only != NULL ? module_field(m, only[i]) : &m->fields[i];
        if (f == NULL || f->min_clearance > clearance)
            continue;
        json_t *v = json_object_get(fields, f->code);
        json_object_set(out, f->code, v != NULL ? v : json_null());
    }
    return out;
}

/* ---- the accessors of module hooks ---- */

const char *case_val_text(const struct case_ctx *c, const char *code)
{
    return case_field_text(c->a, json_object_get(c->fields, code));
}

int64_t case_val_int(const struct case_ctx *c, const char *code, int64_t def)
{
    json_t *v = json_object_get(c->fields, code);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v) && json_string_length(v) > 0) {
        char *end = NULL;
        long long n = strtoll(json_string_value(v), &end, 10);
        if (end != NULL && *end == '\0')
            return n;
    }
    return def;
}

int case_val_changed(const struct case_ctx *c, const char *code)
{
    json_t *a = json_object_get(c->fields, code);
    json_t *b = c->before != NULL ? json_object_get(c->before, code) : NULL;
    if (case_field_empty(a) && case_field_empty(b))
        return 0;
    if (a == NULL || b == NULL)
        return 1;
    return !json_equal(a, b);
}

int case_val_set(struct case_ctx *c, const char *code, const char *text,
                 struct err *e)
{
    const struct field_def *f = module_field(c->m, code);
    json_t *in, *val = NULL;
    int rc;
    if (f == NULL)
        return err_set(e, 500, "internal", case_msg_internal);
    in = text != NULL ? json_string(text) : json_null();
    rc = case_field_parse(c->db, c->a, f, in, &val, e);
    json_decref(in);
    if (rc != 0)
        return -1;
    json_object_set_new(c->fields, f->code, val);
    c->dirty = 1;
    return 0;
}

int case_val_set_int(struct case_ctx *c, const char *code, int64_t v,
                     struct err *e)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    return case_val_set(c, code, buf, e);
}
