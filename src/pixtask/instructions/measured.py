"""Words about one pair, from what was measured to change in it.

The Explanatory Instructions paper has a VLM look at each (input, target) pair and write what
changed. Offline, we measure it: brightness, tonal spread, colour strength, the direction of a
colour shift, structure along edges, grain (the finest band, where it changes evenly), and where the change happens
(shadows or highlights, top or bottom, edges or flat areas). The largest changes are told in
the same explanatory sentence structures as the templates, so a training sample can be told
by words about *its own* pair rather than by a paraphrase of its task's label.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pixtask.instructions.engine import PARAGRAPH, STEPS, _part, _render

# how large a change must be before it is worth a word, and when it is "strong"
NOTICE = {"brightness": 0.03, "spread": 0.12, "colour": 0.025, "shift": 0.15, "detail": 0.2, "grain": 0.25}
STRONG = 3.0  # multiples of the notice threshold
GRAIN_EVENNESS = 0.6  # a finest-band change this even between flat areas and edges is grain


@dataclass(frozen=True)
class PairChange:
    """What changes from input to target (differences, or log ratios for the multiplicative ones)."""

    brightness: float  # mean luma, target minus input (0-1 scale)
    spread: float  # log ratio of the luma standard deviation (tonal spread)
    colour: float  # mean saturation, target minus input
    # the change of the colour's common lean: mean CIELAB (a*, b*) over mean chroma, target minus
    # input (brightening a warm photo makes its colours stronger, not warmer: that is no shift)
    shift: tuple[float, float]
    detail: float  # log ratio of edge structure (the 1-2 pixel band where it is strongest)
    fine: float  # log ratio of the finest band's typical level (grain, or the finest texture)
    # how evenly the finest band's change is spread: flat areas against edges (grain: about
    # 1, it falls everywhere; sharpening or softening: well below, it follows the edges)
    evenness: float
    # where the change concentrates, and how much more densely than in the other place:
    tones: tuple[str, float]  # "shadows" or "highlights" ("" nowhere in particular)
    height: tuple[str, float]  # "upper part" or "lower part"
    structure: tuple[str, float]  # "edges" or "flat areas"


def _luma(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(img, dtype=np.float32), cv2.COLOR_RGB2GRAY)


def _band(luma: np.ndarray, fine: float, coarse: float) -> np.ndarray:
    """|G(fine) - G(coarse)|: the structure between two Gaussian scales (0: the image itself).
    The finest band is where grain lives; edges carry most of the band around 1-2 pixels."""
    a = luma if fine == 0 else cv2.GaussianBlur(luma, (0, 0), fine)
    return np.abs(a - cv2.GaussianBlur(luma, (0, 0), coarse))


def _log_ratio(after: float, before: float, floor: float) -> float:
    return float(np.log((after + floor) / (before + floor)))


def _share(mask: np.ndarray, weight: np.ndarray) -> float:
    """The share of the change's weight that falls on ``mask``, relative to the mask's area."""
    total, area = float(weight.sum()), float(mask.mean())
    if total <= 0 or area in (0.0, 1.0):
        return 1.0
    return float(weight[mask].sum()) / total / area


def measure_change(source: np.ndarray, target: np.ndarray) -> PairChange:
    """Measure what changes between two RGB images in [0, 1] of the same size."""
    if source.shape != target.shape or source.ndim != 3 or source.shape[2] != 3:
        raise ValueError(f"a pair is two RGB images of one size, got {source.shape} and {target.shape}")
    ls, lt = _luma(source), _luma(target)
    hsv_s = cv2.cvtColor(np.ascontiguousarray(source, dtype=np.float32), cv2.COLOR_RGB2HSV)[..., 1]
    hsv_t = cv2.cvtColor(np.ascontiguousarray(target, dtype=np.float32), cv2.COLOR_RGB2HSV)[..., 1]
    lab_s = cv2.cvtColor(np.ascontiguousarray(source, dtype=np.float32), cv2.COLOR_RGB2LAB)
    lab_t = cv2.cvtColor(np.ascontiguousarray(target, dtype=np.float32), cv2.COLOR_RGB2LAB)
    # edges: where either image has its strongest structure; flat: the calm half of the source
    band_s, band_t = _band(ls, 1.0, 2.0), _band(lt, 1.0, 2.0)
    structure = np.maximum(band_s, band_t)
    edges = structure >= np.quantile(structure, 0.9)
    flat = structure <= np.median(structure)
    fine_s, fine_t = _band(ls, 0.0, 0.8), _band(lt, 0.0, 0.8)
    fine_change = np.abs((lt - cv2.GaussianBlur(lt, (0, 0), 0.8)) - (ls - cv2.GaussianBlur(ls, (0, 0), 0.8)))
    weight = np.abs(target - source).mean(2)
    return PairChange(
        brightness=float(lt.mean() - ls.mean()),
        spread=_log_ratio(float(lt.std()), float(ls.std()), 0.01),
        colour=float(hsv_t.mean() - hsv_s.mean()),
        shift=tuple(float(v) for v in _lean(lab_t) - _lean(lab_s)),
        detail=_log_ratio(float(band_t[edges].mean()), float(band_s[edges].mean()), 0.005),
        fine=_log_ratio(float(np.median(fine_t)), float(np.median(fine_s)), 0.002),
        evenness=float(fine_change[flat].mean() / max(float(fine_change[edges].mean()), 1e-6)),
        tones=_where(weight, ls < np.quantile(ls, 0.33), ls > np.quantile(ls, 0.67), "shadows", "highlights"),
        height=_where(weight, *_halves(ls.shape[0], ls.shape[1]), "upper part", "lower part"),
        structure=_where(weight, edges, flat, "edges", "flat areas"),
    )


def _lean(lab: np.ndarray) -> np.ndarray:
    """The mean (a*, b*) over the mean chroma: 0 for balanced colours, near 1 for a uniform cast."""
    ab = lab[..., 1:].reshape(-1, 2)
    return ab.mean(0) / (np.linalg.norm(ab, axis=1).mean() + 5.0)


def _halves(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    top = np.zeros((h, w), dtype=bool)
    top[: h // 2] = True
    return top, ~top


def _where(weight: np.ndarray, a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> tuple[str, float]:
    """``name_a`` or ``name_b`` when the change clearly concentrates there (twice as densely as
    in the other), with how much more densely; ("", 1.0) otherwise."""
    share_a, share_b = _share(a, weight), _share(b, weight)
    ratio = max(share_a, share_b) / max(min(share_a, share_b), 1e-9)
    if ratio < 2:
        return "", 1.0
    return (name_a if share_a > share_b else name_b), float(ratio)


def _degree(value: float, notice: float) -> str:
    return "strongly" if abs(value) >= STRONG * notice else "noticeably"


def _hue(a: float, b: float) -> str:
    """The colour a CIELAB (a*, b*) shift leans towards."""
    if abs(b) >= abs(a):
        return "warm yellow" if b > 0 else "cool blue"
    return "magenta" if a > 0 else "green"


def _clauses(change: PairChange) -> list[tuple[float, str, str]]:
    """(size in notice units, what changes, what it looks like after) for each noticed change."""
    out = []
    b, n = change.brightness, NOTICE["brightness"]
    if abs(b) >= n:
        word = "brighter" if b > 0 else "darker"
        out.append((abs(b) / n, f"the picture grows {_degree(b, n)} {word}", f"the scene looks {word}"))
    s, n = change.spread, NOTICE["spread"]
    if abs(s) >= n:
        if s > 0:
            out.append((abs(s) / n, "dark and light tones move further apart", "the tones look punchier"))
        else:
            out.append((abs(s) / n, "dark and light tones draw closer together", "the tones look gentler"))
    c, n = change.colour, NOTICE["colour"]
    if abs(c) >= n:
        if c > 0:
            out.append((abs(c) / n, f"the colours grow {_degree(c, n)} richer", "the colours look vivid"))
        else:
            out.append((abs(c) / n, f"the colours fade {_degree(c, n)} towards grey", "the colours look muted"))
    size = float(np.hypot(*change.shift)) / NOTICE["shift"]
    if size >= 1:
        hue = _hue(*change.shift)
        out.append((size, f"the whole palette leans towards {hue}", f"the light has a {hue} feel"))
    f, n = change.fine, NOTICE["grain"]
    d, nd = change.detail, NOTICE["detail"]
    if abs(f) >= n and change.evenness >= GRAIN_EVENNESS:  # grain: it changes everywhere alike
        if f < 0:
            out.append((abs(f) / n, "the grainy speckle settles into smooth surfaces", "flat areas look clean"))
        else:
            out.append((abs(f) / n, "a grainy speckle spreads over the surfaces", "flat areas look rough"))
    elif abs(f) / n > abs(d) / nd:  # the finest texture, following the edges
        d, nd = f, n
    if abs(d) >= nd:
        if d > 0:
            out.append((abs(d) / nd, "edges and fine texture become crisper", "outlines look crisp"))
        else:
            out.append((abs(d) / nd, "edges and fine texture soften", "outlines look soft"))
    return sorted(out, key=lambda c: -c[0])


def _location(change: PairChange) -> str:
    """Where the change is densest, if anywhere in particular."""
    name, _ratio = max((change.tones, change.height, change.structure), key=lambda w: w[1])
    if not name:
        return ""
    return f", most of all {'along' if name == 'edges' else 'in'} {'' if name == 'flat areas' else 'the '}{name}"


def measured_instruction(change: PairChange, rng: np.random.Generator, max_changes: int = 2) -> str:
    """An explanatory instruction of ``change`` (its largest ``max_changes`` changes), in the
    templates' training-split sentence structures."""
    clauses = _clauses(change)[:max_changes]
    if not clauses:
        what, after = "the picture changes only subtly", "it looks much as before"
    else:
        what = " and ".join(c[1] for c in clauses) + _location(change)
        after = " and ".join(c[2] for c in clauses)
    structures = _part(PARAGRAPH, "train") + _part(STEPS, "train")
    structure = structures[int(rng.integers(len(structures)))]
    return _render(structure, what, after, "")


def describe_pair(source: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> str:
    """Words about this pair: :func:`measure_change` told by :func:`measured_instruction`."""
    return measured_instruction(measure_change(source, target), rng)
