"""What a program's eligibility rules take: each rule type's parameters (``params``) and their
validation (``specs``). Judging applications against the rules is ``applications.eligibility``."""
