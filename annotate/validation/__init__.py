"""`annotate validate`: syntax, schema, semantic and staleness checks with
stable codes, each finding at the line:column of the offending value.

The package, by job:

- ``discovery`` decides which files to check (the project file and every
  annotation file, or the paths given) and reports links that leave the
  workspace;
- ``checks`` holds the checks themselves: bytes and context in, findings
  out, asking the rule book (``annotate.rules``) for every check;
- ``documents`` reads the documents those checks refer to, once per process;
- ``hashes`` remembers content hashes by stat, so unchanged files are not read;
- ``cache`` remembers results, so unchanged files with unchanged
  dependencies are not checked again, and a run in which nothing changed
  is answered by the last one;
- ``pool`` checks the rest, in a process pool using every core when there
  are many;
- ``duplicates`` runs the cross-file check (ids unique in the workspace)
  last, on the ids every file reported, cached or not;
- ``reading`` opens regular files only and streams them line by line;
- ``run`` ties them together in ``validate`` and returns a ``Report``;
  ``load_workspace`` spares a warm run the project file's schema check.
"""

from __future__ import annotations

from annotate.validation.checks import check_annotation_text, check_project_text, check_record
from annotate.validation.run import (
    Report,
    apply_strict,
    load_workspace,
    sort_findings,
    validate,
)

__all__ = ["Report", "apply_strict", "check_annotation_text", "check_project_text",
           "check_record", "load_workspace", "sort_findings", "validate"]
