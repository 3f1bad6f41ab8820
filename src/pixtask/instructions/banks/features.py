"""Phrase banks of the feature-map family (:mod:`pixtask.tasks.families.features`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank

BANKS: dict[str, Bank] = {
    "canny": B(
        ("thin white outlines", "one-pixel contour lines", "traced edge lines", "bare outlines"),
        (
            "everything but {what} on black is removed",
            "the scene is traced as {what} on black",
            "only {what} remain, white on a black ground",
            "the picture is reduced to {what}",
        ),
        (
            "a full photo is painted in around the {what}",
            "the {what} are filled with plausible colour and texture",
            "the {what} are turned back into a realistic scene",
            "surfaces and light are rebuilt between the {what}",
        ),
        (
            "the picture is a black sheet with white lines",
            "only shapes remain, no colour or shading",
            "the scene looks like a wireframe",
            "every object is an outline",
        ),
        (
            "the picture is a full-colour photo",
            "surfaces have texture and shading",
            "the scene looks real",
            "objects have colour and light",
        ),
        terms=("canny", "edge detect", "edge map"),
    ),
    "laplacian": B(
        ("glowing edges", "second-derivative edge rims", "bright rims on black", "edge responses"),
        (
            "the scene is turned into {what}, bright where tones change fast",
            "flat areas go black, leaving {what}",
            "only {what} remain",
            "the picture becomes {what} on a dark ground",
        ),
        (
            "a photo is rebuilt from the {what}",
            "the {what} are filled in with colour and shading",
            "the {what} become a realistic scene",
            "surfaces are restored around the {what}",
        ),
        (
            "the picture is dark with faint bright rims",
            "textures glow faintly",
            "shapes are hinted at",
            "only change is visible",
        ),
        ("the picture is a full photo", "textures are real", "shapes are solid", "the scene is lit"),
        terms=("laplacian", "edge map"),
    ),
    "sobel": B(
        ("gradient strength", "edge strength", "brightness change", "tonal steepness"),
        (
            "the picture is replaced by {what}: bright where tones change, black where flat",
            "every pixel shows {what} in grey",
            "{what} is drawn in grey on black",
            "only {what} is shown",
        ),
        (
            "a photo is recovered from the map of {what}",
            "colour and texture are restored behind the {what}",
            "the {what} map is turned into a real scene",
            "the scene is rebuilt from {what}",
        ),
        (
            "flat areas are black and outlines glow grey",
            "the scene looks embossed on black",
            "the picture shows only where tones change",
            "shapes appear as grey rims",
        ),
        (
            "the scene is a full-colour photo",
            "surfaces are visible",
            "the picture looks real",
            "shapes are solid and lit",
        ),
        terms=("sobel", "gradient magnitude", "edge map"),
    ),
    "dog": B(
        ("fine pen lines", "soft ink lines", "sketched lines of fine structure", "delicate lines"),
        (
            "the scene is drawn as {what} on black",
            "only {what} remain",
            "the picture is reduced to {what}",
            "{what} trace the structure of the scene",
        ),
        (
            "a photo is rebuilt from the {what}",
            "the {what} are filled with colour and light",
            "the {what} become a real scene",
            "the scene is restored around the {what}",
        ),
        (
            "the picture looks like a sketch",
            "only fine structure is visible",
            "the scene is mostly black",
            "lines hint at the shapes",
        ),
        ("the picture looks photographic", "surfaces are solid", "the scene is lit", "shapes are complete"),
        terms=("dog", "difference of gaussian"),
    ),
    "hough-lines": B(
        ("straight white segments", "ruler-straight lines", "line segments", "straight strokes"),
        (
            "only the {what} in the scene are kept, on black",
            "the scene is reduced to its {what}",
            "{what} along walls and edges are drawn on black",
            "everything but the {what} is dropped",
        ),
        (
            "a photo is rebuilt around the {what}",
            "the {what} become a real scene",
            "the {what} are filled in",
            "surfaces are painted between the {what}",
        ),
        (
            "only straight structures remain",
            "the picture looks like a blueprint",
            "curves disappear",
            "the scene is a few white lines",
        ),
        ("the picture is a full photo", "curves and surfaces are back", "the scene looks real", "objects are complete"),
        terms=("hough",),
    ),
    "hed": B(
        ("soft object boundaries", "boundary strokes", "outlines of objects", "soft contour lines"),
        (
            "the scene is reduced to {what}, white on black",
            "only {what} remain",
            "the picture becomes a drawing of {what}",
            "{what} are traced and everything else removed",
        ),
        (
            "a realistic photo is painted from the {what}",
            "the {what} are filled with colour and texture",
            "the {what} become a full scene",
            "light and material are added inside the {what}",
        ),
        (
            "the picture looks like a pencil tracing on black",
            "only object shapes remain",
            "the scene is a set of contours",
            "colour and shading are gone",
        ),
        (
            "the picture is a realistic photo",
            "objects have colour and material",
            "the scene is lit",
            "shading is present",
        ),
        terms=("hed", "holistically", "edge map"),
    ),
}
