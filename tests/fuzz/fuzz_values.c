/* libFuzzer target: every value parser, and the error text for whatever they reject. */
#include "config.h"

#include "common/values.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), msg[256];
	uint64_t u;
	bool b;
	int sig, r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = value_parse_size(text, &u);
	value_format_error(msg, sizeof(msg), "--memory", text, VALUE_SIZE, r < 0 ? r : -EINVAL);
	if (strchr(msg, '\n'))
		abort();
	(void)value_parse_cpus(text, &u);
	(void)value_parse_duration(text, &u);
	if (value_parse_signal(text, &sig) == 0 && (sig < 1 || sig >= 65))
		abort();
	(void)value_parse_bool(text, &b);
	(void)value_parse_uint(text, 0, 255, &u);
	free(text);
	return 0;
}
