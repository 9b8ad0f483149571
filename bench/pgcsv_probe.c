/* pgcsv_probe: the "limit" anchor of `make bench` figure 3 (issue #15). Runs
 * one SELECT through libpq in single-row mode and writes every row as CSV
 * (RFC 4180 quoting, LF line ends as SeeKi writes them, a header line, NULL
 * as an empty field, "" for the empty string) to stdout through a 64 KiB
 * buffer: what an export costs with no HTTP, JSON or pool in the way. Not part of SeeKi; built by `make bench` only.
 * Usage: pgcsv_probe CONNINFO SQL   (prints "rows N" on stderr) */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_BUF_MAX (64 * 1024) /* bytes buffered before each fwrite */

struct probe_out {
    char buf[PROBE_BUF_MAX];
    size_t len; /* bytes used in buf, < PROBE_BUF_MAX */
};

static void probe_flush(struct probe_out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, stdout) != o->len) {
        perror("pgcsv_probe: write");
        exit(1);
    }
    o->len = 0;
}

static void probe_put(struct probe_out *o, const char *s, size_t n)
{
    while (n) {
        size_t room = PROBE_BUF_MAX - o->len;
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
        if (o->len == PROBE_BUF_MAX)
            probe_flush(o);
    }
}

/* One field: quoted when empty or holding a quote, comma or line break. */
static void probe_field(struct probe_out *o, const char *v, size_t n)
{
    if (n && !memchr(v, '"', n) && !memchr(v, ',', n) && !memchr(v, '\n', n) &&
        !memchr(v, '\r', n)) {
        probe_put(o, v, n);
        return;
    }
    probe_put(o, "\"", 1);
    for (const char *q; n && (q = memchr(v, '"', n)) != NULL;) {
        size_t k = (size_t)(q - v) + 1;
        probe_put(o, v, k);
        probe_put(o, "\"", 1);
        v += k;
        n -= k;
    }
    probe_put(o, v, n);
    probe_put(o, "\"", 1);
}

int main(int argc, char **argv)
{
    static struct probe_out out;
    long rows = 0;
    int header = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: pgcsv_probe CONNINFO SQL\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pgcsv_probe: connect: %s", PQerrorMessage(c));
        return 1;
    }
    if (!PQsendQuery(c, argv[2]) || !PQsetSingleRowMode(c)) {
        fprintf(stderr, "pgcsv_probe: query: %s", PQerrorMessage(c));
        return 1;
    }
    for (PGresult *r; (r = PQgetResult(c)) != NULL; PQclear(r)) {
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
            fprintf(stderr, "pgcsv_probe: %s", PQresultErrorMessage(r));
            return 1;
        }
        int nf = PQnfields(r);
        if (!header) {
            for (int i = 0; i < nf; i++) {
                const char *name = PQfname(r, i);
                if (i)
                    probe_put(&out, ",", 1);
                probe_field(&out, name, strlen(name));
            }
            probe_put(&out, "\n", 1);
            header = 1;
        }
        for (int t = 0; t < PQntuples(r); t++, rows++) {
            for (int i = 0; i < nf; i++) {
                if (i)
                    probe_put(&out, ",", 1);
                if (!PQgetisnull(r, t, i))
                    probe_field(&out, PQgetvalue(r, t, i), (size_t)PQgetlength(r, t, i));
            }
            probe_put(&out, "\n", 1);
        }
    }
    probe_flush(&out);
    fflush(stdout);
    fprintf(stderr, "rows %ld\n", rows);
    PQfinish(c);
    return 0;
}
