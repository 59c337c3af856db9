/* The client side of systemd's notification protocol ($NOTIFY_SOCKET): one datagram to a
 * unix socket named by a path or, with a leading '@', an abstract name. cinit sends to its
 * parent through it; claunch relays what its container sends. No global state. */
#pragma once

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
