"""``python run.py serve``: Solara's server in a child process, and its address printed once the page answers.

Solara takes many seconds to import and start (about 20 on a busy machine); an address printed
before that sends a presenter to a page that does not load yet. The child gets the signals a
terminal or a test sends the command (Ctrl-C, SIGTERM), so no server is left behind.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now (for a server started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    """Whether the page at ``url`` answers an HTTP request."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def serve(command: list[str], host: str, port: int, env: dict, cwd: str) -> int:
    """Run the server ``command``; print its address when its page answers; return its exit status."""
    proc = subprocess.Popen(command, env=env, cwd=cwd)

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # a server on every interface answers here too
        while proc.poll() is None:
            if answers(f"http://{local}:{port}/"):
                print(f"serving the visual server at http://{host}:{port}/  (Ctrl-C stops it)", flush=True)
                break
            time.sleep(0.25)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
