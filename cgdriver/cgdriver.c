/* Detection of the cgroupfs layout and dispatch of the public calls to one backend's table. */
#include "config.h"

#include "cgdriver/cgdriver-internal.h"
#include "common/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

/* ROOT/cgroup.controllers exists only on a cgroup2 mount; on a hybrid system it is at
 * ROOT/unified and lists nothing. */
#define CG_V2_CONTROLLERS_FILE "cgroup.controllers"
/* A v2 root is only useful when one of these is available. */
static const char *const cg_v2_wanted[] = { "memory", "cpu", "pids" };
/* Directories a v1 root has, one per hierarchy (co-mounted ones appear under either name). */
static const char *const cg_v1_dirs[] = { "memory", "cpu", "cpu,cpuacct", "cpuacct,cpu", "pids" };

static bool word_in_list(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
	}
	return false;
}

int cg_detect(const char *root, enum cg_kind *ret)
{
	_cleanup_close_ int root_fd = -1;
	char buf[4096];
	ssize_t n;

	if (!root || !ret)
		return -EINVAL;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -errno;

	n = util_read_file_at(root_fd, CG_V2_CONTROLLERS_FILE, buf, sizeof(buf));
	if (n >= 0) {
		for (size_t i = 0; i < ELEMENTSOF(cg_v2_wanted); i++)
			if (word_in_list(buf, cg_v2_wanted[i])) {
				*ret = CG_KIND_V2;
				return 0;
			}
	} else if (n != -ENOENT) {
		return (int)n;
	}

	for (size_t i = 0; i < ELEMENTSOF(cg_v1_dirs); i++) {
		struct stat st;

		if (fstatat(root_fd, cg_v1_dirs[i], &st, 0) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return -errno;
		}
		if (S_ISDIR(st.st_mode)) {
			*ret = CG_KIND_V1;
			return 0;
		}
	}
	return -ENOENT;
}

/* One path component that cannot climb out of the parent. */
static bool name_is_valid(const char *name)
{
	return name[0] != '\0' && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Absolute, and no "." or ".." component (the path is the same in every hierarchy). */
static bool parent_is_valid(const char *parent)
{
	const char *p = parent;

	if (parent[0] != '/')
		return false;
	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

/* A copy without trailing '/' (and without repeated ones), "" for "/". */
static char *path_normalize(const char *path)
{
	char *copy = malloc(strlen(path) + 1);
	char *out = copy;

	if (!copy)
		return NULL;
	for (const char *p = path; *p; p++) {
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			continue;
		*out++ = *p;
	}
	*out = '\0';
	return copy;
}

int cg_driver_new(enum cg_kind kind, const struct cg_config *config, struct cg_driver **ret)
{
	struct cg_driver *driver;
	const struct cg_driver_ops *ops;
	int r;

	if (!config || !ret || !config->root || !config->parent || !config->name)
		return -EINVAL;
	if (config->root[0] == '\0' || !name_is_valid(config->name) ||
	    !(kind == CG_KIND_SYSTEMD ? cg_slice_is_valid(config->parent)
				      : parent_is_valid(config->parent)))
		return -EINVAL;
	switch (kind) {
	case CG_KIND_V1:
		ops = &cg_v1_ops;
		break;
	case CG_KIND_V2:
		ops = &cg_v2_ops;
		break;
#ifdef HAVE_SYSTEMD
	case CG_KIND_SYSTEMD:
		ops = &cg_systemd_ops;
		break;
#endif
	default:
		return -EOPNOTSUPP;
	}

	driver = calloc(1, sizeof(*driver));
	if (!driver)
		return -ENOMEM;
	driver->kind = kind;
	driver->ops = ops;
	driver->root = path_normalize(config->root);
	driver->parent = path_normalize(config->parent);
	driver->name = strdup(config->name);
	if (!driver->root || !driver->parent || !driver->name) {
		cg_driver_free(driver);
		return -ENOMEM;
	}
	if (driver->root[0] == '\0') {
		/* root "/" normalizes to "", which would make every path relative */
		free(driver->root);
		driver->root = strdup("/");
		if (!driver->root) {
			cg_driver_free(driver);
			return -ENOMEM;
		}
	}
	r = ops->init(driver);
	if (r < 0) {
		if (config->error && config->error_size)
			snprintf(config->error, config->error_size, "%s", driver->detail);
		cg_driver_free(driver);
		return r;
	}
	*ret = driver;
	return 0;
}

void cg_driver_free(struct cg_driver *driver)
{
	if (!driver)
		return;
	if (driver->ops)
		driver->ops->free(driver);
	free(driver->root);
	free(driver->parent);
	free(driver->name);
	free(driver);
}

enum cg_kind cg_driver_kind(const struct cg_driver *driver)
{
	return driver->kind;
}

int cg_driver_create(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->create(driver);
}

int cg_driver_adopt(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->adopt ? driver->ops->adopt(driver) : -EOPNOTSUPP;
}

int cg_driver_set_limits(struct cg_driver *driver, const struct cg_limits *limits)
{
	if (!driver || !limits)
		return -EINVAL;
	driver->missing_controller = NULL;
	driver->detail[0] = '\0';
	return driver->ops->set_limits(driver, limits);
}

const char *cg_driver_missing_controller(const struct cg_driver *driver)
{
	return driver ? driver->missing_controller : NULL;
}

const char *cg_driver_error(const struct cg_driver *driver)
{
	return driver && driver->detail[0] ? driver->detail : NULL;
}

bool cg_systemd_booted(void)
{
	/* as sd_booted(): systemd as PID 1 makes this directory first thing */
	return access("/run/systemd/system", F_OK) == 0;
}

int cg_driver_attach(struct cg_driver *driver, pid_t pid)
{
	if (!driver || pid <= 0)
		return -EINVAL;
	return driver->ops->attach(driver, pid);
}

int cg_driver_cgroup_fd(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->cgroup_fd(driver);
}

int cg_driver_stats(struct cg_driver *driver, struct cg_stats *ret)
{
	if (!driver || !ret)
		return -EINVAL;
	return driver->ops->stats(driver, ret);
}

int cg_driver_oom_fd(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->oom_fd(driver);
}

int cg_driver_kill_all(struct cg_driver *driver, int sig)
{
	if (!driver || sig < 0)
		return -EINVAL;
	return driver->ops->kill_all(driver, sig);
}

int cg_driver_populated(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->populated(driver);
}

int cg_driver_destroy(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	return driver->ops->destroy(driver);
}

int cg_driver_remove_stale(struct cg_driver *driver, const char *prefix)
{
	if (!driver || !prefix || prefix[0] == '\0' || strchr(prefix, '/'))
		return -EINVAL;
	return driver->ops->remove_stale(driver, prefix);
}

int cg_remove_parent_in(const char *base, const char *parent)
{
	char path[PATH_MAX];
	size_t base_len = strlen(base);
	int n = snprintf(path, sizeof(path), "%s%s", base, parent);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	for (;;) {
		char *slash;

		if (rmdir(path) < 0 && errno != ENOENT)
			return errno == EBUSY || errno == ENOTEMPTY ? 0 : -errno;
		slash = strrchr(path, '/');
		if (!slash || (size_t)(slash - path) <= base_len)
			return 0;
		*slash = '\0';
	}
}

int cg_driver_remove_parent(struct cg_driver *driver)
{
	if (!driver)
		return -EINVAL;
	if (!driver->parent[0])
		return 0; /* the root cgroup itself */
	return driver->ops->remove_parent(driver);
}
