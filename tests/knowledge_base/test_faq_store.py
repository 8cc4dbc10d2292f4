import pytest

from knowledge_base.db import MetaRow
from knowledge_base.errors import InvalidInputError, NotFoundError, VersionConflictError
from knowledge_base.faq_store import FaqStore
from knowledge_base.models import Faq
from knowledge_base.store import KnowledgeStore


@pytest.fixture
def faqs(tmp_path):
    return FaqStore(KnowledgeStore(f"sqlite:///{tmp_path / 'kb.db'}"))


def entry(**changes):
    base = {
        "question": "Giờ làm việc của phường?",
        "answer": "Từ thứ Hai đến thứ Sáu.",
        "phrasings": ["may gio lam viec", "mấy giờ mở cửa"],
    }
    return Faq(**{**base, **changes})


def test_second_save_of_same_version_is_a_conflict(faqs):
    created = faqs.create(entry(), actor="an")
    first = faqs.update(
        created.id, entry(answer="Thứ Hai đến sáng thứ Bảy."), created.version, "an"
    )
    assert first.version == created.version + 1
    with pytest.raises(VersionConflictError, match="changed by someone else"):
        faqs.update(created.id, entry(answer="Cả tuần."), created.version, "binh")
    assert faqs.get(created.id).answer == "Thứ Hai đến sáng thứ Bảy."


def test_every_change_is_audited_with_before_and_after(faqs):
    created = faqs.create(entry(), actor="an")
    faqs.update(created.id, entry(answer="Mới."), created.version, "binh")
    faqs.delete(created.id, None, "chi")
    log = faqs.store.audit_log(entity="faq")
    assert [(r.actor, r.action) for r in log] == [
        ("chi", "delete"),
        ("binh", "update"),
        ("an", "create"),
    ]
    assert log[1].before["answer"] == "Từ thứ Hai đến thứ Sáu." and log[1].after["answer"] == "Mới."
    with pytest.raises(NotFoundError):
        faqs.get(created.id)


def test_validation_messages_are_plain_words(faqs):
    with pytest.raises(InvalidInputError, match="Câu hỏi không được để trống"):
        faqs.create(entry(question="   "), actor="an")
    with pytest.raises(InvalidInputError, match="NNNN-TT-NN"):
        faqs.create(entry(last_verified="27/11/2026"), actor="an")


def test_changes_bump_the_revision_and_search_list_pages(faqs):
    revision = faqs.store.revision()
    for i in range(3):
        faqs.create(entry(question=f"Câu hỏi số {i} về lệ phí"), actor="an")
    assert faqs.store.revision() == revision + 3
    page, total = faqs.list(query="lệ phí", offset=1, limit=1)
    assert total == 3 and len(page) == 1


def test_seed_runs_once(faqs):
    assert faqs.seed([entry(slug="hours")]) == 1
    faqs.delete(faqs.list()[0][0].id, None, "an")
    assert faqs.seed([entry(slug="hours")]) == 0
    assert faqs.list()[1] == 0


def test_an_entry_the_team_adds_later_reaches_an_existing_database(faqs):
    assert faqs.seed([entry(slug="hours"), entry(question="Không mã?")]) == 2
    hours = next(f for f in faqs.list()[0] if f.slug == "hours")
    faqs.update(hours.id, entry(slug="hours", answer="Sửa bởi cán bộ."), hours.version, "an")
    later = [entry(slug="hours"), entry(question="Không mã?"),
             entry(slug="divorce", question="Ly hôn ở đâu?")]
    assert faqs.seed(later) == 1  # only the new slug; no duplicate of the slug-less one
    assert {f.slug for f in faqs.list()[0]} == {"hours", None, "divorce"}
    assert faqs.get(hours.id).answer == "Sửa bởi cán bộ."


def test_slugs_seeded_before_they_were_kept_are_read_from_the_audit_log(faqs):
    assert faqs.seed([entry(slug="hours")]) == 1
    faqs.delete(faqs.list()[0][0].id, None, "an")
    with faqs.store.session.begin() as session:  # a database seeded by the older code
        session.query(MetaRow).filter(MetaRow.key == "faq_seed_slugs").delete()
    assert faqs.seed([entry(slug="hours"), entry(slug="new", question="Mới?")]) == 1
    assert [f.slug for f in faqs.list()[0]] == ["new"]


def test_a_better_worded_starter_entry_reaches_entries_no_admin_touched(faqs):
    faqs.seed([entry(slug="hours"), entry(slug="fees", question="Lệ phí nộp ở đâu?")])
    fees = next(f for f in faqs.list()[0] if f.slug == "fees")
    faqs.update(fees.id, entry(slug="fees", question="Lệ phí nộp ở đâu?", answer="Cán bộ sửa."),
                fees.version, "an")
    release = [entry(slug="hours", phrasings=["may gio lam viec", "mấy giờ đóng cửa"]),
               entry(slug="fees", question="Lệ phí nộp ở đâu?", answer="Bản mới của đội.")]
    assert faqs.seed(release) == 0
    assert faqs.refresh_seeded(release) == 1
    hours = next(f for f in faqs.list()[0] if f.slug == "hours")
    assert hours.phrasings == ["may gio lam viec", "mấy giờ đóng cửa"] and hours.version == 2
    assert faqs.get(fees.id).answer == "Cán bộ sửa."  # the admin's edit stands
    assert faqs.refresh_seeded(release) == 0  # nothing left to bring up to date
    log = faqs.store.audit_log(entity="faq")
    assert (log[0].actor, log[0].action, log[0].entity_id) == ("seed", "update", str(hours.id))
