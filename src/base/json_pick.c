/*
 * json_pick.c - some members of a JSON object without parsing the rest
 * (json_pick.h).
 */
#include "base/json_pick.h"

#include <string.h>

/* Limits how deep a skipped value may nest before the text is refused (a
 * stored case is two levels deep; jansson itself stops at 2048). */
#define JSON_PICK_MAX_DEPTH 2048

static const char *pick_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* p at the opening quote: the byte after the closing one, or NULL. */
static const char *pick_string_end(const char *p)
{
    for (p++;;) {
        p += strcspn(p, "\\\""); /* long texts: glibc's vector scan */
        if (*p == '"')
            return p + 1;
        if (*p == '\0' || *++p == '\0') /* a backslash escapes the next */
            return NULL;
        p++;
    }
}

/* p at a value: the byte after it, or NULL when it does not end. */
static const char *pick_value_end(const char *p)
{
    int depth = 0;
    if (*p == '"')
        return pick_string_end(p);
    for (; *p; p++) {
        switch (*p) {
        case '"':
            if ((p = pick_string_end(p)) == NULL)
                return NULL;
            p--;
            break;
        case '{':
        case '[':
            if (++depth > JSON_PICK_MAX_DEPTH)
                return NULL;
            break;
        case '}':
        case ']':
            if (depth == 0)
                return p; /* the end of the object holding a scalar */
            if (--depth == 0)
                return p + 1;
            break;
        case ',':
            if (depth == 0)
                return p;
            break;
        default:
            break;
        }
    }
    return depth == 0 ? p : NULL;
}

/* The wanted key equal to the raw member name [s, e) (between quotes), or
 * NULL.  A name with escapes is decoded by jansson first. */
static const char *pick_wanted(const char *s, const char *e,
                               const char *const *keys)
{
    size_t n = (size_t)(e - s);
    json_t *name = NULL;
    const char *k = NULL;

    if (memchr(s, '\\', n) != NULL) {
        name = json_loadb(s - 1, n + 2, JSON_DECODE_ANY, NULL);
        if (!json_is_string(name)) {
            json_decref(name);
            return NULL;
        }
        s = json_string_value(name);
        n = json_string_length(name);
    }
    for (const char *const *w = keys; *w != NULL; w++)
        if (strlen(*w) == n && memcmp(*w, s, n) == 0) {
            k = *w;
            break;
        }
    json_decref(name);
    return k;
}

/* The value [v, e) made without jansson's parser when it is a string with
 * no escape and no control character, or an integer of up to 18 digits
 * (most of a case's members); NULL for anything else, which the caller
 * hands to json_loadb.  Setting up jansson's parser for each of a list's
 * few hundred picked values cost more than the values themselves. */
static json_t *pick_simple(const char *v, const char *e)
{
    while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
                     e[-1] == '\r'))
        e--;
    if (*v == '"') {
        if (e - v < 2 || e[-1] != '"')
            return NULL;
        for (const char *p = v + 1; p < e - 1; p++)
            if (*p == '\\' || (unsigned char)*p < 0x20)
                return NULL;
        return json_stringn(v + 1, (size_t)(e - v - 2)); /* NULL: not UTF-8 */
    }
    const char *p = v;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p == e || e - p > 18 || (*p == '0' && e - p > 1))
        return NULL;
    json_int_t n = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return NULL;
        n = n * 10 + (*p - '0');
    }
    return json_integer(neg ? -n : n);
}

json_t *json_pick(const char *text, const char *const *keys)
{
    const char *p = pick_ws(text), *name, *name_end, *v, *v_end;
    json_t *out;

    if (*p != '{')
        return NULL;
    out = json_object();
    p = pick_ws(p + 1);
    if (*p == '}')
        return out;
    for (;;) {
        if (*p != '"' || (name_end = pick_string_end(p)) == NULL)
            goto bad;
        name = p + 1;
        p = pick_ws(name_end);
        if (*p != ':')
            goto bad;
        v = pick_ws(p + 1);
        if ((v_end = pick_value_end(v)) == NULL || v_end == v)
            goto bad;
        const char *key = pick_wanted(name, name_end - 1, keys);
        if (key != NULL) {
            json_t *val = pick_simple(v, v_end);
            if (val == NULL)
                val = json_loadb(v, (size_t)(v_end - v), JSON_DECODE_ANY,
                                 NULL);
            if (val == NULL)
                goto bad;
            json_object_set_new(out, key, val);
        }
        p = pick_ws(v_end);
        if (*p == '}')
            return out;
        if (*p != ',')
            goto bad;
        p = pick_ws(p + 1);
    }
bad:
    json_decref(out);
    return NULL;
}
