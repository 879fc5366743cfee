"""``dynaguard serve``: every scan kept, findings tracked over time, triage, a dashboard.

``store`` is the database (SQLAlchemy models, Alembic migrations, engine set-up); ``ingest``
turns a report into a scan; ``web`` is the Flask app. Imports ``model``, ``catalogue``,
``report`` and ``history`` from the project, never the engines or the CLI (ARCHITECTURE.md).
"""
