"""The theme engine: spaCy preprocessing and scikit-learn models, with no Django in it."""

from .ranking import CodeProfile, Ranking, Settings, rank_units

__all__ = ["CodeProfile", "Ranking", "Settings", "rank_units"]
