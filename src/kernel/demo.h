/*
 * demo.h - the demo office: a believable city government with its general
 * office, sections, departments and counties, and people in every role.
 * Used by `shuniu demo` and as the organisation of generated test data.
 */
#ifndef SHUNIU_DEMO_H
#define SHUNIU_DEMO_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

/* The one password every demo person has (meets the default policy). */
#define DEMO_PASSWORD "Shuniu@2026"

struct demo_login {
    const char *login;
    const char *name;
    const char *unit;   /* unit name */
    const char *roles;  /* "leader,clerk" */
};

/* Builds the demo office unless it is already there (*built = 0 then).
 * Units and people are created through org.c, audited as "cli".
 * 0 ok, -1 with e. */
int demo_build(struct store *db, struct arena *a, int *built, struct err *e);

/* The people of the demo office, for printing; ends with a zeroed entry. */
extern const struct demo_login demo_logins[];

#endif
