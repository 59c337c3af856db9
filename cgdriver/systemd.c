/* The systemd backend: on a host whose PID 1 is systemd, the container's cgroup is a transient
 * scope unit, claunch-NAME.scope in the slice PARENT (claunch.slice), that systemd creates and
 * owns. claunch talks to systemd on its private bus (/run/systemd/private, root only, no
 * dbus-daemon in the way) with libsystemd's sd-bus, which is loaded with dlopen() the first time
 * this backend is used: claunch on a cgroupfs host never loads it.
 *
 * A scope adopts processes that exist, so the container is cloned first (cg_driver_cgroup_fd()
 * says -EOPNOTSUPP) and attach() is where the unit is started, with PIDs=[pid], Delegate=yes
 * and the limits as unit properties; set_limits() before it only remembers them. Once systemd
 * has made the cgroup, a cgroupfs view of it (v1 or v2, cgfs_*.c) reads the statistics, the
 * OOM events and whether anything is left in it. On v1, where systemd knows no swap limit,
 * that view also writes memory.memsw.limit_in_bytes, as runc's systemd driver does. */
#include "config.h"

#include "cgdriver/cgdriver-internal.h"
#include "common/log.h"
#include "common/util.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-bus.h>

#define SD_LIBRARY	   "libsystemd.so.0"
#define SD_DESTINATION	   "org.freedesktop.systemd1"
#define SD_PATH		   "/org/freedesktop/systemd1"
#define SD_MANAGER	   "org.freedesktop.systemd1.Manager"
#define SD_UNIT_PATH	   "/org/freedesktop/systemd1/unit"
#define SD_SCOPE	   "org.freedesktop.systemd1.Scope"
#define SD_ERR_UNIT_EXISTS "org.freedesktop.systemd1.UnitExists"
#define SD_ERR_NO_UNIT	   "org.freedesktop.systemd1.NoSuchUnit"
#define SD_ERR_NOT_LOADED  "org.freedesktop.systemd1.LoadFailed"
/* systemd 252 answers an unknown property with "Cannot set property X, or unknown property." */
#define SD_ERR_READ_ONLY    "org.freedesktop.DBus.Error.PropertyReadOnly"
#define SD_ERR_INVALID	    "org.freedesktop.DBus.Error.InvalidArgs"
#define SD_JOB_TIMEOUT_USEC (UINT64_C(30) * 1000000)
#define SD_USEC_PER_SEC	    UINT64_C(1000000)
#define SD_UNIT_MAX	    256
#define SD_CPUS_MAX	    8192 /* AllowedCPUs bitmask: CPUs 0..8191 */

/* The sd-bus calls claunch makes, found in libsystemd.so.0 by dlsym(). */
struct sd_api {
	void *handle;
	__typeof__(sd_bus_new) *bus_new;
	__typeof__(sd_bus_set_address) *bus_set_address;
	__typeof__(sd_bus_start) *bus_start;
	__typeof__(sd_bus_flush_close_unref) *bus_flush_close_unref;
	__typeof__(sd_bus_process) *bus_process;
	__typeof__(sd_bus_wait) *bus_wait;
	__typeof__(sd_bus_call) *bus_call;
	__typeof__(sd_bus_call_method) *bus_call_method;
	__typeof__(sd_bus_get_property_string) *bus_get_property_string;
	__typeof__(sd_bus_match_signal) *bus_match_signal;
	__typeof__(sd_bus_slot_unref) *bus_slot_unref;
	__typeof__(sd_bus_path_encode) *bus_path_encode;
	__typeof__(sd_bus_message_new_method_call) *message_new_method_call;
	__typeof__(sd_bus_message_append) *message_append;
	__typeof__(sd_bus_message_append_array) *message_append_array;
	__typeof__(sd_bus_message_open_container) *message_open_container;
	__typeof__(sd_bus_message_close_container) *message_close_container;
	__typeof__(sd_bus_message_read) *message_read;
	__typeof__(sd_bus_message_unref) *message_unref;
	__typeof__(sd_bus_error_free) *error_free;
	__typeof__(sd_bus_error_has_name) *error_has_name;
};

static struct sd_api sd;

static int sd_api_load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} symbols[] = {
#define SYM(field, name) { #name, offsetof(struct sd_api, field) }
		SYM(bus_new, sd_bus_new),
		SYM(bus_set_address, sd_bus_set_address),
		SYM(bus_start, sd_bus_start),
		SYM(bus_flush_close_unref, sd_bus_flush_close_unref),
		SYM(bus_process, sd_bus_process),
		SYM(bus_wait, sd_bus_wait),
		SYM(bus_call, sd_bus_call),
		SYM(bus_call_method, sd_bus_call_method),
		SYM(bus_get_property_string, sd_bus_get_property_string),
		SYM(bus_match_signal, sd_bus_match_signal),
		SYM(bus_slot_unref, sd_bus_slot_unref),
		SYM(bus_path_encode, sd_bus_path_encode),
		SYM(message_new_method_call, sd_bus_message_new_method_call),
		SYM(message_append, sd_bus_message_append),
		SYM(message_append_array, sd_bus_message_append_array),
		SYM(message_open_container, sd_bus_message_open_container),
		SYM(message_close_container, sd_bus_message_close_container),
		SYM(message_read, sd_bus_message_read),
		SYM(message_unref, sd_bus_message_unref),
		SYM(error_free, sd_bus_error_free),
		SYM(error_has_name, sd_bus_error_has_name),
#undef SYM
	};
	void *handle;

	if (sd.handle)
		return 0;
	handle = dlopen(SD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return -ELIBACC;
	for (size_t i = 0; i < ELEMENTSOF(symbols); i++) {
		void *p = dlsym(handle, symbols[i].name);

		if (!p) {
			(void)dlclose(handle);
			return -ELIBBAD;
		}
		memcpy((char *)&sd + symbols[i].offset, &p, sizeof(p));
	}
	sd.handle = handle;
	return 0;
}

/* Properties systemd may not know: dropped with a warning, as they only refine the scope. */
enum {
	OPT_OOM_POLICY = 1 << 0,
};

struct sd_state {
	sd_bus *bus;
	char unit[SD_UNIT_MAX];
	enum cg_kind layout; /* V2 (unified) or V1 (legacy or hybrid) under systemd */
	struct cg_limits limits;
	char *cpuset;		/* the copy limits.cpuset_cpus points to */
	bool started;		/* the unit is ours: stop it at the end */
	unsigned dropped;	/* OPT_* systemd refused */
	struct cg_driver *view; /* cgroupfs view of the unit's cgroup, once it exists */
	/* the job being waited for and how it ended */
	const char *job;
	char result[32];
	bool job_removed;
};

static struct sd_state *state_of(struct cg_driver *driver)
{
	return driver->backend;
}

static void set_detail(struct cg_driver *driver, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_detail(struct cg_driver *driver, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(driver->detail, sizeof(driver->detail), fmt, ap);
	va_end(ap);
}

/* A D-Bus error as the detail of the failure: systemd's own words. */
static int bus_failure(struct cg_driver *driver, int r, const sd_bus_error *error, const char *what)
{
	if (error && error->message)
		set_detail(driver, "%s: %s", what, error->message);
	else
		set_detail(driver, "%s: %s", what, strerror(r < 0 ? -r : EIO));
	return r < 0 ? r : -EIO;
}

static int sd_init(struct cg_driver *driver)
{
	struct sd_state *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	driver->backend = s;
	/* claunch-NAME.scope; a generated name is claunch-... already */
	r = snprintf(
		s->unit, sizeof(s->unit), "%s%s.scope",
		strncmp(driver->name, CG_SYSTEMD_UNIT_PREFIX, strlen(CG_SYSTEMD_UNIT_PREFIX)) == 0
			? ""
			: CG_SYSTEMD_UNIT_PREFIX,
		driver->name);
	if (r < 0 || (size_t)r >= sizeof(s->unit))
		return -ENAMETOOLONG;
	r = cg_detect(driver->root, &s->layout);
	if (r < 0)
		return r;

	r = sd_api_load();
	if (r < 0) {
		set_detail(driver, "cannot load %s: %s", SD_LIBRARY,
			   r == -ELIBACC ? dlerror() : "a symbol is missing");
		return r;
	}
	r = sd.bus_new(&s->bus);
	if (r >= 0)
		r = sd.bus_set_address(s->bus, "unix:path=" CG_SYSTEMD_BUS);
	/* a unix socket connects at once: a missing or dead systemd shows here */
	if (r >= 0)
		r = sd.bus_start(s->bus);
	if (r < 0) {
		set_detail(driver, "cannot reach systemd at %s: %s", CG_SYSTEMD_BUS, strerror(-r));
		return -EHOSTUNREACH;
	}
	return 0;
}

static void sd_free(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);

	if (!s)
		return;
	if (s->bus)
		(void)sd.bus_flush_close_unref(s->bus);
	cg_driver_free(s->view);
	free(s->cpuset);
	free(s);
	driver->backend = NULL;
}

static int sd_create(struct cg_driver *driver)
{
	return 0; /* a scope needs its first process: attach() makes it */
}

/* "0-3,8" into the bitmask AllowedCPUs= takes (bit N of byte N/8). */
static int cpus_to_mask(const char *list, uint8_t *mask, size_t *len)
{
	const char *p = list;

	*len = 0;
	memset(mask, 0, SD_CPUS_MAX / 8);
	while (*p) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi >= SD_CPUS_MAX || (*end && *end != ','))
			return -EINVAL;
		for (unsigned long cpu = lo; cpu <= hi; cpu++)
			mask[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
		if (hi / 8 + 1 > *len)
			*len = hi / 8 + 1;
		p = *end ? end + 1 : end;
	}
	return *len > 0 ? 0 : -EINVAL;
}

/* docker/runc: cpu.weight 1..10000 onto cpu.shares 2..262144 (as cgfs_v1.c). */
static uint64_t cpu_weight_to_shares(uint64_t weight)
{
	return 2 + ((weight - 1) * 262142) / 9999;
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t value)
{
	return sd.message_append(m, "(sv)", name, "t", value);
}

/* The limits as unit properties, into an open a(sv). */
static int append_limits(struct cg_driver *driver, sd_bus_message *m)
{
	struct sd_state *s = state_of(driver);
	const struct cg_limits *l = &s->limits;
	bool unified = s->layout == CG_KIND_V2;
	int r = 0;

	if (l->memory_max != CG_UNLIMITED)
		r = append_u64(m, "MemoryMax", l->memory_max);
	/* docker's --memory-swap counts memory in; MemorySwapMax is swap alone (v2 only) */
	if (r >= 0 && unified && l->memory_max != CG_UNLIMITED)
		r = append_u64(m, "MemorySwapMax",
			       l->memory_swap_max == 0 ? l->memory_max
			       : l->memory_swap_max == CG_UNLIMITED
				       ? CG_UNLIMITED
				       : l->memory_swap_max - l->memory_max);
	if (r >= 0 && l->cpu_quota_usec != CG_UNLIMITED)
		r = append_u64(m, "CPUQuotaPerSecUSec",
			       l->cpu_quota_usec * SD_USEC_PER_SEC / CG_CPU_PERIOD_USEC);
	if (r >= 0 && l->cpu_weight != 0)
		r = unified ? append_u64(m, "CPUWeight", l->cpu_weight)
			    : append_u64(m, "CPUShares", cpu_weight_to_shares(l->cpu_weight));
	if (r >= 0 && l->pids_max != CG_UNLIMITED)
		r = append_u64(m, "TasksMax", l->pids_max);
	if (r >= 0 && l->cpuset_cpus) {
		uint8_t mask[SD_CPUS_MAX / 8];
		size_t len;

		r = cpus_to_mask(l->cpuset_cpus, mask, &len);
		if (r >= 0)
			r = sd.message_open_container(m, 'r', "sv");
		if (r >= 0)
			r = sd.message_append(m, "s", "AllowedCPUs");
		if (r >= 0)
			r = sd.message_open_container(m, 'v', "ay");
		if (r >= 0)
			r = sd.message_append_array(m, 'y', mask, len);
		if (r >= 0)
			r = sd.message_close_container(m);
		if (r >= 0)
			r = sd.message_close_container(m);
	}
	/* an OOM kill of one process is the container's business, as under docker: systemd
	 * must not stop the whole scope for it (only a systemd that knows it for scopes) */
	if (r >= 0 && unified && l->memory_max != CG_UNLIMITED && !(s->dropped & OPT_OOM_POLICY))
		r = sd.message_append(m, "(sv)", "OOMPolicy", "s", "continue");
	return r;
}

static int job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct sd_state *s = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	if (sd.message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (s->job && strcmp(path, s->job) == 0) {
		snprintf(s->result, sizeof(s->result), "%s", result);
		s->job_removed = true;
	}
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SD_USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* Waits for JobRemoved of the job the reply names (the match was added before the call, and
 * sd_bus_call() queued any signal that came before its reply). 0 when its result is "done". */
static int job_wait(struct cg_driver *driver, sd_bus_message *reply, const char *what)
{
	struct sd_state *s = state_of(driver);
	uint64_t deadline = now_usec() + SD_JOB_TIMEOUT_USEC;
	const char *job;
	int r;

	r = sd.message_read(reply, "o", &job);
	if (r < 0)
		return bus_failure(driver, r, NULL, what);
	s->job = job;
	s->job_removed = false;
	while (!s->job_removed) {
		uint64_t now = now_usec();

		r = sd.bus_process(s->bus, NULL);
		if (r < 0)
			break;
		if (r > 0)
			continue;
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		r = sd.bus_wait(s->bus, deadline - now);
		if (r < 0 && r != -EINTR)
			break;
	}
	s->job = NULL;
	if (!s->job_removed) {
		set_detail(driver, "%s: no answer from systemd in %" PRIu64 " s (%s)", what,
			   SD_JOB_TIMEOUT_USEC / SD_USEC_PER_SEC, strerror(-r));
		return r < 0 ? r : -ETIMEDOUT;
	}
	if (strcmp(s->result, "done") != 0) {
		set_detail(driver, "%s: systemd's job ended \"%s\"", what, s->result);
		return -EIO;
	}
	return 0;
}

static int start_transient(struct cg_driver *driver, pid_t pid, sd_bus_error *error,
			   sd_bus_message **reply)
{
	struct sd_state *s = state_of(driver);
	sd_bus_message *m = NULL;
	char description[128];
	uint32_t pid32 = (uint32_t)pid;
	int r;

	snprintf(description, sizeof(description), "claunch container %s", driver->name);
	r = sd.message_new_method_call(s->bus, &m, SD_DESTINATION, SD_PATH, SD_MANAGER,
				       "StartTransientUnit");
	if (r >= 0)
		r = sd.message_append(m, "ss", s->unit, "fail");
	if (r >= 0)
		r = sd.message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd.message_append(m, "(sv)(sv)(sv)(sv)", "Description", "s", description,
				      "Slice", "s", driver->parent, "Delegate", "b", 1,
				      "CollectMode", "s", "inactive-or-failed");
	if (r >= 0)
		r = sd.message_append(m, "(sv)", "PIDs", "au", 1, pid32);
	if (r >= 0)
		r = append_limits(driver, m);
	if (r >= 0)
		r = sd.message_close_container(m);
	if (r >= 0)
		r = sd.message_append(m, "a(sa(sv))", 0);
	if (r >= 0)
		r = sd.bus_call(s->bus, m, 0, error, reply);
	sd.message_unref(m);
	return r;
}

/* The unit's cgroup, seen through cgroupfs. */
static int open_view(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char *path = NULL, *cgroup = NULL, *slash;
	struct cg_config config = { .root = driver->root };
	int r;

	r = sd.bus_path_encode(SD_UNIT_PATH, s->unit, &path);
	if (r < 0)
		return bus_failure(driver, r, NULL, s->unit);
	r = sd.bus_get_property_string(s->bus, SD_DESTINATION, path, SD_SCOPE, "ControlGroup",
				       &error, &cgroup);
	free(path);
	if (r < 0) {
		r = bus_failure(driver, r, &error, s->unit);
		sd.error_free(&error);
		return r;
	}
	slash = strrchr(cgroup, '/');
	if (!slash || slash == cgroup || !slash[1]) {
		set_detail(driver, "%s: unexpected ControlGroup \"%s\"", s->unit, cgroup);
		free(cgroup);
		return -EIO;
	}
	*slash = '\0';
	config.parent = cgroup;
	config.name = slash + 1;
	r = cg_driver_new(s->layout, &config, &s->view);
	if (r >= 0)
		r = cg_driver_adopt(s->view);
	if (r < 0)
		set_detail(driver, "%s: opening its cgroup %s/%s: %s", s->unit, cgroup, slash + 1,
			   strerror(-r));
	free(cgroup);
	return r;
}

static int sd_attach(struct cg_driver *driver, pid_t pid)
{
	struct sd_state *s = state_of(driver);
	sd_bus_slot *slot = NULL;
	int r;

	if (s->started)
		return -EALREADY;
	r = sd.bus_match_signal(s->bus, &slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved", job_removed,
				s);
	if (r < 0)
		return bus_failure(driver, r, NULL, "watching systemd's jobs");
	for (int attempt = 0;; attempt++) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;

		r = start_transient(driver, pid, &error, &reply);
		if (r >= 0) {
			s->started = true;
			r = job_wait(driver, reply, s->unit);
			sd.message_unref(reply);
			break;
		}
		if (sd.error_has_name(&error, SD_ERR_UNIT_EXISTS) && attempt == 0) {
			/* a failed leftover of a crashed run: reset it and try once more */
			sd.error_free(&error);
			(void)sd.bus_call_method(s->bus, SD_DESTINATION, SD_PATH, SD_MANAGER,
						 "ResetFailedUnit", NULL, NULL, "s", s->unit);
			continue;
		}
		if (sd.error_has_name(&error, SD_ERR_UNIT_EXISTS)) {
			sd.error_free(&error);
			r = -EEXIST;
			break;
		}
		if ((sd.error_has_name(&error, SD_ERR_READ_ONLY) ||
		     sd.error_has_name(&error, SD_ERR_INVALID)) &&
		    error.message && strstr(error.message, "OOMPolicy") &&
		    !(s->dropped & OPT_OOM_POLICY)) {
			log_warning("systemd does not take OOMPolicy= for scopes: an OOM kill in "
				    "container %s stops all of it",
				    driver->name);
			s->dropped |= OPT_OOM_POLICY;
			sd.error_free(&error);
			attempt--;
			continue;
		}
		r = bus_failure(driver, r, &error, s->unit);
		sd.error_free(&error);
		break;
	}
	sd.bus_slot_unref(slot);
	if (r < 0)
		return r;
	r = open_view(driver);
	if (r < 0)
		return r;
	/* v1: systemd has no swap limit there; the rest is rewritten with the same values */
	if (s->layout == CG_KIND_V1) {
		struct cg_limits l = s->limits;

		l.cpuset_cpus = NULL;
		r = cg_driver_set_limits(s->view, &l);
		if (r < 0)
			set_detail(driver,
				   "%s: writing the limits systemd does not set on cgroup v1",
				   s->unit);
	}
	return r;
}

static int set_properties(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r;

	r = sd.message_new_method_call(s->bus, &m, SD_DESTINATION, SD_PATH, SD_MANAGER,
				       "SetUnitProperties");
	if (r >= 0)
		r = sd.message_append(m, "sb", s->unit, 1);
	if (r >= 0)
		r = sd.message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_limits(driver, m);
	if (r >= 0)
		r = sd.message_close_container(m);
	if (r >= 0)
		r = sd.bus_call(s->bus, m, 0, &error, NULL);
	sd.message_unref(m);
	if (r < 0) {
		r = bus_failure(driver, r, &error, s->unit);
		sd.error_free(&error);
	}
	return r;
}

static int sd_set_limits(struct cg_driver *driver, const struct cg_limits *limits)
{
	struct sd_state *s = state_of(driver);
	uint8_t mask[SD_CPUS_MAX / 8];
	size_t len;
	char *cpuset = NULL;

	if (limits->cpuset_cpus) {
		/* systemd leaves the v1 cpuset hierarchy alone */
		if (s->layout != CG_KIND_V2) {
			driver->missing_controller = "cpuset";
			set_detail(driver, "systemd does not manage the cpuset controller on "
					   "cgroup v1 (use --cgroup-driver cgroupfs)");
			return -EOPNOTSUPP;
		}
		if (cpus_to_mask(limits->cpuset_cpus, mask, &len) < 0)
			return -EINVAL;
		cpuset = strdup(limits->cpuset_cpus);
		if (!cpuset)
			return -ENOMEM;
	}
	free(s->cpuset);
	s->cpuset = cpuset;
	s->limits = *limits;
	s->limits.cpuset_cpus = cpuset;
	if (!s->started)
		return 0;
	if (s->layout == CG_KIND_V1) {
		int r = cg_driver_set_limits(s->view, &s->limits);

		if (r < 0)
			return r;
	}
	return set_properties(driver);
}

static int sd_cgroup_fd(struct cg_driver *driver)
{
	return -EOPNOTSUPP; /* the scope adopts a process that exists */
}

static int sd_stats(struct cg_driver *driver, struct cg_stats *ret)
{
	struct sd_state *s = state_of(driver);

	return s->view ? cg_driver_stats(s->view, ret) : -ENODEV;
}

static int sd_oom_fd(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);

	return s->view ? cg_driver_oom_fd(s->view) : -ENODEV;
}

static int sd_populated(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	int r;

	if (!s->view)
		return 0;
	r = cg_driver_populated(s->view);
	return r == -ENOENT ? 0 : r; /* systemd removed it: empty */
}

/* A unit systemd has collected already (the scope ended when it became empty). */
static bool unit_gone(const sd_bus_error *error)
{
	return sd.error_has_name(error, SD_ERR_NO_UNIT) ||
	       sd.error_has_name(error, SD_ERR_NOT_LOADED);
}

static int sd_kill_all(struct cg_driver *driver, int sig)
{
	struct sd_state *s = state_of(driver);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int populated = sd_populated(driver), r;

	if (!s->started || populated <= 0)
		return populated < 0 ? populated : 0;
	r = sd.bus_call_method(s->bus, SD_DESTINATION, SD_PATH, SD_MANAGER, "KillUnit", &error,
			       NULL, "ssi", s->unit, "all", (int32_t)sig);
	if (r < 0 && !unit_gone(&error))
		r = bus_failure(driver, r, &error, s->unit);
	else
		r = 1;
	sd.error_free(&error);
	return r;
}

static int sd_destroy(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;
	int r;

	if (!s->started)
		return 0;
	/* as the cgroupfs backends: the caller kills what is left first (stopping a scope with
	 * processes in it would wait for its TimeoutStopSec) */
	r = sd_populated(driver);
	if (r != 0)
		return r > 0 ? -EBUSY : r;
	r = sd.bus_match_signal(s->bus, &slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved", job_removed,
				s);
	if (r >= 0)
		r = sd.bus_call_method(s->bus, SD_DESTINATION, SD_PATH, SD_MANAGER, "StopUnit",
				       &error, &reply, "ss", s->unit, "fail");
	if (r >= 0)
		r = job_wait(driver, reply, s->unit);
	else if (unit_gone(&error))
		r = 0;
	else
		r = bus_failure(driver, r, &error, s->unit);
	sd.error_free(&error);
	sd.message_unref(reply);
	sd.bus_slot_unref(slot);
	if (r >= 0)
		s->started = false;
	return r;
}

static int sd_remove_stale(struct cg_driver *driver, const char *prefix)
{
	return 0; /* CollectMode=inactive-or-failed: systemd collects what a dead claunch left */
}

static int sd_remove_parent(struct cg_driver *driver)
{
	return 0; /* the slice is systemd's */
}

const struct cg_driver_ops cg_systemd_ops = {
	.init = sd_init,
	.free = sd_free,
	.create = sd_create,
	.set_limits = sd_set_limits,
	.attach = sd_attach,
	.cgroup_fd = sd_cgroup_fd,
	.stats = sd_stats,
	.oom_fd = sd_oom_fd,
	.kill_all = sd_kill_all,
	.populated = sd_populated,
	.destroy = sd_destroy,
	.remove_stale = sd_remove_stale,
	.remove_parent = sd_remove_parent,
};

#endif /* HAVE_SYSTEMD */
