"""One annotation just written (`add`, `edit`, `rm`): its id, or the record as JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from annotate.model import Annotation
from annotate.report.listing import terminal_line, to_json
from annotate.report.terminal import escape

Renderer = Callable[[Annotation], str]


def record_id(annotation: Annotation) -> str:
    """The id alone, for scripts: `id=$(annotate add ...)`."""
    # Ids are ours and safe; escaped anyway, as every field printed to a terminal is.
    return escape(annotation.id) + "\n"


def record_json(annotation: Annotation) -> str:
    """The whole record (schemas/annotation.schema.json), keys sorted."""
    return to_json(annotation.to_record())


def removal_question(annotation: Annotation) -> str:
    """What `rm` asks on a terminal before removing an annotation, user text escaped."""
    return (f"Remove {escape(annotation.id)} ({escape(annotation.label)} by "
            f"{escape(annotation.reviewer)}: “{terminal_line(annotation.quote, 50)}”)?")


RENDERERS: Mapping[str, Renderer] = MappingProxyType({
    "id": record_id,
    "json": record_json,
})
