/* The NOTIFY_SOCKET server and client: assignments parsed as systemd does (table-driven, through
 * a real socket), credentials from the kernel, passed fds closed, oversized and malformed
 * datagrams ignored, file and abstract socket names. */
#include "config.h"

#include "common/util.h"
#include "init/loop.h"
#include "init/notify.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define TIMEOUT_USEC (5 * USEC_PER_SEC)
#define SENTINEL     "STATUS=sentinel"
#define MAX_RECORDS  8

struct record {
	struct notify_message m;
	char status[NOTIFY_MESSAGE_MAX + 1];
};

static struct {
	struct loop *loop;
	struct notify_server *server;
	char dir[64];
	char path[100];
	struct record records[MAX_RECORDS];
	int calls;
	bool until_sentinel; /* quit at the sentinel, else after the first message */
	bool free_in_handler;
	int handler_result;
	bool timed_out;
} t;

static int on_message(const struct notify_message *m, void *data)
{
	struct record *rec;

	(void)data;
	if (t.calls < MAX_RECORDS) {
		rec = &t.records[t.calls];
		rec->m = *m;
		if (m->status) {
			snprintf(rec->status, sizeof(rec->status), "%s", m->status);
			rec->m.status = rec->status;
		}
	}
	t.calls++;
	if (t.free_in_handler) {
		notify_server_free(t.server);
		t.server = NULL;
	}
	if (!t.until_sentinel || (m->status && strcmp(m->status, "sentinel") == 0))
		loop_quit(t.loop, 0);
	return t.handler_result;
}

static int on_timeout(struct loop *loop, void *data)
{
	(void)data;
	t.timed_out = true;
	loop_quit(loop, -ETIMEDOUT);
	return 0;
}

/* Runs the loop until the handler quits it; fails the test after TIMEOUT_USEC. */
static int run_loop(void)
{
	struct loop_timer *timer;
	int r;

	t.timed_out = false;
	cr_assert_eq(loop_timer_start(t.loop, TIMEOUT_USEC, on_timeout, NULL, &timer), 0);
	r = loop_run(t.loop);
	if (!t.timed_out)
		loop_timer_cancel(t.loop, timer);
	return r;
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "/tmp/cinit-notify-XXXXXX");
	cr_assert_not_null(mkdtemp(t.dir));
	snprintf(t.path, sizeof(t.path), "%s/notify", t.dir);
	cr_assert_eq(loop_new(&t.loop), 0);
}

static void teardown(void)
{
	notify_server_free(t.server);
	loop_free(t.loop);
	(void)unlink(t.path);
	(void)rmdir(t.dir);
}

static void start_server(const char *path)
{
	cr_assert_eq(notify_server_new(t.loop, path, on_message, NULL, &t.server), 0);
}

/* A datagram of any bytes (NULs included) with fds attached, as sd_pid_notify_with_fds sends. */
static void send_raw(const char *path, const void *buf, size_t len, const int *fds, size_t nfds)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	cr_assert_geq(fd, 0);
	cr_assert_leq(nfds, 4);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = &control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "connect: %s",
		     strerror(errno));
	cr_assert_eq(sendmsg(fd, &mh, MSG_NOSIGNAL), (ssize_t)len, "sendmsg: %s", strerror(errno));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct parse_case {
	const char *input;
	size_t len; /* 0: strlen(input) */
	bool ignored;
	bool ready, reloading, stopping, watchdog, watchdog_trigger;
	const char *status;
	pid_t mainpid;
	int errno_value;
	uint64_t extend_timeout_usec;
};

#define NO_ERRNO .errno_value = -1

static const struct parse_case parse_cases[] = {
	{ "READY=1", .ready = true, NO_ERRNO },
	{ "RELOADING=1", .reloading = true, NO_ERRNO },
	{ "STOPPING=1", .stopping = true, NO_ERRNO },
	{ "WATCHDOG=1", .watchdog = true, NO_ERRNO },
	{ "WATCHDOG=trigger", .watchdog_trigger = true, NO_ERRNO },
	{ "STATUS=Starting up: 3/5 workers", .status = "Starting up: 3/5 workers", NO_ERRNO },
	{ "STATUS=", .status = "", NO_ERRNO },
	{ "STATUS=a=b\n", .status = "a=b", NO_ERRNO },
	{ "MAINPID=1234", .mainpid = 1234, NO_ERRNO },
	{ "MAINPID=2147483647", .mainpid = 2147483647, NO_ERRNO },
	{ "ERRNO=2", .errno_value = 2 },
	{ "ERRNO=0", .errno_value = 0 },
	{ "EXTEND_TIMEOUT_USEC=5000000", .extend_timeout_usec = 5000000, NO_ERRNO },
	{ "READY=1\nSTATUS=Serving\nMAINPID=42\nERRNO=5\nWATCHDOG=1\n", .ready = true,
	  .watchdog = true, .status = "Serving", .mainpid = 42, .errno_value = 5 },
	/* The first assignment of a key counts, as with systemd's strv_find_startswith(). */
	{ "STATUS=first\nSTATUS=second\nMAINPID=7\nMAINPID=8", .status = "first", .mainpid = 7,
	  NO_ERRNO },
	/* An invalid value is no assignment: a later valid one still counts. */
	{ "MAINPID=abc\nMAINPID=9\nERRNO=x\nERRNO=4", .mainpid = 9, .errno_value = 4 },
	{ "hello\n=x\n\nREADY=0\nREADY=yes\nREADY\nready=1\n READY=1\nREADY=1 \nSTOPPING=2\n"
	  "MAINPID=\nMAINPID=-5\nMAINPID=0\nMAINPID=+5\nMAINPID= 5\nMAINPID=2147483648\n"
	  "MAINPID=99999999999999999999999\nMAINPID=12x\nERRNO=-1\nERRNO=\nERRNO=1e3\n"
	  "EXTEND_TIMEOUT_USEC=1s\nEXTEND_TIMEOUT_USEC=18446744073709551616\nFDSTORE=1\n"
	  "FOO=bar\nSTATUS=still here",
	  .status = "still here", NO_ERRNO },
	{ "EXTEND_TIMEOUT_USEC=18446744073709551615", .extend_timeout_usec = UINT64_MAX, NO_ERRNO },
	{ "", NO_ERRNO },
	{ "READY=1\r\n", NO_ERRNO },
	/* One trailing NUL is tolerated (systemd allows it), an embedded one voids the message. */
	{ "READY=1", 8, .ready = true, NO_ERRNO },
	{ "READY=1\0STATUS=x", 16, .ignored = true },
	{ "\0READY=1", 8, .ignored = true },
};

TestSuite(notify, .init = setup, .fini = teardown);

Test(notify, parse_table)
{
	size_t i;

	start_server(t.path);
	t.until_sentinel = true;
	for (i = 0; i < ELEMENTSOF(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		const struct notify_message *m = &t.records[0].m;
		size_t len = c->len ? c->len : strlen(c->input);

		t.calls = 0;
		send_raw(t.path, c->input, len, NULL, 0);
		send_raw(t.path, SENTINEL, strlen(SENTINEL), NULL, 0);
		cr_assert_eq(run_loop(), 0, "case %zu: no sentinel", i);
		if (c->ignored) {
			cr_expect_eq(t.calls, 1, "case %zu: not ignored", i);
			continue;
		}
		cr_assert_eq(t.calls, 2, "case %zu: %d messages", i, t.calls);
		cr_expect_eq(m->pid, getpid(), "case %zu", i);
		cr_expect_eq(m->uid, getuid(), "case %zu", i);
		cr_expect_eq(m->ready, c->ready, "case %zu: ready", i);
		cr_expect_eq(m->reloading, c->reloading, "case %zu: reloading", i);
		cr_expect_eq(m->stopping, c->stopping, "case %zu: stopping", i);
		cr_expect_eq(m->watchdog, c->watchdog, "case %zu: watchdog", i);
		cr_expect_eq(m->watchdog_trigger, c->watchdog_trigger, "case %zu: trigger", i);
		if (c->status)
			cr_expect(m->status && strcmp(m->status, c->status) == 0,
				  "case %zu: status \"%s\", expected \"%s\"", i,
				  m->status ? m->status : "(null)", c->status);
		else
			cr_expect_null(m->status, "case %zu: status \"%s\"", i, m->status);
		cr_expect_eq(m->mainpid, c->mainpid, "case %zu: mainpid %d", i, (int)m->mainpid);
		cr_expect_eq(m->errno_value, c->errno_value, "case %zu: errno %d", i,
			     m->errno_value);
		cr_expect_eq(m->extend_timeout_usec, c->extend_timeout_usec, "case %zu: extend", i);
	}
}

Test(notify, client_sends_and_credentials_are_the_senders)
{
	start_server(t.path);
	cr_assert_eq(notify_send(t.path, "READY=1\nSTATUS=up"), 0);
	cr_assert_eq(run_loop(), 0);
	cr_assert_eq(t.calls, 1);
	cr_expect(t.records[0].m.ready);
	cr_expect_str_eq(t.records[0].m.status, "up");
	cr_expect_eq(t.records[0].m.pid, getpid());
	cr_expect_eq(t.records[0].m.uid, getuid());
}

Test(notify, abstract_name)
{
	char name[108];
	struct stat st;

	snprintf(name, sizeof(name), "@cinit-test-notify-%d-%llu", (int)getpid(),
		 (unsigned long long)util_now_usec(CLOCK_MONOTONIC));
	start_server(name);
	cr_expect_neq(lstat(name, &st), 0, "an abstract name made a file");
	cr_assert_eq(notify_send(name, "STOPPING=1"), 0);
	cr_assert_eq(run_loop(), 0);
	cr_expect(t.records[0].m.stopping);
	notify_server_free(t.server);
	t.server = NULL;
	cr_expect_eq(notify_send(name, "READY=1"), -ECONNREFUSED);
}

Test(notify, child_pid_is_reported)
{
	pid_t pid;
	int status;

	start_server(t.path);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(notify_send(t.path, "READY=1") == 0 ? 0 : 1);
	cr_assert_eq(run_loop(), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_expect(t.records[0].m.ready);
	cr_expect_eq(t.records[0].m.pid, pid, "pid %d, child %d", (int)t.records[0].m.pid,
		     (int)pid);
}

Test(notify, passed_fds_are_closed_and_the_message_still_counts)
{
	int p[2], fds[3], before, after;

	start_server(t.path);
	before = count_fds();
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = p[0];
	send_raw(t.path, "READY=1\nFDSTORE=1", 17, fds, 3);
	close(p[0]);
	close(p[1]);
	cr_assert_eq(run_loop(), 0);
	after = count_fds();
	cr_expect(t.records[0].m.ready);
	cr_expect_eq(after, before, "%d fds leaked", after - before);
}

Test(notify, oversized_datagram_is_ignored)
{
	static char big[NOTIFY_MESSAGE_MAX + 100];

	start_server(t.path);
	t.until_sentinel = true;
	memcpy(big, "STATUS=", 7);
	memset(big + 7, 'x', sizeof(big) - 7);
	send_raw(t.path, big, NOTIFY_MESSAGE_MAX + 1, NULL, 0);
	send_raw(t.path, big, sizeof(big), NULL, 0);
	send_raw(t.path, big, NOTIFY_MESSAGE_MAX, NULL, 0); /* exactly the maximum: accepted */
	send_raw(t.path, SENTINEL, strlen(SENTINEL), NULL, 0);
	cr_assert_eq(run_loop(), 0);
	cr_assert_eq(t.calls, 2);
	cr_expect_eq(strlen(t.records[0].status), NOTIFY_MESSAGE_MAX - 7);
}

Test(notify, socket_file_lifecycle)
{
	_cleanup_close_ int stale = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;

	/* A socket file left behind by an earlier run is replaced. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", t.path);
	cr_assert_eq(bind(stale, (struct sockaddr *)&addr, sizeof(addr)), 0);
	util_closep(&stale);
	stale = -1;
	cr_expect_eq(notify_send(t.path, "READY=1"), -ECONNREFUSED);
	start_server(t.path);
	cr_assert_eq(stat(t.path, &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));
	cr_expect_eq(st.st_mode & 0777, 0666, "mode %o", st.st_mode & 0777);
	cr_assert_eq(notify_send(t.path, "READY=1"), 0);
	cr_assert_eq(run_loop(), 0);
	notify_server_free(t.server);
	t.server = NULL;
	cr_expect_neq(access(t.path, F_OK), 0, "socket file left behind");
	cr_expect_eq(notify_send(t.path, "READY=1"), -ENOENT);
}

Test(notify, bad_paths)
{
	struct notify_server *s = NULL;
	char path[256], longname[200];
	int fd;

	/* Something that is not a socket is never removed. */
	fd = open(t.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_expect_eq(notify_server_new(t.loop, t.path, on_message, NULL, &s), -EADDRINUSE);
	cr_expect_eq(access(t.path, F_OK), 0);

	snprintf(path, sizeof(path), "%s/missing/notify", t.dir);
	cr_expect_eq(notify_server_new(t.loop, path, on_message, NULL, &s), -ENOENT);
	cr_expect_eq(notify_server_new(t.loop, "relative", on_message, NULL, &s), -EINVAL);
	cr_expect_eq(notify_server_new(t.loop, "@", on_message, NULL, &s), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	cr_expect_eq(notify_server_new(t.loop, longname, on_message, NULL, &s), -ENAMETOOLONG);
	longname[0] = '@';
	cr_expect_eq(notify_server_new(t.loop, longname, on_message, NULL, &s), -ENAMETOOLONG);
	cr_expect_null(s);

	cr_expect_eq(notify_send("relative", "READY=1"), -EINVAL);
	cr_expect_eq(notify_send("", "READY=1"), -EINVAL);
	cr_expect_eq(notify_send(NULL, "READY=1"), -EINVAL);
	cr_expect_eq(notify_send(longname, "READY=1"), -ENAMETOOLONG);
}

Test(notify, send_env)
{
	cr_assert_eq(unsetenv("NOTIFY_SOCKET"), 0);
	cr_expect_eq(notify_send_env("READY=1"), 0);
	cr_assert_eq(setenv("NOTIFY_SOCKET", "", 1), 0);
	cr_expect_eq(notify_send_env("READY=1"), 0);

	start_server(t.path);
	cr_assert_eq(setenv("NOTIFY_SOCKET", t.path, 1), 0);
	cr_expect_eq(notify_send_env("STATUS=from env"), 0);
	cr_assert_eq(run_loop(), 0);
	cr_expect_str_eq(t.records[0].status, "from env");
	cr_assert_eq(unsetenv("NOTIFY_SOCKET"), 0);
}

Test(notify, handler_error_stops_the_loop)
{
	start_server(t.path);
	t.handler_result = -EIO;
	t.until_sentinel = true; /* the handler does not quit: its error must */
	cr_assert_eq(notify_send(t.path, "READY=1"), 0);
	cr_expect_eq(run_loop(), -EIO);
	cr_expect_eq(t.calls, 1);
}

Test(notify, handler_may_free_the_server)
{
	start_server(t.path);
	t.free_in_handler = true;
	cr_assert_eq(notify_send(t.path, "READY=1"), 0);
	cr_assert_eq(notify_send(t.path, "STOPPING=1"), 0);
	cr_assert_eq(run_loop(), 0);
	cr_expect_eq(t.calls, 1);
	cr_expect_null(t.server);
}
