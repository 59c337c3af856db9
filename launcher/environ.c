/* docker run's environment: defaults, --env-file files, -e flags. */
#include "config.h"

#include "launcher/environ.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct environ_list {
	char **items;
	size_t count;
	size_t allocated;
};

/* Adds or replaces NAME=VALUE (entry is "NAME=VALUE", copied). */
static int list_set(struct environ_list *l, const char *entry)
{
	size_t name_len = strcspn(entry, "=");
	char *copy = strdup(entry);

	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < l->count; i++)
		if (strncmp(l->items[i], entry, name_len) == 0 && l->items[i][name_len] == '=') {
			free(l->items[i]);
			l->items[i] = copy;
			return 0;
		}
	if (l->count + 2 > l->allocated) {
		size_t n = l->allocated ? l->allocated * 2 : 16;
		char **grown = realloc(l->items, n * sizeof(*grown));

		if (!grown) {
			free(copy);
			return -ENOMEM;
		}
		l->items = grown;
		l->allocated = n;
	}
	l->items[l->count++] = copy;
	l->items[l->count] = NULL;
	return 0;
}

static int list_set_pair(struct environ_list *l, const char *name, const char *value)
{
	_cleanup_free_ char *entry = NULL;

	if (asprintf(&entry, "%s=%s", name, value) < 0) {
		entry = NULL;
		return -ENOMEM;
	}
	return list_set(l, entry);
}

/* "NAME=VALUE" as is, or a bare "NAME": the launcher's value, or nothing when it has none. */
static int list_set_flag(struct environ_list *l, const char *entry)
{
	const char *value;

	if (strchr(entry, '='))
		return list_set(l, entry);
	value = getenv(entry);
	return value ? list_set_pair(l, entry, value) : 0;
}

/* docker's env-file format: leading blanks are dropped, empty and '#' lines skipped, the value
 * is everything after the first '=' verbatim (no quotes, no expansion). */
static int read_env_file(struct environ_list *l, const char *path, char *err, size_t err_size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	unsigned number = 0;
	ssize_t len;

	if (!f) {
		snprintf(err, err_size, "--env-file %s: %s", path, strerror(errno));
		return -errno;
	}
	while ((len = getline(&line, &size, f)) >= 0) {
		char *p = line;
		size_t name_len;
		int r;

		number++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		name_len = strcspn(p, "=");
		if (name_len == 0) {
			snprintf(err, err_size, "--env-file %s:%u: \"%s\": no variable name", path,
				 number, p);
			return -EINVAL;
		}
		if (strcspn(p, " \t") < name_len) {
			snprintf(
				err, err_size,
				"--env-file %s:%u: \"%.*s\": a variable name cannot contain spaces",
				path, number, (int)name_len, p);
			return -EINVAL;
		}
		r = list_set_flag(l, p);
		if (r < 0)
			return r;
	}
	if (ferror(f)) {
		snprintf(err, err_size, "--env-file %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

void environ_free(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

int environ_build(const struct claunch_options *o, const char *hostname, char ***ret, char *err,
		  size_t err_size)
{
	struct environ_list l = { 0 };
	int r;

	r = list_set_pair(&l, "PATH", ENVIRON_DEFAULT_PATH);
	if (r >= 0 && hostname)
		r = list_set_pair(&l, "HOSTNAME", hostname);
	if (r >= 0 && o->tty)
		r = list_set_pair(&l, "TERM", "xterm");
	for (size_t i = 0; r >= 0 && i < o->n_env_files; i++)
		r = read_env_file(&l, o->env_files[i], err, err_size);
	for (size_t i = 0; r >= 0 && i < o->n_env; i++)
		r = list_set_flag(&l, o->env[i]);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(err, err_size, "out of memory");
		environ_free(l.items);
		return r;
	}
	*ret = l.items;
	return 0;
}

int environ_set(char ***env, const char *name, const char *value)
{
	struct environ_list l = { .items = *env };

	while (l.items && l.items[l.count])
		l.count++;
	l.allocated = l.count + 1;
	if (list_set_pair(&l, name, value) < 0)
		return -ENOMEM;
	*env = l.items;
	return 0;
}
