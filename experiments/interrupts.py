"""Ending a command cleanly: Ctrl-C, SIGTERM and a closed pipe give one line, never a traceback.

:func:`guard` runs a command with SIGINT and SIGTERM turned into :class:`Interrupted`
(a ``KeyboardInterrupt``), so ``finally`` blocks and context managers clean up as the
exception passes (a staging folder is removed, a pool is shut down). At the top it prints
one line on stderr, saying what was saved (:func:`saved`), and returns the shell's status
for the signal: 130 for SIGINT, 143 for SIGTERM. A second signal while cleaning up is
ignored. A closed standard output (``run.py keys | head``) ends quietly with status 141,
as a program killed by SIGPIPE would.

A command says what an interrupt would leave behind by calling :func:`saved` as it goes
(``saved("checkpoint of step 40 in results/.x.partial; resume: python run.py resume results/x")``),
and wraps a step that must not be cut in half (moving finished files into place) in
:func:`deferred`, which holds the signals until the step is done.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)
BROKEN_PIPE_STATUS = 128 + 13  # SIGPIPE


class Interrupted(KeyboardInterrupt):
    """A signal asked the command to stop."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_note: str | None = None


def saved(note: str | None) -> None:
    """Record what an interrupt now would leave behind (None: nothing)."""
    global _note
    _note = note


def _raise(signum, frame) -> None:
    for s in SIGNALS:  # cleanup after the first signal is not cut short by a second
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block (main thread only)."""
    previous = {s: signal.signal(s, _raise) for s in SIGNALS} if _main_thread() else {}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done; a signal that arrived meanwhile is raised after it.

    (Not ``pthread_sigmask``: a process-wide signal would go to another thread, such as tqdm's monitor.)
    """
    if not _main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def children_leave_ctrl_c() -> Iterator[None]:
    """Worker processes started inside the block leave Ctrl-C to this process.

    A terminal's Ctrl-C reaches the whole process group; a worker that took it would print a
    traceback of its own. Inside the block this process ignores SIGINT, so a child spawned there
    inherits "ignore" from its first instruction (a spawned child keeps an ignored signal ignored,
    while importing too, and Python then installs no KeyboardInterrupt of its own).
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def worker_pool(workers: int, mp_context) -> ProcessPoolExecutor:
    """A process pool whose workers leave Ctrl-C to this process (:func:`children_leave_ctrl_c`; the initializer
    makes sure of it). Stop it with :func:`abandon` on an interrupt."""
    with children_leave_ctrl_c():
        pool = ProcessPoolExecutor(workers, mp_context=mp_context, initializer=_ignore_ctrl_c)
        for _ in range(workers):  # with spawn, each submit to a busy pool starts one more worker
            pool.submit(int)
    return pool


def abandon(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: cancel what has not started and end the workers (after an interrupt)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again (Python docs, signal)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout has no descriptor (captured in tests): nothing will flush to the pipe


def message(signum: int) -> str:
    """The one line printed for an interrupt by ``signum``."""
    what = "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"stopped ({signal.Signals(signum).name})"
    return f"{what}: {_note or 'nothing was saved'}"


def guard(command: Callable[[], int]) -> int:
    """Run ``command`` with signals handled; its status, or the signal's."""
    saved(None)
    with handled():
        try:
            return command()
        except KeyboardInterrupt as error:
            signum = getattr(error, "signum", signal.SIGINT)
            try:
                print(message(signum), file=sys.stderr, flush=True)
            except OSError:
                pass
            return 128 + signum
        except BrokenPipeError:
            _quiet_stdout()
            return BROKEN_PIPE_STATUS
        finally:
            saved(None)
