/* export.c - see export.h. */
#include "kernel/export.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/log.h"

struct export_sheet {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    int ncols;
    int row;
    int failed;
    int widths_set;        /* column widths handed to libxlsxwriter */
    double *width;         /* per column */
    enum export_cell *type;
    lxw_format *date_fmt;
    char path[512];
};

/* Frees x and what it holds (not the workbook). */
static void export_free(struct export_sheet *x)
{
    free(x->width);
    free(x->type);
    free(x);
}

struct export_sheet *export_begin(const char *dir, const char *title,
                                  const char *const *headers, int ncols,
                                  struct err *e)
{
    struct export_sheet *x = calloc(1, sizeof(*x));
    if (x == NULL)
        abort();
    snprintf(x->path, sizeof(x->path), "%s/shuniu-export-XXXXXX",
             dir ? dir : "/tmp");
    int fd = mkstemp(x->path);
    if (fd < 0) {
        log_error("cannot create export file in %s", dir ? dir : "/tmp");
        free(x);
        err_set(e, 500, "internal", "导出文件无法建立，请联系系统管理员");
        return NULL;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE,
                                .tmpdir = dir ? (char *)dir : NULL};
    x->wb = workbook_new_opt(x->path, &opt);
    /* a title Excel refuses (over 31 characters) falls back to Sheet1 */
    x->ws = x->wb ? workbook_add_worksheet(x->wb, title) : NULL;
    if (x->ws == NULL && x->wb)
        x->ws = workbook_add_worksheet(x->wb, NULL);
    if (x->ws == NULL) {
        if (x->wb)
            workbook_close(x->wb);
        unlink(x->path);
        export_free(x);
        err_set(e, 500, "internal", "导出文件无法建立，请联系系统管理员");
        return NULL;
    }
    x->ncols = ncols;
    x->width = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof(double));
    x->type = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof(*x->type));
    if (x->width == NULL || x->type == NULL)
        abort();
    for (int c = 0; c < ncols; c++)
        x->width[c] = 18;
    lxw_format *bold = workbook_add_format(x->wb);
    format_set_bold(bold);
    x->date_fmt = workbook_add_format(x->wb);
    format_set_num_format(x->date_fmt, "yyyy-mm-dd");
    for (int c = 0; c < ncols; c++)
        worksheet_write_string(x->ws, 0, (lxw_col_t)c, headers[c], bold);
    worksheet_freeze_panes(x->ws, 1, 0);
    x->row = 1;
    return x;
}

static int is_integer(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15 || (s[0] == '0' && n > 1))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int export_column(struct export_sheet *x, int col, double width,
                  enum export_cell type)
{
    if (col < 0 || col >= x->ncols || x->widths_set)
        return -1;
    if (width > 0)
        x->width[col] = width > 255 ? 255 : width;
    x->type[col] = type;
    return 0;
}

/* Hands the widths to libxlsxwriter, once. */
static void export_widths(struct export_sheet *x)
{
    if (x->widths_set)
        return;
    x->widths_set = 1;
    for (int c = 0; c < x->ncols; c++)
        worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, x->width[c],
                             NULL);
}

/* s as a date "YYYY-MM-DD..." into dt; 0, or -1 when it is not one. */
static int export_date(const char *s, lxw_datetime *dt)
{
    for (int i = 0; i < 10; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    }
    if (s[10] != '\0' && s[10] != 'T' && s[10] != ' ')
        return -1;
    memset(dt, 0, sizeof(*dt));
    dt->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
               (s[3] - '0');
    dt->month = (uint8_t)((s[5] - '0') * 10 + (s[6] - '0'));
    dt->day = (uint8_t)((s[8] - '0') * 10 + (s[9] - '0'));
    if (dt->year < 1900 || dt->month < 1 || dt->month > 12 || dt->day < 1 ||
        dt->day > 31)
        return -1;
    return 0;
}

int export_row(struct export_sheet *x, const char *const *cells)
{
    export_widths(x);
    for (int c = 0; c < x->ncols; c++) {
        const char *s = cells[c];
        lxw_error rc;
        lxw_datetime dt;
        if (s == NULL || *s == '\0')
            continue;
        if (x->type[c] == EXPORT_DATE && export_date(s, &dt) == 0)
            rc = worksheet_write_datetime(x->ws, (lxw_row_t)x->row,
                                          (lxw_col_t)c, &dt, x->date_fmt);
        else if (x->type[c] == EXPORT_AUTO && is_integer(s))
            rc = worksheet_write_number(x->ws, (lxw_row_t)x->row,
                                        (lxw_col_t)c, strtod(s, NULL), NULL);
        else
            rc = worksheet_write_string(x->ws, (lxw_row_t)x->row,
                                        (lxw_col_t)c, s, NULL);
        if (rc != LXW_NO_ERROR)
            x->failed = 1;
    }
    x->row++;
    return x->failed ? -1 : 0;
}

int export_rows(const struct export_sheet *x)
{
    return x->row - 1;
}

int export_finish(struct export_sheet *x, int *fd, int64_t *len,
                  struct err *e)
{
    int rc = -1;
    *fd = -1;
    export_widths(x);
    if (workbook_close(x->wb) != LXW_NO_ERROR || x->failed) {
        err_set(e, 500, "internal", "导出失败，请缩小范围后重试");
        goto out;
    }
    *fd = open(x->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (*fd < 0 || fstat(*fd, &st) != 0) {
        err_set(e, 500, "internal", "导出失败，请联系系统管理员");
        goto out;
    }
    *len = st.st_size;
    rc = 0;
out:
    unlink(x->path);
    export_free(x);
    return rc;
}
