"""Deep features for the trackers: the ATOM network's backbone and IoU-predictor features.

:class:`ATOMFeatures` loads the ATOM network (``ltr.models.bbreg.atom``) and, for image patches
(``N x 3 x H x W`` RGB in 0..255), returns

* the classifier features (``output_layers``, default ``['layer3']``, stride 16), each sample
  normalised with ``normalize_power`` ``p``: divided by ``(mean over C,H,W of |f|^p)^(1/p)``; for
  ``p = 2`` every sample then has L2 norm ``sqrt(C H W)`` (the original's normalisation);
* on request, the IoU-Net features of the same pass: the raw backbone ``layer2``/``layer3``
  outputs (for the modulation vectors) and their test-branch transforms (for IoU prediction).

Images are preprocessed as the network was trained: ``/255``, then ImageNet mean/std. On the CPU
the network runs in channels-last memory format (faster convolutions and pooling). The network
is used in eval mode with its batch-norm layers folded into the preceding convolutions. On the
CPU, with the compiled CPU kernels built, its stem (7x7 convolution, ReLU, max pooling) runs as one
pass, and with ``winograd=True`` its ResNet blocks compute their 3x3 convolutions by Winograd
F(4x4, 3x3) (:mod:`pytracking.features.cpu_backbone`; both equal up to float32 rounding).

The weight file comes from ``network``: an absolute path, or a file name in the folder of the
``network_path`` setting (:func:`pytracking.evaluation.environment.env_settings`). If a *file name*
is not found there, a deterministic seeded random ATOM network is used instead (its backbone takes
torchvision's ImageNet ResNet-18 weights when that file is in ltr's ``pretrained_networks``
folder), with one warning; a missing *absolute* path is an error.
"""
from __future__ import annotations

import copy
import logging
import math
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from pytracking.features.cpu_backbone import use_fused_stem, use_winograd_blocks
from pytracking.libs.cpu_kernels import winograd
from pytracking.libs.tensorlist import TensorList

logger = logging.getLogger(__name__)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
LAYER_STRIDE = {"conv1": 2, "layer1": 4, "layer2": 8, "layer3": 16, "layer4": 32}

# On the CPU a large batch (ATOM's ~23 augmented first-frame samples) runs slower per sample than
# small ones, whose activations stay in the cache: 24 samples of 288 x 288 took 1.08 s as one batch
# and 0.85 s in batches of up to 8 (2 threads); the results are the same.
CPU_BATCH_CHUNK = 4

_NETWORK_CACHE: Dict[Tuple[str, str, bool], torch.nn.Module] = {}
_warned_fallback = False
_warned_winograd = False


def resolve_network_path(network: str) -> Optional[Path]:
    """The weight file of ``network``, or None when a plain file name is not found.

    Raises FileNotFoundError for an absolute (or ``~``) path that does not exist.
    """
    path = Path(network).expanduser()
    if path.is_absolute():
        if not path.is_file():
            raise FileNotFoundError(f"Network weight file {path} (parameter 'network') does not exist")
        return path
    from pytracking.evaluation.environment import env_settings  # settings are read at run time

    folder = env_settings().get("network_path")
    candidate = Path(folder).expanduser() / network if folder else None
    if candidate is not None and candidate.is_file():
        return candidate
    return None


def build_random_atom_network(seed: int = 1) -> torch.nn.Module:
    """ATOM ResNet-18 with seeded random weights (ImageNet backbone if its file is available)."""
    from ltr.models.backbone.resnet import pretrained_weight_file
    from ltr.models.bbreg.atom import atom_resnet18

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = atom_resnet18(backbone_pretrained=False)
    try:
        backbone_file = pretrained_weight_file("resnet18")
    except FileNotFoundError:
        backbone_file = None
    if backbone_file is not None:
        state = torch.load(backbone_file, map_location="cpu", weights_only=True)
        net.feature_extractor.load_state_dict(state)
    net.backbone_source = backbone_file or f"random (seed {seed})"
    return net


def fold_batchnorm(net: torch.nn.Module) -> torch.nn.Module:
    """An inference copy of ``net`` (eval mode) with every BatchNorm2d that directly follows a
    Conv2d merged into that convolution (and replaced by Identity): the same outputs, fewer passes.

    Pairs are found inside ``nn.Sequential`` (consecutive modules) and as sibling attributes
    ``convN`` / ``bnN`` (ResNet blocks).
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    net = copy.deepcopy(net).eval()
    for module in list(net.modules()):
        if isinstance(module, nn.Sequential):
            for i in range(len(module) - 1):
                if isinstance(module[i], nn.Conv2d) and isinstance(module[i + 1], nn.BatchNorm2d):
                    module[i] = fuse_conv_bn_eval(module[i], module[i + 1])
                    module[i + 1] = nn.Identity()
            continue
        for name, child in list(module.named_children()):
            conv = getattr(module, "conv" + name[2:], None) if name.startswith("bn") else None
            if isinstance(child, nn.BatchNorm2d) and isinstance(conv, nn.Conv2d):
                setattr(module, "conv" + name[2:], fuse_conv_bn_eval(conv, child))
                setattr(module, name, nn.Identity())
    return net


def winograd_available(device: torch.device) -> bool:
    """Whether Winograd convolutions can run on ``device`` (CPU with the kernel built); warns once
    per process when the kernel is missing."""
    global _warned_winograd
    if device.type != "cpu":
        return False
    reason = winograd.missing_reason()
    if reason is not None and not _warned_winograd:
        logger.warning("Winograd convolutions unavailable, using torch's convolution (slower): %s", reason)
        _warned_winograd = True
    return reason is None


def load_atom_network(network: str, device: torch.device, seed: int = 1, winograd_blocks: bool = False,
                      architecture: Optional[str] = None,
                      architecture_kwargs: Optional[dict] = None) -> torch.nn.Module:
    """The ATOM network for ``network`` on ``device`` in eval mode (cached per process). On the CPU
    its ResNet stem runs fused when the CPU kernels are built, and with ``winograd_blocks`` its
    ResNet blocks run Winograd convolutions (:mod:`pytracking.features.cpu_backbone`). A weight
    file that stores only weights is built with ``architecture`` (``module.function`` of a
    registered constructor) and ``architecture_kwargs``."""
    global _warned_fallback
    path = resolve_network_path(network)
    key = (str(path) if path is not None else f"<random seed {seed}>", str(device), winograd_blocks)
    if key in _NETWORK_CACHE:
        return _NETWORK_CACHE[key]
    if path is not None:
        from ltr.admin.loading import load_network

        net, _ = load_network(path, architecture=architecture,
                              architecture_kwargs=architecture_kwargs, backbone_pretrained=False)
        logger.info("Loaded the ATOM network from %s", path)
    else:
        net = build_random_atom_network(seed)
        if not _warned_fallback:
            from pytracking.evaluation.environment import env_settings

            logger.warning(
                "Network weight file '%s' not found in the network_path folder (%s): using a "
                "seeded random ATOM network (backbone: %s). Tracking quality will be poor; put the "
                "trained weights there for real results.", network,
                env_settings().get("network_path") or "not set", net.backbone_source)
            _warned_fallback = True
    for p in net.parameters():
        p.requires_grad_(False)
    net = fold_batchnorm(net.to(device).eval())
    if device.type == "cpu":
        # channels-last memory is markedly faster for the CPU convolutions and pooling
        net = net.to(memory_format=torch.channels_last)
        use_fused_stem(net)
        if winograd_blocks:
            use_winograd_blocks(net)
    _NETWORK_CACHE[key] = net
    return net


def normalize_features(feat: torch.Tensor, power: Optional[float]) -> torch.Tensor:
    """Divide each sample by ``(mean over C,H,W of |feat|^power)^(1/power)`` (None: unchanged)."""
    if power is None:
        return feat
    n = feat.shape[0]
    mean_pow = feat.abs().reshape(n, -1).pow(power).mean(dim=1)
    return feat / (mean_pow + 1e-10).pow(1.0 / power).reshape(n, 1, 1, 1)


class ATOMFeatures:
    """Classifier and IoU-Net features of the ATOM network (see the module docstring)."""

    def __init__(self, network: str = "atom_default.pth", output_layers: Sequence[str] = ("layer3",),
                 normalize_power: Optional[float] = 2.0, device: Optional[torch.device] = None,
                 use_iou_net: bool = True, seed: int = 1, winograd: bool = False,
                 architecture: Optional[str] = None,
                 architecture_kwargs: Optional[dict] = None) -> None:
        unknown = [layer for layer in output_layers if layer not in LAYER_STRIDE]
        if unknown or not output_layers:
            raise ValueError(f"output_layers {list(output_layers)!r}: choose from {list(LAYER_STRIDE)}")
        self.network = network
        self.architecture, self.architecture_kwargs = architecture, architecture_kwargs
        self.output_layers = list(output_layers)
        self.normalize_power = normalize_power
        self.device = torch.device(device) if device is not None else torch.device("cpu")
        self.use_iou_net = use_iou_net
        self.seed = seed
        # Winograd convolutions (CPU, kernel built): see pytracking.libs.cpu_kernels.winograd
        self.winograd_in_use = winograd and winograd_available(self.device)
        self.net: Optional[torch.nn.Module] = None
        self.iou_layers: list = []
        self._iou_backbone: Optional[TensorList] = None
        self._iou_feat: Optional[TensorList] = None
        self._mean = torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1).to(self.device) * 255
        self._std = torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1).to(self.device) * 255

    def initialize(self) -> None:
        """Load the network (once)."""
        if self.net is None:
            self.net = load_atom_network(self.network, self.device, self.seed, self.winograd_in_use,
                                         self.architecture, self.architecture_kwargs)
            self.iou_layers = list(getattr(self.net, "bb_regressor_layer", ["layer2", "layer3"]))

    @property
    def iou_predictor(self) -> torch.nn.Module:
        self.initialize()
        return self.net.bb_regressor

    def stride(self) -> list:
        return [LAYER_STRIDE[layer] for layer in self.output_layers]

    def dim(self) -> list:
        """Channels of the classifier features (read from the loaded backbone)."""
        self.initialize()
        dims = []
        for layer in self.output_layers:
            module = getattr(self.net.feature_extractor, layer)
            if not isinstance(module, nn.Conv2d):
                module = [m for m in module[-1].modules() if isinstance(m, nn.Conv2d)][-1]
            dims.append(module.out_channels)
        return dims

    def size(self, im_sz: Sequence[float]) -> list:
        """Feature-map sizes (h, w) for an input of size ``im_sz``: ``ceil(size / stride)``
        (every strided ResNet stage pads so that it halves with rounding up)."""
        return [torch.tensor([math.ceil(float(im_sz[0]) / s), math.ceil(float(im_sz[1]) / s)])
                for s in self.stride()]

    def preprocess(self, im: torch.Tensor) -> torch.Tensor:
        """RGB 0..255 patches -> ImageNet-normalised network input on the device."""
        out = (im.to(self.device) - self._mean) / self._std
        if self.device.type == "cpu":
            out = out.contiguous(memory_format=torch.channels_last)
        return out

    def extract(self, im: torch.Tensor) -> TensorList:
        """Normalised classifier features of ``im`` (N x 3 x H x W, RGB 0..255)."""
        self.initialize()
        layers = sorted(set(self.output_layers) | (set(self.iou_layers) if self.use_iou_net else set()),
                        key=lambda name: LAYER_STRIDE[name])
        x = self.preprocess(im)
        chunk = CPU_BATCH_CHUNK if self.device.type == "cpu" else x.shape[0]
        with torch.no_grad():
            parts = [self.net.extract_features(x[i:i + chunk], layers) for i in range(0, x.shape[0], chunk)]
        out = parts[0] if len(parts) == 1 else {layer: torch.cat([p[layer] for p in parts]) for layer in layers}
        self._iou_backbone = TensorList([out[layer] for layer in self.iou_layers]) if self.use_iou_net else None
        self._iou_feat = None
        return TensorList([normalize_features(out[layer], self.normalize_power)
                           for layer in self.output_layers])

    def iou_backbone_features(self) -> TensorList:
        """Backbone features [layer2, layer3] of the last :meth:`extract` call."""
        if self._iou_backbone is None:
            raise RuntimeError("No IoU-Net backbone features: call extract() first (with use_iou_net)")
        return self._iou_backbone

    def iou_features(self) -> TensorList:
        """IoU-Net test-branch features of the last :meth:`extract` call (computed once)."""
        if self._iou_feat is None:
            with torch.no_grad():
                self._iou_feat = TensorList(self.iou_predictor.get_iou_feat(self.iou_backbone_features()))
        return self._iou_feat

    def iou_layer_strides(self) -> list:
        return [LAYER_STRIDE[layer] for layer in self.iou_layers]


def default_device(use_gpu: bool = True, device: Optional[str] = None) -> torch.device:
    """``device`` if given, else CUDA when available and ``use_gpu``, else the CPU."""
    if device:
        return torch.device(device)
    return torch.device("cuda" if use_gpu and torch.cuda.is_available() else "cpu")

