"""Rows named in a URL, or a 404: the same answer for the pages and the API, and never a row of
another project (a finding or token id is checked against the project in the path)."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, g

from dynaguard.serve import projects
from dynaguard.serve.store import schema


def project(name: str) -> schema.Project:
    found = projects.find(g.db, name)
    if found is None:
        abort(404, description="no such project")
    return found


def finding(name: str, finding_id: int) -> schema.Finding:
    return _owned(name, schema.Finding, finding_id, "finding")


def token(name: str, token_id: int) -> schema.UploadToken:
    return _owned(name, schema.UploadToken, token_id, "token")


_Owned = TypeVar("_Owned", schema.Finding, schema.UploadToken)


def _owned(name: str, kind: type[_Owned], row_id: int, what: str) -> _Owned:
    owner = project(name)
    row = g.db.get(kind, row_id)
    if not isinstance(row, kind) or row.project_id != owner.id:
        abort(404, description=f"no such {what} in this project")
    return row
