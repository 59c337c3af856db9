/* The dependency graph of services: ordering (After=/Before=) and requirement
 * (Requires=/Wants=/BindsTo=/Conflicts=) edges between units named by strings. It answers what
 * the supervisor asks — what may start now, what must stop with what, in which order to stop
 * — and finds ordering cycles, naming them. It starts nothing itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct deps;

enum deps_kind {
	DEPS_AFTER,	/* A After= B: A starts after B has started, stops before B stops */
	DEPS_BEFORE,	/* A Before= B == B After= A */
	DEPS_REQUIRES,	/* A needs B: B is started with A; B failing or stopping stops A */
	DEPS_WANTS,	/* B is started with A; B failing does not affect A */
	DEPS_BINDS_TO,	/* as REQUIRES, and B stopping for any reason stops A */
	DEPS_CONFLICTS, /* starting A stops B and vice versa */
};

int deps_new(struct deps **ret);
void deps_free(struct deps *deps);

/* Adds a unit (idempotent). Returns its index (>= 0) or -ENOMEM. */
int deps_add_unit(struct deps *deps, const char *name);
/* Adds "from KIND to" (both added as units if new). */
int deps_add(struct deps *deps, const char *from, enum deps_kind kind, const char *to);

size_t deps_count(const struct deps *deps);
const char *deps_name(const struct deps *deps, size_t index);
/* Index of name, or -ENOENT. */
int deps_find(const struct deps *deps, const char *name);

/* Checks ordering edges for cycles. Returns 0, or -ELOOP with the cycle written into buf as
 * "a.service -> b.service -> a.service" (one of them, deterministic: the first found starting
 * from units in insertion order). */
int deps_check_cycles(const struct deps *deps, char *buf, size_t size);

/* Start order: fills order[] (deps_count() entries) so that every unit comes after all units it
 * is ordered after; independent units keep insertion order. And level[i]: the length of the
 * longest ordering chain below unit i, so units with equal level may start in parallel once
 * the lower levels are up. Returns 0 or -ELOOP. Stop order is the reverse. */
int deps_start_order(const struct deps *deps, size_t *order, unsigned *level);

/* Units that must start before unit i may start (its After= targets), for the supervisor to
 * wait on: calls fn for each. */
int deps_foreach(const struct deps *deps, size_t index, enum deps_kind kind,
		 int (*fn)(size_t other, void *data), void *data);

/* Units that must stop when unit i stops, as systemd decides it, each once, transitively:
 * - explicit_stop (cinit stops i, or i failed to start): every unit that Requires= or
 *   BindsTo= i;
 * - otherwise (i exited or died on its own): only units that BindsTo= i.
 * Units stopped that way are then stopped explicitly, so from the second hop on both kinds
 * propagate. fn is called for each affected unit (never for i itself). */
int deps_foreach_affected(const struct deps *deps, size_t index, bool explicit_stop,
			  int (*fn)(size_t other, void *data), void *data);
