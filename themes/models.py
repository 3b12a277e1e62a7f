"""Suggestion runs, suggestions, candidate themes and framework-matrix summaries."""
