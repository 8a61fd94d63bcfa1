"""``skfeat.io.export_onnx``: the graph computes what the fitted model computes.

Every field estimator's graph, run by onnxruntime on the raw rows (unseen and
missing categories, missing and extreme numbers), gives ``predict_proba`` /
``predict`` within 1e-5; the encoding part of the graph gives exactly
``encode_inputs`` for every encoder option that can be exported; the options
that cannot raise an error naming them; the file loads in a process where
torch and skfeat cannot be imported. Skipped without onnxruntime, onnx and
onnxscript (the ``onnx`` extra).
"""

import json
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxscript")

from sklearn.exceptions import NotFittedError  # noqa: E402

from skfeat.io import export_onnx, onnx_inputs  # noqa: E402
from skfeat.models import (  # noqa: E402
    AutoIntClassifier,
    DCNClassifier,
    DCNv3Classifier,
    DeepFMClassifier,
    DeepFMRegressor,
    DNNClassifier,
    FiGNNClassifier,
    FinalMLPClassifier,
    FinalNetClassifier,
    FMClassifier,
    FMRegressor,
    FwFMClassifier,
    VAEClassifier,
    WideDeepClassifier,
)

TOL = 1e-5
SMALL = dict(max_epochs=1, embed_dim=4, random_state=0, early_stopping=False)
DEEP = dict(SMALL, hidden_units=(8,))


def _frame(n, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "city": pd.Categorical(rng.choice(["paris", "rome", "oslo", "lima"], n)),
            "user": np.where(  # missing in fit: the field has a missing id
                rng.random(n) < 0.05,
                None,
                rng.choice([f"u{i}" for i in range(30)], n).astype(object),
            ),
            "age": rng.normal(40, 10, n),
            "item": rng.integers(0, 6, n),  # integer codes (from_dtype)
            "member": rng.random(n) < 0.5,
            "income": rng.lognormal(10, 1, n),
        }
    )


def _target(X, seed=0):
    rng = np.random.default_rng(seed)
    logit = (X["city"] == "rome") * 1.5 - (X["age"] - 40) / 10 + X["member"]
    return (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)


def _hard_rows(X):
    """Rows with unseen and missing categories, missing and extreme numbers."""
    rows = X.iloc[:12].copy()
    rows["user"] = rows["user"].astype(object)
    rows["city"] = rows["city"].astype(object)
    rows.iloc[0, rows.columns.get_loc("city")] = None  # missing category
    rows.iloc[1, rows.columns.get_loc("city")] = "tokyo"  # unseen
    rows.iloc[2, rows.columns.get_loc("user")] = "u999"  # unseen
    rows.iloc[3, rows.columns.get_loc("user")] = np.nan  # missing
    rows.iloc[4, rows.columns.get_loc("age")] = np.nan  # missing number
    rows.iloc[5, rows.columns.get_loc("age")] = 3e38  # clipped
    rows.iloc[6, rows.columns.get_loc("income")] = -0.0
    rows.iloc[7, rows.columns.get_loc("item")] = 77  # unseen code
    return rows


@pytest.fixture(scope="module")
def data():
    X = _frame(300)
    return X, _target(X)


def _run(path_or_model, feed, extra_outputs=()):
    """Run a graph, with some of its inner tensors as further outputs."""
    model = path_or_model
    if not isinstance(model, onnx.ModelProto):
        model = onnx.load_model(str(model))
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for name, elem in extra_outputs:
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, elem, None))
    session = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, feed)


def _expected(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clipping and type-change warnings
        if hasattr(model, "predict_proba"):
            return model.predict(X), model.predict_proba(X)
        return (model.predict(X),)


MODELS = [
    (FMClassifier, SMALL),
    (FwFMClassifier, SMALL),
    (DNNClassifier, DEEP),
    (WideDeepClassifier, DEEP),
    (DeepFMClassifier, DEEP),
    (DCNClassifier, DEEP),
    (AutoIntClassifier, DEEP),
    (FinalMLPClassifier, SMALL),
    (FiGNNClassifier, dict(SMALL, gnn_layers=2)),
    (VAEClassifier, SMALL),
    (DCNv3Classifier, SMALL),
    (FinalNetClassifier, SMALL),
    (FMRegressor, SMALL),
    (DeepFMRegressor, DEEP),
]


@pytest.mark.parametrize(
    "Model, params", MODELS, ids=[Model.__name__ for Model, _ in MODELS]
)
def test_every_field_model_matches_its_predictions(Model, params, data, tmp_path):
    X, y = data
    y = y if hasattr(Model, "predict_proba") else X["age"].to_numpy() * 2.0 + y
    model = Model(**params).fit(X, y)
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    rows = _hard_rows(X)
    got = _run(path, onnx_inputs(path, rows))
    expected = _expected(model, rows)
    assert len(got) == len(expected)
    if len(expected) == 2:
        np.testing.assert_array_equal(got[0], expected[0])
        assert got[1].shape == expected[1].shape
    np.testing.assert_allclose(got[-1], expected[-1], rtol=0, atol=TOL)


def _encoded(path, model, rows, vector=False):
    """The graph's encoded tensors and the model's ``encode_inputs``."""
    names = [("net/cat", onnx.TensorProto.INT64), ("net/num", onnx.TensorProto.FLOAT)]
    if vector:
        names.append(("net/vec", onnx.TensorProto.FLOAT))
    got = _run(path, onnx_inputs(path, rows), names)[-len(names) :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model.encode_inputs(rows)
    return got, [expected[k].numpy() for k in ("cat", "num", "vec")[: len(names)]]


def test_encoding_is_exact_for_every_kind_of_column(data, tmp_path):
    # string and integer vocabularies, booleans, min_frequency's shared id,
    # unseen and missing values, standardised, missing and clipped numbers
    X, y = data
    model = FMClassifier(min_frequency=8, **SMALL).fit(X, y)
    assert set(model.feature_kinds_) == {"categorical", "integer codes", "numeric"}
    path = tmp_path / "fm.onnx"
    export_onnx(model, path)
    types = {i.name: i.type for i in ort.InferenceSession(path).get_inputs()}
    assert types == {
        "city": "tensor(string)",
        "user": "tensor(string)",
        "age": "tensor(double)",
        "item": "tensor(double)",
        "member": "tensor(double)",
        "income": "tensor(double)",
    }
    rows = pd.concat([_hard_rows(X), X], ignore_index=True)
    got, expected = _encoded(path, model, rows)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])  # bit for bit
    assert (expected[0][:, 1] == 2).any()  # a rare user shares the infrequent id
    assert (expected[0][:, 1] == 0).any()  # a missing user has the missing id


def test_numeric_bins_are_exact(data, tmp_path):
    X, y = data
    X = X.assign(flat=1.0, empty=np.nan)  # one bin; no edge at all
    model = DeepFMClassifier(numeric_bins=5, **DEEP).fit(X, y)
    path = tmp_path / "binned.onnx"
    export_onnx(model, path)
    rows = _hard_rows(X)
    age = list(X.columns).index("age")
    edges = model.encoder_.binner_.edges_[
        list(model.encoder_.binner_.columns).index(age)
    ]
    values = [-1e300, 0.0, 1e300, np.nan, *edges, *np.nextafter(edges, -np.inf)]
    rows = pd.concat([rows] + [rows.iloc[:1].assign(age=v) for v in values])
    rows = pd.concat([rows, X.iloc[:100]], ignore_index=True)
    got, expected = _encoded(path, model, rows)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(
        _run(path, onnx_inputs(path, rows))[1],
        _expected(model, rows)[1],
        rtol=0,
        atol=TOL,
    )


@pytest.mark.parametrize("vector_inputs", ["columns", "fields"])
def test_vector_fields_are_float_inputs(data, tmp_path, vector_inputs):
    X, y = data
    rng = np.random.default_rng(1)
    emb = pd.DataFrame(rng.normal(size=(len(X), 3)), columns=["e0", "e1", "e2"])
    X = pd.concat([X, emb], axis=1)
    model = FMClassifier(vector_features={"emb": ["e0", "e1", "e2"]}, **SMALL)
    model = model.fit(X, y)
    path = tmp_path / "vec.onnx"
    export_onnx(model, path, vector_inputs=vector_inputs)
    shapes = {i.name: i.shape for i in ort.InferenceSession(path).get_inputs()}
    if vector_inputs == "fields":
        assert shapes["emb"] == ["batch", 3] and "e0" not in shapes
    else:
        assert shapes["e0"] == ["batch"] and "emb" not in shapes
    rows = X.iloc[:20].copy()
    rows.iloc[0, rows.columns.get_loc("e1")] = np.nan
    rows.iloc[1, rows.columns.get_loc("e2")] = 1e30
    got, expected = _encoded(path, model, rows, vector=True)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_arrays_multiclass_and_text_labels(tmp_path):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 5, 300).astype(float), rng.normal(size=300)])
    y = np.array(["low", "mid", "high"])[(X[:, 0] + (X[:, 1] > 0)).astype(int) % 3]
    model = DeepFMClassifier(categorical_features=[0], **DEEP).fit(X, y)
    path = tmp_path / "multi.onnx"
    export_onnx(model, path)
    rows = np.vstack([X[:20], [[9.0, 0.5], [np.nan, np.nan]]])
    label, proba = _run(path, onnx_inputs(path, rows))
    np.testing.assert_array_equal(label, model.predict(rows))
    np.testing.assert_allclose(proba, model.predict_proba(rows), rtol=0, atol=TOL)


def test_inputs_from_a_session_equal_the_inputs_from_the_file(data, tmp_path):
    X, y = data
    X = X.assign(e0=X["age"] / 10, e1=X["income"] / 1e4)
    model = FMClassifier(vector_features={"emb": ["e0", "e1"]}, **SMALL).fit(X, y)
    rows = _hard_rows(X.drop(columns=["e0", "e1"])).join(X[["e0", "e1"]])
    for vector_inputs in ("columns", "fields"):
        path = tmp_path / f"{vector_inputs}.onnx"
        export_onnx(model, path, vector_inputs=vector_inputs)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        by_file, by_session = onnx_inputs(path, rows), onnx_inputs(session, rows)
        names = [i.name for i in session.get_inputs()]
        assert list(by_session) == list(by_file) == names
        for name, values in by_file.items():
            assert by_session[name].dtype == values.dtype
            np.testing.assert_array_equal(by_session[name], values)
        np.testing.assert_allclose(
            session.run(None, by_session)[1], model.predict_proba(rows), atol=TOL
        )


def test_float32_precision_stays_within_tolerance(data, tmp_path):
    X, y = data
    model = DeepFMClassifier(**DEEP).fit(X, y)
    rows = _hard_rows(X)
    paths = [tmp_path / f"{p}.onnx" for p in ("float64", "float32")]
    for path in paths:
        export_onnx(model, path, precision=path.stem)
    (_, p64), (_, p32) = (_run(path, onnx_inputs(path, rows)) for path in paths)
    expected = _expected(model, rows)[1]
    np.testing.assert_allclose(p64, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p32, expected, rtol=0, atol=TOL)
    assert np.abs(p32 - expected).max() > 0  # the float32 graph is another one
    with pytest.raises(ValueError, match="precision"):
        export_onnx(model, paths[0], precision="float16")


def test_compressed_models_export(data, tmp_path):
    from skfeat.compress import prune_embeddings, quantize_embeddings

    X, y = data
    model = DeepFMClassifier(**DEEP).fit(X, y)
    small = quantize_embeddings(prune_embeddings(model, keep=0.5, X=X), bits=4)
    path = tmp_path / "small.onnx"
    export_onnx(small, path)
    rows = _hard_rows(X)
    proba = _run(path, onnx_inputs(path, rows))[1]
    np.testing.assert_allclose(proba, _expected(small, rows)[1], rtol=0, atol=TOL)


@pytest.mark.parametrize("kind", ["numeric", "categorical"])
def test_models_with_one_kind_of_column(kind, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    if kind == "categorical":
        X = np.round(X).astype(object).astype(str)
    y = (rng.random(200) < 0.5).astype(float) + X[:, 0].astype(float)
    features = "all" if kind == "categorical" else None
    model = DeepFMRegressor(categorical_features=features, **DEEP).fit(X, y)
    assert set(model.feature_kinds_) == {kind}
    path = tmp_path / f"{kind}.onnx"
    export_onnx(model, path)
    (prediction,) = _run(path, onnx_inputs(path, X[:20]))
    np.testing.assert_allclose(prediction, model.predict(X[:20]), rtol=0, atol=TOL)


def test_graph_without_encoding_takes_encoded_inputs(data, tmp_path):
    X, y = data
    model = DeepFMClassifier(**DEEP).fit(X, y)
    path = tmp_path / "net.onnx"
    export_onnx(model, path, encoding=False)
    rows = _hard_rows(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feed = {k: v.numpy() for k, v in model.encode_inputs(rows).items()}
    label, proba = _run(path, feed)
    np.testing.assert_allclose(proba, _expected(model, rows)[1], rtol=0, atol=TOL)
    with pytest.raises(ValueError, match="raw columns"):
        onnx_inputs(path, rows)


def test_options_that_cannot_be_exported_raise(data, tmp_path):
    X, y = data
    path = tmp_path / "x.onnx"
    hashed = FMClassifier(categorical_encoding="hash", hash_buckets=50, **SMALL)
    with pytest.raises(ValueError, match='categorical_encoding="hash"'):
        export_onnx(hashed.fit(X, y), path)
    with_empty = X.assign(user=X["user"].where(X.index % 7 > 0, ""))
    model = FMClassifier(**SMALL).fit(with_empty, y)
    with pytest.raises(ValueError, match="'user'.*missing_string"):
        export_onnx(model, path)
    export_onnx(model, path, missing_string="<NA>")  # another marker works
    big = X.assign(item=np.where(X.index % 2, 2**60, 3).astype(np.int64))
    with pytest.raises(ValueError, match="'item'.*2\\*\\*53"):
        export_onnx(FMClassifier(**SMALL).fit(big, y), path)
    with pytest.raises(ValueError, match="vector_inputs"):
        export_onnx(model, path, vector_inputs="rows")
    sparse = FMClassifier(**SMALL).fit(sp.csr_matrix(np.eye(20)), np.arange(20) % 2)
    with pytest.raises(TypeError, match="sparse"):
        export_onnx(sparse, path)
    with pytest.raises(NotFittedError):
        export_onnx(FMClassifier(), path)
    assert not path.exists() or path.stat().st_size > 0


# a fresh interpreter that cannot import torch, skfeat, scikit-learn or pandas:
# what a serving process with onnxruntime alone has
_BLOCKER = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class Blocked(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"torch", "skfeat", "sklearn", "pandas",
                                      "skorch", "onnxscript"}:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)")
            return None

    sys.meta_path.insert(0, Blocked())
    """
)
_SERVE = _BLOCKER + textwrap.dedent(
    """
    import numpy as np
    import onnxruntime as ort

    path, request_path = sys.argv[1], sys.argv[2]
    request = dict(np.load(request_path, allow_pickle=True))
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    label, proba = session.run(None, request)
    blocked = [m for m in ("torch", "skfeat", "sklearn") if m in sys.modules]
    print(json.dumps({"proba": proba.tolist(), "loaded": blocked}))
    """
)


def _run_blocked(code, *args, cwd=None):
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_file_serves_without_torch_or_skfeat(data, tmp_path):
    X, y = data
    model = DeepFMClassifier(**DEEP).fit(X, y)
    path = tmp_path / "deepfm.onnx"
    export_onnx(model, path)
    rows = _hard_rows(X)
    request = tmp_path / "request.npz"
    np.savez(request, **onnx_inputs(path, rows))
    out = _run_blocked(_SERVE, path, request)
    assert out["loaded"] == []
    np.testing.assert_allclose(
        np.array(out["proba"]), _expected(model, rows)[1], rtol=0, atol=TOL
    )


GUIDE = Path(__file__).resolve().parents[1] / "docs/user_guide/serving_and_privacy.rst"


def _recipe_blocks():
    """The code blocks of the user guide's "Serving with ONNX" section."""
    text = GUIDE.read_text().split("Serving with ONNX\n-----------------\n", 1)[1]
    section = re.split(r"\n[^\n]+\n-{3,}\n", text, maxsplit=1)[0]
    blocks = re.findall(r"\.\. code-block:: python\n\n((?: {4}.*\n|\n)+)", section)
    return [textwrap.dedent(block) for block in blocks]


def test_user_guide_recipe_serves_without_torch(tmp_path, monkeypatch):
    from skfeat.datasets import make_interaction_classification

    X, y, _ = make_interaction_classification(
        600, 6, cardinality=16, interaction_strength=1.5, random_state=0
    )
    fm = FMClassifier(**SMALL).fit(X, y)
    export, serve = _recipe_blocks()
    monkeypatch.chdir(tmp_path)
    exec(export, {"fm": fm})
    dump = textwrap.dedent(
        """
        print(json.dumps({
            "request": {k: v.tolist() for k, v in request.items()},
            "proba": proba.tolist(),
            "loaded": [m for m in ("torch", "skfeat", "sklearn") if m in sys.modules],
        }))
        """
    )
    out = _run_blocked(_BLOCKER + serve + dump, cwd=tmp_path)
    assert out["loaded"] == []
    rows = pd.DataFrame(out["request"]).replace("", None)
    assert rows["f5"].tolist()[-1] not in set(X["f5"])  # an unseen candidate
    np.testing.assert_allclose(
        np.array(out["proba"]), _expected(fm, rows)[1], rtol=0, atol=TOL
    )
