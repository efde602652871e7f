/*
 * lib_store.h - a fresh, migrated database for one unit test, on SQLite
 * (a file in its own temporary directory) or, for a test's PostgreSQL
 * pass, a new database on the server of SHUNIU_TEST_PG_ADMIN.
 *
 * Linked into every tests/unit/test_*.c program (CMakeLists.txt).  Older
 * tests still carry their own copy of this; new ones use it.
 */
#ifndef SHUNIU_TEST_LIB_STORE_H
#define SHUNIU_TEST_LIB_STORE_H

#include <stddef.h>

#include "store/store.h"

struct unit_db {
    char dir[64];     /* SQLite: the temporary directory */
    char path[128];   /* SQLite: the database file */
    char pgname[64];  /* PostgreSQL: the database's name */
    char url[256];    /* what store_open takes */
    const char *admin; /* PostgreSQL: the admin url; NULL: SQLite */
};

/* The PostgreSQL admin url of the environment (SHUNIU_TEST_PG_ADMIN, else
 * SHUNIU_TEST_PG_URL), or NULL when there is none: no PostgreSQL pass. */
const char *unit_pg_admin(void);

/* Makes a new empty database (on PostgreSQL when pg_admin is not NULL),
 * opens it and runs the kernel's migrations.  NULL with a message on
 * stderr when any of that fails. */
struct store *unit_db_new(struct unit_db *u, const char *pg_admin);

/* Another connection to u's database (as a second server node would have);
 * NULL on failure. */
struct store *unit_db_connect(const struct unit_db *u);

/* Removes u's database (close every connection to it first). */
void unit_db_remove(struct unit_db *u);

#endif
