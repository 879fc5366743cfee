"""Hostile servers: each behaviour of tests/hostile/served.py on every path, on the API's
operations only, on its items only, or on the identities' login, one case each; and
``scan_case``, which scans one and judges how the scan ended.

The servers campaign (bench/hostile/servers.py) and the slow tests scan each case read-only and
active; tests/hostile/test_servers.py keeps one fast regression per kind.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from tests.hostile.scan_runs import IDENTITIES, Bounds, scan_judged
from tests.hostile.served import BEHAVIOURS, HostileServer
from tests.hostile.spec_cases import base_swagger

SPEC = json.dumps(base_swagger()).encode()
"""What every case scans (Swagger 2.0, its operations under /v1)."""

LOGIN_CONFIG = "".join(
    f"""
[[scan.identities]]
name = "{name}"
[scan.identities.login]
path = "/login"
body = {{ user = "{name}" }}
token = "/token"
header = "X-User"
prefix = ""
"""
    for name in ("alice", "bob")
)
"""Identities that log in at /login (where a login case puts its behaviour)."""

PLACES = {
    "everywhere": "/",
    "operations": "/v1/",
    "items": "/v1/pets/",
    "login": "/login",
}
"""Where a behaviour replaces the trivial API, by the case's place."""


@dataclass(frozen=True)
class ServerCase:
    """One behaviour in one place."""

    behaviour: str
    place: str
    routes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.behaviour} {self.place}"

    @property
    def login(self) -> bool:
        return self.place == "login"


def cases() -> Iterator[ServerCase]:
    """Every hostile behaviour in every place: each behaviour once, in a place that turns from
    one behaviour to the next, before any behaviour comes again (a prefix sees all kinds)."""
    hostile = [name for name in BEHAVIOURS if name not in ("api", "spec")]
    places = list(PLACES.items())
    for turn in range(len(places)):
        for index, name in enumerate(hostile):
            place, prefix = places[(index + turn) % len(places)]
            yield ServerCase(name, place, {prefix: name})


def first(count: int) -> list[ServerCase]:
    return list(islice(cases(), count))


BOUNDS = Bounds(max_time=8.0, timeout=1.0, seconds=30.0)
"""Time enough for --max-time, cleanup and start-up."""


def scan_case(case: ServerCase, active: bool) -> str:
    """ "" when the scan of ``case``'s server ended cleanly, else what went wrong, labelled."""
    with (
        HostileServer(case.routes) as target,
        tempfile.TemporaryDirectory(prefix="dg-server-") as folder,
    ):
        spec = Path(folder) / "spec.json"
        spec.write_bytes(SPEC)
        args = [target.url, "--spec", str(spec), *([] if case.login else IDENTITIES)]
        config = LOGIN_CONFIG if case.login else ""
        return scan_judged(case.label, args, active, BOUNDS, config=config)
