/*
 * doc_out_pdf.c - an outgoing document laid out by GB/T 9704-2012: the
 * fields of a doc_out case mapped onto the elements of kernel/gbt9704.c.
 *
 * Two callers: the PDF route (web/api_pdf.c), from the draft on, and 核发
 * (doc_out.c), which attaches the issued original to every incoming
 * document it delivers.  Both read the same fields, so the copy a unit signs
 * for is the page the sender printed.
 *
 * What the layout needs beyond the raw values:
 *   - names, not codes: 发文机关, 主送, 抄送 and 印发机关 are unit codes and
 *     签发人 a login; case_fields_display gives what people read;
 *   - the 发文机关标志: "<issuer>文件", "<issuer>纪要" for 纪要, the bare
 *     name for 函 (GB/T 9704 10.1, 10.3);
 *   - 签发人 only on 上行文 (请示, 报告): 7.2.4;
 *   - 紧急程度 only 特急 / 加急: the standard's two marks;
 *   - dates in Chinese with Arabic numerals and no leading zeros: 7.3.5;
 *   - a document without a 发文字号 yet is a draft: marked 草稿.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/case.h"
#include "kernel/gbt9704.h"
#include "modules/doc_out.h"

/* The raw value (a code, YYYY-MM-DD), not the display text. */
static const char *doc_out_pdf_raw(json_t *fields, const char *code)
{
    json_t *j = fields != NULL ? json_object_get(fields, code) : NULL;
    return json_is_string(j) && *json_string_value(j) ? json_string_value(j)
                                                      : NULL;
}

/* "2026-11-26" -> "2026年11月26日"; other text unchanged. */
static const char *doc_out_pdf_date(struct arena *a, const char *s)
{
    int y, m, d, n = 0;
    if (s == NULL)
        return NULL;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
        (s[n] == '\0' || s[n] == 'T'))
        return arena_printf(a, "%d年%d月%d日", y, m, d);
    return s;
}

int doc_out_secrecy_of(json_t *fields)
{
    json_t *j = fields != NULL ? json_object_get(fields, "secrecy") : NULL;
    if (json_is_integer(j))
        return (int)json_integer_value(j);
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
            return s[0] - '0';
    }
    return 0;
}

/* The 发文机关标志 for this 文种 (GB/T 9704 7.2.3, 10.1, 10.3). */
static const char *doc_out_pdf_issuer_mark(struct arena *a, const char *type,
                                           const char *issuer)
{
    if (issuer == NULL)
        return NULL;
    if (type != NULL && strcmp(type, "函") == 0)
        return issuer;
    if (type != NULL && strcmp(type, "纪要") == 0)
        return arena_printf(a, "%s纪要", issuer);
    return arena_printf(a, "%s文件", issuer);
}

int doc_out_pdf(struct store *db, struct arena *a, json_t *fields,
                const char *number, const char *title, int fd, struct err *e)
{
    const struct module_def *m = &doc_out_module;
#define SHOW(code) case_fields_display(db, a, m, fields, code)
    const char *type = SHOW("doc_type");
    const char *issuer = SHOW("issuer");
    const char *urgency = SHOW("urgency");
    const char *doc_number = SHOW("doc_number");

    if (doc_number == NULL && number != NULL && *number)
        doc_number = number;
    if (urgency != NULL && strstr(urgency, "特急") == NULL &&
        strstr(urgency, "加急") == NULL)
        urgency = NULL;
    /* 请示 and 报告 go upward whoever they are addressed to; the module's
     * unit-tree rule has already required a 签发人 for the others */
    int upward = type != NULL && doc_out_is_upward(type, 0);

    struct gbt9704_doc d = {
        .copy_no = SHOW("copy_no"),
        .secrecy = doc_out_mark(a, doc_out_secrecy_of(fields),
                                SHOW("secrecy_term")),
        .urgency = urgency,
        .issuer_mark = doc_out_pdf_issuer_mark(a, type, issuer),
        .doc_number = doc_number,
        .signer = upward ? SHOW("signer") : NULL,
        .title = SHOW("title"),
        .main_to = SHOW("main_to"),
        .body = SHOW("body"),
        .attachment_note = SHOW("attachment_note"),
        .issuer_sign = SHOW("issuer_sign"),
        .date = doc_out_pdf_date(a, doc_out_pdf_raw(fields, "date")),
        .notes = SHOW("notes"),
        .copy_to = SHOW("copy_to"),
        .print_unit = SHOW("print_unit"),
        .print_date = doc_out_pdf_date(a, doc_out_pdf_raw(fields, "print_date")),
        .draft = doc_number == NULL,
    };
#undef SHOW
    if (d.issuer_sign == NULL)
        d.issuer_sign = issuer;
    if (d.title == NULL)
        d.title = title;
    return gbt9704_render_fd(&d, fd, e);
}
