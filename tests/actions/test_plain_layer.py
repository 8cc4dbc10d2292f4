"""The plain-language layer and the facts file: short names, cited facts, catalog values intact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from actions.compose import AnswerComposer
from actions.dialogue import DialogueState, Message
from actions.formatting import is_note
from actions.registry import build_dialogue
from actions.summary import shared_fee_quote
from actions.templates import DomainTemplates
from knowledge_base.models import Channel, Fee, Method, Procedure, ProcessingTime
from knowledge_base.plain import PlainData, derive_document_name, derive_procedure_name

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
TEMPLATES = DomainTemplates.load(DOMAIN)
PLAIN = PlainData.load()


def composer(today: date, plain: PlainData = PLAIN) -> AnswerComposer:
    return AnswerComposer(TEMPLATES, plain=plain, today=lambda: today)


def channel(fee: Fee, method: Method = Method.IN_PERSON, time: str = "7") -> Channel:
    return Channel(method=method, fee=fee, processing_time=ProcessingTime(
        value=float(time), text=time))


def test_the_overrides_cover_the_most_asked_fields() -> None:
    assert len(PLAIN.procedures) >= 80
    for code in ("1.001193", "2.000815", "1.004194", "1.014063", "1.012812", "1.001612",
                 "2.000693"):  # hộ tịch, chứng thực, cư trú, căn cước, đất đai, HKD, BHXH
        assert PLAIN.procedures[code]


def test_short_names_are_the_first_clause_of_the_official_text() -> None:
    assert derive_document_name("Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì "
                                "nộp văn bản của người làm chứng") == "Giấy chứng sinh"
    assert derive_document_name("Đơn đề nghị (mẫu 01). Kèm theo bản sao") == \
        "Đơn đề nghị (mẫu 01)"
    long = derive_document_name("Giấy tờ " + "rất dài " * 40)
    assert len(long) <= 110 and long.endswith("…")
    assert derive_procedure_name("Thủ tục đăng ký khai tử") == "Đăng ký khai tử"


def test_garbled_form_names_are_repaired_from_the_table_of_official_codes() -> None:
    assert PLAIN.form_label("1.MuCT01banhnhkmtheoThngts53.doc") == "CT01"
    assert PLAIN.form_label("Mẫu 01 MGTH.docx") == "Mẫu 01 MGTH"
    assert PLAIN.form_label("1.nxinnhnconnui.doc") is None  # says nothing: not shown
    assert "CT01" in PLAIN.form_codes and PLAIN.form_codes["CT01"]["source"]


def test_a_time_limited_reduction_is_computed_into_todays_amount_with_its_end() -> None:
    # 1.014063 (cấp đổi thẻ căn cước): 50% until 31/12/2026, Thông tư 64/2025/TT-BTC.
    procedure = Procedure(code="1.014063", name="Cấp đổi thẻ căn cước")
    row = channel(Fee(amount_vnd=50000, text="50.000 đồng (… trực tuyển …)"))
    during = composer(date(2026, 12, 7)).fee_view(procedure, row)
    assert during.text.startswith("25.000 đồng") and "31/12/2026" in during.text
    assert "64/2025/TT-BTC" in during.text and during.sources
    after = composer(date(2027, 1, 1)).fee_view(procedure, row)
    assert after.text.startswith("50.000 đồng") and "giảm" not in after.text
    assert not after.sources
    post = composer(date(2026, 12, 7)).fee_view(procedure, channel(
        Fee(amount_vnd=50000, text="50.000 đồng"), Method.POST))
    assert post.text == "50.000 đồng"  # the reduction names its methods


def test_a_provincial_fee_is_cited_when_known_else_says_where_to_ask() -> None:
    procedure = Procedure(code="9.000001", name="Thủ tục thử")
    row = channel(Fee(amount_vnd=50000, text="50.000 đồng (Mức lệ phí cụ thể do Hội đồng "
                                             "nhân dân tỉnh quyết định)"))
    unknown = composer(date(2026, 12, 7)).fee_view(procedure, row)
    assert unknown.text == "50.000 đồng theo danh mục"
    assert "HĐND thành phố" in unknown.note and "hỏi cán bộ" in unknown.note
    known = PlainData.load()
    known.province_fees["9.000001"] = {"amount": "40.000 đồng", "source": "Nghị quyết X"}
    cited = composer(date(2026, 12, 7), known).fee_view(procedure, row)
    assert cited.text.startswith("40.000 đồng") and cited.sources == ("Nghị quyết X",)


def test_a_bare_time_gets_a_unit_only_with_a_cited_source() -> None:
    procedure = Procedure(code="9.000002", name="Thủ tục thử")
    rows = [channel(Fee(amount_vnd=0, text="Miễn phí"), time="1")]
    honest = composer(date(2026, 12, 7)).time_view(procedure, rows[0], rows)
    assert "không ghi đơn vị" in honest.text and "(*)" not in honest.text
    cited_data = PlainData.load()
    cited_data.time_units["9.000002"] = {"unit": "ngày làm việc", "source": "Luật Y, Điều 1"}
    cited = composer(date(2026, 12, 7), cited_data).time_view(procedure, rows[0], rows)
    assert cited.text == "1 ngày làm việc" and cited.sources == ("Luật Y, Điều 1",)


@pytest.fixture(scope="module")
def dialogue(knowledge_base):
    return build_dialogue(knowledge_base, DomainTemplates.load(DOMAIN))


def test_the_plain_layer_never_changes_catalog_fees_or_documents(dialogue, knowledge_base):
    """The hidden fact sheet: every fee cell and every document stays reachable, unchanged."""
    for procedure in knowledge_base.store.procedures():
        if not procedure.answerable:
            continue
        state = DialogueState(procedure_code=procedure.code, intro_shown=procedure.code)
        fees = "\n".join(TEMPLATES.render(r).text for r in dialogue.answer(
            state, Message("/ask_fee", "ask_fee")).replies)
        rows = dialogue.composer.channels(procedure)
        quote = shared_fee_quote(rows)  # said once under the amounts, each amount on its line
        for row in rows:
            if row.fee.text and quote:
                cell = " ".join(row.fee.text.split())
                head = cell.replace(f" ({quote})", "")
                assert PLAIN.fix(head) in fees and PLAIN.fix(quote) in fees, procedure.code
            elif row.fee.text:
                assert PLAIN.fix(row.fee.text) in fees, (procedure.code, row.fee.text)
        submit, present, special = dialogue.composer.case_documents(
            procedure, procedure.cases[0] if procedure.cases else None)
        names = [d.name for g in procedure.document_groups
                 if g.case is None or (procedure.cases and g.case == procedure.cases[0])
                 for d in g.documents]
        shown = {d.name for d in submit + present + special}
        notes = [n for n in names if n not in shown]

        assert all(is_note(d) for g in procedure.document_groups for d in g.documents
                   if d.name in notes), procedure.code


def test_the_source_typo_is_fixed_in_what_the_citizen_reads(dialogue) -> None:
    state = DialogueState(procedure_code="1.014063", intro_shown="1.014063")
    text = "\n".join(TEMPLATES.render(r).text for r in dialogue.answer(
        state, Message("/ask_fee", "ask_fee")).replies)
    assert "trực tuyển" not in text and "trực tuyến" in text
