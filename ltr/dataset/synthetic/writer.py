"""write_dataset: generate sequences and write them in one of the supported layouts."""
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Tuple, Union

from . import output
from .scene import check_image_size
from .formats import REGISTRY
from .formats.common import WriteJob

logger = logging.getLogger(__name__)

#: Names of the supported layouts.
FORMATS: Tuple[str, ...] = tuple(REGISTRY)


@dataclass
class SyntheticDatasetInfo:
    """What was written: `root` is the folder to point the dataset class / settings at;
    `sequences` holds one truth record per sequence (formats.common.SequenceRecord), or per
    image for coco (formats.coco.StillRecord)."""

    root: Path
    format: str
    sequences: List[Any]
    options: dict


def _check_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def resolve_options(fmt: str, options: dict) -> dict:
    """Format options merged over the format's defaults; unknown names or values are errors."""
    if fmt not in REGISTRY:
        raise ValueError(f"Unknown format {fmt!r}; supported formats: {', '.join(FORMATS)}")
    spec = REGISTRY[fmt]
    unknown = sorted(set(options) - set(spec.defaults))
    if unknown:
        known = ", ".join(spec.defaults) or "none"
        raise ValueError(f"Unknown option(s) {', '.join(unknown)} for format {fmt!r}; its options: {known}")
    merged = {**spec.defaults, **options}
    for name, allowed in spec.choices.items():
        if merged[name] not in allowed:
            raise ValueError(f"Format {fmt!r} option {name}={merged[name]!r} is not one of "
                             f"{', '.join(map(str, allowed))}")
    return merged


def write_dataset(fmt: str, out_dir: Union[str, Path], num_sequences: int = 4, num_frames: int = 30, seed: int = 0,
                  image_size: Tuple[int, int] = (320, 240), *, overwrite: bool = False, jpeg_quality: int = 95,
                  **format_options: Any) -> SyntheticDatasetInfo:
    """Generate `num_sequences` sequences of `num_frames` frames (image_size = (width, height))
    and write them in layout `fmt` under `out_dir`. The folder the layout owns (out_dir, or
    out_dir/<split> for got10k) must be missing or empty unless `overwrite`; it is written into a
    hidden temporary sibling and renamed into place only when complete."""
    options = resolve_options(fmt, format_options)
    _check_positive("num_sequences", num_sequences)
    _check_positive("num_frames", num_frames)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    check_image_size(image_size)
    if not 1 <= int(jpeg_quality) <= 100:
        raise ValueError(f"jpeg_quality must be in 1..100, got {jpeg_quality!r}")
    spec = REGISTRY[fmt]
    out_dir = Path(out_dir).expanduser().absolute()
    unit = spec.unit(options)
    target = out_dir / unit if unit else out_dir
    tmp = output.start(target, overwrite)
    job = WriteJob(tmp, target, num_sequences, num_frames, seed, (int(image_size[0]), int(image_size[1])),
                   int(jpeg_quality), options)
    try:
        records = spec.write(job)
        output.finish(tmp, target)
    except BaseException:
        output.abandon(tmp)
        raise
    logger.info("Wrote %d %s sequences to %s", num_sequences, fmt, target)
    return SyntheticDatasetInfo(root=target, format=fmt, sequences=records, options=options)


def dataset_root(fmt: str, out_dir: Union[str, Path], **format_options: Any) -> Path:
    """The folder `write_dataset(fmt, out_dir, ...)` writes (out_dir, or out_dir/<split> for got10k)."""
    options = resolve_options(fmt, format_options)
    unit = REGISTRY[fmt].unit(options)
    out_dir = Path(out_dir).expanduser().absolute()
    return out_dir / unit if unit else out_dir


def _initialized_process_group():
    """torch.distributed when a process group is up (checked without importing torch)."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist
    return None


def ensure_dataset(fmt: str, out_dir: Union[str, Path], num_sequences: int = 4, num_frames: int = 30,
                   seed: int = 0, image_size: Tuple[int, int] = (320, 240), **format_options: Any) -> Path:
    """The root of the synthetic dataset under `out_dir`, generated on first use.

    Datasets appear atomically, so a non-empty root is complete and is used as it is. In a
    distributed run (a torch process group is up) only rank 0 generates; the others wait for it.
    """
    root = dataset_root(fmt, out_dir, **format_options)
    dist = _initialized_process_group()
    if dist is None or dist.get_rank() == 0:
        if not (root.is_dir() and any(root.iterdir())):
            try:
                write_dataset(fmt, out_dir, num_sequences, num_frames, seed, image_size, **format_options)
            except FileExistsError:
                if not (root.is_dir() and any(root.iterdir())):
                    raise  # not another writer's finished dataset: a real problem
    if dist is not None:
        dist.barrier()
    if not root.is_dir():
        raise FileNotFoundError(f"Synthetic {fmt} data missing in {root}; in a distributed run the "
                                f"folder must be shared by all processes")
    return root
