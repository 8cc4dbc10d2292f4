"""Validate action-server replies without re-checking Rasa's constant schema every turn.

Rasa 3.6 checks every reply of the action server with ``jsonschema.validate``,
which first validates the *schema itself* against the JSON-Schema metaschema
(``check_schema``) on every call. Rasa's schema never changes, and that
metaschema check was ~70% of the server's CPU per message in profiles. This
module makes ``jsonschema.validate`` check each distinct schema once and reuse
its validator; every reply is still fully validated, with the same errors.
It is installed when the project's custom components are loaded.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_VALIDATORS: dict[str, Any] = {}
_LOCK = threading.Lock()
_ORIGINAL = jsonschema.validate


def _validator_for(schema: Any, cls: Any) -> Any:
    key = json.dumps(schema, sort_keys=True, default=str) + repr(cls)
    validator = _VALIDATORS.get(key)
    if validator is None:
        with _LOCK:
            klass = cls or validators.validator_for(schema)
            klass.check_schema(schema)
            validator = _VALIDATORS[key] = klass(schema)
    return validator


def cached_validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """Drop-in ``jsonschema.validate`` whose schema check is done once per schema."""
    if args or kwargs:
        return _ORIGINAL(instance, schema, cls, *args, **kwargs)
    error = exceptions.best_match(_validator_for(schema, cls).iter_errors(instance))
    if error is not None:
        raise error
    return None


def install() -> None:
    """Replace ``jsonschema.validate`` (idempotent)."""
    jsonschema.validate = cached_validate
