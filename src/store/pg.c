/*
 * pg.c - the PostgreSQL backend of the store (libpq; see store.h,
 * backend.h).
 *
 * A connection is one PGconn, set up with client_encoding UTF8 and
 * client_min_messages = warning (NOTICEs such as "relation already exists,
 * skipping" are not for operators), and connect_timeout PG_CONNECT_TIMEOUT
 * unless the URL gives its own.
 *
 * Lost connections (PostgreSQL restarted, a backend killed).  A pooled
 * connection whose server went away still says CONNECTION_OK until a call
 * fails, so without care each one would answer one request with an error.
 * Instead, conn_ensure() runs before BEGIN and before every statement
 * outside a transaction:
 *     - it polls the socket (no wait): an idle connection receives nothing
 *       unasked but the server's goodbye (a FATAL message, then EOF), so
 *       readable data is read, and a connection that turns out closed is
 *       reset (PQreset) before anything is sent on it;
 *     - a server that dies between that check and the send makes the call
 *       fail with the connection CONNECTION_BAD.  The call is then retried
 *       once on a fresh connection only when it cannot have changed
 *       anything: BEGIN (the first statement of a transaction), or a lone
 *       SELECT outside a transaction (sql_is_read).  Never a statement
 *       inside a transaction (its earlier statements died with the
 *       connection: the caller must roll back and decide), never COMMIT
 *       (it may have committed before the connection broke), never a lone
 *       write (the server may have applied it before dying).
 * At most one reconnect per call, so while PostgreSQL is down each call
 * fails after one connection attempt (refused at once, or connect_timeout)
 * and the request gets its usual answer (503 for a session lookup).
 * A connection holding a session lock (store_try_session_lock) is never
 * reset silently: the lock died with the old session, so calls fail until
 * the holder unlocks, and the one after that reconnects.
 * Statements prepared on the old connection are gone with it: a reconnect
 * empties the statement cache, and each statement is prepared again on its
 * next use (names are never reused, so no old name can clash).
 *
 * A statement's life:
 *     store_prepare  copies the SQL and counts its $N placeholders
 *     store_bind_*   keeps each value as text (ints typed int8, text and
 *                    NULL left for the server to infer)
 *     first step     executes: PQexecPrepared on a per-connection cached
 *                    statement, else PQexecParams; the whole result is
 *                    fetched, so other statements may run on the same
 *                    connection while rows are read
 *     later steps    walk the rows of that result
 *     store_reset    drops the result; the bound values stay
 *
 * The statement cache is keyed by the SQL text and the parameter types
 * (the case engine builds its queries from fixed fragments, so one shape
 * of query is one text, whatever buffer holds it), and holds up to
 * PG_CACHE_MAX statements named "shuniu_N" with N never reused.
 * store_exec() (DDL in migrations) and a reconnect empty it; a "cached
 * plan must not change result type" error drops the entry and, outside a
 * transaction, retries unprepared.
 *
 * Error classes: SQLSTATE class 23 -> STORE_E_CONSTRAINT; 40001
 * (serialization), 40P01 (deadlock), 55P03 (lock not available) ->
 * STORE_E_BUSY; anything else -> STORE_E_OTHER.
 *
 * Locks: store_tx_lock is pg_advisory_xact_lock, session locks are
 * pg_try_advisory_lock / pg_advisory_unlock.  Backups run pg_dump -Fc.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "store/backend.h"

#define PG_CACHE_MAX 128
#define PG_INT8OID 20
/* Seconds libpq waits for a server that does not answer a connect (a
 * refused one fails at once); a connect_timeout in the URL wins. */
#define PG_CONNECT_TIMEOUT "5"
/* Reads of an idle connection's pending input before deciding whether the
 * server closed it: its goodbye is a message then EOF, two reads. */
#define PG_DRAIN_MAX 4

struct pg_cached {
    char *sql; /* a copy: the key, with the types */
    int nparams;
    Oid *types;
    char name[32];
};

struct pg_store {
    struct store base;
    PGconn *conn;
    char *url;
    int tx;            /* inside store_begin .. commit/rollback */
    int session_locks; /* session advisory locks held (not reset silently) */
    unsigned long next_name;
    int ncache;
    struct pg_cached cache[PG_CACHE_MAX];
};

struct pg_stmt {
    struct stmt base;
    char *sql;
    int nparams;
    char **vals;
    Oid *types;
    PGresult *res;
    int started;
    int row;
};

static struct pg_store *pg_of(const struct store *db)
{
    return (struct pg_store *)db;
}

/* ---- errors ---------------------------------------------------------- */

static enum store_errc errc_of_state(const char *state)
{
    if (state == NULL)
        return STORE_E_OTHER;
    if (strncmp(state, "23", 2) == 0)
        return STORE_E_CONSTRAINT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return STORE_E_BUSY;
    return STORE_E_OTHER;
}

/* Records the failure of r (or of the connection when r is NULL). */
static int pg_fail(struct store *db, const PGresult *r)
{
    char msg[STORE_ERRMSG_MAX];
    const char *state = NULL, *text = NULL;
    if (r != NULL) {
        state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        text = PQresultErrorMessage(r);
    }
    if (text == NULL || text[0] == '\0')
        text = PQerrorMessage(pg_of(db)->conn);
    snprintf(msg, sizeof(msg), "%s", text);
    /* One line: libpq ends with '\n' and puts DETAIL on lines of its own. */
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (msg[i] == '\n' || msg[i] == '\t')
            msg[i] = ' ';
    return store_fail(db, errc_of_state(state), "%s%s%s", msg,
                      state != NULL ? " SQLSTATE " : "",
                      state != NULL ? state : "");
}

static int result_ok(const PGresult *r)
{
    ExecStatusType t = PQresultStatus(r);
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ||
           t == PGRES_EMPTY_QUERY;
}

/* ---- connection ------------------------------------------------------ */

static void notice_quiet(void *arg, const char *message)
{
    (void)arg;
    log_debug("postgresql: %s", message);
}

static void cache_clear(struct pg_store *s)
{
    for (int i = 0; i < s->ncache; i++) {
        free(s->cache[i].sql);
        free(s->cache[i].types);
    }
    s->ncache = 0;
}

/* Session settings, after connecting and after every reconnect. */
static int conn_setup(PGconn *c, char *err, size_t errlen)
{
    int rc = -1;
    PGresult *r = NULL;
    PQsetNoticeProcessor(c, notice_quiet, NULL);
    if (PQsetClientEncoding(c, "UTF8") != 0) {
        snprintf(err, errlen, "cannot set client encoding: %s",
                 PQerrorMessage(c));
        goto out;
    }
    r = PQexec(c, "SET client_min_messages = warning");
    if (!result_ok(r)) {
        snprintf(err, errlen, "cannot set up session: %s",
                 PQresultErrorMessage(r));
        goto out;
    }
    rc = 0;
out:
    PQclear(r);
    return rc;
}

/* 1 while a transaction is open, by our count or by the server's. */
static int tx_open(const struct pg_store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(s->conn);
    return s->tx || t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* 1 when the idle connection is known to be gone: CONNECTION_BAD, or the
 * server closed its end (the socket reads EOF).  Costs one poll() with no
 * wait while the connection is fine. */
static int conn_gone(struct pg_store *s)
{
    for (int i = 0; i < PG_DRAIN_MAX; i++) {
        if (PQstatus(s->conn) != CONNECTION_OK)
            return 1;
        struct pollfd pfd = {.fd = PQsocket(s->conn), .events = POLLIN};
        if (pfd.fd < 0)
            return 1;
        if (poll(&pfd, 1, 0) <= 0)
            return 0; /* nothing pending: alive as far as can be told */
        /* libpq reads without blocking; an ERROR or FATAL sent while idle
         * goes to the notice processor, EOF makes the status BAD. */
        if (!PQconsumeInput(s->conn))
            return 1;
    }
    return PQstatus(s->conn) != CONNECTION_OK;
}

/* Drops the old session (and its prepared statements) and connects again:
 * one attempt, bounded by connect_timeout. */
static int conn_reconnect(struct pg_store *s)
{
    char err[STORE_ERRMSG_MAX];
    log_warn("database connection lost; reconnecting");
    cache_clear(s);
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK)
        return pg_fail(&s->base, NULL);
    if (conn_setup(s->conn, err, sizeof(err)) != 0)
        return store_fail(&s->base, STORE_E_OTHER, "%s", err);
    log_info("database connection restored");
    return STORE_OK;
}

/* Makes sure the connection can take the next call (see the top of the
 * file).  *reconnected is set when it connected again. */
static int conn_ensure(struct pg_store *s, int *reconnected)
{
    if (tx_open(s)) {
        /* Never reconnected here: what the transaction did died with the
         * connection, and the caller must roll back. */
        if (PQstatus(s->conn) == CONNECTION_OK)
            return STORE_OK;
        return store_fail(&s->base, STORE_E_OTHER,
                          "connection lost inside a transaction");
    }
    if (!conn_gone(s))
        return STORE_OK;
    if (s->session_locks > 0)
        return store_fail(&s->base, STORE_E_OTHER,
                          "connection lost while holding a session lock");
    *reconnected = 1;
    return conn_reconnect(s);
}

/* 1 when sql is a SELECT: run alone outside a transaction it changes
 * nothing (our SELECTs call no writing functions but advisory locks, which
 * die with the session, and setval, which sets an absolute value). */
static int sql_is_read(const char *sql)
{
    static const char word[] = "SELECT";
    const size_t n = sizeof(word) - 1;
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' ||
           *sql == '(')
        sql++;
    if (strncasecmp(sql, word, n) != 0)
        return 0;
    char next = sql[n];
    return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
             (next >= '0' && next <= '9') || next == '_');
}

/* 1 when a call that just failed may run again on a fresh connection: the
 * failure was the connection's (not the SQL's), this call has not
 * reconnected yet, and the call cannot have changed anything (read_only:
 * BEGIN, or a SELECT) outside a transaction. */
static int retry_allowed(const struct pg_store *s, int read_only,
                         int reconnected)
{
    return read_only && !reconnected && !s->tx && s->session_locks == 0 &&
           PQstatus(s->conn) == CONNECTION_BAD;
}

static PGconn *conn_open(const char *url)
{
    /* connect_timeout first: the URL, expanded in place of dbname, comes
     * later and so overrides it. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT, url, NULL};
    return PQconnectdbParams(keys, vals, 1);
}

static void pg_close(struct store *db)
{
    struct pg_store *s = pg_of(db);
    cache_clear(s);
    PQfinish(s->conn);
    free(s->url);
    free(s);
}

struct store *store_pg_open(const char *url, char *err, size_t errlen)
{
    struct store *db = NULL;
    struct pg_store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    s->base.ops = &store_pg_ops;
    s->url = strdup(url);
    if (s->url == NULL)
        abort();
    s->conn = conn_open(url);
    if (s->conn == NULL)
        abort();
    if (PQstatus(s->conn) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(s->conn));
        size_t n = strlen(err);
        while (n > 0 && err[n - 1] == '\n')
            err[--n] = '\0';
        goto out;
    }
    if (conn_setup(s->conn, err, errlen) != 0)
        goto out;
    db = &s->base;
    s = NULL;
out:
    if (s != NULL)
        pg_close(&s->base);
    return db;
}

/* Runs one command without parameters; STORE_OK or STORE_ERR.  read_only:
 * the command changes nothing (BEGIN), so it may run again on a fresh
 * connection when the old one turns out dead. */
static int pg_command(struct store *db, const char *sql, int read_only)
{
    struct pg_store *s = pg_of(db);
    int rc = STORE_ERR, reconnected = 0;
    PGresult *r = NULL;
    if (conn_ensure(s, &reconnected) != STORE_OK)
        goto out;
    r = PQexec(s->conn, sql);
    if (!result_ok(r) && retry_allowed(s, read_only, reconnected)) {
        PQclear(r);
        r = NULL;
        if (conn_reconnect(s) != STORE_OK)
            goto out;
        r = PQexec(s->conn, sql);
    }
    if (!result_ok(r)) {
        pg_fail(db, r);
        goto out;
    }
    rc = STORE_OK;
out:
    PQclear(r);
    return rc;
}

static int pg_exec(struct store *db, const char *sql)
{
    struct pg_store *s = pg_of(db);
    int rc = pg_command(db, sql, 0);
    /* DDL may change what cached statements return: start afresh.  Names
     * are never reused, so a DEALLOCATE that fails (aborted transaction)
     * leaves only unused statements behind. */
    if (s->ncache > 0 && PQstatus(s->conn) == CONNECTION_OK) {
        PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
        cache_clear(s);
    }
    return rc;
}

static int pg_begin(struct store *db)
{
    int rc = pg_command(db, "BEGIN", 1);
    if (rc == STORE_OK)
        pg_of(db)->tx = 1;
    return rc;
}

static int pg_commit(struct store *db)
{
    struct pg_store *s = pg_of(db);
    int rc = STORE_ERR;
    PGresult *r = PQexec(s->conn, "COMMIT");
    if (!result_ok(r)) {
        pg_fail(db, r);
        goto out;
    }
    /* COMMIT of a transaction in which a statement failed succeeds as a
     * command but rolls back: the status says ROLLBACK. */
    if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        store_fail(db, STORE_E_OTHER,
                   "transaction rolled back: an earlier statement failed");
        goto out;
    }
    rc = STORE_OK;
out:
    PQclear(r);
    if (PQtransactionStatus(s->conn) == PQTRANS_IDLE ||
        PQstatus(s->conn) != CONNECTION_OK)
        s->tx = 0;
    return rc;
}

static int pg_rollback(struct store *db)
{
    struct pg_store *s = pg_of(db);
    int rc = STORE_OK;
    if (PQstatus(s->conn) == CONNECTION_OK) {
        PGresult *r = PQexec(s->conn, "ROLLBACK");
        if (!result_ok(r))
            rc = pg_fail(db, r);
        PQclear(r);
    }
    /* A lost connection has rolled back on the server side already. */
    s->tx = 0;
    return rc;
}

static int pg_in_tx(const struct store *db)
{
    return tx_open(pg_of(db));
}

/* ---- statements ------------------------------------------------------ */

static struct stmt *pg_prepare(struct store *db, const char *sql)
{
    struct pg_stmt *p = calloc(1, sizeof(*p));
    if (p == NULL)
        abort();
    p->base.db = db;
    p->sql = strdup(sql);
    if (p->sql == NULL)
        abort();
    p->nparams = store_sql_params(sql, NULL);
    if (p->nparams < 0) {
        p->nparams = 0;
        store_stmt_fail(&p->base, STORE_E_OTHER, "bad placeholder in: %s", sql);
    }
    if (p->nparams > 0) {
        p->vals = calloc((size_t)p->nparams, sizeof(*p->vals));
        p->types = calloc((size_t)p->nparams, sizeof(*p->types));
        if (p->vals == NULL || p->types == NULL)
            abort();
    }
    return &p->base;
}

/* Stores a copy of value (NULL for SQL NULL) as parameter idx. */
static void bind_value(struct stmt *st, int idx, const char *v, size_t n,
                       Oid type)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    if (idx < 1 || idx > p->nparams) {
        store_stmt_fail(st, STORE_E_OTHER,
                        "parameter %d out of range (statement has %d)", idx,
                        p->nparams);
        return;
    }
    free(p->vals[idx - 1]);
    p->vals[idx - 1] = NULL;
    p->types[idx - 1] = type;
    if (v != NULL) {
        char *copy = malloc(n + 1);
        if (copy == NULL)
            abort();
        memcpy(copy, v, n);
        copy[n] = '\0';
        p->vals[idx - 1] = copy;
    }
}

static void pg_bind_int(struct stmt *st, int idx, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRId64, v);
    bind_value(st, idx, text, (size_t)n, PG_INT8OID);
}

static void pg_bind_text(struct stmt *st, int idx, const char *s, size_t n)
{
    bind_value(st, idx, s, n, 0);
}

static void pg_bind_null(struct stmt *st, int idx)
{
    bind_value(st, idx, NULL, 0, 0);
}

static struct pg_cached *cache_find(struct pg_store *s, struct pg_stmt *p)
{
    for (int i = 0; i < s->ncache; i++) {
        struct pg_cached *c = &s->cache[i];
        if (c->nparams == p->nparams && strcmp(c->sql, p->sql) == 0 &&
            (p->nparams == 0 ||
             memcmp(c->types, p->types, sizeof(Oid) * (size_t)p->nparams) == 0))
            return c;
    }
    return NULL;
}

static void cache_drop(struct pg_store *s, struct pg_cached *c)
{
    free(c->sql);
    free(c->types);
    *c = s->cache[--s->ncache];
}

/* Prepares p on the server and caches it; NULL when full or on failure
 * (then *failed holds the error result). */
static struct pg_cached *cache_add(struct pg_store *s, struct pg_stmt *p,
                                   PGresult **failed)
{
    struct pg_cached *c = NULL;
    if (s->ncache >= PG_CACHE_MAX)
        return NULL;
    c = &s->cache[s->ncache];
    snprintf(c->name, sizeof(c->name), "shuniu_%lu", s->next_name++);
    PGresult *r = PQprepare(s->conn, c->name, p->sql, p->nparams, p->types);
    if (!result_ok(r)) {
        *failed = r;
        return NULL;
    }
    PQclear(r);
    c->sql = strdup(p->sql);
    c->nparams = p->nparams;
    c->types = calloc((size_t)p->nparams + 1, sizeof(Oid));
    if (c->sql == NULL || c->types == NULL)
        abort();
    if (p->nparams > 0)
        memcpy(c->types, p->types, sizeof(Oid) * (size_t)p->nparams);
    s->ncache++;
    return c;
}

/* Executes p and returns its result (NULL when libpq could not send it). */
static PGresult *pg_run(struct pg_store *s, struct pg_stmt *p)
{
    PGresult *r = NULL;
    const char *const *vals = (const char *const *)p->vals;
    struct pg_cached *c = cache_find(s, p);
    if (c == NULL) {
        c = cache_add(s, p, &r);
        if (r != NULL)
            return r; /* the statement did not prepare: report why */
    }
    if (c != NULL) {
        r = PQexecPrepared(s->conn, c->name, p->nparams, vals, NULL, NULL, 0);
        const char *state =
            r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state == NULL ||
            (strcmp(state, "0A000") != 0 && strcmp(state, "26000") != 0))
            return r;
        /* The table changed under the cached plan. */
        cache_drop(s, c);
        if (pg_in_tx(&s->base))
            return r;
        PQclear(r);
    }
    return PQexecParams(s->conn, p->sql, p->nparams, p->types, vals, NULL, NULL,
                        0);
}

static int pg_step(struct stmt *st)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    struct pg_store *s = pg_of(st->db);
    if (!p->started) {
        int reconnected = 0;
        p->started = 1;
        p->row = -1;
        if (conn_ensure(s, &reconnected) != STORE_OK) {
            st->failed = 1;
            return STORE_ERR;
        }
        /* NULL: the command could not even be sent (connection gone). */
        p->res = pg_run(s, p);
        if ((p->res == NULL || !result_ok(p->res)) &&
            retry_allowed(s, sql_is_read(p->sql), reconnected)) {
            PQclear(p->res);
            p->res = NULL;
            if (conn_reconnect(s) != STORE_OK) {
                st->failed = 1;
                return STORE_ERR;
            }
            p->res = pg_run(s, p);
        }
        if (p->res == NULL || !result_ok(p->res)) {
            st->failed = 1;
            return pg_fail(st->db, p->res);
        }
    }
    if (p->res == NULL || PQresultStatus(p->res) != PGRES_TUPLES_OK)
        return STORE_DONE;
    if (p->row + 1 >= PQntuples(p->res)) {
        p->row = PQntuples(p->res);
        return STORE_DONE;
    }
    p->row++;
    return STORE_ROW;
}

/* 1 while st is on a row. */
static int on_row(struct pg_stmt *p)
{
    return p->res != NULL && PQresultStatus(p->res) == PGRES_TUPLES_OK &&
           p->row >= 0 && p->row < PQntuples(p->res);
}

static int pg_col_count(struct stmt *st)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    return on_row(p) ? PQnfields(p->res) : 0;
}

static int pg_col_isnull(struct stmt *st, int idx)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    return PQgetisnull(p->res, p->row, idx);
}

static int64_t pg_col_int(struct stmt *st, int idx)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    const char *v = PQgetvalue(p->res, p->row, idx);
    /* Booleans arrive as "t" and "f". */
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct stmt *st, int idx)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    return PQgetvalue(p->res, p->row, idx);
}

static int64_t pg_changes(struct stmt *st)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    if (p->res == NULL)
        return 0;
    return strtoll(PQcmdTuples(p->res), NULL, 10);
}

static void pg_reset(struct stmt *st)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    PQclear(p->res);
    p->res = NULL;
    p->started = 0;
    p->row = -1;
    /* A bad placeholder found at prepare stays a failure. */
    if (store_sql_params(p->sql, NULL) >= 0)
        st->failed = 0;
}

static void pg_finalize(struct stmt *st)
{
    struct pg_stmt *p = (struct pg_stmt *)st;
    PQclear(p->res);
    for (int i = 0; i < p->nparams; i++)
        free(p->vals[i]);
    free(p->vals);
    free(p->types);
    free(p->sql);
    free(p);
}

/* ---- locks ----------------------------------------------------------- */

static const char SQL_TX_LOCK[] = "SELECT pg_advisory_xact_lock($1)";
static const char SQL_TRY_LOCK[] = "SELECT pg_try_advisory_lock($1)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1)";

static int pg_tx_lock(struct store *db, int64_t key)
{
    return store_run(db, SQL_TX_LOCK, "i", key);
}

static int pg_try_session_lock(struct store *db, int64_t key)
{
    int64_t got = 0;
    if (store_query_int(db, SQL_TRY_LOCK, &got, "i", key) != STORE_ROW)
        return STORE_ERR;
    if (got)
        pg_of(db)->session_locks++;
    return got ? 1 : 0;
}

static void pg_session_unlock(struct store *db, int64_t key)
{
    struct pg_store *s = pg_of(db);
    /* Counted down first: when the connection died under the lock, the
     * lock went with it, and this call may connect again (the unlock then
     * finds nothing to release, harmlessly). */
    if (s->session_locks > 0)
        s->session_locks--;
    store_run(db, SQL_UNLOCK, "i", key);
}

/* ---- backup ---------------------------------------------------------- */

/* Runs pg_dump -Fc -f file url without a shell and waits for it.  The
 * pg_dump of the server's major version is tried first (Debian keeps it in
 * /usr/lib/postgresql/N/bin), then the one on PATH. */
static int pg_backup(struct store *db, const char *url, const char *file,
                     char *err, size_t errlen)
{
    struct pg_store *s = pg_of(db);
    int rc = STORE_ERR, status = 0;
    char exact[128], dbarg[4200];
    if (url == NULL || !store_url_is_pg(url))
        url = s->url;
    snprintf(exact, sizeof(exact), "/usr/lib/postgresql/%d/bin/pg_dump",
             PQserverVersion(s->conn) / 10000);
    /* --dbname=URL, so that no url can pass for an option. */
    if (snprintf(dbarg, sizeof(dbarg), "--dbname=%s", url) >=
        (int)sizeof(dbarg)) {
        snprintf(err, errlen, "database url too long");
        goto out;
    }
    char *argv[] = {"pg_dump", "-Fc", "-w", "-f", (char *)file, dbarg, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start pg_dump: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        execv(exact, argv);
        execvp("pg_dump", argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "cannot wait for pg_dump: %s",
                     strerror(errno));
            goto out;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(err, errlen, "pg_dump not found");
        else
            snprintf(err, errlen, "pg_dump failed (status %d)",
                     WIFEXITED(status) ? WEXITSTATUS(status)
                                       : 128 + WTERMSIG(status));
        goto out;
    }
    rc = STORE_OK;
out:
    return rc;
}

const struct store_ops store_pg_ops = {
    .kind = STORE_PG,
    .name = "postgresql",
    .id_type = "BIGSERIAL PRIMARY KEY",
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_tx = pg_in_tx,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_isnull = pg_col_isnull,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .changes = pg_changes,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .tx_lock = pg_tx_lock,
    .try_session_lock = pg_try_session_lock,
    .session_unlock = pg_session_unlock,
    .backup = pg_backup,
};
