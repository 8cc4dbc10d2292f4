"""Turn knowledge-base records into the bot's replies (domain responses + values).

The composer never writes a sentence itself: it chooses domain responses and
fills their placeholders with values taken from the parsed catalog (fees,
times and documents per submission method) or the office information. The
same replies are uttered by Rasa (actions) and rendered by the app when Rasa
is unreachable, so both paths say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from actions import constants as c
from actions.choices import is_ordinary_case
from actions.formatting import (
    catalog_place,
    fee_detail,
    format_date,
    group_methods,
    is_note,
    main_first,
    safe,
    shorten,
)
from actions.replies import OutcomeReplies
from actions.summary import (
    MIN_SUMMARY_DOCUMENTS,
    SummaryReplies,
    citizen_steps,
    map_url,
    shared_fee_quote,
)
from actions.templates import Button, DomainTemplates, Reply
from actions.timing import time_text
from knowledge_base.models import Channel, DocumentKind, Method, Procedure
from knowledge_base.plain import PlainData

METHOD_ORDER = (Method.IN_PERSON, Method.ONLINE, Method.POST)
FEE_AND_TIME = "fee_and_time"  # time and fee asked in one message: one list


class AnswerComposer(SummaryReplies, OutcomeReplies):
    """Builds replies for every dialogue outcome; pure apart from reading templates.

    ``plain`` holds the short names and facts, ``edits`` returns the admins' edits of
    names (cached by the caller), ``base_url`` prefixes the checklist links and
    ``today`` dates the fee reductions.
    """

    def __init__(self, templates: DomainTemplates, max_chars: int = c.MAX_MESSAGE_CHARS,
                 plain: PlainData | None = None, base_url: str = "",
                 edits: Callable[[], dict[str, str]] | None = None,
                 today: Callable[[], date] = date.today) -> None:
        self.templates = templates
        self.max_chars = max_chars
        self.plain = plain or PlainData.load()
        self.base_url = base_url
        self.edits = edits or dict
        self.today = today

    # --- fragments ---------------------------------------------------------
    def _label(self, name: str) -> str:
        return self.templates.text(f"utter_label_{name}")

    def _method(self, method: Method) -> str:
        return self._label(f"method_{method.value}")

    def channels(self, procedure: Procedure) -> list[Channel]:
        """The submission methods the answers list, one row per method (the checklist page too)."""
        return self._channels(procedure)

    def _channels(self, procedure: Procedure) -> list[Channel]:
        seen: dict[Method, Channel] = {}
        for channel in procedure.channels:
            fee = channel.fee
            if channel.processing_time.text or fee.text or fee.amount_vnd is not None:
                seen.setdefault(channel.method, channel)
        return [seen[m] for m in METHOD_ORDER if m in seen]

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
        """The note under a time list: a bare number (no unit), or no time at all."""
        if all(time_text(ch, channels) is None for ch in shown):
            return [Reply("utter_time_not_stated")]  # "chưa ghi rõ" alone leaves them stuck
        return []  # a bare number is phrased in its line (summary.time_view), not footnoted

    @staticmethod
    def _fee_note(channels: Sequence[Channel]) -> list[Reply]:
        """The note under a fee list where the catalog states no fee for any method."""
        stated = any(ch.fee.text or ch.fee.amount_vnd is not None for ch in channels)
        return [] if stated else [Reply("utter_fee_not_stated")]

    def _fee_text(self, channel: Channel, procedure: Procedure | None = None,
                  quoted_once: str | None = None) -> str:
        """The fee payable (facts applied when the procedure is known), then the row's rule.

        ``quoted_once``: the catalog's quote every method repeats, said once under the list.
        """
        cell = channel.fee.text
        if quoted_once and cell:
            cell = " ".join(cell.split()).replace(f" ({quoted_once})", "")
        text = self.plain.fix(cell) or self._label("not_stated")
        view = self.fee_view(procedure, channel) if procedure is not None else None
        if view is not None and view.sources:  # today's amount (cited), then the catalog's text
            text = f"{view.text}. {self._label('catalog_says')}: {text}"
        detail = fee_detail(channel)
        return f"{text}. {self._label('fee_detail')}: {self.plain.fix(detail)}" if detail else text

    # --- procedure answers -------------------------------------------------
    def source(self, procedure: Procedure, catalog_date: datetime | None) -> Reply:
        """The source footer that ends every procedure answer."""
        return Reply("utter_source", {
            "procedure_code": procedure.code, "decision": procedure.decision or "—",
            "official_url": procedure.official_url, "catalog_date": format_date(catalog_date)})

    def rejected(self, procedure: Procedure) -> list[Reply]:
        """"không phải khai sinh": not that procedure; ask what is meant, staff one tap away."""
        return [Reply("utter_rejected", {"procedure_name": safe(self.plain_name(procedure))})]

    def header(self, procedure: Procedure) -> Reply:
        """The procedure's short name, so the citizen sees what the answer is about."""
        return Reply("utter_procedure_header", {"procedure_name": safe(self.plain_name(procedure))})

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
        if case and is_ordinary_case(procedure.name, case):
            case = self._label("case_ordinary")  # not "trường hợp: Hồ sơ gia hạn tạm trú"
        first, extra = ("utter_documents_case", {"case_name": safe(case)}) if case else (
            "utter_documents", {})
        if submit:
            lines = [f"{i}. {self.document_text(procedure, d)}" for i, d in enumerate(submit, 1)]
            replies += self._list_replies(first, "utter_documents_continued", "document_lines",
                                          lines, extra)
        if present:
            lines = [f"{i}. {self.document_text(procedure, d)}" for i, d in enumerate(present, 1)]
            replies += self._list_replies("utter_documents_present", "utter_documents_continued",
                                          "document_lines", lines)
        if notes:
            replies.append(Reply("utter_documents_notes", {"note_count": str(len(notes))}))
        return replies

    def case_question(self, procedure: Procedure, aspect: str) -> list[Reply]:
        """Ask which case applies, one button per case heading of the catalog.

        The heading "Hồ sơ <procedure name>" is the ordinary case (tạm trú of a
        person or household, beside "theo danh sách" and army units): its button
        gets a title a citizen recognises. The order stays the catalog's, so a
        typed "2" still means the second button.
        """
        buttons = tuple(
            Button(self._label("case_ordinary") if is_ordinary_case(procedure.name, case)
                   else shorten(case),
                   f'/{c.INTENT_CHOOSE_CASE}{{"case_index":"{i}","aspect":"{aspect}"}}')
            for i, case in enumerate(procedure.cases, 1))
        return [Reply("utter_ask_case", {"procedure_name": safe(procedure.name)}, buttons)]

    def fees(self, procedure: Procedure) -> list[Reply]:
        """Fee per submission method, as the catalog states it."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        quote = shared_fee_quote(channels)
        lines = self._method_lines(channels, lambda ch: self._fee_text(ch, procedure, quote))
        replies = self._list_replies("utter_fees", "utter_fees_continued", "fee_lines", lines)
        if quote:
            replies.append(Reply("utter_fees_catalog_note", {
                "catalog_note": safe(self.plain.fix(quote))}))
        return replies + self._fee_note(channels)

    def times(self, procedure: Procedure) -> list[Reply]:
        """Processing time per submission method, as the catalog states it."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        lines = self._method_lines(
            channels, lambda ch: self.time_view(procedure, ch, channels).text)
        return [Reply("utter_processing_time", {"time_lines": safe("\n".join(lines))}),
                *self._unit_note(channels, channels)]

    def fees_and_times(self, procedure: Procedure) -> list[Reply]:
        """Time and fee per submission method, in one list."""
        channels = self._channels(procedure)
        if not channels:
            return [Reply("utter_channels_missing")]
        lines = self._method_lines(channels, lambda ch: (
            f"{self._label('time')} {self.time_view(procedure, ch, channels).text}; "
            f"{self._label('fee')} {self._fee_text(ch, procedure)}"))
        return self._list_replies("utter_fees_and_time", "utter_channels_continued",
                                  "channel_lines", lines) + self._unit_note(channels, channels) \
            + self._fee_note(channels)

    def where(self, procedure: Procedure, office: dict[str, str]) -> list[Reply]:
        """Implementing agency, the office's address and hours, the submission methods."""
        office = {**office, "office_map_url": map_url(office)}  # the ward's own address
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
        """What the citizen does, from the catalog's steps (the office's workflow left out).

        The full text stays on the checklist page ("Xem nguyên văn").
        """
        if not procedure.steps:
            return [Reply("utter_steps_missing")]
        lines = [f"{i}. {step}" for i, step in enumerate(citizen_steps(procedure.steps), 1)]
        return self._list_replies("utter_steps_citizen", "utter_steps_continued", "step_lines",
                                  lines)

    def online(self, procedure: Procedure, office: dict[str, str]) -> list[Reply]:
        """The portal link with the online time and fee, or where to apply instead."""
        channels = self._channels(procedure)
        channel = next((ch for ch in channels if ch.method == Method.ONLINE), None)
        if channel is None:
            return [Reply("utter_online_unavailable", office)]
        return [Reply("utter_online_available", {
            "online_url": procedure.portal_url or procedure.official_url,
            "online_time": safe(self.time_view(procedure, channel, channels).text),
            "online_fee": safe(self._fee_text(channel, procedure))}),
            *self._unit_note([channel], channels)]

    def _body(self, procedure: Procedure, aspect: str, office: dict[str, str],
              case: str | None) -> list[Reply]:
        if aspect == c.ASPECT_DOCUMENTS:
            return self.documents(procedure, case)
        if aspect == c.ASPECT_FEE:
            return self.fees(procedure)
        if aspect == c.ASPECT_TIME:
            return self.times(procedure)
        if aspect == c.ASPECT_WHERE:
            return self.where(procedure, office)
        if aspect == c.ASPECT_STEPS:
            return self.steps(procedure)
        if aspect == c.ASPECT_ONLINE:
            return self.online(procedure, office)
        if aspect == FEE_AND_TIME:
            return self.fees_and_times(procedure)
        return self.documents(procedure, case) + self.fees_and_times(procedure)

    def answer(self, procedure: Procedure, aspect: str, office: dict[str, str],
               catalog_date: datetime | None, case: str | None = None,
               also: Sequence[str] = (), *, summary: bool = False, intro: bool = True,
               case_index: int | None = None, other_cases: Sequence[int] = ()) -> list[Reply]:
        """The answer: header and source (``intro``: first time only), the aspect(s), buttons.

        ``summary``: a typed question gets the one-screen summary of every aspect it
        asked (``also`` holds the others); a quick reply gets the detailed view of its
        one aspect. Time and fee asked together in a detailed view read as one list.
        """
        online = any(ch.method == Method.ONLINE for ch in self._channels(procedure))
        date_text = format_date(catalog_date)
        if summary:
            body, sources = self.summary(procedure, [aspect, *also], office, case, case_index,
                                         other_cases)
            head = [Reply("utter_summary_header",
                          {"procedure_name": safe(self.plain_name(procedure))})] if intro else []
            replies = [*head, *body, self.footer(procedure, date_text, sources, intro,
                                                 case_index, online, with_link=True)]
            if intro and self._chars(replies) > c.MAX_FIRST_REPLY_CHARS:  # the link is on the page
                replies[-1] = self.footer(procedure, date_text, sources, intro, case_index, online)
            if self._chars(replies) > c.MAX_FIRST_REPLY_CHARS:  # hours: "Nộp ở đâu" and the page
                replies = [self.compact_where(r) for r in replies]
            if self._chars(replies) > c.MAX_FIRST_REPLY_CHARS:  # fewer papers, "Còn N" counts them
                body, _ = self.summary(procedure, [aspect, *also], office, case, case_index,
                                       other_cases, max_documents=MIN_SUMMARY_DOCUMENTS)
                replies = [self.compact_where(r) for r in (*head, *body)] + replies[-1:]
            return replies
        asked = list(dict.fromkeys([aspect, *also]))
        if {c.ASPECT_FEE, c.ASPECT_TIME} <= set(asked):
            first = min(asked.index(c.ASPECT_FEE), asked.index(c.ASPECT_TIME))
            asked = [FEE_AND_TIME if i == first else item for i, item in enumerate(asked)
                     if i == first or item not in (c.ASPECT_FEE, c.ASPECT_TIME)]
        body = [reply for item in asked for reply in self._body(procedure, item, office, case)]
        replies = [self.header(procedure), *body] if intro else body
        footer = "utter_detail_footer" if aspect in (c.ASPECT_DOCUMENTS, c.ASPECT_STEPS) \
            else "utter_checklist_link"  # every answer links the printable checklist
        replies.append(Reply(footer, {"checklist_url": self.checklist_url(procedure, case_index)}))
        if intro:
            replies.append(self.source(procedure, catalog_date))
        if aspect == c.ASPECT_GENERAL:
            # no "Nộp trực tuyến" button where the catalog lists no online submission
            replies.append(Reply("utter_more_topics" if online else "utter_more_topics_offline"))
        return replies

    def _chars(self, replies: Sequence[Reply]) -> int:
        """Characters the citizen reads in ``replies``."""
        return sum(len(self.templates.render(reply).text) for reply in replies)

    def overview_then_case(self, procedure: Procedure, aspect: str, office: dict[str, str],
                           catalog_date: datetime | None, intro: bool = True) -> list[Reply]:
        """For a procedure whose documents differ by case: what is common, then ask the case."""
        replies = [self.header(procedure)] if intro else []
        if aspect == c.ASPECT_GENERAL:
            replies += self.fees_and_times(procedure)
            if intro:
                replies.append(self.source(procedure, catalog_date))
        return replies + self.case_question(procedure, aspect)

    def unavailable(self, office: dict[str, str]) -> list[Reply]:
        """For a record flagged by the importer: say so and point to the office."""
        return [Reply("utter_procedure_unavailable", office)]
