/*
 * gen_text.c - the phrase grammar of generated data (see gen.h): short word
 * lists of our own (who acts, what they do, to what, where, by when) and a
 * few sentence shapes of notices and supervision work that combine them.
 *
 * The lists deliberately repeat the common 2- and 4-character words of the
 * office (推进, 落实, 安全生产, 营商环境, 老旧小区 ...) so that a search for
 * one of them finds many generated cases.
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

/* ---- random numbers ---- */

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    r->s = seed ^ 0x5368756e69754745ULL; /* "ShuniuGE": seed 0 still mixes */
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
    "推进", "加快", "落实", "统筹",     "加强",     "完善",     "健全", "开展",
    "组织", "推动", "做好", "抓好",     "深化",     "提升",     "保障", "优化",
    "规范", "实施", "强化", "扎实推进", "全面落实", "持续推进",
};

static const char *const gen_objects[] = {
    "老旧小区改造",     "农村公路建设",     "营商环境优化",
    "安全生产工作",     "防汛抗旱工作",     "城乡环境整治",
    "就业创业服务",     "基层医疗卫生服务", "中小学校舍建设",
    "重点项目建设",     "政务服务事项办理", "耕地保护工作",
    "河湖长制工作",     "招商引资工作",     "消费市场提振",
    "食品安全监管",     "信访积案化解",     "生态环境保护",
    "养老服务体系建设", "公共文化服务",     "危桥改造",
    "污水处理设施建设", "冬春季森林防火",   "燃气管道更新改造",
    "保障性住房建设",   "高标准农田建设",   "城市排水防涝",
    "义务教育学位供给", "社会救助工作",     "根治欠薪工作",
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
    "已完成现场踏勘和方案论证",   "已建立工作台账，实行销号管理",
    "部分地区进度偏慢，正在督促", "已组织专项检查两轮",
};

static const char *const gen_ordinals[] = {
    "一是", "二是", "三是", "四是", "同时", "此外", "另外",
};

static const char *const gen_doc_types[] = {
    "通知", "通知", "通知", "意见", "通报", "报告", "请示",
    "批复", "函",   "函",   "纪要", "决定", "通告",
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

/* Appends one sentence. */
static void gen_sentence(struct gen_rng *r, struct buf *out)
{
    switch (gen_rng_below(r, 4)) {
    case 0:
        buf_printf(out, "为%s%s，%s要%s%s，%s。", GEN_PICK(r, gen_verbs),
                   GEN_PICK(r, gen_objects), GEN_PICK(r, gen_subjects),
                   GEN_PICK(r, gen_verbs), GEN_PICK(r, gen_objects),
                   GEN_PICK(r, gen_goals));
        break;
    case 1:
        buf_printf(out, "%s，%s%s%s%s，%s。", GEN_PICK(r, gen_times),
                   GEN_PICK(r, gen_subjects), GEN_PICK(r, gen_verbs),
                   GEN_PICK(r, gen_places), GEN_PICK(r, gen_objects),
                   GEN_PICK(r, gen_progress));
        break;
    case 2:
        buf_printf(out, "%s%s%s，%s%s。", GEN_PICK(r, gen_ordinals),
                   GEN_PICK(r, gen_verbs), GEN_PICK(r, gen_objects),
                   GEN_PICK(r, gen_verbs), GEN_PICK(r, gen_objects));
        break;
    default:
        buf_printf(out, "%s要%s%s，%s%s。", GEN_PICK(r, gen_subjects),
                   GEN_PICK(r, gen_verbs), GEN_PICK(r, gen_objects),
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
        buf_puts(out, GEN_PICK(r, gen_objects));
        buf_printf(out, "的%s", doc_type ? doc_type : gen_text_doc_type(r));
        return;
    }
    if (gen_rng_pct(r, 30))
        buf_puts(out, GEN_PICK(r, gen_times));
    buf_puts(out, GEN_PICK(r, gen_verbs));
    if (gen_rng_pct(r, 60))
        buf_puts(out, GEN_PICK(r, gen_places));
    buf_puts(out, GEN_PICK(r, gen_objects));
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
