"""schemadrive: a schema-driven client for generative-model hubs.

For any model id, schemadrive fetches the model's request schema, caches it, validates
payloads and fills their defaults before anything is sent or paid for, and runs the model in
sync or queue mode. Names are imported on first use, so ``import schemadrive`` stays fast.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

    from .aio.client import AsyncClient
    from .client import Client
    from .dispatch.job import Job
    from .dispatch.results import Result
    from .exceptions import (
        AuthenticationError,
        ConfigurationError,
        DownloadError,
        HubError,
        JobCancelled,
        JobError,
        JobFailed,
        JobNotFound,
        JobTimeout,
        ModelNotFound,
        NetworkError,
        OfflineError,
        PayloadInvalid,
        RateLimited,
        SchemadriveError,
        SchemaError,
        SchemaInvalid,
        SchemaUnavailable,
        StreamError,
        SubmitUncertain,
    )
    from .hub.status import JobState, Status
    from .linting import Finding, lint
    from .linting.drift import Change, diff, recheck
    from .model import Model
    from .schema.compile import compile_schema, fill_defaults, prepare, validate
    from .schema.parameters import Parameter
    from .schema.problems import Problem
    from .tables import validate_table

__version__ = "0.1.0"

_EXPORTS = {
    "AsyncClient": "aio.client",
    "AuthenticationError": "exceptions",
    "Change": "linting.drift",
    "Client": "client",
    "ConfigurationError": "exceptions",
    "DownloadError": "exceptions",
    "Finding": "linting",
    "HubError": "exceptions",
    "JobCancelled": "exceptions",
    "JobError": "exceptions",
    "JobFailed": "exceptions",
    "JobNotFound": "exceptions",
    "JobState": "hub.status",
    "Job": "dispatch.job",
    "JobTimeout": "exceptions",
    "Model": "model",
    "ModelNotFound": "exceptions",
    "NetworkError": "exceptions",
    "OfflineError": "exceptions",
    "Parameter": "schema.parameters",
    "PayloadInvalid": "exceptions",
    "Problem": "schema.problems",
    "RateLimited": "exceptions",
    "Result": "dispatch.results",
    "SchemaError": "exceptions",
    "SchemaInvalid": "exceptions",
    "SchemaUnavailable": "exceptions",
    "SchemadriveError": "exceptions",
    "Status": "hub.status",
    "StreamError": "exceptions",
    "SubmitUncertain": "exceptions",
    "compile_schema": "schema.compile",
    "diff": "linting.drift",
    "fill_defaults": "schema.compile",
    "lint": "linting",
    "prepare": "schema.compile",
    "recheck": "linting.drift",
    "validate": "schema.compile",
    "validate_table": "tables",
}

# Written out (not computed from _EXPORTS) so that type checkers see what is exported: with
# py.typed, `mypy --strict` in a user's project accepts only names listed here.
__all__ = [
    "AsyncClient",
    "AuthenticationError",
    "Change",
    "Client",
    "ConfigurationError",
    "DownloadError",
    "Finding",
    "HubError",
    "Job",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "JobNotFound",
    "JobState",
    "JobTimeout",
    "Model",
    "ModelNotFound",
    "NetworkError",
    "OfflineError",
    "Parameter",
    "PayloadInvalid",
    "Problem",
    "RateLimited",
    "Result",
    "SchemaError",
    "SchemaInvalid",
    "SchemaUnavailable",
    "SchemadriveError",
    "Status",
    "StreamError",
    "SubmitUncertain",
    "__version__",
    "compile_schema",
    "diff",
    "fill_defaults",
    "lint",
    "prepare",
    "recheck",
    "validate",
    "validate_table",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'schemadrive' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


def _install_moved_modules() -> None:
    from ._moved import install

    install()


_install_moved_modules()
