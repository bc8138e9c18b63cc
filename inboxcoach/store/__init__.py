"""Store: the one SQLite database in the state directory.

``database.Store`` is what the stages use. Its queries are split by table: ``sync``
(checkpoints keyed by UIDVALIDITY, messages, failures), ``labels`` (the model's tags and job
facts), ``drafts`` (drafts and recorded skips), ``history`` (digests, runs); ``base`` opens the
file and applies ``migrations``, named Python functions run once each.
"""
