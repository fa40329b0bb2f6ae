#!/usr/bin/env python3
"""Ten viewers at once: the visual server's memory per session, and after the tabs close; prints its figures.

    python benchmarks/app_sessions.py                       # 10 viewers, 20 steps each, ai_flood against the baseline
    python benchmarks/app_sessions.py --viewers 4 --steps 5 --first baseline --second baseline
    python benchmarks/app_sessions.py --leave drop --cull 60 --at 30,75,120   # tabs that vanish: the cull frees them

Starts ``python run.py serve`` on a free port and opens one page first (the server's imports and
caches, counted apart), closes it, then opens ``--viewers`` browser contexts (separate viewers,
as from separate machines) in headless chromium. Each chooses ``--first`` against ``--second``,
presses Reset, then all press Step in turn until each has stepped ``--steps`` times; every page
must then show its own step count (no viewer moves another's model). The server's resident
memory (RSS, from /proc) is read before, with every page open, after the steps, and ``--at`` given
seconds after the pages leave: ``--leave close`` closes each as a browser tab closes, which tells
the server; ``--leave drop`` drops them without a word (a crash, a sleeping laptop), so the server
frees them only at its kernel cull time (``--cull`` seconds; the server's default is 10 minutes).
All this ``--rounds`` times, so that memory kept once (caches, the allocator's pools) shows apart
from memory kept per viewer (which would grow round after round). Needs the app extra, playwright and Debian's chromium, like tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from viz.serve import answers, free_port

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    """Resident memory in MB (1e6 bytes) of process ``pid`` and its children: ``run.py serve`` runs Solara in a child."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) * 1024 / 1e6
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += rss_mb(int(child))
    return total


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=300_000)
    page.get_by_text("step 0 of").wait_for(timeout=300_000)
    return context, page


def title(preset: str):
    """What the page calls a preset: its title and one-line description, the first line of its file."""
    from viz.presets import discover, titles

    return titles(discover(ROOT / "scenarios"))[preset]


def choose(page, select: str, preset: str) -> None:
    """Choose a preset by its file name; the menu lists it by the first line of its file (its title and description)."""
    line = title(preset).line
    page.get_by_role("button", name=select).click()
    page.locator(".menuable__content__active").get_by_role("option", name=line, exact=True).click()


def leave(how: str, viewers) -> None:
    """The pages leave: closed as a tab closes (its unload tells the server), or dropped (the server hears nothing)."""
    for context, page in viewers:
        if how == "close":
            page.close(run_before_unload=True)
        context.close()  # (a page not closed first goes without running its unload handlers)


def after_leaving(pid: int, at: list[float], label: str) -> dict[str, float]:
    """The server's memory at each of ``at`` seconds after the pages left."""
    t0, read = time.monotonic(), {}
    for t in at:
        time.sleep(max(0.0, t0 + t - time.monotonic()))
        read[f"{label} {t:.0f} s after leaving"] = rss_mb(pid)
    return read


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--first", default="ai_flood")
    parser.add_argument("--second", default="baseline")
    parser.add_argument("--at", default="75", help="seconds after the pages leave at which to read the memory, comma-separated")
    parser.add_argument("--leave", choices=("close", "drop"), default="close", help="close the tabs (the server hears it) or drop them")
    parser.add_argument("--cull", type=float, help="the server's kernel cull time in seconds (SOLARA_KERNEL_CULL_TIMEOUT)")
    parser.add_argument("--rounds", type=int, default=2, help="times the viewers come, step and leave")
    args = parser.parse_args(argv)
    at = sorted(float(t) for t in args.at.split(","))
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tempfile.TemporaryFile()
    env = {**os.environ, **({"SOLARA_KERNEL_CULL_TIMEOUT": f"{args.cull:g}s"} if args.cull is not None else {})}
    server = subprocess.Popen([sys.executable, "run.py", "serve", "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 300  # Solara starts in seconds on an idle machine, minutes on a loaded one
        while True:
            if answers(url):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        memory = {"started": rss_mb(server.pid)}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            context, page = open_page(browser, url)  # the first page imports and caches what every later one shares
            leave(args.leave, [(context, page)])
            memory.update(after_leaving(server.pid, at, "one page:"))
            for round_ in range(1, args.rounds + 1):
                t0 = time.perf_counter()
                viewers = [open_page(browser, url) for _ in range(args.viewers)]
                for _, page in viewers:
                    choose(page, "First run (blue): preset", args.first)
                    choose(page, "Second run (orange): preset, as saved", args.second)
                    page.get_by_role("button", name="Reset", exact=True).click()
                for _, page in viewers:
                    page.locator(".run-status").get_by_text(f"{title(args.first).title} (blue)").wait_for(timeout=300_000)
                    page.get_by_text("step 0 of").wait_for(timeout=300_000)
                memory[f"round {round_}: {args.viewers} pages open"] = rss_mb(server.pid)
                opened = time.perf_counter() - t0
                t0 = time.perf_counter()
                for k in range(1, args.steps + 1):  # in turn: each viewer presses Step once per round
                    for _, page in viewers:
                        page.get_by_role("button", name="Step", exact=True).click()
                    for _, page in viewers:
                        page.get_by_text(f"step {k} of").wait_for(timeout=300_000)
                stepped = time.perf_counter() - t0
                own = sum(f"step {args.steps} of" in page.inner_text(".run-status") for _, page in viewers)
                memory[f"round {round_}: after {args.steps} steps each"] = rss_mb(server.pid)
                leave(args.leave, viewers)
                memory.update(after_leaving(server.pid, at, f"round {round_}:"))
                if own != args.viewers:
                    break
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    last_read = f"{at[-1]:.0f} s after leaving"
    base = memory[f"one page: {last_read}"]
    how = "closed as tabs close" if args.leave == "close" else "dropped without closing"
    cull = f"{args.cull:g} s" if args.cull is not None else "the server's (10 min)"
    print(f"visual server, {args.viewers} viewers, each {args.first} against {args.second}, {args.steps} steps each, {args.rounds} rounds")
    print(f"  pages {how}; kernel cull time {cull}")
    print(f"  Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  every viewer's page showed its own step {args.steps} (last round): {own} of {args.viewers}")
    print(f"  opening {args.viewers} pages and building their models took {opened:.1f} s; {args.steps} rounds of Step, {stepped:.1f} s"
          f" ({stepped / args.steps / args.viewers * 1000:.0f} ms a press, all {args.viewers} pages stepping in turn; last round)")
    for what, mb in memory.items():
        print(f"  server memory (RSS) {what:46s} {mb:7.0f} MB")
    print(f"  per session: {(memory[f'round 1: after {args.steps} steps each'] - base) / args.viewers:.0f} MB"
          f" ((round 1 after the steps - one page left) / {args.viewers})")
    print(f"  {last_read}: " + ", ".join(f"{memory[f'round {r}: {last_read}'] - base:+.0f} MB" for r in range(1, round_ + 1))
          + " in each round from where one page left it")
    return 0 if own == args.viewers else 1


if __name__ == "__main__":
    sys.exit(main())
