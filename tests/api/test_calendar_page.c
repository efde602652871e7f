/*
 * test_calendar_page.c - the working-day calendar page (/admin/calendar)
 * as a browser without JavaScript uses it: 2026 with its notice and the
 * 休/班 marks in the month grids, today marked, a year not yet published
 * said so, 403 for a business role, CSRF on the import form, a refused
 * text listed line by line with nothing imported and the text kept, and
 * a year imported through the text box (then amended through a file
 * upload) shown with its notice and audited.
 *
 * Every client signs in through POST /login, so each write carries the
 * _csrf field read from a page, as a browser's form would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_server.h"

/* A made-up 2027 (the real notice is not out): 放假 3 + 9 + 7 = 19 天,
 * 调休上班 3 天. */
static const char year_2027[] = "# 2027年部分节假日安排（测试用）\n"
                                "year 2027 国办发明电〔2026〕9号\n"
                                "off  2027-01-01 2027-01-03  元旦\n"
                                "off  2027-02-06 2027-02-14  春节\n"
                                "work 2027-02-20             春节调休上班\n"
                                "work 2027-09-26             国庆节调休上班\n"
                                "off  2027-10-01 2027-10-07  国庆节\n"
                                "work 2027-10-09             国庆节调休上班\n";

/* Line 3: a Wednesday is no 调休上班 day; line 4: outside its year. */
static const char bad_2027[] = "year 2027 国办发明电〔2026〕9号\n"
                               "off  2027-01-01 2027-01-03  元旦\n"
                               "work 2027-02-17 春节<调休>上班\n"
                               "off  2028-10-01 国庆节\n";

static int form_login(struct client *c, enum srv_account_id who, struct resp *r)
{
    char *l = url_encode(srv_accounts[who].login);
    char *p = url_encode(srv_accounts[who].password);
    char body[1024];
    snprintf(body, sizeof(body), "login=%s&password=%s", l, p);
    free(l);
    free(p);
    return http_form(c, "/login", body, r);
}

static struct client *signed_in(struct srv *s, enum srv_account_id who)
{
    struct client *c = client_new(s);
    struct resp r = {0};
    assert_int_equal(form_login(c, who, &r), 303);
    resp_free(&r);
    return c;
}

/* The _csrf value of the forms on /account (malloc'd). */
static char *page_csrf(struct client *c)
{
    static const char mark[] = "name=\"_csrf\" value=\"";
    struct resp r = {0};
    assert_int_equal(http_do(c, "GET", "/account", NULL, &r), 200);
    const char *p = strstr(r.body, mark);
    if (p == NULL)
        fail_msg("no _csrf field on /account");
    p += strlen(mark);
    const char *q = strchr(p, '"');
    assert_non_null(q);
    char *token = strndup(p, (size_t)(q - p));
    resp_free(&r);
    return token;
}

/* POSTs the import form with text in the box (urlencoded, as a browser
 * sends a form without a file), with the page's _csrf when csrf. */
static int post_text(struct client *c, const char *text, int csrf,
                     struct resp *r)
{
    char *token = csrf ? page_csrf(c) : strdup("");
    char *t = url_encode(text);
    size_t n = strlen(t) + strlen(token) + 64;
    char *body = malloc(n);
    if (csrf)
        snprintf(body, n, "_csrf=%s&year=2027&text=%s", token, t);
    else
        snprintf(body, n, "year=2027&text=%s", t);
    int status = http_form(c, "/admin/calendar/import", body, r);
    free(body);
    free(t);
    free(token);
    return status;
}

/* POSTs the import form as multipart/form-data with an empty box and
 * file_text as the uploaded file. */
static int post_file(struct client *c, const char *file_text, struct resp *r)
{
    static const char boundary[] = "----shuniu-calendar-test";
    char *token = page_csrf(c);
    size_t n = strlen(file_text) + strlen(token) + 1024;
    char *body = malloc(n);
    int len = snprintf(
        body, n,
        "--%s\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n"
        "--%s\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\r\n"
        "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"2027.txt\"\r\nContent-Type: text/plain\r\n\r\n%s\r\n"
        "--%s--\r\n",
        boundary, token, boundary, boundary, file_text, boundary);
    char ct[128];
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
    int status = http_raw(c, "POST", "/admin/calendar/import", ct, body,
                          (size_t)len, NULL, 0, r);
    free(body);
    free(token);
    return status;
}

/* The HTML of the grid cell of date ("2026-10-01") on a calendar page,
 * from its id to its </td> (malloc'd); fails the test when absent. */
static char *cell(const char *body, const char *date)
{
    char id[32];
    snprintf(id, sizeof(id), "id=\"d-%s\"", date);
    const char *p = strstr(body, id);
    if (p == NULL)
        fail_msg("no grid cell for %s", date);
    const char *q = strstr(p, "</td>");
    assert_non_null(q);
    return strndup(p, (size_t)(q - p));
}

static void assert_cell(const char *body, const char *date, const char *cls,
                        const char *mark)
{
    char *html = cell(body, date);
    if (cls)
        assert_contains(html, cls);
    if (mark)
        assert_contains(html, mark);
    else if (strstr(html, "cal-mark"))
        fail_msg("%s has a mark: %s", date, html);
    free(html);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The number of calendar.import audit records (as the auditor sees). */
static json_int_t audited_imports(struct srv *s)
{
    struct client *a = client_new(s);
    struct resp r = {0};
    assert_int_equal(client_login_as(a, SRV_AUDITOR), 200);
    assert_int_equal(
        http_do(a, "GET", "/api/v1/audit?action=calendar.import", NULL, &r),
        200);
    json_int_t n = resp_int(&r, "total", -1);
    resp_free(&r);
    client_free(a);
    return n;
}

static void test_year_2026(void **state)
{
    struct srv *s = *state;
    struct client *c = signed_in(s, SRV_SYSADMIN);
    struct resp r = {0};

    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2026", NULL, &r),
                     200);
    assert_contains(r.body, "<h1>工作日历 · 2026年</h1>");
    assert_contains(r.body, "国办发明电〔2025〕7号");
    assert_contains(r.body, "href=\"/admin/calendar\""); /* navigation */
    /* twelve month grids as tables, Monday first */
    assert_int_equal(count(r.body, "<table class=\"cal-month\">"), 12);
    assert_contains(r.body, "<caption>2026年10月</caption>");
    /* 国庆: 10-01 (Thursday) 休, 10-03 (Saturday) 休 too, 10-10
     * (Saturday) 班; an ordinary Saturday grey without a mark; an ordinary
     * Monday plain */
    assert_cell(r.body, "2026-10-01", "class=\"off\"", ">休</b>");
    assert_cell(r.body, "2026-10-01", NULL, "国庆节 放假");
    assert_cell(r.body, "2026-10-03", "off", ">休</b>");
    assert_cell(r.body, "2026-10-10", "class=\"wk\"", ">班</b>");
    assert_cell(r.body, "2026-10-10", NULL, "国庆节调休上班");
    assert_cell(r.body, "2026-10-17", "class=\"we\"", NULL);
    assert_cell(r.body, "2026-10-12", NULL, NULL);
    /* the arrangements listed, and the year's figures */
    assert_contains(r.body, "2026-10-01 至 2026-10-07");
    assert_contains(r.body, "2026-10-10（星期六）");
    assert_contains(r.body, "放假 33 天，调休上班 6 天");
    /* the years known; 2027 not yet published */
    assert_contains(r.body, "<a href=\"/admin/calendar?year=2024\"");
    assert_contains(r.body, "未公布（按周一至周五计算）");
    /* the import form with its token and its help */
    assert_contains(r.body, "action=\"/admin/calendar/import\"");
    assert_contains(r.body, "name=\"_csrf\" value=\"");
    assert_contains(r.body, "<textarea id=\"cal-text\" name=\"text\"");

    /* this year (the default) has today marked, once */
    assert_int_equal(http_do(c, "GET", "/admin/calendar", NULL, &r), 200);
    assert_int_equal(count(r.body, "aria-current=\"date\""), 1);
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2026", NULL, &r),
                     200);

    /* a year without a notice says so */
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2027", NULL, &r),
                     200);
    assert_contains(r.body, "2027年节假日安排未公布（按周一至周五计算）");
    assert_cell(r.body, "2027-10-01", NULL, NULL);
    /* a year that is no year */
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=abc", NULL, &r),
                     400);
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=20270", NULL, &r),
                     400);

    resp_free(&r);
    client_free(c);
}

static void test_staff_gets_403(void **state)
{
    struct srv *s = *state;
    struct client *c = signed_in(s, SRV_STAFF);
    struct resp r = {0};

    assert_int_equal(http_do(c, "GET", "/admin/calendar", NULL, &r), 403);
    assert_contains(r.body, "没有权限");
    /* with a valid token of its own, still refused */
    assert_int_equal(post_text(c, year_2027, 1, &r), 403);
    assert_int_equal(http_do(c, "GET", "/", NULL, &r), 200);
    assert_null(strstr(r.body, "/admin/calendar"));
    assert_int_equal(audited_imports(s), 0);

    resp_free(&r);
    client_free(c);
}

static void test_post_without_csrf_is_403(void **state)
{
    struct srv *s = *state;
    struct client *c = signed_in(s, SRV_SYSADMIN);
    struct resp r = {0};

    assert_int_equal(post_text(c, year_2027, 0, &r), 403);
    assert_int_equal(http_form(c, "/admin/calendar/import",
                               "_csrf=0000&text=year%202027%20x", &r),
                     403);
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2027", NULL, &r),
                     200);
    assert_contains(r.body, "2027年节假日安排未公布");
    assert_int_equal(audited_imports(s), 0);

    resp_free(&r);
    client_free(c);
}

static void test_bad_text_refused(void **state)
{
    struct srv *s = *state;
    struct client *c = signed_in(s, SRV_SYSADMIN);
    struct resp r = {0};

    assert_int_equal(post_text(c, bad_2027, 1, &r), 400);
    assert_contains(r.body, "没有导入任何内容");
    assert_contains(r.body, "<li>第 3 行：");
    assert_contains(r.body, "<li>第 4 行：");
    assert_null(strstr(r.body, "第 2 行"));
    /* the text kept in the box, escaped */
    assert_contains(r.body, "work 2027-02-17 春节&lt;调休&gt;上班");
    assert_null(strstr(r.body, "春节<调休>"));
    /* the page around it is the year the form was sent from */
    assert_contains(r.body, "<h1>工作日历 · 2027年</h1>");

    /* nothing typed */
    assert_int_equal(post_text(c, " \n", 1, &r), 400);
    assert_contains(r.body, "请填写节假日安排，或选择要导入的文件");

    /* a bad file: the same, its text put in the box */
    assert_int_equal(post_file(c, bad_2027, &r), 400);
    assert_contains(r.body, "<li>第 3 行：");
    assert_contains(r.body, "已将文件 2027.txt 的内容放入下框");
    assert_contains(r.body, "off  2028-10-01 国庆节");

    /* nothing was imported */
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2027", NULL, &r),
                     200);
    assert_contains(r.body, "2027年节假日安排未公布");
    assert_cell(r.body, "2027-01-01", NULL, NULL);
    assert_int_equal(audited_imports(s), 0);

    resp_free(&r);
    client_free(c);
}

static void test_import_2027(void **state)
{
    struct srv *s = *state;
    struct client *c = signed_in(s, SRV_SYSADMIN);
    struct resp r = {0};

    assert_int_equal(post_text(c, year_2027, 1, &r), 303);
    assert_str_equal(resp_header(&r, "Location"), "/admin/calendar?year=2027");
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2027", NULL, &r),
                     200);
    assert_contains(r.body, "已导入节假日安排：2027年：国办发明电〔2026〕9号，"
                            "放假 19 天，调休上班 3 天");
    assert_contains(r.body, "（国办发明电〔2026〕9号）");
    assert_null(strstr(r.body, "2027年节假日安排未公布"));
    assert_cell(r.body, "2027-10-01", "off", ">休</b>");
    assert_cell(r.body, "2027-10-09", "wk", ">班</b>");
    assert_cell(r.body, "2027-02-20", "wk", ">班</b>");
    assert_cell(r.body, "2027-06-09", NULL, NULL);
    assert_int_equal(audited_imports(s), 1);

    /* the years list of any year shows it with its notice */
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2025", NULL, &r),
                     200);
    assert_contains(r.body, "国办发明电〔2026〕9号");
    assert_null(strstr(r.body, "已导入")); /* the notice was shown once */

    /* an amendment through a file upload: the whole year again, both
     * notices on its year line */
    static const char amended[] =
        "year 2027 国办发明电〔2026〕9号 国办发明电〔2027〕1号\n"
        "off  2027-01-01 2027-01-03  元旦\n"
        "off  2027-02-06 2027-02-14  春节\n"
        "work 2027-02-20             春节调休上班\n"
        "off  2027-06-09             端午节\n"
        "work 2027-09-26             国庆节调休上班\n"
        "off  2027-10-01 2027-10-07  国庆节\n"
        "work 2027-10-09             国庆节调休上班\n";
    assert_int_equal(post_file(c, amended, &r), 303);
    assert_int_equal(http_do(c, "GET", "/admin/calendar?year=2027", NULL, &r),
                     200);
    assert_contains(r.body, "国办发明电〔2027〕1号");
    assert_contains(r.body, "放假 20 天");
    assert_cell(r.body, "2027-06-09", "off", ">休</b>");
    assert_int_equal(audited_imports(s), 2);

    resp_free(&r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_year_2026),
        cmocka_unit_test(test_staff_gets_403),
        cmocka_unit_test(test_post_without_csrf_is_403),
        cmocka_unit_test(test_bad_text_refused),
        cmocka_unit_test(test_import_2027),
    };
    return srv_run_group_tests(tests);
}
