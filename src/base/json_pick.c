/*
 * json_pick.c - some members of a JSON object without parsing the rest
 * (json_pick.h).
 */
#include "base/json_pick.h"

#include <stdlib.h>
#include <string.h>

/* Limits how deep a value may nest before the text is refused (a stored
 * case is two levels deep).  jansson stops at 2048 levels counting the
 * object itself, so a member's value may have one fewer: parsed alone by
 * json_loadb it would pass where the whole text does not. */
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
            if (++depth >= JSON_PICK_MAX_DEPTH)
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

static json_t *pick_array(const char *v, const char *e);

/* The string [v, e) (quotes included) with the escapes of one character
 * (\n, \", \\ ...) decoded, or NULL: a \u escape, a control character,
 * or bytes that are not UTF-8 (json_stringn checks) are left to jansson. */
static json_t *pick_string(const char *v, const char *e)
{
    char small[512], *out = small;
    size_t n = 0;
    json_t *j = NULL;
    if (e - v < 2 || *v != '"' || e[-1] != '"')
        return NULL;
    if ((size_t)(e - v) > sizeof(small) &&
        (out = malloc((size_t)(e - v))) == NULL)
        return NULL;
    for (const char *p = v + 1; p < e - 1; p++) {
        char c = *p;
        if ((unsigned char)c < 0x20)
            goto done;
        if (c == '\\') {
            if (++p >= e - 1)
                goto done;
            switch (*p) {
            case '"':
                c = '"';
                break;
            case '\\':
                c = '\\';
                break;
            case '/':
                c = '/';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default:
                goto done; /* \u, or not an escape */
            }
        }
        out[n++] = c;
    }
    j = json_stringn(out, n); /* NULL: not UTF-8 */
done:
    if (out != small)
        free(out);
    return j;
}

/* The value [v, e) made without jansson's parser when it is a string
 * (pick_string), an integer of up to 18 digits, true, false, null, or an
 * array of those (most of a case's members); NULL for anything else,
 * which the caller hands to json_loadb.  Setting up jansson's parser for
 * each of a list's few hundred picked values cost more than the values
 * themselves. */
static json_t *pick_simple(const char *v, const char *e)
{
    while (e > v &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    switch (*v) {
    case '"':
        return pick_string(v, e);
    case 't':
        return e - v == 4 && memcmp(v, "true", 4) == 0 ? json_true() : NULL;
    case 'f':
        return e - v == 5 && memcmp(v, "false", 5) == 0 ? json_false() : NULL;
    case 'n':
        return e - v == 4 && memcmp(v, "null", 4) == 0 ? json_null() : NULL;
    case '[':
        return pick_array(v, e);
    default:
        break;
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

/* The array [v, e) of simple values, not nested (an array in it: NULL). */
static json_t *pick_array(const char *v, const char *e)
{
    const char *p = pick_ws(v + 1);
    json_t *a = json_array();
    if (e[-1] != ']')
        goto bad;
    if (p == e - 1)
        return a;
    for (;;) {
        const char *ve;
        json_t *item;
        if (*p == '[' || (ve = pick_value_end(p)) == NULL || ve == p ||
            ve > e - 1 || (item = pick_simple(p, ve)) == NULL)
            goto bad;
        if (json_array_append_new(a, item) != 0)
            goto bad;
        p = pick_ws(ve);
        if (p == e - 1)
            return a;
        if (*p != ',')
            goto bad;
        p = pick_ws(p + 1);
    }
bad:
    json_decref(a);
    return NULL;
}

/* Sets the member named by the raw name [s, e) (between quotes) in out,
 * decoding the name when it has escapes or a control character (which
 * jansson refuses, as a full parse does).  Takes val; -1 when the name is
 * not a JSON string of UTF-8. */
static int pick_set_raw(json_t *out, const char *s, const char *e, json_t *val)
{
    size_t n = (size_t)(e - s);
    int rc, plain = 1;
    for (const char *p = s; p < e && plain; p++)
        plain = *p != '\\' && (unsigned char)*p >= 0x20;
    if (plain) /* not UTF-8: refused by jansson here as in a full parse */
        return json_object_setn_new(out, s, n, val);
    json_t *name = json_loadb(s - 1, n + 2, JSON_DECODE_ANY, NULL);
    if (!json_is_string(name)) {
        json_decref(name);
        json_decref(val);
        return -1;
    }
    rc = json_object_setn_new(out, json_string_value(name),
                              json_string_length(name), val);
    json_decref(name);
    return rc;
}

/* keys NULL: every member (json_pick_all). */
static json_t *pick(const char *text, const char *const *keys)
{
    const char *p = pick_ws(text), *name, *name_end, *v, *v_end;
    json_t *out;

    if (*p != '{')
        return NULL;
    out = json_object();
    p = pick_ws(p + 1);
    if (*p == '}') {
        if (keys == NULL && *pick_ws(p + 1) != '\0')
            goto bad;
        return out;
    }
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
        const char *key =
            keys != NULL ? pick_wanted(name, name_end - 1, keys) : NULL;
        if (keys == NULL || key != NULL) {
            json_t *val = pick_simple(v, v_end);
            if (val == NULL)
                val = json_loadb(v, (size_t)(v_end - v), JSON_DECODE_ANY, NULL);
            if (val == NULL)
                goto bad;
            if (key != NULL) /* the caller's names: UTF-8 */
                json_object_set_new_nocheck(out, key, val);
            else if (pick_set_raw(out, name, name_end - 1, val) != 0)
                goto bad;
        }
        p = pick_ws(v_end);
        if (*p == '}') {
            /* the whole text, as jansson reads it: nothing after */
            if (keys == NULL && *pick_ws(p + 1) != '\0')
                goto bad;
            return out;
        }
        if (*p != ',')
            goto bad;
        p = pick_ws(p + 1);
    }
bad:
    json_decref(out);
    return NULL;
}

json_t *json_pick(const char *text, const char *const *keys)
{
    static const char *const none[] = {NULL};
    return pick(text, keys != NULL ? keys : none);
}

json_t *json_pick_all(const char *text)
{
    return pick(text, NULL);
}
