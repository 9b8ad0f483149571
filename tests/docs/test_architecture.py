"""The module boundaries of docs/architecture.md, checked on the sources:
which module may include which library's header, which SeeKi modules a
module may include (one order, no cycles), and that db/'s rooms (sql, pg,
sqlite) never include each other's internals. Fails naming the file and the
include that breaks a rule."""
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.path.join(ROOT, "src")

# library header (prefix) -> the files or folders of src/ that may include it
LIBRARIES = {
    "microhttpd.h": ["http/server.c"],
    "libssh/": ["ssh/"],
    "libpq-fe.h": ["db/pg/", "config/config_url.c"],  # config: parsing database.url only
    "sqlite3.h": ["db/sqlite/", "demo/"],
    "toml++/": ["config/toml_bridge.cpp"],
    "jansson.h": ["api/", "config/", "db/pg/msg.c"],  # msg.c: EXPLAIN (FORMAT JSON) plans
    "unistr.h": ["util/text.c"],
    "unicase.h": ["db/sqlite/fold.c"],
    "zlib.h": ["demo/"],
    "openssl/": ["db/cursor.c"],
}

# module -> the SeeKi modules it may include (docs/architecture.md: util <- log <-
# config <- {db, ssh, store} <- demo <- api <- cli, with http beside api)
ALLOWED = {
    "util": set(),
    "log": {"util"},
    "config": {"util", "log"},
    "store": {"util", "log"},
    "db": {"config", "util", "log"},
    "ssh": {"config", "store", "util", "log"},
    "demo": {"store", "util", "log"},
    "http": {"util", "log"},
    "api": {"config", "db", "ssh", "store", "http", "util", "log"},
    "cli": {"api", "config", "db", "demo", "http", "ssh", "store", "util", "log"},
}

# db/ rooms: a file in the key may not include headers under these folders
DB_ROOMS = {
    "db/sql/": ["db/pg/", "db/sqlite/"],
    "db/pg/": ["db/sqlite/"],
    "db/sqlite/": ["db/pg/"],
}


def sources():
    for d, _, files in os.walk(SRC):
        for f in sorted(files):
            if f.endswith((".c", ".h", ".cpp")):
                p = os.path.join(d, f)
                yield os.path.relpath(p, SRC), open(p, encoding="utf-8").read()


def includes(text):
    return re.findall(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]', text, re.M)


def module_of(rel):
    return rel.split("/")[0] if "/" in rel else rel.rsplit(".", 1)[0]


def test_library_headers_stay_in_their_modules():
    bad = []
    for rel, text in sources():
        for inc in includes(text):
            for lib, owners in LIBRARIES.items():
                if (inc.startswith(lib) if lib.endswith("/") else inc == lib) and \
                        not any(rel == o or (o.endswith("/") and rel.startswith(o)) for o in owners):
                    bad.append("%s includes <%s> (only %s may)" % (rel, inc, ", ".join(owners)))
    assert not bad, "\n".join(bad)


def test_modules_include_only_what_the_order_allows():
    bad = []
    for rel, text in sources():
        mod = module_of(rel)
        assert mod in ALLOWED, "src/%s is in module %s, which docs/architecture.md does not " \
                               "place; add it to the order" % (rel, mod)
        for inc in includes(text):
            if inc == "log.h":
                target = "log"
            elif "/" in inc and os.path.exists(os.path.join(SRC, inc)):
                target = inc.split("/")[0]
            else:
                continue
            if target != mod and target not in ALLOWED[mod]:
                bad.append("%s includes \"%s\": %s may not depend on %s" % (rel, inc, mod, target))
    assert not bad, "\n".join(bad)


def test_the_order_has_no_cycle():
    seen, stack = set(), set()

    def visit(m):
        assert m not in stack, "module cycle through %s" % m
        if m in seen:
            return
        stack.add(m)
        for d in ALLOWED[m]:
            visit(d)
        stack.discard(m)
        seen.add(m)

    for m in ALLOWED:
        visit(m)


def test_db_rooms_keep_to_themselves():
    bad = []
    for rel, text in sources():
        for room, banned in DB_ROOMS.items():
            if not rel.startswith(room):
                continue
            for inc in includes(text):
                if any(inc.startswith(b) for b in banned):
                    bad.append("%s includes \"%s\"" % (rel, inc))
    assert not bad, "\n".join(bad)


def test_no_source_file_implements_a_hash_or_checksum():
    # the constants of SHA-256, CRC-32 and Adler-32: use libcrypto / zlib instead
    signs = ["0x6a09e667", "0x428a2f98", "0xedb88320", "65521"]
    bad = ["%s: %s" % (rel, s) for rel, text in sources() for s in signs if s in text.lower()]
    assert not bad, "\n".join(bad)
