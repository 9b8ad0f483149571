/* Unit tests for src/ssh/sshconf.c: ssh_config pattern matching, the reader
 * (Host/Match/Include, first value wins, errors with FILE:LINE), token
 * expansion, and the merge with seeki.toml (toml wins). Table-driven. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_int.h"
#include "util/mem.h"

struct pat_case {
    const char *patterns;
    const char *name;
    bool want;
};

static const struct pat_case pat_cases[] = {
    {"bastion", "bastion", true},
    {"bastion", "Bastion", true}, /* ssh matches host names case-insensitively */
    {"bastion", "bastion2", false},
    {"bast*", "bastion.example.com", true},
    {"*.example.com", "bastion.example.com", true},
    {"*.example.com", "example.com", false},
    {"b?stion", "bastion", true},
    {"b?stion", "bstion", false},
    {"a b c", "b", true},
    {"a,b,c", "c", true},
    {"* !secret", "secret", false},
    {"* !secret", "public", true},
    {"!secret", "public", false}, /* a negation alone matches nothing */
    {"*", "", true},
    {"", "x", false},
    {"10.0.*", "10.0.12.7", true},
};

Test(sshconf, pattern_table)
{
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(pat_cases); i++) {
        const struct pat_case *c = &pat_cases[i];
        cr_expect_eq(tunnel_pattern_match(c->patterns, c->name), c->want,
                     "patterns '%s' vs '%s': want %d", c->patterns, c->name, c->want);
    }
}

struct conf_case {
    const char *name;
    const char *host;
    const char *text;
    const char *hostname; /* expected, NULL = unset */
    int port;
    const char *user;
    const char *ident0;   /* first IdentityFile (raw) */
    size_t nident;
    const char *known_hosts;
};

static const struct conf_case conf_cases[] = {
    {"simple block", "jump",
     "Host jump\n  HostName 10.0.0.5\n  Port 2200\n  User ops\n  IdentityFile ~/.ssh/j\n",
     "10.0.0.5", 2200, "ops", "~/.ssh/j", 1, NULL},
    {"other host ignored", "db",
     "Host jump\n  HostName 10.0.0.5\n  Port 2200\n", NULL, 0, NULL, NULL, 0, NULL},
    {"first value wins", "jump",
     "Host jump\n  User first\n  Port 1111\nHost *\n  User second\n  Port 2222\n", NULL, 1111,
     "first", NULL, 0, NULL},
    {"global lines apply before Host", "x", "User global\nHost x\n  User later\n", NULL, 0,
     "global", NULL, 0, NULL},
    {"key=value and case", "jump", "host jump\nhostname=h.example\nPORT = 2022\nuser\t\"me\"\n",
     "h.example", 2022, "me", NULL, 0, NULL},
    {"identities accumulate", "j",
     "Host j\n IdentityFile ~/a\nHost *\n IdentityFile ~/b\n IdentityFile none\n", NULL, 0, NULL,
     "~/a", 2, NULL},
    {"known hosts first path", "j", "Host j\n UserKnownHostsFile ~/kh1 ~/kh2\n", NULL, 0, NULL,
     NULL, 0, "~/kh1"},
    {"negated host", "secret", "Host * !secret\n User nope\n", NULL, 0, NULL, NULL, 0, NULL},
    {"match all", "j", "Match all\n User m\n", NULL, 0, "m", NULL, 0, NULL},
    {"match host", "j", "Host j\n HostName real.example\nMatch host real.*\n Port 7\n",
     "real.example", 7, NULL, NULL, 0, NULL},
    {"match exec never runs", "j", "Match exec \"true\"\n User bad\n", NULL, 0, NULL, NULL, 0,
     NULL},
    {"comments and blanks", "j", "# c\n\n   \nHost j # trailing\n  User u # c\r\n", NULL, 0,
     "u", NULL, 0, NULL},
};

Test(sshconf, parse_table)
{
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(conf_cases); i++) {
        const struct conf_case *c = &conf_cases[i];
        struct tunnel_sshconf out;
        memset(&out, 0, sizeof out);
        struct seeki_err err;
        seeki_err_clear(&err);
        enum seeki_code rc =
            tunnel_sshconf_parse(c->text, "cfg", c->host, "/home/u", "u", &out, &err);
        cr_assert_eq(rc, SEEKI_E_OK, "%s: %s", c->name, err.msg);
        if (c->hostname)
            cr_expect_str_eq(out.hostname ? out.hostname : "(null)", c->hostname, "%s", c->name);
        else
            cr_expect_null(out.hostname, "%s: hostname %s", c->name, out.hostname);
        cr_expect_eq(out.port, c->port, "%s: port %d", c->name, out.port);
        if (c->user)
            cr_expect_str_eq(out.user ? out.user : "(null)", c->user, "%s", c->name);
        else
            cr_expect_null(out.user, "%s: user %s", c->name, out.user);
        cr_expect_eq(out.nidentity, c->nident, "%s: %zu identities", c->name, out.nidentity);
        if (c->ident0 && out.nidentity)
            cr_expect_str_eq(out.identity[0], c->ident0, "%s", c->name);
        if (c->known_hosts)
            cr_expect_str_eq(out.known_hosts ? out.known_hosts : "(null)", c->known_hosts, "%s",
                             c->name);
        tunnel_sshconf_free(&out);
    }
}

Test(sshconf, bad_port_names_file_and_line)
{
    struct tunnel_sshconf out;
    memset(&out, 0, sizeof out);
    struct seeki_err err;
    seeki_err_clear(&err);
    enum seeki_code rc = tunnel_sshconf_parse("Host j\n\n  Port twenty\n", "/h/.ssh/config", "j",
                                              "/h", "u", &out, &err);
    cr_assert_eq(rc, SEEKI_E_CONFIG);
    cr_expect(strstr(err.msg, "/h/.ssh/config:3: Port 'twenty'") != NULL, "%s", err.msg);
    tunnel_sshconf_free(&out);
}

Test(sshconf, include_relative_to_ssh_dir)
{
    char home[] = "/tmp/seeki-sshconf-XXXXXX";
    cr_assert_not_null(mkdtemp(home));
    char *dir = xasprintf("%s/.ssh", home);
    mkdir(dir, 0700);
    char *inc = xasprintf("%s/.ssh/extra.conf", home);
    FILE *f = fopen(inc, "w");
    fputs("Host j\n  HostName included.example\n  Port 4242\n", f);
    fclose(f);
    struct tunnel_sshconf out;
    memset(&out, 0, sizeof out);
    struct seeki_err err;
    seeki_err_clear(&err);
    enum seeki_code rc = tunnel_sshconf_parse("Include extra.*\nHost j\n  Port 1\n  User after\n",
                                              "cfg", "j", home, "u", &out, &err);
    cr_assert_eq(rc, SEEKI_E_OK, "%s", err.msg);
    cr_expect_str_eq(out.hostname, "included.example");
    cr_expect_eq(out.port, 4242);
    cr_expect_str_eq(out.user, "after");
    tunnel_sshconf_free(&out);
    /* an Include loop is stopped with a message, not a crash */
    f = fopen(inc, "w");
    fputs("Include extra.conf\n", f);
    fclose(f);
    rc = tunnel_sshconf_parse("Include extra.conf\n", "cfg", "j", home, "u", &out, &err);
    cr_expect_eq(rc, SEEKI_E_CONFIG);
    cr_expect(strstr(err.msg, "Include nested more than") != NULL, "%s", err.msg);
    tunnel_sshconf_free(&out);
    unlink(inc);
    rmdir(dir);
    rmdir(home);
    free(inc);
    free(dir);
}

Test(sshconf, token_expansion)
{
    struct tunnel_tokens t = {.home = "/home/u",
                              .hostname = "10.0.0.5",
                              .host = "jump",
                              .user = "ops",
                              .local_user = "me",
                              .port = 2200};
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"~/.ssh/id", "/home/u/.ssh/id"},
        {"~", "/home/u"},
        {"~other/x", "~other/x"},
        {"%d/.ssh/%r@%h-%p", "/home/u/.ssh/ops@10.0.0.5-2200"},
        {"%n %u %%", "jump me %"},
        {"%z stays", "%z stays"},
        {"trailing %", "trailing %"},
    };
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(cases); i++) {
        char *got = tunnel_expand_tokens(cases[i].in, &t);
        cr_expect_str_eq(got, cases[i].want, "'%s'", cases[i].in);
        free(got);
    }
}

/* A struct cfg with only what the merge reads. */
static void merge_cfg(struct cfg *c, const char *host, int port, const char *user,
                      const char *key, const char *kh)
{
    memset(c, 0, sizeof *c);
    c->ssh.enabled = true;
    c->ssh.host = (char *)host;
    c->ssh.port = port;
    c->ssh.username = (char *)user;
    c->ssh.key_path = (char *)key;
    c->ssh.known_hosts_file = (char *)kh;
    c->ssh.keepalive_seconds = 15;
    c->ssh.connect_timeout_seconds = 10;
    c->path = "/etc/seeki.toml";
}

Test(sshconf, merge_toml_wins_and_config_fills)
{
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    struct seeki_err err;
    cr_assert_eq(tunnel_sshconf_parse("Host jump\n HostName 10.0.0.5\n Port 2200\n User ops\n"
                                      " IdentityFile %d/.ssh/%r_key\n"
                                      " UserKnownHostsFile ~/.ssh/kh_%h\n",
                                      "cfg", "jump", "/home/u", "me", &conf, &err),
                 SEEKI_E_OK);
    struct cfg c;
    struct tunnel_params p;

    /* seeki.toml leaves everything out: ~/.ssh/config fills it */
    merge_cfg(&c, "jump", 22, NULL, NULL, "/home/u/.ssh/known_hosts");
    tunnel_params_merge(&c, &conf, "/home/u", "me", &p);
    cr_expect_str_eq(p.host, "jump");
    cr_expect_str_eq(p.hostname, "10.0.0.5");
    cr_expect_eq(p.port, 2200);
    cr_expect_str_eq(p.user, "ops");
    cr_assert_eq(p.nkeys, 1);
    cr_expect_str_eq(p.keys[0], "/home/u/.ssh/ops_key");
    cr_expect_str_eq(p.known_hosts, "/home/u/.ssh/kh_10.0.0.5");
    cr_expect_str_eq(p.secrets_path, ".seeki.secrets");
    tunnel_params_free(&p);

    /* values set in seeki.toml win */
    merge_cfg(&c, "jump", 2022, "alice", "/k/id", "/elsewhere/kh");
    c.ssh.port_set = c.ssh.known_hosts_set = true;
    tunnel_params_merge(&c, &conf, "/home/u", "me", &p);
    cr_expect_str_eq(p.hostname, "10.0.0.5"); /* HostName has no seeki.toml key */
    cr_expect_eq(p.port, 2022);
    cr_expect_str_eq(p.user, "alice");
    cr_assert_eq(p.nkeys, 1);
    cr_expect_str_eq(p.keys[0], "/k/id");
    cr_expect_str_eq(p.known_hosts, "/elsewhere/kh");
    tunnel_params_free(&p);

    /* no ssh config at all: defaults */
    merge_cfg(&c, "bastion.example", 22, NULL, NULL, "/home/u/.ssh/known_hosts");
    tunnel_params_merge(&c, NULL, "/home/u", "me", &p);
    cr_expect_str_eq(p.hostname, "bastion.example");
    cr_expect_eq(p.port, 22);
    cr_expect_str_eq(p.user, "me");
    cr_expect_eq(p.nkeys, 0);
    cr_expect_str_eq(p.known_hosts, "/home/u/.ssh/known_hosts");
    tunnel_params_free(&p);
    tunnel_sshconf_free(&conf);
}

/* Round-1 review debt: `port = 22` written in seeki.toml used to lose to a
 * Port line, because the default 22 and an explicit 22 looked the same. */
Test(sshconf, merge_explicit_default_values_still_beat_ssh_config)
{
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    struct seeki_err err;
    cr_assert_eq(tunnel_sshconf_parse("Host jump\n Port 2200\n User ops\n"
                                      " UserKnownHostsFile ~/.ssh/other_kh\n",
                                      "cfg", "jump", "/home/u", "me", &conf, &err),
                 SEEKI_E_OK);
    struct cfg c;
    struct tunnel_params p;
    merge_cfg(&c, "jump", 22, "me", NULL, "/home/u/.ssh/known_hosts");
    c.ssh.port_set = true;        /* port = 22 written in the file */
    c.ssh.known_hosts_set = true; /* known_hosts_file = "~/.ssh/known_hosts" written */
    tunnel_params_merge(&c, &conf, "/home/u", "me", &p);
    cr_expect_eq(p.port, 22, "explicit port = 22 must beat Port 2200, got %d", p.port);
    cr_expect_str_eq(p.user, "me");
    cr_expect_str_eq(p.known_hosts, "/home/u/.ssh/known_hosts");
    tunnel_params_free(&p);
    tunnel_sshconf_free(&conf);
}

Test(sshconf, certificate_and_proxy_settings)
{
    struct tunnel_sshconf conf;
    memset(&conf, 0, sizeof conf);
    struct seeki_err err;
    cr_assert_eq(tunnel_sshconf_parse("Host inner\n CertificateFile ~/.ssh/%r-cert.pub\n"
                                      " ProxyJump ops@edge:2222,mid\n ProxyCommand nc %h %p\n",
                                      "cfg", "inner", "/home/u", "me", &conf, &err),
                 SEEKI_E_OK);
    cr_expect_str_eq(conf.proxyjump, "ops@edge:2222,mid");
    cr_expect_null(conf.proxycommand, "ProxyJump came first: ProxyCommand is not obtained");
    struct cfg c;
    struct tunnel_params p;
    merge_cfg(&c, "inner", 22, "ops", NULL, NULL);
    tunnel_params_merge(&c, &conf, "/home/u", "me", &p);
    cr_expect_str_eq(p.cert, "/home/u/.ssh/ops-cert.pub");
    cr_expect_eq(p.hop, 1);
    cr_expect_eq(p.nhops, 1);
    tunnel_params_free(&p);
    c.ssh.certificate_path = "/etc/certs/mine-cert.pub"; /* seeki.toml wins */
    tunnel_params_merge(&c, &conf, "/home/u", "me", &p);
    cr_expect_str_eq(p.cert, "/etc/certs/mine-cert.pub");
    tunnel_params_free(&p);
    tunnel_sshconf_free(&conf);

    memset(&conf, 0, sizeof conf);
    cr_assert_eq(tunnel_sshconf_parse("Host *\n ProxyCommand ssh -W %h:%p edge\n ProxyJump x\n",
                                      "cfg", "inner", "/home/u", "me", &conf, &err),
                 SEEKI_E_OK);
    cr_expect_str_eq(conf.proxycommand, "ssh");
    cr_expect(conf.proxycommand_first);
    cr_expect_null(conf.proxyjump);
    tunnel_sshconf_free(&conf);
}

Test(sshconf, params_free_wipes_and_accepts_null)
{
    tunnel_params_free(NULL);
    tunnel_sshconf_free(NULL);
    struct cfg c;
    merge_cfg(&c, "h", 22, "u", "/k", "/kh");
    c.secrets.key_passphrase = "pass phrase";
    c.secrets.ssh_password = "pw";
    struct tunnel_params p;
    tunnel_params_merge(&c, NULL, "/home/u", "me", &p);
    cr_expect_str_eq(p.key_passphrase, "pass phrase");
    cr_expect_str_eq(p.password, "pw");
    cr_expect_neq((void *)p.password, (void *)c.secrets.ssh_password, "must be a copy");
    tunnel_params_free(&p);
    cr_expect_null(p.password);
}
