/*
 * schema.c - the kernel's migrations (see schema.h).
 *
 * Tables of migration 1 and who writes them:
 *     units       org.c    the unit tree (parent_id NULL for a root)
 *     roles       org.c    role codes; admin = 1 for the 三员 roles
 *     users       org.c, auth.c (password, lock-out counters)
 *     user_roles  org.c
 *     sessions    auth.c   only the SHA-256 of the cookie value is kept
 *     api_tokens  auth.c   only the SHA-256 of the secret is kept
 *     audit       audit.c  append-only; seq is given explicitly (1, 2, ...)
 *                          so that a gap shows, never auto-numbered
 *     settings    key/value pairs of the installation
 */
#include "kernel/schema.h"

static const char schema_v1[] =
    "CREATE TABLE units ("
    " id {{ID}},"
    " code TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " short_name TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL,"
    " parent_id BIGINT REFERENCES units(id),"
    " sort INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL);"
    "CREATE INDEX units_parent ON units(parent_id);"

    "CREATE TABLE roles ("
    " code TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " admin INTEGER NOT NULL DEFAULT 0,"
    " builtin INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO roles (code, name, admin, builtin) VALUES"
    " ('sysadmin', '系统管理员', 1, 1),"
    " ('secadmin', '安全保密管理员', 1, 1),"
    " ('auditor', '安全审计员', 1, 1),"
    " ('leader', '领导', 0, 1),"
    " ('clerk', '办公室工作人员', 0, 1),"
    " ('staff', '承办人', 0, 1);"

    "CREATE TABLE users ("
    " id {{ID}},"
    " login TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " unit_id BIGINT NOT NULL REFERENCES units(id),"
    " clearance INTEGER NOT NULL DEFAULT 0,"
    " backup_id BIGINT REFERENCES users(id),"
    " phone TEXT NOT NULL DEFAULT '',"
    " active INTEGER NOT NULL DEFAULT 1,"
    " password_hash TEXT NOT NULL DEFAULT '',"
    " failed_count INTEGER NOT NULL DEFAULT 0,"
    " locked_until_ms BIGINT NOT NULL DEFAULT 0,"
    " password_changed_ms BIGINT NOT NULL DEFAULT 0,"
    " created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL);"
    "CREATE INDEX users_unit ON users(unit_id);"
    "CREATE INDEX users_name ON users(name);"

    "CREATE TABLE user_roles ("
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " role TEXT NOT NULL REFERENCES roles(code),"
    " PRIMARY KEY (user_id, role));"
    "CREATE INDEX user_roles_role ON user_roles(role);"

    "CREATE TABLE sessions ("
    " id_hash TEXT PRIMARY KEY,"
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " csrf TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL,"
    " last_seen_ms BIGINT NOT NULL,"
    " ip TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX sessions_user ON sessions(user_id);"

    "CREATE TABLE api_tokens ("
    " id {{ID}},"
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " name TEXT NOT NULL,"
    " prefix TEXT NOT NULL,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " created_ms BIGINT NOT NULL,"
    " last_used_ms BIGINT NOT NULL DEFAULT 0,"
    " revoked_ms BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);"

    "CREATE TABLE audit ("
    " seq BIGINT PRIMARY KEY,"
    " at_ms BIGINT NOT NULL,"
    " actor_id BIGINT NOT NULL,"
    " actor_login TEXT NOT NULL,"
    " ip TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " target_type TEXT NOT NULL,"
    " target TEXT NOT NULL,"
    " result TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE INDEX audit_at ON audit(at_ms);"
    "CREATE INDEX audit_actor ON audit(actor_login, seq);"
    "CREATE INDEX audit_action ON audit(action, seq);"

    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL)";

/* Migration 2: the holiday calendar (calendar_store.c writes both; the
 * built-in years are seeded from C at the first load, not here). */
static const char schema_v2_calendar[] =
    "CREATE TABLE calendar_years ("
    " year INTEGER PRIMARY KEY,"
    " notice TEXT NOT NULL,"
    " imported_ms BIGINT NOT NULL,"
    " imported_by TEXT NOT NULL);"
    "CREATE TABLE calendar_days ("
    " day TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),"
    " note TEXT NOT NULL DEFAULT '')";

const struct store_migration schema_migrations[] = {
    {1, "foundation: units, roles, users, sessions, tokens, audit", schema_v1},
    {2, "calendar: published years and dated overrides", schema_v2_calendar},
    {0, NULL, NULL},
};
