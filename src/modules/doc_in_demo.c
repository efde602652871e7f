/*
 * doc_in_demo.c - the demo office's 收文: 30 documents registered by hand
 * in 秘书科 (recv_unit msk: from the province, the departments and the
 * counties, on paper), in every step of the flow, and the documents the
 * exchange delivered when doc_out_demo.c issued its 发文, signed for and
 * handled by the receiving units (most of them; some wait for 签收, so the
 * sender's 回执 show both).
 *
 * As in supervision_demo.c, each step is fired through the engine as the
 * demo people with the clock moved back to when it happened:
 *
 *   待签收 --签收--> 待登记 --登记 (收文〔year〕n号)--> 待初审
 *     --初审通过--> 待拟办 --拟办--> 待批办 --批办--> 承办中
 *       (立项督办, 催办) --办结 / 答复--> 办结 --归档--> 归档
 *   待初审 --退文--> 已退文;  待拟办 / 承办中 --送传阅--> 传阅中
 *     --已阅 (each reader)--> 传阅完毕 --办结--> 办结
 *
 * People: 秘书科 周晓梅 (msk1) signs, registers, checks, proposes,
 * circulates and closes; 吴俊杰 (msk2) chases urgent documents; the leader
 * named in each row instructs; the handling unit's 承办人 (<unit>_cb)
 * handles.  At a receiving department or county office its own 承办人 or
 * clerk does the office's part and its head (<unit>_ld) instructs.
 */
#include "modules/doc_in.h"

#include <string.h>

#include "base/now.h"
#include "kernel/case.h"
#include "kernel/demo.h"
#include "kernel/org.h"

/* How far a document has come. */
enum din_demo_stage {
    DI_SIGN,        /* 待签收 */
    DI_REGISTER,    /* 待登记 */
    DI_CHECK,       /* 待初审 */
    DI_RETURNED,    /* 已退文 */
    DI_PROPOSE,     /* 待拟办 */
    DI_INSTRUCT,    /* 待批办 */
    DI_HANDLING,    /* 承办中 */
    DI_SUPERVISED,  /* 承办中, with a linked supervision item */
    DI_URGED,       /* 承办中, chased */
    DI_CIRCULATING, /* 传阅中, one reader has read it */
    DI_CIRCULATED,  /* 传阅完毕 */
    DI_DONE,        /* 办结 */
    DI_REPLIED,     /* 办结 by 答复 */
    DI_ARCHIVED,    /* 归档 */
};

struct din_demo_doc {
    const char *issuer;   /* 来文机关 */
    const char *from;     /* its unit code when on the platform, or NULL */
    const char *prefix;   /* of its 来文字号 */
    const char *subject;  /* 关于<subject>的<type> */
    const char *type;
    int secrecy;
    const char *urgency;  /* none / urgent / very_urgent */
    const char *unit;     /* handling unit (its 承办人 <unit>_cb) */
    const char *leader;   /* 批办领导 */
    int start;            /* arrived this many days before today */
    enum din_demo_stage stage;
};

#define DI_PROV "省人民政府办公厅"
/* The office's day starts at 09:00; steps are that many hours later. */
#define DI_DAY_START_HOUR 9

static const struct din_demo_doc din_demo_docs[] = {
    {DI_PROV, NULL, "省政办发", "做好2026年春耕生产工作", "通知", 0, "none",
     "zrj", "fushizhang1", -58, DI_ARCHIVED},
    {"省人民政府", NULL, "省政发", "印发全省国土空间规划实施方案", "通知", 0,
     "none", "zrj", "fushizhang3", -52, DI_ARCHIVED},
    {"省发展和改革委员会", NULL, "省发改投资", "报送2026年重大项目储备清单",
     "通知", 0, "urgent", "fgw", "changwu", -47, DI_DONE},
    {"省财政厅", NULL, "省财预", "下达2026年中央财政衔接推进乡村振兴补助资金",
     "通知", 1, "none", "czj", "changwu", -44, DI_REPLIED},
    {DI_PROV, NULL, "省政办明电", "切实做好强降雨防范应对工作", "通知", 0,
     "very_urgent", "yjj", "fushizhang3", -40, DI_DONE},
    {"省公安厅", NULL, "省公通", "重要节点安全稳定风险研判", "通报", 2,
     "urgent", "gaj", "shizhang", -37, DI_CIRCULATED},
    {DI_PROV, NULL, "省政办函", "开展省级营商环境评价", "函", 0, "none", "fgw",
     "changwu", -35, DI_REPLIED},
    {"省教育厅", NULL, "省教基", "做好义务教育招生入学工作", "通知", 0, "none",
     "jyj", "fushizhang2", -33, DI_ARCHIVED},
    {"省住房和城乡建设厅", NULL, "省建城", "开展城镇燃气安全专项整治", "通知", 0,
     "urgent", "zjj", "fushizhang3", -30, DI_URGED},
    {"省卫生健康委员会", NULL, "省卫疾控", "加强夏季传染病防控", "通知", 0,
     "none", "wjw", "fushizhang2", -28, DI_SUPERVISED},
    {"省人力资源和社会保障厅", NULL, "省人社函", "核查2025年度就业补助资金使用",
     "函", 0, "none", "rsj", "fushizhang2", -26, DI_HANDLING},
    {"省应急管理厅", NULL, "省应急", "上半年安全生产形势", "通报", 1, "none",
     "yjj", "fushizhang3", -24, DI_CIRCULATING},
    {DI_PROV, NULL, "省政办发", "进一步加强政务公开工作", "意见", 0, "none",
     "fgw", "mishuzhang", -22, DI_HANDLING},
    {"省民政厅", NULL, "省民函", "开展养老机构服务质量检查", "函", 0, "none",
     "mzj", "fushizhang2", -20, DI_INSTRUCT},
    {"省交通运输厅", NULL, "省交规划", "报送农村公路建设计划", "通知", 0,
     "urgent", "jtj", "fushizhang1", -12, DI_INSTRUCT},
    {"省市场监督管理局", NULL, "省市监食", "开展校园食品安全排查", "通知", 0,
     "none", "scj", "fushizhang1", -9, DI_PROPOSE},
    {DI_PROV, NULL, "省政办发", "印发数字政府建设三年行动方案", "通知", 0,
     "none", "fgw", "changwu", -5, DI_CHECK},
    {"省自然资源厅", NULL, "省自然资函", "商请核实耕地保护目标任务", "函", 0,
     "none", "zrj", "fushizhang3", -3, DI_REGISTER},
    {DI_PROV, NULL, "省政办发", "做好2026年度防汛抗旱工作", "通知", 0,
     "urgent", "yjj", "fushizhang3", -1, DI_SIGN},
    {"市交通运输局", "jtj", "市交通", "申请安排公交车辆更新补贴资金", "请示", 0,
     "none", "czj", "changwu", -34, DI_ARCHIVED},
    {"市教育局", "jyj", "市教", "新建学校开学前验收情况", "报告", 0, "none",
     "jyj", "fushizhang2", -27, DI_CIRCULATED},
    {"市公安局", "gaj", "市公", "申请增加重点部位技防设施经费", "请示", 1,
     "none", "czj", "changwu", -23, DI_HANDLING},
    {"市卫生健康委员会", "wjw", "市卫", "区域医疗中心建设进展情况", "报告", 0,
     "none", "wjw", "fushizhang2", -14, DI_INSTRUCT},
    {"市财政局", "czj", "市财", "上报2026年上半年财政收支情况", "报告", 0,
     "none", "czj", "changwu", -8, DI_PROPOSE},
    {"市住房和城乡建设局", "zjj", "市建", "申请召开老旧小区改造专题会议", "请示",
     0, "urgent", "zjj", "fushizhang3", -6, DI_CHECK},
    {"市民政局", "mzj", "市民", "报送社会救助资金绩效自评报告", "报告", 0,
     "none", "mzj", "fushizhang2", -11, DI_RETURNED},
    {"青山区人民政府", "qsq", "青政", "申请将青山大道改造纳入市级重点项目",
     "请示", 0, "none", "fgw", "changwu", -19, DI_SUPERVISED},
    {"临江区人民政府", "ljq", "临政", "汛期地质灾害隐患排查情况", "报告", 0,
     "urgent", "zrj", "fushizhang3", -16, DI_DONE},
    {"安平县人民政府", "apx", "安政", "申请支持县域医共体建设", "请示", 0,
     "none", "wjw", "fushizhang2", -10, DI_HANDLING},
    {"宁远县人民政府", "nyx", "宁政", "春季森林防火工作情况", "报告", 0, "none",
     "yjj", "fushizhang3", -4, DI_PROPOSE},
    {"南屏县人民政府", "npx", "南政", "申请调整县城控制性详细规划", "请示", 0,
     "none", "zrj", "fushizhang3", -2, DI_REGISTER},
    {0},
};

/* ---- building ---- */

struct din_demo_ctx {
    struct store *db;
    struct arena *a;
    struct demo_clock clock;
};

/* 1 when login is a demo person. */
static int din_demo_has(struct din_demo_ctx *d, const char *login)
{
    struct user u;
    struct err e = {0};
    return org_user_get(d->db, d->a, login, &u, &e) == 0;
}

/* Moves the clock to 09:00 + hours on the day `days` from today (see
 * demo_clock_at: after the previous step, before the real now). */
static void din_demo_at(struct din_demo_ctx *d, int days, int hours)
{
    demo_clock_at(&d->clock, days, (DI_DAY_START_HOUR + hours) * 60);
}

static int din_demo_fire(struct din_demo_ctx *d, const char *login, int64_t id,
                         const char *code, json_t *fields, const char *comment,
                         struct err *e)
{
    struct actor who;
    int rc = demo_actor(d->db, d->a, login, &who, e) ||
             case_fire(d->db, d->a, &who, id, code, fields, comment, e);
    json_decref(fields);
    return rc ? -1 : 0;
}

/* Who does what for one receiving unit. */
struct din_demo_people {
    const char *office; /* signs, registers, checks, proposes, closes */
    const char *chaser;
    const char *leader;  /* instructs */
    const char *handler; /* handles; NULL: the handling unit's <unit>_cb */
};

/* Walks case id from 待签收 to stage: the office's part by p->office, 批办
 * by leader, the handling by unit's 承办人 <unit>_cb. */
static int din_demo_walk(struct din_demo_ctx *d, int64_t id,
                         const struct din_demo_people *p, const char *leader,
                         const char *unit, const char *urgency, int day,
                         enum din_demo_stage stage, int i, struct err *e)
{
    const char *handler = p->handler != NULL
                              ? p->handler
                              : arena_printf(d->a, "%s_cb", unit);
    json_t *f;
    if (stage == DI_SIGN)
        return 0;
    din_demo_at(d, day, 0);
    if (din_demo_fire(d, p->office, id, "sign", NULL, NULL, e))
        return -1;
    if (stage == DI_REGISTER)
        return 0;
    din_demo_at(d, day, 1);
    f = json_object();
    if (strcmp(urgency, "none") != 0) {
        json_object_set_new(
            f, "deadline",
            json_string(
                demo_date(&d->clock, d->a,
                          day + (strcmp(urgency, "urgent") == 0 ? 7 : 3))));
        json_object_set_new(f, "chaser", json_string(p->chaser));
    }
    if (din_demo_fire(d, p->office, id, "register", f, NULL, e))
        return -1;
    if (stage == DI_CHECK)
        return 0;
    din_demo_at(d, day, 2);
    if (stage == DI_RETURNED)
        return din_demo_fire(d, p->office, id, "reject", NULL,
                             "来文未按规定履行内部审核程序，附件材料不全，"
                             "请补充完善后重新报送",
                             e);
    if (din_demo_fire(d, p->office, id, "accept", NULL, "符合收文要求", e))
        return -1;
    if (stage == DI_PROPOSE)
        return 0;
    din_demo_at(d, day, 3);
    if (stage == DI_CIRCULATING && i % 2 == 0) {
        /* a 阅件: read by the leaders, no handling */
        if (din_demo_fire(
                d, p->office, id, "circulate",
                json_pack("{s:s}", "readers", "shizhang,changwu,mishuzhang"),
                "阅件，呈领导阅示", e))
            return -1;
        din_demo_at(d, day + 1, 0);
        return din_demo_fire(d, "mishuzhang", id, "read", NULL, "已阅", e);
    }
    if (din_demo_fire(d, p->office, id, "propose",
                      json_pack("{s:s, s:s}", "handling_unit", unit, "leader",
                                leader),
                      arena_printf(d->a,
                                   "拟请%s同志阅示，由承办单位研究办理，"
                                   "按时限报送办理结果",
                                   leader),
                      e))
        return -1;
    if (stage == DI_INSTRUCT)
        return 0;
    din_demo_at(d, day + 1, 0);
    if (din_demo_fire(d, leader, id, "instruct", NULL,
                      i % 2 ? "请认真研究落实，及时报告进展"
                            : "同意拟办意见，请抓紧办理",
                      e))
        return -1;
    if (stage == DI_HANDLING)
        return 0;
    din_demo_at(d, day + 2, 0);
    if (stage == DI_SUPERVISED)
        return din_demo_fire(d, p->office, id, "open_supervision", NULL,
                             "领导批示事项，纳入督办", e);
    if (stage == DI_URGED)
        return din_demo_fire(d, p->chaser, id, "urge", NULL,
                             "请加快办理进度，按时限报送办理结果", e);
    if (stage == DI_CIRCULATING || stage == DI_CIRCULATED) {
        if (din_demo_fire(d, handler, id, "circulate",
                          json_pack("{s:s}", "readers", "changwu,mishuzhang"),
                          "办理情况呈领导传阅", e))
            return -1;
        din_demo_at(d, day + 3, 0);
        if (din_demo_fire(d, "mishuzhang", id, "read", NULL, "已阅", e))
            return -1;
        if (stage == DI_CIRCULATING)
            return 0;
        din_demo_at(d, day + 3, 2);
        return din_demo_fire(d, "changwu", id, "read", NULL,
                             "已阅，请继续跟踪落实", e);
    }
    din_demo_at(d, day + 5, 0);
    if (stage == DI_REPLIED) {
        if (din_demo_fire(d, handler, id, "reply", NULL,
                          "已按来文要求研究办理，办理情况已书面答复来文单位",
                          e))
            return -1;
    } else if (din_demo_fire(d, handler, id, "complete", NULL,
                             "已按领导批示办理完毕", e))
        return -1;
    if (stage != DI_ARCHIVED)
        return 0;
    din_demo_at(d, day + 7, 0);
    return din_demo_fire(d, p->office, id, "archive", NULL, NULL, e);
}

/* Registers row x in 秘书科 and walks it. */
static int din_demo_doc(struct din_demo_ctx *d, const struct din_demo_doc *x,
                        int i, struct err *e)
{
    static const struct din_demo_people msk = {"msk1", "msk2", NULL, NULL};
    struct actor clerk;
    int64_t id;
    json_t *f;
    int rc;

    d->clock.last = 0;
    if (demo_actor(d->db, d->a, "msk1", &clerk, e))
        return -1;
    din_demo_at(d, x->start, 0);
    f = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "title",
        arena_printf(d->a, "关于%s的%s", x->subject, x->type), "issuer",
        x->issuer, "doc_number",
        arena_printf(d->a, "%s〔%d〕%d号", x->prefix, d->clock.today.y,
                     3 + i * 5),
        "doc_type", x->type, "recv_unit", "msk", "copies", 2 + i % 3, "urgency",
        x->urgency, "summary",
        arena_printf(d->a,
                     "%s就%s作出部署，要求明确责任单位和时限，认真组织"
                     "实施，并按时报送落实情况。",
                     x->issuer, x->subject));
    if (x->from != NULL)
        json_object_set_new(f, "from_unit", json_string(x->from));
    if (x->secrecy > 0) {
        json_object_set_new(f, "secrecy",
                            json_string(x->secrecy == 1 ? "1" : "2"));
        json_object_set_new(f, "secrecy_term",
                            json_string(x->secrecy == 1 ? "10年" : "20年"));
    }
    struct case_new n = {doc_in_module.code, 0, f, "纸质来文，机要交换取回"};
    rc = case_create(d->db, d->a, &clerk, &n, &id, e);
    json_decref(f);
    if (rc)
        return -1;
    return din_demo_walk(d, id, &msk, x->leader, x->unit, x->urgency,
                         x->start, x->stage, i, e);
}

/* The people of a receiving unit on the demo: a department's 承办人 and
 * head, a county office's clerk and head.  0 when it has none. */
static int din_demo_people_of(struct din_demo_ctx *d, const char *unit,
                              struct din_demo_people *p)
{
    size_t n = strlen(unit);
    /* county offices qsqb.. hold qsq_cb and qsq_ld */
    const char *base = n == 4 && unit[3] == 'b' ? arena_strndup(d->a, unit, 3)
                                                : unit;
    p->office = arena_printf(d->a, "%s_cb", base);
    p->chaser = p->office;
    p->leader = arena_printf(d->a, "%s_ld", base);
    p->handler = p->office;
    if (!din_demo_has(d, p->office))
        return 0;
    if (!din_demo_has(d, p->leader))
        p->leader = NULL;
    return 1;
}

/* Signs for and handles what the exchange delivered (doc_out_demo). */
static int din_demo_delivered(struct din_demo_ctx *d, struct err *e)
{
    static const enum din_demo_stage stages[] = {
        DI_DONE,   DI_HANDLING, DI_CHECK,    DI_ARCHIVED, DI_PROPOSE,
        DI_REPLIED, DI_INSTRUCT, DI_REGISTER, DI_DONE,    DI_SIGN,
    };
    struct actor sys;
    struct case_filter f = {0};
    struct case_page pg;
    actor_system(&sys);
    f.module = doc_in_module.code;
    f.state = "to_sign";
    f.sort = "created";
    f.per_page = 500;
    if (case_list(d->db, d->a, &sys, &f, &pg, e))
        return -1;
    for (int i = 0; i < pg.n; i++) {
        const struct case_item *it = &pg.items[i];
        struct din_demo_people p;
        enum din_demo_stage st = stages[i % 10];
        int day;
        const char *urg = json_string_value(json_object_get(it->fields,
                                                            "urgency"));
        if (it->owner_unit == NULL || !din_demo_people_of(d, it->owner_unit, &p))
            continue;
        if (p.leader == NULL && st > DI_PROPOSE)
            st = DI_PROPOSE;
        /* recent deliveries are at most registered */
        day = (int)((it->created_ms - d->clock.real_now) / 86400000) + 1;
        if (day > -5 && st > DI_CHECK)
            st = DI_CHECK;
        d->clock.last = it->created_ms;
        if (din_demo_walk(d, it->id, &p, p.leader, it->owner_unit,
                          urg != NULL ? urg : "none", day, st, i, e))
            return -1;
    }
    return 0;
}

int doc_in_demo(struct store *db, struct arena *a, struct err *e)
{
    int rc = -1;
    struct din_demo_ctx d = {.db = db, .a = a};
    /* its own documents are registered in 秘书科; doc_out_demo's
     * deliveries, made before, go to other units */
    if (demo_module_built(db, a, doc_in_module.code, "msk"))
        return 0;
    demo_clock_start(&d.clock);
    for (int i = 0; din_demo_docs[i].issuer != NULL; i++)
        if (din_demo_doc(&d, &din_demo_docs[i], i, e))
            goto out;
    if (din_demo_delivered(&d, e))
        goto out;
    rc = 0;
out:
    now_reset();
    return rc;
}
