"""Starts a real Paddock server from the repository (PROTOCOL.md launch contract)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(os.environ.get("PADDOCK_REPO_ROOT") or Path(__file__).resolve().parents[3])
READY_DEADLINE_S = 60.0


def ensure_node_modules() -> None:
    if not (REPO_ROOT / "node_modules").exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"], cwd=REPO_ROOT, check=True, timeout=600
        )


class ServerProcess:
    """One `paddock server` process on 127.0.0.1; restartable on the same port and data dir."""

    def __init__(
        self, name: str, settings: dict[str, str] | None = None, zoo_cfg: str | None = None
    ) -> None:
        self.name = name
        self.settings = dict(settings or {})
        self.dir = Path(tempfile.mkdtemp(prefix=f"paddock-py-{name}-"))
        self.zoo_cfg = zoo_cfg  # zoo.cfg text, written to the server's dir and passed as --config
        self.port = 0
        self.secure_port = 0  # the secureClientPort, when the settings open one
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    @property
    def address(self) -> str:
        assert self.port, "server not started"
        return f"127.0.0.1:{self.port}"

    @property
    def secure_address(self) -> str:
        assert self.secure_port, "no secureClientPort"
        return f"127.0.0.1:{self.secure_port}"

    def start(self) -> ServerProcess:
        assert self.proc is None, "already running"
        ready = self.dir / "ready.json"
        ready.unlink(missing_ok=True)
        cmd = [
            "node",
            "--import",
            "tsx",
            "server/main/cli.ts",
            "server",
        ]
        if self.zoo_cfg is not None:
            (self.dir / "zoo.cfg").write_text(self.zoo_cfg)
            cmd += ["--config", str(self.dir / "zoo.cfg")]
        cmd += [
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.dir / "data"),
            "--ready-file",
            str(ready),
            # Any free AdminServer and /metrics ports, restarts on a fixed client port included.
            "--set",
            "admin.serverPort=0",
            "--set",
            "metricsProvider.httpPort=0",
        ]
        for key, value in self.settings.items():
            cmd += ["--set", f"{key}={value}"]
        self._log = open(self.dir / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + READY_DEADLINE_S
        while True:
            if ready.exists():
                try:
                    info = json.loads(ready.read_text())
                except ValueError:
                    info = None  # partially written; look again
                if info and info.get("port"):
                    self.port = int(info["port"])
                    self.secure_port = int(info.get("securePort") or 0)
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop(signal.SIGKILL)
                raise RuntimeError(f"server not ready in {READY_DEADLINE_S}s:\n{self.log_tail()}")
            time.sleep(0.02)  # polling the ready file, bounded by the deadline

    def stop(self, sig: int = signal.SIGTERM) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self, sig: int = signal.SIGTERM) -> None:
        self.stop(sig)
        self.start()

    def log_tail(self, n: int = 40) -> str:
        path = self.dir / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
