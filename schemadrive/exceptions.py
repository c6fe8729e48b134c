"""Every error schemadrive raises, under one root.

::

    SchemadriveError
    ├── ConfigurationError (ValueError)       bad argument, flag or setting
    ├── OfflineError                          the network is needed but offline mode is on
    ├── SchemaError
    │   ├── SchemaInvalid (ValueError)        the schema fails its metaschema, or cannot be read
    │   └── SchemaUnavailable (LookupError)   the model publishes no request schema (chat models)
    ├── PayloadInvalid (ValueError)           .problems: every Problem found in a payload
    ├── HubError                              .status, .excerpt, .url: the hub answered an error
    │   ├── AuthenticationError               401/403: a missing or wrong API key
    │   ├── ModelNotFound (LookupError)       .model_id, .suggestions
    │   ├── JobNotFound (LookupError)         .generation_id
    │   └── RateLimited                       .retry_after (seconds or None)
    ├── NetworkError (ConnectionError)        the hub could not be reached, or the connection broke
    │   └── StreamError                       the event stream failed and could not be resumed
    ├── SubmitUncertain                       a paid submit may or may not have reached the hub
    ├── DownloadError (OSError)               a result could not be downloaded or saved intact
    └── JobError                              .generation_id, .model
        ├── JobFailed                         .message: the hub's error message
        ├── JobCancelled
        └── JobTimeout (TimeoutError)         the deadline passed; the job may still be running

Messages never contain the API key: errors are built from status codes, URLs without
credentials and short excerpts of the hub's reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema.compile import Problem

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DownloadError",
    "HubError",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "JobNotFound",
    "JobTimeout",
    "ModelNotFound",
    "NetworkError",
    "OfflineError",
    "PayloadInvalid",
    "RateLimited",
    "SchemaError",
    "SchemaInvalid",
    "SchemaUnavailable",
    "SchemadriveError",
    "StreamError",
    "SubmitUncertain",
]


class SchemadriveError(Exception):
    """Root of every error raised by schemadrive."""


class ConfigurationError(SchemadriveError, ValueError):
    """An argument, flag, environment variable or config file is not usable."""


class OfflineError(SchemadriveError):
    """The operation needs the network, but the client is in offline mode."""


class SchemaError(SchemadriveError):
    """A problem with a request schema itself (not with a payload)."""


class SchemaInvalid(SchemaError, ValueError):
    """The schema fails its dialect's metaschema or cannot be compiled.

    ``errors`` holds one human-readable line per problem found.
    """

    def __init__(self, message: str, *, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class SchemaUnavailable(SchemaError, LookupError):
    """The model publishes no request schema (for example a chat model)."""

    def __init__(self, message: str, *, model_id: str | None = None) -> None:
        super().__init__(message)
        self.model_id = model_id


class PayloadInvalid(SchemadriveError, ValueError):
    """A payload breaks its model's schema. ``problems`` lists every problem at once."""

    def __init__(self, problems: Sequence[Problem], *, model_id: str | None = None) -> None:
        self.problems = list(problems)
        self.model_id = model_id
        where = f" for {model_id}" if model_id else ""
        count = len(self.problems)
        lines = [f"payload is invalid{where} ({count} problem{'s' if count != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> list[Problem]:
        """Alias of ``problems``."""
        return self.problems


class HubError(SchemadriveError):
    """The hub answered with an error, or with something that is not the documented reply.

    ``status`` is the HTTP status (None when there was no reply), ``excerpt`` a short,
    single-line excerpt of the body, ``url`` the request URL (credentials are never in it).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        excerpt: str | None = None,
        url: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.excerpt = excerpt
        self.url = url
        self.body = body


class AuthenticationError(HubError):
    """The hub rejected the API key (or none was given)."""


class ModelNotFound(HubError, LookupError):
    """No model with this id. ``suggestions`` holds close matches when they could be found."""

    def __init__(
        self,
        model_id: str,
        *,
        suggestions: Sequence[str] = (),
        status: int | None = 404,
        url: str | None = None,
        detail: str | None = None,
    ) -> None:
        message = f"model not found: {model_id!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        elif detail:
            message += f" ({detail})"
        super().__init__(message, status=status, url=url)
        self.model_id = model_id
        self.suggestions = list(suggestions)


class JobNotFound(HubError, LookupError):
    """The hub knows no job with this generation id."""

    def __init__(
        self,
        generation_id: str,
        *,
        status: int | None = 404,
        url: str | None = None,
        message: str | None = None,
    ) -> None:
        text = message or f"no job with generation id {generation_id!r}"
        super().__init__(text, status=status, url=url)
        self.generation_id = generation_id


class RateLimited(HubError):
    """The hub answered 429 and retries were exhausted. ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, status=429, **kwargs)
        self.retry_after = retry_after


class NetworkError(SchemadriveError, ConnectionError):
    """The hub could not be reached, or the connection broke before a reply."""


class StreamError(NetworkError):
    """The event stream failed and could not be resumed."""


class SubmitUncertain(SchemadriveError):
    """A submit that creates paid work may or may not have reached the hub.

    schemadrive never resends such a request, because the hub has no idempotency key and a
    second send could pay for the generation twice. Check ``GET /api/ai/queue`` (the
    ``schemadrive jobs`` command) for a job created at ``submitted_at`` before resubmitting.
    """

    def __init__(
        self,
        message: str,
        *,
        model_id: str | None = None,
        submitted_at: float | None = None,
        check: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model_id = model_id
        self.submitted_at = submitted_at
        self.check = check
        #: jobs created by earlier requests of the same submit_many (already paid for)
        self.jobs: list[Any] = []


class DownloadError(SchemadriveError, OSError):
    """A result file could not be downloaded intact. Nothing is left at the destination."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class JobError(SchemadriveError):
    """A queued job did not produce a result. ``generation_id`` is always set."""

    def __init__(self, message: str, *, generation_id: str, model: str | None = None) -> None:
        super().__init__(message)
        self.generation_id = generation_id
        self.model = model


class JobFailed(JobError):
    """The job failed on the hub. ``message`` is the hub's error message."""

    def __init__(self, generation_id: str, message: str | None, *, model: str | None = None):
        self.message = message or "the hub gave no reason"
        super().__init__(
            f"job {generation_id} failed: {self.message}", generation_id=generation_id, model=model
        )


class JobCancelled(JobError):
    """The job was cancelled (by this client or elsewhere)."""

    def __init__(self, generation_id: str, *, model: str | None = None) -> None:
        super().__init__(
            f"job {generation_id} was cancelled", generation_id=generation_id, model=model
        )


class JobTimeout(JobError, TimeoutError):
    """The deadline passed before the job finished.

    The job may still be running and may still be billed: keep ``generation_id`` and resume
    with ``client.job(generation_id).wait()`` or ``schemadrive wait ID``.
    """

    def __init__(
        self,
        generation_id: str,
        *,
        timeout: float | None = None,
        last_status: str | None = None,
        cancelled: bool = False,
        model: str | None = None,
    ) -> None:
        after = f" after {timeout:g} s" if timeout is not None else ""
        state = f" (last status: {last_status})" if last_status else ""
        tail = (
            "; it was cancelled"
            if cancelled
            else f"; it may still finish: resume with `schemadrive wait {generation_id}`"
        )
        super().__init__(
            f"job {generation_id} did not finish{after}{state}{tail}",
            generation_id=generation_id,
            model=model,
        )
        self.timeout = timeout
        self.last_status = last_status
        self.cancelled = cancelled
        #: with several jobs (as_completed, wait_all): every job still unfinished
        self.pending: list[Any] = []
