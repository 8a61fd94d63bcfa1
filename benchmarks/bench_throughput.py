"""Training throughput, set-up time and AUC at a CTR shape, paired across checkouts.

Each fit runs in its own process, with the data written once to parquet files
beforehand (generation and reading are not timed). Reported per fit: the
training rows/s of an epoch (skorch's ``dur``: training steps only), the set-up
time (the whole ``fit`` less its epochs: checks, field encoding, building the
net), the test AUC after the fixed number of epochs, on 200,000 rows drawn
from the same planted model, and the minor page faults per step of the last
epoch (fresh memory pages the kernel maps in: a step that allocates its buffers
afresh each time shows thousands).

With several ``--checkouts`` (source trees, each put first on ``PYTHONPATH``) the
fits alternate A, B, A, B, ... so that a comparison holds while the machine's
load drifts, and the ratio to the first checkout is taken pair by pair::

    python -m benchmarks.bench_throughput --model fm --rows 800000
    python -m benchmarks.bench_throughput --model deepfm --checkouts /old/tree .
    python -m benchmarks.bench_throughput --model fm --buckets 3846 --mode files
    python -m benchmarks.bench_throughput --model fm --threads 1 2 --repeats 5

With several ``--threads`` every checkout runs at each thread count in turn (the
environment's ``OMP_NUM_THREADS`` set to match), and the ratio is to the first
checkout at the first thread count, the scaling to the same checkout at the first
thread count (medians of the pairs of a repeat). A shared machine does not
always give a process all its cores: the column ``machine`` is the same scaling
for a kernel with no serial part (``torch.exp`` over 2M floats), timed in each
fit's process before and after the fit, so that a scaling can be read against
what the cores gave at the time.

``--buckets N`` hashes every field into ``N`` ids (``26 * (N + 2)`` embedding rows)
instead of learning a vocabulary, to measure the per-row cost against the size of
the table. With several values, every checkout and thread count runs at each in
turn, and the column ``cost x`` gives the cost of a training row (seconds per row)
against the first value's, pair by pair: the per-row cost of a 10M-id table
against a 100K-id one, in one run::

    python -m benchmarks.bench_throughput --rows 400000 --buckets 3844 384614
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

WORKER = r"""
import json, os, resource, sys, time
import numpy as np, pandas as pd, torch
from skorch.callbacks import Callback
args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
from sklearn.metrics import roc_auc_score
import skfeat
from skfeat.models import DeepFMClassifier, FMClassifier
print("SKFEAT " + skfeat.__file__, file=sys.stderr)
cats = args["categorical"]
class PageFaults(Callback):
    # minor page faults (fresh pages the kernel maps in) during the last epoch;
    # kept on the class, as the estimator may train a copy of the callback
    start = last = 0
    def on_epoch_begin(self, net, **kwargs):
        PageFaults.start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    def on_epoch_end(self, net, **kwargs):
        now = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        PageFaults.last = now - PageFaults.start
faults = PageFaults()
common = dict(embed_dim=10, batch_size=args["batch_size"], max_epochs=args["epochs"],
              early_stopping=False, random_state=args["seed"],
              categorical_features=cats, callbacks=[faults])
if args["buckets"]:
    common.update(categorical_encoding="hash", hash_buckets=args["buckets"])
if args["model"] == "fm":
    est = FMClassifier(**common, **args["params"])
else:
    est = DeepFMClassifier(hidden_units=(256, 128), dropout=0.0, batch_norm=False,
                           net_alpha=0.0, **common, **args["params"])
test = pd.read_parquet(args["test"])
if args["mode"] == "files":
    from skfeat.data import FileSource
    X, y = FileSource(args["train"], target="click"), None
else:
    X = pd.read_parquet(args["train"])
    y = X.pop("click").to_numpy()
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # warm lazy imports
def machine_seconds():
    # a kernel with no serial part (exp over 2M floats): what the cores the
    # machine gives right now make of the fit's thread count
    x = torch.rand(1 << 21)
    out = torch.empty_like(x)
    times = []
    for _ in range(25):
        t = time.perf_counter()
        torch.exp(x, out=out)
        times.append(time.perf_counter() - t)
    return times
machine = machine_seconds()
t0 = time.perf_counter()
est.fit(X, y)
fit_s = time.perf_counter() - t0
machine += machine_seconds()
durs = [float(d) for d in est.net_.history[:, "dur"]]
y_test = test.pop("click").to_numpy()
auc = roc_auc_score(y_test, est.predict_proba(test)[:, 1])
print("RESULT " + json.dumps(dict(
    fit_s=fit_s, epoch_s=durs, rows_s=args["rows"] / float(np.median(durs)),
    setup_s=fit_s - sum(durs), auc=float(auc),
    machine_s=float(np.median(machine)),
    faults_per_step=PageFaults.last / -(-args["rows"] // args["batch_size"]),
    table=int(sum(est.schema_.cardinalities)),
    sparse=bool(getattr(est, "_sparse_gradients_", False)))))
"""


def _write_data(folder, shape, rows, seed, cap):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from benchmarks._ctr_shapes import make_ctr

    paths = {}
    for name, n, rows_seed in (("train", rows, 0), ("test", 200_000, 1)):
        path = os.path.join(folder, f"{shape}_{cap}_{seed}_{n}_{name}.parquet")
        if not os.path.exists(path):
            X, y, _, _ = make_ctr(n, shape, cap=cap, seed=seed, rows_seed=rows_seed)
            X.insert(0, "click", y)
            pq.write_table(pa.Table.from_pandas(X, preserve_index=False), path)
        paths[name] = path
    return paths, [f"C{f + 1}" for f in range(26 if shape == "criteo" else 10)]


def run_one(checkout, threads, buckets, args, paths, categorical, params):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), USER="bench")
    # the worker runs in the checkout, so that its own tree (not this one's, which
    # ``python -c`` would put first on sys.path) is the one imported
    env["PYTHONPATH"] = os.path.abspath(checkout)
    job = dict(
        model=args.model, threads=threads, epochs=args.epochs,
        batch_size=args.batch_size, seed=args.seed, buckets=buckets,
        params=params, mode=args.mode, rows=args.rows, categorical=categorical,
        train=paths["train"], test=paths["test"],
    )  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(job)],
        env=env, capture_output=True, text=True, timeout=args.timeout,
        cwd=os.path.abspath(checkout),
    )  # fmt: skip
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{checkout}: {out.stderr[-2000:]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["fm", "deepfm"], default="fm")
    parser.add_argument("--shape", choices=["criteo", "frappe"], default="criteo")
    parser.add_argument("--rows", type=int, default=800_000)
    parser.add_argument("--cap", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--buckets", type=int, nargs="+", default=[0])
    parser.add_argument("--mode", choices=["memory", "files"], default="memory")
    parser.add_argument("--params", default="{}", help="JSON estimator parameters")
    parser.add_argument("--checkouts", nargs="+", default=["."])
    parser.add_argument(
        "--folder", default=os.path.join(tempfile.gettempdir(), "skfeat_ctr_shapes")
    )
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    paths, categorical = _write_data(
        args.folder, args.shape, args.rows, args.seed, args.cap
    )
    params = json.loads(args.params)
    runs = [
        (c, t, b) for c in args.checkouts for b in args.buckets for t in args.threads
    ]
    results = {run: [] for run in runs}
    for rep in range(args.repeats):
        for c, t, b in runs:
            r = run_one(c, t, b, args, paths, categorical, params)
            results[c, t, b].append(r)
            record = {"checkout": c, "threads": t, "buckets": b, "repeat": rep, **r}
            print(json.dumps(record), flush=True)
    base = runs[0]
    print(
        f"\n{args.model} {args.shape} rows={args.rows} epochs={args.epochs} "
        f"batch={args.batch_size} buckets={args.buckets} "
        f"mode={args.mode} params={params} (medians of {args.repeats})"
    )
    print(
        f"{'checkout':<28}{'threads':>8}{'table':>12}{'rows/s':>10}{'ratio':>8}"
        f"{'scaling':>9}{'machine':>9}{'cost x':>8}{'set-up s':>10}{'AUC':>9}"
        f"{'faults/step':>13}"
    )

    def paired(runs, reference):
        return statistics.median(
            r["rows_s"] / b["rows_s"] for r, b in zip(runs, reference, strict=True)
        )

    def machine(runs, reference):
        return statistics.median(
            b["machine_s"] / r["machine_s"]
            for r, b in zip(runs, reference, strict=True)
        )

    for c, t, b in runs:
        rs = results[c, t, b]
        # ratio: to the first checkout at the first thread count and table;
        # scaling: to this checkout and table at the first thread count;
        # machine: the same for the kernel with no serial part; cost x:
        # seconds per row against this checkout and thread count at the first
        # table (all medians of the pairs)
        first = results[c, args.threads[0], b]
        print(
            f"{c[-28:]:<28}{t:>8}{rs[0]['table']:>12,}"
            f"{statistics.median(r['rows_s'] for r in rs):>10,.0f}"
            f"{paired(rs, results[base]):>8.2f}"
            f"{paired(rs, first):>9.2f}{machine(rs, first):>9.2f}"
            f"{1 / paired(rs, results[c, t, args.buckets[0]]):>8.2f}"
            f"{statistics.median(r['setup_s'] for r in rs):>10.2f}"
            f"{statistics.median(r['auc'] for r in rs):>9.5f}"
            f"{statistics.median(r['faults_per_step'] for r in rs):>13,.0f}"
        )


if __name__ == "__main__":
    main()
