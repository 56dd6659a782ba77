"""The README's example program runs against a real server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from server_process import ServerProcess

EXAMPLE = Path(__file__).resolve().parents[1] / "example.py"


def test_readme_example_runs(server: ServerProcess) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), server.address],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "-103 /demo/config" in out.stdout
    assert "holding the lock" in out.stdout
