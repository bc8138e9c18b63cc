"""Where the model lives and what its manifest says, without importing scikit-learn: a fetch
with nothing new to tag must not pay seconds of imports to find that out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inboxcoach.errors import ExitCode, InboxcoachError

MODEL_FILE = "classifier.skops"
MANIFEST_FILE = "manifest.json"
PACKAGED_MODEL_DIR = Path(__file__).parents[1] / "_model"  # where the wheel carries it
REPO_MODEL_DIR = Path(__file__).parents[2] / "models"  # a source checkout


class ModelError(InboxcoachError):
    """The model file is missing, altered, or from another scikit-learn: the install is broken."""

    exit_code = ExitCode.CONFIG


def default_model_dir() -> Path:
    for folder in (PACKAGED_MODEL_DIR, REPO_MODEL_DIR):
        if (folder / MANIFEST_FILE).is_file():
            return folder
    raise ModelError("no trained model found (expected inboxcoach/_model or models/); "
                     "reinstall inboxcoach or run 'inboxcoach train' in a source checkout")


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MANIFEST_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no model manifest in {folder}; run 'inboxcoach train'") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the model manifest in {folder}: {exc}") from None


def installed_version(model_dir: Path | None = None) -> str:
    return str(read_manifest(model_dir or default_model_dir()).get("version", "unversioned"))
