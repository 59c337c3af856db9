/* Reaps every exited child with waitpid(-1, WNOHANG) until none is left to reap, and tells the
 * owner of a watched pid how it ended. Orphans that nobody watches are reaped and counted. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct reaper;

typedef void (*reaper_exit_handler)(pid_t pid, int status, void *data);

int reaper_new(struct reaper **ret);
void reaper_free(struct reaper *reaper);

/* handler(pid, wait status, data) is called once, when pid is reaped. */
int reaper_watch(struct reaper *reaper, pid_t pid, reaper_exit_handler handler, void *data);
void reaper_unwatch(struct reaper *reaper, pid_t pid);
/* Whether someone watches pid already. */
bool reaper_is_watched(const struct reaper *reaper, pid_t pid);

/* Called for every reaped pid nobody watched (for -w warnings). May be NULL. */
void reaper_on_orphan(struct reaper *reaper, reaper_exit_handler handler, void *data);

/* Reaps everything that has exited. Returns 1 if children remain alive, 0 if cinit has no
 * children left at all, or -errno. */
int reaper_drain(struct reaper *reaper);

/* Total orphans reaped so far. */
unsigned long reaper_orphans_reaped(const struct reaper *reaper);

/* Calls fn for every live child of this process, from /proc/self/task/TID/children (every
 * orphan of a subreaper shows up there once its parent is gone). Returns 0, the first negative
 * value of fn, or -errno (e.g. -ENOENT without /proc). */
int reaper_foreach_child(int (*fn)(pid_t pid, void *data), void *data);
