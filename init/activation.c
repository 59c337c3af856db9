/* Socket activation fds cinit was given, and who takes each (see activation.h). */
#include "config.h"

#include "init/activation.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACTIVATION_FD_FIRST 3
#define ACTIVATION_MAX	    1024 /* as claunch passes at most */
#define NAME_MAX_LEN	    255

struct activation_fd {
	int fd;
	char name[NAME_MAX_LEN + 1];
	bool claimed;
};

static struct activation_fd *activation;
static size_t activation_n;

size_t activation_take(void)
{
	const char *names = getenv("LISTEN_FDNAMES");
	long n = sdnotify_listen_fds(ACTIVATION_MAX);

	if (n == 0)
		return 0;
	if (n < 0) {
		log_warning("LISTEN_FDS=%s: not a number of fds, ignored", getenv("LISTEN_FDS"));
		n = 0;
	}
	activation = n ? calloc((size_t)n, sizeof(*activation)) : NULL;
	if (n && !activation) {
		log_warning("socket activation: out of memory");
		n = 0;
	}
	for (long i = 0; i < n; i++) {
		size_t len = names ? strcspn(names, ":") : 0;

		activation[i].fd = ACTIVATION_FD_FIRST + (int)i;
		/* sd_listen_fds_with_names(): a missing name is "unknown" */
		snprintf(activation[i].name, sizeof(activation[i].name), "%.*s", len ? (int)len : 7,
			 len ? names : "unknown");
		if (names)
			names = names[len] ? names + len + 1 : NULL;
		(void)util_fd_set_cloexec(activation[i].fd, true);
	}
	activation_n = (size_t)n;
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	return activation_n;
}

/* "web" and "web.socket" are one name; "web.service" matches both by default. */
static bool name_matches(const char *fd_name, const char *want, size_t want_len)
{
	size_t len = strlen(fd_name);
	static const char suffix[] = ".socket";
	size_t sl = sizeof(suffix) - 1;

	if (want_len > sl && strncmp(want + want_len - sl, suffix, sl) == 0)
		want_len -= sl;
	if (len > sl && strcmp(fd_name + len - sl, suffix) == 0)
		len -= sl;
	return len == want_len && strncmp(fd_name, want, len) == 0;
}

static bool service_takes(const struct activation_fd *a, const char *name, char *const *sockets)
{
	if (sockets && sockets[0]) {
		for (char *const *s = sockets; *s; s++)
			if (name_matches(a->name, *s, strlen(*s)))
				return true;
		return false;
	}
	/* web.service takes web.socket's */
	const char *dot = strrchr(name, '.');

	return name_matches(a->name, name, dot ? (size_t)(dot - name) : strlen(name));
}

void activation_claim(const char *name, char *const *sockets)
{
	for (size_t i = 0; i < activation_n; i++)
		if (service_takes(&activation[i], name, sockets))
			activation[i].claimed = true;
}

size_t activation_select(const char *name, char *const *sockets, int *fds, size_t max, char *names,
			 size_t names_size)
{
	size_t n = 0, used = 0;

	if (names_size)
		names[0] = '\0';
	for (size_t i = 0; i < activation_n && n < max; i++) {
		const struct activation_fd *a = &activation[i];
		int len;

		if (name ? !service_takes(a, name, sockets) : a->claimed)
			continue;
		len = snprintf(names + used, names_size - used, "%s%s", n ? ":" : "", a->name);
		if (len < 0 || (size_t)len >= names_size - used)
			break;
		used += (size_t)len;
		fds[n++] = a->fd;
	}
	return n;
}
