"""Image, masks, boxes and Classes: construction tables, pixels read back, files and stubs."""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

import media
from media._arrays import channels_last, to_uint8
from media.image import Classes, Image
from media.runfolder import MediaWriter

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (6, 7, 3), dtype=np.uint8)
GREY = RNG.integers(0, 256, (6, 7), dtype=np.uint8)
RGBA = RNG.integers(0, 256, (6, 7, 4), dtype=np.uint8)
UNIT = np.arange(42, dtype=np.float64).reshape(6, 7) / 255.0  # k/255 must map back to exactly k


def ser(value: Image, tmp_path: Path, index: int = 0) -> dict:
    return value._serialize(MediaWriter(tmp_path, "examples", 3, index))


def pixels(tmp_path: Path, rel: str) -> np.ndarray:
    return np.array(PILImage.open(tmp_path / rel))


def png_bytes(arr: np.ndarray, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    PILImage.fromarray(arr).save(buf, format=fmt, **kw)
    return buf.getvalue()


class ArrayLike:
    """Neither numpy nor torch: only ``__array__``."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return self.a


# ---- pixel values: good inputs ----------------------------------------------------------------

GOOD_ARRAYS = [
    # id, input, kwargs, expected pixels read back, expected channels, expected rule
    ("uint8-rgb", RGB, {}, RGB, 3, "uint8"),
    ("uint8-grey", GREY, {}, GREY, 1, "uint8"),
    ("uint8-hw1", GREY[:, :, None], {}, GREY, 1, "uint8"),
    ("uint8-rgba", RGBA, {}, RGBA, 4, "uint8"),
    ("uint8-chw", np.transpose(RGB, (2, 0, 1)), {}, RGB, 3, "uint8"),
    ("uint8-1hw", GREY[None], {}, GREY, 1, "uint8"),
    ("uint8-4chw", np.transpose(RGBA, (2, 0, 1)), {}, RGBA, 4, "uint8"),
    ("batch-of-one", np.transpose(RGB, (2, 0, 1))[None], {}, RGB, 3, "uint8"),
    ("float-unit", UNIT, {}, np.arange(42, dtype=np.uint8).reshape(6, 7), 1, "unit"),
    (
        "float32-unit",
        UNIT.astype(np.float32),
        {},
        np.arange(42, dtype=np.uint8).reshape(6, 7),
        1,
        "unit",
    ),
    ("bool", GREY > 128, {}, np.where(GREY > 128, 255, 0), 1, "bool"),
    ("uint16-small", GREY.astype(np.uint16), {}, GREY, 1, "int"),
    ("int64-small", GREY.astype(np.int64), {}, GREY, 1, "int"),
    ("list", GREY.tolist(), {}, GREY, 1, "int"),
    ("array-like", ArrayLike(RGB), {}, RGB, 3, "uint8"),
    (
        "explicit-range",
        GREY.astype(np.float64) / 10,
        {"value_range": (0, 25.5)},
        GREY,
        1,
        "explicit",
    ),
    (
        "channels-last-override",
        np.zeros((3, 4, 4), np.uint8) + 7,
        {"channels": "last"},
        np.zeros((3, 4, 4), np.uint8) + 7,
        4,
        "uint8",
    ),
    (
        "channels-first-override",
        np.zeros((3, 4, 4), np.uint8) + 7,
        {"channels": "first"},
        np.zeros((4, 4, 3), np.uint8) + 7,
        3,
        "uint8",
    ),
]


@pytest.mark.parametrize(
    "name,data,kwargs,expected,channels,rule", GOOD_ARRAYS, ids=[g[0] for g in GOOD_ARRAYS]
)
def test_array_pixels_round_trip(tmp_path, name, data, kwargs, expected, channels, rule):
    stub = ser(Image(data, caption=name, **kwargs), tmp_path)
    got = pixels(tmp_path, stub["path"])
    np.testing.assert_array_equal(got, np.asarray(expected, dtype=np.uint8))
    assert stub["_type"] == "image"
    assert stub["format"] == "png" and stub["path"] == "media/examples/3_0.png"
    assert (stub["height"], stub["width"]) == got.shape[:2]
    assert stub["channels"] == channels
    assert stub["value_range"]["rule"] == rule
    assert stub["caption"] == name


def test_normalised_mnist_like_float_is_min_max_scaled_and_recorded(tmp_path):
    x = (RNG.random((28, 28)) - 0.1307) / 0.3081  # about [-0.42, 2.82]
    stub = ser(Image(x), tmp_path)
    got = pixels(tmp_path, stub["path"])
    assert got.min() == 0 and got.max() == 255 and len(np.unique(got)) > 100
    vr = stub["value_range"]
    assert vr["rule"] == "minmax"
    assert vr["lo"] == pytest.approx(x.min()) and vr["hi"] == pytest.approx(x.max())
    # the mapping is linear: the mid value lands in the middle
    lo, hi = x.min(), x.max()
    np.testing.assert_array_equal(got, np.rint((x - lo) / (hi - lo) * 255).astype(np.uint8))


def test_wide_integers_are_scaled_from_their_data_range(tmp_path):
    x = np.array([[0, 1000], [4095, 2048]], dtype=np.uint16)
    stub = ser(Image(x), tmp_path)
    assert pixels(tmp_path, stub["path"]).tolist() == [[0, 62], [255, 128]]
    assert stub["value_range"] == {"rule": "minmax", "lo": 0, "hi": 4095}


def test_constant_float_image_is_mid_grey_not_black(tmp_path):
    stub = ser(Image(np.full((4, 4), 7.5)), tmp_path)
    assert (pixels(tmp_path, stub["path"]) == 128).all()
    assert stub["value_range"]["rule"] == "constant"


def test_nan_and_inf_warn_with_count_and_are_recorded(tmp_path):
    x = UNIT.copy()
    x[0, 0], x[0, 1], x[0, 2] = np.nan, np.inf, -np.inf
    with pytest.warns(UserWarning, match=r"Image: 3 of 42 values are NaN or infinite") as rec:
        img = Image(x)
    assert rec[0].filename == __file__  # the warning points at the user's line
    stub = ser(img, tmp_path)
    got = pixels(tmp_path, stub["path"])
    assert stub["value_range"]["nonfinite"] == 3
    assert got[0, 1] == got.max() and got[0, 0] == got[0, 2] == got[0, 3]


def test_explicit_value_range_clips_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match=r"2 of 3 values lie outside value_range=\(0, 1\)"):
        img = Image(np.array([[-1.0, 0.5, 3.0]]), value_range=(0, 1))
    stub = ser(img, tmp_path)
    assert pixels(tmp_path, stub["path"]).tolist() == [[0, 128, 255]]
    assert stub["value_range"] == {"rule": "explicit", "lo": 0.0, "hi": 1.0, "clipped": 2}


def test_later_mutation_of_the_users_array_does_not_leak_in(tmp_path):
    for data in (RGB.copy(), UNIT.copy(), np.transpose(RGB, (2, 0, 1)).copy()):
        img = Image(data)
        before = ser(img, tmp_path / "a")
        data[...] = 0
        after = ser(img, tmp_path / "b")
        np.testing.assert_array_equal(
            pixels(tmp_path / "a", before["path"]), pixels(tmp_path / "b", after["path"])
        )


def test_mode_converts_like_pil(tmp_path):
    stub = ser(Image(RGB, mode="L"), tmp_path)
    np.testing.assert_array_equal(
        pixels(tmp_path, stub["path"]), np.array(PILImage.fromarray(RGB).convert("L"))
    )
    assert stub["channels"] == 1
    stub = ser(Image(GREY, mode="RGBA"), tmp_path, 1)
    got = pixels(tmp_path, stub["path"])
    assert got.shape == (6, 7, 4) and (got[:, :, 3] == 255).all() and (got[:, :, 0] == GREY).all()


@pytest.mark.parametrize(
    "file_type,fmt,ext",
    [
        ("jpg", "jpeg", ".jpg"),
        ("jpeg", "jpeg", ".jpeg"),
        ("webp", "webp", ".webp"),
        ("bmp", "bmp", ".bmp"),
    ],
)
def test_file_types(tmp_path, file_type, fmt, ext):
    smooth = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (32, 1))
    stub = ser(Image(np.stack([smooth] * 3, -1), file_type=file_type), tmp_path)
    assert stub["format"] == fmt and stub["path"].endswith(ext)
    img = PILImage.open(tmp_path / stub["path"])
    assert img.format == {"jpg": "JPEG", "jpeg": "JPEG"}.get(file_type, file_type.upper())
    got = np.array(img.convert("RGB")).astype(int)
    assert np.abs(got[:, :, 0] - smooth).max() <= 8


def test_jpeg_drops_alpha_with_a_warning_and_records_it(tmp_path):
    with pytest.warns(UserWarning, match=r"file_type='jpg' cannot store transparency.*42 pixels"):
        img = Image(np.dstack([RGB, np.zeros((6, 7), np.uint8)]), file_type="jpg")
    stub = ser(img, tmp_path)
    assert stub["alpha_dropped"] is True and stub["channels"] == 3
    assert PILImage.open(tmp_path / stub["path"]).mode == "RGB"


def test_png_keeps_alpha_exactly(tmp_path):
    a = RGBA.copy()
    a[0, 0, 3] = 0
    stub = ser(Image(a), tmp_path)
    got = pixels(tmp_path, stub["path"])
    assert got.shape == (6, 7, 4) and got[0, 0, 3] == 0
    np.testing.assert_array_equal(got, a)


# ---- torch ------------------------------------------------------------------------------------


def test_torch_tensors_cpu_grad_uint8_and_normalised(tmp_path):
    torch = pytest.importorskip("torch")
    t = torch.tensor(UNIT[None].astype(np.float32), requires_grad=True) * 1.0  # (1, H, W), grad
    stub = ser(Image(t), tmp_path)
    np.testing.assert_array_equal(
        pixels(tmp_path, stub["path"]), np.arange(42, dtype=np.uint8).reshape(6, 7)
    )
    chw = torch.from_numpy(np.transpose(RGB, (2, 0, 1)).copy())  # uint8 CHW, like decode_image
    stub = ser(Image(chw), tmp_path, 1)
    np.testing.assert_array_equal(pixels(tmp_path, stub["path"]), RGB)
    normalised = (torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(0)) - 0.5) / 0.25
    stub = ser(Image(normalised), tmp_path, 2)
    got = pixels(tmp_path, stub["path"])
    assert got.shape == (16, 16, 3) and got.std() > 30 and stub["value_range"]["rule"] == "minmax"
    half = torch.tensor(UNIT, dtype=torch.bfloat16)
    assert ser(Image(half), tmp_path, 3)["value_range"]["rule"] == "unit"


def test_torch_cuda_tensor(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    t = torch.from_numpy(np.transpose(RGB, (2, 0, 1)).copy()).cuda().float().requires_grad_()
    stub = ser(Image(t / 255.0), tmp_path)
    np.testing.assert_array_equal(pixels(tmp_path, stub["path"]), RGB)


# ---- PIL, files and figures -------------------------------------------------------------------


def test_pil_images_of_every_common_mode(tmp_path):
    pal = PILImage.fromarray(RGB).convert("P", palette=PILImage.Palette.ADAPTIVE, colors=16)
    cases = [
        (PILImage.fromarray(RGB), RGB, 3),
        (PILImage.fromarray(GREY), GREY, 1),
        (PILImage.fromarray(RGBA), RGBA, 4),
        (pal, np.array(pal.convert("RGB")), 3),
        (PILImage.fromarray(GREY > 100), np.where(GREY > 100, 255, 0), 1),
        (PILImage.fromarray(GREY.astype(np.uint16)).convert("I;16"), GREY, 1),
        (
            PILImage.fromarray(RGB).convert("CMYK"),
            np.array(PILImage.fromarray(RGB).convert("CMYK").convert("RGB")),
            3,
        ),
    ]
    for i, (img, expected, channels) in enumerate(cases):
        stub = ser(Image(img), tmp_path, i)
        np.testing.assert_array_equal(pixels(tmp_path, stub["path"]), expected.astype(np.uint8))
        assert stub["channels"] == channels, img.mode


@pytest.mark.parametrize(
    "fmt,ext,stub_fmt",
    [
        ("PNG", ".png", "png"),
        ("JPEG", ".jpg", "jpeg"),
        ("GIF", ".gif", "gif"),
        ("WEBP", ".webp", "webp"),
        ("BMP", ".bmp", "bmp"),
    ],
)
def test_image_files_are_stored_byte_for_byte(tmp_path, fmt, ext, stub_fmt):
    src = tmp_path / f"in{ext}"
    src.write_bytes(png_bytes(RGB, fmt))
    img = Image(src, caption="file")
    src.write_bytes(b"overwritten after logging")  # the bytes were taken at construction
    stub = ser(img, tmp_path / "run")
    out = tmp_path / "run" / stub["path"]
    assert out.suffix == ext and stub["format"] == stub_fmt
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(png_bytes(RGB, fmt)).digest()
    assert (stub["width"], stub["height"]) == (7, 6)
    assert stub["value_range"] == {"rule": "file"}


def test_files_are_re_encoded_only_when_asked(tmp_path):
    src = tmp_path / "in.png"
    src.write_bytes(png_bytes(RGB))
    stub = ser(Image(str(src), file_type="jpg"), tmp_path / "run")
    assert (
        stub["path"].endswith(".jpg")
        and PILImage.open(tmp_path / "run" / stub["path"]).format == "JPEG"
    )
    stub = ser(Image(src, mode="L"), tmp_path / "run", 1)
    np.testing.assert_array_equal(
        pixels(tmp_path / "run", stub["path"]), np.array(PILImage.fromarray(RGB).convert("L"))
    )
    tiff = tmp_path / "in.tiff"
    PILImage.fromarray(RGB).save(tiff)
    stub = ser(Image(tiff), tmp_path / "run", 2)
    assert stub["format"] == "png"
    np.testing.assert_array_equal(pixels(tmp_path / "run", stub["path"]), RGB)


def test_matplotlib_figure_axes_and_pyplot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.plot([0, 1], [1, 0])
    for i, value in enumerate((fig, ax, plt)):
        stub = ser(Image(value), tmp_path, i)
        assert (stub["width"], stub["height"]) == (150, 100)
        got = pixels(tmp_path, stub["path"])
        assert (
            got.shape[:2] == (100, 150)
            and len(np.unique(got.reshape(-1, got.shape[-1]), axis=0)) > 2
        )
    stub = ser(Image(fig, file_type="jpg"), tmp_path, 5)
    assert stub["format"] == "jpeg" and PILImage.open(tmp_path / stub["path"]).size == (150, 100)
    plt.close(fig)


def test_copy_of_an_image_takes_the_new_caption(tmp_path):
    base = Image(RGB, caption="old", masks={"m": {"mask_data": np.zeros((6, 7), int)}})
    copy = Image(base, caption="new")
    stub = ser(copy, tmp_path)
    assert stub["caption"] == "new" and "m" in stub["masks"]
    np.testing.assert_array_equal(pixels(tmp_path, stub["path"]), RGB)
    grey = ser(Image(base, mode="L"), tmp_path, 1)
    assert grey["channels"] == 1


# ---- bad inputs -------------------------------------------------------------------------------

BAD = [
    (
        np.zeros((5, 64, 64, 2)),
        {},
        media.MediaValueError,
        r"Image: expected shape \(H, W\), \(H, W, C\) or \(C, H, W\) with C in 1, 3, 4; got \(5, 64, 64, 2\)",
    ),
    (np.zeros((8, 8, 2)), {}, media.MediaValueError, r"got \(8, 8, 2\)"),
    (np.zeros(10), {}, media.MediaValueError, r"got \(10,\)"),
    (np.zeros((0, 0)), {}, media.MediaValueError, r"non-empty array; got shape \(0, 0\)"),
    (np.zeros((0, 4, 3)), {}, media.MediaValueError, r"got \(0, 4, 3\)"),
    (np.array([["a", "b"]]), {}, media.MediaTypeError, r"expected numeric pixel values.*dtype <U1"),
    (np.zeros((4, 4), complex), {}, media.MediaTypeError, r"dtype complex128"),
    (5, {}, media.MediaTypeError, r"data_or_path: expected a numpy array.*got int \(5\)"),
    (
        RGB,
        {"mode": "P"},
        media.MediaValueError,
        r"mode: expected one of 'L', 'LA', 'RGB', 'RGBA'; got str \('P'\)",
    ),
    (
        RGB,
        {"file_type": "gif"},
        media.MediaValueError,
        r"file_type: expected one of 'png'.*got str \('gif'\)",
    ),
    (
        RGB,
        {"value_range": (1, 1)},
        media.MediaValueError,
        r"value_range: expected finite numbers with lo < hi; got \(1, 1\)",
    ),
    (
        RGB,
        {"value_range": "auto"},
        media.MediaValueError,
        r"value_range: expected a pair of numbers",
    ),
    (
        RGB,
        {"channels": "middle"},
        media.MediaValueError,
        r"channels: expected 'first', 'last' or None",
    ),
    (
        np.zeros((8, 8, 3)),
        {"channels": "first"},
        media.MediaValueError,
        r"with channels='first' \(8 channels\)",
    ),
    (GREY, {"channels": "first"}, media.MediaValueError, r"no channel axis"),
    (RGB, {"grouping": "a"}, media.MediaTypeError, r"grouping: expected an int"),
    (RGB, {"caption": ["x"]}, media.MediaTypeError, r"Image: caption: expected a str; got list"),
    (
        "https://example.com/cat.png",
        {},
        media.MediaValueError,
        r"expected a local file; got the URL",
    ),
    (
        "cat.png",
        {"channels": "first"},
        media.MediaValueError,
        r"channels= applies to arrays and tensors; got str",
    ),
]


@pytest.mark.parametrize("data,kwargs,exc,match", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_inputs_raise_clear_errors(data, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Image(data, **kwargs)


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Image: data_or_path: no such file: .*nope.png"):
        Image(tmp_path / "nope.png")
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(media.MediaValueError, match=r"expected an image file Pillow can read"):
        Image(tmp_path / "notes.png")
    with pytest.raises(media.MediaValueError, match=r"expected an image file; got the folder"):
        Image(tmp_path)


# ---- limits -----------------------------------------------------------------------------------


def test_over_size_images_warn_with_the_numbers_and_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_SIDE", 5)
    with pytest.warns(UserWarning, match=r"Image: 7x6 is larger than Image.MAX_SIDE=5") as rec:
        img = Image(RGB)
    assert rec[0].filename == __file__
    np.testing.assert_array_equal(pixels(tmp_path, ser(img, tmp_path)["path"]), RGB)


def test_check_count_warns_past_the_limit(monkeypatch):
    monkeypatch.setattr(Image, "MAX_PER_KEY", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Image.check_count(3) is True
    with pytest.warns(
        UserWarning, match=r"key 'ex': 4 images at one step is more than Image.MAX_PER_KEY=3"
    ):
        assert Image.check_count(4, key="ex") is False


# ---- masks ------------------------------------------------------------------------------------

MASK = (np.arange(42).reshape(6, 7) % 3).astype(np.int64)


def test_masks_are_stored_as_png_with_labels(tmp_path):
    img = Image(
        RGB,
        masks={
            "predictions": {"mask_data": MASK, "class_labels": {0: "bg", 1: "cat"}},
            "truth": {"mask_data": MASK == 1},
        },
        classes=Classes([{"id": 2, "name": "dog"}]),
    )
    stub = ser(img, tmp_path)
    pred = stub["masks"]["predictions"]
    assert pred["path"] == "media/examples/3_0.mask-predictions.png"
    np.testing.assert_array_equal(pixels(tmp_path, pred["path"]), MASK)
    assert PILImage.open(tmp_path / pred["path"]).mode == "L"
    assert pred["class_labels"] == {"0": "bg", "1": "cat", "2": "dog"}
    assert pred["ids"] == [0, 1, 2]
    truth = stub["masks"]["truth"]
    np.testing.assert_array_equal(pixels(tmp_path, truth["path"]), (MASK == 1).astype(np.uint8))
    assert truth["class_labels"] == {"0": "class_0", "1": "class_1", "2": "dog"}
    assert stub["classes"] == {"2": "dog"}


def test_mask_inputs(tmp_path):
    torch = pytest.importorskip("torch")
    mask_file = tmp_path / "m.png"
    PILImage.fromarray(MASK.astype(np.uint8)).save(mask_file)
    pal_file = tmp_path / "p.png"
    PILImage.fromarray(MASK.astype(np.uint8)).convert("P").save(pal_file)
    inputs = {
        "float": {"mask_data": MASK.astype(np.float32)},
        "hw1": {"mask_data": MASK[:, :, None]},
        "torch": {"mask_data": torch.from_numpy(MASK)},
        "list": {"mask_data": MASK.tolist()},
        "path": {"path": mask_file, "class_labels": Classes({1: "x"})},
        "palette": {"path": str(pal_file)},
        "strkeys": {"mask_data": MASK, "class_labels": {"1": "one"}},
    }
    stub = ser(Image(RGB, masks=inputs), tmp_path / "run")
    for layer, m in stub["masks"].items():
        np.testing.assert_array_equal(pixels(tmp_path / "run", m["path"]), MASK, err_msg=layer)
    assert stub["masks"]["path"]["class_labels"]["1"] == "x"
    assert stub["masks"]["strkeys"]["class_labels"]["1"] == "one"


def test_mask_data_is_copied(tmp_path):
    m = MASK.copy()
    img = Image(RGB, masks={"p": {"mask_data": m}})
    m[...] = 0
    np.testing.assert_array_equal(pixels(tmp_path, ser(img, tmp_path)["masks"]["p"]["path"]), MASK)


BAD_MASKS = [
    ([MASK], media.MediaTypeError, r"Image: masks: expected a dict \{layer"),
    (
        {"p": MASK},
        media.MediaTypeError,
        r"masks\['p'\]: expected a dict with \"mask_data\" or \"path\"",
    ),
    (
        {"p": {"mask_data": MASK[:5]}},
        media.MediaValueError,
        r"masks\['p'\]: mask has shape \(5, 7\); expected \(6, 7\) to match the 7x6 image",
    ),
    (
        {"p": {"mask_data": MASK + 254}},
        media.MediaValueError,
        r"class ids must be in 0..255 .*got values from 254 to 256",
    ),
    ({"p": {"mask_data": MASK - 1}}, media.MediaValueError, r"from -1 to 1"),
    (
        {"p": {"mask_data": MASK * 0.5}},
        media.MediaValueError,
        r"expected integer class ids; got float values",
    ),
    (
        {"p": {"mask_data": np.zeros((6, 7, 3), int)}},
        media.MediaValueError,
        r"expected a 2-D \(H, W\) array.*\(6, 7, 3\)",
    ),
    (
        {"p": {"mask_data": MASK, "path": "m.png"}},
        media.MediaValueError,
        r"exactly one of \"mask_data\" or \"path\"",
    ),
    ({"p": {"class_labels": {}}}, media.MediaValueError, r"exactly one of"),
    (
        {"p": {"mask_data": MASK, "class_labels": {1: 2}}},
        media.MediaTypeError,
        r"class 1: expected a str name",
    ),
    (
        {"p": {"mask_data": MASK, "class_labels": {"cat": "x"}}},
        media.MediaTypeError,
        r"expected an integer class id; got str \('cat'\)",
    ),
    ({"p": {"mask_data": MASK, "class_labels": [1]}}, media.MediaValueError, r"Classes: item 0"),
    ({"": {"mask_data": MASK}}, media.MediaTypeError, r"layer names must be non-empty str"),
]


@pytest.mark.parametrize("masks,exc,match", BAD_MASKS, ids=[str(i) for i in range(len(BAD_MASKS))])
def test_bad_masks(masks, exc, match):
    with pytest.raises(exc, match=match):
        Image(RGB, masks=masks)


def test_bad_mask_files(tmp_path):
    PILImage.fromarray(RGB).save(tmp_path / "rgb.png")
    with pytest.raises(
        media.MediaValueError, match=r"expected a single-channel mask .* got a mode RGB"
    ):
        Image(RGB, masks={"p": {"path": tmp_path / "rgb.png"}})
    with pytest.raises(FileNotFoundError, match=r"masks\['p'\]: path: no such file"):
        Image(RGB, masks={"p": {"path": tmp_path / "none.png"}})


# ---- boxes ------------------------------------------------------------------------------------


def test_boxes_are_validated_normalised_and_stored_as_json(tmp_path):
    torch = pytest.importorskip("torch")
    img = Image(
        np.zeros((100, 200, 3), np.uint8),
        boxes={
            "predictions": {
                "box_data": [
                    {
                        "position": {"minX": 10, "maxX": 50, "minY": 20, "maxY": 40},
                        "domain": "pixel",
                        "class_id": 1,
                        "box_caption": "cat 0.9",
                        "scores": {"acc": 0.9},
                    },
                    {
                        "position": {"middle": [0.5, 0.5], "width": 0.2, "height": 0.4},
                        "class_id": np.int64(2),
                    },
                    {
                        "position": {
                            "middle": torch.tensor([100.0, 50.0]),
                            "width": 20,
                            "height": 10,
                        },
                        "domain": "pixel",
                        "class_id": 7,
                        "scores": {"iou": np.float32(0.5)},
                    },
                ],
                "class_labels": {1: "cat", 2: "dog"},
            }
        },
    )
    stub = ser(img, tmp_path)
    layer = stub["boxes"]["predictions"]
    assert layer["path"] == "media/examples/3_0.boxes-predictions.json"
    assert layer["count"] == 3
    assert layer["class_labels"] == {"1": "cat", "2": "dog", "7": "class_7"}
    doc = json.loads((tmp_path / layer["path"]).read_text())
    assert (doc["width"], doc["height"]) == (200, 100)
    assert doc["class_labels"] == layer["class_labels"]
    b0, b1, b2 = doc["box_data"]
    assert b0 == {
        "position": {"minX": 10, "minY": 20, "maxX": 50, "maxY": 40},
        "class_id": 1,
        "box_caption": "cat 0.9",
        "scores": {"acc": 0.9},
    }
    assert b1["position"] == pytest.approx({"minX": 80, "minY": 30, "maxX": 120, "maxY": 70})
    assert b1["class_id"] == 2 and "box_caption" not in b1
    assert b2["position"] == {"minX": 90, "minY": 45, "maxX": 110, "maxY": 55}
    assert b2["scores"] == {"iou": 0.5}


def test_empty_box_layer_and_fractional_far_out_warning(tmp_path):
    stub = ser(Image(RGB, boxes={"none": {"box_data": []}}), tmp_path)
    assert stub["boxes"]["none"]["count"] == 0
    with pytest.warns(
        UserWarning,
        match=r"boxes\['p'\]: 1 of 1 boxes have fractional coordinates far outside 0..1 \(up to 40\).*\"domain\": \"pixel\"",
    ) as rec:
        Image(
            RGB,
            boxes={
                "p": {
                    "box_data": [
                        {"position": {"minX": 1, "maxX": 40, "minY": 0, "maxY": 3}, "class_id": 0}
                    ]
                }
            },
        )
    assert rec[0].filename == __file__


POS = {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6}
BAD_BOXES = [
    ([], media.MediaTypeError, r"Image: boxes: expected a dict \{layer"),
    (
        {"p": [{"position": POS}]},
        media.MediaValueError,
        r"boxes\['p'\]: expected a dict with \"box_data\"",
    ),
    ({"p": {"box_data": {}}}, media.MediaTypeError, r"box_data: expected a list of boxes"),
    (
        {"p": {"box_data": [{"class_id": 1}]}},
        media.MediaValueError,
        r"boxes\['p'\]\[0\]: missing position",
    ),
    (
        {"p": {"box_data": [{"position": POS}, {"position": {"minX": 1}, "class_id": 1}]}},
        media.MediaValueError,
        r"boxes\['p'\]\[0\]: missing class_id",
    ),
    (
        {
            "p": {
                "box_data": [
                    {"position": POS, "class_id": 1},
                    {"position": {"minX": 1}, "class_id": 1},
                ]
            }
        },
        media.MediaValueError,
        r"boxes\['p'\]\[1\]: position: expected \{\"minX\", \"maxX\", \"minY\", \"maxY\"\} or \{\"middle\"",
    ),
    (
        {"p": {"box_data": [{"position": {**POS, "minX": 0.9}, "class_id": 1}]}},
        media.MediaValueError,
        r"\[0\]: position: expected minX <= maxX and minY <= maxY; got minX=0.9, maxX=0.5",
    ),
    (
        {
            "p": {
                "box_data": [{"position": {"middle": [1], "width": 1, "height": 1}, "class_id": 1}]
            }
        },
        media.MediaValueError,
        r"position.middle: expected \[x, y\]",
    ),
    (
        {
            "p": {
                "box_data": [
                    {"position": {"middle": [1, 1], "width": -1, "height": 1}, "class_id": 1}
                ]
            }
        },
        media.MediaValueError,
        r"width and height must be >= 0",
    ),
    (
        {"p": {"box_data": [{"position": {**POS, "maxY": float("nan")}, "class_id": 1}]}},
        media.MediaValueError,
        r"position.maxY: expected a finite number; got nan",
    ),
    (
        {"p": {"box_data": [{"position": {**POS, "maxY": "1"}, "class_id": 1}]}},
        media.MediaTypeError,
        r"position.maxY: expected a number; got str",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1.0}]}},
        media.MediaTypeError,
        r"\[0\]: class_id: expected an integer class id; got float \(1.0\)",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": True}]}},
        media.MediaTypeError,
        r"class_id: expected an integer",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1, "scores": [0.9]}]}},
        media.MediaTypeError,
        r"scores: expected a dict \{name: number\}",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1, "scores": {"a": None}}]}},
        media.MediaTypeError,
        r"scores\['a'\]: expected a number",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1, "caption": "x"}]}},
        media.MediaValueError,
        r"\[0\]: unknown key 'caption'; expected position, class_id, box_caption, scores, domain",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1, "domain": "percent"}]}},
        media.MediaValueError,
        r"domain: expected 'pixel' or absent",
    ),
    (
        {"p": {"box_data": [{"position": POS, "class_id": 1, "box_caption": 3}]}},
        media.MediaTypeError,
        r"box_caption: expected a str",
    ),
    (
        {"p": {"box_data": ["box"]}},
        media.MediaTypeError,
        r"\[0\]: expected a dict with position and class_id",
    ),
]


@pytest.mark.parametrize("boxes,exc,match", BAD_BOXES, ids=[str(i) for i in range(len(BAD_BOXES))])
def test_bad_boxes_name_the_layer_and_index(boxes, exc, match):
    with pytest.raises(exc, match=match):
        Image(RGB, boxes=boxes)


# ---- Classes ----------------------------------------------------------------------------------


def test_classes_forms_and_stub(tmp_path):
    a = Classes([{"id": 1, "name": "cat"}, {"id": np.int64(0), "name": "bg"}])
    assert a.labels == {1: "cat", 0: "bg"} and Classes({1: "cat", 0: "bg"}).labels == a.labels
    assert Classes(a).class_set == [{"id": 1, "name": "cat"}, {"id": 0, "name": "bg"}]
    assert a._serialize(MediaWriter(tmp_path, "c", 0)) == {
        "_type": "classes",
        "class_set": [{"id": 1, "name": "cat"}, {"id": 0, "name": "bg"}],
    }
    stub = ser(Image(RGB, classes=[{"id": 5, "name": "x"}]), tmp_path)
    assert stub["classes"] == {"5": "x"}


@pytest.mark.parametrize(
    "value,match",
    [
        ("cats", r"Classes: expected a list of"),
        ([{"id": 1}], r"Classes: item 0: expected \{\"id\": int, \"name\": str\}"),
        (
            [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}],
            r"item 1: id 1 appears twice \('a' and 'b'\)",
        ),
        ([{"id": "x", "name": "a"}], r"item 0: id: expected an integer class id"),
        ([{"id": 1, "name": 2}], r"item 0: name: expected a str"),
    ],
)
def test_bad_classes(value, match):
    with pytest.raises((media.MediaValueError, media.MediaTypeError), match=match):
        Classes(value)


# ---- the shared helpers -----------------------------------------------------------------------


def test_to_uint8_returns_new_arrays_and_channels_last_rule():
    a = np.zeros((2, 2), np.uint8)
    out, info = to_uint8(a)
    assert out is not a and not np.shares_memory(out, a) and info["rule"] == "uint8"
    assert channels_last(np.zeros((3, 5, 6))).shape == (5, 6, 3)
    assert channels_last(np.zeros((5, 6, 3))).shape == (5, 6, 3)
    assert channels_last(np.zeros((3, 4, 4))).shape == (3, 4, 4)  # ambiguous: channel-last
    assert channels_last(np.zeros((2, 1, 5, 6)), lead=1).shape == (2, 5, 6, 1)


# ---- end to end through a run -----------------------------------------------------------------


def test_logged_list_of_images_round_trips_through_a_run(root):
    run = media.init(project="mnist")
    x = (RNG.random((28, 28)) - 0.13) / 0.31
    media.log(
        {
            "examples": [
                Image(x, caption="Pred: 3"),
                Image(
                    RGB,
                    caption="rgb",
                    masks={"p": {"mask_data": MASK}},
                    boxes={"b": {"box_data": [{"position": POS, "class_id": 1}]}},
                ),
            ]
        }
    )
    media.log({"single": Image(UNIT)})
    run.summary["best"] = Image(GREY, caption="best")
    media.finish()

    r = media.open_run(run.dir)
    assert r.media_keys() == {"examples": "image", "single": "image"}
    ((step, stub),) = r.media("examples")
    assert (
        step == 0
        and stub["_type"] == "media-list"
        and stub["kind"] == "image"
        and stub["count"] == 2
    )
    first, second = stub["items"]
    assert first["caption"] == "Pred: 3" and second["caption"] == "rgb"
    assert first["value_range"]["rule"] == "minmax" and first["value_range"]["lo"] == pytest.approx(
        x.min()
    )
    got = np.array(PILImage.open(r.resolve(first["path"])))
    assert got.shape == (28, 28) and got.min() == 0 and got.max() == 255
    np.testing.assert_array_equal(np.array(PILImage.open(r.resolve(second["path"]))), RGB)
    np.testing.assert_array_equal(
        np.array(PILImage.open(r.resolve(second["masks"]["p"]["path"]))), MASK
    )
    boxes = json.loads(r.resolve(second["boxes"]["b"]["path"]).read_text())
    assert boxes["box_data"][0]["position"] == pytest.approx(
        {"minX": 0.7, "maxX": 3.5, "minY": 1.2, "maxY": 3.6}
    )
    assert first["path"] != second["path"]
    ((_, single),) = r.media("single")
    np.testing.assert_array_equal(
        np.array(PILImage.open(r.resolve(single["path"]))),
        np.arange(42, dtype=np.uint8).reshape(6, 7),
    )
    best = r.summary["best"]
    assert best["_type"] == "image" and best["caption"] == "best"
    np.testing.assert_array_equal(np.array(PILImage.open(r.resolve(best["path"]))), GREY)


def test_numeric_captions_become_text(tmp_path):
    assert ser(Image(RGB, caption=3), tmp_path)["caption"] == "3"
    assert ser(Image(RGB, caption=np.int64(7)), tmp_path, 1)["caption"] == "7"


def test_extra_keys_in_a_mask_or_box_layer_are_ignored_with_a_warning(log_one):
    with pytest.warns(UserWarning, match=r"Image: masks\['pred'\]: expected keys mask_data, path, "
                      r"class_labels; got also 'caption'; ignored them and kept the mask"):
        img = Image(RGB, masks={"pred": {"mask_data": MASK, "caption": "x",
                                         "class_labels": {1: "cat"}}})
    with pytest.warns(UserWarning, match=r"boxes\['p'\]: expected keys box_data, class_labels; got "
                      r"also 'labels'; ignored them and kept the boxes"):
        Image(RGB, boxes={"p": {"box_data": [], "labels": {}}})
    r = log_one({"img": img, "loss": 1.0})
    stub = next(r.history())["img"]
    assert "pred" in stub["masks"] and stub["masks"]["pred"]["class_labels"]["1"] == "cat"
