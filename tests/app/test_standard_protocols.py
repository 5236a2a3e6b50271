"""TensorFlow Serving REST and KServe v2 shapes, through the real app and the committed model."""

from __future__ import annotations

import base64

import numpy as np
import orjson
import pytest

from tests.app.images import drawing, encode
from tests.app.test_api import keras_probabilities


@pytest.fixture(scope="module")
def rows(served) -> np.ndarray:
    return served.misses.images[:3].astype(np.float32) / 255.0


# --------------------------------------------------------------------------- TensorFlow Serving


def test_tf_serving_status_and_metadata(client):
    status = client.get("/v1/models/lstm").json()
    assert status == {
        "model_version_status": [{"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]
    }
    assert client.get("/v1/models/lstm/versions/1").json() == status
    signature = client.get("/v1/models/lstm/metadata").json()["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert [d["size"] for d in signature["inputs"]["rows"]["tensor_shape"]["dim"]] == ["-1", "28", "28"]
    assert [d["size"] for d in signature["outputs"]["probabilities"]["tensor_shape"]["dim"]] == ["-1", "10"]


def test_tf_serving_row_format(client, served, rows):
    answer = client.post("/v1/models/lstm:predict", json={"instances": rows.tolist()}).json()
    np.testing.assert_allclose(answer["predictions"], keras_probabilities(served, rows), atol=1e-5)
    named = client.post("/v1/models/lstm:predict", json={"instances": [{"rows": r.tolist()} for r in rows]}).json()
    assert named["predictions"] == answer["predictions"]
    versioned = client.post(
        "/v1/models/lstm/versions/1:predict", json={"signature_name": "serving_default", "instances": rows.tolist()}
    )
    assert versioned.json()["predictions"] == answer["predictions"]


def test_tf_serving_columnar_format(client, served, rows):
    expected = keras_probabilities(served, rows)
    for inputs in (rows.tolist(), {"rows": rows.reshape(3, 784).tolist()}):
        answer = client.post("/v1/models/lstm:predict", json={"inputs": inputs}).json()
        np.testing.assert_allclose(answer["outputs"], expected, atol=1e-5)


def test_tf_serving_b64_images_go_through_the_mnist_framing(client):
    b64 = base64.b64encode(encode(drawing())).decode()
    answer = client.post("/v1/models/lstm:predict", json={"instances": [{"b64": b64}, {"rows": {"b64": b64}}]}).json()
    first, second = answer["predictions"]
    assert first == second and int(np.argmax(first)) == 7


@pytest.mark.parametrize(
    ("url", "body", "status", "fragment"),
    [
        ("/v1/models/gpt:predict", {"instances": [[0.0] * 784]}, 404, "unknown model 'gpt'"),
        ("/v1/models/lstm/versions/7:predict", {"instances": [[0.0] * 784]}, 404, "no version 7"),
        ("/v1/models/lstm:predict", {"instances": [[0.0] * 783]}, 422, "shape [1, 783]"),
        ("/v1/models/lstm:predict", {"instances": [[0.0] * 784], "inputs": [[0.0] * 784]}, 400, "exactly one of"),
        ("/v1/models/lstm:predict", {"instances": []}, 400, "no instances"),
        ("/v1/models/lstm:predict", {"signature_name": "other", "instances": [[0.0] * 784]}, 400, "no signature 'other'"),
        ("/v1/models/lstm:predict", {"inputs": {"images": [[0.0] * 784]}}, 400, "unknown tensors"),
        ("/v1/models/lstm:predict", {"instances": [{"b64": "%%%"}]}, 400, "not valid base64"),
    ],
)
def test_tf_serving_errors_are_json_with_an_error_string(client, url, body, status, fragment):
    response = client.post(url, json=body)
    assert response.status_code == status
    assert fragment in response.json()["error"]


# ------------------------------------------------------------------------------------- KServe v2


def test_v2_health_and_metadata(client):
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    assert client.get("/v2").json()["extensions"] == ["binary_tensor_data"]
    meta = client.get("/v2/models/lstm").json()
    assert meta["inputs"] == [{"name": "rows", "datatype": "FP32", "shape": [-1, 28, 28]}]
    assert meta["outputs"] == [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 10]}]
    assert client.get("/v2/models/lstm/versions/1").json() == meta
    assert client.get("/v2/models/lstm/ready").json() == {"name": "lstm", "ready": True}
    assert client.get("/v2/models/other/ready").status_code == 404


def test_v2_infer_json(client, served, rows):
    request = {
        "id": "42",
        "inputs": [{"name": "rows", "shape": [3, 28, 28], "datatype": "FP32", "data": rows.reshape(-1).tolist()}],
    }
    answer = client.post("/v2/models/lstm/infer", json=request).json()
    assert answer["model_name"] == "lstm" and answer["id"] == "42"
    [output] = answer["outputs"]
    assert output["name"] == "probabilities" and output["shape"] == [3, 10] and output["datatype"] == "FP32"
    np.testing.assert_allclose(np.reshape(output["data"], (3, 10)), keras_probabilities(served, rows), atol=1e-5)
    nested = dict(request, inputs=[dict(request["inputs"][0], shape=[3, 784], data=rows.reshape(3, 784).tolist())])
    assert client.post("/v2/models/lstm/versions/1/infer", json=nested).json()["outputs"][0]["data"] == output["data"]


def test_v2_binary_tensor_extension(client, served, rows):
    header = orjson.dumps(
        {
            "inputs": [
                {"name": "rows", "shape": [3, 28, 28], "datatype": "FP32", "parameters": {"binary_data_size": rows.nbytes}}
            ],
            "parameters": {"binary_data_output": True},
        }
    )
    response = client.post(
        "/v2/models/lstm/infer",
        content=header + rows.astype("<f4").tobytes(),
        headers={"Inference-Header-Content-Length": str(len(header)), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200
    length = int(response.headers["inference-header-content-length"])
    meta = orjson.loads(response.content[:length])
    assert meta["outputs"][0]["parameters"]["binary_data_size"] == 120
    probabilities = np.frombuffer(response.content[length:], dtype="<f4").reshape(3, 10)
    np.testing.assert_allclose(probabilities, keras_probabilities(served, rows), atol=1e-5)


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ([{"name": "images", "shape": [1, 784], "datatype": "FP32", "data": [0.0] * 784}], "exactly one input named 'rows'"),
        ([{"name": "rows", "shape": [1, 784], "datatype": "INT8", "data": [0] * 784}], "datatype INT8"),
        ([{"name": "rows", "shape": [1, 27, 28], "datatype": "FP32", "data": [0.0] * 756}], "input shape [1, 27, 28]"),
        ([{"name": "rows", "shape": [2, 784], "datatype": "FP32", "data": [0.0] * 784}], "holds 784 values"),
        ([{"name": "rows", "shape": [1, 784], "datatype": "FP32"}], "no 'data'"),
        ([{"name": "rows", "shape": [1, 784], "datatype": "FP32", "data": [2.0] * 784}], "expected [0, 1]"),
        ([{"name": "rows", "shape": [257, 784], "datatype": "FP32", "data": [0.0] * 784}], "the limit is 256"),
    ],
)
def test_v2_errors(client, inputs, fragment):
    response = client.post("/v2/models/lstm/infer", json={"inputs": inputs})
    assert 400 <= response.status_code < 500
    assert fragment in response.json()["error"]


def test_an_all_zero_input_is_answered_by_the_model_on_tensor_routes_and_marked_empty_on_ours(client, served):
    """As the README says: TF Serving and KServe are tensor APIs and answer every tensor with the model's output,
    as those servers do; /api/predict, made for drawings, marks an empty canvas instead of guessing."""
    zeros = np.zeros((1, 28, 28), np.float32)
    expected = keras_probabilities(served, zeros)
    tf_serving = client.post("/v1/models/lstm:predict", json={"instances": zeros.tolist()}).json()
    np.testing.assert_allclose(tf_serving["predictions"], expected, atol=1e-5)
    v2_request = {"inputs": [{"name": "rows", "shape": [1, 28, 28], "datatype": "FP32", "data": [0.0] * 784}]}
    v2 = client.post("/v2/models/lstm/infer", json=v2_request).json()
    np.testing.assert_allclose(np.reshape(v2["outputs"][0]["data"], (1, 10)), expected, atol=1e-5)
    ours = client.post("/api/predict", json={"pixels": zeros[0].tolist()}).json()
    assert ours["empty"] is True and ours["digit"] is None and ours["probabilities"] == [0.0] * 10
