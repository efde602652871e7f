/*
 * doc_out.h - 发文 beyond its table: the rules the tests call directly, the
 * receipts (回执) of a document delivered by the exchange, and the figures.
 *
 * Files:
 *     doc_out.c        the module table and its own rules (numbering at
 *                      登记, 上行文, edits after 签发, the exchange)
 *     doc_out_stats.c  回执 and the figures of a period
 *
 * The faces (web/api_doc_out.c) call these; nothing here knows HTTP.
 */
#ifndef SHUNIU_MODULES_DOC_OUT_H
#define SHUNIU_MODULES_DOC_OUT_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "kernel/module.h"
#include "store/store.h"

extern const struct module_def doc_out_module;

/* 1 when a document of doc_type (the Chinese name: "请示") is 上行文 (sent
 * to a higher body): 请示 and 报告 always, any type when main_to_above is 1
 * (a 主送机关 is a unit above the issuing body).  An upward document must
 * name its 签发人 before it leaves the drafter. */
int doc_out_is_upward(const char *doc_type, int main_to_above);

/* The 发文字号 pattern of a 机关代字 ("市政办发" ->
 * "市政办发〔{year}〕{n}号"), allocated from a; NULL when the 代字 is empty,
 * longer than 20 characters or holds a brace or a bracket. */
const char *doc_out_pattern(struct arena *a, const char *prefix);

/* The mark of a classified document ("机密★20年"; "秘密" without a term);
 * "" for secrecy 0.  term: the 保密期限 as entered ("20年", "20", "长期";
 * digits alone get 年). */
const char *doc_out_mark(struct arena *a, int secrecy, const char *term);
/* The mark of a 公文 case (doc_out, doc_in) in list rows and on its
 * pages: doc_out_mark of its 密级 and secrecy_term field ("" when not
 * classified).  A module_def mark hook. */
const char *doc_out_item_mark(struct arena *a, const struct case_item *it);
/* The fields doc_out_item_mark reads (module_def.mark_fields). */
extern const char *const doc_out_mark_fields[];

/* ---- 回执 and figures (doc_out_stats.c) ---- */

/* One unit a document was delivered to. */
struct doc_out_receipt {
    int64_t case_id;       /* the doc_in case (0 when the viewer may not
                              see it) */
    const char *unit;      /* code */
    const char *unit_name;
    const char *state;     /* the doc_in case's state code */
    int signed_for;        /* 1 once it left its first state (签收) */
    const char *by_name;   /* who signed for it ("" before) */
    int64_t at_ms;         /* when (0 before) */
};

/* The receipts of doc_out case id as who sees it (404 when who does not
 * see the document).  0, or -1 with e. */
int doc_out_receipts(struct store *db, struct arena *a, const struct actor *who,
                     int64_t id, struct doc_out_receipt **out, int *n,
                     struct err *e);

/* Time spent at one step over a period. */
struct doc_out_step {
    const char *state; /* code */
    const char *label;
    int64_t now;       /* documents at this step now */
    int64_t passes;    /* stays at this step that ended in the period */
    double avg_hours;  /* their mean length, hours */
    double p90_hours;  /* 90th percentile (nearest rank), hours */
};

struct doc_out_count {
    const char *key; /* 文种 name or unit code */
    const char *label;
    int64_t n;
};

struct doc_out_figures {
    struct doc_out_step *steps; /* one per state, in table order */
    int nsteps;
    int64_t overdue; /* open documents whose step limit has run out */
    struct doc_out_count *types, *units;
    int ntypes, nunits;
};

/* The figures of documents who may see, stays ending in [from_ms, to_ms):
 * steps now, average and 90th percentile per step, overdue, counts by 文种
 * and by drafting unit (documents registered in the period).  0 / -1. */
int doc_out_stats(struct store *db, struct arena *a, const struct actor *who,
                  int64_t from_ms, int64_t to_ms, struct doc_out_figures *out,
                  struct err *e);

/* The nearest-rank p-th percentile (0 < p <= 100) of v[0..n) (sorted in
 * place); 0 when n is 0. */
double doc_out_percentile(double *v, int n, int p);

/* ---- the PDF (doc_out_pdf.c) ---- */

/* The document as GB/T 9704-2012 PDF into fd, from its
 * fields (API form: a case_view's or a case_ctx's); number is the case's
 * number when the doc_number field is unset, title the fallback title.
 * Without a number it is laid out as a draft (草稿).  0 / -1 (e set: fonts
 * or cairo failed). */
int doc_out_pdf(struct store *db, struct arena *a, json_t *fields,
                const char *number, const char *title, int fd, struct err *e);
/* The 密级 of those fields, 0..3 (0 when unset). */
int doc_out_secrecy_of(json_t *fields);

/* ---- demo (doc_out_demo.c) ---- */

/* Adds the demo office's 50 outgoing documents (drafted by the office's
 * sections and the departments, in every step from 拟稿 to 归档; those
 * issued deliver incoming documents to their units) unless there are
 * outgoing documents already.  Needs the demo office (demo_build).
 * 0 / -1 with e. */
int doc_out_demo(struct store *db, struct arena *a, struct err *e);

#endif
