"""Training data pipeline: image loaders, joint transforms, processing, samplers and the loader.

Typical use (as in ltr/train_settings/bbreg/atom.py)::

    from ltr.data import processing, sampler, LTRLoader
    import ltr.data.transforms as tfm
"""

from ltr.data import processing, processing_utils, sampler, transforms
from ltr.data.image_loader import (
    ImageLoadError,
    default_image_loader,
    jpeg4py_loader,
    opencv_loader,
    pil_loader,
)
from ltr.data.loader import LTRLoader, ltr_collate, ltr_collate_stack1

__all__ = [
    "processing",
    "processing_utils",
    "sampler",
    "transforms",
    "LTRLoader",
    "ltr_collate",
    "ltr_collate_stack1",
    "ImageLoadError",
    "default_image_loader",
    "jpeg4py_loader",
    "opencv_loader",
    "pil_loader",
]
