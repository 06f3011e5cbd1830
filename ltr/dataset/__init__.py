"""Training datasets: videos (and still images served as one-frame sequences) read from disk.

The classes are imported on first use, so ``import ltr.dataset.synthetic`` (the generator and its
command line) does not pay for torch and the readers.
"""
from ltr.admin.lazy_exports import lazy_exports

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

__getattr__, __dir__ = lazy_exports("ltr.dataset", _EXPORTS, globals())
