/*
 * routes.h - the route table: every way into the server (see http.h).
 * Defined in routes.c, next to nothing but the table itself.
 */
#ifndef SHUNIU_ROUTES_H
#define SHUNIU_ROUTES_H

#include "web/http.h"

/* Ends with a zeroed entry. */
extern const struct route routes_table[];

#endif
