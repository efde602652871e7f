/* input.c - see input.h. */
#include "web/input.h"

#include "web/web.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int input_utf8_ok(const char *s, size_t len)
{
    if (!request_utf8_ok(s, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            return 0;
    }
    return 1;
}

static const char *trimmed(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                     s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

static const char *msg(struct http_req *r, const struct input_field *f,
                       const char *what)
{
    return arena_printf(r->arena, "%s%s", f->label ? f->label : f->name,
                        what);
}

/* Checks one text value against its field; 0 ok. */
static int check_text(struct http_req *r, const struct input_field *f,
                      const char *s, size_t len, struct input_value *v,
                      struct err *e)
{
    size_t max = f->max > 0 ? (size_t)f->max : 1000;
    if (!input_utf8_ok(s, len))
        return err_field(e, f->name, msg(r, f, "含有无效字符，请重新输入"));
    if (len > max)
        return err_field(e, f->name,
                         arena_printf(r->arena, "%s不能超过%zu个字节",
                                      f->label ? f->label : f->name, max));
    v->text = trimmed(r->arena, s);
    v->present = 1;
    if (f->required && v->text[0] == '\0')
        return err_field(e, f->name, msg(r, f, "不能为空"));
    return 0;
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int check_int(struct http_req *r, const struct input_field *f,
                     int64_t n, struct input_value *v, struct err *e)
{
    if (n < f->min || (f->max > f->min && n > f->max))
        return err_field(e, f->name,
                         arena_printf(r->arena, "%s应在%d到%d之间",
                                      f->label ? f->label : f->name, f->min,
                                      f->max));
    v->num = n;
    v->present = 1;
    return 0;
}

static int read_json(struct http_req *r, const struct input_field *spec,
                     struct input_value *vals, struct err *e)
{
    const char *key;
    json_t *val;
    json_object_foreach(r->json, key, val)
    {
        int k = -1;
        for (int i = 0; spec[i].name; i++)
            if (strcmp(spec[i].name, key) == 0)
                k = i;
        if (k < 0) {
            const char *name = arena_strdup(r->arena, key);
            err_field(e, name, "不认识的字段，请删除");
            continue;
        }
        const struct input_field *f = &spec[k];
        struct input_value *v = &vals[k];
        if (json_is_null(val) && !f->required)
            continue;
        switch (f->type) {
        case IN_TEXT:
            if (!json_is_string(val)) {
                err_field(e, f->name, msg(r, f, "应为文本"));
                break;
            }
            check_text(r, f, json_string_value(val), json_string_length(val),
                       v, e);
            break;
        case IN_INT:
            if (!json_is_integer(val)) {
                err_field(e, f->name, msg(r, f, "应为整数"));
                break;
            }
            check_int(r, f, json_integer_value(val), v, e);
            break;
        case IN_BOOL:
            if (!json_is_boolean(val)) {
                err_field(e, f->name, msg(r, f, "应为 true 或 false"));
                break;
            }
            v->num = json_is_true(val);
            v->present = 1;
            break;
        case IN_LIST: {
            size_t max = f->max > 0 ? (size_t)f->max : 32, i;
            json_t *item;
            if (!json_is_array(val)) {
                err_field(e, f->name, msg(r, f, "应为文本数组"));
                break;
            }
            if (json_array_size(val) > max) {
                err_field(e, f->name, msg(r, f, "项目太多"));
                break;
            }
            v->list = arena_alloc(r->arena, sizeof(char *) *
                                                (json_array_size(val) + 1));
            json_array_foreach(val, i, item)
            {
                if (!json_is_string(item) ||
                    !input_utf8_ok(json_string_value(item),
                                   json_string_length(item)) ||
                    json_string_length(item) > 200) {
                    err_field(e, f->name, msg(r, f, "的每一项都应为文本"));
                    break;
                }
                v->list[v->nlist++] =
                    trimmed(r->arena, json_string_value(item));
            }
            v->present = 1;
            break;
        }
        }
    }
    return err_isset(e) ? -1 : 0;
}

static int read_form(struct http_req *r, const struct input_field *spec,
                     struct input_value *vals, struct err *e)
{
    for (int i = 0; i < r->nform; i++) {
        const char *name = r->form[i].name;
        int known = strcmp(name, "_csrf") == 0;
        for (int k = 0; spec[k].name && !known; k++)
            known = strcmp(spec[k].name, name) == 0;
        if (!known)
            err_field(e, arena_strdup(r->arena, name), "不认识的字段，请删除");
    }
    for (int k = 0; spec[k].name; k++) {
        const struct input_field *f = &spec[k];
        struct input_value *v = &vals[k];
        if (f->type == IN_LIST) {
            int max = f->max > 0 ? f->max : 32;
            v->list = arena_alloc(r->arena, sizeof(char *) * (size_t)max);
            int n = http_form_all(r, f->name, v->list, max);
            for (int j = 0; j < n; j++)
                if (!input_utf8_ok(v->list[j], strlen(v->list[j])))
                    err_field(e, f->name, msg(r, f, "含有无效字符"));
            v->nlist = n;
            v->present = 1;
            continue;
        }
        const char *s = http_form(r, f->name);
        if (f->type == IN_BOOL) {
            v->num = s && (!strcmp(s, "1") || !strcmp(s, "on") ||
                           !strcmp(s, "true"));
            v->present = s != NULL;
            continue;
        }
        if (s == NULL)
            continue;
        if (f->type == IN_TEXT) {
            check_text(r, f, s, strlen(s), v, e);
        } else {
            int64_t n;
            const char *t = trimmed(r->arena, s);
            if (*t == '\0' && !f->required)
                continue;
            if (parse_int(t, &n))
                err_field(e, f->name, msg(r, f, "应为整数"));
            else
                check_int(r, f, n, v, e);
        }
    }
    return err_isset(e) ? -1 : 0;
}

int input_read(struct http_req *r, const struct input_field *spec,
               struct input_value *vals, struct err *e)
{
    int n = 0;
    while (spec[n].name)
        n++;
    memset(vals, 0, sizeof(*vals) * (size_t)n);
    if (r->json) {
        if (!json_is_object(r->json))
            return err_set(e, 400, "invalid",
                           "请求内容应为 JSON 对象，例如 {\"name\":\"…\"}");
        read_json(r, spec, vals, e);
    } else if (r->body_len > 0 && r->nform == 0 &&
               r->method != HTTP_GET) {
        return err_set(e, 400, "invalid",
                       "请求内容应为 JSON（Content-Type: application/json）"
                       "或表单");
    } else {
        read_form(r, spec, vals, e);
    }
    for (int k = 0; k < n; k++)
        if (spec[k].required && !vals[k].present)
            err_field(e, spec[k].name, msg(r, &spec[k], "不能为空"));
    /* a required text that came empty was reported by check_text; avoid a
     * second message for it: remove duplicates by field name */
    int w = 0;
    for (int i = 0; i < e->nfields; i++) {
        int dup = 0;
        for (int j = 0; j < w; j++)
            dup |= strcmp(e->fields[j].field, e->fields[i].field) == 0;
        if (!dup)
            e->fields[w++] = e->fields[i];
    }
    e->nfields = w;
    return err_isset(e) ? -1 : 0;
}
