/*
 * config.h - the settings of one shuniu process.
 *
 * Precedence, lowest first: built-in defaults; the config file (the path in
 * --config or $SHUNIU_CONFIG, else ./shuniu.conf when it exists); environment
 * variables SHUNIU_<KEY> (e.g. SHUNIU_DB, SHUNIU_LISTEN); command-line flags.
 * The file is "key = value" lines; '#' starts a comment.  Keys are the field
 * names below (db, listen, data, idle_minutes, ...).
 */
#ifndef SHUNIU_CONFIG_H
#define SHUNIU_CONFIG_H

#include <stddef.h>

struct config {
    char db[1024];       /* sqlite:PATH, a bare path, or postgresql://... */
    char listen[256];    /* HOST:PORT */
    char data[1024];     /* data directory: SQLite file, attachments */
    int threads;         /* HTTP worker threads */
    int db_pool;         /* database connections per process */
    int db_cache_mb;     /* SQLite page caches of the pool, MiB in all */
    int idle_minutes;    /* session idle timeout */
    int lock_failures;   /* wrong passwords before the account locks */
    int lock_minutes;    /* how long the lock lasts */
    int password_min;    /* minimum password length */
    int password_classes;/* of 4: lower, upper, digit, other */
    int hash_parallel;   /* concurrent argon2id hashes */
    int test_clock;      /* enables PUT /api/v1/test/clock (loopback only) */
    int secure_cookies;  /* adds Secure to cookies (behind TLS) */
    long max_body;       /* bytes of a request body */
    int max_upload_mb;   /* size cap of one attachment, MiB (default 50) */
    char webhook_url[1024]; /* notifications POSTed here; empty: off */
    int sweep_seconds;   /* interval of the reminder sweep job (case_sweep) */
};

void config_defaults(struct config *c);
/* Applies one "key", "value" pair; 0 ok, -1 unknown key or bad value. */
int config_set(struct config *c, const char *key, const char *value);
/* Reads a config file; -1 with a message naming the line on error. A path
 * of NULL means the default lookup, where a missing file is not an error. */
int config_load_file(struct config *c, const char *path, char *errbuf,
                     size_t errlen);
/* Applies SHUNIU_* environment variables; -1 with a message on a bad one. */
int config_load_env(struct config *c, char *errbuf, size_t errlen);
/* The database URL with "sqlite:" resolved: when c->db is empty, the SQLite
 * file under c->data.  Writes into out. */
void config_db_url(const struct config *c, char *out, size_t outlen);

#endif
