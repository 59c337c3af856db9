/* The sd_notify protocol: a NOTIFY_SOCKET server that services report readiness and status on,
 * and the client with which cinit reports its own to its parent (systemd, claunch). Paths are
 * absolute file names or "@name" for the abstract namespace, as in systemd's NOTIFY_SOCKET. */
#pragma once

#include "init/loop.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NOTIFY_MESSAGE_MAX 4096 /* longer datagrams are ignored, as systemd does */

/* One datagram. Absent fields: status NULL, mainpid 0, errno_value -1, extend_timeout_usec 0.
 * When a key repeats, the first assignment counts (as in systemd). */
struct notify_message {
	pid_t pid; /* sender's credentials, from the kernel */
	uid_t uid;
	bool ready;		      /* READY=1 */
	bool reloading;		      /* RELOADING=1 */
	bool stopping;		      /* STOPPING=1 */
	bool watchdog;		      /* WATCHDOG=1 */
	bool watchdog_trigger;	      /* WATCHDOG=trigger */
	const char *status;	      /* STATUS=, "" when set empty (clears the status) */
	pid_t mainpid;		      /* MAINPID= */
	int errno_value;	      /* ERRNO= */
	uint64_t extend_timeout_usec; /* EXTEND_TIMEOUT_USEC= */
};

struct notify_server;

/* Called once per accepted datagram; message and its strings are valid during the call only.
 * Whether message->pid may speak for a service is the handler's decision. Returns 0, or a
 * negative errno that stops the loop. The handler may free the server. */
typedef int (*notify_handler)(const struct notify_message *message, void *data);

/* Binds a datagram socket at path (a stale socket file there is replaced; a missing parent
 * directory is an error, -ENOENT) and watches it in loop, which must outlive the server. */
int notify_server_new(struct loop *loop, const char *path, notify_handler handler, void *data,
		      struct notify_server **ret);
/* Closes the socket and removes its file (abstract names vanish with the socket). */
void notify_server_free(struct notify_server *server);

/* Sends message as one datagram to socket_path without waiting: -EAGAIN when the receiver's
 * queue is full. Returns 0 or -errno. */
int notify_send(const char *socket_path, const char *message);
/* notify_send() to $NOTIFY_SOCKET; 0 without sending when it is unset or empty. */
int notify_send_env(const char *message);
