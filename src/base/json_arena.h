/*
 * json_arena.h - jansson values built for one request live in its arena.
 *
 * A list page builds a template context of a few thousand jansson values
 * (an object per row, a string per field, a hash entry per member) and
 * drops them all when the page is sent.  Measured at 100k cases, malloc
 * and free for those values were a third of the page's time, and freeing
 * them one by one (json_delete) another seventh.
 *
 * json_arena_install() gives jansson allocation functions that take memory
 * from the arena the calling thread has named with json_arena_use(), and
 * from malloc when it has named none.  Every piece carries a tag in front
 * of it saying where it came from: freeing an arena piece does nothing
 * (the arena releases it with the rest of the request), freeing a heap
 * piece frees it.  So a value may be released anywhere, on any thread, at
 * any time before its arena is freed (as the arena's own cleanups do).
 *
 * Rules that follow:
 *   - a value built while an arena is in use must not outlive that arena
 *     (no jansson value is kept across requests: none is);
 *   - a loop that builds and drops values without bound (an export of
 *     100,000 rows) names an arena of its own per chunk, or the request's
 *     arena grows with every row;
 *   - text that jansson allocates for the caller to free() (json_dumps)
 *     carries the tag too and must not reach free(): use json_text(),
 *     which returns plain malloc memory.  No other code calls json_dumps
 *     (a ctest checks src/).
 *
 * json_arena_install() must run before the process makes its first jansson
 * value (main() does it first); a process that never calls it keeps
 * jansson's malloc, and json_arena_use() is then harmless.
 */
#ifndef SHUNIU_JSON_ARENA_H
#define SHUNIU_JSON_ARENA_H

#include <jansson.h>
#include <stddef.h>

struct arena;

/* Installs the allocation functions (once; later calls do nothing). */
void json_arena_install(void);

/* Makes a the calling thread's arena for new jansson values (NULL: the
 * heap) and returns the one it replaces, to be given back when done. */
struct arena *json_arena_use(struct arena *a);

/* The text of j (json_dumps flags) in memory from malloc, for free();
 * NULL when j cannot be encoded (as json_dumps). */
char *json_text(const json_t *j, size_t flags);

#endif
