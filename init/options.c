#include "config.h"

#include "init/options.h"
#include "common/log.h"
#include "common/util.h"
#include "common/values.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_STOP_TIMEOUT_USEC (10 * USEC_PER_SEC)

/* The parse_* functions return the index of the command in argv, PARSE_EXIT after printing
 * help or version, or a negative errno. */
#define PARSE_EXIT 0

/* Exit status for bad usage: cinit's own is 2 (as most tools); tini and dumb-init exit 1. */
int options_usage_exit_code(enum personality personality)
{
	return personality == PERSONALITY_CINIT ? 2 : 1;
}

const char *options_personality_name(enum personality personality)
{
	switch (personality) {
	case PERSONALITY_TINI:
		return "tini";
	case PERSONALITY_DUMB_INIT:
		return "dumb-init";
	default:
		return "cinit";
	}
}

static void options_defaults(struct options *o, enum personality personality)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->personality = personality;
	o->verbosity = LOG_LEVEL_WARNING;
	o->grouping = CHILD_OWN_PGRP;
	o->stop_timeout_usec = DEFAULT_STOP_TIMEOUT_USEC;
	o->stop_on_tty_signals = true;
	for (i = 0; i < ELEMENTSOF(o->rewrite); i++)
		o->rewrite[i] = (int)i;
	if (personality == PERSONALITY_DUMB_INIT) {
		o->grouping = CHILD_OWN_SESSION;
		o->signal_group = true;
		o->verbosity = LOG_LEVEL_ERROR;
	}
	if (personality == PERSONALITY_TINI)
		/* tini forwards the job-control signals and keeps running. */
		o->stop_on_tty_signals = false;
}

static int usage_error(const struct options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const struct options *o, const char *fmt, ...)
{
	const char *name = options_personality_name(o->personality);
	va_list ap;

	va_start(ap, fmt);
	log_msgv(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	if (o->personality == PERSONALITY_DUMB_INIT)
		fprintf(stderr,
			"Usage: %s [option] program [args]\nTry %s --help for full usage.\n", name,
			name);
	else
		fprintf(stderr, "Try '%s --help' for more information.\n", name);
	return -EINVAL;
}

static int value_error(const struct options *o, const char *flag, const char *text,
		       enum value_kind kind, int r)
{
	char msg[256];

	value_format_error(msg, sizeof(msg), flag, text, kind, r);
	return usage_error(o, "%s", msg);
}

static int parse_rewrite(struct options *o, const char *flag, const char *text)
{
	_cleanup_free_ char *copy = strdup(text);
	char *colon;
	int from, to = 0, r;

	if (!copy)
		return log_error_errno(ENOMEM, "%s", flag);
	colon = strchr(copy, ':');
	if (!colon)
		return usage_error(o, "%s: \"%s\" is not of the form SIGNAL:SIGNAL", flag, text);
	*colon = '\0';
	r = value_parse_signal(copy, &from);
	if (r < 0)
		return value_error(o, flag, copy, VALUE_SIGNAL, r);
	/* 0 as the replacement means "do not forward", as in dumb-init. */
	if (strcmp(colon + 1, "0") != 0) {
		r = value_parse_signal(colon + 1, &to);
		if (r < 0)
			return value_error(o, flag, colon + 1, VALUE_SIGNAL, r);
	}
	if (from >= OPTIONS_SIGNALS || to >= OPTIONS_SIGNALS)
		return value_error(o, flag, text, VALUE_SIGNAL, -ERANGE);
	o->rewrite[from] = to;
	o->rewrite_set[from] = true;
	return 0;
}

static int parse_signal_option(struct options *o, const char *flag, const char *text, int *ret)
{
	int r = value_parse_signal(text, ret);

	return r < 0 ? value_error(o, flag, text, VALUE_SIGNAL, r) : 0;
}

static int parse_exit_code_option(struct options *o, const char *flag, const char *text)
{
	uint64_t code;
	int r = value_parse_uint(text, 0, 255, &code);

	if (r < 0)
		return value_error(o, flag, text, VALUE_EXIT_CODE, r);
	o->remap_exit[code] = true;
	return 0;
}

static void print_version(const struct options *o)
{
	if (o->personality == PERSONALITY_TINI)
		printf("tini version 0.19.0 (cinit %s)\n", PACKAGE_VERSION);
	else if (o->personality == PERSONALITY_DUMB_INIT)
		printf("dumb-init v1.2.5 (cinit %s)\n", PACKAGE_VERSION);
	else
		printf("cinit %s\n", PACKAGE_VERSION);
}

static void print_help_cinit(void)
{
	printf("Usage: cinit [OPTIONS] [--] COMMAND [ARGS...]\n"
	       "       cinit --units DIR [OPTIONS] [-- COMMAND [ARGS...]]\n"
	       "       cinit ctl status [NAME] [--json] | start | stop | restart | reload NAME |\n"
	       "                 kill [-s SIG] NAME | list-units | reload-units\n"
	       "\n"
	       "Run COMMAND as the main process of a container: reap zombies, forward signals,\n"
	       "and exit with COMMAND's status (128+N if it died of signal N). With --units,\n"
	       "also supervise every *.service in DIR (systemd unit syntax, see cinit.unit(5)).\n"
	       "\n"
	       "  -u, --units DIR          supervise the services of DIR (or $CINIT_UNITS)\n"
	       "      --runtime-dir DIR    control and notify sockets (default /run/cinit)\n"
	       "      --cgroup DIR         a cgroup2 directory delegated to cinit for services\n"
	       "  -g, --process-group      forward signals to COMMAND's process group\n"
	       "      --setsid             run COMMAND in a new session (implies -g)\n"
	       "  -r, --rewrite S:R        forward signal S as R (R = 0: do not forward)\n"
	       "  -p, --pdeath-signal SIG  get SIG (and forward it) when cinit's parent dies\n"
	       "  -e, --remap-exit CODE    exit 0 when COMMAND exits with CODE (repeatable)\n"
	       "  -t, --stop-timeout TIME  grace between SIGTERM and SIGKILL for processes left\n"
	       "                           when COMMAND exits (default 10s; 0 kills at once)\n"
	       "  -s, --subreaper          accepted for tini; cinit always is one when not PID 1\n"
	       "  -w, --warn-reap          warn about every orphan reaped\n"
	       "  -v, --verbose            more messages (repeat for more)\n"
	       "      --tini, --dumb-init  behave as tini or dumb-init (also by argv[0])\n"
	       "  -h, --help               show this help\n"
	       "  -V, --version            show the version\n"
	       "\n"
	       "Exit status: COMMAND's; 126 cannot execute, 127 not found, 2 bad usage.\n");
}

static void print_help_tini(void)
{
	printf("tini (cinit %s)\n"
	       "Usage: tini [OPTIONS] PROGRAM -- [ARGS] | --version\n"
	       "\n"
	       "Execute a program under the supervision of a valid init process (tini)\n"
	       "\n"
	       "Command line options:\n"
	       "\n"
	       "  --version: Show version and exit.\n"
	       "  -h: Show this help message and exit.\n"
	       "  -s: Register as a process subreaper (requires Linux >= 3.4).\n"
	       "  -p SIGNAL: Trigger SIGNAL when parent dies, e.g. \"-p SIGKILL\".\n"
	       "  -v: Generate more verbose output. Repeat up to 3 times.\n"
	       "  -w: Print a warning when processes are getting reaped.\n"
	       "  -g: Send signals to the child's process group.\n"
	       "  -e EXIT_CODE: Remap EXIT_CODE (from 0 to 255) to 0.\n"
	       "  -l: Show license and exit.\n"
	       "\n"
	       "Environment variables:\n"
	       "\n"
	       "  TINI_SUBREAPER: Register as a process subreaper (requires Linux >= 3.4).\n"
	       "  TINI_VERBOSITY: Set the verbosity level (default: 1).\n"
	       "  TINI_KILL_PROCESS_GROUP: Send signals to the child's process group.\n",
	       PACKAGE_VERSION);
}

static void print_help_dumb_init(void)
{
	printf("dumb-init (cinit %s)\n"
	       "Usage: dumb-init [option] command [[arg] ...]\n"
	       "\n"
	       "dumb-init is a simple process supervisor that forwards signals to children.\n"
	       "It is designed to run as PID1 in minimal container environments.\n"
	       "\n"
	       "Optional arguments:\n"
	       "   -c, --single-child   Run in single-child mode.\n"
	       "                        In this mode, signals are only proxied to the\n"
	       "                        direct child and not any of its descendants.\n"
	       "   -r, --rewrite s:r    Rewrite received signal s to new signal r before "
	       "proxying.\n"
	       "                        To ignore (not proxy) a signal, rewrite it to 0.\n"
	       "                        This option can be specified multiple times.\n"
	       "   -v, --verbose        Print debugging information to stderr.\n"
	       "   -h, --help           Print this help message and exit.\n"
	       "   -V, --version        Print the current version and exit.\n"
	       "\n"
	       "Full help is available online at https://github.com/Yelp/dumb-init\n",
	       PACKAGE_VERSION);
}

/* tini tests only for presence: TINI_SUBREAPER= (empty) counts. */
static bool env_is_set(const char *name)
{
	return getenv(name) != NULL;
}

/* getopt with a leading ':' in the optstring returns ':' for a missing argument and '?' for
 * an unknown option; name exactly what the user typed. */
static int option_error(const struct options *o, char **argv, int c)
{
	const char *arg = argv[optind - 1];
	bool is_long = arg && strncmp(arg, "--", 2) == 0;

	if (c == ':') {
		if (is_long)
			return usage_error(o, "option \"%s\" requires an argument", arg);
		return usage_error(o, "option \"-%c\" requires an argument", optopt);
	}
	if (optopt == 0 && is_long)
		return usage_error(o, "unknown option \"%s\"", arg);
	return usage_error(o, "unknown option \"-%c\"", optopt);
}

static int parse_tini(int argc, char **argv, struct options *o)
{
	const char *v;
	int c, r;

	/* tini: TINI_VERBOSITY is the level itself (default 1 = warnings). */
	v = getenv("TINI_VERBOSITY");
	if (v && *v) {
		uint64_t level;
		if (value_parse_uint(v, 0, 10, &level) == 0)
			o->verbosity = (int)level;
	}
	if (env_is_set("TINI_SUBREAPER"))
		o->subreaper_requested = true;
	if (env_is_set("TINI_KILL_PROCESS_GROUP"))
		o->signal_group = true;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		print_version(o);
		return PARSE_EXIT;
	}
	opterr = 0;
	while ((c = getopt(argc, argv, "+:hsp:vwge:l")) != -1) {
		switch (c) {
		case 'h':
			print_help_tini();
			return PARSE_EXIT;
		case 's':
			o->subreaper_requested = true;
			break;
		case 'p':
			r = parse_signal_option(o, "-p", optarg, &o->pdeath_signal);
			if (r < 0)
				return r;
			break;
		case 'v':
			o->verbosity++;
			break;
		case 'w':
			o->warn_reap = true;
			break;
		case 'g':
			o->signal_group = true;
			break;
		case 'e':
			r = parse_exit_code_option(o, "-e", optarg);
			if (r < 0)
				return r;
			break;
		case 'l':
			printf("tini personality of cinit %s. tini is MIT licensed; cinit is its "
			       "own "
			       "implementation and shares no code with it.\n",
			       PACKAGE_VERSION);
			return PARSE_EXIT;
		default:
			return option_error(o, argv, c);
		}
	}
	return optind;
}

static int parse_dumb_init(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "single-child", no_argument, NULL, 'c' },
		{ "rewrite", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	const char *v = getenv("DUMB_INIT_SETSID");
	int c, r;
	size_t i;

	if (v && strcmp(v, "0") == 0) {
		o->grouping = CHILD_SAME_PGRP;
		o->signal_group = false;
	}
	if (getenv("DUMB_INIT_DEBUG"))
		o->verbosity = LOG_LEVEL_DEBUG;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hcr:vV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help_dumb_init();
			return PARSE_EXIT;
		case 'c':
			o->grouping = CHILD_SAME_PGRP;
			o->signal_group = false;
			break;
		case 'r':
			r = parse_rewrite(o, "--rewrite", optarg);
			if (r < 0)
				return r;
			break;
		case 'v':
			o->verbosity = LOG_LEVEL_DEBUG;
			break;
		case 'V':
			print_version(o);
			return PARSE_EXIT;
		default:
			return option_error(o, argv, c);
		}
	}
	/* In setsid mode the child's session has no terminal job control of its own, so dumb-init
	 * turns the job-control stops into SIGSTOP unless the user rewrote them. */
	if (o->grouping == CHILD_OWN_SESSION) {
		static const int tty_signals[] = { SIGTSTP, SIGTTOU, SIGTTIN };
		for (i = 0; i < ELEMENTSOF(tty_signals); i++)
			if (!o->rewrite_set[tty_signals[i]])
				o->rewrite[tty_signals[i]] = SIGSTOP;
	}
	return optind;
}

enum {
	OPT_SETSID = 0x100,
	OPT_TINI,
	OPT_DUMB_INIT,
	OPT_RUNTIME_DIR,
	OPT_CGROUP,
};

static int parse_cinit(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "process-group", no_argument, NULL, 'g' },
		{ "setsid", no_argument, NULL, OPT_SETSID },
		{ "rewrite", required_argument, NULL, 'r' },
		{ "pdeath-signal", required_argument, NULL, 'p' },
		{ "remap-exit", required_argument, NULL, 'e' },
		{ "stop-timeout", required_argument, NULL, 't' },
		{ "subreaper", no_argument, NULL, 's' },
		{ "warn-reap", no_argument, NULL, 'w' },
		{ "tini", no_argument, NULL, OPT_TINI },
		{ "dumb-init", no_argument, NULL, OPT_DUMB_INIT },
		{ "units", required_argument, NULL, 'u' },
		{ "runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{},
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hVvgr:p:e:t:swu:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help_cinit();
			return PARSE_EXIT;
		case 'V':
			print_version(o);
			return PARSE_EXIT;
		case 'v':
			o->verbosity++;
			break;
		case 'g':
			o->signal_group = true;
			break;
		case OPT_SETSID:
			o->grouping = CHILD_OWN_SESSION;
			o->signal_group = true;
			break;
		case 'r':
			r = parse_rewrite(o, "--rewrite", optarg);
			if (r < 0)
				return r;
			break;
		case 'p':
			r = parse_signal_option(o, "--pdeath-signal", optarg, &o->pdeath_signal);
			if (r < 0)
				return r;
			break;
		case 'e':
			r = parse_exit_code_option(o, "--remap-exit", optarg);
			if (r < 0)
				return r;
			break;
		case 't':
			r = value_parse_duration(optarg, &o->stop_timeout_usec);
			if (r < 0)
				return value_error(o, "--stop-timeout", optarg, VALUE_DURATION, r);
			break;
		case 's':
			o->subreaper_requested = true;
			break;
		case 'w':
			o->warn_reap = true;
			break;
		case 'u':
			if (!optarg[0])
				return usage_error(o, "--units: the directory is empty");
			o->units_dir = optarg;
			break;
		case OPT_RUNTIME_DIR:
			if (optarg[0] != '/')
				return usage_error(
					o, "--runtime-dir: \"%s\" is not an absolute path", optarg);
			o->runtime_dir = optarg;
			break;
		case OPT_CGROUP:
			if (optarg[0] != '/')
				return usage_error(o, "--cgroup: \"%s\" is not an absolute path",
						   optarg);
			o->cgroup_path = optarg;
			break;
		case OPT_TINI:
		case OPT_DUMB_INIT:
			return usage_error(o, "%s must be the first option", argv[optind - 1]);
		default:
			return option_error(o, argv, c);
		}
	}
	return optind;
}

int options_parse(int argc, char **argv, struct options *o)
{
	const char *name = argc > 0 ? util_basename(argv[0]) : "cinit";
	enum personality personality = PERSONALITY_CINIT;
	int first;

	if (strncmp(name, "tini", 4) == 0)
		personality = PERSONALITY_TINI;
	else if (strncmp(name, "dumb-init", 9) == 0)
		personality = PERSONALITY_DUMB_INIT;
	/* --tini / --dumb-init as the first argument: the personality without a link. */
	if (argc > 1 && strcmp(argv[1], "--tini") == 0)
		personality = PERSONALITY_TINI;
	else if (argc > 1 && strcmp(argv[1], "--dumb-init") == 0)
		personality = PERSONALITY_DUMB_INIT;
	if (argc > 1 && (strcmp(argv[1], "--tini") == 0 || strcmp(argv[1], "--dumb-init") == 0)) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}

	options_defaults(o, personality);
	log_setup(options_personality_name(personality), (enum log_level)o->verbosity);

	optind = 1;
	if (personality == PERSONALITY_TINI)
		first = parse_tini(argc, argv, o);
	else if (personality == PERSONALITY_DUMB_INIT)
		first = parse_dumb_init(argc, argv, o);
	else
		first = parse_cinit(argc, argv, o);
	if (first < 0)
		return first;
	if (first == PARSE_EXIT)
		return OPTIONS_EXIT;
	log_set_level(o->verbosity);

	if (personality == PERSONALITY_CINIT) {
		const char *env = getenv("CINIT_UNITS");
		if (!o->units_dir && env && env[0])
			o->units_dir = env;
		env = getenv("CINIT_RUNTIME_DIR");
		if (!o->runtime_dir && env && env[0]) {
			if (env[0] != '/')
				return usage_error(
					o, "CINIT_RUNTIME_DIR: \"%s\" is not an absolute path",
					env);
			o->runtime_dir = env;
		}
		env = getenv("CINIT_CGROUP");
		if (!o->cgroup_path && env && env[0]) {
			if (env[0] != '/')
				return usage_error(
					o, "CINIT_CGROUP: \"%s\" is not an absolute path", env);
			o->cgroup_path = env;
		}
	}
	if (!o->runtime_dir)
		o->runtime_dir = OPTIONS_RUNTIME_DIR_DEFAULT;

	/* getopt stops at "--" and skips it; a command must follow, unless there are units. */
	if (first >= argc) {
		if (o->units_dir)
			return OPTIONS_RUN;
		return usage_error(o, "%s", "missing command: give it after \"--\"");
	}
	o->command = argv + first;
	return OPTIONS_RUN;
}
