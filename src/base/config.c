/* config.c - see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reminder sweep: every 5 minutes is soon enough for lights that change
 * by the working day, and cheap on a large database; tests shorten it. */
#define CONFIG_SWEEP_SECONDS 300
#define CONFIG_SWEEP_SECONDS_MAX (24 * 3600)

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    snprintf(c->data, sizeof(c->data), "./data");
    c->threads = 4;
    c->db_pool = 8;
    c->db_cache_mb = 64;
    c->idle_minutes = 30;
    c->lock_failures = 5;
    c->lock_minutes = 15;
    c->password_min = 8;
    c->password_classes = 3;
    c->hash_parallel = 2;
    c->max_body = 8L << 20;
    c->max_upload_mb = 50;
    c->sweep_seconds = CONFIG_SWEEP_SECONDS;
}

static int set_int(int *dst, const char *v, int lo, int hi)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < lo || n > hi)
        return -1;
    *dst = (int)n;
    return 0;
}

static int set_str(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

int config_set(struct config *c, const char *key, const char *v)
{
    if (!strcmp(key, "db"))
        return set_str(c->db, sizeof(c->db), v);
    if (!strcmp(key, "listen"))
        return set_str(c->listen, sizeof(c->listen), v);
    if (!strcmp(key, "data"))
        return set_str(c->data, sizeof(c->data), v);
    if (!strcmp(key, "threads"))
        return set_int(&c->threads, v, 1, 256);
    if (!strcmp(key, "db_pool"))
        return set_int(&c->db_pool, v, 1, 256);
    if (!strcmp(key, "db_cache_mb"))
        return set_int(&c->db_cache_mb, v, 1, 65536);
    if (!strcmp(key, "idle_minutes"))
        return set_int(&c->idle_minutes, v, 1, 24 * 60);
    if (!strcmp(key, "lock_failures"))
        return set_int(&c->lock_failures, v, 1, 100);
    if (!strcmp(key, "lock_minutes"))
        return set_int(&c->lock_minutes, v, 1, 24 * 60);
    if (!strcmp(key, "password_min"))
        return set_int(&c->password_min, v, 6, 128);
    if (!strcmp(key, "password_classes"))
        return set_int(&c->password_classes, v, 1, 4);
    if (!strcmp(key, "hash_parallel"))
        return set_int(&c->hash_parallel, v, 1, 64);
    if (!strcmp(key, "test_clock"))
        return set_int(&c->test_clock, v, 0, 1);
    if (!strcmp(key, "secure_cookies"))
        return set_int(&c->secure_cookies, v, 0, 1);
    if (!strcmp(key, "max_upload_mb"))
        return set_int(&c->max_upload_mb, v, 1, 4096);
    if (!strcmp(key, "webhook_url"))
        return set_str(c->webhook_url, sizeof(c->webhook_url), v);
    if (!strcmp(key, "sweep_seconds"))
        return set_int(&c->sweep_seconds, v, 1, CONFIG_SWEEP_SECONDS_MAX);
    if (!strcmp(key, "max_body")) {
        int kb;
        if (set_int(&kb, v, 1, 1 << 20))
            return -1;
        c->max_body = (long)kb * 1024;
        return 0;
    }
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int config_load_file(struct config *c, const char *path, char *errbuf,
                     size_t errlen)
{
    int optional = 0;
    if (path == NULL) {
        path = getenv("SHUNIU_CONFIG");
        if (path == NULL || !*path) {
            path = "shuniu.conf";
            optional = 1;
        }
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (optional && errno == ENOENT)
            return 0;
        snprintf(errbuf, errlen, "cannot open config %s: %s", path,
                 strerror(errno));
        return -1;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(errbuf, errlen, "%s:%d: expected key = value", path,
                     lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (config_set(c, k, v)) {
            snprintf(errbuf, errlen, "%s:%d: unknown key or bad value: %s",
                     path, lineno, k);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_load_env(struct config *c, char *errbuf, size_t errlen)
{
    static const char *keys[] = {
        "db", "listen", "data", "threads", "db_pool", "db_cache_mb", "idle_minutes",
        "lock_failures", "lock_minutes", "password_min", "password_classes",
        "hash_parallel", "secure_cookies", "max_body", "max_upload_mb",
        "webhook_url", "sweep_seconds", NULL};
    for (int i = 0; keys[i]; i++) {
        char name[64];
        size_t j;
        snprintf(name, sizeof(name), "SHUNIU_%s", keys[i]);
        for (j = 7; name[j]; j++)
            name[j] = (char)toupper((unsigned char)name[j]);
        const char *v = getenv(name);
        if (v && *v && config_set(c, keys[i], v)) {
            snprintf(errbuf, errlen, "bad value in %s", name);
            return -1;
        }
    }
    return 0;
}

void config_db_url(const struct config *c, char *out, size_t outlen)
{
    if (c->db[0])
        snprintf(out, outlen, "%s", c->db);
    else
        snprintf(out, outlen, "sqlite:%s/shuniu.db", c->data);
}
