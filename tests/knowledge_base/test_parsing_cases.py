"""Documents and case headings as citizens see them, fed as the portal's real glued text."""

import json
import re

import pytest

from knowledge_base.importer import build_procedure
from knowledge_base.parsing import parse_documents
from knowledge_base.parsing.cases import clean_case
from tests.conftest import CATALOG, catalog_file

DOCS = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"


def load(code):
    path = catalog_file(code)
    return build_procedure(json.loads(path.read_text(encoding="utf-8")), ministry=path.parent.name)


def names(groups):
    return [d.name for g in groups for d in g.documents]


def test_real_id_card_record_has_no_glued_text():
    procedure, _ = load("1.014061")
    names = [d.name for g in procedure.document_groups for d in g.documents]
    assert any("ký xác nhận. Trường hợp công dân" in name for name in names)
    assert not any(step.endswith("-") for step in procedure.steps)


def test_form_file_glued_to_the_item_text_is_cut_off():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Tờ khai theo quy định của pháp luật về quản lý thuếMẫu 03 ĐK TCT.docx"
        "1 bản chínhĐơn trình báo (theo Quyết định số 09/2023/QĐ-TTg của Thủ tướng Chính phủ."
        "Đơn trình báo mất thẻ ABTC (mẫu TK07).pdf1 bản chínhBản đăng ký thu hồi khoáng sản"
        "Mau 03 - Phu luc III_36.2025.TT-BNNMT_02.7.2025.doc1 bản chính"
    )
    documents = groups[0].documents
    assert [d.form for d in documents] == [
        "Mẫu 03 ĐK TCT.docx",
        "Đơn trình báo mất thẻ ABTC (mẫu TK07).pdf",
        "Mau 03 - Phu luc III_36.2025.TT-BNNMT_02.7.2025.doc",
    ]
    assert documents[0].name == "Tờ khai theo quy định của pháp luật về quản lý thuế"
    assert documents[2].name == "Bản đăng ký thu hồi khoáng sản"


def test_stray_punctuation_items_are_dropped():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Hóa đơn thương mại: 01 bản chụp;1 bản chính;1 bản chính)0 bản chính"
    )
    assert [d.name for d in groups[0].documents] == ["Hóa đơn thương mại: 01 bản chụp"]


def test_repeated_papers_in_one_table_are_listed_once():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Giấy đề nghị đăng ký hộ kinh doanh.1 bản chínhBản sao văn bản ủy quyền"
        "0 bản chính,1 bản saoGiấy đề nghị đăng ký hộ kinh doanh1 bản chính"
    )
    assert names(groups) == ["Giấy đề nghị đăng ký hộ kinh doanh.", "Bản sao văn bản ủy quyền"]


def test_a_count_written_inside_the_item_text_does_not_split_it():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Giấy phép xây dựng (01 bản chính hoặc 01 bản sao có chứng thực)."
        "0 bản chính,1 bản sao"
    )
    assert names(groups) == ["Giấy phép xây dựng (01 bản chính hoặc 01 bản sao có chứng thực)."]
    assert groups[0].documents[0].copies == "0 bản chính,1 bản sao"


def test_heading_enumerators_and_lead_ins_are_removed():
    assert clean_case("1.3.1.1. Hồ sơ đề nghị cấp Giấy xác nhận nuôi trồng thủy sản bao") == (
        "Hồ sơ đề nghị cấp Giấy xác nhận nuôi trồng thủy sản"
    )
    assert clean_case("a) Trường hợp hỗ trợ khám chữa bệnh") == "Trường hợp hỗ trợ khám chữa bệnh"
    assert clean_case("(ii) Trường hợp khai bổ sung, gồm:") == "Trường hợp khai bổ sung"
    assert clean_case("a.Trường hợp người bị thiệt hại") == "Trường hợp người bị thiệt hại"
    assert clean_case(
        "Trường hợp ủy quyền thực hiện thủ tục thì hồ sơ phải kèm theo một trong những giấy tờ sau"
    ) == "Trường hợp ủy quyền thực hiện thủ tục"


def test_heading_repeating_the_procedure_name_reads_as_the_plain_case():
    groups, _, _ = parse_documents(
        "Hồ sơ đăng ký tạm trú" + DOCS + "Tờ khai thay đổi thông tin cư trú1 bản chính"
        "Đăng ký tạm trú theo danh sách" + DOCS + "Văn bản đề nghị đăng ký tạm trú1 bản chính",
        "Đăng ký tạm trú",
    )
    assert [g.case for g in groups] == ["Đăng ký tạm trú", "Đăng ký tạm trú theo danh sách"]


def test_a_lone_heading_naming_the_procedure_or_introducing_the_list_is_no_case():
    for heading in ("Thủ tục đăng ký khai sinh", "Thành phần hồ sơ", "1. Chứng từ phải nộp"):
        groups, notes, _ = parse_documents(
            heading + DOCS + "Tờ khai1 bản chính", "Thủ tục đăng ký khai sinh"
        )
        assert [g.case for g in groups] == [None] and notes == [], heading


def test_a_note_heading_is_kept_as_a_note_not_offered_as_a_case():
    groups, notes, _ = parse_documents(
        "Người yêu cầu chứng thực nộp 01 (một) bộ hồ sơ yêu cầu chứng thực, gồm các giấy tờ sau đây"
        + DOCS + "Dự thảo giao dịch1 bản chínhGiao dịch đã được chứng thực1 bản chính",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ giao dịch",
    )
    assert [g.case for g in groups] == [None] and len(names(groups)) == 2
    assert notes == ["Người yêu cầu chứng thực nộp 01 (một) bộ hồ sơ yêu cầu chứng thực"]


def test_a_lone_situation_puts_its_papers_after_the_others_under_their_condition():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Giấy đề nghị đăng ký hộ kinh doanh1 bản chính"
        "Trường hợp ủy quyền thực hiện thủ tục thì hồ sơ phải kèm theo một trong những giấy tờ sau"
        + DOCS + "Văn bản ủy quyền1 bản chính(ii) Trường hợp ủy quyền cho tổ chức: hợp đồng1 bản chính",
        "Đăng ký thành lập hộ kinh doanh",
    )
    assert all(g.case is None for g in groups)
    assert names(groups) == [
        "Giấy đề nghị đăng ký hộ kinh doanh",
        "Trường hợp ủy quyền thực hiện thủ tục: Văn bản ủy quyền",
        "Trường hợp ủy quyền cho tổ chức: hợp đồng",  # its own situation, label dropped
    ]


def test_extra_papers_beside_every_case_are_no_case():
    groups, _, _ = parse_documents(
        "Hồ sơ miễn thuế đối với quà biếu, quà tặng" + DOCS + "Văn bản biếu tặng1 bản chính"
        "Hồ sơ miễn thuế đối với tài sản di chuyển" + DOCS + "Hộ chiếu1 bản chính"
        "Ngoài ra, tùy từng trường hợp, người nộp thuế nộp thêm một trong các chứng từ sau:"
        + DOCS + "Hợp đồng cung cấp hàng hóa1 bản chính",
        "Thủ tục miễn thuế đối với hàng hóa xuất khẩu, nhập khẩu",
    )
    assert [g.case for g in groups] == [
        "Hồ sơ miễn thuế đối với quà biếu, quà tặng",
        "Hồ sơ miễn thuế đối với tài sản di chuyển",
        None,
    ]
    assert groups[2].documents[0].name == (
        "Ngoài ra, tùy từng trường hợp, người nộp thuế nộp thêm một trong các chứng từ sau: "
        "Hợp đồng cung cấp hàng hóa"
    )


def test_real_temporary_residence_cases_are_choices_a_citizen_understands():
    procedure, _ = load("1.004194")  # Đăng ký tạm trú
    assert procedure.cases[0] == "Đăng ký tạm trú"
    assert "Đăng ký tạm trú theo danh sách" in procedure.cases
    assert not any(case.startswith("Hồ sơ") for case in procedure.cases)


def test_real_records_with_a_single_heading_show_every_document():
    for code in ("2.000913", "1.001612", "1.012766"):  # chứng thực, hộ kinh doanh, đất đai
        procedure, _ = load(code)
        assert procedure.cases == [], code
        assert all(g.case is None for g in procedure.document_groups), code
    procedure, _ = load("1.001612")
    assert any(n.startswith("Trường hợp ủy quyền") for n in names(procedure.document_groups))


def test_real_permanent_residence_keeps_its_six_cases():
    procedure, _ = load("1.004222")
    assert len(procedure.cases) == 6
    assert "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in procedure.cases


def test_whole_catalog_sweep_has_none_of_the_known_defects():
    files = sorted(CATALOG.rglob("*.json"))
    if not files:
        pytest.skip(f"shared catalog not found under {CATALOG}")
    money_first = re.compile(r"^\s*(?:VNĐ|Việt Nam Đồng|USD|\d[\d.,]*\s*(?:VNĐ|USD))")
    for path in files:
        procedure, _ = build_procedure(json.loads(path.read_text(encoding="utf-8")))
        code = procedure.code
        assert len(procedure.cases) != 1, code  # one heading is no choice: nothing may hide
        assert not any(money_first.match(c.description) for c in procedure.channels), code
        assert not any(re.search(r"\s[-+]$", step) for step in procedure.steps), code
        assert "Mã:" not in procedure.result, code
        assert not any(re.match(r"^\W*(?:\d+(?:\.\d+)*[.)]|[a-z][.)]|\([ivx]+\))", case)
                       for case in procedure.cases), code


def test_item_labels_go_and_forms_glued_after_a_code_or_date_are_cut_off():
    groups, _, _ = parse_documents(
        "--" + DOCS + "a) Tờ trình theo Mẫu số 13 ban hành kèm theo Nghị định số 58/2024/NĐ-CP"
        "Mus132.docx1 bản chính(ii) Phương án theo Nghị định số 40/2026/NĐ-CP ngày 25/01/2026"
        "Mau so 01.docx1 bản chínhb. Đơn theo Quyết định số 24/2021/QĐ-TTg1 bản chính"
    )
    documents = groups[0].documents
    assert [d.form for d in documents] == ["Mus132.docx", "Mau so 01.docx", None]
    assert [d.name for d in documents] == [
        "Tờ trình theo Mẫu số 13 ban hành kèm theo Nghị định số 58/2024/NĐ-CP",
        "Phương án theo Nghị định số 40/2026/NĐ-CP ngày 25/01/2026",
        "Đơn theo Quyết định số 24/2021/QĐ-TTg",
    ]


def test_papers_of_each_party_are_parts_of_one_application_not_cases():
    procedure, _ = load("2.001263")  # Đăng ký việc nuôi con nuôi trong nước
    assert procedure.cases == []
    names = [d.name for g in procedure.document_groups for d in g.documents]
    assert any(n.startswith("Hồ sơ của người nhận con nuôi: ") for n in names)
    assert any(n.startswith("Hồ sơ của người được nhận làm con nuôi: ") for n in names)


def test_sub_items_and_general_notes_inside_a_heading_are_cut():
    assert clean_case(
        "(i) Khai thuế đối với nhà thầu nước ngoài: (i1) Đối với Nhà thầu nộp thuế GTGT"
    ) == "Khai thuế đối với nhà thầu nước ngoài"
    assert clean_case("1. NLĐ tham gia BHXH bắt buộc: - Người SDLĐ lập Danh sách") == (
        "NLĐ tham gia BHXH bắt buộc"
    )
    assert clean_case(
        "1. Đối với NLĐ (Trường hợp không quy định là bản chính thì có thể nộp bản sao hợp lệ.)"
    ) == "Đối với NLĐ"


def test_a_lead_in_to_papers_to_show_is_no_condition_on_them():
    groups, _, _ = parse_documents(
        "--" + DOCS + "Đơn đề nghị đăng ký phương tiện1 bản chính"
        "* Giấy tờ phải xuất trình:khi nộp hồ sơ gồm bản chính các loại sau" + DOCS
        + "* Giấy phép nhập khẩu phương tiện1 bản chính",
        "Đăng ký phương tiện hoạt động vui chơi, giải trí dưới nước",
    )
    assert [(g.case, [d.name for d in g.documents]) for g in groups] == [
        (None, ["Đơn đề nghị đăng ký phương tiện"]),
        (None, ["Giấy phép nhập khẩu phương tiện"]),
    ]
