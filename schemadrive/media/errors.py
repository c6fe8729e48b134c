"""The errors of file inputs: a file that cannot be read, and one too large to send inline.

Both are ConfigurationErrors (the CLI's exit 2) raised before anything is sent or paid for.
"""

from __future__ import annotations

from ..exceptions import ConfigurationError, SchemadriveError

__all__ = ["FileInputError", "FileTooLarge", "UploadError"]


class FileInputError(ConfigurationError, OSError):
    """A file given for a parameter is missing or unreadable. ``parameter`` and ``path`` say
    which; nothing was sent."""

    def __init__(self, message: str, *, parameter: str, path: str | None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.path = path


class FileTooLarge(ConfigurationError):
    """A file is larger than ``max_inline_bytes`` and no uploader is set. ``size`` and
    ``limit`` are in bytes; nothing was sent."""

    def __init__(
        self, message: str, *, parameter: str, path: str | None, size: int, limit: int
    ) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.path = path
        self.size = size
        self.limit = limit


class UploadError(SchemadriveError):
    """The uploader raised, or returned something that is not a URL. ``parameter`` and
    ``path`` say for which file; nothing was sent to the hub."""

    def __init__(self, message: str, *, parameter: str, path: str | None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.path = path
