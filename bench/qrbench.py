"""QR codes in-process: `qr.png(url)` per shop code, and what a branch's print kit costs today."""
import json
import os
import secrets
import subprocess
import sys
import time

from bench import servers

from bench.stats import summary_ms

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = "https://shop.yqrcb.example/s/"  # the length of a real public link; never fetched


def codes(n: int) -> list[str]:
    return ["".join(secrets.choice(CODE_ALPHABET) for _ in range(8)) for _ in range(n)]


def _timed(render, urls: list[str]) -> tuple[list[float], int]:
    took, size = [], 0
    for url in urls:
        started = time.perf_counter()
        size += len(render(url))
        took.append(time.perf_counter() - started)
    return took, size


def print_kit(people: int, timeout: float = 300) -> dict:
    """`bench.kitbench` in a child process: the PDF kit for `people` employees, or why not."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(servers.APP_ROOT), str(servers.ROOT)]))}
    try:
        proc = subprocess.run([sys.executable, "-m", "bench.kitbench", str(people)], cwd=servers.ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"took more than {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(n: int, branch: int = 100, kit_people: int = 100) -> dict:
    """Time qr.png over `n` distinct URLs; then a `branch`-employee kit: one PNG and one SVG each."""
    import importlib.util

    import qr

    kit = importlib.util.find_spec("qr.kit") is not None  # the print kit, once it exists
    qr.png(BASE + "WARMUP01")  # imports and first-call set-up are not per-code costs
    png_took, png_bytes = _timed(qr.png, [BASE + c for c in codes(n)])
    svg_took, svg_bytes = _timed(qr.svg, [BASE + c for c in codes(n)])
    kit_urls = [BASE + c for c in codes(branch)]
    started = time.perf_counter()
    kit_png, kit_png_bytes = _timed(qr.png, kit_urls)
    kit_svg, kit_svg_bytes = _timed(qr.svg, kit_urls)
    kit_seconds = time.perf_counter() - started
    return {"n": n, "png": summary_ms(png_took), "png_total_s": sum(png_took),
            "png_avg_bytes": png_bytes / n, "svg": summary_ms(svg_took), "svg_avg_bytes": svg_bytes / n,
            "branch": branch, "kit_seconds": kit_seconds, "kit_png_s": sum(kit_png),
            "kit_svg_s": sum(kit_svg), "kit_bytes": kit_png_bytes + kit_svg_bytes,
            "url_example": BASE + "XXXXXXXX", "kit_module": kit,
            "kit": print_kit(kit_people) if kit else None}
