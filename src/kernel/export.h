/*
 * export.h - Excel (.xlsx) export of any list, for every module.
 *
 * Rows are streamed to a temporary file with libxlsxwriter in constant-memory
 * mode (rows must come in order; memory stays flat for 100k rows).  The
 * finished file is unlinked and handed back as an open descriptor, so the
 * web face can send it and nothing is left on disk.
 *
 *     x = export_begin(dir, "审计记录", headers, n, &e);
 *     export_column(x, 2, 12, EXPORT_DATE); (optional, before the rows)
 *     export_row(x, cells);  ...           (cells: n strings, NULL = empty)
 *     export_finish(x, &fd, &len, &e);     (always; frees x)
 *
 * Columns are 18 characters wide and written EXPORT_AUTO unless
 * export_column() says otherwise.
 */
#ifndef SHUNIU_EXPORT_H
#define SHUNIU_EXPORT_H

#include <stdint.h>

#include "base/err.h"

struct export_sheet;

/* Starts a workbook with one sheet titled `title` (≤ 31 characters) in a
 * temporary file under dir (NULL: /tmp).  The header row is bold and the
 * pane frozen under it.  NULL with e on failure. */
struct export_sheet *export_begin(const char *dir, const char *title,
                                  const char *const *headers, int ncols,
                                  struct err *e);
/* How the cells of a column are written. */
enum export_cell {
    EXPORT_AUTO = 0, /* integers (no leading zero) as numbers, else text */
    EXPORT_TEXT,     /* always text (codes with leading zeros, numbers) */
    EXPORT_DATE,     /* "YYYY-MM-DD" (or the date of an ISO time) as a real
                        date cell shown yyyy-mm-dd; anything else as text */
};

/* Sets the width (characters; <= 0 keeps 18) and the cell type of column
 * col.  Call before the first export_row().  0, or -1 for a column out of
 * range or once rows were written. */
int export_column(struct export_sheet *x, int col, double width,
                  enum export_cell type);
/* Appends a row; cells are written by their column's type (EXPORT_AUTO:
 * numbers that look like integers are written as numbers). */
int export_row(struct export_sheet *x, const char *const *cells);
/* Closes the workbook; on success *fd is the open, unlinked file (the
 * caller closes it) and *len its size.  Frees x in every case. */
int export_finish(struct export_sheet *x, int *fd, int64_t *len,
                  struct err *e);
/* Rows written so far. */
int export_rows(const struct export_sheet *x);

#endif
