#!/usr/bin/env python3
"""An independent reader of TensorBoard event files, for the tests: pure Python 3 stdlib.

It shares no code with shadergrad (its own CRC32C, its own protobuf wire-format decoder, its own PNG
decoder) and checks the format's rules: TFRecord framing (uint64 length, masked CRC32C of the length,
data, masked CRC32C of the data), the first event's file_version, and each summary value (a histogram's
bucket counts add up to num, its limits rise; an image is a PNG whose header and chunk CRCs are right and
whose size is the one the summary states).

  python3 read_tfevents.py FILE   -> prints one JSON object {"records": n, "events": [...]}; exit 0
  on any violation                -> prints {"error": "...", "records_read": n}; exit 1
"""
import hashlib
import json
import math
import struct
import sys
import zlib


class FormatViolation(Exception):
    pass


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# --- protobuf wire format -------------------------------------------------------------------------

def read_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise FormatViolation("varint runs past the end of its message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise FormatViolation("varint longer than 10 bytes")


def fields(buf):
    """Yields (field_number, wire_type, value): ints for varints, bytes for the rest."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise FormatViolation("field number 0")
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise FormatViolation("wire type %d (groups are not used by Event)" % wire)
        if pos > len(buf):
            raise FormatViolation("field %d runs past the end of its message" % number)
        yield number, wire, value


def expect(wire, want, what):
    if wire != want:
        raise FormatViolation("%s has wire type %d, expected %d" % (what, wire, want))


def f64(b):
    return struct.unpack("<d", b)[0]


def f32(b):
    return struct.unpack("<f", b)[0]


def json_number(x):
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


# --- PNG ------------------------------------------------------------------------------------------

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data):
    """Checks signature, chunk CRCs and IHDR; decodes 8-bit non-interlaced images; returns a summary."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise FormatViolation("image is not a PNG (bad signature)")
    pos = 8
    ihdr = None
    idat = b""
    while pos < len(data):
        if pos + 8 > len(data):
            raise FormatViolation("PNG chunk header truncated")
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            raise FormatViolation("PNG chunk %r truncated" % kind)
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise FormatViolation("PNG chunk %r CRC mismatch" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    if ihdr is None:
        raise FormatViolation("PNG without IHDR")
    width, height, depth, color_type, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color_type)
    out = {"width": width, "height": height, "bit_depth": depth, "color_type": color_type}
    if depth != 8 or channels is None or interlace != 0:
        return out  # valid PNG, but not a kind this reader decodes
    raw = zlib.decompress(idat)
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise FormatViolation("PNG data holds %d bytes, %dx%d needs %d" % (len(raw), width, height, height * (stride + 1)))
    pixels = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xFF
            elif kind != 0:
                raise FormatViolation("PNG filter type %d" % kind)
        pixels += line
        prev = line
    out["channels"] = channels
    out["pixels_sha256"] = hashlib.sha256(bytes(pixels)).hexdigest()
    return out


# --- Event, Summary, HistogramProto, Image ----------------------------------------------------------

def decode_histogram(buf, tag):
    # proto3: a field at its default (0) is not written
    h = {"min": 0.0, "max": 0.0, "num": 0.0, "sum": 0.0, "sum_squares": 0.0, "bucket_limit": [], "bucket": []}
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    for number, wire, value in fields(buf):
        if number in names:
            expect(wire, 1, "histo." + names[number])
            h[names[number]] = f64(value)
        elif number in (6, 7):
            key = "bucket_limit" if number == 6 else "bucket"
            if wire == 2:  # packed
                if len(value) % 8:
                    raise FormatViolation("histo.%s packed length %d is not a multiple of 8" % (key, len(value)))
                h[key] += [f64(value[i:i + 8]) for i in range(0, len(value), 8)]
            else:
                expect(wire, 1, "histo." + key)
                h[key].append(f64(value))
    if len(h["bucket"]) != len(h["bucket_limit"]) or not h["bucket"]:
        raise FormatViolation("histogram %r: %d buckets but %d limits" % (tag, len(h["bucket"]), len(h["bucket_limit"])))
    if sum(h["bucket"]) != h["num"]:
        raise FormatViolation("histogram %r: bucket counts add up to %s, num is %s" % (tag, sum(h["bucket"]), h["num"]))
    if any(b < a for a, b in zip(h["bucket_limit"], h["bucket_limit"][1:])):
        raise FormatViolation("histogram %r: bucket limits decrease" % tag)
    if not h["min"] <= h["max"]:
        raise FormatViolation("histogram %r: min > max" % tag)
    return h


def decode_image(buf, tag):
    img = {"height": 0, "width": 0, "colorspace": 0}
    names = {1: "height", 2: "width", 3: "colorspace"}
    png = None
    for number, wire, value in fields(buf):
        if number in names:
            expect(wire, 0, "image." + names[number])
            img[names[number]] = value
        elif number == 4:
            expect(wire, 2, "image.encoded_image_string")
            png = decode_png(value)
    if png is None:
        raise FormatViolation("image %r has no encoded_image_string" % tag)
    if (png["width"], png["height"]) != (img.get("width"), img.get("height")):
        raise FormatViolation("image %r: summary says %sx%s, the PNG is %dx%d" % (tag, img.get("width"), img.get("height"), png["width"], png["height"]))
    img["png"] = png
    return img


def decode_value(buf):
    v = {}
    for number, wire, value in fields(buf):
        if number == 1:
            expect(wire, 2, "value.tag")
            v["tag"] = value.decode("utf-8")
        elif number == 2:
            expect(wire, 5, "value.simple_value")
            v["simple_value"] = json_number(f32(value))
        elif number == 4:
            expect(wire, 2, "value.image")
            v["image"] = value
        elif number == 5:
            expect(wire, 2, "value.histo")
            v["histo"] = value
    if "tag" not in v:
        raise FormatViolation("summary value without a tag")
    kinds = [k for k in ("simple_value", "image", "histo") if k in v]
    if len(kinds) != 1:
        raise FormatViolation("summary value %r holds %s (exactly one value kind expected)" % (v["tag"], kinds or "nothing"))
    if "image" in v:
        v["image"] = decode_image(v["image"], v["tag"])
    if "histo" in v:
        v["histo"] = decode_histogram(v["histo"], v["tag"])
    return v


def decode_event(buf):
    e = {}
    for number, wire, value in fields(buf):
        if number == 1:
            expect(wire, 1, "event.wall_time")
            e["wall_time"] = f64(value)
        elif number == 2:
            expect(wire, 0, "event.step")
            e["step"] = value
        elif number == 3:
            expect(wire, 2, "event.file_version")
            e["file_version"] = value.decode("utf-8")
        elif number == 5:
            expect(wire, 2, "event.summary")
            e["summary"] = [decode_value(val) for n, w, val in fields(value) if n == 1 and w == 2]
    if "wall_time" not in e:
        raise FormatViolation("event without wall_time")
    e.setdefault("step", 0)  # proto3: a field at its default is not written
    return e


def read_records(data):
    pos = 0
    index = 0
    while pos < len(data):
        if len(data) - pos < 12:
            raise FormatViolation("truncated record %d at offset %d: %d bytes left, a header needs 12" % (index, pos, len(data) - pos))
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc32c(header) != length_crc:
            raise FormatViolation("record %d at offset %d: length CRC mismatch" % (index, pos))
        end = pos + 12 + length + 4
        if end > len(data):
            raise FormatViolation("truncated record %d at offset %d: length %d, only %d bytes left" % (index, pos, length, len(data) - pos - 12))
        body = data[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", data[end - 4:end])
        if masked_crc32c(body) != data_crc:
            raise FormatViolation("record %d at offset %d: data CRC mismatch" % (index, pos))
        yield body
        pos = end
        index += 1


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    events = []
    try:
        for body in read_records(data):
            events.append(decode_event(body))
        if not events or events[0].get("file_version") != "brain.Event:2":
            raise FormatViolation("the first event's file_version is %r, not 'brain.Event:2'" % (events[0].get("file_version") if events else None))
    except FormatViolation as e:
        print(json.dumps({"error": str(e), "records_read": len(events)}))
        return 1
    print(json.dumps({"records": len(events), "events": events}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
