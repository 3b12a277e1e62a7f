"""Inter-coder agreement: Krippendorff's alpha, Cohen's kappa and percent agreement at the
speaker turn, sentence or character (see docs/guide-team.md)."""
