"""Procedural colours and textures: cluttered backgrounds and object texture families."""
from dataclasses import dataclass
from typing import Dict, Tuple

import cv2
import numpy as np

#: Named base colours (RGB); the name goes into sequence descriptions.
PALETTE: Dict[str, Tuple[int, int, int]] = {
    "red": (200, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 70, 210),
    "yellow": (230, 210, 40),
    "orange": (240, 130, 30),
    "purple": (130, 50, 170),
    "cyan": (40, 190, 210),
    "pink": (235, 120, 170),
    "white": (235, 235, 235),
    "brown": (120, 75, 40),
}

#: Object texture families. A distractor shares the family of its target.
TEXTURE_FAMILIES: Tuple[str, ...] = ("checkered", "striped", "dotted", "mottled")

#: Side length of the square texture images sampled by the objects.
TEXTURE_SIZE = 64


@dataclass(frozen=True)
class TextureSpec:
    """Parameters of one object texture; `build_texture` turns them into an image."""

    family: str
    color_name: str
    color_a: Tuple[int, int, int]
    color_b: Tuple[int, int, int]
    period: float
    phase: float
    seed: int


def _jitter(color: Tuple[int, int, int], rng: np.random.Generator, amount: float) -> Tuple[int, int, int]:
    values = np.asarray(color, dtype=np.float64) + rng.uniform(-amount, amount, size=3)
    return tuple(int(v) for v in np.clip(values, 0, 255))


def random_texture_spec(rng: np.random.Generator, family: str = "") -> TextureSpec:
    """Draw a texture: a family (random when empty), a named base colour and a contrasting second colour."""
    if not family:
        family = TEXTURE_FAMILIES[int(rng.integers(len(TEXTURE_FAMILIES)))]
    elif family not in TEXTURE_FAMILIES:
        raise ValueError(f"Unknown texture family {family!r}; known: {', '.join(TEXTURE_FAMILIES)}")
    names = list(PALETTE)
    color_name = names[int(rng.integers(len(names)))]
    color_a = _jitter(PALETTE[color_name], rng, 20)
    dark = np.asarray(color_a, dtype=np.float64) * rng.uniform(0.25, 0.5)
    color_b = tuple(int(v) for v in dark)
    return TextureSpec(family, color_name, color_a, color_b, float(rng.uniform(6, 14)),
                       float(rng.uniform(0, 2 * np.pi)), int(rng.integers(2**31)))


def similar_texture_spec(spec: TextureSpec, rng: np.random.Generator) -> TextureSpec:
    """A texture of the same family and colour name with slightly different colours and pattern."""
    return TextureSpec(spec.family, spec.color_name, _jitter(spec.color_a, rng, 25),
                       _jitter(spec.color_b, rng, 15), spec.period * float(rng.uniform(0.8, 1.25)),
                       float(rng.uniform(0, 2 * np.pi)), int(rng.integers(2**31)))


def smooth_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Smooth random field in [0, 1] of shape (height, width) with features about `cell` pixels wide."""
    gh = max(2, int(np.ceil(height / cell)) + 1)
    gw = max(2, int(np.ceil(width / cell)) + 1)
    grid = rng.random((gh, gw)).astype(np.float32)
    field = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    lo, hi = float(field.min()), float(field.max())
    return (field - lo) / max(hi - lo, 1e-6)


def build_texture(spec: TextureSpec) -> np.ndarray:
    """TEXTURE_SIZE x TEXTURE_SIZE x 3 uint8 RGB texture image for `spec`."""
    n = TEXTURE_SIZE
    j, i = np.meshgrid(np.arange(n, dtype=np.float64), np.arange(n, dtype=np.float64))
    if spec.family == "checkered":
        weight = ((np.floor(i / spec.period) + np.floor(j / spec.period)) % 2).astype(np.float64)
    elif spec.family == "striped":
        weight = (np.sin((i + j) * (np.pi / spec.period) + spec.phase) > 0).astype(np.float64)
    elif spec.family == "dotted":
        p = spec.period
        di = (i % p) - p / 2
        dj = (j % p) - p / 2
        weight = (di * di + dj * dj <= (0.3 * p) ** 2).astype(np.float64)
    elif spec.family == "mottled":
        weight = smooth_noise(np.random.default_rng(spec.seed), n, n, spec.period).astype(np.float64)
    else:
        raise ValueError(f"Unknown texture family {spec.family!r}; known: {', '.join(TEXTURE_FAMILIES)}")
    a = np.asarray(spec.color_a, dtype=np.float64)
    b = np.asarray(spec.color_b, dtype=np.float64)
    image = a * (1.0 - weight[..., None]) + b * weight[..., None]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def occluder_texture(rng: np.random.Generator) -> np.ndarray:
    """Tileable texture of the occluding bar: grey-brown wood grain with darker planks."""
    n = TEXTURE_SIZE
    base = np.asarray(_jitter((120, 100, 85), rng, 30), dtype=np.float64)
    rows = np.arange(n, dtype=np.float64)[:, None]
    cols = np.arange(n, dtype=np.float64)[None, :]
    grain = 0.5 + 0.5 * np.sin(2 * np.pi * (cols / 8.0 + 0.15 * np.sin(2 * np.pi * rows / n)))
    planks = (cols % 32) < 2
    image = base[None, None, :] * (0.75 + 0.35 * grain[..., None]) - 50.0 * planks[..., None]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Cluttered smooth RGB background of shape (height, width, 3), uint8."""
    names = list(PALETTE)
    c1 = np.asarray(_jitter(PALETTE[names[int(rng.integers(len(names)))]], rng, 30), dtype=np.float32) * 0.6
    c2 = np.asarray(_jitter((150, 150, 140), rng, 60), dtype=np.float32)
    scale = max(height, width)
    noise = (0.5 * smooth_noise(rng, height, width, scale / 4)
             + 0.3 * smooth_noise(rng, height, width, scale / 16)
             + 0.2 * smooth_noise(rng, height, width, max(scale / 100, 2.0)))
    image = c1 * (1.0 - noise[..., None]) + c2 * noise[..., None]
    image = np.clip(image, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(8, 16))):
        color = tuple(int(v) for v in _jitter(PALETTE[names[int(rng.integers(len(names)))]], rng, 40))
        color = tuple(int(0.5 * v + 50) for v in color)
        x, y = int(rng.integers(width)), int(rng.integers(height))
        size = int(max(2, rng.uniform(0.02, 0.08) * scale))
        if rng.random() < 0.5:
            cv2.circle(image, (x, y), size, color, thickness=-1)
        else:
            cv2.rectangle(image, (x, y), (x + 2 * size, y + size), color, thickness=-1)
    image = cv2.GaussianBlur(image, (0, 0), sigmaX=max(0.8, scale / 400))
    grain = rng.normal(0.0, 3.0, size=(height, width, 1)).astype(np.float32)
    return np.clip(image.astype(np.float32) + grain, 0, 255).astype(np.uint8)
