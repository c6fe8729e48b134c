"""How runs, submits and waits behave: :class:`DispatchSettings` (``client.dispatcher.settings``).

Defaults come from the one retry policy (:mod:`schemadrive.hub.retry`). All times are in
seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..hub.retry import PAID_POST, POLL, RECONNECT

__all__ = ["DispatchSettings"]


@dataclass
class DispatchSettings:
    """How runs, submits and waits behave. All times are in seconds."""

    #: first polling interval, and the cap of its exponential backoff
    poll_interval: float = POLL.initial
    max_poll_interval: float = POLL.maximum
    #: while waiting on events, poll open jobs this often (cancelled jobs get no event)
    reconcile_interval: float = 30.0
    #: status requests sent at once when many jobs are checked (after a reconnect, or a
    #: polling round over many jobs)
    reconcile_workers: int = 8
    #: the deadline of a wait given ``timeout=None`` (pass ``math.inf`` for none at all)
    default_timeout: float = 3600.0
    #: a wait gives up (NetworkError) on a hub that has not answered at all for this long
    unreachable_timeout: float = 30.0
    #: (connect, read) for a queue submit, and for a sync run (long enough for a 15-min video)
    submit_timeout: tuple[float, float] = (5.0, 60.0)
    run_timeout: tuple[float, float] = (5.0, 960.0)
    #: sends of one paid request while the hub answers 429, and the longest Retry-After honoured
    submit_attempts: int = PAID_POST.attempts
    max_retry_after: float = PAID_POST.max_retry_after
    #: a submit starts the event stream in the background (never waiting for it), so that
    #: its jobs' completions are caught; False: the stream is opened only by a wait via
    #: events (set it when the jobs will be polled, or not waited for)
    listen: bool = True
    #: how long a wait via events waits for the stream to open before polling instead
    listen_timeout: float = 10.0
    #: the stream's read timeout (the hub sends a keep-alive every 15 s)
    events_read_timeout: float = 60.0
    reconnect_initial: float = RECONNECT.initial
    reconnect_max: float = RECONNECT.maximum
    #: failed connection attempts in a row before the listener gives up (waiters then poll),
    #: and how long after giving up a new listener may try again
    stream_failures: int = RECONNECT.attempts
    stream_retry_after: float = 300.0
    #: close the stream after this long with nothing to wait for
    idle_timeout: float = 300.0
    #: consecutive failed polls (5xx or network, after the transport's retries) tolerated
    poll_failures: int = POLL.attempts
