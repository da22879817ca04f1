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


def test_a_branch_managers_zip_has_one_poster_per_active_person_and_the_grids_board(bank, login, db):
    import io
    import zipfile

    bank.li.disabled = True
    db.add(bank.li)
    db.commit()
    r = login(bank.boss).get(f"/api/kits/branch/{bank.rural.id}.zip")
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    posters = [n for n in names if not n.startswith("公示牌")]
    assert len(posters) == 2 and any("王丽" in n for n in posters)  # wang and the manager; li has left
    assert [n for n in names if n.startswith("公示牌")] == ["公示牌-冠山网格.png"]  # the grid's board too


def test_a_worker_drawing_a_branch_kit_keeps_answering_other_requests(database_url):
    """Drawing takes seconds of CPU; on a gevent worker it runs in an OS thread, so the same
    worker's other requests (and live streams) are not held up for the whole build."""
    import json
    import threading
    import time

    from tests.conftest import PASSWORD
    from tests.servers import gunicorn, migrated_bank, request

    if not database_url.startswith("sqlite"):
        pytest.skip("the worker, not the database, is under test")
    bank = migrated_bank(database_url)
    # 600 dpi: a few seconds of drawing even for the 3 people of the test branch
    with gunicorn(database_url, workers=1, PRINT_DPI=600, PUBLIC_BASE_URL="http://shop.test") as port:
        _, me, headers = request(port, "POST", "/api/staff/login",
                                 {"staff_no": bank.boss.staff_no, "password": PASSWORD})
        cookie = headers["Set-Cookie"].split(";")[0]
        built = []

        def download():
            started = time.monotonic()
            status, _, _ = request(port, "GET", f"/api/kits/branch/{me['branch_id']}.zip",
                                   headers={"Cookie": cookie}, timeout=120)
            built.append((status, time.monotonic() - started))

        worker = threading.Thread(target=download)
        worker.start()
        time.sleep(0.2)
        waits = []
        while worker.is_alive():
            started = time.monotonic()
            assert request(port, "GET", "/healthz")[0] == 200
            waits.append(time.monotonic() - started)
            time.sleep(0.02)
        worker.join()
    [(status, seconds)] = built
    assert status == 200 and seconds > 0.5, json.dumps(built)
    assert waits and max(waits) < seconds / 2, (max(waits), seconds)
