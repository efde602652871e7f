/*
 * sqlite_file.h - what the connections of this process to one SQLite
 * database file share (sqlite.c): the write gate, the writer connection
 * and the checkpointer.
 *
 * The write gate.  SQLite has one write lock per file.  A connection that
 * finds it taken waits in SQLite's busy handler, which sleeps and polls
 * (1, 2, 5, 10 ... 100 ms between tries) and is not woken when the lock
 * is released: with 16 writers, a transition of 3 ms waited up to 0.9 s
 * (issue 7).  So writers of this process queue on a mutex and condition
 * before BEGIN IMMEDIATE and are woken the moment the previous one ends;
 * the busy handler is left only for writers of other processes (the CLI).
 *
 * The checkpointer.  In WAL mode SQLite copies the log back into the
 * database (a checkpoint) when a commit finds the log past 1000 pages, in
 * that commit's thread: on a large file a scattered checkpoint took tens
 * of milliseconds, the slowest transitions even at one writer.  Here
 * automatic checkpoints are off, and every SQLITE_FILE_CHECKPOINT_PAGES
 * pages a commit adds to the log wake a thread of the file's own (started
 * on first need) that runs a PASSIVE checkpoint, which waits for no
 * reader and no writer, and now and then starts the log again from the
 * top (sqlite_file.c: under steady load no writer can).  Durability does
 * not change: synchronous=NORMAL syncs at checkpoints either way, and the
 * log is replayed after a crash.
 *
 * Entries are found by the file's path as SQLite reports it
 * (sqlite3_db_filename: absolute), counted, and freed with the last
 * connection.  In-memory databases have none (each is its own).
 */
#ifndef SHUNIU_SQLITE_FILE_H
#define SHUNIU_SQLITE_FILE_H

#include <sqlite3.h>

/* Log pages that wake the checkpointer (SQLite's own default). */
#define SQLITE_FILE_CHECKPOINT_PAGES 1000
/* A log this long is started again from the top (256 MiB), or truncated
 * (512 MiB), waiting at most SQLITE_FILE_TRUNCATE_WAIT_MS for its readers
 * (sqlite_file.c).  A restart holds the write gate for its copy and two
 * syncs, 8-16 ms on the bench machine, and every writer queued meanwhile
 * waits it out: at 64 MiB and some 20 pages a 催办, one restart every
 * 800 commits (twice a second) held up the 16 writers in flight, 2% of
 * all 催办, more than the 1% a p99 leaves out.
 * Readers do not search the copied part of a long log (SQLite looks for
 * a page only in frames past the last checkpoint), so a longer log costs
 * them nothing; it costs disk. */
#define SQLITE_FILE_RESTART_PAGES 65536
#define SQLITE_FILE_TRUNCATE_PAGES 131072
#define SQLITE_FILE_TRUNCATE_WAIT_MS 10
/* A restart that holds the write gate this long is logged. */
#define SQLITE_FILE_SLOW_RESTART_MS 50

struct sqlite_file;

/* The entry of the file at path (absolute), made on first use; NULL when
 * memory runs out.  Each call is matched by sqlite_file_put. */
struct sqlite_file *sqlite_file_get(const char *path);
void sqlite_file_put(struct sqlite_file *f);

/* Waits until no other connection of this process writes to the file,
 * then holds the gate; sqlite_file_write_end lets the next one in.  May be
 * ended by another thread than the one that began. */
void sqlite_file_write_begin(struct sqlite_file *f);
void sqlite_file_write_end(struct sqlite_file *f);

/* The connection that writes.  SQLite empties a connection's page cache
 * whenever another connection has written to the file since it last read
 * (in WAL mode, at the start of each read transaction): with 16 writers
 * taking turns on the pool's connections, every transition read its pages
 * again from the OS (pread: a quarter of a 催办's time at 1M cases).  So
 * the gate's holder writes on one connection kept for the file, whose
 * cache stays warm from one transaction to the next (sqlite.c lends it).
 * NULL until set; only the gate's holder gets or sets it.  release is
 * called with it when the file's last connection is put. */
void *sqlite_file_writer(struct sqlite_file *f);
void sqlite_file_writer_set(struct sqlite_file *f, void *w,
                            void (*release)(void *w));

/* For sqlite3_wal_hook(conn, sqlite_file_wal_hook, f): called after each
 * commit with the log's size in pages; wakes the checkpointer when it is
 * past SQLITE_FILE_CHECKPOINT_PAGES.  Returns SQLITE_OK. */
int sqlite_file_wal_hook(void *f, sqlite3 *conn, const char *db, int pages);

/* Checkpoints the file's checkpointer has run so far, and logs it started
 * again from the top (tests). */
long sqlite_file_checkpoints(struct sqlite_file *f);
long sqlite_file_restarts(struct sqlite_file *f);

/* Connections holding or waiting for the write gate now (tests). */
unsigned long sqlite_file_writers(struct sqlite_file *f);

#endif
