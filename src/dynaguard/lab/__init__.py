"""An embedded DynamoDB for the demo, the twins and the tests.

By default it starts moto's server mode on 127.0.0.1 on a free port (no Docker, no Java). The same
code talks to any DynamoDB-compatible endpoint named by ``AWS_ENDPOINT_URL_DYNAMODB``, or to real
AWS through boto3's normal credential chain (``Lab(embedded=False)``).
"""

from __future__ import annotations

from dynaguard.lab.server import Lab, LabError
from dynaguard.lab.tables import TableSpec, create_tables, delete_tables

__all__ = ["Lab", "LabError", "TableSpec", "create_tables", "delete_tables"]
