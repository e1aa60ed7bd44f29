"""One annotation just written (`add`, `edit`, `rm`): its id, or the record as JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from annotate.model import Annotation
from annotate.report.listing import to_json

Renderer = Callable[[Annotation], str]


def record_id(annotation: Annotation) -> str:
    """The id alone, for scripts: `id=$(annotate add ...)`."""
    return annotation.id + "\n"


def record_json(annotation: Annotation) -> str:
    """The whole record (schemas/annotation.schema.json), keys sorted."""
    return to_json(annotation.to_record())


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "id": record_id,
    "json": record_json,
})
