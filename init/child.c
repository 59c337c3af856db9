#include "config.h"

#include "init/child.h"
#include "common/log.h"
#include "common/sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void child_setup_group(const struct child_spec *spec)
{
	switch (spec->grouping) {
	case CHILD_OWN_PGRP:
		if (setpgid(0, 0) < 0)
			log_debug_errno(errno, "setpgid");
		/* SIGTTOU is still blocked here, so a background process may take the terminal. */
		if (spec->take_terminal && tcsetpgrp(STDIN_FILENO, getpid()) < 0)
			log_debug_errno(errno, "cannot make the command the terminal's foreground");
		break;
	case CHILD_OWN_SESSION:
		if (setsid() < 0)
			log_debug_errno(errno, "setsid");
		if (spec->take_terminal && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
			log_debug_errno(errno, "cannot attach to the controlling terminal");
		break;
	case CHILD_SAME_PGRP:
		break;
	}
}

/* Socket activation cinit was given and no service takes (init/activation.c): the fds to 3, 4,
 * ... of the command, with LISTEN_PID its pid. */
static void child_take_listen_fds(const struct child_spec *spec)
{
	int scratch[CHILD_LISTEN_FDS_MAX], r;
	char value[24];

	if (spec->n_listen_fds == 0 || spec->n_listen_fds > CHILD_LISTEN_FDS_MAX)
		return;
	r = sdnotify_fds_renumber(spec->listen_fds, spec->n_listen_fds, 3, scratch);
	if (r < 0) {
		log_warning_errno(r, "socket activation: passing %zu fds", spec->n_listen_fds);
		return;
	}
	snprintf(value, sizeof(value), "%zu", spec->n_listen_fds);
	(void)setenv("LISTEN_FDS", value, 1);
	(void)setenv("LISTEN_FDNAMES", spec->listen_names ? spec->listen_names : "", 1);
	snprintf(value, sizeof(value), "%ld", (long)getpid());
	if (setenv("LISTEN_PID", value, 1) < 0)
		log_warning_errno(errno, "cannot pass LISTEN_PID on");
}

int child_spawn(const struct child_spec *spec, pid_t *ret_pid)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int err;

		child_setup_group(spec);
		child_take_listen_fds(spec);
		if (sigprocmask(SIG_SETMASK, spec->mask, NULL) < 0)
			log_warning_errno(errno, "cannot restore the signal mask");
		execvp(spec->argv[0], spec->argv);
		err = errno;
		log_error_errno(err, "cannot execute \"%s\"", spec->argv[0]);
		_exit(err == ENOENT ? spec->exit_not_found : spec->exit_cannot_execute);
	}
	/* Also from the parent, so that a signal forwarded to the group before the child ran
	 * setpgid() finds it; EACCES means the child already exec'd, which is fine. */
	if (spec->grouping == CHILD_OWN_PGRP && setpgid(pid, pid) < 0 && errno != EACCES)
		log_debug_errno(errno, "setpgid(%d)", (int)pid);
	*ret_pid = pid;
	return 0;
}
