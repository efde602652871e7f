/*
 * calendar_store.h - the holiday calendar in the database.
 *
 * Tables (migration "calendar" in schema.c):
 *     calendar_years  year INTEGER PRIMARY KEY, notice, imported_ms,
 *                     imported_by: the published years
 *     calendar_days   day TEXT PRIMARY KEY ('YYYY-MM-DD'), kind 'off' |
 *                     'work', note: the dated overrides
 *     settings        key 'calendar.version': a random token, new at every
 *                     change of the two tables above
 *
 * Seeding: the years compiled into the binary (calendar_builtin_text,
 * 2024-2026 today) are written by calendar_load() when the database lacks
 * them, year by year; a year already there (imported, perhaps amended) is
 * never overwritten.  A binary that ships a new year thus adds it to an
 * existing installation at its first load.
 *
 * Caching: calendar_load() keeps the last calendar it read per process,
 * with the token it read; a load reads the token (one small query) and
 * reuses the calendar while the token is unchanged.  An import on any node
 * writes a new token in its transaction, so every node reloads at its next
 * load.  The token is random, not a counter, so two databases opened by one
 * process never share a cached calendar.
 *
 * Who may import: the sysadmin (系统管理员) or the CLI operator.
 */
#ifndef SHUNIU_CALENDAR_STORE_H
#define SHUNIU_CALENDAR_STORE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/calendar.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

#define CALENDAR_STORE_MAX_HOOKS 8

/* The calendar of the database, seeding the built-in years first when
 * missing (see above).  *out is a reference the caller drops with
 * calendar_free(); it stays valid however the database changes.  Works
 * inside or outside an open transaction (a seed then joins it).  0, or -1
 * on a database failure (logged; *out NULL). */
int calendar_load(struct store *db, struct calendar **out);

/* Imports text (the format of base/calendar.h) in the name of who: checks
 * the permission, then parses and validates all of it; on any error the
 * error lines ("第 N 行：…") go to report, e is set (400) and nothing is
 * written.  Otherwise one transaction, for each year of the text: replaces
 * that year's overrides and notice, appends an audit record (action
 * "calendar.import", target calendar_year/YYYY, detail with the notice
 * before and after and every date whose kind changed); then writes a new
 * version token and runs the hooks of calendar_on_change() inside the same
 * transaction.  report (may be NULL) gets one line per year imported:
 * "2026年：国办发明电〔2025〕7号，放假 33 天，调休上班 6 天".
 * 0, or -1 with e set (403 not allowed, 400 bad text, 500 database or hook
 * failure). */
int calendar_import(struct store *db, const struct actor *who, const char *text,
                    size_t len, struct buf *report, struct err *e);

/* Registers fn to run inside every import's transaction after the new
 * calendar is written (the case engine recomputes open clocks there;
 * calendar_load() inside fn sees the new calendar).  fn returns 0, or -1
 * to roll the import back.  Registering the same fn twice has no effect.
 * 0, or -1 when CALENDAR_STORE_MAX_HOOKS are registered already.  Call at
 * start-up. */
int calendar_on_change(int (*fn)(struct store *db));

#endif
