/* All signals cinit can take are blocked and read from one signalfd; the child gets the mask
 * cinit started with. Forwarding applies the rewrite table and the process-group choice. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/types.h>

struct signals {
	int fd;			/* signalfd, O_CLOEXEC, blocking */
	sigset_t original_mask; /* restored in the child before exec */
};

/* Blocks every signal and opens the signalfd. */
int signals_setup(struct signals *signals);
void signals_close(struct signals *signals);

/* Reads pending signals (blocking until there is one) and calls fn for each; returns 0 or the
 * first negative value fn returns. */
int signals_drain(struct signals *signals, int (*fn)(const struct signalfd_siginfo *si, void *data),
		  void *data);

/* True for signals that are never forwarded: SIGCHLD, and those no one can catch. */
bool signals_is_internal(int sig);

/* Sends sig to pid, or to its process group when group is set. Returns 0 or -errno; ESRCH is
 * 0 (the target is already gone, which is a race the reaper will tell about). */
int signals_send(pid_t pid, int sig, bool group);
