/* CSV export through a real server: the streaming producer wired to
 * libmicrohttpd's content-reader callback (chunked transfer), checked by
 * decoding the chunked body over a raw socket. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "http/http.h"
#include "util/buf.h"
#include "util/mem.h"

#define NROWS 20000

static char *http_get(int port, const char *target)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char *req = xasprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
                          target, port);
    cr_assert_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    free(req);
    struct buf b;
    buf_init(&b, 0);
    char tmp[65536];
    ssize_t n;
    while ((n = recv(fd, tmp, sizeof tmp, 0)) > 0)
        cr_assert_eq(buf_append(&b, tmp, (size_t)n), 0);
    close(fd);
    return buf_take(&b);
}

/* Decodes a chunked body; returns NULL when it is malformed or unterminated. */
static char *dechunk(const char *p)
{
    struct buf out;
    buf_init(&out, 0);
    for (;;) {
        char *end;
        unsigned long n = strtoul(p, &end, 16);
        if (end == p || strncmp(end, "\r\n", 2) != 0)
            goto bad;
        p = end + 2;
        if (n == 0)
            return buf_take(&out);
        if (strlen(p) < n + 2 || buf_append(&out, p, n) != 0)
            goto bad;
        p += n + 2;
    }
bad:
    buf_free(&out);
    return NULL;
}

Test(export_stream, csv_over_the_wire)
{
    char dir[] = "/tmp/seeki-http-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = xasprintf("%s/e.db", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    char *sql = xasprintf("CREATE TABLE \"big table\" (id INTEGER PRIMARY KEY, txt TEXT);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < %d) INSERT INTO \"big table\" SELECT i, 'row ' || i || ', "
                          "with comma' FROM n;",
                          NROWS);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    sqlite3_close(h);

    struct cfg *cfg = cfg_new_demo(path);
    struct db_engine *db = NULL;
    struct seeki_err err;
    seeki_err_clear(&err);
    cr_assert_eq(db_open(cfg, NULL, &db, &err), SEEKI_E_OK, "%s", err.msg);
    struct api_ctx ctx = {.cfg = cfg, .db = db, .setup_mode = false, .version = "t"};
    struct http_options o = {.host = "127.0.0.1", .port = 0, .max_clients = 8};
    struct http_server *s = NULL;
    cr_assert_eq(http_start(&o, api_handle, &ctx, &s, &err), SEEKI_E_OK, "%s", err.msg);

    char *r = http_get(http_port(s), "/api/export/big%20table/csv?sort=id:desc");
    cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "%.300s", r);
    cr_expect(strcasestr(r, "\r\nTransfer-Encoding: chunked\r\n") != NULL, "%.400s", r);
    cr_expect(strcasestr(r, "\r\nContent-Type: text/csv; charset=utf-8\r\n") != NULL);
    cr_expect(strstr(r, "Content-Disposition: attachment; filename=\"big_table.csv\"; "
                        "filename*=UTF-8''big%20table.csv") != NULL,
              "%.400s", r);
    const char *body = strstr(r, "\r\n\r\n");
    cr_assert_not_null(body);
    char *csv = dechunk(body + 4);
    cr_assert_not_null(csv, "chunked body malformed or cut short");
    struct buf want;
    buf_init(&want, 0);
    cr_assert_eq(buf_puts(&want, "ID,Txt\n"), 0);
    for (int i = NROWS; i >= 1; i--)
        cr_assert_eq(buf_printf(&want, "%d,\"row %d, with comma\"\n", i, i), 0);
    cr_expect_eq(strlen(csv), want.len);
    cr_expect(strcmp(csv, buf_str(&want)) == 0, "CSV differs from the expected rows");
    buf_free(&want);
    free(csv);
    free(r);

    /* an error before the first byte is an ordinary JSON error */
    r = http_get(http_port(s), "/api/export/big%20table/csv?filter.id=%3Eabc");
    cr_expect(strncmp(r, "HTTP/1.1 400", 12) == 0, "%.300s", r);
    cr_expect(strstr(r, "{\"error\":\"Filter on column 'id'") != NULL, "%.500s", r);
    free(r);

    http_stop(s);
    db_close(db);
    cfg_destroy(cfg);
    unlink(path);
    free(path);
    rmdir(dir);
}
