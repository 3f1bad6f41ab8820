"""Phrase banks of the compression family (:mod:`pixtask.tasks.families.compression`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank

BANKS: dict[str, Bank] = {
    "jpeg": B(
        ("blocky artefacts", "eight-pixel blocks", "compression blocks", "ringing squares"),
        (
            "{sev} {what} appear, with halos around edges",
            "the picture is saved cheaply, leaving {sev} {what}",
            "{sev} {what} break smooth areas into tiles",
            "{sev} {what} and colour smearing creep in",
        ),
        (
            "the {what} are smoothed away",
            "the tiled edges of the {what} are blended",
            "the {what} are cleaned up",
            "the halos and {what} disappear",
        ),
        (
            "skies show visible squares",
            "edges are fringed with ripples",
            "colours bleed in blocks",
            "fine texture turns mushy and tiled",
        ),
        (
            "gradients are smooth and untiled",
            "edges are clean without halos",
            "colours stay inside their shapes",
            "textures look natural",
        ),
        terms=("jpeg", "dejpeg", "compression artefact"),
    ),
    "jpeg2000": B(
        ("smooth smearing", "blurry rippling", "soft smudging", "washed-out fine detail"),
        (
            "{sev} {what} wipes out fine texture",
            "{sev} {what} leaves ripples along edges",
            "textures dissolve into {sev} {what}",
            "{sev} {what} creeps over the details",
        ),
        (
            "the {what} is cleaned and textures come back",
            "the ripples of the {what} are removed",
            "the {what} is undone",
            "fine detail is restored from under the {what}",
        ),
        ("textures look waxy", "edges ripple faintly", "fine detail is smeared away", "surfaces look plastic"),
        ("textures look natural", "edges are clean", "fine detail is present", "surfaces have their grain"),
        terms=("jpeg", "2000"),
    ),
    "pixelate": B(
        ("chunky squares", "big square pixels", "coarse blocks", "low-resolution grid cells"),
        (
            "the scene is rebuilt from {sev} {what}",
            "detail collapses into {sev} {what}",
            "{sev} {what} replace the fine detail",
            "{sev} {what} cover the picture",
        ),
        (
            "the {what} are refined into smooth detail",
            "the {what} dissolve into continuous shapes",
            "the {what} are replaced by fine structure",
            "the grid of {what} is smoothed out",
        ),
        (
            "the picture looks like an old video game",
            "outlines become staircases",
            "faces turn into blocks",
            "the scene is reduced to a grid",
        ),
        ("outlines are smooth curves", "shapes are continuous", "fine detail is restored", "the grid is gone"),
        terms=("pixelat",),
    ),
    "quantize-otsu": B(
        ("flat tone bands", "few hard-edged grey levels", "posterised steps", "stepped tones"),
        (
            "the tones collapse into {sev} {what}",
            "smooth shading is cut into {sev} {what}",
            "{sev} {what} replace the gradients",
            "the picture is flattened into {sev} {what}",
        ),
        (
            "the {what} blend back into smooth shading",
            "the {what} are smoothed into gradients",
            "the hard steps of the {what} melt away",
            "the {what} regain their in-between tones",
        ),
        (
            "gradients show hard contours",
            "the scene looks like a screen print",
            "skies are cut into bands",
            "shading turns into flat patches",
        ),
        ("gradients are smooth", "shading is continuous", "skies fade evenly", "tones flow without steps"),
        terms=("quantiz", "otsu"),
    ),
    "quantize-median-cut": B(
        ("few palette colours", "limited colours", "flat colours", "poster colours"),
        (
            "the colours are reduced to {sev} {what}",
            "every pixel snaps to {sev} {what}",
            "{sev} {what} replace the full range of hues",
            "the scene is painted with {sev} {what}",
        ),
        (
            "the {what} widen back to every hue",
            "the {what} give way to subtle colour",
            "colour gradients return in place of the {what}",
            "the {what} are blended into natural tones",
        ),
        (
            "colours look flat and graphic",
            "skin and sky show hard colour edges",
            "the picture looks like a GIF",
            "gradients turn into patches",
        ),
        (
            "colours are rich and graded",
            "skin and sky blend smoothly",
            "the hues look natural",
            "every gradient is continuous",
        ),
        terms=("quantiz", "median cut", "palette reduction"),
    ),
    "quantize-uniform": B(
        ("coarse brightness steps", "bands", "stair-stepped tones", "few tone levels"),
        (
            "{sev} {what} cut through the gradients",
            "the tones are rounded to {sev} {what}",
            "{sev} {what} appear in every smooth area",
            "the shading breaks into {sev} {what}",
        ),
        (
            "the {what} are blended out",
            "the {what} give way to smooth shading",
            "the {what} disappear",
            "the {what} are filled in with intermediate tones",
        ),
        ("skies show bands", "shadows turn into steps", "the picture looks posterised", "gradients are banded"),
        ("skies fade smoothly", "shadows are soft", "shading is smooth", "no bands remain"),
        terms=("quantiz", "histogram"),
    ),
}
