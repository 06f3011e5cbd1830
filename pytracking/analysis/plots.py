"""Paper-ready curve plots (matplotlib, Agg canvas, no pyplot state): PNG and PDF.

The legend lists trackers sorted by their score, best first, with the score in brackets.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ltr.admin.atomic_file import atomic_open

FIGSIZE = (6.4, 4.8)
DPI = 150
_STYLES = ["-", "--", "-.", ":"]


def plot_curves(x: np.ndarray, curves: np.ndarray, labels: Sequence[str], scores: Sequence[float],
                out_base: Path, title: str, xlabel: str, ylabel: str, score_name: str,
                formats: Sequence[str] = ("png", "pdf"), legend_loc: str = "lower left") -> list[Path]:
    """Plot one curve per tracker (``curves`` T x K, in [0, 1]) and write ``out_base.<fmt>``."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    colors = [f"C{i % 10}" for i in range(len(labels))]
    for rank, t in enumerate(order):
        ax.plot(x, 100.0 * curves[t], linestyle=_STYLES[(rank // 10) % len(_STYLES)], color=colors[rank],
                linewidth=2.0 if rank == 0 else 1.5, label=f"{labels[t]} [{score_name}: {scores[t]:.1f}]")
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.set_ylim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, linestyle="--", alpha=0.4)
    ax.legend(loc=legend_loc, fontsize="small", framealpha=0.9)
    fig.tight_layout()
    out_base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_base.with_name(f"{out_base.name}.{fmt}")
        with atomic_open(path, "wb") as f:
            fig.savefig(f, format=fmt)
        written.append(path)
    return written
