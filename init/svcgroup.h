/* One cgroup v2 per service, where cinit has a writable, delegated cgroup: every process a
 * service starts stays attributed to it, KillMode=control-group is exact, and MemoryMax=,
 * CPUQuota= and TasksMax= apply per service. Where there is none, svcgroup_root_open() says
 * -ENOTSUP and the caller tracks services by process group instead. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct svcgroup_root; /* the cgroup cinit may create service cgroups in */
struct svcgroup;      /* one service's cgroup */

/* Finds where cinit may put service cgroups.
 *
 * path: an explicit absolute cgroup2 directory (cinit --cgroup DIR or $CINIT_CGROUP), or NULL to
 * detect cinit's own cgroup2 ("0::/x" in /proc/self/cgroup, below the cgroup2 mount of
 * /proc/self/mountinfo whose root covers it; "/x/init.scope" counts as "/x", so that a re-exec
 * finds the same root). A detected cgroup is used only when it is writable and delegation is
 * evident: we are PID 1 and our cgroup is "/" (our cgroup namespace) or a directory owned by our
 * euid; or, when not PID 1, it is not "/" and carries systemd's delegation mark (the
 * "trusted.delegate" or "user.delegate" xattr that Delegate=yes sets). Otherwise, and on systems
 * without cgroup v2, -ENOTSUP: nothing is created, least of all in the host's root cgroup.
 * Failures with an explicit path are logged here, naming the path and the reason; detection
 * only leaves debug messages.
 *
 * cgroup v2 lets no process live in a cgroup that has controllers enabled for its children, so
 * this creates the leaf ROOT/init.scope, moves every process of ROOT there (cinit and whatever
 * else is in cgroup.procs, as systemd does), then enables those of memory, cpu and pids that
 * ROOT's cgroup.controllers offers. One that cannot be enabled is a debug note: its limits are
 * unavailable (svcgroup_root_has_controller() says which are on). */
int svcgroup_root_open(const char *path, struct svcgroup_root **ret);
/* Frees; removes nothing. Every svcgroup of the root must have been freed before. */
void svcgroup_root_free(struct svcgroup_root *root);
const char *svcgroup_root_path(const struct svcgroup_root *root);
/* "memory", "cpu" or "pids" enabled for the service cgroups; false for any other name. */
bool svcgroup_root_has_controller(const struct svcgroup_root *root, const char *controller);

/* Creates ROOT/NAME, or reuses it when a previous run left it empty (-EBUSY when it still holds
 * processes). NAME is a unit name like "web.service": empty names, names with '/', names
 * starting with '.' and "init.scope" are -EINVAL. */
int svcgroup_create(struct svcgroup_root *root, const char *name, struct svcgroup **ret);
const char *svcgroup_path(const struct svcgroup *group);

/* memory.max (bytes), cpu.max (CPUQuota= as usec of CPU time per second, applied over a 100 ms
 * period) and pids.max. UINT64_MAX means no limit: "max" is written when the controller is on
 * (resetting what a reused cgroup had), nothing otherwise. -EOPNOTSUPP, with nothing written,
 * when a limit is requested whose controller is off. */
int svcgroup_set_limits(struct svcgroup *group, uint64_t memory_max,
			uint64_t cpu_quota_per_sec_usec, uint64_t tasks_max);

enum svcgroup_limit {
	SVCGROUP_MEMORY_MAX,
	SVCGROUP_CPU_MAX,
	SVCGROUP_PIDS_MAX,
};
/* The text svcgroup_set_limits() writes for one limit: "268435456", "50000 100000", "max"...
 * (a quota below the kernel's 1 ms minimum becomes 1 ms, a pids.max above the kernel's PID
 * limit becomes "max"). Returns the length or -ENOBUFS. Public so that tests see the mapping on
 * machines whose cgroup2 has none of these controllers. */
int svcgroup_limit_text(enum svcgroup_limit limit, uint64_t value, char *buf, size_t size);

/* An O_WRONLY|O_CLOEXEC fd of GROUP/cgroup.procs: a forked child writes "0" to it before exec,
 * so that it is in the group before it runs any of the service's code. The caller closes it. */
int svcgroup_open_procs(struct svcgroup *group);
int svcgroup_attach(struct svcgroup *group, pid_t pid);

/* Sends sig to every process in the group and its sub-cgroups (never to cinit itself). SIGKILL
 * goes through cgroup.kill where the kernel has it (5.14+), which no fork can escape; otherwise,
 * and for other signals, cgroup.procs is read and each new pid kill()ed, pass after pass until a
 * pass finds no new pid (processes forking meanwhile), at most 32 passes. Returns the number of
 * processes signalled (with cgroup.kill: the number present just before), or the first -errno
 * other than ESRCH. */
int svcgroup_kill(struct svcgroup *group, int sig);
/* As svcgroup_kill() through cgroup.procs, leaving out the pids in except[] (processes the
 * caller signals itself). */
int svcgroup_kill_except(struct svcgroup *group, int sig, const pid_t *except, size_t n_except);

/* 1 while a process is left in the group or its sub-cgroups ("populated 1" in cgroup.events),
 * 0 when none is, or -errno. */
int svcgroup_is_populated(struct svcgroup *group);

/* An inotify fd (IN_MODIFY on GROUP/cgroup.events) that becomes readable — plain EPOLLIN — when
 * "populated" (or "frozen") changes. Owned by the group: do not close it; repeated calls return
 * the same fd. Chosen over polling cgroup.events itself, which is always EPOLLIN-ready and
 * signals only with EPOLLPRI, to be re-armed by re-reading the file; inotify is what systemd
 * watches too. A change that happened before the watch existed is not reported, so check
 * svcgroup_is_populated() once after adding the fd to the loop. */
int svcgroup_events_fd(struct svcgroup *group);
/* Drains the events fd (without blocking) and returns svcgroup_is_populated(). */
int svcgroup_events_consume(struct svcgroup *group);

/* Calls fn for every pid in the group and its sub-cgroups (cgroup.procs), stopping at the first
 * negative return of fn, which is returned. Otherwise returns the number of pids visited. */
int svcgroup_foreach_pid(struct svcgroup *group, int (*fn)(pid_t pid, void *data), void *data);

/* Removes the cgroup directory (and empty sub-cgroups a service made), then frees the group.
 * -EBUSY while a process is left, or another -errno: then nothing is freed and the group stays
 * usable (kill, wait for the events fd, try again). */
int svcgroup_destroy(struct svcgroup *group);
/* Frees without removing anything. */
void svcgroup_free(struct svcgroup *group);
