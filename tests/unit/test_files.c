/*
 * test_files.c - unit tests of attachments (src/kernel/files.c) against a
 * fresh database and data directory per test, on SQLite and, when
 * SHUNIU_TEST_PG_ADMIN (or SHUNIU_TEST_PG_URL) is set, on PostgreSQL: put
 * and get, identical content stored once, names sanitised and never used as
 * paths, the size cap (whole and streamed), removal, the caller's
 * transaction, the audit records, and verification that finds a tampered
 * or missing blob.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/now.h"
#include "kernel/actor.h"
#include "kernel/files.h"
#include "kernel/schema.h"
#include "store/store.h"

struct fx {
    char dir[64];   /* /tmp/shuniu-files-XXXXXX */
    char data[128]; /* dir/a/b/data: the data directory */
    char pgname[64];
    struct store *db;
    struct arena *a;
    struct actor who;
};

static const char *pg_admin;

static int setup(void **state)
{
    static int serial;
    struct fx *f = calloc(1, sizeof(*f));
    char err[256], url[256];

    snprintf(f->dir, sizeof(f->dir), "/tmp/shuniu-files-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->data, sizeof(f->data), "%s/a", f->dir);
    mkdir(f->data, 0700);
    snprintf(f->data, sizeof(f->data), "%s/a/b", f->dir);
    mkdir(f->data, 0700);
    snprintf(f->data, sizeof(f->data), "%s/a/b/data", f->dir);
    if (pg_admin == NULL) {
        snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    } else {
        snprintf(f->pgname, sizeof(f->pgname), "shuniu_files_%ld_%d",
                 (long)getpid(), ++serial);
        if (store_create_database(pg_admin, f->pgname, err, sizeof(err)) ||
            store_url_with_db(pg_admin, f->pgname, url, sizeof(url))) {
            fprintf(stderr, "setup: %s\n", err);
            return -1;
        }
    }
    f->db = store_open(url, err, sizeof(err));
    if (f->db == NULL ||
        store_migrate(f->db, schema_migrations, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    f->a = arena_new();
    actor_cli(&f->who);
    struct config c;
    config_defaults(&c);
    files_configure(&c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];
    store_close(f->db);
    arena_free(f->a);
    if (pg_admin != NULL) {
        char err[256];
        store_drop_database(pg_admin, f->pgname, err, sizeof(err));
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "teardown: cannot remove %s\n", f->dir);
    free(f);
    now_reset();
    return 0;
}

/* Regular files under path, recursively. */
static int count_files(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int n = 0;
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char p[512];
        struct stat sb;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
        if (lstat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            n += count_files(p);
        else
            n++;
    }
    closedir(d);
    return n;
}

static int64_t put(struct fx *f, int64_t case_id, const char *name,
                   const char *type, const char *bytes)
{
    struct err e;
    int64_t id = 0;
    err_clear(&e);
    assert_int_equal(files_put(f->db, f->data, &f->who, case_id, name, type,
                               bytes, strlen(bytes), &id, &e),
                     0);
    assert_true(id > 0);
    return id;
}

static int64_t audit_count(struct fx *f, const char *action)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(f->db,
                                     "SELECT COUNT(*) FROM audit"
                                     " WHERE action = $1",
                                     &n, "t", action),
                     STORE_ROW);
    return n;
}

/* Put, get, open: the row, the path from the hash, the bytes. */
static void test_put_get(void **state)
{
    struct fx *f = *state;
    struct file_rec r;
    struct err e;
    char want[DIGEST_HEX_LEN], path[512], buf[64];
    static const char body[] = "督办通知：请于三日内反馈。";

    now_set(1767225600000LL);
    int64_t id = put(f, 7, "通知.txt", "text/plain; charset=utf-8", body);
    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, id, &r, &e), 0);
    digest_sha256_hex(body, strlen(body), want);
    assert_string_equal(r.sha256, want);
    assert_int_equal(r.size, (int64_t)strlen(body));
    assert_string_equal(r.name, "通知.txt");
    assert_string_equal(r.content_type, "text/plain");
    assert_int_equal(r.case_id, 7);
    assert_int_equal(r.uploaded_by, 0);
    assert_true(r.uploaded_ms >= 1767225600000LL);
    assert_int_equal(r.removed_ms, 0);

    assert_int_equal(files_path(f->data, r.sha256, path, sizeof(path)), 0);
    char expect[512];
    snprintf(expect, sizeof(expect), "%s/files/%.2s/%.2s/%s", f->data, want,
             want + 2, want);
    assert_string_equal(path, expect);

    int fd = files_open(f->data, &r);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    assert_int_equal(n, (ssize_t)strlen(body));
    assert_memory_equal(buf, body, strlen(body));
    assert_int_equal(audit_count(f, "file.upload"), 1);

    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, id + 100, &r, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(
        files_path(f->data, "../../etc/passwd", path, sizeof(path)), -1);
}

/* The same bytes twice: two rows, one blob, nothing left in tmp. */
static void test_identical_stored_once(void **state)
{
    struct fx *f = *state;
    struct file_rec r1, r2;
    struct err e;
    char p[256];

    int64_t a = put(f, 1, "a.txt", "text/plain", "same bytes");
    int64_t b = put(f, 2, "b.txt", "text/plain", "same bytes");
    int64_t c = put(f, 2, "c.txt", "text/plain", "other bytes");
    assert_true(a != b);
    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, a, &r1, &e), 0);
    assert_int_equal(files_get(f->db, f->a, b, &r2, &e), 0);
    assert_string_equal(r1.sha256, r2.sha256);
    snprintf(p, sizeof(p), "%s/files", f->data);
    assert_int_equal(count_files(p), 2);
    snprintf(p, sizeof(p), "%s/files/tmp", f->data);
    assert_int_equal(count_files(p), 0);
    (void)c;
}

/* Names are for display only: "../../etc/passwd" lands under the data
 * directory by its hash, and nothing appears outside it. */
static void test_name_never_a_path(void **state)
{
    struct fx *f = *state;
    struct file_rec r;
    struct err e;
    char p[256];
    struct stat sb;

    int64_t id = put(f, 1, "../../etc/passwd", "text/plain", "root:x:0:0");
    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, id, &r, &e), 0);
    assert_string_equal(r.name, "passwd");
    snprintf(p, sizeof(p), "%s/a/etc", f->dir);
    assert_int_equal(stat(p, &sb), -1);
    snprintf(p, sizeof(p), "%s/a/b/etc", f->dir);
    assert_int_equal(stat(p, &sb), -1);
    /* the data dir holds the blob, the directory holds the data dir,
     * t.db (SQLite) and nothing else */
    snprintf(p, sizeof(p), "%s/files", f->data);
    assert_int_equal(count_files(p), 1);
    snprintf(p, sizeof(p), "%s/a", f->dir);
    assert_int_equal(count_files(p), 1);
}

/* The display form of uploaded names. */
static void test_sanitize_name(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"报告.docx", "报告.docx"},
        {"../../etc/passwd", "passwd"},
        {"C:\\Users\\张三\\材料.pdf", "材料.pdf"},
        {"a/b/", "附件"},
        {"..", "附件"},
        {"", "附件"},
        {NULL, "附件"},
        {".bashrc", "bashrc"},
        {"  空格 .txt. ", "空格 .txt"},
        {"\x01"
         "bad\x7f"
         "name\n.txt",
         "badname.txt"},
        {"\xff\xfe"
         "ok\xc0\xaf.txt",
         "ok.txt"}, /* invalid UTF-8 */
        {"x\xe2\x80\xae"
         "txt.exe",
         "xtxt.exe"}, /* RLO override */
        {"\xed\xa0\x80"
         "s.txt",
         "s.txt"}, /* surrogate */
    };
    char out[FILES_NAME_MAX + 1];
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        files_sanitize_name(rows[i].in, out, sizeof(out));
        assert_string_equal(out, rows[i].want);
    }
    /* a long Chinese name is cut at a character boundary */
    char longname[1024];
    for (int i = 0; i < 100; i++)
        memcpy(longname + 3 * i, "督", 3);
    longname[300] = '\0';
    files_sanitize_name(longname, out, sizeof(out));
    assert_int_equal(strlen(out), (FILES_NAME_MAX / 3) * 3);
    /* a small buffer */
    char small[8];
    files_sanitize_name("督办督办", small, sizeof(small));
    assert_string_equal(small, "督办");
}

/* Content types: type/subtype kept lowercase, anything else is
 * application/octet-stream. */
static void test_content_type(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"Text/HTML; charset=utf-8", "text/html"},
        {"application/pdf", "application/pdf"},
        {NULL, "application/octet-stream"},
        {"", "application/octet-stream"},
        {"nonsense", "application/octet-stream"},
        {"text/", "application/octet-stream"},
        {"/plain", "application/octet-stream"},
        {"text/plain\r\nX-Evil: 1", "application/octet-stream"},
        {"a/b/c", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct file_rec r;
        struct err e;
        int64_t id = put(f, 1, "x", rows[i].in, "x");
        err_clear(&e);
        assert_int_equal(files_get(f->db, f->a, id, &r, &e), 0);
        assert_string_equal(r.content_type, rows[i].want);
    }
}

/* The cap: whole puts and streamed uploads; empty files. */
static void test_size_cap(void **state)
{
    struct fx *f = *state;
    struct config c;
    struct err e;
    int64_t id = 0;
    size_t mib = (size_t)1 << 20;
    char *big = calloc(1, mib + 1);
    char p[256];

    config_defaults(&c);
    assert_int_equal(c.max_upload_mb, 50);
    assert_int_equal(files_max_bytes(), (int64_t)50 << 20);
    assert_int_equal(config_set(&c, "max_upload_mb", "1"), 0);
    assert_int_equal(config_set(&c, "max_upload_mb", "0"), -1);
    files_configure(&c);
    assert_int_equal(files_max_bytes(), (int64_t)mib);

    err_clear(&e);
    assert_int_equal(files_put(f->db, f->data, &f->who, 1, "big", NULL, big,
                               mib + 1, &id, &e),
                     -1);
    assert_int_equal(e.status, 413);
    assert_non_null(strstr(e.message, "1 MB"));
    err_clear(&e);
    assert_int_equal(
        files_put(f->db, f->data, &f->who, 1, "exact", NULL, big, mib, &id, &e),
        0);

    /* streamed: the piece that passes the cap fails, commit refuses */
    err_clear(&e);
    struct files_upload *u = files_upload_begin(f->data, &e);
    assert_non_null(u);
    assert_int_equal(files_upload_write(u, big, mib / 2, &e), 0);
    assert_int_equal(files_upload_write(u, big, mib / 2, &e), 0);
    assert_int_equal(files_upload_write(u, "x", 1, &e), -1);
    assert_int_equal(e.status, 413);
    err_clear(&e);
    assert_int_equal(
        files_upload_commit(u, f->db, &f->who, 1, "s", NULL, &id, &e), -1);
    assert_int_equal(e.status, 413);

    /* aborted uploads leave nothing behind */
    u = files_upload_begin(f->data, &e);
    assert_int_equal(files_upload_write(u, "abc", 3, &e), 0);
    files_upload_abort(u);
    files_upload_abort(NULL);
    snprintf(p, sizeof(p), "%s/files/tmp", f->data);
    assert_int_equal(count_files(p), 0);

    err_clear(&e);
    assert_int_equal(
        files_put(f->db, f->data, &f->who, 1, "empty", NULL, "", 0, &id, &e),
        -1);
    assert_int_equal(e.status, 400);
    int64_t rows = 0;
    store_query_int(f->db, "SELECT COUNT(*) FROM files", &rows, "");
    assert_int_equal(rows, 1);
    free(big);
}

/* A streamed upload and files_put_fd store what a whole put stores. */
static void test_streamed(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct file_rec r1, r2;
    int64_t id1 = 0, id2 = 0;
    char path[256];

    err_clear(&e);
    struct files_upload *u = files_upload_begin(f->data, &e);
    assert_non_null(u);
    assert_int_equal(files_upload_write(u, "hello, ", 7, &e), 0);
    assert_int_equal(files_upload_write(u, "world", 5, &e), 0);
    assert_int_equal(files_upload_commit(u, f->db, &f->who, 3, "h.txt",
                                         "text/plain", &id1, &e),
                     0);
    snprintf(path, sizeof(path), "%s/src.txt", f->dir);
    FILE *fp = fopen(path, "w");
    fputs("hello, world", fp);
    fclose(fp);
    int fd = open(path, O_RDONLY);
    assert_int_equal(
        files_put_fd(f->db, f->data, &f->who, 3, "fd.txt", NULL, fd, &id2, &e),
        0);
    close(fd);
    assert_int_equal(files_get(f->db, f->a, id1, &r1, &e), 0);
    assert_int_equal(files_get(f->db, f->a, id2, &r2, &e), 0);
    assert_string_equal(r1.sha256, r2.sha256);
    assert_int_equal(r1.size, 12);
}

/* Listing by case, removal, and the audit records of each. */
static void test_list_remove(void **state)
{
    struct fx *f = *state;
    struct file_rec *v, r;
    struct err e;
    int n = -1;

    int64_t a = put(f, 5, "一.txt", NULL, "1");
    int64_t b = put(f, 5, "二.txt", NULL, "2");
    put(f, 6, "三.txt", NULL, "3");
    err_clear(&e);
    assert_int_equal(files_list(f->db, f->a, 5, &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, a);
    assert_string_equal(v[1].name, "二.txt");

    assert_int_equal(files_remove(f->db, &f->who, a, &e), 0);
    assert_int_equal(files_remove(f->db, &f->who, a, &e), -1);
    assert_int_equal(e.status, 404);
    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, a, &r, &e), -1);
    assert_int_equal(e.status, 404);
    assert_int_equal(files_list(f->db, f->a, 5, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, b);
    assert_int_equal(files_list(f->db, f->a, 99, &v, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(audit_count(f, "file.remove"), 1);

    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, b, &r, &e), 0);
    assert_int_equal(files_audit_download(f->db, &f->who, &r), 0);
    assert_int_equal(audit_count(f, "file.download"), 1);
}

/* In the caller's transaction the row and its audit record roll back with
 * it; the blob may stay (harmless, content-addressed). */
static void test_callers_transaction(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t id = 0, rows = -1;

    assert_int_equal(store_begin(f->db), STORE_OK);
    err_clear(&e);
    assert_int_equal(
        files_put(f->db, f->data, &f->who, 1, "t.txt", NULL, "tx", 2, &id, &e),
        0);
    assert_int_equal(store_in_tx(f->db), 1);
    assert_int_equal(store_rollback(f->db), STORE_OK);
    store_query_int(f->db, "SELECT COUNT(*) FROM files", &rows, "");
    assert_int_equal(rows, 0);
    assert_int_equal(audit_count(f, "file.upload"), 0);

    assert_int_equal(store_begin(f->db), STORE_OK);
    assert_int_equal(
        files_put(f->db, f->data, &f->who, 1, "t.txt", NULL, "tx", 2, &id, &e),
        0);
    assert_int_equal(store_commit(f->db), STORE_OK);
    store_query_int(f->db, "SELECT COUNT(*) FROM files", &rows, "");
    assert_int_equal(rows, 1);
}

/* verify: all good; a byte changed; a blob gone; a row pointing at a
 * blob of another size. */
static void test_verify(void **state)
{
    struct fx *f = *state;
    struct files_report rep;
    struct file_rec r;
    struct err e;
    char p[256];

    int64_t a = put(f, 1, "a", NULL, "alpha content");
    int64_t b = put(f, 1, "b", NULL, "beta content");
    put(f, 1, "a2", NULL, "alpha content");
    assert_int_equal(files_verify(f->db, f->data, &rep), 0);
    assert_int_equal(rep.checked, 3);
    assert_int_equal(rep.missing + rep.corrupt, 0);

    /* tamper with b's blob: same size, one byte changed */
    err_clear(&e);
    assert_int_equal(files_get(f->db, f->a, b, &r, &e), 0);
    files_path(f->data, r.sha256, p, sizeof(p));
    FILE *fp = fopen(p, "r+");
    assert_non_null(fp);
    fputc('B', fp);
    fclose(fp);
    assert_int_equal(files_verify(f->db, f->data, &rep), 1);
    assert_int_equal(rep.corrupt, 1);
    assert_int_equal(rep.missing, 0);
    assert_int_equal(rep.first_bad, b);
    assert_non_null(strstr(rep.msg, "改动"));

    /* a's blob gone: both rows sharing it are missing */
    assert_int_equal(files_get(f->db, f->a, a, &r, &e), 0);
    files_path(f->data, r.sha256, p, sizeof(p));
    assert_int_equal(unlink(p), 0);
    assert_int_equal(files_verify(f->db, f->data, &rep), 1);
    assert_int_equal(rep.missing, 2);
    assert_int_equal(rep.corrupt, 1);
    assert_int_equal(rep.first_bad, a);
    assert_non_null(strstr(rep.msg, "不存在"));

    /* uploading a's bytes again heals the blob */
    put(f, 1, "again", NULL, "alpha content");
    assert_int_equal(files_verify(f->db, f->data, &rep), 1);
    assert_int_equal(rep.missing, 0);
    assert_int_equal(rep.corrupt, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_name),
        cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_stored_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_name_never_a_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streamed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callers_transaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_verify, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    pg_admin = getenv("SHUNIU_TEST_PG_ADMIN");
    if (pg_admin == NULL || pg_admin[0] == '\0')
        pg_admin = getenv("SHUNIU_TEST_PG_URL");
    if (pg_admin != NULL && pg_admin[0] != '\0')
        failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    else
        pg_admin = NULL;
    return failed;
}
