#!/usr/bin/env python3
"""PIL's bytes for EXIF-oriented resizes, as short SHA-256 digests (resize-orientation.json), for
tests/unit/resize-orientation-pil.test.ts: each case's image is made from a hash of the byte index
(the same function in the test), tagged with each EXIF orientation, turned by
ImageOps.exif_transpose and resized by Image.resize, as the Hugging Face image processors do.

    /usr/bin/python3 tests/pil/resize-orientation.py > tests/pil/resize-orientation.json
    npx prettier --write tests/pil/resize-orientation.json

Made with Debian's python3-pil 9.4.0 and python3-numpy.
"""
import hashlib
import json
import sys

import numpy as np
import PIL
from PIL import Image, ImageOps

FILTERS = [0, 1, 2, 3, 4, 5]  # nearest, Lanczos, bilinear, bicubic, box, Hamming
# (stored width, height, channels, seed, target): target is [w, h] upright, or the shortest edge.
CASES = [
    (17, 9, 3, 1, [5, 3]),
    (17, 9, 3, 2, [40, 23]),
    (9, 17, 3, 3, [4, 11]),
    (31, 17, 3, 4, [13, 7]),
    (50, 40, 3, 5, [7, 91]),
    (64, 48, 3, 6, [48, 64]),
    (3, 2, 3, 7, [1, 1]),
    (23, 37, 1, 8, 11),
    (451, 299, 3, 9, 224),
    (1000, 750, 3, 10, 224),
    (299, 451, 3, 11, 384),
]
LARGE = [(4032, 3024, 3, 12, 224)]  # bicubic only (CLIP's filter): each resize is 12 MP


def pixels(width, height, channels, seed):
    """murmur3's fmix32 of (index + seed * golden ratio), top byte."""
    n = width * height * channels
    h = np.arange(n, dtype=np.uint32) + np.uint32((seed * 0x9E3779B9) & 0xFFFFFFFF)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    data = (h >> np.uint32(24)).astype(np.uint8)
    mode = 'L' if channels == 1 else 'RGB'
    return Image.frombytes(mode, (width, height), data.tobytes())


def size_for(upright, target):
    if isinstance(target, list):
        return tuple(target)
    w, h = upright  # transformers' shortest-edge rule
    return (target, int(target * h / w)) if w <= h else (int(target * w / h), target)


def digests(stored, target, resample):
    out = []
    for orientation in range(1, 9):
        img = stored.copy()
        img.getexif()[0x0112] = orientation
        upright = ImageOps.exif_transpose(img)
        resized = upright.resize(size_for(upright.size, target), resample, reducing_gap=None)
        out.append(hashlib.sha256(resized.tobytes()).hexdigest()[:16])
    return out


def main():
    cases = []
    for group, filters in ((CASES, FILTERS), (LARGE, [3])):
        for width, height, channels, seed, target in group:
            stored = pixels(width, height, channels, seed)
            for resample in filters:
                cases.append({
                    'stored': [width, height, channels, seed],
                    'target': target,
                    'filter': resample,
                    'sha256': ' '.join(digests(stored, target, resample)),
                })
    json.dump({'pil': PIL.__version__, 'cases': cases}, sys.stdout)
    print()


main()
