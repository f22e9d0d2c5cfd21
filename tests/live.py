"""A real server in a child process, for tests that need true concurrency, crashes or a
browser: `LiveServer(database_url).start()`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.db import Database
from app.models.base import Scope
from app.services import api_clients
from app.services.access import SYSTEM

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 1,
        demo: bool = True,
        log_level: str = "WARNING",
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.env = env or {}
        self.workers = workers
        self.demo = demo
        self.log_level = log_level
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "data" / f"live-server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "live-test-secret-" + "x" * 32,
            "DEMO": "true" if self.demo else "false",
            "LOG_LEVEL": self.log_level,
            **self.env,
        }
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flushing, like a power cut of
        the process."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def write_token(database_url: str, *numbers: str) -> str:
    database = Database(database_url)
    try:
        with database.session(write=True) as session:
            return api_clients.create_token(
                session, SYSTEM, name="live test", scope=Scope.write, municipalities=numbers
            ).token
    finally:
        database.dispose()
