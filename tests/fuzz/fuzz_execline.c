/* libFuzzer target: Exec lines and word lists, with a fixed environment. */
#include "config.h"

#include "common/execline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const env[] = { "A=one", "B=two words", "EMPTY=", NULL };
	struct exec_command *commands = NULL;
	char err[256], *text = malloc(size + 1), **words = NULL;
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = exec_line_parse(text, env, &commands, err, sizeof(err));
	if (n > 0) {
		for (int i = 0; i < n; i++)
			if (!commands[i].path || !commands[i].argv || !commands[i].argv[0])
				abort();
		exec_commands_free(commands, (size_t)n);
	} else if (strchr(err, '\n')) {
		abort();
	}
	n = unit_words_split(text, &words, err, sizeof(err));
	if (n >= 0) {
		if (words[n])
			abort();
		unit_words_free(words);
	}
	free(text);
	return 0;
}
