/* The cgroup v1 backend and the layout detection against a fake tree: a temporary directory laid
 * out like /sys/fs/cgroup on a v1 system, with regular files where cgroupfs has control files.
 * This file plays the kernel's part: mkdir() and rmdir() below interpose the libc ones for paths
 * inside the fake tree, so that a new cgroup directory comes with its control files (empty
 * cpuset, default limits) and rmdir refuses a populated cgroup as cgroupfs does. */
#include "config.h"

#include "cgdriver/cgdriver.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARENT	 "/cinit-cgtest/sub"
#define NAME	 "claunch-unit"
#define MIB	 (UINT64_C(1) << 20)
#define UNLIM_V1 "9223372036854771712\n"

static char root[128]; /* the fake /sys/fs/cgroup */

static const char *const controllers[] = {
	"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer"
};

/* ---- the fake kernel ---- */

static bool in_fake(const char *path)
{
	size_t n = strlen(root);

	return n > 0 && strncmp(path, root, n) == 0 && path[n] == '/';
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert(util_write_all(fd, text, strlen(text)) == 0);
}

/* The control files a cgroup of the hierarchy at ROOT/<hier> has; hier is the mount's real
 * directory name ("cpu,cpuacct" when co-mounted). */
static void populate(const char *dir, const char *hier, bool is_root)
{
	char names[64];

	put(dir, "cgroup.procs", "");
	put(dir, "tasks", "");
	snprintf(names, sizeof(names), ",%s,", hier);
	if (strstr(names, ",memory,")) {
		put(dir, "cgroup.event_control", "");
		put(dir, "memory.limit_in_bytes", UNLIM_V1);
		put(dir, "memory.memsw.limit_in_bytes", UNLIM_V1);
		put(dir, "memory.usage_in_bytes", "0\n");
		put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	}
	if (strstr(names, ",cpu,")) {
		put(dir, "cpu.cfs_quota_us", "-1\n");
		put(dir, "cpu.cfs_period_us", "100000\n");
		put(dir, "cpu.shares", "1024\n");
	}
	if (strstr(names, ",cpuacct,"))
		put(dir, "cpuacct.usage", "0\n");
	if (strstr(names, ",cpuset,")) {
		put(dir, "cpuset.cpus", is_root ? "0-3\n" : "");
		put(dir, "cpuset.mems", is_root ? "0\n" : "");
	}
	if (strstr(names, ",pids,")) {
		if (!is_root)
			put(dir, "pids.max", "max\n");
		put(dir, "pids.current", "0\n");
	}
	if (strstr(names, ",freezer,") && !is_root)
		put(dir, "freezer.state", "THAWED\n");
}

/* The real name of the hierarchy that path is in. */
static void hierarchy_of(const char *path, char *ret, size_t size)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *p = path + strlen(root) + 1;
	size_t n = strcspn(p, "/");
	ssize_t len;

	snprintf(link, sizeof(link), "%s/%.*s", root, (int)n, p);
	len = readlink(link, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = '\0';
		snprintf(ret, size, "%s", util_basename(target));
	} else {
		snprintf(ret, size, "%.*s", (int)n, p);
	}
}

int mkdir(const char *path, mode_t mode)
{
	char hier[64];

	if (syscall(SYS_mkdirat, AT_FDCWD, path, mode) < 0)
		return -1;
	if (in_fake(path) && strchr(path + strlen(root) + 1, '/')) {
		hierarchy_of(path, hier, sizeof(hier));
		populate(path, hier, false);
	}
	return 0;
}

int rmdir(const char *path)
{
	char procs[PATH_MAX], buf[64];
	DIR *d;
	struct dirent *de;

	if (!in_fake(path))
		return (int)syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	if (util_read_file(procs, buf, sizeof(buf)) > 0) {
		errno = EBUSY;
		return -1;
	}
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char file[PATH_MAX];

		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			closedir(d);
			errno = EBUSY;
			return -1;
		}
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (de->d_type == DT_REG)
			(void)unlink(file);
	}
	closedir(d);
	return (int)syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
}

/* ---- fixtures ---- */

static void make_root_hierarchy(const char *hier)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", root, hier);
	cr_assert(syscall(SYS_mkdirat, AT_FDCWD, dir, 0755) == 0);
	populate(dir, hier, true);
}

static void fake_v1(bool comounted, const char *skip)
{
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
		const char *c = controllers[i];

		if (skip && strcmp(c, skip) == 0)
			continue;
		if (comounted && (strcmp(c, "cpu") == 0 || strcmp(c, "cpuacct") == 0))
			continue;
		make_root_hierarchy(c);
	}
	if (comounted) {
		char link[PATH_MAX];

		make_root_hierarchy("cpu,cpuacct");
		snprintf(link, sizeof(link), "%s/cpu", root);
		cr_assert(symlink("cpu,cpuacct", link) == 0);
		snprintf(link, sizeof(link), "%s/cpuacct", root);
		cr_assert(symlink("cpu,cpuacct", link) == 0);
	}
}

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/cinit-cgfake-%d-XXXXXX", (int)getpid());
	cr_assert(mkdtemp(root));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return flag == FTW_DP ? (int)syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR)
			      : unlink(path);
}

static void teardown(void)
{
	if (root[0])
		(void)nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

TestSuite(cgdriver_v1, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static struct cg_driver *new_driver(const char *name)
{
	struct cg_config config = { .root = root, .parent = PARENT, .name = name };
	struct cg_driver *driver = NULL;
	int r = cg_driver_new(CG_KIND_V1, &config, &driver);

	cr_assert_eq(r, 0, "cg_driver_new: %s", strerror(-r));
	return driver;
}

static struct cg_driver *created_driver(void)
{
	struct cg_driver *driver = new_driver(NAME);
	int r = cg_driver_create(driver);

	cr_assert_eq(r, 0, "create: %s", strerror(-r));
	return driver;
}

/* ROOT/hier/PARENT/NAME/file */
static const char *cg_file(const char *hier, const char *file)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s%s/%s%s%s", root, hier, PARENT, NAME, file ? "/" : "",
		 file ? file : "");
	return path;
}

static const char *content(const char *path)
{
	static char buf[4096];

	cr_assert(util_read_file(path, buf, sizeof(buf)) >= 0, "%s: %s", path, strerror(errno));
	return buf;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static struct cg_limits no_limits(void)
{
	return (struct cg_limits){ .memory_max = CG_UNLIMITED,
				   .memory_swap_max = 0,
				   .cpu_quota_usec = CG_UNLIMITED,
				   .cpu_weight = 0,
				   .cpuset_cpus = NULL,
				   .pids_max = CG_UNLIMITED };
}

/* ---- detection ---- */

static enum cg_kind detect_ok(void)
{
	enum cg_kind kind = CG_KIND_SYSTEMD;
	int r = cg_detect(root, &kind);

	cr_assert_eq(r, 0, "cg_detect: %s", strerror(-r));
	return kind;
}

Test(cgdriver_v1, detect_v1)
{
	fake_v1(false, NULL);
	cr_assert_eq(detect_ok(), CG_KIND_V1);
}

Test(cgdriver_v1, detect_v1_comounted)
{
	fake_v1(true, NULL);
	cr_assert_eq(detect_ok(), CG_KIND_V1);
}

Test(cgdriver_v1, detect_hybrid)
{
	char dir[PATH_MAX];

	fake_v1(false, NULL);
	snprintf(dir, sizeof(dir), "%s/unified", root);
	cr_assert(syscall(SYS_mkdirat, AT_FDCWD, dir, 0755) == 0);
	put(dir, "cgroup.controllers", "\n");
	put(dir, "cgroup.procs", "");
	cr_assert_eq(detect_ok(), CG_KIND_V1);
}

Test(cgdriver_v1, detect_v2)
{
	put(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put(root, "cgroup.procs", "");
	cr_assert_eq(detect_ok(), CG_KIND_V2);
}

Test(cgdriver_v1, detect_neither)
{
	enum cg_kind kind;

	cr_assert_eq(cg_detect(root, &kind), -ENOENT);
	/* a cgroup2 root without the controllers we need is not usable either */
	put(root, "cgroup.controllers", "io\n");
	cr_assert_eq(cg_detect(root, &kind), -ENOENT);
}

/* ---- configuration ---- */

Test(cgdriver_v1, new_rejects_bad_config)
{
	static const struct {
		const char *parent, *name;
	} bad[] = {
		{ "relative", "c" }, { "/p", "" },	 { "/p", "a/b" }, { "/p", ".." },
		{ "/p", "." },	     { "/p/../x", "c" }, { "/./p", "c" },
	};
	struct cg_driver *driver = NULL;

	fake_v1(false, NULL);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct cg_config config = { .root = root,
					    .parent = bad[i].parent,
					    .name = bad[i].name };

		cr_expect_eq(cg_driver_new(CG_KIND_V1, &config, &driver), -EINVAL, "%s %s",
			     bad[i].parent, bad[i].name);
	}
	cr_assert_null(driver);
}

Test(cgdriver_v1, kind_and_cgroup_fd)
{
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = new_driver(NAME);
	cr_assert_eq(cg_driver_kind(driver), CG_KIND_V1);
	cr_assert_eq(cg_driver_cgroup_fd(driver), -EOPNOTSUPP);
	cg_driver_free(driver);
}

/* ---- create ---- */

Test(cgdriver_v1, create_makes_every_hierarchy_and_copies_cpuset)
{
	struct cg_driver *driver;
	char path[PATH_MAX];

	fake_v1(false, NULL);
	driver = created_driver();
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++)
		cr_assert(exists(cg_file(controllers[i], NULL)), "%s", controllers[i]);
	/* every level of the parent gets a usable cpuset, and so does the cgroup */
	snprintf(path, sizeof(path), "%s/cpuset/cinit-cgtest/cpuset.cpus", root);
	cr_assert_str_eq(content(path), "0-3");
	snprintf(path, sizeof(path), "%s/cpuset/cinit-cgtest/sub/cpuset.mems", root);
	cr_assert_str_eq(content(path), "0");
	cr_assert_str_eq(content(cg_file("cpuset", "cpuset.cpus")), "0-3");
	cr_assert_str_eq(content(cg_file("cpuset", "cpuset.mems")), "0");
	cg_driver_free(driver);
	/* freeing the handle touches nothing */
	cr_assert(exists(cg_file("memory", NULL)));
}

Test(cgdriver_v1, create_comounted_cpu_cpuacct)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits();

	fake_v1(true, NULL);
	driver = created_driver();
	cr_assert(exists(cg_file("cpu,cpuacct", "cpu.shares")));
	limits.cpu_weight = 10000;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_str_eq(content(cg_file("cpu,cpuacct", "cpu.shares")), "262144");
	cr_assert_eq(cg_driver_attach(driver, 4242), 0);
	cr_assert_str_eq(content(cg_file("cpu,cpuacct", "cgroup.procs")), "4242");
	cr_assert_eq(cg_driver_destroy(driver), -EBUSY);
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
		const char *h = strncmp(controllers[i], "cpu", 3) == 0 &&
						strcmp(controllers[i], "cpuset") != 0
					? "cpu,cpuacct"
					: controllers[i];

		put(cg_file(h, NULL), "cgroup.procs", "");
	}
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cr_assert_not(exists(cg_file("cpu,cpuacct", NULL)));
	cg_driver_free(driver);
}

Test(cgdriver_v1, create_reuses_empty_leftover)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits();

	fake_v1(false, NULL);
	driver = created_driver();
	limits.memory_max = 16 * MIB;
	limits.cpuset_cpus = "1";
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cg_driver_free(driver); /* a claunch that was SIGKILLed */

	driver = created_driver();
	/* the leftover's cpuset is reset from the parent, the limits by set_limits */
	cr_assert_str_eq(content(cg_file("cpuset", "cpuset.cpus")), "0-3");
	limits = no_limits();
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_str_eq(content(cg_file("memory", "memory.limit_in_bytes")), "-1");
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cg_driver_free(driver);
}

Test(cgdriver_v1, create_refuses_populated_leftover)
{
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = created_driver();
	put(cg_file("pids", NULL), "cgroup.procs", "1234\n");
	cg_driver_free(driver);

	driver = new_driver(NAME);
	cr_assert_eq(cg_driver_create(driver), -EEXIST);
	/* it is a running container's: nothing was removed */
	cr_assert(exists(cg_file("memory", NULL)));
	cr_assert(exists(cg_file("pids", NULL)));
	cg_driver_free(driver);
}

Test(cgdriver_v1, create_failure_leaves_nothing)
{
	struct cg_driver *driver;
	char path[PATH_MAX];

	fake_v1(false, NULL);
	/* the pids hierarchy (after memory, cpu, cpuacct and cpuset) cannot hold the parent */
	snprintf(path, sizeof(path), "%s/pids", root);
	put(path, "cinit-cgtest", "");
	driver = new_driver(NAME);
	cr_assert_lt(cg_driver_create(driver), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s/cinit-cgtest", root, controllers[i]);
		cr_assert_not(exists(path), "%s left", path);
	}
	cg_driver_free(driver);
}

/* ---- limits: the exact bytes of each file ---- */

Test(cgdriver_v1, limits_memory)
{
	static const struct {
		uint64_t memory, swap;
		const char *limit, *memsw;
	} cases[] = {
		{ 256 * MIB, 0, "268435456", "536870912" }, /* docker: swap unset = twice */
		{ 256 * MIB, 300 * MIB, "268435456", "314572800" },
		{ 256 * MIB, 256 * MIB, "268435456", "268435456" }, /* no swap */
		{ 256 * MIB, CG_UNLIMITED, "268435456", "-1" },
		{ CG_UNLIMITED, 0, "-1", "-1" },
		{ CG_UNLIMITED, CG_UNLIMITED, "-1", "-1" },
	};
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = created_driver();
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct cg_limits limits = no_limits();

		limits.memory_max = cases[i].memory;
		limits.memory_swap_max = cases[i].swap;
		cr_assert_eq(cg_driver_set_limits(driver, &limits), 0, "case %zu", i);
		cr_expect_str_eq(content(cg_file("memory", "memory.limit_in_bytes")),
				 cases[i].limit, "case %zu", i);
		cr_expect_str_eq(content(cg_file("memory", "memory.memsw.limit_in_bytes")),
				 cases[i].memsw, "case %zu", i);
	}
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_memory_swap_invalid)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits();

	fake_v1(false, NULL);
	driver = created_driver();
	limits.memory_max = 256 * MIB;
	limits.memory_swap_max = 128 * MIB; /* below --memory */
	cr_assert_eq(cg_driver_set_limits(driver, &limits), -EINVAL);
	limits.memory_max = CG_UNLIMITED; /* --memory-swap without --memory */
	cr_assert_eq(cg_driver_set_limits(driver, &limits), -EINVAL);
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_memory_swap_without_accounting)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits();

	fake_v1(false, NULL);
	driver = created_driver();
	cr_assert(unlink(cg_file("memory", "memory.memsw.limit_in_bytes")) == 0);
	limits.memory_max = 64 * MIB; /* swap unset: fine without swap accounting */
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_str_eq(content(cg_file("memory", "memory.limit_in_bytes")), "67108864");
	limits.memory_swap_max = 128 * MIB; /* asked for explicitly: not possible */
	cr_assert_eq(cg_driver_set_limits(driver, &limits), -EOPNOTSUPP);
	cr_assert_str_eq(cg_driver_missing_controller(driver), "memory.memsw");
	put(cg_file("memory", NULL), "memory.memsw.limit_in_bytes", "");
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_cpus)
{
	static const struct {
		uint64_t quota;
		const char *text;
	} cases[] = {
		{ 50000, "50000" },   /* --cpus 0.5 */
		{ 150000, "150000" }, /* --cpus 1.5 */
		{ 1000, "1000" },
		{ CG_UNLIMITED, "-1" },
	};
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = created_driver();
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct cg_limits limits = no_limits();

		limits.cpu_quota_usec = cases[i].quota;
		put(cg_file("cpu", NULL), "cpu.cfs_period_us", "0\n");
		cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
		cr_expect_str_eq(content(cg_file("cpu", "cpu.cfs_quota_us")), cases[i].text);
		cr_expect_str_eq(content(cg_file("cpu", "cpu.cfs_period_us")), "100000");
	}
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_cpu_weight_to_shares)
{
	/* runc's formula: shares = 2 + ((weight - 1) * 262142) / 9999 */
	static const struct {
		uint64_t weight;
		const char *shares;
	} cases[] = {
		{ 1, "2" },	 { 2, "28" },	     { 39, "998" },	 { 40, "1024" },
		{ 100, "2597" }, { 5000, "131059" }, { 9999, "262117" }, { 10000, "262144" },
		{ 0, "1024" }, /* not given: the kernel's default */
	};
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = created_driver();
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct cg_limits limits = no_limits();

		limits.cpu_weight = cases[i].weight;
		cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
		cr_expect_str_eq(content(cg_file("cpu", "cpu.shares")), cases[i].shares,
				 "weight %" PRIu64, cases[i].weight);
	}
	{
		struct cg_limits limits = no_limits();

		limits.cpu_weight = 10001;
		cr_assert_eq(cg_driver_set_limits(driver, &limits), -EINVAL);
	}
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_cpuset_and_pids)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits();

	fake_v1(false, NULL);
	driver = created_driver();
	limits.cpuset_cpus = "1-2";
	limits.pids_max = 100;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_str_eq(content(cg_file("cpuset", "cpuset.cpus")), "1-2");
	cr_assert_str_eq(content(cg_file("cpuset", "cpuset.mems")), "0");
	cr_assert_str_eq(content(cg_file("pids", "pids.max")), "100");
	limits = no_limits();
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_str_eq(content(cg_file("pids", "pids.max")), "max");
	cg_driver_free(driver);
}

Test(cgdriver_v1, limits_need_their_controller)
{
	static const char *const missing[] = { "pids", "memory", "cpu", "cpuset" };

	for (size_t i = 0; i < ELEMENTSOF(missing); i++) {
		struct cg_driver *driver;
		struct cg_limits limits = no_limits();
		const char *skip = missing[i];

		teardown();
		setup();
		fake_v1(false, skip);
		driver = created_driver();
		/* nothing asked of the missing controller: fine */
		cr_assert_eq(cg_driver_set_limits(driver, &limits), 0, "%s", skip);
		cr_assert_null(cg_driver_missing_controller(driver));

		limits.pids_max = strcmp(skip, "pids") == 0 ? 10 : CG_UNLIMITED;
		limits.memory_max = strcmp(skip, "memory") == 0 ? 64 * MIB : CG_UNLIMITED;
		limits.cpu_quota_usec = strcmp(skip, "cpu") == 0 ? 50000 : CG_UNLIMITED;
		limits.cpuset_cpus = strcmp(skip, "cpuset") == 0 ? "0" : NULL;
		if (strcmp(skip, "memory") != 0) {
			/* a limit that can be written must not be when another one fails */
			limits.memory_max = 32 * MIB;
		}
		cr_assert_eq(cg_driver_set_limits(driver, &limits), -EOPNOTSUPP, "%s", skip);
		cr_assert_str_eq(cg_driver_missing_controller(driver), skip);
		if (strcmp(skip, "memory") != 0)
			cr_assert_str_eq(content(cg_file("memory", "memory.limit_in_bytes")), "-1",
					 "%s", skip);
		cg_driver_free(driver);
	}
}

/* ---- processes ---- */

Test(cgdriver_v1, attach_writes_every_hierarchy)
{
	struct cg_driver *driver;

	fake_v1(false, NULL);
	driver = created_driver();
	cr_assert_eq(cg_driver_populated(driver), 0);
	cr_assert_eq(cg_driver_attach(driver, 31337), 0);
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++)
		cr_expect_str_eq(content(cg_file(controllers[i], "cgroup.procs")), "31337", "%s",
				 controllers[i]);
	cr_assert_eq(cg_driver_populated(driver), 1);
	cr_assert_eq(cg_driver_attach(driver, 0), -EINVAL);
	cg_driver_free(driver);
}

Test(cgdriver_v1, kill_all_freezes_signals_thaws)
{
	struct cg_driver *driver;
	char buf[32];
	pid_t child;
	int status;

	fake_v1(false, NULL);
	driver = created_driver();
	child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)child);
	put(cg_file("freezer", NULL), "cgroup.procs", buf);
	cr_assert_eq(cg_driver_kill_all(driver, SIGKILL), 1);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cr_assert_str_eq(content(cg_file("freezer", "freezer.state")), "THAWED");
	/* the fake cgroup.procs still names the dead child: ESRCH is not an error */
	cr_assert_eq(cg_driver_kill_all(driver, SIGTERM), 0);
	put(cg_file("freezer", NULL), "cgroup.procs", "");
	cg_driver_free(driver);
}

Test(cgdriver_v1, stats_read_the_files)
{
	struct cg_driver *driver;
	struct cg_stats st;

	fake_v1(false, NULL);
	driver = created_driver();
	put(cg_file("memory", NULL), "memory.usage_in_bytes", "1048576\n");
	put(cg_file("memory", NULL), "memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	put(cg_file("cpuacct", NULL), "cpuacct.usage", "2500000\n");
	put(cg_file("pids", NULL), "pids.current", "7\n");
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_assert_eq(st.memory_current, MIB);
	cr_assert_eq(st.memory_max, CG_UNLIMITED);
	cr_assert_eq(st.cpu_usage_usec, 2500);
	cr_assert_eq(st.pids_current, 7);
	cr_assert_eq(st.oom_kills, 3);
	put(cg_file("memory", NULL), "memory.limit_in_bytes", "16777216\n");
	/* before 4.13 there is no oom_kill line */
	put(cg_file("memory", NULL), "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_assert_eq(st.memory_max, 16 * MIB);
	cr_assert_eq(st.oom_kills, 0);
	cg_driver_free(driver);
}

Test(cgdriver_v1, oom_fd_registers_an_eventfd)
{
	struct cg_driver *driver;
	char expected[64], link[64], target[PATH_MAX];
	const char *text;
	int fd, efd, cfd;
	ssize_t n;

	fake_v1(false, NULL);
	driver = created_driver();
	fd = cg_driver_oom_fd(driver);
	cr_assert_geq(fd, 0);
	cr_assert_eq(cg_driver_oom_fd(driver), fd, "one fd per driver");
	text = content(cg_file("memory", "cgroup.event_control"));
	cr_assert_eq(sscanf(text, "%d %d", &efd, &cfd), 2, "\"%s\"", text);
	snprintf(expected, sizeof(expected), "%d %d", efd, cfd);
	cr_assert_str_eq(text, expected);
	cr_assert_eq(efd, fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	cr_assert_gt(n, 0);
	target[n] = '\0';
	cr_assert_str_eq(target, "anon_inode:[eventfd]");
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cg_driver_free(driver);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "the driver closes it");
}

/* ---- removal ---- */

Test(cgdriver_v1, destroy_removes_the_cgroup_only)
{
	struct cg_driver *driver;
	char path[PATH_MAX];

	fake_v1(false, NULL);
	driver = created_driver();
	put(cg_file("memory", NULL), "cgroup.procs", "99\n");
	cr_assert_eq(cg_driver_destroy(driver), -EBUSY);
	put(cg_file("memory", NULL), "cgroup.procs", "");
	cr_assert_eq(cg_driver_destroy(driver), 0);
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
		cr_assert_not(exists(cg_file(controllers[i], NULL)), "%s", controllers[i]);
		snprintf(path, sizeof(path), "%s/%s%s", root, controllers[i], PARENT);
		cr_assert(exists(path), "parent %s kept", path);
	}
	cr_assert_eq(cg_driver_destroy(driver), 0, "already gone is fine");
	cg_driver_free(driver);
}

Test(cgdriver_v1, remove_stale_keeps_populated_and_others)
{
	static const char *const names[] = { "claunch-a", "claunch-b", "other-c", NAME };
	struct cg_driver *drivers[ELEMENTSOF(names)];
	char path[PATH_MAX];

	fake_v1(false, NULL);
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		drivers[i] = new_driver(names[i]);
		cr_assert_eq(cg_driver_create(drivers[i]), 0);
	}
	cr_assert_eq(cg_driver_attach(drivers[1], 555), 0);
	cr_assert_eq(cg_driver_remove_stale(drivers[3], "claunch-"), 1);
	for (size_t h = 0; h < ELEMENTSOF(controllers); h++) {
		snprintf(path, sizeof(path), "%s/%s%s/claunch-a", root, controllers[h], PARENT);
		cr_assert_not(exists(path), "%s", path);
		snprintf(path, sizeof(path), "%s/%s%s/claunch-b", root, controllers[h], PARENT);
		cr_assert(exists(path), "%s", path);
		snprintf(path, sizeof(path), "%s/%s%s/other-c", root, controllers[h], PARENT);
		cr_assert(exists(path), "%s", path);
		cr_assert(exists(cg_file(controllers[h], NULL)), "own cgroup kept");
	}
	cr_assert_eq(cg_driver_remove_stale(drivers[3], "claunch-"), 0);
	cr_assert_eq(cg_driver_remove_stale(drivers[3], "a/b"), -EINVAL);
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		cg_driver_free(drivers[i]);
}
