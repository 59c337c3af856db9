#include "config.h"

#include "common/cgroupfs.h"
#include "common/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define CGROUP_PROCS "cgroup.procs"
#define PID_LINE_MAX 32
/* Nesting beyond this is refused (-ELOOP) rather than followed. */
#define WALK_DEPTH 64

static void closedirp(DIR **dir)
{
	if (*dir)
		(void)closedir(*dir);
}

int cgroupfs_procs_foreach(int dir_fd, cgroupfs_pid_fn fn, void *data)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[PID_LINE_MAX];
	int fd, count = 0;

	fd = openat(dir_fd, CGROUP_PROCS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		int r = -errno;
		close(fd);
		return r;
	}
	while (fgets(line, sizeof(line), f)) {
		char *end;
		long pid;
		int r;

		errno = 0;
		pid = strtol(line, &end, 10);
		/* 0 stands for a process outside our PID namespace: nothing we can name. */
		if (errno != 0 || end == line || pid <= 0 || pid > INT_MAX)
			continue;
		r = fn((pid_t)pid, data);
		if (r < 0)
			return r;
		count++;
	}
	if (ferror(f))
		return errno > 0 ? -errno : -EIO;
	return count;
}

/* Calls fn(dir_fd, sub_fd, name) for every cgroup directly below DIR (a sub-cgroup removed
 * meanwhile is skipped). Returns the sum of fn's non-negative results, or the first -errno. */
static int subdirs_foreach(int dir_fd, unsigned depth,
			   int (*fn)(int dir_fd, int sub_fd, const char *name, void *data),
			   void *data)
{
	DIR *dir __attribute__((cleanup(closedirp))) = NULL;
	struct dirent *de;
	int list_fd, count = 0;

	if (depth >= WALK_DEPTH)
		return -ELOOP;
	list_fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (list_fd < 0)
		return -errno;
	dir = fdopendir(list_fd);
	if (!dir) {
		int r = -errno;
		close(list_fd);
		return r;
	}
	for (;;) {
		_cleanup_close_ int sub_fd = -1;
		int r;

		errno = 0;
		de = readdir(dir);
		if (!de)
			return errno > 0 ? -errno : count;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub_fd = openat(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub_fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		r = fn(dir_fd, sub_fd, de->d_name, data);
		if (r < 0)
			return r;
		count += r;
	}
}

struct tree_walk {
	cgroupfs_pid_fn fn;
	void *data;
	unsigned depth;
};

static int tree_foreach_pid(int dir_fd, cgroupfs_pid_fn fn, void *data, unsigned depth);

static int tree_walk_sub(int dir_fd, int sub_fd, const char *name, void *data)
{
	const struct tree_walk *w = data;

	return tree_foreach_pid(sub_fd, w->fn, w->data, w->depth + 1);
}

static int tree_foreach_pid(int dir_fd, cgroupfs_pid_fn fn, void *data, unsigned depth)
{
	struct tree_walk w = { fn, data, depth };
	int count, r;

	count = cgroupfs_procs_foreach(dir_fd, fn, data);
	/* A sub-cgroup removed while we walk is not an error (kernfs says ENODEV once it is gone).
	 */
	if (depth > 0 && (count == -ENOENT || count == -ENODEV))
		return 0;
	if (count < 0)
		return count;
	r = subdirs_foreach(dir_fd, depth, tree_walk_sub, &w);
	return r < 0 ? r : count + r;
}

int cgroupfs_tree_foreach_pid(int dir_fd, cgroupfs_pid_fn fn, void *data)
{
	return tree_foreach_pid(dir_fd, fn, data, 0);
}

static int tree_remove_children(int dir_fd, unsigned depth);

static int tree_remove_sub(int dir_fd, int sub_fd, const char *name, void *data)
{
	const unsigned *depth = data;
	int r = tree_remove_children(sub_fd, *depth + 1);

	if (r < 0)
		return r;
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int tree_remove_children(int dir_fd, unsigned depth)
{
	int r = subdirs_foreach(dir_fd, depth, tree_remove_sub, &depth);

	return r < 0 ? r : 0;
}

int cgroupfs_tree_remove_children(int dir_fd)
{
	return tree_remove_children(dir_fd, 0);
}
