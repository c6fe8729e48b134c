"""The ``schemadrive-validate`` pre-commit hook on a directory of payload files.

The hook's entry is run the way pre-commit runs it (``entry + args + matching files``, with the
``files`` pattern of .pre-commit-hooks.yaml choosing the files); when the ``pre-commit``
command is installed, a real ``pre-commit run`` is made too, in a scratch git repository.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
MODEL = "ltx-2-3-pro"


def read_manifest() -> list[dict[str, Any]]:
    """The manifest's hooks (a list of flat mappings: all this file needs, without PyYAML)."""
    hooks: list[dict[str, Any]] = []
    for line in MANIFEST.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.match(r"^(?:- |  )([\w-]+): (.*)$", line)
        assert match, f"unexpected manifest line: {line!r}"
        if line.startswith("- "):
            hooks.append({})
        key, value = match.group(1), match.group(2).strip()
        parsed: Any = value
        if value.startswith("["):
            parsed = [item.strip() for item in value[1:-1].split(",") if item.strip()]
        elif value.startswith('"'):
            parsed = json.loads(value)
        elif value in ("true", "false"):
            parsed = value == "true"
        hooks[-1][key] = parsed
    return hooks


def hook() -> dict[str, Any]:
    (found,) = [h for h in read_manifest() if h["id"] == "schemadrive-validate"]
    return found


def schemadrive_command() -> list[str]:
    installed = Path(sys.executable).with_name("schemadrive")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "schemadrive"]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with payloads, and files the hook must leave alone."""
    payloads = tmp_path / "payloads"
    payloads.mkdir()
    for n in range(3):
        (payloads / f"good-{n}.json").write_text(json.dumps({"prompt": f"shot {n}", "duration": 4}))
    (payloads / "batch.jsonl").write_text(
        json.dumps({"prompt": "a"}) + "\n" + json.dumps({"prompt": "b", "fps": 30}) + "\n"
    )
    (payloads / "bad.json").write_text('{\n  "prompt": "x",\n  "resolution": "8k"\n}\n')
    (payloads / "notes.txt").write_text("not a payload {")
    (payloads / "data.csv").write_text("a,b\n")
    return tmp_path


def matching(root: Path, pattern: str) -> list[str]:
    """What pre-commit passes: tracked paths, relative, where ``re.search(files, path)``."""
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return [p for p in paths if re.search(pattern, p)]


def test_manifest_declares_the_hook() -> None:
    found = hook()
    assert found["entry"] == "schemadrive validate"
    assert found["language"] == "python"
    assert re.search(found["files"], "payloads/a.json") and re.search(found["files"], "b.jsonl")
    assert not re.search(found["files"], "notes.txt")
    try:
        import yaml
    except ImportError:
        return
    assert yaml.safe_load(MANIFEST.read_text()) == read_manifest()


def test_hook_entry_on_a_directory_of_payloads(repo: Path) -> None:
    found = hook()
    files = matching(repo, found["files"])
    assert "payloads/notes.txt" not in files and "payloads/bad.json" in files
    entry = shlex.split(found["entry"])
    assert entry[0] == "schemadrive"
    argv = [*schemadrive_command(), *entry[1:], "--offline", MODEL, *files]
    env = {**os.environ, "SCHEMADRIVE_BASE_URL": closed_port_url()}
    result = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "payloads/bad.json:3: error: $.resolution:" in result.stdout
    assert "payloads/batch.jsonl:2: error: $.fps:" in result.stdout
    assert "2 of 6 payloads invalid" in result.stdout
    (repo / "payloads" / "bad.json").unlink()
    (repo / "payloads" / "batch.jsonl").unlink()
    files = matching(repo, found["files"])
    result = subprocess.run(
        [*schemadrive_command(), *entry[1:], "--offline", MODEL, *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 payloads valid" in result.stdout


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
@pytest.mark.skipif(
    not (shutil.which("pre-commit") or Path(sys.executable).with_name("pre-commit").exists()),
    reason="the pre-commit command is not installed",
)
def test_real_pre_commit_run(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """pre-commit itself chooses the files and runs the hook (``repo: local``, language system,
    with the manifest's files and types, so nothing is installed from the network)."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    found = hook()
    command = " ".join(shlex.quote(part) for part in schemadrive_command())
    config = {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": found["id"],
                        "name": found["name"],
                        "entry": f"{command} validate",
                        "language": "system",
                        "files": found["files"],
                        "types": found["types"],
                        "args": ["--offline", MODEL],
                    }
                ],
            }
        ]
    }
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config))  # JSON is YAML
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "SCHEMADRIVE_BASE_URL": closed_port_url(),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    git = ["git", "-c", "init.defaultBranch=main", "-c", "safe.directory=*"]
    subprocess.run([*git, "init", "-q"], cwd=repo, env=env, check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], cwd=repo, env=env, check=True, timeout=60)
    run = [pre_commit, "run", "--all-files", "--color", "never"]
    result = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "payloads/bad.json:3: error: $.resolution" in result.stdout
    assert "notes.txt" not in result.stdout
    (repo / "payloads" / "bad.json").write_text(json.dumps({"prompt": "fixed"}))
    (repo / "payloads" / "batch.jsonl").write_text(json.dumps({"prompt": "a"}) + "\n")
    subprocess.run([*git, "add", "-A"], cwd=repo, env=env, check=True, timeout=60)
    result = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
