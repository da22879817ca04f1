"""Print kits from the app: my poster as a PDF whose printed QR reaches my shop."""
import shutil
import subprocess

import cv2
import pytest


def test_my_poster_pdf_decodes_to_my_shop_from_the_printed_page(bank, login, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) not installed")
    r = login(bank.wang).get(f"/api/kits/employee/{bank.wang.id}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    (tmp_path / "kit.pdf").write_bytes(r.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "kit.pdf"),
                    str(tmp_path / "page")], check=True)
    page = cv2.imread(str(next(tmp_path.glob("page*.png"))), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(page)
    assert text == "http://shop.test/s/SHOP0001"


def test_a_branch_managers_zip_has_one_poster_per_active_person(bank, login, db):
    import io
    import zipfile

    bank.li.disabled = True
    db.add(bank.li)
    db.commit()
    r = login(bank.boss).get(f"/api/kits/branch/{bank.rural.id}.zip")
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert len(names) == 2 and any("王丽" in n for n in names)  # wang and the manager; li has left
