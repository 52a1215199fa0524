#!/usr/bin/env python3
"""How many values Utf8StringTable (src/Decnet.Bus.Unix/Protocol) leaves out, with random hashes.

The table keeps a value only if one of its MaxProbes slots (linear probing) is free; its slots double once a
quarter would be used. This models that, values lost while the table grows included, beside the earlier design
(2,048 fixed slots, eight probes). Usage: scripts/simulate-string-table.py [trials] (default 3000 tables of 1,024).
"""
import random
import sys


def place(table, h, probes):
    for p in range(probes):
        s = (h + p) & (len(table) - 1)
        if table[s] is None:
            table[s] = h
            return True
    return False


def growing(values=1024, probes=16, first_slots=16):
    table = [None] * first_slots
    count = 0
    for _ in range(values):
        if place(table, random.getrandbits(32), probes):
            count += 1
            if count < values and (count + 1) * 4 > len(table):
                old, table = table, [None] * (len(table) * 2)
                count = sum(place(table, h, probes) for h in old if h is not None)
    return values - count


def fixed(values=1024, slots=2048, probes=8):
    table = [None] * slots
    return sum(not place(table, random.getrandbits(32), probes) for _ in range(values))


trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
total = trials * 1024
lost = sum(growing() for _ in range(trials))
print(f"growing slots, 16 probes: {lost} of {total} values not kept")
lost = sum(fixed() for _ in range(trials))
print(f"2,048 fixed slots, 8 probes: {lost} of {total} values not kept (1 in {total / max(lost, 1):.0f})")
