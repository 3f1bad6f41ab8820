"""The named photo collections: which files, their licences, groups and train/test split.

The split is part of the benchmark definition. Photos of one scene (stereo pairs, flow
frames, two views) form a group and always land on the same side, so a test scene is never
seen in training. ``bundled`` installs with pixtask's own dependencies; ``debian`` needs
``apt-get install mate-backgrounds lomiri-wallpapers plasma-workspace-wallpapers opencv-doc``.
"""

from __future__ import annotations

# (package, path inside the package, licence) for photos shipped in Python wheels.
BUNDLED: dict[str, tuple[str, str, str]] = {
    "astronaut": ("skimage", "data/astronaut.png", "public domain (NASA)"),
    "chelsea": ("skimage", "data/chelsea.png", "CC0 (Stefan van der Walt)"),
    "coffee": ("skimage", "data/coffee.png", "CC0 (Rachel Michetti)"),
    "rocket": ("skimage", "data/rocket.jpg", "public domain (SpaceX)"),
    "motorcycle_left": ("skimage", "data/motorcycle_left.png", "Middlebury stereo 2014, research use"),
    "motorcycle_right": ("skimage", "data/motorcycle_right.png", "Middlebury stereo 2014, research use"),
    "ihc": ("skimage", "data/ihc.png", "public domain (immunohistochemistry)"),
    "retina": ("skimage", "data/retina.jpg", "CC-BY (Häggström, 2014)"),
    "hubble_deep_field": ("skimage", "data/hubble_deep_field.jpg", "public domain (NASA)"),
    "camera": ("skimage", "data/camera.png", "CC0 / public domain"),
    "moon": ("skimage", "data/moon.png", "public domain"),
    "coins": ("skimage", "data/coins.png", "public domain (Brooklyn Museum)"),
    "brick": ("skimage", "data/brick.png", "CC0 (Stefan van der Walt)"),
    "grass": ("skimage", "data/grass.png", "CC0 (Stefan van der Walt)"),
    "gravel": ("skimage", "data/gravel.png", "CC0 (Stefan van der Walt)"),
    "china": ("sklearn", "datasets/images/china.jpg", "CC-BY (scikit-learn sample image)"),
    "flower": ("sklearn", "datasets/images/flower.jpg", "CC-BY (scikit-learn sample image)"),
    "grace_hopper": ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg", "public domain (US Navy)"),
}
BUNDLED_GROUPS = {"motorcycle_left": "motorcycle", "motorcycle_right": "motorcycle"}
BUNDLED_TEST = frozenset({"astronaut", "chelsea", "coffee", "china", "camera", "gravel"})

_MATE = "/usr/share/backgrounds/mate/nature/{}.jpg"
_LOMIRI = "/usr/share/backgrounds/{}.jpg"
_PLASMA = "/usr/share/wallpapers/{}/contents/images/2560x1600.jpg"
_OPENCV = "/usr/share/doc/opencv-doc/examples/data/{}"

# id -> (path, licence, group); ids carry the package so a reader knows where a file came from.
DEBIAN: dict[str, tuple[str, str, str]] = {}
for _n in (
    "Aqua",
    "Blinds",
    "Dune",
    "FreshFlower",
    "Garden",
    "GreenMeadow",
    "LadyBird",
    "RainDrops",
    "Storm",
    "TwoWings",
    "Wood",
    "YellowFlower",
):
    DEBIAN[f"mate-{_n}"] = (_MATE.format(_n), "GPL-2+ (mate-backgrounds)", f"mate-{_n}")
for _n, _lic in (
    ("Bridge_by_Sander_Klootwijk", "CC-BY-SA-4.0"),
    ("Dragonfly_by_Bolly", "CC-BY-SA-4.0"),
    ("Picture_0B_by_freespace", "CC-BY-4.0"),
    ("Picture_1A_by_freespace", "CC-BY-4.0"),
    ("Wine_by_Jakkub_Mede", "CC-BY-4.0"),
    ("aitzgorri_by_Aitzol_Berasategi", "CC-BY-4.0"),
    ("friends_by_Aitzol_Berasategi", "CC-BY-4.0"),
    ("life_by_Aitzol_Berasategi", "CC-BY-4.0"),
    ("picosdeeuropa_by_Aitzol_Berasategi", "CC-BY-4.0"),
    ("seeding_by_Clements_Engelhardt", "CC0-1.0"),
    ("sunset_by_Aitzol_Berasategi", "CC-BY-4.0"),
    ("free_by_Peter_Nerlich", "CC-BY-SA-4.0"),
    ("Kleiber_by_Lukas_Baubkus", "CC-BY-SA-3.0"),
    ("Infinite-Sea_by_Aury88", "CC-BY-SA-3.0"),
):
    DEBIAN[f"lomiri-{_n.split('_by_')[0]}"] = (_LOMIRI.format(_n), f"{_lic} (lomiri-wallpapers)", _n)
for _n in (
    "BytheWater",
    "EveningGlow",
    "FallenLeaf",
    "Path",
    "OneStandsOut",
    "summer_1am",
    "ColdRipple",
    "DarkestHour",
):
    DEBIAN[f"plasma-{_n}"] = (
        _PLASMA.format(_n),
        "GPL-2+ (plasma-workspace-wallpapers, KDE VDG)",
        f"plasma-{_n}",
    )
DEBIAN["plasma-MilkyWay"] = (
    "/usr/share/wallpapers/MilkyWay/contents/images/5120x2880.png",
    "GPL-2+ (plasma-workspace-wallpapers, KDE VDG)",
    "plasma-MilkyWay",
)
for _file, _group in (
    ("baboon.jpg", "baboon"),
    ("fruits.jpg", "fruits"),
    ("building.jpg", "building"),
    ("butterfly.jpg", "butterfly"),
    ("home.jpg", "home"),
    ("messi5.jpg", "messi"),
    ("orange.jpg", "orange"),
    ("apple.jpg", "apple"),
    ("aero1.jpg", "aero"),
    ("aero3.jpg", "aero"),
    ("leuvenA.jpg", "leuven"),
    ("leuvenB.jpg", "leuven"),
    ("squirrel_cls.jpg", "squirrel"),
    ("chicky_512.png", "chicky"),
    ("board.jpg", "board"),
    ("smarties.png", "smarties"),
    ("rubberwhale1.png", "rubberwhale"),
    ("rubberwhale2.png", "rubberwhale"),
    ("aloeL.jpg", "aloe"),
    ("aloeR.jpg", "aloe"),
    ("basketball1.png", "basketball"),
    ("basketball2.png", "basketball"),
    ("stuff.jpg", "stuff"),
    ("graf1.png", "graf"),
    ("graf3.png", "graf"),
):
    DEBIAN[f"opencv-{_file.rsplit('.', 1)[0]}"] = (
        _OPENCV.format(_file),
        "Apache-2.0/BSD (opencv-doc)",
        f"opencv-{_group}",
    )

DEBIAN_TEST_GROUPS = frozenset(
    {
        "mate-Dune",
        "mate-LadyBird",
        "mate-Wood",
        "Bridge_by_Sander_Klootwijk",
        "sunset_by_Aitzol_Berasategi",
        "Wine_by_Jakkub_Mede",
        "Kleiber_by_Lukas_Baubkus",
        "plasma-Path",
        "plasma-EveningGlow",
        "opencv-baboon",
        "opencv-butterfly",
        "opencv-fruits",
        "opencv-home",
        "opencv-building",
        "opencv-smarties",
        "opencv-aloe",
    }
)
DEBIAN_PACKAGES = ("mate-backgrounds", "lomiri-wallpapers", "plasma-workspace-wallpapers", "opencv-doc")
