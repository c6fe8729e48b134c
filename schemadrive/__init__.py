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

    from .client import Client
    from .drift import Change, diff, recheck
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
    from .jobs import Job
    from .linter import Finding, lint
    from .model import Model
    from .parameters import Parameter
    from .payloads import compile_schema, fill_defaults, prepare, validate
    from .problems import Problem
    from .results import Result
    from .status import JobState, Status

__version__ = "0.1.0"

_EXPORTS = {
    "AuthenticationError": "exceptions",
    "Change": "drift",
    "Client": "client",
    "ConfigurationError": "exceptions",
    "DownloadError": "exceptions",
    "Finding": "linter",
    "HubError": "exceptions",
    "JobCancelled": "exceptions",
    "JobError": "exceptions",
    "JobFailed": "exceptions",
    "JobNotFound": "exceptions",
    "JobState": "status",
    "Job": "jobs",
    "JobTimeout": "exceptions",
    "Model": "model",
    "ModelNotFound": "exceptions",
    "NetworkError": "exceptions",
    "OfflineError": "exceptions",
    "Parameter": "parameters",
    "PayloadInvalid": "exceptions",
    "Problem": "problems",
    "RateLimited": "exceptions",
    "Result": "results",
    "SchemaError": "exceptions",
    "SchemaInvalid": "exceptions",
    "SchemaUnavailable": "exceptions",
    "SchemadriveError": "exceptions",
    "Status": "status",
    "StreamError": "exceptions",
    "SubmitUncertain": "exceptions",
    "compile_schema": "payloads",
    "diff": "drift",
    "fill_defaults": "payloads",
    "lint": "linter",
    "prepare": "payloads",
    "recheck": "drift",
    "validate": "payloads",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'schemadrive' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
