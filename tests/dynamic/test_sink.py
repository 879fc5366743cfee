"""The finding sink is shared by the scan's worker threads: reads of it hold its lock."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from dynaguard.dynamic.context import FindingSink
from dynaguard.model import Endpoint


class _Watched(dict[str, Any]):
    """A findings dict that records whether its values were read under the sink's lock."""

    sink: FindingSink | None = None
    unlocked_reads = 0

    def values(self) -> Any:
        assert self.sink is not None
        if not self.sink.lock.locked():
            type(self).unlocked_reads += 1
        return super().values()


def test_counting_an_endpoints_proofs_holds_the_lock_other_tasks_add_under() -> None:
    watched = _Watched()
    sink = FindingSink(on_finding=lambda _: None, findings=watched)
    watched.sink = sink
    orders = Endpoint("GET", "/orders/{id}")
    watched["a"] = SimpleNamespace(endpoint=orders)
    watched["b"] = SimpleNamespace(endpoint=orders)
    watched["c"] = SimpleNamespace(endpoint=Endpoint("POST", "/orders"))
    assert sink.found_on(orders) == 2
    assert sink.found_on(Endpoint("DELETE", "/orders/{id}")) == 0
    # A task counting while another adds would iterate a dict that changes size: it must
    # read under the lock that add() takes.
    assert _Watched.unlocked_reads == 0
