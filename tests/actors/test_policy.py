"""The restart policy as a table (after OTP's supervisor_SUITE): restart type x exit kind, then intensity."""

from __future__ import annotations

import pytest

from quizbot.actors.policy import Action, ExitKind, RestartHistory, RestartPolicy, RestartType

P, T, X = RestartType.PERMANENT, RestartType.TRANSIENT, RestartType.TEMPORARY

TABLE: list[tuple[RestartType, ExitKind, Action]] = [
    (P, ExitKind.NORMAL, Action.RESTART),
    (P, ExitKind.CRASH, Action.RESTART),
    (P, ExitKind.SHUTDOWN, Action.REMOVE),
    (T, ExitKind.NORMAL, Action.REMOVE),
    (T, ExitKind.CRASH, Action.RESTART),
    (T, ExitKind.SHUTDOWN, Action.REMOVE),
    (X, ExitKind.NORMAL, Action.REMOVE),
    (X, ExitKind.CRASH, Action.REMOVE),
    (X, ExitKind.SHUTDOWN, Action.REMOVE),
]


def intensity(max_restarts: int = 3, within_seconds: float = 60.0) -> RestartPolicy:
    """A transient policy with the given intensity."""
    return RestartPolicy(RestartType.TRANSIENT, max_restarts=max_restarts, within_seconds=within_seconds)


def crash_at(history: RestartHistory, policy: RestartPolicy, *times: float) -> list[Action]:
    """The decisions for crashes at each of `times`, in order."""
    return [history.decide(policy, ExitKind.CRASH, now) for now in times]


def test_table_covers_every_restart_type_and_exit_kind() -> None:
    """The table below has exactly one row for each of the nine combinations."""
    assert {(restart, kind) for restart, kind, _ in TABLE} == {(r, k) for r in RestartType for k in ExitKind}
    assert len(TABLE) == len(RestartType) * len(ExitKind)


@pytest.mark.parametrize(("restart", "exit_kind", "action"), TABLE, ids=str)
def test_first_exit_decision(restart: RestartType, exit_kind: ExitKind, action: Action) -> None:
    """With no earlier restarts, the decision is the table's action for this restart type and exit."""
    policy = RestartPolicy(restart)
    assert RestartHistory().decide(policy, exit_kind, now=0.0) is action


@pytest.mark.parametrize(("restart", "exit_kind", "action"), TABLE, ids=str)
def test_wants_restart_matches_the_table(restart: RestartType, exit_kind: ExitKind, action: Action) -> None:
    """wants_restart is True exactly where the table says RESTART."""
    assert RestartPolicy(restart).wants_restart(exit_kind) is (action is Action.RESTART)


def test_default_policy() -> None:
    """Defaults: transient, at most 3 restarts in 60 s, and a message is poison after 2 crashes."""
    policy = RestartPolicy()
    assert policy.restart is RestartType.TRANSIENT
    assert (policy.max_restarts, policy.within_seconds, policy.poison_after) == (3, 60.0, 2)


def test_restarts_up_to_the_intensity_are_allowed() -> None:
    """Three crashes within 60 s, with max_restarts=3, are all restarted."""
    assert crash_at(RestartHistory(), intensity(), 0.0, 10.0, 20.0) == [Action.RESTART] * 3


def test_one_crash_past_the_intensity_gives_up() -> None:
    """The fourth crash within 60 s, with max_restarts=3, is GIVE_UP."""
    history = RestartHistory()
    assert crash_at(history, intensity(), 0.0, 10.0, 20.0, 30.0)[-1] is Action.GIVE_UP


def test_giving_up_is_not_recorded_as_a_restart() -> None:
    """A GIVE_UP decision leaves the restart history as it was."""
    history = RestartHistory()
    crash_at(history, intensity(), 0.0, 10.0, 20.0)
    assert crash_at(history, intensity(), 30.0) == [Action.GIVE_UP]
    assert list(history.times) == [0.0, 10.0, 20.0]


def test_crashes_spread_beyond_the_window_keep_restarting() -> None:
    """Crashes 25 s apart never put more than 3 restarts in 60 s, so twenty of them all restart."""
    times = [25.0 * i for i in range(20)]
    assert crash_at(RestartHistory(), intensity(), *times) == [Action.RESTART] * 20


def test_a_restart_just_older_than_the_window_no_longer_counts() -> None:
    """A fourth crash just over 60 s after the first restarts, because the first has left the window."""
    actions = crash_at(RestartHistory(), intensity(), 0.0, 20.0, 40.0, 60.5)
    assert actions == [Action.RESTART] * 4


def test_a_restart_exactly_at_the_window_edge_still_counts() -> None:
    """The window is inclusive: a restart exactly 60 s old still counts toward the intensity."""
    actions = crash_at(RestartHistory(), intensity(), 0.0, 20.0, 40.0, 60.0)
    assert actions == [Action.RESTART, Action.RESTART, Action.RESTART, Action.GIVE_UP]


def test_history_forgets_restarts_older_than_the_window() -> None:
    """After a quiet spell, old restarts are dropped and only the new one is remembered."""
    history = RestartHistory()
    crash_at(history, intensity(), 0.0, 10.0, 20.0)
    assert crash_at(history, intensity(), 100.0) == [Action.RESTART]
    assert list(history.times) == [100.0]


def test_a_burst_after_a_quiet_spell_gets_the_full_intensity_again() -> None:
    """Once the window has passed, a fresh burst is allowed max_restarts restarts before giving up."""
    history = RestartHistory()
    crash_at(history, intensity(), 0.0, 1.0, 2.0)
    actions = crash_at(history, intensity(), 200.0, 201.0, 202.0, 203.0)
    assert actions == [Action.RESTART, Action.RESTART, Action.RESTART, Action.GIVE_UP]


def test_zero_max_restarts_gives_up_on_the_first_crash() -> None:
    """With max_restarts=0 the very first crash is GIVE_UP."""
    assert crash_at(RestartHistory(), intensity(max_restarts=0), 0.0) == [Action.GIVE_UP]


def test_exits_that_are_not_restarted_do_not_use_up_the_intensity() -> None:
    """REMOVE decisions (a transient child's normal exits) are not recorded as restarts."""
    history = RestartHistory()
    policy = intensity()
    for now in (0.0, 1.0, 2.0, 3.0, 4.0):
        assert history.decide(policy, ExitKind.NORMAL, now) is Action.REMOVE
    assert not history.times
    assert crash_at(history, policy, 5.0, 6.0, 7.0) == [Action.RESTART] * 3


def test_shutdown_never_restarts_even_with_intensity_to_spare() -> None:
    """A permanent child with an empty history is still removed on shutdown."""
    history = RestartHistory()
    assert history.decide(RestartPolicy(RestartType.PERMANENT), ExitKind.SHUTDOWN, 0.0) is Action.REMOVE
    assert not history.times


def test_each_child_has_its_own_history() -> None:
    """Restarts recorded for one child do not count against another."""
    busy, quiet = RestartHistory(), RestartHistory()
    crash_at(busy, intensity(), 0.0, 1.0, 2.0)
    assert crash_at(busy, intensity(), 3.0) == [Action.GIVE_UP]
    assert crash_at(quiet, intensity(), 3.0) == [Action.RESTART]
