"""Spread a build's per-page work over the machine's cores, with `fork`.

Parsing and rendering thousands of pages is pure Python, so threads would not help.
A forked child starts with the parent's whole state (the model, the compiled
templates) for free, works on its share and sends back plain results through a pipe,
so nothing needs to be rebuilt or shipped to it. Anything unusual (no `fork`, one
core, a child that fails or dies) falls back to doing the work in this process, which
gives the same result: children only ever save time.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence

MIN_ITEMS = 64  # below this, forking costs more than it saves


def workers() -> int:
    """How many processes to use: EXPLAINER_JOBS, else the cores this process may use."""
    try:
        jobs = int(os.environ.get("EXPLAINER_JOBS", "0"))
    except ValueError:
        jobs = 0
    if jobs <= 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(jobs, 8))


def fork_map(work: Callable[[Sequence], list], items: Sequence, jobs: int) -> list:
    """`work(items)`, computed in up to `jobs` processes; the results in items' order.

    `work` takes a share of the items and returns one picklable result per item.
    """
    if jobs <= 1 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return work(items)
    shares = [items[i::jobs] for i in range(jobs)]
    children = [_start(work, share) for share in shares[1:]]
    results = [work(shares[0])]
    for (pid, reader), share in zip(children, shares[1:], strict=True):
        results.append(_collect(pid, reader, work, share))
    merged = [None] * len(items)
    for i, result in enumerate(results):
        merged[i::jobs] = result
    return merged


def _start(work: Callable, share: Sequence) -> tuple[int, int]:
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any cleanup
        os.close(reader)
        status = 1
        try:
            data = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as out:
                out.write(data)
            status = 0
        except BaseException:  # noqa: BLE001 - the parent redoes this share and reports
            pass
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int, work: Callable, share: Sequence) -> list:
    with os.fdopen(reader, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        try:
            result = pickle.loads(data)  # our own child's bytes, not a file from anywhere
        except Exception:  # noqa: BLE001
            result = None
        if isinstance(result, list) and len(result) == len(share):
            return result
    return work(share)  # the child failed: do it here, so errors are reported as usual
