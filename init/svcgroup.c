#include "config.h"

#include "init/svcgroup.h"
#include "common/cgroupfs.h"
#include "common/log.h"
#include "common/util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Kernel interfaces. */
#define PROC_SELF_CGROUP    "/proc/self/cgroup"
#define PROC_SELF_MOUNTINFO "/proc/self/mountinfo"
#define CGROUP2_FSTYPE	    "cgroup2"
/* CGROUP2_SUPER_MAGIC; linux/magic.h is not on musl-gcc's include path. */
#define CGROUP2_MAGIC		0x63677270
#define CGROUP_V2_PREFIX	"0::" /* hierarchy 0 in /proc/self/cgroup */
#define CGROUP_PROCS		"cgroup.procs"
#define CGROUP_EVENTS		"cgroup.events"
#define CGROUP_EVENTS_POPULATED "populated "
#define CGROUP_KILL		"cgroup.kill"
#define CGROUP_CONTROLLERS	"cgroup.controllers"
#define CGROUP_SUBTREE_CONTROL	"cgroup.subtree_control"
#define CPU_PERIOD_USEC		UINT64_C(100000)
#define CPU_QUOTA_MIN_USEC	UINT64_C(1000)	  /* smaller quotas are EINVAL */
#define PIDS_LIMIT		UINT64_C(4194304) /* PID_MAX_LIMIT: above it pids.max is EINVAL */

/* What systemd sets on a cgroup it delegates (Delegate=yes), since v251 (user. since v252). */
static const char *const delegate_xattrs[] = { "trusted.delegate", "user.delegate" };

/* The leaf for the root's own processes, named as systemd names it. */
#define INIT_SCOPE	     "init.scope"
#define KILL_PASSES	     32
#define MOVE_PASSES	     32
#define CONTROLLERS_TEXT_MAX 1024

/* Indexed by enum svcgroup_limit. */
static const struct {
	const char *controller;
	const char *file;
} limits[] = {
	[SVCGROUP_MEMORY_MAX] = { "memory", "memory.max" },
	[SVCGROUP_CPU_MAX] = { "cpu", "cpu.max" },
	[SVCGROUP_PIDS_MAX] = { "pids", "pids.max" },
};

struct svcgroup_root {
	char *path;
	int dir_fd;
	unsigned controllers; /* bit i: limits[i].controller is enabled for the children */
};

struct svcgroup {
	struct svcgroup_root *root;
	char *name;
	char *path;
	int dir_fd;
	int events_fd; /* inotify, -1 until asked for */
};

static void svcgroup_root_freep(struct svcgroup_root **root)
{
	svcgroup_root_free(*root);
}

static void svcgroup_freep(struct svcgroup **group)
{
	svcgroup_free(*group);
}

/* ---- small file helpers, relative to a cgroup directory fd ---- */

static ssize_t cgroup_read(int dir_fd, const char *file, char *buf, size_t size)
{
	return util_read_file_at(dir_fd, file, buf, size);
}

static int cgroup_write(int dir_fd, const char *file, const char *text)
{
	_cleanup_close_ int fd = openat(dir_fd, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return util_write_all(fd, text, strlen(text));
}

static int write_pid(int procs_fd, pid_t pid)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%d", (int)pid);

	return util_write_all(procs_fd, text, (size_t)n);
}

/* Whether the space-separated list contains word. */
static bool words_contain(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " \n");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
		p += strspn(p, " \n");
	}
	return false;
}

/* ---- pids ---- */

/* ---- finding the root ---- */

/* cinit's cgroup v2 path ("/x") from /proc/self/cgroup. */
static int proc_own_cgroup(char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(PROC_SELF_CGROUP, "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	if (!f) {
		log_debug_errno(errno, "cannot read %s, no cgroup for services", PROC_SELF_CGROUP);
		return -ENOTSUP;
	}
	while (getline(&line, &size, f) > 0) {
		char *path = line + strlen(CGROUP_V2_PREFIX);

		if (strncmp(line, CGROUP_V2_PREFIX, strlen(CGROUP_V2_PREFIX)) != 0 ||
		    path[0] != '/')
			continue;
		path[strcspn(path, "\n")] = '\0';
		*ret = strdup(path);
		return *ret ? 0 : -ENOMEM;
	}
	log_debug("no cgroup v2 in %s, no cgroup for services", PROC_SELF_CGROUP);
	return -ENOTSUP;
}

/* A cinit that re-executed itself is already in ROOT/init.scope: the root is its parent. */
static void cgroup_strip_init_scope(char *cgroup)
{
	static const char suffix[] = "/" INIT_SCOPE;
	size_t len = strlen(cgroup), tail = strlen(suffix);

	if (len >= tail && strcmp(cgroup + len - tail, suffix) == 0)
		cgroup[len == tail ? 1 : len - tail] = '\0';
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	for (char *in = s; *in;) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

/* The part of cgroup below a mount's root ("" or "/..."), or NULL when the root does not cover
 * it (as the host's cgroup2 mount, seen from a cgroup namespace, whose root reads "/.."). */
static const char *cgroup_below(const char *cgroup, const char *root)
{
	size_t len = strlen(root);

	if (strcmp(root, "/") == 0)
		return cgroup;
	if (strncmp(cgroup, root, len) == 0 && (cgroup[len] == '\0' || cgroup[len] == '/'))
		return cgroup + len;
	return NULL;
}

/* The directory of cgroup under the cgroup2 mount whose root covers it most closely; among
 * equals the last listed, which is the one stacked on top. */
static int mountinfo_find_cgroup(const char *cgroup, char **ret)
{
	_cleanup_fclose_ FILE *f = fopen(PROC_SELF_MOUNTINFO, "re");
	_cleanup_free_ char *line = NULL, *best = NULL;
	size_t size = 0, best_len = 0;

	if (!f) {
		log_debug_errno(errno, "cannot read %s, no cgroup for services",
				PROC_SELF_MOUNTINFO);
		return -ENOTSUP;
	}
	while (getline(&line, &size, f) > 0) {
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ..." */
		char *fields[5], *fstype = NULL, *save = NULL, *tok;
		const char *below;
		size_t n = 0, len;
		char *dir;

		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (n < ELEMENTSOF(fields)) {
				fields[n++] = tok;
			} else if (strcmp(tok, "-") == 0) {
				fstype = strtok_r(NULL, " ", &save);
				break;
			}
		}
		if (n < ELEMENTSOF(fields) || !fstype || strcmp(fstype, CGROUP2_FSTYPE) != 0)
			continue;
		mountinfo_unescape(fields[3]);
		mountinfo_unescape(fields[4]);
		below = cgroup_below(cgroup, fields[3]);
		len = strlen(fields[3]);
		if (!below || (best && len < best_len))
			continue;
		if (below[0] == '\0' || strcmp(below, "/") == 0)
			dir = strdup(fields[4]);
		else if (strcmp(fields[4], "/") == 0)
			dir = strdup(below);
		else if (asprintf(&dir, "%s%s", fields[4], below) < 0)
			dir = NULL;
		if (!dir)
			return -ENOMEM;
		free(best);
		best = dir;
		best_len = len;
	}
	if (!best) {
		log_debug("no cgroup2 mount covers cgroup %s, no cgroup for services", cgroup);
		return -ENOTSUP;
	}
	*ret = best;
	best = NULL;
	return 0;
}

static int cgroup_check_dir(const char *path, struct stat *st)
{
	struct statfs sfs;

	if (stat(path, st) < 0 || statfs(path, &sfs) < 0)
		return -errno;
	if (!S_ISDIR(st->st_mode))
		return -ENOTDIR;
	if (sfs.f_type != CGROUP2_MAGIC)
		return -EINVAL;
	return 0;
}

static bool cgroup_is_writable(const char *path)
{
	_cleanup_free_ char *procs = NULL;

	if (asprintf(&procs, "%s/%s", path, CGROUP_PROCS) < 0)
		return false;
	return access(path, W_OK) == 0 && access(procs, W_OK) == 0;
}

static bool cgroup_has_delegate_xattr(const char *path)
{
	for (size_t i = 0; i < ELEMENTSOF(delegate_xattrs); i++) {
		char value[8];
		ssize_t n = getxattr(path, delegate_xattrs[i], value, sizeof(value));

		if (n == 1 && value[0] == '1')
			return true;
	}
	return false;
}

/* As PID 1 the cgroup is ours: the container's, seen as "/" through its cgroup namespace, or a
 * directory handed to our user. Anyone else needs the mark of a delegating systemd, and never
 * gets the hierarchy's root, which is the host's. */
static bool cgroup_is_delegated(const char *cgroup, const char *dir, const struct stat *st)
{
	if (getpid() == 1)
		return strcmp(cgroup, "/") == 0 || st->st_uid == geteuid();
	return strcmp(cgroup, "/") != 0 && cgroup_has_delegate_xattr(dir);
}

static int root_detect(char **ret)
{
	_cleanup_free_ char *cgroup = NULL, *dir = NULL;
	struct stat st;
	int r;

	r = proc_own_cgroup(&cgroup);
	if (r < 0)
		return r;
	cgroup_strip_init_scope(cgroup);
	r = mountinfo_find_cgroup(cgroup, &dir);
	if (r < 0)
		return r;
	r = cgroup_check_dir(dir, &st);
	if (r < 0) {
		log_debug_errno(r, "%s is not a cgroup2 directory, no cgroup for services", dir);
		return -ENOTSUP;
	}
	if (!cgroup_is_writable(dir)) {
		log_debug("cgroup %s is not writable, no cgroup for services", dir);
		return -ENOTSUP;
	}
	if (!cgroup_is_delegated(cgroup, dir, &st)) {
		log_debug("cgroup %s (%s) is not delegated to cinit, no cgroup for services",
			  cgroup, dir);
		return -ENOTSUP;
	}
	*ret = dir;
	dir = NULL;
	return 0;
}

static int root_check_explicit(const char *path)
{
	struct stat st;
	int r;

	if (path[0] != '/')
		return log_error_errno(EINVAL, "cgroup \"%s\" is not an absolute path", path);
	r = cgroup_check_dir(path, &st);
	if (r == -EINVAL)
		return log_error_errno(r, "cgroup \"%s\" is not in a cgroup2 file system", path);
	if (r < 0)
		return log_error_errno(r, "cgroup \"%s\"", path);
	if (!cgroup_is_writable(path))
		return log_error_errno(EACCES, "cgroup \"%s\" is not writable", path);
	return 0;
}

/* ---- setting the root up ---- */

struct move_state {
	int procs_fd;
	const char *path;
	unsigned moved;
};

static int move_one(pid_t pid, void *data)
{
	struct move_state *s = data;
	int r = write_pid(s->procs_fd, pid);

	if (r == 0)
		s->moved++;
	else if (r != -ESRCH)
		log_debug_errno(r, "cannot move process %d to %s/" INIT_SCOPE, (int)pid, s->path);
	return 0;
}

/* Pass after pass, since a process may fork while we move it. Processes that cannot move
 * (kernel threads in a hierarchy's real root) stay: then no controller can be enabled. */
static int root_move_processes(struct svcgroup_root *root)
{
	_cleanup_close_ int init_fd = -1, procs_fd = -1;
	struct move_state s = { .path = root->path };

	init_fd = openat(root->dir_fd, INIT_SCOPE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (init_fd < 0)
		return -errno;
	procs_fd = openat(init_fd, CGROUP_PROCS, O_WRONLY | O_CLOEXEC);
	if (procs_fd < 0)
		return -errno;
	s.procs_fd = procs_fd;
	for (unsigned pass = 0; pass < MOVE_PASSES; pass++) {
		int r;

		s.moved = 0;
		r = cgroupfs_procs_foreach(root->dir_fd, move_one, &s);
		if (r < 0)
			return r;
		if (r == 0 || s.moved == 0)
			break;
	}
	return 0;
}

static int root_enable_controllers(struct svcgroup_root *root)
{
	char offered[CONTROLLERS_TEXT_MAX];
	ssize_t n = cgroup_read(root->dir_fd, CGROUP_CONTROLLERS, offered, sizeof(offered));

	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
		char command[32];
		int r;

		if (!words_contain(offered, limits[i].controller)) {
			log_debug("cgroup %s does not offer the %s controller, its limits are "
				  "unavailable",
				  root->path, limits[i].controller);
			continue;
		}
		snprintf(command, sizeof(command), "+%s", limits[i].controller);
		r = cgroup_write(root->dir_fd, CGROUP_SUBTREE_CONTROL, command);
		if (r < 0) {
			log_debug_errno(r,
					"cannot enable the %s controller in %s, its limits are "
					"unavailable",
					limits[i].controller, root->path);
			continue;
		}
		root->controllers |= 1u << i;
	}
	return 0;
}

static int root_setup(const char *path, bool explicit, struct svcgroup_root **ret)
{
	_cleanup_(svcgroup_root_freep) struct svcgroup_root *root = NULL;
	enum log_level level = explicit ? LOG_LEVEL_ERROR : LOG_LEVEL_DEBUG;
	int r;

	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->dir_fd = -1;
	root->path = strdup(path);
	if (!root->path)
		return -ENOMEM;
	root->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root->dir_fd < 0)
		return log_msg(level, errno, "cannot open cgroup %s", path);
	if (mkdirat(root->dir_fd, INIT_SCOPE, 0755) < 0 && errno != EEXIST)
		return log_msg(level, errno, "cannot create cgroup %s/" INIT_SCOPE, path);
	r = root_move_processes(root);
	if (r < 0)
		return log_msg(level, r,
			       "cannot move the processes of cgroup %s to its " INIT_SCOPE, path);
	r = root_enable_controllers(root);
	if (r < 0)
		return log_msg(level, r, "cannot read %s/" CGROUP_CONTROLLERS, path);
	*ret = root;
	root = NULL;
	return 0;
}

int svcgroup_root_open(const char *path, struct svcgroup_root **ret)
{
	_cleanup_free_ char *detected = NULL;
	int r;

	if (path) {
		r = root_check_explicit(path);
		if (r < 0)
			return r;
		return root_setup(path, true, ret);
	}
	r = root_detect(&detected);
	if (r < 0)
		return r;
	return root_setup(detected, false, ret);
}

void svcgroup_root_free(struct svcgroup_root *root)
{
	if (!root)
		return;
	if (root->dir_fd >= 0)
		close(root->dir_fd);
	free(root->path);
	free(root);
}

const char *svcgroup_root_path(const struct svcgroup_root *root)
{
	return root->path;
}

bool svcgroup_root_has_controller(const struct svcgroup_root *root, const char *controller)
{
	for (size_t i = 0; i < ELEMENTSOF(limits); i++)
		if (strcmp(limits[i].controller, controller) == 0)
			return root->controllers & (1u << i);
	return false;
}

/* ---- service groups ---- */

static int name_check(const char *name)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strcmp(name, INIT_SCOPE) == 0)
		return -EINVAL;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int svcgroup_create(struct svcgroup_root *root, const char *name, struct svcgroup **ret)
{
	_cleanup_(svcgroup_freep) struct svcgroup *group = NULL;
	bool existed = false;
	int r;

	r = name_check(name);
	if (r < 0)
		return r;
	group = calloc(1, sizeof(*group));
	if (!group)
		return -ENOMEM;
	group->root = root;
	group->dir_fd = -1;
	group->events_fd = -1;
	group->name = strdup(name);
	if (!group->name || asprintf(&group->path, "%s/%s", root->path, name) < 0) {
		group->path = NULL;
		return -ENOMEM;
	}
	if (mkdirat(root->dir_fd, name, 0755) < 0) {
		if (errno != EEXIST)
			return -errno;
		existed = true;
	}
	group->dir_fd = openat(root->dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (group->dir_fd < 0)
		return -errno;
	if (existed) {
		r = svcgroup_is_populated(group);
		if (r < 0)
			return r;
		if (r > 0)
			return -EBUSY;
	}
	*ret = group;
	group = NULL;
	return 0;
}

const char *svcgroup_path(const struct svcgroup *group)
{
	return group->path;
}

int svcgroup_limit_text(enum svcgroup_limit limit, uint64_t value, char *buf, size_t size)
{
	int n;

	switch (limit) {
	case SVCGROUP_MEMORY_MAX:
		n = value == UINT64_MAX ? snprintf(buf, size, "max")
					: snprintf(buf, size, "%" PRIu64, value);
		break;
	case SVCGROUP_CPU_MAX:
		if (value == UINT64_MAX) {
			n = snprintf(buf, size, "max %" PRIu64, CPU_PERIOD_USEC);
		} else {
			uint64_t quota = value / (USEC_PER_SEC / CPU_PERIOD_USEC);

			if (quota < CPU_QUOTA_MIN_USEC)
				quota = CPU_QUOTA_MIN_USEC;
			n = snprintf(buf, size, "%" PRIu64 " %" PRIu64, quota, CPU_PERIOD_USEC);
		}
		break;
	case SVCGROUP_PIDS_MAX:
		/* More tasks than the kernel can ever have is no limit. */
		n = value == UINT64_MAX || value > PIDS_LIMIT
			    ? snprintf(buf, size, "max")
			    : snprintf(buf, size, "%" PRIu64, value);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}

int svcgroup_set_limits(struct svcgroup *group, uint64_t memory_max,
			uint64_t cpu_quota_per_sec_usec, uint64_t tasks_max)
{
	const uint64_t values[] = {
		[SVCGROUP_MEMORY_MAX] = memory_max,
		[SVCGROUP_CPU_MAX] = cpu_quota_per_sec_usec,
		[SVCGROUP_PIDS_MAX] = tasks_max,
	};

	for (size_t i = 0; i < ELEMENTSOF(values); i++)
		if (values[i] != UINT64_MAX && !(group->root->controllers & (1u << i)))
			return -EOPNOTSUPP;
	for (size_t i = 0; i < ELEMENTSOF(values); i++) {
		char text[64];
		int r;

		if (!(group->root->controllers & (1u << i)))
			continue;
		r = svcgroup_limit_text((enum svcgroup_limit)i, values[i], text, sizeof(text));
		if (r < 0)
			return r;
		r = cgroup_write(group->dir_fd, limits[i].file, text);
		if (r < 0)
			return log_debug_errno(r, "cannot write \"%s\" to %s/%s", text, group->path,
					       limits[i].file);
	}
	return 0;
}

int svcgroup_open_procs(struct svcgroup *group)
{
	int fd = openat(group->dir_fd, CGROUP_PROCS, O_WRONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int svcgroup_attach(struct svcgroup *group, pid_t pid)
{
	_cleanup_close_ int fd = svcgroup_open_procs(group);

	if (fd < 0)
		return fd;
	return write_pid(fd, pid);
}

struct count_state {
	pid_t self;
	bool has_self;
};

static int count_one(pid_t pid, void *data)
{
	struct count_state *s = data;

	if (pid == s->self)
		s->has_self = true;
	return 0;
}

/* cgroup.kill: one write, and no process can fork its way out. -ENOENT before 5.14. */
static int kill_by_cgroup_kill(struct svcgroup *group)
{
	_cleanup_close_ int fd = openat(group->dir_fd, CGROUP_KILL, O_WRONLY | O_CLOEXEC);
	struct count_state s = { .self = getpid() };
	int count, r;

	if (fd < 0)
		return -errno;
	count = cgroupfs_tree_foreach_pid(group->dir_fd, count_one, &s);
	if (count < 0)
		return count;
	/* cinit has no business in a service's cgroup, but if it got there it must survive. */
	if (s.has_self)
		return -EDEADLK;
	r = util_write_all(fd, "1", 1);
	return r < 0 ? r : count;
}

struct kill_state {
	int sig;
	pid_t self;
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

	if (pid == k->self || bsearch(&pid, k->seen, k->n_sorted, sizeof(pid_t), pid_compare))
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

/* Signals every process in the group once (except those in except[]), pass after pass while
 * new ones appear. */
static int kill_by_procs(struct svcgroup *group, int sig, const pid_t *except, size_t n_except)
{
	struct kill_state k = { .sig = sig, .self = getpid() };
	int r = 0;

	/* Pids to leave out count as seen already. */
	if (n_except > 0) {
		k.seen = malloc(n_except * sizeof(pid_t));
		if (!k.seen)
			return -ENOMEM;
		memcpy(k.seen, except, n_except * sizeof(pid_t));
		k.n_seen = k.n_sorted = k.capacity = n_except;
		qsort(k.seen, k.n_seen, sizeof(pid_t), pid_compare);
	}
	for (unsigned pass = 0;; pass++) {
		size_t before = k.n_seen;

		if (pass == KILL_PASSES) {
			log_debug("%s: new processes still appear after %d passes of signal %d",
				  group->path, KILL_PASSES, sig);
			break;
		}
		r = cgroupfs_tree_foreach_pid(group->dir_fd, kill_one, &k);
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

int svcgroup_kill_except(struct svcgroup *group, int sig, const pid_t *except, size_t n_except)
{
	return kill_by_procs(group, sig, except, n_except);
}

int svcgroup_kill(struct svcgroup *group, int sig)
{
	if (sig == SIGKILL) {
		int r = kill_by_cgroup_kill(group);

		if (r != -ENOENT && r != -EOPNOTSUPP && r != -EDEADLK)
			return r;
	}
	return kill_by_procs(group, sig, NULL, 0);
}

int svcgroup_is_populated(struct svcgroup *group)
{
	char text[256];
	ssize_t n = cgroup_read(group->dir_fd, CGROUP_EVENTS, text, sizeof(text));

	if (n < 0)
		return (int)n;
	for (const char *line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, CGROUP_EVENTS_POPULATED, strlen(CGROUP_EVENTS_POPULATED)) == 0)
			return line[strlen(CGROUP_EVENTS_POPULATED)] == '1';
	}
	return -EBADMSG;
}

int svcgroup_events_fd(struct svcgroup *group)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *events = NULL;

	if (group->events_fd >= 0)
		return group->events_fd;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (asprintf(&events, "%s/%s", group->path, CGROUP_EVENTS) < 0) {
		events = NULL;
		return -ENOMEM;
	}
	if (inotify_add_watch(fd, events, IN_MODIFY) < 0)
		return -errno;
	group->events_fd = util_take_fd(&fd);
	return group->events_fd;
}

int svcgroup_events_consume(struct svcgroup *group)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (group->events_fd >= 0) {
		for (;;) {
			ssize_t n = util_read(group->events_fd, buf, sizeof(buf));

			if (n == -EAGAIN)
				break;
			if (n < 0)
				return (int)n;
		}
	}
	return svcgroup_is_populated(group);
}

int svcgroup_foreach_pid(struct svcgroup *group, int (*fn)(pid_t pid, void *data), void *data)
{
	return cgroupfs_tree_foreach_pid(group->dir_fd, fn, data);
}

int svcgroup_destroy(struct svcgroup *group)
{
	int r = svcgroup_is_populated(group);

	if (r < 0)
		return r;
	if (r > 0)
		return -EBUSY;
	r = cgroupfs_tree_remove_children(group->dir_fd);
	if (r < 0)
		return r;
	if (unlinkat(group->root->dir_fd, group->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	svcgroup_free(group);
	return 0;
}

void svcgroup_free(struct svcgroup *group)
{
	if (!group)
		return;
	if (group->events_fd >= 0)
		close(group->events_fd);
	if (group->dir_fd >= 0)
		close(group->dir_fd);
	free(group->name);
	free(group->path);
	free(group);
}
