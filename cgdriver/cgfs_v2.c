/* The cgroupfs v2 backend: one unified hierarchy at ROOT, the container's cgroup at
 * ROOT/PARENT/NAME, controllers enabled in cgroup.subtree_control from ROOT down to PARENT. */
#include "config.h"

#include "cgdriver/cgdriver-internal.h"
#include "common/cgroupfs.h"
#include "common/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* Kernel interfaces, relative to a cgroup directory. */
#define CGROUP_CONTROLLERS	"cgroup.controllers"
#define CGROUP_SUBTREE_CONTROL	"cgroup.subtree_control"
#define CGROUP_PROCS		"cgroup.procs"
#define CGROUP_EVENTS		"cgroup.events"
#define CGROUP_EVENTS_POPULATED "populated"
#define CGROUP_KILL		"cgroup.kill"
#define MEMORY_MAX		"memory.max"
#define MEMORY_SWAP_MAX		"memory.swap.max"
#define MEMORY_CURRENT		"memory.current"
#define MEMORY_EVENTS		"memory.events"
#define MEMORY_EVENTS_OOM_KILL	"oom_kill"
#define CPU_MAX			"cpu.max"
#define CPU_WEIGHT		"cpu.weight"
#define CPU_STAT		"cpu.stat"
#define CPU_STAT_USAGE		"usage_usec"
#define CPUSET_CPUS		"cpuset.cpus"
#define PIDS_MAX		"pids.max"
#define PIDS_CURRENT		"pids.current"
#define VALUE_MAX		"max" /* "no limit" in every v2 limit file */
#define CPU_WEIGHT_MIN		1
#define CPU_WEIGHT_MAX		10000

/* What memory.swap.max is reported missing as when the kernel does no swap accounting. */
#define CONTROLLER_SWAP "memory.swap"

#define KILL_PASSES 32
#define TEXT_MAX    4096
#define NUMBER_MAX  32

/* The controllers, in the order they are enabled. */
enum v2_controller {
	V2_MEMORY,
	V2_CPU,
	V2_PIDS,
	V2_CPUSET,
	V2_CONTROLLER_COUNT,
};

static const char *const controller_names[V2_CONTROLLER_COUNT] = {
	[V2_MEMORY] = "memory",
	[V2_CPU] = "cpu",
	[V2_PIDS] = "pids",
	[V2_CPUSET] = "cpuset",
};

static void closedirp(DIR **dir)
{
	if (*dir) {
		int saved = errno;
		(void)closedir(*dir);
		errno = saved;
	}
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* ---- small file helpers, relative to a cgroup directory fd ---- */

/* O_TRUNC is accepted (and ignored) by cgroupfs, and makes a fake tree hold exactly the bytes
 * of the last write. */
static int cgroup_write(int dir_fd, const char *file, const char *text)
{
	_cleanup_close_ int fd = openat(dir_fd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return util_write_all(fd, text, strlen(text));
}

static int cgroup_write_u64(int dir_fd, const char *file, uint64_t value)
{
	char text[NUMBER_MAX];

	if (value == CG_UNLIMITED)
		return cgroup_write(dir_fd, file, VALUE_MAX);
	snprintf(text, sizeof(text), "%" PRIu64, value);
	return cgroup_write(dir_fd, file, text);
}

static int parse_u64(const char *text, uint64_t *ret)
{
	unsigned long long value;
	char *end;

	if (strncmp(text, VALUE_MAX, strlen(VALUE_MAX)) == 0 &&
	    strchr(" \n", text[strlen(VALUE_MAX)])) {
		*ret = CG_UNLIMITED;
		return 0;
	}
	if (text[0] < '0' || text[0] > '9')
		return -EBADMSG;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0 || !strchr(" \n", *end))
		return -EBADMSG;
	*ret = value;
	return 0;
}

/* A file holding one number or "max". */
static int cgroup_read_u64(int dir_fd, const char *file, uint64_t *ret)
{
	char text[NUMBER_MAX];
	ssize_t n = util_read_file_at(dir_fd, file, text, sizeof(text));

	if (n < 0)
		return (int)n;
	return parse_u64(text, ret);
}

/* A flat-keyed file ("key value" lines: cpu.stat, memory.events, cgroup.events). */
static int cgroup_read_key(int dir_fd, const char *file, const char *key, uint64_t *ret)
{
	char text[TEXT_MAX];
	size_t len = strlen(key);
	ssize_t n = util_read_file_at(dir_fd, file, text, sizeof(text));

	if (n < 0)
		return (int)n;
	for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		if (strncmp(line, key, len) == 0 && line[len] == ' ')
			return parse_u64(line + len + 1, ret);
	}
	return -EBADMSG;
}

/* Whether the space-separated list contains word. */
static bool words_contain(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list + strspn(list, " \n"); *p; p += strspn(p, " \n")) {
		size_t n = strcspn(p, " \n");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
	}
	return false;
}

static int cgroup_populated(int dir_fd)
{
	uint64_t value;
	int r = cgroup_read_key(dir_fd, CGROUP_EVENTS, CGROUP_EVENTS_POPULATED, &value);

	if (r < 0)
		return r;
	return value != 0;
}

static int dir_open_at(int dir_fd, const char *path)
{
	int fd = openat(dir_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int dir_open_list(int dir_fd, DIR **ret)
{
	int fd = dir_open_at(dir_fd, ".");
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		int r = -errno;
		close(fd);
		return r;
	}
	*ret = dir;
	return 0;
}

/* Removes the cgroup NAME below DIR and the cgroups below it, unless populated: -EBUSY then.
 * Gone already is done. */
static int cgroup_remove(int dir_fd, const char *name)
{
	_cleanup_close_ int fd = dir_open_at(dir_fd, name);
	int r;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	/* Checked first so that a running container's empty sub-cgroups are left alone. A fake
	 * tree may lack cgroup.events; the kernel refuses rmdir of a populated one anyway. */
	r = cgroup_populated(fd);
	if (r > 0)
		return -EBUSY;
	if (r < 0 && r != -ENOENT)
		return r;
	r = cgroupfs_tree_remove_children(fd);
	if (r < 0)
		return r;
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* ---- the backend state ---- */

struct cg_v2 {
	const char *root;   /* the driver's: the cgroup2 mount */
	const char *parent; /* the driver's, relative to root: "a/b", "" for the root itself */
	const char *name;
	char *path;	     /* root/parent/name */
	int dir_fd;	     /* the container's cgroup once created, else -1 */
	int oom_fd;	     /* inotify on memory.events, -1 until asked for */
	const char *missing; /* with -EOPNOTSUPP from set_limits, for the driver */
};

static void v2_state_free(struct cg_v2 *v2)
{
	if (!v2)
		return;
	if (v2->dir_fd >= 0)
		close(v2->dir_fd);
	if (v2->oom_fd >= 0)
		close(v2->oom_fd);
	free(v2->path);
	free(v2);
}

static int v2_state_new(const struct cg_driver *driver, struct cg_v2 **ret)
{
	struct cg_v2 *v2 = calloc(1, sizeof(*v2));

	if (!v2)
		return -ENOMEM;
	v2->dir_fd = -1;
	v2->oom_fd = -1;
	v2->root = driver->root;
	v2->parent = driver->parent + (driver->parent[0] == '/');
	v2->name = driver->name;
	if (asprintf(&v2->path, "%s%s/%s", driver->root, driver->parent, driver->name) < 0) {
		free(v2);
		return -ENOMEM;
	}
	*ret = v2;
	return 0;
}

/* ---- create ---- */

/* Makes each missing directory of root/parent, recording how many it made (the deepest ones)
 * so that a failure can remove them. */
static int parent_create(struct cg_v2 *v2, int root_fd, unsigned *made)
{
	_cleanup_close_ int fd = -1;
	const char *p = v2->parent;

	*made = 0;
	fd = dir_open_at(root_fd, ".");
	if (fd < 0)
		return fd;
	while (*p) {
		size_t n = strcspn(p, "/");
		char component[NAME_MAX + 1];
		int sub_fd;

		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(component, p, n);
		component[n] = '\0';
		if (mkdirat(fd, component, 0755) == 0)
			(*made)++;
		else if (errno != EEXIST)
			return -errno;
		sub_fd = dir_open_at(fd, component);
		if (sub_fd < 0)
			return sub_fd;
		close(fd);
		fd = sub_fd;
		p += n;
		p += *p == '/';
	}
	return util_take_fd(&fd);
}

/* Removes the last `made` components of root/parent, deepest first. */
static void parent_remove_made(struct cg_v2 *v2, int root_fd, unsigned made)
{
	_cleanup_free_ char *path = strdup(v2->parent);

	while (path && made-- > 0) {
		char *slash;

		(void)unlinkat(root_fd, path, AT_REMOVEDIR);
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

static int v2_create(struct cg_v2 *v2)
{
	_cleanup_close_ int root_fd = -1, parent_fd = -1, fd = -1;
	unsigned made = 0;
	bool made_self = false;
	int r;

	if (v2->dir_fd >= 0)
		return -EALREADY;
	root_fd = dir_open_at(AT_FDCWD, v2->root);
	if (root_fd < 0)
		return root_fd;
	parent_fd = parent_create(v2, root_fd, &made);
	if (parent_fd < 0) {
		r = parent_fd;
		goto fail;
	}
	if (mkdirat(parent_fd, v2->name, 0755) == 0) {
		made_self = true;
	} else if (errno != EEXIST) {
		r = -errno;
		goto fail;
	}
	fd = dir_open_at(parent_fd, v2->name);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	if (!made_self) {
		/* A leftover of a claunch that was SIGKILLed is reused; one in use is not ours. */
		r = cgroup_populated(fd);
		if (r > 0)
			r = -EEXIST;
		if (r < 0)
			goto fail;
	}
	v2->dir_fd = util_take_fd(&fd);
	return 0;

fail:
	if (made_self)
		(void)unlinkat(parent_fd, v2->name, AT_REMOVEDIR);
	parent_remove_made(v2, root_fd, made);
	return r;
}

/* ---- limits ---- */

static unsigned limits_controllers(const struct cg_limits *limits)
{
	unsigned need = 0;

	if (limits->memory_max != CG_UNLIMITED || limits->memory_swap_max != 0)
		need |= 1u << V2_MEMORY;
	if (limits->cpu_quota_usec != CG_UNLIMITED || cg_limits_cpu_weight(limits) != 0)
		need |= 1u << V2_CPU;
	if (limits->pids_max != CG_UNLIMITED)
		need |= 1u << V2_PIDS;
	if (limits->cpuset_cpus)
		need |= 1u << V2_CPUSET;
	return need;
}

static int limits_check(const struct cg_limits *limits)
{
	if (cg_limits_cpu_weight(limits) != 0 && (cg_limits_cpu_weight(limits) < CPU_WEIGHT_MIN ||
						  cg_limits_cpu_weight(limits) > CPU_WEIGHT_MAX))
		return -EINVAL;
	if (limits->cpu_quota_usec == 0)
		return -EINVAL;
	/* docker: --memory-swap needs --memory and counts it in. */
	if (limits->memory_swap_max != 0 && limits->memory_swap_max != CG_UNLIMITED &&
	    (limits->memory_max == CG_UNLIMITED || limits->memory_swap_max < limits->memory_max))
		return -EINVAL;
	if (limits->cpuset_cpus &&
	    (limits->cpuset_cpus[0] == '\0' || strpbrk(limits->cpuset_cpus, " \n")))
		return -EINVAL;
	return 0;
}

/* Enables the controllers in `need` that DIR's cgroup.subtree_control lacks, in one write. */
static int subtree_enable(int dir_fd, unsigned need)
{
	char enabled[TEXT_MAX], text[TEXT_MAX] = "";
	ssize_t n = util_read_file_at(dir_fd, CGROUP_SUBTREE_CONTROL, enabled, sizeof(enabled));
	size_t len = 0;

	if (n < 0)
		return (int)n;
	for (unsigned i = 0; i < V2_CONTROLLER_COUNT; i++) {
		if (!(need & (1u << i)) || words_contain(enabled, controller_names[i]))
			continue;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s+%s", len ? " " : "",
					controller_names[i]);
	}
	if (len == 0)
		return 0;
	return cgroup_write(dir_fd, CGROUP_SUBTREE_CONTROL, text);
}

/* The root and each ancestor down to the parent delegate `need` to their children. */
static int ancestors_enable(struct cg_v2 *v2, unsigned need)
{
	_cleanup_close_ int fd = dir_open_at(AT_FDCWD, v2->root);
	char offered[TEXT_MAX];
	const char *p = v2->parent;
	ssize_t n;
	int r;

	if (fd < 0)
		return fd;
	n = util_read_file_at(fd, CGROUP_CONTROLLERS, offered, sizeof(offered));
	if (n < 0)
		return (int)n;
	for (unsigned i = 0; i < V2_CONTROLLER_COUNT; i++) {
		if ((need & (1u << i)) && !words_contain(offered, controller_names[i])) {
			v2->missing = controller_names[i];
			return -EOPNOTSUPP;
		}
	}
	for (;;) {
		char component[NAME_MAX + 1];
		size_t len = strcspn(p, "/");
		int sub_fd;

		r = subtree_enable(fd, need);
		if (r < 0)
			return r;
		if (len == 0)
			return 0;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(component, p, len);
		component[len] = '\0';
		sub_fd = dir_open_at(fd, component);
		if (sub_fd < 0)
			return sub_fd;
		close(fd);
		fd = sub_fd;
		p += len;
		p += *p == '/';
	}
}

static int write_memory(int dir_fd, const struct cg_limits *limits)
{
	int r = cgroup_write_u64(dir_fd, MEMORY_MAX, limits->memory_max);
	uint64_t swap;

	if (r < 0)
		return r;
	if (limits->memory_swap_max == 0) {
		/* docker: without --memory-swap, as much swap as --memory (memory + swap = 2x) */
		if (limits->memory_max == CG_UNLIMITED)
			return 0;
		r = cgroup_write_u64(dir_fd, MEMORY_SWAP_MAX, limits->memory_max);
		/* not asked for: without swap accounting there is no swap limit to set */
		return r == -ENOENT ? 0 : r;
	}
	/* docker's --memory-swap is memory + swap; v2 limits swap alone. */
	swap = limits->memory_swap_max == CG_UNLIMITED
		       ? CG_UNLIMITED
		       : limits->memory_swap_max - limits->memory_max;
	r = cgroup_write_u64(dir_fd, MEMORY_SWAP_MAX, swap);
	/* No memory.swap.max: the kernel does no swap accounting (swapaccount=0). */
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

static int write_cpu(int dir_fd, const struct cg_limits *limits)
{
	char text[2 * NUMBER_MAX];
	int r;

	if (limits->cpu_quota_usec == CG_UNLIMITED)
		snprintf(text, sizeof(text), VALUE_MAX " %d", CG_CPU_PERIOD_USEC);
	else
		snprintf(text, sizeof(text), "%" PRIu64 " %d", limits->cpu_quota_usec,
			 CG_CPU_PERIOD_USEC);
	r = cgroup_write(dir_fd, CPU_MAX, text);
	if (r < 0 || cg_limits_cpu_weight(limits) == 0)
		return r;
	return cgroup_write_u64(dir_fd, CPU_WEIGHT, cg_limits_cpu_weight(limits));
}

static int v2_set_limits(struct cg_v2 *v2, const struct cg_limits *limits)
{
	unsigned need = limits_controllers(limits);
	int r;

	if (v2->dir_fd < 0)
		return -EBADF;
	v2->missing = NULL;
	r = limits_check(limits);
	if (r < 0)
		return r;
	if (need == 0)
		return 0;
	r = ancestors_enable(v2, need);
	if (r < 0)
		return r;
	if (need & (1u << V2_MEMORY)) {
		r = write_memory(v2->dir_fd, limits);
		if (r == -EOPNOTSUPP)
			v2->missing = CONTROLLER_SWAP;
		if (r < 0)
			return r;
	}
	if (need & (1u << V2_CPU)) {
		r = write_cpu(v2->dir_fd, limits);
		if (r < 0)
			return r;
	}
	if (need & (1u << V2_CPUSET)) {
		r = cgroup_write(v2->dir_fd, CPUSET_CPUS, limits->cpuset_cpus);
		if (r < 0)
			return r;
	}
	if (need & (1u << V2_PIDS)) {
		r = cgroup_write_u64(v2->dir_fd, PIDS_MAX, limits->pids_max);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- processes ---- */

static int v2_attach(struct cg_v2 *v2, pid_t pid)
{
	char text[NUMBER_MAX];

	if (v2->dir_fd < 0)
		return -EBADF;
	snprintf(text, sizeof(text), "%d", (int)pid);
	return cgroup_write(v2->dir_fd, CGROUP_PROCS, text);
}

static int count_one(pid_t pid, void *data)
{
	return 0;
}

struct kill_state {
	int sig;
	pid_t *seen; /* sorted up to n_sorted, then this pass's new pids */
	size_t n_seen, n_sorted, capacity;
	int count;
	int error;
};

static int pid_compare(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int kill_one(pid_t pid, void *data)
{
	struct kill_state *k = data;

	if (bsearch(&pid, k->seen, k->n_sorted, sizeof(pid_t), pid_compare))
		return 0;
	for (size_t i = k->n_sorted; i < k->n_seen; i++)
		if (k->seen[i] == pid)
			return 0;
	if (k->n_seen == k->capacity) {
		size_t capacity = k->capacity ? 2 * k->capacity : 64;
		pid_t *seen = realloc(k->seen, capacity * sizeof(pid_t));

		if (!seen)
			return -ENOMEM;
		k->seen = seen;
		k->capacity = capacity;
	}
	k->seen[k->n_seen++] = pid;
	if (kill(pid, k->sig) == 0)
		k->count++;
	else if (errno != ESRCH && k->error == 0)
		k->error = -errno;
	return 0;
}

/* Pass after pass until no new process shows up, since one may fork while we signal. */
static int kill_by_procs(int dir_fd, int sig)
{
	struct kill_state k = { .sig = sig };
	int r = 0;

	for (unsigned pass = 0; pass < KILL_PASSES; pass++) {
		size_t before = k.n_seen;

		r = cgroupfs_tree_foreach_pid(dir_fd, kill_one, &k);
		if (r < 0 || k.n_seen == before)
			break;
		qsort(k.seen, k.n_seen, sizeof(pid_t), pid_compare);
		k.n_sorted = k.n_seen;
	}
	free(k.seen);
	if (r < 0)
		return r;
	return k.error < 0 ? k.error : k.count;
}

/* cgroup.kill (5.14): one write, and no process can fork its way out. -ENOENT before. */
static int kill_by_cgroup_kill(int dir_fd)
{
	_cleanup_close_ int fd = openat(dir_fd, CGROUP_KILL, O_WRONLY | O_CLOEXEC);
	int count, r;

	if (fd < 0)
		return -errno;
	count = cgroupfs_tree_foreach_pid(dir_fd, count_one, NULL);
	if (count < 0)
		return count;
	r = util_write_all(fd, "1", 1);
	return r < 0 ? r : count;
}

static int v2_kill_all(struct cg_v2 *v2, int sig)
{
	if (v2->dir_fd < 0)
		return -EBADF;
	if (sig == SIGKILL) {
		int r = kill_by_cgroup_kill(v2->dir_fd);

		if (r != -ENOENT)
			return r;
	}
	return kill_by_procs(v2->dir_fd, sig);
}

static int v2_populated(struct cg_v2 *v2)
{
	if (v2->dir_fd < 0)
		return -EBADF;
	return cgroup_populated(v2->dir_fd);
}

static int v2_cgroup_fd(struct cg_v2 *v2)
{
	if (v2->dir_fd < 0)
		return -EBADF;
	return dir_open_at(v2->dir_fd, ".");
}

/* ---- stats and OOM ---- */

/* Reads away the wakeups of the OOM fd, so that a level-triggered loop sleeps again. */
static int oom_fd_drain(struct cg_v2 *v2)
{
	char buf[TEXT_MAX] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (v2->oom_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = util_read(v2->oom_fd, buf, sizeof(buf));

		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
	}
}

/* A file of a controller that was not enabled (no limit asked for it) reads as nothing used. */
static int stat_or_default(int r, uint64_t *value, uint64_t fallback)
{
	if (r == -ENOENT) {
		*value = fallback;
		return 0;
	}
	return r;
}

static int v2_stats(struct cg_v2 *v2, struct cg_stats *ret)
{
	struct cg_stats stats;
	int r;

	if (v2->dir_fd < 0)
		return -EBADF;
	r = oom_fd_drain(v2);
	if (r < 0)
		return r;
	r = cgroup_read_u64(v2->dir_fd, MEMORY_CURRENT, &stats.memory_current);
	r = stat_or_default(r, &stats.memory_current, 0);
	if (r < 0)
		return r;
	r = cgroup_read_u64(v2->dir_fd, MEMORY_MAX, &stats.memory_max);
	r = stat_or_default(r, &stats.memory_max, CG_UNLIMITED);
	if (r < 0)
		return r;
	r = cgroup_read_key(v2->dir_fd, CPU_STAT, CPU_STAT_USAGE, &stats.cpu_usage_usec);
	r = stat_or_default(r, &stats.cpu_usage_usec, 0);
	if (r < 0)
		return r;
	r = cgroup_read_u64(v2->dir_fd, PIDS_CURRENT, &stats.pids_current);
	r = stat_or_default(r, &stats.pids_current, 0);
	if (r < 0)
		return r;
	r = cgroup_read_key(v2->dir_fd, MEMORY_EVENTS, MEMORY_EVENTS_OOM_KILL, &stats.oom_kills);
	r = stat_or_default(r, &stats.oom_kills, 0);
	if (r < 0)
		return r;
	*ret = stats;
	return 0;
}

/* memory.events changes (IN_MODIFY) on every memory event; the caller compares oom_kills. */
static int v2_oom_fd(struct cg_v2 *v2)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *events = NULL;

	if (v2->oom_fd >= 0)
		return v2->oom_fd;
	if (v2->dir_fd < 0)
		return -EBADF;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (asprintf(&events, "%s/%s", v2->path, MEMORY_EVENTS) < 0) {
		events = NULL;
		return -ENOMEM;
	}
	if (inotify_add_watch(fd, events, IN_MODIFY) < 0)
		/* No memory.events: the memory controller is not enabled for this cgroup. */
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	v2->oom_fd = util_take_fd(&fd);
	return v2->oom_fd;
}

/* ---- removal ---- */

static int v2_destroy(struct cg_v2 *v2)
{
	_cleanup_free_ char *parent_path = NULL;
	_cleanup_close_ int parent_fd = -1;
	int r;

	if (asprintf(&parent_path, "%s/%s", v2->root, v2->parent) < 0) {
		parent_path = NULL;
		return -ENOMEM;
	}
	parent_fd = dir_open_at(AT_FDCWD, parent_path);
	if (parent_fd < 0)
		return parent_fd == -ENOENT ? 0 : parent_fd;
	r = cgroup_remove(parent_fd, v2->name);
	if (r < 0)
		return r;
	if (v2->oom_fd >= 0) {
		close(v2->oom_fd);
		v2->oom_fd = -1;
	}
	if (v2->dir_fd >= 0) {
		close(v2->dir_fd);
		v2->dir_fd = -1;
	}
	return 0;
}

static int v2_remove_stale(struct cg_v2 *v2, const char *prefix)
{
	_cleanup_free_ char *parent_path = NULL;
	_cleanup_closedir_ DIR *dir = NULL;
	_cleanup_close_ int parent_fd = -1;
	size_t len = prefix ? strlen(prefix) : 0;
	struct dirent *de;
	int removed = 0, r;

	if (len == 0)
		return -EINVAL;
	if (asprintf(&parent_path, "%s/%s", v2->root, v2->parent) < 0) {
		parent_path = NULL;
		return -ENOMEM;
	}
	parent_fd = dir_open_at(AT_FDCWD, parent_path);
	if (parent_fd == -ENOENT)
		return 0;
	if (parent_fd < 0)
		return parent_fd;
	r = dir_open_list(parent_fd, &dir);
	if (r < 0)
		return r;
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			return errno > 0 ? -errno : removed;
		if (de->d_type != DT_DIR || strncmp(de->d_name, prefix, len) != 0 ||
		    strcmp(de->d_name, v2->name) == 0)
			continue;
		r = cgroup_remove(parent_fd, de->d_name);
		/* Populated: a running container's. Not empty: not a cgroup (fake tree files). */
		if (r == -EBUSY || r == -ENOTEMPTY)
			continue;
		if (r < 0)
			return r;
		removed++;
	}
}

/* ---- the table ---- */

static struct cg_v2 *backend(struct cg_driver *driver)
{
	return driver->backend;
}

static int ops_init(struct cg_driver *driver)
{
	struct cg_v2 *v2;
	int r = v2_state_new(driver, &v2);

	if (r < 0)
		return r;
	driver->backend = v2;
	return 0;
}

static void ops_free(struct cg_driver *driver)
{
	v2_state_free(driver->backend);
	driver->backend = NULL;
}

static int ops_create(struct cg_driver *driver)
{
	return v2_create(backend(driver));
}

/* A cgroup someone else made (systemd's scope): opened, never created or removed here. */
static int ops_adopt(struct cg_driver *driver)
{
	struct cg_v2 *v2 = backend(driver);
	int fd;

	if (v2->dir_fd >= 0)
		return -EALREADY;
	fd = dir_open_at(AT_FDCWD, v2->path);
	if (fd < 0)
		return fd;
	v2->dir_fd = fd;
	return 0;
}

static int ops_set_limits(struct cg_driver *driver, const struct cg_limits *limits)
{
	int r = v2_set_limits(backend(driver), limits);

	if (r == -EOPNOTSUPP)
		driver->missing_controller = backend(driver)->missing;
	return r;
}

static int ops_attach(struct cg_driver *driver, pid_t pid)
{
	return v2_attach(backend(driver), pid);
}

static int ops_cgroup_fd(struct cg_driver *driver)
{
	return v2_cgroup_fd(backend(driver));
}

static int ops_stats(struct cg_driver *driver, struct cg_stats *ret)
{
	return v2_stats(backend(driver), ret);
}

static int ops_oom_fd(struct cg_driver *driver)
{
	return v2_oom_fd(backend(driver));
}

static int ops_kill_all(struct cg_driver *driver, int sig)
{
	return v2_kill_all(backend(driver), sig);
}

static int ops_populated(struct cg_driver *driver)
{
	return v2_populated(backend(driver));
}

static int ops_destroy(struct cg_driver *driver)
{
	return v2_destroy(backend(driver));
}

static int ops_remove_parent(struct cg_driver *driver)
{
	return cg_remove_parent_in(driver->root, driver->parent);
}

static int ops_remove_stale(struct cg_driver *driver, const char *prefix)
{
	return v2_remove_stale(backend(driver), prefix);
}

const struct cg_driver_ops cg_v2_ops = {
	.init = ops_init,
	.free = ops_free,
	.create = ops_create,
	.adopt = ops_adopt,
	.set_limits = ops_set_limits,
	.attach = ops_attach,
	.cgroup_fd = ops_cgroup_fd,
	.stats = ops_stats,
	.oom_fd = ops_oom_fd,
	.kill_all = ops_kill_all,
	.populated = ops_populated,
	.destroy = ops_destroy,
	.remove_stale = ops_remove_stale,
	.remove_parent = ops_remove_parent,
};
