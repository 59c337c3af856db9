#include "config.h"

#include "common/execline.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* systemd's WHITESPACE: \f and \v are ordinary characters inside a word. */
#define WORD_SEPARATORS " \t\n\r"
#define EXEC_PREFIXES	"-@+!:"
#define UNICODE_MAX	0x10FFFFu

/* A string being built. */
struct text {
	char *data;
	size_t len;
	size_t size;
};

/* A NULL-terminated array of owned strings being built. */
struct list {
	char **items;
	size_t len;
	size_t size;
};

static int fail(char *err, size_t err_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_size, const char *format, ...)
{
	va_list ap;

	if (err && err_size > 0) {
		va_start(ap, format);
		vsnprintf(err, err_size, format, ap);
		va_end(ap);
		/* The message quotes user text; a newline or other control byte in it must not
		 * break the one-line error. */
		for (char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -EINVAL;
}

static bool is_separator(char c)
{
	return c != '\0' && strchr(WORD_SEPARATORS, c);
}

/* Local to stay independent of the locale, as values.c. */
static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool name_is_valid(const char *name, size_t len)
{
	if (len == 0 || !is_name_start(name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(name[i]))
			return false;
	return true;
}

/* Exactly n digits of base at s; false if any is missing or out of base. */
static bool digits_parse(const char *s, size_t n, int base, uint32_t *ret)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = util_hex_digit(s[i]);
		if (d < 0 || d >= base)
			return false;
		v = v * (uint32_t)base + (uint32_t)d;
	}
	*ret = v;
	return true;
}

static void text_free(struct text *t)
{
	free(t->data);
	*t = (struct text){ 0 };
}

static void text_freep(struct text *t)
{
	text_free(t);
}

static int text_append(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->size) {
		size_t size = t->size ? t->size : 32;
		char *data;

		while (t->len + n + 1 > size)
			size *= 2;
		data = realloc(t->data, size);
		if (!data)
			return -ENOMEM;
		t->data = data;
		t->size = size;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
	return 0;
}

static int text_append_char(struct text *t, char c)
{
	return text_append(t, &c, 1);
}

/* Hands the string out; an empty word ("" in the value) is still a string. */
static char *text_take(struct text *t)
{
	char *data = t->data ? t->data : strdup("");

	*t = (struct text){ 0 };
	return data;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	*l = (struct list){ 0 };
}

static void list_freep(struct list *l)
{
	list_free(l);
}

/* Takes item, also on failure, so callers need no second cleanup path. */
static int list_push(struct list *l, char *item)
{
	if (!item)
		return -ENOMEM;
	if (l->len + 2 > l->size) {
		size_t size = l->size ? l->size * 2 : 8;
		char **items = realloc(l->items, size * sizeof(*items));

		if (!items) {
			free(item);
			return -ENOMEM;
		}
		l->items = items;
		l->size = size;
	}
	l->items[l->len++] = item;
	l->items[l->len] = NULL;
	return 0;
}

/* Hands the array out; an empty list is still an array holding only NULL. */
static char **list_take(struct list *l)
{
	char **items = l->items ? l->items : calloc(1, sizeof(char *));

	*l = (struct list){ 0 };
	return items;
}

static size_t utf8_encode(uint32_t c, char out[4])
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static char simple_escape(char c)
{
	switch (c) {
	case 'a':
		return '\a';
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'v':
		return '\v';
	case 's':
		return ' ';
	case '\\':
	case '"':
	case '\'':
	case ';':
		return c;
	default:
		return '\0';
	}
}

/* An unknown or incomplete escape stays as written: systemd keeps it too (with a warning we have
 * no channel for), and units rely on that for regexes like 's/\(a\)/\1/'. */
static int escape_keep(const char *s, struct text *out)
{
	if (text_append_char(out, '\\') < 0 || text_append_char(out, s[0]) < 0)
		return -ENOMEM;
	return 1;
}

/* Decodes the escape whose backslash precedes s (s[0] is not NUL) into out. Returns how many
 * characters of s it used. \xNN and \NNN are raw bytes, \u and \U code points in UTF-8, as
 * systemd's cunescape_one() reads them. */
static int escape_decode(const char *s, struct text *out, char *err, size_t err_size)
{
	bool unicode = s[0] == 'u' || s[0] == 'U';
	const char *digits = s + 1;
	size_t len; /* of the whole escape after the backslash */
	int base = 16;
	uint32_t c;
	char utf8[4];

	if (simple_escape(s[0]))
		return text_append_char(out, simple_escape(s[0])) < 0 ? -ENOMEM : 1;

	if (s[0] == 'x')
		len = 3;
	else if (s[0] == 'u')
		len = 5;
	else if (s[0] == 'U')
		len = 9;
	else if (s[0] >= '0' && s[0] <= '7') {
		len = 3;
		base = 8;
		digits = s;
	} else
		return escape_keep(s, out);
	if (!digits_parse(digits, (size_t)(s + len - digits), base, &c))
		return escape_keep(s, out);

	/* NUL cannot be in a C string, and surrogates are not characters. */
	if (c == 0 || (unicode ? c > UNICODE_MAX || (c >= 0xD800 && c <= 0xDFFF) : c > 0xFF))
		return fail(err, err_size, "invalid escape \"\\%.*s\"", (int)len, s);
	if (!unicode)
		return text_append_char(out, (char)c) < 0 ? -ENOMEM : (int)len;
	if (text_append(out, utf8, utf8_encode(c, utf8)) < 0)
		return -ENOMEM;
	return (int)len;
}

/* Reads the next word at *p: quotes removed, escapes decoded. Quotes may start and end anywhere
 * in a word ("a"'b'c is "abc"), as extract_first_word() allows. Returns 1 with *ret, 0 at the
 * end, or -errno. With semicolons, a bare ";" word is a command separator: 1 with *ret NULL. */
static int word_next(const char **p, bool semicolons, char **ret, char *err, size_t err_size)
{
	_cleanup_(text_freep) struct text word = { 0 };
	const char *s = *p + strspn(*p, WORD_SEPARATORS);
	char quote = '\0';
	int r;

	if (*s == '\0') {
		*p = s;
		return 0;
	}
	/* Checked on the raw text, so that "\;" and ";" quoted stay ordinary words. */
	if (semicolons && s[0] == ';' && (s[1] == '\0' || is_separator(s[1]))) {
		*p = s + 1;
		*ret = NULL;
		return 1;
	}

	for (;;) {
		char c = *s;

		if (c == '\0') {
			if (quote)
				return fail(err, err_size, "unbalanced quotes");
			break;
		}
		if (!quote && is_separator(c))
			break;
		if (c == '\\') {
			if (s[1] == '\0')
				return fail(err, err_size,
					    quote ? "unbalanced quotes"
						  : "backslash at end of value");
			r = escape_decode(s + 1, &word, err, err_size);
			if (r < 0)
				return r;
			s += 1 + r;
			continue;
		}
		if (quote && c == quote)
			quote = '\0';
		else if (!quote && (c == '"' || c == '\''))
			quote = c;
		else if (text_append_char(&word, c) < 0)
			return -ENOMEM;
		s++;
	}

	*ret = text_take(&word);
	if (!*ret)
		return -ENOMEM;
	*p = s;
	return 1;
}

/* The last assignment of name wins, as when systemd merges Environment= lines. */
static const char *env_lookup(char *const *env, const char *name, size_t len)
{
	const char *value = NULL;

	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			value = *env + len + 1;
	return value;
}

/* A "$NAME" word's value becomes words as systemd's replace_env_argv() splits it: at whitespace,
 * with quotes grouping and a backslash taking the next character literally, but no C escapes,
 * and without failing on an unbalanced quote (the word runs to the end). */
static int value_split(const char *value, struct list *out)
{
	const char *s = value;
	int r;

	for (;;) {
		_cleanup_(text_freep) struct text word = { 0 };
		char quote = '\0';

		s += strspn(s, WORD_SEPARATORS);
		if (*s == '\0')
			return 0;
		for (; *s && (quote || !is_separator(*s)); s++) {
			r = 0;
			if (*s == '\\' && s[1] != '\0')
				r = text_append_char(&word, *++s);
			else if (quote && *s == quote)
				quote = '\0';
			else if (!quote && (*s == '"' || *s == '\''))
				quote = *s;
			else
				r = text_append_char(&word, *s);
			if (r < 0)
				return r;
		}
		r = list_push(out, text_take(&word));
		if (r < 0)
			return r;
	}
}

/* "${NAME}" anywhere in the word, "$$" -> "$"; any other "$" is literal, as in systemd's
 * replace_env() without REPLACE_ENV_ALLOW_BRACELESS. */
static int word_expand_in_place(const char *word, char *const *env, struct list *out)
{
	_cleanup_(text_freep) struct text result = { 0 };
	const char *s = word;
	int r;

	while (*s) {
		size_t plain = strcspn(s, "$");

		if (plain > 0) {
			r = text_append(&result, s, plain);
			s += plain;
		} else if (s[1] == '$') {
			r = text_append_char(&result, '$');
			s += 2;
		} else if (s[1] == '{') {
			size_t len = strcspn(s + 2, "}:");

			if (s[2 + len] == '}') {
				/* systemd resolves invalid names like unset ones: to nothing. */
				const char *value = name_is_valid(s + 2, len)
							    ? env_lookup(env, s + 2, len)
							    : NULL;

				r = value ? text_append(&result, value, strlen(value)) : 0;
				s += 3 + len;
			} else {
				/* No closing brace, or "${NAME:-...}" which systemd supports only
				 * in environment generators: left as written. */
				r = text_append(&result, s, 2 + len);
				s += 2 + len;
			}
		} else {
			r = text_append_char(&result, '$');
			s++;
		}
		if (r < 0)
			return r;
	}
	return list_push(out, text_take(&result));
}

static int word_expand(const char *word, char *const *env, struct list *out)
{
	const char *value;

	/* "$NAME" as a whole word: zero or more words. A word "$" or "$1-x" is not a variable
	 * here (systemd would drop it as a bad name); it stays literal. */
	if (word[0] == '$' && name_is_valid(word + 1, strlen(word + 1))) {
		value = env_lookup(env, word + 1, strlen(word + 1));
		return value ? value_split(value, out) : 0;
	}
	return word_expand_in_place(word, env, out);
}

static unsigned prefix_flag(char c)
{
	switch (c) {
	case '-':
		return EXEC_IGNORE_FAILURE;
	case '@':
		return EXEC_ARGV0;
	case '+':
		return EXEC_PRIVILEGED;
	case '!':
		return EXEC_NO_SETUID;
	default:
		return EXEC_NO_EXPAND;
	}
}

/* Absolute, or a bare name the caller looks up in its PATH (systemd >= 239). */
static bool program_is_valid(const char *path)
{
	size_t len = strlen(path);

	if (path[0] == '/')
		return path[len - 1] != '/';
	return !strchr(path, '/') && strcmp(path, ".") != 0 && strcmp(path, "..") != 0;
}

/* One command from its words (already unquoted). The program itself is never expanded:
 * systemd.service(5) says it may not be a variable. */
static int command_build(const struct list *words, char *const *env, struct exec_command *ret,
			 char *err, size_t err_size)
{
	_cleanup_(list_freep) struct list argv = { 0 };
	_cleanup_free_ char *path = NULL;
	const char *program;
	unsigned flags = 0;
	int r;

	if (words->len == 0)
		return fail(err, err_size, "empty command");

	for (program = words->items[0]; *program && strchr(EXEC_PREFIXES, *program); program++)
		flags |= prefix_flag(*program);
	if (*program == '\0')
		return fail(err, err_size,
			    words->len == 1 ? "empty command" : "empty program name");
	if (!program_is_valid(program))
		return fail(err, err_size, "\"%s\" is neither an absolute path nor a program name",
			    program);
	if ((flags & EXEC_ARGV0) && words->len < 2)
		return fail(err, err_size, "\"@\" needs a program and an argv[0]");

	path = strdup(program);
	if (!path)
		return -ENOMEM;
	if (!(flags & EXEC_ARGV0)) {
		r = list_push(&argv, strdup(program));
		if (r < 0)
			return r;
	}
	for (size_t i = 1; i < words->len; i++) {
		if (flags & EXEC_NO_EXPAND)
			r = list_push(&argv, strdup(words->items[i]));
		else
			r = word_expand(words->items[i], env, &argv);
		if (r < 0)
			return r;
	}
	/* "@/bin/x $UNSET" leaves no argv[0] once expanded. */
	if (argv.len == 0)
		return fail(err, err_size, "\"@\" needs a program and an argv[0]");

	ret->path = path;
	path = NULL;
	ret->argv = list_take(&argv);
	ret->flags = flags;
	return 0;
}

int exec_line_parse(const char *value, char *const *env, struct exec_command **ret, char *err,
		    size_t err_size)
{
	struct list words = { 0 };
	struct exec_command *commands = NULL;
	size_t n = 0;
	const char *p = value;
	int r;

	for (;;) {
		struct exec_command *grown;
		char *word;
		int more = word_next(&p, true, &word, err, err_size);

		if (more < 0) {
			r = more;
			goto fail;
		}
		if (more > 0 && word) {
			r = list_push(&words, word);
			if (r < 0)
				goto fail;
			continue;
		}

		grown = realloc(commands, (n + 1) * sizeof(*commands));
		if (!grown) {
			r = -ENOMEM;
			goto fail;
		}
		commands = grown;
		r = command_build(&words, env, &commands[n], err, err_size);
		if (r < 0)
			goto fail;
		n++;
		list_free(&words);
		if (more == 0)
			break;
	}

	*ret = commands;
	return (int)n;

fail:
	list_free(&words);
	exec_commands_free(commands, n);
	return r;
}

void exec_commands_free(struct exec_command *commands, size_t n)
{
	if (!commands)
		return;
	for (size_t i = 0; i < n; i++) {
		free(commands[i].path);
		unit_words_free(commands[i].argv);
	}
	free(commands);
}

int unit_words_split(const char *value, char ***ret, char *err, size_t err_size)
{
	_cleanup_(list_freep) struct list words = { 0 };
	const char *p = value;
	size_t n;
	char **result;
	int r;

	for (;;) {
		char *word;

		r = word_next(&p, false, &word, err, err_size);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		r = list_push(&words, word);
		if (r < 0)
			return r;
	}

	n = words.len;
	result = list_take(&words);
	if (!result)
		return -ENOMEM;
	*ret = result;
	return (int)n;
}

void unit_words_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}
