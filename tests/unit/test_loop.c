/* The event loop: timers fire in deadline order, cancelled ones never fire, fds can be removed
 * from inside handlers, and loop_quit()'s status comes back from loop_run(). */
#include "config.h"

#include "common/util.h"
#include "init/loop.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

static char order[16];
static size_t order_len;

static int record(struct loop *loop, void *data)
{
	order[order_len++] = *(const char *)data;
	if (*(const char *)data == 'q')
		loop_quit(loop, 42);
	return 0;
}

Test(loop, timers_fire_in_deadline_order_and_cancel_works)
{
	struct loop *loop;
	struct loop_timer *cancelled;
	static const char a = 'a', b = 'b', c = 'c', q = 'q';
	uint64_t start = util_now_usec(CLOCK_MONOTONIC);

	order_len = 0;
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_timer_start(loop, 30000, record, (void *)&c, NULL), 0);
	cr_assert_eq(loop_timer_start(loop, 10000, record, (void *)&a, NULL), 0);
	cr_assert_eq(loop_timer_start(loop, 20000, record, (void *)&b, &cancelled), 0);
	cr_assert_eq(loop_timer_start(loop, 40000, record, (void *)&q, NULL), 0);
	cr_assert_eq(loop_timer_start(loop, 0, record, (void *)&a, NULL), 0);
	loop_timer_cancel(loop, cancelled);
	cr_expect_eq(loop_run(loop), 42);
	order[order_len] = '\0';
	cr_expect_str_eq(order, "aacq");
	cr_expect_geq(util_now_usec(CLOCK_MONOTONIC) - start, 40000, "q fired early");
	loop_free(loop);
}

struct pipes {
	int a[2], b[2];
	int calls;
};

/* Both pipes are readable in the same round; the first handler removes the other source. */
static int remove_other(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct pipes *p = data;

	p->calls++;
	loop_remove_fd(loop, fd == p->a[0] ? p->b[0] : p->a[0]);
	loop_remove_fd(loop, fd);
	return 0;
}

Test(loop, remove_fd_inside_handler)
{
	struct loop *loop;
	struct pipes p = { .calls = 0 };

	cr_assert_eq(pipe2(p.a, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(p.b, O_CLOEXEC), 0);
	cr_assert_eq(write(p.a[1], "x", 1), 1);
	cr_assert_eq(write(p.b[1], "x", 1), 1);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_add_fd(loop, p.a[0], EPOLLIN, remove_other, &p), 0);
	cr_assert_eq(loop_add_fd(loop, p.b[0], EPOLLIN, remove_other, &p), 0);
	cr_assert_eq(loop_timer_start(loop, 50000, record, (void *)"q", NULL), 0);
	cr_expect_eq(loop_run(loop), 42);
	cr_expect_eq(p.calls, 1, "a removed source was dispatched");
	cr_expect_eq(loop_remove_fd(loop, p.a[0]), -ENOENT);
	loop_free(loop);
}

static int fail(struct loop *loop, int fd, uint32_t events, void *data)
{
	return -EIO;
}

Test(loop, handler_error_stops_the_loop)
{
	struct loop *loop;
	int fds[2];

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	cr_assert_eq(write(fds[1], "x", 1), 1);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_add_fd(loop, fds[0], EPOLLIN, fail, NULL), 0);
	cr_expect_eq(loop_run(loop), -EIO);
	loop_free(loop);
}

static int read_byte_blocking(struct loop *loop, int fd, uint32_t events, void *data)
{
	char c;
	int *calls = data;

	if (read(fd, &c, 1) != 1)
		return -EIO;
	(*calls)++;
	if (c == 'q')
		loop_quit(loop, 7);
	return 0;
}

Test(loop, blocking_source_alone_is_read_directly)
{
	struct loop *loop;
	int fds[2], calls = 0;

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	cr_assert_eq(write(fds[1], "abq", 3), 3);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_add_fd_blocking(loop, fds[0], read_byte_blocking, &calls), 0);
	cr_expect_eq(loop_run(loop), 7);
	cr_expect_eq(calls, 3);
	loop_free(loop);
	close(fds[0]);
	close(fds[1]);
}

Test(loop, armed_timer_is_not_starved_by_a_blocking_source, .timeout = 10)
{
	/* The pipe never gets data: were the loop to block in the handler while a timer is
	 * armed, the timer would never fire and the test would time out. */
	struct loop *loop;
	int fds[2], calls = 0;

	order_len = 0;
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_add_fd_blocking(loop, fds[0], read_byte_blocking, &calls), 0);
	cr_assert_eq(loop_timer_start(loop, 20000, record, (void *)"q", NULL), 0);
	cr_expect_eq(loop_run(loop), 42);
	cr_expect_eq(calls, 0);
	loop_free(loop);
	close(fds[0]);
	close(fds[1]);
}

static int fail_timer(struct loop *loop, void *data)
{
	return -EIO;
}

/* Found in review: a failing timer handler left the timerfd disarmed, so the timers still due
 * never fired when the loop was run again. */
Test(loop, timers_still_fire_after_a_failed_handler, .timeout = 10)
{
	struct loop *loop;

	order_len = 0;
	cr_assert_eq(loop_new(&loop), 0);
	cr_assert_eq(loop_timer_start(loop, 1000, fail_timer, NULL, NULL), 0);
	cr_assert_eq(loop_timer_start(loop, 20000, record, (void *)"q", NULL), 0);
	cr_expect_eq(loop_run(loop), -EIO);
	cr_expect_eq(loop_run(loop), 42, "the second timer fired");
	loop_free(loop);
}

/* A loop_quit() before loop_run() is not lost, and the loop runs again afterwards. */
Test(loop, quit_before_run_counts, .timeout = 10)
{
	struct loop *loop;

	order_len = 0;
	cr_assert_eq(loop_new(&loop), 0);
	loop_quit(loop, 9);
	cr_expect_eq(loop_run(loop), 9);
	cr_assert_eq(loop_timer_start(loop, 1000, record, (void *)"q", NULL), 0);
	cr_expect_eq(loop_run(loop), 42);
	loop_free(loop);
}
