"""Indirect dependencies are pinned: constraints.txt lists every package the requirements need,
at the version installed, and run.py installs with it (and reinstalls when it changes)."""
import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_script():
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    return run


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.lower().split("==") for line in lines if line)


def test_the_constraints_pin_every_package_the_requirements_need_as_installed(tmp_path, monkeypatch, capsys):
    run = _run_script()
    for name in run.REQUIREMENTS:
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    run.pin()  # what `python3 run.py constraints` writes, from this environment
    assert pins(tmp_path / "constraints.txt") == pins(ROOT / "constraints.txt"), \
        "constraints.txt is stale: run `python3 run.py constraints`"


def test_the_web_stack_underneath_flask_is_pinned():
    pinned = pins(ROOT / "constraints.txt")
    assert {"werkzeug", "itsdangerous", "jinja2", "markupsafe", "click", "blinker", "limits",
            "pydantic-core", "greenlet", "wtforms"} <= set(pinned)
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.lower().split("==")
            assert pinned[name.split("[")[0].replace("_", "-")] == version


def test_run_py_installs_with_the_constraints_and_reinstalls_when_they_change():
    source = (ROOT / "run.py").read_text()
    assert '"-c", str(ROOT / CONSTRAINTS)' in source
    assert "REQUIREMENTS + [CONSTRAINTS]" in source  # part of the digest that triggers a reinstall
