/* The $NOTIFY_SOCKET relay between a container and the service manager. */
#include "config.h"

#include "launcher/notify_relay.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NOTIFY_ENV	   "NOTIFY_SOCKET"
#define NOTIFY_MESSAGE_MAX 4096
#define NOTIFY_SOCKET_MODE 0666 /* a --user container must reach it too */

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

int notify_relay_open(struct notify_relay *r, const char *dir, const char *name)
{
	const char *target = getenv(NOTIFY_ENV);
	struct sockaddr_un addr;
	int len;

	r->fd = -1;
	r->path = r->target = NULL;
	if (!target || !*target)
		return 0;
	r->target = strdup(target);
	if (!r->target || asprintf(&r->path, "%s/%s.notify", dir, name) < 0) {
		r->path = NULL;
		return -ENOMEM;
	}
	len = sdnotify_address(r->path, &addr);
	if (len < 0)
		return len;
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0)
		return -errno;
	/* a leftover of a claunch of this name that was SIGKILLed */
	(void)unlink(r->path);
	if (bind(r->fd, (struct sockaddr *)&addr, (socklen_t)len) < 0 ||
	    chmod(r->path, NOTIFY_SOCKET_MODE) < 0)
		return -errno;
	return 0;
}

void notify_relay_forward(struct notify_relay *r)
{
	char buf[NOTIFY_MESSAGE_MAX + 1], out[NOTIFY_MESSAGE_MAX + 64];
	ssize_t n;

	while ((n = recv(r->fd, buf, NOTIFY_MESSAGE_MAX, 0)) > 0) {
		size_t len = 0;
		bool ready = false;

		buf[n] = '\0';
		for (char *line = buf, *end; *line; line = end) {
			size_t l = strcspn(line, "\n");

			end = line + l + (line[l] == '\n');
			if (l == 0 || !relayed(line, l) || len + l + 2 >= sizeof(out) - 32)
				continue;
			ready = ready || (l == 7 && strncmp(line, "READY=1", 7) == 0);
			memcpy(out + len, line, l);
			len += l;
			out[len++] = '\n';
		}
		if (len == 0)
			continue;
		if (ready)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "MAINPID=%ld\n",
						(long)getpid());
		out[len] = '\0';
		int e = sdnotify_send(r->target, out);
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
	util_closep(&r->fd);
	r->fd = -1;
	if (r->path)
		(void)unlink(r->path);
	free(r->path);
	free(r->target);
	r->path = r->target = NULL;
}
