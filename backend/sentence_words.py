"""A sentence as an English template with named fields, so that a display can translate it.

The back end tells every step in English (`Step.sentence`, the `sentence` of a trace line), and
keeps how it built it: `Words("The client closed {what} (file descriptor {fd}) with close().",
{"what": Words("its reply FIFO {name}", {"name": "reply-1-2.fifo"}), "fd": 5})`. A field is a
number or a string shown as it is (a path, a C constant, a count), or a `Words` of its own.
The GUI translates each template through its catalogue and fills in the fields
(`qtapp.classroom.step_sentences`); the back end never needs to know which language is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

Field = Union[int, float, str, "Words"]


@dataclass(frozen=True)
class Words:
    """An English template ("... {fd} ...") and the values of its named fields."""

    template: str
    fields: dict[str, Field] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The sentence: each template through `translate` (none: English), the fields filled in.

        A translation that names a field the template lacks falls back to the English template.
        """
        values = {name: value.render(translate) if isinstance(value, Words) else str(value)
                  for name, value in self.fields.items()}
        template = translate(self.template) if translate is not None else self.template
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.template.format(**values)

    def templates(self) -> list[str]:
        """This template and those of its fields, outermost first."""
        found = [self.template]
        for value in self.fields.values():
            if isinstance(value, Words):
                found += value.templates()
        return found

    def to_record(self) -> dict:
        """JSON-ready: {"template": ..., "fields": {...}} with nested Words as nested dicts."""
        return {"template": self.template,
                "fields": {name: value.to_record() if isinstance(value, Words) else value
                           for name, value in self.fields.items()}}


def words_from_record(record: object) -> Words:
    """The `Words` a record (from `Words.to_record`, through JSON) describes; ValueError if not."""
    if not isinstance(record, dict) or not isinstance(record.get("template"), str):
        raise ValueError("words need a template")
    fields = record.get("fields") or {}
    if not isinstance(fields, dict):
        raise ValueError("the fields of words are a mapping")
    values: dict[str, Field] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            values[str(name)] = words_from_record(value)
        elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
            values[str(name)] = value
        else:
            raise ValueError(f"field {name!r} of words is {type(value).__name__}")
    return Words(record["template"], values)


def joined(parts: list[Field], separator: str = "and") -> Field:
    """ "a, b and c" as Words (`separator` "and"), or "a; b; c" (`separator` ";")."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    if separator == ";":
        return Words("{first}; {rest}", {"first": parts[0], "rest": joined(parts[1:], ";")})
    rest = parts[0]
    for part in parts[1:-1]:
        rest = Words("{first}, {rest}", {"first": rest, "rest": part})
    return Words("{rest} and {last}", {"rest": rest, "last": parts[-1]})
