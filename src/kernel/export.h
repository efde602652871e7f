/*
 * export.h - Excel (.xlsx) export of any list, for every module.
 *
 * Rows are streamed to a temporary file with libxlsxwriter in constant-memory
 * mode (rows must come in order; memory stays flat for 100k rows).  The
 * finished file is unlinked and handed back as an open descriptor, so the
 * web face can send it and nothing is left on disk.
 *
 *     x = export_begin(dir, "审计记录", headers, n, &e);
 *     export_row(x, cells);  ...           (cells: n strings, NULL = empty)
 *     export_finish(x, &fd, &len, &e);     (always; frees x)
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
/* Appends a row; numbers that look like integers are written as numbers. */
int export_row(struct export_sheet *x, const char *const *cells);
/* Closes the workbook; on success *fd is the open, unlinked file (the
 * caller closes it) and *len its size.  Frees x in every case. */
int export_finish(struct export_sheet *x, int *fd, int64_t *len,
                  struct err *e);
/* Rows written so far. */
int export_rows(const struct export_sheet *x);

#endif
