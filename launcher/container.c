/* Clone, hold, set up and exec the container's first process. The child runs only
 * async-signal-safe-minded code of our own after the clone (claunch is single-threaded, so
 * malloc and stdio are usable, but nothing here relies on atfork handlers). */
#include "config.h"

#include "launcher/container.h"
#include "launcher/security.h"
#include "common/users.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

#define CONTAINER_MAX_GROUPS   256
#define CONTAINER_WORKDIR_MODE 0755
#define CONTAINER_LOOPBACK     "lo"
#define CONTAINER_STATUS_MAX   600
#define CONTAINER_UMASK	       0022 /* docker's, whatever the caller's */

extern char **environ;

/* ---- the child ---- */

/* Reports "CODE MESSAGE" to the launcher and exits with CODE. */
__attribute__((noreturn, format(printf, 3, 4))) static void child_fail(int status_fd, int code,
								       const char *fmt, ...)
{
	char msg[CONTAINER_STATUS_MAX];
	int n = snprintf(msg, sizeof(msg), "%d ", code);
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	(void)util_write_all(status_fd, msg, strlen(msg));
	_exit(code);
}

/* The kernel's struct sigaction: libc refuses its reserved real-time signals (32, 33). */
struct container_kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* An ignored signal stays ignored across exec: the container gets none of its caller's
 * (nohup, a background job) nor the launcher's SIGPIPE. */
static void reset_ignored_signals(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct container_kernel_sigaction old, dfl = { .handler = SIG_DFL };

		if (sig == SIGKILL || sig == SIGSTOP ||
		    syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) < 0 ||
		    old.handler != SIG_IGN)
			continue;
		(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	}
}

/* close_range() needs Linux 5.11 for CLOSE_RANGE_CLOEXEC: the same through /proc. */
static void mark_fds_cloexec(int status_fd, int first)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "/proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (fd >= first && fd != dirfd(d))
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

static int loopback_up(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, CONTAINER_LOOPBACK, sizeof(CONTAINER_LOOPBACK));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

/* docker creates a missing working directory (owned by root, 0755). */
static int make_workdir(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, CONTAINER_WORKDIR_MODE) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (saved == '\0')
			break;
	}
	return 0;
}

static const char *env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* HOME is the user's (from the container's /etc/passwd) unless -e set it, as in docker. */
static char **env_with_home(char **envp, const char *home, int status_fd)
{
	size_t n = 0;
	char **grown;

	if (env_get(envp, "HOME"))
		return envp;
	while (envp && envp[n])
		n++;
	grown = calloc(n + 2, sizeof(*grown));
	if (!grown || asprintf(&grown[n], "HOME=%s", home) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "out of memory");
	memcpy(grown, envp, n * sizeof(*grown));
	return grown;
}

static void child_stdio(const struct container_config *c, int status_fd)
{
	/* move the three out of the way first: one of them may already sit on 0..2 */
	int fds[3];

	for (int i = 0; i < 3; i++) {
		fds[i] = fcntl(c->stdio[i], F_DUPFD_CLOEXEC, 3);
		if (fds[i] < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "stdio: %s", strerror(errno));
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "stdio: %s", strerror(errno));
	if (setsid() < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "setsid: %s", strerror(errno));
	if (c->controlling_tty && ioctl(0, TIOCSCTTY, 0) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "terminal: %s", strerror(errno));
}

/* Capabilities, seccomp and the user, in the one order that works for every combination: the
 * bounding set first (needs CAP_SETPCAP), the filter while CAP_SYS_ADMIN is still effective
 * (unless no_new_privs), the ids while CAP_SETUID is, and the other sets last for root. A
 * non-root user ends with no permitted or effective capabilities, as in docker. */
static void child_security(const struct container_config *c, int status_fd, char ***envp)
{
	const struct claunch_options *o = c->options;
	char err[512], spec[512];
	struct user_record rec;
	uid_t uid = 0;
	gid_t gid = 0, groups[CONTAINER_MAX_GROUPS];
	size_t ngroups = 0;
	int r;

	/* root by default, with root's groups from the container's /etc/group: never the
	 * launcher's own gid and supplementary groups */
	snprintf(spec, sizeof(spec), "%s%s%s", o->user ? o->user : "0", o->group ? ":" : "",
		 o->group ? o->group : "");
	r = users_resolve("/", spec, &uid, &gid, groups, ELEMENTSOF(groups), &ngroups);
	if (r < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "--user: \"%s\": %s", spec,
			   r == -ESRCH ? "no such user or group in the container" : strerror(-r));
	if (users_lookup_user("/", o->user ? o->user : "0", &rec) == 0 && rec.name[0])
		*envp = env_with_home(*envp, rec.home, status_fd);
	else
		*envp = env_with_home(*envp, o->user ? "/" : "/root", status_fd);

	r = security_caps_bound(c->caps);
	if (r < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "capabilities: %s", strerror(-r));
	if (o->no_new_privileges) {
		r = security_no_new_privs();
		if (r < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "no_new_privs: %s",
				   strerror(-r));
	}
	r = security_seccomp_load(c->filter, err, sizeof(err));
	if (r < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "%s", err);

	if (setgroups(ngroups, groups) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "setgid %u: %s", (unsigned)gid,
			   strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "setuid %u: %s", (unsigned)uid,
			   strerror(errno));
	if (uid == 0) {
		r = security_caps_set(c->caps, -1);
		if (r < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "capabilities: %s",
				   strerror(-r));
	}
}

__attribute__((noreturn)) static void child_main(const struct container_config *c, int sync_fd,
						 int status_fd)
{
	const struct claunch_options *o = c->options;
	char **envp = c->envp;
	char err[512] = "";
	sigset_t none;
	char go;
	int r;

	/* the launcher's state lock, held through this copy of its fd until closed */
	if (c->close_fd >= 0)
		(void)close(c->close_fd);
	/* the container dies with claunch: set again after the credentials change */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "prctl: %s", strerror(errno));
	child_stdio(c, status_fd);

	r = rootfs_setup(&c->rootfs, err, sizeof(err));
	if (r < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "%s", err);
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "hostname: %s", strerror(errno));
	if (c->new_net) {
		r = loopback_up();
		if (r < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "network: bringing up lo: %s",
				   strerror(-r));
	}
	if (o->working_dir) {
		/* in a rootfs a missing one is made, as docker does; never on the host's */
		r = c->rootfs.rootfs ? make_workdir(o->working_dir) : 0;
		if (r >= 0 && chdir(o->working_dir) < 0)
			r = -errno;
		if (r < 0)
			child_fail(status_fd, CONTAINER_EXIT_SETUP, "-w %s: %s", o->working_dir,
				   strerror(-r));
	}

	/* Nothing of the container's own runs before it is in its cgroup: wait for the launcher.
	 * EOF: claunch died or gave up. */
	if (util_read(sync_fd, &go, 1) != 1)
		_exit(CONTAINER_EXIT_SETUP);
	(void)close(sync_fd);
	/* now that we are in our cgroup, it becomes our cgroup namespace's root */
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "cgroup namespace: %s",
			   strerror(errno));
	r = rootfs_mount_cgroups(&c->rootfs, err, sizeof(err));
	if (r < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "%s", err);

	child_security(c, status_fd, &envp);
	if (!o->working_dir && c->rootfs.rootfs && chdir("/") < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "chdir /: %s", strerror(errno));

	/* Only 0, 1 and 2 go into the container, and the sockets of socket activation after
	 * them: anything else the caller left open (a directory of the host, a socket) would
	 * let it reach outside. */
	if (syscall(SYS_close_range, 3 + c->listen_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		mark_fds_cloexec(status_fd, 3 + c->listen_fds);
	umask(CONTAINER_UMASK);

	/* a change of credentials clears the parent-death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		child_fail(status_fd, CONTAINER_EXIT_SETUP, "prctl: %s", strerror(errno));
	/* The launcher blocks what it forwards and ignores SIGPIPE. cinit keeps them blocked:
	 * a signal forwarded before it has its signalfd stays pending instead of meeting the
	 * default action, which the kernel drops for a namespace's PID 1. A command run as PID 1
	 * starts with nothing blocked, as under docker. */
	reset_ignored_signals();
	if (c->exec_fd < 0) {
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
	}

	if (c->exec_fd >= 0) {
		syscall(SYS_execveat, c->exec_fd, "", c->argv, envp, AT_EMPTY_PATH);
	} else {
		environ = envp; /* execvp searches the container's PATH */
		execvp(c->argv[0], c->argv);
	}
	r = errno;
	child_fail(status_fd,
		   r == ENOENT || r == ENOTDIR ? CONTAINER_EXIT_NOT_FOUND
					       : CONTAINER_EXIT_CANNOT_EXEC,
		   "exec \"%s\": %s", c->exec_fd >= 0 ? "cinit" : c->argv[0],
		   r == ENOENT && c->exec_fd < 0 && !strchr(c->argv[0], '/')
			   ? "executable file not found in $PATH"
			   : strerror(r));
}

/* ---- the launcher's side ---- */

static pid_t clone_into_cgroup(uint64_t flags, int cgroup_fd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)cgroup_fd;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int container_spawn(const struct container_config *c, struct container *ret)
{
	uint64_t flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	int sync_pipe[2], status_pipe[2];
	bool in_cgroup = false;
	pid_t pid = -1;

	if (c->new_net)
		flags |= CLONE_NEWNET;
	if (pipe2(sync_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		int r = -errno;
		(void)close(sync_pipe[0]);
		(void)close(sync_pipe[1]);
		return r;
	}
	fflush(NULL);

	/* CLONE_INTO_CGROUP (5.7): the child never runs outside its cgroup, and no attach is
	 * needed. Older kernels say ENOSYS or E2BIG/EINVAL: fall back to clone + attach. */
	if (c->cgroup_fd >= 0) {
		pid = clone_into_cgroup(flags, c->cgroup_fd);
		if (pid >= 0)
			in_cgroup = true;
		else if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			goto fail;
	}
	if (pid < 0)
		pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL,
				     NULL);
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		(void)close(sync_pipe[1]);
		(void)close(status_pipe[0]);
		child_main(c, sync_pipe[0], status_pipe[1]);
	}
	(void)close(sync_pipe[0]);
	(void)close(status_pipe[1]);
	*ret = (struct container){
		.pid = pid,
		.sync_fd = sync_pipe[1],
		.status_fd = status_pipe[0],
		.in_cgroup = in_cgroup,
	};
	return 0;

fail : {
	int r = -errno;
	(void)close(sync_pipe[0]);
	(void)close(sync_pipe[1]);
	(void)close(status_pipe[0]);
	(void)close(status_pipe[1]);
	return r;
}
}

/* The child's report: 0 at EOF (it exec'd or left without a word), else its exit code. */
static int read_status(struct container *ct, char *err, size_t err_size)
{
	char buf[CONTAINER_STATUS_MAX + 1];
	size_t len = 0;
	char *end;
	long code;

	for (;;) {
		ssize_t n = util_read(ct->status_fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0) {
			snprintf(err, err_size, "starting the container: %s", strerror((int)-n));
			return CONTAINER_EXIT_SETUP;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	util_closep(&ct->status_fd);
	ct->status_fd = -1;
	if (len == 0)
		return 0;
	buf[len] = '\0';
	code = strtol(buf, &end, 10);
	if (end == buf || *end != ' ' || code < 1 || code > 255) {
		snprintf(err, err_size, "starting the container: bad report \"%s\"", buf);
		return CONTAINER_EXIT_SETUP;
	}
	snprintf(err, err_size, "%s", end + 1);
	return (int)code;
}

int container_release(struct container *ct, char *err, size_t err_size)
{
	int r = util_write_all(ct->sync_fd, "1", 1);

	util_closep(&ct->sync_fd);
	ct->sync_fd = -1;
	/* EPIPE: the child already failed; its report says why */
	if (r < 0 && r != -EPIPE) {
		snprintf(err, err_size, "starting the container: %s", strerror(-r));
		return CONTAINER_EXIT_SETUP;
	}
	return read_status(ct, err, err_size);
}

int container_abort(struct container *ct, char *err, size_t err_size)
{
	/* EOF on the sync pipe: a child still setting up exits without a report */
	util_closep(&ct->sync_fd);
	ct->sync_fd = -1;
	return read_status(ct, err, err_size);
}

void container_close(struct container *ct)
{
	util_closep(&ct->sync_fd);
	util_closep(&ct->status_fd);
	ct->sync_fd = ct->status_fd = -1;
}
