/* One supervised service: its state machine (init/service.c) and what the supervisor keeps about
 * it. The supervisor (init/supervisor.c) decides when a service may start or stop (dependencies,
 * jobs, shutdown); the service decides how, through one table of states x events -> action. */
#pragma once

#include "common/spec.h"
#include "init/execute.h"
#include "init/logpipe.h"
#include "init/loop.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct supervisor;
struct svcgroup;

/* As systemd names them (systemctl status shows these). */
enum service_state {
	SERVICE_DEAD,
	SERVICE_WAITING, /* a start is requested; waiting for units it is ordered after */
	SERVICE_START_PRE,
	SERVICE_START,
	SERVICE_START_POST,
	SERVICE_RUNNING,
	SERVICE_EXITED, /* RemainAfterExit=yes: active without a process */
	SERVICE_RELOAD,
	SERVICE_STOP,
	SERVICE_STOP_SIGTERM,
	SERVICE_STOP_SIGKILL,
	SERVICE_STOP_POST,
	SERVICE_FINAL_SIGTERM,
	SERVICE_FINAL_SIGKILL,
	SERVICE_FAILED,
	SERVICE_AUTO_RESTART, /* waiting RestartSec before starting again */
	SERVICE_STATE_MAX,
};

enum service_event {
	SERVICE_EV_START,	 /* a start job was queued */
	SERVICE_EV_GO,		 /* ordering dependencies are done: start now */
	SERVICE_EV_DEP_FAILED,	 /* a Requires=/BindsTo= unit is not active */
	SERVICE_EV_STOP,	 /* a stop job may run */
	SERVICE_EV_RELOAD,	 /* ExecReload= requested */
	SERVICE_EV_CONTROL_EXIT, /* the control process (ExecStartPre= etc.) ended */
	SERVICE_EV_MAIN_EXIT,	 /* the main process ended */
	SERVICE_EV_EXEC_DONE,	 /* Type=exec: execve() of the main process succeeded */
	SERVICE_EV_READY,	 /* Type=notify: READY=1 */
	SERVICE_EV_TIMEOUT,	 /* the state's timeout elapsed */
	SERVICE_EV_EMPTY,	 /* no process of the service is left */
	SERVICE_EV_RESTART,	 /* RestartSec elapsed */
	SERVICE_EV_WATCHDOG,	 /* WatchdogSec elapsed without WATCHDOG=1 */
	SERVICE_EV_RELOADING,	 /* RELOADING=1: the service reloads on its own */
	SERVICE_EVENT_MAX,
};

/* Why the last run ended (systemd's "Result="), which Restart= decides on. */
enum service_result {
	SERVICE_SUCCESS,
	SERVICE_FAILURE_RESOURCES, /* could not be started at all (user, files, fork) */
	SERVICE_FAILURE_PROTOCOL,  /* no READY=1 before exiting, unreadable PIDFile= */
	SERVICE_FAILURE_TIMEOUT,
	SERVICE_FAILURE_EXIT_CODE,
	SERVICE_FAILURE_SIGNAL,
	SERVICE_FAILURE_CORE_DUMP,
	SERVICE_FAILURE_WATCHDOG,
	SERVICE_FAILURE_START_LIMIT,
	SERVICE_FAILURE_DEPENDENCY,
};

enum service_job {
	SERVICE_JOB_NONE,
	SERVICE_JOB_START,
	SERVICE_JOB_STOP,
	SERVICE_JOB_RESTART, /* a stop, then a start */
};

/* Commands of one Exec*= list with $VARs expanded, run one after another. */
struct service_commands {
	struct exec_command *commands;
	size_t count, next;
	struct exec_context *context; /* the environment they were expanded with */
};

#define SERVICE_PGIDS_MAX 8

struct service {
	struct supervisor *supervisor;
	char *name;			/* "web.service" */
	char *short_name;		/* "web": the log prefix */
	struct service_spec *spec;	/* NULL when the unit failed to load */
	char *load_error;		/* why, when it failed to load */
	int load_errno;			/* -EINVAL for a bad unit, another -errno when unreadable */
	char *fingerprint;		/* the unit's entries, to see whether a reload changed it */
	struct service_spec *next_spec; /* a changed unit, applied when the service is inactive */
	char *next_fingerprint;
	bool removed; /* gone from the unit directory: dropped once inactive */

	enum service_state state;
	enum service_result result;
	enum service_job job;
	bool stop_requested; /* stopped on request: no restart */
	uint64_t state_since_usec, active_since_usec;

	pid_t main_pid, control_pid;
	int main_status, control_status; /* wait statuses of the last exits */
	bool main_exited;		 /* main process ran and exited in this activation */
	bool main_known;		 /* a main process was identified in this activation */
	bool exec_confirmed;		 /* Type=exec: execve() succeeded */
	bool reached_active;		 /* this activation got to running or exited */
	bool reload_failed;		 /* the last ExecReload= failed */
	int exec_status_fd;		 /* execute's status pipe of the main process, or -1 */
	int control_status_fd;		 /* ... of the control process, or -1 */
	char *main_path, *control_path;	 /* their programs, for messages */
	int last_exit_status;		 /* main process status for FailureActionExitStatus */
	struct service_commands control;
	struct service_commands main_commands; /* Type=oneshot: several ExecStart= */
	bool control_ignore_failure;
	const struct spec_exec_list *control_list; /* which list the control process runs */

	struct loop_timer *timer; /* state timeout or RestartSec */
	struct loop_timer *watchdog_timer;
	unsigned restarts;		/* automatic restarts since the last explicit start */
	uint64_t *start_times;		/* ring of the last start_limit_burst starts */
	unsigned start_count;		/* starts recorded in the ring */
	pid_t pgids[SERVICE_PGIDS_MAX]; /* process groups of its processes, without a cgroup */
	unsigned pgid_count;
	struct svcgroup *cgroup;
	int cgroup_events_fd;
	char *status_text;	  /* STATUS= */
	int notify_errno;	  /* ERRNO= */
	int kill_signal_override; /* WatchdogSignal: SIGABRT for the watchdog */
	bool busy;		  /* inside an action: further events wait in queued */
	unsigned queued;	  /* bit per enum service_event */
	bool refused;		  /* in an ordering cycle found by a reload: stopped, not started */

	size_t dep_index; /* in the supervisor's dependency graph */
};

int service_new(struct supervisor *supervisor, const char *name, struct service **ret);
void service_free(struct service *service);

/* Feeds one event to the state table. */
void service_dispatch(struct service *service, enum service_event event);

bool service_is_active(const struct service *service);	   /* running, exited, reloading */
bool service_is_inactive(const struct service *service);   /* dead or failed */
bool service_is_activating(const struct service *service); /* waiting .. start-post */
bool service_is_deactivating(const struct service *service);
/* pid is its main or control process, or in one of its process groups (pgid: getpgid(pid)). */
bool service_owns_pid(const struct service *service, pid_t pid, pid_t pgid);
const char *service_state_name(enum service_state state);
const char *service_result_name(enum service_result result);
/* "active", "inactive", "failed", "activating", "deactivating", "reloading" (systemctl's). */
const char *service_active_state(const struct service *service);

/* Sends sig to the service's processes (ctl kill). Returns the number signalled or -errno. */
int service_kill(struct service *service, int sig);
/* After a reaper round: a stopping service may have no process left now. */
void service_check_empty(struct service *service);
/* A notify message from one of its processes. */
void service_on_notify(struct service *service, const void *message);

/* The delay before automatic restart number restarts+1 (RestartSec=, RestartSteps=,
 * RestartMaxDelaySec=). */
uint64_t service_restart_delay(uint64_t base, uint64_t max, unsigned steps, unsigned restarts);
/* Whether the state table has an action for state x event (for tests). */
bool service_has_transition(enum service_state state, enum service_event event);
