"""Training sends its per-epoch loss curves to a real visdom server when settings.use_visdom is on."""
import torch

from ltr.actors.base_actor import BaseActor
from ltr.admin.model_constructor import model_constructor
from ltr.admin.settings import Settings
from ltr.trainers import LTRTrainer
from pytracking.libs import TensorDict
from visdom_probe import windows


@model_constructor
def tiny_linear():
    torch.manual_seed(0)
    return torch.nn.Linear(2, 1)


class _Loader:
    def __init__(self, name, batches, training):
        self.name, self.batches, self.training = name, batches, training
        self.epoch_interval, self.stack_dim = 1, 0

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return iter(self.batches)


class _MSEActor(BaseActor):
    def __call__(self, data):
        loss = self.objective(self.net(data["train_images"]), data["target"])
        return loss, {"Loss/total": loss.item()}


def test_trainer_plots_loss_curves(visdom_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "ltr_local.py"))
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "ws"))
    monkeypatch.setenv("LTR_TENSORBOARD_DIR", str(tmp_path / "ws" / "tb"))
    g = torch.Generator().manual_seed(1)
    batches = []
    for _ in range(3):
        x = torch.randn(4, 2, generator=g)
        batches.append(TensorDict(train_images=x, target=x.sum(1, keepdim=True)))
    settings = Settings()
    settings.project_path = "ltr/test/visdom"
    settings.use_gpu = False
    settings.print_interval = 100
    settings.use_visdom = True
    settings.visdom_port = visdom_server
    net = tiny_linear()
    actor = _MSEActor(net, torch.nn.MSELoss())
    loaders = [_Loader("train", batches, True), _Loader("val", batches[:1], False)]
    trainer = LTRTrainer(actor, loaders, torch.optim.SGD(net.parameters(), lr=0.05), settings)
    trainer.train(3, load_latest=False, fail_safe=False)

    content = windows(visdom_server, "training")
    assert "train_Loss_total" in content
    pane = content["train_Loss_total"]
    traces = {t["name"]: t for t in pane["content"]["data"]}
    assert set(traces) == {"train", "val"}
    assert [float(v) for v in traces["train"]["x"]] == [1.0, 2.0, 3.0]
    expected = [float(v) for v in trainer.stats["train"]["Loss/total"].history]
    assert [float(v) for v in traces["train"]["y"]] == expected
