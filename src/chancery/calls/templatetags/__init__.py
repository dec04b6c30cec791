"""Template tags of calls."""
