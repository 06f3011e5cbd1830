"""The training data the Siamese settings share: image transforms, the pair loaders, and the
synthetic GOT-10k-layout set of the instant settings (fields: ``_instant.SYNTHETIC``) with its
held-out split."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Sequence

import ltr.data.transforms as tfm
from ltr.admin import multigpu
from ltr.admin.settings import Settings
from ltr.data import LTRLoader, sampler
from ltr.dataset import Got10k

logger = logging.getLogger(__name__)


def datasets_with_paths(settings: Settings, candidates: Sequence[tuple[str, Callable[[str], object]]],
                        what: str) -> list:
    """The datasets of ``candidates`` ((env setting, builder) pairs) whose path is set; the others
    are logged as not used by ``what`` (e.g. 'SiamFC training')."""
    datasets = []
    for field, build in candidates:
        if settings.env.is_set(field):
            datasets.append(build(getattr(settings.env, field)))
        else:
            logger.info("%s: setting '%s' is not set; that dataset is not used", what, field)
    return datasets


def image_transforms(settings: Settings) -> tuple[tfm.Transform, tfm.Transform | None]:
    """The per-image transform (ToTensor, Normalize) and the joint one (grayscale pairs with
    ``grayscale_probability``; None when it is 0)."""
    joint = None
    if settings.grayscale_probability > 0:
        joint = tfm.Transform(tfm.ToGrayscale(probability=settings.grayscale_probability))
    transform = tfm.Transform(tfm.ToTensor(),
                              tfm.Normalize(settings.normalize_mean, settings.normalize_std))
    return transform, joint


def pair_loader(settings: Settings, datasets: Sequence, p_datasets: Sequence[float] | None,
                processing: Callable, name: str = "train", training: bool = True,
                samples_per_epoch: int | None = None, seed: int | None = None) -> LTRLoader:
    """Pairs of one train and one test frame at most ``max_gap`` apart, processed, batched
    (``samples_per_epoch`` pairs; default ``settings.samples_per_epoch``)."""
    pair_sampler = sampler.TrackingSampler(
        datasets, p_datasets, samples_per_epoch=samples_per_epoch or settings.samples_per_epoch,
        max_gap=settings.max_gap, num_test_frames=1, num_train_frames=1,
        processing=processing, frame_sample_mode="interval", seed=settings.sampler_seed)
    return LTRLoader(name, pair_sampler, training=training, batch_size=settings.batch_size,
                     shuffle=training, num_workers=settings.num_workers, drop_last=True,
                     stack_dim=0, seed=seed)


def pair_loaders(settings: Settings, build_processing: Callable[[], object], datasets: Sequence,
                 p_datasets: Sequence[float] | None, val_datasets: Sequence | None = None,
                 seed: int | None = None) -> list[LTRLoader]:
    """The 'train' loader and, with ``val_datasets`` (held-out sequences), a 'val' loader of
    ``settings.val_samples_per_epoch`` pairs; each with its own ``build_processing()``."""
    loaders = [pair_loader(settings, datasets, p_datasets, build_processing(), seed=seed)]
    if val_datasets:
        loaders.append(pair_loader(settings, val_datasets, None, build_processing(), name="val",
                                   training=False, seed=seed,
                                   samples_per_epoch=settings.val_samples_per_epoch))
    return loaders


def split_held_out(root: str, num_sequences: int, num_val: int) -> tuple[Got10k, list | None]:
    """The GOT-10k-layout set at ``root`` as training sequences and, held out for validation,
    the last ``num_val`` ones (``None`` when ``num_val`` is 0)."""
    if num_val < 0 or num_sequences - num_val < 1:
        raise ValueError(f"synthetic_val_sequences ({num_val}) must be between 0 and "
                         f"synthetic_sequences - 1 ({num_sequences - 1})")
    train = Got10k(root, seq_ids=list(range(num_sequences - num_val)))
    val = [Got10k(root, seq_ids=list(range(num_sequences - num_val, num_sequences)))] \
        if num_val else None
    return train, val


def ensure_synthetic_data(settings: Settings, prefix: str) -> Path:
    """The ``train`` folder of the GOT-10k-layout synthetic set of the ``synthetic_*`` fields under
    ``<workspace_dir>/synthetic/<prefix>_got10k_<sequences>x<frames>_<width>x<height>_seed<seed>``,
    generated on first use (by rank 0 of a distributed run while the other ranks wait)."""
    from ltr.dataset.synthetic import ensure_dataset  # only needed for synthetic data

    width, height = settings.synthetic_image_size
    name = (f"{prefix}_got10k_{settings.synthetic_sequences}x{settings.synthetic_frames}_"
            f"{width}x{height}_seed{settings.synthetic_seed}")
    root = Path(settings.env.workspace_dir).expanduser() / "synthetic" / name
    train_dir = ensure_dataset("got10k", root, num_sequences=settings.synthetic_sequences,
                               num_frames=settings.synthetic_frames, seed=settings.synthetic_seed,
                               image_size=(width, height), split="train")
    if not (train_dir / "list.txt").is_file():
        raise FileNotFoundError(f"Synthetic {prefix} data missing in {train_dir} (rank "
                                f"{multigpu.get_rank()}); workspace_dir must be shared by all "
                                f"processes of a distributed run")
    return train_dir


def synthetic_train_val(settings: Settings, prefix: str) -> tuple[Got10k, list | None]:
    """The synthetic set (see :func:`ensure_synthetic_data`) split into training sequences and the
    last ``synthetic_val_sequences`` held out (see :func:`split_held_out`)."""
    train_dir = ensure_synthetic_data(settings, prefix)
    return split_held_out(str(train_dir), settings.synthetic_sequences,
                          settings.synthetic_val_sequences)
