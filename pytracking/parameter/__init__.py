"""Parameter modules: pytracking/parameter/<tracker>/<setting>.py, each with parameters()."""
