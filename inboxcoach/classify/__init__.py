"""Classify: what each stored message is and who sent it.

``features`` turns an ``Email`` into the model's inputs; ``model`` loads the shipped
scikit-learn model (skops, an allowlist, never pickle) and predicts category, sender kind and
feedback given; ``model_files`` finds the model and its manifest without importing
scikit-learn; ``understand`` reads the rule-based facts (a human contact, employer, role);
``applications`` groups tagged messages into applications with a status timeline; ``stage``
tags files on disk or the untagged messages in the store.
"""
