"""Validate action-server replies without re-checking Rasa's constant schema every turn.

Rasa 3.6 checks every reply of the action server with ``jsonschema.validate``,
which first validates the *schema itself* against the JSON-Schema metaschema
(``check_schema``) on every call. Rasa's schema never changes, and that
metaschema check was ~70% of the server's CPU per message in profiles. This
module makes ``jsonschema.validate`` check each distinct schema once and reuse
its validator; every reply is still fully validated, with the same errors.

What remained was ~2.4 ms per reply, most of it the events' ``oneOf`` over 23
event kinds: each event was tried against every kind, building an error for
each one it is not. Every kind pins ``event`` to its own constant, so an event
can match only the kind it names; a reply is accepted when it is valid with the
``oneOf`` left out and each event is valid against the kind it names. Anything
else (an unknown kind, any error) is validated again the standard way, so a bad
reply raises exactly the error it raised before.
It is installed when the project's custom components are loaded.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

# (a copy of the schema, the validator class asked for, its validator, its shortcut)
_VALIDATORS: list[tuple[Any, Any, Any, _EventsShortcut | None]] = []
_LOCK = threading.Lock()
_ORIGINAL = jsonschema.validate


@dataclass(frozen=True)
class _EventsShortcut:
    """A schema whose ``events`` items are a ``oneOf`` of kinds told apart by ``event``."""

    without_kinds: Any  # validator of the schema with the items' ``oneOf`` removed
    kinds: dict[str, Any]  # event name -> validator of that kind's schema

    def accepts(self, instance: Any) -> bool:
        """True only if the standard validation accepts ``instance`` too."""
        if not self.without_kinds.is_valid(instance):
            return False
        for event in instance.get("events") or ():
            kind = self.kinds.get(event["event"])  # present and a string: checked above
            if kind is None or not kind.is_valid(event):
                return False
        return True


def _kind_name(branch: Any) -> str | None:
    const = branch.get("properties", {}).get("event", {}).get("const") \
        if isinstance(branch, dict) else None
    return const if isinstance(const, str) else None


def _shortcut_for(schema: Any, klass: Any) -> _EventsShortcut | None:
    """The shortcut for Rasa's action reply schema; None for any other shape."""
    try:
        items = schema["properties"]["events"]["items"]
        branches = items["oneOf"]
    except (KeyError, TypeError):
        return None
    names = [_kind_name(branch) for branch in branches]
    if schema.get("type") != "object" or items.get("type") != "object" \
            or "event" not in items.get("required", ()) \
            or items.get("properties", {}).get("event") != {"type": "string"} \
            or None in names or len(set(names)) != len(names):
        return None
    stripped = copy.deepcopy(schema)
    del stripped["properties"]["events"]["items"]["oneOf"]
    return _EventsShortcut(klass(stripped),
                           {name: klass(branch) for name, branch in zip(names, branches)})


def _validator_for(schema: Any, cls: Any) -> tuple[Any, _EventsShortcut | None]:
    # compared by value with a private copy: cheaper than serialising the schema as a key
    for known, known_cls, validator, shortcut in _VALIDATORS:
        if known_cls is cls and known == schema:
            return validator, shortcut
    with _LOCK:
        klass = cls or validators.validator_for(schema)
        klass.check_schema(schema)
        entry = (copy.deepcopy(schema), cls, klass(schema), _shortcut_for(schema, klass))
        _VALIDATORS.append(entry)
    return entry[2], entry[3]


def cached_validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """Drop-in ``jsonschema.validate`` whose schema check is done once per schema."""
    if args or kwargs:
        return _ORIGINAL(instance, schema, cls, *args, **kwargs)
    validator, shortcut = _validator_for(schema, cls)
    if shortcut is not None and shortcut.accepts(instance):
        return None
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error
    return None


def install() -> None:
    """Replace ``jsonschema.validate`` (idempotent)."""
    jsonschema.validate = cached_validate
