"""Store: the one SQLite database beside the state directory.

``database`` holds the ``Store`` (messages, labels, checkpoints keyed by UIDVALIDITY,
failures, drafts, runs); ``migrations`` brings an older database up to date.
"""
