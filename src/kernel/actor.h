/*
 * actor.h - who is acting: the signed-in person (or API token owner, or the
 * operator at the CLI), with what roles, in which unit, at what clearance,
 * from where.  Every kernel write takes an actor and audits in its name.
 */
#ifndef SHUNIU_ACTOR_H
#define SHUNIU_ACTOR_H

#include <stdint.h>

#define ACTOR_MAX_ROLES 16

struct actor {
    int64_t user_id;        /* 0 for the system or the CLI operator */
    const char *login;      /* "system" / "cli" when user_id is 0 */
    const char *name;
    int64_t unit_id;
    const char *unit_code;
    const char *unit_name;
    int clearance;          /* 0 none, 1 秘密, 2 机密, 3 绝密 */
    int nroles;
    const char *roles[ACTOR_MAX_ROLES];
    const char *ip;         /* "cli" for the command line */
    const char *session_hash; /* the session used, "" for tokens and CLI */
    const char *csrf;       /* the session's CSRF token, "" otherwise */
    int via_token;          /* 1 when authenticated by an API token */
};

/* 1 when the actor holds that role. */
int actor_has_role(const struct actor *a, const char *role);
/* The CLI operator: full authority of the machine's owner, audited as "cli". */
void actor_cli(struct actor *a);
/* The system itself (jobs, migrations), audited as "system". */
void actor_system(struct actor *a);
/* 1 for the CLI operator (user_id 0 and login "cli"), who may do
 * everything the administrators may do. */
int actor_is_cli(const struct actor *a);

#endif
