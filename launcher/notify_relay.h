/* Type=notify through a container: when claunch runs under a service manager
 * ($NOTIFY_SOCKET), the container gets a socket of claunch's (cinit or, with --no-init, the
 * command reports READY=1, STATUS=, STOPPING=1 on it) and claunch passes those messages on,
 * as the service's main process (MAINPID=claunch): systemd accepts them only from its own
 * cgroup and cannot reach into the container's network namespace anyway. */
#pragma once

#include <stdbool.h>

struct notify_relay {
	int fd;	      /* -1: no $NOTIFY_SOCKET, nothing to relay */
	char *path;   /* our socket: /run/claunch/NAME.notify */
	char *target; /* $NOTIFY_SOCKET */
};

/* Binds the relay socket when $NOTIFY_SOCKET is set (nothing otherwise: r->fd stays -1).
 * dir is claunch's state directory. Returns 0 or -errno. */
int notify_relay_open(struct notify_relay *r, const char *dir, const char *name);
/* The socket is readable: forwards each datagram's known keys, with MAINPID= of claunch on
 * READY=1; a container's own MAINPID= (a pid of its namespace) is dropped. */
void notify_relay_forward(struct notify_relay *r);
/* A message of claunch's own to the service manager (0 when there is none). */
int notify_relay_send(struct notify_relay *r, const char *message);
/* Closes and removes the socket. */
void notify_relay_close(struct notify_relay *r);
