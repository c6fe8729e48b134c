"""Local files as inputs (docs/files.md): a path, bytes or a binary file object wherever a
model takes a media URL, sent as a ``data:`` URI or as the URL an uploader returns.

Pure: nothing here sends a request. The client calls :func:`bind_files` before a run; batches
and the playground page call it the same way. :func:`display_value` and
:func:`display_payload` show a payload without its blobs.
"""

from __future__ import annotations

from .bind import (
    DEFAULT_MAX_INLINE_BYTES,
    Uploader,
    bind_files,
    has_files,
    prepare_with_files,
    validate_with_files,
)
from .display import display_payload, display_value, human_size
from .encode import DataURIError, decode_data_uri, encode_data_uri
from .errors import FileInputError, FileTooLarge, UploadError
from .params import FileParameter, file_parameters
from .references import file_reference
from .sniff import kind_of, media_type_of, sniff
from .sources import is_file_value

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
