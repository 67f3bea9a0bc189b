"""Giving the C heap's free memory back to the operating system before a large decode (glibc's malloc_trim).

Why: memory that earlier jobs freed but the process kept — glibc keeps freed heap pages resident for later
allocations, and a model's memory arena keeps its buffers (the text detector's feature maps at 800 px: ~100-200
MiB, adapters/ml/text_reader.py) — is memory no one uses, yet a large decode's pixels (allocated with mmap,
beside it) come on top of it: the worker's peak on the memory-bomb files was 1035-1063 MiB with text reading on,
over the 1 GB promise (docs/reliability.md). So before such a decode every registered releaser gives its cache
back to the C heap, and the heap gives its free pages back to the system. It costs well under a millisecond and,
later, the page faults to get the memory back; it is done only where the decode is large (`media/decode.py`),
so an ordinary photo pays nothing.

Elsewhere than glibc (musl, macOS) there is no malloc_trim: only the releasers run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

log = logging.getLogger("cloudalbum.heap")

TRIM_BEFORE_DECODE_BYTES = 64 * 2**20  # a decode needing this much or more first gives the free heap back


@cache
def _malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_releasers: list[weakref.WeakMethod[Callable[[], None]]] = []


def register_releaser(method: Callable[[], None]) -> None:
    """A bound method that gives a cache (a model's arena) back to the C heap; held weakly: it goes with its
    object."""
    _releasers.append(weakref.WeakMethod(method))


def release_free_heap() -> bool:
    """Run every live releaser, then return the C heap's free pages to the operating system; False where the C
    library cannot."""
    _releasers[:] = [ref for ref in _releasers if ref() is not None]
    for ref in list(_releasers):
        release = ref()
        if release is not None:
            try:
                release()
            except Exception:  # a cache that cannot be released costs memory, never the decode
                log.warning("a memory releaser failed", exc_info=True)
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
