/* Service cgroups against the machine's real cgroup2 (CGROUP2_MOUNT): each test works in its own
 * CGROUP2_MOUNT/cinit-test-PID-N, given as an explicit root, and the teardown kills what is in
 * it and removes it, also after a failure. Directories left by a worker that died (a timeout)
 * are swept by the next run. Needs root. */
#include "config.h"

#include "common/util.h"
#include "init/svcgroup.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CGROUP2_MOUNT	"/sys/fs/cgroup/unified"
#define CGROUP2_MAGIC	0x63677270
#define CONTAINER_MOUNT "/sys/fs/cgroup" /* in the PID 1 test's own mount namespace */
#define TEST_PREFIX	"cinit-test-"
#define TIMEOUT_MS	5000
#define NO_LIMIT	UINT64_MAX
#define MAX_PIDS	16

static struct {
	enum { UNAVAILABLE, FAILED, READY } state;
	char reason[512];
	char rel[64];	     /* "/cinit-test-PID-N", as /proc/PID/cgroup names it */
	char dir[128];	     /* CGROUP2_MOUNT + rel */
	unsigned next_index; /* N of the next directory */
	int lifeline[2];     /* the test holds the write end; its children wait for EOF */
} t;

/* ---- helpers ---- */

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n = util_read_file(path, buf, size);

	return n < 0 ? (int)n : 0;
}

static int write_text(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return util_write_all(fd, text, strlen(text));
}

/* The cgroup v2 path of pid ("/x/y"), from /proc/PID/cgroup; "" when there is none. 0 for
 * ourselves: through /proc/self, as getpid() is not our pid in the host's /proc in a new PID
 * namespace. */
static const char *cgroup_of(pid_t pid)
{
	static char path[PATH_MAX];
	char file[64], text[4096];
	const char *line;

	if (pid == 0)
		snprintf(file, sizeof(file), "/proc/self/cgroup");
	else
		snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	path[0] = '\0';
	if (read_text(file, text, sizeof(text)) < 0)
		return path;
	for (line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(path, sizeof(path), "%.*s", (int)strcspn(line + 3, "\n"),
				 line + 3);
			break;
		}
	}
	return path;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int populated(const char *dir)
{
	char path[PATH_MAX], text[256];
	const char *p;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (read_text(path, text, sizeof(text)) < 0)
		return -1;
	p = strstr(text, "populated ");
	return p ? p[strlen("populated ")] == '1' : -1;
}

/* Waits (inotify, up to TIMEOUT_MS) until DIR and its descendants hold no process. */
static bool wait_dir_empty(const char *dir)
{
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC);
	char path[PATH_MAX], buf[4096];
	uint64_t deadline = util_now_usec(CLOCK_MONOTONIC) + TIMEOUT_MS * USEC_PER_MSEC;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (fd < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return false;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = util_now_usec(CLOCK_MONOTONIC);

		if (populated(dir) == 0)
			return true;
		if (now >= deadline ||
		    poll(&p, 1, (int)((deadline - now) / USEC_PER_MSEC) + 1) <= 0)
			return populated(dir) == 0;
		(void)!read(fd, buf, sizeof(buf));
	}
}

/* Waits for the group to empty through its own events fd, as cinit's loop would. */
static bool wait_group_empty(struct svcgroup *group)
{
	_cleanup_close_ int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = svcgroup_events_fd(group);

	cr_assert_geq(fd, 0);
	cr_assert_eq(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev), 0);
	for (;;) {
		int r = svcgroup_events_consume(group);

		cr_assert_geq(r, 0);
		if (r == 0)
			return true;
		if (epoll_wait(epoll_fd, &ev, 1, TIMEOUT_MS) <= 0)
			return svcgroup_is_populated(group) == 0;
	}
}

/* Kills everything in DIR and below: cgroup.kill, or SIGKILL to each pid before 5.14. */
static int kill_pid_in(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char procs[PATH_MAX];
	FILE *f;
	int pid;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0 && pid != getpid())
			kill(pid, SIGKILL);
	fclose(f);
	return 0;
}

static void kill_dir(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	for (int i = 0; i < 10 && populated(dir) == 1; i++) {
		if (write_text(path, "1") < 0)
			nftw(dir, kill_pid_in, 16, FTW_PHYS);
		if (wait_dir_empty(dir))
			break;
	}
}

static int remove_cgroup(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP && rmdir(path) < 0)
		fprintf(stderr, "test_svcgroup: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

static void remove_dir(const char *dir)
{
	kill_dir(dir);
	/* Our children and the orphans we reaped as subreaper. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	nftw(dir, remove_cgroup, 16, FTW_DEPTH | FTW_PHYS);
}

/* Directories of workers that died before their teardown (a timeout kills them). */
static void sweep_stale(void)
{
	DIR *d = opendir(CGROUP2_MOUNT);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		int pid;

		if (sscanf(de->d_name, TEST_PREFIX "%d-", &pid) != 1 || pid == getpid() ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), CGROUP2_MOUNT "/%s", de->d_name);
		remove_dir(path);
	}
	closedir(d);
}

static void setup(void)
{
	struct statfs sfs;

	t.state = UNAVAILABLE;
	t.lifeline[0] = t.lifeline[1] = -1;
	if (geteuid() != 0) {
		snprintf(t.reason, sizeof(t.reason), "needs root to create cgroups");
		return;
	}
	if (statfs(CGROUP2_MOUNT, &sfs) < 0 || sfs.f_type != CGROUP2_MAGIC) {
		snprintf(t.reason, sizeof(t.reason), "no cgroup2 mounted at " CGROUP2_MOUNT);
		return;
	}
	/* Orphaned grandchildren come back to the test, which reaps them in the teardown. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe2(t.lifeline, O_CLOEXEC) < 0) {
		t.state = FAILED;
		snprintf(t.reason, sizeof(t.reason), "pipe2: %s", strerror(errno));
		return;
	}
	sweep_stale();
	snprintf(t.rel, sizeof(t.rel), "/" TEST_PREFIX "%d-%u", (int)getpid(), t.next_index++);
	snprintf(t.dir, sizeof(t.dir), CGROUP2_MOUNT "%s", t.rel);
	if (mkdir(t.dir, 0755) < 0) {
		t.state = FAILED;
		snprintf(t.reason, sizeof(t.reason), "cannot create %s: %s", t.dir,
			 strerror(errno));
		return;
	}
	t.state = READY;
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++)
		if (t.lifeline[i] >= 0)
			close(t.lifeline[i]);
	if (t.state != READY)
		return;
	remove_dir(t.dir);
	if (exists(t.dir))
		fprintf(stderr, "test_svcgroup: %s is left\n", t.dir);
}

static void need_cgroup(void)
{
	if (t.state == UNAVAILABLE)
		cr_skip_test("%s", t.reason);
	cr_assert_eq(t.state, READY, "%s", t.reason);
}

TestSuite(svcgroup, .init = setup, .fini = teardown, .timeout = 30);

enum behaviour {
	SLEEP,
	FORK_SLEEP,  /* and a grandchild that sleeps too */
	IGNORE_TERM, /* sleeps with SIGTERM ignored */
};

static void report_ready(int fd)
{
	pid_t self = getpid();

	if (write(fd, &self, sizeof(self)) != sizeof(self))
		_exit(102);
}

/* Waits for a signal, or for the test's end (the lifeline's EOF), which comes without teardown
 * when the test times out: children must not outlive it, holding its output pipes open. */
static __attribute__((noreturn)) void wait_forever(void)
{
	struct pollfd p = { .fd = t.lifeline[0], .events = POLLIN };

	close(t.lifeline[1]);
	for (;;)
		if (poll(&p, 1, -1) > 0)
			_exit(0);
}

/* Forks a child that first writes "0" to procs_fd (-1: stays in our cgroup), then behaves; the
 * pids of the child and of its grandchild (if any, else 0) once they are ready. Each is signalled
 * only by the test (or the kill under test), or ends with the test. */
static pid_t spawn(int procs_fd, enum behaviour behaviour, pid_t *ret_grandchild)
{
	int ready[2];
	pid_t pid, pids[2] = { 0, 0 };
	size_t want = behaviour == FORK_SLEEP ? 2 : 1;

	cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(ready[0]);
		if (procs_fd >= 0 && write(procs_fd, "0", 1) != 1)
			_exit(100);
		if (behaviour == IGNORE_TERM)
			signal(SIGTERM, SIG_IGN);
		if (behaviour == FORK_SLEEP) {
			pid_t grandchild = fork();

			if (grandchild < 0)
				_exit(101);
			if (grandchild == 0) {
				report_ready(ready[1]);
				wait_forever();
			}
		}
		report_ready(ready[1]);
		wait_forever();
	}
	close(ready[1]);
	for (size_t i = 0; i < want; i++) {
		struct pollfd p = { .fd = ready[0], .events = POLLIN };

		cr_assert_eq(poll(&p, 1, TIMEOUT_MS), 1, "child %d not ready", (int)pid);
		cr_assert_eq(read(ready[0], &pids[i], sizeof(pid_t)), (ssize_t)sizeof(pid_t));
	}
	close(ready[0]);
	if (ret_grandchild)
		*ret_grandchild = pids[0] == pid ? pids[1] : pids[0];
	return pid;
}

/* Reaps pid and returns the signal it died of (0 if it exited). */
static int reap(pid_t pid)
{
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid(%d): %s", (int)pid, strerror(errno));
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static struct svcgroup_root *open_test_root(void)
{
	struct svcgroup_root *root = NULL;

	cr_assert_eq(svcgroup_root_open(t.dir, &root), 0);
	cr_assert_not_null(root);
	return root;
}

static struct svcgroup *create_group(struct svcgroup_root *root, const char *name)
{
	struct svcgroup *group = NULL;

	cr_assert_eq(svcgroup_create(root, name, &group), 0, "create %s", name);
	cr_assert_not_null(group);
	return group;
}

static const char *rel_of(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t.rel, name);
	return path;
}

struct pid_list {
	pid_t pids[MAX_PIDS];
	size_t n;
};

static int collect_pid(pid_t pid, void *data)
{
	struct pid_list *list = data;

	if (list->n == MAX_PIDS)
		return -ENOBUFS;
	list->pids[list->n++] = pid;
	return 0;
}

static int compare_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

static void expect_pids(struct svcgroup *group, pid_t *want, size_t n)
{
	struct pid_list list = { .n = 0 };

	cr_assert_eq(svcgroup_foreach_pid(group, collect_pid, &list), (int)n);
	cr_assert_eq(list.n, n);
	qsort(list.pids, list.n, sizeof(pid_t), compare_pid);
	qsort(want, n, sizeof(pid_t), compare_pid);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(list.pids[i], want[i], "pid %zu: %d, want %d", i, (int)list.pids[i],
			     (int)want[i]);
}

/* ---- the root ---- */

Test(svcgroup, root_open_moves_processes_into_init_scope)
{
	char procs[PATH_MAX], path[PATH_MAX], text[256], offered[256];
	struct svcgroup_root *root, *again;
	_cleanup_close_ int procs_fd = -1;
	pid_t sleeper;

	need_cgroup();
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", t.dir);
	procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(procs_fd, 0);
	sleeper = spawn(procs_fd, SLEEP, NULL);
	cr_assert_str_eq(cgroup_of(sleeper), t.rel);
	snprintf(path, sizeof(path), "%s/cgroup.controllers", t.dir);
	cr_assert_eq(read_text(path, offered, sizeof(offered)), 0);

	root = open_test_root();
	cr_expect_str_eq(svcgroup_root_path(root), t.dir);
	cr_expect_str_eq(cgroup_of(sleeper), rel_of("init.scope"));
	cr_assert_eq(read_text(procs, text, sizeof(text)), 0);
	cr_expect_str_eq(text, "", "the root keeps no process");
	/* Exactly those of memory, cpu, pids that are offered are on; none is, on a hybrid host. */
	cr_expect_eq(svcgroup_root_has_controller(root, "memory"),
		     strstr(offered, "memory") != NULL);
	cr_expect_eq(svcgroup_root_has_controller(root, "cpu"), strstr(offered, "cpu") != NULL);
	cr_expect_eq(svcgroup_root_has_controller(root, "pids"), strstr(offered, "pids") != NULL);
	cr_expect_not(svcgroup_root_has_controller(root, "hugetlb"));
	cr_expect_not(svcgroup_root_has_controller(root, "bogus"));

	/* Opening again (a restarted cinit) reuses init.scope. */
	cr_assert_eq(svcgroup_root_open(t.dir, &again), 0);
	cr_expect_str_eq(cgroup_of(sleeper), rel_of("init.scope"));
	svcgroup_root_free(again);
	svcgroup_root_free(root);
	cr_expect(exists(t.dir), "freeing removes nothing");
}

Test(svcgroup, root_open_rejects_bad_explicit_paths)
{
	struct svcgroup_root *root = NULL;

	need_cgroup();
	cr_expect_eq(svcgroup_root_open("sys/fs/cgroup/unified", &root), -EINVAL);
	cr_expect_eq(svcgroup_root_open("/tmp", &root), -EINVAL);
	cr_expect_eq(svcgroup_root_open("/nonexistent/cinit", &root), -ENOENT);
	cr_expect_null(root);
}

/* The test process sits in the host's root cgroup ("0::/") and is not PID 1. */
Test(svcgroup, detection_refuses_the_host_root_when_not_pid1)
{
	struct svcgroup_root *root = NULL;
	bool had_init_scope = exists(CGROUP2_MOUNT "/init.scope");

	need_cgroup();
	if (strcmp(cgroup_of(0), "/") != 0)
		cr_skip_test("the test runs in cgroup %s, not in the host's root", cgroup_of(0));
	cr_expect_eq(svcgroup_root_open(NULL, &root), -ENOTSUP);
	cr_expect_null(root);
	cr_expect_str_eq(cgroup_of(0), "/");
	if (!had_init_scope)
		cr_expect_not(exists(CGROUP2_MOUNT "/init.scope"), "nothing created in the root");
}

#define CHECK(cond, code)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "test_svcgroup: line %d: %s failed\n", __LINE__, #cond);   \
			_exit(code);                                                               \
		}                                                                                  \
	} while (0)

/* The child's part of the PID 1 test: PID 1 of new PID and cgroup namespaces rooted at the test
 * directory, with a cgroup2 mounted on /sys/fs/cgroup (in a private mount namespace) as a
 * container runtime does. The host's mount stays listed in mountinfo, its root seen as "/..": the
 * detection must pick the new one. Exits with 0 or the code of the first failed CHECK. */
static void detect_as_pid1(void)
{
	struct svcgroup_root *root = NULL, *again = NULL;
	struct svcgroup *group = NULL;

	CHECK(getpid() == 1, 10);
	CHECK(mount("cgroup2", CONTAINER_MOUNT, "cgroup2", 0, NULL) == 0, 11);
	CHECK(strcmp(cgroup_of(0), "/") == 0, 12);
	CHECK(svcgroup_root_open(NULL, &root) == 0, 13);
	CHECK(strcmp(svcgroup_root_path(root), CONTAINER_MOUNT) == 0, 14);
	CHECK(strcmp(cgroup_of(0), "/init.scope") == 0, 15);
	/* Re-executed, cinit finds itself in init.scope and the same root. */
	CHECK(svcgroup_root_open(NULL, &again) == 0, 16);
	CHECK(strcmp(svcgroup_root_path(again), CONTAINER_MOUNT) == 0, 17);
	CHECK(svcgroup_create(again, "web.service", &group) == 0, 18);
	svcgroup_free(group);
	svcgroup_root_free(again);
	svcgroup_root_free(root);
	_exit(0);
}

Test(svcgroup, detection_as_pid1_of_a_container)
{
	char procs[PATH_MAX], path[PATH_MAX];
	pid_t pid;
	int status;

	need_cgroup();
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", t.dir);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pid_t init;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The cgroup namespace is rooted where we are when we unshare it. */
		CHECK(write_text(procs, "0") == 0, 1);
		CHECK(unshare(CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWNS) == 0, 2);
		CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, 3);
		init = fork();
		CHECK(init >= 0, 4);
		if (init == 0)
			detect_as_pid1();
		CHECK(waitpid(init, &status, 0) == init, 5);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d (see CHECK codes)",
		  WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
	snprintf(path, sizeof(path), "%s/init.scope", t.dir);
	cr_expect(exists(path));
	snprintf(path, sizeof(path), "%s/web.service", t.dir);
	cr_expect(exists(path));
}

/* Not PID 1, as a service of systemd: only a cgroup marked delegated (Delegate=yes) is used. */
Test(svcgroup, detection_of_a_cgroup_delegated_by_systemd)
{
	char procs[PATH_MAX], init_scope[PATH_MAX];
	pid_t pid;
	int status;

	need_cgroup();
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", t.dir);
	snprintf(init_scope, sizeof(init_scope), "%s/init.scope", t.dir);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct svcgroup_root *root = NULL;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		CHECK(write_text(procs, "0") == 0, 1);
		CHECK(svcgroup_root_open(NULL, &root) == -ENOTSUP, 2);
		CHECK(!exists(init_scope), 3);
		CHECK(setxattr(t.dir, "trusted.delegate", "1", 1, 0) == 0, 4);
		CHECK(svcgroup_root_open(NULL, &root) == 0, 5);
		CHECK(strcmp(svcgroup_root_path(root), t.dir) == 0, 6);
		CHECK(strcmp(cgroup_of(0), rel_of("init.scope")) == 0, 7);
		svcgroup_root_free(root);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d (see CHECK codes)",
		  WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
}

/* ---- service groups ---- */

Test(svcgroup, create_attach_and_populated)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	char path[PATH_MAX];
	pid_t pid;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	snprintf(path, sizeof(path), "%s/web.service", t.dir);
	cr_expect_str_eq(svcgroup_path(group), path);
	cr_expect(exists(path));
	cr_expect_eq(svcgroup_is_populated(group), 0);

	pid = spawn(-1, SLEEP, NULL);
	cr_assert_eq(svcgroup_attach(group, pid), 0);
	cr_expect_str_eq(cgroup_of(pid), rel_of("web.service"));
	cr_expect_eq(svcgroup_is_populated(group), 1);
	cr_expect_eq(svcgroup_attach(group, 0x7ffffff0), -ESRCH);
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, open_procs_child_writes_zero)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	int fd, flags;
	pid_t pid;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "db.service");
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	flags = fcntl(fd, F_GETFL);
	cr_expect_eq(flags & O_ACCMODE, O_WRONLY);
	cr_expect(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	pid = spawn(fd, SLEEP, NULL);
	close(fd);
	cr_expect_str_eq(cgroup_of(pid), rel_of("db.service"));
	cr_expect_eq(svcgroup_is_populated(group), 1);
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, create_reuses_an_empty_leftover_but_not_a_populated_one)
{
	struct svcgroup_root *root;
	struct svcgroup *group = NULL;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	need_cgroup();
	root = open_test_root();
	snprintf(path, sizeof(path), "%s/old.service", t.dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	group = create_group(root, "old.service");
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	spawn(fd, SLEEP, NULL);
	svcgroup_free(group);
	group = NULL;
	cr_expect_eq(svcgroup_create(root, "old.service", &group), -EBUSY);
	cr_expect_null(group);
	svcgroup_root_free(root);
}

Test(svcgroup, bad_names_are_rejected)
{
	static const char *const bad[] = { "",	"a/b", "/web.service", ".hidden",
					   ".", "..",  "init.scope" };
	struct svcgroup_root *root;
	struct svcgroup *group = NULL;
	char long_name[NAME_MAX + 2];
	DIR *d;
	struct dirent *de;

	need_cgroup();
	root = open_test_root();
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		cr_expect_eq(svcgroup_create(root, bad[i], &group), -EINVAL, "\"%s\"", bad[i]);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	cr_expect_eq(svcgroup_create(root, long_name, &group), -ENAMETOOLONG);
	cr_expect_null(group);

	/* Only init.scope was made. */
	d = opendir(t.dir);
	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			cr_expect_str_eq(de->d_name, "init.scope");
	closedir(d);

	group = create_group(root, "getty@tty1.service");
	svcgroup_free(group);
	svcgroup_root_free(root);
}

/* SIGTERM reaches children and grandchildren but not one that ignores it; SIGKILL does. */
Test(svcgroup, kill_term_then_kill)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	_cleanup_close_ int fd = -1;
	pid_t forker, grandchild, stubborn;
	pid_t left[1];

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	forker = spawn(fd, FORK_SLEEP, &grandchild);
	stubborn = spawn(fd, IGNORE_TERM, NULL);
	cr_assert_str_eq(cgroup_of(grandchild), rel_of("web.service"));

	cr_expect_eq(svcgroup_kill(group, SIGTERM), 3);
	cr_expect_eq(reap(forker), SIGTERM);
	cr_expect_eq(reap(grandchild), SIGTERM, "the grandchild got the signal itself");
	cr_expect_eq(svcgroup_is_populated(group), 1, "the one ignoring SIGTERM is left");
	left[0] = stubborn;
	expect_pids(group, left, 1);

	cr_expect_eq(svcgroup_kill(group, SIGKILL), 1);
	cr_expect_eq(reap(stubborn), SIGKILL);
	cr_expect(wait_group_empty(group));
	cr_expect_eq(svcgroup_kill(group, SIGTERM), 0, "nothing left to signal");
	cr_expect_eq(svcgroup_kill(group, SIGKILL), 0);
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, kill_reaches_sub_cgroups_and_grandchildren)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1, sub_fd = -1;
	pid_t forker, grandchild, nested;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	snprintf(path, sizeof(path), "%s/web.service/worker", t.dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	strcat(path, "/cgroup.procs");
	sub_fd = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(sub_fd, 0);
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	forker = spawn(fd, FORK_SLEEP, &grandchild);
	nested = spawn(sub_fd, IGNORE_TERM, NULL);

	/* cgroup.procs read level by level, then cgroup.kill, which covers the subtree. */
	cr_expect_eq(svcgroup_kill(group, SIGTERM), 3);
	cr_expect_eq(reap(forker), SIGTERM);
	cr_expect_eq(reap(grandchild), SIGTERM);
	cr_expect_eq(svcgroup_kill(group, SIGKILL), 1);
	cr_expect_eq(reap(nested), SIGKILL);
	cr_expect(wait_group_empty(group));
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, events_fd_becomes_readable_when_the_group_empties)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	_cleanup_close_ int epoll_fd = -1, procs_fd = -1;
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;
	pid_t pid;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	procs_fd = svcgroup_open_procs(group);
	cr_assert_geq(procs_fd, 0);
	pid = spawn(procs_fd, SLEEP, NULL);

	fd = svcgroup_events_fd(group);
	cr_assert_geq(fd, 0);
	cr_expect_eq(svcgroup_events_fd(group), fd, "one fd per group");
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	cr_assert_geq(epoll_fd, 0);
	cr_assert_eq(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev), 0);
	cr_expect_eq(svcgroup_events_consume(group), 1);
	/* The kernel tells inotify about cgroup.events from a work queue: the notification of
	 * the child joining may come after the watch was made. Take it, still populated. */
	if (epoll_wait(epoll_fd, &ev, 1, 100) == 1)
		cr_expect_eq(svcgroup_events_consume(group), 1, "a late notice of the join");
	cr_expect_eq(epoll_wait(epoll_fd, &ev, 1, 100), 0, "quiet while nothing changes");

	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(epoll_wait(epoll_fd, &ev, 1, TIMEOUT_MS), 1, "ready when the group empties");
	cr_expect(ev.events & EPOLLIN);
	/* A notice still on its way from before the kill may come first; the empty one follows. */
	if (svcgroup_events_consume(group) != 0) {
		cr_assert_eq(epoll_wait(epoll_fd, &ev, 1, TIMEOUT_MS), 1, "no notice of emptying");
		cr_expect_eq(svcgroup_events_consume(group), 0);
	}
	cr_expect_eq(epoll_wait(epoll_fd, &ev, 1, 0), 0, "drained by svcgroup_events_consume");
	cr_expect_eq(reap(pid), SIGKILL);
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, destroy_refuses_a_populated_group_and_removes_an_empty_one)
{
	struct svcgroup_root *root;
	struct svcgroup *group;
	char path[PATH_MAX], sub[PATH_MAX];
	_cleanup_close_ int fd = -1;
	pid_t pid;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	snprintf(path, sizeof(path), "%s/web.service", t.dir);
	snprintf(sub, sizeof(sub), "%s/web.service/made-by-the-service", t.dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	pid = spawn(fd, SLEEP, NULL);

	cr_expect_eq(svcgroup_destroy(group), -EBUSY);
	cr_expect(exists(path));
	/* Still usable. */
	cr_expect_eq(svcgroup_kill(group, SIGKILL), 1);
	cr_expect_eq(reap(pid), SIGKILL);
	cr_assert(wait_group_empty(group));
	cr_expect_eq(svcgroup_destroy(group), 0);
	cr_expect_not(exists(path));
	svcgroup_root_free(root);
}

Test(svcgroup, foreach_pid_lists_the_group_and_its_sub_cgroups)
{
	struct svcgroup_root *root;
	struct svcgroup *group, *other;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1, sub_fd = -1, other_fd = -1;
	pid_t want[4];
	struct pid_list list = { .n = MAX_PIDS };

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	other = create_group(root, "db.service");
	expect_pids(group, want, 0);
	snprintf(path, sizeof(path), "%s/web.service/sub/cgroup.procs", t.dir);
	*strrchr(path, '/') = '\0';
	cr_assert_eq(mkdir(path, 0755), 0);
	strcat(path, "/cgroup.procs");
	sub_fd = open(path, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(sub_fd, 0);
	fd = svcgroup_open_procs(group);
	cr_assert_geq(fd, 0);
	other_fd = svcgroup_open_procs(other);
	cr_assert_geq(other_fd, 0);

	want[0] = spawn(fd, FORK_SLEEP, &want[1]);
	want[2] = spawn(fd, SLEEP, NULL);
	want[3] = spawn(sub_fd, SLEEP, NULL);
	spawn(other_fd, SLEEP, NULL);
	expect_pids(group, want, 4);
	/* The callback's error stops the walk. */
	cr_expect_eq(svcgroup_foreach_pid(group, collect_pid, &list), -ENOBUFS);
	svcgroup_free(other);
	svcgroup_free(group);
	svcgroup_root_free(root);
}

/* ---- limits ---- */

Test(svcgroup, limits_need_their_controller)
{
	static const struct {
		const char *controller;
		const char *file;
		uint64_t memory, cpu, tasks;
		const char *text;
	} cases[] = {
		{ "memory", "memory.max", 256 << 20, NO_LIMIT, NO_LIMIT, "268435456\n" },
		{ "cpu", "cpu.max", NO_LIMIT, 500000, NO_LIMIT, "50000 100000\n" },
		{ "pids", "pids.max", NO_LIMIT, NO_LIMIT, 64, "64\n" },
	};
	struct svcgroup_root *root;
	struct svcgroup *group;

	need_cgroup();
	root = open_test_root();
	group = create_group(root, "web.service");
	cr_expect_eq(svcgroup_set_limits(group, NO_LIMIT, NO_LIMIT, NO_LIMIT), 0,
		     "no limit: no-op");
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char path[PATH_MAX], text[64];
		int r = svcgroup_set_limits(group, cases[i].memory, cases[i].cpu, cases[i].tasks);

		if (!svcgroup_root_has_controller(root, cases[i].controller)) {
			cr_expect_eq(r, -EOPNOTSUPP, "%s is off", cases[i].controller);
			continue;
		}
		/* Where the host's cgroup2 has the controller. */
		cr_expect_eq(r, 0, "%s", cases[i].controller);
		snprintf(path, sizeof(path), "%s/web.service/%s", t.dir, cases[i].file);
		cr_assert_eq(read_text(path, text, sizeof(text)), 0);
		cr_expect_str_eq(text, cases[i].text);
	}
	svcgroup_free(group);
	svcgroup_root_free(root);
}

Test(svcgroup, limit_texts)
{
	static const struct {
		enum svcgroup_limit limit;
		uint64_t value;
		const char *text;
	} cases[] = {
		{ SVCGROUP_MEMORY_MAX, 268435456, "268435456" },
		{ SVCGROUP_MEMORY_MAX, 0, "0" },
		{ SVCGROUP_MEMORY_MAX, NO_LIMIT, "max" },
		{ SVCGROUP_CPU_MAX, 500000, "50000 100000" },	/* CPUQuota=50% */
		{ SVCGROUP_CPU_MAX, 2000000, "200000 100000" }, /* 200% */
		{ SVCGROUP_CPU_MAX, 10000, "1000 100000" },	/* 1%: the kernel's minimum */
		{ SVCGROUP_CPU_MAX, 5000, "1000 100000" },	/* 0.5%: raised to it */
		{ SVCGROUP_CPU_MAX, NO_LIMIT, "max 100000" },
		{ SVCGROUP_PIDS_MAX, 1, "1" },
		{ SVCGROUP_PIDS_MAX, 4194304, "4194304" },
		{ SVCGROUP_PIDS_MAX, 4194305, "max" },
		{ SVCGROUP_PIDS_MAX, NO_LIMIT, "max" },
	};
	char buf[64];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		cr_expect_eq(svcgroup_limit_text(cases[i].limit, cases[i].value, buf, sizeof(buf)),
			     (int)strlen(cases[i].text), "case %zu", i);
		cr_expect_str_eq(buf, cases[i].text, "case %zu", i);
	}
	cr_expect_eq(svcgroup_limit_text(SVCGROUP_MEMORY_MAX, 268435456, buf, 4), -ENOBUFS);
}
