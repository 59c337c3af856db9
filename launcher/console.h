/* -t: the container gets a pseudo-terminal; claunch puts its own terminal in raw mode, copies
 * bytes both ways (stdin only with -i) and passes on window size changes, as docker run -t
 * does. All fds are the caller's event loop's to watch; nothing here blocks except the writes
 * to claunch's own stdout. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#define CONSOLE_BUFFER 4096

struct console {
	int master;	     /* -1 when there is no pty */
	int slave;	     /* the container's end, closed once it has it */
	char slave_path[64]; /* /dev/pts/N, bound at /dev/console in a --rootfs */
	bool raw;	     /* stdin was put in raw mode: restore it */
	struct termios saved;
	char input[CONSOLE_BUFFER]; /* read from stdin, not yet written to the master */
	size_t input_len;
	size_t input_off;
	bool stdin_open;
};

/* Opens the pair (master non-blocking), sizes it like claunch's stdin or stdout terminal, and
 * with raw puts claunch's stdin terminal (if it is one) into raw mode. Returns 0 or -errno. */
int console_open(struct console *c, bool raw);
/* Copies claunch's terminal window size to the pty (SIGWINCH). */
void console_resize(struct console *c);
/* Master readable: copies what the container wrote to stdout. Returns 0, or -EIO when the
 * container side is closed (every process that had it exited). */
int console_read_master(struct console *c);
/* stdin readable: reads into the input buffer when it is empty. 0, or 1 at EOF of stdin. */
int console_read_stdin(struct console *c);
/* Writes buffered input to the master; returns 1 while some remains (wait for EPOLLOUT). */
int console_write_master(struct console *c);
/* Copies what is left on the master, restores the terminal mode, closes the fds. */
void console_close(struct console *c);
