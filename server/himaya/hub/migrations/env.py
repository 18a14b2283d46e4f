"""Alembic's entry point for the hub: runs on the connection the hub hands it
(db.upgrade), never on a URL read from an ini file."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
