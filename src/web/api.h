/*
 * api.h - the JSON API handlers (api_*.c), listed in routes.c.  Each file
 * starts with the table of its paths, methods and who may call them.
 */
#ifndef SHUNIU_API_H
#define SHUNIU_API_H

#include "kernel/audit.h"
#include "kernel/case.h"
#include "kernel/files.h"
#include "kernel/notify.h"
#include "kernel/search.h"
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

/* api_supervision.c */
struct ymd;
struct supervision_figures;
int api_supervision_stats(struct http_req *r);
int api_supervision_import(struct http_req *r);
int api_supervision_period_or_reply(struct http_req *r, struct ymd *from,
                                    struct ymd *to);
json_t *api_supervision_figures_json(const struct supervision_figures *f,
                                     const char *unit_name);

/* api_doc_out.c: 发文 beyond the generic case API */
struct case_view;
struct doc_out_receipt;
int api_doc_out_stats(struct http_req *r);
int api_doc_out_receipts(struct http_req *r);
/* The period of ?from=&to= (api_supervision_period_or_reply) as Beijing
 * instants [from_ms, to_ms), to the end of the last day.  0, or -1 with the
 * reply set. */
int api_doc_out_period_or_reply(struct http_req *r, int64_t *from_ms,
                                int64_t *to_ms, struct ymd *from,
                                struct ymd *to);
/* The doc_out case of path parameter "id" (v) and its 回执 (arena-owned):
 * 404 when the viewer may not see it or it is not a 发文.  0 / -1 with e. */
int api_doc_out_receipts_load(struct http_req *r, struct case_view *v,
                              struct doc_out_receipt **out, int *n,
                              struct err *e);

/* api_cases.c: cases of every module, to-do, notifications, search */
int api_modules_list(struct http_req *r);
int api_cases_list(struct http_req *r);
int api_cases_create(struct http_req *r);
int api_cases_export(struct http_req *r);
int api_cases_get(struct http_req *r);
int api_cases_update(struct http_req *r);
int api_cases_fire(struct http_req *r);
int api_cases_comment(struct http_req *r);
int api_cases_upload(struct http_req *r);
int api_cases_link(struct http_req *r);
int api_files_get(struct http_req *r); /* also the pages' /files/:id */
/* GET /api/v1/cases/:id/pdf: a doc_out case as GB/T 9704 PDF (api_pdf.c) */
int api_cases_pdf(struct http_req *r);
int api_todo(struct http_req *r);
int api_notifications_list(struct http_req *r);
int api_notifications_read(struct http_req *r);
int api_search(struct http_req *r);
int api_openapi(struct http_req *r);

/* api_cases.c, shared with page_cases.c (no business rules: faces) */

/* The positive integer of path parameter name, or 0. */
int64_t api_case_param_id(const struct http_req *r, const char *name);
/* The list filter from the query string: module state unit light q page
 * per_page sort created_from created_to due_from due_to (dates YYYY-MM-DD,
 * "to" inclusive) parent top mine open.  0, or -1 with field messages. */
int api_case_filter(struct http_req *r, struct case_filter *f,
                    struct err *e);
/* "正常" / "临期" / "超期" ("" for no light), and "绿灯" / "黄灯" / "红灯". */
const char *api_case_light_word(int light);
const char *api_case_light_color(int light);
/* The last day of a clock due at due_ms (day clocks end at 24:00). */
struct ymd api_case_due_date(int64_t due_ms);
/* "api" name of a field type: text longtext number date ... */
const char *api_case_type_name(enum field_type t);
/* A module's table as GET /api/v1/modules shows it (new reference). */
json_t *api_case_module_json(const struct module_def *m);
/* The notice after firing t: its done_message with {field} replaced by
 * the display values of v (v may be NULL); "已<label>" when it has none.
 * Arena-owned. */
const char *api_case_done_message(struct arena *a,
                                  const struct transition_def *t,
                                  const struct case_view *v);
/* Display values of raw field values (unit names, people's names, choice
 * labels, "2026-03-02 09:00"), with the names looked up once per request.
 * init allocates from r's arena; free releases the cache. */
struct api_case_names;
void api_case_names_init(struct api_case_names **out, struct http_req *r);
void api_case_names_free(struct api_case_names *nm);
const char *api_case_display(struct api_case_names *nm,
                             const struct field_def *f, json_t *v);
/* A file record / notification as JSON (new reference). */
json_t *api_case_file_json(const struct file_rec *f);
json_t *api_case_notification_json(const struct notify_rec *n);
/* 0 when the viewer may attach files to case id: sees it (404), it is not
 * archived (409), and they may act on it now (a transition or an edit;
 * 403 otherwise). */
int api_case_may_attach(struct http_req *r, int64_t id, struct err *e);
/* Stores the "file" parts of the request (at most max; none: 400 on
 * "file") on case id with a timeline entry each, in one transaction;
 * their ids in ids[0..*n).  0 / -1 with e. */
int api_case_attach(struct http_req *r, int64_t id, int64_t *ids, int max,
                    int *n, struct err *e);
/* The text a search snippet is cut from: the searchable fields but the
 * title (shown highlighted on its own). */
const char *api_case_search_text(struct arena *a, const struct case_item *it);
/* Snippet segments as [{text, match}] (new reference). */
json_t *api_case_segments_json(const struct search_snippet *sn);
/* Answers the Excel file of what f filters (f is changed: paging). */
void api_case_export_reply(struct http_req *r, struct case_filter *f);
/* app->todo_count: the signed-in person's 待办 count (0 without db). */
int64_t api_case_todo_count(struct http_req *r);

#endif
