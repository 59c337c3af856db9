/* The systemd backend: on a host whose PID 1 is systemd, the container's cgroup is a transient
 * scope unit, claunch-NAME.scope in the slice PARENT (claunch.slice), that systemd creates and
 * owns. claunch talks to systemd on its private socket (/run/systemd/private: root only, no
 * dbus-daemon in the way) with the small client of dbus.c.
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

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include "cgdriver/dbus.h"

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
/* StartTransientUnit again after UnitExists of a unit without processes: once after
 * ResetFailedUnit, then each time systemd removed it (or a second passed). */
#define SD_EXISTS_RETRIES   20
#define SD_EXISTS_WAIT_USEC (UINT64_C(1) * 1000000)
#define SD_CPUS_MAX	    8192 /* AllowedCPUs bitmask: CPUs 0..8191 */

/* Properties systemd may not know: dropped with a warning, as they only refine the scope. */
enum {
	OPT_OOM_POLICY = 1 << 0,
};

struct sd_state {
	struct dbus bus;
	char unit[SD_UNIT_MAX];
	char slice_path[PATH_MAX]; /* the slice's cgroup: "/claunch.slice", "/" for -.slice */
	enum cg_kind layout;	   /* V2 (unified) or V1 (legacy or hybrid) under systemd */
	struct cg_limits limits;
	char *cpuset;		/* the copy limits.cpuset_cpus points to */
	bool started;		/* the unit is ours: stop it at the end */
	unsigned dropped;	/* OPT_* systemd refused */
	struct cg_driver *view; /* cgroupfs view of the unit's cgroup, once it exists */
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

/* A failed call as the detail of the failure: systemd's own words when it answered. */
static int bus_failure(struct cg_driver *driver, int r, const char *what)
{
	struct sd_state *s = state_of(driver);

	if (r == -EREMOTEIO && s->bus.error_message[0])
		set_detail(driver, "%s: %s", what, s->bus.error_message);
	else if (r == -EREMOTEIO)
		set_detail(driver, "%s: %s", what, s->bus.error_name);
	else
		set_detail(driver, "%s: %s", what, strerror(r < 0 ? -r : EIO));
	return r == -EREMOTEIO ? -EIO : r;
}

/* systemd's cg_escape(): a cgroup directory that could be taken for a kernel file gets a "_"
 * in front: "_x", ".x", "tasks", "cgroup.x", and "cpu.slice" or "memory.slice" (what comes
 * before the last dot is a controller systemd knows). */
static bool cgroup_name_needs_escape(const char *name, size_t len)
{
	static const char *const controllers[] = {
		"cpu",
		"cpuacct",
		"cpuset",
		"io",
		"blkio",
		"memory",
		"devices",
		"pids",
		"bpf-firewall",
		"bpf-devices",
		"bpf-foreign",
		"bpf-socket-bind",
		"bpf-restrict-network-interfaces",
		"cgroup",
	};
	const char *dot = memrchr(name, '.', len);

	if (len == 0 || name[0] == '_' || name[0] == '.' ||
	    (len == 5 && strncmp(name, "tasks", 5) == 0) ||
	    (len == 13 && strncmp(name, "release_agent", 13) == 0) ||
	    (len == 17 && strncmp(name, "notify_on_release", 17) == 0))
		return true;
	if (!dot)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(controllers); i++)
		if ((size_t)(dot - name) == strlen(controllers[i]) &&
		    strncmp(name, controllers[i], (size_t)(dot - name)) == 0)
			return true;
	return false;
}

/* The cgroup systemd gives a unit of a slice: "a-b.slice" is /a.slice/a-b.slice ("-.slice" the
 * root, "/"), each part escaped as systemd does; the unit's directory below. */
static int slice_path(const char *slice, char *buf, size_t size)
{
	size_t len = strlen(slice) - strlen(".slice"), used = 0;

	buf[0] = '\0';
	if (strcmp(slice, "-.slice") == 0)
		return snprintf(buf, size, "/") < 0 ? -EINVAL : 0;
	for (size_t i = 0; i <= len; i++) {
		bool escape;
		int n;

		if (i < len && slice[i] != '-')
			continue;
		/* the part is slice[0, i) + ".slice" */
		{
			char part[SD_UNIT_MAX];

			n = snprintf(part, sizeof(part), "%.*s.slice", (int)i, slice);
			if (n < 0 || (size_t)n >= sizeof(part))
				return -ENAMETOOLONG;
			escape = cgroup_name_needs_escape(part, (size_t)n);
		}
		n = snprintf(buf + used, size - used, "/%s%.*s.slice", escape ? "_" : "", (int)i,
			     slice);
		if (n < 0 || (size_t)n >= size - used)
			return -ENAMETOOLONG;
		used += (size_t)n;
	}
	return 0;
}

static int sd_init(struct cg_driver *driver)
{
	struct sd_state *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bus.fd = -1;
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
	r = slice_path(driver->parent, s->slice_path, sizeof(s->slice_path));
	if (r < 0)
		return r;

	r = dbus_connect(&s->bus, CG_SYSTEMD_BUS);
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
	dbus_close(&s->bus);
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

/* The limits as unit properties, into an open a(sv). */
static void append_limits(struct cg_driver *driver, struct dbus_writer *w)
{
	struct sd_state *s = state_of(driver);
	const struct cg_limits *l = &s->limits;
	bool unified = s->layout == CG_KIND_V2;

	if (l->memory_max != CG_UNLIMITED)
		dbus_put_property_u64(w, "MemoryMax", l->memory_max);
	/* docker's --memory-swap counts memory in; MemorySwapMax is swap alone (v2 only) */
	if (unified && l->memory_max != CG_UNLIMITED)
		dbus_put_property_u64(w, "MemorySwapMax",
				      l->memory_swap_max == 0 ? l->memory_max
				      : l->memory_swap_max == CG_UNLIMITED
					      ? CG_UNLIMITED
					      : l->memory_swap_max - l->memory_max);
	if (l->cpu_quota_usec != CG_UNLIMITED)
		dbus_put_property_u64(w, "CPUQuotaPerSecUSec",
				      l->cpu_quota_usec * SD_USEC_PER_SEC / CG_CPU_PERIOD_USEC);
	if (cg_limits_cpu_weight(l) != 0 && unified)
		dbus_put_property_u64(w, "CPUWeight", cg_limits_cpu_weight(l));
	else if (cg_limits_cpu_shares(l) != 0)
		dbus_put_property_u64(w, "CPUShares", cg_limits_cpu_shares(l));
	if (l->pids_max != CG_UNLIMITED)
		dbus_put_property_u64(w, "TasksMax", l->pids_max);
	if (l->cpuset_cpus) {
		uint8_t mask[SD_CPUS_MAX / 8];
		size_t len;

		if (cpus_to_mask(l->cpuset_cpus, mask, &len) >= 0)
			dbus_put_property_bytes(w, "AllowedCPUs", mask, len);
	}
	/* an OOM kill of one process (the container's limit, a service's own MemoryMax= inside
	 * it, or the host's) is the container's business, as under docker: systemd must not stop
	 * the whole scope for it (only a systemd that knows it for scopes) */
	if (unified && !(s->dropped & OPT_OOM_POLICY))
		dbus_put_property_string(w, "OOMPolicy", "continue");
}

/* Waits for JobRemoved of JOB. 0 when its result is "done". */
static int job_wait(struct cg_driver *driver, const char *job, const char *what)
{
	struct sd_state *s = state_of(driver);
	char result[32];
	int r = dbus_wait_job(&s->bus, job, SD_JOB_TIMEOUT_USEC, result, sizeof(result));

	if (r == -ETIMEDOUT) {
		set_detail(driver, "%s: systemd did not finish its job in %" PRIu64 " s", what,
			   SD_JOB_TIMEOUT_USEC / SD_USEC_PER_SEC);
		return r;
	}
	if (r < 0) {
		set_detail(driver, "%s: waiting for systemd's job: %s", what, strerror(-r));
		return r;
	}
	if (strcmp(result, "done") != 0) {
		set_detail(driver, "%s: systemd's job ended \"%s\"", what, result);
		return -EIO;
	}
	return 0;
}

static int start_transient(struct cg_driver *driver, pid_t pid, char *job, size_t job_size)
{
	struct sd_state *s = state_of(driver);
	struct dbus_writer w = { 0 };
	struct dbus_array props, aux;
	char description[128];
	uint32_t pid32 = (uint32_t)pid;
	int r;

	snprintf(description, sizeof(description), "claunch container %s", driver->name);
	dbus_put_string(&w, s->unit);
	dbus_put_string(&w, "fail");
	props = dbus_array_begin(&w, 8);
	dbus_put_property_string(&w, "Description", description);
	dbus_put_property_string(&w, "Slice", driver->parent);
	dbus_put_property_bool(&w, "Delegate", true);
	dbus_put_property_string(&w, "CollectMode", "inactive-or-failed");
	dbus_put_property_u32_array(&w, "PIDs", &pid32, 1);
	append_limits(driver, &w);
	dbus_array_end(&w, props);
	aux = dbus_array_begin(&w, 8);
	dbus_array_end(&w, aux);
	r = dbus_call_manager(&s->bus, "StartTransientUnit", "ssa(sv)a(sa(sv))", &w, job, job_size);
	dbus_writer_free(&w);
	return r;
}

/* A cgroupfs view of PARENT/NAME when it exists. */
static int view_open(struct cg_driver *driver, const char *parent, const char *name,
		     struct cg_driver **ret)
{
	struct sd_state *s = state_of(driver);
	struct cg_config config = { .root = driver->root, .parent = parent, .name = name };
	struct cg_driver *view = NULL;
	int r;

	r = cg_driver_new(s->layout, &config, &view);
	if (r >= 0)
		r = cg_driver_adopt(view);
	if (r < 0) {
		cg_driver_free(view);
		return r;
	}
	*ret = view;
	return 0;
}

/* The unit's cgroup: -ENOENT when there is none (the scope ended), 1 when a process is in it,
 * 0 when it is empty (the scope is ending). */
static int scope_populated(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	struct cg_driver *view = NULL;
	int r = view_open(driver, s->slice_path, s->unit, &view);

	if (r < 0)
		return r == -ENOENT ? -ENOENT : 1; /* unreadable: take it as running */
	r = cg_driver_populated(view);
	cg_driver_free(view);
	return r == -ENOENT || r == -ENODEV ? -ENOENT : r < 0 ? 1 : r;
}

/* The bus for a call after the start: its connection is closed while the container runs, as
 * systemd would queue every unit's signals for it. */
static int bus_open(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	int r;

	if (s->bus.fd >= 0)
		return 0;
	r = dbus_connect(&s->bus, CG_SYSTEMD_BUS);
	if (r < 0)
		set_detail(driver, "cannot reach systemd at %s: %s", CG_SYSTEMD_BUS, strerror(-r));
	return r;
}

/* The unit's cgroup, seen through cgroupfs: where systemd puts it, else where it says. */
static int open_view(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	char path[DBUS_PATH_MAX], cgroup[PATH_MAX], *slash;
	int r;

	r = view_open(driver, s->slice_path, s->unit, &s->view);
	if (r != -ENOENT)
		goto out;
	r = dbus_unit_path(s->unit, path, sizeof(path));
	if (r >= 0)
		r = bus_open(driver);
	if (r >= 0)
		r = dbus_get_string_property(&s->bus, path, SD_SCOPE, "ControlGroup", cgroup,
					     sizeof(cgroup));
	dbus_close(&s->bus);
	if (r < 0)
		return bus_failure(driver, r, s->unit);
	slash = strrchr(cgroup, '/');
	if (!slash || !slash[1]) {
		set_detail(driver, "%s: unexpected ControlGroup \"%s\"", s->unit, cgroup);
		return -EIO;
	}
	*slash = '\0';
	r = view_open(driver, slash == cgroup ? "/" : cgroup, slash + 1, &s->view);
out:
	if (r < 0)
		set_detail(driver, "%s: opening its cgroup: %s", s->unit, strerror(-r));
	return r;
}

static int sd_attach(struct cg_driver *driver, pid_t pid)
{
	struct sd_state *s = state_of(driver);
	char job[DBUS_PATH_MAX];
	int r;

	if (s->started)
		return -EALREADY;
	for (int attempt = 0;; attempt++) {
		r = start_transient(driver, pid, job, sizeof(job));
		if (r >= 0) {
			s->started = true;
			r = job_wait(driver, job, s->unit);
			break;
		}
		if (r == -EREMOTEIO && dbus_error_is(&s->bus, SD_ERR_UNIT_EXISTS) &&
		    attempt < SD_EXISTS_RETRIES && scope_populated(driver) <= 0) {
			/* A leftover without processes: a failed one of a crashed run is reset;
			 * one that is ending (its container was just killed) is collected by
			 * systemd in a moment, which UnitRemoved says. */
			struct dbus_writer w = { 0 };

			dbus_put_string(&w, s->unit);
			if (attempt == 0)
				r = dbus_call_manager(&s->bus, "ResetFailedUnit", "s", &w, NULL, 0);
			else
				r = dbus_wait_unit_removed(&s->bus, s->unit, SD_EXISTS_WAIT_USEC);
			dbus_writer_free(&w);
			if (r >= 0 || r == -EREMOTEIO || r == -ETIMEDOUT)
				continue;
			r = bus_failure(driver, r, s->unit);
			break;
		}
		if (r == -EREMOTEIO && dbus_error_is(&s->bus, SD_ERR_UNIT_EXISTS)) {
			r = -EEXIST;
			break;
		}
		if (r == -EREMOTEIO &&
		    (dbus_error_is(&s->bus, SD_ERR_READ_ONLY) ||
		     dbus_error_is(&s->bus, SD_ERR_INVALID)) &&
		    strstr(s->bus.error_message, "OOMPolicy") && !(s->dropped & OPT_OOM_POLICY)) {
			log_warning("systemd does not take OOMPolicy= for scopes: if the kernel "
				    "kills a process of container %s for memory, systemd stops "
				    "all of it",
				    driver->name);
			s->dropped |= OPT_OOM_POLICY;
			attempt--;
			continue;
		}
		r = bus_failure(driver, r, s->unit);
		break;
	}
	/* systemd sends every unit's signals to each private connection: none is kept open
	 * while the container runs */
	dbus_close(&s->bus);
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
	struct dbus_writer w = { 0 };
	struct dbus_array props;
	int r = bus_open(driver);

	if (r < 0)
		return r;
	dbus_put_string(&w, s->unit);
	dbus_put_bool(&w, true); /* runtime: gone with the scope */
	props = dbus_array_begin(&w, 8);
	append_limits(driver, &w);
	dbus_array_end(&w, props);
	r = dbus_call_manager(&s->bus, "SetUnitProperties", "sba(sv)", &w, NULL, 0);
	dbus_writer_free(&w);
	dbus_close(&s->bus);
	return r < 0 ? bus_failure(driver, r, s->unit) : 0;
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
	/* systemd removed it (ENODEV through the fd of a removed cgroup): empty */
	return r == -ENOENT || r == -ENODEV ? 0 : r;
}

/* A unit systemd has collected already (the scope ended when it became empty). */
static bool unit_gone(const struct sd_state *s, int r)
{
	return r == -EREMOTEIO && (dbus_error_is(&s->bus, SD_ERR_NO_UNIT) ||
				   dbus_error_is(&s->bus, SD_ERR_NOT_LOADED));
}

static int sd_kill_all(struct cg_driver *driver, int sig)
{
	struct sd_state *s = state_of(driver);
	struct dbus_writer w = { 0 };
	int populated = sd_populated(driver), r;

	if (!s->started || populated <= 0)
		return populated < 0 ? populated : 0;
	r = bus_open(driver);
	if (r >= 0) {
		dbus_put_string(&w, s->unit);
		dbus_put_string(&w, "all");
		dbus_put_i32(&w, sig);
		r = dbus_call_manager(&s->bus, "KillUnit", "ssi", &w, NULL, 0);
		dbus_writer_free(&w);
	}
	if (r >= 0 || unit_gone(s, r))
		return 1;
	/* systemd does not answer: the cgroup is there all the same */
	log_debug("%s: KillUnit: %s; killing through cgroupfs", s->unit, strerror(-r));
	return cg_driver_kill_all(s->view, sig);
}

static int sd_destroy(struct cg_driver *driver)
{
	struct sd_state *s = state_of(driver);
	struct dbus_writer w = { 0 };
	char job[DBUS_PATH_MAX];
	int r;

	if (!s->started)
		return 0;
	/* as the cgroupfs backends: the caller kills what is left first (stopping a scope with
	 * processes in it would wait for its TimeoutStopSec) */
	r = sd_populated(driver);
	if (r != 0)
		return r > 0 ? -EBUSY : r;
	/* An empty scope is systemd's to end: it stops a scope whose cgroup became empty (and
	 * removes a delegated subtree with it), CollectMode collects the unit, and a new scope of
	 * the name waits for that in attach(). Waiting for a stop job here cost a quarter of a
	 * container start (bench/systemd-vm); systemd-run --scope does not wait either. Only a
	 * scope whose start failed half-way, without a view of its cgroup, is stopped. */
	if (s->view) {
		s->started = false;
		return 0;
	}
	r = bus_open(driver);
	if (r < 0)
		return r;
	dbus_put_string(&w, s->unit);
	dbus_put_string(&w, "fail");
	r = dbus_call_manager(&s->bus, "StopUnit", "ss", &w, job, sizeof(job));
	dbus_writer_free(&w);
	if (r >= 0)
		r = job_wait(driver, job, s->unit);
	else if (unit_gone(s, r))
		r = 0;
	else
		r = bus_failure(driver, r, s->unit);
	dbus_close(&s->bus);
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
