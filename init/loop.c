#include "config.h"

#include "init/loop.h"
#include "common/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#define LOOP_MAX_EVENTS 16

struct loop_source {
	int fd;
	bool removed;  /* freed after the current dispatch round, which may still name it */
	bool blocking; /* the handler blocks until fd is readable */
	uint32_t events;
	loop_fd_handler handler;
	void *data;
	struct loop_source *next;
};

struct loop_timer {
	uint64_t deadline; /* CLOCK_MONOTONIC usec */
	loop_timer_handler handler;
	void *data;
	struct loop_timer *next; /* sorted by deadline */
};

struct loop {
	int epoll_fd;
	int timer_fd;
	uint64_t armed; /* deadline the timerfd is set to, 0 = disarmed */
	struct loop_source *sources;
	struct loop_timer *timers;
	bool quit;
	int status;
	bool removed_sources;
};

static int loop_on_timerfd(struct loop *loop, int fd, uint32_t events, void *data);

int loop_new(struct loop **ret)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	int r;

	if (!loop)
		return -ENOMEM;
	loop->timer_fd = -1;
	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0) {
		r = -errno;
		goto fail;
	}
	loop->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (loop->timer_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add_fd(loop, loop->timer_fd, EPOLLIN, loop_on_timerfd, NULL);
	if (r < 0)
		goto fail;
	*ret = loop;
	return 0;
fail:
	loop_free(loop);
	return r;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	while (loop->sources) {
		struct loop_source *s = loop->sources;
		loop->sources = s->next;
		free(s);
	}
	while (loop->timers) {
		struct loop_timer *t = loop->timers;
		loop->timers = t->next;
		free(t);
	}
	util_closep(&loop->timer_fd);
	util_closep(&loop->epoll_fd);
	free(loop);
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_handler handler, void *data)
{
	struct loop_source *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = events };

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->handler = handler;
	s->data = data;
	s->events = events;
	ev.data.ptr = s;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		free(s);
		return r;
	}
	s->next = loop->sources;
	loop->sources = s;
	return 0;
}

int loop_add_fd_blocking(struct loop *loop, int fd, loop_fd_handler handler, void *data)
{
	int r = loop_add_fd(loop, fd, EPOLLIN, handler, data);

	if (r < 0)
		return r;
	loop->sources->blocking = true;
	return 0;
}

/* The one source the loop may block on directly: the only live one besides the timerfd, when
 * no timer is armed and it allows blocking. */
static struct loop_source *loop_sole_blocking_source(struct loop *loop)
{
	struct loop_source *s, *sole = NULL;

	if (loop->timers)
		return NULL;
	for (s = loop->sources; s; s = s->next) {
		if (s->removed || s->fd == loop->timer_fd)
			continue;
		if (sole)
			return NULL;
		sole = s;
	}
	/* Only while it waits for input: paused or watching other events, epoll decides. */
	return sole && sole->blocking && sole->events == EPOLLIN ? sole : NULL;
}

int loop_modify_fd(struct loop *loop, int fd, uint32_t events)
{
	struct loop_source *s;

	for (s = loop->sources; s; s = s->next) {
		if (s->fd == fd && !s->removed) {
			struct epoll_event ev = { .events = events, .data.ptr = s };
			if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0)
				return -errno;
			s->events = events;
			return 0;
		}
	}
	return -ENOENT;
}

int loop_remove_fd(struct loop *loop, int fd)
{
	struct loop_source **p;

	for (p = &loop->sources; *p; p = &(*p)->next) {
		if ((*p)->fd == fd && !(*p)->removed) {
			(*p)->removed = true;
			loop->removed_sources = true;
			if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, NULL) < 0)
				return -errno;
			return 0;
		}
	}
	return -ENOENT;
}

static void loop_free_removed(struct loop *loop)
{
	struct loop_source **p = &loop->sources;

	while (*p) {
		struct loop_source *s = *p;
		if (s->removed) {
			*p = s->next;
			free(s);
		} else {
			p = &s->next;
		}
	}
	loop->removed_sources = false;
}

/* Keeps the timerfd armed at the earliest deadline (absolute, so late dispatch cannot drift). */
static int loop_rearm(struct loop *loop)
{
	struct itimerspec its = { 0 };
	uint64_t deadline = loop->timers ? loop->timers->deadline : 0;

	if (deadline == loop->armed)
		return 0;
	if (deadline) {
		its.it_value.tv_sec = (time_t)(deadline / USEC_PER_SEC);
		its.it_value.tv_nsec = (long)(deadline % USEC_PER_SEC) * 1000;
	}
	if (timerfd_settime(loop->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	loop->armed = deadline;
	return 0;
}

int loop_timer_start(struct loop *loop, uint64_t usec, loop_timer_handler handler, void *data,
		     struct loop_timer **ret)
{
	struct loop_timer *t = calloc(1, sizeof(*t)), **p;
	uint64_t now = util_now_usec(CLOCK_MONOTONIC);
	int r;

	if (!t)
		return -ENOMEM;
	t->deadline = usec > UINT64_MAX - now - 1 ? UINT64_MAX : now + usec + (usec == 0);
	t->handler = handler;
	t->data = data;
	for (p = &loop->timers; *p && (*p)->deadline <= t->deadline; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	r = loop_rearm(loop);
	if (r < 0) {
		loop_timer_cancel(loop, t);
		return r;
	}
	if (ret)
		*ret = t;
	return 0;
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *timer)
{
	struct loop_timer **p;

	if (!timer)
		return;
	for (p = &loop->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = timer->next;
			free(timer);
			(void)loop_rearm(loop);
			return;
		}
	}
}

static int loop_on_timerfd(struct loop *loop, int fd, uint32_t events, void *data)
{
	uint64_t expirations, now;
	ssize_t n = util_read(fd, &expirations, sizeof(expirations));

	if (n < 0 && n != -EAGAIN)
		return (int)n;
	loop->armed = 0;
	now = util_now_usec(CLOCK_MONOTONIC);
	while (loop->timers && loop->timers->deadline <= now) {
		struct loop_timer *t = loop->timers;
		int r;

		loop->timers = t->next;
		r = t->handler(loop, t->data);
		free(t);
		if (r < 0) {
			/* The loop may be run again: the timers still due must stay armed. */
			(void)loop_rearm(loop);
			return r;
		}
	}
	return loop_rearm(loop);
}

void loop_quit(struct loop *loop, int status)
{
	loop->quit = true;
	loop->status = status;
}

static int loop_run_until_quit(struct loop *loop)
{
	struct epoll_event events[LOOP_MAX_EVENTS];

	while (!loop->quit) {
		struct loop_source *sole = loop_sole_blocking_source(loop);
		int n, i;

		if (sole) {
			int r = sole->handler(loop, sole->fd, EPOLLIN, sole->data);
			if (r < 0)
				return r;
			if (loop->removed_sources)
				loop_free_removed(loop);
			continue;
		}
		n = epoll_wait(loop->epoll_fd, events, LOOP_MAX_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !loop->quit; i++) {
			struct loop_source *s = events[i].data.ptr;
			int r;

			if (s->removed)
				continue;
			r = s->handler(loop, s->fd, events[i].events, s->data);
			if (r < 0)
				return r;
		}
		if (loop->removed_sources)
			loop_free_removed(loop);
	}
	return loop->status;
}

int loop_run(struct loop *loop)
{
	int r = loop_run_until_quit(loop);

	/* Cleared on the way out, not on entry: a loop_quit() before loop_run() still counts,
	 * and the loop can be run again afterwards. */
	loop->quit = false;
	return r;
}
