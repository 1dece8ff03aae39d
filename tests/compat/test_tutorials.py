"""Snippets from wandb's own examples (wandb/examples) and documentation (wandb/docs).

Each test copies one public snippet verbatim (cited above it; ``import wandb`` became
``import media as wandb``); the names a snippet leaves undefined (``image_array``, ``grads``,
``x_values``, ...) are small random stand-ins, and ``sys.argv`` / ``parse_args()`` results are
given as ``argparse.Namespace`` values.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import media as wandb

from .conftest import column, one_run, png, rows, runs, table


# wandb/examples, examples/api-examples/group-and-resume/train.py @ 369ac57d20ea4eae18a00234aca9c73ac66b60bc
def test_examples_group_and_job_type(run_root: Path) -> None:
    args = argparse.Namespace(group_id="exp-7", worker_index=1, learning_rate=0.9, momentum=0.8)

    def loss_curve(step):
        return 10 / (step + 1)

    def accuracy(loss):
        return (100 - loss) / 100.0

    # --- verbatim (main(), the loop shortened from 50 epochs to 5, time.sleep left out)
    wandb.init(group=args.group_id, job_type='train')
    wandb.config.update(args)
    wandb.config.job_type = 'training'

    print('Training worker #%s' % args.worker_index)  # noqa: UP031

    for i in range(5):
        print('Training Epoch', i)
        loss = loss_curve(i)
        acc = accuracy(loss)
        wandb.log({'epoch': i, 'loss': loss, 'train/acc': acc})
    # ---
    wandb.finish()

    run = one_run(run_root)
    assert run.group == "exp-7" and run.job_type == "train"
    assert run.config == {"group_id": "exp-7", "worker_index": 1, "learning_rate": 0.9,
                          "momentum": 0.8, "job_type": "training"}
    assert column(run, "epoch") == [0, 1, 2, 3, 4]
    assert column(run, "train/acc") == [(100 - 10 / (i + 1)) / 100.0 for i in range(5)]


# wandb/examples, api-examples/resume/train.py @ 3284c26e51bfb3a9dbfd1fb0545033244d12d1fb
# (its docstring: "WANDB_RUN_ID=myrun1 python train.py", then
#  "WANDB_RESUME=allow WANDB_RUN_ID=myrun1 python train.py --start_epoch=10")
def test_examples_resume_through_env_vars(run_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def main(args):
        def loss_curve(step):
            return 10 / (step + 1)

        def accuracy(loss):
            return (100 - loss) / 100.0

        # --- verbatim (main() after parse_args(); time.sleep left out)
        wandb.init()
        wandb.config.update(args)

        for i in range(args.start_epoch, args.start_epoch + args.num_epochs):
            print('Step', i)
            loss = loss_curve(i)
            acc = accuracy(loss)

            # training metrics, but don't commit the step.
            wandb.log({'loss': loss, 'acc': acc})
        # ---
        wandb.finish()  # the process exits here

    monkeypatch.setenv("WANDB_RUN_ID", "myrun1")
    main(argparse.Namespace(start_epoch=0, num_epochs=10, learning_rate=0.01))
    monkeypatch.setenv("WANDB_RESUME", "allow")
    main(argparse.Namespace(start_epoch=10, num_epochs=10, learning_rate=0.01))

    run = one_run(run_root)
    assert run.id == "myrun1" and run.status == "finished"
    assert [r["_step"] for r in rows(run)] == list(range(20))
    assert column(run, "loss") == [10 / (i + 1) for i in range(20)]
    assert run.config["start_epoch"] == 10


# wandb/examples, examples/machine-learning/numpy-housing/train.py @ 4501d2ddde0f1d8e9ebaaa4cc34987bf1c346f88
def test_examples_numpy_housing_config_attrs_and_save(run_root: Path) -> None:
    # stand-in for fetch_california_housing(return_X_y=True): 20 rows, 8 features
    rng = np.random.default_rng(4)
    data, target = rng.random((20, 8)), rng.random(20) * 5

    # --- verbatim (the dataset download replaced above)
    wandb.init(project="numpy-housing-demo")

    # Save hyperparameters
    wandb.config.lr = 0.000001
    wandb.config.epochs = 1

    # Initialize model
    weights = np.zeros(data.shape[1])
    bias = 0

    # Train Model
    for _ in range(wandb.config.epochs):
        np.random.shuffle(data)
        for i in range(data.shape[0]):
            x = data[i, :]
            y = target[i]

            err = y - np.dot(weights, x)
            if (err < 0):
                weights -= wandb.config.lr * x
                bias -= wandb.config.lr
            else:
                weights += wandb.config.lr * x
                bias += wandb.config.lr

            # Log absolute error as "loss"
            wandb.log({"Loss": np.abs(err)})

    # Save Model
    np.save("weights", weights)
    wandb.save("weights.npy")
    # ---
    wandb.finish()

    run = one_run(run_root)
    assert run.project == "numpy-housing-demo" and run.config == {"lr": 0.000001, "epochs": 1}
    assert len(rows(run)) == 20 and all(v >= 0 for v in column(run, "Loss"))
    assert np.array_equal(np.load(run.path / "files" / "weights.npy"), weights)
    assert run.files() == ["files/weights.npy"]


# wandb/examples, examples/api-examples/plotly/run.py @ 369ac57d20ea4eae18a00234aca9c73ac66b60bc
def test_examples_plotly_and_pyplot(run_root: Path) -> None:
    # --- verbatim
    import matplotlib.pyplot as plt
    import plotly.graph_objs as go

    import media as wandb
    wandb.init()
    contour = go.Figure(
                    data=go.Contour(
                        z=[[10, 10.625, 12.5, 15.625, 20],
                           [5.625, 6.25, 8.125, 11.25, 15.625],
                           [2.5, 3.125, 5., 8.125, 12.5],
                           [0.625, 1.25, 3.125, 6.25, 10.625],
                           [0, 0.625, 2.5, 5.625, 10]]),
                    layout=go.Layout(
                        title=go.layout.Title(text="A Bar Chart")))
    scatter = go.Figure(
            data=go.Scatter(x=[0, 1, 2]),
            layout=go.Layout(
                title=go.layout.Title(text="A Bar Chart")))

    plt.plot([1, 2, 3, 4])
    plt.ylabel('some interesting numbers')

    wandb.log({'contour': contour, 'scatter': scatter, 'mpl': plt})
    # ---
    wandb.finish()

    run = one_run(run_root)
    (row,) = rows(run)
    assert {row[k]["_type"] for k in ("contour", "scatter", "mpl")} == {"plotly"}
    fig = json.loads(run.resolve(row["contour"]["path"]).read_text())
    assert fig["data"][0]["type"] == "contour" and fig["data"][0]["z"][4] == [0, 0.625, 2.5, 5.625, 10]
    mpl = json.loads(run.resolve(row["mpl"]["path"]).read_text())
    assert list(mpl["data"][0]["y"]) == [1, 2, 3, 4]


# wandb/examples, examples/machine-learning/matplotlib/mpl.py @ 369ac57d20ea4eae18a00234aca9c73ac66b60bc
def test_examples_matplotlib_scatter_with_histograms(run_root: Path) -> None:
    # --- verbatim
    import matplotlib.pyplot as plt

    wandb.init()

    #### Scatter plot with histograms

    # Fixing random state for reproducibility
    np.random.seed(19680801)

    # the random data
    x = np.random.randn(1000)
    y = np.random.randn(1000)

    # definitions for the axes
    left, width = 0.1, 0.65
    bottom, height = 0.1, 0.65
    spacing = 0.005


    rect_scatter = [left, bottom, width, height]
    rect_histx = [left, bottom + height + spacing, width, 0.2]
    rect_histy = [left + width + spacing, bottom, 0.2, height]

    # start with a rectangular Figure
    plt.figure(figsize=(8, 8))

    ax_scatter = plt.axes(rect_scatter)
    ax_scatter.tick_params(direction='in', top=True, right=True)
    ax_histx = plt.axes(rect_histx)
    ax_histx.tick_params(direction='in', labelbottom=False)
    ax_histy = plt.axes(rect_histy)
    ax_histy.tick_params(direction='in', labelleft=False)

    # the scatter plot:
    ax_scatter.scatter(x, y)

    # now determine nice limits by hand:
    binwidth = 0.25
    lim = np.ceil(np.abs([x, y]).max() / binwidth) * binwidth
    ax_scatter.set_xlim((-lim, lim))
    ax_scatter.set_ylim((-lim, lim))

    bins = np.arange(-lim, lim + binwidth, binwidth)
    ax_histx.hist(x, bins=bins)
    ax_histy.hist(y, bins=bins, orientation='horizontal')

    ax_histx.set_xlim(ax_scatter.get_xlim())
    ax_histy.set_ylim(ax_scatter.get_ylim())

    wandb.log({'scatter-with-histos': plt})
    # ---
    wandb.finish()

    run = one_run(run_root)
    stub = rows(run)[0]["scatter-with-histos"]
    assert stub["_type"] in ("plotly", "image")
    if stub["_type"] == "plotly":
        fig = json.loads(run.resolve(stub["path"]).read_text())
        xs = [v for trace in fig["data"] if trace.get("mode") == "markers" for v in trace["x"]]
        assert len(xs) == 1000 and np.allclose(sorted(xs), sorted(x))
    else:
        assert png(run, stub).size[0] > 100


class _Tensor:
    """Stand-in for a torch tensor: .numpy() only."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def numpy(self) -> np.ndarray:
        return self._array


# wandb/examples, colabs/pyg/point-cloud-segmentation/eda.py @ 09dfbbfddd1eafb094ebdb9467c4e08c330dc6f3
def test_examples_pyg_point_cloud_table_and_bar(run_root: Path) -> None:
    # stand-ins: sys.argv[1], tqdm, and a 3-sample ShapeNet with 40 points and parts 12..14
    category = "Airplane"
    rng = np.random.default_rng(5)
    train_dataset = [argparse.Namespace(pos=_Tensor(rng.random((40, 3))),
                                        y=_Tensor(rng.integers(12, 15, 40))) for _ in range(3)]

    def tqdm(it):
        return it

    # --- verbatim (the dataset download and the test-set half left out)
    wandb.init(project="point-cloud-segmentation", name=f"visualize-{category}", entity="geekyrakshit", job_type="visualize")

    config = wandb.config
    config.category = category

    segmentation_class_frequency = {}
    for idx in tqdm(range(len(train_dataset))):
        pc_viz = train_dataset[idx].pos.numpy().tolist()
        segmentation_label = train_dataset[idx].y.numpy().tolist()
        for label in set(segmentation_label):
            segmentation_class_frequency[label] = segmentation_label.count(label)

    class_offset = min(list(segmentation_class_frequency.keys()))

    table = wandb.Table(columns=[
        "Point-Cloud", "Segmentation-Class-Frequency", "Model-Category", "Split"
    ])
    for idx in tqdm(range(len(train_dataset))):
        pc_viz = train_dataset[idx].pos.numpy().tolist()
        segmentation_label = train_dataset[idx].y.numpy().tolist()

        frequency_dict = {key: 0 for key in segmentation_class_frequency.keys()}
        for label in set(segmentation_label):
            frequency_dict[label] = segmentation_label.count(label)

        for j in range(len(pc_viz)):
            pc_viz[j] += [segmentation_label[j] + 1 - class_offset]

        table.add_data(
            wandb.Object3D(np.array(pc_viz)), frequency_dict, config.category, "Train-Val"
        )

    data = [[key, segmentation_class_frequency[key]] for key in segmentation_class_frequency.keys()]
    wandb.log({
        f"ShapeNet Class-Frequency Distribution for Train-Val Set" : wandb.plot.bar(  # noqa: F541
            wandb.Table(data=data, columns = ["Class", "Frequency"]),
            "Class", "Frequency",
            title=f"ShapeNet Class-Frequency Distribution for Train-Val Set"  # noqa: F541
        )
    })

    wandb.log({"ShapeNet-Dataset": table})

    wandb.finish()
    # ---

    run = one_run(run_root)
    assert run.job_type == "visualize" and run.config == {"category": "Airplane"}
    history = rows(run)
    bar = history[0]["ShapeNet Class-Frequency Distribution for Train-Val Set"]
    assert bar["_type"] == "plot" and bar["chart"] == "bar"
    assert table_rows(run, bar["table"]) == data
    t = table_rows(run, history[1]["ShapeNet-Dataset"])
    assert len(t) == 3 and [r[2:] for r in t] == [["Airplane", "Train-Val"]] * 3
    counts = t[0][1]  # a JSON cell: int keys stored as strings, as json does
    labels = train_dataset[0].y.numpy().tolist()
    assert counts == {str(k): labels.count(k) for k in (12, 13, 14)}
    cloud = t[0][0]
    assert cloud["_type"] == "object3d" and run.resolve(cloud["path"]).read_bytes().startswith(b"ply")


def table_rows(run, stub):
    return table(run, stub)["data"]


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
# https://github.com/wandb/docs/blob/0443c209a07c5e0af0ee32633d72e0ff68049084/content/en/guides/models/track/log/media.md
def test_docs_image_from_array_pil_and_file(run_root: Path) -> None:
    image_array = np.random.default_rng(6).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    # --- verbatim ("Logging arrays as Images")
    with wandb.init(project="image-log-example") as run:

        images = wandb.Image(image_array, caption="Top: Output, Bottom: Input")

        run.log({"examples": images})
    # --- verbatim ("Logging PIL Images"; project="" is the source's)
    with wandb.init(project="") as run:
        # Create a PIL image from a NumPy array
        image = Image.fromarray(image_array)

        # Optionally, convert to RGB if needed
        if image.mode != "RGB":
            image = image.convert("RGB")

        # Log the image
        run.log({"example": wandb.Image(image, caption="My Image")})
    # --- verbatim ("Logging Images from Files"; Image.fromarray(...) given the stand-in)
    with wandb.init(project="") as run:

        im = Image.fromarray(image_array)
        rgb_im = im.convert("RGB")
        rgb_im.save("myimage.jpg")

        run.log({"example": wandb.Image("myimage.jpg")})
    # ---

    first, second, third = runs(run_root)
    stub = rows(first)[0]["examples"]
    assert stub["caption"] == "Top: Output, Bottom: Input"
    assert np.array_equal(np.asarray(png(first, stub)), image_array)
    stub = rows(second)[0]["example"]
    assert stub["caption"] == "My Image" and np.array_equal(np.asarray(png(second, stub)), image_array)
    stub = rows(third)[0]["example"]
    assert stub["format"] in ("jpeg", "jpg")
    assert third.resolve(stub["path"]).read_bytes() == Path("myimage.jpg").read_bytes()


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_image_masks_and_boxes(run_root: Path) -> None:
    image = np.zeros((200, 300, 3), dtype=np.uint8)
    mask_data = np.ones((200, 300), dtype=np.uint8)
    mask_data[50:100, 100:200] = 2
    # --- verbatim (Segmentation Masks; "..." in the source replaced by the stand-ins above)
    class_labels = {1: "tree", 2: "car", 3: "road"}

    mask_img = wandb.Image(
        image,
        masks={
            "predictions": {"mask_data": mask_data, "class_labels": class_labels},
        },
    )
    # --- verbatim (Bounding Boxes; the source's first box dict repeats its keys, so Python keeps
    # the second position, the pixel-domain one)
    class_id_to_label = {
        1: "car",
        2: "road",
        3: "building",
        # ...
    }

    img = wandb.Image(
        image,
        boxes={
            "predictions": {
                "box_data": [
                    {
                        # one box expressed in the default relative/fractional domain
                        "position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4},  # noqa: F601
                        "class_id": 2,  # noqa: F601
                        "box_caption": class_id_to_label[2],  # noqa: F601
                        "scores": {"acc": 0.1, "loss": 1.2},  # noqa: F601
                        # another box expressed in the pixel domain
                        # (for illustration purposes only, all boxes are likely
                        # to be in the same domain/format)
                        "position": {"middle": [150, 20], "width": 68, "height": 112},  # noqa: F601
                        "domain": "pixel",
                        "class_id": 3,  # noqa: F601
                        "box_caption": "a building",  # noqa: F601
                        "scores": {"acc": 0.5, "loss": 0.7},  # noqa: F601
                        # ...
                        # Log as many boxes an as needed
                    }
                ],
                "class_labels": class_id_to_label,
            },
        },
    )

    with wandb.init(project="my_project") as run:
        run.log({"driving_scene": img})
    # ---
        run.log({"mask": mask_img})

    run = one_run(run_root)
    history = rows(run)
    boxes = history[0]["driving_scene"]["boxes"]["predictions"]
    assert boxes["count"] == 1 and boxes["class_labels"]["3"] == "building"
    box_file = json.loads(run.resolve(boxes["path"]).read_text())
    (box,) = box_file["box_data"]  # the pixel box, as minX/maxX/minY/maxY pixels
    assert box["position"] == {"minX": 116, "maxX": 184, "minY": -36, "maxY": 76}
    assert (box["class_id"], box["box_caption"], box["scores"]) == (3, "a building", {"acc": 0.5, "loss": 0.7})
    mask = history[1]["mask"]["masks"]["predictions"]
    assert sorted(mask["ids"]) == [1, 2]
    assert np.array_equal(np.asarray(Image.open(run.resolve(mask["path"]))), mask_data)


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_masks_in_a_table(run_root: Path) -> None:
    rng = np.random.default_rng(7)
    ids = [0, 1]
    images = [rng.integers(0, 255, (8, 8, 3), dtype=np.uint8) for _ in ids]
    labels = [rng.integers(0, 3, (8, 8)) for _ in ids]
    class_labels = {0: "bg", 1: "cell", 2: "nucleus"}
    # --- verbatim
    table = wandb.Table(columns=["ID", "Image"])

    for id, img, label in zip(ids, images, labels):
        mask_img = wandb.Image(
            img,
            masks={
                "prediction": {"mask_data": label, "class_labels": class_labels}
                # ...
            },
        )

        table.add_data(id, mask_img)

    with wandb.init(project="my_project") as run:
        run.log({"Table": table})
    # ---

    run = one_run(run_root)
    t = table_rows(run, rows(run)[0]["Table"])
    assert [r[0] for r in t] == [0, 1]
    for (_, cell), image, label in zip(t, images, labels):
        assert np.array_equal(np.asarray(png(run, cell)), image)
        m = cell["masks"]["prediction"]
        assert np.array_equal(np.asarray(Image.open(run.resolve(m["path"]))), label)


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_histogram_from_sequence(run_root: Path) -> None:
    grads = np.random.default_rng(8).normal(size=1000)
    with wandb.init(project="hist") as run:
        # --- verbatim ("Basic Histogram Logging")
        run.log({"gradients": wandb.Histogram(grads)})
        # ---
    run = one_run(run_root)
    stub = rows(run)[0]["gradients"]
    assert stub["_type"] == "histogram" and sum(stub["values"]) == 1000
    assert len(stub["bins"]) == 65 and stub["bins"][0] == pytest.approx(grads.min())


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_object3d_from_numpy_and_point_cloud(run_root: Path) -> None:
    with wandb.init(project="3d") as run:
        # --- verbatim (three "NumPy arrays" snippets and "Python object", point list shortened)
        run.log({"my_cloud_from_numpy_xyz": wandb.Object3D.from_numpy(
             np.array(
                [
                    [0.4, 1, 1.3], # x, y, z
                    [1, 1, 1],
                    [1.2, 1, 1.2]
                ]
            )
        )})
        run.log({"my_cloud_from_numpy_cat": wandb.Object3D.from_numpy(
             np.array(
                [
                    [0.4, 1, 1.3, 1], # x, y, z, category
                    [1, 1, 1, 1],
                    [1.2, 1, 1.2, 12],
                    [1.2, 1, 1.3, 12],
                    [1.2, 1, 1.4, 12],
                    [1.2, 1, 1.5, 12],
                    [1.2, 1, 1.6, 11],
                    [1.2, 1, 1.7, 11],
                ]
            )
        )})
        run.log({"my_cloud_from_numpy_rgb": wandb.Object3D.from_numpy(
             np.array(
                [
                    [0.4, 1, 1.3, 255, 0, 0], # x, y, z, r, g, b
                    [1, 1, 1, 0, 255, 0],
                    [1.2, 1, 1.3, 0, 255, 255],
                    [1.2, 1, 1.4, 0, 255, 255],
                    [1.2, 1, 1.5, 0, 0, 255],
                    [1.2, 1, 1.1, 0, 0, 255],
                    [1.2, 1, 0.9, 0, 0, 255],
                ]
            )
        )})
        point_list = [
            [
                2566.571924017235, # x
                746.7817289698219, # y
                -15.269245470863748,# z
                76.5, # red
                127.5, # green
                89.46617199365393 # blue
            ],
            [ 2566.592983606823, 746.6791987335685, -15.275803826279521, 76.5, 127.5, 89.45471117247024 ],
            [ 2566.616361739416, 746.4903185513501, -15.28628929674075, 76.5, 127.5, 89.41336375503832 ],
        ]

        run.log({"my_first_point_cloud": wandb.Object3D.from_point_cloud(
             points = point_list,
             boxes = [{
                 "corners": [
                        [ 2601.2765123137915, 767.5669506323393, -17.816764802288663 ],
                        [ 2599.7259021588347, 769.0082337923552, -17.816764802288663 ],
                        [ 2599.7259021588347, 769.0082337923552, -19.66876480228866 ],
                        [ 2601.2765123137915, 767.5669506323393, -19.66876480228866 ],
                        [ 2604.8684867834395, 771.4313904894723, -17.816764802288663 ],
                        [ 2603.3178766284827, 772.8726736494882, -17.816764802288663 ],
                        [ 2603.3178766284827, 772.8726736494882, -19.66876480228866 ],
                        [ 2604.8684867834395, 771.4313904894723, -19.66876480228866 ]
                ],
                 "color": [0, 0, 255], # color in RGB of the bounding box
                 "label": "car", # string displayed on the bounding box
                 "score": 0.6 # numeric displayed on the bounding box
             }],
             vectors = [
                {"start": [0, 0, 0], "end": [0.1, 0.2, 0.5], "color": [255, 0, 0]}, # color is optional
             ],
             point_cloud_type = "lidar/beta",
        )})
        # ---
    run = one_run(run_root)
    history = rows(run)
    counts = [history[i][k].get("n_points", history[i][k].get("points")) for i, k in enumerate(
        ["my_cloud_from_numpy_xyz", "my_cloud_from_numpy_cat", "my_cloud_from_numpy_rgb",
         "my_first_point_cloud"])]
    assert counts == [3, 8, 7, 3]
    for i, r in enumerate(history):
        (stub,) = [v for k, v in r.items() if not k.startswith("_")]
        assert stub["_type"] == "object3d"
        assert run.resolve(stub["path"]).read_bytes().startswith(b"ply"), i


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_audio_video_html(run_root: Path) -> None:
    np_array = np.sin(np.linspace(0, 40 * np.pi, 3200)).astype(np.float32)
    numpy_array_or_path_to_video = np.random.default_rng(9).integers(0, 255, (4, 3, 8, 8), dtype=np.uint8)
    Path("some.html").write_text("<h1>Report</h1><p>loss fell</p>", encoding="utf-8")
    with wandb.init(project="other-media") as run:
        # --- verbatim ("Audio", "Video", "HTML")
        run.log({"whale songs": wandb.Audio(np_array, caption="OooOoo", sample_rate=32)})
        run.log({"video": wandb.Video(numpy_array_or_path_to_video, fps=4, format="gif")})
        run.log({"custom_file": wandb.Html(open("some.html"))})
        run.log({"custom_string": wandb.Html('<a href="https://mysite">Link</a>')})
        run.log({"custom_file": wandb.Html(open("some.html"), inject=False)})
        # ---
    import soundfile

    run = one_run(run_root)
    history = rows(run)
    audio = history[0]["whale songs"]
    wav, sr = soundfile.read(run.resolve(audio["path"]))
    assert (sr, len(wav), audio["caption"]) == (32, 3200, "OooOoo")
    gif = Image.open(run.resolve(history[1]["video"]["path"]))
    assert gif.n_frames == 4 and gif.size == (8, 8)
    assert "loss fell" in run.resolve(history[2]["custom_file"]["path"]).read_text()
    assert 'href="https://mysite"' in run.resolve(history[3]["custom_string"]["path"]).read_text()
    assert run.resolve(history[4]["custom_file"]["path"]).read_text().startswith("<h1>Report")


# wandb/docs, content/en/guides/models/track/log/media.md @ 0443c209a07c5e0af0ee32633d72e0ff68049084
def test_docs_text_tables(run_root: Path) -> None:
    my_dataframe = pd.DataFrame({"Text": ["ok"], "Predicted Sentiment": ["1"]})
    # --- verbatim ("Text")
    with wandb.init(project="my_project") as run:
        columns = ["Text", "Predicted Sentiment", "True Sentiment"]
        # Method 1
        data = [["I love my phone", "1", "1"], ["My phone sucks", "0", "-1"]]
        table = wandb.Table(data=data, columns=columns)
        run.log({"examples": table})

        # Method 2
        table = wandb.Table(columns=columns)
        table.add_data("I love my phone", "1", "1")
        table.add_data("My phone sucks", "0", "-1")
        run.log({"examples": table})
    # --- verbatim
    table = wandb.Table(dataframe=my_dataframe)
    # ---
    run = one_run(run_root)
    first, second = (table_rows(run, s) for s in column(run, "examples"))
    assert first == second == data
    assert table.columns == ["Text", "Predicted Sentiment"]


# wandb/docs, content/en/guides/models/track/log/customize-logging-axes.md @ 2ab36d60670fe91a69120662506c0440ece7c9c7
def test_docs_custom_x_axis_and_glob(run_root: Path) -> None:
    # --- verbatim
    with wandb.init() as run:
        run.define_metric(step_metric = "x_axis_squared", name = "validation_loss")

        for i in range(10):
            log_dict = {
                "x_axis_squared": i**2,
                "validation_loss": random.random(),
            }
            run.log(log_dict)
    # --- verbatim
    with wandb.init() as run:

        # set all other train/ metrics to use this step
        run.define_metric("train/*", step_metric="train/step")

        for i in range(10):
            log_dict = {
                "train/step": 2**i,  # exponential growth w/ internal W&B step
                "train/loss": 1 / (i + 1),  # x-axis is train/step
                "train/accuracy": 1 - (1 / (1 + i)),  # x-axis is train/step
                "val/loss": 1 / (1 + i),  # x-axis is internal wandb step
            }
            run.log(log_dict)
    # ---
    first, second = runs(run_root)
    assert first.meta["metrics"]["validation_loss"]["step_metric"] == "x_axis_squared"
    assert column(first, "x_axis_squared") == [i ** 2 for i in range(10)]
    assert second.meta["metrics"]["train/*"]["step_metric"] == "train/step"
    from media.runfolder import metric_for
    assert metric_for(second.meta["metrics"], "train/loss")["step_metric"] == "train/step"
    assert metric_for(second.meta["metrics"], "val/loss") is None
    assert column(second, "train/step") == [2 ** i for i in range(10)]


# wandb/docs, content/en/guides/models/track/log/log-summary.md @ 0b3449380890c2fa494918c86c070aae0b18f7d4
def test_docs_summary_best_accuracy(run_root: Path) -> None:
    args = argparse.Namespace(epochs=4, lr=0.1)
    accuracies = iter([0.5, 0.7, 0.6, 0.65])

    def test():
        return 0.1, next(accuracies)

    # --- verbatim
    wandb.init(config=args)

    best_accuracy = 0
    for epoch in range(1, args.epochs + 1):  # noqa: B007
        test_loss, test_accuracy = test()
        if test_accuracy > best_accuracy:
            wandb.summary["best_accuracy"] = test_accuracy
            best_accuracy = test_accuracy
    # ---
    wandb.log({"test_accuracy": 0.65})
    wandb.finish()
    run = one_run(run_root)
    assert run.config == {"epochs": 4, "lr": 0.1}
    assert run.summary["best_accuracy"] == 0.7 and run.summary["test_accuracy"] == 0.65


# wandb/docs, content/en/guides/models/track/log/plots.md @ 1269264e829f7278f383a0c9b03d47de783f9bae
# https://github.com/wandb/docs/blob/1269264e829f7278f383a0c9b03d47de783f9bae/content/en/guides/models/track/log/plots.md
def test_docs_basic_charts(run_root: Path) -> None:
    x_values, y_values = [0, 1, 2, 3], [0.0, 1.0, 4.0, 9.0]
    class_x_scores, class_y_scores = [0.1, 0.5, 0.9], [0.2, 0.4, 0.8]
    labels, values = ["cat", "dog"], [3, 5]
    scores = [0.1, 0.2, 0.2, 0.9]
    # --- verbatim ("Line", "Scatter", "Bar", "Histogram", "Multi-line")
    with wandb.init() as run:
        data = [[x, y] for (x, y) in zip(x_values, y_values)]
        table = wandb.Table(data=data, columns=["x", "y"])
        run.log(
            {
                "my_custom_plot_id": wandb.plot.line(
                    table, "x", "y", title="Custom Y vs X Line Plot"
                )
            }
        )
        data = [[x, y] for (x, y) in zip(class_x_scores, class_y_scores)]
        table = wandb.Table(data=data, columns=["class_x", "class_y"])
        run.log({"my_custom_id": wandb.plot.scatter(table, "class_x", "class_y")})
        data = [[label, val] for (label, val) in zip(labels, values)]
        table = wandb.Table(data=data, columns=["label", "value"])
        run.log(
            {
            "my_bar_chart_id": wandb.plot.bar(
                table, "label", "value", title="Custom Bar Chart"
            )
        }
    )
        data = [[s] for s in scores]
        table = wandb.Table(data=data, columns=["scores"])
        run.log({"my_histogram": wandb.plot.histogram(table, "scores", title="Histogram")})
        run.log(
            {
                "my_custom_id": wandb.plot.line_series(
                    xs=[0, 1, 2, 3, 4],
                    ys=[[10, 20, 30, 40, 50], [0.5, 11, 72, 3, 41]],
                keys=["metric Y", "metric Z"],
                title="Two Random Metrics",
                xname="x units",
            )
        }
    )
    # ---
    run = one_run(run_root)
    h = rows(run)
    line = h[0]["my_custom_plot_id"]
    assert (line["chart"], line["title"]) == ("line", "Custom Y vs X Line Plot")
    assert table_rows(run, line["table"]) == [[0, 0.0], [1, 1.0], [2, 4.0], [3, 9.0]]
    assert h[1]["my_custom_id"]["chart"] == "scatter"
    assert table_rows(run, h[2]["my_bar_chart_id"]["table"]) == [["cat", 3], ["dog", 5]]
    assert table_rows(run, h[3]["my_histogram"]["table"]) == [[0.1], [0.2], [0.2], [0.9]]
    series = h[4]["my_custom_id"]
    assert series["chart"] == "line_series" and len(table_rows(run, series["table"])) == 10


# wandb/docs, content/en/guides/models/track/log/plots.md @ 1269264e829f7278f383a0c9b03d47de783f9bae
def test_docs_model_evaluation_charts(run_root: Path) -> None:
    ground_truth, predictions, class_names = [0, 1, 2, 2, 1], [0, 2, 2, 2, 1], ["cat", "dog", "bird"]
    # --- verbatim ("Precision-recall curves")
    with wandb.init() as run:
        # ground_truth is a list of true labels, predictions is a list of predicted scores
        # e.g. ground_truth = [0, 1, 1, 0], predictions = [0.1, 0.4, 0.35, 0.8]
        ground_truth = [0, 1, 1, 0]
        predictions = [0.1, 0.4, 0.35, 0.8]
        run.log({"pr": wandb.plot.pr_curve(ground_truth, predictions)})
    # --- verbatim ("ROC curves")
    with wandb.init() as run:
        # ground_truth is a list of true labels, predictions is a list of predicted scores
        # e.g. ground_truth = [0, 1, 1, 0], predictions = [0.1, 0.4, 0.35, 0.8]
        ground_truth = [0, 1, 1, 0]
        predictions = [0.1, 0.4, 0.35, 0.8]
        run.log({"roc": wandb.plot.roc_curve(ground_truth, predictions)})
    # ---
    ground_truth, predictions = [0, 1, 2, 2, 1], [0, 2, 2, 2, 1]
    # --- verbatim ("Confusion matrix")
    cm = wandb.plot.confusion_matrix(
        y_true=ground_truth, preds=predictions, class_names=class_names
    )

    with wandb.init() as run:
        run.log({"conf_mat": cm})
    # ---
    pr_run, roc_run, cm_run = runs(run_root)
    pr = rows(pr_run)[0]["pr"]
    assert pr["chart"] == "pr_curve" and "1" in pr["auc"]
    # scores of the positive class: 0.4 and 0.35 (positives) against 0.1 and 0.8: AP = 0.5 + 0.5 * 2/3
    assert pr["auc"]["1"] == pytest.approx(0.5 * 0.5 + 0.5 * (2 / 3))
    roc = rows(roc_run)[0]["roc"]
    assert roc["chart"] == "roc_curve" and roc["auc"]["1"] == pytest.approx(0.5)
    conf = rows(cm_run)[0]["conf_mat"]
    cells = {(a, p): n for a, p, n in table_rows(cm_run, conf["table"])}
    assert len(cells) == 9 and cells[("bird", "bird")] == 2 and cells[("dog", "bird")] == 1
    assert sum(cells.values()) == 5


# wandb/docs, content/en/guides/models/track/log/plots.md @ 1269264e829f7278f383a0c9b03d47de783f9bae
def test_docs_custom_chart_matplotlib_and_plotly_html(run_root: Path) -> None:
    data = [[0, 1.5], [1, 1.7], [2, 1.6]]
    # --- verbatim ("Interactive custom charts")
    # Create a table with the columns to plot
    table = wandb.Table(data=data, columns=["step", "height"])

    # Map from the table's columns to the chart's fields
    fields = {"x": "step", "value": "height"}

    # Use the table to populate the new custom chart preset
    # To use your own saved chart preset, change the vega_spec_name
    # To edit the title, change the string_fields
    my_custom_chart = wandb.plot_table(
        vega_spec_name="carey/new_chart",
        data_table=table,
        fields=fields,
        string_fields={"title": "Height Histogram"},
    )

    with wandb.init() as run:
        # Log the custom chart
        run.log({"my_custom_chart": my_custom_chart})
    # --- verbatim ("Matplotlib and Plotly plots")
    import matplotlib.pyplot as plt

    with wandb.init() as run:
        # Create a simple matplotlib plot
        plt.figure()
        plt.plot([1, 2, 3, 4])
        plt.ylabel("some interesting numbers")

        # Log the plot to W&B
        run.log({"chart": plt})
    # --- verbatim ("Log Plotly figures to Tables as HTML")
    import plotly.express as px

    # Initialize a new run
    with wandb.init(project="log-plotly-fig-tables", name="plotly_html") as run:

        # Create a table
        table = wandb.Table(columns=["plotly_figure"])

        # Create path for Plotly figure
        path_to_plotly_html = "./plotly_figure.html"

        # Example Plotly figure
        fig = px.scatter(x=[0, 1, 2, 3, 4], y=[0, 1, 4, 9, 16])

        # Write Plotly figure to HTML
        # Set auto_play to False prevents animated Plotly charts
        # from playing in the table automatically
        fig.write_html(path_to_plotly_html, auto_play=False)

        # Add Plotly figure as HTML file into Table
        table.add_data(wandb.Html(path_to_plotly_html))

        # Log Table
        run.log({"test_table": table})
    # ---
    found = runs(run_root)
    custom = rows(found[0])[0]["my_custom_chart"]
    assert (custom["chart"], custom["spec"], custom["title"]) == ("vega", "carey/new_chart", "Height Histogram")
    assert table_rows(found[0], custom["table"]) == data
    chart = rows(found[1])[0]["chart"]
    assert chart["_type"] == "plotly"
    assert list(json.loads(found[1].resolve(chart["path"]).read_text())["data"][0]["y"]) == [1, 2, 3, 4]
    html_run = one_run(run_root / "log-plotly-fig-tables")
    assert html_run.name == "plotly_html"
    ((cell,),) = table_rows(html_run, rows(html_run)[0]["test_table"])
    assert cell["_type"] == "html"
    assert "plotly" in html_run.resolve(cell["path"]).read_text().lower()


# wandb/docs, content/en/guides/models/track/public-api-guide.md @ 594808511148c68c9a81b3a7487731680a79d63f
# https://github.com/wandb/docs/blob/594808511148c68c9a81b3a7487731680a79d63f/content/en/guides/models/track/public-api-guide.md
def test_docs_public_api_read_back(run_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = "api-demo"
    random.seed(0)
    # --- verbatim ("Understanding the Different Attributes")
    n_epochs = 5
    config = {"n_epochs": n_epochs}
    run = wandb.init(project=project, config=config)
    for n in range(run.config.get("n_epochs")):  # noqa: B007
        run.log(
            {"val": random.randint(0, 1000), "loss": (random.randint(0, 1000) / 1000.00)}
        )
    run.finish()
    # ---
    other = wandb.init(project=project, config={"n_epochs": 3, "experiment_name": "foo"})
    other.log({"accuracy": 0.5, "loss": 0.2})
    other.log({"accuracy": 0.75, "loss": 0.1})
    other.finish()
    first_id, second_id = run.id, other.id
    logged = column(wandb.open_run(run.dir), "loss")

    # --- verbatim ("Get unsampled metric data"; "<entity>/<project>/<run_id>" filled in)
    api = wandb.Api()

    run = api.run(f"<entity>/{project}/{first_id}")
    history = run.scan_history()
    losses = [row["loss"] for row in history]
    # ---
    assert losses == logged and len(losses) == 5
    assert run.config == {"n_epochs": 5} and run.summary["loss"] == logged[-1]

    # --- verbatim ("Read metrics from a run")
    api = wandb.Api()

    run = api.run(f"<entity>/{project}/{second_id}")
    if run.state == "finished":
        for i, row in run.history().iterrows():  # noqa: B007
            print(row["_timestamp"], row["accuracy"])
    # --- verbatim ("Compare two runs")
    api = wandb.Api()

    # replace with your <entity>, <project>, and <run_id>
    run1 = api.run(f"<entity>/{project}/{first_id}")
    run2 = api.run(f"<entity>/{project}/{second_id}")


    df = pd.DataFrame([run1.config, run2.config]).transpose()

    df.columns = [run1.name, run2.name]
    print(df[df[run1.name] != df[run2.name]])
    # --- verbatim ("MongoDB Style")
    runs = api.runs(
        "username/project",
        {"$or": [{"config.experiment_name": "foo"}, {"config.experiment_name": "bar"}]},
    )
    print(f"Found {len(runs)} runs")
    # ---
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[:2]] == ["0.5", "0.75"]
    assert "n_epochs" in out[3] and "5" in out[3] and "3" in out[3]
    assert out[-1] == "Found 0 runs"  # project "username/project" has no runs here
    runs = api.runs(
        f"username/{project}",
        {"$or": [{"config.experiment_name": "foo"}, {"config.experiment_name": "bar"}]},
    )
    assert [r.id for r in runs] == [second_id]
