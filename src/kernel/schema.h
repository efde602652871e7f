/*
 * schema.h - the kernel's numbered database migrations.
 *
 * schema_migrations[] is the list store_migrate() applies, in order, ending
 * with an entry whose version is 0.  Migration 1 is the foundation: units,
 * roles (with the six built-in ones), users, user_roles, sessions,
 * api_tokens, audit and settings.  A later change is a new entry at the end;
 * an applied entry is never edited.
 *
 * The SQL runs on SQLite and PostgreSQL alike: BIGINT milliseconds for
 * times, INTEGER 0/1 for flags, TEXT for strings, {{ID}} for auto-numbered
 * keys; what exists on one engine only (migration 4's FTS5 table) gives
 * PostgreSQL its own text in sql_pg (store.h).
 */
#ifndef SHUNIU_SCHEMA_H
#define SHUNIU_SCHEMA_H

#include "store/store.h"

extern const struct store_migration schema_migrations[];

#endif
