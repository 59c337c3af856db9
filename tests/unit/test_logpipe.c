/* Service output through cinit: whole lines with the "name[pid]: " prefix, the last partial
 * line at EOF, long lines split, and a flooding service that cannot stall the loop. */
#include "config.h"

#include "init/logpipe.h"
#include "init/loop.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int eofs;

static void count_eof(void *data)
{
	struct loop *loop = data;

	if (--eofs == 0)
		loop_quit(loop, 0);
}

static int quit_timer(struct loop *loop, void *data)
{
	loop_quit(loop, 1);
	return 0;
}

/* Everything the sink's reader got, once the loop is done. */
static char *drain(int fd)
{
	static char text[1 << 20];
	size_t len = 0;
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (len < sizeof(text) - 1 && (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = '\0';
	return text;
}

struct line_case {
	const char *input;
	const char *output;
};

Test(logpipe, lines_prefixes_and_partial_last_line)
{
	static const struct line_case cases[] = {
		{ "hello\n", "web[42]: hello\n" },
		{ "a\nb\n", "web[42]: a\nweb[42]: b\n" },
		{ "no newline", "web[42]: no newline\n" },
		{ "x\n\ny", "web[42]: x\nweb[42]: \nweb[42]: y\n" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loop *loop;
		struct log_sink *sink;
		struct log_source *source;
		int out[2], in[2];

		cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
		cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
		cr_assert_eq(loop_new(&loop), 0);
		cr_assert_eq(log_sink_new(loop, out[1], 1 << 16, &sink), 0);
		eofs = 1;
		cr_assert_eq(log_source_new(loop, sink, in[0], "web", 42, count_eof, loop, &source),
			     0);
		cr_assert_eq(write(in[1], cases[i].input, strlen(cases[i].input)),
			     (ssize_t)strlen(cases[i].input));
		close(in[1]);
		cr_assert_eq(loop_timer_start(loop, 5000000, quit_timer, NULL, NULL), 0);
		cr_expect_eq(loop_run(loop), 0, "case %zu: EOF seen", i);
		cr_expect_str_eq(drain(out[0]), cases[i].output, "case %zu", i);
		log_source_free(source);
		log_sink_free(sink);
		loop_free(loop);
		close(out[0]);
		close(out[1]);
	}
}

Test(logpipe, long_lines_are_split_and_prefixed)
{
	struct loop *loop;
	struct log_sink *sink;
	struct log_source *source;
	static char big[LOGPIPE_LINE_MAX + 10];
	int out[2], in[2];
	const char *text, *second;

	memset(big, 'x', sizeof(big) - 1);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(log_sink_new(loop, out[1], 1 << 16, &sink), 0);
	eofs = 1;
	cr_assert_eq(log_source_new(loop, sink, in[0], "s", 1, count_eof, loop, &source), 0);
	cr_assert_eq(write(in[1], big, sizeof(big) - 1), (ssize_t)(sizeof(big) - 1));
	close(in[1]);
	cr_expect_eq(loop_run(loop), 0);
	text = drain(out[0]);
	cr_expect_eq(strncmp(text, "s[1]: xxx", 9), 0);
	second = strchr(text, '\n');
	cr_assert_not_null(second);
	cr_expect_eq(second - text, 6 + LOGPIPE_LINE_MAX, "first part is a full line");
	cr_expect_str_eq(second + 1, "s[1]: xxxxxxxxx\n");
	log_source_free(source);
	log_sink_free(sink);
	loop_free(loop);
}

static void set_flag(void *data)
{
	*(bool *)data = true;
}

/* Appends whatever the pipe holds now to a growing buffer. */
static void drain_into(int fd, char **text, size_t *len, size_t *size)
{
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		if (*size - *len < 65536) {
			*size = *size ? *size * 2 : 1 << 20;
			*text = realloc(*text, *size);
			cr_assert_not_null(*text);
		}
		n = read(fd, *text + *len, *size - *len - 1);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	(*text)[*len] = '\0';
}

/* A child writes 8 MiB as fast as it can while nobody reads cinit's output. The loop must keep
 * running (timers fire) with the sink bounded; once the reader drains, every line arrives
 * whole, the quiet service's one included. */
Test(logpipe, flooding_service_cannot_stall_the_loop, .timeout = 60)
{
	struct loop *loop;
	struct log_sink *sink;
	struct log_source *flood, *quiet;
	int out[2], fin[2], qin[2];
	bool flood_done = false;
	char *text = NULL;
	size_t len = 0, size = 0;
	pid_t writer;

	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(fin, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(qin, O_CLOEXEC), 0);
	writer = fork();
	cr_assert_geq(writer, 0);
	if (writer == 0) {
		static char line[100];
		/* Die with the test, and hold no read end: a failed test must not leave a
		 * writer blocked forever on a pipe only it keeps open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fin[0]);
		close(qin[0]);
		close(qin[1]);
		memset(line, 'f', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		for (int i = 0; i < 8 * 1024 * 1024 / 100; i++)
			if (write(fin[1], line, sizeof(line)) < 0)
				_exit(1);
		_exit(0);
	}
	close(fin[1]);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(log_sink_new(loop, out[1], 256 * 1024, &sink), 0);
	cr_assert_eq(log_source_new(loop, sink, fin[0], "flood", 2, set_flag, &flood_done, &flood),
		     0);
	cr_assert_eq(log_source_new(loop, sink, qin[0], "quiet", 3, NULL, NULL, &quiet), 0);
	cr_assert_eq(write(qin[1], "still here\n", 11), 11);
	cr_assert_eq(loop_timer_start(loop, 300000, quit_timer, NULL, NULL), 0);
	cr_expect_eq(loop_run(loop), 1, "the timer fired: the loop was not blocked");
	cr_expect_leq(log_sink_pending(sink), 256 * 1024 + 8192 * 16, "sink stays bounded: %zu",
		      log_sink_pending(sink));

	/* Stop the writer, then read until everything it wrote has come through. */
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	for (int round = 0; round < 10000 && !(flood_done && log_sink_pending(sink) == 0);
	     round++) {
		drain_into(out[0], &text, &len, &size);
		cr_assert_eq(loop_timer_start(loop, 1000, quit_timer, NULL, NULL), 0);
		loop_run(loop);
	}
	drain_into(out[0], &text, &len, &size);
	cr_assert(flood_done && log_sink_pending(sink) == 0, "output did not drain");

	int quiet_lines = 0, flood_lines = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		cr_assert_not_null(nl, "a partial line at the end");
		if (strncmp(p, "quiet[3]: still here\n", 21) == 0)
			quiet_lines++;
		else if (strncmp(p, "flood[2]: ", 10) == 0 && nl - p == 10 + 99)
			flood_lines++;
		else
			cr_assert_fail("mangled line: %.40s", p);
		p = nl + 1;
	}
	cr_expect_eq(quiet_lines, 1);
	cr_expect_gt(flood_lines, 1000);
	free(text);
	log_source_free(flood);
	log_source_free(quiet);
	log_sink_free(sink);
	loop_free(loop);
}

/* A non-root cinit cannot reopen a pipe root made through /proc/self/fd: the sink must still
 * never block, writing no more than the pipe has room for. Runs as nobody in a child. */
Test(logpipe, blocking_pipe_sink_never_blocks, .timeout = 60)
{
	int out[2], fin[2], status;
	pid_t child;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch to an unprivileged user");
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(fin, O_CLOEXEC), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		struct loop *loop;
		struct log_sink *sink;
		struct log_source *source;
		static char line[100];
		char path[64];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(10);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", out[1]);
		if (open(path, O_WRONLY | O_NONBLOCK) >= 0)
			_exit(11); /* the case under test did not arise */
		memset(line, 'f', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		if (fcntl(fin[1], F_SETFL, O_NONBLOCK) < 0)
			_exit(12);
		if (loop_new(&loop) < 0 || log_sink_new(loop, out[1], 64 * 1024, &sink) < 0 ||
		    log_source_new(loop, sink, fin[0], "flood", 2, NULL, NULL, &source) < 0)
			_exit(13);
		/* Nobody reads out[0]: far more than the pipe holds. */
		for (int i = 0; i < 4000; i++)
			if (write(fin[1], line, sizeof(line)) < 0)
				break;
		if (loop_timer_start(loop, 300000, quit_timer, NULL, NULL) < 0)
			_exit(14);
		_exit(loop_run(loop) == 1 ? 0 : 15);
	}
	close(fin[0]);
	close(fin[1]);
	close(out[1]);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status), "the child was killed (blocked until the test timeout?)");
	cr_assert_eq(WEXITSTATUS(status), 0, "child status %d", WEXITSTATUS(status));
	close(out[0]);
}
