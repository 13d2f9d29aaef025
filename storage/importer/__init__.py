"""The importer: input files -> parsed records -> batched, idempotent upserts.

- `sources`: the one walk of files, directories and archives, as jobs.
- `parse`: one file parsed, in either format.
- `rows`: a parsed record as the row the writer stores (`PackedRow`).
- `workers`: parsing in worker processes for large imports.
- `writer`, `sqlite_writer`, `postgres_writer`: batches written, one transaction each.
- `runs`: the import_run record and its counts; `imports`: `import_paths`, the whole import.
"""

from storage.importer.imports import import_paths
from storage.importer.parse import FileOutcome, parse_source_file
from storage.importer.runs import ImportSummary, ProgressCallback, finish_run, start_run

__all__ = [
    "FileOutcome",
    "ImportSummary",
    "ProgressCallback",
    "finish_run",
    "import_paths",
    "parse_source_file",
    "start_run",
]
