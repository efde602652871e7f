/*
 * files.h - attachments: bytes stored content-addressed under the data
 * directory, metadata in table `files`.
 *
 * Layout on disk (DATA is the configured data directory):
 *     DATA/files/ab/cd/<sha256>    the bytes whose SHA-256 is abcd...
 *     DATA/files/tmp/              uploads in progress (random names)
 * The path comes from the hash only; the name a user gave is never used as
 * a path (it is sanitised and kept for display and the download's
 * Content-Disposition).  Identical content is stored once: a second upload
 * of the same bytes finds the file in place and only adds a row.
 *
 * Writing a file: bytes go to a fresh file in DATA/files/tmp (O_EXCL, mode
 * 0600), are hashed while written, fsync'd, renamed into place and the
 * directory fsync'd; only then is the row inserted.  A crash leaves at most
 * a stray temporary file or a blob without a row, never a row without its
 * blob.  Blobs are never deleted by the kernel (rows may share them).
 *
 * Transactions: files_put / files_upload_commit / files_remove insert or
 * update the row and append an audit record ("file.upload",
 * "file.remove") in the caller's transaction when one is open on db
 * (store_in_tx), so a case transition and its files commit together;
 * otherwise in a transaction of their own.
 *
 * Permission is the caller's job: the case engine checks that the actor may
 * see (and for uploads, edit) the case, including its clearance, before it
 * calls anything here.  Downloads are audited by the caller with
 * files_audit_download().
 *
 * Serving: content_type is what the uploader claimed (checked to look like
 * "type/subtype", else "application/octet-stream"); faces must send
 * downloads with "X-Content-Type-Options: nosniff" and
 * "Content-Disposition: attachment" so that an uploaded page never runs in
 * our origin.
 */
#ifndef SHUNIU_FILES_H
#define SHUNIU_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/digest.h"
#include "base/err.h"
#include "kernel/actor.h"
#include "store/store.h"

/* Default size cap (config key max_upload_mb). */
#define FILES_DEFAULT_MAX_MB 50
/* Longest display name kept, in bytes (cut at a UTF-8 boundary). */
#define FILES_NAME_MAX 200

/* One row of `files`.  Strings live in the arena given to the reader. */
struct file_rec {
    int64_t id;
    char sha256[DIGEST_HEX_LEN]; /* lowercase hex: the blob's name */
    int64_t size;                /* bytes */
    const char *name;            /* sanitised original name, display only */
    const char *content_type;
    int64_t case_id;     /* 0: not attached to a case */
    int64_t uploaded_by; /* user id, 0 for system / CLI */
    int64_t uploaded_ms;
    int64_t removed_ms; /* 0 while not removed */
};

/* Sets the size cap from c->max_upload_mb and the data directory from
 * c->data (call once at start, before threads; the default is FILES_DEFAULT_MAX_MB). */
void files_configure(const struct config *c);
/* The data directory files_configure() was given, for writers that have no
 * request at hand (a module hook attaching a generated file); NULL when
 * files_configure() was not called (unit tests of the engine). */
const char *files_data_dir(void);
/* The size cap in bytes: faces reject a larger Content-Length early. */
int64_t files_max_bytes(void);

/* Stores len bytes and adds a row; *id is the new row's id.  case_id 0 for
 * none.  name and content_type may be NULL.  Fails with 413 "too_large"
 * over the cap, 400 for an empty file, 500 on I/O or database failure (the
 * reason logged).  0 / -1. */
int files_put(struct store *db, const char *data_dir, const struct actor *who,
              int64_t case_id, const char *name, const char *content_type,
              const void *bytes, size_t len, int64_t *id, struct err *e);

/* Streamed upload, for request bodies that arrive in pieces (the
 * MHD_PostProcessor callback): begin, write each piece, then commit (row +
 * audit as files_put) or abort.  begin returns NULL (with e set) when the
 * temporary file cannot be created.  write returns -1 with 413 once the
 * cap is passed (the upload is then only good for abort).  commit and
 * abort both release the upload; abort is safe on NULL and removes the
 * temporary file. */
struct files_upload;
struct files_upload *files_upload_begin(const char *data_dir, struct err *e);
int files_upload_write(struct files_upload *u, const void *bytes, size_t len,
                       struct err *e);
int files_upload_commit(struct files_upload *u, struct store *db,
                        const struct actor *who, int64_t case_id,
                        const char *name, const char *content_type, int64_t *id,
                        struct err *e);
void files_upload_abort(struct files_upload *u);

/* Reads fd to its end and stores it as files_put does (fd stays open). */
int files_put_fd(struct store *db, const char *data_dir,
                 const struct actor *who, int64_t case_id, const char *name,
                 const char *content_type, int fd, int64_t *id, struct err *e);

/* The row with that id; 404 "not_found" when there is none or it was
 * removed.  Strings in a.  0 / -1. */
int files_get(struct store *db, struct arena *a, int64_t id,
              struct file_rec *out, struct err *e);

/* Opens the blob of f read-only (O_CLOEXEC); the caller closes it.  -1
 * with errno set when it is missing or f->sha256 is not 64 hex digits. */
int files_open(const char *data_dir, const struct file_rec *f);

/* The blob path of a hash into out ("DATA/files/ab/cd/<sha>"); 0, or -1
 * when sha256 is not 64 lowercase hex digits or out is too small. */
int files_path(const char *data_dir, const char *sha256, char *out,
               size_t outlen);

/* The files of a case that are not removed, oldest first, at most 1000;
 * records and strings in a.  0 / -1. */
int files_list(struct store *db, struct arena *a, int64_t case_id,
               struct file_rec **out, int *n, struct err *e);

/* Marks a file removed (the blob stays: other rows may share it, and the
 * audit trail may need it) and audits "file.remove".  404 when there is
 * no such file or it is already removed.  Transaction as files_put. */
int files_remove(struct store *db, const struct actor *who, int64_t id,
                 struct err *e);

/* Appends "file.download" for f in a transaction of its own (or the open
 * one): the caller has checked permission and is about to send it. */
int files_audit_download(struct store *db, const struct actor *who,
                         const struct file_rec *f);

/* What files_verify() found. */
struct files_report {
    int64_t checked;   /* rows looked at */
    int64_t missing;   /* rows whose blob is not there */
    int64_t corrupt;   /* rows whose blob hashes otherwise or has another
                          size */
    int64_t first_bad; /* id of the first missing or corrupt row, 0 */
    char msg[256];     /* Chinese sentence describing the first problem */
};

/* Checks every row (removed ones too): its blob exists, has its size and
 * hashes to its name.  0 when all are good; 1 when any is missing or
 * corrupt (see r); -1 when the database could not be read. */
int files_verify(struct store *db, const char *data_dir,
                 struct files_report *r);

/* The display form of an uploaded name into out (at most FILES_NAME_MAX
 * bytes + NUL; out must hold FILES_NAME_MAX + 1): the part after the last
 * '/' or '\\', control characters and invalid UTF-8 dropped, leading dots
 * and spaces removed, cut at a character boundary; "附件" when nothing is
 * left.  Exposed for tests. */
void files_sanitize_name(const char *name, char *out, size_t outlen);

#endif
