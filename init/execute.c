#include "config.h"

#include "init/execute.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/users.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* systemd's $PATH for system services, also the search path when a unit unsets PATH. */
#define EXEC_DEFAULT_PATH  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define EXEC_DEFAULT_UMASK 0022
#define EXEC_DEFAULT_CWD   "/"
#define EXEC_ROOT_HOME	   "/root"
#define EXEC_USERS_ROOT	   "/"
#define EXEC_DEV_NULL	   "/dev/null"
#define EXEC_OUTPUT_MODE   0666 /* & ~umask, as systemd creates file:/append:/truncate: */

#define PROC_CAP_LAST_CAP "/proc/sys/kernel/cap_last_cap"
#define PROC_SELF_FD	  "/proc/self/fd"

/* Environment files are read whole; a bigger one is a mistake, not configuration. */
#define ENV_FILE_MAX (16u << 20)

/* capget(2)/capset(2) ABI, version 3 (two 32-bit words per set): musl ships no
 * <linux/capability.h>, and the layout is fixed by the kernel. */
#define CAP_ABI_VERSION_3 0x20080522
#define CAP_ABI_WORDS	  2
#define CAP_NUMBER_MAX	  63 /* the sets are 64 bits wide */
#define CAP_SETPCAP_BIT	  8  /* CAP_SETPCAP: needed to shrink the bounding set */

struct cap_abi_header {
	uint32_t version;
	int pid;
};

struct cap_abi_data {
	uint32_t effective, permitted, inheritable;
};

struct exec_context {
	char **env; /* NULL-terminated */
	size_t env_count, env_cap;
	bool set_uid, set_gid, set_groups;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	char *working_directory;
	bool working_directory_optional;
	unsigned cap_last_cap;
};

/* ------------------------------------------------------------------------------------------ */
/* Exit statuses */

static const char *const step_names[] = {
	[200 - 200] = "CHDIR",
	[201 - 200] = "NICE",
	[202 - 200] = "FDS",
	[203 - 200] = "EXEC",
	[204 - 200] = "MEMORY",
	[205 - 200] = "LIMITS",
	[206 - 200] = "OOM_ADJUST",
	[207 - 200] = "SIGNAL_MASK",
	[208 - 200] = "STDIN",
	[209 - 200] = "STDOUT",
	[210 - 200] = "CHROOT",
	[211 - 200] = "IOPRIO",
	[212 - 200] = "TIMERSLACK",
	[213 - 200] = "SECUREBITS",
	[214 - 200] = "SETSCHEDULER",
	[215 - 200] = "CPUAFFINITY",
	[216 - 200] = "GROUP",
	[217 - 200] = "USER",
	[218 - 200] = "CAPABILITIES",
	[219 - 200] = "CGROUP",
	[220 - 200] = "SETSID",
	[221 - 200] = "CONFIRM",
	[222 - 200] = "STDERR",
	[224 - 200] = "PAM",
	[225 - 200] = "NETWORK",
	[226 - 200] = "NAMESPACE",
	[227 - 200] = "NO_NEW_PRIVILEGES",
	[228 - 200] = "SECCOMP",
	[229 - 200] = "SELINUX_CONTEXT",
	[230 - 200] = "PERSONALITY",
	[231 - 200] = "APPARMOR",
	[232 - 200] = "ADDRESS_FAMILIES",
	[233 - 200] = "RUNTIME_DIRECTORY",
	[235 - 200] = "CHOWN",
	[236 - 200] = "SMACK_PROCESS_LABEL",
	[237 - 200] = "KEYRING",
	[238 - 200] = "STATE_DIRECTORY",
	[239 - 200] = "CACHE_DIRECTORY",
	[240 - 200] = "LOGS_DIRECTORY",
	[241 - 200] = "CONFIGURATION_DIRECTORY",
	[242 - 200] = "NUMA_POLICY",
	[243 - 200] = "CREDENTIALS",
	[245 - 200] = "BPF",
};

const char *exec_step_name(int step)
{
	if (step < 200 || (size_t)(step - 200) >= ELEMENTSOF(step_names))
		return NULL;
	return step_names[step - 200];
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers of the parent side */

static int fail(char *err, size_t err_size, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_size, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* systemd's env_name_is_valid(): what a shell accepts as a variable name. */
static bool env_name_valid(const char *name, size_t len)
{
	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

/* Unicode scalar values except noncharacters, as systemd's utf8_is_valid() accepts. */
static bool utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		uint32_t cp;
		size_t len;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			len = 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			len = 3;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			len = 4;
		} else {
			return false;
		}
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000))
			return false;
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
			return false;
		p += len;
	}
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* The environment list */

static size_t env_name_length(const char *entry)
{
	return strcspn(entry, "=");
}

/* Takes entry ("K=V"). A name set again keeps its place, as in systemd's strv_env_merge(). */
static int env_set_take(struct exec_context *ctx, char *entry)
{
	size_t len = env_name_length(entry);

	for (size_t i = 0; i < ctx->env_count; i++)
		if (strncmp(ctx->env[i], entry, len + 1) == 0) {
			free(ctx->env[i]);
			ctx->env[i] = entry;
			return 0;
		}
	if (ctx->env_count + 2 > ctx->env_cap) {
		size_t cap = ctx->env_cap ? ctx->env_cap * 2 : 32;
		char **env = realloc(ctx->env, cap * sizeof(*env));

		if (!env) {
			free(entry);
			return -ENOMEM;
		}
		ctx->env = env;
		ctx->env_cap = cap;
	}
	ctx->env[ctx->env_count++] = entry;
	ctx->env[ctx->env_count] = NULL;
	return 0;
}

static int env_set(struct exec_context *ctx, const char *name, const char *value)
{
	char *entry;

	if (asprintf(&entry, "%s=%s", name, value) < 0)
		return -ENOMEM;
	return env_set_take(ctx, entry);
}

static int env_set_entry(struct exec_context *ctx, const char *entry)
{
	char *copy = strdup(entry);

	if (!copy)
		return -ENOMEM;
	return env_set_take(ctx, copy);
}

/* "NAME" drops the name whatever its value, "NAME=VALUE" only that exact assignment (systemd's
 * strv_env_delete()). */
static void env_unset(struct exec_context *ctx, const char *pattern)
{
	bool exact = strchr(pattern, '=') != NULL;
	size_t len = env_name_length(pattern);

	for (size_t i = 0; i < ctx->env_count;) {
		const char *entry = ctx->env[i];
		bool match = exact ? strcmp(entry, pattern) == 0
				   : strncmp(entry, pattern, len) == 0 && entry[len] == '=';

		if (!match) {
			i++;
			continue;
		}
		free(ctx->env[i]);
		memmove(ctx->env + i, ctx->env + i + 1, (ctx->env_count - i) * sizeof(char *));
		ctx->env_count--;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* EnvironmentFile= */

/* The states of systemd's parse_env_file_internal(); comments end at the newline whatever
 * precedes it (systemd >= 254). */
enum env_state {
	ENV_PRE_KEY,
	ENV_KEY,
	ENV_PRE_VALUE,
	ENV_VALUE,
	ENV_VALUE_ESCAPE,
	ENV_SINGLE_QUOTE,
	ENV_DOUBLE_QUOTE,
	ENV_DOUBLE_QUOTE_ESCAPE,
	ENV_COMMENT,
	ENV_STATE_MAX,
};

enum env_class {
	ENV_C_LF,
	ENV_C_CR,
	ENV_C_BLANK,
	ENV_C_COMMENT, /* '#' ';' */
	ENV_C_EQUALS,
	ENV_C_SINGLE_QUOTE,
	ENV_C_DOUBLE_QUOTE,
	ENV_C_BACKSLASH,
	ENV_C_SHELL, /* '`' '$': escaped inside double quotes like '"' and '\' */
	ENV_C_OTHER,
	ENV_CLASS_MAX,
};

enum env_action {
	ENV_DO_NOTHING,
	ENV_DO_KEY_ADD,	      /* append to the key, remembering where trailing blanks start */
	ENV_DO_KEY_DROP,      /* a line without '=' */
	ENV_DO_VALUE_START,   /* '=' seen */
	ENV_DO_VALUE_ADD,     /* append unquoted text, remembering where trailing blanks start */
	ENV_DO_VALUE_ADD_RAW, /* append quoted or escaped text */
	ENV_DO_VALUE_ADD_BS,  /* append '\' and the character: not an escape in double quotes */
	ENV_DO_VALUE_ESCAPE,  /* a backslash in unquoted text: what follows is no trailing blank */
	ENV_DO_PUSH,	      /* the assignment is complete */
};

struct env_transition {
	unsigned char next, action;
};

/* [state][class of the character]: the next state and what to do with the character. */
/* clang-format off */
#define T(next, action) { ENV_##next, ENV_DO_##action }
static const struct env_transition env_table[ENV_STATE_MAX][ENV_CLASS_MAX] = {
	[ENV_PRE_KEY] = {
		[ENV_C_LF]           = T(PRE_KEY, NOTHING),
		[ENV_C_CR]           = T(PRE_KEY, NOTHING),
		[ENV_C_BLANK]        = T(PRE_KEY, NOTHING),
		[ENV_C_COMMENT]      = T(COMMENT, NOTHING),
		[ENV_C_EQUALS]       = T(KEY, KEY_ADD),
		[ENV_C_SINGLE_QUOTE] = T(KEY, KEY_ADD),
		[ENV_C_DOUBLE_QUOTE] = T(KEY, KEY_ADD),
		[ENV_C_BACKSLASH]    = T(KEY, KEY_ADD),
		[ENV_C_SHELL]        = T(KEY, KEY_ADD),
		[ENV_C_OTHER]        = T(KEY, KEY_ADD),
	},
	[ENV_KEY] = {
		[ENV_C_LF]           = T(PRE_KEY, KEY_DROP),
		[ENV_C_CR]           = T(PRE_KEY, KEY_DROP),
		[ENV_C_BLANK]        = T(KEY, KEY_ADD),
		[ENV_C_COMMENT]      = T(KEY, KEY_ADD),
		[ENV_C_EQUALS]       = T(PRE_VALUE, VALUE_START),
		[ENV_C_SINGLE_QUOTE] = T(KEY, KEY_ADD),
		[ENV_C_DOUBLE_QUOTE] = T(KEY, KEY_ADD),
		[ENV_C_BACKSLASH]    = T(KEY, KEY_ADD),
		[ENV_C_SHELL]        = T(KEY, KEY_ADD),
		[ENV_C_OTHER]        = T(KEY, KEY_ADD),
	},
	[ENV_PRE_VALUE] = {
		[ENV_C_LF]           = T(PRE_KEY, PUSH),
		[ENV_C_CR]           = T(PRE_KEY, PUSH),
		[ENV_C_BLANK]        = T(PRE_VALUE, NOTHING),
		[ENV_C_COMMENT]      = T(VALUE, VALUE_ADD),
		[ENV_C_EQUALS]       = T(VALUE, VALUE_ADD),
		[ENV_C_SINGLE_QUOTE] = T(SINGLE_QUOTE, NOTHING),
		[ENV_C_DOUBLE_QUOTE] = T(DOUBLE_QUOTE, NOTHING),
		[ENV_C_BACKSLASH]    = T(VALUE_ESCAPE, NOTHING),
		[ENV_C_SHELL]        = T(VALUE, VALUE_ADD),
		[ENV_C_OTHER]        = T(VALUE, VALUE_ADD),
	},
	[ENV_VALUE] = {
		[ENV_C_LF]           = T(PRE_KEY, PUSH),
		[ENV_C_CR]           = T(PRE_KEY, PUSH),
		[ENV_C_BLANK]        = T(VALUE, VALUE_ADD),
		[ENV_C_COMMENT]      = T(VALUE, VALUE_ADD),
		[ENV_C_EQUALS]       = T(VALUE, VALUE_ADD),
		[ENV_C_SINGLE_QUOTE] = T(VALUE, VALUE_ADD),
		[ENV_C_DOUBLE_QUOTE] = T(VALUE, VALUE_ADD),
		[ENV_C_BACKSLASH]    = T(VALUE_ESCAPE, VALUE_ESCAPE),
		[ENV_C_SHELL]        = T(VALUE, VALUE_ADD),
		[ENV_C_OTHER]        = T(VALUE, VALUE_ADD),
	},
	/* A backslash-newline is a continuation; any other escaped character is itself. */
	[ENV_VALUE_ESCAPE] = {
		[ENV_C_LF]           = T(VALUE, NOTHING),
		[ENV_C_CR]           = T(VALUE, NOTHING),
		[ENV_C_BLANK]        = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_COMMENT]      = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_EQUALS]       = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_SINGLE_QUOTE] = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_DOUBLE_QUOTE] = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_BACKSLASH]    = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_SHELL]        = T(VALUE, VALUE_ADD_RAW),
		[ENV_C_OTHER]        = T(VALUE, VALUE_ADD_RAW),
	},
	[ENV_SINGLE_QUOTE] = {
		[ENV_C_LF]           = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_CR]           = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_BLANK]        = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_COMMENT]      = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_EQUALS]       = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_SINGLE_QUOTE] = T(PRE_VALUE, NOTHING),
		[ENV_C_DOUBLE_QUOTE] = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_BACKSLASH]    = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_SHELL]        = T(SINGLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_OTHER]        = T(SINGLE_QUOTE, VALUE_ADD_RAW),
	},
	[ENV_DOUBLE_QUOTE] = {
		[ENV_C_LF]           = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_CR]           = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_BLANK]        = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_COMMENT]      = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_EQUALS]       = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_SINGLE_QUOTE] = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_DOUBLE_QUOTE] = T(PRE_VALUE, NOTHING),
		[ENV_C_BACKSLASH]    = T(DOUBLE_QUOTE_ESCAPE, NOTHING),
		[ENV_C_SHELL]        = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_OTHER]        = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
	},
	/* As in a shell: \" \\ \` \$ and backslash-newline are escapes, the rest stays as is. */
	[ENV_DOUBLE_QUOTE_ESCAPE] = {
		[ENV_C_LF]           = T(DOUBLE_QUOTE, NOTHING),
		[ENV_C_CR]           = T(DOUBLE_QUOTE, VALUE_ADD_BS),
		[ENV_C_BLANK]        = T(DOUBLE_QUOTE, VALUE_ADD_BS),
		[ENV_C_COMMENT]      = T(DOUBLE_QUOTE, VALUE_ADD_BS),
		[ENV_C_EQUALS]       = T(DOUBLE_QUOTE, VALUE_ADD_BS),
		[ENV_C_SINGLE_QUOTE] = T(DOUBLE_QUOTE, VALUE_ADD_BS),
		[ENV_C_DOUBLE_QUOTE] = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_BACKSLASH]    = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_SHELL]        = T(DOUBLE_QUOTE, VALUE_ADD_RAW),
		[ENV_C_OTHER]        = T(DOUBLE_QUOTE, VALUE_ADD_BS),
	},
	[ENV_COMMENT] = {
		[ENV_C_LF]           = T(PRE_KEY, NOTHING),
		[ENV_C_CR]           = T(PRE_KEY, NOTHING),
		[ENV_C_BLANK]        = T(COMMENT, NOTHING),
		[ENV_C_COMMENT]      = T(COMMENT, NOTHING),
		[ENV_C_EQUALS]       = T(COMMENT, NOTHING),
		[ENV_C_SINGLE_QUOTE] = T(COMMENT, NOTHING),
		[ENV_C_DOUBLE_QUOTE] = T(COMMENT, NOTHING),
		[ENV_C_BACKSLASH]    = T(COMMENT, NOTHING),
		[ENV_C_SHELL]        = T(COMMENT, NOTHING),
		[ENV_C_OTHER]        = T(COMMENT, NOTHING),
	},
};
#undef T
/* clang-format on */

static enum env_class env_classify(char c)
{
	switch (c) {
	case '\n':
		return ENV_C_LF;
	case '\r':
		return ENV_C_CR;
	case ' ':
	case '\t':
		return ENV_C_BLANK;
	case '#':
	case ';':
		return ENV_C_COMMENT;
	case '=':
		return ENV_C_EQUALS;
	case '\'':
		return ENV_C_SINGLE_QUOTE;
	case '"':
		return ENV_C_DOUBLE_QUOTE;
	case '\\':
		return ENV_C_BACKSLASH;
	case '`':
	case '$':
		return ENV_C_SHELL;
	default:
		return ENV_C_OTHER;
	}
}

struct text {
	char *data;
	size_t len, cap;
};

static int text_add(struct text *t, char c)
{
	if (t->len + 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *data = realloc(t->data, cap);

		if (!data)
			return -ENOMEM;
		t->data = data;
		t->cap = cap;
	}
	t->data[t->len++] = c;
	t->data[t->len] = '\0';
	return 0;
}

struct env_parser {
	struct exec_context *ctx;
	const char *path;
	unsigned line, key_line;
	struct text key, value;
	size_t key_blank, value_blank; /* where trailing blanks start, or SIZE_MAX */
};

static int env_parser_push(struct env_parser *p, char *err, size_t err_size)
{
	const char *value;
	int r;

	if (text_add(&p->key, '\0') < 0 || text_add(&p->value, '\0') < 0)
		return -ENOMEM;
	if (p->key_blank != SIZE_MAX)
		p->key.data[p->key_blank] = '\0';
	if (p->value_blank != SIZE_MAX)
		p->value.data[p->value_blank] = '\0';
	value = p->value.data;
	p->key.len = p->value.len = 0;

	if (!utf8_valid(p->key.data) || !utf8_valid(value))
		return fail(err, err_size, -EINVAL, "EnvironmentFile=%s: line %u: invalid UTF-8",
			    p->path, p->key_line);
	if (!env_name_valid(p->key.data, strlen(p->key.data))) {
		log_warning("EnvironmentFile=%s:%u: \"%s\" is not a valid variable name, ignoring",
			    p->path, p->key_line, p->key.data);
		return 0;
	}
	r = env_set(p->ctx, p->key.data, value);
	return r < 0 ? fail(err, err_size, r, "EnvironmentFile=%s: %s", p->path, strerror(-r)) : 0;
}

static int env_parser_step(struct env_parser *p, enum env_action action, char c, char *err,
			   size_t err_size)
{
	switch (action) {
	case ENV_DO_NOTHING:
		return 0;
	case ENV_DO_KEY_ADD:
		if (p->key.len == 0)
			p->key_line = p->line;
		if (c != ' ' && c != '\t')
			p->key_blank = SIZE_MAX;
		else if (p->key_blank == SIZE_MAX)
			p->key_blank = p->key.len;
		return text_add(&p->key, c);
	case ENV_DO_KEY_DROP:
		p->key.len = 0;
		p->key_blank = SIZE_MAX;
		return 0;
	case ENV_DO_VALUE_START:
		p->value.len = 0;
		p->value_blank = SIZE_MAX;
		return 0;
	case ENV_DO_VALUE_ADD:
		if (c != ' ' && c != '\t')
			p->value_blank = SIZE_MAX;
		else if (p->value_blank == SIZE_MAX)
			p->value_blank = p->value.len;
		return text_add(&p->value, c);
	case ENV_DO_VALUE_ADD_RAW:
		return text_add(&p->value, c);
	case ENV_DO_VALUE_ADD_BS:
		return text_add(&p->value, '\\') < 0 ? -ENOMEM : text_add(&p->value, c);
	case ENV_DO_VALUE_ESCAPE:
		p->value_blank = SIZE_MAX;
		return 0;
	case ENV_DO_PUSH:
		return env_parser_push(p, err, err_size);
	}
	return -EINVAL;
}

/* Parses text (NUL-terminated: like systemd, a NUL byte ends the file). */
static int env_file_parse(struct exec_context *ctx, const char *path, const char *text, char *err,
			  size_t err_size)
{
	struct env_parser p = { .ctx = ctx,
				.path = path,
				.line = 1,
				.key_line = 1,
				.key_blank = SIZE_MAX,
				.value_blank = SIZE_MAX };
	enum env_state state = ENV_PRE_KEY;
	int r = 0;

	for (const char *c = text; *c && r >= 0; c++) {
		const struct env_transition *t = &env_table[state][env_classify(*c)];

		r = env_parser_step(&p, t->action, *c, err, err_size);
		state = t->next;
		if (*c == '\n')
			p.line++;
	}
	/* An assignment on the last line needs no newline, and open quotes are closed by EOF. */
	if (r >= 0 && state != ENV_PRE_KEY && state != ENV_KEY && state != ENV_COMMENT)
		r = env_parser_push(&p, err, err_size);
	if (r == -ENOMEM)
		r = fail(err, err_size, r, "EnvironmentFile=%s: %s", path, strerror(-r));
	free(p.key.data);
	free(p.value.data);
	return r;
}

static int env_file_read(const char *path, char **ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	/* O_NONBLOCK: a FIFO must not hang cinit; it reads as empty or fails with EAGAIN. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *grown;

			if (cap >= ENV_FILE_MAX)
				return -EFBIG;
			cap = cap ? cap * 2 : 4096;
			grown = realloc(buf, cap);
			if (!grown)
				return -ENOMEM;
			buf = grown;
		}
		n = util_read(fd, buf + len, cap - 1 - len);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	buf = NULL;
	return 0;
}

static int env_file_load(struct exec_context *ctx, const char *path, char *err, size_t err_size)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = env_file_read(path, &text);
	if (r < 0)
		return fail(err, err_size, r, "EnvironmentFile=%s: %s", path, strerror(-r));
	return env_file_parse(ctx, path, text, err, err_size);
}

/* A "-" file's failure is no failure, but running out of memory still is. */
static int env_file_ignore_error(int r, char *err, size_t err_size)
{
	if (r >= 0 || r == -ENOMEM)
		return r;
	if (err && err_size > 0) {
		log_debug("%s, ignoring", err);
		err[0] = '\0';
	}
	return 0;
}

/* One EnvironmentFile= as written: "-" makes any failure of it silent, as in systemd's
 * exec_context_load_environment(); a glob takes its matches in sorted order. */
static int env_file_apply(struct exec_context *ctx, const char *written, char *err, size_t err_size)
{
	bool optional = written[0] == '-';
	const char *path = optional ? written + 1 : written;
	glob_t g;
	int r = 0;

	if (!strpbrk(path, "*?[")) {
		r = env_file_load(ctx, path, err, err_size);
		return optional ? env_file_ignore_error(r, err, err_size) : r;
	}
	switch (glob(path, 0, NULL, &g)) {
	case 0:
		break;
	case GLOB_NOSPACE:
		return fail(err, err_size, -ENOMEM, "EnvironmentFile=%s: %s", path,
			    strerror(ENOMEM));
	default:
		return optional ? 0
				: fail(err, err_size, -ENOENT, "EnvironmentFile=%s: %s", path,
				       strerror(ENOENT));
	}
	for (size_t i = 0; i < g.gl_pathc && r >= 0; i++) {
		r = env_file_load(ctx, g.gl_pathv[i], err, err_size);
		if (optional)
			r = env_file_ignore_error(r, err, err_size);
	}
	globfree(&g);
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Credentials, environment, working directory */

static bool path_is_root(const char *path)
{
	return path[0] == '/' && path[strspn(path, "/")] == '\0';
}

/* systemd's shell_is_placeholder(): not worth a $SHELL. */
static bool shell_is_placeholder(const char *shell)
{
	static const char *const nologin[] = {
		"/bin/nologin", "/sbin/nologin",  "/usr/bin/nologin", "/usr/sbin/nologin",
		"/bin/false",	"/usr/bin/false", "/dev/null",
	};

	if (shell[0] == '\0')
		return true;
	for (size_t i = 0; i < ELEMENTSOF(nologin); i++)
		if (strcmp(shell, nologin[i]) == 0)
			return true;
	return false;
}

static const char *users_error_text(int r, const char *missing)
{
	switch (r) {
	case -ESRCH:
		return missing;
	case -EINVAL:
		return "not a valid name or id";
	case -ERANGE:
		return "id out of range";
	case -E2BIG:
		return "member of too many groups";
	default:
		return strerror(-r);
	}
}

static size_t groups_max(void)
{
	long n = sysconf(_SC_NGROUPS_MAX);

	return n > 0 ? (size_t)n : 65536;
}

static int context_add_group(struct exec_context *ctx, gid_t gid)
{
	gid_t *groups;

	for (size_t i = 0; i < ctx->n_groups; i++)
		if (ctx->groups[i] == gid)
			return 0;
	if (ctx->n_groups >= groups_max())
		return -E2BIG;
	groups = realloc(ctx->groups, (ctx->n_groups + 1) * sizeof(*groups));
	if (!groups)
		return -ENOMEM;
	ctx->groups = groups;
	ctx->groups[ctx->n_groups++] = gid;
	return 0;
}

/* The user's memberships in /etc/group, like initgroups(3) with the final gid. */
static int context_add_memberships(struct exec_context *ctx, const struct user_record *user)
{
	size_t max = 64, count;

	for (;;) {
		_cleanup_free_ gid_t *groups = calloc(max, sizeof(*groups));
		int r;

		if (!groups)
			return -ENOMEM;
		r = users_supplementary_groups(EXEC_USERS_ROOT, user->name, ctx->gid, groups, max,
					       &count);
		if (r == -E2BIG && max < groups_max()) {
			max *= 2;
			continue;
		}
		if (r < 0)
			return r;
		for (size_t i = 0; i < count; i++) {
			r = context_add_group(ctx, groups[i]);
			if (r < 0)
				return r;
		}
		return 0;
	}
}

static int context_resolve_credentials(struct exec_context *ctx, const struct exec_spec *spec,
				       struct user_record *user, char *err, size_t err_size)
{
	int r;

	if (spec->user) {
		r = users_lookup_user(EXEC_USERS_ROOT, spec->user, user);
		if (r < 0)
			return fail(err, err_size, r, "User=%s: %s", spec->user,
				    users_error_text(r, "no such user"));
		ctx->set_uid = ctx->set_gid = true;
		ctx->uid = user->uid;
		ctx->gid = user->gid;
	}
	if (spec->group) {
		r = users_lookup_group(EXEC_USERS_ROOT, spec->group, &ctx->gid);
		if (r < 0)
			return fail(err, err_size, r, "Group=%s: %s", spec->group,
				    users_error_text(r, "no such group"));
		ctx->set_gid = true;
	}
	/* A switched user always gets its own groups, so that cinit's never leak to it. */
	if (spec->user) {
		ctx->set_groups = true;
		r = context_add_memberships(ctx, user);
		if (r < 0)
			return fail(err, err_size, r, "User=%s: %s", spec->user,
				    users_error_text(r, "no such user"));
	}
	for (char **g = spec->supplementary_groups; g && *g; g++) {
		gid_t gid;

		r = users_lookup_group(EXEC_USERS_ROOT, *g, &gid);
		if (r >= 0)
			r = context_add_group(ctx, gid);
		if (r < 0)
			return fail(err, err_size, r, "SupplementaryGroups=%s: %s", *g,
				    users_error_text(r, "no such group"));
		ctx->set_groups = true;
	}
	return 0;
}

static int context_build_environment(struct exec_context *ctx, const struct exec_spec *spec,
				     const struct user_record *user, char *const *extra_env,
				     char *err, size_t err_size)
{
	int r;

	r = env_set(ctx, "PATH", EXEC_DEFAULT_PATH);
	if (r >= 0 && user) {
		/* A uid without passwd entry is named as written. */
		const char *name = user->name[0] ? user->name : spec->user;

		r = env_set(ctx, "USER", name);
		if (r >= 0)
			r = env_set(ctx, "LOGNAME", name);
		if (r >= 0 && user->home[0] && !path_is_root(user->home))
			r = env_set(ctx, "HOME", user->home);
		if (r >= 0 && !shell_is_placeholder(user->shell))
			r = env_set(ctx, "SHELL", user->shell);
	}
	for (char *const *e = extra_env; r >= 0 && e && *e; e++) {
		if (!strchr(*e, '='))
			return fail(err, err_size, -EINVAL, "\"%s\" is not an assignment", *e);
		r = env_set_entry(ctx, *e);
	}
	for (char **name = spec->pass_environment; r >= 0 && name && *name; name++) {
		const char *value = getenv(*name);

		if (value)
			r = env_set(ctx, *name, value);
	}
	for (char **e = spec->environment; r >= 0 && e && *e; e++)
		r = env_set_entry(ctx, *e);
	if (r < 0)
		return fail(err, err_size, r, "environment: %s", strerror(-r));

	for (char **f = spec->environment_files; f && *f; f++) {
		r = env_file_apply(ctx, *f, err, err_size);
		if (r < 0)
			return r;
	}
	for (char **u = spec->unset_environment; u && *u; u++)
		env_unset(ctx, *u);
	return 0;
}

static int context_resolve_working_directory(struct exec_context *ctx, const struct exec_spec *spec,
					     const struct user_record *user)
{
	const char *dir = spec->working_directory ? spec->working_directory : EXEC_DEFAULT_CWD;
	struct user_record root;

	if (strcmp(dir, "~") == 0) {
		if (user)
			dir = user->home;
		else if (users_lookup_user(EXEC_USERS_ROOT, "0", &root) == 0 &&
			 !path_is_root(root.home))
			dir = root.home;
		else
			dir = EXEC_ROOT_HOME;
	}
	ctx->working_directory = strdup(dir);
	ctx->working_directory_optional = spec->working_directory_optional;
	return ctx->working_directory ? 0 : -ENOMEM;
}

/* Capabilities above the running kernel's last one are ignored, not errors. */
static unsigned read_cap_last_cap(void)
{
	char buf[32], *end;
	unsigned long value;
	unsigned cap;

	/* strtoul, not sscanf: scanf would pull a whole float parser into static cinit. */
	if (util_read_file(PROC_CAP_LAST_CAP, buf, sizeof(buf)) > 0) {
		errno = 0;
		value = strtoul(buf, &end, 10);
		if (errno == 0 && end != buf && value <= CAP_NUMBER_MAX)
			return (unsigned)value;
	}
	/* No /proc: the bounding set answers EINVAL past the last capability. */
	for (cap = 0; cap < CAP_NUMBER_MAX; cap++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)cap + 1, 0, 0, 0) < 0)
			break;
	return cap;
}

int exec_context_new(const struct exec_spec *spec, char *const *extra_env,
		     struct exec_context **ret, char *err, size_t err_size)
{
	struct exec_context *ctx;
	struct user_record user;
	int r;

	if (err && err_size > 0)
		err[0] = '\0';
	if (!spec || !ret)
		return fail(err, err_size, -EINVAL, "no spec");
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return fail(err, err_size, -ENOMEM, "%s", strerror(ENOMEM));

	r = context_resolve_credentials(ctx, spec, &user, err, err_size);
	if (r >= 0)
		r = context_build_environment(ctx, spec, spec->user ? &user : NULL, extra_env, err,
					      err_size);
	if (r >= 0) {
		r = context_resolve_working_directory(ctx, spec, spec->user ? &user : NULL);
		if (r < 0)
			fail(err, err_size, r, "WorkingDirectory=: %s", strerror(-r));
	}
	if (r < 0) {
		exec_context_free(ctx);
		return r;
	}
	ctx->cap_last_cap = read_cap_last_cap();
	*ret = ctx;
	return 0;
}

char *const *exec_context_env(const struct exec_context *ctx)
{
	static char *const empty[] = { NULL };

	return ctx && ctx->env ? ctx->env : empty;
}

void exec_context_free(struct exec_context *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->env_count; i++)
		free(ctx->env[i]);
	free(ctx->env);
	free(ctx->groups);
	free(ctx->working_directory);
	free(ctx);
}

/* ------------------------------------------------------------------------------------------ */
/* The child. Everything here is a plain system call on memory prepared by the parent: no
 * allocation, no stdio, no locks, so it is safe after fork() whatever the parent was doing. */

struct child_plan {
	const struct exec_request *request;
	const struct exec_spec *spec;
	const struct exec_context *context;
	bool switch_user;      /* neither '+' nor '!' */
	bool sandbox;	       /* not '+' */
	uint64_t ambient;      /* AmbientCapabilities= up to cap_last_cap */
	const char *find_path; /* $PATH of the service */
	int status_fd;
	int stdio[3]; /* sources for fds 0..2, each >= 3 */
};

static int child_fd_above_stdio(int fd, bool owned)
{
	int moved;

	if (owned && fd > STDERR_FILENO)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (moved < 0)
		moved = -errno;
	if (owned)
		(void)close(fd);
	return moved;
}

static int child_open_above_stdio(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, EXEC_OUTPUT_MODE);

	return fd < 0 ? -errno : child_fd_above_stdio(fd, true);
}

static int child_join_cgroup(struct child_plan *plan)
{
	int fd = plan->request->cgroup_procs_fd;

	return fd < 0 ? 0 : util_write_all(fd, "0\n", 2);
}

/* The kernel's struct sigaction for rt_sigaction(2): handler, flags, restorer, mask. */
struct child_kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static int child_reset_reserved_signal(int sig)
{
	struct child_kernel_sigaction ksa = { .handler = SIG_DFL };

	return (int)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/* systemd's IgnoreSIGPIPE= defaults to yes: a service writing to a closed socket or pipe gets
 * EPIPE rather than dying; SIG_IGN survives execve(). */
static int child_reset_signals(struct child_plan *plan)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t empty;

	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = sig == SIGPIPE ? SIG_IGN : SIG_DFL;
		if (sigaction(sig, &sa, NULL) == 0)
			continue;
		if (errno != EINVAL)
			return -errno;
		/* A signal the libc reserves for itself (32-34): it refuses to touch it, but an
		 * ignored one would survive execve() into the service, so reset it directly. */
		if (child_reset_reserved_signal(sig) < 0)
			return -errno;
	}
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, plan->request->mask ? plan->request->mask : &empty, NULL) < 0)
		return -errno;
	return 0;
}

static int child_new_session(struct child_plan *plan)
{
	(void)plan;
	return setsid() < 0 ? -errno : 0;
}

static int child_set_umask(struct child_plan *plan)
{
	(void)umask(plan->spec->umask == SPEC_UNSET ? EXEC_DEFAULT_UMASK
						    : (mode_t)plan->spec->umask);
	return 0;
}

static int child_prepare_stdin(struct child_plan *plan)
{
	plan->stdio[STDIN_FILENO] = child_open_above_stdio(EXEC_DEV_NULL, O_RDONLY);
	return plan->stdio[STDIN_FILENO] < 0 ? plan->stdio[STDIN_FILENO] : 0;
}

static int child_output_source(const struct child_plan *plan, int target)
{
	const struct exec_spec *spec = plan->spec;
	enum spec_output mode =
		target == STDOUT_FILENO ? spec->standard_output : spec->standard_error;
	const char *path =
		target == STDOUT_FILENO ? spec->standard_output_path : spec->standard_error_path;
	int journal = target == STDOUT_FILENO ? plan->request->stdout_fd : plan->request->stderr_fd;
	int flags = O_WRONLY | O_CREAT;

	switch (mode) {
	case SPEC_OUTPUT_INHERIT:
		return child_fd_above_stdio(target, false);
	case SPEC_OUTPUT_NULL:
		return child_open_above_stdio(EXEC_DEV_NULL, O_WRONLY);
	case SPEC_OUTPUT_JOURNAL:
		return child_fd_above_stdio(journal, false);
	case SPEC_OUTPUT_FILE:
		break;
	case SPEC_OUTPUT_APPEND:
		flags |= O_APPEND;
		break;
	case SPEC_OUTPUT_TRUNCATE:
		flags |= O_TRUNC;
		break;
	default:
		return -EINVAL;
	}
	return child_open_above_stdio(path, flags);
}

static int child_prepare_stdout(struct child_plan *plan)
{
	plan->stdio[STDOUT_FILENO] = child_output_source(plan, STDOUT_FILENO);
	return plan->stdio[STDOUT_FILENO] < 0 ? plan->stdio[STDOUT_FILENO] : 0;
}

/* systemd's can_inherit_stderr_from_stdout(): one file named twice is opened once, so that both
 * streams share the offset instead of overwriting each other. */
static bool stderr_shares_stdout(const struct exec_spec *spec)
{
	if (spec->standard_error != spec->standard_output)
		return false;
	switch (spec->standard_output) {
	case SPEC_OUTPUT_FILE:
	case SPEC_OUTPUT_APPEND:
	case SPEC_OUTPUT_TRUNCATE:
		return spec->standard_output_path && spec->standard_error_path &&
		       strcmp(spec->standard_output_path, spec->standard_error_path) == 0;
	default:
		return false;
	}
}

static int child_prepare_stderr(struct child_plan *plan)
{
	int fd = stderr_shares_stdout(plan->spec)
			 ? child_fd_above_stdio(plan->stdio[STDOUT_FILENO], false)
			 : child_output_source(plan, STDERR_FILENO);

	plan->stdio[STDERR_FILENO] = fd;
	return fd < 0 ? fd : 0;
}

/* The sources were all moved above 2 first, so installing one never clobbers another. */
static int child_install(const struct child_plan *plan, int target)
{
	return dup2(plan->stdio[target], target) < 0 ? -errno : 0;
}

static int child_install_stdin(struct child_plan *plan)
{
	return child_install(plan, STDIN_FILENO);
}

static int child_install_stdout(struct child_plan *plan)
{
	return child_install(plan, STDOUT_FILENO);
}

static int child_install_stderr(struct child_plan *plan)
{
	return child_install(plan, STDERR_FILENO);
}

/* The kernel's struct linux_dirent64, which libcs name differently. */
struct child_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Before close_range(2) (Linux 5.9): the open fds as /proc lists them, or every possible one. */
static int child_close_fds_slowly(int keep, int first)
{
	union {
		char bytes[4096];
		uint64_t align;
	} buf;
	int dir = open(PROC_SELF_FD, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct rlimit rl;
	long n;

	if (dir < 0) {
		int max = getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1 << 20)
				  ? 1 << 20
				  : (int)rl.rlim_cur;

		for (int fd = first; fd < max; fd++)
			if (fd != keep)
				(void)close(fd);
		return 0;
	}
	while ((n = syscall(SYS_getdents64, dir, buf.bytes, sizeof(buf.bytes))) > 0) {
		for (long off = 0; off < n;) {
			const struct child_dirent64 *d = (const void *)(buf.bytes + off);
			int fd = 0;
			bool number = d->name[0] != '\0';

			for (const char *c = d->name; *c && number; c++) {
				number = *c >= '0' && *c <= '9' && fd < INT_MAX / 10;
				fd = fd * 10 + (*c - '0');
			}
			if (number && fd >= first && fd != keep && fd != dir)
				(void)close(fd);
			off += d->reclen;
		}
	}
	if (n < 0)
		n = -errno;
	(void)close(dir);
	return (int)n;
}

/* Socket activation: the status pipe moved above 3, 4, ..., the request's fds there, and the
 * pid into LISTEN_PID. */
static int child_install_listen_fds(struct child_plan *plan)
{
	const struct exec_request *req = plan->request;
	int first_free = STDERR_FILENO + 1 + (int)req->n_listen_fds;
	int scratch[EXEC_LISTEN_FDS_MAX], r;
	char *const *env = exec_context_env(plan->context);

	if (req->n_listen_fds > EXEC_LISTEN_FDS_MAX)
		return -E2BIG;
	if (plan->status_fd < first_free) {
		int fd = fcntl(plan->status_fd, F_DUPFD_CLOEXEC, first_free);

		if (fd < 0)
			return -errno;
		plan->status_fd = fd;
	}
	r = sdnotify_fds_renumber(req->listen_fds, req->n_listen_fds, STDERR_FILENO + 1, scratch);
	if (r < 0)
		return r;
	/* the entry is this child's copy of the context: written in place, nothing allocated */
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], "LISTEN_PID=", 11) == 0) {
			char *digits = env[i] + 11;
			size_t room = strlen(digits);
			char pid[16];
			int n = snprintf(pid, sizeof(pid), "%d", (int)getpid());

			if ((size_t)n > room)
				return -ENOSPC;
			memcpy(digits, pid, (size_t)n + 1);
		}
	return 0;
}

static int child_close_fds(struct child_plan *plan)
{
	unsigned first = STDERR_FILENO + 1 + (unsigned)plan->request->n_listen_fds;
	unsigned keep;
	int r;

	if (plan->request->n_listen_fds > 0) {
		r = child_install_listen_fds(plan);
		if (r < 0)
			return r;
	}
	keep = (unsigned)plan->status_fd; /* >= first, see child_run() and above */
	if ((keep == first || syscall(SYS_close_range, first, keep - 1, 0) == 0) &&
	    syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
		return 0;
	return child_close_fds_slowly(plan->status_fd, first);
}

static int child_set_nice(struct child_plan *plan)
{
	if (plan->spec->nice == SPEC_UNSET)
		return 0;
	return setpriority(PRIO_PROCESS, 0, plan->spec->nice) < 0 ? -errno : 0;
}

/* systemd's setrlimit_closest(): without CAP_SYS_RESOURCE a limit above the current hard limit
 * is clamped to it rather than failing the start. */
static int child_set_rlimit(int resource, const struct spec_rlimit *limit)
{
	struct rlimit want = { .rlim_cur = limit->soft, .rlim_max = limit->hard }, have, fixed;

	if (setrlimit(resource, &want) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	if (getrlimit(resource, &have) < 0)
		return -errno;
	if (have.rlim_max == RLIM_INFINITY)
		return -EPERM;
	fixed.rlim_cur = want.rlim_cur < have.rlim_max ? want.rlim_cur : have.rlim_max;
	fixed.rlim_max = want.rlim_max < have.rlim_max ? want.rlim_max : have.rlim_max;
	if (fixed.rlim_cur == have.rlim_cur && fixed.rlim_max == have.rlim_max)
		return 0;
	return setrlimit(resource, &fixed) < 0 ? -errno : 0;
}

static int child_set_rlimits(struct child_plan *plan)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		int r;

		if (!plan->spec->rlimits[i].set)
			continue;
		r = child_set_rlimit(i, &plan->spec->rlimits[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int child_set_groups(struct child_plan *plan)
{
	const struct exec_context *ctx = plan->context;

	if (!plan->switch_user)
		return 0;
	if (ctx->set_groups && setgroups(ctx->n_groups, ctx->groups) < 0)
		return -errno;
	if (ctx->set_gid && setresgid(ctx->gid, ctx->gid, ctx->gid) < 0)
		return -errno;
	return 0;
}

static int caps_get(struct cap_abi_data data[CAP_ABI_WORDS])
{
	struct cap_abi_header header = { .version = CAP_ABI_VERSION_3 };

	return syscall(SYS_capget, &header, data) < 0 ? -errno : 0;
}

static int caps_set(struct cap_abi_data data[CAP_ABI_WORDS])
{
	struct cap_abi_header header = { .version = CAP_ABI_VERSION_3 };

	return syscall(SYS_capset, &header, data) < 0 ? -errno : 0;
}

static bool cap_in_bounding_set(unsigned cap)
{
	return prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 1;
}

/* Dropping from the bounding set needs CAP_SETPCAP in the effective set, which PID 1 may only
 * have in its permitted set. */
static int caps_raise_setpcap(void)
{
	struct cap_abi_data data[CAP_ABI_WORDS];
	uint32_t bit = UINT32_C(1) << CAP_SETPCAP_BIT;
	int r = caps_get(data);

	if (r < 0 || (data[0].effective & bit))
		return r;
	if (!(data[0].permitted & bit))
		return -EPERM;
	data[0].effective |= bit;
	return caps_set(data);
}

/* Drops what the set lacks from the bounding set and, as systemd does, from the inheritable
 * set. Capabilities already gone are left alone: a container's runtime often dropped them. */
static int child_drop_bounding_set(struct child_plan *plan)
{
	struct cap_abi_data data[CAP_ABI_WORDS];
	uint64_t keep = plan->spec->capability_bounding_set;
	bool raised = false, inheritable = false;
	int r;

	if (!plan->sandbox || !plan->spec->capability_bounding_set_set)
		return 0;
	for (unsigned cap = 0; cap <= plan->context->cap_last_cap; cap++) {
		if ((keep & (UINT64_C(1) << cap)) || !cap_in_bounding_set(cap))
			continue;
		if (!raised) {
			r = caps_raise_setpcap();
			if (r < 0)
				return r;
			raised = true;
		}
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return -errno;
	}
	if (!raised)
		return 0;
	r = caps_get(data);
	if (r < 0)
		return r;
	for (unsigned word = 0; word < CAP_ABI_WORDS; word++) {
		uint32_t kept = data[word].inheritable & (uint32_t)(keep >> (32 * word));

		inheritable |= kept != data[word].inheritable;
		data[word].inheritable = kept;
	}
	return inheritable ? caps_set(data) : 0;
}

static int caps_raise_ambient(uint64_t set)
{
	for (unsigned cap = 0; cap <= CAP_NUMBER_MAX; cap++)
		if ((set & (UINT64_C(1) << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
			return -errno;
	return 0;
}

/* An ambient capability must be permitted and inheritable; one the bounding set lacks is
 * dropped silently, as systemd does. */
static int child_set_ambient(struct child_plan *plan)
{
	struct cap_abi_data data[CAP_ABI_WORDS];
	int r;

	if (!plan->sandbox || plan->ambient == 0)
		return 0;
	for (unsigned cap = 0; cap <= plan->context->cap_last_cap; cap++)
		if ((plan->ambient & (UINT64_C(1) << cap)) && !cap_in_bounding_set(cap))
			plan->ambient &= ~(UINT64_C(1) << cap);
	if (plan->ambient == 0)
		return 0;
	r = caps_get(data);
	if (r < 0)
		return r;
	for (unsigned word = 0; word < CAP_ABI_WORDS; word++)
		data[word].inheritable |= (uint32_t)(plan->ambient >> (32 * word));
	r = caps_set(data);
	if (r < 0)
		return r;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	return caps_raise_ambient(plan->ambient);
}

/* setresuid() away from root clears the ambient set whatever happens, and the permitted set
 * unless keep-caps is on: keep them, then raise the ambient set again (child_reraise_ambient). */
static int child_set_user(struct child_plan *plan)
{
	uid_t uid = plan->context->uid;

	if (!plan->switch_user || !plan->context->set_uid)
		return 0;
	if (plan->ambient != 0 && uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	return setresuid(uid, uid, uid) < 0 ? -errno : 0;
}

static int child_reraise_ambient(struct child_plan *plan)
{
	if (!plan->switch_user || !plan->context->set_uid || plan->ambient == 0)
		return 0;
	return caps_raise_ambient(plan->ambient);
}

/* After the user switch: the directory may only be reachable by that user (NFS, 0700 homes). */
static int child_change_directory(struct child_plan *plan)
{
	if (chdir(plan->context->working_directory) == 0 ||
	    plan->context->working_directory_optional)
		return 0;
	return -errno;
}

static int child_no_new_privileges(struct child_plan *plan)
{
	if (!plan->sandbox || !plan->spec->no_new_privileges)
		return 0;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* execvpe(3) without its /bin/sh retry on ENOEXEC, with the service's $PATH, on the stack. */
static int child_execute(struct child_plan *plan)
{
	const struct exec_command *command = plan->request->command;
	char *const *env = exec_context_env(plan->context);
	size_t name_len = strlen(command->path);
	char candidate[PATH_MAX];
	bool denied = false;

	if (strchr(command->path, '/')) {
		execve(command->path, command->argv, env);
		return -errno;
	}
	for (const char *dir = plan->find_path;;) {
		size_t dir_len = strcspn(dir, ":");
		/* An empty entry is the current directory, as in execvp(3). */
		const char *prefix = dir_len > 0 ? dir : ".";
		size_t prefix_len = dir_len > 0 ? dir_len : 1;

		if (prefix_len + 1 + name_len < sizeof(candidate)) {
			memcpy(candidate, prefix, prefix_len);
			candidate[prefix_len] = '/';
			memcpy(candidate + prefix_len + 1, command->path, name_len + 1);
			execve(candidate, command->argv, env);
			switch (errno) {
			case EACCES:
				denied = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return -errno;
			}
		}
		dir += dir_len;
		if (*dir == '\0')
			break;
		dir++;
	}
	return denied ? -EACCES : -ENOENT;
}

struct child_step {
	enum exec_step step;
	int (*run)(struct child_plan *plan);
};

/* systemd's exec_child() order, reduced to what cinit supports. */
static const struct child_step child_steps[] = {
	{ EXEC_STEP_CGROUP, child_join_cgroup },
	{ EXEC_STEP_SIGNAL_MASK, child_reset_signals },
	{ EXEC_STEP_SETSID, child_new_session },
	{ EXEC_STEP_STDOUT, child_set_umask }, /* cannot fail; before output files are created */
	{ EXEC_STEP_STDIN, child_prepare_stdin },
	{ EXEC_STEP_STDOUT, child_prepare_stdout },
	{ EXEC_STEP_STDERR, child_prepare_stderr },
	{ EXEC_STEP_STDIN, child_install_stdin },
	{ EXEC_STEP_STDOUT, child_install_stdout },
	{ EXEC_STEP_STDERR, child_install_stderr },
	{ EXEC_STEP_FDS, child_close_fds },
	{ EXEC_STEP_NICE, child_set_nice },
	{ EXEC_STEP_LIMITS, child_set_rlimits },
	{ EXEC_STEP_GROUP, child_set_groups },
	{ EXEC_STEP_CAPABILITIES, child_drop_bounding_set },
	{ EXEC_STEP_CAPABILITIES, child_set_ambient },
	{ EXEC_STEP_USER, child_set_user },
	{ EXEC_STEP_CAPABILITIES, child_reraise_ambient },
	{ EXEC_STEP_CHDIR, child_change_directory },
	{ EXEC_STEP_NO_NEW_PRIVILEGES, child_no_new_privileges },
	{ EXEC_STEP_EXEC, child_execute },
};

static _Noreturn void child_fail(int status_fd, enum exec_step step, int r)
{
	struct exec_failure failure = { .step = step, .error = -r };

	(void)util_write_all(status_fd, &failure, sizeof(failure));
	_exit(step);
}

static _Noreturn void child_run(struct child_plan *plan)
{
	/* With fd 0..2 closed in cinit the pipe may be one of them: move it out of the way. */
	if (plan->status_fd <= STDERR_FILENO) {
		int fd = fcntl(plan->status_fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

		if (fd < 0)
			_exit(EXEC_STEP_FDS);
		plan->status_fd = fd;
	}
	for (size_t i = 0; i < ELEMENTSOF(child_steps); i++) {
		int r = child_steps[i].run(plan);

		if (r < 0)
			child_fail(plan->status_fd, child_steps[i].step, r);
	}
	/* child_execute() only returns on failure, with r < 0. */
	_exit(EXEC_STEP_EXEC);
}

/* ------------------------------------------------------------------------------------------ */

static bool output_valid(enum spec_output mode, const char *path, int journal_fd)
{
	switch (mode) {
	case SPEC_OUTPUT_INHERIT:
	case SPEC_OUTPUT_NULL:
		return true;
	case SPEC_OUTPUT_JOURNAL:
		return journal_fd >= 0;
	case SPEC_OUTPUT_FILE:
	case SPEC_OUTPUT_APPEND:
	case SPEC_OUTPUT_TRUNCATE:
		return path != NULL;
	}
	return false;
}

static const char *context_find_path(const struct exec_context *ctx)
{
	for (size_t i = 0; i < ctx->env_count; i++)
		if (strncmp(ctx->env[i], "PATH=", 5) == 0)
			return ctx->env[i] + 5;
	return EXEC_DEFAULT_PATH;
}

int exec_spawn(const struct exec_request *request, pid_t *ret_pid, int *ret_status_fd)
{
	struct child_plan plan;
	int fds[2], r;
	pid_t pid;

	if (!request || !request->spec || !request->context || !request->command ||
	    !request->command->path || !request->command->argv || !ret_pid || !ret_status_fd)
		return -EINVAL;
	if (!output_valid(request->spec->standard_output, request->spec->standard_output_path,
			  request->stdout_fd) ||
	    !output_valid(request->spec->standard_error, request->spec->standard_error_path,
			  request->stderr_fd))
		return -EINVAL;

	plan = (struct child_plan){
		.request = request,
		.spec = request->spec,
		.context = request->context,
		.sandbox = !(request->command->flags & EXEC_PRIVILEGED),
		.switch_user = !(request->command->flags & (EXEC_PRIVILEGED | EXEC_NO_SETUID)),
		.find_path = context_find_path(request->context),
		.stdio = { -1, -1, -1 },
	};
	for (unsigned cap = 0; cap <= request->context->cap_last_cap; cap++)
		plan.ambient |= request->spec->ambient_capabilities & (UINT64_C(1) << cap);

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/* The read end only: O_NONBLOCK is per open file description, the child writes blocking. */
	r = util_fd_set_nonblock(fds[0], true);
	if (r < 0) {
		(void)close(fds[0]);
		(void)close(fds[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(fds[0]);
		(void)close(fds[1]);
		return r;
	}
	if (pid == 0) {
		(void)close(fds[0]);
		plan.status_fd = fds[1];
		child_run(&plan);
	}
	(void)close(fds[1]);
	*ret_pid = pid;
	*ret_status_fd = fds[0];
	return 0;
}

int exec_read_status(int fd, struct exec_failure *ret)
{
	struct exec_failure failure;
	ssize_t n = util_read(fd, &failure, sizeof(failure));

	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	/* The child writes the whole struct at once, far below PIPE_BUF: never split. */
	if ((size_t)n != sizeof(failure))
		return -EIO;
	if (ret)
		*ret = failure;
	return 1;
}
