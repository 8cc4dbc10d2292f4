"""Parsers for the national portal's glued table text.

Each parser returns what it understood plus a :class:`ParseStatus`, so the
importer can report, per field, how much of the catalog was really parsed.
"""

from knowledge_base.parsing.channels import parse_channels
from knowledge_base.parsing.documents import parse_documents
from knowledge_base.parsing.misc import (
    parse_legal_basis,
    parse_result,
    parse_steps,
    split_page_sections,
)

__all__ = [
    "parse_channels",
    "parse_documents",
    "parse_legal_basis",
    "parse_result",
    "parse_steps",
    "split_page_sections",
]
