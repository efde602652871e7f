/*
 * fuzz_json_fields.c - libFuzzer target for JSON request bodies checked
 * against declared inputs: the case engine's field tables
 * (kernel/case_field.c, as POST /api/v1/cases and the transitions apply
 * them) and web/input.c's input_read() (the forms of every other handler).
 *
 * Input: the first byte chooses the module (supervision, doc_out, doc_in)
 * and which fields the write may set (every field not READONLY, as a
 * creation, or the field list of one transition); the rest is the JSON
 * body, parsed as dispatch.c parses it (duplicate keys refused).  Unit and
 * person fields are looked up in fake_store.h, never in a database.
 *
 * Besides "no crash, no sanitizer report", one property is checked: a
 * value the engine accepted is in its normal form, so parsing it again
 * gives it back unchanged (case_field.c promises one normal form per
 * value; a second save of a case must not change what the first stored).
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_json_fields -max_total_time=60 \
 *         tests/fuzz/corpus/json_fields
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_store.h"
#include "kernel/case_int.h"
#include "web/input.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_modules[] = {"supervision", "doc_out", "doc_in"};
#define FUZZ_NMODULES (sizeof(fuzz_modules) / sizeof(fuzz_modules[0]))

/* One field of every input type and limit input_read() knows. */
static const struct input_field fuzz_spec[] = {
    {"name", IN_TEXT, 1, 20, "名称", 0},
    {"note", IN_TEXT, 0, 0, NULL, 0},
    {"sort", IN_INT, 0, 1000, "排序", -1000},
    {"any", IN_INT, 0, 0, "数", 0},
    {"active", IN_BOOL, 0, 0, "启用", 0},
    {"roles", IN_LIST, 0, 3, "角色", 0},
    {"tags", IN_LIST, 0, 0, "标签", 0},
    {0},
};
#define FUZZ_NSPEC (sizeof(fuzz_spec) / sizeof(fuzz_spec[0]))

static int fuzz_ntransitions(const struct module_def *m)
{
    int n = 0;
    while (m->transitions[n].code != NULL)
        n++;
    return n;
}

/* Aborts (a finding) when an accepted value does not parse to itself. */
static void fuzz_check_normal_form(struct case_ctx *c)
{
    const char *key;
    json_t *v;
    json_object_foreach(c->fields, key, v)
    {
        const struct field_def *f = module_field(c->m, key);
        json_t *again = NULL;
        struct err e;
        err_clear(&e);
        if (f == NULL) {
            fprintf(stderr, "accepted a field not in the table: %s\n", key);
            abort();
        }
        if (case_field_parse(c->db, c->a, f, v, &again, &e) != 0 ||
            !json_equal(again, v)) {
            char *was = json_dumps(v, JSON_ENCODE_ANY);
            fprintf(stderr,
                    "field %s: accepted %s is not in normal form (%s)\n", key,
                    was ? was : "?",
                    e.nfields > 0 ? e.fields[0].message : "changed");
            abort();
        }
        json_decref(again);
        /* the text and display forms pages and exports show */
        case_field_text(c->a, v);
        case_field_display(c->db, c->a, f, v);
    }
}

/* The case engine: the body as the fields of a write. */
static void fuzz_case_fields(struct store *db, struct arena *a, uint8_t pick,
                             json_t *body)
{
    const struct module_def *m =
        module_find(fuzz_modules[pick % FUZZ_NMODULES]);
    struct case_ctx c;
    struct err e;
    int which;

    if (m == NULL)
        abort(); /* the registry lost a module: the target is stale */
    which = (pick / FUZZ_NMODULES) % (fuzz_ntransitions(m) + 1);
    memset(&c, 0, sizeof(c));
    err_clear(&e);
    c.db = db;
    c.a = a;
    c.m = m;
    c.to = module_initial(m);
    c.number = "";
    c.fields = json_object();
    c.before = json_object();
    c.input = body;
    if (case_fields_apply(&c, body,
                          which == 0 ? NULL : m->transitions[which - 1].fields,
                          &e) == 0) {
        fuzz_check_normal_form(&c);
        err_clear(&e);
        case_fields_required(&c, c.to, NULL, &e);
    } else if (e.status != 400) {
        fprintf(stderr, "refused a body with %d, not 400\n", e.status);
        abort();
    }
    json_decref(c.fields);
    json_decref(c.before);
}

/* web/input.c: the body against a handler's declared inputs. */
static void fuzz_input_read(struct arena *a, json_t *body)
{
    struct http_req r;
    struct input_value vals[FUZZ_NSPEC];
    struct err e;
    request_init(&r, NULL, a);
    r.json = body;
    memset(vals, 0, sizeof(vals));
    err_clear(&e);
    if (input_read(&r, fuzz_spec, vals, &e) != 0 && e.status != 400) {
        fprintf(stderr, "input_read refused with %d, not 400\n", e.status);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store *db;
    struct arena *a;
    json_error_t jerr;
    json_t *body;

    if (size < 1)
        return 0;
    if (db == NULL)
        db = fake_store_open(0);
    body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES,
                      &jerr);
    if (body == NULL)
        return 0;
    a = arena_new();
    fuzz_case_fields(db, a, data[0], body);
    if (json_is_object(body))
        fuzz_input_read(a, body);
    arena_free(a);
    json_decref(body);
    return 0;
}
