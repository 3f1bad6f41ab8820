"""Phrase banks of the noise family (:mod:`pixtask.tasks.families.noise`)."""

from __future__ import annotations

from pixtask.instructions.banks._common import B, Bank

BANKS: dict[str, Bank] = {
    "gaussian-noise": B(
        ("grain", "speckled grain", "fine speckle", "fizz of tiny dots"),
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
        ("colour blotching", "coloured speckle", "chroma grain", "mottled colour speckle"),
        (
            "{sev} {what} of red and green spreads over the scene",
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
}
