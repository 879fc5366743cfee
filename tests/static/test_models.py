"""The model interface: library knowledge is registered with the interpreter, not woven into it.

A library dynaguard does not ship a model for is taught with one new ``Model`` (code, or data
only), passed in the model list; nothing in the interpreter changes.
"""

from __future__ import annotations

from dynaguard.catalogue import CATALOGUE
from dynaguard.model import Finding
from dynaguard.static import MODELS, Model, analyse_source
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame, Source
from dynaguard.static.flow.knowledge import Models
from dynaguard.static.flow.values import IDENTITY, REQUEST, Kind, Step, Value
from dynaguard.static.models import pynamodb

ACME_APP = """
from flask import Flask, request
import acme_store

app = Flask(__name__)
store = acme_store.connect("orders")


@app.post("/orders")
def create_order():
    store.save(request.get_json())  # the whole body becomes the stored record
    return {"ok": True}
"""


class AcmeStore(Model):
    """A fictional key-value client: ``acme_store.connect(name)`` makes a store whose ``save``
    writes the record it is given as one item."""

    name = "acme_store"
    packages = frozenset({"acme_store"})
    ref_kinds = frozenset({"acme"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name == "ext:acme_store.connect":
            return Value(refs=frozenset({"acme:store"}))
        return None

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if "acme:store" in receiver.refs and name == "save":
            frame.emit(Event(Op.PUT, "acme_store.save", args.site, {"Item": args.first()}))
            return Value()
        return None


DG101 = [r for r in CATALOGUE if r.id == "DG101"]


def _rules(findings: tuple[Finding, ...]) -> list[str]:
    return sorted(f.rule.id for f in findings)


def test_a_new_library_is_one_model_and_nothing_in_the_interpreter() -> None:
    without = analyse_source(ACME_APP, rules=DG101)
    with_model = analyse_source(ACME_APP, rules=DG101, models=(*MODELS, AcmeStore()))
    assert _rules(without) == []
    assert _rules(with_model) == ["DG101"]
    assert "acme_store.save" in with_model[0].message


DECLARED_APP = """
from flask import Flask
import acme_web
import boto3

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("notes")


@app.post("/notes")
def create_note():
    table.put_item(Item=acme_web.body())
    return {"ok": True}
"""


class AcmeWeb(Model):
    """Data only: what a call returns is declared, there is no code."""

    name = "acme_web"
    packages = frozenset({"acme_web"})
    sources = {"ext:acme_web.body": Source(REQUEST, Kind.BODY, "body", "acme_web.body()")}  # noqa: RUF012


def test_a_model_can_be_data_only() -> None:
    found = analyse_source(DECLARED_APP, rules=DG101, models=(*MODELS, AcmeWeb()))
    assert _rules(found) == ["DG101"]
    assert found[0].flow[0].note == "acme_web.body()"


PYNAMO_APP = """
from flask import Flask, request
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

app = Flask(__name__)


class Note(Model):
    class Meta:
        table_name = "notes"

    note_id = UnicodeAttribute(hash_key=True)


@app.post("/notes")
def create_note():
    Note(**request.get_json()).save()
    return {"ok": True}
"""


def test_what_dynaguard_knows_of_pynamodb_is_its_model() -> None:
    everything = analyse_source(PYNAMO_APP, rules=DG101)
    without = analyse_source(
        PYNAMO_APP, rules=DG101, models=tuple(m for m in MODELS if m is not pynamodb.MODEL)
    )
    assert _rules(everything) == ["DG101"]
    assert _rules(without) == []


class _Answers(Model):
    def __init__(self, name: str, packages: set[str], answer: Value | None) -> None:
        self.name = name
        self.packages = frozenset(packages)
        self.answer = answer
        self.asked: list[str] = []

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        self.asked.append(name)
        return self.answer


def test_models_are_asked_in_order_by_package_and_the_first_answer_wins() -> None:
    first = Value(text="first")
    observer = _Answers("observer", {"*"}, None)
    claims = _Answers("claims", {"lib"}, first)
    later = _Answers("later", {"lib"}, Value(text="later"))
    other = _Answers("other", {"elsewhere"}, Value(text="other"))
    models = Models([observer, claims, later, other])
    frame = object.__new__(Frame)  # the models above never look at the frame
    args = object.__new__(Args)
    assert models.call(frame, "ext:lib.f", args) is first
    assert observer.asked == ["ext:lib.f"]
    assert later.asked == [] and other.asked == []
    assert models.call(frame, "ext:nothing.f", args) is None
    assert models.packages == {"lib", "elsewhere"}


def test_shipped_models_cover_what_the_interpreter_used_to_hard_code() -> None:
    models = Models(MODELS)
    assert {"boto3", "botocore", "flask", "pynamodb", "pydantic", "marshmallow"} <= models.packages
    assert "dynaguard" not in models.packages  # dynaguard's own modules stay project modules
    assert {"put_item", "add_url_rule", "route", "Records"} <= models.relevant_names
    identity = Source(IDENTITY, Kind.VALUE, "identity")
    assert (
        identity.value("ext:auth.who", _site()).labels[(IDENTITY, int(Kind.VALUE))][0].note
        == "who()"
    )


def _site() -> Step:
    return Step("app.py", 3, 4, "view", "")
