"""Drafts: a feedback-request (or thank-you) reply for each rejection a person can be reached for.

``compose`` decides the wording (the Jinja2 templates in ``templates/``, the variant chosen
from whether the rejection gave reasons) and builds a header-safe RFC 5322 message; ``stage``
decides which rejections get one, writes it as .eml and into the Drafts folder exactly once,
and records why the others were skipped. Nothing here sends mail.
"""
