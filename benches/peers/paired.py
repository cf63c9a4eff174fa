"""Times two commands in turn, A B A B ..., and prints the ratio A/B pair by pair.

paired.py [--runs N] [--warmup W] [--cpu K] -- COMMAND_A -- COMMAND_B

Each command is one shell string (run by /bin/sh, output thrown away). On a shared
machine the speed drifts from minute to minute; taking the ratio of runs made one
after the other keeps it meaningful, where two separate timings would not be. Wall
time is a monotonic clock around the child, CPU time (user + system) and peak memory
are the kernel's accounting of the finished child (os.wait4). `--cpu K` pins both
commands (and this script) to processor K. Prints the median, min and max of each
figure and of the ratios: quote the median; a wide spread says the machine was busy.
"""
import os
import statistics
import subprocess
import sys
import time


def run(command):
    """Wall seconds, CPU seconds and peak MiB of one run of `command`."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"paired.py: failed ({os.waitstatus_to_exitcode(status)}): {command}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def spread(values):
    return f"{min(values):8.3f} {statistics.median(values):8.3f} {max(values):8.3f}"


def main():
    args = sys.argv[1:]
    runs, warmup, cpu = 15, 1, None
    while args and args[0] != "--":
        flag, value = args[0], args[1]
        if flag == "--runs":
            runs = int(value)
        elif flag == "--warmup":
            warmup = int(value)
        elif flag == "--cpu":
            cpu = int(value)
        else:
            raise SystemExit(__doc__)
        args = args[2:]
    if args.count("--") != 2:
        raise SystemExit(__doc__)
    second = args.index("--", 1)
    a, b = " ".join(args[1:second]), " ".join(args[second + 1:])
    if cpu is not None:
        # Inherited by the children.
        os.sched_setaffinity(0, {cpu})
    for _ in range(warmup):
        run(a)
        run(b)
    figures = {"A": [], "B": []}
    for _ in range(runs):
        figures["A"].append(run(a))
        figures["B"].append(run(b))
    print(f"{runs} pairs{'' if cpu is None else f', pinned to processor {cpu}'}; min, median, max")
    for name in "AB":
        rows = figures[name]
        print(f"{name} wall s   {spread([r[0] for r in rows])}")
        print(f"{name} cpu s    {spread([r[1] for r in rows])}")
        print(f"{name} peak MiB {spread([r[2] for r in rows])}")
    pairs = list(zip(figures["A"], figures["B"]))
    print(f"A/B wall   {spread([x[0] / y[0] for x, y in pairs])}")
    print(f"A/B cpu    {spread([x[1] / y[1] for x, y in pairs])}")


if __name__ == "__main__":
    main()
