/* libFuzzer target: the unit-file parser, and the mapping of its keys to a service spec, must
 * never crash, leak or read out of bounds, whatever the bytes; every failure must come with a
 * one-line "file:line: message" error. */
#include "config.h"

#include "common/spec.h"
#include "common/unitfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_warning(void *data, const char *message)
{
	(void)data;
	(void)message;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_diag diag = { .warn = ignore_warning };
	struct unit_file *unit = NULL;
	const struct unit_entry *entries;
	char *text = malloc(size + 1);
	size_t n;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = unit_file_parse_string("fuzz@inst.service", "fuzz.service", text, &unit, &diag);
	if (r < 0) {
		/* The error is one line and names the file. */
		if (strchr(diag.error, '\n') || strncmp(diag.error, "fuzz.service", 12) != 0)
			abort();
	} else {
		n = unit_file_entries(unit, &entries);
		for (size_t i = 0; i < n; i++)
			if (!entries[i].key[0] || entries[i].line == 0)
				abort();
		(void)unit_file_get(unit, "Service", "ExecStart");
		struct service_spec *spec = NULL;
		diag.error[0] = '\0';
		if (service_spec_from_unit(unit, &spec, &diag) < 0) {
			/* One line, naming the file (or the unit, for what no line holds: a
			 * missing ExecStart=). */
			if (!diag.error[0] || strchr(diag.error, '\n') ||
			    strncmp(diag.error, "fuzz", 4) != 0)
				abort();
		} else {
			service_spec_free(spec);
		}
		unit_file_free(unit);
	}
	free(text);
	return 0;
}
