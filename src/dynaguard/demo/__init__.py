"""The reference twins: one API served by a vulnerable and by a secure Flask + DynamoDB app.

```python
from dynaguard.demo import create_app, issue_token, serve
from dynaguard.lab import Lab

with Lab(embedded=True) as lab:
    app = create_app("vulnerable", dynamodb=lab.resource())
    with serve(app) as running:                  # running.url is http://127.0.0.1:<port>
        token = issue_token(app, "alice")        # or POST /auth/token with alice-demo-pw
```

See ``docs/twins.md`` for each weakness, the request that exploits it and the call that fixes it.
"""

from __future__ import annotations

from dynaguard.demo.app import KINDS, TwinKind, create_app, source_paths
from dynaguard.demo.auth import DEMO_USERS, issue_token
from dynaguard.demo.db import TableNames, tables
from dynaguard.demo.server import RunningApp, serve
from dynaguard.demo.spec import load_spec

__all__ = [
    "DEMO_USERS",
    "KINDS",
    "RunningApp",
    "TableNames",
    "TwinKind",
    "create_app",
    "issue_token",
    "load_spec",
    "serve",
    "source_paths",
    "tables",
]
