/*
 * csv.h - reading the CSV files people export from Excel: one reader for
 * every import (units and people, work reports, later ledgers).
 *
 * RFC 4180: ',' separates cells, '"' quotes a cell ('""' inside is one
 * quote), CRLF, LF or CR end a record, a quoted cell may span lines.  A
 * UTF-8 byte-order mark is skipped.  Unquoted cells are trimmed of spaces,
 * tabs and the ideographic space (U+3000); quoted cells are kept as typed.
 * A malformed record is reported with the line it starts on and a Chinese
 * reason, and reading goes on at the next line, so an import can list every
 * bad row at once.
 *
 * Excel on Chinese Windows saves "CSV" in GB18030 (GBK); csv_to_utf8()
 * turns such a file into UTF-8 first.
 */
#ifndef SHUNIU_CSV_H
#define SHUNIU_CSV_H

#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"

struct csv {
    const char *p, *end;
    int line;        /* the line the reader is on (1-based) */
    struct buf cell; /* the cell being read, capped */
};

/* Starts reading data[0..len); cells longer than cell_max bytes are an
 * error of their record.  Free with csv_free(). */
void csv_init(struct csv *c, const char *data, size_t len, size_t cell_max);
void csv_free(struct csv *c);

/* Reads one record into cells (at most max; strings owned by a).  Returns
 * 0 at the end of the input; otherwise 1 with *n cells, *line the line the
 * record starts on, and *why NULL or the reason it is malformed (the rest
 * of its line was then skipped). */
int csv_record(struct csv *c, struct arena *a, const char **cells, int max,
               int *n, int *line, const char **why);

/* The text of a file as UTF-8: data itself (without a BOM) when it is valid
 * UTF-8, else converted from GB18030.  A file that is mostly UTF-8 (it holds
 * valid multi-byte UTF-8 sequences) with some invalid bytes is not guessed
 * to be GB18030, which would turn its Chinese into nonsense: it is refused,
 * naming the line (*line, may be NULL) of the first invalid byte.
 * 0 with *out (arena-owned, NUL-ended) and *outlen; -1 with a Chinese *why
 * (and *line, 0 when the file as a whole is the problem). */
int csv_to_utf8(struct arena *a, const char *data, size_t len,
                const char **out, size_t *outlen, int *line,
                const char **why);

#endif
