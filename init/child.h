/* Starts the main command: its process group or session, the terminal, the signal mask. */
#pragma once

#include "init/options.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct child_spec {
	char **argv;
	enum child_grouping grouping;
	bool take_terminal;	 /* stdin is a tty: the child's group becomes the
				    foreground, or its new session takes the tty */
	const sigset_t *mask;	 /* signal mask for the child */
	int exit_not_found;	 /* status when exec fails with ENOENT (127) */
	int exit_cannot_execute; /* any other exec failure (126) */
	/* socket activation for the command: these fds become its 3, 4, ... */
	const int *listen_fds;
	size_t n_listen_fds;
	const char *listen_names; /* LISTEN_FDNAMES */
};

#define CHILD_LISTEN_FDS_MAX 1024

/* Forks and execs. Returns 0 and the pid, or -errno if fork failed. Exec failures are reported
 * by the child (a message naming the path) through its exit status. */
int child_spawn(const struct child_spec *spec, pid_t *ret_pid);
