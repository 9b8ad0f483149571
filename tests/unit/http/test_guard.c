/* http/guard.c and http/request.c without a socket: the Host guard table,
 * error bodies, and Content-Disposition. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/mem.h"

/* ---- Host guard ---------------------------------------------------------- */

struct host_case {
    const char *bind;
    const char *host; /* NULL = no Host header */
    bool allowed;
};

static const struct host_case host_cases[] = {
    {"127.0.0.1", NULL, true},
    {"127.0.0.1", "127.0.0.1", true},
    {"127.0.0.1", "127.0.0.1:3141", true},
    {"127.0.0.1", "localhost", true},
    {"127.0.0.1", "localhost:3141", true},
    {"127.0.0.1", "LocalHost:3141", true},
    {"127.0.0.1", "[::1]", true},
    {"127.0.0.1", "[::1]:3141", true},
    {"127.0.0.1", "[0:0:0:0:0:0:0:1]:3141", true},
    {"127.0.0.1", "evil.com", false},
    {"127.0.0.1", "evil.com:3141", false},
    {"127.0.0.1", "evil.example", false},
    {"127.0.0.1", "127.0.0.1.evil.com", false},
    {"127.0.0.1", "127.0.0.1.evil.com:3141", false},
    {"127.0.0.1", "localhost.evil.com", false},
    {"127.0.0.1", "localhost:8080", false},
    {"127.0.0.1", "127.0.0.1:80", false},
    {"127.0.0.1", "127.0.0.1:31410", false},
    {"127.0.0.1", "127.0.0.1:99999", false},
    {"127.0.0.1", "[::1]:80", false},
    {"127.0.0.1", "127.0.0.1:", false},
    {"127.0.0.1", "127.0.0.1:3141:3141", false},
    {"127.0.0.1", "127.0.0.1:3141x", false},
    {"127.0.0.1", "localhost:+3141", false},
    {"127.0.0.1", "::1", false},
    {"127.0.0.1", "[::1", false},
    {"127.0.0.1", "[localhost]:3141", false},
    {"127.0.0.1", "[127.0.0.1]:3141", false},
    {"127.0.0.1", "", false},
    {"127.0.0.1", ":3141", false},
    {"127.0.0.1", "localhost.", false},
    {"127.0.0.1", "user@localhost", false},
    {"127.0.0.1", "127.0.0.2", false},
    {"127.0.0.1", "0.0.0.0:3141", false},
    {"127.0.0.1", "10.0.0.1:3141", false},
    /* bound to a specific address: that address is accepted too */
    {"192.168.1.5", "192.168.1.5:3141", true},
    {"192.168.1.5", "192.168.1.6:3141", false},
    {"192.168.1.5", "localhost:3141", true},
    {"::1", "[::1]:3141", true},
    {"::1", "localhost:3141", true},
    {"seeki.lan", "seeki.lan:3141", true},
    {"seeki.lan", "SEEKI.LAN", true},
    {"seeki.lan", "seeki.lan.evil.com", false},
    /* bound to every interface: any address literal, still no foreign names */
    {"0.0.0.0", "192.168.1.5:3141", true},
    {"0.0.0.0", "[fe80::1]:3141", true},
    {"0.0.0.0", "evil.com:3141", false},
    {"0.0.0.0", "192.168.1.5:80", false},
    {"::", "10.1.2.3", true},
    {"::", "rebind.attacker.net", false},
};

Test(host_guard, table)
{
    for (size_t i = 0; i < sizeof host_cases / sizeof host_cases[0]; i++) {
        const struct host_case *c = &host_cases[i];
        cr_expect_eq(http_host_allowed(c->host, c->bind, 3141), c->allowed,
                     "bind %s, Host '%s': expected %s", c->bind, c->host ? c->host : "(none)",
                     c->allowed ? "allowed" : "denied");
    }
}

/* ---- error bodies --------------------------------------------------------- */

Test(resp, internal_errors_have_the_fixed_body)
{
    struct http_resp r;
    http_resp_init(&r);
    struct seeki_err e;
    seeki_fail(&e, SEEKI_E_DB, "relation \"secret_table\" does not exist");
    http_resp_fail(&r, &e, 1);
    cr_expect_eq(r.status, 500);
    cr_expect_str_eq(buf_str(&r.body), "Internal server error");
    http_resp_free(&r);

    http_resp_init(&r);
    seeki_fail(&e, SEEKI_E_TIMEOUT, "Query on 'x' ran longer than database.statement_timeout_ms");
    http_resp_fail(&r, &e, 1);
    cr_expect_eq(r.status, 504);
    cr_expect_str_eq(buf_str(&r.body), "{\"error\":\"Query on 'x' ran longer than "
                                       "database.statement_timeout_ms\"}");
    http_resp_free(&r);
}

Test(resp, error_bodies_are_valid_json_for_any_bytes)
{
    struct http_resp r;
    http_resp_init(&r);
    http_resp_error(&r, 400, "bad \"q\" \\ \n\t\x01 \xff\xfe ok \xc3\xa9");
    cr_expect_str_eq(buf_str(&r.body),
                     "{\"error\":\"bad \\\"q\\\" \\\\ \\n\\t\\u0001 \xEF\xBF\xBD\xEF\xBF\xBD ok "
                     "\xc3\xa9\"}");
    http_resp_free(&r);
}

/* ---- Content-Disposition ------------------------------------------------- */

Test(disposition, table)
{
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"drivers", "attachment; filename=\"drivers.csv\"; filename*=UTF-8''drivers.csv"},
        {"sales.orders",
         "attachment; filename=\"sales.orders.csv\"; filename*=UTF-8''sales.orders.csv"},
        {"my \"table\"; x", "attachment; filename=\"my__table___x.csv\"; "
                            "filename*=UTF-8''my%20%22table%22%3B%20x.csv"},
        {"../../etc/passwd", "attachment; filename=\".._.._etc_passwd.csv\"; "
                             "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd.csv"},
        {"Fahrzeuge \xc3\xbc", "attachment; filename=\"Fahrzeuge___.csv\"; "
                               "filename*=UTF-8''Fahrzeuge%20%C3%BC.csv"},
        {"\xe6\x97\xa5\xe6\x9c\xac",
         "attachment; filename=\"export.csv\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.csv"},
        {"x\r\nSet-Cookie: a=b", "attachment; filename=\"x__Set-Cookie__a_b.csv\"; "
                                 "filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db.csv"},
        {"..", "attachment; filename=\"export.csv\"; filename*=UTF-8''...csv"},
        {"", "attachment; filename=\"export.csv\"; filename*=UTF-8''.csv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = http_content_disposition(cases[i].name, ".csv");
        cr_expect_str_eq(got, cases[i].want, "name '%s'", cases[i].name);
        cr_expect(strpbrk(got, "\r\n") == NULL);
        free(got);
    }
    char longname[301];
    memset(longname, 'a', 300);
    longname[300] = '\0';
    char *got = http_content_disposition(longname, ".csv");
    const char *q1 = strchr(got, '"');
    const char *q2 = strchr(q1 + 1, '"');
    cr_expect_eq(q2 - q1 - 1, 100, "fallback filename capped at 100 bytes, got %td", q2 - q1 - 1);
    cr_expect(strncmp(q2 - 4, ".csv", 4) == 0);
    free(got);
}
