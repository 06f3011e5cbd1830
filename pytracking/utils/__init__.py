"""Small helpers of `pytracking` shared by evaluation and analysis."""
from pytracking.utils.load_text import TextTableError, load_text

__all__ = ["load_text", "TextTableError"]
