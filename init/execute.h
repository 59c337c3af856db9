/* Starting one process of a service as systemd's exec_child() does: what can be known in advance
 * (environment, credentials, working directory) is resolved in cinit by exec_context_new(), so
 * that errors name the unit; then exec_spawn() forks a child that applies the exec_spec step by
 * step and reports the first step that fails through a pipe, with systemd's exit status. */
#pragma once

#include "common/execline.h"
#include "common/spec.h"

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* systemd's exit statuses for a set-up step that failed in the child (systemd.exec(5), "Process
 * exit codes"): the child exits with the step's number, so "status=203/EXEC" reads the same as
 * under systemd. Only the steps cinit has are listed (MEMORY is never used: the child allocates
 * nothing). */
enum exec_step {
	EXEC_STEP_CHDIR = 200,
	EXEC_STEP_NICE = 201,
	EXEC_STEP_FDS = 202,
	EXEC_STEP_EXEC = 203,
	EXEC_STEP_MEMORY = 204,
	EXEC_STEP_LIMITS = 205,
	EXEC_STEP_SIGNAL_MASK = 207,
	EXEC_STEP_STDIN = 208,
	EXEC_STEP_STDOUT = 209,
	EXEC_STEP_GROUP = 216,
	EXEC_STEP_USER = 217,
	EXEC_STEP_CAPABILITIES = 218,
	EXEC_STEP_CGROUP = 219,
	EXEC_STEP_SETSID = 220,
	EXEC_STEP_STDERR = 222,
	EXEC_STEP_NO_NEW_PRIVILEGES = 227,
};

/* systemd's name of any of its exit statuses 200..245 ("CHDIR", "EXEC", "NO_NEW_PRIVILEGES",
 * also those cinit never produces, as a service may exit with them), or NULL. */
const char *exec_step_name(int step);

struct exec_context;

/* Resolves, once per start, what the child needs besides the spec. The environment is built as
 * systemd builds a service's (later entries replace earlier ones of the same name, in place):
 *   1. PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 *   2. USER, LOGNAME, HOME, SHELL of User= (HOME not when it is "/", SHELL not when it is a
 *      nologin placeholder); without User=, just USER=root
 *   3. extra_env ("NOTIFY_SOCKET=...", "MAINPID=..."; NULL-terminated, may be NULL)
 *   4. PassEnvironment= names present in cinit's environment
 *   5. Environment=
 *   6. EnvironmentFile= files in order (globs allowed; "-" ignores any error of that file),
 *      read now with systemd's syntax; assignments whose name is not valid are dropped with a
 *      warning ("export A=1" is one: systemd does not support "export")
 *   7. UnsetEnvironment= removes a name ("A") or one exact assignment ("A=1").
 * User=, Group=, SupplementaryGroups= are looked up in /etc/passwd and /etc/group (common/users):
 * the gid is Group= or the user's, the groups those listing the user plus SupplementaryGroups=.
 * WorkingDirectory= unset is "/", "~" is the home of User= (or root's).
 * On failure err gets one line without the unit name, e.g. `User=bob: no such user`,
 * `EnvironmentFile=/etc/x: No such file or directory`. Returns 0 or -errno. */
int exec_context_new(const struct exec_spec *spec, char *const *extra_env,
		     struct exec_context **ret, char *err, size_t err_size);
/* NULL-terminated "K=V" strings, for $VAR expansion of Exec lines. */
char *const *exec_context_env(const struct exec_context *ctx);
void exec_context_free(struct exec_context *ctx);

struct exec_request {
	const struct exec_spec *spec;	    /* umask, nice, rlimits, caps, no_new_privs, stdio */
	const struct exec_context *context; /* env, credentials, cwd */
	const struct exec_command *command; /* path, argv, flags ('+' and '!', see exec_spawn) */
	int stdout_fd, stderr_fd; /* SPEC_OUTPUT_JOURNAL: the log pipe's write ends (may be the
				     same fd); -1 otherwise */
	const sigset_t *mask;	  /* signal mask of the child; NULL = empty */
	int cgroup_procs_fd; /* -1, or an O_WRONLY fd of a cgroup.procs: the child joins it first */
	/* Socket activation: these fds become the child's 3, 4, ... (at most EXEC_LISTEN_FDS_MAX),
	 * and its "LISTEN_PID=" environment entry (the context's, padded with digits) gets its
	 * pid. NULL, 0: none. */
	const int *listen_fds;
	size_t n_listen_fds;
};

#define EXEC_LISTEN_FDS_MAX 64
/* The LISTEN_PID entry a context needs for listen_fds: room for any pid. */
#define EXEC_LISTEN_PID_PLACEHOLDER "LISTEN_PID=0000000000"

/* Forks a child that, in this order: joins the cgroup; resets every signal disposition to the
 * default except SIGPIPE, which is ignored (systemd's IgnoreSIGPIPE=yes default), and sets
 * *mask; starts a new session; sets the umask (default 0022); sets up stdin (/dev/null), stdout
 * and stderr (inherit: cinit's own fd; file:/append:/truncate: opened as root, mode 0666 & ~umask;
 * stderr shares stdout's file description when both name the same file); closes every other fd;
 * sets Nice= and the Limit*= (clamped to the hard limit like systemd's setrlimit_closest); sets
 * supplementary groups and gid; drops the capability bounding set; raises AmbientCapabilities=
 * (inheritable too); sets the uid (keeping ambient caps over it); changes directory ("-" prefix:
 * any failure ignored); sets no_new_privs; and execs the command with the context's environment,
 * searching a path without '/' in its $PATH like execvpe(3) (no /bin/sh fallback for ENOEXEC).
 * '!' skips groups/gid/uid; '+' also skips the capabilities and no_new_privs.
 * The child allocates nothing and prints nothing. The first failing step writes one struct
 * exec_failure to a close-on-exec pipe and exits with the step's number. *ret_status_fd gets the
 * pipe's non-blocking read end (close-on-exec, the caller closes it). Returns 0, or -errno when
 * the request is invalid or pipe/fork failed (nothing was started then). */
int exec_spawn(const struct exec_request *request, pid_t *ret_pid, int *ret_status_fd);

struct exec_failure {
	int step;  /* enum exec_step */
	int error; /* errno of the step, positive */
};

/* 1 with *ret filled: the child failed before exec (EOF follows). 0: EOF without data, the exec
 * succeeded (or the child was killed before it got that far). -EAGAIN: nothing yet; other
 * -errno on read errors. Does not close fd. */
int exec_read_status(int fd, struct exec_failure *ret);
