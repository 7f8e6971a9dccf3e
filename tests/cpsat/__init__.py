"""Tests of the CP-SAT model, one file per rule family (as ``scheduler/cpsat/``)."""
