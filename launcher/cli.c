/* claunch's flags and [Container] keys: one table of options, each with the flag, the key
 * and the parser shared by both, so that a value means the same and fails with the same words
 * wherever it is written. */
#include "config.h"

#include "launcher/cli.h"

#include "common/spec.h"

#include "common/execline.h"
#include "common/log.h"
#include "common/unitfile.h"
#include "common/util.h"
#include "common/values.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_SECTION	     "Container"
#define CONFIG_MAX	     (1024 * 1024)
#define NAME_MAX_LEN	     64
#define HOSTNAME_MAX_LEN     64
#define USER_NAME_MAX_LEN    32
#define CPUSET_MAX_CPU	     8191
#define NANOCPUS_PER_CPU     UINT64_C(1000000000)
#define MIN_NANOCPUS	     UINT64_C(10000000) /* 0.01, docker's minimum; 1000 us of quota */
#define MIN_MEMORY	     (UINT64_C(6) * 1024 * 1024) /* docker's minimum --memory */
#define CPU_WEIGHT_MIN	     1
#define CPU_WEIGHT_MAX	     10000
#define CPU_SHARES_MIN	     2
#define CPU_SHARES_MAX	     262144
#define ID_MAX		     UINT64_C(4294967294) /* (uid_t)-1 is "no change" */
#define GENERATED_NAME_BYTES 4

/* Where a value came from, for its message: "--memory", "-e" or "FILE:LINE: Memory". */
struct origin {
	const char *what;
	char *err;
	size_t err_size;
	bool from_config;
};

struct option_def;
typedef int (*option_parse_fn)(struct claunch_options *o, const struct option_def *def,
			       const char *value, const struct origin *at);

enum option_kind {
	OPTION_BOOL, /* flag without a value; boolean key */
	OPTION_VALUE,
	OPTION_LIST,   /* repeatable flag; key whose value is a word list, "" resets */
	OPTION_ACTION, /* flag only: --help, --version, --config */
};

struct option_def {
	const char *flag; /* long flag without "--", NULL for a key only */
	int short_flag;
	const char *key; /* [Container] key, NULL for a flag only */
	enum option_kind kind;
	option_parse_fn parse;
	size_t offset; /* of the bool for parse_bool_field, of the string for set_* */
	void (*reset)(struct claunch_options *o);
};

static int fail(const struct origin *at, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(const struct origin *at, const char *value, const char *fmt, ...)
{
	char reason[256], quoted[64 * 4 + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	value_quote(quoted, sizeof(quoted), value);
	snprintf(at->err, at->err_size, "%s: \"%s\"%s%s", at->what, quoted,
		 reason[0] == ':' ? "" : " ", reason);
	return -EINVAL;
}

static int fail_value(const struct origin *at, const char *value, enum value_kind kind, int r)
{
	value_format_error(at->err, at->err_size, at->what, value, kind, r);
	return -EINVAL;
}

static int fail_oom(const struct origin *at)
{
	snprintf(at->err, at->err_size, "%s: %s", at->what, strerror(ENOMEM));
	return -ENOMEM;
}

/* ---- lists ---- */

static int strv_push(char ***list, size_t *n, const char *s)
{
	char **grown, *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	grown = realloc(*list, (*n + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[(*n)++] = copy;
	grown[*n] = NULL;
	*list = grown;
	return 0;
}

static void strv_free(char ***list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

static int set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

#define FIELD(o, def, type) ((type *)((char *)(o) + (def)->offset))

/* ---- checks shared by several options ---- */

static bool is_absolute_path(const char *p)
{
	return p[0] == '/';
}

static int check_exists(const char *path, bool want_dir)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (want_dir && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

static bool is_user_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > USER_NAME_MAX_LEN)
		return false;
	if (!(islower((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '_' || c == '-' ||
		      (c == '$' && i == len - 1)))
			return false;
	}
	return true;
}

static bool is_id_or_name(const char *s)
{
	uint64_t id;

	return value_parse_uint(s, 0, ID_MAX, &id) == 0 || is_user_name(s);
}

static bool is_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > HOSTNAME_MAX_LEN)
		return false;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		label++;
	}
	return true;
}

static bool is_container_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > NAME_MAX_LEN || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* "0-3,5": CPU numbers and ranges, ascending within a range. */
static bool is_cpu_list(const char *s)
{
	const char *p = s;

	if (!*p)
		return false;
	for (;;) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*p))
			return false;
		errno = 0;
		a = strtoul(p, &end, 10);
		if (errno || a > CPUSET_MAX_CPU)
			return false;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			b = strtoul(p, &end, 10);
			if (errno || b > CPUSET_MAX_CPU || b < a)
				return false;
			p = end;
		}
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

/* A cgroup path: absolute, no empty, "." or ".." component. */
static bool is_cgroup_path(const char *s)
{
	if (s[0] != '/')
		return false;
	for (const char *p = s + 1; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 && p[n] == '/')
			return false;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* ---- option parsers ---- */

static int parse_bool_field(struct claunch_options *o, const struct option_def *def,
			    const char *value, const struct origin *at)
{
	bool b;
	int r = value_parse_bool(value, &b);

	if (r < 0)
		return fail_value(at, value, VALUE_BOOL, r);
	*FIELD(o, def, bool) = b;
	return 0;
}

static int parse_name(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	if (!is_container_name(value))
		return fail(at, value,
			    "is not a valid name (a letter or digit, then letters, digits, \"_\", "
			    "\".\" or \"-\"; at most %d)",
			    NAME_MAX_LEN);
	return set_string(&o->name, value) < 0 ? fail_oom(at) : 0;
}

static int parse_memory(struct claunch_options *o, const struct option_def *def, const char *value,
			const struct origin *at)
{
	uint64_t bytes;
	int r = value_parse_size(value, &bytes);

	if (r < 0)
		return fail_value(at, value, VALUE_SIZE, r);
	/* As docker: 0 is no limit, and below 6 MiB a container cannot even start. */
	if (bytes == 0)
		bytes = CG_UNLIMITED;
	if (bytes < MIN_MEMORY)
		return fail(at, value, "is below the minimum of 6MiB");
	o->limits.memory_max = bytes;
	return 0;
}

static int parse_memory_swap(struct claunch_options *o, const struct option_def *def,
			     const char *value, const struct origin *at)
{
	uint64_t bytes;
	int r;

	if (strcmp(value, "-1") == 0) {
		o->limits.memory_swap_max = CG_UNLIMITED;
		return 0;
	}
	r = value_parse_size(value, &bytes);
	if (r < 0)
		return fail_value(at, value, VALUE_SIZE, r);
	o->limits.memory_swap_max = bytes;
	return 0;
}

static int parse_cpus(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t nanocpus;
	int r = value_parse_cpus(value, &nanocpus);

	if (r < 0)
		return fail_value(at, value, VALUE_CPUS, r);
	if (nanocpus == 0)
		return fail(at, value, "must be more than 0");
	if (nanocpus < MIN_NANOCPUS)
		return fail(at, value, "is less than the minimum of 0.01");
	/* docker: "Range of CPUs is from 0.01 to N, as there are only N CPUs available". */
	if (online > 0 && nanocpus > (uint64_t)online * NANOCPUS_PER_CPU)
		return fail(at, value, "is more than the %ld CPU%s available", online,
			    online == 1 ? "" : "s");
	o->nanocpus = nanocpus;
	o->limits.cpu_quota_usec = nanocpus * CG_CPU_PERIOD_USEC / NANOCPUS_PER_CPU;
	return 0;
}

/* An integer from min to max, or the line that says why not. */
static int parse_in_range(const char *value, const struct origin *at, uint64_t min, uint64_t max,
			  uint64_t *ret)
{
	uint64_t v;
	int r = value_parse_uint(value, min, max, &v);

	if (r == -ERANGE)
		return fail(at, value, "is out of range (%" PRIu64 "-%" PRIu64 ")", min, max);
	if (r < 0)
		return fail_value(at, value, VALUE_INTEGER, r);
	*ret = v;
	return 0;
}

static int parse_cpu_weight(struct claunch_options *o, const struct option_def *def,
			    const char *value, const struct origin *at)
{
	return parse_in_range(value, at, CPU_WEIGHT_MIN, CPU_WEIGHT_MAX, &o->limits.cpu_weight);
}

/* docker's --cpu-shares (v1's scale; converted for v2 as crun does). */
static int parse_cpu_shares(struct claunch_options *o, const struct option_def *def,
			    const char *value, const struct origin *at)
{
	return parse_in_range(value, at, CPU_SHARES_MIN, CPU_SHARES_MAX, &o->limits.cpu_shares);
}

static int parse_cpuset(struct claunch_options *o, const struct option_def *def, const char *value,
			const struct origin *at)
{
	if (!is_cpu_list(value))
		return fail(at, value, "is not a CPU list (such as 0-3,5)");
	if (set_string(&o->cpuset_cpus, value) < 0)
		return fail_oom(at);
	o->limits.cpuset_cpus = o->cpuset_cpus;
	return 0;
}

static int parse_pids(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	uint64_t n;
	int r;

	/* docker: 0 or -1 is unlimited; systemd's word for it is accepted too. */
	if (strcmp(value, "-1") == 0 || strcmp(value, "infinity") == 0 ||
	    strcmp(value, "max") == 0) {
		o->limits.pids_max = CG_UNLIMITED;
		return 0;
	}
	r = value_parse_uint(value, 0, CG_UNLIMITED - 1, &n);
	if (r < 0)
		return fail_value(at, value, VALUE_INTEGER, r);
	o->limits.pids_max = n == 0 ? CG_UNLIMITED : n;
	return 0;
}

static int parse_directory(struct claunch_options *o, const struct option_def *def,
			   const char *value, const struct origin *at)
{
	int r;

	if (!*value)
		return fail(at, value, "is not a directory");
	r = check_exists(value, true);
	if (r < 0)
		return fail(at, value, ": %s", strerror(-r));
	return set_string(FIELD(o, def, char *), value) < 0 ? fail_oom(at) : 0;
}

static int parse_absolute(struct claunch_options *o, const struct option_def *def,
			  const char *value, const struct origin *at)
{
	if (!is_absolute_path(value))
		return fail(at, value, "is not an absolute path");
	return set_string(FIELD(o, def, char *), value) < 0 ? fail_oom(at) : 0;
}

static int parse_bind(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	_cleanup_free_ char *copy = strdup(value);
	struct claunch_bind *grown;
	char *dst, *mode;
	bool read_only = false;
	int r;

	if (!copy)
		return fail_oom(at);
	dst = strchr(copy, ':');
	if (!dst || dst == copy || dst[1] == '\0')
		return fail(at, value, "is not SRC:DST[:ro|rw]");
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			read_only = true;
		else if (strcmp(mode, "rw") != 0)
			return fail(at, value, ": %s is not ro or rw", mode);
	}
	r = check_exists(copy, false);
	if (r < 0)
		return fail(at, value, ": %s: %s", copy, strerror(-r));
	if (!is_absolute_path(dst))
		return fail(at, value, ": %s is not an absolute path", dst);

	grown = realloc(o->binds, (o->n_binds + 1) * sizeof(*grown));
	if (!grown)
		return fail_oom(at);
	o->binds = grown;
	grown[o->n_binds] = (struct claunch_bind){ .source = strdup(copy),
						   .destination = strdup(dst),
						   .read_only = read_only };
	o->n_binds++;
	if (!grown[o->n_binds - 1].source || !grown[o->n_binds - 1].destination)
		return fail_oom(at);
	return 0;
}

static void reset_binds(struct claunch_options *o)
{
	for (size_t i = 0; i < o->n_binds; i++) {
		free(o->binds[i].source);
		free(o->binds[i].destination);
	}
	free(o->binds);
	o->binds = NULL;
	o->n_binds = 0;
}

static int parse_tmpfs(struct claunch_options *o, const struct option_def *def, const char *value,
		       const struct origin *at)
{
	const char *colon = strchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : strlen(value);
	struct claunch_tmpfs *grown;
	struct claunch_tmpfs t;

	if (len == 0 || value[0] != '/')
		return fail(at, value, "is not an absolute path");
	grown = realloc(o->tmpfs, (o->n_tmpfs + 1) * sizeof(*grown));
	if (!grown)
		return fail_oom(at);
	o->tmpfs = grown;
	t.destination = strndup(value, len);
	t.options = colon && colon[1] ? strdup(colon + 1) : NULL;
	grown[o->n_tmpfs++] = t;
	if (!t.destination || (colon && colon[1] && !t.options))
		return fail_oom(at);
	return 0;
}

static void reset_tmpfs(struct claunch_options *o)
{
	for (size_t i = 0; i < o->n_tmpfs; i++) {
		free(o->tmpfs[i].destination);
		free(o->tmpfs[i].options);
	}
	free(o->tmpfs);
	o->tmpfs = NULL;
	o->n_tmpfs = 0;
}

static int parse_hostname(struct claunch_options *o, const struct option_def *def,
			  const char *value, const struct origin *at)
{
	if (!is_hostname(value))
		return fail(at, value, "is not a valid hostname");
	return set_string(&o->hostname, value) < 0 ? fail_oom(at) : 0;
}

static int parse_net(struct claunch_options *o, const struct option_def *def, const char *value,
		     const struct origin *at)
{
	if (strcmp(value, "none") == 0)
		o->net = CLAUNCH_NET_NONE;
	else if (strcmp(value, "host") == 0)
		o->net = CLAUNCH_NET_HOST;
	else
		return fail(at, value, "is not none or host");
	return 0;
}

/* docker's policies; claunch itself does not restart: they go into --generate-unit's
 * Restart= (unless-stopped is systemd's always: a stopped unit stays stopped) */
static int parse_restart(struct claunch_options *o, const struct option_def *def, const char *value,
			 const struct origin *at)
{
	static const char *const policies[] = { "no", "on-failure", "always", "unless-stopped" };

	for (size_t i = 0; i < ELEMENTSOF(policies); i++)
		if (strcmp(value, policies[i]) == 0)
			return set_string(&o->restart, value) < 0 ? fail_oom(at) : 0;
	return fail(at, value, "is not no, on-failure, always or unless-stopped");
}

static int parse_env(struct claunch_options *o, const struct option_def *def, const char *value,
		     const struct origin *at)
{
	const char *eq = strchr(value, '=');
	_cleanup_free_ char *assignment = NULL;

	if (eq == value || !*value)
		return fail(at, value, "is not K=V%s", at->from_config ? "" : " or K");
	if (!eq) {
		const char *v;

		/* As docker: -e K takes K from claunch's environment, and is dropped if unset. */
		if (at->from_config)
			return fail(at, value, "is not K=V");
		v = getenv(value);
		if (!v)
			return 0;
		if (asprintf(&assignment, "%s=%s", value, v) < 0)
			return fail_oom(at);
		value = assignment;
		eq = strchr(value, '=');
	}
	/* A later assignment of a name replaces the earlier one, as in a shell. */
	for (size_t i = 0; i < o->n_env; i++)
		if (strncmp(o->env[i], value, (size_t)(eq - value) + 1) == 0) {
			return set_string(&o->env[i], value) < 0 ? fail_oom(at) : 0;
		}
	return strv_push(&o->env, &o->n_env, value) < 0 ? fail_oom(at) : 0;
}

static void reset_env(struct claunch_options *o)
{
	strv_free(&o->env, &o->n_env);
}

static int parse_env_file(struct claunch_options *o, const struct option_def *def,
			  const char *value, const struct origin *at)
{
	if (!*value)
		return fail(at, value, "is not a file");
	if (access(value, R_OK) < 0)
		return fail(at, value, ": %s", strerror(errno));
	return strv_push(&o->env_files, &o->n_env_files, value) < 0 ? fail_oom(at) : 0;
}

static void reset_env_files(struct claunch_options *o)
{
	strv_free(&o->env_files, &o->n_env_files);
}

static int parse_user(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	const char *colon = strchr(value, ':');
	_cleanup_free_ char *user = strndup(value, colon ? (size_t)(colon - value) : strlen(value));

	if (!user)
		return fail_oom(at);
	if (!is_id_or_name(user) || (colon && !is_id_or_name(colon + 1)))
		return fail(at, value, "is not UID[:GID]");
	free(o->user);
	o->user = user;
	user = NULL;
	free(o->group);
	o->group = NULL;
	if (colon && set_string(&o->group, colon + 1) < 0)
		return fail_oom(at);
	return 0;
}

/* "sys_admin", "CAP_SYS_ADMIN", "all" -> "CAP_SYS_ADMIN", "ALL"; NULL if unknown. */
static const char *capability_normalize(const char *name, char *buf, size_t size)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

	if (strcasecmp(name, "ALL") == 0)
		return "ALL";
	for (unsigned i = 0; spec_capability_name(i); i++)
		if (strcasecmp(bare, spec_capability_name(i)) == 0) {
			snprintf(buf, size, "CAP_%s", spec_capability_name(i));
			for (char *p = buf; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			return buf;
		}
	return NULL;
}

static int parse_capability(struct claunch_options *o, const struct option_def *def,
			    const char *value, const struct origin *at)
{
	char buf[64];
	const char *cap = capability_normalize(value, buf, sizeof(buf));
	bool add = strcmp(def->flag, "cap-add") == 0;

	if (!cap)
		return fail(at, value, "is not a capability");
	if (strv_push(add ? &o->cap_add : &o->cap_drop, add ? &o->n_cap_add : &o->n_cap_drop, cap) <
	    0)
		return fail_oom(at);
	return 0;
}

static void reset_cap_add(struct claunch_options *o)
{
	strv_free(&o->cap_add, &o->n_cap_add);
}

static void reset_cap_drop(struct claunch_options *o)
{
	strv_free(&o->cap_drop, &o->n_cap_drop);
}

static int parse_security_opt(struct claunch_options *o, const struct option_def *def,
			      const char *value, const struct origin *at)
{
	static const char nnp[] = "no-new-privileges";
	static const char seccomp[] = "seccomp=";

	if (strncmp(value, nnp, sizeof(nnp) - 1) == 0 &&
	    (value[sizeof(nnp) - 1] == '\0' || strchr("=:", value[sizeof(nnp) - 1]))) {
		bool on = true;

		/* docker also takes no-new-privileges:true and =false. */
		if (value[sizeof(nnp) - 1] && value_parse_bool(value + sizeof(nnp), &on) < 0)
			return fail(at, value, "is not a boolean option");
		o->no_new_privileges = on;
	} else if (strncmp(value, seccomp, sizeof(seccomp) - 1) == 0 &&
		   value[sizeof(seccomp) - 1]) {
		const char *arg = value + sizeof(seccomp) - 1;

		free(o->seccomp_file);
		o->seccomp_file = NULL;
		if (strcmp(arg, "default") == 0) {
			o->seccomp = CLAUNCH_SECCOMP_DEFAULT;
		} else if (strcmp(arg, "unconfined") == 0) {
			o->seccomp = CLAUNCH_SECCOMP_UNCONFINED;
		} else {
			int r = check_exists(arg, false);

			if (r < 0)
				return fail(at, value, ": %s: %s", arg, strerror(-r));
			o->seccomp = CLAUNCH_SECCOMP_FILE;
			if (set_string(&o->seccomp_file, arg) < 0)
				return fail_oom(at);
		}
	} else {
		return fail(at, value,
			    "is not no-new-privileges or seccomp=default|unconfined|FILE");
	}
	return strv_push(&o->security_opt, &o->n_security_opt, value) < 0 ? fail_oom(at) : 0;
}

static void reset_security_opt(struct claunch_options *o)
{
	strv_free(&o->security_opt, &o->n_security_opt);
	o->no_new_privileges = false;
	o->seccomp = CLAUNCH_SECCOMP_DEFAULT;
	free(o->seccomp_file);
	o->seccomp_file = NULL;
}

static const char *const cgroup_driver_names[] = {
	[CLAUNCH_CGROUP_AUTO] = "auto",
	[CLAUNCH_CGROUP_CGROUPFS] = "cgroupfs",
	[CLAUNCH_CGROUP_SYSTEMD] = "systemd",
};

static int parse_cgroup_driver(struct claunch_options *o, const struct option_def *def,
			       const char *value, const struct origin *at)
{
	for (size_t i = 0; i < ELEMENTSOF(cgroup_driver_names); i++)
		if (strcmp(value, cgroup_driver_names[i]) == 0) {
			o->cgroup_driver = (enum claunch_cgroup_driver)i;
			return 0;
		}
	return fail(at, value, "is not auto, cgroupfs or systemd");
}

static int parse_cgroup_parent(struct claunch_options *o, const struct option_def *def,
			       const char *value, const struct origin *at)
{
	/* which one the driver takes is checked once the driver is known */
	if (!is_cgroup_path(value) && !cg_slice_is_valid(value))
		return fail(at, value,
			    "is neither an absolute cgroup path nor a slice name (NAME.slice)");
	return set_string(&o->cgroup_parent, value) < 0 ? fail_oom(at) : 0;
}

/* Exec= only: the whole command line in unit quoting, without $VAR expansion. */
static int parse_exec(struct claunch_options *o, const struct option_def *def, const char *value,
		      const struct origin *at)
{
	char reason[256];
	char **words = NULL;
	int n = unit_words_split(value, &words, reason, sizeof(reason));

	if (n < 0)
		return fail(at, value, ": %s", reason);
	strv_free(&o->command, &o->n_command);
	for (int i = 0; i < n; i++)
		if (strv_push(&o->command, &o->n_command, words[i]) < 0) {
			unit_words_free(words);
			return fail_oom(at);
		}
	unit_words_free(words);
	return 0;
}

#define OPT(field) offsetof(struct claunch_options, field)

enum {
	ACTION_HELP = 1,
	ACTION_VERSION,
	ACTION_CONFIG,
};

/* The order is --print-config's order. */
static const struct option_def option_defs[] = {
	{ "name", 0, "Name", OPTION_VALUE, parse_name, 0, NULL },
	{ NULL, 0, "Exec", OPTION_VALUE, parse_exec, 0, NULL },
	{ "rootfs", 0, "RootDirectory", OPTION_VALUE, parse_directory, OPT(rootfs), NULL },
	{ "memory", 'm', "Memory", OPTION_VALUE, parse_memory, 0, NULL },
	{ "memory-swap", 0, "MemorySwap", OPTION_VALUE, parse_memory_swap, 0, NULL },
	{ "cpus", 0, "CPUs", OPTION_VALUE, parse_cpus, 0, NULL },
	{ "cpu-weight", 0, "CPUWeight", OPTION_VALUE, parse_cpu_weight, 0, NULL },
	{ "cpu-shares", 'c', "CPUShares", OPTION_VALUE, parse_cpu_shares, 0, NULL },
	{ "cpuset-cpus", 0, "CPUSetCPUs", OPTION_VALUE, parse_cpuset, 0, NULL },
	{ "pids-limit", 0, "PidsLimit", OPTION_VALUE, parse_pids, 0, NULL },
	{ "bind", 'v', "BindPaths", OPTION_LIST, parse_bind, 0, reset_binds },
	{ "tmpfs", 0, "TemporaryFileSystem", OPTION_LIST, parse_tmpfs, 0, reset_tmpfs },
	{ "read-only", 0, "ReadOnly", OPTION_BOOL, parse_bool_field, OPT(read_only), NULL },
	{ "hostname", 'h', "Hostname", OPTION_VALUE, parse_hostname, 0, NULL },
	{ "net", 0, "Network", OPTION_VALUE, parse_net, 0, NULL },
	{ "network", 0, NULL, OPTION_VALUE, parse_net, 0, NULL },
	{ "env", 'e', "Environment", OPTION_LIST, parse_env, 0, reset_env },
	{ "env-file", 0, "EnvironmentFile", OPTION_LIST, parse_env_file, 0, reset_env_files },
	{ "workdir", 'w', "WorkingDirectory", OPTION_VALUE, parse_absolute, OPT(working_dir),
	  NULL },
	{ "user", 'u', "User", OPTION_VALUE, parse_user, 0, NULL },
	{ "cap-add", 0, "AddCapability", OPTION_LIST, parse_capability, 0, reset_cap_add },
	{ "cap-drop", 0, "DropCapability", OPTION_LIST, parse_capability, 0, reset_cap_drop },
	{ "security-opt", 0, "SecurityOpt", OPTION_LIST, parse_security_opt, 0,
	  reset_security_opt },
	{ "cgroup-driver", 0, "CgroupDriver", OPTION_VALUE, parse_cgroup_driver, 0, NULL },
	{ "cgroup-parent", 0, "CgroupParent", OPTION_VALUE, parse_cgroup_parent, 0, NULL },
	{ "units", 0, "Units", OPTION_VALUE, parse_directory, OPT(units), NULL },
	{ "no-init", 0, "NoInit", OPTION_BOOL, parse_bool_field, OPT(no_init), NULL },
	{ "restart", 0, "Restart", OPTION_VALUE, parse_restart, 0, NULL },
	{ "tty", 't', "TTY", OPTION_BOOL, parse_bool_field, OPT(tty), NULL },
	{ "interactive", 'i', "Interactive", OPTION_BOOL, parse_bool_field, OPT(interactive),
	  NULL },
	{ "privileged", 0, "Privileged", OPTION_BOOL, parse_bool_field, OPT(privileged), NULL },
	{ "print-config", 0, NULL, OPTION_BOOL, parse_bool_field, OPT(print_config), NULL },
	{ "generate-unit", 0, NULL, OPTION_BOOL, parse_bool_field, OPT(generate_unit), NULL },
	{ "config", 'c', NULL, OPTION_ACTION, NULL, ACTION_CONFIG, NULL },
	{ "help", 0, NULL, OPTION_ACTION, NULL, ACTION_HELP, NULL },
	{ "version", 0, NULL, OPTION_ACTION, NULL, ACTION_VERSION, NULL },
};

/* ---- config file ---- */

static const struct option_def *option_by_key(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(option_defs); i++)
		if (option_defs[i].key && strcmp(option_defs[i].key, key) == 0)
			return &option_defs[i];
	return NULL;
}

static void config_warn(struct unit_diag *diag, const struct unit_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void config_warn(struct unit_diag *diag, const struct unit_entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_diag_warnv(diag, e->file, e->line, fmt, ap);
	va_end(ap);
}

static int config_apply_entry(struct claunch_options *o, const struct unit_entry *e,
			      struct unit_diag *diag)
{
	const struct option_def *def = option_by_key(e->key);
	char what[384];
	struct origin at = { what, diag->error, sizeof(diag->error), true };
	char reason[256];
	char **words = NULL;
	int n, r = 0;

	snprintf(what, sizeof(what), "%s:%u: %s", e->file, e->line, e->key);
	/* a misspelt limit must not be a container without it: an error, not a warning */
	if (!def) {
		snprintf(diag->error, sizeof(diag->error), "%s:%u: unknown key \"%s\" in [%s]",
			 e->file, e->line, e->key, e->section);
		return -EINVAL;
	}
	if (def->kind != OPTION_LIST)
		return def->parse(o, def, e->value, &at);

	/* As systemd's list keys: "Key=" empties the list, a value is a list of words. */
	if (e->value[0] == '\0') {
		def->reset(o);
		return 0;
	}
	n = unit_words_split(e->value, &words, reason, sizeof(reason));
	if (n < 0)
		return fail(&at, e->value, ": %s", reason);
	for (int i = 0; i < n && r >= 0; i++)
		r = def->parse(o, def, words[i], &at);
	unit_words_free(words);
	return r;
}

int claunch_config_parse_string(const char *filename, const char *text, struct claunch_options *o,
				struct unit_diag *diag)
{
	const char *base = util_basename(filename);
	const char *name = unit_name_split(base, NULL, NULL, NULL) ? base : "claunch.container";
	struct unit_file *unit = NULL;
	const struct unit_entry *entries;
	size_t n, n_sections = 0;
	const char **warned_sections = NULL;
	int r;

	r = unit_file_parse_string(name, filename, text, &unit, diag);
	if (r < 0)
		return r;
	n = unit_file_entries(unit, &entries);
	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct unit_entry *e = &entries[i];
		bool seen = false;
		const char **grown;

		if (strcmp(e->section, CONFIG_SECTION) == 0) {
			r = config_apply_entry(o, e, diag);
			continue;
		}
		/* The parser keeps no line for a section header: its first key stands for it. */
		for (size_t j = 0; j < n_sections; j++)
			seen = seen || strcmp(warned_sections[j], e->section) == 0;
		if (seen)
			continue;
		grown = realloc(warned_sections, (n_sections + 1) * sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			snprintf(diag->error, sizeof(diag->error), "%s: %s", filename,
				 strerror(ENOMEM));
			break;
		}
		warned_sections = grown;
		warned_sections[n_sections++] = e->section;
		config_warn(diag, e, "unknown section [%s], ignoring", e->section);
	}
	free(warned_sections);
	unit_file_free(unit);
	return r;
}

static int config_load(const char *path, struct claunch_options *o, struct unit_diag *diag)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char quoted[64 * 4 + 4];
	struct stat st;
	size_t len = 0;

	value_quote(quoted, sizeof(quoted), path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(diag->error, sizeof(diag->error), "--config: \"%s\": %s", quoted,
			 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX) {
		snprintf(diag->error, sizeof(diag->error), "--config: \"%s\": %s", quoted,
			 S_ISDIR(st.st_mode)   ? strerror(EISDIR)
			 : S_ISREG(st.st_mode) ? "larger than 1 MiB"
					       : "not a regular file");
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t k = util_read(fd, text + len, (size_t)st.st_size - len);

		if (k < 0) {
			snprintf(diag->error, sizeof(diag->error), "--config: \"%s\": %s", quoted,
				 strerror((int)-k));
			return -EINVAL;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	text[len] = '\0';
	return claunch_config_parse_string(path, text, o, diag) < 0 ? -EINVAL : 0;
}

/* ---- command line ---- */

static void print_help(FILE *out, const char *program)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] CMD [ARGS...]\n"
		"Run CMD in a new container under cinit, with docker-run-like limits.\n\n"
		"  --name N                  container name (default: claunch-XXXXXXXX)\n"
		"  -m, --memory SIZE         memory limit (256m, 1g)\n"
		"  --memory-swap SIZE        memory + swap limit; -1 for unlimited swap\n"
		"  --cpus N                  CPU quota (0.5)\n"
		"  --cpu-weight W            CPU weight, 1-10000\n"
		"  -c, --cpu-shares N        docker's CPU shares, 2-262144 (or --cpu-weight)\n"
		"  --cpuset-cpus LIST        CPUs allowed (0-3,5)\n"
		"  --pids-limit N            process limit; -1 or 0 for none\n"
		"  --rootfs DIR              root filesystem (default: the host's)\n"
		"  -v, --bind SRC:DST[:ro]   bind mount (repeatable)\n"
		"  --tmpfs DST[:OPTIONS]     tmpfs mount (repeatable)\n"
		"  --read-only               read-only root\n"
		"  -h, --hostname NAME       hostname\n"
		"  --net none|host           network (default: none, only lo)\n"
		"  -e, --env K=V|K           environment variable (repeatable)\n"
		"  --env-file FILE           environment file (repeatable)\n"
		"  -w, --workdir DIR         working directory\n"
		"  -u, --user UID[:GID]      user and group\n"
		"  --cap-add CAP, --cap-drop CAP   capabilities (repeatable; ALL)\n"
		"  --security-opt OPT        no-new-privileges, seccomp=default|unconfined|FILE\n"
		"  --cgroup-driver D         auto, cgroupfs or systemd\n"
		"  --cgroup-parent P         parent: a cgroup path (cgroupfs, default /claunch)\n"
		"                            or a slice (systemd, default claunch.slice)\n"
		"  --units DIR               *.service files for cinit\n"
		"  --no-init                 run CMD as PID 1 without cinit\n"
		"  -t, --tty  -i, --interactive  --privileged\n"
		"  -c, --config FILE         read a [Container] file first; flags override it\n"
		"  --print-config            print the effective config and exit\n"
		"  --generate-unit           print a systemd service for this container\n"
		"  --restart POLICY          no, on-failure, always, unless-stopped (for the "
		"unit)\n"
		"  --help, --version\n"
		"Exit status: the container's; 125 for claunch's errors, 126/127 when CMD cannot "
		"run.\n",
		program);
}

struct pending_flag {
	const struct option_def *def;
	const char *value;
	char what[64];
};

static void build_longopts(struct option *longopts, char *shortopts)
{
	size_t n = 0;
	char *s = shortopts;

	*s++ = '+'; /* stop at the command: its own options are not ours */
	*s++ = ':'; /* report a missing value as ':' */
	for (size_t i = 0; i < ELEMENTSOF(option_defs); i++) {
		const struct option_def *def = &option_defs[i];
		int has_arg = required_argument;

		if (def->kind == OPTION_BOOL ||
		    (def->kind == OPTION_ACTION && def->offset != ACTION_CONFIG))
			has_arg = no_argument;
		if (!def->flag)
			continue;
		longopts[n++] = (struct option){ def->flag, has_arg, NULL, 256 + (int)i };
		if (def->short_flag) {
			*s++ = (char)def->short_flag;
			if (has_arg == required_argument)
				*s++ = ':';
		}
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
}

static const struct option_def *option_by_short(int c)
{
	for (size_t i = 0; i < ELEMENTSOF(option_defs); i++)
		if (option_defs[i].short_flag == c)
			return &option_defs[i];
	return NULL;
}

void claunch_options_init(struct claunch_options *o)
{
	*o = (struct claunch_options){
		.limits = {
			.memory_max = CG_UNLIMITED,
			.memory_swap_max = 0,
			.cpu_quota_usec = CG_UNLIMITED,
			.cpu_weight = 0,
			.cpuset_cpus = NULL,
			.pids_max = CG_UNLIMITED,
		},
		.net = CLAUNCH_NET_NONE,
		.seccomp = CLAUNCH_SECCOMP_DEFAULT,
		.cgroup_driver = CLAUNCH_CGROUP_AUTO,
	};
}

int claunch_generate_name(char *buf, size_t size)
{
	uint8_t bytes[GENERATED_NAME_BYTES];
	ssize_t n;

	do
		n = getrandom(bytes, sizeof(bytes), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(bytes))
		return -EIO;
	snprintf(buf, size, CLAUNCH_NAME_PREFIX "%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2],
		 bytes[3]);
	return 0;
}

/* Rules between options, checked once everything is read. */
static int options_finish(struct claunch_options *o, char *err, size_t err_size)
{
	uint64_t swap = o->limits.memory_swap_max;

	if (swap != 0 && swap != CG_UNLIMITED) {
		/* docker: "You should always set the Memory limit when using Memoryswap limit" */
		if (o->limits.memory_max == CG_UNLIMITED) {
			snprintf(err, err_size, "--memory-swap: needs --memory");
			return -EINVAL;
		}
		if (swap < o->limits.memory_max) {
			snprintf(err, err_size,
				 "--memory-swap: %" PRIu64 " bytes is less than --memory (%" PRIu64
				 " bytes); it is memory + swap",
				 swap, o->limits.memory_max);
			return -EINVAL;
		}
	}
	if (o->limits.cpu_weight && o->limits.cpu_shares) {
		snprintf(err, err_size,
			 "--cpu-shares and --cpu-weight: give one (the same weight "
			 "on two scales)");
		return -EINVAL;
	}
	if (!o->name) {
		char name[sizeof(CLAUNCH_NAME_PREFIX) + 2 * GENERATED_NAME_BYTES];
		int r = claunch_generate_name(name, sizeof(name));

		if (r < 0) {
			snprintf(err, err_size, "--name: cannot generate one: %s", strerror(-r));
			return r;
		}
		if (set_string(&o->name, name) < 0)
			return -ENOMEM;
	}
	return 0;
}

int claunch_parse_full(int argc, char **argv, struct claunch_options *ret, char *err,
		       size_t err_size, void (*warn)(void *data, const char *message), void *data)
{
	struct option longopts[ELEMENTSOF(option_defs) + 1];
	char shortopts[2 * ELEMENTSOF(option_defs) + 3];
	_cleanup_free_ struct pending_flag *pending = NULL;
	size_t n_pending = 0;
	const char *config = NULL;
	const char *program = argc > 0 && argv[0] ? util_basename(argv[0]) : "claunch";
	int c, r;

	claunch_options_init(ret);
	if (err_size)
		err[0] = '\0';
	pending = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*pending));
	if (!pending)
		return -ENOMEM;
	build_longopts(longopts, shortopts);

	opterr = 0;
	optind = 0; /* glibc: a full reinitialisation, so that tests may parse again */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct option_def *def;
		const char *arg = argv[optind - 1];

		if (c == '?') {
			if (optopt)
				snprintf(err, err_size, "unknown flag \"-%c\" (see --help)",
					 optopt);
			else
				snprintf(err, err_size, "unknown flag \"%s\" (see --help)", arg);
			return -EINVAL;
		}
		if (c == ':') {
			/* optopt is the long option's val, or the short option's letter. */
			if (optopt >= 256)
				snprintf(err, err_size, "--%s: needs a value",
					 option_defs[optopt - 256].flag);
			else
				snprintf(err, err_size, "-%c: needs a value", optopt);
			return -EINVAL;
		}
		def = c >= 256 ? &option_defs[c - 256] : option_by_short(c);
		if (!def)
			continue;
		if (def->kind == OPTION_ACTION) {
			switch (def->offset) {
			case ACTION_HELP:
				print_help(stdout, program);
				return 1;
			case ACTION_VERSION:
				printf("claunch (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
				return 1;
			case ACTION_CONFIG:
				config = optarg;
				ret->config = strdup(optarg);
				if (!ret->config)
					return -ENOMEM;
				continue;
			}
		}
		pending[n_pending].def = def;
		pending[n_pending].value = def->kind == OPTION_BOOL ? "yes" : optarg;
		if (c >= 256)
			snprintf(pending[n_pending].what, sizeof(pending[n_pending].what), "--%s",
				 def->flag);
		else
			snprintf(pending[n_pending].what, sizeof(pending[n_pending].what), "-%c",
				 c);
		n_pending++;
	}

	if (config) {
		struct unit_diag diag = { .warn = warn, .data = data };

		r = config_load(config, ret, &diag);
		if (r < 0) {
			snprintf(err, err_size, "%s", diag.error);
			return r;
		}
	}
	for (size_t i = 0; i < n_pending; i++) {
		const struct origin at = { pending[i].what, err, err_size, false };

		r = pending[i].def->parse(ret, pending[i].def, pending[i].value, &at);
		if (r < 0)
			return r;
	}
	ret->command_index = optind;
	if (optind < argc) {
		strv_free(&ret->command, &ret->n_command);
		for (int i = optind; i < argc; i++)
			if (strv_push(&ret->command, &ret->n_command, argv[i]) < 0)
				return -ENOMEM;
	}
	return options_finish(ret, err, err_size);
}

int claunch_parse(int argc, char **argv, struct claunch_options *ret, char *err, size_t err_size)
{
	return claunch_parse_full(argc, argv, ret, err, err_size, NULL, NULL);
}

/* ---- --print-config ---- */

/* A value as the unit parser reads it back: "%" is a specifier there. */
static void print_raw(FILE *out, const char *s)
{
	for (; *s; s++)
		if (*s == '%')
			fputs("%%", out);
		else
			fputc(*s, out);
}

/* One word of a list, quoted when it needs to be (unit_words_split undoes it). */
static void print_word(FILE *out, const char *s)
{
	bool plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || strchr("/._:=,@+-", *p);
	if (plain) {
		print_raw(out, s);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '%')
			fputs("%%", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_words(FILE *out, const char *key, char *const *words, size_t n)
{
	if (n == 0)
		return;
	fprintf(out, "%s=", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', out);
		print_word(out, words[i]);
	}
	fputc('\n', out);
}

static void print_value(FILE *out, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(out, "%s=", key);
	print_raw(out, value);
	fputc('\n', out);
}

static void print_size(FILE *out, const char *key, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	int unit = -1;

	while (unit + 1 < (int)sizeof(units) - 1 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		unit++;
	}
	if (unit < 0)
		fprintf(out, "%s=%" PRIu64 "\n", key, bytes);
	else
		fprintf(out, "%s=%" PRIu64 "%c\n", key, bytes, units[unit]);
}

static void print_bool(FILE *out, const char *key, bool b)
{
	if (b)
		fprintf(out, "%s=yes\n", key);
}

int claunch_print_config(const struct claunch_options *o, FILE *out)
{
	const struct cg_limits *l = &o->limits;

	fputs("[" CONFIG_SECTION "]\n", out);
	print_value(out, "Name", o->name);
	print_words(out, "Exec", o->command, o->n_command);
	print_value(out, "RootDirectory", o->rootfs);
	if (l->memory_max != CG_UNLIMITED)
		print_size(out, "Memory", l->memory_max);
	if (l->memory_swap_max == CG_UNLIMITED)
		fputs("MemorySwap=-1\n", out);
	else if (l->memory_swap_max)
		print_size(out, "MemorySwap", l->memory_swap_max);
	if (o->nanocpus) {
		char frac[16];
		size_t len;

		snprintf(frac, sizeof(frac), "%09" PRIu64, o->nanocpus % NANOCPUS_PER_CPU);
		len = strlen(frac);
		while (len > 0 && frac[len - 1] == '0')
			frac[--len] = '\0';
		fprintf(out, "CPUs=%" PRIu64 "%s%s\n", o->nanocpus / NANOCPUS_PER_CPU,
			len ? "." : "", frac);
	}
	if (l->cpu_weight)
		fprintf(out, "CPUWeight=%" PRIu64 "\n", l->cpu_weight);
	if (l->cpu_shares)
		fprintf(out, "CPUShares=%" PRIu64 "\n", l->cpu_shares);
	print_value(out, "CPUSetCPUs", o->cpuset_cpus);
	if (l->pids_max != CG_UNLIMITED)
		fprintf(out, "PidsLimit=%" PRIu64 "\n", l->pids_max);
	for (size_t i = 0; i < o->n_binds; i++) {
		fputs("BindPaths=", out);
		/* One word "SRC:DST[:ro]", quoted as a whole when it needs to be. */
		{
			_cleanup_free_ char *word = NULL;

			if (asprintf(&word, "%s:%s%s", o->binds[i].source, o->binds[i].destination,
				     o->binds[i].read_only ? ":ro" : "") < 0)
				return -ENOMEM;
			print_word(out, word);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < o->n_tmpfs; i++) {
		_cleanup_free_ char *word = NULL;

		if (asprintf(&word, "%s%s%s", o->tmpfs[i].destination,
			     o->tmpfs[i].options ? ":" : "",
			     o->tmpfs[i].options ? o->tmpfs[i].options : "") < 0)
			return -ENOMEM;
		fputs("TemporaryFileSystem=", out);
		print_word(out, word);
		fputc('\n', out);
	}
	print_bool(out, "ReadOnly", o->read_only);
	print_value(out, "Hostname", o->hostname);
	fprintf(out, "Network=%s\n", o->net == CLAUNCH_NET_HOST ? "host" : "none");
	print_value(out, "Restart", o->restart);
	print_words(out, "Environment", o->env, o->n_env);
	print_words(out, "EnvironmentFile", o->env_files, o->n_env_files);
	print_value(out, "WorkingDirectory", o->working_dir);
	if (o->user)
		fprintf(out, "User=%s%s%s\n", o->user, o->group ? ":" : "",
			o->group ? o->group : "");
	print_words(out, "AddCapability", o->cap_add, o->n_cap_add);
	print_words(out, "DropCapability", o->cap_drop, o->n_cap_drop);
	print_words(out, "SecurityOpt", o->security_opt, o->n_security_opt);
	fprintf(out, "CgroupDriver=%s\n", cgroup_driver_names[o->cgroup_driver]);
	print_value(out, "CgroupParent", o->cgroup_parent);
	print_value(out, "Units", o->units);
	print_bool(out, "NoInit", o->no_init);
	print_bool(out, "TTY", o->tty);
	print_bool(out, "Interactive", o->interactive);
	print_bool(out, "Privileged", o->privileged);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

void claunch_options_free(struct claunch_options *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->config);
	free(o->cpuset_cpus);
	free(o->rootfs);
	reset_binds(o);
	reset_tmpfs(o);
	free(o->hostname);
	reset_env(o);
	reset_env_files(o);
	free(o->working_dir);
	free(o->user);
	free(o->group);
	reset_cap_add(o);
	reset_cap_drop(o);
	reset_security_opt(o);
	free(o->cgroup_parent);
	free(o->units);
	free(o->restart);
	strv_free(&o->command, &o->n_command);
	claunch_options_init(o);
}
