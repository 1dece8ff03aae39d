"""media.as_wandb(): `import wandb` answered by mediaboard. Every case runs in a child process, so
this process's sys.modules and sys.meta_path stay untouched."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import media

REPO = Path(__file__).resolve().parents[2]


def _child(code: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None,
           pythonpath: list[str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (a script in tmp_path) in a fresh interpreter with the repo importable."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    full_env = {**os.environ, "MEDIABOARD_DIR": str(tmp_path / "runs"), "MEDIABOARD_CONSOLE_LOG": "0",
                "PYTHONPATH": os.pathsep.join([*(pythonpath or []), str(REPO)]), **(env or {})}
    for name in ("MEDIABOARD_AS_WANDB", "WANDB_PROJECT", "MEDIABOARD_PROJECT", "WANDB_MODE", "MEDIABOARD_MODE"):
        if name not in (env or {}):
            full_env.pop(name, None)
    done = subprocess.run([sys.executable, *(args or [str(script)])], cwd=tmp_path, env=full_env,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def _script(*parts: str) -> str:
    return "".join(textwrap.dedent(p) for p in parts)


no_real_wandb = pytest.mark.skipif(importlib.util.find_spec("wandb") is not None,
                                   reason="a real wandb is installed here")


@no_real_wandb
def test_as_wandb_answers_import_wandb(tmp_path: Path):
    _child("""
        import importlib.util, sys
        import media
        assert importlib.util.find_spec("wandb") is None
        media.as_wandb()
        media.as_wandb()  # twice: nothing more
        spec = importlib.util.find_spec("wandb")
        assert spec is not None and spec.name == "wandb", spec
        import wandb
        assert wandb.__spec__ is spec or wandb.__spec__.name == "wandb"
        assert wandb.run is None and wandb.Image is media.Image
        run = wandb.init(project="shim", config={"lr": 0.1})
        assert wandb.run is run is media.run and wandb.config is media.config
        wandb.log({"loss": 1.0})
        wandb.finish()
        assert wandb.run is None
        import wandb.plot
        assert wandb.plot is media.plot and sys.modules["wandb.plot"] is media.plot
        assert media.plot.__spec__.name == "media.plot"  # the real module keeps its own spec
        from wandb.sdk.lib.config_util import ConfigError
        assert issubclass(ConfigError, ValueError)
        try:
            import wandb.nothing  # noqa: F401
        except ModuleNotFoundError as exc:
            assert "wandb.nothing" in str(exc)
        else:
            raise AssertionError("wandb.nothing imported")
        # integrations map lazily: wandb.keras exists exactly when media.integration.keras does
        has_keras = importlib.util.find_spec("media.integration.keras") is not None
        assert (importlib.util.find_spec("wandb.keras") is not None) == has_keras
        assert (importlib.util.find_spec("wandb.integration.keras") is not None) == has_keras
        import wandb.integration.transformers as t
        assert t is sys.modules["media.integration.transformers"]
        print("ok")
    """, tmp_path)
    runs = media.list_runs(tmp_path / "runs")
    assert len(runs) == 1 and runs[0].project == "shim" and runs[0].status == "finished"
    assert [r["loss"] for r in runs[0].history()] == [1.0]


def test_a_real_wandb_is_never_shadowed_silently(tmp_path: Path):
    fake = tmp_path / "site"
    (fake / "wandb").mkdir(parents=True)
    (fake / "wandb" / "__init__.py").write_text("REAL = True\n", encoding="utf-8")
    done = _child("""
        import media
        from media.errors import RunStateError
        try:
            media.as_wandb()
        except RunStateError as exc:
            assert "real wandb is installed" in str(exc) and "force=True" in str(exc), exc
        else:
            raise AssertionError("as_wandb() shadowed a real wandb")
        import wandb
        assert wandb.REAL
        media.as_wandb(force=True)  # forced: the imported real one is dropped for new imports
        import wandb
        assert not hasattr(wandb, "REAL") and wandb.log is media.log
        print("ok")
    """, tmp_path, pythonpath=[str(fake)])
    assert done.stdout.strip() == "ok"
    refused = _child("import media, wandb\n", tmp_path, env={"MEDIABOARD_AS_WANDB": "1"},
                     pythonpath=[str(fake)], check=False)
    assert refused.returncode != 0 and "refusing to shadow it" in refused.stderr


@no_real_wandb
def test_environment_variable_takes_effect_at_import_media(tmp_path: Path):
    code = """
        import importlib.util
        import media
        print(importlib.util.find_spec("wandb") is not None)
    """
    assert _child(code, tmp_path).stdout.strip() == "False"
    assert _child(code, tmp_path, env={"MEDIABOARD_AS_WANDB": "1"}).stdout.strip() == "True"
    assert _child(code, tmp_path, env={"MEDIABOARD_AS_WANDB": "0"}).stdout.strip() == "False"


@no_real_wandb
def test_runner_runs_a_script_that_imports_wandb(tmp_path: Path):
    code = """
        import sys
        import wandb
        wandb.init(project="runner")
        wandb.log({"x": 2})
        wandb.finish()
        print(sys.argv[1:], __name__)
    """
    done = _child(code, tmp_path, "-m", "media._shim", str(tmp_path / "script.py"), "--lr", "3")
    assert done.stdout.strip() == "['--lr', '3'] __main__"
    usage = _child(code, tmp_path, "-m", "media._shim", check=False)
    assert usage.returncode == 2 and "usage:" in usage.stderr
    (run,) = media.list_runs(tmp_path / "runs")
    assert run.project == "runner" and [r["x"] for r in run.history()] == [2]


_TINY_MODEL = """
    import torch, transformers
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(transformers.BertConfig(
        vocab_size=32, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=16, num_labels=2))
"""


@no_real_wandb
def test_transformers_wandb_callback_through_the_shim(tmp_path: Path):
    """transformers' own WandbCallback, unchanged, its hooks called as Trainer calls them (Trainer and
    TrainingArguments need accelerate; the Trainer test below runs where it is installed)."""
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    _child(_script("""
        import media
        media.as_wandb()
        from transformers.integrations import WandbCallback, is_wandb_available
        assert is_wandb_available()
    """, _TINY_MODEL, """
    class Args:  # what WandbCallback reads of TrainingArguments
        output_dir, run_name = "out", None
        def to_dict(self):
            return {"output_dir": "out", "learning_rate": 1e-3}
    args, state, control = Args(), transformers.TrainerState(), transformers.TrainerControl()
    cb = WandbCallback()
    cb.on_train_begin(args, state, control, model=model)
    for step in (1, 2):
        state.global_step = step
        cb.on_log(args, state, control, model=model, logs={"loss": 1.0 / step, "epoch": step / 2})
    cb.on_log(args, state, control, model=model, logs={"eval_loss": 0.5})
    cb.on_log(args, state, control, model=model, logs={"train_runtime": 1.0, "train_loss": 0.75})
    cb.on_train_end(args, state, control, model=model)
    media.finish()
    """), tmp_path, env={"WANDB_PROJECT": "hf-shim"})
    (run,) = media.list_runs(tmp_path / "runs")
    assert run.project == "hf-shim" and run.status == "finished"
    rows = list(run.history())
    assert [r.get("train/loss") for r in rows[:2]] == [1.0, 0.5]
    assert [r["train/global_step"] for r in rows] == [1, 2, 2, 2] and rows[2]["eval/loss"] == 0.5
    assert run.config["learning_rate"] == 1e-3 and run.config["model/num_parameters"] > 0
    assert run.summary["train_loss"] == 0.75
    assert run.meta["metrics"]["*"]["step_metric"] == "train/global_step"


@no_real_wandb
def test_trainer_report_to_wandb_through_the_shim(tmp_path: Path):
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    pytest.importorskip("accelerate", reason="transformers' Trainer needs accelerate")
    _child(_script("""
        import media
        media.as_wandb()
    """, _TINY_MODEL, """
    class Data(torch.utils.data.Dataset):
        def __init__(self, n, seed):
            g = torch.Generator().manual_seed(seed)
            self.x, self.y = torch.randint(0, 32, (n, 8), generator=g), torch.randint(0, 2, (n,), generator=g)
        def __len__(self):
            return len(self.x)
        def __getitem__(self, i):
            return {"input_ids": self.x[i], "labels": self.y[i]}
    args = transformers.TrainingArguments(
        output_dir="out", max_steps=4, per_device_train_batch_size=4, logging_steps=1, eval_strategy="steps",
        eval_steps=2, save_strategy="no", report_to="wandb", use_cpu=True, learning_rate=1e-3, disable_tqdm=True)
    transformers.Trainer(model=model, args=args, train_dataset=Data(16, 1), eval_dataset=Data(8, 2)).train()
    media.finish()
    """), tmp_path, env={"WANDB_PROJECT": "hf-trainer"})
    (run,) = media.list_runs(tmp_path / "runs")
    rows = list(run.history())
    assert [r["train/global_step"] for r in rows if "train/loss" in r] == [1, 2, 3, 4]
    assert [r["train/global_step"] for r in rows if "eval/loss" in r] == [2, 4]
    assert run.config["learning_rate"] == 1e-3 and run.status == "finished"
