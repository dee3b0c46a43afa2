"""The class hub's config and its first-start copy, without starting a hub (fast)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from nbformat.sign import NotebookNotary
from traitlets.config.loader import PyFileConfigLoader

from classroom import hub
from tools.notebooks import read

LESSONS = sorted(p.name for p in hub.LEARNER_SOURCE.glob("*.ipynb"))


def test_first_start_copies_every_learner_notebook_trusted(tmp_path):
    home = tmp_path / "ada"
    copied = hub.seed_learner(home)
    assert [p.name for p in copied] == LESSONS and hub.START_LESSON in LESSONS
    for path in copied:
        assert path.read_bytes() == (hub.LEARNER_SOURCE / path.name).read_bytes()
    # Signed in the store the learner's server reads: its diagrams show before anything runs.
    with NotebookNotary(data_dir=str(home / hub.TRUST_SUBDIR)) as notary:
        assert all(notary.check_signature(read(path)) for path in copied)


def test_first_start_copy_never_overwrites(tmp_path):
    home = tmp_path / "ada"
    hub.seed_learner(home)
    mine = home / "02_the_graph.ipynb"
    mine.write_text("the learner's own work")
    (home / "00_start_here.ipynb").unlink()  # a lesson deleted comes back, fresh
    (home / "notes.txt").write_text("mine")

    copied = hub.seed_learner(home)
    assert [p.name for p in copied] == ["00_start_here.ipynb"]
    assert mine.read_text() == "the learner's own work"
    assert (home / "notes.txt").read_text() == "mine"
    assert hub.seed_learner(home) == []


def test_secret_is_generated_once_owner_only(tmp_path):
    path = tmp_path / "state" / "proxy_token"
    first = hub.secret(path)
    assert len(first) == 64 and int(first, 16) >= 0
    assert path.stat().st_mode & 0o777 == 0o600
    assert hub.secret(path) == first
    assert hub.secret(tmp_path / "other") != first


@pytest.fixture
def config(tmp_path, monkeypatch):
    """classroom/jupyterhub_config.py as JupyterHub loads it, with its state in tmp_path."""
    monkeypatch.setenv("MINIGRAD_HUB_STATE", str(tmp_path / "state"))
    for name in ("PORT", "SHARED_PASSWORD", "ACTIVE_SERVER_LIMIT", "CONCURRENT_SPAWN_LIMIT"):
        monkeypatch.delenv(f"MINIGRAD_HUB_{name}", raising=False)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(hub.CLASSROOM)).load_config()


def test_config_binds_loopback_only(config):
    assert config.JupyterHub.ip == config.JupyterHub.hub_ip == config.Spawner.ip == "127.0.0.1"
    assert config.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert config.ConfigurableHTTPProxy.command == [str(hub.PROXY_BIN)]


def test_config_secrets_are_generated_into_the_state_folder(config, tmp_path):
    state = tmp_path / "state"
    assert state.stat().st_mode & 0o777 == 0o700
    assert config.JupyterHub.cookie_secret_file == str(state / "cookie_secret")
    assert config.ConfigurableHTTPProxy.auth_token == (state / "proxy_token").read_text()
    assert config.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert config.SimpleLocalProcessSpawner.home_dir_template == str(
        state / "learners" / "{username}"
    )


def test_no_secret_or_state_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "classroom"], cwd=hub.REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if ".state" in f or "secret" in f or "node_modules" in f]
    for path in ("classroom/.state/cookie_secret", "classroom/node_modules/x"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=hub.REPO)
        assert ignored.returncode == 0, f"{path} is not gitignored"


def test_config_learners_servers(config):
    assert config.JupyterHub.spawner_class.endswith("SimpleLocalProcessSpawner")
    assert config.Spawner.pre_spawn_hook is hub.pre_spawn_hook
    python = Path(config.Spawner.cmd[0])
    assert python.is_absolute() and python == hub.venv_python()
    assert config.Spawner.cmd[1:] == ["-m", "classroom.singleuser"]
    assert config.Spawner.default_url == "/lab/tree/00_start_here.ipynb"
    page = hub.CLASSROOM / "learner-config" / "labconfig" / "page_config.json"
    assert config.Spawner.environment["JUPYTER_CONFIG_PATH"] == str(page.parents[1])
    assert json.loads(page.read_text())["disabledExtensions"] == {"@jupyter/nbgrader": True}


def test_config_limits_and_culler(config, monkeypatch, tmp_path):
    assert config.JupyterHub.active_server_limit > 0
    assert config.JupyterHub.concurrent_spawn_limit == 2 * os.cpu_count()
    (culler,) = config.JupyterHub.services
    assert culler["name"] == "idle-culler"
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    (role,) = config.JupyterHub.load_roles
    assert role["services"] == ["idle-culler"]
    assert {"list:users", "read:users:activity", "read:servers", "delete:servers"} <= set(
        role["scopes"]
    )
    # The limits follow the environment (the load test lowers them).
    monkeypatch.setenv("MINIGRAD_HUB_ACTIVE_SERVER_LIMIT", "3")
    monkeypatch.setenv("MINIGRAD_HUB_CONCURRENT_SPAWN_LIMIT", "2")
    lowered = PyFileConfigLoader("jupyterhub_config.py", path=str(hub.CLASSROOM)).load_config()
    assert lowered.JupyterHub.active_server_limit == 3
    assert lowered.JupyterHub.concurrent_spawn_limit == 2


def test_config_authenticator(config, monkeypatch, tmp_path):
    assert config.JupyterHub.authenticator_class == "dummy"  # the trial default
    monkeypatch.setenv("MINIGRAD_HUB_SHARED_PASSWORD", "1")
    shared = PyFileConfigLoader("jupyterhub_config.py", path=str(hub.CLASSROOM)).load_config()
    assert shared.JupyterHub.authenticator_class == "shared-password"
    password = (tmp_path / "state" / "password").read_text()
    assert shared.SharedPasswordAuthenticator.user_password == password
    assert len(password) == 16  # generated, never a default


def test_z2jh_values_follow_the_local_hub(config):
    """classroom/z2jh-values.yaml (not deployed here) says what the local config says."""
    yaml = pytest.importorskip("yaml")
    values = yaml.safe_load((hub.CLASSROOM / "z2jh-values.yaml").read_text())
    assert values["singleuser"]["defaultUrl"] == config.Spawner.default_url
    assert values["singleuser"]["cmd"] == ["python", *config.Spawner.cmd[1:]]
    hub_config = values["hub"]["config"]
    assert hub_config["JupyterHub"]["active_server_limit"] == config.JupyterHub.active_server_limit
    # Per machine here (two per core); a cluster's hub starts its pods on other machines.
    assert hub_config["JupyterHub"]["concurrent_spawn_limit"] > 0
    server_args = [
        a for a in config.Spawner.args if "app_settings_dir" not in a and "root" not in a
    ]
    assert hub_config["KubeSpawner"]["args"] == server_args
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    assert "cookieSecret" not in values["hub"] and "secretToken" not in values["proxy"]
