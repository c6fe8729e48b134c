"""Hypothesis strategies from a request schema: payloads it accepts, and payloads it rejects.

The only package of schemadrive that imports hypothesis (install ``schemadrive[fuzz]``).

How payloads are made: the schema is compiled (:func:`~schemadrive.schema.compile.compile_schema`
translates the OpenAPI forms), every ``$ref`` is inlined (``$defs``, ``definitions``,
``components``, embedded ``$id`` resources; siblings of ``$ref`` apply as in 2019-09 and
later), ``allOf`` is merged, and ``anyOf``/``oneOf``/``if``-``then``-``else``/``not``/
``dependentSchemas`` become a choice of branch. Objects (``required``,
``dependentRequired``), arrays (``prefixItems``) and enums are drawn here; scalar leaves are
delegated to hypothesis-jsonschema's ``from_schema`` with realistic ``custom_formats``
(``uri`` gives https URLs to .png/.mp4/.mp3 files and small ``data:`` URIs). Every payload is
re-checked by schemadrive's own validator, the oracle, so a shape the generator only
approximates is filtered, never passed through.
"""

from __future__ import annotations

from ..exceptions import ConfigurationError


class ExtraMissing(ConfigurationError, ImportError):
    """An optional extra schemadrive needs is not installed; the message says what to install."""


try:
    from ._invalid import invalid_payloads
    from ._valid import RULE_KEYWORDS, RULES, examples, media_uris, payloads
except ModuleNotFoundError as missing:  # the fuzz extra, not a bug of ours: say what to do
    if (missing.name or "").split(".")[0] not in ("hypothesis", "hypothesis_jsonschema"):
        raise
    error = ExtraMissing(
        f"fuzzing needs {missing.name}, which comes with the fuzz extra: "
        "pip install 'schemadrive[fuzz]'"
    )
    error.name = missing.name
    raise error from missing

__all__ = [
    "RULES",
    "RULE_KEYWORDS",
    "ExtraMissing",
    "examples",
    "invalid_payloads",
    "media_uris",
    "payloads",
]
