/*
 * api.h - the JSON API handlers (api_*.c), listed in routes.c.  Each file
 * starts with the table of its paths, methods and who may call them.
 */
#ifndef SHUNIU_API_H
#define SHUNIU_API_H

#include "kernel/audit.h"
#include "web/http.h"

/* api_auth.c */
int api_healthz(struct http_req *r);
int api_session_create(struct http_req *r);
int api_session_delete(struct http_req *r);
int api_me(struct http_req *r);
int api_me_password(struct http_req *r);
int api_tokens_list(struct http_req *r);
int api_tokens_create(struct http_req *r);
int api_tokens_revoke(struct http_req *r);
int api_test_clock_set(struct http_req *r);
int api_test_clock_reset(struct http_req *r);

/* api_org.c */
int api_units_list(struct http_req *r);
int api_units_get(struct http_req *r);
int api_units_create(struct http_req *r);
int api_units_update(struct http_req *r);
int api_units_disable(struct http_req *r);
int api_users_list(struct http_req *r);
int api_users_get(struct http_req *r);
int api_users_create(struct http_req *r);
int api_users_update(struct http_req *r);
int api_users_grant(struct http_req *r);
int api_users_password(struct http_req *r);
int api_users_disable(struct http_req *r);
int api_roles_list(struct http_req *r);

/* api_audit.c */
int api_audit_filter(struct http_req *r, struct audit_filter *f,
                     struct err *e);
int api_audit_list(struct http_req *r);
int api_audit_export(struct http_req *r);

#endif
