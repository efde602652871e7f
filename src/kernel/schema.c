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

/* Migration 3: the case engine (case.c, case_clock.c, case_query.c,
 * number.c).  cases holds one row per case of every module: the columns
 * the engine lists, filters and checks by, and `data`, the module's field
 * values as JSON in API form.  The light_* columns cache the clocks of the
 * case and of its open children (case_clock.c keeps them in step) so that
 * lists filter and sort by light without evaluating clocks:
 *     light_due_ms     the earliest due instant of a running clock that
 *                      can turn red (NULL: none)
 *     light_yellow_ms  the earliest instant a running clock turns yellow
 *     light_floor      the worst fixed light (a paused clock keeps the
 *                      light it had; a closed case its main clock's end
 *                      light); -1: none
 * and the light at an instant is the worst of the three.  case_waits says
 * whom a case waits for now (rewritten at every transition): a user, or
 * the people of a unit, or anyone (both 0), holding role ('*': any).
 * A clock given a new last day (a DATE extension) absorbs its earlier
 * pauses and extensions: they stay for the record (absorbed = 1) and no
 * longer move the due date. */
static const char schema_v3_cases[] =
    "CREATE TABLE cases ("
    " id {{ID}},"
    " module TEXT NOT NULL,"
    " number TEXT NOT NULL DEFAULT '',"
    " number_year INTEGER NOT NULL DEFAULT 0,"
    " number_n BIGINT NOT NULL DEFAULT 0,"
    " title TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " secrecy INTEGER NOT NULL DEFAULT 0,"
    " owner_unit_id BIGINT REFERENCES units(id),"
    " creator_id BIGINT REFERENCES users(id),"
    " lead_unit_id BIGINT REFERENCES units(id),"
    " handler_id BIGINT REFERENCES users(id),"
    " parent_id BIGINT REFERENCES cases(id),"
    " progress INTEGER NOT NULL DEFAULT 0,"
    " pending TEXT,"
    " due_ms BIGINT NOT NULL DEFAULT 0,"
    " light_due_ms BIGINT,"
    " light_yellow_ms BIGINT,"
    " light_floor INTEGER NOT NULL DEFAULT -1,"
    " last_light INTEGER NOT NULL DEFAULT -1,"
    " created_ms BIGINT NOT NULL,"
    " updated_ms BIGINT NOT NULL,"
    " closed_ms BIGINT NOT NULL DEFAULT 0,"
    " data TEXT NOT NULL DEFAULT '{}');"
    "CREATE INDEX cases_module_state ON cases(module, state);"
    "CREATE INDEX cases_lead ON cases(lead_unit_id);"
    "CREATE INDEX cases_owner ON cases(owner_unit_id);"
    "CREATE INDEX cases_handler ON cases(handler_id);"
    "CREATE INDEX cases_due ON cases(due_ms);"
    "CREATE INDEX cases_parent ON cases(parent_id);"
    "CREATE INDEX cases_updated ON cases(updated_ms);"
    "CREATE INDEX cases_created ON cases(created_ms);"
    "CREATE INDEX cases_open ON cases(closed_ms, light_yellow_ms);"

    "CREATE TABLE case_parties ("
    " case_id BIGINT NOT NULL REFERENCES cases(id),"
    " rel TEXT NOT NULL,"
    " unit_id BIGINT NOT NULL DEFAULT 0,"
    " user_id BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX case_parties_case ON case_parties(case_id);"
    "CREATE INDEX case_parties_user ON case_parties(user_id);"
    "CREATE INDEX case_parties_unit ON case_parties(unit_id);"

    "CREATE TABLE case_waits ("
    " case_id BIGINT NOT NULL REFERENCES cases(id),"
    " unit_id BIGINT NOT NULL DEFAULT 0,"
    " user_id BIGINT NOT NULL DEFAULT 0,"
    " role TEXT NOT NULL DEFAULT '*',"
    " pending TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX case_waits_case ON case_waits(case_id);"
    "CREATE INDEX case_waits_user ON case_waits(user_id);"
    "CREATE INDEX case_waits_unit ON case_waits(unit_id);"

    "CREATE TABLE case_clocks ("
    " id {{ID}},"
    " case_id BIGINT NOT NULL REFERENCES cases(id),"
    " clock TEXT NOT NULL,"
    " main INTEGER NOT NULL DEFAULT 0,"
    " warn_only INTEGER NOT NULL DEFAULT 0,"
    " start_ms BIGINT NOT NULL,"
    " unit INTEGER NOT NULL,"
    " length INTEGER NOT NULL,"
    " deadline TEXT NOT NULL DEFAULT '',"
    " warn INTEGER NOT NULL DEFAULT 0,"
    " warn_value INTEGER NOT NULL DEFAULT 0,"
    " stop_ms BIGINT NOT NULL DEFAULT 0,"
    " due_ms BIGINT NOT NULL DEFAULT 0,"
    " UNIQUE (case_id, clock));"
    "CREATE INDEX case_clocks_open ON case_clocks(stop_ms);"

    "CREATE TABLE case_clock_pauses ("
    " id {{ID}},"
    " clock_id BIGINT NOT NULL REFERENCES case_clocks(id),"
    " from_ms BIGINT NOT NULL,"
    " to_ms BIGINT NOT NULL DEFAULT 0,"
    " absorbed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX case_clock_pauses_clock ON case_clock_pauses(clock_id);"

    "CREATE TABLE case_clock_extensions ("
    " id {{ID}},"
    " clock_id BIGINT NOT NULL REFERENCES case_clocks(id),"
    " length INTEGER NOT NULL DEFAULT 0,"
    " deadline TEXT NOT NULL DEFAULT '',"
    " at_ms BIGINT NOT NULL,"
    " by_login TEXT NOT NULL,"
    " why TEXT NOT NULL DEFAULT '',"
    " absorbed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX case_clock_ext_clock ON case_clock_extensions(clock_id);"

    "CREATE TABLE case_timeline ("
    " id {{ID}},"
    " case_id BIGINT NOT NULL REFERENCES cases(id),"
    " at_ms BIGINT NOT NULL,"
    " actor_id BIGINT NOT NULL DEFAULT 0,"
    " actor_login TEXT NOT NULL,"
    " actor_name TEXT NOT NULL,"
    " actor_role TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL,"
    " transition TEXT NOT NULL DEFAULT '',"
    " from_state TEXT NOT NULL DEFAULT '',"
    " to_state TEXT NOT NULL DEFAULT '',"
    " text TEXT NOT NULL DEFAULT '',"
    " data TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX case_timeline_case ON case_timeline(case_id, id);"
    "CREATE INDEX case_timeline_kind ON case_timeline(kind, transition);"

    "CREATE TABLE case_links ("
    " id {{ID}},"
    " a_id BIGINT NOT NULL REFERENCES cases(id),"
    " b_id BIGINT NOT NULL REFERENCES cases(id),"
    " kind TEXT NOT NULL,"
    " by_id BIGINT NOT NULL DEFAULT 0,"
    " by_login TEXT NOT NULL,"
    " at_ms BIGINT NOT NULL,"
    " UNIQUE (a_id, b_id, kind));"
    "CREATE INDEX case_links_b ON case_links(b_id);"

    "CREATE TABLE numbers ("
    " pattern TEXT NOT NULL,"
    " year INTEGER NOT NULL,"
    " last BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (pattern, year));"

    "CREATE TABLE number_log ("
    " pattern TEXT NOT NULL,"
    " year INTEGER NOT NULL,"
    " n BIGINT NOT NULL,"
    " case_id BIGINT REFERENCES cases(id),"
    " taken_ms BIGINT NOT NULL,"
    " voided_by TEXT NOT NULL DEFAULT '',"
    " voided_why TEXT NOT NULL DEFAULT '',"
    " voided_ms BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (pattern, year, n))";

/* Migration 4: Chinese search (search.c).  search_docs holds one document
 * per case: module, the text as indexed (body, for snippets) and its
 * tokens (src/base/tokenize.h).  SQLite indexes tokens in the FTS5 table
 * search_fts (external content over search_docs, rowid = case_id, kept in
 * step by the three triggers: SQLite's documented pattern); PostgreSQL in
 * the generated tsvector column tsv under a GIN index.  Both backends
 * therefore write search_docs with the same SQL.  No foreign key to cases:
 * search.c never reads the engine's tables. */
static const char schema_v4_search_sqlite[] =
    "CREATE TABLE search_docs ("
    " case_id INTEGER PRIMARY KEY,"
    " module TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " tokens TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens,"
    " content='search_docs', content_rowid='case_id',"
    " tokenize='unicode61', prefix='1');"
    "CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN"
    " INSERT INTO search_fts (rowid, tokens) VALUES (new.case_id, new.tokens);"
    " END;"
    "CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN"
    " INSERT INTO search_fts (search_fts, rowid, tokens)"
    " VALUES ('delete', old.case_id, old.tokens);"
    " END;"
    "CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN"
    " INSERT INTO search_fts (search_fts, rowid, tokens)"
    " VALUES ('delete', old.case_id, old.tokens);"
    " INSERT INTO search_fts (rowid, tokens) VALUES (new.case_id, new.tokens);"
    " END";

static const char schema_v4_search_pg[] =
    "CREATE TABLE search_docs ("
    " case_id BIGINT PRIMARY KEY,"
    " module TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " tokens TEXT NOT NULL,"
    " tsv tsvector GENERATED ALWAYS AS"
    " (to_tsvector('simple'::regconfig, tokens)) STORED);"
    "CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv)";

/* Migration 5: attachments (files.c), in-app notifications (notify.c), the
 * webhook outbox (webhook.c) and the job runner's leases (jobs.c).  A files
 * row names its blob by SHA-256 (several rows may share one); case_id 0 is
 * "no case" (no foreign key: the cases table belongs to the engine). */
static const char schema_v5_files_notify_jobs[] =
    "CREATE TABLE files ("
    " id {{ID}},"
    " sha256 TEXT NOT NULL,"
    " size BIGINT NOT NULL,"
    " name TEXT NOT NULL,"
    " content_type TEXT NOT NULL,"
    " case_id BIGINT NOT NULL DEFAULT 0,"
    " uploaded_by BIGINT NOT NULL DEFAULT 0,"
    " uploaded_ms BIGINT NOT NULL,"
    " removed_ms BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX files_case ON files(case_id, id);"
    "CREATE INDEX files_sha ON files(sha256);"

    "CREATE TABLE notifications ("
    " id {{ID}},"
    " user_id BIGINT NOT NULL REFERENCES users(id),"
    " case_id BIGINT NOT NULL DEFAULT 0,"
    " kind TEXT NOT NULL,"
    " text TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL,"
    " read_ms BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX notifications_user ON notifications(user_id, read_ms, id);"

    "CREATE TABLE webhook_outbox ("
    " id {{ID}},"
    " event TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_ms BIGINT NOT NULL,"
    " sent_ms BIGINT NOT NULL DEFAULT 0,"
    " failed_ms BIGINT NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX webhook_outbox_due ON webhook_outbox(sent_ms, failed_ms,"
    " next_ms);"

    "CREATE TABLE job_runs ("
    " name TEXT PRIMARY KEY,"
    " last_run_ms BIGINT NOT NULL,"
    " node TEXT NOT NULL,"
    " last_result INTEGER NOT NULL DEFAULT 0,"
    " runs BIGINT NOT NULL DEFAULT 0)";

/* Migration 6: parallel transitions (module.h all_rel, 会签).  One row per
 * member of the relation who has fired the transition in the case's
 * current state (unit_id for a unit member, user_id for a person); case.c
 * deletes the case's rows whenever its state changes. */
static const char schema_v6_case_votes[] =
    "CREATE TABLE case_votes ("
    " case_id BIGINT NOT NULL REFERENCES cases(id),"
    " transition TEXT NOT NULL,"
    " unit_id BIGINT NOT NULL DEFAULT 0,"
    " user_id BIGINT NOT NULL DEFAULT 0,"
    " actor_id BIGINT NOT NULL DEFAULT 0,"
    " at_ms BIGINT NOT NULL,"
    " PRIMARY KEY (case_id, transition, unit_id, user_id))";

/* Migration 7 (search at scale, see case_query.c): a narrow index of who
 * may see a case, so that a search's capped total ("1000+") reads 1001
 * index entries instead of 1001 wide rows of cases (the visibility test
 * needs only secrecy when it is 0): ~35 -> ~12 ms for a common word at
 * 100k.  On SQLite the full-text index is also merged into one segment
 * once: testing one row against it seeks every segment (15 after loading
 * 100k cases), which made a page of a common phrase cost 14 ms of CPU
 * instead of 2 (the optimize took 2 s of CPU at 100k). */
#define SCHEMA_V7_INDEX "CREATE INDEX cases_id_secrecy ON cases(id, secrecy)"
static const char schema_v7_search_sqlite[] =
    SCHEMA_V7_INDEX ";"
                    "INSERT INTO search_fts (search_fts) VALUES ('optimize')";
static const char schema_v7_search_pg[] = SCHEMA_V7_INDEX;

/* Migration 8: the indexes of the pages every user opens (case_query.c).
 * 我的待办 and the to-do counter of every page start from the viewer's
 * waits (user_id, unit_id) instead of testing every open case; the state
 * tabs and totals of a module's list count (module, state, secrecy) from
 * the index alone instead of reading every wide row of the module; a list
 * of one state sorted by due date or by update walks an index in that
 * order and stops at the page's end.  The counter of every page reads its few
 * thousand waiting cases, and 我的待办 picks its page of them, from the
 * narrow cases_todo (SQLite names it: its planner takes the primary key,
 * a wide row each, 25 ms at 100k).  The single-column indexes these
 * extend are dropped (each new one starts with their columns). */
static const char schema_v8_page_indexes[] =
    "CREATE INDEX case_waits_who ON case_waits(user_id, unit_id);"
    "CREATE INDEX cases_todo ON cases(id, closed_ms, secrecy, light_due_ms,"
    " light_yellow_ms, light_floor, due_ms);"
    "DROP INDEX case_waits_user;"
    "CREATE INDEX cases_module_state_secrecy ON cases(module, state, secrecy);"
    "CREATE INDEX cases_module_state_due ON cases(module, state,"
    " (CASE WHEN due_ms = 0 THEN 1 ELSE 0 END), due_ms, id);"
    "CREATE INDEX cases_module_state_updated ON cases(module, state,"
    " updated_ms, id);"
    "DROP INDEX cases_module_state";

/* Migration 9: the Excel export and the reminder sweep (issue 7).  The
 * export reads a module's list in keyset chunks in the default order
 * (updated, newest first: case_list_chunk), which (module, updated_ms, id)
 * serves in order without sorting the module at every chunk.  The sweep
 * (case_clock.c) looks for open cases whose light differs from last_light:
 * with last_light second it skips the red ones whose due instant has
 * passed (most of the open cases of an office behind on its work) by a
 * range, and the rest is read from the index alone instead of from the
 * wide rows of cases. */
static const char schema_v9_export_sweep[] =
    "CREATE INDEX cases_module_updated ON cases(module, updated_ms, id);"
    "CREATE INDEX cases_sweep ON cases(closed_ms, last_light, light_due_ms,"
    " light_yellow_ms, light_floor, id)";

/* Migration 10: the memos' database id and the module lists' sorts.
 * db.id names this database to the memos of counts (memo.h): one process
 * may hold several, and each starts its audit seqs from 1.  The four
 * indexes let a module's list sorted by a header (办理时限, 登记日期, 编号,
 * 标题) walk its order and stop at the page's end instead of sorting the
 * module (80-280 ms at 100k cases).  A transition changes none of their
 * columns but the number (given once), so writers hardly pay for them. */
#define SCHEMA_V10_SORTS                                                       \
    "CREATE INDEX cases_module_due ON cases(module,"                           \
    " (CASE WHEN due_ms = 0 THEN 1 ELSE 0 END), due_ms, id);"                  \
    "CREATE INDEX cases_module_created ON cases(module, created_ms, id);"      \
    "CREATE INDEX cases_module_number ON cases(module, number_year,"           \
    " number_n, id);"                                                          \
    "CREATE INDEX cases_module_title ON cases(module, title, id);"
static const char schema_v10_memo_sorts_sqlite[] =
    SCHEMA_V10_SORTS "INSERT INTO settings (key, value) VALUES ('db.id',"
                     " lower(hex(randomblob(16))))";
static const char schema_v10_memo_sorts_pg[] =
    SCHEMA_V10_SORTS "INSERT INTO settings (key, value) VALUES ('db.id',"
                     " md5(random()::text || clock_timestamp()::text))";

const struct store_migration schema_migrations[] = {
    {1, "foundation: units, roles, users, sessions, tokens, audit", schema_v1},
    {2, "calendar: published years and dated overrides", schema_v2_calendar},
    {3, "cases: the case engine, clocks, timeline, links, numbers",
     schema_v3_cases},
    {4, "search: case documents, FTS5 (SQLite) or tsvector (PostgreSQL)",
     schema_v4_search_sqlite, schema_v4_search_pg},
    {5, "files, notifications, webhook outbox, job runs",
     schema_v5_files_notify_jobs},
    {6, "case votes: parallel transitions (会签)", schema_v6_case_votes},
    {7, "search at scale: index of case id and secrecy, FTS5 merged",
     schema_v7_search_sqlite, schema_v7_search_pg},
    {8, "indexes of the to-do, the state tabs and the sorted lists",
     schema_v8_page_indexes},
    {9, "indexes of the Excel export and the reminder sweep",
     schema_v9_export_sweep},
    {10, "the memos' database id; indexes of the module lists' sorts",
     schema_v10_memo_sorts_sqlite, schema_v10_memo_sorts_pg},
    {0, NULL, NULL},
};
