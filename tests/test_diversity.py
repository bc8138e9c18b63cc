"""The corpus-diversity measures: plain functions over seeds, checked on texts whose answers
are known by hand."""

from __future__ import annotations

import pytest

from inboxcoach.train.diversity import (
    corpus_diversity,
    distinct_trigrams,
    format_table,
    nearest_neighbours,
    summary,
    words,
)


def seed(file: str, n: int, subject: str, body: str) -> dict[str, str]:
    return {"_source": f"{file}:{n}", "subject": subject, "body": body}


def test_words_keep_placeholders_whole():
    assert words("Dear {candidate}, thanks!") == ["dear", "{candidate}", "thanks"]


def test_distinct_trigrams_count_each_three_word_run_once_and_never_across_texts():
    assert distinct_trigrams(["a b c d", "a b c"]) == (2, 7)
    assert distinct_trigrams(["a b", "c d"]) == (0, 4)


def test_nearest_neighbours_separate_own_file_from_other_files():
    texts = ["thank you for applying to the role", "thank you for applying to the role",
             "completely unrelated words about gardening"]
    same, other = nearest_neighbours(texts, ["a", "b", "b"])
    assert same[0] == 0.0  # alone in its file
    assert other[0] == pytest.approx(1.0)  # an identical text in another file
    assert same[1] == pytest.approx(0.0, abs=1e-9)  # its sibling shares no word
    assert other[2] == pytest.approx(0.0, abs=1e-9)


def test_a_file_of_copies_is_flagged_and_a_varied_one_is_not():
    copies = [seed("copies.jsonl", i, "Your application", "We regret to inform you that "
                   "we will not proceed with your application.") for i in range(1, 4)]
    varied = [seed("varied.jsonl", 1, "Lunch", "Shall we try the new noodle place on Friday?"),
              seed("varied.jsonl", 2, "Invoice 443", "Attached is the invoice for March.")]
    rows = {r.file: r for r in corpus_diversity(copies + varied)}
    assert rows["copies.jsonl"].nn_same_file == pytest.approx(1.0)
    flat, rich = rows["copies.jsonl"], rows["varied.jsonl"]
    assert flat.trigrams_per_100_words < rich.trigrams_per_100_words
    assert rows["varied.jsonl"].nn_same_file < 0.3
    assert rows["copies.jsonl"].near_copies_elsewhere == 0
    s = summary(list(rows.values()))
    assert (s["files"], s["seeds"]) == (2, 5)
    assert "all (seed-weighted)" in format_table(list(rows.values()))
