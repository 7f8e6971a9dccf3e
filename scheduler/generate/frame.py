"""The program frame every generated program shares: days, blocks and their periods,
stages, group types and education topics, stage requirements, the week a witness cohort
sits, and the individual appointments and screens a patient needs."""

from __future__ import annotations

from typing import Any

DAYS = ["mon", "tue", "wed", "thu", "fri"]
TIMES = {"am": ["09:00", "10:00", "11:00", "12:00"], "pm": ["18:00", "19:00", "20:00", "21:00"]}
PERIOD_MINUTES = 60
STAGES = ["engagement", "early_recovery", "maintenance", "community_integration"]

# One-to-one appointments: 50 minutes, weekly (twice a week while engaging), in the
# times just before and after the blocks.
INDIVIDUAL_SLOTS = [("08:00", "08:50"), ("12:10", "13:00"), ("17:00", "17:50"), ("21:10", "22:00")]
INDIVIDUAL_MINUTES = 50
INDIVIDUAL_PER_WEEK = 1
INDIVIDUAL_BY_STAGE = {"engagement": 2}
ADJACENT_MINUTES = 30
SCREENS_PER_WEEK = 1

TOPIC_TYPE = "recovery_education"
TOPICS = [
    "motivation",
    "problem_severity",
    "goals",
    "barriers",
    "brain_and_body",
    "withdrawal",
    "stages_of_recovery",
    "quitting_strategies",
    "triggers",
    "cravings",
    "relapse_plans",
    "relationships",
]

GROUP_TYPES: list[dict[str, Any]] = [
    {
        "id": "recovery_education",
        "kind": "psychoeducational",
        "min_size": 4,
        "max_size": 16,
        "stage_matched": False,
        "topics": TOPICS,
    },
    {
        "id": "early_recovery_skills",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
        "stages": ["engagement", "early_recovery"],
    },
    {
        "id": "relapse_prevention",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
    },
    {
        "id": "social_support",
        "kind": "skills",
        "min_size": 4,
        "max_size": 12,
        "stage_matched": True,
        "stages": ["maintenance", "community_integration"],
    },
    {
        "id": "process_group",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
    },
    {
        "id": "womens_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
        "genders": ["female"],
    },
    {
        "id": "dual_diagnosis_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 10,
        "stage_matched": False,
        "tracks": ["dual_diagnosis"],
        "requires_role": "clinician",
    },
    {
        "id": "trauma_process",
        "kind": "interpersonal_process",
        "min_size": 4,
        "max_size": 8,
        "stage_matched": False,
        "requires_flags": ["trauma"],
    },
    {
        "id": "family_group",
        "kind": "interpersonal_process",
        "min_size": 3,
        "max_size": 6,
        "stage_matched": False,
        "requires_flags": ["family_involved"],
        "family": True,
        "family_seats": 2,
        "staff_required": 2,
    },
    {
        "id": "couples_group",
        "kind": "interpersonal_process",
        "min_size": 2,
        "max_size": 8,
        "stage_matched": False,
        "requires_flags": ["couple"],
    },
]
STAFF_REQUIRED = {g["id"]: g.get("staff_required", 1) for g in GROUP_TYPES}

REQUIREMENTS = [
    {"stage": "engagement", "kind": "psychoeducational", "min_sessions": 3, "max_sessions": 5},
    {"stage": "engagement", "kind": "skills", "min_sessions": 2},
    {"stage": "engagement", "kind": "interpersonal_process", "min_sessions": 1},
    {"stage": "early_recovery", "kind": "psychoeducational", "min_sessions": 2, "max_sessions": 4},
    {"stage": "early_recovery", "group_type": "relapse_prevention", "min_sessions": 2},
    {"stage": "early_recovery", "kind": "interpersonal_process", "min_sessions": 2},
    {"stage": "maintenance", "kind": "psychoeducational", "min_sessions": 0, "max_sessions": 2},
    {"stage": "maintenance", "kind": "skills", "min_sessions": 2},
    {"stage": "maintenance", "kind": "interpersonal_process", "min_sessions": 3},
    {
        "stage": "community_integration",
        "kind": "psychoeducational",
        "min_sessions": 0,
        "max_sessions": 1,
    },
    {"stage": "community_integration", "group_type": "social_support", "min_sessions": 2},
    {"stage": "community_integration", "kind": "interpersonal_process", "min_sessions": 3},
]

# The nine sessions a witness cohort of each stage sits in a week (meets REQUIREMENTS).
COHORT_WEEK = {
    "engagement": ["recovery_education"] * 4
    + ["early_recovery_skills"] * 2
    + ["relapse_prevention"]
    + ["process_group"] * 2,
    "early_recovery": ["recovery_education"] * 3
    + ["relapse_prevention"] * 2
    + ["early_recovery_skills"]
    + ["process_group"] * 3,
    "maintenance": ["recovery_education"] * 2
    + ["relapse_prevention"] * 2
    + ["social_support"]
    + ["process_group"] * 4,
    "community_integration": ["recovery_education", "relapse_prevention"]
    + ["social_support"] * 2
    + ["process_group"] * 5,
}
STAGE_MATCHED = {g["id"] for g in GROUP_TYPES if g["stage_matched"]}
