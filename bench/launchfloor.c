/* bench/launchfloor: the least a container launcher must do, as a floor for bench/launchers.
 *
 *   launchfloor CGROUP -- CMD [ARG...]
 *
 * CGROUP is a path below the root of each cgroup v1 hierarchy ("/claunch-bench/floor"). The
 * program creates it (and missing parents) in the memory, cpu and pids hierarchies under
 * /sys/fs/cgroup, sets memory.limit_in_bytes = 256 MiB, cpu.cfs_period_us = 100000,
 * cpu.cfs_quota_us = 50000 and pids.max = 100, clones a child into new PID, mount, UTS, IPC
 * and network namespaces, writes the child's pid to each cgroup.procs and then releases it
 * through a pipe; the child enters a new cgroup namespace (after the attach, so that its root
 * is the new cgroup, as runc and crun do it) and execs CMD. The parent waits for the child,
 * removes the three cgroups and exits with the child's status (128 + signal if it was
 * killed). Nothing else: no rootfs, no mounts, no capabilities, no seccomp.
 *
 * Exit status 125: launchfloor itself failed (message on stderr); 127: CMD could not be run.
 * libc only; bench/launchers builds it with `cc -O2`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT   "/sys/fs/cgroup"
#define EXIT_LAUNCHER 125
#define EXIT_NOEXEC   127
#define CHILD_STACK   (64 * 1024)

static const char *const controllers[] = { "memory", "cpu", "pids" };
#define N_CONTROLLERS (sizeof(controllers) / sizeof(controllers[0]))

/* What each controller gets: file and value. */
static const struct {
	const char *controller;
	const char *file;
	const char *value;
} limits[] = {
	{ "memory", "memory.limit_in_bytes", "268435456" },
	{ "cpu", "cpu.cfs_period_us", "100000" },
	{ "cpu", "cpu.cfs_quota_us", "50000" },
	{ "pids", "pids.max", "100" },
};

static char cgroup_dirs[N_CONTROLLERS][PATH_MAX];
static int created[N_CONTROLLERS];
static int release_pipe[2];

static void fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "launchfloor: %s%s%s: %s\n", what, path ? " " : "", path ? path : "",
		strerror(err));
}

/* mkdir -p: every missing component of PATH below CGROUP_ROOT/CONTROLLER. */
static int mkdir_p(char *path)
{
	size_t skip = strlen(CGROUP_ROOT) + 1;
	for (char *p = path + skip; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		int err = errno;
		*p = '/';
		if (r < 0 && err != EEXIST) {
			errno = err;
			return -1;
		}
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		fail("path too long", dir, ENAMETOOLONG);
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("open", path, errno);
		return -1;
	}
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int err = errno;
	close(fd);
	if (n != (ssize_t)len) {
		fail("write", path, n < 0 ? err : EIO);
		return -1;
	}
	return 0;
}

static const char *dir_of(const char *controller)
{
	for (size_t i = 0; i < N_CONTROLLERS; i++)
		if (strcmp(controllers[i], controller) == 0)
			return cgroup_dirs[i];
	return NULL;
}

/* rmdir of the cgroups this run created; a cgroup whose last task has just been reaped can
 * report EBUSY for a moment, hence the short retries. */
static void remove_cgroups(void)
{
	for (size_t i = 0; i < N_CONTROLLERS; i++) {
		if (!created[i])
			continue;
		for (int attempt = 0;; attempt++) {
			if (rmdir(cgroup_dirs[i]) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY || attempt == 100) {
				fail("rmdir", cgroup_dirs[i], errno);
				break;
			}
			struct timespec ts = { 0, 100 * 1000 };
			nanosleep(&ts, NULL);
		}
		created[i] = 0;
	}
}

static int child_main(void *arg)
{
	char **argv = arg;
	char byte;

	close(release_pipe[1]);
	/* Released (or the parent died: EOF) once the parent has attached us to the cgroups. */
	ssize_t n;
	do
		n = read(release_pipe[0], &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(EXIT_LAUNCHER);
	close(release_pipe[0]);
	if (unshare(CLONE_NEWCGROUP) < 0) {
		fail("unshare(CLONE_NEWCGROUP)", NULL, errno);
		_exit(EXIT_LAUNCHER);
	}
	execvp(argv[0], argv);
	fail("exec", argv[0], errno);
	_exit(EXIT_NOEXEC);
}

static int usage(void)
{
	fprintf(stderr, "usage: launchfloor CGROUP -- CMD [ARG...]\n"
			"  CGROUP: path below each v1 hierarchy root, e.g. /claunch-bench/floor\n");
	return EXIT_LAUNCHER;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--") != 0 || argv[1][0] != '/')
		return usage();
	const char *cgroup = argv[1];
	char **cmd = argv + 3;

	for (size_t i = 0; i < N_CONTROLLERS; i++) {
		if (snprintf(cgroup_dirs[i], PATH_MAX, "%s/%s%s", CGROUP_ROOT, controllers[i],
			     cgroup) >= PATH_MAX) {
			fail("path too long", cgroup, ENAMETOOLONG);
			return EXIT_LAUNCHER;
		}
	}

	int status = EXIT_LAUNCHER;
	pid_t pid = -1;
	for (size_t i = 0; i < N_CONTROLLERS; i++) {
		if (mkdir_p(cgroup_dirs[i]) < 0) {
			fail("mkdir", cgroup_dirs[i], errno);
			goto out;
		}
		created[i] = 1;
	}
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (write_file(dir_of(limits[i].controller), limits[i].file, limits[i].value) < 0)
			goto out;

	if (pipe2(release_pipe, O_CLOEXEC) < 0) {
		fail("pipe2", NULL, errno);
		goto out;
	}
	static char stack[CHILD_STACK] __attribute__((aligned(16)));
	pid = clone(child_main, stack + sizeof(stack),
		    CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			    SIGCHLD,
		    cmd);
	if (pid < 0) {
		fail("clone", NULL, errno);
		goto out;
	}
	close(release_pipe[0]);

	char pidbuf[24];
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	int attached = 1;
	for (size_t i = 0; i < N_CONTROLLERS && attached; i++)
		attached = write_file(cgroup_dirs[i], "cgroup.procs", pidbuf) == 0;
	/* Release: one byte; without it (attach failed) the child reads EOF and exits 125. */
	if (attached && write(release_pipe[1], "x", 1) != 1) {
		fail("write to the release pipe", NULL, errno);
		attached = 0;
		kill(pid, SIGKILL);
	}
	close(release_pipe[1]);

	int wstatus;
	pid_t w;
	do
		w = waitpid(pid, &wstatus, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		fail("waitpid", NULL, errno);
	else if (!attached)
		status = EXIT_LAUNCHER;
	else if (WIFEXITED(wstatus))
		status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		status = 128 + WTERMSIG(wstatus);
out:
	remove_cgroups();
	return status;
}
