"""media.integration.lightning: a real Lightning fit on CPU with MediaboardLogger, checked on disk."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import media
from tests.conftest import only_run

pytest.importorskip("lightning")
torch = pytest.importorskip("torch")

import lightning  # noqa: E402
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from media.integration.lightning import MediaboardLogger, WandbLogger  # noqa: E402

BATCHES = 4


class Tiny(lightning.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 3, optim: dict | None = None) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):  # noqa: ANN001, ANN201
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=False)
        return loss

    def validation_step(self, batch, batch_idx):  # noqa: ANN001, ANN201
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.layer(x), y), on_epoch=True)

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking:
            return
        logger = self.logger
        epoch = self.current_epoch
        logger.log_image("samples", [np.full((8, 8), 40 * epoch, np.uint8), np.zeros((8, 8, 3), np.uint8)],
                         caption=[f"epoch {epoch}", "black"])
        logger.log_table("preds", columns=["epoch", "loss"], data=[[epoch, 0.5], [epoch, 0.25]])
        logger.log_text("notes", columns=["text"], data=[[f"epoch {epoch} done"]])

    def configure_optimizers(self):  # noqa: ANN201
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def _loader(seed: int) -> DataLoader:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCHES * 8, 4, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=8)


def _fit(tmp_path: Path, logger: MediaboardLogger, **trainer_kwargs) -> lightning.Trainer:
    checkpoint = ModelCheckpoint(dirpath=tmp_path / "ckpt" / "checkpoints", monitor="val_loss", save_top_k=1,
                                 save_last=True)
    trainer = lightning.Trainer(
        max_epochs=2, logger=logger, callbacks=[checkpoint], enable_progress_bar=False,
        enable_model_summary=False, accelerator="cpu", log_every_n_steps=1, **trainer_kwargs,
    )
    trainer.fit(Tiny(optim={"name": "sgd", "momentum": 0.0}), _loader(0), _loader(1))
    return trainer


def test_fit_writes_metrics_config_media_and_checkpoints(root: Path, tmp_path: Path) -> None:
    logger = MediaboardLogger(project="lit", save_dir=str(root), log_model=True)
    assert logger.name == "lit"
    _fit(tmp_path, logger)
    run = only_run(root / "lit")
    assert run.path.parent == root / "lit"
    assert logger.version == run.path.name
    assert run.status == "finished"

    rows = list(run.history())
    train = [r for r in rows if "train_loss" in r]
    assert len(train) == 2 * BATCHES  # one row per training step (log_every_n_steps=1)
    assert [r["trainer/global_step"] for r in train] == list(range(2 * BATCHES))
    val = [r for r in rows if "val_loss" in r]
    assert len(val) == 2 and [r["trainer/global_step"] for r in val] == [BATCHES - 1, 2 * BATCHES - 1]
    assert all("epoch" in r for r in train)

    # save_hyperparameters() reaches the config, nested dicts flattened
    assert run.config["lr"] == 0.05 and run.config["hidden"] == 3
    assert run.config["optim/name"] == "sgd" and run.config["optim/momentum"] == 0.0

    images = run.media("samples")
    assert len(images) == 2
    stub = images[-1][1]
    assert stub["_type"] == "media-list"
    captions = [item.get("caption") for item in stub["items"]]
    assert captions == ["epoch 1", "black"]
    for item in stub["items"]:
        assert (run.path / item["path"]).is_file()
    tables = run.media("preds")
    assert len(tables) == 2 and (run.path / tables[0][1]["path"]).is_file()
    assert run.media("notes")

    # log_model=True: the best and the last checkpoint, copied when fit ends
    ckpts = sorted(p.name for p in (run.path / "files" / "checkpoints").iterdir())
    assert "last.ckpt" in ckpts and len(ckpts) == 2, ckpts
    assert run.summary["best_checkpoint"].startswith("checkpoints/epoch=")
    assert "best_checkpoint_score" in run.summary
    # and as versions of the model artifact, "best" on the best checkpoint's bytes (WandbLogger's)
    api = media.Api(root=str(root))
    best = api.artifact(f"lit/model-{run.id}:best")
    assert [f.path for f in best.files()] == ["model.ckpt"] and best.type == "model"
    got = Path(best.download(root=str(tmp_path / "best"))) / "model.ckpt"
    assert got.read_bytes() == (run.path / "files" / run.summary["best_checkpoint"]).read_bytes()
    assert best.metadata["original_filename"] == run.summary["best_checkpoint"].split("/")[-1]
    assert best.logged_by().id == run.id


def test_log_model_all_saves_each_checkpoint_and_no_model_saves_none(root: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="all", save_dir=str(root), log_model="all")
    _fit(tmp_path / "a", logger)
    run = only_run(root / "all")
    assert {p.name for p in (run.path / "files" / "checkpoints").iterdir()} >= {"last.ckpt"}
    named = WandbLogger(project="named", save_dir=str(root), log_model="all", checkpoint_name="mlp")
    _fit(tmp_path / "c", named)
    versions = media.Api(root=str(root)).artifacts("model", "named/mlp")
    assert len(versions) >= 2 and versions[-1].aliases[-1] == "latest"

    logger = MediaboardLogger(project="none", save_dir=str(root))
    _fit(tmp_path / "b", logger)
    run = only_run(root / "none")
    assert not (run.path / "files" / "checkpoints").exists()


def test_log_hyperparams_namespace_callables_and_prefix(root: Path) -> None:
    logger = MediaboardLogger(project="p", save_dir=str(root), prefix="fold0", name="first", config={"seed": 1})
    logger.log_hyperparams(argparse.Namespace(lr=0.1, act=torch.relu, net=torch.nn.Linear, dev=torch.device("cpu"),
                                              inner=argparse.Namespace(a=1)))
    logger.log_metrics({"loss": 1.5}, step=7)
    logger.log_metrics({"acc": 0.5})
    logger.finalize("success")
    run = only_run(root / "p")
    assert run.config["seed"] == 1 and run.config["lr"] == 0.1 and run.config["inner/a"] == 1
    assert run.config["act"] == "relu" and run.config["net"] == "torch.nn.modules.linear.Linear"
    assert run.config["dev"] == "cpu"
    rows = list(run.history())
    assert rows[0]["fold0-loss"] == 1.5 and rows[0]["trainer/global_step"] == 7
    assert rows[1]["fold0-acc"] == 0.5 and "trainer/global_step" not in rows[1]
    assert run.status == "finished"


def test_failed_status_and_continuing_after_finalize(root: Path) -> None:
    logger = MediaboardLogger(project="f", save_dir=str(root))
    logger.log_metrics({"loss": 1.0}, step=0)
    run_id = logger.version
    logger.finalize("success")
    logger.log_metrics({"test_loss": 2.0}, step=1)  # trainer.test() after fit: the same run
    assert logger.version == run_id
    logger.finalize("failed")
    run = only_run(root / "f")
    assert run.status == "failed"
    assert [r.get("test_loss") for r in list(run.history())] == [None, 2.0]


def test_existing_run_is_used_and_not_finished(root: Path) -> None:
    mine = media.init(project="mine")
    logger = MediaboardLogger(project="ignored")
    with pytest.warns(UserWarning, match="already active"):
        assert logger.experiment is mine
    logger.log_metrics({"x": 1.0}, step=3)
    logger.finalize("success")
    assert media.run is mine
    media.finish()
    assert list(media.open_run(mine.dir).history())[0]["trainer/global_step"] == 3


def test_watch_records_gradients(root: Path, tmp_path: Path) -> None:
    logger = MediaboardLogger(project="w", save_dir=str(root))
    model = Tiny()
    logger.watch(model, log="all", log_freq=1)
    trainer = lightning.Trainer(max_epochs=1, logger=logger, enable_progress_bar=False, enable_model_summary=False,
                                accelerator="cpu", log_every_n_steps=1, enable_checkpointing=False)
    trainer.fit(model, _loader(0))
    run = only_run(root / "w")
    assert any(k.startswith("gradients/") for k in run.keys())
    assert run.model()


def test_log_image_bad_inputs(root: Path) -> None:
    logger = MediaboardLogger(project="bad", save_dir=str(root))
    with pytest.raises(media.MediaTypeError, match="expected a list"):
        logger.log_image("x", np.zeros((4, 4)))
    with pytest.raises(media.MediaValueError, match=r"caption= must be a list with one entry per value \(2\)"):
        logger.log_image("x", [np.zeros((4, 4))] * 2, caption=["only one"])
    with pytest.raises(media.MediaValueError, match="log_model must be"):
        MediaboardLogger(log_model="best")
    logger.finalize("success")


def test_import_media_does_not_import_lightning() -> None:
    code = "import sys, media; media.init; media.Image; assert 'lightning' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
