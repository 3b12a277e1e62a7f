"""Writes of the coding app, one module a sub-domain:

- ``codes``: the framework (codes: create, update, move, reorder, place, merge, delete);
- ``codings``: codings (apply, update, remove) and the integrity check;
- ``codebook_csv``: the framework as a CSV codebook (import and export);
- ``audit``: the append-only audit log every write records.
REFI-QDA exchange is in ``coding.refi``.
"""
