"""Phrase banks of the blur family (:mod:`pixtask.tasks.families.blur`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank, direction


def _motion(p: dict) -> str:
    return f"as if the camera slid {direction(p.get('angle', 0))} while the shutter was open"


BANKS: dict[str, Bank] = {
    "gaussian-blur": B(
        ("softness", "even blur", "soft haze of defocus", "smooth loss of sharpness"),
        (
            "{sev} {what} spreads over the whole frame",
            "every edge dissolves into {sev} {what}",
            "details melt under {sev} {what}",
            "the whole scene sinks into {sev} {what}",
        ),
        (
            "the {what} is lifted and edges snap back into focus",
            "fine detail returns from the {what}",
            "the {what} clears and textures turn crisp",
            "lines and edges are sharpened out of the {what}",
        ),
        (
            "edges turn soft and textures smear",
            "small text and fine patterns become unreadable",
            "the picture looks out of focus",
            "everything looks seen through frosted glass",
        ),
        (
            "edges are crisp and textures readable",
            "fine detail such as hair and leaves is clear",
            "the picture looks sharply focused",
            "lines are clean and well defined",
        ),
        terms=("gaussian", "deblur"),
    ),
    "motion-blur": B(
        ("directional smear", "streaking", "shaky-camera smear", "sweep of motion"),
        (
            "{sev} {what} drags every edge, {detail}",
            "{sev} {what} stretches the scene, {detail}",
            "each point is pulled into a short line by {sev} {what}, {detail}",
            "{sev} {what} softens the frame, {detail}",
        ),
        (
            "the {what} is pulled back so edges stand still",
            "the {what} is undone and each point is one point again",
            "the doubled edges from the {what} merge into sharp lines",
            "the {what} is reversed so the frame holds still",
        ),
        (
            "edges trail along one direction",
            "shapes look ghosted along a line",
            "the picture looks hand-shaken",
            "fine detail is streaked",
        ),
        (
            "edges are steady and sharp",
            "shapes have clean outlines",
            "the picture looks taken on a tripod",
            "detail is crisp in every direction",
        ),
        detail=_motion,
        terms=("motion blur", "deblur"),
    ),
    "glass-blur": B(
        ("frosted-glass distortion", "rippled glass", "pebbled-glass scrambling", "wavy glass pane"),
        (
            "the scene is seen through {sev} {what}",
            "{sev} {what} jumbles nearby pixels",
            "pixels are shuffled locally, like {sev} {what}",
            "{sev} {what} scrambles the fine detail",
        ),
        (
            "the {what} is removed so pixels sit where they belong",
            "the scramble of the {what} is undone",
            "the {what} is cleared away",
            "the view behind the {what} comes through plainly",
        ),
        (
            "edges look crumbly and jittered",
            "the picture looks like a view through a bathroom window",
            "textures dissolve into a shuffle",
            "outlines turn ragged",
        ),
        ("edges are smooth and continuous", "the view is clear", "textures are orderly again", "outlines are clean"),
        terms=("glass blur", "deblur"),
    ),
    "lens-blur": B(
        ("defocus", "round, disc-shaped blur", "lens softness", "out-of-focus disc blur"),
        (
            "{sev} {what} spreads each point into a small disc",
            "the lens is thrown out of focus: {sev} {what}",
            "{sev} {what} softens everything equally",
            "{sev} {what} turns highlights into soft circles",
        ),
        (
            "the {what} is pulled back into focus",
            "the discs of the {what} shrink back to points",
            "the {what} is undone so edges are crisp",
            "the focus is restored and the {what} gone",
        ),
        (
            "bright spots bloom into discs",
            "the picture looks shot with the focus missed",
            "outlines go fuzzy",
            "the scene looks dreamlike and soft",
        ),
        (
            "points are points again",
            "the focus sits right on the scene",
            "outlines are crisp",
            "the scene is sharp and clear",
        ),
        terms=("lens blur", "deblur"),
    ),
    "zoom-blur": B(
        ("radial streaking", "outward burst", "outward smear", "rushing blur from the centre"),
        (
            "{sev} {what} pulls everything away from the middle",
            "streaks shoot outwards: {sev} {what}",
            "{sev} {what} stretches objects towards the borders",
            "{sev} {what} swirls out from the centre",
        ),
        (
            "the {what} is drawn back so objects hold still",
            "the {what} is undone from centre to edges",
            "the streaks of the {what} collapse into sharp shapes",
            "the {what} is removed",
        ),
        (
            "the borders streak while the middle stays calmer",
            "the picture feels like rushing forward",
            "edges radiate outwards",
            "objects near the frame edges smear",
        ),
        (
            "objects hold still all over the frame",
            "the borders are as sharp as the centre",
            "the scene is calm and crisp",
            "outlines are clean everywhere",
        ),
        terms=("zoom blur", "deblur"),
    ),
    "jitter-blur": B(
        ("trembling doubling", "shivering echo", "shaky ghosting", "nervous repetition of edges"),
        (
            "{sev} {what} repeats each edge a few pixels away",
            "the scene shivers with {sev} {what}",
            "{sev} {what} overlays slightly shifted copies",
            "{sev} {what} shakes every outline",
        ),
        (
            "the {what} settles and each edge appears once",
            "the shifted copies of the {what} fold together",
            "the {what} is removed",
            "the ghosting of the {what} is cleaned up",
        ),
        ("outlines look doubled", "the picture looks shaken", "detail shimmers", "edges look nervous"),
        ("each outline is single and sharp", "the picture is steady", "detail is still and clear", "edges are calm"),
        terms=("jitter blur", "deblur"),
    ),
    "lensmask-blur": B(
        ("smudge on the lens", "greasy lens patch", "soft, uneven fog on the lens", "fingerprint smear"),
        (
            "{sev} {what} softens parts of the view",
            "some regions swim under {sev} {what}",
            "the view is patchily blurred by {sev} {what}",
            "{sev} {what} spreads over part of the frame",
        ),
        (
            "the {what} is wiped away",
            "the patches under the {what} become sharp",
            "the view behind the {what} clears",
            "the {what} is cleaned off",
        ),
        (
            "parts of the scene are blurry while others stay sharp",
            "bright areas glow softly",
            "the view looks taken through a dirty lens",
            "the blur wanders across the frame",
        ),
        (
            "the whole frame is evenly sharp",
            "glows around lights are gone",
            "the lens looks clean",
            "detail is clear everywhere",
        ),
        terms=("lensmask", "deblur"),
    ),
}
