#include "config.h"

#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
	const char *program;
	int level;
} log_config = { "cinit", LOG_LEVEL_WARNING };

void log_setup(const char *program, enum log_level level)
{
	log_config.program = program;
	log_config.level = level;
}

void log_set_level(int level)
{
	if (level < LOG_LEVEL_ERROR)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_TRACE)
		level = LOG_LEVEL_TRACE;
	log_config.level = level;
}

int log_get_level(void)
{
	return log_config.level;
}

const char *log_program(void)
{
	return log_config.program;
}

int log_msgv(enum log_level level, int err, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t len;
	int saved_errno = errno;
	int n;

	if (err < 0)
		err = -err;
	if ((int)level > log_config.level)
		goto out;

	n = snprintf(buf, sizeof(buf), "%s: ", log_config.program);
	len = n > 0 ? (size_t)n : 0;
	n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	if (n > 0)
		len += (size_t)n;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	if (err > 0) {
		n = snprintf(buf + len, sizeof(buf) - len, ": %s", strerror(err));
		if (n > 0)
			len += (size_t)n;
		if (len > sizeof(buf) - 2)
			len = sizeof(buf) - 2;
	}
	buf[len++] = '\n';
	(void)write_all(STDERR_FILENO, buf, len);
out:
	errno = saved_errno;
	return err > 0 ? -err : -1;
}

int log_msg(enum log_level level, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = log_msgv(level, err, fmt, ap);
	va_end(ap);
	return r;
}
