"""Phrase banks of the weather family (:mod:`pixtask.tasks.families.weather`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank


def _snow(p: dict) -> str:
    return "the flakes drift as they fall" if p.get("density", 0) < 0.3 else "the flakes crowd the air"


BANKS: dict[str, Bank] = {
    "snow": B(
        ("snowflakes", "falling snowflakes", "white flakes", "flurries"),
        (
            "{sev} {what} fill the air in front of the scene and {detail}",
            "{sev} {what} drift over everything",
            "white dots of {sev} {what} sit over the view",
            "{sev} {what} blow across the frame",
        ),
        (
            "the {what} are cleared from the air",
            "every one of the {what} disappears",
            "the {what} melt away and the scene is unobstructed",
            "the {what} stop falling",
        ),
        (
            "the scene looks wintry and speckled",
            "objects hide behind white dots",
            "the view looks blizzard-bound",
            "the picture is covered in flakes",
        ),
        ("the air is clear", "objects are plainly visible", "the view is calm", "no flakes remain"),
        detail=_snow,
        terms=("desnow", "snow removal"),
    ),
    "haze": B(
        ("haze", "milky fog", "grey veil of mist", "atmospheric murk"),
        (
            "{sev} {what} thickens with distance and washes out colour",
            "{sev} {what} rolls over the scene",
            "distant parts fade into {sev} {what}",
            "{sev} {what} lowers the contrast of the whole view",
        ),
        (
            "the {what} lifts, revealing distant detail",
            "the {what} is cleared and colours regain depth",
            "the {what} thins away, so far objects are crisp",
            "the {what} is removed and contrast returns",
        ),
        (
            "the background turns pale and grey",
            "colours look washed out",
            "the scene looks foggy",
            "far objects disappear into white",
        ),
        ("far objects are crisp and coloured", "the sky is clear", "contrast is strong", "depth reads clearly"),
        terms=("dehaz", "haze removal"),
    ),
    "spatter": B(
        ("splashes", "mud splashes", "drops on the lens", "dirty splotches"),
        (
            "{sev} {what} land on the lens and hide parts of the scene",
            "{sev} {what} blot the view",
            "the picture is dotted with {sev} {what}",
            "{sev} {what} stain the frame",
        ),
        (
            "the {what} are cleaned off the lens",
            "each of the {what} is removed and filled in",
            "the {what} are wiped away",
            "the {what} disappear, revealing what they hid",
        ),
        (
            "patches of the view are hidden",
            "the lens looks dirty",
            "blotches cover the scene",
            "the picture looks splashed",
        ),
        ("the whole view is visible", "the lens looks spotless", "no blotches remain", "the scene is clean"),
        terms=("spatter",),
    ),
}
