/*
 * gbt9704.c - GB/T 9704-2012 《党政机关公文格式》 as PDF, with cairo + pango.
 *
 * The numbers, and the clause of the standard each comes from:
 *   5.2.1  A4 paper, 210 × 297 mm.
 *   5.2.2  天头 (top margin) 37 mm, 订口 (left margin) 28 mm; 版心 (the text
 *          block) 156 × 225 mm.
 *   6.2    body 3号仿宋 (16 pt); 6.3 22 lines a page, 28 characters a line,
 *          filling the block: line pitch 225/22 mm, character cell 156/28 mm
 *          (a 16 pt character advances 5.57 mm, 0.07 mm less than its em).
 *   7.2.1  份号: 6 Arabic digits, 3号, first line of the block, flush left.
 *   7.2.2  密级和保密期限 3号黑体, next line, flush left.
 *   7.2.3  紧急程度 3号黑体, the line after (份号, 密级, 紧急 in that order).
 *   7.2.4  发文机关标志: red, centred, top edge 35 mm below the block's top
 *          edge; 小标宋 (Noto Serif CJK SC Bold stands in).
 *   7.2.5  发文字号: centred two lines under the 标志; 上行文: left, one
 *          character in, on one line with 签发人 (7.2.6: "签发人" 3号仿宋,
 *          full-width colon, names 3号楷体, one character in from the right).
 *   7.2.7  red separator 4 mm under the 发文字号, as wide as the block.
 *   7.3.1  标题 2号小标宋 (22 pt), centred, two lines under the separator.
 *   7.3.2  主送机关 one line under the title, flush left, "：" at the end.
 *   7.3.3  正文 3号仿宋, each paragraph indented two characters; headings
 *          一、 3号黑体, （一） 3号楷体, 1. and （1） 3号仿宋.
 *   7.3.4  附件说明 one line under the body, two characters in: "附件：".
 *   7.3.5.2 no seal: 发文机关署名 one line under, two characters in from the
 *          right; 成文日期 on the next line, two characters in from the
 *          right, starting two characters right of the 署名 (the 署名 moves
 *          left when the date is longer); Arabic numerals, 年月日 in full.
 *   7.3.7  附注 in （）, two characters in, the line after the date.
 *   7.4    版记: 抄送 and 印发机关/印发日期 in 4号仿宋 (14 pt), one character in
 *          on each side, between rules as wide as the block; the first and
 *          last rules 0.35 mm, the middle ones 0.25 mm; the last rule on the
 *          block's bottom edge of the last page.
 *   7.5    page numbers "— 1 —", 4号 半角宋体 (Noto Serif CJK SC), 7 mm
 *          under the block's bottom edge; odd pages one character in from
 *          the right, even pages one character in from the left.
 *
 * Text is set on a character grid: every full-width character takes one
 * cell (156/28 mm at 3号, scaled for other sizes), runs of Latin letters and
 * digits their natural width.  Lines break between cells, never before a
 * closing or after an opening punctuation mark (禁则); lines inside a
 * paragraph are justified to the full width.  Vertical positions refer to
 * the em box: a character's box top is at its line's top (ascent 0.88 em,
 * descent 0.12 em, the CJK fonts' ideographic box).
 *
 * Flow: the page-1 header is placed absolutely; title, 主送, body, 附件说明,
 * signature, date and 附注 become rows, one grid line each, assigned to
 * lines and pages in order; the 版记 takes the last lines of the last page
 * (a new page when they are taken).  Fonts: FandolFang and FandolKai
 * (scripts/fonts.sh) else Noto Serif CJK SC / AR PL UKai, with a warning.
 */
#include "kernel/gbt9704.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"

#define GBT9704_MM (72.0 / 25.4)
#define GBT9704_PAGE_W (210.0 * GBT9704_MM)
#define GBT9704_PAGE_H (297.0 * GBT9704_MM)
#define GBT9704_X (28.0 * GBT9704_MM)
#define GBT9704_Y (37.0 * GBT9704_MM)
#define GBT9704_W (156.0 * GBT9704_MM)
#define GBT9704_H (225.0 * GBT9704_MM)
#define GBT9704_LINES 22
#define GBT9704_CHARS 28
#define GBT9704_PITCH (GBT9704_H / GBT9704_LINES)
#define GBT9704_ASCENT 0.88
#define GBT9704_S2 22.0 /* 2号 */
#define GBT9704_S3 16.0 /* 3号 */
#define GBT9704_S4 14.0 /* 4号 */
#define GBT9704_MAX_ROWS 20000

enum gbt9704_font {
    GBT9704_FANG,
    GBT9704_KAI,
    GBT9704_HEI,
    GBT9704_SONG,
    GBT9704_XBS,
    GBT9704_NFONTS
};

/* One piece of text placed on a row: a full-width character or a run of
 * narrow ones.  x from the block's left edge. */
struct gbt9704_glyph {
    const char *s;
    int len;
    int font;
    double x;
};

/* One grid line of the flow. */
struct gbt9704_row {
    struct gbt9704_glyph *g;
    int n;
    double size;
    int page, slot; /* assigned by pagination */
};

/* A unit of line breaking. */
struct gbt9704_unit {
    const char *s;
    int len;
    int font;
    double w;
    int nostart, noend;
};

struct gbt9704_ctx {
    struct arena *a;
    PangoLayout *lay[GBT9704_NFONTS];
    double lay_size[GBT9704_NFONTS];
    struct gbt9704_row *rows;
    int nrows, caprows;
};

static const char *const gbt9704_families[GBT9704_NFONTS] = {
    "FandolFang,Noto Serif CJK SC", "FandolKai,AR PL UKai CN,Noto Serif CJK SC",
    "Noto Sans CJK SC",             "Noto Serif CJK SC",
    "Noto Serif CJK SC",
};

/* ---- text ---- */

static int gbt9704_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

/* The code point at s (len bytes left) and its length in *n. */
static unsigned gbt9704_cp(const char *s, size_t len, int *n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 || len < 2) {
        *n = 1;
        return u[0];
    }
    if ((u[0] & 0xE0) == 0xC0) {
        *n = 2;
        return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    }
    if ((u[0] & 0xF0) == 0xE0 && len >= 3) {
        *n = 3;
        return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) |
               (u[2] & 0x3Fu);
    }
    if ((u[0] & 0xF8) == 0xF0 && len >= 4) {
        *n = 4;
        return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) |
               ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
    }
    *n = 1;
    return 0xFFFD;
}

/* A character that takes a whole grid cell. */
static int gbt9704_wide(unsigned cp)
{
    return (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2460 && cp <= 0x27BF) ||
           cp >= 0x2E80;
}

static int gbt9704_nostart(unsigned cp)
{
    static const unsigned list[] = {0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A,
                                    0xFF1F, 0xFF01, 0xFF09, 0x300B, 0x3009,
                                    0x201D, 0x2019, 0x3011, 0x3015, 0x2026,
                                    0x300D, 0x300F, 0xFF0E, ',',    '.',
                                    ';',    ':',    '?',    '!',    ')'};
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
        if (list[i] == cp)
            return 1;
    return 0;
}

static int gbt9704_noend(unsigned cp)
{
    static const unsigned list[] = {0xFF08, 0x300A, 0x3008, 0x201C, 0x2018,
                                    0x3010, 0x3014, 0x300C, 0x300E, '('};
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
        if (list[i] == cp)
            return 1;
    return 0;
}

static int gbt9704_starts(const char *s, size_t len, const char *prefix,
                          size_t *n)
{
    size_t k = strlen(prefix);
    if (len < k || memcmp(s, prefix, k) != 0)
        return 0;
    *n = k;
    return 1;
}

/* Bytes of Chinese numerals (一…十百零〇两) at s. */
static size_t gbt9704_cn_digits(const char *s, size_t len)
{
    static const char *const nums[] = {"一", "二", "三", "四", "五", "六", "七",
                                       "八", "九", "十", "百", "零", "〇"};
    size_t i = 0;
    for (;;) {
        size_t k = 0;
        for (size_t j = 0; j < sizeof(nums) / sizeof(nums[0]) && !k; j++)
            gbt9704_starts(s + i, len - i, nums[j], &k);
        if (k == 0)
            return i;
        i += k;
    }
}

static size_t gbt9704_ascii_digits(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

enum gbt9704_level gbt9704_level_of(const char *para, size_t len,
                                    size_t *head)
{
    enum gbt9704_level lv = GBT9704_PLAIN;
    size_t n, k;
    *head = len;
    if ((n = gbt9704_cn_digits(para, len)) > 0 &&
        gbt9704_starts(para + n, len - n, "、", &k))
        lv = GBT9704_L1;
    else if (gbt9704_starts(para, len, "（", &k) ||
             gbt9704_starts(para, len, "(", &k)) {
        size_t m;
        if ((n = gbt9704_cn_digits(para + k, len - k)) > 0 &&
            (gbt9704_starts(para + k + n, len - k - n, "）", &m) ||
             gbt9704_starts(para + k + n, len - k - n, ")", &m)))
            lv = GBT9704_L2;
        else if ((n = gbt9704_ascii_digits(para + k, len - k)) > 0 &&
                 (gbt9704_starts(para + k + n, len - k - n, "）", &m) ||
                  gbt9704_starts(para + k + n, len - k - n, ")", &m)))
            lv = GBT9704_L4;
    } else if ((n = gbt9704_ascii_digits(para, len)) > 0 &&
               (gbt9704_starts(para + n, len - n, ".", &k) ||
                gbt9704_starts(para + n, len - n, "．", &k)))
        lv = GBT9704_L3;
    if (lv == GBT9704_PLAIN)
        return lv;
    /* the heading ends at its first 。 when text follows */
    const char *stop = NULL;
    for (size_t i = 0; i + 3 <= len; i++)
        if (memcmp(para + i, "。", 3) == 0) {
            stop = para + i + 3;
            break;
        }
    if (stop != NULL && (size_t)(stop - para) < len)
        *head = (size_t)(stop - para);
    return lv;
}

/* ---- measuring and drawing ---- */

static double gbt9704_cell(double size)
{
    return size * (GBT9704_W / GBT9704_CHARS) / GBT9704_S3;
}

static PangoLayout *gbt9704_layout(struct gbt9704_ctx *c, int font,
                                   double size)
{
    PangoLayout *l = c->lay[font];
    if (c->lay_size[font] != size) {
        PangoFontDescription *fd =
            pango_font_description_from_string(gbt9704_families[font]);
        pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
        if (font == GBT9704_XBS)
            pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
        pango_layout_set_font_description(l, fd);
        pango_font_description_free(fd);
        c->lay_size[font] = size;
    }
    return l;
}

/* Natural width in pt. */
static double gbt9704_measure(struct gbt9704_ctx *c, int font, double size,
                              const char *s, int len)
{
    PangoLayout *l = gbt9704_layout(c, font, size);
    PangoRectangle logical;
    pango_layout_set_text(l, s, len);
    pango_layout_get_extents(l, NULL, &logical);
    return (double)logical.width / PANGO_SCALE;
}

/* Draws s with its em box's top-left corner at (x, top), page coordinates. */
static void gbt9704_draw(struct gbt9704_ctx *c, cairo_t *cr, int font,
                         double size, const char *s, int len, double x,
                         double top)
{
    PangoLayout *l = gbt9704_layout(c, font, size);
    pango_layout_set_text(l, s, len);
    double base = (double)pango_layout_get_baseline(l) / PANGO_SCALE;
    cairo_move_to(cr, x, top + GBT9704_ASCENT * size - base);
    pango_cairo_show_layout(cr, l);
}

/* The width of text on the grid (full-width characters one cell each). */
static double gbt9704_width(struct gbt9704_ctx *c, int font, double size,
                            const char *s)
{
    double w = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int n;
        unsigned cp = gbt9704_cp(s + i, len - i, &n);
        if (gbt9704_wide(cp))
            w += gbt9704_cell(size);
        else
            w += gbt9704_measure(c, font, size, s + i, n);
        i += (size_t)n;
    }
    return w;
}

/* ---- the flow of rows ---- */

static struct gbt9704_row *gbt9704_row_new(struct gbt9704_ctx *c, double size,
                                           int nglyphs)
{
    if (c->nrows == c->caprows) {
        int cap = c->caprows ? c->caprows * 2 : 64;
        struct gbt9704_row *rows = arena_alloc(c->a, sizeof(*rows) * cap);
        if (c->nrows)
            memcpy(rows, c->rows, sizeof(*rows) * c->nrows);
        c->rows = rows;
        c->caprows = cap;
    }
    struct gbt9704_row *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof(*r));
    r->size = size;
    if (nglyphs > 0)
        r->g = arena_alloc(c->a, sizeof(*r->g) * nglyphs);
    return r;
}

static void gbt9704_blank(struct gbt9704_ctx *c)
{
    gbt9704_row_new(c, GBT9704_S3, 0);
}

/* Splits s into units of line breaking; the first head bytes in font
 * head_font, the rest in font.  Returns the count; *out arena-owned. */
static int gbt9704_units(struct gbt9704_ctx *c, const char *s, size_t len,
                         int head_font, size_t head, int font, double size,
                         double avail, struct gbt9704_unit **out)
{
    struct gbt9704_unit *u = arena_alloc(c->a, sizeof(*u) * (len + 1));
    int n = 0;
    for (size_t i = 0; i < len;) {
        int k;
        unsigned cp = gbt9704_cp(s + i, len - i, &k);
        int f = i < head ? head_font : font;
        struct gbt9704_unit *x = &u[n++];
        x->s = s + i;
        x->font = f;
        x->nostart = gbt9704_nostart(cp);
        x->noend = gbt9704_noend(cp);
        if (gbt9704_wide(cp)) {
            x->len = k;
            x->w = gbt9704_cell(size);
            i += (size_t)k;
            continue;
        }
        /* a run of letters and digits stays together (within one font) */
        size_t j = i + (size_t)k;
        int word = (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) ||
                   (cp >= '0' && cp <= '9');
        while (word && j < len && (j < head) == (i < head)) {
            unsigned char b = (unsigned char)s[j];
            if (!((b | 0x20) >= 'a' && (b | 0x20) <= 'z') &&
                !(b >= '0' && b <= '9') && b != '.' && b != '-' && b != '_')
                break;
            j++;
        }
        x->len = (int)(j - i);
        x->w = gbt9704_measure(c, f, size, x->s, x->len);
        if (x->w > avail && x->len > 1) { /* too long: one by one */
            x->len = 1;
            x->w = gbt9704_measure(c, f, size, x->s, 1);
            j = i + 1;
        }
        i = j;
    }
    *out = u;
    return n;
}

enum gbt9704_align { GBT9704_JUSTIFY, GBT9704_LEFT, GBT9704_CENTER };

/* Breaks a paragraph into rows: the first line starts `first` pt in, the
 * others `rest` pt in, all end `right` pt before the block's right edge. */
static int gbt9704_para(struct gbt9704_ctx *c, const char *s, size_t len,
                        int head_font, size_t head, int font, double size,
                        double first, double rest, double right, int align)
{
    struct gbt9704_unit *u;
    double full = GBT9704_W - right;
    int n = gbt9704_units(c, s, len, head_font, head, font, size, full - rest,
                          &u);
    int start = 0;
    while (start < n) {
        double x0 = start == 0 ? first : rest;
        double avail = full - x0, w = 0;
        int end = start;
        while (end < n && w + u[end].w <= avail + 0.01)
            w += u[end++].w;
        if (end == start)
            end = start + 1; /* an overlong unit: alone on its line */
        int last = end >= n;
        if (!last) {
            int b = end;
            while (b > start + 1 && (u[b].nostart || u[b - 1].noend))
                b--;
            end = b;
        }
        w = 0;
        for (int i = start; i < end; i++)
            w += u[i].w;
        double gap = 0, x = x0;
        if (!last && align == GBT9704_JUSTIFY && end - start > 1)
            gap = (avail - w) / (end - start - 1);
        if (align == GBT9704_CENTER)
            x = x0 + (avail - w) / 2;
        if (c->nrows >= GBT9704_MAX_ROWS)
            return -1;
        struct gbt9704_row *r = gbt9704_row_new(c, size, end - start);
        for (int i = start; i < end; i++) {
            r->g[r->n++] = (struct gbt9704_glyph){u[i].s, u[i].len,
                                                  u[i].font, x};
            x += u[i].w + gap;
        }
        start = end;
    }
    return 0;
}

/* One row holding the glyphs of s at x (no breaking). */
static void gbt9704_row_text(struct gbt9704_ctx *c, struct gbt9704_row *r,
                             int font, double size, const char *s, double x)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int n;
        unsigned cp = gbt9704_cp(s + i, len - i, &n);
        r->g[r->n++] = (struct gbt9704_glyph){s + i, n, font, x};
        x += gbt9704_wide(cp) ? gbt9704_cell(size)
                              : gbt9704_measure(c, font, size, s + i, n);
        i += (size_t)n;
    }
}

static int gbt9704_nchars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The title: balanced lines, centred. */
static int gbt9704_title(struct gbt9704_ctx *c, const char *title)
{
    const char *p = title;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        char *line = arena_strndup(c->a, p, len);
        double w = gbt9704_width(c, GBT9704_XBS, GBT9704_S2, line);
        int lines = (int)ceil(w / GBT9704_W - 1e-9);
        double right = 0;
        if (lines > 1) /* balance: every line about w / lines wide */
            right = GBT9704_W - (w / lines + gbt9704_cell(GBT9704_S2));
        if (right < 0)
            right = 0;
        if (len > 0 && gbt9704_para(c, line, len, GBT9704_XBS, 0, GBT9704_XBS,
                                    GBT9704_S2, right / 2, right / 2,
                                    right / 2, GBT9704_CENTER))
            return -1;
        p = nl ? nl + 1 : p + len;
    }
    return 0;
}

/* Paragraphs of text separated by '\n' (blank ones skipped). */
static int gbt9704_body(struct gbt9704_ctx *c, const char *body)
{
    double two = 2 * gbt9704_cell(GBT9704_S3);
    const char *p = body;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *q = p;
        size_t qlen = len;
        /* leading blanks (ASCII and 　) and a trailing \r go */
        for (;;) {
            if (qlen && (*q == ' ' || *q == '\t')) {
                q++;
                qlen--;
            } else if (qlen >= 3 && memcmp(q, "　", 3) == 0) {
                q += 3;
                qlen -= 3;
            } else
                break;
        }
        while (qlen && (q[qlen - 1] == '\r' || q[qlen - 1] == ' '))
            qlen--;
        if (qlen > 0) {
            size_t head;
            enum gbt9704_level lv = gbt9704_level_of(q, qlen, &head);
            int hf = lv == GBT9704_L1   ? GBT9704_HEI
                     : lv == GBT9704_L2 ? GBT9704_KAI
                                        : GBT9704_FANG;
            if (gbt9704_para(c, q, qlen, hf, head, GBT9704_FANG, GBT9704_S3,
                             two, 0, 0, GBT9704_JUSTIFY))
                return -1;
        }
        p = nl ? nl + 1 : p + len;
    }
    return 0;
}

/* 附件说明: "附件：" two characters in, further lines under the names. */
static int gbt9704_attachments(struct gbt9704_ctx *c, const char *note)
{
    double cell = gbt9704_cell(GBT9704_S3);
    const char *p = note;
    int first = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        if (len > 0) {
            const char *text = arena_strndup(c->a, p, len);
            if (first && strncmp(text, "附件", strlen("附件")) != 0)
                text = arena_printf(c->a, "附件：%s", text);
            if (gbt9704_para(c, text, strlen(text), GBT9704_FANG, 0,
                             GBT9704_FANG, GBT9704_S3, first ? 2 * cell
                                                             : 5 * cell,
                             5 * cell, 0, GBT9704_JUSTIFY))
                return -1;
            first = 0;
        }
        p = nl ? nl + 1 : p + len;
    }
    return 0;
}

/* 发文机关署名 and 成文日期 (7.3.5.2). */
static void gbt9704_signature(struct gbt9704_ctx *c, const char *sign,
                              const char *date)
{
    double cell = gbt9704_cell(GBT9704_S3);
    double ws = gbt9704_empty(sign)
                    ? 0
                    : gbt9704_width(c, GBT9704_FANG, GBT9704_S3, sign);
    double wd = gbt9704_empty(date)
                    ? 0
                    : gbt9704_width(c, GBT9704_FANG, GBT9704_S3, date);
    double xd = GBT9704_W - 2 * cell - wd;
    double xs = GBT9704_W - 2 * cell - ws;
    if (wd > 0 && xs > xd - 2 * cell)
        xs = xd - 2 * cell;
    if (ws > 0) {
        struct gbt9704_row *r = gbt9704_row_new(c, GBT9704_S3,
                                                gbt9704_nchars(sign));
        gbt9704_row_text(c, r, GBT9704_FANG, GBT9704_S3, sign, xs);
    }
    if (wd > 0) {
        struct gbt9704_row *r = gbt9704_row_new(c, GBT9704_S3,
                                                gbt9704_nchars(date));
        gbt9704_row_text(c, r, GBT9704_FANG, GBT9704_S3, date, xd);
    }
}

/* ---- pages ---- */

static double gbt9704_slot_top(int slot)
{
    return GBT9704_Y + slot * GBT9704_PITCH;
}

static void gbt9704_rule(cairo_t *cr, double y, double width_mm)
{
    cairo_set_line_width(cr, width_mm * GBT9704_MM);
    cairo_move_to(cr, GBT9704_X, y);
    cairo_line_to(cr, GBT9704_X + GBT9704_W, y);
    cairo_stroke(cr);
}

static void gbt9704_page_number(struct gbt9704_ctx *c, cairo_t *cr, int page)
{
    char s[32];
    snprintf(s, sizeof(s), "— %d —", page);
    double w = gbt9704_measure(c, GBT9704_SONG, GBT9704_S4, s, (int)strlen(s));
    double x = page % 2 ? GBT9704_X + GBT9704_W - GBT9704_S4 - w
                        : GBT9704_X + GBT9704_S4;
    gbt9704_draw(c, cr, GBT9704_SONG, GBT9704_S4, s, (int)strlen(s), x,
                 GBT9704_Y + GBT9704_H + 7.0 * GBT9704_MM);
}

static void gbt9704_watermark(struct gbt9704_ctx *c, cairo_t *cr)
{
    cairo_save(cr);
    cairo_set_source_rgba(cr, 0.6, 0.6, 0.6, 0.25);
    cairo_translate(cr, GBT9704_PAGE_W / 2, GBT9704_PAGE_H / 2);
    cairo_rotate(cr, -M_PI / 4);
    double size = 150;
    double w = 2 * size;
    gbt9704_draw(c, cr, GBT9704_HEI, size, "草稿", (int)strlen("草稿"), -w / 2,
                 -size / 2);
    cairo_restore(cr);
}

/* 份号, 密级, 紧急程度, 发文机关标志, 发文字号 and the red line of page 1;
 * returns the first grid line free for the title. */
static int gbt9704_header(struct gbt9704_ctx *c, cairo_t *cr,
                          const struct gbt9704_doc *d)
{
    double cell = gbt9704_cell(GBT9704_S3);
    int slot = 0;
    if (!gbt9704_empty(d->copy_no)) {
        const char *no = d->copy_no;
        size_t n = strlen(no);
        if (n < 6 && gbt9704_ascii_digits(no, n) == n)
            no = arena_printf(c->a, "%0*d%s", (int)(6 - n), 0, no);
        gbt9704_draw(c, cr, GBT9704_FANG, GBT9704_S3, no, (int)strlen(no),
                     GBT9704_X, gbt9704_slot_top(slot++));
    }
    if (!gbt9704_empty(d->secrecy))
        gbt9704_draw(c, cr, GBT9704_HEI, GBT9704_S3, d->secrecy,
                     (int)strlen(d->secrecy), GBT9704_X,
                     gbt9704_slot_top(slot++));
    if (!gbt9704_empty(d->urgency))
        gbt9704_draw(c, cr, GBT9704_HEI, GBT9704_S3, d->urgency,
                     (int)strlen(d->urgency), GBT9704_X,
                     gbt9704_slot_top(slot++));

    double top = GBT9704_Y + 35.0 * GBT9704_MM;
    double after = top; /* the bottom of the 标志 */
    if (!gbt9704_empty(d->issuer_mark)) {
        int n = gbt9704_nchars(d->issuer_mark);
        double size = 15.0 * GBT9704_MM;
        if (n * size > GBT9704_W)
            size = GBT9704_W / n;
        double w = gbt9704_measure(c, GBT9704_XBS, size, d->issuer_mark,
                                   (int)strlen(d->issuer_mark));
        cairo_set_source_rgb(cr, 0xE6 / 255.0, 0x00, 0x12 / 255.0);
        gbt9704_draw(c, cr, GBT9704_XBS, size, d->issuer_mark,
                     (int)strlen(d->issuer_mark),
                     GBT9704_X + (GBT9704_W - w) / 2, top);
        cairo_set_source_rgb(cr, 0, 0, 0);
        after = top + size;
    }
    double num_top = after + 2 * GBT9704_PITCH;
    const char *num = d->draft ? NULL : d->doc_number;
    if (!gbt9704_empty(d->signer)) {
        if (!gbt9704_empty(num))
            gbt9704_draw(c, cr, GBT9704_FANG, GBT9704_S3, num,
                         (int)strlen(num), GBT9704_X + cell, num_top);
        const char *lab = "签发人：";
        double wl = gbt9704_width(c, GBT9704_FANG, GBT9704_S3, lab);
        double wn = gbt9704_width(c, GBT9704_KAI, GBT9704_S3, d->signer);
        double x = GBT9704_X + GBT9704_W - cell - wn - wl;
        gbt9704_draw(c, cr, GBT9704_FANG, GBT9704_S3, lab, (int)strlen(lab), x,
                     num_top);
        gbt9704_draw(c, cr, GBT9704_KAI, GBT9704_S3, d->signer,
                     (int)strlen(d->signer), x + wl, num_top);
    } else if (!gbt9704_empty(num)) {
        double w = gbt9704_width(c, GBT9704_FANG, GBT9704_S3, num);
        gbt9704_draw(c, cr, GBT9704_FANG, GBT9704_S3, num, (int)strlen(num),
                     GBT9704_X + (GBT9704_W - w) / 2, num_top);
    }
    double line = num_top + GBT9704_S3 + 4.0 * GBT9704_MM;
    cairo_set_source_rgb(cr, 0xE6 / 255.0, 0x00, 0x12 / 255.0);
    gbt9704_rule(cr, line, 0.35);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double title_top = line + 2 * GBT9704_PITCH;
    int first = (int)ceil((title_top - GBT9704_Y) / GBT9704_PITCH - 1e-6);
    return first < slot ? slot : first;
}

/* The 版记 rows (4号仿宋), drawn on the last lines of the page. */
static int gbt9704_imprint(struct gbt9704_ctx *c, const struct gbt9704_doc *d,
                           struct gbt9704_row **rows, int *ncopy)
{
    double cell = gbt9704_cell(GBT9704_S4);
    int from = c->nrows;
    *ncopy = 0;
    if (!gbt9704_empty(d->copy_to)) {
        const char *t = arena_printf(c->a, "抄送：%s", d->copy_to);
        if (gbt9704_para(c, t, strlen(t), GBT9704_FANG, 0, GBT9704_FANG,
                         GBT9704_S4, cell, 4 * cell, cell, GBT9704_JUSTIFY))
            return -1;
        *ncopy = c->nrows - from;
    }
    if (!gbt9704_empty(d->print_unit) || !gbt9704_empty(d->print_date)) {
        const char *u = gbt9704_empty(d->print_unit) ? "" : d->print_unit;
        const char *t = gbt9704_empty(d->print_date)
                            ? ""
                            : arena_printf(c->a, "%s印发", d->print_date);
        struct gbt9704_row *r = gbt9704_row_new(
            c, GBT9704_S4, gbt9704_nchars(u) + gbt9704_nchars(t));
        gbt9704_row_text(c, r, GBT9704_FANG, GBT9704_S4, u, cell);
        double w = gbt9704_width(c, GBT9704_FANG, GBT9704_S4, t);
        gbt9704_row_text(c, r, GBT9704_FANG, GBT9704_S4, t,
                         GBT9704_W - cell - w);
    }
    *rows = c->rows + from;
    return c->nrows - from;
}

static void gbt9704_draw_row(struct gbt9704_ctx *c, cairo_t *cr,
                             const struct gbt9704_row *r, double top)
{
    for (int i = 0; i < r->n; i++)
        gbt9704_draw(c, cr, r->g[i].font, r->size, r->g[i].s, r->g[i].len,
                     GBT9704_X + r->g[i].x, top);
}

/* Classified pages after the first repeat the mark above the block. */
static void gbt9704_page_start(struct gbt9704_ctx *c, cairo_t *cr,
                               const struct gbt9704_doc *d, int page)
{
    if (d->draft)
        gbt9704_watermark(c, cr);
    if (page > 1 && !gbt9704_empty(d->secrecy))
        gbt9704_draw(c, cr, GBT9704_HEI, GBT9704_S3, d->secrecy,
                     (int)strlen(d->secrecy), GBT9704_X,
                     GBT9704_Y - GBT9704_PITCH);
}

static cairo_status_t gbt9704_write(void *closure, const unsigned char *data,
                                    unsigned int length)
{
    int fd = *(int *)closure;
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CAIRO_STATUS_WRITE_ERROR;
        data += n;
        length -= (unsigned)n;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Logs once per call when the preferred 仿宋/楷体 are missing. */
static void gbt9704_check_fonts(PangoFontMap *fm)
{
    PangoFontFamily **fams = NULL;
    int n = 0, fang = 0, kai = 0;
    pango_font_map_list_families(fm, &fams, &n);
    for (int i = 0; i < n; i++) {
        const char *name = pango_font_family_get_name(fams[i]);
        fang |= strcmp(name, "FandolFang") == 0;
        kai |= strcmp(name, "FandolKai") == 0;
    }
    g_free(fams);
    if (!fang)
        log_warn("gbt9704: font FandolFang missing, 仿宋 falls back to Noto "
                 "Serif CJK SC (run scripts/fonts.sh)");
    if (!kai)
        log_warn("gbt9704: font FandolKai missing, 楷体 falls back to AR PL "
                 "UKai (run scripts/fonts.sh)");
}

/* The rows of the flow, in reading order: title, 主送, body, 附件说明,
 * signature, date, 附注.  Their count, or -1 when there are too many. */
static int gbt9704_flow(struct gbt9704_ctx *c, const struct gbt9704_doc *d)
{
    if (gbt9704_title(c, d->title))
        return -1;
    if (!gbt9704_empty(d->main_to)) {
        size_t n = strlen(d->main_to);
        const char *t = n >= 3 && (strcmp(d->main_to + n - 3, "：") == 0 ||
                                   d->main_to[n - 1] == ':')
                            ? d->main_to
                            : arena_printf(c->a, "%s：", d->main_to);
        gbt9704_blank(c);
        if (gbt9704_para(c, t, strlen(t), GBT9704_FANG, 0, GBT9704_FANG,
                         GBT9704_S3, 0, 0, 0, GBT9704_JUSTIFY))
            return -1;
    }
    if (gbt9704_body(c, d->body))
        return -1;
    if (!gbt9704_empty(d->attachment_note)) {
        gbt9704_blank(c);
        if (gbt9704_attachments(c, d->attachment_note))
            return -1;
    }
    if (!gbt9704_empty(d->issuer_sign) || !gbt9704_empty(d->date)) {
        gbt9704_blank(c);
        gbt9704_signature(c, d->issuer_sign, d->date);
    }
    if (!gbt9704_empty(d->notes)) {
        const char *t = arena_printf(c->a, "（%s）", d->notes);
        double two = 2 * gbt9704_cell(GBT9704_S3);
        if (gbt9704_para(c, t, strlen(t), GBT9704_FANG, 0, GBT9704_FANG,
                         GBT9704_S3, two, 0, 0, GBT9704_JUSTIFY))
            return -1;
    }
    return c->nrows;
}

int gbt9704_render_fd(const struct gbt9704_doc *d, int fd, struct err *e)
{
    int rc = -1;
    struct gbt9704_ctx c = {0};
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    PangoFontMap *fm = NULL;
    PangoContext *pc = NULL;
    int fdv = fd;

    if (gbt9704_empty(d->title) || gbt9704_empty(d->body)) {
        if (gbt9704_empty(d->title))
            err_field(e, "title", "请填写标题");
        if (gbt9704_empty(d->body))
            err_field(e, "body", "请填写正文");
        goto out;
    }
    c.a = arena_new();
    surface = cairo_pdf_surface_create_for_stream(gbt9704_write, &fdv,
                                                  GBT9704_PAGE_W,
                                                  GBT9704_PAGE_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                   d->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                   "shuniu");
    cr = cairo_create(surface);
    fm = pango_cairo_font_map_new();
    pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(cr, pc);
    pango_context_set_language(pc, pango_language_from_string("zh-cn"));
    gbt9704_check_fonts(fm);
    for (int i = 0; i < GBT9704_NFONTS; i++)
        c.lay[i] = pango_layout_new(pc);

    struct gbt9704_row *imp;
    int ncopy;
    int nflow = gbt9704_flow(&c, d);
    int nimp = nflow < 0 ? -1 : gbt9704_imprint(&c, d, &imp, &ncopy);
    if (nimp < 0 || nimp > GBT9704_LINES / 2) {
        err_set(e, 400, "too_long", "正文或版记过长，无法排版");
        goto out;
    }

    /* pages */
    int page = 1;
    gbt9704_page_start(&c, cr, d, page);
    int slot = gbt9704_header(&c, cr, d);
    for (int i = 0; i < nflow; i++) {
        struct gbt9704_row *r = &c.rows[i];
        if (slot >= GBT9704_LINES) {
            gbt9704_page_number(&c, cr, page);
            cairo_show_page(cr);
            gbt9704_page_start(&c, cr, d, ++page);
            slot = 0;
            if (r->n == 0)
                continue; /* no blank line at the top of a page */
        }
        gbt9704_draw_row(&c, cr, r, gbt9704_slot_top(slot));
        slot++;
    }
    if (nimp > 0) {
        if (slot > GBT9704_LINES - nimp) {
            gbt9704_page_number(&c, cr, page);
            cairo_show_page(cr);
            gbt9704_page_start(&c, cr, d, ++page);
        }
        int s0 = GBT9704_LINES - nimp;
        double inset = (GBT9704_PITCH - GBT9704_S4) / 2;
        for (int i = 0; i < nimp; i++)
            gbt9704_draw_row(&c, cr, &imp[i],
                             gbt9704_slot_top(s0 + i) + inset);
        gbt9704_rule(cr, gbt9704_slot_top(s0), 0.35);
        if (ncopy > 0 && ncopy < nimp)
            gbt9704_rule(cr, gbt9704_slot_top(s0 + ncopy), 0.25);
        gbt9704_rule(cr, GBT9704_Y + GBT9704_H, 0.35);
    }
    gbt9704_page_number(&c, cr, page);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        log_error("gbt9704: cannot write pdf: %s",
                  cairo_status_to_string(cairo_surface_status(surface)));
        err_set(e, 500, "io", "公文版式文件生成失败，请稍后重试");
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < GBT9704_NFONTS; i++)
        if (c.lay[i])
            g_object_unref(c.lay[i]);
    if (pc)
        g_object_unref(pc);
    if (fm)
        g_object_unref(fm);
    if (cr)
        cairo_destroy(cr);
    if (surface)
        cairo_surface_destroy(surface);
    arena_free(c.a);
    return rc;
}

int gbt9704_render(const struct gbt9704_doc *d, const char *path,
                   struct err *e)
{
    if (gbt9704_empty(d->title) || gbt9704_empty(d->body))
        return gbt9704_render_fd(d, -1, e); /* refuses before writing */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("gbt9704: cannot open %s: %s", path, strerror(errno));
        return err_set(e, 500, "io", "公文版式文件生成失败，请稍后重试");
    }
    int rc = gbt9704_render_fd(d, fd, e);
    if (close(fd) != 0 && rc == 0) {
        log_error("gbt9704: cannot close %s: %s", path, strerror(errno));
        rc = err_set(e, 500, "io", "公文版式文件生成失败，请稍后重试");
    }
    return rc;
}
