"""Typed records of the knowledge base: procedures, FAQ entries and search results."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

MAX_OPTIONS = 3
# A button is offered for a procedure at least 6 % as likely as the best one (up to
# MAX_OPTIONS): once the assistant asks, a further plausible option costs a glance.
# Measured against a quarter: 3 more questions got the right button; against a tenth
# (8 Dec 2026, seeds 13 / 7 / 21): +1 / +1 / 0 on half A, +1 / +1 / 0 on half B, 0 / +1 / +1
# on the ward set, no out-of-scope or FAQ question more with buttons, none fewer right.
OPTION_RATIO = 0.06
OFFICIAL_URL = (
    "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc={code}"
)


class Method(str, Enum):
    """Ways of submitting an application."""

    IN_PERSON = "truc_tiep"
    ONLINE = "truc_tuyen"
    POST = "buu_chinh"


class DocumentKind(str, Enum):
    """Whether a document is handed in or only shown."""

    SUBMIT = "submit"
    PRESENT = "present"


class ProcessingTime(BaseModel):
    """Processing time of one channel; ``value``/``unit`` are null when not stated."""

    value: float | None = None
    unit: str | None = None
    text: str = ""


class Fee(BaseModel):
    """Fee of one channel; ``amount_vnd`` is 0 for "Miễn phí", null when not stated."""

    amount_vnd: int | None = None
    text: str = ""


class Channel(BaseModel):
    """One submission method with its processing time and fee."""

    method: Method
    processing_time: ProcessingTime
    fee: Fee
    description: str = ""


class Document(BaseModel):
    """One document of an application; ``copies`` is the catalog's count text."""

    name: str
    copies: str = ""
    form: str | None = None


class DocumentGroup(BaseModel):
    """Documents of one case (``case`` is null when the procedure has one case)."""

    case: str | None = None
    kind: DocumentKind = DocumentKind.SUBMIT
    documents: list[Document] = Field(default_factory=list)


class LegalDocument(BaseModel):
    """A legal basis entry: its number (e.g. 85/2019/TT-BTC) and title."""

    number: str
    title: str = ""


class ParseStatus(str, Enum):
    """How well a source field was understood."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    EMPTY = "empty"


class Procedure(BaseModel):
    """One administrative procedure as imported from the national catalog."""

    code: str
    name: str
    field: str = ""
    ministry: str = ""
    level: str = ""
    kind: str = ""
    audience: str = ""
    agency: str = ""
    competent_agency: str = ""
    decision: str = ""
    official_url: str = ""
    portal_url: str = ""
    steps: list[str] = Field(default_factory=list)
    conditions: str = ""
    result: str = ""
    legal_basis: list[LegalDocument] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    document_groups: list[DocumentGroup] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    parse_status: dict[str, ParseStatus] = Field(default_factory=dict)
    raw: dict[str, str] = Field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        """A flagged record is never used for answers."""
        return not self.flags

    @property
    def cases(self) -> list[str]:
        """Distinct case headings of the submitted documents, in catalog order."""
        seen: list[str] = []
        for group in self.document_groups:
            if group.case and group.case not in seen:
                seen.append(group.case)
        return seen

    def channel(self, method: Method) -> Channel | None:
        """Return the channel for ``method`` if the catalog lists it."""
        return next((c for c in self.channels if c.method == method), None)


class Faq(BaseModel):
    """An FAQ entry written by the ward's team."""

    id: int | None = None
    slug: str | None = None
    question: str
    answer: str
    phrasings: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    field: str = ""
    owner: str = ""
    last_verified: str | None = None
    published: bool = True
    version: int = 1


class Decision(str, Enum):
    """What the assistant should do with a question."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NOT_FOUND = "not_found"


class TargetType(str, Enum):
    """What a search hit points at."""

    PROCEDURE = "procedure"
    FAQ = "faq"


class SearchHit(BaseModel):
    """One ranked result: a procedure or an FAQ entry."""

    type: TargetType
    id: str
    title: str
    score: float
    confidence: float
    matched: str = ""
    said: float | None = None  # share of its best-matching key the searched text says


class SearchResult(BaseModel):
    """Ranked hits with the decision the assistant should take."""

    query: str
    decision: Decision
    confidence: float
    hits: list[SearchHit] = Field(default_factory=list)
    # a known out-of-scope topic ranked above every hit (hits hold no such topics)
    out_of_scope_first: bool = False
    # that topic's id when it is likely, whatever the decision: buttons for a procedure
    # close behind ("tách thửa": "Tách hộ") come with where to go for the topic
    leading_topic: str | None = None

    @property
    def options(self) -> list[SearchHit]:
        """Hits worth offering as "Ý bạn là…?" buttons: at most 3, none far below the best."""
        if not self.hits:
            return []
        floor = OPTION_RATIO * self.hits[0].confidence
        return [hit for hit in self.hits[:MAX_OPTIONS] if hit.confidence >= floor]

    @property
    def out_of_scope_topic(self) -> str | None:
        """The leading topic when it decided "not here" (its reply says where to go)."""
        return self.leading_topic if self.decision == Decision.NOT_FOUND else None

    @property
    def top(self) -> SearchHit | None:
        """The best hit, if any."""
        return self.hits[0] if self.hits else None
