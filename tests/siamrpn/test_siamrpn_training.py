"""Training settings: the instant setting trains on CPU with decreasing loss and its checkpoint
drives the tracker; learning-rate schedules; datasets of the published-style settings."""
import numpy as np
import pytest
import torch

from ltr.admin.settings import Settings
from ltr.run_training import available_train_settings
from ltr.train_settings.siam import _siamrpn_common as common
from ltr.train_settings.siam import siamrpn_synthetic
from ltr.train_settings.siam._siamrpn_common import build_net
from pytracking.tracker.siamrpn import SiamRPN
from pytracking.tracker.siamrpn.params import SiamRPNParams


@pytest.mark.slow
@pytest.mark.parametrize("model", ["siamrpn_alexnet", "siamrpn_alexnet_dw"])
def test_instant_setting_loss_decreases_and_checkpoint_tracks(tmp_path, model):
    torch.manual_seed(0)
    settings = Settings()
    settings.project_path = f"ltr/siam/{model}_test"
    siamrpn_synthetic.configure(settings)
    settings.model = model
    settings.net_width = 0.125
    settings.net_hidden = 32
    settings.batch_size = 4
    settings.samples_per_epoch = 24  # 6 iterations per epoch
    settings.num_epochs = 3
    settings.synthetic_sequences = 6
    settings.synthetic_frames = 30
    settings.synthetic_image_size = (160, 120)
    settings.val_samples_per_epoch = 8  # 2 held-out batches per epoch
    settings.use_gpu = False
    trainer = siamrpn_synthetic.build(settings)
    trainer.train(settings.num_epochs, fail_safe=False)

    losses = trainer.stats["train"]["Loss/total"].history  # mean of each epoch (6 iterations)
    assert len(losses) == 3 and np.isfinite(losses).all()
    assert losses[-1] < losses[0] - 0.05, losses
    # the held-out check: a 'val' loader on the last 2 of the 6 sequences, every epoch
    train_loader, val_loader = trainer.loaders
    assert (val_loader.name, val_loader.training) == ("val", False)
    train_seqs = set(train_loader.dataset.datasets[0].sequence_list)
    val_seqs = set(val_loader.dataset.datasets[0].sequence_list)
    assert len(train_seqs) == 4 and len(val_seqs) == 2 and not train_seqs & val_seqs
    val_losses = trainer.stats["val"]["Loss/total"].history
    assert len(val_losses) == 3 and np.isfinite(val_losses).all()

    checkpoint = (tmp_path / "workspace" / "checkpoints" / "ltr" / "siam" / f"{model}_test"
                  / "SiamRPNNet_ep0003.pth.tar")
    assert checkpoint.is_file()
    params = SiamRPNParams(network_path=str(checkpoint), use_gpu=False, model=model,
                           instance_sz=255)
    tracker = SiamRPN(params)
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    tracker.initialize(image, {"init_bbox": [60, 40, 30, 24]})
    for name, value in tracker.net.state_dict().items():
        assert torch.equal(value, trainer.actor.net.state_dict()[name].cpu()), name
    assert np.isfinite(tracker.track(image)["target_bbox"]).all()


def test_siamrpn_schedule_is_log_spaced():
    settings = Settings()
    common.set_defaults(settings)
    rates = run_schedule(settings)
    np.testing.assert_allclose(rates, np.logspace(-2, -6, 50), rtol=1e-9)
    assert settings.max_shift == 12 and settings.model == "siamrpn_alexnet"


def test_siamrpn_pp_schedule_warms_up_then_decays():
    settings = Settings()
    common.set_defaults(settings, common.SIAMRPN_PP_OVERRIDES)
    rates = run_schedule(settings)
    warm = [1e-3 * 5 ** (e / 5) for e in range(5)]  # 1e-3 -> 5e-3 geometrically, 5 epochs
    np.testing.assert_allclose(rates[:5], warm, rtol=1e-9)
    np.testing.assert_allclose(rates[5:], np.logspace(np.log10(5e-3), np.log10(5e-4), 15),
                               rtol=1e-9)
    assert settings.max_shift == 64 and settings.model == "siamrpn_alexnet_dw"
    assert settings.weight_decay == 1e-4 and settings.cls_loss_mode == "balanced"


def run_schedule(settings):
    optimizer, scheduler = common.build_optimizer(settings, torch.nn.Linear(2, 1))
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.param_groups[0]["momentum"] == 0.9
    rates = []
    for _ in range(settings.num_epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_bad_settings_are_errors():
    with pytest.raises(ValueError, match="batchsize"):
        common.set_defaults(Settings(), {"batchsize": 4})
    settings = Settings()
    common.set_defaults(settings, {"lr_warmup_epochs": 50})
    with pytest.raises(ValueError, match="lr_warmup_epochs"):
        common.epoch_learning_rates(settings)
    settings = Settings()
    common.set_defaults(settings, {"instance_sz": 250})
    with pytest.raises(ValueError, match="instance_sz"):
        common.check_score_size(settings)
    settings = Settings()
    common.set_defaults(settings, {"model": "siamrpn_resnet"})
    with pytest.raises(ValueError, match="model"):
        common.build_net(settings)


def test_resnet50_setting_uses_its_25_by_25_map():
    settings = Settings()
    common.set_defaults(settings, dict(common.SIAMRPN_PP_OVERRIDES, model="siamrpn_resnet50"))
    assert common.check_score_size(settings) == 25
    assert common.build_processing(settings).anchors.shape == (5 * 25 * 25, 4)
    settings.instance_sz = 271
    with pytest.raises(ValueError, match="score_sz"):
        common.check_score_size(settings)
    settings.score_sz = 27
    assert common.check_score_size(settings) == 27


def test_settings_are_listed_for_run_training():
    listed = available_train_settings()
    for name in ("siamrpn", "siamrpn_pp", "siamrpn_pp_r50", "siamrpn_synthetic"):
        assert f"siam {name}" in listed
    assert "siam _siamrpn_common" not in listed


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_published_style_settings_use_the_set_datasets(tmp_path, monkeypatch):
    from ltr.dataset.synthetic import write_dataset
    from ltr.train_settings.siam import siamrpn, siamrpn_pp, siamrpn_pp_r50

    info = write_dataset("got10k", tmp_path / "got10k", num_sequences=2, num_frames=24, seed=4,
                         image_size=(96, 72))
    monkeypatch.setenv("LTR_GOT10K_DIR", str(info.root))
    for name in ("LASOT", "TRACKINGNET", "IMAGENET", "COCO"):
        monkeypatch.setenv(f"LTR_{name}_DIR", "")
    for module, size in ((siamrpn, 17), (siamrpn_pp, 17)):
        settings = Settings()
        settings.project_path = "ltr/siam/rpn_test"
        trainer = module.build(settings)
        loader = trainer.loaders[0]
        assert [d.get_name() for d in loader.dataset.datasets] == ["got10k"]
        sample = loader.dataset[0]
        assert sample["train_images"].shape == (3, 127, 127)
        assert sample["test_images"].shape == (3, 255, 255)
        assert sample["test_label"].shape == (5 * size * size,)
    assert type(trainer.actor.net.rpn_head).__name__ == "DepthwiseRPN"
    settings = Settings()
    settings.project_path = "ltr/siam/rpn_r50_test"
    trainer = siamrpn_pp_r50.build(settings)  # no ImageNet file here: random backbone
    assert settings.model == "siamrpn_resnet50" and settings.backbone_pretrained is False
    assert trainer.loaders[0].dataset[0]["test_label"].shape == (5 * 25 * 25,)
    assert type(trainer.actor.net.rpn_head).__name__ == "MultiLayerDepthwiseRPN"


def test_no_dataset_path_is_an_error_naming_the_settings(monkeypatch):
    from ltr.train_settings.siam import siamrpn

    for name in ("GOT10K", "LASOT", "TRACKINGNET", "IMAGENET"):
        monkeypatch.setenv(f"LTR_{name}_DIR", "")
    with pytest.raises(FileNotFoundError, match="got10k_dir"):
        siamrpn.build(Settings())


@pytest.mark.slow
def test_heldout_check_tracks_new_sequences(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "ws"))
    settings = Settings()
    siamrpn_synthetic.configure(settings)
    settings.synthetic_image_size = (160, 120)
    settings.heldout_sequences, settings.heldout_frames = 2, 12

    class _Trainer:  # what heldout_check reads of a trainer: the trained network
        class actor:
            net = build_net(settings)

    trained, untrained = siamrpn_synthetic.heldout_check(settings, _Trainer())
    assert 0.0 <= trained <= 1.0 and 0.0 <= untrained <= 1.0
    assert settings.heldout_auc == {"trained": trained, "untrained": untrained}
