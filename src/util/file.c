/* Whole-file reads, bounded and EINTR-safe, for every file SeeKi reads in
 * full (seeki.toml, .seeki.secrets). Never blocks on a FIFO or device. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/mem.h"

enum seeki_code file_read_all(const char *path, const char *what, size_t max, char **out,
                              size_t *len, struct stat *st_out, struct seeki_err *err)
{
    *out = NULL;
    *len = 0;
    struct stat st;
    char *data = NULL;
    size_t n = 0;
    /* O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer;
     * anything that is not a regular file is refused right after fstat */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s '%s' cannot be read: %s; check that it exists and that your user "
                          "may read it (ls -l '%s')",
                          what, path, strerror(errno), path);
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return seeki_fail(err, SEEKI_E_CONFIG, "%s '%s' cannot be read: %s", what, path,
                          strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s '%s' is not a regular file (%s); point SeeKi at a regular file",
                          what, path,
                          S_ISFIFO(st.st_mode)  ? "a FIFO"
                          : S_ISDIR(st.st_mode) ? "a directory"
                          : S_ISSOCK(st.st_mode) ? "a socket"
                                                 : "a device");
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if ((size_t)st.st_size > max) {
        close(fd);
        return seeki_fail(err, SEEKI_E_CONFIG,
                          "%s '%s' is larger than %zu bytes; is it really a SeeKi TOML file?",
                          what, path, max);
    }
    data = xmalloc((size_t)st.st_size + 1);
    for (;;) {
        if (n == (size_t)st.st_size) {
            /* The file may have grown since fstat: one more byte tells. */
            char extra;
            ssize_t r = read(fd, &extra, 1);
            if (r == 0)
                break;
            if (r < 0 && errno == EINTR)
                continue;
            close(fd);
            free(data);
            return seeki_fail(err, SEEKI_E_CONFIG,
                              "%s '%s' changed while being read; try again", what, path);
        }
        ssize_t r = read(fd, data + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            close(fd);
            free(data);
            return seeki_fail(err, SEEKI_E_CONFIG, "%s '%s' cannot be read: %s", what, path,
                              strerror(e));
        }
        n += (size_t)r;
    }
    close(fd);
    data[n] = '\0';
    *out = data;
    *len = n;
    if (st_out)
        *st_out = st;
    return SEEKI_E_OK;
}
