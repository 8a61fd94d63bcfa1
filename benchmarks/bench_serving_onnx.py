"""Serving through ONNX: equivalence on Frappe_x1 valid, and request latency.

    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_serving_onnx latency --models deepfm fm
    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_serving_onnx latency --models deepfm \\
        --precision float32 --calls 200
    SKFEAT_DATA=../shared/data OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_serving_onnx equivalence --models all

Each model is fitted with its defaults on Frappe_x1 train (``--max-epochs``
epochs, 1 by default: neither the latency nor the agreement depends on how well
it is trained; without ``SKFEAT_DATA`` Frappe-shaped synthetic data stands in)
and written by :func:`skfeat.io.export_onnx`.

``equivalence``: onnxruntime runs the whole graph on the raw valid frame (57,722
rows; the ``category`` columns fed as text by :func:`skfeat.io.onnx_inputs`) and
the largest absolute difference from ``predict_proba`` is reported.

``latency``: 1,000 requests (``--calls``) after 50 warm-up ones, 1 thread everywhere
(onnxruntime's intra- and inter-op pools, torch), three ways, taking turns in
blocks of 50 requests (the same 50 for each way, the order rotating from block
to block) so that the load of a shared machine hits them alike while each runs
as a serving loop does, one request after another; a request's inputs are built
right before its call, untimed, as a server decodes a request and runs it:

* ``graph``: the whole exported graph (encoding included) on the request's raw
  columns, as arrays made by ``onnx_inputs(session, frame)`` (the deep networks
  in float64 as ``predict_proba``, or in float32 with ``--precision float32``);
* ``network``: the graph of the network alone (``export_onnx(...,
  encoding=False)``) on the same rows encoded beforehand by ``encode_inputs``;
* ``skfeat``: ``predict_proba`` on the request as a DataFrame.

A request is one valid row (``1``), or one valid row's user and context against
2,048 items drawn without replacement from the item vocabulary (``2048``). Times
are of the call alone (inputs are built before the clock starts); reported: the
median and the 99th percentile in milliseconds, and the load average.
"""

import argparse
import json
import os
import platform
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import torch

from benchmarks._frappe_data import frappe_or_synthetic
from skfeat import models
from skfeat.io import export_onnx, onnx_inputs

MODELS = {
    "fm": models.FMClassifier,
    "fwfm": models.FwFMClassifier,
    "dnn": models.DNNClassifier,
    "widedeep": models.WideDeepClassifier,
    "deepfm": models.DeepFMClassifier,
    "dcn": models.DCNClassifier,
    "autoint": models.AutoIntClassifier,
    "finalmlp": models.FinalMLPClassifier,
    "fignn": models.FiGNNClassifier,
    "vae": models.VAEClassifier,
    "dcnv3": models.DCNv3Classifier,
    "finalnet": models.FinalNetClassifier,
}
N_CANDIDATES = 2048
#: requests timed in a row by one way before the next way takes its turn
BLOCK = 50


def _session(path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _fit(name, X, y, max_epochs):
    model = MODELS[name](max_epochs=max_epochs, random_state=0)
    t0 = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - t0


def _machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                line.split(":", 1)[1].strip() for line in f if "model name" in line
            )
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count()}


def equivalence(names, X, y, X_valid, max_epochs, folder):
    for name in names:
        model, fit_s = _fit(name, X, y, max_epochs)
        path = os.path.join(folder, f"{name}.onnx")
        t0 = time.perf_counter()
        export_onnx(model, path)
        export_s = time.perf_counter() - t0
        session = _session(path)
        _, proba = session.run(None, onnx_inputs(path, X_valid))
        expected = model.predict_proba(X_valid)
        print(
            json.dumps(
                {
                    "model": type(model).__name__,
                    "rows": len(X_valid),
                    "max_abs_diff": float(np.abs(proba - expected).max()),
                    "fit_s": round(fit_s, 1),
                    "export_s": round(export_s, 1),
                    "file_mib": round(os.path.getsize(path) / 2**20, 2),
                }
            ),
            flush=True,
        )


def _requests(X_valid, n_rows, calls, seed=0):
    """``calls + 50`` request frames: valid rows, or one row's context
    against ``n_rows`` items."""
    rng = np.random.default_rng(seed)
    items = X_valid["item"].cat.categories
    for i in range(calls + 50):
        if n_rows == 1:
            yield X_valid.iloc[[i]]
            continue
        frame = X_valid.iloc[[i] * n_rows].reset_index(drop=True)
        chosen = rng.choice(len(items), size=n_rows, replace=False)
        frame["item"] = pd.Categorical.from_codes(chosen, categories=items)
        yield frame


def latency(names, X, y, X_valid, max_epochs, calls, folder, precision):
    torch.set_num_threads(1)
    for name in names:
        model, _ = _fit(name, X, y, max_epochs)
        whole = os.path.join(folder, f"{name}.onnx")
        network = os.path.join(folder, f"{name}_network.onnx")
        export_onnx(model, whole, precision=precision)
        export_onnx(model, network, encoding=False, precision=precision)
        graph_session = _session(whole)
        functions = {
            "graph": graph_session.run,
            "network": _session(network).run,
            "skfeat": model.predict_proba,
        }
        prepare = {
            # the session's metadata, as a server keeps it: given the file,
            # onnx_inputs would parse all of its weights on every request
            "graph": lambda frame, s=graph_session: (None, onnx_inputs(s, frame)),
            "network": lambda frame, encode=model.encode_inputs: (
                None,
                {k: v.numpy() for k, v in encode(frame).items()},
            ),
            "skfeat": lambda frame: (frame,),
        }
        for n_rows in (1, N_CANDIDATES):
            load_before = os.getloadavg()
            times = {"graph": [], "network": [], "skfeat": []}
            requests = _requests(X_valid, n_rows, calls)
            for block in range((calls + 50) // BLOCK):
                frames = [next(requests) for _ in range(BLOCK)]
                order = list(times)
                order = order[block % 3 :] + order[: block % 3]  # who goes first
                for way in order:
                    for frame in frames:
                        # the request's inputs, built right before the call as a
                        # server decodes a request and runs it
                        call_args = prepare[way](frame)
                        t0 = time.perf_counter()
                        functions[way](*call_args)
                        if block:  # the first block warms up
                            times[way].append(time.perf_counter() - t0)
            stats = {
                way: {
                    "median_ms": round(float(np.median(t)) * 1e3, 4),
                    "p99_ms": round(float(np.percentile(t, 99)) * 1e3, 4),
                }
                for way, t in times.items()
            }
            print(
                json.dumps(
                    {
                        "model": type(model).__name__,
                        "rows_per_request": n_rows,
                        "precision": precision,
                        "requests": calls,
                        **stats,
                        "graph_over_network": round(
                            stats["graph"]["median_ms"] / stats["network"]["median_ms"],
                            2,
                        ),
                        "skfeat_over_graph": round(
                            stats["skfeat"]["median_ms"] / stats["graph"]["median_ms"],
                            2,
                        ),
                        "load_before": [round(v, 2) for v in load_before],
                        "load_after": [round(v, 2) for v in os.getloadavg()],
                    }
                ),
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["latency", "equivalence"])
    parser.add_argument("--models", nargs="+", default=["deepfm", "fm"])
    parser.add_argument("--max-epochs", type=int, default=1)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument(
        "--precision", choices=["float64", "float32"], default="float64"
    )
    args = parser.parse_args()
    names = sorted(MODELS) if args.models == ["all"] else args.models
    X, y, X_valid, _, source = frappe_or_synthetic()
    X_valid = X_valid.reset_index(drop=True)
    import onnxruntime

    print(
        json.dumps(
            {
                "data": source,
                "train_rows": len(X),
                "valid_rows": len(X_valid),
                "onnxruntime": onnxruntime.__version__,
                "torch": torch.__version__,
                **_machine(),
            }
        ),
        flush=True,
    )
    warnings.simplefilter("ignore", UserWarning)
    with tempfile.TemporaryDirectory(prefix="skfeat_onnx_") as folder:
        if args.what == "equivalence":
            equivalence(names, X, y, X_valid, args.max_epochs, folder)
        else:
            latency(
                names,
                X,
                y,
                X_valid,
                args.max_epochs,
                args.calls,
                folder,
                args.precision,
            )


if __name__ == "__main__":
    main()
