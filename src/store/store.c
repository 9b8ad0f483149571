/* store/store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/mem.h"

char *store_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

int store_mkdirs(const char *dir, char *bad, size_t badn)
{
    char *p = xstrdup(dir);
    int rc = 0;
    size_t n = strlen(p);
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        struct stat st;
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                rc = -1;
            }
        } else if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = -1;
        }
        if (rc != 0 && bad && badn)
            snprintf(bad, badn, "%s", p);
        p[i] = c;
    }
    free(p);
    return rc;
}

int store_append_line(const char *path, const char *line)
{
    char *dir = store_dir_of(path);
    int rc = store_mkdirs(dir, NULL, 0);
    free(dir);
    if (rc != 0)
        return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        char last = '\n';
        int rfd = open(path, O_RDONLY | O_CLOEXEC);
        if (rfd >= 0) {
            if (pread(rfd, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            close(rfd);
        }
        if (last != '\n' && write(fd, "\n", 1) != 1)
            goto fail;
    }
    size_t len = strlen(line);
    if (write(fd, line, len) != (ssize_t)len || fsync(fd) != 0)
        goto fail;
    return close(fd);
fail: {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}
}

int store_fsync(const char *path, bool dir)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0)
        return -1;
    int r = fsync(fd), e = errno;
    close(fd);
    errno = e;
    return r;
}

int store_commit(const char *tmp, const char *path, bool *placed)
{
    *placed = false;
    if (store_fsync(tmp, false) != 0 || rename(tmp, path) != 0)
        return -1;
    *placed = true;
    char *dir = store_dir_of(path);
    int r = store_fsync(dir, true);
    free(dir);
    return r;
}

int store_write_new(const char *path, const char *data, size_t len)
{
    char *dir = store_dir_of(path);
    int rc = store_mkdirs(dir, NULL, 0);
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = rc == 0 ? mkostemp(tmp, O_CLOEXEC) : -1; /* mode 0600 */
    int e = 0;
    if (fd < 0) {
        e = errno;
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            break;
        }
        off += (size_t)w;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && link(tmp, path) != 0) /* link, unlike rename, never replaces */
        e = errno;
    (void)unlink(tmp);
    if (!e && store_fsync(dir, true) != 0)
        e = errno;
out:
    free(tmp);
    free(dir);
    if (e || rc != 0) {
        if (e)
            errno = e;
        return -1;
    }
    return 0;
}
