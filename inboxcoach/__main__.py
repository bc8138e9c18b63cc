"""Allows ``python -m inboxcoach`` where the console script is not on PATH (cron, venvs)."""

import sys

from inboxcoach.cli import main

sys.exit(main())
