"""Request bodies and query strings: allowlists by construction (unknown fields are a 400)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from dynaguard.secure import Input, KeyStr

Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{3,32}$")]
RecordId = Annotated[KeyStr, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=2000)]


class SignUp(Input):
    """``POST /users``: no role, no flags, no hash; the server sets those."""

    username: Username
    # Not stripped: the login route compares the password exactly as typed.
    password: Annotated[
        str, StringConstraints(strip_whitespace=False, min_length=8, max_length=128)
    ]
    email: Email
    display_name: DisplayName | None = None


class ProfileUpdate(Input):
    """``PATCH /users/<username>``: the only attributes a user may change on their profile."""

    display_name: DisplayName | None = None
    email: Email | None = None


PROFILE_FIELDS = frozenset(ProfileUpdate.model_fields)


class RecordCreate(Input):
    """``POST /users/<username>/records``: the balance is not here, so it cannot be chosen."""

    title: Title
    notes: Notes = ""


class RecordReplace(Input):
    """``PUT /users/<username>/records/<id>``: ``version`` is the one read, only compared."""

    title: Title
    notes: Notes = ""
    version: int = Field(ge=1)


RECORD_FIELDS = frozenset({"title", "notes"})


class Increment(Input):
    """``?by=`` of the increment route."""

    by: int = Field(default=1, ge=1, le=100)


class Transfer(Input):
    """``POST /users/<username>/transfers``: a positive amount, bounded."""

    from_record_id: RecordId
    to_owner: Username
    to_record_id: RecordId
    amount: int = Field(ge=1, le=1_000_000)


class HandleClaim(Input):
    handle: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{3,30}$")]


class Search(Input):
    """``GET /search/records``: the field is one of an allowlist, never expression text."""

    field: Literal["title", "notes"] = "title"
    q: Annotated[str, StringConstraints(min_length=1, max_length=100)]
