/* claunch: run a command in a new container under cinit, with docker-run-like limits.
 * Top-down: parse and check everything (no side effect yet), create the cgroup and write the
 * limits, clone the container's first process and release it, then relay signals, the
 * terminal and OOM kills until it exits, and remove what is left. */
#include "config.h"

#include "cgdriver/cgdriver.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/util.h"
#include "launcher/cli.h"
#include "launcher/console.h"
#include "launcher/container.h"
#include "launcher/environ.h"
#include "launcher/notify_relay.h"
#include "launcher/security.h"
#include "launcher/unitgen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLAUNCH_EXIT_ERROR     125
#define CLAUNCH_CGROUP_ROOT    "/sys/fs/cgroup"
#define CLAUNCH_PARENT	       "/claunch"
#define CLAUNCH_RUN_DIR	       "/run/claunch"
#define CLAUNCH_RUN_DIR_MODE   0711
#define CLAUNCH_LOCK_FILE      CLAUNCH_RUN_DIR "/lock"
#define CLAUNCH_CONTROL_SOCKET "control" /* cinit's, in its runtime directory */
#define CLAUNCH_CINIT_ENV      "CLAUNCH_CINIT"
#define CLAUNCH_MIB	       (UINT64_C(1) << 20)
#define CLAUNCH_LISTEN_FDS_MAX 1024
/* After SIGKILL, a v1 cgroup can stay busy for a moment while the last tasks finish exiting;
 * v1 has no event for "empty", so rmdir is retried this many times, 1 ms apart. */
#define CLAUNCH_DESTROY_TRIES 2000

#ifndef SBINDIR
#define SBINDIR "/usr/local/sbin"
#endif

struct claunch {
	struct claunch_options options;
	uint64_t caps;
	struct security_filter filter;
	char **envp;
	char **argv;
	int cinit_fd;
	struct cg_driver *driver;
	bool cgroup_created;
	char *runtime_dir; /* cinit's control and notify sockets on the host: /run/claunch/NAME */
	bool runtime_dir_owned;
	struct console console;
	int null_fd;
	struct container container;
	bool container_started;
	int signal_fd;
	int epoll_fd;
	int oom_fd;
	bool oom_event;
	uint64_t oom_kills; /* the kernel's count, read at the last OOM event */
	struct notify_relay notify;
	bool stopping_sent;
	int lock_fd; /* held from the stale sweep until the container is in its cgroup */
	int log_fd;  /* the container's output to relay to the journal (read end), or -1 */
	int log_out; /* where it goes: claunch's own stdout or stderr, the journal stream */
};

/* ---- checks before anything is created ---- */

/* cinit is opened here, before the container's root changes, and exec'd by fd: the rootfs
 * needs no copy of it. $CLAUNCH_CINIT, then next to claunch (a build tree), then SBINDIR. */
static int open_cinit(void)
{
	const char *env = getenv(CLAUNCH_CINIT_ENV);
	char self[PATH_MAX], path[PATH_MAX + 16];
	const char *tries[3];
	size_t n = 0;
	ssize_t len;

	if (env && *env)
		tries[n++] = env;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/cinit", self);
			tries[n++] = path;
		}
	}
	tries[n++] = SBINDIR "/cinit";

	for (size_t i = 0; i < n; i++) {
		int fd = open(tries[i], O_PATH | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (faccessat(fd, "", X_OK, AT_EMPTY_PATH) == 0)
			return fd;
		(void)close(fd);
		if (env && i == 0)
			break;
	}
	if (env && *env)
		return log_error("%s=%s: cannot execute it", CLAUNCH_CINIT_ENV, env);
	return log_error("cannot find cinit (looked next to claunch and in %s; set %s)", SBINDIR,
			 CLAUNCH_CINIT_ENV);
}

static int check_privileges(void)
{
	if (geteuid() == 0)
		return 0;
	return log_error("must be run as root: containers need CAP_SYS_ADMIN for namespaces and "
			 "write access to the cgroup tree (rootless containers are not supported)");
}

/* ---- cinit's runtime directory on the host (no --rootfs) ---- */

static void runtime_dir_remove(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return;
	d = fdopendir(util_take_fd(&fd));
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	(void)rmdir(dir);
}

/* A runtime directory whose cinit is gone: its control socket refuses connections. One
 * without a socket yet may belong to a cinit that is starting, and stays. */
/* 0 when a cinit answers on NAME's control socket, else -errno of the connection
 * (-ECONNREFUSED: its cinit is gone; -ENOENT: none yet, or never). */
static int runtime_dir_probe(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", CLAUNCH_RUN_DIR, name, CLAUNCH_CONTROL_SOCKET);
	return sdnotify_probe(path, SOCK_STREAM);
}

static bool runtime_dir_is_stale(int dir_fd, const char *name)
{
	return faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	       runtime_dir_probe(name) == -ECONNREFUSED;
}

/* Removes the runtime directories of containers whose claunch was SIGKILLed. */
static void runtime_dirs_sweep(void)
{
	DIR *d = opendir(CLAUNCH_RUN_DIR);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    !runtime_dir_is_stale(dirfd(d), de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CLAUNCH_RUN_DIR, de->d_name);
		runtime_dir_remove(path);
	}
	closedir(d);
}

/* Under the state lock, which made CLAUNCH_RUN_DIR; cl->runtime_dir was named in
 * check_options(), as cinit's command line needs it. */
static int runtime_dir_prepare(struct claunch *cl)
{
	runtime_dirs_sweep();
	/* names are unique per --cgroup-parent, runtime directories on the host */
	if (runtime_dir_probe(cl->options.name) == 0)
		return log_error("--name %s: a container of that name is running (under another "
				 "--cgroup-parent)",
				 cl->options.name);
	/* a leftover of this name */
	runtime_dir_remove(cl->runtime_dir);
	cl->runtime_dir_owned = true;
	return 0;
}

/* ---- the cgroup ---- */

static const char *limit_flag_for(const char *controller)
{
	if (strcmp(controller, "memory") == 0)
		return "--memory";
	if (strncmp(controller, "memory.", 7) == 0)
		return "--memory-swap";
	if (strcmp(controller, "cpu") == 0)
		return "--cpus/--cpu-weight";
	if (strcmp(controller, "cpuset") == 0)
		return "--cpuset-cpus";
	if (strcmp(controller, "pids") == 0)
		return "--pids-limit";
	return "limits";
}

/* Another claunch's cgroup is empty between its creation and the attach of its container:
 * the sweep for stale cgroups must not run then, so both happen under one lock. */
static int state_lock(struct claunch *cl)
{
	/* CLAUNCH_RUN_DIR was made by check_options() */
	cl->lock_fd = open(CLAUNCH_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (cl->lock_fd < 0)
		return log_error_errno(errno, "opening %s", CLAUNCH_LOCK_FILE);
	while (flock(cl->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return log_error_errno(errno, "locking %s", CLAUNCH_LOCK_FILE);
	return 0;
}

static void state_unlock(struct claunch *cl)
{
	util_closep(&cl->lock_fd);
	cl->lock_fd = -1;
}

/* The driver's parent: --cgroup-parent, or claunch's own. */
static const char *cgroup_parent(const struct claunch *cl)
{
	if (cl->options.cgroup_parent)
		return cl->options.cgroup_parent;
	return cl->driver && cg_driver_kind(cl->driver) == CG_KIND_SYSTEMD ? CG_SYSTEMD_SLICE
									   : CLAUNCH_PARENT;
}

/* systemd's scope, when asked for or when PID 1 is systemd (auto): nothing is created yet.
 * Returns 1 when auto found no systemd to talk to. */
static int cgroup_open_systemd(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	bool asked = o->cgroup_driver == CLAUNCH_CGROUP_SYSTEMD;
	char err[256] = "";
	struct cg_config config = {
		.root = CLAUNCH_CGROUP_ROOT,
		.parent = o->cgroup_parent ? o->cgroup_parent : CG_SYSTEMD_SLICE,
		.name = o->name,
		.error = err,
		.error_size = sizeof(err),
	};
	int r;

	/* auto: a cgroup path for a parent means the cgroupfs driver, as before systemd's */
	if (!asked && (!cg_systemd_booted() || (o->cgroup_parent && o->cgroup_parent[0] == '/')))
		return 1;
	if (!cg_slice_is_valid(config.parent))
		return log_error(
			"--cgroup-parent %s: the systemd cgroup driver takes a slice name, "
			"like %s%s",
			config.parent, CG_SYSTEMD_SLICE,
			asked ? "" : " (or use --cgroup-driver cgroupfs)");
	r = cg_driver_new(CG_KIND_SYSTEMD, &config, &cl->driver);
	if (r == -EOPNOTSUPP && asked)
		return log_error("--cgroup-driver systemd: the systemd driver is not built in "
				 "(configure --with-systemd)");
	if (r == -EOPNOTSUPP || (r == -EHOSTUNREACH && !asked)) {
		log_debug("--cgroup-driver auto: %s; using cgroupfs",
			  err[0] ? err : "the systemd driver is not built in");
		return 1;
	}
	if (r < 0 && err[0])
		return log_error("--cgroup-driver %s: %s", asked ? "systemd" : "auto", err);
	if (r < 0)
		return log_error_errno(r, "--cgroup-driver %s: --name %s",
				       asked ? "systemd" : "auto", o->name);
	return 0;
}

/* The driver for this host, with nothing created yet. */
static int cgroup_open(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	struct cg_config config = {
		.root = CLAUNCH_CGROUP_ROOT,
		.parent = o->cgroup_parent ? o->cgroup_parent : CLAUNCH_PARENT,
		.name = o->name,
	};
	enum cg_kind kind;
	int r;

	if (o->cgroup_driver != CLAUNCH_CGROUP_CGROUPFS) {
		r = cgroup_open_systemd(cl);
		if (r <= 0)
			return r;
	}
	if (config.parent[0] != '/')
		return log_error("--cgroup-parent %s: the cgroupfs driver takes an absolute cgroup "
				 "path, like %s",
				 config.parent, CLAUNCH_PARENT);
	r = cg_detect(CLAUNCH_CGROUP_ROOT, &kind);
	if (r < 0)
		return log_error_errno(r, "no usable cgroup hierarchy under %s",
				       CLAUNCH_CGROUP_ROOT);
	r = cg_driver_new(kind, &config, &cl->driver);
	if (r < 0)
		return log_error_errno(r, "--cgroup-parent %s", config.parent);
	return 0;
}

/* Sweeps stale cgroups, creates the container's, writes the limits, and prepares what else
 * must exist before the container runs. Leaves the state lock held (see state_lock). */
static int cgroup_create(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	const char *parent = cgroup_parent(cl);
	int r;

	r = state_lock(cl);
	if (r < 0)
		return r;
	r = cg_driver_remove_stale(cl->driver, CLAUNCH_NAME_PREFIX);
	if (r < 0)
		log_debug_errno(r, "removing stale cgroups");

	r = cg_driver_create(cl->driver);
	if (r == -EEXIST)
		return log_error("--name %s: a container of that name is running", o->name);
	if (r < 0)
		return log_error_errno(r, "creating cgroup %s/%s", parent, o->name);
	cl->cgroup_created = true;

	r = cg_driver_set_limits(cl->driver, &o->limits);
	if (r == -EOPNOTSUPP) {
		const char *controller = cg_driver_missing_controller(cl->driver);
		const char *flag = limit_flag_for(controller ? controller : "");

		if (cg_driver_error(cl->driver))
			return log_error("%s: %s", flag, cg_driver_error(cl->driver));
		return log_error("%s: the %s cgroup controller is not available", flag,
				 controller ? controller : "needed");
	}
	if (r < 0)
		return log_error_errno(r, "writing the limits of cgroup %s/%s", parent, o->name);

	if (cl->runtime_dir)
		r = runtime_dir_prepare(cl);
	return r;
}

/* Once the container is in its cgroup (a systemd scope exists only then), before it runs. */
static void cgroup_watch_oom(struct claunch *cl)
{
	if (cl->options.limits.memory_max == CG_UNLIMITED)
		return;
	cl->oom_fd = cg_driver_oom_fd(cl->driver);
	if (cl->oom_fd < 0)
		log_warning_errno(cl->oom_fd, "OOM kills will not be reported");
}

/* Kills whatever is left and removes the cgroup: the container's PID 1 is gone, so the kernel
 * has already killed its pid namespace, but a process moved in from outside may remain. */
static int cgroup_teardown(struct claunch *cl)
{
	int r = 0;

	if (!cl->cgroup_created)
		goto out;
	for (int i = 0; i < CLAUNCH_DESTROY_TRIES; i++) {
		r = cg_driver_destroy(cl->driver);
		if (r != -EBUSY)
			break;
		if (cg_driver_populated(cl->driver) > 0)
			(void)cg_driver_kill_all(cl->driver, SIGKILL);
		(void)usleep(1000);
	}
	if (r < 0 && cg_driver_error(cl->driver))
		log_error("removing the cgroup of %s: %s", cl->options.name,
			  cg_driver_error(cl->driver));
	else if (r < 0)
		log_error_errno(r, "removing the cgroup of %s", cl->options.name);
	/* claunch's own parent goes with its last container (a given one is the caller's) */
	else if (!cl->options.cgroup_parent && cg_driver_remove_parent(cl->driver) < 0)
		log_debug("removing %s", CLAUNCH_PARENT);
	cl->cgroup_created = false;
out:
	cg_driver_free(cl->driver);
	cl->driver = NULL;
	return r;
}

/* ---- the container's command line ---- */

static int build_argv(struct claunch *cl, const struct rootfs_config *rootfs)
{
	const struct claunch_options *o = &cl->options;
	size_t n = 0;

	cl->argv = calloc(o->n_command + 8, sizeof(*cl->argv));
	if (!cl->argv)
		return log_error("out of memory");
	if (!o->no_init) {
		cl->argv[n++] = (char *)"cinit";
		if (o->units) {
			cl->argv[n++] = (char *)"--units";
			cl->argv[n++] = (char *)rootfs_units_path(rootfs);
		}
		if (cl->runtime_dir) {
			cl->argv[n++] = (char *)"--runtime-dir";
			cl->argv[n++] = cl->runtime_dir;
		}
		if (o->n_command > 0)
			cl->argv[n++] = (char *)"--";
	}
	for (size_t i = 0; i < o->n_command; i++)
		cl->argv[n++] = o->command[i];
	return 0;
}

/* ---- signals ---- */

/* Faults are claunch's own; job-control stops of claunch's terminal keep their default. */
static bool signal_forwardable(int sig)
{
	switch (sig) {
	case SIGKILL:
	case SIGSTOP:
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
	case SIGSYS:
	case SIGABRT:
	case SIGPIPE:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return sig < SIGRTMIN || sig > SIGRTMAX ? sig < 32 : true;
	}
}

static int signals_setup(struct claunch *cl)
{
	sigset_t set;

	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (signal_forwardable(sig) || sig == SIGCHLD) {
			/* one ignored by our caller (nohup, `&` in a script) would never reach
			 * the signalfd, and the container would inherit it ignored */
			(void)signal(sig, SIG_DFL);
			sigaddset(&set, sig);
		}
	/* a closed stdout shows as EPIPE on the write, not as death */
	(void)signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return log_error_errno(errno, "blocking signals");
	cl->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (cl->signal_fd < 0)
		return log_error_errno(errno, "signalfd");
	return 0;
}

/* ---- output to the journal ---- */

/* Whether fd is the journal stream systemd gave the service ($JOURNAL_STREAM is "DEV:INO"). */
static bool fd_is_journal(int fd, const char *stream)
{
	unsigned long long dev, ino;
	struct stat st;

	return stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && fstat(fd, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* journald gives each line the unit of the process that wrote it (SCM_CREDENTIALS): lines
 * written by the container from its own scope would not be the service's, and `journalctl -u`
 * of the service would miss them. So when stdout or stderr is the service's journal stream,
 * the container writes into a pipe and claunch copies it there, as the service's own output. */
static int journal_relay_open(struct claunch *cl, struct container_config *c)
{
	const char *stream = getenv("JOURNAL_STREAM");
	bool out = fd_is_journal(STDOUT_FILENO, stream), err = fd_is_journal(STDERR_FILENO, stream);
	int fds[2];

	if (cl->options.tty || (!out && !err) || cg_driver_kind(cl->driver) != CG_KIND_SYSTEMD)
		return -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return log_error_errno(errno, "$JOURNAL_STREAM: pipe");
	cl->log_fd = fds[0];
	cl->log_out = out ? STDOUT_FILENO : STDERR_FILENO;
	if (out)
		c->stdio[1] = fds[1];
	if (err)
		c->stdio[2] = fds[1];
	(void)util_fd_set_nonblock(cl->log_fd, true);
	return fds[1];
}

/* Copies what the container wrote; returns -1 at its end (EOF or error). */
static int journal_relay_copy(struct claunch *cl)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(cl->log_fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		/* a journal that went away: the container's output has nowhere to go */
		(void)util_write_all(cl->log_out, buf, (size_t)n);
	}
}

/* ---- the event loop ---- */

enum {
	EVENT_SIGNAL,
	EVENT_OOM,
	EVENT_MASTER,
	EVENT_STDIN,
	EVENT_NOTIFY,
	EVENT_LOG,
};

static int epoll_watch(int epoll_fd, int fd, uint32_t events, uint64_t tag, int op)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (epoll_ctl(epoll_fd, op, fd, &ev) < 0)
		return -errno;
	return 0;
}

/* True when the OOM fd had an event: only then are the cgroup's counters worth reading. */
static bool oom_drain(int fd)
{
	char buf[4096];
	bool any = false;

	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}

/* After an OOM event: the counters are read now, while the cgroup is there (systemd removes
 * its scope as soon as the container has ended). */
static int oom_note(struct claunch *cl)
{
	struct cg_stats stats;
	int r = cg_driver_stats(cl->driver, &stats);

	cl->oom_event = true;
	if (r >= 0 && stats.oom_kills > cl->oom_kills)
		cl->oom_kills = stats.oom_kills;
	return r;
}

/* Handles the pending signals; returns 1 with *status once the container's PID 1 exited. */
static int on_signals(struct claunch *cl, int *status)
{
	struct signalfd_siginfo si;
	int exited = 0;

	while (read(cl->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD) {
			pid_t pid;
			int st;

			while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
				if (pid == cl->container.pid) {
					*status = st;
					exited = 1;
				}
			continue;
		}
		/* the pid may be reused once reaped */
		if (exited)
			continue;
		if (sig == SIGWINCH && cl->console.master >= 0) {
			console_resize(&cl->console);
			continue;
		}
		if (kill(cl->container.pid, sig) < 0 && errno != ESRCH)
			log_warning_errno(errno, "forwarding signal %d", sig);
		/* without cinit's services nobody else tells the service manager */
		if ((sig == SIGTERM || sig == SIGINT) && !cl->options.units && !cl->stopping_sent) {
			(void)notify_relay_send(&cl->notify, "STOPPING=1");
			cl->stopping_sent = true;
		}
	}
	return exited;
}

static int run_loop(struct claunch *cl, int *status)
{
	struct console *con = &cl->console;
	bool master_out = false;
	int r;

	cl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (cl->epoll_fd < 0)
		return log_error_errno(errno, "epoll");
	r = epoll_watch(cl->epoll_fd, cl->signal_fd, EPOLLIN, EVENT_SIGNAL, EPOLL_CTL_ADD);
	if (r >= 0 && cl->oom_fd >= 0)
		r = epoll_watch(cl->epoll_fd, cl->oom_fd, EPOLLIN, EVENT_OOM, EPOLL_CTL_ADD);
	if (r >= 0 && con->master >= 0)
		r = epoll_watch(cl->epoll_fd, con->master, EPOLLIN, EVENT_MASTER, EPOLL_CTL_ADD);
	if (r >= 0 && cl->notify.fd >= 0)
		r = epoll_watch(cl->epoll_fd, cl->notify.fd, EPOLLIN, EVENT_NOTIFY, EPOLL_CTL_ADD);
	if (r >= 0 && cl->log_fd >= 0)
		r = epoll_watch(cl->epoll_fd, cl->log_fd, EPOLLIN, EVENT_LOG, EPOLL_CTL_ADD);
	if (r >= 0 && con->master >= 0 && cl->options.interactive)
		r = epoll_watch(cl->epoll_fd, STDIN_FILENO, EPOLLIN, EVENT_STDIN, EPOLL_CTL_ADD);
	if (r < 0)
		return log_error_errno(r, "epoll");

	for (;;) {
		struct epoll_event events[8];
		int n = epoll_wait(cl->epoll_fd, events, ELEMENTSOF(events), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(errno, "epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			switch (events[i].data.u64) {
			case EVENT_SIGNAL:
				if (on_signals(cl, status))
					return 0;
				break;
			case EVENT_NOTIFY:
				notify_relay_forward(&cl->notify);
				break;
			case EVENT_LOG:
				if (journal_relay_copy(cl) < 0)
					(void)epoll_ctl(cl->epoll_fd, EPOLL_CTL_DEL, cl->log_fd,
							NULL);
				break;
			case EVENT_OOM:
				if (oom_drain(cl->oom_fd))
					(void)oom_note(cl);
				break;
			case EVENT_MASTER:
				if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR) &&
				    console_read_master(con) < 0) {
					/* the container closed its terminal: wait for its exit */
					(void)epoll_ctl(cl->epoll_fd, EPOLL_CTL_DEL, con->master,
							NULL);
					break;
				}
				if (events[i].events & EPOLLOUT && console_write_master(con) == 0) {
					master_out = false;
					(void)epoll_watch(cl->epoll_fd, con->master, EPOLLIN,
							  EVENT_MASTER, EPOLL_CTL_MOD);
					(void)epoll_watch(cl->epoll_fd, STDIN_FILENO, EPOLLIN,
							  EVENT_STDIN, EPOLL_CTL_ADD);
				}
				break;
			case EVENT_STDIN:
				if (console_read_stdin(con) > 0) {
					/* EOF of stdin: stop reading it; the container goes on */
					(void)epoll_ctl(cl->epoll_fd, EPOLL_CTL_DEL, STDIN_FILENO,
							NULL);
					break;
				}
				if (console_write_master(con) > 0 && !master_out) {
					master_out = true;
					(void)epoll_ctl(cl->epoll_fd, EPOLL_CTL_DEL, STDIN_FILENO,
							NULL);
					(void)epoll_watch(cl->epoll_fd, con->master,
							  EPOLLIN | EPOLLOUT, EVENT_MASTER,
							  EPOLL_CTL_MOD);
				}
				break;
			}
		}
	}
}

/* ---- main ---- */

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return CLAUNCH_EXIT_ERROR;
}

static void format_limit(char *buf, size_t size, uint64_t bytes)
{
	if (bytes == CG_UNLIMITED)
		snprintf(buf, size, "none");
	else if (bytes % CLAUNCH_MIB == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", bytes / CLAUNCH_MIB);
	else
		snprintf(buf, size, "%" PRIu64 " bytes", bytes);
}

/* Whether the kernel OOM-killed in the container's cgroup; then says so as docker's
 * OOMKilled would. */
static void report_oom(struct claunch *cl, int code)
{
	char limit[64];

	/* the kill may have raced the container's exit: the event can still be unread */
	if (oom_drain(cl->oom_fd))
		cl->oom_event = true;
	if (!cl->oom_event)
		return;
	/* the cgroup is gone (systemd removed the ended scope) before the kernel's count was
	 * read: an OOM event and a SIGKILLed container say enough */
	if (oom_note(cl) < 0 && code == 128 + SIGKILL)
		cl->oom_kills = 1;
	if (cl->oom_kills == 0)
		return;
	format_limit(limit, sizeof(limit), cl->options.limits.memory_max);
	if (code == 128 + SIGKILL)
		log_error("container %s was killed: out of memory (limit %s)", cl->options.name,
			  limit);
	else
		log_error("a process of container %s was killed: out of memory (limit %s)",
			  cl->options.name, limit);
}

/* Without --rootfs the container's paths are the host's, which claunch does not create: a
 * missing one is reported now, before anything exists, rather than by the container. */
static int check_host_paths(const struct claunch_options *o)
{
	struct stat st;

	if (o->rootfs)
		return 0;
	for (size_t i = 0; i < o->n_binds; i++)
		if (stat(o->binds[i].destination, &st) < 0)
			return log_error_errno(errno, "--bind %s:%s: %s", o->binds[i].source,
					       o->binds[i].destination, o->binds[i].destination);
	for (size_t i = 0; i < o->n_tmpfs; i++) {
		if (stat(o->tmpfs[i].destination, &st) < 0)
			return log_error_errno(errno, "--tmpfs %s", o->tmpfs[i].destination);
		if (!S_ISDIR(st.st_mode))
			return log_error_errno(ENOTDIR, "--tmpfs %s", o->tmpfs[i].destination);
	}
	if (o->working_dir) {
		if (stat(o->working_dir, &st) < 0)
			return log_error_errno(errno, "-w %s", o->working_dir);
		if (!S_ISDIR(st.st_mode))
			return log_error_errno(ENOTDIR, "-w %s", o->working_dir);
	}
	return 0;
}

static int check_options(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	char err[512];
	int r;

	if (o->n_command == 0 && !o->units)
		return log_error("no command given (see --help)");
	/* docker: the pty copies keystrokes; a pipe or file belongs to -i alone */
	if (o->tty && o->interactive && !isatty(STDIN_FILENO))
		return log_error("-t: the input device is not a TTY (use -i without -t)");
	if (o->no_init && o->n_command == 0)
		return log_error("--no-init: needs a command");
	if (o->no_init && o->units)
		return log_error("--units: services need cinit, not --no-init");
	/* cinit's sockets: with a rootfs in the container's own /run, else on the host */
	if (o->units && !o->rootfs &&
	    asprintf(&cl->runtime_dir, "%s/%s", CLAUNCH_RUN_DIR, o->name) < 0) {
		cl->runtime_dir = NULL;
		return log_error("out of memory");
	}
	r = check_host_paths(o);
	if (r < 0)
		return r;
	r = security_caps_compute(o, &cl->caps, err, sizeof(err));
	if (r < 0)
		return log_error("%s", err);
	r = check_privileges();
	if (r < 0)
		return r;
	/* under claunch's state directory, which only root can write */
	if (mkdir(CLAUNCH_RUN_DIR, CLAUNCH_RUN_DIR_MODE) < 0 && errno != EEXIST)
		return log_error_errno(errno, "creating %s", CLAUNCH_RUN_DIR);
	r = security_seccomp_prepare(o, CLAUNCH_RUN_DIR, &cl->filter, err, sizeof(err));
	if (r < 0)
		return log_error("%s", err);
	r = environ_build(o,
			  o->hostname ? o->hostname : (o->net == CLAUNCH_NET_HOST ? NULL : o->name),
			  &cl->envp, err, sizeof(err));
	if (r < 0)
		return log_error("%s", err);
	return 0;
}

/* Socket activation: fds 3.. that the service manager gave claunch (LISTEN_PID is ours) go
 * on to the container's PID 1, numbered as they are, with LISTEN_PID=1 (cinit hands them to
 * its main command). */
static int listen_fds_pass(struct claunch *cl, struct container_config *c)
{
	const char *fds = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
	long n = sdnotify_listen_fds(CLAUNCH_LISTEN_FDS_MAX);
	int r;

	if (n == 0)
		return 0;
	if (n < 0)
		return log_error("LISTEN_FDS=%s: not a number of fds", fds);
	for (int fd = 3; fd < 3 + n; fd++) {
		r = util_fd_set_cloexec(fd, false);
		if (r < 0)
			return log_error_errno(r, "LISTEN_FDS: fd %d", fd);
	}
	c->listen_fds = (int)n;
	r = environ_set(&cl->envp, "LISTEN_FDS", fds);
	if (r >= 0)
		r = environ_set(&cl->envp, "LISTEN_PID", "1");
	if (r >= 0 && names)
		r = environ_set(&cl->envp, "LISTEN_FDNAMES", names);
	c->envp = cl->envp;
	return r < 0 ? log_error_errno(r, "LISTEN_FDS") : 0;
}

/* Returns 0, or the exit code claunch ends with: 125, or the child's 126/127 (cannot exec). */
static int container_start(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	struct container_config c = {
		.options = o,
		.rootfs = {
			.rootfs = o->rootfs,
			.binds = o->binds,
			.n_binds = o->n_binds,
			.tmpfs = o->tmpfs,
			.n_tmpfs = o->n_tmpfs,
			.read_only = o->read_only,
			.units = o->units,
			.privileged = o->privileged,
		},
		.exec_fd = cl->cinit_fd,
		.envp = cl->envp,
		.caps = cl->caps,
		.filter = &cl->filter,
		.cgroup_fd = -1,
		.stdio = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO },
		.hostname = o->hostname ? o->hostname : (o->net == CLAUNCH_NET_HOST ? NULL : o->name),
		.new_net = o->net != CLAUNCH_NET_HOST,
		.close_fd = -1,
	};
	_cleanup_close_ int cgroup_fd = -1, log_write_fd = -1;
	char err[640];
	int r, code;

	if (o->tty) {
		r = console_open(&cl->console, o->interactive);
		if (r < 0) {
			log_error_errno(r, "-t: opening a pseudo-terminal");
			return CLAUNCH_EXIT_ERROR;
		}
		c.stdio[0] = c.stdio[1] = c.stdio[2] = cl->console.slave;
		c.controlling_tty = true;
		c.rootfs.console = cl->console.slave_path;
	} else if (!o->interactive) {
		/* docker run without -i: the container's stdin is empty */
		cl->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (cl->null_fd < 0) {
			log_error_errno(errno, "/dev/null");
			return CLAUNCH_EXIT_ERROR;
		}
		c.stdio[0] = cl->null_fd;
	}
	r = listen_fds_pass(cl, &c);
	if (r < 0)
		return CLAUNCH_EXIT_ERROR;
	/* under a service manager: a socket of ours for the container's readiness */
	r = notify_relay_open(&cl->notify, CLAUNCH_RUN_DIR, o->name);
	if (r >= 0 && cl->notify.fd >= 0) {
		c.rootfs.notify_socket = cl->notify.path;
		r = environ_set(&cl->envp, "NOTIFY_SOCKET", rootfs_notify_path(&c.rootfs));
		c.envp = cl->envp;
	}
	if (r == -EEXIST) {
		log_error("--name %s: a container of that name is running", o->name);
		return CLAUNCH_EXIT_ERROR;
	}
	if (r < 0) {
		log_error_errno(r, "$NOTIFY_SOCKET: the relay socket");
		return CLAUNCH_EXIT_ERROR;
	}
	r = build_argv(cl, &c.rootfs);
	if (r < 0)
		return CLAUNCH_EXIT_ERROR;
	c.argv = cl->argv;
	log_write_fd = journal_relay_open(cl, &c);
	if (log_write_fd < -1)
		return CLAUNCH_EXIT_ERROR;

	/* v2: the cgroup first, and the child is cloned straight into it. v1: the child first,
	 * so that it sets up its mounts while the cgroup is being made, then it is attached. */
	if (cg_driver_kind(cl->driver) == CG_KIND_V2) {
		if (cgroup_create(cl) < 0)
			return CLAUNCH_EXIT_ERROR;
		cgroup_fd = cg_driver_cgroup_fd(cl->driver);
		c.cgroup_fd = cgroup_fd;
	}
	c.close_fd = cl->lock_fd;
	r = container_spawn(&c, &cl->container);
	if (r < 0) {
		log_error_errno(r, "starting the container");
		return CLAUNCH_EXIT_ERROR;
	}
	cl->container_started = true;
	/* the container has its copy: the pipe ends when the container's writers are gone */
	util_closep(&log_write_fd);
	log_write_fd = -1;
	notify_relay_set_container(&cl->notify, cl->container.pid);
	r = cl->cgroup_created ? 0 : cgroup_create(cl);
	if (r >= 0 && !cl->container.in_cgroup) {
		r = cg_driver_attach(cl->driver, cl->container.pid);
		/* a child that failed on its own has the better message */
		if (r < 0 && container_abort(&cl->container, err, sizeof(err)) > 0)
			log_error("%s", err);
		else if (r == -EEXIST)
			log_error("--name %s: a container of that name is running", o->name);
		else if (r < 0 && cg_driver_error(cl->driver))
			log_error("starting the container's scope: %s",
				  cg_driver_error(cl->driver));
		else if (r < 0)
			log_error_errno(r, "moving the container into its cgroup");
	}
	if (r < 0)
		return CLAUNCH_EXIT_ERROR;
	cgroup_watch_oom(cl);
	state_unlock(cl);
	util_closep(&cl->console.slave);
	cl->console.slave = -1;

	code = container_release(&cl->container, err, sizeof(err));
	if (code != 0) {
		log_error("%s", err);
		return code;
	}
	/* Ready is cinit's to say once its services run, or the command's own with --no-init;
	 * a plain command under cinit is ready once it runs (as podman's default). */
	if (!o->units && !o->no_init)
		(void)notify_relay_send(&cl->notify, "READY=1");
	return 0;
}

/* The container's PID 1 was started: makes sure it is gone and reaped. */
static void container_reap(struct claunch *cl)
{
	int status;

	container_close(&cl->container);
	if (!cl->container_started)
		return;
	(void)kill(cl->container.pid, SIGKILL);
	while (waitpid(cl->container.pid, &status, 0) < 0 && errno == EINTR)
		;
	cl->container_started = false;
}

static int claunch_run(struct claunch *cl)
{
	const struct claunch_options *o = &cl->options;
	int status = 0, code, r;

	r = check_options(cl);
	if (r < 0)
		return CLAUNCH_EXIT_ERROR;
	if (!o->no_init) {
		cl->cinit_fd = open_cinit();
		if (cl->cinit_fd < 0)
			return CLAUNCH_EXIT_ERROR;
	}
	r = signals_setup(cl);
	if (r < 0)
		return CLAUNCH_EXIT_ERROR;

	r = cgroup_open(cl);
	code = r < 0 ? CLAUNCH_EXIT_ERROR : container_start(cl);
	if (code == 0) {
		r = run_loop(cl, &status);
		if (r < 0) {
			code = CLAUNCH_EXIT_ERROR;
		} else {
			cl->container_started = false;
			code = exit_code_of(status);
			/* the OOM-killed main command makes it 137 (SIGKILL) already */
			report_oom(cl, code);
			/* what the container wrote last */
			if (cl->log_fd >= 0)
				(void)journal_relay_copy(cl);
		}
	}
	state_unlock(cl);
	container_reap(cl);
	console_close(&cl->console);
	notify_relay_close(&cl->notify);
	/* Under the lock: a new claunch of the same name reuses an empty cgroup, which this
	 * one might otherwise find populated again on its way out and kill. */
	if (cl->cgroup_created)
		(void)state_lock(cl);
	/* not before it was ours: a running container of the same name has the same one */
	if (cl->runtime_dir_owned)
		runtime_dir_remove(cl->runtime_dir);
	if (cl->driver && cgroup_teardown(cl) < 0 && code == 0)
		code = CLAUNCH_EXIT_ERROR;
	state_unlock(cl);
	return code;
}

static void claunch_free(struct claunch *cl)
{
	util_closep(&cl->cinit_fd);
	util_closep(&cl->signal_fd);
	util_closep(&cl->epoll_fd);
	util_closep(&cl->null_fd);
	util_closep(&cl->log_fd);
	free(cl->runtime_dir);
	free(cl->argv);
	security_filter_free(&cl->filter);
	environ_free(cl->envp);
	claunch_options_free(&cl->options);
}

int main(int argc, char **argv)
{
	struct claunch cl = {
		.cinit_fd = -1,
		.signal_fd = -1,
		.epoll_fd = -1,
		.oom_fd = -1,
		.null_fd = -1,
		.lock_fd = -1,
		.log_fd = -1,
		.notify = { .fd = -1, .container_pid = -1 },
		.console = { .master = -1, .slave = -1 },
		.container = { .pid = -1, .sync_fd = -1, .status_fd = -1 },
	};
	char err[1024];
	int r, code;

	log_setup("claunch", LOG_LEVEL_WARNING);
	/* a closed 0, 1 or 2 would be taken by claunch's own fds and given to the container */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return CLAUNCH_EXIT_ERROR;
	r = claunch_parse(argc, argv, &cl.options, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		claunch_options_free(&cl.options);
		return CLAUNCH_EXIT_ERROR;
	}
	if (r > 0) {
		claunch_options_free(&cl.options);
		return 0;
	}
	if (cl.options.generate_unit) {
		if (cl.options.n_command == 0 && !cl.options.units) {
			log_error("--generate-unit: no command given (see --help)");
			code = CLAUNCH_EXIT_ERROR;
		} else {
			r = unitgen_write(stdout, &cl.options, argc, argv, err, sizeof(err));
			if (r < 0)
				log_error("%s", err);
			code = r < 0 || fflush(stdout) != 0 ? CLAUNCH_EXIT_ERROR : 0;
		}
		claunch_options_free(&cl.options);
		return code;
	}
	if (cl.options.print_config) {
		r = claunch_print_config(&cl.options, stdout);
		claunch_options_free(&cl.options);
		return r < 0 || fflush(stdout) != 0 ? CLAUNCH_EXIT_ERROR : 0;
	}
	code = claunch_run(&cl);
	claunch_free(&cl);
	return code;
}
