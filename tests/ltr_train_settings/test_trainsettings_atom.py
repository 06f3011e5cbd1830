"""bbreg/atom.py builds ATOM's published training set-up (checked piece by piece against the
published values), on tiny synthetic datasets in the four real layouts; the training loop itself
is replaced by a recorder."""
import pytest
import torch

import ltr.dataset.split_files as split_files
from ltr.admin.env_file import SettingsPathError
from ltr.admin.settings import Settings
from ltr.data import processing, sampler
from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.dataset.synthetic import write_dataset
from ltr.models.backbone.resnet import resnet18
from ltr.trainers import LTRTrainer
import ltr.data.transforms as tfm

IMAGE_SIZE = (96, 72)


@pytest.fixture
def atom_environment(tmp_path, monkeypatch):
    """Synthetic LaSOT, GOT-10k (with vottrain/votval split files), TrackingNet 0-3, COCO 2017,
    and an 'ImageNet' ResNet-18 weight file (random weights, to see that they are loaded)."""
    data = tmp_path / "data"
    lasot = write_dataset("lasot", data / "lasot", num_sequences=4, num_frames=24, seed=1,
                          image_size=IMAGE_SIZE, sequences_per_class=2)
    got10k = write_dataset("got10k", data / "got10k", num_sequences=5, num_frames=24, seed=2,
                           image_size=IMAGE_SIZE, split="train")
    trackingnet = write_dataset("trackingnet", data / "trackingnet", num_sequences=5,
                                num_frames=24, seed=3, image_size=IMAGE_SIZE, num_sets=5)
    coco = write_dataset("coco", data / "coco", num_sequences=3, seed=4, image_size=IMAGE_SIZE,
                         version="2017")
    specs = tmp_path / "data_specs"
    specs.mkdir()
    (specs / "lasot_test_split.txt").write_text(
        split_files.spec_path("lasot_test_split.txt").read_text())
    (specs / "got10k_vot_train_split.txt").write_text("0\n1\n2\n")
    (specs / "got10k_vot_val_split.txt").write_text("3\n4\n")
    monkeypatch.setattr(split_files, "DATA_SPECS_DIR", specs)

    pretrained = tmp_path / "pretrained"
    pretrained.mkdir()
    torch.manual_seed(123)
    imagenet_weights = resnet18().state_dict()
    torch.save(imagenet_weights, pretrained / "resnet18-f37072fd.pth")
    for name, path in (("LASOT_DIR", lasot.root), ("GOT10K_DIR", got10k.root),
                       ("TRACKINGNET_DIR", trackingnet.root), ("COCO_DIR", coco.root),
                       ("PRETRAINED_NETWORKS", pretrained)):
        monkeypatch.setenv(f"LTR_{name}", str(path))
    return imagenet_weights


@pytest.fixture
def recorded_train(monkeypatch):
    """Replace LTRTrainer.train by a recorder of (trainer, args)."""
    calls = []

    def record(self, max_epochs, load_latest=False, fail_safe=True):
        calls.append((self, max_epochs, load_latest, fail_safe))

    monkeypatch.setattr(LTRTrainer, "train", record)
    return calls


def _transforms(transform):
    return [type(t).__name__ for t in transform.transforms]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning")
def test_atom_builds_the_published_setup(atom_environment, recorded_train):
    from ltr.train_settings.bbreg import atom

    settings = Settings()
    settings.module_name, settings.script_name = "bbreg", "atom"
    settings.project_path = "ltr/bbreg/atom"
    settings.use_gpu = False
    atom.run(settings)

    (trainer, max_epochs, load_latest, fail_safe), = recorded_train
    assert (max_epochs, load_latest, fail_safe) == (50, True, True)
    assert settings.batch_size == 64 and settings.num_workers == 8

    loader_train, loader_val = trainer.loaders
    assert (loader_train.name, loader_train.training, loader_train.batch_size,
            loader_train.num_workers, loader_train.stack_dim, loader_train.drop_last,
            loader_train.epoch_interval) == ("train", True, 64, 8, 1, True, 1)
    assert (loader_val.name, loader_val.training, loader_val.batch_size, loader_val.num_workers,
            loader_val.stack_dim, loader_val.epoch_interval) == ("val", False, 64, 8, 1, 5)

    train_sampler, val_sampler = loader_train.dataset, loader_val.dataset
    assert isinstance(train_sampler, sampler.ATOMSampler)
    assert [type(d) for d in train_sampler.datasets] == [Lasot, Got10k, TrackingNet, MSCOCOSeq]
    assert train_sampler.p_datasets == [0.25] * 4
    assert (len(train_sampler), train_sampler.max_gap) == (64000, 50)
    assert train_sampler.datasets[1].get_num_sequences() == 3  # vottrain: indices 0, 1, 2
    assert train_sampler.datasets[2].get_num_sequences() == 4  # TRAIN_0 .. TRAIN_3 of 5 chunks
    assert [type(d) for d in val_sampler.datasets] == [Got10k]
    assert val_sampler.datasets[0].get_num_sequences() == 2  # votval: indices 3, 4
    assert (len(val_sampler), val_sampler.max_gap) == (32000, 50)

    for sampler_, image_transform in ((train_sampler, ["ToTensorAndJitter", "Normalize"]),
                                      (val_sampler, ["ToTensor", "Normalize"])):
        proc = sampler_.processing
        assert isinstance(proc, processing.ATOMProcessing)
        assert (proc.search_area_factor, proc.output_sz, proc.mode) == (5.0, 288, "sequence")
        assert proc.center_jitter_factor == {"train": 0.0, "test": 4.5}
        assert proc.scale_jitter_factor == {"train": 0.0, "test": 0.5}
        assert proc.proposal_params == {"min_iou": 0.1, "boxes_per_frame": 16,
                                        "sigma_factor": [0.01, 0.05, 0.1, 0.2, 0.3]}
        assert _transforms(proc.transform["train"]) == image_transform
        assert _transforms(proc.transform["joint"]) == ["ToGrayscale"]
        assert proc.transform["joint"].transforms[0].probability == 0.05
    jitter, normalize = train_sampler.processing.transform["train"].transforms
    assert jitter.brightness_jitter == 0.2
    assert normalize.mean.flatten().tolist() == pytest.approx([0.485, 0.456, 0.406])
    assert normalize.std.flatten().tolist() == pytest.approx([0.229, 0.224, 0.225])

    # one real sample through the pipeline: 288x288 crops, 16 proposals
    sample = train_sampler[0]
    assert sample["train_images"].shape == (1, 3, 288, 288)
    assert sample["test_proposals"].shape == (1, 16, 4)

    net = trainer.actor.net
    for name, value in net.feature_extractor.state_dict().items():  # ImageNet weights loaded
        assert torch.equal(value, atom_environment[name]), name
    assert not any(p.requires_grad for p in net.feature_extractor.parameters())
    assert isinstance(trainer.actor.objective, torch.nn.MSELoss)
    optimizer = trainer.optimizer
    assert isinstance(optimizer, torch.optim.Adam) and len(optimizer.param_groups) == 1
    assert optimizer.param_groups[0]["lr"] == 1e-3
    assert ({id(p) for p in optimizer.param_groups[0]["params"]}
            == {id(p) for p in net.bb_regressor.parameters()})
    scheduler = trainer.lr_scheduler
    assert isinstance(scheduler, torch.optim.lr_scheduler.StepLR)
    assert (scheduler.step_size, scheduler.gamma) == (15, 0.2)


def test_atom_without_dataset_paths_names_the_setting(recorded_train):
    from ltr.train_settings.bbreg import atom

    settings = Settings()
    settings.module_name, settings.script_name = "bbreg", "atom"
    with pytest.raises(SettingsPathError) as info:
        atom.run(settings)
    assert "'lasot_dir'" in str(info.value) and "LTR_LASOT_DIR" in str(info.value)
    assert recorded_train == []


def test_both_atom_settings_are_listed_and_the_shared_parts_are_not():
    from ltr.run_training import available_train_settings

    listed = available_train_settings()
    assert "bbreg atom" in listed and "bbreg atom_synthetic" in listed
    assert not any("_atom_common" in name for name in listed)
