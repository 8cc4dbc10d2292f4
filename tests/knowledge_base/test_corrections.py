"""Corrections of the catalog's source, applied in what citizens read (data/catalog_corrections.yml)."""

from knowledge_base.corrections import correct_case_headings
from knowledge_base.models import Document, DocumentGroup

OWNER = "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"


def test_a_home_owner_is_not_told_to_bring_a_vessels_papers(knowledge_base) -> None:
    # 1.004222 files a vessel owner's papers under the home owner's heading
    procedure = knowledge_base.procedure("1.004222")
    owned = [d.name for g in procedure.document_groups if g.case == OWNER for d in g.documents]
    assert owned and not any("phương tiện" in name for name in owned)
    vessel = [case for case in procedure.cases if "phương tiện dùng để ở" in case]
    assert vessel == procedure.cases[-1:]  # the rare case last; the home owner's first
    assert procedure.cases[0] == OWNER
    papers = [d.name for g in procedure.document_groups if g.case == vessel[0]
              for d in g.documents]
    assert papers and all("phương tiện" in name for name in papers)
    # the store keeps the source as imported (admins see it; the index is built from it)
    assert len(knowledge_base.store.procedure("1.004222").cases) == len(procedure.cases) - 1


def test_a_correction_leaves_a_source_that_no_longer_matches_alone() -> None:
    fixed_source = [DocumentGroup(case=OWNER, documents=[
        Document(name="Giấy chứng nhận quyền sở hữu nhà ở")])]
    assert correct_case_headings("1.004222", fixed_source) == fixed_source
