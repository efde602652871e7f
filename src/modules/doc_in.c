/*
 * doc_in.c - 收文办理: the rulebook of incoming official documents, as the
 * case engine's table (kernel/module.h) plus the few rules that are its own.
 * 《党政机关公文处理工作条例》 第二十四条: 签收、登记、初审、承办、传阅、催办、
 * 答复.  Seed 003: "一律由秘书科签收、拆封、登记，并根据内容统一分送相关对口秘书。
 * 公文承办人员……提出明确拟办意见，按程序报批办理".
 *
 * A document arrives on paper (the receiving office registers it by hand)
 * or through the platform's exchange: issuing (核发) an outgoing document
 * (doc_out) creates one incoming document per receiving unit with
 * recv_unit, from_unit and source_case set; it then waits for 签收.
 *
 *   to_sign 待签收 --sign 签收--> to_register 待登记
 *   to_register --register 登记 (收文编号 收文〔{year}〕{n}号)--> to_check 待初审
 *   to_check --accept 初审通过--> to_propose 待拟办
 *   to_check --reject 退文 (reasons required)--> returned 已退文 (closed)
 *   to_propose --propose 拟办 (拟办意见, handling unit, 批办领导)--> to_instruct
 *   to_propose --circulate 送传阅 (阅件: no handling)--> circulating
 *   to_instruct --instruct 批办 (批示)--> handling 承办中
 *   to_instruct --send_back 退回拟办--> to_propose
 *   handling  open_supervision 立项督办 (stays): a linked supervision item
 *             urge 催办 (stays)
 *   handling --circulate 送传阅 (readers)--> circulating 传阅中
 *   circulating --read 已阅 (every reader once, with an optional comment;
 *                the case waits only for readers who have not read it
 *                yet, and moves when the last one has)--> circulated 传阅完毕
 *   handling,circulating,circulated --complete 办结--> done 办结 (closed)
 *   handling,circulating,circulated --reply 答复 (result required)--> done
 *   done,returned --archive 归档--> archived 归档
 *
 * Who:  clerk or staff of the receiving unit (recv_unit, the owner: 秘书科
 *           in the general office, a department's own office elsewhere)
 *           sign, register, check (accept / reject), propose, circulate,
 *           urge, complete, archive;
 *       the leader named in `leader` (批办领导) instructs;
 *       staff or leader of the handling unit (handling_unit) handle:
 *           open a supervision item, circulate, complete, reply;
 *       the readers read.
 *
 * Clocks (working days; every length is a setting "doc_in.limit.<step>"):
 *   sign      签收时限  1, from creation to 签收;
 *   register  登记时限  1, 签收 to 登记;
 *   check     初审时限  1, 登记 to 初审;
 *   propose   拟办时限  1, 初审 to 拟办;
 *   instruct  批办时限  2, 拟办 to 批办;
 *   handle    办理时限  the main clock, 登记 to 办结/答复: 15, 加急 5, 特急 2
 *                       (doc_in.limit.normal|urgent|very_urgent), or the
 *                       `deadline` date when given (it ends at 24:00);
 *   read      传阅时限  3, while circulating (only turns the case yellow).
 *
 * Own rules (functions below): an urgent document (加急, 特急) carries a
 * handling deadline and a named chaser (催办人) from 登记 on; the opinions
 * of 拟办 and 批办 are kept in the fields proposal and instruction; the
 * time of 签收 is kept (回执 for the sender); 立项督办 registers a
 * supervision item through the kernel (case_create("supervision")) with
 * the document's title and handling unit and links it to the document.
 */
#include "modules/doc_in.h"

#include <string.h>

#include "base/now.h"
#include "kernel/case.h"
#include "modules/doc_out.h"

/* ---- fields ---- */

static const struct choice_def doc_in_secrecy[] = {
    {"0", "非密"}, {"1", "秘密"}, {"2", "机密"}, {"3", "绝密"}, {0},
};

static const struct choice_def doc_in_urgency[] = {
    {"none", "平件"},
    {"urgent", "加急"},
    {"very_urgent", "特急"},
    {0},
};


static const struct field_def doc_in_fields[] = {
    {"title", "标题", FIELD_TEXT, FIELD_IS_TITLE,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT, "*", "clerk,staff", 0, NULL,
     NULL, 200, 0, "来文标题，照录原文"},
    {"issuer", "来文机关", FIELD_TEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT, "*", "clerk,staff", 0, NULL,
     NULL, 100, 0, "如“省人民政府办公厅”"},
    {"doc_number", "来文字号", FIELD_TEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT, NULL, "clerk,staff", 0, NULL,
     NULL, 60, 0, "如“省政办发〔2026〕12号”"},
    {"from_unit", "来文单位", FIELD_UNIT, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_FILTER, NULL, NULL, 0, NULL, NULL, 0, 0,
     "来文单位在本平台上时填写"},
    {"recv_unit", "收文单位", FIELD_UNIT, FIELD_IS_OWNER_UNIT,
     FIELD_EXPORT | FIELD_FILTER, NULL, NULL, 0, NULL, NULL, 0, 0,
     "签收本件的单位；不填为登记人所在单位"},
    {"doc_type", "文种", FIELD_TEXT, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT, NULL, "clerk,staff", 0, NULL, NULL, 10, 0,
     "通知、请示、报告、函等"},
    {"secrecy", "密级", FIELD_CHOICE, FIELD_IS_SECRECY, FIELD_EXPORT, "*",
     "clerk", 0, doc_in_secrecy, "0", 0, 0, NULL},
    {"secrecy_term", "保密期限", FIELD_TEXT, FIELD_PLAIN, FIELD_EXPORT, NULL,
     "clerk", 0, NULL, NULL, 20, 0, "如“20年”；按来文照录"},
    {"urgency", "紧急程度", FIELD_CHOICE, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, "*", "clerk,staff", 0,
     doc_in_urgency, "none", 0, 0, "加急、特急件须填写办理时限和催办人"},
    {"copies", "份数", FIELD_NUMBER, FIELD_PLAIN, FIELD_EXPORT, NULL,
     "clerk,staff", 0, NULL, NULL, 100000, 0, NULL},
    {"summary", "内容摘要", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT, NULL, "clerk,staff", 0, NULL, NULL, 0, 0,
     "来文主要内容和要求"},
    {"received_at", "签收时间", FIELD_DATETIME, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0, 0, NULL},
    {"received_no", "收文编号", FIELD_TEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL,
     60, 0, "登记时按收文编号规则自动生成"},
    {"handling_unit", "承办单位", FIELD_UNIT, FIELD_IS_LEAD_UNIT,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, "to_instruct,handling", "clerk",
     0, NULL, NULL, 0, 0, NULL},
    {"leader", "批办领导", FIELD_PERSON, FIELD_IS_SIGNER, FIELD_EXPORT,
     "to_instruct", "clerk", 0, NULL, NULL, 0, 0, "提出批示意见的领导"},
    {"proposal", "拟办意见", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0,
     0, NULL},
    {"instruction", "领导批示", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL,
     0, 0, NULL},
    {"deadline", "办理时限", FIELD_DATE, FIELD_IS_DEADLINE,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, NULL, "clerk", 0, NULL, NULL, 0,
     0, "加急、特急件必填，当日24时截止"},
    {"chaser", "催办人", FIELD_PERSON, FIELD_PLAIN, FIELD_EXPORT, NULL, "clerk",
     0, NULL, NULL, 0, 0, "加急、特急件必填"},
    {"readers", "传阅人", FIELD_PERSONS, FIELD_IS_READERS, FIELD_EXPORT,
     "circulating,circulated", "clerk", 0, NULL, NULL, 0, 0, NULL},
    {"result", "办理结果", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0,
     0, "办结情况或答复内容"},
    {"urge_count", "催办次数", FIELD_NUMBER, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, "0", 1000000, 0, NULL},
    {"source_case", "来文原件", FIELD_NUMBER, FIELD_PLAIN, FIELD_HIDDEN, NULL,
     NULL, 0, NULL, NULL, 0, 0, "本平台发文的编号（公文交换时填写）"},
    {0},
};

/* ---- states ---- */

static const struct state_def doc_in_states[] = {
    {"to_sign", "待签收", STATE_INITIAL, REL_SAME_UNIT, "clerk,staff"},
    {"to_register", "待登记", 0, REL_SAME_UNIT, "clerk,staff"},
    {"to_check", "待初审", 0, REL_SAME_UNIT, "clerk,staff"},
    {"to_propose", "待拟办", 0, REL_SAME_UNIT, "clerk,staff"},
    {"to_instruct", "待批办", 0, REL_SIGNER, "leader"},
    {"handling", "承办中", 0, REL_LEAD_UNIT, "staff,leader,clerk"},
    {"circulating", "传阅中", 0, REL_READER, NULL},
    {"circulated", "传阅完毕", 0, REL_SAME_UNIT | REL_LEAD_UNIT,
     "clerk,staff"},
    {"done", "办结", STATE_CLOSED, 0, NULL},
    {"returned", "已退文", STATE_CLOSED, 0, NULL},
    {"archived", "归档", STATE_CLOSED | STATE_ARCHIVED, 0, NULL},
    {0},
};

/* ---- clocks ---- */

static const struct clock_length doc_in_limits[] = {
    {"none", 15, "doc_in.limit.normal"},
    {"urgent", 5, "doc_in.limit.urgent"},
    {"very_urgent", 2, "doc_in.limit.very_urgent"},
    {0},
};

static const struct clock_def doc_in_clocks[] = {
    {"sign", "签收时限", CLOCK_WORKDAYS, 1, NULL, NULL, NULL, CLOCK_WARN_NONE,
     0, 0, "doc_in.limit.sign", 0},
    {"register", "登记时限", CLOCK_WORKDAYS, 1, NULL, NULL, NULL,
     CLOCK_WARN_NONE, 0, 0, "doc_in.limit.register", 0},
    {"check", "初审时限", CLOCK_WORKDAYS, 1, NULL, NULL, NULL, CLOCK_WARN_NONE,
     0, 0, "doc_in.limit.check", 0},
    {"propose", "拟办时限", CLOCK_WORKDAYS, 1, NULL, NULL, NULL,
     CLOCK_WARN_NONE, 0, 0, "doc_in.limit.propose", 0},
    {"instruct", "批办时限", CLOCK_WORKDAYS, 2, NULL, NULL, NULL,
     CLOCK_WARN_NONE, 0, 0, "doc_in.limit.instruct", 0},
    {"handle", "办理时限", CLOCK_WORKDAYS, 15, "urgency", doc_in_limits,
     "deadline", CLOCK_WARN_WORKDAYS, 1, 1, "doc_in.limit.normal", 0},
    {"read", "传阅时限", CLOCK_WORKDAYS, 3, NULL, NULL, NULL, CLOCK_WARN_NONE,
     0, 0, "doc_in.limit.read", 1},
    {0},
};

/* ---- own rules ---- */

/* 1 when the document is 加急 or 特急. */
static int doc_in_is_urgent(const struct case_ctx *c)
{
    const char *u = case_val_text(c, "urgency");
    return u != NULL && strcmp(u, "none") != 0;
}

/* From 登记 on, an urgent document carries a deadline and a chaser. */
static int doc_in_validate(struct case_ctx *c, struct err *e)
{
    int bad = 0;
    if (c->to == NULL || strcmp(c->to->code, "to_sign") == 0 ||
        strcmp(c->to->code, "to_register") == 0 || !doc_in_is_urgent(c))
        return 0;
    if (case_val_text(c, "deadline") == NULL)
        bad = err_field(e, "deadline", "加急、特急件须填写办理时限");
    if (case_val_text(c, "chaser") == NULL)
        bad = err_field(e, "chaser", "加急、特急件须指定催办人");
    return bad;
}

/* 签收: the time is kept (the sender's 回执). */
static int doc_in_note_signed(struct case_ctx *c, struct err *e)
{
    char iso[26];
    ms_fmt_iso(c->now, iso);
    return case_val_set(c, "received_at", iso, e);
}

/* 登记: the engine has just taken the 收文编号; it is also a field. */
static int doc_in_note_number(struct case_ctx *c, struct err *e)
{
    return case_val_set(c, "received_no", c->number, e);
}

/* 拟办, 批办, 办结, 答复: the opinion given is kept in its field. */
static int doc_in_keep_proposal(struct case_ctx *c, struct err *e)
{
    return case_val_set(c, "proposal", c->comment, e);
}

static int doc_in_keep_instruction(struct case_ctx *c, struct err *e)
{
    return case_val_set(c, "instruction", c->comment, e);
}

static int doc_in_keep_result(struct case_ctx *c, struct err *e)
{
    if (c->comment == NULL || c->comment[0] == '\0')
        return 0;
    return case_val_set(c, "result", c->comment, e);
}

static int doc_in_count_urge(struct case_ctx *c, struct err *e)
{
    return case_val_set_int(c, "urge_count",
                            case_val_int(c, "urge_count", 0) + 1, e);
}

/* 立项督办: a supervision item with the document's title, its handling
 * unit as lead unit and its 密级, linked to the document (kind "source"),
 * in the name of whoever fires it.  The supervision module is reached
 * through the kernel by its code; this file does not know it. */
static int doc_in_open_supervision(struct case_ctx *c, struct err *e)
{
    json_t *f = json_object();
    const char *unit = case_val_text(c, "handling_unit");
    const char *ref = case_val_text(c, "received_no");
    const char *req = case_val_text(c, "instruction");
    struct case_new n = {.module = "supervision", .fields = f};
    int64_t id = 0;
    int rc = -1;

    json_object_set_new(f, "title", json_string(case_val_text(c, "title")));
    json_object_set_new(f, "source", json_string("document"));
    json_object_set_new(
        f, "secrecy",
        json_string(case_val_text(c, "secrecy") != NULL
                        ? case_val_text(c, "secrecy")
                        : "0"));
    if (ref != NULL)
        json_object_set_new(f, "source_ref", json_string(ref));
    if (req != NULL)
        json_object_set_new(f, "requirement", json_string(req));
    if (unit != NULL)
        json_object_set_new(f, "lead_unit", json_string(unit));
    if (case_val_text(c, "deadline") != NULL)
        json_object_set_new(f, "deadline",
                            json_string(case_val_text(c, "deadline")));
    n.comment = c->comment;
    if (case_create(c->db, c->a, c->who, &n, &id, e) != 0)
        goto out;
    if (case_link(c->db, c->a, c->who, c->id, id, "source", e) != 0)
        goto out;
    rc = 0;
out:
    json_decref(f);
    return rc;
}

/* ---- transitions ---- */

static const struct transition_def doc_in_transitions[] = {
    {.code = "sign",
     .label = "签收",
     .from = "to_sign",
     .to = "to_register",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .comment = 1,
     .clocks = {{"sign", CLOCK_OP_STOP}, {"register", CLOCK_OP_START}},
     .flags = TR_PRIMARY,
     .apply = doc_in_note_signed,
     .done_message = "已签收，请拆封登记",
     .notify_rel = REL_CREATOR},
    {.code = "register",
     .label = "登记",
     .from = "to_register",
     .to = "to_check",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .fields = "title,issuer,doc_number,doc_type,secrecy,secrecy_term,"
               "urgency,copies,summary,deadline,chaser",
     .comment = 1,
     .clocks = {{"register", CLOCK_OP_STOP},
                {"check", CLOCK_OP_START},
                {"handle", CLOCK_OP_START}},
     .flags = TR_PRIMARY | TR_NUMBER,
     .apply = doc_in_note_number,
     .done_message = "已登记，收文编号{received_no}"},
    {.code = "accept",
     .label = "初审通过",
     .from = "to_check",
     .to = "to_propose",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .comment = 1,
     .opinion = "初审意见",
     .clocks = {{"check", CLOCK_OP_STOP}, {"propose", CLOCK_OP_START}},
     .flags = TR_PRIMARY | TR_OPINION,
     .done_message = "初审通过，请提出拟办意见"},
    {.code = "reject",
     .label = "退文",
     .from = "to_check",
     .to = "returned",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .comment = 2,
     .opinion = "退文理由",
     .clocks = {{"check", CLOCK_OP_STOP}, {"handle", CLOCK_OP_STOP}},
     .flags = TR_DANGER | TR_CONFIRM | TR_OPINION,
     .done_message = "已退文，并告知来文单位退文理由",
     .notify_rel = REL_CREATOR},
    {.code = "propose",
     .label = "拟办",
     .from = "to_propose",
     .to = "to_instruct",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .fields = "handling_unit,leader,deadline,chaser",
     .required = "handling_unit,leader",
     .comment = 2,
     .opinion = "拟办意见",
     .clocks = {{"propose", CLOCK_OP_STOP}, {"instruct", CLOCK_OP_START}},
     .flags = TR_PRIMARY | TR_OPINION,
     .apply = doc_in_keep_proposal,
     .done_message = "已提出拟办意见，报{leader}批办"},
    {.code = "instruct",
     .label = "批办",
     .from = "to_instruct",
     .to = "handling",
     .roles = "leader",
     .rel = REL_SIGNER,
     .fields = "handling_unit,deadline",
     .comment = 2,
     .opinion = "批示",
     .clocks = {{"instruct", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY | TR_OPINION,
     .apply = doc_in_keep_instruction,
     .done_message = "已批办，交{handling_unit}承办",
     .notify_rel = REL_LEAD_UNIT,
     .notify_roles = "staff,leader"},
    {.code = "send_back",
     .label = "退回拟办",
     .from = "to_instruct",
     .to = "to_propose",
     .roles = "leader",
     .rel = REL_SIGNER,
     .comment = 2,
     .opinion = "退回意见",
     .clocks = {{"instruct", CLOCK_OP_STOP}, {"propose", CLOCK_OP_START}},
     .flags = TR_DANGER | TR_OPINION,
     .done_message = "已退回重新拟办",
     .notify_rel = REL_SAME_UNIT,
     .notify_roles = "clerk,staff"},
    {.code = "open_supervision",
     .label = "立项督办",
     .from = "handling",
     .roles = "clerk",
     .rel = REL_SAME_UNIT | REL_LEAD_UNIT,
     .comment = 1,
     .flags = TR_CONFIRM,
     .apply = doc_in_open_supervision,
     .done_message = "已立项督办，督办事项与本件关联"},
    {.code = "urge",
     .label = "催办",
     .from = "handling,circulating",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .comment = 2,
     .opinion = "催办意见",
     .flags = TR_OPINION,
     .apply = doc_in_count_urge,
     .done_message = "已向{handling_unit}发出催办",
     .notify_rel = REL_LEAD_UNIT | REL_READER,
     .notify_roles = "staff,leader,clerk"},
    {.code = "circulate",
     .label = "送传阅",
     .from = "to_propose,handling",
     .to = "circulating",
     .roles = "clerk,staff,leader",
     .rel = REL_SAME_UNIT | REL_LEAD_UNIT,
     .fields = "readers",
     .required = "readers",
     .comment = 1,
     .clocks = {{"propose", CLOCK_OP_STOP}, {"read", CLOCK_OP_START}},
     .flags = TR_PRIMARY,
     .done_message = "已送{readers}传阅"},
    {.code = "read",
     .label = "已阅",
     .from = "circulating",
     .to = "circulated",
     .rel = REL_READER,
     .comment = 1,
     .opinion = "阅批意见",
     .clocks = {{"read", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY | TR_OPINION,
     .all_rel = REL_READER,
     .done_message = "已阅",
     .notify_rel = REL_SAME_UNIT,
     .notify_roles = "clerk,staff"},
    {.code = "complete",
     .label = "办结",
     .from = "handling,circulating,circulated",
     .to = "done",
     .roles = "clerk,staff,leader",
     .rel = REL_SAME_UNIT | REL_LEAD_UNIT,
     .comment = 1,
     .opinion = "办结情况",
     .clocks = {{"handle", CLOCK_OP_STOP}, {"read", CLOCK_OP_STOP}},
     .flags = TR_CONFIRM | TR_OPINION,
     .apply = doc_in_keep_result,
     .done_message = "已办结"},
    {.code = "reply",
     .label = "答复",
     .from = "handling,circulating,circulated",
     .to = "done",
     .roles = "clerk,staff,leader",
     .rel = REL_SAME_UNIT | REL_LEAD_UNIT,
     .comment = 2,
     .opinion = "答复意见",
     .clocks = {{"handle", CLOCK_OP_STOP}, {"read", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY | TR_OPINION,
     .apply = doc_in_keep_result,
     .done_message = "已答复来文单位",
     .notify_rel = REL_CREATOR},
    {.code = "archive",
     .label = "归档",
     .from = "done,returned",
     .to = "archived",
     .roles = "clerk,staff",
     .rel = REL_SAME_UNIT,
     .flags = TR_CONFIRM,
     .done_message = "已归档"},
    {0},
};

/* ---- the module ---- */

const struct module_def doc_in_module = {
    .code = "doc_in",
    .label = "收文办理",
    .case_label = "收文",
    .icon = "收",
    .sort = 30,
    .fields = doc_in_fields,
    .states = doc_in_states,
    .transitions = doc_in_transitions,
    .clocks = doc_in_clocks,
    .number_pattern = DOC_IN_NUMBER_PATTERN,
    .create_roles = "clerk,staff",
    .validate = doc_in_validate,
    .mark = doc_out_item_mark, /* 机密★20年, as on the outgoing document */
    .mark_fields = doc_out_mark_fields,
    .create_clocks = {{"sign", CLOCK_OP_START}},
};
