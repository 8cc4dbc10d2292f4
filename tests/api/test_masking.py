from api.masking import mask_pii


def test_id_numbers_and_phones_are_masked() -> None:
    text = "CCCD 001090012345, CMND 123456789, sđt 0912 345 678 hoặc +84912345678"
    masked = mask_pii(text)
    for secret in ("001090012345", "123456789", "0912 345 678", "+84912345678"):
        assert secret not in masked
    assert masked.count("***") == 4


def test_application_codes_and_emails_are_masked() -> None:
    masked = mask_pii("mã hồ sơ H01.123-250101-0001, email a.b@gmail.com")
    assert "250101" not in masked and "gmail" not in masked


def test_procedure_codes_fees_and_years_are_kept() -> None:
    text = "thủ tục 1.001193 lệ phí 10,000 đồng năm 2025"
    assert mask_pii(text) == text
