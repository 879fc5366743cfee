"""``dynaguard monitor``: scheduled rescans on a Huey queue, reports kept in the history of
``dynaguard serve``, signed webhook alerts for new findings (ARCHITECTURE.md, "The monitor").

``settings`` and ``schedule`` read the ``[monitor]`` table; ``queue`` opens the Huey queue;
``tasks`` registers the tasks; ``execute`` runs the engines; ``history`` and ``record`` keep
runs, leases, dead letters and the alert ledger; ``alerts`` builds and signs the webhook body,
``deliver`` posts it. Like ``cli`` and ``ci`` it may import every layer.
"""
