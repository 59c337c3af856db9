/* The control channel of `cinit ctl ...` (status, start, stop, restart, reload, kill,
 * list-units, reload-units): a unix stream socket served inside cinit's event loop, and the
 * blocking client that `cinit ctl` runs, so that `docker exec C cinit ctl status` works.
 *
 * Wire format, one request and one reply per connection:
 *   request  "ARGC\0" "ARG0\0" ... "ARG(ARGC-1)\0"
 *            ARGC in decimal digits, 1..CONTROL_ARGC_MAX; each argument is any bytes but NUL
 *            (empty ones included, which is why the count comes first rather than an empty
 *            string ending the list). At most CONTROL_REQUEST_MAX bytes in all; bytes after the
 *            last argument are ignored. The client may half-close after sending.
 *   reply    "STATUS\n" BODY, then the server closes the connection.
 *            STATUS in decimal, 0..255, becomes the client's exit status; BODY is any text,
 *            copied to the client's stdout. The end of the connection ends the body.
 *
 * Who may connect: the server answers only peers whose SO_PEERCRED uid is 0 or cinit's
 * effective uid; others get CONTROL_EXIT_DENIED and a one-line body. The socket file is made
 * mode 0600 and is owned by cinit's euid, so file permissions admit the same set (root by
 * CAP_DAC_OVERRIDE, the owner by mode) whether cinit runs as root or, rootless, as a user; the
 * credential check is what holds when the file is reachable anyway (a chmod, another mount). */
#pragma once

#include "init/loop.h"

#include <stdbool.h>
#include <sys/types.h>

#define CONTROL_SOCKET_DEFAULT	"/run/cinit/control"
#define CONTROL_SOCKET_ENV	"CINIT_CONTROL_SOCKET" /* the client's default when set, non-empty */
#define CONTROL_REQUEST_MAX	(64 * 1024)	       /* bytes; larger requests are refused */
#define CONTROL_ARGC_MAX	1024
#define CONTROL_CONNECTIONS_MAX 64 /* open client sockets; more are answered busy and closed */

/* Exit statuses, as systemctl's where it has one (LSB init-script codes):
 *   0 ok; 1 failed (the action did not succeed, or cinit is too busy to answer);
 *   2 usage (LSB "invalid or excess arguments"; also a malformed or oversized request);
 *   3 unit not active (`status`, as `systemctl status` of a stopped unit);
 *   4 no such unit (as `systemctl status`; systemctl says 5 for start/stop of one, cinit keeps 4).
 * systemctl also says 4 for "insufficient privilege"; cinit makes that distinct, the sysexits.h
 * codes: 77 permission denied (EX_NOPERM, sent by the server), and 69 (EX_UNAVAILABLE), which
 * the server never sends: the client's own failures (no socket, no or a malformed reply). */
#define CONTROL_EXIT_OK		 0
#define CONTROL_EXIT_FAILED	 1
#define CONTROL_EXIT_USAGE	 2
#define CONTROL_EXIT_INACTIVE	 3
#define CONTROL_EXIT_NO_UNIT	 4
#define CONTROL_EXIT_UNAVAILABLE 69
#define CONTROL_EXIT_DENIED	 77

#define CONTROL_USAGE                                                                              \
	"usage: cinit ctl status [NAME] [--json] | start NAME | stop NAME | restart NAME | "       \
	"reload NAME | kill [-s SIGNAL] NAME | list-units | reload-units\n"

struct control_server;
/* One client's command, owned by the handler from its call until control_request_reply(). */
struct control_request;

/* Called once per complete request with argc >= 1; argv (NULL-terminated) is valid until
 * control_request_reply(). The handler replies now or later; it may free the server, which
 * frees this request too. */
typedef void (*control_handler)(struct control_request *request, int argc, char **argv, void *data);

/* Listens at path (absolute). A stale socket file there is replaced, anything else is not
 * (-EADDRINUSE); a missing parent directory is created with mode 0755, its own parent must
 * exist (-ENOENT otherwise). loop must outlive the server. Returns 0 or -errno. */
int control_server_new(struct loop *loop, const char *path, control_handler handler, void *data,
		       struct control_server **ret);
/* Closes every connection and removes the socket file. Requests not yet replied to are freed
 * (their peers see the connection end without a reply): the owner must forget them first. */
void control_server_free(struct control_server *server);

/* Appends text to the reply body. Out of memory, the reply becomes a failure saying so. */
void control_request_printf(struct control_request *request, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sends "STATUS\n" + body and releases the request: the caller must not use it afterwards.
 * Callable from the handler or any later loop callback, exactly once. A status outside 0..255
 * is sent as CONTROL_EXIT_FAILED. If the peer is gone the request is just freed. */
void control_request_reply(struct control_request *request, int status);
/* True once the peer has hung up: nobody will read the reply, which may then be sent at once. */
bool control_request_peer_gone(const struct control_request *request);
/* The peer's uid (from SO_PEERCRED at connect time). */
uid_t control_request_uid(const struct control_request *request);

/* `cinit ctl ARGV...`: connects to socket_path (when NULL: $CINIT_CONTROL_SOCKET if set and
 * non-empty, else CONTROL_SOCKET_DEFAULT), sends argv, copies the reply body to out_fd and
 * returns its status. Its own failures are one line on err_fd, e.g.
 *   "cinit ctl: cannot connect to /run/cinit/control: No such file or directory"
 * and return CONTROL_EXIT_UNAVAILABLE; an empty argv prints CONTROL_USAGE and returns
 * CONTROL_EXIT_USAGE. Blocks until the server closes the connection. */
int control_client_run(const char *socket_path, int argc, char **argv, int out_fd, int err_fd);
