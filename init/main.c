/* cinit: PID 1 for containers. Runs one command, forwards signals to it, reaps every orphan,
 * and exits with the command's status once everything it left behind is gone. With --units it
 * also supervises services (init/supervisor.c), stopped in order before the leftovers. */
#include "config.h"

#include "common/log.h"
#include "common/pidmap.h"
#include "common/util.h"
#include "common/values.h"
#include "init/activation.h"
#include "init/child.h"
#include "init/control.h"
#include "init/logpipe.h"
#include "init/loop.h"
#include "init/notify.h"
#include "init/options.h"
#include "init/reaper.h"
#include "init/signals.h"
#include "init/supervisor.h"
#include "init/svcgroup.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define EXIT_NOT_FOUND	      127
#define EXIT_CANNOT_EXECUTE   126
#define EXIT_INTERNAL	      125 /* cinit itself failed (docker run's code for its own errors) */
#define DUMB_INIT_EXEC_FAILED 2	  /* dumb-init's status when exec fails */
/* After SIGKILL only processes stuck in the kernel survive; do not wait for them forever. */
#define KILL_GIVE_UP_USEC   (5 * USEC_PER_SEC)
#define EXIT_UNITS_UNUSABLE 2 /* --units DIR cannot be read: bad usage, before anything runs */
/* Service output cinit holds for a slow reader before it stops reading the services' pipes. */
#define LOG_SINK_MAX_BUFFER (256 * 1024)
/* How long cinit waits at exit for a slow reader of the services' last lines. */
#define LOG_DRAIN_TIMEOUT_MS 2000
#define CONTROL_SOCKET_NAME  "control"
#define NOTIFY_SOCKET_NAME   "notify"

enum phase {
	PHASE_RUNNING,		 /* main command alive: forward signals */
	PHASE_SERVICES_STOPPING, /* services stopping in reverse dependency order */
	PHASE_STOPPING,		 /* main command gone, SIGTERM sent to what is left */
	PHASE_KILLING,		 /* grace period over, SIGKILL sent */
};

struct init {
	struct options options;
	struct loop *loop;
	struct signals signals;
	struct reaper *reaper;
	bool is_pid1;
	pid_t pid; /* our own, as signalfd reports it */
	pid_t main_pid;
	bool main_exited;
	int exit_status;
	enum phase phase;
	struct loop_timer *timer;
	struct pidmap *signalled; /* leftovers already sent SIGTERM (not PID 1) */
	bool gave_terminal;	  /* the main command's group is the tty's foreground */
	/* TIOCNOTTY as session leader makes the kernel send SIGHUP and SIGCONT to the terminal's
	 * foreground group, which includes us: those two are not meant for the command. */
	bool swallow_hangup, swallow_cont;

	/* --units */
	struct supervisor *supervisor;
	struct control_server *control;
	struct log_sink *out_sink, *err_sink;
	struct svcgroup_root *cgroup_root;
	bool services_stopped;
	bool exit_status_fixed; /* FailureAction=exit chose it: the main command's does not count */
	struct loop_timer *progress_timer;
	char *control_path, *notify_path;
};

static int init_progress(struct init *init);

static int init_exit_status(const struct init *init, int wait_status)
{
	int status;

	if (WIFEXITED(wait_status))
		status = WEXITSTATUS(wait_status);
	else if (WIFSIGNALED(wait_status))
		status = 128 + WTERMSIG(wait_status);
	else
		status = EXIT_INTERNAL;
	if (status >= 0 && status < 256 && init->options.remap_exit[status])
		status = 0;
	return status;
}

static void init_on_main_exit(pid_t pid, int status, void *data)
{
	struct init *init = data;
	char name[16];

	init->main_exited = true;
	/* Take the terminal back so that Ctrl-C during the grace period reaches us. */
	if (init->gave_terminal && tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		log_debug_errno(errno, "cannot take the terminal back");
	if (!init->exit_status_fixed)
		init->exit_status = init_exit_status(init, status);
	if (WIFSIGNALED(status))
		log_info("main command (pid %d) was killed by SIG%s", (int)pid,
			 value_signal_name(WTERMSIG(status), name, sizeof(name)));
	else
		log_info("main command (pid %d) exited with status %d", (int)pid,
			 WEXITSTATUS(status));
}

static void init_on_orphan_exit(pid_t pid, int status, void *data)
{
	struct init *init = data;

	/* A later process may get this pid: it has not been sent SIGTERM. */
	pidmap_remove(init->signalled, pid);
	if (init->options.warn_reap)
		log_warning("reaped zombie process with pid=%d", (int)pid);
	else
		log_trace("reaped orphan %d", (int)pid);
}

struct leftover_signal {
	struct init *init;
	int sig;
	unsigned count;
};

static int init_signal_child(pid_t pid, void *data)
{
	struct leftover_signal *ls = data;
	static char marker;

	/* Each process gets SIGTERM once, even if it shows up in many rescans. */
	if (ls->sig != SIGKILL && pidmap_get(ls->init->signalled, pid))
		return 0;
	if (kill(pid, ls->sig) < 0) {
		if (errno != ESRCH)
			log_warning_errno(errno, "cannot signal leftover process %d", (int)pid);
		return 0;
	}
	ls->count++;
	if (ls->sig != SIGKILL) {
		/* A stopped process would keep SIGTERM pending until the deadline. */
		(void)kill(pid, SIGCONT);
		(void)pidmap_put(ls->init->signalled, pid, &marker);
	}
	return 0;
}

/* Signals whatever is left after the main command ended. As PID 1 kill(-1) reaches every process
 * of the namespace at once; as a subreaper only our own children are ours to signal (kill(-1)
 * would hit the whole host), and their children come to us, and get signalled, as they orphan. */
static void init_signal_leftovers(struct init *init, int sig)
{
	struct leftover_signal ls = { init, sig, 0 };
	char name[16];
	int r;

	if (init->is_pid1) {
		if (kill(-1, sig) < 0 && errno != ESRCH)
			log_warning_errno(errno, "kill(-1, %d)", sig);
		if (sig != SIGKILL)
			(void)kill(-1, SIGCONT);
		return;
	}
	r = reaper_foreach_child(init_signal_child, &ls);
	if (r < 0)
		log_warning_errno(r, "cannot list leftover processes");
	else if (ls.count)
		log_debug("sent SIG%s to %u leftover processes",
			  value_signal_name(sig, name, sizeof(name)), ls.count);
}

static int init_on_give_up(struct loop *loop, void *data)
{
	struct init *init = data;

	init->timer = NULL;
	log_warning("processes are left that did not die from SIGKILL; exiting anyway");
	loop_quit(loop, init->exit_status);
	return 0;
}

static int init_kill_leftovers(struct init *init)
{
	loop_timer_cancel(init->loop, init->timer);
	init->timer = NULL;
	init->phase = PHASE_KILLING;
	init_signal_leftovers(init, SIGKILL);
	return loop_timer_start(init->loop, KILL_GIVE_UP_USEC, init_on_give_up, init, &init->timer);
}

static int init_on_stop_timeout(struct loop *loop, void *data)
{
	struct init *init = data;

	init->timer = NULL;
	log_info("processes left after the stop timeout: sending SIGKILL");
	return init_kill_leftovers(init);
}

static int init_begin_stop(struct init *init)
{
	uint64_t timeout = init->options.stop_timeout_usec;

	if (timeout == 0)
		return init_kill_leftovers(init);
	init->phase = PHASE_STOPPING;
	log_debug("main command is gone, stopping what is left");
	init_signal_leftovers(init, SIGTERM);
	if (timeout == VALUE_INFINITY)
		return 0;
	return loop_timer_start(init->loop, timeout, init_on_stop_timeout, init, &init->timer);
}

static int init_stop_leftovers(struct init *init)
{
	int alive = reaper_drain(init->reaper);

	if (alive < 0)
		return log_error_errno(alive, "waitpid");
	if (alive == 0) {
		loop_quit(init->loop, init->exit_status);
		return 0;
	}
	return init_begin_stop(init);
}

/* Services first (each with its own stop logic), then whatever is left. */
static int init_begin_shutdown(struct init *init)
{
	if (init->phase != PHASE_RUNNING)
		return 0;
	if (init->supervisor && !init->services_stopped) {
		init->phase = PHASE_SERVICES_STOPPING;
		log_info("stopping services");
		supervisor_stop_all(init->supervisor);
		return 0;
	}
	return init_stop_leftovers(init);
}

static bool init_main_running(const struct init *init)
{
	return init->main_pid > 0 && !init->main_exited;
}

/* Moves the shutdown on after children exited or services stopped. */
static int init_progress(struct init *init)
{
	int alive = reaper_drain(init->reaper);

	if (alive < 0)
		return log_error_errno(alive, "waitpid");
	if (init->supervisor)
		supervisor_after_reap(init->supervisor);
	switch (init->phase) {
	case PHASE_RUNNING:
		/* The main command's end is the container's; without one, only a request is. */
		if (init->main_pid > 0 && init->main_exited)
			return init_begin_shutdown(init);
		return 0;
	case PHASE_SERVICES_STOPPING:
		if (!init->services_stopped)
			return 0;
		return init_stop_leftovers(init);
	case PHASE_STOPPING:
	case PHASE_KILLING:
		if (alive == 0) {
			loop_quit(init->loop, init->exit_status);
			return 0;
		}
		/* New orphans may have reached us since the last round. */
		if (!init->is_pid1)
			init_signal_leftovers(init,
					      init->phase == PHASE_KILLING ? SIGKILL : SIGTERM);
		return 0;
	}
	return 0;
}

static int init_on_sigchld(struct init *init)
{
	return init_progress(init);
}

static int init_on_progress_timer(struct loop *loop, void *data)
{
	struct init *init = data;

	(void)loop;
	init->progress_timer = NULL;
	return init_progress(init);
}

/* From inside callbacks (the reaper's among them): progress is made from the loop. */
static void init_schedule_progress(struct init *init)
{
	if (!init->progress_timer && loop_timer_start(init->loop, 0, init_on_progress_timer, init,
						      &init->progress_timer) < 0)
		log_warning("cannot schedule the shutdown");
}

static void init_on_supervisor_event(enum supervisor_event event, int status, void *data)
{
	struct init *init = data;
	unsigned active, failed, total;
	char message[160];
	int r;

	switch (event) {
	case SUPERVISOR_ALL_STARTED:
		supervisor_counts(init->supervisor, &active, &failed, &total);
		snprintf(message, sizeof(message),
			 "READY=1\nSTATUS=%u of %u services active, %u failed", active, total,
			 failed);
		r = notify_send_env(message);
		if (r < 0)
			log_warning_errno(r, "cannot send READY=1 to $NOTIFY_SOCKET");
		break;
	case SUPERVISOR_EXIT:
		if (init->exit_status_fixed || init->phase != PHASE_RUNNING)
			break;
		init->exit_status = status;
		init->exit_status_fixed = true;
		(void)notify_send_env("STOPPING=1");
		if (init_main_running(init))
			(void)signals_send(init->main_pid, SIGTERM, init->options.signal_group);
		(void)init_begin_shutdown(init);
		break;
	case SUPERVISOR_ALL_STOPPED:
		init->services_stopped = true;
		init_schedule_progress(init);
		break;
	}
}

static bool is_tty_stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int init_forward(struct init *init, int sig)
{
	int target = sig < OPTIONS_SIGNALS ? init->options.rewrite[sig] : sig;
	char name[16], tname[16];
	int r = 0;

	/* The signal first; names are only for the messages that follow. */
	if (target != 0)
		r = signals_send(init->main_pid, target, init->options.signal_group);
	value_signal_name(sig, name, sizeof(name));
	if (target == 0)
		log_debug("not forwarding SIG%s (rewritten to 0)", name);
	else if (r < 0)
		log_warning_errno(r, "cannot forward SIG%s to %d", name, (int)init->main_pid);
	else
		log_debug("forwarded SIG%s as SIG%s to %s%d", name,
			  value_signal_name(target, tname, sizeof(tname)),
			  init->options.signal_group ? "group " : "", (int)init->main_pid);
	/* Like dumb-init: job-control stops reach the child, then we stop too so the shell that
	 * started us sees a stopped job. SIGCONT will wake us and be forwarded. */
	if (is_tty_stop_signal(sig) && init->options.stop_on_tty_signals)
		(void)kill(init->pid, SIGSTOP);
	return 0;
}

static int init_on_signal(const struct signalfd_siginfo *si, void *data)
{
	struct init *init = data;
	int sig = (int)si->ssi_signo;

	if (sig == SIGCHLD)
		return init_on_sigchld(init);
	if (signals_is_internal(sig))
		return 0;
	/* The kernel sends those on behalf of our own ioctl, so they carry our pid. */
	if ((init->swallow_hangup || init->swallow_cont) && (pid_t)si->ssi_pid == init->pid &&
	    ((sig == SIGHUP && init->swallow_hangup) || (sig == SIGCONT && init->swallow_cont))) {
		if (sig == SIGHUP)
			init->swallow_hangup = false;
		else
			init->swallow_cont = false;
		log_debug("ignoring the SIG%s of giving up the terminal",
			  sig == SIGHUP ? "HUP" : "CONT");
		return 0;
	}
	/* A SIGPIPE or SIGXFSZ the kernel raised for one of our own writes (a closed log pipe) is
	 * ours, not a request for the command. */
	if ((sig == SIGPIPE || sig == SIGXFSZ) && si->ssi_code == SI_USER &&
	    (pid_t)si->ssi_pid == init->pid)
		return 0;
	if (init->supervisor && sig == SIGHUP && init->phase == PHASE_RUNNING) {
		log_info("SIGHUP: reloading the units of %s", init->options.units_dir);
		(void)supervisor_reload_units(init->supervisor);
	}
	if (init->phase == PHASE_RUNNING && init_main_running(init))
		return init_forward(init, sig);
	/* Services without a main command: SIGTERM and SIGINT stop the container. */
	if (init->phase == PHASE_RUNNING && (sig == SIGTERM || sig == SIGINT)) {
		(void)notify_send_env("STOPPING=1");
		return init_begin_shutdown(init);
	}
	/* While stopping, a second request to stop means "now". */
	if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
	    (init->phase == PHASE_STOPPING || init->phase == PHASE_SERVICES_STOPPING)) {
		log_info("stop requested again: sending SIGKILL to what is left");
		if (init->supervisor)
			supervisor_kill_all(init->supervisor);
		return init_kill_leftovers(init);
	}
	return 0;
}

static int init_on_signalfd(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct init *init = data;

	return signals_drain(&init->signals, init_on_signal, init);
}

static int init_setup(struct init *init)
{
	int r;

	init->pid = getpid();
	init->is_pid1 = init->pid == 1;
	if (!init->is_pid1) {
		/* Orphans of our descendants come to us instead of the real init. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			log_warning_errno(errno,
					  "cannot become a child subreaper; orphans will not "
					  "be reaped");
		else
			log_info("not PID 1: registered as child subreaper");
	}
	r = signals_setup(&init->signals);
	if (r < 0)
		return log_error_errno(r, "cannot set up signal handling");
	/* Only now that signals are blocked: a parent dying earlier would kill us outright. */
	if (init->options.pdeath_signal &&
	    prctl(PR_SET_PDEATHSIG, init->options.pdeath_signal, 0, 0, 0) < 0)
		return log_error_errno(errno, "cannot set the parent death signal");
	r = reaper_new(&init->reaper);
	if (r < 0)
		return log_error_errno(r, "reaper");
	reaper_on_orphan(init->reaper, init_on_orphan_exit, init);
	init->signalled = pidmap_new();
	if (!init->signalled)
		return log_error_errno(ENOMEM, "setup");
	r = loop_new(&init->loop);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	r = loop_add_fd_blocking(init->loop, init->signals.fd, init_on_signalfd, init);
	if (r < 0)
		return log_error_errno(r, "cannot watch the signalfd");
	return 0;
}

static int init_start_main(struct init *init)
{
	struct child_spec spec = {
		.argv = init->options.command,
		.grouping = init->options.grouping,
		.take_terminal = isatty(STDIN_FILENO),
		.mask = &init->signals.original_mask,
		.exit_not_found = EXIT_NOT_FOUND,
		.exit_cannot_execute = EXIT_CANNOT_EXECUTE,
	};
	static int listen_fds[CHILD_LISTEN_FDS_MAX];
	static char listen_names[CHILD_LISTEN_FDS_MAX * 16];
	int r;

	/* what no service takes */
	spec.n_listen_fds = activation_select(NULL, NULL, listen_fds, ELEMENTSOF(listen_fds),
					      listen_names, sizeof(listen_names));
	spec.listen_fds = listen_fds;
	spec.listen_names = listen_names;

	if (init->options.personality == PERSONALITY_DUMB_INIT)
		spec.exit_not_found = spec.exit_cannot_execute = DUMB_INIT_EXEC_FAILED;
	/* A new session can only take the terminal once ours has let go of it (as dumb-init
	 * does); as session leader that costs us a SIGHUP and a SIGCONT, swallowed later. */
	if (spec.take_terminal && spec.grouping == CHILD_OWN_SESSION) {
		bool leader = getsid(0) == init->pid;
		if (ioctl(STDIN_FILENO, TIOCNOTTY) < 0)
			log_debug_errno(errno, "cannot detach from the terminal");
		else if (leader)
			init->swallow_hangup = init->swallow_cont = true;
	}
	r = child_spawn(&spec, &init->main_pid);
	if (r < 0)
		return log_error_errno(r, "cannot fork");
	init->gave_terminal = spec.take_terminal && spec.grouping == CHILD_OWN_PGRP;
	log_info("started \"%s\" as pid %d", spec.argv[0], (int)init->main_pid);
	return reaper_watch(init->reaper, init->main_pid, init_on_main_exit, init);
}

/* "cinit: --units /srv/units: ..." errors before anything was started end with status 2. */
static int init_setup_units(struct init *init)
{
	const char *runtime = init->options.runtime_dir;
	struct stat out, err;
	int r;

	if (asprintf(&init->control_path, "%s/%s", runtime, CONTROL_SOCKET_NAME) < 0 ||
	    asprintf(&init->notify_path, "%s/%s", runtime, NOTIFY_SOCKET_NAME) < 0)
		return log_error_errno(ENOMEM, "setup");
	if (mkdir(runtime, 0755) < 0 && errno != EEXIST)
		log_warning_errno(errno, "cannot create %s; no control or notify socket", runtime);

	r = log_sink_new(init->loop, STDOUT_FILENO, LOG_SINK_MAX_BUFFER, &init->out_sink);
	if (r < 0)
		return log_error_errno(r, "cannot set up service output");
	/* One sink when stdout and stderr are the same pipe or terminal, so that lines of the
	 * two never cut into each other. */
	if (fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
	    out.st_dev == err.st_dev && out.st_ino == err.st_ino)
		init->err_sink = init->out_sink;
	else if ((r = log_sink_new(init->loop, STDERR_FILENO, LOG_SINK_MAX_BUFFER,
				   &init->err_sink)) < 0)
		return log_error_errno(r, "cannot set up service output");

	r = svcgroup_root_open(init->options.cgroup_path, &init->cgroup_root);
	if (r < 0) {
		init->cgroup_root = NULL;
		if (init->options.cgroup_path)
			return r; /* svcgroup_root_open said why */
		log_debug_errno(r, "no delegated cgroup: services are tracked by process group");
	} else {
		log_info("services get cgroups under %s", svcgroup_root_path(init->cgroup_root));
	}

	struct supervisor_config config = {
		.loop = init->loop,
		.reaper = init->reaper,
		.unit_dir = init->options.units_dir,
		.notify_path = init->notify_path,
		.mask = &init->signals.original_mask,
		.out = init->out_sink,
		.err = init->err_sink,
		.cgroup_root = init->cgroup_root,
		.on_event = init_on_supervisor_event,
		.data = init,
	};
	r = supervisor_new(&config, &init->supervisor);
	if (r < 0)
		return log_error_errno(r, "cannot set up the supervisor");
	r = supervisor_load(init->supervisor);
	if (r < 0)
		return r;
	r = control_server_new(init->loop, init->control_path, supervisor_control, init->supervisor,
			       &init->control);
	if (r < 0) {
		init->control = NULL;
		log_warning_errno(r, "cannot listen on %s; cinit ctl will not work",
				  init->control_path);
	}
	return 0;
}

static void init_free(struct init *init)
{
	/* The supervisor answers the requests it holds before the server goes. */
	supervisor_free(init->supervisor);
	control_server_free(init->control);
	svcgroup_root_free(init->cgroup_root);
	if (init->err_sink != init->out_sink)
		log_sink_free(init->err_sink);
	log_sink_free(init->out_sink);
	free(init->control_path);
	free(init->notify_path);
	loop_free(init->loop);
	reaper_free(init->reaper);
	pidmap_free(init->signalled);
	signals_close(&init->signals);
}

/* `cinit ctl ...`: a client of a running cinit's control socket. */
static int ctl_main(int argc, char **argv)
{
	const char *runtime = getenv("CINIT_RUNTIME_DIR");
	char path[4096];

	log_setup("cinit ctl", LOG_LEVEL_WARNING);
	if (!getenv("CINIT_CONTROL_SOCKET") && runtime && runtime[0]) {
		snprintf(path, sizeof(path), "%s/%s", runtime, CONTROL_SOCKET_NAME);
		return control_client_run(path, argc, argv, STDOUT_FILENO, STDERR_FILENO);
	}
	return control_client_run(NULL, argc, argv, STDOUT_FILENO, STDERR_FILENO);
}

int main(int argc, char **argv)
{
	struct init init = { .signals.fd = -1 };
	int r;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0 &&
	    strcmp(util_basename(argv[0]), "tini") != 0 &&
	    strcmp(util_basename(argv[0]), "dumb-init") != 0)
		return ctl_main(argc - 2, argv + 2);

	r = options_parse(argc, argv, &init.options);
	if (r == OPTIONS_EXIT)
		return 0;
	if (r < 0)
		return options_usage_exit_code(init.options.personality);

	/* before anything opens an fd: the activation fds are ours to hand out */
	(void)activation_take();
	r = init_setup(&init);
	if (r >= 0 && init.options.units_dir) {
		r = init_setup_units(&init);
		if (r < 0) {
			/* Nothing has been started: a bad unit directory is bad usage. */
			init_free(&init);
			return EXIT_UNITS_UNUSABLE;
		}
	}
	if (r >= 0 && init.options.command)
		r = init_start_main(&init);
	if (r >= 0 && init.supervisor)
		r = supervisor_start_all(init.supervisor);
	if (r >= 0)
		r = loop_run(init.loop);
	if (r < 0) {
		/* Do not leave the command running without an init. */
		if (init.main_pid > 0 && !init.main_exited)
			(void)kill(init.main_pid, SIGKILL);
		init_free(&init);
		return EXIT_INTERNAL;
	}
	/* What services printed just before they ended is still in their pipes. */
	if (init.out_sink)
		log_sink_drain(init.out_sink, LOG_DRAIN_TIMEOUT_MS);
	if (init.err_sink && init.err_sink != init.out_sink)
		log_sink_drain(init.err_sink, LOG_DRAIN_TIMEOUT_MS);
	init_free(&init);
	return r;
}
