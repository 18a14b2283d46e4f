"""The NGO hub: the other end of the companions' outbox.

Reports arrive at ``POST /api/v1/intake`` (format ``himaya-report/1``), are
checked (every hash, the evidence witness) and kept in SQLite or PostgreSQL;
staff triage them in a server-rendered web app with an append-only audit log.
The hub imports the core (evidence, links, rules) and never the companion.
"""
