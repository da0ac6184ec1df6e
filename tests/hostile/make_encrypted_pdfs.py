#!/usr/bin/env python3
"""Writes the encrypted copies of the corpus's Leicester PDF that tests/hostile_pdfs.rs
reads: RC4-128 and AES-128 with an empty user password (what councils publish to stop
editing or copying: any viewer opens them), and one that needs a password. Needs pypdf and
cryptography (pip install pypdf==7.1.1 cryptography); AES draws random IVs, so the bytes
differ run to run while what the files hold does not.

    python3 tests/hostile/make_encrypted_pdfs.py
"""
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "corpus" / "leicester_scrutiny-report_2016.pdf"
OUT = ROOT / "tests" / "hostile"

for name, user, algorithm in [
    ("encrypted_rc4_no_password.pdf", "", "RC4-128"),
    ("encrypted_aes128_no_password.pdf", "", "AES-128"),
    ("encrypted_needs_password.pdf", "let-me-in", "AES-128"),
]:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(SOURCE))
    writer.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
    writer.write(OUT / name)
