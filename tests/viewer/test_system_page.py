"""The run page's System section: system.jsonl as charts (CPU, memory, disk, network, per-GPU),
folded until opened, with relative time, wall time or the step as x."""

from __future__ import annotations

import json
import time

import pytest

import media
from media import runfolder as rf
from viewer.build import build_site

pytestmark = pytest.mark.browser


def test_system_section_draws_the_samples(tmp_path, site_page):
    root = tmp_path / "runs"
    run = media.init(project="p", id="sys", dir=str(root), settings={"system_interval": 0.05})
    for s in range(6):
        media.log({"loss": 1 / (s + 1)})
        time.sleep(0.05)
    media.finish()
    # one GPU's fields added to each sample, as NVML would give them (no GPU on this machine)
    path = root / "p" / run.id / rf.SYSTEM_JSONL
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for i, r in enumerate(rows):
        r.update({"gpu.0.util": 50 + i, "gpu.0.memory_mb": 1000.0, "gpu.0.power_w": 120.0, "gpu.0.temp_c": 60})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    build_site([root], tmp_path / "site")

    sp = site_page(tmp_path / "site", width=1400, height=900)
    sp.open_run("p.sys")
    page = sp.page
    box = page.locator("details.system-section")
    assert not box.evaluate("d => d.open")
    assert f"({len(rows)} samples)" in box.locator("summary").inner_text()
    box.locator("summary").click()
    page.wait_for_selector(f"details.system-section[data-drawn='{len(rows)}']")
    cpu = "document.querySelector(\".chart[data-key='system:CPU (%)']\")"
    assert page.evaluate(f"{cpu}.data.map(t => t.name)") == ["machine", "process (100 = one core)"]
    assert page.evaluate(f"{cpu}.data[0].x") == [r["_runtime"] for r in rows]
    gpu = "document.querySelector(\".chart[data-key='system:GPU utilisation (%)']\")"
    assert page.evaluate(f"{gpu}.data[0].y") == [50 + i for i in range(len(rows))]
    assert page.evaluate(f"{gpu}.data[0].name") == "GPU 0"
    assert "the sampler's own CPU" in page.inner_text("details.system-section .chart-note")
    # the step as x, kept in the URL with the open section
    page.select_option("#system-x", "_step")
    steps = json.dumps([r["_step"] for r in rows], separators=(",", ":"))
    page.wait_for_function(f"JSON.stringify({cpu}.data[0].x) === {json.dumps(steps)}")
    assert "sx=_step" in page.url and "fold=system" in page.url
    sp.screenshot()


def test_model_section_shows_the_module_tree(tmp_path, site_page):
    torch = pytest.importorskip("torch")
    root = tmp_path / "runs"
    media.init(project="p", id="m", dir=str(root), settings={"system_interval": 0})
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    model[0].bias.requires_grad_(False)
    media.watch(model, log_graph=True)
    media.log({"loss": 1.0})
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.m")
    page = sp.page
    box = page.locator("details.model-section")
    assert "Sequential: 58 parameters" in box.locator("summary").inner_text()
    box.locator("summary").click()
    rows = box.locator("tbody tr")
    assert rows.count() == 4
    assert rows.nth(1).locator("td").all_inner_texts() == ["0", "Linear", "40", "weight 8×4, bias 8 (frozen)"]
    assert "50 trainable" in box.inner_text()
    sp.screenshot()


def test_environment_section_shows_code_and_machine(tmp_path, site_page, monkeypatch):
    import subprocess

    repo = tmp_path / "code"
    repo.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "t@example.com"], ["config", "user.name", "t"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    (repo / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "a.py"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "c"], cwd=repo, check=True)
    (repo / "a.py").write_text("x = 2\n")
    monkeypatch.chdir(repo)
    root = tmp_path / "runs"
    media.init(project="p", id="env", dir=str(root),
               settings={"record_git": 1, "record_packages": 1, "system_interval": 0})
    media.log({"loss": 1.0})
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.env")
    page = sp.page
    box = page.locator("details.environment-section")
    assert "Python " in box.locator("summary").inner_text() and "git " in box.locator("summary").inner_text()
    box.locator("summary").click()
    text = box.inner_text()
    assert "uncommitted changes" in text and "main" in text
    diff = box.locator("a", has_text="diff.patch")
    assert diff.count() == 1 and (tmp_path / "site" / diff.get_attribute("href")).read_text().count("+x = 2") == 1
    assert box.locator("a", has_text="requirements.txt").count() == 1
    sp.screenshot()


def test_logs_section_searches_and_jumps_to_a_step(tmp_path, site_page):
    root = tmp_path / "runs"
    run = media.init(project="p", id="logs", dir=str(root), settings={"system_interval": 0})
    for s in range(5):
        media.log({"img": media.Image(__import__("numpy").full((4, 4), 40 * s, "uint8"))})
    media.finish()
    lines = [{"t": 1.0 + i, "step": i, "stream": "stderr" if i == 3 else "stdout",
              "line": f"epoch {i}: loss {1 / (i + 1):.2f}" if i != 3 else "warning: <b>nan</b> seen"}
             for i in range(5)]
    (root / "p" / run.id / rf.CONSOLE_JSONL).write_text("".join(json.dumps(x) + "\n" for x in lines))
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.logs", "step=0")
    page = sp.page
    sp.page.wait_for_selector("body[data-cursor='0']")
    box = page.locator("details.logs-section")
    assert "(5 lines)" in box.locator("summary").inner_text()
    box.locator("summary").click()
    page.wait_for_selector("details.logs-section[data-drawn='5']")
    assert box.locator(".log-stderr .log-text").inner_text() == "warning: <b>nan</b> seen"  # text, not HTML
    box.locator("input[type=search]").fill("epoch")
    page.wait_for_selector("details.logs-section[data-drawn='4']")
    assert "4 of 5 lines match" in box.inner_text()
    box.locator(".log-line[data-step='2'] .log-step").click()
    page.wait_for_selector("body[data-cursor='2']")
    assert "lq=epoch" in page.url
    sp.screenshot()
