"""GraphQL responses as bytes: UTF-8 JSON in one pass, and what orjson refuses still
written, escaped (never half a surrogate pair on the wire)."""

from __future__ import annotations

import json

from graph_crm.api.endpoint import response_bytes


def test_text_is_utf8_not_escaped_and_reads_back() -> None:
    data = {"data": {"customer": {"name": "上海通关服务有限公司", "score": 0.25, "n": 3}}}
    written = response_bytes(data)
    assert "上海通关服务有限公司".encode() in written
    assert json.loads(written) == data


def test_a_lone_surrogate_is_escaped_not_sent_as_half_a_pair() -> None:
    data = {"data": {"note": "a\ud800b"}}
    written = response_bytes(data)
    written.decode("utf-8")  # valid UTF-8
    assert b"\\ud800" in written
    assert json.loads(written) == data


def test_an_integer_past_64_bits_is_written_exactly() -> None:
    data = {"data": {"big": 2**70}}
    assert json.loads(response_bytes(data)) == data
