/* The multi-service supervisor (cinit --units) as users see it: the lines services print, the
 * order in which they start and stop, what `cinit ctl` answers, the files their Exec*= commands
 * write, and cinit's exit status. Each test writes its units into a fresh temporary directory,
 * runs the real cinit on it (not as PID 1: a subreaper that tracks services by process group)
 * and removes the directory, and anything left running, in its teardown. Every wait has a
 * deadline, so a hang fails the test instead of blocking the suite. */
#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_SHORT	 5000
#define T_LONG	 20000
#define TEXT_MAX 65536

/* ---------------------------------------------------------------------------------------- */
/* One cinit --units per test */

struct stream {
	char text[TEXT_MAX];
	size_t len;
	bool eof;
};

static struct {
	char dir[64]; /* the test's temporary directory: units/, rt/ and marker files */
	char units[128];
	char rt[128];
	struct proc p;
	bool spawned, reaped;
	struct stream out, err; /* everything cinit printed so far */
	int notify_fd;		/* the test's own NOTIFY_SOCKET for cinit, or -1 */
} sv;

static char ctl_out[16384]; /* what the last `cinit ctl` printed */

static void sv_setup(void)
{
	memset(&sv, 0, sizeof(sv));
	sv.notify_fd = -1;
	sv.p.out_fd = sv.p.err_fd = sv.p.pty_fd = -1;
	strcpy(sv.dir, "/tmp/cinit-sup-XXXXXX");
	cr_assert_not_null(mkdtemp(sv.dir));
	snprintf(sv.units, sizeof(sv.units), "%s/units", sv.dir);
	snprintf(sv.rt, sizeof(sv.rt), "%s/rt", sv.dir);
	cr_assert_eq(mkdir(sv.units, 0755), 0);
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
	/* What cinit left (or, after a failure, everything it ran) came to us as subreaper:
	 * all of it was started by this test. Grandchildren arrive as their parents die. */
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
	if (sv.notify_fd >= 0)
		close(sv.notify_fd);
	if (sv.dir[0])
		nftw(sv.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(order, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(deps, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(restart, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(action, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(stop, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(exec, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(notify, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(types, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(timeout, .init = sv_setup, .fini = sv_teardown, .timeout = 60);
TestSuite(ctl, .init = sv_setup, .fini = sv_teardown, .timeout = 60);

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

static void sv_touch(const char *name)
{
	int fd = open(sv_path(name), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0);
	close(fd);
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

/* cinit [verbose] --units U --runtime-dir RT [-- cmd...]; env: extra NAME=VALUE entries. */
static void sv_start(const char *verbose, const char *const *env, const char *const *cmd)
{
	const char *argv[32];
	struct spawn_options o = { .env = env };
	size_t n = 0;

	argv[n++] = harness_cinit();
	if (verbose)
		argv[n++] = verbose;
	argv[n++] = "--units";
	argv[n++] = sv.units;
	argv[n++] = "--runtime-dir";
	argv[n++] = sv.rt;
	if (cmd) {
		argv[n++] = "--";
		for (size_t i = 0; cmd[i] && n < 31; i++)
			argv[n++] = strdup(expand(cmd[i]));
	}
	argv[n] = NULL;
	harness_spawn(&sv.p, &o, argv);
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

static int left_ms(long long deadline)
{
	long long left = deadline - harness_now_ms();

	return left > 0 ? (int)left : 0;
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

/* The nth (from 0) whole line "NAME[PID]: MSG" in text, or NULL; *pid set when found. */
static const char *svc_line_nth(const char *text, const char *name, const char *msg, int nth,
				int *pid)
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
			    (size_t)(end - (q + 3)) == ml && strncmp(q + 3, msg, ml) == 0 &&
			    nth-- == 0) {
				if (pid)
					*pid = (int)v;
				return line;
			}
		}
		line = end + 1;
	}
	return NULL;
}

static const char *svc_line(const char *name, const char *msg, int *pid)
{
	return svc_line_nth(sv.out.text, name, msg, 0, pid);
}

static int svc_count(const char *name, const char *msg)
{
	int n = 0;

	while (svc_line_nth(sv.out.text, name, msg, n, NULL))
		n++;
	return n;
}

/* Until service NAME has printed MSG count times (as "NAME[PID]: MSG"); *pid of the last. */
static bool sv_wait_svc_n(const char *name, const char *msg, int count, int timeout_ms, int *pid)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (!svc_line_nth(sv.out.text, name, msg, count - 1, pid)) {
		if (sv.out.eof || left_ms(deadline) == 0)
			return false;
		sv_poll(-1, left_ms(deadline), NULL);
	}
	return true;
}

static bool sv_wait_svc(const char *name, const char *msg, int timeout_ms, int *pid)
{
	return sv_wait_svc_n(name, msg, 1, timeout_ms, pid);
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

/* Offset of the first occurrence of needle in text, or -1. */
static long pos(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	return p ? p - text : -1;
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

#define STARTUP_DONE "cinit: startup finished: "

/* ---------------------------------------------------------------------------------------- */
/* 1. Start order (After=) and stop order (its reverse) */

Test(order, after_chain_starts_in_order_and_stops_in_reverse)
{
	int pid;

	/* Named against the alphabet, which is the order units are loaded in: only After=
	 * makes c start first. */
	sv_unit("c.service", "[Unit]\n"
			     "Description=first\n"
			     "[Service]\n"
			     "Type=oneshot\n"
			     "RemainAfterExit=yes\n"
			     "ExecStart=/bin/touch @D@/c.up\n"
			     "ExecStopPost=/bin/sh -c 'echo c >> @D@/stops'\n");
	sv_unit("b.service",
		"[Unit]\n"
		"After=c.service\n"
		"[Service]\n"
		"Type=notify\n"
		"ExecStart=/bin/sh -c 'if test -e @D@/c.up; then echo saw-c; else echo "
		"too-early; fi; touch @D@/b.up; exec @P@ notify READY=1'\n"
		"ExecStopPost=/bin/sh -c 'echo b >> @D@/stops'\n");
	sv_unit("a.service",
		"[Unit]\n"
		"After=b.service\n"
		"[Service]\n"
		"ExecStart=/bin/sh -c 'if test -e @D@/b.up; then echo saw-b; else echo "
		"too-early; fi; exec @P@ signals'\n"
		"ExecStopPost=/bin/sh -c 'echo a >> @D@/stops'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("a", "ready", T_SHORT, &pid), "a never ran: %s%s", sv.out.text,
		  sv.err.text);
	cr_expect(svc_line("b", "saw-c", NULL), "b started before c was done: %s", sv.out.text);
	cr_expect(svc_line("a", "saw-b", NULL), "a started before b was ready: %s", sv.out.text);
	cr_expect(sv_wait_err(STARTUP_DONE "3 of 3 services active, 0 failed", T_SHORT), "%s",
		  sv.err.text);
	long c = pos(sv.err.text, "c.service: started"), b = pos(sv.err.text, "b.service: started"),
	     a = pos(sv.err.text, "a.service: started");
	cr_expect(c >= 0 && b > c && a > b, "start order c, b, a: %s", sv.err.text);

	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
	cr_expect_str_eq(sv_read("stops"), "a\nb\nc\n", "stopped in reverse start order");
	cr_expect(svc_line("a", "main TERM", NULL), "%s", sv.out.text);
	cr_expect(strstr(sv.err.text, "cinit: all services stopped") != NULL, "%s", sv.err.text);
	cr_expect_eq(harness_state(pid), 0, "a's process %d is left", pid);
}

/* ---------------------------------------------------------------------------------------- */
/* 2, 3. Requirement dependencies and cycles */

Test(deps, requires_failure_fails_the_dependent)
{
	sv_unit("req.service", "[Service]\n"
			       "Type=oneshot\n"
			       "ExecStart=@P@ exit 1\n");
	sv_unit("dep.service", "[Unit]\n"
			       "Requires=req.service\n"
			       "After=req.service\n"
			       "[Service]\n"
			       "ExecStart=/bin/sh -c 'echo dep-ran; exec @P@ signals'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	/* req may still be in its stop phases when the start jobs are all done. */
	cr_expect(sv_wait_status("req", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(sv_wait_status("dep", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl("status", "dep", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: failed") && strstr(ctl_out, "result 'dependency'"), "%s",
		  ctl_out);
	cr_expect_eq(ctl("status", "req.service", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: failed") && strstr(ctl_out, "result 'exit-code'"), "%s",
		  ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("dep", "dep-ran"), 0, "dep ran without its requirement: %s",
		     sv.out.text);
}

Test(deps, binds_to_stops_when_the_bound_unit_exits)
{
	int pid;

	sv_unit("bound.service",
		"[Service]\n"
		"ExecStart=/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done'\n");
	sv_unit("binder.service", "[Unit]\n"
				  "BindsTo=bound.service\n"
				  "After=bound.service\n"
				  "[Service]\n"
				  "ExecStart=@P@ signals\n"
				  "ExecStopPost=/bin/sh -c 'echo binder >> @D@/stops'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("binder", "ready", T_SHORT, &pid), "%s%s", sv.out.text, sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE "2 of 2 services active", T_SHORT), "%s", sv.err.text);
	sv_touch("go"); /* bound.service exits 0 */
	cr_expect(sv_wait_err("bound.service: stopped", T_SHORT), "%s", sv.err.text);
	cr_expect(sv_wait_svc("binder", "main TERM", T_SHORT, NULL),
		  "BindsTo=: binder.service must stop when bound.service exits: %s", sv.err.text);
	cr_expect(sv_wait_status("binder", "Active: inactive", T_SHORT), "%s", ctl_out);
	cr_expect_str_eq(sv_read("stops"), "binder\n");
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(harness_state(pid), 0);
}

Test(deps, binds_to_stops_when_the_bound_unit_fails)
{
	sv_unit("bound.service",
		"[Service]\n"
		"ExecStart="
		"/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done; exit 4'\n");
	sv_unit("binder.service", "[Unit]\n"
				  "BindsTo=bound.service\n"
				  "After=bound.service\n"
				  "[Service]\n"
				  "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("binder", "ready", T_SHORT, NULL), "%s", sv.err.text);
	sv_touch("go");
	cr_expect(sv_wait_err("bound.service: failed with result 'exit-code'", T_SHORT), "%s",
		  sv.err.text);
	cr_expect(sv_wait_svc("binder", "main TERM", T_SHORT, NULL),
		  "BindsTo=: binder.service must stop when bound.service fails: %s", sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* systemd.unit(5), Requires=: "this unit will be stopped (or restarted) if one of the other
 * units is explicitly stopped (or restarted)", with or without After=. */
Test(deps, requires_follows_explicit_stop_start_and_restart)
{
	sv_unit("req.service", "[Service]\n"
			       "ExecStart=@P@ signals\n"
			       "ExecStopPost=/bin/sh -c 'echo req >> @D@/stops'\n");
	sv_unit("dep.service", "[Unit]\n"
			       "Requires=req.service\n"
			       "After=req.service\n"
			       "[Service]\n"
			       "ExecStart=@P@ signals\n"
			       "ExecStopPost=/bin/sh -c 'echo dep >> @D@/stops'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("dep", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_svc("req", "ready", T_SHORT, NULL), "%s", sv.err.text);

	cr_expect_eq(ctl("stop", "req", NULL), 0, "%s", ctl_out);
	cr_expect_str_eq(sv_read("stops"), "dep\nreq\n", "dep stops with req, and first");
	cr_expect_eq(ctl("status", "dep", NULL), 3, "%s", ctl_out);

	/* Starting dep starts what it requires, in order. */
	cr_expect_eq(ctl("start", "dep", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc_n("req", "ready", 2, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(sv_wait_svc_n("dep", "ready", 2, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(ctl("status", "req", NULL), 0, "%s", ctl_out);

	cr_expect_eq(ctl("restart", "req", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc_n("req", "ready", 3, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(sv_wait_svc_n("dep", "ready", 3, T_SHORT, NULL),
		  "restarting req restarts dep: %s", sv.out.text);
	cr_expect_str_eq(sv_read("stops"), "dep\nreq\ndep\nreq\n");
	cr_expect_eq(ctl("status", "dep", NULL), 0, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

Test(deps, wants_missing_unit_warns_and_runs)
{
	sv_unit("w.service", "[Unit]\n"
			     "Wants=nothere.service\n"
			     "After=nothere.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_expect(sv_wait_svc("w", "ready", T_SHORT, NULL), "%s%s", sv.out.text, sv.err.text);
	cr_expect(sv_wait_err(STARTUP_DONE "1 of 1 services active, 0 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_expect(strstr(sv.err.text, "w.service: Wants=nothere.service") != NULL,
		  "a warning naming the missing unit: %s", sv.err.text);
	cr_expect_eq(ctl("status", "w", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

Test(deps, requires_missing_unit_fails)
{
	sv_unit("rm.service", "[Unit]\n"
			      "Requires=nothere.service\n"
			      "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo rm-ran; exec @P@ signals'\n");
	sv_unit("other.service", "[Service]\n"
				 "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_expect(sv_wait_svc("other", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 2 services active, 1 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_expect(strstr(sv.err.text, "Requires=nothere.service") != NULL, "%s", sv.err.text);
	cr_expect_eq(ctl("status", "rm", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: failed") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("rm", "rm-ran"), 0, "%s", sv.out.text);
}

Test(deps, ordering_cycle_is_named_and_the_rest_runs)
{
	sv_unit("c1.service", "[Unit]\n"
			      "After=c2.service\n"
			      "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo c1-ran; exec @P@ signals'\n");
	sv_unit("c2.service", "[Unit]\n"
			      "After=c1.service\n"
			      "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo c2-ran; exec @P@ signals'\n");
	sv_unit("other.service", "[Service]\n"
				 "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_expect(sv_wait_svc("other", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 3 services active, 2 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_expect(strstr(sv.err.text, "ordering cycle: c1.service -> c2.service -> c1.service") ||
			  strstr(sv.err.text,
				 "ordering cycle: c2.service -> c1.service -> c2.service"),
		  "%s", sv.err.text);
	cr_expect_eq(ctl("status", "c1", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "failed") && strstr(ctl_out, "ordering cycle"), "%s", ctl_out);
	cr_expect_eq(ctl("status", "other", NULL), 0, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("c1", "c1-ran") + svc_count("c2", "c2-ran"), 0, "%s", sv.out.text);
}

/* ---------------------------------------------------------------------------------------- */
/* 4. Restart=, backoff, start limit */

static void check_start_limit(bool check_log)
{
	sv_unit("r.service", "[Unit]\n"
			     "StartLimitIntervalSec=60\n"
			     "StartLimitBurst=3\n"
			     "[Service]\n"
			     "ExecStart=/bin/sh -c 'echo run; exit 1'\n"
			     "Restart=on-failure\n"
			     "RestartSec=10ms\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("r", "result 'start-limit-hit'", T_LONG), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect(strstr(ctl_out, "Active: failed (failed)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("r", "run"), 3, "StartLimitBurst=3 allows 3 runs: %s", sv.out.text);
	cr_expect(strstr(sv.err.text, "r.service: scheduled restart in 10 ms, restart counter is "
				      "at 3") &&
			  !strstr(sv.err.text, "restart counter is at 4"),
		  "%s", sv.err.text);
	if (check_log)
		cr_expect(strstr(sv.err.text, "r.service: failed with result 'start-limit-hit'"),
			  "systemd logs \"Failed with result 'start-limit-hit'\" as for any "
			  "failure: %s",
			  sv.err.text);
}

Test(restart, start_limit_burst_allows_exactly_burst_runs)
{
	check_start_limit(false);
}

Test(restart, start_limit_hit_is_logged_as_a_failure)
{
	check_start_limit(true);
}

Test(restart, restart_steps_grow_delay_geometrically)
{
	const unsigned long want[] = { 20, 40, 80, 160, 160 };
	unsigned long got[8];
	size_t n = 0;
	const char *p;

	sv_unit("bo.service", "[Unit]\n"
			      "StartLimitIntervalSec=60\n"
			      "StartLimitBurst=5\n"
			      "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo run; exit 3'\n"
			      "Restart=always\n"
			      "RestartSec=20ms\n"
			      "RestartSteps=3\n"
			      "RestartMaxDelaySec=160ms\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("bo", "result 'start-limit-hit'", T_LONG), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect_eq(sv_stop(), 0);
	for (p = sv.err.text; (p = strstr(p, "bo.service: scheduled restart in ")) && n < 8; n++) {
		unsigned long ms;
		unsigned counter;
		p += strlen("bo.service: scheduled restart in ");
		cr_assert_eq(sscanf(p, "%lu ms, restart counter is at %u", &ms, &counter), 2, "%s",
			     p);
		cr_expect_eq(counter, n + 1, "%s", sv.err.text);
		got[n] = ms;
	}
	cr_assert_eq(n, 5, "five restarts before the limit: %s", sv.err.text);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(got[i], want[i], "restart %zu: %lu ms, want %lu ms", i + 1, got[i],
			     want[i]);
	cr_expect_eq(svc_count("bo", "run"), 5, "%s", sv.out.text);
}

Test(restart, no_restart_runs_once)
{
	sv_unit("no.service", "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo run; exit 1'\n"
			      "Restart=no\n"
			      "RestartSec=10ms\n");
	sv_unit("onf.service", "[Service]\n"
			       "ExecStart=/bin/sh -c 'echo run; exit 0'\n"
			       "Restart=on-failure\n"
			       "RestartSec=10ms\n");
	sv_start("-v", NULL, NULL);
	/* Failed and dead are final: a restart would be auto-restart first. */
	cr_assert(sv_wait_status("no", "Main PID: exited, status=1", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: failed (failed) result 'exit-code'") != NULL, "%s",
		  ctl_out);
	cr_expect(!strstr(ctl_out, "Restarts:"), "%s", ctl_out);
	cr_assert(sv_wait_status("onf", "Main PID: exited, status=0", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	cr_expect(!strstr(ctl_out, "Restarts:"), "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("no", "run"), 1, "%s", sv.out.text);
	cr_expect_eq(svc_count("onf", "run"), 1, "%s", sv.out.text);
	cr_expect(!strstr(sv.err.text, "scheduled restart"), "%s", sv.err.text);
}

Test(restart, always_restarts_after_a_clean_exit)
{
	sv_unit("al.service", "[Unit]\n"
			      "StartLimitIntervalSec=60\n"
			      "StartLimitBurst=3\n"
			      "[Service]\n"
			      "ExecStart=/bin/sh -c 'echo run; exit 0'\n"
			      "Restart=always\n"
			      "RestartSec=10ms\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("al", "result 'start-limit-hit'", T_LONG), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("al", "run"), 3, "%s", sv.out.text);
	cr_expect(strstr(sv.err.text, "al.service: scheduled restart in 10 ms, restart counter is "
				      "at 1") != NULL,
		  "%s", sv.err.text);
}

/* ---------------------------------------------------------------------------------------- */
/* 5. FailureAction=, SuccessAction=, the main command */

/* other.service records its stop in @D@/stops. */
#define OTHER_UNIT                                                                                 \
	"[Service]\n"                                                                              \
	"ExecStart=@P@ signals\n"                                                                  \
	"ExecStopPost=/bin/sh -c 'echo other >> @D@/stops'\n"

/* Until @D@/go exists, then exit N. */
#define WAIT_GO_THEN_EXIT(n) "/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done; exit " n "'"

static void check_action_exit(const char *unit, int want)
{
	int pid;

	sv_unit("other.service", OTHER_UNIT);
	sv_unit("x.service", unit);
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("other", "ready", T_SHORT, &pid), "%s", sv.err.text);
	sv_touch("go");
	cr_expect_eq(sv_exit_code(T_LONG), want, "%s", sv.err.text);
	cr_expect(svc_line("other", "main TERM", NULL), "%s", sv.out.text);
	cr_expect_str_eq(sv_read("stops"), "other\n", "the other services were stopped");
	cr_expect_eq(harness_state(pid), 0);
}

Test(action, failure_action_exit_status)
{
	check_action_exit("[Unit]\n"
			  "FailureAction=exit\n"
			  "FailureActionExitStatus=42\n"
			  "[Service]\n"
			  "ExecStart=" WAIT_GO_THEN_EXIT("5") "\n",
			  42);
}

Test(action, failure_action_defaults_to_the_main_process_status)
{
	check_action_exit("[Unit]\n"
			  "FailureAction=exit\n"
			  "[Service]\n"
			  "ExecStart=" WAIT_GO_THEN_EXIT("5") "\n",
			  5);
}

Test(action, success_action_exit_on_a_oneshot)
{
	check_action_exit("[Unit]\n"
			  "SuccessAction=exit\n"
			  "SuccessActionExitStatus=7\n"
			  "[Service]\n"
			  "Type=oneshot\n"
			  "ExecStart=" WAIT_GO_THEN_EXIT("0") "\n",
			  7);
}

Test(action, main_command_status_and_services_stopped_after_it)
{
	int pid;

	sv_unit("other.service", OTHER_UNIT);
	sv_start("-v", NULL,
		 (const char *const[]){ "/bin/sh", "-c",
					"until test -e @D@/go; do sleep 0.01; done; exit 9",
					NULL });
	cr_assert(sv_wait_svc("other", "ready", T_SHORT, &pid), "%s", sv.err.text);
	cr_expect_eq(sv_read("stops")[0], '\0', "stopped before the main command ended");
	sv_touch("go");
	cr_expect_eq(sv_exit_code(T_LONG), 9, "%s", sv.err.text);
	cr_expect(svc_line("other", "main TERM", NULL), "%s", sv.out.text);
	cr_expect_str_eq(sv_read("stops"), "other\n");
	long main_exit = pos(sv.err.text, "exited with status 9"),
	     stopped = pos(sv.err.text, "other.service: stopped");
	cr_expect(main_exit >= 0 && stopped > main_exit, "%s", sv.err.text);
	cr_expect_eq(harness_state(pid), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 6. Stopping: timeouts, a second request, KillMode=, KillSignal= */

Test(stop, term_ignored_until_timeout_then_killed)
{
	int pid;

	sv_unit("stub.service", "[Service]\n"
				"ExecStart=@P@ signals --no-exit\n"
				"TimeoutStopSec=300ms\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("stub", "ready", T_SHORT, &pid), "%s", sv.err.text);
	kill(sv.p.pid, SIGTERM);
	cr_expect(sv_wait_svc("stub", "main TERM", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(sv_exit_code(T_LONG), 0, "%s", sv.err.text);
	cr_expect(strstr(sv.err.text, "stub.service: main process") &&
			  strstr(sv.err.text, "killed by SIGKILL"),
		  "%s", sv.err.text);
	cr_expect(strstr(sv.err.text, "stub.service: failed with result 'timeout'") != NULL, "%s",
		  sv.err.text);
	cr_expect_eq(harness_state(pid), 0, "process %d is left", pid);
}

Test(stop, second_sigterm_kills_at_once)
{
	int pid;

	sv_unit("stub.service", "[Service]\n"
				"ExecStart=@P@ signals --no-exit\n"
				"TimeoutStopSec=5min\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("stub", "ready", T_SHORT, &pid), "%s", sv.err.text);
	kill(sv.p.pid, SIGTERM);
	cr_assert(sv_wait_svc("stub", "main TERM", T_SHORT, NULL), "%s", sv.out.text);
	kill(sv.p.pid, SIGTERM);
	/* Far shorter than TimeoutStopSec: only a kill at once gets there. */
	cr_expect_eq(sv_exit_code(T_LONG), 0, "%s", sv.err.text);
	cr_expect_eq(harness_state(pid), 0, "process %d is left", pid);
}

Test(stop, kill_mode_process_leaves_the_child_control_group_does_not)
{
	int kp, kc, n;
	pid_t kp_child, kc_child;

	sv_unit("kp.service", "[Service]\n"
			      "ExecStart=@P@ signals --child\n"
			      "KillMode=process\n");
	sv_unit("kc.service", "[Service]\n"
			      "ExecStart=@P@ signals --child\n"
			      "KillMode=control-group\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("kp", "child-ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_svc("kc", "child-ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_svc("kp", "ready", T_SHORT, &kp));
	cr_assert(sv_wait_svc("kc", "ready", T_SHORT, &kc));
	n = harness_children(kp, &kp_child, 1);
	cr_assert_eq(n, 1);
	n = harness_children(kc, &kc_child, 1);
	cr_assert_eq(n, 1);

	cr_expect_eq(ctl("stop", "kp", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc("kp", "main TERM", T_SHORT, NULL), "%s", sv.out.text);
	/* The child did not get TERM (it would have exited): it still answers. */
	kill(kp_child, SIGUSR1);
	cr_expect(sv_wait_svc("kp", "child USR1", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(!svc_line("kp", "child TERM", NULL), "%s", sv.out.text);
	cr_expect_neq(harness_state(kp_child), 0);

	cr_expect_eq(ctl("stop", "kc", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc("kc", "main TERM", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(sv_wait_svc("kc", "child TERM", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(wait_gone(kc_child, T_SHORT), "kc's child %d is left", kc_child);

	/* At the end, cinit takes care of what KillMode=process left. */
	cr_expect_eq(sv_stop(), 0);
	cr_expect(svc_line("kp", "child TERM", NULL), "%s", sv.out.text);
	cr_expect_eq(harness_state(kp_child), 0, "kp's child %d is left", kp_child);
}

Test(stop, kill_signal_is_what_the_service_receives)
{
	sv_unit("ks.service", "[Service]\n"
			      "ExecStart=@P@ signals\n"
			      "KillSignal=SIGUSR1\n"
			      "TimeoutStopSec=300ms\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("ks", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_expect_eq(ctl("stop", "ks", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc("ks", "main USR1", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(!svc_line("ks", "main TERM", NULL), "SIGTERM sent despite KillSignal=: %s",
		  sv.out.text);
	cr_expect_eq(ctl("status", "ks", NULL), 3, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 7. ExecStartPre=, ExecStartPost=, ExecStop=, ExecStopPost= */

Test(exec, commands_run_in_order)
{
	int pid;
	char want[128];

	/* Type=notify: ExecStartPost= waits for READY=1, which follows the main line. */
	sv_unit("seq.service",
		"[Service]\n"
		"Type=notify\n"
		"ExecStartPre=/bin/sh -c 'echo pre >> @D@/seq'\n"
		"ExecStart=/bin/sh -c 'echo main >> @D@/seq; exec @P@ notify READY=1'\n"
		"ExecStartPost=/bin/sh -c 'echo post >> @D@/seq'\n"
		"ExecStop=/bin/sh -c 'echo stop $$MAINPID >> @D@/seq'\n"
		"ExecStopPost=/bin/sh -c 'echo stoppost >> @D@/seq'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err("seq.service: started", T_SHORT), "%s", sv.err.text);
	cr_assert(sv_wait_svc("seq", "notified", T_SHORT, &pid), "%s", sv.out.text);
	cr_expect_str_eq(sv_read("seq"), "pre\nmain\npost\n");
	cr_expect_eq(ctl("stop", "seq", NULL), 0, "%s", ctl_out);
	snprintf(want, sizeof(want), "pre\nmain\npost\nstop %d\nstoppost\n", pid);
	cr_expect_str_eq(sv_read("seq"), want);
	cr_expect_eq(sv_stop(), 0);
}

Test(exec, failing_start_pre_stops_the_start)
{
	sv_unit("badpre.service", "[Service]\n"
				  "ExecStartPre=/bin/false\n"
				  "ExecStart=/bin/sh -c 'echo main >> @D@/log; exec @P@ signals'\n"
				  "ExecStartPost=/bin/sh -c 'echo post >> @D@/log'\n"
				  "ExecStopPost=/bin/sh -c 'echo stoppost >> @D@/log'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("badpre", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "result 'exit-code'") != NULL, "%s", ctl_out);
	cr_expect_str_eq(sv_read("log"), "stoppost\n", "only ExecStopPost= runs");
	cr_expect_eq(sv_stop(), 0);
}

Test(exec, dash_prefix_ignores_failure)
{
	sv_unit("dash.service", "[Service]\n"
				"ExecStartPre=-/bin/false\n"
				"ExecStartPre=/bin/sh -c 'echo pre >> @D@/log'\n"
				"ExecStart=@P@ signals\n"
				"ExecStartPost=-/bin/sh -c 'exit 3'\n"
				"ExecStopPost=-/bin/false\n"
				"ExecStopPost=/bin/sh -c 'echo stoppost >> @D@/log'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("dash", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_status("dash", "Active: active (running)", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl("stop", "dash", NULL), 0, "%s", ctl_out);
	cr_expect_eq(ctl("status", "dash", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	cr_expect_str_eq(sv_read("log"), "pre\nstoppost\n");
	cr_expect_eq(sv_stop(), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 8. Type=notify, watchdog, readiness towards cinit's parent */

Test(notify, ready_gates_an_after_dependent_and_status_is_shown)
{
	sv_unit("n.service",
		"[Service]\n"
		"Type=notify\n"
		"ExecStart=/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done; touch "
		"@D@/n.ready; exec @P@ notify \"READY=1\\nSTATUS=serving 3 clients\"'\n");
	sv_unit("dep.service", "[Unit]\n"
			       "After=n.service\n"
			       "[Service]\n"
			       "Type=oneshot\n"
			       "RemainAfterExit=yes\n"
			       "ExecStart=/bin/sh -c 'if test -e @D@/n.ready; then echo saw-ready; "
			       "else echo too-early; fi'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("n", "Active: activating", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl("status", "dep", NULL), 3, "dep must wait for READY=1: %s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: activating") != NULL, "%s", ctl_out);
	sv_touch("go");
	cr_expect(sv_wait_svc("dep", "saw-ready", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(svc_count("dep", "too-early"), 0, "%s", sv.out.text);
	cr_expect(sv_wait_err(STARTUP_DONE "2 of 2 services active, 0 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_expect_eq(ctl("status", "n", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Status: \"serving 3 clients\"") != NULL, "%s", ctl_out);
	cr_expect_eq(ctl("status", "n", "--json", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "\"status\":\"serving 3 clients\"") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

/* RELOADING=1 puts a notify service in "reloading" until its READY=1, as in systemd. */
Test(notify, reloading_until_ready)
{
	sv_unit("r.service",
		"[Service]\n"
		"Type=notify\n"
		/* Each sender lives on for a second: a notice from a process that is already
		 * gone cannot be traced to its service (as with systemd-notify). */
		"ExecStart=/bin/sh -c 'trap \"R=1\" HUP; @P@ notify READY=1 1; "
		"while :; do if test -n \"$R\"; then R=; @P@ notify RELOADING=1 1; "
		"until test -e @D@/reloaded; do sleep 0.01; done; @P@ notify READY=1 1; fi; "
		"sleep 0.02; done'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("r", "Active: active (running)", T_SHORT), "%s", ctl_out);
	cr_assert_eq(ctl("kill", "-s", "HUP", "r", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_status("r", "Active: reloading (reload)", T_SHORT), "%s", ctl_out);
	sv_touch("reloaded");
	cr_expect(sv_wait_status("r", "Active: active (running)", T_SHORT), "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

Test(notify, exit_without_ready_is_a_protocol_failure)
{
	sv_unit("noready.service", "[Service]\n"
				   "Type=notify\n"
				   "ExecStart=@P@ exit 0\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("noready", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "result 'protocol'") != NULL, "%s", ctl_out);
	cr_expect(strstr(sv.err.text, "noready.service: started") == NULL, "%s", sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* The test's own NOTIFY_SOCKET for cinit; returns the environment entry. */
static const char *listen_notify(void)
{
	static char env[300];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = sv_path("parent.sock");

	cr_assert_lt(strlen(path), sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	sv.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(sv.notify_fd, 0);
	cr_assert_eq(bind(sv.notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s",
		     strerror(errno));
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", path);
	return env;
}

/* The next datagram on the test's NOTIFY_SOCKET (static), or NULL after timeout_ms. */
static const char *recv_notify(int timeout_ms)
{
	static char buf[1024];
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		bool ready;
		ssize_t n;
		sv_poll(sv.notify_fd, left_ms(deadline), &ready);
		if (ready) {
			n = recv(sv.notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (n >= 0) {
				buf[n] = '\0';
				return buf;
			}
		}
		if (left_ms(deadline) == 0)
			return NULL;
	}
}

Test(notify, cinit_sends_ready_to_its_parent_once_all_started)
{
	const char *env[] = { listen_notify(), NULL };
	const char *msg;

	sv_unit("n.service",
		"[Service]\n"
		"Type=notify\n"
		"ExecStart=/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done; exec "
		"@P@ notify READY=1'\n");
	sv_unit("s.service", "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", env, NULL);
	cr_assert(sv_wait_svc("s", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_status("n", "Active: activating", T_SHORT), "%s", ctl_out);
	msg = recv_notify(200);
	cr_expect_null(msg, "READY before n.service was ready: %s", msg ? msg : "");
	sv_touch("go");
	msg = recv_notify(T_SHORT);
	cr_assert_not_null(msg, "no READY=1: %s", sv.err.text);
	cr_expect(strstr(msg, "READY=1") != NULL, "%s", msg);
	cr_expect(strstr(msg, "STATUS=2 of 2 services active, 0 failed") != NULL, "%s", msg);
	cr_expect_eq(sv_stop(), 0);
}

Test(notify, watchdog_timeout_without_keepalive)
{
	sv_unit("wd.service", "[Service]\n"
			      "Type=notify\n"
			      "WatchdogSec=300ms\n"
			      "ExecStart=@P@ notify READY=1\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("wd", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "result 'watchdog'") != NULL, "%s", ctl_out);
	cr_expect(strstr(sv.err.text, "wd.service: started") != NULL, "%s", sv.err.text);
	cr_expect(strstr(sv.err.text, "killed by SIGABRT") != NULL, "WatchdogSignal=SIGABRT: %s",
		  sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 9. Type=forking, Type=oneshot, Type=exec */

Test(types, forking_pid_file_is_the_main_pid)
{
	char want[64];
	int daemon_pid;

	sv_unit("fork.service", "[Service]\n"
				"Type=forking\n"
				"PIDFile=@D@/fork.pid\n"
				"ExecStart=@P@ daemon @D@/fork.pid\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("fork", "Active: active (running)", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	cr_assert_eq(sscanf(sv_read("fork.pid"), "%d", &daemon_pid), 1);
	snprintf(want, sizeof(want), "Main PID: %d\n", daemon_pid);
	cr_expect(strstr(ctl_out, want) != NULL, "want \"%s\": %s", want, ctl_out);
	cr_expect_neq(harness_state(daemon_pid), 0);
	cr_expect_eq(ctl("stop", "fork", NULL), 0, "%s", ctl_out);
	cr_expect(wait_gone(daemon_pid, T_SHORT), "the daemon %d is left", daemon_pid);
	cr_expect_eq(ctl("status", "fork", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

Test(types, oneshot_remain_after_exit_is_active_exited)
{
	sv_unit("once.service", "[Service]\n"
				"Type=oneshot\n"
				"RemainAfterExit=yes\n"
				"ExecStart=/bin/sh -c 'echo did-it'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err(STARTUP_DONE "1 of 1 services active, 0 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_expect_eq(ctl("status", "once", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (exited)") != NULL, "%s", ctl_out);
	cr_expect(sv_wait_svc("once", "did-it", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(sv_stop(), 0);
}

Test(types, exec_and_simple_with_a_missing_program_fail)
{
	sv_unit("ex.service", "[Service]\n"
			      "Type=exec\n"
			      "ExecStart=/nonexistent/prog\n");
	sv_unit("si.service", "[Service]\n"
			      "Type=simple\n"
			      "ExecStart=/nonexistent/prog2\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	cr_expect(sv_wait_status("ex", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(sv_wait_status("si", "Active: failed", T_SHORT), "%s", ctl_out);
	/* Type=exec: the start job itself fails; Type=simple counts as started once forked. */
	cr_expect(strstr(sv.err.text, "ex.service: started") == NULL, "%s", sv.err.text);
	cr_expect(strstr(sv.err.text, "ex.service: failed at step EXEC") != NULL, "%s",
		  sv.err.text);
	cr_expect(strstr(sv.err.text, "spawning /nonexistent/prog: No such file or directory"),
		  "systemd names the program: \"Failed at step EXEC spawning /nonexistent/prog: "
		  "No such file or directory\": %s",
		  sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 10. Timeouts */

Test(timeout, start_timeout_without_ready)
{
	sv_unit("to.service", "[Service]\n"
			      "Type=notify\n"
			      "TimeoutStartSec=300ms\n"
			      "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_status("to", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect(strstr(ctl_out, "result 'timeout'") != NULL, "%s", ctl_out);
	cr_expect(svc_line("to", "main TERM", NULL), "stopped with SIGTERM: %s", sv.out.text);
	cr_expect(strstr(sv.err.text, "to.service: started") == NULL, "%s", sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* cinit ctl: jobs, kill, unknown units, listing */

Test(ctl, jobs_kill_and_listing)
{
	sv_unit("s.service", "[Unit]\n"
			     "Description=the s service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n"
			     "ExecStopPost=/bin/sh -c 'echo stopped >> @D@/log'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("s", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_expect_eq(ctl("status", "nope", NULL), 4, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "nope") != NULL, "%s", ctl_out);
	cr_expect_eq(ctl("kill", "-s", "USR1", "s", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc("s", "main USR1", T_SHORT, NULL), "%s", sv.out.text);

	cr_expect_eq(ctl("stop", "s", NULL), 0, "%s", ctl_out);
	cr_expect_str_eq(sv_read("log"), "stopped\n", "stop replies once the job is done");
	cr_expect_eq(ctl("status", "s", NULL), 3, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: inactive (dead)") != NULL, "%s", ctl_out);

	cr_expect_eq(ctl("start", "s", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc_n("s", "ready", 2, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(ctl("restart", "s", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc_n("s", "ready", 3, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_str_eq(sv_read("log"), "stopped\nstopped\n");
	cr_expect_eq(ctl("status", "s", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);

	cr_expect_eq(ctl("list-units", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "s.service") && strstr(ctl_out, "the s service"), "%s", ctl_out);
	cr_expect_eq(ctl("stop", "nope", NULL), 4, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("s", "main TERM"), 3, "%s", sv.out.text);
}

/* ---------------------------------------------------------------------------------------- */
/* Regressions: each test fails on a bug a review found (and that has been fixed). */

TestSuite(regress, .init = sv_setup, .fini = sv_teardown, .timeout = 60);

/* A `cinit ctl` that runs while the test goes on. */
struct bg_ctl {
	pid_t pid;
	int fd;		/* its stdout and stderr */
	char out[8192]; /* what it printed so far */
	size_t len;
};

static void ctl_bg_argv(struct bg_ctl *b, const char *const *args)
{
	const char *argv[16];
	int fds[2], n = 0;

	argv[n++] = harness_cinit();
	argv[n++] = "ctl";
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(b, 0, sizeof(*b));
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	b->pid = fork();
	cr_assert_geq(b->pid, 0);
	if (b->pid == 0) {
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
	b->fd = fds[0];
}

/* `cinit ctl ARG...` (NULL-terminated) in the background. */
static void ctl_bg(struct bg_ctl *b, const char *arg, ...)
{
	const char *args[14];
	size_t n = 0;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && n < 13; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	ctl_bg_argv(b, args);
}

/* Its exit code once it ends, reading its output (and cinit's) meanwhile; -1 if it has not
 * ended within timeout_ms (it is killed then). */
static int ctl_bg_wait(struct bg_ctl *b, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	int status;

	while (b->fd >= 0 && left_ms(deadline) > 0) {
		bool ready;
		ssize_t r;
		sv_poll(b->fd, left_ms(deadline), &ready);
		if (!ready)
			continue;
		r = read(b->fd, b->out + b->len, sizeof(b->out) - 1 - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || b->len + (size_t)r == sizeof(b->out) - 1) {
			close(b->fd);
			b->fd = -1;
		}
		if (r > 0) {
			b->len += (size_t)r;
			b->out[b->len] = '\0';
		}
	}
	if (b->fd >= 0) {
		close(b->fd);
		b->fd = -1;
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		return -1;
	}
	while (waitpid(b->pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* As ctl(), but -1 unless it ends within timeout_ms: for requests a bug left unanswered. */
static int ctl_within(int timeout_ms, const char *arg, ...)
{
	const char *args[14];
	struct bg_ctl b;
	size_t n = 0;
	va_list ap;
	int code;

	va_start(ap, arg);
	for (const char *a = arg; a && n < 13; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	ctl_bg_argv(&b, args);
	code = ctl_bg_wait(&b, timeout_ms);
	snprintf(ctl_out, sizeof(ctl_out), "%s", b.out);
	return code;
}

/* Until `cinit ctl status NAME` prints needle, each answer within the deadline; false if the
 * deadline passes (or cinit stops answering). */
static bool wait_status_within(const char *name, const char *needle, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		if (ctl_within(left_ms(deadline) > 0 ? left_ms(deadline) : 1, "status", name,
			       NULL) < 0)
			return false;
		if (strstr(ctl_out, needle))
			return true;
		if (left_ms(deadline) == 0)
			return false;
		sv_poll(-1, left_ms(deadline) < 20 ? left_ms(deadline) : 20, NULL);
	}
}

/* "Main PID: N" of the last status, or 0. */
static int status_main_pid(void)
{
	const char *p = strstr(ctl_out, "Main PID: ");
	int pid = 0;

	if (p && sscanf(p, "Main PID: %d", &pid) != 1)
		pid = 0;
	return pid;
}

/* A new cinit on the same units, after the last one has exited. */
static void sv_restart(const char *verbose)
{
	cr_assert(sv.reaped);
	memset(&sv.out, 0, sizeof(sv.out));
	memset(&sv.err, 0, sizeof(sv.err));
	memset(&sv.p, 0, sizeof(sv.p));
	sv.p.out_fd = sv.p.err_fd = sv.p.pty_fd = -1;
	sv.spawned = sv.reaped = false;
	sv_start(verbose, NULL, NULL);
}

/* Bug 1: cinit exited without reading the last lines services wrote before they ended. */
Test(regress, last_lines_before_shutdown_are_printed)
{
	static const char *const names[] = { "s1", "s2", "s3", "s4", "s5", "s6" };
	char unit[32];

	for (size_t i = 0; i < 6; i++) {
		snprintf(unit, sizeof(unit), "%s.service", names[i]);
		sv_unit(unit, "[Service]\n"
			      "ExecStart=@P@ signals\n");
	}
	for (int round = 0; round < 5; round++) {
		if (round == 0)
			sv_start("-v", NULL, NULL);
		else
			sv_restart("-v");
		for (size_t i = 0; i < 6; i++)
			cr_assert(sv_wait_svc(names[i], "ready", T_SHORT, NULL),
				  "round %d: %s never ran: %s%s", round, names[i], sv.out.text,
				  sv.err.text);
		cr_assert_eq(sv_stop(), 0, "round %d: %s", round, sv.err.text);
		for (size_t i = 0; i < 6; i++)
			cr_assert_eq(svc_count(names[i], "main TERM"), 1,
				     "round %d: %s's last line is lost: %s", round, names[i],
				     sv.out.text);
	}
}

/* Bug 2: an ordering cycle that came with reload-units freed the spec of a running unit, and
 * cinit crashed when that unit's main process ended. */
Test(regress, cycle_from_reload_with_a_running_unit)
{
	int pid, pidfd;

	sv_unit("a.service", "[Service]\n"
			     "ExecStart=@P@ sleep 1000\n");
	sv_start("-v", NULL, NULL);
	cr_assert(wait_status_within("a", "Active: active (running)", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	pid = status_main_pid();
	cr_assert_gt(pid, 0, "%s", ctl_out);
	/* A pidfd: the pid may be reused once cinit has stopped a itself. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	cr_assert_geq(pidfd, 0, "pidfd_open %d: %s", pid, strerror(errno));

	sv_unit("c.service", "[Unit]\n"
			     "After=a.service\n"
			     "Before=a.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	cr_expect_eq(ctl_within(T_SHORT, "reload-units", NULL), 0, "%s", ctl_out);
	cr_assert_neq(ctl_within(T_SHORT, "status", "a", NULL), -1,
		      "cinit does not answer after the reload: %s", sv.err.text);
	cr_expect(sv_wait_err("ordering cycle: ", T_SHORT), "the cycle is logged: %s", sv.err.text);
	cr_expect(
		strstr(sv.err.text, "ordering cycle: a.service -> c.service -> a.service") ||
			strstr(sv.err.text, "ordering cycle: c.service -> a.service -> c.service"),
		"%s", sv.err.text);

	/* a's main process ends (if cinit has not stopped it already). */
	(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	close(pidfd);
	cr_expect(wait_gone(pid, T_SHORT), "a's process %d is left", pid);
	cr_assert_neq(ctl_within(T_SHORT, "status", "a", NULL), -1,
		      "cinit does not answer after a's main process ended: %s", sv.err.text);
	cr_assert(!sv_exited(), "cinit is gone: %s", sv.err.text);
	cr_assert_neq(ctl_within(T_SHORT, "list-units", NULL), -1, "%s", sv.err.text);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Bug 3: a start that failed on a dependency never replied. */
Test(regress, start_failing_on_a_missing_requirement_replies)
{
	sv_unit("x.service", "[Unit]\n"
			     "Requires=missing.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	cr_expect_eq(ctl_within(T_SHORT, "start", "x", NULL), 1, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "x.service") != NULL, "the reply names x: %s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "status", "x", NULL), 3, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}

/* Bug 4: a start replaced by a stop never replied. */
Test(regress, start_replaced_by_a_stop_replies)
{
	struct bg_ctl start;
	int code;

	/* Fails at boot; once go exists, the start waits in ExecStartPre=. */
	sv_unit("slow.service", "[Service]\n"
				"ExecStartPre=/bin/sh -c 'test -e @D@/go && exec @P@ sleep 30'\n"
				"ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(wait_status_within("slow", "Active: failed", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	sv_touch("go");
	ctl_bg(&start, "start", "slow", NULL);
	/* Activating again: cinit has taken the start request. */
	cr_assert(wait_status_within("slow", "Active: activating (start-pre)", T_SHORT), "%s%s",
		  ctl_out, sv.err.text);
	cr_expect_eq(ctl_within(T_SHORT, "stop", "slow", NULL), 0, "%s", ctl_out);
	code = ctl_bg_wait(&start, T_SHORT);
	cr_expect_neq(code, -1, "the start was never answered");
	cr_expect_neq(code, 0, "the start was cancelled: %s", start.out);
	cr_expect(wait_status_within("slow", "Active: inactive (dead)", T_SHORT), "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("slow", "ready"), 0, "%s", sv.out.text);
}

/* Bug 5: a stop during ExecStartPost= ran ExecStop= beside the start-post process. systemd
 * goes straight to the SIGTERM round from start-post: ExecStop= does not run. */
Test(regress, stop_during_start_post_skips_exec_stop)
{
	sv_unit("sp.service", "[Service]\n"
			      "ExecStart=@P@ signals\n"
			      "ExecStartPost=@P@ sleep 30\n"
			      "ExecStop=/bin/sh -c 'echo stop-ran >> @D@/marker'\n"
			      "KillMode=process\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("sp", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(wait_status_within("sp", "Active: activating (start-post)", T_SHORT), "%s%s",
		  ctl_out, sv.err.text);
	cr_expect_eq(ctl_within(T_SHORT, "stop", "sp", NULL), 0, "%s", ctl_out);
	cr_expect(wait_status_within("sp", "Active: inactive (dead)", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect(svc_line("sp", "main TERM", NULL), "%s", sv.out.text);
	cr_expect_str_eq(sv_read("marker"), "", "ExecStop= ran during start-post");

	/* cinit is still sound: the unit goes with its file. */
	cr_assert_eq(unlink(sv_path("units/sp.service")), 0);
	cr_expect_eq(ctl_within(T_SHORT, "reload-units", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "1 removed") != NULL, "%s", ctl_out);
	cr_expect(wait_status_within("sp", "could not be found", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
	cr_expect_str_eq(sv_read("marker"), "");
}

/* Bug 6: BindsTo= did not follow a bound unit that gave up restarting. */
Test(regress, binds_to_follows_start_limit_hit)
{
	sv_unit("y.service", "[Unit]\n"
			     "StartLimitBurst=3\n"
			     "StartLimitIntervalSec=60\n"
			     "[Service]\n"
			     "ExecStart=/bin/sh -c 'sleep 0.2; exit 1'\n"
			     "Restart=always\n"
			     "RestartSec=10ms\n");
	sv_unit("x.service", "[Unit]\n"
			     "BindsTo=y.service\n"
			     "After=y.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("x", "ready", T_SHORT, NULL), "%s%s", sv.out.text, sv.err.text);
	cr_assert(wait_status_within("y", "result 'start-limit-hit'", T_LONG), "%s%s", ctl_out,
		  sv.err.text);
	cr_expect(wait_status_within("x", "Active: inactive", T_SHORT),
		  "x is bound to y, which failed: %s%s", ctl_out, sv.err.text);
	cr_expect(svc_line("x", "main TERM", NULL), "%s", sv.out.text);
	cr_expect_eq(sv_stop(), 0);
}

/* Bug 7: a start while the unit was stopping on its own replied 0 and left it dead. */
Test(regress, start_while_stopping_on_its_own_starts_it_again)
{
	sv_unit("web.service", "[Service]\n"
			       "ExecStart=@P@ signals\n"
			       "ExecStop=@P@ sleep 2\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("web", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert_eq(ctl_within(T_SHORT, "kill", "web", NULL), 0, "%s", ctl_out);
	cr_assert(sv_wait_svc("web", "main TERM", T_SHORT, NULL), "%s", sv.out.text);
	/* The main process has ended; ExecStop= runs. */
	cr_assert(wait_status_within("web", "Active: deactivating (stop)", T_SHORT), "%s%s",
		  ctl_out, sv.err.text);
	cr_expect_eq(ctl_within(T_LONG, "start", "web", NULL), 0, "%s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "status", "web", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);
	cr_expect(sv_wait_svc_n("web", "ready", 2, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(sv_stop(), 0);
}

/* Bug 8: a PIDFile= that is a FIFO blocked cinit in open(). */
Test(regress, pid_file_fifo_does_not_block)
{
	sv_unit("ff.service", "[Service]\n"
			      "Type=forking\n"
			      "PIDFile=@D@/p.pid\n"
			      "ExecStart=/usr/bin/mkfifo @D@/p.pid\n");
	sv_start("-v", NULL, NULL);
	cr_expect(wait_status_within("ff", "Active: failed", T_SHORT),
		  "cinit must keep answering and the unit fail: %s%s", ctl_out, sv.err.text);
	cr_assert_neq(ctl_within(T_SHORT, "list-units", NULL), -1, "%s", sv.err.text);
	cr_expect_eq(sv_stop(), 0);
}

/* Bug 9: with Requires= but no After=, a failed start of the required unit stopped the
 * dependent that was running. systemd stops it only on an explicit stop of the other. */
Test(regress, requires_without_after_survives_a_failed_start)
{
	sv_unit("y.service", "[Service]\n"
			     "ExecStartPre=/bin/false\n"
			     "ExecStart=@P@ signals\n");
	sv_unit("x.service", "[Unit]\n"
			     "Requires=y.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("x", "ready", T_SHORT, NULL), "%s", sv.err.text);
	cr_assert(sv_wait_err(STARTUP_DONE, T_SHORT), "%s", sv.err.text);
	cr_assert(wait_status_within("y", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "status", "x", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);

	/* Now with x surely running before y's start fails. */
	cr_expect_eq(ctl_within(T_SHORT, "start", "y", NULL), 1, "%s", ctl_out);
	cr_expect(wait_status_within("y", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "status", "x", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
	cr_expect_eq(svc_count("x", "ready"), 1, "x was restarted: %s", sv.out.text);
	cr_expect_eq(svc_count("x", "main TERM"), 1, "x stopped early: %s", sv.out.text);
}

/* ---- Second review ---------------------------------------------------------------------- */

/* Until the background ctl has sent its request and waits for the reply (blocked in read()):
 * a request made after that reaches cinit after it. */
static bool ctl_bg_sent(struct bg_ctl *b, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)b->pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		long nr;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "%ld ", &nr) == 1 && nr == SYS_read)
				return true;
		}
		if (left_ms(deadline) == 0)
			return false;
		sv_poll(-1, 10, NULL);
	}
}

/* Bug 10: MAINPID= could name a process that is not the service's (here cinit's main command);
 * cinit took it over as the service's main process and never noticed the main command end. */
Test(regress, mainpid_of_the_main_command_is_ignored)
{
	char want[96];
	int main_cmd;

	sv_unit("m.service",
		"[Service]\n"
		"Type=notify\n"
		"ExecStart=/bin/sh -c 'until test -s @D@/mainpid; do sleep 0.01; done; "
		"exec @P@ notify \"READY=1\\nMAINPID=$$(cat @D@/mainpid)\"'\n");
	sv_start("-v", NULL,
		 (const char *const[]){ "/bin/sh", "-c",
					"echo $$ > @D@/mainpid; until test -e @D@/go; do sleep "
					"0.01; done; exit 0",
					NULL });
	cr_assert(sv_wait_svc("m", "notified", T_SHORT, NULL), "%s%s", sv.out.text, sv.err.text);
	cr_assert(wait_status_within("m", "Active: active (running)", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	cr_assert_eq(sscanf(sv_read("mainpid"), "%d", &main_cmd), 1);
	snprintf(want, sizeof(want), "m.service: process %d is not the service's", main_cmd);
	cr_expect(sv_wait_err(want, T_SHORT), "the foreign MAINPID= is logged: %s", sv.err.text);
	snprintf(want, sizeof(want), "Main PID: %d\n", main_cmd);
	cr_expect(!strstr(ctl_out, want), "the main command became m's main process: %s", ctl_out);

	sv_touch("go"); /* the main command exits 0 */
	cr_expect_eq(sv_exit_code(T_SHORT), 0, "cinit must exit with its main command: %s",
		     sv.err.text);
}

/* Bug 11: a main exit after RELOADING=1 (no ExecReload=) left the service "reloading". */
Test(regress, main_exit_during_self_announced_reload_fails_the_service)
{
	sv_unit("rl.service",
		"[Service]\n"
		"Type=notify\n"
		"Restart=no\n"
		"TimeoutStartSec=infinity\n"
		/* Each sender lives on for a second, so that its notice can be traced. */
		"ExecStart=/bin/sh -c '@P@ notify READY=1 1; @P@ notify RELOADING=1 1; "
		"until test -e @D@/go; do sleep 0.01; done; exit 3'\n");
	sv_start("-v", NULL, NULL);
	cr_assert(wait_status_within("rl", "Active: reloading", T_SHORT), "%s%s", ctl_out,
		  sv.err.text);
	sv_touch("go");
	cr_expect(wait_status_within("rl", "Active: failed", T_SHORT),
		  "the main process ended during the reload: %s%s", ctl_out, sv.err.text);
	cr_expect(strstr(ctl_out, "result 'exit-code'") != NULL, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "status=3") != NULL, "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Bug 12: a stop that replaced the restart job a `ctl start` made (the unit was stopping on
 * its own) never answered that start. */
Test(regress, stop_replacing_a_pending_restart_answers_the_start)
{
	struct bg_ctl start;
	int code;

	sv_unit("a.service", "[Service]\n"
			     "ExecStart=/bin/sh -c 'exit 1'\n"
			     "ExecStopPost=@P@ sleep 4\n");
	sv_start("-v", NULL, NULL);
	cr_assert(wait_status_within("a", "Active: deactivating (stop-post)", T_SHORT), "%s%s",
		  ctl_out, sv.err.text);
	ctl_bg(&start, "start", "a", NULL);
	/* The start request is in cinit's hands before the stop's (and a is still in stop-post:
	 * the start waits for it to end). */
	cr_assert(ctl_bg_sent(&start, T_SHORT), "the start client never sent its request");
	cr_assert(wait_status_within("a", "Active: deactivating (stop-post)", T_SHORT), "%s",
		  ctl_out);
	cr_expect_eq(ctl_within(T_LONG, "stop", "a", NULL), 0, "%s", ctl_out);
	code = ctl_bg_wait(&start, T_SHORT);
	cr_expect_neq(code, -1, "the start was never answered: %s", sv.err.text);
	cr_expect_neq(code, 0, "the start was canceled: %s", start.out);
	cr_expect(strstr(start.out, "canceled") != NULL, "%s", start.out);
	/* Stopped, not started again: still failed from its own exit. */
	cr_expect(wait_status_within("a", "Active: failed", T_SHORT), "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Bug 13: `ctl restart` of a running unit whose file had become broken stopped the unit and
 * never replied. */
Test(regress, restart_of_a_running_unit_with_a_broken_file_is_refused)
{
	int pid;

	sv_unit("a.service", "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc("a", "ready", T_SHORT, &pid), "%s%s", sv.out.text, sv.err.text);
	cr_assert(wait_status_within("a", "Active: active (running)", T_SHORT), "%s", ctl_out);
	sv_unit("a.service", "[Service]\n"
			     "Type=wrong\n"
			     "ExecStart=@P@ signals\n");
	cr_expect_eq(ctl_within(T_SHORT, "reload-units", NULL), 0, "%s", ctl_out);
	cr_expect(wait_status_within("a", "Error: ", T_SHORT), "the error is shown: %s", ctl_out);

	cr_expect_eq(ctl_within(T_SHORT, "restart", "a", NULL), 1,
		     "the restart must be refused at once: %s%s", ctl_out, sv.err.text);
	cr_expect(strstr(ctl_out, "a.service") && strstr(ctl_out, "wrong"),
		  "the reply names the error: %s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "status", "a", NULL), 0, "%s", ctl_out);
	cr_expect(strstr(ctl_out, "Active: active (running)") != NULL, "%s", ctl_out);
	cr_expect_eq(status_main_pid(), pid, "%s", ctl_out);
	cr_expect_eq(svc_count("a", "main TERM"), 0, "a was stopped: %s", sv.out.text);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Bug 14: units refused for an ordering cycle stayed refused once the cycle was fixed. */
Test(regress, fixed_cycle_starts_after_reload)
{
	sv_unit("a.service", "[Unit]\n"
			     "After=b.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_unit("b.service", "[Unit]\n"
			     "After=a.service\n"
			     "[Service]\n"
			     "ExecStart=@P@ signals\n");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_err(STARTUP_DONE "0 of 2 services active, 2 failed", T_SHORT), "%s",
		  sv.err.text);
	cr_assert(wait_status_within("b", "ordering cycle", T_SHORT), "%s", ctl_out);

	sv_unit("b.service", "[Service]\n"
			     "ExecStart=@P@ signals\n");
	cr_expect_eq(ctl_within(T_SHORT, "reload-units", NULL), 0, "%s", ctl_out);
	cr_expect(wait_status_within("b", "Active: active (running)", T_SHORT),
		  "b is no longer in a cycle: %s%s", ctl_out, sv.err.text);
	cr_expect(wait_status_within("a", "Active: active (running)", T_SHORT),
		  "a is no longer in a cycle: %s%s", ctl_out, sv.err.text);
	cr_expect_eq(ctl_within(T_SHORT, "start", "b", NULL), 0, "%s", ctl_out);
	cr_expect_eq(ctl_within(T_SHORT, "start", "a", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_svc("a", "ready", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(sv_wait_svc("b", "ready", T_SHORT, NULL), "%s", sv.out.text);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* Bug 15: a `ctl start` while a Restart=always unit was stopping on its own made its pending
 * automatic restart count as a failure: FailureAction=exit ended cinit. */
Test(regress, start_during_stop_post_of_an_auto_restart_is_that_restart)
{
	sv_unit("a.service", "[Unit]\n"
			     "FailureAction=exit\n"
			     "[Service]\n"
			     "ExecStart=/bin/sh -c 'echo run; sleep 0.3; exit 1'\n"
			     "Restart=always\n"
			     "RestartSec=1s\n"
			     "ExecStopPost=@P@ sleep 2\n");
	sv_start("-v", NULL, NULL);
	cr_assert(wait_status_within("a", "Active: deactivating (stop-post)", T_SHORT), "%s%s",
		  ctl_out, sv.err.text);
	cr_expect_eq(ctl_within(T_SHORT, "start", "a", NULL), 0, "%s%s", ctl_out, sv.err.text);
	cr_expect(sv_wait_svc_n("a", "run", 2, T_SHORT, NULL), "a was not restarted: %s%s",
		  sv.out.text, sv.err.text);
	/* cinit is still there after the restart, and a has failed, as before, on its own. */
	cr_expect(wait_status_within("a", "Active: deactivating (stop-post)", T_SHORT),
		  "cinit ended (or a did not fail again): %s%s", ctl_out, sv.err.text);
	cr_expect(!sv_exited(), "FailureAction=exit was taken: %s", sv.err.text);
	cr_expect_eq(sv_stop(), 0, "%s", sv.err.text);
}

/* An automatic restart waits, like any start, for a unit it is ordered after that is still
 * starting (systemd queues a restart job; cinit once went straight to start-pre). */
Test(regress, auto_restart_waits_for_ordering, .timeout = 60)
{
	sv_unit("b.service", "[Service]\n"
			     "Type=notify\n"
			     "Restart=always\n"
			     "ExecStart=/bin/sh -c 'until test -e @D@/go; do sleep 0.01; done; "
			     "exec @P@ notify READY=1'\n");
	sv_unit("a.service", "[Unit]\n"
			     "After=b.service\n"
			     "[Service]\n"
			     "Restart=on-failure\n"
			     "RestartSec=10ms\n"
			     "ExecStart=/bin/sh -c 'echo run; exec @P@ signals'\n");
	sv_touch("go");
	sv_start("-v", NULL, NULL);
	cr_assert(sv_wait_svc_n("a", "run", 1, T_SHORT, NULL), "%s", sv.out.text);
	cr_assert(sv_wait_status("b", "Active: active (running)", T_SHORT), "%s", ctl_out);

	/* b restarts and hangs in its start; then a dies and must wait for it. */
	cr_assert_eq(unlink(sv_path("go")), 0);
	cr_assert_eq(ctl("kill", "-s", "KILL", "b", NULL), 0, "%s", ctl_out);
	cr_assert(sv_wait_status("b", "Active: activating (start)", T_SHORT), "%s", ctl_out);
	cr_assert_eq(ctl("kill", "-s", "KILL", "a", NULL), 0, "%s", ctl_out);
	cr_expect(sv_wait_status("a", "Active: activating (waiting)", T_SHORT), "%s", ctl_out);
	cr_expect_eq(svc_count("a", "run"), 1, "a restarted before b was up: %s", sv.out.text);

	sv_touch("go");
	cr_expect(sv_wait_svc_n("a", "run", 2, T_SHORT, NULL), "%s", sv.out.text);
	cr_expect(sv_wait_status("a", "Active: active (running)", T_SHORT), "%s", ctl_out);
	cr_expect(sv_wait_status("b", "Active: active (running)", T_SHORT), "%s", ctl_out);
	cr_expect_eq(sv_stop(), 0);
}
