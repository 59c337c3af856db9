#include "config.h"

#include "init/signals.h"
#include "common/util.h"

#include <sys/signalfd.h>

bool signals_is_internal(int sig)
{
	return sig == SIGCHLD || sig == SIGKILL || sig == SIGSTOP;
}

int signals_setup(struct signals *signals)
{
	sigset_t mask;

	signals->fd = -1;
	/* Everything, the fault signals too: a real fault of cinit's own is forced through the
	 * mask by the kernel and still kills it, while a SIGABRT or SIGSEGV sent with kill() is
	 * forwarded like any other signal (as dumb-init does) instead of killing PID 1. */
	if (sigfillset(&mask) < 0)
		return -errno;
	if (sigprocmask(SIG_SETMASK, &mask, &signals->original_mask) < 0)
		return -errno;
	/* As a namespace's PID 1 the mask cinit starts with is its launcher's business (claunch
	 * keeps what it forwards blocked until cinit reads them): the commands start with none
	 * blocked, as they would as PID 1 under docker. */
	if (getpid() == 1 && sigemptyset(&signals->original_mask) < 0)
		return -errno;
	/* Blocking: the loop reads it either after epoll said it is readable, or directly when
	 * it is the only thing to wait for (see loop_add_fd_blocking()). */
	signals->fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (signals->fd < 0)
		return -errno;
	return 0;
}

void signals_close(struct signals *signals)
{
	util_closep(&signals->fd);
	signals->fd = -1;
}

int signals_drain(struct signals *signals, int (*fn)(const struct signalfd_siginfo *si, void *data),
		  void *data)
{
	struct signalfd_siginfo si[16];
	ssize_t n = util_read(signals->fd, si, sizeof(si));
	size_t i;

	/* One read only: a second could block. More than 16 pending leaves the fd readable, so
	 * the loop comes straight back. */
	if (n < 0)
		return (int)n;
	for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
		int r = fn(&si[i], data);
		if (r < 0)
			return r;
	}
	return 0;
}

int signals_send(pid_t pid, int sig, bool group)
{
	if (pid <= 0)
		return -EINVAL;
	if (group) {
		if (kill(-pid, sig) == 0)
			return 0;
		/* Between fork() and the child's setsid()/setpgid() its group does not exist
		 * yet: the child itself is all there is to signal. */
		if (errno != ESRCH)
			return -errno;
	}
	if (kill(pid, sig) < 0 && errno != ESRCH)
		return -errno;
	return 0;
}
