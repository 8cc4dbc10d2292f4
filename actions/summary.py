"""The first reply a citizen gets about a procedure: one screen, every aspect asked.

A typed question gets a summary: short document names for the case, the fee
payable today, the time (with a unit only from a cited source), where, the
online link, the citizen's own steps, the deadline, who may file and who must
come (the catalog's own sentences), as many of them as the question asked (with
none named: checklist, fee, time, where and online); a follow-up asking only the
last three gets those lines. The rest sits behind quick replies; the header and the source are
shown once per procedure in a conversation. Everything is a domain response
filled with catalog values (``bot/domain/answers.yml``), the plain-language names
(``knowledge_base/data/plain_names.yml`` + admin edits) and the facts file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import quote_plus

import yaml

from actions import constants as c
from actions.choices import is_ordinary_case
from actions.formatting import copy_counts, fee_detail, is_note, main_first, safe, shorten
from actions.templates import Button, DomainTemplates, Reply
from actions.timing import next_day_cutoff, time_text
from knowledge_base.analysis import Phrase, fold, phrases_of, says_any
from knowledge_base.models import Channel, Document, DocumentKind, Method, Procedure
from knowledge_base.plain import PlainData
from knowledge_base.resolver import DETAIL_PRESENCE
from knowledge_base.settings import DATA_DIR

ASPECT_DEADLINE = "deadline"
ASPECT_WHO = "who"
ASPECT_DEADLINE_IF_STATED = "deadline_if_stated"  # shown only when the catalog states one
ASPECT_PRESENCE = DETAIL_PRESENCE  # who must come in person, whether someone may go instead
# Details a follow-up may ask alone; when it asks several, the first of this order leads.
DETAIL_ASPECTS = (ASPECT_PRESENCE, ASPECT_DEADLINE, ASPECT_WHO)
# With no aspect named, the first reply holds these.
DEFAULT_ASPECTS = (c.ASPECT_DOCUMENTS, c.ASPECT_FEE, c.ASPECT_TIME, c.ASPECT_WHERE,
                   c.ASPECT_ONLINE)
SUMMARY_ORDER = (c.ASPECT_DOCUMENTS, c.ASPECT_FEE, c.ASPECT_TIME, ASPECT_DEADLINE,
                 ASPECT_DEADLINE_IF_STATED,
                 ASPECT_WHO, ASPECT_PRESENCE, c.ASPECT_STEPS, c.ASPECT_WHERE, c.ASPECT_ONLINE)
MAX_SUMMARY_DOCUMENTS = 5
MIN_SUMMARY_DOCUMENTS = 3  # a reply over one screen lists fewer (the rest one tap away)
SUMMARY_DOCUMENT_CHARS = 80
EXEMPTION_CHARS = 100
MAX_CASE_BUTTONS = 4
DEADLINE_CHARS = 220
PRESENCE_CHARS = 240
MAX_PRESENCE_SENTENCES = 2
STEP_CHARS = 220
MAX_CITIZEN_STEPS = 5
FEE_CHARS = 160
SHORT_BRACKET = 40  # a bracket this short is part of the amount ("(/trang)"), not a quote
FEE_DETAIL_SUMMARY_CHARS = 140
_CONDITIONAL = ("trường hợp", "nếu", "đối với trường hợp", "riêng trường hợp",
                "văn bản ủy quyền")
# The deadline sentence: "Trong thời hạn N ngày …, <citizen> có trách nhiệm đăng ký …",
# read whole, between the "." or ";" on either side. A single pattern opening with
# "[^.;]*" rescanned the text from every position (up to 150 ms per answer on the
# longest catalog texts); each sentence is now read once for its two parts, in order.
_SENTENCE_MARKS = re.compile(r"[.;]")
_DEADLINE_OPENING = re.compile(r"\b[Tt]rong (?:thời hạn|vòng) \d+ ngày")
_DEADLINE_DUTY = re.compile(r"có trách nhiệm (?:đi )?(?:đăng ký|khai báo|nộp|làm)")
_NON_WORD = re.compile(r"[^\w]+")
_EXEMPTION_RE = re.compile(r"Miễn (?:lệ phí|phí)[^.]*")
ASPECT_WORDS_PATH = DATA_DIR / "answer_aspects.yml"


@lru_cache(maxsize=1)
def _aspect_data() -> dict[str, list[str]]:
    """``knowledge_base/data/answer_aspects.yml``: phrase lists by name, as written."""
    data = yaml.safe_load(ASPECT_WORDS_PATH.read_text(encoding="utf-8")) or {}
    return {name: [str(w) for w in words] for name, words in data.items()}


@lru_cache(maxsize=1)
def _aspect_phrases() -> dict[str, list[Phrase]]:
    """The aspect phrases as written (with their marks), split in words."""
    return {name: phrases_of(words) for name, words in _aspect_data().items()}


@lru_cache(maxsize=1)
def _presence_not() -> re.Pattern[str]:
    """``presence_not`` phrases, typed with or without marks ("thay đổi", "thay doi")."""
    forms = {form for words in _aspect_data().get("presence_not", [])
             for form in (words, fold(words))}
    return re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
                      + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _aspect_words() -> dict[str, tuple[str, ...]]:
    """The aspect phrases folded (accents optional)."""
    return {name: tuple(fold(w) for w in words) for name, words in _aspect_data().items()}


def extra_aspects(text: str) -> tuple[str, ...]:
    """Who must come, the deadline and who may file, asked in ``text``, in that order.

    A word typed with marks must be spelled as listed ("có mất phí" is no "có mặt"); one
    typed without them matches by its letters.
    """
    phrases = _aspect_phrases()
    text = _presence_not().sub(" ", unicodedata.normalize("NFC", text))  # "làm thay đổi"
    return tuple(aspect for aspect in DETAIL_ASPECTS if says_any(text, phrases.get(aspect, ())))


def names_documents(text: str) -> bool:
    """Whether ``text`` asks for the papers ("cần gì", "giấy tờ"), not just says "hồ sơ".

    "xin giấy xác nhận … để đi làm hồ sơ vay ngân hàng" asks about the procedure as
    a whole: its "hồ sơ" is the bank's file, not a question about documents.
    """
    folded = " " + " ".join(_NON_WORD.sub(" ", fold(text)).split()) + " "
    return any(f" {w} " in folded for w in _aspect_words().get("documents_strong", ()))


def deadline_sentence(text: str) -> str | None:
    """The first sentence of ``text`` that sets the citizen a deadline, or None.

    Sentences run between "." and ";" marks. A sentence qualifies when a duty
    ("có trách nhiệm đăng ký") follows its first time limit ("Trong thời hạn 60
    ngày"): the earliest limit leaves the duty the most room, so checking it suffices.
    """
    for sentence in _SENTENCE_MARKS.split(text):
        opening = _DEADLINE_OPENING.search(sentence)
        if opening is not None and _DEADLINE_DUTY.search(sentence, opening.end()):
            return sentence
    return None


# Sentences on presence: "phải có mặt", "ủy quyền", fingerprints and photos taken at the
# office (căn cước), "người đại diện hợp pháp đưa người dưới 14 tuổi đến địa điểm…".
_PRESENCE_MARKS = re.compile(r"có mặt|[uủ][yỷ] quyền|thu nhận vân tay|đưa người[^.;]{0,40} đến",
                             re.IGNORECASE)
_LINE_MARKS = re.compile(r"(?<=[.;])\s+|\n")


def presence_sentences(procedure: Procedure) -> list[str]:
    """The catalog's sentences on who must be present or may act for another, in order.

    Steps, conditions and notes first ("hai bên nam, nữ phải có mặt"), then the
    documents a representative brings ("Văn bản ủy quyền … trường hợp ủy quyền …").
    """
    texts = [*procedure.steps, procedure.conditions, *procedure.notes,
             *(d.name for g in procedure.document_groups for d in g.documents)]
    found: list[str] = []
    for text in texts:
        for sentence in _LINE_MARKS.split(text or ""):
            sentence = sentence.strip(" -*+")
            if _PRESENCE_MARKS.search(sentence) and sentence not in found:
                found.append(sentence)
    return found


def summary_aspects(asked: Sequence[str]) -> list[str]:
    """Aspects the first reply answers, in reading order.

    "how" (steps) also gets the documents: "làm giấy khai tử thế nào" wants to
    know what to bring. No aspect named: the default checklist set.
    """
    items = {a for a in asked if a != c.ASPECT_GENERAL}
    if not items:
        items = {*DEFAULT_ASPECTS, ASPECT_DEADLINE_IF_STATED}
    if c.ASPECT_STEPS in items:
        items.update((c.ASPECT_DOCUMENTS, ASPECT_DEADLINE_IF_STATED))
    return [a for a in SUMMARY_ORDER if a in items]


def citizen_steps(steps: Sequence[str]) -> list[str]:
    """The steps whose actor is the citizen ("người yêu cầu nộp hồ sơ …"), each cut short.

    The catalog interleaves them with the office's internal workflow (checks,
    signatures, database updates), which a citizen does not need to read.
    """
    words = _aspect_words()
    picked = []
    for step in steps:
        text = " ".join(step.split()).lstrip("-*+• ").strip()
        folded = fold(text)
        if not text or folded.startswith(words.get("office_step_starts", ())):
            continue
        if any(actor in folded for actor in words.get("citizen_actors", ())):
            picked.append(shorten(text, STEP_CHARS))
    if not picked:
        picked = [shorten(" ".join(s.split()), STEP_CHARS) for s in steps[:3]]
    return picked[:MAX_CITIZEN_STEPS]


def ordinary_case_index(procedure: Procedure) -> int | None:
    """The 1-based ordinary case ("Hồ sơ <name>") when the catalog has one among several."""
    for index, case in enumerate(procedure.cases, 1):
        if is_ordinary_case(procedure.name, case):
            return index
    return None


def is_conditional(document: Document) -> bool:
    """A paper only some citizens need ("Trường hợp trẻ bị bỏ rơi …", "Văn bản ủy quyền …")."""
    return " ".join(document.name.split()).lower().startswith(_CONDITIONAL)


def map_url(office: dict[str, str]) -> str:
    """A map search for the ward office's own address (unaccented: a short link)."""
    address = office.get("office_address", "")
    if not address:
        return office.get("office_map_url", "")
    plain = fold(address).replace(" (dia chi demo)", "")
    return "https://maps.google.com/?q=" + quote_plus(plain, safe=",")


def _fee_head(text: str) -> str:
    """The fee cell without a long bracketed legal quote; "2.000 đồng (/trang)" stays whole."""
    text = " ".join(text.split())
    head, _, rest = text.partition(" (")
    return text if rest and len(rest) <= SHORT_BRACKET else head.strip()


def _fee_quote(text: str) -> str | None:
    """The long bracketed quote of a fee cell ("50.000 đồng (Mức lệ phí cụ thể …)"), if any."""
    text = " ".join(text.split())
    _, _, rest = text.partition(" (")
    return rest[:-1] if len(rest) > SHORT_BRACKET and rest.endswith(")") else None


def shared_fee_quote(channels: Sequence[Channel]) -> str | None:
    """The quote every method's fee cell repeats after a different amount.

    Catalog 1.001612 repeats a 600-character note after each of its three amounts;
    said once under the amounts, the list fits a phone screen.
    """
    quotes = {_fee_quote(ch.fee.text or "") for ch in channels}
    cells = {" ".join((ch.fee.text or "").split()) for ch in channels}
    if len(cells) < 2 or len(quotes) != 1:
        return None  # methods with one cell share one line already
    return quotes.pop()


def format_vnd(amount: int) -> str:
    """12500 → "12.500 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


@dataclass(frozen=True)
class FeeView:
    """A fee as the citizen reads it, with the sources of facts beyond the catalog."""

    text: str
    sources: tuple[str, ...] = ()
    note: str = ""  # a remark said once after the amounts of every method it applies to


class SummaryReplies:
    """Summary replies; mixed into ``AnswerComposer`` (which supplies labels and templates)."""

    templates: DomainTemplates  # set by AnswerComposer

    plain: PlainData
    base_url: str
    edits: Callable[[], dict[str, str]]
    today: Callable[[], date]
    _label: Callable[[str], str]
    _method: Callable[[Method], str]
    _channels: Callable[[Procedure], list[Channel]]

    # --- names and links ----------------------------------------------------
    def plain_name(self, procedure: Procedure) -> str:
        """The citizen's short name of the procedure."""
        return self.plain.procedure_name(procedure.code, procedure.name, self.edits())

    def checklist_url(self, procedure: Procedure, case_index: int | None = None) -> str:
        """The printable checklist page of the procedure (and case)."""
        url = f"{self.base_url.rstrip('/')}/thu-tuc/{procedure.code}"
        return f"{url}?case={case_index}" if case_index else url

    def document_text(self, procedure: Procedure, document: Document,
                      limit: int | None = None) -> str:
        """"Giấy chứng sinh (1 bản chính; mẫu CT01)": short name, copies, form code."""
        name = self.plain.document_name(procedure.code, document.name, self.edits())
        if limit:
            name = shorten(name, limit)
        counts = [f"{n} {kind}" for n, kind in copy_counts(document.copies) if n]
        details = [", ".join(counts)] if counts else []
        form = self.plain.form_label(document.form)
        if form and form.lower() not in name.lower():
            details.append(form if form.lower().startswith(self._label("form")) else
                           f"{self._label('form')} {form}")
        return f"{name} ({'; '.join(details)})" if details else name

    # --- documents ------------------------------------------------------------
    def case_documents(self, procedure: Procedure, case: str | None,
                       ) -> tuple[list[Document], list[Document], list[Document]]:
        """(to hand in, to show, special situations) for a case, notes left out."""
        groups = [g for g in procedure.document_groups if g.case is None or g.case == case]
        submit = [d for g in groups if g.kind == DocumentKind.SUBMIT for d in g.documents]
        present = [d for g in groups if g.kind == DocumentKind.PRESENT for d in g.documents]
        if any(not is_note(d) for d in submit + present):
            submit = [d for d in submit if not is_note(d)]
            present = [d for d in present if not is_note(d)]
        special = [d for d in submit + present if is_conditional(d)]
        submit = [d for d in main_first(submit) if not is_conditional(d)]
        present = [d for d in present if not is_conditional(d)]
        if not submit and special:  # every paper is conditional: list them all
            submit, special = special, []
        return submit, present, special

    def _summary_documents(self, procedure: Procedure, case: str | None,
                           limit: int = MAX_SUMMARY_DOCUMENTS) -> list[Reply]:
        submit, present, special = self.case_documents(procedure, case)
        if not submit and not present:
            return [Reply("utter_documents_missing")]
        lines = [f"• {self.document_text(procedure, d, SUMMARY_DOCUMENT_CHARS)}"
                 for d in submit[:limit]]
        if present:
            names = self.plain.document_name(procedure.code, present[-1].name, self.edits())
            lines.append(self.templates.text("utter_summary_present_line",
                                             present=shorten(names, SUMMARY_DOCUMENT_CHARS)))
        more = len(submit[limit:]) + len(special) + len(present[:-1])
        if more:
            lines.append(self.templates.text("utter_summary_more_documents", count=str(more)))
        if case and not is_ordinary_case(procedure.name, case):
            return [Reply("utter_summary_documents_case", {
                "case_name": safe(shorten(case)), "document_lines": safe("\n".join(lines))})]
        return [Reply("utter_summary_documents", {"document_lines": safe("\n".join(lines))})]

    # --- fee and time -----------------------------------------------------------
    def fee_view(self, procedure: Procedure, channel: Channel) -> FeeView:
        """The fee of one method: today's amount under a reduction, the province's, or as listed."""
        fee = channel.fee
        text = shorten(self.plain.fix(_fee_head(fee.text or "")), FEE_CHARS) \
            or self._label("not_stated")
        if fee.amount_vnd == 0:
            return FeeView(self._label("free"))
        reduction = self.plain.reduction(procedure.code, channel.method.value, self.today())
        if reduction and fee.amount_vnd:
            payable = fee.amount_vnd * (100 - reduction.percent) // 100
            return FeeView(self.templates.text(
                "utter_label_fee_reduced", payable=format_vnd(payable),
                full=format_vnd(fee.amount_vnd), percent=str(reduction.percent),
                end=reduction.end.strftime("%d/%m/%Y"), source=reduction.source),
                (reduction.source,))
        province = self.plain.province_fee(procedure.code, fee.text)
        if province:
            return FeeView(self.templates.text("utter_label_fee_province", amount=province[
                "amount"], source=province["source"]), (province["source"],))
        if province is not None:
            exemption = _EXEMPTION_RE.search(" ".join(fee.text.split()))
            note = self.templates.text(
                "utter_label_fee_province_unknown", exemption=shorten(
                    exemption.group(0) + ".", EXEMPTION_CHARS) if exemption else "").strip()
            if not fee.amount_vnd:
                return FeeView(note)
            return FeeView(self.templates.text("utter_label_fee_per_catalog",
                                               fee=format_vnd(fee.amount_vnd)), note=note)
        return FeeView(text)

    def _fee_with_rule(self, procedure: Procedure, channel: Channel) -> FeeView:
        """The fee and, when the row's description spells out the rule, that rule too."""
        view = self.fee_view(procedure, channel)
        detail = fee_detail(channel)
        if not detail:
            return view
        return FeeView(f"{view.text}; {self.plain.fix(shorten(detail, FEE_DETAIL_SUMMARY_CHARS))}",
                       view.sources, view.note)

    def time_view(self, procedure: Procedure, channel: Channel,
                  channels: Sequence[Channel]) -> FeeView:
        """The time of one method; a bare number gets a unit only from a cited source."""
        shown = time_text(channel, channels)
        if shown is None:
            return FeeView(self._label("time_on_slip"))
        if not shown.bare:
            return FeeView(shown.text)
        unit = self.plain.time_unit(procedure.code)
        if unit:
            return FeeView(f"{shown.text} {unit['unit']}", (unit["source"],))
        cutoff = next_day_cutoff(procedure.steps)
        if cutoff:  # the steps say when a file handed in at the office comes back: say that
            return FeeView(self.templates.text("utter_label_time_bare_cutoff", value=shown.text,
                                               cutoff_hour=cutoff))
        return FeeView(self.templates.text("utter_label_time_bare", value=shown.text))

    def per_method(self, channels: Sequence[Channel],
                   view: Callable[[Channel], FeeView]) -> tuple[str, tuple[str, ...]]:
        """One text for methods that agree, else "method: text; …", and the facts' sources.

        A note every method carries (the province sets the fee) is said once, at the end.
        """
        views = [(ch.method, view(ch)) for ch in channels]
        sources = tuple(dict.fromkeys(s for _, v in views for s in v.sources))
        notes = {item.note for _, item in views}
        shared = notes.pop() if len(notes) == 1 else ""
        groups: dict[str, list[Method]] = {}
        for method, item in views:
            text = item.text if shared else "; ".join(filter(None, (item.text, item.note)))
            groups.setdefault(text, []).append(method)
        if len(groups) == 1:
            text = next(iter(groups))
        else:
            text = "; ".join(f"{', '.join(self._method(m).lower() for m in methods)}: {text}"
                             for text, methods in groups.items())
        return "; ".join(filter(None, (text, shared))), sources

    # --- the summary ------------------------------------------------------------
    def summary(self, procedure: Procedure, asked: Sequence[str], office: dict[str, str],
                case: str | None, case_index: int | None, other_cases: Sequence[int] = (),
                max_documents: int = MAX_SUMMARY_DOCUMENTS,
                ) -> tuple[list[Reply], tuple[str, ...]]:
        """The body of the first reply and the sources of facts beyond the catalog."""
        channels = self._channels(procedure)
        replies: list[Reply] = []
        sources: tuple[str, ...] = ()
        online = next((ch for ch in channels if ch.method == Method.ONLINE), None)
        for aspect in summary_aspects(asked):
            if aspect == c.ASPECT_DOCUMENTS:
                replies += self._summary_documents(procedure, case, max_documents)
            elif aspect == c.ASPECT_FEE:
                if not channels:
                    replies.append(Reply("utter_fee_not_stated"))
                    continue
                text, more = self.per_method(channels, lambda ch: self._fee_with_rule(
                    procedure, ch))
                sources += more
                replies.append(Reply("utter_summary_fee", {"fee_text": safe(text)}))
            elif aspect == c.ASPECT_TIME:
                if not channels:
                    replies.append(Reply("utter_time_not_stated"))
                    continue
                text, more = self.per_method(
                    channels, lambda ch: self.time_view(procedure, ch, channels))
                sources += more
                replies.append(Reply("utter_summary_time", {"time_text": safe(text)}))
            elif aspect in (ASPECT_DEADLINE, ASPECT_DEADLINE_IF_STATED):
                deadline = self.deadline(procedure)
                if aspect == ASPECT_DEADLINE or deadline.response == "utter_summary_deadline":
                    replies.append(deadline)
            elif aspect == ASPECT_PRESENCE:
                replies.append(self.presence(procedure, office))
            elif aspect == ASPECT_WHO:
                replies.append(Reply("utter_summary_who", {
                    "audience": safe(procedure.audience or self._label("not_stated"))}))
            elif aspect == c.ASPECT_STEPS:
                name = "utter_summary_steps_online" if online else "utter_summary_steps"
                fee_free = all(ch.fee.amount_vnd == 0 for ch in channels) and bool(channels)
                replies.append(Reply(name, {**office, "fee_step": self._label(
                    "step_no_fee" if fee_free else "step_fee")}))
            elif aspect == c.ASPECT_WHERE:
                replies.append(self._summary_where(procedure, office))
            elif aspect == c.ASPECT_ONLINE:
                replies.append(Reply("utter_summary_online", {
                    "online_url": procedure.portal_url or procedure.official_url}) if online
                    else Reply("utter_summary_online_none", office))
        if other_cases:
            replies.append(self._other_cases(procedure, other_cases))
        return replies, tuple(dict.fromkeys(sources))

    def presence(self, procedure: Procedure, office: dict[str, str]) -> Reply:
        """Who must come in person, or may be represented, as the catalog says; else ask staff."""
        sentences = presence_sentences(procedure)[:MAX_PRESENCE_SENTENCES]
        if not sentences:
            return Reply("utter_summary_presence_none", office)
        lines = "\n".join(f"• {self.plain.fix(shorten(s, PRESENCE_CHARS))}" for s in sentences)
        return Reply("utter_summary_presence", {"presence_lines": safe(lines)})

    def deadline(self, procedure: Procedure) -> Reply:
        """The deadline the catalog sets for the citizen ("Trong thời hạn 60 ngày …"), if any."""
        text = " ".join([*procedure.steps, procedure.conditions, *procedure.notes])
        sentence = deadline_sentence(" ".join(text.split()))
        if sentence is None:
            return Reply("utter_summary_deadline_none")
        sentence = sentence.strip(" -*")
        return Reply("utter_summary_deadline", {"deadline": safe(shorten(sentence,
                                                                          DEADLINE_CHARS))})

    def _summary_where(self, procedure: Procedure, office: dict[str, str]) -> Reply:
        from actions.formatting import catalog_place  # local: formatting imports no summary
        place = catalog_place(procedure.channel(Method.IN_PERSON))
        hours = [line.strip() for line in office.get("office_hours", "").splitlines()
                 if line.strip()]
        values = {**office, "ward_map_url": map_url(office),
                  "office_hours_short": hours[0] if hours else ""}
        if place:
            return Reply("utter_summary_where_catalog", {**values, "catalog_place": safe(place)})
        return Reply("utter_summary_where", values)

    @staticmethod
    def compact_where(reply: Reply) -> Reply:
        """The where line without the office hours (a long reply must still fit one screen)."""
        if reply.response != "utter_summary_where":
            return reply
        return Reply("utter_summary_where_short", reply.variables, reply.buttons)

    def _other_cases(self, procedure: Procedure, indexes: Sequence[int]) -> Reply:
        buttons = tuple(
            Button(shorten(procedure.cases[i - 1], 40),
                   f'/{c.INTENT_CHOOSE_CASE}{{"case_index":"{i}","aspect":"documents"}}')
            for i in indexes[:MAX_CASE_BUTTONS])
        return Reply("utter_summary_other_cases", {}, buttons)

    def footer(self, procedure: Procedure, catalog_date: str, sources: Sequence[str],
               intro: bool, case_index: int | None, online: bool,
               with_link: bool = False) -> Reply:
        """Checklist link, the source (first time only) and facts' sources, with quick replies."""
        values = {"checklist_url": self.checklist_url(procedure, case_index),
                  "fact_sources": safe(self.templates.text(
                      "utter_label_fact_sources", sources="; ".join(sources)) if sources else ""),
                  "procedure_code": procedure.code, "decision": procedure.decision or "—",
                  "official_url": procedure.official_url, "catalog_date": catalog_date}
        names = {(True, True): "utter_summary_footer_source",
                 (True, False): "utter_summary_footer_source_offline",
                 (False, True): "utter_summary_footer",
                 (False, False): "utter_summary_footer_offline"}  # no "Nộp trực tuyến" button
        name = names[(intro, online)]
        if intro and with_link:  # the official page's link too, when the screen has room
            name = {"utter_summary_footer_source": "utter_summary_footer_source_link",
                    "utter_summary_footer_source_offline":
                        "utter_summary_footer_source_link_offline"}[name]
        return Reply(name, values)
