"""Turn knowledge-base records into the bot's replies (domain responses + values).

The composer never writes a sentence itself: it chooses domain responses and
fills their placeholders with values taken from the parsed catalog (fees,
times and documents per submission method) or the office information. The
same replies are uttered by Rasa (actions) and rendered by the app when Rasa
is unreachable, so both paths say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from actions import constants as c
from actions.formatting import (
    catalog_place,
    chunk_lines,
    document_line,
    fee_detail,
    format_date,
    format_iso,
    group_methods,
    is_note,
    main_first,
    safe,
    shorten,
)
from actions.templates import Button, DomainTemplates, Reply
from actions.timing import any_bare, time_text
from knowledge_base.models import Channel, Document, DocumentKind, Faq, Method, Procedure, SearchHit

METHOD_ORDER = (Method.IN_PERSON, Method.ONLINE, Method.POST)


class AnswerComposer:
    """Builds replies for every dialogue outcome; pure apart from reading templates."""

    def __init__(self, templates: DomainTemplates, max_chars: int = c.MAX_MESSAGE_CHARS) -> None:
        self.templates = templates
        self.max_chars = max_chars

    # --- fragments ---------------------------------------------------------
    def _label(self, name: str) -> str:
        return self.templates.text(f"utter_label_{name}")

    def _method(self, method: Method) -> str:
        return self._label(f"method_{method.value}")

    def _channels(self, procedure: Procedure) -> list[Channel]:
        seen: dict[Method, Channel] = {}
        for channel in procedure.channels:
            fee = channel.fee
            if channel.processing_time.text or fee.text or fee.amount_vnd is not None:
                seen.setdefault(channel.method, channel)
        return [seen[m] for m in METHOD_ORDER if m in seen]

    def _time_text(self, channel: Channel, channels: Sequence[Channel]) -> str:
        shown = time_text(channel, channels)
        if shown is None:
            return self._label("not_stated")
        return f"{shown.text} {self._label('unit_missing')}" if shown.bare else shown.text

    def _method_lines(self, channels: Sequence[Channel],
                      text_of: Callable[[Channel], str]) -> list[str]:
        """One "• method(s): text" line per distinct text; "Mọi hình thức nộp" when all agree."""
        groups = group_methods(channels, text_of)
        if len(groups) == 1 and len(channels) > 1:
            return [f"• {self._label('all_methods')}: {groups[0][1]}"]
        return [f"• {', '.join(self._method(m) for m in methods)}: {text}"
                for methods, text in groups]

    @staticmethod
    def _unit_note(shown: Sequence[Channel], channels: Sequence[Channel]) -> list[Reply]:
        """The note under a time list where the catalog gives a bare number (no unit)."""
        return [Reply("utter_time_unit_missing")] if any_bare(shown, channels) else []

    def _fee_text(self, channel: Channel) -> str:
        text = channel.fee.text or self._label("not_stated")
        detail = fee_detail(channel)
        return f"{text}. {self._label('fee_detail')}: {detail}" if detail else text

    def _document_line(self, index: int, document: Document) -> str:
        return document_line(index, document, self._label("form"), self._label("show_original"))

    # --- procedure answers -------------------------------------------------
    def source(self, procedure: Procedure, catalog_date: datetime | None) -> Reply:
        """The source footer that ends every procedure answer."""
        return Reply("utter_source", {
            "procedure_code": procedure.code, "decision": procedure.decision or "—",
            "official_url": procedure.official_url, "catalog_date": format_date(catalog_date)})

    def header(self, procedure: Procedure) -> Reply:
        """The procedure's name, so the citizen sees what the answer is about."""
        return Reply("utter_procedure_header", {"procedure_name": safe(procedure.name)})

    def _list_replies(self, first: str, more: str, key: str, lines: list[str],
                      extra: dict[str, str] | None = None) -> list[Reply]:
        blocks = chunk_lines([safe(line) for line in lines], self.max_chars)
        replies = [Reply(first, {**(extra or {}), key: blocks[0]})]
        replies += [Reply(more, {key: block}) for block in blocks[1:]]
        return replies

    def documents(self, procedure: Procedure, case: str | None) -> list[Reply]:
        """Checklist of one case plus the case-less groups.

        Entries the catalog counts as "0 bản chính" are mostly notes about special
        situations; they are counted and pointed to (the source link has them all)
        unless they are all the catalog lists.
        """
        groups = [g for g in procedure.document_groups if g.case is None or g.case == case]
        submit = [d for g in groups if g.kind == DocumentKind.SUBMIT for d in g.documents]
        present = [d for g in groups if g.kind == DocumentKind.PRESENT for d in g.documents]
        if not submit and not present:
            return [Reply("utter_documents_missing")]
        notes = [d for d in submit + present if is_note(d)]
        if len(notes) < len(submit) + len(present):
            submit = [d for d in submit if not is_note(d)]
            present = [d for d in present if not is_note(d)]
        else:
            notes = []
        submit, present = main_first(submit), main_first(present)
        replies: list[Reply] = []
        first, extra = ("utter_documents_case", {"case_name": safe(case)}) if case else (
            "utter_documents", {})
        if submit:
            lines = [self._document_line(i, d) for i, d in enumerate(submit, 1)]
            replies += self._list_replies(first, "utter_documents_continued", "document_lines",
                                          lines, extra)
        if present:
            lines = [self._document_line(i, d) for i, d in enumerate(present, 1)]
            replies += self._list_replies("utter_documents_present", "utter_documents_continued",
                                          "document_lines", lines)
        if notes:
            replies.append(Reply("utter_documents_notes", {"note_count": str(len(notes))}))
        return replies

    def case_question(self, procedure: Procedure, aspect: str) -> list[Reply]:
        """Ask which case applies, one button per case heading of the catalog."""
        buttons = tuple(
            Button(shorten(case), f'/{c.INTENT_CHOOSE_CASE}{{"case_index":"{i}",'
                                  f'"aspect":"{aspect}"}}')
            for i, case in enumerate(procedure.cases, 1))
        return [Reply("utter_ask_case", {"procedure_name": safe(procedure.name)}, buttons)]

    def fees(self, procedure: Procedure) -> list[Reply]:
        """Fee per submission method, as the catalog states it."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        lines = self._method_lines(channels, self._fee_text)
        return self._list_replies("utter_fees", "utter_fees_continued", "fee_lines", lines)

    def times(self, procedure: Procedure) -> list[Reply]:
        """Processing time per submission method, as the catalog states it."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        lines = self._method_lines(channels, lambda ch: self._time_text(ch, channels))
        return [Reply("utter_processing_time", {"time_lines": safe("\n".join(lines))}),
                *self._unit_note(channels, channels)]

    def fees_and_times(self, procedure: Procedure) -> list[Reply]:
        """Time and fee per submission method, in one list."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        lines = self._method_lines(channels, lambda ch: (
            f"{self._label('time')} {self._time_text(ch, channels)}; "
            f"{self._label('fee')} {self._fee_text(ch)}"))
        return self._list_replies("utter_fees_and_time", "utter_channels_continued",
                                  "channel_lines", lines) + self._unit_note(channels, channels)

    def where(self, procedure: Procedure, office: dict[str, str]) -> list[Reply]:
        """Implementing agency, the office's address and hours, the submission methods."""
        agency = (procedure.agency or procedure.competent_agency or "").strip()
        place = catalog_place(procedure.channel(Method.IN_PERSON))
        if place:
            replies = [Reply("utter_where_catalog_place", {
                **office, "agency": safe(agency or self._label("not_stated")),
                "catalog_place": safe(place)})]
        elif agency:
            replies = [Reply("utter_where", {**office, "agency": safe(agency)})]
        else:
            replies = [Reply("utter_where_office", office)]
        methods = [self._method(ch.method) for ch in self._channels(procedure)]
        if methods:
            replies.append(Reply("utter_where_methods", {"method_list": ", ".join(methods)}))
        return replies

    def steps(self, procedure: Procedure) -> list[Reply]:
        """The catalog's steps, split into readable messages."""
        if not procedure.steps:
            return [Reply("utter_steps_missing")]
        lines = [" ".join(step.split()) for step in procedure.steps]
        return self._list_replies("utter_steps", "utter_steps_continued", "step_lines", lines)

    def online(self, procedure: Procedure, office: dict[str, str]) -> list[Reply]:
        """The portal link with the online time and fee, or where to apply instead."""
        channels = self._channels(procedure)
        channel = next((ch for ch in channels if ch.method == Method.ONLINE), None)
        if channel is None:
            return [Reply("utter_online_unavailable", office)]
        return [Reply("utter_online_available", {
            "online_url": procedure.portal_url or procedure.official_url,
            "online_time": safe(self._time_text(channel, channels)),
            "online_fee": safe(self._fee_text(channel))}), *self._unit_note([channel], channels)]

    def answer(self, procedure: Procedure, aspect: str, office: dict[str, str],
               catalog_date: datetime | None, case: str | None = None) -> list[Reply]:
        """The full answer to one aspect: header, content, source (and follow-up buttons)."""
        if aspect == c.ASPECT_DOCUMENTS:
            body = self.documents(procedure, case)
        elif aspect == c.ASPECT_FEE:
            body = self.fees(procedure)
        elif aspect == c.ASPECT_TIME:
            body = self.times(procedure)
        elif aspect == c.ASPECT_WHERE:
            body = self.where(procedure, office)
        elif aspect == c.ASPECT_STEPS:
            body = self.steps(procedure)
        elif aspect == c.ASPECT_ONLINE:
            body = self.online(procedure, office)
        else:
            body = self.documents(procedure, case) + self.fees_and_times(procedure)
        replies = [self.header(procedure), *body, self.source(procedure, catalog_date)]
        if aspect == c.ASPECT_GENERAL:
            replies.append(Reply("utter_more_topics"))
        return replies

    def overview_then_case(self, procedure: Procedure, aspect: str, office: dict[str, str],
                           catalog_date: datetime | None) -> list[Reply]:
        """For a procedure whose documents differ by case: what is common, then ask the case."""
        replies = [self.header(procedure)]
        if aspect == c.ASPECT_GENERAL:
            replies += self.fees_and_times(procedure)
            replies.append(self.source(procedure, catalog_date))
        return replies + self.case_question(procedure, aspect)

    def unavailable(self, office: dict[str, str]) -> list[Reply]:
        """For a record flagged by the importer: say so and point to the office."""
        return [Reply("utter_procedure_unavailable", office)]

    # --- other outcomes ----------------------------------------------------
    def clarify(self, hits: Sequence[SearchHit], aspect: str) -> list[Reply]:
        """Up to three buttons, one per candidate; the payload keeps the asked aspect."""
        buttons = []
        for hit in hits[: c.MAX_CLARIFY_BUTTONS]:
            entity = "procedure_code" if hit.type.value == "procedure" else "faq_id"
            buttons.append(Button(shorten(hit.title), f'/{c.INTENT_CHOOSE_PROCEDURE}'
                                  f'{{"{entity}":"{hit.id}","aspect":"{aspect}"}}'))
        name = "utter_clarify_one" if len(buttons) == 1 else "utter_clarify"
        return [Reply(name, {}, tuple(buttons))]

    def ask_which_procedure(self) -> list[Reply]:
        """A follow-up with no procedure under discussion: ask which one."""
        return [Reply("utter_ask_which_procedure")]

    def faq(self, faq: Faq, office: dict[str, str]) -> list[Reply]:
        """An FAQ answer with the office placeholders filled, split if long."""
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
        return replies

    def office_info(self, office: dict[str, str]) -> list[Reply]:
        """The office's address, hours and phone (a where-question without a procedure)."""
        return [Reply("utter_office_info", office)]

    def not_found(self, office: dict[str, str]) -> list[Reply]:
        """Nothing matched: say so kindly, point to the office and portal, offer a human."""
        return [Reply("utter_not_found", office)]

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
