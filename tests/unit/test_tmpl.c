/*
 * test_tmpl.c - unit tests for src/web/tmpl.c: escaping in each context,
 * sections, inverted sections, partials, dotted names, missing values, the
 * output cap, and malformed templates failing cleanly (table-driven); values
 * from C sources bound beside the context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "web/embed.h"
#include "web/tmpl.h"

/* The context every row renders with. */
static const char ctx_json[] =
    "{"
    "\"name\": \"王建国\","
    "\"evil\": \"<script>alert('x')</script> & \\\"q\\\" `b`\","
    "\"amp\": \"a&b\","
    "\"url\": \"a b/c?d=e&f=中\","
    "\"html\": \"<b>粗</b>\","
    "\"n\": 42, \"zero\": 0, \"real\": 1.5, \"yes\": true, \"no\": false,"
    "\"nul\": null, \"empty\": \"\", \"none\": [], \"obj\": {},"
    "\"user\": {\"name\": \"周晓梅\", \"unit\": {\"name\": \"秘书科\"}},"
    "\"items\": [{\"t\": \"一\", \"href\": \"/a?x=1&y=2\"},"
    "            {\"t\": \"二\"}, {\"t\": \"<三>\"}],"
    "\"words\": [\"甲\", \"乙\"],"
    "\"csrf\": \"tok\\\"en\""
    "}";

struct row {
    const char *tmpl;
    const char *want;
};

static const struct row rows[] = {
    /* text context */
    {"你好，{{name}}！", "你好，王建国！"},
    {"{{evil}}",
     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
     "&#96;b&#96;"},
    {"{{ name }}", "王建国"},
    {"{{amp}}", "a&amp;b"},
    /* attribute context */
    {"<a title=\"{{attr:evil}}\">",
     "<a title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
     "&quot;q&quot; &#96;b&#96;\">"},
    {"{{attr:csrf}}", "tok&quot;en"},
    /* URL context */
    {"/s?q={{url:url}}", "/s?q=a%20b%2Fc%3Fd%3De%26f%3D%E4%B8%AD"},
    {"{{url:evil}}",
     "%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%20%26%20%22q%22%20%60b%60"},
    /* raw, for our own markup only */
    {"{{raw_trusted_html:html}}", "<b>粗</b>"},
    {"{{html}}", "&lt;b&gt;粗&lt;/b&gt;"},
    /* values of other types */
    {"{{n}} {{zero}} {{real}} {{yes}} {{no}}", "42 0 1.5 true false"},
    {"[{{nul}}][{{obj}}][{{none}}][{{missing}}][{{user.missing.x}}]",
     "[][][][][]"},
    /* dotted names and array indexes */
    {"{{user.name}}/{{user.unit.name}}", "周晓梅/秘书科"},
    {"{{items.1.t}}|{{items.9.t}}|{{words.0}}", "二||甲"},
    /* sections over arrays, objects and truthy scalars */
    {"{{#items}}<{{t}}>{{/items}}", "<一><二><&lt;三&gt;>"},
    {"{{#words}}{{.}},{{/words}}", "甲,乙,"},
    {"{{#user}}{{name}}@{{unit.name}}{{/user}}", "周晓梅@秘书科"},
    {"{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#n}}={{.}}{{/n}}", "Y=42"},
    {"{{#zero}}Z{{/zero}}{{#empty}}E{{/empty}}{{#none}}A{{/none}}"
     "{{#obj}}O{{/obj}}{{#nul}}U{{/nul}}{{#missing}}M{{/missing}}",
     ""},
    /* names resolve outwards from the current item */
    {"{{#items}}{{t}}{{name}};{{/items}}",
     "一王建国;二王建国;&lt;三&gt;王建国;"},
    {"{{#items}}{{#href}}<a href=\"{{attr:href}}\">{{t}}</a>{{/href}}"
     "{{^href}}{{t}}{{/href}} {{/items}}",
     "<a href=\"/a?x=1&amp;y=2\">一</a> 二 &lt;三&gt; "},
    {"{{#items.0}}first={{t}}{{/items.0}}", "first=一"},
    /* nested sections */
    {"{{#items}}{{#words}}{{t}}{{.}} {{/words}}{{/items}}",
     "一甲 一乙 二甲 二乙 &lt;三&gt;甲 &lt;三&gt;乙 "},
    /* inverted sections */
    {"{{^missing}}无{{/missing}}{{^none}}空{{/none}}{{^zero}}零{{/zero}}"
     "{{^name}}X{{/name}}{{^items}}X{{/items}}",
     "无空零"},
    /* comments and partials */
    {"a{{! a comment {with braces} }}b", "ab"},
    {"<form>{{> csrf}}</form>",
     "<form><input type=\"hidden\" name=\"_csrf\" value=\"tok&quot;en\">\n"
     "</form>"},
    {"{{> csrf.html}}",
     "<input type=\"hidden\" name=\"_csrf\" value=\"tok&quot;en\">\n"},
    {"{{#user}}{{> csrf}}{{/user}}",
     "<input type=\"hidden\" name=\"_csrf\" value=\"tok&quot;en\">\n"},
    /* text that only looks like a tag */
    {"{ {name} } }} {", "{ {name} } }} {"},
    {"", ""},
};

static json_t *ctx_load(void)
{
    json_error_t e;
    json_t *ctx = json_loads(ctx_json, 0, &e);
    if (ctx == NULL)
        fail_msg("bad test context: %s", e.text);
    return ctx;
}

static void test_render_rows(void **state)
{
    (void)state;
    json_t *ctx = ctx_load();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char err[128];
        struct tmpl *t = tmpl_parse("row", rows[i].tmpl, strlen(rows[i].tmpl),
                                    err, sizeof(err));
        if (t == NULL)
            fail_msg("row %zu: %s does not parse: %s", i, rows[i].tmpl, err);
        struct buf b;
        buf_init(&b, 0);
        if (tmpl_render(t, ctx, &b) != 0)
            fail_msg("row %zu: %s does not render", i, rows[i].tmpl);
        if (strcmp(b.ptr, rows[i].want) != 0)
            fail_msg("row %zu: %s\n  got  %s\n  want %s", i, rows[i].tmpl,
                     b.ptr, rows[i].want);
        buf_free(&b);
        tmpl_free(t);
    }
    json_decref(ctx);
}

struct bad {
    const char *tmpl;
    const char *why; /* part of the message */
};

static const struct bad bad_rows[] = {
    {"{{name", "line 1: unclosed {{"},
    {"a\nb\n{{#items}}x", "line 3: section not closed"},
    {"{{/items}}", "without an open section"},
    {"{{#a}}{{#b}}{{/a}}{{/b}}", "does not match"},
    {"{{}}", "empty tag"},
    {"{{  }}", "empty tag"},
    {"{{{name}}}", "bad name"},
    {"{{&name}}", "bad name"},
    {"{{js:name}}", "unknown context"},
    {"{{raw:name}}", "unknown context"},
    {"{{#attr:name}}{{/attr:name}}", "bad name"},
    {"{{a b}}", "bad name"},
    {"{{a..b}}", "bad name"},
    {"{{.a}}", "bad name"},
    {"{{a.}}", "bad name"},
    {"{{> ../etc/passwd}}", "bad name"},
    {"{{<script>}}", "bad name"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
        char err[128] = "";
        struct tmpl *t = tmpl_parse("bad", bad_rows[i].tmpl,
                                    strlen(bad_rows[i].tmpl), err, sizeof(err));
        if (t != NULL)
            fail_msg("row %zu: %s parsed", i, bad_rows[i].tmpl);
        if (strstr(err, bad_rows[i].why) == NULL)
            fail_msg("row %zu: %s: message %s lacks %s", i, bad_rows[i].tmpl,
                     err, bad_rows[i].why);
    }
    /* too deep */
    char deep[40 * 6 + 1];
    for (int i = 0; i < 40; i++)
        memcpy(deep + i * 6, "{{#a}}", 6);
    deep[40 * 6] = '\0';
    char err[128];
    assert_null(tmpl_parse("deep", deep, strlen(deep), err, sizeof(err)));
    assert_non_null(strstr(err, "too deep"));
    /* bytes after a NUL are still template text, not a crash */
    static const char withnul[] = "a\0{{name}}";
    struct tmpl *t =
        tmpl_parse("nul", withnul, sizeof(withnul) - 1, err, sizeof(err));
    assert_non_null(t);
    tmpl_free(t);
    tmpl_free(NULL);
}

static void test_render_failures(void **state)
{
    (void)state;
    json_t *ctx = ctx_load();
    char err[128];
    struct buf b;

    /* a missing partial fails the render, it does not crash */
    const char *src = "x{{> no_such_partial}}y";
    struct tmpl *t = tmpl_parse("p", src, strlen(src), err, sizeof(err));
    assert_non_null(t);
    buf_init(&b, 0);
    assert_int_equal(tmpl_render(t, ctx, &b), -1);
    buf_free(&b);
    tmpl_free(t);

    /* the output cap stops a render */
    src = "{{#items}}{{#words}}0123456789{{/words}}{{/items}}";
    t = tmpl_parse("cap", src, strlen(src), err, sizeof(err));
    assert_non_null(t);
    buf_init(&b, 25);
    assert_int_equal(tmpl_render(t, ctx, &b), -1);
    assert_true(b.len <= 25);
    buf_free(&b);
    buf_init(&b, 60);
    assert_int_equal(tmpl_render(t, ctx, &b), 0);
    assert_int_equal(b.len, 60);
    buf_free(&b);
    tmpl_free(t);

    /* unknown embedded templates */
    assert_null(tmpl_get("templates/no_such.html"));
    buf_init(&b, 0);
    assert_int_equal(tmpl_render_name("templates/no_such.html", ctx, &b), -1);
    buf_free(&b);
    json_decref(ctx);
}

/* Every embedded template parses, and each renders with an empty context
 * and with a full one. */
static void test_embedded(void **state)
{
    (void)state;
    int seen = 0;
    json_t *empty = json_object();
    json_t *ctx = ctx_load();
    for (const struct embed_file *f = embed_files; f->name; f++) {
        if (strncmp(f->name, "templates/", 10) != 0)
            continue;
        seen++;
        if (tmpl_get(f->name) == NULL)
            fail_msg("%s does not parse", f->name);
        struct buf b;
        buf_init(&b, 0);
        if (tmpl_render_name(f->name, empty, &b) != 0)
            fail_msg("%s does not render", f->name);
        buf_reset(&b);
        if (tmpl_render_name(f->name, ctx, &b) != 0)
            fail_msg("%s does not render", f->name);
        buf_free(&b);
    }
    assert_true(seen >= 4); /* layout, login, error, csrf at least */
    json_decref(empty);
    json_decref(ctx);
}

/* ---- values from C sources (tmpl_render_with) ---- */

struct person {
    const char *name;
    int n;
    int yes;
    const char *tags[3]; /* NULL-terminated */
};

static const struct person people[] = {
    {"甲", 1, 1, {"a", "b", NULL}},
    {"<乙>", 0, 0, {NULL}},
};

static int tag_get(const struct tmpl_src *src, const void *base, int i,
                   const char *name, size_t len, struct tmpl_val *v)
{
    (void)src;
    if (!tmpl_name_is(name, len, "tag"))
        return 0;
    tmpl_val_str(v, ((const struct person *)base)->tags[i]);
    return 1;
}

static const struct tmpl_src tag_src = {tag_get};

static int person_get(const struct tmpl_src *src, const void *base, int i,
                      const char *name, size_t len, struct tmpl_val *v)
{
    const struct person *p = (const struct person *)base + i;
    (void)src;
    if (tmpl_name_is(name, len, "name")) {
        tmpl_val_str(v, p->name);
    } else if (tmpl_name_is(name, len, "n")) {
        tmpl_val_int(v, p->n);
    } else if (tmpl_name_is(name, len, "yes")) {
        tmpl_val_bool(v, p->yes);
    } else if (tmpl_name_is(name, len, "tags")) {
        int k = 0;
        while (p->tags[k])
            k++;
        tmpl_val_list(v, &tag_src, p, k);
    } else {
        return 0;
    }
    return 1;
}

static const struct tmpl_src person_src = {person_get};

static const struct row src_rows[] = {
    {"{{#people}}{{name}}:{{n}}:{{yes}};{{/people}}",
     "甲:1:true;&lt;乙&gt;:0:false;"},
    {"{{#people.1}}<a title=\"{{attr:name}}\" href=\"/p/{{url:name}}\">"
     "{{/people.1}}",
     "<a title=\"&lt;乙&gt;\" href=\"/p/%3C%E4%B9%99%3E\">"},
    /* a name the item lacks is looked up outwards, in the JSON context */
    {"{{#people}}{{outer}}{{missing}},{{/people}}", "外,外,"},
    {"{{#people}}{{#tags}}{{name}}{{tag}} {{/tags}}{{/people}}", "甲a 甲b "},
    {"{{people.0.name}}|{{people.9.name}}|{{people.x}}|{{people.1.tags.0}}",
     "甲|||"},
    {"{{#people}}{{#n}}N{{/n}}{{^yes}}否{{/yes}}{{#name}}[{{.}}]{{/name}}"
     "{{/people}}",
     "N[甲]否[&lt;乙&gt;]"},
    {"{{^nobody}}无{{/nobody}}{{#nobody}}X{{/nobody}}{{#people}}有{{/people}}",
     "无有有"},
    {"{{#people.0}}{{#tags.1}}{{tag}}{{/tags.1}}{{/people.0}}", "b"},
    /* a bind is looked up before the context */
    {"{{shadow}}|{{raw_trusted_html:shadow}}", "&lt;b&gt;|<b>"},
    {"{{#people.0}}{{.}}{{/people.0}}", ""},
};

static void test_sources(void **state)
{
    (void)state;
    json_t *ctx = json_pack("{s:s, s:s, s:s}", "outer", "外", "shadow", "JSON",
                            "nobody", "JSON");
    struct tmpl_bind binds[4];
    memset(binds, 0, sizeof(binds));
    binds[0].name = "people";
    tmpl_val_list(&binds[0].val, &person_src, people, 2);
    binds[1].name = "nobody";
    tmpl_val_list(&binds[1].val, &person_src, people, 0);
    binds[2].name = "shadow";
    tmpl_val_strn(&binds[2].val, "<b>and more", 3);
    for (size_t i = 0; i < sizeof(src_rows) / sizeof(src_rows[0]); i++) {
        char err[128];
        const struct row *r = &src_rows[i];
        struct tmpl *t =
            tmpl_parse("src", r->tmpl, strlen(r->tmpl), err, sizeof(err));
        if (t == NULL)
            fail_msg("row %zu: %s does not parse: %s", i, r->tmpl, err);
        struct buf b;
        buf_init(&b, 0);
        if (tmpl_render_with(t, ctx, binds, &b) != 0)
            fail_msg("row %zu: %s does not render", i, r->tmpl);
        if (strcmp(b.ptr ? b.ptr : "", r->want) != 0)
            fail_msg("row %zu: %s\n  got  %s\n  want %s", i, r->tmpl,
                     b.ptr ? b.ptr : "", r->want);
        buf_free(&b);
        tmpl_free(t);
    }
    json_decref(ctx);
}

static void test_escape_helpers(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(tmpl_escape_html(&b, "a<b>&'\"", 7), 0);
    assert_string_equal(b.ptr, "a&lt;b&gt;&amp;&#39;&quot;");
    buf_reset(&b);
    assert_int_equal(tmpl_escape_url(&b, "督 办~-._", 11), 0);
    assert_string_equal(b.ptr, "%E7%9D%A3%20%E5%8A%9E~-._");
    buf_free(&b);
    buf_init(&b, 3);
    assert_int_equal(tmpl_escape_html(&b, "<", 1), -1);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_rows),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_render_failures),
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_escape_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
