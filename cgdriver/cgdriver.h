/* One interface to the cgroup a container runs in, whatever manages it: cgroupfs v2 (the
 * unified hierarchy), cgroupfs v1 (one hierarchy per controller, including "hybrid" systems
 * whose cgroup2 mount has no controllers), and later systemd. claunch creates the cgroup,
 * writes the limits, puts the container in it, watches for OOM kills, and at the end kills what
 * is left and removes it. Functions return 0 (or a count) or -errno and never print, except
 * where noted; the caller makes the user-facing message. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define CG_UNLIMITED	   UINT64_MAX
#define CG_CPU_PERIOD_USEC 100000 /* docker's --cpus period */

enum cg_kind {
	CG_KIND_V1,
	CG_KIND_V2,
	CG_KIND_SYSTEMD, /* a transient scope unit of systemd's (cgdriver/systemd.c) */
};

/* The systemd driver: systemd's private bus (root only), the unit name's prefix and the
 * default slice. */
#define CG_SYSTEMD_BUS	       "/run/systemd/private"
#define CG_SYSTEMD_UNIT_PREFIX "claunch-"
#define CG_SYSTEMD_SLICE       "claunch.slice"

/* What docker's flags ask for (see DESIGN.md, "cgroup value mapping"). */
struct cg_limits {
	uint64_t memory_max; /* bytes, CG_UNLIMITED: --memory */
	uint64_t
		memory_swap_max; /* memory + swap in bytes, as docker's --memory-swap; CG_UNLIMITED
				    for unlimited swap, 0 when not given (docker: twice --memory) */
	uint64_t cpu_quota_usec; /* per CG_CPU_PERIOD_USEC: --cpus 0.5 -> 50000; CG_UNLIMITED */
	uint64_t cpu_weight;	 /* 1..10000 (cgroup v2 scale), 0 when not given: --cpu-weight */
	uint64_t cpu_shares;	 /* 2..262144 (v1 scale), 0 when not given: --cpu-shares */
	const char *cpuset_cpus; /* "0-1", NULL when not given: --cpuset-cpus */
	uint64_t pids_max;	 /* CG_UNLIMITED: --pids-limit */
};

/* One CPU weight whichever scale it was given in. v1's cpu.shares from a weight as runc
 * converts it; v2's cpu.weight from shares as crun converts it (so that docker's --cpu-shares
 * gives the same weight under every runtime). 0 when neither was given. */
static inline uint64_t cg_limits_cpu_shares(const struct cg_limits *l)
{
	if (l->cpu_shares)
		return l->cpu_shares;
	return l->cpu_weight ? 2 + ((l->cpu_weight - 1) * 262142) / 9999 : 0;
}

static inline uint64_t cg_limits_cpu_weight(const struct cg_limits *l)
{
	if (l->cpu_weight)
		return l->cpu_weight;
	return l->cpu_shares ? 1 + ((l->cpu_shares - 2) * 9999) / 262142 : 0;
}

struct cg_stats {
	uint64_t memory_current; /* bytes */
	uint64_t memory_max;	 /* bytes, CG_UNLIMITED */
	uint64_t cpu_usage_usec;
	uint64_t pids_current;
	uint64_t oom_kills; /* processes the kernel killed for memory in this cgroup */
};

struct cg_config {
	/* Where the hierarchies are mounted: "/sys/fs/cgroup" (tests: a fake tree in a temporary
	 * directory with the same files). */
	const char *root;
	/* Absolute cgroup path of the parent, the same in every hierarchy: "/claunch" by default
	 * (--cgroup-parent). Never relative to the caller's own cgroup. */
	const char *parent;
	/* The container's cgroup name below the parent: "claunch-NAME" style, one component. */
	const char *name;
	/* Optional: where cg_driver_new() says in words why it failed, when it can say more than
	 * its errno (the systemd bus that did not answer). */
	char *error;
	size_t error_size;
};

struct cg_driver;

/* Which cgroupfs layout ROOT has: V2 when ROOT itself is a cgroup2 mount with controllers
 * (ROOT/cgroup.controllers lists memory or cpu or pids); V1 when ROOT holds per-controller
 * hierarchies (ROOT/memory, ROOT/cpu or ROOT/cpu,cpuacct, ...), even if a controller-less
 * cgroup2 is also mounted at ROOT/unified ("hybrid"). -ENOENT when neither. */
int cg_detect(const char *root, enum cg_kind *ret);

/* Whether PID 1 is systemd (sd_booted(): /run/systemd/system exists). */
bool cg_systemd_booted(void);
/* Whether NAME is a slice unit name ("claunch.slice", "a-b.slice"): the systemd driver's
 * parent. Inline: the option parser checks it too. */
static inline bool cg_slice_is_valid(const char *name)
{
	static const char suffix[] = ".slice";
	size_t len = strlen(name), n = sizeof(suffix) - 1;

	if (len <= n || len > 255 || strcmp(name + len - n, suffix) != 0 || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(":_.-\\", *p)))
			return false;
	return true;
}

/* KIND_SYSTEMD: PARENT is a slice name, NAME becomes the unit claunch-NAME.scope (NAME.scope
 * when NAME starts with claunch-); connects to CG_SYSTEMD_BUS (-EHOSTUNREACH when nothing
 * answers there, -EOPNOTSUPP when configured --without-systemd). */
int cg_driver_new(enum cg_kind kind, const struct cg_config *config, struct cg_driver **ret);
/* Frees the handle only; nothing on disk is touched. */
void cg_driver_free(struct cg_driver *driver);
enum cg_kind cg_driver_kind(const struct cg_driver *driver);

/* Creates PARENT (if missing) and PARENT/NAME in every hierarchy it uses. v2: enables the
 * controllers the limits need in cgroup.subtree_control of each ancestor from the root down.
 * v1: in cpuset, copies cpuset.cpus and cpuset.mems from the parent (a new cpuset cgroup starts
 * empty and refuses tasks). -EEXIST if PARENT/NAME exists and is populated; an empty leftover
 * (a claunch that was SIGKILLed) is reused. On failure nothing it created is left. */
int cg_driver_create(struct cg_driver *driver);

/* Writes the limits (see DESIGN.md for the file of each: memory.max / memory.limit_in_bytes,
 * cpu.max / cpu.cfs_quota_us + cpu.cfs_period_us, cpu.weight / cpu.shares converted, cpuset.cpus,
 * pids.max, memory.swap.max = swap - memory / memory.memsw.limit_in_bytes). -EOPNOTSUPP naming
 * nothing when a needed controller is missing; the caller says which flag it was for via
 * cg_driver_missing_controller(). */
int cg_driver_set_limits(struct cg_driver *driver, const struct cg_limits *limits);
/* After -EOPNOTSUPP: the controller that was missing ("memory", "cpu", ...). */
const char *cg_driver_missing_controller(const struct cg_driver *driver);

/* After a failure: what went wrong in words when the backend can say more than the errno
 * (systemd's answer, a job's result, an unknown property); NULL when it cannot. */
const char *cg_driver_error(const struct cg_driver *driver);

/* Moves pid into the cgroup (every hierarchy). systemd: starts the scope with pid in it and
 * waits for its job; the limits given before are its properties. */
int cg_driver_attach(struct cg_driver *driver, pid_t pid);
/* v2: an O_DIRECTORY fd of the cgroup for clone3(CLONE_INTO_CGROUP); -EOPNOTSUPP on v1. The
 * caller closes it. */
int cg_driver_cgroup_fd(struct cg_driver *driver);

int cg_driver_stats(struct cg_driver *driver, struct cg_stats *ret);

/* An fd for the caller's event loop that becomes readable (EPOLLIN) when the kernel OOM-kills
 * in the cgroup: v1 an eventfd registered on memory.oom_control through cgroup.event_control;
 * v2 inotify on memory.events. Owned by the driver. After a wakeup, cg_driver_stats() tells
 * oom_kills. */
int cg_driver_oom_fd(struct cg_driver *driver);

/* Sends sig to every process in the cgroup, repeating until none is left for SIGKILL (v2:
 * cgroup.kill where the kernel has it; v1: freeze with the freezer, signal, thaw, so that
 * forking processes cannot escape). Returns the number of processes signalled. */
int cg_driver_kill_all(struct cg_driver *driver, int sig);
/* 1 when a process is in the cgroup, 0 when empty. */
int cg_driver_populated(struct cg_driver *driver);

/* Removes PARENT/NAME in every hierarchy (it must be empty: kill_all first); PARENT stays.
 * -EBUSY if still populated. */
int cg_driver_destroy(struct cg_driver *driver);

/* Removes empty PARENT/claunch-* cgroups left by claunch runs that were SIGKILLed (a populated
 * one belongs to a running container and stays). Returns the number removed. */
int cg_driver_remove_stale(struct cg_driver *driver, const char *prefix);

/* Removes PARENT (and its ancestors) in every hierarchy where nothing is left in it: for a
 * parent the caller owns, after destroy. One that still holds a cgroup stays. 0 or -errno. */
int cg_driver_remove_parent(struct cg_driver *driver);
