"""mediaboard ci on the kinds beyond images, audio and tables: histograms (total variation, earth
mover's distance), video (frame SSIM), 3-D point clouds (nearest-point distance), and plotly,
bokeh and HTML (same content or not). Real runs in tmp_path, metrics checked against numbers
worked out by hand."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer import ci, imgdiff

RNG = np.random.default_rng(7)
CLOUD = RNG.uniform(0, 1, (500, 3))
SAMPLES = RNG.normal(0, 1, 5000)


def _frames(invert_frame: int | None = None) -> np.ndarray:
    """16 frames of a moving bar, (T, C, H, W) as wandb takes them."""
    v = np.zeros((16, 3, 32, 48), np.uint8)
    for t in range(16):
        v[t, :, :, 2 * t : 2 * t + 8] = 220
        v[t, 1] += 20
    if invert_frame is not None:
        v[invert_frame] = 255 - v[invert_frame]
    return v


def _bokeh_plot(ys):
    from bokeh.plotting import figure

    p = figure(width=200, height=150, title="curve")
    p.line(list(range(len(ys))), ys)
    return p


def make_run(name: str, *, shift: float = 0.0, invert_frame: int | None = None, jitter: float = 0.0,
             plotly_y=(1, 3, 2), html: str = "<p>report</p>", extra_bokeh_models: int = 0) -> Path:
    import plotly.graph_objects as go

    run = media.init(project="ci", id=name)
    for _ in range(extra_bokeh_models):  # shifts bokeh's model ids: the same plot must still compare equal
        _bokeh_plot([0])
    cloud = CLOUD + (np.random.default_rng(1).normal(0, jitter, CLOUD.shape) if jitter else 0)
    media.log({
        "hist": media.Histogram(SAMPLES + shift, num_bins=40),
        "clip": media.Video(_frames(invert_frame), fps=8, format="gif"),
        "cloud": media.Object3D(cloud),
        "fig": media.Plotly(go.Figure([go.Scatter(y=list(plotly_y)), go.Bar(y=[1, 2])])),
        "bk": media.Bokeh(_bokeh_plot([1, 4, 2])),
        "page": media.Html(html),
    }, step=0)
    media.finish()
    return Path(run.dir)


def run_ci(capsys, base: Path, cand: Path, out: Path, *rules: str):
    argv = ["--baseline", str(base), "--candidate", str(cand), "-o", str(out)]
    for r in rules:
        argv += ["--fail-on", r]
    code = ci.main(argv)
    return code, capsys.readouterr().out


RULES = ("histogram:hist.tv<=0.01", "video:clip.ssim>=0.99", "object3d:cloud.dist<=0.001",
         "plotly:fig.changed==0", "bokeh:bk.changed==0", "html:page.changed==0")


def test_identical_runs_pass_every_kind(root, tmp_path, capsys):
    base, cand = make_run("base"), make_run("cand", extra_bokeh_models=3)
    code, out = run_ci(capsys, base, cand, tmp_path / "out", *RULES)
    assert code == 0, out
    assert out.count("PASS") == len(RULES)
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Not compared" not in page
    kinds = set(re.findall(r'<tr data-kind="([^"]*)"', page))
    assert {"histogram", "video", "object3d", "plotly", "bokeh", "html"} <= kinds


def test_changes_are_measured_and_ranked(root, tmp_path, capsys):
    base = make_run("base")
    cand = make_run("cand", shift=0.5, invert_frame=5, jitter=0.01, plotly_y=(1, 3, 9),
                    html="<p>report, changed</p>")
    code, out = run_ci(capsys, base, cand, tmp_path / "out", *RULES)
    assert code == 1
    verdicts = dict(re.findall(r"^(PASS|FAIL) (\S+)", out, re.M)[::-1])
    lines = {line.split(" ")[1]: line for line in out.splitlines()}
    assert all(lines[r].startswith("FAIL") for r in RULES if not r.startswith("bokeh")), out
    assert lines["bokeh:bk.changed==0"].startswith("PASS") and verdicts
    comparer = ci.Comparer(media.open_run(base), media.open_run(cand), tmp_path / "again")
    (tmp_path / "again").mkdir()
    comparer.compare_all()
    rows = {r.key: r for r in comparer.rows}
    # a normal distribution moved by 0.5: earth mover's distance 0.5 (to the bin width), TV ~0.2
    assert rows["hist"].metrics["emd"] == pytest.approx(0.5, abs=0.03)
    assert 0.1 < rows["hist"].metrics["tv"] < 0.3
    # one of 16 frames inverted: the worst sampled frame is that one, heat map written
    assert rows["clip"].metrics["ssim"] < 0.5
    assert "frame" in rows["clip"].details[0] and rows["clip"].diff_view
    # the 48x32 frames are shown 4x larger (at least 160 px wide), each frame pixel a sharp 4x4 block
    shown = imgdiff.load_rgb(tmp_path / "again" / rows["clip"].base_view)
    assert shown.shape == (128, 192, 3)
    assert np.array_equal(shown, np.repeat(np.repeat(shown[::4, ::4], 4, axis=0), 4, axis=1))
    assert imgdiff.load_rgb(tmp_path / "again" / rows["clip"].diff_view).shape == (128, 192, 3)
    assert "(48x32, drawn 4x larger)" in rows["clip"].details[0]
    # 1% jitter on a unit cube: nearest-point distance ~1% of the diagonal scale
    assert 0.002 < rows["cloud"].metrics["dist"] < 0.02
    assert rows["fig"].metrics["changed"] == 1.0 and rows["fig"].details == ["1 of 2 traces differ"]
    # y[2] moved from 2 to 9 on a range of 2: 3.5 ranges
    assert rows["fig"].metrics["dev"] == pytest.approx(3.5) and rows["fig"].score == 1.0
    assert rows["fig"].text == "largest data change 3.5 of the baseline range (trace 1 y[2])"
    assert rows["page"].metrics["changed"] == 1.0
    # the stored pages differ by ", changed" only: nearly alike, so the row ranks low
    sim = rows["page"].metrics["sim"]
    assert 0.9 < sim < 1 and rows["page"].score == pytest.approx(max(0.01, 1 - sim))  # never 0: it changed
    assert rows["page"].text == f"content differs ({sim:.1%} similar)"
    assert rows["page"].score < rows["hist"].score
    assert rows["bk"].metrics["changed"] == 0.0 and rows["bk"].metrics["dev"] == 0.0


def _svg_numbers(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[MLZ]?([-\d.]+),([-\d.]+)", path)]


def test_histograms_of_a_pair_share_one_axis(root, tmp_path, capsys):
    """The candidate's samples are the baseline's + 0.5: the gallery draws both on one SVG axis with
    tick labels, and the candidate's outline sits 0.5 units (read off the tick labels) to the right;
    the baseline and candidate pictures share one x range and one count scale."""
    base, cand = make_run("base"), make_run("cand", shift=0.5)
    out_dir = tmp_path / "out"
    run_ci(capsys, base, cand, out_dir)
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    tr = page.split('<tr data-kind="histogram"', 1)[1].split("</tr>", 1)[0]
    assert tr.count("<svg") == 1
    paths = dict(re.findall(r'data-series="(\w+)" d="([^"]+)"', tr))
    assert set(paths) == {"baseline", "candidate"}
    xticks = re.findall(r'<text x="([-\d.]+)"[^>]*>([^<]*)</text>', tr.split('class="x-ticks"', 1)[1].split("</g>", 1)[0])
    yticks = re.findall(r"<text[^>]*>([^<]*)</text>", tr.split('class="y-ticks"', 1)[1].split("</g>", 1)[0])
    assert [t for _, t in xticks] == ["-2", "0", "2", "4"]
    assert yticks[0] == "0" and len(yticks) >= 3
    px_per_unit = (float(xticks[1][0]) - float(xticks[0][0])) / 2.0
    pb, pc = _svg_numbers(paths["baseline"]), _svg_numbers(paths["candidate"])
    assert len(pb) == len(pc)  # 40 bins each
    shift = [c[0] - b[0] for b, c in zip(pb, pc)]
    assert np.allclose(shift, 0.5 * px_per_unit, atol=0.15)
    assert ">baseline</text>" in tr and ">candidate</text>" in tr  # the legend
    imgs = re.findall(r'<img src="(spec/[^"]+)"', tr)
    assert len(imgs) == 2
    cols = []
    for rel in imgs:
        pic = imgdiff.load_rgb(out_dir / rel)
        painted = (pic != 255).any(axis=2)
        cols.append((np.flatnonzero(painted.any(axis=0)), painted.sum(axis=0).max()))
    (cb, tallb), (cc, tallc) = cols
    assert abs(int(tallb) - int(tallc)) <= 16  # one count scale: the two peaks are about as tall
    assert 5 <= cc[0] - cb[0] <= 25 and 5 <= cc[-1] - cb[-1] <= 25  # 0.5 of ~8.2 units on 256 px: ~16 px


def test_histogram_distance_by_hand():
    # same distribution on different bins: identical
    tv, emd = imgdiff.histogram_distance([0, 1, 2], [5, 5], [0, 0.5, 1, 1.5, 2], [1, 1, 1, 1])
    assert tv == pytest.approx(0) and emd == pytest.approx(0)
    # disjoint: TV 1, EMD = the distance the mass moves (centres 0.5 -> 3.5)
    tv, emd = imgdiff.histogram_distance([0, 1], [10], [3, 4], [2])
    assert tv == pytest.approx(1) and emd == pytest.approx(3)
    # half the mass moved by one bin: TV 0.5, EMD 0.5 x 1
    tv, emd = imgdiff.histogram_distance([0, 1, 2, 3], [2, 2, 0], [0, 1, 2, 3], [2, 0, 2])
    assert tv == pytest.approx(0.5) and emd == pytest.approx(0.5)
    assert imgdiff.histogram_distance([0, 1], [0], [0, 1], [0]) == (0.0, 0.0)
    with pytest.raises(ValueError, match=r"histogram a: expected bins of length len\(values\) \+ 1"):
        imgdiff.histogram_distance([0, 1], [1, 2], [0, 1], [1])


def test_points_distance_by_hand():
    a = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], float)  # diagonal sqrt(3)
    assert imgdiff.points_distance(a, a) == 0.0
    moved = a + [0.1, 0, 0]
    assert imgdiff.points_distance(a, moved) == pytest.approx(0.1 / np.sqrt(3))
    assert imgdiff.points_distance(a, np.zeros((0, 3))) == float("inf")


def test_video_of_other_length_is_reported(root, tmp_path, capsys):
    base = make_run("base")
    run = media.init(project="ci", id="short")
    media.log({"clip": media.Video(_frames()[:10], fps=8, format="gif")}, step=0)
    media.finish()
    code, out = run_ci(capsys, base, Path(run.dir), tmp_path / "out", "video:clip.ssim>=0.99")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "frames changed 16 → 10; compared the first 10" in page
    # the first ten frames are the same pictures: the rule on ssim passes, the row still ranks first
    assert code == 0 and out.startswith("PASS")


def test_plotly_dev_allows_small_numeric_noise(root, tmp_path, capsys):
    """A plotted number that moves by 0.5% of its trace's range fails `changed==0` but passes a
    `dev` rule with room for it; the row ranks by how far the data moved."""
    base, cand = make_run("base"), make_run("cand", plotly_y=(1, 3, 2.01))
    code, out = run_ci(capsys, base, cand, tmp_path / "out", "plotly:fig.dev<=0.01", "plotly:fig.changed==0")
    assert code == 1
    lines = {line.split(" ")[1]: line for line in out.splitlines() if line[:4] in ("PASS", "FAIL")}
    assert lines["plotly:fig.dev<=0.01"].startswith("PASS"), out
    assert lines["plotly:fig.changed==0"].startswith("FAIL"), out
    comparer = ci.Comparer(media.open_run(base), media.open_run(cand), tmp_path / "again")
    (tmp_path / "again").mkdir()
    comparer.compare_all()
    fig = next(r for r in comparer.rows if r.key == "fig")
    assert fig.metrics["dev"] == pytest.approx(0.005) and fig.score == pytest.approx(0.005)


def test_text_similarity_by_hand():
    # 2 x 13 matched characters of 13 + 22
    assert imgdiff.text_similarity("<p>report</p>", "<p>report, changed</p>") == pytest.approx(26 / 35)
    assert imgdiff.text_similarity("same", "same") == 1.0
    assert imgdiff.text_similarity("abc", "xyz") == 0.0
    # long pages go line by line: one changed line of four
    a = "\n".join(["x" * 60_000, "y" * 60_000, "z" * 60_000, "w" * 60_000])
    b = a.replace("z" * 60_000, "q" * 60_000)
    assert imgdiff.text_similarity(a, b) == pytest.approx(0.75)


def test_figure_deviation_by_hand():
    fd = imgdiff.figure_deviation
    same = {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [0.0, 5.0, float("nan")]}]}
    assert fd(same, same) == (0.0, "")
    moved = {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [0.0, 5.5, float("nan")]}]}
    assert fd(same, moved) == (pytest.approx(0.1), "trace 1 y[1]")  # 0.5 on a range of 5
    # plotly's typed arrays (plotly.py >= 6) decode to the same numbers, 2-D with their shape
    typed = {"data": [{"z": {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEA=", "shape": "2, 2"}}]}
    plain = {"data": [{"z": [[1, 2], [3, 4.5]]}]}
    assert fd(typed, plain) == (pytest.approx(0.5 / 3), "trace 1 z[1, 1]")
    # what cannot be paired is infinitely far
    assert fd(same, {"data": []}) == (math.inf, "1 → 0 traces")
    assert fd(same, {"data": [{"type": "bar", "x": [0, 1, 2], "y": [0, 5, 0]}]})[0] == math.inf
    assert fd({"data": [{"x": ["a", "b"], "y": [1, 2]}]}, {"data": [{"x": ["a", "c"], "y": [1, 2]}]}) == (
        math.inf, "trace 1 x: categories changed")
    assert fd(same, {"data": [{"type": "scatter", "x": [0, 1, 2], "y": [0.0, 5.0, 1.0]}]}) == (
        math.inf, "trace 1 y: a number became NaN (or stopped being one)")
    # hover text and names are not data: only `changed` sees them
    assert fd({"data": [{"y": [1], "text": ["a"], "name": "p"}]}, {"data": [{"y": [1], "text": ["b"], "name": "q"}]}) == (0.0, "")


def test_bokeh_dev_measures_the_moved_data(root, tmp_path, capsys):
    """A bokeh line whose y[1] moves from 4 to 4.03 (1% of the range 1..4) passes a `dev` rule
    with room for it and fails `changed==0`; bokeh's ndarray columns are decoded."""
    import bokeh.plotting

    def doc(ys):
        p = bokeh.plotting.figure(width=200, height=150)
        p.line(np.arange(3, dtype=float), np.array(ys, dtype=float))  # numpy: bokeh's ndarray encoding
        return media.Bokeh(p)

    dirs = []
    for name, ys in (("b0", [1, 4, 2]), ("b1", [1, 4.03, 2])):
        run = media.init(project="ci", id=name)
        media.log({"bk": doc(ys)}, step=0)
        media.finish()
        dirs.append(Path(run.dir))
    code, out = run_ci(capsys, dirs[0], dirs[1], tmp_path / "out", "bokeh:bk.dev<=0.02", "bokeh:bk.changed==0")
    assert code == 1
    assert "PASS bokeh:bk.dev<=0.02" in out and "FAIL bokeh:bk.changed==0" in out
    comparer = ci.Comparer(media.open_run(dirs[0]), media.open_run(dirs[1]), tmp_path / "again")
    (tmp_path / "again").mkdir()
    comparer.compare_all()
    row = next(r for r in comparer.rows if r.key == "bk")
    assert row.metrics["dev"] == pytest.approx(0.01) and row.text.endswith("(source 1 y[1])")


def _pixels_near(png: bytes, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    """(y, x) of the pixels of a screenshot within ``tol`` of ``rgb`` on every channel."""
    import io

    from PIL import Image

    arr = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.int16)
    return np.argwhere((np.abs(arr - np.array(rgb)) <= tol).all(axis=2))


@pytest.mark.browser
def test_gallery_draws_figures_charts_and_frames(root, tmp_path, capsys, site_page):
    """With the gallery's Content-Security-Policy in force: plotly figures are drawn by the shipped
    plotly.js and bokeh documents by BokehJS, each in a sandboxed frame (their trace colours read
    back from the frames' pixels; the candidate's moved point moves the line); the histograms are
    one SVG with both series; video frames are shown at least 150 px wide; nothing is fetched."""
    base = make_run("base")
    cand = make_run("cand", shift=0.5, invert_frame=5, plotly_y=(1, 3, 9))
    out_dir = tmp_path / "out"
    run_ci(capsys, base, cand, out_dir)
    sp = site_page(out_dir, height=2400, csp=True)  # tall: every row on screen, so every frame paints
    sp.open(wait="#rows tbody tr")
    page = sp.page
    # the page keeps the window's width; the wide table scrolls by itself
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    for kind in ("plotly", "bokeh"):
        page.wait_for_selector(f".doc-frame[data-kind={kind}][data-ready='1'] >> nth=1", timeout=30000)
        frames = page.locator(f".doc-frame[data-kind={kind}] iframe")
        assert frames.count() == 2
        assert all(f.get_attribute("sandbox") == "allow-scripts" for f in frames.all())
    page.wait_for_timeout(500)  # let BokehJS finish painting its canvas
    plotly_line = [_pixels_near(f.screenshot(), (99, 110, 250), 30) for f in page.locator(".doc-frame[data-kind=plotly] iframe").all()]
    assert all(len(p) > 80 for p in plotly_line)
    # y = (1, 3, 2) peaks in the middle; the candidate's (1, 3, 9) at its right end (the legend,
    # right of x = 240, left out)
    peak_x = [int(p[p[:, 1] < 240][np.argmin(p[p[:, 1] < 240][:, 0]), 1]) for p in plotly_line]
    assert peak_x[1] > peak_x[0] + 40
    for f in page.locator(".doc-frame[data-kind=bokeh] iframe").all():
        assert len(_pixels_near(f.screenshot(), (31, 119, 180), 40)) > 40  # bokeh's first line colour
    svg = page.locator("tr[data-kind=histogram] svg.chart")
    assert svg.count() == 1
    for name in ("baseline", "candidate"):
        box = svg.locator(f"path[data-series={name}]").bounding_box()
        assert box and box["width"] > 150 and box["height"] > 60
    assert svg.locator(".x-ticks text").all_text_contents() == ["-2", "0", "2", "4"]
    widths = page.evaluate("Array.from(document.querySelectorAll('tr[data-kind=video] img')).map(i => i.getBoundingClientRect().width)")
    assert len(widths) == 3 and min(widths) >= 150
    sp.screenshot()
