/* csv.c - see csv.h. */
#include "base/csv.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

void csv_init(struct csv *c, const char *data, size_t len, size_t cell_max)
{
    c->p = data;
    c->end = data + len;
    c->line = 1;
    buf_init(&c->cell, cell_max);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
}

void csv_free(struct csv *c)
{
    buf_free(&c->cell);
}

static void csv_eol(struct csv *c)
{
    if (c->p < c->end && *c->p == '\r')
        c->p++;
    if (c->p < c->end && *c->p == '\n')
        c->p++;
    c->line++;
}

static void csv_skip_line(struct csv *c)
{
    while (c->p < c->end && *c->p != '\r' && *c->p != '\n')
        c->p++;
    if (c->p < c->end)
        csv_eol(c);
}

/* Spaces, tabs and U+3000 trimmed at both ends. */
static const char *csv_trim(struct arena *a, const char *s, size_t n)
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
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    return arena_strndup(a, s, n);
}

/* A quoted cell, the opening quote consumed; 0, or -1 with *why. */
static int csv_quoted(struct csv *c, const char **why)
{
    for (;;) {
        if (c->p >= c->end) {
            *why = "引号没有闭合";
            return -1;
        }
        char ch = *c->p++;
        if (ch == '"') {
            if (c->p < c->end && *c->p == '"')
                c->p++;
            else
                break;
        } else if (ch == '\n' ||
                   (ch == '\r' && !(c->p < c->end && *c->p == '\n'))) {
            c->line++;
        }
        if (ch == '\0' || buf_putc(&c->cell, ch) != 0) {
            *why = ch == '\0' ? "含有空字符，不是文本文件" : "单元格内容过长";
            csv_skip_line(c);
            return -1;
        }
    }
    if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
        *why = "引号之后只能是逗号或换行";
        csv_skip_line(c);
        return -1;
    }
    return 0;
}

/* An unquoted cell; 0, or -1 with *why. */
static int csv_bare(struct csv *c, const char **why)
{
    while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
        char ch = *c->p;
        if (ch == '"' || ch == '\0' || buf_putc(&c->cell, ch) != 0) {
            *why = ch == '"'    ? "含引号的单元格须整体用引号括起，"
                                  "其中的引号写成两个引号"
                   : ch == '\0' ? "含有空字符，不是文本文件"
                                : "单元格内容过长";
            csv_skip_line(c);
            return -1;
        }
        c->p++;
    }
    return 0;
}

int csv_record(struct csv *c, struct arena *a, const char **cells, int max,
               int *n, int *line, const char **why)
{
    *n = 0;
    *why = NULL;
    if (c->p >= c->end)
        return 0;
    *line = c->line;
    for (;;) {
        int quoted = c->p < c->end && *c->p == '"';
        buf_reset(&c->cell);
        if (quoted)
            c->p++;
        if (quoted ? csv_quoted(c, why) : csv_bare(c, why))
            return 1;
        if (*n >= max) {
            *why = "列数过多";
            csv_skip_line(c);
            return 1;
        }
        cells[(*n)++] = quoted ? arena_strndup(a, c->cell.ptr, c->cell.len)
                               : csv_trim(a, c->cell.ptr, c->cell.len);
        if (c->p >= c->end)
            return 1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        csv_eol(c);
        return 1;
    }
}

/* Checks s[0..n) as UTF-8 (well-formed: no overlong forms, surrogates or
 * code points beyond U+10FFFF): returns the offset of the first invalid byte
 * (or NUL), n when it is all valid; *multi counts the valid multi-byte
 * sequences before it. */
static size_t csv_utf8_scan(const char *s, size_t n, size_t *multi)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    *multi = 0;
    while (p < end) {
        unsigned ch = *p;
        size_t k;
        if (ch == 0)
            break;
        if (ch < 0x80)
            k = 0;
        else if (ch >= 0xC2 && ch <= 0xDF)
            k = 1;
        else if ((ch & 0xF0) == 0xE0)
            k = 2;
        else if (ch >= 0xF0 && ch <= 0xF4)
            k = 3;
        else
            break;
        if ((size_t)(end - p) <= k)
            break;
        size_t i;
        for (i = 1; i <= k; i++)
            if ((p[i] & 0xC0) != 0x80)
                break;
        if (i <= k)
            break;
        /* the second byte rules out overlong forms, surrogates
         * (U+D800..DFFF) and code points beyond U+10FFFF */
        if ((ch == 0xE0 && p[1] < 0xA0) || (ch == 0xED && p[1] > 0x9F) ||
            (ch == 0xF0 && p[1] < 0x90) || (ch == 0xF4 && p[1] > 0x8F))
            break;
        *multi += k > 0;
        p += k + 1;
    }
    return (size_t)(p - (const unsigned char *)s);
}

int csv_to_utf8(struct arena *a, const char *data, size_t len,
                const char **out, size_t *outlen, int *line,
                const char **why)
{
    int rc = -1;
    iconv_t cd = (iconv_t)-1;
    size_t multi, bad;
    *why = NULL;
    if (line)
        *line = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    bad = csv_utf8_scan(data, len, &multi);
    if (bad == len) {
        *out = arena_strndup(a, data, len);
        *outlen = len;
        return 0;
    }
    if (multi > 0 || memchr(data, '\0', len) != NULL) {
        int n = 1;
        for (size_t i = 0; i < bad; i++)
            n += data[i] == '\n';
        if (line)
            *line = n;
        *why = data[bad] == '\0' ? "含有空字符，不是文本文件"
                                 : "含有无效字符：文件须为UTF-8编码"
                                   "（Excel 请另存为“CSV UTF-8”）";
        return -1;
    }
    cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        *why = "无法转换GB18030编码，请另存为UTF-8编码的CSV文件";
        goto out;
    }
    /* a GB18030 character of 1-4 bytes is at most 4 bytes of UTF-8 */
    size_t cap = len * 2 + 4, left = cap;
    char *buf = arena_alloc(a, cap + 1), *o = buf;
    char *in = (char *)data;
    size_t inleft = len;
    if (iconv(cd, &in, &inleft, &o, &left) == (size_t)-1) {
        *why = errno == E2BIG ? "文件过大"
                              : "文件既不是UTF-8编码也不是GB18030编码，"
                                "请在Excel中另存为“CSV UTF-8”";
        goto out;
    }
    *o = '\0';
    *out = buf;
    *outlen = (size_t)(o - buf);
    rc = 0;
out:
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    return rc;
}
