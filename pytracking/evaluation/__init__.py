"""Benchmark datasets, sequences, the results layout, and running trackers over them.

Names are imported on first use, so ``python -m pytracking.evaluation.environment`` runs cleanly.
"""
from ltr.admin.lazy_exports import lazy_exports

_EXPORTS = {
    "BaseDataset": "pytracking.evaluation.data",
    "DatasetLayoutError": "pytracking.evaluation.data",
    "Sequence": "pytracking.evaluation.data",
    "SequenceList": "pytracking.evaluation.data",
    "get_dataset": "pytracking.evaluation.datasets",
    "load_dataset": "pytracking.evaluation.datasets",
    "Tracker": "pytracking.evaluation.tracker",
    "run_dataset": "pytracking.evaluation.running",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports("pytracking.evaluation", _EXPORTS, globals())
