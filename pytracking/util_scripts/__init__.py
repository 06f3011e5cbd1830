"""Command-line utilities of `pytracking` (packing results for benchmark servers)."""
