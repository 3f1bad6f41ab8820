"""Requests in the result's words: what a person asks for, not what goes away.

A bank's clauses name the problem ("the dark wash is reversed"); people name the result they
want ("make it brighter"). A sentence encoder matches the shared word, so an instruction built
only of problem clauses sits nearer the opposite task's than the request a person writes. An
*ask* leads an instruction with the direction of the change in plain words (``vanish``: the
request when the operator's effect goes away; ``appear``: when it is applied), and the bank's
clauses follow as the explanation.

Only the operators of the trained restoration and enhancement tasks have asks; the others are
told by their clauses alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ask:
    vanish: tuple[str, ...]
    appear: tuple[str, ...]


ASKS: dict[str, Ask] = {
    "gaussian-noise": Ask(
        (
            "smooth the picture clean",
            "clear the fine grain away",
            "give the photo clean, quiet surfaces",
            "let smooth areas look smooth",
            "take the fizz of grain out",
        ),
        (
            "make the picture grainy",
            "sprinkle fine grain everywhere",
            "lend every surface a gritty high-ISO look",
            "roughen every surface with grain",
            "add a fizz of grain",
        ),
    ),
    "poisson-noise": Ask(
        (
            "quiet the grain in the shadows",
            "make the dark areas clean",
            "clear the dim-light speckle",
            "let the shadows look smooth again",
            "calm the mottled dots",
        ),
        (
            "fill the shadows with grain",
            "make the dark areas speckled",
            "give it a dim-light, grainy look",
            "mottle the darker tones",
            "scatter dots through the shadows",
        ),
    ),
    "impulse-noise": Ask(
        (
            "clean away the stray specks",
            "replace the lone white and black dots",
            "make the speckled pixels vanish",
            "tidy up the pinpoint dots",
            "fill every dead dot with its surroundings",
        ),
        (
            "scatter stray white and black dots",
            "spoil lone pixels at random",
            "fleck the picture with pinpoint dots",
            "turn random pixels black or white",
            "pepper it with specks",
        ),
    ),
    "gaussian-blur": Ask(
        (
            "make the picture crisp",
            "bring it into focus",
            "give the edges a crisp line",
            "let fine detail read clearly",
            "put the focus back",
        ),
        (
            "make the picture soft",
            "throw it out of focus",
            "smear the fine detail evenly",
            "soften every edge",
            "make it look unfocused",
        ),
    ),
    "motion-blur": Ask(
        (
            "steady the shaken picture",
            "make the smeared edges crisp",
            "take the shake out",
            "freeze the movement into sharp detail",
            "undo the streaking",
        ),
        (
            "make it look shaken",
            "streak the picture as if the camera moved",
            "smear it along one direction",
            "add the drag of a moving camera",
            "give it a shaky, streaky look",
        ),
    ),
    "jpeg": Ask(
        (
            "smooth out the blocky squares",
            "clean the compression blotches",
            "make the picture look full quality",
            "take away the square patches and edge ripples",
            "let the gradients flow smoothly",
        ),
        (
            "make the picture blocky",
            "crush it with heavy compression",
            "squeeze the file down to poor quality",
            "break the gradients into squares",
            "give it a cheap, blocky look",
        ),
    ),
    "rain": Ask(
        (
            "clear the rain away",
            "make the scene dry and clear",
            "take out the falling streaks",
            "show the scene without any rain",
            "wipe away the downpour",
        ),
        (
            "make it rain",
            "add falling rain streaks",
            "put a downpour over the scene",
            "streak rain across the picture",
            "turn the weather rainy",
        ),
    ),
    "snow": Ask(
        (
            "clear the snowflakes away",
            "show the scene without the flurry",
            "take out the falling snow",
            "make the air free of flakes",
            "wipe away the snowfall",
        ),
        (
            "make it snow",
            "add falling snowflakes",
            "put a snow flurry over the scene",
            "scatter white flakes across the picture",
            "turn the weather snowy",
        ),
    ),
    "haze": Ask(
        (
            "clear the haze away",
            "make the far distance clear",
            "lift the fog off the scene",
            "bring back clear air and deep colours",
            "see clearly through the mist",
        ),
        (
            "make it hazy",
            "fill the air with fog",
            "veil the distance in mist",
            "wash the scene with a grey haze",
            "turn the weather foggy",
        ),
    ),
    "inpainting-lines": Ask(
        (
            "erase the drawn lines",
            "fill in what the strokes hide",
            "mend the lines across the picture",
            "make the marks disappear",
            "continue the scene through the strokes",
        ),
        (
            "draw lines across the picture",
            "scrawl strokes over the photo",
            "cover parts of it with thin lines",
            "mark the photo with pen strokes",
            "criss-cross it with lines",
        ),
    ),
    "bicubic-x2": Ask(
        (
            "give it full-resolution detail",
            "make the enlarged picture crisp",
            "restore the fine texture",
            "give it double the resolution",
            "add back the lost fine detail",
        ),
        (
            "make it look low-resolution",
            "shrink it and enlarge it back",
            "drop the fine detail of a small copy",
            "give it an enlarged-thumbnail softness",
            "halve its resolution",
        ),
    ),
    "bayer-mosaic": Ask(
        (
            "turn the colour grid into a normal photo",
            "give every pixel its full colour",
            "blend the coloured dots into real colour",
            "make it a natural colour picture",
            "fill in the missing colours",
        ),
        (
            "split the colours into a mosaic of primaries",
            "keep one colour per pixel",
            "leave it as an unprocessed sensor grid",
            "reduce it to a colour checker grid",
            "drop two colours at every pixel",
        ),
    ),
    "low-light": Ask(
        (
            "light up the dark scene",
            "make the dim picture bright and visible",
            "turn the light up a lot",
            "let everything in the dark show clearly",
            "make it look shot in good light",
        ),
        (
            "plunge the scene into darkness",
            "make the picture very dark",
            "turn the light almost off",
            "make it look shot at night",
            "let the scene sink into dim light",
        ),
    ),
    "brighten": Ask(
        (
            "make the picture darker",
            "lower the brightness",
            "bring the light down",
            "make the tones deeper",
            "dim the whole picture a little",
        ),
        (
            "make the picture lighter",
            "raise the brightness",
            "lift all the tones",
            "make it paler and lighter",
            "let more light in",
        ),
    ),
    "darken": Ask(
        (
            "make the picture lighter",
            "raise the brightness",
            "lift all the tones",
            "bring more light into the picture",
            "let more light in",
        ),
        (
            "make the picture darker",
            "lower the brightness",
            "bring the light down",
            "make the tones deeper and dimmer",
            "dim the whole picture",
        ),
    ),
    "colour-cast": Ask(
        (
            "neutralise the colours",
            "make whites look white",
            "take the tint out",
            "give it natural, neutral colour",
            "balance the colours",
        ),
        (
            "tint the whole picture",
            "give it a coloured cast",
            "wash it in one colour",
            "light the scene with a coloured lamp",
            "shift all the colours one way",
        ),
    ),
    "exposure": Ask(
        (
            "set the light level right",
            "give it proper lighting",
            "bring the brightness back to normal",
            "fix how light or dark it is",
            "give it a normal amount of light",
        ),
        (
            "get the light level wrong",
            "make it far too light or too dark",
            "throw the brightness off",
            "meter the light badly",
            "push the light level away from normal",
        ),
    ),
    "clahe": Ask(
        (
            "flatten the texture in each region",
            "make the picture flatter",
            "soften the local punch",
            "let the details sink back",
            "calm the contrast area by area",
        ),
        (
            "make the details pop",
            "boost the contrast in every region",
            "bring out the texture everywhere",
            "add punch area by area",
            "make every part crisp and contrasty",
        ),
    ),
    "contrast-strengthen": Ask(
        (
            "lower the contrast",
            "make the tones gentler",
            "bring darks and brights closer",
            "soften the harsh contrast",
            "ease the harshness",
        ),
        (
            "raise the contrast",
            "make the tones harsher",
            "push darks and brights apart",
            "make it contrasty",
            "make it look punchy and hard",
        ),
    ),
    "saturate-weaken": Ask(
        (
            "make the colours vivid",
            "put the colour back",
            "enrich the faded hues",
            "make it colourful again",
            "give the colours full strength",
        ),
        (
            "fade the colours",
            "make the colours dull",
            "drain the colour out",
            "mute every hue",
            "make it look washed of colour",
        ),
    ),
}
