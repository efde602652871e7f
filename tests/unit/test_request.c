/*
 * test_request.c - unit tests for src/web/request.c: UTF-8 checking,
 * percent-decoding, query strings and urlencoded forms, cookies,
 * multipart/form-data (fields, files, Chinese names, truncation and other
 * malformed bodies, bodies ending at the end of a mapping as spooled
 * uploads do) and the lookups handlers use.  Table-driven: each row
 * is an input and the expected fields written as "name=value|..." .
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "web/web.h"

/* "a=1|b=2" for a list of params (values shown as they are). */
static const char *show(struct arena *a, const struct http_param *p, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s=%s", i ? "|" : "", p[i].name, p[i].value);
    char *s = arena_strdup(a, b.ptr);
    buf_free(&b);
    return s;
}

static void test_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
        int ok;
    } rows[] = {
        {"", 0, 1},
        {"abc", 3, 1},
        {"督查督办", 12, 1},
        {"\xf0\x9f\x98\x80", 4, 1}, /* U+1F600 */
        {"\xc3\xa9", 2, 1},         /* é */
        {"a\0b", 3, 0},             /* NUL */
        {"\xff", 1, 0},
        {"\xc0\xaf", 2, 0},         /* overlong '/' */
        {"\xe0\x80\xaf", 3, 0},     /* overlong '/' */
        {"\xed\xa0\x80", 3, 0},     /* surrogate D800 */
        {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"\xe7\x9d", 2, 0},         /* truncated 督 */
        {"\xe7\x9d\xa3\xe5", 4, 0}, /* 督 then a cut one */
        {"\x80", 1, 0},             /* lone continuation */
        {"\xe7\x41\xa3", 3, 0},     /* bad continuation */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (request_utf8_ok(rows[i].s, rows[i].n) != rows[i].ok)
            fail_msg("utf8 row %zu", i);
}

static void test_decode(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int plus;
        const char *out;
    } rows[] = {
        {"a+b", 1, "a b"},
        {"a+b", 0, "a+b"},
        {"%E7%9D%A3%e6%9f%a5", 1, "督查"},
        {"100%", 1, "100%"},   /* a lone % stays */
        {"%zz%4", 1, "%zz%4"}, /* so do bad escapes */
        {"%2B%20%25", 1, "+ %"},
        {"", 1, ""},
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t n;
        const char *d =
            request_decode(a, rows[i].in, strlen(rows[i].in), rows[i].plus, &n);
        if (strcmp(d, rows[i].out) != 0 || n != strlen(rows[i].out))
            fail_msg("decode row %zu: got %s", i, d);
    }
    size_t n;
    const char *d = request_decode(a, "a%00b", 5, 1, &n);
    assert_int_equal(n, 3);
    assert_int_equal(d[1], '\0');
    arena_free(a);
}

static void test_urlencoded(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc;
        const char *want;
    } rows[] = {
        {"", 0, ""},
        {"a=1", 0, "a=1"},
        {"a=1&b=2", 0, "a=1|b=2"},
        {"a=1&&b=2&", 0, "a=1|b=2"},
        {"a", 0, "a="},
        {"a=", 0, "a="},
        {"=x&b=2", 0, "b=2"}, /* no name: dropped */
        {"a=1=2", 0, "a=1=2"},
        {"q=a+b%2Bc", 0, "q=a b+c"},
        {"%E5%90%8D=%E7%8E%8B%E5%BB%BA%E5%9B%BD", 0, "名=王建国"},
        {"k=v&k=w", 0, "k=v|k=w"},
        {"x=100%", 0, "x=100%"},
        {"x=%FF", -1, ""},    /* not UTF-8 */
        {"x=%C0%AF", -1, ""}, /* overlong */
        {"%FF=1", -1, ""},
        {"x=a%00b", -1, ""},           /* NUL */
        {"x=\xe7\x9d", -1, ""},        /* raw cut UTF-8 */
        {"x=\xe7\x9d\xa3", 0, "x=督"}, /* raw UTF-8 is fine */
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_param *p;
        int n;
        int rc =
            request_parse_urlencoded(a, rows[i].in, strlen(rows[i].in), &p, &n);
        if (rc != rows[i].rc)
            fail_msg("urlencoded row %zu: rc %d", i, rc);
        if (rc == 0 && strcmp(show(a, p, n), rows[i].want) != 0)
            fail_msg("urlencoded row %zu: got %s", i, show(a, p, n));
    }
    /* the field cap */
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < REQUEST_MAX_PARAMS; i++)
        buf_printf(&b, "f%d=%d&", i, i);
    struct http_param *p;
    int n;
    assert_int_equal(request_parse_urlencoded(a, b.ptr, b.len, &p, &n), 0);
    assert_int_equal(n, REQUEST_MAX_PARAMS);
    buf_puts(&b, "one=more");
    assert_int_equal(request_parse_urlencoded(a, b.ptr, b.len, &p, &n), -1);
    /* many empty pieces are not fields */
    buf_reset(&b);
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, '&');
    buf_puts(&b, "a=1");
    assert_int_equal(request_parse_urlencoded(a, b.ptr, b.len, &p, &n), 0);
    assert_int_equal(n, 1);
    buf_free(&b);
    arena_free(a);
}

static void test_cookies(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want;
    } rows[] = {
        {"", ""},
        {"sid=abc", "sid=abc"},
        {"sid=abc; flash=%E5%B7%B2", "sid=abc|flash=%E5%B7%B2"},
        {"  a = 1 ;b=2;;c", "a=1|b=2"},
        {"q=\"quoted\"", "q=quoted"},
        {"=nameless; x=1", "x=1"},
        {"a=; b=2", "a=|b=2"},
        {"a=1=2", "a=1=2"},
        {"\"", ""},
        {"a=\"", "a=\""},
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_param *p;
        int n;
        assert_int_equal(request_parse_cookies(a, rows[i].in, &p, &n), 0);
        if (strcmp(show(a, p, n), rows[i].want) != 0)
            fail_msg("cookie row %zu: got %s", i, show(a, p, n));
    }
    struct http_param *p;
    int n;
    assert_int_equal(request_parse_cookies(a, NULL, &p, &n), 0);
    assert_int_equal(n, 0);
    arena_free(a);
}

static void test_boundary(void **state)
{
    (void)state;
    static const struct {
        const char *ct;
        const char *want; /* NULL: none */
    } rows[] = {
        {"multipart/form-data; boundary=----WebKitXyz", "----WebKitXyz"},
        {"multipart/form-data; charset=utf-8; boundary=\"a b;c\"", "a b;c"},
        {"multipart/form-data; BOUNDARY=x", "x"},
        {"multipart/form-data", NULL},
        {"multipart/form-data; boundary=", NULL},
        {"multipart/form-data; boundary=\"unterminated", NULL},
        {"multipart/form-data; boundary=0123456789012345678901234567890123"
         "4567890123456789012345678901234567890",
         NULL}, /* 71 characters */
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *b = request_boundary(a, rows[i].ct);
        if ((b == NULL) != (rows[i].want == NULL) ||
            (b && strcmp(b, rows[i].want) != 0))
            fail_msg("boundary row %zu: got %s", i, b ? b : "(null)");
    }
    assert_null(request_boundary(a, NULL));
    arena_free(a);
}

#define CRLF "\r\n"
#define B "XyZ"

static void test_multipart(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int rc;
        const char *fields;
        const char *files; /* "field:filename:type:bytes|..." */
    } rows[] = {
        {"--" B CRLF "Content-Disposition: form-data; name=\"title\"" CRLF CRLF
         "关于督查的通知" CRLF "--" B "--" CRLF,
         0, "title=关于督查的通知", ""},
        /* two fields, a file with a Chinese name, the preamble/epilogue */
        {"preamble" CRLF "--" B CRLF
         "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "1" CRLF
         "--" B CRLF "content-disposition: form-data; name=\"doc\"; "
         "filename=\"通知.txt\"" CRLF "Content-Type: text/plain" CRLF CRLF
         "line1" CRLF "line2" CRLF "--" B CRLF
         "Content-Disposition: form-data; name=\"b\"" CRLF CRLF CRLF "--" B
         "--" CRLF "epilogue",
         0, "a=1|b=", "doc:通知.txt:text/plain:line1\r\nline2"},
        /* no file chosen: skipped; a path in the filename: cut */
        {"--" B CRLF
         "Content-Disposition: form-data; name=\"f\"; filename=\"\"" CRLF
         "Content-Type: application/octet-stream" CRLF CRLF CRLF "--" B CRLF
         "Content-Disposition: form-data; name=\"g\"; "
         "filename=\"C:\\\\dir\\\\a.pdf\"" CRLF CRLF "%PDF" CRLF "--" B "--",
         0, "", "g:a.pdf:application/octet-stream:%PDF"},
        /* RFC 5987 filename* */
        {"--" B CRLF
         "Content-Disposition: form-data; name=\"f\"; filename=\"x\"; "
         "filename*=UTF-8''%E5%85%AC%E6%96%87.docx" CRLF CRLF "D" CRLF "--" B
         "--",
         0, "", "f:公文.docx:application/octet-stream:D"},
        /* binary file bytes are kept as they are */
        {"--" B CRLF
         "Content-Disposition: form-data; name=\"bin\"; filename=\"b\"" CRLF
             CRLF "\xff\xfe" CRLF "--" B "--",
         0, "", "bin:b:application/octet-stream:\xff\xfe"},
        /* a quoted name holding ';' and an escaped quote */
        {"--" B CRLF
         "Content-Disposition: form-data; name=\"a;\\\"b\"" CRLF CRLF "v" CRLF
         "--" B "--",
         0, "a;\"b=v", ""},
        /* transport padding after the boundary */
        {"--" B "  " CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
         "v" CRLF "--" B "--",
         0, "a=v", ""},
        /* an empty body with only the close delimiter */
        {"--" B "--" CRLF, 0, "", ""},
        /* malformed */
        {"", -1, "", ""},
        {"no delimiter at all", -1, "", ""},
        {"--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
         "truncated",
         -1, "", ""},
        {"--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
         "v" CRLF "--" B,
         -1, "", ""}, /* ends right after a delimiter */
        {"--" B CRLF "Content-Disposition: form-data; name=\"a\"", -1, "",
         ""}, /* headers never end */
        {"--" B CRLF "Content-Disposition: attachment; name=\"a\"" CRLF CRLF
         "v" CRLF "--" B "--",
         -1, "", ""},
        {"--" B CRLF "Content-Disposition: form-data" CRLF CRLF "v" CRLF "--" B
         "--",
         -1, "", ""}, /* no name */
        {"--" B CRLF "Content-Type: text/plain" CRLF CRLF "v" CRLF "--" B "--",
         -1, "", ""}, /* no disposition */
        {"--" B CRLF "Bad header line" CRLF CRLF "v" CRLF "--" B "--", -1, "",
         ""},
        {"--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
         "\xff" CRLF "--" B "--",
         -1, "", ""}, /* a text field that is not UTF-8 */
        {"--" B CRLF "Content-Disposition: form-data; name=\"\xff\"" CRLF CRLF
         "v" CRLF "--" B "--",
         -1, "", ""},
        {"--" B "garbage" CRLF, -1, "", ""},
        {"--" B CRLF "Content-Disposition: form-data; name=\"a" CRLF CRLF
         "v" CRLF "--" B "--",
         -1, "", ""}, /* unterminated quote: no name */
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_param *f;
        struct http_file *fi;
        int nf, nfi;
        size_t len = strlen(rows[i].body);
        int rc = request_parse_multipart(a, rows[i].body, len, B, &f, &nf, &fi,
                                         &nfi);
        if (rc != rows[i].rc)
            fail_msg("multipart row %zu: rc %d", i, rc);
        if (rc < 0) {
            assert_int_equal(nf, 0);
            assert_int_equal(nfi, 0);
            continue;
        }
        if (strcmp(show(a, f, nf), rows[i].fields) != 0)
            fail_msg("multipart row %zu: fields %s", i, show(a, f, nf));
        struct buf b;
        buf_init(&b, 0);
        for (int k = 0; k < nfi; k++) {
            buf_printf(&b, "%s%s:%s:%s:", k ? "|" : "", fi[k].field,
                       fi[k].filename, fi[k].content_type);
            buf_append(&b, fi[k].data, fi[k].len);
        }
        if (strcmp(b.ptr, rows[i].files) != 0)
            fail_msg("multipart row %zu: files %s", i, b.ptr);
        buf_free(&b);
    }
    /* a NUL in a text field */
    static const char nul[] =
        "--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
        "a\0b" CRLF "--" B "--";
    struct http_param *f;
    struct http_file *fi;
    int nf, nfi;
    assert_int_equal(
        request_parse_multipart(a, nul, sizeof(nul) - 1, B, &f, &nf, &fi, &nfi),
        -1);
    /* a bad boundary */
    assert_int_equal(
        request_parse_multipart(a, "--x--", 5, "", &f, &nf, &fi, &nfi), -1);
    assert_int_equal(
        request_parse_multipart(a, "--x--", 5, NULL, &f, &nf, &fi, &nfi), -1);
    arena_free(a);
}

/* Every prefix of a good body is refused or parsed, never read past. */
static void test_multipart_truncated(void **state)
{
    (void)state;
    static const char body[] =
        "--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
        "甲" CRLF "--" B CRLF
        "Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"" CRLF
            CRLF "0123" CRLF "--" B "--" CRLF;
    size_t full = sizeof(body) - 1;
    int ok = 0;
    for (size_t n = 0; n <= full; n++) {
        struct arena *a = arena_new();
        char *copy = arena_alloc(a, n ? n : 1); /* exact size for ASan */
        memcpy(copy, body, n);
        struct http_param *f;
        struct http_file *fi;
        int nf, nfi;
        int rc = request_parse_multipart(a, copy, n, B, &f, &nf, &fi, &nfi);
        if (rc == 0) {
            ok++;
            assert_int_equal(nf, 1);
            assert_int_equal(nfi, 1);
        }
        arena_free(a);
    }
    /* complete from the closing "--" on: with and without the final CRLF */
    assert_int_equal(ok, 3);
}

/* Spooled uploads are parsed from a file mapping: every prefix of a body
 * ending flush against an unreadable page is parsed or refused without a
 * read past its end (a read there would fault). */
static void test_multipart_page_end(void **state)
{
    (void)state;
    static const char body[] =
        "--" B CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF
        "甲" CRLF "--" B CRLF
        "Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"" CRLF
            CRLF "0123" CRLF "--" B "--";
    size_t full = sizeof(body) - 1;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(mprotect(m + page, page, PROT_NONE), 0);
    int ok = 0;
    for (size_t n = 0; n <= full; n++) {
        struct arena *a = arena_new();
        char *at = m + page - n;
        memcpy(at, body, n);
        struct http_param *f;
        struct http_file *fi;
        int nf, nfi;
        if (request_parse_multipart(a, at, n, B, &f, &nf, &fi, &nfi) == 0) {
            ok++;
            assert_int_equal(nfi, 1);
            assert_memory_equal(fi[0].data, "0123", 4);
        }
        arena_free(a);
    }
    assert_int_equal(ok, 1); /* only the whole body */
    munmap(m, 2 * page);
}

static void test_lookups(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_req r;
    request_init(&r, NULL, a);
    assert_int_equal(r.reply_fd, -1);
    request_parse_urlencoded(a, "q=1&next=%2Fdocs%3Fa%3D1", 24, &r.query,
                             &r.nquery);
    request_parse_urlencoded(a, "tag=a&tag=b&name=x", 18, &r.form, &r.nform);
    static struct http_param headers[] = {
        {"Content-Type", "text/plain"},
        {"X-CSRF-Token", "t"},
    };
    r.headers = headers;
    r.nheaders = 2;
    request_parse_cookies(a, "sid=s1; flash=f", &r.cookies, &r.ncookies);

    assert_string_equal(http_query(&r, "q"), "1");
    assert_null(http_query(&r, "Q"));
    assert_string_equal(http_form(&r, "tag"), "a");
    const char *tags[4];
    assert_int_equal(http_form_all(&r, "tag", tags, 4), 2);
    assert_string_equal(tags[1], "b");
    assert_int_equal(http_form_all(&r, "tag", tags, 1), 1);
    assert_string_equal(http_header(&r, "content-type"), "text/plain");
    assert_string_equal(http_header(&r, "x-csrf-token"), "t");
    assert_null(http_header(&r, "Cookie"));
    assert_string_equal(http_cookie(&r, "sid"), "s1");
    assert_null(http_cookie(&r, "SID"));
    assert_null(http_param(&r, "id"));
    assert_null(http_file(&r, "doc"));

    /* next: only local paths */
    static const struct {
        const char *next;
        const char *want;
    } rows[] = {
        {"%2Fdocs%3Fa%3D1", "/docs?a=1"}, {"%2F%2Fevil.example", "/"},
        {"%2F%5Cevil.example", "/"},      {"https%3A%2F%2Fevil.example", "/"},
        {"%2Fa%0D%0ASet-Cookie", "/"},    {"", "/"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *q = arena_printf(a, "next=%s", rows[i].next);
        request_parse_urlencoded(a, q, strlen(q), &r.query, &r.nquery);
        if (strcmp(http_next_url(&r), rows[i].want) != 0)
            fail_msg("next row %zu: got %s", i, http_next_url(&r));
    }
    r.nquery = 0;
    assert_string_equal(http_next_url(&r), "/");

    r.path = "/api/v1/units";
    assert_true(http_is_api(&r));
    r.path = "/api";
    assert_true(http_is_api(&r));
    r.path = "/apix";
    assert_false(http_is_api(&r));
    r.path = "/admin/units";
    assert_false(http_is_api(&r));

    assert_int_equal(request_method("GET"), HTTP_GET);
    assert_int_equal(request_method("DELETE"), HTTP_DELETE);
    assert_int_equal(request_method("get"), 0);
    assert_int_equal(request_method("OPTIONS"), 0);
    assert_int_equal(request_method(NULL), 0);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_urlencoded),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_multipart_truncated),
        cmocka_unit_test(test_multipart_page_end),
        cmocka_unit_test(test_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
