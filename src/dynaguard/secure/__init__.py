"""dynaguard.secure: the fixes for integrity failures and mass assignment, as a Flask extension.

```python
app = Flask(__name__)
DynaGuard(app)                                   # JSON errors, identity, strict bodies

class NoteIn(Input):
    title: str

notes = OwnedTable(table, owner_attribute="owner", sort_attribute="note_id")

@app.post("/notes")
def create_note():
    return notes.create(to_item(parse_body(NoteIn), version=1)), 201
```

It imports nothing else from dynaguard: it is a library for users' apps.
"""

from dynaguard.secure.errors import (
    BadRequest,
    ConfigurationError,
    Conflict,
    Forbidden,
    NotFound,
    SecureError,
    Unauthenticated,
)
from dynaguard.secure.extension import DynaGuard
from dynaguard.secure.identity import (
    current_identity,
    flask_login_identity,
    g_identity,
    jwt_identity,
)
from dynaguard.secure.owned import OwnedTable
from dynaguard.secure.settings import IdentityLoader
from dynaguard.secure.streams import (
    AlreadyInProgress,
    dedupe_put,
    idempotent_stream_handler,
    write_once,
)
from dynaguard.secure.transactions import transact_write
from dynaguard.secure.updates import UpdateSpec, build_update
from dynaguard.secure.validation import Input, KeyStr, parse_body, to_item
from dynaguard.secure.writes import (
    create_if_absent,
    delete_if_exists,
    increment,
    update_if_exists,
    versioned_update,
)

__all__ = [
    "AlreadyInProgress",
    "BadRequest",
    "ConfigurationError",
    "Conflict",
    "DynaGuard",
    "Forbidden",
    "IdentityLoader",
    "Input",
    "KeyStr",
    "NotFound",
    "OwnedTable",
    "SecureError",
    "Unauthenticated",
    "UpdateSpec",
    "build_update",
    "create_if_absent",
    "current_identity",
    "dedupe_put",
    "delete_if_exists",
    "flask_login_identity",
    "g_identity",
    "idempotent_stream_handler",
    "increment",
    "jwt_identity",
    "parse_body",
    "to_item",
    "transact_write",
    "update_if_exists",
    "versioned_update",
    "write_once",
]
