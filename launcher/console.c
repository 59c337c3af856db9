/* The container's pseudo-terminal. */
#include "config.h"

#include "launcher/console.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The terminal claunch runs on: its stdin, else its stdout. -1 when neither is one. */
static int own_terminal(void)
{
	if (isatty(STDIN_FILENO))
		return STDIN_FILENO;
	if (isatty(STDOUT_FILENO))
		return STDOUT_FILENO;
	return -1;
}

void console_resize(struct console *c)
{
	struct winsize ws;
	int fd = own_terminal();

	if (c->master < 0 || fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return;
	(void)ioctl(c->master, TIOCSWINSZ, &ws);
}

int console_open(struct console *c, bool raw)
{
	int r;

	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	c->slave = -1;
	c->stdin_open = true;
	if (c->master < 0)
		return -errno;
	if (grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
	    ptsname_r(c->master, c->slave_path, sizeof(c->slave_path)) != 0)
		goto fail;
	c->slave = open(c->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave < 0)
		goto fail;
	r = util_fd_set_nonblock(c->master, true);
	if (r < 0) {
		errno = -r;
		goto fail;
	}
	console_resize(c);

	if (raw && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
		struct termios t = c->saved;

		cfmakeraw(&t);
		/* keep output processing so that claunch's own messages still end lines well */
		t.c_oflag |= OPOST | ONLCR;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
			c->raw = true;
	}
	return 0;

fail:
	r = -errno;
	util_closep(&c->slave);
	util_closep(&c->master);
	c->slave = c->master = -1;
	return r;
}

int console_read_master(struct console *c)
{
	char buf[CONSOLE_BUFFER];

	for (;;) {
		ssize_t n = read(c->master, buf, sizeof(buf));

		if (n > 0) {
			/* a failed write (claunch's stdout is gone) drops the bytes: the pty
			 * must still be drained or the container blocks */
			(void)util_write_all(STDOUT_FILENO, buf, (size_t)n);
			continue;
		}
		if (n == 0)
			return -EIO;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		return -errno; /* EIO: no process has the slave open any more */
	}
}

int console_read_stdin(struct console *c)
{
	ssize_t n;

	if (c->input_len > c->input_off)
		return 0;
	n = util_read(STDIN_FILENO, c->input, sizeof(c->input));
	if (n <= 0) {
		c->stdin_open = false;
		return 1;
	}
	c->input_len = (size_t)n;
	c->input_off = 0;
	return 0;
}

int console_write_master(struct console *c)
{
	while (c->input_off < c->input_len) {
		ssize_t n = write(c->master, c->input + c->input_off, c->input_len - c->input_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 1;
			c->input_off = c->input_len; /* the container side is gone */
			break;
		}
		c->input_off += (size_t)n;
	}
	c->input_len = c->input_off = 0;
	return 0;
}

void console_close(struct console *c)
{
	if (c->master >= 0)
		(void)console_read_master(c);
	if (c->raw) {
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &c->saved);
		c->raw = false;
	}
	util_closep(&c->slave);
	util_closep(&c->master);
	c->slave = c->master = -1;
}
