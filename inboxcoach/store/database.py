"""The local state: one SQLite file (WAL) holding messages, where they live, their labels, the
drafts, and sync checkpoints keyed by UIDVALIDITY.

``Store`` is the one object the stages are handed. Its queries live with their tables:
``sync`` (folders, locations, messages, failures), ``labels``, ``drafts`` (drafts and skips),
``history`` (digests and runs) and ``corrections`` (the user's, laid over the labels);
``base`` opens the file and migrates it.
"""

from __future__ import annotations

from inboxcoach.store.corrections import CorrectionQueries
from inboxcoach.store.drafts import DraftQueries
from inboxcoach.store.history import HistoryQueries
from inboxcoach.store.labels import LabelQueries
from inboxcoach.store.sync import SyncQueries


class Store(SyncQueries, LabelQueries, DraftQueries, HistoryQueries, CorrectionQueries):
    """Open with ``Store.open(path)``; use as a context manager to close it."""
