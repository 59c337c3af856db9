/* The container's first process: cloned into new namespaces (and, on cgroup v2, straight into its
 * cgroup), held on a sync pipe until the launcher has put it in its cgroup, then it sets up its
 * filesystem, hostname, network, user, capabilities and seccomp filter and execs cinit (or the
 * command with --no-init). A failure before the exec comes back to the launcher as one line
 * and an exit code (125 set-up, 126 cannot execute, 127 not found) through a CLOEXEC pipe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "launcher/cli.h"
#include "launcher/rootfs.h"
#include "launcher/security.h"

#define CONTAINER_EXIT_SETUP	   125
#define CONTAINER_EXIT_CANNOT_EXEC 126
#define CONTAINER_EXIT_NOT_FOUND   127

struct container_config {
	const struct claunch_options *options;
	struct rootfs_config rootfs;
	int exec_fd;   /* O_PATH fd of cinit, executed with execveat; -1: execvp(argv[0]) */
	char **argv;   /* NULL-terminated */
	char **envp;   /* the container's whole environment */
	uint64_t caps; /* security_caps_compute() */
	const struct security_filter *filter; /* security_seccomp_prepare() */
	int cgroup_fd;			      /* cgroup v2 directory for CLONE_INTO_CGROUP, or -1 */
	int stdio[3];			      /* the child's 0, 1, 2 */
	bool controlling_tty; /* stdio[0] is a pty slave that becomes the controlling terminal */
	const char *hostname; /* NULL: keep the host's */
	bool new_net;	      /* own network namespace (lo only, up) */
	int close_fd;	      /* closed first thing in the child (the launcher's lock), or -1 */
	int listen_fds;	      /* socket activation: fds 3.. go into the container too */
};

struct container {
	pid_t pid;	/* in the launcher's pid namespace */
	int sync_fd;	/* write end: one byte releases the child, closing it kills the set-up */
	int status_fd;	/* read end: EOF at exec, or "CODE MESSAGE" */
	bool in_cgroup; /* cloned with CLONE_INTO_CGROUP: no attach needed */
};

/* Clones the child. It sets up its mounts, hostname and network at once, then waits for
 * container_release() before it enters its cgroup namespace, drops privileges and execs.
 * Returns 0 or -errno. */
int container_spawn(const struct container_config *c, struct container *ret);

/* Lets the child go on, then waits until it has exec'd or failed. Returns 0 when it exec'd;
 * otherwise the exit code the launcher should use (125, 126 or 127) with the child's one-line
 * reason in err. The child has then exited (it is not reaped here). */
int container_release(struct container *ct, char *err, size_t err_size);

/* Gives up on a child that was not released: it exits at once. Returns the child's own
 * exit code (> 0) with its message in err when it had already failed in its set-up, else 0. */
int container_abort(struct container *ct, char *err, size_t err_size);

/* Closes the fds; the process is the caller's to reap. */
void container_close(struct container *ct);
