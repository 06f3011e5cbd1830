"""Joint transforms of images, boxes, coordinates and masks.

``Transform(t1, t2, ...)`` composes transforms. Called as ``transform(image=..., bbox=..., mask=...,
coords=...)`` it applies every transform with the *same* random parameters to all inputs, and to
every element when an input is a list (one roll for the whole call). With ``joint=False`` every
list element gets its own roll; ``new_roll=False`` reuses the parameters of the previous call.
``rng`` (a numpy Generator) is the source of randomness (default: the process generator of
:mod:`ltr.data.rng`).

Input types: image = numpy H x W x C (uint8 RGB before ToTensor) or torch C x H x W;
mask = numpy or torch H x W; bbox = tensor [x, y, w, h]; coords = tensor (N, 2) of [x, y] points.
Geometry uses continuous pixel coordinates (pixel j spans [j, j + 1)); see processing_utils.
The call returns the transformed inputs in the order given (a single value for a single input).
"""

from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ltr.data.bounding_box_utils import box_corners, enclosing_box
from ltr.data.rng import resolve_rng

VALID_INPUTS = ("image", "coords", "bbox", "mask")
_VALID_ARGS = ("joint", "new_roll", "rng")


def _size_of(image) -> tuple[int, int]:
    if torch.is_tensor(image):
        return int(image.shape[-2]), int(image.shape[-1])
    return int(image.shape[0]), int(image.shape[1])


def _image_sizes(inputs: dict, count: Optional[int]) -> list:
    """(H, W) of the image (or mask) inputs: one per list element (``count``), or a single one."""
    for name in ("image", "mask"):
        value = inputs.get(name)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            sizes = [_size_of(v) for v in value]
            if count is not None and len(sizes) != count:
                raise ValueError(
                    f"'{name}' has {len(sizes)} elements but the boxes/coordinates have {count}"
                )
            return sizes
        return [_size_of(value)] * (count or 1)
    raise ValueError(
        "Transforming 'bbox' or 'coords' needs an 'image' or 'mask' input to know "
        "the image size"
    )


class Transform:
    """A composition of transforms applied jointly to image/bbox/coords/mask inputs."""

    def __init__(self, *transforms: "TransformBase") -> None:
        if len(transforms) == 1 and isinstance(transforms[0], (list, tuple)):
            transforms = tuple(transforms[0])
        for t in transforms:
            if not isinstance(t, TransformBase):
                raise TypeError(
                    f"Transform expects TransformBase instances, got {type(t).__name__}"
                )
        self.transforms = transforms

    def __call__(
        self,
        *,
        joint: bool = True,
        new_roll: bool = True,
        rng: Optional[np.random.Generator] = None,
        **inputs,
    ):
        unknown = [k for k in inputs if k not in VALID_INPUTS]
        if unknown:
            raise ValueError(
                f"Unknown transform input(s) {unknown}; valid inputs are "
                f"{list(VALID_INPUTS)} and arguments {list(_VALID_ARGS)}"
            )
        if not inputs:
            raise ValueError(
                "Transform called without any of the inputs " + str(list(VALID_INPUTS))
            )
        rng = resolve_rng(rng)
        names = list(inputs)
        if not joint:
            return self._call_per_element(inputs, names, new_roll, rng)
        out = dict(inputs)
        for t in self.transforms:
            out = t(out, new_roll=new_roll, rng=rng)
        return out[names[0]] if len(names) == 1 else tuple(out[n] for n in names)

    def _call_per_element(self, inputs: dict, names: list, new_roll: bool, rng):
        lengths = {n: len(v) for n, v in inputs.items() if isinstance(v, (list, tuple))}
        if len(lengths) != len(inputs) or len(set(lengths.values())) != 1:
            raise ValueError(
                "With joint=False every input must be a list of the same length, got "
                + ", ".join(f"{n}: {type(v).__name__}" for n, v in inputs.items())
            )
        count = next(iter(lengths.values()))
        results = {n: [] for n in names}
        for i in range(count):
            element = {n: inputs[n][i] for n in names}
            for t in self.transforms:
                element = t(element, new_roll=new_roll, rng=rng)
            for n in names:
                results[n].append(element[n])
        return results[names[0]] if len(names) == 1 else tuple(results[n] for n in names)

    def __repr__(self) -> str:
        return "Transform(" + ", ".join(repr(t) for t in self.transforms) + ")"


class TransformBase:
    """One transform: ``roll`` draws parameters, ``transform_<input>`` applies them.

    Geometric transforms set ``geometric = True`` and implement ``transform_coords``; their boxes
    are the enclosing box of the transformed box corners.
    """

    geometric = False

    def __init__(self) -> None:
        self._rand_params: tuple = ()

    def __call__(
        self, inputs: dict, new_roll: bool = True, rng: Optional[np.random.Generator] = None
    ) -> dict:
        if new_roll:
            params = self.roll(resolve_rng(rng))
            self._rand_params = (
                () if params is None else (params if isinstance(params, tuple) else (params,))
            )
        outputs = {}
        for name, value in inputs.items():
            if value is None:
                outputs[name] = None
                continue
            fn = getattr(self, "transform_" + name)
            is_list = isinstance(value, (list, tuple))
            values = value if is_list else [value]
            if name in ("bbox", "coords"):
                sizes = (
                    _image_sizes(inputs, len(values) if is_list else None)
                    if self.geometric
                    else [None] * len(values)
                )
                out = [fn(v, size, *self._rand_params) for v, size in zip(values, sizes)]
            else:
                out = [fn(v, *self._rand_params) for v in values]
            outputs[name] = out if is_list else out[0]
        return outputs

    def roll(self, rng: np.random.Generator):
        """Draw the random parameters of one application (None when there are none)."""
        return None

    def transform_image(self, image, *params):
        return image

    def transform_mask(self, mask, *params):
        return mask

    def transform_coords(self, coords: torch.Tensor, image_size, *params) -> torch.Tensor:
        return coords

    def transform_bbox(self, bbox: torch.Tensor, image_size, *params) -> torch.Tensor:
        if not self.geometric:
            return bbox
        corners = self.transform_coords(box_corners(bbox.float()), image_size, *params)
        return enclosing_box(corners).to(bbox.dtype)

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


def _image_to_tensor(image) -> torch.Tensor:
    if torch.is_tensor(image):
        return image
    array = np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def _mask_to_tensor(mask) -> torch.Tensor:
    if torch.is_tensor(mask):
        return mask.float()
    return torch.from_numpy(np.ascontiguousarray(mask)).float()


class ToTensor(TransformBase):
    """numpy H x W x C image -> float tensor C x H x W (uint8 scaled to [0, 1]); masks to float."""

    def transform_image(self, image):
        tensor = _image_to_tensor(image)
        return tensor.float().div(255.0) if tensor.dtype == torch.uint8 else tensor.float()

    def transform_mask(self, mask):
        return _mask_to_tensor(mask)


class ToTensorAndJitter(TransformBase):
    """ToTensor with the brightness multiplied by U(max(0, 1 - jitter), 1 + jitter).

    With ``normalize`` the result is in [0, 1] (uint8 / 255), otherwise in [0, 255].
    """

    def __init__(self, brightness_jitter: float = 0.0, normalize: bool = True) -> None:
        super().__init__()
        self.brightness_jitter = brightness_jitter
        self.normalize = normalize

    def roll(self, rng):
        return float(
            rng.uniform(max(0.0, 1.0 - self.brightness_jitter), 1.0 + self.brightness_jitter)
        )

    def transform_image(self, image, brightness_factor):
        tensor = _image_to_tensor(image).float()
        if self.normalize:
            return tensor.mul(brightness_factor / 255.0).clamp(0.0, 1.0)
        return tensor.mul(brightness_factor).clamp(0.0, 255.0)

    def transform_mask(self, mask, brightness_factor):
        return _mask_to_tensor(mask)

    def __repr__(self) -> str:
        return f"ToTensorAndJitter(brightness_jitter={self.brightness_jitter})"


class Normalize(TransformBase):
    """(image - mean) / std per channel on C x H x W tensors."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        super().__init__()
        self.mean = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
        self.std = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
        self.inplace = inplace

    def transform_image(self, image):
        if not torch.is_tensor(image):
            raise TypeError(
                "Normalize works on tensors; put ToTensor (or ToTensorAndJitter) before it"
            )
        if self.inplace:
            return image.sub_(self.mean).div_(self.std)
        return (image - self.mean) / self.std


_GRAY_WEIGHTS = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)


class ToGrayscale(TransformBase):
    """With probability ``probability``, replace an RGB image by its luminance in all 3 channels."""

    def __init__(self, probability: float = 0.5) -> None:
        super().__init__()
        self.probability = probability

    def roll(self, rng):
        return bool(rng.random() < self.probability)

    def transform_image(self, image, do_grayscale):
        if not do_grayscale:
            return image
        if torch.is_tensor(image):
            gray = (image.float() * _GRAY_WEIGHTS).sum(dim=0, keepdim=True)
            return gray.to(image.dtype).expand(3, -1, -1).clone()
        gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
        return np.stack([gray, gray, gray], axis=2)

    def __repr__(self) -> str:
        return f"ToGrayscale(probability={self.probability})"


class ToBGR(TransformBase):
    """Reverse the channel order (RGB -> BGR)."""

    def transform_image(self, image):
        if torch.is_tensor(image):
            return image.flip(0)
        return np.ascontiguousarray(image[:, :, ::-1])


class RandomHorizontalFlip(TransformBase):
    """Mirror left-right with probability ``probability`` (x -> W - x)."""

    geometric = True

    def __init__(self, probability: float = 0.5) -> None:
        super().__init__()
        self.probability = probability

    def roll(self, rng):
        return bool(rng.random() < self.probability)

    def transform_image(self, image, do_flip):
        if not do_flip:
            return image
        if torch.is_tensor(image):
            return image.flip(-1)
        return np.ascontiguousarray(image[:, ::-1])

    def transform_mask(self, mask, do_flip):
        if not do_flip:
            return mask
        if torch.is_tensor(mask):
            return mask.flip(-1)
        return np.ascontiguousarray(mask[:, ::-1])

    def transform_coords(self, coords, image_size, do_flip):
        if not do_flip:
            return coords
        out = coords.clone()
        out[:, 0] = image_size[1] - coords[:, 0]
        return out


def _gaussian_kernel(sigma: float) -> torch.Tensor:
    radius = max(1, int(math.ceil(2.0 * sigma)))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


class Blur(TransformBase):
    """Gaussian blur with standard deviation ``sigma`` (or (sigma_y, sigma_x)) in pixels."""

    def __init__(self, sigma, probability: float = 1.0) -> None:
        super().__init__()
        sigma = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(sigma)
        if len(sigma) != 2 or min(sigma) <= 0:
            raise ValueError(f"Blur sigma must be positive (one value or two), got {sigma}")
        self.sigma = (float(sigma[0]), float(sigma[1]))
        self.probability = probability

    def roll(self, rng):
        return bool(rng.random() < self.probability)

    def transform_image(self, image, do_blur):
        if not do_blur:
            return image
        ky, kx = _gaussian_kernel(self.sigma[0]), _gaussian_kernel(self.sigma[1])
        if not torch.is_tensor(image):
            blurred = cv2.sepFilter2D(
                np.ascontiguousarray(image),
                -1,
                kx.numpy(),
                ky.numpy(),
                borderType=cv2.BORDER_REPLICATE,
            )
            return blurred.reshape(image.shape)
        x = image.float().reshape(-1, 1, *image.shape[-2:])
        x = F.conv2d(
            F.pad(x, (0, 0, len(ky) // 2, len(ky) // 2), mode="replicate"), ky.view(1, 1, -1, 1)
        )
        x = F.conv2d(
            F.pad(x, (len(kx) // 2, len(kx) // 2, 0, 0), mode="replicate"), kx.view(1, 1, 1, -1)
        )
        return x.reshape(image.shape).to(image.dtype)

    def __repr__(self) -> str:
        return f"Blur(sigma={self.sigma})"


_BORDER_MODES = {
    "constant": cv2.BORDER_CONSTANT,
    "replicate": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT_101,
}


class RandomAffine(TransformBase):
    """Random flip, rotation (degrees), shear, scale, aspect ratio and translation about the centre.

    Each application draws: flip with probability ``p_flip``; angle U(-max_rotation, max_rotation);
    shear (x, y) each U(-max_shear, max_shear); scale exp(U(-max_scale, max_scale)); aspect factor
    exp(U(-max_ar_factor, max_ar_factor)) (x scaled by it, y divided); translation (x, y) each
    U(-max_translation, max_translation) times the image width / height. The output keeps the input
    size; images are resampled bilinearly (``border_mode`` padding), masks by nearest neighbour.
    """

    geometric = True

    def __init__(
        self,
        p_flip: float = 0.0,
        max_rotation: float = 0.0,
        max_shear: float = 0.0,
        max_scale: float = 0.0,
        max_ar_factor: float = 0.0,
        max_translation: float = 0.0,
        border_mode: str = "constant",
    ) -> None:
        super().__init__()
        if border_mode not in _BORDER_MODES:
            raise ValueError(
                f"Unknown border_mode '{border_mode}'; choose one of {sorted(_BORDER_MODES)}"
            )
        self.p_flip = p_flip
        self.max_rotation = max_rotation
        self.max_shear = max_shear
        self.max_scale = max_scale
        self.max_ar_factor = max_ar_factor
        self.max_translation = max_translation
        self.border_mode = border_mode

    def roll(self, rng):
        do_flip = bool(rng.random() < self.p_flip)
        theta = float(rng.uniform(-self.max_rotation, self.max_rotation))
        shear = tuple(float(v) for v in rng.uniform(-self.max_shear, self.max_shear, 2))
        scale = float(np.exp(rng.uniform(-self.max_scale, self.max_scale)))
        ar = float(np.exp(rng.uniform(-self.max_ar_factor, self.max_ar_factor)))
        shift = tuple(float(v) for v in rng.uniform(-self.max_translation, self.max_translation, 2))
        return do_flip, theta, shear, scale, ar, shift

    @staticmethod
    def matrix(image_size, do_flip, theta, shear, scale, ar, shift) -> np.ndarray:
        """3x3 matrix mapping continuous image coordinates [x, y, 1] to the output."""
        h, w = image_size
        to_center = np.array([[1, 0, -0.5 * w], [0, 1, -0.5 * h], [0, 0, 1]], dtype=np.float64)
        back = np.array(
            [[1, 0, 0.5 * w + shift[0] * w], [0, 1, 0.5 * h + shift[1] * h], [0, 0, 1]],
            dtype=np.float64,
        )
        flip = np.diag([-1.0 if do_flip else 1.0, 1.0, 1.0])
        c, s = math.cos(math.radians(theta)), math.sin(math.radians(theta))
        rotation = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)
        shear_m = np.array([[1, shear[0], 0], [shear[1], 1, 0], [0, 0, 1]], dtype=np.float64)
        scaling = np.diag([scale * ar, scale / ar, 1.0])
        return back @ rotation @ shear_m @ scaling @ flip @ to_center

    def _warp(self, array: np.ndarray, params, nearest: bool, border: int) -> np.ndarray:
        h, w = array.shape[:2]
        m = self.matrix((h, w), *params)
        half = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
        index_matrix = (np.linalg.inv(half) @ m @ half)[:2]
        flags = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
        out = cv2.warpAffine(
            np.ascontiguousarray(array),
            index_matrix,
            (w, h),
            flags=flags,
            borderMode=border,
            borderValue=0,
        )
        return out.reshape(array.shape)

    def transform_image(self, image, *params):
        if torch.is_tensor(image):
            array = image.permute(1, 2, 0).numpy()
            return (
                torch.from_numpy(self._warp(array, params, False, _BORDER_MODES[self.border_mode]))
                .permute(2, 0, 1)
                .contiguous()
            )
        return self._warp(image, params, False, _BORDER_MODES[self.border_mode])

    def transform_mask(self, mask, *params):
        if torch.is_tensor(mask):
            array = mask.numpy()
            dtype = array.dtype
            out = self._warp(
                array.astype(np.uint8) if dtype == bool else array,
                params,
                True,
                cv2.BORDER_CONSTANT,
            )
            return torch.from_numpy(out.astype(dtype))
        dtype = mask.dtype
        out = self._warp(
            mask.astype(np.uint8) if dtype == bool else mask, params, True, cv2.BORDER_CONSTANT
        )
        return out.astype(dtype)

    def transform_coords(self, coords, image_size, *params):
        m = torch.from_numpy(self.matrix(image_size, *params)).to(
            coords.dtype if coords.is_floating_point() else torch.float32
        )
        xy = coords.to(m.dtype)
        return xy @ m[:2, :2].T + m[:2, 2]

    def __repr__(self) -> str:
        return (
            f"RandomAffine(p_flip={self.p_flip}, max_rotation={self.max_rotation}, "
            f"max_shear={self.max_shear}, max_scale={self.max_scale}, "
            f"max_ar_factor={self.max_ar_factor}, max_translation={self.max_translation})"
        )
