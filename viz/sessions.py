"""A page that reconnects under load: counted disconnected only when its last websocket ends.

On a busy machine a browser can lose its page's websocket and open a new one for the same page
while the server is still finishing with the old one. Solara 1.58.2 then marks the page
disconnected when the old socket ends, though the new one is live, and when the new one ends it
fails an assertion ("cannot disconnect a page that is in state: DISCONNECTED"): a traceback in the
server's output, and no cull scheduled, so if that tab then vanishes without closing, its kernel
and its model are never freed. :func:`install` counts each page's open sockets, and passes a
disconnect on to Solara only when the last one ends.
"""

from __future__ import annotations

import threading

from solara.server import kernel_context

_open: dict[tuple[str, str], int] = {}  # (kernel id, page id) -> its websockets open now
_lock = threading.Lock()


def _page_connect(connect):
    def page_connect(self, page_id: str):
        connect(self, page_id)  # raises for a closed kernel or page: then this socket was never open
        with _lock:
            _open[self.id, page_id] = _open.get((self.id, page_id), 0) + 1

    return page_connect


def _page_disconnect(disconnect):
    def page_disconnect(self, page_id: str):
        with _lock:
            sockets = _open.pop((self.id, page_id), 0)
            if sockets > 1:  # another socket of this page is still open: the page is connected
                _open[self.id, page_id] = sockets - 1
                return None
        if sockets == 0 and self.page_status.get(page_id) == kernel_context.PageStatus.DISCONNECTED:
            return None  # a socket that never connected (its kernel had closed): nothing to disconnect
        return disconnect(self, page_id)

    return page_disconnect


def install() -> None:
    """Count the sockets of every page of this server (once; called by ``app.py``)."""
    cls = kernel_context.VirtualKernelContext
    if not getattr(cls, "_sockets_counted", False):
        cls.page_connect = _page_connect(cls.page_connect)
        cls.page_disconnect = _page_disconnect(cls.page_disconnect)
        cls._sockets_counted = True
