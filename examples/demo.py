"""Log a demo run with every media kind over many steps, then build the static site.

    python examples/demo.py [--steps 60] [--out mediaboard-site] [--root mediaboard]

Prints the path of the site's index.html: open it by double-clicking (file://, no server).
The data is synthetic (seeded): a "segmentation model" that gets better at finding shapes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import media as wandb

CLASSES = {1: "circle", 2: "square"}


def scene(rng: np.random.Generator, size: int = 96) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """An RGB image with a circle and a square, its class mask, and the true boxes (pixels)."""
    img = np.zeros((size, size, 3), np.float32)
    img += np.linspace(0.05, 0.25, size)[None, :, None]
    mask = np.zeros((size, size), np.uint8)
    yy, xx = np.mgrid[:size, :size]
    cx, cy, r = rng.integers(20, size - 20, 2).tolist() + [int(rng.integers(8, 16))]
    circle = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    img[circle] = [0.9, 0.3, 0.2]
    mask[circle] = 1
    sx, sy, s = int(rng.integers(5, size - 30)), int(rng.integers(5, size - 30)), int(rng.integers(12, 24))
    img[sy:sy + s, sx:sx + s] = [0.2, 0.6, 0.95]
    mask[sy:sy + s, sx:sx + s] = 2
    boxes = [
        {"minX": cx - r, "maxX": cx + r, "minY": cy - r, "maxY": cy + r, "class_id": 1},
        {"minX": sx, "maxX": sx + s, "minY": sy, "maxY": sy + s, "class_id": 2},
    ]
    return img, mask, boxes


def predicted(rng: np.random.Generator, mask: np.ndarray, boxes: list[dict], quality: float):
    """A noisy prediction whose noise shrinks as quality goes from 0 to 1."""
    noise = rng.random(mask.shape) > (0.6 + 0.4 * quality)
    pred = np.where(noise, rng.integers(0, 3, mask.shape), mask).astype(np.uint8)
    pboxes = []
    for b in boxes:
        jitter = (1 - quality) * 8
        d = rng.normal(0, jitter + 0.1, 4)
        x0, x1 = sorted((b["minX"] + d[0], b["maxX"] + d[1]))
        y0, y1 = sorted((b["minY"] + d[2], b["maxY"] + d[3]))
        pboxes.append({
            "position": {"minX": float(x0), "maxX": float(x1), "minY": float(y0), "maxY": float(y1)},
            "domain": "pixel",
            "class_id": b["class_id"],
            "box_caption": f"{CLASSES[b['class_id']]} {0.5 + 0.5 * quality:.2f}",
            "scores": {"confidence": float(np.clip(0.4 + 0.6 * quality + rng.normal(0, 0.05), 0, 1))},
        })
    return pred, pboxes


def log_demo(root: str, steps: int, seed: int = 0, run_id: str | None = None,
             name: str | None = None, lr: float = 3e-4) -> str:
    """Log the demo run under ``root``; return its folder. A larger ``lr`` "learns" faster (the
    same scenes, better predictions sooner), which gives two runs something to compare."""
    rng = np.random.default_rng(seed)
    speed = (lr / 3e-4) ** 0.5
    run = wandb.init(project="demo", dir=root, id=run_id, name=name, config={"lr": lr, "batch_size": 32, "epochs": steps // 10,
                                                         "model": {"name": "tiny-unet", "depth": 4}},
                     notes="Synthetic run that uses every media kind.", tags=["demo", "all-kinds"])
    sr = 16000
    best = float("inf")
    crng = np.random.default_rng(seed + 100)  # the classifier charts' own stream: the rest is unchanged
    for step in range(steps):
        q = min(1.0, speed * step / max(1, steps - 1))
        loss = float(np.exp(-3 * q) + 0.05 * rng.random())
        best = min(best, loss * 1.1)
        row = {
            "train/loss": loss,
            "train/acc": float(1 - loss / 2),
            "val/loss": loss * 1.1,
            "epoch": step // 10,
            "lr": lr * (0.5 ** (step // 20)),
        }
        if step % 2 == 0:
            images = []
            for i in range(4):
                img, mask, boxes = scene(rng)
                pred, pboxes = predicted(rng, mask, boxes, q)
                images.append(wandb.Image(
                    img, caption=f"sample {i}: pred {'ok' if q > 0.5 else 'noisy'}",
                    masks={"predictions": {"mask_data": pred, "class_labels": CLASSES},
                           "ground_truth": {"mask_data": mask, "class_labels": CLASSES}},
                    boxes={"predictions": {"box_data": pboxes, "class_labels": CLASSES}},
                ))
            row["examples"] = images
            # A normalised tensor-like input: the stub records the value range that was mapped.
            row["normalised"] = wandb.Image((img - 0.13) / 0.31, caption="normalised input")
            row["weights"] = wandb.Histogram(rng.normal(q, 1 - 0.5 * q, 2000))
            row["grads"] = rng.normal(0, 0.1 * (1 - q) + 0.01, 500)  # bare array -> histogram
        if step % 5 == 0:
            t = np.linspace(0, 0.5, sr // 2, endpoint=False)
            f0 = 220 * (1 + q)
            row["audio"] = wandb.Audio(0.3 * np.sin(2 * np.pi * f0 * t), sample_rate=sr,
                                       caption=f"{f0:.0f} Hz tone")
            frames = np.zeros((12, 3, 48, 64), np.uint8)
            for f in range(12):
                x = int(4 + f * 4 * (0.5 + q))
                frames[f, :, 18:30, x % 52:(x % 52) + 12] = 255
            row["video"] = wandb.Video(frames, fps=6, caption="moving square")
            n = 2000
            pts = rng.normal(0, 1, (n, 3)) * [1, 1, 0.3]
            cat = (pts[:, 0] > 0).astype(float) + 1
            row["point_cloud"] = wandb.Object3D(np.column_stack([pts, cat]))
            row["status"] = f"step {step}: loss {loss:.3f}"
        if step % 10 == 0 or step == steps - 1:
            table = wandb.Table(columns=["id", "image", "prediction", "truth", "confidence"])
            for i in range(6):
                img, mask, _ = scene(rng, 48)
                truth = CLASSES[1 + i % 2]
                guess = truth if rng.random() < 0.4 + 0.6 * q else CLASSES[2 - i % 2]
                table.add_data(i, wandb.Image(img), guess, truth, float(rng.random()))
            row["predictions"] = table
            row["chart_plotly"] = plotly_chart(rng, step)
            row["chart_matplotlib"] = matplotlib_chart(rng, q)
            row["chart_bokeh"] = bokeh_chart(rng, q)
            row["pr_curve"], row["confusion"] = classifier_charts(crng, q)
            row["report_html"] = wandb.Html(
                f"<h3>Step {step}</h3><p>Loss is <b>{loss:.3f}</b>.</p>"
                "<ul><li>circle</li><li>square</li></ul>"
            )
        wandb.log(row, step=step)
    wandb.summary["best_val_loss"] = best
    wandb.finish()
    return run.dir


def classifier_charts(rng: np.random.Generator, quality: float):
    """wandb.plot's PR curve and confusion matrix of a pixel classifier that improves with quality."""
    names = ["background", *CLASSES.values()]
    truth = rng.integers(0, 3, 90)
    scores = rng.random((90, 3)) + (0.3 + 2.5 * quality) * np.eye(3)[truth]
    probs = scores / scores.sum(axis=1, keepdims=True)
    return (wandb.plot.pr_curve(truth, probs, labels=names),
            wandb.plot.confusion_matrix(probs=probs, y_true=truth, class_names=names))


def plotly_chart(rng: np.random.Generator, step: int):
    import plotly.graph_objects as go

    x = np.arange(20)
    fig = go.Figure([go.Bar(x=x, y=rng.poisson(5 + step / 10, 20), name="counts")])
    fig.update_layout(title=f"Predictions per class id (step {step})")
    return wandb.Plotly(fig)


def matplotlib_chart(rng: np.random.Generator, q: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    x = np.linspace(0, 10, 60)
    ax.plot(x, np.sin(x) * (1 - q) + 0.1 * rng.normal(size=60), label="residual", color="tab:red")
    ax.fill_between(x, -1 + q, 1 - q, alpha=0.2, label="band")
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.set_title("matplotlib, converted to plotly")
    ax.legend()
    plt.close(fig)
    return fig


def bokeh_chart(rng: np.random.Generator, q: float):
    from bokeh.plotting import figure

    p = figure(title="bokeh scatter", width=420, height=300)
    p.scatter(rng.normal(0, 1 - 0.5 * q, 100), rng.normal(0, 1, 100), size=6, alpha=0.6)
    return wandb.Bokeh(p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--root", default="mediaboard", help="run root (default ./mediaboard)")
    parser.add_argument("--out", default="mediaboard-site", help="site folder (default ./mediaboard-site)")
    args = parser.parse_args(argv)
    run_dir = log_demo(args.root, args.steps)
    print(f"logged run: {run_dir}", file=sys.stderr)
    from viewer.cli import main as viewer_main

    code = viewer_main(["build", args.root, "-o", args.out])
    if code == 0:
        print(Path(args.out, "index.html").resolve())
    return code


if __name__ == "__main__":
    raise SystemExit(main())
