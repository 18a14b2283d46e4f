"""Himaya: a local-first child-safety companion.

The public core API. It imports nothing from Flask, SQLite or the CLI, so the
matching core loads (and is tested) on its own::

    >>> from himaya import Scanner
    >>> scanner = Scanner.load()                    # the bundled default rules
    >>> verdict = scanner.scan("t'as quel âge ? ajoute-moi sur snap", kind="message")
    >>> verdict.risk, verdict.severity              # doctest: +SKIP
    (True, 'high')
"""

__version__ = "0.1.0"

__all__ = ["Scanner", "Verdict", "Match", "__version__"]


def __getattr__(name):
    # Lazy, so that `import himaya.core.normalize` (or the CLI's --help) stays light.
    if name == "Scanner":
        from himaya.core.scanner import Scanner

        return Scanner
    if name in ("Match", "Verdict"):
        from himaya.core import matcher

        return getattr(matcher, name)
    raise AttributeError(name)
