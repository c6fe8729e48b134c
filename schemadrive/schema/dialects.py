"""A schema's draft and its metaschema check, without importing jsonschema when that is certain.

Compiling a schema in a fresh interpreter used to import jsonschema (about 35 ms, most of a
one-file ``schemadrive validate --schema S P``) even when jsonschema-rs judges every payload.
Two answers come from here instead when they are certain, and from jsonschema otherwise
(schemadrive/schema/validators.py), so they never differ from jsonschema's:

* :func:`dialect_name`: the name of jsonschema's class for the draft in ``$schema``, for the
  exact URIs jsonschema knows the drafts by (none: Draft 2020-12); None for any other
  ``$schema``, which jsonschema's ``validator_for`` decides;
* :func:`certainly_valid`: True only when the schema passes its metaschema as
  :func:`~schemadrive.schema.validators.metaschema_errors` checks it: jsonschema-rs's
  metaschema check passes, and each value the metaschema gives a ``format`` (``$id``,
  ``$ref`` and the like are URI references, ``pattern`` and ``patternProperties`` names are
  regular expressions) is one no format checker refuses: a URI reference of plain
  characters, a pattern the one regex engine accepts. False means "ask jsonschema", which
  then gives the verdict and the errors.
"""

from __future__ import annotations

import re
from typing import Any

from .keywords import DRAFT_URIS
from .patterns import is_regex
from .walk import Walk

__all__ = ["DIALECTS", "certainly_valid", "dialect_name"]

#: jsonschema's class name and its metaschema's ``$schema`` value, by draft URI (with and
#: without the empty fragment, as jsonschema's registry of metaschemas normalizes them).
DIALECTS: dict[str, tuple[str, str]] = {}
for _draft, _class in (
    ("draft4", "Draft4Validator"),
    ("draft6", "Draft6Validator"),
    ("draft7", "Draft7Validator"),
    ("draft2019-09", "Draft201909Validator"),
    ("draft2020-12", "Draft202012Validator"),
):
    _uri = DRAFT_URIS[_draft]
    DIALECTS[_uri] = DIALECTS[_uri.rstrip("#")] = DIALECTS[_uri.rstrip("#") + "#"] = (_class, _uri)

#: Keywords whose value the metaschemas give the ``uri-reference`` format (``$schema``, a
#: ``uri``, is taken only at the root, and only as a draft's own URI).
_URI_KEYWORDS = ("$id", "id", "$ref", "$dynamicRef", "$recursiveRef")
#: A URI reference every URI checker accepts, by RFC 3986's grammar narrowed to plain
#: characters: an absolute URI (``scheme://host/path`` or ``scheme:path``, as ``urn:...``) or
#: a relative reference with no colon and no leading slash, then an optional query and
#: fragment. No spaces, percent signs, brackets, ports or user names.
_CHARS = r"A-Za-z0-9\-._~!$&'()*+,;="
_ABSOLUTE = rf"[A-Za-z][A-Za-z0-9+.\-]*:(?://[A-Za-z0-9.\-]+(?:/[{_CHARS}:/]*)?|(?:[{_CHARS}:][{_CHARS}:/]*)?)"
_RELATIVE = rf"(?:[{_CHARS}][{_CHARS}/]*)?"
_TAIL = rf"(?:\?[{_CHARS}:/?]*)?(?:#[{_CHARS}:/?]*)?"
_PLAIN_URI = re.compile(rf"(?:{_ABSOLUTE}|{_RELATIVE}){_TAIL}\Z")


def dialect_name(schema: Any) -> tuple[str, str] | None:
    """(jsonschema's class name, the metaschema's ``$schema``) for ``schema``'s draft, when
    it is certain without asking jsonschema; None otherwise."""
    if not isinstance(schema, dict) or "$schema" not in schema:
        return DIALECTS[DRAFT_URIS["draft2020-12"]]
    uri = schema["$schema"]
    return DIALECTS.get(uri) if isinstance(uri, str) else None


def _plain_uri(value: Any) -> bool:
    return isinstance(value, str) and _PLAIN_URI.match(value) is not None


#: jsonschema-rs's draft 4 metaschema check lets an empty or repeating ``enum`` pass, where
#: the draft's metaschema does not (tests/unit/test_dialects.py found it): draft 4 is left to
#: jsonschema.
_UNCERTAIN = frozenset({"Draft4Validator"})


def certainly_valid(schema: Any) -> bool:
    """True when ``schema`` (normalized) certainly passes its metaschema (module docstring)."""
    if not isinstance(schema, dict):
        return False
    dialect = dialect_name(schema)
    if dialect is None or dialect[0] in _UNCERTAIN:
        return False
    walk = Walk(schema, draft="any")  # every place any draft has subschemas: at least the
    for step in walk:  # places the metaschema looks
        node = step.schema
        if not isinstance(node, dict):
            continue
        if "$vocabulary" in node or "components" in node:  # checked elsewhere, or otherwise
            return False
        if step.parent is not None and "$schema" in node:  # an embedded resource's own
            return False
        for keyword in _URI_KEYWORDS:
            if keyword in node and not _plain_uri(node[keyword]):
                return False
        if not is_regex(node.get("pattern")):
            return False
        names = node.get("patternProperties")
        if isinstance(names, dict) and not all(is_regex(name) for name in names):
            return False
    if walk.truncated:
        return False
    try:
        import jsonschema_rs

        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # no jsonschema-rs, or a schema it cannot read: jsonschema decides
        return False
