"""The README's quick start runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quick_start_runs(capsys):
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python code block"
    namespace = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    search = namespace["search"]
    assert set(search.best_params_) == {"fm__embed_dim", "fm__alpha"}
    assert search.best_score_ > 0.6
    assert "fm__" in capsys.readouterr().out


def test_readme_says_which_estimator_checks_hold():
    # issue 24, item 11: "passes scikit-learn's estimator checks" held only with
    # the test settings, and not for the sample-weight checks
    from tests._instances import TORCH_XFAILS

    text = " ".join(README.read_text().split())
    assert "and passes scikit-learn's estimator checks" not in text
    assert "tests/_instances.py" in text
    for check in TORCH_XFAILS:
        assert f"`{check}`" in text


def test_readme_column_rule_matches_the_integer_codes_rule():
    # issue 24, item 11: "the rest numeric" contradicted integer id columns being
    # read as codes
    import numpy as np
    import pandas as pd

    from skfeat.models import FMClassifier

    text = " ".join(README.read_text().split())
    assert "the rest numeric" not in text
    from skfeat._fields._columns import INTEGER_CODE_MIN_REPEATS

    assert (
        "integer columns whose distinct values repeat at least "
        f"{INTEGER_CODE_MIN_REPEATS} times" in text
    )
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"code": rng.randint(0, 5, 300), "x": rng.normal(size=300),
                      "big": rng.randint(0, 10_000, 300)})  # fmt: skip
    clf = FMClassifier(max_epochs=1, random_state=0).fit(X, rng.randint(0, 2, 300))
    assert list(clf.feature_kinds_) == ["integer codes", "numeric", "numeric"]
