"""How far predictions move between torch thread counts (the determinism promise).

Run::

    python -m benchmarks.bench_threads

Fits FM and DeepFM (``max_epochs=5``, ``random_state=0``) on
``make_interaction_classification(n_samples=4000, random_state=0)`` in one
subprocess per thread count (1 and 2) and prints, as JSON, the largest absolute
difference in predicted probability between the two, per model. The Reliability
page of the user guide quotes this run.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

WORKER = """
import sys, numpy as np, torch
torch.set_num_threads(int(sys.argv[1]))
from skfeat.datasets import make_interaction_classification
from skfeat.models import DeepFMClassifier, FMClassifier
X, y, _ = make_interaction_classification(n_samples=4000, random_state=0)
out = {c.__name__: c(max_epochs=5, random_state=0).fit(X, y).predict_proba(X)[:, 1]
       for c in (FMClassifier, DeepFMClassifier)}
np.savez(sys.argv[2], **out)
"""


def main():
    folder = Path(tempfile.mkdtemp())
    runs = {}
    for threads in (1, 2):
        path = folder / f"t{threads}.npz"
        subprocess.run(
            [sys.executable, "-c", WORKER, str(threads), str(path)], check=True
        )
        runs[threads] = np.load(path)
    print(
        json.dumps(
            {
                name: float(np.abs(runs[1][name] - runs[2][name]).max())
                for name in runs[1].files
            }
        )
    )


if __name__ == "__main__":
    main()
