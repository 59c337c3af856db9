/* Socket activation handed to cinit (LISTEN_PID is cinit's pid, as in a claunch container
 * started by a .socket unit): which fds go to which process. A --units service takes those
 * its Sockets= names, or by default those named after it (web.service: "web", "web.socket");
 * the main command takes the rest. Each receiver gets its fds renumbered from 3, with its own
 * LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID, as sd_listen_fds(3) expects. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Takes fds 3.. named by $LISTEN_FDS/$LISTEN_FDNAMES when $LISTEN_PID is ours: marks them
 * close-on-exec, so that only the receivers chosen here get them, and removes the three
 * variables from cinit's environment. Returns how many fds there are (0: none for us). */
size_t activation_take(void);

/* Marks the fds service NAME takes (sockets: its Sockets=, may be NULL) as claimed. Called for
 * every unit once the units are loaded, before the main command starts. */
void activation_claim(const char *name, char *const *sockets);

/* The fds of service NAME, or of the main command (name NULL: the unclaimed ones), into fds
 * (at most max) and their names joined by ':' into names. Returns the count. */
size_t activation_select(const char *name, char *const *sockets, int *fds, size_t max, char *names,
			 size_t names_size);
