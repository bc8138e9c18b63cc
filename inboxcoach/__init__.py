"""inboxcoach: reads job-search mail, says what came back, and drafts polite feedback requests."""

__version__ = "0.1.0"
