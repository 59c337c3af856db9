/* The control channel: the server in a loop run by the test, the real client in forked children
 * (so every blocking step of theirs runs against the live loop), and raw sockets driven by the
 * same loop for the wire format: partial reads, limits, malformed requests, early hang-ups,
 * slow readers, peer credentials, socket file life cycle, and the client's own error lines. */
#include "config.h"

#include "common/util.h"
#include "init/control.h"
#include "init/loop.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define TIMEOUT_USEC	 (20 * USEC_PER_SEC)
#define POLL_USEC	 (2 * USEC_PER_MSEC)
#define DEFER_USEC	 (50 * USEC_PER_MSEC)
#define TRICKLE_USEC	 (1 * USEC_PER_MSEC)
#define NOBODY		 65534
#define KEEP_UID	 ((uid_t)-1)
#define BIG_LINES	 16384 /* of 64 bytes: 1 MiB */
#define BIG_PAD		 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123"
#define MAX_ARGS	 8
#define RAW_REPLY_MAX	 4096
#define CHILD_SETUP_FAIL 120

enum mode {
	MODE_ECHO,	  /* "[arg]" per argument, reply t.reply_status at once */
	MODE_DEFER,	  /* keep the request, reply from a timer */
	MODE_STORE,	  /* keep the request in t.stored, the test replies */
	MODE_FREE_SERVER, /* free the whole server from the handler */
};

struct child {
	pid_t pid;
	int exit_fd;	    /* EOF once the child is gone */
	int out_fd, err_fd; /* memfds, or -1 */
	bool exited;
	void (*on_exit)(struct child *c);
};

struct raw {
	int fd;
	const char *request;
	size_t len, sent;
	bool trickle; /* one byte per loop round trip, so the server must read in pieces */
	bool shut;    /* sent all and half-closed */
	char reply[RAW_REPLY_MAX];
	size_t reply_len;
	bool done;
};

static struct {
	struct loop *loop;
	struct control_server *server;
	char dir[64];
	char path[100];
	enum mode mode;
	int reply_status;
	int calls;
	int argc;
	char *argv[MAX_ARGS];
	size_t arg0_len;
	uid_t uid;
	struct control_request *stored;
	bool (*until)(void);
	bool timed_out;
	int pending; /* children and raw clients not finished */
	void (*on_big)(void);
} t;

static void check_until(void)
{
	if (t.until && t.until())
		loop_quit(t.loop, 0);
}

static bool none_pending(void)
{
	return t.pending == 0;
}

static void record(int argc, char **argv)
{
	int i;

	for (i = 0; i < MAX_ARGS; i++) {
		free(t.argv[i]);
		t.argv[i] = NULL;
	}
	t.argc = argc;
	t.arg0_len = strlen(argv[0]);
	for (i = 0; i < argc && i < MAX_ARGS; i++)
		t.argv[i] = strdup(argv[i]);
	cr_expect_null(argv[argc], "argv not NULL-terminated");
}

static void reply_big(struct control_request *request)
{
	int i;

	for (i = 0; i < BIG_LINES; i++)
		control_request_printf(request, "%06d %s\n", i, BIG_PAD);
	control_request_reply(request, 0);
}

static int on_deferred(struct loop *loop, void *data)
{
	(void)loop;
	(void)data;
	cr_expect_not(control_request_peer_gone(t.stored));
	control_request_printf(t.stored, "deferred %s\n", "reply");
	control_request_reply(t.stored, 5);
	t.stored = NULL;
	return 0;
}

static void on_request(struct control_request *request, int argc, char **argv, void *data)
{
	int i;

	cr_expect_eq(data, &t);
	t.calls++;
	record(argc, argv);
	t.uid = control_request_uid(request);
	if (strcmp(argv[0], "big") == 0) {
		reply_big(request);
		if (t.on_big)
			t.on_big();
		check_until();
		return;
	}
	switch (t.mode) {
	case MODE_ECHO:
		for (i = 0; i < argc; i++)
			control_request_printf(request, "[%s]", argv[i]);
		control_request_printf(request, "\n");
		control_request_reply(request, t.reply_status);
		break;
	case MODE_DEFER:
		t.stored = request;
		cr_assert_eq(loop_timer_start(t.loop, DEFER_USEC, on_deferred, NULL, NULL), 0);
		break;
	case MODE_STORE:
		t.stored = request;
		break;
	case MODE_FREE_SERVER:
		control_server_free(t.server);
		t.server = NULL;
		break;
	}
	check_until();
}

static int on_timeout(struct loop *loop, void *data)
{
	(void)data;
	t.timed_out = true;
	loop_quit(loop, -ETIMEDOUT);
	return 0;
}

static int on_poll(struct loop *loop, void *data)
{
	(void)data;
	check_until();
	return loop_timer_start(loop, POLL_USEC, on_poll, NULL, NULL);
}

/* Runs the loop until until() holds, checked after every event and every POLL_USEC. */
static void run_until(bool (*until)(void))
{
	struct loop_timer *timeout;
	int r;

	t.until = until;
	t.timed_out = false;
	cr_assert_eq(loop_timer_start(t.loop, TIMEOUT_USEC, on_timeout, NULL, &timeout), 0);
	cr_assert_eq(loop_timer_start(t.loop, POLL_USEC, on_poll, NULL, NULL), 0);
	r = loop_run(t.loop);
	cr_assert_not(t.timed_out, "timed out");
	cr_assert_eq(r, 0, "loop: %s", strerror(-r));
	loop_timer_cancel(t.loop, timeout);
	t.until = NULL;
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "/tmp/cinit-control-XXXXXX");
	cr_assert_not_null(mkdtemp(t.dir));
	snprintf(t.path, sizeof(t.path), "%s/control", t.dir);
	cr_assert_eq(loop_new(&t.loop), 0);
}

static void teardown(void)
{
	char sub[160];
	int i;

	control_server_free(t.server);
	loop_free(t.loop);
	for (i = 0; i < MAX_ARGS; i++)
		free(t.argv[i]);
	(void)unlink(t.path);
	snprintf(sub, sizeof(sub), "%s/run/control", t.dir);
	(void)unlink(sub);
	snprintf(sub, sizeof(sub), "%s/run", t.dir);
	(void)rmdir(sub);
	(void)rmdir(t.dir);
}

static void start_server(void)
{
	cr_assert_eq(control_server_new(t.loop, t.path, on_request, &t, &t.server), 0);
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
	return n - 1; /* the directory's own fd */
}

static int make_memfd(void)
{
	int fd = memfd_create("control-test", MFD_CLOEXEC);

	cr_assert_geq(fd, 0);
	return fd;
}

/* The whole content of a memfd, NUL-terminated; the caller frees it. */
static char *memfd_text(int fd)
{
	struct stat st;
	char *s;

	cr_assert_eq(fstat(fd, &st), 0);
	s = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(s);
	cr_assert_eq(pread(fd, s, (size_t)st.st_size, 0), st.st_size);
	s[st.st_size] = '\0';
	return s;
}

static void become(uid_t uid)
{
	if (uid == 0) {
		/* Back from a test that set only its euid: the saved uid is still 0. */
		if (setresuid(0, 0, 0) < 0)
			_exit(CHILD_SETUP_FAIL);
		return;
	}
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(CHILD_SETUP_FAIL);
}

static int on_child_exit(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct child *c = data;

	(void)events;
	cr_assert_eq(loop_remove_fd(loop, fd), 0);
	close(fd);
	c->exit_fd = -1;
	c->exited = true;
	t.pending--;
	if (c->on_exit)
		c->on_exit(c);
	check_until();
	return 0;
}

/* Forks `cinit ctl ARGV` against path as uid (KEEP_UID: the test's own), its output going to
 * out_fd (-1: a new memfd, read back with memfd_text(c->out_fd)). */
static void spawn_client_at(struct child *c, const char *path, int argc, char **argv, uid_t uid,
			    int out_fd)
{
	int exit_pipe[2];

	memset(c, 0, sizeof(*c));
	c->out_fd = out_fd >= 0 ? -1 : make_memfd();
	c->err_fd = make_memfd();
	cr_assert_eq(pipe2(exit_pipe, O_CLOEXEC), 0);
	c->pid = fork();
	cr_assert_geq(c->pid, 0);
	if (c->pid == 0) {
		if (uid != KEEP_UID)
			become(uid);
		_exit(control_client_run(path, argc, argv, out_fd >= 0 ? out_fd : c->out_fd,
					 c->err_fd));
	}
	close(exit_pipe[1]);
	c->exit_fd = exit_pipe[0];
	cr_assert_eq(loop_add_fd(t.loop, c->exit_fd, EPOLLIN, on_child_exit, c), 0);
	t.pending++;
}

static void spawn_client(struct child *c, int argc, char **argv, uid_t uid)
{
	spawn_client_at(c, t.path, argc, argv, uid, -1);
}

/* The child's exit status; it must have exited normally. */
static int reap(struct child *c)
{
	int status;

	cr_assert_eq(waitpid(c->pid, &status, 0), c->pid);
	cr_assert(WIFEXITED(status), "client died: status %#x", status);
	cr_assert_neq(WEXITSTATUS(status), CHILD_SETUP_FAIL, "client could not change uid");
	return WEXITSTATUS(status);
}

static void child_close(struct child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
}

static void expect_output(struct child *c, const char *out, const char *err)
{
	_cleanup_free_ char *got_out = out ? memfd_text(c->out_fd) : NULL;
	_cleanup_free_ char *got_err = memfd_text(c->err_fd);

	if (out)
		cr_expect_str_eq(got_out, out);
	cr_expect_str_eq(got_err, err);
}

static int raw_connect(bool nonblock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	cr_assert_geq(fd, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", t.path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "connect: %s",
		     strerror(errno));
	return fd;
}

static void raw_finish(struct raw *r)
{
	cr_assert_eq(loop_remove_fd(t.loop, r->fd), 0);
	close(r->fd);
	r->fd = -1;
	r->done = true;
	r->reply[r->reply_len] = '\0';
	t.pending--;
	check_until();
}

static int on_raw_resume(struct loop *loop, void *data)
{
	struct raw *r = data;

	if (!r->done)
		cr_assert_eq(loop_modify_fd(loop, r->fd, EPOLLIN | EPOLLOUT), 0);
	return 0;
}

static int on_raw(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct raw *r = data;
	ssize_t n;

	if ((events & EPOLLOUT) && !r->shut) {
		n = r->sent < r->len
			    ? send(fd, r->request + r->sent, r->trickle ? 1 : r->len - r->sent,
				   MSG_NOSIGNAL | MSG_DONTWAIT)
			    : 0;
		if (n > 0)
			r->sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			r->sent = r->len; /* refused before it read everything */
		if (r->sent == r->len) {
			r->shut = true;
			/* Half-closing is allowed, and makes an incomplete request end. */
			(void)shutdown(fd, SHUT_WR);
			cr_assert_eq(loop_modify_fd(loop, fd, EPOLLIN), 0);
		} else if (r->trickle) {
			cr_assert_eq(loop_modify_fd(loop, fd, EPOLLIN), 0);
			cr_assert_eq(loop_timer_start(loop, TRICKLE_USEC, on_raw_resume, r, NULL),
				     0);
		}
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = recv(fd, r->reply + r->reply_len, sizeof(r->reply) - 1 - r->reply_len,
			 MSG_DONTWAIT);
		if (n > 0)
			r->reply_len += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			raw_finish(r); /* EOF, or ECONNRESET after the reply */
	}
	return 0;
}

/* Drives a connected socket from the loop: sends len bytes of request, reads the reply to EOF. */
static void raw_adopt(struct raw *r, int fd, const char *request, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->request = request;
	r->len = len;
	r->fd = fd;
	cr_assert_eq(util_fd_set_nonblock(fd, true), 0);
	cr_assert_eq(loop_add_fd(t.loop, r->fd, EPOLLIN | EPOLLOUT, on_raw, r), 0);
	t.pending++;
}

static void raw_start(struct raw *r, const char *request, size_t len, bool trickle)
{
	raw_adopt(r, raw_connect(true), request, len);
	r->trickle = trickle;
}

TestSuite(control, .init = setup, .fini = teardown);

Test(control, round_trip_keeps_every_argument_and_returns_status)
{
	static char *argv[] = { "status", "", "ünïcødé ✓", "--json", "\x01\xff\ttab", "" };
	struct child c;
	int i;

	start_server();
	t.reply_status = CONTROL_EXIT_INACTIVE;
	spawn_client(&c, ELEMENTSOF(argv), argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), CONTROL_EXIT_INACTIVE);
	expect_output(&c, "[status][][ünïcødé ✓][--json][\x01\xff\ttab][]\n", "");
	cr_assert_eq(t.calls, 1);
	cr_assert_eq(t.argc, (int)ELEMENTSOF(argv));
	for (i = 0; i < t.argc; i++)
		cr_expect_str_eq(t.argv[i], argv[i], "argument %d", i);
	cr_expect_eq(t.uid, getuid());
	child_close(&c);
}

Test(control, request_read_in_pieces)
{
	static const char request[] = "3\0stop\0\0web.service";
	struct raw r;

	start_server();
	raw_start(&r, request, sizeof(request), true);
	run_until(none_pending);
	cr_expect_str_eq(r.reply, "0\n[stop][][web.service]\n");
	cr_expect_eq(t.calls, 1);
}

Test(control, deferred_reply_from_a_timer)
{
	static char *argv[] = { "stop", "web" };
	uint64_t start = util_now_usec(CLOCK_MONOTONIC);
	struct child c;

	start_server();
	t.mode = MODE_DEFER;
	spawn_client(&c, 2, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), 5);
	expect_output(&c, "", "deferred reply\n"); /* status 5: stderr */
	cr_expect_geq(util_now_usec(CLOCK_MONOTONIC) - start, DEFER_USEC);
	cr_expect_null(t.stored);
	child_close(&c);
}

static struct {
	struct child big, quick;
	int pipe[2];
	char *received;
	size_t received_len;
	bool big_exited_first;
	bool reading;
} slow;

static int on_slow_output(struct loop *loop, int fd, uint32_t events, void *data)
{
	size_t room = (size_t)BIG_LINES * 64 + 1 - slow.received_len;
	ssize_t n;

	(void)events;
	(void)data;
	n = read(fd, slow.received + slow.received_len, room);
	if (n > 0) {
		slow.received_len += (size_t)n;
		return 0;
	}
	cr_assert(n == 0 || errno == EAGAIN, "read: %s", strerror(errno));
	if (n == 0) {
		cr_assert_eq(loop_remove_fd(loop, fd), 0);
		t.pending--;
		check_until();
	}
	return 0;
}

/* The quick client got its answer while the slow one still sat on its 1 MiB: now read it. */
static void on_quick_exit(struct child *c)
{
	(void)c;
	slow.big_exited_first = slow.big.exited;
	cr_assert_eq(util_fd_set_nonblock(slow.pipe[0], true), 0);
	cr_assert_eq(loop_add_fd(t.loop, slow.pipe[0], EPOLLIN, on_slow_output, NULL), 0);
	t.pending++;
}

static void start_quick_client(void)
{
	static char *argv[] = { "quick" };

	spawn_client(&slow.quick, 1, argv, KEEP_UID);
	slow.quick.on_exit = on_quick_exit;
}

Test(control, large_reply_to_a_slow_client_does_not_stall_others)
{
	static char *argv[] = { "big" };
	char line[80];
	size_t i;

	start_server();
	slow.received = malloc((size_t)BIG_LINES * 64 + 1);
	cr_assert_not_null(slow.received);
	/* Nobody reads the big client's stdout until the quick one is done: it stops reading
	 * its socket, and the server must keep the rest of the reply and wait for EPOLLOUT. */
	cr_assert_eq(pipe2(slow.pipe, O_CLOEXEC), 0);
	spawn_client_at(&slow.big, t.path, 1, argv, KEEP_UID, slow.pipe[1]);
	close(slow.pipe[1]);
	t.on_big = start_quick_client;
	run_until(none_pending);

	cr_expect_not(slow.big_exited_first, "the big reply was taken before the quick one");
	cr_expect_eq(reap(&slow.big), 0);
	cr_expect_eq(reap(&slow.quick), 0);
	expect_output(&slow.big, NULL, "");
	expect_output(&slow.quick, "[quick]\n", "");
	cr_assert_eq(slow.received_len, (size_t)BIG_LINES * 64);
	for (i = 0; i < BIG_LINES; i++) {
		snprintf(line, sizeof(line), "%06zu %s\n", i, BIG_PAD);
		cr_assert(memcmp(slow.received + i * 64, line, 64) == 0, "line %zu differs", i);
	}
	close(slow.pipe[0]);
	child_close(&slow.big);
	child_close(&slow.quick);
	free(slow.received);
}

static int fds_baseline;

static bool fds_back_to_baseline(void)
{
	return count_fds() == fds_baseline;
}

static bool peer_gone(void)
{
	return t.stored && control_request_peer_gone(t.stored);
}

Test(control, client_gone_before_a_deferred_reply)
{
	static const char request[] = "2\0stop\0web";
	int fd;

	start_server();
	t.mode = MODE_STORE;
	fds_baseline = count_fds();
	fd = raw_connect(false);
	cr_assert_eq(send(fd, request, sizeof(request), MSG_NOSIGNAL), (ssize_t)sizeof(request));
	close(fd);
	run_until(peer_gone);
	cr_expect_eq(t.calls, 1);
	cr_expect_str_eq(t.argv[1], "web");
	cr_expect_eq(count_fds(), fds_baseline, "the socket stays open without a peer");
	/* Still the handler's: replying to nobody just frees it, body and all. */
	control_request_printf(t.stored, "stopped\n");
	reply_big(t.stored);
	t.stored = NULL;
}

Test(control, client_gone_mid_request_or_mid_reply)
{
	static const char partial[] = "2\0stop\0we";
	static const char big[] = "1\0big";
	char buf[100];
	int fd;

	start_server();
	fds_baseline = count_fds();
	fd = raw_connect(false);
	cr_assert_eq(send(fd, partial, sizeof(partial) - 1, MSG_NOSIGNAL),
		     (ssize_t)sizeof(partial) - 1);
	close(fd);
	run_until(fds_back_to_baseline);
	cr_expect_eq(t.calls, 0);

	/* A 1 MiB reply cannot go at once; the client takes a little, then leaves. */
	fd = raw_connect(false);
	cr_assert_eq(send(fd, big, sizeof(big), MSG_NOSIGNAL), (ssize_t)sizeof(big));
	cr_assert_eq(util_fd_set_nonblock(fd, true), 0);
	while (t.calls == 0) {
		cr_assert_eq(loop_timer_start(t.loop, POLL_USEC, on_timeout, NULL, NULL), 0);
		loop_run(t.loop);
	}
	cr_assert_eq(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	cr_expect(memcmp(buf, "0\n000000 ", 9) == 0);
	close(fd);
	run_until(fds_back_to_baseline);
	cr_expect_eq(t.calls, 1);
}

struct wire_case {
	const char *request;
	size_t len;
	int calls;
	const char *reply; /* "" when the server just closes */
};

#define W(s) s, sizeof(s) - 1

static const struct wire_case wire_cases[] = {
	{ W("1\0status\0"), 1, "0\n[status]\n" },
	{ W("3\0\0\0\0"), 1, "0\n[][][]\n" },
	{ W("1\0a\0ignored trailing bytes\0\0"), 1, "0\n[a]\n" },
	{ W("0001\0a\0"), 1, "0\n[a]\n" },
	{ W(""), 0, "" },	       /* connected and left */
	{ W("2\0only one\0"), 0, "" }, /* ended mid-request */
	{ W("12"), 0, "" },
	{ W("\0"), 0, "2\nmalformed request\n" },
	{ W("x\0status\0"), 0, "2\nmalformed request\n" },
	{ W("1x\0status\0"), 0, "2\nmalformed request\n" },
	{ W("-1\0status\0"), 0, "2\nmalformed request\n" },
	{ W("0\0"), 0, "2\nno command given\n" CONTROL_USAGE },
	{ W("1025\0"), 0, "2\ntoo many arguments (limit 1024)\n" },
	{ W("99999999999999999999\0"), 0, "2\ntoo many arguments (limit 1024)\n" },
};

Test(control, wire_format_table)
{
	struct raw r;
	size_t i;

	start_server();
	for (i = 0; i < ELEMENTSOF(wire_cases); i++) {
		const struct wire_case *c = &wire_cases[i];

		t.calls = 0;
		raw_start(&r, c->request, c->len, false);
		run_until(none_pending);
		cr_expect_eq(t.calls, c->calls, "case %zu: %d calls", i, t.calls);
		cr_expect_str_eq(r.reply, c->reply, "case %zu", i);
	}
}

Test(control, status_out_of_range_is_sent_as_failed)
{
	static const char request[] = "1\0x";
	static const int statuses[] = { 0, 1, 255, 256, -1, 4 };
	static const char *replies[] = { "0\n[x]\n", "1\n[x]\n", "255\n[x]\n",
					 "1\n[x]\n", "1\n[x]\n", "4\n[x]\n" };
	struct raw r;
	size_t i;

	start_server();
	for (i = 0; i < ELEMENTSOF(statuses); i++) {
		t.reply_status = statuses[i];
		raw_start(&r, request, sizeof(request), false);
		run_until(none_pending);
		cr_expect_str_eq(r.reply, replies[i], "status %d", statuses[i]);
	}
}

Test(control, request_size_limit)
{
	char *request = malloc(CONTROL_REQUEST_MAX + 1);
	char *arg = malloc(CONTROL_REQUEST_MAX + 8);
	char *argv[2] = { "x", arg };
	struct raw r;
	struct child c;

	start_server();
	cr_assert_not_null(request);
	cr_assert_not_null(arg);
	/* Exactly the limit: "1\0" and one argument of CONTROL_REQUEST_MAX - 3 bytes + NUL. */
	memcpy(request, "1\0", 2);
	memset(request + 2, 'a', CONTROL_REQUEST_MAX - 3);
	request[CONTROL_REQUEST_MAX - 1] = '\0';
	raw_start(&r, request, CONTROL_REQUEST_MAX, false);
	run_until(none_pending);
	cr_expect_eq(t.calls, 1);
	cr_expect_eq(t.arg0_len, CONTROL_REQUEST_MAX - 3);

	/* One byte more. */
	memcpy(request, "1\0", 2);
	memset(request + 2, 'a', CONTROL_REQUEST_MAX - 2);
	request[CONTROL_REQUEST_MAX] = '\0';
	raw_start(&r, request, CONTROL_REQUEST_MAX + 1, false);
	run_until(none_pending);
	cr_expect_eq(t.calls, 1);
	cr_expect_str_eq(r.reply, "2\nrequest too large (limit 65536 bytes)\n");

	/* The real client sending more than the server takes still gets the answer. */
	memset(arg, 'b', CONTROL_REQUEST_MAX + 7);
	arg[CONTROL_REQUEST_MAX + 7] = '\0';
	spawn_client(&c, 2, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), CONTROL_EXIT_USAGE);
	expect_output(&c, "", "request too large (limit 65536 bytes)\n");
	cr_expect_eq(t.calls, 1);
	child_close(&c);
	free(request);
	free(arg);
}

Test(control, other_users_are_refused_by_credentials_not_by_file_mode)
{
	static char *argv[] = { "stop", "web" };
	struct child c;

	start_server();
	/* Open the way for nobody, so that only the SO_PEERCRED check can refuse it. */
	cr_assert_eq(chmod(t.dir, 0777), 0);
	cr_assert_eq(chmod(t.path, 0666), 0);
	spawn_client(&c, 2, argv, NOBODY);
	run_until(none_pending);
	cr_expect_eq(reap(&c), CONTROL_EXIT_DENIED);
	expect_output(&c, "", "permission denied: uid 65534 may not control cinit (uid 0)\n");
	cr_expect_eq(t.calls, 0);
	child_close(&c);
}

Test(control, same_uid_and_root_are_allowed_when_cinit_is_not_root)
{
	static char *argv[] = { "list-units" };
	struct child same, root;
	struct stat st;

	/* A rootless cinit: its socket belongs to it, mode 0600, and root still gets in. */
	cr_assert_eq(chmod(t.dir, 0777), 0);
	cr_assert_eq(setresuid(-1, NOBODY, -1), 0);
	start_server();
	cr_assert_eq(stat(t.path, &st), 0);
	cr_expect_eq(st.st_uid, NOBODY);
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	spawn_client(&same, 1, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&same), 0);
	expect_output(&same, "[list-units]\n", "");
	cr_expect_eq(t.uid, NOBODY);
	spawn_client(&root, 1, argv, 0);
	run_until(none_pending);
	cr_expect_eq(reap(&root), 0);
	expect_output(&root, "[list-units]\n", "");
	cr_expect_eq(t.uid, 0);
	cr_expect_eq(t.calls, 2);
	control_server_free(t.server);
	t.server = NULL;
	cr_assert_eq(setresuid(-1, 0, -1), 0);
	child_close(&same);
	child_close(&root);
}

static void run_client_here(const char *path, int argc, char **argv, int expect_status,
			    const char *expect_err)
{
	int out = make_memfd(), err = make_memfd();
	_cleanup_free_ char *got_out = NULL, *got_err = NULL;

	cr_expect_eq(control_client_run(path, argc, argv, out, err), expect_status);
	got_out = memfd_text(out);
	got_err = memfd_text(err);
	cr_expect_str_eq(got_out, "");
	cr_expect_str_eq(got_err, expect_err);
	close(out);
	close(err);
}

Test(control, client_errors)
{
	static char *argv[] = { "status" };
	char expect[512], path[160];
	_cleanup_close_ int stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(expect, sizeof(expect),
		 "cinit ctl: cannot connect to %s: No such file or directory\n", t.path);
	run_client_here(t.path, 1, argv, CONTROL_EXIT_UNAVAILABLE, expect);

	/* $CINIT_CONTROL_SOCKET stands in for a NULL path, not for an explicit one. */
	snprintf(path, sizeof(path), "%s/from-env", t.dir);
	cr_assert_eq(setenv(CONTROL_SOCKET_ENV, path, 1), 0);
	snprintf(expect, sizeof(expect),
		 "cinit ctl: cannot connect to %s: No such file or directory\n", path);
	run_client_here(NULL, 1, argv, CONTROL_EXIT_UNAVAILABLE, expect);
	cr_assert_eq(unsetenv(CONTROL_SOCKET_ENV), 0);

	/* A socket file nobody listens on. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", t.path);
	cr_assert_eq(bind(stale, (struct sockaddr *)&addr, sizeof(addr)), 0);
	snprintf(expect, sizeof(expect), "cinit ctl: cannot connect to %s: Connection refused\n",
		 t.path);
	run_client_here(t.path, 1, argv, CONTROL_EXIT_UNAVAILABLE, expect);

	run_client_here(t.path, 0, argv, CONTROL_EXIT_USAGE, CONTROL_USAGE);
}

struct reply_case {
	const char *reply;
	size_t len;
	int status;
	const char *out;
	const char *err; /* %s: the socket path */
};

static const struct reply_case reply_cases[] = {
	{ W("0\n"), 0, "", "" },
	{ W("3\nweb.service inactive\n"), 3, "web.service inactive\n", "" },
	{ W("255\nx"), 255, "", "x" },		   /* neither 0 nor 3: an error, on stderr */
	{ W("0\nbinary\0body"), 0, "binary", "" }, /* compared as strings: up to the NUL */
	{ W(""), 69, "", "cinit ctl: %s closed the connection without a reply\n" },
	{ W("12"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W("\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W("256\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W("0001\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W("ok\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W("-1\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
	{ W(" 1\n"), 69, "", "cinit ctl: malformed reply from %s\n" },
};

Test(control, client_reads_replies_strictly)
{
	static char *argv[] = { "status", "web" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t i;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", t.path);
	cr_assert_eq(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(listener, 4), 0);
	for (i = 0; i < ELEMENTSOF(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];
		int out = make_memfd(), err = make_memfd(), status;
		char expect_err[256];
		_cleanup_free_ char *got_out = NULL, *got_err = NULL;
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			/* A fake server: takes the request (part of it, maybe), answers, closes. */
			char buf[64];
			int fd = accept(listener, NULL, NULL);

			if (fd < 0 || read(fd, buf, 4) < 0 || write_all(fd, c->reply, c->len) < 0)
				_exit(1);
			_exit(0);
		}
		cr_expect_eq(control_client_run(t.path, 2, argv, out, err), c->status, "case %zu",
			     i);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		got_out = memfd_text(out);
		got_err = memfd_text(err);
		snprintf(expect_err, sizeof(expect_err), c->err, t.path);
		cr_expect_str_eq(got_out, c->out, "case %zu", i);
		cr_expect_str_eq(got_err, expect_err, "case %zu", i);
		close(out);
		close(err);
	}
	(void)unlink(t.path);
}

Test(control, socket_file_replaced_and_removed)
{
	_cleanup_close_ int stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char *argv[] = { "status" };
	char expect[256];
	struct stat st;
	struct child c;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", t.path);
	cr_assert_eq(bind(stale, (struct sockaddr *)&addr, sizeof(addr)), 0);
	start_server();
	cr_assert_eq(lstat(t.path, &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	spawn_client(&c, 1, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), 0);
	expect_output(&c, "[status]\n", "");
	child_close(&c);

	control_server_free(t.server);
	t.server = NULL;
	cr_expect_neq(lstat(t.path, &st), 0, "socket file left behind");
	snprintf(expect, sizeof(expect),
		 "cinit ctl: cannot connect to %s: No such file or directory\n", t.path);
	run_client_here(t.path, 1, argv, CONTROL_EXIT_UNAVAILABLE, expect);
}

static bool handler_called(void)
{
	return t.calls > 0;
}

Test(control, server_free_drops_pending_requests)
{
	static char *argv[] = { "stop", "web" };
	char expect[256];
	struct child c;

	start_server();
	t.mode = MODE_STORE;
	fds_baseline = count_fds();
	spawn_client(&c, 2, argv, KEEP_UID);
	run_until(handler_called);
	cr_assert_not_null(t.stored);
	control_server_free(t.server);
	t.server = NULL;
	t.stored = NULL;
	cr_expect_neq(access(t.path, F_OK), 0, "socket file left behind");
	cr_expect_eq(reap(&c), CONTROL_EXIT_UNAVAILABLE);
	snprintf(expect, sizeof(expect), "cinit ctl: %s closed the connection without a reply\n",
		 t.path);
	expect_output(&c, "", expect);
	child_close(&c);
}

Test(control, handler_may_free_the_server)
{
	static char *argv[] = { "reload-units" };
	char expect[256];
	struct child c;

	start_server();
	t.mode = MODE_FREE_SERVER;
	spawn_client(&c, 1, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_null(t.server);
	cr_expect_eq(reap(&c), CONTROL_EXIT_UNAVAILABLE);
	snprintf(expect, sizeof(expect), "cinit ctl: %s closed the connection without a reply\n",
		 t.path);
	expect_output(&c, "", expect);
	child_close(&c);
}

Test(control, directory_created_and_paths_checked)
{
	struct control_server *s = NULL;
	char path[200], longname[200];
	static char *argv[] = { "status" };
	struct stat st;
	struct child c;
	mode_t saved = umask(077);
	int fd;

	/* The last component only, with its mode whatever the umask. */
	snprintf(t.path, sizeof(t.path), "%s/run/control", t.dir);
	start_server();
	umask(saved);
	snprintf(path, sizeof(path), "%s/run", t.dir);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect(S_ISDIR(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0755, "mode %o", st.st_mode & 07777);
	spawn_client(&c, 1, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), 0);
	child_close(&c);

	snprintf(path, sizeof(path), "%s/a/b/control", t.dir);
	cr_expect_eq(control_server_new(t.loop, path, on_request, &t, &s), -ENOENT);
	cr_expect_eq(control_server_new(t.loop, "relative/control", on_request, &t, &s), -EINVAL);
	cr_expect_eq(control_server_new(t.loop, NULL, on_request, &t, &s), -EINVAL);
	cr_expect_eq(control_server_new(t.loop, path, NULL, &t, &s), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	cr_expect_eq(control_server_new(t.loop, longname, on_request, &t, &s), -ENAMETOOLONG);

	/* Something that is not a socket is never removed. */
	snprintf(path, sizeof(path), "%s/file", t.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_expect_eq(control_server_new(t.loop, path, on_request, &t, &s), -EADDRINUSE);
	cr_expect_eq(access(path, F_OK), 0);
	cr_expect_null(s);
	(void)unlink(path);
}

Test(control, connections_beyond_the_limit_are_answered_busy)
{
	static const char request[] = "1\0x";
	static char *argv[] = { "after" };
	int idle[CONTROL_CONNECTIONS_MAX];
	struct raw busy, first;
	struct child c;
	size_t i;

	start_server();
	/* Accepted in connection order: the idle ones fill every slot before the last comes. */
	for (i = 0; i < ELEMENTSOF(idle); i++)
		idle[i] = raw_connect(false);
	raw_start(&busy, request, sizeof(request), false);
	run_until(none_pending);
	cr_expect_str_eq(busy.reply, "1\ntoo many control connections (limit 64)\n");
	cr_expect_eq(t.calls, 0);

	/* One idle client speaks and is answered: its slot is free once it has seen the end. */
	raw_adopt(&first, idle[0], request, sizeof(request));
	run_until(none_pending);
	cr_expect_str_eq(first.reply, "0\n[x]\n");
	spawn_client(&c, 1, argv, KEEP_UID);
	run_until(none_pending);
	cr_expect_eq(reap(&c), 0);
	expect_output(&c, "[after]\n", "");
	cr_expect_eq(t.calls, 2);
	child_close(&c);
	for (i = 1; i < ELEMENTSOF(idle); i++)
		close(idle[i]);
}
