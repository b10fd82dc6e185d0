"""How the board's write path reads and writes rows.

The reconciliation (`whiteboard.services`) is the same everywhere; how rows are read and written is
not. `OrmStore` (orm.py) works on any database Django supports; on PostgreSQL, `PostgresStore`
(postgres.py) sends the statements raw and pipelined, one round trip for the reads and one for the
writes, which is most of the cost of a commit on the realtime path (docs/performance.md), and
`AsyncPostgresStore` does the same on an asynchronous connection in the event loop. The rows they
exchange with the write path are in rows.py.
"""

from django.db import connection

from .orm import OrmStore
from .postgres import AsyncPostgresStore, PostgresStore

__all__ = ["AsyncPostgresStore", "OrmStore", "PostgresStore", "sync_store"]


def sync_store() -> OrmStore | PostgresStore:
    """The store for Django's own connection: raw pipelined SQL on PostgreSQL, the ORM elsewhere."""
    return PostgresStore() if connection.vendor == "postgresql" else OrmStore()
