/* Units, jobs and dependencies around the per-service state machines: which service may start
 * or stop now, what a failure or a stop drags along, the ordered shutdown, reloads, readiness
 * towards cinit's parent, and `cinit ctl`. */
#include "init/supervisor.h"
#include "init/activation.h"

#include "common/log.h"
#include "common/spec.h"
#include "common/unitfile.h"
#include "common/util.h"
#include "common/values.h"
#include "init/deps.h"
#include "init/notify.h"
#include "init/service.h"
#include "init/svcgroup.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_SUFFIX ".service"
#define PROC_CGROUP "/proc/%d/cgroup"

/* A `cinit ctl start|stop|restart|reload` waiting for its jobs to finish. */
struct waiter {
	struct control_request *request;
	unsigned pending;
	bool failed;
};

struct pending_job {
	struct waiter *waiter;
	struct service *service;
	enum service_job job; /* what the client asked for; RELOAD is SERVICE_JOB_NONE */
	bool reload;
	struct pending_job *next;
};

struct supervisor {
	struct supervisor_config config;
	char *unit_dir;
	struct service **services;
	size_t count;
	struct deps *deps;
	struct service **by_dep; /* graph index -> service, NULL for units that do not exist */
	size_t by_dep_count;
	struct notify_server *notify;
	struct pending_job *jobs;
	struct loop_timer *gc_timer;
	bool shutting_down, all_stopped_sent;
	bool starting, all_started_sent;
	bool dispatching, dirty;
	bool canceling; /* finishing waiters of a start a stop replaced */
};

struct loop *supervisor_loop(struct supervisor *sup)
{
	return sup->config.loop;
}

struct reaper *supervisor_reaper(struct supervisor *sup)
{
	return sup->config.reaper;
}

const struct supervisor_config *supervisor_config(const struct supervisor *sup)
{
	return &sup->config;
}

bool supervisor_shutting_down(const struct supervisor *sup)
{
	return sup->shutting_down;
}

static struct service *supervisor_find(const struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->count; i++)
		if (strcmp(sup->services[i]->name, name) == 0)
			return sup->services[i];
	return NULL;
}

static struct service *supervisor_dep_service(const struct supervisor *sup, size_t index)
{
	return index < sup->by_dep_count ? sup->by_dep[index] : NULL;
}

static void supervisor_request_stop(struct supervisor *sup, struct service *s);
static void supervisor_finish_waiters(struct supervisor *sup, struct service *s, bool done_ok,
				      bool stop_done, bool start_done);
static void supervisor_cancel_start_waiters(struct supervisor *sup, struct service *s);

/* ---- loading ---------------------------------------------------------------------------- */

static void supervisor_warn(void *data, const char *message)
{
	(void)data;
	log_warning("%s", message);
}

/* The entries of a unit, to tell whether a reload changed it. */
static char *unit_fingerprint(const struct unit_file *unit)
{
	const struct unit_entry *entries;
	size_t n = unit_file_entries(unit, &entries), size = 1, used = 0;
	char *text;

	for (size_t i = 0; i < n; i++)
		size += strlen(entries[i].section) + strlen(entries[i].key) +
			strlen(entries[i].value) + 4;
	text = malloc(size);
	if (!text)
		return NULL;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, size - used, "%s\n%s=%s\n",
					 entries[i].section, entries[i].key, entries[i].value);
	text[used] = '\0';
	return text;
}

/* Loads NAME into spec/fingerprint, or a load error. 0, or -ENOENT when there is no such file,
 * or another -errno with *error set. */
static int supervisor_read_unit(struct supervisor *sup, const char *name,
				struct service_spec **spec, char **fingerprint, char **error)
{
	struct unit_diag diag = { .warn = supervisor_warn };
	struct unit_file *unit = NULL;
	int r;

	*spec = NULL;
	*fingerprint = NULL;
	*error = NULL;
	r = unit_file_load(sup->unit_dir, name, &unit, &diag);
	if (r == -ENOENT)
		return r;
	if (r >= 0) {
		*fingerprint = unit_fingerprint(unit);
		r = service_spec_from_unit(unit, spec, &diag);
	}
	unit_file_free(unit);
	if (r < 0) {
		free(*fingerprint);
		*fingerprint = NULL;
		if (!diag.error[0])
			snprintf(diag.error, sizeof(diag.error), "%s: %s", name, strerror(-r));
		*error = strdup(diag.error);
		log_error("%s", diag.error);
		return r;
	}
	return 0;
}

static int supervisor_add_service(struct supervisor *sup, const char *name, struct service **ret)
{
	struct service **grown, *s;
	int r;

	grown = realloc(sup->services, (sup->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	sup->services = grown;
	r = service_new(sup, name, &s);
	if (r < 0)
		return r;
	sup->services[sup->count++] = s;
	*ret = s;
	return 0;
}

static int supervisor_load_unit(struct supervisor *sup, const char *name, struct service **ret)
{
	struct service_spec *spec;
	char *fingerprint, *error;
	struct service *s;
	int r = supervisor_read_unit(sup, name, &spec, &fingerprint, &error), read_r = r;

	if (r == -ENOENT)
		return r;
	if (r < 0 && !error)
		return -ENOMEM;
	r = supervisor_add_service(sup, name, &s);
	if (r < 0) {
		service_spec_free(spec);
		free(fingerprint);
		free(error);
		return r;
	}
	s->spec = spec;
	s->fingerprint = fingerprint;
	s->load_error = error;
	s->load_errno = spec ? 0 : read_r;
	if (!spec)
		s->state = SERVICE_FAILED;
	if (ret)
		*ret = s;
	return 0;
}

static bool is_unit_file_name(const char *name)
{
	size_t n = strlen(name), suffix = strlen(UNIT_SUFFIX);
	char prefix[256], instance[256], kind[256];

	if (n <= suffix || strcmp(name + n - suffix, UNIT_SUFFIX) != 0)
		return false;
	if (!unit_name_split(name, prefix, instance, kind))
		return false;
	/* Templates run only as instances named by other units. */
	return !(strchr(name, '@') && instance[0] == '\0');
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.service names in the unit directory, sorted. */
static int supervisor_list_dir(struct supervisor *sup, char ***ret, size_t *ret_count)
{
	DIR *dir = opendir(sup->unit_dir);
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0;
	int r = 0;

	if (!dir)
		return -errno;
	errno = 0;
	while ((de = readdir(dir))) {
		if (!is_unit_file_name(de->d_name))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			r = -ENOMEM;
			break;
		}
		names = grown;
		n++;
		errno = 0;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(dir);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	*ret = names;
	*ret_count = n;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Instances of templates named by loaded units (Wants=worker@1.service) are loaded too. */
static int supervisor_load_referenced(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->count; i++) {
		const struct service_spec *spec = sup->services[i]->spec;
		char **lists[3];

		if (!spec)
			continue;
		lists[0] = spec->requires;
		lists[1] = spec->wants;
		lists[2] = spec->binds_to;
		for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
			for (char **name = lists[l]; name && *name; name++) {
				int r;
				if (!strchr(*name, '@') || supervisor_find(sup, *name))
					continue;
				r = supervisor_load_unit(sup, *name, NULL);
				if (r < 0 && r != -ENOENT)
					return r;
			}
		}
	}
	return 0;
}

static int deps_add_list(struct deps *deps, const char *from, enum deps_kind kind, char **names)
{
	for (; names && *names; names++) {
		int r = deps_add(deps, from, kind, *names);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Marks a unit as not loadable (a cycle): it stays listed, failed, never started. One that
 * runs (the cycle came with a reload) keeps its spec until it has stopped. */
static void supervisor_refuse(struct service *s, const char *why)
{
	free(s->load_error);
	s->load_error = strdup(why);
	s->refused = true;
	if (!service_is_inactive(s))
		return;
	service_spec_free(s->spec);
	s->spec = NULL;
	/* Read again by the next reload, whatever it finds. */
	free(s->fingerprint);
	s->fingerprint = NULL;
	s->state = SERVICE_FAILED;
}

static int supervisor_build_graph(struct supervisor *sup)
{
	char cycle[1024];
	int r;

	/* Whether a unit is in a cycle is decided anew: a reload may have broken it. */
	for (size_t i = 0; i < sup->count; i++) {
		struct service *s = sup->services[i];
		if (s->refused && s->spec) {
			s->refused = false;
			free(s->load_error);
			s->load_error = NULL;
		}
	}
	for (;;) {
		struct deps *deps;

		r = deps_new(&deps);
		if (r < 0)
			return r;
		for (size_t i = 0; i < sup->count && r >= 0; i++) {
			const struct service *s = sup->services[i];
			const struct service_spec *spec = s->spec;

			r = deps_add_unit(deps, s->name);
			if (r < 0 || !spec || s->refused)
				continue;
			r = deps_add_list(deps, s->name, DEPS_AFTER, spec->after);
			if (r >= 0)
				r = deps_add_list(deps, s->name, DEPS_BEFORE, spec->before);
			if (r >= 0)
				r = deps_add_list(deps, s->name, DEPS_REQUIRES, spec->requires);
			if (r >= 0)
				r = deps_add_list(deps, s->name, DEPS_WANTS, spec->wants);
			if (r >= 0)
				r = deps_add_list(deps, s->name, DEPS_BINDS_TO, spec->binds_to);
			if (r >= 0)
				r = deps_add_list(deps, s->name, DEPS_CONFLICTS, spec->conflicts);
		}
		if (r < 0) {
			deps_free(deps);
			return r;
		}
		r = deps_check_cycles(deps, cycle, sizeof(cycle));
		if (r == -ELOOP) {
			char why[1100];
			/* Every unit of the cycle is refused; the rest of the graph still runs. */
			snprintf(why, sizeof(why), "ordering cycle: %s", cycle);
			log_error("%s; not starting the units in it", why);
			for (size_t i = 0; i < sup->count; i++) {
				struct service *s = sup->services[i];
				size_t n = strlen(s->name);
				const char *p = cycle;
				while ((p = strstr(p, s->name))) {
					if ((p == cycle || p[-1] == ' ') &&
					    (p[n] == '\0' || p[n] == ' ')) {
						supervisor_refuse(s, why);
						break;
					}
					p += n;
				}
			}
			deps_free(deps);
			continue;
		}
		deps_free(sup->deps);
		sup->deps = deps;
		break;
	}
	free(sup->by_dep);
	sup->by_dep_count = deps_count(sup->deps);
	sup->by_dep = calloc(sup->by_dep_count ? sup->by_dep_count : 1, sizeof(*sup->by_dep));
	if (!sup->by_dep)
		return -ENOMEM;
	for (size_t i = 0; i < sup->count; i++) {
		struct service *s = sup->services[i];
		r = deps_find(sup->deps, s->name);
		if (r >= 0) {
			s->dep_index = (size_t)r;
			sup->by_dep[r] = s;
		}
	}
	for (size_t i = 0; i < sup->count; i++) {
		struct service *s = sup->services[i];
		if (s->refused && !service_is_inactive(s))
			supervisor_request_stop(sup, s);
	}
	return 0;
}

static void supervisor_warn_missing(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->count; i++) {
		const struct service *s = sup->services[i];
		if (!s->spec)
			continue;
		for (char **w = s->spec->wants; w && *w; w++)
			if (!supervisor_find(sup, *w))
				log_warning("%s: Wants=%s: no such unit, ignoring", s->name, *w);
		for (char **w = s->spec->requires; w && *w; w++)
			if (!supervisor_find(sup, *w))
				log_error("%s: Requires=%s: no such unit; %s will fail to start",
					  s->name, *w, s->name);
		for (char **w = s->spec->binds_to; w && *w; w++)
			if (!supervisor_find(sup, *w))
				log_error("%s: BindsTo=%s: no such unit; %s will fail to start",
					  s->name, *w, s->name);
	}
}

int supervisor_load(struct supervisor *sup)
{
	char **names;
	size_t n;
	int r = supervisor_list_dir(sup, &names, &n);

	if (r < 0)
		return log_error_errno(r, "cannot read the unit directory %s", sup->unit_dir);
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct service *s = NULL;
		r = supervisor_load_unit(sup, names[i], &s);
		/* A unit with a bad line is one failed unit; a file that cannot be read at all
		 * (a dangling link, a directory, no permission) makes the directory unusable,
		 * as a missing directory does. */
		if (r == -ENOENT) {
			log_error("%s/%s: cannot read: %s", sup->unit_dir, names[i],
				  strerror(ENOENT));
		} else if (r >= 0 && s->load_errno < 0 && s->load_errno != -EINVAL) {
			r = s->load_errno;
		}
	}
	free_names(names, n);
	if (r < 0)
		return r;
	if (r >= 0)
		r = supervisor_load_referenced(sup);
	if (r >= 0)
		r = supervisor_build_graph(sup);
	if (r < 0)
		return log_error_errno(r, "cannot load the units of %s", sup->unit_dir);
	supervisor_warn_missing(sup);
	/* which socket activation fds the services take, before the main command starts */
	for (size_t i = 0; i < sup->count; i++)
		if (sup->services[i]->spec)
			activation_claim(sup->services[i]->name, sup->services[i]->spec->sockets);
	if (sup->count == 0)
		log_warning("no *.service units in %s", sup->unit_dir);
	else
		log_info("loaded %zu units from %s", sup->count, sup->unit_dir);
	return 0;
}

/* ---- jobs ------------------------------------------------------------------------------- */

static void supervisor_dispatch(struct supervisor *sup);

static void supervisor_request_start(struct supervisor *sup, struct service *s);

static int pull_started(size_t other, void *data)
{
	struct supervisor *sup = data;
	struct service *o = supervisor_dep_service(sup, other);

	if (o)
		supervisor_request_start(sup, o);
	return 0;
}

static int push_stopped(size_t other, void *data)
{
	struct supervisor *sup = data;
	struct service *o = supervisor_dep_service(sup, other);

	/* One still waiting for its ordering fails on the missing requirement instead. */
	if (o && !service_is_inactive(o) &&
	    !(o->state == SERVICE_WAITING && o->job == SERVICE_JOB_START))
		supervisor_request_stop(sup, o);
	return 0;
}

static int push_restarted(size_t other, void *data)
{
	struct supervisor *sup = data;
	struct service *o = supervisor_dep_service(sup, other);

	if (o && o->spec && (service_is_active(o) || service_is_activating(o)) &&
	    o->job == SERVICE_JOB_NONE) {
		o->job = SERVICE_JOB_RESTART;
		o->stop_requested = true;
		sup->dirty = true;
	}
	return 0;
}

static void supervisor_request_start(struct supervisor *sup, struct service *s)
{
	if (s->job == SERVICE_JOB_START || s->job == SERVICE_JOB_RESTART)
		return;
	if (!s->spec || s->refused || (s->load_error && service_is_inactive(s))) {
		/* Not startable: whoever waits for this start hears so now. */
		supervisor_finish_waiters(sup, s, false, false, true);
		return;
	}
	/* Stopping on its own: start it again once it is down. */
	if (service_is_deactivating(s) && s->job == SERVICE_JOB_NONE) {
		s->job = SERVICE_JOB_RESTART;
		sup->dirty = true;
		return;
	}
	/* A start queued behind a stop makes a restart, as systemd merges the two jobs. */
	if (s->job == SERVICE_JOB_STOP && !service_is_inactive(s)) {
		s->job = SERVICE_JOB_RESTART;
		sup->dirty = true;
		return;
	}
	if (service_is_active(s) && s->job == SERVICE_JOB_NONE)
		return;
	s->job = SERVICE_JOB_START;
	s->stop_requested = false;
	/* Requires=, Wants=, BindsTo= start with it; Conflicts= stop. */
	(void)deps_foreach(sup->deps, s->dep_index, DEPS_REQUIRES, pull_started, sup);
	(void)deps_foreach(sup->deps, s->dep_index, DEPS_WANTS, pull_started, sup);
	(void)deps_foreach(sup->deps, s->dep_index, DEPS_BINDS_TO, pull_started, sup);
	(void)deps_foreach(sup->deps, s->dep_index, DEPS_CONFLICTS, push_stopped, sup);
	/* The dispatcher moves it once every job of this request is known. */
	sup->dirty = true;
}

static void supervisor_request_stop(struct supervisor *sup, struct service *s)
{
	if (s->job == SERVICE_JOB_STOP)
		return;
	/* The stop replaces a start (or restart): whoever waits for that start learns it was
	 * canceled. */
	if (s->job == SERVICE_JOB_START || s->job == SERVICE_JOB_RESTART)
		supervisor_cancel_start_waiters(sup, s);
	s->job = SERVICE_JOB_STOP;
	s->stop_requested = true;
	/* What Requires= or BindsTo= it goes down with it. */
	(void)deps_foreach_affected(sup->deps, s->dep_index, true, push_stopped, sup);
	sup->dirty = true;
}

/* A unit ordered after s (s Before= it) still starting keeps nothing back, but one that must
 * stop first does: stop jobs run in reverse start order. */
static int blocks_stop(size_t other, void *data)
{
	struct supervisor *sup = ((void **)data)[0];
	struct service *o = supervisor_dep_service(sup, other);

	if (o && !service_is_inactive(o) &&
	    (o->job == SERVICE_JOB_STOP || o->job == SERVICE_JOB_RESTART ||
	     service_is_deactivating(o)))
		return -EBUSY;
	return 0;
}

/* Units s is ordered after must have finished starting (or given up) first. */
static int blocks_start(size_t other, void *data)
{
	struct supervisor *sup = ((void **)data)[0];
	struct service *o = supervisor_dep_service(sup, other);

	/* Ordering applies to every job: a unit being stopped or restarted first finishes. */
	if (o && o->job != SERVICE_JOB_NONE)
		return -EBUSY;
	if (o && ((service_is_activating(o) && o->state != SERVICE_AUTO_RESTART) ||
		  service_is_deactivating(o)))
		return -EBUSY;
	return 0;
}

static int requirement_missing(size_t other, void *data)
{
	struct supervisor *sup = ((void **)data)[0];
	struct service *o = supervisor_dep_service(sup, other);

	if (!o || !o->spec)
		return -ENOENT;
	/* Started in parallel (no After=) is fine; finished starting and not up is not. */
	if (o->job != SERVICE_JOB_START && !service_is_active(o) && !service_is_activating(o) &&
	    !(o->state == SERVICE_DEAD && o->result == SERVICE_SUCCESS &&
	      o->spec->type == SPEC_TYPE_ONESHOT))
		return -ESRCH;
	return 0;
}

static void supervisor_dispatch_one(struct supervisor *sup, struct service *s)
{
	void *ctx[1] = { sup };

	switch (s->job) {
	case SERVICE_JOB_START:
		/* Queued now, or while it was still stopping; a pending restart goes now. */
		if (service_is_inactive(s) || s->state == SERVICE_AUTO_RESTART)
			service_dispatch(s, SERVICE_EV_START);
		if (s->state != SERVICE_WAITING)
			return;
		if (deps_foreach(sup->deps, s->dep_index, DEPS_AFTER, blocks_start, ctx) < 0)
			return;
		if (deps_foreach(sup->deps, s->dep_index, DEPS_REQUIRES, requirement_missing, ctx) <
			    0 ||
		    deps_foreach(sup->deps, s->dep_index, DEPS_BINDS_TO, requirement_missing, ctx) <
			    0) {
			service_dispatch(s, SERVICE_EV_DEP_FAILED);
			return;
		}
		service_dispatch(s, SERVICE_EV_GO);
		return;
	case SERVICE_JOB_STOP:
	case SERVICE_JOB_RESTART:
		if (service_is_inactive(s) || service_is_deactivating(s))
			return;
		if (deps_foreach(sup->deps, s->dep_index, DEPS_BEFORE, blocks_stop, ctx) < 0)
			return;
		service_dispatch(s, SERVICE_EV_STOP);
		return;
	case SERVICE_JOB_NONE:
		return;
	}
}

static void supervisor_dispatch(struct supervisor *sup)
{
	if (sup->dispatching) {
		sup->dirty = true;
		return;
	}
	sup->dispatching = true;
	do {
		sup->dirty = false;
		for (size_t i = 0; i < sup->count; i++)
			supervisor_dispatch_one(sup, sup->services[i]);
	} while (sup->dirty);
	sup->dispatching = false;
}

/* ---- control clients waiting for jobs ---------------------------------------------------- */

static void supervisor_finish_waiters(struct supervisor *sup, struct service *s, bool done_ok,
				      bool stop_done, bool start_done)
{
	struct pending_job **p = &sup->jobs;

	while (*p) {
		struct pending_job *job = *p;
		bool finished = false;

		if (job->service == s) {
			if (job->reload)
				finished = s->state != SERVICE_RELOAD;
			else if (job->job == SERVICE_JOB_STOP)
				finished = stop_done;
			else
				finished = start_done;
		}
		if (!finished) {
			p = &job->next;
			continue;
		}
		*p = job->next;
		if (job->job != SERVICE_JOB_STOP && !done_ok) {
			job->waiter->failed = true;
			if (sup->canceling)
				control_request_printf(job->waiter->request,
						       "Job for %s canceled.\n", s->name);
			else
				control_request_printf(job->waiter->request,
						       "Job for %s failed (result '%s'). See "
						       "\"cinit ctl status %s\".\n",
						       s->name, service_result_name(s->result),
						       s->name);
		}
		if (--job->waiter->pending == 0) {
			control_request_reply(job->waiter->request, job->waiter->failed
									    ? CONTROL_EXIT_FAILED
									    : CONTROL_EXIT_OK);
			free(job->waiter);
		}
		free(job);
	}
}

/* A start that a stop has replaced: its clients are told it was canceled. */
static void supervisor_cancel_start_waiters(struct supervisor *sup, struct service *s)
{
	sup->canceling = true;
	supervisor_finish_waiters(sup, s, false, false, true);
	sup->canceling = false;
}

static void supervisor_drop_waiters_of(struct supervisor *sup, struct service *s)
{
	supervisor_finish_waiters(sup, s, false, true, true);
}

/* ---- reactions to state changes --------------------------------------------------------- */

static void supervisor_check_all_started(struct supervisor *sup)
{
	unsigned active, failed, total;
	char message[128];

	if (!sup->starting || sup->all_started_sent || sup->shutting_down)
		return;
	for (size_t i = 0; i < sup->count; i++)
		if (sup->services[i]->job == SERVICE_JOB_START)
			return;
	sup->all_started_sent = true;
	supervisor_counts(sup, &active, &failed, &total);
	snprintf(message, sizeof(message), "%u of %u services active, %u failed", active, total,
		 failed);
	log_info("startup finished: %s", message);
	if (sup->config.on_event)
		sup->config.on_event(SUPERVISOR_ALL_STARTED, 0, sup->config.data);
}

static int supervisor_on_gc(struct loop *loop, void *data);

static void supervisor_check_all_stopped(struct supervisor *sup)
{
	if (!sup->shutting_down || sup->all_stopped_sent)
		return;
	for (size_t i = 0; i < sup->count; i++)
		if (!service_is_inactive(sup->services[i]))
			return;
	sup->all_stopped_sent = true;
	log_info("all services stopped");
	if (sup->config.on_event)
		sup->config.on_event(SUPERVISOR_ALL_STOPPED, 0, sup->config.data);
}

static void supervisor_action(struct supervisor *sup, struct service *s, bool failure)
{
	enum spec_action action = failure ? s->spec->failure_action : s->spec->success_action;
	int status =
		failure ? s->spec->failure_action_exit_status : s->spec->success_action_exit_status;

	if (action != SPEC_ACTION_EXIT || sup->shutting_down)
		return;
	/* systemd: the main process's exit status unless one is configured. */
	if (status == SPEC_UNSET)
		status = s->main_known || s->main_exited ? s->last_exit_status : (failure ? 1 : 0);
	log_info("%s: %s, %sAction=exit: ending with status %d", s->name,
		 failure ? "failed" : "finished", failure ? "Failure" : "Success", status);
	if (sup->config.on_event)
		sup->config.on_event(SUPERVISOR_EXIT, status, sup->config.data);
}

void supervisor_on_service_state(struct supervisor *sup, struct service *s, int old_state)
{
	enum service_state old = (enum service_state)old_state;
	bool inactive = service_is_inactive(s);

	/* A start job is over once the unit is up, or has given up (a restart pending counts:
	 * a crashing service must not hold the others back). */
	if (s->job == SERVICE_JOB_START &&
	    (service_is_active(s) || inactive || s->state == SERVICE_AUTO_RESTART ||
	     (service_is_deactivating(s) &&
	      (old == SERVICE_START_PRE || old == SERVICE_START || old == SERVICE_START_POST)))) {
		/* Dependents ordered after it and waiting fail on the missing requirement when
		 * the dispatcher looks at them; ones started beside it (no After=) keep running,
		 * as in systemd. */
		bool ok = service_is_active(s) || s->result == SERVICE_SUCCESS;
		s->job = SERVICE_JOB_NONE;
		supervisor_finish_waiters(sup, s, ok, false, true);
	}
	/* An automatic restart goes through the dispatcher like any start. */
	if (old == SERVICE_AUTO_RESTART && s->state == SERVICE_WAITING &&
	    s->job == SERVICE_JOB_NONE) {
		s->job = SERVICE_JOB_START;
		sup->dirty = true;
	}
	/* An automatic restart is pending: a start asked for meanwhile is that restart. */
	if (s->state == SERVICE_AUTO_RESTART && s->job == SERVICE_JOB_RESTART)
		s->job = SERVICE_JOB_START;
	if (old == SERVICE_RELOAD && s->state != SERVICE_RELOAD)
		supervisor_finish_waiters(sup, s, !s->reload_failed, false, false);

	if (inactive) {
		if (s->job == SERVICE_JOB_STOP) {
			s->job = SERVICE_JOB_NONE;
			supervisor_finish_waiters(sup, s, true, true, false);
		} else if (s->job == SERVICE_JOB_RESTART && !s->next_spec) {
			supervisor_finish_waiters(sup, s, true, true, false);
			s->job = SERVICE_JOB_NONE;
			if (!sup->shutting_down) {
				s->restarts = 0;
				supervisor_request_start(sup, s);
			}
		}
		/* Gone on its own (ended, failed, gave up restarting): BindsTo= dependents
		 * follow it. */
		if (!s->stop_requested)
			(void)deps_foreach_affected(sup->deps, s->dep_index, false, push_stopped,
						    sup);
		/* A changed or removed unit is swapped or dropped outside of its own callbacks. */
		if ((s->next_spec || s->removed || (s->refused && s->spec)) && !sup->gc_timer)
			(void)loop_timer_start(sup->config.loop, 0, supervisor_on_gc, sup,
					       &sup->gc_timer);
		if (s->state == SERVICE_FAILED)
			supervisor_action(sup, s, true);
		else if (s->state == SERVICE_DEAD && s->result == SERVICE_SUCCESS &&
			 old != SERVICE_WAITING && !s->stop_requested)
			supervisor_action(sup, s, false);
	}
	sup->dirty = true;
	supervisor_dispatch(sup);
	supervisor_check_all_started(sup);
	supervisor_check_all_stopped(sup);
}

/* ---- notify ----------------------------------------------------------------------------- */

/* The service a pid belongs to: its main or control process, its process groups, or (with
 * cgroups) the cgroup the kernel says it is in. */
static struct service *supervisor_find_by_pid(struct supervisor *sup, pid_t pid)
{
	pid_t pgid = getpgid(pid);
	char path[64], buf[512];

	for (size_t i = 0; i < sup->count; i++)
		if (sup->services[i]->spec && service_owns_pid(sup->services[i], pid, pgid))
			return sup->services[i];
	if (!sup->config.cgroup_root)
		return NULL;
	snprintf(path, sizeof(path), PROC_CGROUP, (int)pid);
	if (util_read_file(path, buf, sizeof(buf)) < 0)
		return NULL;
	/* "0::/a/b/web.service": the last component names the service. */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "0::", 3) == 0) {
			const char *last = strrchr(line, '/');
			return last ? supervisor_find(sup, last + 1) : NULL;
		}
	}
	return NULL;
}

static int supervisor_on_notify(const struct notify_message *m, void *data)
{
	struct supervisor *sup = data;
	struct service *s = supervisor_find_by_pid(sup, m->pid);

	if (!s) {
		log_debug("notification from process %d, which belongs to no service; ignored",
			  (int)m->pid);
		return 0;
	}
	service_on_notify(s, m);
	supervisor_dispatch(sup);
	return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

int supervisor_new(const struct supervisor_config *config, struct supervisor **ret)
{
	struct supervisor *sup = calloc(1, sizeof(*sup));
	int r;

	if (!sup)
		return -ENOMEM;
	sup->config = *config;
	sup->unit_dir = strdup(config->unit_dir);
	if (!sup->unit_dir) {
		free(sup);
		return -ENOMEM;
	}
	sup->config.unit_dir = sup->unit_dir;
	if (config->notify_path) {
		r = notify_server_new(config->loop, config->notify_path, supervisor_on_notify, sup,
				      &sup->notify);
		if (r < 0) {
			log_warning_errno(r, "cannot listen on %s; Type=notify services will fail",
					  config->notify_path);
			sup->config.notify_path = NULL;
		}
	}
	*ret = sup;
	return 0;
}

void supervisor_free(struct supervisor *sup)
{
	if (!sup)
		return;
	while (sup->jobs) {
		struct pending_job *job = sup->jobs;
		sup->jobs = job->next;
		if (--job->waiter->pending == 0) {
			control_request_reply(job->waiter->request, CONTROL_EXIT_FAILED);
			free(job->waiter);
		}
		free(job);
	}
	loop_timer_cancel(sup->config.loop, sup->gc_timer);
	for (size_t i = 0; i < sup->count; i++)
		service_free(sup->services[i]);
	free(sup->services);
	free(sup->by_dep);
	deps_free(sup->deps);
	notify_server_free(sup->notify);
	free(sup->unit_dir);
	free(sup);
}

int supervisor_start_all(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->count; i++)
		supervisor_request_start(sup, sup->services[i]);
	sup->starting = true;
	supervisor_dispatch(sup);
	supervisor_check_all_started(sup);
	return 0;
}

void supervisor_stop_all(struct supervisor *sup)
{
	if (sup->shutting_down)
		return;
	sup->shutting_down = true;
	for (size_t i = 0; i < sup->count; i++) {
		struct service *s = sup->services[i];
		if (s->job == SERVICE_JOB_START || s->job == SERVICE_JOB_RESTART)
			supervisor_cancel_start_waiters(sup, s);
		if (!service_is_inactive(s)) {
			s->job = SERVICE_JOB_STOP;
			s->stop_requested = true;
		} else {
			s->job = SERVICE_JOB_NONE;
		}
	}
	supervisor_dispatch(sup);
	supervisor_check_all_stopped(sup);
}

void supervisor_kill_all(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->count; i++)
		(void)service_kill(sup->services[i], SIGKILL);
}

void supervisor_after_reap(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->count; i++)
		service_check_empty(sup->services[i]);
	supervisor_dispatch(sup);
}

void supervisor_counts(const struct supervisor *sup, unsigned *active, unsigned *failed,
		       unsigned *total)
{
	*active = *failed = 0;
	*total = (unsigned)sup->count;
	for (size_t i = 0; i < sup->count; i++) {
		const struct service *s = sup->services[i];
		if (service_is_active(s) ||
		    (s->state == SERVICE_DEAD && s->result == SERVICE_SUCCESS && s->spec &&
		     s->spec->type == SPEC_TYPE_ONESHOT && s->main_exited))
			(*active)++;
		else if (s->state == SERVICE_FAILED || s->state == SERVICE_AUTO_RESTART)
			(*failed)++;
	}
}

/* ---- reload of the unit directory ------------------------------------------------------- */

static void supervisor_remove(struct supervisor *sup, size_t index)
{
	struct service *s = sup->services[index];

	supervisor_drop_waiters_of(sup, s);
	service_free(s);
	memmove(sup->services + index, sup->services + index + 1,
		(sup->count - index - 1) * sizeof(*sup->services));
	sup->count--;
}

/* Applies reloads and removals to services that have become inactive (never from inside a
 * service's own callbacks: this runs from a timer). */
static int supervisor_on_gc(struct loop *loop, void *data)
{
	struct supervisor *sup = data;
	bool changed = false;

	(void)loop;
	sup->gc_timer = NULL;
	for (size_t i = sup->count; i-- > 0;) {
		struct service *s = sup->services[i];
		if (!service_is_inactive(s) ||
		    (s->job != SERVICE_JOB_NONE && s->job != SERVICE_JOB_RESTART))
			continue;
		if (s->removed) {
			log_info("%s: removed", s->name);
			supervisor_remove(sup, i);
			changed = true;
		} else if (s->refused && s->spec) {
			/* Stopped now: it is failed to load, as it would be at start-up. */
			service_spec_free(s->spec);
			s->spec = NULL;
			free(s->fingerprint);
			s->fingerprint = NULL;
			s->state = SERVICE_FAILED;
		} else if (s->next_spec) {
			service_spec_free(s->spec);
			free(s->fingerprint);
			free(s->load_error);
			s->load_error = NULL;
			s->spec = s->next_spec;
			s->fingerprint = s->next_fingerprint;
			s->next_spec = NULL;
			s->next_fingerprint = NULL;
			s->refused = false;
			/* Restarted if it was running or had failed; left alone if stopped. */
			if (!sup->shutting_down &&
			    (s->job == SERVICE_JOB_RESTART || s->state == SERVICE_FAILED))
				s->job = SERVICE_JOB_RESTART;
			else
				s->job = SERVICE_JOB_NONE;
			s->state = SERVICE_DEAD;
			s->result = SERVICE_SUCCESS;
			s->restarts = 0;
			s->start_count = 0;
			free(s->start_times);
			s->start_times = NULL;
			changed = true;
		}
	}
	if (changed) {
		int r = supervisor_build_graph(sup);
		if (r < 0)
			log_error_errno(r, "cannot rebuild the dependency graph");
		for (size_t i = 0; i < sup->count; i++) {
			struct service *s = sup->services[i];
			if (s->job == SERVICE_JOB_RESTART && service_is_inactive(s)) {
				s->job = SERVICE_JOB_NONE;
				supervisor_request_start(sup, s);
			}
		}
		supervisor_dispatch(sup);
	}
	supervisor_check_all_stopped(sup);
	return 0;
}

struct reload_counts {
	unsigned added, removed, changed;
};

static int supervisor_reload(struct supervisor *sup, struct reload_counts *counts)
{
	char **names;
	size_t n;
	int r = supervisor_list_dir(sup, &names, &n);
	size_t first_new = sup->count;

	*counts = (struct reload_counts){ 0 };
	if (r < 0)
		return log_error_errno(r, "cannot read the unit directory %s", sup->unit_dir);
	for (size_t i = 0; i < sup->count; i++)
		sup->services[i]->removed = true;
	for (size_t i = 0; i < n; i++) {
		struct service *s = supervisor_find(sup, names[i]);
		struct service_spec *spec;
		char *fingerprint, *error;

		if (!s) {
			r = supervisor_load_unit(sup, names[i], &s);
			if (r == 0)
				counts->added++;
			continue;
		}
		s->removed = false;
		r = supervisor_read_unit(sup, names[i], &spec, &fingerprint, &error);
		if (r == -ENOENT) {
			s->removed = true;
			continue;
		}
		if (r < 0 && !error)
			continue;
		if (s->fingerprint && fingerprint && strcmp(s->fingerprint, fingerprint) == 0) {
			/* Back to what runs: an error a reload found in between no longer holds. */
			if (s->spec && !s->refused) {
				free(s->load_error);
				s->load_error = NULL;
				service_spec_free(s->next_spec);
				s->next_spec = NULL;
				free(s->next_fingerprint);
				s->next_fingerprint = NULL;
			}
			service_spec_free(spec);
			free(fingerprint);
			free(error);
			continue;
		}
		counts->changed++;
		if (!spec) {
			/* Now broken: as systemd, a running unit keeps running on what it was
			 * started with and reports the error; it is not started again. */
			free(s->load_error);
			s->load_error = error;
			free(fingerprint);
			continue;
		}
		free(error);
		service_spec_free(s->next_spec);
		free(s->next_fingerprint);
		s->next_spec = spec;
		s->next_fingerprint = fingerprint;
		if (!s->spec || service_is_inactive(s))
			continue;
		supervisor_request_stop(sup, s);
		s->job = SERVICE_JOB_RESTART;
	}
	free_names(names, n);
	/* Instances (loaded by reference) are kept while something still names them. */
	for (size_t i = 0; i < sup->count; i++) {
		struct service *s = sup->services[i];
		if (s->removed && strchr(s->name, '@'))
			s->removed = false;
	}
	for (size_t i = 0; i < first_new; i++) {
		struct service *s = sup->services[i];
		if (!s->removed)
			continue;
		counts->removed++;
		if (!service_is_inactive(s))
			supervisor_request_stop(sup, s);
	}
	r = supervisor_load_referenced(sup);
	if (r >= 0)
		r = supervisor_build_graph(sup);
	if (r < 0)
		return log_error_errno(r, "cannot reload the units of %s", sup->unit_dir);
	for (size_t i = first_new; i < sup->count; i++)
		if (!sup->shutting_down)
			supervisor_request_start(sup, sup->services[i]);
	log_info("reloaded %s: %u added, %u removed, %u changed", sup->unit_dir, counts->added,
		 counts->removed, counts->changed);
	supervisor_dispatch(sup);
	if (!sup->gc_timer)
		(void)loop_timer_start(sup->config.loop, 0, supervisor_on_gc, sup, &sup->gc_timer);
	return 0;
}

int supervisor_reload_units(struct supervisor *sup)
{
	struct reload_counts counts;

	return supervisor_reload(sup, &counts);
}

/* ---- cinit ctl -------------------------------------------------------------------------- */

static void json_string(struct control_request *req, const char *text)
{
	control_request_printf(req, "\"");
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			control_request_printf(req, "\\%c", *p);
		else if (*p < 0x20)
			control_request_printf(req, "\\u%04x", *p);
		else
			control_request_printf(req, "%c", *p);
	}
	control_request_printf(req, "\"");
}

static const char *service_load_state(const struct service *s)
{
	if (s->removed)
		return "not-found";
	return s->spec ? "loaded" : "error";
}

static const char *service_description(const struct service *s)
{
	return s->spec && s->spec->description ? s->spec->description : "";
}

static void status_json(struct control_request *req, const struct service *s)
{
	uint64_t now = util_now_usec(CLOCK_MONOTONIC);

	control_request_printf(req, "{\"name\":");
	json_string(req, s->name);
	control_request_printf(req, ",\"description\":");
	json_string(req, service_description(s));
	control_request_printf(req, ",\"load\":\"%s\",\"active\":\"%s\",\"sub\":\"%s\"",
			       service_load_state(s), service_active_state(s),
			       service_state_name(s->state));
	control_request_printf(req, ",\"result\":\"%s\",\"main_pid\":%d,\"restarts\":%u",
			       service_result_name(s->result), (int)s->main_pid, s->restarts);
	control_request_printf(req, ",\"since_seconds\":%llu",
			       (unsigned long long)((now - s->state_since_usec) / USEC_PER_SEC));
	control_request_printf(req, ",\"status\":");
	if (s->status_text)
		json_string(req, s->status_text);
	else
		control_request_printf(req, "null");
	control_request_printf(req, ",\"errno\":%d,\"error\":", s->notify_errno);
	if (s->load_error)
		json_string(req, s->load_error);
	else
		control_request_printf(req, "null");
	control_request_printf(req, "}");
}

static void status_text(struct control_request *req, const struct service *s)
{
	uint64_t now = util_now_usec(CLOCK_MONOTONIC);
	const char *desc = service_description(s);

	control_request_printf(req, "%s %s%s%s\n", service_is_active(s) ? "*" : "o", s->name,
			       desc[0] ? " - " : "", desc);
	control_request_printf(req, "     Loaded: %s\n", service_load_state(s));
	if (s->load_error)
		control_request_printf(req, "      Error: %s\n", s->load_error);
	control_request_printf(req, "     Active: %s (%s)", service_active_state(s),
			       service_state_name(s->state));
	if (s->result != SERVICE_SUCCESS)
		control_request_printf(req, " result '%s'", service_result_name(s->result));
	control_request_printf(req, " for %llus\n",
			       (unsigned long long)((now - s->state_since_usec) / USEC_PER_SEC));
	if (s->main_pid > 0)
		control_request_printf(req, "   Main PID: %d\n", (int)s->main_pid);
	else if (s->main_exited)
		control_request_printf(req, "   Main PID: exited, status=%d\n",
				       s->last_exit_status);
	if (s->restarts)
		control_request_printf(req, "   Restarts: %u\n", s->restarts);
	if (s->status_text)
		control_request_printf(req, "     Status: \"%s\"\n", s->status_text);
	if (s->notify_errno > 0)
		control_request_printf(req, "      Error: %d (%s)\n", s->notify_errno,
				       strerror(s->notify_errno));
}

static int ctl_status(struct supervisor *sup, struct control_request *req, int argc, char **argv)
{
	bool json = false, any = false;
	int status = CONTROL_EXIT_OK, names = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			names++;
	}
	if (json)
		control_request_printf(req, "[");
	for (int i = 1; i < argc || (names == 0 && i == 1); i++) {
		if (names > 0 && strcmp(argv[i], "--json") == 0)
			continue;
		for (size_t k = 0; k < sup->count; k++) {
			const struct service *s = sup->services[k];
			if (names > 0 && strcmp(s->name, argv[i]) != 0 &&
			    strcmp(s->short_name, argv[i]) != 0)
				continue;
			if (json) {
				if (any)
					control_request_printf(req, ",");
				status_json(req, s);
			} else {
				if (any)
					control_request_printf(req, "\n");
				status_text(req, s);
			}
			any = true;
			if (names > 0 && !service_is_active(s) && status == CONTROL_EXIT_OK)
				status = CONTROL_EXIT_INACTIVE;
			if (names > 0)
				goto next;
		}
		if (names > 0) {
			if (!json)
				control_request_printf(req, "Unit %s could not be found.\n",
						       argv[i]);
			status = CONTROL_EXIT_NO_UNIT;
		}
	next:;
		if (names == 0)
			break;
	}
	if (json)
		control_request_printf(req, "]\n");
	return status;
}

static int ctl_list_units(struct supervisor *sup, struct control_request *req)
{
	unsigned active, failed, total;

	control_request_printf(req, "%-32s %-9s %-12s %-13s %s\n", "UNIT", "LOAD", "ACTIVE", "SUB",
			       "DESCRIPTION");
	for (size_t i = 0; i < sup->count; i++) {
		const struct service *s = sup->services[i];
		control_request_printf(req, "%-32s %-9s %-12s %-13s %s\n", s->name,
				       service_load_state(s), service_active_state(s),
				       service_state_name(s->state), service_description(s));
	}
	supervisor_counts(sup, &active, &failed, &total);
	control_request_printf(req, "\n%u units listed: %u active, %u failed.\n", total, active,
			       failed);
	return CONTROL_EXIT_OK;
}

static struct service *ctl_lookup(struct supervisor *sup, const char *name)
{
	struct service *s = supervisor_find(sup, name);
	char full[300];

	if (s || strchr(name, '.'))
		return s;
	snprintf(full, sizeof(full), "%s" UNIT_SUFFIX, name);
	return supervisor_find(sup, full);
}

static int ctl_kill(struct supervisor *sup, struct control_request *req, int argc, char **argv)
{
	int sig = SIGTERM, first = 1, status = CONTROL_EXIT_OK;

	if (argc > 2 && (strcmp(argv[1], "-s") == 0 || strcmp(argv[1], "--signal") == 0)) {
		if (value_parse_signal(argv[2], &sig) < 0) {
			control_request_printf(req, "kill: -s: \"%s\" is not a signal\n", argv[2]);
			return CONTROL_EXIT_USAGE;
		}
		first = 3;
	}
	if (first >= argc) {
		control_request_printf(req, "kill: which unit?\n");
		return CONTROL_EXIT_USAGE;
	}
	for (int i = first; i < argc; i++) {
		struct service *s = ctl_lookup(sup, argv[i]);
		int n;
		if (!s) {
			control_request_printf(req, "Unit %s could not be found.\n", argv[i]);
			status = CONTROL_EXIT_NO_UNIT;
			continue;
		}
		n = service_kill(s, sig);
		if (n < 0) {
			control_request_printf(req, "%s: %s\n", s->name, strerror(-n));
			status = CONTROL_EXIT_FAILED;
		} else {
			control_request_printf(req, "%s: signalled %d processes\n", s->name, n);
		}
	}
	return status;
}

/* start, stop, restart, reload: reply once every named unit's job has finished. */
static void ctl_job(struct supervisor *sup, struct control_request *req, int argc, char **argv)
{
	const char *verb = argv[0];
	bool reload = strcmp(verb, "reload") == 0;
	struct waiter *waiter;
	int status = CONTROL_EXIT_OK;

	if (argc < 2) {
		control_request_printf(req, "%s: which unit?\n", verb);
		control_request_reply(req, CONTROL_EXIT_USAGE);
		return;
	}
	if (sup->shutting_down) {
		control_request_printf(req, "%s: cinit is shutting down\n", verb);
		control_request_reply(req, CONTROL_EXIT_FAILED);
		return;
	}
	for (int i = 1; i < argc; i++) {
		struct service *s = ctl_lookup(sup, argv[i]);
		if (!s) {
			control_request_printf(req, "Unit %s could not be found.\n", argv[i]);
			status = CONTROL_EXIT_NO_UNIT;
		} else if ((!s->spec || s->refused ||
			    (s->load_error &&
			     (!service_is_active(s) || strcmp(verb, "restart") == 0))) &&
			   strcmp(verb, "stop") != 0 && strcmp(verb, "kill") != 0 && !reload) {
			control_request_printf(req, "%s: %s\n", s->name, s->load_error);
			status = CONTROL_EXIT_FAILED;
		} else if (reload && !service_is_active(s)) {
			control_request_printf(req, "%s: not active, cannot reload\n", s->name);
			status = CONTROL_EXIT_INACTIVE;
		} else if (reload && s->spec->exec_reload.count == 0) {
			control_request_printf(
				req, "%s: reload is not supported (no ExecReload=)\n", s->name);
			status = CONTROL_EXIT_FAILED;
		}
	}
	if (status != CONTROL_EXIT_OK) {
		control_request_reply(req, status);
		return;
	}
	waiter = calloc(1, sizeof(*waiter));
	if (!waiter) {
		control_request_reply(req, CONTROL_EXIT_FAILED);
		return;
	}
	waiter->request = req;
	waiter->pending = 1; /* held until every job is queued */
	for (int i = 1; i < argc; i++) {
		struct service *s = ctl_lookup(sup, argv[i]);
		struct pending_job *job = calloc(1, sizeof(*job));

		if (!job)
			continue;
		job->waiter = waiter;
		job->service = s;
		job->reload = reload;
		if (strcmp(verb, "stop") == 0) {
			job->job = SERVICE_JOB_STOP;
			if (service_is_inactive(s)) {
				free(job);
				continue;
			}
			supervisor_request_stop(sup, s);
		} else if (strcmp(verb, "start") == 0) {
			job->job = SERVICE_JOB_START;
			if (service_is_active(s) && s->job == SERVICE_JOB_NONE) {
				free(job);
				continue;
			}
			s->restarts = 0;
			supervisor_request_start(sup, s);
		} else if (reload) {
			job->job = SERVICE_JOB_NONE;
		} else { /* restart */
			job->job = SERVICE_JOB_START;
			s->restarts = 0;
			if (service_is_inactive(s) || s->state == SERVICE_AUTO_RESTART ||
			    s->state == SERVICE_WAITING) {
				supervisor_request_start(sup, s);
			} else {
				s->job = SERVICE_JOB_RESTART;
				s->stop_requested = true;
				/* What Requires= it restarts with it, as systemd does. */
				(void)deps_foreach_affected(sup->deps, s->dep_index, true,
							    push_restarted, sup);
			}
		}
		waiter->pending++;
		job->next = sup->jobs;
		sup->jobs = job;
		if (reload)
			service_dispatch(s, SERVICE_EV_RELOAD);
	}
	supervisor_dispatch(sup);
	if (--waiter->pending == 0) {
		control_request_reply(req, waiter->failed ? CONTROL_EXIT_FAILED : CONTROL_EXIT_OK);
		free(waiter);
	}
}

void supervisor_control(struct control_request *req, int argc, char **argv, void *data)
{
	struct supervisor *sup = data;
	const char *verb = argc > 0 ? argv[0] : "";

	if (strcmp(verb, "status") == 0) {
		control_request_reply(req, ctl_status(sup, req, argc, argv));
	} else if (strcmp(verb, "list-units") == 0) {
		control_request_reply(req, ctl_list_units(sup, req));
	} else if (strcmp(verb, "kill") == 0) {
		control_request_reply(req, ctl_kill(sup, req, argc, argv));
	} else if (strcmp(verb, "reload-units") == 0) {
		struct reload_counts counts;
		int r = supervisor_reload(sup, &counts);
		if (r < 0) {
			control_request_printf(req, "cannot read %s: %s\n", sup->unit_dir,
					       strerror(-r));
			control_request_reply(req, CONTROL_EXIT_FAILED);
			return;
		}
		control_request_printf(req, "%u added, %u removed, %u changed\n", counts.added,
				       counts.removed, counts.changed);
		control_request_reply(req, CONTROL_EXIT_OK);
	} else if (strcmp(verb, "start") == 0 || strcmp(verb, "stop") == 0 ||
		   strcmp(verb, "restart") == 0 || strcmp(verb, "reload") == 0) {
		ctl_job(sup, req, argc, argv);
	} else {
		control_request_printf(req,
				       "unknown command \"%s\" (status, start, stop, restart, "
				       "reload, kill, list-units, reload-units)\n",
				       verb);
		control_request_reply(req, CONTROL_EXIT_USAGE);
	}
}
