/*
 * test_gbt9704.c - unit tests of the GB/T 9704-2012 renderer
 * (src/kernel/gbt9704.c): heading levels (table-driven), then a two-page
 * fixture rendered to a temporary PDF and measured with poppler-utils:
 * `pdftotext -bbox` for where the text sits (to within 1 mm of the
 * standard) and `pdffonts` for the fonts being embedded.  poppler-utils
 * missing is a failure, not a skip (scripts/deps.sh installs it).
 * SHUNIU_KEEP_PDF=path keeps a copy of the rendered fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "kernel/gbt9704.h"

#define MM (72.0 / 25.4)
#define TOL (1.0 * MM)
#define PITCH (225.0 * MM / 22)
#define MAX_LINES 512

/* ---- heading levels ---- */

static void test_levels(void **state)
{
    (void)state;
    static const struct {
        const char *para;
        enum gbt9704_level level;
        const char *head; /* the heading part */
    } rows[] = {
        {"一、总体要求", GBT9704_L1, "一、总体要求"},
        {"十二、其他事项。本通知自印发之日起施行。", GBT9704_L1,
         "十二、其他事项。"},
        {"（一）明确责任分工", GBT9704_L2, "（一）明确责任分工"},
        {"(三)加强督查", GBT9704_L2, "(三)加强督查"},
        {"1.制定方案。各单位要抓紧制定方案。", GBT9704_L3, "1.制定方案。"},
        {"12．按时报送", GBT9704_L3, "12．按时报送"},
        {"（1）报送材料", GBT9704_L4, "（1）报送材料"},
        {"(10)其他", GBT9704_L4, "(10)其他"},
        {"各区人民政府：", GBT9704_PLAIN, "各区人民政府："},
        {"2026年11月26日", GBT9704_PLAIN, "2026年11月26日"},
        {"一是加强领导", GBT9704_PLAIN, "一是加强领导"},
        {"（附件）", GBT9704_PLAIN, "（附件）"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t head;
        size_t len = strlen(rows[i].para);
        enum gbt9704_level lv = gbt9704_level_of(rows[i].para, len, &head);
        if (lv != rows[i].level)
            fail_msg("%s: level %d, want %d", rows[i].para, (int)lv,
                     (int)rows[i].level);
        assert_int_equal(head, strlen(rows[i].head));
    }
}

/* ---- the fixture ---- */

static const char fixture_body[] =
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务"
    "效能，切实解决企业和群众办事过程中的堵点难点问题，经市人民政府同意，现就"
    "做好2026年政务服务提质增效工作通知如下。\n"
    "一、总体要求\n"
    "坚持以人民为中心的发展思想，围绕高效办成一件事，推动政务服务从能办向好办易"
    "办转变，线上线下深度融合，服务渠道更加便捷，办事流程更加简化，群众满意度"
    "持续提升，为全市经济社会高质量发展提供有力支撑。\n"
    "（一）明确工作目标。到2026年底，全市政务服务事项网上可办率达到百分之九十"
    "八以上，一件事一次办事项全面落地，平均办理时限压缩百分之四十以上，企业开办"
    "时间压缩至一个工作日以内，不动产登记一般业务办理时间压缩至三个工作日以内。\n"
    "二、重点任务\n"
    "1.推进一网通办。各区各部门要依托全市一体化政务服务平台，推动政务服务事项"
    "标准化梳理，统一办事指南，统一受理标准，实现同一事项无差别受理、同标准办理。"
    "\n"
    "（1）完善平台功能。优化统一身份认证、电子证照、电子印章等公共支撑能力，推动"
    "更多高频事项全程网办，减少群众跑动次数，提升网上办事体验。";


static const struct gbt9704_doc fixture = {
    .copy_no = "12",
    .secrecy = "秘密★1年",
    .urgency = "特急",
    .issuer_mark = "某市人民政府办公室文件",
    .doc_number = "市政办发〔2026〕12号",
    .title = "某市人民政府办公室关于做好政务服务提质增效工作的通知",
    .main_to = "各区人民政府，市政府各委、办、局",
    .body = fixture_body,
    .attachment_note = "政务服务事项清单",
    .issuer_sign = "某市人民政府办公室",
    .date = "2026年11月26日",
    .notes = "此件公开发布",
    .copy_to = "市委办公室，市人大常委会办公室，市政协办公室。",
    .print_unit = "某市人民政府办公室",
    .print_date = "2026年11月26日",
};

/* ---- what pdftotext -bbox saw: words merged into lines ---- */

struct line {
    int page;
    double x0, y0, x1, y1;
    char text[2048];
    size_t len;
};

struct seen {
    struct line lines[MAX_LINES];
    int n;
    int pages;
};

static void seen_add(struct seen *s, int page, double x0, double y0, double x1,
                     double y1, const char *w, size_t wlen)
{
    struct line *l = NULL;
    for (int i = 0; i < s->n; i++)
        if (s->lines[i].page == page && fabs(s->lines[i].y0 - y0) < 2.0) {
            l = &s->lines[i];
            break;
        }
    if (l == NULL) {
        assert_true(s->n < MAX_LINES);
        l = &s->lines[s->n++];
        memset(l, 0, sizeof(*l));
        l->page = page;
        l->x0 = x0;
        l->y0 = y0;
        l->x1 = x1;
        l->y1 = y1;
    }
    l->x0 = fmin(l->x0, x0);
    l->x1 = fmax(l->x1, x1);
    l->y1 = fmax(l->y1, y1);
    if (l->len + wlen < sizeof(l->text)) {
        memcpy(l->text + l->len, w, wlen);
        l->len += wlen;
        l->text[l->len] = '\0';
    }
}

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *s = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            s = realloc(s, cap);
            assert_non_null(s);
        }
        size_t k = fread(s + n, 1, cap - n - 1, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    s[n] = '\0';
    if (size)
        *size = n;
    return s;
}

/* pdftotext's box of a line runs from the font descriptor's /Ascent above
 * the baseline to its /Descent below; the renderer places the em box
 * (0.88 above, 0.12 below).  The em box of a line set in `font`. */
struct em {
    double top, size;
};

static struct em em_of(const char *pdf, size_t n, const struct line *l,
                       const char *font)
{
    const char *p = pdf, *end = pdf + n;
    double asc = 0, desc = 0;
    for (;;) {
        const char *f = memmem(p, (size_t)(end - p), "/FontName /", 11);
        if (f == NULL)
            fail_msg("font %s not in the PDF", font);
        const char *eol = memchr(f, '\n', (size_t)(end - f));
        assert_non_null(eol);
        if (memmem(f, (size_t)(eol - f), font, strlen(font)) != NULL) {
            const char *a = memmem(f, (size_t)(end - f), "/Ascent ", 8);
            const char *d = memmem(f, (size_t)(end - f), "/Descent ", 9);
            assert_non_null(a);
            assert_non_null(d);
            asc = atof(a + 8) / 1000;
            desc = atof(d + 9) / 1000;
            break;
        }
        p = eol;
    }
    struct em m;
    m.size = (l->y1 - l->y0) / (asc - desc);
    m.top = l->y0 + (asc - 0.88) * m.size;
    return m;
}

static void parse_bbox(const char *html, struct seen *s)
{
    const char *p = html;
    int page = 0;
    s->n = 0;
    for (;;) {
        const char *pg = strstr(p, "<page ");
        const char *w = strstr(p, "<word ");
        if (w == NULL && pg == NULL)
            break;
        if (pg != NULL && (w == NULL || pg < w)) {
            page++;
            p = pg + 6;
            continue;
        }
        double x0, y0, x1, y1;
        if (sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
                   &x0, &y0, &x1, &y1) != 4)
            fail_msg("cannot read pdftotext word: %.80s", w);
        const char *t = strchr(w, '>');
        const char *end = t ? strstr(t, "</word>") : NULL;
        assert_non_null(end);
        seen_add(s, page, x0, y0, x1, y1, t + 1, (size_t)(end - t - 1));
        p = end;
    }
    s->pages = page;
}

static const struct line *find(const struct seen *s, int page,
                               const char *text)
{
    for (int i = 0; i < s->n; i++)
        if ((page == 0 || s->lines[i].page == page) &&
            strstr(s->lines[i].text, text) != NULL)
            return &s->lines[i];
    fail_msg("no line with \"%s\" on page %d", text, page);
    return NULL;
}

static int nchars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void near(const char *what, double got, double want)
{
    if (fabs(got - want) > TOL)
        fail_msg("%s: %.2f mm, the standard says %.2f mm (±1 mm)", what,
                 got / MM, want / MM);
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void need_poppler(void)
{
    if (run("command -v pdftotext >/dev/null 2>&1") != 0 ||
        run("command -v pdffonts >/dev/null 2>&1") != 0)
        fail_msg("poppler-utils missing: pdftotext/pdffonts not found "
                 "(scripts/deps.sh installs them)");
}

static void test_layout(void **state)
{
    (void)state;
    need_poppler();
    char dir[] = "/tmp/shuniu-gbt9704-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pdf[128], html[128], fonts[128], cmd[512];
    snprintf(pdf, sizeof(pdf), "%s/doc.pdf", dir);
    snprintf(html, sizeof(html), "%s/doc.html", dir);
    snprintf(fonts, sizeof(fonts), "%s/fonts.txt", dir);

    struct err e;
    err_clear(&e);
    if (gbt9704_render(&fixture, pdf, &e) != 0)
        fail_msg("render: %s", e.message ? e.message : "?");
    const char *keep = getenv("SHUNIU_KEEP_PDF");
    if (keep && *keep) {
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", pdf, keep);
        assert_int_equal(run(cmd), 0);
    }
    snprintf(cmd, sizeof(cmd), "pdftotext -bbox '%s' '%s'", pdf, html);
    if (run(cmd) != 0)
        fail_msg("pdftotext -bbox failed on the rendered PDF");
    size_t pdf_len;
    char *pdf_bytes = slurp(pdf, &pdf_len);
    assert_non_null(pdf_bytes);
    char *text = slurp(html, NULL);
    assert_non_null(text);
    struct seen *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    parse_bbox(text, s);
    free(text);

    assert_int_equal(s->pages, 2);
    double left = 28 * MM, top = 37 * MM, width = 156 * MM;
    double centre = left + width / 2, bottom = top + 225 * MM;

    /* 份号 (6 digits), 密级, 紧急程度 on the first three lines, flush left */
    const struct line *l = find(s, 1, "000012");
    near("份号 left", l->x0, left);
    near("份号 top", em_of(pdf_bytes, pdf_len, l, "FandolFang").top, top);
    near("密级 top",
         em_of(pdf_bytes, pdf_len, find(s, 1, "秘密"), "NotoSansCJK").top,
         top + PITCH);
    near("紧急程度 top",
         em_of(pdf_bytes, pdf_len, find(s, 1, "特急"), "NotoSansCJK").top,
         top + 2 * PITCH);

    /* 发文机关标志 35 mm under the block's top, centred */
    const struct line *mark = find(s, 1, "某市人民政府办公室文件");
    struct em mk = em_of(pdf_bytes, pdf_len, mark, "NotoSerifCJKsc-Bold");
    near("标志 top", mk.top, top + 35 * MM);
    near("标志 centre", (mark->x0 + mark->x1) / 2, centre);
    /* 发文字号 centred two lines under it */
    const struct line *num = find(s, 1, "市政办发");
    struct em nm = em_of(pdf_bytes, pdf_len, num, "FandolFang");
    near("发文字号 centre", (num->x0 + num->x1) / 2, centre);
    near("发文字号 two lines under the 标志", nm.top,
         mk.top + mk.size + 2 * PITCH);

    /* the title 2号 (22 pt), centred, two lines under the red line (4 mm
     * under the number) and on the grid */
    const struct line *title = find(s, 1, "提质增效工作的通知");
    struct em tm = em_of(pdf_bytes, pdf_len, title, "NotoSerifCJKsc-Bold");
    near("标题 centre", (title->x0 + title->x1) / 2, centre);
    assert_true(fabs(tm.size - 22.0) < 0.5);
    assert_true(tm.top >= nm.top + nm.size + 4 * MM + 2 * PITCH - TOL);
    double tk = (tm.top - top) / PITCH;
    if (fabs(tk - lround(tk)) * PITCH > TOL)
        fail_msg("the title at %.2f mm is off the grid", tm.top / MM);

    /* body lines: on the grid, 22 a page, left edge at 28 mm; full lines
     * hold 28 characters and span 156 mm */
    int full = 0, last1 = -1, first2 = 99;
    for (int i = 0; i < s->n; i++) {
        l = &s->lines[i];
        double h = l->y1 - l->y0;
        if (fabs(h - 16.0) > 1.0 || l->y0 < top - TOL || l->y0 > bottom ||
            (l->page == 1 && l->y0 < tm.top))
            continue; /* not a 3号 line of the flow */
        double k = (l->y0 - top) / PITCH;
        int slot = (int)lround(k);
        if (fabs(k - slot) * PITCH > TOL)
            fail_msg("line \"%.60s\" at %.2f mm is off the 22-line grid",
                     l->text, l->y0 / MM);
        assert_true(slot >= 0 && slot < 22);
        if (l->page == 1 && slot > last1)
            last1 = slot;
        if (l->page == 2 && slot < first2)
            first2 = slot;
        if (l->x0 < left - TOL)
            fail_msg("line \"%.60s\" starts left of the block", l->text);
        if (nchars(l->text) == 28) {
            near("a full line's left edge", l->x0, left);
            near("a full line's right edge", l->x1, left + width);
            full++;
        }
    }
    assert_int_equal(last1, 21); /* page 1 filled to its 22nd line */
    assert_int_equal(first2, 0);
    if (full < 5)
        fail_msg("only %d lines of 28 characters", full);

    /* the body's text block on page 2: first line at 37 mm, left 28 mm */
    double top2 = 1e9, left2 = 1e9;
    for (int i = 0; i < s->n; i++)
        if (s->lines[i].page == 2 && s->lines[i].y0 > top - TOL &&
            s->lines[i].y0 < bottom) {
            top2 = fmin(top2, s->lines[i].y0);
            left2 = fmin(left2, s->lines[i].x0);
        }
    near("page 2 first line top", top2, top);
    near("page 2 left edge", left2, left);
    /* the mark repeats above the block on page 2 */
    assert_true(find(s, 2, "秘密")->y1 < top);

    /* page numbers: 7 mm under the block, odd right, even left, one
     * 4号 character in */
    l = find(s, 1, "—");
    near("page 1 number top",
         em_of(pdf_bytes, pdf_len, l, "NotoSerifCJKsc-Regular").top,
         bottom + 7 * MM);
    near("page 1 number right", l->x1, left + width - 14.0);
    assert_non_null(strstr(l->text, "1"));
    l = find(s, 2, "—");
    near("page 2 number top",
         em_of(pdf_bytes, pdf_len, l, "NotoSerifCJKsc-Regular").top,
         bottom + 7 * MM);
    near("page 2 number left", l->x0, left + 14.0);
    assert_non_null(strstr(l->text, "2"));

    /* 版记 at the bottom of the last page: 印发 on the last line */
    l = find(s, 2, "印发");
    assert_true(l->y1 <= bottom + 0.5);
    assert_true(l->y1 > bottom - PITCH);
    assert_true(find(s, 2, "抄送")->y0 < l->y0);
    /* 成文日期 two characters in from the right */
    near("成文日期 right", find(s, 2, "2026年11月26日")->x1,
         left + width - 2 * width / 28);

    /* fonts embedded */
    snprintf(cmd, sizeof(cmd), "pdffonts '%s' > '%s'", pdf, fonts);
    if (run(cmd) != 0)
        fail_msg("pdffonts failed on the rendered PDF");
    char *ft = slurp(fonts, NULL);
    assert_non_null(ft);
    int nfonts = 0, fang = 0;
    char *save = NULL;
    int row = 0;
    for (char *ln = strtok_r(ft, "\n", &save); ln;
         ln = strtok_r(NULL, "\n", &save), row++) {
        if (row < 2)
            continue; /* header and rule */
        char *tok[32];
        int nt = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(ln, " ", &s2); t && nt < 32;
             t = strtok_r(NULL, " ", &s2))
            tok[nt++] = t;
        assert_true(nt >= 7);
        /* name type... encoding emb sub uni object ID */
        if (strcmp(tok[nt - 5], "yes") != 0)
            fail_msg("font %s is not embedded", tok[0]);
        fang |= strstr(tok[0], "FandolFang") != NULL;
        nfonts++;
    }
    free(ft);
    if (nfonts < 4)
        fail_msg("only %d fonts in the PDF", nfonts);
    if (!fang)
        fail_msg("FandolFang (仿宋) not used: run scripts/fonts.sh");

    free(s);
    free(pdf_bytes);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    run(cmd);
}

static void test_refuses_empty(void **state)
{
    (void)state;
    struct gbt9704_doc d = {.title = "标题"};
    struct err e;
    err_clear(&e);
    unlink("/tmp/never-written.pdf");
    assert_int_equal(gbt9704_render(&d, "/tmp/never-written.pdf", &e), -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(access("/tmp/never-written.pdf", F_OK), -1);
}

/* LeakSanitizer: cairo 1.16's CFF subsetter loses ~2 KB in
 * cairo_surface_finish() of each PDF, and fontconfig keeps its parsed
 * configuration; neither is ours to free. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcairo.so\nleak:libfontconfig.so\n";
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_refuses_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
