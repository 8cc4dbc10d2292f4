import json

import pytest

from knowledge_base.backup import export_kb, restore_kb
from knowledge_base.errors import InvalidInputError
from knowledge_base.faq_store import FaqStore
from knowledge_base.importer import read_catalog
from knowledge_base.models import Faq
from knowledge_base.store import KnowledgeStore
from tests.conftest import copy_subset, kb_env, run_tthc


def populated(path, catalog):
    store = KnowledgeStore(f"sqlite:///{path}")
    store.apply_catalog(read_catalog(catalog), str(catalog))
    return store


def test_export_restore_round_trip(tmp_path):
    catalog = copy_subset(tmp_path / "catalog", ["1.001193", "1.004873"])
    source = populated(tmp_path / "a.db", catalog)
    FaqStore(source).create(
        Faq(
            slug="hours",
            question="Giờ làm việc?",
            answer="8:00–17:00",
            phrasings=["mấy giờ mở cửa"],
            tags=["office"],
        ),
        actor="an",
    )
    source.add_alias("1.004873", "giấy độc thân", actor="an")
    removed = source.add_alias("1.001193", "làm khai sinh", actor="an")
    source.remove_alias(removed.id, actor="an")
    source.set_office_info({"office_phone": "024 0000 0000"}, actor="an")

    backup = json.loads(json.dumps(export_kb(source)))
    target = populated(tmp_path / "b.db", catalog)
    counts = restore_kb(target, backup)
    assert counts == {"faqs": 1, "aliases": 2, "office_info": 1}
    again = export_kb(target)
    for key in ("faqs", "office_info"):
        assert again[key] == backup[key]
    strip = lambda rows: [{k: r[k] for k in ("code", "text", "active")} for r in rows]  # noqa: E731
    assert strip(again["aliases"]) == strip(backup["aliases"])
    assert "làm khai sinh" not in target.aliases().get("1.001193", [])

    assert restore_kb(target, backup) == {"faqs": 0, "aliases": 0, "office_info": 1}
    assert FaqStore(target).list()[0][0].version == 1


def test_restore_rejects_foreign_files(tmp_path):
    store = KnowledgeStore(f"sqlite:///{tmp_path / 'kb.db'}")
    with pytest.raises(InvalidInputError):
        restore_kb(store, {"faqs": []})


def test_cli_export_restore(kb_workdir, tmp_path):
    env = kb_env(kb_workdir)
    out = tmp_path / "backup.json"
    run_tthc(env, "kb", "export", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["faqs"]) >= 30 and data["office_info"]
    assert "restored" in run_tthc(env, "kb", "restore", str(out)).stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    assert run_tthc(env, "kb", "restore", str(bad), check=False).returncode == 1
