/* Service output: each service's stdout and stderr come through a pipe to cinit, which writes
 * them as whole lines "name[pid]: text" to its own stdout or stderr (a sink). cinit never
 * blocks on output: a sink buffers what its reader has not taken yet, and while that buffer is
 * over its limit cinit stops reading the services' pipes, so a flooding service is slowed by
 * its own full pipe while cinit, and every other part of it, keeps running. */
#pragma once

#include "init/loop.h"

#include <stddef.h>
#include <sys/types.h>

#define LOGPIPE_LINE_MAX 4096 /* longer lines are split, each part prefixed */

struct log_sink;
struct log_source;

/* A sink writing to fd (cinit's 1 or 2; not taken over: the sink writes through its own
 * non-blocking file description of the same pipe or terminal, so the flags of the one shared
 * with our parent are never changed). max_buffer: bytes held before sources are paused. */
int log_sink_new(struct loop *loop, int fd, size_t max_buffer, struct log_sink **ret);
void log_sink_free(struct log_sink *sink);
/* Bytes waiting for the reader. */
size_t log_sink_pending(const struct log_sink *sink);

/* Reads pipe_fd (taken over: made non-blocking, closed at EOF or free) and writes its lines to
 * sink prefixed "name[pid]: ". At EOF a last partial line is written with a newline, the fd is
 * closed and on_eof(data) is called; the source stays valid until log_source_free(). */
int log_source_new(struct loop *loop, struct log_sink *sink, int pipe_fd, const char *name,
		   pid_t pid, void (*on_eof)(void *data), void *data, struct log_source **ret);
/* The pid in the prefix (a service's main pid changes on restart, or with MAINPID=). */
void log_source_set_pid(struct log_source *source, pid_t pid);
void log_source_free(struct log_source *source);
/* At exit: reads what every source's pipe still holds and writes it out, waiting for the
 * reader at most timeout_ms. */
void log_sink_drain(struct log_sink *sink, int timeout_ms);
/* Replaces the EOF callback (e.g. to pass the source itself, which may free it there). */
void log_source_set_on_eof(struct log_source *source, void (*on_eof)(void *data), void *data);
