import json

from knowledge_base.importer import build_procedure
from knowledge_base.models import DocumentKind, Method, ParseStatus
from knowledge_base.parsing import parse_channels, parse_documents, parse_legal_basis, parse_result
from tests.conftest import catalog_file


def load(code):
    path = catalog_file(code)
    return build_procedure(json.loads(path.read_text(encoding="utf-8")), ministry=path.parent.name)


def test_channels_glued_cells_with_fee_per_method():
    channels, status = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng"
        "(Nộp trực tuyến thu 10.000 đồng/lần.)Trực tiếp7 Ngày làm việc20,000 Việt Nam Đồng(ghi chú)"
    )
    assert status == ParseStatus.FULL
    assert [c.method for c in channels] == [Method.ONLINE, Method.IN_PERSON]
    assert (
        channels[0].processing_time.value == 7
        and channels[0].processing_time.unit == "ngày làm việc"
    )
    assert channels[0].fee.amount_vnd == 10000 and "10.000 đồng/lần" in channels[0].fee.text
    assert channels[0].fee.text.startswith("10.000 đồng (")
    assert channels[1].fee.amount_vnd == 20000


def test_free_cell_over_a_provincial_fee_note_is_not_free():
    channels, _ = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3Miễn phí(Mức lệ phí cụ thể do Hội đồng "
        "nhân dân tỉnh, thành phố trực thuộc Trung ương quyết định.)"
    )
    assert channels[0].fee.amount_vnd is None
    assert channels[0].fee.text.startswith("Mức lệ phí cụ thể do Hội đồng nhân dân")


def test_notes_are_kept_apart_from_documents():
    groups, notes, _ = parse_documents(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy chứng sinh1 bản chính"
        "Trường hợp đã nộp bản điện tử thì không phải nộp bản giấy.0 bản chính"
        "* Lưu ý:Tên giấy tờMẫu đơn, tờ khaiSố lượngCán bộ kiểm tra hồ sơ.0 bản chính"
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký khai sinh1 bản chính"
    )
    assert [[d.name for d in g.documents] for g in groups] == [
        ["Giấy chứng sinh"],
        ["Tờ khai đăng ký khai sinh"],
    ]
    assert all(g.kind == DocumentKind.SUBMIT for g in groups)
    assert len(notes) == 2 and notes[1] == "Cán bộ kiểm tra hồ sơ."


def test_free_fee_is_zero_and_bare_time_keeps_unit_unknown():
    channels, status = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí"
    )
    assert status == ParseStatus.PARTIAL  # the unit of "1" is not stated
    assert [c.fee.amount_vnd for c in channels] == [0, 0]
    assert channels[1].method == Method.POST and channels[1].processing_time.unit is None


def test_method_words_inside_descriptions_do_not_start_rows():
    channels, _ = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến3 NgàyMiễn phí- Trực tuyến: nộp qua "
        "Cổng Dịch vụ công quốc gia; Trực tiếp tại Công an xãTrực tiếp3 NgàyMiễn phí"
    )
    assert len(channels) == 2
    assert "Cổng Dịch vụ công" in channels[0].description


def test_implausible_fee_amount_is_not_trusted():
    channels, status = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việc40 Việt Nam Đồng"
        "(4.000 đ/giấy thông hành)"
    )
    assert channels[0].fee.amount_vnd is None and "4.000 đ" in channels[0].fee.text
    assert status == ParseStatus.PARTIAL


def test_fee_that_lost_its_thousands_is_restored_from_its_note():
    channels, status = parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việc50 VNĐ(50.000đ/giấy thông hành)"
    )
    assert channels[0].fee.amount_vnd == 50000
    assert channels[0].fee.text == "50.000 đồng (50.000đ/giấy thông hành)"
    assert status == ParseStatus.FULL


def test_documents_grouped_by_kind_and_case():
    groups, notes, status = parse_documents(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký khai sinh.1 bản chính"
        "Giấy chứng sinh1 bản chính* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Căn cước của người đi đăng ký1 bản chính"
    )
    assert status == ParseStatus.FULL
    assert [(g.kind, len(g.documents)) for g in groups] == [
        (DocumentKind.SUBMIT, 2),
        (DocumentKind.PRESENT, 1),
    ]
    assert groups[0].documents[1].name == "Giấy chứng sinh"
    assert groups[0].documents[1].copies == "1 bản chính"


def test_real_record_with_several_cases():
    procedure, status = load("1.004222")  # Đăng ký thường trú
    assert status["documents"] == ParseStatus.FULL
    assert any("thuê, mượn, ở nhờ" in case for case in procedure.cases)
    assert len(procedure.cases) >= 4
    fees = {c.method: c.fee.amount_vnd for c in procedure.channels}
    assert fees[Method.ONLINE] == 10000 and fees[Method.IN_PERSON] == 20000


def test_real_birth_registration_record():
    procedure, _ = load("1.001193")
    assert procedure.name == "Thủ tục đăng ký khai sinh"
    assert procedure.decision == "163/QĐ-BTP"
    assert procedure.official_url.endswith("ma_thu_tuc=1.001193")
    assert {c.method for c in procedure.channels} == {Method.ONLINE, Method.POST, Method.IN_PERSON}
    assert all(c.fee.amount_vnd == 0 for c in procedure.channels)
    names = [d.name for g in procedure.document_groups for d in g.documents]
    assert any(name.startswith("Giấy chứng sinh") for name in names)
    assert procedure.result == "Giấy khai sinh"  # portal boilerplate stripped
    assert not procedure.flags


def test_shifted_documents_field_is_recovered_from_page_text():
    procedure, status = load("1.001613")  # its documents field holds the steps
    assert procedure.document_groups, "documents should come from the page text"
    assert status["documents"] == ParseStatus.PARTIAL


def test_mismatched_record_is_flagged():
    procedure, _ = load("3.000224")
    assert procedure.flags == ["mismatched_page:1.014023"]
    assert not procedure.answerable


def test_legal_basis_and_result():
    legal, status = parse_legal_basis(
        "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13Nghị định quy định chi tiết123/2015/NĐ-CP"
    )
    assert [d.number for d in legal] == ["60/2014/QH13", "123/2015/NĐ-CP"]
    assert legal[0].title == "Luật Hộ tịch" and status == ParseStatus.FULL
    result, _ = parse_result("Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinChọn cơ quan")
    assert result == "Giấy khai sinh"
