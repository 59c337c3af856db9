#include "config.h"

#include "common/unitfile.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

/* systemd refuses unit names of 256 bytes and more (UNIT_NAME_MAX includes the NUL). */
#define UNIT_NAME_MAX	   256
#define UNIT_FILE_MAX	   (1024 * 1024)
#define UNIT_FILE_MAX_TEXT "1 MiB"
#define DROPIN_SUFFIX	   ".conf"
#define WHITESPACE	   " \t\n\r"
#define EXCERPT_MAX	   40
#define ARENA_BLOCK_SIZE   8192

/* Every string of a unit (name, paths, sections, keys, values) lives in one chain of blocks
 * freed together, so entries can point into it without owning anything. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	char data[];
};

struct unit_file {
	const char *name;
	struct unit_entry *entries;
	size_t n_entries, allocated;
	struct arena_block *blocks;
};

/* The parts of the unit's name that specifiers expand to. */
struct unit_names {
	const char *name;
	char prefix[UNIT_NAME_MAX];
	char instance[UNIT_NAME_MAX];
	char suffix[UNIT_NAME_MAX];
	char instance_unescaped[UNIT_NAME_MAX];
	bool unescape_ok;
};

/* State while reading one file. */
struct parser {
	struct unit_file *unit;
	struct unit_diag *diag;
	const struct unit_names *names;
	const char *file;
	const char *section;
	/* Logical line being assembled from continued physical lines. */
	char *joined;
	size_t joined_len, joined_size;
	bool continuing;
	unsigned joined_line;
};

struct dropin {
	const char *path; /* in the unit's arena */
	int priority;	  /* 0 for the unit's own NAME.d, 1 for the template's */
};

static void *arena_alloc(struct unit_file *unit, size_t size)
{
	struct arena_block *block = unit->blocks;

	if (!block || block->size - block->used < size) {
		size_t block_size = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;

		block = malloc(sizeof(*block) + block_size);
		if (!block)
			return NULL;
		block->size = block_size;
		block->used = 0;
		/* A large request gets its own block behind the current one, so the space left in
		 * the current block stays usable. */
		if (unit->blocks && size > ARENA_BLOCK_SIZE) {
			block->next = unit->blocks->next;
			unit->blocks->next = block;
		} else {
			block->next = unit->blocks;
			unit->blocks = block;
		}
	}
	block->used += size;
	return block->data + block->used - size;
}

static char *arena_strndup(struct unit_file *unit, const char *text, size_t len)
{
	char *copy = arena_alloc(unit, len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return copy;
}

static bool is_whitespace(char c)
{
	return c && strchr(WHITESPACE, c);
}

static void trim(const char **text, size_t *len)
{
	while (*len > 0 && is_whitespace(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 && is_whitespace((*text)[*len - 1]))
		(*len)--;
}

/* A short, printable, one-line copy of user text for messages. */
static const char *excerpt(char *buf, size_t size, const char *text, size_t len)
{
	size_t n = len;
	bool cut = false;

	if (n > EXCERPT_MAX) {
		n = EXCERPT_MAX;
		/* Do not split a UTF-8 sequence. */
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	if (n > size - 4)
		n = size - 4;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	strcpy(buf + n, cut ? "..." : "");
	return buf;
}

static void diag_reset(struct unit_diag *diag)
{
	diag->error[0] = '\0';
}

static int diag_error(struct unit_diag *diag, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int diag_error(struct unit_diag *diag, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(diag->error, sizeof(diag->error), fmt, ap);
	va_end(ap);
	return r;
}

static int parser_error(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parser_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	char message[sizeof(p->diag->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return diag_error(p->diag, -EINVAL, "%s:%u: %s", p->file, line, message);
}

void unit_diag_warnv(struct unit_diag *diag, const char *file, unsigned line, const char *fmt,
		     va_list ap)
{
	char message[512], full[768];

	vsnprintf(message, sizeof(message), fmt, ap);
	snprintf(full, sizeof(full), "%s:%u: %s", file, line, message);
	if (diag->warn)
		diag->warn(diag->data, full);
	else
		log_warning("%s", full);
}

void unit_diag_warn(struct unit_diag *diag, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_diag_warnv(diag, file, line, fmt, ap);
	va_end(ap);
}

static void parser_warn(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void parser_warn(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_diag_warnv(p->diag, p->file, line, fmt, ap);
	va_end(ap);
}

static bool unit_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr(":_.-@\\", c);
}

bool unit_name_split(const char *name, char *prefix, char *instance, char *suffix)
{
	const char *dot, *at;
	size_t len;

	if (!name)
		return false;
	len = strlen(name);
	if (len == 0 || len >= UNIT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!unit_name_char_ok(name[i]))
			return false;
	dot = strrchr(name, '.');
	at = strchr(name, '@');
	if (!dot || dot == name || !dot[1])
		return false;
	if (at && (at == name || at > dot || strchr(at + 1, '@')))
		return false;
	if (prefix) {
		const char *end = at ? at : dot;
		memcpy(prefix, name, (size_t)(end - name));
		prefix[end - name] = '\0';
	}
	if (instance) {
		size_t n = at ? (size_t)(dot - at - 1) : 0;
		memcpy(instance, at ? at + 1 : "", n);
		instance[n] = '\0';
	}
	if (suffix)
		strcpy(suffix, dot + 1);
	return true;
}

/* systemd's unit_name_unescape(): "-" is "/" and "\xNN" a byte; any other backslash, and a NUL
 * byte that would cut the string short, make the instance unusable for %I. */
static bool instance_unescape(const char *instance, char *out)
{
	for (; *instance; instance++) {
		if (*instance == '-') {
			*out++ = '/';
		} else if (*instance == '\\') {
			int hi, lo;

			if (instance[1] != 'x')
				return false;
			hi = util_hex_digit(instance[2]);
			lo = hi < 0 ? -1 : util_hex_digit(instance[3]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			*out++ = (char)(hi << 4 | lo);
			instance += 3;
		} else {
			*out++ = *instance;
		}
	}
	*out = '\0';
	return true;
}

static bool unit_names_init(struct unit_names *names, const char *name)
{
	if (!unit_name_split(name, names->prefix, names->instance, names->suffix))
		return false;
	names->name = name;
	names->unescape_ok = instance_unescape(names->instance, names->instance_unescaped);
	return true;
}

/* Expands specifiers of value into out (when out is not NULL). Returns the expanded length or
 * -EINVAL with the error set; called once to measure and once to write. */
static ssize_t expand_specifiers(struct parser *p, unsigned line, const char *key,
				 const char *value, size_t len, char *out)
{
	const struct unit_names *names = p->names;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		const char *add;
		size_t add_len;

		if (value[i] != '%') {
			if (out)
				out[n] = value[i];
			n++;
			continue;
		}
		/* A '%' ending the value stays literal: systemd does not expand specifiers in
		 * CPUQuota=50% and the percentage forms of other resource keys, which end so. */
		if (i + 1 == len) {
			if (out)
				out[n] = '%';
			n++;
			continue;
		}
		i++;
		switch (value[i]) {
		case 'n':
			add = names->name;
			add_len = strlen(add);
			break;
		case 'N':
			add = names->name;
			add_len = strlen(add) - strlen(names->suffix) - 1;
			break;
		case 'p':
			add = names->prefix;
			add_len = strlen(add);
			break;
		case 'i':
			add = names->instance;
			add_len = strlen(add);
			break;
		case 'I':
			if (!names->unescape_ok) {
				char quoted[EXCERPT_MAX + 4];
				return parser_error(
					p, line, "%s: %%I: instance \"%s\" is not validly escaped",
					key,
					excerpt(quoted, sizeof(quoted), names->instance,
						strlen(names->instance)));
			}
			add = names->instance_unescaped;
			add_len = strlen(add);
			break;
		case '%':
			add = "%";
			add_len = 1;
			break;
		default: {
			unsigned char c = (unsigned char)value[i];
			size_t seq = 1;

			if (c < 0x20 || c == 0x7f)
				return parser_error(p, line, "%s: unknown specifier %%\\x%02x", key,
						    c);
			/* Name a non-ASCII character whole, not by its first byte. */
			while (c >= 0x80 && seq < 4 && i + seq < len &&
			       ((unsigned char)value[i + seq] & 0xc0) == 0x80)
				seq++;
			return parser_error(p, line, "%s: unknown specifier %%%.*s", key, (int)seq,
					    value + i);
		}
		}
		if (out)
			memcpy(out + n, add, add_len);
		n += add_len;
	}
	return (ssize_t)n;
}

static int unit_add_entry(struct unit_file *unit, const struct unit_entry *entry)
{
	if (unit->n_entries == unit->allocated) {
		size_t allocated = unit->allocated ? unit->allocated * 2 : 16;
		struct unit_entry *entries = realloc(unit->entries, allocated * sizeof(*entries));

		if (!entries)
			return -ENOMEM;
		unit->entries = entries;
		unit->allocated = allocated;
	}
	unit->entries[unit->n_entries++] = *entry;
	return 0;
}

static int parser_oom(struct parser *p)
{
	return diag_error(p->diag, -ENOMEM, "%s: %s", p->file, strerror(ENOMEM));
}

static int parse_section_header(struct parser *p, const char *text, size_t len, unsigned line)
{
	const char *name = text + 1;
	size_t name_len = len - 2;

	if (len < 3 || text[len - 1] != ']')
		return parser_error(p, line, "malformed section header");
	for (size_t i = 0; i < name_len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '[' || c == ']')
			return parser_error(p, line, "malformed section header");
	}
	p->section = arena_strndup(p->unit, name, name_len);
	return p->section ? 0 : parser_oom(p);
}

static bool key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* One logical line: continuations already joined, comments already dropped. */
static int parse_logical_line(struct parser *p, const char *text, size_t len, unsigned line)
{
	char quoted[EXCERPT_MAX + 4];
	struct unit_entry entry;
	const char *equals, *key, *value;
	size_t key_len, value_len;
	ssize_t expanded;
	char *key_copy, *value_copy;

	trim(&text, &len);
	if (len == 0)
		return 0;
	if (text[0] == '[')
		return parse_section_header(p, text, len, line);

	equals = memchr(text, '=', len);
	if (!equals)
		return parser_error(p, line, "missing '=' in \"%s\"",
				    excerpt(quoted, sizeof(quoted), text, len));
	key = text;
	key_len = (size_t)(equals - text);
	value = equals + 1;
	value_len = len - key_len - 1;
	trim(&key, &key_len);
	trim(&value, &value_len);

	if (key_len == 0)
		return parser_error(p, line, "missing key name before '=' in \"%s\"",
				    excerpt(quoted, sizeof(quoted), text, len));
	for (size_t i = 0; i < key_len; i++)
		if (!key_char_ok(key[i]))
			return parser_error(p, line, "invalid key name \"%s\"",
					    excerpt(quoted, sizeof(quoted), key, key_len));
	key_copy = arena_strndup(p->unit, key, key_len);
	if (!key_copy)
		return parser_oom(p);
	if (!p->section)
		return parser_error(p, line, "%s: assignment before any [Section] header",
				    key_copy);

	expanded = expand_specifiers(p, line, key_copy, value, value_len, NULL);
	if (expanded < 0)
		return (int)expanded;
	value_copy = arena_alloc(p->unit, (size_t)expanded + 1);
	if (!value_copy)
		return parser_oom(p);
	(void)expand_specifiers(p, line, key_copy, value, value_len, value_copy);
	value_copy[expanded] = '\0';

	entry = (struct unit_entry){
		.section = p->section,
		.key = key_copy,
		.value = value_copy,
		.file = p->file,
		.line = line,
	};
	return unit_add_entry(p->unit, &entry) < 0 ? parser_oom(p) : 0;
}

static int joined_append(struct parser *p, const char *text, size_t len, bool space)
{
	size_t need = p->joined_len + len + 2;

	if (need > p->joined_size) {
		size_t size = p->joined_size ? p->joined_size : 256;
		char *joined;

		while (size < need)
			size *= 2;
		joined = realloc(p->joined, size);
		if (!joined)
			return parser_oom(p);
		p->joined = joined;
		p->joined_size = size;
	}
	memcpy(p->joined + p->joined_len, text, len);
	p->joined_len += len;
	if (space)
		p->joined[p->joined_len++] = ' ';
	return 0;
}

/* One physical line, without its line break. Continuation is decided on the raw line as systemd
 * does: only an unescaped backslash as the very last character continues. */
static int parse_physical_line(struct parser *p, const char *raw, size_t len, unsigned line)
{
	const char *text = raw;
	size_t text_len = len, backslashes = 0;
	int r;

	trim(&text, &text_len);
	/* Comment lines are dropped even inside a continued value, as systemd does. */
	if (text_len > 0 && (text[0] == '#' || text[0] == ';'))
		return 0;

	while (backslashes < len && raw[len - 1 - backslashes] == '\\')
		backslashes++;
	if (backslashes % 2 == 1) {
		if (!p->continuing) {
			p->continuing = true;
			p->joined_len = 0;
			p->joined_line = line;
		}
		/* The backslash and the line break become one space. */
		return joined_append(p, raw, len - 1, true);
	}

	if (text_len < len && text_len > 0 && text[text_len - 1] == '\\') {
		size_t n = 0;
		while (n < text_len && text[text_len - 1 - n] == '\\')
			n++;
		if (n % 2 == 1)
			parser_warn(p, line,
				    "whitespace after '\\' at the end of the line: not a line "
				    "continuation");
	}

	if (!p->continuing)
		return parse_logical_line(p, raw, len, line);
	r = joined_append(p, raw, len, false);
	if (r < 0)
		return r;
	p->continuing = false;
	return parse_logical_line(p, p->joined, p->joined_len, p->joined_line);
}

static int parse_text(struct parser *p, const char *text, size_t len)
{
	static const char bom[] = "\xef\xbb\xbf";
	const char *nul = memchr(text, '\0', len);
	unsigned line = 0;
	size_t pos = 0;
	int r;

	if (nul) {
		unsigned nul_line = 1;
		for (const char *c = text; c < nul; c++)
			nul_line += *c == '\n';
		return parser_error(p, nul_line, "NUL byte in file");
	}
	/* Editors on other systems write a byte-order mark; systemd skips it too. */
	if (len >= 3 && memcmp(text, bom, 3) == 0)
		pos = 3;

	while (pos < len) {
		const char *start = text + pos;
		const char *newline = memchr(start, '\n', len - pos);
		size_t line_len = newline ? (size_t)(newline - start) : len - pos;

		pos += line_len + (newline ? 1 : 0);
		line++;
		/* CRLF files: the CR belongs to the line break, so "\\\r\n" still continues. */
		if (line_len > 0 && start[line_len - 1] == '\r')
			line_len--;
		r = parse_physical_line(p, start, line_len, line);
		if (r < 0)
			return r;
	}
	/* A continuation at the end of the file just ends the value. */
	if (p->continuing) {
		p->continuing = false;
		return parse_logical_line(p, p->joined, p->joined_len, p->joined_line);
	}
	return 0;
}

static int parse_file_text(struct unit_file *unit, const struct unit_names *names,
			   struct unit_diag *diag, const char *file, const char *text, size_t len)
{
	struct parser p = {
		.unit = unit,
		.diag = diag,
		.names = names,
		.file = file,
	};
	int r;

	r = parse_text(&p, text, len);
	free(p.joined);
	return r;
}

static struct unit_file *unit_new(const char *name)
{
	struct unit_file *unit = calloc(1, sizeof(*unit));

	if (!unit)
		return NULL;
	unit->name = arena_strndup(unit, name, strlen(name));
	if (!unit->name) {
		free(unit);
		return NULL;
	}
	return unit;
}

void unit_file_free(struct unit_file *unit)
{
	struct arena_block *block, *next;

	if (!unit)
		return;
	for (block = unit->blocks; block; block = next) {
		next = block->next;
		free(block);
	}
	free(unit->entries);
	free(unit);
}

static void unit_file_freep(struct unit_file **unit)
{
	unit_file_free(*unit);
}

/* Reads a whole unit file into a malloc()ed buffer. Sets the error for every failure; -ENOENT
 * callers replace it with their own wording. */
static int read_unit_file(const char *path, struct unit_diag *diag, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0, size;

	/* O_NONBLOCK so that a FIFO in the unit directory cannot hang start-up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return diag_error(diag, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return diag_error(diag, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return diag_error(diag, -EISDIR, "%s: %s", path, strerror(EISDIR));
	if (!S_ISREG(st.st_mode))
		return diag_error(diag, -EINVAL, "%s: not a regular file", path);
	if (st.st_size > UNIT_FILE_MAX)
		return diag_error(diag, -EFBIG, "%s: larger than " UNIT_FILE_MAX_TEXT, path);

	/* One byte more than the limit, to notice a file that grew after fstat(). */
	size = (size_t)st.st_size + 1;
	buf = malloc(size);
	if (!buf)
		return diag_error(diag, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	for (;;) {
		ssize_t n;

		if (len == size) {
			char *bigger;

			if (size > UNIT_FILE_MAX)
				return diag_error(diag, -EFBIG,
						  "%s: larger than " UNIT_FILE_MAX_TEXT, path);
			size = size * 2 > UNIT_FILE_MAX + 1 ? UNIT_FILE_MAX + 1 : size * 2;
			bigger = realloc(buf, size);
			if (!bigger)
				return diag_error(diag, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
			buf = bigger;
		}
		n = util_read(fd, buf + len, size - len);
		if (n < 0)
			return diag_error(diag, (int)n, "%s: %s", path, strerror((int)-n));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > UNIT_FILE_MAX)
		return diag_error(diag, -EFBIG, "%s: larger than " UNIT_FILE_MAX_TEXT, path);
	*ret = buf;
	buf = NULL;
	*ret_len = len;
	return 0;
}

static int load_file(struct unit_file *unit, const struct unit_names *names, struct unit_diag *diag,
		     const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_unit_file(path, diag, &text, &len);
	if (r < 0)
		return r;
	return parse_file_text(unit, names, diag, path, text, len);
}

/* "DIR/NAME" into the arena; a DIR with a trailing slash does not get a second one. */
static const char *path_join(struct unit_file *unit, const char *dir, const char *name,
			     const char *suffix)
{
	size_t dir_len = strlen(dir), name_len = strlen(name), suffix_len = strlen(suffix);
	bool slash = dir_len > 0 && dir[dir_len - 1] != '/';
	char *path = arena_alloc(unit, dir_len + slash + name_len + suffix_len + 1);

	if (!path)
		return NULL;
	memcpy(path, dir, dir_len);
	if (slash)
		path[dir_len] = '/';
	memcpy(path + dir_len + slash, name, name_len);
	memcpy(path + dir_len + slash + name_len, suffix, suffix_len + 1);
	return path;
}

static bool is_dropin_name(const char *name)
{
	size_t len = strlen(name), suffix_len = strlen(DROPIN_SUFFIX);

	/* Hidden files are editors' and package managers' leftovers, as systemd treats them. */
	return name[0] != '.' && len > suffix_len &&
	       strcmp(name + len - suffix_len, DROPIN_SUFFIX) == 0;
}

static void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

/* Appends the *.conf files of DIR to *list. A missing directory has no drop-ins. */
static int dropins_collect(struct unit_file *unit, struct unit_diag *diag, const char *dir,
			   int priority, struct dropin **list, size_t *n, size_t *allocated)
{
	_cleanup_(closedirp) DIR *d = NULL;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return diag_error(diag, -errno, "%s: %s", dir, strerror(errno));
	}
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		(void)close(fd);
		return diag_error(diag, r, "%s: %s", dir, strerror(-r));
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				return diag_error(diag, -errno, "%s: %s", dir, strerror(errno));
			return 0;
		}
		if (!is_dropin_name(de->d_name))
			continue;
		/* Subdirectories, devices and sockets named *.conf are not drop-ins. */
		if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (*n == *allocated) {
			size_t bigger = *allocated ? *allocated * 2 : 8;
			struct dropin *grown = realloc(*list, bigger * sizeof(**list));

			if (!grown)
				return diag_error(diag, -ENOMEM, "%s: %s", dir, strerror(ENOMEM));
			*list = grown;
			*allocated = bigger;
		}
		(*list)[*n].path = path_join(unit, dir, de->d_name, "");
		if (!(*list)[*n].path)
			return diag_error(diag, -ENOMEM, "%s: %s", dir, strerror(ENOMEM));
		(*list)[*n].priority = priority;
		(*n)++;
	}
}

static int dropin_compare(const void *a, const void *b)
{
	const struct dropin *x = a, *y = b;
	int c = strcmp(util_basename(x->path), util_basename(y->path));

	return c ? c : x->priority - y->priority;
}

static int load_dropins(struct unit_file *unit, const struct unit_names *names,
			struct unit_diag *diag, const char *dir, const char *template_name)
{
	_cleanup_free_ struct dropin *list = NULL;
	size_t n = 0, allocated = 0;
	const char *path;
	int r;

	path = path_join(unit, dir, names->name, ".d");
	if (!path)
		return diag_error(diag, -ENOMEM, "%s: %s", dir, strerror(ENOMEM));
	r = dropins_collect(unit, diag, path, 0, &list, &n, &allocated);
	if (r < 0)
		return r;
	if (template_name) {
		path = path_join(unit, dir, template_name, ".d");
		if (!path)
			return diag_error(diag, -ENOMEM, "%s: %s", dir, strerror(ENOMEM));
		r = dropins_collect(unit, diag, path, 1, &list, &n, &allocated);
		if (r < 0)
			return r;
	}
	if (n == 0)
		return 0;

	/* One order over both directories by file name; of two files with the same name only the
	 * instance's is read (sorted first by priority). */
	qsort(list, n, sizeof(*list), dropin_compare);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 &&
		    strcmp(util_basename(list[i].path), util_basename(list[i - 1].path)) == 0)
			continue;
		r = load_file(unit, names, diag, list[i].path);
		/* Removed since readdir(), or a dangling symlink: not a drop-in any more. */
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
	}
	return 0;
}

static int unit_load(const char *dir, const char *name, struct unit_file **ret,
		     struct unit_diag *diag)
{
	_cleanup_(unit_file_freep) struct unit_file *unit = NULL;
	struct unit_names names;
	char template_name[UNIT_NAME_MAX * 2 + 2];
	bool is_instance;
	const char *path;
	int r;

	*ret = NULL;
	if (!name)
		name = "";
	unit = unit_new(name);
	if (!unit)
		return diag_error(diag, -ENOMEM, "%s: %s", name, strerror(ENOMEM));
	path = path_join(unit, dir, unit->name, "");
	if (!path)
		return diag_error(diag, -ENOMEM, "%s: %s", name, strerror(ENOMEM));
	if (!unit_names_init(&names, unit->name))
		return diag_error(diag, -EINVAL, "%s: invalid unit name", path);

	is_instance = names.instance[0] != '\0';
	snprintf(template_name, sizeof(template_name), "%s@.%s", names.prefix, names.suffix);

	r = load_file(unit, &names, diag, path);
	if (r == -ENOENT && is_instance) {
		const char *template_path = path_join(unit, dir, template_name, "");

		if (!template_path)
			return diag_error(diag, -ENOMEM, "%s: %s", name, strerror(ENOMEM));
		r = load_file(unit, &names, diag, template_path);
	}
	if (r == -ENOENT)
		return diag_error(diag, -ENOENT, "%s: no such unit", path);
	if (r < 0)
		return r;

	r = load_dropins(unit, &names, diag, dir, is_instance ? template_name : NULL);
	if (r < 0)
		return r;
	*ret = unit;
	unit = NULL;
	return 0;
}

static int unit_parse_string(const char *name, const char *filename, const char *text,
			     struct unit_file **ret, struct unit_diag *diag)
{
	_cleanup_(unit_file_freep) struct unit_file *unit = NULL;
	struct unit_names names;
	const char *file;
	int r;

	*ret = NULL;
	unit = unit_new(name ? name : "");
	if (!unit)
		return diag_error(diag, -ENOMEM, "%s: %s", filename, strerror(ENOMEM));
	if (!unit_names_init(&names, unit->name)) {
		char quoted[EXCERPT_MAX + 4];
		return diag_error(diag, -EINVAL, "%s: invalid unit name \"%s\"", filename,
				  excerpt(quoted, sizeof(quoted), unit->name, strlen(unit->name)));
	}
	file = arena_strndup(unit, filename, strlen(filename));
	if (!file)
		return diag_error(diag, -ENOMEM, "%s: %s", filename, strerror(ENOMEM));
	r = parse_file_text(unit, &names, diag, file, text, strlen(text));
	if (r < 0)
		return r;
	*ret = unit;
	unit = NULL;
	return 0;
}

/* Without a diag, errors are logged here rather than lost, as warnings are. */
int unit_file_load(const char *dir, const char *name, struct unit_file **ret,
		   struct unit_diag *diag)
{
	struct unit_diag local = { .warn = NULL };
	int r;

	if (!diag)
		diag = &local;
	diag_reset(diag);
	r = unit_load(dir, name, ret, diag);
	if (r < 0 && diag == &local)
		log_error("%s", local.error);
	/* A drop-in that vanished leaves its message behind; success has none. */
	if (r >= 0)
		diag_reset(diag);
	return r;
}

int unit_file_parse_string(const char *name, const char *filename, const char *text,
			   struct unit_file **ret, struct unit_diag *diag)
{
	struct unit_diag local = { .warn = NULL };
	int r;

	if (!diag)
		diag = &local;
	diag_reset(diag);
	r = unit_parse_string(name, filename, text, ret, diag);
	if (r < 0 && diag == &local)
		log_error("%s", local.error);
	return r;
}

const char *unit_file_name(const struct unit_file *unit)
{
	return unit->name;
}

size_t unit_file_entries(const struct unit_file *unit, const struct unit_entry **ret)
{
	*ret = unit->entries;
	return unit->n_entries;
}

static bool entry_is(const struct unit_entry *entry, const char *section, const char *key)
{
	return strcmp(entry->key, key) == 0 && strcmp(entry->section, section) == 0;
}

const struct unit_entry *unit_file_get(const struct unit_file *unit, const char *section,
				       const char *key)
{
	for (size_t i = unit->n_entries; i > 0; i--)
		if (entry_is(&unit->entries[i - 1], section, key))
			return &unit->entries[i - 1];
	return NULL;
}

int unit_file_foreach(const struct unit_file *unit, const char *section, const char *key,
		      int (*fn)(const struct unit_entry *entry, void *data), void *data)
{
	size_t start = 0;

	for (size_t i = 0; i < unit->n_entries; i++)
		if (entry_is(&unit->entries[i], section, key) && !unit->entries[i].value[0])
			start = i + 1;
	for (size_t i = start; i < unit->n_entries; i++) {
		if (entry_is(&unit->entries[i], section, key)) {
			int r = fn(&unit->entries[i], data);
			if (r < 0)
				return r;
		}
	}
	return 0;
}
