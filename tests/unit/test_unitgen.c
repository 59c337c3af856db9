/* claunch --generate-unit: each argument comes back from systemd's ExecStart= parser as it was
 * given (quoting, specifiers, variables, the command separator). */
#include "config.h"

#include "launcher/unitgen.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

static const struct {
	const char *word, *want;
} quote_cases[] = {
	{ "plain", "plain" },
	{ "/usr/bin/claunch", "/usr/bin/claunch" },
	{ "a b", "\"a b\"" },
	{ "100%", "100%%" },
	{ "$HOME", "$$HOME" },
	{ ";", "\\;" },
	{ "", "\"\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "it's", "\"it's\"" },
	{ "two\nlines", "\"two\\x0alines\"" },
	{ "carriage\rreturn", "\"carriage\\x0dreturn\"" },
	{ "echo $A 50% done", "\"echo $$A 50%% done\"" },
};

Test(unitgen, words_are_quoted_for_exec_start)
{
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
		char buf[128];

		cr_assert_eq(unitgen_quote(quote_cases[i].word, buf, sizeof(buf)), 0);
		cr_expect_str_eq(buf, quote_cases[i].want, "%s", quote_cases[i].word);
	}
}

Test(unitgen, a_word_too_long_is_an_error)
{
	char buf[4];

	cr_expect_eq(unitgen_quote("abcdef", buf, sizeof(buf)), -ENAMETOOLONG);
}

Test(unitgen, the_unit_runs_the_same_command)
{
	struct claunch_options o;
	char *argv[] = { "claunch", "--memory",	       "64m", "--generate-unit", "--", "sh",
			 "-c",	    "echo 1; sleep 9", NULL };
	char err[256], *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	cr_assert_eq(claunch_parse(8, argv, &o, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(unitgen_write(out, &o, 8, argv, err, sizeof(err)), 0, "%s", err);
	fclose(out);
	cr_expect(strstr(text, "\nType=notify\n") != NULL, "%s", text);
	cr_expect(strstr(text, "\nDelegate=yes\n") != NULL, "%s", text);
	cr_expect(strstr(text, "\nKillMode=mixed\n") != NULL, "%s", text);
	cr_expect(strstr(text, " --name claunch-") != NULL, "the generated name is kept: %s", text);
	cr_expect(strstr(text, " --memory 64m -- sh -c \"echo 1; sleep 9\"\n") != NULL, "%s", text);
	cr_expect(strstr(text, "--generate-unit") == NULL ||
			  strstr(text, "--generate-unit") < strstr(text, "[Unit]"),
		  "--generate-unit is not in ExecStart=: %s", text);
	free(text);
	claunch_options_free(&o);
}

Test(unitgen, options_end_where_the_command_begins)
{
	struct claunch_options o;
	/* no "--": the command's own --name and --generate-unit are its, not claunch's */
	char *argv[] = { "claunch", "--gen", "myprog", "--name", "foo", "--generate-unit", NULL };
	char err[256], *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	cr_assert_eq(claunch_parse(6, argv, &o, err, sizeof(err)), 0, "%s", err);
	cr_assert(o.generate_unit);
	cr_assert_eq(unitgen_write(out, &o, 6, argv, err, sizeof(err)), 0, "%s", err);
	fclose(out);
	cr_expect(strstr(text, " --name claunch-") != NULL, "a fixed name of claunch's: %s", text);
	cr_expect(strstr(text, " -- myprog --name foo --generate-unit\n") != NULL, "%s", text);
	cr_expect(strstr(text, "--gen ") == NULL, "the abbreviation stayed: %s", text);
	free(text);
	claunch_options_free(&o);
}
