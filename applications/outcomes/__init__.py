"""What a supported firm achieved: outcome reports after a trade show or a delegation, their
review by the program's officers, and the 6- and 12-month follow-ups."""
