/* The cgroup v1 backend against the machine's real v1 hierarchies (/sys/fs/cgroup/<controller>).
 * Each test works below its own parent /cinit-cgtest-PID; the teardown kills what is in it and
 * removes it in every hierarchy, also after a failure, and the setup sweeps the parents of test
 * processes that died. Skipped when the machine is not v1 or we are not root. */
#include "config.h"

#include "cgdriver/cgdriver.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROOT	     "/sys/fs/cgroup"
#define PREFIX	     "cinit-cgtest-"
#define MIB	     (UINT64_C(1) << 20)
#define TIMEOUT_MS   5000
#define V1_UNLIMITED "9223372036854771712"

static const char *const hierarchies[] = { "memory", "cpu",	"cpuacct",    "cpuset",
					   "pids",   "freezer", "cpu,cpuacct" };

static char parent[64]; /* "/cinit-cgtest-PID" */
static bool usable;

/* ---- cleanup of what a test made ---- */

static void kill_listed(const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0 && pid != getpid())
			(void)kill(pid, SIGKILL);
	fclose(f);
}

/* Kills and removes DIR's child cgroups, then DIR (only ever a /cinit-cgtest-* parent). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		remove_tree(sub);
	}
	closedir(d);
	for (int i = 0; i < 500 && rmdir(dir) < 0 && errno == EBUSY; i++) {
		kill_listed(dir);
		usleep(10000);
	}
}

static void remove_parent_everywhere(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(hierarchies); i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/%s/%s", ROOT, hierarchies[i], name);
		remove_tree(dir);
	}
}

/* Parents of test processes that died without teardown (a crash or a timeout). */
static void sweep_dead(void)
{
	DIR *d = opendir(ROOT "/memory");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid;

		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		pid = atoi(de->d_name + strlen(PREFIX));
		if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH)
			remove_parent_everywhere(de->d_name);
	}
	closedir(d);
}

static void setup(void)
{
	enum cg_kind kind;

	usable = geteuid() == 0 && cg_detect(ROOT, &kind) == 0 && kind == CG_KIND_V1;
	snprintf(parent, sizeof(parent), "/%s%d", PREFIX, (int)getpid());
	/* orphans of forking children come back to us, to be reaped */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (usable)
		sweep_dead();
}

static void teardown(void)
{
	if (usable)
		remove_parent_everywhere(parent + 1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

TestSuite(cgdriver_v1_real, .init = setup, .fini = teardown, .timeout = 60);

/* ---- helpers ---- */

static struct cg_driver *created_driver(const char *name)
{
	struct cg_config config = { .root = ROOT, .parent = parent, .name = name };
	struct cg_driver *driver = NULL;
	int r;

	if (!usable)
		cr_skip_test("not a cgroup v1 machine, or not root");
	r = cg_driver_new(CG_KIND_V1, &config, &driver);
	cr_assert_eq(r, 0, "new: %s", strerror(-r));
	r = cg_driver_create(driver);
	cr_assert_eq(r, 0, "create: %s", strerror(-r));
	return driver;
}

static const char *cg_file(const char *hier, const char *name, const char *file)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s%s/%s/%s", ROOT, hier, parent, name, file);
	return path;
}

static const char *content(const char *path)
{
	static char buf[4096];
	ssize_t n = util_read_file(path, buf, sizeof(buf));

	cr_assert_geq(n, 0, "%s: %s", path, strerror((int)-n));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static struct cg_limits no_limits(void)
{
	return (struct cg_limits){ .memory_max = CG_UNLIMITED,
				   .cpu_quota_usec = CG_UNLIMITED,
				   .pids_max = CG_UNLIMITED };
}

/* A child stopped until go() writes to its pipe, then running fn. */
struct child {
	pid_t pid;
	int go;
};

static struct child spawn(void (*fn)(void))
{
	struct child c;
	int p[2];
	char b;

	cr_assert(pipe2(p, O_CLOEXEC) == 0);
	c.pid = fork();
	cr_assert(c.pid >= 0);
	if (c.pid == 0) {
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(99);
		fn();
		_exit(0);
	}
	close(p[0]);
	c.go = p[1];
	return c;
}

static void go(struct child *c)
{
	cr_assert(write(c->go, "x", 1) == 1);
	close(c->go);
}

static void child_pause(void)
{
	for (;;)
		pause();
}

static void child_fork_forever(void)
{
	for (;;)
		(void)fork(); /* every process keeps forking; pids.max bounds it */
}

static void child_allocate(void)
{
	size_t size = 64 * MIB;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(98);
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	_exit(0);
}

static void wait_empty(struct cg_driver *driver)
{
	for (int i = 0; i < TIMEOUT_MS / 10; i++) {
		int r = cg_driver_populated(driver);

		cr_assert_geq(r, 0);
		if (r == 0)
			return;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(10000);
	}
	cr_assert_fail("cgroup still populated");
}

static bool procs_has(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "re");
	int p;
	bool found = false;

	cr_assert(f, "%s", path);
	while (fscanf(f, "%d", &p) == 1)
		if (p == pid)
			found = true;
	fclose(f);
	return found;
}

/* ---- tests ---- */

Test(cgdriver_v1_real, limits_read_back_from_the_kernel)
{
	struct cg_driver *driver = created_driver("claunch-limits");
	struct cg_limits limits = no_limits();
	struct cg_stats st;

	cr_assert_str_eq(content(cg_file("cpuset", "claunch-limits", "cpuset.cpus")),
			 content(ROOT "/cpuset/cpuset.cpus"));
	cr_assert_str_neq(content(cg_file("cpuset", "claunch-limits", "cpuset.mems")), "");

	limits.memory_max = 16 * MIB;
	limits.cpu_quota_usec = 50000;
	limits.cpu_weight = 100;
	limits.cpuset_cpus = "0";
	limits.pids_max = 64;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_expect_str_eq(content(cg_file("memory", "claunch-limits", "memory.limit_in_bytes")),
			 "16777216");
	if (access(cg_file("memory", "claunch-limits", "memory.memsw.limit_in_bytes"), F_OK) == 0)
		cr_expect_str_eq(
			content(cg_file("memory", "claunch-limits", "memory.memsw.limit_in_bytes")),
			"33554432");
	cr_expect_str_eq(content(cg_file("cpu", "claunch-limits", "cpu.cfs_quota_us")), "50000");
	cr_expect_str_eq(content(cg_file("cpu", "claunch-limits", "cpu.cfs_period_us")), "100000");
	cr_expect_str_eq(content(cg_file("cpu", "claunch-limits", "cpu.shares")), "2597");
	cr_expect_str_eq(content(cg_file("cpuset", "claunch-limits", "cpuset.cpus")), "0");
	cr_expect_str_eq(content(cg_file("pids", "claunch-limits", "pids.max")), "64");
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_expect_eq(st.memory_max, 16 * MIB);

	/* the kernel rounds to pages; unlimited reads as PAGE_COUNTER_MAX pages, cfs as -1 */
	limits = no_limits();
	limits.memory_max = 10000000;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_expect_str_eq(content(cg_file("memory", "claunch-limits", "memory.limit_in_bytes")),
			 "9998336");
	limits.memory_max = CG_UNLIMITED;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_expect_str_eq(content(cg_file("memory", "claunch-limits", "memory.limit_in_bytes")),
			 V1_UNLIMITED);
	cr_expect_str_eq(content(cg_file("cpu", "claunch-limits", "cpu.cfs_quota_us")), "-1");
	cr_expect_str_eq(content(cg_file("pids", "claunch-limits", "pids.max")), "max");
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_expect_eq(st.memory_max, CG_UNLIMITED);

	cr_assert_eq(cg_driver_destroy(driver), 0);
	cr_assert(access(cg_file("memory", "claunch-limits", ""), F_OK) < 0);
	cg_driver_free(driver);
}

Test(cgdriver_v1_real, attach_kill_destroy)
{
	static const char *const used[] = {
		"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer"
	};
	struct cg_driver *driver = created_driver("claunch-attach");
	struct child c = spawn(child_pause);
	struct cg_stats st;
	int status;

	cr_assert_eq(cg_driver_populated(driver), 0);
	cr_assert_eq(cg_driver_attach(driver, c.pid), 0);
	go(&c);
	for (size_t i = 0; i < ELEMENTSOF(used); i++) {
		cr_expect(procs_has(cg_file(used[i], "claunch-attach", "cgroup.procs"), c.pid),
			  "%s", used[i]);
		cr_expect(procs_has(cg_file(used[i], "claunch-attach", "tasks"), c.pid), "%s",
			  used[i]);
	}
	cr_assert_eq(cg_driver_populated(driver), 1);
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_expect_eq(st.pids_current, 1);
	cr_assert_eq(cg_driver_destroy(driver), -EBUSY);

	cr_assert_eq(cg_driver_kill_all(driver, SIGKILL), 1);
	cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	wait_empty(driver);
	cr_assert_eq(cg_driver_destroy(driver), 0);
	for (size_t i = 0; i < ELEMENTSOF(used); i++)
		cr_expect(access(cg_file(used[i], "claunch-attach", ""), F_OK) < 0, "%s", used[i]);
	cg_driver_free(driver);
}

Test(cgdriver_v1_real, kill_all_catches_forking_processes)
{
	struct cg_driver *driver = created_driver("claunch-forks");
	struct cg_limits limits = no_limits();
	struct child c = spawn(child_fork_forever);
	struct cg_stats st;
	int n;

	limits.pids_max = 64;
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	cr_assert_eq(cg_driver_attach(driver, c.pid), 0);
	go(&c);
	for (int i = 0; i < 200; i++) {
		cr_assert_eq(cg_driver_stats(driver, &st), 0);
		if (st.pids_current >= 32)
			break;
		usleep(10000);
	}
	cr_assert_geq(st.pids_current, 32);
	n = cg_driver_kill_all(driver, SIGKILL);
	cr_assert_geq(n, 32, "signalled %d", n);
	wait_empty(driver);
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cg_driver_free(driver);
}

Test(cgdriver_v1_real, oom_kill_wakes_the_oom_fd)
{
	struct cg_driver *driver = created_driver("claunch-oom");
	struct cg_limits limits = no_limits();
	struct child c = spawn(child_allocate);
	struct pollfd pfd = { .events = POLLIN };
	struct cg_stats st;
	uint64_t count;
	int status;

	limits.memory_max = 16 * MIB;
	limits.memory_swap_max = 16 * MIB; /* no swap: the kernel must kill */
	cr_assert_eq(cg_driver_set_limits(driver, &limits), 0);
	pfd.fd = cg_driver_oom_fd(driver);
	cr_assert_geq(pfd.fd, 0, "oom_fd: %s", strerror(-pfd.fd));
	cr_assert_eq(poll(&pfd, 1, 0), 0, "readable before any OOM");
	cr_assert_eq(cg_driver_attach(driver, c.pid), 0);
	go(&c);
	cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	cr_assert_eq(poll(&pfd, 1, TIMEOUT_MS), 1, "oom fd not readable");
	cr_assert_eq(read(pfd.fd, &count, sizeof(count)), (ssize_t)sizeof(count));
	cr_assert_geq(count, 1);
	cr_assert_eq(cg_driver_stats(driver, &st), 0);
	cr_assert_geq(st.oom_kills, 1);
	wait_empty(driver);
	cr_assert_eq(cg_driver_destroy(driver), 0);
	cg_driver_free(driver);
}

Test(cgdriver_v1_real, leftovers_reused_refused_and_swept)
{
	struct cg_driver *own = created_driver("claunch-own");
	struct cg_driver *stale = created_driver("claunch-stale");
	struct cg_driver *busy = created_driver("claunch-busy");
	struct cg_driver *again;
	struct cg_config config = { .root = ROOT, .parent = parent, .name = "claunch-busy" };
	struct child c = spawn(child_pause);

	cr_assert_eq(cg_driver_attach(busy, c.pid), 0);
	go(&c);
	/* a populated one belongs to a running container */
	cr_assert_eq(cg_driver_new(CG_KIND_V1, &config, &again), 0);
	cr_assert_eq(cg_driver_create(again), -EEXIST);
	cg_driver_free(again);
	/* an empty one is reused */
	config.name = "claunch-stale";
	cr_assert_eq(cg_driver_new(CG_KIND_V1, &config, &again), 0);
	cr_assert_eq(cg_driver_create(again), 0);
	cg_driver_free(again);

	cr_assert_eq(cg_driver_remove_stale(own, "claunch-"), 1);
	cr_assert(access(cg_file("memory", "claunch-stale", ""), F_OK) < 0);
	cr_assert(access(cg_file("freezer", "claunch-stale", ""), F_OK) < 0);
	cr_assert(access(cg_file("memory", "claunch-busy", ""), F_OK) == 0);
	cr_assert(access(cg_file("memory", "claunch-own", ""), F_OK) == 0);

	cr_assert_eq(cg_driver_kill_all(busy, SIGKILL), 1);
	wait_empty(busy);
	cr_assert_eq(cg_driver_destroy(busy), 0);
	cr_assert_eq(cg_driver_destroy(own), 0);
	cg_driver_free(busy);
	cg_driver_free(stale);
	cg_driver_free(own);
}
