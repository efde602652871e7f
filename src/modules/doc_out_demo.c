/*
 * doc_out_demo.c - the demo office's 发文: 50 outgoing documents of the
 * 市人民政府办公室 (issuing body `office`, 代字 市政办发 / 市政办函 / 市政办),
 * drafted by the office's sections and by departments (部门代拟), in every
 * step of the flow, so that every page and figure shows something real.
 *
 * Each document's history is fired through the engine as the demo people,
 * with the clock moved back to when it happened (now_set), then put back
 * (as supervision_demo.c does):
 *
 *   拟稿 (the unit's staff or clerk) -> 核稿 (the unit's leader)
 *     -> 会签 (co-units' leaders, in parallel) -> 审核 (黄立新 bgsfzr, the
 *     office's clerk) -> 签发 (the leader named as 签发人) -> 复核 -> 登记
 *     (市政办发〔year〕n号) -> 印制 -> 核发 (delivers doc_in cases to every
 *     主送 and 抄送 unit) -> 归档
 *
 * A few are sent back on the way (会签退回, 退回拟稿, 撤回) and wait in
 * 拟稿 again with the reasons on their timeline.  Titles and bodies come
 * from a few templates per 文种 filled with each row's subject.
 */
#include "modules/doc_out.h"

#include <string.h>

#include "base/now.h"
#include "kernel/case.h"
#include "kernel/demo.h"
#include "kernel/org.h"

/* How far a document has come. */
enum dout_demo_stage {
    DD_DRAFT,      /* 拟稿 */
    DD_RETURNED,   /* 拟稿 again: 会签 returned by a co-unit */
    DD_CHECK,      /* 核稿 */
    DD_COUNTER,    /* 会签, one co-unit has agreed */
    DD_REVIEW,     /* 审核 */
    DD_SIGN,       /* 签发 */
    DD_RECHECK,    /* 复核 */
    DD_REGISTER,   /* 登记 */
    DD_PRINT,      /* 印制 (numbered) */
    DD_ISSUE,      /* 核发 (printed) */
    DD_ISSUED,     /* 已核发: delivered */
    DD_ARCHIVED,   /* 归档 */
};

struct dout_demo_doc {
    const char *subject; /* 关于<subject>的<type> */
    const char *type;
    const char *drafter; /* login; its unit's leader is `checker` */
    const char *checker;
    const char *co;      /* co-units, or NULL */
    const char *signer;
    const char *main_to; /* unit codes */
    const char *copy_to; /* or NULL */
    int secrecy;         /* 0..2 */
    const char *urgency; /* none / urgent / most_urgent */
    int start;           /* drafted this many days before today */
    enum dout_demo_stage stage;
};

#define DD_DEPTS "fgw,jyj,gaj,mzj,czj,rsj,zrj,zjj,jtj,wjw,yjj,scj"
#define DD_COUNTIES "qsqb,ljqb,apxb,nyxb,npxb"
/* The office's day starts at 09:00; steps are that many hours later. */
#define DD_DAY_START_HOUR 9

static const struct dout_demo_doc dout_demo_docs[] = {
    {"做好2026年防汛抗旱工作", "通知", "yjj_cb", "yjj_ld", "slj,zjj",
     "fushizhang3", DD_COUNTIES, "yjj,slj,zjj", 0, "urgent", -60, DD_ARCHIVED},
    {"印发全市优化营商环境若干措施", "通知", "fgw_cb", "fgw_ld", "scj,swj",
     "changwu", "fgw,scj,swj,gxj", DD_COUNTIES, 0, "none", -55, DD_ARCHIVED},
    {"开展安全生产大检查", "通知", "yjj_cb", "yjj_ld", NULL, "fushizhang3",
     "yjj,jtj,zjj", "qsqb,ljqb", 0, "most_urgent", -50, DD_ARCHIVED},
    {"2026年第一季度重点工作督查情况", "通报", "dck1", "dckz", NULL,
     "mishuzhang", "fgw,jyj,jtj,zjj", "czj", 0, "none", -48, DD_ARCHIVED},
    {"做好春季学期开学工作", "通知", "jyj_cb", "jyj_ld", "wjw",
     "fushizhang2", "jyj,wjw", "apxb,nyxb", 0, "none", -45, DD_ARCHIVED},
    {"加强城市燃气安全管理", "意见", "zjj_cb", "zjj_ld", "yjj,scj",
     "fushizhang3", "zjj,yjj,scj", "qsqb,ljqb", 0, "none", -42, DD_ISSUED},
    {"商请支持农村公路建设项目用地", "函", "jtj_cb", "jtj_ld", NULL,
     "fushizhang1", "zrj", NULL, 0, "none", -40, DD_ISSUED},
    {"做好2026年高校毕业生就业工作", "通知", "rsj_cb", "rsj_ld", "jyj",
     "fushizhang2", "rsj,jyj", "qsqb,npxb", 0, "none", -36, DD_ISSUED},
    {"进一步做好信访工作", "通知", "xfj_cb", "xfj_ld", NULL, "changwu",
     "xfj,gaj,mzj", DD_COUNTIES, 0, "none", -33, DD_ISSUED},
    {"2026年度财政预算执行审计发现问题整改", "通知", "czj_cb", "czj_ld", NULL,
     "changwu", "czj,fgw", NULL, 1, "none", -31, DD_ISSUED},
    {"开展食品安全专项整治", "通知", "scj_cb", "scj_ld", "wjw,nyj",
     "fushizhang1", "scj,wjw", "ljqb", 0, "urgent", -28, DD_ISSUED},
    {"调整市级重点项目计划", "通知", "fgw_cb", "fgw_ld", "czj,zrj",
     "changwu", "fgw,czj,zrj", NULL, 0, "none", -26, DD_ISSUE},
    {"做好夏季用电高峰期电力保障", "通知", "fgw_cb", "fgw_ld", NULL,
     "changwu", "fgw,gxj", DD_COUNTIES, 0, "urgent", -24, DD_ISSUE},
    {"公布2026年市政府规范性文件清理结果", "通知", "msk1", "mskz", "sfj",
     "mishuzhang", "fgw,sfj", NULL, 0, "none", -22, DD_PRINT},
    {"加强校园及周边安全管理", "通知", "jyj_cb", "jyj_ld", "gaj",
     "fushizhang2", "jyj,gaj", "qsqb,ljqb", 0, "none", -21, DD_PRINT},
    {"重大活动安全保卫工作方案", "通知", "gaj_cb", "gaj_ld", NULL, "shizhang",
     "gaj", NULL, 2, "most_urgent", -20, DD_PRINT},
    {"申请2026年度防汛专项资金", "请示", "msk1", "mskz", NULL, "shizhang",
     "gov", NULL, 0, "urgent", -19, DD_REGISTER},
    {"城区老旧小区改造进展情况", "报告", "zjj_cb", "zjj_ld", NULL,
     "fushizhang3", "gov", NULL, 0, "none", -18, DD_REGISTER},
    {"商请协助开展经济普查数据核查", "函", "xxk1", "xxkz", NULL, "mishuzhang",
     "tjj", NULL, 0, "none", -17, DD_RECHECK},
    {"开展消防安全隐患排查整治", "通知", "yjj_cb", "yjj_ld", "zjj",
     "fushizhang3", "yjj,zjj", DD_COUNTIES, 0, "urgent", -16, DD_RECHECK},
    {"2026年度政府信息公开工作", "报告", "xxk1", "xxkz", NULL, "mishuzhang",
     "gov", NULL, 0, "none", -15, DD_SIGN},
    {"推进医疗卫生服务体系建设", "意见", "wjw_cb", "wjw_ld", "ybj,czj",
     "fushizhang2", "wjw,ybj", DD_COUNTIES, 0, "none", -14, DD_SIGN},
    {"维护社会稳定专项工作安排", "通知", "gaj_cb", "gaj_ld", NULL, "shizhang",
     "gaj,xfj", NULL, 2, "urgent", -13, DD_SIGN},
    {"市级财政资金绩效评价结果", "通报", "czj_cb", "czj_ld", NULL, "changwu",
     "czj,fgw", NULL, 1, "none", -12, DD_SIGN},
    {"加强耕地保护和粮食生产", "通知", "msk2", "mskz", "nyj,zrj",
     "fushizhang1", "nyj,zrj", DD_COUNTIES, 0, "none", -12, DD_REVIEW},
    {"商请协调解决产业园区道路建设问题", "函", "jtj_cb", "jtj_ld", NULL,
     "fushizhang1", "zrj,fgw", NULL, 0, "none", -11, DD_REVIEW},
    {"做好困难群众基本生活保障", "通知", "mzj_cb", "mzj_ld", "czj",
     "fushizhang2", "mzj,czj", DD_COUNTIES, 0, "none", -10, DD_REVIEW},
    {"应急物资储备情况", "报告", "yjj_cb", "yjj_ld", NULL, "fushizhang3",
     "gov", NULL, 1, "none", -10, DD_REVIEW},
    {"推进政务服务“一网通办”", "意见", "zwfw2", "zwfwz", "fgw,czj",
     "changwu", "gxj,fgw", DD_COUNTIES, 0, "none", -9, DD_COUNTER},
    {"实施城市更新行动", "意见", "zjj_cb", "zjj_ld", "zrj,czj",
     "fushizhang3", "zjj,zrj,czj", DD_COUNTIES, 0, "none", -9, DD_COUNTER},
    {"促进消费持续恢复", "通知", "scj_cb", "scj_ld", "fgw,czj", "changwu",
     "scj,fgw,swj", NULL, 0, "none", -8, DD_COUNTER},
    {"做好农民工工资支付保障", "通知", "rsj_cb", "rsj_ld", "zjj,gaj",
     "fushizhang2", "rsj,zjj", DD_COUNTIES, 0, "urgent", -8, DD_COUNTER},
    {"开展交通运输安全生产专项整治", "通知", "jtj_cb", "jtj_ld", NULL,
     "fushizhang1", "jtj,gaj", DD_COUNTIES, 0, "none", -7, DD_CHECK},
    {"申请调整部分公交线路", "请示", "jtj_cb2", "jtj_fld", NULL,
     "fushizhang1", "gov", NULL, 0, "none", -6, DD_CHECK},
    {"建立重点项目并联审批机制", "意见", "fgw_cb", "fgw_ld", NULL, "changwu",
     "fgw,zrj,zjj", NULL, 0, "none", -6, DD_CHECK},
    {"全市社会救助资金使用情况", "报告", "mzj_cb", "mzj_ld", NULL,
     "fushizhang2", "gov", NULL, 0, "none", -5, DD_CHECK},
    {"加强网络安全和数据保护", "通知", "msk1", "mskz", NULL, "mishuzhang",
     "gaj,fgw", NULL, 2, "none", -5, DD_CHECK},
    {"组织开展应急演练", "通知", "yjj_cb", "yjj_ld", "wjw,gaj", "fushizhang3",
     "yjj,wjw", DD_COUNTIES, 0, "none", -9, DD_RETURNED},
    {"规范城市道路挖掘管理", "通知", "zjj_cb", "zjj_ld", "jtj,gaj",
     "fushizhang3", "zjj,jtj", NULL, 0, "none", -8, DD_RETURNED},
    {"做好老年人健康管理服务", "通知", "wjw_cb", "wjw_ld", "mzj",
     "fushizhang2", "wjw,mzj", DD_COUNTIES, 0, "none", -7, DD_RETURNED},
    {"完善市级政府投资项目管理", "通知", "fgw_cb", "fgw_ld", NULL, "changwu",
     "fgw,czj", NULL, 0, "none", -4, DD_DRAFT},
    {"开展扫黑除恶线索核查", "通知", "gaj_cb", "gaj_ld", NULL, "shizhang",
     "gaj", NULL, 2, "urgent", -4, DD_DRAFT},
    {"推进义务教育优质均衡发展", "意见", "jyj_cb", "jyj_ld", "czj",
     "fushizhang2", "jyj,czj", DD_COUNTIES, 0, "none", -3, DD_DRAFT},
    {"商请提供2025年度统计数据", "函", "xxk2", "xxkz", NULL, "mishuzhang",
     "tjj", NULL, 0, "none", -3, DD_DRAFT},
    {"加强河湖长制工作", "通知", "msk2", "mskz", NULL, "fushizhang3",
     "slj,sthj", DD_COUNTIES, 0, "none", -2, DD_DRAFT},
    {"国有土地使用权出让收支情况", "报告", "zrj_cb", "zrj_ld", NULL,
     "fushizhang3", "gov", NULL, 0, "none", -2, DD_DRAFT},
    {"推动养老服务高质量发展", "意见", "mzj_cb", "mzj_ld", NULL,
     "fushizhang2", "mzj,wjw", NULL, 0, "none", -1, DD_DRAFT},
    {"做好市场价格监测和保供稳价", "通知", "scj_cb", "scj_ld", NULL,
     "fushizhang1", "scj,fgw", DD_COUNTIES, 0, "none", -1, DD_DRAFT},
    {"申请增加行政审批服务窗口人员编制", "请示", "zwfw1", "zwfwz", NULL,
     "changwu", "gov", NULL, 0, "none", -1, DD_DRAFT},
    {"征求城市总体规划修改意见", "函", "zrj_cb", "zrj_ld", NULL,
     "fushizhang3", "fgw,zjj,jtj", NULL, 0, "none", 0, DD_DRAFT},
    {0},
};

/* ---- text ---- */

static const char *const dout_demo_opening[] = {
    "为深入贯彻落实党中央、国务院和省委、省政府决策部署，",
    "根据省人民政府有关要求，结合我市实际，",
    "为切实解决当前工作中存在的突出问题，经市人民政府同意，",
};

/* The body of a document of row x: a salutation, its reason and three
 * headed points for notices and opinions; a request or a report for 请示
 * and 报告; a letter for 函. */
static const char *dout_demo_body(struct arena *a,
                                  const struct dout_demo_doc *x, int i)
{
    const char *open = dout_demo_opening[i % 3];
    if (strcmp(x->type, "请示") == 0)
        return arena_printf(
            a,
            "市人民政府：\n    %s现就%s有关事项请示如下：\n"
            "    一、基本情况\n    近年来，相关工作稳步推进，但仍存在资金"
            "不足、人员紧缺等困难，影响工作任务按期完成。\n"
            "    二、请示事项\n    恳请市人民政府研究同意%s，所需经费由"
            "市财政统筹安排。\n    妥否，请批示。",
            open, x->subject, x->subject);
    if (strcmp(x->type, "报告") == 0)
        return arena_printf(
            a,
            "市人民政府：\n    %s现将%s报告如下：\n"
            "    一、工作进展\n    各项任务按计划推进，已完成年度目标的"
            "六成以上。\n    二、存在的问题\n    部分项目前期手续办理较慢，"
            "资金到位不够及时。\n    三、下一步打算\n    加强统筹调度，"
            "逐项明确责任和时限，确保全年任务完成。\n    特此报告。",
            open, x->subject);
    if (strcmp(x->type, "函") == 0)
        return arena_printf(
            a,
            "有关单位：\n    %s为做好相关工作，现就%s事宜函告如下：\n"
            "    一、请贵单位指定一名联络员，于收函后五个工作日内反馈。\n"
            "    二、有关材料请以电子公文形式报送。\n"
            "    感谢贵单位的大力支持。\n    特此函告。",
            open, x->subject);
    return arena_printf(
        a,
        "各区县人民政府，市政府各部门：\n    %s现就%s有关事项%s如下：\n"
        "    一、提高思想认识\n    各地各部门要充分认识%s的重要意义，"
        "主要负责同志亲自抓、负总责。\n"
        "    二、明确工作任务\n    （一）全面排查。对照职责逐项梳理，"
        "建立工作台账。\n    （二）限期整改。对发现的问题明确责任人和"
        "完成时限。\n    三、强化督促落实\n    市政府督查室将适时开展"
        "督查，对工作不力的予以通报。\n    请于每月25日前将工作进展报送"
        "市政府办公室。",
        open, x->subject, strcmp(x->type, "意见") == 0 ? "提出意见" : "通知",
        x->subject);
}

/* ---- building ---- */

struct dout_demo_ctx {
    struct store *db;
    struct arena *a;
    struct actor clerk; /* bgsfzr, the general office's clerk */
    struct demo_clock clock;
};

/* Moves the clock to 09:00 + hours on the day `days` from today (see
 * demo_clock_at: after the document's previous step, an hour before the
 * real now). */
static void dout_demo_at(struct dout_demo_ctx *d, int days, int hours)
{
    demo_clock_at(&d->clock, days, (DD_DAY_START_HOUR + hours) * 60);
}

static int dout_demo_fire(struct dout_demo_ctx *d, const char *login,
                          int64_t id, const char *code, json_t *fields,
                          const char *comment, struct err *e)
{
    struct actor who;
    int rc =
        login == NULL
            ? case_fire(d->db, d->a, &d->clerk, id, code, fields, comment, e)
            : demo_actor(d->db, d->a, login, &who, e) ||
                  case_fire(d->db, d->a, &who, id, code, fields, comment, e);
    json_decref(fields);
    return rc ? -1 : 0;
}

/* Each co-unit's leader: <code>_ld.  `only`: the first one alone. */
static int dout_demo_countersign(struct dout_demo_ctx *d, int64_t id,
                                 const char *co, int only, struct err *e)
{
    char *s = arena_strdup(d->a, co), *save = NULL;
    for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (dout_demo_fire(d, arena_printf(d->a, "%s_ld", t), id, "countersign",
                           NULL, "同意", e))
            return -1;
        if (only)
            break;
    }
    return 0;
}

/* 1 when every co-unit of co has a leader <code>_ld in the demo. */
static int dout_demo_co_ok(struct dout_demo_ctx *d, const char *co)
{
    char *s = arena_strdup(d->a, co), *save = NULL;
    struct err e = {0};
    struct user u;
    for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (org_user_get(d->db, d->a, arena_printf(d->a, "%s_ld", t), &u, &e))
            return 0;
    return 1;
}

#define DD_CHECKLIST                                                           \
    "[\"type\",\"relation\",\"format\",\"legal\",\"wording\",\"marks\","      \
    "\"countersign\"]"

static const char *dout_demo_prefix(const char *type)
{
    if (strcmp(type, "函") == 0)
        return "市政办函";
    if (strcmp(type, "请示") == 0 || strcmp(type, "报告") == 0)
        return "市政办";
    return "市政办发";
}

/* Drafts row x and walks it to its stage. */
static int dout_demo_doc(struct dout_demo_ctx *d, const struct dout_demo_doc *x,
                         int i, struct err *e)
{
    struct actor drafter;
    int64_t id;
    int day = x->start;
    const char *co = x->co != NULL && dout_demo_co_ok(d, x->co) ? x->co : NULL;
    json_t *f;
    int rc;

    d->clock.last = 0;
    if (demo_actor(d->db, d->a, x->drafter, &drafter, e))
        return -1;
    dout_demo_at(d, day, 0);
    f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title",
                  arena_printf(d->a, "关于%s的%s", x->subject, x->type),
                  "doc_type", x->type, "issuer", "office", "main_to",
                  x->main_to, "body", dout_demo_body(d->a, x, i), "urgency",
                  x->urgency, "signer", x->signer, "issuer_sign",
                  "市人民政府办公室", "notes",
                  arena_printf(d->a, "（联系人：%s，电话：0731-8888%04d）",
                               drafter.name, 1200 + i * 7));
    if (x->copy_to != NULL)
        json_object_set_new(f, "copy_to", json_string(x->copy_to));
    if (x->secrecy > 0) {
        json_object_set_new(f, "secrecy",
                            json_string(x->secrecy == 1 ? "1" : "2"));
        json_object_set_new(f, "secrecy_term",
                            json_string(x->secrecy == 1 ? "10年" : "20年"));
    }
    struct case_new n = {doc_out_module.code, 0, f, NULL};
    rc = case_create(d->db, d->a, &drafter, &n, &id, e);
    json_decref(f);
    if (rc)
        return -1;
    if (x->stage == DD_DRAFT)
        return 0;
    /* 送核稿; one in five was withdrawn once and sent again */
    dout_demo_at(d, day, 1);
    if (dout_demo_fire(d, x->drafter, id, "submit", NULL, NULL, e))
        return -1;
    if (i % 5 == 1) {
        dout_demo_at(d, day, 2);
        if (dout_demo_fire(d, x->drafter, id, "withdraw", NULL,
                           "补充附件后重新报送", e))
            return -1;
        dout_demo_at(d, day, 3);
        if (dout_demo_fire(d, x->drafter, id, "submit", NULL, NULL, e))
            return -1;
    }
    if (x->stage == DD_CHECK)
        return 0;
    day++;
    dout_demo_at(d, day, 0);
    if (co != NULL) {
        if (dout_demo_fire(d, x->checker, id, "send_countersign",
                           json_pack("{s:s}", "co_units", co), "请会签", e))
            return -1;
        dout_demo_at(d, day + 1, 0);
        if (x->stage == DD_RETURNED) {
            char *s = arena_strdup(d->a, co), *save = NULL;
            char *last = NULL;
            for (char *t = strtok_r(s, ",", &save); t;
                 t = strtok_r(NULL, ",", &save))
                last = t;
            return dout_demo_fire(
                d, arena_printf(d->a, "%s_ld", last), id,
                "countersign_return", NULL,
                "第二部分涉及我单位职责的表述不准确，请按我单位意见修改后"
                "重新送会签",
                e);
        }
        if (dout_demo_countersign(d, id, co, x->stage == DD_COUNTER, e))
            return -1;
        if (x->stage == DD_COUNTER)
            return 0;
        day += 2;
    } else {
        if (x->stage == DD_RETURNED || x->stage == DD_COUNTER)
            return 0;
        if (dout_demo_fire(d, x->checker, id, "check_pass", NULL,
                           "同意，送办公室审核", e))
            return -1;
        day++;
    }
    if (x->stage == DD_REVIEW)
        return 0;
    /* 审核: one in four went back to the drafter first */
    if (i % 4 == 2) {
        dout_demo_at(d, day, 0);
        if (dout_demo_fire(d, NULL, id, "return_draft", NULL,
                           "文种使用不当，请核实主送机关后修改", e))
            return -1;
        dout_demo_at(d, day, 2);
        if (dout_demo_fire(d, x->drafter, id, "submit", NULL, NULL, e))
            return -1;
        dout_demo_at(d, day, 4);
        if (dout_demo_fire(d, x->checker, id, "check_pass", NULL,
                           "已按意见修改", e))
            return -1;
        day++;
    }
    dout_demo_at(d, day, 0);
    if (dout_demo_fire(d, NULL, id, "review_pass",
                       json_pack("{s:o, s:s}", "checklist",
                                 json_loads(DD_CHECKLIST, 0, NULL), "signer",
                                 x->signer),
                       "经审核，符合行文规范", e))
        return -1;
    if (x->stage == DD_SIGN)
        return 0;
    day++;
    dout_demo_at(d, day, 0);
    if (dout_demo_fire(d, x->signer, id, "sign", NULL,
                       i % 3 ? "同意印发" : "同意，请抓好落实", e))
        return -1;
    if (x->stage == DD_RECHECK)
        return 0;
    dout_demo_at(d, day, 2);
    if (dout_demo_fire(d, NULL, id, "recheck_pass", NULL, "复核无误", e))
        return -1;
    if (x->stage == DD_REGISTER)
        return 0;
    dout_demo_at(d, day, 3);
    f = json_pack("{s:s, s:s}", "prefix", dout_demo_prefix(x->type),
                  "print_unit", "市人民政府办公室");
    if (x->secrecy > 0)
        json_object_set_new(
            f, "copy_no",
            json_string(arena_printf(d->a, "%06d", 1 + i)));
    if (dout_demo_fire(d, NULL, id, "register", f, NULL, e))
        return -1;
    if (x->stage == DD_PRINT)
        return 0;
    day++;
    dout_demo_at(d, day, 0);
    if (dout_demo_fire(d, NULL, id, "print",
                       json_pack("{s:i, s:s}", "copies", 20 + (i % 7) * 10,
                                 "print_date", demo_date(&d->clock, d->a, day)),
                       NULL, e))
        return -1;
    if (x->stage == DD_ISSUE)
        return 0;
    dout_demo_at(d, day, 2);
    if (dout_demo_fire(d, NULL, id, "issue", NULL, NULL, e))
        return -1;
    if (x->stage == DD_ISSUED)
        return 0;
    dout_demo_at(d, day + 10, 0);
    return dout_demo_fire(d, NULL, id, "archive", NULL, NULL, e);
}

int doc_out_demo(struct store *db, struct arena *a, struct err *e)
{
    int rc = -1;
    struct dout_demo_ctx d = {.db = db, .a = a};
    if (demo_module_built(db, a, doc_out_module.code, NULL))
        return 0;
    demo_clock_start(&d.clock);
    if (demo_actor(db, a, "bgsfzr", &d.clerk, e))
        goto out;
    for (int i = 0; dout_demo_docs[i].subject != NULL; i++)
        if (dout_demo_doc(&d, &dout_demo_docs[i], i, e))
            goto out;
    rc = 0;
out:
    now_reset();
    return rc;
}
