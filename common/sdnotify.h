/* The client side of systemd's notification protocol ($NOTIFY_SOCKET): one datagram to a
 * unix socket named by a path or, with a leading '@', an abstract name. cinit sends to its
 * parent through it; claunch relays what its container sends. And the receiving side of
 * socket activation ($LISTEN_FDS). No global state. */
#pragma once

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Fills addr for path ("/run/x" or "@name"); returns the address length or -EINVAL (not
 * absolute, not abstract) / -ENAMETOOLONG. */
int sdnotify_address(const char *path, struct sockaddr_un *addr);

/* Sends message as one datagram to path without waiting: -EAGAIN when the receiver's queue is
 * full. Returns 0 or -errno. */
int sdnotify_send(const char *path, const char *message);

/* Whether a process holds the unix socket at path (type SOCK_DGRAM or SOCK_STREAM): 0, or
 * -errno of the connection (-ECONNREFUSED: a socket file its owner left behind; -ENOENT). */
int sdnotify_probe(const char *path, int type);

/* Socket activation meant for this process: the number of fds from 3 that $LISTEN_FDS names
 * when $LISTEN_PID is our pid; 0 when there are none for us; -EINVAL when $LISTEN_FDS is not a
 * number from 1 to max. */
long sdnotify_listen_fds(long max);

/* Moves fds[0..n) to first, first+1, ... (close-on-exec cleared there), through copies made
 * above first+n in scratch[0..n), so that a source may sit where another one goes. Allocates
 * nothing (for a child between fork and exec). Returns 0 or -errno. */
int sdnotify_fds_renumber(const int *fds, size_t n, int first, int *scratch);
