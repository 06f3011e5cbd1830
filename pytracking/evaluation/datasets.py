"""The lazy name -> module table of benchmark datasets and :func:`get_dataset`.

A dataset module is imported only when its name is asked for. To add a benchmark, add one
entry here and one module in ``pytracking/evaluation/``.
"""
from __future__ import annotations

import difflib
import importlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ltr.admin.cli import UnknownNameError
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatasetInfo:
    module: str
    class_name: str
    kwargs: dict[str, Any] = field(default_factory=dict)


_PKG = "pytracking.evaluation."

DATASETS: dict[str, DatasetInfo] = {
    "otb": DatasetInfo(_PKG + "otbdataset", "OTBDataset"),
    "lasot": DatasetInfo(_PKG + "lasotdataset", "LaSOTDataset"),
    "got10k_test": DatasetInfo(_PKG + "got10kdataset", "GOT10kDataset", {"split": "test"}),
    "got10k_val": DatasetInfo(_PKG + "got10kdataset", "GOT10kDataset", {"split": "val"}),
    "got10k_ltrval": DatasetInfo(_PKG + "got10kdataset", "GOT10kDataset", {"split": "ltrval"}),
    "trackingnet": DatasetInfo(_PKG + "trackingnetdataset", "TrackingNetDataset"),
    "uav": DatasetInfo(_PKG + "uavdataset", "UAVDataset"),
    "nfs": DatasetInfo(_PKG + "nfsdataset", "NFSDataset"),
    "vot": DatasetInfo(_PKG + "votdataset", "VOTDataset"),
    "synthetic": DatasetInfo(_PKG + "syntheticdataset", "SyntheticDataset"),
}


#: Number of sequences of the full benchmarks, by the ``dataset`` name their sequences carry.
BENCHMARK_SIZES: dict[str, int] = {"otb": 100, "uav": 123, "nfs": 100, "lasot": 280, "trackingnet": 511}


def benchmark_coverage(sequences: Iterable[Sequence]) -> dict[str, tuple[int, int]]:
    """``dataset -> (sequences present, sequences of the full benchmark)`` for known benchmarks."""
    counts = Counter(s.dataset for s in sequences)
    return {name: (n, BENCHMARK_SIZES[name]) for name, n in counts.items() if name in BENCHMARK_SIZES}


def describe_coverage(coverage: dict[str, tuple[int, int]]) -> str:
    """``'otb: 1 of 100 sequences'`` for each partial benchmark, joined by '; ' ('' if none)."""
    return "; ".join(f"{name}: {n} of {total} sequences" for name, (n, total) in coverage.items() if n < total)


def load_dataset(name: str, **kwargs: Any) -> BaseDataset:
    """The dataset object registered as ``name`` (extra keyword arguments go to its constructor)."""
    info = DATASETS.get(name)
    if info is None:
        close = difflib.get_close_matches(name, DATASETS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(f"Unknown dataset '{name}'.{hint} Known datasets: "
                               f"{', '.join(DATASETS)}")
    cls = getattr(importlib.import_module(info.module), info.class_name)
    return cls(**{**info.kwargs, **kwargs})


def get_dataset(*names: str) -> SequenceList:
    """The sequences of one or more datasets, concatenated."""
    seqs = SequenceList()
    for name in names:
        loaded = load_dataset(name).get_sequence_list()
        partial = describe_coverage(benchmark_coverage(loaded))
        if partial:
            logger.warning("Dataset '%s' is incomplete: %s", name, partial)
        seqs.extend(loaded)
    return seqs
