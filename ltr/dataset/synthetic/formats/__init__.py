"""Registry of the on-disk layouts the synthetic generator can write."""
from typing import Dict

from . import coco, got10k, lasot, nfs, otb, trackingnet, uav, vot
from .common import FormatSpec

REGISTRY: Dict[str, FormatSpec] = {spec.name: spec for spec in (
    got10k.SPEC, lasot.SPEC, trackingnet.SPEC, coco.SPEC, otb.SPEC, vot.SPEC, uav.SPEC, nfs.SPEC)}
