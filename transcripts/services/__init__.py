"""Writes of the transcripts app, one module a sub-domain:

- ``projects``: projects and their members;
- ``transcripts``: ``transcript_create``, the one way a transcript is made with its turns and
  participants (upload, REFI-QDA import and the demo all call it);
- ``uploads``: an upload batch from the files to the review to the import;
- ``participants``: participants, their attributes and the attribute-table import.
"""
