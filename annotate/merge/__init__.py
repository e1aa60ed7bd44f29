"""Merging reviewers' work on one document (issue 9).  Pure: records in, records out.

- ``positions``: one document's spans grouped into positions, each with a status
  (agreed, conflict, incomplete, stacked) and an id that survives re-merges;
- ``strategies``: what to do with a position (unanimous, majority, union,
  prefer:REVIEWER), unless an editor decided it;
- ``consensus``: ``merge_document``, tying both together into the consensus
  records to write, the conflicts left and a summary;
- ``reference``: the all-pairs grouping the sweep must agree with (tests and
  the benchmark's baseline);
- ``gitdriver``: the three-way merge of one annotation file by id that
  `annotate git-merge-driver` runs for git (item 5).

Nothing here reads or writes files, prints, or imports click, the store or api.
"""
