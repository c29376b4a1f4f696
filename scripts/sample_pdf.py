#!/usr/bin/env python3
"""Writes a plain one-page PDF of about SIZE bytes (default 100 KB) to OUT, for the
signing tests and benchmark: a catalog, a page tree, one page with a Helvetica text
stream padded with lines of text, and a classic cross-reference table.

usage: sample_pdf.py OUT [SIZE]
"""
import sys


def sample_pdf(size: int) -> bytes:
    lines = [b"BT /F1 11 Tf 56 790 Td 14 TL (Kontrakt om levering - orgca test) Tj"]
    n = 0
    body = b""
    while len(body) < max(size - 900, 0):
        n += 1
        lines.append(b"T* (Linje %d: parterne er enige om vilkaarene i denne aftale.) Tj" % n)
        body = b"\n".join(lines)
    stream = body + b"\nET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    size = int(sys.argv[2]) if len(sys.argv) == 3 else 100_000
    with open(sys.argv[1], "wb") as f:
        f.write(sample_pdf(size))
