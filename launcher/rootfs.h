/* The container's filesystem view, set up in claunch's child (PID 1 of its new pid namespace,
 * alone in a new mount namespace, real root) before it execs: a fresh /proc, and with a root
 * directory a minimal /dev, /sys, /run and pivot_root into it; the --bind, --tmpfs and --units
 * mounts; docker's masked and read-only paths; --read-only. Nothing propagates to the host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "launcher/cli.h"

struct rootfs_config {
	const char *rootfs; /* NULL: the host's filesystem */
	const struct claunch_bind *binds;
	size_t n_binds;
	const struct claunch_tmpfs *tmpfs;
	size_t n_tmpfs;
	bool read_only;	     /* --read-only: the root is mounted read-only */
	const char *units;   /* --units DIR on the host, or NULL: bound read-only, see below */
	const char *console; /* path of a pty slave (/dev/pts/N of the host) to appear as
				/dev/console, or NULL */
	bool privileged;     /* --privileged: no masked paths, /sys and /proc/sys writable */
	const char *notify_socket; /* the launcher's notify relay socket (host path), or NULL */
};

/* Where the container reaches notify_socket: "/run/notify" with a rootfs, the host path
 * without one; NULL when there is none. */
const char *rootfs_notify_path(const struct rootfs_config *c);

/* Path the units directory has inside the container: "/run/cinit-units" with a rootfs, the
 * host path itself without one; NULL when c->units is NULL. */
const char *rootfs_units_path(const struct rootfs_config *c);

/* Sets up the mount namespace. Returns 0, or -errno with one line in err such as
 * `mount /proc: Operation not permitted` or `--bind /x:/y: /x: No such file or directory`.
 * Paths in messages are the container's. Without a rootfs nothing is created on the host:
 * --bind and --tmpfs destinations must exist; with one, missing destinations are created
 * inside it (directories, or an empty file for a bind of a non-directory), resolved so that
 * symlinks in the rootfs cannot lead out of it (openat2 RESOLVE_IN_ROOT, Linux 5.6). On
 * success with a rootfs, the process's root is the rootfs and its cwd "/". Nothing is undone
 * on failure: the mount namespace dies with the process. */
int rootfs_setup(const struct rootfs_config *c, char *err, size_t err_size);

/* With a rootfs, after the process entered its cgroup namespace: the container's own view of
 * its cgroups at /sys/fs/cgroup, read-only unless privileged, as docker mounts it (cgroup2, or
 * on v1 and hybrid hosts a tmpfs with one mount per hierarchy, co-mounted controllers linked
 * by each name). Programs read their limits there (JVMs, Go's GOMAXPROCS helpers). Without a
 * rootfs, on a v2 host: the container's own cgroup2, writable, over the host's tree (for cinit's
 * per-service cgroups); on v1 the host's mounts stay. Returns 0 or -errno with one line in err. */
int rootfs_mount_cgroups(const struct rootfs_config *c, char *err, size_t err_size);
