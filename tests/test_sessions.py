"""A page whose websocket reconnects under load (viz/sessions.py): no traceback, and culled once its tab vanishes."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("solara", reason="the app extra is not installed")
# A kernel context made outside a server asks for an event loop, which Python 3.12 warns about inside Solara.
pytestmark = pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")


def test_a_page_that_reconnected_is_disconnected_when_its_last_socket_ends_and_then_culled(monkeypatch):
    from solara.server import kernel, kernel_context, settings

    from viz import sessions

    sessions.install()
    monkeypatch.setattr(settings.kernel, "cull_timeout", "0.5s")
    context = kernel_context.VirtualKernelContext(id="test-reconnect", kernel=kernel.Kernel(), session_id="session")
    culled = threading.Event()
    monkeypatch.setattr(context, "close", lambda reason="unknown": culled.set() if reason == "cull" else None)  # (a test kernel cannot shut down)
    context.page_connect("page")  # the page's socket
    context.page_connect("page")  # a busy server: the browser opened a new socket before the old one ended
    context.page_disconnect("page")  # the old one ends; the new one is live
    assert context.page_status["page"] == kernel_context.PageStatus.CONNECTED
    context.page_disconnect("page")  # the tab vanished without closing (Solara 1.58.2 alone: AssertionError here)
    assert context.page_status["page"] == kernel_context.PageStatus.DISCONNECTED
    assert culled.wait(30)  # culled: its model can be freed


def test_a_socket_refused_by_a_closed_kernel_disconnects_nothing():
    from solara.server import kernel, kernel_context

    from viz import sessions

    sessions.install()
    context = kernel_context.VirtualKernelContext(id="test-closed", kernel=kernel.Kernel(), session_id="session")
    context.page_connect("page")
    context.page_disconnect("page")
    context.closed_event.set()  # culled (a test kernel cannot shut down)
    with pytest.raises(RuntimeError):
        context.page_connect("page")  # the browser comes back after the cull: refused
    context.page_disconnect("page")  # and the server's cleanup of that socket raises nothing
