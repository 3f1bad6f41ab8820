"""Phrase banks: what each operator does to a photo, said without naming it.

Every operator of the task registry has a :class:`Bank`: noun phrases for the change it makes
(``what``), clauses that describe it appearing (``appear``) and going away (``vanish``), and
what the photo looks like afterwards in each case (``after_appear``, ``after_vanish``). A task
reads its operator forwards or backwards, so one bank gives both directions of every task and
of its inverse. ``{sev}`` is filled with a severity word, ``{what}`` with a noun phrase and
``{detail}`` with a phrase read from the task's parameters (``detail``), such as the direction
of a motion blur or the colour of a cast.

The last entry of every list is reserved for the held-out split (instruction-level zero-shot):
training instructions never use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Detail = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Bank:
    what: tuple[str, ...]
    appear: tuple[str, ...]
    vanish: tuple[str, ...]
    after_appear: tuple[str, ...]
    after_vanish: tuple[str, ...]
    detail: Detail | None = None
    # words that name the task as a term; an instruction for it must not contain them
    terms: tuple[str, ...] = field(default_factory=tuple)


def _direction(angle: float) -> str:
    a = abs(float(angle)) % 180
    if a < 22.5 or a >= 157.5:
        return "from side to side"
    if 67.5 <= a < 112.5:
        return "up and down"
    return "along a diagonal"


def _motion(p: dict) -> str:
    return f"as if the camera slid {_direction(p.get('angle', 0))} while the shutter was open"


def _rain(p: dict) -> str:
    return f"the streaks slant {_direction(p.get('angle', 0) + 90)}"


def _snow(p: dict) -> str:
    return "the flakes drift as they fall" if p.get("density", 0) < 0.3 else "the flakes crowd the air"


def _cast(p: dict) -> str:
    temp, tint = float(p.get("temperature", 0)), float(p.get("tint", 0))
    hue = "warm orange" if temp > 0 else "cold blue"
    if abs(tint) > abs(temp):
        hue = "greenish" if tint > 0 else "magenta"
    return f"a {hue} tinge"


def _exposure(p: dict) -> str:
    return "the highlights burn to white" if float(p.get("ev", 0)) > 0 else "the shadows sink into black"


def _look(p: dict) -> str:
    return {
        "warm-film": "the warm, gently faded palette of an old film print",
        "teal-orange": "cinematic teal shadows against orange skin tones",
        "bleach-bypass": "a silvery, desaturated, hard-contrast palette",
        "matte-fade": "lifted, milky blacks and soft, flat colours",
    }.get(str(p.get("look", "")), "a graded film palette")


def _tone(p: dict) -> str:
    kind = str(p.get("kind", ""))
    if kind.startswith("contrast-sigmoid"):
        return "following an S-shaped curve that pulls mid-tones towards grey"
    if "chroma" in kind or "saturation" in kind or "hsv" in kind:
        return "in the colour channels only, leaving brightness as it was"
    return "evenly across every tone"


def _scale(p: dict) -> str:
    return "to a quarter of its width and height" if int(p.get("scale", 2)) >= 4 else "to half its width and height"


def _lines(p: dict) -> str:
    return "white strokes" if p.get("white", True) else "black strokes"


B = Bank
BANKS: dict[str, Bank] = {
    # --- noise ----------------------------------------------------------------------------------
    "gaussian-noise": B(
        ("grain", "speckled grain", "fine random speckle", "fizz of random dots"),
        (
            "{sev} {what} settles evenly over every surface",
            "each pixel is jostled by {sev} {what}",
            "a veil of {sev} {what} covers flat areas and edges alike",
            "{sev} {what} crawls over the smooth areas",
        ),
        (
            "the {what} melts away from every surface",
            "the {what} is smoothed out while edges stay crisp",
            "flat areas lose their {what} and become clean",
            "the random {what} dissolves, leaving calm surfaces",
        ),
        (
            "smooth skies and walls now look gritty",
            "fine texture is buried under the speckle",
            "the whole scene looks like a high-sensitivity snapshot",
            "the surfaces shimmer with tiny dots",
        ),
        (
            "skies and walls turn smooth and even",
            "the textures read clearly again",
            "the photo looks as if taken in bright, clean light",
            "surfaces are calm, with every edge kept",
        ),
        terms=("gaussian", "denois"),
    ),
    "gaussian-noise-ycrcb": B(
        ("colour blotches", "coloured speckle", "chroma grain", "mottled colour specks"),
        (
            "{sev} {what} of red and green spread over the scene",
            "{sev} {what} tints neighbouring pixels differently",
            "flat regions pick up {sev} {what}",
            "{sev} {what} dances across the smooth areas",
        ),
        (
            "the {what} fades so each surface returns to one colour",
            "the {what} is cleaned out of the flat regions",
            "the random colour of the {what} is evened out",
            "the {what} disappears from skies and walls",
        ),
        (
            "uniform surfaces look blotchy and multicoloured",
            "grey areas show red and green flecks",
            "the picture looks like a cheap night-time snapshot",
            "colours flicker from pixel to pixel",
        ),
        (
            "each surface holds a single steady colour",
            "greys are neutral again",
            "colours are calm and even",
            "the flecks are gone and the tones are clean",
        ),
        terms=("gaussian", "denois", "ycrcb"),
    ),
    "speckle-noise": B(
        ("multiplicative grain", "brightness-dependent speckle", "granular speckle", "bright-area grit"),
        (
            "{sev} {what} appears, strongest where the scene is bright",
            "bright regions break up into {sev} {what}",
            "{sev} {what} scales with the light in each area",
            "light surfaces fill with {sev} {what}",
        ),
        (
            "the {what} is lifted from the bright regions",
            "the {what} calms down where the light is strong",
            "light surfaces shed their {what}",
            "the {what} is removed while shadows keep their depth",
        ),
        (
            "highlights look sandy while shadows stay cleaner",
            "bright skies turn gritty",
            "the picture resembles a radar scan or ultrasound",
            "light areas crackle with grain",
        ),
        (
            "bright areas are smooth again",
            "highlights read as clean, even light",
            "skies regain a soft gradient",
            "light surfaces settle into clean tones",
        ),
        terms=("speckle noise", "denois"),
    ),
    "correlated-noise": B(
        ("blotchy grain", "clumped noise", "coarse mottling", "soft, clustered grain"),
        (
            "{sev} {what} forms small clumps over the picture",
            "the surfaces break into {sev} {what}",
            "{sev} {what} lies over the scene like a stain",
            "{sev} {what} builds up in soft clusters",
        ),
        (
            "the {what} is ironed out",
            "the clusters of {what} fade into even tone",
            "the {what} is washed away",
            "the {what} dissolves into smooth surfaces",
        ),
        (
            "the scene looks mottled, like an old scan",
            "flat areas show soft, clumpy patterns",
            "surfaces look dirty and uneven",
            "the picture gains a blotchy texture",
        ),
        (
            "flat areas turn smooth and even",
            "the surfaces look clean",
            "the tones read without blotches",
            "the mottling is gone and detail remains",
        ),
        terms=("correlated", "denois"),
    ),
    "poisson-noise": B(
        ("photon grain", "shot grain", "light-starved grain", "counting grain"),
        (
            "{sev} {what} appears, as from too few photons",
            "the picture fills with {sev} {what}",
            "{sev} {what} sparkles everywhere, strongest in the mid-tones",
            "{sev} {what} breaks the tones into dots",
        ),
        (
            "the {what} is cleaned out",
            "the tones are freed from the {what}",
            "the {what} is smoothed into even light",
            "the sparkling {what} quiets down",
        ),
        (
            "the scene looks like a dim-light exposure",
            "tones break up into random dots",
            "smooth gradients turn rough",
            "the picture fizzes with grain",
        ),
        (
            "gradients flow smoothly again",
            "the light looks clean and plentiful",
            "tones are even and quiet",
            "the grain is gone and edges are kept",
        ),
        terms=("poisson", "denois"),
    ),
    "impulse-noise": B(
        ("black and white pinpoints", "isolated black and white dots", "scattered dead pixels", "stray pinpricks"),
        (
            "{sev} {what} are sprinkled over the scene",
            "random pixels flip to pure black or white: {sev} {what}",
            "{sev} {what} pepper the picture",
            "{sev} {what} appear as if the sensor misfired",
        ),
        (
            "the {what} are picked out and replaced by their surroundings",
            "each of the {what} is filled in",
            "the {what} vanish without blurring anything else",
            "the {what} are erased one by one",
        ),
        (
            "the scene is dusted with pinpoints",
            "the picture looks like a damaged transmission",
            "black and white specks sit on every surface",
            "tiny dots break up the textures",
        ),
        (
            "every pixel fits its neighbours again",
            "the picture is free of specks",
            "the textures are whole",
            "no stray dots remain",
        ),
        terms=("impulse noise", "salt-and-pepper", "salt and pepper", "denois"),
    ),
    # --- blur -----------------------------------------------------------------------------------
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
            "the {what} is corrected so edges are crisp",
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
    # --- compression and quantisation -------------------------------------------------------------
    "jpeg": B(
        ("blocky artefacts", "eight-pixel blocks", "compression blocking", "ringing squares"),
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
        ("smooth smearing", "blurry ripples", "soft smudges", "washed-out fine detail"),
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
        ("chunky squares", "big square pixels", "coarse blocks", "low-resolution grid"),
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
        ("small palette", "limited colours", "handful of flat colours", "poster colours"),
        (
            "the colours are reduced to {sev} {what}",
            "every pixel snaps to {sev} {what}",
            "{sev} {what} replace the full range of hues",
            "the scene is painted with {sev} {what}",
        ),
        (
            "the {what} is widened back to every hue",
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
        ("coarse brightness steps", "banding", "stair-stepped tones", "few tone levels"),
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
    # --- weather and artefacts --------------------------------------------------------------------
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
    "snow": B(
        ("snowflakes", "falling snow", "white flakes", "flurry"),
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
        ("over-restored edges", "restoration halos", "crunchy detail", "brittle sharpening"),
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
    "oversharpen": B(
        ("excess crispness", "harsh edge halos", "crunchy contrast at edges", "bright outlines"),
        (
            "{sev} {what} outlines every edge",
            "edges are pushed hard, leaving {sev} {what}",
            "{sev} {what} makes textures gritty",
            "{sev} {what} appears around every contour",
        ),
        (
            "the {what} is toned down",
            "the {what} is softened into natural edges",
            "the {what} is removed",
            "the halos of {what} fade",
        ),
        (
            "edges glow with bright and dark rims",
            "textures look gritty",
            "the picture looks harsh",
            "hair and foliage look wiry",
        ),
        (
            "edges look natural",
            "textures are smooth where they should be",
            "the picture looks gentle",
            "hair and foliage look soft",
        ),
        terms=("oversharpen", "over-sharpen", "unsharp"),
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
            "the picture becomes {what}",
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
        ("colour", "the colours", "every hue", "the palette"),
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
    # --- tone and colour --------------------------------------------------------------------------
    "low-light": B(
        ("darkness", "dim light", "underexposure", "gloom"),
        (
            "{sev} {what} falls over the scene and grain creeps in",
            "the lights go down: {sev} {what}",
            "the whole scene sinks into {sev} {what}",
            "{sev} {what} hides most of the detail",
        ),
        (
            "the scene is lifted out of {what} and details appear",
            "the {what} is brightened into daylight tones",
            "shadows open up, the {what} is gone",
            "the {what} gives way to clear, even light",
        ),
        (
            "details vanish in the shadows",
            "the picture looks taken at night",
            "colours are muddy",
            "only bright spots stand out",
        ),
        ("details are visible everywhere", "the picture looks well lit", "colours are lively", "shadows hold detail"),
        terms=("low-light", "low light", "lowlight"),
    ),
    "exposure": B(
        ("wrong exposure", "exposure error", "light-level mistake", "mis-metered light"),
        (
            "{sev} {what} shifts the whole picture and {detail}",
            "{sev} {what} throws the tones off",
            "the scene suffers {sev} {what}",
            "{sev} {what} pushes the tones to one end",
        ),
        (
            "the {what} is corrected so mid-tones sit right",
            "the {what} is fixed and tones are balanced",
            "the light level is set right, undoing the {what}",
            "the {what} is compensated",
        ),
        (
            "the picture looks too bright or too dark",
            "tones are crushed at one end",
            "detail is lost",
            "the scene looks badly metered",
        ),
        (
            "tones are balanced",
            "highlights and shadows both hold detail",
            "the scene looks well metered",
            "brightness looks natural",
        ),
        detail=_exposure,
        terms=("exposure correction",),
    ),
    "vignette": B(
        ("dark corners", "shading of the corners", "falloff towards the edges", "shaded borders"),
        (
            "{sev} {what} darken the frame towards its borders",
            "light falls off into {sev} {what}",
            "the picture gains {sev} {what}",
            "{sev} {what} close in around the centre",
        ),
        (
            "the {what} are brightened to match the centre",
            "the {what} are evened out",
            "the borders are freed of the {what}",
            "the {what} are lifted",
        ),
        (
            "the eye is drawn to the centre",
            "corners look shadowy",
            "the picture looks like an old lens",
            "borders sink into darkness",
        ),
        (
            "the frame is evenly lit to its corners",
            "borders are as bright as the centre",
            "the lighting is uniform",
            "no shadowy corners remain",
        ),
        terms=("vignett",),
    ),
    "colour-cast": B(
        ("colour cast", "tinted light", "colour bias", "off-white tint"),
        (
            "{sev} {what} washes over the scene, {detail}",
            "whites pick up {sev} {what}, {detail}",
            "the light shifts: {sev} {what}, {detail}",
            "{sev} {what} colours every tone, {detail}",
        ),
        (
            "the {what} is neutralised so whites look white",
            "the {what} is removed and greys are neutral",
            "the {what} is balanced out",
            "colours are set right, with the {what} gone",
        ),
        (
            "whites look tinted",
            "skin tones look odd",
            "the picture looks lit by coloured lamps",
            "greys are not neutral",
        ),
        ("whites are clean", "skin tones look natural", "the light looks neutral", "greys are grey"),
        detail=_cast,
        terms=("white balance", "white-balance"),
    ),
    "local-laplacian": B(
        ("local detail contrast", "micro-contrast", "textural punch", "fine tonal detail"),
        (
            "{sev} {what} is boosted without halos",
            "every texture gains {sev} {what}",
            "{sev} {what} is amplified across the frame",
            "the picture is given {sev} {what}",
        ),
        (
            "the boosted {what} is relaxed to a natural level",
            "the {what} is toned back down",
            "the extra {what} is smoothed away",
            "the {what} is softened",
        ),
        (
            "textures look crisp and dramatic",
            "stone and bark look rugged",
            "the picture looks vivid",
            "details leap out",
        ),
        ("textures look natural", "the picture looks gentle", "details sit quietly", "surfaces look soft"),
        terms=("laplacian", "llf"),
    ),
    "tone-manipulation": B(
        ("multi-scale detail", "layered contrast", "boosted fine and medium detail", "tone-mapped detail"),
        (
            "{sev} {what} is brought out",
            "fine and medium structures get {sev} {what}",
            "the picture gains {sev} {what}",
            "{sev} {what} sharpens the tonal layers",
        ),
        (
            "the {what} is restored to its original strength",
            "the {what} is calmed",
            "the {what} is reduced",
            "the extra {what} is taken out",
        ),
        ("the picture looks hyper-real", "textures look etched", "clouds look dramatic", "details pop"),
        ("the picture looks natural", "textures look soft", "clouds look gentle", "details are subdued"),
        terms=("tone manipulation", "mtm", "wls"),
    ),
    "clahe": B(
        ("local contrast", "region-by-region contrast", "adaptive contrast", "neighbourhood contrast"),
        (
            "{sev} {what} is stretched in each small region",
            "every tile of the scene gets {sev} {what}",
            "{sev} {what} pulls detail out of shadows and highlights",
            "the picture is given {sev} {what}",
        ),
        (
            "the stretched {what} is relaxed",
            "the {what} is flattened back",
            "the {what} is undone",
            "the {what} settles to its original level",
        ),
        (
            "shadows and highlights both show detail",
            "textures look gritty",
            "the sky looks dramatic",
            "flat areas show structure",
        ),
        ("the tones look natural", "shadows are deep again", "the sky looks soft", "flat areas are calm"),
        terms=("clahe", "histogram equali"),
    ),
    "histogram-equalization": B(
        ("the tonal range", "the brightness spread", "the tone distribution", "the tones"),
        (
            "{what} is stretched so every brightness is equally used",
            "{what} is spread to fill black to white",
            "{what} is redistributed evenly",
            "{what} is flattened across the full range",
        ),
        (
            "{what} is gathered back to its natural spread",
            "{what} is compressed back",
            "{what} is restored",
            "{what} is returned to its original balance",
        ),
        (
            "the picture looks harsh and high-contrast",
            "noise in flat areas becomes visible",
            "the scene looks stark",
            "mid-tones are pulled apart",
        ),
        ("the picture looks natural", "flat areas are calm", "the scene looks soft", "mid-tones sit together"),
        terms=("histogram equali", "equaliz"),
    ),
    "detail-enhance": B(
        ("surface detail", "edge detail", "crisp texture", "fine structure"),
        (
            "{sev} {what} is exaggerated while flat areas are smoothed",
            "{what} is made to stand out",
            "the picture gains {sev} {what}",
            "{what} is heightened everywhere",
        ),
        (
            "the exaggerated {what} is relaxed",
            "{what} is brought back to normal",
            "the {what} is softened",
            "the boost to {what} is removed",
        ),
        (
            "the picture looks like an illustration",
            "textures look painted",
            "edges look inked",
            "the scene looks stylised",
        ),
        ("the picture looks photographic", "textures look real", "edges look natural", "the scene looks plain"),
        terms=("detail enhancement", "detail-enhance"),
    ),
    "brighten": B(
        ("extra brightness", "lift in brightness", "too much light", "bright wash"),
        (
            "{sev} {what} raises every tone {detail}",
            "the scene is flooded with {sev} {what}",
            "{sev} {what} pales the picture {detail}",
            "{sev} {what} lightens everything",
        ),
        (
            "the {what} is taken back so tones sit where they belong",
            "the {what} is toned down",
            "the {what} is removed and shadows regain depth",
            "the {what} is corrected",
        ),
        ("the picture looks washed out", "shadows turn grey", "colours look pale", "highlights clip"),
        ("shadows are deep", "colours are rich", "the picture looks balanced", "highlights hold detail"),
        detail=_tone,
        terms=("brighten",),
    ),
    "darken": B(
        ("loss of brightness", "dimness", "dark wash", "heavy shade"),
        (
            "{sev} {what} pulls every tone down {detail}",
            "the scene falls into {sev} {what}",
            "{sev} {what} dulls the picture {detail}",
            "{sev} {what} pulls everything into shade",
        ),
        (
            "the {what} is lifted so the tones are bright again",
            "the {what} is corrected",
            "the {what} is removed and colours shine",
            "the {what} is brightened away",
        ),
        ("the picture looks murky", "detail disappears in shadow", "colours look dull", "the mood turns dark"),
        ("the picture looks bright and clear", "detail is visible", "colours shine", "the mood is light"),
        detail=_tone,
        terms=("darken",),
    ),
    "contrast-strengthen": B(
        ("extra contrast", "harsh contrast", "punchy tone curve", "stretched contrast"),
        (
            "{sev} {what} is applied {detail}",
            "tones are pushed apart with {sev} {what}",
            "the scene gets {sev} {what}",
            "{sev} {what} deepens shadows and brightens highlights",
        ),
        (
            "the {what} is relaxed {detail}",
            "the {what} is undone so tones sit closer together",
            "the {what} is softened",
            "the {what} is pulled back",
        ),
        (
            "shadows go black and highlights go white",
            "the picture looks harsh",
            "mid-tones are thin",
            "the scene looks dramatic",
        ),
        (
            "shadows and highlights keep their detail",
            "the picture looks gentle",
            "mid-tones are full",
            "the scene looks natural",
        ),
        detail=_tone,
        terms=("contrast strength", "contrast-strength"),
    ),
    "contrast-weaken": B(
        ("flatness", "loss of contrast", "dull, flat tone curve", "compressed tones"),
        (
            "{sev} {what} settles over the picture {detail}",
            "tones are squeezed together by {sev} {what}",
            "the scene takes on {sev} {what}",
            "{sev} {what} greys out the blacks and whites",
        ),
        (
            "the {what} is corrected so blacks and whites return",
            "the {what} is lifted {detail}",
            "the {what} is stretched away",
            "the {what} is removed",
        ),
        ("the picture looks foggy and flat", "blacks look grey", "the scene looks lifeless", "whites look dull"),
        ("the picture has depth", "blacks are black", "the scene looks lively", "whites are bright"),
        detail=_tone,
        terms=("contrast weaken", "contrast-weaken"),
    ),
    "saturate-strengthen": B(
        ("overblown colour", "loud colour", "boosted colour", "garish hues"),
        (
            "{sev} {what} floods the picture {detail}",
            "every hue is pushed into {sev} {what}",
            "{sev} {what} makes colours glow",
            "the scene is given {sev} {what}",
        ),
        (
            "the {what} is calmed to natural hues",
            "the {what} is toned down",
            "the {what} is pulled back",
            "the {what} is removed",
        ),
        ("colours look neon", "skin looks orange", "foliage looks fake", "the picture looks garish"),
        ("colours look natural", "skin looks real", "foliage looks real", "the picture looks balanced"),
        detail=_tone,
        terms=("saturation", "saturate"),
    ),
    "saturate-weaken": B(
        ("faded colour", "washed-out hues", "muted colour", "drained colour"),
        (
            "{sev} {what} comes over the picture {detail}",
            "every hue fades into {sev} {what}",
            "{sev} {what} greys the colours",
            "the scene is left with {sev} {what}",
        ),
        (
            "the {what} is brought back to full strength",
            "the {what} regains its vividness",
            "the {what} is restored",
            "the {what} is enriched",
        ),
        ("the picture looks faded", "colours look tired", "the scene looks grey", "skin looks pale"),
        ("colours are vivid", "the scene looks fresh", "skin looks healthy", "the picture looks lively"),
        detail=_tone,
        terms=("saturation", "saturate", "desaturat"),
    ),
    # --- features -------------------------------------------------------------------------------
    "canny": B(
        ("thin white outlines", "one-pixel contour lines", "line drawing of the edges", "bare outlines"),
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
        ("glowing edges", "second-derivative edge glow", "bright rims on black", "edge response"),
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
        ("gradient strength", "edge strength", "brightness change", "the steepness of tones"),
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
        ("fine line work", "soft ink lines", "sketch of fine structure", "delicate lines"),
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
    # --- stylization ----------------------------------------------------------------------------
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
        ("flat colour regions", "smoothed texture", "painterly flattening", "texture-free patches"),
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
        ("graphite strokes", "grey hatching", "grey graphite sketch", "hatched lines"),
        (
            "the scene is redrawn in {what} on white paper",
            "{what} replace colour and tone",
            "the picture becomes {what}",
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
        ("coloured graphite strokes", "crayon hatching", "coloured sketch", "tinted hatched lines"),
        (
            "the scene is redrawn in {what}",
            "{what} replace smooth tone",
            "the picture becomes {what}",
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
        ("washes of paint", "soft pools of wet paint", "bleeding paint", "wet washes"),
        (
            "the scene is repainted in {what}",
            "colours soften into {what}",
            "the picture becomes {what}",
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
        ("bold outlines and flat colour", "comic-book shading", "cel shading", "inked outlines"),
        (
            "the scene is redrawn with {what}",
            "colours flatten into bands with {what}",
            "the picture becomes {what}",
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
        ("irregular flat cells", "mosaic of patches", "stained-glass cells", "compact colour cells"),
        (
            "the scene is rebuilt from {what}, each one colour",
            "detail is merged into {what}",
            "the picture becomes {what}",
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
