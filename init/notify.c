#include "config.h"

#include "init/notify.h"
#include "common/sdnotify.h"
#include "common/log.h"
#include "common/util.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define NOTIFY_SOCKET_ENV "NOTIFY_SOCKET"
#define NOTIFY_FDS_MAX	  253 /* the kernel's SCM_MAX_FD: no datagram carries more */
/* Services may run as other users (User=): anyone may connect; the handler checks the sender. */
#define NOTIFY_SOCKET_MODE 0666

struct notify_server {
	struct loop *loop;
	int fd;
	char *path; /* file to remove on free; NULL for an abstract name */
	notify_handler handler;
	void *data;
	char buf[NOTIFY_MESSAGE_MAX + 1]; /* + the NUL ending the last line */
};

/* Fills addr from "/file" or "@abstract". Returns the address length or -errno. */
/* Digits only, no sign or blanks, as systemd's parsers accept for these keys. */
static bool notify_parse_uint64(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*ret = v;
	return true;
}

/* Applies one KEY=VALUE line; unknown keys and invalid values are ignored, as systemd does. */
static void notify_parse_line(const char *line, struct notify_message *m)
{
	const char *v;
	uint64_t n;

	if (strcmp(line, "READY=1") == 0)
		m->ready = true;
	else if (strcmp(line, "RELOADING=1") == 0)
		m->reloading = true;
	else if (strcmp(line, "STOPPING=1") == 0)
		m->stopping = true;
	else if (strcmp(line, "WATCHDOG=1") == 0)
		m->watchdog = true;
	else if (strcmp(line, "WATCHDOG=trigger") == 0)
		m->watchdog_trigger = true;
	else if (strncmp(line, "STATUS=", 7) == 0) {
		if (!m->status)
			m->status = line + 7;
	} else if (strncmp(line, "MAINPID=", 8) == 0) {
		v = line + 8;
		if (m->mainpid == 0 && notify_parse_uint64(v, INT_MAX, &n) && n > 0)
			m->mainpid = (pid_t)n;
	} else if (strncmp(line, "ERRNO=", 6) == 0) {
		v = line + 6;
		if (m->errno_value < 0 && notify_parse_uint64(v, INT_MAX, &n))
			m->errno_value = (int)n;
	} else if (strncmp(line, "EXTEND_TIMEOUT_USEC=", 20) == 0) {
		v = line + 20;
		if (m->extend_timeout_usec == 0 && notify_parse_uint64(v, UINT64_MAX, &n))
			m->extend_timeout_usec = n;
	}
}

/* Splits buf (NUL-terminated, modified in place) into lines and fills m. */
static void notify_parse(char *buf, struct notify_message *m)
{
	char *line = buf;

	while (line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		notify_parse_line(line, m);
		line = nl ? nl + 1 : NULL;
	}
}

/* Takes the credentials out of the control data and closes every passed fd: cinit keeps no
 * file descriptor store. Returns the number of fds closed. */
static int notify_take_control(struct msghdr *mh, struct ucred *cred, bool *have_cred)
{
	struct cmsghdr *c;
	int closed = 0;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			size_t i, n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				(void)close(fd);
				closed++;
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			memcpy(cred, CMSG_DATA(c), sizeof(*cred));
			*have_cred = true;
		}
	}
	return closed;
}

/* One datagram per wakeup: the socket is level-triggered, so the rest come next round, and the
 * handler may free the server without this function touching it afterwards. */
static int notify_server_on_readable(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct notify_server *server = data;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
	} control;
	struct iovec iov = { .iov_base = server->buf, .iov_len = NOTIFY_MESSAGE_MAX };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof(control),
	};
	struct notify_message message = { .errno_value = -1 };
	struct ucred cred = { 0 };
	bool have_cred = false;
	ssize_t n;
	int closed;

	(void)loop;
	(void)events;
	/* MSG_TRUNC: the real length comes back, so an oversized datagram is known as such. */
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ENOMEM || errno == ENOBUFS)
			return 0;
		return -errno;
	}
	closed = notify_take_control(&mh, &cred, &have_cred);
	if (closed > 0)
		log_debug("notify: closed %d file descriptor(s) sent by pid %d", closed,
			  (int)cred.pid);
	if (mh.msg_flags & MSG_CTRUNC) {
		log_debug("notify: control data truncated, message ignored");
		return 0;
	}
	if (!have_cred || cred.pid <= 0) {
		/* A sender in a pid namespace we cannot see: no pid to attribute it to. */
		log_debug("notify: message without credentials ignored");
		return 0;
	}
	if (n > NOTIFY_MESSAGE_MAX || (mh.msg_flags & MSG_TRUNC)) {
		log_debug("notify: message of %zd bytes from pid %d exceeds %d, ignored", n,
			  (int)cred.pid, NOTIFY_MESSAGE_MAX);
		return 0;
	}
	/* As systemd: one trailing NUL is tolerated, an embedded one makes the message invalid. */
	if (n > 1 && memchr(server->buf, '\0', (size_t)n - 1)) {
		log_debug("notify: message with embedded NUL from pid %d ignored", (int)cred.pid);
		return 0;
	}
	server->buf[n] = '\0';

	message.pid = cred.pid;
	message.uid = cred.uid;
	notify_parse(server->buf, &message);
	return server->handler(&message, server->data);
}

int notify_server_new(struct loop *loop, const char *path, notify_handler handler, void *data,
		      struct notify_server **ret)
{
	struct notify_server *server = NULL;
	struct sockaddr_un addr;
	struct stat st;
	int addr_len, one = 1, r;

	addr_len = sdnotify_address(path, &addr);
	if (addr_len < 0)
		return addr_len;
	server = calloc(1, sizeof(*server));
	if (!server)
		return -ENOMEM;
	server->loop = loop;
	server->handler = handler;
	server->data = data;
	server->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (server->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* Before bind: a datagram queued before SO_PASSCRED is on would carry no credentials. */
	if (setsockopt(server->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		r = -errno;
		goto fail;
	}
	if (path[0] == '/') {
		/* A socket left by an earlier run blocks bind(); anything else there is not ours.
		 */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) < 0) {
			r = -errno;
			goto fail;
		}
	}
	if (bind(server->fd, (struct sockaddr *)&addr, (socklen_t)addr_len) < 0) {
		r = -errno;
		goto fail;
	}
	if (path[0] == '/') {
		server->path = strdup(path);
		if (!server->path) {
			r = -ENOMEM;
			(void)unlink(path);
			goto fail;
		}
		if (chmod(path, NOTIFY_SOCKET_MODE) < 0) {
			r = -errno;
			goto fail;
		}
	}
	r = loop_add_fd(loop, server->fd, EPOLLIN, notify_server_on_readable, server);
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

void notify_server_free(struct notify_server *server)
{
	if (!server)
		return;
	(void)loop_remove_fd(server->loop, server->fd);
	util_closep(&server->fd);
	if (server->path)
		(void)unlink(server->path);
	free(server->path);
	free(server);
}

int notify_send(const char *socket_path, const char *message)
{
	return sdnotify_send(socket_path, message);
}

int notify_send_env(const char *message)
{
	const char *path = getenv(NOTIFY_SOCKET_ENV);

	if (!path || !*path)
		return 0;
	return notify_send(path, message);
}
