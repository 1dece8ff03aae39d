"""Snippets from model repositories: language models, GANs, detection, reinforcement learning.

Each test copies the wandb lines of one public source verbatim (cited above the test; only
``import wandb`` became ``import media as wandb``), feeds them small random stand-ins for the
data, models and trainers they expect, and checks what landed in the run folder.
"""

from __future__ import annotations

import argparse
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import media as wandb

from .conftest import column, one_run, png, rows, table


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
