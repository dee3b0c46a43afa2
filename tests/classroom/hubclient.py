"""A class hub started for a test, and the learners that use it: the pieces of test_load.py.

:class:`Hub` runs ``classroom/jupyterhub_config.py`` in a temporary state folder on free
loopback ports and stops every process it started (hub, proxy, culler, learners' servers and
kernels) even when a test fails. :class:`Learner` does what a learner's browser does, through
the proxy only: the login form, a token from the REST API, starting the server, the Jupyter
server's REST API and the kernel websocket. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

from classroom import hub as hubconf
from tools.lab import free_port

CONFIG = hubconf.CLASSROOM / "jupyterhub_config.py"
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")  # course/nbval_sanitize.cfg: addresses differ per run


def children(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), depth first."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces; the parent pid follows its ')'.
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB. PSS shares shared pages out among the processes that map
    them, so PSS figures add up to what a machine really holds; RSS counts them in each."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def listening(pids: list[int]) -> set[str]:
    """The addresses (ip:port) on which these processes accept TCP connections."""
    found = set()
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        found |= {f"{c.laddr.ip}:{c.laddr.port}" for c in conns if c.status == psutil.CONN_LISTEN}
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the two nearest values."""
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[round(q) - 1]


class Hub:
    """The class hub in ``state`` (a fresh folder), with ``MINIGRAD_HUB_*`` overrides."""

    def __init__(self, state: Path, **settings: int) -> None:
        if not hubconf.PROXY_BIN.exists():
            raise FileNotFoundError(
                f"{hubconf.PROXY_BIN} is missing: `make venv` installs it (npm ci in classroom/)"
            )
        self.state = state
        self.port = free_port()
        self.url = f"http://{hubconf.HOST}:{self.port}"
        env = {
            **os.environ,
            "MINIGRAD_HUB_STATE": str(state),
            "MINIGRAD_HUB_PORT": str(self.port),
            "MINIGRAD_HUB_API_PORT": str(free_port()),
            "MINIGRAD_HUB_PROXY_API_PORT": str(free_port()),
            "MINIGRAD_HUB_SHARED_PASSWORD": "1",
            **{f"MINIGRAD_HUB_{k.upper()}": str(v) for k, v in settings.items()},
        }
        state.mkdir(parents=True, exist_ok=True)
        self.log_path = state / "hub.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [str(hubconf.venv_python()), "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=state,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._seen: dict[int, str] = {}

    @property
    def password(self) -> str:
        return (self.state / "password").read_text().strip()

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the hub answers through the proxy (its route added)."""
        try:
            hubconf.wait_until_up(self.url, self.proc, timeout)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}:\n{self.log_tail()}") from exc

    def processes(self) -> dict[int, str]:
        """The hub's processes now (pid -> command line); remembered for :meth:`stop`."""
        found = {pid: cmdline(pid) for pid in children(self.proc.pid)}
        self._seen.update(found)
        return found

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the hub (it stops the proxy and every server), then kill what is left."""
        self.processes()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # Servers run in sessions of their own: a hub that died leaves them behind.
        for pid, cmd in self._seen.items():
            if cmdline(pid) == cmd:  # still the same process (the pid was not reused)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._log.close()


@dataclass
class Learner:
    """One simulated learner of ``hub`` (timestamps are time.monotonic())."""

    hub: Hub
    name: str
    token: str = ""
    throttled: list[str] = field(default_factory=list)  # 429 messages while starting
    times: dict[str, float] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def login(self, password: str) -> None:
        """The login form (creates the user), then a token from the REST API."""
        self.times["login"] = time.monotonic()
        with requests.Session() as browser:
            browser.get(f"{self.hub.url}/hub/login", timeout=30).raise_for_status()
            form = {"username": self.name, "password": password, "_xsrf": browser.cookies["_xsrf"]}
            r = browser.post(f"{self.hub.url}/hub/login", data=form, allow_redirects=False)
            if r.status_code != 302:
                raise PermissionError(f"{self.name}: login form answered {r.status_code}")
        auth = {"auth": {"username": self.name, "password": password}}
        r = requests.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", json=auth, timeout=30)
        r.raise_for_status()
        self.token = r.json()["token"]

    def request_server(self) -> requests.Response:
        return requests.post(
            f"{self.hub.url}/hub/api/users/{self.name}/server", headers=self.headers, timeout=60
        )

    def start(self, deadline: float) -> None:
        """Start the server, retrying after a 429 as JupyterHub's Retry-After says, and wait
        (the hub's progress stream) until it is ready."""
        while True:
            r = self.request_server()
            if r.status_code != 429:
                break
            self.throttled.append(r.json()["message"])
            wait = float(r.headers.get("Retry-After", 2))
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"{self.name}: still refused at the deadline: {r.text}")
            time.sleep(wait)
        if r.status_code not in (201, 202):
            raise RuntimeError(
                f"{self.name}: starting the server answered {r.status_code}: {r.text}"
            )
        self.wait_ready(deadline)

    def wait_ready(self, deadline: float) -> None:
        url = f"{self.hub.url}/hub/api/users/{self.name}/server/progress"
        timeout = max(1.0, deadline - time.monotonic())
        with requests.get(url, headers=self.headers, stream=True, timeout=timeout) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    if event.get("failed"):
                        raise RuntimeError(f"{self.name}: spawn failed: {event['message']}")
                    if event.get("ready"):
                        self.times["ready"] = time.monotonic()
                        # Known while the hub lives: stopped even if the hub dies first.
                        self.hub.processes()
                        return
        raise RuntimeError(f"{self.name}: the progress stream ended before the server was ready")

    def stop(self, timeout: float = 60) -> None:
        r = requests.delete(
            f"{self.hub.url}/hub/api/users/{self.name}/server", headers=self.headers, timeout=60
        )
        assert r.status_code in (202, 204), r.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.api(f"{self.hub.url}/hub/api/users/{self.name}")
            if not user["servers"]:
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name}: server not stopped within {timeout} s")

    def api(self, url: str, method: str = "GET", **kwargs) -> dict:
        r = requests.request(method, url, headers=self.headers, timeout=60, **kwargs)
        r.raise_for_status()
        return r.json() if r.content else {}

    def contents(self, path: str, **kwargs) -> dict:
        return self.api(f"{self.server}/api/contents/{path}", **kwargs)

    def save(self, path: str, model: dict) -> None:
        self.contents(path, method="PUT", json=model)

    def kernel(self) -> Kernel:
        model = self.api(f"{self.server}/api/kernels", method="POST", json={"name": "python3"})
        ws_url = f"{self.server}/api/kernels/{model['id']}/channels".replace("http", "ws", 1)
        return Kernel(
            self, model["id"], websocket.create_connection(ws_url, header=self.headers, timeout=120)
        )


@dataclass
class Kernel:
    """A kernel of a learner's server, driven over its websocket (Jupyter's JSON protocol)."""

    learner: Learner
    id: str
    ws: websocket.WebSocket
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    def execute(self, code: str, timeout: float = 180) -> list[dict]:
        """Run ``code``; its outputs as nbformat outputs (stream, execute_result, display_data,
        error), once the kernel is idle again and has replied."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": self.session,
            "username": self.learner.name,
            "version": "5.3",
        }
        content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False}
        msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        self.ws.send(json.dumps({**msg, "channel": "shell"}))
        outputs, idle, replied = [], False, False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.learner.name}: no reply within {timeout} s to {code!r}")
            reply = json.loads(self.ws.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "status":
                idle = body["execution_state"] == "idle"
            elif kind == "execute_reply":
                replied = True
            elif kind == "stream":
                outputs.append(
                    {"output_type": "stream", "name": body["name"], "text": body["text"]}
                )
            elif kind in ("execute_result", "display_data", "error"):
                outputs.append({"output_type": kind, **body})
        return outputs

    def close(self) -> None:
        self.ws.close()
        self.learner.api(f"{self.learner.server}/api/kernels/{self.id}", method="DELETE")


def text_of(outputs: list[dict]) -> list[str]:
    """What a cell printed and returned, as text (addresses masked, as nbval compares)."""
    texts: list[str] = []
    for out in outputs:
        if out["output_type"] == "stream":
            text = out["name"] + ":" + "".join(out["text"])
            # A kernel may send one print in several messages; a notebook stores them as one.
            if texts and texts[-1].startswith(out["name"] + ":"):
                text = texts.pop() + "".join(out["text"])
            texts.append(text)
        elif out["output_type"] == "execute_result":
            texts.append("result:" + "".join(out["data"].get("text/plain", "")))
    return [ADDRESS.sub("0x...", text) for text in texts]
