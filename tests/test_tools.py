"""The launcher's pieces (``tools/lab.py``), without starting JupyterLab.

``tests/course/test_browser.py`` starts JupyterLab with them and looks at the page; here each
piece is checked on its own: trust in a store that does not exist yet, the quiet settings laid
over the environment's own, the pre-save hook that keeps a stepper's flipbook, and the command
line that ties them to the server.
"""

from __future__ import annotations

import json
import shutil

import nbformat
from nbformat.sign import NotebookNotary

import minigrad as mg
import minigrad.viz  # noqa: F401 - mg.viz
from tools import lab
from tools.notebooks import COURSE_DIR, read


def test_trust_signs_lessons_and_learner_copies_in_a_new_store(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(COURSE_DIR, root, ignore=shutil.ignore_patterns(".*"))
    (root / ".ipynb_checkpoints").mkdir()
    shutil.copy(root / lab.START_LESSON, root / ".ipynb_checkpoints" / "x-checkpoint.ipynb")
    store = tmp_path / "no" / "such" / "dir"
    signed = lab.trust_notebooks(root, store)
    assert root / lab.START_LESSON in signed
    assert any(p.parent.name == "learner" for p in signed)
    assert not any(".ipynb_checkpoints" in p.parts for p in signed)
    with NotebookNotary(data_dir=str(store)) as notary:
        assert all(notary.check_signature(read(p)) for p in signed)
        changed = read(root / lab.START_LESSON)
        changed.cells[0].source += " (edited)"
        assert not notary.check_signature(changed)  # trust is for the content signed
    # Signing twice changes nothing, and the files themselves are untouched.
    assert lab.trust_notebooks(root, store) == signed
    assert (root / lab.START_LESSON).read_bytes() == (COURSE_DIR / lab.START_LESSON).read_bytes()


def test_settings_silence_the_news_and_keep_the_environments_own(tmp_path, monkeypatch):
    app = tmp_path / "app"
    (app / "settings").mkdir(parents=True)
    (app / "settings" / "overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:notification": {"doNotDisturbMode": True},
                "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
            }
        )
    )
    (app / "settings" / "page_config.json").write_text("{}")
    monkeypatch.setenv("JUPYTERLAB_DIR", str(app))
    folder = lab.lab_settings(tmp_path / "out", extra={"x:y": {"z": 1}})
    overrides = json.loads((folder / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {
        "doNotDisturbMode": True,
        "fetchNews": "false",
        "checkForUpdates": False,
    }
    assert overrides["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert overrides["x:y"] == {"z": 1}
    assert (folder / "page_config.json").exists()


def test_command_line_ties_the_server_to_the_store_settings_and_hook(tmp_path):
    cmd = lab.lab_command(
        tmp_path, port=8888, token="t", settings=tmp_path / "s", trust_dir=tmp_path / "trust"
    )
    assert f"--NotebookNotary.data_dir={tmp_path / 'trust'}" in cmd
    assert f"--LabApp.app_settings_dir={tmp_path / 's'}" in cmd
    assert "--ContentsManager.pre_save_hook=tools.lab.keep_flipbooks" in cmd
    assert "--LabApp.news_url=None" in cmd


def _saved_stepper_model() -> dict:
    x = mg.tensor(2.0, requires_grad=True)
    stepper = mg.viz.step_backward(x * 3, params={"x": x})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("stepper")
    bundle = stepper._repr_mimebundle_()
    bundle["text/html"] = bundle["text/html"].splitlines(keepends=True)  # as stored: lines
    slider = {"text/plain": "IntSlider(value=0)", lab.WIDGET_VIEW: {"model_id": "abc"}}
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data=bundle),
        nbformat.v4.new_output("display_data", data=slider),
    ]
    nb.cells = [cell]
    return {"type": "notebook", "content": json.loads(json.dumps(nb))}


def test_pre_save_hook_keeps_the_flipbook_and_drops_the_stepper_view():
    model = _saved_stepper_model()
    lab.keep_flipbooks(model, path="00.ipynb", contents_manager=None)
    stepper, slider = (o["data"] for o in model["content"]["cells"][0]["outputs"])
    assert sorted(stepper) == ["text/html", "text/plain"]  # the flipbook shows when reopened
    assert lab.WIDGET_VIEW in slider  # another widget is left alone
    lab.keep_flipbooks({"type": "file", "content": "x"})  # not a notebook: nothing to do
