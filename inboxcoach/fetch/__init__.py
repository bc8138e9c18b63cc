"""Fetch: mail from every configured source into the store, read-only and incrementally.

``protocol`` is the one interface every source implements (``Mailbox``); ``open`` picks the
source for an account; ``imap`` and ``local`` are the sources (IMAP through imapclient,
Maildir/mbox/.eml on disk); ``parse`` turns raw bytes into ``Email`` records with
mail-parser; ``stage`` runs it all per folder in committed batches with retries.
"""
