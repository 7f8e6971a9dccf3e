"""A greedy timetable: what a program coordinator builds by hand.

Why it exists: the CP-SAT schedules need a yardstick ("how much better than a
week planned by hand?"), and the solver may want a valid first timetable to
start from. So this module does what a coordinator does with a whiteboard and
the counselors' diaries, in the same order, and never searches:

1. **Sketch the blocks.** Each patient gets the fewest blocks that reach
   min_hours and min_days, preferring their preferred slots and blocks that
   patients of their stage already attend (so that stage cohorts form); the
   least flexible patients choose first.
2. **Fill the diaries.** Individual sessions go into each primary counselor's
   diary first (one patient a time, a patient's sessions on different days;
   a matching, so an earlier patient moves to another of their times when that
   lets one more in), on the sketched days where possible and leaving the
   scarce evening times to those who cannot come in the morning; then the
   medication appointments with the prescribers. A patient without a primary
   counselor gets the one with most room in their diary.
3. **Choose the blocks** again around those days; patients left alone in a
   block, or in a stage group too small for its groups, choose again.
4. **Classes.** In every block the patients of one stage form classes of a
   size every group type they need allows; stragglers of small stages form a
   mixed class (a large class lends members) or join one as guests.
5. **Groups, period by period.** Each class runs the group type its members
   need most (a patient about to miss a requirement row counts most) or joins
   another class's group of that type; members the type does not fit sit in
   another group of the period, or one group changes type for them. A group
   gets the smallest free room that fits and the least loaded qualified
   counselors, preferring the members' primary counselors.
6. **Book** the pencilled-in appointments in free offices, **draw** the screens
   at random from the seed (within capacity), choose the **topics** with
   ``scheduler.cpsat.topics.assign_topics``, and let the checker score the result.

When a step gets stuck the greedy learns a hint (keep this patient, or the
stragglers who broke a class, out of that block; fill that block less) and
starts again, a bounded number of times; then it gives up with one line naming
the step and the ids (never a patient's details).

The package, one file per step: ``build`` (the entry point: attempts with
``hints``, multi-site organizations site by site, the checker's score) runs
``week``, which does the steps in order over what ``lookups`` read from the
instance once: ``blocks`` (steps 1 and 3) with the diaries of step 2
(``diaries``, ``claiming`` and ``primaries`` over the ``pencil``), ``classes``
(4), ``periods`` (5: ``seating`` and ``reseating`` members by their ``needs``,
``rooms`` and ``staffing`` for each group of ``groups``), ``appointments`` and
``screens`` (6).
"""

from scheduler.greedy.build import GreedyResult, greedy_schedule

__all__ = ["GreedyResult", "greedy_schedule"]
