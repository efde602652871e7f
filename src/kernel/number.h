/*
 * number.h - case numbers (文号, 编号): unique and gapless per pattern and
 * year, never reused.
 *
 * A pattern is text with these words:
 *     {year}    the year, four digits ("2026")
 *     {n}       the sequence number without leading zeros ("1", "86")
 *     {n:0W}    the sequence number zero-padded to W digits, 1 <= W <= 12
 *               ("{n:06}" -> "000001")
 * {n} (in one of its forms) must appear exactly once; {year} at most once;
 * braces appear only in these words.  Examples:
 *     市政办发〔{year}〕{n}号   -> 市政办发〔2026〕1号   (GB/T 9704 发文字号:
 *                                 〔〕, full year, no leading zeros, no 第)
 *     XF{year}{n:06}           -> XF2026000001
 *
 * Sequences: table numbers (pattern, year, last) holds the last number
 * taken; number_take() increments it inside the caller's transaction
 * (UPDATE ... RETURNING, after store_tx_lock on a key derived from the
 * pattern), so two writers are serialised and a transaction that rolls
 * back gives its number back: no gap, no duplicate.  Every number taken is
 * recorded in number_log (pattern, year, n, case_id); voiding a number
 * (number_void) records who, when and why there, and the number is never
 * handed out again.
 */
#ifndef SHUNIU_NUMBER_H
#define SHUNIU_NUMBER_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

/* 1 when pattern follows the rules above. */
int number_pattern_ok(const char *pattern);

/* The number n of year in pattern's form, allocated from a; NULL when the
 * pattern is malformed or n < 1. */
char *number_format(struct arena *a, const char *pattern, int year, int64_t n);

/* Takes the next number of (pattern, year) inside the caller's open
 * transaction and logs it for case_id (0: none yet).  0 with *n set, or -1
 * (no transaction, malformed pattern, database failure: logged). */
int number_take(struct store *db, const char *pattern, int year,
                int64_t case_id, int64_t *n);

/* Marks number n of (pattern, year) void in number_log with who, when and
 * why (1-500 characters), audited as "number.void".  Joins the caller's
 * transaction when one is open, else uses its own.  0, or -1 with e: 404
 * when the number was never taken, 409 when already void, 400 for a
 * missing reason. */
int number_void(struct store *db, const struct actor *who, const char *pattern,
                int year, int64_t n, const char *why, struct err *e);

/* 1 when number n of (pattern, year) is void, 0 when not (or never
 * taken), -1 on a database failure. */
int number_is_void(struct store *db, const char *pattern, int year, int64_t n);

#endif
