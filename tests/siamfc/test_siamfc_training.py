"""The instant SiamFC setting trains on CPU (loss goes down) and its checkpoint drives the tracker;
the paper setting's optimizer and schedule."""
import numpy as np
import pytest
import torch

from ltr.admin.settings import Settings
from ltr.run_training import available_train_settings
from ltr.train_settings.siam import _siamfc_common as common
from ltr.train_settings.siam import siamfc_synthetic
from pytracking.tracker.siamfc import SiamFC
from pytracking.tracker.siamfc.params import SiamFCParams


@pytest.mark.slow
def test_instant_setting_loss_decreases_and_checkpoint_tracks(tmp_path):
    torch.manual_seed(0)
    settings = Settings()
    settings.project_path = "ltr/siam/siamfc_synthetic_test"
    siamfc_synthetic.configure(settings)
    settings.batch_size = 4
    settings.samples_per_epoch = 20  # 5 iterations per epoch
    settings.synthetic_sequences = 6
    settings.synthetic_frames = 30
    settings.synthetic_image_size = (160, 120)
    settings.val_samples_per_epoch = 8  # 2 held-out batches per epoch
    settings.use_gpu = False
    trainer = siamfc_synthetic.build(settings)
    trainer.train(2, fail_safe=False)

    losses = trainer.stats["train"]["Loss/total"].history
    assert len(losses) == 2
    assert losses[1] < losses[0] - 0.05, losses  # mean of the last 5 iterations vs the first 5
    # the held-out check: a 'val' loader on the last 2 of the 6 sequences, every epoch
    train_loader, val_loader = trainer.loaders
    assert (train_loader.name, val_loader.name, val_loader.training) == ("train", "val", False)
    train_seqs = set(train_loader.dataset.datasets[0].sequence_list)
    val_seqs = set(val_loader.dataset.datasets[0].sequence_list)
    assert len(train_seqs) == 4 and len(val_seqs) == 2 and not train_seqs & val_seqs
    val_losses = trainer.stats["val"]["Loss/total"].history
    assert len(val_losses) == 2 and all(np.isfinite(val_losses))

    checkpoint = (tmp_path / "workspace" / "checkpoints" / "ltr" / "siam" / "siamfc_synthetic_test"
                  / "SiamFCNet_ep0002.pth.tar")
    assert checkpoint.is_file()
    params = SiamFCParams(network_path=str(checkpoint), use_gpu=False)
    tracker = SiamFC(params)
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    tracker.initialize(image, {"init_bbox": [60, 40, 30, 24]})
    for name, value in tracker.net.state_dict().items():
        assert torch.equal(value, trainer.actor.net.state_dict()[name].cpu()), name
    assert len(tracker.track(image)["target_bbox"]) == 4


def test_paper_schedule_is_log_spaced():
    settings = Settings()
    common.set_defaults(settings)
    net = torch.nn.Linear(2, 1)
    optimizer, scheduler = common.build_optimizer(settings, net)
    assert isinstance(optimizer, torch.optim.SGD)
    group = optimizer.param_groups[0]
    assert group["momentum"] == 0.9 and group["weight_decay"] == 5e-4
    rates = []
    for _ in range(settings.num_epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(rates, np.logspace(-2, -5, 50), rtol=1e-9)
    assert settings.batch_size == 8 and settings.max_gap == 100 and settings.label_radius == 16


def test_unknown_override_is_an_error():
    with pytest.raises(ValueError, match="batchsize"):
        common.set_defaults(Settings(), {"batchsize": 4})


def test_settings_are_listed_for_run_training():
    listed = available_train_settings()
    assert "siam siamfc" in listed and "siam siamfc_synthetic" in listed


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_paper_setting_uses_got10k_and_skips_unset_datasets(tmp_path, monkeypatch, caplog):
    import logging

    from ltr.dataset.synthetic import write_dataset
    from ltr.train_settings.siam import siamfc

    info = write_dataset("got10k", tmp_path / "got10k", num_sequences=2, num_frames=24, seed=4,
                         image_size=(96, 72))
    monkeypatch.setenv("LTR_GOT10K_DIR", str(info.root))
    for name in ("LASOT", "TRACKINGNET", "IMAGENET"):
        monkeypatch.setenv(f"LTR_{name}_DIR", "")
    settings = Settings()
    settings.project_path = "ltr/siam/siamfc_test"
    with caplog.at_level(logging.INFO):
        trainer = siamfc.build(settings)
    loader = trainer.loaders[0]
    assert [d.get_name() for d in loader.dataset.datasets] == ["got10k"]
    skipped = [r.getMessage() for r in caplog.records if "that dataset is not used" in r.getMessage()]
    assert skipped == [f"SiamFC training: setting '{name}' is not set; that dataset is not used"
                       for name in ("lasot_dir", "trackingnet_dir", "imagenet_dir")]
    assert loader.batch_size == 8 and loader.dataset.samples_per_epoch == 50000
    sample = loader.dataset[0]
    assert sample["train_images"].shape == (3, 127, 127)
    assert sample["test_images"].shape == (3, 255, 255)
    assert sample["test_label"].shape == (17, 17)


def test_paper_setting_names_the_missing_got10k_path(monkeypatch):
    from ltr.train_settings.siam import siamfc

    monkeypatch.setenv("LTR_GOT10K_DIR", "")
    with pytest.raises(FileNotFoundError, match="got10k_dir"):
        siamfc.build(Settings())


def test_success_auc_closed_form():
    from ltr.train_settings.siam._heldout_tracking import success_auc

    gt = np.array([[0, 0, 10, 10]] * 5, float)
    assert success_auc(gt, gt) == pytest.approx(20 / 21)  # IoU 1 > every threshold but 1
    # frames 2..5 shifted by 5 px: IoU 50/150 = 1/3, above the thresholds 0 .. 0.3 (7 of 21)
    shifted = gt + [5, 0, 0, 0]
    shifted[0] = gt[0]  # the first frame is the given box and does not count
    assert success_auc(shifted, gt) == pytest.approx(7 / 21)
    far = gt + [50, 50, 0, 0]
    assert success_auc(far, gt) == 0.0


@pytest.mark.slow
def test_heldout_check_tracks_new_sequences(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "ws"))
    settings = Settings()
    siamfc_synthetic.configure(settings)
    settings.synthetic_image_size = (160, 120)
    settings.heldout_sequences, settings.heldout_frames = 2, 12

    class _Trainer:  # what heldout_check reads of a trainer: the trained network
        class actor:
            net = common.siamfc_alexnet(width=settings.net_width)

    trained, untrained = siamfc_synthetic.heldout_check(settings, _Trainer())
    assert 0.0 <= trained <= 1.0 and 0.0 <= untrained <= 1.0
    assert settings.heldout_auc == {"trained": trained, "untrained": untrained}
    folders = list((tmp_path / "ws" / "synthetic").iterdir())
    assert [f.name for f in folders] == ["heldout_otb_2x12_160x120_seed1000"]


@pytest.mark.parametrize("module_name", ["siamfc_synthetic", "siamrpn_synthetic"])
def test_instant_run_configures_trains_then_checks(module_name, monkeypatch):
    import importlib

    module = importlib.import_module(f"ltr.train_settings.siam.{module_name}")
    calls = []

    class _Trainer:
        def train(self, *args, **kwargs):
            calls.append(("train", args, kwargs))

    trainer = _Trainer()
    monkeypatch.setattr(module, "build", lambda settings: trainer)
    monkeypatch.setattr(module, "heldout_check",
                        lambda settings, t: calls.append(("check", settings, t)))
    settings = Settings()
    module.run(settings)
    assert settings.num_epochs == 5 and settings.synthetic_sequences == 12  # configured
    assert calls == [("train", (5,), {"load_latest": True, "fail_safe": True}),
                     ("check", settings, trainer)]
