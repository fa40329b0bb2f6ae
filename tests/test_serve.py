"""``python run.py serve`` prints its address only once the page answers (viz/serve.py).

The server here is a stand-in child process that takes a while to start listening, as Solara does
(about 20 s on a busy machine): the address must not be printed before it answers.
"""

from __future__ import annotations

import sys
import time

from viz.serve import serve

#: A server that starts listening after ``DELAY`` seconds, notes when it first answered, and exits after answering.
SLOW_SERVER = """
import http.server, sys, time
time.sleep(float(sys.argv[2]))
class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[3], "a") as f:  # noted before the answer leaves, so no client can see the page earlier
            f.write(f"{time.time()}\\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"page")
    def log_message(self, *args):
        pass
with http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Page) as server:
    server.handle_request()
"""
DELAY = 1.5


class Stamped:
    """Standard output that notes when each line was written."""

    def __init__(self):
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        if text.strip():
            self.lines.append((time.time(), text))
        return len(text)

    def flush(self) -> None:
        pass


def test_serve_prints_its_address_once_the_page_answers(tmp_path, monkeypatch, free_port):
    port, answered = free_port(), tmp_path / "answered"
    out = Stamped()
    monkeypatch.setattr(sys, "stdout", out)
    started = time.time()
    status = serve([sys.executable, "-c", SLOW_SERVER, str(port), str(DELAY), str(answered)], "127.0.0.1", port, {}, str(tmp_path))
    assert status == 0
    [(printed, line)] = out.lines
    assert f"http://127.0.0.1:{port}/" in line
    first_answer = float(answered.read_text().split()[0])
    assert started + DELAY <= first_answer <= printed  # not before the server listened: after its first answer


def test_serve_on_every_interface_asks_this_machine_and_prints_the_address_given(tmp_path, monkeypatch, free_port):
    port, answered = free_port(), tmp_path / "answered"
    out = Stamped()
    monkeypatch.setattr(sys, "stdout", out)
    assert serve([sys.executable, "-c", SLOW_SERVER, str(port), "0", str(answered)], "0.0.0.0", port, {}, str(tmp_path)) == 0
    assert answered.is_file() and [line for _, line in out.lines] == [f"serving the visual server at http://0.0.0.0:{port}/  (Ctrl-C stops it)"]


def test_a_server_that_never_answers_prints_no_address_and_gives_its_exit_status(tmp_path, monkeypatch, free_port):
    out = Stamped()
    monkeypatch.setattr(sys, "stdout", out)
    assert serve([sys.executable, "-c", "import sys, time; time.sleep(1); sys.exit(3)"], "127.0.0.1", free_port(), {}, str(tmp_path)) == 3
    assert out.lines == []
