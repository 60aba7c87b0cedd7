"""Deciding applications, and what a decision holds.

``services`` is where an officer's decision enters (sign-off threshold, scores, the program's
selection mode) and where a manager signs off; ``selection`` runs a ranked call once it has
closed; ``fcfs`` decides first come, first served; ``moves`` are the three decisions as
workflow moves with their effects; ``capacity`` is the only code that moves a program's
allocated units; ``waitlist`` keeps the places and offers freed units, ``offers`` takes the
firm's answer; ``grants`` changes a grant after approval (withdraw, cancel, reduce, complete);
``policy`` is each program's decision policy; ``selectors`` the reads.
"""
