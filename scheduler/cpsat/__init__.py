"""The CP-SAT model of a program's week (``model``: its ``variables`` and one module per
rule family, ``patients``, ``groups``, ``staff``, ``appointments`` and ``objective``),
its warm start (``hint``) and the read-back of a solved model into a schedule
(``readback``: ``split`` families into sessions, ``seating``, ``topics``, ``draw``
screens)."""
