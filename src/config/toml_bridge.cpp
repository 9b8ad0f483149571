/* The TOML bridge: the only C++ file and the only includer of toml++. It turns
 * TOML text into a jansson tree plus a parallel tree of source positions (see
 * config_int.h), so the C validator never sees TOML and can still report
 * "PATH:LINE:COLUMN"; and (at the end, cfg_toml_write) a JSON image back into
 * TOML text with toml++'s serializer for the setup wizard, so quoting and
 * escaping are never hand-written. No C++ exception crosses the extern "C"
 * boundary. */
#include <toml++/toml.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <sstream>
#include <string>
#include <string_view>

#include "config/config_int.h"
extern "C" {
#include "util/mem.h"
}

namespace {

/* A value the bridge refuses although it is valid TOML (U+0000, nan, inf). */
struct bridge_refusal {
    toml::source_position at;
    std::string what;
};

/* Owns one jansson reference until released, so a throw never leaks. */
class jref {
  public:
    explicit jref(json_t *p) : p_(p)
    {
        if (!p_)
            throw std::bad_alloc();
    }
    ~jref() { json_decref(p_); }
    jref(const jref &) = delete;
    jref &operator=(const jref &) = delete;
    json_t *get() const { return p_; }
    json_t *release()
    {
        json_t *p = p_;
        p_ = nullptr;
        return p;
    }

  private:
    json_t *p_;
};

void check_no_nul(std::string_view s, const toml::source_position &at, const char *what)
{
    if (s.find('\0') != std::string_view::npos)
        throw bridge_refusal{at, std::string(what) +
                                     " contains the character U+0000, which SeeKi cannot use"};
}

/* Appends v to a (stealing it); aborts like xmalloc when jansson cannot. */
void append(json_t *a, json_t *v)
{
    if (!v || json_array_append_new(a, v) != 0)
        throw std::bad_alloc();
}

void set(json_t *obj, std::string_view k, json_t *v)
{
    if (!v || json_object_setn_new(obj, k.data(), k.size(), v) != 0)
        throw std::bad_alloc();
}

/* A position entry [line, column, sub]; steals sub (NULL becomes null). */
json_t *entry(const toml::source_position &p, json_t *sub)
{
    jref s(sub ? sub : json_null());
    jref a(json_array());
    append(a.get(), json_integer(static_cast<json_int_t>(p.line)));
    append(a.get(), json_integer(static_cast<json_int_t>(p.column)));
    append(a.get(), s.release());
    return a.release();
}

template <typename T> json_t *text_of(const T &v)
{
    std::ostringstream os;
    os << v;
    std::string s = os.str();
    return json_stringn(s.data(), s.size());
}

/* Converts n; *sub receives the position sub-tree (new reference or NULL). */
json_t *convert(const toml::node &n, json_t **sub)
{
    *sub = nullptr;
    if (const toml::table *t = n.as_table()) {
        jref obj(json_object());
        jref ps(json_object());
        for (auto &&[k, v] : *t) {
            check_no_nul(k.str(), k.source().begin, "a key");
            json_t *csub = nullptr;
            jref cv(convert(v, &csub));
            json_t *e = entry(k.source().begin, csub);
            set(obj.get(), k.str(), cv.release());
            set(ps.get(), k.str(), e);
        }
        *sub = ps.release();
        return obj.release();
    }
    if (const toml::array *a = n.as_array()) {
        jref arr(json_array());
        jref ps(json_array());
        for (const toml::node &el : *a) {
            json_t *csub = nullptr;
            jref cv(convert(el, &csub));
            json_t *e = entry(el.source().begin, csub);
            append(arr.get(), cv.release());
            append(ps.get(), e);
        }
        *sub = ps.release();
        return arr.release();
    }
    if (const toml::value<std::string> *s = n.as_string()) {
        const std::string &str = s->get();
        check_no_nul(str, n.source().begin, "a string");
        return json_stringn(str.data(), str.size());
    }
    if (const toml::value<int64_t> *i = n.as_integer())
        return json_integer(static_cast<json_int_t>(i->get()));
    if (const toml::value<double> *d = n.as_floating_point()) {
        if (!std::isfinite(d->get()))
            throw bridge_refusal{n.source().begin,
                                 "nan and inf are not accepted by any SeeKi setting"};
        return json_real(d->get());
    }
    if (const toml::value<bool> *b = n.as_boolean())
        return json_boolean(b->get());
    if (const toml::value<toml::date> *dt = n.as_date())
        return text_of(dt->get());
    if (const toml::value<toml::time> *tm = n.as_time())
        return text_of(tm->get());
    if (const toml::value<toml::date_time> *dtm = n.as_date_time())
        return text_of(dtm->get());
    throw bridge_refusal{n.source().begin, "unsupported TOML value"};
}

/* toml++'s description on one line: control characters escaped, and for
 * secrets files without the ", saw '...'" quote of the input. */
std::string clean_description(std::string_view d, bool redact)
{
    if (redact) {
        size_t cut = d.find(", saw '");
        if (cut != std::string_view::npos)
            d = d.substr(0, cut);
    }
    std::string out;
    for (char ch : d) {
        if (ch == '\n')
            out += "\\n";
        else if (ch == '\r')
            out += "\\r";
        else if (ch == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(ch) < 0x20)
            out += '?';
        else
            out += ch;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '.'))
        out.pop_back();
    return out;
}

[[noreturn]] void bridge_oom()
{
    std::fputs("ERROR config: out of memory while parsing TOML; SeeKi stops\n", stderr);
    std::abort();
}

} // namespace

extern "C" enum seeki_code cfg_toml_parse(const char *text, size_t len, const char *path,
                                          unsigned flags, json_t **doc, json_t **pos,
                                          struct seeki_err *err)
{
    *doc = nullptr;
    *pos = nullptr;
    const char *label = path ? path : "<config>";
    try {
        toml::table root = toml::parse(std::string_view(text, len), std::string_view(label));
        json_t *psub = nullptr;
        jref d(convert(root, &psub));
        jref p(psub);
        *doc = d.release();
        *pos = p.release();
        return SEEKI_E_OK;
    } catch (const toml::parse_error &e) {
        std::string desc = clean_description(e.description(), flags & CFG_TOML_REDACT);
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s:%u:%u: %s. Fix the TOML syntax at that spot (common causes: a "
                          "missing closing quote, a key without `= value`, a key given twice)",
                          label, static_cast<unsigned>(e.source().begin.line),
                          static_cast<unsigned>(e.source().begin.column), desc.c_str());
    } catch (const bridge_refusal &r) {
        return seeki_fail(err, SEEKI_E_CONFIG, "%s:%u:%u: %s; change the value there", label,
                          static_cast<unsigned>(r.at.line), static_cast<unsigned>(r.at.column),
                          r.what.c_str());
    } catch (const std::bad_alloc &) {
        bridge_oom();
    } catch (const std::exception &e) {
        return seeki_fail(err, SEEKI_E_INTERNAL, "%s: the TOML parser failed unexpectedly (%s)",
                          label, e.what());
    } catch (...) {
        return seeki_fail(err, SEEKI_E_INTERNAL, "%s: the TOML parser failed unexpectedly",
                          label);
    }
}

/* ---- writing: the setup wizard's JSON image -> TOML text ---------------- */

namespace {

/* A JSON value TOML has no form for (null, a non-object root). */
struct write_refusal {
    std::string what;
};

std::string key_path(const std::string &prefix, const char *key)
{
    return prefix.empty() ? std::string(key) : prefix + "." + key;
}

void fill_table(json_t *obj, toml::table &out, const std::string &where);
void fill_array(json_t *arr, toml::array &out, const std::string &where);

/* Appends/inserts the TOML form of v. */
template <typename Put> void put_value(json_t *v, const std::string &where, Put put)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        toml::table t;
        fill_table(v, t, where);
        put(std::move(t));
        return;
    }
    case JSON_ARRAY: {
        toml::array a;
        fill_array(v, a, where);
        put(std::move(a));
        return;
    }
    case JSON_STRING:
        put(std::string(json_string_value(v), json_string_length(v)));
        return;
    case JSON_INTEGER:
        put(static_cast<int64_t>(json_integer_value(v)));
        return;
    case JSON_REAL:
        put(json_real_value(v));
        return;
    case JSON_TRUE:
    case JSON_FALSE:
        put(json_is_true(v));
        return;
    case JSON_NULL:
    default:
        throw write_refusal{"`" + where + "` is null; leave the key out instead"};
    }
}

void fill_table(json_t *obj, toml::table &out, const std::string &where)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        std::string at = key_path(where, k);
        put_value(v, at, [&](auto &&x) {
            out.insert_or_assign(std::string_view(k), std::forward<decltype(x)>(x));
        });
    }
}

void fill_array(json_t *arr, toml::array &out, const std::string &where)
{
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        put_value(el, where, [&out](auto &&x) { out.push_back(std::forward<decltype(x)>(x)); });
    }
}

} // namespace

extern "C" enum seeki_code cfg_toml_write(struct json_t *doc, char **out, struct seeki_err *err)
{
    *out = nullptr;
    try {
        if (!json_is_object(doc))
            throw write_refusal{"the configuration must be a JSON object"};
        toml::table root;
        fill_table(doc, root, "");
        std::ostringstream os;
        /* Basic strings only ("..." with escapes), UTF-8 kept as is. */
        os << toml::toml_formatter(root, toml::format_flags::allow_unicode_strings) << "\n";
        std::string s = os.str();
        *out = xstrndup(s.data(), s.size());
        return SEEKI_E_OK;
    } catch (const write_refusal &r) {
        return seeki_fail(err, SEEKI_E_CONFIG, "%s", r.what.c_str());
    } catch (const std::bad_alloc &) {
        std::fputs("ERROR config: out of memory while writing TOML; SeeKi stops\n", stderr);
        std::abort();
    } catch (const std::exception &e) {
        return seeki_fail(err, SEEKI_E_INTERNAL, "writing TOML failed unexpectedly (%s)",
                          e.what());
    } catch (...) {
        return seeki_fail(err, SEEKI_E_INTERNAL, "writing TOML failed unexpectedly");
    }
}
