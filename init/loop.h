/* The one event loop: epoll over fds (signalfd, later sockets and log pipes) and one timerfd
 * carrying every timer. Nothing else in cinit blocks; an idle loop makes no wakeups. */
#pragma once

#include <stdint.h>

struct loop;
struct loop_timer;

/* Handlers return 0 to continue or a negative errno to stop the loop with that error. */
typedef int (*loop_fd_handler)(struct loop *loop, int fd, uint32_t events, void *data);
typedef int (*loop_timer_handler)(struct loop *loop, void *data);

int loop_new(struct loop **ret);
void loop_free(struct loop *loop);

/* Watches fd (EPOLLIN etc.). The loop does not own fd. */
int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_handler handler, void *data);
/* Like loop_add_fd(EPOLLIN) for a handler that blocks until fd has data, then consumes some.
 * While it is the loop's only source and no timer is armed, the loop calls it directly instead
 * of waiting in epoll_wait() first: one system call less per event, which is the whole of an
 * idle init's signal forwarding path. */
int loop_add_fd_blocking(struct loop *loop, int fd, loop_fd_handler handler, void *data);

/* Changes the events watched on fd. */
int loop_modify_fd(struct loop *loop, int fd, uint32_t events);

/* Safe from inside any handler: the source is freed after the current dispatch round. */
int loop_remove_fd(struct loop *loop, int fd);

/* One-shot timer firing after usec on CLOCK_MONOTONIC. The handle stays valid until it fires
 * (then it is freed by the loop) or is cancelled. */
int loop_timer_start(struct loop *loop, uint64_t usec, loop_timer_handler handler, void *data,
		     struct loop_timer **ret);
void loop_timer_cancel(struct loop *loop, struct loop_timer *timer);

/* Makes loop_run() return status after the current dispatch. */
void loop_quit(struct loop *loop, int status);

/* Runs until loop_quit() (returns its status) or a handler fails (returns its -errno). */
int loop_run(struct loop *loop);
