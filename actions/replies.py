"""Replies for the outcomes other than a procedure answer.

Clarifying buttons, FAQ answers, not found, handoff, small talk and the
rating: like the procedure answers, only domain responses filled with values.
``AnswerComposer`` (``actions/compose.py``) inherits them.
"""

from __future__ import annotations

from collections.abc import Sequence

from actions import constants as c
from actions.formatting import chunk_lines, format_iso, safe, shorten
from actions.templates import Button, DomainTemplates, Reply
from knowledge_base.models import Faq, Procedure, SearchHit


class OutcomeReplies:
    """Replies for clarify, FAQ, not found, handoff, small talk and rating outcomes."""

    templates: DomainTemplates
    max_chars: int

    def _list_replies(self, first: str, more: str, key: str, lines: list[str],
                      extra: dict[str, str] | None = None) -> list[Reply]:
        blocks = chunk_lines([safe(line) for line in lines], self.max_chars)
        replies = [Reply(first, {**(extra or {}), key: blocks[0]})]
        replies += [Reply(more, {key: block}) for block in blocks[1:]]
        return replies

    def clarify(self, hits: Sequence[SearchHit], aspect: str) -> list[Reply]:
        """Up to three buttons, one per candidate; the payload keeps the asked aspect."""
        buttons = [
            _choose(hit.title, "procedure_code" if hit.type.value == "procedure" else "faq_id",
                    hit.id, aspect)
            for hit in hits[: c.MAX_CLARIFY_BUTTONS]]
        name = "utter_clarify_one" if len(buttons) == 1 else "utter_clarify"
        return [Reply(name, {}, tuple(buttons))]

    def ask_which_procedure(self) -> list[Reply]:
        """A follow-up with no procedure under discussion: ask which one."""
        return [Reply("utter_ask_which_procedure")]

    def faq(self, faq: Faq, office: dict[str, str],
            related: Sequence[Procedure] = ()) -> list[Reply]:
        """An FAQ answer with the office placeholders filled, split if long.

        ``related``: procedures in force the citizen may need next, as buttons
        ("sổ hộ khẩu" is abolished, but "Xác nhận thông tin về cư trú" is not).
        """
        answer = faq.answer
        for key, value in office.items():
            answer = answer.replace("{" + key + "}", value)
        paragraphs = [p for p in answer.strip().split("\n") if p.strip()]
        replies = self._list_replies("utter_faq_answer", "utter_faq_answer", "faq_answer",
                                     paragraphs)
        if faq.last_verified:
            replies.append(Reply("utter_faq_source_verified",
                                 {**office, "last_verified": format_iso(faq.last_verified)}))
        else:
            replies.append(Reply("utter_faq_source", office))
        if related:
            buttons = tuple(_choose(p.name, "procedure_code", p.code, c.ASPECT_GENERAL)
                            for p in related[: c.MAX_CLARIFY_BUTTONS])
            replies.append(Reply("utter_faq_related", {}, buttons))
        return replies

    def office_info(self, office: dict[str, str]) -> list[Reply]:
        """The office's address, hours and phone (a where-question without a procedure)."""
        from actions.summary import map_url  # summary imports this module's helpers' peers

        return [Reply("utter_office_info", {**office, "office_map_url": map_url(office)})]

    def not_found(self, office: dict[str, str]) -> list[Reply]:
        """Nothing matched: say so kindly, point to the office and portal, offer a human."""
        return [Reply("utter_not_found", office)]

    def elsewhere(self, reply: str, office: dict[str, str]) -> list[Reply]:
        """Not a ward procedure: the team's note on where to go instead, and a human."""
        return [Reply("utter_out_of_scope_topic", {**office, "elsewhere": reply})]

    @staticmethod
    def elsewhere_aside(reply: str) -> list[Reply]:
        """Where to go for a topic another office handles, before buttons for a procedure."""
        return [Reply("utter_out_of_scope_aside", {"elsewhere": reply})]

    def not_found_in_context(self, procedure: Procedure, office: dict[str, str]) -> list[Reply]:
        """Nothing matched a detail asked while a procedure is under discussion.

        "Not in the catalog" would be confusing there (the procedure is): say the
        catalog has nothing specific and offer its documents or a human.
        """
        return [Reply("utter_not_found_in_context",
                      {**office, "procedure_name": safe(shorten(procedure.name))})]

    def handoff(self, office: dict[str, str], reason: str) -> list[Reply]:
        """Tell the citizen a staff member takes over (and when)."""
        repeated = reason == c.HANDOFF_REPEATED_MISSES
        name = "utter_handoff_after_misses" if repeated else "utter_handoff"
        return [Reply(name, office)]

    def chitchat(self, response: str, office: dict[str, str]) -> list[Reply]:
        """A small-talk response with the office details it may mention."""
        return [Reply(response, office)]

    def ask_rating(self) -> list[Reply]:
        """The 1–5 satisfaction question with one button per score."""
        buttons = tuple(Button(str(score), f'/{c.INTENT_RATE}{{"rating":"{score}"}}')
                        for score in range(1, 6))
        return [Reply("utter_ask_rating", {}, buttons)]

    def thanks_for_rating(self, rating: int) -> list[Reply]:
        """Thank the citizen for the score given."""
        return [Reply("utter_thanks_for_rating", {"rating": str(rating)})]


def _choose(title: str, entity: str, target_id: str, aspect: str) -> Button:
    """A button that chooses a procedure (or FAQ entry) and keeps the aspect asked."""
    return Button(shorten(title), f'/{c.INTENT_CHOOSE_PROCEDURE}'
                                  f'{{"{entity}":"{target_id}","aspect":"{aspect}"}}')
