"""Running the real `cloudalbum` command in subprocesses, with an environment of our own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "cloudalbum.entrypoints.cli"]


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without any CLOUDALBUM_* setting, plus data_dir and the given settings
    (keyword model_path -> CLOUDALBUM_MODEL_PATH)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDALBUM_")}
    env["CLOUDALBUM_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({f"CLOUDALBUM_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def run_cli(args: list[str], env: dict[str, str], *, timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, **kw)


def start_serve(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen, int]:
    """`cloudalbum serve --port 0 ...` and the port it announced."""
    proc = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", "0", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        raise AssertionError(f"serve did not announce a port: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, int(match.group(1))


def wait_for(predicate: Any, timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll predicate until it returns something truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")
