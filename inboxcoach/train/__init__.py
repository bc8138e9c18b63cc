"""Train: build the corpus from seed emails, train and measure the model.

Nothing at run time imports this package: only the ``train`` and ``evaluate`` commands do.
``corpus`` expands and checks seed files; ``training`` cross-validates and fits the shipped
model and writes its card; ``evaluation`` scores a model on labelled mail; ``seed_trial``
measures what new seed files would add; ``diversity`` says how varied each seed file is;
``grouping_eval`` scores how messages are grouped into applications.
"""
