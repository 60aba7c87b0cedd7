"""The case between screening and a decision: officers take an application into review, ask
the firm for information and read its answer, write to each other, and override an
ineligible result. Every move tells the other side."""
