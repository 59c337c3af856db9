/* The service state table and the restart backoff, without starting anything. */
#include "init/service.h"

#include "common/values.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#define MS (UINT64_C(1000))

struct delay_case {
	uint64_t base, max;
	unsigned steps, restarts;
	uint64_t want;
};

/* RestartSec=, RestartMaxDelaySec=, RestartSteps=: geometric from base to max in `steps`. */
static const struct delay_case delay_cases[] = {
	{ 100 * MS, VALUE_INFINITY, 0, 0, 100 * MS }, /* no backoff */
	{ 100 * MS, VALUE_INFINITY, 0, 7, 100 * MS },
	{ 20 * MS, 160 * MS, 3, 0, 20 * MS },
	{ 20 * MS, 160 * MS, 3, 1, 40 * MS },
	{ 20 * MS, 160 * MS, 3, 2, 80 * MS },
	{ 20 * MS, 160 * MS, 3, 3, 160 * MS },
	{ 20 * MS, 160 * MS, 3, 9, 160 * MS }, /* capped */
	{ 1000 * MS, 100000 * MS, 2, 1, 10000 * MS },
	{ 0, 300 * MS, 3, 1, 100 * MS }, /* no base: linear */
	{ 0, 300 * MS, 3, 5, 300 * MS },
	{ 500 * MS, 500 * MS, 4, 2, 500 * MS },
};

ParameterizedTestParameters(service, restart_delay)
{
	return cr_make_param_array(struct delay_case, delay_cases,
				   sizeof(delay_cases) / sizeof(delay_cases[0]));
}

ParameterizedTest(const struct delay_case *c, service, restart_delay)
{
	uint64_t got = service_restart_delay(c->base, c->max, c->steps, c->restarts);
	/* Within a microsecond per millisecond: the ratio is found numerically. */
	uint64_t slack = c->want / 1000 + 1;

	cr_assert(got + slack >= c->want && got <= c->want + slack,
		  "base %llu max %llu steps %u restarts %u: got %llu, want %llu",
		  (unsigned long long)c->base, (unsigned long long)c->max, c->steps, c->restarts,
		  (unsigned long long)got, (unsigned long long)c->want);
}

Test(service, restart_delay_grows_monotonically)
{
	uint64_t last = 0;

	for (unsigned n = 0; n < 20; n++) {
		uint64_t d = service_restart_delay(100 * MS, 60000 * MS, 10, n);
		cr_assert_geq(d, last, "restart %u: %llu < %llu", n, (unsigned long long)d,
			      (unsigned long long)last);
		cr_assert_leq(d, 60000 * MS);
		last = d;
	}
	cr_assert_eq(last, 60000 * MS);
}

static bool is_inactive(enum service_state s)
{
	return s == SERVICE_DEAD || s == SERVICE_FAILED;
}

/* Invariants of the table: a stop request is never lost, a state with a process or timer of
 * its own always has a way out, nothing starts twice. */
Test(service, every_state_but_inactive_and_stopping_answers_stop)
{
	for (int s = 0; s < SERVICE_STATE_MAX; s++) {
		bool stopping = s >= SERVICE_STOP && s <= SERVICE_FINAL_SIGKILL;
		if (is_inactive(s) || stopping)
			continue;
		cr_assert(service_has_transition(s, SERVICE_EV_STOP), "state %s ignores STOP",
			  service_state_name(s));
	}
}

Test(service, states_with_timers_handle_timeouts)
{
	static const enum service_state timed[] = {
		SERVICE_START_PRE,     SERVICE_START,	  SERVICE_START_POST,
		SERVICE_RELOAD,	       SERVICE_STOP,	  SERVICE_STOP_SIGTERM,
		SERVICE_STOP_SIGKILL,  SERVICE_STOP_POST, SERVICE_FINAL_SIGTERM,
		SERVICE_FINAL_SIGKILL,
	};
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++)
		cr_assert(service_has_transition(timed[i], SERVICE_EV_TIMEOUT), "%s",
			  service_state_name(timed[i]));
	cr_assert(service_has_transition(SERVICE_AUTO_RESTART, SERVICE_EV_RESTART));
}

Test(service, states_running_control_processes_handle_their_exit)
{
	static const enum service_state control[] = {
		SERVICE_START_PRE, SERVICE_START_POST, SERVICE_RELOAD,
		SERVICE_STOP,	   SERVICE_STOP_POST,
	};
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++)
		cr_assert(service_has_transition(control[i], SERVICE_EV_CONTROL_EXIT), "%s",
			  service_state_name(control[i]));
}

Test(service, signal_rounds_end_when_processes_are_gone)
{
	static const enum service_state rounds[] = {
		SERVICE_STOP_SIGTERM,
		SERVICE_STOP_SIGKILL,
		SERVICE_FINAL_SIGTERM,
		SERVICE_FINAL_SIGKILL,
	};
	for (size_t i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
		cr_assert(service_has_transition(rounds[i], SERVICE_EV_MAIN_EXIT));
		cr_assert(service_has_transition(rounds[i], SERVICE_EV_CONTROL_EXIT));
		cr_assert(service_has_transition(rounds[i], SERVICE_EV_EMPTY));
	}
}

Test(service, only_inactive_states_accept_a_new_start)
{
	for (int s = 0; s < SERVICE_STATE_MAX; s++) {
		bool accepts = service_has_transition(s, SERVICE_EV_START);
		cr_assert(accepts == (is_inactive(s) || s == SERVICE_AUTO_RESTART),
			  "state %s: START %s", service_state_name(s),
			  accepts ? "accepted" : "ignored");
	}
	/* GO only where a start waits for it: automatic restarts wait there too. */
	for (int s = 0; s < SERVICE_STATE_MAX; s++)
		cr_assert(service_has_transition(s, SERVICE_EV_GO) == (s == SERVICE_WAITING), "%s",
			  service_state_name(s));
	cr_assert(service_has_transition(SERVICE_AUTO_RESTART, SERVICE_EV_RESTART));
}

Test(service, readiness_only_while_starting_or_reloading)
{
	for (int s = 0; s < SERVICE_STATE_MAX; s++) {
		cr_assert(service_has_transition(s, SERVICE_EV_READY) ==
				  (s == SERVICE_START || s == SERVICE_RELOAD),
			  "%s", service_state_name(s));
		cr_assert(service_has_transition(s, SERVICE_EV_EXEC_DONE) == (s == SERVICE_START),
			  "%s", service_state_name(s));
	}
}

Test(service, names)
{
	cr_assert_str_eq(service_state_name(SERVICE_STOP_SIGTERM), "stop-sigterm");
	cr_assert_str_eq(service_state_name(SERVICE_AUTO_RESTART), "auto-restart");
	cr_assert_str_eq(service_result_name(SERVICE_FAILURE_START_LIMIT), "start-limit-hit");
	cr_assert_str_eq(service_result_name(SERVICE_FAILURE_EXIT_CODE), "exit-code");
}
