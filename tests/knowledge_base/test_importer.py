import json
import shutil

import pytest

from knowledge_base.faq_store import FaqStore
from knowledge_base.importer import read_catalog
from knowledge_base.models import Faq
from knowledge_base.store import KnowledgeStore
from tests.conftest import catalog_file, copy_subset

CODES = ["1.001193", "1.004873", "1.004222"]


@pytest.fixture
def catalog(tmp_path):
    return copy_subset(tmp_path / "catalog", CODES)


@pytest.fixture
def store(tmp_path):
    return KnowledgeStore(f"sqlite:///{tmp_path / 'kb.db'}")


def test_broken_files_are_reported_and_others_still_imported(catalog):
    broken = catalog / "broken"
    broken.mkdir()
    (broken / "1.999001.json").write_text("{not json", encoding="utf-8")
    (broken / "1.999002.json").write_text("", encoding="utf-8")
    (broken / "1.999003.json").write_text(
        json.dumps({"ten_thu_tuc": "Không có mã"}), encoding="utf-8"
    )
    (broken / "1.999004.json").write_text(json.dumps(["a", "list"]), encoding="utf-8")
    (broken / "1.999005.json").write_bytes(b"\xff\xfe\x00garbage")
    garbage = {
        "ma_thu_tuc": "1.999006",
        "ten_thu_tuc": "Thủ tục rác",
        "cach_thuc_thuc_hien": "@@@",
        "thanh_phan_ho_so": "lorem ipsum",
        "raw_text": "???",
    }
    (broken / "1.999006.json").write_text(json.dumps(garbage, ensure_ascii=False), encoding="utf-8")

    result = read_catalog(catalog)

    assert sorted(p.code for p in result.procedures) == sorted(CODES + ["1.999006"])
    reasons = {e.path.name: e.reason for e in result.errors}
    assert "invalid JSON" in reasons["1.999001.json"]
    assert reasons["1.999002.json"] == "empty file"
    assert "ma_thu_tuc" in reasons["1.999003.json"]
    assert "not a JSON object" in reasons["1.999004.json"]
    assert "cannot read" in reasons["1.999005.json"]
    rubbish = next(p for p in result.procedures if p.code == "1.999006")
    assert rubbish.channels == [] and rubbish.document_groups == []
    assert rubbish.raw["cach_thuc_thuc_hien"] == "@@@"  # unparsed text is kept
    assert result.report["channels"]["none"] == 1


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="catalog directory not found"):
        read_catalog(tmp_path / "nope")


def test_import_is_idempotent_and_shows_a_diff(catalog, store):
    first = store.apply_catalog(read_catalog(catalog), str(catalog))
    assert sorted(first.added) == sorted(CODES)
    revision = store.revision()

    again = store.apply_catalog(read_catalog(catalog), str(catalog))
    assert again.is_empty and again.unchanged == len(CODES)
    assert store.revision() == revision

    path = next(catalog.glob("*/1.004873.json"))
    record = json.loads(path.read_text(encoding="utf-8"))
    record["ten_thu_tuc"] += " (sửa đổi)"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    next(catalog.glob("*/1.004222.json")).unlink()
    added = catalog_file("1.004194")
    shutil.copy(added, catalog / added.parent.name / added.name)

    diff = store.apply_catalog(read_catalog(catalog), str(catalog))
    assert (diff.added, diff.changed, diff.removed) == (["1.004194"], ["1.004873"], ["1.004222"])
    assert store.procedure("1.004873").name.endswith("(sửa đổi)")
    assert "1.004222" not in {p.code for p in store.procedures()}


def test_reimport_keeps_admin_phrasings_and_faq(catalog, store):
    store.apply_catalog(read_catalog(catalog), str(catalog))
    store.add_alias("1.004873", "xin giấy độc thân để cưới", actor="admin1")
    faqs = FaqStore(store)
    faqs.create(
        Faq(question="Phường làm việc thứ bảy không?", answer="Có, sáng thứ Bảy."), actor="admin1"
    )
    next(catalog.glob("*/1.004873.json")).unlink()
    store.apply_catalog(read_catalog(catalog), str(catalog))
    store.apply_catalog(read_catalog(catalog), str(catalog))
    assert "xin giấy độc thân để cưới" in store.aliases()["1.004873"]
    assert faqs.list()[1] == 1


def test_flagged_records_are_kept_out_of_answers(tmp_path, store):
    catalog = copy_subset(tmp_path / "flagged", ["3.000224", "1.001193"])
    diff = store.apply_catalog(read_catalog(catalog), str(catalog))
    assert diff.flagged == {"3.000224": ["mismatched_page:1.014023"]}
    assert [p.code for p in store.procedures()] == ["1.001193"]
    assert {p.code for p in store.procedures(include_flagged=True)} == {"1.001193", "3.000224"}


def test_a_newer_parser_rewrites_stored_records_without_calling_it_a_change(catalog, store):
    from sqlalchemy import update

    from knowledge_base.db import ProcedureRow

    store.apply_catalog(read_catalog(catalog), str(catalog))
    with store.session.begin() as session:  # what an older parser would have stored
        session.execute(
            update(ProcedureRow)
            .where(ProcedureRow.code == "1.001193")
            .values(
                data={
                    **store.procedure("1.001193").model_dump(mode="json"),
                    "result": "old reading",
                }
            )
        )
    diff = store.apply_catalog(read_catalog(catalog), str(catalog))
    assert diff.is_empty and diff.reparsed == ["1.001193"]
    assert store.procedure("1.001193").result == "Giấy khai sinh"


def test_seed_aliases_follow_the_team_file_without_touching_admin_ones(catalog, store):
    from knowledge_base.seeding import seed_store

    store.apply_catalog(read_catalog(catalog), str(catalog))
    store.add_alias("1.004873", "giấy độc thân của cán bộ", actor="admin1")
    first = {"1.004873": ["giấy độc thân để cưới", "xác nhận còn độc thân"]}
    assert store.sync_seed_aliases(first) == 2
    moved = {"1.004873": ["xác nhận còn độc thân"], "1.001193": ["giấy độc thân để cưới"]}
    assert store.sync_seed_aliases(moved) == 1 and store.retire_seed_aliases(moved) == 1
    aliases = store.aliases()
    assert "giấy độc thân để cưới" not in aliases["1.004873"]  # moved to another code
    assert "giấy độc thân để cưới" in aliases["1.001193"]
    assert "giấy độc thân của cán bộ" in aliases["1.004873"]  # an admin's stays
    store.add_alias("1.004873", "xác nhận còn độc thân", actor="admin1")  # an admin's too now
    assert store.retire_seed_aliases({}) == 1  # only the seed alias nobody else named
    assert "xác nhận còn độc thân" in store.aliases()["1.004873"]
    assert store.sync_seed_aliases(first) == 1  # listed again: active again
    assert "giấy độc thân để cưới" in store.aliases()["1.004873"]
    assert set(seed_store(store)) == {"aliases_added", "aliases_retired", "faqs_added",
                                      "faqs_refreshed"}
