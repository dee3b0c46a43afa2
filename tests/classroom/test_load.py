"""A class of 20 learners on the class hub (``classroom/jupyterhub_config.py``), all at once.

Each learner logs in (the login form, then a token from the hub's REST API), starts a server,
and runs its own copy of lesson 02 up to the exercises through the hub's proxy (the Jupyter
server's REST API and the kernel websocket); every cell must run without error and print what
the solved lesson printed. Measured: login -> first executed cell (p50/p95) and the memory of
the learners' servers and kernels, the hub and the proxy; printed, and written to
``load-summary.json`` in the test's temporary folder (its path is printed). Then: a learner's
work survives a server restart; a hub that is full or busy refuses new servers with a 429.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import requests

from classroom import hub as hubconf

from .hubclient import Hub, Learner, cpu_seconds, listening, memory_mb, percentile, text_of

pytestmark = pytest.mark.classroom

LEARNERS = 20
LESSON = "02_the_graph.ipynb"
SOLVED = hubconf.REPO / "course" / LESSON
CLASS_DEADLINE = 360  # seconds for the whole class to log in and run the lesson


def before_exercises(nb: dict) -> list[dict]:
    """The code cells of a lesson before its ``## Exercises`` heading."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## Exercises"):
            return cells
        if cell["cell_type"] == "code":
            cells.append(cell)
    raise AssertionError("the lesson has no '## Exercises' heading")


def comparable(cell: dict) -> bool:
    """Whether a solved cell's stored output must be printed again (as strict nbval asks)."""
    source = "".join(cell["source"])
    return "NBVAL_IGNORE_OUTPUT" not in source and "raises-exception" not in cell["metadata"].get(
        "tags", []
    )


def run_lesson(learner: Learner, deadline: float):
    """Log in, start the server, run the learner's copy of the lesson; returns the open kernel
    and what each cell printed."""
    learner.login(learner.hub.password)
    learner.start(deadline)
    # JupyterLab opens on lesson 00 (the hub's default_url).
    landing = requests.get(learner.server + "/", headers=learner.headers, allow_redirects=False)
    assert landing.headers["Location"].startswith(f"/user/{learner.name}/lab/tree/00_start_here")
    # The learner's own copy, as their server has it: copied by the hub on first start, trusted.
    nb = learner.contents(LESSON)["content"]
    cells = before_exercises(nb)
    assert all(cell["metadata"].get("trusted") for cell in cells), "learner copy not trusted"
    kernel = learner.kernel()
    results = []
    for i, cell in enumerate(cells):
        outputs = kernel.execute("".join(cell["source"]))
        if i == 0:
            learner.times["first_cell"] = time.monotonic()
        results.append(("".join(cell["source"]), outputs))
    learner.times["lesson_done"] = time.monotonic()
    return kernel, results


@pytest.fixture(scope="module")
def class_hub(tmp_path_factory):
    # The config's own concurrent_spawn_limit (two per core); full at 20 servers.
    hub = Hub(tmp_path_factory.mktemp("class-hub"), active_server_limit=LEARNERS)
    try:
        hub.wait_ready()
        yield hub
    finally:
        hub.stop()


def test_a_class_of_twenty(class_hub: Hub, capsys):
    hub = class_hub
    learners = [Learner(hub, f"learner-{i:02d}") for i in range(LEARNERS)]
    deadline = time.monotonic() + CLASS_DEADLINE
    client_cpu = time.process_time()
    with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
        futures = [pool.submit(run_lesson, learner, deadline) for learner in learners]
        done = []
        for future in futures:
            try:
                done.append(future.result(timeout=max(1, deadline - time.monotonic())))
            except Exception as exc:  # every learner's failure is reported, not only the first
                done.append(exc)
    failed = {ln.name: repr(r) for ln, r in zip(learners, done) if isinstance(r, Exception)}
    kernels = [r[0] for r in done if not isinstance(r, Exception)]
    try:
        assert not failed, f"{len(failed)}/{LEARNERS} learners failed: {failed}\n{hub.log_tail()}"

        # Every cell ran without an error, and printed what the solved lesson printed.
        solved = before_exercises(nbformat.read(SOLVED, as_version=4))
        for learner, (_, results) in zip(learners, done):
            assert len(results) == len(solved)
            compared = 0
            for (source, outputs), expected in zip(results, solved):
                errors = [o for o in outputs if o["output_type"] == "error"]
                assert not errors, f"{learner.name}: {source!r} raised {errors[0]['ename']}"
                if source == "".join(expected["source"]) and comparable(expected):
                    assert text_of(outputs) == text_of(expected["outputs"]), (
                        f"{learner.name}: {source!r}"
                    )
                    compared += 1
            # All but the recap quiz's answer cell (the learner's own) are the lesson's cells.
            assert compared >= len(solved) - 2, compared

        figures = class_figures(hub, learners)
        # Loopback only: the hub, the proxy, 20 servers and 20 kernels, while all are busy.
        sockets = listening([hub.proc.pid, *hub.processes()])
        assert len(sockets) > 2 * LEARNERS
        assert {s.rsplit(":", 1)[0] for s in sockets} == {"127.0.0.1"}, sockets
        # The 20 simulated browsers run on the same cores as the hub, unlike a real class's.
        figures["cpu_s"]["test_client"] = round(time.process_time() - client_cpu)
    finally:
        for kernel in kernels:
            kernel.close()

    # A full hub refuses the 21st learner's server cleanly: a 429 that says why.
    late = Learner(hub, "late-learner")
    late.login(hub.password)
    refused = late.request_server()
    assert refused.status_code == 429, refused.text
    assert "Active user limit exceeded" in refused.json()["message"]
    figures["refused_21st"] = f"{refused.status_code} {refused.json()['message']}"

    figures["restart_s"] = round(work_survives_restart(learners[0]), 1)
    summary = hub.state.parent / "load-summary.json"
    summary.write_text(json.dumps(figures, indent=2) + "\n")
    with capsys.disabled():
        print(f"\nclass hub, {LEARNERS} learners ({summary}):\n{json.dumps(figures, indent=2)}")


def class_figures(hub: Hub, learners: list[Learner]) -> dict:
    """Timings of the class and the memory of every process while all 20 kernels are alive."""
    first = [ln.times["first_cell"] - ln.times["login"] for ln in learners]
    ready = [ln.times["ready"] - ln.times["login"] for ln in learners]
    lesson = [ln.times["lesson_done"] - ln.times["login"] for ln in learners]
    procs = hub.processes()
    servers = [pid for pid, cmd in procs.items() if "classroom.singleuser" in cmd]
    kernels = [pid for pid, cmd in procs.items() if "ipykernel_launcher" in cmd]
    proxy = [pid for pid, cmd in procs.items() if "configurable-http-proxy" in cmd]
    assert len(servers) == LEARNERS and len(kernels) == LEARNERS and len(proxy) == 1, procs

    def mb(pids: list[int]) -> dict:
        rss, pss = zip(*(memory_mb(pid) for pid in pids))
        return {
            "rss_median": round(statistics.median(rss)),
            "pss_median": round(statistics.median(pss)),
        }

    def cpu(pids: list[int]) -> float:
        return round(statistics.median(cpu_seconds(pid) for pid in pids), 1)

    everything = [hub.proc.pid, *procs]
    return {
        "learners_ok": f"{len(learners)}/{LEARNERS}",
        "login_to_first_cell_s": {
            "p50": round(percentile(first, 50), 1),
            "p95": round(percentile(first, 95), 1),
            "max": round(max(first), 1),
        },
        "login_to_server_ready_s": {
            "p50": round(percentile(ready, 50), 1),
            "p95": round(percentile(ready, 95), 1),
        },
        "login_to_lesson_done_s": {
            "p50": round(percentile(lesson, 50), 1),
            "p95": round(percentile(lesson, 95), 1),
        },
        "spawns_throttled_429": sum(len(ln.throttled) for ln in learners),
        # CPU seconds used so far (what the class costs, whatever else the machine runs).
        "cpu_s": {
            "server_median": cpu(servers),
            "kernel_median": cpu(kernels),
            "hub": cpu([hub.proc.pid]),
            "proxy": cpu(proxy),
            "all": round(sum(cpu_seconds(pid) for pid in everything)),
        },
        "memory_mb": {
            "server": mb(servers),
            "kernel": mb(kernels),
            "hub": mb([hub.proc.pid]),
            "proxy": mb(proxy),
            "all_pss_total": round(sum(memory_mb(pid)[1] for pid in everything)),
        },
    }


def work_survives_restart(learner: Learner) -> float:
    """A learner edits a lesson and creates a file, stops the server and starts it again: both
    are there as saved (the first-start copy does not overwrite). Returns the restart's seconds."""
    nb = learner.contents("00_start_here.ipynb")["content"]
    nb["cells"].append(nbformat.v4.new_markdown_cell("My own note.", id="my-note"))
    learner.save("00_start_here.ipynb", {"type": "notebook", "content": nb})
    notes = {"type": "file", "format": "text", "content": "what I learned\n"}
    learner.save("notes.txt", notes)
    learner.stop()
    on_disk = Path(learner.hub.state, "learners", learner.name)
    assert (on_disk / "notes.txt").read_text() == "what I learned\n"
    start = time.monotonic()
    learner.start(deadline=start + 120)
    took = time.monotonic() - start
    assert learner.contents("notes.txt")["content"] == "what I learned\n"
    cells = learner.contents("00_start_here.ipynb")["content"]["cells"]
    assert "".join(cells[-1]["source"]) == "My own note.", "the learner's edit was overwritten"
    learner.stop()
    return took


@pytest.fixture
def tiny_hub(tmp_path):
    """A hub that holds one server and starts one at a time."""
    hub = Hub(tmp_path / "tiny-hub", active_server_limit=1, concurrent_spawn_limit=1)
    try:
        hub.wait_ready()
        yield hub
    finally:
        hub.stop()


def test_a_full_or_busy_hub_refuses_new_servers(tiny_hub: Hub):
    first, second = Learner(tiny_hub, "first"), Learner(tiny_hub, "second")
    first.login(tiny_hub.password)
    second.login(tiny_hub.password)
    with pytest.raises(PermissionError):  # the generated shared password is required
        Learner(tiny_hub, "intruder").login("not-the-password")

    # While the first server starts, a second start is refused: concurrent_spawn_limit.
    starting = threading.Thread(target=first.request_server)
    starting.start()
    try:
        deadline = time.monotonic() + 30
        while first.api(f"{tiny_hub.url}/hub/api/users/first").get("pending") != "spawn":
            assert time.monotonic() < deadline, "the first server never showed as starting"
            time.sleep(0.02)
        busy = second.request_server()
    finally:
        starting.join(timeout=60)
    assert busy.status_code == 429, busy.text
    assert busy.json()["message"].startswith("Too many users trying to log in right now")
    assert 2 <= int(busy.headers["Retry-After"]) <= 6  # the config's retry range, not 30-60 s

    # Once it runs, the hub is full: active_server_limit.
    first.wait_ready(deadline=time.monotonic() + 120)
    full = second.request_server()
    assert full.status_code == 429, full.text
    assert full.json()["message"] == "Active user limit exceeded. Try again in a few minutes."

    # A server stopped makes room again.
    first.stop()
    second.start(deadline=time.monotonic() + 120)
    second.stop()


def test_idle_servers_are_culled(tmp_path):
    """jupyterhub-idle-culler, a hub service with only its role's scopes, stops idle servers."""
    hub = Hub(tmp_path / "culling-hub", cull_idle=4, cull_every=2)
    try:
        hub.wait_ready()
        learner = Learner(hub, "idle")
        learner.login(hub.password)
        learner.start(deadline=time.monotonic() + 120)
        deadline = time.monotonic() + 90
        while learner.api(f"{hub.url}/hub/api/users/idle")["servers"]:
            assert time.monotonic() < deadline, f"not culled:\n{hub.log_tail()}"
            time.sleep(0.5)
        assert "Culling server idle" in hub.log_path.read_text()
    finally:
        hub.stop()
