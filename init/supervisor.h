/* The multi-service supervisor: loads every *.service of a directory, starts them in dependency
 * order (in parallel where the graph allows), restarts, stops them in reverse order, reloads
 * the directory, and answers `cinit ctl`. It runs inside cinit's one event loop. */
#pragma once

#include "init/control.h"
#include "init/logpipe.h"
#include "init/loop.h"
#include "init/reaper.h"

#include <signal.h>
#include <stdbool.h>

struct supervisor;
struct service;
struct svcgroup_root;

enum supervisor_event {
	SUPERVISOR_ALL_STARTED, /* every unit of the first start has started or failed */
	SUPERVISOR_ALL_STOPPED, /* after supervisor_stop_all(): nothing of any service is left */
	SUPERVISOR_EXIT, /* FailureAction=/SuccessAction=exit: end the container with status */
};

struct supervisor_config {
	struct loop *loop;
	struct reaper *reaper;
	const char *unit_dir;
	const char *notify_path;	   /* NOTIFY_SOCKET for Type=notify services */
	const sigset_t *mask;		   /* signal mask for service processes */
	struct log_sink *out, *err;	   /* cinit's stdout and stderr (may be one sink) */
	struct svcgroup_root *cgroup_root; /* NULL: services are tracked by process group */
	void (*on_event)(enum supervisor_event event, int status, void *data);
	void *data;
};

int supervisor_new(const struct supervisor_config *config, struct supervisor **ret);
void supervisor_free(struct supervisor *supervisor);

/* Reads the unit directory. A missing or unreadable directory is an error (-errno, logged);
 * a unit with a syntax error is logged and kept as failed to load, the others are loaded. */
int supervisor_load(struct supervisor *supervisor);
/* Queues a start of every loaded unit. */
int supervisor_start_all(struct supervisor *supervisor);
/* Ordered shutdown: every service stops in reverse dependency order, each with its own
 * ExecStop=, KillSignal= and TimeoutStopSec=; SUPERVISOR_ALL_STOPPED follows. */
void supervisor_stop_all(struct supervisor *supervisor);
/* SIGKILL to every process of every service, now (a second stop request). */
void supervisor_kill_all(struct supervisor *supervisor);
/* Re-reads the unit directory: new units start, removed ones stop, changed ones restart. */
int supervisor_reload_units(struct supervisor *supervisor);
/* After each reaper round. */
void supervisor_after_reap(struct supervisor *supervisor);
/* A `cinit ctl` command. */
void supervisor_control(struct control_request *request, int argc, char **argv, void *data);
/* Counts of units by state, for STATUS= and logs. */
void supervisor_counts(const struct supervisor *supervisor, unsigned *active, unsigned *failed,
		       unsigned *total);

/* For init/service.c. */
struct loop *supervisor_loop(struct supervisor *supervisor);
struct reaper *supervisor_reaper(struct supervisor *supervisor);
const struct supervisor_config *supervisor_config(const struct supervisor *supervisor);
bool supervisor_shutting_down(const struct supervisor *supervisor);
/* Called by a service after each state change. */
void supervisor_on_service_state(struct supervisor *supervisor, struct service *service,
				 int old_state);
