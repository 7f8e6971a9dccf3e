"""Tests of the exports, one file per format (as ``scheduler/export/``)."""
