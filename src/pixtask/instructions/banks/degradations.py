"""Phrase banks of the extra degradations (:mod:`pixtask.tasks.families.degradations`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank, direction


def _rain(p: dict) -> str:
    return f"the streaks slant {direction(p.get('angle', 0) + 90)}"


def _scale(p: dict) -> str:
    return "to a quarter of its width and height" if int(p.get("scale", 2)) >= 4 else "to half its width and height"


def _lines(p: dict) -> str:
    return "white strokes" if p.get("white", True) else "black strokes"


BANKS: dict[str, Bank] = {
    "rain": B(
        ("rain streaks", "falling raindrops", "streaks of water", "sheets of rain"),
        (
            "{sev} {what} cut across the scene and {detail}",
            "{sev} {what} pour over the view, {detail}",
            "thin bright lines of {sev} {what} cover everything, {detail}",
            "{sev} {what} fall in front of the scene",
        ),
        (
            "the {what} fade away and the surfaces they covered show through, sharp and dry",
            "the {what} are lifted from the view",
            "the {what} stop and the scene behind them is clear",
            "every line of the {what} is erased",
        ),
        (
            "the view looks stormy and wet",
            "objects are partly hidden behind bright lines",
            "the scene looks like a rainy day",
            "details are striped by water",
        ),
        (
            "the view is dry and clear",
            "objects stand free of any lines",
            "the scene looks like a calm day",
            "detail behind the water is visible",
        ),
        detail=_rain,
        terms=("derain", "rain removal"),
    ),
    "ringing": B(
        ("ripples along edges", "rippling halos", "echoing outlines", "edge ripples"),
        (
            "{sev} {what} appear beside every strong edge",
            "each contour is echoed by {sev} {what}",
            "{sev} {what} shimmer around outlines",
            "{sev} {what} spread from the contours",
        ),
        (
            "the {what} are calmed",
            "the {what} are removed so contours stand alone",
            "the {what} fade",
            "the {what} are flattened out",
        ),
        ("outlines look haloed", "contours repeat faintly", "the picture looks over-processed", "edges shimmer"),
        ("contours are clean", "outlines stand alone", "the picture looks natural", "edges are calm"),
        terms=("dering", "ringing artefact", "ringing artifact", "gibbs"),
    ),
    "richardson-lucy": B(
        ("over-restored edges", "restoration halos", "crunchy details", "brittle sharpened edges"),
        (
            "{sev} {what} appear as the picture is pushed too far",
            "{sev} {what} creep in around edges",
            "the scene takes on {sev} {what}",
            "{sev} {what} exaggerate every texture",
        ),
        (
            "the {what} are softened to natural detail",
            "the {what} are calmed",
            "the {what} are undone",
            "the {what} are tamed",
        ),
        ("textures look crunchy", "edges carry halos", "noise is exaggerated", "the picture looks brittle"),
        ("textures look natural", "edges are clean", "detail is plausible", "the picture looks calm"),
        terms=("richardson", "lucy", "deconvol"),
    ),
    "inpainting-lines": B(
        ("painted strokes", "scribbled lines", "thick lines", "stripes drawn over the scene"),
        (
            "{sev} {what} ({detail}) are drawn across the picture",
            "the scene is crossed by {sev} {what}",
            "{sev} {what} cover parts of the view",
            "{sev} {what} scar the picture",
        ),
        (
            "the {what} are removed and the hidden parts are filled in to match",
            "the {what} vanish without a trace",
            "the areas under the {what} are rebuilt from their surroundings",
            "the {what} are erased",
        ),
        (
            "parts of the scene are hidden under lines",
            "the picture looks scribbled on",
            "the view is crossed out",
            "strokes interrupt every shape",
        ),
        ("every shape is continuous", "nothing covers the scene", "the picture looks untouched", "the view is whole"),
        detail=_lines,
        terms=("inpaint",),
    ),
    "bayer-mosaic": B(
        ("colour-filter checkerboard", "raw sensor pattern", "red-green-blue grid", "mosaic of single channels"),
        (
            "each pixel keeps one colour only, leaving {what}",
            "the picture becomes a {what}",
            "colour is sampled sparsely in {what}",
            "the scene is reduced to {what}",
        ),
        (
            "the missing colours at every pixel are filled in",
            "the {what} is interpolated into full colour",
            "the {what} is resolved into smooth colour",
            "full colour is rebuilt from the {what}",
        ),
        (
            "the scene looks dark, green and checkered",
            "fine stripes of colour cover everything",
            "the picture looks like an unprocessed sensor dump",
            "colours are scattered in a grid",
        ),
        (
            "the colours are full and natural",
            "no checkerboard remains",
            "the picture looks developed",
            "every pixel carries its real colour",
        ),
        terms=("demosaic", "bayer"),
    ),
    "bicubic-x2": B(
        ("coarse detail", "low resolution", "soft, enlarged detail", "enlarged blur"),
        (
            "the picture is shrunk {detail} and blown back up, leaving {what}",
            "fine detail is lost to {what}",
            "the scene is rendered in {what}",
            "textures soften into {what}",
        ),
        (
            "the {what} is refined so small detail reappears",
            "fine structure is rebuilt from the {what}",
            "the {what} is sharpened into crisp detail",
            "small patterns return from the {what}",
        ),
        (
            "small text becomes unreadable",
            "textures look smooth and soft",
            "the picture looks enlarged",
            "edges lose their bite",
        ),
        ("small text is readable", "textures show their fine structure", "the picture looks native", "edges are crisp"),
        detail=_scale,
        terms=("super-resolution", "super resolution", "upscal", "bicubic"),
    ),
    "bicubic-x4": B(
        ("very coarse detail", "heavy resolution loss", "smeared, enlarged detail", "blown-up blur"),
        (
            "the picture is shrunk {detail} and enlarged again, leaving {what}",
            "detail is flattened into {what}",
            "the scene is reduced to {what}",
            "textures smear into {what}",
        ),
        (
            "the {what} is rebuilt into fine structure",
            "small detail is recreated from the {what}",
            "the {what} is resolved into crisp patterns",
            "edges and textures are restored from the {what}",
        ),
        (
            "faces and text become blurry shapes",
            "the picture looks heavily enlarged",
            "textures disappear",
            "edges are smeared",
        ),
        ("faces and text are detailed", "the picture looks native", "textures are rich", "edges are clean"),
        detail=_scale,
        terms=("super-resolution", "super resolution", "upscal", "bicubic"),
    ),
    "grayscale": B(
        ("colour", "hue", "tint", "chroma"),
        (
            "{what} drains away, leaving shades of grey",
            "the scene loses {what} entirely",
            "only brightness remains as {what} is removed",
            "{what} is stripped out",
        ),
        (
            "plausible {what} is painted back in",
            "{what} returns: skies blue, plants green, skin warm",
            "natural {what} is restored to every object",
            "{what} is brought back to the scene",
        ),
        (
            "the picture looks like an old black-and-white print",
            "objects differ only by brightness",
            "the mood turns neutral",
            "everything is grey",
        ),
        (
            "objects are recognisable by their colours",
            "the scene looks lively",
            "skin looks warm",
            "the picture is in full colour",
        ),
        terms=("coloriz", "colouriz", "grayscale", "greyscale"),
    ),
}
