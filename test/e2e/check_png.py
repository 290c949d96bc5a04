#!/usr/bin/python3
"""Checks that PNG pictures exist, have the expected size and are not blank.

usage: check_png.py FILE[:WIDTHxHEIGHT] ...

For each file prints "FILE: WIDTHxHEIGHT, N channels, contrast C" and fails
(exit 1) if the file is not an 8-bit PNG of gray or RGB pixels, if its size
differs from the one given, or if it is blank: fewer than 8 distinct pixel
values, or a standard deviation of its values below 8 (of 255). Reads the
PNG itself (zlib and the five row filters), so it needs nothing but Python.
"""
import struct
import sys
import zlib


def read_png(path):
    """(width, height, channels, rows of bytes) of an 8-bit gray/RGB PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3}.get(color)  # gray or RGB, no alpha
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, color {color})")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        if kind > 4:
            raise ValueError(f"row {y} has an unknown filter type {kind}")
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def main():
    failed = False
    for arg in sys.argv[1:]:
        path, _, size = arg.partition(":")
        try:
            width, height, channels, rows = read_png(path)
        except (OSError, ValueError, TypeError, zlib.error) as e:
            print(f"{path}: FAIL: {e}")
            failed = True
            continue
        values = b"".join(rows)
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        distinct = len(set(values))
        problems = []
        if size and size != f"{width}x{height}":
            problems.append(f"expected {size}")
        if distinct < 8 or std < 8:
            problems.append(f"blank ({distinct} distinct values)")
        print(f"{path}: {width}x{height}, {channels} channels, contrast "
              f"{std:.1f}" + (": FAIL: " + ", ".join(problems)
                              if problems else ""))
        failed |= bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
