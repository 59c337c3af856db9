/*
 * initbench: the measuring driver and the payloads behind bench/run.
 *
 * Drivers (root; INIT... is the init's argv up to the command, e.g. "/usr/bin/tini --"
 * or "/usr/bin/dumb-init"; the driver appends the command):
 *   initbench mem [--pidns] INIT...              VmRSS/VmHWM/RssAnon of `INIT sleep 2` at 1 s
 *   initbench backlog [--strace FILE] RUNS ZOMBIES INIT...
 *                                                time for INIT (PID 1) to reap a zombie backlog
 *   initbench latency ITERATIONS [INIT...]       SIGTERM forwarding latency (each sample and
 *                                                a summary); no INIT = straight to the child
 *   initbench idle SECONDS INIT...               context switches of an idle INIT (PID 1)
 * Payloads (started by the inits):
 *   initbench gen DIR ZOMBIES                    on SIGUSR1, leave ZOMBIES orphaned zombies
 *   initbench termchild DIR                      stamp CLOCK_MONOTONIC on each SIGTERM
 *
 * Drivers print key=value lines on stdout. Every process they start is killed before they
 * exit, also on SIGTERM/SIGINT/SIGALRM (bench/run wraps them in timeout(1)): an init in its
 * own PID namespace takes its whole namespace with it, and direct children get
 * PR_SET_PDEATHSIG in case the driver itself is SIGKILLed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_CHILDREN  "/proc/%d/task/%d/children"
#define PROC_STATUS    "/proc/%d/status"
#define PROC_STAT      "/proc/%d/stat"
#define PROC_SCHEDSTAT "/proc/%d/schedstat"
#define SLEEP_BIN      "/bin/sleep"

#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC  1000000000LL

#define DRIVER_TIMEOUT_S 900
#define MAX_TRACKED	 4
#define MAX_SAMPLES	 10000
#define CHILDREN_BUFSIZE (1 << 20)
#define CLONE_STACK_SIZE (256 * 1024)
#define STATE_DIR_MAX	 256
#define GEN_STACK_SIZE	 (64 * 1024)

/* Pids to SIGKILL if the driver is interrupted; written before the process can matter. */
static volatile pid_t tracked[MAX_TRACKED];
static char self_exe[PATH_MAX];

static void die_on_signal(int sig)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] > 0)
			kill(tracked[i], SIGKILL);
	_exit(128 + sig);
}

static void track(int slot, pid_t pid)
{
	tracked[slot] = pid;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
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
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Children of pid as the kernel lists them, zombies included; fills pids if given. */
static int children_of(pid_t pid, pid_t *pids, int max)
{
	static char buf[CHILDREN_BUFSIZE];
	char path[64];
	int n = 0, r;

	snprintf(path, sizeof(path), PROC_CHILDREN, pid, pid);
	r = read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (char *p = buf, *end; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pids && n < max)
			pids[n] = (pid_t)v;
		n++;
	}
	return n;
}

/* Whether pid has more than one child, reading only the head of the list: the kernel walks
 * the children afresh for every read() of that file, so a full read of 10,000 entries costs
 * milliseconds of tasklist_lock that the init would feel while draining. */
static int has_several_children(pid_t pid)
{
	char path[64], head[64];
	int fd, tokens = 0;
	ssize_t len;

	snprintf(path, sizeof(path), PROC_CHILDREN, pid, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (len < 0)
		return -errno;
	head[len] = '\0';
	for (char *p = strtok(head, " \n"); p; p = strtok(NULL, " \n"))
		tokens++;
	if (tokens > 1)
		return 1;
	len = children_of(pid, NULL, 0);
	return len < 0 ? (int)len : len > 1;
}

/* A "Key:   value kB" field of /proc/PID/status, in its own unit. */
static long status_field(const char *status, const char *key)
{
	size_t keylen = strlen(key);

	for (const char *line = status; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, keylen) == 0 && line[keylen] == ':')
			return strtol(line + keylen + 1, NULL, 10);
	}
	return -1;
}

static int read_status(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), PROC_STATUS, pid);
	return read_file(path, buf, size);
}

/* Process state letter from /proc/PID/stat (after the parenthesised comm). */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;

	snprintf(path, sizeof(path), PROC_STAT, pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return '?';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* Time the task has spent on a CPU, ns (first field of schedstat). */
static int64_t cpu_time_ns(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), PROC_SCHEDSTAT, pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static int wait_for_file(const char *path, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns;

	while (access(path, F_OK) < 0) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		sleep_ns(NSEC_PER_MSEC);
	}
	return 0;
}

struct spawn_args {
	char **argv;
	pid_t expected_ppid;
};

static int spawn_child(void *data)
{
	struct spawn_args *args = data;
	sigset_t none;

	/* A background job of a non-interactive shell starts with SIGINT and SIGQUIT ignored,
	 * and exec keeps ignored signals ignored: give the init a clean slate. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Dies with the driver even if the driver is SIGKILLed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != args->expected_ppid)
		_exit(127);
	execvp(args->argv[0], args->argv);
	fprintf(stderr, "initbench: exec %s: %s\n", args->argv[0], strerror(errno));
	_exit(127);
}

/* Starts argv, as PID 1 of a new PID namespace if asked (like `unshare --pid --fork`). */
static int spawn(char **argv, bool new_pidns, pid_t *ret)
{
	static char stack[CLONE_STACK_SIZE] __attribute__((aligned(16)));
	/* The parent lives outside a new namespace, so the child sees ppid 0 there. */
	struct spawn_args args = { .argv = argv, .expected_ppid = new_pidns ? 0 : getpid() };
	pid_t pid;

	pid = clone(spawn_child, stack + sizeof(stack), SIGCHLD | (new_pidns ? CLONE_NEWPID : 0),
		    &args);
	if (pid < 0)
		return -errno;
	*ret = pid;
	return 0;
}

/* Kills the init (and, outside a namespace, its children) and reaps whatever comes back. */
static void stop_init(pid_t init, bool new_pidns)
{
	pid_t kids[64];
	int n;

	if (init <= 0)
		return;
	if (!new_pidns) {
		n = children_of(init, kids, 64);
		for (int i = 0; i < n && i < 64; i++)
			kill(kids[i], SIGKILL);
	}
	kill(init, SIGKILL);
	while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
		;
	/* We are a subreaper: orphans of a non-namespaced init come to us. */
	for (int tries = 0; tries < 1000; tries++) {
		n = children_of(getpid(), kids, 64);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (n <= 0)
			break;
		for (int i = 0; i < n && i < 64; i++)
			kill(kids[i], SIGKILL);
		sleep_ns(NSEC_PER_MSEC);
	}
	for (int i = 0; i < MAX_TRACKED; i++)
		tracked[i] = 0;
}

/* argv = prefix + tail, NULL-terminated; tail is NULL-terminated. */
static char **build_argv(int prefixc, char **prefix, char **tail)
{
	int tailc = 0;
	char **argv;

	while (tail[tailc])
		tailc++;
	argv = calloc(prefixc + tailc + 1, sizeof(char *));
	if (!argv)
		return NULL;
	memcpy(argv, prefix, prefixc * sizeof(char *));
	memcpy(argv + prefixc, tail, tailc * sizeof(char *));
	return argv;
}

static int make_state_dir(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/initbench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -errno;
}

static void remove_state_dir(const char *dir)
{
	static const char *const names[] = { "ready", "done", "t", "t.tmp" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* ---- mem ---------------------------------------------------------------------------- */

static int cmd_mem(int argc, char **argv)
{
	char *tail[] = { SLEEP_BIN, "2", NULL };
	char status[4096];
	bool new_pidns = false;
	char **init_argv;
	pid_t init;
	int r;

	if (argc > 0 && strcmp(argv[0], "--pidns") == 0) {
		new_pidns = true;
		argc--, argv++;
	}
	if (argc < 1)
		return -EINVAL;
	init_argv = build_argv(argc, argv, tail);
	if (!init_argv)
		return -ENOMEM;
	r = spawn(init_argv, new_pidns, &init);
	if (r < 0)
		return r;
	track(0, init);
	sleep_ns(NSEC_PER_SEC);
	r = read_status(init, status, sizeof(status));
	if (r >= 0)
		printf("rss_kb=%ld\nhwm_kb=%ld\nanon_kb=%ld\n", status_field(status, "VmRSS"),
		       status_field(status, "VmHWM"), status_field(status, "RssAnon"));
	stop_init(init, new_pidns);
	return r < 0 ? r : 0;
}

/* ---- backlog ------------------------------------------------------------------------ */

struct backlog_run {
	double drain_ms;
	double cpu_ms;
};

static int strace_attach(pid_t init, const char *out, pid_t *ret)
{
	char pidarg[16], status[4096];
	char *argv[] = { "strace", "-q", "-c", "-f", "-o", (char *)out, "-p", pidarg, NULL };
	int64_t deadline = now_ns() + 10 * NSEC_PER_SEC;
	int r;

	snprintf(pidarg, sizeof(pidarg), "%d", init);
	r = spawn(argv, false, ret);
	if (r < 0)
		return r;
	track(2, *ret);
	while (read_status(init, status, sizeof(status)) >= 0 &&
	       status_field(status, "TracerPid") <= 0) {
		if (now_ns() > deadline || waitpid(*ret, NULL, WNOHANG) != 0)
			return -ETIMEDOUT;
		sleep_ns(NSEC_PER_MSEC);
	}
	/* strace reports the attach before it has resumed the tracee into its group stop. */
	sleep_ns(100 * NSEC_PER_MSEC);
	return 0;
}

/* SIGINT makes strace detach and write its summary; its exit status says nothing more. */
static int strace_detach(pid_t tracer)
{
	kill(tracer, SIGINT);
	while (waitpid(tracer, NULL, 0) < 0)
		if (errno != EINTR)
			return -errno;
	tracked[2] = 0;
	return 0;
}

static int backlog_once(int argc, char **argv, int zombies, const char *strace_out,
			struct backlog_run *run)
{
	char dir[STATE_DIR_MAX], ready[PATH_MAX], done[PATH_MAX], count[16];
	char *tail[] = { self_exe, "gen", dir, count, NULL };
	char **init_argv;
	pid_t init = 0, gen, tracer = 0;
	int64_t t0, t1, cpu0, cpu1, deadline;
	int n, r;

	r = make_state_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(done, sizeof(done), "%s/done", dir);
	snprintf(count, sizeof(count), "%d", zombies);
	init_argv = build_argv(argc, argv, tail);
	if (!init_argv) {
		r = -ENOMEM;
		goto out;
	}
	r = spawn(init_argv, true, &init);
	free(init_argv);
	if (r < 0)
		goto out;
	track(0, init);

	r = wait_for_file(ready, 10 * NSEC_PER_SEC);
	if (r < 0) {
		fprintf(stderr, "initbench: the generator did not start\n");
		goto out;
	}
	n = children_of(init, &gen, 1);
	if (n != 1) {
		fprintf(stderr, "initbench: init has %d children, expected the generator\n", n);
		r = -EPROTO;
		goto out;
	}

	/* Stop the init so that the orphans pile up as zombies it has not reaped yet. */
	kill(init, SIGSTOP);
	for (deadline = now_ns() + 5 * NSEC_PER_SEC; proc_state(init) != 'T';) {
		if (now_ns() > deadline) {
			r = -ETIMEDOUT;
			goto out;
		}
		sleep_ns(NSEC_PER_MSEC / 10);
	}
	kill(gen, SIGUSR1);
	r = wait_for_file(done, 120 * NSEC_PER_SEC);
	if (r < 0) {
		fprintf(stderr, "initbench: the generator did not finish\n");
		goto out;
	}
	n = children_of(init, NULL, 0);
	if (n != zombies + 1) {
		fprintf(stderr, "initbench: init has %d children, expected %d\n", n, zombies + 1);
		r = -EPROTO;
		goto out;
	}

	if (strace_out) {
		r = strace_attach(init, strace_out, &tracer);
		if (r < 0) {
			fprintf(stderr, "initbench: strace did not attach\n");
			goto out;
		}
	}

	cpu0 = cpu_time_ns(init);
	t0 = now_ns();
	kill(init, SIGCONT);
	deadline = t0 + 60 * NSEC_PER_SEC;
	/* Poll every 0.1 ms: the drain takes tens of milliseconds. */
	while ((n = has_several_children(init)) > 0) {
		if (now_ns() > deadline) {
			fprintf(stderr, "initbench: children left after 60 s\n");
			r = -ETIMEDOUT;
			goto out;
		}
		sleep_ns(NSEC_PER_MSEC / 10);
	}
	t1 = now_ns();
	cpu1 = cpu_time_ns(init);
	if (n < 0) {
		r = n;
		goto out;
	}
	run->drain_ms = (double)(t1 - t0) / NSEC_PER_MSEC;
	run->cpu_ms = (double)(cpu1 - cpu0) / NSEC_PER_MSEC;
	if (tracer)
		r = strace_detach(tracer);
out:
	if (tracer && tracked[2]) {
		kill(tracer, SIGKILL);
		waitpid(tracer, NULL, 0);
		tracked[2] = 0;
	}
	stop_init(init, true);
	remove_state_dir(dir);
	return r;
}

static int cmd_backlog(int argc, char **argv)
{
	static double drain[MAX_SAMPLES], cpu[MAX_SAMPLES];
	const char *strace_out = NULL;
	int runs, zombies, r;

	if (argc >= 2 && strcmp(argv[0], "--strace") == 0) {
		strace_out = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc < 3)
		return -EINVAL;
	runs = atoi(argv[0]);
	zombies = atoi(argv[1]);
	if (runs < 1 || runs > MAX_SAMPLES || zombies < 1)
		return -EINVAL;
	for (int i = 0; i < runs; i++) {
		struct backlog_run run;

		r = backlog_once(argc - 2, argv + 2, zombies, strace_out, &run);
		if (r < 0)
			return r;
		drain[i] = run.drain_ms;
		cpu[i] = run.cpu_ms;
		printf("run%d_drain_ms=%.3f\nrun%d_cpu_ms=%.3f\n", i + 1, run.drain_ms, i + 1,
		       run.cpu_ms);
		fflush(stdout);
	}
	printf("drain_med_ms=%.3f\ndrain_min_ms=%.3f\ncpu_med_ms=%.3f\ncpu_min_ms=%.3f\n",
	       median(drain, runs), minimum(drain, runs), median(cpu, runs), minimum(cpu, runs));
	return 0;
}

/* ---- latency ------------------------------------------------------------------------ */

/* Waits for an inotify event on the state dir; the driver sleeps, it does not spin. */
static int wait_for_stamp(int inotify_fd, const char *stamp, int timeout_ms)
{
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd pfd = { .fd = inotify_fd, .events = POLLIN };

	while (access(stamp, F_OK) < 0) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (read(inotify_fd, events, sizeof(events)) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

static int cmd_latency(int argc, char **argv)
{
	static double samples[MAX_SAMPLES];
	char dir[STATE_DIR_MAX], ready[PATH_MAX], stamp[PATH_MAX];
	char *tail[] = { self_exe, "termchild", dir, NULL };
	char **child_argv;
	bool direct = argc == 1;
	int iterations, fd = -1, r;
	pid_t pid = 0;

	if (argc < 1)
		return -EINVAL;
	iterations = atoi(argv[0]);
	if (iterations < 1 || iterations > MAX_SAMPLES)
		return -EINVAL;
	r = make_state_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(stamp, sizeof(stamp), "%s/t", dir);
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, dir, IN_MOVED_TO | IN_CREATE) < 0) {
		r = -errno;
		goto out;
	}
	child_argv = build_argv(argc - 1, argv + 1, tail);
	if (!child_argv) {
		r = -ENOMEM;
		goto out;
	}
	/* Through an init: the init is PID 1 of its own namespace, as in a container. */
	r = spawn(child_argv, !direct, &pid);
	free(child_argv);
	if (r < 0)
		goto out;
	track(0, pid);
	r = wait_for_stamp(fd, ready, 10000);
	if (r < 0) {
		fprintf(stderr, "initbench: the SIGTERM child did not start\n");
		goto out;
	}

	for (int i = 0; i < iterations; i++) {
		char buf[64];
		struct timespec ts;
		int64_t t0;

		sleep_ns(2 * NSEC_PER_MSEC);
		t0 = now_ns();
		kill(pid, SIGTERM);
		r = wait_for_stamp(fd, stamp, 5000);
		if (r == 0 && read_file(stamp, buf, sizeof(buf)) != sizeof(ts))
			r = -EIO;
		if (r < 0) {
			fprintf(stderr, "initbench: no SIGTERM stamp after signal %d\n", i + 1);
			goto out;
		}
		unlink(stamp);
		memcpy(&ts, buf, sizeof(ts));
		samples[i] = (double)(ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec - t0) / 1000;
	}
	for (int i = 0; i < iterations; i++)
		printf("sample_us=%.1f\n", samples[i]);
	printf("lat_med_us=%.1f\nlat_min_us=%.1f\n", median(samples, iterations),
	       minimum(samples, iterations));
out:
	stop_init(pid, !direct);
	if (fd >= 0)
		close(fd);
	remove_state_dir(dir);
	return r;
}

/* ---- idle --------------------------------------------------------------------------- */

static int cmd_idle(int argc, char **argv)
{
	char seconds_arg[16], status[4096];
	char *tail[] = { SLEEP_BIN, seconds_arg, NULL };
	long vol0, nonvol0, vol1, nonvol1;
	char **init_argv;
	pid_t init = 0;
	int seconds, r;

	if (argc < 2)
		return -EINVAL;
	seconds = atoi(argv[0]);
	if (seconds < 1)
		return -EINVAL;
	/* The command outlives the window: 1 s to settle, the window, and slack. */
	snprintf(seconds_arg, sizeof(seconds_arg), "%d", seconds + 10);
	init_argv = build_argv(argc - 1, argv + 1, tail);
	if (!init_argv)
		return -ENOMEM;
	r = spawn(init_argv, true, &init);
	free(init_argv);
	if (r < 0)
		return r;
	track(0, init);
	sleep_ns(NSEC_PER_SEC);
	r = read_status(init, status, sizeof(status));
	if (r < 0)
		goto out;
	vol0 = status_field(status, "voluntary_ctxt_switches");
	nonvol0 = status_field(status, "nonvoluntary_ctxt_switches");
	sleep_ns(seconds * NSEC_PER_SEC);
	r = read_status(init, status, sizeof(status));
	if (r < 0)
		goto out;
	vol1 = status_field(status, "voluntary_ctxt_switches");
	nonvol1 = status_field(status, "nonvoluntary_ctxt_switches");
	printf("idle_vol=%ld\nidle_nonvol=%ld\n", vol1 - vol0, nonvol1 - nonvol0);
	r = 0;
out:
	stop_init(init, true);
	return r;
}

/* ---- payloads ----------------------------------------------------------------------- */

static int gen_grandchild(void *unused)
{
	(void)unused;
	return 0;
}

/* The middle child: its child exits at once and is left unreaped (WNOWAIT), so when the
 * middle exits the init inherits a zombie, not a process that is still running. */
static int gen_middle(void *stack_top)
{
	siginfo_t info;
	pid_t grandchild;

	grandchild = clone(gen_grandchild, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	if (grandchild < 0)
		return 1;
	return waitid(P_PID, grandchild, &info, WEXITED | WNOWAIT) < 0;
}

static int cmd_gen(int argc, char **argv)
{
	/* CLONE_VM | CLONE_VFORK instead of fork(): no page tables to copy, so the 20,000
	 * process creations take a second rather than ten on these VMs. The parent is
	 * suspended while a child runs, so the children may use these stacks in turn. */
	static char middle_stack[GEN_STACK_SIZE] __attribute__((aligned(16)));
	static char grandchild_stack[GEN_STACK_SIZE] __attribute__((aligned(16)));
	char ready[PATH_MAX], done[PATH_MAX];
	sigset_t usr1;
	int zombies, sig, status, made = 0;

	if (argc != 2)
		return -EINVAL;
	zombies = atoi(argv[1]);
	snprintf(ready, sizeof(ready), "%s/ready", argv[0]);
	snprintf(done, sizeof(done), "%s/done", argv[0]);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (touch(ready) < 0 || sigwait(&usr1, &sig) != 0)
		return -EIO;

	for (int i = 0; i < zombies; i++) {
		pid_t middle = clone(gen_middle, middle_stack + sizeof(middle_stack),
				     CLONE_VM | CLONE_VFORK | SIGCHLD,
				     grandchild_stack + sizeof(grandchild_stack));

		if (middle < 0)
			break;
		while (waitpid(middle, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			made++;
	}
	if (made != zombies)
		fprintf(stderr, "initbench gen: made %d of %d zombies\n", made, zombies);
	if (touch(done) < 0)
		return -EIO;
	for (;;)
		pause();
}

static char stamp_tmp[PATH_MAX], stamp_path[PATH_MAX];

static void stamp_sigterm(int sig)
{
	struct timespec ts;
	int saved = errno, fd;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fd = open(stamp_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, &ts, sizeof(ts)) == sizeof(ts))
			rename(stamp_tmp, stamp_path);
		close(fd);
	}
	errno = saved;
}

static int cmd_termchild(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = stamp_sigterm, .sa_flags = SA_RESTART };
	char ready[PATH_MAX];
	sigset_t term;

	if (argc != 1)
		return -EINVAL;
	snprintf(stamp_tmp, sizeof(stamp_tmp), "%s/t.tmp", argv[0]);
	snprintf(stamp_path, sizeof(stamp_path), "%s/t", argv[0]);
	snprintf(ready, sizeof(ready), "%s/ready", argv[0]);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &term, NULL) < 0)
		return -errno;
	if (touch(ready) < 0)
		return -EIO;
	for (;;)
		pause();
}

/* ---- main --------------------------------------------------------------------------- */

/* clang-format off */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	bool driver;
} commands[] = {
	{ "mem", cmd_mem, true },
	{ "backlog", cmd_backlog, true },
	{ "latency", cmd_latency, true },
	{ "idle", cmd_idle, true },
	{ "gen", cmd_gen, false },
	{ "termchild", cmd_termchild, false },
};
/* clang-format on */

int main(int argc, char **argv)
{
	static const int fatal[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM };
	ssize_t len;

	if (argc < 2)
		goto usage;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int r;

		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].driver) {
			struct sigaction sa = { .sa_handler = die_on_signal };

			len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
			if (len < 0) {
				perror("initbench: /proc/self/exe");
				return 1;
			}
			self_exe[len] = '\0';
			for (size_t s = 0; s < sizeof(fatal) / sizeof(fatal[0]); s++)
				sigaction(fatal[s], &sa, NULL);
			/* Orphans of an init that is not PID 1 come back to us to be killed. */
			prctl(PR_SET_CHILD_SUBREAPER, 1);
			/* Backstop for bench/run's timeout(1). */
			alarm(DRIVER_TIMEOUT_S);
		}
		r = commands[i].run(argc - 2, argv + 2);
		if (r == -EINVAL)
			goto usage;
		if (r < 0) {
			fprintf(stderr, "initbench %s: %s\n", argv[1], strerror(-r));
			return 1;
		}
		return 0;
	}
usage:
	fprintf(stderr, "usage: initbench mem [--pidns] INIT...\n"
			"       initbench backlog [--strace FILE] RUNS ZOMBIES INIT...\n"
			"       initbench latency ITERATIONS [INIT...]\n"
			"       initbench idle SECONDS INIT...\n"
			"       initbench gen DIR ZOMBIES | termchild DIR\n");
	return 2;
}
