/*
 * test_search.c - unit tests of Chinese search: the tokenizer
 * (src/base/tokenize.c: normalisation, document tokens, query words) as
 * {input, expected} tables, and search.c against a real database.  The
 * same table of documents and queries, with the same expected answers,
 * runs on SQLite always and on PostgreSQL when SHUNIU_TEST_PG_URL or
 * SHUNIU_TEST_PG_ADMIN holds an admin url (scripts/pg-test.sh start): that
 * is the test that both backends give identical results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/tokenize.h"
#include "kernel/schema.h"
#include "kernel/search.h"
#include "store/store.h"

/* ---- the tokenizer --------------------------------------------------- */

struct text_case {
    const char *in;
    const char *out;
};

static const struct text_case normalize_cases[] = {
    {"信訪辦公室", "信访办公室"},
    {"ＡＢＣ１２３", "abc123"},
    {"全角　空格", "全角 空格"},
    {"Hello, World!", "hello world"},
    {"  ，。！？ ", ""},
    {"", ""},
    {"關於２０２６年度報告", "关于2026年度报告"},
    {"督查：督办", "督查 督办"},
    {"〇", "〇"},
    {"caf\xc3\xa9 ①", "caf"},                 /* é and ① are separators */
    {"\xff信\xc3", "信"},                     /* invalid UTF-8 bytes */
    {"\xf0\xa0\x80\x80", "\xf0\xa0\x80\x80"}, /* U+20000, extension B */
};

static void test_normalize(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(normalize_cases) / sizeof(*normalize_cases);
         i++) {
        buf_reset(&b);
        assert_int_equal(tokenize_normalize(&b, normalize_cases[i].in), 0);
        if (strcmp(b.ptr, normalize_cases[i].out) != 0)
            fail_msg("normalize(%s) = \"%s\", want \"%s\"",
                     normalize_cases[i].in, b.ptr, normalize_cases[i].out);
    }
    buf_free(&b);
}

static const struct text_case document_cases[] = {
    {"信访办", "信访 访办 办"},
    {"信", "信"},
    {"信訪辦公室", "信访 访办 办公 公室 室"},
    {"ＡＢＣ１２３", "abc123"},
    {"2026年政府工作报告", "2026 年政 政府 府工 工作 作报 报告 告"},
    {"督查，督办！", "督查 查 督办 办"},
    {"XF2026000001号", "xf2026000001 号"},
    {"编号XF2026000001", "编号 号 xf2026000001"},
    {"Hello, World", "hello world"},
    {"全角　空格", "全角 角 空格 格"},
    {"", ""},
    {"，。！？", ""},
    {"a１b", "a1b"},
    {"1.5倍", "1 5 倍"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
};

static void test_document_tokens(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(document_cases) / sizeof(*document_cases);
         i++) {
        buf_reset(&b);
        assert_true(tokenize_document(&b, document_cases[i].in) >= 0);
        if (strcmp(b.ptr, document_cases[i].out) != 0)
            fail_msg("tokens(%s) = \"%s\", want \"%s\"", document_cases[i].in,
                     b.ptr, document_cases[i].out);
    }
    buf_free(&b);
}

/* Token spans point back at the original bytes (for snippets). */
struct span_seen {
    char got[256];
    size_t len;
};

static int span_collect(void *arg, const struct tokenize_token *t)
{
    struct span_seen *s = arg;
    s->len += (size_t)snprintf(s->got + s->len, sizeof(s->got) - s->len,
                               "%zu-%zu/%zu ", t->start, t->end, t->first_end);
    return 0;
}

static void test_token_spans(void **state)
{
    (void)state;
    struct span_seen s = {{0}, 0};
    const char *text = "辦公 ＡＢ";
    /* 辦公 = bytes 0-6, space, ＡＢ = bytes 7-13 */
    assert_int_equal(tokenize_each(text, strlen(text), 100, span_collect, &s),
                     3);
    assert_string_equal(s.got, "0-6/3 3-6/6 7-13/10 ");
    /* the cap on tokens */
    s.len = 0;
    assert_int_equal(
        tokenize_each("信访办公室", strlen("信访办公室"), 2, span_collect, &s),
        2);
}

/* Query words written "tok tok|tok*" (| between words, * a prefix). */
static const struct text_case query_cases[] = {
    {"信", "信*"},
    {"信访", "信访"},
    {"督查督办", "督查 查督 督办"},
    {"信訪", "信访"},
    {"辦公室", "办公 公室"},
    {"２０２６", "2026"},
    {"２０２６年", "2026 年*"},
    {"2026年政府工作报告", "2026 年政 政府 府工 工作 作报 报告"},
    {"政府　报告", "政府|报告"},
    {" 信访  督办 ", "信访|督办"},
    {"信访,办理", "信访 访 办理"},
    {"年3", "年 3"},
    {"XF2026000001", "xf2026000001"},
    {"，。！", ""},
    {"", ""},
    {"a b c d e f g h i j", "a|b|c|d|e|f|g|h"},
};

static void query_words(const struct tokenize_query *q, struct buf *b)
{
    for (int i = 0; i < q->nword; i++) {
        if (i > 0)
            buf_putc(b, '|');
        for (int k = 0; k < q->word[i].ntok; k++) {
            if (k > 0)
                buf_putc(b, ' ');
            buf_puts(b, q->word[i].tok[k].text);
        }
        if (q->word[i].prefix)
            buf_putc(b, '*');
    }
}

static void test_query_words(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(query_cases) / sizeof(*query_cases); i++) {
        struct arena *a = arena_new();
        struct tokenize_query q;
        buf_reset(&b);
        tokenize_query(a, query_cases[i].in, SEARCH_QUERY_MAX, &q);
        query_words(&q, &b);
        if (strcmp(b.ptr, query_cases[i].out) != 0)
            fail_msg("query(%s) = \"%s\", want \"%s\"", query_cases[i].in,
                     b.ptr, query_cases[i].out);
        arena_free(a);
    }
    buf_free(&b);
}

/* Long queries are cut at a character and at the word and token limits. */
static void test_query_limits(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct tokenize_query q;
    struct buf long_q;
    buf_init(&long_q, 0);
    for (int i = 0; i < 100; i++)
        buf_puts(&long_q, "督查督办");
    tokenize_query(a, long_q.ptr, SEARCH_QUERY_MAX, &q);
    assert_int_equal(q.nword, 1);
    assert_int_equal(q.word[0].ntok, TOKENIZE_QUERY_TOKENS);
    assert_int_equal(q.word[0].prefix, 0);
    /* 5 bytes: the cut falls inside 查, which is dropped */
    tokenize_query(a, "督查督办", 5, &q);
    assert_int_equal(q.nword, 1);
    assert_string_equal(q.word[0].tok[0].text, "督");
    assert_int_equal(q.word[0].prefix, 1);
    buf_free(&long_q);
    arena_free(a);
}

/* ---- snippets -------------------------------------------------------- */

/* The snippet written with [ ] around matches, … for cuts. */
static const char *snippet_text(struct arena *a, const char *text,
                                const char *q, int width)
{
    struct search_snippet sn;
    struct buf b;
    buf_init(&b, 0);
    search_snippet(a, text, q, width, &sn);
    if (sn.cut_before)
        buf_puts(&b, "…");
    for (int i = 0; i < sn.nseg; i++) {
        assert_int_equal(strlen(sn.seg[i].text), sn.seg[i].len);
        assert_true(sn.seg[i].len > 0);
        if (i > 0) /* plain and matching segments alternate */
            assert_int_not_equal(sn.seg[i].match, sn.seg[i - 1].match);
        buf_printf(&b, sn.seg[i].match ? "[%s]" : "%s", sn.seg[i].text);
    }
    if (sn.cut_after)
        buf_puts(&b, "…");
    const char *s = arena_strdup(a, b.ptr);
    buf_free(&b);
    return s;
}

struct snippet_case {
    const char *text;
    const char *q;
    int width;
    const char *want;
};

static const struct snippet_case snippet_cases[] = {
    {"关于信访事项的督查督办通知", "督办", 40, "关于信访事项的督查[督办]通知"},
    {"关于信访事项的督查督办通知", "信", 40, "关于[信]访事项的督查督办通知"},
    {"辦公室關於信訪工作", "信访", 40, "辦公室關於[信訪]工作"},
    {"辦公室關於信訪工作", "办公室 工作", 40, "[辦公室]關於信訪[工作]"},
    {"督查：督办", "督查督办", 40, "督查：督办"},
    {"编号ＸＦ２０２６０００００１的来信", "xf2026000001", 40,
     "编号[ＸＦ２０２６０００００１]的来信"},
    {"第一行\n\n   第二行  信访\t", "信访", 40, "第一行 第二行 [信访]"},
    {"一二三四五六七八九十一二三四五六七八九十信访一二三四五六七八九十", "信访",
     10, "…九十[信访]一二三四五六…"},
    {"一二三四五六七八九十", "无关", 5, "一二三四五…"},
    {"", "信访", 40, ""},
};

static void test_snippet(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(snippet_cases) / sizeof(*snippet_cases);
         i++) {
        struct arena *a = arena_new();
        const struct snippet_case *c = &snippet_cases[i];
        const char *got = snippet_text(a, c->text, c->q, c->width);
        if (strcmp(got, c->want) != 0)
            fail_msg("snippet(%s, %s) = \"%s\", want \"%s\"", c->text, c->q,
                     got, c->want);
        arena_free(a);
    }
}

/* ---- both backends --------------------------------------------------- */

struct fixture {
    enum store_kind kind;
    char dir[256];       /* SQLite: temporary directory */
    char admin_url[512]; /* PostgreSQL: server to create databases on */
    char dbname[64];
    struct store *db;
};

/* Migration 4 alone: search.c owns it and reads no other table. */
static const struct store_migration *search_migration(void)
{
    static struct store_migration list[2];
    for (const struct store_migration *m = schema_migrations; m->version != 0;
         m++)
        if (m->version == 4)
            list[0] = *m;
    assert_int_equal(list[0].version, 4);
    return list;
}

static const struct {
    int64_t id;
    const char *module;
    const char *text;
} docs[] = {
    {1, "supervision", "关于信访事项的督查督办通知"},
    {2, "supervision", "督查组到区办公室"},
    {3, "document", "辦公室關於信訪工作的報告"},
    {4, "document", "2026年政府工作报告"},
    {5, "petition", "编号ＸＦ２０２６０００００１的来信"},
    {6, "petition", "XF2026000002 市民来访登记"},
    {7, "petition", "信"},
    {8, "document", "Government Office annual REPORT 2025"},
    {9, "supervision", "督查：督办"},
    {10, "document", ""},
};

static const struct {
    const char *q;
    const char *want; /* ids, newest first, space-separated */
} queries[] = {
    {"信", "7 5 3 1"},
    {"信访", "3 1"},
    {"信訪", "3 1"},
    {"督查督办", "1"},
    {"督办", "9 1"},
    {"查办", ""},
    {"办公室", "3 2"},
    {"辦公室", "3 2"},
    {"２０２６", "4"},
    {"2026年", "4"},
    {"2026年政府工作报告", "4"},
    {"2026年政府报告", ""},
    {"政府 报告", "4"},
    {"政府　報告", "4"},
    {"xf2026000001", "5"},
    {"XF2026000002", "6"},
    {"xf2026", ""},
    {"report", "8"},
    {"REPORT 2025", "8"},
    {"年", "4"},
    {"告", "4 3"},
    {"督 办", "9 2 1"},
    {"来", "6 5"},
    {"来信", "5"},
    {"室督", ""},
    {"，。！", ""},
    {"", ""},
    {"\"' OR 1=1 --", ""}, /* only words: "or" AND "1 1" */
    {"信 OR 政府", ""},    /* no operators: "or" is a word too */
};

static void fixture_open(struct fixture *fx)
{
    char url[700], err[512];
    if (fx->kind == STORE_SQLITE) {
        snprintf(url, sizeof(url), "sqlite:%s/search.db", fx->dir);
    } else {
        snprintf(fx->dbname, sizeof(fx->dbname), "shuniu_t%ld_search",
                 (long)getpid());
        store_drop_database(fx->admin_url, fx->dbname, err, sizeof(err));
        if (store_create_database(fx->admin_url, fx->dbname, err,
                                  sizeof(err)) != STORE_OK)
            fail_msg("create database: %s", err);
        assert_int_equal(
            store_url_with_db(fx->admin_url, fx->dbname, url, sizeof(url)),
            STORE_OK);
    }
    fx->db = store_open(url, err, sizeof(err));
    if (fx->db == NULL)
        fail_msg("open %s: %s", url, err);
    if (store_migrate(fx->db, search_migration(), err, sizeof(err)) != STORE_OK)
        fail_msg("migrate: %s", err);
}

/* The hits of q as "id id ...". */
static const char *hits_of(struct store *db, struct arena *a, const char *q,
                           const char *module, int *total)
{
    struct search_hit *hits;
    struct err e;
    int n;
    struct buf b;
    err_clear(&e);
    buf_init(&b, 0);
    if (search_query(db, a, q, module, 100, 0, &hits, &n, total, &e) != 0)
        fail_msg("search_query(%s): %s", q, store_errmsg(db));
    for (int i = 0; i < n; i++)
        buf_printf(&b, i > 0 ? " %lld" : "%lld", (long long)hits[i].case_id);
    const char *s = arena_strdup(a, b.ptr);
    buf_free(&b);
    return s;
}

static void index_docs(struct store *db)
{
    assert_int_equal(store_begin(db), STORE_OK);
    for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
        assert_int_equal(
            search_index_case(db, docs[i].id, docs[i].module, docs[i].text),
            STORE_OK);
    assert_int_equal(store_commit(db), STORE_OK);
}

static void test_queries(void **state)
{
    struct fixture *fx = *state;
    struct store *db = fx->db;
    struct arena *a = arena_new();
    int total;
    index_docs(db);
    for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
        const char *got = hits_of(db, a, queries[i].q, NULL, &total);
        if (strcmp(got, queries[i].want) != 0)
            fail_msg("%s: search(%s) = \"%s\", want \"%s\"",
                     store_kind_name(db), queries[i].q, got, queries[i].want);
    }
    /* module filter, totals and paging */
    assert_string_equal(hits_of(db, a, "督", "supervision", &total), "9 2 1");
    assert_int_equal(total, 3);
    assert_string_equal(hits_of(db, a, "督", "document", &total), "");
    assert_int_equal(total, 0);
    struct search_hit *hits;
    struct err e;
    int n;
    err_clear(&e);
    assert_int_equal(
        search_query(db, a, "信", NULL, 2, 1, &hits, &n, &total, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 4);
    assert_int_equal(hits[0].case_id, 5);
    assert_int_equal(hits[1].case_id, 3);
    assert_string_equal(hits[1].module, "document");
    assert_string_equal(hits[1].body, "辦公室關於信訪工作的報告");
    /* counting the matches after an id (the plan of a search list) */
    const char *arg;
    int64_t found;
    assert_int_equal(search_match_arg(db, a, "信", &arg), 1);
    assert_int_equal(search_count_after(db, arg, 0, &found), STORE_OK);
    assert_int_equal(found, 4);
    assert_int_equal(search_count_after(db, arg, 3, &found), STORE_OK);
    assert_int_equal(found, 2); /* 5 and 7 */
    assert_int_equal(search_count_after(db, arg, 7, &found), STORE_OK);
    assert_int_equal(found, 0);
    arena_free(a);
}

/* Re-indexing replaces a document, removing drops it, a rollback undoes
 * both (the index lives in the caller's transaction). */
static void test_replace_remove(void **state)
{
    struct fixture *fx = *state;
    struct store *db = fx->db;
    struct arena *a = arena_new();
    int total;
    assert_int_equal(store_begin(db), STORE_OK);
    assert_int_equal(search_index_case(db, 7, "petition", "访问登记"),
                     STORE_OK);
    assert_int_equal(search_remove_case(db, 1), STORE_OK);
    assert_int_equal(search_remove_case(db, 999), STORE_OK);
    assert_int_equal(store_commit(db), STORE_OK);
    assert_string_equal(hits_of(db, a, "信", NULL, &total), "5 3");
    assert_string_equal(hits_of(db, a, "访问", NULL, &total), "7");
    assert_string_equal(hits_of(db, a, "督查督办", NULL, &total), "");

    assert_int_equal(store_begin(db), STORE_OK);
    assert_int_equal(search_index_case(db, 7, "petition", "信"), STORE_OK);
    assert_int_equal(search_index_case(db, 1, "supervision", "督查督办"),
                     STORE_OK);
    assert_int_equal(store_rollback(db), STORE_OK);
    assert_string_equal(hits_of(db, a, "信", NULL, &total), "5 3");
    assert_string_equal(hits_of(db, a, "督查督办", NULL, &total), "");
    arena_free(a);
}

/* The match text per backend, and the engine's subquery with it. */
static void test_match_arg(void **state)
{
    struct fixture *fx = *state;
    struct store *db = fx->db;
    struct arena *a = arena_new();
    const char *arg;
    int64_t n = 0;
    static const char ids_sqlite[] =
        "SELECT count(*) FROM (" SEARCH_IDS_SQLITE("$1") ") AS hits";
    static const char ids_pg[] =
        "SELECT count(*) FROM (" SEARCH_IDS_PG("$1") ") AS hits";
    assert_int_equal(search_match_arg(db, a, "信 ２０２６年 督查督辦", &arg),
                     1);
    if (fx->kind == STORE_PG)
        assert_string_equal(arg, "('信':*) & ('2026' <-> '年':*) & "
                                 "('督查' <-> '查督' <-> '督办')");
    else
        assert_string_equal(arg, "\"信\"* AND \"2026 年\"* AND "
                                 "\"督查 查督 督办\"");
    assert_int_equal(search_match_arg(db, a, "，。", &arg), 0);
    assert_null(arg);
    assert_int_equal(search_match_arg(db, a, NULL, &arg), 0);

    store_begin(db);
    search_index_case(db, 42, "petition", "2026年信访督查督办");
    store_commit(db);
    search_match_arg(db, a, "信 ２０２６年 督查督辦", &arg);
    assert_int_equal(store_query_int(db,
                                     fx->kind == STORE_PG ? ids_pg : ids_sqlite,
                                     &n, "t", arg),
                     STORE_ROW);
    assert_int_equal(n, 1);
    arena_free(a);
}

/* Every character tokenize_is_han() indexes is one token to the engine
 * (FTS5 unicode61; PostgreSQL's parser under this server's locale):
 * otherwise the engine would split or drop bigrams and the backends
 * could disagree. */
static void test_han_is_one_token(void **state)
{
    struct fixture *fx = *state;
    struct store *db = fx->db;
    static const char setup_sqlite[] =
        "CREATE VIRTUAL TABLE han_probe USING fts5(t, tokenize='unicode61');"
        "CREATE VIRTUAL TABLE han_vocab USING fts5vocab(han_probe, 'row')";
    static const char insert_sqlite[] = "INSERT INTO han_probe (t) VALUES ($1)";
    static const char count_sqlite[] =
        "SELECT count(*) FROM han_vocab WHERE length(term) = 1";
    static const char count_pg[] =
        "SELECT count(*) FROM unnest(to_tsvector('simple', $1))"
        " WHERE length(lexeme) = 1";
    int64_t want = 0, got = 0, sum = 0;
    struct buf b;
    buf_init(&b, 0);
    if (fx->kind == STORE_SQLITE)
        assert_int_equal(store_exec(db, setup_sqlite), STORE_OK);
    for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
        if (!tokenize_is_han(cp))
            continue;
        char u[5] = {0};
        /* code points as UTF-8, by hand (tokenize keeps its encoder) */
        if (cp < 0x10000) {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[0] = (char)(0xF0 | (cp >> 18));
            u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[3] = (char)(0x80 | (cp & 0x3F));
        }
        buf_puts(&b, u);
        buf_putc(&b, ' ');
        want++;
        if (want % 2000 != 0)
            continue;
        if (fx->kind == STORE_PG) {
            assert_int_equal(store_query_int(db, count_pg, &got, "t", b.ptr),
                             STORE_ROW);
            sum += got;
        } else {
            assert_int_equal(store_run(db, insert_sqlite, "t", b.ptr),
                             STORE_OK);
        }
        buf_reset(&b);
    }
    if (fx->kind == STORE_PG) {
        assert_int_equal(store_query_int(db, count_pg, &got, "t", b.ptr),
                         STORE_ROW);
        sum += got;
    } else {
        assert_int_equal(store_run(db, insert_sqlite, "t", b.ptr), STORE_OK);
        assert_int_equal(store_query_int(db, count_sqlite, &sum, ""),
                         STORE_ROW);
    }
    assert_true(want > 80000);
    assert_int_equal(sum, want);
    buf_free(&b);
}

static int sqlite_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->kind = STORE_SQLITE;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/shuniu-test-search-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int sqlite_teardown(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    snprintf(path, sizeof(path), "%s/search.db", fx->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/search.db-wal", fx->dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/search.db-shm", fx->dir);
    unlink(path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* SHUNIU_TEST_PG_URL, else SHUNIU_TEST_PG_ADMIN, else NULL. */
static const char *pg_admin_url(void)
{
    static const char *const vars[] = {"SHUNIU_TEST_PG_URL",
                                       "SHUNIU_TEST_PG_ADMIN"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            return v;
    }
    return NULL;
}

static int pg_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->kind = STORE_PG;
    snprintf(fx->admin_url, sizeof(fx->admin_url), "%s", pg_admin_url());
    *state = fx;
    return 0;
}

static int pg_teardown(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    if (fx->dbname[0] != '\0' &&
        store_drop_database(fx->admin_url, fx->dbname, err, sizeof(err)) !=
            STORE_OK)
        fprintf(stderr, "drop %s: %s\n", fx->dbname, err);
    free(fx);
    return 0;
}

/* Each backend test gets the group's database, opened once. */
static int db_setup(void **state)
{
    struct fixture *fx = *state;
    if (fx->db == NULL)
        fixture_open(fx);
    return 0;
}

static int db_close(void **state)
{
    struct fixture *fx = *state;
    store_close(fx->db);
    fx->db = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_document_tokens),
        cmocka_unit_test(test_token_spans),
        cmocka_unit_test(test_query_words),
        cmocka_unit_test(test_query_limits),
        cmocka_unit_test(test_snippet),
    };
    /* in order, on one database: queries, then replace/remove */
    const struct CMUnitTest backend[] = {
        cmocka_unit_test_setup(test_queries, db_setup),
        cmocka_unit_test_setup(test_replace_remove, db_setup),
        cmocka_unit_test_setup(test_match_arg, db_setup),
        cmocka_unit_test_setup_teardown(test_han_is_one_token, db_setup,
                                        db_close),
    };
    char err[256];
    int failed = 0;
    log_set_level(LOG_ERROR);
    if (tokenize_init(err, sizeof(err)) != 0) {
        fprintf(stderr, "tokenize_init: %s\n", err);
        return 1;
    }
    failed += cmocka_run_group_tests_name("search", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("search_sqlite", backend,
                                          sqlite_setup, sqlite_teardown);
    if (pg_admin_url() != NULL)
        failed += cmocka_run_group_tests_name("search_pg", backend, pg_setup,
                                              pg_teardown);
    else
        printf("[  SKIPPED ] search_pg: SHUNIU_TEST_PG_URL is not set\n");
    return failed != 0;
}
