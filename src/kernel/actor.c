/* actor.c - who is acting (see actor.h). */
#include "kernel/actor.h"

#include <string.h>

int actor_has_role(const struct actor *a, const char *role)
{
    if (a == NULL || role == NULL)
        return 0;
    for (int i = 0; i < a->nroles && i < ACTOR_MAX_ROLES; i++)
        if (a->roles[i] != NULL && strcmp(a->roles[i], role) == 0)
            return 1;
    return 0;
}

static void actor_machine(struct actor *a, const char *login, const char *name,
                          const char *ip)
{
    memset(a, 0, sizeof(*a));
    a->user_id = 0;
    a->login = login;
    a->name = name;
    a->unit_code = "";
    a->unit_name = "";
    a->clearance = 3;
    a->ip = ip;
    a->session_hash = "";
    a->csrf = "";
}

void actor_cli(struct actor *a)
{
    actor_machine(a, "cli", "命令行操作员", "cli");
}

void actor_system(struct actor *a)
{
    actor_machine(a, "system", "系统", "system");
}

int actor_is_cli(const struct actor *a)
{
    return a != NULL && a->user_id == 0 && a->login != NULL &&
           strcmp(a->login, "cli") == 0;
}
