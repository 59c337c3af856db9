/* Helpers for the integration suites: start the real binaries (optionally as PID 1 of a new PID
 * namespace, optionally on a pseudo-terminal), read what they print, wait with a deadline. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct proc {
	pid_t pid;	/* in our namespace */
	int out_fd;	/* its stdout, or -1 */
	int err_fd;	/* its stderr, or -1 */
	int pty_fd;	/* master side when started on a pty, or -1 */
	char buf[8192]; /* stdout bytes read but not yet returned as lines */
	size_t len;
	char transcript[65536]; /* every line returned so far, each ending in "\n" */
	size_t transcript_len;
};

struct spawn_options {
	bool new_pidns;		/* run as PID 1 of a new PID namespace */
	bool on_pty;		/* new session with a pty as controlling terminal and stdin */
	bool no_subreaper;	/* by default the test process is a subreaper, to see leftovers */
	const char *const *env; /* extra NAME=VALUE entries, NULL-terminated */
	int pending_signal;	/* blocked and raised before exec: already pending at start */
};

const char *harness_cinit(void);
const char *harness_payload(void);
const char *harness_claunch(void);

/* Skips the current test, with the reason, when a PID namespace cannot be made (not root). */
void harness_require_pidns(void);

/* argv[0] is the program path; argv is NULL-terminated. Criterion-asserts on failure. */
void harness_spawn(struct proc *p, const struct spawn_options *o, const char *const argv[]);

/* Next stdout line without the newline (static storage until the next call), or NULL at EOF or
 * after timeout_ms. */
const char *harness_read_line(struct proc *p, int timeout_ms);
/* Whether the process printed this exact line (among those read so far). */
bool harness_printed(const struct proc *p, const char *line);
/* True if want was printed already or is printed (as a whole line) within timeout_ms. */
bool harness_expect_line(struct proc *p, const char *want, int timeout_ms);
/* Reads stderr until it contains needle; false on EOF or timeout. */
bool harness_expect_stderr(struct proc *p, const char *needle, int timeout_ms);
/* All of stderr (until EOF), NUL-terminated, static storage. */
const char *harness_read_stderr(struct proc *p, int timeout_ms);

/* Waits for exit; on timeout kills it (and its namespace) and returns -1. Otherwise the wait
 * status. Closes the fds. */
int harness_wait(struct proc *p, int timeout_ms);
/* Exit code as a shell shows it: status, or 128+signal. -1 on timeout. */
int harness_exit_code(struct proc *p, int timeout_ms);

/* Children of pid from /proc/PID/task/PID/children; fills up to max pids, returns the count. */
int harness_children(pid_t pid, pid_t *pids, int max);
/* Process state letter from /proc/PID/stat ('Z' zombie), or 0 if gone. */
char harness_state(pid_t pid);
/* Waits until pid has exactly n children, up to timeout_ms. Returns the last count seen. */
int harness_wait_children(pid_t pid, int n, int timeout_ms);

/* Runs argv to completion with stdin from /dev/null; returns the exit code and stderr. */
int harness_run(const char *const argv[], const char **stderr_text);

/* Milliseconds on CLOCK_MONOTONIC. */
long long harness_now_ms(void);
