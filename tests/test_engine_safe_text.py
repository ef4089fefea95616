"""The e5 engine reads any text a member can send: a character its normalisation spells out at length (one
of them is 18 characters long) no longer overruns the engine's buffer and brings the process down."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from knowledge.e5_onnx import model_file, read_packed
from knowledge.embeddings import FRAME_TOKENS, MULTILINGUAL_MODEL, engine_safe, get_encoder

# The engine's buffer: four characters a byte of the text it is given.
ENGINE_CHARACTERS_PER_BYTE = 4
LONG_SPELLING = "\ufdfa"  # ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM: 18 characters in NFKC


def test_every_character_of_the_engines_table_fits_its_buffer_once_made_safe():
    table = read_packed(model_file()).normalisation
    for code_point in table:
        safe = engine_safe(chr(code_point))
        spelled = sum(len(table.get(ord(c), c)) for c in safe)
        assert spelled <= ENGINE_CHARACTERS_PER_BYTE * len(safe.encode("utf-8")), hex(code_point)


def test_a_text_of_few_bytes_always_fits_the_model():
    """The bound that lets a short question skip the tokenizer: no character of the engine's table, made
    safe, normalises to more characters than it has bytes, so a text has at most as many tokens as bytes
    (and the frame's)."""
    table = read_packed(model_file()).normalisation
    for code_point in table:
        safe = engine_safe(chr(code_point))
        assert sum(len(table.get(ord(c), c)) for c in safe) <= len(safe.encode("utf-8")), hex(code_point)


@pytest.mark.slow
def test_the_shortest_texts_that_skip_the_tokenizer_are_within_the_model():
    encoder = get_encoder(MULTILINGUAL_MODEL)
    longest = encoder.max_tokens - FRAME_TOKENS
    for piece in ("a ", "ŉ", "1.", "😀", "株", "x\u200b", "\ufe19", " ", "ǆ "):
        text = (piece * longest)[: longest]
        while len(text.encode("utf-8")) > longest:
            text = text[:-1]
        assert encoder.model.token_count(engine_safe(text), True) <= encoder.max_tokens, repr(piece)
        assert encoder.truncate(text) == (text, False)


def test_only_a_character_spelled_longer_than_its_bytes_is_spelled_out():
    # Text as members write it, and short compatibility spellings (a ligature), reach the engine as they are:
    # their vectors do not change.
    for text in ("school meals", "skolemåltider for børn", "ﬁne ligature", "😀 emoji", "مرحبا", "株式会社"):
        assert engine_safe(text) == text
    assert engine_safe("株式会社 ㍿") == "株式会社 株式会社"  # 3 bytes, 4 characters
    assert engine_safe(f"a {LONG_SPELLING} b") == f"a {unicodedata.normalize('NFKC', LONG_SPELLING)} b"


@pytest.mark.slow
def test_the_engine_reads_a_question_and_a_passage_of_long_spellings():
    """In a process of its own: before, this aborted it ("malloc(): invalid size")."""
    code = (
        "from knowledge.embeddings import get_encoder, MULTILINGUAL_MODEL\n"
        "e = get_encoder(MULTILINGUAL_MODEL)\n"
        f"text = {LONG_SPELLING * 300!r}\n"
        "assert e.encode_query(text).shape == (384,)\n"
        "assert e.truncate(text * 10)[1]\n"
        "assert e.encode([text, 'school meals']).shape == (2, 384)\n"
        "print('read')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "read" in done.stdout, done.stderr[-2000:]


@pytest.mark.slow
def test_safe_text_gives_the_vector_the_engine_gave_before():
    encoder = get_encoder(MULTILINGUAL_MODEL)
    question = f"Zeremonie {LONG_SPELLING} und Schulessen"
    import numpy as np

    direct = np.asarray(encoder.model.query(question), dtype=np.float32)  # one of them is within the buffer
    assert float(encoder.encode_query(question) @ direct) > 0.999
