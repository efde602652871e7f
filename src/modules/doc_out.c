/*
 * doc_out.c - 发文办理: outgoing official documents by 《党政机关公文处理工作
 * 条例》 and GB/T 9704-2012, as the case engine's table (kernel/module.h)
 * plus the few rules that are their own.
 *
 * A unit's staff drafts (拟稿); the unit's leader checks the draft (核稿)
 * and either sends it to the co-signing units (会签, in parallel: each
 * co-unit's leader agrees or returns it with reasons; it moves on when all
 * have agreed) or straight to the general office; the office's clerks
 * review it against the checklist (审核); the leader named as 签发人 signs
 * it with a 签发意见 (签发); the office rechecks it (复核), registers it
 * and takes its 发文字号 (登记: `代字〔year〕n号`, gapless per 代字 and
 * year), prints it (印制) and issues it (核发: delivered as an incoming
 * document to every 主送 and 抄送 unit on the platform), then files it
 * (归档).
 *
 *   draft 拟稿 --submit 送核稿--> check 核稿
 *   check --check_pass 核稿通过--> review 审核   (no co-units)
 *   check --send_countersign 送会签--> countersign 会签
 *   countersign --countersign 会签同意 (all co-units: all_rel)--> review
 *   review --review_pass 审核通过--> sign 签发
 *   sign --sign 签发--> recheck 复核 --recheck_pass 复核通过--> register 登记
 *   register --register 登记编号 (TR_NUMBER)--> print 印制
 *   print --print 印制完成--> issue 核发 --issue 核发--> issued 已核发
 *   issued --archive 归档--> archived 归档
 *
 *   退回 (reasons required) to any earlier step:
 *     return_draft   from check .. register      -> draft
 *     return_check   from review .. register     -> check
 *     return_review  from sign .. register       -> review
 *     return_sign    from recheck, register      -> sign
 *   countersign_return 会签退回 (a co-unit) countersign -> draft
 *   revise 修改后重新报签 (substantive change after 签发)
 *                  recheck, register, print      -> sign
 *   撤回 by the sender while the next person has not acted:
 *     withdraw       check -> draft (the drafter)
 *     recall         countersign, review -> check (the drafting unit's
 *                    leader; a recall from 会签 forgets the agreements
 *                    given so far, as every change of state does)
 *
 * Who: staff of a unit draft (the creator); the unit's leader checks (the
 * owner unit, REL_SAME_UNIT); co-units' leaders countersign (REL_CO_UNIT);
 * the clerks of the issuing body (发文机关, the lead unit: the general
 * office) review, recheck, register, print, issue and archive; the leader
 * named as 签发人 signs (REL_SIGNER).
 *
 * Own rules (functions below):
 *   doc_out_validate   上行文 (请示, 报告, or a 主送机关 above the issuing
 *                      body) name their 签发人 before leaving the drafter;
 *                      after 签发, edits of the substance (title, body,
 *                      主送, 抄送, 文种, 附件说明, 密级) are refused: they go
 *                      back to the signer through `revise`;
 *   doc_out_number     the pattern of the issuing body's 代字 (prefix);
 *   doc_out_review_ok  审核 ticks every checklist item;
 *   doc_out_signed     the time of 签发, and 成文日期 when not given;
 *   doc_out_numbered   发文字号 = the number taken at 登记;
 *   doc_out_deliver    核发: one doc_in case awaiting 签收 per 主送/抄送 unit
 *                      (created in this transaction by the system, linked
 *                      "exchange"), each with the issued original attached
 *                      (the GB/T 9704 PDF of doc_out_pdf.c); skipped when
 *                      doc_in is not compiled in.
 *
 * The step clock (环节时限, 3 working days, setting doc_out.step_days)
 * restarts at every step and stops at 核发: its light shows documents that
 * wait too long at one step (the seeds' 滞留).
 */
#include "modules/doc_out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/now.h"
#include "kernel/case.h"
#include "kernel/files.h"
#include "kernel/org.h"

/* ---- fields ---- */

static const struct choice_def doc_out_secrecy[] = {
    {"0", "非密"}, {"1", "秘密"}, {"2", "机密"}, {"3", "绝密"}, {0},
};

static const struct choice_def doc_out_urgency[] = {
    {"none", "无"},
    {"urgent", "加急"},
    {"most_urgent", "特急"},
    {0},
};

/* the 15 types of the 条例 (art. 8), by their Chinese names */
static const struct choice_def doc_out_types[] = {
    {"决议", "决议"}, {"决定", "决定"}, {"命令", "命令(令)"},
    {"公报", "公报"}, {"公告", "公告"}, {"通告", "通告"},
    {"意见", "意见"}, {"通知", "通知"}, {"通报", "通报"},
    {"报告", "报告"}, {"请示", "请示"}, {"批复", "批复"},
    {"议案", "议案"}, {"函", "函"},     {"纪要", "纪要"},
    {0},
};

/* the 审核 checklist: every item must be ticked to pass */
static const struct choice_def doc_out_checklist[] = {
    {"type", "文种使用正确"},
    {"relation", "行文关系、主送机关恰当"},
    {"format", "格式符合GB/T 9704-2012"},
    {"legal", "内容合法合规，与现行政策衔接"},
    {"wording", "文字表述准确、简练，人名地名数字引文无误"},
    {"marks", "密级、保密期限、紧急程度标注恰当"},
    {"countersign", "涉及部门已会签，分歧已协调"},
    {0},
};

#define DOC_OUT_AFTER_SIGN "recheck,register,print,issue,issued,archived"
#define DOC_OUT_EDITORS "staff,leader,clerk"

static const struct field_def doc_out_fields[] = {
    {"title", "标题", FIELD_TEXT, FIELD_IS_TITLE,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT, "*", DOC_OUT_EDITORS, 0, NULL,
     NULL, 200, 0, "发文机关名称+事由+文种，如“关于做好2026年防汛工作的通知”"},
    {"doc_type", "文种", FIELD_CHOICE, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, "*", DOC_OUT_EDITORS, 0,
     doc_out_types, NULL, 0, 0, "请示、报告为上行文，须标注签发人"},
    {"doc_number", "发文字号", FIELD_TEXT, FIELD_PLAIN,
     FIELD_SEARCH | FIELD_LIST | FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0,
     NULL, NULL, 100, 0, "登记时按机关代字自动编号"},
    {"issuer", "发文机关", FIELD_UNIT, FIELD_IS_LEAD_UNIT,
     FIELD_EXPORT | FIELD_FILTER, "*", DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0,
     "以其名义发文的机关，由其办公室审核、登记、印制和核发"},
    {"prefix", "机关代字", FIELD_TEXT, FIELD_PLAIN, FIELD_EXPORT,
     "print,issue,issued,archived", "clerk", 0, NULL, NULL, 20, 0,
     "如“市政办发”，发文字号为“市政办发〔2026〕1号”"},
    {"secrecy", "密级", FIELD_CHOICE, FIELD_IS_SECRECY, FIELD_EXPORT, "*",
     DOC_OUT_EDITORS, 0, doc_out_secrecy, "0", 0, 0, NULL},
    {"secrecy_term", "保密期限", FIELD_TEXT, FIELD_PLAIN, FIELD_EXPORT, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 20, 0, "如“20年”；标识为“机密★20年”"},
    {"urgency", "紧急程度", FIELD_CHOICE, FIELD_PLAIN,
     FIELD_LIST | FIELD_EXPORT | FIELD_FILTER, "*", DOC_OUT_EDITORS, 0,
     doc_out_urgency, "none", 0, 0, NULL},
    {"copy_no", "份号", FIELD_TEXT, FIELD_PLAIN, FIELD_EXPORT, NULL, "clerk", 0,
     NULL, NULL, 6, 0, "涉密公文标注，6位阿拉伯数字"},
    {"signer", "签发人", FIELD_PERSON, FIELD_IS_SIGNER, FIELD_EXPORT,
     "sign," DOC_OUT_AFTER_SIGN, DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0,
     "签发公文的领导；上行文须标注"},
    {"main_to", "主送机关", FIELD_UNITS, FIELD_PLAIN, FIELD_EXPORT, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0, "核发后送达各主送机关签收"},
    {"body", "正文", FIELD_LONGTEXT, FIELD_PLAIN, FIELD_SEARCH, "*",
     DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0,
     "层次序数依次为“一、”“（一）”“1.”“（1）”"},
    {"attachment_note", "附件说明", FIELD_LONGTEXT, FIELD_PLAIN, 0, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 2000, 0, "附件顺序号和名称"},
    {"issuer_sign", "发文机关署名", FIELD_TEXT, FIELD_PLAIN, 0, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 100, 0, NULL},
    {"date", "成文日期", FIELD_DATE, FIELD_PLAIN, FIELD_EXPORT, NULL, "clerk", 0,
     NULL, NULL, 0, 0, "签发之日；未填写时以签发日期为准"},
    {"notes", "附注", FIELD_TEXT, FIELD_PLAIN, 0, NULL, DOC_OUT_EDITORS, 0,
     NULL, NULL, 200, 0, "如“此件公开发布”，联系人及电话"},
    {"copy_to", "抄送机关", FIELD_UNITS, FIELD_PLAIN, FIELD_EXPORT, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0, "核发后送达各抄送机关签收"},
    {"print_unit", "印发机关", FIELD_TEXT, FIELD_PLAIN, 0, NULL, "clerk", 0,
     NULL, NULL, 100, 0, NULL},
    {"print_date", "印发日期", FIELD_DATE, FIELD_PLAIN, 0, NULL, "clerk", 0,
     NULL, NULL, 0, 0, NULL},
    {"copies", "印发份数", FIELD_NUMBER, FIELD_PLAIN, FIELD_EXPORT,
     "issue,issued,archived", "clerk", 0, NULL, NULL, 100000, 1, NULL},
    {"co_units", "会签单位", FIELD_UNITS, FIELD_IS_CO_UNITS, FIELD_EXPORT, NULL,
     DOC_OUT_EDITORS, 0, NULL, NULL, 0, 0, "各单位领导并行会签，全部同意后进入审核"},
    {"checklist", "审核要点", FIELD_MULTI, FIELD_PLAIN, FIELD_READONLY, NULL,
     NULL, 0, doc_out_checklist, NULL, 0, 0,
     "审核时逐项核对：文种、行文关系、格式、合法性、文字、标识、会签"},
    {"signed_at", "签发时间", FIELD_DATETIME, FIELD_PLAIN,
     FIELD_EXPORT | FIELD_READONLY, NULL, NULL, 0, NULL, NULL, 0, 0, NULL},
    {"delivered", "送达单位数", FIELD_NUMBER, FIELD_PLAIN, FIELD_READONLY, NULL,
     NULL, 0, NULL, NULL, 100000, 0, "核发时送达平台内主送、抄送机关的件数"},
    {0},
};

/* ---- states ---- */

static const struct state_def doc_out_states[] = {
    {"draft", "拟稿", STATE_INITIAL, REL_CREATOR, "staff,clerk"},
    {"check", "核稿", 0, REL_SAME_UNIT, "leader"},
    {"countersign", "会签", 0, REL_CO_UNIT, "leader"},
    {"review", "审核", 0, REL_LEAD_UNIT, "clerk"},
    {"sign", "签发", 0, REL_SIGNER, NULL},
    {"recheck", "复核", 0, REL_LEAD_UNIT, "clerk"},
    {"register", "登记", 0, REL_LEAD_UNIT, "clerk"},
    {"print", "印制", 0, REL_LEAD_UNIT, "clerk"},
    {"issue", "核发", 0, REL_LEAD_UNIT, "clerk"},
    {"issued", "已核发", STATE_CLOSED, 0, NULL},
    {"archived", "归档", STATE_CLOSED | STATE_ARCHIVED, 0, NULL},
    {0},
};

/* ---- clocks ---- */

static const struct clock_def doc_out_clocks[] = {
    {"step", "环节时限", CLOCK_WORKDAYS, 3, NULL, NULL, NULL,
     CLOCK_WARN_WORKDAYS, 1, 1, "doc_out.step_days", 0},
    {0},
};

#define DOC_OUT_STEP {{"step", CLOCK_OP_START}}

/* ---- own rules ---- */

int doc_out_is_upward(const char *doc_type, int main_to_above)
{
    if (main_to_above)
        return 1;
    return doc_type != NULL &&
           (strcmp(doc_type, "请示") == 0 || strcmp(doc_type, "报告") == 0);
}

const char *doc_out_pattern(struct arena *a, const char *prefix)
{
    long chars = 0;
    if (prefix == NULL || prefix[0] == '\0' || strpbrk(prefix, "{}") != NULL ||
        strstr(prefix, "〔") != NULL || strstr(prefix, "〕") != NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)prefix; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    if (chars > 20)
        return NULL;
    return arena_printf(a, "%s〔{year}〕{n}号", prefix);
}

const char *doc_out_mark(struct arena *a, int secrecy, const char *term)
{
    static const char *const names[] = {"", "秘密", "机密", "绝密"};
    size_t len;
    if (secrecy <= 0 || secrecy > 3)
        return "";
    if (term == NULL || term[0] == '\0')
        return names[secrecy];
    len = strlen(term);
    if (strspn(term, "0123456789") == len)
        return arena_printf(a, "%s★%s年", names[secrecy], term);
    return arena_printf(a, "%s★%s", names[secrecy], term);
}

/* 1 when a unit of main_to (comma-separated codes) is an ancestor of the
 * issuing body; -1 on a database failure. */
static int doc_out_main_to_above(struct case_ctx *c)
{
    const char *issuer = case_val_text(c, "issuer");
    const char *main_to = case_val_text(c, "main_to");
    const char *code = issuer;
    struct err e = {0};

    if (issuer == NULL || main_to == NULL)
        return 0;
    for (int depth = 0; depth < 8; depth++) {
        struct unit u;
        if (org_unit_get(c->db, c->a, code, &u, &e) != 0)
            return 0;
        if (u.parent_code == NULL || u.parent_code[0] == '\0')
            return 0;
        if (module_in_list(main_to, u.parent_code))
            return 1;
        code = u.parent_code;
    }
    return 0;
}

static const char *const doc_out_substance[] = {
    "title", "body", "main_to", "copy_to", "doc_type", "attachment_note",
    "secrecy", "secrecy_term", "issuer",
};

static int doc_out_validate(struct case_ctx *c, struct err *e)
{
    const char *prefix = case_val_text(c, "prefix");
    int after_sign = module_in_list(DOC_OUT_AFTER_SIGN, c->to->code);

    if (prefix != NULL && doc_out_pattern(c->a, prefix) == NULL)
        err_field(e, "prefix", "机关代字不能含括号，最多20个字");
    if (c->t == NULL && after_sign) {
        for (size_t i = 0;
             i < sizeof(doc_out_substance) / sizeof(doc_out_substance[0]); i++)
            if (case_val_changed(c, doc_out_substance[i]))
                return err_set(e, 409, "conflict",
                               "公文已签发，修改实质内容须退回签发人重新签发"
                               "（请使用“修改后重新报签”）");
    }
    if (strcmp(c->to->code, "draft") != 0 &&
        case_val_text(c, "signer") == NULL) {
        int above = doc_out_main_to_above(c);
        if (doc_out_is_upward(case_val_text(c, "doc_type"), above == 1))
            err_field(e, "signer", "上行文须标注签发人");
    }
    return err_isset(e) ? -1 : 0;
}

static const char *doc_out_number(struct case_ctx *c, struct err *e)
{
    const char *p = doc_out_pattern(c->a, case_val_text(c, "prefix"));
    if (p == NULL)
        err_field(e, "prefix", "请填写机关代字，如“市政办发”");
    return p;
}

/* 审核 passes only with every item of the checklist ticked. */
static int doc_out_review_ok(struct case_ctx *c, struct err *e)
{
    const char *ticked = case_val_text(c, "checklist");
    for (int i = 0; doc_out_checklist[i].code != NULL; i++)
        if (ticked == NULL || !module_in_list(ticked, doc_out_checklist[i].code))
            return err_field(e, "checklist",
                             arena_printf(c->a, "请逐项审核：%s",
                                          doc_out_checklist[i].label));
    return 0;
}

/* The time of 签发; 成文日期 is the day of signing unless given. */
static int doc_out_signed(struct case_ctx *c, struct err *e)
{
    char iso[26];
    ms_fmt_iso(c->now, iso);
    if (case_val_set(c, "signed_at", iso, e) != 0)
        return -1;
    if (case_val_text(c, "date") == NULL) {
        struct ymd d = ms_to_beijing(c->now);
        char day[16];
        snprintf(day, sizeof(day), "%04d-%02d-%02d", d.y, d.m, d.d);
        return case_val_set(c, "date", day, e);
    }
    return 0;
}

/* 发文字号 is the number the engine took at 登记. */
static int doc_out_numbered(struct case_ctx *c, struct err *e)
{
    return case_val_set(c, "doc_number", c->number, e);
}

/* The value for doc_in's field `code` in the form its table wants: a unit
 * code for a UNIT field, a name otherwise; NULL when doc_in has no such
 * field. */
static const char *doc_out_in_unit(const struct module_def *in,
                                   const char *code, const struct unit *u)
{
    const struct field_def *f = module_field(in, code);
    if (f == NULL)
        return NULL;
    return f->type == FIELD_UNIT || f->type == FIELD_UNITS ? u->code : u->name;
}

/* doc_in's code for our urgency: the same code, or the choice whose label
 * is ours; NULL when none (left to doc_in's default). */
static const char *doc_out_in_urgency(const struct module_def *in,
                                      const char *ours)
{
    const struct field_def *f = module_field(in, "urgency");
    const char *label = NULL;
    if (f == NULL || ours == NULL)
        return NULL;
    if (f->choices == NULL)
        return ours;
    for (int i = 0; doc_out_urgency[i].code != NULL; i++)
        if (strcmp(doc_out_urgency[i].code, ours) == 0)
            label = doc_out_urgency[i].label;
    for (int i = 0; f->choices[i].code != NULL; i++)
        if (strcmp(f->choices[i].code, ours) == 0 ||
            (label != NULL && strcmp(f->choices[i].label, label) == 0))
            return f->choices[i].code;
    return NULL;
}

static void doc_out_put(json_t *o, const struct module_def *in,
                        const char *code, const char *v)
{
    if (v != NULL && v[0] != '\0' && module_field(in, code) != NULL)
        json_object_set_new(o, code, json_string(v));
}

/* Delivers the document to one unit: a doc_in case registered by the
 * system in the name of that unit, linked to the document. */
static int doc_out_deliver_one(struct case_ctx *c, const struct module_def *in,
                               const struct unit *from, const char *to_code,
                               int original, struct err *e)
{
    struct unit to;
    struct actor sys;
    struct case_new n = {0};
    json_t *f = json_object();
    int64_t id = 0;
    int rc = -1;

    if (org_unit_get(c->db, c->a, to_code, &to, e) != 0)
        goto out;
    actor_system(&sys);
    sys.unit_id = to.id;
    sys.unit_code = to.code;
    sys.unit_name = to.name;
    doc_out_put(f, in, "title", case_val_text(c, "title"));
    doc_out_put(f, in, "doc_number", c->number);
    doc_out_put(f, in, "issuer", doc_out_in_unit(in, "issuer", from));
    doc_out_put(f, in, "from_unit", doc_out_in_unit(in, "from_unit", from));
    doc_out_put(f, in, "secrecy", case_val_text(c, "secrecy"));
    doc_out_put(f, in, "secrecy_term", case_val_text(c, "secrecy_term"));
    doc_out_put(f, in, "urgency",
                doc_out_in_urgency(in, case_val_text(c, "urgency")));
    doc_out_put(f, in, "source_case", arena_printf(c->a, "%" PRId64, c->id));
    n.module = in->code;
    n.fields = f;
    n.comment = arena_printf(c->a, "%s核发，待签收", from->name);
    if (case_create(c->db, c->a, &sys, &n, &id, e) != 0 ||
        case_link(c->db, c->a, &sys, c->id, id, "exchange", e) != 0)
        goto out;
    if (original >= 0) {
        int64_t file_id;
        const char *name = arena_printf(
            c->a, "%s.pdf", c->number && *c->number ? c->number : "公文");
        if (lseek(original, 0, SEEK_SET) != 0 ||
            files_put_fd(c->db, files_data_dir(), &sys, id, name,
                         "application/pdf", original, &file_id, e) != 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(f);
    return rc;
}

/* The issued original, rendered once into an unlinked temporary file of
 * the data directory: its descriptor, or -1 when no data directory is
 * configured (the engine's unit tests); -2 on failure (e set). */
static int doc_out_original(struct case_ctx *c, struct err *e)
{
    const char *dir = files_data_dir();
    if (dir == NULL)
        return -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create %s: %s", dir, strerror(errno));
        err_set(e, 500, "io", "公文原件生成失败，请联系系统管理员");
        return -2;
    }
    char *path = arena_printf(c->a, "%s/.original-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        log_error("cannot create a temporary file in %s: %s", dir,
                  strerror(errno));
        err_set(e, 500, "io", "公文原件生成失败，请联系系统管理员");
        return -2;
    }
    unlink(path);
    if (doc_out_pdf(c->db, c->a, c->fields, c->number, NULL, fd, e) != 0) {
        close(fd);
        return -2;
    }
    return fd;
}

/* 核发: every 主送 and 抄送 unit on the platform receives the document,
 * with the issued original (the GB/T 9704 PDF) attached.  Attachments have
 * no removal route, so the original stays as it was issued. */
static int doc_out_deliver(struct case_ctx *c, struct err *e)
{
    const struct module_def *in = module_find("doc_in");
    const char *lists[2] = {case_val_text(c, "main_to"),
                            case_val_text(c, "copy_to")};
    const char *done = "";
    struct unit from;
    int64_t count = 0;
    int rc = -1;

    if (in == NULL)
        return 0;
    if (org_unit_get(c->db, c->a, case_val_text(c, "issuer"), &from, e) != 0)
        return -1;
    int original = doc_out_original(c, e);
    if (original == -2)
        return -1;
    for (int l = 0; l < 2; l++) {
        const char *p = lists[l];
        while (p != NULL && *p) {
            const char *comma = strchr(p, ',');
            size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
            char *code = arena_strndup(c->a, p, len);
            if (!module_in_list(done, code)) {
                if (doc_out_deliver_one(c, in, &from, code, original, e) != 0)
                    goto out;
                done = done[0] ? arena_printf(c->a, "%s,%s", done, code)
                               : code;
                count++;
            }
            p = comma != NULL ? comma + 1 : NULL;
        }
    }
    rc = case_val_set_int(c, "delivered", count, e);
out:
    if (original >= 0)
        close(original);
    return rc;
}

/* ---- transitions ---- */

#define DOC_OUT_RETURN(code_, label_, from_, to_)                              \
    {.code = code_,                                                            \
     .label = label_,                                                          \
     .from = from_,                                                            \
     .to = to_,                                                                \
     .roles = "leader,clerk",                                                  \
     .rel = REL_SAME_UNIT | REL_LEAD_UNIT | REL_SIGNER,                        \
     .comment = 2,                                                             \
     .opinion = "退回理由",                                                    \
     .clocks = DOC_OUT_STEP,                                                   \
     .flags = TR_DANGER | TR_OPINION | TR_CONFIRM,                             \
     .done_message = "已退回"}

static const struct transition_def doc_out_transitions[] = {
    {.code = "submit",
     .label = "送核稿",
     .from = "draft",
     .to = "check",
     .roles = "staff,clerk",
     .rel = REL_CREATOR,
     .fields = "signer,co_units,main_to,copy_to",
     .comment = 1,
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY,
     .done_message = "已送本单位领导核稿"},
    {.code = "withdraw",
     .label = "撤回",
     .from = "check",
     .to = "draft",
     .roles = "staff,clerk",
     .rel = REL_CREATOR,
     .comment = 1,
     .clocks = DOC_OUT_STEP,
     .flags = TR_DANGER | TR_CONFIRM,
     .done_message = "已撤回，可继续修改"},
    {.code = "check_pass",
     .label = "核稿通过",
     .from = "check",
     .to = "review",
     .roles = "leader",
     .rel = REL_SAME_UNIT,
     .fields = "signer",
     .comment = 1,
     .opinion = "核稿意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY | TR_OPINION,
     .done_message = "已核稿，送办公室审核"},
    {.code = "send_countersign",
     .label = "送会签",
     .from = "check",
     .to = "countersign",
     .roles = "leader",
     .rel = REL_SAME_UNIT,
     .fields = "co_units,signer",
     .required = "co_units",
     .comment = 1,
     .opinion = "核稿意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_OPINION,
     .done_message = "已送{co_units}会签"},
    {.code = "recall",
     .label = "撤回",
     .from = "countersign,review",
     .to = "check",
     .roles = "leader",
     .rel = REL_SAME_UNIT,
     .comment = 1,
     .clocks = DOC_OUT_STEP,
     .flags = TR_DANGER | TR_CONFIRM,
     .done_message = "已撤回"},
    {.code = "countersign",
     .label = "会签同意",
     .from = "countersign",
     .to = "review",
     .roles = "leader",
     .rel = REL_CO_UNIT,
     .comment = 1,
     .opinion = "会签意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY | TR_OPINION,
     .all_rel = REL_CO_UNIT,
     .done_message = "已会签"},
    {.code = "countersign_return",
     .label = "会签退回",
     .from = "countersign",
     .to = "draft",
     .roles = "leader",
     .rel = REL_CO_UNIT,
     .comment = 2,
     .opinion = "退回理由",
     .clocks = DOC_OUT_STEP,
     .flags = TR_DANGER | TR_OPINION,
     .done_message = "已退回拟稿单位"},
    {.code = "review_pass",
     .label = "审核通过",
     .from = "review",
     .to = "sign",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .fields = "checklist,signer",
     .required = "checklist,signer",
     .comment = 1,
     .opinion = "审核意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY | TR_OPINION,
     .check = doc_out_review_ok,
     .done_message = "已审核，呈{signer}签发"},
    {.code = "sign",
     .label = "签发",
     .from = "sign",
     .to = "recheck",
     .rel = REL_SIGNER,
     .comment = 2,
     .opinion = "签发意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY | TR_OPINION,
     .apply = doc_out_signed,
     .done_message = "已签发"},
    {.code = "recheck_pass",
     .label = "复核通过",
     .from = "recheck",
     .to = "register",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .comment = 1,
     .opinion = "复核意见",
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY,
     .done_message = "已复核"},
    {.code = "register",
     .label = "登记编号",
     .from = "register",
     .to = "print",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .fields = "prefix,copy_no,copies,print_unit",
     .required = "prefix",
     .comment = 1,
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY | TR_NUMBER,
     .apply = doc_out_numbered,
     .done_message = "已登记，发文字号{doc_number}"},
    {.code = "revise",
     .label = "修改后重新报签",
     .from = "recheck,register,print",
     .to = "sign",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .fields = "title,body,main_to,copy_to,attachment_note,doc_type",
     .comment = 2,
     .opinion = "修改说明",
     .clocks = DOC_OUT_STEP,
     .flags = TR_OPINION,
     .done_message = "已修改，退回{signer}重新签发"},
    {.code = "print",
     .label = "印制完成",
     .from = "print",
     .to = "issue",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .fields = "copies,print_date,print_unit,copy_no",
     .required = "copies",
     .comment = 1,
     .clocks = DOC_OUT_STEP,
     .flags = TR_PRIMARY,
     .done_message = "已印制{copies}份"},
    {.code = "issue",
     .label = "核发",
     .from = "issue",
     .to = "issued",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .comment = 1,
     .clocks = {{"step", CLOCK_OP_STOP}},
     .flags = TR_PRIMARY | TR_CONFIRM,
     .apply = doc_out_deliver,
     .done_message = "已核发，送达{delivered}个单位"},
    {.code = "archive",
     .label = "归档",
     .from = "issued",
     .to = "archived",
     .roles = "clerk",
     .rel = REL_LEAD_UNIT,
     .flags = TR_CONFIRM,
     .done_message = "已归档"},
    DOC_OUT_RETURN("return_draft", "退回拟稿",
                   "check,review,sign,recheck,register", "draft"),
    DOC_OUT_RETURN("return_check", "退回核稿", "review,sign,recheck,register",
                   "check"),
    DOC_OUT_RETURN("return_review", "退回审核", "sign,recheck,register",
                   "review"),
    DOC_OUT_RETURN("return_sign", "退回签发", "recheck,register", "sign"),
    {0},
};

/* ---- the module ---- */

const char *const doc_out_mark_fields[] = {"secrecy_term", NULL};

const char *doc_out_item_mark(struct arena *a, const struct case_item *it)
{
    json_t *t = it->fields ? json_object_get(it->fields, "secrecy_term") : NULL;
    return doc_out_mark(a, it->secrecy, json_is_string(t) ? json_string_value(t)
                                                          : NULL);
}

/* The figures beside the list; the 回执 of one document (web/page_doc_out.c). */
static const struct module_page doc_out_pages[] = {
    {"发文统计", "/doc_out/stats"},
    {0},
};
static const struct module_page doc_out_case_pages[] = {
    {"回执", "/doc_out/{id}/receipts"},
    {"公文PDF", "/api/v1/cases/{id}/pdf"},
    {0},
};

const struct module_def doc_out_module = {
    .code = "doc_out",
    .label = "发文办理",
    .case_label = "发文",
    .icon = "发",
    .sort = 20,
    .fields = doc_out_fields,
    .states = doc_out_states,
    .transitions = doc_out_transitions,
    .clocks = doc_out_clocks,
    .number_pattern_of = doc_out_number,
    .create_roles = "staff,clerk",
    .validate = doc_out_validate,
    .create_clocks = DOC_OUT_STEP,
    .pages = doc_out_pages,
    .case_pages = doc_out_case_pages,
    .mark = doc_out_item_mark,
    .mark_fields = doc_out_mark_fields,
};
