"""The compare page's linked modes (viewer/static/compare/{audio,video,object3d}.js) in a real browser (Chromium via
Playwright, file://): audio A/B toggle (position and playing state kept across a switch, one
column audible, keys, URL state), videos played and seeked in sync (clips of different lengths,
GIF clips left alone), and 3-D views with a linked camera (no relayout loop). The "side" /
"Independent" modes link nothing. Outside requests and console errors fail every test."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

A, B, G = "proj.alpha", "proj.beta", "proj.gamma"
SR = 8000
AUDIO_SECONDS = {A: 3.0, B: 2.5}
VIDEO_SECONDS = {A: 4.0, B: 2.0}  # 16 and 8 frames at 4 fps
AUDIO = ".cmp-row[data-key=voice]"
VIDEO = ".cmp-row[data-key=clip]"
CLOUD = ".cmp-row[data-key=cloud]"


def tone(seconds, hz):
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def frames(seconds, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (int(seconds * 4), 3, 32, 32), dtype=np.uint8)


def cloud(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, (200, 3))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """alpha and beta: audio `voice` (3.0 s, 2.5 s), video `clip` (4 s, 2 s, MP4) and a point
    cloud `cloud`, all at step 0, and alpha's `voice` at step 1 (2.0 s); gamma: `clip` as a GIF."""
    base = tmp_path_factory.mktemp("compare_sync")
    root = base / "runs"
    for i, (run, hz) in enumerate(((A, 440), (B, 660))):
        name = run.split(".")[1]
        media.init(project="proj", dir=str(root), name=name, id=name)
        media.log({"voice": media.Audio(tone(AUDIO_SECONDS[run], hz), sample_rate=SR),
                   "clip": media.Video(frames(VIDEO_SECONDS[run], i), fps=4),
                   "cloud": media.Object3D(cloud(i))}, step=0)
        if run == A:
            media.log({"voice": media.Audio(tone(2.0, 330), sample_rate=SR)}, step=1)
        media.finish()
    media.init(project="proj", dir=str(root), name="gamma", id="gamma")
    media.log({"clip": media.Video(frames(1.0, 9), fps=4, format="gif")}, step=0)
    media.finish()
    out = base / "site"
    build_site([root], out)
    return out


def open_compare(sp, runs, ps=None, step=0):
    query = f"#/compare?runs={','.join(runs)}&step={step}"
    if ps:
        query += "&ps=" + json.dumps(ps)
    sp.open(query, wait="body[data-ready=compare]")
    sp.wait_cursor(step)


def ps_of(page):
    return json.loads(parse_qs(urlsplit(page.url).fragment.split("?", 1)[1])["ps"][0])


# ---------------------------------------------------------------------------------------------
# audio: A/B toggle
# ---------------------------------------------------------------------------------------------

AB_STATE = f"""() => {{
  const els = [...document.querySelectorAll('{AUDIO} audio.cmp-ab-audio')];
  return {{ t: els.map(a => a.currentTime), paused: els.map(a => a.paused), muted: els.map(a => a.muted),
            pressed: [...document.querySelectorAll('{AUDIO} .cmp-ab-pick')].map(b => b.getAttribute('aria-pressed')),
            selected: document.querySelector('{AUDIO} .cmp-ab').dataset.selected }};
}}"""


def ab_ready(page):
    page.wait_for_selector(f"{AUDIO}[data-mode=ab] .cmp-ab")
    page.wait_for_function(f"[...document.querySelectorAll('{AUDIO} audio.cmp-ab-audio')].every(a => a.readyState >= 1)")


def test_audio_ab_switch_keeps_position_and_playing_state(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    page.select_option(f"{AUDIO} select.cmp-mode", "ab")
    ab_ready(page)
    # the cells are hidden, the transport has one lettered button per column in its colour
    assert page.locator(f"{AUDIO} .cmp-cell .cmp-body:visible").count() == 0
    picks = page.locator(f"{AUDIO} .cmp-ab-pick")
    assert picks.all_inner_texts() == ["A  alpha", "B  beta"]
    assert page.eval_on_selector_all(f"{AUDIO} .cmp-ab-pick", "bs => bs.map(b => getComputedStyle(b).borderTopColor)") == \
        ["rgb(31, 119, 180)", "rgb(214, 39, 40)"]
    s = page.evaluate(AB_STATE)
    assert s["pressed"] == ["true", "false"] and s["muted"] == [False, True] and s["paused"] == [True, True]
    page.locator(f"{AUDIO} .cmp-ab-play").click()
    page.wait_for_function(f"document.querySelector('{AUDIO} audio.cmp-ab-audio').currentTime > 0.6")
    assert page.get_attribute(f"{AUDIO} .cmp-ab", "data-playing") == "1"
    before = page.evaluate(f"document.querySelector('{AUDIO} audio.cmp-ab-audio').currentTime")
    picks.nth(1).click()
    s = page.evaluate(AB_STATE)
    assert s["pressed"] == ["false", "true"] and s["selected"] == "1"
    assert s["muted"] == [True, False]  # exactly one audible
    assert s["paused"] == [True, False]  # and the playing state carried over
    assert abs(s["t"][1] - before) < 0.2
    assert abs(s["t"][1] - s["t"][0]) < 0.2
    page.wait_for_function(f"document.querySelectorAll('{AUDIO} audio.cmp-ab-audio')[1].currentTime > {before + 0.3}")
    # back to A: paused B hands its position back
    picks.nth(0).click()
    s = page.evaluate(AB_STATE)
    assert s["muted"] == [False, True] and s["paused"] == [False, True]
    assert abs(s["t"][0] - s["t"][1]) < 0.2 and s["t"][0] > before + 0.3
    sp.screenshot("ab-playing")
    page.locator(f"{AUDIO} .cmp-ab-play").click()
    page.wait_for_function(f"document.querySelector('{AUDIO} .cmp-ab').dataset.playing === '0'")
    s = page.evaluate(AB_STATE)
    assert s["paused"] == [True, True]
    # the side-by-side mode brings the plain players back and stops the A/B elements
    page.select_option(f"{AUDIO} select.cmp-mode", "side")
    page.wait_for_selector(f"{AUDIO}[data-mode=side]")
    assert page.locator(f"{AUDIO} .cmp-ab").count() == 0
    assert page.locator(f"{AUDIO} .cmp-cell audio:visible").count() == 2


def test_audio_ab_keys_and_state_survive_reload(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"voice": {"mode": "ab"}})
    page = sp.page
    ab_ready(page)
    page.focus(f"{AUDIO} .cmp-ab")
    page.keyboard.press("2")
    assert page.evaluate(AB_STATE)["pressed"] == ["false", "true"]
    assert ps_of(page)["voice"]["ab"] == B
    page.keyboard.press("x")
    assert page.evaluate(AB_STATE)["pressed"] == ["true", "false"]
    page.keyboard.press("x")
    assert page.evaluate(AB_STATE)["pressed"] == ["false", "true"]
    page.keyboard.press("9")  # no ninth column: nothing happens
    assert page.evaluate(AB_STATE)["selected"] == "1"
    # space on the transport plays the selected column only
    page.keyboard.press(" ")
    page.wait_for_function(f"document.querySelector('{AUDIO} .cmp-ab').dataset.playing === '1'")
    s = page.evaluate(AB_STATE)
    assert s["paused"] == [True, False] and s["muted"] == [True, False]
    page.keyboard.press(" ")
    page.wait_for_function(f"document.querySelector('{AUDIO} .cmp-ab').dataset.playing === '0'")
    # digits typed into the mode menu are not column picks
    page.focus(f"{AUDIO} select.cmp-mode")
    page.keyboard.press("1")
    assert page.evaluate(AB_STATE)["selected"] == "1"
    page.reload()
    page.wait_for_selector("body[data-ready=compare]")
    ab_ready(page)
    s = page.evaluate(AB_STATE)
    assert s["pressed"] == ["false", "true"] and s["muted"] == [True, False]


def test_audio_ab_shorter_column_is_held_at_its_end(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"voice": {"mode": "ab"}})
    page = sp.page
    ab_ready(page)
    pos = page.locator(f"{AUDIO} .cmp-ab-pos")
    assert float(pos.get_attribute("max")) == pytest.approx(AUDIO_SECONDS[A], abs=0.05)
    pos.evaluate("(r) => { r.value = '2.8'; r.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function(f"Math.abs(document.querySelector('{AUDIO} audio.cmp-ab-audio').currentTime - 2.8) < 0.05")
    assert "2.8" in page.inner_text(f"{AUDIO} .cmp-ab-time")
    page.locator(f"{AUDIO} .cmp-ab-pick").nth(1).click()
    s = page.evaluate(AB_STATE)
    assert s["t"][1] == pytest.approx(AUDIO_SECONDS[B], abs=0.05)
    assert "beta is only 0:02.5 long" in page.inner_text(f"{AUDIO} .cmp-ab-note")


LANES = f"""() => {{
  const c = document.querySelector('{AUDIO} canvas.cmp-ab-lanes'), g = c.getContext('2d');
  const at = (fx, lane) => [...g.getImageData(Math.round(c.width * fx), Math.round((lane + 0.5) * c.height / 2), 1, 1).data];
  return {{ a: at(0.4, 0), b: at(0.4, 1), aEnd: at(0.95, 0), bEnd: at(0.95, 1), head: at(0.5, 0) }};
}}"""


def test_audio_ab_lanes_show_every_column_and_click_to_listen(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"voice": {"mode": "ab"}})
    page = sp.page
    ab_ready(page)
    px = page.evaluate(LANES)
    assert px["a"] == [31, 119, 180, 255] and px["aEnd"] == [31, 119, 180, 255]  # the selected lane, solid
    assert 0 < px["b"][3] < 255 and px["b"][0] > px["b"][2]  # beta's lane, faint red
    assert px["bEnd"][3] == 0  # beta is 2.5 s on the 3.0 s axis: nothing at 95 %
    lanes = page.locator(f"{AUDIO} canvas.cmp-ab-lanes")
    box = lanes.bounding_box()
    lanes.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.75})
    s = page.evaluate(AB_STATE)
    assert s["selected"] == "1" and s["muted"] == [True, False]
    assert s["t"][1] == pytest.approx(AUDIO_SECONDS[A] / 2, abs=0.05)
    px = page.evaluate(LANES)
    assert px["b"] == [214, 39, 40, 255] and px["a"][3] < 255
    assert px["head"] == [0, 0, 0, 255]  # the playhead at the clicked time


def test_audio_ab_two_steps_of_one_run(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@0", A], {"voice": {"mode": "ab"}}, step=1)
    page = sp.page
    ab_ready(page)
    assert page.locator(f"{AUDIO} .cmp-ab-pick").all_inner_texts() == ["A  alpha @ step 0", "B  alpha"]
    assert page.eval_on_selector_all(f"{AUDIO} audio.cmp-ab-audio", "as => as.map(a => Math.round(a.duration * 10) / 10)") == [3.0, 2.0]
    page.focus(f"{AUDIO} .cmp-ab")
    page.keyboard.press("2")
    assert ps_of(page)["voice"]["ab"] == A
    page.keyboard.press("1")
    assert ps_of(page)["voice"]["ab"] == f"{A}@0"
    # a new step draws a new transport: the old elements are gone, the choice is kept
    page.keyboard.press("x")
    page.locator("#cursor").focus()
    page.keyboard.press("ArrowLeft")
    sp.wait_cursor(0)
    ab_ready(page)
    assert page.locator(f"{AUDIO} audio").count() == 2  # the old transport's elements are gone
    assert page.evaluate(AB_STATE)["pressed"] == ["false", "true"]
    assert page.eval_on_selector_all(f"{AUDIO} audio.cmp-ab-audio", "as => as.map(a => Math.round(a.duration * 10) / 10)") == [3.0, 3.0]


# ---------------------------------------------------------------------------------------------
# video: play in sync
# ---------------------------------------------------------------------------------------------

VIDS = f"[...document.querySelectorAll('{VIDEO} .cmp-cell video')]"


def videos_ready(page, n=2):
    page.wait_for_selector(f"{VIDEO}[data-mode=sync] .cmp-sync-bar")
    page.wait_for_function(f"{VIDS}.length === {n} && {VIDS}.every(v => v.readyState >= 1)")


def vstate(page):
    return page.evaluate(f"{VIDS}.map(v => [v.currentTime, v.paused, v.playbackRate])")


def test_video_seek_play_pause_rate_apply_to_every_cell(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    videos_ready(page)
    assert page.get_attribute(f"{VIDEO} .cmp-sync-bar", "data-videos") == "2"
    assert page.locator(f"{VIDEO} .cmp-sync-note").count() == 0
    # seek the second cell: the first follows
    page.evaluate(f"{VIDS}[1].currentTime = 1.25; {VIDS}[1].dispatchEvent(new Event('seeking'))")
    page.wait_for_function(f"Math.abs({VIDS}[0].currentTime - 1.25) < 0.05")
    assert vstate(page)[1][0] == pytest.approx(1.25, abs=0.05)
    # play one: both play; pause the other: both pause
    page.evaluate(f"{VIDS}[0].play()")
    page.wait_for_function(f"{VIDS}.every(v => !v.paused)")
    page.wait_for_function(f"{VIDS}[0].currentTime > 1.5")
    assert page.get_attribute(f"{VIDEO} .cmp-sync-bar", "data-playing") == "1"
    page.evaluate(f"{VIDS}[1].pause()")
    page.wait_for_function(f"{VIDS}.every(v => v.paused)")
    t = vstate(page)
    assert abs(t[0][0] - t[1][0]) < 0.25
    # a rate set on one (the native menu) reaches the other and the bar's menu
    page.evaluate(f"{VIDS}[0].playbackRate = 2")
    page.wait_for_function(f"{VIDS}[1].playbackRate === 2")
    assert page.eval_on_selector(f"{VIDEO} .cmp-sync-rate", "s => s.value") == "2"
    page.select_option(f"{VIDEO} .cmp-sync-rate", "0.5")
    assert [v[2] for v in vstate(page)] == [0.5, 0.5]
    # the bar: pause all / play all
    page.locator(f"{VIDEO} .cmp-sync-play").click()
    page.wait_for_function(f"{VIDS}.every(v => !v.paused)")
    page.locator(f"{VIDEO} .cmp-sync-pause").click()
    page.wait_for_function(f"{VIDS}.every(v => v.paused)")
    sp.screenshot("video-sync")


def test_video_clips_of_different_lengths_clamp(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    videos_ready(page)
    scrub = page.locator(f"{VIDEO} .cmp-sync-pos")
    page.wait_for_function(f"Number(document.querySelector('{VIDEO} .cmp-sync-pos').max) > 3.9")
    # past the end of the 2 s clip: it is held at its end, the 4 s clip is not pulled back
    page.evaluate(f"{VIDS}[0].currentTime = 3.0")
    page.wait_for_function(f"Math.abs({VIDS}[1].currentTime - {VIDEO_SECONDS[B]}) < 0.06")
    page.wait_for_timeout(300)
    t = vstate(page)
    assert t[0][0] == pytest.approx(3.0, abs=0.05)
    assert t[1][0] == pytest.approx(VIDEO_SECONDS[B], abs=0.06)
    assert "0:03.0 / 0:04.0" in page.inner_text(f"{VIDEO} .cmp-sync-time")
    # the short clip reaching its end while playing does not pause the long one
    page.evaluate(f"{VIDS}[0].currentTime = 1.6")
    page.wait_for_function(f"Math.abs({VIDS}[1].currentTime - 1.6) < 0.05")
    page.evaluate(f"{VIDS}[0].play()")
    page.wait_for_function(f"{VIDS}[1].ended && !{VIDS}[0].paused && {VIDS}[0].currentTime > 2.3")
    page.locator(f"{VIDEO} .cmp-sync-pause").click()
    page.wait_for_function(f"{VIDS}.every(v => v.paused)")
    # the scrubber seeks both
    scrub.evaluate("(r) => { r.value = '0.75'; r.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function(f"{VIDS}.every(v => Math.abs(v.currentTime - 0.75) < 0.05)")


def test_video_drift_is_corrected_while_playing(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    videos_ready(page)
    # make the second clip run fast behind the link's back (its ratechange never reaches it)
    page.evaluate(
        "document.addEventListener('ratechange', e => e.stopImmediatePropagation(), true);"
        f"{VIDS}[1].playbackRate = 1.5"
    )
    assert page.evaluate(f"{VIDS}.map(v => v.playbackRate)") == [1, 1.5]
    page.evaluate(f"{VIDS}[0].play()")
    page.wait_for_function(f"{VIDS}[0].currentTime > 1.6")
    t = page.evaluate(f"{VIDS}.map(v => [v.currentTime, v.ended])")
    # uncorrected, the second would be 0.8 s ahead (or at its end, 2 s)
    assert not t[1][1] and abs(t[1][0] - t[0][0]) < 0.5
    page.evaluate(f"{VIDS}[0].pause()")


def test_video_independent_mode_links_nothing(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"clip": {"mode": "sync"}})
    page = sp.page
    videos_ready(page)
    assert page.evaluate(f"{VIDS}.map(v => v.loop)") == [False, False]
    page.select_option(f"{VIDEO} select.cmp-mode", "side")
    page.wait_for_selector(f"{VIDEO}[data-mode=side]")
    assert page.locator(f"{VIDEO} .cmp-sync-bar").count() == 0
    page.wait_for_function(f"{VIDS}.length === 2 && {VIDS}.every(v => v.readyState >= 1)")
    assert page.evaluate(f"{VIDS}.map(v => v.loop)") == [True, True]
    page.evaluate(f"{VIDS}[0].currentTime = 1.5")
    page.evaluate(f"{VIDS}[0].play()")
    page.wait_for_function(f"{VIDS}[0].currentTime > 1.7")
    t = vstate(page)
    assert t[1][0] == 0 and t[1][1] is True
    assert ps_of(page)["clip"]["mode"] == "side"


def test_video_gif_clips_are_left_alone_and_named(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B, G])
    page = sp.page
    videos_ready(page)
    bar = page.locator(f"{VIDEO} .cmp-sync-bar")
    assert bar.get_attribute("data-videos") == "2" and bar.get_attribute("data-gifs") == "1"
    assert "GIF clips play on their own" in page.inner_text(f"{VIDEO} .cmp-sync-note")
    assert "gamma" in page.inner_text(f"{VIDEO} .cmp-sync-note")
    page.evaluate(f"{VIDS}[0].currentTime = 0.5")
    page.wait_for_function(f"Math.abs({VIDS}[1].currentTime - 0.5) < 0.05")
    # the rows with no entry in gamma fall back to side by side with the plugin's note
    assert page.get_attribute(AUDIO, "data-mode") == "side"


def test_video_one_playable_clip_falls_back(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, G])
    page = sp.page
    page.wait_for_selector(f"{VIDEO}[data-mode=side]")
    assert page.locator(f"{VIDEO} .cmp-sync-bar").count() == 0
    assert "needs a video (not a GIF) from at least two columns" in page.inner_text(f"{VIDEO} .cmp-note")


# ---------------------------------------------------------------------------------------------
# object3d: linked camera
# ---------------------------------------------------------------------------------------------

PLOTS = f"[...document.querySelectorAll('{CLOUD} .cmp-cell .mb-plot3d')]"
COUNT = """() => {
  window.__relayouts = 0;
  const real = Plotly.relayout;
  Plotly.relayout = function () { window.__relayouts++; return real.apply(this, arguments); };
}"""


def eyes(page):
    return page.evaluate(f"{PLOTS}.map(p => {{ const e = p._fullLayout.scene.camera.eye; return [e.x, e.y, e.z]; }})")


def test_object3d_linked_camera_both_ways_without_a_loop(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    page.wait_for_selector(f"{CLOUD}[data-mode=linked] .cmp-cam-bar[data-linked='2']", timeout=20000)
    page.evaluate(COUNT)
    page.evaluate(f"Plotly.relayout({PLOTS}[0], {{'scene.camera': {{eye: {{x: 2, y: 0.5, z: 0.3}}}}}})")
    page.wait_for_function(f"Math.abs({PLOTS}[1]._fullLayout.scene.camera.eye.x - 2) < 1e-6")
    page.wait_for_timeout(600)  # time for any echo to come back
    assert page.evaluate("window.__relayouts") == 2  # ours and the one to cell 1: no echo
    assert eyes(page) == [[2, 0.5, 0.3], [2, 0.5, 0.3]]
    # the other way round, with a partial camera (eye only) set by attribute path
    page.evaluate(f"Plotly.relayout({PLOTS}[1], {{'scene.camera.eye': {{x: -1, y: 1.5, z: 0.8}}}})")
    page.wait_for_function(f"Math.abs({PLOTS}[0]._fullLayout.scene.camera.eye.x + 1) < 1e-6")
    page.wait_for_timeout(600)
    assert page.evaluate("window.__relayouts") == 4
    assert eyes(page) == [[-1, 1.5, 0.8], [-1, 1.5, 0.8]]
    sp.screenshot("object3d-linked")
    page.locator(f"{CLOUD} .cmp-cam-reset").click()
    page.wait_for_function(f"{PLOTS}.every(p => Math.abs(p._fullLayout.scene.camera.eye.x - 1.25) < 1e-6)")
    page.wait_for_timeout(600)
    assert page.evaluate("window.__relayouts") == 6
    assert eyes(page) == [[1.25, 1.25, 1.25], [1.25, 1.25, 1.25]]


def test_object3d_linked_camera_is_kept_in_the_url(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"cloud": {"cam": {"eye": {"x": 0.5, "y": -2, "z": 0.4}}}})
    page = sp.page
    page.wait_for_selector(f"{CLOUD} .cmp-cam-bar[data-linked='2']", timeout=20000)
    page.wait_for_function(f"{PLOTS}.every(p => Math.abs(p._fullLayout.scene.camera.eye.y + 2) < 1e-6)")
    assert eyes(page) == [[0.5, -2, 0.4], [0.5, -2, 0.4]]
    page.evaluate(f"Plotly.relayout({PLOTS}[1], {{'scene.camera': {{eye: {{x: 1.23456789, y: 1, z: 1}}}}}})")
    page.wait_for_function(f"Math.abs({PLOTS}[0]._fullLayout.scene.camera.eye.x - 1.23456789) < 1e-6")
    assert ps_of(page)["cloud"]["cam"]["eye"] == {"x": 1.2346, "y": 1, "z": 1}
    page.reload()
    page.wait_for_selector(f"{CLOUD} .cmp-cam-bar[data-linked='2']", timeout=20000)
    page.wait_for_function(f"{PLOTS}.every(p => Math.abs(p._fullLayout.scene.camera.eye.x - 1.2346) < 1e-6)")
    page.locator(f"{CLOUD} .cmp-cam-reset").click()
    page.wait_for_function(f"{PLOTS}.every(p => Math.abs(p._fullLayout.scene.camera.eye.x - 1.25) < 1e-6)")
    assert ps_of(page)["cloud"]["cam"] is None


@pytest.mark.parametrize("cam", ["junk", {"eye": {"x": "a", "y": 1, "z": 1}}, {"eye": None}, 3])
def test_object3d_bad_camera_in_the_url_is_ignored(site, site_page, cam):
    sp = site_page(site)
    open_compare(sp, [A, B], {"cloud": {"cam": cam}})
    page = sp.page
    page.wait_for_selector(f"{CLOUD} .cmp-cam-bar[data-linked='2']", timeout=20000)
    page.wait_for_timeout(300)
    assert eyes(page) == [[1.25, 1.25, 1.25], [1.25, 1.25, 1.25]]


def test_object3d_independent_cameras_are_not_linked(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], {"cloud": {"mode": "side"}})
    page = sp.page
    page.wait_for_selector(f"{CLOUD}[data-mode=side]")
    page.wait_for_function(f"{PLOTS}.length === 2 && {PLOTS}.every(p => p._fullLayout && p._fullLayout.scene)", timeout=20000)
    assert page.locator(f"{CLOUD} .cmp-cam-bar").count() == 0
    page.evaluate(COUNT)
    page.evaluate(f"Plotly.relayout({PLOTS}[0], {{'scene.camera': {{eye: {{x: 2, y: 0.5, z: 0.3}}}}}})")
    page.wait_for_timeout(600)
    assert page.evaluate("window.__relayouts") == 1
    assert eyes(page)[1] != [2, 0.5, 0.3]
    # linking again (a fresh draw) links, and the cleanup of the first link left no listener
    page.select_option(f"{CLOUD} select.cmp-mode", "linked")
    page.wait_for_selector(f"{CLOUD} .cmp-cam-bar[data-linked='2']", timeout=20000)
    page.select_option(f"{CLOUD} select.cmp-mode", "side")
    page.wait_for_selector(f"{CLOUD}[data-mode=side]")
    assert page.locator(f"{CLOUD} .cmp-cam-bar").count() == 0
    page.wait_for_function(f"{PLOTS}.length === 2 && {PLOTS}.every(p => p._fullLayout && p._fullLayout.scene)", timeout=20000)
    page.evaluate(f"Plotly.relayout({PLOTS}[1], {{'scene.camera': {{eye: {{x: 0.3, y: 2, z: 0.3}}}}}})")
    page.wait_for_timeout(600)
    assert eyes(page)[0] != [0.3, 2, 0.3]


def test_object3d_mouse_drag_moves_every_view(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    page.wait_for_selector(f"{CLOUD} .cmp-cam-bar[data-linked='2']", timeout=20000)
    plot = page.locator(f"{CLOUD} .cmp-cell .mb-plot3d").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + 15 * i, y + 4 * i)
        page.wait_for_timeout(20)
    # while the button is still down the other view already follows (plotly_relayouting)
    page.wait_for_function(f"Math.abs({PLOTS}[1]._fullLayout.scene.camera.eye.x - 1.25) > 1e-3")
    page.mouse.up()
    page.wait_for_function(
        f"{PLOTS}.every(p => Math.abs(p._fullLayout.scene.camera.eye.x - {PLOTS}[0]._fullLayout.scene.camera.eye.x) < 1e-6)"
    )
    a, b = eyes(page)
    assert a == pytest.approx(b, abs=1e-6) and a != pytest.approx([1.25, 1.25, 1.25], abs=1e-3)


# ---------------------------------------------------------------------------------------------
# bokeh: linked zoom and pan (viewer/static/compare/bokeh.js)
# ---------------------------------------------------------------------------------------------

BOKEH = ".cmp-row[data-key=bk]"
# each document is drawn in a sandboxed frame: its page-side handle reports the ranges it draws
RANGES = f"""() => [...document.querySelectorAll('{BOKEH} .mb-bokeh-root')].map(r =>
  r._mbBokeh.ranges[0].map(x => +x.toFixed(4)))"""


@pytest.fixture(scope="module")
def bokeh_site(tmp_path_factory):
    """alpha and beta, step 0: a bokeh line plot `bk`, alpha over x 0..10, beta over x 0..4."""
    from bokeh.plotting import figure

    base = tmp_path_factory.mktemp("compare_bokeh")
    root = base / "runs"
    for name, n in (("alpha", 11), ("beta", 5)):
        media.init(project="proj", dir=str(root), name=name, id=name)
        p = figure(width=320, height=240, title=name)
        p.line(np.arange(n, dtype=float), np.arange(n, dtype=float) ** 0.5)
        media.log({"bk": media.Bokeh(p)}, step=0)
        media.finish()
    build_site([root], base / "site")
    return base / "site"


def test_bokeh_linked_zoom_and_pan(bokeh_site, site_page):
    """Both plots show the first column's view; a drag on the second pans both; the view is kept
    in the URL and survives a reload; Reset view gives both the first column's initial view."""
    sp = site_page(bokeh_site)
    open_compare(sp, [A, B])
    page = sp.page
    assert page.locator(BOKEH).get_attribute("data-mode") == "linked"
    page.wait_for_selector(f"{BOKEH} .cmp-bk-bar[data-linked='1']")
    page.wait_for_function(f"document.querySelector('{BOKEH} .cmp-bk-status').textContent === '2 of 2 documents linked'")
    first = page.evaluate(RANGES)
    assert first[0] == first[1] and first[0][0] < 0 and first[0][1] > 10  # alpha's x 0..10, padded
    # drag the second (beta's) plot: both pan the same way
    root = page.locator(f"{BOKEH} .cmp-cell").nth(1).locator(".mb-bokeh-root")
    root.scroll_into_view_if_needed()
    box = root.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy + 20, steps=6)
    page.mouse.up()
    page.wait_for_function(f"(() => {{ const r = ({RANGES})(); return r[0][0] !== {first[0][0]} && r[0].join() === r[1].join(); }})()")
    moved = page.evaluate(RANGES)
    assert moved[0][0] < first[0][0]  # dragged right: the view moves to smaller x
    saved = ps_of(page)["bk"]
    assert saved["xr"] == pytest.approx(moved[0][:2], abs=1e-3) and saved["yr"] == pytest.approx(moved[0][2:], abs=1e-3)
    page.reload()
    page.wait_for_selector(f"{BOKEH} .cmp-bk-bar[data-linked='1']")
    page.wait_for_function(f"document.querySelector('{BOKEH} .cmp-bk-status').textContent === '2 of 2 documents linked'")
    assert page.evaluate(RANGES) == [pytest.approx(moved[0], abs=1e-3)] * 2
    page.click(f"{BOKEH} .cmp-bk-reset")
    page.wait_for_function(f"(() => {{ const r = ({RANGES})(); return r[0].join() === r[1].join() && r[0][1] > 10; }})()")
    assert page.evaluate(RANGES)[0] == pytest.approx(first[0], abs=1e-3)
    assert ps_of(page)["bk"].get("xr") is None


def test_bokeh_independent_views_are_not_linked(bokeh_site, site_page):
    sp = site_page(bokeh_site)
    open_compare(sp, [A, B], ps={"bk": {"mode": "side"}})
    page = sp.page
    assert page.locator(BOKEH).get_attribute("data-mode") == "side"
    page.wait_for_function(f"[...document.querySelectorAll('{BOKEH} .mb-bokeh-root')].every(r => r._mbBokeh && r._mbBokeh.ready)")
    page.wait_for_timeout(300)
    r = page.evaluate(RANGES)
    assert r[0][1] > 10 and r[1][1] < 6  # each plot its own data's range
    assert page.locator(f"{BOKEH} .cmp-bk-bar").count() == 0
