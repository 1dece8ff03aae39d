"""mediaboard ci: gallery, Markdown summary, --fail-on rules and exit codes, on real runs in tmp_path."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer import ci, imgdiff

RATE = 16000


def _pattern(i: int, size: int = 64) -> np.ndarray:
    """A smooth, seeded test picture (gradients plus a square), different for each i."""
    y, x = np.mgrid[0:size, 0:size]
    img = np.stack([(x * 4 + i * 20) % 256, (y * 4) % 256, ((x + y) * 2 + i * 50) % 256], axis=2)
    img[10 + i : 30 + i, 10:30] = 255
    return img.astype(np.uint8)


def _tone(freq: float, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def make_run(
    name: str,
    *,
    steps: tuple[int, ...] = (0, 5, 10),
    change: tuple[int, int] | None = None,  # (step, item) whose image is inverted
    size_change: tuple[int, int] | None = None,
    loss_scale: float = 1.0,
    accuracy: float = 0.9,
    tone: float = 440.0,
    table_y: str = "b",
    key: str = "examples",
    caption: str = "digit",
) -> Path:
    run = media.init(project="ci", id=name)
    for s in steps:
        images = [_pattern(i) for i in range(4)]
        if change is not None and change[0] == s:
            images[change[1]] = 255 - images[change[1]]
        if size_change is not None and size_change[0] == s:
            images[size_change[1]] = _pattern(size_change[1], size=48)
        media.log(
            {
                key: [media.Image(im, caption=f"{caption} {i}") for i, im in enumerate(images)],
                "loss": loss_scale / (s + 1),
                "speech": media.Audio(_tone(tone), sample_rate=RATE),
                "preds": media.Table(columns=["id", "y"], data=[[1, "a"], [2, table_y]]),
            },
            step=s,
        )
    run.summary["accuracy"] = accuracy
    media.finish()
    return Path(run.dir)


def run_ci(capsys, base: Path, cand: Path, out: Path, *rules: str, extra: tuple[str, ...] = ()):
    argv = ["--baseline", str(base), "--candidate", str(cand), "-o", str(out), *extra]
    for r in rules:
        argv += ["--fail-on", r]
    code = ci.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def gallery_keys(out: Path) -> list[tuple[str, str]]:
    page = (out / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<tr data-kind="([^"]*)" data-key="([^"]*)"', page)


ALL_RULES = (
    "image:examples.ssim>=0.95",
    "image:examples.mad<=2",
    "audio:speech.dist<=0.5",
    "scalar:loss.rel<=0.05",
    "table:preds.changed<=0",
    "summary.accuracy>=0.9",
)


def test_identical_runs_pass(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base"), make_run("cand")
    code, out, err = run_ci(capsys, base, cand, tmp_path / "out", *ALL_RULES)
    assert code == 0, (out, err)
    lines = out.strip().splitlines()
    assert len(lines) == len(ALL_RULES)
    assert all(line.startswith("PASS ") for line in lines)
    assert "PASS image:examples.ssim>=0.95 (min 1 at step 0 item 0, 12 compared)" in lines
    assert (tmp_path / "out" / "index.html").is_file()
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "No differences found." in summary


def test_one_changed_image_fails_and_ranks_first(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base"), make_run("cand", change=(10, 2))
    out_dir = tmp_path / "out"
    code, out, err = run_ci(capsys, base, cand, out_dir, "image:examples.ssim>=0.95", "image:examples.mad<=2")
    assert code == 1, err
    lines = out.strip().splitlines()
    assert re.fullmatch(r"FAIL image:examples\.ssim>=0\.95 \(min -?0\.\d+ at step 10 item 2, 12 compared\)", lines[0])
    assert re.fullmatch(r"FAIL image:examples\.mad<=2 \(max \d+(\.\d+)? at step 10 item 2, 12 compared\)", lines[1])
    assert gallery_keys(out_dir)[0] == ("image", "examples")
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    first_row = page.split('<tr data-kind="image"', 1)[1].split("</tr>", 1)[0]
    assert "step 10 item 2" in first_row
    # the heat map is a real image: white where the pair differs most
    diff = re.search(r'href="(diff/[^"]+\.png)"', first_row).group(1)
    heat = imgdiff.load_rgb(out_dir / diff)
    assert heat.shape == (64, 64, 3) and heat.max() == 255
    summary = (out_dir / "summary.md").read_text(encoding="utf-8")
    top = [line for line in summary.splitlines() if line.startswith("| 1 |")][0]
    assert "| image | examples | step 10 item 2 |" in top


def test_summary_markdown_is_safe_small_and_links_exist(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base"), make_run("cand", change=(5, 1), tone=880.0)
    out_dir = tmp_path / "out"
    summary_path = tmp_path / "elsewhere" / "summary.md"
    code, _, err = run_ci(capsys, base, cand, out_dir, extra=("--summary", str(summary_path)))
    assert code == 0, err  # no rules: nothing can fail
    text = summary_path.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    assert len(data) < 1_000_000
    assert "data:" not in text and "<script" not in text.lower()
    srcs = re.findall(r'<img src="([^"]+)"', text)
    assert len(srcs) >= 6  # image and audio rows: baseline, candidate, difference
    for src in srcs:
        target = (summary_path.parent / src).resolve()
        assert target.is_file(), src
        thumb = imgdiff.load_rgb(target)
        assert max(thumb.shape[:2]) <= 128
    gallery = re.search(r"\[Open the gallery\]\(([^)]+)\)", text).group(1)
    assert (summary_path.parent / gallery).resolve() == (out_dir / "index.html").resolve()


def test_link_base_prefixes_summary_links(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base"), make_run("cand", change=(5, 1))
    code, _, _ = run_ci(capsys, base, cand, tmp_path / "out", extra=("--link-base", "https://ex.org/ci/"))
    text = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "(https://ex.org/ci/index.html)" in text
    assert '<img src="https://ex.org/ci/thumbs/0001-base.png"' in text


@pytest.mark.parametrize(
    ("scale", "rule", "code", "verdict"),
    [
        (1.0, "scalar:loss.rel<=0.05", 0, "PASS scalar:loss.rel<=0.05 (max 0)"),
        (1.04, "scalar:loss.rel<=0.05", 0, "PASS scalar:loss.rel<=0.05 (max 0.04 at step 0)"),
        (1.2, "scalar:loss.rel<=0.05", 1, "FAIL scalar:loss.rel<=0.05 (max 0.2 at step 0)"),
        (1.2, "scalar:loss.delta<0", 1, "FAIL scalar:loss.delta<0"),
        (0.5, "scalar:loss.delta<0", 0, "PASS scalar:loss.delta<0"),
    ],
)
def test_scalar_rules(root: Path, tmp_path: Path, capsys, scale, rule, code, verdict) -> None:
    base, cand = make_run("base", steps=(0, 1)), make_run("cand", steps=(0, 1), loss_scale=scale)
    got, out, _ = run_ci(capsys, base, cand, tmp_path / "out", rule)
    assert got == code
    assert out.startswith(verdict)


def _curve_run(name: str, values: list[float]) -> Path:
    run = media.init(project="ci", id=name)
    for s, v in enumerate(values):
        media.log({"loss": v}, step=s)
    media.finish()
    return Path(run.dir)


def test_scalar_rule_sees_a_mid_run_difference(root: Path, tmp_path: Path, capsys) -> None:
    """The curves differ by 40 % at step 5 and end on the same value: the rule on `rel` (the whole
    aligned curve) fails and says where; `last_rel` (the last values only) passes; the gallery row
    draws both curves on one axis with step 5 marked."""
    base_values = [1.0 / (s + 1) for s in range(10)]
    cand_values = [v * 1.4 if s == 5 else v for s, v in enumerate(base_values)]
    base, cand = _curve_run("base", base_values), _curve_run("cand", cand_values)
    out_dir = tmp_path / "out"
    code, out, _ = run_ci(capsys, base, cand, out_dir, "scalar:loss.rel<=0.05", "scalar:loss.mean_rel<=0.05",
                          "scalar:loss.last_rel<=0.05", "scalar:loss.delta==0")
    assert code == 1
    assert out.splitlines() == [
        "FAIL scalar:loss.rel<=0.05 (max 0.4 at step 5)",
        "PASS scalar:loss.mean_rel<=0.05 (max 0.04)",  # 0.4 at one step of ten
        "PASS scalar:loss.last_rel<=0.05 (max 0)",
        "PASS scalar:loss.delta==0 (all 0)",
    ]
    summary = (out_dir / "summary.md").read_text(encoding="utf-8")
    row = next(line for line in summary.splitlines() if line.startswith("| 1 |"))
    assert "| scalar | loss | step 5 | max rel change 0.4 at step 5 \\(0.1667 → 0.2333\\), mean 0.04 over 10" in row
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    tr = page.split('<tr data-kind="scalar"', 1)[1].split("</tr>", 1)[0]
    assert tr.count("<svg") == 1
    paths = dict(re.findall(r'data-series="(\w+)" d="([^"]+)"', tr))
    assert set(paths) == {"baseline", "candidate"}

    def points(d: str) -> list[tuple[float, float]]:
        return [(float(x), float(y)) for x, y in re.findall(r"[ML]([-\d.]+),([-\d.]+)", d)]

    pb, pc = points(paths["baseline"]), points(paths["candidate"])
    assert len(pb) == len(pc) == 10
    # same x for every step, same y but at step 5, where the candidate is higher (smaller y in SVG)
    assert [p[0] for p in pb] == [p[0] for p in pc]
    assert [i for i, (a, b) in enumerate(zip(pb, pc)) if a[1] != b[1]] == [5] and pc[5][1] < pb[5][1]
    mark = re.search(r'class="mark" x1="([-\d.]+)"', tr)
    assert mark and float(mark.group(1)) == pb[5][0]
    assert ">step 5</text>" in tr
    xticks = re.findall(r"<text[^>]*>([^<]*)</text>", tr.split('class="x-ticks"', 1)[1].split("</g>", 1)[0])
    assert xticks == ["0", "2", "4", "6", "8"]


def test_scalar_curves_without_a_common_step_compare_last_values(root: Path, tmp_path: Path, capsys) -> None:
    base = _curve_run("base", [1.0, 0.5])
    run = media.init(project="ci", id="cand")
    media.log({"loss": 0.9}, step=7)
    media.finish()
    code, out, _ = run_ci(capsys, base, Path(run.dir), tmp_path / "out", "scalar:loss.rel<=0.5")
    assert code == 1 and out.startswith("FAIL scalar:loss.rel<=0.5 (max 0.8)")
    assert "no step logged by both runs; compared the last values" in (tmp_path / "out" / "index.html").read_text()
    # the same curve: no step is marked and the row says so
    code, out, _ = run_ci(capsys, base, base, tmp_path / "same", "scalar:loss.rel<=0")
    tr = (tmp_path / "same" / "index.html").read_text().split('<tr data-kind="scalar"', 1)[1].split("</tr>", 1)[0]
    assert code == 0 and 'class="mark"' not in tr and "same values at all 2 common steps" in tr


def test_relative_change_by_hand() -> None:
    rel = imgdiff.relative_change([1.0, 2.0, 0.0, 0.0, float("nan"), -4.0], [1.0, 1.0, 0.5, 0.0, float("nan"), -5.0])
    assert rel.tolist() == [0.0, 0.5, float("inf"), 0.0, 0.0, 0.25]


@pytest.mark.parametrize(
    ("accuracy", "rule", "code", "verdict"),
    [
        (0.93, "summary.accuracy>=0.9", 0, "PASS summary.accuracy>=0.9 (candidate 0.93)"),
        (0.85, "summary.accuracy>=0.9", 1, "FAIL summary.accuracy>=0.9 (candidate 0.85)"),
        (0.85, "summary.accuracy==0.85", 0, "PASS summary.accuracy==0.85"),
        (0.9, "summary.f1>=0.5", 1, "FAIL summary.f1>=0.5 (candidate summary 'f1' is missing)"),
    ],
)
def test_summary_rules(root: Path, tmp_path: Path, capsys, accuracy, rule, code, verdict) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), accuracy=accuracy)
    got, out, _ = run_ci(capsys, base, cand, tmp_path / "out", rule)
    assert got == code
    assert out.startswith(verdict)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("image:examples.ssim", r"expected summary\.KEY OP NUMBER"),
        ("image:examples.ssim>=high", r"threshold 'high' is not a number"),
        ("picture:examples.ssim>=0.9", r"unknown rule kind 'picture'"),
        ("image:examples.psnr>=30", r"image rules take metric ssim, mad, changed; got 'psnr'"),
        ("image:ssim>=0.9", r"expected image:KEY\.METRIC; got 'image:ssim'"),
        ("summary.>=1", r"missing the summary key"),
        ("scalar:loss.rel<=nan", r"threshold must be finite"),
        ("scalar:loss.rel=>0.1", r"take metric rel, delta, value, mean_rel, last_rel; got 'rel='"),
    ],
)
def test_bad_rule_is_usage_error(root: Path, tmp_path: Path, capsys, rule, message) -> None:
    base = make_run("base", steps=(0,))
    code, out, err = run_ci(capsys, base, base, tmp_path / "out", rule)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()  # nothing written before the arguments are checked


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--baseline", "{missing}", "--candidate", "{base}", "-o", "{out}"], r"--baseline .*run\.json"),
        (["--baseline", "{base}", "--candidate", "{base}"], r"required: -o/--out"),
        (["--baseline", "{base}", "--candidate", "{base}", "-o", "{out}", "--top", "x"], r"--top: invalid int"),
        (["--baseline", "{base}", "--candidate", "{base}", "-o", "{file}"], r"exists and is not a folder"),
        (["--baseline", "{base}", "--candidate", "{base}", "-o", "{full}"], r"not empty and was not written by mediaboard ci"),
    ],
)
def test_bad_usage_exit_2(root: Path, tmp_path: Path, capsys, argv, message) -> None:
    base = make_run("base", steps=(0,))
    (tmp_path / "afile").write_text("x")
    (tmp_path / "full" / "files").mkdir(parents=True)
    (tmp_path / "full" / "files" / "mine.txt").write_text("keep me")
    values = {"full": str(tmp_path / "full"), "base": str(base), "missing": str(tmp_path / "nope"), "out": str(tmp_path / "out"),
              "file": str(tmp_path / "afile")}
    code = ci.main([a.format(**values) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert re.search(message, err), err
    assert (tmp_path / "full" / "files" / "mine.txt").read_text() == "keep me"


def test_rerun_into_same_folder_replaces_old_images(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), change=(0, 1))
    out_dir = tmp_path / "out"
    assert run_ci(capsys, base, cand, out_dir)[0] == 0
    assert (out_dir / "thumbs" / "0001-diff.png").is_file()
    assert run_ci(capsys, base, base, out_dir)[0] == 0
    assert not (out_dir / "thumbs").exists() and not (out_dir / "diff").exists()


def test_no_images_summary(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), change=(0, 1))
    code, _, _ = run_ci(capsys, base, cand, tmp_path / "out", extra=("--no-images",))
    text = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "<img" not in text and "](index.html)" not in text  # no links that cannot resolve
    assert "| 1 | image | examples | step 0 item 1 | ssim " in text
    assert "| # | kind | key | where | change |\n|---|---|---|---|---|\n" in text


def test_debug_shows_traceback(root: Path, tmp_path: Path) -> None:
    with pytest.raises(ci.UsageError, match="unknown rule kind"):
        ci.main(["--baseline", "x", "--candidate", "y", "-o", str(tmp_path / "o"), "--fail-on", "a:b.c>1", "--debug"])


def test_size_changed_image_reported(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), size_change=(0, 3))
    out_dir = tmp_path / "out"
    code, out, _ = run_ci(capsys, base, cand, out_dir, "image:examples.ssim>=0.5")
    assert code == 1
    assert out.startswith("FAIL image:examples.ssim>=0.5 (step 0 item 3: size changed 64x64 → 48x48)")
    assert "size changed 64x64 → 48x48" in (out_dir / "index.html").read_text(encoding="utf-8")
    assert "size changed 64x64 → 48x48" in (out_dir / "summary.md").read_text(encoding="utf-8")


def test_different_steps_compare_last_of_each(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base", steps=(0, 3)), make_run("cand", steps=(4, 8))
    out_dir = tmp_path / "out"
    code, out, _ = run_ci(capsys, base, cand, out_dir, "image:examples.ssim>=0.99")
    assert code == 0
    assert "at step 3 → 8 item 0, 4 compared" in out
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    assert "logged at different steps (baseline 0..3, candidate 4..8); compared the last step of each" in page


def test_table_and_audio_rules(root: Path, tmp_path: Path, capsys) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), table_y="B", tone=1000.0)
    code, out, _ = run_ci(capsys, base, cand, tmp_path / "out",
                          "table:preds.changed<=0", "table:preds.rows<=1", "audio:speech.dist<=0.5")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0] == "FAIL table:preds.changed<=0 (max 1 at step 0)"
    assert lines[1] == "PASS table:preds.rows<=1 (max 1 at step 0)"
    assert lines[2].startswith("FAIL audio:speech.dist<=0.5 (max ")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "row 1, y: &#34;b&#34; → &#34;B&#34;" in page


def test_rule_on_key_missing_fails(root: Path, tmp_path: Path, capsys) -> None:
    base = make_run("base", steps=(0,))
    code, out, _ = run_ci(capsys, base, base, tmp_path / "out", "image:nothing.ssim>=0.9")
    assert code == 1
    assert out.strip() == "FAIL image:nothing.ssim>=0.9 (no image key 'nothing' compared)"


def test_user_strings_escaped(root: Path, tmp_path: Path, capsys) -> None:
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>|'
    base = make_run("base", steps=(0,), key=evil, caption=evil)
    cand = make_run("cand", steps=(0,), key=evil, caption=evil, change=(0, 1))
    out_dir = tmp_path / "out"
    code, _, err = run_ci(capsys, base, cand, out_dir)
    assert code == 0, err
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert html.escape(evil) in page or "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1 and '<script src="gallery.js">' in page  # only its own script file
    summary = (out_dir / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in summary and "<img src=x" not in summary
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in summary
    row = [line for line in summary.splitlines() if line.startswith("| 1 |")][0]
    assert len(re.findall(r"(?<!\\)\|", row)) == 9  # 8 columns: the key's "|" is escaped


# ---- imgdiff ----------------------------------------------------------------------------------
def test_ssim_self_and_inverted() -> None:
    img = _pattern(1, size=96)
    assert imgdiff.ssim(img, img) == pytest.approx(1.0, abs=1e-12)
    assert imgdiff.ssim(img, 255 - img) < 0.0
    noisy = np.clip(img.astype(int) + np.random.default_rng(0).integers(-10, 11, img.shape), 0, 255).astype(np.uint8)
    assert 0.3 < imgdiff.ssim(img, noisy) < 0.99
    tiny = _pattern(0, size=5)  # smaller than the 11-tap window
    assert imgdiff.ssim(tiny, tiny) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"same shape; got \(5, 5, 3\) and \(96, 96, 3\)"):
        imgdiff.ssim(tiny, img)


def test_mad_changed_heatmap_thumbnail() -> None:
    a = np.zeros((10, 20, 3), np.uint8)
    b = a.copy()
    b[0, :5] = [30, 0, 0]  # 5 of 200 pixels, one channel of three
    assert imgdiff.mad(a, b) == pytest.approx(5 * 30 / 600)
    assert imgdiff.changed_pct(a, b) == pytest.approx(2.5)
    heat, top = imgdiff.heatmap(imgdiff.absdiff(a, b))
    assert top == 30 and heat[0, 0].tolist() == [255, 255, 255] and heat[5, 5].tolist() == [0, 0, 0]
    big = np.zeros((300, 150, 3), np.uint8)
    assert imgdiff.thumbnail(big, 128).shape == (128, 64, 3)
    assert imgdiff.thumbnail(a, 128).shape == a.shape  # never enlarged


def test_load_rgb_alpha_and_grey(tmp_path: Path) -> None:
    from PIL import Image

    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 128
    Image.fromarray(rgba).save(tmp_path / "a.png")
    assert imgdiff.load_rgb(tmp_path / "a.png")[0, 0].tolist() == [100, 0, 0]
    Image.fromarray(np.full((3, 3), 7, np.uint8)).save(tmp_path / "g.png")
    assert imgdiff.load_rgb(tmp_path / "g.png")[0, 0].tolist() == [7, 7, 7]


def test_audio_distance(tmp_path: Path) -> None:
    a, b = _tone(440.0).astype(np.float64), _tone(1000.0).astype(np.float64)
    assert imgdiff.spectral_distance(a, a)[0] == 0.0
    assert imgdiff.spectral_distance(a, b)[0] > 20.0
    assert imgdiff.spectral_distance(a, 0.5 * a)[0] == pytest.approx(6.0, abs=1.0)  # -6 dB gain
    assert imgdiff.spectral_distance(a, a[: len(a) // 2])[0] > 10.0  # shorter clip padded with silence
    hiss = np.random.default_rng(0).normal(0, 0.0005, len(a))  # about 60 dB below the tone
    assert imgdiff.spectral_distance(a, a + hiss)[0] < 1.0
    assert imgdiff.spectral_distance(np.zeros(100), np.zeros(300))[0] == 0.0
    import soundfile

    soundfile.write(tmp_path / "x.wav", a, RATE, subtype="PCM_16")
    x, rate = imgdiff.load_audio(tmp_path / "x.wav")
    assert rate == RATE and np.max(np.abs(x - a)) < 1e-4


def test_spectrograms_on_one_db_scale_show_where_the_audio_differs(root: Path, tmp_path: Path, capsys) -> None:
    """A steady 440 Hz tone, and the same tone with a 1500 Hz one swelling in over the second half:
    the pictures share one dB scale (the 440 Hz line is as bright in both), neither has a bright
    stripe at its end, and the heat map's energy lies in the second half, on the 1500 Hz line."""
    t = np.arange(RATE) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    swell = np.where(t >= 0.5, np.sin(np.pi * (t - 0.5) / 0.5) ** 2, 0.0)
    dirs = []
    for name, x in (("base", tone), ("cand", tone + 0.3 * swell * np.sin(2 * np.pi * 1500 * t))):
        run = media.init(project="ci", id=name)
        media.log({"speech": media.Audio(x.astype(np.float32), sample_rate=RATE)}, step=0)
        media.finish()
        dirs.append(Path(run.dir))
    out_dir = tmp_path / "out"
    assert run_ci(capsys, *dirs, out_dir)[0] == 0
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    tr = page.split('<tr data-kind="audio"', 1)[1].split("</tr>", 1)[0]
    base_rel, cand_rel = re.findall(r'<img src="(spec/[^"]+)"', tr)
    base, cand = (imgdiff.luminance(imgdiff.load_rgb(out_dir / r)) for r in (base_rel, cand_rel))
    heat = imgdiff.luminance(imgdiff.load_rgb(out_dir / re.search(r'<img src="(diff/[^"]+)"', tr).group(1)))
    assert base.shape == cand.shape == heat.shape == (256, 256)
    row440 = int(round((1 - 440 / (RATE / 2)) * 255))
    line = base[row440 - 2 : row440 + 3, 16:112].max(axis=0)
    assert line.min() > 150  # the tone is drawn bright, not grey on black
    assert np.allclose(line, cand[row440 - 2 : row440 + 3, 16:112].max(axis=0), atol=3)  # one scale
    # no edge stripe: the last columns are no brighter than the middle ones
    columns = base.mean(axis=0)
    assert columns[-6:].max() <= 1.1 * np.median(columns[8:-8]) + 1
    # the difference is where the audio differs: the second half, around 1500 Hz
    assert heat[:, 128:].sum() > 0.97 * heat.sum()
    row1500 = int(round((1 - 1500 / (RATE / 2)) * 255))
    assert abs(int(np.argmax(heat.sum(axis=1))) - row1500) <= 3
    assert "black = 80 dB below" in tr


# ---- browser ----------------------------------------------------------------------------------
@pytest.mark.browser
def test_gallery_in_browser(root: Path, tmp_path: Path, capsys, site_page) -> None:
    base, cand = make_run("base", steps=(0,)), make_run("cand", steps=(0,), change=(0, 2), tone=1000.0)
    out_dir = tmp_path / "out"
    code, _, _ = run_ci(capsys, base, cand, out_dir)
    assert code == 0
    sp = site_page(out_dir)  # fails the test on any request outside OUT and on console errors
    sp.open(wait="#rows tbody tr")
    page = sp.page
    rows = page.locator("#rows tbody tr")
    assert rows.count() == 8  # 4 images, audio, table, loss, accuracy
    assert "step 0 item 2" in rows.first.inner_text()
    page.wait_for_load_state("load")
    loaded = page.evaluate(
        "Array.from(document.querySelectorAll('#rows img')).filter(i => i.complete && i.naturalWidth > 0).length"
    )
    assert loaded == page.locator("#rows img").count() >= 8 + 3  # images and audio spectrograms
    page.select_option("#f-kind", "scalar")
    assert page.locator("#rows tbody tr:visible").count() == 1
    assert page.locator("#f-count").inner_text() == "1 of 8 shown"
    page.select_option("#f-kind", "")
    page.locator("th", has_text="key").click()  # sort by key: "examples" rows first, "speech" last
    keys = page.locator("#rows tbody tr td:nth-child(4)").all_inner_texts()
    assert keys[0].startswith("accuracy") and keys[-1].startswith("speech")
    sp.screenshot()


def test_cli_registers_ci(root: Path, tmp_path: Path, capsys) -> None:
    from viewer import cli

    base = make_run("base", steps=(0,))
    code = cli.main(["ci", "--baseline", str(base), "--candidate", str(base), "-o", str(tmp_path / "o"),
                     "--fail-on", "image:examples.ssim>=0.99"])
    assert code == 0
    assert capsys.readouterr().out.startswith("PASS image:examples.ssim>=0.99")


def test_bidi_characters_in_keys_are_visible_in_gallery_and_summary(root, tmp_path):
    rlo = "\u202e"
    for name in ("b", "c"):
        media.init(project="ci", id=f"bidi-{name}")
        media.log({f"pic{rlo}gnp": media.Image(_pattern(0 if name == "b" else 1), caption=f"x{rlo}y")})
        media.finish()
    out = tmp_path / "o"
    code = ci.main(["--baseline", str(root / "ci" / "bidi-b"), "--candidate", str(root / "ci" / "bidi-c"),
                    "-o", str(out)])
    assert code == 0
    for f, shown in ((out / "index.html", "pic\u27e6U+202E\u27e7gnp"),
                     (out / "summary.md", "pic\u27e6U\\+202E\u27e7gnp")):  # Markdown escapes '+'
        text = f.read_text(encoding="utf-8")
        assert rlo not in text and shown in text, f
