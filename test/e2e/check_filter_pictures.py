#!/usr/bin/python3
"""Checks that cnnc-viz filter's pictures look as the textbook's do.

usage: check_filter_pictures.py DIR

DIR holds identity.png, edge1.png, edge2.png, edge3.png, sharpen.png,
box-blur.png and gaussian-blur.png, the classic kernels applied to one
photograph at stride 1 with 'same' padding. Prints one line per picture
and fails (exit 1) unless:
  - each has the identity's size;
  - the edge detectors light up the edges: their pictures are mostly dark
    (mean below a quarter of the photograph's), and where the photograph
    changes most (the tenth of its pixels with the largest difference to
    their right and lower neighbours) they are at least 3 times as bright
    as elsewhere;
  - the blurs are blurred: the mean difference between neighbouring pixels
    is below 70% of the photograph's;
  - sharpening does the opposite: that difference is above the photograph's.
"""
import os
import sys

from check_png import read_png


def gray(path):
    width, height, channels, rows = read_png(path)
    pixels = [row[i] / 255.0 for row in rows for i in range(0, len(row),
                                                             channels)]
    return width, height, pixels


def roughness(width, height, pixels):
    """Mean absolute difference between horizontal neighbours."""
    total = 0.0
    for y in range(height):
        row = pixels[y * width:(y + 1) * width]
        total += sum(abs(row[x + 1] - row[x]) for x in range(width - 1))
    return total / (height * (width - 1))


def edge_contrast(width, height, photo, pixels):
    """Mean of `pixels` where `photo` changes most over the mean elsewhere."""
    change = []
    for y in range(height - 1):
        for x in range(width - 1):
            i = y * width + x
            change.append((abs(photo[i + 1] - photo[i]) +
                           abs(photo[i + width] - photo[i]), i))
    change.sort(reverse=True)
    top = len(change) // 10
    edges = sum(pixels[i] for _, i in change[:top]) / top
    rest = sum(pixels[i] for _, i in change[top:]) / (len(change) - top)
    return edges / max(rest, 1e-6)


def main():
    folder = sys.argv[1]
    pictures = {}
    for name in ["identity", "edge1", "edge2", "edge3", "sharpen", "box-blur",
                 "gaussian-blur"]:
        pictures[name] = gray(os.path.join(folder, name + ".png"))
    width, height, photo = pictures["identity"]
    photo_mean = sum(photo) / len(photo)
    photo_rough = roughness(width, height, photo)
    failed = False
    for name, (w, h, pixels) in pictures.items():
        mean = sum(pixels) / len(pixels)
        rough = roughness(w, h, pixels)
        contrast = (edge_contrast(w, h, photo, pixels)
                    if (w, h) == (width, height) else 0)
        problems = []
        if (w, h) != (width, height):
            problems.append(f"size {w}x{h}, not {width}x{height}")
        if name.startswith("edge") and not (mean < photo_mean / 4 and
                                            contrast >= 3):
            problems.append("not dark with bright edges")
        if name.endswith("blur") and not rough < 0.7 * photo_rough:
            problems.append("not blurred")
        if name == "sharpen" and not rough > photo_rough:
            problems.append("not sharper")
        print(f"{name}: mean {mean:.3f}, on edges {contrast:.1f}x as bright, "
              f"neighbour difference {rough:.4f} (photograph {photo_rough:.4f})"
              + (": FAIL: " + ", ".join(problems) if problems else ": ok"))
        failed |= bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
