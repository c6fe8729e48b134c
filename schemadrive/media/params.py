"""Which parameters take a file, and of what kind. Pure: a compiled schema and a model
object in, a table out.

A parameter takes a file when its schema is a string with ``format: uri`` (or
``uri-reference``, ``iri``, ``iri-reference``), or carries a media hint (``renderType`` such as
``image-url``, or ``contentMediaType``); an array of such strings takes several. Its kind
(image, audio, video) is read from its name, else its ``renderType``, else its description,
and narrowed by the model's ``capabilities.input`` (docs/files.md "Which parameters").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..schema.compile import CompiledSchema

__all__ = ["KINDS", "FileParameter", "file_parameters", "takes"]

KINDS = ("image", "audio", "video")
_URI_FORMATS = frozenset({"uri", "uri-reference", "iri", "iri-reference"})
_WORDS = {
    "image": {"image", "images", "img", "frame", "photo", "picture", "mask", "sketch", "logo",
              "thumbnail", "png", "jpeg", "jpg"},
    "audio": {"audio", "song", "music", "voice", "speech", "sound", "wav", "mp3", "soundtrack"},
    "video": {"video", "videos", "clip", "footage", "movie"},
}  # fmt: skip
#: keywords whose verdict depends on the whole text: such a value is validated in full
_TEXT_KEYWORDS = ("maxLength", "minLength", "pattern", "const", "enum")
#: containers that carry audio as often as video: an audio parameter takes them too
AUDIO_CONTAINERS = frozenset({"video/mp4", "video/webm", "video/ogg", "video/quicktime"})


@dataclass(frozen=True)
class FileParameter:
    """A parameter that takes a file.

    ``kinds`` is what it takes (empty: any kind); ``array`` whether it takes a list of them;
    ``text_checked`` whether its schema judges the whole text (length, pattern), so its
    value is validated in full rather than through a short stand-in.
    """

    name: str
    kinds: frozenset[str]
    array: bool = False
    text_checked: bool = False


def takes(parameter: FileParameter, media_type: str) -> bool:
    """Whether a file of ``media_type`` can be what ``parameter`` takes."""
    if not parameter.kinds:
        return True
    major = media_type.split("/", 1)[0]
    if major in parameter.kinds:
        return True
    return "audio" in parameter.kinds and media_type in AUDIO_CONTAINERS


def _parts(compiled: CompiledSchema, node: Any) -> list[dict[str, Any]]:
    """The node and what it is made of through ``$ref`` and ``allOf``: the schema's own walk
    (``CompiledSchema.parts``, named ``_parts`` before the schema layer made it public)."""
    walk = getattr(compiled, "parts", None) or getattr(compiled, "_parts")  # noqa: B009
    return list(walk(node))


def _merged(compiled: CompiledSchema, node: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in reversed(_parts(compiled, node)):
        merged.update({k: v for k, v in part.items() if k not in ("allOf", "$ref")})
    return merged


def _uri_branch(compiled: CompiledSchema, prop: dict[str, Any]) -> dict[str, Any] | None:
    """The subschema of ``prop`` that is a URI string (itself, or an anyOf/oneOf branch)."""
    hint = prop.get("renderType")
    if prop.get("format") in _URI_FORMATS or "contentMediaType" in prop:
        return prop
    if isinstance(hint, str) and prop.get("type") in ("string", None) and "items" not in prop:
        return prop
    for key in ("anyOf", "oneOf"):
        for branch in prop.get(key) or []:
            merged = _merged(compiled, branch)
            if merged.get("format") in _URI_FORMATS:
                return merged
    return None


def _words(text: Any) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) if isinstance(text, str) else set()


def _kinds_in(words: set[str]) -> set[str]:
    return {kind for kind, vocabulary in _WORDS.items() if words & vocabulary}


def _input_kinds(info: Mapping[str, Any]) -> set[str]:
    capabilities = info.get("capabilities")
    inputs = capabilities.get("input") if isinstance(capabilities, Mapping) else None
    if not isinstance(inputs, list):
        return set()
    return {kind for kind in KINDS if kind in inputs}


def _kinds(name: str, prop: dict[str, Any], info: Mapping[str, Any]) -> frozenset[str]:
    found = _kinds_in(_words(name.replace("_", " ")))
    if not found:
        found = _kinds_in(_words(str(prop.get("renderType") or "").replace("-", " ")))
    media = prop.get("contentMediaType")
    if not found and isinstance(media, str) and media.split("/")[0] in KINDS:
        found = {media.split("/")[0]}
    if not found:
        found = _kinds_in(_words(prop.get("description")))
    accepted = _input_kinds(info)
    if accepted and found & accepted:
        found &= accepted
    elif not found and len(accepted) == 1:
        found = accepted  # nothing in the words: the model takes one kind of media
    return frozenset(found)


def file_parameters(compiled: CompiledSchema, info: Mapping[str, Any]) -> dict[str, FileParameter]:
    """Every top-level parameter of the schema that takes a file, by name."""
    properties: dict[str, Any] = {}
    for part in _parts(compiled, compiled.normalized):
        if isinstance(part.get("properties"), dict):
            for name, sub in part["properties"].items():
                properties.setdefault(name, sub)
    found: dict[str, FileParameter] = {}
    for name, sub in properties.items():
        prop = _merged(compiled, sub)
        array = False
        uri = _uri_branch(compiled, prop)
        if uri is None and isinstance(prop.get("items"), dict):
            items = _merged(compiled, prop["items"])
            uri = _uri_branch(compiled, {**items, "renderType": prop.get("renderType")})
            array = uri is not None
        if uri is None:
            continue
        described = {**prop, **{k: v for k, v in uri.items() if k not in prop}}
        found[name] = FileParameter(
            name=name,
            kinds=_kinds(name, described, info),
            array=array,
            text_checked=any(key in uri for key in _TEXT_KEYWORDS),
        )
    return found
