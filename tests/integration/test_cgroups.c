/* Per-service cgroups (cinit --units ... --cgroup DIR) as users see them: which cgroup each
 * process is in (cgroup.procs, /proc/PID/cgroup), what `cinit ctl stop` leaves alive, which
 * cgroup directories are left once cinit has exited, and what cinit says about a bad --cgroup
 * or a limit it cannot apply. The same escaping process is also run without a cgroup, where
 * process-group tracking misses it, as cinit.unit(5) PROCESS TRACKING documents.
 *
 * Each test that needs a cgroup makes its own CGROUP2_MOUNT/cinit-itest-PID-N (root only) and
 * its teardown, failed test or not, kills what is left inside through cgroup.kill, waits until
 * the cgroup is empty and removes it bottom-up. No other cgroup is touched. Every wait has a
 * deadline well below the suite's timeout, so that the teardown always gets to run. */
#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* The hybrid host's controller-less cgroup2, or a unified host's (the VM harness's v2 guest) */
#define CGROUP2_HYBRID	"/sys/fs/cgroup/unified"
#define CGROUP2_UNIFIED "/sys/fs/cgroup"
#define CGROUP2_MOUNT	cgroup2_mount()
#define CGROUP2_MAGIC	0x63677270
#define ITEST_PREFIX	"cinit-itest-"
#define INIT_SCOPE	"init.scope"
#define SETSID		"/usr/bin/setsid"

#define T_SHORT	     5000
#define T_LONG	     20000
#define TEXT_MAX     65536
#define MAX_PIDS     64
#define STARTUP_DONE "cinit: startup finished: "

/* ---------------------------------------------------------------------------------------- */
/* One cinit --units per test, and the test's own cgroup */

struct stream {
	char text[TEXT_MAX];
	size_t len;
	bool eof;
};

static const char *cgroup2_mount(void)
{
	struct statfs sfs;

	return statfs(CGROUP2_UNIFIED, &sfs) == 0 && sfs.f_type == CGROUP2_MAGIC ? CGROUP2_UNIFIED
										 : CGROUP2_HYBRID;
}
static struct {
	char dir[64]; /* the test's temporary directory: units/, rt/ and marker files */
	char units[128];
	char rt[128];
	struct proc p;
	bool spawned, reaped;
	struct stream out, err; /* everything cinit printed so far */

	bool cg_possible;     /* root, and cgroup2 at CGROUP2_MOUNT */
	char cg_why_not[256]; /* the reason when not */
	char cg[256];	      /* CGROUP2_MOUNT/cinit-itest-PID-N once made, else "" */
	char cg_rel[128];     /* "/cinit-itest-PID-N", as /proc/PID/cgroup names it */
	pid_t bystander;      /* a process the test put into its cgroup, or 0 */
} sv;

static unsigned cg_next_index;
static char ctl_out[16384]; /* what the last `cinit ctl` printed */

static int left_ms(long long deadline)
{
	long long left = deadline - harness_now_ms();

	return left > 0 ? (int)left : 0;
}

static void sv_setup(void)
{
	struct statfs sfs;

	memset(&sv, 0, sizeof(sv));
	sv.p.out_fd = sv.p.err_fd = sv.p.pty_fd = -1;
	/* Only --cgroup gives cinit a cgroup here: not one inherited from the environment. */
	unsetenv("CINIT_CGROUP");
	strcpy(sv.dir, "/tmp/cinit-cg-XXXXXX");
	cr_assert_not_null(mkdtemp(sv.dir));
	snprintf(sv.units, sizeof(sv.units), "%s/units", sv.dir);
	snprintf(sv.rt, sizeof(sv.rt), "%s/rt", sv.dir);
	cr_assert_eq(mkdir(sv.units, 0755), 0);

	if (geteuid() != 0)
		snprintf(sv.cg_why_not, sizeof(sv.cg_why_not),
			 "needs root to create cgroups under %s", CGROUP2_MOUNT);
	else if (statfs(CGROUP2_MOUNT, &sfs) < 0 || sfs.f_type != CGROUP2_MAGIC)
		snprintf(sv.cg_why_not, sizeof(sv.cg_why_not),
			 "no cgroup2 file system mounted at %s", CGROUP2_MOUNT);
	else
		sv.cg_possible = true;
}

/* Whether CGDIR and everything below it holds no process: 1 populated, 0 empty, -1 error. */
static int cg_populated_at(const char *dir)
{
	char path[PATH_MAX], text[256];
	ssize_t n;
	int fd;
	const char *p;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	p = strstr(text, "populated ");
	return p ? p[strlen("populated ")] == '1' : -1;
}

/* Waits (inotify on cgroup.events, with a deadline) until dir holds no process. */
static bool cg_wait_empty_at(const char *dir, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	char path[PATH_MAX], buf[4096];
	int fd = inotify_init1(IN_CLOEXEC);
	bool empty;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (fd < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0) {
		if (fd >= 0)
			close(fd);
		return cg_populated_at(dir) == 0;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		empty = cg_populated_at(dir) == 0;
		if (empty || left_ms(deadline) == 0 || poll(&p, 1, left_ms(deadline)) <= 0)
			break;
		(void)!read(fd, buf, sizeof(buf));
	}
	empty = cg_populated_at(dir) == 0;
	close(fd);
	return empty;
}

/* Without cgroup.kill (before Linux 5.14): SIGKILL to each pid of each cgroup below. */
static int kill_procs_in(const char *path, const struct stat *st, int type, struct FTW *ftw)
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

static int rmdir_cgroup(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP && rmdir(path) < 0)
		fprintf(stderr, "test_cgroups: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

/* Everything the test's cgroup still holds is the test's own (cinit, its services, the
 * bystander): kill it all, wait until empty, remove the directories bottom-up. */
static void cg_remove(void)
{
	char kill_path[PATH_MAX];
	struct stat st;

	if (!sv.cg[0])
		return;
	snprintf(kill_path, sizeof(kill_path), "%s/cgroup.kill", sv.cg);
	for (int round = 0; round < 10 && cg_populated_at(sv.cg) == 1; round++) {
		int fd = open(kill_path, O_WRONLY | O_CLOEXEC);
		bool killed = fd >= 0 && write(fd, "1", 1) == 1;

		if (fd >= 0)
			close(fd);
		if (!killed)
			nftw(sv.cg, kill_procs_in, 16, FTW_PHYS);
		if (cg_wait_empty_at(sv.cg, T_SHORT))
			break;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	nftw(sv.cg, rmdir_cgroup, 16, FTW_DEPTH | FTW_PHYS);
	if (stat(sv.cg, &st) == 0)
		fprintf(stderr, "test_cgroups: %s is left\n", sv.cg);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void sv_teardown(void)
{
	if (sv.spawned && !sv.reaped) {
		kill(sv.p.pid, SIGKILL);
		harness_wait(&sv.p, T_SHORT);
	}
	cg_remove();
	/* Without a cgroup, what cinit left came to us as subreaper: all of it started by this
	 * test. Grandchildren arrive as their parents die. */
	for (int round = 0; round < 5; round++) {
		pid_t kids[128];
		int n = harness_children(getpid(), kids, 128);
		if (n == 0)
			break;
		for (int i = 0; i < n && i < 128; i++)
			kill(kids[i], SIGKILL);
		for (int i = 0; i < n && i < 128; i++)
			waitpid(kids[i], NULL, 0);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (sv.dir[0])
		nftw(sv.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(placement, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(exactness, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(forking, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(cleanup, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(bad_cgroup, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(limits, .init = sv_setup, .fini = sv_teardown, .timeout = 60);

/* Makes the test's cgroup CGROUP2_MOUNT/cinit-itest-PID-N, or skips the test with the reason. */
static void cg_make(void)
{
	if (!sv.cg_possible)
		cr_skip_test("%s", sv.cg_why_not);
	snprintf(sv.cg_rel, sizeof(sv.cg_rel), "/" ITEST_PREFIX "%d-%u", (int)getpid(),
		 cg_next_index++);
	snprintf(sv.cg, sizeof(sv.cg), "%s%s", CGROUP2_MOUNT, sv.cg_rel);
	if (mkdir(sv.cg, 0755) < 0) {
		int e = errno;
		sv.cg[0] = '\0'; /* not ours: never remove it */
		cr_assert_fail("cannot create %s%s: %s", CGROUP2_MOUNT, sv.cg_rel, strerror(e));
	}
}

/* The test's cgroup, or a file or directory below it (sub may be ""); four results at once. */
static const char *cg_path(const char *sub)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *path = paths[next++ % 4];

	snprintf(path, sizeof(paths[0]), "%s%s%s", sv.cg, sub[0] ? "/" : "", sub);
	return path;
}

/* The pids in cgroup.procs of the test's cgroup SUB ("" for itself); -1 if it does not exist. */
static int cg_procs(const char *sub, pid_t *pids, int max)
{
	char path[PATH_MAX];
	FILE *f;
	int n = 0, v;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_path(sub));
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &v) == 1) {
		if (n < max)
			pids[n] = v;
		n++;
	}
	fclose(f);
	return n;
}

static bool cg_holds(const char *sub, pid_t pid)
{
	pid_t pids[MAX_PIDS];
	int n = cg_procs(sub, pids, MAX_PIDS);

	for (int i = 0; i < n && i < MAX_PIDS; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* cgroup.procs of SUB as text ("12 34"), for failure messages; static. */
static const char *cg_procs_text(const char *sub)
{
	static char text[1024];
	pid_t pids[MAX_PIDS];
	int n = cg_procs(sub, pids, MAX_PIDS);
	size_t len = 0;

	if (n < 0)
		return "(no such cgroup)";
	text[0] = '\0';
	for (int i = 0; i < n && i < MAX_PIDS && len < sizeof(text) - 16; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%d", i ? " " : "",
					(int)pids[i]);
	return n ? text : "(empty)";
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The cgroup v2 path of pid ("/x/y") from /proc/PID/cgroup, "" when none; static. */
static const char *cgroup_of(pid_t pid)
{
	static char path[PATH_MAX];
	char file[64], text[4096];
	ssize_t n;
	int fd;

	path[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return path;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(path, sizeof(path), "%.*s", (int)strcspn(line + 3, "\n"),
				 line + 3);
			break;
		}
	}
	return path;
}

/* "/cinit-itest-PID-N/SUB": where /proc/PID/cgroup should place a process of SUB; static. */
static const char *cg_rel(const char *sub)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", sv.cg_rel, sub);
	return path;
}

/* Running (or stopped), as opposed to gone or a zombie. */
static bool running(pid_t pid)
{
	char state = harness_state(pid);

	return state != 0 && state != 'Z' && state != 'X';
}

/* text with @D@ replaced by the test's directory and @P@ by the payload's path (static). */
static const char *expand(const char *text)
{
	static char buf[8192];
	size_t n = 0;

	for (const char *p = text; *p;) {
		const char *with = NULL;
		if (strncmp(p, "@D@", 3) == 0)
			with = sv.dir;
		else if (strncmp(p, "@P@", 3) == 0)
			with = harness_payload();
		if (with) {
			size_t l = strlen(with);
			cr_assert_lt(n + l, sizeof(buf) - 1);
			memcpy(buf + n, with, l);
			n += l;
			p += 3;
		} else {
			cr_assert_lt(n, sizeof(buf) - 1);
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* dir/name; four results may be in use at once. */
static const char *sv_path(const char *name)
{
	static char paths[4][256];
	static int next;
	char *path = paths[next++ % 4];

	snprintf(path, sizeof(paths[0]), "%s/%s", sv.dir, name);
	return path;
}

static void sv_unit(const char *name, const char *text)
{
	char path[256];
	const char *content = expand(text);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sv.units, name);
	f = fopen(path, "we");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fputs(content, f) >= 0, true);
	cr_assert_eq(fclose(f), 0);
}

/* The contents of dir/name ("" if it does not exist), static. */
static const char *sv_read(const char *name)
{
	static char buf[4096];
	ssize_t n = 0;
	int fd = open(sv_path(name), O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

enum where {
	OUTSIDE, /* cinit starts in the test's own cgroup */
	INSIDE,	 /* cinit starts in the --cgroup directory, as claunch would put it */
};

/* cinit [verbose] --units U --runtime-dir RT [--cgroup CG]. INSIDE: through a shell that moves
 * itself into CG, then execs cinit (same pid). */
static void sv_start(const char *verbose, const char *cgroup, enum where where)
{
	const char *argv[32];
	size_t n = 0;

	if (where == INSIDE) {
		static char script[PATH_MAX + 64];

		cr_assert_not_null(cgroup);
		snprintf(script, sizeof(script), "echo $$ > '%s/cgroup.procs' && exec \"$@\"",
			 cgroup);
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = script;
		argv[n++] = "sh";
	}
	argv[n++] = harness_cinit();
	if (verbose)
		argv[n++] = verbose;
	argv[n++] = "--units";
	argv[n++] = sv.units;
	argv[n++] = "--runtime-dir";
	argv[n++] = sv.rt;
	if (cgroup) {
		argv[n++] = "--cgroup";
		argv[n++] = cgroup;
	}
	argv[n] = NULL;
	harness_spawn(&sv.p, NULL, argv);
	sv.spawned = true;
}

static void stream_read(struct stream *st, int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t keep;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		st->eof = true;
		return;
	}
	keep = (size_t)n < TEXT_MAX - 1 - st->len ? (size_t)n : TEXT_MAX - 1 - st->len;
	memcpy(st->text + st->len, buf, keep);
	st->len += keep;
	st->text[st->len] = '\0';
}

/* Waits up to timeout_ms for output of cinit (kept in sv.out, sv.err) or for extra_fd. Returns
 * how many fds were ready; *extra_ready tells whether extra_fd was. */
static int sv_poll(int extra_fd, int timeout_ms, bool *extra_ready)
{
	struct pollfd fds[3];
	int n = 0, io = -1, ie = -1, ix = -1, r;

	if (extra_ready)
		*extra_ready = false;
	if (sv.spawned && !sv.out.eof && sv.p.out_fd >= 0) {
		io = n;
		fds[n++] = (struct pollfd){ .fd = sv.p.out_fd, .events = POLLIN };
	}
	if (sv.spawned && !sv.err.eof && sv.p.err_fd >= 0) {
		ie = n;
		fds[n++] = (struct pollfd){ .fd = sv.p.err_fd, .events = POLLIN };
	}
	if (extra_fd >= 0) {
		ix = n;
		fds[n++] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
	}
	if (n == 0) {
		usleep((useconds_t)(timeout_ms < 20 ? timeout_ms : 20) * 1000);
		return 0;
	}
	r = poll(fds, (nfds_t)n, timeout_ms < 0 ? 0 : timeout_ms);
	if (r <= 0)
		return 0;
	if (io >= 0 && fds[io].revents)
		stream_read(&sv.out, sv.p.out_fd);
	if (ie >= 0 && fds[ie].revents)
		stream_read(&sv.err, sv.p.err_fd);
	if (ix >= 0 && fds[ix].revents && extra_ready)
		*extra_ready = true;
	return r;
}

/* Until the stream contains needle; false at the deadline or when it has ended without it. */
static bool sv_wait_in(struct stream *st, const char *needle, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (!strstr(st->text, needle)) {
		if (st->eof || left_ms(deadline) == 0)
			return false;
		sv_poll(-1, left_ms(deadline), NULL);
	}
	return true;
}

static bool sv_wait_err(const char *needle, int timeout_ms)
{
	return sv_wait_in(&sv.err, needle, timeout_ms);
}

/* The nth (from 0) whole line "NAME[PID]: MSG..." in text, or NULL; with prefix, MSG need only
 * start the message. *pid set when found. */
static const char *svc_line_nth(const char *text, const char *name, const char *msg, bool prefix,
				int nth, int *pid)
{
	size_t nl = strlen(name), ml = strlen(msg);

	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		if (*end != '\n')
			break; /* not a whole line yet */
		if (strncmp(line, name, nl) == 0 && line[nl] == '[') {
			char *q;
			long v = strtol(line + nl + 1, &q, 10);
			if (q > line + nl + 1 && q[0] == ']' && q[1] == ':' && q[2] == ' ' &&
			    (prefix ? (size_t)(end - (q + 3)) >= ml
				    : (size_t)(end - (q + 3)) == ml) &&
			    strncmp(q + 3, msg, ml) == 0 && nth-- == 0) {
				if (pid)
					*pid = (int)v;
				return line;
			}
		}
		line = end + 1;
	}
	return NULL;
}

static int svc_count(const char *name, const char *msg)
{
	int n = 0;

	while (svc_line_nth(sv.out.text, name, msg, false, n, NULL))
		n++;
	return n;
}

/* Until service NAME has printed MSG count times (as "NAME[PID]: MSG"). */
static bool sv_wait_svc_n(const char *name, const char *msg, int count, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (!svc_line_nth(sv.out.text, name, msg, false, count - 1, NULL)) {
		if (sv.out.eof || left_ms(deadline) == 0)
			return false;
		sv_poll(-1, left_ms(deadline), NULL);
	}
	return true;
}

/* Until service NAME has printed the payload's "pid=P pgid=G sid=S ..." line; P, or -1. */
static pid_t sv_wait_ids(const char *name, int timeout_ms, pid_t *sid)
{
	long long deadline = harness_now_ms() + timeout_ms;
	const char *line;
	int pid, pgid, session;

	while (!(line = svc_line_nth(sv.out.text, name, "pid=", true, 0, NULL))) {
		if (sv.out.eof || left_ms(deadline) == 0)
			return -1;
		sv_poll(-1, left_ms(deadline), NULL);
	}
	line = strstr(line, "]: ");
	if (!line || sscanf(line, "]: pid=%d pgid=%d sid=%d", &pid, &pgid, &session) != 3)
		return -1;
	if (sid)
		*sid = session;
	return pid;
}

static bool sv_exited(void)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)sv.p.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == sv.p.pid;
}

/* Reads all cinit prints until it exits; its exit code (as a shell shows it), -1 on timeout
 * (it is killed then). */
static int sv_exit_code(int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (!(sv.out.eof && sv.err.eof) && left_ms(deadline) > 0) {
		/* Gone, and nothing more to read: a leftover may hold the pipes, not cinit. */
		if (sv_poll(-1, 20, NULL) == 0 && sv_exited())
			break;
	}
	sv.reaped = true;
	return harness_exit_code(&sv.p, left_ms(deadline) > 0 ? left_ms(deadline) : 1);
}

/* SIGTERM, as docker stop does; the exit code. */
static int sv_stop(void)
{
	kill(sv.p.pid, SIGTERM);
	return sv_exit_code(T_LONG);
}

/* `CINIT_RUNTIME_DIR=RT cinit ctl ARG...` (NULL-terminated): its exit code, -1 if it did not
 * end in time; what it printed (stdout and stderr) in ctl_out. cinit's own output is read
 * meanwhile, so that it never blocks on a full pipe. */
static int ctl(const char *arg, ...)
{
	const char *argv[16];
	int fds[2], status, n = 0;
	size_t len = 0;
	long long deadline = harness_now_ms() + T_LONG;
	va_list ap;
	pid_t pid;

	argv[n++] = harness_cinit();
	argv[n++] = "ctl";
	va_start(ap, arg);
	for (const char *a = arg; a && n < 15; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;

	ctl_out[0] = '\0';
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		setenv("CINIT_RUNTIME_DIR", sv.rt, 1);
		unsetenv("CINIT_CONTROL_SOCKET");
		execv(argv[0], (char *const *)argv);
		_exit(121);
	}
	close(fds[1]);
	for (;;) {
		bool ready;
		ssize_t r;
		if (left_ms(deadline) == 0)
			break;
		sv_poll(fds[0], left_ms(deadline), &ready);
		if (!ready)
			continue;
		r = read(fds[0], ctl_out + len, sizeof(ctl_out) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		ctl_out[len] = '\0';
		if (len == sizeof(ctl_out) - 1)
			break;
	}
	close(fds[0]);
	if (left_ms(deadline) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Until `cinit ctl status NAME` prints needle; false at the deadline. */
static bool sv_wait_status(const char *name, const char *needle, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		ctl("status", name, NULL);
		if (strstr(ctl_out, needle))
			return true;
		if (left_ms(deadline) == 0)
			return false;
		sv_poll(-1, left_ms(deadline) < 20 ? left_ms(deadline) : 20, NULL);
	}
}

/* The main pid `cinit ctl status NAME --json` reports (0: none), -1 if it reports none. */
static int ctl_main_pid(const char *name)
{
	const char *key = "\"main_pid\":";
	const char *p;

	ctl("status", name, "--json", NULL);
	p = strstr(ctl_out, key);
	return p ? atoi(p + strlen(key)) : -1;
}

/* Until pid is gone (not even a zombie). */
static bool wait_gone(pid_t pid, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (harness_state(pid) != 0) {
		if (left_ms(deadline) == 0)
			return false;
		sv_poll(-1, 10, NULL);
	}
	return true;
}

/* The number of lines of text (the last one may lack its newline); blank lines not counted. */
static int count_lines(const char *text)
{
	int n = 0;

	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		if (end > line)
			n++;
		line = *end ? end + 1 : end;
	}
	return n;
}

/* ---------------------------------------------------------------------------------------- */
/* 1. Where processes are: each service in CGDIR/NAME.service, cinit in CGDIR/init.scope */

Test(placement, each_service_runs_in_its_own_cgroup)
{
	pid_t web, web_child, db;
	int n;

	cg_make();
	sv_unit("web.service", "[Service]\n"
			       "ExecStart=@P@ signals --child\n");
	sv_unit("db.service", "[Service]\n"
			      "ExecStart=@P@ ids signals\n");
	sv_start("-v", sv.cg, OUTSIDE);
	cr_assert(sv_wait_svc_n("web", "ready", 1, T_SHORT), "%s%s", sv.out.text, sv.err.text);
	cr_assert(sv_wait_svc_n("web", "child-ready", 1, T_SHORT), "%s", sv.out.text);
	cr_assert(sv_wait_svc_n("db", "ready", 1, T_SHORT), "%s", sv.out.text);
	cr_assert(sv_wait_err(STARTUP_DONE "2 of 2 services active", T_SHORT), "%s", sv.err.text);

	web = ctl_main_pid("web");
	cr_assert_gt(web, 0, "web's main pid: %s", ctl_out);
	n = harness_children(web, &web_child, 1);
	cr_assert_eq(n, 1, "web's main process %d has %d children", web, n);
	db = sv_wait_ids("db", T_SHORT, NULL);
	cr_assert_gt(db, 0, "%s", sv.out.text);
	cr_expect_eq(ctl_main_pid("db"), db, "%s", ctl_out);

	cr_expect(cg_holds("web.service", web), "web's main process %d not in web.service: %s", web,
		  cg_procs_text("web.service"));
	cr_expect(cg_holds("web.service", web_child), "web's child %d not in web.service: %s",
		  web_child, cg_procs_text("web.service"));
	cr_expect(cg_holds("db.service", db), "db's process %d not in db.service: %s", db,
		  cg_procs_text("db.service"));
	cr_expect(!cg_holds("db.service", web) && !cg_holds("web.service", db),
		  "each service has a cgroup of its own: web %s, db %s",
		  cg_procs_text("web.service"), cg_procs_text("db.service"));
	cr_expect_str_eq(cgroup_of(web), cg_rel("web.service"));
	cr_expect_str_eq(cgroup_of(db), cg_rel("db.service"));

	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
	cr_expect_eq(harness_state(web), 0);
	cr_expect_eq(harness_state(web_child), 0);
	cr_expect_eq(harness_state(db), 0);
}

/* cinit.unit(5), PROCESS TRACKING: cinit moves the processes of the --cgroup directory into
 * init.scope, itself included when it runs there; started outside it, it stays where it is and
 * its services still get their cgroups below the directory. */
Test(placement, started_outside_the_cgroup_cinit_stays_and_services_go_in)
{
	pid_t pids[MAX_PIDS];
	char own[PATH_MAX];
	int n;

	cg_make();
	snprintf(own, sizeof(own), "%s", cgroup_of(getpid()));
	sv_unit("web.service", "[Service]\n"
			       "ExecStart=@P@ signals\n");
	sv_start("-v", sv.cg, OUTSIDE);
	cr_assert(sv_wait_svc_n("web", "ready", 1, T_SHORT), "%s%s", sv.out.text, sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 1 services active", T_SHORT), "%s", sv.err.text);

	cr_expect(!cg_holds(INIT_SCOPE, sv.p.pid), "cinit (%d) was moved into %s", sv.p.pid,
		  cg_path(INIT_SCOPE));
	cr_expect_str_eq(cgroup_of(sv.p.pid), own);
	n = cg_procs("web.service", pids, MAX_PIDS);
	cr_expect_eq(n, 1, "web.service holds: %s", cg_procs_text("web.service"));
	cr_expect_str_eq(cgroup_of(getpid()), own);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Started inside the directory (as claunch or a Delegate=yes unit starts it), cinit leaves it
 * for init.scope, so that the directory can hand controllers to the service cgroups. */
Test(placement, started_inside_the_cgroup_cinit_moves_to_init_scope)
{
	pid_t web;

	cg_make();
	sv_unit("web.service", "[Service]\n"
			       "ExecStart=@P@ signals\n");
	sv_start("-v", sv.cg, INSIDE);
	cr_assert(sv_wait_svc_n("web", "ready", 1, T_SHORT), "%s%s", sv.out.text, sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 1 services active", T_SHORT), "%s", sv.err.text);

	cr_expect(cg_holds(INIT_SCOPE, sv.p.pid), "cinit (%d) is in cgroup %s; %s holds: %s",
		  sv.p.pid, cgroup_of(sv.p.pid), cg_path(INIT_SCOPE), cg_procs_text(INIT_SCOPE));
	cr_expect_str_eq(cgroup_of(sv.p.pid), cg_rel(INIT_SCOPE));
	cr_expect_str_eq(cg_procs_text(""), "(empty)", "no process is left in %s itself", sv.cg);
	web = ctl_main_pid("web");
	cr_assert_gt(web, 0, "%s", ctl_out);
	cr_expect(cg_holds("web.service", web), "%d not in web.service: %s", web,
		  cg_procs_text("web.service"));
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* ---------------------------------------------------------------------------------------- */
/* 2. A process that leaves its session: stopped with the service only under a cgroup */

/* The main process starts an escapee in a session of its own (setsid -f forks, so the escapee
 * is not even the shell's child), then becomes "signals" itself. Both print "ready"; the
 * escapee first prints its pid and session. */
#define ESCAPE_UNIT                                                                                \
	"[Service]\n"                                                                              \
	"KillMode=control-group\n"                                                                 \
	"ExecStart=/bin/sh -c '" SETSID " -f @P@ ids signals; exec @P@ signals'\n"

/* Starts cinit with esc.service; the escapee's pid once both processes are ready. */
static pid_t start_escape(const char *cgroup, pid_t *main_pid)
{
	pid_t escapee, sid;

	if (access(SETSID, X_OK) != 0)
		cr_skip_test("needs %s (util-linux)", SETSID);
	sv_unit("esc.service", ESCAPE_UNIT);
	sv_start("-v", cgroup, OUTSIDE);
	cr_assert(sv_wait_svc_n("esc", "ready", 2, T_SHORT), "%s%s", sv.out.text, sv.err.text);
	escapee = sv_wait_ids("esc", T_SHORT, &sid);
	cr_assert_gt(escapee, 0, "%s", sv.out.text);
	*main_pid = ctl_main_pid("esc");
	cr_assert_gt(*main_pid, 0, "%s", ctl_out);
	cr_assert_neq(escapee, *main_pid);
	/* It did escape: a session (and so a process group) of its own. */
	cr_assert_eq(sid, escapee, "%s", sv.out.text);
	cr_assert_neq(getsid(escapee), getsid(*main_pid));
	cr_assert_neq(getpgid(escapee), getpgid(*main_pid));
	return escapee;
}

Test(exactness, setsid_escapee_is_stopped_with_the_service_under_a_cgroup)
{
	pid_t main_pid, escapee;

	cg_make();
	escapee = start_escape(sv.cg, &main_pid);
	cr_expect(cg_holds("esc.service", escapee), "the escapee %d left esc.service: %s", escapee,
		  cg_procs_text("esc.service"));
	cr_expect(cg_holds("esc.service", main_pid), "%s", cg_procs_text("esc.service"));

	cr_expect_eq(ctl("stop", "esc", NULL), 0, "%s", ctl_out);
	/* The stop is done only once the cgroup is empty: nothing of it runs any more. */
	cr_expect(!running(escapee), "the escapee %d survived the stop (state %c)", escapee,
		  harness_state(escapee));
	cr_expect(!running(main_pid), "main %d survived the stop", main_pid);
	cr_expect_eq(cg_populated_at(cg_path("esc.service")), 0, "esc.service still holds: %s",
		     cg_procs_text("esc.service"));
	cr_expect_str_eq(cg_procs_text("esc.service"), "(empty)");
	cr_expect(wait_gone(escapee, T_SHORT), "the escapee %d is left", escapee);
	cr_expect(sv_wait_svc_n("esc", "main TERM", 2, T_SHORT), "both got the stop signal: %s",
		  sv.out.text);
	cr_expect_eq(ctl("status", "esc", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* The documented limitation of process-group tracking (cinit.unit(5), PROCESS TRACKING): the
 * stop misses the escapee, and cinit's shutdown stops it with every other leftover. */
Test(exactness, without_a_cgroup_the_escapee_survives_the_stop_until_cinit_exits)
{
	pid_t main_pid, escapee, kids[8];

	escapee = start_escape(NULL, &main_pid);
	cr_expect(strstr(sv.err.text, "services get cgroups") == NULL,
		  "this test wants process-group tracking: %s", sv.err.text);

	cr_expect_eq(ctl("stop", "esc", NULL), 0, "%s", ctl_out);
	cr_expect(wait_gone(main_pid, T_SHORT), "main %d is left", main_pid);
	cr_expect(sv_wait_svc_n("esc", "main TERM", 1, T_SHORT), "%s", sv.out.text);
	cr_expect_eq(ctl("status", "esc", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	/* Still alive, and it answers: it never saw the stop. */
	cr_expect(running(escapee), "the escapee %d is gone (state %c)", escapee,
		  harness_state(escapee));
	kill(escapee, SIGUSR1);
	cr_expect(sv_wait_svc_n("esc", "main USR1", 1, T_SHORT), "%s", sv.out.text);
	cr_expect_eq(svc_count("esc", "main TERM"), 1, "only main got the stop signal: %s",
		     sv.out.text);

	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
	cr_expect(wait_gone(escapee, T_SHORT), "the escapee %d outlived cinit", escapee);
	cr_expect_eq(harness_children(getpid(), kids, 8), 0, "processes left after cinit exited");
}

/* A stop that comes as soon as the service is started (forked: maybe not yet in its cgroup, or
 * not yet exec'd) still reaches its main process, as it does without a cgroup: the stop does not
 * wait for TimeoutStopSec= to end in SIGKILL. Whether the stop comes before the new process is
 * in its cgroup is up to the scheduler, so the start and stop are repeated a few times (each
 * takes milliseconds when the signal arrives). */
#define STOP_AFTER_START_ROUNDS 30

Test(exactness, a_stop_right_after_the_start_reaches_the_service_under_a_cgroup)
{
	cg_make();
	sv_unit("web.service", "[Service]\n"
			       "ExecStart=@P@ signals\n"
			       "TimeoutStopSec=1s\n");
	for (int round = 1; round <= STOP_AFTER_START_ROUNDS; round++) {
		bool missed;

		memset(&sv.out, 0, sizeof(sv.out));
		memset(&sv.err, 0, sizeof(sv.err));
		sv.reaped = false;
		sv_start("-v", sv.cg, OUTSIDE);
		cr_assert(sv_wait_err(STARTUP_DONE "1 of 1 services active", T_SHORT), "%s",
			  sv.err.text);
		kill(sv.p.pid, SIGTERM); /* at once: no wait for "ready" */
		cr_assert_eq(sv_exit_code(T_LONG), 0, "%s", sv.err.text);
		missed = strstr(sv.err.text, "web.service: state 'stop-sigterm' timed out") ||
			 strstr(sv.err.text, "web.service: failed with result 'timeout'");
		cr_assert(!missed, "round %d: the stop signal never reached web.service: %s%s",
			  round, sv.out.text, sv.err.text);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* 3. Type=forking without PIDFile=: the cgroup keeps the daemon tracked */

Test(forking, daemon_without_pid_file_stays_tracked_under_a_cgroup)
{
	pid_t daemon_pid;

	cg_make();
	sv_unit("fork.service", "[Service]\n"
				"Type=forking\n"
				"ExecStart=@P@ daemon @D@/fork.pid\n");
	sv_start("-v", sv.cg, OUTSIDE);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 1 services active, 0 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_assert_eq(sscanf(sv_read("fork.pid"), "%d", &daemon_pid), 1);
	cr_expect(running(daemon_pid));
	cr_expect(cg_holds("fork.service", daemon_pid), "the daemon %d not in fork.service: %s",
		  daemon_pid, cg_procs_text("fork.service"));
	/* Its starter has exited and no PIDFile= names it: only the cgroup holds it. */
	cr_expect_eq(ctl("status", "fork", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);

	cr_expect_eq(ctl("stop", "fork", NULL), 0, "%s", ctl_out);
	cr_expect(!running(daemon_pid), "the daemon %d survived the stop", daemon_pid);
	cr_expect(wait_gone(daemon_pid, T_SHORT), "the daemon %d is left", daemon_pid);
	cr_expect_eq(cg_populated_at(cg_path("fork.service")), 0, "%s",
		     cg_procs_text("fork.service"));
	cr_expect_eq(ctl("status", "fork", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* ---------------------------------------------------------------------------------------- */
/* 4. On exit, cinit removes the service cgroups and leaves what was not its own */

/* A child of the test (not of cinit) that moves itself into dir and waits; the test's
 * teardown kills it (through the cgroup), and so does the test's death. */
static pid_t spawn_bystander(const char *dir)
{
	char procs[PATH_MAX];
	int ready[2];
	char c;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		sigset_t none;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(100);
		close(fd);
		close(ready[0]);
		close(ready[1]); /* EOF: moved */
		for (;;)
			pause();
	}
	close(ready[1]);
	while (read(ready[0], &c, 1) < 0 && errno == EINTR)
		;
	close(ready[0]);
	cr_assert(running(pid), "the bystander could not move into %s", dir);
	return pid;
}

Test(cleanup, service_cgroups_are_removed_when_cinit_exits)
{
	DIR *d;
	struct dirent *de;
	char unexpected[1024] = "";
	pid_t pids[MAX_PIDS];
	int n;

	cg_make();
	/* What the test puts there: a sub-cgroup of its own and a process. */
	cr_assert_eq(mkdir(cg_path("test.keep"), 0755), 0, "%s", strerror(errno));
	sv.bystander = spawn_bystander(sv.cg);

	sv_unit("run.service", "[Service]\n"
			       "ExecStart=@P@ signals --child\n");
	sv_unit("once.service", "[Service]\n"
				"Type=oneshot\n"
				"RemainAfterExit=yes\n"
				"ExecStart=@P@ exit 0\n");
	sv_unit("fail.service", "[Service]\n"
				"ExecStart=@P@ exit 3\n");
	sv_unit("stopped.service", "[Service]\n"
				   "ExecStart=@P@ signals\n");
	sv_start("-v", sv.cg, OUTSIDE);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	cr_assert(sv_wait_svc_n("run", "child-ready", 1, T_SHORT), "%s", sv.out.text);
	cr_assert(sv_wait_svc_n("stopped", "ready", 1, T_SHORT), "%s", sv.out.text);
	cr_assert(sv_wait_status("fail", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl("stop", "stopped", NULL), 0, "%s", ctl_out);
	/* The cgroups are there while cinit runs, */
	cr_expect(exists(cg_path("run.service")));
	cr_expect(exists(cg_path("once.service")));
	cr_expect(exists(cg_path("stopped.service")));
	cr_expect(exists(cg_path("fail.service")));
	/* and what was in the directory went to init.scope. */
	cr_expect(cg_holds(INIT_SCOPE, sv.bystander), "%s", cg_procs_text(INIT_SCOPE));

	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);

	/* Gone: every NAME.service. Left: the test's sub-cgroup and init.scope (cinit cannot
	 * remove the cgroup it was in, and the bystander is there). */
	d = opendir(sv.cg);
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", sv.cg, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (strcmp(de->d_name, "test.keep") != 0 && strcmp(de->d_name, INIT_SCOPE) != 0) {
			strncat(unexpected, " ", sizeof(unexpected) - strlen(unexpected) - 1);
			strncat(unexpected, de->d_name,
				sizeof(unexpected) - strlen(unexpected) - 1);
		}
	}
	closedir(d);
	cr_expect_str_eq(unexpected, "", "left in %s after cinit exited:%s", sv.cg, unexpected);
	cr_expect(!exists(cg_path("run.service")), "run.service is left");
	cr_expect(!exists(cg_path("once.service")), "once.service is left");
	cr_expect(!exists(cg_path("stopped.service")), "stopped.service is left");
	cr_expect(!exists(cg_path("fail.service")), "fail.service is left");
	cr_expect(exists(cg_path("test.keep")), "cinit removed the test's own sub-cgroup");
	cr_expect_str_eq(cg_procs_text("test.keep"), "(empty)");
	/* No process of cinit's is left; the bystander, not cinit's, was left alone. */
	cr_expect(running(sv.bystander), "cinit killed a process it did not start");
	cr_expect_str_eq(cg_procs_text(""), "(empty)");
	n = cg_procs(INIT_SCOPE, pids, MAX_PIDS);
	cr_expect(n == 1 && pids[0] == sv.bystander, "%s holds: %s (bystander %d)", INIT_SCOPE,
		  cg_procs_text(INIT_SCOPE), sv.bystander);
}

/* ---------------------------------------------------------------------------------------- */
/* 5. A bad --cgroup: exit status 2 before anything starts */

Test(bad_cgroup, a_directory_outside_cgroup2_is_an_error_naming_it)
{
	char notcg[128], *dir_entries = NULL;
	DIR *d;
	struct dirent *de;
	const char *err;

	snprintf(notcg, sizeof(notcg), "%s/notcg", sv.dir);
	cr_assert_eq(mkdir(notcg, 0755), 0);
	sv_unit("a.service", "[Service]\n"
			     "ExecStart=/bin/sh -c 'touch @D@/started; exec @P@ signals'\n");
	sv_start(NULL, notcg, OUTSIDE);
	cr_expect_eq(sv_exit_code(T_LONG), 2, "%s%s", sv.out.text, sv.err.text);
	err = sv.err.text;
	cr_expect_eq(count_lines(err), 1, "one error line: %s", err);
	cr_expect(strncmp(err, "cinit: ", 7) == 0 && strstr(err, notcg) != NULL,
		  "the error names %s: %s", notcg, err);
	cr_expect_str_eq(sv.out.text, "", "nothing started");
	cr_expect(!exists(sv_path("started")), "a.service ran");
	/* Nothing was made in the directory either. */
	d = opendir(notcg);
	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			dir_entries = de->d_name;
	cr_expect_null(dir_entries, "cinit created %s/%s", notcg, dir_entries);
	closedir(d);
}

Test(bad_cgroup, a_relative_path_is_a_usage_error)
{
	const char *rel = "cinit-itest-relative/x";

	sv_unit("a.service", "[Service]\n"
			     "ExecStart=/bin/sh -c 'touch @D@/started; exec @P@ signals'\n");
	sv_start(NULL, rel, OUTSIDE);
	cr_expect_eq(sv_exit_code(T_LONG), 2, "%s%s", sv.out.text, sv.err.text);
	cr_expect(strstr(sv.err.text, "--cgroup") && strstr(sv.err.text, rel),
		  "a usage error naming --cgroup and the path: %s", sv.err.text);
	cr_expect(strstr(sv.err.text, "cinit --help") != NULL, "points at --help: %s", sv.err.text);
	cr_expect_str_eq(sv.out.text, "", "nothing started");
	cr_expect(!exists(sv_path("started")), "a.service ran");
	cr_expect(!exists("cinit-itest-relative"), "created a relative directory");
}

/* ---------------------------------------------------------------------------------------- */
/* 6. MemoryMax= where the memory controller is not offered: a warning, and the service runs */

Test(limits, memory_max_without_the_memory_controller_warns_and_runs)
{
	char nomem[512], controllers[PATH_MAX], text[256] = "";
	const char *line;
	bool warned = false;
	pid_t pid;
	ssize_t len;
	int fd;

	/* A sub-cgroup of the test's, whose parent enables nothing for it: no controller at
	 * all, whatever the machine's root offers. */
	cg_make();
	snprintf(nomem, sizeof(nomem), "%s", cg_path("nomem"));
	cr_assert_eq(mkdir(nomem, 0755), 0, "%s", strerror(errno));
	snprintf(controllers, sizeof(controllers), "%s/cgroup.controllers", nomem);
	fd = open(controllers, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[len > 0 ? len : 0] = '\0';
	cr_assert_null(strstr(text, "memory"), "%s offers: %s", nomem, text);

	sv_unit("mem.service", "[Service]\n"
			       "MemoryMax=64M\n"
			       "ExecStart=@P@ signals\n");
	sv_start("-v", nomem, OUTSIDE);
	cr_assert(sv_wait_svc_n("mem", "ready", 1, T_SHORT), "%s%s", sv.out.text, sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	for (line = sv.err.text; *line;) {
		const char *end = strchrnul(line, '\n');
		char one[1024];

		snprintf(one, sizeof(one), "%.*s", (int)(end - line), line);
		if (strstr(one, "mem.service") && strstr(one, "MemoryMax="))
			warned = true;
		line = *end ? end + 1 : end;
	}
	cr_expect(warned, "a warning naming mem.service and MemoryMax=: %s", sv.err.text);
	cr_expect(strstr(sv.err.text, STARTUP_DONE "1 of 1 services active, 0 failed") != NULL,
		  "%s", sv.err.text);
	cr_expect_eq(ctl("status", "mem", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);
	pid = ctl_main_pid("mem");
	cr_expect_gt(pid, 0, "%s", ctl_out);
	snprintf(text, sizeof(text), "nomem/mem.service");
	cr_expect(cg_holds(text, pid), "%d not in %s: %s", pid, text, cg_procs_text(text));
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
	cr_expect_eq(harness_state(pid), 0);
}
