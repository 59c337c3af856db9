/* Command line and environment of cinit and of its tini and dumb-init personalities. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

enum personality {
	PERSONALITY_CINIT,
	PERSONALITY_TINI,
	PERSONALITY_DUMB_INIT,
};

/* How the main command is placed relative to cinit's own process group and session. */
enum child_grouping {
	CHILD_OWN_PGRP,	   /* setpgid(0, 0): cinit and tini */
	CHILD_OWN_SESSION, /* setsid(): dumb-init's default */
	CHILD_SAME_PGRP,   /* dumb-init -c / DUMB_INIT_SETSID=0 */
};

#define OPTIONS_SIGNALS		    65 /* covers _NSIG of glibc and musl */
#define OPTIONS_RUNTIME_DIR_DEFAULT "/run/cinit"

struct options {
	enum personality personality;
	int verbosity; /* log_level */
	enum child_grouping grouping;
	bool signal_group;	      /* forward to the child's process group (-g, setsid mode) */
	bool stop_on_tty_signals;     /* after forwarding TSTP/TTIN/TTOU, stop ourselves */
	bool warn_reap;		      /* -w: warn about every reaped orphan */
	bool subreaper_requested;     /* -s or TINI_SUBREAPER; cinit registers anyway */
	int pdeath_signal;	      /* -p: signal we get when our parent dies, 0 = none */
	int rewrite[OPTIONS_SIGNALS]; /* signal -> signal to forward; 0 = drop */
	bool rewrite_set[OPTIONS_SIGNALS]; /* given by the user (-r) */
	bool remap_exit[256];		   /* tini -e: these child exit codes become 0 */
	uint64_t stop_timeout_usec;	   /* SIGTERM -> SIGKILL grace for leftovers */
	char **command;			   /* argv of the main command; NULL with --units only */
	const char *units_dir;		   /* --units / CINIT_UNITS: supervise DIR/NAME.service */
	const char *runtime_dir;	   /* --runtime-dir / CINIT_RUNTIME_DIR: control, notify */
	const char *cgroup_path;	   /* --cgroup / CINIT_CGROUP: delegated cgroup2 dir */
};

enum options_result {
	OPTIONS_RUN = 0,  /* run options->command */
	OPTIONS_EXIT = 1, /* help or version was printed: exit 0 */
};

/* Parses argv and the environment. Returns OPTIONS_RUN, OPTIONS_EXIT, or a negative value after
 * printing a one-line error (and a usage hint); then options_usage_exit_code() is the status. */
int options_parse(int argc, char **argv, struct options *options);
int options_usage_exit_code(enum personality personality);
const char *options_personality_name(enum personality personality);
