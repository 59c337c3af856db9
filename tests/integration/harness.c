#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char path_buf[3][4096];

static const char *builddir_file(int slot, const char *name)
{
	const char *dir = getenv("CINIT_BUILDDIR");

	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir && *dir ? dir : ".", name);
	return path_buf[slot];
}

const char *harness_cinit(void)
{
	return builddir_file(0, "cinit");
}

const char *harness_payload(void)
{
	return builddir_file(1, "tests/payload");
}

const char *harness_claunch(void)
{
	return builddir_file(2, "claunch");
}

long long harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_require_pidns(void)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		cr_skip_test("cannot create a PID namespace (%s): run the suite as root",
			     strerror(errno));
	waitpid(pid, NULL, 0);
}

static void child_exec(const struct spawn_options *o, const char *const argv[], int out_w,
		       int err_w, const char *pty_name)
{
	int fd;

	if (o->on_pty) {
		setsid();
		fd = open(pty_name, O_RDWR); /* first tty opened by a session leader: the ctty */
		if (fd < 0)
			_exit(120);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, STDIN_FILENO);
		if (fd > 2)
			close(fd);
	} else {
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, STDIN_FILENO);
		if (fd > 2)
			close(fd);
	}
	dup2(out_w, STDOUT_FILENO);
	dup2(err_w, STDERR_FILENO);
	if (o->env)
		for (size_t i = 0; o->env[i]; i++)
			putenv((char *)o->env[i]);
	/* Nothing from the test process (criterion's own fds, masks) leaks into the init. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (o->pending_signal) {
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, o->pending_signal);
		sigprocmask(SIG_BLOCK, &one, NULL);
		raise(o->pending_signal);
	}
	execv(argv[0], (char *const *)argv);
	_exit(121);
}

void harness_spawn(struct proc *p, const struct spawn_options *o, const char *const argv[])
{
	static const struct spawn_options defaults = { 0 };
	int out[2], err[2];
	char pty_name[128] = "";
	pid_t pid;

	if (!o)
		o = &defaults;
	memset(p, 0, sizeof(*p));
	p->pty_fd = -1;
	if (!o->no_subreaper)
		cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err, O_CLOEXEC), 0);
	if (o->on_pty) {
		p->pty_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		cr_assert_geq(p->pty_fd, 0);
		cr_assert_eq(grantpt(p->pty_fd), 0);
		cr_assert_eq(unlockpt(p->pty_fd), 0);
		cr_assert_eq(ptsname_r(p->pty_fd, pty_name, sizeof(pty_name)), 0);
	}
	if (o->new_pidns)
		pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	else
		pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child_exec(o, argv, out[1], err[1], pty_name);
	close(out[1]);
	close(err[1]);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = err[0];
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		long long left = deadline - harness_now_ms();
		int r;
		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

const char *harness_read_line(struct proc *p, int timeout_ms)
{
	static char line[sizeof(p->buf)];
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - p->buf);
			memcpy(line, p->buf, l);
			line[l] = '\0';
			memmove(p->buf, nl + 1, p->len - l - 1);
			p->len -= l + 1;
			if (p->transcript_len + l + 2 < sizeof(p->transcript)) {
				memcpy(p->transcript + p->transcript_len, line, l);
				p->transcript_len += l;
				p->transcript[p->transcript_len++] = '\n';
				p->transcript[p->transcript_len] = '\0';
			}
			return line;
		}
		if (p->out_fd < 0 || p->len == sizeof(p->buf))
			return NULL;
		long long left = deadline - harness_now_ms();
		if (left <= 0 || wait_readable(p->out_fd, (int)left) <= 0)
			return NULL;
		n = read(p->out_fd, p->buf + p->len, sizeof(p->buf) - p->len);
		if (n <= 0)
			return NULL;
		p->len += (size_t)n;
	}
}

bool harness_printed(const struct proc *p, const char *line)
{
	size_t l = strlen(line);
	const char *all = p->transcript, *s = all;

	if (!p->transcript_len)
		return false;
	while ((s = strstr(s, line))) {
		if ((s == all || s[-1] == '\n') && s[l] == '\n')
			return true;
		s += l;
	}
	return false;
}

bool harness_expect_line(struct proc *p, const char *want, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	const char *line;

	if (harness_printed(p, want))
		return true;
	while ((line = harness_read_line(p, (int)(deadline - harness_now_ms()))))
		if (strcmp(line, want) == 0)
			return true;
	return false;
}

/* Reads stderr into static storage until EOF, the timeout, or (with needle) until the text
 * contains needle. */
static const char *read_stderr_until(struct proc *p, const char *needle, int timeout_ms)
{
	static char text[16384];
	size_t len = 0;
	long long deadline = harness_now_ms() + timeout_ms;

	text[0] = '\0';
	while (p->err_fd >= 0 && len < sizeof(text) - 1) {
		long long left = deadline - harness_now_ms();
		ssize_t n;
		if (left <= 0 || wait_readable(p->err_fd, (int)left) <= 0)
			break;
		n = read(p->err_fd, text + len, sizeof(text) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		text[len] = '\0';
		if (needle && strstr(text, needle))
			break;
	}
	return text;
}

bool harness_expect_stderr(struct proc *p, const char *needle, int timeout_ms)
{
	return strstr(read_stderr_until(p, needle, timeout_ms), needle) != NULL;
}

const char *harness_read_stderr(struct proc *p, int timeout_ms)
{
	return read_stderr_until(p, NULL, timeout_ms);
}

int harness_wait(struct proc *p, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	int status = -1;

	for (;;) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid)
			break;
		if (r < 0 || harness_now_ms() > deadline) {
			/* Never leave anything behind: SIGKILL to PID 1 of a namespace ends all;
			 * outside one, what cinit left comes to us (a subreaper) once it is gone.
			 */
			pid_t kids[256];
			int n;

			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			n = harness_children(getpid(), kids, 256);
			for (int i = 0; i < n && i < 256; i++)
				kill(kids[i], SIGKILL);
			status = -1;
			break;
		}
		usleep(2000);
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	if (p->pty_fd >= 0)
		close(p->pty_fd);
	p->out_fd = p->err_fd = p->pty_fd = -1;
	/* Reap whatever reached us as subreaper (leftovers of a failed test). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return status;
}

int harness_exit_code(struct proc *p, int timeout_ms)
{
	int status = harness_wait(p, timeout_ms);

	if (status < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int harness_children(pid_t pid, pid_t *pids, int max)
{
	char path[64];
	FILE *f;
	int n = 0, v;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &v) == 1) {
		if (n < max)
			pids[n] = v;
		n++;
	}
	fclose(f);
	return n;
}

char harness_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

int harness_wait_children(pid_t pid, int n, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	int count;

	while ((count = harness_children(pid, NULL, 0)) != n && harness_now_ms() < deadline)
		usleep(5000);
	return count;
}

int harness_run(const char *const argv[], const char **stderr_text)
{
	struct proc p;
	const char *text;

	harness_spawn(&p, NULL, argv);
	text = harness_read_stderr(&p, 10000);
	if (stderr_text)
		*stderr_text = text;
	return harness_exit_code(&p, 10000);
}
