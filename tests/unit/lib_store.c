/*
 * lib_store.c - a fresh, migrated database for one unit test (lib_store.h).
 */
#include "lib_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/schema.h"

const char *unit_pg_admin(void)
{
    const char *url = getenv("SHUNIU_TEST_PG_ADMIN");
    if (url == NULL || url[0] == '\0')
        url = getenv("SHUNIU_TEST_PG_URL");
    return url != NULL && url[0] != '\0' ? url : NULL;
}

static int unit_db_make(struct unit_db *u, const char *pg_admin)
{
    static int serial;
    char err[256];

    u->admin = pg_admin;
    if (pg_admin == NULL) {
        snprintf(u->dir, sizeof(u->dir), "/tmp/shuniu-unit-XXXXXX");
        if (mkdtemp(u->dir) == NULL)
            return -1;
        snprintf(u->path, sizeof(u->path), "%s/t.db", u->dir);
        snprintf(u->url, sizeof(u->url), "sqlite:%s", u->path);
        return 0;
    }
    snprintf(u->pgname, sizeof(u->pgname), "shuniu_unit_%ld_%d",
             (long)getpid(), ++serial);
    if (store_create_database(pg_admin, u->pgname, err, sizeof(err)) !=
            STORE_OK ||
        store_url_with_db(pg_admin, u->pgname, u->url, sizeof(u->url)) !=
            STORE_OK) {
        fprintf(stderr, "unit_db_new: %s\n", err);
        return -1;
    }
    return 0;
}

struct store *unit_db_new(struct unit_db *u, const char *pg_admin)
{
    char err[256];
    struct store *db;

    if (unit_db_make(u, pg_admin) != 0)
        return NULL;
    db = store_open(u->url, err, sizeof(err));
    if (db == NULL ||
        store_migrate(db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "unit_db_new: %s\n", err);
        store_close(db);
        return NULL;
    }
    return db;
}

struct store *unit_db_connect(const struct unit_db *u)
{
    char err[256];
    struct store *db = store_open(u->url, err, sizeof(err));
    if (db == NULL)
        fprintf(stderr, "unit_db_connect: %s\n", err);
    return db;
}

void unit_db_remove(struct unit_db *u)
{
    char p[160], err[256];
    if (u->admin != NULL) {
        store_drop_database(u->admin, u->pgname, err, sizeof(err));
        return;
    }
    unlink(u->path);
    snprintf(p, sizeof(p), "%s-wal", u->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", u->path);
    unlink(p);
    rmdir(u->dir);
}
