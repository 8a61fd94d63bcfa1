"""Data-parallel training: skfeat models trained by two torchrun processes.

The processes talk over gloo on the loopback interface only. Each run is bounded
by a timeout, after which the whole process group of the launcher is killed.
"""

import contextlib
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from skfeat.datasets import make_interaction_classification, make_interaction_regression
from skfeat.distributed import fit_distributed, shard
from skfeat.models import FMClassifier, FMRegressor
from tests._ddp_worker import aligned_order, make_models, train_test_data

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 240


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid):
    """Every process below ``pid``, read from ``/proc`` (workers may run in
    sessions of their own, out of reach of the launcher's process group)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid):
    for victim in [*_descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(victim, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_torchrun(args, *, nproc=2, timeout=TIMEOUT):
    """Run ``torchrun`` on loopback; kill everything it started on timeout.

    A job whose worker dies by a signal before any Python error (gloo aborting
    on a loopback connection, seen once with another gloo job on the machine)
    is run once more on new ports; a Python error or a second death fails.
    """
    returncode, out = _run_torchrun_once(args, nproc=nproc, timeout=timeout)
    if returncode != 0 and _died_by_signal(out):
        returncode, out = _run_torchrun_once(args, nproc=nproc, timeout=timeout)
    assert returncode == 0, out[-5000:]
    return out


def _died_by_signal(out):
    """Every worker failure torchrun reports is a signal (exit code < 0); a
    Python error in a worker exits with 1."""
    codes = [int(c) for c in re.findall(r"exitcode\s*:\s*(-?\d+)", out)]
    return bool(codes) and all(c < 0 for c in codes)


def _run_torchrun_once(args, *, nproc, timeout):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        f"--nproc-per-node={nproc}",
        "--master-addr=127.0.0.1",
        f"--master-port={_free_port()}",
        *args,
    ]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "GLOO_SOCKET_IFNAME": "lo",  # gloo's own connections stay on loopback
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    # output to a file, not a pipe: a worker that outlives the launcher would
    # hold a pipe open and block the read forever
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc.pid)
            proc.wait(timeout=60)
            log.seek(0)
            tail = log.read()[-3000:]
            pytest.fail(f"torchrun did not finish in {timeout} s:\n{tail}")
        finally:
            if proc.poll() is None:  # pragma: no cover - interrupted
                _kill_tree(proc.pid)
        log.seek(0)
        out = log.read()
    return proc.returncode, out


@pytest.fixture(scope="module")
def ddp_models(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp") / "models.pkl"
    run_torchrun(["-m", "tests._ddp_worker", str(out)])
    with open(out, "rb") as f:
        return pickle.load(f)


def _single_process_fit(name):
    model, aligned = make_models()[name]
    X, y, _, _ = train_test_data()
    if aligned:
        order = aligned_order()
        X, y = X.iloc[order], y[order]
    return model.fit(X, y)


def _auc(model):
    _, _, X_test, y_test = train_test_data()
    return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])


def test_two_processes_match_one_process_auc(ddp_models):
    """Shuffled training, as users run it: the AUCs agree within 0.002."""
    assert ddp_models["world_size"] == 2
    assert ddp_models["n_rows"] == 6000  # each process trained on its half
    single = _single_process_fit("fm")
    parallel = ddp_models["models"]["fm"]
    auc_single, auc_parallel = _auc(single), _auc(parallel)
    assert auc_single > 0.82  # the planted structure is learned
    assert abs(auc_parallel - auc_single) <= 0.002, (auc_parallel, auc_single)
    # encoders of all rows, not of one shard: same vocabulary, same model shape
    assert parallel.schema_.cardinalities == single.schema_.cardinalities
    assert parallel.n_iter_ == single.n_iter_ == 30


@pytest.mark.parametrize("name", ["fm_aligned", "deepfm_aligned"])
def test_two_processes_take_the_steps_of_one_process(name, ddp_models):
    """Same batches: averaged shard gradients are the one-process gradient."""
    single = _single_process_fit(name)
    parallel = ddp_models["models"][name]
    _, _, X_test, _ = train_test_data()
    np.testing.assert_allclose(
        parallel.predict_proba(X_test), single.predict_proba(X_test), atol=1e-5
    )
    assert _auc(single) > 0.75
    assert abs(_auc(parallel) - _auc(single)) <= 0.002


@pytest.mark.parametrize("name", ["fm", "deepfm_aligned"])
def test_ddp_model_is_an_ordinary_estimator(name, ddp_models):
    model = ddp_models["models"][name]
    _, _, X_test, _ = train_test_data()
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), model.predict_proba(X_test)
    )
    assert not hasattr(model.net_.module_, "module")  # the DDP wrapper is gone
    assert (
        clone(model).get_params().keys() == make_models()[name][0].get_params().keys()
    )


@pytest.mark.parametrize("name", ["fm_aligned", "deepfm_aligned"])
def test_ddp_model_round_trips_through_skfeat_io(name, ddp_models, tmp_path):
    from skfeat.io import load, save

    model = ddp_models["models"][name]
    _, _, X_test, _ = train_test_data()
    save(model, tmp_path / "model.safetensors")
    restored = load(tmp_path / "model.safetensors")
    np.testing.assert_allclose(
        restored.predict_proba(X_test), model.predict_proba(X_test), rtol=0, atol=1e-12
    )


def test_ddp_fm_explains_exactly(ddp_models):
    from skfeat.explain import InteractionExplainer

    model = ddp_models["models"]["fm"]
    X, _, X_test, _ = train_test_data()
    explanation = InteractionExplainer(model, X.iloc[:200]).shap_values(X_test[:5])
    total = explanation.values.sum(axis=1) + explanation.base_values
    np.testing.assert_allclose(total, model.decision_function(X_test[:5]), atol=1e-5)


# ---------------------------------------------------------------- one process
# Outside a launcher fit_distributed runs a one-process job; the pieces that
# need no second process are checked here.


@pytest.mark.parametrize("numeric_bins", [None, 6])
def test_merged_shard_statistics_give_the_in_memory_encoder(numeric_bins):
    """Encoders built from merged shard statistics equal encoders fitted on all
    rows: column kinds (integer ids included), vocabulary, rare and missing ids,
    bins and scaling."""
    from skfeat._fields import FieldStatistics
    from skfeat._fields._kinds import ColumnProfile, resolve_kinds

    X, _, _ = make_interaction_classification(
        n_samples=900,
        n_fields=5,
        cardinality=12,
        n_numeric=2,
        interactions=1,
        random_state=3,
    )
    X = X.copy()
    X.iloc[::7, 0] = np.nan  # missing categories
    X.iloc[::5, 3] = np.nan  # missing numbers
    X["code"] = np.random.RandomState(0).randint(0, 9, len(X))  # integer ids
    names = list(X.columns)
    options = dict(categorical_features="from_dtype", numeric_bins=numeric_bins)
    profile = ColumnProfile.from_frame(X, names, np.array(names))
    kinds = resolve_kinds(profile, **options)
    assert kinds.codes[names.index("code")]
    for min_frequency in [None, 40, 0.05]:
        new = dict(min_frequency=min_frequency, encoding="vocabulary",
                   hash_buckets=None, n_bins=numeric_bins)  # fmt: skip
        whole = kinds.new_encoder(names, **new).fit(X)
        parts = [shard(X, rank=r, world_size=3)[0] for r in range(3)]
        stats = []
        for part in parts:
            s = FieldStatistics.for_frame(
                part, names, np.array(names), categorical_features="from_dtype",
                encoding="vocabulary", numeric_bins=numeric_bins, classifier=None,
                seed=0,
            )  # fmt: skip
            stats.append(s.update(part))
        merged = stats[0].merge(stats[1]).merge(stats[2])
        merged_kinds = resolve_kinds(merged.profile(), **options)
        np.testing.assert_array_equal(merged_kinds.feature_kinds, kinds.feature_kinds)
        encoder = merged.to_encoder(merged_kinds, **new)
        assert encoder.schema_ == whole.schema_
        got, want = encoder.transform(X), whole.transform(X)
        np.testing.assert_array_equal(got["cat"], want["cat"])
        np.testing.assert_allclose(got["num"], want["num"], rtol=1e-6, atol=1e-6)


def test_one_process_job_is_a_plain_fit():
    X, y, _ = make_interaction_regression(n_samples=500, random_state=0)
    model = fit_distributed(FMRegressor(max_epochs=3, random_state=0), X, y)
    assert model.n_iter_ == 3
    assert model.score(X, y) > 0.1
    assert model._target_mean == pytest.approx(np.mean(y))
    assert model._target_scale == pytest.approx(np.std(y))


def test_one_process_job_takes_sparse_rows():
    import scipy.sparse as sp

    X, y, _ = make_interaction_classification(n_samples=400, random_state=0)
    X_sparse = sp.csr_matrix(pd.get_dummies(X).to_numpy(dtype=float))
    model = fit_distributed(FMClassifier(max_epochs=2, random_state=0), X_sparse, y)
    assert model.predict_proba(X_sparse).shape == (400, 2)


def test_fit_distributed_errors():
    X, y, _ = make_interaction_classification(n_samples=100, random_state=0)
    with pytest.raises(ValueError, match="early_stopping=False"):
        fit_distributed(FMClassifier(early_stopping=True), X, y)
    with pytest.raises(TypeError, match="got LogisticRegression"):
        from sklearn.linear_model import LogisticRegression

        fit_distributed(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match=r"rank must lie in \[0, 2\), got 2"):
        shard(X, rank=2, world_size=2)


@pytest.mark.slow
def test_user_guide_torchrun_recipe_runs(tmp_path):
    out = tmp_path / "deepfm.pkl"
    recipe = REPO / "examples" / "distributed" / "train_ddp.py"
    log = run_torchrun([str(recipe), str(out), "4000"])
    assert "saved" in log
    with open(out, "rb") as f:
        model = pickle.load(f)
    X, y, _ = make_interaction_classification(n_samples=4000, random_state=0)
    assert roc_auc_score(y, model.predict_proba(X)[:, 1]) > 0.65  # 20 steps in all
