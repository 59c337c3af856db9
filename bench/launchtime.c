/* bench/launchtime: the round-robin and memory measurements of bench/launchers.
 *
 *   launchtime rr ROUNDS WARMUP RAWFILE  NAME CMD [ARG...] [::: NAME CMD [ARG...]]...
 *	Runs every command once per round, ROUNDS times after WARMUP untimed rounds, the
 *	order rotated by one each round (round r starts with command r mod n). Each run is
 *	timed with CLOCK_MONOTONIC from just before posix_spawn to the return of waitpid
 *	(stdin and stdout /dev/null, stderr inherited), as hyperfine -N does. Appends
 *	"NAME<TAB>ROUND<TAB>MS" per run to RAWFILE and prints, per command,
 *	"NAME<TAB>median_ms<TAB>min_ms<TAB>runs<TAB>failures". A command that exits non-zero
 *	counts as a failure and its time is not used.
 *
 *   launchtime rss DELAY_MS REPS EXCLUDE_COMM  NAME CMD [ARG...] [::: NAME CMD [ARG...]]...
 *	Starts each command REPS times (round-robin), reads /proc/PID/status of the started
 *	process DELAY_MS later, and walks its descendants (/proc/PID/task/TID/children):
 *	processes whose comm is EXCLUDE_COMM (the payload) are left out, the others are the
 *	launcher's own. Prints per command the medians over the repetitions:
 *	"NAME<TAB>vmrss_kib<TAB>vmhwm_kib<TAB>tree_rss_kib<TAB>tree_procs<TAB>failures"
 *	(tree: VmRSS summed over the started process and its non-payload descendants).
 *
 * Exit status 0 if every command succeeded every time, 1 otherwise, 2 on usage errors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct command {
	const char *name;
	char **argv;
	double *samples; /* rr: ms; rss: one of the arrays below */
	long *rss, *hwm, *tree_rss, *tree_n;
	int n, failures;
};

static struct command *commands;
static int n_commands;
static posix_spawn_file_actions_t actions;

static int usage(void)
{
	fprintf(stderr, "usage: launchtime rr ROUNDS WARMUP RAWFILE NAME CMD [ARG...] [::: NAME "
			"CMD...]...\n"
			"       launchtime rss DELAY_MS REPS EXCLUDE_COMM NAME CMD [ARG...] [::: "
			"...]...\n");
	return 2;
}

/* Splits argv at ":::" into commands (NAME CMD ARG...); the separators become NULLs. */
static int parse_commands(int argc, char **argv, int reps)
{
	commands = calloc((size_t)argc, sizeof(*commands));
	if (!commands)
		return -1;
	int i = 0;
	while (i < argc) {
		int start = i;
		while (i < argc && strcmp(argv[i], ":::") != 0)
			i++;
		if (i - start < 2)
			return -1;
		struct command *c = &commands[n_commands++];
		c->name = argv[start];
		c->argv = argv + start + 1;
		c->samples = calloc((size_t)reps, sizeof(double));
		c->rss = calloc((size_t)reps, sizeof(long));
		c->hwm = calloc((size_t)reps, sizeof(long));
		c->tree_rss = calloc((size_t)reps, sizeof(long));
		c->tree_n = calloc((size_t)reps, sizeof(long));
		if (!c->samples || !c->rss || !c->hwm || !c->tree_rss || !c->tree_n)
			return -1;
		if (i < argc)
			argv[i++] = NULL;
	}
	return n_commands > 0 ? 0 : -1;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static pid_t start(struct command *c)
{
	pid_t pid;
	int r = posix_spawnp(&pid, c->argv[0], &actions, NULL, c->argv, environ);
	if (r != 0) {
		fprintf(stderr, "launchtime: %s: cannot start %s: %s\n", c->name, c->argv[0],
			strerror(r));
		return -1;
	}
	return pid;
}

/* Waits for PID; returns 0 if it exited 0. */
static int finish(struct command *c, pid_t pid)
{
	int status;
	pid_t w;
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		fprintf(stderr, "launchtime: %s: waitpid: %s\n", c->name, strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "launchtime: %s: exit status %d\n", c->name, WEXITSTATUS(status));
	else
		fprintf(stderr, "launchtime: %s: killed by signal %d\n", c->name,
			WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static double median_double(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long median_long(long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_long);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int mode_rr(int rounds, int warmup, const char *rawfile)
{
	FILE *raw = fopen(rawfile, "a");
	if (!raw) {
		fprintf(stderr, "launchtime: %s: %s\n", rawfile, strerror(errno));
		return 2;
	}
	for (int round = -warmup; round < rounds; round++) {
		/* Rotated: round r starts at command r mod n, so that every launcher follows
		 * every other one equally often (what the one before leaves behind, e.g. cgroups
		 * being torn down, falls on all alike). */
		int first = ((round % n_commands) + n_commands) % n_commands;
		for (int k = 0; k < n_commands; k++) {
			struct command *c = &commands[(first + k) % n_commands];
			double t0 = now_ms();
			pid_t pid = start(c);
			int ok = pid > 0 && finish(c, pid) == 0;
			double ms = now_ms() - t0;
			if (round < 0)
				continue;
			if (!ok) {
				c->failures++;
				fprintf(raw, "%s\t%d\tfailed\n", c->name, round + 1);
				continue;
			}
			c->samples[c->n++] = ms;
			fprintf(raw, "%s\t%d\t%.4f\n", c->name, round + 1, ms);
		}
	}
	fclose(raw);
	int rc = 0;
	for (int i = 0; i < n_commands; i++) {
		struct command *c = &commands[i];
		if (c->failures)
			rc = 1;
		if (c->n == 0) {
			printf("%s\t-\t-\t0\t%d\n", c->name, c->failures);
			continue;
		}
		double med = median_double(c->samples, c->n);
		printf("%s\t%.3f\t%.3f\t%d\t%d\n", c->name, med, c->samples[0], c->n, c->failures);
	}
	return rc;
}

/* "VmRSS:  1234 kB" and "VmHWM:" of /proc/PID/status; -1 when missing. */
static void read_status(pid_t pid, long *rss, long *hwm)
{
	char path[64], line[256];
	*rss = *hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static int is_comm(pid_t pid, const char *comm)
{
	char path[64], buf[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, comm) == 0;
}

/* VmRSS of PID (unless it is the payload) plus that of its descendants, recursively. */
static void walk_tree(pid_t pid, const char *exclude, long *sum, long *count, int depth)
{
	if (depth > 32)
		return;
	if (!is_comm(pid, exclude)) {
		long rss, hwm;
		read_status(pid, &rss, &hwm);
		if (rss >= 0) {
			*sum += rss;
			(*count)++;
		}
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char cpath[320];
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)pid, e->d_name);
		FILE *f = fopen(cpath, "r");
		if (!f)
			continue;
		int child;
		while (fscanf(f, "%d", &child) == 1)
			walk_tree(child, exclude, sum, count, depth + 1);
		fclose(f);
	}
	closedir(d);
}

static int mode_rss(long delay_ms, int reps, const char *exclude)
{
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < n_commands; i++) {
			struct command *c = &commands[i];
			pid_t pid = start(c);
			if (pid < 0) {
				c->failures++;
				continue;
			}
			sleep_ms(delay_ms);
			long rss, hwm, sum = 0, count = 0;
			read_status(pid, &rss, &hwm);
			walk_tree(pid, exclude, &sum, &count, 0);
			if (finish(c, pid) < 0 || rss < 0) {
				c->failures++;
				continue;
			}
			c->rss[c->n] = rss;
			c->hwm[c->n] = hwm;
			c->tree_rss[c->n] = sum;
			c->tree_n[c->n] = count;
			c->n++;
		}
	}
	int rc = 0;
	for (int i = 0; i < n_commands; i++) {
		struct command *c = &commands[i];
		if (c->failures)
			rc = 1;
		if (c->n == 0) {
			printf("%s\t-\t-\t-\t-\t%d\n", c->name, c->failures);
			continue;
		}
		printf("%s\t%ld\t%ld\t%ld\t%ld\t%d\n", c->name, median_long(c->rss, c->n),
		       median_long(c->hwm, c->n), median_long(c->tree_rss, c->n),
		       median_long(c->tree_n, c->n), c->failures);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 7)
		return usage();
	const char *mode = argv[1];
	long a = strtol(argv[2], NULL, 10), b = strtol(argv[3], NULL, 10);
	if (a < 0 || b < 0 || b > 1000000 || (strcmp(mode, "rr") == 0 && a > 1000000))
		return usage();
	int reps = strcmp(mode, "rr") == 0 ? (int)a : (int)b;
	if (reps < 1 || parse_commands(argc - 5, argv + 5, reps) < 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (posix_spawn_file_actions_init(&actions) != 0 ||
	    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) != 0)
		return 2;
	if (strcmp(mode, "rr") == 0)
		return mode_rr((int)a, (int)b, argv[4]);
	if (strcmp(mode, "rss") == 0)
		return mode_rss(a, (int)b, argv[4]);
	return usage();
}
