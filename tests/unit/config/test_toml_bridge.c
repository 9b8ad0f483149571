/* The toml++ bridge: value conversion into jansson, the position tree (with
 * quoted dotted keys), and syntax errors as "PATH:LINE:COLUMN: ...". */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "config/config_int.h"

static json_t *parse_ok(const char *text, json_t **pos)
{
    json_t *doc = NULL;
    struct seeki_err e = {0};
    enum seeki_code rc = cfg_toml_parse(text, strlen(text), "t.toml", 0, &doc, pos, &e);
    cr_assert_eq(rc, SEEKI_E_OK, "%s", e.msg);
    cr_assert(json_is_object(doc));
    cr_assert(json_is_object(*pos));
    return doc;
}

/* Line and column of a position entry. */
static void assert_pos(json_t *entry, long line, long col, const char *what)
{
    cr_assert(json_is_array(entry), "%s: no position entry", what);
    long l = (long)json_integer_value(json_array_get(entry, 0));
    long c = (long)json_integer_value(json_array_get(entry, 1));
    cr_assert(l == line && c == col, "%s: position %ld:%ld, want %ld:%ld", what, l, c, line, col);
}

Test(toml_bridge, converts_every_value_kind)
{
    json_t *pos = NULL;
    json_t *doc = parse_ok("s = \"text\"\n"
                           "i = -42\n"
                           "big = 9007199254740993\n"
                           "f = 1.5\n"
                           "b = true\n"
                           "d = 1979-05-27\n"
                           "t = 07:32:00\n"
                           "dt = 1979-05-27T07:32:00Z\n"
                           "a = [1, \"x\", [false]]\n"
                           "inline = { k = \"v\" }\n"
                           "[[rows]]\nn = 1\n[[rows]]\nn = 2\n",
                           &pos);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "s")), "text");
    cr_assert(json_is_integer(json_object_get(doc, "i")));
    cr_assert_eq(json_integer_value(json_object_get(doc, "i")), -42);
    cr_assert_eq(json_integer_value(json_object_get(doc, "big")), 9007199254740993LL);
    cr_assert(json_is_real(json_object_get(doc, "f")));
    cr_assert_float_eq(json_real_value(json_object_get(doc, "f")), 1.5, 1e-12);
    cr_assert(json_is_true(json_object_get(doc, "b")));
    cr_assert_str_eq(json_string_value(json_object_get(doc, "d")), "1979-05-27");
    cr_assert_str_eq(json_string_value(json_object_get(doc, "t")), "07:32:00");
    cr_assert_str_eq(json_string_value(json_object_get(doc, "dt")), "1979-05-27T07:32:00Z");
    json_t *a = json_object_get(doc, "a");
    cr_assert_eq(json_array_size(a), 3);
    cr_assert_str_eq(json_string_value(json_array_get(a, 1)), "x");
    cr_assert(json_is_false(json_array_get(json_array_get(a, 2), 0)));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "inline"), "k")), "v");
    json_t *rows = json_object_get(doc, "rows");
    cr_assert_eq(json_array_size(rows), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(rows, 1), "n")), 2);
    /* Element positions of the array a = [1, "x", [false]]. */
    json_t *apos = json_array_get(json_object_get(pos, "a"), 2);
    assert_pos(json_array_get(apos, 1), 9, 9, "a[1]");
    json_decref(doc);
    json_decref(pos);
}

Test(toml_bridge, positions_follow_keys_including_quoted_dotted_ones)
{
    json_t *pos = NULL;
    json_t *doc = parse_ok("# comment\n"
                           "[display.columns.\"public.orders\"]\n"
                           "  \"total.gross\" = \"Gross\"\n"
                           "[server]\n"
                           "port = 1\n",
                           &pos);
    json_t *cols = json_object_get(json_object_get(doc, "display"), "columns");
    cr_assert_not_null(json_object_get(cols, "public.orders"), "quoted key kept whole");
    cr_assert_null(json_object_get(cols, "public"), "never split on the dot");
    json_t *display = json_object_get(pos, "display");
    assert_pos(display, 2, 2, "display");
    json_t *pcols = json_object_get(json_array_get(display, 2), "columns");
    json_t *porders = json_object_get(json_array_get(pcols, 2), "public.orders");
    assert_pos(porders, 2, 18, "\"public.orders\"");
    assert_pos(json_object_get(json_array_get(porders, 2), "total.gross"), 3, 3, "total.gross");
    json_t *pserver = json_object_get(pos, "server");
    assert_pos(json_object_get(json_array_get(pserver, 2), "port"), 5, 1, "server.port");
    cr_assert(json_is_null(json_array_get(json_object_get(json_array_get(pserver, 2), "port"), 2)),
              "a scalar has no sub-tree");
    json_decref(doc);
    json_decref(pos);
}

static const struct syntax_case {
    const char *name;
    const char *text;
    const char *prefix;
    const char *says;
} syntax_cases[] = {
    {"unclosed string", "a = \"abc\n", "t.toml:1:9: ", "Error while parsing string"},
    {"missing =", "\n\nkey value\n", "t.toml:3:5: ", "expected '='"},
    {"unclosed table header", "[server\n", "t.toml:1:8: ", "Error while parsing table header"},
    {"bad boolean", "x = tru\n", "t.toml:1:8: ", "Error while parsing boolean"},
    {"redefined table", "[a]\nx = 1\n[a]\n", "t.toml:3:1: ", "cannot redefine"},
    {"NUL in a key", "\"a\\u0000b\" = 1\n", "t.toml:1:1: ", "a key contains the character U+0000"},
    {"inf", "x = inf\n", "t.toml:1:5: ", "nan and inf are not accepted"},
};

Test(toml_bridge, syntax_errors_table)
{
    for (size_t i = 0; i < sizeof syntax_cases / sizeof syntax_cases[0]; i++) {
        const struct syntax_case *sc = &syntax_cases[i];
        json_t *doc = (json_t *)1, *pos = (json_t *)1;
        struct seeki_err e = {0};
        enum seeki_code rc =
            cfg_toml_parse(sc->text, strlen(sc->text), "t.toml", 0, &doc, &pos, &e);
        cr_expect_eq(rc, SEEKI_E_CONFIG, "[%s]", sc->name);
        cr_expect(doc == NULL && pos == NULL, "[%s] outputs cleared", sc->name);
        cr_expect(strncmp(e.msg, sc->prefix, strlen(sc->prefix)) == 0,
                  "[%s] prefix\n  want %s\n  got  %s", sc->name, sc->prefix, e.msg);
        cr_expect(strstr(e.msg, sc->says) != NULL, "[%s] want …%s… in %s", sc->name, sc->says,
                  e.msg);
        cr_expect(strchr(e.msg, '\n') == NULL, "[%s] one line: %s", sc->name, e.msg);
    }
}

Test(toml_bridge, redact_flag_drops_quoted_input)
{
    json_t *doc = NULL, *pos = NULL;
    struct seeki_err e = {0};
    const char *bool_text = "p = tru3cret\n";
    cr_assert_eq(cfg_toml_parse(bool_text, strlen(bool_text), "s", 0, &doc, &pos, &e),
                 SEEKI_E_CONFIG);
    cr_assert(strstr(e.msg, "saw '") != NULL, "without the flag toml++ quotes input: %s", e.msg);
    cr_assert_eq(cfg_toml_parse(bool_text, strlen(bool_text), "s", CFG_TOML_REDACT, &doc, &pos,
                                &e),
                 SEEKI_E_CONFIG);
    cr_assert(strstr(e.msg, "saw") == NULL && strstr(e.msg, "3cret") == NULL, "%s", e.msg);
    cr_assert(strncmp(e.msg, "s:1:", 4) == 0, "%s", e.msg);
}

Test(toml_bridge, length_bounds_the_input)
{
    const char text[] = "a = 1\nb = 2";
    json_t *doc = NULL, *pos = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_toml_parse(text, 5, "t", 0, &doc, &pos, &e), SEEKI_E_OK, "%s", e.msg);
    cr_assert_eq(json_object_size(doc), 1);
    json_decref(doc);
    json_decref(pos);
}

/* cfg_toml_write: what the wizard writes parses back to the same JSON image,
 * whatever the strings hold. */
Test(toml_bridge, write_round_trips_awkward_values)
{
    const char *src = "{\"branding\": {\"title\": \"q\\\" b\\\\ nl\\n tab\\t '''x''' \\u00e9\\u2713\","
                      " \"subtitle\": \"#not a comment\"},"
                      " \"database\": {\"url\": \"sqlite:///a b/c.db\", \"max_connections\": 7,"
                      " \"schemas\": [\"public\", \"we\\\"ird\"]},"
                      " \"display\": {\"tables\": {\"public.orders\": \"O\", \"a b\": \"\"}},"
                      " \"ssh\": {\"port\": 22, \"x\": true}}";
    json_error_t je;
    json_t *in = json_loads(src, 0, &je);
    cr_assert_not_null(in, "%s", je.text);
    char *text = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_toml_write(in, &text, &e), SEEKI_E_OK, "%s", e.msg);
    json_t *pos = NULL;
    json_t *back = parse_ok(text, &pos);
    cr_assert(json_equal(in, back), "round trip differs; TOML was:\n%s", text);
    json_decref(back);
    json_decref(pos);
    json_decref(in);
    free(text);
}

Test(toml_bridge, write_refuses_null_naming_the_key)
{
    json_t *in = json_loads("{\"branding\": {\"title\": null}}", 0, NULL);
    char *text = NULL;
    struct seeki_err e = {0};
    cr_assert_eq(cfg_toml_write(in, &text, &e), SEEKI_E_CONFIG);
    cr_assert_null(text);
    cr_assert(strstr(e.msg, "`branding.title` is null"), "%s", e.msg);
    json_decref(in);
}

Test(toml_bridge, url_password_is_detected_by_libpq)
{
    cr_assert(cfg_url_has_password("postgres://u:p%40x@h:5432/d"));
    cr_assert(cfg_url_has_password("host=h password=p dbname=d"));
    cr_assert_not(cfg_url_has_password("postgres://u@h:5432/d"));
    cr_assert_not(cfg_url_has_password("postgres://u:@h/d"));
    cr_assert_not(cfg_url_has_password("sqlite:///x.db"));
    cr_assert_not(cfg_url_has_password(NULL));
}
