#include "config.h"

#include "init/logpipe.h"
#include "common/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* Bytes read from one pipe per wakeup: bounded so that one busy service cannot starve the
 * others, which are served in the same loop round. */
#define LOGPIPE_READ_CHUNK 8192
#define PROC_SELF_FD	   "/proc/self/fd/%d"

struct log_sink {
	struct loop *loop;
	int fd;
	bool is_socket;
	bool bounded;  /* a blocking pipe: write only what fits (see log_sink_open) */
	bool watching; /* registered for EPOLLOUT while data is pending */
	bool broken;   /* the reader is gone: output is dropped */
	char *buf;
	size_t len, size, max;
	struct log_source *paused;  /* sources waiting for room, linked by next_paused */
	struct log_source *sources; /* every source, linked by next_source */
};

struct log_source {
	struct loop *loop;
	struct log_sink *sink;
	int fd;
	bool paused;
	char *name;
	pid_t pid;
	void (*on_eof)(void *data);
	void *data;
	struct log_source *next_paused;
	struct log_source *next_source;
	size_t len; /* bytes of the current, unfinished line */
	char line[LOGPIPE_LINE_MAX];
};

/* Longest a write to a pipe cinit could not reopen non-blocking may hold the loop. */
#define LOGPIPE_BLOCK_USEC 10000

static int log_sink_on_writable(struct loop *loop, int fd, uint32_t events, void *data);
static int log_source_on_readable(struct loop *loop, int fd, uint32_t events, void *data);

/* A separate non-blocking description of the same pipe or terminal: O_NONBLOCK set on fd itself
 * would change it for everyone sharing it (our parent, docker). Regular files never block for
 * long and lose their offset when reopened, so they are written as they are. */
static int log_sink_open(int fd, bool *is_socket, bool *bounded)
{
	struct stat st;
	char path[64];
	int nfd;

	*is_socket = false;
	*bounded = false;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		/* Sockets take MSG_DONTWAIT per send(): no flags need changing. */
		*is_socket = true;
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return nfd < 0 ? -errno : nfd;
	}
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		snprintf(path, sizeof(path), PROC_SELF_FD, fd);
		nfd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (nfd >= 0)
			return nfd;
		/* Not ours to reopen (a non-root cinit on a pipe made by root): a blocking pipe
		 * never blocks a write of no more than its free space. */
		*bounded = S_ISFIFO(st.st_mode);
	}
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return nfd < 0 ? -errno : nfd;
}

int log_sink_new(struct loop *loop, int fd, size_t max_buffer, struct log_sink **ret)
{
	struct log_sink *sink = calloc(1, sizeof(*sink));
	int r;

	if (!sink)
		return -ENOMEM;
	r = log_sink_open(fd, &sink->is_socket, &sink->bounded);
	if (r < 0) {
		free(sink);
		return r;
	}
	sink->fd = r;
	sink->loop = loop;
	sink->max = max_buffer;
	*ret = sink;
	return 0;
}

void log_sink_free(struct log_sink *sink)
{
	if (!sink)
		return;
	if (sink->watching)
		(void)loop_remove_fd(sink->loop, sink->fd);
	util_closep(&sink->fd);
	free(sink->buf);
	free(sink);
}

size_t log_sink_pending(const struct log_sink *sink)
{
	return sink->len;
}

/* Free space in a pipe: its capacity less what the reader has not taken. */
static size_t log_sink_pipe_room(int fd)
{
	int queued = 0, capacity = fcntl(fd, F_GETPIPE_SZ);

	if (capacity <= 0 || ioctl(fd, FIONREAD, &queued) < 0 || queued >= capacity)
		return 0;
	return (size_t)(capacity - queued);
}

static void log_sink_on_alarm(int sig)
{
	(void)sig;
}

/* A write to a blocking pipe that gives up after LOGPIPE_BLOCK_USEC: free bytes do not
 * guarantee a free pipe slot, so it may block; SIGALRM (without SA_RESTART) then ends it with
 * what was written. The timer is disarmed before SIGALRM is blocked again, so no alarm is left
 * pending for the signalfd to take for a request to forward. (A SIGALRM someone else sent to
 * cinit in that window is taken here too: this path is only for the rare cinit that could not
 * reopen its output, and the cost is one lost alarm for the main command.) */
static ssize_t log_sink_write_bounded(int fd, const char *data, size_t size)
{
	struct sigaction on_alarm = { .sa_handler = log_sink_on_alarm }, saved_action;
	/* Repeating: an alarm that fires before write() starts still leaves the next one. */
	struct itimerval arm = { .it_value = { 0, LOGPIPE_BLOCK_USEC },
				 .it_interval = { 0, LOGPIPE_BLOCK_USEC } },
			 disarm = { 0 };
	sigset_t alarm, saved_mask;
	ssize_t n;
	int e;

	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	if (sigaction(SIGALRM, &on_alarm, &saved_action) < 0)
		return -errno;
	(void)setitimer(ITIMER_REAL, &arm, NULL);
	(void)sigprocmask(SIG_UNBLOCK, &alarm, &saved_mask);
	n = write(fd, data, size);
	e = errno;
	(void)setitimer(ITIMER_REAL, &disarm, NULL);
	(void)sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	(void)sigaction(SIGALRM, &saved_action, NULL);
	if (n >= 0)
		return n;
	return e == EINTR || e == EAGAIN ? 0 : -e;
}

static ssize_t log_sink_write_now(struct log_sink *sink, const char *data, size_t size)
{
	ssize_t n;

	if (sink->bounded) {
		size_t room = log_sink_pipe_room(sink->fd);
		if (room == 0)
			return 0;
		return log_sink_write_bounded(sink->fd, data, size > room ? room : size);
	}

	do
		n = sink->is_socket ? send(sink->fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL)
				    : write(sink->fd, data, size);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN)
		return 0;
	return -errno;
}

static void log_sink_break(struct log_sink *sink)
{
	/* Nobody reads our output any more; services must not stall on that. */
	sink->broken = true;
	sink->len = 0;
}

static void log_source_resume(struct log_source *source);

static void log_sink_resume_sources(struct log_sink *sink)
{
	while (sink->paused && (sink->len <= sink->max / 2 || sink->broken)) {
		struct log_source *s = sink->paused;
		sink->paused = s->next_paused;
		s->next_paused = NULL;
		log_source_resume(s);
		if (s->paused)
			break; /* could not be resumed: it is back on the list, try later */
	}
}

static int log_sink_flush(struct log_sink *sink)
{
	size_t done = 0;

	while (done < sink->len) {
		ssize_t n = log_sink_write_now(sink, sink->buf + done, sink->len - done);
		if (n < 0) {
			log_sink_break(sink);
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (!sink->broken) {
		memmove(sink->buf, sink->buf + done, sink->len - done);
		sink->len -= done;
	}
	if (sink->len > 0 && !sink->watching) {
		int r = loop_add_fd(sink->loop, sink->fd, EPOLLOUT, log_sink_on_writable, sink);
		if (r < 0)
			return r;
		sink->watching = true;
	} else if (sink->len == 0 && sink->watching) {
		(void)loop_remove_fd(sink->loop, sink->fd);
		sink->watching = false;
	}
	log_sink_resume_sources(sink);
	return 0;
}

static int log_sink_on_writable(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct log_sink *sink = data;

	if (events & (EPOLLERR | EPOLLHUP))
		log_sink_break(sink);
	return log_sink_flush(sink);
}

/* Queues one whole line; written at once when the reader keeps up, so lines of different
 * services never interleave. */
static int log_sink_write(struct log_sink *sink, const char *data, size_t size)
{
	if (sink->broken)
		return 0;
	if (sink->len == 0) {
		ssize_t n = log_sink_write_now(sink, data, size);
		if (n < 0) {
			log_sink_break(sink);
			return 0;
		}
		data += n;
		size -= (size_t)n;
		if (size == 0)
			return 0;
	}
	if (sink->len + size > sink->size) {
		size_t nsize = sink->size ? sink->size : 4096;
		char *nbuf;
		while (nsize < sink->len + size)
			nsize *= 2;
		nbuf = realloc(sink->buf, nsize);
		if (!nbuf)
			return -ENOMEM;
		sink->buf = nbuf;
		sink->size = nsize;
	}
	memcpy(sink->buf + sink->len, data, size);
	sink->len += size;
	return log_sink_flush(sink);
}

static int log_source_emit(struct log_source *source)
{
	char out[LOGPIPE_LINE_MAX + 128];
	int prefix = snprintf(out, sizeof(out) - LOGPIPE_LINE_MAX - 1, "%s[%d]: ", source->name,
			      (int)source->pid);

	if (prefix < 0)
		return -EINVAL;
	if ((size_t)prefix > sizeof(out) - LOGPIPE_LINE_MAX - 2)
		prefix = (int)(sizeof(out) - LOGPIPE_LINE_MAX - 2);
	size_t total = (size_t)prefix + source->len + 1;

	memcpy(out + prefix, source->line, source->len);
	out[total - 1] = '\n';
	source->len = 0;
	return log_sink_write(source->sink, out, total);
}

static void log_source_pause(struct log_source *source)
{
	if (source->paused || source->fd < 0)
		return;
	(void)loop_remove_fd(source->loop, source->fd);
	source->paused = true;
	source->next_paused = source->sink->paused;
	source->sink->paused = source;
}

static void log_source_resume(struct log_source *source)
{
	if (!source->paused || source->fd < 0)
		return;
	if (loop_add_fd(source->loop, source->fd, EPOLLIN, log_source_on_readable, source) < 0) {
		/* Out of memory: stay paused, so a later flush tries again. */
		source->next_paused = source->sink->paused;
		source->sink->paused = source;
		return;
	}
	source->paused = false;
}

static void log_source_close(struct log_source *source)
{
	if (source->fd < 0)
		return;
	if (!source->paused)
		(void)loop_remove_fd(source->loop, source->fd);
	util_closep(&source->fd);
	source->fd = -1;
}

static int log_source_on_readable(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct log_source *source = data;
	char chunk[LOGPIPE_READ_CHUNK];
	ssize_t n = util_read(fd, chunk, sizeof(chunk));
	int r;

	if (n == -EAGAIN)
		return 0;
	if (n <= 0) {
		/* EOF (or a broken pipe): the last partial line still counts. */
		if (source->len > 0 && (r = log_source_emit(source)) < 0)
			return r;
		log_source_close(source);
		if (source->on_eof)
			source->on_eof(source->data);
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] == '\n' || source->len == LOGPIPE_LINE_MAX) {
			r = log_source_emit(source);
			if (r < 0)
				return r;
			if (chunk[i] == '\n')
				continue;
		}
		source->line[source->len++] = chunk[i];
	}
	if (source->sink->len > source->sink->max)
		log_source_pause(source);
	return 0;
}

int log_source_new(struct loop *loop, struct log_sink *sink, int pipe_fd, const char *name,
		   pid_t pid, void (*on_eof)(void *data), void *data, struct log_source **ret)
{
	struct log_source *source = calloc(1, sizeof(*source));
	int r;

	if (!source)
		return -ENOMEM;
	source->name = strdup(name);
	if (!source->name) {
		free(source);
		return -ENOMEM;
	}
	r = util_fd_set_nonblock(pipe_fd, true);
	if (r >= 0)
		r = loop_add_fd(loop, pipe_fd, EPOLLIN, log_source_on_readable, source);
	if (r < 0) {
		free(source->name);
		free(source);
		return r;
	}
	source->loop = loop;
	source->sink = sink;
	source->fd = pipe_fd;
	source->pid = pid;
	source->on_eof = on_eof;
	source->data = data;
	source->next_source = sink->sources;
	sink->sources = source;
	if (sink->len > sink->max)
		log_source_pause(source);
	*ret = source;
	return 0;
}

void log_source_set_pid(struct log_source *source, pid_t pid)
{
	source->pid = pid;
}

void log_source_set_on_eof(struct log_source *source, void (*on_eof)(void *data), void *data)
{
	source->on_eof = on_eof;
	source->data = data;
}

void log_source_free(struct log_source *source)
{
	struct log_source **p;

	if (!source)
		return;
	for (p = &source->sink->paused; *p; p = &(*p)->next_paused) {
		if (*p == source) {
			*p = source->next_paused;
			break;
		}
	}
	for (p = &source->sink->sources; *p; p = &(*p)->next_source) {
		if (*p == source) {
			*p = source->next_source;
			break;
		}
	}
	log_source_close(source);
	free(source->name);
	free(source);
}

/* At exit: what the services wrote before they ended is still in their pipes, and perhaps in
 * the sink's buffer. Read every pipe to its end (or to what is there, if a process still holds
 * it), then write it all out, waiting for a slow reader at most timeout_ms in all. */
void log_sink_drain(struct log_sink *sink, int timeout_ms)
{
	uint64_t deadline = util_now_usec(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * USEC_PER_MSEC;
	struct log_source *source, *next;

	for (source = sink->sources; source; source = next) {
		next = source->next_source;
		/* A process still writing must not hold cinit's exit. */
		while (source->fd >= 0 && util_now_usec(CLOCK_MONOTONIC) < deadline) {
			int fd = source->fd, queued = 0;
			if (ioctl(fd, FIONREAD, &queued) < 0)
				queued = 0;
			/* With nothing queued, one more read tells EOF from "still open"; at EOF
			 * the owner may free the source, so it is not touched after that read. */
			if (log_source_on_readable(sink->loop, fd, EPOLLIN, source) < 0 ||
			    queued <= 0)
				break;
		}
	}
	while (sink->len > 0 && !sink->broken) {
		uint64_t now = util_now_usec(CLOCK_MONOTONIC);
		struct pollfd pfd = { .fd = sink->fd, .events = POLLOUT };
		size_t before = sink->len;

		if (log_sink_flush(sink) < 0 || sink->len == 0 || now >= deadline)
			break;
		if (sink->len == before &&
		    poll(&pfd, 1, (int)((deadline - now) / USEC_PER_MSEC) + 1) <= 0)
			break;
	}
}
