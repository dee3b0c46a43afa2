"""End to end: the course as a learner sees it, in JupyterLab in a real (headless) Chromium.

nbval proves the kernels print the right outputs; this proves the page shows them. Playwright
drives Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser download is not used)
against a JupyterLab started as the launcher (``tools.lab``) starts it: on a free 127.0.0.1
port, with a token, in a temporary copy of ``course/``, with the launcher's quiet settings and
its notebooks trusted in a fresh signature store (as on a new machine). For every lesson:

- **open** (before anything runs): every stored diagram is shown as a picture, every stepper
  as a flipbook that has started, and no popup or dialog is open; in ``02_the_graph`` and
  ``09_higher_order`` each flipbook is stepped with the keyboard and the mouse;
- **run**: Run All from the Run menu; no error outside cells tagged ``raises-exception``, no
  widget that failed to display, and the steppers are live widgets now (no flipbook left);
- **steppers** (02 and 09): each live stepper is moved with the keyboard and a mouse drag;
- **site** (02 and 09): ``tools.site.build_site`` writes the static pages (as ``make html``),
  which are opened from ``file://`` with every network request refused; each flipbook steps by
  keyboard and mouse and shows the frames the live widget showed.

Every frame seen is checked against a trace of the same example recorded here with
``minigrad.viz.trace_backward``: the highlighted node, the gradients written on the edges, and
the explanation. Screenshots of every checked state go to a folder that the test prints
(``MINIGRAD_SCREENSHOTS`` to choose it).

Without Chromium or Playwright the test skips; CI sets ``MINIGRAD_REQUIRE_BROWSER=1``, which
turns that skip into a failure. Select or deselect it with ``-m browser`` / ``-m 'not browser'``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import minigrad as mg
from tools import lab
from tools.notebooks import COURSE_DIR, lessons
from tools.site import build_site

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("MINIGRAD_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("MINIGRAD_REQUIRE_BROWSER") == "1"
# The flags this machine's closed network needs (no background requests), plus a sandbox-less
# launch that works as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Lessons with a backward stepper to drive; 09 belongs to a later issue and may not exist yet.
STEPPER_LESSONS = ("02_the_graph.ipynb", "09_higher_order.ipynb")
RUN_TIMEOUT_MS = int(os.environ.get("MINIGRAD_RUN_TIMEOUT", "120")) * 1000
SVG_NS = "{http://www.w3.org/2000/svg}"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (MINIGRAD_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


# --- JupyterLab ------------------------------------------------------------------------


# Besides the launcher's own settings (no news prompt, no update check): every cell in the
# DOM (no windowing), so that cell i on the page is cell i of the notebook.
LAB_OVERRIDES = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


@dataclass
class Lab:
    root: Path  # the temporary copy of course/
    port: int
    token: str

    def url(self, lesson: str) -> str:
        return lab.lesson_url(lab.HOST, self.port, self.token, lesson)

    def shutdown_kernels(self, lesson: str) -> None:
        """Delete the lesson's sessions through the REST API (this stops their kernels)."""
        api = f"http://{lab.HOST}:{self.port}/api/sessions"
        headers = {"Authorization": f"token {self.token}"}
        with urllib.request.urlopen(urllib.request.Request(api, headers=headers)) as r:
            sessions = json.load(r)
        for session in sessions:
            if session.get("path") == lesson:
                req = urllib.request.Request(
                    f"{api}/{session['id']}", headers=headers, method="DELETE"
                )
                urllib.request.urlopen(req).close()


@pytest.fixture(scope="module")
def screenshots(request) -> Path:
    chosen = os.environ.get("MINIGRAD_SCREENSHOTS")
    if chosen:
        folder = Path(chosen)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    else:  # a new folder per run: two runs at once must not mix their pictures
        folder = Path(tempfile.mkdtemp(prefix="minigrad-browser-screenshots-"))
    _say(request.config, f"browser test: screenshots go to {folder}")
    yield folder
    _say(request.config, f"browser test: {len(list(folder.glob('*.png')))} screenshots in {folder}")


def _say(config, message: str) -> None:
    """Print past pytest's output capture (the screenshot folder must be seen)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(message)
        return
    with capture.global_and_fixture_disabled():
        print(f"\n{message}")


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory) -> Iterator[Lab]:
    if not lessons():
        pytest.fail(f"no lessons in {COURSE_DIR}")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "course"
    # The learner copies too: the launcher trusts them as well.
    shutil.copytree(COURSE_DIR, root, ignore=shutil.ignore_patterns(".*"))
    env = dict(os.environ)
    # A private Jupyter home: the learner's own settings, workspaces and kernels play no part.
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        (tmp / var.lower()).mkdir()
        env[var] = str(tmp / var.lower())
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp / "workspaces")
    # The venv's own python3 kernel (its argv "python" becomes this interpreter) before any
    # kernel of the same name in the user's home.
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    # As the launcher does: trust the notebooks (in a signature store that does not exist yet,
    # as on a fresh machine) and give JupyterLab the quiet settings.
    trust_dir = tmp / "trust"
    assert lab.trust_notebooks(root, trust_dir), "no notebook was trusted"
    settings = lab.lab_settings(tmp / "app-settings", extra=LAB_OVERRIDES)
    port, token = lab.free_port(), os.urandom(16).hex()
    cmd = lab.lab_command(root, port=port, token=token, settings=settings, trust_dir=trust_dir)
    log = open(tmp / "jupyterlab.log", "w")  # noqa: SIM115 - closed in finally
    # Its own process group, so that it is stopped by group id whatever it started.
    proc = subprocess.Popen(
        cmd, cwd=lab.REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        lab.wait_until_ready(lab.HOST, port, token, proc)
        yield Lab(root, port, token)
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """Stop JupyterLab by process group: SIGTERM (it shuts its kernels down), then SIGKILL
    if it hangs (kernels then exit by themselves: ipykernel watches its parent process)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
    try:  # anything else left in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install playwright")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh profile every run
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


# --- opening and running a lesson ------------------------------------------------------


@dataclass
class RunLesson:
    page: object  # playwright Page, left open on the executed lesson
    saved: dict  # the notebook as JupyterLab saved it after running


class Lessons:
    """One JupyterLab page; opens each lesson from the file browser as a learner does, checks
    it before running, runs it once (Run → Run All Cells) and saves it. The lesson stays open
    until the next one is opened (steppers are moved in between); then its tab is closed and
    its kernel shut down."""

    def __init__(self, browser, jupyter: Lab, screenshots: Path) -> None:
        self.browser, self.jupyter, self.screenshots = browser, jupyter, screenshots
        self.page = None
        self.current: str | None = None
        self.done: dict[str, RunLesson] = {}
        self.seconds: dict[str, float] = {}

    def _app(self):
        if self.page is None:
            # The URL `make course` prints: JupyterLab opens 00_start_here.ipynb itself.
            self.page = self.browser.new_page()
            self.page.goto(self.jupyter.url(lab.START_LESSON))
            self.page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
        return self.page

    def open(self, name: str):
        """The page, with ``name`` open in the current tab (any other lesson closed)."""
        if self.current == name:
            return self.page
        if self.current is not None:
            self.close(self.current)
        start = time.monotonic()
        page = self._app()
        tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=name)
        if tab.count() == 0:
            page.locator(".jp-DirListing-item", has_text=name).dblclick()
        tab.click()
        page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel_idle(page, name)
        self.current = name
        self.seconds[name] = time.monotonic() - start
        return page

    def run(self, name: str) -> RunLesson:
        if name in self.done:
            return self.done[name]
        page = self.open(name)
        start = time.monotonic()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        _wait_run_all_done(page, self.jupyter.root / name)
        page.keyboard.press("Control+s")
        page.wait_for_function(  # the tab loses its "unsaved" dot
            "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
            timeout=20_000,
        )
        page.screenshot(path=str(self.screenshots / f"{Path(name).stem}.png"))
        saved = json.loads((self.jupyter.root / name).read_text())
        self.seconds[name] += time.monotonic() - start
        self.done[name] = RunLesson(page, saved)
        return self.done[name]

    def close(self, name: str) -> None:
        """Close the lesson's tab and shut its kernel down (the machine has 2 cores)."""
        if self.current == name:
            page = self.page
            tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=name)
            tab.locator(".lm-TabBar-tabCloseIcon").click()
            discard = page.get_by_role("button", name="Discard")
            if discard.count():  # a kernel or a widget may have marked the notebook changed
                discard.click()
            tab.wait_for(state="detached")
            self.current = None
        self.done.pop(name, None)
        self.jupyter.shutdown_kernels(name)


@pytest.fixture(scope="module")
def run_lesson(request, browser, jupyter, screenshots) -> Iterator[Lessons]:
    lessons_ = Lessons(browser, jupyter, screenshots)
    yield lessons_
    if lessons_.current is not None:
        lessons_.close(lessons_.current)
    times = ", ".join(f"{n[:2]}: {t:.0f} s" for n, t in sorted(lessons_.seconds.items()))
    _say(request.config, f"browser test: open + check + Run All + save per lesson: {times}")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The static pages of the stepper lessons, built as ``make html`` builds them."""
    out = tmp_path_factory.mktemp("site")
    names = [n for n in STEPPER_LESSONS if (COURSE_DIR / n).exists()]
    build_site(out, COURSE_DIR, names)
    return out


def _wait_kernel_idle(page, name: str) -> None:
    """The status bar reads "Python 3 (ipykernel) | Idle" for this notebook: its kernel is up.

    (Running cells before the session exists would open the "Select Kernel" dialog.)
    """
    page.wait_for_function(
        """(name) => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(
            e => (e.getAttribute('title') || '').endsWith(name) && /[|] Idle$/.test(e.innerText))""",
        arg=name,
        timeout=60_000,
    )


def _code_cells(notebook: Path) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip())


def _wait_run_all_done(page, notebook: Path) -> None:
    """Wait until every non-empty code cell has an execution count, or the run stopped.

    Run All stops at the first error in a cell without the ``raises-exception`` tag (the
    checks below then name it): "stopped" is nothing queued (no ``[*]``), the kernel idle
    and no prompt changing for 5 s.
    """
    wanted = _code_cells(notebook)
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    last, quiet_since = None, time.monotonic()
    while time.monotonic() < deadline:
        texts, idle = page.evaluate(
            """() => [
                [...document.querySelectorAll(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.innerText.trim()),
                [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(
                    e => /[|] Idle$/.test(e.innerText)),
            ]"""
        )
        busy = not idle or any("*" in t for t in texts)
        numbered = sum(1 for t in texts if re.search(r"\[\d+\]", t))
        if not busy and numbered >= wanted:
            return
        if texts != last or busy:
            last, quiet_since = texts, time.monotonic()
        elif numbered and time.monotonic() - quiet_since > 5:
            return  # stopped early: the error checks say why
        page.wait_for_timeout(250)
    page.screenshot(path=str(notebook.with_suffix(".timeout.png")))
    pytest.fail(
        f"{notebook.name}: Run All did not finish in {RUN_TIMEOUT_MS // 1000} s; "
        f"{wanted} code cells, prompts {last}; screenshot {notebook.with_suffix('.timeout.png')}"
    )


def _errors_outside_tagged_cells(saved: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(saved["cells"]):
        if cell["cell_type"] != "code":
            continue
        tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and not tagged:
                problems.append(f"cell {i}: {out['ename']}: {out['evalue']}")
    return problems


def _unrun_cells(saved: dict) -> list[int]:
    return [
        i
        for i, c in enumerate(saved["cells"])
        if c["cell_type"] == "code" and "".join(c["source"]).strip() and not c["execution_count"]
    ]


LESSONS = [p.name for p in lessons()]
# Each lesson is opened and checked before it runs, then run; in the lessons with a backward
# stepper the flipbooks are stepped before running and the live steppers after, before the
# next lesson opens (one kernel at a time). Last, the flipbooks of the static site.
CASES = [
    pytest.param(name, part, id=f"{Path(name).stem}-{part}")
    for name in sorted(set(LESSONS) | set(STEPPER_LESSONS))
    for part in (("open", "run") if name in LESSONS else ())
    + (("steppers",) if name in STEPPER_LESSONS else ())
] + [pytest.param(name, "site", id=f"{Path(name).stem}-site") for name in STEPPER_LESSONS]
# The diagrams each stepper showed, to compare the flipbooks with the live widget:
# {(where, lesson): {stepper number: {step: svg}}}, where is "lab-flipbook", "widget", "site".
SEEN: dict[tuple[str, str], dict[int, dict[int, str]]] = {}


@pytest.mark.parametrize(("name", "part"), CASES)
def test_course_in_jupyterlab(request, browser, screenshots, name, part):
    if part in ("steppers", "site") and not (COURSE_DIR / name).exists():
        pytest.skip(f"{name} does not exist yet (a later lesson): its steppers are not checked")
    if part == "site":
        _check_site(name, request.getfixturevalue("site"), browser, screenshots)
        return
    lessons_: Lessons = request.getfixturevalue("run_lesson")
    if part == "open":
        _check_opened(name, lessons_.open(name), lessons_.jupyter.root / name, screenshots)
    elif part == "run":
        _check_lesson_page(name, lessons_.run(name))
    else:
        _check_steppers(name, lessons_.run(name).page, screenshots)


def _stored_pictures(notebook: Path) -> tuple[int, int]:
    """(diagrams, flipbooks) among the notebook's stored outputs."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    data = [o.get("data", {}) for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    diagrams = sum(1 for d in data if "image/svg+xml" in d)
    books = sum(1 for d in data if 'class="mg-flipbook"' in "".join(d.get("text/html", "")))
    return diagrams, books


SHOWN_PICTURES = """(panel) => {
    const outs = [...document.querySelectorAll(panel + ' .jp-OutputArea-output')];
    const loaded = o => [...o.querySelectorAll('img')].some(i => i.complete && i.naturalWidth > 0);
    return [
        outs.filter(o => o.dataset.mimeType === 'image/svg+xml' && loaded(o)).length,
        outs.filter(o => o.querySelector('.mg-flipbook[data-ready] svg')).length,
    ];
}"""


def _check_opened(name: str, page, notebook: Path, screenshots: Path) -> None:
    """Before anything runs: every stored diagram is a picture, every stepper a flipbook."""
    diagrams, books = _stored_pictures(notebook)
    assert diagrams, f"{name}: no stored diagram"
    try:
        page.wait_for_function(
            f"([panel, want]) => JSON.stringify(({SHOWN_PICTURES})(panel)) === JSON.stringify(want)",
            arg=[PANEL, [diagrams, books]],
            timeout=20_000,
        )
    except Exception:  # noqa: BLE001 - report what is shown instead of a timeout
        shown = page.evaluate(SHOWN_PICTURES, PANEL)
        page.screenshot(path=str(screenshots / f"{Path(name).stem}-opened-FAILED.png"))
        pytest.fail(
            f"{name} before running: {shown[0]} of {diagrams} diagrams shown as pictures, "
            f"{shown[1]} of {books} flipbooks started (the rest show their text)"
        )
    page.screenshot(path=str(screenshots / f"{Path(name).stem}-opened.png"))
    # No popup: no notification (JupyterLab's news prompt is one) and no dialog.
    assert page.locator(".Toastify__toast").all_inner_texts() == []
    assert page.locator(".jp-Dialog").count() == 0
    if name in STEPPER_LESSONS:
        roots = page.locator(f"{PANEL} .jp-OutputArea-output .mg-flipbook")
        _check_flipbooks(name, page, roots, screenshots, "lab-flipbook")


def _check_lesson_page(name: str, result: RunLesson) -> None:
    page = result.page
    # What the learner sees: no widget that failed to render, anywhere on the page.
    body = page.locator(PANEL).inner_text()
    assert "Error displaying widget" not in body
    # Run, a stepper is the live widget: JupyterLab prefers the widget view to the flipbook.
    assert page.locator(f"{PANEL} .mg-flipbook").count() == 0, "a flipbook is left after running"
    # What the page ran: the notebook JupyterLab saved after Run All. The launcher's server
    # saved each stepper as its flipbook, without the widget view (no "Error displaying widget"
    # when the file is opened again without a kernel).
    outputs = [o for c in result.saved["cells"] for o in c.get("outputs", [])]
    steppers = [
        o for o in outputs if "Stepper(" in "".join(o.get("data", {}).get("text/plain", ""))
    ]
    for out in steppers:
        assert lab.WIDGET_VIEW not in out["data"], f"{name}: a stepper saved with its widget view"
        assert 'class="mg-flipbook"' in "".join(out["data"]["text/html"])
    errors = _errors_outside_tagged_cells(result.saved)
    assert not errors, f"{name}: errors in cells not tagged raises-exception:\n" + "\n".join(errors)
    assert not _unrun_cells(result.saved), f"{name}: cells not run: {_unrun_cells(result.saved)}"
    # And every error the page shows is in a tagged cell (the DOM agrees with the file).
    shown = page.evaluate(
        """(panel) => [...document.querySelectorAll(panel + ' .jp-Notebook > .jp-Cell')]
            .map((c, i) => [i, c.innerText.includes('Traceback (most recent call last)')])""",
        PANEL,
    )
    tagged = {
        i
        for i, c in enumerate(result.saved["cells"])
        if "raises-exception" in c.get("metadata", {}).get("tags", [])
    }
    assert [i for i, tb in shown if tb and i not in tagged] == []


def _check_site(name: str, site: Path, browser, screenshots: Path) -> None:
    """The static page from file://, no server, every network request refused."""
    page_file = site / f"{Path(name).stem}.html"
    assert page_file.exists(), f"make html wrote no {page_file.name}"
    page = browser.new_page()
    refused: list[str] = []

    def offline(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    try:
        page.goto(page_file.as_uri())
        want = page_file.read_text(encoding="utf-8").count('<div class="mg-flipbook"')
        assert want, f"{page_file.name} has no flipbook"
        page.wait_for_function(
            "(n) => document.querySelectorAll('.mg-flipbook[data-ready]').length === n", arg=want
        )
        page.screenshot(path=str(screenshots / f"{Path(name).stem}-site.png"), full_page=True)
        _check_flipbooks(name, page, page.locator(".mg-flipbook"), screenshots, "site")
        assert refused == [], f"the static page asked the network for {refused}"
    finally:
        page.close()
    _same_frames(name, "site", "widget")
    # Where scripts do not run (GitHub strips them), the static part shows instead: a filmstrip
    # of every frame, or the first frame and the list of every step's explanation.
    page = browser.new_page()
    try:
        cdp = browser.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(page_file.as_uri())
        static = page.locator(".mg-flipbook-static")
        assert static.count() == want
        for i in range(want):
            part = static.nth(i)
            assert part.is_visible() and part.locator("svg").count() >= 1
            frames, listed = part.locator("svg").count(), part.locator("li").count()
            assert frames > 1 or listed > 1, f"flipbook {i} without scripts: one frame, no list"
        static.first.screenshot(path=str(screenshots / f"{Path(name).stem}-site-noscript.png"))
    finally:
        page.close()


def _same_frames(name: str, here: str, other: str) -> None:
    """Every frame seen both ``here`` and ``other`` (in this run) is the same diagram."""
    mine, theirs = SEEN.get((here, name), {}), SEEN.get((other, name), {})
    pairs = [
        (n, k, svg, theirs[n][k])
        for n, frames in mine.items()
        for k, svg in frames.items()
        if k in theirs.get(n, {})
    ]
    if theirs:
        assert pairs, f"{name}: no step seen both in the {here} and the {other}"
    for n, k, a, b in pairs:
        assert a == b, f"{name} stepper {n} step {k}: the {here} and the {other} differ"


# --- the stepper -----------------------------------------------------------------------


@dataclass
class Shown:
    """One stepper as the page shows it."""

    value: int
    maximum: int
    svg: str  # the diagram's SVG source, inline or decoded from a data: URL
    text: str  # the explanation (all the stepper's text outside the diagram)


READ_STEPPER = """(root) => {
    const handle = root.querySelector('.noUi-handle');
    const svgs = [];
    for (const el of root.querySelectorAll('.widget-html-content svg, img')) {
        if (el.tagName.toLowerCase() === 'svg') {
            if (!el.parentElement.closest('svg')) svgs.push(['inline', el.outerHTML]);
        } else if ((el.getAttribute('src') || '').startsWith('data:image/svg+xml')) {
            svgs.push(['img', el.getAttribute('src')]);
        }
    }
    const texts = [];
    for (const el of root.querySelectorAll('.widget-html-content, .widget-label-basic')) {
        const clone = el.cloneNode(true);
        clone.querySelectorAll('svg, img').forEach(n => n.remove());
        const t = clone.innerText.trim();
        if (t) texts.push(t);
    }
    return {
        value: Number(handle.getAttribute('aria-valuenow')),
        max: Number(handle.getAttribute('aria-valuemax')),
        svgs, texts,
    };
}"""


def _decode(kind: str, payload: str) -> str:
    if kind == "inline":
        return payload
    head, _, data = payload.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(data).decode("utf-8")
    return urllib.parse.unquote(data)


def _read(root) -> Shown:
    raw = root.evaluate(READ_STEPPER)
    assert len(raw["svgs"]) == 1, f"expected one diagram in the stepper, found {len(raw['svgs'])}"
    return Shown(
        value=int(raw["value"]),
        maximum=int(raw["max"]),
        svg=_decode(*raw["svgs"][0]),
        text="\n".join(raw["texts"]),
    )


def _steppers(page) -> list:
    """The outermost widget box of each output that holds a slider and an SVG diagram."""
    roots = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output > .widget-vbox"
    )
    out = []
    for i in range(roots.count()):
        root = roots.nth(i)
        if root.locator(".noUi-handle").count() == 1 and root.evaluate(
            "r => !!r.querySelector('svg, img[src^=\"data:image/svg+xml\"]')"
        ):
            out.append(root)
    return out


# The diagram as a graph: nodes (title, texts, fill, stroke width) and labelled edges.


@dataclass
class SvgNode:
    id: str
    texts: tuple[str, ...]
    fill: str
    bold: bool


def parse_diagram(svg: str) -> tuple[dict[str, SvgNode], list[tuple[str, str, str]]]:
    """Graphviz SVG -> ({node id: SvgNode}, [(tail id, head id, label text)])."""
    root = ET.fromstring(svg)
    nodes: dict[str, SvgNode] = {}
    edges: list[tuple[str, str, str]] = []
    for g in root.iter(f"{SVG_NS}g"):
        cls = g.get("class", "")
        title = g.findtext(f"{SVG_NS}title", default="")
        texts = tuple(t.text or "" for t in g.iter(f"{SVG_NS}text"))
        if cls == "node":
            shape = next(
                (
                    e
                    for e in g
                    if e.tag in (f"{SVG_NS}polygon", f"{SVG_NS}ellipse", f"{SVG_NS}path")
                ),
                None,
            )
            fill = shape.get("fill", "") if shape is not None else ""
            width = float(shape.get("stroke-width", "1")) if shape is not None else 1.0
            nodes[title] = SvgNode(title, texts, fill, width > 1.0)
        elif cls == "edge":
            tail, _, head = title.partition("->")
            edges.append((tail, head, " ".join(texts)))
    return nodes, edges


# Expected: the same example traced here, in the test process, with the real engine.


@dataclass
class Example:
    name: str
    run: object  # minigrad.viz.trace.Run
    leaves: tuple[str, ...]


def _curriculum_examples() -> list[Example]:
    """Syllabus 2.5 and 2.6: w = z·z with z = x·x·y·y (x=2, y=3), and e = (a·b)·d (2, 3, 4)."""
    from minigrad.viz import trace_backward

    out = []
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    with trace_backward(params={"x": x, "y": y}) as trace:
        w.backward()
    out.append(Example("w = z*z, z = x*x*y*y", trace.run, ("x", "y")))
    a = mg.tensor(2.0, requires_grad=True)
    b = mg.tensor(3.0, requires_grad=True)
    d = mg.tensor(4.0, requires_grad=True)
    e = (a * b) * d
    with trace_backward(params={"a": a, "b": b, "d": d}) as trace:
        e.backward()
    out.append(Example("e = (a*b)*d", trace.run, ("a", "b", "d")))
    return out


def _higher_order_examples() -> list[Example]:
    """Syllabus 9.2 as lesson 09 steps it: the second backward, d(dQ/dx)/d(x, y), Q = (x·x·y)²."""
    from minigrad.viz import trace_backward

    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    q = (x * x * y) ** 2
    dqdx, _ = mg.autograd.grad(q, (x, y), create_graph=True)
    with trace_backward(params={"x": x, "y": y}) as trace:
        mg.autograd.grad(dqdx, (x, y), retain_graph=True)
    return [Example("d(dQ/dx)/d(x, y), Q = (x*x*y)**2", trace.run, ("x", "y"))]


EXAMPLES: dict[str, Callable[[], list[Example]]] = {
    "02_the_graph.ipynb": _curriculum_examples,
    "09_higher_order.ipynb": _higher_order_examples,
}


def _is_number(text: str) -> bool:
    return text.strip().isdigit()


def diagram_labels(nodes: dict[str, SvgNode], edges, titles: set[str]) -> dict[str, str]:
    """Label each function node of the diagram as ``Run.label`` does: ``MulBackward0 #2``,
    ``AccumulateGrad (x)`` (the leaf's name is the first line of the box drawn into it)."""
    labels = {}
    for nid, node in nodes.items():
        if not node.texts or node.texts[0] not in titles:
            continue
        number = next((m.group(1) for t in node.texts[1:] if (m := re.match(r"(#\d+)", t))), "")
        labels[nid] = f"{node.texts[0]} {number}".strip()
    for tail, head, _ in edges:  # the course's convention: AccumulateGrad -> its leaf
        if tail in labels and labels[tail] == "AccumulateGrad" and head not in labels:
            labels[tail] = f"AccumulateGrad ({nodes[head].texts[0]})"
    return labels


def expected_edges(run, k: int) -> list[tuple[str, str, str]]:
    """(child, node, gradient) for every edge a gradient travelled in steps 1..k."""
    from minigrad.viz.trace import format_grad

    out = []
    for s in run.steps[:k]:
        if not s.ran:
            continue
        for i, ((child, _), value) in enumerate(zip(s.node.next_functions, s.sent)):
            if child is not None and s.delivered[i]:
                out.append((run.label(child), run.label(s.node), format_grad(value)))
    return sorted(out)


def shown_edges(labels, edges) -> list[tuple[str, str, str]]:
    out = []
    for tail, head, text in edges:
        grads = [t for t in text.split(" ") if t and not _is_number(t)]
        if grads and tail in labels and head in labels:  # node -> child: (child, node)
            out.append((labels[head], labels[tail], " ".join(grads)))
    return sorted(out)


def _flat(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def check_frame(shown: Shown, example: Example, k: int) -> None:
    """The diagram and text the page shows at step k are those of the traced example."""
    from minigrad.viz.frames import explain
    from minigrad.viz.overlay import STATE_STYLE
    from minigrad.viz.trace import format_grad, node_title

    run = example.run
    assert shown.value == k
    nodes, edges = parse_diagram(shown.svg)
    titles = {node_title(n) for n in run.nodes}
    labels = diagram_labels(nodes, edges, titles)
    assert sorted(labels.values()) == sorted(run.label(n) for n in run.nodes)

    gold = STATE_STYLE["current"]["fillcolor"]
    current = [labels[i] for i, n in nodes.items() if n.fill == gold and i in labels]
    done = sorted(labels[i] for i, n in nodes.items() if n.fill == "palegreen" and i in labels)
    if k == 0:
        assert current == []
        assert done == []
    else:
        step = run.steps[k - 1]
        assert current == [run.label(step.node)], f"step {k}: highlighted {current}"
        assert nodes[next(i for i in labels if labels[i] == current[0])].bold
        assert done == sorted(run.label(s.node) for s in run.steps[: k - 1])
    assert shown_edges(labels, edges) == expected_edges(run, k), f"step {k}: edge gradients"

    if run.kind == "backward":  # each leaf's box shows its .grad after step k
        for nid, label in labels.items():
            if not label.startswith("AccumulateGrad ("):
                continue
            acc = next(n for n in run.nodes if run.label(n) == label)
            box = next(nodes[h] for t, h, _ in edges if t == nid and h not in labels)
            want = format_grad(run.grad_at(acc, k))
            assert any(want in line for line in box.texts), f"step {k}: {label} {box.texts}"
    assert _flat(explain(run, k)) in _flat(shown.text), f"step {k}: explanation"


def _match(first: Shown, examples: list[Example]) -> Example | None:
    """The example a stepper shows: same number of steps and the same labelled nodes."""
    from minigrad.viz.trace import node_title

    nodes, edges = parse_diagram(first.svg)
    for ex in examples:
        if first.maximum != len(ex.run.steps):
            continue
        labels = diagram_labels(nodes, edges, {node_title(n) for n in ex.run.nodes})
        if sorted(labels.values()) == sorted(ex.run.label(n) for n in ex.run.nodes):
            return ex
    return None


def _move_and_read(page, root, before: Shown, action: Callable[[], None]) -> Shown:
    """Do ``action``, then wait until the stepper shows a different step and diagram."""
    action()
    page.wait_for_function(
        """([root, value]) => {
            const h = root.querySelector('.noUi-handle');
            return Number(h.getAttribute('aria-valuenow')) !== value;
        }""",
        arg=[root.element_handle(), before.value],
        timeout=15_000,
    )
    # The kernel answers each slider value with a new diagram (a drag sends the values in
    # between, too): wait until the page shows the frame of the value the slider stopped at —
    # the caption says "step k of n" where there is one — and it stays put.
    last, stable = None, 0
    for _ in range(120):
        now = _read(root)
        caption = re.search(r">step (\d+) of \d+", now.svg)
        settled = caption is None or int(caption.group(1)) == now.value
        changed = now.svg != before.svg and now.text != before.text
        stable = stable + 1 if (now == last and settled and changed) else 0
        if stable >= 3:
            return now
        last = now
        page.wait_for_timeout(250)
    return _read(root)


def _drag_to(page, root, value: int, maximum: int) -> None:
    """Press the slider's handle with the mouse and drag it to ``value``."""
    handle = root.locator(".noUi-handle")
    track = root.locator(".noUi-target").bounding_box()
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * value / maximum, y, steps=12)
    page.mouse.up()


def _check_steppers(name: str, page, screenshots: Path) -> None:
    roots = _steppers(page)
    assert roots, f"{name}: no stepper (slider + diagram) on the page after Run All"
    examples = EXAMPLES[name]()
    matched = 0
    for n, root in enumerate(roots):
        root.scroll_into_view_if_needed()
        shot = screenshots / f"{Path(name).stem}-stepper{n}"
        states = [_read(root)]
        example = _match(states[0], examples)
        root.screenshot(path=f"{shot}-0-start.png")

        def key(root=root):
            root.locator(".noUi-handle").focus()
            page.keyboard.press("ArrowRight")

        # Keyboard: two steps forward from the start.
        for i in (1, 2):
            if states[-1].value >= states[-1].maximum:
                break
            states.append(_move_and_read(page, root, states[-1], key))
            root.screenshot(path=f"{shot}-{i}-key-step{states[-1].value}.png")
        # Mouse: drag to the last step, then back to the middle.
        top = states[0].maximum
        for i, target in ((3, top), (4, top // 2)):
            if target == states[-1].value:
                continue
            states.append(
                _move_and_read(
                    page, root, states[-1], lambda t=target, r=root, m=top: _drag_to(page, r, t, m)
                )
            )
            assert states[-1].value == target, f"dragged to step {target}, at {states[-1].value}"
            root.screenshot(path=f"{shot}-{i}-drag-step{states[-1].value}.png")

        for s in states:
            SEEN.setdefault(("widget", name), {}).setdefault(n, {})[s.value] = s.svg
        assert [s.value for s in states[:3]] == list(range(len(states[:3]))), "ArrowRight: +1"
        assert any(s.value == top for s in states), "the last step was reached"
        for a, b in zip(states, states[1:]):
            assert a.svg != b.svg, f"stepper {n}: the diagram did not change {a.value}→{b.value}"
            assert a.text != b.text, f"stepper {n}: the explanation did not change"
        if example is None:
            continue  # not a curriculum example (e.g. the edge-as-node stepper): moved only
        matched += 1
        for s in states:
            check_frame(s, example, s.value)
    _same_frames(name, "widget", "lab-flipbook")
    assert matched, (
        f"{name}: no stepper shows a curriculum example "
        f"({', '.join(ex.name for ex in examples)}); steps seen: "
        f"{[_read(r).maximum for r in roots]}"
    )


# --- the flipbook ----------------------------------------------------------------------

READ_FLIPBOOK = """(root) => {
    const range = root.querySelector('input[type=range]');
    const view = range.parentElement.nextElementSibling;  // the frame, below the controls
    const svgs = [...view.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
    const clone = view.cloneNode(true);
    clone.querySelectorAll('svg').forEach(n => n.remove());
    return {
        value: Number(root.dataset.step), max: Number(range.max),
        svgs: svgs.map(s => s.outerHTML), text: clone.innerText.trim(),
    };
}"""


def _read_flipbook(root) -> Shown:
    raw = root.evaluate(READ_FLIPBOOK)
    assert len(raw["svgs"]) == 1, f"expected one diagram in the flipbook, found {len(raw['svgs'])}"
    return Shown(int(raw["value"]), int(raw["max"]), raw["svgs"][0], raw["text"])


def _thumb_x(box: dict, value: int, maximum: int) -> float:
    """Where a native range input draws its thumb for ``value`` (Chromium's 16 px thumb)."""
    return box["x"] + 8 + (box["width"] - 16) * value / maximum


def _step_flipbook(page, root, shot: str, label: str) -> list[Shown]:
    """Step one flipbook by keyboard, buttons, slider drag and play; the states seen."""
    first = _read_flipbook(root)
    top = first.maximum
    assert first.value == 0 and top > 0
    states = [first]

    def step(action: Callable[[], None], want: int, how: str) -> None:
        action()
        shown = _read_flipbook(root)
        assert shown.value == want, f"{label}: {how} gave step {shown.value}, not {want}"
        root.screenshot(path=f"{shot}-{len(states)}-{how}-step{want}.png")
        states.append(shown)

    def drag(target: int) -> None:
        box = root.locator("input[type=range]").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(_thumb_x(box, states[-1].value, top), y)
        page.mouse.down()
        page.mouse.move(_thumb_x(box, target, top), y, steps=8)
        page.mouse.up()

    buttons = root.locator("button")  # play, previous, next
    # Keyboard: the flipbook takes the focus (it is focusable) and steps with the arrows.
    root.focus()
    step(lambda: page.keyboard.press("ArrowRight"), 1, "key-right")
    if top > 1:
        step(lambda: page.keyboard.press("ArrowRight"), 2, "key-right")
    step(lambda: page.keyboard.press("End"), top, "key-end")
    step(lambda: page.keyboard.press("ArrowLeft"), top - 1, "key-left")
    # Mouse: the previous / next buttons, then a drag of the slider's thumb.
    step(lambda: buttons.nth(1).click(), max(top - 2, 0), "click-previous")
    step(lambda: buttons.nth(2).click(), max(top - 1, 1), "click-next")
    step(lambda: drag(0), 0, "drag")
    step(lambda: drag(top // 2), top // 2, "drag")
    # Play moves on by itself, one frame a second; pressing it again stops it.
    buttons.nth(0).click()
    page.wait_for_function(
        "([r, v]) => Number(r.dataset.step) > v", arg=[root.element_handle(), top // 2]
    )
    buttons.nth(0).click()
    for a, b in zip(states, states[1:]):
        if a.value != b.value:
            assert a.svg != b.svg, f"{label}: the same diagram at steps {a.value} and {b.value}"
            assert a.text != b.text, f"{label}: the same text at steps {a.value} and {b.value}"
    return states


def _check_flipbooks(name: str, page, roots, screenshots: Path, where: str) -> None:
    """Step every flipbook by keyboard and mouse; check each frame against the trace."""
    count = roots.count()
    assert count, f"{name} ({where}): no flipbook"
    examples = EXAMPLES[name]()
    matched = 0
    seen = SEEN.setdefault((where, name), {})
    for n in range(count):
        root = roots.nth(n)
        root.scroll_into_view_if_needed()
        shot = str(screenshots / f"{Path(name).stem}-{where}{n}")
        states = _step_flipbook(page, root, shot, f"{name} {where} flipbook {n}")
        for s in states:
            seen.setdefault(n, {})[s.value] = s.svg
        example = _match(states[0], examples)
        if example is None:
            continue  # not a curriculum example (e.g. the edge-as-node stepper): stepped only
        matched += 1
        for s in states:
            check_frame(s, example, s.value)
    assert matched, f"{name} ({where}): no flipbook shows a curriculum example"
