"""Sending a request that creates paid work, at most once.

The hub has no idempotency key (docs/hub-contract.md §1, §12), so a POST that may have reached it is
never sent again: a second send could pay for a second generation. What happens to each
failure:

==============================================  ==============================================
connection refused, name not resolved,          certainly not sent: urllib3's connect retries
connect timeout (no TCP connection)             resend it (safe, it never left); when they run
                                                out, NetworkError ("nothing was submitted")
429 Too Many Requests                           the hub refused it: wait ``Retry-After`` (or a
                                                backoff) and resend, at most ``attempts`` sends;
                                                then RateLimited (nothing was created)
3xx, 4xx                                        the hub refused it: HubError (nothing created)
5xx, read timeout, connection reset or closed   it may have been acted on: SubmitUncertain,
after sending, a 2xx whose reply is unreadable  never resent
==============================================  ==============================================

SubmitUncertain says what is known, when the request was sent, and how to look for the job.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import HubError, NetworkError, SchemadriveError, SubmitUncertain
from ..hub.replies import excerpt, loads, parse_retry_after
from ..hub.retry import PAID_POST, Backoff

if TYPE_CHECKING:
    from ..hub.transport import Transport
    from ..schema.problems import Problem

__all__ = ["generations_problem", "not_sent", "post_paid"]

log = logging.getLogger("schemadrive")

T = TypeVar("T")


def generations_problem(value: Any, limit: int) -> Problem | None:
    """The problem with a payload's ``num_generations`` (None when it is 1..``limit``, the
    hub's limit per request: 4 on Oxen), found before anything is sent."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= limit:
        return None
    from ..schema.problems import Problem

    whole = isinstance(value, int) and not isinstance(value, bool)
    return Problem(
        "$.num_generations",
        "maximum" if whole and value > limit else "minimum" if whole else "type",
        f"num_generations must be a whole number from 1 to {limit} (the hub's limit per "
        f"request), not {value!r}",
        hint=f"for more, use submit_many(model, payload, count=N): one request per {limit} jobs",
    )


def not_sent(error: BaseException) -> bool:
    """True when a NetworkError certainly happened before the request left (no connection)."""
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    cause = error.__cause__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.ConnectionError) and cause.args:
        reason: Any = cause.args[0]
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        # NewConnectionError covers refused connections and unresolvable names
        return isinstance(reason, NewConnectionError)
    return False


def _uncertain(
    what: str, *, model_id: str, sent_at: float, check: str, cause: BaseException | None = None
) -> SubmitUncertain:
    when = datetime.datetime.fromtimestamp(sent_at, tz=datetime.timezone.utc)
    stamp = when.isoformat(timespec="seconds").replace("+00:00", "Z")
    error = SubmitUncertain(
        f"the request for {model_id} may or may not have created a paid job: {what}. "
        f"It was sent at {stamp} and will not be sent again (a second send could pay twice). "
        f"Before submitting again, look for a job of {model_id} created at about that time: "
        f"{check}.",
        model_id=model_id,
        submitted_at=sent_at,
        check=check,
    )
    error.__cause__ = cause
    return error


def post_paid(
    transport: Transport,
    path: str,
    body: dict[str, Any],
    *,
    model_id: str,
    parse: Callable[[Any], T],
    check: str,
    timeout: tuple[float, float],
    attempts: int = 5,
    max_retry_after: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
    backoff: Backoff | None = None,
) -> T:
    """POST ``body`` to ``path`` at most once per hub action; ``parse`` the JSON reply.

    ``check`` tells the user how to look for the job if the outcome is uncertain.
    Raises SubmitUncertain, RateLimited, HubError (and subclasses) or NetworkError.
    """
    backoff = backoff or PAID_POST.backoff()
    for attempt in range(1, max(1, attempts) + 1):
        sent_at = time.time()
        try:
            response = transport.send(
                "POST", path, json=body, timeout=timeout, allow_redirects=False
            )
        except NetworkError as exc:
            if not_sent(exc):
                raise NetworkError(
                    f"{exc}; nothing was submitted, it is safe to try again"
                ) from exc
            raise _uncertain(
                f"{exc} (after the request was sent)",
                model_id=model_id,
                sent_at=sent_at,
                check=check,
                cause=exc,
            ) from exc
        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt < attempts and (retry_after is None or retry_after <= max_retry_after):
                delay = backoff.next(retry_after)
                response.close()
                log.debug(
                    "POST %s -> 429; nothing was created; sending again in %.1f s", path, delay
                )
                sleep(delay)
                continue
            transport.check(response)  # RateLimited: the hub refused, nothing was created
        if status >= 500:
            text = transport.text(response) if response.content else ""
            cause = HubError(f"POST {path} -> {status}", status=status, excerpt=excerpt(text))
            raise _uncertain(
                f"the hub answered {status} {response.reason or ''}".rstrip()
                + (f" ({excerpt(text, 80)})" if text else ""),
                model_id=model_id,
                sent_at=sent_at,
                check=check,
                cause=cause,
            ) from cause
        if status >= 300:
            if status < 400:
                where = response.headers.get("Location", "elsewhere")
                raise HubError(
                    f"POST {path} was redirected ({status}) to {excerpt(where, 120)}; nothing was "
                    "submitted: check the base URL",
                    status=status,
                )
            transport.check(response)  # a refusal: nothing was created
        try:
            reply = loads(response.content)
            return parse(reply)
        except (ValueError, TypeError, SchemadriveError) as exc:
            raise _uncertain(
                f"the hub answered {status} but its reply could not be read ({exc})",
                model_id=model_id,
                sent_at=sent_at,
                check=check,
                cause=exc,
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
