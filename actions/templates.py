"""The bot's Vietnamese responses, read from the Rasa domain files.

The Rasa domain (``bot/domain/*.yml``) is the only place where citizen-facing
sentences live. Rasa renders them when an action names a response; the app
renders the very same templates itself in degraded mode (Rasa unreachable) and
for the short fragments (method labels…) that actions put inside a line.
Interpolation follows Rasa's own rule (``{name}`` replaced, unknown names left
as written) so both paths produce identical text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_VARIABLE = re.compile(r"{([^\n{}]+?)}")


@dataclass(frozen=True)
class Button:
    """A quick reply: the title shown and the payload posted back."""

    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        """The button as Rasa and the API send it."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    """One bot message named by its domain response, with the values to fill in.

    Attributes:
        response: the domain response name (``utter_…``).
        variables: values for the template's ``{placeholders}``.
        buttons: buttons added by the action (the template may define more).

    """

    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class RenderedMessage:
    """A reply as the citizen sees it."""

    text: str
    buttons: tuple[Button, ...] = ()


def interpolate(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders exactly like Rasa 3.6's ``interpolate_text``.

    As in Rasa, a template with a placeholder that has no value is returned
    unchanged, so a missing variable is visible instead of half-filled.

    Example:
        >>> interpolate("Lệ phí: {fee}", {"fee": "Miễn phí"})
        'Lệ phí: Miễn phí'

    """
    try:
        text = _VARIABLE.sub(r"{0[\1]}", template).format(values)
        if "0[" in text:
            return template.format({})
        return text
    except (KeyError, IndexError, ValueError):
        return template


class DomainTemplates:
    """Responses of the Rasa domain, loaded once from the domain directory."""

    def __init__(self, responses: dict[str, list[dict[str, Any]]]) -> None:
        self._responses = responses

    @classmethod
    def load(cls, domain_dir: Path) -> DomainTemplates:
        """Read every ``*.yml`` file of ``domain_dir`` and keep their responses."""
        responses: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(domain_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            responses.update(data.get("responses") or {})
        if not responses:
            raise FileNotFoundError(f"no responses found in {domain_dir}")
        return cls(responses)

    def names(self) -> set[str]:
        """Names of every response in the domain."""
        return set(self._responses)

    def _variant(self, name: str) -> dict[str, Any]:
        variants = self._responses.get(name)
        if not variants:
            raise KeyError(f"response {name!r} is not defined in the domain")
        return variants[0]

    def text(self, name: str, **values: Any) -> str:
        """Render the text of response ``name`` (first variation)."""
        return interpolate(str(self._variant(name).get("text", "")), values)

    def render(self, reply: Reply) -> RenderedMessage:
        """Render a reply the way Rasa would: template text and buttons, then the action's."""
        variant = self._variant(reply.response)
        buttons = tuple(Button(interpolate(str(b["title"]), reply.variables), str(b["payload"]))
                        for b in variant.get("buttons") or ())
        return RenderedMessage(interpolate(str(variant.get("text", "")), reply.variables),
                               buttons + tuple(reply.buttons))
