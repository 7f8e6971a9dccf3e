"""The CP-SAT model of a program's week (``model``), its warm start (``hint``) and the
read-back of a solved model into a schedule (``readback``: ``split`` families into
sessions, ``seating``, ``topics``, ``draw`` screens)."""
