/*
 * gbt9704.h - an outgoing document (发文) laid out as GB/T 9704-2012
 * 《党政机关公文格式》 prescribes, written as PDF (cairo + pango; the fonts
 * are embedded as subset CID fonts with ToUnicode, so the text can be
 * searched and copied).  The layout numbers and the clauses they come
 * from are listed at the top of gbt9704.c.
 *
 * Rendering is slow work (tens of milliseconds): web routes calling it are
 * ROUTE_SLOW.  The renderer keeps no state between calls and may run on
 * several threads at once.
 */
#ifndef SHUNIU_GBT9704_H
#define SHUNIU_GBT9704_H

#include <stddef.h>

#include "base/err.h"

/* The elements of the document as plain UTF-8 text; NULL or "" leaves an
 * element out.  Nothing is borrowed past the call. */
struct gbt9704_doc {
    const char *copy_no;     /* 份号: digits, zero-padded to 6 */
    const char *secrecy;     /* 密级和保密期限, e.g. "机密★20年" */
    const char *urgency;     /* 紧急程度: "特急" / "加急" */
    const char *issuer_mark; /* 发文机关标志, e.g. "某市人民政府办公室文件" */
    const char *doc_number;  /* 发文字号, e.g. "市政办发〔2026〕12号" */
    const char *signer;      /* 签发人 (上行文): names, "、"-separated */
    const char *title;       /* 标题 (2号小标宋); '\n' forces a break */
    const char *main_to;     /* 主送机关; "：" is added when missing */
    const char *body; /* 正文: paragraphs separated by '\n'; a paragraph
                         starting 一、 （一） 1. （1） is a heading */
    const char *attachment_note; /* 附件说明: one attachment a line */
    const char *issuer_sign;     /* 发文机关署名 */
    const char *date;            /* 成文日期, "2026年11月26日" */
    const char *notes;           /* 附注, printed in （） */
    const char *copy_to;         /* 抄送机关 */
    const char *print_unit;      /* 印发机关 */
    const char *print_date;      /* 印发日期; "印发" is appended */
    int draft; /* 1: a diagonal "草稿" on every page and no 发文字号 */
};

/* Heading levels of a body paragraph (GB/T 9704-2012 7.3.3). */
enum gbt9704_level {
    GBT9704_PLAIN = 0, /* body text, 3号仿宋 */
    GBT9704_L1 = 1,    /* 一、    3号黑体 */
    GBT9704_L2 = 2,    /* （一）  3号楷体 */
    GBT9704_L3 = 3,    /* 1.      3号仿宋 */
    GBT9704_L4 = 4,    /* （1）   3号仿宋 */
};

/* The heading level of a paragraph (UTF-8, len bytes), from its first
 * characters; *head gets the length in bytes of the heading proper: the
 * whole paragraph, or up to and including its first "。" when body text
 * follows in the same paragraph.  Never fails. */
enum gbt9704_level gbt9704_level_of(const char *para, size_t len,
                                    size_t *head);

/* Renders d as a PDF to the file at path (created or truncated).  0, or -1
 * with e set (400 "invalid" when the title or body is missing, 500 when
 * the file cannot be written). */
int gbt9704_render(const struct gbt9704_doc *d, const char *path,
                   struct err *e);

/* The same, written to the open file descriptor fd (not closed; its
 * offset is left at the end of the PDF). */
int gbt9704_render_fd(const struct gbt9704_doc *d, int fd, struct err *e);

#endif
