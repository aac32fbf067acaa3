"""Text as people type it or as a file brings it, made safe to show beside other text."""

import re

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) turn the rest of a line round
# where the text is shown: a name "Anna\u202egnp.exe" reads "Annaexe.png" on the intake pages and
# in the decision letter. Names, addresses and descriptions never need them (the pages and the
# letter set the direction of each language themselves); the plain marks U+200E and U+200F change
# no other text and stay.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)
