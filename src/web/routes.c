/*
 * routes.c - the route table: every way into shuniu, its method, path,
 * handler and who may call it.  The dispatcher checks the permission and
 * CSRF before any handler runs (see http.h); nothing else is reachable.
 * The authorization-matrix tests read this table.
 */
#include "web/routes.h"

#include "web/api.h"
#include "web/pages.h"

#define GET HTTP_GET
#define POST HTTP_POST
#define PUT HTTP_PUT
#define PATCH HTTP_PATCH
#define DELETE HTTP_DELETE

#define ADMIN_ORG "sysadmin"
#define ADMIN_PEOPLE "sysadmin,secadmin"

const struct route routes_table[] = {
    /* health, for load balancers and the tests */
    {GET, "/healthz", api_healthz, PERM_PUBLIC, NULL, 0, "healthz"},

    /* JSON API: being someone */
    {POST, "/api/v1/session", api_session_create, PERM_PUBLIC, NULL,
     ROUTE_API | ROUTE_SLOW | ROUTE_NOCSRF, "session.create"},
    {DELETE, "/api/v1/session", api_session_delete, PERM_LOGIN, NULL,
     ROUTE_API, "session.delete"},
    {GET, "/api/v1/me", api_me, PERM_LOGIN, NULL, ROUTE_API, "me"},
    {PUT, "/api/v1/me/password", api_me_password, PERM_LOGIN, NULL,
     ROUTE_API | ROUTE_SLOW, "me.password"},
    {GET, "/api/v1/tokens", api_tokens_list, PERM_LOGIN, NULL, ROUTE_API,
     "tokens.list"},
    {POST, "/api/v1/tokens", api_tokens_create, PERM_LOGIN, NULL, ROUTE_API,
     "tokens.create"},
    {DELETE, "/api/v1/tokens/:id", api_tokens_revoke, PERM_LOGIN, NULL,
     ROUTE_API, "tokens.revoke"},

    /* JSON API: units, people, roles */
    {GET, "/api/v1/units", api_units_list, PERM_LOGIN, NULL, ROUTE_API,
     "units.list"},
    {POST, "/api/v1/units", api_units_create, PERM_ROLES, ADMIN_ORG,
     ROUTE_API, "units.create"},
    {GET, "/api/v1/units/:code", api_units_get, PERM_LOGIN, NULL, ROUTE_API,
     "units.get"},
    {PATCH, "/api/v1/units/:code", api_units_update, PERM_ROLES, ADMIN_ORG,
     ROUTE_API, "units.update"},
    {DELETE, "/api/v1/units/:code", api_units_disable, PERM_ROLES, ADMIN_ORG,
     ROUTE_API, "units.disable"},
    {GET, "/api/v1/users", api_users_list, PERM_LOGIN, NULL, ROUTE_API,
     "users.list"},
    {POST, "/api/v1/users", api_users_create, PERM_ROLES, ADMIN_PEOPLE,
     ROUTE_API | ROUTE_SLOW, "users.create"},
    {GET, "/api/v1/users/:login", api_users_get, PERM_LOGIN, NULL, ROUTE_API,
     "users.get"},
    {PATCH, "/api/v1/users/:login", api_users_update, PERM_ROLES, ADMIN_ORG,
     ROUTE_API, "users.update"},
    {DELETE, "/api/v1/users/:login", api_users_disable, PERM_ROLES, ADMIN_ORG,
     ROUTE_API, "users.disable"},
    {PUT, "/api/v1/users/:login/grants", api_users_grant, PERM_ROLES,
     "secadmin", ROUTE_API, "users.grant"},
    {PUT, "/api/v1/users/:login/password", api_users_password, PERM_ROLES,
     ADMIN_ORG, ROUTE_API | ROUTE_SLOW, "users.password"},
    {GET, "/api/v1/roles", api_roles_list, PERM_LOGIN, NULL, ROUTE_API,
     "roles.list"},

    /* JSON API: the audit trail (auditor only) */
    {GET, "/api/v1/audit", api_audit_list, PERM_ROLES, "auditor", ROUTE_API,
     "audit.list"},
    {GET, "/api/v1/audit/export", api_audit_export, PERM_ROLES, "auditor",
     ROUTE_API | ROUTE_SLOW, "audit.export"},

    /* JSON API: 督查督办 beyond the generic case API */
    {GET, "/api/v1/supervision/stats", api_supervision_stats, PERM_LOGIN,
     NULL, ROUTE_API, "supervision.stats"},
    {POST, "/api/v1/supervision/import", api_supervision_import, PERM_ROLES,
     "clerk", ROUTE_API, "supervision.import"},

    /* JSON API: 发文 beyond the generic case API */
    {GET, "/api/v1/doc_out/stats", api_doc_out_stats, PERM_LOGIN, NULL,
     ROUTE_API, "doc_out.stats"},
    {GET, "/api/v1/doc_out/:id/receipts", api_doc_out_receipts, PERM_LOGIN,
     NULL, ROUTE_API, "doc_out.receipts"},

    /* JSON API: cases of every module (api_cases.c); the engine checks
     * per case who may see and do what (404 / 403 / 409) */
    {GET, "/api/v1/modules", api_modules_list, PERM_LOGIN, NULL, ROUTE_API,
     "modules.list"},
    {GET, "/api/v1/cases", api_cases_list, PERM_LOGIN, NULL, ROUTE_API,
     "cases.list"},
    {POST, "/api/v1/cases", api_cases_create, PERM_LOGIN, NULL, ROUTE_API,
     "cases.create"},
    {GET, "/api/v1/cases/export.xlsx", api_cases_export, PERM_LOGIN, NULL,
     ROUTE_API | ROUTE_SLOW, "cases.export"},
    {GET, "/api/v1/cases/:id", api_cases_get, PERM_LOGIN, NULL, ROUTE_API,
     "cases.get"},
    {GET, "/api/v1/cases/:id/pdf", api_cases_pdf, PERM_LOGIN, NULL,
     ROUTE_API | ROUTE_SLOW, "cases.pdf"},
    {PATCH, "/api/v1/cases/:id", api_cases_update, PERM_LOGIN, NULL,
     ROUTE_API, "cases.update"},
    {POST, "/api/v1/cases/:id/transitions/:code", api_cases_fire, PERM_LOGIN,
     NULL, ROUTE_API, "cases.fire"},
    {POST, "/api/v1/cases/:id/comments", api_cases_comment, PERM_LOGIN, NULL,
     ROUTE_API, "cases.comment"},
    {POST, "/api/v1/cases/:id/files", api_cases_upload, PERM_LOGIN, NULL,
     ROUTE_API | ROUTE_SLOW | ROUTE_UPLOAD, "cases.upload"},
    {POST, "/api/v1/cases/:id/links", api_cases_link, PERM_LOGIN, NULL,
     ROUTE_API, "cases.link"},
    {GET, "/api/v1/files/:id", api_files_get, PERM_LOGIN, NULL,
     ROUTE_API | ROUTE_SLOW, "files.get"},
    {GET, "/api/v1/todo", api_todo, PERM_LOGIN, NULL, ROUTE_API, "todo"},
    {GET, "/api/v1/notifications", api_notifications_list, PERM_LOGIN, NULL,
     ROUTE_API, "notifications.list"},
    {POST, "/api/v1/notifications/read", api_notifications_read, PERM_LOGIN,
     NULL, ROUTE_API, "notifications.read"},
    {GET, "/api/v1/search", api_search, PERM_LOGIN, NULL, ROUTE_API,
     "search"},
    {GET, "/api/v1/openapi.json", api_openapi, PERM_LOGIN, NULL, ROUTE_API,
     "openapi"},

    /* the test clock: only under serve --test-clock on loopback */
    {PUT, "/api/v1/test/clock", api_test_clock_set, PERM_PUBLIC, NULL,
     ROUTE_API | ROUTE_TESTCLOCK | ROUTE_NOCSRF, "test.clock.set"},
    {DELETE, "/api/v1/test/clock", api_test_clock_reset, PERM_PUBLIC, NULL,
     ROUTE_API | ROUTE_TESTCLOCK | ROUTE_NOCSRF, "test.clock.reset"},

    /* pages */
    PAGES_ROUTES
    CASES_PAGES_ROUTES
    SUPERVISION_PAGES_ROUTES
    DOC_OUT_PAGES_ROUTES

    {0},
};
