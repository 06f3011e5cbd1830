"""Backbone networks (the project's own ResNets with torchvision key names)."""
from ltr.models.backbone.resnet import ResNet, resnet18, resnet50

__all__ = ["ResNet", "resnet18", "resnet50"]
