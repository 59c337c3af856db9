/* From unit keys to meaning. struct exec_spec is what any process cinit or claunch starts is
 * made of (kept to the concepts of the OCI runtime spec's "process" section, so an OCI front end
 * can fill it too); struct service_spec adds what cinit's supervisor needs for a *.service.
 * Values are validated here, at load time, with the file:line of the key; nothing is resolved
 * against the running system (users, files, $VARs) until the process is started. */
#pragma once

#include "common/unitfile.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SPEC_UNSET (-1)

enum spec_input {
	SPEC_INPUT_NULL, /* cinit has no terminal to share: null is the only supported input */
};

enum spec_output {
	SPEC_OUTPUT_INHERIT, /* cinit's own fd (the container's stdout/stderr) */
	SPEC_OUTPUT_NULL,
	SPEC_OUTPUT_JOURNAL,  /* = cinit's log pipe: lines prefixed "name[pid]: " (the default) */
	SPEC_OUTPUT_FILE,     /* file:PATH, opened for writing without truncation */
	SPEC_OUTPUT_APPEND,   /* append:PATH */
	SPEC_OUTPUT_TRUNCATE, /* truncate:PATH */
};

struct spec_rlimit {
	bool set;
	rlim_t soft, hard; /* RLIM_INFINITY for "infinity" */
};

/* One Exec*= assignment, kept as written: $VARs are expanded at start time with the service's
 * environment. Syntax was checked at load time. */
struct spec_exec_line {
	char *value;
	const char *file; /* owned by the unit_file's strings: copied here, see spec_free */
	unsigned line;
};

struct spec_exec_list {
	struct spec_exec_line *lines;
	size_t count;
};

struct exec_spec {
	char **environment;		 /* "K=V" in order (Environment=, later wins) */
	char **environment_files;	 /* paths; a leading "-" means optional, kept as written */
	char **pass_environment;	 /* names taken from cinit's environment */
	char **unset_environment;	 /* names or "K=V" to drop */
	char *working_directory;	 /* NULL = "/" for services; "~" = the user's home */
	bool working_directory_optional; /* written with a leading "-" */
	char *user, *group;		 /* names or numbers, resolved at start (no NSS) */
	char **supplementary_groups;
	int umask;				  /* SPEC_UNSET or 0..0777 */
	int nice;				  /* SPEC_UNSET or -20..19 */
	struct spec_rlimit rlimits[RLIM_NLIMITS]; /* LimitNOFILE= etc. */
	bool no_new_privileges;
	bool capability_bounding_set_set;
	uint64_t capability_bounding_set; /* bit per CAP_* */
	uint64_t ambient_capabilities;
	enum spec_input standard_input;
	enum spec_output standard_output, standard_error;
	char *standard_output_path, *standard_error_path;
};

enum spec_service_type {
	SPEC_TYPE_SIMPLE,
	SPEC_TYPE_EXEC,
	SPEC_TYPE_FORKING,
	SPEC_TYPE_ONESHOT,
	SPEC_TYPE_NOTIFY,
};

enum spec_restart {
	SPEC_RESTART_NO,
	SPEC_RESTART_ALWAYS,
	SPEC_RESTART_ON_SUCCESS,
	SPEC_RESTART_ON_FAILURE,
	SPEC_RESTART_ON_ABNORMAL,
	SPEC_RESTART_ON_ABORT,
};

enum spec_kill_mode {
	SPEC_KILL_CONTROL_GROUP,
	SPEC_KILL_MIXED,
	SPEC_KILL_PROCESS,
};

enum spec_action {
	SPEC_ACTION_NONE,
	SPEC_ACTION_EXIT, /* end the container (cinit exits) */
};

struct service_spec {
	char *name; /* "web.service" */
	char *description;

	/* [Unit] */
	char **after, **before, **requires, **wants, **binds_to, **conflicts; /* unit names */
	uint64_t start_limit_interval_usec;
	unsigned start_limit_burst;
	enum spec_action failure_action, success_action;
	int failure_action_exit_status, success_action_exit_status; /* SPEC_UNSET or 0..255 */

	/* [Service] */
	enum spec_service_type type;
	char *pid_file;
	/* Socket activation fds cinit was given that the main process takes, by name: an entry
	 * is a FileDescriptorName= or a socket unit ("web" or "web.socket"). Without it the
	 * service takes those named after it (web.service: "web" and "web.socket"). */
	char **sockets;
	struct spec_exec_list exec_start_pre, exec_start, exec_start_post, exec_reload, exec_stop,
		exec_stop_post;
	bool remain_after_exit;
	enum spec_restart restart;
	uint64_t restart_usec, restart_max_delay_usec; /* max: USEC_INFINITY when unset */
	unsigned restart_steps;
	uint64_t timeout_start_usec, timeout_stop_usec; /* VALUE_INFINITY = no timeout */
	uint64_t watchdog_usec;				/* 0 = off */
	int kill_signal, final_kill_signal;
	enum spec_kill_mode kill_mode;
	bool send_sigkill;
	bool success_exit_status[256]; /* besides 0 */
	bool success_signal[65];       /* besides SIGHUP, SIGINT, SIGTERM, SIGPIPE for simple... */
	/* Per-service resource limits, applied where cinit has a delegated cgroup. */
	uint64_t memory_max;		 /* VALUE_INFINITY when unset */
	uint64_t cpu_quota_per_sec_usec; /* CPUQuota=50% -> 500000; VALUE_INFINITY when unset */
	uint64_t tasks_max;		 /* VALUE_INFINITY when unset */

	struct exec_spec exec;
};

/* Builds the spec of a *.service unit. Every recognised key is validated; the first invalid
 * value fails the load with `FILE:LINE: KEY: "VALUE" is not a duration` (or a key-specific
 * reason) in diag->error and returns -EINVAL. Unknown keys and unknown sections are one warning
 * each through diag->warn (`FILE:LINE: unknown key "Foo" in [Service], ignoring`), never fatal;
 * keys systemd has but cinit cannot honour are warned about the same way, naming why. A
 * service without ExecStart= (and not Type=oneshot with ExecStop=... as systemd allows) fails. */
int service_spec_from_unit(const struct unit_file *unit, struct service_spec **ret,
			   struct unit_diag *diag);
void service_spec_free(struct service_spec *spec);

/* The name of capability number cap without "CAP_" ("SYS_ADMIN"), or NULL past the last one
 * known. */
const char *spec_capability_name(unsigned cap);

/* The defaults systemd uses (and cinit's man page documents). */
void exec_spec_init(struct exec_spec *exec);
void exec_spec_clear(struct exec_spec *exec);
