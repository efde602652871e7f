/*
 * err.h - how the kernel says no.
 *
 * Kernel functions that can refuse return -1 and fill a struct err: an HTTP-like
 * status (400 bad input, 401, 403, 404, 409 conflict, 423 locked, 500), a short
 * machine code ("invalid", "not_found", ...), a Chinese sentence that tells
 * the user what to fix, and per-field messages.  Faces turn it into a JSON
 * error, a form with messages beside the fields, or a CLI line.
 * Strings are static or owned by the request's arena.
 */
#ifndef SHUNIU_ERR_H
#define SHUNIU_ERR_H

#define ERR_MAX_FIELDS 32

struct err_field {
    const char *field;
    const char *message;
};

struct err {
    int status;
    const char *code;
    const char *message;
    long retry_after; /* seconds, for 423 */
    int nfields;
    struct err_field fields[ERR_MAX_FIELDS];
};

/* Clears e. */
void err_clear(struct err *e);
/* Sets status, code and message; returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, int status, const char *code, const char *message);
/* Adds a field message (status 400 "invalid" unless already set); returns -1. */
int err_field(struct err *e, const char *field, const char *message);
/* True once anything was set. */
int err_isset(const struct err *e);

#endif
