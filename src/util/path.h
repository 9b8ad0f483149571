/* The home directory, found one way for every module (config lookup, ~ in
 * paths, ~/.ssh, the demo database): $HOME when set and non-empty, else the
 * passwd entry's directory, else NULL (the caller says what then). */
#ifndef SEEKI_UTIL_PATH_H
#define SEEKI_UTIL_PATH_H

const char *path_home(void);

#endif
