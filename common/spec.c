#include "config.h"

#include "common/spec.h"

#include "common/execline.h"
#include "common/log.h"
#include "common/users.h"
#include "common/util.h"
#include "common/values.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* systemd's defaults, except TimeoutStopSec: cinit's shutdown must fit in the 10 s that docker
 * stop (and most orchestrators) give a container before SIGKILL, so the default is 10 s, as
 * DESIGN.md says, where systemd has 90 s. TimeoutStartSec keeps systemd's 90 s. */
#define SPEC_DEFAULT_TIMEOUT_START_USEC (90 * USEC_PER_SEC)
#define SPEC_DEFAULT_TIMEOUT_STOP_USEC	(10 * USEC_PER_SEC)
#define SPEC_DEFAULT_RESTART_USEC	(100 * USEC_PER_MSEC)
#define SPEC_DEFAULT_START_LIMIT_USEC	(10 * USEC_PER_SEC)
#define SPEC_DEFAULT_START_LIMIT_BURST	5

/* Capability numbers of <linux/capability.h> (not in musl's headers), CAP_CHOWN = 0 onwards. */
static const char *const capability_names[] = {
	"chown",
	"dac_override",
	"dac_read_search",
	"fowner",
	"fsetid",
	"kill",
	"setgid",
	"setuid",
	"setpcap",
	"linux_immutable",
	"net_bind_service",
	"net_broadcast",
	"net_admin",
	"net_raw",
	"ipc_lock",
	"ipc_owner",
	"sys_module",
	"sys_rawio",
	"sys_chroot",
	"sys_ptrace",
	"sys_pacct",
	"sys_admin",
	"sys_boot",
	"sys_nice",
	"sys_resource",
	"sys_time",
	"sys_tty_config",
	"mknod",
	"lease",
	"audit_write",
	"audit_control",
	"setfcap",
	"mac_override",
	"mac_admin",
	"syslog",
	"wake_alarm",
	"block_suspend",
	"audit_read",
	"perfmon",
	"bpf",
	"checkpoint_restore",
};
#define CAP_MASK_ALL ((UINT64_C(1) << ELEMENTSOF(capability_names)) - 1)

struct spec_section_seen {
	const char *file, *section;
};

/* What a loader keeps while it walks the entries, besides the spec itself. */
struct spec_loader {
	const struct unit_file *unit;
	struct unit_diag *diag;
	struct service_spec *spec;
	bool type_set, timeout_start_set, standard_error_inherit;
	size_t exec_start_commands;
	const struct unit_entry *second_exec_start, *restart, *restart_steps, *restart_max_delay;
	struct spec_section_seen *unknown_sections; /* already warned about */
	size_t n_unknown_sections;
};

struct spec_key;
typedef int (*spec_key_parse)(struct spec_loader *l, const struct unit_entry *e,
			      const struct spec_key *k, void *field);

struct spec_key {
	const char *section;
	const char *key;
	spec_key_parse parse;
	size_t offset; /* of the field in struct service_spec */
	int arg;       /* meaning depends on parse */
};

/* ---- messages ---- */

static void loader_warn(struct spec_loader *l, const struct unit_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void loader_warn(struct spec_loader *l, const struct unit_entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_diag_warnv(l->diag, e->file, e->line, fmt, ap);
	va_end(ap);
}

/* `FILE:LINE: KEY: "TEXT" REASON`, for reasons no value parser knows. */
static int loader_fail(struct spec_loader *l, const struct unit_entry *e, const char *text,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int loader_fail(struct spec_loader *l, const struct unit_entry *e, const char *text,
		       const char *fmt, ...)
{
	char reason[256], quoted[64 * 4 + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	value_quote(quoted, sizeof(quoted), text);
	/* A message longer than the buffer is cut, and still one line. */
	if (snprintf(l->diag->error, sizeof(l->diag->error), "%s:%u: %s: \"%s\" %s", e->file,
		     e->line, e->key, quoted, reason) < 0)
		l->diag->error[0] = '\0';
	return -EINVAL;
}

/* A value parser's error r, in the project's words. */
static int loader_fail_value(struct spec_loader *l, const struct unit_entry *e, const char *text,
			     enum value_kind kind, int r)
{
	char what[384];

	snprintf(what, sizeof(what), "%s:%u: %s", e->file, e->line, e->key);
	value_format_error(l->diag->error, sizeof(l->diag->error), what, text, kind, r);
	return -EINVAL;
}

/* For failures that concern the whole unit rather than one line. */
static const char *loader_file(const struct spec_loader *l)
{
	const struct unit_entry *entries;

	if (unit_file_entries(l->unit, &entries) > 0)
		return entries[0].file;
	return unit_file_name(l->unit);
}

/* ---- string lists ---- */

static size_t strv_length(char **list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

static void strv_free(char **list)
{
	unit_words_free(list);
}

static void strv_reset(char ***list)
{
	strv_free(*list);
	*list = NULL;
}

/* Takes item (freed on failure). */
static int strv_push(char ***list, char *item)
{
	size_t n = strv_length(*list);
	char **grown;

	if (!item)
		return -ENOMEM;
	grown = realloc(*list, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(item);
		return -ENOMEM;
	}
	grown[n] = item;
	grown[n + 1] = NULL;
	*list = grown;
	return 0;
}

static int string_replace(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

/* Splits e->value into words; fails with `KEY: "VALUE": reason` on bad quoting. */
static int loader_split(struct spec_loader *l, const struct unit_entry *e, char ***ret)
{
	char err[256] = "";
	int r = unit_words_split(e->value, ret, err, sizeof(err));

	if (r == -EINVAL)
		return loader_fail(l, e, e->value, "is not a valid word list: %s", err);
	return r;
}

/* ---- validation of names ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* As systemd's env_name_is_valid(): printable ASCII without '=', not starting with a digit. */
static bool env_name_valid(const char *name, size_t len)
{
	if (len == 0 || is_digit(name[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] >= 0x7f || name[i] == '=')
			return false;
	return true;
}

static bool env_assignment_valid(const char *text)
{
	const char *eq = strchr(text, '=');

	return eq && env_name_valid(text, (size_t)(eq - text));
}

/* What /etc/passwd and /etc/group could hold (users.c reads the same way); resolved at start. */
static int user_or_group_check(const char *text)
{
	uint32_t id;
	size_t len = strlen(text);
	bool digits = len > 0;

	for (size_t i = 0; i < len; i++)
		digits = digits && is_digit(text[i]);
	if (digits)
		return users_parse_id(text, &id);
	if (len == 0 || len >= USERS_NAME_MAX || text[0] == '-' || text[0] == '+')
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] <= ' ' || text[i] == 0x7f || text[i] == ':' ||
		    text[i] == ',' || text[i] == '/')
			return -EINVAL;
	return 0;
}

static int user_or_group_fail(struct spec_loader *l, const struct unit_entry *e, const char *text,
			      const char *noun, int r)
{
	if (r == -ERANGE)
		return loader_fail(l, e, text, "is out of range for an id (0-4294967294)");
	return loader_fail(l, e, text, "is not a %s name or id", noun);
}

/* ---- parsers, one per kind of key ---- */

static int parse_string(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
			void *field)
{
	(void)l;
	(void)k;
	return string_replace(field, e->value[0] ? e->value : NULL);
}

static int parse_user_or_group(struct spec_loader *l, const struct unit_entry *e,
			       const struct spec_key *k, void *field)
{
	int r;

	if (e->value[0]) {
		r = user_or_group_check(e->value);
		if (r < 0)
			return user_or_group_fail(l, e, e->value, k->arg ? "group" : "user", r);
	}
	return string_replace(field, e->value[0] ? e->value : NULL);
}

enum word_check {
	WORD_UNIT_NAME,
	WORD_GROUP,
	WORD_ENV_NAME,
	WORD_ENV_NAME_OR_ASSIGNMENT,
	WORD_FD_NAME,
};

static int word_check(struct spec_loader *l, const struct unit_entry *e, const char *word,
		      enum word_check check)
{
	char prefix[256], instance[256], suffix[256];
	int r;

	switch (check) {
	case WORD_UNIT_NAME:
		if (strlen(word) >= sizeof(prefix) ||
		    !unit_name_split(word, prefix, instance, suffix))
			return loader_fail(l, e, word, "is not a unit name");
		return 0;
	case WORD_GROUP:
		r = user_or_group_check(word);
		return r < 0 ? user_or_group_fail(l, e, word, "group", r) : 0;
	case WORD_ENV_NAME:
		if (!env_name_valid(word, strlen(word)))
			return loader_fail(l, e, word, "is not a variable name");
		return 0;
	case WORD_ENV_NAME_OR_ASSIGNMENT:
		if (!env_name_valid(word, strlen(word)) && !env_assignment_valid(word))
			return loader_fail(l, e, word,
					   "is neither a variable name nor an assignment");
		return 0;
	case WORD_FD_NAME:
		/* LISTEN_FDNAMES separates names with ':' */
		if (strlen(word) > 255 || strchr(word, ':'))
			return loader_fail(l, e, word, "is not a socket or file descriptor name");
		return 0;
	}
	return 0;
}

/* Space-separated words; repeated keys accumulate, an empty assignment resets. */
static int parse_word_list(struct spec_loader *l, const struct unit_entry *e,
			   const struct spec_key *k, void *field)
{
	char ***list = field;
	char **words = NULL;
	size_t n;
	int r;

	if (!e->value[0]) {
		strv_reset(list);
		return 0;
	}
	r = loader_split(l, e, &words);
	if (r < 0)
		return r;
	n = (size_t)r;
	for (size_t i = 0; i < n; i++) {
		r = word_check(l, e, words[i], (enum word_check)k->arg);
		if (r < 0)
			break;
		r = strv_push(list, words[i]);
		words[i] = NULL; /* taken, or freed by strv_push */
		if (r < 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return r < 0 ? r : 0;
}

static int parse_environment(struct spec_loader *l, const struct unit_entry *e,
			     const struct spec_key *k, void *field)
{
	char ***list = field;
	char **words = NULL;
	size_t n;
	int r;

	(void)k;
	if (!e->value[0]) {
		strv_reset(list);
		return 0;
	}
	n = (size_t)(r = loader_split(l, e, &words));
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!env_assignment_valid(words[i])) {
			r = loader_fail(l, e, words[i],
					"is not a variable assignment (NAME=VALUE)");
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		size_t name_len = (size_t)(strchr(words[i], '=') - words[i]) + 1;
		char **slot = NULL;

		/* A later assignment of a name replaces the earlier one where it was. */
		for (char **v = *list; v && *v && !slot; v++)
			if (strncmp(*v, words[i], name_len) == 0)
				slot = v;
		if (slot) {
			free(*slot);
			*slot = words[i];
			words[i] = NULL;
			continue;
		}
		r = strv_push(list, words[i]);
		words[i] = NULL;
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return r;
}

/* One absolute path per assignment, with an optional leading "-" kept as written. */
static int parse_environment_file(struct spec_loader *l, const struct unit_entry *e,
				  const struct spec_key *k, void *field)
{
	const char *path = e->value[0] == '-' ? e->value + 1 : e->value;

	(void)k;
	if (!e->value[0]) {
		strv_reset(field);
		return 0;
	}
	if (path[0] != '/')
		return loader_fail(l, e, e->value, "is not an absolute path");
	return strv_push(field, strdup(e->value));
}

static int parse_working_directory(struct spec_loader *l, const struct unit_entry *e,
				   const struct spec_key *k, void *field)
{
	struct exec_spec *exec = &l->spec->exec;
	const char *path = e->value[0] == '-' ? e->value + 1 : e->value;

	(void)k;
	(void)field;
	if (e->value[0] && path[0] != '/' && strcmp(path, "~") != 0)
		return loader_fail(l, e, e->value, "is neither an absolute path nor \"~\"");
	exec->working_directory_optional = e->value[0] == '-';
	return string_replace(&exec->working_directory, e->value[0] ? path : NULL);
}

/* systemd prefixes a relative PIDFile= with /run/. */
static int parse_pid_file(struct spec_loader *l, const struct unit_entry *e,
			  const struct spec_key *k, void *field)
{
	char *path;

	(void)k;
	if (!e->value[0] || e->value[0] == '/')
		return parse_string(l, e, k, field);
	if (asprintf(&path, "/run/%s", e->value) < 0)
		return -ENOMEM;
	free(*(char **)field);
	*(char **)field = path;
	return 0;
}

static int parse_bool(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		      void *field)
{
	bool v = k->arg != 0;
	int r;

	if (e->value[0]) {
		r = value_parse_bool(e->value, &v);
		if (r < 0)
			return loader_fail_value(l, e, e->value, VALUE_BOOL, r);
	}
	*(bool *)field = v;
	return 0;
}

static int parse_unsigned(struct spec_loader *l, const struct unit_entry *e,
			  const struct spec_key *k, void *field)
{
	uint64_t v = (uint64_t)k->arg;
	int r;

	if (e->value[0]) {
		r = value_parse_uint(e->value, 0, UINT32_MAX, &v);
		if (r < 0)
			return loader_fail_value(l, e, e->value, VALUE_INTEGER, r);
	}
	*(unsigned *)field = (unsigned)v;
	return 0;
}

static int parse_exit_status(struct spec_loader *l, const struct unit_entry *e,
			     const struct spec_key *k, void *field)
{
	uint64_t v;
	int r;

	(void)k;
	if (!e->value[0]) {
		*(int *)field = SPEC_UNSET;
		return 0;
	}
	r = value_parse_uint(e->value, 0, 255, &v);
	if (r < 0)
		return loader_fail_value(l, e, e->value, VALUE_EXIT_CODE, r);
	*(int *)field = (int)v;
	return 0;
}

static int parse_signal(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
			void *field)
{
	int v = k->arg, r;

	if (e->value[0]) {
		r = value_parse_signal(e->value, &v);
		if (r < 0)
			return loader_fail_value(l, e, e->value, VALUE_SIGNAL, r);
	}
	*(int *)field = v;
	return 0;
}

enum duration_default {
	DURATION_ZERO,
	DURATION_INFINITY,
	DURATION_RESTART,
	DURATION_START_LIMIT,
	DURATION_TIMEOUT_START,
	DURATION_TIMEOUT_STOP,
	DURATION_TIMEOUT_BOTH,
};

static int parse_duration(struct spec_loader *l, const struct unit_entry *e,
			  const struct spec_key *k, void *field)
{
	static const uint64_t defaults[] = {
		[DURATION_ZERO] = 0,
		[DURATION_INFINITY] = USEC_INFINITY,
		[DURATION_RESTART] = SPEC_DEFAULT_RESTART_USEC,
		[DURATION_START_LIMIT] = SPEC_DEFAULT_START_LIMIT_USEC,
		[DURATION_TIMEOUT_START] = SPEC_DEFAULT_TIMEOUT_START_USEC,
		[DURATION_TIMEOUT_STOP] = SPEC_DEFAULT_TIMEOUT_STOP_USEC,
	};
	struct service_spec *spec = l->spec;
	uint64_t v = 0;
	bool timeout = k->arg >= DURATION_TIMEOUT_START;
	int r;

	if (e->value[0]) {
		r = value_parse_duration(e->value, &v);
		if (r < 0)
			return loader_fail_value(l, e, e->value, VALUE_DURATION, r);
		/* systemd: a timeout of 0 disables it, as "infinity" does. */
		if (timeout && v == 0)
			v = VALUE_INFINITY;
	}

	switch (k->arg) {
	case DURATION_TIMEOUT_BOTH:
		spec->timeout_start_usec = e->value[0] ? v : SPEC_DEFAULT_TIMEOUT_START_USEC;
		spec->timeout_stop_usec = e->value[0] ? v : SPEC_DEFAULT_TIMEOUT_STOP_USEC;
		l->timeout_start_set = e->value[0] != '\0';
		return 0;
	case DURATION_TIMEOUT_START:
		l->timeout_start_set = e->value[0] != '\0';
		break;
	default:
		break;
	}
	*(uint64_t *)field = e->value[0] ? v : defaults[k->arg];
	return 0;
}

/* Sizes, plain numbers, "infinity" (VALUE_INFINITY) or empty (unset = VALUE_INFINITY). arg: 1
 * for a size, 0 for a count of at least 1 (TasksMax, as systemd). */
static int parse_cgroup_limit(struct spec_loader *l, const struct unit_entry *e,
			      const struct spec_key *k, void *field)
{
	uint64_t v = VALUE_INFINITY;
	int r;

	if (e->value[0] && strcmp(e->value, "infinity") != 0) {
		if (strchr(e->value, '%'))
			return loader_fail(l, e, e->value,
					   "is not supported: percentages of the host's resources "
					   "are not, give an absolute value");
		if (k->arg) {
			r = value_parse_size(e->value, &v);
			if (r < 0)
				return loader_fail_value(l, e, e->value, VALUE_SIZE, r);
		} else {
			r = value_parse_uint(e->value, 1, VALUE_INFINITY - 1, &v);
			if (r < 0)
				return loader_fail_value(l, e, e->value, VALUE_INTEGER, r);
		}
	}
	*(uint64_t *)field = v;
	return 0;
}

/* "50%", "150%", "12.5%" (at most two decimals, as systemd's permyriad) -> usec per second. */
static int parse_cpu_quota(struct spec_loader *l, const struct unit_entry *e,
			   const struct spec_key *k, void *field)
{
	const char *p = e->value;
	uint64_t permyriad = 0;
	unsigned decimals = 0;
	bool digits = false;

	(void)k;
	if (!e->value[0]) {
		*(uint64_t *)field = VALUE_INFINITY;
		return 0;
	}
	for (; is_digit(*p); p++, digits = true) {
		permyriad = permyriad * 10 + (uint64_t)(*p - '0');
		if (permyriad > UINT32_MAX)
			goto fail;
	}
	if (*p == '.')
		for (p++; is_digit(*p) && decimals < 2; p++, decimals++, digits = true)
			permyriad = permyriad * 10 + (uint64_t)(*p - '0');
	for (; decimals < 2; decimals++)
		permyriad *= 10;
	if (!digits || strcmp(p, "%") != 0 || permyriad == 0)
		goto fail;
	*(uint64_t *)field = permyriad * USEC_PER_SEC / 10000;
	return 0;
fail:
	return loader_fail(l, e, e->value, "is not a CPU quota (a percentage above 0, e.g. 50%%)");
}

static int parse_umask(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		       void *field)
{
	int v = 0;

	(void)k;
	if (!e->value[0]) {
		*(int *)field = SPEC_UNSET;
		return 0;
	}
	for (const char *p = e->value; *p; p++) {
		if (*p < '0' || *p > '7' || v > 0777)
			return loader_fail(l, e, e->value, "is not a umask (octal, 0000-0777)");
		v = v * 8 + (*p - '0');
	}
	if (v > 0777)
		return loader_fail(l, e, e->value, "is not a umask (octal, 0000-0777)");
	*(int *)field = v;
	return 0;
}

static int parse_nice(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		      void *field)
{
	const char *digits = e->value;
	uint64_t v;
	int r;

	(void)k;
	if (!e->value[0]) {
		*(int *)field = SPEC_UNSET;
		return 0;
	}
	if (*digits == '-' || *digits == '+')
		digits++;
	r = value_parse_uint(digits, 0, 20, &v);
	if (r == -EINVAL)
		return loader_fail_value(l, e, e->value, VALUE_INTEGER, r);
	if (r < 0 || (e->value[0] != '-' && v > 19))
		return loader_fail(l, e, e->value, "is out of range for a nice level (-20..19)");
	*(int *)field = e->value[0] == '-' ? -(int)v : (int)v;
	return 0;
}

/* ---- enumerations ---- */

struct name_value {
	const char *name;
	int value;
};

static const struct name_value *name_lookup(const struct name_value *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static int parse_type(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		      void *field)
{
	static const struct name_value types[] = {
		{ "simple", SPEC_TYPE_SIMPLE },
		{ "exec", SPEC_TYPE_EXEC },
		{ "forking", SPEC_TYPE_FORKING },
		{ "oneshot", SPEC_TYPE_ONESHOT },
		{ "notify", SPEC_TYPE_NOTIFY },
		/* idle only delays the start to keep the console tidy at boot: simple otherwise. */
		{ "idle", SPEC_TYPE_SIMPLE },
		{ NULL, 0 },
	};
	const struct name_value *t = name_lookup(types, e->value);

	(void)k;
	if (!e->value[0]) {
		l->type_set = false;
		*(enum spec_service_type *)field = SPEC_TYPE_SIMPLE;
		return 0;
	}
	if (!t) {
		bool systemd_has =
			strcmp(e->value, "dbus") == 0 || strcmp(e->value, "notify-reload") == 0;

		return loader_fail(l, e, e->value,
				   "is not %s (simple, exec, forking, oneshot, notify)",
				   systemd_has ? "supported" : "a service type");
	}
	l->type_set = true;
	*(enum spec_service_type *)field = (enum spec_service_type)t->value;
	return 0;
}

static int parse_restart(struct spec_loader *l, const struct unit_entry *e,
			 const struct spec_key *k, void *field)
{
	static const struct name_value policies[] = {
		{ "no", SPEC_RESTART_NO },
		{ "always", SPEC_RESTART_ALWAYS },
		{ "on-success", SPEC_RESTART_ON_SUCCESS },
		{ "on-failure", SPEC_RESTART_ON_FAILURE },
		{ "on-abnormal", SPEC_RESTART_ON_ABNORMAL },
		{ "on-abort", SPEC_RESTART_ON_ABORT },
		{ NULL, 0 },
	};
	const struct name_value *p = name_lookup(policies, e->value);

	(void)k;
	l->restart = e;
	if (!e->value[0]) {
		*(enum spec_restart *)field = SPEC_RESTART_NO;
		return 0;
	}
	/* A watchdog timeout is one of the abnormal ends: restarting on the others too is the
	 * nearest cinit offers without a policy of its own. */
	if (strcmp(e->value, "on-watchdog") == 0) {
		loader_warn(l, e, "Restart: \"on-watchdog\" is treated as on-abnormal");
		*(enum spec_restart *)field = SPEC_RESTART_ON_ABNORMAL;
		return 0;
	}
	if (!p)
		return loader_fail(l, e, e->value,
				   "is not a restart policy (no, always, on-success, on-failure, "
				   "on-abnormal, on-abort)");
	*(enum spec_restart *)field = (enum spec_restart)p->value;
	return 0;
}

static int parse_kill_mode(struct spec_loader *l, const struct unit_entry *e,
			   const struct spec_key *k, void *field)
{
	static const struct name_value modes[] = {
		{ "control-group", SPEC_KILL_CONTROL_GROUP },
		{ "mixed", SPEC_KILL_MIXED },
		{ "process", SPEC_KILL_PROCESS },
		{ NULL, 0 },
	};
	const struct name_value *m = name_lookup(modes, e->value);

	(void)k;
	if (!e->value[0]) {
		*(enum spec_kill_mode *)field = SPEC_KILL_CONTROL_GROUP;
		return 0;
	}
	/* systemd deprecates none; signalling only the main process is the nearest safe meaning
	 * for an init that must leave nothing running. */
	if (strcmp(e->value, "none") == 0) {
		loader_warn(l, e, "KillMode: \"none\" is treated as process");
		*(enum spec_kill_mode *)field = SPEC_KILL_PROCESS;
		return 0;
	}
	if (!m)
		return loader_fail(l, e, e->value,
				   "is not a kill mode (control-group, mixed, process)");
	*(enum spec_kill_mode *)field = (enum spec_kill_mode)m->value;
	return 0;
}

static int parse_action(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
			void *field)
{
	/* Powering off or halting a container is ending it; rebooting one is not cinit's call. */
	static const char *const ends_container[] = {
		"poweroff", "poweroff-force", "poweroff-immediate",
		"halt",	    "halt-force",     "halt-immediate",
	};
	static const char *const unsupported[] = {
		"reboot", "reboot-force", "reboot-immediate", "soft-reboot", "soft-reboot-force",
		"kexec",  "kexec-force",
	};

	(void)k;
	if (!e->value[0] || strcmp(e->value, "none") == 0) {
		*(enum spec_action *)field = SPEC_ACTION_NONE;
		return 0;
	}
	if (strcmp(e->value, "exit") == 0 || strcmp(e->value, "exit-force") == 0) {
		*(enum spec_action *)field = SPEC_ACTION_EXIT;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(ends_container); i++)
		if (strcmp(e->value, ends_container[i]) == 0) {
			loader_warn(l, e, "%s: \"%s\" is treated as exit (it ends the container)",
				    e->key, e->value);
			*(enum spec_action *)field = SPEC_ACTION_EXIT;
			return 0;
		}
	for (size_t i = 0; i < ELEMENTSOF(unsupported); i++)
		if (strcmp(e->value, unsupported[i]) == 0)
			return loader_fail(l, e, e->value,
					   "is not supported in a container (none, exit)");
	return loader_fail(l, e, e->value, "is not an action (none, exit)");
}

static int parse_standard_input(struct spec_loader *l, const struct unit_entry *e,
				const struct spec_key *k, void *field)
{
	(void)k;
	if (e->value[0] && strcmp(e->value, "null") != 0)
		return loader_fail(l, e, e->value, "is not supported (only null)");
	*(enum spec_input *)field = SPEC_INPUT_NULL;
	return 0;
}

/* arg: 0 for StandardOutput=, 1 for StandardError=. */
static int parse_standard_output(struct spec_loader *l, const struct unit_entry *e,
				 const struct spec_key *k, void *field)
{
	static const struct name_value kinds[] = {
		{ "inherit", SPEC_OUTPUT_INHERIT },
		{ "null", SPEC_OUTPUT_NULL },
		/* In a container cinit's log is the console: journal+console is journal. */
		{ "journal", SPEC_OUTPUT_JOURNAL },
		{ "journal+console", SPEC_OUTPUT_JOURNAL },
		{ "syslog", SPEC_OUTPUT_JOURNAL },
		{ "syslog+console", SPEC_OUTPUT_JOURNAL },
		{ "file:", SPEC_OUTPUT_FILE },
		{ "append:", SPEC_OUTPUT_APPEND },
		{ "truncate:", SPEC_OUTPUT_TRUNCATE },
		{ NULL, 0 },
	};
	struct exec_spec *exec = &l->spec->exec;
	bool is_stderr = k->arg != 0;
	char **path = is_stderr ? &exec->standard_error_path : &exec->standard_output_path;
	enum spec_output kind = SPEC_OUTPUT_JOURNAL;
	const char *file = NULL;

	if (strcmp(e->value, "kmsg") == 0 || strcmp(e->value, "kmsg+console") == 0) {
		loader_warn(l, e, "%s: \"%s\" is treated as journal (cinit's log)", e->key,
			    e->value);
	} else if (e->value[0]) {
		const struct name_value *t;

		for (t = kinds; t->name; t++) {
			size_t len = strlen(t->name);

			if (t->name[len - 1] == ':' ? strncmp(e->value, t->name, len) == 0
						    : strcmp(e->value, t->name) == 0)
				break;
		}
		if (!t->name)
			return loader_fail(l, e, e->value,
					   "is not supported (inherit, null, journal, file:PATH, "
					   "append:PATH, truncate:PATH)");
		kind = (enum spec_output)t->value;
		if (t->name[strlen(t->name) - 1] == ':') {
			file = e->value + strlen(t->name);
			if (file[0] != '/')
				return loader_fail(l, e, e->value, "needs an absolute path");
		}
	}
	/* systemd: StandardError=inherit (its default) means "as StandardOutput="; resolved
	 * once all keys are read. */
	if (is_stderr)
		l->standard_error_inherit = !e->value[0] || kind == SPEC_OUTPUT_INHERIT;
	*(enum spec_output *)field = kind;
	return string_replace(path, file);
}

/* ---- Exec lines ---- */

static void exec_list_clear(struct spec_exec_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->lines[i].value);
		free((char *)list->lines[i].file);
	}
	free(list->lines);
	*list = (struct spec_exec_list){ 0 };
}

static int parse_exec(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		      void *field)
{
	struct spec_exec_list *list = field;
	struct spec_exec_line *grown, *line;
	struct exec_command *commands = NULL;
	char err[256] = "";
	int n;

	if (!e->value[0]) {
		exec_list_clear(list);
		if (k->arg) {
			l->exec_start_commands = 0;
			l->second_exec_start = NULL;
		}
		return 0;
	}
	/* Syntax only: variables are expanded at start, with the service's environment. */
	n = exec_line_parse(e->value, NULL, &commands, err, sizeof(err));
	if (n == -EINVAL)
		return loader_fail(l, e, e->value, "is not a command line: %s", err);
	if (n < 0)
		return n;
	exec_commands_free(commands, (size_t)n);
	if (k->arg) {
		if (l->exec_start_commands < 2 && l->exec_start_commands + (size_t)n >= 2)
			l->second_exec_start = e;
		l->exec_start_commands += (size_t)n;
	}

	grown = realloc(list->lines, (list->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	list->lines = grown;
	line = &list->lines[list->count];
	*line = (struct spec_exec_line){ .value = strdup(e->value),
					 .file = strdup(e->file),
					 .line = e->line };
	if (!line->value || !line->file) {
		free(line->value);
		free((char *)line->file);
		return -ENOMEM;
	}
	list->count++;
	return 0;
}

/* Exit statuses 0-255 and signal names; repeated keys accumulate, empty resets. */
static int parse_success_exit_status(struct spec_loader *l, const struct unit_entry *e,
				     const struct spec_key *k, void *field)
{
	struct service_spec *spec = l->spec;
	char **words = NULL;
	int r = 0;

	(void)k;
	(void)field;
	if (!e->value[0]) {
		memset(spec->success_exit_status, 0, sizeof(spec->success_exit_status));
		memset(spec->success_signal, 0, sizeof(spec->success_signal));
		return 0;
	}
	r = loader_split(l, e, &words);
	if (r < 0)
		return r;
	r = 0;
	for (char **w = words; *w && r == 0; w++) {
		uint64_t status;
		int sig;

		if (is_digit(**w)) {
			r = value_parse_uint(*w, 0, 255, &status);
			if (r < 0)
				r = loader_fail_value(l, e, *w, VALUE_EXIT_CODE, r);
			else
				spec->success_exit_status[status] = true;
		} else if (value_parse_signal(*w, &sig) == 0 &&
			   (size_t)sig < ELEMENTSOF(spec->success_signal)) {
			spec->success_signal[sig] = true;
		} else {
			r = loader_fail(l, e, *w, "is neither an exit status nor a signal name");
		}
	}
	unit_words_free(words);
	return r;
}

/* ---- capabilities ---- */

const char *spec_capability_name(unsigned cap)
{
	return cap < ELEMENTSOF(capability_names) ? capability_names[cap] : NULL;
}

static int capability_from_name(const char *name)
{
	uint64_t n;

	if (strncasecmp(name, "cap_", 4) == 0) {
		for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
			if (strcasecmp(name + 4, capability_names[i]) == 0)
				return (int)i;
		return -EINVAL;
	}
	if (value_parse_uint(name, 0, ELEMENTSOF(capability_names) - 1, &n) < 0)
		return -EINVAL;
	return (int)n;
}

/* As systemd's config_parse_capability_set(): "~" inverts; the first assignment (or one of
 * an empty list) replaces the initial set, later ones add (or with "~" remove) capabilities.
 * arg: 1 for the bounding set (initially all), 0 for the ambient set (initially none). */
static int parse_capabilities(struct spec_loader *l, const struct unit_entry *e,
			      const struct spec_key *k, void *field)
{
	struct exec_spec *exec = &l->spec->exec;
	uint64_t *set = field, initial = k->arg ? CAP_MASK_ALL : 0, sum = 0;
	bool invert = e->value[0] == '~';
	struct unit_entry rest = *e;
	char **words = NULL;
	int r;

	rest.value = e->value + invert;
	r = loader_split(l, &rest, &words);
	if (r < 0)
		return r;
	for (char **w = words; *w; w++) {
		int cap = capability_from_name(*w);

		if (cap < 0) {
			r = loader_fail(l, e, *w, "is not a capability");
			unit_words_free(words);
			return r;
		}
		sum |= UINT64_C(1) << cap;
	}
	unit_words_free(words);

	if (sum == 0 || *set == initial)
		*set = invert ? ~sum & CAP_MASK_ALL : sum;
	else if (invert)
		*set &= ~sum;
	else
		*set |= sum;
	if (k->arg)
		exec->capability_bounding_set_set = true;
	return 0;
}

/* ---- resource limits ---- */

enum limit_kind {
	LIMIT_NUMBER,
	LIMIT_SIZE,
	LIMIT_SECONDS, /* LimitCPU: a duration, rounded up to seconds */
	LIMIT_USEC,    /* LimitRTTIME: a duration; a bare number is microseconds */
	LIMIT_NICE,    /* LimitNICE: "+N"/"-N" is a nice level, a bare number the raw 0..40 */
};

static const struct {
	const char *key;
	int resource;
	enum limit_kind kind;
} limit_keys[] = {
	{ "LimitCPU", RLIMIT_CPU, LIMIT_SECONDS },
	{ "LimitFSIZE", RLIMIT_FSIZE, LIMIT_SIZE },
	{ "LimitDATA", RLIMIT_DATA, LIMIT_SIZE },
	{ "LimitSTACK", RLIMIT_STACK, LIMIT_SIZE },
	{ "LimitCORE", RLIMIT_CORE, LIMIT_SIZE },
	{ "LimitRSS", RLIMIT_RSS, LIMIT_SIZE },
	{ "LimitNOFILE", RLIMIT_NOFILE, LIMIT_NUMBER },
	{ "LimitAS", RLIMIT_AS, LIMIT_SIZE },
	{ "LimitNPROC", RLIMIT_NPROC, LIMIT_NUMBER },
	{ "LimitMEMLOCK", RLIMIT_MEMLOCK, LIMIT_SIZE },
	{ "LimitLOCKS", RLIMIT_LOCKS, LIMIT_NUMBER },
	{ "LimitSIGPENDING", RLIMIT_SIGPENDING, LIMIT_NUMBER },
	{ "LimitMSGQUEUE", RLIMIT_MSGQUEUE, LIMIT_SIZE },
	{ "LimitNICE", RLIMIT_NICE, LIMIT_NICE },
	{ "LimitRTPRIO", RLIMIT_RTPRIO, LIMIT_NUMBER },
	{ "LimitRTTIME", RLIMIT_RTTIME, LIMIT_USEC },
};

static bool all_digits(const char *text)
{
	if (!*text)
		return false;
	for (; *text; text++)
		if (!is_digit(*text))
			return false;
	return true;
}

static int limit_parse(const char *text, enum limit_kind kind, rlim_t *ret)
{
	uint64_t v;
	int r;

	if (strcmp(text, "infinity") == 0) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	switch (kind) {
	case LIMIT_NUMBER:
		r = value_parse_uint(text, 0, (uint64_t)RLIM_INFINITY - 1, &v);
		break;
	case LIMIT_SIZE:
		r = value_parse_size(text, &v);
		break;
	case LIMIT_SECONDS:
		r = value_parse_duration(text, &v);
		if (r == 0 && v != VALUE_INFINITY)
			v = v / USEC_PER_SEC + (v % USEC_PER_SEC != 0);
		break;
	case LIMIT_USEC:
		if (all_digits(text))
			r = value_parse_uint(text, 0, (uint64_t)RLIM_INFINITY - 1, &v);
		else
			r = value_parse_duration(text, &v);
		break;
	case LIMIT_NICE:
	default:
		if (text[0] == '-' || text[0] == '+') {
			r = value_parse_uint(text + 1, 0, text[0] == '-' ? 20 : 19, &v);
			v = text[0] == '-' ? 20 + v : 20 - v; /* the kernel's 20 - nice */
		} else {
			r = value_parse_uint(text, 0, 40, &v);
		}
		break;
	}
	if (r < 0)
		return r;
	*ret = v == VALUE_INFINITY ? RLIM_INFINITY : (rlim_t)v;
	return 0;
}

static int parse_limit(struct spec_loader *l, const struct unit_entry *e, const struct spec_key *k,
		       void *field)
{
	static const enum value_kind kinds[] = {
		[LIMIT_NUMBER] = VALUE_INTEGER,	  [LIMIT_SIZE] = VALUE_SIZE,
		[LIMIT_SECONDS] = VALUE_DURATION, [LIMIT_USEC] = VALUE_DURATION,
		[LIMIT_NICE] = VALUE_INTEGER,
	};
	struct spec_rlimit *limit = field;
	enum limit_kind kind = limit_keys[k->arg].kind;
	char soft_text[128];
	const char *colon = strchr(e->value, ':');
	const char *hard_text = colon ? colon + 1 : e->value;
	rlim_t soft, hard;
	size_t soft_len = colon ? (size_t)(colon - e->value) : strlen(e->value);
	int r;

	if (!e->value[0]) {
		*limit = (struct spec_rlimit){ .set = false };
		return 0;
	}
	if (soft_len >= sizeof(soft_text))
		return loader_fail_value(l, e, e->value, kinds[kind], -EINVAL);
	memcpy(soft_text, e->value, soft_len);
	soft_text[soft_len] = '\0';
	r = limit_parse(soft_text, kind, &soft);
	if (r == 0)
		r = limit_parse(hard_text, kind, &hard);
	if (r < 0)
		return loader_fail_value(l, e, e->value, kinds[kind], r);
	if (soft > hard)
		return loader_fail(l, e, e->value, "has a soft limit above the hard limit");
	*limit = (struct spec_rlimit){ .set = true, .soft = soft, .hard = hard };
	return 0;
}

/* ---- the keys ---- */

#define SPEC(field) offsetof(struct service_spec, field)
#define EXEC(field) offsetof(struct service_spec, exec.field)

static const struct spec_key spec_keys[] = {
	{ "Unit", "Description", parse_string, SPEC(description), 0 },
	{ "Unit", "After", parse_word_list, SPEC(after), WORD_UNIT_NAME },
	{ "Unit", "Before", parse_word_list, SPEC(before), WORD_UNIT_NAME },
	{ "Unit", "Requires", parse_word_list, SPEC(requires), WORD_UNIT_NAME },
	{ "Unit", "Wants", parse_word_list, SPEC(wants), WORD_UNIT_NAME },
	{ "Unit", "BindsTo", parse_word_list, SPEC(binds_to), WORD_UNIT_NAME },
	{ "Unit", "Conflicts", parse_word_list, SPEC(conflicts), WORD_UNIT_NAME },
	{ "Unit", "StartLimitIntervalSec", parse_duration, SPEC(start_limit_interval_usec),
	  DURATION_START_LIMIT },
	{ "Unit", "StartLimitBurst", parse_unsigned, SPEC(start_limit_burst),
	  SPEC_DEFAULT_START_LIMIT_BURST },
	{ "Unit", "FailureAction", parse_action, SPEC(failure_action), 0 },
	{ "Unit", "SuccessAction", parse_action, SPEC(success_action), 0 },
	{ "Unit", "FailureActionExitStatus", parse_exit_status, SPEC(failure_action_exit_status),
	  0 },
	{ "Unit", "SuccessActionExitStatus", parse_exit_status, SPEC(success_action_exit_status),
	  0 },
	/* Older names systemd still reads, in units written before they moved to [Unit]. */
	{ "Unit", "StartLimitInterval", parse_duration, SPEC(start_limit_interval_usec),
	  DURATION_START_LIMIT },
	{ "Service", "StartLimitInterval", parse_duration, SPEC(start_limit_interval_usec),
	  DURATION_START_LIMIT },
	{ "Service", "StartLimitBurst", parse_unsigned, SPEC(start_limit_burst),
	  SPEC_DEFAULT_START_LIMIT_BURST },
	{ "Service", "FailureAction", parse_action, SPEC(failure_action), 0 },

	{ "Service", "Type", parse_type, SPEC(type), 0 },
	{ "Service", "PIDFile", parse_pid_file, SPEC(pid_file), 0 },
	{ "Service", "Sockets", parse_word_list, SPEC(sockets), WORD_FD_NAME },
	{ "Service", "ExecStartPre", parse_exec, SPEC(exec_start_pre), 0 },
	{ "Service", "ExecStart", parse_exec, SPEC(exec_start), 1 },
	{ "Service", "ExecStartPost", parse_exec, SPEC(exec_start_post), 0 },
	{ "Service", "ExecReload", parse_exec, SPEC(exec_reload), 0 },
	{ "Service", "ExecStop", parse_exec, SPEC(exec_stop), 0 },
	{ "Service", "ExecStopPost", parse_exec, SPEC(exec_stop_post), 0 },
	{ "Service", "RemainAfterExit", parse_bool, SPEC(remain_after_exit), false },
	{ "Service", "Restart", parse_restart, SPEC(restart), 0 },
	{ "Service", "RestartSec", parse_duration, SPEC(restart_usec), DURATION_RESTART },
	{ "Service", "RestartMaxDelaySec", parse_duration, SPEC(restart_max_delay_usec),
	  DURATION_INFINITY },
	{ "Service", "RestartSteps", parse_unsigned, SPEC(restart_steps), 0 },
	{ "Service", "TimeoutStartSec", parse_duration, SPEC(timeout_start_usec),
	  DURATION_TIMEOUT_START },
	{ "Service", "TimeoutStopSec", parse_duration, SPEC(timeout_stop_usec),
	  DURATION_TIMEOUT_STOP },
	{ "Service", "TimeoutSec", parse_duration, 0, DURATION_TIMEOUT_BOTH },
	{ "Service", "WatchdogSec", parse_duration, SPEC(watchdog_usec), DURATION_ZERO },
	{ "Service", "KillSignal", parse_signal, SPEC(kill_signal), SIGTERM },
	{ "Service", "FinalKillSignal", parse_signal, SPEC(final_kill_signal), SIGKILL },
	{ "Service", "KillMode", parse_kill_mode, SPEC(kill_mode), 0 },
	{ "Service", "SendSIGKILL", parse_bool, SPEC(send_sigkill), true },
	{ "Service", "SuccessExitStatus", parse_success_exit_status, 0, 0 },
	{ "Service", "MemoryMax", parse_cgroup_limit, SPEC(memory_max), 1 },
	{ "Service", "CPUQuota", parse_cpu_quota, SPEC(cpu_quota_per_sec_usec), 0 },
	{ "Service", "TasksMax", parse_cgroup_limit, SPEC(tasks_max), 0 },

	{ "Service", "User", parse_user_or_group, EXEC(user), 0 },
	{ "Service", "Group", parse_user_or_group, EXEC(group), 1 },
	{ "Service", "SupplementaryGroups", parse_word_list, EXEC(supplementary_groups),
	  WORD_GROUP },
	{ "Service", "Environment", parse_environment, EXEC(environment), 0 },
	{ "Service", "EnvironmentFile", parse_environment_file, EXEC(environment_files), 0 },
	{ "Service", "PassEnvironment", parse_word_list, EXEC(pass_environment), WORD_ENV_NAME },
	{ "Service", "UnsetEnvironment", parse_word_list, EXEC(unset_environment),
	  WORD_ENV_NAME_OR_ASSIGNMENT },
	{ "Service", "WorkingDirectory", parse_working_directory, 0, 0 },
	{ "Service", "UMask", parse_umask, EXEC(umask), 0 },
	{ "Service", "Nice", parse_nice, EXEC(nice), 0 },
	{ "Service", "NoNewPrivileges", parse_bool, EXEC(no_new_privileges), false },
	{ "Service", "CapabilityBoundingSet", parse_capabilities, EXEC(capability_bounding_set),
	  1 },
	{ "Service", "AmbientCapabilities", parse_capabilities, EXEC(ambient_capabilities), 0 },
	{ "Service", "StandardInput", parse_standard_input, EXEC(standard_input), 0 },
	{ "Service", "StandardOutput", parse_standard_output, EXEC(standard_output), 0 },
	{ "Service", "StandardError", parse_standard_output, EXEC(standard_error), 1 },
};

/* systemd keys cinit reads without a warning because they mean nothing in a container. */
static const struct {
	const char *section, *key;
} silent_keys[] = {
	{ "Unit", "Documentation" },	   /* a reference for people */
	{ "Unit", "DefaultDependencies" }, /* cinit adds no implicit dependencies either way */
};

/* systemd keys cinit knows and does not honour, with why. */
#define WHY_SANDBOX "the container is the sandbox: set it up with the container runtime"
#define WHY_CGROUP  "cinit gives each service its own cgroup where it has one"
static const struct {
	const char *key, *why;
} unsupported_keys[] = {
	{ "PrivateTmp", WHY_SANDBOX },
	{ "PrivateDevices", WHY_SANDBOX },
	{ "PrivateNetwork", WHY_SANDBOX },
	{ "PrivateUsers", WHY_SANDBOX },
	{ "ProtectSystem", WHY_SANDBOX },
	{ "ProtectHome", WHY_SANDBOX },
	{ "ProtectKernelTunables", WHY_SANDBOX },
	{ "ProtectKernelModules", WHY_SANDBOX },
	{ "ProtectControlGroups", WHY_SANDBOX },
	{ "ReadOnlyPaths", WHY_SANDBOX },
	{ "ReadWritePaths", WHY_SANDBOX },
	{ "InaccessiblePaths", WHY_SANDBOX },
	{ "RestrictNamespaces", WHY_SANDBOX },
	{ "SystemCallFilter", WHY_SANDBOX },
	{ "DynamicUser", WHY_SANDBOX },
	{ "Slice", WHY_CGROUP },
	{ "Delegate", WHY_CGROUP },
};

static bool section_known(const char *section)
{
	return strcmp(section, "Unit") == 0 || strcmp(section, "Service") == 0 ||
	       strcmp(section, "Install") == 0;
}

static int warn_unknown_section(struct spec_loader *l, const struct unit_entry *e)
{
	struct spec_section_seen *grown;

	for (size_t i = 0; i < l->n_unknown_sections; i++)
		if (strcmp(l->unknown_sections[i].file, e->file) == 0 &&
		    strcmp(l->unknown_sections[i].section, e->section) == 0)
			return 0;
	grown = realloc(l->unknown_sections, (l->n_unknown_sections + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->unknown_sections = grown;
	grown[l->n_unknown_sections].file = e->file;
	grown[l->n_unknown_sections].section = e->section;
	l->n_unknown_sections++;
	/* The parser keeps no line for a section header: the first key in it stands for it. */
	loader_warn(l, e, "unknown section [%s], ignoring", e->section);
	return 0;
}

static int entry_apply(struct spec_loader *l, const struct unit_entry *e)
{
	if (!section_known(e->section))
		return warn_unknown_section(l, e);
	/* WantedBy= and the rest of [Install] are for systemctl enable: nothing to do here. */
	if (strcmp(e->section, "Install") == 0)
		return 0;

	for (size_t i = 0; i < ELEMENTSOF(spec_keys); i++) {
		const struct spec_key *k = &spec_keys[i];

		if (strcmp(k->key, e->key) == 0 && strcmp(k->section, e->section) == 0)
			return k->parse(l, e, k, (char *)l->spec + k->offset);
	}
	for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++)
		if (strcmp(e->section, "Service") == 0 && strcmp(limit_keys[i].key, e->key) == 0) {
			const struct spec_key k = { "Service", limit_keys[i].key, parse_limit, 0,
						    (int)i };

			return parse_limit(l, e, &k,
					   &l->spec->exec.rlimits[limit_keys[i].resource]);
		}
	for (size_t i = 0; i < ELEMENTSOF(silent_keys); i++)
		if (strcmp(silent_keys[i].key, e->key) == 0 &&
		    strcmp(silent_keys[i].section, e->section) == 0)
			return 0;
	for (size_t i = 0; i < ELEMENTSOF(unsupported_keys); i++)
		if (strcmp(e->section, "Service") == 0 &&
		    strcmp(unsupported_keys[i].key, e->key) == 0) {
			loader_warn(l, e, "%s= is not supported (%s), ignoring", e->key,
				    unsupported_keys[i].why);
			return 0;
		}
	loader_warn(l, e, "unknown key \"%s\" in [%s], ignoring", e->key, e->section);
	return 0;
}

/* The rules systemd's service_verify() applies once every key is read, and the defaults
 * that depend on several keys. */
static int loader_finish(struct spec_loader *l)
{
	struct service_spec *spec = l->spec;
	struct exec_spec *exec = &spec->exec;
	bool has_start = spec->exec_start.count > 0;
	const char *file = loader_file(l);

	/* systemd: without Type= and ExecStart=, a service is oneshot. */
	if (!l->type_set && !has_start)
		spec->type = SPEC_TYPE_ONESHOT;

	/* systemd: only Type=oneshot may go without ExecStart=, and then only with ExecStop= (or
	 * SuccessAction=) to run and RemainAfterExit=yes (or SuccessAction=) to stay active. */
	if (!has_start &&
	    (spec->type != SPEC_TYPE_ONESHOT ||
	     (spec->exec_stop.count == 0 && spec->success_action == SPEC_ACTION_NONE))) {
		snprintf(l->diag->error, sizeof(l->diag->error), "%s: no ExecStart= in [Service]",
			 file);
		return -EINVAL;
	}
	if (!has_start && !spec->remain_after_exit && spec->success_action == SPEC_ACTION_NONE) {
		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s: no ExecStart= in [Service] (without one, Type=oneshot needs "
			 "RemainAfterExit=yes or SuccessAction=)",
			 file);
		return -EINVAL;
	}
	if (spec->type != SPEC_TYPE_ONESHOT && l->second_exec_start) {
		const struct unit_entry *e = l->second_exec_start;

		snprintf(l->diag->error, sizeof(l->diag->error),
			 "%s:%u: ExecStart: more than one command (only Type=oneshot may have "
			 "several)",
			 e->file, e->line);
		return -EINVAL;
	}
	if (spec->type == SPEC_TYPE_ONESHOT &&
	    (spec->restart == SPEC_RESTART_ALWAYS || spec->restart == SPEC_RESTART_ON_SUCCESS))
		return loader_fail(l, l->restart, l->restart->value,
				   "is not allowed with Type=oneshot");

	/* systemd runs oneshot services without a start timeout unless one is given. */
	if (spec->type == SPEC_TYPE_ONESHOT && !l->timeout_start_set)
		spec->timeout_start_usec = VALUE_INFINITY;

	/* As systemd: the backoff needs both ends, and never starts above its cap. */
	if (spec->restart_steps > 0 && spec->restart_max_delay_usec == USEC_INFINITY) {
		loader_warn(l, l->restart_steps,
			    "RestartSteps= without RestartMaxDelaySec=, ignoring");
		spec->restart_steps = 0;
	}
	if (spec->restart_steps == 0 && spec->restart_max_delay_usec != USEC_INFINITY) {
		loader_warn(l, l->restart_max_delay,
			    "RestartMaxDelaySec= without RestartSteps=, ignoring");
		spec->restart_max_delay_usec = USEC_INFINITY;
	}
	if (spec->restart_max_delay_usec < spec->restart_usec) {
		loader_warn(l, l->restart_max_delay,
			    "RestartMaxDelaySec= is below RestartSec=, using it for both");
		spec->restart_usec = spec->restart_max_delay_usec;
	}

	if (l->standard_error_inherit) {
		exec->standard_error = exec->standard_output;
		return string_replace(&exec->standard_error_path, exec->standard_output_path);
	}
	return 0;
}

/* Remembers the entries finish-time warnings point at. */
static void loader_note(struct spec_loader *l, const struct unit_entry *e)
{
	if (strcmp(e->section, "Service") != 0)
		return;
	if (strcmp(e->key, "RestartSteps") == 0)
		l->restart_steps = e;
	else if (strcmp(e->key, "RestartMaxDelaySec") == 0)
		l->restart_max_delay = e;
}

void exec_spec_init(struct exec_spec *exec)
{
	*exec = (struct exec_spec){
		.umask = SPEC_UNSET,
		.nice = SPEC_UNSET,
		.capability_bounding_set = CAP_MASK_ALL,
		.standard_input = SPEC_INPUT_NULL,
		.standard_output = SPEC_OUTPUT_JOURNAL,
		.standard_error = SPEC_OUTPUT_JOURNAL,
	};
}

void exec_spec_clear(struct exec_spec *exec)
{
	strv_free(exec->environment);
	strv_free(exec->environment_files);
	strv_free(exec->pass_environment);
	strv_free(exec->unset_environment);
	free(exec->working_directory);
	free(exec->user);
	free(exec->group);
	strv_free(exec->supplementary_groups);
	free(exec->standard_output_path);
	free(exec->standard_error_path);
	exec_spec_init(exec);
}

static void service_spec_init(struct service_spec *spec)
{
	*spec = (struct service_spec){
		.start_limit_interval_usec = SPEC_DEFAULT_START_LIMIT_USEC,
		.start_limit_burst = SPEC_DEFAULT_START_LIMIT_BURST,
		.failure_action = SPEC_ACTION_NONE,
		.success_action = SPEC_ACTION_NONE,
		.failure_action_exit_status = SPEC_UNSET,
		.success_action_exit_status = SPEC_UNSET,
		.type = SPEC_TYPE_SIMPLE,
		.restart = SPEC_RESTART_NO,
		.restart_usec = SPEC_DEFAULT_RESTART_USEC,
		.restart_max_delay_usec = USEC_INFINITY,
		.timeout_start_usec = SPEC_DEFAULT_TIMEOUT_START_USEC,
		.timeout_stop_usec = SPEC_DEFAULT_TIMEOUT_STOP_USEC,
		.kill_signal = SIGTERM,
		.final_kill_signal = SIGKILL,
		.kill_mode = SPEC_KILL_CONTROL_GROUP,
		.send_sigkill = true,
		.memory_max = VALUE_INFINITY,
		.cpu_quota_per_sec_usec = VALUE_INFINITY,
		.tasks_max = VALUE_INFINITY,
	};
	exec_spec_init(&spec->exec);
}

void service_spec_free(struct service_spec *spec)
{
	if (!spec)
		return;
	free(spec->name);
	free(spec->description);
	strv_free(spec->after);
	strv_free(spec->before);
	strv_free(spec->requires);
	strv_free(spec->wants);
	strv_free(spec->binds_to);
	strv_free(spec->conflicts);
	free(spec->pid_file);
	strv_free(spec->sockets);
	exec_list_clear(&spec->exec_start_pre);
	exec_list_clear(&spec->exec_start);
	exec_list_clear(&spec->exec_start_post);
	exec_list_clear(&spec->exec_reload);
	exec_list_clear(&spec->exec_stop);
	exec_list_clear(&spec->exec_stop_post);
	exec_spec_clear(&spec->exec);
	free(spec);
}

int service_spec_from_unit(const struct unit_file *unit, struct service_spec **ret,
			   struct unit_diag *diag)
{
	struct unit_diag local = { .warn = NULL };
	struct spec_loader l = {
		.unit = unit,
		.diag = diag ? diag : &local,
		.standard_error_inherit = true,
	};
	const struct unit_entry *entries;
	size_t n = unit_file_entries(unit, &entries);
	int r = 0;

	l.diag->error[0] = '\0';
	l.spec = calloc(1, sizeof(*l.spec));
	if (!l.spec)
		return -ENOMEM;
	service_spec_init(l.spec);
	l.spec->name = strdup(unit_file_name(unit));
	if (!l.spec->name)
		r = -ENOMEM;

	for (size_t i = 0; i < n && r >= 0; i++) {
		loader_note(&l, &entries[i]);
		r = entry_apply(&l, &entries[i]);
	}
	if (r >= 0)
		r = loader_finish(&l);
	free(l.unknown_sections);

	if (r < 0) {
		if (!l.diag->error[0])
			snprintf(l.diag->error, sizeof(l.diag->error), "%s: %s",
				 unit_file_name(unit), strerror(-r));
		/* Without a diag, the error is logged here rather than lost, as unitfile does. */
		if (!diag)
			log_error("%s", l.diag->error);
		service_spec_free(l.spec);
		return r;
	}
	*ret = l.spec;
	return 0;
}
