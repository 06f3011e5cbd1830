"""What the two COCO datasets share: the non-crowd objects of one split as their entries."""

from __future__ import annotations

from collections import OrderedDict
from typing import Optional

from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_dataset import ImageLoader
from ltr.dataset.coco_index import CocoIndex
from ltr.dataset.subset import fraction_subset


class CocoObjects:
    """Mixin of :class:`~ltr.dataset.MSCOCO` and :class:`~ltr.dataset.MSCOCOSeq`, listed before
    their base class: ``coco`` (the split's :class:`CocoIndex`), ``objects`` (indices into
    ``coco.annotations``, ``data_fraction`` of them), their classes, annotations and meta.

    Layout: ``<root>/annotations/instances_<split><version>.json`` and ``<root>/<split><version>/``.
    ``version`` is '2014' or '2017'; None picks whichever is present (2017 first).
    """

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        data_fraction: Optional[float] = None,
        min_area: Optional[float] = None,
        split: str = "train",
        version: Optional[str] = None,
    ) -> None:
        index = CocoIndex(root, split, version, min_area)
        super().__init__("coco", index.root, image_loader)
        self.coco = index
        self.objects = fraction_subset(list(range(len(index.annotations))), data_fraction)
        self.class_list = index.class_list
        self._use_objects(self.objects, index.entries_per_class(self.objects))

    def _use_objects(self, objects: list[int], per_class: dict[str, list[int]]) -> None:
        """Make ``objects`` and their classes the base class's entry list and class index."""
        raise NotImplementedError

    def _annotation(self, entry_id: int) -> dict:
        return self.coco.annotations[self.objects[entry_id]]

    def get_meta_info(self, entry_id: int) -> OrderedDict:
        return self.coco.object_meta(self._annotation(entry_id))

    def has_class_info(self) -> bool:
        return True

    def has_segmentation_info(self) -> bool:
        return True
