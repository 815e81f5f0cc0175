"""Work started at the same instant on separate connections."""

import threading
from collections.abc import Callable

from django.db import connections


def run_together(workers: list[Callable[[], object]]) -> list[object]:
    """Start every worker at the same instant, each on its own connection; return what each
    returned or raised."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(i: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a worker hung"
    return results
