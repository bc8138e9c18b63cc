"""The model card (``models/MODEL_CARD.md``), written from the manifest by ``inboxcoach train``:
what the model is, what it learned from, how well it does on held-out seed files and, when
given, on real mail, and where it fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inboxcoach.classify.model import FEEDBACK, GATE


def model_card(manifest: dict[str, Any], validation: Any = None, source: str = "",
               ordinary: Any = None, looks: int | None = None) -> str:
    """The model card: what the model is, what it was trained on, how well it does and where
    it fails. Figures come from the manifest (grouped CV) and, when given, real mail: a
    labelled set (``validation``, with the number of candidate models ``looks`` that were
    scored on it, because a figure chosen among many looks is an optimistic one) and ordinary
    mail (``ordinary``, an ``OrdinaryScores``)."""
    counts = manifest["label_counts"]
    lines = [
        "# inboxcoach classifier: model card", "",
        f"Model version `{manifest['version']}`, trained {manifest['trained']} with scikit-learn "
        f"{manifest['sklearn']} and skops {manifest['skops']}.", "",
        "## What it does",
        "Calibrated linear models (LinearSVC with sigmoid calibration) over hashed TF-IDF word "
        "1-2-grams of the subject and the new text of the body (quoted history removed) and "
        "character 3-4-grams of its first 1,500 characters, plus tokens describing the sender "
        "and the automated-mail headers. "
        "One tags the `category` (8 classes), one the `sender_kind` (automated or personal), "
        "and one, on rejections only, whether the rejection gives its reasons (its own TF-IDF "
        "weights and reason cues)."
        " The sender-kind model also reads each sender token paired with the category model's "
        "answer, because an address means different things at different stages (SEEDS.md); it "
        "learns from the category model's out-of-fold answers, mistakes included."
        " Each answer has a calibrated confidence; answers below the threshold chosen on held-out "
        f"folds are flagged unsure (category below {manifest['thresholds'].get('category', 0):.2f}"
        f", sender kind below {manifest['thresholds'].get('sender_kind', 0):.2f}).", "",
        *_regularisation(manifest),
        "## Training data",
        f"{manifest['examples']} examples from {manifest['families']} hand-written seed emails "
        "(`models/corpus/seeds/`, see `SEEDS.md`), each expanded into three copies with other "
        "names, employers, roles and sender addresses. No real mailbox was used.", "",
        "| label | examples |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in counts["category"].items()],
        *[f"| sender: {k} | {v} |" for k, v in counts["sender_kind"].items()],
        "", "Languages: " + ", ".join(f"{k} {v}" for k, v in sorted(counts["lang"].items())), "",
        "## How well it does",
    ]
    lines += _cv_section(manifest)
    lines += _diversity_section(manifest)
    if validation is not None:
        lines += _validation_section(validation, source, looks)
    if ordinary is not None:
        lines += _ordinary_section(ordinary)
    return "\n".join(lines) + "\n"


SPLITS = {"files": "whole seed files held out (other writers, other styles): the headline",
          "families": "grouped by family (all copies of a seed in one fold)"}


def _cv_section(manifest: dict[str, Any]) -> list[str]:
    by_split = manifest.get("cv_by_split") or {}
    if not by_split:
        return []
    lines = [f"{manifest['cv_folds']}-fold cross-validation on the corpus:", "",
             "| split | task | accuracy | macro-F1 | ECE | confident answers wrong |",
             "|---|---|---|---|---|---|"]
    for split, cv in by_split.items():
        for task in ("category", "sender_kind", FEEDBACK):
            if task in cv:
                m = cv[task]
                wrong = cv.get(f"{task}_confident_wrong")
                lines.append(f"| {split} | {task} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
                             f"{m['ece']:.3f} | {'' if wrong is None else f'{wrong:.1%}'} |")
    lines += ["", *[f"- {split}: {SPLITS[split]}" for split in by_split], ""]
    for split, cv in by_split.items():
        if "ordinary" in cv:
            o = cv["ordinary"]
            lines.append(f"Ordinary mail seeds ({o['n']} examples, {split} held out) taken for "
                         f"job mail: {o['job_mail']:.2%}, with confidence "
                         f"{o['job_mail_confident']:.2%}.")
    lines += _feedback_test_lines(manifest)
    gate = manifest.get("thresholds", {}).get(GATE)
    if gate is None and not any("gate_choice" in cv for cv in by_split.values()):
        lines += ["", "Job-search gate: not measured for this model (`inboxcoach train --gate` "
                  "measures it); in the rounds it was measured, no threshold raised held-out "
                  "category macro-F1, so none shipped."]
    if gate is None and any("gate_choice" in cv for cv in by_split.values()):
        lines += ["", "Job-search gate: measured, not shipped (no threshold raised held-out "
                  "category macro-F1 with whole seed files held out)."]
    if gate is not None:
        lines += ["", f"Job-search gate threshold: {gate:.2f} (probability of job mail below it "
                  "means `other`), the best category macro-F1 among the thresholds that keep "
                  "held-out ordinary mail under 0.5%."]
    return [*lines, ""]


def _feedback_test_lines(manifest: dict[str, Any]) -> list[str]:
    t = manifest.get("feedback_test")
    if not t:
        return []
    return ["", f"Feedback given, on the team's held-out test set of {t['n']} rejections "
            f"(`models/corpus/feedback-test/`, never trained on): accuracy {t['accuracy']:.3f}, "
            f"macro-F1 {t['macro_f1']:.3f}; {t['unsure_share']:.0%} fall in the unsure band and "
            "get the reply that reads well either way; the rest get the right variant "
            f"{t['variant_right_when_sure']:.1%} of the time. By language: "
            + ", ".join(f"{k} {v:.2f}" for k, v in t["by_lang"].items()) + "."]


def _regularisation(manifest: dict[str, Any]) -> list[str]:
    c = manifest.get("svm_c")
    if not c:
        return []
    return ["SVM regularisation C: " + ", ".join(f"{task} {v}" for task, v in c.items()) +
            ". The sender kind's C and its pairing with the category date from earlier models, "
            "which chose them with the real development emails in view; this model's changes "
            "were chosen by cross-validation alone (README, \"The classifier\").", ""]


def _diversity_section(manifest: dict[str, Any]) -> list[str]:
    d = manifest.get("corpus_diversity")
    if not d:
        return []
    flat = sorted(d["by_file"], key=lambda r: r["trigrams_per_100_words"])[:3]
    return ["## How varied the corpus is", "",
            f"{d['seeds']} seeds in {d['files']} files "
            "(`python -m inboxcoach.train.diversity` prints "
            f"every file): {d['trigrams_per_100_words']:.1f} distinct word 3-grams per 100 words "
            "(seed-weighted mean of the files); the closest seed in the same file has median "
            f"TF-IDF cosine similarity {d['nn_same_file']:.3f}, the closest in another file "
            f"{d['nn_other_files']:.3f}; {d['near_copies_elsewhere']} seeds have a near-copy "
            "(similarity >= 0.8) in another file. Most repetitive files: "
            + ", ".join(f"`{r['file']}` {r['trigrams_per_100_words']:.1f}" for r in flat) + ".",
            ""]


def _validation_section(ev: Any, source: str, looks: int | None = None) -> list[str]:
    looked = ("" if looks is None else f" It is a test: {looks} candidate model"
              f"{'s have' if looks != 1 else ' has'} been scored on it since it became one, this "
              "one included, each chosen by cross-validation first; no setting was chosen by it.")
    name = Path(source).name  # the file's name only: where it sits is the user's business
    lines = [f"On real emails it never saw ({name}, {ev.n} messages, read in place, never "
             f"trained on).{looked}", "",
             "| task | accuracy | macro-F1 | ECE | unsure | confident answers wrong | keyword "
             "baseline macro-F1 |", "|---|---|---|---|---|---|---|"]
    for task, s in ev.model.items():
        wrong, answered = ev.confident_wrong[task]
        share = f"{wrong} of {answered} ({wrong / answered:.1%})" if answered else "none"
        lines.append(f"| {task} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {s.ece:.3f} | "
                     f"{ev.unsure_share[task]:.0%} | {share} | {ev.baseline[task].macro_f1:.3f} |")
    d = ev.drafts
    if d["due"]:
        lines += ["", f"Drafts a run would write: {d['drafted_due']} of the {d['due']} rejections "
                  f"with a human contact and a known From, {d['drafted_not_due']} where none is "
                  f"due; variant right {d['variant_right']}, wrong {d['variant_wrong']}, the reply "
                  f"that reads well either way {d['variant_either_way']}."]
    lines += ["", "Per class (category):", "", "| class | precision | recall | F1 | support |",
              "|---|---|---|---|---|"]
    for label, row in ev.model["category"].table.iterrows():
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['f1']:.3f} | {int(row['support'])} |")
    lines += ["", "Mistakes on that set, most confident first (message ids only: the texts are not "
              "ours to publish):", "", "| id | task | true | predicted | confidence |",
              "|---|---|---|---|---|"]
    lines += [f"| {m.id} | {m.task} | {m.true} | {m.predicted} | {m.confidence:.2f} |"
              for m in ev.mistakes.itertuples()]
    return [*lines, ""]


def _ordinary_section(o: Any) -> list[str]:
    share = o.share
    return [f"On real ordinary mail ({o.n} messages, none of it job mail, read in place, never "
            f"trained on): {o.job_mail} taken for job mail ({share(o.job_mail):.2%}), "
            f"{o.job_mail_confident} with confidence ({share(o.job_mail_confident):.2%}), "
            f"{o.would_draft} would get a draft (targets: at most 0.5%, 0.2% and 0).", ""]
