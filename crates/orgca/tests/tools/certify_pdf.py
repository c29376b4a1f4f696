"""Certifies a PDF with pyHanko (a DocMDP certification signature), for the signing
tests: usage certify_pdf.py KEY CERT IN OUT PERMISSION, PERMISSION one of NO_CHANGES,
FILL_FORMS, ANNOTATE (pyHanko's MDPPerm)."""
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm

key, cert, src, dst, perm = sys.argv[1:6]
signer = signers.SimpleSigner.load(key, cert, key_passphrase=None)
meta = signers.PdfSignatureMetadata(
    field_name="Certification", certify=True, docmdp_permissions=MDPPerm[perm]
)
with open(src, "rb") as f, open(dst, "wb") as out:
    signers.sign_pdf(IncrementalPdfFileWriter(f), meta, signer=signer, output=out)
