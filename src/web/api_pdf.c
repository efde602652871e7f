/*
 * api_pdf.c - an outgoing document (module doc_out) as the PDF of GB/T
 * 9704-2012 (kernel/gbt9704.c does the layout).
 *
 *     GET /api/v1/cases/:id/pdf    signed in, slow    application/pdf
 *
 * The case is read with case_get, so the engine's visibility and clearance
 * rules decide (404 when unseen, and for a case of another module).  A
 * document without a 发文字号 yet is a draft: marked 草稿, no number.
 * Downloading a classified document (密级 > 0) is audited as
 * "case.doc_out.pdf".  The PDF is rendered into an unlinked temporary file
 * under the data directory and sent from its descriptor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "kernel/audit.h"
#include "kernel/case.h"
#include "kernel/gbt9704.h"
#include "modules/doc_out.h"
#include "web/api.h"
#include "web/http.h"
#include "web/tmpl.h"

/* A field's value as text: its display text (names, labels) when the
 * engine gives one, else the value; NULL when unset. */
static const char *api_pdf_field(struct http_req *r, const struct case_view *v,
                                 const char *code)
{
    json_t *d = v->display ? json_object_get(v->display, code) : NULL;
    if (json_is_string(d) && *json_string_value(d))
        return json_string_value(d);
    json_t *j = v->c.fields ? json_object_get(v->c.fields, code) : NULL;
    if (json_is_string(j))
        return *json_string_value(j) ? json_string_value(j) : NULL;
    if (json_is_integer(j))
        return arena_printf(r->arena, "%lld", (long long)json_integer_value(j));
    return NULL;
}

/* The raw value (codes, YYYY-MM-DD), not the display text. */
static const char *api_pdf_raw(const struct case_view *v, const char *code)
{
    json_t *j = v->c.fields ? json_object_get(v->c.fields, code) : NULL;
    return json_is_string(j) && *json_string_value(j) ? json_string_value(j)
                                                       : NULL;
}

/* "2026-11-26" -> "2026年11月26日" (Arabic numerals, no leading zeros,
 * GB/T 9704-2012 7.3.5); other text unchanged. */
static const char *api_pdf_date(struct http_req *r, const char *s)
{
    int y, m, d, n = 0;
    if (s == NULL)
        return NULL;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
        (s[n] == '\0' || s[n] == 'T'))
        return arena_printf(r->arena, "%d年%d月%d日", y, m, d);
    return s;
}

static const char *api_pdf_disposition(struct http_req *r, const char *name)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "attachment; filename=\"document.pdf\"; filename*=UTF-8''");
    tmpl_escape_url(&b, name, strlen(name));
    tmpl_escape_url(&b, ".pdf", 4);
    const char *s = arena_strdup(r->arena, b.ptr);
    buf_free(&b);
    return s;
}

/* An unlinked temporary file in the data directory; -1 on failure. */
static int api_pdf_tmpfile(struct http_req *r)
{
    const char *dir = r->app && r->app->cfg.data[0] ? r->app->cfg.data : "/tmp";
    char *path = arena_printf(r->arena, "%s/.pdf-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        log_error("cannot create a temporary pdf in %s: %s", dir,
                  strerror(errno));
        return -1;
    }
    unlink(path);
    return fd;
}

int api_cases_pdf(struct http_req *r)
{
    struct case_view v;
    struct err e;
    err_clear(&e);
    int fd = -1;
    int64_t id = api_case_param_id(r, "id");
    if (id <= 0) {
        http_reply_status(r, 404, NULL);
        goto out;
    }
    if (case_get(r->db, r->arena, &r->who, id, &v, &e)) {
        http_reply_err(r, &e);
        goto out;
    }
    if (v.c.m == NULL || strcmp(v.c.m->code, "doc_out") != 0) {
        http_reply_status(r, 404, NULL);
        goto out;
    }

    json_t *js = v.c.fields ? json_object_get(v.c.fields, "secrecy") : NULL;
    int secrecy = json_is_integer(js) ? (int)json_integer_value(js)
                                      : v.c.secrecy;
    const char *doc_type = api_pdf_field(r, &v, "doc_type");
    const char *issuer = api_pdf_field(r, &v, "issuer");
    const char *number = api_pdf_field(r, &v, "doc_number");
    if (number == NULL && v.c.number && *v.c.number)
        number = v.c.number;
    const char *urgency = api_pdf_field(r, &v, "urgency");
    if (urgency && !strstr(urgency, "特急") && !strstr(urgency, "加急") &&
        !strstr(urgency, "特提") && !strstr(urgency, "平急"))
        urgency = NULL;
    /* main_to_above: the module's own rule reads 主送 against the unit
     * tree when the document moves; 请示 and 报告 are upward regardless */
    int upward = doc_type && doc_out_is_upward(doc_type, 0);
    const char *mark = NULL;
    if (issuer)
        mark = doc_type && strcmp(doc_type, "函") == 0 ? issuer
               : doc_type && strcmp(doc_type, "纪要") == 0
                   ? arena_printf(r->arena, "%s纪要", issuer)
                   : arena_printf(r->arena, "%s文件", issuer);

    struct gbt9704_doc d = {
        .copy_no = api_pdf_field(r, &v, "copy_no"),
        .secrecy =
            doc_out_mark(r->arena, secrecy, api_pdf_field(r, &v, "secrecy_term")),
        .urgency = urgency,
        .issuer_mark = mark,
        .doc_number = number,
        .signer = upward ? api_pdf_field(r, &v, "signer") : NULL,
        .title = api_pdf_field(r, &v, "title"),
        .main_to = api_pdf_field(r, &v, "main_to"),
        .body = api_pdf_field(r, &v, "body"),
        .attachment_note = api_pdf_field(r, &v, "attachment_note"),
        .issuer_sign = api_pdf_field(r, &v, "issuer_sign"),
        .date = api_pdf_date(r, api_pdf_raw(&v, "date")),
        .notes = api_pdf_field(r, &v, "notes"),
        .copy_to = api_pdf_field(r, &v, "copy_to"),
        .print_unit = api_pdf_field(r, &v, "print_unit"),
        .print_date = api_pdf_date(r, api_pdf_raw(&v, "print_date")),
        .draft = number == NULL,
    };
    if (d.issuer_sign == NULL)
        d.issuer_sign = issuer;
    if (d.title == NULL)
        d.title = v.c.title;

    fd = api_pdf_tmpfile(r);
    if (fd < 0) {
        http_reply_status(r, 500, "公文版式文件生成失败，请稍后重试");
        goto out;
    }
    if (gbt9704_render_fd(&d, fd, &e)) {
        http_reply_err(r, &e);
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        log_error("cannot rewind the temporary pdf: %s", strerror(errno));
        http_reply_status(r, 500, NULL);
        goto out;
    }
    if (secrecy > 0) {
        char target[24];
        snprintf(target, sizeof(target), "%lld", (long long)id);
        char *detail =
            arena_printf(r->arena, "{\"secrecy\":%d,\"number\":%s}", secrecy,
                         number ? "true" : "false");
        if (audit_log(r->db, &r->who, "case.doc_out.pdf", "case", target,
                      "ok", detail)) {
            http_reply_status(r, 500, NULL);
            goto out;
        }
    }
    http_reply_fd(r, 200, "application/pdf", fd, (int64_t)st.st_size);
    fd = -1; /* the reply owns it */
    http_add_header(r, "Content-Disposition",
                    api_pdf_disposition(r, d.title ? d.title : "公文"));
    http_add_header(r, "X-Content-Type-Options", "nosniff");
out:
    if (fd >= 0)
        close(fd);
    return 0;
}
