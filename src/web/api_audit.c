/*
 * api_audit.c - the audit trail, for the auditor only (三员分立).
 *
 *     GET /api/v1/audit          ?actor=&action=&result=&from=&to=&limit=&offset=
 *     GET /api/v1/audit/export   the same filters, as an Excel file
 *
 * from/to are dates (YYYY-MM-DD, Beijing) or ISO instants; to is inclusive
 * of its whole day when given as a date.
 */
#include <string.h>
#include <unistd.h>

#include "base/now.h"
#include "kernel/export.h"
#include "web/api.h"
#include "web/common.h"

/* Fills f from the query; -1 with a field error for a bad date. */
int api_audit_filter(struct http_req *r, struct audit_filter *f,
                     struct err *e)
{
    memset(f, 0, sizeof(*f));
    f->actor = http_query(r, "actor");
    f->action = http_query(r, "action");
    f->result = http_query(r, "result");
    if (f->actor && !*f->actor)
        f->actor = NULL;
    if (f->action && !*f->action)
        f->action = NULL;
    if (f->result && !*f->result)
        f->result = NULL;
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    if (from && *from && iso_parse_ms(from, &f->from_ms))
        err_field(e, "from", "开始日期格式应为 2026-11-26");
    if (to && *to) {
        if (iso_parse_ms(to, &f->to_ms))
            err_field(e, "to", "结束日期格式应为 2026-11-26");
        else if (strlen(to) == 10)
            f->to_ms += NOW_DAY_MS - 1;
    }
    common_paging(r, 50, 1000, &f->limit, &f->offset);
    return err_isset(e) ? -1 : 0;
}

int api_audit_list(struct http_req *r)
{
    struct audit_filter f;
    struct audit_rec *recs;
    int n, total;
    struct err e;
    err_clear(&e);
    if (api_audit_filter(r, &f, &e) ||
        audit_list(r->db, r->arena, &f, &recs, &n, &total, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, common_json_audit(&recs[i]));
    http_reply_json(r, 200,
                    json_pack("{s:o, s:i, s:i, s:i}", "items", items, "total",
                              total, "limit", f.limit, "offset", f.offset));
    return 0;
}

int api_audit_export(struct http_req *r)
{
    static const char *headers[] = {"序号", "时间", "操作人", "来源地址",
                                    "操作", "对象类型", "对象", "结果",
                                    "详情", "哈希"};
    struct audit_filter f;
    struct err e;
    err_clear(&e);
    if (api_audit_filter(r, &f, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    struct export_sheet *x = export_begin(NULL, "审计记录", headers, 10, &e);
    if (x == NULL) {
        http_reply_err(r, &e);
        return 0;
    }
    /* page through the filtered trail in chunks, oldest page last */
    f.offset = 0;
    f.limit = 1000;
    for (;;) {
        struct audit_rec *recs;
        int n, total;
        struct arena *chunk = arena_new();
        if (audit_list(r->db, chunk, &f, &recs, &n, &total, &e)) {
            arena_free(chunk);
            int fd;
            int64_t len;
            export_finish(x, &fd, &len, &e);
            http_reply_err(r, &e);
            return 0;
        }
        for (int i = 0; i < n; i++) {
            char seq[24], at[17];
            snprintf(seq, sizeof(seq), "%lld", (long long)recs[i].seq);
            ms_fmt_minute(recs[i].at_ms, at);
            const char *cells[] = {seq,
                                   at,
                                   recs[i].actor_login,
                                   recs[i].ip,
                                   recs[i].action,
                                   recs[i].target_type,
                                   recs[i].target,
                                   recs[i].result,
                                   recs[i].detail,
                                   recs[i].hash};
            export_row(x, cells);
        }
        arena_free(chunk);
        if (n < f.limit || export_rows(x) >= 1000000)
            break;
        f.offset += n;
    }
    int fd;
    int64_t len;
    if (export_finish(x, &fd, &len, &e)) {
        http_reply_err(r, &e);
        return 0;
    }
    r->status = 200;
    r->content_type =
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r->reply_fd = fd;
    r->reply_fd_len = len;
    http_add_header(r, "Content-Disposition",
                    "attachment; filename=\"audit.xlsx\"; "
                    "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E8%AE%B0%E5%BD%95.xlsx");
    return 0;
}
