"""skfeat.io: bit-identical round trips for every estimator, and refusal of
malformed, truncated, tampered or unknown files without executing anything."""

import json
import os
import pickle
import struct

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from skfeat.io import FORMAT_VERSION, load, save
from skfeat.models import FMClassifier
from skfeat.preprocessing import SparseInteractionCoder
from skfeat.utils.discovery import all_estimators
from tests._instances import make_instance

ALL = [cls for _, cls in all_estimators()]


def _data(n=80):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "cat": pd.Categorical(rng.choice(["a", "b", "c", None], size=n)),
            "ids": rng.choice([3, 7, 11], size=n).astype(object),
        }
    )
    y = ((X["num"] > 0) ^ (X["cat"] == "a")).astype(int).to_numpy()
    return X, y


def _fit_and_outputs(cls):
    X, y = _data()
    est = make_instance(cls)
    if "max_epochs" in est.get_params():
        est.set_params(max_epochs=2)
    if cls.__name__ in ("MultVAE", "LightGCN"):
        M = sp.csr_matrix((np.arange(40).reshape(8, 5) % 3 == 0) * 1.0)
        est.fit(M)
        return est, lambda e: e.predict_scores(M)
    if cls is SparseInteractionCoder:
        Xn = np.random.RandomState(0).normal(size=(60, 4))
        est.fit(Xn, y[:60])
        return est, lambda e: e.transform(Xn)
    target = X["num"].to_numpy() + y if "Regressor" in cls.__name__ else y
    est.fit(X, target)
    if hasattr(est, "predict_proba"):
        return est, lambda e: np.column_stack([e.predict_proba(X), e.predict(X)])
    if hasattr(est, "predict"):
        return est, lambda e: e.predict(X)
    return est, lambda e: e.transform(X)


def _dense(a):
    return a.toarray() if sp.issparse(a) else np.asarray(a)


@pytest.mark.parametrize("cls", ALL, ids=[c.__name__ for c in ALL])
def test_round_trip_is_bit_identical(cls, tmp_path):
    est, outputs = _fit_and_outputs(cls)
    path = tmp_path / "model.safetensors"
    save(est, path)
    loaded = load(path)
    assert type(loaded) is type(est)
    assert loaded.get_params().keys() == est.get_params().keys()
    assert np.array_equal(_dense(outputs(loaded)), _dense(outputs(est)), equal_nan=True)


def test_partial_fit_continues_identically_after_load(tmp_path):
    X, y = _data()
    a = FMClassifier(max_epochs=1, random_state=0).partial_fit(X, y, classes=[0, 1])
    save(a, tmp_path / "a.safetensors")
    b = load(tmp_path / "a.safetensors")
    a.partial_fit(X, y)
    b.partial_fit(X, y)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))


def test_unfitted_estimator_round_trips_its_parameters(tmp_path):
    est = FMClassifier(embed_dim=3, alpha=1e-3, categorical_features=["a", "b"])
    save(est, tmp_path / "p.safetensors")
    assert load(tmp_path / "p.safetensors").get_params() == est.get_params()


def test_objects_that_cannot_be_saved_safely_are_refused(tmp_path):
    from skorch.callbacks import EpochTimer

    est = FMClassifier(callbacks=[EpochTimer()])
    with pytest.raises(TypeError, match="EpochTimer object, which skfeat.io cannot"):
        save(est, tmp_path / "cb.safetensors")


# ------------------------------------------------------------ hostile files
class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _rewrite_header(path, edit):
    """Rewrite the JSON metadata of a safetensors file in place."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    doc = json.loads(header["__metadata__"]["skfeat"])
    header["__metadata__"]["skfeat"] = json.dumps(edit(doc))
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + raw[8 + n :])


@pytest.fixture
def saved(tmp_path):
    X, y = _data()
    clf = FMClassifier(max_epochs=1, random_state=0).fit(X, y)
    path = tmp_path / "fm.safetensors"
    save(clf, path)
    return path


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ValueError, match="not a valid skfeat model file"):
        load(path)
    assert not marker.exists()


def test_a_pickle_payload_in_the_json_is_never_unpickled(saved, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(str(marker))).hex()

    def inject(doc):
        doc["root"]["fitted"]["classes_"] = {"__pickle__": payload}
        return doc

    _rewrite_header(saved, inject)
    with pytest.raises(ValueError, match="unknown tag '__pickle__'"):
        load(saved)
    assert not marker.exists()


def test_a_class_outside_the_allow_list_is_refused(saved, tmp_path):
    def swap(doc):
        doc["root"]["__object__"] = "os.system"
        return doc

    _rewrite_header(saved, swap)
    with pytest.raises(ValueError, match="class 'os.system', which is not a class"):
        load(saved)


def test_truncated_and_garbage_files_are_refused(saved, tmp_path):
    raw = saved.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="not a valid skfeat model file"):
        load(cut)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(os.urandom(256))
    with pytest.raises(ValueError, match="not a valid skfeat model file"):
        load(junk)


def test_foreign_safetensors_and_newer_formats_are_refused(saved, tmp_path):
    from safetensors.torch import save_file

    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(foreign))
    with pytest.raises(ValueError, match="has no skfeat JSON document"):
        load(foreign)

    def newer(doc):
        doc["format_version"] = FORMAT_VERSION + 1
        return doc

    _rewrite_header(saved, newer)
    with pytest.raises(ValueError, match="newer than this skfeat understands"):
        load(saved)


def test_missing_tensor_is_refused(saved):
    def drop(doc):
        doc["root"]["net"]["module"] = {
            k: "module/999" for k in doc["root"]["net"]["module"]
        }
        return doc

    _rewrite_header(saved, drop)
    with pytest.raises(ValueError, match="missing tensor"):
        load(saved)


# ------------------------------------------------------------ file format
FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


def test_files_written_in_format_1_still_load():
    """Files written by skfeat before format 2 (committed fixtures) load and
    predict exactly as when they were saved."""
    from skfeat.datasets import make_interaction_classification

    X, _, _ = make_interaction_classification(
        n_samples=400, n_fields=6, n_numeric=2, random_state=0
    )
    expected = np.load(FIXTURES / "format1_expected.npz")
    fm = load(FIXTURES / "fm_classifier_format1.skfeat")
    np.testing.assert_array_equal(fm.predict_proba(X.iloc[:20]), expected["fm"])
    deep = load(FIXTURES / "deepfm_regressor_format1.skfeat")
    np.testing.assert_array_equal(deep.predict(X.iloc[:20]), expected["deep"])


def _header(path):
    import json

    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        return json.loads(f.metadata()["skfeat"]), tensors


def _rewrite(path, header, tensors):
    import json

    from safetensors.torch import save_file

    save_file(tensors, str(path), metadata={"skfeat": json.dumps(header)})


def test_format_2_stores_parameters_and_declared_state_only(tmp_path):
    X = np.random.RandomState(0).normal(size=(80, 3))
    clf = FMClassifier(max_epochs=2, random_state=0).fit(X, X[:, 0] > 0)
    clf.note_ = "not declared"  # an attribute the class does not declare
    path = tmp_path / "fm.skfeat"
    save(clf, path)
    header, tensors = _header(path)
    assert header["format_version"] == 2
    root = header["root"]
    assert set(root["params"]) == set(clf.get_params())
    assert set(root["fitted"]) <= set(type(clf).__skfeat_fitted_state__)
    assert "note_" not in root["fitted"] and "state" not in root
    again = load(path)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_a_file_with_unknown_state_is_refused_by_name(tmp_path):
    X = np.random.RandomState(0).normal(size=(80, 3))
    clf = FMClassifier(max_epochs=2, random_state=0).fit(X, X[:, 0] > 0)
    path = tmp_path / "fm.skfeat"
    save(clf, path)
    header, tensors = _header(path)
    header["root"]["fitted"]["_renamed_later"] = 1
    _rewrite(path, header, tensors)
    match = r"fitted attributes \['_renamed_later'\].*save it again"
    with pytest.raises(ValueError, match=match):
        load(path)
    header["root"]["fitted"].pop("_renamed_later")
    header["root"]["params"]["gone_param"] = 1
    _rewrite(path, header, tensors)
    with pytest.raises(ValueError, match=r"parameters \['gone_param'\]"):
        load(path)


# ------------------------------------------------------------ issue 24
def _vm_kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _peak_rss_growth(fn):
    """Bytes the resident set peaked above its level before ``fn()`` (Linux)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current resident set
    before = _vm_kib("VmHWM")
    try:
        fn()
    finally:
        after = _vm_kib("VmHWM")
    return (after - before) * 1024


@pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc"
)
@pytest.mark.parametrize(
    "model, declare",
    [
        # ~1.2 GB of embedding table, ~1.6 GB of hidden layer, ~1 GB of table
        ("fm", {"embed_dim": 30_000_000}),
        ("deepfm", {"hidden_units": [20_000, 20_000]}),
        ("schema", None),
    ],
)
def test_a_header_declaring_big_shapes_is_refused_before_allocating(
    model, declare, tmp_path
):
    from skfeat.models import DeepFMClassifier

    X, y = _data()
    cls = FMClassifier if model != "deepfm" else DeepFMClassifier
    est = cls(embed_dim=2, max_epochs=1, random_state=0).fit(X, y)
    if model == "deepfm":
        est = DeepFMClassifier(hidden_units=(4,), max_epochs=1, random_state=0)
        est = est.fit(X, y)
    path = tmp_path / "hostile.safetensors"
    save(est, path)
    load(path)  # warm up: imports and caches of a legitimate load

    def declare_big(doc):
        root = doc["root"]
        if declare is None:  # the schema's cardinalities
            schema = root["fitted"]["schema_"]["state"]
            schema["cardinalities"] = [100_000_000] * len(schema["cardinalities"])
        else:
            root["params"].update(declare)
        return doc

    _rewrite_header(path, declare_big)
    size = path.stat().st_size
    assert size < 64_000

    def attempt():
        with pytest.raises(ValueError, match="declare.*shape.*but the file stores"):
            load(path)

    grown = _peak_rss_growth(attempt)
    assert grown < 10 * size, f"peak RSS grew {grown} bytes for a {size}-byte file"


@pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc"
)
@pytest.mark.parametrize("dtype", ["|V100000000", "<U100000000"])
def test_a_header_declaring_wide_dtypes_is_refused_before_allocating(
    dtype, saved, tmp_path
):
    load(saved)  # warm up

    def widen(doc):
        fitted = doc["root"]["fitted"]
        if dtype.startswith("|V"):  # a boolean array, declared 100 MB a value
            fitted["schema_"]["state"]["categorical"]["dtype"] = dtype
        else:  # a vocabulary of strings, declared 400 MB a value
            categories = fitted["encoder_"]["state"]["ordinal_"]["state"]
            categories["categories_"][0]["dtype"] = dtype
        return doc

    _rewrite_header(saved, widen)

    def attempt():
        with pytest.raises(ValueError, match="bad array dtype"):
            load(saved)

    size = saved.stat().st_size
    grown = _peak_rss_growth(attempt)
    assert grown < 10 * size, f"peak RSS grew {grown} bytes for a {size}-byte file"


def _set_device(path, device):
    def edit(doc):
        doc["root"]["params"]["device"] = device
        return doc

    _rewrite_header(path, edit)


@pytest.mark.parametrize("written", ["cuda", {"__device__": "cuda:0"}])
def test_a_model_saved_on_cuda_loads_on_the_cpu(written, tmp_path):
    """The device a file was saved with is mapped to the requested one."""
    from skfeat.models import DeepFMRegressor

    X, y = _data()
    reg = DeepFMRegressor(hidden_units=(4,), max_epochs=1, random_state=0)
    reg = reg.fit(X, X["num"].to_numpy())
    path = tmp_path / "cuda.safetensors"
    save(reg, path)
    _set_device(path, written)  # as if saved on a GPU machine
    loaded = load(path, device="cpu")
    assert loaded.device == "cpu"
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    loaded.partial_fit(X, X["num"].to_numpy())  # and it trains on the CPU


def test_a_file_without_a_root_is_refused(saved):
    def drop(doc):
        doc.pop("root")
        return doc

    _rewrite_header(saved, drop)
    with pytest.raises(ValueError, match="holds no estimator"):
        load(saved)


def test_overwritten_weight_bytes_are_detected(saved):
    raw = bytearray(saved.read_bytes())
    (n,) = struct.unpack("<Q", raw[:8])
    assert len(raw) > 8 + n + 16
    raw[-5] ^= 0xFF  # one byte of the last tensor
    saved.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="was altered after it was saved"):
        load(saved)


def test_the_digest_is_in_the_header_and_files_without_one_still_load(saved):
    header, tensors = _header(saved)
    assert set(header["digest"]) == {"algorithm", "tensors"}
    assert header["digest"]["algorithm"] == "sha256"
    header.pop("digest")  # as written before digests (format 1, early format 2)
    _rewrite(saved, header, tensors)
    assert isinstance(load(saved), FMClassifier)
