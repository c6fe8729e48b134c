"""Backoff schedules and deadlines: pure, with a fake clock and a fixed random source."""

from __future__ import annotations

import math

import pytest

from schemadrive.dispatch.retry import Backoff, Deadline


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(2.0, 30.0, factor=2.0, jitter=0.0)
    assert [backoff.next() for _ in range(7)] == [2, 4, 8, 16, 30, 30, 30]


def test_jitter_only_shortens_and_stays_within_its_fraction() -> None:
    low = Backoff(10.0, 10.0, jitter=0.2, random=lambda: 1.0)
    high = Backoff(10.0, 10.0, jitter=0.2, random=lambda: 0.0)
    assert low.next() == pytest.approx(8.0)
    assert high.next() == pytest.approx(10.0)


def test_retry_after_is_a_floor() -> None:
    backoff = Backoff(2.0, 30.0, jitter=0.0)
    assert backoff.next(retry_after=45.0) == 45.0
    assert backoff.next(retry_after=0.5) == pytest.approx(3.0)  # the schedule is longer


def test_reset_starts_again() -> None:
    backoff = Backoff(1.0, 60.0, factor=3.0, jitter=0.0)
    backoff.next()
    backoff.next()
    backoff.reset()
    assert backoff.next() == 1.0


def test_many_attempts_do_not_overflow() -> None:
    backoff = Backoff(1.0, 30.0, factor=10.0, jitter=0.0)
    backoff.attempts = 10_000
    assert backoff.next() == 30.0


@pytest.mark.parametrize(
    "kwargs",
    [{"initial": -1.0}, {"factor": 0.5}, {"jitter": 1.5}],
    ids=["negative", "factor", "jitter"],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


def test_a_deadline_counts_down_on_its_clock() -> None:
    clock = FakeClock()
    deadline = Deadline(10.0, clock=clock)
    assert deadline.remaining() == 10.0 and not deadline.expired
    clock.now += 4
    assert deadline.remaining() == 6.0
    assert deadline.clamp(30.0) == 6.0
    assert deadline.elapsed() == 4.0
    clock.now += 6
    assert deadline.expired and deadline.remaining() == 0.0 and deadline.clamp(5.0) == 0.0


def test_an_infinite_deadline_never_expires() -> None:
    clock = FakeClock()
    deadline = Deadline(math.inf, clock=clock)
    clock.now += 1e9
    assert not deadline.expired and deadline.clamp(5.0) == 5.0


def test_a_negative_timeout_is_refused() -> None:
    with pytest.raises(ValueError):
        Deadline(-1.0)


# -- the one retry policy (schemadrive.hub.retry) -------------------------------------------


def test_the_http_policy_never_retries_a_post() -> None:
    from schemadrive.hub.retry import HTTP

    retry = HTTP.urllib3_retry()
    assert retry.is_retry("GET", 503) and retry.is_retry("DELETE", 429)
    assert not retry.is_retry("POST", 503) and not retry.is_retry("POST", 429)
    assert retry.other == 0  # an error after the body left is never retried, for any method


def test_retries_are_bounded_by_the_current_deadline() -> None:
    from urllib3 import HTTPResponse

    from schemadrive.hub.retry import HTTP, within

    clock = FakeClock()
    retry = HTTP.urllib3_retry().new(total=5)  # as urllib3 copies it between tries
    asks_for_20 = HTTPResponse(status=503, headers={"Retry-After": "20"})
    assert retry.get_retry_after(asks_for_20) == HTTP.max_retry_after  # no deadline: capped
    deadline = Deadline(2.0, clock=clock)
    with within(deadline):
        assert retry.get_retry_after(asks_for_20) == 2.0  # never past the deadline
        clock.now += 1.5
        assert retry.get_retry_after(asks_for_20) == pytest.approx(0.5)
        assert not retry.is_exhausted()
        clock.now += 0.5
        assert retry.is_exhausted()  # no try starts after the deadline
    assert not retry.is_exhausted()  # outside the block the deadline no longer applies


def test_an_outer_earlier_deadline_stays_in_force() -> None:
    from schemadrive.hub.retry import current_deadline, within

    clock = FakeClock()
    outer, inner = Deadline(1.0, clock=clock), Deadline(10.0, clock=clock)
    with within(outer), within(inner):
        assert current_deadline() is outer
    assert current_deadline() is None


def test_sooner_takes_the_earlier_of_two_deadlines() -> None:
    clock = FakeClock()
    deadline = Deadline(10.0, clock=clock)
    assert deadline.sooner(20.0) is deadline
    assert deadline.sooner(3.0).remaining() == 3.0
    assert math.isinf(Deadline(math.inf, clock=clock).sooner(math.inf).remaining())
