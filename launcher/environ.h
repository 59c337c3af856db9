/* The container's environment, built as docker run builds it: PATH and HOSTNAME (and TERM with
 * -t) first, then each --env-file in order, then each -e, a later NAME replacing an earlier one.
 * The launcher's own environment is not passed on, except for `-e NAME` and bare NAME lines of
 * an env file, which copy the launcher's value (and are skipped when it has none). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "launcher/cli.h"

#define ENVIRON_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Returns 0 with a NULL-terminated array the caller frees with environ_free(), or -EINVAL with
 * one line in err (`--env-file app.env:3: "A B=1": a variable name cannot contain spaces`) or
 * -ENOMEM / -errno of reading a file. */
int environ_build(const struct claunch_options *o, const char *hostname, char ***ret, char *err,
		  size_t err_size);
void environ_free(char **env);

/* Sets NAME=VALUE in *env (replacing NAME), growing the array. Returns 0 or -ENOMEM. */
int environ_set(char ***env, const char *name, const char *value);
