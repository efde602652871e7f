/*
 * supervision.c - 督查督办: the rulebook of supervised items, as the case
 * engine's table (kernel/module.h) plus the few rules that are its own.
 *
 * An item (督办事项) comes from a leader's instruction (领导批示), a meeting
 * decision (会议议定), a task of the government work report (政府工作报告),
 * a document, a proposal or a petition.  督查科 registers it (立项) and
 * assigns it (交办) to one lead unit (牵头单位) with co-units (协办单位), a
 * standard (督办要求) and a time limit; the lead unit signs for it (签收)
 * within one working day or declines it with reasons, reports progress,
 * asks for more time (the supervising leader decides), and asks for it to
 * be closed with its result; 督查科 returns it or closes it (办结), then
 * scores it (成效考核) and files it (归档).  "事事有着落，件件有结果" (seed
 * 003).
 *
 *   registered 立项 --assign 交办--> assigned 待签收 --accept 签收-->
 * in_progress ^                              |                        办理中
 *        +------- decline 退回交办 -----+        report 报送进展 (stays)
 *                 (within the sign-for limit,    urge 催办 (stays, counted)
 *                  reasons required)             request_extension 申请延期
 *                                                 -> approve_extension 同意延期
 *                                                 -> reject_extension
 * 不同意延期 in_progress --request_completion 申请办结--> completion_requested
 * 申请办结 completion_requested --return 退回重办--> in_progress
 *   completion_requested --complete 办结--> done 办结
 *   done --evaluate 考核--> evaluated 已考核 --archive 归档--> archived 归档
 *
 * Who:  clerk of the owning office (督查科: the unit that registered it)
 *           register, assign, urge, return, complete, evaluate, archive;
 *       staff or leader of the lead unit
 *           accept, decline, report, request_extension, request_completion;
 *       the supervising leader (督办领导)
 *           approve_extension, reject_extension.
 *
 * Clocks:
 *   sign    签收时限  1 working day (setting supervision.sign_days), started
 *                     by assign, stopped by accept and decline;
 *   handle  办理时限  the main clock: 5 / 15 / 30 working days by limit_class
 *                     (settings supervision.limit.urgent|normal|difficult),
 *                     or the `deadline` date, which ends at 24:00 Beijing
 *                     time; started by assign, extended by an approved
 *                     extension, paused while a completion request waits
 *                     (so the light of a closed item says whether the
 *                     approved request came in time), stopped by complete;
 *   report  反馈周期  7 or 30 calendar days by report_cycle (none: no
 *                     clock); a late report only turns the item yellow.
 *
 * The engine rolls children's progress and worst light up to their parent
 * (decomposition: one child per unit, or one per task of an imported work
 * report) and refuses to close a parent while a child is open.
 *
 * Rules the engine enforces from the table: decline only within the
 * sign-for limit (`within`); an extension asks for a last day after the
 * current one (`extend_field`).  Own rules (the functions below): every
 * 催办 is counted on the item (urge_count); the time of a completion
 * request is kept (requested_at: the one finally approved decides whether
 * the item was done on time); a closed item is 100%.
 */
#include "modules/supervision.h"

#include "kernel/case.h"

/* ---- fields ---- */

static const struct choice_def supervision_sources[] = {
    {"instruction", "领导批示"},
    {"meeting", "会议议定"},
    {"work_report", "政府工作报告"},
    {"document", "公文"},
    {"proposal", "建议提案"},
    {"petition", "信访"},
    {"other", "其他"},
    {0},
};

static const struct choice_def supervision_limit_classes[] = {
    {"urgent", "紧急"},
    {"normal", "一般"},
    {"difficult", "疑难"},
    {0},
};

static const struct choice_def supervision_report_cycles[] = {
    {"none", "不定期"},
    {"weekly", "每周"},
    {"monthly", "每月"},
    {0},
};

static const struct choice_def supervision_secrecy[] = {
    {"0", "非密"}, {"1", "秘密"}, {"2", "机密"}, {"3", "绝密"}, {0},
};

/* states in which an item has been handed to a lead unit */
#define SUPERVISION_ASSIGNED                                                   \
    "assigned,in_progress,completion_requested,done,evaluated,archived"
#define SUPERVISION_RESULT_IN "completion_requested,done,evaluated,archived"

static const struct field_def supervision_fields[] = {
    {"title", "事项名称", FIELD_TEXT, FIELD_IS_TITLE,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT, "*", "clerk", 0, NULL, NULL, 200,
     0, "一句话写明督办什么，如“推进城区老旧小区改造”"},
    {"requirement", "督办要求", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT, NULL, "clerk", 0, NULL, NULL, 0, 0,
     "标准、节点和需要报送的材料"},
    {"source", "来源", FIELD_CHOICE, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, "*", "clerk", 0,
     supervision_sources, "instruction", 0, 0, NULL},
    {"source_ref", "来源依据", FIELD_TEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT, NULL, "clerk", 0, NULL, NULL, 500, 0,
     "批示原文及日期、会议名称及期数、报告条目等"},
    {"lead_unit", "牵头单位", FIELD_UNIT, FIELD_IS_LEAD_UNIT,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, SUPERVISION_ASSIGNED, "clerk", 0,
     NULL, NULL, 0, 0, NULL},
    {"co_units", "协办单位", FIELD_UNITS, FIELD_IS_CO_UNITS, FIELD_EXPORT, NULL,
     "clerk", 0, NULL, NULL, 0, 0, NULL},
    {"responsible_leader", "责任领导", FIELD_PERSON, FIELD_PLAIN, FIELD_EXPORT,
     NULL, "clerk", 0, NULL, NULL, 0, 0, NULL},
    {"supervising_leader", "督办领导", FIELD_PERSON, FIELD_IS_SUPERVISOR,
     FIELD_EXPORT, NULL, "clerk", 0, NULL, NULL, 0, 0, "审批延期申请的领导"},
    {"limit_class", "时限类别", FIELD_CHOICE, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_FILTER, "*", "clerk", 0, supervision_limit_classes,
     "normal", 0, 0,
     "紧急5个、一般15个、疑难30个工作日；填写办结时限时以办结时限为准"},
    {"deadline", "办结时限", FIELD_DATE, FIELD_IS_DEADLINE,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, NULL, "clerk", 0, NULL, NULL, 0,
     0, "当日24时截止"},
    {"report_cycle", "反馈周期", FIELD_CHOICE, FIELD_PLAIN, FIELD_EXPORT, "*",
     "clerk", 0, supervision_report_cycles, "none", 0, 0, NULL},
    {"public_commitment", "公开承诺", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT, NULL, NULL, 0, NULL, NULL, 0, 0,
     "牵头单位向社会公开承诺的内容"},
    {"progress", "进度", FIELD_NUMBER, FIELD_IS_PROGRESS,
     FIELD_LIST | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, "0", 100,
     0, "百分比，0-100"},
    {"progress_note", "进展情况", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0,
     0, NULL},
    {"extension_to", "申请延期至", FIELD_DATE, FIELD_PLAIN, FIELD_READONLY,
     NULL, NULL, 0, NULL, NULL, 0, 0, "延期后的办结时限"},
    {"result", "办理结果", FIELD_LONGTEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_EXPORT | FIELD_READONLY, SUPERVISION_RESULT_IN, NULL,
     0, NULL, NULL, 0, 0, "可附佐证材料"},
    {"requested_at", "申请办结时间", FIELD_DATETIME, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0, 0,
     "最后一次申请办结的时间：按期与否以获准的申请为准"},
    {"score", "考核得分", FIELD_NUMBER, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_READONLY, "evaluated,archived", NULL, 0, NULL, NULL,
     100, 0, "0-100"},
    {"urge_count", "催办次数", FIELD_NUMBER, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, "0",
     1000000, 0, NULL},
    {"secrecy", "密级", FIELD_CHOICE, FIELD_IS_SECRECY, 0, "*", "clerk", 0,
     supervision_secrecy, "0", 0, 0, NULL},
    {0},
};

/* ---- states ---- */

static const struct state_def supervision_states[] = {
    {"registered", "立项", STATE_INITIAL, REL_SAME_UNIT, "clerk"},
    {"assigned", "待签收", 0, REL_LEAD_UNIT, "staff,leader"},
    {"in_progress", "办理中", 0, REL_LEAD_UNIT, "staff,leader"},
    {"completion_requested", "申请办结", 0, REL_SAME_UNIT, "clerk"},
    {"done", "办结", STATE_CLOSED, REL_SAME_UNIT, "clerk"},
    {"evaluated", "已考核", STATE_CLOSED, REL_SAME_UNIT, "clerk"},
    {"archived", "归档", STATE_CLOSED | STATE_ARCHIVED, 0, NULL},
    {0},
};

/* An extension request waits for the supervising leader. */
static const struct pending_def supervision_pendings[] = {
    {"extension", "延期申请待审批", REL_SUPERVISOR, NULL},
    {0},
};

/* ---- clocks ---- */

static const struct clock_length supervision_limits[] = {
    {"urgent", 5, "supervision.limit.urgent"},
    {"normal", 15, "supervision.limit.normal"},
    {"difficult", 30, "supervision.limit.difficult"},
    {0},
};

static const struct clock_length supervision_report_days[] = {
    {"weekly", 7, "supervision.report.weekly"},
    {"monthly", 30, "supervision.report.monthly"},
    {0},
};

static const struct clock_def supervision_clocks[] = {
    {"sign", "签收时限", CLOCK_WORKDAYS, 1, NULL, NULL, NULL, CLOCK_WARN_NONE,
     0, 0, "supervision.sign_days", 0},
    {"handle", "办理时限", CLOCK_WORKDAYS, 15, "limit_class",
     supervision_limits, "deadline", CLOCK_WARN_WORKDAYS, 3, 1,
     "supervision.limit.normal", 0},
    {"report", "反馈周期", CLOCK_CALENDAR_DAYS, 0, "report_cycle",
     supervision_report_days, NULL, CLOCK_WARN_NONE, 0, 0, NULL, 1},
    {0},
};

/* ---- own rules ---- */

/* Every 催办 is counted on the item; the figures add them up per unit. */
static int supervision_count_urge(struct case_ctx *c, struct err *e)
{
    return case_val_set_int(c, "urge_count",
                            case_val_int(c, "urge_count", 0) + 1, e);
}

/* The time of the completion request: the one finally approved decides
 * whether the item was done on time (supervision_stats.c). */
static int supervision_note_request(struct case_ctx *c, struct err *e)
{
    char iso[26];
    ms_fmt_iso(c->now, iso);
    return case_val_set(c, "requested_at", iso, e);
}

/* An item closed is wholly done. */
static int supervision_close_full(struct case_ctx *c, struct err *e)
{
    return case_val_set_int(c, "progress", 100, e);
}

/* ---- transitions ---- */

static const struct transition_def supervision_transitions[] = {
    {.code = "assign",
     .label = "交办",
     .from = "registered",
     .to = "assigned",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .fields = "lead_unit,co_units,responsible_leader,supervising_leader,"
               "limit_class,deadline,report_cycle,requirement",
     .required = "lead_unit",
     .comment = 1,
     .opinion = "交办意见",
     .clocks = {{"sign", CLOCK_OP_START}, {"handle", CLOCK_OP_START}},
     .flags = TR_PRIMARY | TR_OPINION,
     .done_message = "已交办{lead_unit}，请其在签收时限内签收",
     .notify_rel = REL_LEAD_UNIT,
     .notify_roles = "staff,leader"},
    {.code = "accept",
     .label = "签收",
     .from = "assigned",
     .to = "in_progress",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT,
     .fields = "public_commitment",
     .comment = 1,
     .clocks = {{"sign", CLOCK_OP_STOP}, {"report", CLOCK_OP_START}},
     .flags = TR_PRIMARY,
     .done_message = "已签收，请按时限办理并报送进展"},
    {.code = "decline",
     .label = "退回交办",
     .from = "assigned",
     .to = "registered",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT,
     .comment = 2,
     .opinion = "退回理由",
     .clocks = {{"sign", CLOCK_OP_STOP}, {"handle", CLOCK_OP_STOP}},
     .flags = TR_DANGER | TR_CONFIRM | TR_OPINION,
     .within = "sign",
     .done_message = "已退回督查科重新交办",
     .notify_rel = REL_SAME_UNIT,
     .notify_roles = "clerk"},
    {.code = "report",
     .label = "报送进展",
     .from = "in_progress",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT,
     .fields = "progress,progress_note",
     .required = "progress,progress_note",
     .comment = 0,
     .clocks = {{"report", CLOCK_OP_START}},
     .done_message = "已报送进展（{progress}%）"},
    {.code = "request_extension",
     .label = "申请延期",
     .from = "in_progress",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT,
     .fields = "extension_to",
     .required = "extension_to",
     .comment = 2,
     .opinion = "延期理由",
     .opens = "extension",
     .flags = TR_OPINION,
     .extend_field = "extension_to",
     .done_message = "延期申请已报督办领导审批"},
    {.code = "approve_extension",
     .label = "同意延期",
     .from = "in_progress",
     .rel = REL_SUPERVISOR,
     .comment = 1,
     .opinion = "审批意见",
     .clocks = {{"handle", CLOCK_OP_EXTEND}},
     .needs = "extension",
     .flags = TR_PRIMARY | TR_OPINION,
     .done_message = "已同意延期至{extension_to}",
     .extend_field = "extension_to",
     .notify_rel = REL_LEAD_UNIT | REL_SAME_UNIT},
    {.code = "reject_extension",
     .label = "不同意延期",
     .from = "in_progress",
     .rel = REL_SUPERVISOR,
     .comment = 2,
     .opinion = "审批意见",
     .needs = "extension",
     .flags = TR_DANGER | TR_OPINION,
     .done_message = "已不同意延期，仍按原时限办理",
     .notify_rel = REL_LEAD_UNIT},
    {.code = "urge",
     .label = "催办",
     .from = "assigned,in_progress",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .comment = 2,
     .opinion = "催办意见",
     .flags = TR_OPINION,
     .apply = supervision_count_urge,
     .done_message = "已向{lead_unit}发出催办",
     .notify_rel = REL_LEAD_UNIT,
     .notify_roles = "staff,leader"},
    {.code = "request_completion",
     .label = "申请办结",
     .from = "in_progress",
     .to = "completion_requested",
     .roles = "staff,leader",
     .rel = REL_LEAD_UNIT,
     .fields = "result,progress",
     .required = "result",
     .comment = 1,
     .clocks = {{"handle", CLOCK_OP_PAUSE}, {"report", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY,
     .apply = supervision_note_request,
     .done_message = "已申请办结，等待督查科审核"},
    {.code = "return",
     .label = "退回重办",
     .from = "completion_requested",
     .to = "in_progress",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .comment = 2,
     .opinion = "审核意见",
     .clocks = {{"handle", CLOCK_OP_RESUME}, {"report", CLOCK_OP_START}},
     .flags = TR_DANGER | TR_OPINION,
     .done_message = "已退回{lead_unit}继续办理",
     .notify_rel = REL_LEAD_UNIT,
     .notify_roles = "staff,leader"},
    {.code = "complete",
     .label = "办结",
     .from = "completion_requested",
     .to = "done",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .comment = 1,
     .opinion = "审核意见",
     .clocks = {{"handle", CLOCK_OP_STOP}, {"report", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY | TR_CONFIRM | TR_OPINION,
     .apply = supervision_close_full,
     .done_message = "已办结",
     .notify_rel = REL_LEAD_UNIT},
    {.code = "evaluate",
     .label = "考核",
     .from = "done",
     .to = "evaluated",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .fields = "score",
     .required = "score",
     .comment = 1,
     .opinion = "考核意见",
     .flags = TR_PRIMARY | TR_OPINION,
     .done_message = "已考核，得分{score}"},
    {.code = "archive",
     .label = "归档",
     .from = "evaluated",
     .to = "archived",
     .roles = "clerk",
     .rel = REL_SAME_UNIT,
     .flags = TR_CONFIRM,
     .done_message = "已归档"},
    {0},
};

/* ---- the module ---- */

/* The figures, the monthly bulletin and the ledgers (the seeds' 台账 and
 * 通报), beside the generic list. */
static const struct module_page supervision_pages[] = {
    {"督办统计", "/supervision/stats"},
    {"督查通报", "/supervision/bulletin"},
    {"督办台账", "/supervision/ledger"},
    {0},
};

const struct module_def supervision_module = {
    .code = "supervision",
    .label = "督查督办",
    .case_label = "督办事项",
    .icon = "督",
    .sort = 10,
    .fields = supervision_fields,
    .states = supervision_states,
    .transitions = supervision_transitions,
    .clocks = supervision_clocks,
    .pendings = supervision_pendings,
    .number_pattern = "督〔{year}〕{n}号",
    .create_roles = "clerk",
    .roles = NULL,
    .child_module = "supervision",
    .children_block_close = 1,
    .pages = supervision_pages,
};
