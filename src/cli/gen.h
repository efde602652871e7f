/*
 * gen.h - what the data generator (gen.c, `shuniu gen`) and its text
 * grammar (gen_text.c) share: a small reproducible random generator and the
 * phrase grammar that writes titles, bodies and opinions of a government
 * office in Chinese.
 *
 * Everything is reproducible: the same seed gives the same text.  Nothing
 * here touches the database.
 */
#ifndef SHUNIU_CLI_GEN_H
#define SHUNIU_CLI_GEN_H

#include <stdint.h>

#include "base/buf.h"

/* splitmix64 state, and the text context of the case being written
 * (gen_text_context): its topic and module, which the grammar keeps to so
 * that one case reads as one matter. */
struct gen_rng {
    uint64_t s;
    int topic;  /* index of a topic (gen_text_topics), -1: any sentence */
    int domain; /* enum gen_domain */
};

/* Whose words a text uses beside its topic's. */
enum gen_domain {
    GEN_DOMAIN_NONE = 0,
    GEN_DOMAIN_SUPERVISION, /* 督办, 整改, 台账 ... */
    GEN_DOMAIN_DOCUMENT,    /* 通知, 贯彻落实 ... */
};

/* splitmix64: tiny, fast and good enough for test data (not for secrets).
 * Seeding clears the text context (topic -1, no domain). */
void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* 0 .. n-1 (n > 0). */
int gen_rng_below(struct gen_rng *r, int n);
/* lo .. hi inclusive. */
int gen_rng_range(struct gen_rng *r, int lo, int hi);
/* 1 with probability pct percent. */
int gen_rng_pct(struct gen_rng *r, int pct);

/* What a title names. */
enum gen_title {
    GEN_TITLE_TASK, /* a supervised task: "加快推进青山区老旧小区改造" */
    GEN_TITLE_DOC, /* a document: "关于做好2026年防汛抗旱工作的通知" */
};

/* Title length in characters. */
#define GEN_TITLE_MIN 10
#define GEN_TITLE_MAX 30

/* Appends a title of GEN_TITLE_MIN..GEN_TITLE_MAX characters; doc_type
 * ("通知") ends a document's title (NULL: one is picked). */
void gen_text_title(struct gen_rng *r, enum gen_title kind,
                    const char *doc_type, struct buf *out);
/* Appends paragraphs of about min_chars..max_chars characters (whole
 * sentences: it stops at the first sentence end past min_chars and never
 * passes max_chars by more than one sentence). */
void gen_text_body(struct gen_rng *r, int min_chars, int max_chars,
                   struct buf *out);
/* Appends an opinion of the kind its label says ("退回理由", "签发意见",
 * "交办意见", "催办意见", ...; NULL or unknown: a general remark); refusal
 * 1: the reasons of a 退回 or a refusal. */
void gen_text_opinion(struct gen_rng *r, const char *kind, int refusal,
                      struct buf *out);
/* An issuing body outside the platform ("省人民政府办公厅") and its 代字
 * ("省政办发"), picked together by index i (any int). */
const char *gen_text_issuer(int i, const char **prefix);
/* A document type of the 条例 as written in titles ("通知", "请示" ...). */
const char *gen_text_doc_type(struct gen_rng *r);
/* The number of topics (安全生产, 防汛抗旱, 营商环境 ...). */
int gen_text_topics(void);
/* Sets the text context of what follows: topic (0 .. gen_text_topics()-1,
 * or -1) and domain. */
void gen_text_context(struct gen_rng *r, int topic, enum gen_domain domain);
/* Characters (code points) of UTF-8 text. */
long gen_text_chars(const char *s);

#endif
