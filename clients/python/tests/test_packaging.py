"""What a user gets from PyPI: the wheel built by `python -m build`, installed into a fresh venv
(no source tree on its path; grpcio and protobuf from PyPI or pip's cache), running the README's
example against a real server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_process import ServerProcess

CLIENT_ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 300  # a cold pip cache downloads grpcio (about 6 MB)


def run(cmd: list[str], cwd: Path) -> str:
    out = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False
    )
    assert out.returncode == 0, f"{' '.join(cmd)} exited {out.returncode}:\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), "."], CLIENT_ROOT)
    wheels = list(dist.glob("paddock_client-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def own_server() -> Iterator[ServerProcess]:
    # Its own server: the example creates /demo/config, which the shared server already has.
    s = ServerProcess("packaging").start()
    yield s
    s.cleanup()


def test_wheel_holds_the_package_the_generated_code_and_types(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "paddock/__init__.py",
        "paddock/py.typed",
        "paddock/recipes.py",
        "paddock/aio/__init__.py",
        "paddock/_pb/session_pb2.py",
        "paddock/_pb/session_pb2.pyi",
    ):
        assert required in names
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info/"
    assert [n for n in names if not n.startswith(("paddock/", dist_info))] == []  # no tests/


def test_wheel_in_a_fresh_venv_runs_the_example(
    wheel: Path, own_server: ServerProcess, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    py = str(venv / "bin" / "python")
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], tmp_path)
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(CLIENT_ROOT / "example.py", app / "example.py")
    where = run([py, "-c", "import paddock; print(paddock.__file__)"], app).strip()
    assert where.startswith(str(venv)), where
    out = run([py, "example.py", own_server.address], app)
    assert "-103 /demo/config" in out
    assert "holding the lock" in out
