"""A rendered impact report as a file, for downloads (``ImpactReport.document``)."""

from __future__ import annotations

import strawberry

from graph_crm.impact.render.document import ReportDocument


@strawberry.type(
    name="ReportDocument",
    description="The report as a file: the same text `graph-crm impact --format ... -o FILE` "
    "writes for the same arguments, its file name and media type.",
)
class ReportDocumentType:
    file_name: str = strawberry.field(
        description="impact-<source>-<delay>d-<asOf>.<ext>, letters, digits, '.', '-' and '_' only."
    )
    media_type: str = strawberry.field(description="e.g. text/csv; charset=utf-8")
    content: str

    @classmethod
    def from_model(cls, document: ReportDocument) -> ReportDocumentType:
        return cls(
            file_name=document.file_name,
            media_type=document.media_type,
            content=document.content,
        )
