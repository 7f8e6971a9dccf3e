"""Why a week has no timetable, and how good one can be: the pre-checks (``precheck``),
the conflict search (``diagnose``) and the patient-by-patient lower bound (``bound``)."""
