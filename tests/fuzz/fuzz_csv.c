/*
 * fuzz_csv.c - libFuzzer target for CSV imports: the reader of
 * src/base/csv.c (records, quoting, the cell cap, the UTF-8/GB18030
 * decision of csv_to_utf8) and the two imports built on it, the work
 * report of 督查督办 (supervision_import_parse, pure) and units and people
 * (org_import_csv, its names looked up in fake_store.h; it stops before
 * writing, since the fake store begins no transaction).
 *
 * The input is the file as uploaded.  Inputs naming a "password" column
 * skip the org import: a valid row with a password is hashed with argon2id
 * (64 MiB, ~80 ms), which would make the target crawl; the password policy
 * itself is auth.c's and has its unit tests.
 *
 * Checked besides sanitizer reports: records never have more cells than
 * asked for, lines only go forward, every cell is a string within the cap,
 * the text csv_to_utf8 answers is valid UTF-8 of the length it says, and
 * bad files are refused with 400 (never 500).
 *
 * Built by scripts/fuzz.sh (CMake, -DSHUNIU_FUZZ=ON); by hand:
 *     build/fuzz/tests/fuzz/fuzz_csv -max_total_time=60 tests/fuzz/corpus/csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "fake_store.h"
#include "kernel/actor.h"
#include "kernel/org.h"
#include "modules/supervision.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cells asked for per record: fewer than an import's columns, so that the
 * "more cells than room" path runs too. */
#define FUZZ_CELLS 8
/* A small cell cap, so that the "cell too long" path runs too. */
#define FUZZ_CELL_MAX 64

#define FUZZ_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, __VA_ARGS__);                                          \
        abort();                                                               \
    } while (0)

/* Reads every record of text[0..len) and checks what the reader promises. */
static void fuzz_records(struct arena *a, const char *text, size_t len)
{
    struct csv c;
    const char *cells[FUZZ_CELLS], *why;
    int n, line, last = 0;

    csv_init(&c, text, len, FUZZ_CELL_MAX);
    while (csv_record(&c, a, cells, FUZZ_CELLS, &n, &line, &why)) {
        if (n < 0 || n > FUZZ_CELLS)
            FUZZ_FAIL("record of %d cells, room for %d\n", n, FUZZ_CELLS);
        if (line <= last)
            FUZZ_FAIL("record on line %d after line %d\n", line, last);
        last = line;
        for (int i = 0; why == NULL && i < n; i++)
            if (cells[i] == NULL || strlen(cells[i]) > FUZZ_CELL_MAX)
                FUZZ_FAIL("cell %d of line %d is NULL or over the cap\n", i,
                          line);
    }
    csv_free(&c);
}

/* csv_to_utf8, then the reader on its answer. */
static void fuzz_utf8(struct arena *a, const char *raw, size_t size)
{
    const char *text, *why;
    size_t tlen;
    int line;

    if (csv_to_utf8(a, raw, size, &text, &tlen, &line, &why) != 0) {
        if (why == NULL || line < 0)
            FUZZ_FAIL("csv_to_utf8 refused without a reason\n");
        return;
    }
    if (text[tlen] != '\0' || !request_utf8_ok(text, tlen))
        FUZZ_FAIL("csv_to_utf8 answered text that is not UTF-8\n");
    fuzz_records(a, text, tlen);
}

static void fuzz_work_report(struct arena *a, const char *raw, size_t size)
{
    static const struct unit units[] = {
        {.id = 5,
         .code = "jtj",
         .name = "市交通运输局",
         .short_name = "市交通局"},
        {.id = 6,
         .code = "qsq",
         .name = "青山区人民政府",
         .short_name = "青山区"},
        {.id = 3, .code = "msk", .name = "秘书科", .short_name = ""},
    };
    static const struct user users[] = {
        {.id = 5, .login = "jtj_ld", .name = "王局长", .unit_code = "jtj"},
        {.id = 2, .login = "shizhang", .name = "李市长", .unit_code = "gov"},
    };
    struct supervision_task *tasks;
    struct supervision_import_report *rep = calloc(1, sizeof(*rep));
    int ntasks, rc;

    if (rep == NULL)
        abort();
    rc = supervision_import_parse(a, raw, size, units, 3, users, 2, &tasks,
                                  &ntasks, rep);
    if (rc == 0 && ntasks <= 0)
        FUZZ_FAIL("work report accepted without a task\n");
    if (rep->nbad > SUPERVISION_IMPORT_MAX_BAD || rep->nbad > rep->nbad_total)
        FUZZ_FAIL("work report: %d bad rows listed of %d\n", rep->nbad,
                  rep->nbad_total);
    free(rep);
}

static void fuzz_org(struct store *db, struct arena *a, const char *raw,
                     size_t size)
{
    struct actor cli;
    struct import_report *rep = calloc(1, sizeof(*rep));
    struct err e;

    if (rep == NULL)
        abort();
    actor_cli(&cli);
    err_clear(&e);
    if (org_import_csv(db, &cli, a, raw, size, rep, NULL, NULL, &e) == 0)
        FUZZ_FAIL("org import wrote through a store without transactions\n");
    /* 500 only when it reached the (fake) transaction: the file was good */
    if (e.status != 400 && e.status != 413 &&
        !(e.status == 500 && rep->nbad == 0))
        FUZZ_FAIL("org import refused with %d (%d bad rows)\n", e.status,
                  rep->nbad);
    free(rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store *db;
    struct arena *a = arena_new();
    /* an exact-size copy, so that ASan sees any read past the end */
    char *raw = malloc(size ? size : 1);

    if (db == NULL)
        db = fake_store_open(0);
    memcpy(raw, data, size);
    fuzz_records(a, raw, size);
    fuzz_utf8(a, raw, size);
    fuzz_work_report(a, raw, size);
    if (memmem(raw, size, "password", strlen("password")) == NULL)
        fuzz_org(db, a, raw, size);
    free(raw);
    arena_free(a);
    return 0;
}
