"""Every config key, error code and API field named in the code is documented.

Reads the key tables out of the C sources (so a new key without docs fails
here) and looks each one up in the user docs.
"""
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def c_string_table(src, name):
    m = re.search(r"static const char \*const %s\[\] = \{(.*?)\};" % re.escape(name), src, re.S)
    assert m, "table %s not found in the source" % name
    return re.findall(r'"([^"]+)"', m.group(1))


def test_every_config_key_is_documented():
    src = read("src/config/config_validate.c")
    doc = read("docs/configuration.md")
    sections = {"server": "val_server_keys", "database": "val_database_keys",
                "tables": "val_tables_keys", "branding": "val_branding_keys",
                "ssh": "val_ssh_keys", "columns": "val_columns_keys",
                "display": "val_display_keys"}
    missing = []
    for section, table in sections.items():
        for key in c_string_table(src, table):
            # display.tables / display.columns are documented with their <table> part
            if "`%s.%s`" % (section, key) not in doc and "`%s.%s." % (section, key) not in doc:
                missing.append("%s.%s" % (section, key))
    assert not missing, "config keys missing from docs/configuration.md: %s" % missing


def test_every_secrets_key_is_documented():
    src = read("src/config/secrets.c")
    doc = read("docs/configuration.md")
    keys = ["ssh." + k for k in c_string_table(src, "sec_ssh_keys")]
    keys += ["database." + k for k in c_string_table(src, "sec_db_keys")]
    missing = [k for k in keys if k not in doc]
    assert not missing, "secrets keys missing from docs/configuration.md: %s" % missing


def test_every_error_code_is_documented():
    codes = [c for c in re.findall(r"X\((\w+),\s*\d+,", read("src/util/err.h")) if c != "OK"]
    assert len(codes) > 10
    doc = read("docs/errors.md")
    missing = [c for c in codes if "`%s`" % c not in doc]
    assert not missing, "error codes missing from docs/errors.md: %s" % missing


def test_every_rows_field_and_route_is_documented():
    doc = read("docs/api.md")
    for field in ["columns", "rows", "total_rows", "total_rows_exact", "page", "page_size",
                  "next_cursor", "prev_cursor", "display_name", "data_type", "display_type",
                  "is_nullable", "is_primary_key", "sortable", "sensitive",
                  "nulls", "distinct", "avg", "top", "exact",
                  "row_count_estimate"]:
        assert field in doc, "field %s missing from docs/api.md" % field
    for route in ["/api/status", "/api/tables", "/api/tables/{t}/columns",
                  "/api/tables/{t}/rows", "/api/config/display", "/api/export/{t}/csv",
                  "/api/tables/{t}/stats/{column}"]:
        assert route in doc, "route %s missing from docs/api.md" % route


def readme_commands():
    """The commands of the README's "Two commands" block, comments dropped."""
    m = re.search(r"## Two commands.*?```sh\n(.*?)```", read("README.md"), re.S)
    assert m, "README.md has no '## Two commands' sh block"
    return [line.split("#")[0].strip() for line in m.group(1).splitlines() if line.strip()]


def ci_commands():
    """.ci/run's commands, without comments, the shebang, `set` and the `cd` to the root."""
    out = []
    for line in read(".ci/run").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("set ") or line.startswith('cd "$(dirname'):
            continue
        out.append(line)
    return out


def test_ci_runs_exactly_the_readmes_test_command():
    cmds = readme_commands()
    assert cmds == ["make run", "make test"], cmds
    assert ci_commands() == ["make test"], (
        ".ci/run must run the README's test command and nothing else, so CI proves the README: %s"
        % ci_commands())


def test_make_test_installs_the_test_packages_and_npm_lockfile():
    mk = read("Makefile")
    rule = re.search(r"^test: *(.*)$", mk, re.M)
    assert rule and "deps-test" in rule.group(1).split(), "make test must depend on deps-test"
    assert re.search(r"^deps-test:.*\n\t@?scripts/install-deps --test$", mk, re.M)
    run_rule = re.search(r"^run: *(.*)$", mk, re.M)
    assert run_rule.group(1).split() == ["deps"], "make run installs only what running needs"
    deps = read("scripts/install-deps")
    assert "npm ci" in deps and "package-lock.json" in deps


def test_npm_lockfile_runs_on_debian_12s_node():
    """Debian 12 ships Node.js 18: every locked package must accept it (playwright-core
    1.62 and later need Node 20, and on a fresh machine the e2e suite would not start)."""
    import json
    lock = json.loads(read("package-lock.json"))
    for name, pkg in lock["packages"].items():
        want = pkg.get("engines", {}).get("node")
        if not name or not want:
            continue
        m = re.fullmatch(r">=\s*(\d+)(?:\.\d+)*", want.strip())
        assert m and int(m.group(1)) <= 18, "%s needs node %s; Debian 12 has 18" % (name, want)


def test_every_source_file_has_a_unit_test_or_a_named_suite():
    doc = read("docs/testing.md")
    table = doc[doc.index("## Which test covers which source file"):]
    missing = []
    for d, _, files in os.walk(os.path.join(ROOT, "src")):
        for f in files:
            if not f.endswith((".c", ".cpp")):
                continue
            rel = os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "src"))
            mod = rel.split("/")[0] if "/" in rel else "util"
            base = f.rsplit(".", 1)[0]
            if os.path.exists(os.path.join(ROOT, "tests", "unit", mod, "test_%s.c" % base)):
                continue
            if "`%s`" % rel not in table:
                missing.append(rel)
    assert not missing, ("no tests/unit/<module>/test_<file>.c and not in docs/testing.md's "
                         "coverage table: %s" % sorted(missing))
