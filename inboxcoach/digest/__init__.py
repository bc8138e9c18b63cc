"""Digest: the HTML page the user reads, built from what the store holds.

``gather`` picks what to show as plain records (new mail, applications, drafts, silence);
``coaching`` writes the short note from those records; ``charts`` draws inline SVG;
``render`` fills the autoescaped Jinja2 template in ``templates/`` and writes the file
atomically; ``deliver`` optionally mails it to its owner, the only mail inboxcoach sends.
"""
