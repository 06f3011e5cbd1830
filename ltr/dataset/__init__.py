"""Training datasets: videos (and still images served as one-frame sequences) read from disk.

The classes are imported on first use, so ``import ltr.dataset.synthetic`` (the generator and its
command line) does not pay for torch and the readers.
"""
import importlib

_EXPORTS = {
    "BaseImageDataset": "ltr.dataset.base_image_dataset",
    "BaseVideoDataset": "ltr.dataset.base_video_dataset",
    "MSCOCO": "ltr.dataset.coco",
    "MSCOCOSeq": "ltr.dataset.coco_seq",
    "Got10k": "ltr.dataset.got10k",
    "ImagenetVID": "ltr.dataset.imagenetvid",
    "Lasot": "ltr.dataset.lasot",
    "TrackingNet": "ltr.dataset.trackingnet",
    "AnnotationError": "ltr.dataset.errors",
    "DatasetLayoutError": "ltr.dataset.errors",
    "SplitFileError": "ltr.dataset.errors",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ltr.dataset' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
