#include "config.h"

#include "init/reaper.h"
#include "common/pidmap.h"

#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

struct reaper_watch {
	reaper_exit_handler handler;
	void *data;
};

struct reaper {
	struct pidmap *watched;
	reaper_exit_handler orphan_handler;
	void *orphan_data;
	unsigned long orphans;
};

int reaper_new(struct reaper **ret)
{
	struct reaper *reaper = calloc(1, sizeof(*reaper));

	if (!reaper)
		return -ENOMEM;
	reaper->watched = pidmap_new();
	if (!reaper->watched) {
		free(reaper);
		return -ENOMEM;
	}
	*ret = reaper;
	return 0;
}

void reaper_free(struct reaper *reaper)
{
	if (!reaper)
		return;
	pidmap_free_with(reaper->watched, free);
	free(reaper);
}

int reaper_watch(struct reaper *reaper, pid_t pid, reaper_exit_handler handler, void *data)
{
	struct reaper_watch *w = malloc(sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->handler = handler;
	w->data = data;
	free(pidmap_remove(reaper->watched, pid));
	r = pidmap_put(reaper->watched, pid, w);
	if (r < 0)
		free(w);
	return r;
}

bool reaper_is_watched(const struct reaper *reaper, pid_t pid)
{
	return pidmap_get(reaper->watched, pid) != NULL;
}

void reaper_unwatch(struct reaper *reaper, pid_t pid)
{
	free(pidmap_remove(reaper->watched, pid));
}

void reaper_on_orphan(struct reaper *reaper, reaper_exit_handler handler, void *data)
{
	reaper->orphan_handler = handler;
	reaper->orphan_data = data;
}

int reaper_drain(struct reaper *reaper)
{
	for (;;) {
		struct reaper_watch *w;
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid == 0)
			return 1;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD ? 0 : -errno;
		}
		w = pidmap_remove(reaper->watched, pid);
		if (w) {
			w->handler(pid, status, w->data);
			free(w);
			continue;
		}
		reaper->orphans++;
		if (reaper->orphan_handler)
			reaper->orphan_handler(pid, status, reaper->orphan_data);
	}
}

unsigned long reaper_orphans_reaped(const struct reaper *reaper)
{
	return reaper->orphans;
}

#define PROC_SELF_CHILDREN "/proc/self/task/%d/children"

int reaper_foreach_child(int (*fn)(pid_t pid, void *data), void *data)
{
	char path[64], *buf = NULL, *p, *end;
	size_t size = 4096, len = 0;
	int fd, r = 0;

	/* cinit is single-threaded: its one task has the pid's number. */
	snprintf(path, sizeof(path), PROC_SELF_CHILDREN, (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;
		if (!buf || len == size - 1) {
			char *nbuf = realloc(buf, buf ? size * 2 : size);
			if (!nbuf) {
				r = -ENOMEM;
				goto out;
			}
			if (buf)
				size *= 2;
			buf = nbuf;
		}
		n = util_read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0) {
			r = fn((pid_t)pid, data);
			if (r < 0)
				goto out;
		}
	}
out:
	free(buf);
	close(fd);
	return r;
}
