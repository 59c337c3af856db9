/* The cgroupfs v2 backend. Suite cgv2_fake runs against a fake tree: a temporary directory laid
 * out like a cgroup2 mount, whose regular files show the exact bytes the driver writes. Suite
 * cgv2_real runs what needs no controller (create, attach, populated, cgroup.kill, destroy) on
 * the machine's real cgroup2 at CGROUP2_MOUNT, under CGROUP2_MOUNT/cinit-cg2test-PID, which the
 * teardown kills and removes, also after a failure; directories of workers that died are swept
 * by the next run. */
#include "config.h"

#include "cgdriver/cgdriver.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAKE_CONTROLLERS "cpuset cpu io memory pids\n"
#define CGROUP2_MOUNT	 "/sys/fs/cgroup/unified"
#define CGROUP2_MAGIC	 0x63677270
#define REAL_PREFIX	 "cinit-cg2test-"
#define TIMEOUT_MS	 5000
#define MIB		 (UINT64_C(1) << 20)
/* Room for fake_root and a relative path of PATH_MAX. */
#define FAKE_PATH_MAX (PATH_MAX + 128)

/* What a limit file holds before the driver writes it, to tell "not written". */
#define UNTOUCHED "untouched"

static const char *const fake_cgroup_files[] = {
	"memory.max",	 "memory.swap.max",    "cpu.max",
	"cpu.weight",	 "cpuset.cpus",	       "pids.max",
	"memory.events", "memory.current",     "cpu.stat",
	"pids.current",	 "cgroup.procs",       "cgroup.events",
	"cgroup.kill",	 "cgroup.controllers", "cgroup.subtree_control",
};

static const struct cg_limits no_limits = {
	.memory_max = CG_UNLIMITED,
	.cpu_quota_usec = CG_UNLIMITED,
	.pids_max = CG_UNLIMITED,
};

static char fake_root[64];

/* ---- helpers ---- */

static void write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(util_write_all(fd, text, strlen(text)), 0);
}

/* The text of ROOT/REL, or "(missing)". */
static const char *read_at(const char *root, const char *rel)
{
	static char text[4096];
	char path[FAKE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (util_read_file(path, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "(missing)");
	return text;
}

static bool exists_at(const char *root, const char *rel)
{
	char path[FAKE_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) == 0;
}

static void unlink_at(const char *root, const char *rel)
{
	char path[FAKE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_eq(unlink(path), 0, "unlink %s: %s", path, strerror(errno));
}

static void mkdir_at(const char *root, const char *rel)
{
	char path[FAKE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
}

static void write_at(const char *root, const char *rel, const char *text)
{
	char path[FAKE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	write_file(path, text);
}

/* What the kernel makes in a new cgroup directory REL of the fake tree. */
static void fake_cgroup(const char *rel, const char *events)
{
	char file[PATH_MAX];

	mkdir_at(fake_root, rel);
	for (size_t i = 0; i < ELEMENTSOF(fake_cgroup_files); i++) {
		snprintf(file, sizeof(file), "%s/%s", rel, fake_cgroup_files[i]);
		write_at(fake_root, file, UNTOUCHED);
	}
	snprintf(file, sizeof(file), "%s/cgroup.controllers", rel);
	write_at(fake_root, file, FAKE_CONTROLLERS);
	snprintf(file, sizeof(file), "%s/cgroup.subtree_control", rel);
	write_at(fake_root, file, "");
	snprintf(file, sizeof(file), "%s/cgroup.procs", rel);
	write_at(fake_root, file, "");
	snprintf(file, sizeof(file), "%s/cgroup.kill", rel);
	write_at(fake_root, file, "");
	snprintf(file, sizeof(file), "%s/cgroup.events", rel);
	write_at(fake_root, file, events);
	/* The statistics as a new cgroup shows them. */
	snprintf(file, sizeof(file), "%s/memory.current", rel);
	write_at(fake_root, file, "0\n");
	snprintf(file, sizeof(file), "%s/pids.current", rel);
	write_at(fake_root, file, "0\n");
	snprintf(file, sizeof(file), "%s/cpu.stat", rel);
	write_at(fake_root, file, "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
	snprintf(file, sizeof(file), "%s/memory.events", rel);
	write_at(fake_root, file, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
}

/* Removes the fake files of REL, as rmdir of a real cgroup does. */
static void fake_cgroup_strip(const char *rel)
{
	char path[FAKE_PATH_MAX];

	for (size_t i = 0; i < ELEMENTSOF(fake_cgroup_files); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", fake_root, rel, fake_cgroup_files[i]);
		cr_assert(unlink(path) == 0 || errno == ENOENT);
	}
}

static struct cg_driver *driver_at(const char *root, const char *parent, const char *name)
{
	struct cg_config config = { .root = root, .parent = parent, .name = name };
	struct cg_driver *driver = NULL;

	cr_assert_eq(cg_driver_new(CG_KIND_V2, &config, &driver), 0);
	cr_assert_eq(cg_driver_kind(driver), CG_KIND_V2);
	return driver;
}

/* A driver for fake_root/PARENT/NAME, created, with the kernel's files made in each cgroup. */
static struct cg_driver *fake_created(const char *parent, const char *name)
{
	struct cg_driver *driver = driver_at(fake_root, parent, name);
	char rel[PATH_MAX];

	cr_assert_eq(cg_driver_create(driver), 0);
	/* Each ancestor below the root, then the container's cgroup. */
	for (const char *p = parent + 1; *p;) {
		size_t n = strcspn(p, "/");

		snprintf(rel, sizeof(rel), "%.*s", (int)(p + n - (parent + 1)), parent + 1);
		cr_assert(exists_at(fake_root, rel));
		fake_cgroup(rel, "populated 0\nfrozen 0\n");
		p += n;
		p += *p == '/';
	}
	snprintf(rel, sizeof(rel), "%s/%s", parent + 1, name);
	cr_assert(exists_at(fake_root, rel));
	fake_cgroup(rel, "populated 0\nfrozen 0\n");
	return driver;
}

static int remove_path(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

static void fake_setup(void)
{
	snprintf(fake_root, sizeof(fake_root), "/tmp/cgdriver-v2-XXXXXX");
	cr_assert_not_null(mkdtemp(fake_root));
	write_at(fake_root, "cgroup.controllers", FAKE_CONTROLLERS);
	write_at(fake_root, "cgroup.subtree_control", "");
	write_at(fake_root, "cgroup.procs", "");
}

static void fake_teardown(void)
{
	if (fake_root[0])
		nftw(fake_root, remove_path, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(cgv2_fake, .init = fake_setup, .fini = fake_teardown, .timeout = 30);

/* ---- create ---- */

Test(cgv2_fake, create_makes_the_parent_and_the_cgroup)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-a");
	struct stat st;
	int fd;

	cr_assert_eq(cg_driver_cgroup_fd(driver), -EBADF, "no cgroup before create");
	cr_assert_eq(cg_driver_create(driver), 0);
	cr_assert(exists_at(fake_root, "claunch/claunch-a"));
	write_at(fake_root, "claunch/claunch-a/marker", "");

	fd = cg_driver_cgroup_fd(driver);
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFL) & O_DIRECTORY);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_eq(fstatat(fd, "marker", &st, 0), 0, "the fd is the cgroup's directory");
	close(fd);
	cg_driver_free(driver);
	cr_assert(exists_at(fake_root, "claunch/claunch-a"), "free touches nothing on disk");
}

Test(cgv2_fake, create_reuses_an_empty_leftover)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-a");

	mkdir_at(fake_root, "claunch");
	fake_cgroup("claunch/claunch-a", "populated 0\nfrozen 0\n");
	write_at(fake_root, "claunch/claunch-a/marker", "");
	cr_assert_eq(cg_driver_create(driver), 0);
	cr_assert(exists_at(fake_root, "claunch/claunch-a/marker"));
	cg_driver_free(driver);
}

Test(cgv2_fake, create_refuses_a_populated_one)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-a");

	mkdir_at(fake_root, "claunch");
	fake_cgroup("claunch/claunch-a", "populated 1\nfrozen 0\n");
	cr_assert_eq(cg_driver_create(driver), -EEXIST);
	cr_assert(exists_at(fake_root, "claunch/claunch-a/cgroup.events"), "left as it was");
	cr_assert_eq(cg_driver_cgroup_fd(driver), -EBADF);
	cg_driver_free(driver);
}

Test(cgv2_fake, create_failure_leaves_nothing_it_made)
{
	char name[NAME_MAX + 8];
	struct cg_driver *driver;

	/* One component, but too long for mkdir: fails after the parents are made. */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mkdir_at(fake_root, "kept");
	driver = driver_at(fake_root, "/kept/new/deeper", name);
	cr_assert_eq(cg_driver_create(driver), -ENAMETOOLONG);
	cr_assert(exists_at(fake_root, "kept"), "it existed before");
	cr_assert_not(exists_at(fake_root, "kept/new"));
	cg_driver_free(driver);
}

/* ---- limits ---- */

struct limits_case {
	const char *what;
	struct cg_limits limits;
	/* Expected contents; UNTOUCHED when the file must not be written. */
	const char *memory_max, *swap_max, *cpu_max, *cpu_weight, *cpuset, *pids_max;
	const char *subtree; /* of the root and the parent; the cgroup's own stays "" */
};

static const struct limits_case limits_cases[] = {
	{
		"every limit",
		{ .memory_max = 512 * MIB,
		  .memory_swap_max = 1024 * MIB,
		  .cpu_quota_usec = 50000,
		  .cpu_weight = 200,
		  .cpuset_cpus = "0-1",
		  .pids_max = 64 },
		"536870912",
		"536870912",
		"50000 100000",
		"200",
		"0-1",
		"64",
		"+memory +cpu +pids +cpuset",
	},
	{
		"swap not given: as much swap as memory, as docker",
		{ .memory_max = 256 * MIB,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		"268435456",
		"268435456",
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"+memory",
	},
	{
		"swap equal to memory: no swap",
		{ .memory_max = 256 * MIB,
		  .memory_swap_max = 256 * MIB,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		"268435456",
		"0",
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"+memory",
	},
	{
		"unlimited swap",
		{ .memory_max = 256 * MIB,
		  .memory_swap_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		"268435456",
		"max",
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"+memory",
	},
	{
		"unlimited memory and swap",
		{ .memory_max = CG_UNLIMITED,
		  .memory_swap_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		"max",
		"max",
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"+memory",
	},
	{
		"docker's cpu-shares 1024: weight 39, as crun converts it",
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .cpu_shares = 1024,
		  .pids_max = CG_UNLIMITED },
		UNTOUCHED,
		UNTOUCHED,
		"max 100000",
		"39",
		UNTOUCHED,
		UNTOUCHED,
		"+cpu",
	},
	{
		"weight alone: cpu.max unlimited",
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .cpu_weight = 10000,
		  .pids_max = CG_UNLIMITED },
		UNTOUCHED,
		UNTOUCHED,
		"max 100000",
		"10000",
		UNTOUCHED,
		UNTOUCHED,
		"+cpu",
	},
	{
		"more than one cpu",
		{ .memory_max = CG_UNLIMITED, .cpu_quota_usec = 250000, .pids_max = CG_UNLIMITED },
		UNTOUCHED,
		UNTOUCHED,
		"250000 100000",
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"+cpu",
	},
	{
		"pids and cpuset",
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .cpuset_cpus = "0,2-3",
		  .pids_max = 1 },
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"0,2-3",
		"1",
		"+pids +cpuset",
	},
	{
		"nothing asked",
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		UNTOUCHED,
		"",
	},
};

Test(cgv2_fake, limit_files_hold_the_exact_bytes)
{
	for (size_t i = 0; i < ELEMENTSOF(limits_cases); i++) {
		const struct limits_case *c = &limits_cases[i];
		char name[32];
		char rel[64];
		struct cg_driver *driver;

		snprintf(name, sizeof(name), "claunch-%zu", i);
		write_at(fake_root, "cgroup.subtree_control", "");
		if (exists_at(fake_root, "claunch"))
			write_at(fake_root, "claunch/cgroup.subtree_control", "");
		driver = fake_created("/claunch", name);
		cr_assert_eq(cg_driver_set_limits(driver, &c->limits), 0, "%s", c->what);
		cr_assert_null(cg_driver_missing_controller(driver));

#define EXPECT(file, want)                                                                         \
	do {                                                                                       \
		snprintf(rel, sizeof(rel), "claunch/%s/%s", name, file);                           \
		cr_expect_str_eq(read_at(fake_root, rel), want, "%s: %s", c->what, file);          \
	} while (0)
		EXPECT("memory.max", c->memory_max);
		EXPECT("memory.swap.max", c->swap_max);
		EXPECT("cpu.max", c->cpu_max);
		EXPECT("cpu.weight", c->cpu_weight);
		EXPECT("cpuset.cpus", c->cpuset);
		EXPECT("pids.max", c->pids_max);
		EXPECT("cgroup.subtree_control", "");
#undef EXPECT
		cr_expect_str_eq(read_at(fake_root, "cgroup.subtree_control"), c->subtree, "%s",
				 c->what);
		cr_expect_str_eq(read_at(fake_root, "claunch/cgroup.subtree_control"), c->subtree,
				 "%s", c->what);
		cg_driver_free(driver);
	}
}

Test(cgv2_fake, controllers_are_enabled_in_every_ancestor)
{
	struct cg_driver *driver = fake_created("/a/b/c", "claunch-x");
	struct cg_limits limits = no_limits;

	limits.pids_max = 100;
	limits.memory_max = 64 * MIB;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_expect_str_eq(read_at(fake_root, "cgroup.subtree_control"), "+memory +pids");
	cr_expect_str_eq(read_at(fake_root, "a/cgroup.subtree_control"), "+memory +pids");
	cr_expect_str_eq(read_at(fake_root, "a/b/cgroup.subtree_control"), "+memory +pids");
	cr_expect_str_eq(read_at(fake_root, "a/b/c/cgroup.subtree_control"), "+memory +pids");
	cr_expect_str_eq(read_at(fake_root, "a/b/c/claunch-x/cgroup.subtree_control"), "");
	cr_expect_str_eq(read_at(fake_root, "a/b/c/claunch-x/pids.max"), "100");
	cg_driver_free(driver);
}

Test(cgv2_fake, an_enabled_controller_is_not_written_again)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");
	struct cg_limits limits = no_limits;

	/* As the kernel shows it: names without '+'. */
	write_at(fake_root, "cgroup.subtree_control", "cpu memory\n");
	limits.pids_max = 10;
	limits.memory_max = 64 * MIB;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_expect_str_eq(read_at(fake_root, "cgroup.subtree_control"), "+pids");
	cr_expect_str_eq(read_at(fake_root, "claunch/cgroup.subtree_control"), "+memory +pids");
	cg_driver_free(driver);
}

Test(cgv2_fake, a_controller_the_root_does_not_offer)
{
	static const struct {
		const char *offered;
		struct cg_limits limits;
		const char *missing;
	} cases[] = {
		{ "cpu io pids\n",
		  { .memory_max = MIB, .cpu_quota_usec = CG_UNLIMITED, .pids_max = CG_UNLIMITED },
		  "memory" },
		{ "memory pids\n",
		  { .memory_max = CG_UNLIMITED,
		    .cpu_weight = 5,
		    .pids_max = CG_UNLIMITED,
		    .cpu_quota_usec = CG_UNLIMITED },
		  "cpu" },
		{ "memory cpu\n",
		  { .memory_max = CG_UNLIMITED, .cpu_quota_usec = CG_UNLIMITED, .pids_max = 5 },
		  "pids" },
		{ "memory cpu pids\n",
		  { .memory_max = CG_UNLIMITED,
		    .cpu_quota_usec = CG_UNLIMITED,
		    .pids_max = CG_UNLIMITED,
		    .cpuset_cpus = "0" },
		  "cpuset" },
		{ "",
		  { .memory_max = CG_UNLIMITED, .cpu_quota_usec = 1000, .pids_max = CG_UNLIMITED },
		  "cpu" },
	};
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		write_at(fake_root, "cgroup.controllers", cases[i].offered);
		cr_assert_eq(cg_driver_set_limits(driver, &cases[i].limits), -EOPNOTSUPP, "%zu", i);
		cr_assert_str_eq(cg_driver_missing_controller(driver), cases[i].missing);
		cr_expect_str_eq(read_at(fake_root, "cgroup.subtree_control"), "",
				 "nothing enabled");
		cr_expect_str_eq(read_at(fake_root, "claunch/claunch-x/memory.max"), UNTOUCHED);
		cr_expect_str_eq(read_at(fake_root, "claunch/claunch-x/cpu.max"), UNTOUCHED);
	}
	/* A later success clears it. */
	write_at(fake_root, "cgroup.controllers", FAKE_CONTROLLERS);
	cr_assert_eq(cg_driver_set_limits(driver, &cases[0].limits), 0);
	cr_assert_null(cg_driver_missing_controller(driver));
	cg_driver_free(driver);
}

Test(cgv2_fake, no_swap_accounting)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");
	struct cg_limits limits = no_limits;

	unlink_at(fake_root, "claunch/claunch-x/memory.swap.max");
	limits.memory_max = MIB;
	limits.memory_swap_max = 2 * MIB;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), -EOPNOTSUPP);
	cr_assert_str_eq(cg_driver_missing_controller(driver), "memory.swap");
	cg_driver_free(driver);
}

Test(cgv2_fake, bad_limits)
{
	static const struct cg_limits cases[] = {
		/* swap below memory */
		{ .memory_max = 2 * MIB,
		  .memory_swap_max = MIB,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		/* swap without memory */
		{ .memory_max = CG_UNLIMITED,
		  .memory_swap_max = MIB,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .pids_max = CG_UNLIMITED },
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .cpu_weight = 10001,
		  .pids_max = CG_UNLIMITED },
		{ .memory_max = CG_UNLIMITED, .cpu_quota_usec = 0, .pids_max = CG_UNLIMITED },
		{ .memory_max = CG_UNLIMITED,
		  .cpu_quota_usec = CG_UNLIMITED,
		  .cpuset_cpus = "",
		  .pids_max = CG_UNLIMITED },
	};
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		cr_assert_eq(cg_driver_set_limits(driver, &cases[i]), -EINVAL, "case %zu", i);
		cr_expect_str_eq(read_at(fake_root, "cgroup.subtree_control"), "");
	}
	cg_driver_free(driver);
}

Test(cgv2_fake, limits_before_create)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-x");

	cr_assert_eq(cg_driver_set_limits(driver, &no_limits), -EBADF);
	cg_driver_free(driver);
}

/* ---- processes, stats, OOM ---- */

Test(cgv2_fake, attach_writes_the_pid)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	cr_assert_eq(cg_driver_attach(driver, 4321), 0);
	cr_expect_str_eq(read_at(fake_root, "claunch/claunch-x/cgroup.procs"), "4321");
	cg_driver_free(driver);
}

Test(cgv2_fake, populated_reads_cgroup_events)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	cr_assert_eq(cg_driver_populated(driver), 0);
	write_at(fake_root, "claunch/claunch-x/cgroup.events", "populated 1\nfrozen 0\n");
	cr_assert_eq(cg_driver_populated(driver), 1);
	write_at(fake_root, "claunch/claunch-x/cgroup.events", "frozen 0\n");
	cr_assert_eq(cg_driver_populated(driver), -EBADMSG);
	cg_driver_free(driver);
}

Test(cgv2_fake, kill_all_writes_cgroup_kill)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	cr_assert_eq(cg_driver_kill_all(driver, SIGKILL), 0, "no process listed");
	cr_expect_str_eq(read_at(fake_root, "claunch/claunch-x/cgroup.kill"), "1");
	cr_assert_eq(cg_driver_kill_all(driver, SIGTERM), 0);
	cg_driver_free(driver);
}

Test(cgv2_fake, stats_parse_the_files)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");
	struct cg_stats stats;

	write_at(fake_root, "claunch/claunch-x/memory.current", "1234567\n");
	write_at(fake_root, "claunch/claunch-x/memory.max", "536870912\n");
	write_at(fake_root, "claunch/claunch-x/cpu.stat",
		 "usage_usec 987654\nuser_usec 900000\nsystem_usec 87654\n");
	write_at(fake_root, "claunch/claunch-x/pids.current", "7\n");
	write_at(fake_root, "claunch/claunch-x/memory.events",
		 "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
	cr_assert_eq(cg_driver_stats(driver, &stats), 0);
	cr_expect_eq(stats.memory_current, 1234567);
	cr_expect_eq(stats.memory_max, 536870912);
	cr_expect_eq(stats.cpu_usage_usec, 987654);
	cr_expect_eq(stats.pids_current, 7);
	cr_expect_eq(stats.oom_kills, 2);

	write_at(fake_root, "claunch/claunch-x/memory.max", "max\n");
	cr_assert_eq(cg_driver_stats(driver, &stats), 0);
	cr_expect_eq(stats.memory_max, CG_UNLIMITED);

	/* Without the memory and pids controllers (no limit asked for them). */
	unlink_at(fake_root, "claunch/claunch-x/memory.current");
	unlink_at(fake_root, "claunch/claunch-x/pids.current");
	cr_assert_eq(cg_driver_stats(driver, &stats), 0);
	cr_expect_eq(stats.memory_current, 0);
	cr_expect_eq(stats.pids_current, 0);

	write_at(fake_root, "claunch/claunch-x/cpu.stat", "garbage\n");
	cr_assert_eq(cg_driver_stats(driver, &stats), -EBADMSG);
	cg_driver_free(driver);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

Test(cgv2_fake, oom_fd_wakes_when_memory_events_changes)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");
	struct cg_stats stats;
	int fd;

	write_at(fake_root, "claunch/claunch-x/memory.max", "max\n");
	fd = cg_driver_oom_fd(driver);
	cr_assert_geq(fd, 0);
	cr_assert_eq(cg_driver_oom_fd(driver), fd, "owned by the driver, made once");
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_not(readable(fd));

	write_at(fake_root, "claunch/claunch-x/memory.events", "oom 1\noom_kill 1\n");
	cr_assert(readable(fd));
	cr_assert_eq(cg_driver_stats(driver, &stats), 0);
	cr_expect_eq(stats.oom_kills, 1);
	cr_assert_not(readable(fd), "stats consumed the wakeup");
	cg_driver_free(driver);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "free closed it");
}

Test(cgv2_fake, oom_fd_without_memory_events)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	unlink_at(fake_root, "claunch/claunch-x/memory.events");
	cr_assert_eq(cg_driver_oom_fd(driver), -EOPNOTSUPP);
	cg_driver_free(driver);
}

/* ---- removal ---- */

Test(cgv2_fake, destroy_removes_the_cgroup_not_the_parent)
{
	struct cg_driver *driver = fake_created("/claunch", "claunch-x");

	write_at(fake_root, "claunch/claunch-x/cgroup.events", "populated 1\nfrozen 0\n");
	cr_assert_eq(cg_driver_destroy(driver), -EBUSY);
	cr_assert(exists_at(fake_root, "claunch/claunch-x"));

	/* A sub-cgroup the container made, then the files the kernel removes with the cgroup. */
	mkdir_at(fake_root, "claunch/claunch-x/init.scope");
	fake_cgroup_strip("claunch/claunch-x");
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cr_assert_not(exists_at(fake_root, "claunch/claunch-x"));
	cr_assert(exists_at(fake_root, "claunch"));
	cr_assert_eq(cg_driver_destroy(driver), 0, "gone already");
	cr_assert_eq(cg_driver_cgroup_fd(driver), -EBADF);
	cg_driver_free(driver);
}

Test(cgv2_fake, remove_stale_keeps_populated_ones)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-self");

	mkdir_at(fake_root, "claunch");
	mkdir_at(fake_root, "claunch/claunch-empty");
	mkdir_at(fake_root, "claunch/claunch-nested");
	mkdir_at(fake_root, "claunch/claunch-nested/init.scope");
	fake_cgroup("claunch/claunch-busy", "populated 1\nfrozen 0\n");
	mkdir_at(fake_root, "claunch/claunch-busy/init.scope");
	mkdir_at(fake_root, "claunch/claunch-self");
	mkdir_at(fake_root, "claunch/other");
	write_at(fake_root, "claunch/claunch-file", "");

	cr_assert_eq(cg_driver_remove_stale(driver, "claunch-"), 2);
	cr_assert_not(exists_at(fake_root, "claunch/claunch-empty"));
	cr_assert_not(exists_at(fake_root, "claunch/claunch-nested"));
	cr_assert(exists_at(fake_root, "claunch/claunch-busy/init.scope"), "untouched");
	cr_assert(exists_at(fake_root, "claunch/claunch-self"), "its own name is not stale");
	cr_assert(exists_at(fake_root, "claunch/other"));
	cr_assert(exists_at(fake_root, "claunch/claunch-file"));
	cg_driver_free(driver);
}

Test(cgv2_fake, remove_stale_without_a_parent)
{
	struct cg_driver *driver = driver_at(fake_root, "/claunch", "claunch-self");

	cr_assert_eq(cg_driver_remove_stale(driver, "claunch-"), 0);
	cg_driver_free(driver);
}

/* ---- the real cgroup2, without controllers ---- */

static struct {
	bool available;
	char reason[256];
	char parent[64]; /* "/cinit-cg2test-PID" */
	char dir[128];	 /* CGROUP2_MOUNT + parent */
	int lifeline[2]; /* the test holds the write end; its children exit at EOF */
} real;

static int real_populated(const char *dir)
{
	char path[PATH_MAX], text[256];
	const char *p;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (util_read_file(path, text, sizeof(text)) < 0)
		return -1;
	p = strstr(text, "populated ");
	return p ? p[strlen("populated ")] == '1' : -1;
}

/* Waits on cgroup.events (inotify, up to TIMEOUT_MS) until DIR holds no process. */
static bool real_wait_empty(const char *dir)
{
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC);
	char path[PATH_MAX], buf[4096];

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (fd < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return false;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (real_populated(dir) == 0)
			return true;
		if (poll(&p, 1, TIMEOUT_MS) <= 0)
			return real_populated(dir) == 0;
		(void)!read(fd, buf, sizeof(buf));
	}
}

static int real_kill_and_remove(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char file[PATH_MAX];
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_DP)
		return 0;
	snprintf(file, sizeof(file), "%s/cgroup.kill", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "1", 1);
		close(fd);
	}
	real_wait_empty(path);
	if (rmdir(path) < 0 && errno != ENOENT)
		fprintf(stderr, "test_cgdriver_v2: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

static void real_remove(const char *dir)
{
	nftw(dir, real_kill_and_remove, 16, FTW_DEPTH | FTW_PHYS);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Directories of workers that died before their teardown. */
static void real_sweep(void)
{
	DIR *d = opendir(CGROUP2_MOUNT);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		int pid;

		if (sscanf(de->d_name, REAL_PREFIX "%d", &pid) != 1 || pid == getpid() ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), CGROUP2_MOUNT "/%s", de->d_name);
		real_remove(path);
	}
	closedir(d);
}

static void real_setup(void)
{
	struct statfs sfs;

	real.available = false;
	real.lifeline[0] = real.lifeline[1] = -1;
	if (geteuid() != 0) {
		snprintf(real.reason, sizeof(real.reason), "needs root to create cgroups");
		return;
	}
	if (statfs(CGROUP2_MOUNT, &sfs) < 0 || sfs.f_type != CGROUP2_MAGIC) {
		snprintf(real.reason, sizeof(real.reason), "no cgroup2 at " CGROUP2_MOUNT);
		return;
	}
	if (access(CGROUP2_MOUNT "/cgroup.procs", W_OK) < 0) {
		snprintf(real.reason, sizeof(real.reason), CGROUP2_MOUNT " is not writable");
		return;
	}
	cr_assert_eq(pipe2(real.lifeline, O_CLOEXEC), 0);
	real_sweep();
	snprintf(real.parent, sizeof(real.parent), "/" REAL_PREFIX "%d", (int)getpid());
	snprintf(real.dir, sizeof(real.dir), CGROUP2_MOUNT "%s", real.parent);
	real.available = true;
}

static void real_teardown(void)
{
	struct stat st;

	for (int i = 0; i < 2; i++)
		if (real.lifeline[i] >= 0)
			close(real.lifeline[i]);
	if (!real.available)
		return;
	real_remove(real.dir);
	if (stat(real.dir, &st) == 0)
		fprintf(stderr, "test_cgdriver_v2: %s is left\n", real.dir);
}

static void need_real(void)
{
	if (!real.available)
		cr_skip_test("%s", real.reason);
}

/* A child that waits for a signal or for the test's end (the lifeline's EOF). */
static pid_t real_child(void)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct pollfd p = { .fd = real.lifeline[0], .events = POLLIN };

		close(real.lifeline[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

static const char *cgroup_of(pid_t pid)
{
	static char path[PATH_MAX];
	char file[64], text[4096];
	const char *p;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	path[0] = '\0';
	if (util_read_file(file, text, sizeof(text)) < 0)
		return path;
	p = strstr(text, "\n0::");
	if (p)
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(p + 4, "\n"), p + 4);
	return path;
}

/* The signal that killed our child pid, waiting up to TIMEOUT_MS so that a failure reaches the
 * teardown (which kills and reaps) instead of the suite's timeout. */
static int wait_signal(pid_t pid)
{
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int status;

	cr_assert_geq(fd, 0, "pidfd_open: %s", strerror(errno));
	cr_assert_eq(poll(&p, 1, TIMEOUT_MS), 1, "process %d did not end", (int)pid);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

TestSuite(cgv2_real, .init = real_setup, .fini = real_teardown, .timeout = 30);

Test(cgv2_real, create_attach_kill_destroy)
{
	struct cg_driver *driver;
	char want[PATH_MAX];
	struct cg_stats stats;
	pid_t pid;

	need_real();
	driver = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(driver), 0);
	cr_assert_eq(cg_driver_set_limits(driver, &no_limits), 0, "no controller needed");
	cr_assert_eq(cg_driver_populated(driver), 0);

	pid = real_child();
	cr_assert_eq(cg_driver_attach(driver, pid), 0);
	snprintf(want, sizeof(want), "%s/claunch-a", real.parent);
	cr_assert_str_eq(cgroup_of(pid), want);
	cr_assert_eq(cg_driver_populated(driver), 1);
	cr_assert_eq(cg_driver_stats(driver, &stats), 0, "controller-less: zeros, cpu.stat read");
	cr_assert_eq(cg_driver_destroy(driver), -EBUSY);

	cr_assert_eq(cg_driver_kill_all(driver, SIGKILL), 1);
	cr_assert_eq(wait_signal(pid), SIGKILL);
	cr_assert(real_wait_empty(real.dir));
	cr_assert_eq(cg_driver_populated(driver), 0);
	cr_assert_eq(cg_driver_destroy(driver), 0);
	snprintf(want, sizeof(want), "%s/claunch-a", real.dir);
	cr_assert_eq(access(want, F_OK), -1, "removed");
	cr_assert_eq(access(real.dir, F_OK), 0, "the parent stays");
	cg_driver_free(driver);
}

Test(cgv2_real, kill_reaches_sub_cgroups_and_term_is_sent_to_each)
{
	struct cg_driver *driver;
	char sub[PATH_MAX / 2], procs[PATH_MAX], text[32];
	pid_t a, b;

	need_real();
	driver = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(driver), 0);
	a = real_child();
	b = real_child();
	cr_assert_eq(cg_driver_attach(driver, a), 0);
	/* The container makes cgroups of its own. */
	snprintf(sub, sizeof(sub), "%s/claunch-a/init.scope", real.dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", sub);
	snprintf(text, sizeof(text), "%d", (int)b);
	write_file(procs, text);

	cr_assert_eq(cg_driver_kill_all(driver, SIGTERM), 2);
	cr_assert_eq(wait_signal(a), SIGTERM);
	cr_assert_eq(wait_signal(b), SIGTERM);
	snprintf(sub, sizeof(sub), "%s/claunch-a", real.dir);
	cr_assert(real_wait_empty(sub));
	cr_assert_eq(cg_driver_destroy(driver), 0, "sub-cgroups removed too");
	cr_assert_eq(access(sub, F_OK), -1);
	cg_driver_free(driver);
}

Test(cgv2_real, create_refuses_a_populated_one_and_reuses_an_empty_one)
{
	struct cg_driver *first, *second;
	pid_t pid;

	need_real();
	first = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(first), 0);
	pid = real_child();
	cr_assert_eq(cg_driver_attach(first, pid), 0);

	second = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(second), -EEXIST);
	cr_assert_eq(cg_driver_populated(first), 1, "untouched");

	cr_assert_eq(cg_driver_kill_all(first, SIGKILL), 1);
	cr_assert_eq(wait_signal(pid), SIGKILL);
	cr_assert_eq(cg_driver_create(second), 0, "the empty leftover is reused");
	cr_assert_eq(cg_driver_destroy(second), 0);
	cg_driver_free(first);
	cg_driver_free(second);
}

Test(cgv2_real, limits_need_controllers_this_hierarchy_lacks)
{
	struct cg_driver *driver;
	struct cg_limits limits = no_limits;

	need_real();
	driver = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(driver), 0);
	limits.memory_max = 64 * MIB;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), -EOPNOTSUPP);
	cr_assert_str_eq(cg_driver_missing_controller(driver), "memory");
	cr_assert_eq(cg_driver_oom_fd(driver), -EOPNOTSUPP, "no memory.events");
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cg_driver_free(driver);
}

Test(cgv2_real, cgroup_fd_starts_a_child_in_the_cgroup)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	struct cg_driver *driver;
	char want[PATH_MAX];
	int fd;
	long pid;

	need_real();
	driver = driver_at(CGROUP2_MOUNT, real.parent, "claunch-a");
	cr_assert_eq(cg_driver_create(driver), 0);
	fd = cg_driver_cgroup_fd(driver);
	cr_assert_geq(fd, 0);
	args.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		struct pollfd p = { .fd = real.lifeline[0], .events = POLLIN };

		close(real.lifeline[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	cr_assert_gt(pid, 0, "clone3: %s", strerror(errno));
	close(fd);
	snprintf(want, sizeof(want), "%s/claunch-a", real.parent);
	cr_assert_str_eq(cgroup_of((pid_t)pid), want);
	cr_assert_eq(cg_driver_kill_all(driver, SIGKILL), 1);
	cr_assert_eq(wait_signal((pid_t)pid), SIGKILL);
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cg_driver_free(driver);
}

Test(cgv2_real, remove_stale_keeps_a_running_container)
{
	struct cg_driver *busy, *self;
	char path[PATH_MAX];
	pid_t pid;

	need_real();
	busy = driver_at(CGROUP2_MOUNT, real.parent, "claunch-busy");
	cr_assert_eq(cg_driver_create(busy), 0);
	pid = real_child();
	cr_assert_eq(cg_driver_attach(busy, pid), 0);
	snprintf(path, sizeof(path), "%s/claunch-dead", real.dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/claunch-dead/init.scope", real.dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/claunch-busy/init.scope", real.dir);
	cr_assert_eq(mkdir(path, 0755), 0, "an empty sub-cgroup of the running one");

	self = driver_at(CGROUP2_MOUNT, real.parent, "claunch-self");
	cr_assert_eq(cg_driver_remove_stale(self, "claunch-"), 1);
	snprintf(path, sizeof(path), "%s/claunch-dead", real.dir);
	cr_assert_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/claunch-busy/init.scope", real.dir);
	cr_assert_eq(access(path, F_OK), 0);
	cr_assert_eq(cg_driver_populated(busy), 1);

	cr_assert_eq(cg_driver_kill_all(busy, SIGKILL), 1);
	cr_assert_eq(wait_signal(pid), SIGKILL);
	cr_assert_eq(cg_driver_destroy(busy), 0);
	cg_driver_free(busy);
	cg_driver_free(self);
}

/* The systemd driver's parent is a slice unit name, never a path. */
Test(cgdriver_systemd, slice_names)
{
	cr_expect(cg_slice_is_valid("claunch.slice"));
	cr_expect(cg_slice_is_valid("a-b_c:d.slice"));
	cr_expect(cg_slice_is_valid("-.slice"));
	cr_expect_not(cg_slice_is_valid("/claunch"));
	cr_expect_not(cg_slice_is_valid("claunch"));
	cr_expect_not(cg_slice_is_valid(".slice"));
	cr_expect_not(cg_slice_is_valid("a/b.slice"));
	cr_expect_not(cg_slice_is_valid("a b.slice"));
	cr_expect_not(cg_slice_is_valid("claunch.slice.x"));
}

Test(cgdriver_systemd, a_path_parent_or_a_bad_name_is_einval)
{
	struct cg_driver *driver = NULL;
	struct cg_config config = { .root = "/sys/fs/cgroup", .parent = "/claunch", .name = "x" };

	cr_expect_eq(cg_driver_new(CG_KIND_SYSTEMD, &config, &driver), -EINVAL);
	config.parent = "claunch.slice";
	config.name = "../x";
	cr_expect_eq(cg_driver_new(CG_KIND_SYSTEMD, &config, &driver), -EINVAL);
	cr_expect_null(driver);
}

/* Without systemd listening on its private bus, the driver says where it looked. */
Test(cgdriver_systemd, no_bus_names_the_socket)
{
	struct cg_driver *driver = NULL;
	char err[256] = "";
	struct cg_config config = { .root = "/sys/fs/cgroup",
				    .parent = "claunch.slice",
				    .name = "x",
				    .error = err,
				    .error_size = sizeof(err) };
	int r;

	if (access(CG_SYSTEMD_BUS, F_OK) == 0)
		cr_skip_test("systemd runs here: %s exists", CG_SYSTEMD_BUS);
	r = cg_driver_new(CG_KIND_SYSTEMD, &config, &driver);
#ifdef HAVE_SYSTEMD
	cr_expect_eq(r, -EHOSTUNREACH, "%d: %s", r, err);
	cr_expect(strstr(err, "cannot reach systemd at " CG_SYSTEMD_BUS) != NULL, "%s", err);
#else
	cr_expect_eq(r, -EOPNOTSUPP);
#endif
	cr_expect_null(driver);
}
