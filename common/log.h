/* Program-prefixed logging to stderr, one write() per message so lines stay whole. */
#pragma once

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_TRACE,
};

/* The prefix ("cinit", "tini", ...) and the verbosity are the only process-wide settings in
 * common/: every message of a process carries the same prefix and obeys the same level. */
void log_setup(const char *program, enum log_level level);
void log_set_level(int level);
int log_get_level(void);
const char *log_program(void);

/* Writes "program: message[: strerror(err)]\n" when level is enabled. Returns -|err| (or -1 when
 * err is 0) so that callers can write `return log_error_errno(r, "...")`. */
int log_msg(enum log_level level, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int log_msgv(enum log_level level, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_error(...)		  log_msg(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...)	  log_msg(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...)		  log_msg(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)		  log_msg(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_trace(...)		  log_msg(LOG_LEVEL_TRACE, 0, __VA_ARGS__)
#define log_error_errno(e, ...)	  log_msg(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_msg(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_debug_errno(e, ...)	  log_msg(LOG_LEVEL_DEBUG, (e), __VA_ARGS__)
