"""Exports: the theme-quote matrix, the framework matrix and the report.

``records`` turns a project's codings (filtered) into quote records; the writers (``quotes``,
``framework``, ``report``) shape them into CSV, XLSX, DOCX and HTML; ``views``, ``tasks`` and the
``export_matrix`` command are the ways in.
"""
