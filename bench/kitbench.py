"""The print kit for one branch, timed in a process of its own (so its peak memory is its own).

    python -m bench.kitbench PEOPLE   ->  one JSON line

PEOPLE posters (A4, 300 dpi) plus one service board per grid of 5 people, as one PDF, through
`qr.kit.pdf` exactly as the server would call it.
"""
import json
import resource
import sys
import time

from bench.stats import summary_ms

BANK, HOTLINE = "阳泉农商银行", "0353-96511"
PER_GRID = 5


def main(people: int) -> dict:
    from qr import kit

    staff = [kit.Person(name=f"员工{i:03d}", level_label="中级客户经理", branch="平定支行",
                        grid=f"冠山第{i // PER_GRID + 1}网格", grid_areas=["宋家庄村", "西关村", "东关社区"],
                        url=f"https://shop.yqrcb.example/s/K7P2X{i:03d}")
             for i in range(people)]
    boards: dict[str, list] = {}
    for person in staff:
        boards.setdefault(person.grid, []).append(person)
    marks = [time.perf_counter()]
    started = time.perf_counter()
    data = kit.pdf(kit.Kit(bank=BANK, hotline=HOTLINE, people=staff), service_boards=boards,
                   progress=lambda done, total: marks.append(time.perf_counter()))
    seconds = time.perf_counter() - started
    pages = [b - a for a, b in zip(marks, marks[1:])]
    return {"people": people, "boards": len(boards), "pages": len(pages), "seconds": seconds,
            "page": summary_ms(pages), "bytes": len(data),
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
