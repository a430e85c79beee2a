"""Drawn stand-ins for the photos researchers take in homes.

Real household photos cannot ship with the code, so each demo photo is a simple drawing
of what the observation describes: shelves, tubs, jars, a freezer drawer. They are drawn
with Pillow from a fixed seed (the same picture on every run) and saved as JPEG without
any EXIF block, as every photo in ResearchHub should be.
"""

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 900

WHITE_GOODS = (236, 238, 240)
FRIDGE_INSIDE = (226, 236, 242)
SHELF_GLASS = (190, 210, 222)
WOOD = (196, 160, 118)
WOOD_DARK = (150, 112, 76)
WALL = (232, 226, 214)
INK = (40, 44, 52)
PAPER = (250, 248, 240)
TAPE = (233, 214, 150)
CONTAINER_COLOURS = [
    (214, 92, 76),
    (80, 150, 120),
    (238, 190, 80),
    (92, 130, 190),
    (160, 110, 170),
    (230, 140, 60),
    (120, 170, 70),
]

Drawing = Callable[[ImageDraw.ImageDraw, random.Random], None]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _label(
    draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str, size: int = 22
) -> None:
    """A strip of masking tape with marker writing, centred on a point."""
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    width, height = right - left + 16, bottom - top + 12
    x, y = centre[0] - width / 2, centre[1] - height / 2
    draw.rectangle((x, y, x + width, y + height), fill=TAPE)
    draw.text((x + 8 - left, y + 6 - top), text, fill=INK, font=font)


def _tub(
    draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], colour: tuple, lid: bool
) -> None:
    """A translucent plastic tub seen from the front, food showing through."""
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=10, fill=(240, 244, 246), outline=(170, 180, 186), width=3)
    draw.rectangle((x0 + 8, y0 + (y1 - y0) * 0.35, x1 - 8, y1 - 8), fill=colour)
    if lid:
        draw.rounded_rectangle(
            (x0 - 6, y0 - 12, x1 + 6, y0 + 4), radius=4, fill=(90, 110, 130), outline=INK
        )


def _jar(
    draw: ImageDraw.ImageDraw, x: float, bottom: float, width: float, height: float, colour: tuple
) -> None:
    top = bottom - height
    draw.rounded_rectangle(
        (x, top + 18, x + width, bottom), radius=14, fill=colour, outline=(90, 90, 90), width=2
    )
    draw.rectangle((x + 8, top, x + width - 8, top + 22), fill=(170, 150, 60), outline=INK)


def _fridge_frame(draw: ImageDraw.ImageDraw, shelves: int) -> list[float]:
    """An open fridge filling the frame; returns the y of each shelf, top to bottom."""
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(120, 120, 126))
    draw.rounded_rectangle((80, 30, 1120, 880), radius=30, fill=WHITE_GOODS)
    draw.rectangle((120, 70, 1080, 840), fill=FRIDGE_INSIDE)
    draw.ellipse((560, 74, 640, 96), fill=(255, 250, 220))
    step = 770 / shelves
    levels = [70 + step * (index + 1) for index in range(shelves)]
    for y in levels[:-1]:
        draw.rectangle((120, y - 6, 1080, y + 6), fill=SHELF_GLASS, outline=(160, 180, 195))
    return levels


def draw_takeaway_tubs(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=WOOD_DARK)
    draw.rectangle((60, 60, 1140, 840), fill=(246, 240, 228))
    draw.rectangle((60, 440, 1140, 456), fill=WOOD)
    for shelf_bottom in (430, 830):
        x = 90
        while x + 210 < 1130:
            width = rng.randint(150, 210)
            stack = rng.randint(3, 6)
            for level in range(stack):
                top = shelf_bottom - (level + 1) * 52
                draw.rounded_rectangle(
                    (x, top, x + width, top + 48),
                    radius=8,
                    fill=(244, 246, 248),
                    outline=(180, 186, 190),
                    width=3,
                )
            x += width + rng.randint(20, 50)
    draw.polygon([(880, 600), (1110, 560), (1120, 820), (860, 830)], fill=(220, 60, 60))
    _label(draw, (990, 700), "LIDS?", size=34)


def draw_fridge_door_list(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=WALL)
    draw.rounded_rectangle(
        (180, 20, 1020, 900), radius=24, fill=WHITE_GOODS, outline=(200, 200, 204)
    )
    draw.rectangle((960, 200, 985, 520), fill=(200, 200, 206))
    draw.rectangle((330, 110, 850, 820), fill=PAPER, outline=(210, 205, 190))
    draw.rectangle((540, 90, 640, 130), fill=TAPE)
    font = _font(30)
    draw.text((360, 150), "FREEZER (garage)", fill=INK, font=font)
    items = [
        "Mince x3 - 14/9",
        "Chicken thighs - 2/10",
        "Runner beans - Aug",
        "Sausages - 20/9",
        "Fish pie - 5/10",
        "Bread x2 - 11/10",
        "Apple crumble",
        "Peas (big bag)",
        "Stew - 22/10",
    ]
    for index, item in enumerate(items):
        y = 220 + index * 62
        draw.text((360, y), item, fill=(30, 60, 140), font=font)
        if rng.random() < 0.4:
            draw.line((350, y + 18, 360 + 26 * len(item) * 0.6, y + 14), fill=INK, width=4)
    for x, colour in ((260, (220, 70, 70)), (900, (70, 160, 90))):
        draw.ellipse((x, 60, x + 60, 120), fill=colour)


def draw_chest_freezer(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(150, 150, 140))
    draw.rectangle((100, 80, 1100, 820), fill=WHITE_GOODS, outline=(180, 180, 184), width=6)
    draw.rectangle((140, 120, 1060, 780), fill=(208, 226, 236))
    for x in (370, 600, 830):
        draw.rectangle((x - 6, 120, x + 6, 780), fill=(170, 140, 100))
    for column, name in enumerate(("MEAT", "VEG", "PUDDINGS", "BREAD")):
        left = 150 + column * 230
        for _ in range(rng.randint(4, 6)):
            x = left + rng.randint(0, 120)
            y = rng.randint(180, 680)
            colour = rng.choice(CONTAINER_COLOURS)
            draw.rounded_rectangle((x, y, x + 90, y + 70), radius=12, fill=colour, outline=INK)
        _label(draw, (left + 100, 150), name, size=26)
    for _ in range(30):
        x, y = rng.randint(140, 1050), rng.randint(120, 770)
        draw.ellipse((x, y, x + 6, y + 6), fill=(245, 250, 255))


def draw_pantry_pegs(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=WOOD_DARK)
    draw.rectangle((50, 50, 1150, 850), fill=(244, 238, 226))
    for y in (300, 580):
        draw.rectangle((50, y, 1150, y + 16), fill=WOOD)
    x = 90
    for _ in range(5):
        colour = rng.choice(CONTAINER_COLOURS)
        width = rng.randint(140, 180)
        draw.polygon(
            [(x, 290), (x + width, 290), (x + width - 14, 130), (x + 14, 130)], fill=colour
        )
        draw.rectangle((x + width / 2 - 30, 115, x + width / 2 + 30, 140), fill=(230, 200, 60))
        x += width + 40
    draw.rectangle((120, 330, 340, 570), fill=(240, 200, 80), outline=INK, width=3)
    draw.polygon([(120, 330), (180, 300), (290, 310), (340, 330)], fill=(250, 220, 110))
    _label(draw, (230, 450), "CORNFLAKES", size=26)
    for x in (420, 620, 820):
        _jar(draw, x, 570, 150, 210, rng.choice(CONTAINER_COLOURS))
    for x in (120, 480, 840):
        draw.rectangle((x, 640, x + 240, 840), fill=rng.choice(CONTAINER_COLOURS), outline=INK)
        draw.rectangle((x + 100, 620, x + 140, 670), fill=(90, 160, 220), outline=INK)


def draw_meal_prep(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    levels = _fridge_frame(draw, 3)
    days = ["MON", "TUE", "WED", "THU", "MON", "TUE", "WED", "THU"]
    for index, day in enumerate(days):
        row, column = divmod(index, 4)
        x = 150 + column * 230
        bottom = levels[1] - 14 - row * 110
        _tub(draw, (x, bottom - 90, x + 200, bottom), rng.choice(CONTAINER_COLOURS), lid=True)
        _label(draw, (x + 100, bottom - 50), day, size=24)
    for x in (160, 420, 700):
        _jar(draw, x, levels[0] - 10, 110, 160, rng.choice(CONTAINER_COLOURS))
    for x in (150, 360, 560, 780):
        draw.rounded_rectangle(
            (x, levels[2] - 170, x + 170, levels[2] - 20),
            radius=20,
            fill=rng.choice(CONTAINER_COLOURS),
            outline=INK,
        )


def draw_freezer_files(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(110, 114, 120))
    draw.rectangle((120, 120, 1080, 820), fill=(214, 230, 240), outline=(240, 240, 240), width=12)
    x = 160
    while x < 1020:
        width = rng.randint(26, 40)
        colour = rng.choice(CONTAINER_COLOURS)
        draw.rectangle((x, 230, x + width, 780), fill=colour, outline=(250, 250, 250), width=3)
        draw.rectangle((x + 4, 240, x + width - 4, 320), fill=PAPER)
        x += width + rng.randint(4, 10)
    _label(draw, (600, 170), "CHILLI / DAHL / BOLOGNESE", size=30)


def draw_pantry_sacks(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=WALL)
    draw.rectangle((60, 360, 1140, 380), fill=WOOD)
    for x in (90, 330, 570, 810):
        draw.rounded_rectangle(
            (x, 150, x + 200, 358),
            radius=18,
            fill=(200, 204, 210),
            outline=(120, 120, 130),
            width=4,
        )
        draw.ellipse((x + 10, 140, x + 190, 170), fill=(220, 224, 230), outline=(120, 120, 130))
    for x, name in ((80, "BASMATI 10kg"), (470, "ATTA 10kg"), (860, "TOOR DAL")):
        draw.polygon(
            [(x, 860), (x + 280, 860), (x + 250, 470), (x + 30, 470)],
            fill=(238, 226, 196),
            outline=WOOD_DARK,
        )
        draw.rectangle((x + 40, 600, x + 240, 690), fill=rng.choice(CONTAINER_COLOURS))
        draw.text((x + 55, 625), name, fill=(250, 250, 250), font=_font(28))


def draw_puree_tray(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(200, 214, 224))
    draw.rounded_rectangle((160, 140, 1040, 700), radius=40, fill=(90, 170, 200), outline=INK)
    purees = [(236, 140, 50), (120, 180, 60), (230, 200, 80), (170, 80, 90)]
    for row in range(3):
        for column in range(6):
            x, y = 200 + column * 140, 180 + row * 170
            draw.rounded_rectangle((x, y, x + 120, y + 150), radius=18, fill=(60, 130, 160))
            if rng.random() < 0.85:
                draw.rounded_rectangle(
                    (x + 10, y + 10, x + 110, y + 140),
                    radius=14,
                    fill=purees[column // 2 + row % 2],
                )
    draw.rectangle((220, 730, 980, 860), fill=(240, 244, 248), outline=(170, 180, 190), width=3)
    draw.text((250, 760), "CARROT + PEA - 14/3", fill=(30, 60, 140), font=_font(46))


def draw_jar_shelf(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(244, 238, 226))
    for y in (420, 840):
        draw.rectangle((40, y, 1160, y + 22), fill=WOOD)
    names = ["COURGETTE", "BEETROOT", "PLUM", "COURGETTE", "APPLE", "TOMATO", "COURGETTE"]
    for row, bottom in enumerate((420, 840)):
        x = 70
        while x < 1040:
            width = rng.randint(120, 150)
            _jar(draw, x, bottom, width, rng.randint(200, 260), rng.choice(CONTAINER_COLOURS))
            _label(draw, (x + width / 2, bottom - 90), rng.choice(names)[:9], size=18)
            x += width + rng.randint(14, 30)
        if row == 0:
            draw.text((80, 30), "PANTRY", fill=WOOD_DARK, font=_font(36))


def draw_eat_me_first(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    levels = _fridge_frame(draw, 3)
    draw.rectangle((200, levels[0] - 150, 760, levels[0] - 12), fill=(250, 250, 252), outline=INK)
    _label(draw, (480, levels[0] - 165), "EAT ME FIRST", size=34)
    for x in (230, 370, 520, 640):
        _tub(
            draw,
            (x, levels[0] - 110, x + 100, levels[0] - 22),
            rng.choice(CONTAINER_COLOURS),
            False,
        )
    for x in (820, 940):
        draw.rectangle(
            (x, levels[0] - 200, x + 90, levels[0] - 12), fill=(250, 250, 250), outline=INK
        )
        draw.rectangle((x, levels[0] - 200, x + 90, levels[0] - 170), fill=(90, 150, 220))
    for x in (150, 400, 650, 880):
        _tub(
            draw, (x, levels[1] - 130, x + 190, levels[1] - 14), rng.choice(CONTAINER_COLOURS), True
        )
        _label(
            draw, (x + 95, levels[1] - 70), rng.choice(["SOUP 3/11", "RICE 4/11", "DAHL 2/11"]), 20
        )
    for x in (160, 520, 860):
        draw.ellipse(
            (x, levels[2] - 150, x + 200, levels[2] - 20), fill=rng.choice(CONTAINER_COLOURS)
        )


def draw_garage_fridge(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    levels = _fridge_frame(draw, 4)
    for index, level in enumerate(levels):
        x = 140
        while x < 1020:
            colour = rng.choice(CONTAINER_COLOURS)
            if index % 2 == 0:
                for offset in range(4):
                    draw.ellipse(
                        (x + offset * 44, level - 70, x + offset * 44 + 40, level - 14),
                        fill=(250, 250, 250),
                        outline=colour,
                        width=6,
                    )
                x += 200
            else:
                draw.rounded_rectangle((x, level - 150, x + 60, level - 14), radius=12, fill=colour)
                draw.rectangle((x + 20, level - 175, x + 40, level - 150), fill=INK)
                x += 90
    _label(draw, (600, 60), "KIDS: ASK FIRST", size=30)


DRAWINGS: dict[str, Drawing] = {
    "takeaway_tubs": draw_takeaway_tubs,
    "fridge_door_list": draw_fridge_door_list,
    "chest_freezer": draw_chest_freezer,
    "pantry_pegs": draw_pantry_pegs,
    "meal_prep": draw_meal_prep,
    "freezer_files": draw_freezer_files,
    "pantry_sacks": draw_pantry_sacks,
    "puree_tray": draw_puree_tray,
    "jar_shelf": draw_jar_shelf,
    "eat_me_first": draw_eat_me_first,
    "garage_fridge": draw_garage_fridge,
}


def render_jpeg(key: str) -> bytes:
    """The named drawing as JPEG bytes: the same picture on every run, and no EXIF."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE_GOODS)
    DRAWINGS[key](ImageDraw.Draw(image), random.Random(key))
    buffer = io.BytesIO()
    # No exif= argument: a fresh image has no metadata, and none is written.
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
