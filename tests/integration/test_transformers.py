"""media.integration.transformers: a tiny Trainer on CPU logs into a run folder (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

import media  # noqa: E402
from media.integration.transformers import MediaboardCallback, WandbCallback, rewrite_keys  # noqa: E402
from tests.conftest import only_run  # noqa: E402


class _Data(torch.utils.data.Dataset):
    """Seeded random token sequences with labels: enough for a loss, nothing to learn."""

    def __init__(self, n: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 32, (n, 8), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def _model():
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=16, num_labels=2)
    return transformers.BertForSequenceClassification(config)


@pytest.fixture
def trainer_runs():
    """Trainer and TrainingArguments need accelerate (transformers 5 refuses without it)."""
    pytest.importorskip("accelerate", reason="transformers' Trainer needs accelerate")


def _trainer(tmp_path: Path, callbacks: list, report_to: str = "none", **args):
    model = _model()
    targs = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), max_steps=4, per_device_train_batch_size=4, logging_steps=1,
        eval_strategy="steps", eval_steps=2, save_strategy=args.pop("save_strategy", "no"), report_to=report_to,
        use_cpu=True, learning_rate=1e-3, disable_tqdm=True, **args)
    return transformers.Trainer(model=model, args=targs, train_dataset=_Data(16, 1), eval_dataset=_Data(8, 2),
                                callbacks=callbacks)


def test_rewrite_keys():
    assert rewrite_keys({"loss": 1, "eval_loss": 2, "test_acc": 3, "epoch": 0.5}) == {
        "train/loss": 1, "eval/loss": 2, "test/acc": 3, "train/epoch": 0.5}
    assert WandbCallback is MediaboardCallback


class _Args:
    """What the callback reads of TrainingArguments (which cannot be built without accelerate)."""

    output_dir = "out"
    run_name = None

    def to_dict(self) -> dict:
        return {"output_dir": self.output_dir, "learning_rate": 1e-3, "logging_steps": 1}


def test_callback_hooks_in_trainer_order(root: Path, monkeypatch: pytest.MonkeyPatch):
    """The hooks called as Trainer calls them, with a real TrainerState, TrainerControl and model."""
    monkeypatch.setenv("MEDIABOARD_PROJECT", "hooks")
    cb, args, model = MediaboardCallback(), _Args(), _model()
    state, control = transformers.TrainerState(), transformers.TrainerControl()
    cb.on_train_begin(args, state, control, model=model)
    run = media.run
    assert run is not None and run.project == "hooks"
    for step in (1, 2):
        state.global_step = step
        cb.on_log(args, state, control, model=model, logs={"loss": 1.0 / step, "learning_rate": 1e-3, "epoch": step / 2})
    cb.on_log(args, state, control, model=model, logs={"eval_loss": 0.7, "eval_runtime": 0.1})
    cb.on_log(args, state, control, model=model, logs={"train_runtime": 1.5, "train_loss": 0.75, "total_flos": 10.0})
    cb.on_train_end(args, state, control, model=model)
    assert media.run is None
    reader = only_run(root)
    rows = list(reader.history())
    assert [r.get("train/loss") for r in rows[:2]] == [1.0, 0.5]
    assert [r["train/global_step"] for r in rows] == [1, 2, 2, 2]
    assert rows[2]["eval/loss"] == 0.7 and "train/train_runtime" not in rows[3]
    assert reader.summary["train_runtime"] == 1.5 and reader.summary["train_loss"] == 0.75
    assert reader.config["learning_rate"] == 1e-3 and reader.config["num_hidden_layers"] == 2
    assert reader.config["model/num_parameters"] == model.num_parameters()
    meta = reader.meta
    assert meta["metrics"]["*"]["step_metric"] == "train/global_step", meta.get("metrics")
    assert reader.status == "finished"
    # an evaluate() after train() goes back into the same run
    state.global_step = 3
    cb.on_log(args, state, control, model=model, logs={"eval_loss": 0.6})
    media.finish()
    assert [r.get("eval/loss") for r in only_run(root).history()][-1] == 0.6


@pytest.mark.usefixtures("trainer_runs")
def test_trainer_logs_into_a_run(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WANDB_PROJECT", "hf-tiny")
    trainer = _trainer(tmp_path, [MediaboardCallback()])
    trainer.train()
    assert media.run is None  # the callback opened the run, so it finished it
    run = only_run(root)
    assert run.project == "hf-tiny"
    rows = list(run.history())
    train = [r for r in rows if "train/loss" in r]
    evals = [r for r in rows if "eval/loss" in r]
    assert [r["train/global_step"] for r in train] == [1, 2, 3, 4]
    assert [r["train/global_step"] for r in evals] == [2, 4]
    assert all("train/global_step" in r for r in rows)
    assert run.config["learning_rate"] == 1e-3
    assert run.config["hidden_size"] == 16  # the model's config
    assert run.config["model/num_parameters"] > 0
    assert "train_runtime" in run.summary and "train_loss" in run.summary
    assert run.status == "finished"

    # evaluate() after train(): back into the same run
    trainer.evaluate()
    media.finish()
    run = only_run(root)
    assert len([r for r in run.history() if "eval/loss" in r]) == 3


@pytest.mark.usefixtures("trainer_runs")
def test_run_already_active_is_left_open(root: Path, tmp_path: Path):
    mine = media.init(project="mine", config={"batch": 4})
    _trainer(tmp_path, [MediaboardCallback()]).train()
    assert media.run is mine
    assert mine.config["batch"] == 4 and mine.config["learning_rate"] == 1e-3
    media.finish()
    assert any("train/loss" in r for r in only_run(root).history())


@pytest.mark.usefixtures("trainer_runs")
def test_log_model_checkpoint_and_end_as_artifacts(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """WANDB_LOG_MODEL=checkpoint: each saved checkpoint folder is a version of checkpoint-<id>
    with wandb's aliases; =end: the trained model (save_pretrained) is model-<id>."""
    monkeypatch.setenv("WANDB_PROJECT", "hf-art")
    monkeypatch.setenv("WANDB_LOG_MODEL", "checkpoint")
    trainer = _trainer(tmp_path / "a", [MediaboardCallback()], save_strategy="steps", save_steps=2)
    trainer.train()
    run = only_run(root)
    api = media.Api()
    for step in (2, 4):
        art = api.artifact(f"hf-art/checkpoint-{run.id}:checkpoint_global_step_{step}")
        folder = tmp_path / "a" / "out" / f"checkpoint-{step}"
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        assert [f.path for f in art.files()] == names
        got = Path(art.download(root=str(tmp_path / f"dl{step}")))
        assert all((got / n).read_bytes() == (folder / n).read_bytes() for n in names)
    assert "epoch_1.0" in api.artifact(f"hf-art/checkpoint-{run.id}:latest").aliases

    monkeypatch.setenv("WANDB_LOG_MODEL", "end")
    monkeypatch.setenv("WANDB_PROJECT", "hf-end")
    trainer = _trainer(tmp_path / "b", [MediaboardCallback()])
    trainer.train()
    run = only_run(root / "hf-end")
    model = api.artifact(f"hf-end/model-{run.id}:latest")
    assert {"config.json", "model.safetensors"} <= {f.path for f in model.files()}
    assert model.metadata["final/num_parameters"] == trainer.model.num_parameters()
    assert "train_loss" in model.metadata and model.logged_by().id == run.id
    loaded = transformers.BertForSequenceClassification.from_pretrained(model.download(root=str(tmp_path / "m")))
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), trainer.model.state_dict().values()))
