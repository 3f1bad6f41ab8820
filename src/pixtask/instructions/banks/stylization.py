"""Phrase banks of the stylization family (:mod:`pixtask.tasks.families.stylization`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank


def _look(p: dict) -> str:
    return {
        "warm-film": "the warm, gently faded palette of an old film print",
        "teal-orange": "cinematic teal shadows against orange skin tones",
        "bleach-bypass": "a silvery, desaturated, hard-contrast palette",
        "matte-fade": "lifted, milky blacks and soft, flat colours",
    }.get(str(p.get("look", "")), "a graded film palette")


BANKS: dict[str, Bank] = {
    "photographic-look": B(
        ("film grade", "colour grade", "photographic look", "styled palette"),
        (
            "{sev} {what} is applied: {detail}",
            "the tones are restyled with {what}, {detail}",
            "the picture takes on {detail}",
            "the colours are re-graded into {detail}",
        ),
        (
            "the {what} is removed and the original colours return",
            "the {what} is undone",
            "the styled palette gives way to natural colour",
            "the {what} is taken off",
        ),
        ("the mood changes", "the picture looks cinematic", "colours look styled", "the scene looks graded"),
        ("colours look natural", "the picture looks unprocessed", "the mood is neutral", "tones look plain"),
        detail=_look,
        terms=("photographic style", "photographic-style", "lut"),
    ),
    "rtv": B(
        ("flat colour regions", "smoothed textures", "painterly flat areas", "texture-free patches"),
        (
            "textures are wiped into {what} while main edges stay",
            "the scene is simplified into {what}",
            "fine patterns are removed, leaving {what}",
            "{what} replace every texture",
        ),
        (
            "texture is painted back into the {what}",
            "the {what} regain grain and pattern",
            "the {what} are filled with realistic detail",
            "surface detail returns to the {what}",
        ),
        (
            "grass and fabric look flat",
            "the picture looks like a cartoon cel",
            "patterns disappear",
            "surfaces look plastic",
        ),
        (
            "grass and fabric have texture",
            "the picture looks photographic",
            "patterns are visible",
            "surfaces look real",
        ),
        terms=("rtv", "relative total variation"),
    ),
    "pencil-gray": B(
        ("graphite strokes", "grey hatch marks", "grey graphite scribbles", "hatched lines"),
        (
            "the scene is redrawn in {what} on white paper",
            "{what} replace colour and tone",
            "the picture is made of {what}",
            "outlines and shadows are rendered as {what}",
        ),
        (
            "the {what} are turned back into a colour photo",
            "colour and smooth tone replace the {what}",
            "a real scene is restored from the {what}",
            "the {what} are filled in with colour",
        ),
        (
            "the picture looks hand-drawn",
            "everything is grey on white",
            "shading is hatched",
            "the scene looks sketched",
        ),
        ("the picture looks photographic", "colours are back", "shading is smooth", "the scene looks real"),
        terms=("pencil",),
    ),
    "pencil-color": B(
        ("coloured graphite strokes", "crayon hatch marks", "coloured sketch lines", "tinted hatched lines"),
        (
            "the scene is redrawn in {what}",
            "{what} replace smooth tone",
            "the picture is made of {what}",
            "surfaces are hatched with {what}",
        ),
        (
            "the {what} become a smooth colour photo",
            "the hatching of the {what} is smoothed into real tone",
            "a photo is restored from the {what}",
            "the {what} are turned into real surfaces",
        ),
        (
            "the picture looks hand-coloured",
            "surfaces are hatched",
            "the scene looks drawn",
            "paper texture shows through",
        ),
        ("the picture looks photographic", "surfaces are smooth", "the scene looks real", "no paper shows"),
        terms=("pencil",),
    ),
    "watercolour": B(
        ("washes of paint", "soft pools of wet paint", "bleeding colours", "wet washes"),
        (
            "the scene is repainted in {what}",
            "colours soften into {what}",
            "the picture is made of {what}",
            "detail dissolves into {what}",
        ),
        (
            "the {what} are resolved into crisp photographic detail",
            "the {what} are turned back into a photo",
            "detail returns from the {what}",
            "the {what} harden into real surfaces",
        ),
        ("the picture looks painted", "edges bleed softly", "detail is simplified", "colours pool"),
        ("the picture looks photographic", "edges are crisp", "detail is rich", "colours are exact"),
        terms=("watercolo",),
    ),
    "cartoon": B(
        ("bold outlines and flat colours", "comic-book inks", "cel-shaded patches", "inked outlines"),
        (
            "the scene is redrawn with {what}",
            "colours flatten into bands with {what}",
            "the picture is made of {what}",
            "{what} replace photographic tone",
        ),
        (
            "the {what} are turned back into natural shading",
            "the {what} give way to a photo",
            "realistic tone replaces the {what}",
            "the {what} are removed",
        ),
        ("the picture looks like a comic", "colours are flat", "outlines are inked", "shading is banded"),
        ("the picture looks photographic", "colours are graded", "outlines are natural", "shading is smooth"),
        terms=("cartoon",),
    ),
    "superpixel-mosaic": B(
        ("irregular flat cells", "mosaic patches", "stained-glass cells", "compact colour cells"),
        (
            "the scene is rebuilt from {what}, each one colour",
            "detail is merged into {what}",
            "the picture is made of {what}",
            "{what} replace texture",
        ),
        (
            "the {what} are refined into detail",
            "the {what} dissolve into a photo",
            "detail returns to the {what}",
            "the {what} are smoothed away",
        ),
        (
            "the picture looks like stained glass",
            "textures vanish into cells",
            "shapes are patchy",
            "the scene looks tiled",
        ),
        ("the picture looks photographic", "textures are present", "shapes are smooth", "no cells remain"),
        terms=("superpixel", "slic"),
    ),
}
