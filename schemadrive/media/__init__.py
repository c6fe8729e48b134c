"""Local files as inputs (docs/files.md): a path, bytes or a binary file object wherever a
model takes a media URL, sent as a ``data:`` URI or as the URL an uploader returns.

Pure: nothing here sends a request. The client calls :func:`bind_files` before a run; batches
and the playground page call it the same way. :func:`display_value` and
:func:`display_payload` show a payload without its blobs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bind import (
        DEFAULT_MAX_INLINE_BYTES,
        Uploader,
        bind_files,
        prepare_with_files,
        validate_with_files,
    )
    from .detect import has_files, is_file_value
    from .display import display_payload, display_value, human_size
    from .encode import DataURIError, decode_data_uri, encode_data_uri
    from .errors import FileInputError, FileTooLarge, UploadError
    from .params import FileParameter, file_parameters
    from .references import file_reference
    from .sniff import kind_of, media_type_of, sniff

# Names are imported on first use: Model imports media.detect for every validation, and that
# must not load the encoder, the sniffing table or mimetypes.
_WHERE = {
    "DEFAULT_MAX_INLINE_BYTES": "bind",
    "DataURIError": "encode",
    "FileInputError": "errors",
    "FileParameter": "params",
    "FileTooLarge": "errors",
    "UploadError": "errors",
    "Uploader": "bind",
    "bind_files": "bind",
    "decode_data_uri": "encode",
    "display_payload": "display",
    "display_value": "display",
    "encode_data_uri": "encode",
    "file_parameters": "params",
    "file_reference": "references",
    "has_files": "detect",
    "human_size": "display",
    "is_file_value": "detect",
    "kind_of": "sniff",
    "media_type_of": "sniff",
    "prepare_with_files": "bind",
    "sniff": "sniff",
    "validate_with_files": "bind",
}
__all__ = [
    "DEFAULT_MAX_INLINE_BYTES",
    "DataURIError",
    "FileInputError",
    "FileParameter",
    "FileTooLarge",
    "UploadError",
    "Uploader",
    "bind_files",
    "decode_data_uri",
    "display_payload",
    "display_value",
    "encode_data_uri",
    "file_parameters",
    "file_reference",
    "has_files",
    "human_size",
    "is_file_value",
    "kind_of",
    "media_type_of",
    "prepare_with_files",
    "sniff",
    "validate_with_files",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
