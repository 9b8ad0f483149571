#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/path.h"

const char *path_home(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}
