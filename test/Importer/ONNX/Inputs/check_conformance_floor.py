#!/usr/bin/env python3
"""Fails unless the conformance runner's `imported N of M` line reaches the
committed floor.

    python3 check_conformance_floor.py RUNNER_OUTPUT FLOOR_FILE
"""
import re
import sys


def main():
    log, floor_file = sys.argv[1], sys.argv[2]
    matches = re.findall(r"^imported (\d+) of (\d+)$", open(log).read(), re.MULTILINE)
    if not matches:
        sys.exit(f"no 'imported N of M' line in {log}")
    imported, total = map(int, matches[-1])
    floor = int(next(line for line in open(floor_file)
                     if line.strip() and not line.lstrip().startswith("#")))
    print(f"imported {imported} of {total}; floor {floor}")
    if imported < floor:
        sys.exit(f"conformance dropped: imported {imported} < floor {floor}")


if __name__ == "__main__":
    main()
