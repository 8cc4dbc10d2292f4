"""The printable checklist page of a procedure (``GET /thu-tuc/{code}``), rendered on the server.

It says what the chat says, through the same composer: short document names for
the case (official text under "Xem nguyên văn"), the fee payable today, the time,
where (ward address, hours, tap-to-call phone, map of the ward office), the
online link, a QR code of the official page, the source and the catalog date.
Labels are data (``api/data/checklist.yml``); every value is HTML-escaped.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

import segno
import yaml

from actions.compose import AnswerComposer
from actions.formatting import format_date
from actions.summary import map_url
from knowledge_base.models import Method, Procedure

LABELS_FILE = Path(__file__).resolve().parent / "data" / "checklist.yml"


@lru_cache(maxsize=1)
def labels() -> dict[str, str]:
    """The page's Vietnamese labels."""
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


def _t(key: str, **values: str) -> str:
    return escape(labels()[key].format(**values))


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (no script, no external request)."""
    return segno.make(url, error="m").svg_inline(scale=3, title=url)


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><link rel=\"stylesheet\" href=\"/static/checklist.css\">"
            "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
            f"</head><body><main class=\"sheet\">{body}</main></body></html>")


def not_found_page(code: str) -> str:
    """The Vietnamese 404 page for an unknown procedure code."""
    return _page(_t("not_found_title"), f"<h1>{_t('not_found_title')}</h1>"
                 f"<p>{_t('not_found', code=code[:40])}</p><p><a href=\"/\">{_t('home')}</a></p>")


def _tel(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"<a href=\"tel:{escape(digits)}\">{escape(phone)}</a>" if digits else escape(phone)


def _documents(composer: AnswerComposer, procedure: Procedure, case: str | None) -> str:
    submit, present, special = composer.case_documents(procedure, case)

    def items(documents: list) -> str:
        return "".join(
            f"<li><span class=\"doc\">{escape(composer.document_text(procedure, d))}</span>"
            f"<details><summary>{_t('show_original')}</summary>"
            f"<p>{escape(composer.plain.fix(' '.join(d.name.split())))}</p></details></li>"
            for d in documents)

    parts = [f"<h2>{_t('documents')}</h2><ol class=\"docs\">{items(submit)}</ol>"]
    if present:
        parts.append(f"<h3>{_t('present')}</h3><ul class=\"docs\">{items(present)}</ul>")
    if special:
        parts.append(f"<h3>{_t('special')}</h3><ul class=\"docs special\">{items(special)}</ul>")
    return "".join(parts)


def render_checklist(composer: AnswerComposer, procedure: Procedure, office: dict[str, str],
                     catalog_date: str, case_index: int | None) -> str:
    """The whole page for ``procedure`` (and the case chosen, else the ordinary one)."""
    from actions.summary import ordinary_case_index

    cases = procedure.cases
    if case_index is None or not 1 <= case_index <= len(cases):
        case_index = ordinary_case_index(procedure) or (1 if cases else None)
    case = cases[case_index - 1] if case_index else None
    name = composer.plain_name(procedure)
    channels = composer.channels(procedure)
    fee, fee_sources = composer.per_method(channels, lambda ch: composer.fee_view(procedure, ch))
    time, time_sources = composer.per_method(
        channels, lambda ch: composer.time_view(procedure, ch, channels))
    deadline = composer.deadline(procedure)
    online = next((ch for ch in channels if ch.method == Method.ONLINE), None)
    sources = tuple(dict.fromkeys(fee_sources + time_sources))
    source = _t("source", code=procedure.code, decision=procedure.decision or "—",
                date=catalog_date)
    case_links = "".join(
        f"<a class=\"case{' current' if i == case_index else ''}\" "
        f"href=\"/thu-tuc/{escape(procedure.code)}?case={i}\">{escape(c)}</a>"
        for i, c in enumerate(cases, 1))
    hours = "<br>".join(escape(line) for line in office.get("office_hours", "").splitlines())
    online_html = (f"<a href=\"{escape(procedure.portal_url or procedure.official_url)}\">"
                   f"{_t('online_link')}</a>" if online else _t("online_none"))
    body = [
        f"<header><h1>{escape(name)}</h1><p class=\"official\">{_t('official_name')}: "
        f"{escape(procedure.name)}</p>"
        f"<button class=\"print\" type=\"button\" data-print>{_t('print')}</button></header>",
        f"<nav class=\"cases\"><span>{_t('cases')}:</span>{case_links}</nav>" if cases else "",
        _documents(composer, procedure, case) if procedure.document_groups else "",
        "<section class=\"facts\">",
        f"<p><b>{_t('fee')}:</b> {escape(fee) if channels else '—'}</p>",
        f"<p><b>{_t('time')}:</b> {escape(time) if channels else '—'}</p>",
        (f"<p><b>{_t('deadline')}:</b> {escape(deadline.variables['deadline'])}</p>"
         if deadline.response == "utter_summary_deadline" else ""),
        f"<p><b>{_t('where')}:</b> {escape(office.get('office_name', ''))}, "
        f"{escape(office.get('office_address', ''))}<br>{_t('hours')}: {hours}<br>"
        f"{_t('phone')}: {_tel(office.get('office_phone', ''))} · "
        f"<a href=\"{escape(map_url(office))}\">{_t('map')}</a></p>",
        f"<p><b>{_t('online')}:</b> {online_html}</p></section>",
        f"<aside class=\"qr\">{qr_svg(procedure.official_url)}<p>{_t('qr')}<br>"
        f"<a class=\"official-link\" href=\"{escape(procedure.official_url)}\">"
        f"{escape(procedure.official_url)}</a></p></aside>",
        f"<footer><p>{source}</p>",
        f"<p>{_t('facts', sources='; '.join(sources))}</p>" if sources else "",
        f"<p class=\"note\">{_t('note')}</p></footer>",
    ]
    if procedure.steps:
        steps = "".join(f"<li>{escape(' '.join(s.split()))}</li>" for s in procedure.steps)
        body.append(f"<details class=\"steps\"><summary>{_t('steps')}</summary><ol>{steps}</ol>"
                    "</details>")
    body.append("<script src=\"/static/checklist.js\"></script>")
    return _page(_t("page_title", name=name), "".join(body))


def catalog_date_text(value) -> str:
    """The catalog date as shown on the page."""
    return format_date(value)
