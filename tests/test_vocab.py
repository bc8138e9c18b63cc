"""The closed vocabularies: every value has its wording, and stored wording reads back."""

from __future__ import annotations

import pytest

from inboxcoach.vocab import (
    CATEGORY_LOOK,
    STATUS_LABEL,
    ApplicationStatus,
    Category,
    Skip,
    SkipReason,
    category_label,
    skip_from_text,
    status_label,
)


@pytest.mark.parametrize("reason", list(SkipReason))
def test_every_skip_reason_reads_back_from_its_wording(reason):
    detail = {SkipReason.TOO_OLD: "30", SkipReason.SENT_UNREAD: "work",
              SkipReason.CANNOT_COMPOSE: "no usable address"}.get(reason)
    skip = Skip(reason, detail)
    assert skip_from_text(str(skip)) == skip


def test_wording_nothing_knows_is_kept_as_a_composer_message():
    assert skip_from_text("something new") == Skip(SkipReason.CANNOT_COMPOSE, "something new")


def test_every_value_has_one_label_and_unknown_values_show_as_themselves():
    assert set(CATEGORY_LOOK) == set(Category) and set(STATUS_LABEL) == set(ApplicationStatus)
    assert category_label("acknowledgement") == "Confirmation"
    assert category_label("from_a_newer_model") == "from_a_newer_model"
    assert status_label("interview") == "interviewing" and status_label("odd") == "odd"
