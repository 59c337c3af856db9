/* One service's life, as systemd's service manager leads it: start-pre, start, start-post,
 * running, reload, stop, the SIGTERM and SIGKILL rounds, stop-post, then dead or failed and
 * perhaps an automatic restart. Every transition is one cell of service_actions[][]. */
#include "init/service.h"
#include "init/activation.h"

#include "common/execline.h"
#include "common/log.h"
#include "common/util.h"
#include "common/values.h"
#include "init/notify.h"
#include "init/reaper.h"
#include "init/supervisor.h"
#include "init/svcgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SERVICE_PIDFILE_MAX 64
/* How long processes may take to vanish after SIGKILL before the service is declared dead. */
#define SERVICE_SIGKILL_WAIT_USEC (5 * USEC_PER_SEC)

typedef void (*service_action)(struct service *s);

static const char *const state_names[SERVICE_STATE_MAX] = {
	[SERVICE_DEAD] = "dead",
	[SERVICE_WAITING] = "waiting",
	[SERVICE_START_PRE] = "start-pre",
	[SERVICE_START] = "start",
	[SERVICE_START_POST] = "start-post",
	[SERVICE_RUNNING] = "running",
	[SERVICE_EXITED] = "exited",
	[SERVICE_RELOAD] = "reload",
	[SERVICE_STOP] = "stop",
	[SERVICE_STOP_SIGTERM] = "stop-sigterm",
	[SERVICE_STOP_SIGKILL] = "stop-sigkill",
	[SERVICE_STOP_POST] = "stop-post",
	[SERVICE_FINAL_SIGTERM] = "final-sigterm",
	[SERVICE_FINAL_SIGKILL] = "final-sigkill",
	[SERVICE_FAILED] = "failed",
	[SERVICE_AUTO_RESTART] = "auto-restart",
};

static const char *const result_names[] = {
	[SERVICE_SUCCESS] = "success",
	[SERVICE_FAILURE_RESOURCES] = "resources",
	[SERVICE_FAILURE_PROTOCOL] = "protocol",
	[SERVICE_FAILURE_TIMEOUT] = "timeout",
	[SERVICE_FAILURE_EXIT_CODE] = "exit-code",
	[SERVICE_FAILURE_SIGNAL] = "signal",
	[SERVICE_FAILURE_CORE_DUMP] = "core-dump",
	[SERVICE_FAILURE_WATCHDOG] = "watchdog",
	[SERVICE_FAILURE_START_LIMIT] = "start-limit-hit",
	[SERVICE_FAILURE_DEPENDENCY] = "dependency",
};

const char *service_state_name(enum service_state state)
{
	return (unsigned)state < SERVICE_STATE_MAX ? state_names[state] : "?";
}

const char *service_result_name(enum service_result result)
{
	return (unsigned)result < ELEMENTSOF(result_names) ? result_names[result] : "?";
}

bool service_is_inactive(const struct service *s)
{
	return s->state == SERVICE_DEAD || s->state == SERVICE_FAILED;
}

bool service_is_active(const struct service *s)
{
	return s->state == SERVICE_RUNNING || s->state == SERVICE_EXITED ||
	       s->state == SERVICE_RELOAD;
}

bool service_is_activating(const struct service *s)
{
	return s->state == SERVICE_WAITING || s->state == SERVICE_START_PRE ||
	       s->state == SERVICE_START || s->state == SERVICE_START_POST ||
	       s->state == SERVICE_AUTO_RESTART;
}

bool service_is_deactivating(const struct service *s)
{
	return s->state >= SERVICE_STOP && s->state <= SERVICE_FINAL_SIGKILL;
}

const char *service_active_state(const struct service *s)
{
	if (s->state == SERVICE_FAILED)
		return "failed";
	if (s->state == SERVICE_DEAD)
		return "inactive";
	if (s->state == SERVICE_RELOAD)
		return "reloading";
	if (service_is_active(s))
		return "active";
	if (service_is_activating(s))
		return "activating";
	return "deactivating";
}

/* ---- small helpers ---------------------------------------------------------------------- */

static void service_set_state(struct service *s, enum service_state state)
{
	enum service_state old = s->state;

	if (old == state)
		return;
	s->state = state;
	s->state_since_usec = util_now_usec(CLOCK_MONOTONIC);
	if (service_is_active(s) &&
	    !(old == SERVICE_RUNNING || old == SERVICE_EXITED || old == SERVICE_RELOAD)) {
		s->active_since_usec = s->state_since_usec;
		s->reached_active = true;
	}
	log_debug("%s: %s -> %s", s->name, state_names[old], state_names[state]);
	supervisor_on_service_state(s->supervisor, s, (int)old);
}

static void service_add_result(struct service *s, enum service_result result)
{
	/* The first failure is the one that counts, as in systemd. */
	if (s->result == SERVICE_SUCCESS)
		s->result = result;
}

static int service_on_timer(struct loop *loop, void *data)
{
	struct service *s = data;

	s->timer = NULL;
	service_dispatch(s, s->state == SERVICE_AUTO_RESTART ? SERVICE_EV_RESTART
							     : SERVICE_EV_TIMEOUT);
	return 0;
}

static void service_arm_timer(struct service *s, uint64_t usec)
{
	struct loop *loop = supervisor_loop(s->supervisor);
	int r;

	loop_timer_cancel(loop, s->timer);
	s->timer = NULL;
	if (usec == VALUE_INFINITY)
		return;
	r = loop_timer_start(loop, usec, service_on_timer, s, &s->timer);
	if (r < 0)
		log_warning_errno(r, "%s: cannot arm a timer", s->name);
}

static void service_cancel_timer(struct service *s)
{
	loop_timer_cancel(supervisor_loop(s->supervisor), s->timer);
	s->timer = NULL;
}

static int service_on_watchdog(struct loop *loop, void *data)
{
	struct service *s = data;

	s->watchdog_timer = NULL;
	service_dispatch(s, SERVICE_EV_WATCHDOG);
	return 0;
}

static void service_arm_watchdog(struct service *s)
{
	struct loop *loop = supervisor_loop(s->supervisor);

	loop_timer_cancel(loop, s->watchdog_timer);
	s->watchdog_timer = NULL;
	if (s->spec->watchdog_usec == 0 || s->spec->watchdog_usec == VALUE_INFINITY)
		return;
	if (loop_timer_start(loop, s->spec->watchdog_usec, service_on_watchdog, s,
			     &s->watchdog_timer) < 0)
		log_warning("%s: cannot arm the watchdog", s->name);
}

static void service_commands_clear(struct service_commands *c)
{
	exec_commands_free(c->commands, c->count);
	exec_context_free(c->context);
	*c = (struct service_commands){ 0 };
}

static void service_unwatch_status(struct service *s, int *fd)
{
	if (*fd < 0)
		return;
	(void)loop_remove_fd(supervisor_loop(s->supervisor), *fd);
	(void)close(*fd);
	*fd = -1;
}

/* A process the service started failed before exec: say where, as systemd does. */
static void service_report_exec_failure(struct service *s, const struct exec_failure *f,
					const char *path)
{
	log_warning("%s: failed at step %s spawning %s: %s", s->name, exec_step_name(f->step),
		    path ? path : "?", strerror(f->error));
}

static void service_prune_pgids(struct service *s);

/* ---- exits and results ------------------------------------------------------------------ */

static bool service_clean_exit(const struct service *s, int status)
{
	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);
		return code == 0 || s->spec->success_exit_status[code];
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if ((unsigned)sig < ELEMENTSOF(s->spec->success_signal) &&
		    s->spec->success_signal[sig])
			return true;
		/* Daemons asked to go away: clean. A oneshot killed is not. */
		return s->spec->type != SPEC_TYPE_ONESHOT &&
		       (sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE);
	}
	return false;
}

static enum service_result service_exit_result(const struct service *s, int status)
{
	if (service_clean_exit(s, status))
		return SERVICE_SUCCESS;
	if (WIFSIGNALED(status))
		return WCOREDUMP(status) ? SERVICE_FAILURE_CORE_DUMP : SERVICE_FAILURE_SIGNAL;
	return SERVICE_FAILURE_EXIT_CODE;
}

static void service_log_exit(const struct service *s, const char *what, pid_t pid, int status)
{
	char name[16];
	bool clean = service_clean_exit(s, status);

	if (WIFEXITED(status))
		log_msg(clean ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, 0,
			"%s: %s process %d exited, status=%d", s->name, what, (int)pid,
			WEXITSTATUS(status));
	else
		log_msg(clean ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, 0,
			"%s: %s process %d killed by SIG%s%s", s->name, what, (int)pid,
			value_signal_name(WTERMSIG(status), name, sizeof(name)),
			WCOREDUMP(status) ? " (core dumped)" : "");
}

static void service_on_main_exit(pid_t pid, int status, void *data)
{
	struct service *s = data;
	struct exec_failure f;

	if (s->exec_status_fd >= 0) {
		if (exec_read_status(s->exec_status_fd, &f) == 1)
			service_report_exec_failure(s, &f, s->main_path);
		else
			s->exec_confirmed = true;
		service_unwatch_status(s, &s->exec_status_fd);
	}
	s->main_pid = 0;
	s->main_status = status;
	s->main_exited = true;
	service_prune_pgids(s);
	s->last_exit_status = WIFEXITED(status)	    ? WEXITSTATUS(status)
			      : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
						    : 255;
	service_log_exit(s, "main", pid, status);
	service_dispatch(s, SERVICE_EV_MAIN_EXIT);
}

static void service_on_control_exit(pid_t pid, int status, void *data)
{
	struct service *s = data;
	struct exec_failure f;

	if (s->control_status_fd >= 0) {
		/* The child wrote before it exited: the pipe holds the answer now. */
		if (exec_read_status(s->control_status_fd, &f) == 1)
			service_report_exec_failure(s, &f, s->control_path);
		(void)close(s->control_status_fd);
		s->control_status_fd = -1;
	}
	s->control_pid = 0;
	s->control_status = status;
	service_prune_pgids(s);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		service_log_exit(s, "control", pid, status);
	service_dispatch(s, SERVICE_EV_CONTROL_EXIT);
}

static int service_on_exec_status(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct service *s = data;
	struct exec_failure f;
	int r = exec_read_status(fd, &f);

	if (r == -EAGAIN)
		return 0;
	if (r == 1)
		service_report_exec_failure(s, &f, s->main_path);
	else
		s->exec_confirmed = true;
	service_unwatch_status(s, &s->exec_status_fd);
	if (r != 1 && s->state == SERVICE_START && s->spec->type == SPEC_TYPE_EXEC)
		service_dispatch(s, SERVICE_EV_EXEC_DONE);
	return 0;
}

/* ---- process groups and cgroups --------------------------------------------------------- */

static void service_track_pgid(struct service *s, pid_t pgid)
{
	for (unsigned i = 0; i < s->pgid_count; i++)
		if (s->pgids[i] == pgid)
			return;
	if (s->pgid_count < SERVICE_PGIDS_MAX) {
		s->pgids[s->pgid_count++] = pgid;
		return;
	}
	/* Forget the oldest group that is already gone; keep the list bounded. */
	for (unsigned i = 0; i < s->pgid_count; i++) {
		if (kill(-s->pgids[i], 0) < 0 && errno == ESRCH) {
			s->pgids[i] = pgid;
			return;
		}
	}
	log_warning("%s: too many process groups to track; %d is not", s->name, (int)pgid);
}

/* True when a process of the service is left (besides main and control, for KillMode=process
 * only those count). */
static bool service_group_populated(struct service *s)
{
	unsigned kept = 0;
	bool any = false;

	if (s->cgroup) {
		int r = svcgroup_is_populated(s->cgroup);
		return r != 0; /* errors: assume populated; the SIGKILL round gives up in time */
	}
	for (unsigned i = 0; i < s->pgid_count; i++) {
		if (kill(-s->pgids[i], 0) < 0 && errno == ESRCH)
			continue;
		s->pgids[kept++] = s->pgids[i];
		any = true;
	}
	s->pgid_count = kept;
	return any;
}

static bool service_all_gone(struct service *s)
{
	if (s->main_pid > 0 || s->control_pid > 0)
		return false;
	if (s->spec->kill_mode == SPEC_KILL_PROCESS)
		return true;
	return !service_group_populated(s);
}

static int service_signal_pid(pid_t pid, int sig)
{
	if (pid <= 0)
		return 0;
	if (kill(pid, sig) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 1;
}

static int service_signal_group(struct service *s, int sig)
{
	int count = 0;

	if (s->cgroup && sig == SIGKILL)
		return svcgroup_kill(s->cgroup, sig);
	if (s->cgroup) {
		/* Main and control processes are signalled directly, once. */
		pid_t direct[2] = { s->main_pid, s->control_pid };
		return svcgroup_kill_except(s->cgroup, sig, direct, 2);
	}
	for (unsigned i = 0; i < s->pgid_count; i++)
		if (kill(-s->pgids[i], sig) == 0)
			count++;
	return count;
}

/* Whether signalling the service's process groups reaches pid already. (A cgroup does not
 * count: a process just forked may not have moved into it yet.) */
static bool service_group_covers(const struct service *s, pid_t pid)
{
	pid_t pgid;

	if (s->cgroup)
		return false;
	pgid = getpgid(pid);
	for (unsigned i = 0; pgid > 0 && i < s->pgid_count; i++)
		if (s->pgids[i] == pgid)
			return true;
	return false;
}

/* Every process once: the groups, and main and control processes outside them. */
static int service_signal_all(struct service *s, int sig)
{
	int r = service_signal_group(s, sig), n = r > 0 ? r : 0;

	if (s->main_pid > 0 && !service_group_covers(s, s->main_pid) &&
	    service_signal_pid(s->main_pid, sig) > 0)
		n++;
	if (s->control_pid > 0 && !service_group_covers(s, s->control_pid) &&
	    service_signal_pid(s->control_pid, sig) > 0)
		n++;
	return r < 0 && n == 0 ? r : n;
}

int service_kill(struct service *s, int sig)
{
	if (!s->spec)
		return 0;
	return service_signal_all(s, sig);
}

/* Drops process groups that have emptied, so that a pid reused as a group id later is never
 * taken for one of ours. */
static void service_prune_pgids(struct service *s)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < s->pgid_count; i++)
		if (!(kill(-s->pgids[i], 0) < 0 && errno == ESRCH))
			s->pgids[kept++] = s->pgids[i];
	s->pgid_count = kept;
}

/* Gives up on the control process (killed with sig): its exit must not be taken for the next
 * one's. */
static void service_forget_control(struct service *s, int sig)
{
	if (s->control_pid <= 0)
		return;
	(void)service_signal_pid(s->control_pid, sig);
	reaper_unwatch(supervisor_reaper(s->supervisor), s->control_pid);
	s->control_pid = 0;
	if (s->control_status_fd >= 0) {
		(void)close(s->control_status_fd);
		s->control_status_fd = -1;
	}
}

/* ---- spawning --------------------------------------------------------------------------- */

static void service_on_log_eof(void *data)
{
	log_source_free(data);
}

/* Pipes for StandardOutput=journal / StandardError=journal: one when both go to the same sink,
 * so that the order of lines across the two is kept. */
static int service_open_log_pipes(struct service *s, int *out_r, int *out_w, int *err_r, int *err_w)
{
	const struct supervisor_config *cfg = supervisor_config(s->supervisor);
	bool out = s->spec->exec.standard_output == SPEC_OUTPUT_JOURNAL;
	bool err = s->spec->exec.standard_error == SPEC_OUTPUT_JOURNAL;
	int fds[2];

	*out_r = *out_w = *err_r = *err_w = -1;
	if (out) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		*out_r = fds[0];
		*out_w = fds[1];
	}
	if (err && out && cfg->out == cfg->err) {
		*err_w = *out_w;
		return 0;
	}
	if (err) {
		if (pipe2(fds, O_CLOEXEC) < 0) {
			int e = -errno;
			if (*out_r >= 0) {
				close(*out_r);
				close(*out_w);
			}
			*out_r = *out_w = -1;
			return e;
		}
		*err_r = fds[0];
		*err_w = fds[1];
	}
	return 0;
}

static void service_add_log_source(struct service *s, struct log_sink *sink, int fd, pid_t pid)
{
	struct log_source *source;
	int r;

	if (fd < 0)
		return;
	r = log_source_new(supervisor_loop(s->supervisor), sink, fd, s->short_name, pid, NULL, NULL,
			   &source);
	if (r < 0) {
		log_warning_errno(r, "%s: cannot read its output", s->name);
		(void)close(fd);
		return;
	}
	/* The source frees itself at EOF, when every process holding the pipe is gone. */
	log_source_set_on_eof(source, service_on_log_eof, source);
}

/* The environment systemd gives a service's processes besides the unit's own: the notify
 * socket, the main pid (for ExecReload=kill -HUP $MAINPID), the watchdog, and to the stop
 * commands how the service ended. */
static int service_context(struct service *s, bool main, struct exec_context **ret)
{
	const struct supervisor_config *cfg = supervisor_config(s->supervisor);
	char mainpid[32], notify[512], watchdog[48], result[64], err[512];
	char listen_fds[32], listen_names[4096 + 16], listen_pid[] = EXEC_LISTEN_PID_PLACEHOLDER;
	char *extra[8] = { 0 };
	int fds[EXEC_LISTEN_FDS_MAX];
	size_t n = 0, n_fds;
	int r;

	if (s->spec->type == SPEC_TYPE_NOTIFY && cfg->notify_path) {
		snprintf(notify, sizeof(notify), "NOTIFY_SOCKET=%s", cfg->notify_path);
		extra[n++] = notify;
	}
	if (!main && s->main_pid > 0) {
		snprintf(mainpid, sizeof(mainpid), "MAINPID=%d", (int)s->main_pid);
		extra[n++] = mainpid;
	}
	if (main && s->spec->watchdog_usec > 0 && s->spec->watchdog_usec != VALUE_INFINITY) {
		snprintf(watchdog, sizeof(watchdog), "WATCHDOG_USEC=%llu",
			 (unsigned long long)s->spec->watchdog_usec);
		extra[n++] = watchdog;
	}
	/* socket activation cinit was given, for this service's main process */
	n_fds = main ? activation_select(s->name, s->spec->sockets, fds, ELEMENTSOF(fds),
					 listen_names + 15, sizeof(listen_names) - 15)
		     : 0;
	if (n_fds > 0) {
		snprintf(listen_fds, sizeof(listen_fds), "LISTEN_FDS=%zu", n_fds);
		memcpy(listen_names, "LISTEN_FDNAMES=", 15);
		extra[n++] = listen_fds;
		extra[n++] = listen_names;
		extra[n++] = listen_pid;
	}
	if (!main && service_is_deactivating(s)) {
		snprintf(result, sizeof(result), "SERVICE_RESULT=%s",
			 service_result_name(s->result));
		extra[n++] = result;
	}
	r = exec_context_new(&s->spec->exec, extra, ret, err, sizeof(err));
	if (r < 0)
		log_error("%s: %s", s->name, err);
	return r;
}

/* Forks one process of the service. main: it becomes the main process (else the control
 * process). Returns 0 or -errno (failure logged). */
static int service_spawn(struct service *s, const struct exec_command *command,
			 const struct exec_context *context, bool main)
{
	const struct supervisor_config *cfg = supervisor_config(s->supervisor);
	int out_r, out_w, err_r, err_w, status_fd = -1, procs_fd = -1, r;
	char *path = strdup(command->path);
	pid_t pid;

	if (!path)
		return log_error_errno(ENOMEM, "%s", s->name);
	/* One control process at a time; the table never starts one while another runs. */
	if (!main && s->control_pid > 0) {
		log_warning("%s: control process %d still running, killing it", s->name,
			    (int)s->control_pid);
		service_forget_control(s, SIGKILL);
	}
	r = service_open_log_pipes(s, &out_r, &out_w, &err_r, &err_w);
	if (r < 0) {
		free(path);
		return log_error_errno(r, "%s: cannot create its log pipes", s->name);
	}
	if (s->cgroup) {
		procs_fd = svcgroup_open_procs(s->cgroup);
		if (procs_fd < 0)
			log_warning_errno(procs_fd, "%s: cannot open its cgroup", s->name);
	}

	int listen_fds[EXEC_LISTEN_FDS_MAX];
	char listen_names[4096];
	struct exec_request request = {
		.spec = &s->spec->exec,
		.context = context,
		.command = command,
		.stdout_fd = out_w,
		.stderr_fd = err_w,
		.mask = cfg->mask,
		.cgroup_procs_fd = procs_fd,
		.listen_fds = listen_fds,
		.n_listen_fds = main ? activation_select(s->name, s->spec->sockets, listen_fds,
							 ELEMENTSOF(listen_fds), listen_names,
							 sizeof(listen_names))
				     : 0,
	};
	r = exec_spawn(&request, &pid, &status_fd);
	if (procs_fd >= 0)
		(void)close(procs_fd);
	if (out_w >= 0)
		(void)close(out_w);
	if (err_w >= 0 && err_w != out_w)
		(void)close(err_w);
	if (r < 0) {
		if (out_r >= 0)
			(void)close(out_r);
		if (err_r >= 0)
			(void)close(err_r);
		free(path);
		return log_error_errno(r, "%s: cannot start %s", s->name, command->path);
	}
	service_add_log_source(s, cfg->out, out_r, pid);
	service_add_log_source(s, cfg->err, err_r, pid);
	/* Each process starts its own session, so its group id is its pid. */
	service_track_pgid(s, pid);

	r = reaper_watch(supervisor_reaper(s->supervisor), pid,
			 main ? service_on_main_exit : service_on_control_exit, s);
	if (r < 0) {
		(void)kill(pid, SIGKILL);
		(void)close(status_fd);
		free(path);
		return log_error_errno(r, "%s: cannot watch process %d", s->name, (int)pid);
	}
	if (main) {
		service_unwatch_status(s, &s->exec_status_fd);
		free(s->main_path);
		s->main_path = path;
		s->main_pid = pid;
		s->main_known = true;
		s->main_exited = false;
		s->exec_confirmed = false;
		s->exec_status_fd = status_fd;
		r = loop_add_fd(supervisor_loop(s->supervisor), status_fd, EPOLLIN,
				service_on_exec_status, s);
		if (r < 0) {
			(void)close(status_fd);
			s->exec_status_fd = -1;
		}
	} else {
		s->control_pid = pid;
		free(s->control_path);
		s->control_path = path;
		if (s->control_status_fd >= 0)
			(void)close(s->control_status_fd);
		s->control_status_fd = status_fd; /* read when it exits */
	}
	log_debug("%s: started %s as %s process %d", s->name, command->path,
		  main ? "main" : "control", (int)pid);
	return 0;
}

/* Expands an Exec*= list with the service's environment into commands. */
static int service_prepare(struct service *s, const struct spec_exec_list *list, bool main,
			   struct service_commands *ret)
{
	struct exec_context *context = NULL;
	char err[512];
	int r;

	*ret = (struct service_commands){ 0 };
	if (list->count == 0)
		return 0;
	r = service_context(s, main, &context);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->count; i++) {
		struct exec_command *commands = NULL, *grown;
		int n = exec_line_parse(list->lines[i].value,
					(char *const *)exec_context_env(context), &commands, err,
					sizeof(err));
		if (n < 0) {
			log_error("%s:%u: %s", list->lines[i].file, list->lines[i].line, err);
			r = n;
			break;
		}
		grown = realloc(ret->commands, (ret->count + (size_t)n) * sizeof(*grown));
		if (!grown) {
			exec_commands_free(commands, (size_t)n);
			r = -ENOMEM;
			break;
		}
		ret->commands = grown;
		memcpy(ret->commands + ret->count, commands, (size_t)n * sizeof(*commands));
		ret->count += (size_t)n;
		free(commands); /* the array only: its commands moved */
	}
	ret->context = context;
	if (r < 0)
		service_commands_clear(ret);
	return r;
}

/* Runs the next command of the control list. Returns 1 when one was started, 0 when the list
 * is done, -errno when starting failed. */
static int service_control_next(struct service *s)
{
	struct exec_command *command;
	int r;

	if (s->control.next >= s->control.count) {
		service_commands_clear(&s->control);
		return 0;
	}
	command = &s->control.commands[s->control.next++];
	s->control_ignore_failure = command->flags & EXEC_IGNORE_FAILURE;
	r = service_spawn(s, command, s->control.context, false);
	return r < 0 ? r : 1;
}

/* Starts running list as control commands. Same returns as service_control_next(). */
static int service_control_begin(struct service *s, const struct spec_exec_list *list)
{
	int r;

	service_commands_clear(&s->control);
	s->control_list = list;
	r = service_prepare(s, list, false, &s->control);
	if (r < 0)
		return r;
	return service_control_next(s);
}

static bool service_control_succeeded(const struct service *s)
{
	return s->control_ignore_failure ||
	       (WIFEXITED(s->control_status) && WEXITSTATUS(s->control_status) == 0);
}

/* ---- the phases, as systemd enters them -------------------------------------------------- */

static void service_enter_dead(struct service *s, enum service_result result);
static void service_enter_signal(struct service *s, enum service_state state,
				 enum service_result result);
static void service_enter_stop(struct service *s, enum service_result result);

static bool service_shall_restart(const struct service *s)
{
	enum service_result r = s->result;

	if (s->stop_requested || supervisor_shutting_down(s->supervisor))
		return false;
	if (r == SERVICE_FAILURE_START_LIMIT || r == SERVICE_FAILURE_DEPENDENCY)
		return false;
	switch (s->spec->restart) {
	case SPEC_RESTART_NO:
		return false;
	case SPEC_RESTART_ALWAYS:
		return true;
	case SPEC_RESTART_ON_SUCCESS:
		return r == SERVICE_SUCCESS;
	case SPEC_RESTART_ON_FAILURE:
		return r != SERVICE_SUCCESS;
	case SPEC_RESTART_ON_ABNORMAL:
		return r == SERVICE_FAILURE_SIGNAL || r == SERVICE_FAILURE_CORE_DUMP ||
		       r == SERVICE_FAILURE_TIMEOUT || r == SERVICE_FAILURE_WATCHDOG;
	case SPEC_RESTART_ON_ABORT:
		return r == SERVICE_FAILURE_SIGNAL || r == SERVICE_FAILURE_CORE_DUMP;
	}
	return false;
}

/* systemd's RestartSteps=: the delay grows geometrically from RestartSec= to
 * RestartMaxDelaySec= over that many restarts. (No libm in cinit: the step ratio is found by
 * bisection.) */
uint64_t service_restart_delay(uint64_t base, uint64_t max, unsigned steps, unsigned restarts)
{
	double ratio, lo = 1.0, hi, step, value;
	unsigned n = restarts < steps ? restarts : steps;

	if (steps == 0 || max == VALUE_INFINITY || max <= base)
		return base;
	if (base == 0)
		return max / steps * n;
	ratio = (double)max / (double)base;
	hi = ratio;
	for (int i = 0; i < 64; i++) {
		double mid = (lo + hi) / 2, p = 1.0;
		for (unsigned k = 0; k < steps; k++)
			p *= mid;
		if (p > ratio)
			hi = mid;
		else
			lo = mid;
	}
	step = lo;
	value = (double)base;
	for (unsigned k = 0; k < n; k++)
		value *= step;
	if (value > (double)max || n == steps)
		return max;
	return (uint64_t)value;
}

static void service_release(struct service *s)
{
	service_cancel_timer(s);
	loop_timer_cancel(supervisor_loop(s->supervisor), s->watchdog_timer);
	s->watchdog_timer = NULL;
	service_commands_clear(&s->control);
	service_commands_clear(&s->main_commands);
	service_unwatch_status(s, &s->exec_status_fd);
	s->kill_signal_override = 0;
}

static void service_enter_dead(struct service *s, enum service_result result)
{
	service_add_result(s, result);
	service_release(s);
	s->pgid_count = 0;
	s->main_known = false;
	if (s->result != SERVICE_SUCCESS)
		log_warning("%s: failed with result '%s'", s->name, result_names[s->result]);
	else
		log_info("%s: stopped", s->name);
	if (service_shall_restart(s)) {
		uint64_t delay = service_restart_delay(s->spec->restart_usec,
						       s->spec->restart_max_delay_usec,
						       s->spec->restart_steps, s->restarts);
		s->restarts++;
		log_info("%s: scheduled restart in %llu ms, restart counter is at %u", s->name,
			 (unsigned long long)(delay / USEC_PER_MSEC), s->restarts);
		service_set_state(s, SERVICE_AUTO_RESTART);
		service_arm_timer(s, delay);
		return;
	}
	service_set_state(s, s->result == SERVICE_SUCCESS ? SERVICE_DEAD : SERVICE_FAILED);
}

static void service_enter_final_post(struct service *s, enum service_result result)
{
	service_enter_signal(s, SERVICE_FINAL_SIGTERM, result);
}

static void service_enter_stop_post(struct service *s, enum service_result result)
{
	int r;

	service_add_result(s, result);
	service_set_state(s, SERVICE_STOP_POST);
	r = service_control_begin(s, &s->spec->exec_stop_post);
	if (r > 0) {
		service_arm_timer(s, s->spec->timeout_stop_usec);
		return;
	}
	service_enter_final_post(s, r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

/* The state after a signal round. */
static void service_signal_round_done(struct service *s, enum service_result result)
{
	switch (s->state) {
	case SERVICE_STOP_SIGTERM:
	case SERVICE_STOP_SIGKILL:
		service_enter_stop_post(s, result);
		break;
	default:
		service_enter_dead(s, result);
		break;
	}
}

static void service_enter_signal(struct service *s, enum service_state state,
				 enum service_result result)
{
	bool kill_round = state == SERVICE_STOP_SIGKILL || state == SERVICE_FINAL_SIGKILL;
	bool everyone;
	int sig;

	service_add_result(s, result);
	service_set_state(s, state);
	if (kill_round)
		sig = s->spec->final_kill_signal;
	else
		sig = s->kill_signal_override ? s->kill_signal_override : s->spec->kill_signal;

	if (service_all_gone(s)) {
		service_signal_round_done(s, SERVICE_SUCCESS);
		return;
	}
	/* KillMode=control-group: everyone gets it; mixed: only the SIGKILL rounds reach the
	 * rest; process: only the main (and control) process. Each process gets it once. */
	everyone = s->spec->kill_mode == SPEC_KILL_CONTROL_GROUP ||
		   (s->spec->kill_mode == SPEC_KILL_MIXED && kill_round);
	if (everyone) {
		(void)service_signal_all(s, sig);
	} else {
		(void)service_signal_pid(s->main_pid, sig);
		(void)service_signal_pid(s->control_pid, sig);
	}
	if (!kill_round && sig != SIGCONT && sig != SIGKILL) {
		/* A stopped process keeps the signal pending until it is continued. */
		if (everyone) {
			(void)service_signal_all(s, SIGCONT);
		} else {
			(void)service_signal_pid(s->main_pid, SIGCONT);
			(void)service_signal_pid(s->control_pid, SIGCONT);
		}
	}
	service_arm_timer(s, kill_round ? SERVICE_SIGKILL_WAIT_USEC : s->spec->timeout_stop_usec);
}

static void service_enter_stop(struct service *s, enum service_result result)
{
	int r;

	service_add_result(s, result);
	loop_timer_cancel(supervisor_loop(s->supervisor), s->watchdog_timer);
	s->watchdog_timer = NULL;
	service_set_state(s, SERVICE_STOP);
	r = service_control_begin(s, &s->spec->exec_stop);
	if (r > 0) {
		service_arm_timer(s, s->spec->timeout_stop_usec);
		return;
	}
	service_enter_signal(s, SERVICE_STOP_SIGTERM,
			     r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

static void service_enter_running(struct service *s)
{
	service_cancel_timer(s);
	if (s->main_known && !s->main_exited) {
		service_set_state(s, SERVICE_RUNNING);
		service_arm_watchdog(s);
		return;
	}
	if (!s->main_known && s->spec->type == SPEC_TYPE_FORKING) {
		/* A daemon without PIDFile=: running as long as its processes are. */
		if (!s->cgroup || service_group_populated(s)) {
			service_set_state(s, SERVICE_RUNNING);
			return;
		}
	}
	if (s->spec->remain_after_exit && s->result == SERVICE_SUCCESS) {
		service_set_state(s, SERVICE_EXITED);
		return;
	}
	service_enter_stop(s, SERVICE_SUCCESS);
}

static void service_enter_start_post(struct service *s)
{
	int r;

	service_set_state(s, SERVICE_START_POST);
	r = service_control_begin(s, &s->spec->exec_start_post);
	if (r > 0) {
		service_arm_timer(s, s->spec->timeout_start_usec);
		return;
	}
	if (r < 0) {
		service_enter_stop(s, SERVICE_FAILURE_RESOURCES);
		return;
	}
	log_info("%s: started", s->name);
	service_enter_running(s);
}

/* Starts the next ExecStart= command (several only for Type=oneshot). 1 started, 0 none left,
 * -errno failed. */
static int service_main_next(struct service *s)
{
	struct exec_command *command;
	int r;

	if (s->main_commands.next >= s->main_commands.count)
		return 0;
	command = &s->main_commands.commands[s->main_commands.next++];
	r = service_spawn(s, command, s->main_commands.context, true);
	return r < 0 ? r : 1;
}

static void service_enter_start(struct service *s)
{
	int r;

	service_set_state(s, SERVICE_START);
	service_commands_clear(&s->main_commands);
	r = service_prepare(s, &s->spec->exec_start, true, &s->main_commands);
	if (r >= 0)
		r = service_main_next(s);
	if (r < 0) {
		service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_RESOURCES);
		return;
	}
	if (r == 0) {
		/* Type=oneshot without ExecStart= (only ExecStop=, as systemd allows). */
		s->main_known = false;
		service_enter_start_post(s);
		return;
	}
	switch (s->spec->type) {
	case SPEC_TYPE_SIMPLE:
		/* Started as soon as it is forked, as in systemd. */
		service_enter_start_post(s);
		return;
	case SPEC_TYPE_EXEC:
		if (s->exec_confirmed || s->exec_status_fd < 0) {
			service_enter_start_post(s);
			return;
		}
		break;
	default:
		break;
	}
	service_arm_timer(s, s->spec->timeout_start_usec);
}

static void service_enter_start_pre(struct service *s)
{
	int r;

	service_set_state(s, SERVICE_START_PRE);
	r = service_control_begin(s, &s->spec->exec_start_pre);
	if (r > 0) {
		service_arm_timer(s, s->spec->timeout_start_usec);
		return;
	}
	if (r < 0) {
		service_enter_signal(s, SERVICE_FINAL_SIGTERM, SERVICE_FAILURE_RESOURCES);
		return;
	}
	service_enter_start(s);
}

/* StartLimitIntervalSec=/StartLimitBurst=: true when this start is one too many. */
static bool service_start_limit_hit(struct service *s)
{
	unsigned burst = s->spec->start_limit_burst;
	uint64_t interval = s->spec->start_limit_interval_usec, now;
	unsigned slot;

	if (burst == 0 || interval == 0)
		return false;
	if (!s->start_times) {
		s->start_times = calloc(burst, sizeof(*s->start_times));
		if (!s->start_times)
			return false;
	}
	now = util_now_usec(CLOCK_MONOTONIC);
	slot = s->start_count % burst;
	/* The ring holds the last `burst` starts; the oldest is the one about to be replaced. */
	if (s->start_count >= burst && now - s->start_times[slot] < interval)
		return true;
	s->start_times[slot] = now;
	s->start_count++;
	return false;
}

/* ---- actions: one per cell of the table -------------------------------------------------- */

static void act_queue(struct service *s)
{
	service_set_state(s, SERVICE_WAITING);
}

/* RestartSec= is over (or a start was asked for): the restart waits, like any start, for the
 * units it is ordered after, and fails if one it requires is down, as a systemd restart job
 * does. */
static void act_requeue(struct service *s)
{
	service_cancel_timer(s);
	service_set_state(s, SERVICE_WAITING);
}

static void act_go(struct service *s)
{
	service_cancel_timer(s);
	s->result = SERVICE_SUCCESS;
	s->stop_requested = false;
	s->main_exited = false;
	s->main_known = false;
	s->exec_confirmed = false;
	s->reached_active = false;
	s->pgid_count = 0;
	s->notify_errno = 0;
	free(s->status_text);
	s->status_text = NULL;
	if (service_start_limit_hit(s)) {
		log_warning("%s: start request repeated too quickly (StartLimitBurst=%u within "
			    "StartLimitIntervalSec)",
			    s->name, s->spec->start_limit_burst);
		service_add_result(s, SERVICE_FAILURE_START_LIMIT);
		log_warning("%s: failed with result '%s'", s->name,
			    result_names[SERVICE_FAILURE_START_LIMIT]);
		service_set_state(s, SERVICE_FAILED);
		return;
	}
	if (!s->cgroup && supervisor_config(s->supervisor)->cgroup_root) {
		int r = svcgroup_create(supervisor_config(s->supervisor)->cgroup_root, s->name,
					&s->cgroup);
		if (r < 0)
			log_warning_errno(r,
					  "%s: cannot create its cgroup; tracking it by process "
					  "group",
					  s->name);
	}
	if (s->cgroup) {
		int r = svcgroup_set_limits(s->cgroup, s->spec->memory_max,
					    s->spec->cpu_quota_per_sec_usec, s->spec->tasks_max);
		if (r < 0)
			log_warning_errno(
				r, "%s: cannot apply MemoryMax=/CPUQuota=/TasksMax=", s->name);
	}
	service_enter_start_pre(s);
}

static void act_dep_failed(struct service *s)
{
	log_warning("%s: dependency failed", s->name);
	s->result = SERVICE_SUCCESS;
	service_add_result(s, SERVICE_FAILURE_DEPENDENCY);
	service_set_state(s, SERVICE_FAILED);
}

static void act_cancel(struct service *s)
{
	service_cancel_timer(s);
	s->stop_requested = true;
	service_set_state(s, s->result == SERVICE_SUCCESS || s->state == SERVICE_WAITING
				     ? SERVICE_DEAD
				     : SERVICE_FAILED);
}

static void act_start_pre_control_exit(struct service *s)
{
	int r;

	if (!service_control_succeeded(s)) {
		service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_EXIT_CODE);
		return;
	}
	r = service_control_next(s);
	if (r < 0)
		service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_RESOURCES);
	else if (r == 0)
		service_enter_start(s);
}

static void act_start_timeout(struct service *s)
{
	log_warning("%s: %s operation timed out", s->name, state_names[s->state]);
	service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_TIMEOUT);
}

static void act_stop_starting(struct service *s)
{
	s->stop_requested = true;
	service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_SUCCESS);
}

/* A PIDFile= is read without ever blocking PID 1: a FIFO or a device there is refused. */
static ssize_t service_read_regular_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	n = util_read(fd, buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

/* Whether pid may be the service's main process: in its cgroup, or (without one) in one of
 * its process groups or an orphan that came to cinit, as a daemon whose parent has exited. */
static bool service_may_own(struct service *s, pid_t pid)
{
	char path[64], buf[512];
	const char *p;

	if (s->cgroup) {
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
		if (util_read_file(path, buf, sizeof(buf)) < 0)
			return false;
		p = strstr(buf, "0::");
		if (!p)
			return false;
		p += strcspn(p, "\n");
		/* ".../NAME\n": the cgroup is the service's own, not one with a longer name. */
		return (size_t)(p - buf) > strlen(s->name) &&
		       p[-(long)strlen(s->name) - 1] == '/' &&
		       strncmp(p - strlen(s->name), s->name, strlen(s->name)) == 0;
	}
	if (service_group_covers(s, pid))
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return false;
	/* "pid (comm) state ppid ...": comm may hold anything, so parse after the last ')'. */
	return p[1] == ' ' && p[2] && p[3] == ' ' && atoi(p + 4) == (int)getpid();
}

/* A pid named by PIDFile= or MAINPID= may become the main process if it is the service's and
 * nobody watches it yet (not cinit's main command, not another service's process, not this
 * service's control process). */
static bool service_may_adopt(struct service *s, pid_t pid)
{
	if (reaper_is_watched(supervisor_reaper(s->supervisor), pid)) {
		log_warning("%s: process %d is not the service's own, ignored as its main process",
			    s->name, (int)pid);
		return false;
	}
	if (!service_may_own(s, pid)) {
		log_warning("%s: process %d is not the service's, ignored as its main process",
			    s->name, (int)pid);
		return false;
	}
	return true;
}

/* Reads PIDFile= of a Type=forking daemon whose parent has exited. */
static int service_read_pid_file(struct service *s)
{
	char buf[SERVICE_PIDFILE_MAX];
	uint64_t pid;
	ssize_t n = service_read_regular_file(s->spec->pid_file, buf, sizeof(buf));
	int r;

	if (n < 0)
		return log_warning_errno((int)n, "%s: cannot read PIDFile=%s", s->name,
					 s->spec->pid_file);
	buf[strcspn(buf, "\n")] = '\0';
	r = value_parse_uint(buf, 2, INT32_MAX, &pid);
	if (r < 0) {
		log_warning("%s: PIDFile=%s: \"%s\" is not a process id", s->name,
			    s->spec->pid_file, buf);
		return r;
	}
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		log_warning("%s: PIDFile=%s names process %llu, which does not exist", s->name,
			    s->spec->pid_file, (unsigned long long)pid);
		return -ESRCH;
	}
	if (!service_may_adopt(s, (pid_t)pid)) {
		log_warning("%s: PIDFile=%s names process %llu, which is not the service's",
			    s->name, s->spec->pid_file, (unsigned long long)pid);
		return -EPERM;
	}
	r = reaper_watch(supervisor_reaper(s->supervisor), (pid_t)pid, service_on_main_exit, s);
	if (r < 0)
		return r;
	s->main_pid = (pid_t)pid;
	s->main_known = true;
	s->main_exited = false;
	service_track_pgid(s, getpgid((pid_t)pid) > 0 ? getpgid((pid_t)pid) : (pid_t)pid);
	return 0;
}

static void act_start_main_exit(struct service *s)
{
	enum service_result result = service_exit_result(s, s->main_status);
	int r;

	switch (s->spec->type) {
	case SPEC_TYPE_FORKING:
		if (result != SERVICE_SUCCESS) {
			service_enter_signal(s, SERVICE_STOP_SIGTERM, result);
			return;
		}
		s->main_known = false;
		s->main_exited = false;
		if (s->spec->pid_file && service_read_pid_file(s) < 0) {
			service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_PROTOCOL);
			return;
		}
		service_enter_start_post(s);
		return;
	case SPEC_TYPE_ONESHOT:
		if (result != SERVICE_SUCCESS &&
		    !(s->main_commands.commands[s->main_commands.next - 1].flags &
		      EXEC_IGNORE_FAILURE)) {
			service_enter_signal(s, SERVICE_STOP_SIGTERM, result);
			return;
		}
		r = service_main_next(s);
		if (r < 0)
			service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_RESOURCES);
		else if (r == 0)
			service_enter_start_post(s);
		return;
	case SPEC_TYPE_EXEC:
		if (s->exec_confirmed) {
			/* It ran and is already gone: started, then ended. */
			service_add_result(s, result);
			service_enter_start_post(s);
			return;
		}
		service_enter_signal(s, SERVICE_STOP_SIGTERM,
				     result == SERVICE_SUCCESS ? SERVICE_FAILURE_PROTOCOL : result);
		return;
	default:
		/* Type=notify that ended before READY=1. */
		if (result == SERVICE_SUCCESS)
			log_warning("%s: exited before sending READY=1", s->name);
		service_enter_signal(s, SERVICE_STOP_SIGTERM,
				     result == SERVICE_SUCCESS ? SERVICE_FAILURE_PROTOCOL : result);
		return;
	}
}

static void act_start_ready(struct service *s)
{
	service_enter_start_post(s);
}

static void act_start_post_control_exit(struct service *s)
{
	int r;

	if (!service_control_succeeded(s)) {
		service_enter_stop(s, SERVICE_FAILURE_EXIT_CODE);
		return;
	}
	r = service_control_next(s);
	if (r < 0) {
		service_enter_stop(s, SERVICE_FAILURE_RESOURCES);
	} else if (r == 0) {
		log_info("%s: started", s->name);
		service_enter_running(s);
	}
}

/* The main process ended while a control process runs: noted, acted on when it is done. */
static void act_main_exit_noted(struct service *s)
{
	service_add_result(s, service_exit_result(s, s->main_status));
}

static void act_start_post_timeout(struct service *s)
{
	log_warning("%s: start-post operation timed out", s->name);
	service_enter_stop(s, SERVICE_FAILURE_TIMEOUT);
}

/* Running or exited: ExecStop=, then the signal rounds. (While a control process runs, as in
 * start-post or reload, the stop goes to the SIGTERM round at once, as systemd does.) */
static void act_stop_active(struct service *s)
{
	s->stop_requested = true;
	service_enter_stop(s, SERVICE_SUCCESS);
}

/* A daemon without a known main process (Type=forking without PIDFile=, in a cgroup): its
 * cgroup has emptied, so it has ended. */
static void act_running_empty(struct service *s)
{
	if (!s->main_known)
		service_enter_running(s);
}

static void act_running_main_exit(struct service *s)
{
	service_add_result(s, service_exit_result(s, s->main_status));
	service_enter_running(s);
}

static void act_reload(struct service *s)
{
	int r;

	s->reload_failed = false;
	service_set_state(s, SERVICE_RELOAD);
	r = service_control_begin(s, &s->spec->exec_reload);
	if (r > 0) {
		service_arm_timer(s, s->spec->timeout_start_usec);
		return;
	}
	if (r < 0) {
		log_warning("%s: reload failed", s->name);
		s->reload_failed = true;
	}
	service_enter_running(s);
}

static void act_reload_control_exit(struct service *s)
{
	int r;

	if (!service_control_succeeded(s)) {
		log_warning("%s: reload failed", s->name);
		s->reload_failed = true;
		service_commands_clear(&s->control);
		service_enter_running(s);
		return;
	}
	r = service_control_next(s);
	if (r != 1)
		service_enter_running(s);
}

static void act_reloading(struct service *s)
{
	s->reload_failed = false;
	service_set_state(s, SERVICE_RELOAD);
	service_arm_timer(s, s->spec->timeout_start_usec);
}

/* The main process ended during a reload: with ExecReload= running that is acted on when it
 * is done; during a reload the service announced itself (RELOADING=1) nothing else will. */
static void act_reload_main_exit(struct service *s)
{
	if (s->control_pid > 0) {
		act_main_exit_noted(s);
		return;
	}
	service_add_result(s, service_exit_result(s, s->main_status));
	service_enter_running(s);
}

/* READY=1 after RELOADING=1: the service says its own reload is done. */
static void act_reload_ready(struct service *s)
{
	if (s->control_pid <= 0)
		service_enter_running(s);
}

static void act_reload_timeout(struct service *s)
{
	log_warning("%s: reload operation timed out", s->name);
	s->reload_failed = true;
	service_forget_control(s, SIGKILL);
	service_commands_clear(&s->control);
	service_enter_running(s);
}

static void act_watchdog(struct service *s)
{
	log_warning("%s: watchdog timeout (limit %llu ms)", s->name,
		    (unsigned long long)(s->spec->watchdog_usec / USEC_PER_MSEC));
	s->kill_signal_override = SIGABRT;
	service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_WATCHDOG);
}

static void act_stop_control_exit(struct service *s)
{
	int r = service_control_succeeded(s) ? service_control_next(s) : 0;

	if (r != 1)
		service_enter_signal(s, SERVICE_STOP_SIGTERM,
				     r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

static void act_stop_timeout(struct service *s)
{
	log_warning("%s: stop operation timed out, terminating", s->name);
	service_enter_signal(s, SERVICE_STOP_SIGTERM, SERVICE_FAILURE_TIMEOUT);
}

/* A process of a stopping service ended: is the round over? */
static void act_signal_progress(struct service *s)
{
	if (service_all_gone(s)) {
		service_cancel_timer(s);
		service_signal_round_done(s, SERVICE_SUCCESS);
	}
}

static void act_signal_timeout(struct service *s)
{
	char name[16];

	switch (s->state) {
	case SERVICE_STOP_SIGTERM:
	case SERVICE_FINAL_SIGTERM:
		if (s->spec->send_sigkill) {
			log_warning(
				"%s: state '%s' timed out, sending SIG%s", s->name,
				state_names[s->state],
				value_signal_name(s->spec->final_kill_signal, name, sizeof(name)));
			service_enter_signal(s,
					     s->state == SERVICE_STOP_SIGTERM
						     ? SERVICE_STOP_SIGKILL
						     : SERVICE_FINAL_SIGKILL,
					     SERVICE_FAILURE_TIMEOUT);
			return;
		}
		log_warning("%s: state '%s' timed out, SendSIGKILL=no: leaving processes behind",
			    s->name, state_names[s->state]);
		break;
	default:
		log_warning("%s: processes still around after SIG%s, ignoring", s->name,
			    value_signal_name(s->spec->final_kill_signal, name, sizeof(name)));
		break;
	}
	/* Forget the processes: their exits must not be taken for the next activation. */
	if (s->main_pid > 0)
		reaper_unwatch(supervisor_reaper(s->supervisor), s->main_pid);
	if (s->control_pid > 0)
		reaper_unwatch(supervisor_reaper(s->supervisor), s->control_pid);
	s->main_pid = s->control_pid = 0;
	service_signal_round_done(s, SERVICE_FAILURE_TIMEOUT);
}

static void act_stop_post_control_exit(struct service *s)
{
	int r = service_control_succeeded(s) ? service_control_next(s) : 0;

	if (r != 1)
		service_enter_final_post(s, r < 0 ? SERVICE_FAILURE_RESOURCES : SERVICE_SUCCESS);
}

static void act_stop_post_timeout(struct service *s)
{
	log_warning("%s: stop-post operation timed out", s->name);
	service_enter_signal(s, SERVICE_FINAL_SIGTERM, SERVICE_FAILURE_TIMEOUT);
}

/* ---- the table -------------------------------------------------------------------------- */

/* Unlisted cells do nothing: the event does not concern that state (a timer or process of an
 * earlier phase is always cancelled or waited for before leaving it). */
static const service_action service_actions[SERVICE_STATE_MAX][SERVICE_EVENT_MAX] = {
	[SERVICE_DEAD] = {
		[SERVICE_EV_START] = act_queue,
	},
	[SERVICE_FAILED] = {
		[SERVICE_EV_START] = act_queue,
	},
	[SERVICE_WAITING] = {
		[SERVICE_EV_GO] = act_go,
		[SERVICE_EV_DEP_FAILED] = act_dep_failed,
		[SERVICE_EV_STOP] = act_cancel,
	},
	[SERVICE_AUTO_RESTART] = {
		[SERVICE_EV_START] = act_requeue,
		[SERVICE_EV_RESTART] = act_requeue,
		[SERVICE_EV_STOP] = act_cancel,
	},
	[SERVICE_START_PRE] = {
		[SERVICE_EV_CONTROL_EXIT] = act_start_pre_control_exit,
		[SERVICE_EV_TIMEOUT] = act_start_timeout,
		[SERVICE_EV_STOP] = act_stop_starting,
	},
	[SERVICE_START] = {
		[SERVICE_EV_MAIN_EXIT] = act_start_main_exit,
		[SERVICE_EV_EXEC_DONE] = act_start_ready,
		[SERVICE_EV_READY] = act_start_ready,
		[SERVICE_EV_TIMEOUT] = act_start_timeout,
		[SERVICE_EV_STOP] = act_stop_starting,
	},
	[SERVICE_START_POST] = {
		[SERVICE_EV_CONTROL_EXIT] = act_start_post_control_exit,
		[SERVICE_EV_MAIN_EXIT] = act_main_exit_noted,
		[SERVICE_EV_TIMEOUT] = act_start_post_timeout,
		[SERVICE_EV_STOP] = act_stop_starting,
	},
	[SERVICE_RUNNING] = {
		[SERVICE_EV_MAIN_EXIT] = act_running_main_exit,
		[SERVICE_EV_EMPTY] = act_running_empty,
		[SERVICE_EV_STOP] = act_stop_active,
		[SERVICE_EV_RELOAD] = act_reload,
		[SERVICE_EV_WATCHDOG] = act_watchdog,
		[SERVICE_EV_RELOADING] = act_reloading,
	},
	[SERVICE_EXITED] = {
		[SERVICE_EV_STOP] = act_stop_active,
		[SERVICE_EV_RELOAD] = act_reload,
	},
	[SERVICE_RELOAD] = {
		[SERVICE_EV_CONTROL_EXIT] = act_reload_control_exit,
		[SERVICE_EV_MAIN_EXIT] = act_reload_main_exit,
		[SERVICE_EV_TIMEOUT] = act_reload_timeout,
		[SERVICE_EV_READY] = act_reload_ready,
		[SERVICE_EV_STOP] = act_stop_starting,
		[SERVICE_EV_WATCHDOG] = act_watchdog,
	},
	[SERVICE_STOP] = {
		[SERVICE_EV_CONTROL_EXIT] = act_stop_control_exit,
		[SERVICE_EV_MAIN_EXIT] = act_main_exit_noted,
		[SERVICE_EV_TIMEOUT] = act_stop_timeout,
	},
	[SERVICE_STOP_SIGTERM] = {
		[SERVICE_EV_CONTROL_EXIT] = act_signal_progress,
		[SERVICE_EV_MAIN_EXIT] = act_signal_progress,
		[SERVICE_EV_EMPTY] = act_signal_progress,
		[SERVICE_EV_TIMEOUT] = act_signal_timeout,
	},
	[SERVICE_STOP_SIGKILL] = {
		[SERVICE_EV_CONTROL_EXIT] = act_signal_progress,
		[SERVICE_EV_MAIN_EXIT] = act_signal_progress,
		[SERVICE_EV_EMPTY] = act_signal_progress,
		[SERVICE_EV_TIMEOUT] = act_signal_timeout,
	},
	[SERVICE_STOP_POST] = {
		[SERVICE_EV_CONTROL_EXIT] = act_stop_post_control_exit,
		[SERVICE_EV_TIMEOUT] = act_stop_post_timeout,
	},
	[SERVICE_FINAL_SIGTERM] = {
		[SERVICE_EV_CONTROL_EXIT] = act_signal_progress,
		[SERVICE_EV_MAIN_EXIT] = act_signal_progress,
		[SERVICE_EV_EMPTY] = act_signal_progress,
		[SERVICE_EV_TIMEOUT] = act_signal_timeout,
	},
	[SERVICE_FINAL_SIGKILL] = {
		[SERVICE_EV_CONTROL_EXIT] = act_signal_progress,
		[SERVICE_EV_MAIN_EXIT] = act_signal_progress,
		[SERVICE_EV_EMPTY] = act_signal_progress,
		[SERVICE_EV_TIMEOUT] = act_signal_timeout,
	},
};

void service_dispatch(struct service *s, enum service_event event)
{
	service_action action;

	if (!s->spec || (unsigned)s->state >= SERVICE_STATE_MAX ||
	    (unsigned)event >= SERVICE_EVENT_MAX)
		return;
	/* An action can, through the supervisor, cause another event for this same service;
	 * it runs once the current action is complete, never in the middle of it. */
	if (s->busy) {
		s->queued |= 1u << event;
		return;
	}
	s->busy = true;
	for (;;) {
		action = service_actions[s->state][event];
		if (action)
			action(s);
		if (!s->queued || !s->spec)
			break;
		event = (enum service_event)__builtin_ctz(s->queued);
		s->queued &= ~(1u << event);
	}
	s->queued = 0;
	s->busy = false;
}

bool service_has_transition(enum service_state state, enum service_event event)
{
	return service_actions[state][event] != NULL;
}

void service_check_empty(struct service *s)
{
	if (!s->spec)
		return;
	if (service_is_deactivating(s) && s->state != SERVICE_STOP &&
	    s->state != SERVICE_STOP_POST && service_all_gone(s))
		service_dispatch(s, SERVICE_EV_EMPTY);
	else if (s->state == SERVICE_RUNNING && !s->main_known && s->cgroup &&
		 !service_group_populated(s))
		service_dispatch(s, SERVICE_EV_EMPTY);
}

bool service_owns_pid(const struct service *s, pid_t pid, pid_t pgid)
{
	if (pid <= 0)
		return false;
	if (pid == s->main_pid || pid == s->control_pid)
		return true;
	if (pgid <= 0)
		return false;
	for (unsigned i = 0; i < s->pgid_count; i++)
		if (s->pgids[i] == pgid)
			return true;
	return false;
}

void service_on_notify(struct service *s, const void *data)
{
	const struct notify_message *m = data;

	if (m->status) {
		free(s->status_text);
		s->status_text = m->status[0] ? strdup(m->status) : NULL;
	}
	if (m->errno_value >= 0)
		s->notify_errno = m->errno_value;
	if (m->mainpid > 0 && m->mainpid != s->main_pid &&
	    (s->state == SERVICE_START || s->state == SERVICE_START_POST ||
	     s->state == SERVICE_RUNNING || s->state == SERVICE_RELOAD) &&
	    service_may_adopt(s, m->mainpid)) {
		if (s->main_pid > 0)
			reaper_unwatch(supervisor_reaper(s->supervisor), s->main_pid);
		if (reaper_watch(supervisor_reaper(s->supervisor), m->mainpid, service_on_main_exit,
				 s) == 0) {
			s->main_pid = m->mainpid;
			s->main_known = true;
		}
	}
	if (m->extend_timeout_usec > 0 && s->timer && s->state != SERVICE_AUTO_RESTART)
		service_arm_timer(s, m->extend_timeout_usec);
	if (m->watchdog && s->watchdog_timer)
		service_arm_watchdog(s);
	if (m->watchdog_trigger)
		service_dispatch(s, SERVICE_EV_WATCHDOG);
	if (m->stopping)
		log_debug("%s: STOPPING=1", s->name);
	/* RELOADING=1: reloading on its own (e.g. after SIGHUP) until it sends READY=1. */
	if (m->reloading && !m->ready) {
		service_dispatch(s, SERVICE_EV_RELOADING);
		return;
	}
	if (m->ready)
		service_dispatch(s, SERVICE_EV_READY);
}

int service_new(struct supervisor *supervisor, const char *name, struct service **ret)
{
	struct service *s = calloc(1, sizeof(*s));
	const char *dot;

	if (!s)
		return -ENOMEM;
	s->supervisor = supervisor;
	s->name = strdup(name);
	dot = strrchr(name, '.');
	s->short_name = strndup(name, dot ? (size_t)(dot - name) : strlen(name));
	if (!s->name || !s->short_name) {
		free(s->name);
		free(s->short_name);
		free(s);
		return -ENOMEM;
	}
	s->exec_status_fd = -1;
	s->control_status_fd = -1;
	s->cgroup_events_fd = -1;
	s->state_since_usec = util_now_usec(CLOCK_MONOTONIC);
	*ret = s;
	return 0;
}

void service_free(struct service *s)
{
	if (!s)
		return;
	service_release(s);
	if (s->main_pid > 0)
		reaper_unwatch(supervisor_reaper(s->supervisor), s->main_pid);
	if (s->control_pid > 0)
		reaper_unwatch(supervisor_reaper(s->supervisor), s->control_pid);
	if (s->cgroup && svcgroup_destroy(s->cgroup) < 0)
		svcgroup_free(s->cgroup);
	service_spec_free(s->spec);
	service_spec_free(s->next_spec);
	free(s->fingerprint);
	free(s->next_fingerprint);
	free(s->load_error);
	free(s->status_text);
	free(s->start_times);
	free(s->main_path);
	free(s->control_path);
	if (s->control_status_fd >= 0)
		(void)close(s->control_status_fd);
	free(s->short_name);
	free(s->name);
	free(s);
}
