"""Reads of the coding app, scoped through the project the caller has already checked (or
taking the requesting user, and giving a non-member 404), one module a sub-domain:

- ``codes``: the framework (the code tree, its table with counts, the audit log);
- ``screen``: the coding screen's turns, spans and the coder view;
- ``retrieval``: every quote coded with a code or a theme;
- ``search``: text search with keyword in context.
"""
