"""ATOM end to end on tiny crops: AtomActor + LTRTrainer train the IoU predictor, the checkpoint
reloads with load_network (weights_only) and gives the same predictions."""
import pytest
import torch

from ltr.actors import AtomActor
from ltr.admin.loading import load_network
from ltr.admin.settings import Settings
from ltr.models.bbreg.atom import atom_resnet18
from ltr.trainers import LTRTrainer
from pytracking.libs import TensorDict


class OneBatchLoader:
    name, training, epoch_interval, stack_dim = "train", True, 1, 1

    def __init__(self, batch, repeats):
        self.batch, self.repeats = batch, repeats

    def __len__(self):
        return self.repeats

    def __iter__(self):
        return iter([self.batch] * self.repeats)


def atom_batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    proposals = torch.cat((torch.rand(1, 2, 4, 2, generator=g) * 20 + 4,
                           torch.rand(1, 2, 4, 2, generator=g) * 20 + 12), dim=-1)
    return TensorDict(train_images=torch.randn(1, 2, 3, 64, 64, generator=g),
                      test_images=torch.randn(1, 2, 3, 64, 64, generator=g),
                      train_anno=torch.tensor([16.0, 16.0, 28.0, 24.0]).expand(1, 2, 4).clone(),
                      test_proposals=proposals,
                      proposal_iou=torch.rand(1, 2, 4, generator=g))


@pytest.mark.slow
def test_atom_trains_and_checkpoint_reloads(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path))
    monkeypatch.setenv("LTR_TENSORBOARD_DIR", str(tmp_path / "tb"))
    torch.manual_seed(0)
    net = atom_resnet18(backbone_pretrained=False)
    backbone_before = {k: v.clone() for k, v in net.feature_extractor.named_parameters()}
    settings = Settings()
    settings.project_path = "ltr/bbreg/atom_test"
    settings.use_gpu = False
    batch = atom_batch()
    actor = AtomActor(net=net, objective=torch.nn.MSELoss())
    optimizer = torch.optim.Adam(net.bb_regressor.parameters(), lr=1e-3)
    trainer = LTRTrainer(actor, [OneBatchLoader(batch, repeats=2)], optimizer, settings)
    trainer.train(2)

    history = trainer.stats["train"]["Loss/total"].history
    assert len(history) == 2 and history[1] < history[0]
    for name, value in net.feature_extractor.named_parameters():
        assert torch.equal(value, backbone_before[name]), name  # frozen backbone

    path = tmp_path / "checkpoints" / "ltr" / "bbreg" / "atom_test" / "ATOMnet_ep0002.pth.tar"
    loaded, checkpoint = load_network(path, backbone_pretrained=False)
    assert checkpoint["net_type"] == "ATOMnet" and checkpoint["epoch"] == 2
    net.eval()
    loaded.eval()
    with torch.no_grad():
        args = (batch["train_images"], batch["test_images"], batch["train_anno"],
                batch["test_proposals"])
        assert torch.equal(loaded(*args), net(*args))
