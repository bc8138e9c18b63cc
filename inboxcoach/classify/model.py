"""The classifier: two calibrated linear models over TF-IDF text features and sender tokens.

The model file is a skops archive loaded with an explicit allowlist of scikit-learn types kept
here, never with pickle or joblib: a tampered file cannot run code. Loading also checks the
file's SHA-256 against its manifest and the scikit-learn version it was trained with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer
from sklearn.model_selection import PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from inboxcoach.classify.features import (
    CHAR_TEXT,
    feedback_cues,
    meta_tokens,
    model_text,
    stage_tokens,
    stock_rejection,
)
from inboxcoach.classify.model_files import (
    MODEL_FILE,
    ModelError,
    default_model_dir,
    read_manifest,
)
from inboxcoach.records import Email, Prediction
from inboxcoach.vocab import Category, SenderKind

CATEGORIES = tuple(c.value for c in Category)  # plain strings: they are sklearn's labels
SENDER_KINDS = tuple(k.value for k in SenderKind)
TASKS = {"category": CATEGORIES, "sender_kind": SENDER_KINDS}
FEEDBACK = "contains_feedback"  # a third, binary model trained on rejections only
# A fourth, binary model: is this about the user's own job search at all? Most of an inbox is
# not, and a category model that must pick one of eight classes takes a mailing-list reply for a
# recruiter writing. Below its threshold (chosen in cross-validation on whole seed files left
# out) the message is ``other`` whatever the category model says.
GATE = "job_search"
# A threshold key: when set, a rejection the category model is unsure of is confident after all
# when a stock rejection phrase confirms it (``features.stock_rejection``); training sets it only
# when such answers held out were right often enough.
SECOND_LOOK = "second_look"
# Its own TF-IDF weights, fitted on rejections: among rejections "unfortunately" is noise and
# the words that give reasons stand out.
FEEDBACK_FEATURES = "feedback_features"
# The sender-kind model also reads the sender tokens paired with the message's category
# (features.stage_tokens): the category model's answer feeds the sender-kind model.
STAGE_FEATURES = "stage_features"
# Every type the model file may contain. skops refuses anything else.
TRUSTED_TYPES = [
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.model_selection._split.PredefinedSplit",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelEncoder",
    "builtins.slice",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
]


def frame(mails: Sequence[Email]) -> pd.DataFrame:
    """The model's input: one row per message: the text, its opening (for the character
    n-grams) and the sender/header tokens."""
    text = [model_text(m) for m in mails]
    return pd.DataFrame({"text": text, "opening": [t[:CHAR_TEXT] for t in text],
                         "meta": [meta_tokens(m) for m in mails]})


def build_features() -> ColumnTransformer:
    """Hashed word 1-2-grams and character 3-4-grams with TF-IDF weights (character n-grams
    cope with inflection, typos and several languages), plus the sender/header tokens.
    Character 5-grams added nothing in grouped cross-validation and cost a third of the time.

    Hashing keeps no vocabulary, so the model file holds arrays only: it stays small and loads
    fast, where a vocabulary of 100,000 strings takes skops tens of seconds.
    """
    def hashed(**kw: Any) -> Pipeline:
        hasher = HashingVectorizer(alternate_sign=False, norm=None, dtype=np.float32, **kw)
        return Pipeline([("hash", hasher), ("tfidf", TfidfTransformer(sublinear_tf=True))])

    return ColumnTransformer([
        ("words", hashed(ngram_range=(1, 2), n_features=2**17), "text"),
        ("chars", hashed(analyzer="char_wb", ngram_range=(3, 4), n_features=2**18), "opening"),
        ("meta", token_counts(), "meta"),
    ])


def build_feedback_features() -> ColumnTransformer:
    """The feedback model's own: the shared blocks with TF-IDF weights fitted on rejections,
    and the reason cues (``features.feedback_cues``). With C = 1 the cues raised held-out
    macro-F1 on the corpus's rejections from 0.855 to 0.869 by family and from 0.823 to 0.837
    by whole seed file (README, "Feedback given")."""
    shared = build_features()
    return ColumnTransformer([*shared.transformers, ("cues", token_counts(), "cues")])


def with_cues(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with the reason-cue column the feedback features read (rejections only: the
    rest never pay for it)."""
    return data.assign(cues=[feedback_cues(t) for t in data["text"]])


def token_counts() -> CountVectorizer:
    """One feature per named token ("from:noreply"), present or not."""
    return CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True)  # noqa: S106


def stage_column(meta: Sequence[str], categories: Sequence[str]) -> list[str]:
    return [stage_tokens(m, c) for m, c in zip(meta, categories, strict=True)]


def with_stage(x: Any, stage: CountVectorizer, meta: Sequence[str],
               categories: Sequence[str]) -> Any:
    """The sender-kind model's input: the shared features and the stage tokens."""
    return sparse.hstack([x, stage.transform(stage_column(meta, categories))]).tocsr()


# The SVM's C per task (smaller: stronger regularisation). Cross-validation on the corpus cannot
# tell 0.1 from 1 for the sender kind; real mail unlike the corpus did better with the stronger
# setting (README, "The classifier").
C_BY_TASK = {"category": 0.5, "sender_kind": 0.1, FEEDBACK: 1.0, GATE: 0.5}


def gated(categories: np.ndarray, confidence: np.ndarray, job: np.ndarray | None,
          threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The category after the job-search gate: ``other`` where the gate's probability of job
    mail (``job``) is below ``threshold``, with the gate's confidence in that."""
    if job is None:
        return categories, confidence
    out, conf = categories.astype(object).copy(), confidence.astype(float).copy()
    closed = (job < threshold) & (out != "other")
    out[closed], conf[closed] = "other", 1.0 - job[closed]
    return out, conf


def build_classifier(folds: np.ndarray | None = None, c: float = 0.5) -> CalibratedClassifierCV:
    """A linear SVM whose scores become probabilities by sigmoid calibration on folds that keep
    each family together (``folds``: a fold id per row)."""
    linear = LinearSVC(C=c, class_weight="balanced", random_state=0)
    cv = PredefinedSplit(folds) if folds is not None else 3
    return CalibratedClassifierCV(linear, method="sigmoid", cv=cv, ensemble=False)


class Classifier:
    """``models`` holds the fitted "features" transformer and one calibrated model per task."""

    def __init__(self, models: dict[str, Any], manifest: dict[str, Any]) -> None:
        self.models = models
        self.manifest = manifest
        self.thresholds: dict[str, float] = manifest.get("thresholds", {})

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))

    @classmethod
    def load(cls, model_dir: Path | None = None) -> Classifier:
        folder = model_dir or default_model_dir()
        manifest = read_manifest(folder)
        path = folder / MODEL_FILE
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read the model file {path} ({exc.strerror}); reinstall "
                             "inboxcoach or run 'inboxcoach train'") from None
        if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
            raise ModelError(f"the model file {path} does not match its manifest (altered or "
                             "damaged); reinstall inboxcoach or run 'inboxcoach train'")
        _check_versions(manifest)
        import skops.io as sio

        try:
            models = sio.loads(data, trusted=TRUSTED_TYPES)
        except Exception as exc:  # skops raises several types for untrusted or broken files
            raise ModelError(f"cannot load the model {path}: {exc}") from None
        return cls(models, manifest)

    def predict(self, mails: Sequence[Email]) -> list[Prediction]:
        if not mails:
            return []
        data = frame(mails)
        x, hashed = transform_keeping_counts(self.models["features"], data)
        out = {}
        for task, proba in self._probabilities(x, data).items():
            best = self.models[task].classes_[proba.argmax(axis=1)]
            out[task] = (best.astype(str).tolist(), proba.max(axis=1))
        cat, cat_p = self._gated(*out["category"], x)
        kind, kind_p = out["sender_kind"]
        t_kind = self.thresholds.get("sender_kind", 0.0)
        feedback = self._feedback(x, data, hashed, cat)
        unsure = self._category_unsure(cat, cat_p, data["text"])
        return [Prediction(cat[i], round(float(cat_p[i]), 4), unsure[i],
                           kind[i], round(float(kind_p[i]), 4), bool(kind_p[i] < t_kind),
                           feedback[i])
                for i in range(len(mails))]

    def _category_unsure(self, cat: list[str], cat_p: np.ndarray, texts: pd.Series
                         ) -> list[bool]:
        """Below the answer's own threshold, unless the second look confirms a rejection."""
        t_cat = self.thresholds.get("category", 0.0)
        second = bool(self.thresholds.get(SECOND_LOOK))
        return [bool(p < self.thresholds.get(f"category:{c}", t_cat)
                     and not (second and c == "rejection" and stock_rejection(t)))
                for c, p, t in zip(cat, cat_p, texts, strict=True)]

    def _gated(self, cat: list[str], cat_p: np.ndarray, x: Any) -> tuple[list[str], np.ndarray]:
        gate = self.models.get(GATE)
        if gate is None:
            return cat, cat_p
        job = gate.predict_proba(x)[:, list(gate.classes_).index(True)]
        out, conf = gated(np.asarray(cat, dtype=object), cat_p, job,
                          self.thresholds.get(GATE, 0.5))
        return [str(c) for c in out], conf

    def probabilities(self, mails: Sequence[Email]) -> dict[str, np.ndarray]:
        """Each task's class probabilities (columns in ``models[task].classes_`` order)."""
        data = frame(mails)
        return self._probabilities(self.models["features"].transform(data), data)

    def _probabilities(self, x: Any, data: pd.DataFrame) -> dict[str, np.ndarray]:
        """Category first: the sender-kind model reads its answer (``STAGE_FEATURES``)."""
        category = self.models["category"]
        out = {"category": category.predict_proba(x)}
        stage = self.models.get(STAGE_FEATURES)
        if stage is not None:
            best = category.classes_[out["category"].argmax(axis=1)]
            x = with_stage(x, stage, data["meta"], best)
        out["sender_kind"] = self.models["sender_kind"].predict_proba(x)
        return out

    def feedback_probabilities(self, mails: Sequence[Email]) -> list[float | None]:
        """The feedback model's answer for each message taken as a rejection, whatever the
        category model says: to measure it on rejections alone."""
        data = frame(mails)
        x, hashed = transform_keeping_counts(self.models["features"], data)
        return self._feedback(x, data, hashed, ["rejection"] * len(mails))

    def _feedback(self, x: Any, data: pd.DataFrame, hashed: dict[str, Hashed],
                  categories: list[str]) -> list[float | None]:
        """Only rejections are asked whether they explain themselves (the rest cost nothing)."""
        out: list[float | None] = [None] * len(data)
        model = self.models.get(FEEDBACK)
        rows = [i for i, c in enumerate(categories) if c == "rejection"]
        if model is None or not rows:
            return out
        own = self.models.get(FEEDBACK_FEATURES)
        features = x[rows] if own is None else reweigh(own, with_cues(data.iloc[rows]),
                                                       {k: v.rows(rows) for k, v in hashed.items()})
        column = list(model.classes_).index(True)
        for i, p in zip(rows, model.predict_proba(features)[:, column], strict=True):
            out[i] = round(float(p), 4)
        return out


def transform_keeping_counts(features: ColumnTransformer, data: pd.DataFrame
                             ) -> tuple[Any, dict[str, Hashed]]:
    """``features.transform(data)``, plus the hashed counts of each text block. Hashing is
    most of the time spent classifying and has no fitted state, so the feedback features
    reuse the counts and apply only their own TF-IDF weights."""
    hashed = {name: Hashed(step["hash"].get_params(), column,
                           step["hash"].transform(data[column]))
              for name, step, column in features.transformers_ if _is_hashed(step)}
    return reweigh(features, data, hashed), hashed


@dataclass(frozen=True)
class Hashed:
    """A text block's hashed counts, and the hasher settings and column that made them."""

    params: dict[str, Any]
    column: str
    counts: Any

    def rows(self, rows: list[int]) -> Hashed:
        return Hashed(self.params, self.column, self.counts[rows])

    def made_by(self, step: Any, column: str) -> bool:
        return (_is_hashed(step) and column == self.column
                and self.params == step["hash"].get_params())


def reweigh(features: ColumnTransformer, data: pd.DataFrame, hashed: dict[str, Hashed]) -> Any:
    """What ``features.transform(data)`` gives, taking a hashed block's counts from ``hashed``
    (same rows) when the same hasher made them from the same column."""
    blocks = []
    for name, step, column in features.transformers_:
        given = hashed.get(name)
        if given is not None and given.made_by(step, column):
            blocks.append(step["tfidf"].transform(given.counts))
        else:
            blocks.append(step.transform(data[column]))
    return sparse.hstack(blocks).tocsr()


def _is_hashed(step: Any) -> bool:
    return isinstance(step, Pipeline) and isinstance(step.steps[0][1], HashingVectorizer)


def _check_versions(manifest: dict[str, Any]) -> None:
    trained = str(manifest.get("sklearn", "?"))
    if trained.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(
            f"the model was trained with scikit-learn {trained} but {sklearn.__version__} is "
            f"installed; install scikit-learn {'.'.join(trained.split('.')[:2])}.* "
            "(pip install .) or retrain with 'inboxcoach train'"
        )
