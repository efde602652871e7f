/*
 * pages.h - the HTML pages (page_*.c): sign-in, home (我的待办), my account,
 * and the administrators' pages.  PAGES_ROUTES is spliced into the route
 * table in routes.c.
 */
#ifndef SHUNIU_PAGES_H
#define SHUNIU_PAGES_H

#include "web/http.h"

#define PAGES_ROUTES

#endif
