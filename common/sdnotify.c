/* sd_notify's wire format: a datagram of NAME=VALUE lines. */
#include "config.h"

#include "common/sdnotify.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

int sdnotify_address(const char *path, struct sockaddr_un *addr)
{
	size_t len = path ? strlen(path) : 0;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (len < 2 || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	if (path[0] == '@') {
		/* Abstract names are not NUL-terminated: the length says where they end. */
		if (len > sizeof(addr->sun_path))
			return -ENAMETOOLONG;
		memcpy(addr->sun_path + 1, path + 1, len - 1);
		return (int)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	if (len >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memcpy(addr->sun_path, path, len);
	return (int)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

int sdnotify_send(const char *path, const char *message)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr;
	size_t len;
	ssize_t n;
	int addr_len;

	if (!message)
		return -EINVAL;
	addr_len = sdnotify_address(path, &addr);
	if (addr_len < 0)
		return addr_len;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, (socklen_t)addr_len) < 0)
		return -errno;
	len = strlen(message);
	do
		/* Never wait on a receiver that does not read: the sender must not stall. */
		n = send(fd, message, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Datagrams are sent whole or not at all. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

int sdnotify_probe(const char *path, int type)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr;
	int len = sdnotify_address(path, &addr);

	if (len < 0)
		return len;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return connect(fd, (struct sockaddr *)&addr, (socklen_t)len) < 0 ? -errno : 0;
}

long sdnotify_listen_fds(long max)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (!pid || !fds || strtol(pid, &end, 10) != (long)getpid() || *end)
		return 0;
	n = strtol(fds, &end, 10);
	return *end || n < 1 || n > max ? -EINVAL : n;
}

int sdnotify_fds_renumber(const int *fds, size_t n, int first, int *scratch)
{
	int above = first + (int)n;

	for (size_t i = 0; i < n; i++) {
		scratch[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, above);
		if (scratch[i] < 0) {
			int r = -errno;

			while (i-- > 0)
				(void)close(scratch[i]);
			return r;
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* dup2 leaves the new fd without close-on-exec */
		int r = dup2(scratch[i], first + (int)i) < 0 ? -errno : 0;

		(void)close(scratch[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
