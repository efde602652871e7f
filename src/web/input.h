/*
 * input.h - declared inputs: a handler names the fields it accepts (name,
 * type, required, length cap, Chinese label) and reads them through this
 * file, from a JSON object body or from a form, whichever came.
 *
 * input_read() refuses, with a 400 and a Chinese message per field, any
 * field that is unknown, of the wrong type, too long, not valid UTF-8, or
 * missing while required.  Nothing reaches the handler's logic unchecked
 * (Kore's "declared parameters"; STYLE.md rule 11).
 */
#ifndef SHUNIU_INPUT_H
#define SHUNIU_INPUT_H

#include <stdint.h>

#include "base/err.h"
#include "web/http.h"

enum input_type {
    IN_TEXT,    /* JSON string; form text */
    IN_INT,     /* JSON integer; form decimal digits */
    IN_BOOL,    /* JSON true/false; form "1"/"on"/"true" or absent */
    IN_LIST,    /* JSON array of strings; repeated form field */
};

struct input_field {
    const char *name;
    enum input_type type;
    int required;
    int max;          /* IN_TEXT: bytes (0 = 1000); IN_INT: maximum value;
                         IN_LIST: items (0 = 32) */
    const char *label;/* Chinese, for messages: "单位名称" */
    int min;          /* IN_INT: minimum value */
};

struct input_value {
    int present;
    const char *text;     /* IN_TEXT (trimmed of surrounding spaces) */
    int64_t num;          /* IN_INT, IN_BOOL */
    int nlist;            /* IN_LIST */
    const char **list;
};

/* Reads the request's JSON body (or form) against spec, which ends with a
 * zeroed entry; vals has one slot per spec entry.  Form-only fields "_csrf"
 * are ignored.  0 ok; -1 with e filled. */
int input_read(struct http_req *r, const struct input_field *spec,
               struct input_value *vals, struct err *e);

/* 1 when s is valid UTF-8 without NUL or control characters other than
 * tab, CR and LF. */
int input_utf8_ok(const char *s, size_t len);

#endif
