"""Phrase banks of the tone family (:mod:`pixtask.tasks.families.tone`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank


def _tone(p: dict) -> str:
    kind = str(p.get("kind", ""))
    if kind.startswith("contrast-sigmoid"):
        return "following an S-shaped curve that pulls mid-tones towards grey"
    if "chroma" in kind or "saturation" in kind or "hsv" in kind:
        return "in the colour channels only, leaving brightness as it was"
    return "evenly across every tone"


BANKS: dict[str, Bank] = {
    "oversharpen": B(
        ("excess crispness", "harsh edge haloing", "crunchy contrast at edges", "bright outlining"),
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
            "the {what} is reined in",
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
            "the {what} is reversed",
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
        ("flatness", "loss of contrast", "dull, flat tone curve", "compressed tonal range"),
        (
            "{sev} {what} settles over the picture {detail}",
            "tones are squeezed together by {sev} {what}",
            "the scene takes on {sev} {what}",
            "{sev} {what} greys out the blacks and whites",
        ),
        (
            "the {what} is reversed so blacks and whites return",
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
        ("overblown colour", "loud colour", "boosted colour", "garish tint"),
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
        ("faded colour", "washed-out colouring", "muted colour", "drained colour"),
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
}
