"""Signals the transcripts app sends for the apps above it (which may listen; this app knows
none of them). The coding app writes the project's audit log from them."""

from django.dispatch import Signal

# Sent after a member is added, changes role or is removed: project, by (who did it), member
# (the user), action ("add", "role", "remove"), before and after (the role, or None).
membership_changed = Signal()
