/* The $NOTIFY_SOCKET relay between a container and the service manager. */
#include "config.h"

#include "launcher/notify_relay.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NOTIFY_ENV	   "NOTIFY_SOCKET"
#define NOTIFY_SUFFIX	   ".notify"
#define NOTIFY_MESSAGE_MAX 4096 /* systemd drops longer messages (NOTIFY_BUFFER_MAX) */
#define NOTIFY_SOCKET_MODE 0666 /* a --user container must reach it; senders are checked */

/* What a container may tell the service manager: not MAINPID (a pid of its own namespace),
 * nor file-descriptor store or watchdog-timer changes that would be about claunch. */
static const char *const relayed_keys[] = {
	"READY=",
	"STATUS=",
	"STOPPING=",
	"RELOADING=",
	"ERRNO=",
	"BUSERROR=",
	"EXTEND_TIMEOUT_USEC=",
	"WATCHDOG=",
	"MONOTONIC_USEC=",
};

static bool relayed(const char *line, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(relayed_keys); i++) {
		size_t k = strlen(relayed_keys[i]);

		if (len >= k && strncmp(line, relayed_keys[i], k) == 0)
			return true;
	}
	return false;
}

/* Removes relay sockets nobody is bound to any more (claunch runs that were SIGKILLed). */
static void sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[PATH_MAX];

		if (len <= strlen(NOTIFY_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(NOTIFY_SUFFIX), NOTIFY_SUFFIX) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (sdnotify_probe(path, SOCK_DGRAM) == -ECONNREFUSED)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int notify_relay_open(struct notify_relay *r, const char *dir, const char *name)
{
	const char *target = getenv(NOTIFY_ENV);
	struct sockaddr_un addr;
	struct stat st;
	int len, one = 1;

	r->fd = -1;
	r->path = r->target = NULL;
	r->container_pid = -1;
	if (!target || !*target)
		return 0;
	r->target = strdup(target);
	if (!r->target || asprintf(&r->path, "%s/%s" NOTIFY_SUFFIX, dir, name) < 0) {
		r->path = NULL;
		return -ENOMEM;
	}
	len = sdnotify_address(r->path, &addr);
	if (len < 0)
		return len;
	sweep(dir);
	/* names are unique per cgroup parent, this path on the host: never take a live one */
	if (sdnotify_probe(r->path, SOCK_DGRAM) == 0)
		return -EEXIST;
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0)
		return -errno;
	(void)unlink(r->path);
	if (bind(r->fd, (struct sockaddr *)&addr, (socklen_t)len) < 0 ||
	    chmod(r->path, NOTIFY_SOCKET_MODE) < 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    fstat(r->fd, &st) < 0 || stat(r->path, &st) < 0)
		return -errno;
	r->inode = st.st_ino;
	return 0;
}

void notify_relay_set_container(struct notify_relay *r, pid_t pid)
{
	r->container_pid = pid;
}

/* Only the container's processes may speak for it: the sender must be in its pid namespace
 * (the socket is reachable by anyone who can reach /run/claunch). */
static bool from_container(const struct notify_relay *r, const struct ucred *cred)
{
	char ns[64], own[64], path[64];
	ssize_t a, b;

	if (!cred || r->container_pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/ns/pid", (long)cred->pid);
	a = readlink(path, ns, sizeof(ns));
	snprintf(path, sizeof(path), "/proc/%ld/ns/pid", (long)r->container_pid);
	b = readlink(path, own, sizeof(own));
	return a > 0 && a == b && memcmp(ns, own, (size_t)a) == 0;
}

void notify_relay_forward(struct notify_relay *r)
{
	char buf[NOTIFY_MESSAGE_MAX + 1], out[NOTIFY_MESSAGE_MAX + 1];
	char control[CMSG_SPACE(sizeof(struct ucred))];

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = NOTIFY_MESSAGE_MAX };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control,
			.msg_controllen = sizeof(control),
		};
		const struct ucred *cred = NULL;
		size_t len = 0;
		bool ready = false;
		ssize_t n = recvmsg(r->fd, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				cred = (const struct ucred *)(void *)CMSG_DATA(c);
		/* as systemd: too long, or with a NUL inside, is no message at all */
		if (n > NOTIFY_MESSAGE_MAX || (msg.msg_flags & MSG_TRUNC) ||
		    memchr(buf, '\0', (size_t)n) || !from_container(r, cred)) {
			log_debug("notify relay: a message dropped");
			continue;
		}
		buf[n] = '\0';
		/* systemd splits on both "\n" and "\r": so must the filter */
		for (char *line = buf, *end; *line; line = end) {
			size_t l = strcspn(line, "\n\r");

			end = line + l + (line[l] != '\0');
			if (l == 0 || !relayed(line, l) || len + l + 1 >= sizeof(out))
				continue;
			ready = ready || (l == 7 && strncmp(line, "READY=1", 7) == 0);
			memcpy(out + len, line, l);
			len += l;
			out[len++] = '\n';
		}
		if (len == 0)
			continue;
		out[len] = '\0';
		int e = sdnotify_send(r->target, out);
		/* its own datagram, so that a message near the limit is not pushed over it */
		if (e >= 0 && ready) {
			char mainpid[32];

			snprintf(mainpid, sizeof(mainpid), "MAINPID=%ld", (long)getpid());
			e = sdnotify_send(r->target, mainpid);
		}
		if (e < 0)
			log_warning_errno(e, "relaying to $%s %s", NOTIFY_ENV, r->target);
	}
}

int notify_relay_send(struct notify_relay *r, const char *message)
{
	return r->target ? sdnotify_send(r->target, message) : 0;
}

void notify_relay_close(struct notify_relay *r)
{
	struct stat st;

	/* only our own: a newer claunch of this name may have bound the path since */
	if (r->fd >= 0 && r->path && stat(r->path, &st) == 0 && st.st_ino == r->inode)
		(void)unlink(r->path);
	util_closep(&r->fd);
	r->fd = -1;
	free(r->path);
	free(r->target);
	r->path = r->target = NULL;
}
