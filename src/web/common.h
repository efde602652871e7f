/*
 * common.h - helpers the handlers share: JSON views of kernel records, the
 * session cookie, paging parameters.  No business rules here.
 */
#ifndef SHUNIU_WEB_COMMON_H
#define SHUNIU_WEB_COMMON_H

#include <jansson.h>

#include "kernel/audit.h"
#include "kernel/auth.h"
#include "kernel/org.h"
#include "web/http.h"
#include "web/input.h"

/* The declared inputs of a unit, shared by the API and the pages: creation
 * (code, name and kind required) and edits (nothing required; a code that
 * differs from the unit's is refused by the caller).  Index values with
 * UNIT_IN_*; UNIT_IN_N slots. */
enum {
    UNIT_IN_CODE,
    UNIT_IN_NAME,
    UNIT_IN_SHORT,
    UNIT_IN_KIND,
    UNIT_IN_PARENT,
    UNIT_IN_SORT,
    UNIT_IN_ACTIVE,
    UNIT_IN_N
};
extern const struct input_field common_unit_create_in[];
extern const struct input_field common_unit_update_in[];

json_t *common_json_unit(const struct unit *u);
json_t *common_json_user(const struct user *u);
json_t *common_json_actor(const struct actor *a);
json_t *common_json_audit(const struct audit_rec *r);
json_t *common_json_token(const struct api_token *t);

/* Sets / clears the "sid" cookie: HttpOnly, SameSite=Strict, Path=/, and
 * Secure when the server runs behind TLS (config secure_cookies). */
void common_set_session_cookie(struct http_req *r, const char *sid);
void common_clear_session_cookie(struct http_req *r);

/* limit (1..max, default def) and offset (>= 0) from the query string. */
void common_paging(const struct http_req *r, int def, int max, int *limit,
                   int *offset);
/* An integer query parameter; def when absent or malformed. */
long common_query_long(const struct http_req *r, const char *name, long def);

#endif
