"""skfeat against other FM / DeepFM trainers on the same generated CTR data.

One command runs every system, each fit in its own process under a time limit::

    python -m benchmarks.bench_peers --peers-python /work/peers-venv/bin/python

Systems: skfeat (``FMClassifier`` / ``DeepFMClassifier``, ``fit`` on the string
columns), a bare torch loop (one embedding table, dense Adam, batches sliced from
permuted tensors; no skfeat), xLearn (C++ FM, its own Adagrad), fastFM (SGD, FM
only) and DeepCTR-Torch (``DeepFM``; its FM is ``DeepFM`` without the DNN). The
data: the Criteo and Frappe shapes of ``benchmarks/_ctr_shapes.py`` (26 or 10
categorical fields, Zipf ids, planted logit), written once; each system gets the
ids in the form it takes (strings for skfeat, indices or one-hot CSR rows for the
others). Reported per fit: set-up seconds (whatever a system does before its
first epoch: encoding, building its input), training rows/s (rows x epochs /
training seconds) and the AUC on 200,000 test rows after the fixed number of
epochs. A system that is not installed is skipped with a line saying so.

The peers live in their own environment, never in skfeat's dependencies::

    python3.11 -m venv /work/peers-venv
    /work/peers-venv/bin/pip install torch==2.13.0 numpy pandas scikit-learn \\
        scipy Cython requests
    USER=$(whoami) /work/peers-venv/bin/pip install torch==2.13.0 xlearn \\
        deepctr-torch
    /work/peers-venv/bin/pip install --no-build-isolation fastfm torch==2.13.0

(pin ``torch==2.13.0`` on every line so that pip does not replace the CPU build;
xLearn 0.40a1 aborts at import without ``$USER`` set, which the workers set;
fastFM 0.2.10 builds only with Cython installed first and without build
isolation.) skfeat and the bare loop run in this interpreter; ``--peers-python``
runs xLearn, fastFM and DeepCTR-Torch.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

WORKERS = {}

WORKERS["skfeat"] = r"""
import json, sys, time
import numpy as np, pandas as pd, torch
a = json.loads(sys.argv[1]); torch.set_num_threads(a["threads"])
from sklearn.metrics import roc_auc_score
from skfeat.models import DeepFMClassifier, FMClassifier
d = np.load(a["data"])
def frame(ids):
    return pd.DataFrame({f"C{j}": pd.array(np.char.mod("%x", ids[:, j]), dtype="str")
                         for j in range(ids.shape[1])})
X, Xt = frame(d["train"]), frame(d["test"])
kw = dict(embed_dim=10, batch_size=a["batch_size"], max_epochs=a["epochs"],
          early_stopping=False, random_state=0, categorical_features=list(X.columns))
est = (FMClassifier(**kw) if a["model"] == "fm" else DeepFMClassifier(
    hidden_units=(256, 128), dropout=0.0, batch_norm=False, net_alpha=0.0, **kw))
torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # warm lazy imports
t0 = time.perf_counter(); est.fit(X, d["y"]); fit = time.perf_counter() - t0
train = float(sum(est.net_.history[:, "dur"]))
auc = roc_auc_score(d["y_test"], est.predict_proba(Xt)[:, 1])
print("RESULT " + json.dumps(dict(setup_s=fit - train, train_s=train, auc=auc)))
"""

WORKERS["torch"] = r"""
import json, sys, time
import numpy as np, torch
a = json.loads(sys.argv[1]); torch.set_num_threads(a["threads"])
from sklearn.metrics import roc_auc_score
d = np.load(a["data"]); cards = d["cards"]
t0 = time.perf_counter()
offsets = torch.tensor(np.concatenate([[0], np.cumsum(cards)[:-1]]))
cat = torch.from_numpy(d["train"]) + offsets
test = torch.from_numpy(d["test"]) + offsets
y = torch.from_numpy(d["y"].astype(np.float32))
m, k = cat.shape[1], 10
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(int(cards.sum()), 1 + k)
        torch.nn.init.normal_(self.emb.weight, std=0.01)
        self.bias = torch.nn.Parameter(torch.zeros(1))
        self.mlp = None if a["model"] == "fm" else torch.nn.Sequential(
            torch.nn.Linear(m * k, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
            torch.nn.ReLU(), torch.nn.Linear(128, 1))
    def forward(self, ids):
        e = self.emb(ids); v = e[..., 1:]
        pairs = 0.5 * (v.sum(1).pow(2) - v.pow(2).sum(1)).sum(1)
        out = self.bias + e[..., 0].sum(1) + pairs
        if self.mlp is not None:
            out = out + self.mlp(v.reshape(len(ids), -1)).squeeze(-1)
        return out
torch.manual_seed(0); net = Net()
opt = torch.optim.Adam(net.parameters(), lr=a["lr"])
loss_fn = torch.nn.BCEWithLogitsLoss(); bs = a["batch_size"]; n = len(y)
setup = time.perf_counter() - t0
t0 = time.perf_counter()
for _ in range(a["epochs"]):
    perm = torch.randperm(n); c, t = cat[perm], y[perm]
    for s in range(0, n, bs):
        opt.zero_grad(); loss = loss_fn(net(c[s:s + bs]), t[s:s + bs])
        loss.backward(); opt.step(); loss.item()
train = time.perf_counter() - t0
with torch.no_grad():
    p = torch.cat([net(test[s:s + 65536]) for s in range(0, len(test), 65536)])
auc = roc_auc_score(d["y_test"], p.numpy())
print("RESULT " + json.dumps(dict(setup_s=setup, train_s=train, auc=auc)))
"""

_CSR = r"""
import scipy.sparse as sp
def onehot(ids, cards):
    offsets = np.concatenate([[0], np.cumsum(cards)[:-1]])
    n, m = ids.shape
    return sp.csr_matrix((np.ones(n * m, dtype=np.float32), (ids + offsets).ravel(),
                          np.arange(0, n * m + 1, m)), shape=(n, int(cards.sum())))
"""

WORKERS["xlearn"] = r"""
import json, os, sys, tempfile, time
import numpy as np
a = json.loads(sys.argv[1])
import xlearn as xl
from sklearn.metrics import roc_auc_score
d = np.load(a["data"]); cards = d["cards"]
offsets = np.concatenate([[0], np.cumsum(cards)[:-1]])
folder = tempfile.mkdtemp()
def libsvm(ids, y, name):
    # xLearn 0.40 reads files only: "label index:value ...", indices from 0
    path = os.path.join(folder, name)
    rows = np.column_stack([y, ids + offsets])
    np.savetxt(path, rows, fmt="%d " + " ".join(["%d:1"] * ids.shape[1]))
    return path
t0 = time.perf_counter()
train = libsvm(d["train"], d["y"], "train.txt")
test = libsvm(d["test"], d["y_test"], "test.txt")
setup = time.perf_counter() - t0
fm = xl.create_fm(); fm.setTrain(train); fm.disableEarlyStop()
param = {"task": "binary", "lr": 0.2, "lambda": 0.00002, "k": 10, "epoch": a["epochs"],
         "opt": "adagrad", "nthread": a["threads"], "init": 0.1}
# xLearn's own log gives each epoch's time; reading the text file, building
# and saving the model are set-up (its C++ code writes to file descriptor 1)
log = os.path.join(folder, "xlearn.log")
saved = os.dup(1)
with open(log, "w") as fh:
    os.dup2(fh.fileno(), 1)
    t0 = time.perf_counter(); fm.fit(param, os.path.join(folder, "m.out"))
    fit_s = time.perf_counter() - t0
    os.dup2(saved, 1)
import re
text = re.sub(r"\x1b\[[0-9;]*m", "", open(log).read())
epochs = [float(m.group(1)) for m in re.finditer(
    r"^\[\s*\d+%\s*\]\s+\d+\s+[\d.]+\s+([\d.]+)\s*$", text, re.M)]
train_s = sum(epochs)
setup += fit_s - train_s
fm.setTest(test); fm.setSigmoid()
out = os.path.join(folder, "p.txt")
fm.predict(os.path.join(folder, "m.out"), out)
auc = roc_auc_score(d["y_test"], np.loadtxt(out))
print("RESULT " + json.dumps(dict(setup_s=setup, train_s=train_s, auc=auc)))
"""

WORKERS["fastfm"] = r"""
import json, sys, time
import numpy as np
a = json.loads(sys.argv[1])
from fastFM import sgd
from sklearn.metrics import roc_auc_score
""" + _CSR + r"""
d = np.load(a["data"]); cards = d["cards"]
t0 = time.perf_counter()
X, Xt = onehot(d["train"], cards).astype(np.float64), onehot(d["test"], cards)
y = np.where(d["y"] > 0, 1.0, -1.0)
setup = time.perf_counter() - t0
# fastFM's SGD counts single-row updates: n_iter = epochs x rows
fm = sgd.FMClassification(n_iter=a["epochs"] * X.shape[0], init_stdev=0.01, rank=10,
                          l2_reg_w=0.0, l2_reg_V=0.0, step_size=0.01, random_state=0)
t0 = time.perf_counter(); fm.fit(X, y); train = time.perf_counter() - t0
auc = roc_auc_score(d["y_test"], fm.predict_proba(Xt.astype(np.float64)))
print("RESULT " + json.dumps(dict(setup_s=setup, train_s=train, auc=auc)))
"""

WORKERS["deepctr"] = r"""
import json, sys, time
import numpy as np, torch
a = json.loads(sys.argv[1]); torch.set_num_threads(a["threads"])
from deepctr_torch.inputs import SparseFeat
from deepctr_torch.models import DeepFM
from sklearn.metrics import roc_auc_score
d = np.load(a["data"]); cards = d["cards"]
t0 = time.perf_counter()
names = [f"C{j}" for j in range(len(cards))]
cols = [SparseFeat(c, int(v), embedding_dim=10) for c, v in zip(names, cards)]
x = {c: d["train"][:, j] for j, c in enumerate(names)}
xt = {c: d["test"][:, j] for j, c in enumerate(names)}
torch.manual_seed(0)
hidden = () if a["model"] == "fm" else (256, 128)
model = DeepFM(cols, cols, dnn_hidden_units=hidden, dnn_dropout=0.0, seed=0,
               device="cpu")
model.compile("adam", "binary_crossentropy")
setup = time.perf_counter() - t0
t0 = time.perf_counter()
model.fit(x, d["y"].astype(np.float32), batch_size=a["batch_size"],
          epochs=a["epochs"], verbose=0)
train = time.perf_counter() - t0
auc = roc_auc_score(d["y_test"], model.predict(xt, batch_size=65536).ravel())
print("RESULT " + json.dumps(dict(setup_s=setup, train_s=train, auc=auc)))
"""

#: system -> (models it trains, module it needs, runs in the peers' Python)
SYSTEMS = {
    "skfeat": (("fm", "deepfm"), "skfeat", False),
    "torch": (("fm", "deepfm"), "torch", False),
    "xlearn": (("fm",), "xlearn", True),
    "fastfm": (("fm",), "fastFM", True),
    "deepctr": (("fm", "deepfm"), "deepctr_torch", True),
}


def _data(folder, shape, rows, seed=0):
    from benchmarks._ctr_shapes import make_ctr

    path = os.path.join(folder, f"peers_{shape}_{rows}_{seed}.npz")
    if not os.path.exists(path):
        _, y, ids, cards = make_ctr(rows, shape, seed=seed, as_strings=False)
        _, y_test, ids_test, _ = make_ctr(
            200_000, shape, seed=seed, rows_seed=1, as_strings=False
        )
        np.savez(path, train=ids, y=y, test=ids_test, y_test=y_test,
                 cards=np.asarray(cards))  # fmt: skip
    return path


def _installed(python, module):
    code = f"import {module}"
    env = dict(os.environ, USER=os.environ.get("USER", "bench"))
    done = subprocess.run([python, "-c", code], env=env, capture_output=True)
    return done.returncode == 0


def run(system, python, job, timeout):
    env = dict(os.environ, OMP_NUM_THREADS=str(job["threads"]),
               USER=os.environ.get("USER", "bench"))  # fmt: skip
    # skfeat's workers import this checkout's package
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here
    start = time.perf_counter()
    try:
        out = subprocess.run(
            [python, "-c", WORKERS[system], json.dumps(job)], env=env,
            capture_output=True, text=True, timeout=timeout, cwd=here,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"status": f"timed out after {timeout:.0f} s"}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            r["rows_s"] = job["rows"] * job["epochs"] / r["train_s"]
            r["status"] = "ok"
            return r
    tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
    return {"status": "failed: " + " | ".join(tail),
            "wall_s": time.perf_counter() - start}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["criteo", "frappe"])
    parser.add_argument("--models", nargs="+", default=["fm", "deepfm"])
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    parser.add_argument("--rows", type=int, default=800_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam learning rate of the bare torch loop")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--peers-python", default=sys.executable)
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(),
                                                          "skfeat_peers"))  # fmt: skip
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    rows = []
    for shape in args.shapes:
        data = _data(args.folder, shape, args.rows)
        for system in args.systems:
            models, module, peer = SYSTEMS[system]
            python = args.peers_python if peer else sys.executable
            if not _installed(python, module):
                print(f"{system}: skipped, {module} is not installed in {python} "
                      "(see this script's docstring for the peers' environment)",
                      flush=True)  # fmt: skip
                continue
            for model in args.models:
                if model not in models:
                    continue
                job = dict(model=model, data=data, threads=args.threads,
                           epochs=args.epochs, batch_size=args.batch_size,
                           rows=args.rows, lr=args.lr)  # fmt: skip
                r = run(system, python, job, args.timeout)
                r.update(shape=shape, system=system, model=model)
                rows.append(r)
                print(json.dumps(r), flush=True)
    print(f"\nrows={args.rows} epochs={args.epochs} batch={args.batch_size} "
          f"threads={args.threads}")  # fmt: skip
    print(f"{'shape':<8}{'model':<8}{'system':<10}{'rows/s':>10}{'set-up s':>10}"
          f"{'AUC':>9}  status")  # fmt: skip
    for r in rows:
        if r["status"] == "ok":
            print(f"{r['shape']:<8}{r['model']:<8}{r['system']:<10}"
                  f"{r['rows_s']:>10,.0f}{r['setup_s']:>10.2f}{r['auc']:>9.4f}  ok")
        else:
            print(f"{r['shape']:<8}{r['model']:<8}{r['system']:<10}"
                  f"{'-':>10}{'-':>10}{'-':>9}  {r['status']}")


if __name__ == "__main__":
    main()
