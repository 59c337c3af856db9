/*
 * services: one round of "supervise N trivial services" for bench/services, and the payload
 * those services run.
 *
 *   services round [--poll] KIND N PAYLOAD WORKDIR SUPERVISOR [IDLE_MS]
 *       KIND is cinit, s6 or supervisord; SUPERVISOR the path of cinit, s6-svscan or
 *       supervisord. Writes N service definitions under WORKDIR/KIND, starts the supervisor
 *       as a child, times it until all N payloads run, measures its memory and idle wakeups,
 *       sends it SIGTERM and times it until it and every payload are gone. Prints key=value
 *       lines; exits 0 on success, 1 on a failed round, 2 on bad usage.
 *   services payload   (or with argv[0] "run" or ".../run", as s6-supervise starts it)
 *       Writes one byte to PAYLOAD.fifo (PAYLOAD being its own executable), then pause()s.
 *
 * PAYLOAD must be a copy of this program that nothing else runs: a payload is recognised
 * by /proc/PID/exe. The supervisor gets N service definitions whose command is PAYLOAD:
 *   cinit:       WORKDIR/cinit/units/svcNNNN.service  "[Service]\nExecStart=PAYLOAD payload",
 *                run as `cinit --units WORKDIR/cinit/units --runtime-dir WORKDIR/cinit/run`
 *   s6:          WORKDIR/s6/scan/svcNNNN/run -> PAYLOAD (a symlink: no shell in between)
 *   supervisord: WORKDIR/supervisord/supervisord.conf with N [program:svcNNNN] sections
 *
 * Timing: "start" is from just before fork() of the supervisor until the N-th payload has
 * written its byte (each payload writes once, first thing after exec, so this is "all N
 * service processes exist and have exec'd the payload"); with --poll it is instead the
 * first 50 ms poll of /proc that finds N payload processes below the supervisor. For cinit
 * the READY=1 it sends on $NOTIFY_SOCKET is also timed. "stop" is from kill(SIGTERM) until
 * the supervisor and every process of its tree (taken when all were up) have exited, as
 * pidfds report. CPU figures are on-CPU time of the whole tree (schedstat while alive,
 * getrusage(RUSAGE_CHILDREN) once everything is reaped); memory is Pss/Rss from
 * /proc/PID/smaps_rollup and VmPTE from /proc/PID/status of the supervisor's own processes:
 * every process of the tree that is not a payload.
 *
 * The driver is a child subreaper: orphans of the tree come back to it, and on a failed
 * round, a timeout or SIGINT/SIGTERM/SIGHUP it SIGKILLs every process below itself (all of
 * them started by it) before exiting. The supervisor has PR_SET_PDEATHSIG(SIGTERM) in case
 * the driver is SIGKILLed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_DIR	  "/proc"
#define PROC_STAT	  "/proc/%d/stat"
#define PROC_STATUS	  "/proc/%d/status"
#define PROC_SMAPS_ROLLUP "/proc/%d/smaps_rollup"
#define PROC_SCHEDSTAT	  "/proc/%d/schedstat"
#define PROC_EXE	  "/proc/%d/exe"
#define PROC_SELF_EXE	  "/proc/self/exe"
#define PID_MAX_FILE	  "/proc/sys/kernel/pid_max"
#define FIFO_SUFFIX	  ".fifo"

#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC  1000000000LL

#define START_TIMEOUT_MS 60000
#define NOTIFY_GRACE_MS	 10000
#define STOP_TIMEOUT_MS	 60000
#define POLL_INTERVAL_MS 50
#define DEFAULT_IDLE_MS	 2000
#define MAX_SERVICES	 20000
#define MAX_EVENTS	 256
#define STATUS_BUFSIZE	 4096
#define NOFILE_WANTED	 65536
#define WORKDIR_MAX	 (PATH_MAX / 2) /* leaves room for the names below it */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum kind { KIND_CINIT, KIND_S6, KIND_SUPERVISORD };
static const char *const kind_names[] = { "cinit", "s6", "supervisord" };

/* One process of the supervisor's tree. */
struct proc {
	pid_t pid;
	bool payload;
	int pidfd;
};

struct tree {
	struct proc *procs;
	size_t count;
	size_t payloads;
};

static int sigfd = -1;
static int got_signal;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static double ms_since(int64_t t0, int64_t t1)
{
	return (double)(t1 - t0) / NSEC_PER_MSEC;
}

static int read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

static int write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		text += n;
		len -= (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* A "Key:   value" field of a /proc status-like file, in its own unit; -1 if absent. */
static long field_of(const char *text, const char *key)
{
	size_t keylen = strlen(key);

	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, keylen) == 0 && line[keylen] == ':')
			return strtol(line + keylen + 1, NULL, 10);
	}
	return -1;
}

static long proc_field(const char *fmt, pid_t pid, const char *key)
{
	char path[64], buf[STATUS_BUFSIZE];

	snprintf(path, sizeof(path), fmt, (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return field_of(buf, key);
}

/* On-CPU time of a live task, ns (first field of schedstat); 0 once it is gone. */
static int64_t cpu_ns(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), PROC_SCHEDSTAT, (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	return strtoll(buf, NULL, 10);
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *paren;

	snprintf(path, sizeof(path), PROC_STAT, (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
	paren = strrchr(buf, ')');
	if (!paren || strlen(paren) < 5)
		return -1;
	return (pid_t)strtol(paren + 4, NULL, 10);
}

static bool is_payload(pid_t pid, const char *payload)
{
	char path[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PROC_EXE, (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return false;
	exe[n] = '\0';
	return strcmp(exe, payload) == 0;
}

/* ---- the process tree ------------------------------------------------------------------- */

static long pid_max(void)
{
	static long cached;
	char buf[32];

	if (cached == 0)
		cached = read_file(PID_MAX_FILE, buf, sizeof(buf)) > 0 ? strtol(buf, NULL, 10) : 0;
	if (cached <= 0)
		cached = 4194304;
	return cached;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->procs[i].pidfd >= 0)
			close(t->procs[i].pidfd);
	free(t->procs);
	t->procs = NULL;
	t->count = t->payloads = 0;
}

/* Every live process below root (root itself included unless it is the caller), each
 * marked payload or not if payload is given. Processes are listed by pid order, which is
 * not tree order: the ancestry is resolved from a parent table over all pids. */
static int tree_scan(pid_t root, const char *payload, struct tree *t)
{
	long max = pid_max();
	pid_t *parent = calloc((size_t)max + 1, sizeof(pid_t));
	signed char *below = calloc((size_t)max + 1, 1); /* 0 unknown, 1 below root, -1 not */
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int r = 0;

	t->procs = NULL;
	t->count = t->payloads = 0;
	if (!parent || !below) {
		r = -ENOMEM;
		goto out;
	}
	dir = opendir(PROC_DIR);
	if (!dir) {
		r = -errno;
		goto out;
	}
	while ((de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		pid_t ppid;

		if (*end || pid <= 0 || pid > max)
			continue;
		ppid = parent_of((pid_t)pid);
		if (ppid < 0)
			continue; /* gone meanwhile */
		parent[pid] = ppid;
		if (npids == cap) {
			pid_t *grown = realloc(pids, (cap = cap ? 2 * cap : 4096) * sizeof(pid_t));

			if (!grown) {
				closedir(dir);
				r = -ENOMEM;
				goto out;
			}
			pids = grown;
		}
		pids[npids++] = (pid_t)pid;
	}
	closedir(dir);
	below[root] = 1;
	t->procs = calloc(npids + 1, sizeof(struct proc));
	if (!t->procs) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < npids; i++) {
		pid_t p = pids[i];
		int depth = 0;

		/* Walk up until a known answer; then record it along the way. */
		while (p > 0 && p <= max && below[p] == 0 && depth++ < 64)
			p = parent[p];
		signed char verdict = (p > 0 && p <= max && below[p] == 1) ? 1 : -1;
		for (p = pids[i]; p > 0 && p <= max && below[p] == 0; p = parent[p])
			below[p] = verdict;
		if (below[pids[i]] != 1 || pids[i] == getpid())
			continue;
		struct proc *pr = &t->procs[t->count++];
		pr->pid = pids[i];
		pr->pidfd = -1;
		pr->payload = payload && is_payload(pids[i], payload);
		if (pr->payload)
			t->payloads++;
	}
out:
	free(parent);
	free(below);
	free(pids);
	return r;
}

/* SIGKILLs every process below the driver until none is left, and reaps them all. */
static void kill_everything(void)
{
	for (int pass = 0; pass < 200; pass++) {
		struct tree t;
		size_t alive = 0;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (tree_scan(getpid(), NULL, &t) < 0)
			break;
		for (size_t i = 0; i < t.count; i++) {
			char path[64], buf[512], *paren;

			snprintf(path, sizeof(path), PROC_STAT, (int)t.procs[i].pid);
			if (read_file(path, buf, sizeof(buf)) > 0 && (paren = strrchr(buf, ')')) &&
			    paren[1] == ' ' && paren[2] == 'Z')
				continue;
			kill(t.procs[i].pid, SIGKILL);
			alive++;
		}
		tree_free(&t);
		if (alive == 0)
			break;
		struct timespec ts = { 0, 10 * NSEC_PER_MSEC };
		nanosleep(&ts, NULL);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- service definitions ---------------------------------------------------------------- */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *path)
{
	if (access(path, F_OK) < 0)
		return 0;
	return nftw(path, remove_one, 64, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

static int mkdir_p(const char *path)
{
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int setup_cinit(const char *dir, int n, const char *payload)
{
	char path[PATH_MAX], text[PATH_MAX + 64];
	int len, r;

	snprintf(path, sizeof(path), "%s/units", dir);
	r = mkdir_p(path);
	for (int i = 1; r == 0 && i <= n; i++) {
		snprintf(path, sizeof(path), "%s/units/svc%04d.service", dir, i);
		len = snprintf(text, sizeof(text), "[Service]\nExecStart=%s payload\n", payload);
		r = write_file(path, text, (size_t)len);
	}
	return r;
}

static int setup_s6(const char *dir, int n, const char *payload)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/scan", dir);
	r = mkdir_p(path);
	for (int i = 1; r == 0 && i <= n; i++) {
		snprintf(path, sizeof(path), "%s/scan/svc%04d", dir, i);
		r = mkdir_p(path);
		if (r < 0)
			break;
		snprintf(path, sizeof(path), "%s/scan/svc%04d/run", dir, i);
		r = symlink(payload, path) < 0 ? -errno : 0;
	}
	return r;
}

static int setup_supervisord(const char *dir, int n, const char *payload)
{
	size_t size = (size_t)n * (PATH_MAX + 160) + 4 * PATH_MAX, len = 0;
	char *text = malloc(size), path[PATH_MAX];
	int r;

	if (!text)
		return -ENOMEM;
	/* No HTTP/unix server, no supervisorctl: only what starting and stopping needs.
	 * Output is still read from a pipe per process (supervisord always makes them) but
	 * not written to per-process log files. */
	len += (size_t)snprintf(text + len, size - len,
				"[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\n"
				"pidfile=%s/supervisord.pid\nchildlogdir=%s\n\n",
				dir, dir, dir);
	for (int i = 1; i <= n; i++)
		len += (size_t)snprintf(text + len, size - len,
					"[program:svc%04d]\ncommand=%s payload\nautostart=true\n"
					"startsecs=0\nautorestart=false\nstdout_logfile=NONE\n"
					"stderr_logfile=NONE\n\n",
					i, payload);
	snprintf(path, sizeof(path), "%s/supervisord.conf", dir);
	r = write_file(path, text, len);
	free(text);
	return r;
}

/* ---- the supervisor ---------------------------------------------------------------------- */

static int spawn_supervisor(char **argv, const char *notify_path, const char *log, pid_t *ret)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		sigset_t none;
		int fd;

		/* bench/run starts us as a background job: SIGINT and SIGQUIT arrive ignored,
		 * and exec would keep them so. Give the supervisor a clean slate. */
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* SIGTERM is every supervisor's "stop everything": used if we are SIGKILLed. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		if (notify_path)
			setenv("NOTIFY_SOCKET", notify_path, 1);
		else
			unsetenv("NOTIFY_SOCKET");
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "services: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	*ret = pid;
	return 0;
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit-%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal-%d", WTERMSIG(status));
	else
		snprintf(buf, size, "status-%d", status);
}

/* Drains the signalfd; reaps children (recording the supervisor's status). Returns the
 * terminating signal received (INT, TERM, HUP), if any, else 0. */
static int handle_signals(pid_t sup, bool *sup_gone, int *sup_status)
{
	struct signalfd_siginfo si;
	int fatal = 0;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			fatal = (int)si.ssi_signo;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0)
			break;
		if (pid == sup) {
			*sup_gone = true;
			*sup_status = status;
		}
	}
	if (fatal)
		got_signal = fatal;
	return fatal;
}

static int count_fifo_bytes(int fd)
{
	char buf[4096];
	int total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (int)n;
	return total;
}

static bool notify_says_ready(int fd)
{
	char buf[4096];
	bool ready = false;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >= 0) {
		buf[n] = '\0';
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			if (strcmp(line, "READY=1") == 0)
				ready = true;
	}
	return ready;
}

static void sum_memory(const struct tree *t, long *pss, long *rss, long *pte, long *procs)
{
	*pss = *rss = *pte = *procs = 0;
	for (size_t i = 0; i < t->count; i++) {
		long v;

		if (t->procs[i].payload)
			continue;
		(*procs)++;
		if ((v = proc_field(PROC_SMAPS_ROLLUP, t->procs[i].pid, "Pss")) > 0)
			*pss += v;
		if ((v = proc_field(PROC_SMAPS_ROLLUP, t->procs[i].pid, "Rss")) > 0)
			*rss += v;
		if ((v = proc_field(PROC_STATUS, t->procs[i].pid, "VmPTE")) > 0)
			*pte += v;
	}
}

static long sum_switches(const struct tree *t)
{
	long total = 0;

	for (size_t i = 0; i < t->count; i++) {
		long v, nv;

		if (t->procs[i].payload)
			continue;
		v = proc_field(PROC_STATUS, t->procs[i].pid, "voluntary_ctxt_switches");
		nv = proc_field(PROC_STATUS, t->procs[i].pid, "nonvoluntary_ctxt_switches");
		total += (v > 0 ? v : 0) + (nv > 0 ? nv : 0);
	}
	return total;
}

static int64_t sum_cpu(const struct tree *t)
{
	int64_t total = 0;

	for (size_t i = 0; i < t->count; i++)
		total += cpu_ns(t->procs[i].pid);
	return total;
}

static int64_t children_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		return 0;
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NSEC_PER_SEC +
	       (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static int epoll_add(int ep, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

enum { TAG_SIGNAL = 1ULL << 40, TAG_FIFO, TAG_NOTIFY };

struct round {
	enum kind kind;
	int n;
	bool poll;
	int idle_ms;
	const char *payload;
	char dir[WORKDIR_MAX + 16];
	char fifo[PATH_MAX];
	char notify[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char log[PATH_MAX];
};

static int round_setup(struct round *rd, const char *workdir)
{
	int r;

	snprintf(rd->dir, sizeof(rd->dir), "%s/%s", workdir, kind_names[rd->kind]);
	snprintf(rd->fifo, sizeof(rd->fifo), "%s" FIFO_SUFFIX, rd->payload);
	snprintf(rd->log, sizeof(rd->log), "%s/%s.log", workdir, kind_names[rd->kind]);
	if ((size_t)snprintf(rd->notify, sizeof(rd->notify), "%s/notify.sock", workdir) >=
	    sizeof(rd->notify))
		return -ENAMETOOLONG;
	r = remove_tree(rd->dir);
	if (r == 0)
		r = mkdir_p(rd->dir);
	if (r < 0)
		return r;
	if (unlink(rd->fifo) < 0 && errno != ENOENT)
		return -errno;
	if (mkfifo(rd->fifo, 0666) < 0)
		return -errno;
	switch (rd->kind) {
	case KIND_CINIT:
		return setup_cinit(rd->dir, rd->n, rd->payload);
	case KIND_S6:
		return setup_s6(rd->dir, rd->n, rd->payload);
	case KIND_SUPERVISORD:
		return setup_supervisord(rd->dir, rd->n, rd->payload);
	}
	return -EINVAL;
}

static int open_notify_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void fail(const char *what, int err)
{
	if (err)
		printf("error=%s: %s\n", what, strerror(-err));
	else
		printf("error=%s\n", what);
	fflush(stdout);
}

static int round_run(struct round *rd, char **sup_argv)
{
	struct epoll_event events[MAX_EVENTS];
	struct tree tree = { 0 };
	int fifo_rd = -1, fifo_wr = -1, notify_fd = -1, ep = -1, r, sup_status = 0;
	int started = 0, exited = 0;
	int64_t t0, t_all = 0, t_notify = 0, t_poll = 0, t_next_poll, deadline, cpu_up, cpu_before;
	long pss, rss, pte, procs, sw0, sw1;
	bool sup_gone = false;
	char status_text[32];
	pid_t sup = 0;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_add(ep, sigfd, TAG_SIGNAL) < 0) {
		fail("epoll", -errno);
		goto fail;
	}
	/* Our own writer keeps the FIFO from reporting EOF between payloads. */
	fifo_rd = open(rd->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	fifo_wr = fifo_rd < 0 ? -1 : open(rd->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo_wr < 0 || epoll_add(ep, fifo_rd, TAG_FIFO) < 0) {
		fail("fifo", -errno);
		goto fail;
	}
	if (rd->kind == KIND_CINIT) {
		notify_fd = open_notify_socket(rd->notify);
		if (notify_fd < 0 || epoll_add(ep, notify_fd, TAG_NOTIFY) < 0) {
			fail("notify socket", notify_fd < 0 ? notify_fd : -errno);
			goto fail;
		}
	}

	/* ---- start ---- */
	t0 = now_ns();
	r = spawn_supervisor(sup_argv, rd->kind == KIND_CINIT ? rd->notify : NULL, rd->log, &sup);
	if (r < 0) {
		fail("fork", r);
		goto fail;
	}
	deadline = t0 + START_TIMEOUT_MS * NSEC_PER_MSEC;
	t_next_poll = t0 + POLL_INTERVAL_MS * NSEC_PER_MSEC;
	for (;;) {
		/* With --poll, wait for the FIFO too: both times are reported. */
		bool all_up = started >= rd->n && (!rd->poll || t_poll != 0);
		int64_t now = now_ns(), wake = deadline;
		int timeout, nev;

		if (all_up && (rd->kind != KIND_CINIT || t_notify != 0))
			break;
		if (all_up && now > t_all + NOTIFY_GRACE_MS * NSEC_PER_MSEC)
			break; /* cinit started everything but never said READY=1 */
		if (now > deadline) {
			printf("started=%d\n", started);
			fail("timeout waiting for the services to start", 0);
			goto fail;
		}
		if (rd->poll && t_poll == 0 && t_next_poll < wake)
			wake = t_next_poll;
		if (all_up && t_all + NOTIFY_GRACE_MS * NSEC_PER_MSEC < wake)
			wake = t_all + NOTIFY_GRACE_MS * NSEC_PER_MSEC;
		timeout = wake > now ? (int)((wake - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC) : 0;
		nev = epoll_wait(ep, events, MAX_EVENTS, timeout);
		if (nev < 0 && errno != EINTR) {
			fail("epoll_wait", -errno);
			goto fail;
		}
		now = now_ns();
		for (int i = 0; i < nev; i++) {
			if (events[i].data.u64 == TAG_FIFO) {
				started += count_fifo_bytes(fifo_rd);
				if (started >= rd->n && t_all == 0)
					t_all = now;
			} else if (events[i].data.u64 == TAG_NOTIFY) {
				if (notify_says_ready(notify_fd) && t_notify == 0)
					t_notify = now;
			} else if (handle_signals(sup, &sup_gone, &sup_status)) {
				fail("interrupted", 0);
				goto fail;
			}
		}
		if (sup_gone) {
			describe_status(sup_status, status_text, sizeof(status_text));
			printf("started=%d\nsupervisor_status=%s\n", started, status_text);
			fail("the supervisor exited during start-up (see its log)", 0);
			goto fail;
		}
		if (rd->poll && t_poll == 0 && now >= t_next_poll) {
			struct tree t;

			if (tree_scan(sup, rd->payload, &t) == 0 && t.payloads >= (size_t)rd->n)
				t_poll = now_ns();
			tree_free(&t);
			t_next_poll = now + POLL_INTERVAL_MS * NSEC_PER_MSEC;
		}
	}
	printf("start_ms=%.3f\n", ms_since(t0, rd->poll ? t_poll : t_all));
	if (rd->poll)
		printf("start_fifo_ms=%.3f\n", ms_since(t0, t_all));
	if (t_notify)
		printf("notify_ms=%.3f\n", ms_since(t0, t_notify));

	/* ---- what runs, what it costs ---- */
	r = tree_scan(sup, rd->payload, &tree);
	if (r < 0) {
		fail("scanning /proc", r);
		goto fail;
	}
	cpu_up = sum_cpu(&tree);
	printf("start_cpu_ms=%.3f\npayloads=%zu\n", (double)cpu_up / NSEC_PER_MSEC, tree.payloads);
	if (tree.payloads != (size_t)rd->n) {
		fail("payload processes below the supervisor do not match the service count", 0);
		goto fail;
	}
	sw0 = sum_switches(&tree);
	{
		int64_t end = now_ns() + (int64_t)rd->idle_ms * NSEC_PER_MSEC, now;

		while ((now = now_ns()) < end) {
			int nev =
				epoll_wait(ep, events, MAX_EVENTS,
					   (int)((end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));

			for (int i = 0; i < nev; i++) {
				if (events[i].data.u64 == TAG_FIFO)
					started += count_fifo_bytes(fifo_rd);
				else if (events[i].data.u64 == TAG_NOTIFY)
					notify_says_ready(notify_fd);
				else if (handle_signals(sup, &sup_gone, &sup_status)) {
					fail("interrupted", 0);
					goto fail;
				}
			}
			if (sup_gone) {
				fail("the supervisor exited while idle", 0);
				goto fail;
			}
		}
	}
	sw1 = sum_switches(&tree);
	printf("idle_wakeups_per_s=%.2f\n", (double)(sw1 - sw0) * 1000.0 / rd->idle_ms);
	if (started != rd->n)
		printf("restarts_while_idle=%d\n", started - rd->n);
	sum_memory(&tree, &pss, &rss, &pte, &procs);
	printf("supervisor_procs=%ld\npss_kib=%ld\nrss_kib=%ld\npte_kib=%ld\n", procs, pss, rss,
	       pte);
	printf("pss_per_service_kib=%.3f\n", (double)pss / rd->n);

	/* ---- stop ---- */
	for (size_t i = 0; i < tree.count; i++) {
		struct proc *pr = &tree.procs[i];

		pr->pidfd = (int)syscall(SYS_pidfd_open, pr->pid, 0);
		if (pr->pidfd < 0) {
			if (errno == ESRCH) {
				exited++;
				continue;
			}
			fail("pidfd_open", -errno);
			goto fail;
		}
		if (epoll_add(ep, pr->pidfd, i) < 0) {
			fail("epoll_ctl", -errno);
			goto fail;
		}
	}
	cpu_before = sum_cpu(&tree);
	t0 = now_ns();
	if (kill(sup, SIGTERM) < 0) {
		fail("kill", -errno);
		goto fail;
	}
	deadline = t0 + STOP_TIMEOUT_MS * NSEC_PER_MSEC;
	while ((size_t)exited < tree.count) {
		int64_t now = now_ns();
		int nev;

		if (now > deadline) {
			printf("left=%zu\n", tree.count - (size_t)exited);
			fail("timeout waiting for the services to stop", 0);
			goto fail;
		}
		nev = epoll_wait(ep, events, MAX_EVENTS,
				 (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
		for (int i = 0; i < nev; i++) {
			uint64_t tag = events[i].data.u64;

			if (tag < tree.count) {
				epoll_ctl(ep, EPOLL_CTL_DEL, tree.procs[tag].pidfd, NULL);
				close(tree.procs[tag].pidfd);
				tree.procs[tag].pidfd = -1;
				exited++;
			} else if (tag == TAG_FIFO) {
				started += count_fifo_bytes(fifo_rd);
			} else if (tag == TAG_NOTIFY) {
				notify_says_ready(notify_fd);
			} else if (handle_signals(sup, &sup_gone, &sup_status)) {
				fail("interrupted", 0);
				goto fail;
			}
		}
	}
	printf("stop_ms=%.3f\n", ms_since(t0, now_ns()));
	/* Everything of the tree has exited: what is left below us is zombies to reap. */
	while (!sup_gone) {
		int status;
		pid_t pid = waitpid(sup, &status, 0);

		if (pid == sup) {
			sup_gone = true;
			sup_status = status;
		} else if (pid < 0 && errno != EINTR) {
			break;
		}
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("stop_cpu_ms=%.3f\n", (double)(children_cpu_ns() - cpu_before) / NSEC_PER_MSEC);
	printf("total_cpu_ms=%.3f\n", (double)children_cpu_ns() / NSEC_PER_MSEC);
	describe_status(sup_status, status_text, sizeof(status_text));
	printf("supervisor_status=%s\n", status_text);
	if (started != rd->n)
		printf("restarts=%d\n", started - rd->n);
	fflush(stdout);
	tree_free(&tree);
	close(ep);
	close(fifo_rd);
	close(fifo_wr);
	if (notify_fd >= 0)
		close(notify_fd);
	return 0;
fail:
	fflush(stdout);
	kill_everything();
	tree_free(&tree);
	if (ep >= 0)
		close(ep);
	if (fifo_rd >= 0)
		close(fifo_rd);
	if (fifo_wr >= 0)
		close(fifo_wr);
	if (notify_fd >= 0)
		close(notify_fd);
	return -1;
}

static int cmd_round(int argc, char **argv)
{
	struct round rd = { .idle_ms = DEFAULT_IDLE_MS };
	char payload[PATH_MAX], *sup_argv[8], max_services[16], *workdir, *supervisor;
	struct rlimit rl;
	sigset_t mask;
	int r;

	if (argc > 0 && strcmp(argv[0], "--poll") == 0) {
		rd.poll = true;
		argc--;
		argv++;
	}
	if (argc < 5 || argc > 6)
		return 2;
	if (strcmp(argv[0], "cinit") == 0)
		rd.kind = KIND_CINIT;
	else if (strcmp(argv[0], "s6") == 0)
		rd.kind = KIND_S6;
	else if (strcmp(argv[0], "supervisord") == 0)
		rd.kind = KIND_SUPERVISORD;
	else
		return 2;
	rd.n = atoi(argv[1]);
	if (rd.n < 1 || rd.n > MAX_SERVICES)
		return 2;
	/* /proc/PID/exe shows the resolved path: compare against the same. */
	if (!realpath(argv[2], payload)) {
		fprintf(stderr, "services: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	rd.payload = payload;
	workdir = argv[3];
	if (strlen(workdir) >= WORKDIR_MAX || strlen(payload) >= WORKDIR_MAX) {
		fprintf(stderr, "services: path too long\n");
		return 2;
	}
	supervisor = argv[4];
	if (argc == 6)
		rd.idle_ms = atoi(argv[5]);
	if (rd.idle_ms < 1)
		rd.idle_ms = 1;

	/* Room for pidfds of every process of the tree; the supervisors inherit it too (each
	 * has a pipe or more per service). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max < NOFILE_WANTED ? rl.rlim_max : NOFILE_WANTED;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("services: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		perror("services: signalfd");
		return 1;
	}

	printf("kind=%s\nservices=%d\n", kind_names[rd.kind], rd.n);
	r = round_setup(&rd, workdir);
	if (r < 0) {
		fail("writing the service definitions", r);
		return 1;
	}
	switch (rd.kind) {
	case KIND_CINIT:
		/* Its control and notify sockets in the round's directory, as the others keep
		 * their state there: not in the default /run/cinit, which a cinit running
		 * elsewhere on the machine (a test suite) may hold. */
		sup_argv[0] = supervisor;
		sup_argv[1] = "--units";
		sup_argv[2] = malloc(PATH_MAX);
		snprintf(sup_argv[2], PATH_MAX, "%s/units", rd.dir);
		sup_argv[3] = "--runtime-dir";
		sup_argv[4] = malloc(PATH_MAX);
		snprintf(sup_argv[4], PATH_MAX, "%s/run", rd.dir);
		sup_argv[5] = NULL;
		break;
	case KIND_S6:
		/* -c: room for every service (the default is below 1,000 on some versions). */
		snprintf(max_services, sizeof(max_services), "%d", 2 * rd.n);
		sup_argv[0] = supervisor;
		sup_argv[1] = "-c";
		sup_argv[2] = max_services;
		sup_argv[3] = malloc(PATH_MAX);
		snprintf(sup_argv[3], PATH_MAX, "%s/scan", rd.dir);
		sup_argv[4] = NULL;
		break;
	case KIND_SUPERVISORD:
		sup_argv[0] = supervisor;
		sup_argv[1] = "-n";
		sup_argv[2] = "-c";
		sup_argv[3] = malloc(PATH_MAX);
		snprintf(sup_argv[3], PATH_MAX, "%s/supervisord.conf", rd.dir);
		sup_argv[4] = NULL;
		break;
	}
	r = round_run(&rd, sup_argv);
	unlink(rd.notify);
	remove_tree(rd.dir);
	if (got_signal)
		return 128 + got_signal;
	return r < 0 ? 1 : 0;
}

/* ---- the payload ---------------------------------------------------------------------- */

static _Noreturn void payload_main(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink(PROC_SELF_EXE, path, sizeof(path) - sizeof(FIFO_SUFFIX));

	if (n > 0) {
		int fd;

		memcpy(path + n, FIFO_SUFFIX, sizeof(FIFO_SUFFIX));
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "", 1) < 0) {
				/* nothing to do: the driver will time out and say so */
			}
			close(fd);
		}
	}
	for (;;)
		pause();
}

static int usage(void)
{
	fprintf(stderr, "usage: services round [--poll] cinit|s6|supervisord N PAYLOAD WORKDIR "
			"SUPERVISOR [IDLE_MS]\n"
			"       services payload\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	if (strcmp(base, "run") == 0 || (argc > 1 && strcmp(argv[1], "payload") == 0))
		payload_main();
	if (argc > 1 && strcmp(argv[1], "round") == 0) {
		int r = cmd_round(argc - 2, argv + 2);

		return r == 2 ? usage() : r;
	}
	return usage();
}
