/* Type=notify through a container: when claunch runs under a service manager
 * ($NOTIFY_SOCKET), the container gets a socket of claunch's (cinit or, with --no-init, the
 * command reports READY=1, STATUS=, STOPPING=1 on it) and claunch passes those messages on,
 * as the service's main process (MAINPID=claunch): systemd accepts them only from its own
 * cgroup and cannot reach into the container's network namespace anyway. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct notify_relay {
	int fd;		     /* -1: no $NOTIFY_SOCKET, nothing to relay */
	char *path;	     /* our socket: /run/claunch/NAME.notify */
	ino_t inode;	     /* of the socket file we bound */
	char *target;	     /* $NOTIFY_SOCKET */
	pid_t container_pid; /* messages are taken from its pid namespace only */
};

/* Binds the relay socket when $NOTIFY_SOCKET is set (nothing otherwise: r->fd stays -1).
 * dir is claunch's state directory; stale sockets of SIGKILLed runs there are removed.
 * Returns 0, -EEXIST when a running claunch of that name has the socket, or -errno. */
int notify_relay_open(struct notify_relay *r, const char *dir, const char *name);
/* The container's PID 1: only processes of its pid namespace are relayed. */
void notify_relay_set_container(struct notify_relay *r, pid_t pid);
/* The socket is readable: forwards each datagram's known keys (lines split on "\n" and "\r",
 * as systemd does), then MAINPID= of claunch after READY=1. A container's own MAINPID= (a
 * pid of its namespace) is dropped, and so is a message too long, with a NUL, or not from the
 * container. */
void notify_relay_forward(struct notify_relay *r);
/* A message of claunch's own to the service manager (0 when there is none). */
int notify_relay_send(struct notify_relay *r, const char *message);
/* Closes the socket and removes it if it is still the one bound here. */
void notify_relay_close(struct notify_relay *r);
