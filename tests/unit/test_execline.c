/* Exec lines and word lists as systemd reads them: each case is a value, an environment, and
 * either the commands it must give ("flags|path|argv[0]|argv[1]|...", flags as the prefix
 * characters in the order -@+!:) or the exact error text. */
#include "config.h"

#include "common/execline.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_COMMANDS 4
#define RENDER_SIZE  1024

/* Left in the output on failure: the parser must not write its result unless it succeeds. */
#define SENTINEL ((void *)0x5a5a5a5a)

struct exec_case {
	const char *value;
	const char *const *env;
	const char *commands[MAX_COMMANDS];
	const char *error;
};

struct words_case {
	const char *value;
	int count;
	const char *words; /* joined with "|" */
	const char *error;
};

#define OK(text, environment, ...)                                                                 \
	{                                                                                          \
		.value = text, .env = environment, .commands = { __VA_ARGS__ }                     \
	}
#define FAIL(text, environment, message)                                                           \
	{                                                                                          \
		.value = text, .env = environment, .error = message                                \
	}
#define WORDS(text, n, joined)                                                                     \
	{                                                                                          \
		.value = text, .count = n, .words = joined                                         \
	}
#define WORDS_FAIL(text, message)                                                                  \
	{                                                                                          \
		.value = text, .error = message                                                    \
	}

/* Later assignments override earlier ones, as Environment= lines do. */
static const char *const env_main[] = {
	"X=one two", "Y=first",	 "E=",	     "Q=a 'b c' \"d\"", "S=  lead \t trail  ",
	"B=a\\ b c", "U=a 'b c", "NOEQUALS", "Y=override",	NULL,
};

/* A name that is a prefix of another must not match it. */
static const char *const env_prefix[] = { "XY=long", "X", NULL };

static const struct exec_case exec_cases[] = {
	/* Words and whitespace. */
	OK("/bin/echo hello world", NULL, "|/bin/echo|/bin/echo|hello|world"),
	OK("  /bin/true  ", NULL, "|/bin/true|/bin/true"),
	OK("/bin/echo\ta \r\n b", NULL, "|/bin/echo|/bin/echo|a|b"),
	OK("/bin/echo a\fb\vc", NULL, "|/bin/echo|/bin/echo|a\fb\vc"),
	OK("true --flag", NULL, "|true|true|--flag"),

	/* Quotes, concatenated with each other and with bare text. */
	OK("/bin/echo \"a b\" 'c d'", NULL, "|/bin/echo|/bin/echo|a b|c d"),
	OK("/bin/echo \"a\"b\"c\" 'x'\"y\"z a\"b c\"d", NULL, "|/bin/echo|/bin/echo|abc|xyz|ab cd"),
	OK("/bin/echo \"\" ''", NULL, "|/bin/echo|/bin/echo||"),
	OK("/bin/echo \"it's\" 'say \"hi\"'", NULL, "|/bin/echo|/bin/echo|it's|say \"hi\""),
	OK("\"/bin/my prog\" x", NULL, "|/bin/my prog|/bin/my prog|x"),
	FAIL("/bin/echo \"abc", NULL, "unbalanced quotes"),
	FAIL("/bin/echo 'abc", NULL, "unbalanced quotes"),
	FAIL("/bin/echo a\"b", NULL, "unbalanced quotes"),
	FAIL("/bin/echo \"a'", NULL, "unbalanced quotes"),
	FAIL("/bin/echo \"abc\\", NULL, "unbalanced quotes"),

	/* C escapes, outside and inside both kinds of quotes. */
	OK("/bin/echo \\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\s", NULL,
	   "|/bin/echo|/bin/echo|\a\b\f\n\r\t\v\\\"' "),
	OK("/bin/echo \"a\\nb\\\"c\\td\"", NULL, "|/bin/echo|/bin/echo|a\nb\"c\td"),
	OK("/bin/echo 'a\\nb\\'c'", NULL, "|/bin/echo|/bin/echo|a\nb'c"),
	OK("/bin/echo a\\sb", NULL, "|/bin/echo|/bin/echo|a b"),
	OK("/bin/echo \\x41\\x7a \\xff", NULL, "|/bin/echo|/bin/echo|Az|\xff"),
	OK("/bin/echo \\101\\060 \\377", NULL, "|/bin/echo|/bin/echo|A0|\377"),
	OK("/bin/echo \\u0041 \\u00e9 \\u20AC \"\\U0001F600\" \\U0010FFFF", NULL,
	   "|/bin/echo|/bin/echo|A|\xc3\xa9|\xe2\x82\xac|\xf0\x9f\x98\x80|\xf4\x8f\xbf\xbf"),
	/* Unknown or incomplete escapes stay as written, as systemd keeps them. */
	OK("/bin/echo \\q \\x4g \\u12 \\U1234 s/\\(a\\)/\\1/ a\\ b", NULL,
	   "|/bin/echo|/bin/echo|\\q|\\x4g|\\u12|\\U1234|s/\\(a\\)/\\1/|a\\ b"),
	FAIL("/bin/echo \\x00", NULL, "invalid escape \"\\x00\""),
	FAIL("/bin/echo \\000", NULL, "invalid escape \"\\000\""),
	FAIL("/bin/echo \\400", NULL, "invalid escape \"\\400\""),
	FAIL("/bin/echo \\u0000", NULL, "invalid escape \"\\u0000\""),
	FAIL("/bin/echo '\\uD800'", NULL, "invalid escape \"\\uD800\""),
	FAIL("/bin/echo \\U00110000", NULL, "invalid escape \"\\U00110000\""),
	FAIL("/bin/echo \\U00000000", NULL, "invalid escape \"\\U00000000\""),
	FAIL("/bin/echo abc\\", NULL, "backslash at end of value"),

	/* Prefixes, alone and combined in any order. */
	OK("-/bin/false", NULL, "-|/bin/false|/bin/false"),
	OK("@/bin/sh mysh -c x", NULL, "@|/bin/sh|mysh|-c|x"),
	OK("+/bin/true", NULL, "+|/bin/true|/bin/true"),
	OK("!/bin/true", NULL, "!|/bin/true|/bin/true"),
	OK("!!/bin/true", NULL, "!|/bin/true|/bin/true"),
	OK(":/bin/echo $X", env_main, ":|/bin/echo|/bin/echo|$X"),
	OK("-@+!:/bin/x a0 a1", NULL, "-@+!:|/bin/x|a0|a1"),
	OK(":+-/bin/x", NULL, "-+:|/bin/x|/bin/x"),
	OK("@-/bin/x a0", NULL, "-@|/bin/x|a0"),
	OK("\"-/bin/false\"", NULL, "-|/bin/false|/bin/false"),
	OK("-true", NULL, "-|true|true"),
	FAIL("", NULL, "empty command"),
	FAIL("   ", NULL, "empty command"),
	FAIL("\"\"", NULL, "empty command"),
	FAIL("-", NULL, "empty command"),
	FAIL("-@+!:", NULL, "empty command"),
	FAIL("- /bin/true", NULL, "empty program name"),
	FAIL("'' x", NULL, "empty program name"),
	FAIL("@/bin/x", NULL, "\"@\" needs a program and an argv[0]"),
	FAIL("@/bin/x $UNSET", env_main, "\"@\" needs a program and an argv[0]"),
	OK("@/bin/x ${UNSET}", env_main, "@|/bin/x|"),
	OK("@/bin/sh $Y", env_main, "@|/bin/sh|override"),
	OK("@/bin/sh $X", env_main, "@|/bin/sh|one|two"),

	/* The program: absolute, or a plain name the caller looks up. */
	FAIL("bin/x", NULL, "\"bin/x\" is neither an absolute path nor a program name"),
	FAIL("./x", NULL, "\"./x\" is neither an absolute path nor a program name"),
	FAIL("-/usr/bin/", NULL, "\"/usr/bin/\" is neither an absolute path nor a program name"),
	FAIL(".", NULL, "\".\" is neither an absolute path nor a program name"),
	FAIL("..", NULL, "\"..\" is neither an absolute path nor a program name"),
	FAIL("/", NULL, "\"/\" is neither an absolute path nor a program name"),

	/* Several commands. */
	OK("/bin/a 1 ; /bin/b 2", NULL, "|/bin/a|/bin/a|1", "|/bin/b|/bin/b|2"),
	OK("/bin/a ; -/bin/b ; @/bin/c c0 x", NULL, "|/bin/a|/bin/a", "-|/bin/b|/bin/b",
	   "@|/bin/c|c0|x"),
	OK("/bin/a\t;\t/bin/b", NULL, "|/bin/a|/bin/a", "|/bin/b|/bin/b"),
	OK(":/bin/a $Y ; /bin/b $Y", env_main, ":|/bin/a|/bin/a|$Y", "|/bin/b|/bin/b|override"),
	OK("/bin/echo a; /bin/b", NULL, "|/bin/echo|/bin/echo|a;|/bin/b"),
	OK("/bin/find . -exec rm {} \\;", NULL, "|/bin/find|/bin/find|.|-exec|rm|{}|;"),
	OK("/bin/echo \";\" ';' \\;x", NULL, "|/bin/echo|/bin/echo|;|;|;x"),
	FAIL("/bin/a ;", NULL, "empty command"),
	FAIL("/bin/a ; ; /bin/b", NULL, "empty command"),
	FAIL("; /bin/a", NULL, "empty command"),
	FAIL(";", NULL, "empty command"),
	FAIL("/bin/a ; - ", NULL, "empty command"),
	FAIL("/bin/a ; /bin/b 'x", NULL, "unbalanced quotes"),

	/* "$NAME" as a whole word: split into words (quotes removed first, as systemd expands
	 * after unquoting, so quoting does not protect it). */
	OK("/bin/echo $X", env_main, "|/bin/echo|/bin/echo|one|two"),
	OK("/bin/echo \"$X\" '$X'", env_main, "|/bin/echo|/bin/echo|one|two|one|two"),
	OK("/bin/echo $Y", env_main, "|/bin/echo|/bin/echo|override"),
	OK("/bin/echo $UNSET end", env_main, "|/bin/echo|/bin/echo|end"),
	OK("/bin/echo $E $NOEQUALS", env_main, "|/bin/echo|/bin/echo"),
	OK("/bin/echo $Q", env_main, "|/bin/echo|/bin/echo|a|b c|d"),
	OK("/bin/echo $S", env_main, "|/bin/echo|/bin/echo|lead|trail"),
	OK("/bin/echo $B", env_main, "|/bin/echo|/bin/echo|a b|c"),
	OK("/bin/echo $U", env_main, "|/bin/echo|/bin/echo|a|b c"),
	OK("/bin/echo $X ${X}", NULL, "|/bin/echo|/bin/echo|"),
	OK("/bin/echo $X", env_prefix, "|/bin/echo|/bin/echo"),

	/* "${NAME}" in place, one word, also inside quotes. */
	OK("/bin/echo ${X}", env_main, "|/bin/echo|/bin/echo|one two"),
	OK("/bin/echo a${X}b", env_main, "|/bin/echo|/bin/echo|aone twob"),
	OK("/bin/echo \"x ${X} y\" '${Y}'", env_main, "|/bin/echo|/bin/echo|x one two y|override"),
	OK("/bin/echo ${UNSET} a${UNSET}b ${E}", env_main, "|/bin/echo|/bin/echo||ab|"),
	OK("/bin/echo ${X}", env_prefix, "|/bin/echo|/bin/echo|"),
	OK("/bin/echo ${a-b} ${} ${X${Y}}", env_main, "|/bin/echo|/bin/echo|||}"),
	OK("/bin/echo ${X a${Y:-d}", env_main, "|/bin/echo|/bin/echo|${X|a${Y:-d}"),

	/* Literal dollars. */
	OK("/bin/echo $$ $$X a$$b $${X} $$$$", env_main, "|/bin/echo|/bin/echo|$|$X|a$b|${X}|$$"),
	OK("/bin/echo $ a$ $1 a$X $X-y", env_main, "|/bin/echo|/bin/echo|$|a$|$1|a$X|$X-y"),
	OK(":/bin/echo $$ ${X}", env_main, ":|/bin/echo|/bin/echo|$$|${X}"),
	/* An escape that makes a "$" is expanded like a written one, as in systemd. */
	OK("/bin/echo \\x24{Y}", env_main, "|/bin/echo|/bin/echo|override"),
	/* The program itself is never expanded. */
	OK("/bin/$Y a", env_main, "|/bin/$Y|/bin/$Y|a"),
	OK("${Y}", env_main, "|${Y}|${Y}"),
};

static const struct words_case words_cases[] = {
	WORDS("", 0, ""),
	WORDS(" \t ", 0, ""),
	WORDS("a b  c", 3, "a|b|c"),
	WORDS("\"A=1\" \"B=2 3\"", 2, "A=1|B=2 3"),
	WORDS("A=1 'B=2 3' C=\"4 5\"", 3, "A=1|B=2 3|C=4 5"),
	WORDS("a\"b c\"d", 1, "ab cd"),
	WORDS("\"\"", 1, ""),
	WORDS("a ; b \\;", 4, "a|;|b|;"),
	WORDS("$X ${X} $$ -x @y", 5, "$X|${X}|$$|-x|@y"),
	WORDS("x\\ny \\u00e9", 2, "x\ny|\xc3\xa9"),
	WORDS_FAIL("\"a", "unbalanced quotes"),
	WORDS_FAIL("a\\", "backslash at end of value"),
	WORDS_FAIL("\\u0000", "invalid escape \"\\u0000\""),
};

static void render_append(char *buf, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, RENDER_SIZE - len, "%s", s);
}

static void render_command(const struct exec_command *c, char *buf)
{
	static const struct {
		unsigned flag;
		const char *text;
	} prefixes[] = {
		{ EXEC_IGNORE_FAILURE, "-" }, { EXEC_ARGV0, "@" },     { EXEC_PRIVILEGED, "+" },
		{ EXEC_NO_SETUID, "!" },      { EXEC_NO_EXPAND, ":" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (c->flags & prefixes[i].flag)
			render_append(buf, prefixes[i].text);
	render_append(buf, "|");
	render_append(buf, c->path);
	for (char **a = c->argv; *a; a++) {
		render_append(buf, "|");
		render_append(buf, *a);
	}
}

Test(execline, exec_line_cases)
{
	for (size_t i = 0; i < sizeof(exec_cases) / sizeof(exec_cases[0]); i++) {
		const struct exec_case *c = &exec_cases[i];
		struct exec_command *commands = SENTINEL;
		char err[256] = "";
		int expected = 0;
		int r;

		while (expected < MAX_COMMANDS && c->commands[expected])
			expected++;
		r = exec_line_parse(c->value, (char *const *)c->env, &commands, err, sizeof(err));
		if (c->error) {
			cr_expect_eq(r, -EINVAL, "[%s]: returned %d, expected -EINVAL", c->value,
				     r);
			cr_expect_str_eq(err, c->error, "[%s]: error \"%s\", expected \"%s\"",
					 c->value, err, c->error);
			cr_expect_eq(commands, SENTINEL, "[%s]: failed but wrote its result",
				     c->value);
			continue;
		}
		cr_expect_eq(r, expected, "[%s]: returned %d (%s), expected %d", c->value, r, err,
			     expected);
		if (r != expected)
			continue;
		for (int k = 0; k < r; k++) {
			char got[RENDER_SIZE];

			render_command(&commands[k], got);
			cr_expect_str_eq(got, c->commands[k],
					 "[%s] command %d: got \"%s\", want \"%s\"", c->value, k,
					 got, c->commands[k]);
		}
		exec_commands_free(commands, (size_t)r);
	}
}

Test(execline, unit_words_cases)
{
	for (size_t i = 0; i < sizeof(words_cases) / sizeof(words_cases[0]); i++) {
		const struct words_case *c = &words_cases[i];
		char **words = SENTINEL;
		char err[256] = "";
		char got[RENDER_SIZE] = "";
		int r = unit_words_split(c->value, &words, err, sizeof(err));

		if (c->error) {
			cr_expect_eq(r, -EINVAL, "[%s]: returned %d, expected -EINVAL", c->value,
				     r);
			cr_expect_str_eq(err, c->error, "[%s]: error \"%s\", expected \"%s\"",
					 c->value, err, c->error);
			cr_expect_eq(words, SENTINEL, "[%s]: failed but wrote its result",
				     c->value);
			continue;
		}
		cr_expect_eq(r, c->count, "[%s]: returned %d (%s), expected %d", c->value, r, err,
			     c->count);
		if (r < 0)
			continue;
		cr_assert_not_null(words);
		cr_expect_null(words[r], "[%s]: not NULL-terminated", c->value);
		for (int k = 0; k < r; k++) {
			if (k > 0)
				render_append(got, "|");
			render_append(got, words[k]);
		}
		cr_expect_str_eq(got, c->words, "[%s]: got \"%s\", want \"%s\"", c->value, got,
				 c->words);
		unit_words_free(words);
	}
}

/* err is optional, and a short buffer gets a truncated but terminated message. */
Test(execline, error_buffer)
{
	struct exec_command *commands = NULL;
	char **words = NULL;
	char small[5] = "xxxx";

	cr_expect_eq(exec_line_parse("/bin/echo \"", NULL, &commands, NULL, 0), -EINVAL);
	cr_expect_eq(unit_words_split("'", &words, NULL, 0), -EINVAL);
	cr_expect_eq(exec_line_parse("'", NULL, &commands, small, sizeof(small)), -EINVAL);
	cr_expect_str_eq(small, "unba");
	cr_expect_null(commands);
	cr_expect_null(words);
}

Test(execline, free_accepts_null)
{
	exec_commands_free(NULL, 0);
	unit_words_free(NULL);
}

/* Found by fuzz_execline: a control byte quoted from the value used to split the error line. */
Test(execline, error_is_one_line)
{
	struct exec_command *commands = NULL;
	char err[256];

	cr_expect_eq(exec_line_parse("\"bin/a\nb\"", NULL, &commands, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "\"bin/a?b\" is neither an absolute path nor a program name");
}
