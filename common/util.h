/* Cleanup attributes, EINTR-safe I/O and small fd helpers. No global state. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_INFINITY UINT64_MAX

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void util_freep(void *p)
{
	free(*(void **)p);
}

static inline void util_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}

static inline void util_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		(void)fclose(*f);
		errno = saved;
	}
}

#define _cleanup_free_	 _cleanup_(util_freep)
#define _cleanup_close_	 _cleanup_(util_closep)
#define _cleanup_fclose_ _cleanup_(util_fclosep)

/* Hand ownership out of a _cleanup_ variable. */
static inline int util_take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* read(2) retried on EINTR. Returns bytes read (0 at EOF) or -errno. */
ssize_t util_read(int fd, void *buf, size_t size);
/* Writes every byte, retrying on EINTR and short writes. Returns 0 or -errno. */
int util_write_all(int fd, const void *buf, size_t size);
#define write_all util_write_all

/* Reads a whole small file (at most size-1 bytes) into buf, NUL-terminated. Returns length or
 * -errno. */
ssize_t util_read_file(const char *path, char *buf, size_t size);
/* The same for path relative to the directory dir_fd (or AT_FDCWD). */
ssize_t util_read_file_at(int dir_fd, const char *path, char *buf, size_t size);

int util_fd_set_cloexec(int fd, bool on);
int util_fd_set_nonblock(int fd, bool on);

/* Microseconds on the given clock. */
uint64_t util_now_usec(clockid_t clock);

/* Value of a hexadecimal digit, or -1. */
static inline int util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Basename without modifying or allocating: pointer into path. */
const char *util_basename(const char *path);
