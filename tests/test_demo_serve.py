"""`agenda demo` on a fresh machine: one command, a served agenda, the URLs printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_the_agenda_and_prints_its_urls(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "agenda.cli", "demo", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent),
             "XDG_CACHE_HOME": str(tmp_path)},
    )  # fmt: skip
    assert demo.stdout is not None
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Stop with"):
                break
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/" in lines, lines
        urls = [line for line in lines if line.startswith("http")]
        assert urls[0] == f"{base}/"  # the agenda comes first, on its own line
        assert any("/widgets" in line for line in lines) and any(
            "/sources" in line for line in lines
        )
        for _ in range(50):
            try:
                response = httpx.get(f"{base}/api/events")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200 and len(response.json()["events"]) >= 10
        assert httpx.get(f"{base}/feeds/agenda.ics").text.startswith("BEGIN:VCALENDAR")
        busy = subprocess.run([sys.executable, "-m", "agenda.cli", "demo", "--port", str(port)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent),
                                   "XDG_CACHE_HOME": str(tmp_path / "other")})  # fmt: skip
        assert busy.returncode == 2 and f"port {port}" in busy.stderr and "busy" in busy.stderr
    finally:
        demo.terminate()
        demo.wait(timeout=20)
        demo.stdout.close()


def test_demo_on_port_zero_prints_the_port_it_bound(tmp_path: Path) -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "agenda.cli", "demo", "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent),
             "XDG_CACHE_HOME": str(tmp_path)},
    )  # fmt: skip
    assert demo.stdout is not None
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (lines and lines[-1].startswith("Stop with")):
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
        base = next(line for line in lines if line.startswith("http://127.0.0.1:")).rstrip("/")
        assert not base.endswith(":0"), lines
        for _ in range(50):
            try:
                assert httpx.get(f"{base}/health").text == "ok\n"
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"nothing answers on {base}")
    finally:
        demo.terminate()
        demo.wait(timeout=20)
        demo.stdout.close()
