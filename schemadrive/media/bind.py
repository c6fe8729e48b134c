"""Files in a payload: checked, validated through short stand-ins, then sent as ``data:`` URIs
or as the URLs an uploader returns. Pure: no HTTP of its own (an uploader is the caller's).

The order is what keeps a run from costing anything when something is wrong:

1. every file is looked at (size, media type from its bytes): a missing or unreadable one is a
   FileInputError, one larger than ``max_inline_bytes`` without an uploader a FileTooLarge;
2. a file whose type cannot be what its parameter takes is a Problem, reported together with
   the schema's problems, found by validating the payload with each file replaced by a short
   value of the same form (``data:audio/mpeg;base64,AAAA``; an ``https`` URL with an uploader);
3. only a valid payload is encoded, or uploaded.

Step 2 validates stand-ins because jsonschema's ``uri`` check costs about 0.75 s per MB of
text; a value whose schema judges the whole text (length, pattern) is validated in full. A
``data:`` URI given as a string is checked the same way (its base64 in linear time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

from ..exceptions import PayloadInvalid, SchemadriveError
from ..schema.problems import Problem, json_path
from .detect import LONG_DATA_URI, has_files, is_file_value
from .display import display_value, human_size
from .encode import DataURIError, check_data_uri, encode_data_uri, split_data_uri
from .errors import FileTooLarge, UploadError
from .params import FileParameter, takes
from .sources import FileSource

if TYPE_CHECKING:
    from ..model import Model
    from ..schema.compile import Unknown

__all__ = [
    "DEFAULT_MAX_INLINE_BYTES",
    "Uploader",
    "bind_files",
    "file_options",
    "has_files",
    "prepare_with_files",
    "validate_with_files",
]

log = logging.getLogger("schemadrive")

#: Files up to this size (in bytes) are sent inline as ``data:`` URIs (docs/files.md "Limits").
DEFAULT_MAX_INLINE_BYTES = 10_000_000

#: ``uploader(file, media_type) -> url``: ``file`` is a binary file object at its start.
Uploader = Callable[[BinaryIO, str], str]

_Key = tuple[str, int | None]


def _is_long_data_uri(value: Any) -> bool:
    return isinstance(value, str) and len(value) > LONG_DATA_URI and value.startswith("data:")


class FilePlan:
    """The files of one payload, looked at; the payload to validate; how to bind them."""

    def __init__(
        self, model: Model, payload: Mapping[str, Any], *, limit: int | None, upload: bool
    ) -> None:
        self.model_id = model.id
        self.problems: list[Problem] = []
        self.sources: dict[_Key, FileSource] = {}
        self.strings: dict[_Key, str] = {}  # long data: URIs given as text, kept as they are
        self.upload = upload
        self.limit = limit
        self.oversize: list[FileSource] = []  # over the limit: raised once the rest is valid
        parameters = model.file_parameters
        known = model.compiled.known
        stand_in: dict[str, Any] = {}
        for name, value in payload.items():
            parameter = parameters.get(name)
            if parameter is not None and parameter.array and is_file_value(value):
                value = [value]  # one file for an array parameter: a one-item list
            if isinstance(value, list):
                stand_in[name] = [
                    self._look(parameter, name, i, item, limit) for i, item in enumerate(value)
                ]
            else:
                stand_in[name] = self._look(parameter, name, None, value, limit)
            if (
                parameter is None
                and any(k[0] == name for k in self.sources)
                and (known is None or name in known)
            ):
                files = ", ".join(sorted(parameters)) or "none"
                self.problems.append(
                    Problem(json_path([name]), "type", f"{name!r} does not take a file",
                            f"parameters that take files here: {files}")
                )  # fmt: skip
        self.stand_in = stand_in

    def _look(
        self, parameter: FileParameter | None, name: str, index: int | None, value: Any,
        limit: int | None,
    ) -> Any:  # fmt: skip
        key = (name, index)
        path = json_path([name] if index is None else [name, index])
        if isinstance(value, str):
            if not _is_long_data_uri(value) or (parameter is not None and parameter.text_checked):
                return value
            try:
                media_type = check_data_uri(value)
            except DataURIError as exc:
                self.problems.append(Problem(path, "format", f"{display_value(value)}: {exc}"))
                return "data:,"
            self.strings[key] = value
            self._check_kind(parameter, path, media_type, "the data: URI", sniffed=True)
            return value[: split_data_uri(value)[2]] + "AAAA"
        if not is_file_value(value):
            return value
        source = FileSource.read(name, index, value, limit=None if self.upload else limit)
        self.sources[key] = source
        if parameter is None:
            return display_value(value)
        if not self.upload and limit is not None and source.size > limit:
            self.oversize.append(source)
        self._check_kind(parameter, path, source.media_type, source.label, source.sniffed)
        if self.upload:
            return "https://upload.invalid/file"
        return f"data:{source.media_type};base64,AAAA"

    def _check_kind(
        self, parameter: FileParameter | None, path: str, media_type: str, label: str,
        sniffed: bool,
    ) -> None:  # fmt: skip
        if parameter is None or not parameter.kinds:
            return
        wanted = " or ".join(sorted(parameter.kinds))
        if media_type == "application/octet-stream":
            self.problems.append(
                Problem(path, "media", f"the type of {label} could not be told from its content",
                        f"{parameter.name} takes {wanted}; it is sent as application/octet-stream",
                        severity="warning")
            )  # fmt: skip
        elif not takes(parameter, media_type):
            how = "is" if sniffed else "looks like (by its name)"
            self.problems.append(
                Problem(path, "media", f"{label} {how} {media_type}, but {parameter.name} takes "
                        f"{wanted}", f"give {parameter.name} {_examples(parameter.kinds)}")
            )  # fmt: skip

    def check_sizes(self) -> None:
        """FileTooLarge for the first file over the limit (after the problems: a file of the
        wrong kind is reported as such, not as one to upload)."""
        if not self.oversize:
            return
        source, limit = self.oversize[0], self.limit or 0
        raise FileTooLarge(
            f"{source.where}: {source.label} is {human_size(source.size)}, more than "
            f"max_inline_bytes ({human_size(limit)}) sends inline as a data: URI; give the "
            "client an uploader (Client(uploader=...), docs/files.md \"Uploading\") to send "
            "a URL instead, or raise max_inline_bytes; nothing was sent",
            parameter=source.parameter, path=source.path, size=source.size, limit=limit,
        )  # fmt: skip

    def bind(self, payload: dict[str, Any], *, uploader: Uploader | None = None) -> dict[str, Any]:
        """``payload`` (the stand-in payload, or its prepared copy) with the real values."""
        bound = {k: list(v) if isinstance(v, list) else v for k, v in payload.items()}
        for (name, index), text in self.strings.items():
            _put(bound, name, index, text)
        for (name, index), source in self.sources.items():
            _put(bound, name, index, self._value(source, uploader))
        return bound

    def _value(self, source: FileSource, uploader: Uploader | None) -> str:
        with source.open() as (file, size):
            if uploader is None:
                return encode_data_uri(file, source.media_type, size)
            try:
                url = uploader(file, source.media_type)
            except SchemadriveError:
                raise
            except Exception as exc:
                raise UploadError(
                    f"{source.where}: the uploader failed for {source.label}: "
                    f"{type(exc).__name__}: {exc}; nothing was sent to the hub",
                    parameter=source.parameter, path=source.path,
                ) from exc  # fmt: skip
        if not isinstance(url, str) or not url.strip():
            raise UploadError(
                f"{source.where}: the uploader returned {type(url).__name__} "
                f"{display_value(url)!r}, not a URL; nothing was sent to the hub",
                parameter=source.parameter, path=source.path,
            )  # fmt: skip
        log.debug("uploaded %s for %s: %s", source.label, source.where, url)
        return url.strip()


_EXAMPLES = {
    "image": "an image such as PNG, JPEG or WebP",
    "audio": "an audio file such as MP3, WAV, OGG or FLAC",
    "video": "a video such as MP4, WebM or MOV",
}


def _examples(kinds: frozenset[str]) -> str:
    return " or ".join(_EXAMPLES.get(kind, kind) for kind in sorted(kinds))


def _put(payload: dict[str, Any], name: str, index: int | None, value: str) -> None:
    if index is None:
        payload[name] = value
    else:
        payload[name][index] = value


def _unknown(unknown: Unknown | None) -> dict[str, Any]:
    """``unknown`` as given, or nothing (the compiled schema's own default) for None."""
    return {} if unknown is None else {"unknown": unknown}


def _raise_errors(problems: list[Problem], model_id: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise PayloadInvalid(errors, model_id=model_id)


def validate_with_files(
    model: Model, payload: Any, *, unknown: Unknown | None = None
) -> list[Problem]:
    """Every problem with ``payload``, files included (their kinds; nothing is encoded)."""
    if not has_files(payload):
        return model.compiled.validate(payload, **_unknown(unknown))
    plan = FilePlan(model, payload, limit=None, upload=False)
    return plan.problems + model.compiled.validate(plan.stand_in, **_unknown(unknown))


def prepare_with_files(
    model: Model,
    payload: Any,
    *,
    unknown: Unknown | None = None,
    uploader: Uploader | None = None,
    max_inline_bytes: int | None = None,
) -> dict[str, Any]:
    """:meth:`Model.prepare` with files: defaults filled, validated, then files bound
    (``max_inline_bytes`` None: :data:`DEFAULT_MAX_INLINE_BYTES`)."""
    if not has_files(payload):
        return model.compiled.prepare(payload, model_id=model.id, **_unknown(unknown))
    limit = DEFAULT_MAX_INLINE_BYTES if max_inline_bytes is None else max_inline_bytes
    plan = FilePlan(model, payload, limit=limit, upload=uploader is not None)
    try:
        prepared = model.compiled.prepare(plan.stand_in, model_id=model.id, **_unknown(unknown))
    except PayloadInvalid as exc:
        raise PayloadInvalid(plan.problems + exc.problems, model_id=model.id) from None
    _raise_errors(plan.problems, model.id)
    plan.check_sizes()
    return plan.bind(prepared, uploader=uploader)


def bind_files(
    model: Model,
    payload: Mapping[str, Any],
    *,
    uploader: Uploader | None = None,
    max_inline_bytes: int | None = None,
    unknown: Unknown | None = None,
) -> dict[str, Any]:
    """A new payload with every file (a path, bytes or a binary file object given for a
    parameter that takes a URI) replaced by a ``data:`` URI, or by the URL ``uploader``
    returns; defaults are not filled. Strings are never touched. ``max_inline_bytes`` (None:
    :data:`DEFAULT_MAX_INLINE_BYTES`, 10 MB) is the largest file sent inline.

    Raises FileInputError (missing or unreadable file), FileTooLarge (over
    ``max_inline_bytes`` without an uploader), PayloadInvalid (a file of the wrong kind, with
    every other problem of the payload) or UploadError, all before anything is sent.
    """
    if not has_files(payload):
        return dict(payload)
    limit = DEFAULT_MAX_INLINE_BYTES if max_inline_bytes is None else max_inline_bytes
    plan = FilePlan(model, payload, limit=limit, upload=uploader is not None)
    problems = plan.problems + model.compiled.validate(plan.stand_in, **_unknown(unknown))
    _raise_errors(problems, model.id)
    plan.check_sizes()
    return plan.bind(plan.stand_in, uploader=uploader)


def file_options(max_inline_bytes: Any, uploader: Any) -> tuple[int, Uploader | None]:
    """The client's ``max_inline_bytes`` (None: the default) and ``uploader``, checked:
    ConfigurationError for a size that is not an integer >= 0 or an uploader not callable."""
    from ..exceptions import ConfigurationError

    if max_inline_bytes is None:
        max_inline_bytes = DEFAULT_MAX_INLINE_BYTES
    if isinstance(max_inline_bytes, bool) or not isinstance(max_inline_bytes, int):
        raise ConfigurationError(f"max_inline_bytes must be an integer, not {max_inline_bytes!r}")
    if max_inline_bytes < 0:
        raise ConfigurationError(f"max_inline_bytes must be >= 0, not {max_inline_bytes}")
    if uploader is not None and not callable(uploader):
        raise ConfigurationError(
            f"uploader must be a callable (file, media_type) -> url, not {type(uploader).__name__}"
        )
    return max_inline_bytes, uploader
