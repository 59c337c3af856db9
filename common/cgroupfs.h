/* Walking a cgroup2 directory: its processes and the cgroups below it. Shared by cinit's
 * per-service cgroups (init/svcgroup.c) and claunch's v2 driver (cgdriver/cgfs_v2.c). Functions
 * return a count or -errno and never print. */
#pragma once

#include <sys/types.h>

typedef int (*cgroupfs_pid_fn)(pid_t pid, void *data);

/* Calls fn for each pid in DIR/cgroup.procs ("0", a process outside our PID namespace, is
 * skipped). Returns how many, or the first negative value of fn, or -errno. */
int cgroupfs_procs_foreach(int dir_fd, cgroupfs_pid_fn fn, void *data);
/* The same over DIR and every cgroup below it (one removed meanwhile is skipped). */
int cgroupfs_tree_foreach_pid(int dir_fd, cgroupfs_pid_fn fn, void *data);
/* Removes every (empty) cgroup below DIR, deepest first; DIR stays. -EBUSY if one is
 * populated. */
int cgroupfs_tree_remove_children(int dir_fd);
