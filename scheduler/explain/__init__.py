"""Why a week has no timetable, and how good one can be: the pre-checks (``precheck``),
the conflict search (``diagnose``), the patient-by-patient lower bound (``bound``) and the
stronger whole-block LP bound (``block_bound``)."""
