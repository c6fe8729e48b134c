"""Model: one model's object, its request schema compiled once, and what to do with payloads."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from .exceptions import SchemaUnavailable
from .media.detect import files_in
from .schema.compile import CompiledSchema, Problem, Unknown, compile_schema

if TYPE_CHECKING:
    from .hub.providers import Provider
    from .media.bind import Uploader
    from .media.params import FileParameter
    from .pricing import Estimate
    from .schema.parameters import Parameter

__all__ = ["Model"]


class Model:
    """A model as the hub describes it.

    ``info`` is the raw model object; ``schema`` its request schema (``json_request_schema``,
    else ``request_schema``; for GMI Cloud the parameter list translated to JSON Schema);
    ``endpoint`` the sync path chosen as the hub's docs choose it.
    """

    def __init__(self, model_id: str, info: dict[str, Any], provider: Provider) -> None:
        self.id = model_id
        self.info = info
        self.provider = provider
        self._schema = provider.schema_from_model(info)
        self.endpoint: str | None = provider.sync_endpoint(info)

    def __repr__(self) -> str:
        return f"Model({self.id!r}, provider={self.provider.name!r})"

    @property
    def has_schema(self) -> bool:
        return self._schema is not None

    @property
    def schema(self) -> dict[str, Any]:
        """The request schema; SchemaUnavailable when the model publishes none."""
        if self._schema is None:
            raise SchemaUnavailable(
                f"model {self.id!r} publishes no request schema (chat models take the OpenAI "
                "chat body), so schemadrive cannot validate payloads for it",
                model_id=self.id,
            )
        return self._schema

    @cached_property
    def compiled(self) -> CompiledSchema:
        """The schema compiled once (SchemaInvalid for a schema that fails its metaschema).

        Strict: a model payload is checked before paying for it, so a parameter the model does
        not declare and a malformed ``format`` (a URL, a date) are errors; the parameters the
        provider's hub accepts on every endpoint (``Provider.common_parameters``) are known.
        """
        return compile_schema(self.schema, common=self.provider.common_parameters, strict=True)

    @cached_property
    def parameters(self) -> list[Parameter]:
        """Name, type, required, default, enum, range and description of each parameter."""
        from .schema.parameters import parameters_of

        return parameters_of(self.compiled)

    @cached_property
    def file_parameters(self) -> dict[str, FileParameter]:
        """The parameters that take files, with the kinds they take (docs/files.md)."""
        from .media.params import file_parameters

        return file_parameters(self.compiled, self.info)

    def validate(self, payload: Any, *, unknown: Unknown | None = None) -> list[Problem]:
        """Every problem with ``payload`` (an empty list means it is valid).

        ``unknown``: an undeclared parameter is an ``"error"`` (the default), a ``"warn"``ing
        or ``"allow"``ed."""
        if self.file_parameters and files_in(payload, self.file_parameters):  # docs/files.md
            from .media.bind import validate_with_files

            return validate_with_files(self, payload, unknown=unknown)
        return self.compiled.validate(payload, unknown=unknown)

    def fill_defaults(self, payload: Any) -> Any:
        """A new payload with the schema's defaults filled where keys are absent."""
        return self.compiled.fill_defaults(payload)

    def prepare(
        self,
        payload: Any = None,
        *,
        unknown: Unknown = "error",
        uploader: Uploader | None = None,
        max_inline_bytes: int | None = None,
    ) -> dict[str, Any]:
        """A new dict with defaults filled, validated; raises PayloadInvalid with every problem.

        Files (a path, bytes or a binary file) given for parameters that take a URI become
        ``data:`` URIs of at most ``max_inline_bytes`` bytes each (None: 10 MB), or the URLs
        ``uploader`` returns, once the payload is valid (docs/files.md).
        """
        if not (self.file_parameters and files_in(payload, self.file_parameters)):
            return self.compiled.prepare(payload, unknown=unknown, model_id=self.id)
        from .media.bind import prepare_with_files

        return prepare_with_files(
            self, payload, unknown=unknown, uploader=uploader, max_inline_bytes=max_inline_bytes
        )

    def estimate(self, payload: Any = None, *, count: int = 1) -> Estimate:
        """What ``count`` runs of ``payload`` would cost by the model's ``pricing``
        (defaults filled first); an Estimate that is unknown, with the reason, rather than
        a guess (docs/batches.md "Costs")."""
        from .pricing import estimate

        filled = self.fill_defaults(dict(payload or {})) if self.has_schema else dict(payload or {})
        return estimate(self.info.get("pricing"), filled, count=count)
