"""The queue's flag letters and what they mean: read by the queue and the help screen at
start-up, so kept apart from the checks (which load markdown-it)."""

from __future__ import annotations

# Queue flag letters, in the order they are shown.
FLAG_WORDS = "W"  # a response (or a marked piece of it) outside its word limit
FLAG_MISSING = "M"  # a missing or empty response, a missing attachment file, too few uploads or pieces
FLAG_IDENTIFIER = "I"  # possible identifying information
FLAG_NONE = ""  # shown beside the response only (guidance, a limit that cannot be checked)
FLAG_ORDER = (FLAG_IDENTIFIER, FLAG_WORDS, FLAG_MISSING)
FLAG_OLDER_RUBRIC = "V"  # not a finding: the queue adds it when the pinned rubric is not the current one
FLAG_LABELS = {
    FLAG_IDENTIFIER: "possible identifying information",
    FLAG_WORDS: "outside a word limit",
    FLAG_MISSING: "missing or empty response, attachment or required upload",
    FLAG_OLDER_RUBRIC: "on an older version of the rubric (mcreview specs move)",
}
