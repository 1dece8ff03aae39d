"""Snippets from model repositories: language models, GANs, detection, reinforcement learning.

Each test copies the wandb lines of one public source verbatim (cited above the test; only
``import wandb`` became ``import media as wandb``), feeds them small random stand-ins for the
data, models and trainers they expect, and checks what landed in the run folder.
"""

from __future__ import annotations

import argparse
import logging
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from PIL import Image

import media as wandb
import media as wb

from .conftest import column, items, one_run, png, rows, table


# karpathy/nanoGPT, train.py @ e2221318e607eb5ee0669d6b7641af25a2111545
# https://github.com/karpathy/nanoGPT/blob/e2221318e607eb5ee0669d6b7641af25a2111545/train.py
def test_nanogpt_train_loop(run_root: Path) -> None:
    # stand-ins: nanoGPT's globals and its config dict (config = {k: globals()[k] for k in config_keys})
    wandb_log, master_process = True, True
    wandb_project, wandb_run_name = "owt", "gpt2"
    config = {"batch_size": 12, "block_size": 1024, "learning_rate": 6e-4, "max_iters": 600000,
              "dataset": "openwebtext", "compile": True, "bias": False}
    rng = np.random.default_rng(0)
    running_mfu = -1.0

    # --- verbatim
    # logging
    if wandb_log and master_process:
        import media as wandb
        wandb.init(project=wandb_project, name=wandb_run_name, config=config)
    # ---

    for iter_num in range(0, 1000, 250):
        # stand-ins: estimate_loss() returns torch scalars; numpy float32 scalars here
        losses = {"train": np.float32(3 - iter_num / 1000 + rng.random() / 10),
                  "val": np.float32(3.1 - iter_num / 1000)}
        lr = 6e-4 * (iter_num + 1) / 2001
        # --- verbatim
        if wandb_log:
            wandb.log({
                "iter": iter_num,
                "train/loss": losses['train'],
                "val/loss": losses['val'],
                "lr": lr,
                "mfu": running_mfu*100, # convert to percentage
            })
        # ---
        running_mfu = 0.31
    wandb.finish()

    run = one_run(run_root)
    assert run.project == "owt" and run.name == "gpt2" and run.status == "finished"
    assert run.config == config
    assert column(run, "iter") == [0, 250, 500, 750]
    assert [r["_step"] for r in rows(run)] == [0, 1, 2, 3]
    assert column(run, "val/loss") == [float(np.float32(3.1 - i / 1000)) for i in (0, 250, 500, 750)]
    assert column(run, "mfu") == [-100.0, 31.0, 31.0, 31.0]
    assert run.summary["iter"] == 750 and run.summary["train/loss"] == column(run, "train/loss")[-1]


# vwxyzjn/cleanrl, cleanrl/ppo.py @ 2f4172eef96118b4d9d7111e1ecab1859a4b257c
# https://github.com/vwxyzjn/cleanrl/blob/2f4172eef96118b4d9d7111e1ecab1859a4b257c/cleanrl/ppo.py
def test_cleanrl_ppo_init(run_root: Path) -> None:
    # stand-ins: cleanrl's argparse result
    args = argparse.Namespace(exp_name="ppo", gym_id="CartPole-v0", learning_rate=3e-4, seed=1,
                              total_timesteps=100000, prod_mode=True, wandb_project_name="cleanRL",
                              wandb_entity=None, num_envs=4, num_steps=128)
    args.batch_size = int(args.num_envs * args.num_steps)
    experiment_name = f"{args.gym_id}__{args.exp_name}__{args.seed}__1600000000"

    # --- verbatim (sync_tensorboard, monitor_gym, save_code and entity are wandb's; accepted)
    if args.prod_mode:
        import media as wandb
        wandb.init(project=args.wandb_project_name, entity=args.wandb_entity, sync_tensorboard=True, config=vars(args), name=experiment_name, monitor_gym=True, save_code=True)
    # ---
    wandb.finish()

    run = one_run(run_root)
    assert run.project == "cleanRL" and run.name == "CartPole-v0__ppo__1__1600000000"
    assert run.config == vars(args) and run.config["batch_size"] == 512
    assert run.config["wandb_entity"] is None
    assert rows(run) == []


def _tensor2im(image: np.ndarray) -> np.ndarray:
    """Stand-in for CycleGAN's util.tensor2im: a (1, 3, H, W) array in [-1, 1] to (H, W, 3) uint8."""
    return ((np.transpose(image[0], (1, 2, 0)) + 1) / 2.0 * 255.0).astype(np.uint8)


class _CycleGANVisualizer:
    """Stand-in for CycleGAN's Visualizer, holding only the lines that call wandb (theirs)."""

    def __init__(self, opt: argparse.Namespace) -> None:
        self.use_wandb = opt.use_wandb
        self.current_epoch = 0
        # --- verbatim: Visualizer.__init__ (the source's next line, self.wandb_run._label(...),
        # calls a private wandb method mediaboard lacks: see README.md)
        if self.use_wandb:
            self.wandb_run = wandb.init(project='CycleGAN-and-pix2pix', name=opt.name, config=opt) if not wandb.run else wandb.run
        # ---

    def display_current_results(self, visuals, epoch, save_result):
        util = SimpleNamespace(tensor2im=_tensor2im)
        # --- verbatim: Visualizer.display_current_results
        if self.use_wandb:
            columns = [key for key, _ in visuals.items()]
            columns.insert(0,'epoch')
            result_table = wandb.Table(columns=columns)
            table_row = [epoch]
            ims_dict = {}
            for label, image in visuals.items():
                image_numpy = util.tensor2im(image)
                wandb_image = wandb.Image(image_numpy)
                table_row.append(wandb_image)
                ims_dict[label] = wandb_image
            self.wandb_run.log(ims_dict)
            if epoch != self.current_epoch:
                self.current_epoch = epoch
                result_table.add_data(*table_row)
                self.wandb_run.log({"Result": result_table})
        # ---

    def plot_current_losses(self, epoch, counter_ratio, losses):
        # --- verbatim: Visualizer.plot_current_losses
        if self.use_wandb:
            self.wandb_run.log(losses)
        # ---


# junyanz/pytorch-CycleGAN-and-pix2pix, util/visualizer.py @ 003efc4c8819de47ff11b5a0af7ba09aee7f5fc1
# https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/blob/003efc4c8819de47ff11b5a0af7ba09aee7f5fc1/util/visualizer.py
def test_cyclegan_visualizer(run_root: Path) -> None:
    opt = argparse.Namespace(name="maps_cyclegan", use_wandb=True, lr=0.0002, n_epochs=100,
                             display_winsize=256, gpu_ids=[0])
    rng = np.random.default_rng(1)
    visuals = OrderedDict((k, rng.uniform(-1, 1, (1, 3, 16, 24)).astype(np.float32))
                          for k in ("real_A", "fake_B", "rec_A"))
    vis = _CycleGANVisualizer(opt)
    vis.plot_current_losses(1, 0.5, OrderedDict(D_A=0.25, G_A=0.75, cycle_A=1.5))
    vis.display_current_results(visuals, 1, False)
    vis.display_current_results(visuals, 1, False)  # same epoch: images only, no table
    wandb.finish()

    run = one_run(run_root)
    assert run.project == "CycleGAN-and-pix2pix" and run.name == "maps_cyclegan"
    assert run.config["gpu_ids"] == [0] and run.config["lr"] == 0.0002
    history = rows(run)
    assert [sorted(k for k in r if not k.startswith("_")) for r in history] == [
        ["D_A", "G_A", "cycle_A"], ["fake_B", "real_A", "rec_A"], ["Result"],
        ["fake_B", "real_A", "rec_A"]]
    im = png(run, history[1]["fake_B"])
    assert im.size == (24, 16) and im.mode == "RGB"
    assert np.array_equal(np.asarray(im), _tensor2im(visuals["fake_B"]))
    t = table(run, history[2]["Result"])
    assert t["columns"] == ["epoch", "real_A", "fake_B", "rec_A"]
    assert len(t["data"]) == 1 and t["data"][0][0] == 1
    cell = t["data"][0][3]
    assert np.array_equal(np.asarray(png(run, cell)), _tensor2im(visuals["rec_A"]))


class _YoloV5WandbLogger:
    """Stand-in for YOLOv5's WandbLogger: __init__, setup_training, log, end_epoch and finish_run
    verbatim (artifact methods left out), with ``wandb`` bound to mediaboard."""

    def __init__(self, opt, run_id=None, job_type="Training"):
        # --- verbatim
        # Pre-training routine --
        self.job_type = job_type
        self.wandb, self.wandb_run = wandb, wandb.run if wandb else None
        self.val_artifact, self.train_artifact = None, None
        self.train_artifact_path, self.val_artifact_path = None, None
        self.result_artifact = None
        self.val_table, self.result_table = None, None
        self.max_imgs_to_log = 16
        self.data_dict = None
        if self.wandb:
            self.wandb_run = (
                wandb.run or wandb.init(
                                                    config=opt,
                                                    resume="allow",
                                                    project="YOLOv5" if opt.project == "runs/train" else Path(opt.project).stem,
                                                    entity=opt.entity,
                                                    name=opt.name if opt.name != "exp" else None,
                                                    job_type=job_type,
                                                    id=run_id,
                                                    allow_val_change=True,
                                                )
            )

        if self.wandb_run and self.job_type == "Training":
            if isinstance(opt.data, dict):
                # This means another dataset manager has already processed the dataset info (e.g. ClearML)
                # and they will have stored the already processed dict in opt.data
                self.data_dict = opt.data
            self.setup_training(opt)
        # ---

    def setup_training(self, opt):
        # --- verbatim (the opt.resume branch downloads an artifact; not taken: resume is False)
        self.log_dict, self.current_epoch = {}, 0
        self.bbox_interval = opt.bbox_interval
        if opt.bbox_interval == -1:
            self.bbox_interval = opt.bbox_interval = (opt.epochs // 10) if opt.epochs > 10 else 1
            if opt.evolve or opt.noplots:
                self.bbox_interval = opt.bbox_interval = opt.epochs + 1  # disable bbox_interval
        # ---

    def log(self, log_dict):
        # --- verbatim
        if self.wandb_run:
            for key, value in log_dict.items():
                self.log_dict[key] = value
        # ---

    def end_epoch(self):
        LOGGER = logging.getLogger("yolov5")  # noqa: N806 - stand-in for utils.general.LOGGER
        # --- verbatim
        if self.wandb_run:
            with all_logging_disabled():
                try:
                    wandb.log(self.log_dict)
                except BaseException as e:
                    LOGGER.info(
                        f"An error occurred in wandb logger. The training will proceed without interruption. More info\n{e}"
                    )
                    self.wandb_run.finish()
                    self.wandb_run = None
                self.log_dict = {}
        # ---

    def finish_run(self):
        LOGGER, DEPRECATION_WARNING = logging.getLogger("yolov5"), "wandb is deprecated"  # noqa: N806
        # --- verbatim
        if self.wandb_run:
            if self.log_dict:
                with all_logging_disabled():
                    wandb.log(self.log_dict)
            wandb.run.finish()
            LOGGER.warning(DEPRECATION_WARNING)
        # ---


# --- verbatim: utils/loggers/wandb/wandb_utils.py
@contextmanager
def all_logging_disabled(highest_level=logging.CRITICAL):
    """source - https://gist.github.com/simon-weber/7853144
    A context manager that will prevent any logging messages triggered during the body from being processed.
    :param highest_level: the maximum logging level in use.
      This would only need to be changed if a custom level greater than CRITICAL is defined.
    """
    previous_level = logging.root.manager.disable
    logging.disable(highest_level)
    try:
        yield
    finally:
        logging.disable(previous_level)
# ---


# ultralytics/yolov5, utils/loggers/wandb/wandb_utils.py @ 00c0ea57a2d65c507d44860f1afaaa73432dbe85
# https://github.com/ultralytics/yolov5/blob/00c0ea57a2d65c507d44860f1afaaa73432dbe85/utils/loggers/wandb/wandb_utils.py
def test_yolov5_wandb_logger(run_root: Path) -> None:
    opt = argparse.Namespace(project="runs/train", entity=None, name="exp", data="coco128.yaml",
                             bbox_interval=-1, epochs=3, evolve=None, noplots=False, resume=False,
                             hyp={"lr0": 0.01, "momentum": 0.937}, imgsz=640, batch_size=16)
    logger = _YoloV5WandbLogger(opt, run_id="yolo1", job_type="Training")
    for epoch in range(3):
        logger.log({"train/box_loss": 0.1 / (epoch + 1), "metrics/mAP_0.5": 0.2 * epoch, "x/lr0": 0.01})
        logger.log({"val/box_loss": 0.12 / (epoch + 1)})
        logger.end_epoch()
    logger.log({"metrics/mAP_0.5:0.95": 0.33})
    logger.finish_run()

    run = one_run(run_root)
    assert (run.id, run.project, run.job_type, run.status) == ("yolo1", "YOLOv5", "Training", "finished")
    assert run.name != "exp"  # name=None: a generated name
    assert run.config["hyp"] == {"lr0": 0.01, "momentum": 0.937} and run.config["bbox_interval"] == -1  # as at init
    history = rows(run)
    assert len(history) == 4
    assert column(run, "metrics/mAP_0.5") == [0.0, 0.2, 0.4]
    assert column(run, "val/box_loss") == [0.12, 0.06, 0.04]
    assert history[-1]["metrics/mAP_0.5:0.95"] == 0.33 and run.summary["metrics/mAP_0.5:0.95"] == 0.33


# --- verbatim: ultralytics/utils/callbacks/wb.py (``import wandb as wb`` is at the top, as
# ``import media as wb``)
_processed_plots = {}


def _custom_table(x, y, classes, title="Precision Recall Curve", x_title="Recall", y_title="Precision"):
    """
    Create and log a custom metric visualization to wandb.plot.pr_curve.
    (docstring shortened)
    """
    df = pd.DataFrame({"class": classes, "y": y, "x": x}).round(3)
    fields = {"x": "x", "y": "y", "class": "class"}
    string_fields = {"title": title, "x-axis-title": x_title, "y-axis-title": y_title}
    return wb.plot_table(
        "wandb/area-under-curve/v0", wb.Table(dataframe=df), fields=fields, string_fields=string_fields
    )


def _plot_curve(
    x,
    y,
    names=None,
    id="precision-recall",
    title="Precision Recall Curve",
    x_title="Recall",
    y_title="Precision",
    num_x=100,
    only_mean=False,
):
    """
    Log a metric curve visualization.
    (docstring shortened)
    """
    # Create new x
    if names is None:
        names = []
    x_new = np.linspace(x[0], x[-1], num_x).round(5)

    # Create arrays for logging
    x_log = x_new.tolist()
    y_log = np.interp(x_new, x, np.mean(y, axis=0)).round(3).tolist()

    if only_mean:
        table = wb.Table(data=list(zip(x_log, y_log)), columns=[x_title, y_title])
        wb.run.log({title: wb.plot.line(table, x_title, y_title, title=title)})
    else:
        classes = ["mean"] * len(x_log)
        for i, yi in enumerate(y):
            x_log.extend(x_new)  # add new x
            y_log.extend(np.interp(x_new, x, yi))  # interpolate y to new x
            classes.extend([names[i]] * len(x_new))  # add class names
        wb.log({id: _custom_table(x_log, y_log, classes, title, x_title, y_title)}, commit=False)


def _log_plots(plots, step):
    """Logs plots from the input dictionary if they haven't been logged already at the specified step."""
    for name, params in plots.items():
        timestamp = params["timestamp"]
        if _processed_plots.get(name) != timestamp:
            wb.run.log({name.stem: wb.Image(str(name))}, step=step)
            _processed_plots[name] = timestamp


def on_pretrain_routine_start(trainer):
    """Initiate and start project if module is present."""
    wb.run or wb.init(project=trainer.args.project or "YOLOv8", name=trainer.args.name, config=vars(trainer.args))


def on_fit_epoch_end(trainer):
    """Logs training metrics and model information at the end of an epoch."""
    wb.run.log(trainer.metrics, step=trainer.epoch + 1)
    _log_plots(trainer.plots, step=trainer.epoch + 1)
    _log_plots(trainer.validator.plots, step=trainer.epoch + 1)
    if trainer.epoch == 0:
        wb.run.log(model_info_for_loggers(trainer), step=trainer.epoch + 1)


def on_train_epoch_end(trainer):
    """Log metrics and save images at the end of each training epoch."""
    wb.run.log(trainer.label_loss_items(trainer.tloss, prefix="train"), step=trainer.epoch + 1)
    wb.run.log(trainer.lr, step=trainer.epoch + 1)
    if trainer.epoch == 1:
        _log_plots(trainer.plots, step=trainer.epoch + 1)
# ---


def model_info_for_loggers(trainer):
    """Stand-in for ultralytics.utils.torch_utils.model_info_for_loggers."""
    return {"model/parameters": 3157200, "model/GFLOPs": 8.9, "model/speed_PyTorch(ms)": 1.5}


# ultralytics/ultralytics, ultralytics/utils/callbacks/wb.py @ 0005af52af705ebb03b6ed1a0be176d52d79241c
# https://github.com/ultralytics/ultralytics/blob/0005af52af705ebb03b6ed1a0be176d52d79241c/ultralytics/utils/callbacks/wb.py
def test_ultralytics_wb_callbacks(run_root: Path, tmp_path: Path) -> None:
    _processed_plots.clear()
    plots_dir = tmp_path / "plots"
    plots_dir.mkdir()
    labels_png, results_png = plots_dir / "labels.png", plots_dir / "results.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(labels_png)
    Image.new("RGB", (20, 10), (10, 10, 200)).save(results_png)
    trainer = SimpleNamespace(
        args=argparse.Namespace(project=None, name="train7", epochs=2, imgsz=64, model="yolov8n.pt"),
        epoch=0, tloss=np.array([1.2, 2.3, 1.1]), lr={"lr/pg0": 0.0007, "lr/pg1": 0.0007},
        metrics={"metrics/mAP50(B)": 0.1, "val/box_loss": 1.4},
        plots={labels_png: {"timestamp": 1.0}}, validator=SimpleNamespace(plots={}),
        label_loss_items=lambda tloss, prefix: {f"{prefix}/{k}": float(v)
                                                for k, v in zip(("box_loss", "cls_loss", "dfl_loss"), tloss)},
    )
    on_pretrain_routine_start(trainer)
    for epoch in range(2):
        trainer.epoch = epoch
        trainer.metrics = {"metrics/mAP50(B)": 0.1 + 0.3 * epoch, "val/box_loss": 1.4 - 0.2 * epoch}
        on_train_epoch_end(trainer)
        trainer.validator.plots = {results_png: {"timestamp": 2.0 + epoch}}
        on_fit_epoch_end(trainer)
    # on_train_end's curves (its Artifact lines are left out: see README.md)
    px = np.linspace(0, 1, 1000)
    py = np.stack([1 - px ** 2, 1 - px ** 3])
    _plot_curve(px, py, names=["person", "car"], id="curves/PR(B)", title="PR(B)",
                x_title="Recall", y_title="Precision")
    _plot_curve(px, py, names=["person", "car"], id="curves/F1(B)", title="F1(B)",
                x_title="Confidence", y_title="F1", only_mean=True)
    wb.run.finish()

    run = one_run(run_root)
    assert run.project == "YOLOv8" and run.name == "train7" and run.config["model"] == "yolov8n.pt"
    history = {r["_step"]: r for r in rows(run)}
    # wandb's step rules: log(step=2) leaves step 2 open; the curves' log(commit=False) and the
    # plain log() that follows both land in it
    assert sorted(history) == [1, 2]
    assert history[1]["train/box_loss"] == 1.2 and history[1]["lr/pg0"] == 0.0007
    assert history[1]["model/parameters"] == 3157200 and history[2]["metrics/mAP50(B)"] == 0.4
    assert png(run, history[1]["labels"]).size == (40, 30)  # the file, byte for byte
    assert run.resolve(history[1]["labels"]["path"]).read_bytes() == labels_png.read_bytes()
    assert [png(run, history[s]["results"]).getpixel((0, 0)) for s in (1, 2)] == [(10, 10, 200)] * 2
    pr = history[2]["curves/PR(B)"]
    assert pr["_type"] == "plot" and pr["spec"] == "wandb/area-under-curve/v0"
    assert pr["fields"] == {"x": "x", "y": "y", "class": "class"}
    data = table(run, pr["table"])
    assert data["columns"] == ["class", "y", "x"] and len(data["data"]) == 300
    assert {r[0] for r in data["data"]} == {"mean", "person", "car"}
    f1 = history[2]["F1(B)"]
    assert f1["chart"] == "line" and table(run, f1["table"])["columns"] == ["Confidence", "F1"]
    assert items(history[2]["results"])[0]["_type"] == "image"
