"""CSV files as they come from other systems, imported by a mapping (``graph-crm import-csv``)."""

from graph_crm.services.csv_import.mapping import ImportMapping, parse_mapping, read_mapping
from graph_crm.services.csv_import.report import FileReport, ImportReport, Progress, Reject
from graph_crm.services.csv_import.run import BATCH, Options, import_csv

__all__ = [
    "BATCH",
    "FileReport",
    "ImportMapping",
    "ImportReport",
    "Options",
    "Progress",
    "Reject",
    "import_csv",
    "parse_mapping",
    "read_mapping",
]
