/* Unit tests for src/ssh/hostkeys.c: SHA256 fingerprints as ssh-keygen -l
 * prints them, known_hosts line matching (plain, hashed, [host]:port,
 * patterns, @revoked, malformed) from a table, file scans with line numbers,
 * and appends that create ~/.ssh 0700 / known_hosts 0600 without touching
 * existing modes. The keys and hashed lines were made with ssh-keygen. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_int.h"
#include "util/mem.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAICDntwmtENtc4apaNfforoE0p1mJcc3LSyvm6YKCnJFe"
#define K1_FP "SHA256:u4lCmYgDgmpyEg5JQu3ugfOiRz0EsIaoeu5+EjTlkK0"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIOAT2neiGmzDNd2LlARLAN69H3K1TvkmAd/01xOtxeZd"
#define K2_FP "SHA256:DyfRxl41YBRweLNKRyibBxtiC2m8B5z53W2FSYj0s+A"
/* `ssh-keygen -H` of "[bastion.example]:2222 K1" and "bastion.example K1" */
#define HASHED_2222 "|1|WFcpRwXE90CBc+4HddnNYCeEJJ4=|VZOgiVoXOuff8lt/PkxsuGDh2bU="
#define HASHED_22 "|1|IfaQgZafHU/A9/QI5G9gPIQinFg=|dKi2G99MLv/35cr0MCoYko154/g="

static ssh_key key_from(const char *b64)
{
    ssh_key k = NULL;
    cr_assert_eq(ssh_pki_import_pubkey_base64(b64, SSH_KEYTYPE_ED25519, &k), SSH_OK);
    return k;
}

Test(hostkeys, fingerprint_matches_ssh_keygen)
{
    ssh_key k1 = key_from(K1), k2 = key_from(K2);
    char *f1 = tunnel_fingerprint(k1), *f2 = tunnel_fingerprint(k2);
    cr_expect_str_eq(f1, K1_FP);
    cr_expect_str_eq(f2, K2_FP);
    free(f1);
    free(f2);
    ssh_key_free(k1);
    ssh_key_free(k2);
}

Test(hostkeys, known_host_name)
{
    char *a = tunnel_known_host_name("bastion.example", 22);
    char *b = tunnel_known_host_name("bastion.example", 2222);
    char *c = tunnel_known_host_name("fd00::1", 2222);
    cr_expect_str_eq(a, "bastion.example");
    cr_expect_str_eq(b, "[bastion.example]:2222");
    cr_expect_str_eq(c, "[fd00::1]:2222");
    free(a);
    free(b);
    free(c);
}

struct line_case {
    const char *line;
    const char *name;
    int want; /* -1 = not about this host, else TUNNEL_HK_* */
};

static const struct line_case line_cases[] = {
    {"bastion.example ssh-ed25519 " K1, "bastion.example", TUNNEL_HK_OK},
    {"bastion.example ssh-ed25519 " K1 " comment here\n", "bastion.example", TUNNEL_HK_OK},
    {"bastion.example ssh-ed25519 " K2, "bastion.example", TUNNEL_HK_CHANGED},
    {"other.example ssh-ed25519 " K1, "bastion.example", -1},
    {"[bastion.example]:2222 ssh-ed25519 " K1, "[bastion.example]:2222", TUNNEL_HK_OK},
    {"[bastion.example]:2222 ssh-ed25519 " K1, "bastion.example", -1},
    {"bastion.example ssh-ed25519 " K1, "[bastion.example]:2222", -1},
    {HASHED_2222 " ssh-ed25519 " K1, "[bastion.example]:2222", TUNNEL_HK_OK},
    {HASHED_2222 " ssh-ed25519 " K1, "bastion.example", -1},
    {HASHED_22 " ssh-ed25519 " K1, "bastion.example", TUNNEL_HK_OK},
    {HASHED_22 " ssh-ed25519 " K2, "bastion.example", TUNNEL_HK_CHANGED},
    {"a.example,bastion.example,10.0.0.5 ssh-ed25519 " K1, "10.0.0.5", TUNNEL_HK_OK},
    {"*.example ssh-ed25519 " K1, "bastion.example", TUNNEL_HK_OK},
    {"@revoked bastion.example ssh-ed25519 " K1, "bastion.example", TUNNEL_HK_REVOKED},
    {"@revoked bastion.example ssh-ed25519 " K2, "bastion.example", -1},
    {"@cert-authority *.example ssh-ed25519 " K1, "bastion.example", -1},
    {"# bastion.example ssh-ed25519 " K1, "bastion.example", -1},
    {"   ", "bastion.example", -1},
    {"", "bastion.example", -1},
    {"bastion.example ssh-ed25519 not-base64!!", "bastion.example", -1},
    {"bastion.example", "bastion.example", -1},
};

Test(hostkeys, line_table)
{
    ssh_key k1 = key_from(K1);
    for (size_t i = 0; i < SEEKI_ARRAY_LEN(line_cases); i++) {
        const struct line_case *c = &line_cases[i];
        ssh_key known = NULL;
        int got = tunnel_known_hosts_line(c->line, c->name, k1, &known);
        cr_expect_eq(got, c->want, "line %zu '%s' for %s: got %d want %d", i, c->line, c->name,
                     got, c->want);
        if (got == TUNNEL_HK_CHANGED) {
            cr_expect_not_null(known, "the recorded key is returned");
            char *fp = tunnel_fingerprint(known);
            cr_expect_str_eq(fp, K2_FP);
            free(fp);
        }
        ssh_key_free(known);
    }
    ssh_key_free(k1);
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

Test(hostkeys, lookup_reports_line_numbers)
{
    char dir[] = "/tmp/seeki-hk-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ssh_key k1 = key_from(K1);
    struct seeki_err err;
    struct tunnel_hk_lookup l;

    char *kh = write_tmp(dir, "kh1",
                         "# comment\n"
                         "other.example ssh-ed25519 " K1 "\n"
                         "\n" HASHED_2222 " ssh-ed25519 " K2 "\n");
    cr_assert_eq(tunnel_known_hosts_lookup(kh, "[bastion.example]:2222", k1, &l, &err),
                 SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_CHANGED);
    cr_expect_eq(l.line, 4);
    cr_expect_str_eq(l.known_fp, K2_FP);
    cr_expect_str_eq(l.known_type, "ssh-ed25519");
    tunnel_hk_lookup_free(&l);

    /* a matching line anywhere wins over a stale one */
    char *kh2 = write_tmp(dir, "kh2",
                          "bastion.example ssh-ed25519 " K2 "\nbastion.example ssh-ed25519 " K1
                          "\n");
    cr_assert_eq(tunnel_known_hosts_lookup(kh2, "bastion.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_OK);
    cr_expect_eq(l.line, 2);
    tunnel_hk_lookup_free(&l);

    /* revoked beats everything */
    char *kh3 = write_tmp(dir, "kh3",
                          "bastion.example ssh-ed25519 " K1
                          "\n@revoked * ssh-ed25519 " K1 "\n");
    cr_assert_eq(tunnel_known_hosts_lookup(kh3, "bastion.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_REVOKED);
    cr_expect_eq(l.line, 2);
    tunnel_hk_lookup_free(&l);

    /* absent file and unknown host */
    char *none = xasprintf("%s/absent", dir);
    cr_assert_eq(tunnel_known_hosts_lookup(none, "bastion.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_UNKNOWN);
    cr_assert_eq(tunnel_known_hosts_lookup(kh, "new.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_UNKNOWN);

    unlink(kh);
    unlink(kh2);
    unlink(kh3);
    rmdir(dir);
    free(kh);
    free(kh2);
    free(kh3);
    free(none);
    ssh_key_free(k1);
}

Test(hostkeys, append_creates_private_modes_and_keeps_existing)
{
    char dir[] = "/tmp/seeki-hk-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ssh_key k1 = key_from(K1);
    struct seeki_err err;
    seeki_err_clear(&err);

    /* new directories 0700, new file 0600 */
    char *kh = xasprintf("%s/home/.ssh/known_hosts", dir);
    cr_assert_eq(tunnel_known_hosts_append(kh, "[b.example]:2222", k1, &err), SEEKI_E_OK,
                 "%s", err.msg);
    struct stat st;
    char *sshdir = xasprintf("%s/home/.ssh", dir);
    char *homedir = xasprintf("%s/home", dir);
    cr_assert_eq(stat(sshdir, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0700, "dir mode %o", st.st_mode & 07777);
    cr_assert_eq(stat(homedir, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0700, "parent mode %o", st.st_mode & 07777);
    cr_assert_eq(stat(kh, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0600, "file mode %o", st.st_mode & 07777);
    struct tunnel_hk_lookup l;
    cr_assert_eq(tunnel_known_hosts_lookup(kh, "[b.example]:2222", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_OK);
    cr_expect_eq(l.line, 1);

    /* an existing 0644 file without a final newline: mode kept, entry on its own line */
    char *kh2 = write_tmp(dir, "kh2", "other.example ssh-ed25519 " K2);
    chmod(kh2, 0644);
    cr_assert_eq(tunnel_known_hosts_append(kh2, "b.example", k1, &err), SEEKI_E_OK);
    cr_assert_eq(stat(kh2, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0644);
    cr_assert_eq(tunnel_known_hosts_lookup(kh2, "b.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_OK);
    cr_expect_eq(l.line, 2);
    cr_assert_eq(tunnel_known_hosts_lookup(kh2, "other.example", k1, &l, &err), SEEKI_E_OK);
    cr_expect_eq(l.result, TUNNEL_HK_CHANGED, "the old line must survive intact");
    tunnel_hk_lookup_free(&l);

    unlink(kh);
    unlink(kh2);
    rmdir(sshdir);
    rmdir(homedir);
    rmdir(dir);
    free(kh);
    free(kh2);
    free(sshdir);
    free(homedir);
    ssh_key_free(k1);
}
