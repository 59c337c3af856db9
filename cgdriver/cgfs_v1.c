/* cgroupfs v1 backend: one hierarchy per controller under ROOT (ROOT/memory, ROOT/cpu, ...), or
 * co-mounted ones ("cpu,cpuacct" with cpu and cpuacct as symlinks). The container's cgroup is
 * PARENT/NAME in each hierarchy present; a controller-less cgroup2 at ROOT/unified (hybrid) and
 * the name=systemd hierarchy are left to their owner. */
#include "config.h"

#include "cgdriver/cgdriver-internal.h"
#include "common/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

/* Files of the v1 controllers (Documentation/admin-guide/cgroup-v1/). */
#define CG_V1_PROCS		 "cgroup.procs"
#define CG_V1_EVENT_CONTROL	 "cgroup.event_control"
#define CG_V1_MEMORY_LIMIT	 "memory.limit_in_bytes"
#define CG_V1_MEMSW_LIMIT	 "memory.memsw.limit_in_bytes"
#define CG_V1_MEMORY_USAGE	 "memory.usage_in_bytes"
#define CG_V1_MEMORY_OOM_CONTROL "memory.oom_control"
#define CG_V1_CPU_CFS_PERIOD	 "cpu.cfs_period_us"
#define CG_V1_CPU_CFS_QUOTA	 "cpu.cfs_quota_us"
#define CG_V1_CPU_SHARES	 "cpu.shares"
#define CG_V1_CPUACCT_USAGE	 "cpuacct.usage"
#define CG_V1_CPUSET_CPUS	 "cpuset.cpus"
#define CG_V1_CPUSET_MEMS	 "cpuset.mems"
#define CG_V1_PIDS_MAX		 "pids.max"
#define CG_V1_PIDS_CURRENT	 "pids.current"
#define CG_V1_FREEZER_STATE	 "freezer.state"
#define CG_V1_FROZEN		 "FROZEN"
#define CG_V1_THAWED		 "THAWED"
#define CG_V1_UNLIMITED		 "-1"	    /* memory.*limit_in_bytes, cpu.cfs_quota_us */
#define CG_V1_PIDS_UNLIMITED	 "max"	    /* pids.max */
#define CG_V1_OOM_KILL_KEY	 "oom_kill" /* line of memory.oom_control, kernel >= 4.13 */
#define CG_V1_CPU_SHARES_DEFAULT 1024
/* memory.limit_in_bytes reads PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages)
 * when unlimited; anything from 2^62 up is "unlimited" whatever the page size. */
#define CG_V1_MEMORY_UNLIMITED_MIN (UINT64_C(1) << 62)
#define CG_V1_DIR_MODE		   0755
#define CG_V1_CPU_WEIGHT_MAX	   10000

enum {
	H_MEMORY,
	H_CPU,
	H_CPUACCT,
	H_CPUSET,
	H_PIDS,
	H_FREEZER,
	H_COUNT,
};

/* The directory names under ROOT each controller can be found at, first match wins. */
static const struct {
	const char *controller;
	const char *dirs[3];
} v1_hierarchies[H_COUNT] = {
	[H_MEMORY] = { "memory", { "memory" } },
	[H_CPU] = { "cpu", { "cpu", "cpu,cpuacct", "cpuacct,cpu" } },
	[H_CPUACCT] = { "cpuacct", { "cpuacct", "cpu,cpuacct", "cpuacct,cpu" } },
	[H_CPUSET] = { "cpuset", { "cpuset" } },
	[H_PIDS] = { "pids", { "pids" } },
	[H_FREEZER] = { "freezer", { "freezer" } },
};

struct v1_hierarchy {
	const char *dir; /* under ROOT; NULL when the controller is not mounted */
	int same_as;	 /* index of an earlier entry that is the same mount, or -1 */
};

struct v1_state {
	struct v1_hierarchy h[H_COUNT];
	int oom_fd;
};

/* A list of strings or pids, grown by doubling. */
struct v1_list {
	void *items;
	size_t count, allocated, item_size;
};

static int list_push(struct v1_list *list, const void *item)
{
	if (list->count == list->allocated) {
		size_t n = list->allocated ? list->allocated * 2 : 16;
		void *p = reallocarray(list->items, n, list->item_size);

		if (!p)
			return -ENOMEM;
		list->items = p;
		list->allocated = n;
	}
	memcpy((char *)list->items + list->count * list->item_size, item, list->item_size);
	list->count++;
	return 0;
}

static struct v1_state *state_of(struct cg_driver *driver)
{
	return driver->backend;
}

static bool hierarchy_used(const struct v1_state *s, int i)
{
	return s->h[i].dir && s->h[i].same_as < 0;
}

/* ROOT/DIR, ROOT/DIR/PARENT/NAME or ROOT/DIR/PARENT/NAME/FILE into buf. */
static int path_hierarchy(char *buf, size_t size, const struct cg_driver *driver, const char *dir)
{
	int n = snprintf(buf, size, "%s/%s", driver->root, dir);

	return n < 0 ? -EINVAL : (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int path_cgroup(char *buf, size_t size, const struct cg_driver *driver, const char *dir,
		       const char *file)
{
	int n = file ? snprintf(buf, size, "%s/%s%s/%s/%s", driver->root, dir, driver->parent,
				driver->name, file)
		     : snprintf(buf, size, "%s/%s%s/%s", driver->root, dir, driver->parent,
				driver->name);

	return n < 0 ? -EINVAL : (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int path_join(char *buf, size_t size, const char *dir, const char *file)
{
	int n = snprintf(buf, size, "%s/%s", dir, file);

	return n < 0 ? -EINVAL : (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Writes value (no newline) to an existing control file. */
static int write_file(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = util_write_all(fd, value, strlen(value));
	if (r < 0)
		return r;
	if (close(util_take_fd(&fd)) < 0)
		return -errno;
	return 0;
}

static int write_cgroup_file(struct cg_driver *driver, int h, const char *file, const char *value)
{
	char path[PATH_MAX];
	int r;

	r = path_cgroup(path, sizeof(path), driver, state_of(driver)->h[h].dir, file);
	if (r < 0)
		return r;
	return write_file(path, value);
}

static int write_cgroup_u64(struct cg_driver *driver, int h, const char *file, uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return write_cgroup_file(driver, h, file, buf);
}

static bool cgroup_file_exists(struct cg_driver *driver, int h, const char *file)
{
	char path[PATH_MAX];

	if (path_cgroup(path, sizeof(path), driver, state_of(driver)->h[h].dir, file) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/* "-1" and "max" are unlimited. Returns 0 or -errno. */
static int parse_u64(const char *text, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	text += strspn(text, " \t\n");
	if (strncmp(text, "max", 3) == 0 || strncmp(text, "-1", 2) == 0) {
		*ret = CG_UNLIMITED;
		return 0;
	}
	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -errno;
	if (*end != '\0' && *end != '\n')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int read_cgroup_u64(struct cg_driver *driver, int h, const char *file, uint64_t *ret)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int r;

	r = path_cgroup(path, sizeof(path), driver, state_of(driver)->h[h].dir, file);
	if (r < 0)
		return r;
	n = util_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return parse_u64(buf, ret);
}

/* 1 when DIR/cgroup.procs lists a process, 0 when empty. */
static int dir_populated(const char *dir)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int r;

	r = path_join(path, sizeof(path), dir, CG_V1_PROCS);
	if (r < 0)
		return r;
	n = util_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return strspn(buf, " \n") < (size_t)n;
}

/* A new cpuset cgroup has empty cpus and mems and refuses tasks: copy them from the parent
 * when empty. */
static int cpuset_copy_from_parent(const char *parent, const char *child, bool always)
{
	static const char *const files[] = { CG_V1_CPUSET_CPUS, CG_V1_CPUSET_MEMS };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char path[PATH_MAX], buf[4096];
		ssize_t n;
		int r;

		r = path_join(path, sizeof(path), child, files[i]);
		if (r < 0)
			return r;
		if (!always) {
			n = util_read_file(path, buf, sizeof(buf));
			if (n < 0)
				return (int)n;
			if (strspn(buf, " \n") < (size_t)n)
				continue;
		}
		r = path_join(path, sizeof(path), parent, files[i]);
		if (r < 0)
			return r;
		n = util_read_file(path, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		buf[strcspn(buf, "\n")] = '\0';
		r = path_join(path, sizeof(path), child, files[i]);
		if (r < 0)
			return r;
		r = write_file(path, buf);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_init(struct cg_driver *driver)
{
	struct v1_state *s;
	struct stat st[H_COUNT];

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->oom_fd = -1;
	driver->backend = s;

	for (int i = 0; i < H_COUNT; i++) {
		s->h[i].same_as = -1;
		for (size_t d = 0; d < ELEMENTSOF(v1_hierarchies[i].dirs); d++) {
			const char *dir = v1_hierarchies[i].dirs[d];
			char path[PATH_MAX];
			int r;

			if (!dir)
				break;
			r = path_hierarchy(path, sizeof(path), driver, dir);
			if (r < 0)
				return r;
			if (stat(path, &st[i]) < 0) {
				if (errno == ENOENT || errno == ENOTDIR)
					continue;
				return -errno;
			}
			if (!S_ISDIR(st[i].st_mode))
				continue;
			s->h[i].dir = dir;
			break;
		}
		if (!s->h[i].dir)
			continue;
		/* cpu and cpuacct co-mounted: one directory, reached by two names */
		for (int j = 0; j < i; j++)
			if (s->h[j].dir && s->h[j].same_as < 0 && st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino) {
				s->h[i].same_as = j;
				break;
			}
	}
	return 0;
}

static void v1_free(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);

	if (!s)
		return;
	util_closep(&s->oom_fd);
	free(s);
	driver->backend = NULL;
}

/* Removes, last first, the directories in created (owned strings) and frees the list. */
static void rollback(struct v1_list *created, bool remove)
{
	char **paths = created->items;

	for (size_t i = created->count; i > 0; i--) {
		if (remove)
			(void)rmdir(paths[i - 1]);
		free(paths[i - 1]);
	}
	free(created->items);
	created->items = NULL;
	created->count = created->allocated = 0;
}

/* mkdir that records what it made; 1 when made, 0 when it was there. */
static int make_dir(const char *path, struct v1_list *created)
{
	char *copy;
	int r;

	if (mkdir(path, CG_V1_DIR_MODE) < 0)
		return errno == EEXIST ? 0 : -errno;
	copy = strdup(path);
	if (!copy) {
		(void)rmdir(path);
		return -ENOMEM;
	}
	r = list_push(created, &copy);
	if (r < 0) {
		(void)rmdir(path);
		free(copy);
		return r;
	}
	return 1;
}

static int create_in_hierarchy(struct cg_driver *driver, int h, struct v1_list *created)
{
	const char *dir = state_of(driver)->h[h].dir;
	char path[PATH_MAX], up[PATH_MAX];
	size_t len;
	int r;

	r = path_hierarchy(path, sizeof(path), driver, dir);
	if (r < 0)
		return r;
	/* PARENT, one component at a time so that each level gets its cpuset */
	for (const char *p = driver->parent; *p;) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 0)
			break;
		len = strlen(path);
		if (len + 1 + n >= sizeof(path))
			return -ENAMETOOLONG;
		memcpy(up, path, len + 1);
		path[len] = '/';
		memcpy(path + len + 1, p, n);
		path[len + 1 + n] = '\0';
		p += n;
		r = make_dir(path, created);
		if (r < 0)
			return r;
		if (h == H_CPUSET) {
			r = cpuset_copy_from_parent(up, path, false);
			if (r < 0)
				return r;
		}
	}

	memcpy(up, path, strlen(path) + 1);
	r = path_cgroup(path, sizeof(path), driver, dir, NULL);
	if (r < 0)
		return r;
	r = make_dir(path, created);
	if (r < 0)
		return r;
	if (r == 0) {
		/* a leftover of a claunch that was SIGKILLed is reused when empty */
		r = dir_populated(path);
		if (r < 0)
			return r;
		if (r > 0)
			return -EEXIST;
	}
	if (h == H_CPUSET) {
		/* always: a reused leftover may keep an older --cpuset-cpus */
		r = cpuset_copy_from_parent(up, path, true);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_create(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);
	struct v1_list created = { .item_size = sizeof(char *) };
	bool any = false;

	for (int i = 0; i < H_COUNT; i++) {
		int r;

		if (!hierarchy_used(s, i))
			continue;
		any = true;
		r = create_in_hierarchy(driver, i, &created);
		if (r < 0) {
			rollback(&created, true);
			return r;
		}
	}
	rollback(&created, false);
	return any ? 0 : -EOPNOTSUPP;
}

static bool limited(uint64_t v)
{
	return v != CG_UNLIMITED;
}

static int v1_set_memory(struct cg_driver *driver, const struct cg_limits *l)
{
	struct v1_state *s = state_of(driver);
	bool swap_given = l->memory_swap_max != 0;
	uint64_t memsw = l->memory_swap_max;
	bool has_memsw;
	int r;

	if (!s->h[H_MEMORY].dir) {
		if (limited(l->memory_max) || (swap_given && limited(l->memory_swap_max))) {
			driver->missing_controller = "memory";
			return -EOPNOTSUPP;
		}
		return 0;
	}
	/* docker: --memory-swap unset means twice --memory */
	if (!swap_given)
		memsw = limited(l->memory_max) && l->memory_max <= UINT64_MAX / 2
				? 2 * l->memory_max
				: CG_UNLIMITED;
	has_memsw = cgroup_file_exists(driver, H_MEMORY, CG_V1_MEMSW_LIMIT);
	if (!has_memsw && swap_given && limited(memsw)) {
		/* swap accounting is off (swapaccount=0 or no CONFIG_MEMCG_SWAP) */
		driver->missing_controller = "memory.memsw";
		return -EOPNOTSUPP;
	}

	/* memsw may never be below the memory limit: open it up first, then set both */
	if (has_memsw) {
		r = write_cgroup_file(driver, H_MEMORY, CG_V1_MEMSW_LIMIT, CG_V1_UNLIMITED);
		if (r < 0)
			return r;
	}
	r = limited(l->memory_max)
		    ? write_cgroup_u64(driver, H_MEMORY, CG_V1_MEMORY_LIMIT, l->memory_max)
		    : write_cgroup_file(driver, H_MEMORY, CG_V1_MEMORY_LIMIT, CG_V1_UNLIMITED);
	if (r < 0)
		return r;
	if (has_memsw && limited(memsw)) {
		r = write_cgroup_u64(driver, H_MEMORY, CG_V1_MEMSW_LIMIT, memsw);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_set_cpu(struct cg_driver *driver, const struct cg_limits *l)
{
	struct v1_state *s = state_of(driver);
	int r;

	if (!s->h[H_CPU].dir) {
		if (limited(l->cpu_quota_usec) || cg_limits_cpu_shares(l) != 0) {
			driver->missing_controller = "cpu";
			return -EOPNOTSUPP;
		}
		return 0;
	}
	r = write_cgroup_u64(driver, H_CPU, CG_V1_CPU_CFS_PERIOD, CG_CPU_PERIOD_USEC);
	if (r < 0)
		return r;
	r = limited(l->cpu_quota_usec)
		    ? write_cgroup_u64(driver, H_CPU, CG_V1_CPU_CFS_QUOTA, l->cpu_quota_usec)
		    : write_cgroup_file(driver, H_CPU, CG_V1_CPU_CFS_QUOTA, CG_V1_UNLIMITED);
	if (r < 0)
		return r;
	return write_cgroup_u64(driver, H_CPU, CG_V1_CPU_SHARES,
				cg_limits_cpu_shares(l) ? cg_limits_cpu_shares(l)
							: CG_V1_CPU_SHARES_DEFAULT);
}

/* Every limit is written, the unset ones to the kernel's default, so that a reused leftover
 * keeps nothing of an earlier run; a missing controller matters only for a limit that is set. */
static int v1_set_limits(struct cg_driver *driver, const struct cg_limits *l)
{
	struct v1_state *s = state_of(driver);
	int r;

	if (l->cpu_weight > CG_V1_CPU_WEIGHT_MAX || l->cpu_quota_usec == 0 ||
	    (l->cpu_shares && (l->cpu_shares < 2 || l->cpu_shares > 262144)))
		return -EINVAL;
	if (l->memory_swap_max != 0 && limited(l->memory_swap_max) &&
	    (!limited(l->memory_max) || l->memory_swap_max < l->memory_max))
		return -EINVAL; /* docker refuses --memory-swap without or below --memory */
	/* all controllers first, so that nothing is written when one is missing */
	if (l->cpuset_cpus && !s->h[H_CPUSET].dir) {
		driver->missing_controller = "cpuset";
		return -EOPNOTSUPP;
	}
	if (limited(l->pids_max) && !s->h[H_PIDS].dir) {
		driver->missing_controller = "pids";
		return -EOPNOTSUPP;
	}
	if (!s->h[H_CPU].dir && (limited(l->cpu_quota_usec) || cg_limits_cpu_shares(l) != 0)) {
		driver->missing_controller = "cpu";
		return -EOPNOTSUPP;
	}

	r = v1_set_memory(driver, l);
	if (r < 0)
		return r;
	r = v1_set_cpu(driver, l);
	if (r < 0)
		return r;
	if (l->cpuset_cpus) {
		r = write_cgroup_file(driver, H_CPUSET, CG_V1_CPUSET_CPUS, l->cpuset_cpus);
		if (r < 0)
			return r;
	}
	if (s->h[H_PIDS].dir) {
		r = limited(l->pids_max)
			    ? write_cgroup_u64(driver, H_PIDS, CG_V1_PIDS_MAX, l->pids_max)
			    : write_cgroup_file(driver, H_PIDS, CG_V1_PIDS_MAX,
						CG_V1_PIDS_UNLIMITED);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_attach(struct cg_driver *driver, pid_t pid)
{
	struct v1_state *s = state_of(driver);
	char buf[32];
	bool any = false;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0; i < H_COUNT; i++) {
		int r;

		if (!hierarchy_used(s, i))
			continue;
		r = write_cgroup_file(driver, i, CG_V1_PROCS, buf);
		if (r < 0)
			return r;
		any = true;
	}
	return any ? 0 : -EOPNOTSUPP;
}

static int v1_cgroup_fd(struct cg_driver *driver)
{
	return -EOPNOTSUPP; /* CLONE_INTO_CGROUP takes a cgroup2 fd only */
}

static int read_oom_kills(struct cg_driver *driver, uint64_t *ret)
{
	char path[PATH_MAX], buf[512];
	const size_t keylen = strlen(CG_V1_OOM_KILL_KEY);
	ssize_t n;
	int r;

	*ret = 0;
	r = path_cgroup(path, sizeof(path), driver, state_of(driver)->h[H_MEMORY].dir,
			CG_V1_MEMORY_OOM_CONTROL);
	if (r < 0)
		return r;
	n = util_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (char *line = buf; *line;) {
		size_t len = strcspn(line, "\n");

		if (strncmp(line, CG_V1_OOM_KILL_KEY, keylen) == 0 && line[keylen] == ' ') {
			line[len] = '\0';
			return parse_u64(line + keylen + 1, ret);
		}
		line += len;
		line += strspn(line, "\n");
	}
	return 0; /* before 4.13 the count is not there */
}

static int v1_stats(struct cg_driver *driver, struct cg_stats *ret)
{
	struct v1_state *s = state_of(driver);
	struct cg_stats st = { .memory_max = CG_UNLIMITED };
	int r;

	if (s->h[H_MEMORY].dir) {
		r = read_cgroup_u64(driver, H_MEMORY, CG_V1_MEMORY_USAGE, &st.memory_current);
		if (r < 0)
			return r;
		r = read_cgroup_u64(driver, H_MEMORY, CG_V1_MEMORY_LIMIT, &st.memory_max);
		if (r < 0)
			return r;
		if (st.memory_max >= CG_V1_MEMORY_UNLIMITED_MIN)
			st.memory_max = CG_UNLIMITED;
		r = read_oom_kills(driver, &st.oom_kills);
		if (r < 0)
			return r;
	}
	if (s->h[H_CPUACCT].dir) {
		uint64_t nsec;

		r = read_cgroup_u64(driver, H_CPUACCT, CG_V1_CPUACCT_USAGE, &nsec);
		if (r < 0)
			return r;
		st.cpu_usage_usec = nsec / 1000;
	}
	if (s->h[H_PIDS].dir) {
		r = read_cgroup_u64(driver, H_PIDS, CG_V1_PIDS_CURRENT, &st.pids_current);
		if (r < 0)
			return r;
	}
	*ret = st;
	return 0;
}

static int v1_oom_fd(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);
	_cleanup_close_ int efd = -1, control_fd = -1;
	char path[PATH_MAX], buf[64];
	int r;

	if (s->oom_fd >= 0)
		return s->oom_fd;
	if (!s->h[H_MEMORY].dir)
		return -EOPNOTSUPP;
	r = path_cgroup(path, sizeof(path), driver, s->h[H_MEMORY].dir, CG_V1_MEMORY_OOM_CONTROL);
	if (r < 0)
		return r;
	control_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (control_fd < 0)
		return -errno;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	/* "<eventfd> <fd of memory.oom_control>"; the kernel keeps its own reference, so the
	 * control fd can be closed. The eventfd also fires when the cgroup is removed. */
	snprintf(buf, sizeof(buf), "%d %d", efd, control_fd);
	r = write_cgroup_file(driver, H_MEMORY, CG_V1_EVENT_CONTROL, buf);
	if (r < 0)
		return r;
	s->oom_fd = util_take_fd(&efd);
	return s->oom_fd;
}

/* The hierarchy whose cgroup.procs is read: the freezer's when there is one. */
static int procs_hierarchy(const struct v1_state *s)
{
	if (s->h[H_FREEZER].dir)
		return H_FREEZER;
	for (int i = 0; i < H_COUNT; i++)
		if (hierarchy_used(s, i))
			return i;
	return -1;
}

static int read_pids(struct cg_driver *driver, int h, struct v1_list *pids)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	int pid, r;

	r = path_cgroup(path, sizeof(path), driver, state_of(driver)->h[h].dir, CG_V1_PROCS);
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	pids->count = 0;
	while ((r = fscanf(f, "%d", &pid)) == 1) {
		pid_t p = pid;

		r = list_push(pids, &p);
		if (r < 0)
			return r;
	}
	if (ferror(f))
		return -EIO;
	return 0;
}

static bool pid_in(const struct v1_list *list, pid_t pid)
{
	const pid_t *p = list->items;

	for (size_t i = 0; i < list->count; i++)
		if (p[i] == pid)
			return true;
	return false;
}

/* One round: freeze (so that no process forks past the listing), signal the listed ones, thaw.
 * Adds the pids not seen before to seen; returns how many were new. */
static int kill_round(struct cg_driver *driver, int h, int sig, struct v1_list *seen)
{
	struct v1_state *s = state_of(driver);
	struct v1_list pids = { .item_size = sizeof(pid_t) };
	bool frozen = false;
	int r, thaw, fresh = 0;

	if (s->h[H_FREEZER].dir) {
		r = write_cgroup_file(driver, H_FREEZER, CG_V1_FREEZER_STATE, CG_V1_FROZEN);
		if (r < 0)
			goto out;
		frozen = true;
	}
	r = read_pids(driver, h, &pids);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < pids.count; i++) {
		pid_t pid = ((pid_t *)pids.items)[i];

		if (kill(pid, sig) < 0) {
			if (errno == ESRCH)
				continue;
			r = -errno;
			goto out;
		}
		if (!pid_in(seen, pid)) {
			r = list_push(seen, &pid);
			if (r < 0)
				goto out;
			fresh++;
		}
	}
	r = fresh;
out:
	if (frozen) {
		/* always thaw, or the processes stay stuck (SIGKILL is acted on after thaw) */
		thaw = write_cgroup_file(driver, H_FREEZER, CG_V1_FREEZER_STATE, CG_V1_THAWED);
		if (thaw < 0 && r >= 0)
			r = thaw;
	}
	free(pids.items);
	return r;
}

static int v1_kill_all(struct cg_driver *driver, int sig)
{
	struct v1_state *s = state_of(driver);
	struct v1_list seen = { .item_size = sizeof(pid_t) };
	int h = procs_hierarchy(s);
	int r;

	if (h < 0)
		return -EOPNOTSUPP;
	/* For SIGKILL, repeat until a round finds no process it had not signalled: a fork that
	 * was under way during a listing shows up in the next one. Processes killed earlier may
	 * still be exiting and listed; they cannot fork any more (fatal signal pending). */
	do
		r = kill_round(driver, h, sig, &seen);
	while (r > 0 && sig == SIGKILL);
	free(seen.items);
	if (r < 0)
		return r;
	return (int)seen.count;
}

static int v1_populated(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);

	for (int i = 0; i < H_COUNT; i++) {
		char path[PATH_MAX];
		int r;

		if (!hierarchy_used(s, i))
			continue;
		r = path_cgroup(path, sizeof(path), driver, s->h[i].dir, NULL);
		if (r < 0)
			return r;
		r = dir_populated(path);
		if (r == -ENOENT)
			continue;
		if (r != 0)
			return r;
	}
	return 0;
}

static int v1_destroy(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);
	int ret = 0;

	for (int i = 0; i < H_COUNT; i++) {
		char path[PATH_MAX];
		int r;

		if (!hierarchy_used(s, i))
			continue;
		r = path_cgroup(path, sizeof(path), driver, s->h[i].dir, NULL);
		if (r >= 0 && rmdir(path) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

static bool name_in(const struct v1_list *list, const char *name)
{
	char *const *names = list->items;

	for (size_t i = 0; i < list->count; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static bool is_dir_entry(int dir_fd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Removes the empty PARENT/PREFIX* in one hierarchy; adds the removed names to removed. */
static int remove_stale_in(struct cg_driver *driver, int h, const char *prefix,
			   struct v1_list *removed)
{
	char parent[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t plen = strlen(prefix);
	int r, n;

	n = snprintf(parent, sizeof(parent), "%s/%s%s", driver->root, state_of(driver)->h[h].dir,
		     driver->parent);
	if (n < 0 || (size_t)n >= sizeof(parent))
		return -ENAMETOOLONG;
	d = opendir(parent);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	r = 0;
	for (;;) {
		char path[PATH_MAX];
		int populated;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				r = -errno;
			break;
		}
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    strcmp(de->d_name, driver->name) == 0 || !is_dir_entry(dirfd(d), de))
			continue;
		if (path_join(path, sizeof(path), parent, de->d_name) < 0)
			continue;
		populated = dir_populated(path);
		if (populated != 0)
			continue; /* a running container's, or not a cgroup */
		if (rmdir(path) < 0)
			continue; /* EBUSY: it got a process or a child cgroup meanwhile */
		if (!name_in(removed, de->d_name)) {
			char *copy = strdup(de->d_name);

			if (!copy || list_push(removed, &copy) < 0) {
				free(copy);
				r = -ENOMEM;
				break;
			}
		}
	}
	if (closedir(d) < 0 && r == 0)
		r = -errno;
	return r;
}

static int v1_remove_stale(struct cg_driver *driver, const char *prefix)
{
	struct v1_state *s = state_of(driver);
	struct v1_list removed = { .item_size = sizeof(char *) };
	int r = 0;

	for (int i = 0; i < H_COUNT && r >= 0; i++)
		if (hierarchy_used(s, i))
			r = remove_stale_in(driver, i, prefix, &removed);
	if (r >= 0)
		r = (int)removed.count;
	for (size_t i = 0; i < removed.count; i++)
		free(((char **)removed.items)[i]);
	free(removed.items);
	return r;
}

static int v1_remove_parent(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);
	int ret = 0;

	for (int i = 0; i < H_COUNT; i++) {
		char base[PATH_MAX];
		int r;

		if (!hierarchy_used(s, i))
			continue;
		r = path_hierarchy(base, sizeof(base), driver, s->h[i].dir);
		if (r >= 0)
			r = cg_remove_parent_in(base, driver->parent);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/* A cgroup someone else made (systemd's scope): v1 works by path, so it only has to be there,
 * in the hierarchies its manager uses (systemd leaves cpuset and freezer alone). */
static int v1_adopt(struct cg_driver *driver)
{
	struct v1_state *s = state_of(driver);

	for (int i = 0; i < H_COUNT; i++) {
		char path[PATH_MAX];

		if (!hierarchy_used(s, i) ||
		    path_cgroup(path, sizeof(path), driver, s->h[i].dir, NULL) < 0)
			continue;
		if (access(path, F_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

const struct cg_driver_ops cg_v1_ops = {
	.init = v1_init,
	.free = v1_free,
	.create = v1_create,
	.adopt = v1_adopt,
	.set_limits = v1_set_limits,
	.attach = v1_attach,
	.cgroup_fd = v1_cgroup_fd,
	.stats = v1_stats,
	.oom_fd = v1_oom_fd,
	.kill_all = v1_kill_all,
	.populated = v1_populated,
	.destroy = v1_destroy,
	.remove_stale = v1_remove_stale,
	.remove_parent = v1_remove_parent,
};
