/*
 * server.h - the HTTP server: cfg.threads event threads (libmicrohttpd,
 * epoll), each given the next connection when it holds the fewest, plus a
 * small worker pool for ROUTE_SLOW handlers (the connection is suspended
 * while a worker runs them).
 */
#ifndef SHUNIU_SERVER_H
#define SHUNIU_SERVER_H

#include "web/http.h"

struct server;

/* Listens on app->cfg.listen ("HOST:PORT"; HOST an IPv4 address,
 * "localhost", or empty / "*" for every address; PORT 0 picks a free
 * one) and serves app->routes in the background.  app must outlive the
 * server.  NULL (logged) when the address is bad or taken. */
struct server *server_start(struct app *app);

/* The port actually bound (useful after PORT 0). */
int server_port(const struct server *s);

/* The connections each event thread holds now, into conns (up to max);
 * returns how many event threads there are (tests). */
int server_loads(const struct server *s, int *conns, int max);

/* Stops accepting, waits up to 5 seconds for requests in flight, finishes
 * the queued slow jobs, stops the daemon and frees s.  NULL ok. */
void server_stop(struct server *s);

/* server_start(), then serves until SIGINT or SIGTERM, then server_stop().
 * Returns 0 after a clean stop, 1 when the server could not start. */
int server_run(struct app *app);

#endif
