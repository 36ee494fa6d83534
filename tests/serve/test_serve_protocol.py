"""ember.serve.protocol: every V2 datatype through JSON and the binary extension, both ways,
checked against tritonclient's own encoders and decoders."""
import json

import numpy as np
import pytest

httpclient = pytest.importorskip("tritonclient.http")
pytest.importorskip("starlette")

from ember.serve.protocol import (ProtocolError, decode_inputs, encode_response,  # noqa: E402
                                  requested_outputs, split_body)

TYPES = [("BOOL", np.bool_), ("UINT8", np.uint8), ("UINT16", np.uint16), ("UINT32", np.uint32),
         ("UINT64", np.uint64), ("INT8", np.int8), ("INT16", np.int16), ("INT32", np.int32),
         ("INT64", np.int64), ("FP16", np.float16), ("FP32", np.float32), ("FP64", np.float64)]


def _sample(np_type, shape=(2, 3)):
    rng = np.random.default_rng(0)
    if np_type is np.bool_:
        return rng.random(shape) > 0.5
    if np.issubdtype(np_type, np.integer):
        info = np.iinfo(np_type)
        return rng.integers(max(info.min, -100), min(info.max, 100), shape).astype(np_type)
    return rng.standard_normal(shape).astype(np_type)


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
@pytest.mark.parametrize("datatype,np_type", TYPES, ids=[t for t, _ in TYPES])
def test_request_from_tritonclient_decodes(datatype, np_type, binary):
    a = _sample(np_type)
    i = httpclient.InferInput("a", list(a.shape), datatype)
    i.set_data_from_numpy(a, binary_data=binary)
    body, header_len = httpclient.InferenceServerClient.generate_request_body([i])
    doc, rest = split_body(body, header_len)
    arrays, types = decode_inputs(doc, rest)
    assert types == {"a": datatype}
    assert arrays["a"].dtype == np.dtype(np_type) and arrays["a"].shape == a.shape
    np.testing.assert_array_equal(arrays["a"], a)


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
@pytest.mark.parametrize("datatype,np_type", TYPES, ids=[t for t, _ in TYPES])
def test_response_decodes_in_tritonclient(datatype, np_type, binary):
    a = _sample(np_type, (3, 2))
    body, header_len = encode_response({"model_name": "m", "model_version": "1"},
                                       [("out", datatype, a, binary)])
    res = httpclient.InferResult.from_response_body(body, header_length=header_len)
    got = res.as_numpy("out")
    assert got.shape == a.shape
    np.testing.assert_array_equal(got.astype(a.dtype), a)


def test_bf16_binary_round_trip():
    a = np.array([[1.0, -2.5, 3.140625]], np.float32)     # exact in bfloat16
    raw = (a.view(np.uint32) >> 16).astype("<u2").tobytes()
    doc = {"inputs": [{"name": "a", "datatype": "BF16", "shape": [1, 3],
                       "parameters": {"binary_data_size": len(raw)}}]}
    head = json.dumps(doc).encode()
    arrays, _ = decode_inputs(*split_body(head + raw, len(head)))
    np.testing.assert_array_equal(arrays["a"], a)
    body, n = encode_response({}, [("a", "BF16", a, True)])
    assert body[n:] == raw


def test_requested_outputs_and_errors():
    names = ["a", "b"]
    assert requested_outputs({}, names) == [("a", False), ("b", False)]
    assert requested_outputs({"parameters": {"binary_data_output": True}}, names) == [("a", True), ("b", True)]
    assert requested_outputs({"outputs": [{"name": "b", "parameters": {"binary_data": True}}]},
                             names) == [("b", True)]
    with pytest.raises(ProtocolError, match="classification"):
        requested_outputs({"outputs": [{"name": "a", "parameters": {"classification": 3}}]}, names)
    with pytest.raises(ProtocolError, match="out of the range of UINT8"):
        decode_inputs({"inputs": [{"name": "a", "datatype": "UINT8", "shape": [1], "data": [300]}]}, b"")
    with pytest.raises(ProtocolError, match="BOOL data must be true/false"):
        decode_inputs({"inputs": [{"name": "a", "datatype": "BOOL", "shape": [1], "data": [2]}]}, b"")
    with pytest.raises(ProtocolError, match="not claimed"):
        decode_inputs({"inputs": [{"name": "a", "datatype": "INT8", "shape": [1], "data": [1]}]}, b"xx")
