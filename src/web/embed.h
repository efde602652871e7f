/*
 * embed.h - files compiled into the binary (templates, CSS, JS), generated
 * at build time by tools/embed.c from src/web/templates and src/web/static.
 * Names are relative paths: "templates/layout.html", "static/app.css".
 */
#ifndef SHUNIU_EMBED_H
#define SHUNIU_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;
    const unsigned char *data; /* followed by a NUL byte */
    long len;
};

extern const struct embed_file embed_files[];

/* The file of that name, or NULL. */
const struct embed_file *embed_find(const char *name);

#endif
