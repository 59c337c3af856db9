/* `claunch --generate-unit [FLAGS] -- CMD`: a systemd service that runs the same container
 * when installed as printed (Type=notify through claunch's readiness relay). */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "launcher/cli.h"

/* Writes the unit for o to out. argv is claunch's command line: ExecStart= repeats it,
 * without --generate-unit, with claunch's absolute path and the container's name (a generated
 * one must stay the same across restarts). Returns 0 or -errno with one line in err. */
int unitgen_write(FILE *out, const struct claunch_options *o, int argc, char **argv, char *err,
		  size_t err_size);

/* One word of ExecStart= as systemd reads it back: % and $ doubled, quoted when it has
 * blanks, quotes or backslashes, a lone ";" escaped. Into buf; -ENAMETOOLONG if too small. */
int unitgen_quote(const char *word, char *buf, size_t size);
