"""Importing a station's 台账 (residents, households, support statuses) from XLSX.

`read_rows` turns a workbook into plain rows; `plan_import` checks every row against the file and the
registry within the importing user's scope and says what would be created, updated and refused (a dry
run stops there: nothing is written); `commit_import` writes the plan in one transaction, bulk inserts,
only when no row is refused (all or nothing), and records the import once in the audit trail.

Row errors are Chinese and name the row and the column. A number registered in another station's scope
is refused with the same words whichever station it is, and nothing of that record is shown.

The package is split by step: `read` (the columns and the XLSX reader), `check` (the dry run),
`commit` (the writing) and `template` (the workbook stations download).
Callers import this package, which re-exports them.
"""

from residents.registry_import.check import (  # noqa: F401
    BATCH,
    GENDERS,
    OUT_OF_SCOPE_DUPLICATE,
    RELATIONS,
    ImportPlan,
    PlannedRow,
    RowError,
    plan_import,
)
from residents.registry_import.commit import commit_import  # noqa: F401
from residents.registry_import.read import (  # noqa: F401
    COLUMNS,
    EXAMPLE_ID,
    HEADERS,
    LABELS,
    MAX_ROWS,
    ImportFileError,
    read_rows,
)
from residents.registry_import.template import template_workbook  # noqa: F401
