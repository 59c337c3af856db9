/* claunch's command line and `--config FILE.container`: docker-run-like flags and the
 * [Container] keys that mirror them, read into one struct claunch_options. Nothing here has a
 * side effect beyond reading files: every value is checked before claunch creates anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cgdriver/cgdriver.h"
#include "common/unitfile.h"

#define CLAUNCH_NAME_PREFIX "claunch-"

enum claunch_net {
	CLAUNCH_NET_NONE, /* own network namespace with only lo, up (default) */
	CLAUNCH_NET_HOST,
};

enum claunch_cgroup_driver {
	CLAUNCH_CGROUP_AUTO,
	CLAUNCH_CGROUP_CGROUPFS,
	CLAUNCH_CGROUP_SYSTEMD,
};

enum claunch_seccomp {
	CLAUNCH_SECCOMP_DEFAULT,
	CLAUNCH_SECCOMP_UNCONFINED,
	CLAUNCH_SECCOMP_FILE,
};

struct claunch_bind {
	char *source;
	char *destination;
	bool read_only;
};

struct claunch_tmpfs {
	char *destination;
	char *options; /* "size=64m,mode=1777" after "DST:", or NULL */
};

struct claunch_options {
	char *name;   /* --name; "claunch-" + 8 random hex digits when not given */
	char *config; /* --config FILE.container, NULL when none */

	struct cg_limits limits; /* limits.cpuset_cpus points into cpuset_cpus */
	uint64_t nanocpus;	 /* --cpus as given (0 = none), kept for --print-config */
	char *cpuset_cpus;

	char *rootfs; /* --rootfs, NULL: the host's filesystem */
	struct claunch_bind *binds;
	size_t n_binds;
	struct claunch_tmpfs *tmpfs;
	size_t n_tmpfs;
	bool read_only;

	char *hostname;
	enum claunch_net net;

	char **env; /* "K=V", NULL-terminated (NULL when empty); -e K is resolved here */
	size_t n_env;
	char **env_files; /* NULL-terminated paths (checked readable) */
	size_t n_env_files;
	char *working_dir;
	char *user;  /* UID or user name, NULL when not given */
	char *group; /* GID or group name after ":", NULL when not given */

	char **cap_add; /* normalized "CAP_SYS_ADMIN" or "ALL", NULL-terminated */
	size_t n_cap_add;
	char **cap_drop;
	size_t n_cap_drop;
	char **security_opt; /* as given, NULL-terminated; the fields below are derived */
	size_t n_security_opt;
	bool no_new_privileges;
	enum claunch_seccomp seccomp;
	char *seccomp_file; /* CLAUNCH_SECCOMP_FILE */

	enum claunch_cgroup_driver cgroup_driver;
	char *cgroup_parent; /* NULL: "/claunch" */

	char *units; /* --units DIR */
	bool no_init;
	bool tty;
	bool interactive;
	bool privileged;
	bool print_config;
	bool generate_unit;
	char *restart; /* --restart: docker's policy, for --generate-unit's Restart=; NULL: no */

	char **command;	   /* NULL-terminated, NULL when none */
	int command_index; /* argv index where the command begins (argc: none given) */
	size_t n_command;
};

/* Reads argv (argv[0] is the program) into ret, which the caller frees with
 * claunch_options_free() whatever the result. With --config, the file is read first and the
 * flags applied over it (list flags append to the file's lists; the command after the options
 * replaces Exec=). Returns 0; 1 when --help or --version was printed on stdout (exit 0); or
 * -EINVAL (-ENOMEM) with one line in err naming the flag and value (`--memory: "256q" is not a
 * size`) or FILE:LINE (`web.container:3: Memory: "256q" is not a size`). The caller prints
 * it as `claunch: ERR` and exits 125, as docker run does for its own errors.
 * Warnings (unknown keys or sections of the config) go to warn, or log_warning() when NULL. */
int claunch_parse_full(int argc, char **argv, struct claunch_options *ret, char *err,
		       size_t err_size, void (*warn)(void *data, const char *message), void *data);
int claunch_parse(int argc, char **argv, struct claunch_options *ret, char *err, size_t err_size);

/* Applies the [Container] section of text (as file FILENAME) to o; used by --config and for
 * tests. Errors in diag->error as "FILE:LINE: ..."; warnings through diag->warn. */
int claunch_config_parse_string(const char *filename, const char *text, struct claunch_options *o,
				struct unit_diag *diag);

/* Sets the defaults (no limits, seccomp default, ...) without a name. */
void claunch_options_init(struct claunch_options *o);

/* "claunch-" and 8 random hex digits (getrandom). Returns 0 or -errno. */
int claunch_generate_name(char *buf, size_t size);

/* Writes the effective options as a [Container] file, which parses back to the same options. */
int claunch_print_config(const struct claunch_options *o, FILE *out);

void claunch_options_free(struct claunch_options *o);
