/* sd_notify's wire format: a datagram of NAME=VALUE lines. */
#include "config.h"

#include "common/sdnotify.h"
#include "common/util.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
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
