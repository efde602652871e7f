/*
 * files.c - attachments, content-addressed (see files.h).
 *
 * Life of an upload (struct files_upload):
 *     files_upload_begin   mkdir DATA/files/tmp; open tmp/<random> O_EXCL
 *        |
 *     files_upload_write*  append + SHA-256 update; past the cap -> 413,
 *        |                 the upload is then only good for abort
 *        v
 *     files_upload_commit  fsync, close, final hash; mkdir ab/cd; rename
 *        |                 tmp -> ab/cd/<sha256> (over an existing blob of
 *        |                 the same hash: same bytes, and a damaged copy is
 *        |                 healed); fsync the directory; then the row and
 *        |                 its audit record (the caller's transaction or
 *        v                 one of our own)
 *     released             files_upload_abort unlinks the temporary file
 *                          whenever commit did not rename it
 * files_put and files_put_fd are begin/write/commit in one call.
 */
#include "kernel/files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "base/json_arena.h"
#include "base/log.h"
#include "base/now.h"
#include "kernel/audit.h"

#define FILES_PATH_MAX 4096
#define FILES_TYPE_MAX 100
#define FILES_LIST_MAX 1000
#define FILES_CHUNK 65536

static const char FILES_SQL_INSERT[] =
    "INSERT INTO files (sha256, size, name, content_type, case_id,"
    " uploaded_by, uploaded_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    " RETURNING id";

static const char FILES_SQL_GET[] =
    "SELECT id, sha256, size, name, content_type, case_id, uploaded_by,"
    " uploaded_ms, removed_ms FROM files WHERE id = $1";

static const char FILES_SQL_LIST[] =
    "SELECT id, sha256, size, name, content_type, case_id, uploaded_by,"
    " uploaded_ms, removed_ms FROM files WHERE case_id = $1"
    " AND removed_ms = 0 ORDER BY id LIMIT $2";

static const char FILES_SQL_REMOVE[] =
    "UPDATE files SET removed_ms = $2 WHERE id = $1 AND removed_ms = 0";

static const char FILES_SQL_VERIFY_PAGE[] =
    "SELECT id, sha256, size FROM files WHERE id > $1 ORDER BY id LIMIT 500";

static const char FILES_MSG_EMPTY[] = "附件是空文件，请选择要上传的文件";
static const char FILES_MSG_IO[] = "附件保存失败，请稍后再试或联系管理员";
static const char FILES_MSG_NOT_FOUND[] = "附件不存在或已被删除";

/* The cap and the data directory, set once at start by files_configure(). */
static struct {
    int64_t max_bytes;
    char msg_too_large[128];
    char data_dir[FILES_PATH_MAX]; /* "" until configured */
} files_cfg = {(int64_t)FILES_DEFAULT_MAX_MB << 20,
               "附件不能超过 50 MB，请压缩或分成几个文件上传", ""};

struct files_upload {
    char dir[FILES_PATH_MAX]; /* the data directory */
    char tmp[FILES_PATH_MAX]; /* the temporary file, "" once renamed */
    int fd;
    int too_large;
    int64_t size;
    EVP_MD_CTX *md;
};

void files_configure(const struct config *c)
{
    int mb = c->max_upload_mb > 0 ? c->max_upload_mb : FILES_DEFAULT_MAX_MB;
    files_cfg.max_bytes = (int64_t)mb << 20;
    snprintf(files_cfg.msg_too_large, sizeof(files_cfg.msg_too_large),
             "附件不能超过 %d MB，请压缩或分成几个文件上传", mb);
    snprintf(files_cfg.data_dir, sizeof(files_cfg.data_dir), "%s", c->data);
}

const char *files_data_dir(void)
{
    return files_cfg.data_dir[0] ? files_cfg.data_dir : NULL;
}

int64_t files_max_bytes(void)
{
    return files_cfg.max_bytes;
}

/* ---- names ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code point
 * in *cp; 0 when invalid (overlong, surrogate, past U+10FFFF, cut off). */
static size_t files_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t len, i;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        c = s[0] & 0x1f;
        len = 2;
    } else if ((s[0] & 0xf0) == 0xe0) {
        c = s[0] & 0x0f;
        len = 3;
    } else if ((s[0] & 0xf8) == 0xf0) {
        c = s[0] & 0x07;
        len = 4;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
        (len == 4 && c < 0x10000) || c > 0x10ffff ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* 1 for characters a display name must not carry: controls, and the
 * bidirectional overrides that make "txt.exe" read as "exe.txt". */
static int files_bad_char(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
           (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

void files_sanitize_name(const char *name, char *out, size_t outlen)
{
    static const char fallback[] = "附件";
    size_t cap = outlen > 0 ? outlen - 1 : 0;
    size_t o = 0, i, n;
    const char *p;

    if (cap > FILES_NAME_MAX)
        cap = FILES_NAME_MAX;
    if (outlen == 0)
        return;
    if (name == NULL)
        name = "";
    for (p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    n = strlen(name);
    i = 0;
    while (i < n) {
        uint32_t c;
        size_t len = files_utf8((const unsigned char *)name + i, n - i, &c);
        if (len == 0) {
            i++;
            continue;
        }
        if (files_bad_char(c) || (o == 0 && (c == '.' || c == ' '))) {
            i += len;
            continue;
        }
        if (o + len > cap)
            break;
        memcpy(out + o, name + i, len);
        o += len;
        i += len;
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
        o--;
    out[o] = '\0';
    if (o == 0 && sizeof(fallback) <= outlen)
        memcpy(out, fallback, sizeof(fallback));
}

/* type/subtype of characters a MIME token may hold, lowercased, parameters
 * dropped; else application/octet-stream. */
static void files_sanitize_type(const char *type, char *out, size_t outlen)
{
    static const char dflt[] = "application/octet-stream";
    static const char token[] = "abcdefghijklmnopqrstuvwxyz0123456789"
                                "!#$&^_.+-";
    size_t n = 0, slash = 0, i;
    int ok = 1;

    if (type != NULL) {
        while (*type == ' ')
            type++;
        n = strcspn(type, ";");
        while (n > 0 && type[n - 1] == ' ')
            n--;
    }
    if (n == 0 || n >= outlen || n > FILES_TYPE_MAX)
        ok = 0;
    for (i = 0; ok && i < n; i++) {
        char c = type[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '/' && slash == 0 && i > 0)
            slash = i;
        else if (c == '\0' || strchr(token, c) == NULL)
            ok = 0;
        out[i] = c;
    }
    if (ok && (slash == 0 || slash == n - 1))
        ok = 0;
    if (ok)
        out[n] = '\0';
    else
        snprintf(out, outlen, "%s", dflt);
}

/* ---- paths ------------------------------------------------------------ */

static int files_is_hex64(const char *s)
{
    size_t i;
    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[64] == '\0';
}

int files_path(const char *data_dir, const char *sha256, char *out,
               size_t outlen)
{
    if (sha256 == NULL || !files_is_hex64(sha256))
        return -1;
    int n = snprintf(out, outlen, "%s/files/%.2s/%.2s/%s", data_dir, sha256,
                     sha256 + 2, sha256);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* mkdir that accepts an existing directory. */
static int files_mkdir(const char *path)
{
    if (mkdir(path, 0750) == 0 || errno == EEXIST)
        return 0;
    log_error("cannot create directory %s: %s", path, strerror(errno));
    return -1;
}

/* DATA, DATA/files and DATA/files/<sub> (sub may hold one '/'). */
static int files_mkdirs(const char *data_dir, const char *sub)
{
    char p[FILES_PATH_MAX];
    const char *slash = strchr(sub, '/');
    int n;

    if (files_mkdir(data_dir))
        return -1;
    n = snprintf(p, sizeof(p), "%s/files", data_dir);
    if (n < 0 || (size_t)n >= sizeof(p) || files_mkdir(p))
        return -1;
    if (slash != NULL) {
        n = snprintf(p, sizeof(p), "%s/files/%.*s", data_dir,
                     (int)(slash - sub), sub);
        if (n < 0 || (size_t)n >= sizeof(p) || files_mkdir(p))
            return -1;
    }
    n = snprintf(p, sizeof(p), "%s/files/%s", data_dir, sub);
    if (n < 0 || (size_t)n >= sizeof(p) || files_mkdir(p))
        return -1;
    return 0;
}

/* fsync of the directory holding path, so a rename survives a crash. */
static int files_sync_dir(const char *path)
{
    char dir[FILES_PATH_MAX];
    const char *slash = strrchr(path, '/');
    int rc = -1, fd;

    if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
        return -1;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        goto out;
    if (fsync(fd) != 0)
        goto out;
    rc = 0;
out:
    if (rc)
        log_error("cannot sync directory %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

int files_open(const char *data_dir, const struct file_rec *f)
{
    char p[FILES_PATH_MAX];
    if (files_path(data_dir, f->sha256, p, sizeof(p))) {
        errno = EINVAL;
        return -1;
    }
    return open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* ---- transactions and audit ------------------------------------------- */

/* Opens a transaction unless the caller has one; *own says which. */
static int files_tx_begin(struct store *db, int *own)
{
    *own = !store_in_tx(db);
    if (*own && store_begin(db) != STORE_OK) {
        log_error("cannot begin transaction: %s", store_errmsg(db));
        return -1;
    }
    return 0;
}

/* Commits (ok) or rolls back a transaction we opened; the caller's own is
 * left for the caller to finish.  0 when ok and committed. */
static int files_tx_end(struct store *db, int own, int ok)
{
    if (!own)
        return ok ? 0 : -1;
    if (ok && store_commit(db) == STORE_OK)
        return 0;
    if (ok)
        log_error("cannot commit: %s", store_errmsg(db));
    store_rollback(db);
    return -1;
}

/* The audit detail of a file (malloc'd; free it). */
static char *files_detail(const struct file_rec *f)
{
    json_t *d = json_pack("{s:s,s:I,s:s,s:s,s:I}", "sha256", f->sha256, "size",
                          (json_int_t)f->size, "name",
                          f->name != NULL ? f->name : "", "content_type",
                          f->content_type != NULL ? f->content_type : "",
                          "case_id", (json_int_t)f->case_id);
    char *s = d != NULL ? json_text(d, JSON_COMPACT) : NULL;
    json_decref(d);
    return s;
}

static int files_audit(struct store *db, const struct actor *who,
                       const char *action, const struct file_rec *f)
{
    char target[32];
    char *detail = files_detail(f);
    int rc;
    snprintf(target, sizeof(target), "%" PRId64, f->id);
    rc = audit_append(db, who, action, "file", target, "ok", detail);
    free(detail);
    return rc;
}

int files_audit_download(struct store *db, const struct actor *who,
                         const struct file_rec *f)
{
    int own, rc;
    if (files_tx_begin(db, &own))
        return -1;
    rc = files_audit(db, who, "file.download", f);
    return files_tx_end(db, own, rc == 0);
}

/* ---- uploads ---------------------------------------------------------- */

struct files_upload *files_upload_begin(const char *data_dir, struct err *e)
{
    struct files_upload *u = calloc(1, sizeof(*u));
    char rnd[33];
    int n, ok = 0;

    if (u == NULL)
        abort();
    u->fd = -1;
    n = snprintf(u->dir, sizeof(u->dir), "%s", data_dir);
    if (n < 0 || (size_t)n >= sizeof(u->dir) - 128) {
        log_error("data directory path too long");
        goto out;
    }
    if (files_mkdirs(data_dir, "tmp"))
        goto out;
    digest_random_hex(rnd, 16);
    snprintf(u->tmp, sizeof(u->tmp), "%s/files/tmp/%s", data_dir, rnd);
    u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (u->fd < 0) {
        log_error("cannot create %s: %s", u->tmp, strerror(errno));
        u->tmp[0] = '\0';
        goto out;
    }
    u->md = EVP_MD_CTX_new();
    if (u->md == NULL || EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1) {
        log_error("cannot start sha-256");
        goto out;
    }
    ok = 1;
out:
    if (!ok) {
        err_set(e, 500, "io", FILES_MSG_IO);
        files_upload_abort(u);
        u = NULL;
    }
    return u;
}

int files_upload_write(struct files_upload *u, const void *bytes, size_t len,
                       struct err *e)
{
    const char *p = bytes;
    size_t done = 0;

    if (u->too_large || u->fd < 0)
        return err_set(e, 413, "too_large", files_cfg.msg_too_large);
    if ((uint64_t)u->size + len > (uint64_t)files_cfg.max_bytes) {
        u->too_large = 1;
        return err_set(e, 413, "too_large", files_cfg.msg_too_large);
    }
    while (done < len) {
        ssize_t w = write(u->fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_error("cannot write %s: %s", u->tmp, strerror(errno));
            return err_set(e, 500, "io", FILES_MSG_IO);
        }
        done += (size_t)w;
    }
    EVP_DigestUpdate(u->md, bytes, len);
    u->size += (int64_t)len;
    return 0;
}

void files_upload_abort(struct files_upload *u)
{
    if (u == NULL)
        return;
    if (u->fd >= 0)
        close(u->fd);
    if (u->tmp[0] && unlink(u->tmp) != 0)
        log_warn("cannot remove %s: %s", u->tmp, strerror(errno));
    EVP_MD_CTX_free(u->md);
    free(u);
}

/* Moves the finished upload into place; fills f->sha256 and f->size. */
static int files_upload_place(struct files_upload *u, struct file_rec *f)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char sub[8], final[FILES_PATH_MAX];
    int fd = u->fd;

    u->fd = -1;
    if (fsync(fd) != 0) {
        log_error("cannot sync %s: %s", u->tmp, strerror(errno));
        close(fd);
        return -1;
    }
    if (close(fd) != 0) {
        log_error("cannot close %s: %s", u->tmp, strerror(errno));
        return -1;
    }
    if (EVP_DigestFinal_ex(u->md, md, &mdlen) != 1 || mdlen != 32)
        return -1;
    for (i = 0; i < mdlen; i++)
        snprintf(f->sha256 + 2 * i, 3, "%02x", md[i]);
    f->size = u->size;
    snprintf(sub, sizeof(sub), "%.2s/%.2s", f->sha256, f->sha256 + 2);
    if (files_mkdirs(u->dir, sub) ||
        files_path(u->dir, f->sha256, final, sizeof(final)))
        return -1;
    if (rename(u->tmp, final) != 0) {
        log_error("cannot move upload to %s: %s", final, strerror(errno));
        return -1;
    }
    u->tmp[0] = '\0';
    return files_sync_dir(final);
}

int files_upload_commit(struct files_upload *u, struct store *db,
                        const struct actor *who, int64_t case_id,
                        const char *name, const char *content_type, int64_t *id,
                        struct err *e)
{
    struct file_rec f;
    struct stmt *st = NULL;
    char clean[FILES_NAME_MAX + 1], type[FILES_TYPE_MAX + 1];
    int rc = -1, own = 0, tx = 0;

    memset(&f, 0, sizeof(f));
    if (u->too_large) {
        err_set(e, 413, "too_large", files_cfg.msg_too_large);
        goto out;
    }
    if (u->size == 0) {
        err_set(e, 400, "empty", FILES_MSG_EMPTY);
        goto out;
    }
    /* from here on every failure is ours, not the user's */
    err_set(e, 500, "io", FILES_MSG_IO);
    if (files_upload_place(u, &f))
        goto out;
    files_sanitize_name(name, clean, sizeof(clean));
    files_sanitize_type(content_type, type, sizeof(type));
    f.name = clean;
    f.content_type = type;
    f.case_id = case_id;
    f.uploaded_by = who != NULL ? who->user_id : 0;
    f.uploaded_ms = now_ms();

    if (files_tx_begin(db, &own))
        goto out;
    tx = 1;
    st = store_prepare(db, FILES_SQL_INSERT);
    store_bind_text(st, 1, f.sha256);
    store_bind_int(st, 2, f.size);
    store_bind_text(st, 3, f.name);
    store_bind_text(st, 4, f.content_type);
    store_bind_int(st, 5, f.case_id);
    store_bind_int(st, 6, f.uploaded_by);
    store_bind_int(st, 7, f.uploaded_ms);
    if (store_step(st) != STORE_ROW) {
        log_error("cannot insert file row: %s", store_errmsg(db));
        goto out;
    }
    f.id = store_col_int(st, 0);
    store_finalize(st);
    st = NULL;
    if (files_audit(db, who, "file.upload", &f))
        goto out;
    tx = 0;
    if (files_tx_end(db, own, 1))
        goto out;
    *id = f.id;
    err_clear(e);
    rc = 0;
out:
    store_finalize(st);
    if (tx)
        files_tx_end(db, own, 0);
    files_upload_abort(u);
    return rc;
}

int files_put(struct store *db, const char *data_dir, const struct actor *who,
              int64_t case_id, const char *name, const char *content_type,
              const void *bytes, size_t len, int64_t *id, struct err *e)
{
    struct files_upload *u;
    if ((uint64_t)len > (uint64_t)files_cfg.max_bytes)
        return err_set(e, 413, "too_large", files_cfg.msg_too_large);
    u = files_upload_begin(data_dir, e);
    if (u == NULL)
        return -1;
    if (len > 0 && files_upload_write(u, bytes, len, e)) {
        files_upload_abort(u);
        return -1;
    }
    return files_upload_commit(u, db, who, case_id, name, content_type, id, e);
}

int files_put_fd(struct store *db, const char *data_dir,
                 const struct actor *who, int64_t case_id, const char *name,
                 const char *content_type, int fd, int64_t *id, struct err *e)
{
    struct files_upload *u = files_upload_begin(data_dir, e);
    char *chunk = NULL;
    int rc = -1;

    if (u == NULL)
        return -1;
    chunk = malloc(FILES_CHUNK);
    if (chunk == NULL)
        abort();
    for (;;) {
        ssize_t r = read(fd, chunk, FILES_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            log_error("cannot read upload: %s", strerror(errno));
            err_set(e, 500, "io", FILES_MSG_IO);
            goto out;
        }
        if (r == 0)
            break;
        if (files_upload_write(u, chunk, (size_t)r, e))
            goto out;
    }
    rc = files_upload_commit(u, db, who, case_id, name, content_type, id, e);
    u = NULL;
out:
    free(chunk);
    files_upload_abort(u);
    return rc;
}

/* ---- reading ---------------------------------------------------------- */

static void files_read_row(struct stmt *st, struct arena *a, struct file_rec *f)
{
    memset(f, 0, sizeof(*f));
    f->id = store_col_int(st, 0);
    snprintf(f->sha256, sizeof(f->sha256), "%s", store_col_text(st, 1));
    f->size = store_col_int(st, 2);
    f->name = arena_strdup(a, store_col_text(st, 3));
    f->content_type = arena_strdup(a, store_col_text(st, 4));
    f->case_id = store_col_int(st, 5);
    f->uploaded_by = store_col_int(st, 6);
    f->uploaded_ms = store_col_int(st, 7);
    f->removed_ms = store_col_int(st, 8);
}

int files_get(struct store *db, struct arena *a, int64_t id,
              struct file_rec *out, struct err *e)
{
    struct stmt *st = store_prepare(db, FILES_SQL_GET);
    int rc = -1, s;

    store_bind_int(st, 1, id);
    s = store_step(st);
    if (s == STORE_ROW) {
        files_read_row(st, a, out);
        if (out->removed_ms == 0)
            rc = 0;
        else
            err_set(e, 404, "not_found", FILES_MSG_NOT_FOUND);
    } else if (s == STORE_DONE) {
        err_set(e, 404, "not_found", FILES_MSG_NOT_FOUND);
    } else {
        log_error("cannot read file %" PRId64 ": %s", id, store_errmsg(db));
        err_set(e, 500, "db", FILES_MSG_IO);
    }
    store_finalize(st);
    return rc;
}

int files_list(struct store *db, struct arena *a, int64_t case_id,
               struct file_rec **out, int *n, struct err *e)
{
    struct stmt *st = store_prepare(db, FILES_SQL_LIST);
    struct file_rec *v = NULL;
    int cap = 0, cnt = 0, rc = -1, s;

    store_bind_int(st, 1, case_id);
    store_bind_int(st, 2, FILES_LIST_MAX);
    while ((s = store_step(st)) == STORE_ROW) {
        if (cnt == cap) {
            int ncap = cap ? cap * 2 : 8;
            struct file_rec *nv = arena_alloc(a, sizeof(*nv) * (size_t)ncap);
            if (cnt > 0)
                memcpy(nv, v, sizeof(*nv) * (size_t)cnt);
            v = nv;
            cap = ncap;
        }
        files_read_row(st, a, &v[cnt++]);
    }
    if (s != STORE_DONE) {
        log_error("cannot list files: %s", store_errmsg(db));
        err_set(e, 500, "db", FILES_MSG_IO);
        goto out;
    }
    *out = v;
    *n = cnt;
    rc = 0;
out:
    store_finalize(st);
    return rc;
}

int files_remove(struct store *db, const struct actor *who, int64_t id,
                 struct err *e)
{
    struct arena *a = arena_new();
    struct file_rec f;
    struct stmt *st = NULL;
    int rc = -1, own = 0, tx = 0;

    if (files_get(db, a, id, &f, e))
        goto out;
    if (files_tx_begin(db, &own)) {
        err_set(e, 500, "db", FILES_MSG_IO);
        goto out;
    }
    tx = 1;
    st = store_prepare(db, FILES_SQL_REMOVE);
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, now_ms());
    if (store_step(st) != STORE_DONE) {
        log_error("cannot remove file %" PRId64 ": %s", id, store_errmsg(db));
        err_set(e, 500, "db", FILES_MSG_IO);
        goto out;
    }
    if (store_changes(st) == 0) {
        err_set(e, 404, "not_found", FILES_MSG_NOT_FOUND);
        goto out;
    }
    store_finalize(st); /* before the transaction ends (sqlite.c) */
    st = NULL;
    if (files_audit(db, who, "file.remove", &f)) {
        err_set(e, 500, "db", FILES_MSG_IO);
        goto out;
    }
    tx = 0;
    if (files_tx_end(db, own, 1)) {
        err_set(e, 500, "db", FILES_MSG_IO);
        goto out;
    }
    rc = 0;
out:
    store_finalize(st);
    if (tx)
        files_tx_end(db, own, 0);
    arena_free(a);
    return rc;
}

/* ---- verification ----------------------------------------------------- */

/* 0 good, 1 missing, 2 corrupt (other hash or size). */
static int files_check_blob(const char *data_dir, const char *sha256,
                            int64_t size, char *buf)
{
    char p[FILES_PATH_MAX], hex[DIGEST_HEX_LEN];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    int64_t seen = 0;
    int rc = 2, fd;
    EVP_MD_CTX *ctx = NULL;

    if (files_path(data_dir, sha256, p, sizeof(p)))
        return 2;
    fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? 1 : 2;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    for (;;) {
        ssize_t r = read(fd, buf, FILES_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
        seen += r;
    }
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    rc = seen == size && strcmp(hex, sha256) == 0 ? 0 : 2;
out:
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

int files_verify(struct store *db, const char *data_dir, struct files_report *r)
{
    char *buf = malloc(FILES_CHUNK);
    int64_t last = 0;
    int rc = -1;
    struct stmt *st = NULL;

    if (buf == NULL)
        abort();
    memset(r, 0, sizeof(*r));
    for (;;) {
        int s, rows = 0;
        st = store_prepare(db, FILES_SQL_VERIFY_PAGE);
        store_bind_int(st, 1, last);
        while ((s = store_step(st)) == STORE_ROW) {
            int64_t id = store_col_int(st, 0);
            int bad = files_check_blob(data_dir, store_col_text(st, 1),
                                       store_col_int(st, 2), buf);
            rows++;
            last = id;
            r->checked++;
            if (bad == 0)
                continue;
            if (bad == 1)
                r->missing++;
            else
                r->corrupt++;
            if (r->first_bad == 0) {
                r->first_bad = id;
                snprintf(r->msg, sizeof(r->msg),
                         bad == 1 ? "附件 %" PRId64 " 的文件不存在"
                                  : "附件 %" PRId64
                                    " 的文件内容与其哈希不符，文件已被改动",
                         id);
            }
        }
        if (s != STORE_DONE) {
            log_error("cannot read files: %s", store_errmsg(db));
            goto out;
        }
        store_finalize(st);
        st = NULL;
        if (rows == 0)
            break;
    }
    rc = r->missing + r->corrupt > 0 ? 1 : 0;
out:
    store_finalize(st);
    free(buf);
    return rc;
}
