"""Training the second signal (core/model.py): corpora in, a model folder out.

Needs the `[train]` extra (scikit-learn); the companion and the core never import it.
"""
