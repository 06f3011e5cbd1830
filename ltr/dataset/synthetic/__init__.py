"""Synthetic tracking videos with exact ground truth, written in real dataset layouts.

    from ltr.dataset.synthetic import generate_sequence, write_dataset, FORMATS
    seq = generate_sequence(seed=0, num_frames=30, image_size=(320, 240))   # (width, height)
    info = write_dataset("got10k", "/tmp/syn", num_sequences=4, num_frames=30)
    info.root  # -> /tmp/syn/train, the folder to point the GOT-10k settings at

Scenes: a textured target (rectangle, ellipse, triangle, hexagon or diamond; some rotate) moves
smoothly over a cluttered textured background with a slowly panning camera, changes scale and
aspect ratio, passes behind an occluding bar (partial, then full occlusion), leaves the image
through the nearest border and returns; a distractor of the same shape and texture family moves
elsewhere (behind the target). Frame 0 always shows the whole target. Everything is determined
by the seed (numpy default_rng).

Ground truth (details in scene.py): pixels belong to a shape when their centre is inside it;
`boxes` = pixel-aligned bounding box [x, y, w, h] of the target's whole silhouette inside the
image (occluded parts included; [0, 0, 0, 0] when completely outside the image);
`visible_ratio` = visible pixels / whole silhouette; `visible`, `out_of_view`, `full_occlusion`,
`cut_by_image` flags. Absent = not visible = fully out of view or fully occluded.

Layouts (FORMATS; each writer module documents its files and its absent-frame convention):
got10k (option split), lasot (sequences_per_class), trackingnet (num_sets), coco (version,
split), otb, vot, uav, nfs. Output is written to a hidden temporary sibling folder and renamed
into place when complete; a non-empty target folder is refused unless overwrite=True.

Command line: python -m ltr.dataset.synthetic --help
"""
from .formats.coco import StillRecord
from .formats.common import SequenceRecord, sequence_seed
from .scene import SyntheticSequence, generate_sequence
from .writer import FORMATS, SyntheticDatasetInfo, dataset_root, ensure_dataset, write_dataset

__all__ = ["FORMATS", "SequenceRecord", "StillRecord", "SyntheticDatasetInfo", "SyntheticSequence",
           "dataset_root", "ensure_dataset", "generate_sequence", "sequence_seed", "write_dataset"]
