/*
 * json_pick.h - some members of a JSON object without parsing the rest.
 *
 * A case's fields are one JSON object of a dozen members, most of them
 * long text (要求, 办理结果, 正文摘要); a list shows three of them.  Parsing
 * every member of fifty rows to show three cost a list page 40% of its
 * time (jansson allocates each string and hash entry).  json_pick walks
 * the object's top level, skipping the values it is not asked for (their
 * strings, objects and arrays are stepped over, not decoded), and parses
 * only the ones it is.
 *
 * The result is what parsing the whole text and keeping only the named
 * members gives, for any text jansson parses as an object (a duplicated
 * member: the last one, as jansson keeps it).  Text that is not a JSON
 * object gives NULL; text malformed inside a skipped value may give an
 * object where a full parse would fail (callers read their own stored
 * JSON, written by jansson).
 */
#ifndef SHUNIU_JSON_PICK_H
#define SHUNIU_JSON_PICK_H

#include <jansson.h>

/* A new object with the members of the JSON object text named in keys
 * (NULL-terminated, UTF-8; keys missing from text are left out), or NULL when
 * text is not an object.  The caller owns the reference. */
json_t *json_pick(const char *text, const char *const *keys);

/* The JSON object text with every member, as json_loads gives it (NULL
 * when text is not one object, or has anything but white space after
 * it).  Strings without escapes and short integers, most of a case's
 * members, are made directly; jansson's parser, set up for each value
 * left to it, then for the whole text, took a case page 6% of its time
 * for the fields of one case. */
json_t *json_pick_all(const char *text);

#endif
