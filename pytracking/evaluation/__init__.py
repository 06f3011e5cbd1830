"""Benchmark datasets, sequences and the results layout of `pytracking`."""
from pytracking.evaluation.data import BaseDataset, DatasetLayoutError, Sequence, SequenceList
from pytracking.evaluation.datasets import get_dataset, load_dataset

__all__ = ["BaseDataset", "DatasetLayoutError", "Sequence", "SequenceList", "get_dataset", "load_dataset"]
