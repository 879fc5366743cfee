"""HTTP client libraries (requests, httpx, urllib3, aiohttp, urllib): what another service answers
is not the client's request data, even when the request to it was built from that data.

Without this model an unknown call passes its arguments' labels to its result, so a profile
fetched from a third-party API by a user name the client gave looked client-chosen (DG103, DG301
on attributes the client never sent).
"""

from __future__ import annotations

from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import Value

_CLIENTS = frozenset({"requests", "httpx", "urllib3", "aiohttp", "urllib"})


class HttpClients(Model):
    name = "http-clients"
    packages = _CLIENTS

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        # Every call of these libraries (a request, a session, a response's ``.json()``) yields
        # data from elsewhere: none of the arguments' request labels. ``urllib.parse`` only
        # rewrites what it is given (``quote(name)`` is still the client's name).
        if name.startswith("ext:urllib.") and not name.startswith("ext:urllib.request."):
            return None
        return Value()


MODEL = HttpClients()
