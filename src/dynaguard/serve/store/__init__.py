"""The database of ``dynaguard serve``: tables, engine set-up and migrations."""
