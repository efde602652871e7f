/*
 * demo.h - the demo office: a believable city government with its general
 * office, sections, departments and counties, and people in every role.
 * Used by `shuniu demo` and as the organisation of generated test data.
 */
#ifndef SHUNIU_DEMO_H
#define SHUNIU_DEMO_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
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

/* ---- for the modules' demo cases (supervision_demo.c, doc_out_demo.c,
 * doc_in_demo.c): each step of a case's history is fired through the
 * engine as a demo person, with the clock moved back to when it happened.
 */

/* The actor of the demo person login, acting from the command line (ip
 * "cli"); its strings live in a.  0 ok, -1 with e (no such person, or it
 * could not be read). */
int demo_actor(struct store *db, struct arena *a, const char *login,
               struct actor *who, struct err *e);

/* 1 when the module (a module code) already has a case, in unit (a unit
 * code; NULL: anywhere) as case_list filters it: that module's demo cases
 * are built.  0 when it has none or the store cannot say. */
int demo_module_built(struct store *db, struct arena *a, const char *module,
                      const char *unit);

/* Where a demo build's history has got to.  Days are counted from the day
 * the build runs, so the traffic lights say what the demo means whenever it
 * runs; steps stay in order and an hour before the real now. */
struct demo_clock {
    int64_t real_now; /* when the build started */
    struct ymd today; /* its Beijing date */
    int64_t last;     /* the previous step's instant; 0: none yet */
};

/* Starts c at the real now, with no step yet. */
void demo_clock_start(struct demo_clock *c);

/* Moves the clock (now_set) to minute_of_day minutes after Beijing midnight
 * of the day `days` from today (negative: before), or an hour before the
 * real now if that is earlier; then, if that is not after c's previous
 * step, to a minute after it.  That instant becomes the previous step.  The
 * builder returns to the real clock (now_reset) when it is done. */
void demo_clock_at(struct demo_clock *c, int days, int minute_of_day);

/* The date `days` from today, "YYYY-MM-DD", in a. */
const char *demo_date(const struct demo_clock *c, struct arena *a, int days);

#endif
