/*
 * gen_text.c - the phrase grammar of generated data (see gen.h): short word
 * lists of our own (who acts, what they do, to what, where, by when) and a
 * few sentence shapes of notices and supervision work that combine them.
 *
 * Each case keeps to one topic (gen_text_context): its objects come from
 * that topic's list, so a topic word (安全生产, 防汛, 营商环境 ...) is in
 * about 1/GEN_TOPICS of the cases, as in an office where each matter is
 * one matter.  The words of a module's domain come in set phrases with a
 * small chance each (督办 and 整改 in supervision, 通知 and 落实 in
 * documents), so that a search for one finds a realistic 0.1-10% of the
 * cases rather than all of them or none.
 *
 * Shapes of a sentence (gen_sentence picks one):
 *     为<verb><object>，<subject>要<verb><object>，<goal>。
 *     <time>，<subject><verb><place><object>，<progress>。
 *     <ordinal><verb><object>，<verb><object>。
 *     <subject>要<verb><object>，<time>前<goal>。
 * A body is sentences grouped into paragraphs of 2-4; a title is
 * <verb><place?><object> (task) or 关于<verb><year?><object>的<type> (doc).
 */
#include <stddef.h>
#include <string.h>

#include "cli/gen.h"

#define GEN_N(list) ((int)(sizeof(list) / sizeof((list)[0])))
#define GEN_PICK(r, list) ((list)[gen_rng_below((r), GEN_N(list))])
#define GEN_TITLE_TRIES 20
#define GEN_PARA_MIN 2
#define GEN_PARA_MAX 4
/* chances (percent) of a domain phrase in one sentence */
#define GEN_DOMAIN_PCT 3

/* ---- random numbers ---- */

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    r->s = seed ^ 0x5368756e69754745ULL; /* "ShuniuGE": seed 0 still mixes */
    r->topic = -1;
    r->domain = GEN_DOMAIN_NONE;
}

uint64_t gen_rng_next(struct gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int gen_rng_below(struct gen_rng *r, int n)
{
    return n <= 1 ? 0 : (int)(gen_rng_next(r) % (uint64_t)n);
}

int gen_rng_range(struct gen_rng *r, int lo, int hi)
{
    return hi <= lo ? lo : lo + gen_rng_below(r, hi - lo + 1);
}

int gen_rng_pct(struct gen_rng *r, int pct)
{
    return gen_rng_below(r, 100) < pct;
}

/* ---- the word lists ---- */

static const char *const gen_subjects[] = {
    "各区县人民政府",     "市直各有关部门",     "牵头单位",
    "各责任单位",         "市交通运输局",       "市住房和城乡建设局",
    "市教育局",           "市财政局",           "市生态环境局",
    "市卫生健康委员会",   "市应急管理局",       "市农业农村局",
    "各乡镇街道",         "市发展和改革委员会", "市市场监督管理局",
    "市自然资源和规划局", "市民政局",           "市人力资源和社会保障局",
};

static const char *const gen_verbs[] = {
    "推进", "加快", "统筹", "加强",     "完善",     "健全",     "开展", "组织",
    "推动", "做好", "抓好", "深化",     "提升",     "保障",     "优化", "规范",
    "实施", "强化", "改进", "扎实推进", "持续推进", "稳步推进",
};

/* Topics: the matter of one case, and the objects its sentences name.
 * Every object holds the topic's key word, and no key word is in another
 * topic. */
#define GEN_TOPIC_OBJECTS 4
struct gen_topic {
    const char *objects[GEN_TOPIC_OBJECTS];
};

static const struct gen_topic gen_topics[] = {
    {{"安全生产工作", "安全生产隐患排查", "安全生产责任制",
      "重点行业安全生产检查"}},
    {{"防汛抗旱工作", "防汛物资储备", "汛期防汛值守", "防汛应急预案修订"}},
    {{"营商环境优化", "优化营商环境专项行动", "营商环境评价",
      "营商环境投诉办理"}},
    {{"老旧小区改造", "老旧小区加装电梯", "老旧小区配套设施",
      "老旧小区改造资金"}},
    {{"农村公路建设", "农村公路养护", "农村公路危险路段", "农村公路提档升级"}},
    {{"城乡环境整治", "城乡环境卫生", "城乡环境综合治理", "城乡环境薄弱区域"}},
    {{"就业创业服务", "高校毕业生就业", "就业见习岗位", "重点群体就业帮扶"}},
    {{"基层医疗卫生服务", "基层医疗机构建设", "家庭医生签约",
      "基层医疗人才培养"}},
    {{"中小学校舍建设", "校舍安全鉴定", "校舍维修改造", "新建校舍项目"}},
    {{"重点项目建设", "重点项目前期工作", "重点项目要素保障",
      "重点项目投资进度"}},
    {{"政务服务事项办理", "政务服务一网通办", "政务服务大厅管理",
      "政务服务好差评"}},
    {{"耕地保护工作", "耕地占补平衡", "耕地非农化整治", "永久基本农田保护"}},
    {{"河湖长制工作", "河湖长巡河", "河湖四乱清理", "河湖水质监测"}},
    {{"招商引资工作", "招商引资项目签约", "招商引资项目落地", "产业链招商"}},
    {{"消费市场提振", "促消费活动", "消费券发放", "夜间消费场景"}},
    {{"食品安全监管", "食品安全抽检", "校园食品安全", "食品安全风险排查"}},
    {{"信访积案化解", "信访事项办理", "重复信访治理", "信访积案包案"}},
    {{"生态环境保护", "生态环境问题", "生态环境执法", "生态环境监测网络"}},
    {{"养老服务体系建设", "社区养老服务", "养老机构安全", "居家养老服务"}},
    {{"公共文化服务", "公共文化设施", "公共文化活动", "基层公共文化阵地"}},
    {{"危桥改造", "危桥排查", "危桥加固工程", "危桥改造资金"}},
    {{"污水处理设施建设", "污水管网建设", "污水处理厂提标", "农村污水治理"}},
    {{"冬春季森林防火", "森林防火巡查", "森林防火隔离带", "森林防火宣传"}},
    {{"燃气管道更新改造", "燃气管道隐患", "燃气用户安全检查", "燃气管道巡检"}},
    {{"保障性住房建设", "保障性住房分配", "保障性租赁住房", "保障性住房质量"}},
    {{"高标准农田建设", "高标准农田管护", "高标准农田验收", "高标准农田资金"}},
    {{"城市排水防涝", "排水防涝设施", "易涝点改造", "排水防涝应急"}},
    {{"义务教育学位供给", "义务教育招生", "义务教育优质均衡",
      "义务教育学校布局"}},
    {{"社会救助工作", "最低生活保障", "临时救助", "社会救助资金"}},
    {{"根治欠薪工作", "拖欠农民工工资", "工资专用账户", "欠薪线索核查"}},
    {{"大气污染防治", "扬尘污染治理", "秸秆禁烧", "重污染天气应对"}},
    {{"粮食生产", "粮食收购", "粮食储备", "粮食安全责任制"}},
};
#define GEN_TOPICS GEN_N(gen_topics)

/* Set phrases of a domain: each carries one of its words. */
static const char *const gen_supervision_phrases[] = {
    "该事项已列入市政府重点督办事项", "对进展滞后的实行挂牌督办",
    "对发现的问题限期整改到位",       "建立问题清单和整改台账",
    "督查科将跟踪问效、逐项销号",     "确保整改落实到位",
};

static const char *const gen_document_phrases[] = {
    "现将有关事项通知如下",     "请结合实际认真贯彻落实",
    "请各地各部门认真抓好落实", "执行中遇到的问题请及时报告",
    "本通知自印发之日起施行",
};

static const char *const gen_places[] = {
    "城区", "青山区", "临江区",   "安平县",   "宁远县", "南屏县",
    "全市", "开发区", "沿江片区", "老城片区", "高新区", "各乡镇",
};

static const char *const gen_times[] = {
    "年底前", "6月底前", "本季度内", "汛期前", "今年内",
    "近期",   "下一步",  "9月底前",  "春节前", "本月内",
};

static const char *const gen_goals[] = {
    "确保按期完成各项任务",       "确保工作取得实效", "让群众真正得到实惠",
    "做到不留死角、不留隐患",     "形成长效管理机制", "确保安全稳定",
    "确保资金使用规范安全",       "推动工作落地见效", "切实提高群众满意度",
    "为全市发展大局提供有力保障",
};

static const char *const gen_progress[] = {
    "目前已完成年度计划的六成",   "已完成前期准备工作",
    "工程已进入主体施工阶段",     "已召开专题会议研究部署",
    "相关方案已报市政府审定",     "资金已下达到位",
    "已完成现场踏勘和方案论证",   "已建立工作清单，实行销号管理",
    "部分地区进度偏慢，正在督促", "已组织专项检查两轮",
};

static const char *const gen_ordinals[] = {
    "一是", "二是", "三是", "四是", "同时", "此外", "另外",
};

static const char *const gen_doc_types[] = {
    "通知", "意见", "通报", "报告", "请示", "批复", "函",
    "函",   "纪要", "决定", "通告", "报告", "请示", "函",
};

struct gen_issuer {
    const char *name, *prefix;
};

static const struct gen_issuer gen_issuers[] = {
    {"省人民政府办公厅", "省政办发"}, {"省人民政府", "省政发"},
    {"省发展和改革委员会", "省发改"}, {"省财政厅", "省财预"},
    {"省住房和城乡建设厅", "省建城"}, {"省交通运输厅", "省交规划"},
    {"省应急管理厅", "省应急"},       {"省生态环境厅", "省环发"},
    {"市委办公室", "市委办发"},       {"市人大常委会办公室", "市人大办"},
};

/* ---- opinions by kind ---- */

static const char *const gen_op_return[] = {
    "材料不完整，请补充相关佐证材料后重新报送。",
    "办理情况与督办要求不符，请对照要求继续办理。",
    "文字表述不够准确，请修改完善后重新报送。",
    "涉及部门意见尚未协调一致，请先协调后再报。",
    "数据前后不一致，请核实后重新报送。",
};

static const char *const gen_op_sign[] = {
    "同意印发。",
    "同意。",
    "同意，请按程序办理。",
    "同意，请抓紧印发执行。",
};

static const char *const gen_op_assign[] = {
    "请牵头单位抓紧研究落实，按时报送办理情况。",
    "请高度重视，明确专人负责，按期办结。",
    "请会同协办单位认真办理，及时反馈进展。",
    "请按照领导批示要求，抓紧推进落实。",
};

static const char *const gen_op_urge[] = {
    "该事项已临近办结时限，请抓紧办理并报送进展。",
    "请加快工作进度，确保按期办结。",
    "进展滞后，请说明原因并提出整改措施。",
};

static const char *const gen_op_extension[] = {
    "因涉及多个部门协调，工作量较大，申请延期办理。",
    "受天气影响施工进度，申请适当延期。",
    "需等待上级部门批复，申请延期。",
};

static const char *const gen_op_agree[] = {
    "同意。",     "已阅，同意。",     "拟同意，请领导审定。",
    "审核通过。", "符合要求，同意。", "请按程序办理。",
};

static const char *const gen_op_instruct[] = {
    "请认真研究办理，重要情况及时报告。",
    "请牵头单位抓紧落实，按时反馈。",
    "同意拟办意见。",
    "请分管领导阅处。",
};

/* ---- composition ---- */

long gen_text_chars(const char *s)
{
    long n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

int gen_text_topics(void)
{
    return GEN_TOPICS;
}

void gen_text_context(struct gen_rng *r, int topic, enum gen_domain domain)
{
    r->topic = topic >= 0 && topic < GEN_TOPICS ? topic : -1;
    r->domain = domain;
}

/* An object of the case's topic (any topic without a context). */
static const char *gen_object(struct gen_rng *r)
{
    int t = r->topic >= 0 ? r->topic : gen_rng_below(r, GEN_TOPICS);
    return gen_topics[t].objects[gen_rng_below(r, GEN_TOPIC_OBJECTS)];
}

/* A phrase of the case's domain now and then; NULL otherwise. */
static const char *gen_domain_phrase(struct gen_rng *r)
{
    if (r->domain == GEN_DOMAIN_NONE || !gen_rng_pct(r, GEN_DOMAIN_PCT))
        return NULL;
    if (r->domain == GEN_DOMAIN_SUPERVISION)
        return GEN_PICK(r, gen_supervision_phrases);
    return GEN_PICK(r, gen_document_phrases);
}

/* Appends one sentence. */
static void gen_sentence(struct gen_rng *r, struct buf *out)
{
    const char *phrase = gen_domain_phrase(r);
    if (phrase != NULL) {
        buf_printf(out, "%s。", phrase);
        return;
    }
    switch (gen_rng_below(r, 4)) {
    case 0:
        buf_printf(out, "为%s%s，%s要%s%s，%s。", GEN_PICK(r, gen_verbs),
                   gen_object(r), GEN_PICK(r, gen_subjects),
                   GEN_PICK(r, gen_verbs), gen_object(r),
                   GEN_PICK(r, gen_goals));
        break;
    case 1:
        buf_printf(out, "%s，%s%s%s%s，%s。", GEN_PICK(r, gen_times),
                   GEN_PICK(r, gen_subjects), GEN_PICK(r, gen_verbs),
                   GEN_PICK(r, gen_places), gen_object(r),
                   GEN_PICK(r, gen_progress));
        break;
    case 2:
        buf_printf(out, "%s%s%s，%s%s。", GEN_PICK(r, gen_ordinals),
                   GEN_PICK(r, gen_verbs), gen_object(r),
                   GEN_PICK(r, gen_verbs), gen_object(r));
        break;
    default:
        buf_printf(out, "%s要%s%s，%s%s。", GEN_PICK(r, gen_subjects),
                   GEN_PICK(r, gen_verbs), gen_object(r),
                   GEN_PICK(r, gen_times), GEN_PICK(r, gen_goals));
        break;
    }
}

void gen_text_body(struct gen_rng *r, int min_chars, int max_chars,
                   struct buf *out)
{
    size_t start_bytes = out->len;
    long chars = 0;
    int in_para = 0, para_len = gen_rng_range(r, GEN_PARA_MIN, GEN_PARA_MAX);

    while (chars < min_chars) {
        size_t before = out->len;
        if (in_para == para_len) {
            buf_putc(out, '\n');
            in_para = 0;
            para_len = gen_rng_range(r, GEN_PARA_MIN, GEN_PARA_MAX);
        }
        gen_sentence(r, out);
        in_para++;
        chars = gen_text_chars(out->ptr + start_bytes);
        if (chars > max_chars && before > start_bytes) {
            /* the last sentence went too far: drop it (never the first) */
            out->len = before;
            out->ptr[before] = '\0';
            break;
        }
    }
}

static void gen_title_once(struct gen_rng *r, enum gen_title kind,
                           const char *doc_type, struct buf *out)
{
    if (kind == GEN_TITLE_DOC) {
        buf_puts(out, "关于");
        buf_puts(out, GEN_PICK(r, gen_verbs));
        if (gen_rng_pct(r, 40))
            buf_printf(out, "%d年", 2025 + gen_rng_below(r, 2));
        else if (gen_rng_pct(r, 40))
            buf_puts(out, GEN_PICK(r, gen_places));
        buf_puts(out, gen_object(r));
        buf_printf(out, "的%s", doc_type ? doc_type : gen_text_doc_type(r));
        return;
    }
    if (gen_rng_pct(r, 30))
        buf_puts(out, GEN_PICK(r, gen_times));
    buf_puts(out, GEN_PICK(r, gen_verbs));
    if (gen_rng_pct(r, 60))
        buf_puts(out, GEN_PICK(r, gen_places));
    buf_puts(out, gen_object(r));
}

void gen_text_title(struct gen_rng *r, enum gen_title kind,
                    const char *doc_type, struct buf *out)
{
    size_t start = out->len;
    for (int i = 0; i < GEN_TITLE_TRIES; i++) {
        long n;
        out->len = start;
        out->ptr[start] = '\0';
        gen_title_once(r, kind, doc_type, out);
        n = gen_text_chars(out->ptr + start);
        if (n >= GEN_TITLE_MIN && n <= GEN_TITLE_MAX)
            return;
    }
    /* every try missed (not seen with these lists): a safe one */
    out->len = start;
    out->ptr[start] = '\0';
    buf_puts(out, kind == GEN_TITLE_DOC ? "关于做好安全生产工作的通知"
                                        : "扎实推进全市重点项目建设");
}

void gen_text_opinion(struct gen_rng *r, const char *kind, int refusal,
                      struct buf *out)
{
    if (kind == NULL)
        kind = "";
    if (refusal || strstr(kind, "退回"))
        buf_puts(out, GEN_PICK(r, gen_op_return));
    else if (strstr(kind, "签发"))
        buf_puts(out, GEN_PICK(r, gen_op_sign));
    else if (strstr(kind, "交办"))
        buf_puts(out, GEN_PICK(r, gen_op_assign));
    else if (strstr(kind, "催办"))
        buf_puts(out, GEN_PICK(r, gen_op_urge));
    else if (strstr(kind, "延期"))
        buf_puts(out, GEN_PICK(r, gen_op_extension));
    else if (strstr(kind, "批示") || strstr(kind, "拟办"))
        buf_puts(out, GEN_PICK(r, gen_op_instruct));
    else
        buf_puts(out, GEN_PICK(r, gen_op_agree));
}

const char *gen_text_issuer(int i, const char **prefix)
{
    const struct gen_issuer *g =
        &gen_issuers[(unsigned)i % (unsigned)GEN_N(gen_issuers)];
    if (prefix != NULL)
        *prefix = g->prefix;
    return g->name;
}

const char *gen_text_doc_type(struct gen_rng *r)
{
    return GEN_PICK(r, gen_doc_types);
}
