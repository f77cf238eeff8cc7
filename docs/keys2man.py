#!/usr/bin/env python3
"""Write the KEYS section of docs/bakelens.1 from docs/keys.md (itself generated
from the action table and checked by a unit test), so the man page cannot drift.

Usage: docs/keys2man.py [--check]   (--check: exit 1 when the man page is stale)
"""
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))


def roff(text):
    return text.replace('\\', '\\e').replace('-', '\\-')


def keys_section(md):
    out = [
        '.SH KEYS',
        "The explorer's default bindings, by view (scope). They are generated from the action",
        'table and kept in step with it; rebind them in',
        '.I $XDG_CONFIG_HOME/bakelens/config',
        'with lines',
        '.BR "bind " "SCOPE KEY ACTION"',
        '(ACTION',
        '.B none',
        "unbinds). A key bound in a view's scope wins over the same key in",
        '.B list',
        'and',
        '.BR global .',
    ]
    for line in md.splitlines():
        m = re.match(r'^## (\w+): (.*)', line)
        if m:
            out.append('.SS %s: %s' % (m.group(1), roff(m.group(2))))
            continue
        m = re.match(r'^\| (`.*`) \| ([\w-]+) \| (.*) \|$', line)
        if m:
            keys = [k.strip().strip('`').replace('\\|', '|') for k in m.group(1).split(',')]
            out.append('.TP')
            out.append('.B ' + ', '.join(roff(k) for k in keys))
            out.append('%s: %s' % (roff(m.group(2)), roff(m.group(3).replace('\\_', '_'))))
    return '\n'.join(out) + '\n'


def main():
    md = open(os.path.join(here, 'keys.md'), encoding='utf-8').read()
    path = os.path.join(here, 'bakelens.1')
    man = open(path, encoding='utf-8').read()
    new = re.sub(r'\.SH KEYS\n.*?(?=\.SH )', lambda _: keys_section(md), man, flags=re.S)
    if '--check' in sys.argv:
        if new != man:
            print('docs/bakelens.1: KEYS section is stale; run docs/keys2man.py', file=sys.stderr)
            return 1
        print('docs/bakelens.1: KEYS section matches docs/keys.md')
        return 0
    open(path, 'w', encoding='utf-8').write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
