"""``pip install .`` alone gives a working classifier: the wheel carries the model."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_carries_the_model_and_its_manifest(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("inboxcoach-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {"inboxcoach/_model/classifier.skops", "inboxcoach/_model/manifest.json",
                "inboxcoach/sample/mailbox.jsonl", "inboxcoach/config.example.toml",
                "inboxcoach/digest/templates/digest.html.j2"} <= names
        manifest = json.loads(zf.read("inboxcoach/_model/manifest.json"))
        model = zf.read("inboxcoach/_model/classifier.skops")
    assert hashlib.sha256(model).hexdigest() == manifest["sha256"]
    assert not any(n.startswith(("tests/", "models/corpus")) for n in names)
