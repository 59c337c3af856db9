#include "config.h"

#include "common/util.h"

#include <fcntl.h>
#include <string.h>

ssize_t util_read(int fd, void *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int util_write_all(int fd, const void *buf, size_t size)
{
	const char *p = buf;

	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

ssize_t util_read_file(const char *path, char *buf, size_t size)
{
	return util_read_file_at(AT_FDCWD, path, buf, size);
}

ssize_t util_read_file_at(int dir_fd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	size_t len = 0;

	if (size == 0)
		return -EINVAL;
	fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = util_read(fd, buf + len, size - 1 - len);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static int fd_update_flag(int fd, int get, int set, int flag, bool on)
{
	int flags = fcntl(fd, get);
	int nflags;

	if (flags < 0)
		return -errno;
	nflags = on ? flags | flag : flags & ~flag;
	if (nflags != flags && fcntl(fd, set, nflags) < 0)
		return -errno;
	return 0;
}

int util_fd_set_cloexec(int fd, bool on)
{
	return fd_update_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on);
}

int util_fd_set_nonblock(int fd, bool on)
{
	return fd_update_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on);
}

uint64_t util_now_usec(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

const char *util_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
