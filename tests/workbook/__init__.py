"""Tests of the roster workbook (``models.workbook``): round trips, Excel's typing of
cells, every problem of a file placed by sheet, row and column, files that are not
workbooks, and the template."""
