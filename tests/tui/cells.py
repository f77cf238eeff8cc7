#!/usr/bin/env python3
"""Compare two `tmux capture-pane -p -e` screens cell by cell, by what can be
seen: the character (with its combining marks) and its colours and
attributes; for a blank only the background, underline and reverse show.
tmux writes the same screen with different SGR runs, so a plain diff of the
captures says nothing. Exit 1 with the first difference."""
import re
import sys
import unicodedata

PLAIN = {"fg": None, "bg": None, "b": 0, "d": 0, "u": 0, "r": 0}


def sgr(st, params):
    ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            st = dict(PLAIN)
        elif p == 1:
            st["b"] = 1
        elif p == 2:
            st["d"] = 1
        elif p == 4:
            st["u"] = 1
        elif p == 7:
            st["r"] = 1
        elif p == 22:
            st["b"] = st["d"] = 0
        elif p == 24:
            st["u"] = 0
        elif p == 27:
            st["r"] = 0
        elif p in (38, 48):
            st["fg" if p == 38 else "bg"] = ("256", ps[i + 2]) if i + 2 < len(ps) else None
            i += 2
        elif p == 39:
            st["fg"] = None
        elif p == 49:
            st["bg"] = None
        elif 30 <= p <= 37 or 90 <= p <= 97:
            st["fg"] = p
        elif 40 <= p <= 47 or 100 <= p <= 107:
            st["bg"] = p
        i += 1
    return st


def cells(path):
    rows = []
    for line in open(path, encoding="utf-8", errors="replace"):
        st = dict(PLAIN)
        row = []
        for tok in re.findall(r"\x1b\[([0-9;]*)m|(.)", line.rstrip("\n")):
            params, ch = tok
            if not ch:
                st = sgr(st, params)
                continue
            if unicodedata.combining(ch) and row:
                row[-1] = (row[-1][0] + ch,) + row[-1][1:]
                continue
            if ch == " ":
                row.append((" ", None, st["bg"], 0, 0, st["u"], st["r"]))
            else:
                row.append((ch, st["fg"], st["bg"], st["b"], st["d"], st["u"], st["r"]))
        while row and row[-1] == (" ", None, None, 0, 0, 0, 0):
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    a, b = cells(sys.argv[1]), cells(sys.argv[2])
    for y in range(max(len(a), len(b))):
        ra = a[y] if y < len(a) else []
        rb = b[y] if y < len(b) else []
        for x in range(max(len(ra), len(rb))):
            ca = ra[x] if x < len(ra) else None
            cb = rb[x] if x < len(rb) else None
            if ca != cb:
                print("row %d cell %d: %r vs %r" % (y, x, ca, cb))
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
