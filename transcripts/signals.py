"""Signals the transcripts app sends for the apps above it (which may listen; this app knows
none of them). The coding app writes the project's audit log from them."""

from django.dispatch import Signal

# Sent after a member is added, changes role or is removed: project, by (who did it), member
# (the user), action ("add", "role", "remove"), before and after (the role, or None).
membership_changed = Signal()

# Sent inside the transaction that rewrote a transcript's text (pseudonymisation and its
# reversal): transcript (already saved with its new text), remap (``remap.span(start, end)``
# gives a span's new offsets), replacements ([(old words, new words)], for text kept outside
# spans, such as suggestion reasons). Apps above remap the spans they store on it.
transcript_rewritten = Signal()

# Sent when identifiers are decided, applied or reversed: project, by, action ("decide",
# "apply", "reverse"), identifier (or None), details (never the original text).
pseudonymisation_changed = Signal()
