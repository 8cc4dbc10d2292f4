"""Action replies are accepted and refused exactly as Rasa's own validation does.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_schema_cache.py``.
The reference is ``jsonschema.validate`` as Rasa calls it, on Rasa's own schema.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from components import schema_cache
from rasa.core.actions.action import RemoteAction
from rasa_sdk.events import ActionExecuted, FollowupAction, SessionStarted, SlotSet, UserUttered

SCHEMA = RemoteAction.action_response_format_spec()
MESSAGE = {"text": None, "response": "utter_answer", "buttons": [], "elements": [], "custom": {},
           "image": None, "attachment": None, "template": "utter_answer"}

REPLIES: list[dict[str, Any]] = [
    {"events": [SlotSet("procedure_code", "1.001193"), SlotSet("miss_count", 0.0)],
     "responses": [MESSAGE, {**MESSAGE, "custom": {"turn": {"decision": "answer"}}}]},
    {"events": [], "responses": []},
    {},
    {"events": [FollowupAction("action_listen"), SessionStarted(), ActionExecuted("x")]},
    {"events": [UserUttered("xin chao", {"intent": {"name": "greet", "confidence": 0.9},
                                         "entities": [{"entity": "code", "value": "1"}]})]},
    # refused:
    {"events": [UserUttered("xin chao", {"name": "greet", "confidence": 0.9},  # type: ignore
                            [{"entity": "code", "value": "1"}])]},  # parse_data misplaced
    {"events": [{"event": "slot", "value": 1}]},  # no name
    {"events": [{"event": "no_such_kind"}]},
    {"events": [{"name": "x", "value": 1}]},  # no kind
    {"events": [{"event": 3}]},
    {"events": [SlotSet("a", 1), "slot"]},
    {"events": {"event": "slot"}},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "action", "name": 5}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "x"}]}}]},
    {"responses": [MESSAGE, "text"]},
    [],
]


def _outcome(validate: Any, reply: Any) -> str | None:
    try:
        validate(reply, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError as error:
        return f"{error.message} at {list(error.absolute_path)}"
    return None


@pytest.mark.parametrize("reply", REPLIES)
def test_a_reply_gets_the_verdict_and_error_of_the_standard_validation(reply: Any) -> None:
    expected = _outcome(jsonschema.validators.validate, reply)
    assert _outcome(schema_cache.cached_validate, reply) == expected


def test_the_refused_replies_are_refused() -> None:
    refused = [r for r in REPLIES if _outcome(jsonschema.validators.validate, r) is not None]
    assert len(refused) == 12


def test_a_valid_reply_takes_the_shortcut_without_building_errors(monkeypatch) -> None:
    validator, shortcut = schema_cache._validator_for(SCHEMA, None)
    assert shortcut is not None and shortcut.accepts(REPLIES[0])

    def no_errors(*_args: Any) -> Any:
        raise AssertionError("the standard validation ran on a valid reply")

    monkeypatch.setattr(validator, "iter_errors", no_errors)
    schema_cache.cached_validate(REPLIES[0], RemoteAction.action_response_format_spec())


def test_another_schema_is_validated_the_standard_way() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert schema_cache._validator_for(schema, None)[1] is None
    with pytest.raises(jsonschema.ValidationError):
        schema_cache.cached_validate({"n": "1"}, schema)


def test_one_validator_per_distinct_schema() -> None:
    first = schema_cache._validator_for(RemoteAction.action_response_format_spec(), None)[0]
    assert schema_cache._validator_for(RemoteAction.action_response_format_spec(), None)[0] \
        is first
    changed = RemoteAction.action_response_format_spec()
    changed["required"] = ["events"]
    assert schema_cache._validator_for(changed, None)[0] is not first
    with pytest.raises(jsonschema.ValidationError):
        schema_cache.cached_validate({"responses": []}, changed)
