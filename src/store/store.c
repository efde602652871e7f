/*
 * store.c - the engine-independent half of the store: it picks a backend by
 * URL and forwards every call through the backend's struct store_ops
 * (backend.h), and it owns what is the same on both engines: error
 * bookkeeping, the $N placeholder scanner, the varargs helpers, schema
 * migrations, the connection pool and creating test databases.
 *
 * Migrations (store_migrate):
 *     for each entry not yet in schema_migrations, in list order:
 *         BEGIN; lock MIGRATE_LOCK_KEY (so two PostgreSQL nodes starting
 *         together apply each migration once); re-check; run the SQL
 *         (sql_pg instead on PostgreSQL when set) with {{ID}} replaced;
 *         INSERT INTO schema_migrations; COMMIT.
 *     A failure rolls the current migration back and stops.
 *
 * Pool (store_pool_*): every connection is opened up front; a stack of
 * free connections guarded by one mutex; store_pool_get() waits on a
 * condition variable while the stack is empty.  A connection returned with
 * a transaction still open is rolled back first.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/now.h"
#include "store/backend.h"
#include "store/store.h"

/* pg_advisory_xact_lock key that serialises migrations across nodes. */
#define MIGRATE_LOCK_KEY 0x73686e7500000001LL /* "shnu" 1 */
#define PARAM_MAX 32766                       /* SQLite's ?NNN limit */

/* ---- errors ---------------------------------------------------------- */

static int store_vfail(struct store *db, enum store_errc c, const char *fmt,
                       va_list ap)
{
    db->errc = c;
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    /* Constraint and busy failures are expected answers, not faults. */
    if (c == STORE_E_OTHER)
        log_warn("database error: %s", db->errmsg);
    else
        log_debug("database refused: %s", db->errmsg);
    return STORE_ERR;
}

int store_fail(struct store *db, enum store_errc c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_vfail(db, c, fmt, ap);
    va_end(ap);
    return STORE_ERR;
}

int store_stmt_fail(struct stmt *st, enum store_errc c, const char *fmt, ...)
{
    va_list ap;
    st->failed = 1;
    va_start(ap, fmt);
    store_vfail(st->db, c, fmt, ap);
    va_end(ap);
    return STORE_ERR;
}

/* ---- placeholders ---------------------------------------------------- */

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           (unsigned char)c >= 0x80;
}

/* Length of a dollar-quote tag at s ("$$" or "$tag$"), 0 if none. */
static size_t dollar_tag_len(const char *s)
{
    size_t i = 1;
    if (s[i] != '$' && !((s[i] >= 'a' && s[i] <= 'z') ||
                         (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
        return 0;
    while (s[i] != '$') {
        if (!is_ident_char(s[i]))
            return 0;
        i++;
    }
    return i + 1;
}

int store_sql_params(const char *sql, char *rewrite)
{
    int max = 0;
    size_t n = strlen(sql), i = 0;
    if (rewrite != NULL)
        memcpy(rewrite, sql, n + 1);
    while (i < n) {
        char c = sql[i];
        if (c == '\'') {
            /* E'...' allows backslash escapes; '...' doubles quotes. */
            int esc = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                      (i < 2 || !is_ident_char(sql[i - 2]));
            i++;
            while (i < n) {
                if (esc && sql[i] == '\\' && i + 1 < n) {
                    i += 2;
                } else if (sql[i] == '\'' && sql[i + 1] == '\'') {
                    i += 2;
                } else if (sql[i] == '\'') {
                    break;
                } else {
                    i++;
                }
            }
            i++;
        } else if (c == '"') {
            i++;
            while (i < n && sql[i] != '"')
                i++;
            i++;
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                i++;
        } else if (c == '/' && sql[i + 1] == '*') {
            i += 2;
            while (i < n && !(sql[i] == '*' && sql[i + 1] == '/'))
                i++;
            i += 2;
        } else if (c == '$' && (i == 0 || !is_ident_char(sql[i - 1]))) {
            if (sql[i + 1] >= '0' && sql[i + 1] <= '9') {
                long v = 0;
                size_t j = i + 1;
                while (sql[j] >= '0' && sql[j] <= '9') {
                    if (v <= PARAM_MAX)
                        v = v * 10 + (sql[j] - '0');
                    j++;
                }
                if (v > PARAM_MAX || v == 0)
                    return -1;
                if (v > max)
                    max = (int)v;
                if (rewrite != NULL)
                    rewrite[i] = '?';
                i = j;
            } else {
                size_t t = dollar_tag_len(sql + i);
                if (t == 0) {
                    i++;
                    continue;
                }
                const char *end = NULL;
                for (size_t k = i + t; k + t <= n; k++) {
                    if (memcmp(sql + k, sql + i, t) == 0) {
                        end = sql + k;
                        break;
                    }
                }
                i = end != NULL ? (size_t)(end - sql) + t : n;
            }
        } else {
            i++;
        }
    }
    return max;
}

/* ---- connections ----------------------------------------------------- */

int store_url_is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 ||
           strncmp(url, "postgres://", 11) == 0;
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
    if (url == NULL || url[0] == '\0') {
        snprintf(err, errlen, "empty database url");
        return NULL;
    }
    if (store_url_is_pg(url))
        return store_pg_open(url, err, errlen);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    if (url[0] == '\0') {
        snprintf(err, errlen, "empty sqlite path");
        return NULL;
    }
    return store_sqlite_open(url, err, errlen);
}

void store_close(struct store *db)
{
    if (db != NULL)
        db->ops->close(db);
}

enum store_kind store_kind(const struct store *db)
{
    return db->ops->kind;
}

const char *store_kind_name(const struct store *db)
{
    return db->ops->name;
}

const char *store_errmsg(const struct store *db)
{
    return db->errmsg;
}

enum store_errc store_errcode(const struct store *db)
{
    return db->errc;
}

int store_begin(struct store *db)
{
    if (db->ops->in_tx(db))
        return store_fail(db, STORE_E_OTHER, "transaction already open");
    return db->ops->begin(db);
}

int store_commit(struct store *db)
{
    if (!db->ops->in_tx(db))
        return store_fail(db, STORE_E_OTHER, "commit without transaction");
    return db->ops->commit(db);
}

int store_rollback(struct store *db)
{
    /* Safe to call on any exit path: nothing open, nothing to do. */
    if (!db->ops->in_tx(db))
        return STORE_OK;
    return db->ops->rollback(db);
}

int store_in_tx(const struct store *db)
{
    return db->ops->in_tx(db);
}

void store_read_begin(struct store *db)
{
    if (db->ops->read_begin != NULL)
        db->ops->read_begin(db);
}

void store_read_end(struct store *db)
{
    if (db->ops->read_end != NULL)
        db->ops->read_end(db);
}

int store_exec(struct store *db, const char *sql)
{
    store_read_end(db); /* it may write */
    return db->ops->exec(db, sql);
}

/* ---- statements ------------------------------------------------------ */

struct stmt *store_prepare(struct store *db, const char *sql)
{
    return db->ops->prepare(db, sql);
}

void store_bind_int(struct stmt *st, int idx, int64_t v)
{
    if (!st->failed)
        st->db->ops->bind_int(st, idx, v);
}

void store_bind_text(struct stmt *st, int idx, const char *s)
{
    if (s == NULL)
        store_bind_null(st, idx);
    else
        store_bind_textn(st, idx, s, strlen(s));
}

void store_bind_textn(struct stmt *st, int idx, const char *s, size_t n)
{
    if (s == NULL)
        store_bind_null(st, idx);
    else if (!st->failed)
        st->db->ops->bind_text(st, idx, s, n);
}

void store_bind_null(struct stmt *st, int idx)
{
    if (!st->failed)
        st->db->ops->bind_null(st, idx);
}

int store_step(struct stmt *st)
{
    if (st->failed)
        return STORE_ERR;
    return st->db->ops->step(st);
}

int store_col_count(struct stmt *st)
{
    return st->db->ops->col_count(st);
}

int store_col_isnull(struct stmt *st, int idx)
{
    if (idx < 0 || idx >= store_col_count(st))
        return 1;
    return st->db->ops->col_isnull(st, idx);
}

int64_t store_col_int(struct stmt *st, int idx)
{
    if (idx < 0 || idx >= store_col_count(st))
        return 0;
    return st->db->ops->col_int(st, idx);
}

const char *store_col_text(struct stmt *st, int idx)
{
    if (idx < 0 || idx >= store_col_count(st))
        return "";
    const char *s = st->db->ops->col_text(st, idx);
    return s != NULL ? s : "";
}

int64_t store_changes(struct stmt *st)
{
    return st->db->ops->changes(st);
}

int store_finalize(struct stmt *st)
{
    if (st == NULL)
        return STORE_OK;
    int rc = st->failed ? STORE_ERR : STORE_OK;
    st->db->ops->finalize(st);
    return rc;
}

void store_reset(struct stmt *st)
{
    st->db->ops->reset(st);
}

/* ---- varargs helpers ------------------------------------------------- */

/* Prepares sql and binds the arguments described by types. */
static struct stmt *vprepare(struct store *db, const char *sql,
                             const char *types, va_list ap)
{
    struct stmt *st = store_prepare(db, sql);
    for (int i = 0; types != NULL && types[i] != '\0'; i++) {
        switch (types[i]) {
        case 'i':
            store_bind_int(st, i + 1, va_arg(ap, int64_t));
            break;
        case 't':
            store_bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        case 'n':
            store_bind_null(st, i + 1);
            break;
        default:
            store_stmt_fail(st, STORE_E_OTHER, "bad parameter type '%c'",
                            types[i]);
            return st;
        }
    }
    return st;
}

int store_query_int(struct store *db, const char *sql, int64_t *out,
                    const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vprepare(db, sql, types, ap);
    va_end(ap);
    *out = 0;
    int rc = store_step(st);
    if (rc == STORE_ROW)
        *out = store_col_int(st, 0);
    if (store_finalize(st) != STORE_OK)
        rc = STORE_ERR;
    return rc;
}

int store_run(struct store *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    struct stmt *st = vprepare(db, sql, types, ap);
    va_end(ap);
    int rc;
    do
        rc = store_step(st);
    while (rc == STORE_ROW);
    if (store_finalize(st) != STORE_OK || rc != STORE_DONE)
        return STORE_ERR;
    return STORE_OK;
}

/* ---- locks ----------------------------------------------------------- */

int store_tx_lock(struct store *db, int64_t key)
{
    if (!db->ops->in_tx(db))
        return store_fail(db, STORE_E_OTHER, "tx lock outside transaction");
    return db->ops->tx_lock(db, key);
}

int store_try_session_lock(struct store *db, int64_t key)
{
    return db->ops->try_session_lock(db, key);
}

void store_session_unlock(struct store *db, int64_t key)
{
    db->ops->session_unlock(db, key);
}

/* ---- migrations ------------------------------------------------------ */

static const char SQL_MIGRATIONS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT, applied_ms BIGINT)";
static const char SQL_MIGRATION_APPLIED[] =
    "SELECT count(*) FROM schema_migrations WHERE version = $1";
static const char SQL_MIGRATION_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_ms) "
    "VALUES ($1, $2, $3)";
static const char SQL_SCHEMA_VERSION[] =
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_SQLITE_HAS_MIGRATIONS[] =
    "SELECT count(*) FROM sqlite_master "
    "WHERE type = 'table' AND name = 'schema_migrations'";
static const char SQL_PG_HAS_MIGRATIONS[] =
    "SELECT count(*) FROM pg_catalog.pg_tables "
    "WHERE schemaname = current_schema() "
    "AND tablename = 'schema_migrations'";

/* Replaces each {{ID}} in sql with the backend's id column type. */
static void migration_expand(struct store *db, const char *sql, struct buf *b)
{
    static const char word[] = "{{ID}}";
    const char *p = sql, *hit;
    while ((hit = strstr(p, word)) != NULL) {
        buf_append(b, p, (size_t)(hit - p));
        buf_puts(b, db->ops->id_type);
        p = hit + sizeof(word) - 1;
    }
    buf_puts(b, p);
}

/* Applies one migration inside its own transaction (if not yet applied). */
static int migration_apply(struct store *db, const struct store_migration *m)
{
    int rc = STORE_ERR;
    int64_t applied = 0;
    struct buf sql;
    buf_init(&sql, 0);
    if (store_begin(db) != STORE_OK)
        goto out;
    if (store_tx_lock(db, MIGRATE_LOCK_KEY) != STORE_OK)
        goto out;
    if (store_query_int(db, SQL_MIGRATION_APPLIED, &applied, "i",
                        (int64_t)m->version) != STORE_ROW)
        goto out;
    if (applied == 0) {
        migration_expand(db,
                         store_kind(db) == STORE_PG && m->sql_pg != NULL
                             ? m->sql_pg
                             : m->sql,
                         &sql);
        if (store_exec(db, sql.ptr) != STORE_OK)
            goto out;
        if (store_run(db, SQL_MIGRATION_RECORD, "iti", (int64_t)m->version,
                      m->name != NULL ? m->name : "", now_ms()) != STORE_OK)
            goto out;
    }
    if (store_commit(db) != STORE_OK)
        goto out;
    if (applied == 0)
        log_info("applied migration %d %s", m->version,
                 m->name != NULL ? m->name : "");
    rc = STORE_OK;
out:
    store_rollback(db);
    buf_free(&sql);
    return rc;
}

int store_migrate(struct store *db, const struct store_migration *list,
                  char *err, size_t errlen)
{
    int rc = STORE_ERR;
    int prev = 0;
    const struct store_migration *m = NULL;
    if (store_in_tx(db)) {
        snprintf(err, errlen,
                 "migrations need a connection outside a "
                 "transaction");
        goto out;
    }
    if (store_begin(db) != STORE_OK ||
        store_tx_lock(db, MIGRATE_LOCK_KEY) != STORE_OK ||
        store_exec(db, SQL_MIGRATIONS_TABLE) != STORE_OK ||
        store_commit(db) != STORE_OK) {
        snprintf(err, errlen, "cannot create schema_migrations: %s",
                 store_errmsg(db));
        store_rollback(db);
        goto out;
    }
    for (m = list; m != NULL && m->version != 0; m++) {
        if (m->version <= prev) {
            snprintf(err, errlen, "migration %d listed after %d", m->version,
                     prev);
            goto out;
        }
        prev = m->version;
        if (migration_apply(db, m) != STORE_OK) {
            snprintf(err, errlen, "migration %d (%s) failed: %s", m->version,
                     m->name != NULL ? m->name : "", store_errmsg(db));
            goto out;
        }
    }
    rc = STORE_OK;
out:
    return rc;
}

int store_schema_version(struct store *db)
{
    int64_t has = 0, v = 0;
    const char *probe = store_kind(db) == STORE_PG ? SQL_PG_HAS_MIGRATIONS
                                                   : SQL_SQLITE_HAS_MIGRATIONS;
    if (store_query_int(db, probe, &has, "") != STORE_ROW || has == 0)
        return 0;
    if (store_query_int(db, SQL_SCHEMA_VERSION, &v, "") != STORE_ROW)
        return 0;
    return (int)v;
}

/* ---- pool ------------------------------------------------------------ */

struct store_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum store_kind kind;
    int size;
    int nfree;
    struct store **all;
    struct store **free; /* stack of nfree idle connections */
};

struct store_pool *store_pool_open(const char *url, int size, char *err,
                                   size_t errlen)
{
    struct store_pool *p = NULL;
    int ok = 0;
    if (size < 1)
        size = 1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        abort();
    p->all = calloc((size_t)size, sizeof(*p->all));
    p->free = calloc((size_t)size, sizeof(*p->free));
    if (p->all == NULL || p->free == NULL)
        abort();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < size; i++) {
        p->all[i] = store_open(url, err, errlen);
        if (p->all[i] == NULL)
            goto out;
        p->size++;
        p->free[p->nfree++] = p->all[i];
    }
    p->kind = store_kind(p->all[0]);
    ok = 1;
out:
    if (!ok) {
        store_pool_close(p);
        p = NULL;
    }
    return p;
}

struct store *store_pool_get(struct store_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->cv, &p->mu);
    struct store *db = p->free[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return db;
}

void store_pool_put(struct store_pool *p, struct store *db)
{
    if (db == NULL)
        return;
    store_read_end(db);
    if (store_in_tx(db)) {
        log_warn("connection returned to pool inside a transaction; "
                 "rolling back");
        store_rollback(db);
    }
    pthread_mutex_lock(&p->mu);
    p->free[p->nfree++] = db;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void store_pool_close(struct store_pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->size; i++)
        store_close(p->all[i]);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->all);
    free(p->free);
    free(p);
}

enum store_kind store_pool_kind(const struct store_pool *p)
{
    return p->kind;
}

/* ---- backup ---------------------------------------------------------- */

int store_backup(struct store *db, const char *url, const char *file, char *err,
                 size_t errlen)
{
    if (file == NULL || file[0] == '\0') {
        snprintf(err, errlen, "no backup file given");
        return STORE_ERR;
    }
    return db->ops->backup(db, url, file, err, errlen);
}

/* ---- test databases (PostgreSQL) ------------------------------------- */

static int dbname_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Runs CREATE/DROP DATABASE name on the server of admin_url. */
static int dbname_command(const char *admin_url, const char *fmt,
                          const char *name, char *err, size_t errlen)
{
    int rc = STORE_ERR;
    char sql[160];
    struct store *db = NULL;
    if (!store_url_is_pg(admin_url)) {
        snprintf(err, errlen, "not a postgresql url");
        goto out;
    }
    if (!dbname_valid(name)) {
        snprintf(err, errlen, "database name must be 1-63 of [a-z0-9_]");
        goto out;
    }
    /* The one place an identifier is formatted into SQL: CREATE/DROP
     * DATABASE cannot take a bound parameter.  The name was checked above
     * to hold only [a-z0-9_], and is quoted besides. */
    snprintf(sql, sizeof(sql), fmt, name);
    db = store_open(admin_url, err, errlen);
    if (db == NULL)
        goto out;
    if (store_exec(db, sql) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(db));
        goto out;
    }
    rc = STORE_OK;
out:
    store_close(db);
    return rc;
}

int store_create_database(const char *admin_url, const char *name, char *err,
                          size_t errlen)
{
    return dbname_command(admin_url,
                          "CREATE DATABASE \"%s\" TEMPLATE template0 "
                          "ENCODING 'UTF8'",
                          name, err, errlen);
}

int store_drop_database(const char *admin_url, const char *name, char *err,
                        size_t errlen)
{
    return dbname_command(admin_url,
                          "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name,
                          err, errlen);
}

int store_url_with_db(const char *url, const char *name, char *out,
                      size_t outlen)
{
    const char *auth = strstr(url, "://");
    if (!store_url_is_pg(url) || auth == NULL || !dbname_valid(name))
        return STORE_ERR;
    auth += 3;
    size_t hostlen = strcspn(auth, "/?");
    const char *rest = auth + hostlen;
    if (*rest == '/')
        rest += strcspn(rest, "?");
    int n = snprintf(out, outlen, "%.*s/%s%s", (int)(auth - url + hostlen), url,
                     name, rest);
    if (n < 0 || (size_t)n >= outlen)
        return STORE_ERR;
    return STORE_OK;
}
