#include "config.h"

#include "init/control.h"
#include "common/log.h"
#include "common/util.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#define CONTROL_SOCKET_MODE    0600
#define CONTROL_DIRECTORY_MODE 0755
#define CONTROL_STATUS_MAX     255
#define CONTROL_STATUS_DIGITS  3
/* Accepted per wakeup: a burst of clients must not starve the loop's other sources. */
#define CONTROL_ACCEPT_BATCH 16
/* After accept() fails for want of fds or memory the listener sleeps this long, since a
 * level-triggered listener with a pending connection would otherwise wake the loop at once. */
#define CONTROL_ACCEPT_RETRY_USEC (100 * USEC_PER_MSEC)
#define CONTROL_INPUT_INITIAL	  256
#define CONTROL_BODY_INITIAL	  256
#define CONTROL_CLIENT_BUFFER	  (16 * 1024)
#define CONTROL_OOM_TEXT	  "cinit: out of memory\n"

enum control_state {
	CONTROL_READING,  /* request bytes arriving: watching EPOLLIN */
	CONTROL_HANDLING, /* the handler owns it: watching only for hang-up (no events) */
	CONTROL_WRITING,  /* reply being sent: watching EPOLLOUT while the peer's buffer is full */
};

struct control_server {
	struct loop *loop;
	int fd;
	char *path;
	control_handler handler;
	void *data;
	uid_t euid;
	unsigned connections; /* open client sockets, the ones CONTROL_CONNECTIONS_MAX limits */
	struct control_request *requests;
	struct loop_timer *resume_timer; /* set while accepting is paused */
};

struct control_request {
	struct control_server *server;
	struct control_request *prev, *next;
	enum control_state state;
	int fd; /* -1 once the peer is gone */
	uid_t uid;
	pid_t pid;

	char *input;
	size_t input_len, input_size;
	size_t scanned;	   /* input bytes parsed so far */
	size_t args_start; /* offset of the first argument, 0 until the count is complete */
	int argc;	   /* the count, accumulated digit by digit */
	int args_seen;
	char **argv;

	char *body;
	size_t body_len, body_size;
	bool body_failed; /* an allocation failed: the reply becomes CONTROL_OOM_TEXT */
	const char *out;  /* what is sent after head: body or CONTROL_OOM_TEXT */
	size_t out_len;
	char head[CONTROL_STATUS_DIGITS + 2]; /* "STATUS\n" */
	size_t head_len;
	size_t sent; /* bytes of head + out */
	bool watching_out;
};

static void control_request_close(struct control_request *request)
{
	if (request->fd < 0)
		return;
	(void)loop_remove_fd(request->server->loop, request->fd);
	util_closep(&request->fd);
	request->fd = -1;
	request->server->connections--;
}

static void control_request_free(struct control_request *request)
{
	struct control_server *server = request->server;

	control_request_close(request);
	if (request->prev)
		request->prev->next = request->next;
	else
		server->requests = request->next;
	if (request->next)
		request->next->prev = request->prev;
	free(request->input);
	free(request->argv);
	free(request->body);
	free(request);
}

/* Sends what the peer's buffer takes; the rest waits for EPOLLOUT. Frees the request when the
 * reply is out or the peer cannot take it. */
static void control_request_flush(struct control_request *request)
{
	size_t total = request->head_len + request->out_len;
	struct loop *loop = request->server->loop;

	while (request->sent < total) {
		struct iovec iov[2];
		struct msghdr mh = { .msg_iov = iov };
		ssize_t n;

		if (request->sent < request->head_len) {
			iov[0].iov_base = request->head + request->sent;
			iov[0].iov_len = request->head_len - request->sent;
			iov[1].iov_base = (void *)request->out;
			iov[1].iov_len = request->out_len;
			mh.msg_iovlen = request->out_len > 0 ? 2 : 1;
		} else {
			size_t done = request->sent - request->head_len;

			iov[0].iov_base = (void *)(request->out + done);
			iov[0].iov_len = request->out_len - done;
			mh.msg_iovlen = 1;
		}
		/* MSG_NOSIGNAL: a client gone early is EPIPE here, never a signal. */
		n = sendmsg(request->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				log_debug_errno(errno, "control: reply to pid %d lost",
						(int)request->pid);
				break;
			}
			if (!request->watching_out) {
				if (loop_modify_fd(loop, request->fd, EPOLLOUT) < 0)
					break;
				request->watching_out = true;
			}
			return;
		}
		request->sent += (size_t)n;
	}
	/* Closing with request bytes unread makes the peer's later reads fail with ECONNRESET,
	 * but only after it has read all that was queued to it: the whole reply. */
	control_request_free(request);
}

void control_request_reply(struct control_request *request, int status)
{
	if (status < 0 || status > CONTROL_STATUS_MAX)
		status = CONTROL_EXIT_FAILED;
	if (request->fd < 0) {
		control_request_free(request);
		return;
	}
	if (request->body_failed) {
		status = CONTROL_EXIT_FAILED;
		request->out = CONTROL_OOM_TEXT;
		request->out_len = strlen(CONTROL_OOM_TEXT);
	} else {
		request->out = request->body;
		request->out_len = request->body_len;
	}
	request->head_len = (size_t)snprintf(request->head, sizeof(request->head), "%d\n", status);
	request->state = CONTROL_WRITING;
	control_request_flush(request);
}

void control_request_printf(struct control_request *request, const char *fmt, ...)
{
	size_t avail = request->body_size - request->body_len;
	va_list ap;
	int n;

	if (request->body_failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(request->body ? request->body + request->body_len : NULL, avail, fmt, ap);
	va_end(ap);
	if (n < 0) {
		request->body_failed = true;
		return;
	}
	if ((size_t)n >= avail) {
		size_t size = request->body_size ? request->body_size : CONTROL_BODY_INITIAL;
		char *body;

		while (size - request->body_len <= (size_t)n)
			size *= 2;
		body = realloc(request->body, size);
		if (!body) {
			request->body_failed = true;
			return;
		}
		request->body = body;
		request->body_size = size;
		va_start(ap, fmt);
		(void)vsnprintf(body + request->body_len, size - request->body_len, fmt, ap);
		va_end(ap);
	}
	request->body_len += (size_t)n;
}

bool control_request_peer_gone(const struct control_request *request)
{
	return request->fd < 0;
}

uid_t control_request_uid(const struct control_request *request)
{
	return request->uid;
}

/* Refuses a request the server will not hand to the handler. */
static void control_request_reject(struct control_request *request, int error)
{
	switch (error) {
	case -EMSGSIZE:
		control_request_printf(request, "request too large (limit %d bytes)\n",
				       CONTROL_REQUEST_MAX);
		break;
	case -E2BIG:
		control_request_printf(request, "too many arguments (limit %d)\n",
				       CONTROL_ARGC_MAX);
		break;
	case -ENOMSG:
		control_request_printf(request, "no command given\n%s", CONTROL_USAGE);
		break;
	default:
		control_request_printf(request, "malformed request\n");
		break;
	}
	log_debug("control: request from pid %d refused", (int)request->pid);
	control_request_reply(request, CONTROL_EXIT_USAGE);
}

/* Parses the bytes received since the last call. Returns 1 when the request is complete, 0
 * when more must come, or -errno for control_request_reject(). */
static int control_request_scan(struct control_request *request)
{
	for (; request->scanned < request->input_len; request->scanned++) {
		char c = request->input[request->scanned];

		if (request->args_start > 0) {
			if (c == '\0' && ++request->args_seen == request->argc)
				return 1;
			continue;
		}
		if (c == '\0') {
			if (request->scanned == 0)
				return -EBADMSG;
			if (request->argc == 0)
				return -ENOMSG;
			request->args_start = request->scanned + 1;
			continue;
		}
		if (c < '0' || c > '9')
			return -EBADMSG;
		request->argc = request->argc * 10 + (c - '0');
		if (request->argc > CONTROL_ARGC_MAX)
			return -E2BIG;
	}
	return 0;
}

/* Hands a complete request to the handler: the last thing the caller does, since the handler
 * may reply (freeing the request) or free the whole server. */
static void control_request_dispatch(struct control_request *request)
{
	struct control_server *server = request->server;
	char *p = request->input + request->args_start;
	int i;

	request->argv = calloc((size_t)request->argc + 1, sizeof(char *));
	if (!request->argv) {
		request->body_failed = true;
		control_request_reply(request, CONTROL_EXIT_FAILED);
		return;
	}
	for (i = 0; i < request->argc; i++) {
		request->argv[i] = p;
		p += strlen(p) + 1;
	}
	/* Epoll reports hang-up (EPOLLHUP) even with no events asked for; anything more the
	 * client sends stays unread. */
	if (loop_modify_fd(server->loop, request->fd, 0) < 0) {
		control_request_free(request);
		return;
	}
	request->state = CONTROL_HANDLING;
	server->handler(request, request->argc, request->argv, server->data);
}

static void control_request_read(struct control_request *request)
{
	for (;;) {
		ssize_t n;
		int r;

		if (request->input_len == request->input_size) {
			size_t size = request->input_size ? request->input_size * 2
							  : CONTROL_INPUT_INITIAL;
			char *input;

			if (request->input_size >= CONTROL_REQUEST_MAX) {
				control_request_reject(request, -EMSGSIZE);
				return;
			}
			if (size > CONTROL_REQUEST_MAX)
				size = CONTROL_REQUEST_MAX;
			input = realloc(request->input, size);
			if (!input) {
				request->body_failed = true;
				control_request_reply(request, CONTROL_EXIT_FAILED);
				return;
			}
			request->input = input;
			request->input_size = size;
		}
		n = recv(request->fd, request->input + request->input_len,
			 request->input_size - request->input_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* Gone before the request was whole: there is no one to answer. */
			log_debug("control: pid %d hung up mid-request", (int)request->pid);
			control_request_free(request);
			return;
		}
		request->input_len += (size_t)n;
		r = control_request_scan(request);
		if (r < 0) {
			control_request_reject(request, r);
			return;
		}
		if (r > 0) {
			control_request_dispatch(request);
			return;
		}
	}
}

static int control_on_client(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct control_request *request = data;

	(void)loop;
	(void)fd;
	switch (request->state) {
	case CONTROL_READING:
		control_request_read(request);
		break;
	case CONTROL_HANDLING:
		/* The request stays the handler's until it replies; only the socket goes. */
		if (events & (EPOLLHUP | EPOLLERR))
			control_request_close(request);
		break;
	case CONTROL_WRITING:
		control_request_flush(request);
		break;
	}
	/* A client's trouble is its own: it never stops cinit's loop. */
	return 0;
}

/* Beyond CONTROL_CONNECTIONS_MAX: one best-effort reply into the fresh socket's empty buffer,
 * so the client says why instead of hanging in the backlog. */
static void control_refuse_busy(int fd)
{
	char reply[128];
	int n = snprintf(reply, sizeof(reply), "%d\ntoo many control connections (limit %d)\n",
			 CONTROL_EXIT_FAILED, CONTROL_CONNECTIONS_MAX);

	(void)send(fd, reply, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void control_server_admit(struct control_server *server, int fd)
{
	struct control_request *request;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (server->connections >= CONTROL_CONNECTIONS_MAX) {
		log_debug("control: %u connections open, new one refused", server->connections);
		control_refuse_busy(fd);
		(void)close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_debug_errno(errno, "control: no peer credentials, connection dropped");
		(void)close(fd);
		return;
	}
	request = calloc(1, sizeof(*request));
	if (!request) {
		(void)close(fd);
		return;
	}
	request->server = server;
	request->fd = fd;
	request->uid = cred.uid;
	request->pid = cred.pid;
	request->next = server->requests;
	if (server->requests)
		server->requests->prev = request;
	server->requests = request;
	server->connections++;
	if (loop_add_fd(server->loop, fd, EPOLLIN, control_on_client, request) < 0) {
		control_request_free(request);
		return;
	}
	/* The socket file's mode is not relied on: it may have been loosened or bind-mounted. */
	if (cred.uid != 0 && cred.uid != server->euid) {
		log_debug("control: uid %u (pid %d) refused", (unsigned)cred.uid, (int)cred.pid);
		control_request_printf(request,
				       "permission denied: uid %u may not control cinit (uid %u)\n",
				       (unsigned)cred.uid, (unsigned)server->euid);
		control_request_reply(request, CONTROL_EXIT_DENIED);
	}
}

static int control_on_resume(struct loop *loop, void *data)
{
	struct control_server *server = data;

	server->resume_timer = NULL;
	if (loop_modify_fd(loop, server->fd, EPOLLIN) < 0)
		log_warning("control: cannot resume accepting connections");
	return 0;
}

static void control_server_pause(struct control_server *server)
{
	if (server->resume_timer)
		return;
	if (loop_timer_start(server->loop, CONTROL_ACCEPT_RETRY_USEC, control_on_resume, server,
			     &server->resume_timer) < 0)
		return;
	if (loop_modify_fd(server->loop, server->fd, 0) < 0) {
		loop_timer_cancel(server->loop, server->resume_timer);
		server->resume_timer = NULL;
	}
}

static int control_on_listen(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct control_server *server = data;
	int i;

	(void)loop;
	(void)events;
	for (i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
		int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (client < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* EMFILE and the like: PID 1 must outlive them, so wait and retry. */
			log_warning_errno(errno, "control: cannot accept a connection");
			control_server_pause(server);
			return 0;
		}
		control_server_admit(server, client);
	}
	return 0;
}

/* Creates the socket's directory (only the last component, as /run/cinit) when missing. */
static int control_make_directory(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, CONTROL_DIRECTORY_MODE) < 0)
		return errno == EEXIST ? 0 : -errno;
	/* mkdir() applies the umask: clients rely on reaching the socket through it. */
	if (chmod(dir, CONTROL_DIRECTORY_MODE) < 0)
		return -errno;
	return 0;
}

int control_server_new(struct loop *loop, const char *path, control_handler handler, void *data,
		       struct control_server **ret)
{
	struct control_server *server;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	struct stat st;
	int r;

	if (len < 2 || path[0] != '/' || !handler)
		return -EINVAL;
	if (len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, len);
	server = calloc(1, sizeof(*server));
	if (!server)
		return -ENOMEM;
	server->loop = loop;
	server->handler = handler;
	server->data = data;
	server->euid = geteuid();
	server->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (server->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = control_make_directory(path);
	if (r < 0)
		goto fail;
	/* A socket left by an earlier run blocks bind(); anything else there is not ours. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) < 0) {
		r = -errno;
		goto fail;
	}
	if (bind(server->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}
	server->path = strdup(path);
	if (!server->path) {
		r = -ENOMEM;
		(void)unlink(path);
		goto fail;
	}
	/* Until this chmod the umask decides; the credential check covers that moment. */
	if (chmod(path, CONTROL_SOCKET_MODE) < 0 || listen(server->fd, SOMAXCONN) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add_fd(loop, server->fd, EPOLLIN, control_on_listen, server);
	if (r < 0)
		goto fail;
	*ret = server;
	return 0;
fail:
	if (server->path)
		(void)unlink(server->path);
	free(server->path);
	util_closep(&server->fd);
	free(server);
	return r;
}

void control_server_free(struct control_server *server)
{
	if (!server)
		return;
	while (server->requests)
		control_request_free(server->requests);
	if (server->resume_timer)
		loop_timer_cancel(server->loop, server->resume_timer);
	(void)loop_remove_fd(server->loop, server->fd);
	util_closep(&server->fd);
	(void)unlink(server->path);
	free(server->path);
	free(server);
}

/* One line "cinit ctl: ...\n" in one write. */
static void control_client_error(int err_fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void control_client_error(int err_fd, const char *fmt, ...)
{
	static const char prefix[] = "cinit ctl: ";
	char line[1024];
	size_t len = sizeof(prefix) - 1;
	va_list ap;
	int n;

	memcpy(line, prefix, len);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n : sizeof(line) - len - 2;
	line[len++] = '\n';
	(void)write_all(err_fd, line, len);
}

static int control_client_connect(const char *path, int *ret)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(path);

	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	*ret = util_take_fd(&fd);
	return 0;
}

static int control_client_send(int fd, int argc, char **argv)
{
	_cleanup_free_ char *request = NULL;
	char count[16];
	size_t len, off;
	int i, n;

	n = snprintf(count, sizeof(count), "%d", argc);
	len = (size_t)n + 1;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	request = malloc(len);
	if (!request)
		return -ENOMEM;
	memcpy(request, count, (size_t)n + 1);
	off = (size_t)n + 1;
	for (i = 0; i < argc; i++) {
		size_t arg_len = strlen(argv[i]) + 1;

		memcpy(request + off, argv[i], arg_len);
		off += arg_len;
	}
	for (off = 0; off < len;) {
		ssize_t sent = send(fd, request + off, len - off, MSG_NOSIGNAL);

		if (sent < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)sent;
	}
	return 0;
}

/* Reads "STATUS\n" and copies the rest to out_fd. Returns the status or -1 after an error line.
 */
static int control_client_receive(int fd, const char *path, int out_fd, int err_fd)
{
	char buf[CONTROL_CLIENT_BUFFER];
	int status = -1, digits = 0, value = 0;

	for (;;) {
		ssize_t n = util_read(fd, buf, sizeof(buf));
		size_t off = 0;
		int r;

		/* The server closed with part of our request unread (it refused it early): the
		 * kernel reports that only after everything it had queued to us. */
		if (n == -ECONNRESET)
			n = 0;
		if (n < 0) {
			control_client_error(err_fd, "cannot read the reply from %s: %s", path,
					     strerror((int)-n));
			return -1;
		}
		if (n == 0)
			break;
		while (status < 0 && off < (size_t)n) {
			char c = buf[off++];

			if (c == '\n' && digits > 0) {
				status = value;
			} else if (c >= '0' && c <= '9' && digits < CONTROL_STATUS_DIGITS) {
				value = value * 10 + (c - '0');
				digits++;
			} else {
				value = CONTROL_STATUS_MAX + 1;
				break;
			}
		}
		if (value > CONTROL_STATUS_MAX) {
			control_client_error(err_fd, "malformed reply from %s", path);
			return -1;
		}
		if (status < 0 || off == (size_t)n)
			continue;
		/* A report (0, or 3: "not active") is output; anything else is an error. */
		r = write_all(status == CONTROL_EXIT_OK || status == CONTROL_EXIT_INACTIVE ? out_fd
											   : err_fd,
			      buf + off, (size_t)n - off);
		if (r < 0) {
			control_client_error(err_fd, "cannot write the reply: %s", strerror(-r));
			return -1;
		}
	}
	if (status < 0) {
		if (digits > 0)
			control_client_error(err_fd, "malformed reply from %s", path);
		else
			control_client_error(err_fd, "%s closed the connection without a reply",
					     path);
	}
	return status;
}

int control_client_run(const char *socket_path, int argc, char **argv, int out_fd, int err_fd)
{
	_cleanup_close_ int fd = -1;
	const char *path = socket_path;
	int r;

	if (!path) {
		const char *env = getenv(CONTROL_SOCKET_ENV);

		path = env && *env ? env : CONTROL_SOCKET_DEFAULT;
	}
	if (argc < 1 || !argv) {
		(void)write_all(err_fd, CONTROL_USAGE, strlen(CONTROL_USAGE));
		return CONTROL_EXIT_USAGE;
	}
	r = control_client_connect(path, &fd);
	if (r < 0) {
		control_client_error(err_fd, "cannot connect to %s: %s", path, strerror(-r));
		return CONTROL_EXIT_UNAVAILABLE;
	}
	r = control_client_send(fd, argc, argv);
	/* A server refusing the request answers before reading all of it: read that answer. */
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		control_client_error(err_fd, "cannot send to %s: %s", path, strerror(-r));
		return CONTROL_EXIT_UNAVAILABLE;
	}
	r = control_client_receive(fd, path, out_fd, err_fd);
	return r < 0 ? CONTROL_EXIT_UNAVAILABLE : r;
}
