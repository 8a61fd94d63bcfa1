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
