/*
 * supervision_demo.c - the demo office's 督办事项, so that every page shows
 * something real: the year's government work report split into 40 tasks
 * (one parent item, one child per task) and 30 leaders' instructions,
 * meeting decisions and other items, in every state and every light.
 *
 * Dates are relative to the day the demo is built, so the lights are
 * what they say whenever it runs: each item's history (登记, 交办, 签收,
 * 报送进展, 催办, 申请办结, 办结, 考核, 归档) is fired through the engine
 * with the clock moved back to when it happened (now_set), then the clock
 * is put back.  People: 督查科 胡志刚 (dck1) registers, assigns, chases and
 * closes; each lead unit's 承办人 (<unit>_cb) signs, reports and asks;
 * 秘书长 杨文博 (mishuzhang) supervises and decides extensions.
 */
#include "modules/supervision.h"

#include <string.h>

#include "kernel/case.h"
#include "kernel/demo.h"

/* How far an item has come. */
enum sup_demo_stage {
    SD_REGISTERED,  /* 立项, not yet assigned */
    SD_ASSIGNED,    /* 待签收, within the sign-for day */
    SD_SIGN_LATE,   /* 待签收, the sign-for day passed */
    SD_WORKING,     /* 办理中 */
    SD_EXT_ASKED,   /* 办理中, an extension waits for the leader */
    SD_EXT_GRANTED, /* 办理中, extended */
    SD_ASKED,       /* 申请办结, waiting for 督查科 */
    SD_RETURNED,    /* 办理中 again after 退回重办 */
    SD_DONE,        /* 办结 */
    SD_EVALUATED,   /* 已考核 */
    SD_ARCHIVED,    /* 归档 */
};

struct sup_demo_item {
    const char *title;
    const char *source;
    const char *ref;
    const char *lead;   /* unit code; its 承办人 is <lead>_cb */
    const char *co;     /* comma-separated unit codes, or NULL */
    const char *leader; /* responsible leader's login */
    int due;            /* last day: calendar days from today */
    enum sup_demo_stage stage;
    int late; /* the completion request came after the last day */
    int urges;
    int progress;
};

#define SD_WR "work_report"
/* When the demo office starts its day: 09:30, in minutes after midnight. */
#define SD_DAY_START (9 * 60 + 30)

/* The work report's tasks (政府工作报告重点任务分解). */
static const struct sup_demo_item sup_demo_report[] = {
    {"新改建农村公路200公里，完成危桥改造30座", SD_WR, "第1项", "jtj",
     "czj,zrj", "fushizhang1", -40, SD_ARCHIVED, 0, 0, 100},
    {"开通城区至临江区快速公交线路", SD_WR, "第2项", "jtj", "zjj",
     "fushizhang1", -25, SD_EVALUATED, 1, 2, 100},
    {"新增中小学学位5000个，新建改扩建学校8所", SD_WR, "第3项", "jyj",
     "fgw,czj,zrj", "fushizhang2", -20, SD_DONE, 0, 0, 100},
    {"推进义务教育优质均衡发展，完成集团化办学全覆盖", SD_WR, "第4项", "jyj",
     NULL, "fushizhang2", 60, SD_WORKING, 0, 0, 40},
    {"实施重点项目120个，完成投资350亿元", SD_WR, "第5项", "fgw",
     "czj,zrj,sthj", "changwu", 35, SD_WORKING, 0, 0, 70},
    {"争取中央预算内投资和专项债券资金50亿元", SD_WR, "第6项", "fgw", "czj",
     "changwu", -10, SD_WORKING, 0, 3, 80},
    {"落实减税降费政策，清理拖欠企业账款", SD_WR, "第7项", "czj", "swj",
     "changwu", -30, SD_ARCHIVED, 1, 1, 100},
    {"深化预算绩效管理改革，实现绩效评价全覆盖", SD_WR, "第8项", "czj", NULL,
     "changwu", 2, SD_WORKING, 0, 0, 75},
    {"城镇新增就业2.5万人，城镇调查失业率控制在5.5%以内", SD_WR, "第9项", "rsj",
     "jyj", "fushizhang2", 90, SD_WORKING, 0, 0, 85},
    {"开展职业技能培训3万人次", SD_WR, "第10项", "rsj", NULL, "fushizhang2",
     -15, SD_DONE, 1, 2, 100},
    {"完成国土空间总体规划报批", SD_WR, "第11项", "zrj", "fgw", "fushizhang3",
     45, SD_EXT_GRANTED, 0, 0, 55},
    {"盘活批而未供和闲置土地3000亩", SD_WR, "第12项", "zrj", "czj",
     "fushizhang3", -8, SD_ASKED, 0, 0, 100},
    {"改造城镇老旧小区120个，惠及居民2.1万户", SD_WR, "第13项", "zjj",
     "czj,mzj", "fushizhang3", 30, SD_WORKING, 0, 1, 60},
    {"新建保障性租赁住房3000套", SD_WR, "第14项", "zjj", "zrj", "fushizhang3",
     -5, SD_WORKING, 0, 2, 70},
    {"完成城区雨污分流改造管网80公里", SD_WR, "第15项", "zjj", "sthj",
     "fushizhang3", 1, SD_WORKING, 0, 0, 85},
    {"PM2.5平均浓度下降到32微克/立方米以下", SD_WR, "第16项", "sthj",
     "gxj,jtj,zjj", "fushizhang3", 35, SD_WORKING, 0, 0, 50},
    {"完成中央生态环境保护督察反馈问题整改", SD_WR, "第17项", "sthj", NULL,
     "fushizhang3", -35, SD_EVALUATED, 0, 0, 100},
    {"新建改造农村户用卫生厕所5000户", SD_WR, "第18项", "nyj", "wjw",
     "fushizhang1", 50, SD_ASSIGNED, 0, 0, 0},
    {"建设高标准农田8万亩", SD_WR, "第19项", "nyj", "zrj,slj", "fushizhang1",
     70, SD_REGISTERED, 0, 0, 0},
    {"社会消费品零售总额增长6%", SD_WR, "第20项", "swj", "tjj", "changwu", 35,
     SD_WORKING, 0, 0, 65},
    {"新培育外贸进出口实绩企业50家", SD_WR, "第21项", "swj", NULL, "changwu",
     -12, SD_DONE, 0, 0, 100},
    {"建成区域医疗中心，二级以上医院检查检验结果互认", SD_WR, "第22项", "wjw",
     "ybj", "fushizhang2", 80, SD_WORKING, 0, 0, 30},
    {"65岁以上老年人健康管理率达到72%", SD_WR, "第23项", "wjw", "mzj",
     "fushizhang2", -3, SD_ASKED, 1, 1, 100},
    {"新建社区嵌入式养老服务设施20个", SD_WR, "第24项", "mzj", "zjj,wjw",
     "fushizhang2", 3, SD_WORKING, 0, 1, 80},
    {"提高城乡低保标准，完成救助对象动态核查", SD_WR, "第25项", "mzj", "czj",
     "fushizhang2", -45, SD_ARCHIVED, 0, 0, 100},
    {"开展安全生产治本攻坚三年行动，较大事故起数下降", SD_WR, "第26项", "yjj",
     "gaj,jtj,zjj", "fushizhang3", 120, SD_WORKING, 0, 0, 45},
    {"建成应急物资储备库3个", SD_WR, "第27项", "yjj", "fgw", "fushizhang3", -18,
     SD_WORKING, 0, 4, 60},
    {"完成食品安全城市创建迎检工作", SD_WR, "第28项", "scj", "wjw,nyj",
     "fushizhang1", 40, SD_EXT_ASKED, 0, 0, 50},
    {"新增经营主体1.2万户", SD_WR, "第29项", "scj", NULL, "fushizhang1", -22,
     SD_EVALUATED, 0, 0, 100},
    {"深化常态化扫黑除恶斗争，电信网络诈骗案件发案下降", SD_WR, "第30项", "gaj",
     NULL, "fushizhang1", 65, SD_WORKING, 0, 0, 55},
    {"推进“互联网+交管”服务，新增智能交通信号路口60个", SD_WR, "第31项", "gaj",
     "jtj", "fushizhang1", -6, SD_RETURNED, 0, 1, 90},
    {"化解信访积案，初信初访一次性化解率达到90%", SD_WR, "第32项", "xfj", NULL,
     "changwu", 25, SD_WORKING, 0, 0, 70},
    {"建成市级人民建议征集平台", SD_WR, "第33项", "xfj", "gxj", "changwu", -28,
     SD_DONE, 1, 3, 100},
    {"规模以上工业增加值增长7%", SD_WR, "第34项", "gxj", "tjj", "changwu", 35,
     SD_SIGN_LATE, 0, 1, 0},
    {"新增专精特新中小企业30家", SD_WR, "第35项", "gxj", "kjj", "changwu", 55,
     SD_ASSIGNED, 0, 0, 0},
    {"高新技术企业达到300家，研发投入强度达到2.3%", SD_WR, "第36项", "kjj",
     "czj", "fushizhang2", 95, SD_REGISTERED, 0, 0, 0},
    {"推进“一网通办”，政务服务事项全程网办率达到85%", SD_WR, "第37项", "fgw",
     "gxj", "changwu", 2, SD_WORKING, 0, 0, 90},
    {"完成文旅消费季活动，接待游客增长10%", SD_WR, "第38项", "swj", "wlj",
     "fushizhang2", -2, SD_WORKING, 0, 1, 80},
    {"完成医保基金专项整治，追回违规资金", SD_WR, "第39项", "wjw", "ybj,gaj",
     "fushizhang2", 20, SD_WORKING, 0, 0, 60},
    {"完成第五次全国经济普查数据发布", SD_WR, "第40项", "fgw", "tjj", "changwu",
     -16, SD_ARCHIVED, 0, 0, 100},
    {0},
};

/* Leaders' instructions, meeting decisions and the rest. */
static const struct sup_demo_item sup_demo_others[] = {
    {"关于城区学校周边交通拥堵问题的批示", "instruction",
     "王建国市长批示：请市交通局会同市公安局一周内拿出整治方案", "jtj",
     "gaj,jyj", "fushizhang1", -3, SD_WORKING, 0, 2, 60},
    {"关于冬季供暖保障工作的批示", "instruction",
     "李明华常务副市长批示：确保群众温暖过冬", "zjj", "fgw,czj", "changwu", 4,
     SD_WORKING, 0, 0, 50},
    {"关于某小区电梯故障群众反映强烈的批示", "instruction",
     "张志强副市长批示：请市市场监管局立即督促整改", "scj", "zjj",
     "fushizhang1", 1, SD_WORKING, 0, 1, 70},
    {"关于加快中小学校舍安全排查的批示", "instruction", "刘秀英副市长批示",
     "jyj", "zjj,yjj", "fushizhang2", -14, SD_EVALUATED, 0, 0, 100},
    {"关于做好重点企业用工保障的批示", "instruction", "王建国市长批示", "rsj",
     NULL, "fushizhang2", -9, SD_DONE, 1, 1, 100},
    {"关于河道非法采砂问题的批示", "instruction",
     "陈国栋副市长批示：依法严厉打击", "slj", "gaj,zrj", "fushizhang3", 10,
     SD_ASSIGNED, 0, 0, 0},
    {"关于农民工工资拖欠问题的批示", "instruction",
     "王建国市长批示：春节前必须全部清零", "rsj", "zjj,gaj", "fushizhang2", 40,
     SD_WORKING, 0, 0, 35},
    {"关于加强燃气安全管理的批示", "instruction", "李明华常务副市长批示", "zjj",
     "yjj,scj", "changwu", -20, SD_ARCHIVED, 0, 0, 100},
    {"关于网络舆情反映的菜价上涨问题的批示", "instruction", "张志强副市长批示",
     "swj", "fgw,scj", "fushizhang1", -1, SD_ASKED, 0, 0, 100},
    {"关于群众反映医院挂号难的批示", "instruction", "刘秀英副市长批示", "wjw",
     NULL, "fushizhang2", 12, SD_WORKING, 0, 0, 40},
    {"关于城市内涝点整治的批示", "instruction", "陈国栋副市长批示", "zjj",
     "sthj", "fushizhang3", -30, SD_WORKING, 0, 5, 75},
    {"关于落实粮食安全责任制的批示", "instruction", "王建国市长批示", "nyj",
     "fgw", "fushizhang1", 30, SD_REGISTERED, 0, 0, 0},
    {"市政府第12次常务会议：研究优化营商环境若干措施", "meeting",
     "市政府第12次常务会议纪要", "fgw", "scj,swj,gxj", "changwu", -50,
     SD_ARCHIVED, 0, 0, 100},
    {"市政府第13次常务会议：出台促进消费十条措施", "meeting",
     "市政府第13次常务会议纪要", "swj", "czj", "changwu", -24, SD_EVALUATED, 1,
     2, 100},
    {"市政府第14次常务会议：审定中心城区停车设施规划", "meeting",
     "市政府第14次常务会议纪要", "zrj", "jtj,zjj", "fushizhang3", 15,
     SD_WORKING, 0, 0, 55},
    {"市政府第15次常务会议：部署秋冬季大气污染防治", "meeting",
     "市政府第15次常务会议纪要", "sthj", "gxj,zjj,jtj", "fushizhang3", -7,
     SD_WORKING, 0, 2, 65},
    {"专题会议：研究解决产业园区配套道路建设问题", "meeting",
     "市政府专题会议纪要〔2026〕21号", "jtj", "fgw,zrj", "fushizhang1", 2,
     SD_EXT_ASKED, 0, 0, 60},
    {"专题会议：推进城市更新项目融资", "meeting",
     "市政府专题会议纪要〔2026〕23号", "czj", "fgw,zjj", "changwu", -11,
     SD_DONE, 0, 0, 100},
    {"专题会议：协调解决新建学校开学前验收", "meeting",
     "市政府专题会议纪要〔2026〕25号", "jyj", "zjj,scj", "fushizhang2", -4,
     SD_RETURNED, 0, 1, 90},
    {"市长办公会议：研究重大项目征地拆迁问题", "meeting", "市长办公会议纪要",
     "zrj", "gaj,xfj", "changwu", 25, SD_WORKING, 0, 0, 45},
    {"专题会议：部署防汛备汛工作", "meeting", "市政府专题会议纪要〔2026〕9号",
     "yjj", "slj", "fushizhang3", -60, SD_ARCHIVED, 0, 0, 100},
    {"专题会议：推进政务数据共享", "meeting", "市政府专题会议纪要〔2026〕27号",
     "gxj", "fgw", "changwu", 18, SD_SIGN_LATE, 0, 0, 0},
    {"关于进一步加强安全生产工作的通知落实情况", "document",
     "市政发〔2026〕15号", "yjj", NULL, "fushizhang3", -13, SD_DONE, 0, 0, 100},
    {"关于印发全市招商引资考核办法的通知落实情况", "document",
     "市政办发〔2026〕32号", "swj", "fgw", "changwu", 45, SD_WORKING, 0, 0, 30},
    {"市人大代表建议：增设老旧小区充电设施", "proposal",
     "市十七届人大五次会议第0126号建议", "zjj", "fgw", "fushizhang3", 22,
     SD_WORKING, 0, 0, 50},
    {"市政协委员提案：加强中小学生心理健康教育", "proposal",
     "市政协十五届五次会议第0088号提案", "jyj", "wjw", "fushizhang2", -19,
     SD_EVALUATED, 0, 0, 100},
    {"市人大代表建议：完善农村客运班线", "proposal",
     "市十七届人大五次会议第0203号建议", "jtj", NULL, "fushizhang1", 5,
     SD_ASSIGNED, 0, 0, 0},
    {"群众联名反映某工业园区异味扰民", "petition", "市信访局转办〔2026〕118号",
     "sthj", "gxj", "fushizhang3", -2, SD_WORKING, 0, 3, 70},
    {"群众反映某楼盘逾期交房", "petition", "市信访局转办〔2026〕131号", "zjj",
     "zrj,scj", "fushizhang3", 8, SD_WORKING, 0, 1, 40},
    {"关于节日期间市场保供稳价的督办", "other", "市政府办公室", "scj",
     "swj,fgw", "fushizhang1", 6, SD_REGISTERED, 0, 0, 0},
    {0},
};

/* ---- building ---- */

struct sup_demo_ctx {
    struct store *db;
    struct arena *a;
    struct actor clerk;      /* dck1, 督查科 */
    struct actor supervisor; /* mishuzhang */
    struct demo_clock clock;
};

/* Moves the clock to 09:30 + minutes on the day `days` from today (see
 * demo_clock_at: after the item's previous step, before the real now). */
static void sup_demo_at(struct sup_demo_ctx *d, int days, int minutes)
{
    demo_clock_at(&d->clock, days, SD_DAY_START + minutes);
}

static int sup_demo_fire(struct sup_demo_ctx *d, const struct actor *who,
                         int64_t id, const char *code, json_t *fields,
                         const char *comment, struct err *e)
{
    int rc = case_fire(d->db, d->a, who, id, code, fields, comment, e);
    json_decref(fields);
    return rc;
}

/* Registers item x (under parent, 0 none) and walks it to its stage. */
static int sup_demo_item(struct sup_demo_ctx *d, const struct sup_demo_item *x,
                         int64_t parent, struct err *e)
{
    int64_t id;
    struct actor unit;
    int due = x->due;
    /* registered well before the limit: three weeks of work at least */
    int start = due - 30 < -25 ? due - 30 : -25;
    if (x->stage == SD_REGISTERED || x->stage == SD_ASSIGNED)
        start = 0;
    if (x->stage == SD_SIGN_LATE)
        start = -4;
    d->clock.last = 0;
    if (x->stage > SD_SIGN_LATE &&
        demo_actor(d->db, d->a, arena_printf(d->a, "%s_cb", x->lead), &unit, e))
        return -1;
    sup_demo_at(d, start, 0);
    json_t *f = json_pack("{s:s, s:s, s:s}", "title", x->title, "source",
                          x->source, "source_ref", x->ref);
    struct case_new n = {supervision_module.code, parent, f, NULL};
    int rc = case_create(d->db, d->a, &d->clerk, &n, &id, e);
    json_decref(f);
    if (rc)
        return -1;
    if (x->stage == SD_REGISTERED)
        return 0;
    /* 交办 */
    f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "lead_unit", x->lead,
                  "responsible_leader", x->leader, "supervising_leader",
                  "mishuzhang", "deadline", demo_date(&d->clock, d->a, due),
                  "report_cycle", due - start > 60 ? "monthly" : "none");
    if (x->co) {
        json_t *co = json_array();
        char *s = arena_strdup(d->a, x->co), *save = NULL;
        for (char *t = strtok_r(s, ",", &save); t;
             t = strtok_r(NULL, ",", &save))
            json_array_append_new(co, json_string(t));
        json_object_set_new(f, "co_units", co);
    }
    sup_demo_at(d, start, 30);
    if (sup_demo_fire(d, &d->clerk, id, "assign", f, "请按要求抓好落实", e))
        return -1;
    if (x->stage <= SD_SIGN_LATE)
        return 0;
    /* 签收, then progress */
    sup_demo_at(d, start + 1, 0);
    if (sup_demo_fire(d, &unit, id, "accept", NULL, NULL, e))
        return -1;
    sup_demo_at(d, start + 8, 0);
    if (sup_demo_fire(d, &unit, id, "report",
                      json_pack("{s:i, s:s}", "progress",
                                x->progress > 30 ? x->progress / 2 : 10,
                                "progress_note",
                                "已制定工作方案，明确责任人和时间节点，"
                                "正在按计划推进"),
                      NULL, e))
        return -1;
    for (int i = 0; i < x->urges; i++) {
        sup_demo_at(d, start + 10 + i * 3, 0);
        if (sup_demo_fire(d, &d->clerk, id, "urge", NULL,
                          "请抓紧办理，按时报送进展情况", e))
            return -1;
    }
    if (x->stage == SD_EXT_ASKED || x->stage == SD_EXT_GRANTED) {
        sup_demo_at(d, start + 12 + x->urges * 3, 0);
        if (sup_demo_fire(d, &unit, id, "request_extension",
                          json_pack("{s:s}", "extension_to",
                                    demo_date(&d->clock, d->a, due + 30)),
                          "涉及多个部门协调，需延长办理时限", e))
            return -1;
        if (x->stage == SD_EXT_GRANTED) {
            sup_demo_at(d, start + 13 + x->urges * 3, 0);
            if (sup_demo_fire(d, &d->supervisor, id, "approve_extension", NULL,
                              "同意，请务必在延期时限内办结", e))
                return -1;
        }
    }
    if (x->stage <= SD_EXT_GRANTED) {
        sup_demo_at(d, -2, 0);
        return sup_demo_fire(d, &unit, id, "report",
                             json_pack("{s:i, s:s}", "progress", x->progress,
                                       "progress_note",
                                       "主体工作基本完成，正在扫尾"),
                             NULL, e);
    }
    /* 申请办结: by the last day, or after it when late */
    int asked = x->late ? due + 1 : (due - 1 < -3 ? due - 1 : -3);
    sup_demo_at(d, asked, 0);
    if (sup_demo_fire(d, &unit, id, "request_completion",
                      json_pack("{s:s, s:i}", "result",
                                "已按督办要求全部完成，相关佐证材料已报送",
                                "progress", 100),
                      NULL, e))
        return -1;
    if (x->stage == SD_ASKED)
        return 0;
    if (x->stage == SD_RETURNED) {
        sup_demo_at(d, asked + 1, 0);
        return sup_demo_fire(d, &d->clerk, id, "return", NULL,
                             "佐证材料不全，请补充后重新申请办结", e);
    }
    sup_demo_at(d, asked + 1, 0);
    if (sup_demo_fire(d, &d->clerk, id, "complete", NULL, "经审核，同意办结",
                      e))
        return -1;
    if (x->stage == SD_DONE)
        return 0;
    sup_demo_at(d, asked + 2, 0);
    if (sup_demo_fire(d, &d->clerk, id, "evaluate",
                      json_pack("{s:i}", "score", x->late ? 80 : 95),
                      x->late ? "任务完成但逾期，扣分" : "按期高质量完成", e))
        return -1;
    if (x->stage == SD_EVALUATED)
        return 0;
    sup_demo_at(d, asked + 3, 0);
    return sup_demo_fire(d, &d->clerk, id, "archive", NULL, NULL, e);
}

int supervision_demo(struct store *db, struct arena *a, struct err *e)
{
    int rc = -1;
    struct sup_demo_ctx d = {.db = db, .a = a};
    int64_t parent;
    if (demo_module_built(db, a, supervision_module.code, NULL))
        return 0;
    demo_clock_start(&d.clock);
    if (demo_actor(db, a, "dck1", &d.clerk, e) ||
        demo_actor(db, a, "mishuzhang", &d.supervisor, e))
        goto out;
    /* the work report: one parent, led by 督查科 itself */
    struct actor dckz;
    if (demo_actor(db, a, "dckz", &dckz, e))
        goto out;
    sup_demo_at(&d, -60, 0);
    json_t *f = json_pack(
        "{s:s, s:s, s:s, s:s}", "title",
        arena_printf(a, "%d年政府工作报告重点任务", d.clock.today.y), "source",
        SD_WR, "source_ref",
        arena_printf(a, "%d年市政府工作报告", d.clock.today.y), "requirement",
        "政府工作报告确定的所有任务，一项不漏地分解到部门，明确责任、标准和"
        "时限，公开做出承诺，实行台账管理");
    struct case_new n = {supervision_module.code, 0, f, NULL};
    int bad = case_create(db, a, &d.clerk, &n, &parent, e);
    json_decref(f);
    if (bad)
        goto out;
    sup_demo_at(&d, -60, 30);
    if (sup_demo_fire(&d, &d.clerk, parent, "assign",
                      json_pack("{s:s, s:s, s:s, s:s}", "lead_unit", "dck",
                                "supervising_leader", "mishuzhang", "deadline",
                                arena_printf(a, "%d-12-31", d.clock.today.y),
                                "report_cycle", "monthly"),
                      "按任务分解表逐项交办，每月汇总进展", e))
        goto out;
    sup_demo_at(&d, -59, 0);
    if (sup_demo_fire(&d, &dckz, parent, "accept", NULL, NULL, e))
        goto out;
    for (const struct sup_demo_item *x = sup_demo_report; x->title; x++)
        if (sup_demo_item(&d, x, parent, e))
            goto out;
    for (const struct sup_demo_item *x = sup_demo_others; x->title; x++)
        if (sup_demo_item(&d, x, 0, e))
            goto out;
    rc = 0;
out:
    now_reset();
    return rc;
}
