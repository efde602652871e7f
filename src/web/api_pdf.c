/*
 * api_pdf.c - an outgoing document (module doc_out) as the PDF of GB/T
 * 9704-2012 (modules/doc_out_pdf.c maps the fields, kernel/gbt9704.c lays
 * them out).
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
#include "modules/doc_out.h"
#include "web/api.h"
#include "web/http.h"
#include "web/tmpl.h"

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

/* An unlinked temporary file in the data directory; -1 on failure.  The
 * directory may not exist yet: nothing has been uploaded (a fresh
 * --data). */
static int api_pdf_tmpfile(struct http_req *r)
{
    const char *dir = r->app && r->app->cfg.data[0] ? r->app->cfg.data : "/tmp";
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
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

    int secrecy = doc_out_secrecy_of(v.c.fields);
    if (secrecy == 0)
        secrecy = v.c.secrecy;
    const char *number =
        case_fields_display(r->db, r->arena, v.c.m, v.c.fields, "doc_number");
    if (number == NULL && v.c.number && *v.c.number)
        number = v.c.number;
    const char *title =
        case_fields_display(r->db, r->arena, v.c.m, v.c.fields, "title");
    if (title == NULL)
        title = v.c.title;

    fd = api_pdf_tmpfile(r);
    if (fd < 0) {
        http_reply_status(r, 500, "公文版式文件生成失败，请稍后重试");
        goto out;
    }
    if (doc_out_pdf(r->db, r->arena, v.c.fields, v.c.number, v.c.title, fd,
                    &e)) {
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
                    api_pdf_disposition(r, title ? title : "公文"));
    http_add_header(r, "X-Content-Type-Options", "nosniff");
out:
    if (fd >= 0)
        close(fd);
    return 0;
}
