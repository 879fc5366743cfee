"""Which parameters a body uses as names, and which constant fields of them it reads.

``calls._name_uses`` decides which calls get a summary specialised to the constant they pass;
it searches every word in those places at once, so these cases check the edges where a word
could be cut or matches could overlap.
"""

from __future__ import annotations

from dynaguard.static.flow.calls import _name_uses

NAME = {"name": frozenset()}


def test_names_passed_to_key_table_environ_or_used_as_dict_keys() -> None:
    text = "Key(Key(name)) {a: 1, b :2} Table( x) environ[ y] Attr(names_) ]()"
    names = ("name", "a", "b", "x", "y", "Key", "names", "z")
    # ``Key(Key(name`` holds two overlapping uses; ``names_`` is not ``names``.
    assert _name_uses(text, names) == {0: NAME, 1: NAME, 2: NAME, 3: NAME, 4: NAME, 5: NAME}


def test_constant_fields_are_read_only_where_a_table_dispatches() -> None:
    text = "handlers[kind](x)\nkind['op'] kind2[\"z\"] kind.get('other') d[e['k']] kinds['no']"
    assert _name_uses(text, ("kind", "kind2", "e", "d", "ki")) == {
        0: {"fields": frozenset({"op", "other"})},
        1: {"fields": frozenset({"z"})},
        2: {"fields": frozenset({"k"})},
    }
    assert _name_uses(text.replace("handlers[kind](x)", "handle(kind)"), ("kind",)) == {}


def test_a_name_with_a_combining_mark_is_searched_for_whole() -> None:
    name = "na\u0301me"  # ``\w`` does not match the combining accent
    text = f"Key({name}) {name}['f'] x[0]()"
    # ``na`` ends where ``\w`` does, before the accent, as a search for ``na\b`` finds it.
    assert _name_uses(text, (name, "na")) == {
        0: {"name": frozenset(), "fields": frozenset({"f"})},
        1: NAME,
    }
