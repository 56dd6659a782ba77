"""A real ensemble of Paddock servers, started by the repository's
test/support/ensemble-for-clients.ts (port 0 everywhere; the launcher owns the peers' proxies)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from server_process import READY_DEADLINE_S, REPO_ROOT


@dataclass(frozen=True)
class Member:
    id: int
    address: str
    #: The member's ``server.N=`` line as the leader reaches it, with its client port ("" for the
    #: leader): what a reconfig that adds it back sends.
    line: str


class EnsembleProcess:
    """``voters`` members with zoo.cfg ``settings``; the launcher stops them all when its stdin
    closes, so a test run that dies leaves no server behind."""

    def __init__(self, voters: int, settings: dict[str, str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="paddock-py-ensemble-"))
        ready = self.dir / "ready.json"
        cmd = ["node", "--import", "tsx", "test/support/ensemble-for-clients.ts"]
        cmd += ["--ready-file", str(ready), "--voters", str(voters)]
        for key, value in settings.items():
            cmd += ["--set", f"{key}={value}"]
        self._log = open(self.dir / "ensemble.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + READY_DEADLINE_S
        while not ready.exists():
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"ensemble exited:\n{(self.dir / 'ensemble.log').read_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ensemble not ready in {READY_DEADLINE_S}s")
            time.sleep(0.05)  # polling the ready file, bounded by the deadline
        info = json.loads(ready.read_text())  # written whole and renamed into place
        self.leader: int = info["leader"]
        self.members = [Member(m["id"], m["address"], m.get("line", "")) for m in info["members"]]

    def member(self, member_id: int) -> Member:
        return next(m for m in self.members if m.id == member_id)

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
