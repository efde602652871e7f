/*
 * pages.h - the HTML pages (page_*.c): sign-in, home (我的待办), my account,
 * and the administrators' pages.  PAGES_ROUTES is spliced into the route
 * table in routes.c (before routes.c defines GET/POST, hence HTTP_GET).
 *
 * Every page works without JavaScript.  Forms POST with the hidden _csrf
 * field (checked by the dispatcher); a form with mistakes is shown again
 * with what was typed and a message beside each field; a successful action
 * answers 303 to a page that says what happened (a one-shot "flash" cookie,
 * see page_done()).
 *
 * Files and their routes:
 *     page_common.c   the navigation, page contexts, flash, form errors
 *     page_auth.c     /login /logout / (我的待办) /todo
 *     page_account.c  /account /account/password /account/tokens
 *     page_units.c    /admin/units /admin/units/:code           sysadmin
 *     page_users.c    /admin/users /admin/users/:login
 *                     /admin/users/export /admin/import         sysadmin
 *     page_calendar.c /admin/calendar /admin/calendar/import    sysadmin
 *     page_grants.c   /admin/grants /admin/grants/:login        secadmin
 *     page_audit.c    /audit /audit/export                      auditor
 *     page_cases.c    /m/:module /cases/:id /notifications /search
 *                     (CASES_PAGES_ROUTES)                      signed in
 *     page_supervision.c /supervision/...  (SUPERVISION_PAGES_ROUTES)
 *     page_doc_out.c  /doc_out/stats /doc_out/stats/export
 *                     /doc_out/:id/receipts (DOC_OUT_PAGES_ROUTES) signed in
 */
#ifndef SHUNIU_PAGES_H
#define SHUNIU_PAGES_H

#include <jansson.h>

#include "base/err.h"
#include "kernel/org.h"
#include "web/http.h"
#include "web/input.h"
#include "web/tmpl.h"

/* ---- handlers ---- */

/* page_auth.c */
int page_login_form(struct http_req *r);
int page_login(struct http_req *r);
int page_logout(struct http_req *r);
int page_home(struct http_req *r);
int page_todo(struct http_req *r);

/* page_account.c */
int page_account(struct http_req *r);
int page_account_password(struct http_req *r);
int page_tokens(struct http_req *r);
int page_tokens_create(struct http_req *r);
int page_tokens_revoke(struct http_req *r);

/* page_units.c */
int page_units(struct http_req *r);
int page_units_create(struct http_req *r);
int page_unit(struct http_req *r);
int page_unit_update(struct http_req *r);

/* page_users.c */
int page_users(struct http_req *r);
int page_users_create(struct http_req *r);
int page_users_export(struct http_req *r);
int page_user(struct http_req *r);
int page_user_update(struct http_req *r);
int page_import_form(struct http_req *r);
int page_import(struct http_req *r);

/* page_calendar.c */
int page_calendar(struct http_req *r);
int page_calendar_import(struct http_req *r);

/* page_grants.c */
int page_grants(struct http_req *r);
int page_grant(struct http_req *r);
int page_grant_update(struct http_req *r);

/* page_audit.c */
int page_audit(struct http_req *r);
int page_audit_export(struct http_req *r);

/* page_cases.c */
int page_case_list(struct http_req *r);
int page_case_export(struct http_req *r);
int page_case_new(struct http_req *r);
int page_case_create(struct http_req *r);
int page_case(struct http_req *r);
int page_case_print(struct http_req *r);
int page_case_edit_form(struct http_req *r);
int page_case_edit(struct http_req *r);
int page_case_do_form(struct http_req *r);
int page_case_do(struct http_req *r);
int page_case_comment(struct http_req *r);
int page_case_upload(struct http_req *r);
int page_case_link(struct http_req *r);
int page_notifications(struct http_req *r);
int page_notifications_read(struct http_req *r);
int page_search(struct http_req *r);
/* The home page's 我的待办: what waits for the viewer, worst lights first,
 * as rows for templates/todo_list.html bound under name in *b (for
 * http_reply_page_with; they live in r's arena). */
void page_cases_todo(struct http_req *r, struct tmpl_bind *b, const char *name);
/* For app->todo_count: the top bar's 待办 count. */
int64_t page_cases_todo_count(struct http_req *r);
/* pages_nav with an entry per module (by sort, for business roles only)
 * and 通知 after 我的待办; built once at start (serve.c: app.nav). */
const struct nav_item *page_cases_nav(void);

#define PAGES_SYSADMIN "sysadmin"
#define PAGES_SECADMIN "secadmin"
#define PAGES_AUDITOR "auditor"

/* clang-format off */
#define PAGES_ROUTES                                                          \
    {HTTP_GET, "/login", page_login_form, PERM_PUBLIC, NULL, 0,               \
     "page.login"},                                                           \
    {HTTP_POST, "/login", page_login, PERM_PUBLIC, NULL,                      \
     ROUTE_NOCSRF | ROUTE_SLOW, "page.login.post"},                           \
    {HTTP_POST, "/logout", page_logout, PERM_LOGIN, NULL, 0, "page.logout"},  \
    {HTTP_GET, "/", page_home, PERM_LOGIN, NULL, 0, "page.home"},             \
    {HTTP_GET, "/todo", page_todo, PERM_LOGIN, NULL, 0, "page.todo"},         \
                                                                              \
    {HTTP_GET, "/account", page_account, PERM_LOGIN, NULL, 0,                 \
     "page.account"},                                                         \
    {HTTP_POST, "/account/password", page_account_password, PERM_LOGIN,      \
     NULL, ROUTE_SLOW, "page.account.password"},                              \
    {HTTP_GET, "/account/tokens", page_tokens, PERM_LOGIN, NULL, 0,           \
     "page.tokens"},                                                          \
    {HTTP_POST, "/account/tokens", page_tokens_create, PERM_LOGIN, NULL, 0,   \
     "page.tokens.create"},                                                   \
    {HTTP_POST, "/account/tokens/:id/revoke", page_tokens_revoke,             \
     PERM_LOGIN, NULL, 0, "page.tokens.revoke"},                              \
                                                                              \
    {HTTP_GET, "/admin/units", page_units, PERM_ROLES, PAGES_SYSADMIN, 0,     \
     "page.units"},                                                           \
    {HTTP_POST, "/admin/units", page_units_create, PERM_ROLES,                \
     PAGES_SYSADMIN, 0, "page.units.create"},                                 \
    {HTTP_GET, "/admin/units/:code", page_unit, PERM_ROLES, PAGES_SYSADMIN,   \
     0, "page.unit"},                                                         \
    {HTTP_POST, "/admin/units/:code", page_unit_update, PERM_ROLES,           \
     PAGES_SYSADMIN, 0, "page.unit.update"},                                  \
                                                                              \
    {HTTP_GET, "/admin/users", page_users, PERM_ROLES, PAGES_SYSADMIN, 0,     \
     "page.users"},                                                           \
    {HTTP_POST, "/admin/users", page_users_create, PERM_ROLES,                \
     PAGES_SYSADMIN, ROUTE_SLOW, "page.users.create"},                        \
    {HTTP_GET, "/admin/users/export", page_users_export, PERM_ROLES,          \
     PAGES_SYSADMIN, ROUTE_SLOW, "page.users.export"},                        \
    {HTTP_GET, "/admin/users/:login", page_user, PERM_ROLES, PAGES_SYSADMIN,  \
     0, "page.user"},                                                         \
    {HTTP_POST, "/admin/users/:login", page_user_update, PERM_ROLES,          \
     PAGES_SYSADMIN, 0, "page.user.update"},                                  \
    {HTTP_GET, "/admin/import", page_import_form, PERM_ROLES,                 \
     PAGES_SYSADMIN, 0, "page.import"},                                       \
    {HTTP_POST, "/admin/import", page_import, PERM_ROLES, PAGES_SYSADMIN,     \
     ROUTE_SLOW, "page.import.post"},                                         \
    {HTTP_GET, "/admin/calendar", page_calendar, PERM_ROLES, PAGES_SYSADMIN,  \
     0, "page.calendar"},                                                     \
    {HTTP_POST, "/admin/calendar/import", page_calendar_import, PERM_ROLES,   \
     PAGES_SYSADMIN, ROUTE_SLOW, "page.calendar.import"},                     \
                                                                              \
    {HTTP_GET, "/admin/grants", page_grants, PERM_ROLES, PAGES_SECADMIN, 0,   \
     "page.grants"},                                                          \
    {HTTP_GET, "/admin/grants/:login", page_grant, PERM_ROLES,                \
     PAGES_SECADMIN, 0, "page.grant"},                                        \
    {HTTP_POST, "/admin/grants/:login", page_grant_update, PERM_ROLES,        \
     PAGES_SECADMIN, 0, "page.grant.update"},                                 \
                                                                              \
    {HTTP_GET, "/audit", page_audit, PERM_ROLES, PAGES_AUDITOR, 0,            \
     "page.audit"},                                                           \
    {HTTP_GET, "/audit/export", page_audit_export, PERM_ROLES, PAGES_AUDITOR, \
     ROUTE_SLOW, "page.audit.export"},
/* clang-format on */

/* page_supervision.c: 督查督办's figures, bulletin and ledger; spliced
 * into routes.c after PAGES_ROUTES */
int page_supervision_stats(struct http_req *r);
int page_supervision_bulletin(struct http_req *r);
int page_supervision_bulletin_export(struct http_req *r);
int page_supervision_ledger(struct http_req *r);
int page_supervision_ledger_export(struct http_req *r);

/* clang-format off */
#define SUPERVISION_PAGES_ROUTES                                              \
    {HTTP_GET, "/supervision/stats", page_supervision_stats, PERM_LOGIN,      \
     NULL, 0, "page.supervision.stats"},                                      \
    {HTTP_GET, "/supervision/bulletin", page_supervision_bulletin,            \
     PERM_LOGIN, NULL, 0, "page.supervision.bulletin"},                       \
    {HTTP_GET, "/supervision/bulletin/export",                                \
     page_supervision_bulletin_export, PERM_LOGIN, NULL, ROUTE_SLOW,          \
     "page.supervision.bulletin.export"},                                     \
    {HTTP_GET, "/supervision/ledger", page_supervision_ledger, PERM_LOGIN,    \
     NULL, 0, "page.supervision.ledger"},                                     \
    {HTTP_GET, "/supervision/ledger/export", page_supervision_ledger_export,  \
     PERM_LOGIN, NULL, ROUTE_SLOW, "page.supervision.ledger.export"},

/* clang-format on */

/* page_doc_out.c: 发文's figures and the 回执 of one document; spliced
 * into routes.c after SUPERVISION_PAGES_ROUTES (literal paths first) */
int page_doc_out_stats(struct http_req *r);
int page_doc_out_stats_export(struct http_req *r);
int page_doc_out_receipts(struct http_req *r);

/* clang-format off */
#define DOC_OUT_PAGES_ROUTES                                                  \
    {HTTP_GET, "/doc_out/stats", page_doc_out_stats, PERM_LOGIN, NULL, 0,     \
     "page.doc_out.stats"},                                                   \
    {HTTP_GET, "/doc_out/stats/export", page_doc_out_stats_export,            \
     PERM_LOGIN, NULL, ROUTE_SLOW, "page.doc_out.stats.export"},              \
    {HTTP_GET, "/doc_out/:id/receipts", page_doc_out_receipts, PERM_LOGIN,    \
     NULL, 0, "page.doc_out.receipts"},

/* The pages of cases (page_cases.c): literal paths before :params. */
#define CASES_PAGES_ROUTES                                                    \
    {HTTP_GET, "/m/:module", page_case_list, PERM_LOGIN, NULL, 0,             \
     "page.cases"},                                                           \
    {HTTP_GET, "/m/:module/export", page_case_export, PERM_LOGIN, NULL,       \
     ROUTE_SLOW, "page.cases.export"},                                        \
    {HTTP_GET, "/m/:module/new", page_case_new, PERM_LOGIN, NULL, 0,          \
     "page.case.new"},                                                        \
    {HTTP_POST, "/m/:module/new", page_case_create, PERM_LOGIN, NULL, 0,      \
     "page.case.create"},                                                     \
    {HTTP_GET, "/cases/:id", page_case, PERM_LOGIN, NULL, 0, "page.case"},    \
    {HTTP_GET, "/cases/:id/print", page_case_print, PERM_LOGIN, NULL, 0,      \
     "page.case.print"},                                                      \
    {HTTP_GET, "/cases/:id/edit", page_case_edit_form, PERM_LOGIN, NULL, 0,   \
     "page.case.edit"},                                                       \
    {HTTP_POST, "/cases/:id/edit", page_case_edit, PERM_LOGIN, NULL, 0,       \
     "page.case.edit.post"},                                                  \
    {HTTP_GET, "/cases/:id/do/:code", page_case_do_form, PERM_LOGIN, NULL, 0, \
     "page.case.do"},                                                         \
    {HTTP_POST, "/cases/:id/do/:code", page_case_do, PERM_LOGIN, NULL, 0,     \
     "page.case.do.post"},                                                    \
    {HTTP_POST, "/cases/:id/comments", page_case_comment, PERM_LOGIN, NULL,   \
     0, "page.case.comment"},                                                 \
    {HTTP_POST, "/cases/:id/files", page_case_upload, PERM_LOGIN, NULL,       \
     ROUTE_SLOW | ROUTE_UPLOAD, "page.case.upload"},                          \
    {HTTP_POST, "/cases/:id/links", page_case_link, PERM_LOGIN, NULL, 0,      \
     "page.case.link"},                                                       \
    {HTTP_GET, "/files/:id", api_files_get, PERM_LOGIN, NULL, ROUTE_SLOW,     \
     "page.file"},                                                            \
    {HTTP_GET, "/notifications", page_notifications, PERM_LOGIN, NULL, 0,     \
     "page.notifications"},                                                   \
    {HTTP_POST, "/notifications/read", page_notifications_read, PERM_LOGIN,   \
     NULL, 0, "page.notifications.read"},                                     \
    {HTTP_GET, "/search", page_search, PERM_LOGIN, NULL, 0, "page.search"},
/* clang-format on */

/* ---- page_common.c: what every page handler shares ---- */

/* The left navigation of the pages, filtered by role when shown; ends with
 * a zeroed entry.  serve.c may hand it to the core (app->nav); while it
 * does not, page_ctx() builds the "nav" list from it itself. */
extern const struct nav_item pages_nav[];

/* A page's context: web_page_ctx() plus the navigation, the breadcrumbs
 * "首页 › ... › title" (crumbs: label, href pairs ending with NULL; the
 * title is the last crumb) and a notice left by page_done() (the flash
 * cookie is then cleared).  Caller owns the result. */
json_t *page_ctx(struct http_req *r, const char *title, ...)
    __attribute__((sentinel));

/* Answers 303 to location, leaving msg (what happened, in Chinese) to be
 * shown there once. */
void page_done(struct http_req *r, const char *location, const char *msg);

/* Answers the error page for e (404, 403, 500 ...). */
void page_fail(struct http_req *r, const struct err *e);

/* After input_read() or a kernel call refused: an object {field: message}
 * for the form, with "请填写<label>" for a required field left empty.
 * A message of e not tied to a field goes to ctx "alert".  spec may be
 * NULL. */
json_t *page_form_errors(struct http_req *r, const struct input_field *spec,
                         const struct err *e, json_t *ctx);

/* The submitted form as an object {name: value} (the first value of each
 * field, _csrf left out), to show what was typed. */
json_t *page_form_values(const struct http_req *r);

/* A query parameter, "" when absent. */
const char *page_query(const struct http_req *r, const char *name);

/* Sets ctx key (e.g. "qs") to the non-empty query parameters of names (a list
 * ending with NULL) as "a=1&b=%E4%B8%AD&" (percent-encoded), so links to
 * other pages and to the export keep the filter:
 *     <a href="?{{attr:qs}}offset={{paging.next}}">  */
void page_qs(struct http_req *r, json_t *ctx, const char *key,
             const char *const *names);

/* Paging links for a list: adds "paging" {from, to, total, limit, pages,
 * has_prev, prev, has_next, next} to ctx; prev/next are the offsets of
 * the neighbouring pages (has_* false at the ends; pages false when all
 * fits on one page). */
void page_paging(json_t *ctx, int offset, int limit, int n, int total);

/* "2026-11-26" / "2026年11月26日" / "2026-11-26 09:05" of an instant; ""
 * for 0. */
const char *page_date(struct http_req *r, int64_t ms);
const char *page_date_cn(struct http_req *r, int64_t ms);
const char *page_minute(struct http_req *r, int64_t ms);

/* Chinese role names ("系统管理员、安全审计员") of a role list, from the
 * roles table (codes shown as they are when unknown). */
struct page_roles {
    struct role *roles;
    int n;
};
int page_roles_load(struct http_req *r, struct page_roles *pr);
const char *page_role_name(const struct page_roles *pr, const char *code);
json_t *page_role_names(const struct page_roles *pr, const char *const *codes,
                        int n);
/* The same joined with "、" into one arena string ("" for none). */
const char *page_role_join(struct arena *a, const struct page_roles *pr,
                           const char *const *codes, int n);

/* page_users.c: the people filter of /admin/users and /admin/grants from
 * the query (?q=&unit=&active=&offset=), and the same as "f" {q, unit,
 * active} for the template (links keep it). */
void page_users_filter(struct http_req *r, struct user_filter *f, int limit,
                       json_t *ctx);

/* The depth of each unit in the tree (0 for roots; the list has parents
 * before their children, as org_unit_list() gives it).  Arena-owned. */
int *page_unit_depths(struct http_req *r, const struct unit *u, int n);

/* One <option> of a <select>. */
struct page_option {
    const char *value, *label;
    int selected;
};

/* The options of the units (indented by depth), with a first empty option
 * labelled `none` when not NULL, in r's arena; how many.  As JSON
 * [{value, label, selected}] with page_unit_options(); as a template
 * source (tmpl.h, for http_reply_page_with) with page_options_bind(). */
int page_unit_option_list(struct http_req *r, const char *selected,
                          const char *none, struct page_option **out);
json_t *page_unit_options(struct http_req *r, const char *selected,
                          const char *none);
void page_options_bind(struct tmpl_bind *b, const char *name,
                       const struct page_option *opts, int n);

#endif
