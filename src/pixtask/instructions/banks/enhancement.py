"""Phrase banks of the enhancement family (:mod:`pixtask.tasks.families.enhancement`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank


def _cast(p: dict) -> str:
    temp, tint = float(p.get("temperature", 0)), float(p.get("tint", 0))
    hue = "warm orange" if temp > 0 else "cold blue"
    if abs(tint) > abs(temp):
        hue = "greenish" if tint > 0 else "magenta"
    return f"a {hue} tinge"


def _exposure(p: dict) -> str:
    return "the highlights burn to white" if float(p.get("ev", 0)) > 0 else "the shadows sink into black"


BANKS: dict[str, Bank] = {
    "low-light": B(
        ("darkness", "dim light", "murk", "gloom"),
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
        terms=("low-light", "low light", "lowlight", "underexpos", "under-expos"),
    ),
    "exposure": B(
        ("wrong light level", "metering error", "light-level mistake", "mis-metered light"),
        (
            "{sev} {what} shifts the whole picture and {detail}",
            "{sev} {what} throws the tones off",
            "the scene suffers {sev} {what}",
            "{sev} {what} pushes the tones to one end",
        ),
        (
            "the {what} is evened out so mid-tones sit right",
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
        terms=("exposure", "overexpos", "underexpos", "over-expos", "under-expos"),
    ),
    "vignette": B(
        ("dark corners", "shaded corners", "darkened edges", "shaded borders"),
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
        ("stain of colour", "tinted light", "colour bias", "off-white tint"),
        (
            "{sev} {what} washes over the scene, {detail}",
            "whites pick up {sev} {what}, {detail}",
            "the light shifts: {sev} {what}, {detail}",
            "{sev} {what} colours every tone, {detail}",
        ),
        (
            "the {what} is neutralised so whites look white",
            "the {what} is removed and greys are neutral",
            "the {what} is lifted from every tone",
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
        terms=(
            "white balanc",
            "white-balanc",
            "colour balanc",
            "color balanc",
            "colour cast",
            "color cast",
            "balanced out",
        ),
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
        ("the tonal range", "the brightness spread", "the tone distribution", "the tonal balance"),
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
}
