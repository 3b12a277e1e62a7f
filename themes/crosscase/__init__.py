"""Looking across the data: co-occurrence of codes, codes compared by group, attribute or
coder, and Boolean retrieval of turns, each computed by the database
(see docs/guide-crosscase.md)."""
