#include "config.h"

#include "init/signals.h"
#include "common/util.h"

#include <sys/signalfd.h>

/* Signals that report cinit's own faults: leave them unblocked so a bug kills cinit loudly
 * instead of looping on a blocked fault. */
static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT };

bool signals_is_internal(int sig)
{
	size_t i;

	if (sig == SIGCHLD || sig == SIGKILL || sig == SIGSTOP)
		return true;
	for (i = 0; i < ELEMENTSOF(fault_signals); i++)
		if (fault_signals[i] == sig)
			return true;
	return false;
}

int signals_setup(struct signals *signals)
{
	sigset_t mask;
	size_t i;

	signals->fd = -1;
	if (sigfillset(&mask) < 0)
		return -errno;
	for (i = 0; i < ELEMENTSOF(fault_signals); i++)
		(void)sigdelset(&mask, fault_signals[i]);
	if (sigprocmask(SIG_SETMASK, &mask, &signals->original_mask) < 0)
		return -errno;
	signals->fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
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

	for (;;) {
		ssize_t n = util_read(signals->fd, si, sizeof(si));
		size_t i;

		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			int r = fn(&si[i], data);
			if (r < 0)
				return r;
		}
		if ((size_t)n < sizeof(si))
			return 0;
	}
}

int signals_send(pid_t pid, int sig, bool group)
{
	if (pid <= 0)
		return -EINVAL;
	if (kill(group ? -pid : pid, sig) < 0 && errno != ESRCH)
		return -errno;
	return 0;
}
