"""The cyclic garbage collector, paused while the process builds what it keeps for its whole life.

Importing the bot and loading a model create hundreds of thousands of objects that live as long as the
process. The collector would walk them again and again meanwhile: about 0.1 CPU-second of a restart's 0.8
spent importing, and a quarter of a second at a time, holding the interpreter lock, while torch imports.
So it is paused for that work, and when the last pause ends the objects that exist then are frozen (left out
of every later full collection) and the collector runs again as before. Pauses nest, from any thread: the
start-up (`main.py` until the bot is assembled) and a model load may overlap in either order.
The few cycles that become garbage meanwhile (about 2,000 objects for a whole start) are frozen with the rest.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_enabled_before = False
_start_up = False


def _pause() -> None:
    global _pauses, _enabled_before
    if _pauses == 0:
        _enabled_before = gc.isenabled()
        gc.disable()
    _pauses += 1


def _resume() -> None:
    global _pauses
    _pauses -= 1
    if _pauses == 0:
        gc.freeze()
        if _enabled_before:
            gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused for the block (a model load)."""
    with _lock:
        _pause()
    try:
        yield
    finally:
        with _lock:
            _resume()


def start_up_begins() -> None:
    """Pause the collector until `start_up_ends` (once; `main.py` calls it before its imports)."""
    global _start_up
    with _lock:
        if not _start_up:
            _start_up = True
            _pause()


def start_up_ends() -> None:
    """The bot is assembled (or the command line runs something else): the start-up's pause ends. Does
    nothing when no start-up pause began (the bot started from tests or another program)."""
    global _start_up
    with _lock:
        if _start_up:
            _start_up = False
            _resume()


def is_paused() -> bool:
    with _lock:
        return _pauses > 0
