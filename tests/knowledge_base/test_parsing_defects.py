"""Catalog defects the parser repairs, fed as the portal's real glued text."""

import json

from knowledge_base.importer import build_procedure
from knowledge_base.models import Method, ParseStatus
from knowledge_base.parsing import parse_channels, parse_result, parse_steps
from knowledge_base.parsing.common import clean_prose
from knowledge_base.parsing.misc import parse_conditions
from tests.conftest import catalog_file

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def load(code):
    path = catalog_file(code)
    return build_procedure(json.loads(path.read_text(encoding="utf-8")), ministry=path.parent.name)


def test_bare_time_glued_to_the_fee_is_split():
    # 1.000014: time "1" (no unit) + fee "20 VNĐ" that lost its thousands.
    channels, status = parse_channels(
        HEADER + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)"
    )
    assert status == ParseStatus.PARTIAL  # the unit of the time is still not stated
    for channel in channels:
        assert channel.processing_time.value == 1 and channel.processing_time.unit is None
        assert channel.fee.amount_vnd == 20000
        assert channel.fee.text == "20.000 đồng (20.000 vnđ /tờ khai)"
        assert channel.description == ""


def test_glued_time_split_prefers_the_amount_the_note_names():
    channels, _ = parse_channels(HEADER + "Trực tuyến1200 VNĐ(200.000 vnđ / tờ khai độc lập)")
    assert channels[0].processing_time.text == "1"
    assert channels[0].fee.amount_vnd == 200000
    channels, _ = parse_channels(HEADER + "Trực tuyến120,000 VNĐ(Theo Thông tư 172/2010/TT-BTC)")
    assert channels[0].processing_time.text == "1" and channels[0].fee.amount_vnd == 20000


def test_bare_small_amount_without_a_note_keeps_the_portal_text_and_no_amount():
    channels, status = parse_channels(HEADER + "Trực tuyến120 VNĐ")
    assert channels[0].fee.amount_vnd is None and channels[0].fee.text == "20 VNĐ"
    assert channels[0].description == "" and status == ParseStatus.PARTIAL


def test_foreign_currency_fee_is_a_fee_without_dong_amount():
    channels, _ = parse_channels(
        HEADER + "Trực tiếpKhông có thông tin10,000 Việt Nam Đồng(/trường hợp)Tại Ủy ban nhân dân "
        "cấp xã: 10.000 đồng/trường hợp.Trực tiếpKhông có thông tin10 USD(/bản)Tại cơ quan đại "
        "diện: 10 USD/bản."
    )
    assert [c.fee.amount_vnd for c in channels] == [10000, None]
    assert channels[1].fee.text == "10 USD (/bản)"
    assert channels[1].description == "Tại cơ quan đại diện: 10 USD/bản."


def test_time_cells_saying_nothing_are_empty():
    channels, _ = parse_channels(
        HEADER + "Trực tiếpKhôngKhông có thông tinTại Trung tâm phục vụ hành chính công"
        "Trực tuyến0Không có thông tinỦy ban nhân dân cấp tỉnh quy định chi tiết"
    )
    assert [c.processing_time.text for c in channels] == ["", ""]
    assert channels[1].processing_time.value is None


def test_numbered_description_after_an_empty_fee_is_not_a_fee_note():
    channels, _ = parse_channels(
        HEADER + "Trực tiếp44 Ngày làm việcKhông có thông tin(1) Trường hợp tổ chức đề nghị cấp"
    )
    assert channels[0].fee.text == ""
    assert channels[0].description == "(1) Trường hợp tổ chức đề nghị cấp"


def test_real_customs_records_get_their_fee():
    for code in ("1.000014", "1.000020", "2.000012"):
        procedure, _ = load(code)
        assert {c.fee.amount_vnd for c in procedure.channels} == {20000}, code
        assert all(c.description == "" for c in procedure.channels), code


def test_glued_sentences_and_words_get_their_space_back():
    assert clean_prose("ký xác nhận.Trường hợp công dân") == "ký xác nhận. Trường hợp công dân"
    assert clean_prose("cùng thời hạn gửiTờ khai") == "cùng thời hạn gửi Tờ khai"
    assert clean_prose("ứng dụng VNeID, eKYC") == "ứng dụng VNeID, eKYC"
    assert clean_prose("dichvucong.gov.vn; 01/7/2025") == "dichvucong.gov.vn; 01/7/2025"


def test_result_codes_of_any_shape_are_stripped_without_eating_the_next_name():
    result, _ = parse_result(
        "Cập nhật thông tin trong Cơ sở dữ liệu về cư trúMã: KQ.G15.000031Thông báo kết quả giải "
        "quyết thủ tục về cư trúMã: 000.00.00.G11-KQ3554Biển số xeMã: VBTTTừ khóaKhông có thông tin"
    )
    assert result == (
        "Cập nhật thông tin trong Cơ sở dữ liệu về cư trú; Thông báo kết quả giải quyết thủ tục "
        "về cư trú; Biển số xe"
    )


def test_step_bullets_do_not_trail_the_previous_step():
    steps, _ = parse_steps("- Bước 1: Nộp hồ sơ.\n- Bước 2: Nhận kết quả.")
    assert steps == ["Bước 1: Nộp hồ sơ.", "Bước 2: Nhận kết quả."]


def test_real_vehicle_record_keeps_every_result_name():
    procedure, _ = load("1.013066")
    assert procedure.result == "Biển số xe; Giấy chứng nhận đăng ký xe"
    assert {c.method for c in procedure.channels} <= set(Method)


def test_empty_amount_template_and_bullets_are_dropped_from_fee_notes():
    channels, _ = parse_channels(
        HEADER + "Dịch vụ bưu chính3 Ngày làm việcMiễn phí(Lệ phí : Đồng (- Mức lệ phí cụ thể do "
        "Hội đồng nhân dân tỉnh quyết định.))Trực tuyếnKhông có thông tin8,000 VNĐ(8.000 đồng/Văn "
        "bản xác nhận.Miễn lệ phí cho người thuộc hộ nghèo.)"
    )
    assert channels[0].fee.amount_vnd is None
    assert channels[0].fee.text == "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định."
    assert channels[1].fee.text.endswith("xác nhận. Miễn lệ phí cho người thuộc hộ nghèo.)")


def test_conditions_holding_only_page_boilerplate_are_empty():
    assert parse_conditions("Không có thông tinTừ khóaKhông có thông tinMô tảKhông có thông tin") == ""
    assert parse_conditions("Người đề nghị phải đủ 18 tuổi.Trường hợp khác") == (
        "Người đề nghị phải đủ 18 tuổi. Trường hợp khác"
    )
    procedure, _ = load("1.000014")
    assert procedure.conditions == ""


def test_a_note_that_only_says_no_is_dropped_from_a_free_fee():
    channels, _ = parse_channels(
        HEADER + "Trực tiếp3 Ngày làm việcMiễn phí(Không)Trực tuyến3 Ngày làm việcMiễn phí"
        "(Không quy định.)Dịch vụ bưu chính3 Ngày làm việcMiễn phí(Chưa quy định.)"
    )
    assert [c.fee.text for c in channels] == ["Miễn phí", "Miễn phí", "Miễn phí (Chưa quy định.)"]
    assert [c.fee.amount_vnd for c in channels] == [0, 0, 0]
