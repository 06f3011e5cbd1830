"""The built-in synthetic benchmark: the synthetic generator's OTB layout under the
``synthetic_path`` setting, generated on first use (fixed seed, small size) and read with the
OTB reader. Generation writes into a temporary sibling folder that is renamed into place, so an
interrupted or concurrent first use never leaves a half-written benchmark."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.environment import env_settings
from pytracking.evaluation.otbdataset import OTBDataset

logger = logging.getLogger(__name__)

DEFAULT_SEED = 0
DEFAULT_NUM_SEQUENCES = 3
DEFAULT_NUM_FRAMES = 60
DEFAULT_IMAGE_SIZE = (320, 240)
_DONE_MARK = ".complete"


def ensure_synthetic_benchmark(root: Path, num_sequences: int = DEFAULT_NUM_SEQUENCES,
                               num_frames: int = DEFAULT_NUM_FRAMES, seed: int = DEFAULT_SEED,
                               image_size: tuple[int, int] = DEFAULT_IMAGE_SIZE) -> Path:
    """Generate the OTB-layout synthetic benchmark at ``root`` unless it is already complete."""
    root = Path(root)
    if (root / _DONE_MARK).is_file():
        return root
    if root.is_dir() and any(root.iterdir()):
        raise FileExistsError(f"The synthetic benchmark folder {root} (setting 'synthetic_path') is not empty but "
                              f"holds no complete generated benchmark; delete it or point synthetic_path elsewhere")
    from ltr.dataset.synthetic import write_dataset  # imported lazily: only needed to generate

    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        logger.info("Generating the synthetic benchmark (%d x %d frames) in %s", num_sequences,
                    num_frames, root)
        info = write_dataset("otb", staging / "data", num_sequences=num_sequences, num_frames=num_frames,
                             seed=seed, image_size=tuple(image_size))
        generated = Path(info.root)
        (generated / _DONE_MARK).write_text(f"seed={seed} sequences={num_sequences} frames={num_frames}\n")
        try:
            os.rename(generated, root)
        except OSError as exc:
            # Another process may have finished first: keep theirs.
            if not (root / _DONE_MARK).is_file():
                raise FileExistsError(f"Cannot move the generated synthetic benchmark to {root} (setting "
                                      f"'synthetic_path'): {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


class SyntheticDataset(OTBDataset):
    """The synthetic benchmark from the ``synthetic_path`` setting (or ``root``)."""

    settings_field = "synthetic_path"
    name = "synthetic"

    def __init__(self, root=None) -> None:
        super().__init__(root, frame_ranges={})

    def get_sequence_list(self) -> SequenceList:
        if self._root is None:
            self._root = Path(env_settings().synthetic_path)
        ensure_synthetic_benchmark(self._root)
        return super().get_sequence_list()
